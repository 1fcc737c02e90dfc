#!/usr/bin/env bash
# Local infrastructure without Docker: PostgreSQL, Kafka (KRaft), Jaeger (traces) and Prometheus (metrics + alert
# rules). Every piece installs itself on first use; later runs reuse .cache/ and running processes.
# Usage: scripts/stack/infra.sh up|down|status
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

up() {
  # Building Jaeger on a cold Go module cache takes minutes, mostly downloads and compiling; run it beside the
  # PostgreSQL/Kafka provisioning (network and apt bound) instead of after it. A warm cache returns at once.
  local jlog; jlog="$(mktemp)"
  bash "$DIR/jaeger.sh" provision >"$jlog" 2>&1 &
  local jpid=$!
  bash "$DIR/postgres.sh" start
  bash "$DIR/kafka.sh" start
  if ! wait "$jpid"; then cat "$jlog"; rm -f "$jlog"; echo "[jaeger] provisioning failed" >&2; exit 1; fi
  cat "$jlog"; rm -f "$jlog"
  bash "$DIR/jaeger.sh" start
  bash "$DIR/prometheus.sh" start
}

case "${1:-status}" in
  up) up ;;
  down) bash "$DIR/prometheus.sh" stop; bash "$DIR/jaeger.sh" stop; bash "$DIR/kafka.sh" stop; bash "$DIR/postgres.sh" stop ;;
  status) for s in postgres kafka jaeger prometheus; do bash "$DIR/$s.sh" status || true; done ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
