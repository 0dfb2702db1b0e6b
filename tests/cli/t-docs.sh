#!/bin/sh
# t-docs.sh: the docs match the code (issue 22): README.md and docs/*.md
# (tools/check-docs.py: links and anchors, commands, their options, the
# document list, the schema version, exit statuses, output excerpts, the
# problem kinds of check.md, paths and tests named, each manual page's
# SYNOPSIS and the completions against --help, the options of tools/,
# the profile and caseload keys, the macros limits.md names), the generated parts (tools/gen-docs.py --check: README's command
# list and synopses, limits.md's bounds as compiled), and
# src/store/schema.sql against a freshly migrated store
# (tools/schema-check.py). Each check is then shown failing on a copy
# broken on purpose, so that none passes vacuously.
. "$(dirname "$0")/lib.sh"

PY=${PYTHON:-/usr/bin/python3}
TOOLS=$SRCDIR/tools

# the source tree as it is
"$PY" "$TOOLS/gen-docs.py" --check "$SRCDIR" "$DOVETAIL" >"$TMP/out" 2>&1
rc=$?
check "the generated parts are up to date (tools/gen-docs.py --check)" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || diag <"$TMP/out"

"$PY" "$TOOLS/check-docs.py" "$SRCDIR" "$DOVETAIL" >"$TMP/out" 2>&1
rc=$?
check "README.md and docs/*.md agree with the code (tools/check-docs.py)" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || diag <"$TMP/out"

# A fresh store, made by the migration steps (any command that opens the
# store creates it), against schema.sql loaded into an empty database.
run --db "$TMP/fresh.db" events
check "a fresh store is created (dovetail --db FILE events: exit 0)" [ "$rc" -eq 0 ]
"$PY" "$TOOLS/schema-check.py" "$TMP/fresh.db" "$SRCDIR/src/store/schema.sql" >"$TMP/out" 2>&1
rc=$?
check "src/store/schema.sql is the migrated store's schema" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || diag <"$TMP/out"

# The example profile at the top of docs/profile.md loads as it is (its
# feed an empty calendar): `check` reads it and exits 0.
# example_profile DOC OUT: the first ```yaml block of DOC into OUT
example_profile() {
	awk 'f && /^```/ { exit } f { print } /^```yaml$/ { f = 1 }' "$1" >"$2"
}
mkdir -p "$TMP/example/feeds"
example_profile "$SRCDIR/docs/profile.md" "$TMP/example/profile.yaml"
for f in $(sed -n 's/^ *feeds: \[\(.*\)\]$/\1/p' "$TMP/example/profile.yaml" | tr ',' ' '); do
	printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//dovetail tests//docs//EN\r\nEND:VCALENDAR\r\n' >"$TMP/example/$f"
done
check "(the example profile has a person and a feed)" grep -q '^    feeds: \[' "$TMP/example/profile.yaml"
here=$(pwd)
cd "$TMP/example" || exit 1
run --db "$TMP/example.db" check profile.yaml
check "docs/profile.md's example profile loads (check: exit 0, got $rc)" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || diag <"$TMP/stderr"
# ... and the same test fails on a broken example
sed -i 's/^  home: home$/  home: home\n  bedtime: 19:00/' "$TMP/example/profile.yaml"
run --db "$TMP/example.db" check profile.yaml
check "a broken example profile is refused (an unknown key: exit 65, got $rc)" [ "$rc" -eq 65 ]
cd "$here" || exit 1

# ---- each check failing on a broken copy ----------------------------------

# fresh_copy: $TMP/copy, a copy of what the tools read
fresh_copy() {
	rm -rf "$TMP/copy"
	mkdir -p "$TMP/copy"
	cp "$SRCDIR/README.md" "$TMP/copy/"
	cp -R "$SRCDIR/docs" "$SRCDIR/include" "$SRCDIR/src" "$SRCDIR/solver" "$TMP/copy/"
	# a README may link any file of the tree: examples/, tools/ ...
	for d in examples tools tests; do ln -s "$SRCDIR/$d" "$TMP/copy/$d"; done
	C=$TMP/copy
}

