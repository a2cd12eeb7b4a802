#!/usr/bin/env bash
# Container images of the project, built one at a time (2 cores are shared).
#
#   deploy/containers/images.sh base       the base image stand-in (podman only; cached)
#   deploy/containers/images.sh services   the four service images and the wallet sandbox
#   deploy/containers/images.sh infra      Kafka, FerretDB on PostgreSQL and Sockudo (podman only)
#   deploy/containers/images.sh check      run each api and worker image against the native stack
#   deploy/containers/images.sh compose    compose.yaml's own services, the same way (podman only)
#   deploy/containers/images.sh all        base, services, check, compose (`make images`)
#
# With a Docker engine the Dockerfiles' official base image is pulled; with podman (no
# registry reachable) the base is made from Debian's packages and tagged with the same name.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=deploy/local/env.sh
source "$ROOT/deploy/local/env.sh"
# shellcheck source=deploy/containers/engine.sh
source "$HERE/engine.sh"
# shellcheck source=deploy/local/versions.sh
source "$ROOT/deploy/local/versions.sh"

DEBIAN_IMAGE=livestream-goals/debian:bookworm
# The name the Dockerfiles' PYTHON_IMAGE defaults to, so they build unchanged.
PYTHON_IMAGE=docker.io/library/python:3.11-slim-bookworm
TAG="${LSG_IMAGE_TAG:-dev}"

