#!/bin/sh
# t-slurm.sh: the Slurm recipe of docs/batch.md, run as written there, on a
# real single-node Slurm this test starts on the loopback and stops again:
# munged with a generated key, slurmctld and slurmd (as root) with a
# generated slurm.conf, all in the temp dir (SLURM_CONF, its own socket and
# free ports, so a Slurm of the machine is not touched). On 60 generated
# persons, one of them broken: the job array of 3 tasks, one finished task
# requeued once (it resumes: nothing solved again), then the merge (afterok
# on the array; --partial-ok, so its job completes with a person skipped);
# its log has stderr after stdout; its summary.json, summary.txt and
# summary.csv must be byte-identical to one plain `batch -j 2` on another
# store. Skipped (TAP SKIP) without Slurm or
# munge (tools/run-tests installs slurm-wlm and munge) or when not root.
#
# Nothing needs a name to resolve: the controller and the node are given
# their address (SlurmctldHost=HOST(127.0.0.1), NodeAddr=127.0.0.1) and
# slurmd its node name (-N), since in some sandboxes the machine's name maps
# to no address Slurm will take. Waiting is bounded by a count of polls
# (sleep 1, at most $polls times), never by the time a step took.
# Usage: t-slurm.sh DOVETAIL
. "$(dirname "$0")/lib.sh"
skip() {
	echo "1..0 # SKIP $*"
	exit 0
}
sbin=
for d in /usr/sbin /usr/local/sbin /sbin; do
	[ -x "$d/slurmctld" ] && [ -x "$d/slurmd" ] && sbin=$d && break
done
[ -n "$sbin" ] || skip "Slurm is not installed (slurm-wlm)"
munged=
for d in /usr/sbin /usr/local/sbin /sbin; do
	[ -x "$d/munged" ] && munged=$d/munged && break
done
[ -n "$munged" ] || skip "munge is not installed"
for c in sbatch squeue scontrol sinfo; do
	command -v $c >/dev/null 2>&1 || skip "no $c (slurm-client)"
done
[ "$(id -u)" -eq 0 ] || skip "slurmd must run as root"
py=/usr/bin/python3
polls=600

S=$TMP/s                   # everything Slurm and munge keep
mkdir -p "$S/state" "$S/spool" "$S/munge" "$S/log" "$TMP/bin"
chmod 700 "$S/munge"
stop() {
	pids=
	for f in "$S/slurmd.pid" "$S/slurmctld.pid" "$S/munge/pid"; do
		[ -f "$f" ] && pids="$pids $(cat "$f")"
	done
	[ -n "$pids" ] && kill $pids 2>/dev/null
	# bounded: the daemons are gone before their folder is
	n=0
	while [ $n -lt 30 ]; do
		alive=
		for p in $pids; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ -z "$alive" ] && break
		sleep 1
		n=$((n + 1))
	done
	cd / && rm -rf "$TMP"
}
trap stop EXIT
trap 'exit 1' INT TERM HUP

# ---- munge, with a key of its own
head -c 1024 /dev/urandom >"$S/munge/key"
chmod 400 "$S/munge/key"
"$munged" -f --key-file="$S/munge/key" --socket="$S/munge/sock" --pid-file="$S/munge/pid" \
	--log-file="$S/log/munged.log" --seed-file="$S/munge/seed" >"$S/log/munged.out" 2>&1
check "munged starts (its own key and socket)" [ -S "$S/munge/sock" ]

# ---- Slurm: one node, the loopback, free ports
ports=$($py -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
set -- $ports
host=$(hostname)
cat >"$S/slurm.conf" <<EOF
ClusterName=dovetailtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$1
SlurmdPort=$2
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$S/munge/sock
CredType=cred/munge
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/log/slurmctld.log
SlurmdLogFile=$S/log/slurmd.log
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
MinJobAge=86400
NodeName=dovetail-test NodeAddr=127.0.0.1 NodeHostname=$host CPUs=2 State=UNKNOWN
PartitionName=dovetail Nodes=dovetail-test Default=YES MaxTime=INFINITE State=UP
EOF
SLURM_CONF=$S/slurm.conf
export SLURM_CONF
# the recipe's jobs run `dovetail` from PATH
ln -s "$DOVETAIL" "$TMP/bin/dovetail"
PATH=$TMP/bin:$PATH
export PATH

# wait_for DESCRIPTION COMMAND...: poll COMMAND once a second, at most $polls times
wait_for() {
	wf_d_=$1
	shift
	wf_n_=0
	until "$@"; do
		wf_n_=$((wf_n_ + 1))
		if [ $wf_n_ -ge $polls ]; then
			not_ok "$wf_d_ (not after $polls polls)"
			squeue 2>&1 | diag
			tail -20 "$S/log/slurmctld.log" "$S/log/slurmd.log" 2>&1 | diag
			return 1
		fi
		sleep 1
	done
	ok "$wf_d_"
}
node_idle() { sinfo -h -n dovetail-test -o %T 2>/dev/null | grep -q '^idle'; }
"$sbin/slurmctld" -i >"$S/log/slurmctld.out" 2>&1
"$sbin/slurmd" -N dovetail-test >"$S/log/slurmd.out" 2>&1
wait_for "slurmctld and slurmd start, the node is idle" node_idle || done_testing

# ---- the caseload, and the recipe of docs/batch.md as written there
cl=$TMP/cl
# (one person broken: the run completes with that person skipped, which
# --partial-ok lets the merge's job end COMPLETED, not FAILED)
$py "$SRCDIR/tools/gen-caseload.py" --persons 60 --seed 3 --broken 1 --out "$cl" >/dev/null
check "the generator writes a caseload" [ -f "$cl/caseload.yaml" ]
# recipe NAME: the sh block after the marker <!-- slurm-recipe: NAME ... -->
recipe() {
	awk -v m="<!-- slurm-recipe: $1 " 'index($0, m) == 1 { f = 1; next }
		f == 1 && /^```sh$/ { f = 2; next } f == 2 && /^```$/ { exit } f == 2' "$SRCDIR/docs/batch.md"
}
recipe batch.sh >"$cl/batch.sh"
recipe submit >"$cl/submit.sh"
check "docs/batch.md has the job script" grep -q '^#SBATCH --array=0-2$' "$cl/batch.sh"
check "... and the submission, with the dependency" grep -q 'dependency=afterok:\$ARRAY_JOB_ID' "$cl/submit.sh"
cd "$cl" || exit 1
# The merge is held once submitted, so that a task can be requeued after the
# array is done and before the merge starts (with the partition down
# meanwhile, nothing starts before the hold).
scontrol update PartitionName=dovetail State=DOWN
ARRAY_JOB_ID=
. ./submit.sh >"$TMP/submit.out" 2>&1
check "the recipe submits the array (sbatch --parsable: job $ARRAY_JOB_ID)" \
	sh -c "echo '$ARRAY_JOB_ID' | grep -Eq '^[0-9]+$'"
case $ARRAY_JOB_ID in '' | *[!0-9]*) diag <"$TMP/submit.out"; done_testing ;; esac
merge_id=$(squeue -h -o '%i %j' | awk '$2 == "wrap" { print $1 }')
check "... and the merge (job $merge_id), waiting on the array" \
	sh -c "squeue -h -j '$merge_id' -o %E | grep -q 'afterok:$ARRAY_JOB_ID'"
