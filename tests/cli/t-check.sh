#!/bin/sh
# t-check.sh: `dovetail check`: every problem kind on the example families,
# idempotent imports, a clean week, and hostile profiles (exit 65 with
# FILE:LINE:COL, no crash, no hang, the store untouched).
. "$(dirname "$0")/lib.sh"

KINDS="overlap double-booked no-carer travel routine routine-late outside-day free-day energy
time-out appointments rest unfamiliar unknown-venue unclaimed repeat-journey scattered-day"

# ---- the example families (run from the source root: paths as in the README)
cd "$SRCDIR" || exit 1
seen=
for dir in examples/*/; do
	fam=$(basename "$dir")
	[ -f "$dir/profile.yaml" ] || continue
	db=$TMP/$fam.db
	run --db "$db" check "$dir/profile.yaml"
	expect "check-$fam" 1
	# the kinds this family's current week shows (every kind must be in some family)
	for k in $KINDS; do
		if grep -Eq "^.{22}  (error  |warning)  $k " "$TMP/stdout"; then
			seen="$seen $k"
		fi
	done
	# a second run imports nothing (same bytes, same window) and says the same
	cp "$TMP/stdout" "$TMP/first"
	before=$(sha "$db")
	run --db "$db" check "$dir/profile.yaml"
	check "check-$fam: second run, same output" cmp -s "$TMP/first" "$TMP/stdout"
	check "check-$fam: second run writes nothing" [ "$(sha "$db")" = "$before" ]
	check "check-$fam: database is 0600" [ "$(mode "$db")" = 600 ]
	run --db "$db" check --json "$dir/profile.yaml"
	expect "check-$fam.json" 1
	check "check-$fam.json: valid JSON" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/stdout"
done

# an override that matches nothing in the horizon: a warning at its line,
# and for one occurrence (recurrence_id) the occurrence it names
run --db "$TMP/family-cp.db" check --from 2026-12-07 examples/family-cp/profile.yaml
check "overrides unused in another week: warned, at their lines" \
	grep -Eq '^dovetail: [^:]+profile\.yaml:[0-9]+:[0-9]+: warning: override for UID [^ ]+ matches no appointment' "$TMP/stderr"
check "... an override of one occurrence names its RECURRENCE-ID" \
	grep -q 'at RECURRENCE-ID 2026-11-24T10:00:00Z matches no appointment' "$TMP/stderr"

for k in $KINDS; do
	case " $seen " in
	*" $k "*) ok "the example families show a '$k' problem" ;;
	*) not_ok "the example families show a '$k' problem" ;;
	esac
done

# ---- a small clean week, and options
cd "$DATA" || exit 1
db=$TMP/clean.db
run --db "$db" check profile/clean.yaml
expect check-clean 0
run --db "$db" check --from 2026-11-30 --to 2026-12-06 profile/clean.yaml
expect check-clean.next-week 0
run --db "$db" check --json profile/clean.yaml
expect check-clean.json 0
run --db "$db" check
expect check-no-profile 64
run --db "$db" check --from 2026-13-01 profile/clean.yaml
expect check-bad-from 64
run --db "$db" check profile/no-such-profile.yaml
expect check-missing-profile 66

# ---- hostile profiles: each ends quickly with FILE:LINE:COL and exit 65,
# and the store holding the clean feed is not touched.
python3 - "$TMP" <<'PY'
import sys
d = sys.argv[1]
open(d + "/deep.yaml", "w").write("version: 1\nx: " + "[" * 10000 + "]" * 10000 + "\n")
with open(d + "/big-scalar.yaml", "w") as f:
    f.write("version: 1\nperson:\n  id: T-1\n  display_name: " + "x" * (10 * 1024 * 1024) + "\n")
PY
hostile() { # hostile CASE FILE
	before=$(sha "$db")
	t0=$(date +%s%N)
	run --db "$db" check "$2"
	t1=$(date +%s%N)
	expect "$1" 65
	if grep -Eq '^dovetail: [^:]+\.yaml:[0-9]+:[0-9]+: error: ' "$TMP/stderr"; then
		ok "$1: error at FILE:LINE:COL"
	else
		not_ok "$1: error at FILE:LINE:COL"
	fi
	check "$1: store unchanged" [ "$(sha "$db")" = "$before" ]
	echo "# $1: $(( (t1 - t0) / 1000000 )) ms"
}
hostile profile-alias-bomb profile/alias-bomb.yaml
hostile profile-unknown-key profile/unknown-key.yaml
hostile profile-wrong-type profile/wrong-type.yaml
hostile profile-missing-file profile/missing-file.yaml
hostile profile-negative-duration profile/negative-duration.yaml
hostile profile-backwards-window profile/backwards-window.yaml
hostile profile-bad-utf8 profile/bad-utf8.yaml
# a number with a fraction where a whole one is wanted is named so; a
# backwards range is shown as read, from the times parsed, not the file's text
hostile profile-fraction-and-backwards-day profile/fraction-and-backwards-day.yaml
# the family's calendar (family:): a missing feed, an unknown venue, the wrong type
hostile profile-family-missing-feed profile/family-missing-feed.yaml
hostile profile-family-unknown-venue profile/family-unknown-venue.yaml
hostile profile-family-not-a-map profile/family-not-a-map.yaml
# carers (carers:): a missing feed, an unknown practitioner in takes
hostile profile-carers-missing-feed profile/carers-missing-feed.yaml
hostile profile-carers-unknown-practitioner profile/carers-unknown-practitioner.yaml
# ... and a hostile feed in family: or carers:: an error at the feed's LINE:COL, nothing written
for h in family carers; do
	before=$(sha "$db")
	run --db "$db" check "profile/$h-hostile-feed.yaml"
	check "profile-$h-hostile-feed: exit 65" [ "$rc" -eq 65 ]
	check "profile-$h-hostile-feed: error at the feed's FILE:LINE:COL" \
		grep -Eq '^dovetail: [^:]+bad-unclosed\.ics:[0-9]+:[0-9]+: error: ' "$TMP/stderr"
	check "profile-$h-hostile-feed: store unchanged" [ "$(sha "$db")" = "$before" ]
	check "profile-$h-hostile-feed: the rejection offers no option check does not have" \
		sh -c "grep -q 'feed rejected' '$TMP/stderr' && ! grep -q -- '--keep-going' '$TMP/stderr'"
done
cd "$TMP" || exit 1
hostile profile-deep deep.yaml
hostile profile-big-scalar big-scalar.yaml

done_testing
