#!/bin/sh
# t-status.sh: `dovetail status` through the whole loop, with real peers:
# examples/family-cp, proposal 1 accepted (every change "not sent yet");
# `send` to a real SMTP server on 127.0.0.1 (python3-aiosmtpd, STARTTLS
# and a login; tests/cli/smtpserver.py) (every change sent, waiting 0 days,
# then 3 days at a later --now); the practitioners answer the way a
# calendar does (tests/cli/itip_reply.py, python3-icalendar): one ACCEPTED,
# one DECLINED, `replies` records them (accepted; declined, the change
# undone in the plan), the rest still waiting; --json
# says the same; `report` shows it too; the next `send` gives the declined
# change's partners a revised REQUEST. Nothing status does writes the store.
# Usage: t-status.sh DOVETAIL
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
srv=$SRCDIR/tests/cli/smtpserver.py
mk=$SRCDIR/tests/cli/itip_reply.py
cd "$TMP" || exit 1
if ! $py -c 'import aiosmtpd' 2>/dev/null || ! command -v openssl >/dev/null 2>&1; then
	not_ok "python3-aiosmtpd and openssl are there (tools/run-tests installs them)"
	done_testing
fi
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$TMP"' EXIT
mkdir tls
openssl req -x509 -newkey rsa:2048 -nodes -keyout tls/key.pem -out tls/cert.pem -days 2 \
	-subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" >tls/log 2>&1
export DOVETAIL_SMTP_USER=kw DOVETAIL_SMTP_PASSWORD=pw-status-test DOVETAIL_SMTP_CA=$TMP/tls/cert.pem
mkdir got
SMTP_TEST_LOGIN=kw:pw-status-test $py "$srv" got port --tls tls/cert.pem tls/key.pem >srv.log 2>&1 &
pid=$!
i=0
while [ ! -s port ] && [ $i -lt 300 ] && kill -0 "$pid" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
check "the SMTP server listens" [ -s port ]
export DOVETAIL_SMTP_URL=smtp://127.0.0.1:$(cat port)

