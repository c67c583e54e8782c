"""The floe processes of a chaos scenario: Mosquitto, the floe-node members, the floe-sim
simulators, and floe-admin queries against the members.

Contract of the member wrapper: a member keeps one data directory for the whole scenario (every
restart reopens it), one host id, one admin port; each start is one incarnation (a Proc) with
its own log, so the checks can tell lifetimes apart (committed counts restart at 0 in each).
"""
import json
import os
import re
import subprocess
import time
from datetime import datetime, timezone

from chaos_net import wait_port
from chaos_procs import now_ms

STATS_LINE = re.compile(
    r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{3})Z .*points committed (\d+) \(")
FINAL_LINE = re.compile(
    r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{3})Z .*?(\d+) points committed in total")
STORE_OPEN = re.compile(r"store .* open, (\d+) series known")
LOG_LEVEL = re.compile(r"^\S+Z (ERROR|WARN) ")


def log_time_ms(stamp, millis):
    t = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    return int(t.timestamp()) * 1000 + int(millis)


class Binaries:
    def __init__(self, node, sim, admin, store_dump, mosquitto):
        self.node, self.sim, self.admin, self.store_dump = node, sim, admin, store_dump
        self.mosquitto = mosquitto

    def cluster_supported(self):
        """True when floe-node accepts the cluster options (issue 5)."""
        r = subprocess.run([self.node, "--help"], capture_output=True, text=True)
        return "--cluster-port" in r.stdout


class Broker:
    def __init__(self, table, bins, workdir, ips, port):
        self.table, self.bins, self.workdir = table, bins, workdir
        self.ips, self.port = list(dict.fromkeys(ips)), port
        self.conf = os.path.join(workdir, "mosquitto.conf")
        self.incarnations = []
        listeners = "\n".join(f"listener {port} {ip}" for ip in self.ips)
        user = subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
        # Persistence off: a restarted broker forgets sessions and subscriptions, as after a
        # crash of a broker without a disk; every client must resubscribe.
        with open(self.conf, "w") as f:
            f.write(f"{listeners}\nallow_anonymous true\npersistence false\n"
                    f"max_queued_messages 100000\nuser {user}\nlog_dest stderr\n"
                    "log_type error\nlog_type warning\nlog_type notice\n")

    @property
    def proc(self):
        return self.incarnations[-1] if self.incarnations else None

    def start(self):
        n = len(self.incarnations) + 1
        p = self.table.start(f"mosquitto#{n}", [self.bins.mosquitto, "-c", self.conf],
                             os.path.join(self.workdir, f"mosquitto.{n}.log"), "broker")
        self.incarnations.append(p)
        if not wait_port(self.ips[0], self.port, 10):
            raise RuntimeError(f"mosquitto does not listen on {self.ips[0]}:{self.port}: "
                               f"{p.log_tail()}")

    def uri(self, ip=None):
        return f"tcp://{ip or self.ips[0]}:{self.port}"


class Member:
    def __init__(self, run, i):
        self.run, self.i = run, i
        self.name = f"m{i}"
        self.host_id = f"floe-chaos-m{i}" if run.cluster else "floe-chaos"
        self.ip = run.topology.member_ip(i)
        self.admin_port = run.ports["admin"][i]
        self.cluster_port = run.ports["cluster"][i]
        self.data_dir = os.path.join(run.workdir, f"m{i}-data")
        self.extra_args = []
        self.incarnations = []
        self.down_since_ms = None  # set while deliberately stopped or killed

    @property
    def member_id(self):
        return f"{self.ip}:{self.cluster_port}"

    @property
    def proc(self):
        return self.incarnations[-1] if self.incarnations else None

    def argv(self):
        r = self.run
        a = [r.bins.node, "--config=", "--broker", r.broker.uri(r.topology.broker_ip),
             "--host-id", self.host_id, "--data-dir", self.data_dir,
             "--admin-port", str(self.admin_port), "--admin-bind", self.ip,
             "--stats-interval", "1", "--alarm-rules=",
             # The broker notices a member cut off by a partition after 1.5 x keep-alive.
             "--mqtt-keep-alive", str(r.cfg.member_keep_alive_s)]
        if r.cluster:
            a += ["--cluster-port", str(self.cluster_port), "--cluster-bind", self.ip,
                  "--seeds", ",".join(m.member_id for m in r.members)]
        return r.topology.exec_prefix(self.i) + a + self.extra_args + r.cfg.node_args

    def start(self, timeout_s=30.0):
        n = len(self.incarnations) + 1
        os.makedirs(self.data_dir, exist_ok=True)
        p = self.run.table.start(f"{self.name}#{n}", self.argv(),
                                 os.path.join(self.run.workdir, f"{self.name}.{n}.log"), "member")
        self.incarnations.append(p)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not p.poll():
                raise RuntimeError(f"{self.name} exited at start-up ({p.end_detail}): "
                                   f"{p.log_tail()}")
            if "host id '" in p.log_text() and self.stats(timeout_ms=2000) is not None:
                self.down_since_ms = None
                return p
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready after {timeout_s:.0f} s: {p.log_tail()}")

    def kill9(self):
        self.proc.kill9()
        self.down_since_ms = now_ms()

    def terminate(self):
        ok = self.proc.terminate(self.run.cfg.stop_timeout_s)
        self.down_since_ms = now_ms()
        return ok

    def alive(self):
        return self.proc is not None and self.proc.alive()

    # --- admin ---

    def admin(self, command, timeout_ms=5000):
        """The member's JSON reply to one floe-admin command, None when it does not answer."""
        if not self.alive():
            return None
        try:
            r = subprocess.run([self.run.bins.admin, "--node", f"{self.ip}:{self.admin_port}",
                                "--json", "--timeout", str(timeout_ms), "-c", command],
                               capture_output=True, text=True, timeout=timeout_ms / 1000 + 10)
        except subprocess.TimeoutExpired:
            return None
        if r.returncode != 0:
            return None
        try:
            return json.loads(r.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            return None

    def admin_batch(self, commands, timeout_ms=5000):
        """Replies to several commands over one connection (floe-admin reads commands from
        stdin when it is not a terminal); one dict or None per command, in order."""
        if not self.alive() or not commands:
            return [None] * len(commands)
        try:
            r = subprocess.run([self.run.bins.admin, "--node", f"{self.ip}:{self.admin_port}",
                                "--json", "--timeout", str(timeout_ms)],
                               input="\n".join(commands) + "\n", capture_output=True, text=True,
                               timeout=len(commands) * timeout_ms / 1000 + 15)
        except subprocess.TimeoutExpired:
            return [None] * len(commands)
        replies = []
        for line in r.stdout.splitlines():
            line = line.strip()
            if line.startswith("{"):
                try:
                    replies.append(json.loads(line))
                except ValueError:
                    replies.append(None)
        replies += [None] * (len(commands) - len(replies))
        return replies[:len(commands)]

    def stats(self, timeout_ms=5000):
        return self.admin("stats", timeout_ms)

    def cluster_status(self):
        return self.admin("cluster") if self.run.cluster else None

    # --- what the logs say ---

    def committed_samples(self):
        """Per incarnation: [(log ms, points committed so far in that incarnation)], from the
        stats lines and the final "points committed in total" line of a clean stop."""
        out = []
        for p in self.incarnations:
            samples = []
            for line in p.log_text().splitlines():
                m = STATS_LINE.match(line) or FINAL_LINE.match(line)
                if m:
                    samples.append((log_time_ms(m.group(1), m.group(2)), int(m.group(3))))
            out.append(samples)
        return out

    def log_levels(self):
        errors, warnings = [], []
        for p in self.incarnations:
            for line in p.log_text().splitlines():
                m = LOG_LEVEL.match(line)
                if m:
                    (errors if m.group(1) == "ERROR" else warnings).append(f"{p.name}: {line}")
        return errors, warnings


class Sim:
    """One floe-sim process (one incarnation); runs until stopped (--duration 0)."""

    def __init__(self, run, name, args, rate=None):
        self.run, self.name, self.args = run, name, list(args)
        self.rate = rate if rate is not None else run.cfg.rate
        self.incarnations = []
        self.records = []

    @property
    def proc(self):
        return self.incarnations[-1] if self.incarnations else None

    def start(self, extra=()):
        n = len(self.incarnations) + 1
        record = os.path.join(self.run.workdir, f"{self.name}.{n}.record.jsonl")
        stats = os.path.join(self.run.workdir, f"{self.name}.{n}.stats.json")
        argv = [self.run.bins.sim, "--broker", self.run.broker.uri(), "--rate", str(self.rate),
                "--duration", "0", "--profile", self.run.cfg.profile, "--no-progress",
                "--record", record, "--stats-json", stats, "--seed", str(self.run.seed + n)]
        if self.run.primary_host:
            argv += ["--primary-host", self.run.primary_host]
        p = self.run.table.start(f"{self.name}#{n}", argv + self.args + list(extra),
                                 os.path.join(self.run.workdir, f"{self.name}.{n}.log"), "sim")
        self.incarnations.append(p)
        self.records.append(record)
        return p

    def stop(self):
        """SIGTERM: the simulator publishes NDEATH, writes its record and exits 0."""
        if self.proc is not None and self.proc.alive():
            return self.proc.terminate(30.0)
        return self.proc is not None and self.proc.end_kind in ("stopped", "exited")

    def stats_files(self):
        return [r.replace(".record.jsonl", ".stats.json") for r in self.records]


def dump_store(bins, data_dir, out_prefix):
    """Summary, points and windows of a stopped member's store, as JSON-lines files; the
    paths, or an error text."""
    paths = {}
    for mode, flag in (("summary", []), ("points", ["--points"]), ("windows", ["--windows"])):
        path = f"{out_prefix}.{mode}.jsonl"
        with open(path, "w") as out:
            r = subprocess.run([bins.store_dump, "--data-dir", data_dir] + flag, stdout=out,
                               stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            return None, f"floe-store-dump {' '.join(flag)} on {data_dir}: {r.stderr.strip()}"
        paths[mode] = path
    return paths, None
