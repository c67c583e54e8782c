#!/usr/bin/env python3
"""Checks the stored tumbling windows (floe-store-dump --windows) against the raw points that
floe-sim recorded (--record, format at the top of sim/record.hpp).

  check_windows.py RECORD WINDOWS [WIDTH_MS (default 10000)] [MIN_SPAN_MS (default 20000)]

The raw points of a series are what check_stored.py expects the store to hold (load_record
there): one point per distinct metric timestamp, the last recorded value at that timestamp
winning (points sharing a millisecond share one store key); historical points included (they are
stored and recompute the windows they touch); null points hold no value and count in no window.

For every stored window of width WIDTH_MS of a numeric series (Int*, UInt*, Float, Double):
the aggregate recomputed from the recorded points in [start, start + width) must equal the
stored one: count, first/last timestamp, min, max, first, last exactly (values are copied, a
Float is the float widened to double on both sides), sum and mean within 1e-6 relative, stddev
(population) within 1e-6 relative. sum/mean/stddev also accept an absolute error below 1e-12 of
the largest magnitude in the window (double rounding of values that cancel; far below any
meaningful difference). Every numeric series whose recorded points span more than MIN_SPAN_MS
must have at least one such window (so the check cannot pass on an empty dump).

  check_windows.py --stored RECORD POINTS WINDOWS [WIDTH_MS] [MIN_SPAN_MS]

The same comparison against the raw points the store itself holds (floe-store-dump --points)
instead of the recorded ones, for stores that legitimately miss published points (a member that
was down, or owned an edge node only part of the time): every stored window must be the
aggregate of the stored points in it. RECORD only says which series are numeric (datatype).
Exit 0 when every check passes, 1 with the first mismatches on stderr.
"""
import bisect
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_stored import Mismatches, load_jsonl, load_record, load_records  # noqa: E402

NUMERIC = {"Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64", "Float",
           "Double"}
REL = 1e-6


def numeric_points(by_ts):
    """[(ts, value as double)] in time order: the last recorded value per timestamp, nulls and
    non-finite numbers (rejected by the aggregator) left out."""
    out = []
    for ts in sorted(by_ts):
        value, _ = by_ts[ts][-1]
        if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        x = float(value)
        if math.isfinite(x):
            out.append((ts, x))
    return out


def aggregate(points):
    xs = [x for _, x in points]
    n = len(xs)
    total = math.fsum(xs)
    mean = total / n
    m2 = math.fsum((x - mean) ** 2 for x in xs)
    return {
        "count": n,
        "first_ts_ms": points[0][0],
        "last_ts_ms": points[-1][0],
        "min": min(xs),
        "max": max(xs),
        "sum": total,
        "mean": mean,
        "stddev": math.sqrt(m2 / n),
        "first": xs[0],
        "last": xs[-1],
        "scale": max(abs(x) for x in xs),
    }


def differs(field, want, got, scale):
    if got is None:  # non-finite in the dump (JSON null)
        return True
    if field in ("count", "first_ts_ms", "last_ts_ms", "min", "max", "first", "last"):
        return want != got
    return not math.isclose(want, got, rel_tol=REL, abs_tol=1e-12 * scale)


def numeric_series(record):
    """Names of the recorded series with a numeric datatype."""
    return {name for name, by_ts in record.items()
            if {t for pts in by_ts.values() for _, t in pts} & NUMERIC}


def stored_numeric_points(points, numeric_names):
    """[(ts, value as double)] per numeric series from floe-store-dump --points lines (one
    point per key, in time order as dumped); nulls and non-numbers left out."""
    out = {name: [] for name in numeric_names}
    for p in points:
        if p["series"] not in numeric_names:
            continue
        v = p["value"]
        if v is None or isinstance(v, bool) or not isinstance(v, (int, float)):
            continue
        x = float(v)
        if math.isfinite(x):
            out[p["series"]].append((p["ts"], x))
    for pts in out.values():
        pts.sort()
    return {name: pts for name, pts in out.items() if pts}


