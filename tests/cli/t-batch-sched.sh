#!/bin/sh
# t-batch-sched.sh: `dovetail batch` and `merge` as a scheduler runs them,
# with the scheduler's variables set by hand (tests/cli/t-slurm.sh runs a
# real Slurm): --shard-from-env with a stepped Slurm array (--array=0-4:2
# gives tasks 0, 2, 4 and shards 0, 1, 2 of 3) and a task that has no shard;
# --partial-ok (exit 0 for a run that completed with a person skipped, who is
# still listed); a log of both streams (>log 2>&1) has stderr after all of
# stdout; "(resumed)" only when the store held rows of the run.
# Usage: t-batch-sched.sh DOVETAIL
. "$(dirname "$0")/lib.sh"
cd "$SRCDIR" || exit 1
cl=$TMP/cl
/usr/bin/python3 "$SRCDIR/tools/gen-caseload.py" --persons 12 --seed 3 --broken 1 --out "$cl" >/dev/null
check "the generator writes a caseload" [ -f "$cl/caseload.yaml" ]
cd "$cl" || exit 1
unset SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_MIN SLURM_ARRAY_TASK_STEP SLURM_ARRAY_TASK_COUNT \
	JOB_COMPLETION_INDEX DOVETAIL_SHARD_COUNT

# ---- a Slurm array with a step: shard (ID - MIN) / STEP of COUNT
run --db "$TMP/all.db" batch caseload.yaml -j 2 --out "$TMP/o-all"
check "one unsharded run: exit 2 (a person is broken)" [ "$rc" -eq 2 ]
k=0
for id in 0 2 4; do
	SLURM_ARRAY_TASK_ID=$id SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_STEP=2 SLURM_ARRAY_TASK_COUNT=3 \
		run --db "$TMP/st$id.db" batch caseload.yaml -j 1 --shard-from-env
	check "--array=0-4:2, task $id: exit 0, shard $k/3" \
		sh -c "[ $rc -eq 0 ] && grep -q '^shard $k/3 of batch' '$TMP/stdout'"
	k=$((k + 1))
done
run --db "$TMP/stm.db" merge caseload.yaml "$TMP/st0.db" "$TMP/st2.db" "$TMP/st4.db" --out "$TMP/o-st"
check "the stepped shards merged: exit 2" [ "$rc" -eq 2 ]
check "... the same files as one unsharded run" diff -r "$TMP/o-all" "$TMP/o-st"
SLURM_ARRAY_TASK_ID=7 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_STEP=3 SLURM_ARRAY_TASK_COUNT=3 \
	run --db "$TMP/st7.db" batch caseload.yaml -j 1 --shard-from-env
check "--array=1-7:3, task 7: shard 2/3 (MIN taken away, then divided by STEP)" grep -q '^shard 2/3 of batch' "$TMP/stdout"
for bad in "3 0 2 3" "6 0 2 3" "0 1 1 3" "x 0 1 3" "1 0 0 3"; do
	set -- $bad
	SLURM_ARRAY_TASK_ID=$1 SLURM_ARRAY_TASK_MIN=$2 SLURM_ARRAY_TASK_STEP=$3 SLURM_ARRAY_TASK_COUNT=$4 \
		run --db "$TMP/bad.db" batch caseload.yaml -j 1 --shard-from-env
	check "task $1 of MIN $2 STEP $3 COUNT $4 has no shard: usage, 64, the variables named" \
		sh -c "[ $rc -eq 64 ] && grep -q \"invalid --shard-from-env: 'SLURM_ARRAY_TASK_ID=$1 SLURM_ARRAY_TASK_MIN=$2 SLURM_ARRAY_TASK_STEP=$3 SLURM_ARRAY_TASK_COUNT=$4'\" '$TMP/stderr'"
