#!/usr/bin/env bash
# Three floe-node members as three hosts: each in its own network namespace, joined by veth pairs
# to a bridge in the test's namespace, where Mosquitto and the simulator run. Steps, each ending
# with every edge node owned by exactly one member and data flowing to its owner:
#   1. start;
#   2. cut member 3 off from the other members while it still reaches the broker (iptables in its
#      namespace): it loses its majority and gives up every edge node, the other two take them;
#      sampled throughout, no edge node has two owners for longer than the detection time;
#   3. heal: member 3 takes its edge nodes back;
#   4. take member 1's link down (broker and members gone at once), then up again;
#   5. kill -9 member 2.
# Finally, over the union of the stores: stored points were published, last values are stored.
# Needs root and `ip netns`; exits 77 (skipped) without them.
# Env: FLOE_SIM, FLOE_NODE, FLOE_ADMIN, FLOE_STORE_DUMP. Args: edge nodes, devices, rate.
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
source "$here/cluster_lib.sh"
edge_nodes=${1:-12}
devices=${2:-5}
rate=${3:-2}
[ -n "${FLOE_ADMIN:-}" ] && [ -n "${FLOE_NODE:-}" ] && [ -n "${FLOE_SIM:-}" ] \
  || fail "FLOE_ADMIN, FLOE_NODE and FLOE_SIM must name the programs"
if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null || ! command -v iptables >/dev/null; then
  echo "SKIP: needs root, ip (iproute2) and iptables"
  exit 77
fi

tag=$(( $$ % 100000 ))
bridge="fbr$tag"
net="10.213.$(( $$ % 200 + 20 ))"
ns=() veth=()
for i in 1 2 3; do ns[$i]="floe$tag-m$i"; veth[$i]="fv$tag$i"; done

netns_cleanup() {
  floe_cleanup
  for i in 1 2 3; do ip netns del "${ns[$i]}" 2>/dev/null || true; done
  ip link del "$bridge" 2>/dev/null || true
}
trap netns_cleanup EXIT

if ! ip netns add "${ns[1]}" 2>/dev/null; then
  echo "SKIP: cannot create network namespaces here"
  exit 77
fi
ip link add "$bridge" type bridge
ip addr add "$net.1/24" dev "$bridge"
ip link set "$bridge" up
for i in 1 2 3; do
  [ "$i" = 1 ] || ip netns add "${ns[$i]}"
  ip link add "${veth[$i]}" type veth peer name eth0 netns "${ns[$i]}"
  ip link set "${veth[$i]}" master "$bridge" up
  ip -n "${ns[$i]}" addr add "$net.1$i/24" dev eth0
  ip -n "${ns[$i]}" link set eth0 up
  ip -n "${ns[$i]}" link set lo up
done

start_mosquitto "$net.1"
broker=$MQTT_URI
seeds="$net.11:4711,$net.12:4711,$net.13:4711"
pid=()

start_member() {
  local i=$1 log="$FLOE_TEST_TMP/member$1.log"
  echo "--- start $(date +%T.%N)" >>"$log"
  ip netns exec "${ns[$i]}" "$FLOE_NODE" --config= --broker "$broker" --host-id "floe-$i" \
    --data-dir "$FLOE_TEST_TMP/data$i" --admin-port 4710 --admin-bind "$net.1$i" \
    --cluster-port 4711 --cluster-bind "$net.1$i" --seeds "$seeds" --reconnect-max 1000 \
    --stats-interval 0 --alarm-rules= 2>>"$log" &
  pid[$i]=$!
  FLOE_TEST_PIDS+=(${pid[$i]})
  for _ in $(seq 150); do (exec 3<>"/dev/tcp/$net.1$i/4710") 2>/dev/null && return 0; sleep 0.1; done
  tail -20 "$log" >&2
  fail "member $i did not open its admin port"
}

admin() { local i=$1; shift; "$FLOE_ADMIN" --node "$net.1$i:4710" --timeout 2000 "$@"; }

owned_by() { python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["owned"]))' "$FLOE_TEST_TMP/status$1.json"; }

