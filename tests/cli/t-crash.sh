#!/bin/sh
# t-crash.sh: `dovetail import` killed with SIGKILL at moments spread over
# its run, 24 times, into a store that already holds a family's feeds,
# proposals and decisions. After every kill: PRAGMA integrity_check is ok,
# the big feed is either wholly imported (every event and occurrence) or
# not at all, the other feeds are as they were, and no recorded decision is
# lost. (The batch is killed the same way in t-batch.sh.) Then the output
# writers (export, report, batch) killed at each of their points with a
# hook (DOVETAIL_TEST_KILL_AT), never by timing: every output is the old
# set or the new one, and stale temporaries go, only dovetail's own. Last,
# a full disk (a file size limit): exit 74, said once, the store as it was.
# Usage: t-crash.sh DOVETAIL
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
cd "$SRCDIR" || exit 1
db=$TMP/s.db
prof=examples/family-cp/profile.yaml
run --db "$db" propose --json -k 1 --no-ladder "$prof"
id=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["proposals"][0]["id"])' "$TMP/stdout")
run --db "$db" reject "$id" 1 --by keyworker --note "kept through crashes"
run --db "$db" accept "$id" --by keyworker
decisions=$(sqlite3 -readonly "$db" "SELECT count(*) FROM decisions")
check "a store with decisions ($decisions)" [ "$decisions" -ge 2 ]
others=$(sqlite3 -readonly "$db" "SELECT group_concat(source || ':' || (SELECT count(*) FROM event e WHERE e.feed_id = f.id), ',') FROM feed f ORDER BY source")

cd "$TMP" || exit 1
$py - <<'PY'
body = "".join("BEGIN:VEVENT\r\nUID:e%d@t\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:202611%02dT%02d0000Z\r\n"
               "DTEND:202611%02dT%02d3000Z\r\nSUMMARY:x %d\r\nEND:VEVENT\r\n"
               % (i, 1 + i % 28, 8 + i % 10, 1 + i % 28, 8 + i % 10, i) for i in range(40000))
open("big.ics", "w", newline="").write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n" + body + "END:VCALENDAR\r\n")
PY
# How much CPU one import takes here, to spread the kills over it. The
# moments are points of the import's own CPU time (read from /proc), not
# of the wall clock, so that a busy machine moves them nowhere.
cp "$db" "$TMP/probe.db"
span=$($py -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(int((r.ru_utime + r.ru_stime) * 1000))' "$DOVETAIL" --db "$TMP/probe.db" import big.ics)
echo "# one import of 40,000 events: $span ms of CPU"
# kill_at_cpu PID MS: SIGKILL PID once it has used MS ms of CPU; exit 0 when
# it was killed running, 1 when it had ended first
kill_at_cpu() {
	$py - "$1" "$2" <<'PY'
import os, signal, sys, time
pid, ms = int(sys.argv[1]), int(sys.argv[2])
tick = os.sysconf("SC_CLK_TCK")
while True:
    try:
        st = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    except OSError:
        sys.exit(1)
    if st[0] == "Z":
        sys.exit(1)
    if (int(st[11]) + int(st[12])) * 1000 // tick >= ms:
        os.kill(pid, signal.SIGKILL)
        sys.exit(0)
    time.sleep(0.002)
PY
}
kills=0 whole=0 none=0
for i in $(seq 1 24); do
	ms=$(( span * i / 24 ))
	"$DOVETAIL" --db "$db" import big.ics >/dev/null 2>&1 &
	pid=$!
	if kill_at_cpu "$pid" "$ms"; then kills=$((kills + 1)); fi
	wait "$pid" 2>/dev/null
	ic=$(sqlite3 -readonly "$db" "PRAGMA integrity_check" 2>&1)
	n=$(sqlite3 -readonly "$db" "SELECT count(*) FROM event e JOIN feed f ON f.id = e.feed_id WHERE f.source LIKE '%/big.ics'")
	o=$(sqlite3 -readonly "$db" "SELECT count(*) FROM occurrence o JOIN event e ON e.id = o.event_id JOIN feed f ON f.id = e.feed_id WHERE f.source LIKE '%/big.ics'")
	d=$(sqlite3 -readonly "$db" "SELECT count(*) FROM decisions")
	rest=$(sqlite3 -readonly "$db" "SELECT group_concat(source || ':' || (SELECT count(*) FROM event e WHERE e.feed_id = f.id), ',') FROM feed f WHERE source NOT LIKE '%/big.ics' ORDER BY source")
	case $n in
	0) none=$((none + 1)) ;;
	40000) whole=$((whole + 1)) ;;
	esac
	check "kill at ${ms} ms of CPU: integrity ok, the feed whole or absent ($n events, $o occurrences), $d decisions, other feeds intact" \
		sh -c "[ '$ic' = ok ] && { [ '$n' = 0 ] && [ '$o' = 0 ] || { [ '$n' = 40000 ] && [ '$o' = 40000 ]; }; } && [ '$d' = '$decisions' ] && [ '$rest' = '$others' ]"
	# start again from a store without the big feed, so every kill hits an import that writes
	if [ "$n" = 40000 ]; then
		sqlite3 "$db" "PRAGMA foreign_keys = ON; DELETE FROM feed WHERE source LIKE '%/big.ics'" && chmod 600 "$db"
	fi
