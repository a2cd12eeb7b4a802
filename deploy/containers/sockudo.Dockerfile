# Sockudo (the Pusher protocol) where no registry is reachable: the binary the native stack
# built with cargo. Configured by environment (env.sh's sockudo_env); host network.
ARG DEBIAN_IMAGE=livestream-goals/debian:bookworm
FROM ${DEBIAN_IMAGE}
COPY sockudo /usr/local/bin/sockudo
WORKDIR /var/lib/sockudo
ENTRYPOINT ["/usr/local/bin/sockudo"]
