# Sockudo (the Pusher protocol) where no registry is reachable: the binary the native stack
# built with cargo. Configured by environment (env.sh's sockudo_env); host network.
ARG DEBIAN_IMAGE=livestream-goals/debian:bookworm
FROM ${DEBIAN_IMAGE}
# The cargo-built binary links the system's OpenSSL.
RUN apt-get -o Acquire::Check-Valid-Until=false update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libssl3 ca-certificates >/dev/null \
 && rm -rf /var/lib/apt/lists/*
COPY sockudo /usr/local/bin/sockudo
WORKDIR /var/lib/sockudo
ENTRYPOINT ["/usr/local/bin/sockudo"]
