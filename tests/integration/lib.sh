# Shared by floe's integration tests (bash). Source it; it sets a trap that stops whatever the
# test started. Every process listens on loopback only; ports are picked free at run time.
set -euo pipefail

FLOE_TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/floe-it.XXXXXX")
FLOE_TEST_PIDS=()

floe_cleanup() {
  local pid
  for pid in "${FLOE_TEST_PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  sleep 0.2
  for pid in "${FLOE_TEST_PIDS[@]:-}"; do
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  done
  if [ "${FLOE_KEEP_TMP:-0}" = 1 ]; then
    echo "kept test files in $FLOE_TEST_TMP" >&2
  else
    rm -rf "$FLOE_TEST_TMP"
  fi
}
trap floe_cleanup EXIT

# Prints a TCP port that nothing listens on right now (the kernel picks it).
free_port() {
  python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

# Waits up to $2 seconds (default 10) until ${3:-127.0.0.1}:$1 accepts connections.
wait_for_port() {
  local port=$1 limit=${2:-10} host=${3:-127.0.0.1} i
  for ((i = 0; i < limit * 10; i++)); do
    if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "nothing listens on $host:$port after ${limit}s" >&2
  return 1
}

# start_mosquitto [ADDRESS]: starts a broker on a free port at ADDRESS (default loopback); sets
# MQTT_PORT and MQTT_URI.
start_mosquitto() {
  local mosquitto_bin address=${1:-127.0.0.1}
  mosquitto_bin=$(command -v mosquitto || echo /usr/sbin/mosquitto)
  MQTT_PORT=$(free_port)
  cat >"$FLOE_TEST_TMP/mosquitto.conf" <<CONF
listener $MQTT_PORT $address
allow_anonymous true
persistence false
max_queued_messages 100000
# Run as whoever started the test (as root, mosquitto would otherwise switch to its own user,
# which cannot write the log into this private temporary directory).
user $(id -un)
log_dest file $FLOE_TEST_TMP/mosquitto.log
CONF
  "$mosquitto_bin" -c "$FLOE_TEST_TMP/mosquitto.conf" &
  FLOE_TEST_PIDS+=($!)
  wait_for_port "$MQTT_PORT" 10 "$address"
  MQTT_URI="tcp://$address:$MQTT_PORT"
  export MQTT_PORT MQTT_URI
}

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
