#!/usr/bin/env bash
# Run a pinned kustomize, built once from the Go module proxy into the project's cache.
#   deploy/k8s/kustomize.sh build deploy/k8s/overlays/prod
#   deploy/k8s/kustomize.sh --path    (print the binary's path, installing it if needed)
set -euo pipefail

VERSION=v5.8.1
CACHE="${LSG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/livestream-goals}"
BIN="$CACHE/kustomize-$VERSION/kustomize"

if [[ ! -x "$BIN" ]]; then
  command -v go >/dev/null || { echo "kustomize.sh: Go is needed to build kustomize" >&2; exit 1; }
  log() { echo "kustomize.sh: $*" >&2; }
  # shellcheck source=deploy/local/progress.sh
  source "$(dirname "${BASH_SOURCE[0]}")/../local/progress.sh"
  mkdir -p "$CACHE"
  tmp="$(mktemp -d "$CACHE/kustomize-build.XXXXXX")"
  trap 'rm -rf "$tmp" "$tmp.log"' EXIT
  # Build outside any module so the repository's files play no part; rename is atomic, so
  # two runs racing here both end with a whole binary.
  (cd "$tmp" && long_step "building kustomize $VERSION" "$tmp.log" \
    env GOBIN="$tmp" CGO_ENABLED=0 go install -v "sigs.k8s.io/kustomize/kustomize/v5@$VERSION")
  mkdir -p "$(dirname "$BIN")"
  mv -f "$tmp/kustomize" "$BIN"
fi

if [[ "${1:-}" == --path ]]; then echo "$BIN"; exit 0; fi
exec "$BIN" "$@"