case $merge_id in '' | *[!0-9]*) done_testing ;; esac
scontrol hold "$merge_id"
scontrol update PartitionName=dovetail State=UP

tasks_done() { # tasks_done N: the array's 3 tasks completed, the N-th time for task 1
	[ "$(scontrol show job -o "$ARRAY_JOB_ID" 2>/dev/null | grep -c 'JobState=COMPLETED')" -eq 3 ] &&
		scontrol show job -o "${ARRAY_JOB_ID}_1" | grep -q "Restarts=$(($1 - 1)) "
}
wait_for "the array's 3 tasks complete" tasks_done 1
check "each task ran its shard of 3" sh -c "for t in 0 1 2; do grep -q \"^shard \$t/3 of batch\" slurm-${ARRAY_JOB_ID}_\$t.out || exit 1; done"
check "... none of them resumed (fresh stores)" sh -c "! grep -q resumed slurm-${ARRAY_JOB_ID}_*.out"
solved=$(sed -n 's/^shard [0-9]\/3 of batch [^:]*: [0-9]* of 60 persons, \([0-9]*\) solved now$/\1/p' slurm-${ARRAY_JOB_ID}_*.out |
	awk '{ s += $1 } END { print s }')
check "... 60 persons solved among them (got $solved)" [ "$solved" = 60 ]

# ---- one finished task requeued once: it resumes, solving nobody again
scontrol requeue "${ARRAY_JOB_ID}_1"
check "scontrol requeue of finished task 1: accepted" [ $? -eq 0 ]
scontrol update JobId="${ARRAY_JOB_ID}_1" StartTime=now   # not after the credentials' lifetime
wait_for "the requeued task completes again" tasks_done 2
check "... it resumed, solving nobody again" \
	grep -q "^shard 1/3 of batch [^:]*: [0-9]* of 60 persons, 0 solved now (resumed)$" "slurm-${ARRAY_JOB_ID}_1.out"

# ---- the merge
scontrol release "$merge_id"
merge_done() { scontrol show job -o "$merge_id" | grep -Eq 'JobState=(COMPLETED|FAILED|CANCELLED|TIMEOUT)'; }
wait_for "the merge job ends" merge_done
check "... COMPLETED, exit 0 (--partial-ok)" \
	sh -c "scontrol show job -o '$merge_id' | grep -q 'JobState=COMPLETED .* ExitCode=0:0'"
scontrol show job -o "$merge_id" | grep -o 'JobState=[A-Z]*.*ExitCode=[0-9:]*' | diag
log=slurm-$merge_id.out
nerr=$(grep -c '^dovetail:' "$log")
check "... its log (both streams): the summary first, then stderr ($nerr lines)" \
	sh -c "grep -q '^batch b-[0-9a-f]*: 60 persons' '$log' && [ $nerr -ge 2 ] &&
		! tail -n $nerr '$log' | grep -qv '^dovetail:' &&
		tail -n $nerr '$log' | grep -q '^dovetail: merge b-[0-9a-f]*: 60 persons from 3 shard stores' &&
		tail -n $nerr '$log' | grep -q '^dovetail: error: person P-00000 skipped'"

# ---- the same as one plain run
cpu_bounded 120 "$DOVETAIL" --db "$TMP/plain.db" batch caseload.yaml -j 2 --out "$TMP/plain" >"$TMP/plain.out" 2>&1
rc=$?
check "one plain batch -j 2 on another store: exit 2, a person skipped (got $rc)" [ "$rc" -eq 2 ]
check "the merge lists the skipped person" grep -q "^P-00000 *error" report/summary.txt
for f in summary.json summary.txt summary.csv; do
	check "the merged $f is byte-identical to the plain run's" cmp -s "$TMP/plain/$f" "report/$f"
done
done_testing
