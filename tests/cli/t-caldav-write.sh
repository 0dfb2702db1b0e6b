#!/bin/sh
# t-caldav-write.sh: `dovetail export --calendar caldav+http://...`: the
# family's calendar written into a CalDAV collection of a real Radicale and
# a real Xandikos (Debian's radicale and xandikos, started here on
# 127.0.0.1, stopped at the end), each behind a logging proxy
# (tests/cli/caldav_proxy.py) that records every request and can fail one:
# answer 503, do it and drop the answer, or hang.
# For each server, on examples/family-cp: the collection read back with a
# plain calendar-query REPORT (python, tests/cli/caldav_read.py) holds
# exactly the events `export --calendar FILE.ics` writes (same UIDs, same
# UTC instants, summaries and venues), one UID per object and no METHOD;
# a second export PUTs nothing (also at another --now); after accepting
# more changes only the changed objects are PUT (If-Match), and an
# appointment its feed cancels is DELETEd; an object someone else changed
# is not overwritten (412: exit 2, the resource named, not its content),
# and deleting it on the server hands it back; a 503, a lost answer and a
# hung request midway (exit 69) leave the store matching the server, and
# the next run converges; the object and byte bounds refuse before any
# request (exit 65); the password is in no output and no store.
# Usage: t-caldav-write.sh DOVETAIL  (KEEP_TMP=1 keeps the temp dir to look into)
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
rd=$SRCDIR/tests/cli/caldav_read.py
pids=
trap 'for p in $pids; do kill $p 2>/dev/null; done; wait 2>/dev/null; [ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"' EXIT
freeport() { $py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# listening PORT: whether a server answers on 127.0.0.1:PORT within 10 s (100 tries)
listening() {
	i=0
	until $py -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || return 1
		sleep 0.1
	done
}
# waitfile FILE: whether FILE appears within 10 s
waitfile() {
	i=0
	until [ -s "$1" ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || return 1
		sleep 0.1
	done
}
printf 'machine 127.0.0.1 login keyworker password caldav-pw-7\n' >"$TMP/netrc"
chmod 600 "$TMP/netrc"
export NETRC="$TMP/netrc"
# plain http to 127.0.0.1: credentials go only with this opt-in (docs/feeds.md)
export DOVETAIL_FEED_HTTP_CREDENTIALS=1

# feed_edit FEED UID cancel|later: the practitioner cancels that event
# (STATUS:CANCELLED), or moves it an hour later (DTSTART and DTEND)
feed_edit() {
	$py - "$@" <<'PY'
import re, sys
path, uid, how = sys.argv[1:4]
s = open(path, newline="").read()
i = s.index("UID:" + uid)
i = s.rindex("BEGIN:VEVENT", 0, i)
end = s.index("END:VEVENT", i)
block = s[i:end]
if how == "cancel":
    block, n = re.subn(r"(?m)^STATUS:[A-Z]+", "STATUS:CANCELLED", block)
    if not n:
        block = block.replace("UID:" + uid + "\r\n", "UID:" + uid + "\r\nSTATUS:CANCELLED\r\n")
    assert "STATUS:CANCELLED" in block
else:
    later = lambda m: m.group(1) + "%02d" % (int(m.group(2)) + 1)
    block, n = re.subn(r"(?m)^((?:DTSTART|DTEND)[^:\r\n]*:\d{8}T)(\d\d)", later, block)
    assert n == 2, n
open(path, "w", newline="").write(s[:i] + block + s[end:])
PY
}

# scenario NAME UPSTREAM_PORT PATH CHALLENGED: the whole story against one
# server; CHALLENGED 1 when it answers each request first with a 401 (the
# credentials go only then), so that the proxy sees two requests for each
# (the feeds change between runs: every export reads them again, --refresh)
scenario() {
	name=$1 up=$2 path=$3 challenged=$4
	# nth N: the number of the proxy's request that is the Nth write
	nth() { echo $((challenged ? 2 * $1 : $1)); }
	d=$TMP/$name
	mkdir -p "$d"
	cp -r "$SRCDIR/examples/family-cp" "$d/fam"
	prof=$d/fam/profile.yaml db=$d/store.db log=$d/log fault=$d/fault
	$py "$SRCDIR/tests/cli/caldav_proxy.py" "$d/pport" "$up" "$log" "$fault" &
	pids="$pids $!"
	check "$name: the proxy is up" waitfile "$d/pport"
	pp=$(cat "$d/pport")
	http=http://127.0.0.1:$pp$path
	url=caldav+$http
	$py "$rd" --mkcalendar "$http" keyworker caldav-pw-7
	# reread FILE.ics: whether the collection holds exactly the events of FILE.ics
	reread() {
		$py "$rd" "$http" keyworker caldav-pw-7 >"$d/server.txt" 2>"$d/server.err" &&
			$py "$rd" --file "$1" >"$d/file.txt" &&
			grep -v '^#' "$d/server.txt" | cmp -s - "$d/file.txt" &&
			grep -q "^# objects $(wc -l <"$d/file.txt")\$" "$d/server.txt"
	}
	# fresh: empty the proxy's logs
	fresh() { : >"$log"; : >"$log.headers"; }
	# sql QUERY: rows of the store, fields joined by |
	sql() { $py -c 'import sqlite3,sys; [print(*r, sep="|") for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])]' "$db" "$1"; }
	# writes: the PUTs and DELETEs the proxy saw since the log was emptied
	# (a 401, the challenge before the credentials go, is not one)
	writes() { grep '^\(PUT\|DELETE\) ' "$log" | grep -vc ' 401$'; }
	# changed A.txt B.txt: the resource names of the UIDs whose line differs
	changed() {
		$py - "$1" "$2" <<'PY'
import sys
a = {l.split()[0]: l for l in open(sys.argv[1])}
b = {l.split()[0]: l for l in open(sys.argv[2])}
print("\n".join(sorted(u[:32] + ".ics" for u in set(a) | set(b) if a.get(u) != b.get(u))))
PY
	}

	run --db "$db" propose --json -k 1 --no-ladder "$prof"
	p=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["proposals"][0]["id"])' "$TMP/stdout")
	run --db "$db" accept "$p" 1 --by keyworker
	check "$name: accept change 1 of proposal 1" [ "$rc" -eq 0 ]

	# ---- plain http without the opt-in: the credentials are not sent
	if [ "$challenged" = 1 ]; then
		fresh
		DOVETAIL_FEED_HTTP_CREDENTIALS=0 run --db "$db" export --refresh "$prof" --calendar "$url"
		check "$name: plain http without DOVETAIL_FEED_HTTP_CREDENTIALS=1: 401, exit 69, saying why" \
			sh -c "[ $rc -eq 69 ] && grep -q 'PUT [0-9a-f]*\.ics failed: HTTP status 401 (credentials are not sent over plain http unless DOVETAIL_FEED_HTTP_CREDENTIALS=1' '$TMP/stderr'"
		check "$name: ... no request carried them, nothing recorded" \
			sh -c "! grep -q ' auth\$' '$log.headers' && [ $(sql 'SELECT count(*) FROM caldav_objects') -eq 0 ]"
	fi

	# ---- the first export: every appointment, one object each
	fresh
	run --db "$db" export --refresh "$prof" --calendar "$url"
	check "$name: export to the collection: exit 0" [ "$rc" -eq 0 ]
	grep . "$TMP/stderr" | head -3 | diag
	check "$name: ... says what it wrote, the collection's path redacted" \
		grep -q "^wrote caldav+http://127.0.0.1:$pp/<redacted:[0-9a-f]*>: 9 calendar objects: 9 new, 0 replaced, 0 unchanged, 0 deleted, 0 conflicts\$" "$TMP/stdout"
	check "$name: ... 9 PUTs, each created (201)" [ "$(grep -c '^PUT .* 201$' "$log")" -eq 9 ]
	check "$name: ... each with If-None-Match: * and no If-Match" \
		sh -c "[ $(grep -c '^PUT ' "$log.headers") -ge 9 ] && ! grep '^PUT ' '$log.headers' | grep -vq ' - \* '"
	run --db "$db" export --refresh "$prof" --calendar "$d/a.ics"
	check "$name: re-read from the server: exactly the agreed plan that export --calendar FILE.ics writes" reread "$d/a.ics"
	cat "$d/server.err" | diag

	# ---- again: nothing to write, also at another --now (DTSTAMP is not the plan)
	fresh
	run --db "$db" export --refresh "$prof" --calendar "$url"
	check "$name: a second export: exit 0, 9 unchanged" \
		sh -c "[ $rc -eq 0 ] && grep -q ': 0 new, 0 replaced, 9 unchanged, 0 deleted, 0 conflicts' '$TMP/stdout'"
	check "$name: ... and PUTs nothing (no write reached the server)" [ "$(writes)" -eq 0 ]
	DOVETAIL_NOW=20261124T080000Z run --db "$db" export --refresh "$prof" --calendar "$url"
	check "$name: at another --now: still nothing PUT" sh -c "[ $rc -eq 0 ] && [ $(writes) -eq 0 ]"

	# ---- accept more changes: only the changed objects are PUT
	run --db "$db" accept "$p" 2 --by keyworker
	run --db "$db" export --refresh "$prof" --calendar "$d/b.ics"
	$py "$rd" --file "$d/a.ics" >"$d/a.txt"
	$py "$rd" --file "$d/b.ics" >"$d/b.txt"
	changed "$d/a.txt" "$d/b.txt" >"$d/ch-ab"
	fresh
	run --db "$db" export --refresh "$prof" --calendar "$url"
	n=$(wc -l <"$d/ch-ab")
	check "$name: after accepting change 2 (and its joint parts): $n objects replaced" \
		sh -c "[ $rc -eq 0 ] && [ $n -ge 1 ] && grep -q ': 0 new, $n replaced, $((9 - n)) unchanged, 0 deleted' '$TMP/stdout'"
	sed -n 's#^PUT .*/\([0-9a-f]*\.ics\) 20[14]$#\1#p' "$log" | sort >"$d/put"
	check "$name: ... exactly the changed objects were PUT, and nothing else written" \
		sh -c "cmp -s '$d/put' '$d/ch-ab' && [ $(writes) -eq $n ]"
	grep -v ' 401$' "$log" | diag
	check "$name: ... each with If-Match: the ETag its first PUT got, and no If-None-Match" \
		sh -c "[ $(grep -c '^PUT ' "$log.headers") -ge $n ] && ! grep '^PUT ' '$log.headers' | grep -vq ' \"[^ ]*\" - '"
	check "$name: re-read: the new agreed plan" reread "$d/b.ics"

	# ---- the feed cancels an appointment: its object is DELETEd
	feed_edit "$d/fam/feeds/dietitian.ics" CD24-APPT-31877@diary.nutrition.example cancel
	run --db "$db" export --refresh "$prof" --calendar "$d/c.ics"
	$py "$rd" --file "$d/c.ics" >"$d/c.txt"
	changed "$d/b.txt" "$d/c.txt" >"$d/ch-bc"
	fresh
	run --db "$db" export --refresh "$prof" --calendar "$url"
	check "$name: an appointment cancelled in its feed: one object deleted, none PUT" \
		sh -c "[ $rc -eq 0 ] && [ $(wc -l <"$d/ch-bc") -eq 1 ] && grep -q ': 0 new, 0 replaced, 8 unchanged, 1 deleted' '$TMP/stdout' && [ $(writes) -eq 1 ]"
	check "$name: ... the DELETE named that object" grep -q "^DELETE .*/$(cat "$d/ch-bc") 20[04]\$" "$log"
	check "$name: ... with If-Match" grep -q "^DELETE .*/$(cat "$d/ch-bc") \"[^ ]*\" - " "$log.headers"
	check "$name: re-read: the plan without it" reread "$d/c.ics"

	# ---- someone else changed an object the plan now changes: not overwritten
	feed_edit "$d/fam/feeds/paediatrician.ics" RAD-2026-44718-01@outpatients.hospital.example later
	run --db "$db" export --refresh "$prof" --calendar "$d/e.ics"
	$py "$rd" --file "$d/e.ics" >"$d/e.txt"
	changed "$d/c.txt" "$d/e.txt" >"$d/ch-ce"
	x=$(head -1 "$d/ch-ce")
	check "$name: a feed moved one appointment: one object to change" [ "$(wc -l <"$d/ch-ce")" -eq 1 ]
	$py "$rd" --edit "$http$x" keyworker caldav-pw-7
	fresh
	run --db "$db" export --refresh "$prof" --calendar "$url"
	check "$name: the object was changed on the server by someone else: exit 2" [ "$rc" -eq 2 ]
	check "$name: ... a conflict naming the resource and the 412" \
		grep -q "error: caldav+http://127.0.0.1:$pp/<redacted:[0-9a-f]*>: $x: changed on the server since dovetail wrote it (HTTP status 412), so it is not replaced; it is left as the server holds it" "$TMP/stderr"
	check "$name: ... and not its content, nor the collection's path" \
		sh -c "! grep -q -e 'Moved by the clinic' -e '$path' '$TMP/stderr' '$TMP/stdout'"
	check "$name: ... the server still holds the other's change" \
		sh -c "$py '$rd' --get '$http$x' keyworker caldav-pw-7 | grep -q 'Moved by the clinic'"
	check "$name: ... one PUT tried (412), none done" sh -c "[ $(writes) -eq 1 ] && grep -q '^PUT .* 412\$' '$log'"
	fresh
	run --db "$db" export --refresh "$prof" --calendar "$url"
	check "$name: the next run reports it again (exit 2) and still does not overwrite it" \
		sh -c "[ $rc -eq 2 ] && ! grep -q '^PUT .* 20[14]\$' '$log'"
	$py "$rd" --delete "$http$x" keyworker caldav-pw-7
	fresh
	run --db "$db" export --refresh "$prof" --calendar "$url"
	check "$name: deleted on the server, it is dovetail's again: written afresh, exit 0" \
		sh -c "[ $rc -eq 0 ] && grep -q '^PUT .*/$x 201\$' '$log'"
	check "$name: re-read: the agreed plan" reread "$d/e.ics"

	# ---- it comes and goes on the server while dovetail writes it: the
	# PUT over dovetail's object is refused (412), a GET finds it gone
	# (404), the PUT afresh is refused too (412: someone made it again), and
	# a GET finds it gone again; each answer injected by the proxy
	feed_edit "$d/fam/feeds/paediatrician.ics" RAD-2026-44718-01@outpatients.hospital.example later
	run --db "$db" export --refresh "$prof" --calendar "$d/g.ics"
	printf 'PUT 1 412\nGET 1 404\nPUT 2 412\nGET 2 404\n' >"$fault"
	fresh
	run --db "$db" export --refresh "$prof" --calendar "$url"
	rm -f "$fault"
	grep . "$log" | diag
	check "$name: an object that comes and goes while dovetail writes it: exit 2, one conflict" \
		sh -c "[ $rc -eq 2 ] && grep -q ', 1 conflict\$' '$TMP/stdout'"
	check "$name: ... saying so, and naming only the resource" \
		grep -q "error: caldav+http://127.0.0.1:$pp/<redacted:[0-9a-f]*>: $x: it came and went on the server while dovetail wrote it, so it is not replaced" "$TMP/stderr"
	grep -v ' 401$' "$log" | sed -n "s#^\(PUT\|GET\) .*/$x \(.*\)\$#\1 \2#p" | tr '\n' , >"$d/seq"
	check "$name: ... two PUTs, each followed by a GET, and nothing else written" \
		sh -c "[ '$(cat "$d/seq")' = 'PUT 412-injected,GET 404-injected,PUT 412-injected,GET 404-injected,' ] && [ $(writes) -eq 2 ]"
	grep "^PUT .*/$x " "$log.headers" | awk '{ print ($3 != "-") $4 }' | tr '\n' , >"$d/hdr"
	check "$name: ... the first with If-Match, the second afresh: If-None-Match: * and no If-Match" \
		[ "$(cat "$d/hdr")" = "1-,0*," ]
	fresh
	run --db "$db" export --refresh "$prof" --calendar "$url"
	check "$name: the next run, the server answering as it is: it is replaced, exit 0" \
		sh -c "[ $rc -eq 0 ] && grep -q '^PUT .*/$x 20[14]\$' '$log'"
	check "$name: re-read: the agreed plan" reread "$d/g.ics"
	cp "$d/g.ics" "$d/e.ics"   # (the plan the story below starts from)
	$py "$rd" --file "$d/e.ics" >"$d/e.txt"

	# ---- a server error midway, then a second run converges
	run --db "$db" export --refresh "$prof" --calendar "$d/r.ics" --routines
	echo "PUT $(nth 5) 503" >"$fault"
	nnew=4
	fresh
	run --db "$db" export --refresh "$prof" --calendar "$url" --routines
	check "$name: a 503 on the fifth PUT: exit 69" [ "$rc" -eq 69 ]
	check "$name: ... naming the method and resource, and the status" \
		grep -q "error: caldav+http://127.0.0.1:$pp/<redacted:[0-9a-f]*>: PUT [0-9a-f]*\.ics failed: HTTP status 503; what was written before it is recorded" "$TMP/stderr"
	check "$name: ... saying what it did before stopping: $nnew new" grep -q "^stopped writing .*: $nnew new, " "$TMP/stdout"
	$py "$rd" "$http" keyworker caldav-pw-7 | grep -v '^#' | cut -d' ' -f1 | sort >"$d/uids-server"
	sql "SELECT uid FROM caldav_objects ORDER BY uid" >"$d/uids-store"
	check "$name: ... the store records exactly the objects the server holds ($((8 + nnew)))" \
		sh -c "cmp -s '$d/uids-server' '$d/uids-store' && [ $(wc -l <"$d/uids-store") -eq $((8 + nnew)) ]"
	# and this time the server's answer to the first PUT has no ETag
	echo "PUT $(nth 1) noetag" >"$fault"
	fresh
	run --db "$db" export --refresh "$prof" --calendar "$url" --routines
	check "$name: the second run completes (exit 0)" [ "$rc" -eq 0 ]
	first=$(sed -n 's#^PUT .*/\([0-9a-f]*\.ics\) 201$#\1#p' "$log" | head -1)
	check "$name: ... a PUT answered without an ETag: one GET of it, for its ETag (RFC 4791 5.3.4)" \
		sh -c "[ -n '$first' ] && grep -A2 '^PUT .*/$first 201\$' '$log' | grep -q '^GET .*/$first 200\$'"
	check "$name: ... every record has the server's ETag" [ "$(sql "SELECT count(*) FROM caldav_objects WHERE etag IS NULL OR etag = ''")" -eq 0 ]
	rm -f "$fault"
	check "$name: re-read: the plan with the routines" reread "$d/r.ics"
	fresh
	run --db "$db" export --refresh "$prof" --calendar "$url" --routines
	check "$name: a third run writes nothing" sh -c "[ $rc -eq 0 ] && [ $(writes) -eq 0 ]"

	# ---- one object the plan drops was changed by someone else: not deleted
	$py "$rd" --file "$d/r.ics" >"$d/r.txt"
	changed "$d/e.txt" "$d/r.txt" >"$d/ch-er"
	nr=$(wc -l <"$d/ch-er")
	y=$(head -1 "$d/ch-er")
	$py "$rd" --edit "$http$y" keyworker caldav-pw-7
	fresh
	run --db "$db" export --refresh "$prof" --calendar "$url"
	check "$name: the routines dropped, one changed by someone else: exit 2, the other $((nr - 1)) deleted" \
		sh -c "[ $rc -eq 2 ] && grep -q ': 0 new, 0 replaced, 8 unchanged, $((nr - 1)) deleted, 1 conflict\$' '$TMP/stdout'"
	check "$name: ... that one named, not deleted, and no longer dovetail's" \
		grep -q "$y: changed on the server since dovetail wrote it (HTTP status 412), so it is not deleted, and no longer dovetail's; it is left as the server holds it" "$TMP/stderr"
	check "$name: ... the server still holds it, with the other's change" \
		sh -c "$py '$rd' --get '$http$y' keyworker caldav-pw-7 | grep -q 'Moved by the clinic'"
	fresh
	run --db "$db" export --refresh "$prof" --calendar "$url"
	check "$name: the next run: exit 0, nothing written, it is left alone" \
		sh -c "[ $rc -eq 0 ] && [ $(writes) -eq 0 ] && ! grep -q '$y' '$log'"
	$py "$rd" --delete "$http$y" keyworker caldav-pw-7
	run --db "$db" export --refresh "$prof" --calendar "$url" --routines
	check "$name: (its owner deleted it; the routines are back: exit 0)" [ "$rc" -eq 0 ]

	# ---- answers lost: the server did it, dovetail never heard
	echo "DELETE $(nth 3) drop" >"$fault"
	run --db "$db" export --refresh "$prof" --calendar "$url"
	check "$name: the third DELETE's answer lost: exit 69" [ "$rc" -eq 69 ]
	rm -f "$fault"
	fresh
	run --db "$db" export --refresh "$prof" --calendar "$url"
	check "$name: the next run converges (exit 0): the lost one is gone (404 or 412), the rest deleted" \
		sh -c "[ $rc -eq 0 ] && grep -q '^DELETE .* \(404\|412\)\$' '$log'"
	check "$name: re-read: the plan without the routines" reread "$d/e.ics"
	echo "PUT $(nth 2) drop" >"$fault"
	run --db "$db" export --refresh "$prof" --calendar "$url" --routines
	check "$name: the second PUT's answer lost: exit 69" [ "$rc" -eq 69 ]
	rm -f "$fault"
	fresh
	run --db "$db" export --refresh "$prof" --calendar "$url" --routines
	check "$name: the next run converges: the object the server took is found already written" \
		sh -c "[ $rc -eq 0 ] && grep -q ', 1 found already written, 0 conflicts' '$TMP/stdout'"
	grep . "$TMP/stderr" | head -3 | diag
	check "$name: re-read: the plan with the routines" reread "$d/r.ics"

	# ---- a request that hangs: the time bound ends it, the next run converges
	echo "DELETE $(nth 1) hang" >"$fault"
	DOVETAIL_FETCH_TIMEOUT=1 run --db "$db" export --refresh "$prof" --calendar "$url"
	check "$name: a DELETE that hangs: ended by the timeout, exit 69" \
		sh -c "[ $rc -eq 69 ] && grep -q 'DELETE [0-9a-f]*\.ics failed: .*[Tt]ime' '$TMP/stderr'"
	rm -f "$fault"
	run --db "$db" export --refresh "$prof" --calendar "$url"
	check "$name: the next run converges" sh -c "[ $rc -eq 0 ]"
	check "$name: re-read: the plan" reread "$d/e.ics"

	# ---- bounds: refused before any request
	fresh
	DOVETAIL_CALDAV_MAX_OBJECTS=20 run --db "$db" export --refresh "$prof" --calendar "$url" --routines
	check "$name: more objects than DOVETAIL_CALDAV_MAX_OBJECTS: exit 65, no request made" \
		sh -c "[ $rc -eq 65 ] && grep -q 'the plan has [0-9]* calendar objects, past the limit of 20' '$TMP/stderr' && [ ! -s '$log' ]"
	DOVETAIL_CALDAV_MAX_OBJECTS=8 run --db "$db" export --refresh "$prof" --calendar "$url"
	check "$name: 8 objects at a bound of 8: written (exit 0)" [ "$rc" -eq 0 ]
	fresh
	DOVETAIL_CALDAV_MAX_BYTES=3000 run --db "$db" export --refresh "$prof" --calendar "$url" --routines
	check "$name: more bytes to PUT than DOVETAIL_CALDAV_MAX_BYTES: exit 65, no request made" \
		sh -c "[ $rc -eq 65 ] && grep -q 'the objects to write are [0-9]* bytes, past the limit of 3000 bytes' '$TMP/stderr' && [ ! -s '$log' ]"
	run --db "$db" export --refresh "$prof" --calendar "caldav+http://keyworker:caldav-pw-7@127.0.0.1:$pp$path"
	check "$name: a URL with credentials in it: refused (exit 64), the password not shown" \
		sh -c "[ $rc -eq 64 ] && ! grep -q caldav-pw-7 '$TMP/stderr' '$TMP/stdout'"
	check "$name: the password is in no store" sh -c "! grep -q caldav-pw-7 '$d'/store.db*"
}

# ---- Radicale, with a password (htpasswd) and owner-only rights
if command -v radicale >/dev/null 2>&1; then
	port=$(freeport)
	printf 'keyworker:caldav-pw-7\n' >"$TMP/htpasswd"
	radicale --server-hosts "127.0.0.1:$port" --storage-filesystem-folder "$TMP/radicale-store" \
		--auth-type htpasswd --auth-htpasswd-filename "$TMP/htpasswd" --auth-htpasswd-encryption plain \
		--rights-type owner_only >"$TMP/radicale.log" 2>&1 &
	pids="$pids $!"
	check "Radicale listens on 127.0.0.1:$port" listening "$port"
	scenario radicale "$port" /keyworker/family/ 1
	check "radicale: no output holds the password" sh -c "! grep -rq caldav-pw-7 '$TMP/stdout' '$TMP/stderr'"
else
	not_ok "radicale is there (tools/run-tests installs it)"
fi
# ---- Xandikos (no authentication)
if command -v xandikos >/dev/null 2>&1; then
	xport=$(freeport)
	xandikos -d "$TMP/xandikos-store" --defaults -l 127.0.0.1 -p "$xport" >"$TMP/xandikos.log" 2>&1 &
	pids="$pids $!"
	check "Xandikos listens on 127.0.0.1:$xport" listening "$xport"
	scenario xandikos "$xport" /user/calendars/family/ 0
else
	not_ok "xandikos is there (tools/run-tests installs it)"
fi
done_testing
