#!/usr/bin/env python3
"""bench-batch.py: `dovetail batch` over generated caseloads, against the naive loop, side by side.

Usage: bench-batch.py DOVETAIL [--sizes 100,1000,10000] [--runs 3] [--naive-max 1000] [--work DIR]

For each caseload size (tools/gen-caseload.py --seed 1: about one practitioner per 5 persons),
runs `dovetail batch -j 1` and `-j 2` on a fresh store, and, as the named alternative, the naive
loop a caseload manager would otherwise write: `dovetail propose -k 1 --no-ladder PROFILE` for each
person in turn (one shared store, so feeds are imported once; no double-booking check at all).
Reports, per size: the median wall time, persons per second, the peak memory (the most the whole
process tree held at once, sampled from /proc every 20 ms, and the largest single process), and
the ratios. Medians are of --runs runs (1 run for sizes above 1,000, where a run takes minutes).
The naive loop runs only up to --naive-max persons. Clock pinned with DOVETAIL_NOW.
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def tree_kb(root, fname, key):
    """The sum over root and all its descendants of /proc/PID/FNAME's KEY line, in kB."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open("/proc/%d/%s" % (pid, fname)) as f:
                for line in f:
                    if line.startswith(key):
                        total += int(line.split()[1])
            for t in os.listdir("/proc/%d/task" % pid):
                with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                    todo += [int(x) for x in f.read().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            pass
    return total


def tree_rss_kb(root):
    """The resident memory of root and all its descendants, in kB: each process's RSS summed, so a
    page the forked workers still share with the batch (copy on write) counts once per process."""
    return tree_kb(root, "status", "VmRSS:")


def tree_pss_kb(root):
    """The memory root and all its descendants hold, in kB: each process's PSS (a page shared by k
    processes counts 1/k in each) summed, so each page counts once."""
    return tree_kb(root, "smaps_rollup", "Pss:")


def measure(cmd, env, cwd):
    """(seconds, peak tree kB, exit status) of one run."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = [0]

    def sample():
        while p.poll() is None:
            peak[0] = max(peak[0], tree_rss_kb(p.pid))
            time.sleep(0.02)
    th = threading.Thread(target=sample)
    th.start()
    p.wait()
    th.join()
    return time.monotonic() - t0, peak[0], p.returncode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dovetail")
    ap.add_argument("--sizes", default="100,1000,10000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--naive-max", type=int, default=1000)
    ap.add_argument("--work", default=None)
    a = ap.parse_args()
    exe = os.path.abspath(a.dovetail)
    work = a.work or tempfile.mkdtemp(prefix="dovetail-bench-batch.")
    env = dict(os.environ, DOVETAIL_NOW="20261123T000000Z", LC_ALL="C")
    env.pop("DOVETAIL_DB", None)
    rows = []
    for n in [int(x) for x in a.sizes.split(",")]:
        d = os.path.join(work, "cl-%d" % n)
        if not os.path.exists(os.path.join(d, "caseload.yaml")):
            subprocess.run([sys.executable, os.path.join(HERE, "gen-caseload.py"), "--persons", str(n),
                            "--seed", "1", "--out", d], check=True)
        runs = a.runs if n <= 1000 else 1
        res = {}
        for j in (1, 2):
            ts, peaks = [], []
            for r in range(runs):
                db = os.path.join(work, "b-%d-%d-%d.db" % (n, j, r))
                for s in ("", "-wal", "-shm"):
                    if os.path.exists(db + s):
                        os.unlink(db + s)
                t, peak, rc = measure([exe, "--db", db, "batch", "caseload.yaml", "-j", str(j)], env, d)
                if rc not in (0, 2):
                    sys.exit("batch -j %d on %d persons failed: exit %d" % (j, n, rc))
                ts.append(t)
                peaks.append(peak)
            res[j] = (statistics.median(ts), max(peaks))
        naive = None
        if n <= a.naive_max:
            db = os.path.join(work, "naive-%d.db" % n)
            for s in ("", "-wal", "-shm"):
                if os.path.exists(db + s):
                    os.unlink(db + s)
            profiles = sorted(os.listdir(os.path.join(d, "persons")))
            t0 = time.monotonic()
            for p in profiles:
                subprocess.run([exe, "--db", db, "propose", "-k", "1", "--no-ladder",
                                os.path.join("persons", p)], env=env, cwd=d,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            naive = time.monotonic() - t0
        rows.append((n, runs, res, naive))
        print_rows(rows)
    return 0


def print_rows(rows):
    print("\n| persons | runs | -j 1 s | -j 1 persons/s | -j 2 s | -j 2 persons/s | peak MB -j 1 | peak MB -j 2 |"
          " naive loop s | -j 2 vs naive | -j 2 vs -j 1 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for n, runs, res, naive in rows:
        (t1, m1), (t2, m2) = res[1], res[2]
        nv = "%.1f" % naive if naive else "-"
        ratio = "%.1fx" % (naive / t2) if naive else "-"
        print("| %d | %d | %.2f | %.0f | %.2f | %.0f | %.1f | %.1f | %s | %s | %.2fx |" %
              (n, runs, t1, n / t1, t2, n / t2, m1 / 1024, m2 / 1024, nv, ratio, t1 / t2))
    if len(rows) > 1:
        (n0, _, r0, _), (n1, _, r1, _) = rows[0], rows[-1]
        print("\ngrowth %d -> %d persons (x%.0f): time -j 2 x%.1f (per person %.2f -> %.2f ms)" %
              (n0, n1, n1 / n0, r1[2][0] / r0[2][0], 1000 * r0[2][0] / n0, 1000 * r1[2][0] / n1))
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
