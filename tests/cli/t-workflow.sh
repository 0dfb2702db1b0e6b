#!/bin/sh
# t-workflow.sh: the whole loop on a copy of family-cp, as a keyworker
# would run it: propose; reject one change and propose again (the rejected
# placement is never offered, nor any other move of that appointment);
# accept; export the family calendar and the practitioners' iTIP requests;
# re-import. The family calendar, imported into a fresh store, is exactly
# the agreed plan. Each practitioner applies their request to their own
# feed (as their calendar would on "accept"); importing those feeds gives
# the agreed week with no decision needed, and nothing is left to send.
# Usage: t-workflow.sh DOVETAIL
. "$(dirname "$0")/lib.sh"
cd "$SRCDIR" || exit 1
py=/usr/bin/python3
d=$TMP/cp
cp -r examples/family-cp "$d"
prof=$d/profile.yaml
db=$d/store.db

# 1. propose
run --db "$db" propose --json -k 3 "$prof"
# every appointment is in every plan: exit 0
check "1. propose: exit 0" [ "$rc" -eq 0 ]
cp "$TMP/stdout" "$d/p1.json"

# 2. reject one change, then propose again
set -- $($py -c '
import json, sys
c = json.load(open(sys.argv[1]))["proposals"][0]["changes"][0]
print(c["id"], c["practitioner"], c["uid"], c["recurrence_id"] or "-", c["to"]["start"], c["to"]["venue"] or "-")' "$d/p1.json")
change=$1 rprac=$2 ruid=$3 rrid=$4 rto=$5 rvenue=$6
run --db "$db" reject "${change%-*}" "${change##*-}" --by keyworker --note "not on that day"
check "2. reject $change: exit 0" [ "$rc" -eq 0 ]
run --db "$db" propose --json -k 3 "$prof"
check "2. propose again: exit 0" [ "$rc" -eq 0 ]
cp "$TMP/stdout" "$d/p2.json"
$py - "$d/p2.json" "$rprac" "$ruid" "$rrid" "$rto" "$rvenue" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
prac, uid, rid, to, venue = sys.argv[2:7]
rid = "" if rid == "-" else rid
venue = None if venue == "-" else venue
props = d["proposals"] + d.get("ladder", [])
assert props, "no proposals"
for x in props:
    for c in x["changes"]:
        same = (c["practitioner"], c["uid"], c["recurrence_id"] or "") == (prac, uid, rid)
        assert not (same and c["to"]["start"] == to and c["to"]["venue"] == venue), \
            ("the rejected placement is offered", x["id"])
print("# %d proposals and ladder steps, none offers it" % len(props))
PY
check "2. no proposal or ladder step offers the rejected placement (\"not this time\")" [ $? -eq 0 ]

# 3. accept the new optimum
id=$($py -c 'import json, sys; print(json.load(open(sys.argv[1]))["proposals"][0]["id"])' "$d/p2.json")
run --db "$db" accept "$id" --by keyworker
check "3. accept $id: exit 0" [ "$rc" -eq 0 ]
run --db "$db" week --json "$prof"
cp "$TMP/stdout" "$d/agreed.json"
$py - "$d/p2.json" "$d/agreed.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))["proposals"][0]
w = json.load(open(sys.argv[2]))
at = {(a["practitioner"], a["uid"], a.get("recurrence_id") or ""): a for d in w["days"] for a in d["appointments"]}
for c in p["changes"]:
    a = at[(c["practitioner"], c["uid"], c["recurrence_id"] or "")]
    assert (a["start"], a["venue"]) == (c["to"]["start"], c["to"]["venue"]), (a, c)
PY
check "3. the week now has every accepted change in place" [ $? -eq 0 ]

# 4. export: the family calendar and the practitioners' requests
run --db "$db" export "$prof" --calendar "$d/family.ics" --itip "$d/req"
check "4. export --calendar --itip: exit 0" [ "$rc" -eq 0 ]
n_req=$(ls "$d/req"/*.ics | wc -l)
check "4. requests for $n_req practitioners" [ "$n_req" -ge 1 ]

# 5a. re-import the family calendar into a fresh store: exactly the agreed plan
run --db "$d/family.db" import "$d/family.ics"
check "5. the family calendar imports" [ "$rc" -eq 0 ]
run --db "$d/family.db" events --from 20261123T000000Z --to 20261130T000000Z --json
$py - "$TMP/stdout" "$d/agreed.json" <<'PY'
import json, sys
from datetime import datetime
from zoneinfo import ZoneInfo
z = ZoneInfo("Europe/London")
def loc(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00")).astimezone(z).strftime("%Y-%m-%dT%H:%M")
back = sorted((loc(o["start"]), loc(o["end"])) for o in json.load(open(sys.argv[1]))["occurrences"])
w = json.load(open(sys.argv[2]))
agreed = sorted((a["start"], a["end"]) for d in w["days"] for a in d["appointments"])
assert back == agreed, (back, agreed)
PY
check "5. re-imported family calendar = the agreed plan" [ $? -eq 0 ]

# 5b. each practitioner applies their request to their own feed
$py - "$d" "$d/req" <<'PY'
import glob, os, re, sys
import icalendar, yaml
fam, req = sys.argv[1], sys.argv[2]
prof = yaml.safe_load(open(os.path.join(fam, "profile.yaml")))
pracs = {p["id"]: p for p in prof["practitioners"]}
for path in sorted(glob.glob(os.path.join(req, "*.ics"))):
    name = os.path.basename(path)[:-4]
    pid = name.split("+", 1)[0]   # PRAC, PRAC+2, ...: "+" is in no id
    msg = icalendar.Calendar.from_ical(open(path, "rb").read())
    assert str(msg["METHOD"]) == "REQUEST"
    for ev in msg.walk("VEVENT"):
        uid = str(ev["UID"])
        rid = ev["RECURRENCE-ID"].dt if ev.get("RECURRENCE-ID") else None
        for f in pracs[pid]["feeds"]:
            fp = os.path.join(fam, f)
            cal = icalendar.Calendar.from_ical(open(fp, "rb").read())
            mine = [e for e in cal.walk("VEVENT") if str(e["UID"]) == uid]
            if not mine:
                continue
            target = None
            for e in mine:
                r = e.get("RECURRENCE-ID")
                if (r is None and rid is None) or (r is not None and rid is not None and r.dt == rid):
                    target = e
            if target is None:   # an occurrence of the series: a new override
                master = next(e for e in mine if e.get("RECURRENCE-ID") is None)
                target = icalendar.Event()
                for k, v in master.items():
                    if k not in ("RRULE", "RDATE", "EXDATE", "DTSTART", "DTEND", "DURATION", "SEQUENCE"):
                        target.add(k, v)
                target["RECURRENCE-ID"] = ev["RECURRENCE-ID"]
                cal.add_component(target)
            for k in ("DTSTART", "DTEND", "SEQUENCE", "LOCATION"):
                if k in target:
                    del target[k]
                if k in ev:
                    target[k] = ev[k]
            if "DURATION" in target:
                del target["DURATION"]
            if not any(str(t["TZID"]) == "Europe/London" for t in cal.walk("VTIMEZONE")):
                cal.subcomponents.insert(0, msg.walk("VTIMEZONE")[0])
            open(fp, "wb").write(cal.to_ical())
            print("# %s: %s %s applied to %s" % (pid, uid, rid or "", f))
            break
        else:
            raise SystemExit("%s: UID %s is in none of %s's feeds" % (path, uid, pid))
PY
check "5. each practitioner applies their request to their feed" [ $? -eq 0 ]
# a read-only verb reads the feeds again only when asked (--refresh)
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
PY
check "5. the re-imported feeds give exactly the agreed week" [ $? -eq 0 ]
run --db "$db" export "$prof" --itip "$d/req-after"
check "5. ... and nothing is left to send" grep -q "^no changed appointments" "$TMP/stdout"
run --db "$db" check "$prof" --json
check "5. check reads the updated feeds (exit 0 or 1)" [ "$rc" -le 1 ]
run --db "$db" history
check "5. history keeps the rejection and the acceptance" grep -q "not on that day" "$TMP/stdout"
done_testing
