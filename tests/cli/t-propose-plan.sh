#!/bin/sh
# t-propose-plan.sh: `dovetail propose` as the family lives it
# (docs/propose.md): every appointment is in every proposal and ladder step;
# accepting proposal 1 adds no impossibility and no check error, and the
# week and check then show exactly the totals propose claimed; nothing moves
# inside the notice period; and weights, notice and limits out of range are
# errors at FILE:LINE:COL (exit 65). On the example families and on
# generated ones (tools/gen-family.py, tools/gen-small-family.py).
. "$(dirname "$0")/lib.sh"
cd "$SRCDIR" || exit 1
py=/usr/bin/python3

# shown COMMAND...: COMMAND, its stderr (an assertion's message) shown as a
# TAP diagnostic when it fails
shown() {
	"$@" 2>"$TMP/shown.err" && return 0
	diag <"$TMP/shown.err"
	return 1
}

# truth NAME PROFILE NOW [PROPOSE OPTIONS...]: propose, accept proposal 1,
# and compare what propose said with what week and check show
# (HZ: the horizon options, when not the week of "now", for every command)
HZ=
truth() {
	name=$1 prof=$2 now=$3
	shift 3
	db=$TMP/$name.db
	"$DOVETAIL" --db "$db" --now "$now" check --json $HZ "$prof" >"$TMP/$name.before.json" 2>/dev/null
	"$DOVETAIL" --db "$db" --now "$now" week --json $HZ "$prof" >"$TMP/$name.wbefore.json" 2>/dev/null
	"$DOVETAIL" --db "$db" --now "$now" propose --json $HZ "$@" "$prof" >"$TMP/$name.p.json" 2>"$TMP/$name.p.err"
	rc=$?
	check "$name: propose exits 0 (got $rc)" [ "$rc" -eq 0 ]
	check "$name: every proposal and ladder step holds every appointment, once" $py -c '
import json, sys
p, w = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
n = sum(len(d["appointments"]) for d in w["days"])
assert p["appointments"] == n, (p["appointments"], n)
for x in p["proposals"] + p["ladder"]:
    assert x["totals"]["appointments"] == n, (x["id"], x["totals"]["appointments"], n)
' "$TMP/$name.p.json" "$TMP/$name.wbefore.json"
	id=$($py -c 'import json, sys; print(json.load(open(sys.argv[1]))["proposals"][0]["id"])' "$TMP/$name.p.json")
	nch=$($py -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["proposals"][0]["changes"]))' "$TMP/$name.p.json")
	if [ "$nch" -gt 0 ]; then
		"$DOVETAIL" --db "$db" --now "$now" accept "$id" --by keyworker >/dev/null 2>&1
		check "$name: accept proposal 1 ($nch changes)" [ $? -eq 0 ]
	fi
	"$DOVETAIL" --db "$db" --now "$now" week --json $HZ "$prof" >"$TMP/$name.week.json" 2>/dev/null
	"$DOVETAIL" --db "$db" --now "$now" check --json $HZ "$prof" >"$TMP/$name.after.json" 2>/dev/null
	check "$name: week and check after accepting show what propose claimed" shown $py -c '
import json, sys
p = json.load(open(sys.argv[1]))["proposals"][0]
w, c, b = (json.load(open(f)) for f in sys.argv[2:5])
t = p["totals"]
days = w["days"]
got = {
    "journeys": sum(d["journeys"] for d in days),
    "travel_minutes": sum(d["travel_minutes"] for d in days),
    "travel_money": round(sum(d["travel_cost"] for d in days), 2),
    "peak_energy": round(max([d["energy"] for d in days] + [0]), 2),
    "appointments": sum(len(d["appointments"]) for d in days),
    "clashes": sum(1 for x in c["problems"] if x["kind"] in ("overlap", "double-booked", "no-carer")),
    "routine_conflicts": sum(1 for x in c["problems"] if x["kind"] == "routine"),
    "impossible": sum(1 for x in c["problems"] if x["kind"] in ("overlap", "double-booked", "travel")),
}
want = dict(t)
want["travel_money"] = round(want["travel_money"], 2)
want["peak_energy"] = round(want["peak_energy"], 2)
for k, v in got.items():
    assert abs(v - want[k]) < 0.006, (k, "propose said", want[k], "the week shows", v)
