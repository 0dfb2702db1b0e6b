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

# A busy block that runs over days (a weekend BUSY-UNAVAILABLE period) says
# until when, instead of a misleading 00:00-00:00.
run --db "$TMP/fb.db" import --tz Europe/London "$SRCDIR/examples/family-cp/feeds/freebusy-nursery-nurse.ics"
run --db "$TMP/fb.db" events --tz Europe/London --from 20261128 --to 20261129
check "events: a multi-day block shows its end date" grep -q '^  00:00 to 2026-11-30 00:00 (busy)' "$TMP/stdout"

done_testing
