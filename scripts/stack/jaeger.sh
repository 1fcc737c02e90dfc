#!/usr/bin/env bash
# Jaeger (all-in-one, in-memory storage) built from the Go module proxy, as a local process.
# Go module github.com/jaegertracing/jaeger v1.76.0 is the Jaeger 2.13.0 release (the same as docker-compose.yml):
# cmd/jaeger is the OpenTelemetry-Collector-based v2 binary. It runs with a generated all-in-one config
# (.cache/jaeger/config.yaml): OTLP gRPC 4317, OTLP HTTP 4318, UI + query API 16686, query gRPC 16685, health check
# 13133, all on 127.0.0.1 (the built-in default also opens the Jaeger and Zipkin receivers, sampling and admin ports).
# Usage: scripts/stack/jaeger.sh provision|start|stop|status|logs
# Env: JAEGER_MAX_TRACES (100000, the in-memory store's cap so a long-running stack cannot eat the machine),
#      JAEGER_UI_ASSETS (a built jaeger-ui folder, e.g. packages/jaeger-ui/build of github.com/jaegertracing/jaeger-ui).
# The UI: the module proxy carries Jaeger's Go code but not its web UI (a separate JavaScript repository, built and
# embedded only by Jaeger's release pipeline), so a binary built here serves the query API (/api/*) and a
# placeholder page. With JAEGER_UI_ASSETS set, the real UI is served from that folder; docker-compose's Jaeger image
# has it built in.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAEGER_MODULE_VERSION=1.76.0
HOME_DIR="$ROOT/.cache/jaeger"
# Keyed by version: a version bump builds a new binary beside the old one instead of reusing a stale build.
BIN="$HOME_DIR/jaeger-$JAEGER_MODULE_VERSION"
BUILD_DIR="$HOME_DIR/build-$JAEGER_MODULE_VERSION"
PIDF="$HOME_DIR/jaeger.pid"
LOGF="$HOME_DIR/jaeger.log"
CONF="$HOME_DIR/config.yaml"
UI_PORT=16686 OTLP_HTTP_PORT=4318 OTLP_GRPC_PORT=4317
mkdir -p "$HOME_DIR"

say() { printf '[jaeger] %s\n' "$*"; }
alive() { [ -f "$PIDF" ] && kill -0 "$(cat "$PIDF")" 2>/dev/null; }
ready() { curl -fsS -o /dev/null "http://127.0.0.1:$UI_PORT/api/services" 2>/dev/null; }

provision() {
  if [ -x "$BIN" ]; then return; fi
  # Go's own installer puts it in /usr/local/go/bin, which a non-login shell (CI) may not have on PATH.
  command -v go >/dev/null || [ ! -x /usr/local/go/bin/go ] || export PATH="/usr/local/go/bin:$PATH"
  command -v go >/dev/null || { say "Go is required (https://go.dev/dl or apt-get install -y golang)"; exit 1; }
  # One build at a time: up.sh and test.sh may both provision on a fresh machine.
  exec 9>"$HOME_DIR/.build.lock"
  flock 9
  if [ -x "$BIN" ]; then flock -u 9; return; fi
  # `go install …@version` refuses modules with replace directives, so build through a scratch module that takes
  # jaeger as a tool dependency (its go.sum pins every module). The module cache (~/go/pkg/mod) makes rebuilds fast.
  say "building Jaeger (module v$JAEGER_MODULE_VERSION) from the Go module proxy: a few minutes on a cold module cache"
  local started; started=$(date +%s)
  rm -rf "$BUILD_DIR" && mkdir -p "$BUILD_DIR"
  (
    cd "$BUILD_DIR"
    export GOFLAGS=-mod=mod GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
    go mod init jaeger-build >/dev/null 2>&1
    go get -tool "github.com/jaegertracing/jaeger/cmd/jaeger@v$JAEGER_MODULE_VERSION"
    # -s -w: no symbol tables, a third smaller; stack traces keep function names.
    go build -trimpath -ldflags='-s -w' -o "$BIN.tmp" github.com/jaegertracing/jaeger/cmd/jaeger
  ) >>"$HOME_DIR/build.log" 2>&1 || { tail -30 "$HOME_DIR/build.log"; say "build failed (log: $HOME_DIR/build.log)"; exit 1; }
  mv "$BIN.tmp" "$BIN"
  flock -u 9
  say "built $BIN in $(( $(date +%s) - started )) s"
}

