#!/usr/bin/env bash
# Three floe-node members on loopback share the simulator's edge nodes: after the start, after a
# kill -9 of one member, after its restart, while another hangs (SIGSTOP) and after it resumes,
# and after a graceful stop of a third, every edge node
# has exactly one owner and data keeps flowing to its owner; the broker delivers each data
# message once (not once per member). At the end, over the union of the stores: every stored
# point was published, every series' last published value is stored, and what was lost during
# the hand-overs is a small share.
# Env: FLOE_SIM, FLOE_NODE, FLOE_ADMIN, FLOE_STORE_DUMP. Args: edge nodes, devices per node, rate.
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
source "$here/cluster_lib.sh"
edge_nodes=${1:-12}
devices=${2:-5}
rate=${3:-2}
[ -n "${FLOE_ADMIN:-}" ] && [ -n "${FLOE_NODE:-}" ] && [ -n "${FLOE_SIM:-}" ] \
  || fail "FLOE_ADMIN, FLOE_NODE and FLOE_SIM must name the programs"

start_mosquitto
cport=() aport=() pid=()
for i in 1 2 3; do cport[$i]=$(stable_port); aport[$i]=$(stable_port); done
seeds="127.0.0.1:${cport[1]},127.0.0.1:${cport[2]},127.0.0.1:${cport[3]}"

# start_member I: floe-node I on its own store, admin and cluster ports; appends to its log.
start_member() {
  local i=$1 log="$FLOE_TEST_TMP/member$1.log"
  echo "--- start $(date +%T.%N)" >>"$log"
  "$FLOE_NODE" --config= --broker "$MQTT_URI" --host-id "floe-$i" --data-dir "$FLOE_TEST_TMP/data$i" \
    --admin-port "${aport[$i]}" --cluster-port "${cport[$i]}" --seeds "$seeds" \
    --stats-interval 0 --alarm-rules= 2>>"$log" &
  pid[$i]=$!
  FLOE_TEST_PIDS+=(${pid[$i]})
  wait_for_port "${aport[$i]}" 15 || { tail -20 "$log" >&2; fail "member $i did not start"; }
}

admin() { local i=$1; shift; "$FLOE_ADMIN" --node "127.0.0.1:${aport[$i]}" --timeout 3000 "$@"; }

# metrics I: metric values member I applied so far.
metrics() { admin "$1" --json -c stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["metrics"])'; }
# online_owned I: edge nodes online in member I's own sessions (stats are per member; the nodes
# command lists the whole cluster).
online_owned() {
  admin "$1" --json -c stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["edge_nodes_online"])'
}
owned_count() { grep -c " 127.0.0.1:${cport[$1]}\$" "$FLOE_TEST_TMP/owners.txt" || true; }

# every owner has its edge nodes online (reborn) and applies data
wait_flowing() {
  local members=$1 limit=$2 start=$SECONDS i ok
  while :; do
    ok=1
    for i in $members; do
      [ "$(online_owned "$i" 2>/dev/null || echo -1)" = "$(owned_count "$i")" ] || ok=0
    done
    [ $ok = 1 ] && break
    (( SECONDS - start < limit )) || fail "owners do not have their edge nodes online after ${limit}s"
    sleep 0.5
  done
  local before=() after
  for i in $members; do before[$i]=$(metrics "$i"); done
  sleep 2
  for i in $members; do
    after=$(metrics "$i")
    [ "$(owned_count "$i")" -eq 0 ] || [ "$after" -gt "${before[$i]}" ] \
      || fail "member $i owns $(owned_count "$i") edge nodes but applied no data in 2 s"
  done
}

for i in 1 2 3; do start_member "$i"; done
"$FLOE_SIM" --broker "$MQTT_URI" --edge-nodes "$edge_nodes" --devices-per-node "$devices" \
  --rate "$rate" --profile ice_plant --no-progress --record "$FLOE_TEST_TMP/record.jsonl" \
  --stats-json "$FLOE_TEST_TMP/sim-stats.json" 2>"$FLOE_TEST_TMP/sim.log" &
sim_pid=$!
FLOE_TEST_PIDS+=($sim_pid)
wait_for_edge_keys "$edge_nodes"

t=$(wait_owned "1 2 3" 30)
echo "start: every edge node has one owner after ${t}s: $(owned_count 1)/$(owned_count 2)/$(owned_count 3)"
[ "$(owned_count 1)" -gt 0 ] && [ "$(owned_count 2)" -gt 0 ] && [ "$(owned_count 3)" -gt 0 ] \
  || fail "a member owns nothing: $(owned_count 1)/$(owned_count 2)/$(owned_count 3)"
