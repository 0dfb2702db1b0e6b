#!/bin/sh
# t-decide.sh: `dovetail accept`, `reject` and `history`: decisions are
# recorded for good; a rejected change means "not this time" (that
# placement is never offered again) and `reject --keep` "don't move it" (no
# later proposal moves the appointment); an accepted change becomes the
# current placement (with the other part of its joint session); deciding
# the same change twice records nothing; a decision on one proposal leaves
# the run's other proposals decidable unless they conflict with it (named);
# and bad ids change nothing.
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

# ---- reject one change ("not this time"), propose again: that placement is
# never offered, though the appointment may still move elsewhere
victim=$(json "$TMP/p1.json" '[c for c in d["proposals"][0]["changes"] if "joint" not in c["kind"]][0]["id"]')
vkey=$(json "$TMP/p1.json" '[(c["practitioner"], c["uid"], c["recurrence_id"], c["to"]["start"], c["to"]["venue"]) for c in d["proposals"][0]["changes"] if c["id"] == "'"$victim"'"][0]')
run --db "$db" reject "$p1" "$victim" --note "not that morning"
check "reject without --by or \$USER: usage error 64" [ "$rc" -eq 64 ]
run --db "$db" reject "$p1" "$victim" --by keyworker --note "not that morning"
check "reject: exit 0" [ "$rc" -eq 0 ]
check "reject: says what it recorded" grep -q "^rejected 1 change of $p1" "$TMP/stdout"
run --db "$db" reject "$p1" "$victim" --by keyworker
check "rejecting it again: exit 0, nothing recorded again" \
	grep -q "^rejected 0 changes of $p1; 1 already rejected so: nothing recorded again" "$TMP/stdout"
run --db "$db" propose --json -k 3 "$prof"
cp "$TMP/stdout" "$TMP/p2.json"
offered=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
key = eval(sys.argv[2])
print(sum(1 for p in d["proposals"] + d["ladder"] for c in p["changes"]
          if (c["practitioner"], c["uid"], c["recurrence_id"], c["to"]["start"], c["to"]["venue"]) == key))' "$TMP/p2.json" "$vkey")
check "after the rejection no proposal or ladder step offers that placement again" [ "$offered" = 0 ]

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
	grep -q "^accepted [2-9] changes of $p2 (with the rest of their groups: joint sessions, and changes that make room for each other)" "$TMP/stdout"
run --db "$db" accept "$p2" "$joint" --by keyworker
check "accepting it again: nothing recorded again" \
	grep -q "^accepted 0 changes of $p2 (with the rest of their groups: joint sessions, and changes that make room for each other); [2-9] already accepted so: nothing recorded again" "$TMP/stdout"
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
run --db "$db" reject "$p3" +1 --by keyworker
check "a signed change number: exit 64" [ "$rc" -eq 64 ]
run --db "$db" reject "$p3" p-000000000000-1 --by keyworker
check "another proposal's change id: exit 64" [ "$rc" -eq 64 ]
check "... saying which proposal's changes it takes" \
	grep -q "invalid change: 'p-000000000000-1' (a change number, or $p3-N: a change of that proposal)" "$TMP/stderr"
# at most 64 changes named at once (MAX_CHANGES, src/cmd/decide.c)
run --db "$db" reject "$p3" $(seq 99 162) --by keyworker
check "64 changes named: within the bound, the first unknown one refused (exit 65, got $rc)" \
	sh -c "[ $rc -eq 65 ] && grep -q \"no change '$p3-99' in the store\" '$TMP/stderr'"
run --db "$db" reject "$p3" $(seq 99 163) --by keyworker
check "65 changes named: usage, 64 (got $rc)" \
	sh -c "[ $rc -eq 64 ] && grep -q 'too many changes named at once' '$TMP/stderr'"
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

