# Stands in for the official python:3.11-slim-bookworm where no registry is reachable: Debian's
# own Python 3.11 on a debootstrapped bookworm (images.sh tags it with the official name).
ARG DEBIAN_IMAGE=livestream-goals/debian:bookworm
FROM ${DEBIAN_IMAGE}
# Validity checks off: a dated snapshot mirror's Release files may be past their Valid-Until.
RUN apt-get -o Acquire::Check-Valid-Until=false update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      python3.11 python3.11-venv ca-certificates >/dev/null \
 && rm -rf /var/lib/apt/lists/* \
 && ln -s /usr/bin/python3.11 /usr/local/bin/python \
 && ln -s /usr/bin/python3.11 /usr/local/bin/python3
ENV LANG=C.UTF-8
CMD ["python3"]
