#!/bin/sh
# t-crash.sh: `dovetail import` killed with SIGKILL at moments spread over
# its run, 24 times, into a store that already holds a family's feeds,
# proposals and decisions. After every kill: PRAGMA integrity_check is ok,
# the big feed is either wholly imported (every event and occurrence) or
# not at all, the other feeds are as they were, and no recorded decision is
# lost. (The batch is killed the same way in t-batch.sh.)
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
done_testing
