#!/bin/sh
# t-compact.sh: the optimiser against an independent formulation. `propose
# --write-compact-lp` writes the compact model of each instance (solver/
# compact.c: a network of sessions per day, no day plans; docs/propose.md,
# "The compact model"), CBC (coinor-cbc) solves it in three stages (tier 1;
# tier 2 with tier 1 held; tier 3 with both held), and its optimum must equal
# dovetail's proven optimum in all three tiers (impossible, compromise,
# objective). The instances: the example families (and family-cp under
# --max-changes 1), generated families (tools/gen-family.py seeds 1 and 5),
# and small families of the exact oracle test
# (tools/gen-small-family.py, as t-optimality.sh: non-metric travel, clashes,
# double bookings and travel problems as booked, routines at home, anywhere
# and at a venue, joint sessions, notice). And `--baseline`, the greedy plan,
# is never better than the optimum by the three tiers.
#
# CBC runs without its feasibility pump and preprocessing (on these models
# they take most of its time: family-cp, the largest, is proven in about 20
# CPU seconds in all, a minute with them), with a cap of 600 CPU seconds a
# stage; reaching the cap is a failure, never a skip.
. "$(dirname "$0")/lib.sh"

if ! command -v cbc >/dev/null 2>&1; then
	not_ok "cbc is installed (tools/run-tests installs coinor-cbc)"
	done_testing
fi
py=/usr/bin/python3   # with icalendar, for tools/gen-small-family.py (as t-optimality.sh)

# The stages: the model's objective is tier1; each stage rewrites it to
# tierN and holds the tiers before at their optimum (tier 1 is a whole
# number; tier 2 within 1e-6 relative). Prints the three optima, or why not.
cat >"$TMP/stages.py" <<'EOF'
import re, subprocess, sys
lp, out = sys.argv[1], sys.argv[2]
text = open(lp).read()
head, rest = text.split("Subject To\n", 1)
pre = head.split("Minimize\n")[0]
holds, vals = [], []
for t in (1, 2, 3):
    f = "%s.stage%d.lp" % (out, t)
    open(f, "w").write(pre + "Minimize\n obj: + tier%d\n\nSubject To\n" % t + "".join(holds) + rest)
    r = subprocess.run(["cbc", f, "-sec", "600", "-feas", "off", "-preprocess", "off", "-solve", "-quit"],
                       capture_output=True, text=True)
    open("%s.stage%d.log" % (out, t), "w").write(r.stdout + r.stderr)
    m = re.search(r"^Objective value:\s*(\S+)", r.stdout, re.M)
    if not re.search(r"^Result - Optimal solution found", r.stdout, re.M) or not m:
        print("stage %d: CBC proved no optimum" % t)
        sys.exit(0)
    v = float(m.group(1))
    vals.append(v)
    holds.append(" hold%d: + tier%d <= %.12g\n" % (t, t, v + (0.5 if t == 1 else 1e-6 * (1 + abs(v)))))
print(" ".join(repr(v) for v in vals))
EOF

# same NAME PROFILE [PROPOSE OPTIONS...]: the two optima agree
same() {
	name=$1
	profile=$2
	shift 2
	"$DOVETAIL" --db "$TMP/$name.db" propose --json -k 1 --no-ladder --baseline \
		--write-compact-lp "$TMP/$name.lp" "$@" "$profile" >"$TMP/$name.json" 2>"$TMP/$name.err"
	rc=$?
	check "$name: propose exits 0 (got $rc)" [ "$rc" -eq 0 ]
	ours=$(python3 -c 'import json,sys
p = json.load(open(sys.argv[1]))["proposals"][0]
assert p["proven_optimal"] and p["gap"] == 0
print(p["impossible"], p["compromise"], p["objective"])' "$TMP/$name.json")
	check "$name: dovetail's optimum is proven" [ -n "$ours" ]
	# (greedy knows no bound on changes: compare only unbounded runs)
	case " $* " in
	*" --max-changes "*) ;;
	*) check "$name: the greedy baseline is no better than the optimum" python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
b, p = d["baseline"], d["proposals"][0]
key = lambda x: (x["impossible"], round(x["compromise"], 6), round(x["objective"], 6))
assert b["method"] == "greedy" and key(b) >= key(p), (key(b), key(p))
assert b["after"]["appointments"] == d["appointments"]' "$TMP/$name.json" ;;
	esac
	theirs=$(python3 "$TMP/stages.py" "$TMP/$name.lp" "$TMP/$name")
	# dovetail prints 4 decimals: equal within 1e-6 relative of that rounding
	if python3 -c 'import sys
