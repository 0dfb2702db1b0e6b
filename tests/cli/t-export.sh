#!/bin/sh
# t-export.sh: `dovetail export --calendar`: the agreed plan as the
# family's calendar, read back by three independent implementations
# (ical.js from npm, python3-icalendar and khal from Debian) and by
# dovetail's own importer, which must all see the same events: every
# accepted change at its new time, nothing at the old one.
# Usage: t-export.sh DOVETAIL [BUILDDIR]  (ical.js: $ICALJS, else
# BUILDDIR/node_modules/ical.js/dist/ical.js, as tools/run-tests installs it)
. "$(dirname "$0")/lib.sh"
BUILDDIR=${2:-}

cd "$SRCDIR" || exit 1
db=$TMP/export.db
prof=examples/family-cp/profile.yaml
py=/usr/bin/python3

run --db "$db" propose --json -k 1 --no-ladder "$prof"
cp "$TMP/stdout" "$TMP/p.json"
p=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["proposals"][0]["id"])' "$TMP/p.json")
run --db "$db" accept "$p" --by keyworker
check "accept the optimum whole" [ "$rc" -eq 0 ]
run --db "$db" export "$prof" --calendar "$TMP/family.ics" --routines
check "export: exit 0" [ "$rc" -eq 0 ]
check "export: says what it wrote" grep -q "^wrote TMP/family.ics: 9 appointments and the routines" "$TMP/stdout"
check "export: the file is mode 0600" [ "$(stat -c %a "$TMP/family.ics")" = 600 ]
run --db "$db" export "$prof" --calendar "$TMP/again.ics" --routines
check "export: the same bytes again" cmp -s "$TMP/family.ics" "$TMP/again.ics"
(cd "$TMP" && "$DOVETAIL" --db "$db" export "$OLDPWD/$prof" --calendar - --routines --itip "$TMP/itip-out" \
	>"$TMP/out.ics" 2>"$TMP/out.err")
check "export --calendar -: the same calendar on standard output, exit 0" \
	sh -c "[ $? -eq 0 ] && cmp -s '$TMP/family.ics' '$TMP/out.ics'"
check "... no file named '-', and what was written said on stderr" \
	sh -c "[ ! -e '$TMP/-' ] && grep -q '^wrote .*/itip-out/' '$TMP/out.err'"
(cd "$TMP" && "$DOVETAIL" --db "$db" export "$OLDPWD/$prof" --calendar - >/dev/full 2>"$TMP/full.err")
check "... a standard output that cannot be written: exit 73, saying so" \
	sh -c "[ $? -eq 73 ] && grep -q 'cannot write standard output' '$TMP/full.err'"

# ---- python3-icalendar: the appointments as UTC instants, one a line
$py - "$TMP/family.ics" >"$TMP/py.txt" 2>"$TMP/py.err" <<'PY'
import sys, icalendar
from datetime import timezone
cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
for e in cal.walk("VEVENT"):
    if str(e.get("TRANSP", "OPAQUE")) == "TRANSPARENT":
        continue
    s, t = e["DTSTART"].dt, e["DTEND"].dt
    assert s.tzinfo is not None and str(e["DTSTART"].params["TZID"]) == "Europe/London"
    f = "%Y-%m-%dT%H:%M:%SZ"
    print(s.astimezone(timezone.utc).strftime(f), t.astimezone(timezone.utc).strftime(f),
          str(e.get("LOCATION", "")))
PY
check "python3-icalendar parses it" [ $? -eq 0 ]
sort "$TMP/py.txt" >"$TMP/py.sorted"
check "python3-icalendar: 9 appointments" [ "$(wc -l <"$TMP/py.sorted")" -eq 9 ]

# ---- ical.js (the engine of Thunderbird's calendar)
if [ -z "${ICALJS:-}" ] && [ -n "$BUILDDIR" ]; then
	ICALJS=$BUILDDIR/node_modules/ical.js/dist/ical.js
fi
if [ -n "${ICALJS:-}" ] && [ -f "$ICALJS" ] && command -v node >/dev/null 2>&1; then
	ICALJS=$ICALJS node --input-type=module - "$TMP/family.ics" >"$TMP/js.txt" 2>"$TMP/js.err" <<'JS'
import { readFileSync } from 'node:fs';
const ICAL = (await import(process.env.ICALJS)).default;
const comp = new ICAL.Component(ICAL.parse(readFileSync(process.argv[2], 'utf8')));
for (const tz of comp.getAllSubcomponents('vtimezone'))
	ICAL.TimezoneService.register(tz);
const f = (t) => t.toJSDate().toISOString().replace(/\.\d+Z$/, 'Z');
for (const v of comp.getAllSubcomponents('vevent')) {
	if (v.getFirstPropertyValue('transp') === 'TRANSPARENT') continue;
	const e = new ICAL.Event(v);
	if (e.startDate.zone.tzid !== 'Europe/London') throw new Error('zone ' + e.startDate.zone.tzid);
	console.log(f(e.startDate), f(e.endDate), e.location || '');
}
JS
	check "ical.js parses it" [ $? -eq 0 ]
	sort "$TMP/js.txt" >"$TMP/js.sorted"
	check "ical.js reads the same events as python3-icalendar" cmp -s "$TMP/js.sorted" "$TMP/py.sorted"
