#!/usr/bin/env bash
# floe-node stores what floe-sim published: for every series, one point per distinct published
# metric timestamp (births and data, historical and null values included), the stored last
# value is the published last value, and no stored point was never published; every stored
# 10 s window of a numeric series equals the aggregate of its published points.
# Env: FLOE_SIM, FLOE_NODE, FLOE_STORE_DUMP. Args: edge nodes, devices per node, rate, seconds.
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
edge_nodes=${1:-5}
devices=${2:-20}
rate=${3:-2}
seconds=${4:-8}
data="$FLOE_TEST_TMP/data"
log="$FLOE_TEST_TMP/node.log"

start_mosquitto
: >"$log"
"$FLOE_NODE" --config= --broker "$MQTT_URI" --host-id floe --data-dir "$data" --admin-port 0 \
  --stats-interval 1 --alarm-rules= 2>"$log" &
node_pid=$!
FLOE_TEST_PIDS+=($node_pid)
for _ in $(seq 100); do
  grep -q "host id 'floe'" "$log" && break
  kill -0 "$node_pid" 2>/dev/null || { cat "$log" >&2; fail "floe-node exited at start-up"; }
  sleep 0.1
done
grep -q "host id 'floe'" "$log" || { cat "$log" >&2; fail "floe-node did not start in 10 s"; }

# Faults that add historical and null metrics, so both kinds are checked too.
"$FLOE_SIM" --broker "$MQTT_URI" --edge-nodes "$edge_nodes" --devices-per-node "$devices" \
  --rate "$rate" --duration "$seconds" --profile ice_plant --primary-host floe --no-progress \
  --fault-historical-every 7 --fault-null-every 5 \
  --record "$FLOE_TEST_TMP/record.jsonl" --stats-json "$FLOE_TEST_TMP/sim-stats.json" \
  || fail "floe-sim exited with $?"
sleep 2

kill -TERM "$node_pid"
for _ in $(seq 150); do kill -0 "$node_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$node_pid" 2>/dev/null; then
  tail -20 "$log" >&2
  fail "floe-node still running 15 s after SIGTERM"
fi
rc=0
wait "$node_pid" || rc=$?
grep -E "points committed|stopping|error|warn" "$log" | tail -5 >&2 || true
[ "$rc" -eq 0 ] || { tail -20 "$log" >&2; fail "floe-node exited with $rc after SIGTERM"; }
grep -q "points committed in total" "$log" || fail "floe-node did not log its final commit"

"$FLOE_STORE_DUMP" --data-dir "$data" >"$FLOE_TEST_TMP/summary.jsonl" \
  || fail "floe-store-dump failed"
"$FLOE_STORE_DUMP" --data-dir "$data" --points >"$FLOE_TEST_TMP/points.jsonl" \
  || fail "floe-store-dump --points failed"
python3 "$here/check_stored.py" all "$FLOE_TEST_TMP/record.jsonl" \
  "$FLOE_TEST_TMP/summary.jsonl" "$FLOE_TEST_TMP/points.jsonl" \
  || fail "the store does not hold what floe-sim published (kept in \$FLOE_KEEP_TMP=1 runs)"
"$FLOE_STORE_DUMP" --data-dir "$data" --windows >"$FLOE_TEST_TMP/windows.jsonl" \
  || fail "floe-store-dump --windows failed"
python3 "$here/check_windows.py" "$FLOE_TEST_TMP/record.jsonl" "$FLOE_TEST_TMP/windows.jsonl" \
  || fail "stored windows disagree with the published points (kept in \$FLOE_KEEP_TMP=1 runs)"
echo "ok"
