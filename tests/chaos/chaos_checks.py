"""The invariants checked after every chaos scenario, from the simulators' records (what was
published) and the stopped members' stores (floe-store-dump). docs/chaos.md explains what each
one can honestly claim when data was legitimately lost (QoS 0 while nobody was subscribed).

Every check returns a dict {"name", "ok", "summary", "details": [first violations],
"numbers": {...}}. A check that could not run (missing input) fails; it never passes by default.
"""
import bisect
import contextlib
import io
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from check_stored import (Mismatches, check_points_recorded, load_jsonl,  # noqa: E402
                          load_records, same_value)
import check_windows  # noqa: E402

SHOW = 10


def result(name, ok, summary, details=(), **numbers):
    return {"name": name, "ok": bool(ok), "summary": summary, "details": list(details)[:SHOW],
            "numbers": numbers}


def series_key(series):
    """"group/edge" of a series name "group/edge/device/metric"."""
    parts = series.split("/", 3)
    return f"{parts[0]}/{parts[1]}"


class Evidence:
    """What a finished scenario left behind, loaded once for all checks."""

    def __init__(self, record_paths, member_dumps):
        self.record, self.messages, self.undelivered = load_records(record_paths)
        self.points = {}     # member -> list of point dicts
        self.summary = {}    # member -> {series: summary line}
        self.windows = {}    # member -> list of window dicts
        for member, paths in member_dumps.items():
            self.points[member] = load_jsonl(paths["points"])
            self.summary[member] = {s["series"]: s for s in load_jsonl(paths["summary"])}
            self.windows[member] = load_jsonl(paths["windows"])
        self.entries = sum(len(v) for by_ts in self.record.values() for v in by_ts.values())
        self.distinct = sum(len(by_ts) for by_ts in self.record.values())

    def stored_keys(self, member):
        return {(p["series"], p["ts"]) for p in self.points[member]}

    def record_duplicates(self):
        """Recorded metric values beyond the first per (series, timestamp): each may overwrite
        a stored point instead of adding one."""
        return self.entries - self.distinct

    def node_level_entries(self):
        return sum(len(v) for name, by_ts in self.record.items()
                   if name.split("/", 3)[2] == "" for v in by_ts.values())


def captured(fn, *args):
    """Runs a check function of tests/integration, returning (its value, what it printed)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        value = fn(*args)
    return value, (out.getvalue() + err.getvalue()).strip()


# --- 1. processes ---

def check_processes(procs):
    """No process ended in a way the scenario did not cause: members and the broker only by
    our SIGKILL or by SIGTERM with exit 0, simulators only by SIGTERM with exit 0; no crash
    signature (sanitizer report, assertion, uncaught exception) in any log."""
    bad = []
    for p in procs:
        p.poll()
        if p.end_kind == "crashed":
            bad.append(f"{p.name} ({p.role}): {p.end_detail}; log tail: "
                       + p.log_tail(5).replace("\n", " | "))
        for line in p.crash_lines()[:3]:
            bad.append(f"{p.name}: crash signature in the log: {line.strip()[:300]}")
    kills = sum(1 for p in procs if p.end_kind == "killed")
    stops = sum(1 for p in procs if p.end_kind == "stopped")
    return result("no_unexpected_exit", not bad,
                  f"{len(procs)} processes: {kills} killed by the scenario, {stops} stopped "
                  f"cleanly (exit 0 after SIGTERM), {len(bad)} unexpected ends or crash lines",
                  bad, processes=len(procs), killed=kills, stopped=stops)


# --- 2. stored points were published ---

def check_stored_published(ev):
    """Every point in every member's store is a (series, timestamp, value) some simulator
    published: nothing invented, nothing from hostile input, no value changed."""
    bad = Mismatches()
    total = 0
    for member, points in ev.points.items():
        before = len(bad.items)
        check_points_recorded(ev.record, points, bad)
        for i in range(before, len(bad.items)):
            bad.items[i] = f"{member}: {bad.items[i]}"
        total += len(points)
    if total == 0:
        return result("stored_subset_of_published", False, "no member stored any point")
    return result("stored_subset_of_published", not bad.items,
                  f"{total} stored points over {len(ev.points)} member(s) checked against "
                  f"{ev.distinct} published (series, timestamp) pairs; {len(bad.items)} not "
                  f"published as stored", bad.items, stored=total, violations=len(bad.items))


# --- 3. acknowledged points are stored ---

def check_acknowledged(ev, committed_by_member, duplicate_allowance, ack_snapshots):
    """(a) Counts: a member that reported "points committed C" at time t (C counted from the
    start of that incarnation) must hold at least (what its earlier incarnations reported at
    their end) + C - D distinct points with timestamp <= t, D bounding the writes that could
    overwrite a point instead of adding one (duplicates in the record, replays).
    (b) Samples: every point a member returned from its store (floe-admin history) just before
    a disruption is in that member's final store with the same value."""
    bad = []
    samples = 0
    slack = None  # smallest (stored - required) over all samples: how tight the count check is
    for member, lifetimes in committed_by_member.items():
        if member not in ev.points:
            bad.append(f"{member}: no store dump to check its acknowledgements against")
            continue
        stamps = sorted(p["ts"] for p in ev.points[member])
        earlier = 0
        for n, lifetime in enumerate(lifetimes, 1):
            for t, c in lifetime:
                samples += 1
                have = bisect.bisect_right(stamps, t)
                need = earlier + c - duplicate_allowance
                slack = have - need if slack is None else min(slack, have - need)
                if have < need:
                    bad.append(f"{member} incarnation {n}: reported {c} points committed at "
                               f"{t} (+{earlier} by earlier incarnations), but only {have} "
                               f"stored points have a timestamp <= {t} (allowance "
                               f"{duplicate_allowance} for overwrites)")
            if lifetime:
                earlier += lifetime[-1][1]
    sampled = 0
    # A member answers history for the whole cluster (gathered from every member's store,
    # docs/cluster.md "Queries"), so a point it answered must be in some member's store.
    stored = {}
    for member_points in ev.points.values():
        for p in member_points:
            stored.setdefault((p["series"], p["ts"]), p["value"])
    for snap in ack_snapshots:
        member = snap["member"]
        if member not in ev.points:
            continue
        for series, ts, number in snap["points"]:
            sampled += 1
            if (series, ts) not in stored:
                bad.append(f"{member}: {series} at {ts} was answered by its history before "
                           f"the {snap['before']} at {snap['t_ms']}, but is in no member's "
                           f"store")
            elif not _history_agrees(number, stored[(series, ts)]):
                bad.append(f"{member}: {series} at {ts}: history said {number!r}, store holds "
                           f"{stored[(series, ts)]!r}")
    if samples == 0:
        return result("acknowledged_points_stored", False,
                      "no member reported a committed count (no stats lines in the logs)")
    return result("acknowledged_points_stored", not bad,
                  f"{samples} committed counts (stats lines of every incarnation; overwrite "
                  f"allowance {duplicate_allowance}, smallest margin {slack}) and {sampled} "
                  f"sampled history points checked; {len(bad)} violations",
                  bad, count_samples=samples, history_points=sampled,
                  duplicate_allowance=duplicate_allowance, min_slack=slack)


