"""A minimal MQTT 3.1.1 client over a plain socket (python3 stdlib only; PyPI is not reachable
from the machines the chaos suite runs on), plus a scanner for the top level of a Sparkplug B
protobuf payload.

The client does exactly what the chaos suite needs and no more: CONNECT (clean session,
optional keep-alive), PUBLISH at QoS 0, SUBSCRIBE at QoS 0 with a receive loop, PINGREQ,
DISCONNECT. It sends whatever topic and payload bytes it is given, so hostile input (wrong
topics, truncated or huge payloads) reaches the broker unchanged; the broker may still refuse
some (it closes the connection on a protocol violation), which the caller sees as an OSError.
"""
import os
import select
import socket
import struct
import time

CONNECT, CONNACK, PUBLISH, SUBSCRIBE, SUBACK, PINGREQ, PINGRESP, DISCONNECT = (
    1, 2, 3, 8, 9, 12, 13, 14)


def _remaining_length(n):
    out = bytearray()
    while True:
        byte = n % 128
        n //= 128
        out.append(byte | 0x80 if n else byte)
        if not n:
            return bytes(out)


def _utf8(text):
    raw = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    if len(raw) > 0xFFFF:
        raise ValueError(f"MQTT string of {len(raw)} bytes is longer than 65535")
    return struct.pack("!H", len(raw)) + raw


def _packet(kind, flags, body):
    return bytes([(kind << 4) | flags]) + _remaining_length(len(body)) + body


class MqttError(OSError):
    pass


