# FerretDB (the MongoDB API) where no registry is reachable: the binary the native stack built.
# Listens on the host network:  podman run livestream-goals/ferretdb:1.24.2 -listen 127.0.0.1:PORT
ARG DEBIAN_IMAGE=livestream-goals/debian:bookworm
FROM ${DEBIAN_IMAGE}
COPY ferretdb /usr/local/bin/ferretdb
ENTRYPOINT ["/usr/local/bin/ferretdb", "-data", "/var/lib/ferretdb"]
CMD ["-listen", "127.0.0.1:27017"]
