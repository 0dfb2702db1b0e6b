#!/bin/sh
# t-propose.sh: `dovetail propose`: the example families end to end, the
# same bytes on every run, every proposal proven and holding every
# appointment, the LP dump, a week that cannot be put right told as
# compromises and questions to ask, and bad input.
. "$(dirname "$0")/lib.sh"

# ---- the example families (run from the source root: paths as in the README)
cd "$SRCDIR" || exit 1
for dir in examples/*/; do
	fam=$(basename "$dir")
	[ -f "$dir/profile.yaml" ] || continue
	db=$TMP/$fam.db
	run --db "$db" propose "$dir/profile.yaml"
	expect "propose-$fam" 0
	run --db "$db" propose --json "$dir/profile.yaml"
	expect "propose-$fam.json" 0
	cp "$TMP/stdout" "$TMP/first.json"
	check "propose-$fam.json: valid JSON, every proposal proven optimal, every appointment in every plan" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "dovetail-propose/2"
ps = d["proposals"]
assert ps, "no proposals"
key = lambda p: (p["impossible"], round(p["compromise"], 6), round(p["objective"], 6))
for p in ps + d["ladder"]:
    assert p["proven_optimal"] is True and p["gap"] == 0, p["id"]
    assert p["totals"]["appointments"] == d["appointments"], p["id"]
    assert isinstance(p["objective"], (int, float))
    for c in p["changes"]:
        assert c["reason"], c["id"]
for a, b in zip(ps, ps[1:]):
    assert key(a) <= key(b)
assert len({p["id"] for p in ps}) == len(ps)
lad = d["ladder"]
assert [s["max_changes"] for s in lad] == list(range(len(lad)))
assert lad[0]["totals"]["changes"] == 0 and key(lad[0])[0] == d["before"]["impossible"]
for a, b in zip(lad, lad[1:]):
    assert key(b) <= key(a)
    assert b["totals"]["changes"] <= b["max_changes"]
assert key(lad[-1]) == key(ps[0]) and lad[-1]["max_changes"] == ps[0]["totals"]["changes"]
' "$TMP/stdout"
	run --db "$db" propose --json "$dir/profile.yaml"
	check "propose-$fam.json: a second run gives the same bytes" cmp -s "$TMP/first.json" "$TMP/stdout"
	# the days searched in one thread, or in more than there are days
	for j in 1 8; do
		run --db "$db" propose --json -j $j "$dir/profile.yaml"
		check "propose-$fam.json: the same bytes with -j $j" cmp -s "$TMP/first.json" "$TMP/stdout"
	done
	# column generation's pricing in threads, forced by a small label bound
	run --db "$db" propose --json -k 1 --max-labels 400 -j 1 "$dir/profile.yaml"
	cp "$TMP/stdout" "$TMP/cg1.json"
	run --db "$db" propose --json -k 1 --max-labels 400 -j 2 "$dir/profile.yaml"
	check "propose-$fam.json: column generation gives the same bytes at -j 1 and -j 2" \
		sh -c '[ -s "$1" ] && cmp -s "$1" "$2"' sh "$TMP/cg1.json" "$TMP/stdout"
	# under load: two at once give the same bytes too
	cpu_bounded 120 "$DOVETAIL" --db "$TMP/$fam-a.db" propose --json "$dir/profile.yaml" >"$TMP/a.json" 2>/dev/null &
	cpu_bounded 120 "$DOVETAIL" --db "$TMP/$fam-b.db" propose --json "$dir/profile.yaml" >"$TMP/b.json" 2>/dev/null
	wait
	check "propose-$fam.json: the same bytes from fresh stores, run side by side" \
		sh -c 'cmp -s "$1" "$2" && cmp -s "$1" "$3"' sh "$TMP/first.json" "$TMP/a.json" "$TMP/b.json"
	run --db "$db" propose -k 1 --max-changes 1 --no-ladder "$dir/profile.yaml"
	expect "propose-$fam.max1" 0
done

# ---- the LP dump
db=$TMP/lp.db
run --db "$db" propose --write-lp "$TMP/master.lp" --no-ladder -k 1 examples/family-cp/profile.yaml
check "write-lp: exit 0" [ "$rc" -eq 0 ]
check "write-lp: a CPLEX LP file of the master" grep -q '^Minimize' "$TMP/master.lp"
check "write-lp: it has the cover rows" grep -q 'cover_0' "$TMP/master.lp"
# --write-lp and --write-compact-lp are written as every other file (issue
# 19, item 8): 0600 whatever the umask, whole, and never through a link
for opt in --write-lp --write-compact-lp; do
	rm -f "$TMP/lp.out" "$TMP/victim"
	(umask 000 && run --db "$db" propose $opt "$TMP/lp.out" --no-ladder -k 1 examples/family-cp/profile.yaml &&
		echo "$rc" >"$TMP/lp.rc")
	check "$opt under umask 000: exit 0, the file 0600 ($(mode "$TMP/lp.out" 2>/dev/null))" \
		sh -c "[ \"\$(cat '$TMP/lp.rc')\" = 0 ] && [ \"\$(stat -c %a '$TMP/lp.out')\" = 600 ]"
	printf 'keep me\n' >"$TMP/victim"
	rm -f "$TMP/lp.out"
	ln -s "$TMP/victim" "$TMP/lp.out"
	run --db "$db" propose $opt "$TMP/lp.out" --no-ladder -k 1 examples/family-cp/profile.yaml
	check "$opt at a planted symbolic link: exit 73 (got $rc)" [ "$rc" -eq 73 ]
	check "... naming it" grep -q "cannot write TMP/lp.out: it exists and is not a regular file" "$TMP/stderr"
	check "... and the file it points to is untouched" [ "$(cat "$TMP/victim")" = "keep me" ]
	check "... and no temporary left" [ -z "$(ls -A "$TMP" | grep 'lp.out.tmp-')" ]
done
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
expect propose-nap-only 0
check "propose-nap-only: the nap gives way, and says by how much" \
	grep -q "nap (sleep, 90 min at home, starting 12:30-13:30) starts 10 min late, at 13:40" "$TMP/stdout"
check "propose-nap-only: the move that shortens the wait says so" \
	grep -q "without it: a late nap (sleep) on Tue would come back or grow" "$TMP/stdout"

# ---- bad input: usage, missing files, a venue that does not exist
run --db "$db" propose
expect propose-no-profile 64
run --db "$db" propose -k 0 profile/clean.yaml
expect propose-bad-k 64
run --db "$db" propose --max-changes x profile/clean.yaml
expect propose-bad-max-changes 64
run --db "$db" propose --max-labels 0 profile/clean.yaml
expect propose-max-labels-0 64
run --db "$db" propose --max-labels 2000001 profile/clean.yaml
expect propose-max-labels-past-bound 64
run --db "$db" propose -j 0 profile/clean.yaml
expect propose-jobs-0 64
run --db "$db" propose -j 9 profile/clean.yaml
expect propose-jobs-past-bound 64
run --db "$db" propose profile/no-such-profile.yaml
expect propose-missing-profile 66
before=$(sha "$db")
run --db "$db" propose profile/missing-file.yaml
expect propose-missing-feed 65
check "propose-missing-feed: store unchanged" [ "$(sha "$db")" = "$before" ]
run --db "$db" propose profile/missing-venue.yaml
expect propose-missing-venue 65

# ---- what propose prints, it keeps (docs/propose.md, "Stored proposals")
# rows DB: every stored row of the proposal tables, one a line, in order
rows() {
	python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for t in ("proposals", "changes", "joint_partners"):
    for r in c.execute("SELECT * FROM " + t + " ORDER BY 1, 2, 3"):
        # leave out which run printed it (proposals.run, decisions_seen;
        # feeds, after them, is kept: the same bytes give the same)
        print(t, r[:-3] + r[-1:] if t == "proposals" else r)
' "$1"
}
private() { # private DB: the database and its -wal and -shm are mode 0600
	for f in "$1" "$1-wal" "$1-shm"; do
		[ ! -e "$f" ] || [ "$(mode "$f")" = 600 ] || return 1
	done
}
cd "$SRCDIR" || exit 1
db=$TMP/kept.db
# a Tuesday of the same week: the same horizon, so the same ids
run --db "$db" --now 20261124T120000Z propose --json examples/family-cp/profile.yaml
check "kept: exit 0" [ "$rc" -eq 0 ]
cp "$TMP/stdout" "$TMP/kept.json"
check "kept: the store holds each printed proposal and ladder plan once, with its changes in order" python3 -c '
import json, sqlite3, sys
d = json.load(open(sys.argv[2]))
c = sqlite3.connect(sys.argv[1])
assert c.execute("PRAGMA user_version").fetchone()[0] == 15
rows = {r[0]: r for r in c.execute("SELECT id, kind, rank, ladder, objective, proven, gap, created_at,"
    " person, horizon_from, horizon_to, unplaced, after_journeys, after_appointments FROM proposals")}
want = {}
for p in d["proposals"]:
    want[p["id"]] = ["ranked", p["rank"], None, p]
for p in d["ladder"]:
    if p["id"] not in want:
        want[p["id"]] = ["ladder", p["max_changes"], p["max_changes"], p]
    elif want[p["id"]][2] is None:
        want[p["id"]][2] = p["max_changes"]
assert len(d["proposals"]) == 3 and d["ladder"]
assert sorted(rows) == sorted(want), (sorted(rows), sorted(want))
for i, (kind, rank, ladder, p) in want.items():
    r = rows[i]
    assert r[1:4] == (kind, rank, ladder), r
    assert abs(r[4] - p["objective"]) < 5e-5 and r[5] == p["proven_optimal"] and r[6] == p["gap"], r
    assert r[7] == 1795521600, r
    assert r[8:11] == (d["person"], d["from"], d["to"]), r
    assert r[11] == 0, r
    assert r[12:14] == (p["totals"]["journeys"], p["totals"]["appointments"]), r
    ch = c.execute("SELECT seq, practitioner, uid, rid, is_move, is_venue, is_joint, reason,"
        " from_date, from_minute, to_date, to_minute, to_venue FROM changes"
        " WHERE proposal_id = ? ORDER BY seq", (i,)).fetchall()
    assert len(ch) == len(p["changes"]), i
    for row, x in zip(ch, p["changes"]):
        assert x["id"] == "%s-%d" % (i, row[0]), (x["id"], row)
        assert row[1:4] == (x["practitioner"], x["uid"], x["recurrence_id"]), row
        assert [k for k, b in zip(("move", "venue", "joint"), row[4:7]) if b] == x["kind"], row
        assert row[7] == x["reason"]
        assert "%sT%02d:%02d" % (row[8], row[9] // 60, row[9] % 60) == x["from"]["start"], row
        assert "%sT%02d:%02d" % (row[10], row[11] // 60, row[11] % 60) == x["to"]["start"], row
        assert row[12] == x["to"]["venue"], row
        js = c.execute("SELECT practitioner, uid, rid FROM joint_partners WHERE proposal_id = ?"
            " AND seq = ? ORDER BY n", (i, row[0])).fetchall()
        assert js == [(j["practitioner"], j["uid"], j["recurrence_id"]) for j in x["decided_with"]], js
        assert all(j in x["decided_with"] for j in x["joint_with"]), x
' "$db" "$TMP/kept.json"
rows "$db" >"$TMP/kept.rows"
check "kept: the database is mode 0600" private "$db"
run --db "$db" --now 20261124T120000Z propose --json examples/family-cp/profile.yaml
check "kept: a second run prints the same bytes" cmp -s "$TMP/kept.json" "$TMP/stdout"
rows "$db" >"$TMP/again.rows"
check "kept: a second run duplicates no row and keeps created_at" cmp -s "$TMP/kept.rows" "$TMP/again.rows"
run --db "$db" --now 20261124T120000Z propose examples/family-cp/profile.yaml
check "kept: the text output prints the stored ids" python3 -c '
import re, sqlite3, sys
ids = re.findall(r"^proposal \d+  (p-[0-9a-f]{12})  ", open(sys.argv[2]).read(), re.M)
c = sqlite3.connect(sys.argv[1])
stored = [r[0] for r in c.execute("SELECT id FROM proposals WHERE kind = \"ranked\" ORDER BY rank")]
assert len(ids) == 3 and ids == stored, (ids, stored)
' "$db" "$TMP/stdout"
rows "$db" >"$TMP/again.rows"
check "kept: a text run stores the same rows" cmp -s "$TMP/kept.rows" "$TMP/again.rows"
check "kept: the database stays mode 0600" private "$db"
# a store that fails mid-save: exit 74, nothing printed, nothing changed
python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("CREATE TRIGGER fault BEFORE INSERT ON changes BEGIN SELECT RAISE(ABORT, \"injected fault\"); END")
c.commit()
' "$db"
run --db "$db" --now 20261124T120000Z propose examples/family-cp/profile.yaml
expect propose-store-fault 74
rows "$db" >"$TMP/again.rows"
check "propose-store-fault: the stored rows are as before" cmp -s "$TMP/kept.rows" "$TMP/again.rows"
check "propose-store-fault: the database stays mode 0600" private "$db"

done_testing
