#!/usr/bin/env bash
# Stops every service, then the infrastructure. Data (Kafka log dirs, PostgreSQL) is kept; see README to reset.
. "$(dirname "$0")/lib/common.sh"
cd "$ROOT"
bash scripts/apps.sh stop
bash scripts/stack/infra.sh down
