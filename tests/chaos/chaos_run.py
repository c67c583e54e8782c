"""One chaos scenario from start to verdict: topology, broker, members, simulators, warm-up,
the scenario's faults, heal, convergence, a final Rebirth of every edge node, a healthy tail,
a quiet stop, store dumps and the invariants (chaos_checks).

Contract: run_scenario() always tears down what it started (processes, namespaces, mounts),
also on an exception or KeyboardInterrupt (which it re-raises after the teardown), and
returns a result dict for the report.
"""
import os
import random
import shutil
import subprocess
import time
import traceback

import chaos_checks as checks
from chaos_floe import Broker, Member, Sim, dump_store
from chaos_net import Loopback, Netns, free_port
from chaos_procs import ProcessTable, now_ms

GROUP = "floe-sim"


def numbered_id(prefix, number, count):
    """Edge node ids as floe-sim makes them (sim/fleet.cpp numbered_id)."""
    width = max(2, len(str(count)))
    return f"{prefix}{str(number).zfill(width)}"


class SimSpec:
    """A simulator of the scenario: edge-node prefix, counts, extra args for its first
    incarnation only (faults that the heal removes)."""

    def __init__(self, name, prefix, edge_nodes, devices, args=(), first_args=(), rate=None,
                 with_faults=False):
        self.name, self.prefix, self.edge_nodes, self.devices = name, prefix, edge_nodes, devices
        self.args, self.first_args, self.rate = list(args), list(first_args), rate
        # True: started when the fault phase starts (a simulator that is itself the fault
        # would keep the warm-up from ever seeing every device online).
        self.with_faults = with_faults

    def keys(self):
        return [f"{GROUP}/{numbered_id(self.prefix, n, self.edge_nodes)}"
                for n in range(1, self.edge_nodes + 1)]


