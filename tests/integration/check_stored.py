#!/usr/bin/env python3
"""Compares what floe-node stored (floe-store-dump output) with what floe-sim recorded
(--record, format at the top of sim/record.hpp).

What the node is expected to store, per series "group/edge/device/metric" (device "" for node
metrics): one point per distinct metric timestamp of every BIRTH and DATA message that left the
simulator (messages marked {"undelivered": id} excluded), historical metrics included, nulls
included (stored as null points), transient metrics and Array/DataSet/Template metrics excluded
(not points). A metric without its own timestamp takes the payload's. Points of one series with
the same timestamp share one key, so the last one recorded wins.

  check_stored.py all RECORD SUMMARY POINTS
      every series: stored point count == distinct recorded timestamps, stored last value ==
      recorded last value; every stored point is a recorded (series, timestamp, value).
  check_stored.py crash RECORD POINTS KILL_MS COMMITTED RESTART_MS
      points with timestamp <= KILL_MS >= COMMITTED (acknowledged before kill -9); every stored
      point is a recorded (series, timestamp, value); some point has timestamp > RESTART_MS.
Exit 0 when every check passes, 1 with the first mismatches on stderr.
"""
import json
import math
import sys

NOT_POINTS = ("DataSet", "Template")
STORED_TYPES = ("NBIRTH", "DBIRTH", "NDATA", "DDATA")
SHOW = 10


def is_point_type(datatype):
    return datatype is not None and datatype not in NOT_POINTS and not datatype.endswith("Array")


def load_record(path):
    """series -> {timestamp: [(value, datatype), ...] in publish order}."""
    with open(path) as f:
        lines = [json.loads(l) for l in f if l.strip()]
    undelivered = {l["undelivered"] for l in lines if "undelivered" in l}
    series = {}
    messages = 0
    for msg in lines:
        if "undelivered" in msg or msg["type"] not in STORED_TYPES or msg["id"] in undelivered:
            continue
        messages += 1
        device = msg["device"] or ""
        for m in msg["metrics"]:
            if m.get("is_transient") or not is_point_type(m.get("datatype")):
                continue
            if m["name"] is None:
                raise SystemExit(f"record message {msg['id']}: metric without a name: {m}")
            name = f"{msg['group']}/{msg['edge_node']}/{device}/{m['name']}"
            ts = m["timestamp"] if m["timestamp"] is not None else msg["timestamp"]
            value = None if m.get("is_null") else m["value"]
            series.setdefault(name, {}).setdefault(ts, []).append((value, m["datatype"]))
    return series, messages, len(undelivered)


def load_records(paths):
    """load_record over several record files (several simulators, or the incarnations of one
    restarted simulator): the union of their series; where two files recorded the same
    (series, timestamp), both values are kept, in the order of `paths`. Returns (series,
    messages, undelivered) summed over the files."""
    merged, messages, undelivered = {}, 0, 0
    for path in paths:
        series, m, u = load_record(path)
        messages += m
        undelivered += u
        for name, by_ts in series.items():
            into = merged.setdefault(name, {})
            for ts, values in by_ts.items():
                into.setdefault(ts, []).extend(values)
    return merged, messages, undelivered


def same_value(recorded, datatype, stored):
    if recorded is None or stored is None:
        return recorded is None and stored is None
    if isinstance(recorded, bool) or isinstance(stored, bool):
        return isinstance(recorded, bool) and isinstance(stored, bool) and recorded == stored
    if isinstance(recorded, (int, float)) and isinstance(stored, (int, float)):
        if datatype in ("Float", "Double") or isinstance(recorded, float):
            return math.isclose(recorded, stored, rel_tol=1e-6, abs_tol=1e-9)
        return recorded == stored
    return recorded == stored


