#!/usr/bin/env bash
# Runs one benchmark from TypeScript sources against the local stack; results go to bench/results/<name>.json.
# Usage: bash bench/run.sh <name>   (bench/<name>.bench.ts), e.g. `bash bench/run.sh outbox`
. "$(dirname "$0")/../scripts/lib/common.sh"
cd "$ROOT"
name="${1:?usage: bench/run.sh <name>}"
[ -f "bench/$name.bench.ts" ] || die "no bench/$name.bench.ts"
ensure_node_modules
bash scripts/stack/infra.sh up >/dev/null
exec node -r ./tools/ts-run/register.js "bench/$name.bench.ts"