def check(record_path, windows_path, width_ms, min_span_ms):
    record, messages, undelivered = load_record(record_path)
    numeric = {name: numeric_points(record[name]) for name in numeric_series(record)}
    bad = Mismatches()
    return compare(numeric, load_jsonl(windows_path), width_ms, min_span_ms, bad, "published")


def check_stored_points(record_paths, points_path, windows_path, width_ms, min_span_ms):
    record, _, _ = load_records(record_paths)
    numeric = stored_numeric_points(load_jsonl(points_path), numeric_series(record))
    return compare(numeric, load_jsonl(windows_path), width_ms, min_span_ms, Mismatches(),
                   "stored")


def compare(numeric, windows, width_ms, min_span_ms, bad, source):
    """Every stored numeric window of width_ms against the aggregate of `numeric` (series ->
    [(ts, x)] in time order) in it; every series spanning more than min_span_ms has one.
    source names where `numeric` comes from ("published" or "stored"), for the messages."""
    stamps = {name: [ts for ts, _ in pts] for name, pts in numeric.items()}
    checked = {}
    other_widths = 0
    for w in windows:
        if w["width_ms"] != width_ms:
            other_widths += 1
            continue
        if w["kind"] != "numeric":
            continue
        name, start = w["series"], w["start_ms"]
        where = f"{name} window [{start}, {start + width_ms})"
        if name not in numeric:
            bad.add(f"{where}: numeric window stored, but no numeric points of that series "
                    f"were {source}")
            continue
        if start % width_ms:
            bad.add(f"{where}: start is not a multiple of the width")
        lo = bisect.bisect_left(stamps[name], start)
        hi = bisect.bisect_left(stamps[name], start + width_ms)
        inside = numeric[name][lo:hi]
        if not inside:
            bad.add(f"{where}: stored count {w['count']}, but no {source} point lies in it")
            continue
        want = aggregate(inside)
        wrong = [f for f in ("count", "first_ts_ms", "last_ts_ms", "min", "max", "sum", "mean",
                             "stddev", "first", "last")
                 if differs(f, want[f], w.get(f), want["scale"])]
        if wrong:
            bad.add(f"{where}: " + ", ".join(
                f"{f} expected {want[f]!r} stored {w.get(f)!r}" for f in wrong))
        checked[name] = checked.get(name, 0) + 1
    long_series = 0
    for name, pts in sorted(numeric.items()):
        if len(pts) < 2 or pts[-1][0] - pts[0][0] <= min_span_ms:
            continue
        long_series += 1
        if not checked.get(name):
            bad.add(f"{name}: its points span {pts[-1][0] - pts[0][0]} ms "
                    f"({pts[0][0]}..{pts[-1][0]}, {len(pts)} points) but no window of "
                    f"{width_ms} ms is stored")
    print(f"{sum(checked.values())} windows of {width_ms} ms checked over {len(checked)} numeric "
          f"series ({len(numeric)} numeric series {source}, {long_series} span more than "
          f"{min_span_ms} ms; {len(windows)} windows stored, {other_widths} of other widths)")
    return bad.report(f"mismatches between stored windows and the {source} points")


def main(argv):
    if len(argv) >= 2 and argv[1] == "--stored":
        if len(argv) not in (5, 6, 7):
            print(__doc__, file=sys.stderr)
            return 2
        width = int(argv[5]) if len(argv) > 5 else 10000
        span = int(argv[6]) if len(argv) > 6 else 20000
        return 0 if check_stored_points([argv[2]], argv[3], argv[4], width, span) else 1
    if len(argv) not in (3, 4, 5):
        print(__doc__, file=sys.stderr)
        return 2
    width = int(argv[3]) if len(argv) > 3 else 10000
    span = int(argv[4]) if len(argv) > 4 else 20000
    return 0 if check(argv[1], argv[2], width, span) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