o, t = sys.argv[1].split(), sys.argv[2].split()
assert len(o) == 3 and len(t) == 3
assert all(abs(float(a) - float(b)) <= 5e-5 + 1e-6 * abs(float(a)) for a, b in zip(o, t))' "$ours" "$theirs" 2>/dev/null; then
		ok "$name: CBC's optimum of the compact model equals dovetail's ($ours)"
	else
		not_ok "$name: CBC's optimum of the compact model equals dovetail's"
		echo "dovetail (impossible compromise objective): $ours" | diag
		echo "CBC, by stages: $theirs" | diag
	fi
}

cd "$SRCDIR" || exit 1
for fam in family-cp family-autism family-dementia; do
	same "$fam" "examples/$fam/profile.yaml"
done
same family-cp-max1 examples/family-cp/profile.yaml --max-changes 1
for seed in 1 5; do
	python3 tools/gen-family.py --seed "$seed" --weeks 1 --out "$TMP/gen$seed" >/dev/null
	same "generated-seed$seed" "$TMP/gen$seed/profile.yaml"
done

# small families of the exact oracle test, each at its own "now"
nonmetric=0
for seed in 1 2 3 4 5 6 7 8 9 10 11 12; do
	fam=$TMP/small$seed
	if ! $py tools/gen-small-family.py "$seed" "$fam" >/dev/null 2>"$fam.gen-err"; then
		not_ok "small-seed$seed: tools/gen-small-family.py writes the family"
		diag <"$fam.gen-err"
		continue
	fi
	# travel that breaks the triangle inequality somewhere
	$py - "$fam/profile.yaml" <<'EOF' && nonmetric=$((nonmetric + 1))
import re, sys
t = {}
for m in re.finditer(r"- \[(\w+), (\w+), (\d+),", open(sys.argv[1]).read()):
    t[m.group(1), m.group(2)] = t[m.group(2), m.group(1)] = int(m.group(3))
v = {a for a, _ in t}
sys.exit(0 if any((a, c) in t and (c, b) in t and (a, b) in t and t[a, c] + t[c, b] < t[a, b]
                  for a in v for b in v for c in v if len({a, b, c}) == 3) else 1)
EOF
	DOVETAIL_NOW=$(cat "$fam/now.txt")
	same "small-seed$seed" "$fam/profile.yaml"
	DOVETAIL_NOW=20261123T000000Z
done
check "some small families have non-metric travel ($nonmetric of 12)" [ "$nonmetric" -gt 0 ]

# bad input: the file cannot be written
"$DOVETAIL" --db "$TMP/bad.db" propose --write-compact-lp /nonexistent/dir/c.lp \
	examples/family-cp/profile.yaml >/dev/null 2>"$TMP/bad.err"
check "an unwritable --write-compact-lp exits 73" [ $? -eq 73 ]
check "... naming the file" grep -q '/nonexistent/dir/c.lp' "$TMP/bad.err"

# the model's bound: more appointments clashing as booked in one clash than
# the day search reads as one block (DG_MAX_BLOCK, 6) is refused, naming it
d=$TMP/clash7
mkdir -p "$d"
python3 - "$d" <<'EOF'
import sys
d = sys.argv[1]
ev = ["BEGIN:VEVENT\r\nUID:c-%d@crowd\r\nDTSTAMP:20261101T000000Z\r\n"
      "DTSTART:20261123T09%02d00Z\r\nDURATION:PT20M\r\nSUMMARY:X-1 visit\r\n"
      "LOCATION:Home\r\nEND:VEVENT\r\n" % (i, 5 * i) for i in range(7)]
open(d + "/c.ics", "w").write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
                              + "".join(ev) + "END:VCALENDAR\r\n")
open(d + "/profile.yaml", "w").write("""version: 1
person: { id: X-1, timezone: Europe/London, home: home, day: "00:00-24:00", slot: 5, notice: "0" }
venues:
  - { id: home, kind: home }
practitioners:
  - { id: nurse, role: nurse, feeds: [c.ics], match: { text: X-1 }, window: { days: 3, same_week: true } }
""")
EOF
DOVETAIL_NOW=20261120T000000Z "$DOVETAIL" --db "$TMP/clash7.db" propose -k 1 --no-ladder \
	--from 2026-11-23 --to 2026-11-29 --write-compact-lp "$TMP/clash7.lp" "$d/profile.yaml" >/dev/null 2>"$TMP/clash7.err"
check "7 appointments in one clash as booked: --write-compact-lp exits 65" [ $? -eq 65 ]
check "... naming the bound" grep -q 'limit of 6 appointments clashing as booked' "$TMP/clash7.err"
DOVETAIL_NOW=20261120T000000Z "$DOVETAIL" --db "$TMP/clash6.db" propose -k 1 --no-ladder \
	--from 2026-11-23 --to 2026-11-29 "$d/profile.yaml" >/dev/null 2>&1
check "... while propose itself plans it" [ $? -eq 0 ]
done_testing
