# Shared by the cluster integration tests (bash; source it after lib.sh). The test defines
# `admin I ARGS...` (floe-admin against member I) and `keys` (the edge nodes, "group/edge",
# comma-separated, see edge_keys); member I logs to $FLOE_TEST_TMP/memberI.log.

# The simulator's edge nodes from its record $FLOE_TEST_TMP/record.jsonl (after its births).
edge_keys() {
  python3 -c 'import json,sys
keys = set()
for l in open(sys.argv[1]):
    try: m = json.loads(l)
    except ValueError: continue  # the line being written
    if m.get("type") == "NBIRTH": keys.add(m["group"] + "/" + m["edge_node"])
print(",".join(sorted(keys)))' "$FLOE_TEST_TMP/record.jsonl"
}

# wait_for_edge_keys N: until the record holds N edge nodes; sets `keys`.
wait_for_edge_keys() {
  local n=$1
  for _ in $(seq 100); do
    keys=$(edge_keys 2>/dev/null || true)
    [ "$(tr ',' '\n' <<<"$keys" | grep -c .)" -eq "$n" ] && return 0
    sleep 0.1
  done
  fail "the simulator did not birth $n edge nodes"
}

# snapshot "MEMBERS": `floe-admin -c cluster` of each member that answers into
# $FLOE_TEST_TMP/statusI.json; sets `files` to those that answered.
snapshot() {
  local i
  files=()
  for i in $1; do
    admin "$i" --json -c cluster >"$FLOE_TEST_TMP/status$i.json" 2>/dev/null \
      && files+=("$FLOE_TEST_TMP/status$i.json")
  done
}

# wait_owned "MEMBERS" SECONDS: until the members in MEMBERS own each edge node exactly once
# (owners in $FLOE_TEST_TMP/owners.txt); prints the seconds it took.
wait_owned() {
  local members=$1 limit=$2 start=$SECONDS i
  while :; do
    snapshot "$members"
    if [ ${#files[@]} -gt 0 ] \
       && python3 "$here/check_cluster.py" owners "$keys" "${files[@]}" >"$FLOE_TEST_TMP/owners.txt" 2>"$FLOE_TEST_TMP/owners.err"; then
      echo "$(( SECONDS - start ))"
      return 0
    fi
    if (( SECONDS - start >= limit )); then
      cat "$FLOE_TEST_TMP/owners.err" >&2
      for i in $members; do tail -15 "$FLOE_TEST_TMP/member$i.log" >&2; done
      fail "members [$members] do not own every edge node exactly once after ${limit}s"
    fi
    sleep 0.5
  done
}

# Prints a free loopback TCP port below the kernel's ephemeral range: a member restarted on its
# old port must not find it taken by some outgoing connection's local port in the meantime.
stable_port() {
  python3 - <<'PY'
import random, socket
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
for _ in range(200):
    p = random.randint(10000, max(10001, low - 1))
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        s.close()
    print(p)
    break
else:
    raise SystemExit("no free port below the ephemeral range")
PY
}

# finish_and_check_stores SIM_PID "RUNNING MEMBERS" MIN_COVERAGE: a quiet end (the simulator
# stops, the owners store the last values), SIGTERM to the running members (each must exit 0),
# then every member's store (members 1..3, from ${pid[@]}) is dumped and checked against the
# record with check_cluster.py stored.
finish_and_check_stores() {
  local sim=$1 running=$2 coverage=$3 i rc
  kill -TERM "$sim"
  wait "$sim" || true
  sleep 2
  for i in $running; do
    kill -TERM "${pid[$i]}"
    rc=0
    wait "${pid[$i]}" || rc=$?
    [ "$rc" -eq 0 ] || { tail -20 "$FLOE_TEST_TMP/member$i.log" >&2; fail "member $i exited with $rc"; }
  done
  for i in 1 2 3; do
    if grep -q "uncaught\|terminate called\|Segmentation\|Assertion" "$FLOE_TEST_TMP/member$i.log"; then
      fail "member $i logged a crash"
    fi
    "$FLOE_STORE_DUMP" --data-dir "$FLOE_TEST_TMP/data$i" --points >"$FLOE_TEST_TMP/points$i.jsonl" \
      || fail "floe-store-dump of member $i failed"
  done
  python3 "$here/check_cluster.py" stored "$FLOE_TEST_TMP/record.jsonl" "$coverage" \
    "$FLOE_TEST_TMP/points1.jsonl" "$FLOE_TEST_TMP/points2.jsonl" "$FLOE_TEST_TMP/points3.jsonl"
}