done
check "... and nothing was solved" [ ! -s "$TMP/stdout" ]
JOB_COMPLETION_INDEX=3 DOVETAIL_SHARD_COUNT=3 run --db "$TMP/bad.db" batch caseload.yaml --shard-from-env
check "JOB_COMPLETION_INDEX 3 of 3: usage, 64" \
	sh -c "[ $rc -eq 64 ] && grep -q 'JOB_COMPLETION_INDEX=3 DOVETAIL_SHARD_COUNT=3' '$TMP/stderr'"

# ---- --partial-ok: 0 for a run that completed; the skipped still listed
run --db "$TMP/po.db" batch caseload.yaml -j 2 --partial-ok --out "$TMP/o-po"
check "batch --partial-ok: exit 0 (got $rc)" [ "$rc" -eq 0 ]
check "... the skipped person listed on stdout" grep -q "^  P-00000 error: persons/P-00000.yaml" "$TMP/stdout"
check "... and on stderr" grep -q "error: person P-00000 skipped" "$TMP/stderr"
check "... the same files as without it" diff -r "$TMP/o-all" "$TMP/o-po"
run --db "$TMP/pom.db" merge caseload.yaml "$TMP/st0.db" "$TMP/st2.db" "$TMP/st4.db" --partial-ok
check "merge --partial-ok: exit 0 (got $rc)" [ "$rc" -eq 0 ]
check "... the skipped person listed" grep -q "^  P-00000 error:" "$TMP/stdout"
run --db "$TMP/pom2.db" merge caseload.yaml "$TMP/st0.db" "$TMP/st2.db" --partial-ok
check "merge --partial-ok, a shard missing: still 65 (got $rc)" [ "$rc" -eq 65 ]
run --db "$TMP/po3.db" batch caseload.yaml --partial-ok -j 0
check "batch --partial-ok -j 0: still 64" [ "$rc" -eq 64 ]

# ---- one log for both streams: stderr after all of stdout
for cmd in batch merge; do
	if [ $cmd = batch ]; then
		set -- batch caseload.yaml -j 2
	else
		set -- merge caseload.yaml "$TMP/st0.db" "$TMP/st2.db" "$TMP/st4.db"
	fi
	rm -f "$TMP/log.db"
	cpu_bounded 60 "$DOVETAIL" --db "$TMP/log.db" "$@" >"$TMP/log.out" 2>"$TMP/log.err"
	rm -f "$TMP/log.db"
	cpu_bounded 60 "$DOVETAIL" --db "$TMP/log.db" "$@" >"$TMP/log" 2>&1
	check "$cmd >log 2>&1: stdout first, whole, then stderr" \
		sh -c "cat '$TMP/log.out' '$TMP/log.err' | cmp -s - '$TMP/log'"
	check "... (stderr has the diagnostics and the last line)" \
		sh -c "[ \$(wc -l <'$TMP/log.err') -ge 2 ] && [ \$(wc -l <'$TMP/log.out') -ge 10 ]"
done

# ---- "(resumed)" only when the store held rows of the run
run --db "$TMP/r.db" batch caseload.yaml -j 1 --shard 1/3 --resume
check "--resume on a fresh store: exit 0" [ "$rc" -eq 0 ]
check "... does not say resumed" sh -c "grep -q '^shard 1/3 of batch' '$TMP/stdout' && ! grep -q resumed '$TMP/stdout'"
run --db "$TMP/r.db" batch caseload.yaml -j 1 --shard 1/3 --resume
check "--resume again: says resumed, nothing solved now" grep -q "persons, 0 solved now (resumed)$" "$TMP/stdout"
run --db "$TMP/r.db" batch caseload.yaml -j 1 --shard 2/3 --resume
check "--resume of another shard in that store: not resumed (none of its rows are there)" sh -c "! grep -q resumed '$TMP/stdout'"
run --db "$TMP/r2.db" batch caseload.yaml -j 1 --shard 1/3
check "without --resume: not resumed" sh -c "! grep -q resumed '$TMP/stdout'"
done_testing
