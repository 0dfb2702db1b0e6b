#!/bin/sh
# t-horizon.sh: an accepted change may move an appointment out of the week
# it was booked in. On Thursday the occupational therapist's Friday visit
# clashes with a fixed GP review, and the OT works only on Wednesdays, so
# proposal 1 (over two weeks) moves it to next Wednesday. Once accepted:
# this week no longer has it (no clash left in `check`), next week does (it
# moved in from outside that horizon), and `export --itip` with the default
# one-week horizon still tells the OT (issue 20: "export by the change,
# not the week"; person_open, docs/decisions.md).
# Usage: t-horizon.sh DOVETAIL
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
export DOVETAIL_NOW=20261126T090000Z
cp -r "$DATA/next-week" "$TMP/f"
cd "$TMP/f" || exit 1
db=$TMP/h.db
# appts FILE: "practitioner@start" per appointment of a week --json
appts() {
	$py -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join("%s@%s" % (a["practitioner"], a["start"]) for day in d["days"] for a in day["appointments"]))' "$1"
}
run --db "$db" check profile.yaml
check "as booked: Friday's OT visit clashes with the GP review (exit $rc)" grep -q "overlap .* gp+ot" "$TMP/stdout"
run --db "$db" propose --from 2026-11-23 --to 2026-12-06 -k 1 --no-ladder --json profile.yaml
check "propose over two weeks: exit 0" [ "$rc" -eq 0 ]
p=$($py -c 'import json, sys; p = json.load(open(sys.argv[1]))["proposals"][0]
c = p["changes"]
assert len(c) == 1 and c[0]["practitioner"] == "ot" and c[0]["to"]["start"] == "2026-12-02T09:00", c
print(p["id"])' "$TMP/stdout")
check "proposal 1 moves the OT to next Wednesday 09:00 ($p)" [ -n "$p" ]
run --db "$db" accept "$p" --by keyworker
check "accept: exit 0" [ "$rc" -eq 0 ]
run --db "$db" check profile.yaml
check "this week: no problem left (the OT visit moved out)" grep -q "^no problems" "$TMP/stdout"
run --db "$db" week --json profile.yaml
cp "$TMP/stdout" "$TMP/this.json"
check "this week: only the GP review ($(appts "$TMP/this.json"))" [ "$(appts "$TMP/this.json")" = "gp@2026-11-27T14:00" ]
run --db "$db" week --json --from 2026-11-30 --to 2026-12-06 profile.yaml
cp "$TMP/stdout" "$TMP/next.json"
check "next week: the OT on Wednesday ($(appts "$TMP/next.json"))" [ "$(appts "$TMP/next.json")" = "ot@2026-12-02T09:00" ]
run --db "$db" export profile.yaml --itip "$TMP/itip"
check "export --itip (this week's horizon): exit 0" [ "$rc" -eq 0 ]
check "... tells the OT" grep -q "^wrote TMP/itip/ot.ics: REQUEST to ot, 1 changed appointment" "$TMP/stdout"
check "... at the new time, next Wednesday" $py -c 'import sys, icalendar
c = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
e = [x for x in c.walk("VEVENT")][0]
assert str(c["METHOD"]) == "REQUEST" and e["DTSTART"].dt.isoformat().startswith("2026-12-02T09:00"), e["DTSTART"].dt' "$TMP/itip/ot.ics"
run --db "$db" export profile.yaml --calendar "$TMP/family.ics"
check "export --calendar (this week): only the GP review" \
	[ "$(grep -c '^BEGIN:VEVENT' "$TMP/family.ics")" -eq 1 ]
done_testing
