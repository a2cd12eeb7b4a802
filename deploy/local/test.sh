#!/usr/bin/env bash
# `make test`: install what is missing, start what the tests need, lint, run every
# test against the real stack, then stop only what this run started.
# `test.sh --chaos [args]` (make chaos) runs the chaos suite instead of lint and tests.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
STACK="$HERE/stack.sh"
# shellcheck source=deploy/containers/engine.sh
source "$ROOT/deploy/containers/engine.sh"

# Kafka, MongoDB and Sockudo come from the native launcher (the default), or from containers
# (deploy/local/containers.py) with LSG_STACK=containers, or when the native install fails,
# LSG_STACK is unset and a Docker engine answers. Containers run on a Docker engine with the
# official images, else on podman with images built here (deploy/containers/engine.sh).
mode=native
if [[ ${LSG_STACK:-} == containers ]]; then
  mode=containers
elif ! "$STACK" install; then
  [[ -z ${LSG_STACK:-} ]] && docker info >/dev/null 2>&1 || exit 1
  echo "[test] native install failed and a Docker engine answers: using containers" >&2
  mode=containers
fi
before="$("$STACK" running)"
containers_pid=""
cleanup() {
  local started=()
  for n in $("$STACK" running); do grep -qx "$n" <<<"$before" || started+=("$n"); done
  # services first, then infra in dependency order (FerretDB before its PostgreSQL)
  local infra=(sockudo ferretdb postgres kafka) order=() n
  for n in "${started[@]}"; do [[ " ${infra[*]} " == *" $n "* ]] || order+=("$n"); done
  for n in "${infra[@]}"; do [[ " ${started[*]} " == *" $n "* ]] && order+=("$n"); done
  ((${#order[@]})) && "$STACK" stop-only "${order[@]}"
  if [[ -n $containers_pid ]]; then
    kill -TERM "$containers_pid" 2>/dev/null || true # (it may have exited already)
    wait "$containers_pid" || true
  fi
  engine_stop
}
trap cleanup EXIT

start_containers() {
  local env_file="$HERE/var/containers.env" line key
  "$STACK" install-python
  engine_start
  # Without a registry: the base stand-in and the infrastructure images, built once.
  [[ $ENGINE == docker ]] || "$ROOT/deploy/containers/images.sh" infra
  mkdir -p "$HERE/var" && rm -f "$env_file"
  # env.sh in a subshell: the Sockudo container gets the services' Pusher credentials.
  (source "$HERE/env.sh" && exec "$ROOT/.venv/bin/python" "$HERE/containers.py" --env-file "$env_file") &
  containers_pid=$!
  until [[ -f $env_file ]]; do
    kill -0 "$containers_pid" 2>/dev/null || { echo "[test] containers.py exited" >&2; exit 1; }
    sleep 1
  done
  # Explicit URLs in the environment win, as in env.sh.
  while IFS= read -r line; do
    key="${line%%=*}"
    [[ -n ${!key:-} ]] || eval "export $line"
  done <"$env_file"
}

chaos=""
if [[ ${1:-} == --chaos ]]; then chaos=yes; shift; fi
if [[ -z $chaos ]]; then
  make -C "$ROOT" --no-print-directory lint
  # The live page's own logic (goal ordering, dedupe) under node's test runner.
  (cd "$ROOT/apps/live" && node --test --test-reporter=dot test/)
fi
if [[ $mode == containers ]]; then
  start_containers
  "$STACK" start services
else
  "$STACK" start all
fi
source "$HERE/env.sh"
cd "$ROOT"
run_chaos() { (cd tests && ../.venv/bin/python -m journeys.chaos "$@"); }
if [[ -n $chaos ]]; then run_chaos "$@"; exit; fi
# As `make unit`: the test modules' rewritten bytecode is kept for the next run.
PYTHONDONTWRITEBYTECODE= .venv/bin/pytest "$@"