# data flows: every answering member that owns edge nodes applies metrics within 3 s
assert_flowing() {
  local i a b
  for i in $1; do
    a=$(admin "$i" --json -c stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["metrics"])')
    sleep 3
    b=$(admin "$i" --json -c stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["metrics"])')
    [ "$b" -gt "$a" ] || fail "member $i applied no data in 3 s"
  done
}

# most_owners_seconds SECONDS MEMBERS: samples every member's owned set for SECONDS; prints the
# longest run (s) during which some edge node had two owners.
longest_double_ownership() {
  local limit=$1 start=$SECONDS
  local doubled_since=-1 longest=0 now
  while (( SECONDS - start < limit )); do
    snapshot "1 2 3"
    if python3 - "${files[@]}" <<'PY'
import json, sys
owners = {}
for p in sys.argv[1:]:
    for k in json.load(open(p))["owned"]:
        owners[k] = owners.get(k, 0) + 1
sys.exit(1 if any(n > 1 for n in owners.values()) else 0)
PY
    then doubled_since=-1
    else
      now=$(date +%s%N)
      [ "$doubled_since" -ge 0 ] || doubled_since=$now
      (( (now - doubled_since) / 1000000 > longest )) && longest=$(( (now - doubled_since) / 1000000 ))
    fi
    sleep 0.2
  done
  echo "$longest"
}

for i in 1 2 3; do start_member "$i"; done
"$FLOE_SIM" --broker "$broker" --edge-nodes "$edge_nodes" --devices-per-node "$devices" \
  --rate "$rate" --profile ice_plant --no-progress --record "$FLOE_TEST_TMP/record.jsonl" \
  2>"$FLOE_TEST_TMP/sim.log" &
sim_pid=$!
FLOE_TEST_PIDS+=($sim_pid)
wait_for_edge_keys "$edge_nodes"

t=$(wait_owned "1 2 3" 30)
echo "step 1, start: one owner per edge node after ${t}s"
assert_flowing "1 2 3"

# 2. member 3 cannot reach members 1 and 2 (both directions), but still reaches the broker.
for peer in 11 12; do
  ip netns exec "${ns[3]}" iptables -A INPUT -s "$net.$peer" -j DROP
  ip netns exec "${ns[3]}" iptables -A OUTPUT -d "$net.$peer" -j DROP
done
longest=$(longest_double_ownership 6)
t=$(wait_owned "1 2" 10)
snapshot "3"
[ ${#files[@]} -eq 1 ] || fail "member 3 stopped answering its admin port"
[ "$(owned_by 3)" -eq 0 ] || fail "member 3 still owns $(owned_by 3) edge nodes without a majority"
python3 -c 'import json,sys; sys.exit(0 if not json.load(open(sys.argv[1]))["majority"] else 1)' \
  "$FLOE_TEST_TMP/status3.json" || fail "member 3 claims a majority while cut off"
echo "step 2, member 3 cut off: it owns nothing, 1 and 2 own everything; longest double ownership ${longest} ms"
(( longest <= 4000 )) || fail "an edge node had two owners for ${longest} ms (detection time 3 s)"
assert_flowing "1 2"

# 3. heal
ip netns exec "${ns[3]}" iptables -F
t=$(wait_owned "1 2 3" 30)
snapshot "3"
[ "$(owned_by 3)" -gt 0 ] || fail "member 3 took nothing back after the partition healed"
echo "step 3, healed: one owner per edge node after ${t}s, member 3 owns $(owned_by 3)"
assert_flowing "1 2 3"

# 4. member 1's link goes down (broker and members at once), then comes back
ip link set "${veth[1]}" down
t=$(wait_owned "2 3" 15)
echo "step 4, member 1 unplugged: 2 and 3 own everything after ${t}s"
assert_flowing "2 3"
ip link set "${veth[1]}" up
t=$(wait_owned "1 2 3" 40)
echo "step 4, member 1 plugged back: one owner per edge node after ${t}s"
assert_flowing "1 2 3"

# 5. kill -9 of member 2
kill -9 "${pid[2]}"
t=$(wait_owned "1 3" 15)
echo "step 5, member 2 killed: 1 and 3 own everything after ${t}s"
assert_flowing "1 3"

# Quiet end, then the stores.
finish_and_check_stores "$sim_pid" "1 3" 0.6
echo "PASS"
