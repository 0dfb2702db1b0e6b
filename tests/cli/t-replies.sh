#!/bin/sh
# t-replies.sh: `dovetail replies`, the whole loop with answers made by a
# real library the way a calendar makes them: examples/family-cp, propose,
# accept proposal 1, export --itip; then python3-icalendar (and python's
# email package) answers the REQUEST files (tests/cli/itip_reply.py): qtvi
# ACCEPTED (an .ics), paed DECLINED (an iMIP mail, base64 text/calendar),
# the dietitian a COUNTER with another time, in a maildir. `replies`
# records them; `check` shows the declined change undone (and the rest of
# its group); the next `propose` never offers the declined placement and
# offers the counter-proposed time, saying who suggested it. Reading the
# maildir again records nothing. A reply from a wrong address (ATTENDEE or
# mail From), for a stale SEQUENCE, matching nothing, and malformed ones
# each give a warning or error with file and line and leave the store
# byte-for-byte unchanged (sqlite3 .dump); every bound is passed once.
# `import` refuses iTIP messages.
# Usage: t-replies.sh DOVETAIL
. "$(dirname "$0")/lib.sh"
cd "$SRCDIR" || exit 1
py=/usr/bin/python3
mk=$SRCDIR/tests/cli/itip_reply.py
d=$TMP/cp
cp -r examples/family-cp "$d"
prof=$d/profile.yaml
db=$TMP/store.db
dump() { sqlite3 "$db" .dump; }

run --db "$db" propose --json "$prof"
check "propose: exit 0" [ "$rc" -eq 0 ]
id=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["proposals"][0]["id"])' "$TMP/stdout")
run --db "$db" accept "$id" --by keyworker
check "accept proposal 1 ($id): exit 0" [ "$rc" -eq 0 ]
run --db "$db" export "$prof" --itip "$TMP/req" --eml
check "export --itip: exit 0" [ "$rc" -eq 0 ]
for p in qtvi paed dietitian salt; do
	check "a REQUEST for $p" grep -q "^METHOD:REQUEST" "$TMP/req/$p.ics"
done
# the check before: the Fri clash of paed and salt is fixed, the dietitian's double booking too
run --db "$db" check "$prof"
check "before the answers: no overlap of paed and salt on Fri" sh -c "! grep -q 'overlap .*paed+salt' '$TMP/stdout'"

# the answers, made by python3-icalendar as a calendar does
md=$TMP/md
mkdir -p "$md/cur" "$md/new" "$md/tmp"
$py "$mk" "$TMP/req/qtvi.ics" "$md/new/1.qtvi" accepted &&
	$py "$mk" "$TMP/req/paed.ics" "$md/new/2.paed" declined --eml paed@bristol-children.example &&
	$py "$mk" "$TMP/req/dietitian.ics" "$md/cur/3.diet" counter --start 20261126T1100
check "python3-icalendar made the three answers" [ $? -eq 0 ]
check "the decline is a mail with a base64 text/calendar part" \
	sh -c "grep -qi '^Content-Type: text/calendar; method=\"REPLY\"' '$md/new/2.paed' && grep -q '^Content-Transfer-Encoding: base64' '$md/new/2.paed' && ! grep -q '^BEGIN:VCALENDAR' '$md/new/2.paed'"

run --db "$db" replies "$prof" "$md"
check "replies: exit 0" [ "$rc" -eq 0 ]
cat "$TMP/stderr" | diag
check "qtvi's ACCEPTED recorded" grep -q "^TMP/md/new/1.qtvi:[0-9]*: recorded: qtvi accepted (SEQUENCE 2)$" "$TMP/stdout"
check "paed's DECLINED (in a mail) recorded" grep -q "^TMP/md/new/2.paed:[0-9]*: recorded: paed declined (SEQUENCE 1)$" "$TMP/stdout"
check "the dietitian's COUNTER recorded, with the time suggested" \
	grep -q "^TMP/md/cur/3.diet:[0-9]*: recorded: dietitian counter (SEQUENCE 1), suggests Thu 26 Nov 11:00-11:45$" "$TMP/stdout"
