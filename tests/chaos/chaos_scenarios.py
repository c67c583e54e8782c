"""The chaos scenarios. Each one injects its fault repeatedly, at random times and against
random members, until the fault phase's deadline; heal() undoes whatever is still in effect;
effective() returns evidence that the fault did what it is meant to (so a scenario whose fault
silently did nothing fails instead of passing).

Interface used by chaos_run: name, description, needs ({"netns", "root"}), extra_sims(run),
prepare(run) (before the members start), fault(run, deadline), heal(run), after_dump(run),
cleanup(run) (always called, also after errors), effective(run) -> [(ok, text)].
"""
import errno
import os
import re
import signal
import subprocess
import time

import chaos_checks as checks
from chaos_floe import STORE_OPEN, log_time_ms
from chaos_hostile import Injector
from chaos_procs import now_ms
from chaos_run import SimSpec


def sleep_until(run, deadline, seconds):
    """Sleeps `seconds`, but not past the deadline; False when the deadline has come or a
    process crashed (the fault phase ends early then; the driver restarts what crashed so the
    remaining phases and checks still run)."""
    left = deadline - time.monotonic()
    return run.nap(max(0.0, min(seconds, left))) and time.monotonic() < deadline


class Scenario:
    name = ""
    description = ""
    needs = set()
    in_smoke = False

    def __init__(self, cfg):
        self.cfg = cfg
        self.count = 0

    def extra_sims(self, run):
        return []

    def prepare(self, run):
        pass

    def fault(self, run, deadline):
        raise NotImplementedError

    def heal(self, run):
        pass

    def after_dump(self, run):
        pass

    def cleanup(self, run):
        pass

    def effective(self, run):
        return [(self.count > 0, f"{self.count} fault injections")]

    def extra_checks(self, run):
        """Scenario-specific invariants, as chaos_checks.result dicts."""
        return []

    def gap(self, run):
        lo, hi = self.cfg.fault_gap_s
        return run.rng.uniform(lo, hi)

    def target(self, run):
        """A random member; in a cluster, one that owns edge nodes right now if any does (a
        fault on a member without edge nodes tests little), else any."""
        if run.cluster:
            owners = set(run.owners().values())
            busy = [m for m in run.members if m.name in owners and m.alive()]
            if busy:
                return run.rng.choice(busy)
        return run.rng.choice(run.members)


class KillMember(Scenario):
    name = "kill-member"
    description = ("kill -9 of a random member at random times, restarted on the same data "
                   "directory after a random downtime")
    in_smoke = True

    def fault(self, run, deadline):
        while sleep_until(run, deadline, self.gap(run)):
            m = self.target(run)
            run.snapshot_acks(m, "kill -9")
            m.kill9()
            self.count += 1
            down = run.rng.uniform(*self.cfg.down_s)
            run.event("kill -9", member=m.name, down_s=round(down, 1))
            run.nap(down)
            t = time.monotonic()
            m.start()
            run.event("restarted", member=m.name, ready_s=round(time.monotonic() - t, 1))

    def effective(self, run):
        # A restarted member must reopen its store, and find series in it when its killed
        # incarnation had committed points.
        out = [(self.count > 0, f"{self.count} kills")]
        reopened = 0
        for m in run.members:
            samples = m.committed_samples()
            for n, p in enumerate(m.incarnations[1:], 1):
                found = STORE_OPEN.search(p.log_text())
                had = bool(samples[n - 1]) and samples[n - 1][-1][1] > 0
                if found and (int(found.group(1)) > 0 or not had):
                    reopened += 1
                else:
                    out.append((False, f"{p.name} did not reopen its store with series "
                                       f"({found.group(0) if found else 'no store line'})"))
        out.append((reopened == self.count, f"{reopened} restarts reopened the store"))
        return out


class RestartMember(Scenario):
    name = "restart-member"
    description = "graceful restart (SIGTERM, then start) of a random member at random times"

    def fault(self, run, deadline):
        self.clean = 0
        while sleep_until(run, deadline, self.gap(run)):
            m = self.target(run)
            run.snapshot_acks(m, "SIGTERM")
            t = time.monotonic()
            ok = m.terminate()
            self.count += 1
            self.clean += 1 if ok else 0
            run.event("SIGTERM", member=m.name, clean=ok,
                      stop_s=round(time.monotonic() - t, 1))
            time.sleep(run.rng.uniform(0.2, 2.0))
            m.start()
            run.event("restarted", member=m.name)

    def effective(self, run):
        clean = getattr(self, "clean", 0)
        finals = sum(1 for m in run.members for p in m.incarnations[:-1]
                     if "points committed in total" in p.log_text())
        return [(self.count > 0, f"{self.count} graceful restarts"),
                (clean == self.count, f"{clean} stopped with exit 0"),
                (finals == self.count, f"{finals} logged their final commit")]


