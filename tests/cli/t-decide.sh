#!/bin/sh
# t-decide.sh: `dovetail accept`, `reject` and `history`: decisions are
# recorded for good, a rejected change locks its appointment so that no
# later proposal moves it, an accepted change becomes the current placement
# (with the other part of its joint session), and bad ids change nothing.
. "$(dirname "$0")/lib.sh"

cd "$SRCDIR" || exit 1
db=$TMP/decide.db
prof=examples/family-cp/profile.yaml
unset USER DOVETAIL_USER

# json FILE EXPR: evaluate a Python expression over the JSON in FILE (as d)
json() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$1" "$2"
}

run --db "$db" propose --json -k 2 "$prof"
check "propose: exit 0" [ "$rc" -eq 0 ]
cp "$TMP/stdout" "$TMP/p1.json"
p1=$(json "$TMP/p1.json" 'd["proposals"][0]["id"]')
n1=$(json "$TMP/p1.json" 'len(d["proposals"][0]["changes"])')
check "the optimum has changes to decide on ($n1)" [ "$n1" -ge 3 ]

# ---- reject one change, propose again: that placement is never offered
victim=$(json "$TMP/p1.json" '[c for c in d["proposals"][0]["changes"] if "joint" not in c["kind"]][0]["id"]')
vkey=$(json "$TMP/p1.json" '[(c["practitioner"], c["uid"], c["recurrence_id"]) for c in d["proposals"][0]["changes"] if c["id"] == "'"$victim"'"][0]')
run --db "$db" reject "$p1" "$victim" --note "not that morning"
check "reject without --by or \$USER: usage error 64" [ "$rc" -eq 64 ]
run --db "$db" reject "$p1" "$victim" --by keyworker --note "not that morning"
check "reject: exit 0" [ "$rc" -eq 0 ]
check "reject: says what it recorded" grep -q "^rejected 1 change of $p1" "$TMP/stdout"
run --db "$db" propose --json -k 3 "$prof"
cp "$TMP/stdout" "$TMP/p2.json"
moved=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
key = eval(sys.argv[2])
print(sum(1 for p in d["proposals"] + d["ladder"] for c in p["changes"]
          if (c["practitioner"], c["uid"], c["recurrence_id"]) == key))' "$TMP/p2.json" "$vkey")
check "after the rejection no proposal or ladder step moves that appointment" [ "$moved" = 0 ]

# ---- the first proposal is superseded by the second run
sqlite3 "$db" .dump >"$TMP/before.sql"
run --db "$db" accept "$p1" --by keyworker
check "a decision on a superseded proposal: exit 65" [ "$rc" -eq 65 ]
check "... saying to propose again" grep -q "proposal $p1 is superseded" "$TMP/stderr"
sqlite3 "$db" .dump >"$TMP/after.sql"
check "... and the store is unchanged" cmp -s "$TMP/before.sql" "$TMP/after.sql"

# ---- accept a joint change of the best proposal that has one: its partner is accepted with it
p2=$(json "$TMP/p2.json" '[p["id"] for p in d["proposals"] if any("joint" in c["kind"] for c in p["changes"])][0]')
pj='[p for p in d["proposals"] if p["id"] == "'"$p2"'"][0]'
joint=$(json "$TMP/p2.json" '[c["id"] for c in '"$pj"'["changes"] if "joint" in c["kind"]][0]')
jwhen=$(json "$TMP/p2.json" '[c["to"]["start"] for c in '"$pj"'["changes"] if c["id"] == "'"$joint"'"][0]')
jwho=$(json "$TMP/p2.json" '[c["practitioner"] for c in '"$pj"'["changes"] if c["id"] == "'"$joint"'"][0]')
# the week grid's columns are 14 wide after a 7-wide time: Monday is 8-21
jcol=$(python3 -c 'import datetime, sys; k = datetime.date.fromisoformat(sys.argv[1][:10]).weekday(); print("%d-%d" % (8 + 14 * k, 21 + 14 * k))' "$jwhen")
run --db "$db" accept "$p2" "$joint" --by keyworker
check "accept: exit 0" [ "$rc" -eq 0 ]
nacc=$(sed -n 's/^accepted \([0-9]*\) changes of .*/\1/p' "$TMP/stdout")
ndec=$((nacc + 1))
check "accept: the other part of the joint session is accepted with it" \
	grep -q "^accepted [2-9] changes of $p2 (with the other parts of their joint sessions)" "$TMP/stdout"
run --db "$db" propose --json -k 1 --no-ladder "$prof"
cp "$TMP/stdout" "$TMP/p3.json"
check "the accepted placement is now current: no proposal moves it back" python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
j = json.load(open(sys.argv[2]))
acc = [c for p in j["proposals"] if p["id"] == sys.argv[3] for c in p["changes"] if "joint" in c["kind"]]
for p in d["proposals"]:
    for c in p["changes"]:
        for a in acc:
            assert (c["uid"], c["recurrence_id"]) != (a["uid"], a["recurrence_id"]) or c["from"]["start"] == a["to"]["start"], c
' "$TMP/p3.json" "$TMP/p2.json" "$p2"
run --db "$db" week "$prof"
check "week draws $jwho on the day of $jwhen once accepted" sh -c "cut -c$jcol '$TMP/stdout' | grep -q $jwho"
run --db "$TMP/fresh.db" week "$prof"
check "... and not without the decision" sh -c "! cut -c$jcol '$TMP/stdout' | grep -q $jwho"

# ---- history
run --db "$db" history
check "history: exit 0" [ "$rc" -eq 0 ]
check "history: $ndec decisions, oldest first" [ "$(wc -l <"$TMP/stdout")" -eq "$ndec" ]
check "history: who, verdict and note" grep -q "reject  $victim .*by keyworker  note: not that morning" "$TMP/stdout"
run --db "$db" history --json
cp "$TMP/stdout" "$TMP/h.json"
check "history --json: valid, versioned, at --now" python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "dovetail-history/1"
v = d["decisions"]
assert [x["verdict"] for x in v] == ["reject"] + ["accept"] * (len(v) - 1) and len(v) >= 3, v
assert all(x["at"] == "2026-11-23T00:00:00Z" and x["who"] == "keyworker" for x in v)' "$TMP/h.json"

# ---- bad ids change nothing; decisions cannot be deleted
run --db "$db" accept p-000000000000 1 --by keyworker
check "an unknown proposal: exit 65" [ "$rc" -eq 65 ]
check "... named" grep -q "no proposal 'p-000000000000' in the store" "$TMP/stderr"
p3=$(json "$TMP/p3.json" 'd["proposals"][0]["id"]')
run --db "$db" reject "$p3" 99 --by keyworker
check "an unknown change: exit 65" [ "$rc" -eq 65 ]
check "... named" grep -q "no change '$p3-99' in the store" "$TMP/stderr"
run --db "$db" reject "$p3" 1 two --by keyworker
check "a malformed change: exit 64" [ "$rc" -eq 64 ]
run --db "$db" history --json
check "the store is unchanged by the failed decisions" cmp -s "$TMP/stdout" "$TMP/h.json"
check "decisions are never deleted (the store refuses)" python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
try:
    c.execute("DELETE FROM decisions")
    c.commit()
except sqlite3.DatabaseError as e:
    assert "never deleted" in str(e)
else:
    sys.exit(1)
assert c.execute("SELECT count(*) FROM decisions").fetchone()[0] == int(sys.argv[2])' "$db" "$ndec"
check "the database stays mode 0600" [ "$(stat -c %a "$db")" = 600 ]
done_testing
