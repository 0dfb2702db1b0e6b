#!/usr/bin/env python3
"""bench-batch-joint.py: the joint master against the sequential final pass, side by side.

Usage: bench-batch-joint.py NEW OLD [--sizes 1000,10000] [--jobs 1,2] [--runs 1] [--work DIR]
                            [--seed 1] [--timeout 600] [--cap 10]

NEW is a `dovetail` whose `batch` ends in the joint master (summary "dovetail-batch/2"); OLD one
whose `batch` ends in the sequential final pass ("dovetail-batch/1", a build of ea6c855 whose
per-person result JSON carries "impossible" and "compromise", which it computes but did not print:

    git worktree add /tmp/old21 ea6c855
    # src/cmd/batch_run.c, solve_person's result: after "proposal": "%s", add
    #   "impossible": %d, "compromise": %.4f,  (x->impossible, x->compromise)
    meson setup /tmp/old21/build --buildtype=release && ninja -C /tmp/old21/build dovetail

). For each size, the caseload is
tools/gen-caseload.py --persons N --seed S --out WORK/cl-N-sS (kept and reused when present); then
for each binary and each -j, --runs times: `BIN --db FRESH.db batch caseload.yaml -j J --out OUTDIR`
(cwd the caseload folder, DOVETAIL_NOW=2026-11-23T00:00:00Z; exit 0 or 2 both count as done; a run
over --timeout seconds is killed, its whole process group, and counted as timed out).

Measured: wall time (median of the runs), peak memory of the whole process tree (most of it held at
once, /proc sampled every 20 ms; the largest over the runs), twice: each process's RSS summed (a
page the forked workers share with the batch counts once per process) and each process's PSS
summed (/proc/PID/smaps_rollup: a page shared by k processes counts 1/k in each, so once in all;
read every 200 ms, as it walks the page tables under the process's mmap lock: every 20 ms it
slowed `-j 1` at 10,000 persons from about 77 s to 91 s);
the store's size (file plus any -wal) in bytes per person.

From the last run's OUTDIR/summary.json and store:
- totals after: journeys, travel hours, clashes, routine conflicts;
- the caseload's compromise: sums over persons (status "error" skipped) of the final plan's
  impossible, compromise and objective (cost) (the store's figures: NEW's at full precision);
- per person, the final plan against the plan solved alone. NEW: the final is the store's chosen
  column (batch_persons.chosen, full precision; summary.json's figures are checked against it), the
  plan alone the column with origin 'alone' and n 0. OLD: batch_persons.result is the plan alone,
  final_result the final (NULL: the same); summary.json's figures are checked against it.
  "worse than solo": final lexicographically worse in (impossible, compromise, cost), tolerance
  1e-6; "worse, any term": worse in any one of the three (the definition NEW's own summary uses
  for "worse_than_solo"); "outside the cap": final impossible > alone's, or compromise > alone's +
  1e-6, or cost > alone's + CAP + 1e-6 (--cap, default 10, the documented default); "partial":
  final impossible > alone's; worst cost loss: the largest final cost - alone cost (0 if none).
  NEW's own "joint" figures from summary.json are shown beside, for a cross-check.
- -j times, t(-j first)/t(-j last) per binary (t(-j1)/t(-j2) with the defaults), NEW/OLD time.

Prints a table per size and writes every figure to WORK/results.json. Standard library only.
"""
import argparse
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NOW = "2026-11-23T00:00:00Z"
TOL = 1e-6


