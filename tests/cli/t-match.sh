#!/bin/sh
# t-match.sh: `dovetail match`: on every example, each practitioner's caught
# events are exactly the week's appointments, and every busy event of the
# feeds in the week is accounted for (caught by a rule, or inside a busy
# period it left, or a carer's own busy time); the shared-feeds example's text output is as worked out;
# never an event's text; bad input.
# Usage: t-match.sh DOVETAIL
. "$(dirname "$0")/lib.sh"
cd "$SRCDIR" || exit 1
for dir in examples/*/; do
	fam=$(basename "$dir")
	db=$TMP/$fam.db
	run --db "$db" match --json "$dir/profile.yaml"
	check "$fam: match --json exits 0" [ "$rc" -eq 0 ]
	cp "$TMP/stdout" "$TMP/$fam.match.json"
	run --db "$db" week --json "$dir/profile.yaml"
	cp "$TMP/stdout" "$TMP/$fam.week.json"
	run --db "$db" events --from 20261123T000000Z --to 20261130T000000Z --json
	cp "$TMP/stdout" "$TMP/$fam.events.json"
	python3 - "$TMP/$fam.match.json" "$TMP/$fam.week.json" "$TMP/$fam.events.json" <<'PY'
import json, sys
from datetime import datetime
from zoneinfo import ZoneInfo
m, w, ev = (json.load(open(p)) for p in sys.argv[1:4])
assert m["format"] == "dovetail-match/1"
caught = sorted((p["id"], c["start"], c["end"]) for p in m["practitioners"] for c in p["caught"])
week = sorted((a["practitioner"], a["start"], a["end"]) for d in w["days"] for a in d["appointments"])
assert caught == week, (caught, week)
z = ZoneInfo("Europe/London")
loc = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")).astimezone(z).strftime("%Y-%m-%dT%H:%M")
keys = {(c["uid"], c["recurrence_id"] or "") for p in m["practitioners"] for c in p["caught"]}
busy = [(p["id"], b["start"], b["end"]) for p in m["practitioners"] for b in p["not_caught"]]
busy += [(c["id"], b["start"], b["end"]) for c in m["carers"] for b in c["busy"]]
n = 0
for o in ev["occurrences"]:
    if not o["busy"] or o["status"] == "CANCELLED":
        continue
    n += 1
    if (o["uid"], o["recurrence_id"] or "") in keys:
        continue
    s, e = loc(o["start"]), loc(o["end"])
    assert any(b0 <= s and e <= b1 for _, b0, b1 in busy) or any(b0 < e and s < b1 for _, b0, b1 in busy), \
        ("not accounted for", o["uid"], s, e)
print("# %d busy events of the week, %d caught" % (n, len(caught)))
PY
	check "$fam: caught = the week's appointments; every busy event of the week accounted for" [ $? -eq 0 ]
	check "$fam: no event text in the output" sh -c "! grep -qi 'summary\|description' '$TMP/$fam.match.json'"
done
run --db "$TMP/shared.db" match examples/family-shared-feeds/profile.yaml
expect match-family-shared-feeds 0
check "shared feeds: both practitioners of the portal feed catch their clinic" \
	sh -c "grep -A2 '^consultant' '$TMP/stdout' | grep -q 'Tue 24 Nov 10:00-10:30  rhc' && grep -A2 '^dietitian' '$TMP/stdout' | grep -q 'Wed 25 Nov 14:00-14:30  rhc'"
check "shared feeds: the physio's free/busy keeps what is before and after the visit" \
	sh -c "grep -q '2026-11-25T09:00 .. 2026-11-25T10:00' '$TMP/stdout' && grep -q '2026-11-25T10:45 .. 2026-11-25T11:45' '$TMP/stdout'"
check "shared feeds: no event text" sh -c "! grep -q 'Hearing\|Cardiology\|Dietetic Clinic' '$TMP/stdout'"
# an accepted move does not change what match shows: the event where its
# feed has it (the rule caught it there)
run --db "$TMP/mv.db" propose --json -k 1 --no-ladder examples/family-cp/profile.yaml
cp "$TMP/stdout" "$TMP/mv.json"
run --db "$TMP/mv.db" accept "$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["proposals"][0]["id"])' "$TMP/mv.json")" --by kw
run --db "$TMP/mv.db" match --json examples/family-cp/profile.yaml
check "after accepting a proposal, match shows each moved event where its feed has it" python3 -c 'import json, sys
p = json.load(open(sys.argv[1]))["proposals"][0]
m = json.load(open(sys.argv[2]))
caught = {(x["id"], c["uid"], c["recurrence_id"] or ""): c for x in m["practitioners"] for c in x["caught"]}
assert p["changes"]
for ch in p["changes"]:
    c = caught[(ch["practitioner"], ch["uid"], ch["recurrence_id"])]
    assert c["start"] == ch["from"]["start"] and c["venue"] == ch["from"]["venue"], (c, ch["from"])
print("# %d moved events, each shown where the feed has it" % len(p["changes"]))' "$TMP/mv.json" "$TMP/stdout"

# bad input
run --db "$TMP/x.db" match
expect match-no-profile 64
run --db "$TMP/x.db" match --bogus examples/family-cp/profile.yaml
check "match --bogus: exit 64" [ "$rc" -eq 64 ]
run --db "$TMP/x.db" match "$TMP/no-such-profile.yaml"
check "match with a missing profile: exit 66" [ "$rc" -eq 66 ]
done_testing
