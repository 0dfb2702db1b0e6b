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
run --db "$db" --now 2026-11-26T00:00:00Z report "$prof" --proposal "$p1" --html "$TMP/r0.html"
check "... and the report says each waits 3 days" \
	[ "$(grep -o 'waiting for the practitioner, 3 days' "$TMP/r0.html" | wc -l)" -eq "$n" ]

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
check "status: $pa's change answered 'accepted', $pb's 'declined' (undone in the plan), the rest of $pb's group undone by it (waiting for nothing until the revision goes); the rest wait 3 days" \
	$py -c 'import json, sys; d = json.load(open(sys.argv[1])); n, pa, pb = int(sys.argv[2]), sys.argv[3], sys.argv[4]
c = d["changes"]
acc = [x for x in c if x["practitioner"] == pa]
assert acc and all(x["answer"] and x["answer"]["kind"] == "accepted" and x["waiting_days"] is None for x in acc), acc
dec = [x for x in c if x["practitioner"] == pb]
assert dec and all(x["answer"] and x["answer"]["kind"] == "declined" and x["undone"] is None for x in dec), dec
off = [x for x in c if x["undone"]]
assert all(x["undone"]["by"] == pb and x["waiting_days"] is None and not x["undone"]["revision_sent"] for x in off), off
assert all(x["answer"] is None and x["waiting_days"] == 3 for x in c if x["practitioner"] not in (pa, pb) and not x["undone"]), c
t = d["totals"]
assert t["answered"] == len(acc) + len(dec) and t["undone"] == len(off), t
assert t["waiting"] == t["changes"] - len(acc) - len(dec) - len(off), t' \
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
check "report: the practitioner's side in the decision column (an answer; a move that is off, its revision waiting)" \
	sh -c "grep -q 'the practitioner answered: accepted' '$TMP/r.html' && grep -q 'the move is off: $pb declined a change of its group, so it stays where it is booked; revision sent on 2026-11-26, waiting 0 days' '$TMP/r.html'"

# ---- a decline undoes its whole group, as accept decided it (partners of
# partners too), status says which changes it undid, every partner gets a
# revision, and a partner's answer to the revision is recorded
db=$TMP/g.db
run --db "$db" propose --json "$prof"
cp "$TMP/stdout" g.json
$py - g.json >g.pick <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
key = lambda r: (r["practitioner"], r["uid"], r["recurrence_id"])
for p in d["proposals"]:
    ch = {key(c): c for c in p["changes"]}
    for c in p["changes"]:
        grp, todo = {key(c)}, [c]
        while todo:
            for r in todo.pop()["decided_with"]:
                if key(r) not in grp and key(r) in ch:
                    grp.add(key(r))
                    todo.append(ch[key(r)])
        if len(grp) > 1 + len(c["decided_with"]):   # a partner of a partner
            print(p["id"], c["id"].rsplit("-", 1)[1], c["practitioner"],
                  " ".join(ch[k]["id"].rsplit("-", 1)[1] for k in sorted(grp) if k != key(c)))
            sys.exit(0)
sys.exit(1)
PY
check "family-cp offers a change whose group reaches a partner's partner ($(cat g.pick))" [ $? -eq 0 ]
read -r gp gc gprac gothers <g.pick
run --db "$db" accept "$gp" --by keyworker
run --db "$db" send "$prof"
check "the group's moves sent (exit $rc)" [ "$rc" -eq 0 ]
run --db "$db" export "$prof" --itip "$TMP/greq"
$py "$mk" "$TMP/greq/$gprac.ics" answers/g-dec.ics declined
run --db "$db" replies "$prof" answers/g-dec.ics
check "$gprac declines change $gc: recorded (exit $rc)" [ "$rc" -eq 0 ]
run --db "$db" week --json "$prof"
$py - "$TMP/stdout" g.json "$gp" "$gc $gothers" >g.week 2>&1 <<'PY'
import json, sys
w, d, pid, seqs = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3], sys.argv[4].split()
at = {(a["practitioner"], a["uid"], a["recurrence_id"]): a["start"] for day in w["days"] for a in day["appointments"]}
p = next(x for x in d["proposals"] if x["id"] == pid)
for c in p["changes"]:
    if c["id"].rsplit("-", 1)[1] in seqs:
        k = (c["practitioner"], c["uid"], c["recurrence_id"])
        assert at[k] == c["from"]["start"], (c["id"], at[k], c["from"])
        print("# %s back at %s" % (c["id"], at[k]))
