#!/bin/sh
# t-batch.sh: `dovetail batch` and `dovetail merge` on generated caseloads
# (tools/gen-caseload.py): the same bytes for -j 1, -j 2 and three shards
# merged; no practitioner double-booked in the final plans (checked
# independently from the feeds and the plans); broken persons reported and
# skipped while the rest completes (exit 2); SIGKILL at random moments, then
# --resume: the same result as an uninterrupted run, nothing redone, lost or
# duplicated, and PRAGMA integrity_check ok; a progress bar only on a
# terminal; bad caseloads and bad shard sets refused.
# Usage: t-batch.sh DOVETAIL
. "$(dirname "$0")/lib.sh"
cd "$SRCDIR" || exit 1
py=/usr/bin/python3
gen=$SRCDIR/tools/gen-caseload.py
cl=$TMP/cl
$py "$gen" --persons 40 --seed 7 --broken 2 --out "$cl"
check "the generator writes a caseload" [ -f "$cl/caseload.yaml" ]
cd "$cl" || exit 1

# ---- the same bytes for any -j and any sharding
run --db "$TMP/j1.db" batch caseload.yaml -j 1 --out "$TMP/o1"
check "-j 1: exit 2 (two persons are broken)" [ "$rc" -eq 2 ]
check "-j 1: the broken profile is named with its line and column" \
	grep -q "person P-00000 skipped: persons/P-00000.yaml:[0-9]*:[0-9]*: YAML syntax" "$TMP/stderr"
check "-j 1: the broken feed is named" grep -q "person P-00020 skipped: .*broken-P-00020.ics" "$TMP/stderr"
check "-j 1: the rest completes (38 planned)" grep -q "^batch b-[0-9a-f]*: 40 persons: 38 planned, 2 skipped" "$TMP/stdout"
check "no progress bar when stderr is not a terminal" [ "$(grep -c 'ETA' "$TMP/stderr")" -eq 0 ]
check "the repair after the last master made a person better off (it is exercised, and its plans are in every comparison below)" \
	$py -c "import json,sys; sys.exit(json.load(open('$TMP/o1/summary.json'))['totals']['joint']['repaired'] < 1)"
grep -v '^per person:' "$TMP/stdout" >"$TMP/o1.stdout"
run --db "$TMP/j2.db" batch caseload.yaml -j 2 --out "$TMP/o2"
check "-j 2: exit 2" [ "$rc" -eq 2 ]
check "-j 1 and -j 2: the same summary, CSV and JSON" diff -r "$TMP/o1" "$TMP/o2"
check "-j 1 and -j 2: the same stdout" sh -c "grep -v '^per person:' '$TMP/stdout' | cmp -s '$TMP/o1.stdout' -"
for i in 0 1 2; do
	run --db "$TMP/s$i.db" batch caseload.yaml --shard $i/3 -j 2
	check "shard $i/3: exit 0" [ "$rc" -eq 0 ]
done
run --db "$TMP/m.db" merge caseload.yaml "$TMP/s0.db" "$TMP/s1.db" "$TMP/s2.db" --out "$TMP/o3"
check "merge: exit 2" [ "$rc" -eq 2 ]
check "three shards merged: the same files as -j 1" diff -r "$TMP/o1" "$TMP/o3"
check "... and the same stdout" sh -c "grep -v '^per person:' '$TMP/stdout' | cmp -s '$TMP/o1.stdout' -"
# shards of whole components of the sharing graph: each shard chooses its
# persons' plans together, pricing included; merge then prices nothing
for i in 0 1 2; do
	run --db "$TMP/c$i.db" batch caseload.yaml --shard $i/3 --shard-by component -j 2
	check "component shard $i/3: exit 0" [ "$rc" -eq 0 ]
