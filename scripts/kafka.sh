#!/usr/bin/env bash
# A real single-node Kafka broker (KRaft: broker + controller in one JVM) on 127.0.0.1:9092 for
# tests and developers, without Docker and without a Kafka package: the jars come from Maven
# Central through infra/kafka/pom.xml. Idempotent: `start` on a running broker returns at once.
#
# Usage: scripts/kafka.sh start|stop|status
#
# Environment (all optional):
#   KAFKA_HOME_DIR         jar cache, kept across runs     (default ~/.cache/timebank-kafka)
#   KAFKA_RUN_DIR          data, logs, pid file            (default ${TMPDIR:-/tmp}/timebank-kafka)
#   KAFKA_PORT             client listener port            (default 9092, what KAFKA_BROKERS names)
#   KAFKA_CONTROLLER_PORT  KRaft controller listener port  (default 9093, Kafka's customary one)
#   KAFKA_HEAP             JVM heap                        (default 512m: ample for tests and bench)
set -euo pipefail

command=${1:-start}
root=$(cd "$(dirname "$0")/.." && pwd)
pom="$root/infra/kafka/pom.xml"
cache_dir=${KAFKA_HOME_DIR:-$HOME/.cache/timebank-kafka}
run_dir=${KAFKA_RUN_DIR:-${TMPDIR:-/tmp}/timebank-kafka}
port=${KAFKA_PORT:-9092}
controller_port=${KAFKA_CONTROLLER_PORT:-9093}
heap=${KAFKA_HEAP:-512m}
libs="$cache_dir/libs"
pid_file="$run_dir/kafka.pid"
logs_dir="$run_dir/logs"
data_dir="$run_dir/data"
# Seconds to wait for the broker to answer after launch; a cold JVM on 2 busy cores takes ~10 s.
start_timeout_seconds=90
# Seconds to wait for a clean (controlled) shutdown before SIGKILL; it usually takes 2-5 s.
stop_timeout_seconds=60

log() { echo "kafka: $*"; }
fail() { echo "kafka: $*" >&2; exit 1; }

running_pid() {
  [[ -f $pid_file ]] || return 1
  local pid
  pid=$(cat "$pid_file")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
  # Guard against a recycled pid: it must be our broker's JVM.
  grep -q 'kafka.Kafka' "/proc/$pid/cmdline" 2>/dev/null || return 1
  echo "$pid"
}

port_open() { bash -c "</dev/tcp/127.0.0.1/$port" 2>/dev/null; }

# A real protocol round trip, not just an open socket: the broker must serve metadata.
metadata_ok() {
  if command -v kcat >/dev/null 2>&1; then
    kcat -L -b "127.0.0.1:$port" -m 5 >/dev/null 2>&1
  else
    java -cp "$libs/*" -Dlog4j.configuration=file:"$root/infra/kafka/log4j.properties" \
      -Dkafka.logs.dir="$logs_dir" kafka.admin.BrokerApiVersionsCommand \
      --bootstrap-server "127.0.0.1:$port" >/dev/null 2>&1
  fi
}

ensure_tools() {
  if ! command -v java >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then
    log "installing a JRE and maven from Debian's packages"
    apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless maven >/dev/null
  fi
}

# Copies the broker's jars into the cache once per pom content; a changed pom refetches.
fetch_jars() {
  local stamp="$libs/.pom.sha256" want
  want=$(sha256sum "$pom" | cut -d' ' -f1)
  if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then return 0; fi
  log "fetching the broker's jars with maven into $libs"
  rm -rf "$libs.partial"
  mvn -q -B -f "$pom" dependency:copy-dependencies -DoutputDirectory="$libs.partial" >&2
  rm -rf "$libs"
  mv "$libs.partial" "$libs"
  echo "$want" >"$stamp"
}