check "the summary" grep -q "^3 messages: 3 answers recorded, 0 already recorded, 0 not recorded$" "$TMP/stdout"
check "what follows" grep -q "^2 changes declined or countered: undone in the plan, that time not proposed again; run \`dovetail propose\` for new proposals$" "$TMP/stdout"
check "the store holds the three answers, with the change each answers" sh -c "
	[ \"\$(sqlite3 '$db' \"SELECT practitioner || ' ' || kind || ' ' || proposal_id || '-' || seq || ' ' || coalesce(suggested_start, '-') FROM replies ORDER BY id\")\" = \
	'qtvi accepted $id-2 -
paed declined $id-3 -
dietitian counter $id-1 1795690800' ]"
check "the replies table refuses changes" sh -c "! sqlite3 '$db' 'DELETE FROM replies' 2>/dev/null"

# the plan now: paed back where its feed has it (the Fri clash with salt
# again: salt's change, of paed's group, is reopened), the dietitian back
# to its double booking (its change was countered); qtvi's change stays
run --db "$db" check "$prof"
check "check: the declined change is undone (paed and salt overlap on Fri again)" \
	grep -q "Fri 27 Nov 10:00-10:10 .*overlap .*salt 10:00-10:45 overlaps paed 09:40-10:10" "$TMP/stdout"
check "check: the countered change is undone (the dietitian double-booked again)" \
	grep -q "double-booked .*dietitian 11:00-11:45" "$TMP/stdout"
run --db "$db" week --json "$prof"
check "week: qtvi stays where it was accepted (Tue 24 Nov 09:45)" $py -c '
import json, sys
w = json.load(open(sys.argv[1]))
s = json.dumps(w)
assert "2026-11-24T09:45" in s, "qtvi not on Tue"' "$TMP/stdout"

# the next propose: never the declined placement; the counter-proposed time, explained
run --db "$db" propose --json -k 5 "$prof"
check "propose after the answers: exit 0" [ "$rc" -eq 0 ]
cp "$TMP/stdout" "$TMP/p2.json"
$py - "$TMP/p2.json" >"$TMP/p2.txt" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
plans = d["proposals"] + d.get("ladder", [])
declined = suggested = 0
for p in plans:
    for c in p["changes"]:
        who, to = c["practitioner"], c["to"]["start"]
        if who == "paed" and to == "2026-11-27T10:45":
            declined += 1
        if who == "dietitian" and to == "2026-11-26T11:00":
            assert c["reason"].startswith("the paediatric dietitian suggested Thu 11:00"), c["reason"]
            suggested += 1
print("declined offered %d times, suggested %d times in %d plans" % (declined, suggested, len(plans)))
assert declined == 0 and suggested >= 1
PY
check "propose never offers the declined time, and offers the suggested one, named ($(tail -1 "$TMP/p2.txt"))" [ $? -eq 0 ]
head -5 "$TMP/p2.txt" | diag
run --db "$db" propose "$prof"
check "propose (text) says who suggested the time" grep -q "the paediatric dietitian suggested Thu 11:00" "$TMP/stdout"

# times suggested inside the notice period (Mon 14:00: now is Mon 00:00, one
# working day's notice) or in the dietitian's busy time with other clients
# (Thu 14:00) are recorded but never proposed
$py "$mk" "$TMP/req/dietitian.ics" "$TMP/notice.ics" counter --start 20261123T1400 &&
	$py "$mk" "$TMP/req/dietitian.ics" "$TMP/busy.ics" counter --start 20261126T1400
run --db "$db" replies "$prof" "$TMP/notice.ics" "$TMP/busy.ics"
check "two more counters recorded (exit 0)" [ "$rc" -eq 0 ]
run --db "$db" propose --json -k 5 "$prof"
$py - "$TMP/stdout" >"$TMP/p3.txt" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
plans = d["proposals"] + d.get("ladder", [])
got = {}
for p in plans:
    for c in p["changes"]:
        if c["practitioner"] == "dietitian":
            got[c["to"]["start"]] = got.get(c["to"]["start"], 0) + 1
print("dietitian to:", sorted(got.items()))
assert "2026-11-23T14:00" not in got and "2026-11-26T14:00" not in got
assert "2026-11-26T11:00" in got
PY
check "never a suggested time in the notice period or busy time; still the one that fits ($(tail -1 "$TMP/p3.txt"))" [ $? -eq 0 ]
head -3 "$TMP/p3.txt" | diag

# paed accepts after all, at the SEQUENCE it declined (a calendar sends a
# new REPLY when its user changes their mind): recorded, but the refusal
# stands (docs/replies.md); status and the report must say the move is
# still off, not only "accepted" (on a copy of the store)
cp "$db" "$TMP/late.db"
$py "$mk" "$TMP/req/paed.ics" "$TMP/late.ics" accepted
run --db "$TMP/late.db" replies "$prof" "$TMP/late.ics"
check "paed's later ACCEPTED is recorded" grep -q "recorded: paed accepted (SEQUENCE 1)$" "$TMP/stdout"
run --db "$TMP/late.db" check "$prof"
check "... and the plan still has paed where it is booked (the decline stands)" \
	grep -q "overlaps paed 09:40-10:10" "$TMP/stdout"
run --db "$TMP/late.db" status "$prof"
check "status: paed's answer is the later one, and the move is shown off all the same" \
	sh -c "grep -q '^    undone   the move is off: paed declined it at .*, and a later answer does not put it back; it stays where it is booked$' '$TMP/stdout' && grep -q '^    answer   accepted at ' '$TMP/stdout'"
run --db "$TMP/late.db" status --json "$prof"
check "status --json: paed's and the dietitian's changes have their refusals, the others none" $py -c '
import json, sys
c = json.load(open(sys.argv[1]))["changes"]
for x in c:
    want = {"paed": {"kind": "declined"}, "dietitian": {"kind": "counter"}}.get(x["practitioner"])
    got = {"kind": x["refused"]["kind"]} if x["refused"] else None
    assert got == want, x
    if x["practitioner"] == "paed":
        assert x["answer"]["kind"] == "accepted", x' "$TMP/stdout"
run --db "$TMP/late.db" report "$prof" --proposal "$id" --html "$TMP/late.html"
check "report: the move is off all the same" grep -q "the practitioner answered: accepted on [0-9-]*; the move is off all the same: they declined it before" "$TMP/late.html"

# one message answering three events, the first and the last matching
# nothing: the lines are listed in the message's order, whatever was
# recorded (the recorded one came last)
$py "$mk" "$TMP/req/qtvi.ics" "$TMP/order0.ics" accepted
$py - "$TMP/order0.ics" "$TMP/order.ics" <<'PY'
import re, sys
t = open(sys.argv[1], newline="").read()
ev = re.search(r"BEGIN:VEVENT\r?\n.*?END:VEVENT\r?\n", t, re.S).group(0)
other = lambda n: re.sub(r"(?m)^UID:.*$", "UID:no-such-event-%d@x.example\r" % n, ev)
open(sys.argv[2], "w", newline="").write(t.replace(ev, other(1) + ev + other(2)))
PY
cp "$db" "$TMP/order.db"
run --db "$TMP/order.db" replies "$prof" "$TMP/order.ics"
check "three events, one recorded: exit 2" [ "$rc" -eq 2 ]
check "... listed in the message's order" $py -c '
import re, sys
got = [(int(m.group(1)), m.group(2)) for m in re.finditer(r"order\.ics:(\d+): (recorded|nothing)", open(sys.argv[1]).read())]
assert len(got) == 3 and [x[1] for x in got] == ["nothing", "recorded", "nothing"] and got == sorted(got), got' "$TMP/stdout"

# two replies runs at once on one store (a cron job and a hand run over the
# same maildir): the second waits for the first, then finds every message
# recorded, never a store error (exit 74). Without timing: another process
# holds the replies lock (the store file's byte 0x3ffffff2, as store_hold
# takes it); a run started then is seen waiting on it in /proc/locks,
# recording nothing; once the lock goes it records all, and a second run
# after it finds them recorded.
cp "$db" "$TMP/lk.db"
$py - "$TMP/lk.db" "$TMP/lk" <<'PY' &
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX, 1, 0x3ffffff2)
open(sys.argv[2] + ".held", "w").close()
while not os.path.exists(sys.argv[2] + ".release"):
    time.sleep(0.05)
