#!/bin/sh
# t-batch-carers.sh: two children of one household are two profiles naming
# the same carer feed (their mother's shifts). Solved alone, each plan is
# fine; together they would need her at home for one child's home visit and
# on the road with the other. `batch` must never book her in two places:
# the joint master sees the two weeks as booked need her at once (a soft
# conflict: one impossibility of the caseload) and prices each child around
# the other's carer time, journeys included; the second child's move wins. Checked from outside, from the feeds and summary.json alone.
# A copy of the feed under another name is another carer (nothing shared);
# a changed carer feed is an input that changed (--resume solves again).
# Usage: t-batch-carers.sh DOVETAIL
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
cp -r "$DATA/batch-carers" "$TMP/cl"
cd "$TMP/cl" || exit 1

run --db "$TMP/j1.db" batch caseload.yaml -j 1 --out "$TMP/o1"
check "-j 1: exit 0 (got $rc)" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || diag <"$TMP/stderr"
check "the children are priced around each other, so that the mother is not in two places" \
	grep -q "2 persons solved now, [12] plans\\? priced for the joint master" "$TMP/stderr"
check "... and the caseload counts no impossibility left" \
	$py -c "import json,sys; sys.exit(json.load(open('$TMP/o1/summary.json'))['totals']['joint']['impossible'] != 0)"

# the mother's time, from outside: each appointment of either child's final
# plan, with the journey from home and back (docs/profile.md, "carers":
# travel rounded up to the slot), against each other and her shifts
cat >"$TMP/carer.py" <<'PY'
import json, sys, math, datetime as dt
from icalendar import Calendar
summary, mum = sys.argv[1], sys.argv[2]
utc = dt.timezone.utc
def t(s):   # local Europe/London; November is UTC+0
    return dt.datetime.strptime(s, "%Y-%m-%dT%H:%M").replace(tzinfo=utc)
travel = {"home": 0, "centre": math.ceil(20 / 15) * 15}
# the bookings as the feeds hold them
booked = {
    "P-101": [("physio-1@community.example", t("2026-11-25T10:00"), 60, "home")],
    "P-102": [("ortho-1@hospital.example", t("2026-11-25T10:30"), 30, "centre")],
}
plans = {p["person"]: p for p in json.load(open(summary))["persons"]}
spans = []
for person, appts in booked.items():
    moves = {c["uid"]: c for c in plans[person]["changes"]}
    for uid, start, dur, venue in appts:
        if uid in moves:
            start, venue = t(moves[uid]["to"]), moves[uid]["to_venue"]
        m = dt.timedelta(minutes=travel[venue])
        spans.append((start - m, start + dt.timedelta(minutes=dur) + m, person, uid))
busy = []
for ev in Calendar.from_ical(open(mum, "rb").read()).walk("VEVENT"):
    busy.append((ev["DTSTART"].dt, ev["DTEND"].dt, "shift", str(ev["UID"])))
bad = 0
for i, a in enumerate(spans):
    for b in spans[i + 1:] + busy:
        if a[0] < b[1] and b[0] < a[1]:
            print("# the mother is needed twice: %s %s and %s %s" % (a[2], a[3], b[2], b[3]))
            bad += 1
print("# %d spans of the mother's time checked" % len(spans))
sys.exit(1 if bad else 0)
PY
$py "$TMP/carer.py" "$TMP/o1/summary.json" feeds/mum.ics >"$TMP/carer.log" 2>&1
check "from outside: the mother's time (journeys included) is never booked twice nor in a shift" [ $? -eq 0 ]
diag <"$TMP/carer.log"
check "... the second child's clinic moved, the first child's home visit kept" \
	$py -c "import json,sys; p={x['person']:x for x in json.load(open('$TMP/o1/summary.json'))['persons']}; sys.exit(not (len(p['P-101']['changes'])==0 and len(p['P-102']['changes'])==1))"

run --db "$TMP/j2.db" batch caseload.yaml -j 2 --out "$TMP/o2"
check "-j 2: the same files as -j 1" diff -r "$TMP/o1" "$TMP/o2"

# the carer is shared by feed: a copy of the same rota under another name
# is another person's carer, and nothing is solved again
cp feeds/mum.ics feeds/mum-copy.ics
sed 's|feeds/mum.ics|feeds/mum-copy.ics|' persons/P-102.yaml >p.tmp && mv p.tmp persons/P-102.yaml
run --db "$TMP/c.db" batch caseload.yaml -j 1 --out "$TMP/oc"
check "not the same feed: nothing priced" grep -q "2 persons solved now, 0 plans priced" "$TMP/stderr"
check "... and the clinic stays as booked" \
	$py -c "import json,sys; p={x['person']:x for x in json.load(open('$TMP/oc/summary.json'))['persons']}; sys.exit(len(p['P-102']['changes']) != 0)"

# a carer's feed is an input: changed, --resume solves the persons again
run --db "$TMP/c.db" batch caseload.yaml -j 1 --resume --out "$TMP/oc"
check "--resume, nothing changed: nothing solved" grep -q "0 persons solved now" "$TMP/stderr"
sed 's/DTSTART:20261126T060000Z/DTSTART:20261126T050000Z/' feeds/mum-copy.ics >f.tmp && mv f.tmp feeds/mum-copy.ics
run --db "$TMP/c.db" batch caseload.yaml -j 1 --resume --out "$TMP/oc"
check "--resume after the carer's feed changed: that person is solved again" \
	grep -q "1 person solved now" "$TMP/stderr"
diag <"$TMP/stderr"
done_testing
