#!/bin/sh
# t-pathological.sh: the pathological inputs of docs/security.md, generated
# here: a recurrence bomb, 100,000 events in one feed, 10,000 RDATEs, deep
# VTIMEZONE nesting, a giant content line, a YAML alias bomb and a 10,000-deep
# YAML nesting. Each runs under `timeout 2` (a bound, not a timing
# assertion: a hang fails) and must end with a clear error naming the file
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
	timeout 2 "$DOVETAIL" --db "$db" "$@" >"$TMP/stdout" 2>"$TMP/stderr"
	rc=$?
	check "$name: ends within 2 s with exit 65 (got $rc)" [ "$rc" -eq 65 ]
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
done_testing
