#!/bin/sh
# t-hostile.sh: fuzzed and invalid feeds from the shared corpus must never
# crash, hang or corrupt a store: `dovetail import` of each one, into a
# store that already holds a good feed, ends within 10 s of CPU time
# (scaled for sanitizer builds; never a wall-clock bound) with a documented
# exit status (0, 1, 4 or 5; never a signal or 70), no sanitizer report,
# and, when the feed is rejected, the database file byte for byte as before.
#
# Usage: t-hostile.sh DOVETAIL   (CORPUS defaults to SRCDIR/../shared/corpus;
# exit 77, a skip, when it is absent)
. "$(dirname "$0")/lib.sh"

CORPUS=${CORPUS:-$SRCDIR/../shared/corpus}
if [ ! -d "$CORPUS/hostile/libical-fuzz" ] && [ ! -d "$CORPUS/ics/ical4j-invalid" ]; then
	echo "skip: no corpus at $CORPUS"
	exit 77
fi

base=$TMP/base.db
cpu_bounded 60 "$DOVETAIL" --db "$base" import --feed good "$DATA/import-good.ics" >/dev/null 2>"$TMP/stderr" || {
	echo "FAIL: cannot build the base store"
	cat "$TMP/stderr"
	exit 1
}
base_sha=$(sha "$base")

n=0 passed=0 failed=0 rejected=0
for f in "$CORPUS"/hostile/libical-fuzz/* "$CORPUS"/ics/ical4j-invalid/* "$SRCDIR"/tests/fuzz/regressions/ics/*; do
	[ -f "$f" ] || continue
	case $f in */README) continue ;; esac
	n=$((n + 1))
	name=${f#"$CORPUS"/}
	db=$TMP/h.db
	rm -f "$db" "$db-wal" "$db-shm"
	cp -p "$base" "$db"
	cpu_bounded 10 "$DOVETAIL" --db "$db" import "$f" >"$TMP/stdout" 2>"$TMP/stderr"
	rc=$?
	why=
	case $rc in
	0 | 65 | 66) ;;
	152 | 137) why="did not end within $((10 * CPU_SCALE)) s of CPU" ;;
	*) why="exit status $rc" ;;
	esac
	if grep -qE 'runtime error|AddressSanitizer|LeakSanitizer' "$TMP/stderr"; then
		why="${why:+$why; }sanitizer report"
	fi
	# Without --keep-going a feed with an error writes nothing: a non-zero
	# status, like a "rejected" report line, means the file must not change.
	if [ "$rc" != 0 ] || grep -q 'rejected; nothing written' "$TMP/stdout"; then
		rejected=$((rejected + 1))
		if [ "$(sha "$db")" != "$base_sha" ]; then
			why="${why:+$why; }rejected (exit $rc) but the database file changed"
		fi
	fi
	if [ -e "$db-wal" ] && [ -s "$db-wal" ]; then
		why="${why:+$why; }a -wal file is left behind"
	fi
	if [ -z "$why" ]; then
		passed=$((passed + 1))
		echo "ok   $name (exit $rc)"
	else
		failed=$((failed + 1))
		echo "FAIL $name: $why"
		head -c 2000 "$TMP/stdout" | sed 's/^/    stdout: /'
		grep -E 'runtime error|Sanitizer|error:' "$TMP/stderr" | head -5 | cut -c1-300 | sed 's/^/    stderr: /'
	fi
done
# profiles and caseloads a fuzzer once crashed on: a clean error, quickly
for f in "$SRCDIR"/tests/fuzz/regressions/profile/* "$SRCDIR"/tests/fuzz/regressions/caseload/*; do
	[ -f "$f" ] || continue
	case $f in */README) continue ;; esac
	n=$((n + 1))
	case $f in */profile/*) cmd=check ;; *) cmd=batch ;; esac
	cpu_bounded 10 "$DOVETAIL" --db "$TMP/r.db" $cmd "$f" >"$TMP/stdout" 2>"$TMP/stderr"
	rc=$?
	case $rc in
	0 | 1 | 2 | 65 | 66) passed=$((passed + 1)); echo "ok   $f (exit $rc)" ;;
	*) failed=$((failed + 1)); echo "FAIL $f: exit status $rc" ;;
	esac
done
echo "hostile: $n files, $passed passed, $failed failed ($rejected rejected)"
[ "$failed" -eq 0 ]
