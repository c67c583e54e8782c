"""Where the members run: each in its own network namespace (netns mode, root only), or all on
loopback (fallback, no network faults).

netns mode: one bridge in the root namespace carries <prefix>.1 (the broker listens there; the
simulators, the hostile publisher and floe-admin run in the root namespace); member i lives in
namespace floe-chaos-<tag>-m<i> with address <prefix>.<10+i>, linked to the bridge by a veth
pair whose root-side end is fch<tag>m<i>. A partition sets that end down (the member loses the
broker and every peer at once); a slow network shapes both ends of the pair. <tag> is the pid
of the suite, so stale objects of a suite that was killed can be found and removed (cleanup()).

Slow network: with the kernel's netem qdisc, delay/jitter/loss as asked. Without it (some VM
kernels ship no sch_netem), a tbf rate limit on both veth ends (queueing delay, drops when the
queue is full) plus random loss by iptables' statistic match inside the member's namespace;
the report says which was used and the latency measured from inside the namespace.
"""
import os
import re
import shutil
import socket
import statistics
import subprocess
import time


def run(argv, check=True):
    r = subprocess.run(argv, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({r.returncode}): {r.stderr.strip()}")
    return r


def netns_supported():
    """(ok, reason). Needs root, ip, and a namespace that can actually be created."""
    if os.geteuid() != 0:
        return False, "not root"
    if shutil.which("ip") is None:
        return False, "no 'ip' command (iproute2)"
    probe = f"floe-chaos-probe-{os.getpid()}"
    r = run(["ip", "netns", "add", probe], check=False)
    if r.returncode != 0:
        return False, f"ip netns add failed: {r.stderr.strip()}"
    run(["ip", "netns", "del", probe], check=False)
    return True, ""


def tmpfs_supported():
    if os.geteuid() != 0:
        return False, "not root"
    return True, ""


class Loopback:
    """Every member on 127.0.0.1, ports told apart. No partitions, no shaping."""
    mode = "loopback"
    broker_ip = "127.0.0.1"
    shaping = None

    def __init__(self, members):
        self.members = members

    def setup(self):
        pass

    def member_ip(self, i):
        return "127.0.0.1"

    def exec_prefix(self, i):
        return []

    def teardown(self):
        pass


class Netns:
    mode = "netns"

    def __init__(self, members, tag=None, log=print):
        self.members = members
        self.tag = str(tag if tag is not None else os.getpid())
        self.bridge = f"fcb{self.tag}"
        self.log = log
        self.prefix = None
        self.created_ns = []
        self.created_links = []
        self.shaped = {}  # member -> description
        self.shaping = None  # "netem" | "tbf+iptables", decided in setup

    def ns(self, i):
        return f"floe-chaos-{self.tag}-m{i}"

    def veth(self, i):
        return f"fch{self.tag}m{i}"

    @property
    def broker_ip(self):
        return f"{self.prefix}.1"

    def member_ip(self, i):
        return f"{self.prefix}.{10 + i}"

    def exec_prefix(self, i):
        return ["ip", "netns", "exec", self.ns(i)]

    def _pick_prefix(self):
        used = run(["ip", "-4", "-o", "addr", "show"]).stdout + run(["ip", "-4", "route"]).stdout
        start = int(self.tag) % 200
        for k in range(200):
            third = (start + k) % 200 + 20
            prefix = f"10.214.{third}"
            if f"{prefix}." not in used:
                return prefix
        raise RuntimeError("no free 10.214.X.0/24 subnet for the chaos bridge")

    def setup(self):
        self.prefix = self._pick_prefix()
        run(["ip", "link", "add", self.bridge, "type", "bridge"])
        self.created_links.append(self.bridge)
        run(["ip", "addr", "add", f"{self.broker_ip}/24", "dev", self.bridge])
        run(["ip", "link", "set", self.bridge, "up"])
        for i in range(1, self.members + 1):
            ns, veth = self.ns(i), self.veth(i)
            run(["ip", "netns", "add", ns])
            self.created_ns.append(ns)
            run(["ip", "link", "add", veth, "type", "veth", "peer", "name", f"fcp{self.tag}m{i}"])
            self.created_links.append(veth)
            run(["ip", "link", "set", f"fcp{self.tag}m{i}", "netns", ns])
            run(["ip", "netns", "exec", ns, "ip", "link", "set", f"fcp{self.tag}m{i}", "name",
                 "eth0"])
            run(["ip", "netns", "exec", ns, "ip", "addr", "add", f"{self.member_ip(i)}/24", "dev",
                 "eth0"])
            run(["ip", "netns", "exec", ns, "ip", "link", "set", "eth0", "up"])
            run(["ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"])
            run(["ip", "link", "set", veth, "master", self.bridge])
            run(["ip", "link", "set", veth, "up"])
        self.shaping = self._probe_netem()

    def _probe_netem(self):
        r = run(["tc", "qdisc", "add", "dev", self.veth(1), "root", "netem", "delay", "1ms"],
                check=False)
        if r.returncode == 0:
            run(["tc", "qdisc", "del", "dev", self.veth(1), "root"], check=False)
            return "netem"
        return "tbf+iptables"

    def check_reachable(self, port_in_root):
        """Every namespace reaches the broker address on the given TCP port; else RuntimeError
        (a host firewall on bridged traffic would make every scenario fail for the wrong
        reason)."""
        for i in range(1, self.members + 1):
            rtt = self.tcp_connect_ms(i, self.broker_ip, port_in_root)
            if rtt is None:
                raise RuntimeError(f"namespace {self.ns(i)} cannot reach {self.broker_ip}:"
                                   f"{port_in_root} over the bridge {self.bridge}")

    # --- faults ---

    def partition(self, i):
        run(["ip", "link", "set", self.veth(i), "down"])

    def heal(self, i):
        run(["ip", "link", "set", self.veth(i), "up"])

    def shape(self, i, delay_ms, jitter_ms, loss_pct, rate_kbit):
        """Slows member i's link in both directions. netem: delay +- jitter and loss per end
        (rate ignored). Fallback: tbf at rate_kbit (latency bound 4 x delay) and iptables random
        drop of loss_pct in the member's namespace. Returns what was applied."""
        self.unshape(i)
        ns = self.ns(i)
        ends = [[], ["ip", "netns", "exec", ns]]
        devs = [self.veth(i), "eth0"]
        if self.shaping == "netem":
            for pre, dev in zip(ends, devs):
                run(pre + ["tc", "qdisc", "add", "dev", dev, "root", "netem", "delay",
                           f"{delay_ms}ms", f"{jitter_ms}ms", "loss", f"{loss_pct}%"])
            what = f"netem delay {delay_ms}±{jitter_ms} ms, loss {loss_pct}% each way"
        else:
            rate_bytes = rate_kbit * 1000 // 8
            burst = max(4096, rate_bytes // 50)
            latency = max(50, 4 * delay_ms)
            for pre, dev in zip(ends, devs):
                run(pre + ["tc", "qdisc", "add", "dev", dev, "root", "tbf", "rate",
                           f"{rate_kbit}kbit", "burst", str(burst), "latency", f"{latency}ms"])
            prob = f"{loss_pct / 100:.4f}"
            for chain, flag in (("INPUT", "-i"), ("OUTPUT", "-o")):
                run(["ip", "netns", "exec", ns, "iptables", "-A", chain, flag, "eth0", "-m",
                     "statistic", "--mode", "random", "--probability", prob, "-j", "DROP"])
            what = (f"tbf {rate_kbit} kbit/s (queue bound {latency} ms) and iptables random "
                    f"loss {loss_pct}% each way")
        self.shaped[i] = what
        return what

    def unshape(self, i):
        if i not in self.shaped:
            return
        ns = self.ns(i)
        run(["tc", "qdisc", "del", "dev", self.veth(i), "root"], check=False)
        run(["ip", "netns", "exec", ns, "tc", "qdisc", "del", "dev", "eth0", "root"], check=False)
        run(["ip", "netns", "exec", ns, "iptables", "-F", "INPUT"], check=False)
        run(["ip", "netns", "exec", ns, "iptables", "-F", "OUTPUT"], check=False)
        del self.shaped[i]

    def tcp_connect_ms(self, i, host, port, timeout_s=5.0):
        """Time of one TCP connect from inside member i's namespace (one round trip), ms."""
        code = ("import socket,sys,time\n"
                "t=time.monotonic()\n"
                "try:\n"
                f"  socket.create_connection(({host!r},{port}),timeout={timeout_s}).close()\n"
                "  print((time.monotonic()-t)*1000)\n"
                "except OSError:\n"
                "  print('none')\n")
        r = run(["ip", "netns", "exec", self.ns(i), "python3", "-c", code], check=False)
        out = r.stdout.strip()
        try:
            return float(out)
        except ValueError:
            return None

    def rtt_sample_ms(self, i, host, port, n=3):
        got = [x for x in (self.tcp_connect_ms(i, host, port) for _ in range(n)) if x is not None]
        return statistics.median(got) if got else None

    def link_bytes(self, i):
        """(bytes to the member, bytes from the member) on its veth, root side."""
        base = f"/sys/class/net/{self.veth(i)}/statistics"
        with open(f"{base}/tx_bytes") as tx, open(f"{base}/rx_bytes") as rx:
            return int(tx.read()), int(rx.read())

    def teardown(self):
        for i in list(self.shaped):
            self.unshape(i)
        for ns in reversed(self.created_ns):
            run(["ip", "netns", "del", ns], check=False)
        for link in reversed(self.created_links):
            run(["ip", "link", "del", link], check=False)
        self.created_ns.clear()
        self.created_links.clear()


def cleanup_stale(log=print):
    """Removes namespaces, links and tmpfs mounts of chaos suites whose process is gone."""
    removed = []
    if os.geteuid() != 0:
        return removed

    def dead(tag):
        return not os.path.exists(f"/proc/{tag}")

    for line in run(["ip", "netns", "list"], check=False).stdout.splitlines():
        m = re.match(r"(floe-chaos-(\d+)-m\d+)", line)
        if m and dead(m.group(2)):
            run(["ip", "netns", "del", m.group(1)], check=False)
            removed.append(f"netns {m.group(1)}")
    for line in run(["ip", "-o", "link", "show"], check=False).stdout.splitlines():
        m = re.match(r"\d+: (fc[bh](\d+)(m\d+)?)[@:]", line)
        if m and dead(m.group(2)):
            run(["ip", "link", "del", m.group(1)], check=False)
            removed.append(f"link {m.group(1)}")
    with open("/proc/mounts") as f:
        mounts = [l.split() for l in f]
    for src, target, *_ in mounts:
        m = re.match(r"floe-chaos-(\d+)$", src)
        if m and dead(m.group(1)):
            run(["umount", "-l", target], check=False)
            removed.append(f"mount {target}")
    for r in removed:
        log(f"removed stale {r}")
    return removed


def wait_port(host, port, timeout_s=10.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def free_port(host="127.0.0.1"):
    s = socket.socket()
    s.bind((host, 0))
    port = s.getsockname()[1]
    s.close()
    return port
