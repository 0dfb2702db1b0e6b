#!/bin/sh
# t-compact.sh: the optimiser against alternatives. `propose --write-compact-lp`
# writes the compact time-indexed model of each instance, and CBC
# (coinor-cbc) must prove an optimum of it; the comparison of that optimum
# with dovetail's is skipped while the compact model has format 1's rules
# (docs/propose.md). The instances are the example families and generated
# ones (tools/gen-family.py). And `--baseline`, the greedy plan, is never
# better than the optimum by the three tiers.
. "$(dirname "$0")/lib.sh"

if ! command -v cbc >/dev/null 2>&1; then
	not_ok "cbc is installed (tools/run-tests installs coinor-cbc)"
	done_testing
fi

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
print(p["objective"])' "$TMP/$name.json")
	check "$name: dovetail's optimum is proven" [ -n "$ours" ]
	# (greedy knows no bound on changes: compare only unbounded runs)
	[ $# -gt 0 ] || check "$name: the greedy baseline is no better than the optimum" python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
b, p = d["baseline"], d["proposals"][0]
key = lambda x: (x["impossible"], round(x["compromise"], 6), round(x["objective"], 6))
assert b["method"] == "greedy" and key(b) >= key(p), (key(b), key(p))
assert b["after"]["appointments"] == d["appointments"]' "$TMP/$name.json"
	cbc "$TMP/$name.lp" -sec 300 -solve -quit >"$TMP/$name.cbc" 2>&1
	theirs=$(sed -n 's/^Objective value: *//p' "$TMP/$name.cbc")
	check "$name: CBC proves an optimum of the compact model" grep -q '^Result - Optimal solution found' "$TMP/$name.cbc"
	# The compact model still has format 1's rules (the daily limits and
	# routines as hard rows, an appointment left out at a cost): it is not
	# yet in step with the three tiers (docs/propose.md, "The compact
	# model"), so its optimum is not dovetail's. Reported, not compared.
	ok "$name: the compact model's optimum equals the master's # SKIP the compact model is not yet in step with the tiers (dovetail $ours, CBC $theirs)"
}

cd "$SRCDIR" || exit 1
for fam in family-cp family-autism family-dementia; do
	same "$fam" "examples/$fam/profile.yaml"
done
same family-cp-max1 examples/family-cp/profile.yaml --max-changes 1
for seed in 1 5; do
	python3 tools/gen-family.py --seed "$seed" --weeks 1 --out "$TMP/gen$seed"
	same "generated-seed$seed" "$TMP/gen$seed/profile.yaml"
done

# bad input: the file cannot be written
"$DOVETAIL" --db "$TMP/bad.db" propose --write-compact-lp /nonexistent/dir/c.lp \
	examples/family-cp/profile.yaml >/dev/null 2>"$TMP/bad.err"
check "an unwritable --write-compact-lp exits 73" [ $? -eq 73 ]
check "... naming the file" grep -q '/nonexistent/dir/c.lp' "$TMP/bad.err"
done_testing
