# Kafka (KRaft, one broker+controller) where no registry is reachable: Debian's Java 17 and
# the jars the native stack fetched, started by the native stack's own deploy/local/kafka/run.sh.
# Context: assembled by images.sh (libs/ and kafka/). Listens on the host network:
#   podman run livestream-goals/kafka:4.1.1 PORT CONTROLLER_PORT
ARG DEBIAN_IMAGE=livestream-goals/debian:bookworm
FROM ${DEBIAN_IMAGE}
RUN apt-get -o Acquire::Check-Valid-Until=false update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      openjdk-17-jre-headless >/dev/null \
 && rm -rf /var/lib/apt/lists/*
COPY libs/ /opt/kafka/libs/
COPY kafka/ /opt/kafka/bin/
ENTRYPOINT ["/opt/kafka/bin/run.sh", "/opt/kafka/libs", "/var/lib/kafka/conf", "/var/lib/kafka/data"]
CMD ["9092", "9093"]
