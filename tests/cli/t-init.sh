#!/bin/sh
# t-init.sh: `dovetail init` drafts a profile from a family's feeds. On every
# example: the draft loads as it is (check runs on it), and `match` with it
# catches exactly the appointments the hand-written profile catches this
# week (the figure is printed). The draft never carries an event's text.
# Bad input: a missing feed (66, named), an invalid one (65 at FILE:LINE:COL, no draft),
# a bad --tz or --person, no feed (64), more feeds than the bound (65).
# Usage: t-init.sh DOVETAIL
. "$(dirname "$0")/lib.sh"
cd "$SRCDIR" || exit 1
for dir in examples/*/; do
	fam=$(basename "$dir")
	d=$TMP/$fam
	cp -r "$dir" "$d"
	pid=$(sed -n 's/^  id: *//p' "$d/profile.yaml" | head -1)
	# the practitioners' and the family's feeds; a carer's own calendar is not drafted
	feeds=$(/usr/bin/python3 -c 'import sys, yaml
p = yaml.safe_load(open(sys.argv[1]))
own = {f for c in p.get("carers") or [] for f in c["feeds"]}
print(" ".join(sorted(({f for q in p["practitioners"] for f in q.get("feeds") or []} |
                      set((p.get("family") or {}).get("feeds") or [])) - own)))' "$d/profile.yaml")
	(cd "$d" && "$DOVETAIL" init --person "$pid" --tz Europe/London $feeds >draft.yaml 2>"$TMP/err")
	check "$fam: init exits 0" [ $? -eq 0 ]
	run --db "$d/draft.db" check "$d/draft.yaml"
	check "$fam: the draft loads as it is (check: exit $rc)" [ "$rc" -le 1 ]
	run --db "$d/draft.db" match --json "$d/draft.yaml"
	cp "$TMP/stdout" "$d/draft.json"
	run --db "$d/hand.db" match --json "$d/profile.yaml"
	cp "$TMP/stdout" "$d/hand.json"
	python3 - "$d/draft.json" "$d/hand.json" "$fam" <<'PY'
import json, sys
d, h = (json.load(open(p)) for p in sys.argv[1:3])
key = lambda m: {(c["uid"], c["recurrence_id"], c["start"]) for p in m["practitioners"] for c in p["caught"]}
a, b = key(d), key(h)
print("# %s: the draft's rules catch %d of the %d appointments the hand-written profile catches, %d more" %
      (sys.argv[3], len(a & b), len(b), len(a - b)))
assert a == b, (sorted(b - a), sorted(a - b))
PY
	check "$fam: match with the draft catches the hand-written profile's appointments" [ $? -eq 0 ]
	# the draft's comments list what was found, never an event's SUMMARY or DESCRIPTION
	/usr/bin/python3 - "$d" <<'PY'
import glob, os, sys
import icalendar
d = sys.argv[1]
draft = open(os.path.join(d, "draft.yaml")).read()
for f in glob.glob(os.path.join(d, "feeds", "*.ics")):
    for e in icalendar.Calendar.from_ical(open(f, "rb").read()).walk("VEVENT"):
        for k in ("SUMMARY", "DESCRIPTION"):
            v = str(e.get(k, "")).strip()
            assert len(v) < 8 or v not in draft, (k, v[:30])
PY
	check "$fam: no event's SUMMARY or DESCRIPTION in the draft" [ $? -eq 0 ]
done
# bad input
run init --person P-1 --tz Europe/London "$TMP/no-such.ics"
check "a missing feed: exit 66" [ "$rc" -eq 66 ]
check "... naming it" grep -q "no-such.ics" "$TMP/stderr"
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:2026BAD\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >"$TMP/bad.ics"
run init --person P-1 --tz Europe/London "$TMP/bad.ics"
check "an invalid feed: exit 65" [ "$rc" -eq 65 ]
check "... the error at FILE:LINE:COL" grep -q "bad.ics:5:[0-9]*: error" "$TMP/stderr"
check "... and no draft" [ ! -s "$TMP/stdout" ]
run init --person P-1 --tz Mars/Olympus examples/family-cp/feeds/physio.ics
check "an unknown --tz: exit 64" [ "$rc" -eq 64 ]
run init --person 'P 1' --tz Europe/London examples/family-cp/feeds/physio.ics
check "a --person with a space: exit 64" [ "$rc" -eq 64 ]
run init --person P-1 --tz Europe/London
check "no feed: exit 64" [ "$rc" -eq 64 ]
mkdir -p "$TMP/many"
for i in $(seq 1 65); do printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n' >"$TMP/many/f$i.ics"; done
run init --person P-1 --tz Europe/London "$TMP"/many/*.ics
check "65 feeds, past the bound of 64: exit 65, naming the bound, no draft" \
	sh -c "[ $rc -eq 65 ] && grep -q 'limit of 64 feeds' '$TMP/stderr' && [ ! -s '$TMP/stdout' ]"
done_testing
