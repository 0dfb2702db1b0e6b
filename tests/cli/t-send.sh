#!/bin/sh
# t-send.sh: `dovetail send` against a real SMTP server on 127.0.0.1
# (tests/cli/smtpserver.py: Debian's python3-aiosmtpd, with AUTH and
# STARTTLS on a throwaway self-signed certificate made here with openssl).
# examples/family-cp, proposal 1 accepted, then a second propose's first
# proposal accepted. Shows: (a) each message delivered once to the right
# recipient as a valid iMIP mail (python email + python3-icalendar), the
# same iTIP object as `export --itip --eml`; (b) a second send sends
# nothing; after a new accepted change only the changed messages go,
# threaded (In-Reply-To, References); (c) Message-IDs unique, and stable for
# the same content at another --now; (d) a server that refuses midway (451,
# and a 550 recipient): non-zero exit naming the recipient and the reply,
# the record holds exactly what was accepted, a second run completes the
# rest without duplicates; (e) the password is in no output, no store and
# no file written; (f) STARTTLS required (a server without it is refused
# unless opted out, by the environment or the profile), the certificate
# verified; (g) --dry-run sends and records nothing. Bounds: messages per
# run, message size, References, the timeout; credentials in the URL.
# Usage: t-send.sh DOVETAIL
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
srv=$SRCDIR/tests/cli/smtpserver.py
chk=$SRCDIR/tests/cli/send_check.py
cd "$TMP" || exit 1
if ! $py -c 'import aiosmtpd' 2>/dev/null || ! command -v openssl >/dev/null 2>&1; then
	not_ok "python3-aiosmtpd and openssl are there (tools/run-tests installs them)"
	done_testing
fi
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT

PW='Zq7-SECRET-pw-9xK'
LOGIN=keyworker
mkdir tls
openssl req -x509 -newkey rsa:2048 -nodes -keyout tls/key.pem -out tls/cert.pem -days 2 \
	-subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" >tls/log 2>&1
check "a self-signed certificate for 127.0.0.1" [ -s tls/cert.pem ]
export DOVETAIL_SMTP_USER=$LOGIN DOVETAIL_SMTP_PASSWORD=$PW DOVETAIL_SMTP_CA=$TMP/tls/cert.pem
export SEND_CHECK_LOGIN=$LOGIN