done
run --db "$TMP/cm.db" merge caseload.yaml "$TMP/c0.db" "$TMP/c1.db" "$TMP/c2.db" --out "$TMP/o5"
check "three component shards merged: the same files as -j 1" diff -r "$TMP/o1" "$TMP/o5"
check "... and the merge priced nothing (the shards did)" grep -q ", 0 plans priced for the joint master" "$TMP/stderr"
# the GNU parallel recipe of docs/batch.md, as written there (3 shards)
if command -v parallel >/dev/null 2>&1; then
	(cd "$TMP" && mkdir -p gp && cd gp &&
		parallel --will-cite "$DOVETAIL" --db shard-{}.db batch "$cl/caseload.yaml" -j 1 --shard {}/3 ::: 0 1 2 \
			>/dev/null 2>&1 &&
		"$DOVETAIL" --db all.db merge "$cl/caseload.yaml" shard-0.db shard-1.db shard-2.db --out report \
			>/dev/null 2>&1; [ $? -le 2 ])
	check "the GNU parallel recipe runs" [ $? -eq 0 ]
	check "... and gives the same files as -j 1" diff -r "$TMP/o1" "$TMP/gp/report"
else
	not_ok "GNU parallel is there (tools/run-tests installs it)"
fi
SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=3 run --db "$TMP/e1.db" batch caseload.yaml --shard-from-env \
	--out "$TMP/e1-out" --report "$TMP/e1-rep"
check "--shard-from-env (Slurm): shard 1/3" grep -q "^shard 1/3 of batch" "$TMP/stdout"
check "... given --out and --report: exit 0, each said to be the merge's, and neither written" \
	sh -c "[ $rc -eq 0 ] && grep -q '^dovetail: warning: --out: a shard writes no files: the merge of the shards. stores does (dovetail merge ... --out DIR)' '$TMP/stderr' && grep -q 'warning: --report: a shard writes no files' '$TMP/stderr' && [ ! -e '$TMP/e1-out' ] && [ ! -e '$TMP/e1-rep' ]"
JOB_COMPLETION_INDEX=2 DOVETAIL_SHARD_COUNT=3 run --db "$TMP/e2.db" batch caseload.yaml --shard-from-env
check "--shard-from-env (Kubernetes Indexed Job): shard 2/3" grep -q "^shard 2/3 of batch" "$TMP/stdout"
run --db "$TMP/em.db" merge caseload.yaml "$TMP/s0.db" "$TMP/e1.db" "$TMP/e2.db" --out "$TMP/o4"
check "shards from the environment merge to the same files" diff -r "$TMP/o1" "$TMP/o4"

# ---- HTML reports (--report): a page per person and an overview, the same
# for any -j and any sharding, and the page `dovetail report` draws
run --db "$TMP/r1.db" batch caseload.yaml -j 1 --report "$TMP/rep1"
check "--report, -j 1: exit 2 (got $rc)" [ "$rc" -eq 2 ]
[ "$rc" -eq 2 ] || tail -20 "$TMP/stderr" | diag
check "... says where the pages are (38 persons planned)" grep -q "/rep1/index.html and 38 person pages" "$TMP/stdout"
check "one page per person planned, none for the two skipped" \
	[ "$(ls "$TMP/rep1" | grep -c '^person-P-[0-9]*\.html$')" -eq 38 ] && [ ! -e "$TMP/rep1/person-P-00000.html" ]
check "the folder is 0700, the pages 0600" \
	sh -c "[ \$(stat -c %a '$TMP/rep1') = 700 ] && [ -z \"\$(find '$TMP/rep1' -type f ! -perm 600)\" ]"
