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

# '!' marks exactly the times of check's clashes (overlaps and double
# bookings): a joint session is none. Checked on family-cp as booked and
# with its proposal that makes a joint session accepted.
cat >"$TMP/marks.py" <<'PY'
import json, sys
grid, problems, step = open(sys.argv[1]).read().splitlines(), json.load(open(sys.argv[2]))["problems"], 30
days = [d.strip() for d in [grid[1][7 + 14 * k:7 + 14 * (k + 1)] for k in range(7)]]
clash = [p for p in problems if p["kind"] in ("overlap", "double-booked")]
def minutes(iso):
    h, m = iso[11:16].split(":")
    return int(h) * 60 + int(m)
bad = n = 0
for row in grid[2:]:
    if not row[:2].isdigit():
        break
    t = minutes("T" * 11 + row[:5])
    for k in range(7):
        cell = row[6 + 14 * k:6 + 14 * (k + 1)]
        mark, text = cell[:1] == "!", cell[1:].strip()
        if not text or not (text[0].isalpha() or text[0] in "@|"):
            continue   # travel, a routine, or nothing
        date = "2026-11-%02d" % (23 + k)
        hit = any(p["date"] == date and minutes(p["start"]) < t + step and t < minutes(p["end"]) for p in clash)
        n += 1
        if hit != mark:
            print("# %s %s: %r marked %s, a clash of check %s" % (days[k], row[:5], text, mark, hit))
            bad = 1
print("# %d appointment cells compared, %d clashes" % (n, len(clash)))
sys.exit(bad)
PY
cp -r examples/family-cp "$TMP/cpj"
prof=$TMP/cpj/profile.yaml
run --db "$TMP/cpj.db" week "$prof"
cp "$TMP/stdout" "$TMP/grid0"
run --db "$TMP/cpj.db" check --json "$prof"
check "week as booked: '!' where check has a clash, and nowhere else" python3 "$TMP/marks.py" "$TMP/grid0" "$TMP/stdout"
run --db "$TMP/cpj.db" propose --json "$prof"
id=$(python3 -c '
import json, sys
ps = json.load(open(sys.argv[1]))["proposals"]
print(next(p["id"] for p in ps if any("joint" in c["kind"] for c in p["changes"])))' "$TMP/stdout")
check "family-cp has a proposal that makes a joint session ($id)" [ -n "$id" ]
run --db "$TMP/cpj.db" accept "$id" --by kw
run --db "$TMP/cpj.db" week "$prof"
cp "$TMP/stdout" "$TMP/grid1"
run --db "$TMP/cpj.db" check --json "$prof"
check "week after it is accepted: the joint session is not marked, the clashes left are" \
	python3 "$TMP/marks.py" "$TMP/grid1" "$TMP/stdout"

cd "$DATA" || exit 1
run --db "$TMP/c.db" week --step 15 --from 2026-11-24 --to 2026-11-25 profile/clean.yaml
expect week-clean 0
run --db "$TMP/c.db" week --step 3 profile/clean.yaml
expect week-bad-step 64

done_testing