# server NAME [ARGS...]: start smtpserver.py (received mail in NAME.got),
# requiring the login $srv_login (USER:PASSWORD) if set; wait for it to
# listen (a port file; 30 s cap), set $port and $url.
srv_login=
server() {
	name=$1
	shift
	mkdir -p "$name.got"
	SMTP_TEST_LOGIN=$srv_login $py "$srv" "$name.got" "$name.port" "$@" >"$name.log" 2>&1 &
	echo $! >"$name.pid"
	pids="$pids $!"
	i=0
	while [ ! -s "$name.port" ] && [ $i -lt 300 ] && kill -0 "$(cat "$name.pid")" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	port=$(cat "$name.port" 2>/dev/null)
	url=smtp://127.0.0.1:$port
	[ -n "$port" ] || { not_ok "server $name started"; diag <"$name.log"; }
}
stop() { kill "$(cat "$1.pid")" 2>/dev/null; }
got() { ls "$1.got" | grep -c '\.eml$'; }
rows() { $py -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM sent").fetchone()[0])' "$1"; }
ids() { $py -c 'import sqlite3, sys; [print(r[0]) for r in sqlite3.connect(sys.argv[1]).execute("SELECT DISTINCT message_id FROM sent ORDER BY 1")]' "$1"; }
keep() { cat "$TMP/stdout" "$TMP/stderr" >>all-output; }   # every output, for (e)

cp -r "$SRCDIR/examples/family-cp" fam
prof=fam/profile.yaml
run --db s.db propose --json -k 3 "$prof"
cp "$TMP/stdout" p.json
p1=$($py -c 'import json; print(json.load(open("p.json"))["proposals"][0]["id"])')
run --db s.db accept "$p1" --by keyworker
check "accept proposal 1 ($p1)" [ "$rc" -eq 0 ]
cp s.db acc.db   # the agreed plan, nothing sent: the start of (d), (f) and the bounds
# the servers with TLS require the login
srv_login=$LOGIN:$PW
server main2 --tls tls/cert.pem tls/key.pem
export DOVETAIL_SMTP_URL=$url

# usage: one profile; no option takes a server or a credential
run --db s.db send
check "send with no profile: exit 64" [ "$rc" -eq 64 ]
run --db s.db send "$prof" --password "$PW"
keep
check "send --password: no such option, exit 64" [ "$rc" -eq 64 ]
run --db s.db send --help
check "send --help: exit 0, names the environment" sh -c "[ $rc -eq 0 ] && grep -q DOVETAIL_SMTP_PASSWORD '$TMP/stdout'"

# (g) --dry-run: says what would go, sends and records nothing; needs no server
run --db s.db send "$prof" --dry-run
keep
check "(g) --dry-run: exit 0" [ "$rc" -eq 0 ]
check "(g) ... names 4 messages: recipient, subject, Message-ID" \
	[ "$(grep -c '^would send REQUEST to [a-z]*@bristol-children.example ([a-z]*): Changed appointment: P-0417, <dovetail\.[0-9a-f]\{32\}@council\.example>$' "$TMP/stdout")" -eq 4 ]
check "(g) ... the server received nothing" [ "$(got main2)" -eq 0 ]
check "(g) ... the store records nothing" [ "$(rows s.db)" -eq 0 ]
DOVETAIL_SMTP_URL= run --db s.db send "$prof" --dry-run
check "(g) --dry-run with no server configured: exit 0" [ "$rc" -eq 0 ]
DOVETAIL_SMTP_URL= run --db s.db send "$prof"
keep
check "send with no server configured: exit 65, says where to set it" \
	sh -c "[ $rc -eq 65 ] && grep -q 'no SMTP server: set mail.server in the profile, or DOVETAIL_SMTP_URL' '$TMP/stderr'"

# (a) each message once, to the right recipient, a valid iMIP mail
run --db s.db send "$prof"
keep
check "(a) send: exit 0" [ "$rc" -eq 0 ]
check "(a) ... says it sent 4" grep -q '^sent 4, already sent 0, left 0$' "$TMP/stdout"
check "(a) the server received 4 messages" [ "$(got main2)" -eq 4 ]
check "(a) 4 different recipients" [ "$($py "$chk" summary main2.got | $py -c 'import sys, json; print(len({json.loads(l)["rcpt"][0] for l in sys.stdin}))')" -eq 4 ]
$py "$chk" mails main2.got s.db "$prof" >a.txt 2>&1
check "(a) each: recipient = To = ATTENDEE, multipart/alternative text/plain + text/calendar, METHOD:REQUEST, one UID, SEQUENCE as recorded, over TLS with the login" [ $? -eq 0 ]
diag <a.txt
$py - main2.got p.json "$prof" <<'PY' >a3.txt 2>&1
import email, email.policy, glob, json, sys, icalendar, yaml
prof = yaml.safe_load(open(sys.argv[3]))
addr = {p["id"]: p["address"][7:] for p in prof["practitioners"] if p.get("address")}
owner = {c["uid"]: c["practitioner"] for c in json.load(open(sys.argv[2]))["proposals"][0]["changes"]}
seen = []
for f in sorted(glob.glob(sys.argv[1] + "/*.eml")):
    m = email.message_from_bytes(open(f, "rb").read(), policy=email.policy.default)
    env = json.load(open(f[:-4] + ".json"))
    cal = icalendar.Calendar.from_ical(next(p for p in m.walk() if p.get_content_type() == "text/calendar").get_payload(decode=True))
    uid = str(cal.walk("VEVENT")[0]["UID"])
    assert env["rcpt_tos"] == [addr[owner[uid]]], (f, env["rcpt_tos"], owner[uid])
    seen.append(uid)
assert sorted(seen) == sorted(owner), "not each accepted change once"
print("each of the %d changes went once, to its own practitioner" % len(seen))
PY
check "(a) each accepted change went once, to its own practitioner's address ($(tail -1 a3.txt))" [ $? -eq 0 ]
check "(a) the store records the 4 (one row per appointment)" [ "$(rows s.db)" -eq 4 ]
run --db s.db export "$prof" --itip out1 --eml
$py - main2.got out1 <<'PY' >a2.txt 2>&1
import email, email.policy, glob, os, sys
got = {}
for f in glob.glob(sys.argv[1] + "/*.eml"):
    m = email.message_from_bytes(open(f, "rb").read(), policy=email.policy.default)
    cal = next(p for p in m.walk() if p.get_content_type() == "text/calendar").get_payload(decode=True)
    got[str(m["Message-ID"])] = cal
exp = {}
for f in glob.glob(sys.argv[2] + "/*.eml"):
    m = email.message_from_bytes(open(f, "rb").read(), policy=email.policy.default)
    exp[str(m["Message-ID"])] = open(f[:-4] + ".ics", "rb").read()
assert got == exp, (sorted(got), sorted(exp))
print("same %d messages" % len(got))
PY
check "(a) the same iTIP objects and Message-IDs as export --itip --eml ($(tail -1 a2.txt))" [ $? -eq 0 ]

# (b) nothing changed: nothing sent
run --db s.db send "$prof"
keep
check "(b) a second send: exit 0" [ "$rc" -eq 0 ]
check "(b) ... says each is already sent and unchanged" [ "$(grep -c '^already sent to .*, unchanged: not sent again$' "$TMP/stdout")" -eq 4 ]
check "(b) ... the server received nothing more" [ "$(got main2)" -eq 4 ]
check "(b) ... the store records nothing more" [ "$(rows s.db)" -eq 4 ]
# (c) the same content keeps its id at another moment
run --db s.db --now 20261123T093000Z send "$prof" --dry-run
check "(c) at another --now: the same messages are already sent, with the same ids" \
	sh -c "[ \$(grep -c '^already sent' '$TMP/stdout') -eq 4 ] && [ \"\$(sed -n 's/^already sent.*<\(.*\)>.*/\1/p' '$TMP/stdout' | sort)\" = \"$(ids s.db)\" ]"
run --db s.db --now 20261123T093000Z export "$prof" --itip out2 --eml
check "(c) export --itip --eml at another --now: the same Message-IDs" \
	[ "$(grep -h '^Message-ID' out1/*.eml | sort)" = "$(grep -h '^Message-ID' out2/*.eml | sort)" ]
run --db s.db export "$prof" --itip out3 --eml --counter
# every id names one content: REQUEST and COUNTER, one message to two people
$py - out1 out3 <<'PY' >c.txt 2>&1
import email, email.policy, glob, re, sys
by = {}
for d in sys.argv[1:]:
    for f in glob.glob(d + "/*.eml"):
        m = email.message_from_bytes(open(f, "rb").read(), policy=email.policy.default)
        ics = re.sub(rb"DTSTAMP:[^\r\n]*\r\n", b"", open(f[:-4] + ".ics", "rb").read())
        by.setdefault(str(m["Message-ID"]), set()).add((ics, str(m["To"])))
assert all(len(v) == 1 for v in by.values()), "an id for two contents"
print("%d ids, each one content" % len(by))
PY
check "(c) REQUEST and COUNTER files: every Message-ID names one content ($(tail -1 c.txt))" [ $? -eq 0 ]

# (b) a new accepted change: only the changed messages go, threaded
run --db s.db propose --json -k 3 "$prof"
cp "$TMP/stdout" p2.json
p2=$($py -c '
import json
d = json.load(open("p2.json"))
print(next(x["id"] for x in d["proposals"] if x["changes"]))')
run --db s.db accept "$p2" --by keyworker
check "(b) accept a second proposal ($p2)" [ "$rc" -eq 0 ]
nchg=$($py -c '
import json, sys
d = json.load(open("p2.json"))
x = next(x for x in d["proposals"] if x["id"] == sys.argv[1])
print(len({c["practitioner"] + " " + c["uid"] for c in x["changes"]}))' "$p2")
run --db s.db send "$prof"
keep
check "(b) send after it: exit 0" [ "$rc" -eq 0 ]
check "(b) ... only the $nchg changed messages go" [ "$(got main2)" -eq $((4 + nchg)) ]
$py "$chk" mails main2.got s.db "$prof" 5 >b.txt 2>&1
check "(b) ... each a valid iMIP mail" [ $? -eq 0 ]
diag <b.txt
$py "$chk" summary main2.got >sum.txt
$py - sum.txt <<'PY' >b2.txt 2>&1
import json, sys
msgs = [json.loads(l) for l in open(sys.argv[1])]
old, new = msgs[:4], msgs[4:]
threaded = 0
for m in new:
    keys = {(e["uid"], e["rid"]) for e in m["events"]}
    before = [o for o in old if o["rcpt"] == m["rcpt"] and keys & {(e["uid"], e["rid"]) for e in o["events"]}]
    if before:
        assert m["in_reply_to"] == before[-1]["msgid"], (m["file"], m["in_reply_to"])
        assert m["references"] == [o["msgid"] for o in before], (m["file"], m["references"])
        threaded += 1
    else:
        assert m["in_reply_to"] is None and not m["references"], m["file"]
assert threaded >= 1, "no re-send"
ids = [m["msgid"] for m in msgs]
assert len(set(ids)) == len(ids), "a Message-ID twice"
print("%d re-sends threaded, %d new, %d ids unique" % (threaded, len(new) - threaded, len(ids)))
PY
check "(b) the re-sends carry In-Reply-To and References of the earlier ones, the new ones neither; (c) all ids unique ($(tail -1 b2.txt))" [ $? -eq 0 ]
diag <b2.txt
check "(b) ... says which are re-sends" grep -q ', a re-send in reply to <dovetail\.' "$TMP/stdout"
run --db s.db send "$prof"
check "(b) and again: nothing" sh -c "[ $rc -eq 0 ] && [ $(got main2) -eq $((4 + nchg)) ]"

# (d) a server that refuses the 3rd message (451), then accepts
cp acc.db d.db
server refuse --tls tls/cert.pem tls/key.pem --refuse-nth 3 451 '4.3.0 Temporary local problem, try later'
DOVETAIL_SMTP_URL=$url run --db d.db send "$prof"
keep
third=$(sed -n 3p "$TMP/stdout" | sed -n 's/^not sent: REQUEST to \([^ ]*\) .*/\1/p')
check "(d) refused midway: exit 69" [ "$rc" -eq 69 ]
check "(d) ... stderr names the recipient ($third) and the reply" \
	grep -q "^dovetail: error: smtp://127.0.0.1:$port: the message to $third was not sent: 451 4.3.0 Temporary local problem, try later (after DATA); nothing more is sent$" "$TMP/stderr"
diag <"$TMP/stderr"
check "(d) ... 2 sent, the 3rd not, the 4th left" \
	sh -c "[ \$(grep -c '^sent REQUEST' '$TMP/stdout') -eq 2 ] && grep -q '^left for the next run: ' '$TMP/stdout' && grep -q '^sent 2, already sent 0, left 2$' '$TMP/stdout'"
check "(d) ... the server kept 2" [ "$(got refuse)" -eq 2 ]
check "(d) ... the store records exactly those 2" \
	[ "$(ids d.db)" = "$($py "$chk" summary refuse.got | $py -c 'import sys, json; [print(json.loads(l)["msgid"]) for l in sys.stdin]' | sort)" ]
DOVETAIL_SMTP_URL=$url run --db d.db send "$prof"
keep
check "(d) the next run: exit 0, sends the 2 left" sh -c "[ $rc -eq 0 ] && grep -q '^sent 2, already sent 2, left 0$' '$TMP/stdout'"
check "(d) ... 4 messages in all, 4 recipients, no duplicate" \
	[ "$($py "$chk" summary refuse.got | $py -c 'import sys, json; print(len({json.loads(l)["rcpt"][0] for l in sys.stdin}))')" = 4 ]
check "(d) ... the record is complete: the same ids as the clean run's first send" \
	[ "$(ids d.db)" = "$($py -c 'import sqlite3; [print(r[0]) for r in sqlite3.connect("s.db").execute("SELECT DISTINCT message_id FROM sent WHERE id <= 4 ORDER BY 1")]')" ]
stop refuse
# a refused recipient (550): 65
cp acc.db r.db
server rcpt --tls tls/cert.pem tls/key.pem --refuse-rcpt paed@bristol-children.example
DOVETAIL_SMTP_URL=$url run --db r.db send "$prof"
keep
check "(d) a recipient refused with 550: exit 65, naming it and the reply" \
	sh -c "[ $rc -eq 65 ] && grep -q 'refused the recipient paed@bristol-children.example: 550 5.1.1 <paed@bristol-children.example>: Recipient address rejected: no such mailbox (after RCPT); nothing more is sent' '$TMP/stderr'"
check "(d) ... the store records what the server accepted before it" [ "$(rows r.db)" -eq "$(got rcpt)" ]
stop rcpt
# a wrong password
cp acc.db w.db
DOVETAIL_SMTP_PASSWORD=wrong-one run --db w.db send "$prof"
keep
check "a wrong password: exit 69 with the server's reply, nothing recorded" \
	sh -c "[ $rc -eq 69 ] && grep -q ': 535 ' '$TMP/stderr' && [ $(rows w.db) -eq 0 ]"

# (f) STARTTLS required; the certificate verified
srv_login=
server plain
DOVETAIL_SMTP_URL=$url run --db w.db send "$prof"
keep
check "(f) a server without STARTTLS: exit 69, says so, nothing sent" \
	sh -c "[ $rc -eq 69 ] && grep -q 'the server offers no STARTTLS, which is required' '$TMP/stderr' && [ $(got plain) -eq 0 ] && [ $(rows w.db) -eq 0 ]"
DOVETAIL_SMTP_URL=$url DOVETAIL_SMTP_STARTTLS=0 run --db w.db send "$prof"
keep
check "(f) ... opted out (DOVETAIL_SMTP_STARTTLS=0): sent in clear, no login offered" \
	sh -c "[ $rc -eq 0 ] && [ $(got plain) -eq 4 ] && ! grep -q '\"login\": \"' plain.got/*.json"
cp acc.db w2.db
cp -r fam fam2
profile_edit fam2/profile.yaml "p['mail'] = {'server': '$url', 'starttls': False}"
DOVETAIL_SMTP_URL= run --db w2.db send fam2/profile.yaml
check "(f) ... opted out in the profile (mail: {server, starttls: false}): sent" sh -c "[ $rc -eq 0 ] && [ $(got plain) -eq 8 ]"
stop plain
cp acc.db v.db
DOVETAIL_SMTP_CA= run --db v.db send "$prof"
keep
check "(f) a certificate no CA vouches for: exit 69, nothing sent" sh -c "[ $rc -eq 69 ] && [ $(rows v.db) -eq 0 ]"
profile_edit fam2/profile.yaml "p['mail'] = {'server': '$DOVETAIL_SMTP_URL', 'username': '$LOGIN', 'ca_file': '$TMP/tls/cert.pem'}"
DOVETAIL_SMTP_URL= DOVETAIL_SMTP_USER= DOVETAIL_SMTP_CA= run --db v.db send fam2/profile.yaml
keep
check "(f) server, login and CA from the profile (mail:), the password from the environment: sent" \
	sh -c "[ $rc -eq 0 ] && [ $(rows v.db) -eq 4 ]"
# smtps://: TLS from the first byte
srv_login=$LOGIN:$PW
server implicit --implicit tls/cert.pem tls/key.pem
cp acc.db i.db
DOVETAIL_SMTP_URL=smtps://127.0.0.1:$port run --db i.db send "$prof"
keep
check "smtps:// (TLS from the first byte, with the login): sent 4" \
	sh -c "[ $rc -eq 0 ] && [ $(got implicit) -eq 4 ] && [ $(rows i.db) -eq 4 ] && grep -q '\"login\": \"$LOGIN\"' implicit.got/001.json"
stop implicit
# netrc: the password from a netrc file, not the environment
cp acc.db n.db
printf 'machine 127.0.0.1 login %s password %s\n' "$LOGIN" "$PW" >netrc
chmod 600 netrc
NETRC=$TMP/netrc DOVETAIL_SMTP_PASSWORD= run --db n.db send "$prof"
check "the password from a netrc file (NETRC): sent" sh -c "[ $rc -eq 0 ] && [ $(rows n.db) -eq 4 ]"
rm netrc

# bounds
cp acc.db m.db
DOVETAIL_SMTP_MAX_MESSAGES=1 run --db m.db send "$prof"
keep
check "at most DOVETAIL_SMTP_MAX_MESSAGES=1 per run: exit 2, 1 sent, 3 left, said" \
	sh -c "[ $rc -eq 2 ] && [ $(rows m.db) -eq 1 ] && grep -q '3 message(s) left for the next run: at most 1 are sent per run' '$TMP/stderr'"
run --db m.db send "$prof"
check "... the next run sends the 3 left" sh -c "[ $rc -eq 0 ] && grep -q '^sent 3, already sent 1, left 0$' '$TMP/stdout'"
cp acc.db z.db
DOVETAIL_SMTP_MAX_BYTES=1024 run --db z.db send "$prof"
keep
check "a message over DOVETAIL_SMTP_MAX_BYTES=1024: exit 65, named, nothing sent" \
	sh -c "[ $rc -eq 65 ] && grep -q 'the message to [a-z]*@bristol-children.example is [0-9]* bytes, over the limit of 1024' '$TMP/stderr' && [ $(rows z.db) -eq 0 ]"
# References: the first and the latest 9 of a long thread
cp acc.db t.db
$py - t.db p.json <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
c = json.load(open(sys.argv[2]))["proposals"][0]["changes"][0]
for i in range(1, 13):
    db.execute("INSERT INTO sent (person, message_id, digest, recipient, practitioner, method, uid, rid, sequence, sent_at)"
               " VALUES ('P-0417', ?, ?, 'x@y.example', ?, 'REQUEST', ?, ?, 1, 0)",
               ("earlier-%02d@test.example" % i, "d%d" % i, c["practitioner"], c["uid"], c["recurrence_id"]))
db.commit()

PY
run --db t.db send "$prof"
$py "$chk" summary main2.got | tail -4 | grep '"in_reply_to": "earlier-12@test.example"' >t.txt
check "a long thread: In-Reply-To the latest, References the first and the latest 9 (ITIP_MAX_REFS)" \
	$py -c 'import json, sys; m = json.loads(open(sys.argv[1]).read()); assert m["references"] == ["earlier-01@test.example"] + ["earlier-%02d@test.example" % i for i in range(4, 13)], m["references"]' t.txt
# timeout: a server that never answers
$py -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1])); __import__("os").rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(120)' mute.port >/dev/null 2>&1 &
echo $! >mute.pid
pids="$pids $!"
i=0
while [ ! -s mute.port ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
cp acc.db q.db
DOVETAIL_SMTP_TIMEOUT=2 DOVETAIL_SMTP_URL=smtp://127.0.0.1:$(cat mute.port) run --db q.db send "$prof"
keep
check "a server that never answers: the timeout (DOVETAIL_SMTP_TIMEOUT=2) ends it, exit 69" \
	sh -c "[ $rc -eq 69 ] && grep -qi 'timeout\|timed out' '$TMP/stderr' && [ $(rows q.db) -eq 0 ]"
diag <"$TMP/stderr"
stop mute
# a server that stalls after the data, or at QUIT: DOVETAIL_SMTP_TIMEOUT
# bounds those waits too (they were libcurl's 120 s each). A hang check: the
# run must end well inside 60 s (timeout kills it: 124), whatever the load.
for mode in afterdata quit slow; do
	rm -f stall.port
	$py - stall.port "$mode" >/dev/null 2>&1 <<'PY' &
import os, socket, sys, threading, time
def handle(c, mode):
    f = c.makefile("rb"); c.sendall(b"220 t ESMTP\r\n")
    while True:
        l = f.readline()
        if not l:
            return
        cmd = l[:4].upper()
        if cmd == b"EHLO":
            c.sendall(b"250-t\r\n250 SIZE 1000000\r\n")
        elif cmd == b"DATA":
            c.sendall(b"354 go\r\n")
            while f.readline() not in (b".\r\n", b""):
                pass
            if mode == "afterdata":
                time.sleep(300)
            if mode == "slow":
                time.sleep(1.5)
            c.sendall(b"250 queued\r\n")
        elif cmd == b"QUIT":
            if mode == "quit":
                time.sleep(300)
            c.sendall(b"221 bye\r\n")
            return
        else:
            c.sendall(b"250 ok\r\n")
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(8)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1])); os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    c, _ = s.accept(); threading.Thread(target=handle, args=(c, sys.argv[2]), daemon=True).start()
PY
	echo $! >stall.pid
	pids="$pids $!"
	i=0
	while [ ! -s stall.port ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	cp acc.db q.db
	DOVETAIL_SMTP_TIMEOUT=2 DOVETAIL_SMTP_STARTTLS=0 DOVETAIL_SMTP_URL=smtp://127.0.0.1:$(cat stall.port) \
		DOVETAIL_SMTP_TOTAL=1 timeout 60 "$DOVETAIL" --db q.db send "$prof" >"$TMP/stdout" 2>"$TMP/stderr"
	rc=$?
	n=$(rows q.db)
	case $mode in
	afterdata) check "a server that stalls after the data: DOVETAIL_SMTP_TIMEOUT=2 ends it, exit 69 (got $rc; 124: hung)" \
		sh -c "[ $rc -eq 69 ] && grep -qi 'timeout' '$TMP/stderr'" ;;
	quit) check "a server that stalls at QUIT: the first message sent, and the run ends (got $rc; 124: hung)" \
		sh -c "[ $rc -ne 124 ] && [ $n -gt 0 ]" ;;
	slow) check "a slow server (1.5 s a message) past DOVETAIL_SMTP_TOTAL=1: one sent, the rest left, exit 2 (got $rc, $n sent)" \
		sh -c "[ $rc -eq 2 ] && [ $n -eq 1 ] && grep -q \"message(s) left for the next run: the run's time, 1 s, is spent (DOVETAIL_SMTP_TOTAL)\" '$TMP/stderr'" ;;
	esac
	stop stall
