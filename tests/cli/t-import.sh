#!/bin/sh
# t-import.sh: `dovetail import`: reports, re-imports, rejection without writes,
# --keep-going, and the database file's permissions.
. "$(dirname "$0")/lib.sh"

cd "$DATA" || exit 1
db=$TMP/store.db

# A good feed into a new store: one report line; the file is created 0600
# whatever the umask says.
(umask 000 && cpu_bounded 60 "$DOVETAIL" --db "$db" import --feed physio import-good.ics \
	>"$TMP/stdout" 2>"$TMP/stderr")
rc=$?
expect import-good 0
check "new database has mode 600 (umask 000)" [ "$(mode "$db")" = 600 ]
check "no -wal or -shm file left behind" [ ! -e "$db-wal" ] && [ ! -e "$db-shm" ]

# The same bytes again: nothing written, and the file is untouched.
h0=$(sha "$db")
run --db "$db" import --feed physio import-good.ics
expect import-good.again 0
check "re-import of the same bytes leaves the database file identical" [ "$(sha "$db")" = "$h0" ]

# DOVETAIL_DB names the database when --db is absent.
DOVETAIL_DB=$db cpu_bounded 60 "$DOVETAIL" import --feed physio import-good.ics >"$TMP/stdout" 2>"$TMP/stderr"
rc=$?
expect import-good.again 0

# Rejected feeds: the documented diagnostic and exit status, one
# "rejected; nothing written" line, and the database bytes unchanged.
rejected() { # rejected CASE FILE RC
	h0=$(sha "$db")
	run --db "$db" import "$2"
	expect "$1" "$3"
	if [ "$(sha "$db")" = "$h0" ]; then
		ok "$1: database bytes unchanged"
	else
		not_ok "$1: database bytes unchanged"
		echo "the database file changed: the feed was (partly) written" | diag
	fi
}
rejected bad-bomb.import bad-bomb.ics 65           # FREQ=SECONDLY;COUNT=200000000
rejected bad-interval0.import bad-interval0.ics 65 # INTERVAL=0
rejected bad-unclosed.import bad-unclosed.ics 65   # missing END:VCALENDAR
make_long_line "$TMP"
cd "$TMP" || exit 1
h0=$(sha "$db")
run --db "$db" import long-line.ics
expect long-line.import 65                          # a 10 MB content line
check "long-line.import: database bytes unchanged" [ "$(sha "$db")" = "$h0" ]
cd "$DATA" || exit 1
rejected import-missing no-such-file.ics 66        # cannot read: exit 66

# Warnings only: imported, exit 0.
run --db "$db" import --feed feb30 bad-feb30.ics
expect bad-feb30.import 0
run --db "$db" import --feed latin1 bad-utf8.ics
expect bad-utf8.import 0

# --keep-going: the valid events are imported, each skipped one is listed
# with its reason, and the exit status is still 1.
run --db "$db" import --keep-going --feed mixed import-mixed.ics
expect import-mixed.keep-going 65
run --db "$db" events --from 20261124 --to 20261127 --json
expect import-mixed.events 0
# ...and without it the same feed (under a new name) writes nothing.
rejected import-mixed import-mixed.ics 65

# A feed that changes: one event updated and one removed; then the
# series cancelled, which removes its occurrences.
cd "$TMP" || exit 1
cp "$DATA/import-good.ics" feed.ics
run --db "$db" import --feed changing feed.ics
expect import-changing 0
# drop the VEVENT of good-single@test, rename the weekly one
awk '/^BEGIN:VEVENT/ { buf = ""; inev = 1 }
     inev { buf = buf $0 "\n"; if ($0 ~ /^UID:good-single@test/) drop = 1
            if ($0 ~ /^END:VEVENT/) { if (!drop) printf "%s", buf; inev = 0; drop = 0 }
            next }
     { print }' "$DATA/import-good.ics" |
	sed 's/^SUMMARY:Physiotherapy\r$/SUMMARY:Physiotherapy (new room)\r/' >feed.ics