# ---- the other proposals of a run stay decidable, unless they conflict;
# reject --keep: "don't move it"
db2=$TMP/decide2.db
run --db "$db2" propose --json -k 3 "$prof"
cp "$TMP/stdout" "$TMP/q.json"
qa=$(json "$TMP/q.json" 'd["proposals"][0]["id"]')
qb=$(json "$TMP/q.json" 'd["proposals"][1]["id"]')
qc=$(json "$TMP/q.json" 'd["proposals"][2]["id"]')
# ca: a change of proposal 1 decided alone; cb: a change of proposal 2 whose
# group does not touch ca's appointment; cc: proposal 3's change of ca's
# appointment
pick=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
a, b, c = d["proposals"][:3]
k = lambda x: (x["practitioner"], x["uid"], x["recurrence_id"])
n = lambda x: x["id"].rsplit("-", 1)[1]
for ca in a["changes"]:
    if ca["joint_with"] or ca["decided_with"]:
        continue
    cc = [x for x in c["changes"] if k(x) == k(ca) and not x["joint_with"] and not x["decided_with"]]
    cb = [x for x in b["changes"] if k(x) != k(ca) and all(k(y) != k(ca) for y in x["joint_with"] + x["decided_with"])]
    if cc and cb:
        print(n(ca), n(cb[0]), n(cc[0])); sys.exit(0)
sys.exit(1)' "$TMP/q.json")
check "three proposals to decide across ($pick)" [ -n "$pick" ]
set -- $pick
ca=${1:-1} cb=${2:-1} cc=${3:-1}
run --db "$db2" reject "$qb" "$cb" --by keyworker
check "reject a change of proposal 2: exit 0" [ "$rc" -eq 0 ]
run --db "$db2" accept "$qa" "$ca" --by keyworker
check "proposal 1 of the same run is still decidable: exit 0 (got $rc)" [ "$rc" -eq 0 ]
diag <"$TMP/stderr"
sqlite3 "$db2" .dump >"$TMP/before2.sql"
# (in family-cp proposal 3 moves that appointment to the same placement:
# it is accepted so already, not a conflict; below, family-shared-feeds
# has one moved elsewhere)
same3=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
pl = lambda p, n: [(x["to"]["start"], x["to"]["venue"]) for x in d["proposals"][p]["changes"] if x["id"].endswith("-" + n)][0]
print(int(pl(0, sys.argv[2]) == pl(2, sys.argv[3])))' "$TMP/q.json" "$ca" "$cc")
run --db "$db2" accept "$qc" "$cc" --by keyworker
if [ "$same3" = 1 ]; then
	check "accepting proposal 3's change of that appointment to the same placement: exit 0" [ "$rc" -eq 0 ]
	check "... already accepted so, nothing recorded again" \
		grep -q "^accepted 0 changes of $qc; 1 already accepted so: nothing recorded again" "$TMP/stdout"
else
	check "accepting proposal 3's change of that appointment now conflicts: exit 65" [ "$rc" -eq 65 ]
	check "... naming both changes and why" \
		grep -q "change $qc-$cc conflicts with change $qa-$ca, decided since (its appointment was accepted elsewhere)" "$TMP/stderr"
fi
sqlite3 "$db2" .dump >"$TMP/after2.sql"
check "... and the store is unchanged" cmp -s "$TMP/before2.sql" "$TMP/after2.sql"
# the same appointment accepted elsewhere by proposal 1: proposal 2's move
# of it conflicts (family-shared-feeds: the dietitian to Tue or to Wed 09:00)
dbsf=$TMP/decide-sf.db
run --db "$dbsf" propose --json -k 2 examples/family-shared-feeds/profile.yaml
sfa=$(json "$TMP/stdout" 'd["proposals"][0]["id"]')
sfb=$(json "$TMP/stdout" 'd["proposals"][1]["id"]')
run --db "$dbsf" accept "$sfa" 1 --by keyworker
sqlite3 "$dbsf" .dump >"$TMP/before-sf.sql"
run --db "$dbsf" accept "$sfb" 1 --by keyworker
check "accepting another proposal's move of that appointment elsewhere conflicts: exit 65" [ "$rc" -eq 65 ]
check "... naming both changes and why" \
	grep -q "change $sfb-1 conflicts with change $sfa-1, decided since (its appointment was accepted elsewhere)" "$TMP/stderr"
