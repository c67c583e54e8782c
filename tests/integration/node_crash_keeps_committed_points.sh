#!/usr/bin/env bash
# kill -9 loses nothing floe-node acknowledged: while floe-sim publishes, the node is killed
# right after it reported "points committed N", restarted on the same data directory (the
# simulator, waiting for the primary host, re-births when the node is back), and stopped with
# SIGTERM after the run. Then: the restarted node opened the store; at least N stored points
# have a timestamp at or before the kill; every stored point is a published (series, timestamp,
# value); the restarted node stored new points.
# Env: FLOE_SIM, FLOE_NODE, FLOE_STORE_DUMP. Args: edge nodes, devices per node, rate, seconds,
# seconds before the kill.
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
edge_nodes=${1:-5}
devices=${2:-20}
rate=${3:-5}
seconds=${4:-15}
kill_after=${5:-6}
data="$FLOE_TEST_TMP/data"

now_ms() { date +%s%3N; }

# start_node LOG: starts floe-node on $data; sets node_pid; waits until it has connected.
start_node() {
  local log=$1
  : >"$log"
  "$FLOE_NODE" --config= --broker "$MQTT_URI" --host-id floe --data-dir "$data" \
    --admin-port 0 --stats-interval 1 --alarm-rules= 2>"$log" &
  node_pid=$!
  FLOE_TEST_PIDS+=($node_pid)
  for _ in $(seq 100); do
    grep -q "host id 'floe'" "$log" && return 0
    kill -0 "$node_pid" 2>/dev/null || { cat "$log" >&2; fail "floe-node exited at start-up"; }
    sleep 0.1
  done
  cat "$log" >&2
  fail "floe-node did not start in 10 s"
}

start_mosquitto
start_node "$FLOE_TEST_TMP/node1.log"
"$FLOE_SIM" --broker "$MQTT_URI" --edge-nodes "$edge_nodes" --devices-per-node "$devices" \
  --rate "$rate" --duration "$seconds" --profile ice_plant --primary-host floe --no-progress \
  --record "$FLOE_TEST_TMP/record.jsonl" --stats-json "$FLOE_TEST_TMP/sim-stats.json" \
  2>"$FLOE_TEST_TMP/sim.log" &
sim_pid=$!
FLOE_TEST_PIDS+=($sim_pid)

sleep "$kill_after"
committed=$(grep -o "points committed [0-9]*" "$FLOE_TEST_TMP/node1.log" | tail -1 | awk '{print $3}')
kill -9 "$node_pid"
kill_ms=$(now_ms)
wait "$node_pid" 2>/dev/null || true
[ -n "$committed" ] || { cat "$FLOE_TEST_TMP/node1.log" >&2; fail "no stats line before the kill"; }
[ "$committed" -gt 0 ] || fail "the node had committed nothing after ${kill_after}s"
echo "killed floe-node at $kill_ms after it reported $committed points committed"

restart_ms=$(now_ms)
start_node "$FLOE_TEST_TMP/node2.log"
grep -E "store .* open, [1-9][0-9]* series known" "$FLOE_TEST_TMP/node2.log" \
  || { cat "$FLOE_TEST_TMP/node2.log" >&2; fail "the restarted node did not open the store with its series"; }

rc=0
wait "$sim_pid" || rc=$?
[ "$rc" -eq 0 ] || { tail -5 "$FLOE_TEST_TMP/sim.log" >&2; fail "floe-sim exited with $rc"; }
tail -1 "$FLOE_TEST_TMP/sim.log"
sleep 2

kill -TERM "$node_pid"
for _ in $(seq 150); do kill -0 "$node_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$node_pid" 2>/dev/null; then
  tail -20 "$FLOE_TEST_TMP/node2.log" >&2
  fail "floe-node still running 15 s after SIGTERM"
fi
rc=0
wait "$node_pid" || rc=$?
[ "$rc" -eq 0 ] || { tail -20 "$FLOE_TEST_TMP/node2.log" >&2; fail "floe-node exited with $rc after SIGTERM"; }
grep "points committed in total" "$FLOE_TEST_TMP/node2.log" \
  || fail "the restarted node did not log its final commit"

"$FLOE_STORE_DUMP" --data-dir "$data" --points >"$FLOE_TEST_TMP/points.jsonl" \
  || fail "floe-store-dump --points failed"
python3 "$here/check_stored.py" crash "$FLOE_TEST_TMP/record.jsonl" \
  "$FLOE_TEST_TMP/points.jsonl" "$kill_ms" "$committed" "$restart_ms" \
  || fail "the store after kill -9 and restart does not match what was acknowledged and published"
echo "ok"
