#!/usr/bin/env bash
# The local stack: real Kafka (KRaft), FerretDB on PostgreSQL, and Sockudo on loopback,
# plus the wallet sandbox and the four services. Installs on first use from the
# package registries; every command is idempotent.
#
#   deploy/local/stack.sh install|start|stop|status [infra|services|all]
#   deploy/local/stack.sh stop-only|start-only <component>...   (kafka, ferretdb, goal-service.worker, ...)
#
# `start services` also starts the dev login and the gateway (nginx) in front of the APIs,
# which serves the live page (apps/live, built with npm).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=deploy/local/env.sh
source "$HERE/env.sh"

VAR="$HERE/var"
CACHE="${LSG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/livestream-goals}"
PY="$ROOT/.venv/bin/python"

# shellcheck source=deploy/local/versions.sh
source "$HERE/versions.sh"
KAFKA_LIBS="$CACHE/kafka-$KAFKA_VERSION/libs"
# Keyed by our Go main too, so a changed main is rebuilt rather than a stale binary reused.
FERRETDB_BIN="$CACHE/ferretdb-$FERRETDB_VERSION-$(cat "$HERE/ferretdb/"{main.go,go.mod,go.sum} | sha1sum | cut -c1-10)/ferretdb"
# Sockudo's crate sets no release profile, so cargo's default (opt-level 3, LTO within each
# crate) took ~9 minutes of both cores. opt-level 1 still inlines and folds the layers
# (tokio, serde, hyper) that leave an unoptimised server slow, for a quarter less CPU (most
# of the rest is type checking, build scripts and aws-lc's C, which opt-level barely moves);
# no LTO at all. The settings are part of the binary's cache key: a binary built otherwise
# (a checkout before this change shares the cache) is never taken for this one.
SOCKUDO_PROFILE=(CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_LTO=off
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_DEBUG=false
  CARGO_PROFILE_RELEASE_INCREMENTAL=false)
SOCKUDO_ROOT="$CACHE/sockudo-$SOCKUDO_VERSION-$(printf '%s\n' "${SOCKUDO_PROFILE[@]}" | sha1sum | cut -c1-10)"
SOCKUDO_BIN="$SOCKUDO_ROOT/bin/sockudo"
UV="$CACHE/uv-$UV_VERSION/bin/uv"
# shellcheck source=deploy/local/progress.sh
source "$HERE/progress.sh"

# LSG_WORKERS worker processes per service (one consumer group each): goal-service.worker,
# goal-service.worker-2, ... Kafka spreads the partitions (6 per topic) between them.
LSG_WORKERS="${LSG_WORKERS:-1}"
SERVICES=(wallet-sandbox)
for svc in goal-service session-service wallet-adapter notifier; do
  SERVICES+=("$svc.api" "$svc.worker")
  for ((k = 2; k <= LSG_WORKERS; k++)); do SERVICES+=("$svc.worker-$k"); done
done
SERVICES+=(dev-login)
WEB="$ROOT/apps/live"
NGINX=/usr/sbin/nginx

