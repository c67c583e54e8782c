#!/usr/bin/env bash
# floe-node reaches a broker that demands TLS and a password: a CA and a server certificate are
# made for the test, Mosquitto listens with TLS + password file (and on a plain loopback port
# for the simulator). With the CA and the right password floe-node publishes its retained STATE
# birth and hosts the simulator's edge nodes; with a wrong password it never comes online and
# says why in its log; without the CA the TLS handshake fails.
# Env: FLOE_NODE, FLOE_SIM, FLOE_ADMIN.
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
[ -n "${FLOE_NODE:-}" ] && [ -n "${FLOE_SIM:-}" ] && [ -n "${FLOE_ADMIN:-}" ] \
  || fail "FLOE_NODE, FLOE_SIM and FLOE_ADMIN must name the programs"
command -v openssl >/dev/null || fail "openssl is needed to make the test certificates"

dir=$FLOE_TEST_TMP
# A CA and a server certificate for 127.0.0.1 (subjectAltName: paho verifies the host).
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=floe test CA" \
  -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
  -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >"$dir/san.ext"
openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
  -CAcreateserial -days 2 -extfile "$dir/san.ext" -out "$dir/server.pem" 2>/dev/null
mosquitto_passwd -b -c "$dir/passwords" floe 's3cret word' 2>/dev/null
chmod 0644 "$dir"/*.pem "$dir"/*.key "$dir/passwords"

tls_port=$(free_port)
plain_port=$(free_port)
cat >"$dir/mosquitto.conf" <<CONF
per_listener_settings true
user $(id -un)
persistence false
log_dest file $dir/mosquitto.log
listener $tls_port 127.0.0.1
cafile $dir/ca.pem
certfile $dir/server.pem
keyfile $dir/server.key
allow_anonymous false
password_file $dir/passwords
listener $plain_port 127.0.0.1
allow_anonymous true
CONF
"$(command -v mosquitto || echo /usr/sbin/mosquitto)" -c "$dir/mosquitto.conf" &
FLOE_TEST_PIDS+=($!)
wait_for_port "$tls_port" 10
wait_for_port "$plain_port" 10

# node_run NAME EXTRA...: floe-node against the TLS listener; sets node_pid, admin_port.
node_run() {
  local name=$1
  shift
  admin_port=$(free_port)
  "$FLOE_NODE" --config= --broker "ssl://127.0.0.1:$tls_port" --host-id "$name" \
    --mqtt-username floe --admin-port "$admin_port" --data-dir "$dir/data-$name" \
    --stats-interval 0 --reconnect-max 1000 "$@" 2>"$dir/node-$name.log" &
  node_pid=$!
  FLOE_TEST_PIDS+=($node_pid)
  wait_for_port "$admin_port" 20 || { cat "$dir/node-$name.log" >&2; fail "$name: no admin port"; }
}
connected() {
  "$FLOE_ADMIN" --node "127.0.0.1:$admin_port" --timeout 2000 -c stats --json 2>/dev/null \
    | python3 -c 'import json,sys; print(1 if json.load(sys.stdin)["ingest"]["connected"] else 0)' \
      2>/dev/null || echo 0
}

# 1. Right CA and password: STATE birth on the broker, edge nodes hosted.
node_run good --mqtt-tls-ca "$dir/ca.pem" --mqtt-password 's3cret word'
up=0
for _ in $(seq 100); do
  up=$(connected)
  [ "$up" = 1 ] && break
  sleep 0.1
done
[ "$up" = 1 ] || { cat "$dir/node-good.log" >&2; fail "floe-node did not connect over TLS"; }
state=$(timeout 5 mosquitto_sub -h 127.0.0.1 -p "$plain_port" -t 'spBv1.0/STATE/good' -C 1 -W 4 \
  2>/dev/null || true)
echo "$state" | grep -q '"online":true' || fail "no retained online STATE of 'good' (got: '$state')"

"$FLOE_SIM" --broker "tcp://127.0.0.1:$plain_port" --primary-host good --edge-nodes 2 \
  --devices-per-node 3 --rate 2 --duration 4 --no-progress 2>"$dir/sim.log" \
  || { cat "$dir/sim.log" >&2; fail "floe-sim failed"; }
online=$("$FLOE_ADMIN" --node "127.0.0.1:$admin_port" -c nodes --json \
  | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["edge_nodes"]))')
[ "$online" = 2 ] || fail "floe-node over TLS knows $online edge nodes, expected 2"
kill -TERM "$node_pid"
wait "$node_pid" || fail "floe-node (good) did not stop cleanly"

# 2. Wrong password: never connected, and the log says so.
node_run badpass --mqtt-tls-ca "$dir/ca.pem" --mqtt-password 'wrong'
sleep 3
[ "$(connected)" = 0 ] || fail "floe-node connected with a wrong password"
grep -qi "not connected\|refused\|authori\|password" "$dir/node-badpass.log" \
  || { cat "$dir/node-badpass.log" >&2; fail "no reason logged for the refused connection"; }
kill -TERM "$node_pid"
wait "$node_pid" || fail "floe-node (badpass) did not stop cleanly"

# 3. No CA: the server certificate cannot be verified.
node_run noca --mqtt-password 's3cret word'
sleep 3
[ "$(connected)" = 0 ] || fail "floe-node connected without the CA that signed the server"
kill -TERM "$node_pid"
wait "$node_pid" || fail "floe-node (noca) did not stop cleanly"
echo "ok: TLS + password accepted, wrong password and unknown CA refused"