PY
holder=$!
i=0
while [ ! -e "$TMP/lk.held" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
before=$(sqlite3 "$TMP/lk.db" "SELECT count(*) FROM replies")
"$DOVETAIL" --db "$TMP/lk.db" replies "$prof" "$TMP/order.ics" >"$TMP/lk.out" 2>"$TMP/lk.err" &
reader=$!
wait_on_lock $reader "$TMP/lk.db" 1073741810
check "a replies run while another holds the replies lock: it waits on it (/proc/locks), nothing recorded" \
	sh -c "kill -0 $reader 2>/dev/null && [ \"\$(sqlite3 '$TMP/lk.db' 'SELECT count(*) FROM replies')\" = '$before' ]"
touch "$TMP/lk.release"
wait $holder
wait $reader
check "... once the lock goes: exit $? (2: one of three recorded), the answer recorded" \
	sh -c "grep -q 'recorded: qtvi accepted' '$TMP/lk.out' && [ \"\$(sqlite3 '$TMP/lk.db' 'SELECT count(*) FROM replies')\" -gt '$before' ]"
run --db "$TMP/lk.db" replies "$prof" "$TMP/order.ics"
check "... and a run after it finds the message recorded (exit $rc)" \
	sh -c "[ $rc -eq 0 ] && grep -q 'already recorded (the same message)' '$TMP/stdout'"

# the same maildir again: nothing recorded, and it says so
before=$(dump)
run --db "$db" replies "$prof" "$md"
check "again: exit 0" [ "$rc" -eq 0 ]
check "again: each message already recorded" [ "$(grep -c 'already recorded (the same message): nothing recorded again' "$TMP/stdout")" -eq 3 ]
check "again: the store is unchanged" [ "$(dump)" = "$before" ]

# bad answers, each alone: a warning or error naming the file and line, the store unchanged
bad() { # bad NAME WANT_RC STDERR_PATTERN FILE
	before=$(dump)
	run --db "$db" replies "$prof" "$4"
	check "$1: exit $2" [ "$rc" -eq "$2" ]
	check "$1: says so with file and line" grep -q "$3" "$TMP/stderr"
	check "$1: the store is unchanged" [ "$(dump)" = "$before" ]
	cat "$TMP/stderr" | diag
}
$py "$mk" "$TMP/req/salt.ics" "$TMP/wrong.ics" accepted --attendee mailto:someone@elsewhere.example
bad "a reply from a wrong address" 65 "^dovetail: TMP/wrong.ics:[0-9][0-9]*: warning: the event: its ATTENDEE is not the address the change was sent to; nothing recorded$" "$TMP/wrong.ics"
# in a 7bit mail part, the line is the mail's own line of the VEVENT
{ printf 'From: someone@elsewhere.example\r\nContent-Type: text/calendar; method=REPLY\r\n\r\n'; cat "$TMP/wrong.ics"; } >"$TMP/wrong7.eml"
vline=$(( $(grep -n '^BEGIN:VEVENT' "$TMP/wrong.ics" | cut -d: -f1) + 3 ))
bad "a 7bit mail from a wrong address" 65 "^dovetail: TMP/wrong7.eml:$vline: warning: the event: its ATTENDEE is not the address" "$TMP/wrong7.eml"
$py "$mk" "$TMP/req/salt.ics" "$TMP/from.eml" accepted --eml someone@elsewhere.example
bad "a mail whose From is not the practitioner" 65 "^dovetail: TMP/from.eml:[0-9][0-9]*: warning: the event: the mail's From is not the address" "$TMP/from.eml"
# a mail's sender must be one address, the practitioner's: a mail without
# From, or whose From lists another mailbox before theirs, is refused (a
# sender check such as DMARC cannot vouch for either)
$py "$mk" "$TMP/req/salt.ics" "$TMP/salt-ok.ics" accepted
{ printf 'To: earlyhelp.p0417@council.example\r\nContent-Type: text/calendar; method=REPLY\r\n\r\n'; cat "$TMP/salt-ok.ics"; } >"$TMP/nofrom.eml"
bad "a mail without From" 65 "^dovetail: TMP/nofrom.eml:[0-9][0-9]*: warning: the event: the mail's From (none, or not one address) is not the address" "$TMP/nofrom.eml"
{ printf 'From: Eve <eve@elsewhere.example>, <salt@bristol-children.example>\r\nContent-Type: text/calendar; method=REPLY\r\n\r\n'; cat "$TMP/salt-ok.ics"; } >"$TMP/twofrom.eml"
bad "a mail From two mailboxes, the practitioner's the second" 65 "^dovetail: TMP/twofrom.eml:[0-9][0-9]*: warning: the event: the mail's From (none, or not one address)" "$TMP/twofrom.eml"
seq=$(sed -n 's/^SEQUENCE://p' "$TMP/req/salt.ics" | tr -d '\r')
$py "$mk" "$TMP/req/salt.ics" "$TMP/stale.ics" declined --sequence $((seq - 1))
bad "a reply for a stale SEQUENCE" 65 "^dovetail: TMP/stale.ics:[0-9][0-9]*: warning: the event is for SEQUENCE $((seq - 1)), but SEQUENCE $seq is the one sent (it answers an older version); nothing recorded$" "$TMP/stale.ics"
$py "$mk" "$TMP/req/salt.ics" "$TMP/ahead.ics" declined --sequence $((seq + 1))
bad "a reply ahead of what was sent" 65 "TMP/ahead.ics:[0-9][0-9]*: warning: .*(it is ahead of what was sent)" "$TMP/ahead.ics"
$py "$mk" "$TMP/req/salt.ics" "$TMP/nothing.ics" declined --uid no-such-event@elsewhere.example
bad "a reply matching nothing" 65 "^dovetail: TMP/nothing.ics:[0-9][0-9]*: warning: the event answers no change that was sent" "$TMP/nothing.ics"
sed '/^ATTENDEE/s/;PARTSTAT=ACCEPTED//' "$TMP/wrong.ics" | sed 's/someone@elsewhere.example/salt@bristol-children.example/' >"$TMP/nopartstat.ics"
grep -q PARTSTAT "$TMP/nopartstat.ics" && not_ok "the PARTSTAT was taken out"
bad "a malformed reply (no PARTSTAT)" 65 "^dovetail: TMP/nopartstat.ics:[0-9][0-9]*: error: not a usable iTIP answer: its ATTENDEE has no PARTSTAT; nothing recorded from this message$" "$TMP/nopartstat.ics"
$py "$mk" "$TMP/req/salt.ics" "$TMP/trunc.ics" accepted
head -n 25 "$TMP/trunc.ics" >"$TMP/trunc2.ics"
bad "a truncated reply" 65 "^dovetail: TMP/trunc2.ics:[0-9][0-9]*: error: " "$TMP/trunc2.ics"
$py "$mk" "$TMP/req/salt.ics" "$TMP/b64.eml" accepted --eml salt@bristol-children.example
sed '/^Content-Transfer-Encoding: base64/,$ s/^QkVH/Q!VH/' "$TMP/b64.eml" >"$TMP/b64bad.eml"
bad "a mail whose base64 is broken" 65 "^dovetail: TMP/b64bad.eml:[0-9][0-9]*: error: not a usable iTIP answer: the calendar part's encoding is broken" "$TMP/b64bad.eml"
printf 'From: a@b.example\r\nSubject: hello\r\n\r\njust text\r\n' >"$TMP/plain.eml"
bad "a mail without a calendar part" 65 "^dovetail: TMP/plain.eml: error: not a usable iTIP answer: the mail has no text/calendar part" "$TMP/plain.eml"
sed 's/^METHOD:REPLY/METHOD:PUBLISH/' "$TMP/trunc.ics" >"$TMP/publish.ics"
bad "a calendar that is no answer (METHOD:PUBLISH)" 65 "^dovetail: TMP/publish.ics:4: error: not a usable iTIP answer: its METHOD is not REPLY, COUNTER or DECLINECOUNTER" "$TMP/publish.ics"

# one good and one bad: the good one is recorded, status 2
rows=$(sqlite3 "$db" 'SELECT count(*) FROM replies')
mkdir -p "$TMP/mixed"
cp "$TMP/trunc.ics" "$TMP/mixed/1-good.ics"
cp "$TMP/wrong.ics" "$TMP/mixed/2-wrong.ics"
run --db "$db" replies "$prof" "$TMP/mixed"
check "one good, one from a wrong address: exit 2" [ "$rc" -eq 2 ]
check "... the good one is recorded" grep -q "^TMP/mixed/1-good.ics:[0-9]*: recorded: salt accepted" "$TMP/stdout"
check "... the other is not" grep -q "^TMP/mixed/2-wrong.ics:[0-9]*: nothing recorded$" "$TMP/stdout"
check "... one row more" [ "$(sqlite3 "$db" 'SELECT count(*) FROM replies')" -eq $((rows + 1)) ]
# standard input, and --json
run --db "$db" replies --json "$prof" - <"$TMP/trunc.ics"
check "stdin: the same message again, already recorded (exit 0)" [ "$rc" -eq 0 ]
check "--json: format dovetail-replies/1" $py -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "dovetail-replies/1" and d["already_recorded"] == 1
assert d["answers"][0]["file"] == "<stdin>" and d["answers"][0]["fate"] == "already-recorded"' "$TMP/stdout"

# bounds
before=$(dump)
mkdir -p "$TMP/many"
i=0
while [ $i -le 1000 ]; do : >"$TMP/many/m$i"; i=$((i + 1)); done
run --db "$db" replies "$prof" "$TMP/many"
check "1,001 messages: exit 65" [ "$rc" -eq 65 ]
check "... more messages than the limit of 1000" grep -q "error: more messages in one run than the limit of 1000; nothing recorded" "$TMP/stderr"
check "... the store is unchanged" [ "$(dump)" = "$before" ]
{ cat "$TMP/trunc.ics"; head -c 8388608 /dev/zero | tr '\0' 'x'; } >"$TMP/big.ics"
run --db "$db" replies "$prof" "$TMP/big.ics"
check "a message over 8 MiB: exit 65" [ "$rc" -eq 65 ]
check "... more bytes in one message than the limit" grep -q "TMP/big.ics: error: more bytes in one message than the limit of 8388608" "$TMP/stderr"
$py - "$TMP/trunc.ics" "$TMP/events65.ics" <<'PY'
import sys
s = open(sys.argv[1], newline="").read()
b, e = s.index("BEGIN:VEVENT"), s.index("END:VEVENT") + len("END:VEVENT\r\n")
ev = s[b:e]
out = s[:b] + "".join(ev.replace("SEQUENCE:", "RECURRENCE-ID:202611%02dT100000Z\r\nSEQUENCE:" % (k % 28 + 1), 1) if k else ev for k in range(65)) + s[e:]
open(sys.argv[2], "w", newline="").write(out)
PY
run --db "$db" replies "$prof" "$TMP/events65.ics"
check "65 events in one message: exit 65" [ "$rc" -eq 65 ]
check "... more answered events than the limit of 64" grep -q "error: more answered events in one message than the limit of 64" "$TMP/stderr"
check "... the store is unchanged" [ "$(dump)" = "$before" ]

# import refuses iTIP messages, and points to replies
for f in "$TMP/trunc.ics" "$md/cur/3.diet" "$TMP/req/paed.ics"; do
	m=$(sed -n 's/^METHOD://p' "$f" | tr -d '\r')
	run --db "$db" import "$f"
	check "import of a METHOD:$m file: exit 65" [ "$rc" -eq 65 ]
	check "... names the file and line, points to replies" \
		grep -q "^dovetail: TMP/.*:[0-9]*:1: error: METHOD:$m: this is an iTIP message, not a calendar feed; nothing imported (read practitioners' answers with \`dovetail replies\`)$" "$TMP/stderr"
	check "... the store is unchanged" [ "$(dump)" = "$before" ]
done

# DECLINECOUNTER: the organizer of an event (salt's feed names one)
# declines the COUNTER export --counter sent; a fresh store
db2=$TMP/store2.db
run --db "$db2" propose --json "$prof"
id3=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["proposals"][0]["id"])' "$TMP/stdout")
run --db "$db2" accept "$id3" --by keyworker
run --db "$db2" export "$prof" --itip "$TMP/ctr" --counter
check "export --counter: a COUNTER to salt's organizer" grep -q "^METHOD:COUNTER" "$TMP/ctr/salt.ics"
org=$(sed -n 's/^ORGANIZER[^:]*:mailto:\(.*\)/\1/p' "$TMP/ctr/salt.ics" | tr -d '\r')
$py "$mk" "$TMP/ctr/salt.ics" "$TMP/dc.eml" declinecounter --eml "$org"
run --db "$db2" replies "$prof" "$TMP/dc.eml"
check "a DECLINECOUNTER (in a mail from the organizer) recorded" grep -q "recorded: salt declinecounter" "$TMP/stdout"
run --db "$db2" check "$prof"
check "... salt's change is undone (its Fri clash with paed is back)" grep -q "overlap .*salt 10:00-10:45 overlaps paed" "$TMP/stdout"
run --db "$db2" replies "$prof" "$TMP/ctr/salt.ics"
check "dovetail's own COUNTER is no answer: exit 65" [ "$rc" -eq 65 ]