def _history_agrees(number, stored):
    """floe-admin history gives numbers (booleans as 1/0) or null for texts; a text is only
    checked for presence."""
    if number is None:
        return True
    if isinstance(stored, bool):
        return number == (1.0 if stored else 0.0)
    return isinstance(stored, (int, float)) and same_value(number, "Double", stored)


# --- 4. last values ---

def check_last_values(ev, final_owner=None):
    """Once the stream is quiet (after a final Rebirth of every edge node and a healthy tail),
    the newest stored point of every published series, over all members, is the last published
    (timestamp, value). With a cluster, the member owning the edge node at the end holds it."""
    newest = {}  # series -> (ts, value, member)
    for member, summary in ev.summary.items():
        for name, s in summary.items():
            if s["last_ts"] is None:
                continue
            if name not in newest or s["last_ts"] > newest[name][0]:
                newest[name] = (s["last_ts"], s["last_value"], member)
    bad = []
    for name, by_ts in sorted(ev.record.items()):
        last_ts = max(by_ts)
        value, datatype = by_ts[last_ts][-1]
        got = newest.get(name)
        if got is None:
            bad.append(f"{name}: stored by no member (last published {value!r} at {last_ts})")
            continue
        ts, stored, member = got
        if ts != last_ts:
            bad.append(f"{name}: newest stored point at {ts} ({member}), last published at "
                       f"{last_ts} ({last_ts - ts:+d} ms)")
        elif not same_value(value, datatype, stored):
            bad.append(f"{name} at {ts}: stored {stored!r} ({member}), published {value!r}")
        elif final_owner is not None:
            owner = final_owner.get(series_key(name))
            held = ev.summary.get(owner, {}).get(name) if owner else None
            if held is None or held["last_ts"] != last_ts:
                bad.append(f"{name}: last value at {last_ts} is in {member}'s store, but the "
                           f"final owner {owner} holds {held['last_ts'] if held else 'nothing'}")
    return result("last_values_equal", not bad,
                  f"{len(ev.record)} published series: {len(ev.record) - len(bad)} with the last "
                  f"published value stored as the newest point, {len(bad)} not", bad,
                  series=len(ev.record), violations=len(bad))


# --- 5. windows ---

