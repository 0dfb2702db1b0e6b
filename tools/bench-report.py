#!/usr/bin/env python3
"""bench-report.py: what the HTML report costs, side by side with what it adds to.

Usage: bench-report.py DOVETAIL [--runs 11] [--persons 1000] [--batch-runs 3] [--work DIR]

1. For each example family: `dovetail report PROFILE --html FILE` against `dovetail week --json
   PROFILE` (the same week read from the same store, printed as JSON instead of drawn): median
   wall time of --runs runs each, the ratio, and the page's size.
2. For a generated caseload (tools/gen-caseload.py --seed 1): `dovetail batch -j 2` with and
   without `--report DIR`, each on a fresh store: median wall time of --batch-runs runs, the
   ratio, the store's size and the pages' total size.
Clock pinned with DOVETAIL_NOW; proposals are stored first (propose), so report only reads.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def timed(cmd, env, cwd=None):
    t0 = time.monotonic()
    r = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - t0, r.returncode


def fresh(db):
    for s in ("", "-wal", "-shm"):
        if os.path.exists(db + s):
            os.unlink(db + s)


def du(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dovetail")
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--persons", type=int, default=1000)
    ap.add_argument("--batch-runs", type=int, default=3)
    ap.add_argument("--work", default=None)
    a = ap.parse_args()
    exe = os.path.abspath(a.dovetail)
    work = a.work or tempfile.mkdtemp(prefix="dovetail-bench-report.")
    os.makedirs(work, exist_ok=True)
    env = dict(os.environ, DOVETAIL_NOW="20261123T000000Z", LC_ALL="C")
    env.pop("DOVETAIL_DB", None)

    print("| family | report ms (median) | week --json ms (median) | report / week | page KB |")
    print("|---|---|---|---|---|")
    for fam in ("family-cp", "family-autism", "family-dementia"):
        prof = os.path.join(ROOT, "examples", fam, "profile.yaml")
        db = os.path.join(work, fam + ".db")
        fresh(db)
        subprocess.run([exe, "--db", db, "propose", prof], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        page = os.path.join(work, fam + ".html")
        rep, wk = [], []
        for _ in range(a.runs):   # interleaved, so that drift hits both alike
            t, rc = timed([exe, "--db", db, "report", prof, "--html", page], env)
            if rc != 0:
                sys.exit("report %s failed: exit %d" % (fam, rc))
            rep.append(t)
            t, rc = timed([exe, "--db", db, "week", "--json", prof], env)
            wk.append(t)
        r, w = statistics.median(rep), statistics.median(wk)
        print("| %s | %.1f | %.1f | %.2fx | %.1f |" % (fam, 1000 * r, 1000 * w, r / w, du(page) / 1024))
    sys.stdout.flush()

    n = a.persons
    d = os.path.join(work, "cl-%d" % n)
    if not os.path.exists(os.path.join(d, "caseload.yaml")):
        subprocess.run([sys.executable, os.path.join(HERE, "gen-caseload.py"), "--persons", str(n),
                        "--seed", "1", "--out", d], check=True, stdout=subprocess.DEVNULL)
    res = {}
    for mode in ("plain", "report"):
        ts, store, pages = [], 0, 0
        for r in range(a.batch_runs):
            db = os.path.join(work, "b-%s-%d.db" % (mode, r))
            fresh(db)
            out = os.path.join(work, "pages-%d" % r)
            shutil.rmtree(out, ignore_errors=True)
            cmd = [exe, "--db", db, "batch", "caseload.yaml", "-j", "2"]
            if mode == "report":
                cmd += ["--report", out]
            t, rc = timed(cmd, env, cwd=d)
            if rc not in (0, 2):
                sys.exit("batch (%s) failed: exit %d" % (mode, rc))
            ts.append(t)
            store = du(db)
            pages = du(out) if mode == "report" else 0
        res[mode] = (statistics.median(ts), store, pages)
    (tp, sp, _), (tr, sr, pr) = res["plain"], res["report"]
    print("\n| persons | batch -j 2 s | batch -j 2 --report s | --report / plain | store MB plain | store MB --report | pages MB |")
    print("|---|---|---|---|---|---|---|")
    print("| %d | %.2f | %.2f | %.2fx | %.1f | %.1f | %.1f |" %
          (n, tp, tr, tr / tp, sp / 2**20, sr / 2**20, pr / 2**20))
    return 0


if __name__ == "__main__":
    sys.exit(main())
