"""Processes the chaos suite starts: each in its own process group, its stderr/stdout in a log
file, its end classified (expected kill, clean stop, or crash), its RSS sampled from /proc.

Contract: every process started through a ProcessTable is stopped by ProcessTable.stop_all()
(SIGTERM, then SIGKILL of its process group after a grace period), which the suite calls from a
finally block and from its SIGINT/SIGTERM handler. Nothing here kills a process it did not
start.
"""
import os
import re
import signal
import subprocess
import threading
import time

# Lines that mean a process died of a bug, whatever its exit code says.
CRASH_PATTERNS = re.compile(
    r"terminate called|Assertion .* failed|AddressSanitizer|UndefinedBehaviorSanitizer|"
    r"LeakSanitizer|Segmentation fault|stack smashing detected|double free or corruption|"
    r"corrupted (size|double-linked)|free\(\): invalid")


def now_ms():
    return int(time.time() * 1000)


def rss_bytes(pid):
    """VmRSS of a live process in bytes, None when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return None
    return None


class Proc:
    """One started process.

    expect: what ending is acceptable right now: "run" (it must not end: any end is a crash),
    "exit0" (it may end by itself, with code 0), "kill" (we are sending SIGKILL), "term" (we sent
    SIGTERM: it must exit 0). Set by the methods below, so a crash is any end not announced."""

    def __init__(self, name, argv, log_path, role, env=None, expect="run", cwd=None):
        self.name, self.argv, self.log_path, self.role = name, list(argv), log_path, role
        self.expect = expect
        self.started_ms = now_ms()
        self.ended_ms = None
        self.returncode = None
        self.end_kind = None  # "killed" | "stopped" | "exited" | "crashed"
        self.end_detail = ""
        self.rss = []  # (ms, bytes)
        self._log = open(log_path, "wb")
        self.popen = subprocess.Popen(self.argv, stdout=self._log, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, env=env, cwd=cwd,
                                      start_new_session=True)
        self.pid = self.popen.pid

    def alive(self):
        return self.popen.poll() is None

    def _classify(self):
        rc = self.popen.returncode
        self.returncode = rc
        self.ended_ms = now_ms()
        self._log.close()
        if self.expect == "kill" and rc == -signal.SIGKILL:
            self.end_kind = "killed"
        elif self.expect in ("term", "exit0") and rc == 0:
            self.end_kind = "stopped" if self.expect == "term" else "exited"
        else:
            self.end_kind = "crashed"
            how = f"signal {-rc} ({signal.Signals(-rc).name})" if rc < 0 else f"exit code {rc}"
            self.end_detail = f"{how} while expected to {self.expect}"

    def poll(self):
        """Classifies the end once the process has ended; True while it runs."""
        if self.end_kind is not None:
            return False
        if self.popen.poll() is None:
            return True
        self._classify()
        return False

    def kill9(self):
        self.expect = "kill"
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)
        self.popen.wait()
        self.poll()

    def signal(self, sig):
        if self.alive():
            os.kill(self.pid, sig)

    def terminate(self, timeout_s=20.0):
        """SIGTERM and wait; True when it exited with 0 within timeout_s. A process that does
        not stop in time is killed and counts as crashed (a hang at shutdown is a bug)."""
        self.expect = "term"
        if self.alive():
            os.kill(self.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.expect = "run"
            os.killpg(self.pid, signal.SIGKILL)
            self.popen.wait()
            self.poll()
            self.end_detail = f"still running {timeout_s:.0f} s after SIGTERM (killed)"
            return False
        self.poll()
        return self.end_kind == "stopped"

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_tail(self, lines=15):
        return "\n".join(self.log_text().splitlines()[-lines:])

    def crash_lines(self):
        return [l for l in self.log_text().splitlines() if CRASH_PATTERNS.search(l)]

    def summary(self):
        peak = max((b for _, b in self.rss), default=None)
        return {"name": self.name, "role": self.role, "pid": self.pid,
                "started_ms": self.started_ms, "ended_ms": self.ended_ms,
                "returncode": self.returncode, "end": self.end_kind or "running",
                "detail": self.end_detail, "log": self.log_path,
                "rss_peak_bytes": peak, "rss_samples": len(self.rss)}


class ProcessTable:
    """Every process of one scenario; a sampler thread records RSS once a second and classifies
    ends as they happen (so a crash is timed when it happens, not when the scenario ends)."""

    def __init__(self, sample_interval_s=1.0):
        self.procs = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._interval = sample_interval_s
        self._thread = threading.Thread(target=self._sample, name="rss-sampler", daemon=True)
        self._thread.start()

    def start(self, name, argv, log_path, role, **kw):
        p = Proc(name, argv, log_path, role, **kw)
        with self._lock:
            self.procs.append(p)
        return p

    def _sample(self):
        while not self._stop.wait(self._interval):
            with self._lock:
                procs = list(self.procs)
            t = now_ms()
            for p in procs:
                if p.poll():
                    b = rss_bytes(p.pid)
                    if b is not None:
                        p.rss.append((t, b))

    def crashed(self):
        with self._lock:
            procs = list(self.procs)
        for p in procs:
            p.poll()
        return [p for p in procs if p.end_kind == "crashed"]

    def stop_all(self, grace_s=5.0):
        """Stops whatever still runs: SIGTERM to each process group, SIGKILL after grace_s."""
        self._stop.set()
        with self._lock:
            procs = list(self.procs)
        running = [p for p in procs if p.alive()]
        for p in running:
            if p.expect == "run":
                p.expect = "term"
            try:
                os.killpg(p.pid, signal.SIGCONT)  # a SIGSTOPped process cannot stop otherwise
                os.killpg(p.pid, signal.SIGTERM)
            except OSError:
                pass
        deadline = time.monotonic() + grace_s
        for p in running:
            try:
                p.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except OSError:
                    pass
                p.popen.wait()
            p.poll()
