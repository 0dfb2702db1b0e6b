#!/bin/sh
# t-optimality.sh: `dovetail propose` against an exact, independent oracle.
#
# For each seed (1..200, or DOVETAIL_OPTIMALITY_SEEDS), tools/gen-small-family.py writes a small
# family (3-7 appointments, a chosen "now"), `propose --json` plans it (k 3, the ladder on), and
# tools/oracle-propose.py, which reads every plan by brute force and shares no code with the
# solver (docs/propose.md, docs/profile.md, docs/check.md), compares: proposal 1's tiers with
# the optimum; every ladder step's tiers with the best plan within its bound on changes, and the
# steps 0 .. proposal 1's changes all there; proposals 2 and 3 with the best plans differing in a
# day or a venue from dovetail's proposals before them; every proposal placing every
# appointment; and each proposal's plan re-read by the oracle having the tiers dovetail printed.
# Then column generation is forced on the same week (`--max-labels` 25 or 400, by seed) and
# tests/cli/cg_check.py holds its answer to the optimum: proven only there, otherwise a gap, and
# a bound that is a bound.
# Numbers within 1e-6 relative. One TAP line per seed, then a summary; a mismatch prints the
# seed and both answers. Seeds run two at a time; nothing depends on the machine's speed.
#
# The worker mode (`t-optimality.sh DOVETAIL --one SEED DIR`) is how the script runs each seed.

if [ "${2:-}" = "--one" ]; then
	# ---- one seed: writes DIR/result (first line "ok" or "not ok", then diagnostics)
	dovetail=$1 seed=$3 dir=$4
	src=$(cd "$(dirname "$0")/../.." && pwd)
	py=/usr/bin/python3
	# a CPU-time bound, never a wall-clock one (4x for a sanitizer build)
	scale_=1
	if ldd "$dovetail" 2>/dev/null | grep -Eq 'libasan|libubsan'; then scale_=4; fi
	cpu_bounded_() { l_=$1; shift; (ulimit -t $((l_ * scale_)) && exec "$@"); }
	fam=$dir/fam-$seed
	out=$dir/res-$seed
	{
		if ! $py "$src/tools/gen-small-family.py" "$seed" "$fam" 2>"$fam.err"; then
			echo "not ok"
			echo "the generator failed:"
			cat "$fam.err"
		else
			now=$(cat "$fam/now.txt")
			cpu_bounded_ 120 "$dovetail" --db "$fam.db" --now "$now" propose "$fam/profile.yaml" --json \
				>"$fam.json" 2>"$fam.err"
			rc=$?
			if [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ]; then
				echo "not ok"
				echo "propose exited $rc:"
				head -20 "$fam.err"
			elif $py "$src/tools/oracle-propose.py" "$fam" --compare "$fam.json" >"$fam.cmp" 2>"$fam.oerr"; then
				# column generation, forced on this small week (the listing and
				# each pricing search cut at ml labels), against the optimum
				ml=$((seed % 2 ? 25 : 400))
				if cpu_bounded_ 120 "$dovetail" --db "$fam.db" --now "$now" propose "$fam/profile.yaml" --json \
					-k 1 --no-ladder --max-labels "$ml" >"$fam.cg.json" 2>"$fam.cg.err" &&
					$py "$src/tests/cli/cg_check.py" "$fam.cmp" "$fam.cg.json" "$ml" 2>"$fam.cgc"; then
					echo "ok"
				else
					echo "not ok"
					echo "column generation (propose --max-labels $ml) against the oracle's optimum:"
					cat "$fam.cgc" 2>/dev/null
					head -5 "$fam.cg.err"
				fi
			else
				echo "not ok"
				if [ -s "$fam.oerr" ]; then cat "$fam.oerr"; fi
				$py - "$fam.cmp" "$fam.json" <<'EOF'
import json, sys
try:
    c = json.load(open(sys.argv[1]))
except Exception as e:
    print("the oracle failed: %s" % e)
    sys.exit(0)
for e in c["errors"]:
    print("mismatch: " + e)
o = c["oracle"]
print("oracle:   optimum %s" % json.dumps(o["optimum"], sort_keys=True))
print("oracle:   ladder %s" % json.dumps([[s["max_changes"], s["impossible"], s["compromise"], s["objective"]] for s in o["ladder_all"]]))
print("oracle:   alternatives (from its own proposal 1) %s" % json.dumps([[a["impossible"], a["compromise"], a["objective"]] for a in o["alternatives"]]))
try:
    p = json.load(open(sys.argv[2]))
    print("dovetail: proposals %s" % json.dumps([[q.get("rank"), q.get("impossible"), q.get("compromise"), q.get("objective"), q.get("totals", {}).get("changes")] for q in p.get("proposals", [])]))
    print("dovetail: ladder %s" % json.dumps([[s.get("max_changes"), s.get("impossible"), s.get("compromise"), s.get("objective")] for s in p.get("ladder", [])]))
except Exception as e:
    print("dovetail: unreadable JSON (%s)" % e)
EOF
			fi
		fi
	} >"$out.tmp" 2>&1
	mv "$out.tmp" "$out"
	# keep the families of the mismatches only
	if [ "$(head -1 "$out")" = "ok" ]; then rm -rf "$fam" "$fam".*; fi
	exit 0