class Client:
    """One MQTT connection. Not thread-safe: one thread uses a client."""

    def __init__(self, host, port, client_id=None, keep_alive_s=30, timeout_s=5.0):
        self.host, self.port = host, port
        self.client_id = client_id or f"floe-chaos-{os.getpid()}-{time.monotonic_ns() % 10**9}"
        self.keep_alive_s = keep_alive_s
        self.timeout_s = timeout_s
        self.sock = None
        self._buf = bytearray()
        self._next_packet_id = 1
        self.bytes_sent = 0

    # --- connection ---

    def connect(self):
        self.sock = socket.create_connection((self.host, self.port), timeout=self.timeout_s)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        body = (_utf8("MQTT") + bytes([4, 0x02]) + struct.pack("!H", self.keep_alive_s)
                + _utf8(self.client_id))
        self._send(_packet(CONNECT, 0, body))
        kind, _, payload = self._read_packet(self.timeout_s)
        if kind != CONNACK or len(payload) < 2:
            raise MqttError(f"expected CONNACK, got packet type {kind}")
        if payload[1] != 0:
            raise MqttError(f"broker refused the connection (CONNACK code {payload[1]})")
        return self

    def close(self):
        if self.sock is not None:
            try:
                self._send(_packet(DISCONNECT, 0, b""))
            except OSError:
                pass
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None

    def __enter__(self):
        return self.connect()

    def __exit__(self, *exc):
        self.close()

    # --- sending ---

    def _send(self, data):
        self.sock.sendall(data)
        self.bytes_sent += len(data)

    def publish(self, topic, payload, retain=False):
        """QoS 0 publish of raw bytes. topic: str or bytes (sent as given)."""
        body = _utf8(topic) + bytes(payload)
        self._send(_packet(PUBLISH, 0x01 if retain else 0, body))

    def subscribe(self, topic_filter):
        pid = self._next_packet_id
        self._next_packet_id = pid % 0xFFFF + 1
        body = struct.pack("!H", pid) + _utf8(topic_filter) + bytes([0])
        self._send(_packet(SUBSCRIBE, 0x02, body))
        deadline = time.monotonic() + self.timeout_s
        while time.monotonic() < deadline:
            got = self._read_packet(deadline - time.monotonic())
            if got[0] == SUBACK:
                if got[2][2:3] == b"\x80":
                    raise MqttError(f"broker refused the subscription {topic_filter!r}")
                return
        raise MqttError(f"no SUBACK for {topic_filter!r}")

    def ping(self):
        self._send(_packet(PINGREQ, 0, b""))

    # --- receiving ---

    def _fill(self, timeout):
        ready, _, _ = select.select([self.sock], [], [], max(0.0, timeout))
        if not ready:
            return False
        chunk = self.sock.recv(65536)
        if not chunk:
            raise MqttError("broker closed the connection")
        self._buf += chunk
        return True

    def _parse(self):
        """(type, flags, body) of a whole packet at the buffer's start, else None."""
        if len(self._buf) < 2:
            return None
        mult, length, i = 1, 0, 1
        while True:
            if i >= len(self._buf):
                return None
            byte = self._buf[i]
            length += (byte & 0x7F) * mult
            mult *= 128
            i += 1
            if not byte & 0x80:
                break
            if i > 4:
                raise MqttError("malformed remaining length from the broker")
        if len(self._buf) < i + length:
            return None
        head = self._buf[0]
        body = bytes(self._buf[i:i + length])
        del self._buf[:i + length]
        return head >> 4, head & 0x0F, body

    def _read_packet(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            got = self._parse()
            if got is not None:
                return got
            left = deadline - time.monotonic()
            if left <= 0 or not self._fill(left):
                raise MqttError("timed out waiting for the broker")

    def messages(self, seconds):
        """Yields (topic bytes, payload bytes) of PUBLISHes received within `seconds`."""
        deadline = time.monotonic() + seconds
        while True:
            got = self._parse()
            if got is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self._fill(min(left, 0.5))
                continue
            kind, flags, body = got
            if kind != PUBLISH:
                continue
            (tlen,) = struct.unpack("!H", body[:2])
            topic = body[2:2 + tlen]
            rest = body[2 + tlen:]
            if (flags >> 1) & 0x03:
                rest = rest[2:]  # packet id of QoS 1/2 (we subscribe at QoS 0; defensive)
            yield topic, rest


# --- Sparkplug B payload, top level only ---

def _varint(buf, i):
    shift, value = 0, 0
    while True:
        if i >= len(buf):
            raise ValueError("truncated varint")
        b = buf[i]
        value |= (b & 0x7F) << shift
        i += 1
        if not b & 0x80:
            return value, i
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def scan_payload(buf):
    """Top-level fields of a Payload: {"timestamp": int|None, "metrics": count, "seq": int|None,
    "metric_spans": [(start, end)] byte ranges of the metric fields}. ValueError when the bytes
    are not a well-formed protobuf message at the top level."""
    i, out = 0, {"timestamp": None, "metrics": 0, "seq": None, "metric_spans": []}
    while i < len(buf):
        start = i
        tag, i = _varint(buf, i)
        field, wire = tag >> 3, tag & 7
        if field == 0:
            raise ValueError("field number 0")
        if wire == 0:
            value, i = _varint(buf, i)
            if field == 1:
                out["timestamp"] = value
            elif field == 3:
                out["seq"] = value
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        elif wire == 2:
            length, i = _varint(buf, i)
            i += length
            if field == 2:
                out["metrics"] += 1
                out["metric_spans"].append((start, i))
        else:
            raise ValueError(f"wire type {wire}")
        if i > len(buf):
            raise ValueError("field runs past the end")
    return out


def unknown_field(field_number, data):
    """A length-delimited protobuf field that a Payload parser skips (extension range 6..max)."""
    out = bytearray()
    tag = (field_number << 3) | 2
    for value in (tag, len(data)):
        while True:
            b = value & 0x7F
            value >>= 7
            out.append(b | 0x80 if value else b)
            if not value:
                break
    return bytes(out) + data


# A first byte whose wire type is 7 (none exists): every protobuf parser rejects such bytes at
# offset 0, so random bytes behind it are guaranteed malformed.
MALFORMED_LEAD = 0x0F