$py - "$TMP/rep1" >"$TMP/idx.log" 2>&1 <<'PY'
import html.parser, os, sys
d = sys.argv[1]
class P(html.parser.HTMLParser):
    def __init__(s):
        super().__init__(); s.rows = {}; s.cur = None
    def handle_starttag(s, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and "data-person" in a:
            s.cur = a["data-person"]; s.rows[s.cur] = (a["data-status"], None)
        if tag == "a" and s.cur:
            s.rows[s.cur] = (s.rows[s.cur][0], a["href"])
p = P(); p.feed(open(os.path.join(d, "index.html"), encoding="utf-8").read())
assert len(p.rows) == 40, len(p.rows)
for who, (st, href) in p.rows.items():
    if st == "error":
        assert href is None, who
    else:
        assert href and os.path.isfile(os.path.join(d, href)), (who, href)
        page = open(os.path.join(d, href), encoding="utf-8").read()
        assert "<h1>%s:" % who in page, who
assert [w for w, (st, _) in p.rows.items() if st == "error"] == ["P-00000", "P-00020"]
PY
check "index.html: a row per person (40), each planned one linking to its own page" [ $? -eq 0 ]
diag <"$TMP/idx.log"
run --db "$TMP/r2.db" batch caseload.yaml -j 2 --report "$TMP/rep2"
check "--report, -j 2: the same pages as -j 1" diff -r "$TMP/rep1" "$TMP/rep2"
for i in 0 1 2; do
	run --db "$TMP/rs$i.db" batch caseload.yaml --shard $i/3 -j 2 --report "$TMP/unused"
done
run --db "$TMP/rm.db" merge caseload.yaml "$TMP/rs0.db" "$TMP/rs1.db" "$TMP/rs2.db" --report "$TMP/rep3"
check "--report, three shards merged: the same pages" diff -r "$TMP/rep1" "$TMP/rep3"
check "... and a shard writes no pages (the merge does)" [ ! -e "$TMP/unused" ]
# a person planned alone has the page `dovetail propose` then `report` draw
same=0
for who in $(sqlite3 "$TMP/r1.db" "SELECT person FROM batch_persons WHERE chosen = 0 ORDER BY person LIMIT 3"); do
	"$DOVETAIL" --db "$TMP/alone.db" propose "persons/$who.yaml" >/dev/null 2>&1
	"$DOVETAIL" --db "$TMP/alone.db" report "persons/$who.yaml" --html "$TMP/alone-$who.html" >/dev/null 2>&1
	cmp -s "$TMP/alone-$who.html" "$TMP/rep1/person-$who.html" && same=$((same + 1))
done
check "3 persons planned alone: byte for byte the page dovetail report draws ($same)" [ "$same" -eq 3 ]
row=$(sqlite3 "$TMP/r1.db" "SELECT p.person, json_extract('{' || c.result || '}', '\$.proposal') FROM batch_persons p JOIN batch_columns c ON c.run = p.run AND c.person = p.person AND c.n = p.chosen WHERE p.chosen != 0 ORDER BY p.person LIMIT 1")
check "a person the joint master moved off its plan alone: its page draws the plan chosen (${row%%|*})" \
	grep -q "Proposal <code>${row#*|}</code>" "$TMP/rep1/person-${row%%|*}.html"

# ---- no practitioner double-booked: from the feeds and the final plans alone
check "no practitioner is double-booked in the final plans" $py - "$cl" "$TMP/o1/summary.json" <<'PY'
import json, os, sys, collections
import icalendar
from datetime import datetime, timedelta
cl, summary = sys.argv[1], sys.argv[2]
res = {p["person"]: p for p in json.load(open(summary))["persons"]}
busy = collections.defaultdict(list)   # practitioner -> [(start, end, who)]
moved = 0
for f in sorted(os.listdir(os.path.join(cl, "feeds"))):
    if not f.startswith("pr-"):
        continue
    prac = f[:-4]
    cal = icalendar.Calendar.from_ical(open(os.path.join(cl, "feeds", f), "rb").read())
    for e in cal.walk("VEVENT"):
        s, t = e["DTSTART"].dt.replace(tzinfo=None), e["DTEND"].dt.replace(tzinfo=None)
        summ = str(e["SUMMARY"])
        who = summ.split()[-1] if summ.startswith("Session ") else "meeting"
        r = res.get(who)
        if r and r["status"] != "error":
            ch = [c for c in r["changes"] if c["uid"] == str(e["UID"])]
            if ch:
                to = datetime.strptime(ch[0]["to"], "%Y-%m-%dT%H:%M")   # London is on GMT
                s, t = to, to + (t - s)
                moved += 1
        busy[prac].append((s, t, who))
clash = []
for prac, v in busy.items():
    v.sort()
    for a, b in zip(v, v[1:]):
        if b[0] < a[1]:
            clash.append((prac, a, b))
print("# %d practitioners, %d moved sessions, %d double-bookings" % (len(busy), moved, len(clash)))
assert moved > 0
assert not clash, clash[:3]
PY
run --db "$TMP/j1.db" batch caseload.yaml -j 1 --resume
check "the joint master moved persons off their plans alone (the double-booking rule is exercised)" \
	[ "$(sqlite3 "$TMP/j1.db" "SELECT count(*) FROM batch_persons WHERE chosen != 0")" -ge 1 ]

# ---- kill -9 at moments spread over the run, then --resume
# The moments are points of progress (persons stored so far; the last three
# plans priced for the joint master), so that every kill lands mid-run however fast the
# machine is; the offsets are pseudo-random but fixed, for a repeatable test.
big=$TMP/big
n_big=300
$py "$gen" --persons $n_big --seed 3 --out "$big"
cd "$big" || exit 1
run --db "$TMP/ref.db" batch caseload.yaml -j 2 --out "$TMP/ref"
grep -v '^per person:' "$TMP/stdout" >"$TMP/ref.stdout"
# stored WHAT: how many persons (WHAT "result") or priced plans ("priced")
# the store holds (read-only: the sqlite3 shell would make a missing file,
# readable by others, which dovetail then rightly refuses)
stored() {
	n=
	q="SELECT count(*) FROM batch_persons"
	[ "$1" = priced ] && q="SELECT count(*) FROM batch_columns WHERE origin = 'priced'"
	[ -f "$TMP/crash.db" ] && n=$(sqlite3 -readonly "$TMP/crash.db" "$q" 2>/dev/null)
	echo "${n:-0}"
}
kills=0
resume=
# (priced:380 lands in the repair: the rounds price 358 plans on this
# caseload, the repair 91 more)
for point in result:37 result:101 result:166 result:229 result:280 priced:5 priced:20 priced:380; do
	col=${point%:*}
	target=${point#*:}
	"$DOVETAIL" --db "$TMP/crash.db" batch caseload.yaml -j 2 $resume >/dev/null 2>&1 &
	pid=$!
	i=0
	# wait on the event (the rows stored), not on the clock; the cap (an
	# hour of polls) only keeps a broken run from hanging the suite
	while [ "$(stored "$col")" -lt "$target" ] && [ $i -lt 360000 ] && kill -0 "$pid" 2>/dev/null; do
		sleep 0.01
		i=$((i + 1))
	done
	if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
	wait "$pid" 2>/dev/null
	if [ -z "$resume" ]; then
		# persons are committed in groups of BATCH_GROUP (64): a kill
		# loses at most the group it was in, whole
		got=$(stored result)
		check "SIGKILL in the first run: whole groups of 64 persons stored ($got)" \
			[ $((got % 64)) -eq 0 -o "$got" -eq $n_big ]
	fi
	resume=--resume
	ok_ic=$(sqlite3 "$TMP/crash.db" "PRAGMA integrity_check" 2>&1)
	check "SIGKILL once $target persons had their $col stored: PRAGMA integrity_check is ok" [ "$ok_ic" = ok ]
done
check "the batch was killed mid-run at least 5 times ($kills)" [ "$kills" -ge 5 ]
before=$(sqlite3 "$TMP/crash.db" "SELECT count(*) FROM batch_persons")
run --db "$TMP/crash.db" batch caseload.yaml -j 2 --resume --out "$TMP/crash"
check "--resume completes: exit 0 or 2" [ "$rc" -le 2 ]
now=$(sed -n 's/^dovetail: batch [^:]*: \([0-9]*\) persons\{0,1\} solved now.*/\1/p' "$TMP/stderr")
check "--resume solves only the persons not done ($before done, $now now)" [ "$((before + now))" -eq $n_big ]
check "after the kills and --resume: the same files as an uninterrupted run" diff -r "$TMP/ref" "$TMP/crash"
check "... and the same stdout" sh -c "grep -v '^per person:' '$TMP/stdout' | cmp -s '$TMP/ref.stdout' -"
check "no person lost or duplicated" [ "$(sqlite3 "$TMP/crash.db" "SELECT count(*), count(DISTINCT person) FROM batch_persons")" = "$n_big|$n_big" ]
check "PRAGMA integrity_check is ok" [ "$(sqlite3 "$TMP/crash.db" "PRAGMA integrity_check")" = ok ]
check "the store is 0600" [ "$(mode "$TMP/crash.db")" = 600 ]
run --db "$TMP/crash.db" batch caseload.yaml -j 2 --resume
check "--resume of a finished run solves nobody" grep -q ": 0 persons solved now, 0 plans priced" "$TMP/stderr"

# ---- --resume after the feeds changed: the same files as a run from
# scratch on the changed feeds (the plans priced around the old plans are
# not kept; 120 persons, seed 2: where they changed the answer), and the
# broken persons of a finished run are not solved again
chg=$TMP/chg
$py "$gen" --persons 120 --seed 2 --out "$chg"
cd "$chg" || exit 1
run --db "$TMP/chg.db" batch caseload.yaml -j 2
$py - <<'PY'
import glob, re
for f in sorted(glob.glob("feeds/pr-*.ics"))[:3]:
    s = open(f).read()
    m = re.search(r"DTSTART[^:\n]*:(\d{8}T\d{2})(\d{2})", s)
    s = s.replace(m.group(0), m.group(0)[:-2] + ("30" if m.group(2) == "00" else "00"), 1)
    open(f, "w").write(s)
PY
run --db "$TMP/chg.db" batch caseload.yaml -j 2 --resume --out "$TMP/chg-resumed"
check "--resume after three feeds changed: their persons are solved again (exit $rc)" \
	sh -c "[ $rc -le 2 ] && ! grep -q ': 0 persons solved now' '$TMP/stderr'"
run --db "$TMP/chg-fresh.db" batch caseload.yaml -j 2 --out "$TMP/chg-fresh"
check "... and the result is the same files as a run from scratch on the changed feeds" \
	diff -r "$TMP/chg-resumed" "$TMP/chg-fresh"
cd "$cl" || exit 1
run --db "$TMP/j2.db" batch caseload.yaml -j 2 --resume
check "--resume of a finished run with two broken persons solves nobody, the broken ones included (exit $rc)" \
	sh -c "[ $rc -eq 2 ] && grep -q ': 0 persons solved now, 0 plans priced' '$TMP/stderr'"

# ---- a progress bar on a terminal (a real pseudo-terminal)
cd "$cl" || exit 1
$py - "$DOVETAIL" "$TMP/pty.db" >"$TMP/pty.out" <<'PY'
import os, pty, sys, subprocess
m, s = pty.openpty()
p = subprocess.Popen([sys.argv[1], "--db", sys.argv[2], "batch", "caseload.yaml", "-j", "2"],
                     stdout=subprocess.DEVNULL, stderr=s)
os.close(s)
out = b""
while True:
    try:
        b = os.read(m, 4096)
    except OSError:
        break
    if not b:
        break
    out += b
p.wait()
sys.stdout.write(out.decode(errors="replace"))
PY
check "on a terminal: a progress bar with persons, rate and ETA" grep -q "40/40 persons .*/s  ETA" "$TMP/pty.out"

# ---- output folders (issue 19, items 6 and 9): a person whose id is
# "index" keeps their own page; an unsafe --out or --report folder is
# refused before anything is solved; merge refuses a shard store that others
# can read, or that belongs to another user
cd "$TMP" || exit 1
mkdir -p idx
cp -r "$SRCDIR/examples/family-cp" idx/fam
profile_edit idx/fam/profile.yaml 'p["person"]["id"] = "index"'
# (two families whose practitioners' ids differ: family-autism's "salt" is
# not family-cp's, and one caseload may not name one id with two diaries)
printf 'version: 1\npersons:\n  - { id: index, profile: %s }\n  - { id: P-1093, profile: %s }\n' \
	"$TMP/idx/fam/profile.yaml" "$SRCDIR/examples/family-dementia/profile.yaml" >idx/c.yaml
run --db idx/s.db batch idx/c.yaml -j 1 --report idx/pages --out idx/pages
check "a person with id index: exit 0 (got $rc)" [ "$rc" -eq 0 ]
check "... index.html is the overview" grep -q "<h1>Caseload: batch" idx/pages/index.html
check "... and the person's own page is apart from it" grep -q "<h1>index: " idx/pages/person-index.html
check "... and --out in the same folder: the summaries beside them" [ -f idx/pages/summary.json ]
for kind in link world other; do
	t=$TMP/idx/unsafe-$kind
	case $kind in
	link) mkdir -p "$TMP/idx/elsewhere"; ln -s "$TMP/idx/elsewhere" "$t"; why="it is a symbolic link" ;;
	world) mkdir -p "$t"; chmod 777 "$t"; why="group or others can write to it (mode 0777)" ;;
	other) mkdir -p "$t"; chown 65534 "$t" 2>/dev/null; why="it belongs to another user" ;;
	esac
	if [ "$kind" = other ] && [ "$(stat -c %u "$t")" = "$(id -u)" ]; then
		ok "# SKIP folders of another user (not root: cannot make one)"
		continue
	fi
	for opt in --out --report; do
		run --db "idx/u-$kind$opt.db" batch idx/c.yaml -j 1 $opt "$t"
		check "batch $opt DIR that is $kind: exit 73 (got $rc)" [ "$rc" -eq 73 ]
		check "... saying why" grep -q "refusing the folder TMP/idx/unsafe-$kind: $why" "$TMP/stderr"
		check "... before solving anyone" [ "$(sqlite3 -readonly "idx/u-$kind$opt.db" "SELECT count(*) FROM batch_persons" 2>/dev/null || echo 0)" = 0 ]
		check "... and nothing written in it" [ -z "$(ls -A "$t/")" ]
	done