class ScenarioRun:
    def __init__(self, cfg, bins, scenario, workdir, cluster, n_members, use_netns, seed):
        self.cfg, self.bins, self.scenario, self.workdir = cfg, bins, scenario, workdir
        self.cluster, self.n_members, self.seed = cluster, n_members, seed
        self.rng = random.Random(seed)
        self.table = ProcessTable()
        self.topology = Netns(n_members) if use_netns else Loopback(n_members)
        self.events = []
        self.phases = {}
        self.ack_snapshots = []
        self.numbers = {}
        self.effects = []  # (ok, text) from the scenario: did the fault take effect
        self.mounts = []
        self.broker = None
        self.members = []
        self.sims = {}
        self.sim_specs = []
        self.primary_host = None
        self.ports = {}
        self.settled_ms = None
        self.final_status = {}
        self.final_stats = {}
        self.hostile = None
        self.duplicate_allowance_extra = 0

    # --- timeline ---

    def event(self, what, **kw):
        e = {"t_ms": now_ms(), "what": what}
        e.update(kw)
        self.events.append(e)
        self.cfg.log(f"    {time.strftime('%H:%M:%S')} {what}"
                     + "".join(f" {k}={v}" for k, v in kw.items() if k != "detail"))
        return e

    def phase(self, name, started, **kw):
        self.phases[name] = dict(duration_s=round(time.monotonic() - started, 2), **kw)

    # --- set-up ---

    def setup(self):
        # A results folder used again (ctest's fixed one) holds the previous run of this
        # scenario: start from an empty working directory.
        if os.path.isdir(self.workdir):
            shutil.rmtree(self.workdir)
        os.makedirs(self.workdir)
        self.topology.setup()
        broker_port = free_port()
        netns = isinstance(self.topology, Netns)
        self.ports = {"admin": {}, "cluster": {}}
        for i in range(1, self.n_members + 1):
            self.ports["admin"][i] = 4710 if netns else free_port()
            self.ports["cluster"][i] = 4711 if netns else free_port()
        self.broker = Broker(self.table, self.bins, self.workdir,
                             ["127.0.0.1", self.topology.broker_ip], broker_port)
        self.broker.start()
        if netns:
            self.topology.check_reachable(broker_port)
        self.members = [Member(self, i) for i in range(1, self.n_members + 1)]
        # One member: it is the edge nodes' primary host, as in a plain Sparkplug system
        # (simulators stop while it is offline and rebirth when it is back). A cluster has
        # one host id per member and no single primary host (docs/cluster.md, open questions).
        self.primary_host = None if self.cluster else self.members[0].host_id
        cfg = self.cfg
        self.sim_specs = [SimSpec("sim", "edge-", cfg.edge_nodes, cfg.devices_per_node)]
        self.sim_specs += self.scenario.extra_sims(self)

    def start_members(self):
        for m in self.members:
            m.start()
            self.event("member started", member=m.name, pid=m.proc.pid)
        if self.cluster:
            # Simulators start once the members see each other, so the cold start costs only
            # what the design costs (the first births, which discover the edge nodes), not
            # also the members' own link-up.
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                st = self.statuses()
                if all(x and x.get("majority") and x.get("live") == self.n_members
                       for x in st.values()):
                    self.event("members linked")
                    return
                time.sleep(0.2)
            raise RuntimeError(f"members did not link within 30 s: {st}")

    def start_sims(self, with_faults=False):
        for spec in self.sim_specs:
            if spec.with_faults != with_faults:
                continue
            sim = Sim(self, spec.name, ["--group", GROUP, "--edge-prefix", spec.prefix,
                                        "--edge-nodes", str(spec.edge_nodes),
                                        "--devices-per-node", str(spec.devices)] + spec.args,
                      rate=spec.rate)
            self.sims[spec.name] = sim
            sim.start(spec.first_args)
            self.event("simulator started", sim=spec.name, edge_nodes=spec.edge_nodes,
                       devices=spec.edge_nodes * spec.devices)

    def expected_keys(self, started_only=False):
        return sorted(k for s in self.sim_specs for k in s.keys()
                      if not started_only or s.name in self.sims)

    def total_devices(self):
        return sum(s.edge_nodes * s.devices for s in self.sim_specs)

    def all_procs(self):
        return list(self.table.procs)

    def nap(self, seconds):
        """Sleeps; returns False early (within 0.25 s) once a started process crashed."""
        end = time.monotonic() + seconds
        while True:
            if any(not getattr(p, "recovered", False) for p in self.table.crashed()):
                return False
            left = end - time.monotonic()
            if left <= 0:
                return True
            time.sleep(min(0.25, left))

    def recover_crashed(self):
        """Restarts members and the broker that crashed (the crash is already recorded as a
        failure), so convergence, the final Rebirth, the dumps and the data checks still run
        and the report shows what else went wrong."""
        for p in self.table.crashed():
            if getattr(p, "recovered", False):
                continue
            p.recovered = True
            self.event("process crashed", process=p.name, detail=p.end_detail,
                       last_line=(p.crash_lines() or [p.log_tail(1)])[-1][:300])
            if p.role == "member":
                m = next(m for m in self.members if p in m.incarnations)
                if m.proc is p:
                    m.start()
                    self.event("restarted after crash", member=m.name)
            elif p.role == "broker" and self.broker.proc is p:
                self.broker.start()
                self.event("broker restarted after crash")

    # --- observations ---

    def stats_all(self):
        return {m.name: m.stats() for m in self.members}

    def statuses(self):
        return {m.name: m.cluster_status() for m in self.members}

    def owners(self, statuses=None):
        """edge node key -> owning member name (cluster: from the members' status; a single
        member owns everything)."""
        if not self.cluster:
            return {k: self.members[0].name for k in self.expected_keys()}
        statuses = statuses or self.statuses()
        out = {}
        for name, st in statuses.items():
            for key in (st or {}).get("owned", []) or []:
                out.setdefault(key, name)
        return out

    def member(self, name):
        return next(m for m in self.members if m.name == name)

    def snapshot_acks(self, member, before, series_count=6, points=5):
        """Asks `member` for the newest stored points of a few of its series (the store's own
        answer: committed), to be found again in its final store. Also records its stats."""
        t = now_ms()
        nodes = member.admin("nodes")
        if not nodes or not nodes.get("edge_nodes"):
            return
        candidates = [(n["group"], n["edge_node"], d["id"]) for n in nodes["edge_nodes"]
                      for d in n.get("devices", [])]
        if not candidates:
            return
        picked = self.rng.sample(candidates, min(series_count, len(candidates)))
        shows = member.admin_batch([f"show {g}/{e}/{d}" for g, e, d in picked])
        history_cmds, names = [], []
        for (g, e, d), show in zip(picked, shows):
            if not show:
                continue
            metrics = [mt["name"] for mt in show.get("metrics", []) if mt.get("name")]
            if not metrics:
                continue
            metric = self.rng.choice(metrics)
            series = f"{g}/{e}/{d}/{metric}"
            quoted = series.replace("\\", "\\\\").replace('"', '\\"')
            history_cmds.append(f'history "{quoted}" --from -10m --to now --limit {points}')
            names.append(series)
        got = []
        for series, reply in zip(names, member.admin_batch(history_cmds)):
            for p in (reply or {}).get("points", []):
                got.append((series, p["timestamp_ms"], p.get("number")))
        self.ack_snapshots.append({"member": member.name, "t_ms": t, "before": before,
                                   "points": got})

    # --- phases after the faults ---

    def wait_births(self, timeout_s, since_ms=None):
        """Until every edge node of the running simulators is online at its owner with all
        devices online (and born at or after since_ms, when given). Returns (ok, detail)."""
        deadline = time.monotonic() + timeout_s
        keys = set(self.expected_keys(started_only=True))
        missing = keys
        while time.monotonic() < deadline:
            owners = self.owners()
            by_member = {}
            for k in keys:
                by_member.setdefault(owners.get(k), []).append(k)
            missing = set(by_member.pop(None, []))
            for name, ks in by_member.items():
                reply = self.member(name).admin("nodes", timeout_ms=10000)
                seen = {f"{n['group']}/{n['edge_node']}": n
                        for n in (reply or {}).get("edge_nodes", [])}
                for k in ks:
                    n = seen.get(k)
                    if (n is None or not n["online"] or n["devices_online"] != n["devices_total"]
                            or (since_ms is not None and n["birth_timestamp_ms"] < since_ms)):
                        missing.add(k)
            if not missing:
                return True, ""
            time.sleep(1.0)
        return False, f"{len(missing)} edge nodes not (re)born: {sorted(missing)[:8]}"

    def converge(self, timeout_s):
        """Until every member answers, is connected to the broker and (cluster) sees every
        member live with a majority and the edge nodes owned once each."""
        deadline = time.monotonic() + timeout_s
        why = "not checked"
        keys = set(self.expected_keys())
        while time.monotonic() < deadline:
            why = ""
            for m in self.members:
                st = m.stats()
                if not st:
                    why = f"{m.name} does not answer"
                elif not st["ingest"]["connected"]:
                    why = f"{m.name} not connected to the broker"
                if why:
                    break
            if not why and self.cluster:
                statuses = self.statuses()
                owned = {}
                for name, st in statuses.items():
                    if not st or not st.get("majority") or st.get("live") != self.n_members:
                        why = f"{name}: cluster view {str(st)[:160]}"
                        break
                    for k in st.get("owned", []):
                        owned.setdefault(k, []).append(name)
                if not why:
                    wrong = [k for k in keys if len(owned.get(k, [])) != 1]
                    if wrong:
                        why = f"{len(wrong)} edge nodes without exactly one owner"
            if not why:
                return True, ""
            time.sleep(0.5)
        return False, why

    def final_rebirth(self, timeout_s):
        """Every edge node's owner sends it a Rebirth; then waits for all births. After this
        every series has been published once more while every member listens, which is what
        makes the last-value and healthy-tail checks exact."""
        start_ms = now_ms()
        pending = set(self.expected_keys())
        attempts = 0
        deadline = time.monotonic() + timeout_s
        ok, detail = False, ""
        while pending and time.monotonic() < deadline and attempts < 4:
            attempts += 1
            owners = self.owners()
            by_member = {}
            for k in pending:
                if owners.get(k):
                    by_member.setdefault(owners[k], []).append(k)
            for name, ks in by_member.items():
                self.member(name).admin_batch([f"rebirth {k}" for k in sorted(ks)])
            # The host throttles Rebirth requests per edge node (5 s): wait longer than that
            # before asking again for the ones that did not rebirth.
            ok, detail = self.wait_births(min(7.0, max(1.0, deadline - time.monotonic())),
                                          since_ms=start_ms)
            if ok:
                break
            pending = self._not_reborn(start_ms)
        return ok, detail, attempts, start_ms

    def _not_reborn(self, since_ms):
        out = set()
        owners = self.owners()
        for m in self.members:
            reply = m.admin("nodes", timeout_ms=10000) or {}
            seen = {f"{n['group']}/{n['edge_node']}": n for n in reply.get("edge_nodes", [])}
            for k in self.expected_keys():
                if owners.get(k) == m.name:
                    n = seen.get(k)
                    if n is None or n["birth_timestamp_ms"] < since_ms:
                        out.add(k)
        out |= {k for k in self.expected_keys() if k not in owners}
        return out

    def wait_quiet(self, timeout_s):
        """After the simulators stopped: until no member's message or commit counters move and
        nothing is pending, so stopping the members loses nothing still queued for them."""
        deadline = time.monotonic() + timeout_s
        last = None
        while time.monotonic() < deadline:
            cur = {}
            for m in self.members:
                st = m.stats()
                if st:
                    cur[m.name] = (st["ingest"]["messages"], st["store"]["points_committed"],
                                   st["store"]["points_pending"])
            if last is not None and cur == last and all(v[2] == 0 for v in cur.values()):
                return True
            last = cur
            time.sleep(1.0)
        return False