PY
check "every change of the group ($gc $gothers) is back where it is booked in the week" [ $? -eq 0 ]
diag <g.week
run --db "$db" status --json "$prof"
check "status: the partners' changes are undone by $gprac's decline, and wait for nothing yet" \
	$py -c 'import json, sys; d = json.load(open(sys.argv[1])); who, pid, others = sys.argv[2], sys.argv[3], sys.argv[4].split()
rows = {c["change"].rsplit("-", 1)[1]: c for c in d["changes"] if c["change"].startswith(pid)}
for s in others:
    u = rows[s]["undone"]
    assert u and u["by"] == who and not u["revision_sent"] and rows[s]["waiting_days"] is None, rows[s]
assert d["totals"]["undone"] == len(others), d["totals"]' "$TMP/stdout" "$gprac" "$gp" "$gothers"
ls got | sort >g.before
run --db "$db" send "$prof"
check "send after the decline: exit 0 (got $rc)" [ "$rc" -eq 0 ]
ls got | sort >g.after
comm -13 g.before g.after | grep '\.eml$' >g.new
check "a revision to each other practitioner of the group ($(wc -l <g.new) for: $gothers)" \
	[ "$(wc -l <g.new)" -eq "$(echo $gothers | wc -w)" ]
# ical_of EML OUT: the text/calendar part of a mail
ical_of() {
	$py - "$1" "$2" <<'PY'
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
cal = next(p for p in m.walk() if p.get_content_type() == "text/calendar")
open(sys.argv[2], "wb").write(cal.get_payload(decode=True))
PY
}
rev=$(head -1 g.new)
ical_of "got/$rev" rev.ics
$py "$mk" rev.ics answers/g-rev.ics accepted
run --db "$db" replies "$prof" answers/g-rev.ics
check "an answer to the revision, at its SEQUENCE, is recorded (exit $rc)" \
	sh -c "[ $rc -eq 0 ] && grep -q 'recorded: .* accepted' '$TMP/stdout'"
run --db "$db" status --json "$prof"
check "status: that change's revision is answered, the rest of the group's revisions wait" \
	$py -c 'import json, sys; d = json.load(open(sys.argv[1])); pid, others = sys.argv[2], sys.argv[3].split()
rows = [c for c in d["changes"] if c["change"].startswith(pid) and c["change"].rsplit("-", 1)[1] in others]
done = [c for c in rows if c["answer"] and c["answer"]["kind"] == "accepted"]
assert len(done) == 1 and done[0]["waiting_days"] is None and done[0]["undone"]["revision_sent"], rows
assert all(c["waiting_days"] == 0 for c in rows if c not in done), rows' "$TMP/stdout" "$gp" "$gothers"
run --db "$db" status "$prof"
check "... and in words" grep -q "undone   the move is off: $gprac declined a change of its group" "$TMP/stdout"
check "... the answer shown as one to the revision, which changes nothing" \
	grep -q "answer   accepted, to the revision, at .*(the move is off already: it stays where it is booked" "$TMP/stdout"
# another practitioner of the group declines the revision: recorded, shown as
# an answer to the revision (not "that time is never proposed again")
if [ "$(wc -l <g.new)" -ge 2 ]; then
	rev2=$(sed -n 2p g.new)
	ical_of "got/$rev2" rev2.ics
	$py "$mk" rev2.ics answers/g-rev2.ics declined
	run --db "$db" replies "$prof" answers/g-rev2.ics
	check "a decline of the revision is recorded (exit $rc)" sh -c "[ $rc -eq 0 ] && grep -q 'recorded: .* declined' '$TMP/stdout'"
	run --db "$db" status "$prof"
	check "status: declined, to the revision; 'never proposed again' only for the first decline, of the move" \
		sh -c "grep -q 'answer   declined, to the revision' '$TMP/stdout' && [ \$(grep -c 'never proposed again' '$TMP/stdout') -eq 1 ]"
	run --db "$db" status --json "$prof"
	check "status --json: to_revision on both answers to revisions" \
		$py -c 'import json, sys; d = json.load(open(sys.argv[1]))
r = [c for c in d["changes"] if c["answer"] and c["answer"]["to_revision"]]
assert sorted(c["answer"]["kind"] for c in r) == ["accepted", "declined"], r' "$TMP/stdout"
else
	check "the group has two other practitioners to revise" false
fi
done_testing
