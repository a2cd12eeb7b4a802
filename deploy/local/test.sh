#!/usr/bin/env bash
# `make test`: install what is missing, start what the tests need, lint, run every
# test against the real stack, then stop only what this run started.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
STACK="$HERE/stack.sh"

"$STACK" install
before="$("$STACK" running)"
cleanup() {
  local started=()
  for n in $("$STACK" running); do grep -qx "$n" <<<"$before" || started+=("$n"); done
  # services first, infra last
  local order=() n
  for n in "${started[@]}"; do [[ $n == kafka || $n == ferretdb || $n == sockudo ]] || order+=("$n"); done
  for n in "${started[@]}"; do [[ $n == kafka || $n == ferretdb || $n == sockudo ]] && order+=("$n"); done
  ((${#order[@]})) && "$STACK" stop-only "${order[@]}"
  true
}
trap cleanup EXIT

make -C "$ROOT" --no-print-directory lint
"$STACK" start all
source "$HERE/env.sh"
cd "$ROOT"
.venv/bin/pytest "$@"