assert got["impossible"] == p["impossible"], (got["impossible"], p["impossible"])
# nothing impossible is added, and no more check errors than before (counted
# one by one: 128 overlaps of one nurse on one day are 128 errors, not one
# kind of error; a solve the time cap stops may leave some of them), and none
# of a kind, day and practitioners that had none
key = lambda x: (x["kind"], x["start"][:10], tuple(sorted(x["practitioners"])))
errors_before = [x for x in b["problems"] if x["severity"] == "error"]
before = {key(x) for x in errors_before}
after = [x for x in c["problems"] if x["severity"] == "error"]
assert len(after) <= len(errors_before), ("more check errors", len(after), len(errors_before))
for x in after:
    if x["kind"] in ("overlap", "double-booked", "travel"):
        assert key(x) in before, ("a new impossibility", x)
' "$TMP/$name.p.json" "$TMP/$name.week.json" "$TMP/$name.after.json" "$TMP/$name.before.json"
}

for fam in family-cp family-autism family-dementia; do
	truth "$fam" "examples/$fam/profile.yaml" 20261123T000000Z
	truth "$fam-max2" "examples/$fam/profile.yaml" 20261123T000000Z --max-changes 2
done
for seed in 1 2 3 4 5 6; do
	python3 tools/gen-family.py --seed "$seed" --weeks 1 --out "$TMP/gen$seed"
	truth "generated-$seed" "$TMP/gen$seed/profile.yaml" 20261123T000000Z
done
# a week whose day plans come from column generation (gen-family seed 29,
# 10 appointments): the ladder prices each step with its bound on changes
# (the plans priced for the best plan alone gave step 1 a compromise of 12,
# where 10.5 is there with one change); step 0, the week as booked, is
# proven, being the one plan without a change
python3 tools/gen-family.py --seed 29 --weeks 1 --out "$TMP/gen29"
run --db "$TMP/g29.db" propose --json -k 1 "$TMP/gen29/profile.yaml"
cp "$TMP/stdout" "$TMP/g29.json"
run --db "$TMP/g29m.db" propose --json -k 1 --no-ladder --max-changes 1 "$TMP/gen29/profile.yaml"
check "seed 29: ladder step 1 gives way no more than the best plan found with --max-changes 1, and step 0 is proven" \
	python3 -c 'import json, sys
L = json.load(open(sys.argv[1]))["ladder"]
m = json.load(open(sys.argv[2]))["proposals"][0]
assert L[0]["proven_optimal"] and L[0]["gap"] == 0, L[0]
assert (L[1]["impossible"], L[1]["compromise"]) <= (m["impossible"], m["compromise"] + 1e-9), (L[1], m)
print("# step 1: compromise %.2f (proven %s, gap %.4f); --max-changes 1: %.2f" % (L[1]["compromise"], L[1]["proven_optimal"], L[1]["gap"], m["compromise"]))' \
	"$TMP/g29.json" "$TMP/stdout"
