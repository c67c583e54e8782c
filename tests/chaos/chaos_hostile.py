"""Malformed and hostile MQTT traffic mixed into the simulator's stream.

Contract, so that the store checks stay exact while hostile traffic flows: nothing published
here can legitimately add a (series, timestamp, value) that the simulators did not publish.
  - random bytes always start with a byte of protobuf wire type 7 (chaos_mqtt.MALFORMED_LEAD),
    so no parser can accept them;
  - truncated payloads are prefixes of payloads captured from the simulators: a cut inside a
    metric makes the message malformed, a cut between metrics leaves whole original metrics;
  - padded payloads are captured payloads with one huge unknown field appended (skipped by a
    protobuf parser, so the values are the original ones, or refused by a size limit);
  - replays re-send captured payloads unchanged (stale seq numbers, same values);
  - wrong topics carry any of the above where no Sparkplug message can be.
Replays and whole-metric truncations may overwrite stored points with identical ones; the
number of metrics they carried is counted (replayed_metrics) so the acknowledged-points check
can allow for it.
"""
import threading

from chaos_mqtt import MALFORMED_LEAD, Client, scan_payload, unknown_field

# Kind -> relative frequency. The huge kinds are rare: each copy goes to every subscribed member,
# and a few MiB per second already load a two-core machine.
KINDS = {"random_bytes": 5, "empty": 1, "truncated": 5, "replay": 3, "padded_huge": 0.3,
         "random_huge": 0.3, "oversized": 0.1, "wrong_topic": 3, "long_topic": 1,
         "state_garbage": 1}