# a practitioner without an address: the REQUEST went to the event's
# ORGANIZER, and the answer from there is theirs
mkdir -p "$TMP/noaddr"
cp -r "$d/feeds" "$TMP/noaddr/"
cp "$prof" "$TMP/noaddr/profile.yaml"
profile_edit "$TMP/noaddr/profile.yaml" '[x.pop("address") for x in p["practitioners"] if x["id"] == "salt"]'
db3=$TMP/store3.db
run --db "$db3" propose --json "$TMP/noaddr/profile.yaml"
id4=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["proposals"][0]["id"])' "$TMP/stdout")
run --db "$db3" accept "$id4" --by keyworker
run --db "$db3" export "$TMP/noaddr/profile.yaml" --itip "$TMP/req3"
att=$(tr -d '\r' <"$TMP/req3/salt.ics" | sed -e ':a' -e 'N' -e '$!ba' -e 's/\n //g' | sed -n 's/^ATTENDEE.*:mailto:\(.*\)/\1/p')
check "without an address, salt's REQUEST went to the event's ORGANIZER ($att)" [ -n "$att" ] && [ "mailto:$att" != "mailto:salt@bristol-children.example" ]
$py "$mk" "$TMP/req3/salt.ics" "$TMP/noaddr.ics" accepted
run --db "$db3" replies "$TMP/noaddr/profile.yaml" "$TMP/noaddr.ics"
check "... and the answer from there is recorded" grep -q "recorded: salt accepted" "$TMP/stdout"
# a COUNTER whose end is on another day says the end's day; one whose end
# is before its start is refused (RFC 5545 3.8.2.2)
$py "$mk" "$TMP/req3/salt.ics" "$TMP/overnight.ics" counter --start 20261126T1100 --end 20261127T0900
run --db "$db3" replies "$TMP/noaddr/profile.yaml" "$TMP/overnight.ics"
check "a COUNTER ending on another day: recorded, the end's day said" \
	grep -q "recorded: salt counter (SEQUENCE [0-9]*), suggests Thu 26 Nov 11:00 - Fri 27 Nov 09:00\$" "$TMP/stdout"