write_config() {
  mkdir -p "$logs_dir" "$data_dir"
  cat >"$run_dir/server.properties" <<EOF
# Written by scripts/kafka.sh; edits are overwritten on the next start.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$data_dir
# Tests create topics by producing to them; 3 partitions so per-key ordering is really exercised.
auto.create.topics.enable=true
num.partitions=3
# One node: every internal topic must live with one replica. The transaction state log settings
# are what kafkajs' idempotent producer (InitProducerId) needs on a single broker.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
# Consumer groups in tests should not wait the default 3 s for more members.
group.initial.rebalance.delay.ms=0
EOF
}

format_once() {
  [[ -f $data_dir/meta.properties ]] && return 0
  log "formatting KRaft storage in $data_dir"
  local cluster_id
  cluster_id=$(java -cp "$libs/*" -Dlog4j.configuration=file:"$root/infra/kafka/log4j.properties" \
    -Dkafka.logs.dir="$logs_dir" kafka.tools.StorageTool random-uuid)
  java -cp "$libs/*" -Dlog4j.configuration=file:"$root/infra/kafka/log4j.properties" \
    -Dkafka.logs.dir="$logs_dir" kafka.tools.StorageTool format \
    -t "$cluster_id" -c "$run_dir/server.properties" >"$logs_dir/format.log" 2>&1 \
    || fail "formatting failed; see $logs_dir/format.log"
}

start() {
  if running_pid >/dev/null && metadata_ok; then
    log "already up on 127.0.0.1:$port (logs: $logs_dir/server.log)"
    return 0
  fi
  if ! running_pid >/dev/null && port_open; then
    metadata_ok || fail "127.0.0.1:$port is taken by something that does not speak Kafka"
    log "a broker not started by this script already answers on 127.0.0.1:$port; using it"
    return 0
  fi
  ensure_tools
  mkdir -p "$cache_dir" "$run_dir"
  fetch_jars
  if ! running_pid >/dev/null; then
    write_config
    format_once
    # setsid detaches the JVM from this shell's process group, so it outlives the caller
    # (CI's job control, a test's child process) until `stop`.
    setsid nohup java -Xms256m -Xmx"$heap" -XX:+UseG1GC -Djava.awt.headless=true \
      -Dlog4j.configuration=file:"$root/infra/kafka/log4j.properties" \
      -Dkafka.logs.dir="$logs_dir" -cp "$libs/*" \
      kafka.Kafka "$run_dir/server.properties" >"$logs_dir/stdout.log" 2>&1 </dev/null 9>&- &
    echo $! >"$pid_file"
    log "started pid $! (logs: $logs_dir/server.log)"
  fi
  local waited=0
  until port_open && metadata_ok; do
    running_pid >/dev/null || fail "the broker exited during start-up; see $logs_dir/server.log and $logs_dir/stdout.log"
    ((waited += 1))
    ((waited < start_timeout_seconds)) || fail "no answer on 127.0.0.1:$port after ${start_timeout_seconds}s; see $logs_dir/server.log"
    sleep 1
  done
  log "up on 127.0.0.1:$port after ${waited}s (logs: $logs_dir/server.log)"
}

stop() {
  local pid
  if ! pid=$(running_pid); then
    rm -f "$pid_file"
    log "not running"
    return 0
  fi
  # SIGTERM triggers the broker's controlled shutdown: it flushes logs and closes listeners.
  kill -TERM "$pid"
  local waited=0
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= stop_timeout_seconds)); then
      log "no clean shutdown after ${stop_timeout_seconds}s; killing pid $pid"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 1
    ((waited += 1))
  done
  # The listener can linger for a moment after the JVM exits; a following start must find it free.
  for _ in $(seq 1 50); do port_open || break; sleep 0.2; done
  rm -f "$pid_file"
  log "stopped after ${waited}s"
}

status() {
  local pid
  if pid=$(running_pid) && metadata_ok; then
    log "up on 127.0.0.1:$port (pid $pid, logs: $logs_dir/server.log)"
  elif port_open && metadata_ok; then
    log "up on 127.0.0.1:$port (not started by this script)"
  else
    log "down"
    return 1
  fi
}

mkdir -p "$run_dir"
# One invocation at a time: parallel test files may both call start, or stop while another starts.
exec 9>"$run_dir/.lock"
flock 9

case "$command" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
