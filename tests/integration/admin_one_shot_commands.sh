#!/usr/bin/env bash
# floe-admin against a live floe-node fed by floe-sim: one-shot commands answer (nodes lists both
# edge nodes online, show / history / alarms / rebirth work, --json output parses), an unknown
# device exits 1, a closed port and a silent peer exit 2 within the timeout, `sniff` sees the
# rebirth's NCMD and NBIRTH without seq/bdSeq violations, and the interactive
# shell on a pseudo-terminal answers `help` and completes `nod<Tab>` to `nodes`; floe-node still
# stops on SIGTERM afterwards.
# Env: FLOE_ADMIN, FLOE_NODE, FLOE_SIM.
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
[ -n "${FLOE_ADMIN:-}" ] && [ -n "${FLOE_NODE:-}" ] && [ -n "${FLOE_SIM:-}" ] \
  || fail "FLOE_ADMIN, FLOE_NODE and FLOE_SIM must name the programs"

start_mosquitto
admin_port=$(free_port)
log="$FLOE_TEST_TMP/node.log"
"$FLOE_NODE" --config= --broker "$MQTT_URI" --host-id floe --admin-port "$admin_port" \
  --data-dir "$FLOE_TEST_TMP/data" --stats-interval 0 \
  --alarm-rules "$here/../../config/alarms/ice_plant.json" 2>"$log" &
node_pid=$!
FLOE_TEST_PIDS+=($node_pid)
wait_for_port "$admin_port" 20 || { cat "$log" >&2; fail "floe-node did not open its admin port"; }

"$FLOE_SIM" --broker "$MQTT_URI" --primary-host floe --edge-nodes 2 --devices-per-node 5 \
  --rate 2 --duration 12 --no-progress 2>"$FLOE_TEST_TMP/sim.log" &
sim_pid=$!
FLOE_TEST_PIDS+=($sim_pid)

node="127.0.0.1:$admin_port"
admin() { "$FLOE_ADMIN" --node "$node" --timeout 3000 "$@"; }
json_field() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

# nodes --json: both edge nodes online with their 5 devices (births come once the simulator
# sees the node's STATE).
online=0
for _ in $(seq 100); do
  online=$(admin -c nodes --json 2>/dev/null \
             | json_field 'sum(n["online"] and n["devices_online"] == 5 for n in j["edge_nodes"])' \
             2>/dev/null || echo 0)
  [ "$online" = 2 ] && break
  sleep 0.1
done
[ "$online" = 2 ] || fail "floe-admin nodes: $online edge nodes fully online after 10 s, expected 2"
admin -c nodes --json | python3 -c '
import json, sys
j = json.load(sys.stdin)
names = sorted(n["group"] + "/" + n["edge_node"] for n in j["edge_nodes"])
assert names == ["floe-sim/edge-01", "floe-sim/edge-02"], names
for n in j["edge_nodes"]:
    assert n["online"] and n["devices_total"] == 5, n
' || fail "nodes --json does not describe the two simulated edge nodes"
admin -c nodes | grep -q "2/2 edge nodes online" || fail "nodes (text) lacks its summary line"

# show: the device state with its metrics; the edge node's own metrics with '-'.
device="floe-sim/edge-01/compressor-01"
admin -c "show $device" --json | python3 -c '
import json, sys
j = json.load(sys.stdin)
names = {m["name"] for m in j["metrics"]}
assert {"Motor Current", "Running"} <= names, names
assert all(m["datatype"] and m["value"] != "" for m in j["metrics"]), j["metrics"]
' || fail "show $device --json lacks its metrics"
admin show floe-sim/edge-01/- | grep -q "bdSeq" || fail "show <edge>/- lacks the node metrics"

# history of one metric: points (committed by the store writer; retried for a few seconds).
points=0
for _ in $(seq 30); do
  points=$(admin --json history "$device/Motor Current" --from -1m 2>/dev/null \
             | json_field 'len(j["points"])' 2>/dev/null || echo 0)
  [ "$points" -gt 0 ] && break
  sleep 0.2
done
[ "$points" -gt 0 ] || fail "history of $device/Motor Current returned no points"
admin -c "history \"$device/Motor Current\" --from -1m" | grep -q "min .* max" \
  || fail "history (text) has no sparkline line"

# alarms (active and history) answer.
admin -c alarms --json | json_field 'j["command"]' | grep -qx alarms || fail "alarms --json failed"
admin -c "alarms --all --limit 5" >/dev/null || fail "alarms --all failed"

# rebirth answers with what the node did, and the sniffer sees it happen: the Rebirth NCMD, then
# an NBIRTH with seq 0 and a bdSeq, and no seq/bdSeq violation in the simulator's stream.
"$FLOE_ADMIN" sniff --broker "$MQTT_URI" --json --seconds 3 >"$FLOE_TEST_TMP/sniff.jsonl" \
  2>"$FLOE_TEST_TMP/sniff.err" &
sniff_pid=$!
FLOE_TEST_PIDS+=($sniff_pid)
for _ in $(seq 50); do grep -q "^sniffing" "$FLOE_TEST_TMP/sniff.err" && break; sleep 0.1; done
grep -q "^sniffing" "$FLOE_TEST_TMP/sniff.err" || fail "sniff did not subscribe: $(cat "$FLOE_TEST_TMP/sniff.err")"
admin -c "rebirth floe-sim/edge-02" | grep -qi "rebirth" || fail "rebirth did not answer"
wait "$sniff_pid" || fail "sniff exited with $?"
python3 - "$FLOE_TEST_TMP/sniff.jsonl" <<'PY' || fail "the sniffer's view of the rebirth is wrong"
import json, sys
msgs = [json.loads(line) for line in open(sys.argv[1])]
seen = [(m["type"], m.get("edge_node")) for m in msgs]
assert ("NCMD", "edge-02") in seen, seen[:30]
births = [m for m in msgs if m["type"] == "NBIRTH" and m["edge_node"] == "edge-02"]
assert births and births[0]["seq"] == 0 and births[0]["bdseq"] is not None, births
assert seen.index(("NCMD", "edge-02")) < seen.index(("NBIRTH", "edge-02")), seen[:30]
bad = [v for m in msgs for v in m["violations"] if v["kind"] != "data_before_birth"]
assert not bad, bad
print(f"ok: sniffer saw {len(msgs)} messages around the rebirth")
PY

