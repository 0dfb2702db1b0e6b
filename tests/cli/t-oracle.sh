#!/bin/sh
# t-oracle.sh: the differential test. Every .ics file of the shared corpus is
# expanded by dovetail and by two independent oracles (python
# recurring_ical_events, ical.js; see shared/oracle/README.md). A file agrees
# when dovetail's output equals either oracle's byte for byte; otherwise it
# must be listed in docs/recurrence-departures.md as a table row starting
# "| `SET/FILE`" (a documented RFC departure). Any other file fails the test.
#
# Usage: t-oracle.sh DOVETAIL [BUILDDIR]
#   CORPUS   the corpus (default SRCDIR/../shared/corpus); oracles in $CORPUS/../oracle
#   ICALJS   ical.js dist/ical.js (default BUILDDIR/node_modules/..., then /tmp/icaljs/...)
# Oracle outputs are cached in BUILDDIR/oracle-cache by the file's SHA-256.
# Exits 77 (skip) when the corpus or an oracle is missing.
set -u

if [ "${1:-}" = --one ]; then
	# worker: --one FILE; prints "STATUS<TAB>SET/FILE<TAB>detail"
	f=$2
	name=$(basename "$(dirname "$f")")/$(basename "$f")
	key=$(sha256sum <"$f" | cut -d' ' -f1)
	# window as shared/oracle/run_corpus.sh picks it: first VEVENT DTSTART's
	# date - 1 day to + 2 years; when that fails, 1970..2040
	d=$(tr -d '\r' <"$f" | awk '/^BEGIN:VEVENT/{e=1} /^END:VEVENT/{e=0} e && /^DTSTART/{sub(/.*:/,""); print substr($0,1,8); exit}')
	ws= we=
	if [ -n "$d" ]; then
		ws=$(date -u -d "$d -1 day" +%Y%m%dT000000Z 2>/dev/null) &&
			we=$(date -u -d "$d +2 years" +%Y%m%dT000000Z 2>/dev/null) || ws=
	fi
	if [ -z "$ws" ] || [ -z "$we" ]; then
		ws=19700101T000000Z
		we=20400101T000000Z
	fi
	c=$CACHE/$key
	if [ ! -f "$c.rie.rc" ]; then
		timeout 60 /usr/bin/python3 "$ORACLE/rie_oracle.py" "$f" "$ws" "$we" >"$c.rie.tmp" 2>/dev/null
		echo $? >"$c.rie.rc.tmp"
		mv "$c.rie.tmp" "$c.rie" && mv "$c.rie.rc.tmp" "$c.rie.rc"
	fi
	if [ ! -f "$c.icaljs.rc" ]; then
		timeout 60 node "$ORACLE/icaljs_oracle.mjs" "$f" "$ws" "$we" >"$c.icaljs.tmp" 2>/dev/null
		echo $? >"$c.icaljs.rc.tmp"
		mv "$c.icaljs.tmp" "$c.icaljs" && mv "$c.icaljs.rc.tmp" "$c.icaljs.rc"
	fi
	out=$WORK/$key.dovetail
	timeout 60 "$DOVETAIL" expand "$f" --from "$ws" --to "$we" >"$out" 2>"$out.err"
	rc=$?
	bad=
	case $rc in
	0 | 65 | 66) ;;
	*) bad="dovetail exit status $rc" ;;
	esac
	if grep -qE 'runtime error|AddressSanitizer|LeakSanitizer' "$out.err"; then
		bad="${bad:+$bad, }sanitizer report"
	fi
	if [ -n "$bad" ]; then
		{
			echo "== $name [$ws,$we): $bad"
			grep -E -m3 'runtime error|Sanitizer|SUMMARY' "$out.err"
		} >"$WORK/$key.diff"
		printf 'UNDOC\t%s\t%s\n' "$name" "$WORK/$key.diff"
		exit 0
	fi
	# byte for byte, as the oracles printed it (an oracle that failed on
	# an invalid file prints nothing, and may so agree with a rejection)
	for o in rie icaljs; do
		if cmp -s "$out" "$c.$o"; then
			orc=$(cat "$c.$o.rc")
			printf 'AGREE\t%s\twith %s, %s lines%s\n' "$name" "$o" "$(wc -l <"$out" | tr -d ' ')" \
				"$([ "$orc" = 0 ] || echo ", $o exit $orc")"
			exit 0
		fi
	done
	if [ -f "$DEPARTURES" ] &&
		awk -v row="| \`$name\`" 'index($0, row) == 1 { found = 1 } END { exit !found }' "$DEPARTURES"; then
		printf 'DEPART\t%s\tdocumented departure\n' "$name"
		exit 0
	fi
	# undocumented: keep a short diff against each oracle for the log
	{
		echo "== $name [$ws,$we) dovetail exit $rc; oracle exits: rie $(cat "$c.rie.rc"), icaljs $(cat "$c.icaljs.rc")"
		for o in rie icaljs; do
			diff -u --label "$o" --label dovetail "$c.$o" "$out" | sed -n '3,14p'
		done
		head -3 "$out.err"
	} >"$WORK/$key.diff"
	printf 'UNDOC\t%s\t%s\n' "$name" "$WORK/$key.diff"
	exit 0