log() { printf '[stack] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

pidfile() { echo "$VAR/run/$1.pid"; }
running() { # a killed process not yet reaped (a zombie) is not running
  local f pid; f="$(pidfile "$1")"
  [[ -f "$f" ]] && pid="$(cat "$f")" && kill -0 "$pid" 2>/dev/null &&
    [[ "$(ps -o stat= -p "$pid" 2>/dev/null)" != Z* ]]
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() { # name seconds command...
  local name="$1" secs="$2"; shift 2
  local deadline=$((SECONDS + secs))
  until "$@"; do
    if ! running "$name"; then
      log "$name exited; last log lines:"; tail -n 30 "$VAR/log/$name.log" >&2 || true; return 1
    fi
    ((SECONDS < deadline)) || { log "$name not ready after ${secs}s"; tail -n 30 "$VAR/log/$name.log" >&2; return 1; }
    sleep 0.2
  done
}

http_ok() { curl -fs -o /dev/null --max-time 2 "$1"; }

# ---------------------------------------------------------------- install
# uv, pinned, installed once into the cache: every later command finds it there.
install_uv() {
  [[ -x "$UV" ]] && return
  local dir="${UV%/bin/uv}"
  rm -rf "$dir.partial"
  long_step "installing uv $UV_VERSION into the cache (once)" "$VAR/log/install-uv.log" \
    python3 -m pip install --disable-pip-version-check --no-warn-script-location --progress-bar off \
    --target "$dir.partial" "uv==$UV_VERSION"
  rm -rf "$dir" && mv "$dir.partial" "$dir"
}

# .venv is exactly uv.lock (every group; the workspace packages editable), refreshed when
# the lock changed since the last sync. Every module is compiled to bytecode here, once: the
# machines set PYTHONDONTWRITEBYTECODE, so otherwise each service process and test run
# compiled its ~4,000 modules again at start. (The stamp's name changed with that, so a .venv
# synced without bytecode is synced once more.)
install_python() {
  install_uv
  [[ -x "$PY" ]] && cmp -s "$ROOT/uv.lock" "$ROOT/.venv/.uv.lock.compiled" && return
  long_step "installing Python dependencies into .venv (uv sync --frozen --compile-bytecode)" \
    "$VAR/log/install-python.log" env -u PYTHONPYCACHEPREFIX \
    "$UV" sync --frozen --all-groups --compile-bytecode --python 3.11 --project "$ROOT"
  compile_workspace
  rm -rf "$ROOT/.venv/pycache" "$ROOT/.venv/.uv.lock" # the bytecode cache and stamp of before
  cp "$ROOT/uv.lock" "$ROOT/.venv/.uv.lock.compiled"
}

# The workspace packages are editable: their sources stay in the checkout, outside what uv
# compiles. A module edited later is compiled again at import, as Python does for a stale .pyc.
compile_workspace() {
  env -u PYTHONPYCACHEPREFIX "$PY" - "$ROOT" <<'EOF' || die "compiling the workspace packages failed"
import compileall, sys
root = sys.argv[1] + "/"
dirs = [p for p in sys.path if p.startswith(root) and "/.venv/" not in p]
sys.exit(0 if all(compileall.compile_dir(d, quiet=1, workers=0) for d in dirs) else 1)
EOF
}

install_kafka() {
  [[ -f "$KAFKA_LIBS/kafka_2.13-$KAFKA_VERSION.jar" ]] && return
  command -v mvn >/dev/null || die "Maven is needed to fetch Kafka"
  long_step "fetching Kafka $KAFKA_VERSION from Maven Central" "$VAR/log/install-kafka.log" \
    mvn -B -f "$HERE/kafka/pom.xml" package -Dkafka.version="$KAFKA_VERSION" \
    -Dkafka.libs="$KAFKA_LIBS.partial"
  rm -rf "$KAFKA_LIBS" && mv "$KAFKA_LIBS.partial" "$KAFKA_LIBS"
  rm -rf "$HERE/kafka/target"
}

install_ferretdb() {
  [[ -x "$FERRETDB_BIN" ]] && return
  command -v go >/dev/null || die "Go is needed to build FerretDB"
  mkdir -p "$(dirname "$FERRETDB_BIN")"
  # -v names each package as it is compiled: the heartbeat shows how far the build is.
  (cd "$HERE/ferretdb" && long_step \
    "building FerretDB $FERRETDB_VERSION from the Go module proxy" "$VAR/log/install-ferretdb.log" \
    env CGO_ENABLED=0 go build -v -trimpath -o "$FERRETDB_BIN.partial" .)
  mv "$FERRETDB_BIN.partial" "$FERRETDB_BIN"
}

pg_bindir() { # the newest installed PostgreSQL server's bin directory, or nothing
  local d; d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [[ -x "$d/initdb" ]] && echo "$d"; true
}

install_postgres() {
  [[ -n "$(pg_bindir)" ]] && return
  log "installing PostgreSQL (Debian package postgresql), FerretDB's backend"
  apt_install postgresql
  [[ -n "$(pg_bindir)" ]] || die "PostgreSQL's initdb not found after installing postgresql"
}

install_sockudo() {
  [[ -x "$SOCKUDO_BIN" ]] && return
  command -v cargo >/dev/null || die "Rust (cargo) is needed to build Sockudo"
  if ! command -v protoc >/dev/null; then
    log "installing protoc (Debian package protobuf-compiler), needed by Sockudo's build"
    apt_install protobuf-compiler
  fi
  # cargo's progress bar (N/M crates) goes to the log even though it is no terminal.
  long_step "building Sockudo $SOCKUDO_VERSION with cargo (local adapter only, opt-level 1; once)" \
    "$VAR/log/install-sockudo.log" env CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE/cargo-target}" \
    "${SOCKUDO_PROFILE[@]}" CARGO_TERM_PROGRESS_WHEN=always CARGO_TERM_PROGRESS_WIDTH=110 \
    cargo install sockudo --version "$SOCKUDO_VERSION" \
    --locked --no-default-features --features local --root "$SOCKUDO_ROOT"
}

apt_install() { # package... (Debian's packages, without their recommends)
  long_step "installing $* from Debian's packages" "$VAR/log/install-apt.log" apt_get "$@"
}

apt_get() {
  local sudo=(); [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

# The gateway is Debian's nginx; the browser test drives Debian's chromium (Playwright's own
# browser download is never used); promtool comes with Debian's prometheus.
install_system() {
  [[ -x $NGINX ]] || apt_install nginx
  command -v chromium >/dev/null || apt_install chromium
  command -v npm >/dev/null || apt_install nodejs npm
  if ! command -v promtool >/dev/null; then
    apt_install prometheus
    command -v promtool >/dev/null || die "promtool not found after installing Debian's prometheus (the alert rules test needs it)"
  fi
}

# The live page: npm ci from the committed lock when it changed, then an esbuild bundle.
install_web() {
  if ! cmp -s "$WEB/package-lock.json" "$WEB/node_modules/.package-lock.json.installed"; then
    (cd "$WEB" && long_step "installing the live page's npm packages (npm ci)" \
      "$VAR/log/install-npm.log" npm ci --no-audit --no-fund --loglevel=http)
    cp "$WEB/package-lock.json" "$WEB/node_modules/.package-lock.json.installed"
  fi
  (cd "$WEB" && node build.mjs >/dev/null)
}

install_all() { install_python; install_kafka; install_postgres; install_ferretdb; install_sockudo; install_system; install_web; }

# ---------------------------------------------------------------- start
spawn() { # name logfile command...
  local name="$1"; shift
  mkdir -p "$VAR/run" "$VAR/log"
  running "$name" && return 0
  setsid "$@" >>"$VAR/log/$name.log" 2>&1 < /dev/null &
  echo $! > "$(pidfile "$name")"
}

start_kafka() {
  running kafka && return
  spawn kafka "$HERE/kafka/run.sh" "$KAFKA_LIBS" "$VAR/conf/kafka" "$VAR/data/kafka" \
    "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"
}

# PostgreSQL refuses to run as root: as root, the cluster belongs to an unprivileged user.
pg_user() {
  if [[ $(id -u) -ne 0 ]]; then id -un
  elif id postgres >/dev/null 2>&1; then echo postgres
  else echo nobody; fi
}

pg_run() { # the prefix that runs a command as pg_user (setpriv execs: pid files stay right)
  [[ $(id -u) -eq 0 ]] && echo setpriv --reuid="$(pg_user)" --regid="$(id -g "$(pg_user)")" --init-groups --
  true
}

start_postgres() {
  local data="$VAR/data/postgres" bin; bin="$(pg_bindir)"
  running postgres && return
  mkdir -p "$data"
  [[ $(id -u) -eq 0 ]] && chown "$(pg_user)" "$data" && chmod 700 "$data"
  if [[ ! -f "$data/PG_VERSION" ]]; then
    log "creating the PostgreSQL cluster"
    $(pg_run) "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
  fi
  # TCP on loopback only (no socket directory to share with other clusters); commits are not
  # waited for on disk: a local stack may lose its last writes on a power cut, never corrupt.
  # shellcheck disable=SC2046
  spawn postgres $(pg_run) "$bin/postgres" -D "$data" -h 127.0.0.1 -p "$POSTGRES_PORT" -k "" \
    -c synchronous_commit=off -c max_connections=200 -c log_min_messages=warning
}

pg_ready() { "$(pg_bindir)/pg_isready" -q -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres; }

# Lets FerretDB's pushed-down equality filters use the indexes the services create (see file).
pg_index_trigger() {
  "$(pg_bindir)/psql" -q -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres -d postgres \
    -v ON_ERROR_STOP=1 -f "$HERE/postgres/ferretdb-indexes.sql" >/dev/null
}

start_ferretdb() {
  spawn ferretdb "$FERRETDB_BIN" -listen "127.0.0.1:$FERRETDB_PORT" \
    -postgresql-url "postgres://postgres@127.0.0.1:$POSTGRES_PORT/postgres"
}

start_sockudo() {
  mkdir -p "$VAR/data/sockudo"
  cd "$VAR/data/sockudo"
  local env; mapfile -t env < <(sockudo_env)
  spawn sockudo env "${env[@]}" "$SOCKUDO_BIN"
  cd - >/dev/null
}

start_infra() {
  install_kafka; install_postgres; install_ferretdb; install_sockudo
  local t=$SECONDS
  start_kafka; start_postgres; start_sockudo
  wait_for postgres 60 pg_ready
  pg_index_trigger
  start_ferretdb
  wait_for ferretdb 30 port_open "$FERRETDB_PORT"
  wait_for sockudo 30 http_ok "http://127.0.0.1:$SOCKUDO_PORT/up/$PUSHER_APP_ID"
  # A JVM under load (a shared 2-core machine) can take minutes; a dead one fails at once.
  wait_for kafka 240 port_open "$KAFKA_PORT"
  install_python
  "$PY" -m service_kit.admin ensure-topics --timeout 90
  log "infra ready in $((SECONDS - t))s (kafka :$KAFKA_PORT, ferretdb :$FERRETDB_PORT on postgres :$POSTGRES_PORT, sockudo :$SOCKUDO_PORT)"
}

service_cmd() { # name -> command line
  case "$1" in
    wallet-sandbox) echo "$PY -m wallet_sandbox" ;;
    dev-login) echo "$PY -m dev_login" ;;
    *.api) echo "$PY -m $(tr - _ <<<"${1%.*}") api" ;;
    *.worker|*.worker-*) echo "$PY -m $(tr - _ <<<"${1%.*}") worker" ;;
  esac
}