done
run --db idx/sh.db batch idx/c.yaml -j 1 --shard 0/1
cp idx/sh.db idx/sh644.db
chmod 644 idx/sh644.db
run --db idx/m1.db merge idx/c.yaml idx/sh644.db
check "merge: a shard store others can read (0644): exit 74 (got $rc)" [ "$rc" -eq 74 ]
check "... saying so" grep -q "database idx/sh644.db can be read by others (mode 0644)" "$TMP/stderr"
cp idx/sh.db idx/shother.db
chown 65534 idx/shother.db 2>/dev/null
if [ "$(stat -c %u idx/shother.db)" != "$(id -u)" ]; then
	run --db idx/m2.db merge idx/c.yaml idx/shother.db
	check "merge as root: a shard store of another user: exit 74 (got $rc)" [ "$rc" -eq 74 ]
	check "... saying so" grep -q "database idx/shother.db belongs to another user" "$TMP/stderr"
else
	ok "# SKIP a shard store of another user (not root)"
fi
echo junk >idx/junk.db
chmod 600 idx/junk.db
run --db idx/m4.db merge idx/c.yaml idx/junk.db
check "merge: a shard store that is not a store: exit 74, naming it (got $rc)" \
	sh -c "[ $rc -eq 74 ] && grep -q 'cannot open database idx/junk.db: file is not a database' '$TMP/stderr'"