def run_scenario(cfg, bins, scenario, results_dir, cluster, n_members, use_netns, seed):
    workdir = os.path.join(results_dir, scenario.name)
    run = ScenarioRun(cfg, bins, scenario, workdir, cluster, n_members, use_netns, seed)
    res = {"name": scenario.name, "description": scenario.description, "seed": seed,
           "topology": run.topology.mode, "members": n_members, "cluster": cluster,
           "status": "error", "checks": [], "error": None}
    started = time.monotonic()
    interrupted = None
    dumps = {}
    try:
        t = time.monotonic()
        run.setup()
        scenario.prepare(run)
        run.start_members()
        run.start_sims()
        ok, detail = run.wait_births(cfg.warmup_timeout_s)
        run.phase("warmup", t, births_complete=ok, detail=detail)
        if not ok:
            raise RuntimeError(f"warm-up: {detail}")
        run.event("births complete", devices=run.total_devices())
        run.numbers["stats_after_warmup"] = {k: _brief(v) for k, v in run.stats_all().items()}

        t = time.monotonic()
        run.event("faults start", seconds=cfg.duration)
        run.start_sims(with_faults=True)
        scenario.fault(run, time.monotonic() + cfg.duration)
        run.event("faults end")
        run.phase("faults", t)

        t = time.monotonic()
        scenario.heal(run)
        run.recover_crashed()
        run.event("healed")
        conv_ok, conv_detail = run.converge(cfg.converge_timeout_s)
        run.phase("converge", t, ok=conv_ok, detail=conv_detail)
        run.event("converged" if conv_ok else "did not converge", detail=conv_detail)

        t = time.monotonic()
        rb_ok, rb_detail, attempts, rb_ms = run.final_rebirth(cfg.rebirth_timeout_s)
        run.phase("final_rebirth", t, ok=rb_ok, detail=rb_detail, attempts=attempts)
        run.settled_ms = now_ms()
        run.event("final rebirth " + ("complete" if rb_ok else "incomplete"), detail=rb_detail)
        time.sleep(cfg.tail_s)

        t = time.monotonic()
        for name in reversed(list(run.sims)):
            if not run.sims[name].stop():
                run.event("simulator did not stop cleanly", sim=name)
        run.event("simulators stopped")
        quiet = run.wait_quiet(cfg.quiet_timeout_s)
        run.phase("quiet", t, ok=quiet)
        run.final_stats = {k: _brief(v) for k, v in run.stats_all().items()}
        run.final_status = run.statuses() if cluster else {}
        final_owner = run.owners(run.final_status) if cluster else None
        stopped_ok = {}
        for m in run.members:
            stopped_ok[m.name] = m.terminate() if m.alive() else None
        run.event("members stopped", clean=stopped_ok)
        run.broker.proc.terminate(10.0)

        t = time.monotonic()
        dump_errors = []
        for m in run.members:
            paths, err = dump_store(bins, m.data_dir, os.path.join(workdir, f"{m.name}.store"))
            if err:
                dump_errors.append(err)
            else:
                dumps[m.name] = paths
        scenario.after_dump(run)
        records = [r for s in run.sims.values() for r in s.records if os.path.exists(r)]
        res["checks"] = evaluate(run, records, dumps, dump_errors, final_owner,
                                 dict(converged=(conv_ok, conv_detail),
                                      final_rebirth=(rb_ok, rb_detail),
                                      quiet=(quiet, "")))
        run.phase("checks", t)
        res["status"] = "pass" if all(c["ok"] for c in res["checks"]) else "fail"
    except KeyboardInterrupt as e:
        interrupted = e
        res["status"] = "interrupted"
        res["error"] = "interrupted (SIGINT/SIGTERM)"
    except Exception as e:  # a scenario that cannot run to its verdict fails
        res["status"] = "error"
        res["error"] = f"{type(e).__name__}: {e}"
        res["traceback"] = traceback.format_exc()
        cfg.log(f"    error: {res['error']}")
    finally:
        try:
            run.table.stop_all()
        finally:
            try:
                scenario.cleanup(run)
            finally:
                for mnt in reversed(run.mounts):
                    if res["status"] != "pass" or cfg.keep:
                        # The store (and RocksDB's LOG) lives on the tmpfs: keep a copy for
                        # the post-mortem before it goes.
                        try:
                            shutil.copytree(mnt, mnt + "-saved", dirs_exist_ok=True,
                                            ignore=shutil.ignore_patterns("chaos-ballast"))
                        except (OSError, shutil.Error) as e:
                            cfg.log(f"    could not save {mnt}: {e}")
                    subprocess.run(["umount", mnt], capture_output=True)
                    if os.path.ismount(mnt):
                        subprocess.run(["umount", "-l", mnt], capture_output=True)
                run.topology.teardown()
    if res["status"] == "error":
        # A process that died is the likeliest cause; say so next to the error.
        res["checks"].append(checks.check_processes(run.all_procs()))
    res.update(duration_s=round(time.monotonic() - started, 1), phases=run.phases,
               events=run.events, numbers=run.numbers, effects=run.effects,
               processes=[p.summary() for p in run.all_procs()],
               shaping=getattr(run.topology, "shaping", None), workdir=workdir,
               edge_nodes=len(run.expected_keys()) if run.sim_specs else 0,
               devices=run.total_devices() if run.sim_specs else 0)
    if res["status"] == "pass" and not cfg.keep:
        _prune(workdir)
    if interrupted is not None:
        res["_interrupted"] = True
    return res


