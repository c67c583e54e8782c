"""Command line of scripts/chaos (docs/chaos.md). Exit codes: 0 every scenario that ran
passed (and at least one ran), 1 a scenario failed or none could run, 2 bad usage or missing
binaries, 130 interrupted."""
import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone

import chaos_net
import chaos_report
import chaos_scenarios
from chaos_floe import Binaries
from chaos_run import run_scenario


class Config:
    """Every tunable of a run; smoke and full differ only in these values."""

    def __init__(self, a):
        self.smoke = a.smoke
        full = not a.smoke
        self.edge_nodes = a.edge_nodes or (50 if full else 5)
        self.devices_per_node = a.devices_per_node or 100
        self.rate = a.rate if a.rate is not None else (0.2 if full else 1.0)
        self.duration = a.duration or (60 if full else 12)
        self.profile = a.profile
        self.members = a.members
        self.node_args = a.node_arg or []
        self.keep = a.keep
        self.log = lambda text: print(text, file=sys.stderr, flush=True)
        # Fault timing (s): gaps between faults, downtime after a kill or stop, partition,
        # slow-network and disk-full hold times. Partitions outlast 2 x the members' MQTT
        # keep-alive, so the broker and the member both notice (the broker after 1.5 x).
        self.member_keep_alive_s = 3
        self.fault_gap_s = (3.0, 10.0) if full else (1.0, 3.0)
        self.down_s = (0.5, 5.0) if full else (0.5, 2.0)
        self.partition_s = (8.0, 20.0) if full else (8.0, 9.0)
        self.slow_s = (6.0, 15.0) if full else (4.0, 6.0)
        self.disk_hold_s = (8.0, 20.0) if full else (5.0, 6.0)
        self.disk_mib = 64
        self.resume_timeout_s = 30.0
        self.hostile_rate = 30.0
        self.huge_bytes = (4 << 20) if full else (1 << 20)
        self.drop_every_s = 2.0 if full else 1.0
        self.warmup_timeout_s = 180 if full else 40
        self.converge_timeout_s = 90 if full else 30
        self.rebirth_timeout_s = 90 if full else 30
        self.tail_s = 8.0 if full else 3.0
        self.quiet_timeout_s = 30
        self.stop_timeout_s = 20.0
        self.rss_limit_mib = a.rss_limit_mib

    def rss_limit_bytes(self, devices):
        """Default: 384 MiB plus 64 KiB per device, as one member may end up owning every
        device (docs/BENCHMARKS.md measures about 26-40 KiB per device plus RocksDB's write
        buffers of 64 MiB per column family)."""
        if self.rss_limit_mib:
            return self.rss_limit_mib << 20
        return (384 << 20) + devices * (64 << 10)


def find_binaries(root):
    build = os.environ.get("FLOE_BUILD_DIR") or os.path.join(root, "build")
    if os.environ.get("FLOE_SKIP_BUILD") != "1":
        r = subprocess.run([os.path.join(root, "scripts", "build"), "--target", "floe-node",
                            "floe-sim", "floe-admin", "floe-store-dump"])
        if r.returncode != 0:
            raise SystemExit(f"scripts/build failed ({r.returncode})")
    paths = {
        "node": os.environ.get("FLOE_NODE") or os.path.join(build, "node", "floe-node"),
        "sim": os.environ.get("FLOE_SIM") or os.path.join(build, "sim", "floe-sim"),
        "admin": os.environ.get("FLOE_ADMIN") or os.path.join(build, "admin", "floe-admin"),
        "store_dump": os.environ.get("FLOE_STORE_DUMP")
        or os.path.join(build, "node", "floe-store-dump"),
        "mosquitto": shutil.which("mosquitto") or "/usr/sbin/mosquitto",
    }
    missing = [p for p in paths.values() if not os.access(p, os.X_OK)]
    if missing:
        print(f"chaos: missing executables: {', '.join(missing)} (build dir {build}; set "
              f"FLOE_BUILD_DIR, or FLOE_NODE/FLOE_SIM/FLOE_ADMIN/FLOE_STORE_DUMP)",
              file=sys.stderr)
        raise SystemExit(2)
    return Binaries(**paths), build