# fails_with WHAT PATTERN: check-docs.py fails on $C and says PATTERN
fails_with() {
	"$PY" "$TOOLS/check-docs.py" "$C" "$DOVETAIL" >"$TMP/out" 2>&1
	rc=$?
	if [ "$rc" -eq 1 ] && grep -q -- "$2" "$TMP/out"; then
		ok "check-docs.py fails on $1"
	else
		not_ok "check-docs.py fails on $1 (exit $rc, wanted 1 and \"$2\")"
		diag <"$TMP/out"
	fi
}

fresh_copy
"$PY" "$TOOLS/check-docs.py" "$C" "$DOVETAIL" >"$TMP/out" 2>&1
check "the unbroken copy passes (so each failure below is the break's)" [ $? -eq 0 ]

fresh_copy
printf '\nSee [nothing](docs/no-such-file.md).\n' >>"$C/README.md"
fails_with "a link to a missing file" '^links: README.md:[0-9]*: docs/no-such-file.md: no such file'

fresh_copy
printf '\nSee [how](propose.md#no-such-heading).\n' >>"$C/docs/check.md"
fails_with "a link to a missing anchor" '^links: docs/check.md:[0-9]*: propose.md#no-such-heading: no heading'

fresh_copy
printf '\nRun `dovetail frobnicate PROFILE`.\n' >>"$C/docs/check.md"
fails_with "a command that does not exist" '^commands: docs/check.md:[0-9]*: dovetail frobnicate: no such command'

fresh_copy
printf '\n```sh\ndovetail propose PROFILE --no-such-option\n```\n' >>"$C/docs/propose.md"
fails_with "an option the command does not take" '^options: docs/propose.md:[0-9]*: dovetail propose --no-such-option'

fresh_copy
printf '\nThen `accept --keep` it.\n' >>"$C/docs/decisions.md"
fails_with "an option of another command (accept has no --keep)" '^options: docs/decisions.md:[0-9]*: dovetail accept --keep'

fresh_copy
sed -i 's/^\$ dovetail expand salt.ics /$ dovetail expand salt.ics \\-\\-json /' "$C/docs/man/dovetail-expand.1"
check "(the copy's manual page example has --json)" grep -q 'expand salt.ics .-.-json' "$C/docs/man/dovetail-expand.1"
fails_with "a manual page example with an option the command lacks" '^options: docs/man/dovetail-expand.1:[0-9]*: dovetail expand --json'

fresh_copy
sed -i 's/^\.It Cm merge$/.It Cm unite/' "$C/docs/man/dovetail.1"
fails_with "dovetail(1) listing a command that is not one" '^manpages: docs/man/dovetail.1:1: dovetail(1) has an item for unite'

fresh_copy
printf '\nTimed by `meson test -C build --benchmark propose-generatd`.\n' >>"$C/docs/propose.md"
fails_with "a benchmark that does not exist" '^benchmarks: docs/propose.md:[0-9]*: propose-generatd: no benchmark'

fresh_copy
printf '\nSet `DOVETAIL_FETCH_TIMOUT` for a slower server.\n' >>"$C/docs/feeds.md"
fails_with "an environment variable nothing reads" '^environment: docs/feeds.md:[0-9]*: DOVETAIL_FETCH_TIMOUT: no code or test reads it'

fresh_copy
sed -i '/^| 69 | /d' "$C/README.md"
fails_with "README's exit status table missing a status" '^statuses: README.md:[0-9]*: exit status 69 (diag.h) has no row'

fresh_copy
printf '# A new document\n' >"$C/docs/new-document.md"
fails_with "a document README.md does not list" '^documents: README.md:[0-9]*: docs/new-document.md is not in the document list'

