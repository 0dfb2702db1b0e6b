#!/bin/sh
# t-roundtrip.sh: the round trip as practitioners' calendars make it, on
# every example. Propose, accept proposal 1, export the iTIP requests; each
# practitioner's calendar then stores the organizer's copy of each event in
# place of its own (as a calendar does on "accept": the copy carries none of
# the CATEGORIES, ATTENDEE or SUMMARY the profile's match rule looked for);
# re-import. The week must equal the agreed plan, with nothing left to send
# (docs/profile.md, "Feeds": an appointment with a decision stays matched by
# UID and RECURRENCE-ID).
# Usage: t-roundtrip.sh DOVETAIL
. "$(dirname "$0")/lib.sh"
cd "$SRCDIR" || exit 1
py=/usr/bin/python3
if ! $py -c 'import icalendar, yaml' 2>/dev/null; then
	echo "1..0 # SKIP python3-icalendar or python3-yaml is missing"
	exit 77
fi

for fam in family-cp family-autism family-dementia family-shared-feeds; do
	d=$TMP/$fam
	cp -r "examples/$fam" "$d"
	prof=$d/profile.yaml
	db=$d/store.db
	run --db "$db" propose --json -k 1 --no-ladder "$prof"
	check "$fam: propose exits 0" [ "$rc" -eq 0 ]
	id=$($py -c 'import json, sys; print(json.load(open(sys.argv[1]))["proposals"][0]["id"])' "$TMP/stdout")
	n=$($py -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["proposals"][0]["changes"]))' "$TMP/stdout")
	check "$fam: proposal 1 changes something ($n)" [ "${n:-0}" -gt 0 ]
	run --db "$db" accept "$id" --by keyworker
	check "$fam: accept $id" [ "$rc" -eq 0 ]
	run --db "$db" week --json "$prof"
	cp "$TMP/stdout" "$d/agreed.json"
	run --db "$db" export "$prof" --itip "$d/req"
	check "$fam: export --itip" [ "$rc" -eq 0 ]
	# each calendar stores the organizer's copy in place of its own
	$py - "$d" "$d/req" <<'PY'
import glob, os, re, sys
import icalendar, yaml
fam, req = sys.argv[1], sys.argv[2]
prof = yaml.safe_load(open(os.path.join(fam, "profile.yaml")))
pracs = {p["id"]: p for p in prof["practitioners"]}
n = 0
for path in sorted(glob.glob(os.path.join(req, "*.ics"))):
    name = os.path.basename(path)[:-4]
    pid = name if name in pracs else re.sub(r"\+\d+$", "", name)
    msg = icalendar.Calendar.from_ical(open(path, "rb").read())
    assert str(msg["METHOD"]) == "REQUEST"
    for ev in msg.walk("VEVENT"):
        uid = str(ev["UID"])
        rid = ev["RECURRENCE-ID"].dt if ev.get("RECURRENCE-ID") else None
        for f in pracs[pid]["feeds"]:
            fp = os.path.join(fam, f)
            cal = icalendar.Calendar.from_ical(open(fp, "rb").read())
            if not any(str(e["UID"]) == uid for e in cal.walk("VEVENT")):
                continue
            # drop the attendee's copy of this event (or of this occurrence)
            keep = []
            for c in cal.subcomponents:
                if c.name == "VEVENT" and str(c["UID"]) == uid:
                    r = c.get("RECURRENCE-ID")
                    if (r is None and rid is None) or (r is not None and rid is not None and r.dt == rid):
                        continue
                keep.append(c)
            cal.subcomponents[:] = keep
            copy = icalendar.Event()
            for k, v in ev.items():
                copy.add(k, v) if k != "RECURRENCE-ID" else None
            if rid is not None:
                copy["RECURRENCE-ID"] = ev["RECURRENCE-ID"]
            cal.add_component(copy)
            if not any(str(t["TZID"]) == "Europe/London" for t in cal.walk("VTIMEZONE")):
                cal.subcomponents.insert(0, msg.walk("VTIMEZONE")[0])
            open(fp, "wb").write(cal.to_ical())
            n += 1
            break
        else:
            raise SystemExit("%s: UID %s is in none of %s's feeds" % (path, uid, pid))
print("# %d organizer's copies stored" % n)
PY
	check "$fam: each request stored as the organizer's copy" [ $? -eq 0 ]
	# a read-only verb reads the changed feeds again only when asked
	run --db "$db" week --refresh --json "$prof"
	cp "$TMP/stdout" "$d/after.json"
	$py - "$d/agreed.json" "$d/after.json" <<'PY'
import json, sys
def appts(p):
    w = json.load(open(p))
    return sorted((a["practitioner"], a["uid"], a.get("recurrence_id") or "", a["start"], a["end"], a["venue"])
                  for d in w["days"] for a in d["appointments"])
a, b = appts(sys.argv[1]), appts(sys.argv[2])
assert a == b, [x for x in a if x not in b] + ["->"] + [x for x in b if x not in a]
print("# %d appointments, the agreed week" % len(a))
PY
	check "$fam: the re-imported feeds give exactly the agreed week" [ $? -eq 0 ]
	run --db "$db" export "$prof" --itip "$d/req-after"
	check "$fam: nothing is left to send" grep -q "^no changed appointments" "$TMP/stdout"
	run --db "$db" check "$prof"
	check "$fam: check reads the feeds (exit 0 or 1)" [ "$rc" -le 1 ]
done
done_testing