python3 tools/gen-family.py --seed 3 --weeks 1 --wide --out "$TMP/wide3"
truth "wide-3 (column generation, 3 s cap)" "$TMP/wide3/profile.yaml" 20261123T000000Z -k 1 --no-ladder --time-limit 3
# (whether the cap leaves the floor time enough depends on the machine:
# under ASan this family's gap stays 1, so no check reads it here;
# docs/propose.md gives the figures measured with release builds)
# four weeks, over 100 appointments (the old bound was 64), a 3 s cap
python3 tools/gen-family.py --seed 1 --weeks 4 --elderly --out "$TMP/elderly"
HZ="--from 2026-11-23 --to 2026-12-20"
truth elderly-4w "$TMP/elderly/profile.yaml" 20261123T000000Z -k 1 --no-ladder --time-limit 3
# the same bounded by a count, not the clock: column generation, and the
# local search's plan before it, the same on any machine (that plan once
# put two visits of a weekly series on one day: improve asserts it keeps
# the spacing, and with a master that finds nothing in time it is the plan)
# (--time-limit 600: a cap for a broken run only, so that the clock never
# decides, and what to ask, which needs time left after the plan, is
# always there to check below)
truth elderly-4w-labels "$TMP/elderly/profile.yaml" 20261123T000000Z -k 1 --no-ladder --max-labels 100 --time-limit 600
HZ=
n=$($py -c 'import json, sys; print(json.load(open(sys.argv[1]))["appointments"])' "$TMP/elderly-4w.p.json")
check "elderly-4w: more than 100 appointments in the horizon ($n)" [ "${n:-0}" -gt 100 ]
# what to ask (of the solve bounded by a count, so the same on any machine)
# is a time in the week the appointment is booked in (docs/propose.md)
check "elderly-4w-labels: every 'ask' is in the Monday-Sunday week of the appointment it moves" $py -c '
import datetime, json, sys
asks = json.load(open(sys.argv[1]))["proposals"][0]["asks"]
wk = lambda s: datetime.date.fromisoformat(s[:4] + "-" + s[4:6] + "-" + s[6:8] if "-" not in s[:8] else s[:10]).isocalendar()[:2]
# (an occurrence of a series names its booked start; a single event does not)
bad = [a for a in asks if a["recurrence_id"] and wk(a["at"]["start"]) != wk(a["recurrence_id"])]
sys.exit(1 if bad else 0)' "$TMP/elderly-4w-labels.p.json"
# and keeps its series' spacing: never on a day with another occurrence of
# its series (the elderly family's carers come daily)
check "elderly-4w-labels: no 'ask' puts an appointment on a day with another of its series" $py -c '
import json, sys
asks = json.load(open(sys.argv[1]))["proposals"][0]["asks"]
# the week once proposal 1 is accepted (the asks are of that plan), by UID
on = {}
for d in json.load(open(sys.argv[2]))["days"]:
    for a in d["appointments"]:
        on.setdefault((a["uid"], d["date"]), []).append(a["recurrence_id"])
bad = [a["text"] for a in asks
       if any(r != a["recurrence_id"] for r in on.get((a["uid"], a["at"]["start"][:10]), []))]
print("\n".join(bad))
sys.exit(1 if bad or not asks else 0)' "$TMP/elderly-4w-labels.p.json" "$TMP/elderly-4w-labels.week.json"
# and names the appointment by the time it is booked, so that two asks of
# one practitioner never read the same
check "elderly-4w-labels: every 'ask' names its appointment's booked time, and no two read the same" $py -c '
import json, re, sys
asks = json.load(open(sys.argv[1]))["proposals"][0]["asks"]
named = all(re.search(r"whether(, at short notice,)? the appointment booked (Mon|Tue|Wed|Thu|Fri|Sat|Sun) [0-9]+ [A-Z][a-z]{2} [0-9]{2}:[0-9]{2} could be ", a["text"]) for a in asks)
texts = [a["text"] for a in asks]
sys.exit(0 if asks and named and len(set(texts)) == len(texts) else 1)' "$TMP/elderly-4w-labels.p.json"
for seed in 7 19 31 43 55 67 79 91; do
	$py tools/gen-small-family.py "$seed" "$TMP/small$seed"
	truth "small-$seed" "$TMP/small$seed/profile.yaml" "$(cat "$TMP/small$seed/now.txt")"
done

