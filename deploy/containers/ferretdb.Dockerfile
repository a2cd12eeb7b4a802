# FerretDB (the MongoDB API) on PostgreSQL where no registry is reachable, as the native stack
# runs it: the FerretDB binary the native stack built, Debian's PostgreSQL, and the native
# stack's index trigger (deploy/local/postgres/ferretdb-indexes.sql). Context: assembled by
# images.sh (ferretdb, ferretdb-indexes.sql, ferretdb-start.sh). Host network, both on loopback:
#   podman run livestream-goals/ferretdb:1.24.2-postgresql FERRETDB_PORT POSTGRES_PORT
ARG DEBIAN_IMAGE=livestream-goals/debian:bookworm
FROM ${DEBIAN_IMAGE}
# A fixed uid for the cluster's owner (PostgreSQL refuses to run as root), made before the
# packages would make one. No default cluster: the start script makes its own at run time.
RUN groupadd --system --gid 999 postgres \
 && useradd --system --uid 999 --gid 999 --home-dir /var/lib/postgresql --shell /bin/bash postgres \
 && apt-get -o Acquire::Check-Valid-Until=false update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      postgresql-common >/dev/null \
 && sed -ri 's/^#?\s*create_main_cluster\b.*/create_main_cluster = false/' \
      /etc/postgresql-common/createcluster.conf \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      postgresql >/dev/null \
 && rm -rf /var/lib/apt/lists/* \
 && install -d -o 999 -g 999 -m 700 /var/lib/ferretdb
COPY ferretdb /usr/local/bin/ferretdb
COPY ferretdb-indexes.sql /usr/local/share/ferretdb/
COPY ferretdb-start.sh /usr/local/bin/
USER 999:999
WORKDIR /var/lib/ferretdb
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/ferretdb-start.sh"]
CMD ["27017", "5432"]