cp -r "$SRCDIR/examples/family-cp" fam
prof=fam/profile.yaml
db=$TMP/s.db
# js EXPR: over the last stdout as JSON (d)
js() { $py -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$TMP/stdout" "$1"; }
run --db "$db" propose --json -k 1 "$prof"
p1=$(js 'd["proposals"][0]["id"]')
n=$(js 'len(d["proposals"][0]["changes"])')
run --db "$db" accept "$p1" --by keyworker
check "accept proposal 1 ($n changes)" [ "$rc" -eq 0 ]
run --db "$db" status "$prof"
check "status: exit 0" [ "$rc" -eq 0 ]
check "... $n agreed changes, none sent" grep -q "^$n agreed changes: 0 sent, 0 answered, 0 waiting$" "$TMP/stdout"
check "... each says not sent yet" [ "$(grep -c 'sent     not yet' "$TMP/stdout")" -eq "$n" ]
sqlite3 "$db" .dump >before.sql
run --db "$db" status --json "$prof"
check "status --json: format dovetail-status/1, every change decided by keyworker" \
	$py -c 'import json, sys; d = json.load(open(sys.argv[1]))
assert d["format"] == "dovetail-status/1" and len(d["changes"]) == int(sys.argv[2])
assert all(c["decided"]["by"] == "keyworker" and c["sent"] is None and c["answer"] is None for c in d["changes"])' "$TMP/stdout" "$n"
sqlite3 "$db" .dump >after.sql
check "status writes nothing" cmp -s before.sql after.sql

run --db "$db" send "$prof"
check "send: exit 0 (got $rc)" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || diag <"$TMP/stderr"
run --db "$db" status "$prof"
check "status after send: all $n sent, waiting" grep -q "^$n agreed changes: $n sent, 0 answered, $n waiting$" "$TMP/stdout"
check "... 0 days so far" [ "$(grep -c 'waiting, 0 days since it was sent' "$TMP/stdout")" -eq "$n" ]
run --db "$db" --now 2026-11-26T00:00:00Z status "$prof"
check "... 3 days at a later --now" [ "$(grep -c 'waiting, 3 days since it was sent' "$TMP/stdout")" -eq "$n" ]

# the practitioners answer: from the REQUESTs as sent (export --itip writes the same)
run --db "$db" export "$prof" --itip "$TMP/req"
set -- "$TMP"/req/*.ics
a=$1 b=$2
pa=$(basename "$a" .ics) pb=$(basename "$b" .ics)
pa=${pa%+*} pb=${pb%+*}
mkdir -p answers
$py "$mk" "$a" answers/a.ics accepted && $py "$mk" "$b" answers/b.ics declined
check "answers made with python3-icalendar ($pa accepts, $pb declines)" [ -s answers/a.ics ] && [ -s answers/b.ics ]
run --db "$db" replies "$prof" answers/a.ics answers/b.ics
check "replies: exit 0 (got $rc)" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || diag <"$TMP/stderr"
run --db "$db" --now 2026-11-26T00:00:00Z status --json "$prof"
cp "$TMP/stdout" st.json
check "status: $pa's change answered 'accepted', $pb's 'declined' (undone in the plan); the rest wait 3 days" \
	$py -c 'import json, sys; d = json.load(open(sys.argv[1])); n, pa, pb = int(sys.argv[2]), sys.argv[3], sys.argv[4]
c = d["changes"]
acc = [x for x in c if x["practitioner"] == pa]
assert acc and all(x["answer"] and x["answer"]["kind"] == "accepted" and x["waiting_days"] is None for x in acc), acc
dec = [x for x in c if x["practitioner"] == pb]
assert dec and all(x["answer"] and x["answer"]["kind"] == "declined" for x in dec), dec
assert all(x["answer"] is None and x["waiting_days"] == 3 for x in c if x["practitioner"] not in (pa, pb)), c
t = d["totals"]
assert t["answered"] == len(acc) + len(dec) and t["waiting"] == t["changes"] - len(acc) - len(dec), t' \
	st.json "$n" "$pa" "$pb"
# the decline reopened the group (docs/replies.md): the partners already
# told of the move get a revised REQUEST where they now are, the one who
# declined nothing, the rest nothing again
ls got | sort >got.before
run --db "$db" --now 2026-11-26T00:00:00Z send "$prof"
check "send after the decline: exit 0 (got $rc)" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || diag <"$TMP/stderr"
ls got | sort >got.after
comm -13 got.before got.after >got.new
$py - "$TMP/got" "$TMP/got.new" "$db" "$pb" fam/profile.yaml >rev.log 2>&1 <<'PY'
import email, email.policy, sqlite3, sys, yaml, icalendar
got, new, db, decliner, prof = sys.argv[1:6]
addr = {x["id"]: x.get("address", "").lower().replace("mailto:", "") for x in yaml.safe_load(open(prof))["practitioners"]}
c = sqlite3.connect(db)
names = [l.strip() for l in open(new) if l.strip().endswith(".eml")]
assert names, "no revised REQUEST was sent"
for n in names:
    m = email.message_from_bytes(open(got + "/" + n, "rb").read(), policy=email.policy.default)
    to = m["To"].lower()
    assert to != addr[decliner], "the practitioner who declined was written to again"
    cal = next(p for p in m.walk() if p.get_content_type() == "text/calendar")
    ics = icalendar.Calendar.from_ical(cal.get_payload(decode=True))
    for e in ics.walk("VEVENT"):
        uid, seq = str(e["UID"]), int(e["SEQUENCE"])
        before = c.execute("SELECT max(sequence) FROM sent WHERE uid = ? AND id < (SELECT max(id) FROM sent WHERE uid = ?)",
                           (uid, uid)).fetchone()[0]
        assert before is not None and seq == before + 1, (uid, seq, before)
        assert "is off" in str(e["DESCRIPTION"]), "the revision does not say the move is off"
        assert m["In-Reply-To"], "a revision is threaded"
        print("# revised REQUEST to %s, SEQUENCE %d (was %d), threaded" % (to, seq, before))
PY
check "a revised REQUEST to the declined change's partners: SEQUENCE one up, threaded, 'the move is off'; none to the one who declined" [ $? -eq 0 ]
diag <rev.log
run --db "$db" --now 2026-11-26T00:00:00Z send "$prof"
check "... and a second send sends nothing" sh -c "[ $rc -eq 0 ] && [ \"\$(ls '$TMP/got' | wc -l)\" -eq \"\$(wc -l <'$TMP/got.after')\" ]"
run --db "$db" --now 2026-11-26T00:00:00Z status "$prof"
check "status: the decline says the change is undone" grep -q "answer   declined at .*(the change is undone; that time is never proposed again)" "$TMP/stdout"
run --db "$db" --now 2026-11-26T00:00:00Z report "$prof" --proposal "$p1" --html "$TMP/r.html"
check "report: the practitioner's side in the decision column" \
	sh -c "grep -q 'the practitioner answered: accepted' '$TMP/r.html' && grep -q 'waiting for the practitioner, 3 days' '$TMP/r.html'"
done_testing