# Exit codes: unknown device 1 (with the node's reason), unknown edge node 1, usage 64.
rc=0
admin -c "show floe-sim/edge-01/no-such-device" 2>"$FLOE_TEST_TMP/err" >/dev/null || rc=$?
[ "$rc" -eq 1 ] || fail "unknown device: exit $rc, expected 1"
grep -q "unknown device" "$FLOE_TEST_TMP/err" || fail "unknown device: no reason on stderr"
rc=0
admin -c "devices floe-sim/no-such-edge" 2>/dev/null >/dev/null || rc=$?
[ "$rc" -eq 1 ] || fail "unknown edge node: exit $rc, expected 1"
rc=0
admin -c "show floe-sim/edge-01" 2>/dev/null >/dev/null || rc=$?
[ "$rc" -eq 64 ] || fail "usage error: exit $rc, expected 64"

# Unreachable: a closed port fails at once, a peer that accepts but never answers within
# --timeout; both exit 2 with "cannot reach floe-node at ...".
closed=$(free_port)
rc=0
start=$(date +%s%N)
"$FLOE_ADMIN" --node "127.0.0.1:$closed" --timeout 2000 -c nodes 2>"$FLOE_TEST_TMP/err" || rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
[ "$rc" -eq 2 ] || fail "closed port: exit $rc, expected 2"
grep -q "cannot reach floe-node at 127.0.0.1:$closed: " "$FLOE_TEST_TMP/err" \
  || fail "closed port: unexpected message: $(cat "$FLOE_TEST_TMP/err")"
[ "$ms" -lt 4000 ] || fail "closed port: took $ms ms with --timeout 2000"
silent=$(free_port)
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $silent)); s.listen(8); time.sleep(60)" &
FLOE_TEST_PIDS+=($!)
wait_for_port "$silent" 5
rc=0
start=$(date +%s%N)
"$FLOE_ADMIN" --node "127.0.0.1:$silent" --timeout 1500 -c nodes 2>"$FLOE_TEST_TMP/err" || rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
[ "$rc" -eq 2 ] || fail "silent peer: exit $rc, expected 2"
grep -q "cannot reach floe-node at 127.0.0.1:$silent: " "$FLOE_TEST_TMP/err" \
  || fail "silent peer: unexpected message: $(cat "$FLOE_TEST_TMP/err")"
[ "$ms" -ge 1400 ] && [ "$ms" -lt 4000 ] || fail "silent peer: took $ms ms with --timeout 1500"

# The interactive shell on a pseudo-terminal: prompt with health, help, Tab completion, quit.
mkdir -p "$FLOE_TEST_TMP/home"
HOME="$FLOE_TEST_TMP/home" TERM=xterm python3 - "$FLOE_ADMIN" "$node" <<'PY' \
  || fail "interactive shell (pty) check failed"
import os, pty, re, select, sys, time

admin, node = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execv(admin, [admin, "--node", node])
buf = b""

def wait_for(pattern, start=0, timeout=10):
    global buf
    end = time.time() + timeout
    while True:
        m = re.compile(pattern).search(buf, start)
        if m:
            return m
        left = end - time.time()
        if left <= 0:
            sys.exit("timed out waiting for %r; output so far:\n%s"
                     % (pattern, buf.decode(errors="replace")))
        r, _, _ = select.select([fd], [], [], min(left, 0.1))
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                data = b""
            if not data:
                sys.exit("floe-admin ended early:\n" + buf.decode(errors="replace"))
            buf += data

# The simulator may have ended by now on a slow machine: any count of 2 edge nodes will do.
prompt = rb"floe 127\.0\.0\.1:\d+ \[\d/2 edge nodes online, \d+\+? alarms?\]> "
m = wait_for(prompt)
os.write(fd, b"help\r")
m = wait_for(rb"tail\s+follow a device", m.end())
m = wait_for(prompt, m.end())
os.write(fd, b"nod\t")
time.sleep(0.5)
os.write(fd, b"\r")
m = wait_for(rb"(\d/2 edge nodes online\r?\n|unknown command)", m.end())
if b"unknown command" in m.group(0):
    sys.exit("Tab did not complete 'nod' to 'nodes':\n" + buf.decode(errors="replace"))
m = wait_for(prompt, m.end())
os.write(fd, b"quit\r")
_, status = os.waitpid(pid, 0)
if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
    sys.exit("floe-admin did not quit cleanly: status %r" % status)
history = open(os.path.join(os.environ["HOME"], ".floe_admin_history")).read()
if "nodes" not in history:
    sys.exit("history file lacks 'nodes':\n" + history)
print("ok: interactive shell")
PY

# The simulator ends while the broker is still up, then floe-node: the admin sessions leave it
# able to stop as usual.
kill -TERM "$sim_pid" 2>/dev/null || true
for _ in $(seq 100); do kill -0 "$sim_pid" 2>/dev/null || break; sleep 0.1; done
kill -TERM "$node_pid"
for _ in $(seq 150); do kill -0 "$node_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$node_pid" 2>/dev/null; then
  tail -5 "$log" >&2
  fail "floe-node still running 15 s after SIGTERM"
fi
echo "ok"
