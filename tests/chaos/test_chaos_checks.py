#!/usr/bin/env python3
"""Self-test of the chaos invariants (chaos_checks): each passes on consistent evidence and
fails on evidence broken in the way it is meant to catch, so no check of the suite is one that
cannot fail. Synthetic records and store dumps, no floe process. Run: python3 this file."""
import json
import math
import os
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chaos_checks as checks  # noqa: E402

G, E, D = "g", "e1", "d1"
T0 = 1_700_000_000_000  # a multiple of 10 s


def record_line(mid, kind, device, metrics, ts):
    return {"id": mid, "topic": f"spBv1.0/{G}/{kind}/{E}" + (f"/{device}" if device else ""),
            "type": kind, "group": G, "edge_node": E, "device": device or None, "qos": 0,
            "will": False, "bdSeq": 0, "seq": mid % 256, "timestamp": ts,
            "metrics": [{"name": n, "alias": None, "datatype": t, "timestamp": ts, "value": v,
                         "is_historical": False, "is_transient": False, "is_null": False}
                        for n, t, v in metrics]}


class Fixture:
    """One device with a Double and a Boolean metric, a point every second for 40 s; member
    m1 stored all of it; windows of 10 s computed correctly."""

    def __init__(self, tmp):
        self.tmp = tmp
        lines, points = [], []
        for k in range(40):
            ts = T0 + 1000 * k
            temp = 20.0 + math.sin(k) * 3
            lines.append(record_line(k + 1, "DBIRTH" if k == 0 else "DDATA", D,
                                     [("Temp", "Double", temp), ("On", "Boolean", k % 3 == 0)],
                                     ts))
            points += [{"series": f"{G}/{E}/{D}/Temp", "ts": ts, "value": temp,
                        "quality": 192, "historical": False},
                       {"series": f"{G}/{E}/{D}/On", "ts": ts, "value": k % 3 == 0,
                        "quality": 192, "historical": False}]
        self.record = self.write("record.jsonl", lines)
        self.points = points
        self.windows = []
        temps = [(p["ts"], p["value"]) for p in points if p["series"].endswith("Temp")]
        for start in range(T0, T0 + 40000, 10000):
            inside = [(t, x) for t, x in temps if start <= t < start + 10000]
            xs = [x for _, x in inside]
            mean = math.fsum(xs) / len(xs)
            self.windows.append({"series": f"{G}/{E}/{D}/Temp", "width_ms": 10000,
                                 "start_ms": start, "kind": "numeric", "count": len(xs),
                                 "first_ts_ms": inside[0][0], "last_ts_ms": inside[-1][0],
                                 "min": min(xs), "max": max(xs), "sum": math.fsum(xs),
                                 "mean": mean,
                                 "stddev": math.sqrt(math.fsum((x - mean) ** 2 for x in xs)
                                                     / len(xs)),
                                 "first": xs[0], "last": xs[-1]})

    def write(self, name, rows):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            for r in rows:
                f.write(json.dumps(r) + "\n")
        return path

    def evidence(self, points=None, windows=None):
        points = self.points if points is None else points
        summary = {}
        for p in sorted(points, key=lambda p: p["ts"]):
            s = summary.setdefault(p["series"], {"series": p["series"], "points": 0,
                                                 "first_ts": p["ts"], "historical": 0,
                                                 "windows": 0})
            s["points"] += 1
            s["last_ts"], s["last_value"] = p["ts"], p["value"]
        dumps = {"points": self.write("p.jsonl", points),
                 "summary": self.write("s.jsonl", summary.values()),
                 "windows": self.write("w.jsonl", self.windows if windows is None else windows)}
        return checks.Evidence([self.record], {"m1": dumps})


class ProcStub:
    def __init__(self, name, end_kind, crash=()):
        self.name, self.role, self.end_kind, self.end_detail = name, "member", end_kind, "x"
        self._crash = list(crash)
        self.rss = []

    def poll(self):
        return False

    def log_tail(self, n=15):
        return ""

    def crash_lines(self):
        return self._crash


class MemberStub:
    def __init__(self, rss):
        p = ProcStub("m1#1", "stopped")
        p.rss = [(0, b) for b in rss]
        self.incarnations = [p]


