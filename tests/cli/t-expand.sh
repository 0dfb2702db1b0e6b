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
run expand expand-weekly.ics --from 20270101T000000Z --to 20260101T000000Z
check "expand with --to before --from: usage, 64 (it printed nothing, exit 0)" \
	sh -c "[ $rc -eq 64 ] && grep -q -- '--to must be after --from' '$TMP/stderr'"
# standard input is "<stdin>" in diagnostics
cpu_bounded 60 "$DOVETAIL" expand - $W <bad-interval0.ics >"$TMP/stdout" 2>"$TMP/stderr"
rc=$?
expect bad-interval0.stdin 65

# Issue 19, item 11: a feed's UID and STATUS are escaped (terminal-safe
# printer): a tab or a C1 CSI can neither reach the terminal nor add a
# column; a STATUS cut at 15 bytes keeps whole characters. (A UID with a
# C0 control such as ESC or BEL is an error since issue 22: it could not be
# written back to the practitioner; see below.)
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\tc\302\233d\342\200\256e\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260105T090000Z\r\nDTEND:20260105T100000Z\r\nSTATUS:\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >"$TMP/esc.ics"
run expand "$TMP/esc.ics" --from 20260101T000000Z --to 20260201T000000Z
check "expand with a hostile UID and STATUS: exit 0" [ "$rc" -eq 0 ]
check "... five tab-separated fields, whatever the UID holds" [ "$(awk -F'\t' '{print NF}' "$TMP/stdout")" = 5 ]
check "... no raw control, C1 or bidi character in stdout" python3 -c 'import sys
t = open(sys.argv[1], "rb").read().decode("utf-8")
assert not any(ord(c) < 32 and c not in "\t\n" or 0x7f <= ord(c) <= 0x9f or 0x202a <= ord(c) <= 0x202e for c in t), repr(t)
assert "a\\tc\\u009bd\\u202ee" in t, repr(t)' "$TMP/stdout"
# Issue 22: a UID with an ESC, an OSC and a BEL (RFC 5545 3.1: no control
# but a tab in a value) is an error at its line, and no raw control reaches
# the terminal through the message (it never quotes the UID)
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\033]0;t\007b\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260105T090000Z\r\nDTEND:20260105T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >"$TMP/esc2.ics"
run expand "$TMP/esc2.ics" --from 20260101T000000Z --to 20260201T000000Z
check "a UID with ESC and BEL: exit 65 (got $rc), the error at the UID's line" \
	sh -c "[ $rc -eq 65 ] && grep -q 'esc2.ics:5:1: error: control character 0x1B' '$TMP/stderr'"
check "... no raw control character in stderr" python3 -c 'import sys
t = open(sys.argv[1], "rb").read().decode("utf-8")
assert not any(ord(c) < 32 and c not in "\t\n" or 0x7f <= ord(c) <= 0x9f for c in t), repr(t)' "$TMP/stderr"

# Issue 19, item 14: rules that never match end at once, at every FREQ,
# with a warning at the RRULE's line (libical would walk them a second at
# a time inside one call); a rule libical would walk for ages although it
# matches is given an UNTIL at its bound of steps, and stops there (exit
# 65 at its line). Bounded by CPU time (ulimit -t), never by the wall clock.
cpu_run() { # cpu_run SECONDS ARGS...: dovetail with a CPU-time limit
	lim_=$1
	shift
	cpu_bounded "$lim_" "$DOVETAIL" "$@" >"$TMP/stdout" 2>"$TMP/stderr"
	rc=$?
	sed -i "s#$TMP#TMP#g" "$TMP/stdout" "$TMP/stderr"
}
never_ok=1
for f in SECONDLY MINUTELY HOURLY DAILY WEEKLY MONTHLY YEARLY; do
	for parts in 'BYMONTH=2;BYMONTHDAY=30' 'BYMONTH=4;BYMONTHDAY=31' 'BYYEARDAY=366;BYMONTH=3' 'BYMONTH=2;BYMONTHDAY=-31;BYHOUR=9'; do
		printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:never\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260105T090000Z\r\nDTEND:20260105T100000Z\r\nRRULE:FREQ=%s;%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' "$f" "$parts" >"$TMP/never.ics"
		cpu_run 20 expand "$TMP/never.ics" --from 20260101T000000Z --to 20270101T000000Z
		if [ "$rc" -ne 0 ] || ! grep -q '^dovetail: TMP/never.ics:9:1: warning: series never: the recurrence rule never matches a date; only DTSTART occurs$' "$TMP/stderr"; then
			never_ok=0
			echo "FREQ=$f;$parts: exit $rc" | diag
			diag <"$TMP/stderr"
		fi
	done
done
check "28 rules that never match, at every FREQ: exit 0, a warning at line 9, under 20 s of CPU each (scaled)" [ "$never_ok" -eq 1 ]
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:slow\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:19000101T000000Z\r\nDTEND:19000101T000001Z\r\nRRULE:FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=29;BYHOUR=0;BYMINUTE=0;BYSECOND=0\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >"$TMP/slow.ics"
cpu_run 30 expand "$TMP/slow.ics" --from 20260101T000000Z --to 20270101T000000Z
check "a rule libical walks a second at a time since 1900: exit 65 (got $rc), not killed at 30 s of CPU (scaled)" [ "$rc" -eq 65 ]
check "... stopped at its bound of steps, named at the RRULE's line (libical is never left walking)" grep -q "^dovetail: TMP/slow.ics:9:1: error: series slow: more than 50000 recurrence instances before the window ends$" "$TMP/stderr"

done_testing
