#!/bin/sh
# t-itip.sh: `dovetail export --itip` on every example family: an iTIP
# METHOD:REQUEST file per practitioner (or COUNTER with --counter) and an
# iMIP mail with --eml. Each family is given a display name that must never
# reach a practitioner; an agreed proposal with changes is accepted; then
# every file is checked by tests/cli/itip_check.py (RFC 5546 properties and
# privacy, python3-icalendar), parsed by ical.js and imported into khal.
# A planted leak must be caught (the privacy check can fail), and bad
# input leaves the files and the store as they were.
# Usage: t-itip.sh DOVETAIL [BUILDDIR]  (ical.js: $ICALJS, else
# BUILDDIR/node_modules/ical.js/dist/ical.js, as tools/run-tests installs it)
. "$(dirname "$0")/lib.sh"
BUILDDIR=${2:-}
cd "$SRCDIR" || exit 1
py=/usr/bin/python3
chk=$SRCDIR/tests/cli/itip_check.py
now=$DOVETAIL_NOW
if [ -z "${ICALJS:-}" ] && [ -n "$BUILDDIR" ]; then
	ICALJS=$BUILDDIR/node_modules/ical.js/dist/ical.js
fi
have_icaljs=0
[ -n "${ICALJS:-}" ] && [ -f "$ICALJS" ] && command -v node >/dev/null 2>&1 && have_icaljs=1
[ "$have_icaljs" = 1 ] || not_ok "ical.js is there (set ICALJS or run tools/run-tests, which installs it)"
command -v khal >/dev/null 2>&1 || not_ok "khal is there (tools/run-tests installs it)"

# profile_edit FILE PYTHON: change a profile through its YAML (PyYAML)
# khal_import FILE: import into a throwaway khal configuration; true when
# khal stored every VEVENT of the file
khal_import() {
	k=$TMP/khal.$$
	rm -rf "$k"
	mkdir -p "$k/cal"
	printf '[calendars]\n[[c]]\npath = %s\ntype = calendar\n[locale]\nlocal_timezone = Europe/London\ndefault_timezone = Europe/London\n' \
		"$k/cal" >"$k/conf"
	XDG_DATA_HOME=$k/data khal -c "$k/conf" import --batch -a c "$1" >"$k/out" 2>&1 &&
		[ "$(ls "$k/cal" | wc -l)" -ge 1 ] &&
		[ "$(grep -c '^BEGIN:VEVENT' "$1")" -ge 1 ]
}