sqlite3 "$dbsf" .dump >"$TMP/after-sf.sql"
check "... and the store is unchanged" cmp -s "$TMP/before-sf.sql" "$TMP/after-sf.sql"
# keep another appointment where it is booked: no proposal moves it
kid=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
a = d["proposals"][0]
k = lambda x: (x["practitioner"], x["uid"], x["recurrence_id"])
for c in a["changes"]:
    if not c["id"].endswith("-" + sys.argv[2]):
        print(c["id"].rsplit("-", 1)[1], repr([k(c)] + [k(y) for y in c["joint_with"] + c["decided_with"]])); sys.exit(0)
sys.exit(1)' "$TMP/q.json" "$ca")
check "proposal 1 has another change to keep ($kid)" [ -n "$kid" ]
kseq=${kid%% *} kkey=${kid#* }
run --db "$db2" reject "$qa" "$kseq" --keep --by keyworker
check "reject --keep: says it is kept where booked" grep -q "^rejected [1-9] changes* of $qa (kept where booked)" "$TMP/stdout"
run --db "$db2" propose --json -k 3 "$prof"
moved=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
key = eval(sys.argv[2])
print(sum(1 for p in d["proposals"] + d["ladder"] for c in p["changes"]
          if (c["practitioner"], c["uid"], c["recurrence_id"]) in key))' "$TMP/stdout" "$kkey")
check "after reject --keep no proposal or ladder step moves those appointments" [ "$moved" = 0 ]
run --db "$db2" history
check "history says keep for a reject --keep" grep -q "  keep    $qa-$kseq  " "$TMP/stdout"
run --db "$db2" history --json
check "history --json: keep true for it, false for the other reject" python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))["decisions"]
assert any(x["keep"] and x["change"] == sys.argv[2] for x in v), v
assert any(x["verdict"] == "reject" and not x["keep"] for x in v), v' "$TMP/stdout" "$qa-$kseq"
run --db "$db2" accept "$qa" --by keyworker
check "accept --keep is no option of accept: usage 64" sh -c "'$DOVETAIL' --db '$db2' accept '$qa' --keep --by k >/dev/null 2>&1; [ \$? -eq 64 ]"

# a partial accept, then propose again: the same plan from the week the
# accept left is another proposal (its changes are numbered afresh, and a
# decision names a change by its number): accepting it whole takes every
# change, and the week is what it said
db3=$TMP/partial.db
cpp=examples/family-cp/profile.yaml
run --db "$db3" propose --json -k 1 "$cpp"
p1=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["proposals"][0]["id"])' "$TMP/stdout")
run --db "$db3" accept "$p1" 1 --by keyworker
run --db "$db3" propose --json -k 1 "$cpp"
cp "$TMP/stdout" "$TMP/p2.json"
p2=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["proposals"][0]["id"])' "$TMP/p2.json")
check "after a partial accept, propose gives the plan another id ($p1, then $p2)" [ "$p1" != "$p2" ]
run --db "$db3" accept "$p1" --by keyworker
check "... the first is superseded: deciding on it is refused (65)" [ "$rc" -eq 65 ]
run --db "$db3" accept "$p2" --by keyworker
check "... accepting the second takes all its changes" \
	grep -q "^accepted $(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["proposals"][0]["changes"]))' "$TMP/p2.json") changes of $p2" "$TMP/stdout"