# a caseload's id that is not its profile's: where the caseload says it
printf 'version: 1\npersons:\n  - { id: P-0093, profile: %s }\n' "$SRCDIR/examples/family-dementia/profile.yaml" >idx/wrong.yaml
run --db idx/w.db batch idx/wrong.yaml -j 1
check "a caseload id its profile does not give: skipped at the caseload's line and column (exit $rc)" \
	grep -q "person P-0093 skipped: idx/wrong.yaml:3:5: the caseload says P-0093, but .*family-dementia/profile.yaml has person.id P-1093" "$TMP/stderr"
# a skipped person's reason names its profile as the caseload writes it:
# in stdout and summary.txt through the terminal-safe printer (a bidi
# override escaped, as on stderr), never raw
printf 'version: 1\npersons:\n  - { id: P-0094, profile: "idx/rlo-\\u202e-x.yaml" }\n  - { id: P-1093, profile: %s }\n' \
	"$SRCDIR/examples/family-dementia/profile.yaml" >idx/rlo.yaml
run --db idx/rlo.db batch idx/rlo.yaml -j 1 --out idx/rlo-out
check "a profile path with a bidi override: skipped, exit 2 (got $rc)" [ "$rc" -eq 2 ]
check "... its reason escaped in stdout and summary.txt, no raw U+202E anywhere" \
	sh -c "grep -q 'P-0094 error: idx/rlo-\\\\u202e-x.yaml: cannot open' '$TMP/stdout' &&
		grep -q 'P-0094 error: idx/rlo-\\\\u202e-x.yaml: cannot open' idx/rlo-out/summary.txt &&
		! grep -q \"\$(printf '\\342\\200\\256')\" '$TMP/stdout' idx/rlo-out/summary.txt"
