#!/bin/sh
# t-pathological.sh: the pathological inputs of docs/security.md, generated
# here: a recurrence bomb, 100,000 events in one feed, 10,000 RDATEs, deep
# VTIMEZONE nesting, a giant content line, a YAML alias bomb and a 10,000-deep
# YAML nesting. Each runs bounded by CPU time (10 s, scaled for sanitizer
# builds: a hang fails, a busy machine does not; the feed's own expansion
# budget is 5 s of CPU) and must end with a clear error naming the file
# and line, exit 65, and leave a store that already held a good feed
# byte-identical.
# Usage: t-pathological.sh DOVETAIL
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
cd "$TMP" || exit 1
$py - <<'PY'
def cal(body):
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n" + body + "END:VCALENDAR\r\n"
def ev(i, extra=""):
    return ("BEGIN:VEVENT\r\nUID:e%d@t\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261124T100000Z\r\n"
            "DTEND:20261124T110000Z\r\nSUMMARY:x\r\n%sEND:VEVENT\r\n" % (i, extra))
w = lambda name, text: open(name, "w", newline="").write(text)
w("bomb.ics", cal("BEGIN:VEVENT\r\nUID:b@t\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:19700101T000000Z\r\n"
                  "DTEND:19700101T000001Z\r\nRRULE:FREQ=SECONDLY\r\nEND:VEVENT\r\n"))
