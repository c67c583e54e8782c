"""report.json and report.md of one chaos run. Written after every scenario, so an
interrupted run still leaves a report of what finished."""
import json
import os

CLAIMS = """\
What the invariants claim (docs/chaos.md has the reasoning):
- `stored_subset_of_published`: every stored point is a (series, timestamp, value) a
  simulator published. Holds always, whatever was lost; hostile input may not add anything.
- `acknowledged_points_stored`: a member never loses what it acknowledged. Counted from its
  "points committed N" lines (per incarnation) against the points in its final store with a
  timestamp up to that line, minus an allowance for writes that overwrite a point (duplicate
  timestamps in the record, replayed hostile payloads); plus points a member returned from its
  store (floe-admin history) right before a disruption, which must still be there.
- `last_values_equal`: after the heal, every edge node is asked for a Rebirth and the stream
  runs healthy for a while: then the newest stored point of every series equals the last
  published one (with a cluster, in the final owner's store).
- `healthy_tail_complete`: every point published after the system settled is stored. Points
  published while a member was down, partitioned or starved, or while nobody was subscribed,
  are legitimately lost (QoS 0) and only counted (`published_not_stored`).
- `windows_match_points`: each member's stored windows are the aggregates of that member's own
  stored points (not of everything published: a member that missed points computes its windows
  without them).
- `no_unexpected_exit`, `memory_bounded`, `one_owner_per_edge_node` (cluster only),
  `fault_took_effect` (the fault demonstrably happened), `phase_*` (the run reached each
  phase in time).
"""


def _fmt_time(ms, t0):
    return f"{(ms - t0) / 1000:7.1f}s"


def write(results_dir, suite, scenarios):
    os.makedirs(results_dir, exist_ok=True)
    with open(os.path.join(results_dir, "report.json"), "w") as f:
        json.dump({"suite": suite, "scenarios": scenarios}, f, indent=1, default=str)
    with open(os.path.join(results_dir, "report.md"), "w") as f:
        f.write(markdown(suite, scenarios))


def markdown(suite, scenarios):
    out = [f"# floe chaos run {suite['started']}", ""]
    out += [f"- kind: **{suite['kind']}**, seed {suite['seed']}, fault phase "
            f"{suite['duration_s']} s per scenario",
            f"- members: {suite['members']} ({suite['cluster_note']})",
            f"- topology: {suite['topology_note']}",
            f"- simulator: {suite['edge_nodes']} edge nodes x {suite['devices_per_node']} devices "
            f"= {suite['edge_nodes'] * suite['devices_per_node']} devices (plus scenario "
            f"extras), {suite['rate']} DDATA/s per device, profile {suite['profile']}",
            f"- binaries: {suite['binaries']}",
            f"- result: **{suite.get('verdict', 'running')}**"
            + (f", {suite['elapsed_s']} s" if suite.get("elapsed_s") else ""), ""]
    out += ["| scenario | result | time | faults | published points | stored (union) | "
            "lost (legit.) | failed checks |", "|---|---|---|---|---|---|---|---|"]
    for s in scenarios:
        d = s.get("numbers", {}).get("data", {})
        failed = [c["name"] for c in s.get("checks", []) if not c["ok"]]
        if s["status"] == "error":
            failed = [s.get("error", "error")[:80]] + failed
        out.append(f"| {s['name']} | {s['status'].upper()} | {s.get('duration_s', '')} s | "
                   f"{_faults(s)} | {d.get('published_points', '')} | "
                   f"{d.get('stored_points_union', '')} | {d.get('published_not_stored', '')} | "
                   f"{', '.join(failed) or '-'} |")
    out.append("")
    for s in scenarios:
        out += _scenario(s)
    out += ["", CLAIMS]
    return "\n".join(out) + "\n"


def _faults(s):
    n = sum(1 for e in s.get("events", []) if e["what"] in FAULT_EVENTS)
    return str(n) if s["status"] != "skipped" else ""


FAULT_EVENTS = {"kill -9", "SIGTERM", "broker SIGKILL", "broker SIGTERM", "partition",
                "slow network episode", "disk full", "flapkill simulator restarted",
                "flapkill simulator frozen", "hostile publisher started"}


def _scenario(s):
    out = [f"## {s['name']}: {s['status'].upper()}", "", s.get("description", ""), ""]
    if s["status"] == "skipped":
        return out + [f"Skipped: {s.get('reason')}", ""]
    out.append(f"Topology {s.get('topology')}, {s.get('members')} member(s)"
               f"{' (cluster)' if s.get('cluster') else ''}, {s.get('edge_nodes')} edge nodes, "
               f"{s.get('devices')} devices, seed {s.get('seed')}; files in `{s.get('workdir')}`.")
    out.append("")
    if s.get("error"):
        out += [f"**Error:** `{s['error']}`", ""]
        if s.get("traceback"):
            out += ["```", s["traceback"].strip()[-3000:], "```", ""]
    events = s.get("events", [])
    if events:
        t0 = events[0]["t_ms"]
        out += ["Timeline:", "", "```"]
        for e in events:
            extra = " ".join(f"{k}={v}" for k, v in e.items() if k not in ("t_ms", "what"))
            out.append(f"{_fmt_time(e['t_ms'], t0)}  {e['what']}  {extra}"[:400])
        out += ["```", ""]
    phases = s.get("phases", {})
    if phases:
        out.append("Phases: " + ", ".join(f"{k} {v['duration_s']} s" for k, v in phases.items()))
        out.append("")
    d = s.get("numbers", {}).get("data")
    if d:
        out += ["Data: " + ", ".join(f"{k} {v}" for k, v in d.items()), ""]
    log = s.get("numbers", {}).get("member_log")
    if log:
        out.append(f"Member logs: {log['errors']} ERROR lines, {log['warnings']} WARN lines.")
        for line in log["first_errors"]:
            out.append(f"    {line}")
        out.append("")
    fin = s.get("numbers", {}).get("final_stats")
    if fin:
        out += ["Final member statistics:", "", "```"]
        for name, st in fin.items():
            out.append(f"{name}: {json.dumps(st)}")
        out += ["```", ""]
    for key in ("hostile", "disk_cycles", "slow_episodes"):
        if key in s.get("numbers", {}):
            out += [f"{key}: `{json.dumps(s['numbers'][key])[:2000]}`", ""]
    if s.get("checks"):
        out += ["| check | ok | what was found |", "|---|---|---|"]
        for c in s["checks"]:
            out.append(f"| {c['name']} | {'yes' if c['ok'] else '**NO**'} | "
                       f"{c['summary'].replace('|', '/')} |")
        out.append("")
        for c in s["checks"]:
            if c["details"] and not c["ok"]:
                out += [f"{c['name']}, first details:", "", "```"]
                out += [x[:400] for x in c["details"]]
                out += ["```", ""]
    crashed = [p for p in s.get("processes", []) if p["end"] == "crashed"]
    for p in crashed:
        out.append(f"- crashed: {p['name']} ({p['detail']}), log `{p['log']}`")
    return out + [""]
