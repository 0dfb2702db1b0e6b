#!/bin/sh
# bench-check.sh: time `dovetail check` on each example family (whole
# process, after a first run has imported the feeds), side by side in one
# run with the scripted alternative tools/check-alt.py (PyYAML,
# python-icalendar, recurring-ical-events), which does only part of the
# work. Reports medians and the ratio. Target: under 50 ms per family.
# Usage: tools/bench-check.sh [DOVETAIL] [RUNS]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${1:-$root/build/dovetail}
runs=${2:-11}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
now=2026-11-23T00:00:00Z
py=/usr/bin/python3
alt=1
$py -c 'import yaml, icalendar, recurring_ical_events' 2>/dev/null || alt=0

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ms() { # ms COMMAND...: wall time of one run in milliseconds
	s=$(date +%s%N)
	"$@" >/dev/null 2>&1 || true
	e=$(date +%s%N)
	echo $(( (e - s) / 1000 )) | awk '{printf "%.3f\n", $1 / 1000}'
}

printf '%-18s %14s %14s %8s\n' family "dovetail (ms)" "alt (ms)" ratio
for prof in "$root"/examples/*/profile.yaml; do
	fam=$(basename "$(dirname "$prof")")
	db=$tmp/$fam.db
	"$bin" --db "$db" --now $now check "$prof" >/dev/null 2>&1 || true   # import once
	: >"$tmp/d"
	: >"$tmp/a"
	i=0
	while [ $i -lt "$runs" ]; do
		ms "$bin" --db "$db" --now $now check "$prof" >>"$tmp/d"
		[ $alt = 1 ] && ms $py "$here/check-alt.py" "$prof" 2026-11-23 >>"$tmp/a"
		i=$((i + 1))
	done
	d=$(median <"$tmp/d")
	if [ $alt = 1 ]; then
		a=$(median <"$tmp/a")
		printf '%-18s %14.1f %14.1f %7.1fx\n' "$fam" "$d" "$a" "$(echo "$a / $d" | bc -l)"
	else
		printf '%-18s %14.1f %14s %8s\n' "$fam" "$d" "n/a" "n/a"
	fi
done
echo "medians of $runs runs each, whole process; alt = tools/check-alt.py (overlaps and double-bookings only)"