write_config() {
  local ui_block=""
  if [ -n "${JAEGER_UI_ASSETS:-}" ]; then
    [ -f "$JAEGER_UI_ASSETS/index.html" ] || { say "JAEGER_UI_ASSETS=$JAEGER_UI_ASSETS has no index.html"; exit 1; }
    ui_block=$'    ui:\n      assets_path: '"$JAEGER_UI_ASSETS"$'\n'
  fi
  # The built-in all-in-one config, with every listener on 127.0.0.1 (the default binds all interfaces) and a
  # bounded in-memory store.
  cat >"$CONF" <<YAML
service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    resource:
      service.name: jaeger
    metrics:
      level: none
    logs:
      level: info

extensions:
  healthcheckv2:
    use_v2: true
    http:
      endpoint: 127.0.0.1:13133
  jaeger_query:
    storage:
      traces: memstore
${ui_block}    http:
      endpoint: 127.0.0.1:$UI_PORT
    grpc:
      endpoint: 127.0.0.1:16685
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: ${JAEGER_MAX_TRACES:-100000}

receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:$OTLP_GRPC_PORT
      http:
        endpoint: 127.0.0.1:$OTLP_HTTP_PORT

processors:
  batch:

exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
YAML
}

start() {
  if alive; then say "already running (pid $(cat "$PIDF")), UI http://127.0.0.1:$UI_PORT"; return; fi
  if ready; then
    # E.g. the Jaeger of another checkout: it takes OTLP on the same ports, so services and tests can use it as is.
    say "a Jaeger not started from this checkout already answers on :$UI_PORT; using it"; return
  fi
  provision
  write_config
  say "starting (OTLP http :$OTLP_HTTP_PORT, grpc :$OTLP_GRPC_PORT, UI :$UI_PORT)"
  nohup "$BIN" --config "$CONF" >>"$LOGF" 2>&1 &
  echo $! >"$PIDF"
  for _ in $(seq 1 120); do
    if ! alive; then tail -30 "$LOGF"; say "exited during start (log: $LOGF)"; exit 1; fi
    # The query API answering means storage and UI are up; the OTLP receiver starts in the same pipeline.
    if ready && (exec 3<>"/dev/tcp/127.0.0.1/$OTLP_HTTP_PORT") 2>/dev/null; then
      say "ready: UI http://127.0.0.1:$UI_PORT, OTLP http://127.0.0.1:$OTLP_HTTP_PORT"; return
    fi
    sleep 0.5
  done
  tail -30 "$LOGF"; say "did not become ready in 60 s"; exit 1
}

stop() {
  alive || { rm -f "$PIDF"; say "not running"; return; }
  local pid; pid="$(cat "$PIDF")"; kill -TERM "$pid"
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || { rm -f "$PIDF"; say "stopped (in-memory traces dropped)"; return; }; sleep 0.5; done
  kill -KILL "$pid" 2>/dev/null || true; rm -f "$PIDF"; say "killed after 20 s"
}

case "${1:-status}" in
  provision) provision ;;
  start) start ;;
  stop) stop ;;
  status) if alive; then say "running (pid $(cat "$PIDF")), UI http://127.0.0.1:$UI_PORT"; else say "stopped"; exit 3; fi ;;
  logs) tail -n 100 "$LOGF" ;;
  *) echo "usage: $0 provision|start|stop|status|logs" >&2; exit 2 ;;
esac