w("events-100k.ics", cal("".join(ev(i) for i in range(100000))))
w("rdates-10k.ics", cal(ev(0, "".join("RDATE:2026%02d%02dT100000Z\r\n" % (1 + (i // 28) % 12, 1 + i % 28)
                                    for i in range(10000)))))
w("deep-vtimezone.ics", cal("BEGIN:VTIMEZONE\r\nTZID:x\r\n" * 1000 + "END:VTIMEZONE\r\n" * 1000))
w("giant-line.ics", cal(ev(0, "DESCRIPTION:" + "x" * (8 * 1024 * 1024) + "\r\n")))
w("alias-bomb.yaml", "version: 1\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
  "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n")
w("deep.yaml", "version: 1\nx: " + "[" * 10000 + "]" * 10000 + "\n")
w("caseload-alias.yaml", "version: 1\npersons: &p [{ id: P-1, profile: a.yaml }]\nmore: *p\n")
PY
db=$TMP/s.db
run --db "$db" import --feed good "$DATA/import-good.ics"
check "a store with a good feed" [ "$rc" -eq 0 ]
before=$(sha "$db")

bad() { # bad NAME COMMAND... : exit 65 within the bound, FILE:LINE error, store unchanged
	name=$1
	shift
	cpu_bounded 10 "$DOVETAIL" --db "$db" "$@" >"$TMP/stdout" 2>"$TMP/stderr"
	rc=$?
	check "$name: ends within $((10 * CPU_SCALE)) s of CPU with exit 65 (got $rc)" [ "$rc" -eq 65 ]
	check "$name: a clear error at FILE:LINE" grep -Eq "^dovetail: [^ ]+:[0-9]+(:[0-9]+)?: error: " "$TMP/stderr"
	grep -m1 ': error: ' "$TMP/stderr" | cut -c1-160 | diag
	check "$name: the store is unchanged" [ "$(sha "$db")" = "$before" ]
}
bad "recurrence bomb (FREQ=SECONDLY since 1970)" import bomb.ics
bad "100,000 events in one feed" import events-100k.ics
bad "10,000 RDATEs" import rdates-10k.ics
bad "VTIMEZONE nested 1,000 deep" import deep-vtimezone.ics
bad "an 8 MB content line" import giant-line.ics
bad "a YAML alias bomb (profile)" check alias-bomb.yaml
bad "YAML nested 10,000 deep (profile)" check deep.yaml
bad "a YAML alias in a caseload" batch caseload-alias.yaml
# Issue 19, item 12: diagnostics name the position and the kind of fault,
# never the bytes. A passwd-style file (and a letter) read as a feed, a
# profile, a caseload, and a batch person's profile: no word of it reaches
# stderr, nor the batch's summary.json.
printf 'root:x:0:0:Rootname Secretword: /root:/bin/bash\ndaemon:x:1:1:daemon: /usr/sbin:/usr/sbin/nologin\n' >passwd
printf 'Dear Janet Example, about your son\n' >letter
printf 'version: 1\npersons:\n  - { id: P-1, profile: passwd }\n' >caseload-passwd.yaml
leak_re='root|Rootname|Secretword|bin/bash|daemon|nologin|Janet|Dear|DEAR|ROOT|DAEMON|JANET'
for how in "import passwd" "import letter" "check passwd" "batch passwd" "batch caseload-passwd.yaml --out out-passwd"; do
	cpu_bounded 60 "$DOVETAIL" --db "$TMP/leak.db" $how >"$TMP/stdout" 2>"$TMP/stderr"
	rc=$?
	check "$how: an error (exit $rc) whose stderr quotes no word of the file" \
		sh -c "[ $rc -ne 0 ] && [ -s '$TMP/stderr' ] && ! grep -Eq '$leak_re' '$TMP/stderr'"
	grep -E "$leak_re" "$TMP/stderr" | head -3 | diag
done
printf 'version: 1\nperson: { id: P-1, timezone: Europe/London, home: Janet Example house }\nvenues:\n  - { id: v, kind: home }\npractitioners:\n  - { id: p, role: r }\n' >named.yaml
cpu_bounded 60 "$DOVETAIL" check named.yaml >"$TMP/stdout" 2>"$TMP/stderr"
rc=$?
check "a venue reference that is not an id: exit 65 (got $rc), the value not quoted" \
	sh -c "[ $rc -eq 65 ] && grep -q 'person.home: no venue with id' '$TMP/stderr' && ! grep -q Janet '$TMP/stderr'"
check "... nor does the batch's summary.json" sh -c "[ -f out-passwd/summary.json ] && ! grep -Eq '$leak_re' out-passwd/summary.json"
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:v1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:Janet Example 10am\r\nDURATION:an hour with Janet\r\nSEQUENCE:Janet\r\nEND:VEVENT\r\nBEGIN:JANETS-DIARY\r\nEND:JANETS-DIARY\r\nEND:JANET\r\nEND:VCALENDAR\r\n' >values.ics
cpu_bounded 60 "$DOVETAIL" --db "$TMP/leak.db" import values.ics >"$TMP/stdout" 2>"$TMP/stderr"
check "bad values and component names in a feed: exit 65, and no word of them in stderr" \
	sh -c "[ $? -eq 65 ] && ! grep -Eiq 'janet|hour|10am' '$TMP/stderr'"
grep -Ei 'janet|hour|10am' "$TMP/stderr" | head -3 | diag

# Issue 19, item 15: the bounds of docs/limits.md that options and the
# optimiser set, each tripped (the rest: tests/unit/test_limits.c and the
# "test" column of docs/limits.md).
for a in "propose --time-limit 3601" "propose --time-limit 0" "propose -k 21" "propose --max-labels 2000001" \
	"batch -j 257" "batch --shard 0/100001" "batch --time-limit 3601" "merge --time-limit 3601 a.db"; do
	cpu_bounded 60 "$DOVETAIL" --db "$TMP/opt.db" $a x.yaml >"$TMP/stdout" 2>"$TMP/stderr"
	rc=$?
	check "$a: refused with exit 64 (got $rc)" [ "$rc" -eq 64 ]
done
# shards: at most 100,000 (CL_GRAPH_MAX_SHARDS) by hash and by component;
# past it with --shard-by component was an assertion (exit 134) for any N
# over 65,536, the components' own bound then
$py "$SRCDIR/tools/gen-caseload.py" --persons 3 --seed 1 --out "$TMP/shards" >/dev/null
for by in hash component; do
	(cd "$TMP/shards" && cpu_bounded 60 "$DOVETAIL" --db "$TMP/shard-$by.db" batch caseload.yaml -j 1 \
		--shard 99999/100000 --shard-by $by >"$TMP/stdout" 2>"$TMP/stderr")
	rc=$?
	check "batch --shard 99999/100000 --shard-by $by: the last shard of the bound runs (exit 0, got $rc)" \
		sh -c "[ $rc -eq 0 ] && grep -q '^shard 99999/100000 of batch' '$TMP/stdout'"
	(cd "$TMP/shards" && cpu_bounded 60 "$DOVETAIL" --db "$TMP/shard-$by.db" batch caseload.yaml -j 1 \
		--shard 0/100001 --shard-by $by >"$TMP/stdout" 2>"$TMP/stderr")
	rc=$?
	check "batch --shard 0/100001 --shard-by $by: refused with exit 64 (got $rc)" [ "$rc" -eq 64 ]
	(cd "$TMP/shards" && cpu_bounded 60 env SLURM_ARRAY_TASK_ID=0 SLURM_ARRAY_TASK_COUNT=100001 "$DOVETAIL" \
		--db "$TMP/shard-$by.db" batch caseload.yaml -j 1 --shard-from-env --shard-by $by \
		>"$TMP/stdout" 2>"$TMP/stderr")
	rc=$?
	check "batch --shard-from-env with 100,001 tasks --shard-by $by: refused with exit 64 (got $rc)" [ "$rc" -eq 64 ]
done
# appointments in one horizon: 2,048 (2,100 over two weeks, 150 a day)
mkdir -p appts && $py - appts <<'PY'
import sys, datetime
d = sys.argv[1]
ev = []
for day in range(14):
    date = datetime.date(2026, 11, 23) + datetime.timedelta(days=day)
    for i in range(150):
        h, m = divmod(9 * i, 60)
        ev.append("BEGIN:VEVENT\r\nUID:c-%d-%d@t\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:%sT%02d%02d00Z\r\n"
                  "DURATION:PT5M\r\nSUMMARY:X-1 visit\r\nLOCATION:Home\r\nEND:VEVENT\r\n" % (day, i, date.strftime("%Y%m%d"), h, m))
open(d + "/c.ics", "w", newline="").write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n" + "".join(ev) + "END:VCALENDAR\r\n")
open(d + "/profile.yaml", "w").write("""version: 1
person: { id: X-1, timezone: Europe/London, home: home, day: "00:00-24:00", slot: 5, notice: "0" }
venues:
  - { id: home, kind: home }
practitioners:
  - { id: nurse, role: nurse, feeds: [c.ics], match: { text: X-1 } }
""")
PY
cpu_bounded 60 "$DOVETAIL" --db "$TMP/appts.db" --now 20261120T000000Z propose --from 2026-11-23 --to 2026-12-07 \
	appts/profile.yaml >"$TMP/stdout" 2>"$TMP/stderr"
rc=$?
check "2,100 appointments in the horizon: exit 65 (got $rc), naming the bound of 2,048" \
	sh -c "[ $rc -eq 65 ] && grep -q 'passes the limit of 2048 appointments in the horizon' '$TMP/stderr'"

# routine instances on one day: 32 (33 routines every day)
mkdir -p routines && $py - routines <<'PY'
import sys
d = sys.argv[1]
open(d + "/c.ics", "w", newline="").write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:a@t\r\n"
    "DTSTAMP:20261101T000000Z\r\nDTSTART:20261124T100000Z\r\nDURATION:PT30M\r\nSUMMARY:X-1 visit\r\nLOCATION:Home\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n")
r = "".join("  - { id: r%d, kind: meal, days: all, start: \"%02d:%02d-%02d:%02d\", duration: 5, place: home }\n"
            % (i, i // 2, (i % 2) * 30, i // 2, (i % 2) * 30 + 10) for i in range(33))
open(d + "/profile.yaml", "w").write("""version: 1
person: { id: X-1, timezone: Europe/London, home: home, day: "00:00-24:00", slot: 5, notice: "0" }
venues:
  - { id: home, kind: home }
practitioners:
  - { id: nurse, role: nurse, feeds: [c.ics], match: { text: X-1 } }
routines:
""" + r)
PY
cpu_bounded 60 "$DOVETAIL" --db "$TMP/routines.db" --now 20261120T000000Z propose routines/profile.yaml >"$TMP/stdout" 2>"$TMP/stderr"
rc=$?
check "33 routines on one day: exit 65 (got $rc), naming the bound of 32" \
	sh -c "[ $rc -eq 65 ] && grep -q 'passes the limit of 32 routines in one day' '$TMP/stderr'"

# candidate placements of one appointment: 20,000 (slot 1 min, a window
# of 14 days: 20,160); appointments that could be on one day, for the
# compact model: 64 (70 on one day, none clashing)
mkdir -p cand && $py - cand <<'PY'
import sys
d = sys.argv[1]
head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
ev = lambda uid, start, dur: ("BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:%s\r\nDURATION:%s\r\n"
                              "SUMMARY:X-1 visit\r\nLOCATION:Home\r\nEND:VEVENT\r\n" % (uid, start, dur))
open(d + "/one.ics", "w", newline="").write(head + ev("a@t", "20261124T100000Z", "PT30M") + "END:VCALENDAR\r\n")
day = "".join(ev("c-%d@t" % i, "20261123T%02d%02d00Z" % divmod((540 + 20 * i) % 1420, 60), "PT20M") for i in range(70))
open(d + "/day.ics", "w", newline="").write(head + day + "END:VCALENDAR\r\n")
for name, feed, slot, window in (("cand", "one.ics", 1, "{ days: 14 }"), ("local", "day.ics", 5, "{ days: 3, same_week: true }")):
    open("%s/%s.yaml" % (d, name), "w").write("""version: 1
person: { id: X-1, timezone: Europe/London, home: home, day: "00:00-24:00", slot: %d, notice: "0" }
venues:
  - { id: home, kind: home }
practitioners:
  - { id: nurse, role: nurse, feeds: [%s], match: { text: X-1 }, window: %s }
""" % (slot, feed, window))
PY
cpu_bounded 120 "$DOVETAIL" --db "$TMP/cand.db" --now 20261120T000000Z propose --from 2026-11-23 --to 2026-12-20 \
	cand/cand.yaml >"$TMP/stdout" 2>"$TMP/stderr"
rc=$?
check "20,160 placements of one appointment: exit 65 (got $rc), naming the bound of 20,000" \
	sh -c "[ $rc -eq 65 ] && grep -q 'passes the limit of 20000 placements of one appointment' '$TMP/stderr'"
cpu_bounded 120 "$DOVETAIL" --db "$TMP/local.db" --now 20261120T000000Z propose --from 2026-11-23 --to 2026-11-29 \
	--write-compact-lp "$TMP/local.lp" cand/local.yaml >"$TMP/stdout" 2>"$TMP/stderr"
rc=$?
check "70 that could be on one day: --write-compact-lp refused, exit 65 (got $rc), naming the bound of 64" \
	sh -c "[ $rc -eq 65 ] && grep -q 'passes the limit of 64 appointments that could be on one day (compact model)' '$TMP/stderr'"

# places drafted as venues by init: 200 (a feed with 205 places: the later
# ones are left out, not an error)
$py - <<'PY'
ev = "".join("BEGIN:VEVENT\r\nUID:v%d@t\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261124T%02d%02d00Z\r\nDURATION:PT5M\r\n"
             "SUMMARY:visit\r\nLOCATION:Place number %d\r\nEND:VEVENT\r\n" % (i, 8 + i // 60 % 10, i % 60, i) for i in range(205))
open("places.ics", "w", newline="").write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n" + ev + "END:VCALENDAR\r\n")
PY
cpu_bounded 60 "$DOVETAIL" init --person P-1 --tz Europe/London places.ics >"$TMP/stdout" 2>"$TMP/stderr"
rc=$?
check "init with 205 places: exit 0 (got $rc), at most 200 drafted as venues, the last ones left out" $py -c 'import re, sys
t = open(sys.argv[1]).read()
v = t[t.index("venues:"):t.index("practitioners:")]
n = len(re.findall(r"^  - id: place-number-", v, re.M))
assert 190 <= n <= 200 and "Place number 204" not in v, n' "$TMP/stdout"

# appointments in one joint session: 3. Four practitioners who all accept
# joint sessions, one hour each at the CDC, and a day of one hour: a
# session of four would make one journey; the best plan makes two, and no
# session has more than three parts.
mkdir -p joint && $py - joint <<'PY'
import sys
d = sys.argv[1]
pr = ["a", "b", "c", "d"]
for k, p in enumerate(pr):
    open("%s/%s.ics" % (d, p), "w", newline="").write(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:%s@t\r\nDTSTAMP:20261101T000000Z\r\n"
        "DTSTART:202611%02dT100000Z\r\nDURATION:PT60M\r\nSUMMARY:X-1 visit\r\nLOCATION:CDC\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n" % (p, 23 + k))
pracs = "".join("  - { id: %s, role: r, feeds: [%s.ics], match: { text: X-1 }, window: { days: 4, same_week: true },"
                " joint_with: [%s] }\n" % (p, p, ", ".join(q for q in pr if q != p)) for p in pr)
open(d + "/profile.yaml", "w").write("""version: 1
person: { id: X-1, timezone: Europe/London, home: home, notice: "0", day: "09:30-10:30" }
venues:
  - { id: home, kind: home, at: [51.45, -2.58] }
  - { id: cdc, name: CDC, at: [51.50, -2.52] }
practitioners:
""" + pracs)
PY
cpu_bounded 120 "$DOVETAIL" --db "$TMP/joint.db" --now 20261120T000000Z propose --from 2026-11-23 --to 2026-11-29 \
	--json -k 1 --no-ladder joint/profile.yaml >"$TMP/joint.json" 2>"$TMP/stderr"
check "four who could meet jointly: two journeys, no session of more than three (DG_MAX_JOINT)" $py -c 'import json, sys
p = json.load(open(sys.argv[1]))["proposals"][0]
assert p["totals"]["journeys"] == 2, p["totals"]
assert all(len(c.get("joint_with", [])) <= 2 for c in p["changes"]), p["changes"]
assert any("joint" in c["kind"] for c in p["changes"]), p["changes"]' "$TMP/joint.json"

# ---- an appointment of no length outside the person's day (DTSTART = DTEND,
# 06:20 every weekday; found by fuzz_roundtrip): its compromise has a size,
# so neither propose nor report aborts on it (both did: an assert that
# every compromise has a size)
mkdir -p "$TMP/instant"
cat >"$TMP/instant/profile.yaml" <<'EOF2'
version: 1
person: { id: P-1, timezone: Europe/London, home: home }
venues: [{ id: home, kind: home }, { id: clinic, name: Clinic }]
practitioners:
  - { id: a, role: therapist, feeds: [a.ics], default_venue: home }
routines:
  - { id: nap, kind: sleep, duration: 60, start: "12:00-14:00", place: home }
EOF2
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:i@t\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261123T062000Z\r\nDTEND:20261123T062000Z\r\nRRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=5\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >"$TMP/instant/a.ics"
"$DOVETAIL" --db "$TMP/instant.db" --now 20261120T000000Z propose --json -k 1 --no-ladder --from 2026-11-23 --to 2026-11-29 \
	"$TMP/instant/profile.yaml" >"$TMP/instant.json" 2>"$TMP/stderr"
rc=$?
check "appointments of no length outside the day: propose exits 0 (got $rc)" [ "$rc" -eq 0 ]
check "... each is a compromise of 1 minute" $py -c 'import json, sys
p = json.load(open(sys.argv[1]))["proposals"][0]
c = [x for x in p["compromises"] if x["kind"] == "outside-day"]
assert len(c) == 5 and all(x["size"] == 1 for x in c), c' "$TMP/instant.json"
"$DOVETAIL" --db "$TMP/instant.db" --now 20261120T000000Z report --none "$TMP/instant/profile.yaml" \
	--from 2026-11-23 --to 2026-11-29 --html "$TMP/instant.html" >/dev/null 2>"$TMP/stderr"
rc=$?
check "... and report draws the week (got $rc)" sh -c "[ $rc -eq 0 ] && grep -q 'class=\"compromise\" data-kind=\"outside-day\"' '$TMP/instant.html'"

# many ATTENDEE (and CATEGORIES) lines in one event: read in time linear in
# the file (each was appended after a walk of the list so far: 400,000
# lines took 21 CPU seconds, 2,000,000 more than 15 minutes)
$py - <<'PY'
n = 400000
L = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN", "BEGIN:VEVENT", "UID:att@t",
     "DTSTAMP:20261101T000000Z", "DTSTART:20261124T090000Z", "DTEND:20261124T100000Z", "SUMMARY:x"]
L += ["ATTENDEE:mailto:a%d@x.example" % i for i in range(n)]
L += ["CATEGORIES:c%d" % i for i in range(n // 4)]
L += ["END:VEVENT", "END:VCALENDAR"]
open("attendees.ics", "w", newline="").write("\r\n".join(L) + "\r\n")
PY
cpu_bounded 5 "$DOVETAIL" --db "$TMP/att.db" import --practitioner physio attendees.ics >"$TMP/stdout" 2>"$TMP/stderr"
rc=$?
check "400,000 ATTENDEE and 100,000 CATEGORIES lines in one event: imported within 5 CPU seconds (got $rc)" \
	sh -c "[ $rc -eq 0 ] && grep -q '1 new' '$TMP/stdout'"

done_testing