class RestartBroker(Scenario):
    name = "restart-broker"
    description = ("Mosquitto stopped (SIGTERM or SIGKILL, at random) and restarted after a "
                   "random downtime; it keeps no sessions (persistence off)")
    in_smoke = True

    def fault(self, run, deadline):
        self.before = {m.name: (m.stats() or {}).get("ingest", {}).get("connection_losses", 0)
                       for m in run.members}
        while sleep_until(run, deadline, self.gap(run)):
            for m in run.members:
                run.snapshot_acks(m, "broker stop")
            hard = run.rng.random() < 0.5
            if hard:
                run.broker.proc.kill9()
            else:
                run.broker.proc.terminate(10.0)
            self.count += 1
            down = run.rng.uniform(*self.cfg.down_s)
            run.event("broker " + ("SIGKILL" if hard else "SIGTERM"), down_s=round(down, 1))
            run.nap(down)
            run.broker.start()
            run.event("broker restarted")

    def effective(self, run):
        # Not one reconnect per restart: a member in its reconnect backoff may sleep through
        # a short broker uptime between two stops.
        out = [(self.count > 0, f"{self.count} broker restarts")]
        for name, st in run.final_stats.items():
            lost = (st or {}).get("connection_losses", 0) - self.before.get(name, 0)
            out.append((lost >= 1 and (st or {}).get("connected") is True,
                        f"{name} lost the broker {lost} times in {self.count} restarts and is "
                        f"connected at the end"))
        return out


class PartitionMember(Scenario):
    name = "partition-member"
    description = ("network partition of a random member (its veth set down: no broker, no "
                   "peers) for longer than the MQTT keep-alive, then healed")
    needs = {"netns"}
    in_smoke = True

    def fault(self, run, deadline):
        self.cut = {}
        self.before = {}
        while sleep_until(run, deadline, self.gap(run)):
            m = self.target(run)
            run.snapshot_acks(m, "partition")
            st = m.stats() or {}
            self.before.setdefault(m.name, st.get("ingest", {}).get("connection_losses", 0))
            run.topology.partition(m.i)
            self.count += 1
            self.cut[m.name] = self.cut.get(m.name, 0) + 1
            # Longer than 1.5 x keep-alive plus paho's own detection, so both the broker and
            # the member notice; at least as long as the cluster's heartbeat timeout.
            hold = run.rng.uniform(*self.cfg.partition_s)
            run.event("partition", member=m.name, hold_s=round(hold, 1))
            run.nap(hold)
            run.topology.heal(m.i)
            run.event("partition healed", member=m.name)
            # Let it reconnect before the next cut, so every partition is seen on its own.
            t = time.monotonic()
            while time.monotonic() - t < 30:
                st = m.stats()
                if st and st["ingest"]["connected"]:
                    break
                time.sleep(0.5)
            run.event("member reconnected", member=m.name,
                      after_s=round(time.monotonic() - t, 1))

    def heal(self, run):
        for m in run.members:
            run.topology.heal(m.i)

    def effective(self, run):
        out = [(self.count > 0, f"{self.count} partitions")]
        for name, n in getattr(self, "cut", {}).items():
            st = run.final_stats.get(name) or {}
            got = st.get("connection_losses", 0) - self.before.get(name, 0)
            out.append((got >= n, f"{name} lost its broker connection {got} times in {n} "
                                  f"partitions"))
        return out


