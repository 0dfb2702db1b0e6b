#!/bin/sh
# t-propose.sh: `dovetail propose`: the example families end to end, the
# same bytes on every run, every proposal proven, the LP dump, a partial
# result explained in a keyworker's words, and bad input.
. "$(dirname "$0")/lib.sh"

# ---- the example families (run from the source root: paths as in the README)
cd "$SRCDIR" || exit 1
for dir in examples/*/; do
	fam=$(basename "$dir")
	[ -f "$dir/profile.yaml" ] || continue
	db=$TMP/$fam.db
	run --db "$db" propose "$dir/profile.yaml"
	expect "propose-$fam" 2
	run --db "$db" propose --json "$dir/profile.yaml"
	expect "propose-$fam.json" 2
	cp "$TMP/stdout" "$TMP/first.json"
	check "propose-$fam.json: valid JSON, every proposal proven optimal with gap 0" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "dovetail-propose/1"
ps = d["proposals"]
assert ps, "no proposals"
for p in ps:
    assert p["proven_optimal"] is True and p["gap"] == 0, p["id"]
    assert isinstance(p["objective"], (int, float))
    for c in p["changes"]:
        assert c["reason"], c["id"]
for a, b in zip(ps, ps[1:]):
    assert a["objective"] <= b["objective"]
assert len({p["id"] for p in ps}) == len(ps)
lad = d["ladder"]
for a, b in zip(lad, lad[1:]):
    assert b["objective"] <= a["objective"] + 1e-9
    assert b["totals"]["changes"] <= b["max_changes"]
assert abs(lad[-1]["objective"] - ps[0]["objective"]) < 1e-6
' "$TMP/stdout"
	run --db "$db" propose --json "$dir/profile.yaml"
	check "propose-$fam.json: a second run gives the same bytes" cmp -s "$TMP/first.json" "$TMP/stdout"
	# under load: two at once give the same bytes too
	timeout 60 "$DOVETAIL" --db "$TMP/$fam-a.db" propose --json "$dir/profile.yaml" >"$TMP/a.json" 2>/dev/null &
	timeout 60 "$DOVETAIL" --db "$TMP/$fam-b.db" propose --json "$dir/profile.yaml" >"$TMP/b.json" 2>/dev/null
	wait
	check "propose-$fam.json: the same bytes from fresh stores, run side by side" \
		sh -c 'cmp -s "$1" "$2" && cmp -s "$1" "$3"' sh "$TMP/first.json" "$TMP/a.json" "$TMP/b.json"
	run --db "$db" propose -k 1 --max-changes 1 --no-ladder "$dir/profile.yaml"
	expect "propose-$fam.max1" 2
done

# ---- the LP dump
db=$TMP/lp.db
run --db "$db" propose --write-lp "$TMP/master.lp" --no-ladder -k 1 examples/family-cp/profile.yaml
check "write-lp: exit 2 (family-cp is partial)" [ "$rc" -eq 2 ]
check "write-lp: a CPLEX LP file of the master" grep -q '^Minimize' "$TMP/master.lp"
check "write-lp: it has the cover rows" grep -q 'cover_0' "$TMP/master.lp"
run --db "$db" propose --write-lp /nonexistent/dir/master.lp examples/family-cp/profile.yaml
expect propose-write-lp-unwritable 73

# ---- small cases
cd "$DATA" || exit 1
db=$TMP/small.db
run --db "$db" propose profile/clean.yaml
expect propose-clean 0
run --db "$db" propose --json profile/clean.yaml
expect propose-clean.json 0
run --db "$db" propose profile/nap-only.yaml
expect propose-nap-only 2
check "propose-nap-only: says the nap is in the way" \
	grep -q "the physiotherapist's only free times all fall in the nap window (sleep)" "$TMP/stderr"

# ---- bad input: usage, missing files, a venue that does not exist
run --db "$db" propose
expect propose-no-profile 64
run --db "$db" propose -k 0 profile/clean.yaml
expect propose-bad-k 64
run --db "$db" propose --max-changes x profile/clean.yaml
expect propose-bad-max-changes 64
run --db "$db" propose profile/no-such-profile.yaml
expect propose-missing-profile 66
before=$(sha "$db")
run --db "$db" propose profile/missing-file.yaml
expect propose-missing-feed 65
check "propose-missing-feed: store unchanged" [ "$(sha "$db")" = "$before" ]
run --db "$db" propose profile/missing-venue.yaml
expect propose-missing-venue 65

done_testing