wait_flowing "1 2 3" 20

# Any member answers for the whole cluster: member 1 lists every edge node (gathered), shows a
# device of an edge node member 2 owns (routed) and its history (gathered from the stores).
listed=$(admin 1 --json -c nodes | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["edge_nodes"]))')
[ "$listed" -eq "$edge_nodes" ] || fail "member 1 lists $listed edge nodes, the cluster has $edge_nodes"
remote=$(grep " 127.0.0.1:${cport[2]}\$" "$FLOE_TEST_TMP/owners.txt" | head -1 | awk '{print $2}')
[ -n "$remote" ] || fail "member 2 owns nothing"
read -r device metric < <(python3 -c 'import json,sys
g, e = sys.argv[2].split("/")
for l in open(sys.argv[1]):
    try: m = json.loads(l)
    except ValueError: continue
    if m.get("type") == "DBIRTH" and m["group"] == g and m["edge_node"] == e:
        num = [x["name"] for x in m["metrics"] if x["datatype"] in ("Float", "Double")]
        print(m["device"], num[0]); break' "$FLOE_TEST_TMP/record.jsonl" "$remote")
admin 1 --json -c "show $remote/$device" >"$FLOE_TEST_TMP/show.json" \
  || fail "member 1 cannot show $remote/$device, owned by member 2"
sleep 2
points=$(admin 1 --json -c "history $remote/$device/$metric" \
           | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["points"]))') \
  || fail "member 1 cannot read the history of $remote/$device/$metric"
[ "$points" -gt 0 ] || fail "member 1 reads no points of $remote/$device/$metric (owned by member 2)"
echo "member 1 answers for the cluster: $listed edge nodes listed; $remote/$device (member 2) shown, $points points of '$metric'"

# The broker sends each data message to one member: the members' message counts add up to what
# the simulator published, plus one copy per member of every birth and death (discovery).
msgs_total=0
for i in 1 2 3; do
  m=$(admin "$i" --json -c stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["ingest"]["messages"])')
  msgs_total=$((msgs_total + m))
done
published=$(grep -c '"type"' "$FLOE_TEST_TMP/record.jsonl" || true)
echo "messages received by the 3 members: $msgs_total; published so far: $published"
[ "$msgs_total" -le $(( published * 13 / 10 + 3 * edge_nodes * 2 + 50 )) ] \
  || fail "the members received $msgs_total messages for $published published: fan-out per member?"

victim_owned=$(owned_count 3)
kill -9 "${pid[3]}"
kill_s=$SECONDS
t=$(wait_owned "1 2" 15)
echo "kill -9 of member 3 (owned $victim_owned): survivors own everything after ${t}s"
wait_flowing "1 2" 20
echo "survivors have the taken-over edge nodes online $(( SECONDS - kill_s ))s after the kill"

start_member 3
t=$(wait_owned "1 2 3" 30)
echo "restart of member 3: one owner each after ${t}s: $(owned_count 1)/$(owned_count 2)/$(owned_count 3)"
[ "$(owned_count 3)" -eq "$victim_owned" ] \
  || fail "the restarted member owns $(owned_count 3) edge nodes, it had $victim_owned"
wait_flowing "1 2 3" 20

# A hung member (SIGSTOP): its TCP links stay open, so only the missing heartbeats tell; the
# others take over after --cluster-timeout (3 s). Resumed, it finds its peers' heartbeats
# overdue, gives everything up, re-links and takes its edge nodes back.
kill -STOP "${pid[1]}"
t=$(wait_owned "2 3" 15)
echo "member 1 hung (SIGSTOP): 2 and 3 own everything after ${t}s"
wait_flowing "2 3" 20
kill -CONT "${pid[1]}"
t=$(wait_owned "1 2 3" 30)
echo "member 1 resumed: one owner each after ${t}s: $(owned_count 1)/$(owned_count 2)/$(owned_count 3)"
wait_flowing "1 2 3" 20

kill -TERM "${pid[2]}"
rc=0
wait "${pid[2]}" || rc=$?
[ "$rc" -eq 0 ] || { tail -20 "$FLOE_TEST_TMP/member2.log" >&2; fail "member 2 exited with $rc after SIGTERM"; }
grep -q "left the cluster" "$FLOE_TEST_TMP/member2.log" || fail "member 2 did not leave the cluster"
t=$(wait_owned "1 3" 10)
echo "graceful stop of member 2: members 1 and 3 own everything after ${t}s"
wait_flowing "1 3" 20

# Quiet end, then the stores.
finish_and_check_stores "$sim_pid" "1 3" 0.8
echo "PASS"
