#!/bin/sh
# t-events.sh: `dovetail events`: the week view and --json, after imports.
. "$(dirname "$0")/lib.sh"

cd "$DATA" || exit 1
db=$TMP/events.db

# An empty store
run --db "$db" events
expect events-empty 0

# events-week.ics: a weekly series with a LOCATION, a TENTATIVE event, a
# TRANSP:TRANSPARENT one (free), an all-day event without DTEND, a floating
# one (read in --tz), and a CANCELLED one (never listed).
run --db "$db" import --feed week --practitioner physio --tz Europe/London events-week.ics
expect events-week 0
# The default window: the 7 days from the start of today (DOVETAIL_NOW).
run --db "$db" events --json
expect events-week.json 0
run --db "$db" events --tz Europe/London
expect events-week.view 0
# --now beats DOVETAIL_NOW; the view shows local wall clocks (New York here)
run --db "$db" --now 2026-11-24T00:00:00Z events --tz America/New_York --to 20261126
expect events-week.view-ny 0
# an explicit window; occurrences overlapping its start are listed
run --db "$db" events --json --from 2026-11-25T12:10:00Z --to 2026-11-26T00:00:01Z
expect events-week.json-window 0
run --db "$db" events --from 20270601 --to 20270608
expect events-week.none 0

# VFREEBUSY periods (events-busy.ics): BUSY, BUSY-TENTATIVE (tentative),
# and FREE (not stored), in a store of their own.
run --db "$TMP/busy.db" import --feed nurse --practitioner nursery-nurse events-busy.ics
expect events-busy 0
run --db "$TMP/busy.db" events --json
expect events-busy.json 0
run --db "$TMP/busy.db" events --tz Europe/London
expect events-busy.view 0

# Usage errors
run --db "$db" events --tz Nowhere/Special
expect events-bad-tz 64
run --db "$db" events extra
expect events-extra-arg 64
run --db "$db" --now yesterday events
expect events-bad-now 64
run --db "$db" frobnicate
expect events-unknown-command 64
run --db "$db" events --from 2026-11-30 --to 2026-11-23
check "events with --to before --from: usage, 64 (it printed nothing, exit 0)" \
	sh -c "[ $rc -eq 64 ] && grep -q -- '--to must be after --from' '$TMP/stderr'"

# A busy block that runs over days (a weekend BUSY-UNAVAILABLE period) says
# until when, instead of a misleading 00:00-00:00.
run --db "$TMP/fb.db" import --tz Europe/London "$SRCDIR/examples/family-cp/feeds/freebusy-nursery-nurse.ics"
run --db "$TMP/fb.db" events --tz Europe/London --from 20261128 --to 20261129
check "events: a multi-day block shows its end date" grep -q '^  00:00 to 2026-11-30 00:00 (busy)' "$TMP/stdout"

# Issue 19, item 11: C1 controls (U+009B is CSI) and bidi overrides and
# isolates in a SUMMARY are escaped by events, as C0 controls are; a file
# name holding an ESC is printed escaped by import.
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:c1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261124T090000Z\r\nDTEND:20261124T100000Z\r\nSUMMARY:x\302\2331;31my\342\200\256z\342\201\246w\r\nLOCATION:\302\205here\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >"$TMP/$(printf 'c1\033[2Jfeed').ics"
run --db "$TMP/c1.db" import "$TMP/$(printf 'c1\033[2Jfeed').ics"
check "import prints a file name with an ESC escaped" grep -q 'c1\\x1b\[2Jfeed.ics: 1 new' "$TMP/stdout"
run --db "$TMP/c1.db" events --from 20261124 --to 20261125
check "events escapes C1 and bidi characters" grep -q 'x\\u009b1;31my\\u202ez\\u2066w  @ \\u0085here' "$TMP/stdout"
run --db "$TMP/c1.db" events --from 20261124 --to 20261125 --json
check "events --json escapes them as \\u too" grep -q '"summary": "x\\u009b1;31my\\u202ez\\u2066w"' "$TMP/stdout"

done_testing