# ---- the search's bounds end the search, never the answer
# crowd N CLASH: a profile whose Monday holds N appointments of one
# practitioner, movable within the week; CLASH of them overlap as booked
crowd() {
	d=$TMP/crowd-$1-$2
	mkdir -p "$d"
	$py - "$d" "$1" "$2" <<'PY'
import sys
d, n, clash = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ev = []
for i in range(n):
    if i < clash:
        s = 9 * 60 + 5 * i            # overlapping, 5 minutes apart
    else:
        s = 9 * 60 + clash * 5 + 30 + 10 * (i - clash)
    s %= 24 * 60 - 20
    h, m = divmod(s, 60)
    ev.append("BEGIN:VEVENT\r\nUID:c-%d@crowd\r\nDTSTAMP:20261101T000000Z\r\n"
              "DTSTART:20261123T%02d%02d00Z\r\nDURATION:PT20M\r\nSUMMARY:X-1 visit\r\n"
              "LOCATION:Home\r\nEND:VEVENT\r\n" % (i, h, m))
open(d + "/c.ics", "w").write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
                                + "".join(ev) + "END:VCALENDAR\r\n")
open(d + "/profile.yaml", "w").write("""version: 1
person: { id: X-1, timezone: Europe/London, home: home, day: "00:00-24:00", slot: 5, notice: "0" }
venues:
  - { id: home, kind: home }
practitioners:
  - { id: nurse, role: nurse, feeds: [c.ics], match: { text: X-1 }, window: { days: 3, same_week: true } }
limits: { max_appointments_per_day: 6 }
""")
PY
}
HZ="--from 2026-11-23 --to 2026-11-29"
# 14 clashing as booked on one day: past the 12 whose subsets are all tried
crowd 14 14
truth crowd-14-clashing "$TMP/crowd-14-14/profile.yaml" 20261120T000000Z -k 1 --no-ladder --time-limit 3
# 70 that could be on one day: past the 64 one day's search holds
crowd 70 0
truth crowd-70 "$TMP/crowd-70-0/profile.yaml" 20261120T000000Z -k 1 --no-ladder --time-limit 3
crowd 193 0
"$DOVETAIL" --db "$TMP/crowd193.db" --now 20261120T000000Z propose $HZ "$TMP/crowd-193-0/profile.yaml" >"$TMP/c193.out" 2>"$TMP/c193.err"
rc=$?
check "193 booked on one day: exit 65 (got $rc)" [ "$rc" -eq 65 ]
check "... naming the bound" grep -q "passes the limit of 192 appointments booked on one day" "$TMP/c193.err"
HZ=

# ---- notice: with "now" on Thursday 17:00, the default notice of one
# working day puts the cut-off at Friday 17:00
notice() {
	name=$1 prof=$2 now=$3 cutoff=$4
	"$DOVETAIL" --db "$TMP/n-$name.db" --now "$now" propose --json "$prof" >"$TMP/n-$name.json" 2>/dev/null
	check "$name: nothing moves from or to a time before $cutoff (now $now)" $py -c '
import json, sys
p = json.load(open(sys.argv[1]))
cut = sys.argv[2]
n = 0
for x in p["proposals"] + p["ladder"]:
    for c in x["changes"]:
        n += 1
        assert c["from"]["start"] >= cut, ("moved from before the cut-off", x["id"], c["from"])
        assert c["to"]["start"] >= cut, ("moved to before the cut-off", x["id"], c["to"])
print("# %d changes checked" % n)
' "$TMP/n-$name.json" "$cutoff"
}
notice cp-thursday examples/family-cp/profile.yaml 20261126T170000Z 2026-11-27T17:00
notice dementia-thursday examples/family-dementia/profile.yaml 20261126T170000Z 2026-11-27T17:00
notice cp-monday examples/family-cp/profile.yaml 20261123T000000Z 2026-11-24T00:00
# a Friday's working day is Monday's; Saturday counts as no working day
notice cp-friday examples/family-cp/profile.yaml 20261127T090000Z 2026-11-30T09:00
# a practitioner's own notice: portage 0 hours, everyone else 3 days
cp -r examples/family-cp "$TMP/cp-notice"
profile_edit "$TMP/cp-notice/profile.yaml" 'p["person"]["notice"] = "3 days"; next(x for x in p["practitioners"] if x["id"] == "portage")["notice"] = "0 hours"'
"$DOVETAIL" --db "$TMP/n-own.db" --now 20261123T000000Z propose --json "$TMP/cp-notice/profile.yaml" >"$TMP/n-own.json" 2>/dev/null
check "own notice: only portage moves before Thursday 00:00, and some plan moves it" $py -c '
import json, sys
p = json.load(open(sys.argv[1]))
moved_portage = 0
for x in p["proposals"] + p["ladder"]:
    for c in x["changes"]:
        early = min(c["from"]["start"], c["to"]["start"]) < "2026-11-26T00:00"
        assert not early or c["practitioner"] == "portage", c
        moved_portage += c["practitioner"] == "portage"