class SlowNetwork(Scenario):
    name = "slow-network"
    description = ("slow network on a random member's link: episodes of delay, loss and a "
                   "rate limit below and above its traffic")
    needs = {"netns"}

    def fault(self, run, deadline):
        topo = run.topology
        port = run.broker.port
        self.episodes = []
        first = True
        while sleep_until(run, deadline, self.gap(run)):
            m = self.target(run)
            tx0, _ = topo.link_bytes(m.i)
            time.sleep(2.0)
            tx1, _ = topo.link_bytes(m.i)
            traffic_kbit = max(16, (tx1 - tx0) * 8 // 2000)
            base = topo.rtt_sample_ms(m.i, topo.broker_ip, port)
            # The first episode always starves the link (half its traffic), so at least one
            # queue builds up even without netem.
            factor = 0.5 if first else run.rng.choice([0.5, 1.0, 2.0, 4.0])
            first = False
            delay = run.rng.choice([50, 100, 200, 400])
            loss = run.rng.choice([0.5, 1, 3, 10])
            rate = max(8, int(traffic_kbit * factor))
            what = topo.shape(m.i, delay, delay // 4, loss, rate)
            self.count += 1
            hold = run.rng.uniform(*self.cfg.slow_s)
            t = time.monotonic()
            time.sleep(1.0)
            slow = topo.rtt_sample_ms(m.i, topo.broker_ip, port)
            s0, _ = topo.link_bytes(m.i)
            s_t = time.monotonic()
            time.sleep(max(1.0, hold - (time.monotonic() - t)))
            s1, _ = topo.link_bytes(m.i)
            through_kbit = (s1 - s0) * 8 / 1000 / (time.monotonic() - s_t)
            topo.unshape(m.i)
            ep = {"member": m.name, "applied": what, "traffic_kbit_s": traffic_kbit,
                  "rate_factor": factor, "rate_kbit_s": rate,
                  "throughput_kbit_s": round(through_kbit, 1),
                  "rtt_before_ms": None if base is None else round(base, 1),
                  "rtt_shaped_ms": None if slow is None else round(slow, 1),
                  "hold_s": round(time.monotonic() - t, 1)}
            self.episodes.append(ep)
            run.event("slow network episode", **ep)
        run.numbers["slow_episodes"] = self.episodes

    def heal(self, run):
        for m in run.members:
            run.topology.unshape(m.i)

    def effective(self, run):
        # Slowed: a TCP connect from the member's namespace took >= 2 x as long as before
        # plus 20 ms (or timed out), or the link carried less than offered (the rate limit
        # below the traffic held: throughput <= 1.25 x the limit while offered 2 x).
        eps = getattr(self, "episodes", [])
        slowed = [e for e in eps
                  if e["rtt_shaped_ms"] is None or e["rtt_before_ms"] is None
                  or e["rtt_shaped_ms"] >= 2 * e["rtt_before_ms"] + 20
                  or (e["rate_factor"] < 1 and run.topology.shaping != "netem"
                      and e["traffic_kbit_s"] >= 1.5 * e["rate_kbit_s"]
                      and e["throughput_kbit_s"] <= 1.25 * e["rate_kbit_s"])]
        return [(bool(eps), f"{len(eps)} episodes ({run.topology.shaping})"),
                (bool(slowed), f"{len(slowed)} episodes measurably slowed the link (round "
                               f"trip up, or throughput held at the rate limit)")]


class DiskFull(Scenario):
    name = "disk-full"
    description = ("a member's store on a size-limited tmpfs, filled to the last byte by a "
                   "ballast file until its commits fail, held full for a while, then freed")
    needs = {"root"}

    def prepare(self, run):
        # Every member's store on its own tmpfs: the member to fill is chosen when the fault
        # starts, among those that own edge nodes then (ownership is not known before).
        for m in run.members:
            os.makedirs(m.data_dir, exist_ok=True)
            r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={self.cfg.disk_mib}m",
                                f"floe-chaos-{os.getpid()}", m.data_dir], capture_output=True,
                               text=True)
            if r.returncode != 0:
                raise RuntimeError(f"mount tmpfs on {m.data_dir}: {r.stderr.strip()}")
            run.mounts.append(m.data_dir)
            # Small memtables (RocksDB's minimum is 64 KiB), so the store needs new space (WAL
            # beyond its preallocation, flushes) within seconds instead of writing into space
            # RocksDB reserved before the disk filled up.
            m.extra_args += ["--store-write-buffer", str(256 << 10)]
        run.event("stores on tmpfs", size_mib=self.cfg.disk_mib, write_buffer_kib=256)
        self.cycles = []
        self.members_hit = []

    def _ballast(self, m):
        return os.path.join(m.data_dir, "chaos-ballast")

    def _fill(self, m):
        """Writes the ballast until the file system refuses; returns the bytes written."""
        written = 0
        chunk = b"\0" * (1 << 20)
        with open(self._ballast(m), "ab", buffering=0) as f:
            for size in (1 << 20, 4096, 1):
                while True:
                    try:
                        written += f.write(chunk[:size])
                    except OSError as e:
                        if e.errno != errno.ENOSPC:
                            raise
                        break
        return written

    def fault(self, run, deadline):
        while sleep_until(run, deadline, self.gap(run)):
            m = self.target(run)
            self.members_hit.append(m.name)
            run.snapshot_acks(m, "disk full")
            before = m.stats() or {}
            filled = self._fill(m)
            self.count += 1
            run.event("disk full", member=m.name, ballast_mib=filled >> 20)
            # Held until the member reports a failed commit (at most fail_wait_s), then for the
            # scenario's hold time: the store must live through a full disk, not just touch it.
            t = time.monotonic()
            filled_ms = now_ms()
            during = before
            failed_after = None
            unanswered = 0
            while time.monotonic() - t < self.cfg.resume_timeout_s and m.alive():
                st = m.stats()
                unanswered += st is None
                during = st or during
                if _delta(before, during, "commit_failures") > 0 or self._enospc_logged(m, filled_ms):
                    failed_after = round(time.monotonic() - t, 1)
                    break
                time.sleep(0.5)
            hold = run.rng.uniform(*self.cfg.disk_hold_s)
            run.nap(hold)
            st = m.stats()
            unanswered += st is None
            during = st or during
            os.remove(self._ballast(m))
            freed_ms = now_ms()
            run.event("disk freed", member=m.name, first_failure_after_s=failed_after,
                      held_s=round(time.monotonic() - t, 1))
            resumed_s = None
            base = (during.get("store") or {}).get("points_committed", 0)
            t = time.monotonic()
            while time.monotonic() - t < self.cfg.resume_timeout_s and m.alive():
                st = m.stats()
                if st and st["store"]["points_committed"] > base:
                    resumed_s = round(time.monotonic() - t, 1)
                    break
                time.sleep(0.5)
            cycle = {"member": m.name, "ballast_mib": filled >> 20,
                     "enospc_logged": self._enospc_logged(m, filled_ms),
                     "stats_unanswered_while_full": unanswered,
                     "first_failure_after_s": failed_after, "hold_after_failure_s": round(hold, 1),
                     "commit_failures": _delta(before, during, "commit_failures"),
                     "points_dropped": _delta(before, during, "points_dropped"),
                     "points_pending_full": (during.get("store") or {}).get("points_pending"),
                     "last_error": (during.get("store") or {}).get("last_error"),
                     "freed_ms": freed_ms, "commits_resumed_after_s": resumed_s}
            self.cycles.append(cycle)
            run.event("commits resumed" if resumed_s is not None else "commits did not resume",
                      member=m.name, after_s=resumed_s)
        run.numbers["disk_cycles"] = self.cycles

    def heal(self, run):
        for m in run.members:
            if os.path.exists(self._ballast(m)):
                os.remove(self._ballast(m))

    def effective(self, run):
        # The store hit the full disk: the member counted a failed commit, or logged ENOSPC
        # (its statistics may not answer while its writer is stuck).
        out = [(self.count > 0, f"{self.count} disk-full periods on {', '.join(self.members_hit)}")]
        for n, c in enumerate(self.cycles, 1):
            out.append((c["commit_failures"] > 0 or c["enospc_logged"],
                        f"period {n} ({c['member']}): {c['commit_failures']} failed commits "
                        f"counted, ENOSPC {'logged' if c['enospc_logged'] else 'not logged'}, "
                        f"first after {c['first_failure_after_s']} s, "
                        f"{c['stats_unanswered_while_full']} unanswered statistics requests, "
                        f"{c['points_dropped']} points dropped (last error: "
                        f"{(c['last_error'] or 'none')[:160]})"))
        return out

    def extra_checks(self, run):
        """Commits resume once the space is freed: the member commits again within
        resume_timeout_s of the ballast's removal, every period."""
        bad = [f"period {n} ({c['member']}): no commit within {self.cfg.resume_timeout_s:.0f} s "
               f"after the space was freed"
               for n, c in enumerate(self.cycles, 1) if c["commits_resumed_after_s"] is None]
        times = [c["commits_resumed_after_s"] for c in self.cycles
                 if c["commits_resumed_after_s"] is not None]
        return [checks.result("commits_resume_after_disk_freed", self.cycles and not bad,
                              f"{len(self.cycles)} disk-full periods, commits resumed in "
                              f"{len(times)} (after {times} s)", bad)]

    @staticmethod
    def _enospc_logged(m, since_ms):
        for line in m.proc.log_text().splitlines():
            if "No space left on device" in line or "no_space" in line:
                got = STATS_TIME.match(line)
                if got and log_time_ms(got.group(1), got.group(2)) >= since_ms - 1000:
                    return True
        return False


