#!/bin/sh
# t-batch-cap.sh: `batch --prove-cap` (docs/batch.md, "Persons who must be
# outside the cap"). Three children see one occupational therapist, who
# works Thursdays 10:00-11:30 only: room for two 45-minute sessions. P-201
# is booked there at 10:00; P-202 (Tuesday) and P-203 (Wednesday) each save
# a journey by moving to Thursday 10:45, beside their fixed 12:00 clinic,
# and lose more than the cap of 5 without it. So one of the three must be
# outside the cap whatever anyone chooses, and --prove-cap must say so, with
# the group that proves it: here the choice is as fair as any can be. Checked
# from outside: the therapist's sessions as chosen, from the feed and the
# changes in summary.json, never overlap. The proof changes no choice (the
# same per-person files with and without it), is the same for -j 1, -j 2
# and hash shards merged; with a cap of 100 there is nothing to prove.
# Usage: t-batch-cap.sh DOVETAIL
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
cp -r "$DATA/batch-cap" "$TMP/cl"
cd "$TMP/cl" || exit 1

joint() { # joint DIR EXPR: EXPR holds of summary.json's totals.joint (j)
	$py -c "import json,sys; j=json.load(open('$1/summary.json'))['totals']['joint']; sys.exit(not ($2))"
}

run --db "$TMP/j1.db" batch caseload.yaml -j 1 --cap 5 --prove-cap --out "$TMP/o1"
check "-j 1 --prove-cap: exit 0 (got $rc)" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || diag <"$TMP/stderr"
check "one person outside the cap, and at least one must be: the choice is as fair as any" \
	joint "$TMP/o1" "j['over_cap'] == 1 and j['over_cap_at_least'] == 1"
check "the group that proves it: the therapist on Thursday 26 November, 2 of the 3 fit" \
	joint "$TMP/o1" "[(g['practitioner'], g['day'], g['fit'], g['persons']) for g in j['cap_groups']] == [('ot', '2026-11-26', 2, ['P-201', 'P-202', 'P-203'])]"
check "... their sessions can only lie within Thursday 10:00-11:30 (to the grain, 5 minutes)" \
	joint "$TMP/o1" "'2026-11-26T09:55:00Z' <= j['cap_groups'][0]['from'] <= '2026-11-26T10:00:00Z' and '2026-11-26T11:30:00Z' <= j['cap_groups'][0]['to'] <= '2026-11-26T11:35:00Z'"
check "the probes are counted (at most 49 a person: one for the day, 48 for the starts)" \
	joint "$TMP/o1" "0 < j['probes'] <= 3 * 49"
check "summary.txt says it, and lists the group" \
	grep -q "outside the cap whatever anyone chooses: at least 1 (1 group.*; no choice has fewer outside it$" "$TMP/o1/summary.txt"
check "... a line for the group" grep -q "^  ot on 2026-11-26 (.*): only 2 of P-201 P-202 P-203 fit$" "$TMP/o1/summary.txt"

# from outside: the therapist's three sessions as chosen never overlap
cat >"$TMP/ot.py" <<'PY'
import json, sys, datetime as dt
from icalendar import Calendar
utc = dt.timezone.utc
plans = {p["person"]: p for p in json.load(open(sys.argv[1]))["persons"]}
spans = []
for ev in Calendar.from_ical(open(sys.argv[2], "rb").read()).walk("VEVENT"):
    uid, start, end = str(ev["UID"]), ev["DTSTART"].dt, ev["DTEND"].dt
    person = "P-" + uid.split("@")[0].split("-")[1]
    for c in plans[person]["changes"]:
        if c["uid"] == uid:
            to = dt.datetime.strptime(c["to"], "%Y-%m-%dT%H:%M").replace(tzinfo=utc)
            start, end = to, to + (end - start)
    spans.append((start, end, person))
