#!/bin/sh
# t-privacy.sh: diagnostics carry ids, never names or free text from feeds.
# Every command runs on every example family (each given a display name for
# the person and for every practitioner, and with -v so that notes show
# too); everything they write to stderr is searched for those names and for
# every SUMMARY, DESCRIPTION and LOCATION in the families' feeds. Also: the
# store, its -wal and -shm are 0600, and a store others can read is refused.
# Usage: t-privacy.sh DOVETAIL
. "$(dirname "$0")/lib.sh"
cd "$SRCDIR" || exit 1
py=/usr/bin/python3
: >"$TMP/all.err"
: >"$TMP/all.out"
for fam in cp autism dementia; do
	d=$TMP/$fam
	cp -r "examples/family-$fam" "$d"
	$py - "$d/profile.yaml" "$fam" <<'PY'
import sys, yaml
p = yaml.safe_load(open(sys.argv[1]))
p["person"]["display_name"] = "Quentin Zebedee-Private"
for i, x in enumerate(p["practitioners"]):
    x["display_name"] = "Practitioner Secretname%d" % i
yaml.safe_dump(p, open(sys.argv[1], "w"), sort_keys=False)
PY
	prof=$d/profile.yaml
	db=$d/s.db
	for f in "$d"/feeds/*.ics; do
		run -v --db "$db" import "$f"
		cat "$TMP/stderr" >>"$TMP/all.err"
	done
	for cmd in "check $prof" "check --json $prof" "week $prof" "week --json $prof" \
		"propose --json $prof" "propose --baseline $prof" "history" "history --json"; do
		# shellcheck disable=SC2086
		run -v --db "$db" $cmd
		cat "$TMP/stderr" >>"$TMP/all.err"
	done
	run --db "$db" propose --json -k 1 --no-ladder "$prof"
	id=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["proposals"][0]["id"])' "$TMP/stdout")
	for cmd in "reject $id 1 --by kw --note private-note-text" "accept $id --by kw" "accept $id 99 --by kw" \
		"export $prof --calendar $d/f.ics --routines --itip $d/itip --eml" "send $prof --dry-run" "events --json" \
		"expand $d/feeds/$(ls "$d/feeds" | head -1)"; do
		# shellcheck disable=SC2086
		run -v --db "$db" $cmd
		cat "$TMP/stderr" >>"$TMP/all.err"
		cat "$TMP/stdout" >>"$TMP/all.out"
	done
	run -v --db "$db" report "$prof" --html "$d/report.html"
	cat "$TMP/stderr" >>"$TMP/all.err"
	run --db "$db" report "$prof" --html "$d/report-names.html" --names
	check "$fam: report --names shows the person's display name (the control)" \
		grep -q "Quentin Zebedee-Private" "$d/report-names.html"
	check "$fam: the report is 0600" [ "$(mode "$d/report.html")" = 600 ]
	check "$fam: the store is 0600" [ "$(mode "$db")" = 600 ]
	for x in "$db-wal" "$db-shm"; do
		[ -e "$x" ] && check "$fam: $(basename "$x") is 0600" [ "$(mode "$x")" = 600 ]
	done
done
check "the commands wrote diagnostics to search ($(wc -l <"$TMP/all.err") lines)" [ -s "$TMP/all.err" ]
$py - "$TMP" "$TMP/all.err" <<'PY'
import glob, sys, icalendar
tmp, err = sys.argv[1], open(sys.argv[2], encoding="utf-8", errors="replace").read()
secrets = {"Quentin Zebedee-Private", "private-note-text"}
secrets |= {"Practitioner Secretname%d" % i for i in range(10)}
places = set()   # a LOCATION may be a venue's own name (see the reports below)
for f in glob.glob(tmp + "/*/feeds/*.ics"):
    try:
        cal = icalendar.Calendar.from_ical(open(f, "rb").read())
    except Exception:
        continue
    for e in cal.walk("VEVENT"):
        places.add(str(e.get("LOCATION", "")).strip())
        for k in ("SUMMARY", "DESCRIPTION", "LOCATION"):
            v = str(e.get(k, "")).strip()
            if len(v) >= 6:
                secrets.add(v)
found = sorted(s for s in secrets if s in err)
# the control: the same search finds the feed texts where they belong (stdout
# of `events` and `expand`, which list them on purpose)
out = open(tmp + "/all.out", encoding="utf-8", errors="replace").read()
seen = sum(1 for s in secrets if s in out)
print("# control: %d of them found in the commands' stdout" % seen)
if seen < 10:
    sys.exit(2)
print("# %d names and feed texts searched for" % len(secrets))
for s in found:
    print("# FOUND in stderr: %r" % s[:80])
# the reports (without --names): no display name, and no text from a feed
# but places and the profile's own words (a venue called "Clinic" in the
# profile is the family's vocabulary)
bad = 0
for r in glob.glob(tmp + "/*/report.html"):
    page = open(r, encoding="utf-8").read()
    own = open(r.replace("report.html", "profile.yaml"), encoding="utf-8").read()
    for s in sorted(secrets - places - {"private-note-text"}):
        if s in page and (s not in own or "display_name" in own.split(s)[0].splitlines()[-1]):
            print("# FOUND in %s: %r" % (r[len(tmp):], s[:80]))
            bad = 1