fi

. "$(dirname "$0")/lib.sh"

nseeds=${DOVETAIL_OPTIMALITY_SEEDS:-200}
first=${DOVETAIL_OPTIMALITY_FIRST:-1}
last=$((first + nseeds - 1))
if ! /usr/bin/python3 -c 'import icalendar, yaml, dateutil' 2>/dev/null; then
	echo "1..0 # SKIP python3-icalendar, python3-yaml or python3-dateutil is missing"
	exit 77
fi
work=$TMP/optimality
mkdir -p "$work"
seq "$first" "$last" | xargs -P 2 -I SEED sh "$SRCDIR/tests/cli/t-optimality.sh" "$DOVETAIL" --one SEED "$work"
matched=0
seed=$first
while [ "$seed" -le "$last" ]; do
	res=$work/res-$seed
	if [ -f "$res" ] && [ "$(head -1 "$res")" = "ok" ]; then
		ok "seed $seed: propose matches the oracle"
		matched=$((matched + 1))
	else
		not_ok "seed $seed: propose differs from the oracle"
		if [ -f "$res" ]; then
			tail -n +2 "$res" | diag
			echo "# reproduce: tools/gen-small-family.py $seed DIR; dovetail --db X.db --now \$(cat DIR/now.txt) propose DIR/profile.yaml --json > P.json; tools/oracle-propose.py DIR --compare P.json"
		else
			echo "# no result for this seed"
		fi
	fi
	seed=$((seed + 1))
done
echo "# $matched of $nseeds seeds match the oracle"

# The relaxed pricing search (docs/propose.md, "the relaxed search"): on these families every
# exact pricing search of a day is cut at N labels, and the relaxed search bounds the day well
# enough to prove the optimum, which the oracle confirms (before it, both ended with gap 1).
for case in 86:25 32:100; do
	s=${case%:*} ml=${case#*:}
	f=$work/relax-$s
	if /usr/bin/python3 "$SRCDIR/tools/gen-small-family.py" "$s" "$f" >/dev/null 2>"$f.err" &&
		"$DOVETAIL" --db "$f.db" --now "$(cat "$f/now.txt")" propose "$f/profile.yaml" --json >"$f.json" 2>>"$f.err" &&
		/usr/bin/python3 "$SRCDIR/tools/oracle-propose.py" "$f" --compare "$f.json" >"$f.cmp" 2>>"$f.err" &&
		"$DOVETAIL" --db "$f.db" --now "$(cat "$f/now.txt")" propose "$f/profile.yaml" --json -k 1 --no-ladder \
			--max-labels "$ml" >"$f.cg.json" 2>>"$f.err" &&
		/usr/bin/python3 "$SRCDIR/tests/cli/cg_check.py" "$f.cmp" "$f.cg.json" "$ml" 2>>"$f.err" &&
		/usr/bin/python3 -c 'import json, sys; sys.exit(not json.load(open(sys.argv[1]))["proposals"][0]["proven_optimal"])' "$f.cg.json"; then
		ok "seed $s, pricing cut at $ml labels: the relaxed search proves the oracle's optimum"
	else
		not_ok "seed $s, pricing cut at $ml labels: the relaxed search proves the oracle's optimum"
		diag <"$f.err"
		grep -o '"proven_optimal": *[a-z]*, *"gap": *[0-9.e-]*' "$f.cg.json" 2>/dev/null | head -1 | diag
	fi
done
done_testing