run --db "$db" import --feed changing feed.ics
expect import-changing.updated 0
sed 's/^SUMMARY:Physiotherapy (new room)\r$/SUMMARY:Physiotherapy (new room)\r\nSTATUS:CANCELLED\r/' feed.ics >feed2.ics
mv feed2.ics feed.ics
run --db "$db" import --feed changing feed.ics
expect import-changing.cancelled 0
cd "$DATA" || exit 1

# Options and several feeds in one command: one line each, the worst
# status wins. (A fresh store, so that earlier cases do not matter.)
run --db "$db" import --feed-x import-good.ics
expect import-bad-option 64
run --db "$TMP/two.db" import bad-interval0.ics bad-feb30.ics
expect import-two-feeds 65
run --db "$db" import
expect import-no-file 64

# A database others can read is refused, for every command, and left alone.
chmod 644 "$db"
h0=$(sha "$db")
run --db "$db" events
expect store-0644.events 74
run --db "$db" import import-good.ics
expect store-0644.import 74
check "refused database left unchanged" [ "$(sha "$db")" = "$h0" ] && [ "$(mode "$db")" = 644 ]
chmod 600 "$db"
run --db "$db" events --from 20261123 --to 20261124
expect store-0600.events 0

# A database path that is not a regular file
mkdir "$TMP/dir.db"
run --db "$TMP/dir.db" events
expect store-not-file 74

# Issue 19, item 10: --practitioner, --feed and file names are UTF-8 or
# refused (64), by position, never echoed; nothing is written
for a in "--practitioner $(printf 'p\377')" "--feed $(printf 'f\300\257')"; do
	run --db "$TMP/u8.db" import $a "$DATA/import-good.ics"
	check "import $(echo "$a" | cut -d' ' -f1) with bytes that are not UTF-8: exit 64 (got $rc)" [ "$rc" -eq 64 ]
done
cp "$DATA/import-good.ics" "$TMP/$(printf 'bad\351name').ics"
run --db "$TMP/u8.db" import "$TMP/$(printf 'bad\351name').ics"
check "a file name that is not UTF-8: exit 64 (got $rc), not echoed" \
	sh -c "[ $rc -eq 64 ] && grep -q 'argument 4 is not valid UTF-8' '$TMP/stderr' && ! grep -q 'bad.name' '$TMP/stderr'"
check "... and no store was written" [ ! -e "$TMP/u8.db" ]

# Issue 22: several feeds exit with the worst status (docs/exit-status.md,
# "Which status wins"), whatever their order: a feed that cannot be read
# (66) outranks an invalid one (65)
for order in "bad-unclosed.ics missing.ics" "missing.ics bad-unclosed.ics"; do
	set -- $order
	run --db "$TMP/worst.db" import "$DATA/$1" "$DATA/$2"
	check "import $order: the worst status, 66 (got $rc)" [ "$rc" -eq 66 ]
done
run --db "$TMP/worst.db" import "$DATA/bad-unclosed.ics" "$DATA/import-good.ics"
check "import of an invalid and a good feed: 65 (got $rc)" [ "$rc" -eq 65 ]

# Issue 22: one import window (import_window, dovetail/person.h) for
# `import` and the profile commands: a feed imported with `import` and read
# again, the same bytes, by a profile command later in the same week is not
# imported again (its imported_at stays that of the import).
fam=$TMP/fam22
cp -r "$SRCDIR/examples/family-cp" "$fam"
DOVETAIL_NOW=20261124T090000Z run --db "$TMP/w22.db" import --practitioner physio --tz Europe/London \
	"$fam/feeds/physio.ics"