service_ready_url() {
  local svc="${1%.*}" kind="${1##*.}" port
  case "$1" in
    wallet-sandbox) echo "http://127.0.0.1:$WALLET_SANDBOX_PORT/healthz"; return ;;
    dev-login) echo "http://127.0.0.1:$DEV_LOGIN_PORT/healthz"; return ;;
  esac
  if [[ $kind == api ]]; then port=$(service_port "$svc" api); else port=$(service_port "$svc" "$kind"); fi
  echo "http://127.0.0.1:$port/readyz"
}

start_services() {
  install_python
  # Idempotent; needed when Kafka came from elsewhere (KAFKA_BOOTSTRAP_SERVERS) with no topics.
  "$PY" -m service_kit.admin ensure-topics --timeout 90
  local t=$SECONDS name
  start_traces
  for name in "${SERVICES[@]}"; do
    # shellcheck disable=SC2046
    ( export $(service_env "$name"); spawn "$name" $(service_cmd "$name") )
  done
  for name in "${SERVICES[@]}"; do
    wait_for "$name" 90 http_ok "$(service_ready_url "$name")"
  done
  log "services ready in $((SECONDS - t))s"
  start_gateway
}

# The services export their spans here (OTEL_EXPORTER_OTLP_ENDPOINT in env.sh).
start_traces() {
  spawn traces "$PY" "$HERE/traces/receiver.py" --port "$TRACES_PORT"
  wait_for traces 20 http_ok "http://127.0.0.1:$TRACES_PORT/healthz"
  log "traces: http://127.0.0.1:$TRACES_PORT/traces"
}