def evaluate(run, records, dumps, dump_errors, final_owner, phase_results):
    out = []
    for name, (ok, detail) in phase_results.items():
        out.append(checks.result(f"phase_{name}", ok, detail or ("ok" if ok else "failed")))
    out.append(checks.check_processes(run.all_procs()))
    if dump_errors or len(dumps) != len(run.members):
        out.append(checks.result("store_dumps", False, "; ".join(dump_errors) or "missing"))
        return out
    if not records:
        out.append(checks.result("records", False, "no simulator record"))
        return out
    ev = checks.Evidence(records, dumps)
    allowance = (ev.record_duplicates() + run.duplicate_allowance_extra
                 + (ev.node_level_entries() if run.cluster else 0))
    out.append(checks.check_stored_published(ev))
    out.append(checks.check_acknowledged(
        ev, {m.name: m.committed_samples() for m in run.members}, allowance, run.ack_snapshots))
    out.append(checks.check_last_values(ev, final_owner))
    out.append(checks.check_windows_match(ev))
    if run.settled_ms is not None:
        out.append(checks.check_tail_complete(ev, run.settled_ms))
    out.append(checks.check_rss(run.members, run.cfg.rss_limit_bytes(run.total_devices())))
    if run.cluster:
        out.append(checks.check_single_owner(run.final_status, run.expected_keys()))
    out += run.scenario.extra_checks(run)
    effects = run.scenario.effective(run)
    run.effects = [{"ok": ok, "text": text} for ok, text in effects]
    out.append(checks.result("fault_took_effect", effects and all(ok for ok, _ in effects),
                             "; ".join(text for _, text in effects) or "no evidence recorded",
                             [text for ok, text in effects if not ok]))
    marks = {e["what"]: e["t_ms"] for e in run.events}
    big = 1 << 62
    f0, f1 = marks.get("faults start", big), marks.get("faults end", big)
    settled = run.settled_ms or big
    run.numbers["data"] = checks.loss_numbers(
        ev, [("before faults", 0, f0), ("faults", f0, f1), ("heal until settled", f1, settled),
             ("after settled", settled, big)])
    run.numbers["final_stats"] = run.final_stats
    errors, warnings = [], []
    for m in run.members:
        e, w = m.log_levels()
        errors += e
        warnings += w
    run.numbers["member_log"] = {"errors": len(errors), "warnings": len(warnings),
                                 "first_errors": [l[:300] for l in errors[:5]]}
    return out