def parse(argv):
    names = [s.name for s in chaos_scenarios.ALL]
    p = argparse.ArgumentParser(
        prog="scripts/chaos",
        description="floe chaos suite: runs each scenario against a fresh broker, floe members "
                    "and simulators, then checks the stored data against what was published. "
                    "Report: <results>/report.md and report.json.",
        epilog="Scenarios: " + ", ".join(names) + ". Environment: FLOE_BUILD_DIR (default "
               "build/), FLOE_SKIP_BUILD=1 (do not call scripts/build), FLOE_NODE, FLOE_SIM, "
               "FLOE_ADMIN, FLOE_STORE_DUMP (override single binaries). See docs/chaos.md.")
    p.add_argument("--smoke", action="store_true",
                   help="short version for CI: the smoke scenarios, 500 devices, 12 s of faults "
                        "each (under 3 minutes in total)")
    p.add_argument("--scenarios", help="comma-separated scenario names (default: all; with "
                                       "--smoke the smoke set)")
    p.add_argument("--list", action="store_true", help="list the scenarios and exit")
    p.add_argument("--duration", type=float, help="fault phase per scenario (s; default 60, "
                                                 "smoke 12)")
    p.add_argument("--members", type=int, default=3,
                   help="cluster members (default 3; 1 when floe-node has no cluster options)")
    p.add_argument("--edge-nodes", type=int, help="simulated edge nodes (default 50, smoke 5)")
    p.add_argument("--devices-per-node", type=int, help="devices per edge node (default 100)")
    p.add_argument("--rate", type=float, help="DDATA per device per second (default 0.2, "
                                              "smoke 1)")
    p.add_argument("--profile", default="ice_plant", help="simulator profile (default "
                                                          "ice_plant)")
    p.add_argument("--seed", type=int, help="random seed of the run (default: from the clock; "
                                            "printed, so a run can be repeated)")
    p.add_argument("--results", help="results folder (default chaos-results/<UTC timestamp>)")
    p.add_argument("--keep", action="store_true",
                   help="keep records, store dumps and data directories of passing scenarios")
    p.add_argument("--no-netns", action="store_true",
                   help="run every member on loopback even as root (skips the network "
                        "scenarios)")
    p.add_argument("--rss-limit-mib", type=int,
                   help="peak RSS a member may reach (MiB; default 384 + 64 KiB per device)")
    p.add_argument("--node-arg", action="append", metavar="ARG",
                   help="extra floe-node argument for every member (repeatable, e.g. "
                        "--node-arg=--store-durability --node-arg=wal)")
    p.add_argument("--cleanup", action="store_true",
                   help="remove namespaces, links and mounts left by chaos runs that were "
                        "killed, then exit")
    a = p.parse_args(argv)
    if a.scenarios:
        wanted = [s.strip() for s in a.scenarios.split(",") if s.strip()]
        unknown = [s for s in wanted if s not in names]
        if unknown:
            p.error(f"unknown scenario(s) {', '.join(unknown)}; known: {', '.join(names)}")
        a.scenario_list = wanted
    else:
        a.scenario_list = [s.name for s in chaos_scenarios.ALL if s.in_smoke or not a.smoke]
    if a.members < 1:
        p.error("--members must be at least 1")
    return a