start_gateway() {
  local conf="$VAR/conf/gateway" user=""
  install_system; install_web
  mkdir -p "$conf" "$VAR/data/gateway" "$VAR/log" "$VAR/run"
  # As root nginx would hand its workers to `nobody`, who may not read the checkout.
  [[ $(id -u) -eq 0 ]] && user="user root;"
  sed -e "s|@VAR@|$VAR|g" -e "s|@USER@|$user|" -e "s|@WEB_ROOT@|$WEB/dist|" \
    -e "s|@GATEWAY_PORT@|$GATEWAY_PORT|" -e "s|@DEV_LOGIN_PORT@|$DEV_LOGIN_PORT|" \
    -e "s|@SOCKUDO_PORT@|$SOCKUDO_PORT|" -e "s|@GOAL_PORT@|$(service_port goal-service api)|" \
    -e "s|@SESSION_PORT@|$(service_port session-service api)|" \
    -e "s|@WALLET_PORT@|$(service_port wallet-adapter api)|" \
    -e "s|@NOTIFIER_PORT@|$(service_port notifier api)|" "$HERE/gateway/nginx.conf" > "$conf/nginx.conf"
  spawn gateway "$NGINX" -e "$VAR/log/gateway.log" -p "$VAR" -c "$conf/nginx.conf"
  wait_for gateway 20 http_ok "http://127.0.0.1:$GATEWAY_PORT/index.html"
  log "live page: http://127.0.0.1:$GATEWAY_PORT/"
}