check "issue 22: import of the physio feed: exit 0" [ "$rc" -eq 0 ]
at1=$(sqlite3 -readonly "$TMP/w22.db" "SELECT imported_at FROM feed WHERE source LIKE '%/physio.ics'")
DOVETAIL_NOW=20261126T150000Z run --db "$TMP/w22.db" week --refresh "$fam/profile.yaml"
check "... week --refresh two days later, in the same week: exit 0" [ "$rc" -eq 0 ]
at2=$(sqlite3 -readonly "$TMP/w22.db" "SELECT imported_at FROM feed WHERE source LIKE '%/physio.ics'")
at_other=$(sqlite3 -readonly "$TMP/w22.db" "SELECT imported_at FROM feed WHERE source LIKE '%/salt.ics'")
check "... the physio feed not imported again (imported_at $at1, then $at2)" [ -n "$at1" ] && [ "$at1" = "$at2" ]
check "... while the feeds it had not seen were imported then ($at_other)" [ -n "$at_other" ] && [ "$at_other" != "$at1" ]

# Issue 22: parse once. A feed that sends an older SEQUENCE of a series
# keeps the stored version (D_IMP_STALE), and with a wider window that
# version's occurrences fill it: the stored text is read by the import
# layer (import_feed), not by the store.
mkcal() { # mkcal SEQ HOUR
	printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:s22\r\nDTSTAMP:20261101T000000Z\r\nSEQUENCE:%s\r\nDTSTART:20261102T%s0000Z\r\nDTEND:20261102T%s3000Z\r\nRRULE:FREQ=WEEKLY\r\nSUMMARY:series\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' "$1" "$2" "$2"
}
mkcal 2 10 >"$TMP/s22.ics"
run --db "$TMP/s22.db" import --feed s22 --from 20261101T000000Z --to 20261201T000000Z "$TMP/s22.ics"
check "issue 22: a series at SEQUENCE 2: 5 occurrences in November" grep -q "5 occurrences stored" "$TMP/stdout"
mkcal 1 14 >"$TMP/s22.ics"
run --db "$TMP/s22.db" -v import --feed s22 --from 20261101T000000Z --to 20261215T000000Z "$TMP/s22.ics"
check "... the same series at SEQUENCE 1, a wider window: the stored one kept (D_IMP_STALE)" \
	sh -c "[ $rc -eq 0 ] && grep -q 'stored SEQUENCE 2 is higher' '$TMP/stderr' && grep -q ': 0 new, 0 updated, 1 unchanged' '$TMP/stdout'"
run --db "$TMP/s22.db" events --from 20261101T000000Z --to 20261215T000000Z --json
n10=$(grep -o '"start": "2026[0-9-]*T10:00' "$TMP/stdout" | wc -l)
n14=$(grep -o '"start": "2026[0-9-]*T14:00' "$TMP/stdout" | wc -l)
check "... its occurrences are the stored version's over the new window (7 at 10:00: $n10; at 14:00: $n14)" \
	[ "$n10" -eq 7 ] && [ "$n14" -eq 0 ]

# A UID with a control character (RFC 5545 3.1) could not be written back to
# the practitioner as it came: an error at the UID's line, exit 65 (the
# folded continuation keeps the line number of the UID's first line)
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:\bab\r\n 0100\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261124T100000Z\r\nDTEND:20261124T110000Z\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >"$TMP/uid-ctl.ics"
run --db "$TMP/uid-ctl.db" import "$TMP/uid-ctl.ics"
check "a UID with a control character: exit 65 (got $rc), named at its line" \
	sh -c "[ $rc -eq 65 ] && grep -q 'uid-ctl.ics:5:1: error: control character 0x08' '$TMP/stderr'"
run --db "$TMP/uid-ctl.db" import --keep-going "$TMP/uid-ctl.ics"
check "... with --keep-going its event is skipped (got $rc)" \
	sh -c "[ $rc -eq 65 ] && grep -q ': 0 new, .* 1 skipped' '$TMP/stdout'"

done_testing
