#!/usr/bin/env bash
# The conformance checker is not blind: a simulator told to skip seq numbers is caught.
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"

start_mosquitto
node "$here/../oracle/check_stream.js" --broker "mqtt://127.0.0.1:$MQTT_PORT" --duration 6 \
  --ready "$FLOE_TEST_TMP/ready" --report "$FLOE_TEST_TMP/report.json" >/dev/null &
checker=$!
for _ in $(seq 50); do [ -f "$FLOE_TEST_TMP/ready" ] && break; sleep 0.1; done
"$FLOE_SIM" --broker "$MQTT_URI" --edge-nodes 2 --devices-per-node 5 --rate 5 --duration 3 \
  --fault-skip-seq-every 10 --no-progress || fail "floe-sim exited with $?"
rc=0
wait "$checker" || rc=$?
[ "$rc" -eq 1 ] || fail "checker exit $rc, expected 1 (violations)"
python3 - "$FLOE_TEST_TMP/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
kinds = {v["kind"] for v in r["first_violations"]}
assert kinds == {"seq_gap"}, f"expected only seq_gap violations, got {kinds}"
print(f"ok: checker reported {r['violations']} seq gaps")
PY