fresh_copy
sed -i 's/`PRAGMA user_version` (\([0-9]*\)/`PRAGMA user_version` (1\1/' "$C/README.md"
fails_with "a wrong schema version in README.md" '^schema: README.md:[0-9]*: schema version 1[0-9]*, but STORE_SCHEMA_VERSION is'

fresh_copy
printf '\nA bad file exits 5.\n' >>"$C/docs/limits.md"
fails_with "an exit status the code never uses" '^statuses: docs/limits.md:[0-9]*: exits 5: not an exit status'

fresh_copy
sed -i 's/`SOLVER_MAX_APPTS` (solver.h)/`SOLVER_MAX_APPOINTMENTS` (solver.h)/' "$C/docs/limits.md"
fails_with "a macro that does not exist" '^macros: docs/limits.md:[0-9]*: SOLVER_MAX_APPOINTMENTS: no such macro'

fresh_copy
sed -i 's/^17 problems: 3 errors, 14 warnings$/17 problems: 4 errors, 13 warnings/' "$C/docs/check.md"
fails_with "an output excerpt that is not the expected output" '^excerpts: docs/check.md:[0-9]*: not a line of tests/data/check-family-cp.out: 17 problems: 4 errors'

fresh_copy
sed -i 's/X(PK_ROUTINE_LATE,   "routine-late",   0)/X(PK_ROUTINE_LATE,   "routine-late",   1)/' "$C/include/dovetail/check.h"
fails_with "a problem kind whose severity changed in the code" '^kinds: docs/check.md:1: routine-late (error) is in CHECK_KINDS, not in the table'

fresh_copy
printf '\nThe parser is in src/ics/parse.c.\n' >>"$C/docs/architecture.md"
fails_with "a path to a file that does not exist" '^paths: docs/architecture.md:[0-9]*: src/ics/parse.c: no such file'

fresh_copy
printf '\nTested by `t-nothing` and `test_nothing`.\n' >>"$C/docs/limits.md"
fails_with "a CLI test that does not exist" '^tests: docs/limits.md:[0-9]*: t-nothing: no tests/cli/t-nothing.sh'
fails_with "a unit test that does not exist" '^tests: docs/limits.md:[0-9]*: test_nothing: no tests/unit/test_nothing.c'

fresh_copy
sed -i '/^\.Op Fl -freebusy$/d' "$C/docs/man/dovetail-expand.1"
fails_with "a manual page whose SYNOPSIS lacks an option" '^manpages: docs/man/dovetail-expand.1:[0-9]*: expand --help lists --freebusy; the SYNOPSIS does not'

fresh_copy
sed -i 's/^\taccept) opts="--by --note" ;;/\taccept) opts="--by --note --keep" ;;/' "$C/docs/completion/dovetail.bash"
fails_with "a completion offering an option the command lacks" '^completion: docs/completion/dovetail.bash:[0-9]*: accept: offers --keep'

fresh_copy
printf '\n`tools/gen-caseload.py --persons 5 --no-such-flag`\n' >>"$C/docs/batch.md"
fails_with "a tool option that does not exist" '^tools: docs/batch.md:[0-9]*: tools/gen-caseload.py --no-such-flag'

