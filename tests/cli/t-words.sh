#!/bin/sh
# t-words.sh: whose words go where (docs/export.md, "Words"). The family's
# calendar carries each practitioner's role plus the event's own title and
# instructions ("Please arrive 10 minutes early"), except for a practitioner
# whose feeds the profile marks `private` (the role only); a joint session
# is one event there, not two. A practitioner's iTIP copy keeps their own
# SUMMARY, DESCRIPTION and LOCATION and adds only what changed (checked for
# every file by tests/cli/itip_check.py in t-itip.sh). examples/family-cp,
# with the proposal that has a joint session accepted.
# Usage: t-words.sh DOVETAIL
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
cp -r "$SRCDIR/examples/family-cp" "$TMP/f"
cd "$TMP/f" || exit 1
db=$TMP/w.db
run --db "$db" propose --json -k 3 profile.yaml
p=$($py -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(next(p["id"] for p in d["proposals"] if any("joint" in c["kind"] for c in p["changes"])))' "$TMP/stdout")
check "a proposal with a joint session ($p)" [ -n "$p" ]
run --db "$db" accept "$p" --by keyworker
check "accept it: exit 0" [ "$rc" -eq 0 ]
run --db "$db" export profile.yaml --calendar "$TMP/family.ics"
check "export --calendar: exit 0" [ "$rc" -eq 0 ]
run --db "$db" week --json profile.yaml
cp "$TMP/stdout" "$TMP/week.json"
# words: (role, feed SUMMARY, feed DESCRIPTION) of each practitioner's events
cat >"$TMP/words.py" <<'PY'
import glob, json, sys, yaml, icalendar
fam, cal_path, week_path, private = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
prof = yaml.safe_load(open(fam + "/profile.yaml"))
role = {p["id"]: p["role"] for p in prof["practitioners"]}
feedwords = {}
for p in prof["practitioners"]:
    for f in p.get("feeds", []):
        for e in icalendar.Calendar.from_ical(open(fam + "/" + f, "rb").read()).walk("VEVENT"):
            feedwords[str(e["UID"])] = (p["id"], str(e.get("SUMMARY", "")), str(e.get("DESCRIPTION", "")))
cal = icalendar.Calendar.from_ical(open(cal_path, "rb").read())
evs = [e for e in cal.walk("VEVENT")]
week = json.load(open(week_path))
n_appts = sum(len(d["appointments"]) for d in week["days"])
bad = []
cats = lambda e: [str(c) for c in e.get("CATEGORIES").cats]
joint = [e for e in evs if len(cats(e)) > 1]
if not joint:
    bad.append("no joint session drawn as one event")
for e in joint:
    if " and " not in str(e["SUMMARY"]):
        bad.append("a joint event's SUMMARY does not name both: %r" % str(e["SUMMARY"]))
if len(evs) != n_appts - sum(len(cats(e)) - 1 for e in joint):
    bad.append("%d events for %d appointments and %d joint sessions" % (len(evs), n_appts, len(joint)))
seen_desc = seen_title = 0
for e in evs:
    s, d = str(e["SUMMARY"]), str(e.get("DESCRIPTION", ""))
    for pid in cats(e):
        mine = [w for w in feedwords.values() if w[0] == pid]
        if not s.startswith(role[cats(e)[0]]):
            bad.append("SUMMARY %r does not start with the role" % s)
        if pid == private:
            if any(w[1] and w[1] in s for w in mine) or any(w[2] and w[2] in d for w in mine):
                bad.append("the private practitioner %s's words are in the family's calendar" % pid)
        else:
            seen_title += any(w[1] and (role[pid] + ": " + w[1]) in s for w in mine)
            seen_desc += any(w[2] and w[2] in d for w in mine)
if not seen_title:
    bad.append("no event carries its own title")
if not seen_desc:
    bad.append("no event carries its own instructions")
for b in bad:
    print("# " + b)
print("# %d events, %d joint, %d with their own title, %d with their instructions" % (len(evs), len(joint), seen_title, seen_desc))
sys.exit(1 if bad else 0)
PY
$py "$TMP/words.py" "$TMP/f" "$TMP/family.ics" "$TMP/week.json" - >"$TMP/words.log" 2>&1
check "the family's calendar: role plus the event's own title and instructions, a joint session one event" [ $? -eq 0 ]
diag <"$TMP/words.log"
# the paediatrician's feeds private: the role only
$py -c 'import sys, yaml
p = yaml.safe_load(open(sys.argv[1]))
next(x for x in p["practitioners"] if x["id"] == "paed")["private"] = True
yaml.safe_dump(p, open(sys.argv[1], "w"), sort_keys=False)' profile.yaml
run --db "$db" export profile.yaml --calendar "$TMP/family2.ics"
check "export with paed private: exit 0" [ "$rc" -eq 0 ]
$py "$TMP/words.py" "$TMP/f" "$TMP/family2.ics" "$TMP/week.json" paed >"$TMP/words2.log" 2>&1
check "... paed's events carry only the role; the others still their own words" [ $? -eq 0 ]
diag <"$TMP/words2.log"
check "... and paed's instruction to bring the red book is gone" $py -c 'import sys, icalendar
has = lambda f: any("red book" in str(e.get("DESCRIPTION", "")) for e in icalendar.Calendar.from_ical(open(f, "rb").read()).walk("VEVENT"))
sys.exit(0 if has(sys.argv[1]) and not has(sys.argv[2]) else 1)' "$TMP/family.ics" "$TMP/family2.ics"
done_testing
