#!/bin/sh
# t-readers.sh: every file `dovetail export` writes (the family's calendar
# and each practitioner's iTIP message) read by five independent readers:
# ical.js (npm), ts-ics (npm), ruby-icalendar, khal and python3-icalendar
# (Debian). Each event must be at the right UTC instant in each: the
# instant the IANA zone named by its TZID gives its local time (Python's
# zoneinfo, from the system's tzdata). ical.js, ts-ics and ruby-icalendar
# take offsets from the file's VTIMEZONE, so this checks the VTIMEZONE
# dovetail writes (docs/export.md, "Time zones"). The family of
# examples/family-cp, planned and accepted in seven zones: north and south
# of the equator, with daylight saving in force and not, none at all, and
# Dublin's negative one.
# Usage: t-readers.sh DOVETAIL [BUILDDIR]  (ical.js: $ICALJS, else
# BUILDDIR/node_modules/ical.js/dist/ical.js; ts-ics: $TSICS, else
# BUILDDIR/node_modules/ts-ics; as tools/run-tests installs them)
. "$(dirname "$0")/lib.sh"
BUILDDIR=${2:-}
py=/usr/bin/python3
cli=$SRCDIR/tests/cli
if [ -z "${ICALJS:-}" ] && [ -n "$BUILDDIR" ]; then
	ICALJS=$BUILDDIR/node_modules/ical.js/dist/ical.js
fi
if [ -z "${TSICS:-}" ] && [ -n "$BUILDDIR" ]; then
	TSICS=$BUILDDIR/node_modules/ts-ics
fi
have_node=0
command -v node >/dev/null 2>&1 && have_node=1
check "node is there (tools/run-tests installs it)" [ "$have_node" = 1 ]
check "ical.js is there (set ICALJS or run tools/run-tests, which installs it)" [ -f "${ICALJS:-/nonexistent}" ]
check "ts-ics is there (set TSICS or run tools/run-tests, which installs it)" [ -f "${TSICS:-/nonexistent}/package.json" ]
check "ruby-icalendar is there (tools/run-tests installs it)" ruby -e 'require "icalendar"'
check "khal is there (tools/run-tests installs it)" sh -c "command -v khal >/dev/null"
export ICALJS TSICS

# the truth: each VEVENT's local time and TZID through zoneinfo
cat >"$TMP/truth.py" <<'PY'
import os, sys, datetime as dt
from zoneinfo import ZoneInfo
def unfold(text):
    out = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line[:1] in (" ", "\t") and out:
            out[-1] += line[1:]
        else:
            out.append(line)
    return out
def instant(line):
    name, _, value = line.partition(":")
    params = dict(p.split("=", 1) for p in name.split(";")[1:])
    if value.endswith("Z"):
        t = dt.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.timezone.utc)
    else:
        t = dt.datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=ZoneInfo(params["TZID"]))
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
for f in sys.argv[1:]:
    method, depth, ev = "-", 0, None
    for line in unfold(open(f, encoding="utf-8").read()):
        if line.startswith("METHOD:") and depth == 1:
            method = line[7:]
        if line.startswith("BEGIN:"):
            depth += 1
            if line == "BEGIN:VEVENT":
                ev = {"RECURRENCE-ID": "-"}
        elif line.startswith("END:"):
            depth -= 1
            if line == "END:VEVENT":
                print(os.path.basename(f), method, ev["UID"], ev["RECURRENCE-ID"], ev["DTSTART"], ev["DTEND"])
                ev = None
        elif ev is not None:
            key = line.split(":", 1)[0].split(";", 1)[0]
            if key == "UID":
                ev["UID"] = line.split(":", 1)[1]
            elif key in ("DTSTART", "DTEND", "RECURRENCE-ID"):
                ev[key] = instant(line)
PY
# python3-icalendar's own reading, in the same form
cat >"$TMP/pyical.py" <<'PY'
import os, sys, icalendar
from datetime import timezone
f8 = lambda t: t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
for f in sys.argv[1:]:
    cal = icalendar.Calendar.from_ical(open(f, "rb").read())
    method = str(cal.get("METHOD", "-"))
    for e in cal.walk("VEVENT"):
        rid = f8(e["RECURRENCE-ID"].dt) if "RECURRENCE-ID" in e else "-"
        print(os.path.basename(f), method, str(e["UID"]), rid, f8(e["DTSTART"].dt), f8(e["DTEND"].dt))