done
check "killed mid-import at least 12 times ($kills kills: $none left nothing, $whole had committed)" [ "$kills" -ge 12 ]
run --db "$db" import big.ics
check "the import then completes" [ "$rc" -eq 0 ]
diag <"$TMP/stderr"
check "... with every event" [ "$(sqlite3 -readonly "$db" "SELECT count(*) FROM event e JOIN feed f ON f.id = e.feed_id WHERE f.source LIKE '%/big.ics'")" = 40000 ]
check "... and the decisions still there" [ "$(sqlite3 -readonly "$db" "SELECT count(*) FROM decisions")" = "$decisions" ]

# ---- output files and folders, killed mid-write (issue 19, item 7). A real
# SIGKILL at each point of the writers, where DOVETAIL_TEST_KILL_AT=POINT:N
# puts it (src/util/file.c): never a mixed set, and the temporaries a kill
# leaves are removed by the next run.
cd "$SRCDIR" || exit 1
k=$TMP/kill
mkdir -p "$k"
cp -r examples/family-cp "$k/fam"
kdb=$k/s.db
"$DOVETAIL" --db "$kdb" propose --json -k 3 "$k/fam/profile.yaml" >"$k/p.json" 2>/dev/null
kid=$($py -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(next(x["id"] for x in d["proposals"] + d.get("ladder", []) if x["changes"]))' "$k/p.json")
"$DOVETAIL" --db "$kdb" accept "$kid" --by keyworker >/dev/null 2>&1
cd "$k" || exit 1
# the old set and the new differ in every file (DTSTAMP and Date are --now)
exp() { "$DOVETAIL" --db s.db "$@" export fam/profile.yaml --itip "$d" --eml --calendar "$c"; }
d=old c=old.ics exp --now 2026-11-23T06:00:00Z >/dev/null 2>&1
d=new c=new.ics exp >/dev/null 2>&1
n=$(ls -A new | wc -l)
check "two sets to tell apart ($n files in the folder)" sh -c "[ $n -ge 4 ] && ! cmp -s old/salt.ics new/salt.ics && ! cmp -s old.ics new.ics"
same_as() { # same_as DIR CAL: DIR and CAL are wholly old or wholly new (each)
	{ diff -r "$1" old >/dev/null 2>&1 || diff -r "$1" new >/dev/null 2>&1; } &&
		{ cmp -s "$2" old.ics || cmp -s "$2" new.ics; }
}
for point in file-staged:1 outdir-put:1 outdir-put:2 outdir-put:$n outdir-commit:1 outdir-swapped:1 file-commit:1; do
	rm -rf out out.tmp-* cal.ics cal.ics.tmp-*
	cp -a old out
	cp -p old.ics cal.ics
	DOVETAIL_TEST_KILL_AT=$point d=out c=cal.ics exp >/dev/null 2>&1
	krc=$?
	check "export killed at $point: killed (exit $krc)" [ "$krc" -eq 137 ]
	check "... the folder and the calendar are each the old set or the new, whole" same_as out cal.ics
	left=$(ls -A | grep -c '\.tmp-')
	d=out c=cal.ics exp >/dev/null 2>&1
	check "... the next run: exit 0, the new set ($left temporaries before it)" \
		sh -c "[ $? -eq 0 ] && diff -r out new >/dev/null && cmp -s cal.ics new.ics"
	check "... and no temporary left" [ "$(ls -A | grep -c '\.tmp-')" -eq 0 ]
done
# a first run killed before its folder is in place leaves none
rm -rf out out.tmp-*
DOVETAIL_TEST_KILL_AT=outdir-commit:1 d=out c=cal.ics exp >/dev/null 2>&1
check "a first export killed before the rename: no folder, no half of one" [ ! -e out ]
d=out c=cal.ics exp >/dev/null 2>&1
check "... and the next run: the new set, no temporary left" \
	sh -c "diff -r out new >/dev/null && [ \$(ls -A | grep -c '\.tmp-') -eq 0 ]"

# stale temporaries are only dovetail's own (name), this user's, and not in use
printf 'x\n' >r.html.tmp-AbC123
printf 'x\n' >r.html.tmp-NotOurs9
printf 'x\n' >r.html.tmp-Other1
chown 65534 r.html.tmp-Other1 2>/dev/null
printf 'x\n' >r.html.tmp-InUse1
flock r.html.tmp-InUse1 sleep 60 &
holder=$!
i=0
while ! flock -n r.html.tmp-InUse1 true 2>/dev/null; [ $? -eq 0 ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i + 1)); done
"$DOVETAIL" --db s.db report fam/profile.yaml --html r.html >/dev/null 2>&1
check "report: a temporary a killed run left is removed" [ ! -e r.html.tmp-AbC123 ]
check "... not a file named otherwise" [ -e r.html.tmp-NotOurs9 ]
check "... nor one in use by a live dovetail (locked)" [ -e r.html.tmp-InUse1 ]
if [ "$(stat -c %u r.html.tmp-Other1)" != "$(id -u)" ]; then
	check "... nor another user's" [ -e r.html.tmp-Other1 ]