else
	not_ok "ical.js is there (set ICALJS or run tools/run-tests, which installs it)"
fi

# ---- khal: import into a throwaway configuration, then list the week
if command -v khal >/dev/null 2>&1; then
	mkdir -p "$TMP/khal/cal"
	cat >"$TMP/khal.conf" <<EOF2
[calendars]
[[family]]
path = $TMP/khal/cal
type = calendar
[locale]
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
local_timezone = Europe/London
default_timezone = Europe/London
[default]
default_calendar = family
EOF2
	XDG_DATA_HOME=$TMP/khal-data khal -c "$TMP/khal.conf" import --batch -a family "$TMP/family.ics" >"$TMP/khal.out" 2>&1
	check "khal imports it" [ $? -eq 0 ]
	check "khal stored every event ($(ls "$TMP/khal/cal" | wc -l))" [ "$(ls "$TMP/khal/cal" | wc -l)" -eq "$(grep -c '^BEGIN:VEVENT' "$TMP/family.ics")" ]
	XDG_DATA_HOME=$TMP/khal-data khal -c "$TMP/khal.conf" list --format '{start} {end} {categories}' \
		2026-11-23 7d >"$TMP/khal.list" 2>&1
	check "khal lists the 9 appointments in the week (and the routines)" \
		[ "$(grep '^2026-' "$TMP/khal.list" | grep -vc ' routine$')" -eq 9 ]
else
	not_ok "khal is there (tools/run-tests installs it)"
fi

# ---- dovetail imports its own export: the same events
run --db "$TMP/back.db" import "$TMP/family.ics"
check "re-import: exit 0" [ "$rc" -eq 0 ]
run --db "$TMP/back.db" events --from 20261123T000000Z --to 20261130T000000Z --json
$py - "$TMP/stdout" "$TMP/family.ics" >"$TMP/back.txt" <<'PY'
import json, sys, icalendar
opaque = {str(e["UID"]) for e in icalendar.Calendar.from_ical(open(sys.argv[2], "rb").read()).walk("VEVENT")
          if str(e.get("TRANSP", "OPAQUE")) != "TRANSPARENT"}
d = json.load(open(sys.argv[1]))
for o in d["occurrences"]:
    if o["uid"] in opaque:
        print(o["start"], o["end"], o.get("location") or "")
PY
sort "$TMP/back.txt" >"$TMP/back.sorted"
check "re-import gives exactly the exported plan" cmp -s "$TMP/back.sorted" "$TMP/py.sorted"

# ---- every accepted change is at its new time, none at its old one
check "every accepted change is there, and not its old slot" $py - "$TMP/p.json" "$TMP/family.ics" <<'PY'
import json, sys, icalendar
d = json.load(open(sys.argv[1]))
cal = icalendar.Calendar.from_ical(open(sys.argv[2], "rb").read())
have = {(e["DTSTART"].dt.strftime("%Y-%m-%dT%H:%M"), str(e["CATEGORIES"].cats[0]))
        for e in cal.walk("VEVENT")}
for c in d["proposals"][0]["changes"]:
    assert (c["to"]["start"], c["practitioner"]) in have, c
    if c["from"]["start"] != c["to"]["start"]:
        assert (c["from"]["start"], c["practitioner"]) not in have, c
PY

# ---- bad input
run --db "$db" export "$prof" --calendar /nonexistent/dir/family.ics
check "an unwritable --calendar: exit 73" [ "$rc" -eq 73 ]
check "... naming the file" grep -q "/nonexistent/dir/family.ics" "$TMP/stderr"
run --db "$db" export "$prof"
check "no --calendar: usage, 64" [ "$rc" -eq 64 ]
# far years: refused at once (exit 64), not minutes of libical extending the
# zone's rules year by year (export's zone check ran for 109 s at 2582)
run --db "$db" export "$prof" --from 2600-01-05 --to 2600-01-11 --calendar "$TMP/far.ics"
check "export --from 2600: exit 64, naming the years (got $rc)" \
	sh -c "[ $rc -eq 64 ] && grep -q \"invalid --from: '2600-01-05' (use a year from 1900 to 2199)\" '$TMP/stderr' && [ ! -e '$TMP/far.ics' ]"
run --db "$db" --now 9999-12-01T00:00:00Z export "$prof" --calendar "$TMP/far.ics"
check "--now 9999: exit 64 (got $rc)" [ "$rc" -eq 64 ]
cpu_bounded 10 "$DOVETAIL" --db "$db" export "$prof" --from 2199-12-01 --to 2199-12-31 --calendar "$TMP/far.ics" \
	>"$TMP/stdout" 2>"$TMP/stderr"
rc=$?
check "the last year allowed, 2199: exported within 10 CPU s (got $rc)" [ "$rc" -eq 0 ]
done_testing