fi

if [ $# -lt 1 ]; then
	echo "usage: $0 DOVETAIL [BUILDDIR]" >&2
	exit 2
fi
case $1 in
/*) DOVETAIL=$1 ;;
*) DOVETAIL=$(pwd)/$1 ;;
esac
BUILDDIR=${2:-}
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
CORPUS=${CORPUS:-$SRCDIR/../shared/corpus}
ORACLE=$CORPUS/../oracle
DEPARTURES=$SRCDIR/docs/recurrence-departures.md
export LC_ALL=C TZ=UTC DOVETAIL_NOW=20261123T000000Z

if [ ! -d "$CORPUS/ics" ]; then
	echo "skip: no corpus at $CORPUS"
	exit 77
fi
if [ ! -f "$ORACLE/rie_oracle.py" ] || [ ! -f "$ORACLE/icaljs_oracle.mjs" ]; then
	echo "skip: no oracles in $ORACLE"
	exit 77
fi
if ! [ -x /usr/bin/python3 ] || ! /usr/bin/python3 -c 'import recurring_ical_events' 2>/dev/null; then
	echo "skip: /usr/bin/python3 cannot import recurring_ical_events (apt-get install python3-recurring-ical-events)"
	exit 77
fi
if [ -z "${ICALJS:-}" ]; then
	for c in ${BUILDDIR:+"$BUILDDIR/node_modules/ical.js/dist/ical.js"} /tmp/icaljs/node_modules/ical.js/dist/ical.js; do
		if [ -f "$c" ]; then ICALJS=$c; break; fi
	done
fi
if [ -z "${ICALJS:-}" ] || [ ! -f "$ICALJS" ] || ! command -v node >/dev/null 2>&1; then
	echo "skip: no node or no ical.js (set ICALJS, or npm install --prefix BUILDDIR ical.js@2.2.1)"
	exit 77
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dovetail-oracle.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
if [ -n "$BUILDDIR" ] && mkdir -p "$BUILDDIR/oracle-cache" 2>/dev/null; then
	CACHE=$BUILDDIR/oracle-cache
else
	CACHE=$WORK/cache
	mkdir -p "$CACHE"
fi
export DOVETAIL CORPUS ORACLE ICALJS DEPARTURES CACHE WORK

find "$CORPUS"/ics/*/ -type f -name '*.ics' -print0 | sort -z |
	xargs -0 -n1 -P2 sh "$0" --one >"$WORK/results"
sort -k2 "$WORK/results" >"$WORK/sorted"

a=0 d=0 u=0 n=0
while IFS='	' read -r status name detail; do
	n=$((n + 1))
	case $status in
	AGREE) a=$((a + 1)); echo "agree     $name ($detail)" ;;
	DEPART) d=$((d + 1)); echo "departure $name (documented)" ;;
	*)
		u=$((u + 1))
		echo "UNDOCUMENTED $name"
		if [ -f "$detail" ]; then sed 's/^/    /' "$detail"; else echo "    $detail"; fi
		;;
	esac
done <"$WORK/sorted"
pct=$(awk -v a="$a" -v d="$d" -v n="$n" 'BEGIN { printf "%.1f", n ? (a + d) * 100 / n : 0 }')
echo "agreement: $a agree-with-oracle, $d documented departures, $u undocumented, of $n files ($pct%)"
if [ "$u" -gt 0 ]; then
	echo "each undocumented difference needs a fix or a row in docs/recurrence-departures.md"
	exit 1
fi
exit 0
