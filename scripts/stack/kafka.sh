#!/usr/bin/env bash
# Apache Kafka 4.1.1 (KRaft, single node) from Maven Central jars, as a local process.
# Usage: scripts/stack/kafka.sh provision|start|stop|status|reset|logs
# Env: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_DATA_DIR (.cache/kafka/data)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KAFKA_VERSION=4.1.1
HOME_DIR="$ROOT/.cache/kafka"
LIBS="$HOME_DIR/libs"
DATA="${KAFKA_DATA_DIR:-$HOME_DIR/data}"
PORT="${KAFKA_PORT:-9092}"
CPORT="${KAFKA_CONTROLLER_PORT:-9093}"
PIDF="$HOME_DIR/kafka-$PORT.pid"
LOGF="$HOME_DIR/kafka-$PORT.log"
PROPS="$HOME_DIR/server-$PORT.properties"
mkdir -p "$HOME_DIR"

say() { printf '[kafka] %s\n' "$*"; }
alive() { [ -f "$PIDF" ] && kill -0 "$(cat "$PIDF")" 2>/dev/null; }

provision() {
  if [ -f "$LIBS/.version" ] && [ "$(cat "$LIBS/.version")" = "$KAFKA_VERSION" ]; then return; fi
  command -v mvn >/dev/null || { say "Maven is required (apt-get install -y maven)"; exit 1; }
  say "fetching Kafka $KAFKA_VERSION jars from Maven Central"
  rm -rf "$LIBS"
  (cd "$ROOT/scripts/stack/kafka" && mvn -q -B dependency:copy-dependencies -DoutputDirectory="$LIBS" -DincludeScope=runtime)
  echo "$KAFKA_VERSION" >"$LIBS/.version"
}

write_props() {
  cat >"$PROPS" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CPORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA
auto.create.topics.enable=false
num.partitions=3
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
delete.topic.enable=true
PROPS
}

start() {
  if alive; then say "already running on 127.0.0.1:$PORT (pid $(cat "$PIDF"))"; return; fi
  command -v java >/dev/null || { say "Java 17 is required"; exit 1; }
  provision
  write_props
  if [ ! -f "$DATA/meta.properties" ]; then
    say "formatting storage in $DATA"
    java -cp "$LIBS/*" kafka.tools.StorageTool format -t "$(java -cp "$LIBS/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)" -c "$PROPS" --standalone >>"$LOGF" 2>&1 \
      || java -cp "$LIBS/*" kafka.tools.StorageTool format -t "$(java -cp "$LIBS/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)" -c "$PROPS" >>"$LOGF" 2>&1 \
      || { tail -20 "$LOGF"; say "storage format failed"; exit 1; }
  fi
  say "starting broker on 127.0.0.1:$PORT"
  nohup java -Xms256m -Xmx768m -XX:+UseG1GC -Djava.awt.headless=true -cp "$LIBS/*" kafka.Kafka "$PROPS" >>"$LOGF" 2>&1 &
  echo $! >"$PIDF"
  for _ in $(seq 1 120); do
    if ! alive; then tail -30 "$LOGF"; say "broker exited during start (log: $LOGF)"; exit 1; fi
    if (cd "$ROOT" && node -e '
      const { Kafka, logLevel } = require("kafkajs");
      const a = new Kafka({ brokers: ["127.0.0.1:'"$PORT"'"], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
      a.connect().then(() => a.describeCluster()).then(() => a.disconnect()).then(() => process.exit(0), () => process.exit(1));
      setTimeout(() => process.exit(1), 3000);' 2>/dev/null); then
      say "ready on 127.0.0.1:$PORT"; return
    fi
    sleep 0.5
  done
  tail -30 "$LOGF"; say "broker did not become ready"; exit 1
}

stop() {
  alive || { rm -f "$PIDF"; say "not running"; return; }
  local pid; pid="$(cat "$PIDF")"; kill -TERM "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || { rm -f "$PIDF"; say "stopped"; return; }; sleep 0.5; done
  kill -KILL "$pid" 2>/dev/null || true; rm -f "$PIDF"; say "killed after 30 s"
}

case "${1:-status}" in
  provision) provision ;;
  start) start ;;
  stop) stop ;;
  status) if alive; then say "running on 127.0.0.1:$PORT (pid $(cat "$PIDF"))"; else say "stopped"; exit 3; fi ;;
  reset) stop; rm -rf "$DATA"; say "data removed" ;;
  logs) tail -n 100 "$LOGF" ;;
  *) echo "usage: $0 provision|start|stop|status|reset|logs" >&2; exit 2 ;;
esac