: >idx/empty.yaml
run --db idx/w.db batch idx/empty.yaml
check "an empty caseload: exit 65, a file with no YAML document (not 'the profile')" \
	sh -c "[ $rc -eq 65 ] && grep -q 'idx/empty.yaml:1:1: error: the file is empty: no YAML document in it' '$TMP/stderr'"
run --db idx/m3.db merge idx/c.yaml idx/sh.db --out idx/merged
check "... and the shard store itself merges (exit $rc)" [ "$rc" -eq 0 ]
cd "$cl" || exit 1

# ---- bad input
printf 'version: 1\npersons:\n  - { id: P-1, profil: x.yaml }\n' >"$TMP/bad.yaml"
run --db "$TMP/bad.db" batch "$TMP/bad.yaml"
check "a caseload with an unknown key: exit 65" [ "$rc" -eq 65 ]
check "... at its line and column" grep -q "TMP/bad.yaml:3:16: error: an unknown key in persons\[0\]; did you mean 'profile'?" "$TMP/stderr"
printf 'version: 1\npersons:\n  - { id: P-1, profile: a.yaml }\n  - { id: P-1, profile: b.yaml }\n' >"$TMP/dup.yaml"
run --db "$TMP/bad.db" batch "$TMP/dup.yaml"
check "a person listed twice: exit 65" [ "$rc" -eq 65 ] 
check "... named" grep -q "id 'P-1' is already used on line 3" "$TMP/stderr"
# two persons naming one practitioner id with different feeds: one diary, one truth
mkdir -p "$TMP/two"
cp -r "$SRCDIR/examples/family-cp" "$TMP/two/a"
cp -r "$SRCDIR/examples/family-autism" "$TMP/two/b"
printf 'version: 1\npersons:\n  - { id: P-0417, profile: a/profile.yaml }\n  - { id: P-0822, profile: b/profile.yaml }\n' >"$TMP/two/c.yaml"
run --db "$TMP/two.db" batch "$TMP/two/c.yaml"
check "a practitioner id shared with other feeds: exit 65 (got $rc)" [ "$rc" -eq 65 ]
check "... at the second profile's feeds key, naming the first" \
	grep -q "b/profile.yaml:[0-9]*:[0-9]*: error: practitioner salt is shared, but this profile names other feeds for it than person P-0417's (a/profile.yaml:[0-9]*:[0-9]*)" "$TMP/stderr"
