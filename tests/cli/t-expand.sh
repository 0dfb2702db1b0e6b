#!/bin/sh
# t-expand.sh: `dovetail expand`: occurrences in the oracle normal form, and bad inputs.
. "$(dirname "$0")/lib.sh"

cd "$DATA" || exit 1
W="--from 20260101T000000Z --to 20270101T000000Z"

# A weekly series across the change to BST, one EXDATE (given with a TZID),
# and an override named by its UTC instant that moves the 30 March session
# to the next day and makes it tentative.
run expand expand-weekly.ics $W
expect expand-weekly 0
# the window cuts: only what overlaps [from, to)
run expand expand-weekly.ics --from 20260316T100000Z --to 20260406T083000Z
expect expand-weekly.window 0

# Floating times stay floating without --tz; with it they are read there.
run expand expand-floating.ics $W
expect expand-floating 0
run expand expand-floating.ics $W --tz Europe/London
expect expand-floating.tz 0

# Bad inputs: each shows its diagnostic (FILE:LINE:COL) and exit status.
run expand bad-bomb.ics $W            # FREQ=SECONDLY;COUNT=200000000: a bound, exit 5
expect bad-bomb 65
run expand bad-feb30.ics --from 20261101T000000Z --to 20361101T000000Z  # never matches: DTSTART only
expect bad-feb30 0
run expand bad-interval0.ics $W       # INTERVAL=0: an error, not silently 1
expect bad-interval0 65
run expand bad-unclosed.ics $W        # missing END:VCALENDAR
expect bad-unclosed 65
run expand bad-utf8.ics $W            # Latin-1 byte: a warning at its line and column
expect bad-utf8 0

(cd "$TMP" && make_long_line "$TMP")
cd "$TMP" || exit 1
run expand long-line.ics $W           # a 10 MB content line: past the 1 MiB line limit
expect long-line 65
cd "$DATA" || exit 1

# Usage and I/O errors
run expand no-such-file.ics $W
expect expand-missing 66
run expand expand-weekly.ics --from 20260101T000000Z
expect expand-no-to 64
run expand expand-weekly.ics --from 2026-13-01 --to 20270101T000000Z
expect expand-bad-from 64
run expand expand-weekly.ics $W --tz Mars/Olympus_Mons
expect expand-bad-tz 64
# standard input is "<stdin>" in diagnostics
timeout 10 "$DOVETAIL" expand - $W <bad-interval0.ics >"$TMP/stdout" 2>"$TMP/stderr"
rc=$?
expect bad-interval0.stdin 65

done_testing
