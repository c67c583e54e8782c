#!/usr/bin/env python3
"""Checks of a floe cluster run, for the cluster integration tests and the cluster benchmark.

  check_cluster.py owners EDGE_NODES STATUS.json...
      STATUS files: `floe-admin --json -c cluster` of every running member. Passes when each of
      the EDGE_NODES ("group/edge", comma-separated) is owned by exactly one member, and every
      member has a majority. Prints "owner <key> <member>" lines.
  check_cluster.py stored RECORD MIN_COVERAGE POINTS.jsonl...
      RECORD: floe-sim --record; POINTS: floe-store-dump --points of every member. Over the
      union of the members' stores: every stored point is a published (series, timestamp,
      value) (a point stored by two members during a hand-over is one point with one value);
      every series' newest stored point is its last published one (the stream ended quiet, with
      a stable owner); at least MIN_COVERAGE (0..1) of the published points are stored (what was
      published while an edge node had no owner is lost: QoS 0, no state migration).
Exit 0 when every check passes, 1 otherwise (mismatches on stderr).
"""
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_stored import Mismatches, check_points_recorded, load_jsonl, load_record, same_value  # noqa: E402


def check_owners(keys, status_paths):
    bad = Mismatches()
    owners = {k: [] for k in keys}
    for path in status_paths:
        s = json.load(open(path))
        if not s.get("enabled"):
            bad.add(f"{path}: not a cluster member")
            continue
        if not s["majority"]:
            bad.add(f"{s['self']}: no majority ({s['live']} of {s['cluster_size']} live)")
        for k in s["owned"]:
            owners.setdefault(k, []).append(s["self"])
    for k, who in sorted(owners.items()):
        if len(who) != 1:
            bad.add(f"{k}: {len(who)} owners {who}")
        else:
            print(f"owner {k} {who[0]}")
    return bad.report("ownership violations")


def check_stored(record_path, min_coverage, points_paths):
    record, messages, undelivered = load_record(record_path)
    bad = Mismatches()
    newest = {}  # series -> (ts, value)
    distinct = set()
    for path in points_paths:
        points = load_jsonl(path)
        check_points_recorded(record, points, bad)
        for p in points:
            distinct.add((p["series"], p["ts"]))
            if p["series"] not in newest or p["ts"] > newest[p["series"]][0]:
                newest[p["series"]] = (p["ts"], p["value"])
    published = 0
    for name, by_ts in sorted(record.items()):
        published += len(by_ts)
        last_ts = max(by_ts)
        last_value, last_type = by_ts[last_ts][-1]
        got = newest.get(name)
        if got is None:
            bad.add(f"{name}: nothing stored by any member")
        elif got[0] != last_ts:
            bad.add(f"{name}: newest stored timestamp {got[0]}, last published {last_ts}")
        elif not same_value(last_value, last_type, got[1]):
            bad.add(f"{name}: last value stored {got[1]!r}, published {last_value!r}")
    coverage = len(distinct) / published if published else 0.0
    print(f"{len(record)} series, {published} points published ({messages} messages), "
          f"{len(distinct)} stored over {len(points_paths)} members: coverage {coverage:.4f}")
    if coverage < min_coverage:
        bad.add(f"coverage {coverage:.4f} below {min_coverage}")
    return bad.report("mismatches between the stores and the record")


def main(argv):
    if len(argv) >= 4 and argv[1] == "owners":
        ok = check_owners([k for k in argv[2].split(",") if k], argv[3:])
    elif len(argv) >= 5 and argv[1] == "stored":
        ok = check_stored(argv[2], float(argv[3]), argv[4:])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
