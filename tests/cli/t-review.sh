#!/bin/sh
# t-review.sh: `dovetail review`, driven through a real pseudo-terminal
# (python3's pty module): each change is shown with now, after and why; y
# accepts, n rejects, e takes a note first, q stops; the parts of a joint
# session are decided together and the prompt says so; every answer is in
# `dovetail history`.
. "$(dirname "$0")/lib.sh"

cd "$SRCDIR" || exit 1
db=$TMP/review.db
prof=examples/family-cp/profile.yaml
unset USER DOVETAIL_USER

run --db "$db" review --by keyworker
check "review before any proposal: exit 65" [ "$rc" -eq 65 ]
check "... saying there is none, and what to run" grep -q 'no proposal in the store yet: run `dovetail propose`' "$TMP/stderr"
run --db "$db" propose --json -k 1 "$prof"
cp "$TMP/stdout" "$TMP/p.json"
run --db "$db" review p-000000000000 --by keyworker
check "review of an unknown proposal: exit 65" [ "$rc" -eq 65 ]

# drive LOG ANSWER...: run review in a pseudo-terminal; before each answer
# wait for its prompt ("note: " after an e, else the question's "? ")
drive() {
	python3 - "$DOVETAIL" "$db" "$@" <<'PY' >"$TMP/pty.out" 2>&1
import os, pty, select, sys, time
dovetail, db, log = sys.argv[1:4]
answers = sys.argv[4:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(dovetail, [dovetail, "--db", db, "review", "--by", "keyworker"])
out = b""
def pump(timeout):
    global out
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        return False
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        return None
    if not chunk:
        return None
    out += chunk
    return True
def wait_for(token, timeout=600):   # waits on the prompt; the cap only ends a broken run
    end = time.time() + timeout
    while not out.endswith(token) and time.time() < end:
        if pump(0.2) is None:
            return False
    return out.endswith(token)
prev = ""
for a in answers:
    if not wait_for(b"note: " if prev == "e" else b"]? "):
        break
    os.write(fd, a.encode() + b"\n")
    prev = a
while pump(600):   # until end of output (None), however slow the machine
    pass
_, status = os.waitpid(pid, 0)
open(log, "wb").write(out.replace(b"\r", b""))
print("exit", os.WEXITSTATUS(status))
PY
}
drive "$TMP/session" "?" e "not on Mondays, please" n s q
check "review in a pty exits 0" grep -q "^exit 0" "$TMP/pty.out"
check "it shows now, after and why" sh -c "grep -q '^  now: ' '$TMP/session' && grep -q '^  after: ' '$TMP/session' && grep -q '^  why: ' '$TMP/session'"
check "it asks y/n/k/e/s/q/?" grep -q "accept this change \[y,n,k,e,s,q,?\]? " "$TMP/session"
check "? lists the keys" grep -q "^e - write a note, then decide" "$TMP/session"
check "e asks for a note" grep -q "note: " "$TMP/session"
check "changes that make room for each other are decided together, and it says so" \
	grep -q "decided together with .*: one makes room for the other" "$TMP/session"
# (answers typed ahead of the prompts may leave "recorded" after a prompt on its line)
check "it sums up" grep -q "recorded: 0 accepted, 1 rejected" "$TMP/session"
run --db "$db" history --json
cp "$TMP/stdout" "$TMP/h.json"
check "history holds the answer: a rejection with its note" python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))["decisions"]
assert [x["verdict"] for x in v] == ["reject"], v
assert v[0]["note"] == "not on Mondays, please" and v[0]["who"] == "keyworker", v[0]' "$TMP/h.json"
check "the skipped change was not decided" python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))["decisions"]
assert not any(x["change"].endswith("-2") for x in v), v' "$TMP/h.json"
drive "$TMP/session2" q
check "a second review asks only what is undecided" grep -q "^1 already decided" "$TMP/session2"
check "... starting at the skipped change" grep -q "^(2/4) " "$TMP/session2"
check "q stops at once, deciding nothing" grep -q "^recorded: 0 accepted, 0 rejected" "$TMP/session2"
# Issue 19, item 10: what goes into a decision is UTF-8, for good. A note
# longer than the prompt's buffer is cut, never inside a character, and
# history --json stays valid UTF-8; bad bytes in --by, --note or
# $DOVETAIL_USER are refused (64) and nothing is recorded.
long_note=$(python3 -c 'import sys; sys.stdout.write("a" * 1022 + "\u00e9" * 3)')
printf 'e\n%s\nn\nq\n' "$long_note" | "$DOVETAIL" --db "$db" review --by keyworker >"$TMP/rv.out" 2>"$TMP/rv.err"
check "a note cut at the buffer's end: review exits 0" [ $? -eq 0 ]
run --db "$db" history --json
cp "$TMP/stdout" "$TMP/h2.json"
check "history --json is valid UTF-8 and JSON, the cut note whole characters" python3 -c 'import json, sys
v = json.loads(open(sys.argv[1], "rb").read())["decisions"]
n = v[-1]["note"]
assert n == "a" * 1022, (len(n), n[-3:])' "$TMP/h2.json"
pid=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["proposals"][0]["id"])' "$TMP/p.json" 2>/dev/null)
before=$(grep -c '"verdict"' "$TMP/h2.json")
run --db "$db" reject "$pid" --by "$(printf 'k\377w')"
check "--by with a byte that is not UTF-8: exit 64" [ "$rc" -eq 64 ]
check "... saying which argument, not echoing it" sh -c "grep -q 'argument 6 is not valid UTF-8 (byte 2)' '$TMP/stderr' && ! grep -q 'k.w' '$TMP/stderr'"
run --db "$db" reject "$pid" --by keyworker --note "$(printf 'ok \300\257')"
check "--note with an overlong form: exit 64" [ "$rc" -eq 64 ]
DOVETAIL_USER=$(printf 'k\355\240\200') run --db "$db" reject "$pid"
check "\$DOVETAIL_USER holding a surrogate: exit 64" [ "$rc" -eq 64 ]
check "... naming who decides" grep -q "who decides (--by, \$DOVETAIL_USER, \$USER) is not valid UTF-8" "$TMP/stderr"
run --db "$db" history --json
check "nothing was recorded by the refused decisions" [ "$(grep -c '"verdict"' "$TMP/stdout")" -eq "$before" ]
# Issue 19, item 11: a note's C1 control (U+009B, CSI) and bidi override
# (U+202E) are escaped by history, as C0 controls are
note_c1=$(printf 'see \302\2332J and \342\200\256evil')
pid2=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["proposals"][0]["id"])' "$TMP/p.json")
run --db "$db" reject "$pid2" 3 --keep --by keyworker --note "$note_c1"   # 3 was rejected before: a keep is a new decision
run --db "$db" history
check "history escapes a note's C1 and bidi characters" grep -q 'note: see \\u009b2J and \\u202eevil' "$TMP/stdout"
check "... and writes none of them raw" sh -c "! grep -q '$(printf '\302\233')' '$TMP/stdout' && ! grep -q '$(printf '\342\200\256')' '$TMP/stdout'"
# a superseded proposal is refused before the first question, not after
# its answer
dbs=$TMP/review-superseded.db
run --db "$dbs" propose --json -k 1 "$prof"
old=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["proposals"][0]["id"])' "$TMP/stdout")
run --db "$dbs" propose --json -k 1 --max-changes 1 "$prof"
printf 'y\n' | "$DOVETAIL" --db "$dbs" review "$old" --by keyworker >"$TMP/rs.out" 2>"$TMP/rs.err"
rc=$?
check "review of a superseded proposal: exit 65 (got $rc)" [ "$rc" -eq 65 ]
check "... before asking anything" sh -c "! grep -q 'accept this change' '$TMP/rs.out' && grep -q 'proposal $old is superseded' '$TMP/rs.err'"
done_testing