log() { printf '[images] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
image_exists() { "$ENGINE" image inspect "$1" >/dev/null 2>&1; }

build() { # tag dockerfile context [build options...]
  local tag="$1" file="$2" context="$3" t=$SECONDS; shift 3
  "$ENGINE" build --quiet -t "$tag" -f "$file" "$@" "$context" >/dev/null
  log "built $tag in $((SECONDS - t))s"
}

debian_mirror() { # the host's Debian mirror, else Debian's own
  local uri
  uri="$(sed -n 's/^URIs: *\(\S*\/debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)"
  [[ -n $uri ]] || uri="$(sed -n 's/^deb \(\S*\/debian\) bookworm .*/\1/p' /etc/apt/sources.list 2>/dev/null | head -n1)"
  echo "${uri:-http://deb.debian.org/debian}"
}

import_debian() {
  command -v debootstrap >/dev/null || die "debootstrap is needed (apt-get install debootstrap)"
  local dir t=$SECONDS
  dir="$(mktemp -d "${TMPDIR:-/tmp}/lsg-debian.XXXXXX")"
  log "debootstrap --variant=minbase bookworm (about 1-2 min, once)"
  debootstrap --variant=minbase bookworm "$dir" "$(debian_mirror)" >"$dir.log" 2>&1 \
    || { tail -n 20 "$dir.log" >&2; rm -rf "$dir" "$dir.log"; die "debootstrap failed"; }
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
  tar -C "$dir" -c . | podman import --quiet --change 'CMD ["bash"]' - "$DEBIAN_IMAGE" >/dev/null
  rm -rf "$dir" "$dir.log"
  log "imported $DEBIAN_IMAGE in $((SECONDS - t))s"
}

base() {
  [[ $ENGINE == podman ]] || return 0
  image_exists "$DEBIAN_IMAGE" || import_debian
  build "$PYTHON_IMAGE" "$HERE/python.Dockerfile" "$HERE" --build-arg DEBIAN_IMAGE="$DEBIAN_IMAGE"
}

SOURCES=(services/goal-service services/session-service services/wallet-adapter services/notifier
  deploy/local/wallet-sandbox)

inputs() { # source -> a digest of everything its image is built from
  (cd "$ROOT" && find deploy/containers/Dockerfile requirements.runtime.lock schemas libs/service-kit "$1" \
    -type f ! -path '*/tests/*' ! -path '*/__pycache__/*' ! -name '*.pyc' ! -path '*.egg-info/*' \
    -print0 | sort -z | xargs -0 sha1sum | sha1sum | cut -c1-16)
}

services() { # the project's images, one at a time; they share the dependency layer
  local source tag digest opts=()
  # Debian's pip (the stand-in's) trusts the host's CA bundle, which a TLS-inspecting proxy needs.
  [[ $ENGINE == podman ]] && opts+=(--volume /etc/ssl/certs:/etc/ssl/certs:ro)
  for source in "${SOURCES[@]}"; do
    tag="livestream-goals/${source##*/}:$TAG" digest="$(inputs "$source")"
    # Even a build whose every layer is cached takes tens of seconds on a busy machine.
    if [[ $("$ENGINE" image inspect -f '{{index .Config.Labels "livestream-goals.inputs"}}' "$tag" 2>/dev/null) == "$digest" ]]; then
      log "$tag is up to date"; continue
    fi
    build "$tag" "$HERE/Dockerfile" "$ROOT" "${opts[@]}" --label "livestream-goals.inputs=$digest" \
      --build-arg SOURCE="$source" --build-arg MODULE="$(tr - _ <<<"${source##*/}")"
  done
}

context() { # name files... -> a build context directory holding (hard links to) the files
  local dir="$ENGINE_VAR/images/$1"; shift
  rm -rf "$dir" && mkdir -p "$dir"
  cp -rl "$@" "$dir/" 2>/dev/null || cp -r "$@" "$dir/"
  echo "$dir"
}

infra() { # Kafka, FerretDB on PostgreSQL and Sockudo from what the native stack installs (podman only)
  [[ $ENGINE == podman ]] || return 0
  local stack="$ROOT/deploy/local/stack.sh" KAFKA_LIBS FERRETDB_BIN SOCKUDO_BIN
  "$stack" install
  eval "$("$stack" binaries)"
  build "livestream-goals/kafka:$KAFKA_VERSION" "$HERE/kafka.Dockerfile" \
    "$(context kafka "$KAFKA_LIBS" "$ROOT/deploy/local/kafka")"
  # Tagged -postgresql: its arguments are two ports, no longer the SQLite image's -listen.
  build "livestream-goals/ferretdb:$FERRETDB_VERSION-postgresql" "$HERE/ferretdb.Dockerfile" \
    "$(context ferretdb "$FERRETDB_BIN" "$ROOT/deploy/local/postgres/ferretdb-indexes.sql" \
      "$HERE/ferretdb-start.sh")"
  build "livestream-goals/sockudo:$SOCKUDO_VERSION" "$HERE/sockudo.Dockerfile" \
    "$(context sockudo "$SOCKUDO_BIN")"
}

PROCESSES=(goal-service.api goal-service.worker session-service.api session-service.worker
  wallet-adapter.api wallet-adapter.worker notifier.api notifier.worker wallet-sandbox.api)
STACK_ENV=(KAFKA_BOOTSTRAP_SERVERS MONGODB_URI PUSHER_HOST PUSHER_PORT PUSHER_APP_ID PUSHER_KEY
  PUSHER_SECRET JWT_SECRET WALLET_CALLBACK_SECRET)

check_name() { echo "lsg-check${LSG_PORT_OFFSET}-${1/./-}"; }

run_process() { # process port: start its image as in production (read-only, non-root, no caps)
  local svc="${1%.*}" kind="${1##*.}" port="$2" line args=()
  for line in "${STACK_ENV[@]}"; do args+=(-e "$line"); done
  while IFS= read -r line; do
    # The check gives each container its own HTTP port; no metrics server (METRICS_PORT unset).
    [[ $line == HTTP_PORT=* || $line == WORKER_WEB_PORT=* || $line == METRICS_PORT=* ]] || args+=(-e "$line")
  done < <(service_env "$svc")
  "$ENGINE" run -d --name "$(check_name "$1")" --network host --read-only --tmpfs /tmp \
    --cap-drop ALL --security-opt no-new-privileges "${args[@]}" \
    -e HTTP_PORT="$port" -e WORKER_WEB_PORT="$port" "livestream-goals/$svc:$TAG" "$kind" >/dev/null
}

check_process() { # container process port: ready, not root, root filesystem read-only
  local name="$1" url="http://127.0.0.1:$3/readyz" deadline=$((SECONDS + 120)) uid
  [[ $2 == wallet-sandbox.* ]] && url="http://127.0.0.1:$3/healthz"
  until curl -fs -o /dev/null --max-time 2 "$url"; do
    if ((SECONDS > deadline)) || [[ $("$ENGINE" inspect -f '{{.State.Running}}' "$name") != true ]]; then
      "$ENGINE" logs --tail 30 "$name" >&2; die "$2: not ready at $url"
    fi
    sleep 0.5
  done
  uid="$("$ENGINE" exec "$name" id -u)"
  [[ $uid != 0 ]] || die "$2 runs as root"
  ! "$ENGINE" exec "$name" touch /opt/venv/probe 2>/dev/null || die "$2: root filesystem is writable"
  log "$2 ($name): ready at $url, uid $uid, read-only root"
}

remove_checks() { local p; for p in "${PROCESSES[@]}"; do "$ENGINE" rm -f "$(check_name "$p")" >/dev/null 2>&1 || true; done; }

STACK_BEFORE="" CHECKING=""
check() { # every api and worker image against the native stack's Kafka, FerretDB and Sockudo
  local i t
  STACK_BEFORE="$("$ROOT/deploy/local/stack.sh" running)" CHECKING=1
  "$ROOT/deploy/local/stack.sh" start infra
  remove_checks
  t=$SECONDS
  for i in "${!PROCESSES[@]}"; do run_process "${PROCESSES[$i]}" $((IMAGE_CHECK_PORT + i)); done
  for i in "${!PROCESSES[@]}"; do
    check_process "$(check_name "${PROCESSES[$i]}")" "${PROCESSES[$i]}" $((IMAGE_CHECK_PORT + i))
  done
  log "${#PROCESSES[@]} containers ready and checked in $((SECONDS - t))s"
  remove_checks
}

COMPOSE=()
compose() { # compose.yaml's own services with podman-compose, against the native stack (podman only)
  [[ $ENGINE == podman ]] || return 0
  local i p service t=$SECONDS
  [[ -n $CHECKING ]] || { STACK_BEFORE="$("$ROOT/deploy/local/stack.sh" running)" CHECKING=1; }
  "$ROOT/deploy/local/stack.sh" start infra
  # podman.yaml reads each process's port from LSG_PORT_<PROCESS>: the check ports again.
  for i in "${!PROCESSES[@]}"; do
    p="${PROCESSES[$i]}"
    export "LSG_PORT_$(tr 'a-z.-' 'A-Z__' <<<"$p")=$((IMAGE_CHECK_PORT + i))"
  done
  COMPOSE=("$ROOT/.venv/bin/podman-compose" -p "livestream-goals${LSG_PORT_OFFSET}"
    -f "$ROOT/deploy/compose/compose.yaml" -f "$ROOT/deploy/compose/podman.yaml")
  "${COMPOSE[@]}" up -d >"$ENGINE_VAR/log/compose.log" 2>&1 || { tail -n 30 "$ENGINE_VAR/log/compose.log" >&2; die "compose up failed"; }
  for i in "${!PROCESSES[@]}"; do
    p="${PROCESSES[$i]}"
    service="${p/./-}"
    [[ $p == wallet-sandbox.api ]] && service=wallet-sandbox
    check_process "livestream-goals${LSG_PORT_OFFSET}_${service}_1" "$p" $((IMAGE_CHECK_PORT + i))
  done
  log "compose: ${#PROCESSES[@]} services up and checked in $((SECONDS - t))s"
}

finish() { # remove the check containers, stop what check started, then the engine's API
  [[ -n $CHECKING ]] || { engine_stop; return; }
  remove_checks
  ((${#COMPOSE[@]} == 0)) || "${COMPOSE[@]}" down -v -t 10 >>"$ENGINE_VAR/log/compose.log" 2>&1 || true
  local n started=()
  for n in $("$ROOT/deploy/local/stack.sh" running); do grep -qx "$n" <<<"$STACK_BEFORE" || started+=("$n"); done
  ((${#started[@]} == 0)) || "$ROOT/deploy/local/stack.sh" stop-only "${started[@]}"
  engine_stop
}

engine_start
trap finish EXIT
case "${1:-all}" in
  base) base ;;
  services) base; services ;;
  infra) base; infra ;;
  check) check ;;
  compose) compose ;;
  all) base; services; check; compose ;;
  *) die "usage: $0 base|services|infra|check|all" ;;
esac
