#!/bin/sh
# t-batch-room.sh: the repair after the last master at 1,000 generated
# persons (tools/gen-caseload.py --persons 1000 --seed 1), where the masters
# over the components leave persons outside the fairness cap that a move of
# the persons in their way can bring inside it (docs/batch.md, "The
# repair"). Checked from outside: summary.json's figures against those
# measured without the room-making (16 persons outside the cap, cost
# 64,015.49; the compromise 961.5 is the bound; 12 outside the cap before
# those in their way were priced to leave them room, 11 before the MIPs
# around those still outside it), and the same files from
# -j 1 as from -j 2, from three shards of whole components merged, and
# from --resume of the finished run. The counts of
# nodes and rounds bound the work; nothing depends on the clock.
# Usage: t-batch-room.sh DOVETAIL
. "$(dirname "$0")/lib.sh"
cd "$SRCDIR" || exit 1
py=/usr/bin/python3
$py tools/gen-caseload.py --persons 1000 --seed 1 --out "$TMP/cl" >/dev/null
check "the generator writes a caseload of 1,000" [ -f "$TMP/cl/caseload.yaml" ]
cd "$TMP/cl" || exit 1

run --db "$TMP/j2.db" batch caseload.yaml -j 2 --out "$TMP/o2"
check "-j 2: exit 0 or 2 (got $rc)" [ "$rc" -le 2 ]
[ "$rc" -le 2 ] || diag <"$TMP/stderr"
joint() {
	$py -c "import json,sys; j=json.load(open('$TMP/o2/summary.json'))['totals']['joint']; sys.exit(not ($1))"
}
check "fewer persons outside the cap than the masters leave (at most 10, against 16; 12 without the room pricing, 11 without the MIPs around them)" joint "j['over_cap'] <= 10"
check "the compromise stays at the bound (each person's alone)" \
	joint "abs(j['compromise'] - j['bound']['compromise']) < 1e-6 and j['impossible'] == j['bound']['impossible']"
check "the cost falls too (below 64,015.49)" joint "j['cost'] < 64015.49"
check "the repair moved persons (at least 20)" joint "j['repaired'] >= 20"
grep -v '^per person:' "$TMP/stdout" >"$TMP/o2.stdout"

run --db "$TMP/j1.db" batch caseload.yaml -j 1 --out "$TMP/o1"
check "-j 1: the same summary, CSV and JSON as -j 2" diff -r "$TMP/o1" "$TMP/o2"
check "... and the same stdout" sh -c "grep -v '^per person:' '$TMP/stdout' | cmp -s '$TMP/o2.stdout' -"

# shards of whole components: each shard's repair, the MIPs around those
# outside the cap included, chooses as the whole run does
for i in 0 1 2; do
	run --db "$TMP/c$i.db" batch caseload.yaml --shard $i/3 --shard-by component -j 2
	check "component shard $i/3: exit 0 or 2 (got $rc)" [ "$rc" -le 2 ]
done
run --db "$TMP/cm.db" merge caseload.yaml "$TMP/c0.db" "$TMP/c1.db" "$TMP/c2.db" --out "$TMP/o5"
check "three component shards merged: the same files as -j 2" diff -r "$TMP/o2" "$TMP/o5"

run --db "$TMP/j2.db" batch caseload.yaml -j 2 --resume --out "$TMP/o3"
check "--resume of the finished run: the same files" diff -r "$TMP/o2" "$TMP/o3"
check "... pricing nothing again" grep -q ": 0 persons solved now, 0 plans priced" "$TMP/stderr"
done_testing