start_one() { # one component, back after a stop (the chaos suite's restarts)
  case "$1" in
    kafka) start_kafka; wait_for kafka 240 port_open "$KAFKA_PORT" ;; # as `start infra`: a loaded machine needs it
    postgres) start_postgres; wait_for postgres 60 pg_ready ;;
    ferretdb) start_ferretdb; wait_for ferretdb 30 port_open "$FERRETDB_PORT" ;;
    sockudo) start_sockudo; wait_for sockudo 30 http_ok "http://127.0.0.1:$SOCKUDO_PORT/up/$PUSHER_APP_ID" ;;
    *) service_cmd "$1" | grep -q . || die "unknown component $1"
      # shellcheck disable=SC2046
      ( export $(service_env "$1"); spawn "$1" $(service_cmd "$1") )
      wait_for "$1" 90 http_ok "$(service_ready_url "$1")" ;;
  esac
}

# ---------------------------------------------------------------- stop/status
stop_one() {
  # PostgreSQL's SIGTERM waits for its clients to leave; SIGINT (fast shutdown) does not.
  local name="$1" f pid sig=TERM
  [[ $name == postgres ]] && sig=INT
  f="$(pidfile "$name")"
  [[ -f "$f" ]] || return 0
  pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -"$sig" -- "-$pid" 2>/dev/null || kill -"$sig" "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && { log "$name did not stop in 30s; killing"; kill -KILL -- "-$pid" 2>/dev/null || true; }
  fi
  rm -f "$f"
}

# Every service process with a pid file, including extra workers started with a larger LSG_WORKERS.
known_services() {
  local f n; printf '%s\n' "${SERVICES[@]}"
  for f in "$VAR"/run/*.worker-*.pid; do
    [[ -e $f ]] || continue; n="$(basename "$f" .pid)"
    [[ " ${SERVICES[*]} " == *" $n "* ]] || echo "$n"
  done
}

stop_services() {
  # In reverse of the start: the wallet sandbox last, so a worker stopping with wallet calls
  # in flight (a settlement, a refund) still reaches it and finishes them.
  local n; stop_one gateway; for n in $(known_services | tac); do stop_one "$n"; done; stop_one traces
}
stop_infra() { stop_one sockudo; stop_one ferretdb; stop_one postgres; stop_one kafka; }

status() {
  local n
  for n in kafka postgres ferretdb sockudo traces $(known_services) gateway; do
    if running "$n"; then
      printf '%-24s running  pid %-7s rss %s KiB\n' "$n" "$(cat "$(pidfile "$n")")" \
        "$(ps -o rss= -p "$(cat "$(pidfile "$n")")" | tr -d ' ')"
    else printf '%-24s stopped\n' "$n"; fi
  done
}

running_list() {
  local n
  for n in kafka postgres ferretdb sockudo traces $(known_services) gateway; do running "$n" && echo "$n"; done; true
}

cmd="${1:-status}" what="${2:-all}"
case "$cmd:$what" in
  install:*) install_all ;;
  install-python:*) install_python ;;
  uv:*) shift; install_uv; exec "$UV" --project "$ROOT" "$@" ;;
  binaries:*) printf '%s\n' "KAFKA_LIBS=$KAFKA_LIBS" "FERRETDB_BIN=$FERRETDB_BIN" "SOCKUDO_BIN=$SOCKUDO_BIN" ;;
  start:infra) start_infra ;;
  start:services) start_services ;;
  start:all) start_infra; start_services ;;
  stop:services) stop_services ;;
  stop:infra) stop_infra ;;
  stop:all) stop_services; stop_infra ;;
  status:*) status ;;
  running:*) running_list ;;
  stop-only:*) shift; for n in "$@"; do stop_one "$n"; done ;;
  start-only:*) shift; for n in "$@"; do start_one "$n"; done ;;
  reset:*) stop_services; stop_infra; rm -rf "$VAR" ;;
  *) die "usage: $0 install|start|stop|status|reset [infra|services|all]" ;;
esac