assert moved_portage, "portage never moves"
' "$TMP/n-own.json"

# ---- bad input: weights, notice and limits out of range
bad() { # bad NAME EDIT PATTERN: the edited profile is refused at its line and column
	name=$1
	cp -r examples/family-cp "$TMP/bad-$name"
	profile_edit "$TMP/bad-$name/profile.yaml" "$2"
	before=$(sha "$TMP/bad.db" 2>/dev/null)
	"$DOVETAIL" --db "$TMP/bad.db" propose "$TMP/bad-$name/profile.yaml" >"$TMP/bad.out" 2>"$TMP/bad.err"
	rc=$?
	check "$name: exit 65 (got $rc)" [ "$rc" -eq 65 ]
	check "$name: named at FILE:LINE:COL" grep -q "profile.yaml:[0-9][0-9]*:[0-9][0-9]*: error: $3" "$TMP/bad.err"
	check "$name: nothing printed" [ ! -s "$TMP/bad.out" ]
}
bad compromise-zero 'p["compromises"] = {"energy": 0}' "compromises.energy: must be between 0.001 and 10000, found 0"
bad compromise-huge 'p["compromises"] = {"rest": 20000}' "compromises.rest: must be between 0.001 and 10000, found 20000"
bad compromise-text 'p["compromises"] = {"routine_missed": "lots"}' "compromises.routine_missed: expected a number"
bad compromise-key 'p["compromises"] = {"naps": 3}' "an unknown key in compromises"
bad notice-unit 'p["person"]["notice"] = "2 fortnights"' "person.notice: expected a notice such as 1 working day"
bad notice-range 'p["person"]["notice"] = "30 days"' "person.notice: must be between 0 and 28 days, found 30"
bad notice-prac 'p["practitioners"][0]["notice"] = "700 hours"' "practitioners\\[0\\].notice: must be between 0 and 672 hours, found 700"
bad weight-negative 'p["preferences"]["weights"]["journeys"] = -1' "preferences.weights.journeys: must be between 0 and 1e+06, found -1"
bad limit-range 'p["limits"]["max_time_out_per_day"] = 2000' "limits.max_time_out_per_day: must be between 0 and 1440, found 2000"
bad budget-range 'p["energy"]["budget"] = 5000' "energy.budget: must be between 0 and 1000, found 5000"
bad routine-off-grid 'p["person"]["slot"] = 30; p["routines"][0]["start"] = ["06:35-06:50", "18:30-19:00"]' "routines\\[0\\].start: no start on the 30-minute slot grid falls in this window"
# ---- what to ask is true: accept proposal 1, then the paediatrician says
# yes to its question and moves the X-ray in her own calendar; each problem
# the question says it removes is gone from check, and one it only reduces
# ("reduces") is still there (family-cp: Wednesday's time out, 245 -> 175
# minutes, still over 150)
ask=$TMP/ask-family
cp -R examples/family-cp "$ask"
"$DOVETAIL" --db "$TMP/ask.db" --now 2026-11-23T00:00:00Z propose --json "$ask/profile.yaml" >"$TMP/ask.json" 2>/dev/null
"$DOVETAIL" --db "$TMP/ask.db" --now 2026-11-23T00:00:00Z accept --by keyworker \
	"$($py -c 'import json, sys; print(json.load(open(sys.argv[1]))["proposals"][0]["id"])' "$TMP/ask.json")" >/dev/null 2>&1