class Injector:
    def __init__(self, broker_host, broker_port, rng, group="floe-sim", rate_per_s=20.0,
                 huge_bytes=4 << 20, oversized_bytes=17 << 20, log=print):
        self.host, self.port, self.rng, self.group = broker_host, broker_port, rng, group
        self.rate = rate_per_s
        self.huge_bytes, self.oversized_bytes = huge_bytes, oversized_bytes
        self.log = log
        self.captured = []  # (topic str, payload bytes) from the simulators
        self.sent = {k: 0 for k in KINDS}
        self.bytes_sent = 0
        self._bytes_before = 0  # sent by clients that were replaced after a reconnect
        self.replayed_metrics = 0
        self.guaranteed_malformed = 0  # sent to a data topic of a live edge node
        self.reconnects = 0
        self.errors = []
        self._stop = threading.Event()
        self._thread = None

    # --- capture ---

    def capture(self, seconds=3.0, limit=400):
        """Keeps up to `limit` DATA and BIRTH payloads the simulators publish."""
        with Client(self.host, self.port) as c:
            c.subscribe("spBv1.0/+/+/#")
            for topic, payload in c.messages(seconds):
                t = topic.decode("utf-8", "replace")
                parts = t.split("/")
                if len(parts) >= 4 and parts[2] in ("NDATA", "DDATA", "NBIRTH", "DBIRTH"):
                    self.captured.append((t, payload))
                    if len(self.captured) >= limit:
                        break
        return len(self.captured)

    # --- payloads ---

    def _random_malformed(self, n):
        return bytes([MALFORMED_LEAD]) + self.rng.randbytes(max(0, n - 1))

    def _pick(self, kinds=("NDATA", "DDATA")):
        pool = [c for c in self.captured if c[0].split("/")[2] in kinds] or self.captured
        return self.rng.choice(pool)

    def _count_metrics(self, payload):
        try:
            return scan_payload(payload)["metrics"]
        except ValueError:
            return 0

    def one(self, client):
        """Publishes one hostile message of a random kind; returns the kind."""
        rng = self.rng
        kind = rng.choices(list(KINDS), weights=list(KINDS.values()))[0]
        if not self.captured and kind in ("truncated", "replay", "padded_huge"):
            kind = "random_bytes"
        if kind == "random_bytes":
            topic, _ = self._pick(("NDATA", "DDATA", "NBIRTH", "DBIRTH"))
            client.publish(topic, self._random_malformed(rng.randint(1, 2000)))
            self.guaranteed_malformed += 1
        elif kind == "empty":
            topic, _ = self._pick()
            client.publish(topic, b"")
        elif kind == "truncated":
            topic, payload = self._pick(("NDATA", "DDATA", "NBIRTH", "DBIRTH"))
            cut = rng.randint(0, max(0, len(payload) - 1))
            part = payload[:cut]
            client.publish(topic, part)
            self.replayed_metrics += self._count_metrics(part)
        elif kind == "replay":
            topic, payload = self._pick()
            client.publish(topic, payload)
            self.replayed_metrics += self._count_metrics(payload)
        elif kind == "padded_huge":
            topic, payload = self._pick()
            client.publish(topic, payload + unknown_field(rng.randint(1000, 100000),
                                                          rng.randbytes(self.huge_bytes)))
            self.replayed_metrics += self._count_metrics(payload)
        elif kind == "random_huge":
            topic, _ = self._pick()
            client.publish(topic, self._random_malformed(self.huge_bytes))
            self.guaranteed_malformed += 1
        elif kind == "oversized":
            topic, _ = self._pick()
            client.publish(topic, self._random_malformed(self.oversized_bytes))
            self.guaranteed_malformed += 1
        elif kind == "wrong_topic":
            topic, payload = self._pick()
            p = topic.split("/")
            g, e = p[1], p[3]
            bad = rng.choice([
                f"spBv1.0/{g}", f"spBv1.0/{g}/DDATA", f"spBv1.0/{g}/DDATA/{e}/d/extra",
                f"spBv1.0/{g}/NFOO/{e}", f"spBv1.0//NDATA/{e}", f"spBv1.0/{g}/NDATA/",
                f"spBv2.0/{g}/NDATA/{e}", f"chaos/{g}/NDATA/{e}", f"spBv1.0/{g}/DDATA/{e}",
                f"spBv1.0/{g}/NDATA/{e}/", "spBv1.0", "spBv1.0/", f"spBv1.0/{g}/ndata/{e}"])
            client.publish(bad, rng.choice([payload, self._random_malformed(64), b""]))
        elif kind == "long_topic":
            long_id = "x" * rng.randint(300, 30000)
            client.publish(f"spBv1.0/{self.group}/NDATA/{long_id}", self._random_malformed(32))
        elif kind == "state_garbage":
            # Garbage STATE of another host id: must neither crash nor confuse the members.
            client.publish(f"spBv1.0/STATE/chaos-{rng.randint(0, 9)}",
                           rng.choice([b"{", b"{\"online\":", b"null", rng.randbytes(100),
                                       b"{\"online\":true,\"timestamp\":-1}"]))
        self.sent[kind] += 1
        return kind

    # --- background loop ---

    def start(self):
        self._thread = threading.Thread(target=self._loop, name="hostile", daemon=True)
        self._thread.start()

    def _loop(self):
        client = None
        while not self._stop.is_set():
            try:
                if client is None:
                    client = Client(self.host, self.port).connect()
                self.one(client)
                self.bytes_sent = self._bytes_before + client.bytes_sent
            except OSError as e:
                # The broker may close the connection on what it considers a protocol
                # violation, or be restarted by another scenario: reconnect and go on.
                self.reconnects += 1
                if len(self.errors) < 20:
                    self.errors.append(str(e))
                if client is not None:
                    self._bytes_before += client.bytes_sent
                    try:
                        client.sock.close()
                    except OSError:
                        pass
                    client.sock = None
                client = None
                self._stop.wait(0.5)
                continue
            self._stop.wait(self.rng.expovariate(self.rate))
        if client is not None:
            client.close()

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def summary(self):
        return {"sent": dict(self.sent), "total": sum(self.sent.values()),
                "bytes": self.bytes_sent, "captured_payloads": len(self.captured), "replayed_metrics": self.replayed_metrics,
                "guaranteed_malformed_on_live_topics": self.guaranteed_malformed,
                "reconnects": self.reconnects, "errors": self.errors[:5]}