run --db "$db3" week --json "$cpp"
check "... and the week is what it said: its totals, no clash" python3 -c 'import json, sys
p = json.load(open(sys.argv[1]))["proposals"][0]["totals"]
w = json.load(open(sys.argv[2]))["days"]
assert sum(d["journeys"] for d in w) == p["journeys"] and sum(d["travel_minutes"] for d in w) == p["travel_minutes"], p
assert p["clashes"] == 0, p' "$TMP/p2.json" "$TMP/stdout"
run --db "$db3" check "$cpp"
check "... and check finds no error" grep -q " 0 errors" "$TMP/stdout"
# ---- a feed changed since the proposal (re-imported, no propose since):
# the proposal no longer describes the week, so deciding on it is refused
# (65, nothing recorded); a feed read again with the same bytes changes
# nothing. Here the dietitian books another client into the very time the
# proposal moves P-0417's review to: accepting it would make a double
# booking that propose said was not there.
db4=$TMP/stale.db
fam=$TMP/stale-family
cp -R examples/family-cp "$fam"
run --db "$db4" propose --json -k 1 "$fam/profile.yaml"
cp "$TMP/stdout" "$TMP/p4.json"
p4=$(json "$TMP/p4.json" 'd["proposals"][0]["id"]')
diet=$(json "$TMP/p4.json" '[c["id"].rsplit("-", 1)[1] for c in d["proposals"][0]["changes"] if c["practitioner"] == "dietitian" and c["to"]["start"] == "2026-11-25T12:00"][0]')
# fetched again with only new DTSTAMPs (as Google stamps every download)
sed -i 's/^DTSTAMP:2026[0-9]*T[0-9]*Z/DTSTAMP:20261123T080000Z/' "$fam/feeds/dietitian.ics" "$fam/feeds/physio.ics"
run --db "$db4" week --refresh "$fam/profile.yaml"
run --db "$db4" accept "$p4" "$diet" --by keyworker
check "feeds read again with only new DTSTAMPs: the proposal stands (exit 0)" \
	sh -c "[ $rc -eq 0 ] && grep -q '^accepted 1 change of $p4' '$TMP/stdout'"
sed -i 's/20261125T11150/20261125T12000/; s/20261125T120000\r$/20261125T124500\r/' "$fam/feeds/dietitian.ics"
run --db "$db4" check --refresh "$fam/profile.yaml"
sqlite3 "$db4" .dump >"$TMP/before4.sql"
run --db "$db4" accept "$p4" --by keyworker
check "a feed changed since the proposal: accepting it is refused (65)" [ "$rc" -eq 65 ]
check "... saying why and to propose again" \
	grep -q "proposal $p4 is superseded (a feed its week was read from has changed since): run \`dovetail propose\` again" "$TMP/stderr"
run --db "$db4" reject "$p4" --by keyworker
check "... and so is rejecting it (65)" [ "$rc" -eq 65 ]
sqlite3 "$db4" .dump >"$TMP/after4.sql"
check "... and the store is unchanged" cmp -s "$TMP/before4.sql" "$TMP/after4.sql"
run --db "$db4" propose --json -k 1 "$fam/profile.yaml"
p5=$(json "$TMP/stdout" 'd["proposals"][0]["id"]')
run --db "$db4" accept "$p5" --by keyworker
check "... the proposal made since can be accepted" [ "$rc" -eq 0 ]
run --db "$db4" check "$fam/profile.yaml"
check "... and check finds no error" grep -q " 0 errors" "$TMP/stdout"
# ---- accepted later than it was proposed (a later --now): a change whose
# appointment, or the time it moves to, is by then inside the
# practitioner's notice (family-cp: 1 working day) or past is refused (65,
# nothing recorded); the others of the proposal can still be accepted, and
# rejecting is always possible
db5=$TMP/late.db
run --db "$db5" --now 2026-11-23T00:00:00Z propose --json -k 1 "$prof"
cp "$TMP/stdout" "$TMP/p6.json"
p6=$(json "$TMP/p6.json" 'd["proposals"][0]["id"]')
diet6=$(json "$TMP/p6.json" '[c["id"].rsplit("-", 1)[1] for c in d["proposals"][0]["changes"] if c["practitioner"] == "dietitian"][0]')
qtvi6=$(json "$TMP/p6.json" '[c["id"].rsplit("-", 1)[1] for c in d["proposals"][0]["changes"] if c["practitioner"] == "qtvi" and c["to"]["start"] == "2026-11-24T09:45"][0]')
sqlite3 "$db5" .dump >"$TMP/before5.sql"
run --db "$db5" --now 2026-11-25T15:00:00Z accept "$p6" --by keyworker
check "accepting on Wed afternoon a proposal of Monday that moves appointments to Tue and Wed: refused (65)" [ "$rc" -eq 65 ]
check "... naming the change and until when it could be accepted" \
	grep -q "change $p6-[0-9]* could be accepted until 2026-11-2[0-9]T[0-9:]*Z: by now its appointment, or the time it moves to, is inside the practitioner's notice or past" "$TMP/stderr"