def main(argv, root):
    a = parse(argv)
    if a.list:
        for s in chaos_scenarios.ALL:
            print(f"{s.name:22} {'smoke ' if s.in_smoke else '      '}{s.description}")
        return 0
    if a.cleanup:
        chaos_net.cleanup_stale()
        return 0
    cfg = Config(a)

    def on_signal(signum, frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    bins, build = find_binaries(root)
    chaos_net.cleanup_stale(log=cfg.log)
    started = datetime.now(timezone.utc)
    results = a.results or os.path.join(root, "chaos-results",
                                        started.strftime("%Y%m%dT%H%M%SZ"))
    results = os.path.abspath(results)
    os.makedirs(results, exist_ok=True)
    seed = a.seed if a.seed is not None else int(time.time() * 1000) % 1_000_000_007
    rng = random.Random(seed)

    cluster = bins.cluster_supported() and a.members > 1
    n_members = a.members if cluster else 1
    if a.members > 1 and not cluster:
        cluster_note = (f"{a.members} requested, ran 1: floe-node does not accept "
                        f"--cluster-port yet, so the suite fell back to a single member and "
                        f"did not check one_owner_per_edge_node")
    elif cluster:
        cluster_note = "cluster (--cluster-port/--seeds), one_owner_per_edge_node checked"
    else:
        cluster_note = "single member (--members 1)"
    netns_ok, netns_why = (False, "--no-netns") if a.no_netns else chaos_net.netns_supported()
    root_ok = os.geteuid() == 0
    shaping = None
    if netns_ok:
        topo_note = "network namespaces (one per member, veth pairs on a bridge)"
    else:
        topo_note = f"loopback (no network namespaces: {netns_why}; network scenarios skipped)"
    suite = {"started": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
             "kind": "smoke" if a.smoke else "full", "seed": seed, "duration_s": cfg.duration,
             "members": n_members, "members_requested": a.members, "cluster": cluster,
             "cluster_note": cluster_note, "topology_note": topo_note,
             "edge_nodes": cfg.edge_nodes, "devices_per_node": cfg.devices_per_node,
             "rate": cfg.rate, "profile": cfg.profile,
             "binaries": ", ".join([bins.node, bins.sim, bins.admin, bins.store_dump]),
             "scenarios_requested": a.scenario_list, "results": results}
    cfg.log(f"chaos: {suite['kind']} run, seed {seed}, {n_members} member(s) ({cluster_note}); "
            f"{topo_note}; results in {results}")

    by_name = {s.name: s for s in chaos_scenarios.ALL}
    done = []
    t_start = time.monotonic()
    code = 0
    try:
        for name in a.scenario_list:
            sc = by_name[name](cfg)
            missing = [n for n in sc.needs
                       if (n == "netns" and not netns_ok) or (n == "root" and not root_ok)]
            if missing:
                why = netns_why if "netns" in missing else "needs root (mount)"
                done.append({"name": name, "description": sc.description, "status": "skipped",
                             "reason": why, "checks": []})
                cfg.log(f"chaos: {name}: skipped ({why})")
                chaos_report.write(results, suite, done)
                continue
            cfg.log(f"chaos: {name}: {sc.description}")
            res = run_scenario(cfg, bins, sc, results, cluster, n_members,
                               netns_ok, rng.randrange(1 << 30))
            if res.get("shaping") and name == "slow-network":
                shaping = res["shaping"]
            interrupted = res.pop("_interrupted", False)
            done.append(res)
            failed = [c["name"] for c in res["checks"] if not c["ok"]]
            cfg.log(f"chaos: {name}: {res['status'].upper()} in {res['duration_s']} s"
                    + (f" (failed: {', '.join(failed)})" if failed else "")
                    + (f" ({res['error']})" if res.get("error") else ""))
            chaos_report.write(results, suite, done)
            if interrupted:
                raise KeyboardInterrupt
    except KeyboardInterrupt:
        code = 130
        suite["verdict"] = "INTERRUPTED"
    ran = [s for s in done if s["status"] != "skipped"]
    if code == 0:
        bad = [s for s in ran if s["status"] != "pass"]
        code = 1 if bad or not ran else 0
        suite["verdict"] = ("PASS" if code == 0 else
                            "FAIL: " + (", ".join(s["name"] for s in bad) or "no scenario ran"))
    if shaping:
        suite["topology_note"] += (f"; slow network by {shaping}"
                                   + (" (this kernel has no netem)" if shaping != "netem" else ""))
    suite["elapsed_s"] = round(time.monotonic() - t_start, 1)
    chaos_report.write(results, suite, done)
    cfg.log(f"chaos: {suite['verdict']} after {suite['elapsed_s']} s; report "
            f"{os.path.join(results, 'report.md')}")
    return code