class HostilePayloads(Scenario):
    name = "hostile-payloads"
    description = ("malformed and hostile MQTT messages mixed into the stream: random bytes, "
                   "empty and truncated payloads, replays, huge and oversized payloads, wrong "
                   "and over-long topics, garbage STATE")
    in_smoke = True

    def fault(self, run, deadline):
        inj = Injector("127.0.0.1", run.broker.port, run.rng, rate_per_s=self.cfg.hostile_rate,
                       huge_bytes=self.cfg.huge_bytes, log=self.cfg.log)
        run.hostile = inj
        n = inj.capture(3.0)
        run.event("captured payloads for replays", count=n)
        inj.start()
        run.event("hostile publisher started", rate_per_s=self.cfg.hostile_rate)
        sleep_until(run, deadline, deadline - time.monotonic())
        inj.stop()
        s = inj.summary()
        self.count = s["total"]
        run.duplicate_allowance_extra += s["replayed_metrics"]
        run.numbers["hostile"] = s
        run.event("hostile publisher stopped", sent=s["total"], bytes=s["bytes"])

    def effective(self, run):
        s = run.numbers.get("hostile", {})
        malformed = sum((st or {}).get("malformed_payloads", 0)
                        for st in run.final_stats.values())
        bad_topics = sum((st or {}).get("bad_topics", 0) for st in run.final_stats.values())
        return [(self.count > 0, f"{self.count} hostile messages ({s.get('bytes', 0) >> 20} MiB) "
                                 f"of {sum(1 for v in s.get('sent', {}).values() if v)} kinds"),
                (malformed > 0, f"members counted {malformed} malformed payloads and "
                                f"{bad_topics} malformed Sparkplug topics")]


