#!/usr/bin/env bash
# Check every deployment artefact offline: generated files current, every Kustomize target
# rendered (kustomize pinned in kustomize.sh, built once from the Go module proxy) and
# validated strictly, Dockerfiles, compose and observability inspected, and broken copies
# shown to fail. Part of `make test` (pytest collects deploy/tests); runnable on its own:
#   deploy/k8s/check.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PY="${PY:-$ROOT/.venv/bin/python}"
"$ROOT/deploy/k8s/kustomize.sh" --path >/dev/null
"$PY" "$ROOT/deploy/k8s/generate.py" --check
"$PY" "$ROOT/deploy/k8s/check_manifests.py"
"$PY" -m pytest -q -p no:cacheprovider "$ROOT/deploy/tests" "$@"
