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
for app in ksef-simulator intake validator sender status-poller notifier panel; do
  node dist/apps/$app/main.js migrate
done

log "starting the services"
bash scripts/apps.sh start

if [ "${SKIP_DEMO:-0}" != 1 ]; then
  log "demo flow: one invoice from an ERP through intake, validator, sender and status-poller to its KSeF number and UPO"
  node -r ./tools/ts-run/register.js tools/demo/pipeline-demo.ts
  # A panel user for the demo tenant (local runs only; the password is public): log in at http://127.0.0.1:3006.
  if ! out=$(echo -n 'demo-operator-password' | node dist/apps/panel/main.js create-user demo operator demo-erp 2>&1); then
    log "panel user 'demo' not created (a second run keeps the first one): $(printf '%s' "$out" | tail -n 1)"
  fi
fi

cat <<TXT

ksef-bridge is up.
  KSeF simulator   http://127.0.0.1:3100/v2   (admin: http://127.0.0.1:3100/admin)
  services         intake :3001, validator :3002, sender :3003, status-poller :3004, notifier :3005  (/health, /metrics)
  panel            http://127.0.0.1:3006   (demo login: demo / demo-operator-password; more users: docs/panel.md)
  Jaeger           http://127.0.0.1:16686/api/traces/<traceId>  (built here without its web UI: see README "For SREs";
                   tools/trace/invoice-trace.ts prints an invoice's trace)
  Prometheus       http://127.0.0.1:9090/classic/alerts
  logs             .cache/run/*.log
Stop with: bash scripts/down.sh
TXT
