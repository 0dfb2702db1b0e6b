# lib.sh: what the CLI end-to-end tests share: a temp dir, a pinned clock,
# TAP output, and checks of stdout, stderr and exit status against files.
#
# Sourced by tests/cli/t-*.sh, which meson runs as `t-NAME.sh DOVETAIL`.
# Expected output sits beside the input (house style): for a case
# tests/data/CASE.ics, CASE.out holds the exact stdout and CASE.err the
# exact stderr. When one input is driven more than one way, the extra runs
# are named CASE.VARIANT and have CASE.VARIANT.out and CASE.VARIANT.err.
# Commands run from tests/data (or from the temp dir for generated inputs)
# so that file names in diagnostics are relative; the temp dir's path is
# replaced by "TMP" in both streams.
#
# Set DOVETAIL_TEST_BLESS=1 to (re)write the expected files from the
# current output instead of comparing; review the diff before committing.

set -u
if [ $# -lt 1 ]; then
	echo "usage: $0 PATH/TO/dovetail" >&2
	exit 2
fi
case $1 in
/*) DOVETAIL=$1 ;;
*) DOVETAIL=$(pwd)/$1 ;;
esac
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
DATA=$SRCDIR/tests/data
export LC_ALL=C TZ=UTC DOVETAIL_NOW=20261123T000000Z
unset DOVETAIL_DB XDG_DATA_HOME
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dovetail-cli.XXXXXX")
HOME=$TMP/home
export HOME
trap 'rm -rf "$TMP"' EXIT
umask 022
tap_n=0
tap_failed=0

# TAP: one line per check; failures carry "#" lines explaining them.
ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $*"
}
not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $*"
}
check() { # check DESCRIPTION COMMAND...: ok when COMMAND succeeds
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
diag() {
	sed 's/^/# /'
}
done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
	exit $?
}

# Tests never depend on the wall clock (a busy CI machine is slow, not
# wrong): a command is bounded by the CPU time it may use (ulimit -t),
# scaled for sanitizer builds, which are several times slower. CPU_SCALE
# is 4 for a binary built with ASan or UBSan (DOVETAIL_TEST_CPU_SCALE
# overrides it).
CPU_SCALE=${DOVETAIL_TEST_CPU_SCALE:-}
if [ -z "$CPU_SCALE" ]; then
	CPU_SCALE=1
	if ldd "$DOVETAIL" 2>/dev/null | grep -Eq 'libasan|libubsan' ||
		grep -aq '__asan_init' "$DOVETAIL" 2>/dev/null; then
		CPU_SCALE=4
	fi
fi
# cpu_bounded SECONDS COMMAND...: COMMAND with at most SECONDS * CPU_SCALE
# seconds of CPU time (past it the kernel ends it with SIGXCPU: exit 152 or
# 137), so that a hang that spins fails the test, however busy the machine.
cpu_bounded() {
	cb_s_=$1
	shift
	(ulimit -t $((cb_s_ * CPU_SCALE)) && exec "$@")
}

# run ARGS...: run dovetail in the current directory, bounded by 60 s of
# CPU time (scaled); leaves $rc and the files $TMP/stdout, $TMP/stderr
# (temp dir shown as TMP).
run() {
	cpu_bounded 60 "$DOVETAIL" "$@" >"$TMP/stdout" 2>"$TMP/stderr"
	rc=$?
	sed -i "s#$TMP#TMP#g" "$TMP/stdout" "$TMP/stderr"
}

# expect CASE RC: compare the last run with $DATA/CASE.out, $DATA/CASE.err
# and the exit status RC. An absent .err means "stderr must be empty".
expect() {
	case_=$1
	want_rc=$2
	if [ "${DOVETAIL_TEST_BLESS:-0}" = 1 ]; then
		cp "$TMP/stdout" "$DATA/$case_.out"
		if [ -s "$TMP/stderr" ]; then cp "$TMP/stderr" "$DATA/$case_.err"; else rm -f "$DATA/$case_.err"; fi
	fi
	if [ "$rc" -eq "$want_rc" ]; then
		ok "$case_: exit status $want_rc"
	else
		not_ok "$case_: exit status $want_rc (got $rc)"
		diag <"$TMP/stderr"
	fi
	if cmp -s "$TMP/stdout" "$DATA/$case_.out"; then
		ok "$case_: stdout"
	else
		not_ok "$case_: stdout"
		diff -u --label "expected $case_.out" --label "actual stdout" "$DATA/$case_.out" "$TMP/stdout" | head -40 | diag
	fi
	if [ -f "$DATA/$case_.err" ]; then
		cmp -s "$TMP/stderr" "$DATA/$case_.err"
	else
		! [ -s "$TMP/stderr" ]
	fi
	if [ $? -eq 0 ]; then
		ok "$case_: stderr"
	else
		not_ok "$case_: stderr"
		diff -u --label "expected $case_.err" --label "actual stderr" "$DATA/$case_.err" "$TMP/stderr" 2>/dev/null | head -40 | diag
		[ -f "$DATA/$case_.err" ] || diag <"$TMP/stderr"
	fi
}

profile_edit() { # profile_edit FILE PYTHON: edit a YAML profile in place (as p)
	/usr/bin/python3 - "$1" "$2" <<'PY'
import sys, yaml
p = yaml.safe_load(open(sys.argv[1]))
exec(sys.argv[2])
yaml.safe_dump(p, open(sys.argv[1], "w"), sort_keys=False, allow_unicode=True)
PY
}

# wait_on_lock PID DB BYTE: until process PID waits on byte BYTE of the
# store DB's lock (as /proc/locks shows it), or ends; at most 150 s
wait_on_lock() {
	wl_ino=$(stat -c %i "$2")
	wl_i=0
	while kill -0 "$1" 2>/dev/null && ! grep -q -- "-> .*:$wl_ino $3 $3\$" /proc/locks && [ $wl_i -lt 3000 ]; do
		sleep 0.05
		wl_i=$((wl_i + 1))
	done
}

sha() { # sha FILE: its SHA-256, or "absent"
	if [ -f "$1" ]; then sha256sum <"$1" | cut -d' ' -f1; else echo absent; fi
}

mode() { # mode FILE: octal permission bits, e.g. 600
	stat -c %a "$1"
}

# make_long_line DIR: write DIR/long-line.ics, a feed whose DESCRIPTION is
# one 10 MB content line (generated: too big to keep in the repository).
make_long_line() {
	{
		printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//dovetail tests//long line//EN\r\n'
		printf 'BEGIN:VEVENT\r\nUID:long@test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20261201T090000Z\r\n'
		printf 'DESCRIPTION:'
		head -c 10485760 /dev/zero | tr '\0' 'x'
		printf '\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n'
	} >"$1/long-line.ics"
}
