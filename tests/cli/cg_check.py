#!/usr/bin/python3
"""cg_check.py CMP JSON ML: column generation, forced on a small week by
`propose --max-labels ML`, against the exact oracle's optimum (CMP, the
output of tools/oracle-propose.py --compare for the same family). Proposal 1
must place every appointment; be proven only at the optimum; when it is not
the optimum, not be proven and have a gap; and the bound its gap gives,
where the tier it is of is known (the first tier of value not 0, when the
plan misses the optimum there), must not be above the optimum's. Exit 1
with the reasons on stderr."""
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
        # the gap is that of the first tier j not proven (the tiers before
        # it are at the optimum, so j <= t); a tier of value 0 not proven
        # has gap 1, so a gap below 1 has j >= s, the first tier of value
        # not 0; where t == s, j is s
        s = next((i for i in range(2) if not close(v[i], 0)), 2)
        if t == s and q["gap"] < 1 and v[t] * (1 - q["gap"]) > ov[t] + 1e-6 * (1 + abs(ov[t])):
            errs.append("its bound on tier %d, %.6f, is above the optimum's %s"
                        % (t + 1, v[t] * (1 - q["gap"]), ov[t]))
    for e in errs:
        print("--max-labels %s: %s" % (ml, e), file=sys.stderr)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
