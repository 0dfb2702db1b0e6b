#!/usr/bin/python3
"""bench-propose.py: the optimiser's benchmark (issue 4), side by side in one run.

For each generated family (tools/gen-family.py: seeds x horizons of 1, 2 and 4
weeks) it reports:
  * the median whole-process wall time of `dovetail propose --json -k 1
    --no-ladder` (after one run has imported the feeds), whether the result is
    proven optimal, the number of day plans (the master's columns), and the
    objective;
  * CBC (coinor-cbc) on the same instance's `--write-compact-lp` model: its
    objective and whole-process wall time, in the same run, and the ratio;
  * the greedy baseline (`--baseline`: one appointment at a time, as a
    keyworker by hand): appointments placed, journeys and travel minutes,
    against the optimum's.
Then the targets: a family-week proven optimal in <= 20 ms, a 4-week horizon
in <= 1 s, equal objectives everywhere, at least 100x faster than CBC.

Not a test: timings on a shared machine are noisy, so nothing here fails on
time. Build with --buildtype=release for figures worth quoting.

Usage: tools/bench-propose.py [DOVETAIL] [--runs N] [--cbc-sec S]
         [--weeks1 SEEDS] [--weeks2 SEEDS] [--weeks4 SEEDS]
SEEDS is a range "1-8" or a list "1,3,5". Exit status 0, or 1 when an
objective differs (a correctness failure, not a timing one).
"""
import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NOW = "2026-11-23T00:00:00Z"
MONDAY = datetime.date(2026, 11, 23)


def seeds(text):
    out = []
    for part in text.split(","):
        if not part:
            continue
        if "-" in part:
            a, b = part.split("-")
            out.extend(range(int(a), int(b) + 1))
        else:
            out.append(int(part))
    return out


