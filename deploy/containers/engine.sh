# Sourced: picks the container engine and makes its Docker-compatible API answer.
#   engine_start   sets ENGINE (docker|podman) and DOCKER_HOST; starts podman's API service if needed
#   engine_stop    stops the API service only if engine_start started it
# A Docker engine that answers wins (official base and infrastructure images, pulled);
# otherwise Debian's podman serves the same API, and every image is built here.
ENGINE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ENGINE_VAR="$(dirname "$ENGINE_DIR")/local/var"
ENGINE_SOCKET="$ENGINE_VAR/run/podman.sock"
ENGINE_STARTED=""

engine_is_podman() { # does the Docker API at DOCKER_HOST belong to podman?
  docker version --format '{{range .Server.Components}}{{.Name}} {{end}}' 2>/dev/null | grep -q Podman
}

engine_ping() { curl -fs -o /dev/null --max-time 2 --unix-socket "$ENGINE_SOCKET" http://engine/_ping; }

engine_install() { # Debian's podman, runc and debootstrap (no Docker engine answered)
  local sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  command -v apt-get >/dev/null || {
    echo "no container engine: install Docker, or podman, runc and debootstrap" >&2
    return 1
  }
  echo "[engine] installing podman, runc and debootstrap (Debian packages)" >&2
  "${sudo[@]}" apt-get update -qq && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq podman runc debootstrap >/dev/null
}

engine_start() {
  if [[ ${DOCKER_HOST:-} != "unix://$ENGINE_SOCKET" ]] && command -v docker >/dev/null \
    && docker info >/dev/null 2>&1 && ! engine_is_podman; then
    ENGINE=docker
    export ENGINE LSG_IMAGES=official
    return
  fi
  command -v podman >/dev/null && command -v debootstrap >/dev/null || engine_install || return 1
  ENGINE=podman
  export ENGINE LSG_IMAGES=local CONTAINERS_CONF="$ENGINE_DIR/containers.conf"
  export DOCKER_HOST="unix://$ENGINE_SOCKET" TESTCONTAINERS_RYUK_DISABLED=true
  engine_ping && return
  mkdir -p "$ENGINE_VAR/run" "$ENGINE_VAR/log"
  rm -f "$ENGINE_SOCKET"
  setsid podman system service --time=0 "$DOCKER_HOST" >>"$ENGINE_VAR/log/podman.log" 2>&1 </dev/null &
  ENGINE_STARTED=$!
  echo "$ENGINE_STARTED" >"$ENGINE_VAR/run/podman.pid"
  local deadline=$((SECONDS + 30))
  until engine_ping; do
    ((SECONDS < deadline)) || { echo "podman's API did not answer in 30s" >&2; return 1; }
    sleep 0.2
  done
}

engine_stop() {
  [[ -n $ENGINE_STARTED ]] || return 0
  kill -TERM "$ENGINE_STARTED" 2>/dev/null && wait "$ENGINE_STARTED" 2>/dev/null
  rm -f "$ENGINE_VAR/run/podman.pid"
  ENGINE_STARTED=""
}