def _bench_batch():
    """tools/bench-batch.py as a module (its name has a hyphen)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("bench_batch", os.path.join(HERE, "bench-batch.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


_bb = _bench_batch()
tree_rss_kb, tree_pss_kb = _bb.tree_rss_kb, _bb.tree_pss_kb   # one reader of a process tree's memory


def measure(cmd, env, cwd, timeout, log):
    """(seconds, (peak tree RSS kB, peak tree PSS kB), exit status or None on timeout) of one run."""
    t0 = time.monotonic()
    with open(log, "wb") as err:
        p = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err,
                             start_new_session=True)
        peak = [0, 0]

        def sample():
            k = 0
            while p.poll() is None:
                peak[0] = max(peak[0], tree_rss_kb(p.pid))
                if k % 10 == 0:   # smaps_rollup walks the page tables under the mmap lock: not too often
                    peak[1] = max(peak[1], tree_pss_kb(p.pid))
                k += 1
                time.sleep(0.02)
        th = threading.Thread(target=sample)
        th.start()
        try:
            p.wait(timeout=timeout)
            rc = p.returncode
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()
            rc = None
        th.join()
    return time.monotonic() - t0, tuple(peak), rc


def unlink_db(db):
    for s in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(db + s):
            os.unlink(db + s)


def store_bytes(db):
    return sum(os.path.getsize(db + s) for s in ("", "-wal") if os.path.exists(db + s))


def worse_lex(f, a):
    """f lexicographically worse than a in (impossible, compromise, cost), tolerance TOL."""
    if f[0] != a[0]:
        return f[0] > a[0]
    if abs(f[1] - a[1]) > TOL:
        return f[1] > a[1]
    return f[2] > a[2] + TOL


def worse_any(f, a):
    return f[0] > a[0] or f[1] > a[1] + TOL or f[2] > a[2] + TOL


def outside_cap(f, a, cap):
    return f[0] > a[0] or f[1] > a[1] + TOL or f[2] > a[2] + cap + TOL


def triple(obj):
    return (int(obj["impossible"]), float(obj["compromise"]), float(obj["objective"]))


def finals_alone_new(db, run):
    """{person: (final triple, alone triple)} from a NEW store (full precision)."""
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        alone = {p: (i, cp, co) for p, i, cp, co in c.execute(
            "SELECT person, impossible, compromise, cost FROM batch_columns"
            " WHERE run = ? AND origin = 'alone' AND n = 0", (run,))}
        final = {p: (i, cp, co) for p, i, cp, co in c.execute(
            "SELECT p.person, c.impossible, c.compromise, c.cost FROM batch_persons p"
            " JOIN batch_columns c ON c.run = p.run AND c.person = p.person AND c.n = p.chosen"
            " WHERE p.run = ?", (run,))}
    finally:
        c.close()
    return final, alone


def finals_alone_old(db, run):
    """{person: triple} final and alone from an OLD store (the result JSON's 4 decimals)."""
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    final, alone = {}, {}
    try:
        for p, res, fin in c.execute(
                "SELECT person, result, final_result FROM batch_persons WHERE run = ?", (run,)):
            try:
                r = json.loads(res)
                if r.get("status") != "error" and "impossible" in r:
                    alone[p] = triple(r)
                f = json.loads(fin) if fin is not None else r
                if f.get("status") != "error" and "impossible" in f:
                    final[p] = triple(f)
            except (ValueError, KeyError, TypeError):
                pass
    finally:
        c.close()
    return final, alone


def quality(kind, out, db, cap):
    """The figures of one finished run, from OUT/summary.json and the store."""
    with open(os.path.join(out, "summary.json")) as f:
        s = json.load(f)
    after = s["totals"]["after"]
    q = {"format": s.get("format"), "run": s.get("run"),
         "journeys": after.get("journeys"), "travel_hours": after.get("travel_hours"),
         "clashes": after.get("clashes"), "routine_conflicts": after.get("routine_conflicts")}
    final, alone = (finals_alone_new if kind == "new" else finals_alone_old)(db, s.get("run"))
    imp = comp = cost = 0.0
    persons = errors = no_alone = mismatch = 0
    worse = worse_any_n = over = partial = 0
    worst = 0.0
    worst_person = None
    for p in s["persons"]:
        if p.get("status") == "error":
            errors += 1
            continue
        persons += 1
        t = triple(p)
        pid = p["person"]
        fin = final.get(pid)
        if fin is None:
            fin = t
            mismatch += 1
        elif fin[0] != t[0] or abs(fin[1] - t[1]) > 1e-3 or abs(fin[2] - t[2]) > 1e-3:
            mismatch += 1
        imp += fin[0]
        comp += fin[1]
        cost += fin[2]
        a = alone.get(pid)
        if a is None:
            no_alone += 1
            continue
        if kind == "new" and pid not in final:   # summary's 4 decimals: compare alike
            a = (a[0], round(a[1], 4), round(a[2], 4))
        worse += worse_lex(fin, a)
        worse_any_n += worse_any(fin, a)
        over += outside_cap(fin, a, cap)
        partial += fin[0] > a[0]
        if fin[2] - a[2] > worst + TOL:
            worst, worst_person = fin[2] - a[2], pid
    q.update({"persons_ok": persons, "persons_error": errors, "impossible": int(imp),
              "compromise": round(comp, 4), "cost": round(cost, 4),
              "worse_than_solo": worse, "worse_any_term": worse_any_n, "outside_cap": over,
              "partial": partial, "worst_cost_loss": round(worst, 4), "worst_person": worst_person,
              "no_alone_plan": no_alone, "summary_store_mismatch": mismatch})
    j = s["totals"].get("joint")
    if j:
        q["own_joint"] = {k: j.get(k) for k in ("cap", "worse_than_solo", "over_cap", "worst_loss",
                                                "moved_off_solo", "impossible", "compromise",
                                                "cost", "gap", "proven")}
    return q


QKEYS = ("journeys", "travel_hours", "clashes", "routine_conflicts", "impossible", "compromise",
         "cost", "worse_than_solo", "worse_any_term", "outside_cap", "partial", "worst_cost_loss")


def run_size(a, n, bins, env, work):
    d = os.path.join(work, "cl-%d-s%d" % (n, a.seed))
    if not os.path.exists(os.path.join(d, "caseload.yaml")):
        subprocess.run([sys.executable, os.path.join(HERE, "gen-caseload.py"), "--persons", str(n),
                        "--seed", str(a.seed), "--out", d], check=True)
    res = {"persons": n, "caseload": d, "bins": {}}
    for kind, exe in bins:
        rb = res["bins"][kind] = {"exe": exe, "jobs": {}}
        for j in a.jobs:
            ts, peaks, psss, rcs, sizes = [], [], [], [], []
            db = os.path.join(work, "%s-%d-j%d.db" % (kind, n, j))
            out = os.path.join(work, "out-%s-%d-j%d" % (kind, n, j))
            qs = []
            for r in range(a.runs):
                unlink_db(db)
                shutil.rmtree(out, ignore_errors=True)
                log = os.path.join(work, "%s-%d-j%d-r%d.stderr" % (kind, n, j, r))
                t, peak, rc = measure([exe, "--db", db, "batch", "caseload.yaml", "-j", str(j),
                                       "--out", out], env, d, a.timeout, log)
                rcs.append(rc)
                if rc not in (0, 2):
                    print("%s -j %d on %d persons: %s (see %s)" %
                          (kind, j, n, "timed out" if rc is None else "exit %d" % rc, log),
                          file=sys.stderr)
                    continue
                ts.append(t)
                peaks.append(peak[0])
                psss.append(peak[1])
                sizes.append(store_bytes(db))
                try:
                    qs.append(quality(kind, out, db, a.cap))
                except (OSError, ValueError, KeyError, sqlite3.Error) as e:
                    print("%s -j %d on %d persons: cannot read the results: %s" % (kind, j, n, e),
                          file=sys.stderr)
            rj = rb["jobs"][j] = {"exits": rcs, "times": [round(t, 3) for t in ts],
                                  "time": round(statistics.median(ts), 3) if ts else None,
                                  "peak_kb": max(peaks) if peaks else None,
                                  "peak_pss_kb": max(psss) if psss else None,
                                  "store_bytes_per_person": round(max(sizes) / n, 1) if sizes else None,
                                  "quality": qs[-1] if qs else None,
                                  "same_over_runs": all(same(q, qs[0]) for q in qs) if qs else None}
            print("  %s -j %d on %d: %s s" % (kind, j, n, rj["time"]), file=sys.stderr)
        qs = [rj["quality"] for rj in rb["jobs"].values() if rj["quality"]]
        rb["quality"] = qs[0] if qs else None
        rb["same_over_jobs"] = all(same(q, qs[0]) for q in qs) if qs else None
        j0, j1 = a.jobs[0], a.jobs[-1]
        t0, t1 = rb["jobs"][j0]["time"], rb["jobs"][j1]["time"]
        rb["speedup"] = round(t0 / t1, 3) if t0 and t1 and j0 != j1 else None
    tn = {j: res["bins"]["new"]["jobs"][j]["time"] for j in a.jobs}
    to = {j: res["bins"]["old"]["jobs"][j]["time"] for j in a.jobs}
    res["new_over_old_time"] = {j: (round(tn[j] / to[j], 3) if tn[j] and to[j] else None)
                                for j in a.jobs}
    return res


def same(q, r):
    return all(q.get(k) == r.get(k) for k in QKEYS)


def fmt(v, nd=2):
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "NO"
    if isinstance(v, float):
        return "%.*f" % (nd, v)
    return str(v)


def tval(rj, runs):
    """The median time, with how many runs it is of when some failed or timed out."""
    v = fmt(rj["time"])
    if len(rj["times"]) != runs:
        v += " (%d/%d runs done)" % (len(rj["times"]), runs)
    return v


def ratio(x, y, nd=2):
    return "%.*fx" % (nd, x / y) if x is not None and y else "-"


def print_size(a, res):
    n = res["persons"]
    N, O = res["bins"]["new"], res["bins"]["old"]
    rows = []
    for j in a.jobs:
        rn, ro = N["jobs"][j], O["jobs"][j]
        rows.append(("time -j %d, s (median)" % j, tval(rn, a.runs), tval(ro, a.runs),
                     ratio(rn["time"], ro["time"])))
    j0, j1 = a.jobs[0], a.jobs[-1]
    if j0 != j1:
        rows.append(("t(-j %d) / t(-j %d)" % (j0, j1), fmt(N["speedup"]), fmt(O["speedup"]), ""))
    for j in a.jobs:
        rn, ro = N["jobs"][j], O["jobs"][j]
        mn = rn["peak_kb"] / 1024 if rn["peak_kb"] else None
        mo = ro["peak_kb"] / 1024 if ro["peak_kb"] else None
        rows.append(("peak tree MB -j %d (RSS summed)" % j, fmt(mn, 1), fmt(mo, 1), ratio(mn, mo)))
        pn = rn["peak_pss_kb"] / 1024 if rn.get("peak_pss_kb") else None
        po = ro["peak_pss_kb"] / 1024 if ro.get("peak_pss_kb") else None
        rows.append(("peak tree MB -j %d (PSS summed)" % j, fmt(pn, 1), fmt(po, 1), ratio(pn, po)))
    sn = max([r["store_bytes_per_person"] or 0 for r in N["jobs"].values()]) or None
    so = max([r["store_bytes_per_person"] or 0 for r in O["jobs"].values()]) or None
    rows.append(("store bytes / person", fmt(sn, 0), fmt(so, 0), ratio(sn, so)))
    qn, qo = N["quality"] or {}, O["quality"] or {}
    labels = [("journeys", "after: journeys", 0), ("travel_hours", "after: travel hours", 2),
              ("clashes", "after: clashes", 0), ("routine_conflicts", "after: routine conflicts", 0),
              ("impossible", "sum impossible", 0), ("compromise", "sum compromise", 4),
              ("cost", "sum cost (objective)", 4),
              ("worse_than_solo", "persons worse than solo (lex)", 0),
              ("worse_any_term", "persons worse in any term", 0),
              ("outside_cap", "persons outside the cap (%g)" % a.cap, 0),
              ("partial", "persons partial (imp > alone)", 0),
              ("worst_cost_loss", "worst cost loss", 4),
              ("persons_error", "persons in error (skipped)", 0),
              ("no_alone_plan", "persons with no plan alone", 0),
              ("summary_store_mismatch", "summary vs store mismatches", 0)]
    for k, lab, nd in labels:
        vn, vo = qn.get(k), qo.get(k)
        diff = ""
        if isinstance(vn, (int, float)) and isinstance(vo, (int, float)):
            diff = ("%+.*f" % (nd, vn - vo)) if nd else "%+d" % (vn - vo)
        rows.append((lab, fmt(vn, nd), fmt(vo, nd), diff))
    def same_all(b):
        v = [b["same_over_jobs"]] + [r["same_over_runs"] for r in b["jobs"].values()]
        return None if b["same_over_jobs"] is None else all(x is not False for x in v)
    rows.append(("same figures for every -j and run", fmt(same_all(N)), fmt(same_all(O)), ""))
    own = qn.get("own_joint")
    print("\n%d persons (seed %d; %s)" % (n, a.seed, res["caseload"]))
    print("| figure | NEW (%s) | OLD (%s) | NEW vs OLD |" % (qn.get("format", "?"), qo.get("format", "?")))
    print("|---|---|---|---|")
    for r in rows:
        print("| %s | %s | %s | %s |" % r)
    if own:
        print("NEW's own joint figures: worse_than_solo %s, over_cap %s, worst_loss %s, moved_off_solo %s,"
              " gap %s, proven %s" % (own.get("worse_than_solo"), own.get("over_cap"),
                                      own.get("worst_loss"), own.get("moved_off_solo"),
                                      own.get("gap"), own.get("proven")))
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("new")
    ap.add_argument("old")
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--jobs", default="1,2")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--work", default=None)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--cap", type=float, default=10.0)
    a = ap.parse_args()
    a.jobs = [int(x) for x in a.jobs.split(",")]
    if a.runs < 1:
        ap.error("--runs must be at least 1")
    bins = [("new", os.path.abspath(a.new)), ("old", os.path.abspath(a.old))]
    for _, exe in bins:
        if not os.access(exe, os.X_OK):
            ap.error("not an executable: %s" % exe)
    work = os.path.abspath(a.work) if a.work else tempfile.mkdtemp(prefix="dovetail-bench-joint.")
    os.makedirs(work, exist_ok=True)
    env = dict(os.environ, DOVETAIL_NOW=NOW, LC_ALL="C")
    env.pop("DOVETAIL_DB", None)
    out = {"new": bins[0][1], "old": bins[1][1], "now": NOW, "seed": a.seed, "jobs": a.jobs,
           "runs": a.runs, "timeout": a.timeout, "cap": a.cap, "sizes": []}
    for n in [int(x) for x in a.sizes.split(",")]:
        res = run_size(a, n, bins, env, work)
        out["sizes"].append(res)
        print_size(a, res)
        with open(os.path.join(work, "results.json"), "w") as f:
            json.dump(out, f, indent=1, sort_keys=True)
    print("\nresults: %s" % os.path.join(work, "results.json"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