run --db "$db3" status "$TMP/noaddr/profile.yaml"
check "... and status says the end's date" grep -q "suggested 2026-11-26T11:00-2026-11-27T09:00," "$TMP/stdout"
$py "$mk" "$TMP/req3/salt.ics" "$TMP/backwards.ics" counter --start 20261126T1100 --end 20261126T1000
run --db "$db3" replies "$TMP/noaddr/profile.yaml" "$TMP/backwards.ics"
check "a COUNTER whose end is before its start: exit 65, said at its line and column" \
	sh -c "[ $rc -eq 65 ] && grep -q '^dovetail: TMP/backwards.ics:[0-9]*:[0-9]*: error: VEVENT [^ ]* ends before it starts' '$TMP/stderr'"

# a later accepted change supersedes the decline: the plan follows it
run --db "$db" propose --json "$prof"
id2=$($py -c '
import json, sys
d = json.load(open(sys.argv[1]))
p = d["proposals"][0]
print(p["id"], next(i + 1 for i, c in enumerate(p["changes"]) if c["practitioner"] == "paed"))' "$TMP/stdout")
new_at=$($py -c '
import json, sys
p = json.load(open(sys.argv[1]))["proposals"][0]
print(next(c["to"]["start"] for c in p["changes"] if c["practitioner"] == "paed"))' "$TMP/stdout")
run --db "$db" accept $id2 --by keyworker
check "accept a new move of paed ($id2, to $new_at)" [ "$rc" -eq 0 ]
run --db "$db" week --json "$prof"
check "the new accept is in force, the decline (of an older SEQUENCE) no longer undoes it" grep -q "\"$new_at" "$TMP/stdout"
run --db "$db" check "$prof"
check "... and the overlap of paed as booked is gone from check" sh -c "! grep -q 'overlaps paed 09:40' '$TMP/stdout'"
done_testing