sqlite3 "$db5" .dump >"$TMP/after5.sql"
check "... and the store is unchanged" cmp -s "$TMP/before5.sql" "$TMP/after5.sql"
run --db "$db5" --now 2026-11-23T10:00:00Z accept "$p6" "$qtvi6" --by keyworker
check "Mon 10:00: the QTVI's move to Tue 09:45 is inside one working day's notice: refused (65)" [ "$rc" -eq 65 ]
check "... until Mon 09:45" grep -q "change $p6-$qtvi6 could be accepted until 2026-11-23T09:45:00Z" "$TMP/stderr"
run --db "$db5" --now 2026-11-23T10:00:00Z accept "$p6" "$diet6" --by keyworker
check "... the dietitian's move on Wed can still be accepted then (0)" [ "$rc" -eq 0 ]
run --db "$db5" --now 2026-11-23T10:00:00Z reject "$p6" "$qtvi6" --by keyworker
check "... and the QTVI's rejected (0)" [ "$rc" -eq 0 ]
# ---- two proposals of one run that share a change: accept proposal 1's,
# then proposal 2 whole. The shared change is already accepted so (nothing
# recorded again), not "accepted elsewhere"; the rest of proposal 2 is
# accepted, and the week is what proposal 2 said
db6=$TMP/shared.db
run --db "$db6" propose --json -k 2 "$prof"
cp "$TMP/stdout" "$TMP/p7.json"
set -- $(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
a, b = d["proposals"][0], d["proposals"][1]
key = lambda c: (c["practitioner"], c["uid"], c["recurrence_id"], c["to"]["start"], c["to"]["venue"])
bs = {key(c) for c in b["changes"]}
s = [c["id"].rsplit("-", 1)[1] for c in a["changes"] if key(c) in bs and not c["decided_with"]]
print(a["id"], b["id"], s[0] if s else "")' "$TMP/p7.json")
a7=$1 b7=$2 shared7=${3:-}
check "proposals 1 and 2 share a change decided alone ($shared7)" [ -n "$shared7" ]
run --db "$db6" accept "$a7" "$shared7" --by keyworker
n7=$(json "$TMP/p7.json" 'len(d["proposals"][1]["changes"]) - 1')
run --db "$db6" accept "$b7" --by keyworker
check "accepting proposal 2 whole then: exit 0 (got $rc)" [ "$rc" -eq 0 ]
check "... the shared change already accepted so, the other $n7 recorded" \
	grep -q "^accepted $n7 changes of $b7; 1 already accepted so: nothing recorded again" "$TMP/stdout"
run --db "$db6" history --json
check "... history holds the shared placement once" python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))["decisions"]
k = [(x["practitioner"], x["uid"], x["recurrence_id"], x["to"]["start"]) for x in v]
assert len(k) == len(set(k)), k' "$TMP/stdout"
run --db "$db6" week --json "$prof"
check "... and the week is what proposal 2 said" python3 -c 'import json, sys
p = json.load(open(sys.argv[1]))["proposals"][1]["totals"]
w = json.load(open(sys.argv[2]))["days"]
assert sum(d["journeys"] for d in w) == p["journeys"] and sum(d["travel_minutes"] for d in w) == p["travel_minutes"], p' "$TMP/p7.json" "$TMP/stdout"
# ---- reject --keep ("don't move it"): no later proposal asks the
# practitioner to move it either (family-cp: the dietitian's review kept at
# Wed 11:00, double-booked on her side, is not put to her as a question)
db7=$TMP/keep-ask.db
run --db "$db7" propose --json -k 1 "$prof"
p8=$(json "$TMP/stdout" 'd["proposals"][0]["id"]')
d8=$(json "$TMP/stdout" '[c["id"].rsplit("-", 1)[1] for c in d["proposals"][0]["changes"] if c["practitioner"] == "dietitian"][0]')
run --db "$db7" reject "$p8" "$d8" --keep --by keyworker
run --db "$db7" propose --json -k 1 "$prof"
check "after reject --keep, no ask names the kept appointment" python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
asks = [a for p in d["proposals"] for a in p["asks"]]
assert asks, "no asks at all"
assert not [a for a in asks if a["practitioner"] == "dietitian"], asks' "$TMP/stdout"
# ---- a change of mind: accept a change, then reject it ("not this time").
# The reject undoes the accept: the appointment is back where it is booked
# (week, status), and that placement is not proposed again; accepting the
# change once more puts it back in force
db8=$TMP/undo.db
run --db "$db8" propose --json -k 1 "$prof"
cp "$TMP/stdout" "$TMP/p9.json"
p9=$(json "$TMP/p9.json" 'd["proposals"][0]["id"]')
d9=$(json "$TMP/p9.json" '[c["id"].rsplit("-", 1)[1] for c in d["proposals"][0]["changes"] if c["practitioner"] == "dietitian"][0]')
run --db "$db8" week --json "$prof"
cp "$TMP/stdout" "$TMP/w9-booked.json"
run --db "$db8" accept "$p9" "$d9" --by keyworker
run --db "$db8" reject "$p9" "$d9" --by keyworker
check "accept then reject the same change: exit 0" [ "$rc" -eq 0 ]
run --db "$db8" week --json "$prof"
check "... the week is as booked again" cmp -s "$TMP/w9-booked.json" "$TMP/stdout"
run --db "$db8" status "$prof"
check "... status lists no agreed change" grep -q "^0 agreed changes" "$TMP/stdout"
run --db "$db8" accept "$p9" "$d9" --by keyworker
check "accepting it once more: recorded" grep -q "^accepted 1 change of $p9" "$TMP/stdout"
run --db "$db8" status "$prof"
check "... in force again" grep -q "^1 agreed change" "$TMP/stdout"
run --db "$db8" reject "$p9" "$d9" --by keyworker
run --db "$db8" propose --json -k 3 "$prof"
check "... and no proposal or ladder step offers that placement again" python3 -c 'import json, sys
p9 = json.load(open(sys.argv[1]))["proposals"][0]
c9 = [c for c in p9["changes"] if c["practitioner"] == "dietitian"][0]
d = json.load(open(sys.argv[2]))
assert not [c for p in d["proposals"] + d["ladder"] for c in p["changes"]
            if (c["uid"], c["to"]["start"], c["to"]["venue"]) == (c9["uid"], c9["to"]["start"], c9["to"]["venue"])]
' "$TMP/p9.json" "$TMP/stdout"
# an accept undone (its placement rejected since) no longer conflicts:
# proposal 2's move of that appointment elsewhere can then be accepted
dbsf2=$TMP/decide-sf2.db
run --db "$dbsf2" propose --json -k 2 examples/family-shared-feeds/profile.yaml
sfa=$(json "$TMP/stdout" 'd["proposals"][0]["id"]')
sfb=$(json "$TMP/stdout" 'd["proposals"][1]["id"]')
run --db "$dbsf2" accept "$sfa" 1 --by keyworker
run --db "$dbsf2" reject "$sfa" 1 --by keyworker
run --db "$dbsf2" accept "$sfb" 1 --by keyworker
check "accept, reject (undone), then another proposal's move of it: exit 0 (got $rc)" [ "$rc" -eq 0 ]
done_testing
