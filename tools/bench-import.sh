#!/bin/sh
# bench-import.sh: import a generated feed of 5,000 recurring events (about
# 100,000 occurrences in a one-year window) end to end, and time ical.js
# expanding the same file, side by side in one run. Reports medians and the
# ratio. Usage: tools/bench-import.sh [DOVETAIL] [RUNS]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../build/dovetail}
runs=${2:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$here/gen-feed.py" --events 5000 --seed 1 --year 2026 > "$tmp/feed.ics"
ws=20260101T000000Z we=20270101T000000Z

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

i=0
: > "$tmp/dt"
while [ $i -lt "$runs" ]; do
  rm -f "$tmp/b.db" "$tmp/b.db-wal" "$tmp/b.db-shm"
  s=$(date +%s.%N)
  out=$("$bin" --db "$tmp/b.db" --now 2026-06-01 import --from $ws --to $we --tz Europe/London "$tmp/feed.ics")
  e=$(date +%s.%N)
  echo "$e - $s" | bc -l >> "$tmp/dt"
  i=$((i + 1))
done
occ=$(echo "$out" | sed -n 's/.*; \([0-9]*\) occurrences\? stored/\1/p')
dt=$(median < "$tmp/dt")

ij=""
if node -e "import(process.env.ICALJS || '/tmp/icaljs/node_modules/ical.js/dist/ical.js')" 2>/dev/null; then
  node "$here/icaljs-expand.mjs" "$tmp/feed.ics" $ws $we --runs "$runs" > "$tmp/ij.out"
  ij_occ=$(sed -n 's/.*occurrences=\([0-9]*\).*/\1/p' "$tmp/ij.out" | head -1)
  ij=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' "$tmp/ij.out" | median)
fi
printf 'dovetail import (parse+expand+store): median %.3f s over %s runs, %s occurrences, %.0f occurrences/s\n' \
  "$dt" "$runs" "$occ" "$(echo "$occ / $dt" | bc -l)"
if [ -n "$ij" ]; then
  printf 'ical.js 2.2.1 expand (parse+expand):   median %.3f s over %s runs, %s occurrences, %.0f occurrences/s\n' \
    "$ij" "$runs" "$ij_occ" "$(echo "$ij_occ / $ij" | bc -l)"
  printf 'ratio (ical.js time / dovetail time): %.2fx\n' "$(echo "$ij / $dt" | bc -l)"
else
  echo "ical.js not found (set ICALJS); no comparison"
fi
