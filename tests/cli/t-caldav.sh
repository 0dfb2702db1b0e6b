#!/bin/sh
# t-caldav.sh: CalDAV against a real Radicale and a real Xandikos (Debian's
# radicale and xandikos) started here on 127.0.0.1 with temporary
# collection stores, stopped at the end.
# Each example family's feeds are uploaded with real HTTP PUTs (one
# calendar object per UID, tests/cli/caldav_put.py), one collection per
# feed; a copy of each profile names them as caldav+http:// collections.
# Read through CalDAV (a calendar-query REPORT for the horizon; credentials
# from a netrc file), each family's week and check report are exactly those
# read from the files, from either server (Xandikos 0.2.8 ignores RRULE in a
# calendar-query's time-range, so dovetail asks for every VEVENT and expands
# them itself). Then one event is changed on the server, and the next
# read sees exactly that change. Also: the time to import the three
# families from Radicale and from the files (a figure, not an assertion).
# Usage: t-caldav.sh DOVETAIL
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
if ! command -v radicale >/dev/null 2>&1; then
	not_ok "radicale is there (tools/run-tests installs it)"
	done_testing
fi
port=$($py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'keyworker:radicale-pw-1\n' >"$TMP/htpasswd"
radicale --server-hosts "127.0.0.1:$port" --storage-filesystem-folder "$TMP/collections" \
	--auth-type htpasswd --auth-htpasswd-filename "$TMP/htpasswd" --auth-htpasswd-encryption plain \
	--rights-type owner_only >"$TMP/radicale.log" 2>&1 &
rpid=$!
trap 'kill $rpid 2>/dev/null; wait $rpid 2>/dev/null; rm -rf "$TMP"' EXIT
# listening PORT: whether a server answers on 127.0.0.1:PORT within 10 s (100 tries)
listening() {
	i=0
	until $py -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || return 1
		sleep 0.1
	done
}
check "Radicale listens on 127.0.0.1:$port" listening "$port"
base=http://127.0.0.1:$port/keyworker
printf 'machine 127.0.0.1 login keyworker password radicale-pw-1\n' >"$TMP/netrc"
chmod 600 "$TMP/netrc"
export NETRC="$TMP/netrc"
# plain http to 127.0.0.1: credentials go only with this opt-in (docs/feeds.md)
export DOVETAIL_FEED_HTTP_CREDENTIALS=1

ms() { echo $(( $(date +%s%N) / 1000000 )); }
t_files=0 t_caldav=0
for fam in cp autism dementia; do
	d=$TMP/$fam
	cp -r "$SRCDIR/examples/family-$fam" "$d"
	cp "$d/profile.yaml" "$d/caldav.yaml"
	put=0
	for f in "$d"/feeds/*.ics; do
		name=$(basename "$f" .ics)
		n=$($py "$SRCDIR/tests/cli/caldav_put.py" "$base/$fam-$name/" keyworker radicale-pw-1 "$f") || n=-1
		if [ "$n" -gt 0 ]; then
			put=$((put + n))
			sed -i "s#feeds/$name\.ics#caldav+$base/$fam-$name/#" "$d/caldav.yaml"
		fi
	done
	check "$fam: $put calendar objects PUT into Radicale" [ "$put" -gt 0 ]
	check "$fam: the profile copy names CalDAV collections" grep -q "caldav+$base/$fam-" "$d/caldav.yaml"
	t0=$(ms)
	run --db "$d/files.db" week --json "$d/profile.yaml"
	t1=$(ms)
	cp "$TMP/stdout" "$d/files.json"
	run --db "$d/caldav.db" week --json "$d/caldav.yaml"
	t2=$(ms)
	check "$fam: week through CalDAV: exit 0" [ "$rc" -eq 0 ]
	grep error "$TMP/stderr" | head -3 | diag
	check "$fam: the week read through CalDAV is the week read from the files" cmp -s "$d/files.json" "$TMP/stdout"
	t_files=$((t_files + t1 - t0))
	t_caldav=$((t_caldav + t2 - t1))
	run --db "$d/files.db" check --json "$d/profile.yaml"
	cp "$TMP/stdout" "$d/check-files.json"
	run --db "$d/caldav.db" check --json "$d/caldav.yaml"
	check "$fam: so is the check report" cmp -s "$d/check-files.json" "$TMP/stdout"
done
echo "# import and week of the three families: files $t_files ms, CalDAV (Radicale) $t_caldav ms"

# ---- change one event on the server; the next read sees exactly that change
d=$TMP/cp
$py - "$d/feeds/paediatrician.ics" "$d/changed.ics" <<'PY'
import re, sys
s = open(sys.argv[1], newline="").read()
# one single appointment of the feed moves an hour later (DTSTART and DTEND)
i = s.index("UID:OPD-2026-90812-01@outpatients.hospital.example")
end = s.index("END:VEVENT", i)
later = lambda m: m.group(1) + "%02d" % (int(m.group(2)) + 1)
block = re.sub(r"((?:DTSTART|DTEND)[^:\r\n]*:\d{8}T)(\d\d)", later, s[i:end])
open(sys.argv[2], "w", newline="").write(s[:i] + block + s[end:])
PY
$py "$SRCDIR/tests/cli/caldav_put.py" "$base/cp-paediatrician/" keyworker radicale-pw-1 "$d/changed.ics" >/dev/null
check "one event changed on the server (a real PUT)" [ $? -eq 0 ]
cp "$d/files.json" "$d/before.json"
# week reads the store's copy unless asked to read the feeds again
run --db "$d/caldav.db" week --refresh --json "$d/caldav.yaml"
cp "$TMP/stdout" "$d/after.json"
$py - "$d/before.json" "$d/after.json" <<'PY'
import json, sys
def appts(p):
    return {(a["practitioner"], a["uid"], a.get("recurrence_id") or ""): a
            for d in json.load(open(p))["days"] for a in d["appointments"]}
a, b = appts(sys.argv[1]), appts(sys.argv[2])
diff = [k for k in set(a) | set(b) if a.get(k) != b.get(k)]
assert len(diff) == 1, diff
k = diff[0]
assert k[1] == "OPD-2026-90812-01@outpatients.hospital.example", k
x, y = a[k], b[k]
print("# %s: %s -> %s" % (k[1], x["start"], y["start"]))
assert y["start"][11:13] == "%02d" % (int(x["start"][11:13]) + 1) and y["start"][:11] == x["start"][:11]
PY
check "the next read sees exactly that change (one appointment, an hour later)" [ $? -eq 0 ]

# ---- the same families from Xandikos, whose time-range filter drops series
if ! command -v xandikos >/dev/null 2>&1; then
	not_ok "xandikos is there (tools/run-tests installs it)"
else
	xport=$($py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	xandikos -d "$TMP/xandikos" --defaults -l 127.0.0.1 -p "$xport" >"$TMP/xandikos.log" 2>&1 &
	xpid=$!
	trap 'kill $rpid $xpid 2>/dev/null; wait $rpid $xpid 2>/dev/null; rm -rf "$TMP"' EXIT
	check "Xandikos listens on 127.0.0.1:$xport" listening "$xport"
	xbase=http://127.0.0.1:$xport/user/calendars
	for fam in cp autism dementia; do
		d=$TMP/$fam
		cp "$d/profile.yaml" "$d/xandikos.yaml"
		put=0
		for f in "$d"/feeds/*.ics; do
			name=$(basename "$f" .ics)
			n=$($py "$SRCDIR/tests/cli/caldav_put.py" "$xbase/$fam-$name/" nobody none "$f") || n=-1
			if [ "$n" -gt 0 ]; then
				put=$((put + n))
				sed -i "s#feeds/$name\.ics#caldav+$xbase/$fam-$name/#" "$d/xandikos.yaml"
			fi
		done
		check "$fam: $put calendar objects PUT into Xandikos" [ "$put" -gt 0 ]
		run --db "$d/xandikos.db" week --json "$d/xandikos.yaml"
		check "$fam: week through Xandikos: exit 0" [ "$rc" -eq 0 ]
		check "$fam: the week read through Xandikos is the week read from the files, recurring series included" \
			cmp -s "$d/files.json" "$TMP/stdout"
		run --db "$d/xandikos.db" check --json "$d/xandikos.yaml"
		check "$fam: so is the check report" cmp -s "$d/check-files.json" "$TMP/stdout"
	done
fi

# ---- failures: a collection that is not there, no credentials
run --db "$TMP/x.db" import "caldav+$base/no-such-collection/"
check "a collection that is not there: exit 69" [ "$rc" -eq 69 ]
NETRC=/dev/null run --db "$TMP/x.db" import "caldav+$base/cp-physio/"
check "no credentials: exit 69 (Radicale answers 401)" [ "$rc" -eq 69 ]
check "... with the status named" grep -q "HTTP status 401" "$TMP/stderr"
DOVETAIL_FEED_HTTP_CREDENTIALS=0 run --db "$TMP/x.db" import "caldav+$base/cp-physio/"
check "credentials in a netrc file, but plain http without the opt-in: not sent, exit 69" [ "$rc" -eq 69 ]
check "... the message names the opt-in and not the collection's path" \
	sh -c "grep -q 'HTTP status 401 (credentials are not sent over plain http unless DOVETAIL_FEED_HTTP_CREDENTIALS=1' '$TMP/stderr' && ! grep -q cp-physio '$TMP/stderr' '$TMP/stdout'"
run --db "$TMP/x.db" import "caldav+$base/cp-physio/#freebusy"
check "free-busy-query where Radicale 3.1 does not offer it: exit 69" [ "$rc" -eq 69 ]
check "... saying so (and not fetching the details instead)" grep -q "does not answer free-busy-query with a VFREEBUSY" "$TMP/stderr"
check "the password is in no store" sh -c "! grep -q radicale-pw-1 $TMP/*/*.db"
done_testing