check "... before anything is solved" [ "$(sqlite3 -readonly "$TMP/two.db" "SELECT count(*) FROM batch_persons" 2>/dev/null || echo 0)" = 0 ]
# a cap finer than the summary's two places is shown as given, not rounded away
mkdir -p "$TMP/fine"
cp -r "$SRCDIR/examples/family-cp" "$TMP/fine/a"
printf 'version: 1\npersons:\n  - { id: P-0417, profile: a/profile.yaml }\n' >"$TMP/fine/c.yaml"
run --db "$TMP/fine.db" batch "$TMP/fine/c.yaml" --cap 0.001 --out "$TMP/fine/out"
check "--cap 0.001: done (got $rc)" [ "$rc" -eq 0 ]
check "... the cap shown as 0.001 in stdout and summary.txt, 0.0010 in summary.json" \
	sh -c "grep -q 'outside the cap of 0.001;' '$TMP/stdout' && grep -q 'outside the cap of 0.001;' '$TMP/fine/out/summary.txt' &&
		grep -q '\"cap\": 0.0010,' '$TMP/fine/out/summary.json'"
run --db "$TMP/fine2.db" batch "$TMP/fine/c.yaml" --cap 2.5 --out "$TMP/fine/out2"
check "--cap 2.5: shown with two places, 2.50, and four in summary.json" \
	sh -c "grep -q 'outside the cap of 2.50;' '$TMP/stdout' && grep -q '\"cap\": 2.5000,' '$TMP/fine/out2/summary.json'"
