#!/usr/bin/env bash
# Brings the whole system up on local defaults, on a fresh machine, without Docker:
# npm dependencies, Kafka (KRaft, from Maven Central), PostgreSQL 15 (Debian), Jaeger (built from the Go module
# proxy), Prometheus (Debian), topics, migrations, the KSeF simulator and every service; then runs a demo flow.
# Idempotent: a second run reuses caches and running processes. Stop everything with scripts/down.sh.
. "$(dirname "$0")/lib/common.sh"
cd "$ROOT"

ensure_node_modules
log "infrastructure"
bash scripts/stack/infra.sh up

log "building the services"
npx nx run-many -t build --outputStyle=static

log "topics and migrations"
node dist/apps/intake/main.js create-topics
for app in ksef-simulator intake validator sender status-poller notifier; do
  node dist/apps/$app/main.js migrate
done

log "starting the services"
bash scripts/apps.sh start

if [ "${SKIP_DEMO:-0}" != 1 ]; then
  log "demo flow: one invoice from an ERP through intake, validator, sender and status-poller to its KSeF number and UPO"
  node -r ./tools/ts-run/register.js tools/demo/pipeline-demo.ts
fi

cat <<TXT

ksef-bridge is up.
  KSeF simulator   http://127.0.0.1:3100/v2   (admin: http://127.0.0.1:3100/admin)
  services         intake :3001, validator :3002, sender :3003, status-poller :3004, notifier :3005  (/health, /metrics)
  Jaeger UI        http://127.0.0.1:16686
  Prometheus       http://127.0.0.1:9090/classic/alerts
  logs             .cache/run/*.log
Stop with: bash scripts/down.sh
TXT