def wall(cmd, **kw):
    t = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    return time.perf_counter() - t, p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dovetail", nargs="?", default=os.path.join(ROOT, "build", "dovetail"))
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--cbc-sec", type=float, default=120)
    ap.add_argument("--weeks1", default="1-8")
    ap.add_argument("--weeks2", default="1-3")
    ap.add_argument("--weeks4", default="1-3")
    a = ap.parse_args()
    dv = os.path.abspath(a.dovetail)
    cbc = shutil.which("cbc")
    tmp = tempfile.mkdtemp(prefix="dovetail-bench-")
    rows = []
    bad = 0
    try:
        for weeks, ss in ((1, a.weeks1), (2, a.weeks2), (4, a.weeks4)):
            for seed in seeds(ss):
                d = os.path.join(tmp, "s%d-w%d" % (seed, weeks))
                subprocess.run([sys.executable, os.path.join(HERE, "gen-family.py"), "--seed", str(seed),
                                "--weeks", str(weeks), "--out", d], check=True)
                last = MONDAY + datetime.timedelta(days=7 * weeks - 1)
                base = [dv, "--db", os.path.join(d, "db"), "--now", NOW, "propose", "--json", "-k", "1",
                        "--no-ladder", "--from", MONDAY.isoformat(), "--to", last.isoformat()]
                prof = os.path.join(d, "profile.yaml")
                _, p = wall(base + [prof])          # imports the feeds
                times = []
                for _ in range(a.runs):
                    t, p = wall(base + [prof])
                    times.append(t)
                if p.returncode not in (0, 2):
                    print("s%d-w%d: propose exited %d: %s" % (seed, weeks, p.returncode,
                                                            p.stderr.decode()[:200]), file=sys.stderr)
                    bad += 1
                    continue
                res = json.loads(p.stdout)
                opt = res["proposals"][0]
                _, pb = wall(base + ["--baseline", prof])
                greedy = json.loads(pb.stdout).get("baseline", {})
                lp = os.path.join(d, "compact.lp")
                wall(base + ["--write-compact-lp", lp, prof])
                row = {
                    "name": "s%d-w%d" % (seed, weeks), "weeks": weeks,
                    "appts": res["appointments"], "columns": res["day_plans"],
                    "ms": statistics.median(times) * 1000, "proven": opt["proven_optimal"],
                    "objective": opt["objective"], "placed": opt["totals"]["appointments"],
                    "journeys": opt["totals"]["journeys"], "travel": opt["totals"]["travel_minutes"],
                    "g_placed": greedy.get("after", {}).get("appointments"),
                    "g_journeys": greedy.get("after", {}).get("journeys"),
                    "g_travel": greedy.get("after", {}).get("travel_minutes"),
                    "g_objective": greedy.get("objective"),
                    "cbc_obj": None, "cbc_s": None, "cbc_status": "absent",
                }
                if cbc:
                    t, pc = wall([cbc, lp, "-sec", str(a.cbc_sec), "-solve", "-quit"])
                    out = pc.stdout.decode()
                    row["cbc_s"] = t
                    row["cbc_status"] = ("optimal" if "Result - Optimal solution found" in out
                                         else "capped" if "Stopped on time" in out else "other")
                    for line in out.splitlines():
                        if line.startswith("Objective value:"):
                            row["cbc_obj"] = float(line.split(":")[1])
                rows.append(row)
                r = row
                print("%-7s %2d appts %5d cols %8.1f ms %s obj %10.2f | cbc %s %s %7.2f s" % (
                    r["name"], r["appts"], r["columns"], r["ms"], "proven" if r["proven"] else "NOT proven",
                    r["objective"], r["cbc_status"], "-" if r["cbc_obj"] is None else "%.2f" % r["cbc_obj"],
                    r["cbc_s"] or 0), file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print("dovetail propose (-k 1, no ladder), median of %d whole-process runs; CBC %s on the compact "
          "model, cap %g s" % (a.runs, subprocess.run([cbc, "-quit"], stdout=subprocess.PIPE).stdout.decode()
                               .split("Version:")[1].split()[0] if cbc else "(absent)", a.cbc_sec))
    hdr = ("instance", "appts", "columns", "ms", "proven", "objective", "CBC obj", "CBC s", "equal", "ratio",
           "journeys opt/greedy", "travel opt/greedy", "placed opt/greedy")
    print("| " + " | ".join(hdr) + " |")
    print("|" + "---|" * len(hdr))
    equal_n = fast_n = 0
    for r in rows:
        eq = r["cbc_obj"] is not None and r["cbc_status"] == "optimal" and abs(r["cbc_obj"] - r["objective"]) <= 1e-6
        if r["cbc_status"] == "optimal" and not eq:
            bad += 1
        equal_n += eq
        ratio = r["cbc_s"] * 1000 / r["ms"] if r["cbc_s"] else None
        fast_n += ratio is not None and ratio >= 100
        print("| %s | %d | %d | %.1f | %s | %.2f | %s | %s | %s | %s | %s/%s | %s/%s | %s/%s |" % (
            r["name"], r["appts"], r["columns"], r["ms"], "yes" if r["proven"] else "no", r["objective"],
            "-" if r["cbc_obj"] is None else "%.2f" % r["cbc_obj"],
            "-" if r["cbc_s"] is None else "%.2f%s" % (r["cbc_s"], "" if r["cbc_status"] == "optimal" else " (" + r["cbc_status"] + ")"),
            "yes" if eq else "NO" if r["cbc_status"] == "optimal" else "-",
            "-" if ratio is None else "%s%.0fx" % ("" if r["cbc_status"] == "optimal" else ">=", ratio),
            r["journeys"], r["g_journeys"], r["travel"], r["g_travel"], r["placed"], r["g_placed"]))
    wk1 = [r for r in rows if r["weeks"] == 1]
    wk4 = [r for r in rows if r["weeks"] == 4]
    ratios = [r["cbc_s"] * 1000 / r["ms"] for r in rows if r["cbc_s"]]
    print()
    if wk1:
        ok1 = sum(1 for r in wk1 if r["proven"] and r["ms"] <= 20)
        print("target family-week proven in <= 20 ms: %d of %d (median %.1f ms)" %
              (ok1, len(wk1), statistics.median(r["ms"] for r in wk1)))
    if wk4:
        ok4 = sum(1 for r in wk4 if r["ms"] <= 1000)
        print("target 4-week horizon in <= 1 s: %d of %d (max %.1f ms)" % (ok4, len(wk4), max(r["ms"] for r in wk4)))
    print("target equal objectives: %d of %d (CBC proved %d)" %
          (equal_n, len(rows), sum(1 for r in rows if r["cbc_status"] == "optimal")))
    if ratios:
        print("target >= 100x faster than CBC: %d of %d (median ratio %.0fx, min %.0fx, max %.0fx)" %
              (fast_n, len(rows), statistics.median(ratios), min(ratios), max(ratios)))
    same = [r for r in rows if r["g_placed"] == r["placed"]]
    print("versus greedy (one appointment at a time), over %d families: journeys %d vs %d, travel %d vs %d min, "
          "placed %d vs %d" % (len(rows), sum(r["journeys"] for r in rows), sum(r["g_journeys"] or 0 for r in rows),
                               sum(r["travel"] for r in rows), sum(r["g_travel"] or 0 for r in rows),
                               sum(r["placed"] for r in rows), sum(r["g_placed"] or 0 for r in rows)))
    if same:
        print("  where both place the same appointments (%d families): journeys %d vs %d, travel %d vs %d min" % (
            len(same), sum(r["journeys"] for r in same), sum(r["g_journeys"] for r in same),
            sum(r["travel"] for r in same), sum(r["g_travel"] for r in same)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