class FlappingEdgeNodes(Scenario):
    name = "flapping-edge-nodes"
    description = ("edge nodes flapping: a simulator whose connections drop every second or "
                   "two (Will NDEATH, reconnect, new bdSeq), and one restarted (SIGTERM) or "
                   "frozen past its keep-alive (SIGSTOP/SIGCONT) at random times")

    def extra_sims(self, run):
        small = self.cfg.smoke
        # Each keeps its edge node ids across incarnations; the drop fault is only in the
        # first incarnation (the heal restarts it without), so the final state is healthy.
        return [SimSpec("flapdrop", "flapdrop-", 3 if small else 5, 10 if small else 20,
                        args=["--keep-alive", "2"],
                        first_args=["--fault-drop-every", str(self.cfg.drop_every_s)],
                        with_faults=True),
                SimSpec("flapkill", "flapkill-", 2, 10, args=["--keep-alive", "2"],
                        with_faults=True)]

    def fault(self, run, deadline):
        sim = run.sims["flapkill"]
        self.restarts = self.freezes = 0
        while sleep_until(run, deadline, self.gap(run)):
            self.count += 1
            if run.rng.random() < 0.5:
                sim.stop()
                time.sleep(run.rng.uniform(0.2, 3.0))
                sim.start()
                self.restarts += 1
                run.event("flapkill simulator restarted", incarnation=len(sim.incarnations))
            else:
                hold = run.rng.uniform(4.0, 7.0)  # > 1.5 x keep-alive 2 s: the broker's Will
                sim.proc.signal(signal.SIGSTOP)
                run.event("flapkill simulator frozen", hold_s=round(hold, 1))
                run.nap(hold)
                sim.proc.signal(signal.SIGCONT)
                self.freezes += 1
                run.event("flapkill simulator resumed")

    def heal(self, run):
        kill = run.sims["flapkill"]
        if kill.proc is not None and kill.proc.alive():
            kill.proc.signal(signal.SIGCONT)
        drop = run.sims["flapdrop"]
        drop.stop()
        self.drop_stats = _read_json(drop.stats_files()[-1])
        drop.start()
        run.event("flapdrop simulator restarted without the drop fault")

    def effective(self, run):
        st = getattr(self, "drop_stats", None) or {}
        wills = st.get("wills_triggered", 0)
        return [(self.count > 0, f"{self.count} flaps of flapkill ({self.restarts} restarts, "
                                 f"{self.freezes} freezes)"),
                (wills > 0, f"flapdrop had {wills} connections cut (Will NDEATH) and "
                            f"{st.get('reconnects', 0)} reconnects")]


STATS_TIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{3})Z ")


def _delta(before, after, key):
    b = (before.get("store") or {}).get(key, 0) if before else 0
    a = (after.get("store") or {}).get(key, 0) if after else 0
    return a - b


def _read_json(path):
    import json
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


ALL = [KillMember, RestartMember, RestartBroker, PartitionMember, SlowNetwork, DiskFull,
       HostilePayloads, FlappingEdgeNodes]