def load_jsonl(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


class Mismatches:
    def __init__(self):
        self.items = []

    def add(self, text):
        self.items.append(text)

    def report(self, what):
        if not self.items:
            return True
        print(f"FAIL: {len(self.items)} {what}; first {min(SHOW, len(self.items))}:",
              file=sys.stderr)
        for t in self.items[:SHOW]:
            print("  " + t, file=sys.stderr)
        return False


def check_points_recorded(record, points, bad):
    """Every stored point is a recorded (series, timestamp, value)."""
    for p in points:
        at = record.get(p["series"], {}).get(p["ts"])
        if at is None:
            bad.add(f"{p['series']} ts {p['ts']}: stored value {p['value']!r} was never "
                    f"published at that timestamp")
        elif not any(same_value(v, t, p["value"]) for v, t in at):
            bad.add(f"{p['series']} ts {p['ts']}: stored {p['value']!r}, published "
                    f"{[v for v, _ in at]!r}")


def check_all(record_path, summary_path, points_path):
    record, messages, undelivered = load_record(record_path)
    summary = {s["series"]: s for s in load_jsonl(summary_path)}
    points = load_jsonl(points_path)
    if not record:
        raise SystemExit("FAIL: the record holds no stored-kind metrics")
    bad = Mismatches()
    expected_points = 0
    for name, by_ts in sorted(record.items()):
        want = len(by_ts)
        expected_points += want
        last_ts = max(by_ts)
        last_value, last_type = by_ts[last_ts][-1]
        got = summary.get(name)
        if got is None:
            bad.add(f"{name}: not in the store (expected {want} points, last {last_value!r} "
                    f"at {last_ts})")
            continue
        if got["points"] != want:
            bad.add(f"{name}: {got['points']} points stored, {want} distinct timestamps "
                    f"published (stored {got['first_ts']}..{got['last_ts']}, published "
                    f"{min(by_ts)}..{last_ts})")
        if got["last_ts"] != last_ts:
            bad.add(f"{name}: last stored timestamp {got['last_ts']}, last published {last_ts}")
        elif not same_value(last_value, last_type, got["last_value"]):
            bad.add(f"{name}: last value at {last_ts}: stored {got['last_value']!r}, published "
                    f"{last_value!r} ({last_type}; all published at that ts: "
                    f"{[v for v, _ in by_ts[last_ts]]!r})")
    for name, got in sorted(summary.items()):
        if name not in record and got["points"] > 0:
            bad.add(f"{name}: {got['points']} points stored, none published")
    stored_points = sum(s["points"] for s in summary.values())
    if len(points) != stored_points:
        bad.add(f"--points printed {len(points)} points, the summary counts {stored_points}")
    check_points_recorded(record, points, bad)
    print(f"{len(record)} series, {expected_points} points checked "
          f"({messages} messages, {undelivered} undelivered; {stored_points} points stored)")
    return bad.report("mismatches between the store and the record")


def check_crash(record_path, points_path, kill_ms, committed, restart_ms):
    record, messages, undelivered = load_record(record_path)
    points = load_jsonl(points_path)
    bad = Mismatches()
    before_kill = sum(1 for p in points if p["ts"] <= kill_ms)
    after_restart = sum(1 for p in points if p["ts"] > restart_ms)
    if before_kill < committed:
        bad.add(f"only {before_kill} stored points have a timestamp <= the kill time {kill_ms}, "
                f"but the node had reported {committed} points committed before kill -9")
    if after_restart == 0:
        bad.add(f"no stored point has a timestamp after the restart at {restart_ms}")
    check_points_recorded(record, points, bad)
    print(f"{len({p['series'] for p in points})} series, {len(points)} points checked "
          f"({before_kill} at or before the kill (>= {committed} acknowledged), {after_restart} "
          f"after the restart; {messages} messages recorded, {undelivered} undelivered)")
    return bad.report("violations")


def main(argv):
    if len(argv) == 5 and argv[1] == "all":
        ok = check_all(argv[2], argv[3], argv[4])
    elif len(argv) == 7 and argv[1] == "crash":
        ok = check_crash(argv[2], argv[3], int(argv[4]), int(argv[5]), int(argv[6]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
