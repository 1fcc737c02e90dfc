#!/usr/bin/env bash
# Starts/stops the built services (dist/apps/*/main.js) as local processes with pid files and logs in .cache/run.
# Usage: scripts/apps.sh start|stop|status [app…]   (default: every app)
. "$(dirname "$0")/lib/common.sh"
cd "$ROOT"

ALL_APPS=(ksef-simulator intake validator sender status-poller notifier panel)
cmd="${1:-status}"; shift || true
apps=("$@"); [ "${#apps[@]}" -gt 0 ] || apps=("${ALL_APPS[@]}")

port_of() {
  case "$1" in
    intake) echo 3001 ;; validator) echo 3002 ;; sender) echo 3003 ;; status-poller) echo 3004 ;;
    notifier) echo 3005 ;; panel) echo 3006 ;; ksef-simulator) echo 3100 ;; *) die "unknown app $1" ;;
  esac
}
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_app() {
  local app="$1" port pidf logf
  port="$(port_of "$app")"; pidf="$RUN_DIR/$app.pid"; logf="$RUN_DIR/$app.log"
  [ -f "dist/apps/$app/main.js" ] || die "dist/apps/$app/main.js missing: build first (npx nx build $app)"
  if pid_alive "$pidf"; then log "$app already running (pid $(cat "$pidf"))"; return; fi
  # Local defaults: traces to the local Jaeger, the simulator as KSeF, the simulator in test mode (admin API on).
  HTTP_PORT="$port" \
  OTEL_EXPORTER_OTLP_ENDPOINT="${OTEL_EXPORTER_OTLP_ENDPOINT-http://127.0.0.1:4318}" \
  KSEF_BASE_URL="${KSEF_BASE_URL:-http://127.0.0.1:3100/v2}" \
  SIM_MODE="${SIM_MODE:-test}" \
  nohup node --enable-source-maps "dist/apps/$app/main.js" >>"$logf" 2>&1 &
  echo $! >"$pidf"
  if ! wait_http "http://127.0.0.1:$port/health/live" 60; then
    tail -n 40 "$logf" >&2
    die "$app did not come up on port $port (log: $logf)"
  fi
  log "$app up on http://127.0.0.1:$port (log: $logf)"
}

stop_app() {
  local app="$1" pidf="$RUN_DIR/$1.pid" pid i=0
  pid_alive "$pidf" || { rm -f "$pidf"; return; }
  pid="$(cat "$pidf")"; kill -TERM "$pid"
  while kill -0 "$pid" 2>/dev/null; do
    i=$((i + 1)); if [ "$i" -gt 80 ]; then kill -KILL "$pid" 2>/dev/null || true; break; fi
    sleep 0.25
  done
  rm -f "$pidf"; log "$app stopped"
}

case "$cmd" in
  start) for a in "${apps[@]}"; do start_app "$a"; done ;;
  stop) for ((i = ${#apps[@]} - 1; i >= 0; i--)); do stop_app "${apps[$i]}"; done ;;
  status)
    for a in "${apps[@]}"; do
      if pid_alive "$RUN_DIR/$a.pid"; then echo "$a: running (pid $(cat "$RUN_DIR/$a.pid"), port $(port_of "$a"))"; else echo "$a: stopped"; fi
    done ;;
  *) die "usage: scripts/apps.sh start|stop|status [app…]" ;;
esac
