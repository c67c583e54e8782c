#!/usr/bin/env bash
# floe-sim's stream, decoded by an independent codec, obeys the Sparkplug B edge-node rules, and
# every message the simulator recorded as published arrives with the recorded values.
# Env: FLOE_SIM (path to floe-sim). Args: edge nodes, devices per node, rate, seconds.
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
edge_nodes=${1:-10}
devices=${2:-20}
rate=${3:-2}
seconds=${4:-6}

start_mosquitto
node "$here/../oracle/check_stream.js" --broker "mqtt://127.0.0.1:$MQTT_PORT" \
  --duration $((seconds + 5)) --ready "$FLOE_TEST_TMP/ready" \
  --record "$FLOE_TEST_TMP/record.jsonl" --report "$FLOE_TEST_TMP/report.json" >/dev/null &
checker=$!
for _ in $(seq 50); do [ -f "$FLOE_TEST_TMP/ready" ] && break; sleep 0.1; done
[ -f "$FLOE_TEST_TMP/ready" ] || fail "checker did not subscribe"

"$FLOE_SIM" --broker "$MQTT_URI" --edge-nodes "$edge_nodes" --devices-per-node "$devices" \
  --rate "$rate" --duration "$seconds" --profile ice_plant --no-progress \
  --record "$FLOE_TEST_TMP/record.jsonl" --stats-json "$FLOE_TEST_TMP/sim-stats.json" \
  || fail "floe-sim exited with $?"

rc=0
wait "$checker" || rc=$?
cat "$FLOE_TEST_TMP/report.json"
[ "$rc" -eq 0 ] || fail "the checker found violations (exit $rc)"
python3 - "$FLOE_TEST_TMP/report.json" "$edge_nodes" "$devices" "$rate" "$seconds" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
edge_nodes, devices, rate, seconds = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
c = report["counts"]
assert report["edge_nodes"] == edge_nodes, f"saw {report['edge_nodes']} edge nodes, expected {edge_nodes}"
assert report["devices"] == edge_nodes * devices, f"saw {report['devices']} devices"
assert c.get("NBIRTH", 0) == edge_nodes, f"NBIRTH count {c.get('NBIRTH')}"
assert c.get("DBIRTH", 0) == edge_nodes * devices, f"DBIRTH count {c.get('DBIRTH')}"
assert c.get("NDEATH", 0) == edge_nodes, f"NDEATH count {c.get('NDEATH')} (clean shutdown publishes one per edge node)"
expected = edge_nodes * devices * rate * seconds
assert c.get("DDATA", 0) >= 0.8 * expected, f"DDATA {c.get('DDATA')} far below {expected}"
print(f"ok: {c.get('DDATA')} DDATA from {report['devices']} devices, no violations")
PY
