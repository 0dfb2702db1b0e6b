#!/bin/sh
# t-week.sh: `dovetail week`: the grid of days and times, --json, and colour
# only on a terminal with NO_COLOR unset.
. "$(dirname "$0")/lib.sh"

cd "$SRCDIR" || exit 1
for dir in examples/*/; do
	fam=$(basename "$dir")
	[ -f "$dir/profile.yaml" ] || continue
	db=$TMP/$fam.db
	run --db "$db" week "$dir/profile.yaml"
	expect "week-$fam" 0
	check "week-$fam: no colour when stdout is not a terminal" sh -c "! grep -q \"$(printf '\033')\" \"$TMP/stdout\""
	run --db "$db" week --json "$dir/profile.yaml"
	expect "week-$fam.json" 0
	check "week-$fam.json: valid JSON" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/stdout"
done

# Colour on a terminal (script(1) gives the command a pseudo-terminal), and
# none there either when NO_COLOR is set.
if command -v script >/dev/null 2>&1; then
	prof=examples/family-cp/profile.yaml
	db=$TMP/tty.db
	script -qec "'$DOVETAIL' --db '$db' week '$prof'" /dev/null >"$TMP/tty" 2>&1
	check "week on a terminal: coloured" grep -q "$(printf '\033')\[" "$TMP/tty"
	NO_COLOR=1 script -qec "'$DOVETAIL' --db '$db' week '$prof'" /dev/null >"$TMP/tty" 2>&1
	check "week on a terminal with NO_COLOR: plain" sh -c "! grep -q \"$(printf '\033')\[\" \"$TMP/tty\""
else
	ok "# SKIP script(1) not installed"
fi

cd "$DATA" || exit 1
run --db "$TMP/c.db" week --step 15 --from 2026-11-24 --to 2026-11-25 profile/clean.yaml
expect week-clean 0
run --db "$TMP/c.db" week --step 3 profile/clean.yaml
expect week-bad-step 64

done_testing