run --db "$TMP/bad.db" batch "$TMP/none.yaml"
check "no caseload file: exit 66" [ "$rc" -eq 66 ]
run --db "$TMP/bad.db" batch caseload.yaml --shard 3/3
check "--shard 3/3: usage, 64" [ "$rc" -eq 64 ]
run --db "$TMP/bad.db" batch caseload.yaml -j 0
check "-j 0: usage, 64" [ "$rc" -eq 64 ]
run --db "$TMP/bad.db" batch caseload.yaml --cap -1
check "--cap -1: usage, 64" [ "$rc" -eq 64 ]
run --db "$TMP/bad.db" batch caseload.yaml --shard-by area
check "--shard-by area: usage, 64" [ "$rc" -eq 64 ]
run --db "$TMP/bad.db" batch caseload.yaml --shard-by component
check "--shard-by without a shard: usage, 64 (it was ignored)" [ "$rc" -eq 64 ]
export SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=3
run --db "$TMP/bad.db" batch caseload.yaml --shard 0/3 --shard-from-env
unset SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_COUNT
check "--shard with --shard-from-env: usage, 64 (the environment won)" [ "$rc" -eq 64 ]
run --db "$TMP/mm.db" merge caseload.yaml "$TMP/s0.db" "$TMP/s1.db"
check "merge with a shard missing: exit 65" [ "$rc" -eq 65 ]
check "... saying how many persons are missing" grep -q "person(s) of the caseload are in no shard store" "$TMP/stderr"
run --db "$TMP/mm3.db" merge caseload.yaml "$TMP/s0.db" "$TMP/s1.db" "$TMP/s2.db" --cap 5
check "merge with another --cap than the shards': exit 65" [ "$rc" -eq 65 ]
check "... naming the shard store of another run (not persons missing)" \
	sh -c "grep -q 's0.db: error: this shard store holds batch run b-[0-9a-f]*, not b-' '$TMP/stderr' && ! grep -q 'in no shard store' '$TMP/stderr'"
run --db "$TMP/mm2.db" merge caseload.yaml "$TMP/s0.db" "$TMP/s0.db" "$TMP/s1.db" "$TMP/s2.db"
check "merge with a shard twice: exit 65" [ "$rc" -eq 65 ]
check "... naming a person in two shards" grep -q "is in two shard stores" "$TMP/stderr"
# a shard's own store given as merge's --db (by another name too): refused
# before anything is dropped from it, the shard's persons all kept
cp "$TMP/s1.db" "$TMP/s1-copy.db"
held=$(sqlite3 -readonly "$TMP/s1-copy.db" "SELECT count(*) FROM batch_persons")
run --db "$TMP/s1-copy.db" merge caseload.yaml "$TMP/s0.db" "$TMP/./s1-copy.db" "$TMP/s2.db"
check "merge into a shard's own store: usage, 64 (got $rc)" [ "$rc" -eq 64 ]
check "... saying so, naming the shard store" grep -q "s1-copy.db: error: the shard store is this merge's own store (--db)" "$TMP/stderr"
check "... and the shard's $held persons are still in it" \
	[ "$(sqlite3 -readonly "$TMP/s1-copy.db" "SELECT count(*) FROM batch_persons")" = "$held" ] && [ "$held" -gt 0 ]
done_testing
