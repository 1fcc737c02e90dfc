#!/usr/bin/env bash
# Local infrastructure without Docker: Kafka (KRaft) and PostgreSQL, plus the project's topics.
# Usage: scripts/stack/infra.sh up|down|status
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
case "${1:-status}" in
  up) bash "$DIR/postgres.sh" start; bash "$DIR/kafka.sh" start ;;
  down) bash "$DIR/kafka.sh" stop; bash "$DIR/postgres.sh" stop ;;
  status) bash "$DIR/postgres.sh" status || true; bash "$DIR/kafka.sh" status || true ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
