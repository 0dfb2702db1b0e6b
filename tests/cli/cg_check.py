#!/usr/bin/python3
"""cg_check.py CMP JSON ML: column generation, forced on a small week by
`propose --max-labels ML`, against the exact oracle's optimum (CMP, the
output of tools/oracle-propose.py --compare for the same family). Proposal 1
must place every appointment; be proven only at the optimum; when it is not
the optimum, not be proven and have a gap; and a bound on tier 1 (its gap at
tier 1) must not be above the optimum's. Exit 1 with the reasons on stderr."""
import json
import sys


def main():
    c = json.load(open(sys.argv[1]))
    p = json.load(open(sys.argv[2]))
    ml = sys.argv[3]
    o = c["oracle"]["optimum"]
    q = p["proposals"][0]
    ov = (o["impossible"], o["compromise"], o["objective"])
    v = (q["impossible"], q["compromise"], q["objective"])

    def close(a, b):
        return abs(a - b) <= 1e-6 * (1 + abs(b))

    errs = []
    if q["totals"]["appointments"] != p["appointments"]:
        errs.append("not every appointment is placed")
    same = all(close(a, b) for a, b in zip(v, ov))
    if q["proven_optimal"] and not same:
        errs.append("proven optimal at %s, but the optimum is %s" % (v, ov))
    if not same:
        t = next(i for i in range(3) if not close(v[i], ov[i]))
        if v[t] < ov[t]:
            errs.append("better than the optimum: %s vs %s" % (v, ov))
        if q["gap"] <= 0:
            errs.append("gap 0 at %s, but the optimum is %s" % (v, ov))
        if t == 0 and q["gap"] < 1 and v[0] * (1 - q["gap"]) > ov[0] + 1e-6:
            errs.append("its bound on tier 1, %.6f, is above the optimum's %s"
                        % (v[0] * (1 - q["gap"]), ov[0]))
    for e in errs:
        print("--max-labels %s: %s" % (ml, e), file=sys.stderr)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