fi
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
rm -f r.html.tmp-NotOurs9 r.html.tmp-Other1 r.html.tmp-InUse1

# batch: a worker killed with its scratch store (every person's feeds) leaves
# it; the next batch removes it, but not one a live batch holds
mkdir -p tmpd
printf 'version: 1\npersons:\n  - { id: P-0417, profile: %s }\n' "$k/fam/profile.yaml" >c.yaml
TMPDIR=$k/tmpd DOVETAIL_TEST_KILL_AT=scratch:1 "$DOVETAIL" --db b.db batch c.yaml -j 1 >/dev/null 2>&1
check "batch with its workers killed: scratch stores left ($(ls tmpd | grep -c '^dovetail-batch\.'))" \
	[ "$(ls tmpd | grep -c '^dovetail-batch\.')" -ge 1 ]
mkdir -m 700 tmpd/dovetail-batch.Live12
flock tmpd/dovetail-batch.Live12 sleep 60 &
holder=$!
i=0
while ! flock -n tmpd/dovetail-batch.Live12 true 2>/dev/null; [ $? -eq 0 ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i + 1)); done
TMPDIR=$k/tmpd "$DOVETAIL" --db b2.db batch c.yaml -j 1 --report pages --out pages >/dev/null 2>&1
check "the next batch: exit 0 ($?), and the stale scratch stores are gone" \
	[ "$(ls tmpd | grep -c '^dovetail-batch\.')" -eq 1 ]
check "... but not one a live batch holds" [ -d tmpd/dovetail-batch.Live12 ]
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
rmdir tmpd/dovetail-batch.Live12
# batch --report killed while writing its pages: the folder old or absent, never half
cp -a pages pages.old
DOVETAIL_TEST_KILL_AT=outdir-put:3 TMPDIR=$k/tmpd "$DOVETAIL" --db b2.db --now 2026-11-23T06:00:00Z batch c.yaml -j 1 --report pages --out pages >/dev/null 2>&1
krc=$?
check "batch killed while writing its pages: killed (exit $krc)" [ "$krc" -eq 137 ]
check "... the folder as it was" diff -r pages pages.old
TMPDIR=$k/tmpd "$DOVETAIL" --db b2.db batch c.yaml -j 1 --report pages --out pages >/dev/null 2>&1
check "... the next run leaves no temporary of it" [ "$(ls -A | grep -c "^pages\.tmp-")" -eq 0 ]
# ---- a full disk, made by a limit on file size (RLIMIT_FSIZE: a write past
# it fails with EFBIG, the signal ignored): the run fails with exit 74, the
# store's error said once, and the store is as it was
sed 's/^UID:e\([0-9]*\)@t/UID:f\1@t/' "$TMP/big.ics" >"$TMP/big2.ics"   # new events: the store must grow
cp "$db" "$TMP/full.db"
blocks=$(( $(stat -c %s "$TMP/full.db") / 512 + 256 ))
events=$(sqlite3 -readonly "$TMP/full.db" "SELECT count(*) FROM event")
(trap '' XFSZ; ulimit -f "$blocks" && exec "$DOVETAIL" --db "$TMP/full.db" import "$TMP/big2.ics") \
	>"$TMP/stdout" 2>"$TMP/stderr"
frc=$?
check "import onto a full disk: exit 74 (got $frc)" [ "$frc" -eq 74 ]
check "... the store's error said once" [ "$(grep -c 'database error' "$TMP/stderr")" -eq 1 ]
check "... the store whole, its events and decisions as they were" \
	[ "$(sqlite3 -readonly "$TMP/full.db" "PRAGMA integrity_check")" = ok ] &&
	[ "$(sqlite3 -readonly "$TMP/full.db" "SELECT count(*) FROM event")" = "$events" ] &&
	[ "$(sqlite3 -readonly "$TMP/full.db" "SELECT count(*) FROM decisions")" = "$decisions" ]
(cd "$SRCDIR" && trap '' XFSZ && ulimit -f 300 && exec "$DOVETAIL" --db "$TMP/full2.db" propose "$prof") \
	>"$TMP/stdout" 2>"$TMP/stderr"
frc=$?
check "propose into a new store on a full disk: exit 74 (got $frc), the error said once" \
	[ "$frc" -eq 74 ] && [ "$(grep -c 'database error' "$TMP/stderr")" -eq 1 ]
(cd "$SRCDIR" && exec "$DOVETAIL" --db "$TMP/full2.db" propose "$prof") >/dev/null 2>&1
check "... and with room again, the same store takes the proposals (exit $?)" [ $? -eq 0 ]
done_testing