def check_windows_match(ev, width_ms=10000, min_span_ms=20000):
    """Per member: every stored numeric window of width_ms is the aggregate (count, first,
    last, min, max, sum, mean, stddev) of that member's own stored points in it, and every
    numeric series whose stored points span more than min_span_ms has a window."""
    numeric_names = check_windows.numeric_series(ev.record)
    bad, lines, windows = [], [], 0
    for member in ev.points:
        numeric = check_windows.stored_numeric_points(ev.points[member], numeric_names)
        m = Mismatches()
        ok, text = captured(check_windows.compare, numeric, ev.windows[member], width_ms,
                            min_span_ms, m, "stored")
        windows += sum(1 for w in ev.windows[member]
                       if w["width_ms"] == width_ms and w["kind"] == "numeric")
        lines.append(f"{member}: {text.splitlines()[0] if text else ''}")
        bad += [f"{member}: {x}" for x in m.items]
    if windows == 0:
        return result("windows_match_points", False,
                      f"no numeric {width_ms} ms window stored by any member", lines)
    return result("windows_match_points", not bad,
                  f"{windows} numeric windows of {width_ms} ms compared with the members' own "
                  f"points; {len(bad)} mismatches", bad or lines, windows=windows,
                  violations=len(bad))


# --- 6. nothing lost while healthy ---

def check_tail_complete(ev, settled_ms):
    """Every point published at or after `settled_ms` (all faults healed, every edge node
    reborn after the heal, members connected) is stored by some member: no loss while the
    system is healthy."""
    stored = set()
    for member in ev.points:
        stored |= ev.stored_keys(member)
    want, missing = 0, []
    for name, by_ts in ev.record.items():
        for ts in by_ts:
            if ts >= settled_ms:
                want += 1
                if (name, ts) not in stored:
                    missing.append(f"{name} at {ts} ({ts - settled_ms} ms after settling)")
    if want == 0:
        return result("healthy_tail_complete", False,
                      f"no point was published after the system settled at {settled_ms}")
    missing.sort()
    return result("healthy_tail_complete", not missing,
                  f"{want} points published after settling: {want - len(missing)} stored, "
                  f"{len(missing)} missing", missing, published=want, missing=len(missing))


# --- 7. memory ---

def check_rss(members, limit_bytes):
    """Peak RSS of every member incarnation (sampled once a second from /proc) stays below the
    limit."""
    bad, lines = [], []
    peak_all = 0
    for m in members:
        for p in m.incarnations:
            if not p.rss:
                continue
            peak = max(b for _, b in p.rss)
            peak_all = max(peak_all, peak)
            lines.append(f"{p.name}: first {p.rss[0][1] >> 20} MiB, peak {peak >> 20} MiB, last "
                         f"{p.rss[-1][1] >> 20} MiB ({len(p.rss)} samples)")
            if peak > limit_bytes:
                bad.append(f"{p.name}: peak RSS {peak >> 20} MiB > limit {limit_bytes >> 20} MiB")
    if not lines:
        return result("memory_bounded", False, "no RSS sample of any member")
    return result("memory_bounded", not bad,
                  f"peak member RSS {peak_all >> 20} MiB (limit {limit_bytes >> 20} MiB)",
                  bad + lines, peak_mib=peak_all >> 20, limit_mib=limit_bytes >> 20)


# --- 8. cluster ownership ---

def check_single_owner(statuses, expected_keys):
    """After the heal: every edge node is owned by exactly one member (cluster only)."""
    owners = {}
    bad = []
    for member, st in statuses.items():
        if st is None or not isinstance(st.get("owned"), list):
            bad.append(f"{member}: no cluster status with an 'owned' list "
                       f"(reply: {str(st)[:200]})")
            continue
        for key in st["owned"]:
            owners.setdefault(key, []).append(member)
    for key in sorted(expected_keys):
        got = owners.get(key, [])
        if len(got) != 1:
            bad.append(f"{key}: owned by {got or 'nobody'}")
    return result("one_owner_per_edge_node", not bad,
                  f"{len(expected_keys)} edge nodes, {sum(1 for k in expected_keys if len(owners.get(k, [])) == 1)} "
                  f"with exactly one owner", bad, edge_nodes=len(expected_keys))


def loss_numbers(ev, phases=()):
    """Published points stored by no member (legitimate QoS 0 loss while nobody was
    subscribed): counted for the report, not an invariant; also per phase, `phases` being
    [(name, from_ms, to_ms)] of point timestamps. (A cluster's cold start loses the first
    births: edge nodes are discovered by them, and their owners ask for new ones.)"""
    stored = set()
    for member in ev.points:
        stored |= ev.stored_keys(member)
    lost_ts = [ts for name, by_ts in ev.record.items() for ts in by_ts
               if (name, ts) not in stored]
    by_phase = {}
    for name, lo, hi in phases:
        by_phase[name] = sum(1 for ts in lost_ts if lo <= ts < hi)
    return {"published_points": ev.distinct, "published_messages": ev.messages,
            "undelivered_messages": ev.undelivered, "stored_points_union": len(stored),
            "published_not_stored": len(lost_ts), "not_stored_by_phase": by_phase,
            "stored_points_per_member": {m: len(p) for m, p in ev.points.items()}}