done
# two sends at once on one store (cron runs overlapping, a slow server):
# the second waits for the first and finds its messages already sent,
# never mailing a practitioner twice. Made certain without timing: another
# process holds the send lock (the store file's byte 0x3ffffff1, as
# store_hold takes it); a send started then must be seen waiting on it in
# /proc/locks (not sending), and once the lock goes, send it all once; a
# second send then sends nothing.
server lock --tls tls/cert.pem tls/key.pem
cp acc.db lk.db
$py - lk.db <<'PY' &
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX, 1, 0x3ffffff1)
open("lk.held", "w").close()
while not os.path.exists("lk.release"):
    time.sleep(0.05)
PY
holder=$!
pids="$pids $holder"
i=0
while [ ! -e lk.held ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
DOVETAIL_SMTP_URL=$url "$DOVETAIL" --db lk.db send "$prof" >lk.out 2>lk.err &
sender=$!
# wait until the send waits on the lock, or ends (without a lock: sent)
wait_on_lock $sender lk.db 1073741809
check "a send while another holds the send lock: it waits on it (/proc/locks), nothing sent" \
	sh -c "kill -0 $sender 2>/dev/null && [ \"\$(ls lock.got | grep -c '\\.eml\$')\" -eq 0 ]"
touch lk.release
wait $holder
wait $sender
check "... once the lock goes: exit $?, 4 messages sent, once each" [ "$(got lock)" -eq 4 ] && [ "$(rows lk.db)" -ge 4 ]
run --db lk.db send "$prof"
check "... and a send after it: all already sent, nothing mailed again" \
	sh -c "[ $rc -eq 0 ] && [ $(got lock) -eq 4 ] && grep -q '^sent 0, already sent 4, left 0$' '$TMP/stdout'"
stop lock

cp acc.db q.db
# credentials in the URL are refused, and not shown
DOVETAIL_SMTP_URL="smtp://$LOGIN:$PW@127.0.0.1:$port" run --db q.db send "$prof"
keep
check "a server URL with a password in it: exit 65, refused" \
	sh -c "[ $rc -eq 65 ] && grep -q 'must not carry a user or password' '$TMP/stderr'"
cp -r fam fam3
profile_edit fam3/profile.yaml "p['mail'] = {'server': 'smtp://u:$PW@127.0.0.1:25'}"
run --db q.db send fam3/profile.yaml
keep
check "... in the profile too (exit 65)" [ "$rc" -eq 65 ]
rm -rf fam3

# (e) the password is nowhere: no output, no store, no file dovetail wrote
b64=$(printf '\000%s\000%s' "$LOGIN" "$PW" | base64)
check "(e) the password is in no stdout or stderr ($(wc -l <all-output) lines)" sh -c "! grep -q -e '$PW' -e '$b64' all-output"
check "(e) ... nor in any store (SQLite files, WAL)" sh -c "! grep -a -l -e '$PW' -e '$b64' ./*.db ./*.db-* 2>/dev/null"
check "(e) ... nor in any file under the test folder (mail received, exports, home)" sh -c "! grep -r -a -l -e '$PW' -e '$b64' . --exclude=all-output"
grep -r -a -l -e "$PW" . --exclude=all-output | diag
check "(e) the check can fail: the password is found where it is" sh -c "printf '%s' '$PW' >planted && grep -q -e '$PW' planted"
stop main2
done_testing