class ChecksFail(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.fx = Fixture(self._tmp.name)

    def tearDown(self):
        self._tmp.cleanup()

    def test_consistent_evidence_passes_every_check(self):
        ev = self.fx.evidence()
        self.assertTrue(checks.check_stored_published(ev)["ok"])
        self.assertTrue(checks.check_last_values(ev)["ok"])
        self.assertTrue(checks.check_windows_match(ev)["ok"])
        self.assertTrue(checks.check_tail_complete(ev, T0 + 30000)["ok"])
        committed = {"m1": [[(T0 + 39000, 80)]]}
        self.assertTrue(checks.check_acknowledged(ev, committed, 0, [])["ok"])

    def test_changed_value_is_not_published(self):
        pts = [dict(p) for p in self.fx.points]
        pts[5]["value"] = 99.5
        self.assertFalse(checks.check_stored_published(self.fx.evidence(pts))["ok"])

    def test_invented_point_is_not_published(self):
        pts = self.fx.points + [{"series": f"{G}/{E}/{D}/Temp", "ts": T0 + 500, "value": 1.0,
                                 "quality": 192, "historical": False}]
        self.assertFalse(checks.check_stored_published(self.fx.evidence(pts))["ok"])

    def test_missing_last_point_fails_last_values_and_tail(self):
        pts = [p for p in self.fx.points if p["ts"] != T0 + 39000]
        ev = self.fx.evidence(pts)
        self.assertFalse(checks.check_last_values(ev)["ok"])
        self.assertFalse(checks.check_tail_complete(ev, T0 + 30000)["ok"])

    def test_last_value_must_be_at_the_final_owner(self):
        ev = self.fx.evidence()
        self.assertTrue(checks.check_last_values(ev, {f"{G}/{E}": "m1"})["ok"])
        self.assertFalse(checks.check_last_values(ev, {f"{G}/{E}": "m2"})["ok"])

    def test_lost_acknowledged_points_fail_the_count(self):
        pts = [p for p in self.fx.points if not (T0 + 10000 <= p["ts"] < T0 + 12000)]
        ev = self.fx.evidence(pts)
        committed = {"m1": [[(T0 + 20000, 42)], [(T0 + 39000, 38)]]}
        self.assertFalse(checks.check_acknowledged(ev, committed, 0, [])["ok"])
        # the same loss is within an allowance of 4 overwrites
        self.assertTrue(checks.check_acknowledged(ev, committed, 4, [])["ok"])

    def test_lost_sampled_point_fails(self):
        pts = [p for p in self.fx.points if p["ts"] != T0 + 7000]
        ev = self.fx.evidence(pts)
        snap = [{"member": "m1", "t_ms": T0 + 8000, "before": "kill -9",
                 "points": [(f"{G}/{E}/{D}/Temp", T0 + 7000, None)]}]
        self.assertFalse(checks.check_acknowledged(ev, {"m1": [[(T0, 0)]]}, 0, snap)["ok"])
        wrong = [{"member": "m1", "t_ms": T0 + 8000, "before": "kill -9",
                  "points": [(f"{G}/{E}/{D}/On", T0 + 3000, 0.0)]}]  # stored True
        self.assertFalse(checks.check_acknowledged(self.fx.evidence(), {"m1": [[(T0, 0)]]}, 0,
                                                   wrong)["ok"])

    def test_wrong_window_fails(self):
        ws = [dict(w) for w in self.fx.windows]
        ws[1]["sum"] += 0.5
        self.assertFalse(checks.check_windows_match(self.fx.evidence(windows=ws))["ok"])
        self.assertFalse(checks.check_windows_match(self.fx.evidence(windows=[]))["ok"])

    def test_window_missing_a_stored_point_fails(self):
        pts = self.fx.points + [{"series": f"{G}/{E}/{D}/Temp", "ts": T0 + 1500,
                                 "value": 21.0, "quality": 192, "historical": False}]
        self.assertFalse(checks.check_windows_match(self.fx.evidence(pts))["ok"])

    def test_single_owner(self):
        keys = ["g/e1", "g/e2"]
        ok = {"m1": {"owned": ["g/e1"]}, "m2": {"owned": ["g/e2"]}}
        self.assertTrue(checks.check_single_owner(ok, keys)["ok"])
        both = {"m1": {"owned": ["g/e1", "g/e2"]}, "m2": {"owned": ["g/e2"]}}
        self.assertFalse(checks.check_single_owner(both, keys)["ok"])
        none = {"m1": {"owned": ["g/e1"]}, "m2": {"owned": []}}
        self.assertFalse(checks.check_single_owner(none, keys)["ok"])
        self.assertFalse(checks.check_single_owner({"m1": None}, keys)["ok"])

    def test_processes(self):
        self.assertTrue(checks.check_processes([ProcStub("a", "killed"),
                                                ProcStub("b", "stopped")])["ok"])
        self.assertFalse(checks.check_processes([ProcStub("a", "crashed")])["ok"])
        self.assertFalse(checks.check_processes(
            [ProcStub("a", "stopped", ["terminate called after throwing"])])["ok"])

    def test_rss(self):
        self.assertTrue(checks.check_rss([MemberStub([10 << 20, 20 << 20])], 30 << 20)["ok"])
        self.assertFalse(checks.check_rss([MemberStub([10 << 20, 40 << 20])], 30 << 20)["ok"])
        self.assertFalse(checks.check_rss([MemberStub([])], 30 << 20)["ok"])


if __name__ == "__main__":
    unittest.main(verbosity=1)