sys.exit(1 if found or bad else 0)
PY
check "no display name, note or feed text (SUMMARY, DESCRIPTION, LOCATION) in any stderr, nor a display name or feed text in a report without --names" [ $? -eq 0 ]

# control characters in calendar text are escaped before they reach a terminal
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:esc@test\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261124T100000Z\r\nDTEND:20261124T110000Z\r\nSUMMARY:Visit \033]0;pwned\007 \033[2J now\r\nLOCATION:Room \033[31mred\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >"$TMP/esc.ics"
run --db "$TMP/esc.db" import "$TMP/esc.ics"
run --db "$TMP/esc.db" events --from 20261123T000000Z --to 20261130T000000Z
check "events: a SUMMARY with terminal escapes is shown" grep -q 'Visit' "$TMP/stdout"
check "... with no raw control character" sh -c "! LC_ALL=C grep -q \"\$(printf '[\\033\\007]')\" '$TMP/stdout'"
check "... but escaped (\\x1b)" grep -q 'x1b' "$TMP/stdout"
run --db "$TMP/esc.db" expand "$TMP/esc.ics" --from 20261123T000000Z --to 20261130T000000Z
check "expand: no raw control character either" sh -c "! LC_ALL=C grep -q \"\$(printf '[\\033\\007]')\" '$TMP/stdout'"

# a TZID is a feed's own text: shown when shaped like a zone name, never
# when it is free text (a name, a clinic)
tzfeed() {
	printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:tz@test\r\nDTSTAMP:20261101T000000Z\r\n'
	printf 'DTSTART;TZID=%s:20261124T100000\r\nDTEND;TZID=%s:20261124T110000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' "$1" "$1"
}
tzfeed "Jane Doe HIV clinic" >"$TMP/tz1.ics"
run --db "$TMP/tz.db" import --feed tz1 "$TMP/tz1.ics"
check "an unknown TZID of free text: warned, at its line" grep -q "tz1.ics:7:1: warning: TZID (not shown" "$TMP/stderr"
check "... without its text" sh -c "! grep -q 'Jane' '$TMP/stderr'"
tzfeed "Europe/Londn" >"$TMP/tz2.ics"
run --db "$TMP/tz.db" import --feed tz2 "$TMP/tz2.ics"
check "an unknown TZID shaped like a zone name (a typo) is named, to help fix the feed" \
	grep -q "warning: TZID Europe/Londn resolves to no time zone" "$TMP/stderr"

# secure_delete: an event a feed no longer has leaves no trace in the file
ev() { printf 'BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:%s\r\nEND:VEVENT\r\n' "$@"; }
{ printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n'
  ev a@t 20261124T100000Z 20261124T110000Z "Secret summary to be deleted"
  ev b@t 20261125T100000Z 20261125T110000Z kept
  printf 'END:VCALENDAR\r\n'; } >"$TMP/sd.ics"
run --db "$TMP/sd.db" import --feed sd "$TMP/sd.ics"
check "secure_delete control: the text is in the file while the event is" \
	grep -q "Secret summary to be deleted" "$TMP/sd.db"
{ printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n'
  ev b@t 20261125T100000Z 20261125T110000Z kept
  printf 'END:VCALENDAR\r\n'; } >"$TMP/sd.ics"
run --db "$TMP/sd.db" import --feed sd "$TMP/sd.ics"
check "secure_delete: once the feed drops the event, its text is gone from the file (and no -wal is left)" \
	sh -c "! grep -q 'Secret summary to be deleted' '$TMP/sd.db' && [ ! -s '$TMP/sd.db-wal' ]"

# a store that others can read is refused, and left as it is
cp "$TMP/cp/s.db" "$TMP/open.db"
chmod 644 "$TMP/open.db"
run --db "$TMP/open.db" history
check "a store others can read: refused (exit 74)" [ "$rc" -eq 74 ]
check "... saying so" grep -q "can be read by others" "$TMP/stderr"
check "... and left at 0644 (not silently changed)" [ "$(mode "$TMP/open.db")" = 644 ]
chmod 620 "$TMP/open.db"
run --db "$TMP/open.db" history
check "a store the group can write: refused (exit 74)" [ "$rc" -eq 74 ]
check "... saying what others can do (change, not read)" grep -q "can be changed by others (mode 0620)" "$TMP/stderr"
done_testing