PY
n_itip=0
mkdir -p "$TMP/khal/cal"
cat >"$TMP/khal.conf" <<EOF2
[calendars]
[[x]]
path = $TMP/khal/cal
[locale]
local_timezone = UTC
default_timezone = UTC
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%dT%H:%M:%SZ
longdatetimeformat = %Y-%m-%dT%H:%M:%SZ
EOF2

for zone in Europe/London America/New_York Australia/Sydney Asia/Kolkata Europe/Dublin Pacific/Auckland America/Sao_Paulo; do
	z=$(echo "$zone" | tr / -)
	d=$TMP/$z
	cp -r "$SRCDIR/examples/family-cp" "$d"
	sed -i "s#timezone: Europe/London#timezone: $zone#" "$d/profile.yaml"
	cd "$d" || exit 1
	run --db "$d.db" propose --json -k 1 --no-ladder profile.yaml
	p=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["proposals"][0]["id"])' "$TMP/stdout" 2>/dev/null)
	run --db "$d.db" accept "$p" --by keyworker
	run --db "$d.db" export profile.yaml --calendar "$d/family.ics" --routines --itip "$d/itip"
	check "$zone: export exit 0 (got $rc)" [ "$rc" -eq 0 ]
	if [ "$rc" -ne 0 ]; then
		diag <"$TMP/stderr"
		cd "$TMP" || exit 1
		continue
	fi
	set -- "$d/family.ics"
	for f in "$d"/itip/*.ics; do
		[ -f "$f" ] && set -- "$@" "$f" && n_itip=$((n_itip + 1))
	done
	n_ev=$(cat "$@" | grep -c '^BEGIN:VEVENT')
	check "$zone: $# files, $n_ev events" [ "$n_ev" -ge 10 ]
	# the VTIMEZONE: the zone's rules from 1970, nothing that ends or starts again
	check "$zone: the VTIMEZONE starts in 1970 and its rules never end" \
		sh -c "! sed -n '/BEGIN:VTIMEZONE/,/END:VTIMEZONE/p' \"\$@\" | grep -E '^DTSTART:(19[0-6]|19[7-9][1-9]|2)|UNTIL=' >/dev/null" sh "$@"
	$py "$TMP/truth.py" "$@" | sort >"$d.truth" 2>"$d.err"
	check "$zone: zoneinfo reads every event ($(wc -l <"$d.truth"))" [ "$(wc -l <"$d.truth")" -eq "$n_ev" ]
	$py "$TMP/pyical.py" "$@" 2>"$d.err" | sort >"$d.pyical"
	check "$zone: python3-icalendar: every event at its instant" cmp -s "$d.pyical" "$d.truth"
	node "$cli/icaljs-read.mjs" "$@" 2>"$d.err" | sort >"$d.icaljs"
	check "$zone: ical.js: every event at its instant" cmp -s "$d.icaljs" "$d.truth"
	diff "$d.icaljs" "$d.truth" | head -4 | diag
	node "$cli/tsics-read.mjs" "$@" 2>"$d.err" | sort >"$d.tsics"
	check "$zone: ts-ics: every event at its instant" cmp -s "$d.tsics" "$d.truth"
	{ diff "$d.tsics" "$d.truth" | head -4; head -3 "$d.err"; } | diag
	ruby "$cli/ruby-read.rb" "$@" 2>"$d.err" | sort >"$d.ruby"
	check "$zone: ruby-icalendar: every event at its instant" cmp -s "$d.ruby" "$d.truth"
	{ diff "$d.ruby" "$d.truth" | head -4; head -3 "$d.err"; } | diag
	: >"$d.khal"
	for f in "$@"; do
		XDG_DATA_HOME=$TMP/khal-data khal -c "$TMP/khal.conf" printics --format '{start} {end} {uid}' "$f" \
			2>>"$d.err" | grep -E '^[0-9]{4}-' >>"$d.khal"
	done
	awk '{print $5, $6, $3}' "$d.truth" | sort >"$d.truth3"
	sort -o "$d.khal" "$d.khal"
	check "$zone: khal: every event at its instant" cmp -s "$d.khal" "$d.truth3"
	diff "$d.khal" "$d.truth3" | head -4 | diag
	cd "$TMP" || exit 1
done
check "iTIP messages among the files read ($n_itip)" [ "$n_itip" -ge 6 ]
done_testing
