# Shared helpers for the project's scripts. Source it: `. "$(dirname "$0")/lib/common.sh"`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export ROOT
RUN_DIR="$ROOT/.cache/run"
mkdir -p "$RUN_DIR"
export NX_DAEMON="${NX_DAEMON:-false}" NX_NO_CLOUD=true NX_TUI=false

log() { printf '\033[1;34m[ksef-bridge]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[ksef-bridge] %s\033[0m\n' "$*" >&2; exit 1; }

# Installs npm dependencies when node_modules is missing or older than the lockfile.
# `npm install`, not `npm ci`: lockfiles made here lack other platforms' optional packages.
ensure_node_modules() {
  command -v node >/dev/null || die "Node.js 20 is required (node not found)"
  local major; major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$major" -ge 20 ] || die "Node.js >= 20 is required, found $(node -v)"
  if [ ! -d "$ROOT/node_modules" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    log "installing npm dependencies"
    (cd "$ROOT" && npm install --no-audit --no-fund --loglevel=error)
  fi
}

# Waits until an HTTP URL answers 2xx, or fails after $2 seconds.
wait_http() {
  local url="$1" timeout="${2:-60}" i=0
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    i=$((i + 1)); [ "$i" -lt "$((timeout * 2))" ] || return 1
    sleep 0.5
  done
}