fresh_copy
sed -i 's/"compromises", "mail", NULL };/"compromises", "mail", "bedtime_story", NULL };/' "$C"/src/profile/*.c
check "(the copy's profile reader takes a new key)" grep -q '"bedtime_story"' "$C"/src/profile/*.c
fails_with "a profile key the docs do not describe" '^keys: docs/profile.md:1: bedtime_story (accepted by src/profile/'

# the code changes a bound the docs state: the row and the generated table
# are both stale
fresh_copy
sed -i 's/^#define SOLVER_MAX_APPTS 2048/#define SOLVER_MAX_APPTS 4096/' "$C/include/dovetail/solver.h"
check "(the copy's SOLVER_MAX_APPTS is changed)" grep -q '^#define SOLVER_MAX_APPTS 4096' "$C/include/dovetail/solver.h"
fails_with "a row whose value differs from its macro" '^macros: docs/limits.md:[0-9]*: SOLVER_MAX_APPTS is 4096 in the source; the row says 2,048'
"$PY" "$TOOLS/gen-docs.py" --check "$C" "$DOVETAIL" >"$TMP/out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q '^+| `SOLVER_MAX_APPTS` | 4,096 |' "$TMP/out"; then
	ok "gen-docs.py --check fails when a bound changed in a header"
else
	not_ok "gen-docs.py --check fails when a bound changed in a header (exit $rc)"
	diag <"$TMP/out"
fi
# ... and writing the generated parts brings that table up to date
"$PY" "$TOOLS/gen-docs.py" "$C" "$DOVETAIL" >/dev/null 2>&1 &&
	"$PY" "$TOOLS/gen-docs.py" --check "$C" "$DOVETAIL" >/dev/null 2>&1
check "gen-docs.py writes what --check then accepts" [ $? -eq 0 ]

# the README's command list edited by hand: a command left out
fresh_copy
sed -i '/^| `merge` |/d' "$C/README.md"
"$PY" "$TOOLS/gen-docs.py" --check "$C" "$DOVETAIL" >"$TMP/out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q '^+| `merge` |' "$TMP/out"; then
	ok "gen-docs.py --check fails on a command left out of README.md"
else
	not_ok "gen-docs.py --check fails on a command left out of README.md (exit $rc)"
	diag <"$TMP/out"
fi

# schema.sql drifting from the migrations, and the store from schema.sql
sed 's/^  lane TEXT NOT NULL,/  lane INTEGER NOT NULL,/' "$SRCDIR/src/store/schema.sql" >"$TMP/schema-broken.sql"
differs() { ! cmp -s "$1" "$2"; }
check "(the broken schema.sql differs)" differs "$TMP/schema-broken.sql" "$SRCDIR/src/store/schema.sql"
"$PY" "$TOOLS/schema-check.py" "$TMP/fresh.db" "$TMP/schema-broken.sql" >"$TMP/out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q '^-  column 3 lane INTEGER NOT NULL' "$TMP/out"; then
	ok "schema-check.py fails on a column type changed in schema.sql"
else
	not_ok "schema-check.py fails on a column type changed in schema.sql (exit $rc)"
	diag <"$TMP/out"
fi
grep -v '^CREATE INDEX sent_thread' "$SRCDIR/src/store/schema.sql" >"$TMP/schema-broken.sql"
"$PY" "$TOOLS/schema-check.py" "$TMP/fresh.db" "$TMP/schema-broken.sql" >"$TMP/out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q '^+index sent_thread on sent' "$TMP/out"; then
	ok "schema-check.py fails on an index left out of schema.sql"
else
	not_ok "schema-check.py fails on an index left out of schema.sql (exit $rc)"
	diag <"$TMP/out"
fi
sed 's/^PRAGMA user_version = \([0-9]*\);/PRAGMA user_version = 1\1;/' "$SRCDIR/src/store/schema.sql" >"$TMP/schema-broken.sql"
"$PY" "$TOOLS/schema-check.py" "$TMP/fresh.db" "$TMP/schema-broken.sql" >"$TMP/out" 2>&1
check "schema-check.py fails on another user_version" [ $? -eq 1 ]
# a migration step that adds to the store, as a new one would
cp "$TMP/fresh.db" "$TMP/drifted.db"
"$PY" -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("ALTER TABLE feed ADD COLUMN extra TEXT"); c.commit()' "$TMP/drifted.db"
"$PY" "$TOOLS/schema-check.py" "$TMP/drifted.db" "$SRCDIR/src/store/schema.sql" >"$TMP/out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q '^+  column 10 extra TEXT' "$TMP/out"; then
	ok "schema-check.py fails on a column the store has and schema.sql lacks"
else
	not_ok "schema-check.py fails on a column the store has and schema.sql lacks (exit $rc)"
	diag <"$TMP/out"
fi

done_testing