bad = [(a, b) for i, a in enumerate(spans) for b in spans[i + 1:] if a[0] < b[1] and b[0] < a[1]]
for a, b in bad:
    print("# the therapist is booked twice: %s and %s" % (a[2], b[2]))
print("# %d sessions of the therapist checked" % len(spans))
sys.exit(1 if bad or len(spans) != 3 else 0)
PY
$py "$TMP/ot.py" "$TMP/o1/summary.json" feeds/ot.ics >"$TMP/ot.log" 2>&1
check "from outside: the therapist is never booked twice" [ $? -eq 0 ]
diag <"$TMP/ot.log"

run --db "$TMP/j2.db" batch caseload.yaml -j 2 --cap 5 --prove-cap --out "$TMP/o2"
check "-j 2 --prove-cap: the same files as -j 1" diff -r "$TMP/o1" "$TMP/o2"

run --db "$TMP/n.db" batch caseload.yaml -j 2 --cap 5 --out "$TMP/on"
check "without --prove-cap: the same per-person files (the proof changes no choice)" \
	diff "$TMP/o1/summary.csv" "$TMP/on/summary.csv"
check "... and no proof in the summary" joint "$TMP/on" "'over_cap_at_least' not in j and 'cap_groups' not in j"
check "... nor in summary.txt" sh -c "! grep -q 'whatever anyone chooses' '$TMP/on/summary.txt'"

# hash shards merged with --prove-cap: byte for byte the run's files
for i in 0 1; do
	run --db "$TMP/s$i.db" batch caseload.yaml -j 1 --cap 5 --shard $i/2
	check "shard $i/2: exit 0 (got $rc)" [ "$rc" -eq 0 ]
done
run --db "$TMP/m.db" merge caseload.yaml "$TMP/s0.db" "$TMP/s1.db" --cap 5 --prove-cap --out "$TMP/om"
check "merge --prove-cap: exit 0 (got $rc)" [ "$rc" -eq 0 ]
check "... the same files as one run" diff -r "$TMP/o1" "$TMP/om"

run --db "$TMP/u.db" batch caseload.yaml --prove-cap=yes
check "--prove-cap takes no value: usage, exit 64 (got $rc)" [ "$rc" -eq 64 ]

# a cap of 100: the move is no loss worth counting, nobody is outside the
# cap, nothing is sought
run --db "$TMP/w.db" batch caseload.yaml -j 2 --cap 100 --prove-cap --out "$TMP/ow"
check "a cap of 100: exit 0 (got $rc)" [ "$rc" -eq 0 ]
check "... nobody outside the cap, nothing proven, no probe" \
	joint "$TMP/ow" "j['over_cap'] == 0 and j['over_cap_at_least'] == 0 and j['cap_groups'] == [] and j['probes'] == 0"

# the therapist with room for one more after the clinic (her hours to
# 12:15, the clinic at 12:30): all three now want the hour before the
# clinic, and still only two fit
for p in 201 202 203; do
	sed 's/10:00-11:30/10:00-12:15/' persons/P-$p.yaml >p.tmp && mv p.tmp persons/P-$p.yaml
	sed '/^DTSTART/s/T120000Z/T123000Z/; /^DTEND/s/T123000Z/T130000Z/' feeds/paed-$p.ics >f.tmp && mv f.tmp feeds/paed-$p.ics
done
run --db "$TMP/l.db" batch caseload.yaml -j 2 --cap 5 --prove-cap --out "$TMP/ol"
check "the clinic at 12:30: exit 0 (got $rc)" [ "$rc" -eq 0 ]
check "... one outside the cap, and one must be" \
	joint "$TMP/ol" "j['over_cap'] == 1 and j['over_cap_at_least'] == 1 and len(j['cap_groups']) == 1"
$py "$TMP/ot.py" "$TMP/ol/summary.json" feeds/ot.ics >"$TMP/ot.log" 2>&1
check "... and from outside, the therapist is never booked twice" [ $? -eq 0 ]
done_testing
