#!/bin/bash
# The FerretDB image's entrypoint (ferretdb.Dockerfile), the native stack's start_postgres,
# pg_index_trigger and start_ferretdb (deploy/local/stack.sh) in one container:
#   ferretdb-start.sh FERRETDB_PORT POSTGRES_PORT      (both on 127.0.0.1: host network)
# Makes the cluster on first start (PGDATA, default /var/lib/ferretdb/postgres), starts
# PostgreSQL, applies the index trigger, then runs FerretDB with its postgresql handler. Stays
# PID 1: on SIGTERM it stops FerretDB, then PostgreSQL; if either dies, it stops the other and
# exits non-zero, so the container's state shows it.
set -euo pipefail
ferretdb_port="${1:-27017}" pg_port="${2:-5432}"
data="${PGDATA:-/var/lib/ferretdb/postgres}"
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
pg="" ferretdb=""

stop() {
  # FerretDB first, and gone, before PostgreSQL: a FerretDB outliving its backend answers
  # clients InternalError ("the database system is shutting down") instead of closing on them.
  if [[ -n $ferretdb ]]; then
    kill -TERM "$ferretdb" 2>/dev/null || true
    wait "$ferretdb" 2>/dev/null || true
  fi
  # Fast shutdown: SIGTERM would wait for FerretDB's pooled connections to leave.
  [[ -z $pg ]] || kill -INT "$pg" 2>/dev/null || true
  wait || true
}
trap 'stop; exit 0' TERM INT

if [[ ! -f $data/PG_VERSION ]]; then
  "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
fi
# As the native stack: TCP on loopback only (no socket directory), commits not waited for on
# disk; and no fsync at all, since the cluster lives and dies with the container.
"$bin/postgres" -D "$data" -h 127.0.0.1 -p "$pg_port" -k "" -c synchronous_commit=off \
  -c fsync=off -c max_connections=200 -c log_min_messages=warning &
pg=$!
until "$bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" -U postgres; do
  kill -0 "$pg" 2>/dev/null || { echo "PostgreSQL exited before it was ready" >&2; exit 1; }
  sleep 0.2
done
"$bin/psql" -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
  -f /usr/local/share/ferretdb/ferretdb-indexes.sql >/dev/null
/usr/local/bin/ferretdb -listen "127.0.0.1:$ferretdb_port" \
  -postgresql-url "postgres://postgres@127.0.0.1:$pg_port/postgres" &
ferretdb=$!
status=0
wait -n || status=$?
echo "FerretDB or PostgreSQL exited (status $status): stopping both" >&2
stop
exit $((status == 0 ? 1 : status))