at=$($py -c 'import json, sys
a = [x for x in json.load(open(sys.argv[1]))["proposals"][0]["asks"] if x["practitioner"] == "paed"][0]
f = lambda s: s.replace("-", "").replace(":", "") + "00Z"
print(f(a["at"]["start"]), f(a["at"]["end"]))' "$TMP/ask.json")
set -- $at
sed -i "s/^DTSTART:20261125T084500Z/DTSTART:$1/; s/^DTEND:20261125T090500Z/DTEND:$2/" "$ask/feeds/paediatrician.ics"
"$DOVETAIL" --db "$TMP/ask.db" --now 2026-11-23T00:00:00Z check --json --refresh "$ask/profile.yaml" >"$TMP/ask-check.json" 2>/dev/null
check "what to ask: what the paediatrician's yes removes is gone, what it reduces is there" shown $py -c '
import json, re, sys
a = [x for x in json.load(open(sys.argv[1]))["proposals"][0]["asks"] if x["practitioner"] == "paed"][0]["text"]
c = json.load(open(sys.argv[2]))["problems"]
kinds = {"energy over the budget": "energy", "too long out of home": "time-out",
         "too many appointments": "appointments", "too many unfamiliar people": "unfamiliar",
         "time outside the person\x27s day": "outside-day"}
def said(verb):
    m = re.search(verb + r" (.*?)(;|$)", a)
    return [] if not m else [w.rsplit(" on ", 1) for w in m.group(1).split(", ")]
wed = {x["kind"] for x in c if x["date"] == "2026-11-25" and not x["week"]}
for words, day in said("removes"):
    assert day == "Wed" and kinds[words] not in wed, ("said removed, still there", words, a)
reduced = said("reduces")
assert reduced, ("nothing said reduced", a)
for words, day in reduced:
    assert kinds[words] in wed, ("said reduced, but gone", words, a)
' "$TMP/ask.json" "$TMP/ask-check.json"
# ---- what to ask never names an appointment that has begun or is over by
# --now: on Wed 25 Nov 10:00, the X-ray of 08:45 that morning is not put to
# the paediatrician (the dietitian's 11:00 still is, at short notice)
"$DOVETAIL" --db "$TMP/ask-wed.db" --now 2026-11-25T10:00:00Z propose --json examples/family-cp/profile.yaml >"$TMP/ask-wed.json" 2>/dev/null
check "what to ask on Wednesday 10:00: nothing about that morning's X-ray, still the dietitian at 11:00" shown $py -c '
import json, sys
asks = [a for p in json.load(open(sys.argv[1]))["proposals"] for a in p["asks"]]
assert not [a for a in asks if a["uid"].startswith("RAD-2026-44718-01")], asks
assert [a for a in asks if a["practitioner"] == "dietitian" and "at short notice" in a["text"]], asks
' "$TMP/ask-wed.json"
# ---- proposed on Saturday noon for the week of Mon 23 Nov, nothing can
# still move (over, or inside one working day's notice): the text says so,
# not that the week as booked (three clashes) is the best
"$DOVETAIL" --db "$TMP/sat.db" --now 2026-11-28T12:00:00Z propose --from 2026-11-23 --to 2026-11-29 \
	examples/family-cp/profile.yaml >"$TMP/sat.out" 2>/dev/null
check "propose on Saturday: 'nothing in it can still move', not 'the best'" sh -c "
	grep -q '^  no changes: nothing in it can still move (fixed, inside its practitioner.s notice, or over)\$' '$TMP/sat.out' &&
	! grep -q 'is the best within' '$TMP/sat.out'"
done_testing
