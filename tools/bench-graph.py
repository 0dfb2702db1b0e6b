#!/usr/bin/env python3
"""Time caseload_scan (the sharing graph, docs/batch.md) on generated caseloads and show their components.

Usage: bench-graph.py GRAPH_SCAN [--persons N] [--areas A,B,...] [--households H] [--runs R]
                      [--shards S] [--keep DIR]

For each area count, tools/gen-caseload.py --persons N --seed 1 --areas A --households H writes a
caseload into a fresh temporary folder (or under --keep DIR), then GRAPH_SCAN (build/tools/graph-scan)
loads it and runs caseload_scan R times (the best is reported: every profile is read through the
profile layer, feeds are not), and plans S shards of whole components. Prints graph-scan's report per
caseload. Python 3 standard library only; the caseloads are removed unless --keep is given.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("graph_scan")
    ap.add_argument("--persons", type=int, default=10000)
    ap.add_argument("--areas", default="1,20")
    ap.add_argument("--households", type=int, default=0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--shards", type=int, default=8)
    ap.add_argument("--keep")
    a = ap.parse_args()
    top = a.keep or tempfile.mkdtemp(prefix="bench-graph.")
    try:
        for areas in [int(x) for x in a.areas.split(",")]:
            out = os.path.join(top, "cl-%d-a%d-h%d" % (a.persons, areas, a.households))
            t0 = time.monotonic()
            subprocess.run([sys.executable, os.path.join(HERE, "gen-caseload.py"), "--persons", str(a.persons),
                            "--seed", "1", "--areas", str(areas), "--households", str(a.households),
                            "--out", out], check=True)
            print("== %d persons, --areas %d --households %d (generated in %.1f s)" %
                  (a.persons, areas, a.households, time.monotonic() - t0), flush=True)
            subprocess.run([a.graph_scan, os.path.join(out, "caseload.yaml"), str(a.runs), str(a.shards)],
                           check=True)
    finally:
        if not a.keep:
            shutil.rmtree(top)


main()