files=0
for fam in cp autism dementia; do
	d=$TMP/$fam
	cp -r "examples/family-$fam" "$d"
	prof=$d/profile.yaml
	db=$d/store.db
	profile_edit "$prof" 'p["person"]["display_name"] = "Zebedee Quixote-Testchild"'
	run --db "$db" propose --json -k 3 "$prof"
	cp "$TMP/stdout" "$d/p.json"
	# the first proposal that changes something (autism's optimum changes nothing)
	id=$($py -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(next(x["id"] for x in d["proposals"] + d.get("ladder", []) if x["changes"]))' "$d/p.json")
	run --db "$db" accept "$id" --by keyworker
	check "$fam: accept $id" [ "$rc" -eq 0 ]
	run --db "$db" week --json "$prof"
	cp "$TMP/stdout" "$d/week.json"

	run --db "$db" export "$prof" --itip "$d/req" --eml
	check "$fam: export --itip --eml: exit 0" [ "$rc" -eq 0 ]
	check "$fam: says what it wrote" grep -q "^wrote TMP/$fam/req/.*\.ics and \.eml: REQUEST to " "$TMP/stdout"
	check "$fam: the folder is private (0700)" [ "$(mode "$d/req")" = 700 ]
	run --db "$db" export "$prof" --itip "$d/req2" --eml
	check "$fam: the same bytes again" diff -r "$d/req" "$d/req2"
	run --db "$db" export "$prof" --itip "$d/ctr" --counter --eml
	check "$fam: export --itip --counter: exit 0" [ "$rc" -eq 0 ]
	run --db "$db" export "$prof" --calendar "$d/family.ics" --routines
	check "$fam: export --calendar --routines: exit 0" [ "$rc" -eq 0 ]
	$py -c '
import sys, icalendar
c = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
assert str(c["METHOD"]) == "PUBLISH" and c.walk("VEVENT")' "$d/family.ics"
	check "$fam: python3-icalendar reads the family calendar" [ $? -eq 0 ]
	check "$fam: the family calendar has the display name (it holds everything)" \
		grep -q "Zebedee Quixote-Testchild" "$d/family.ics"

	$py "$chk" "$d" "$d/req" "$d/week.json" "$now" >"$d/req.txt" 2>&1
	check "$fam: REQUEST files: RFC 5546 properties, privacy, iMIP ($(tail -1 "$d/req.txt"))" [ $? -eq 0 ]
	grep FAIL "$d/req.txt" | diag
	$py "$chk" "$d" "$d/ctr" "$d/week.json" "$now" --counter >"$d/ctr.txt" 2>&1
	check "$fam: COUNTER files: RFC 5546 properties, privacy, iMIP ($(grep -c ' COUNTER ' "$d/ctr.txt") COUNTER)" [ $? -eq 0 ]
	grep FAIL "$d/ctr.txt" | diag
	check "$fam: something was sent" [ "$(ls "$d/req"/*.ics | wc -l)" -ge 1 ]

	for f in "$d/family.ics" "$d/req"/*.ics "$d/ctr"/*.ics; do
		files=$((files + 1))
		n=$(grep -c '^BEGIN:VEVENT' "$f")
		if [ "$have_icaljs" = 1 ]; then
			ICALJS=$ICALJS node "$SRCDIR/tests/cli/icaljs-read.mjs" "$f" >"$TMP/js.txt" 2>"$TMP/js.err" &&
				[ "$(wc -l <"$TMP/js.txt")" -eq "$n" ]
			check "$fam: ical.js reads $(basename "$(dirname "$f")")/$(basename "$f") ($n events)" [ $? -eq 0 ]
		fi
		if command -v khal >/dev/null 2>&1; then
			check "$fam: khal imports $(basename "$(dirname "$f")")/$(basename "$f")" khal_import "$f"
		fi
	done
done
check "$files files checked" [ "$files" -ge 12 ]

# ---- counter: at least one COUNTER, and only for events with an ORGANIZER
check "--counter wrote COUNTERs (salt in family-cp, gp in family-dementia)" \
	grep -q '^METHOD:COUNTER' "$TMP/cp/ctr/salt.ics" "$TMP/dementia/ctr/gp.ics"

# ---- the privacy check can fail: a planted leak is caught
d=$TMP/cp
cp -r "$d/req" "$d/leak"
rm "$d/leak"/*.eml   # the mail would no longer match the planted file
other=$($py -c '
import icalendar
c = icalendar.Calendar.from_ical(open("'"$d"'/feeds/qtvi.ics", "rb").read())
print(next(str(e["UID"]) for e in c.walk("VEVENT")))')
$py - "$d/leak/dietitian.ics" "$other" <<'PY'
import sys
p, uid = sys.argv[1], sys.argv[2]
s = open(p, "rb").read().replace(b"END:VEVENT", b"X-NOTE:" + uid.encode() + b"\r\nEND:VEVENT", 1)
open(p, "wb").write(s)
PY
! $py "$chk" "$d" "$d/leak" "$d/week.json" "$now" >"$TMP/leak.txt" 2>&1 &&
	grep -q "holds qtvi's UID" "$TMP/leak.txt"
check "a planted UID of another practitioner is caught" [ $? -eq 0 ]
cp -r "$d/req" "$d/leak2"
rm "$d/leak2"/*.eml
sed -i '0,/^END:VEVENT/s/^END:VEVENT/X-NOTE:for Zebedee Quixote-Testchild\r\nEND:VEVENT/' "$d/leak2/dietitian.ics"
! $py "$chk" "$d" "$d/leak2" "$d/week.json" "$now" >"$TMP/leak.txt" 2>&1 &&
	grep -q "display name is there" "$TMP/leak.txt"
check "a planted display name is caught" [ $? -eq 0 ]

# ---- the display name goes only where the profile allows it
profile_edit "$d/profile.yaml" 'next(x for x in p["practitioners"] if x["id"] == "dietitian")["share_display_name"] = True'
run --db "$d/store.db" export "$d/profile.yaml" --itip "$d/shared" --eml
$py "$chk" "$d" "$d/shared" "$d/week.json" "$now" --shared dietitian >"$TMP/shared.txt" 2>&1
check "share_display_name: in dietitian's file only" [ $? -eq 0 ]
grep FAIL "$TMP/shared.txt" | diag

# ---- bad input: nothing written, the store unchanged
db=$d/store.db
prof=$d/profile.yaml
dump() { sqlite3 "$db" .dump | grep -v '^INSERT INTO feed\b' ; }
dump >"$TMP/before.sql"
: >"$TMP/afile"
run --db "$db" export "$prof" --itip "$TMP/afile/out"
check "an --itip folder that cannot be made: exit 73" [ "$rc" -eq 73 ]
check "... naming it" grep -q "cannot write TMP/afile/out" "$TMP/stderr"
# a folder dovetail did not write is not replaced (it would be, whole)
mkdir -p "$d/busy"
printf 'old\n' >"$d/busy/physio.ics"
run --db "$db" export "$prof" --itip "$d/busy" --calendar "$d/busy/family.ics"
check "a folder with files dovetail did not write: exit 73" [ "$rc" -eq 73 ]
check "... naming it" grep -q "refusing the folder TMP/cp/busy: it holds files that dovetail did not write" "$TMP/stderr"
check "... and no file was changed" [ "$(cat "$d/busy/physio.ics")" = old ]
check "... or written" [ ! -e "$d/busy/family.ics" ]
check "... and no temporary file is left" [ "$(ls -A "$d" | grep -c 'tmp-')" -eq 0 ] && [ "$(ls -A "$d/busy" | wc -l)" -eq 1 ]
mkdir -p "$d/busy2/family.ics"
run --db "$db" export "$prof" --itip "$d/req3" --calendar "$d/busy2/family.ics"
check "a calendar that cannot be written: exit 73" [ "$rc" -eq 73 ]
check "... naming it" grep -q "cannot write TMP/cp/busy2/family.ics: it exists and is not a regular file" "$TMP/stderr"
check "... and the --itip folder was not made" [ ! -e "$d/req3" ]
# an output never replaces an input of the same run: the store, the profile, a feed
cp "$db" "$TMP/keep.db"
run --db "$db" export "$prof" --calendar "$db"
check "--calendar naming the store: exit 73" [ "$rc" -eq 73 ]
check "... naming it, why" grep -q "it is a file this run reads or keeps (the store, the profile, a feed)" "$TMP/stderr"
run --db "$db" history
check "... and the store is whole (history still reads it)" [ "$rc" -eq 0 ]
cp "$prof" "$TMP/prof.keep"
run --db "$db" report "$prof" --html "$prof"
check "report --html naming the profile: exit 73, the profile unchanged" \
	sh -c "[ $rc -eq 73 ] && cmp -s '$prof' '$TMP/prof.keep'"
feed=$(ls "$(dirname "$prof")"/feeds/*.ics | head -1)
cp "$feed" "$TMP/feed.keep"
run --db "$db" propose "$prof" -k 1 --no-ladder --write-lp "$feed"
check "propose --write-lp naming a feed: exit 73, the feed unchanged" \
	sh -c "[ $rc -eq 73 ] && cmp -s '$feed' '$TMP/feed.keep'"
# a calendar inside DIR goes into the folder with the messages
run --db "$db" export "$prof" --itip "$d/both" --calendar "$d/both/family.ics"
check "--calendar inside --itip DIR: exit 0 (got $rc)" [ "$rc" -eq 0 ]
check "... both there" [ -f "$d/both/family.ics" ] && [ -f "$d/both/salt.ics" ]
run --db "$db" export "$prof" --itip "$d/both" --calendar "$d/both/family.ics"
check "... and again (DIR replaced whole, with the calendar)" [ "$rc" -eq 0 ] && [ -f "$d/both/family.ics" ]

# ---- an existing --itip folder is checked before it is used (issue 19, item 9)
for kind in link world other; do
	t=$d/unsafe-$kind
	case $kind in
	link) mkdir -p "$d/elsewhere"; ln -s "$d/elsewhere" "$t"; why="it is a symbolic link" ;;
	world) mkdir -p "$t"; chmod 777 "$t"; why="group or others can write to it (mode 0777)" ;;
	other) mkdir -p "$t"; chown 65534 "$t" 2>/dev/null; why="it belongs to another user" ;;
	esac
	if [ "$kind" = other ] && [ "$(stat -c %u "$t")" = "$(id -u)" ]; then
		ok "# SKIP a folder of another user (not root: cannot make one)"
		continue
	fi
	run --db "$db" export "$prof" --itip "$t" --eml
	check "--itip DIR that is $kind: exit 73 (got $rc)" [ "$rc" -eq 73 ]
	check "... saying why" grep -q "refusing the folder TMP/cp/unsafe-$kind: $why" "$TMP/stderr"
	check "... and nothing written in it" [ -z "$(ls -A "$t/")" ]
done

# ---- a file name per message that no other message can have (issue 19, item 4):
# gp has two changed events (gp.ics, gp+2.ics), and a practitioner named gp-2
# has one: with PRAC-2 names one of them was lost
cp -r examples/family-dementia "$TMP/collide"
profile_edit "$TMP/collide/profile.yaml" 'next(x for x in p["practitioners"] if x["id"] == "district-nurse")["id"] = "gp-2"
for x in p["practitioners"]:
    if "joint_with" in x: x["joint_with"] = ["gp-2" if j == "district-nurse" else j for j in x["joint_with"]]'

(
	cd "$TMP/collide" || exit 1
	"$DOVETAIL" --db s.db propose --json -k 3 profile.yaml >p.json 2>/dev/null
	id=$($py -c '
import json
d = json.load(open("p.json"))
print(next(x["id"] for x in d["proposals"] + d.get("ladder", []) if x["changes"]))')
	"$DOVETAIL" --db s.db accept "$id" --by keyworker >/dev/null 2>&1
)
run --db "$TMP/collide/s.db" export "$TMP/collide/profile.yaml" --itip "$TMP/collide/req" --eml
check "practitioners gp (two messages) and gp-2: exit 0 (got $rc)" [ "$rc" -eq 0 ]
said=$(grep -c '^wrote ' "$TMP/stdout")
names=$(grep '^wrote ' "$TMP/stdout" | cut -d' ' -f2 | sort -u | wc -l)
n_ics=$(ls "$TMP/collide/req"/*.ics | wc -l)
check "... a file of its own for every message ($said messages, $names names, $n_ics .ics)" \
	sh -c "[ $said -ge 5 ] && [ $names = $said ] && [ $n_ics = $said ]"
check "... gp's second is gp+2.ics, gp-2's own is gp-2.ics" grep -q "^wrote TMP/collide/req/gp+2.ics and .eml: REQUEST to gp," "$TMP/stdout"
check "... and gp-2.ics is for gp-2" grep -q "^wrote TMP/collide/req/gp-2.ics and .eml: REQUEST to gp-2," "$TMP/stdout"
check "... and the mail in gp-2.eml goes to gp-2's address" grep -q "^To: district-nurse@norfolk-care.example" "$TMP/collide/req/gp-2.eml"

# ---- a feed's ORGANIZER is exactly one address, or nothing is addressed to it (item 5)
cp -r examples/family-cp "$TMP/org"
o=$TMP/org
# paediatrician's events name an ORGANIZER; give it a second recipient
sed -i 's#^ORGANIZER;CN=Paediatric Outpatients:mailto:paeds-opd@hospital.example#ORGANIZER;CN=Paediatric Outpatients:mailto:paeds-opd@hospital.example, spy@evil.example#' "$o/feeds/paediatrician.ics"
(
	cd "$o" || exit 1
	"$DOVETAIL" --db s.db propose --json -k 3 profile.yaml >p.json 2>/dev/null
	$py -c '
import json
d = json.load(open("p.json"))
for x in d["proposals"] + d.get("ladder", []):
    if any(c.get("practitioner") == "paed" for c in x["changes"]):
        print(x["id"]); break' >pid.txt
)
pid=$(cat "$o/pid.txt")
if [ -n "$pid" ]; then
	"$DOVETAIL" --db "$o/s.db" accept "$pid" --by keyworker >/dev/null 2>&1
	run --db "$o/s.db" export "$o/profile.yaml" --itip "$o/ctr" --counter --eml
	check "an ORGANIZER with two addresses, --counter: exit 65 (got $rc)" [ "$rc" -eq 65 ]
	check "... naming the practitioner" grep -q "practitioner paed: the ORGANIZER of a changed event is not one calendar address" "$TMP/stderr"
	check "... and no mail to the extra address" sh -c "! grep -rqs 'evil.example' '$o/ctr'"
	profile_edit "$o/profile.yaml" 'next(x for x in p["practitioners"] if x["id"] == "paed").pop("address", None)'
	run --db "$o/s.db" export "$o/profile.yaml" --itip "$o/req" --eml
	check "... and as the REQUEST's address (no address in the profile): exit 65 (got $rc)" [ "$rc" -eq 65 ]
	check "... and no mail to the extra address" sh -c "! grep -rqs 'evil.example' '$o/req'"
else
	not_ok "a proposal that moves a paediatrician appointment (none found)"
fi
dump >"$TMP/after.sql"
check "... and the store is unchanged" cmp -s "$TMP/before.sql" "$TMP/after.sql"

cp "$prof" "$d/nocoord.yaml"
profile_edit "$d/nocoord.yaml" 'del p["coordinator"]'
run --db "$db" export "$d/nocoord.yaml" --itip "$d/nc"
check "no coordinator: exit 65" [ "$rc" -eq 65 ]
check "... saying what is missing" grep -q "needs coordinator.address in the profile" "$TMP/stderr"
check "... and nothing written" [ ! -e "$d/nc" ]
cp "$prof" "$d/noaddr.yaml"
profile_edit "$d/noaddr.yaml" 'next(x for x in p["practitioners"] if x["id"] == "dietitian").pop("address")'
run --db "$db" export "$d/noaddr.yaml" --itip "$d/na"
check "a changed practitioner with no address and no ORGANIZER: exit 65" [ "$rc" -eq 65 ]
check "... naming the practitioner" grep -q "practitioner dietitian has a changed appointment but no address" "$TMP/stderr"
check "... and nothing written" [ ! -e "$d/na" ]
profile_edit "$d/noaddr.yaml" 'p["coordinator"]["address"] = "keyworker at council"'
run --db "$db" export "$d/noaddr.yaml" --itip "$d/na"
check "a malformed address: exit 65" [ "$rc" -eq 65 ]
check "... at its line and column" grep -q "noaddr.yaml:[0-9]*:[0-9]*: error: coordinator.address: a calendar address is mailto:" "$TMP/stderr"
run --db "$db" export "$prof" --counter
check "--counter without --itip: usage, 64" [ "$rc" -eq 64 ]
run --db "$db" export "$prof" --itip "$d/r" --routines
check "--routines without --calendar: usage, 64" [ "$rc" -eq 64 ]
done_testing