def _brief(stats):
    if not stats:
        return None
    s, i = stats["store"], stats["ingest"]
    return {"connected": i["connected"], "connects": i["connects"],
            "connection_losses": i["connection_losses"], "messages": i["messages"],
            "bad_topics": i["bad_topics"], "ignored_topics": i["ignored_topics"],
            "edge_nodes_online": stats["edge_nodes_online"],
            "devices_online": stats["devices_online"], "devices": stats["devices"],
            "rebirths_requested": stats["rebirths_requested"],
            "protocol_faults": stats["protocol_faults"],
            "malformed_payloads": stats["malformed_payloads"],
            "points_committed": s["points_committed"], "points_pending": s["points_pending"],
            "points_dropped": s["points_dropped"], "commit_failures": s["commit_failures"],
            "last_error": s["last_error"], "commit_latency_p99_ms": s["commit_latency_p99_ms"]}


def _prune(workdir):
    """A passing scenario keeps its logs and report inputs but not its bulky records, dumps and
    stores (tens of MB each in a full run); --keep keeps everything."""
    for name in os.listdir(workdir):
        path = os.path.join(workdir, name)
        if name.endswith(".record.jsonl") or ".store." in name:
            os.remove(path)
        elif name.endswith("-data") and os.path.isdir(path) and not os.path.ismount(path):
            shutil.rmtree(path, ignore_errors=True)
