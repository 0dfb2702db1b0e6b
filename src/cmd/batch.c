/* batch.c: `dovetail batch CASELOAD`: every person of a caseload, in worker processes, resumable. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cli.h"
#include "dovetail/batch.h"
#include "dovetail/pool.h"
#include "batch_out.h"
#include "dovetail/xalloc.h"

static void help(FILE *fp)
{
	fputs("usage: dovetail batch CASELOAD.yaml [-j N] [--resume] [--shard I/N | --shard-from-env]\n"
	      "                      [--shard-by hash|component] [--out DIR] [--report DIR] [--json]\n"
	      "                      [--time-limit S] [--cap C] [--prove-cap] [--partial-ok]\n\n"
	      "Propose the best plan for the week of --now for every person of a caseload\n"
	      "(docs/batch.md): each person is solved alone in one of N worker processes\n"
	      "(a few good plans, and the week as booked), kept in the store (--db) as it\n"
	      "is done; then one plan per person is chosen together, so that no\n"
	      "practitioner or carer the persons share is booked twice, with the least\n"
	      "compromise and cost for the caseload and no person more than --cap worse\n"
	      "off than alone. The results are the same for any -j and any sharding.\n\n"
	      "  -j N              worker processes (default: the number of processors)\n"
	      "  --resume          finish the run a crash or kill left: persons already\n"
	      "                    done with the same inputs are not solved again\n"
	      "  --shard I/N       only the persons whose id hashes to I mod N (0 <= I < N);\n"
	      "                    join the shard stores with `dovetail merge`\n"
	      "  --shard-by KIND   hash (the default: by the person's id) or component\n"
	      "                    (whole components of the practitioner-sharing graph,\n"
	      "                    balanced by persons: each shard also chooses its\n"
	      "                    persons' plans together, and merge solves nothing more)\n"
	      "  --shard-from-env  I and N from a Slurm job array, I = (SLURM_ARRAY_TASK_ID -\n"
	      "                    SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP and\n"
	      "                    N = SLURM_ARRAY_TASK_COUNT, or from a Kubernetes Indexed\n"
	      "                    Job, JOB_COMPLETION_INDEX and DOVETAIL_SHARD_COUNT\n"
	      "  --out DIR         also write DIR/summary.txt, summary.csv, summary.json\n"
	      "  --report DIR      also write each person's report (DIR/PERSON.html, as\n"
	      "                    `dovetail report` draws it) and an overview, DIR/index.html\n"
	      "  --json            print the summary as JSON (format dovetail-batch/1)\n"
	      "  --time-limit S    seconds per solve, a safety cap (default 10)\n"
	      "  --partial-ok      exit 0, not 2, when the run completed with some persons\n"
	      "                    skipped (still listed), for a scheduler's dependent\n"
	      "                    step (Slurm afterok)\n"
	      "  --cap C           cost a person may lose against their plan solved alone\n"
	      "                    (default 10: one journey, by default weights)\n"
	      "  --prove-cap       also seek persons who must be outside the cap whatever\n"
	      "                    anyone chooses (a practitioner's day that cannot see\n"
	      "                    them all within their caps), each solved again with\n"
	      "                    the practitioner's time held: slower; the summary gives\n"
	      "                    how many at least, and the groups that prove it\n\n"
	      "A progress bar (persons done, rate, ETA) is drawn on stderr when it is a\n"
	      "terminal.\n\n"
	      "Exit status: 0 every person planned, 2 some person skipped (bad profile or\n"
	      "feed; named with the reason; 0 with --partial-ok), 64 usage, 65 bad caseload,\n"
	      "73 cannot write --out or --report, 74 store (or another batch or merge\n"
	      "running on it).\n", fp);
}

static int shard_arg(struct app *app, const char *s, unsigned *i, unsigned *n)
{
	char *end;
	unsigned long a = strtoul(s, &end, 10), b = 0;
	int ok = end != s && *end == '/';
	if (ok) {
		const char *t = end + 1;
		b = strtoul(t, &end, 10);
		ok = end != t && !*end && b >= 1 && b <= CL_GRAPH_MAX_SHARDS && a < b;
	}
	if (!ok) {
		diag_add(&app->diag, D_BAD_ARG, NULL, 0, 0, "--shard", s, "use I/N with 0 <= I < N");
		return -1;
	}
	*i = (unsigned)a;
	*n = (unsigned)b;
	return 0;
}

/* A task number from the environment (0 to 10^9, decimal digits only), or -1. */
static long env_num(const char *s)
{
	if (!s || !*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 10)
		return -1;
	long v = strtol(s, NULL, 10);
	return v <= 1000000000 ? v : -1;
}

/*
 * The shard from a Slurm job array or a Kubernetes Indexed Job. Slurm
 * numbers an array's tasks MIN, MIN+STEP, ..., MAX (--array=0-4:2: 0, 2
 * and 4, COUNT 3), so the shard is (ID - MIN) / STEP of COUNT; an ID that
 * is not MIN plus a multiple of STEP (an uneven list, --array=0,1,5) has
 * no shard and is refused, naming the variables.
 */
static int shard_env(struct app *app, unsigned *i, unsigned *n)
{
	const char *id = getenv("SLURM_ARRAY_TASK_ID"), *count = getenv("SLURM_ARRAY_TASK_COUNT");
	const char *min = getenv("SLURM_ARRAY_TASK_MIN"), *step = getenv("SLURM_ARRAY_TASK_STEP");
	int slurm = 1;
	if (!id || !count) {
		id = getenv("JOB_COMPLETION_INDEX");
		count = getenv("DOVETAIL_SHARD_COUNT");
		min = step = NULL;
		slurm = 0;
	}
	if (!id || !count) {
		diag_add(&app->diag, D_USAGE, NULL, 0, 0,
			 "--shard-from-env: set SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT, or "
			 "JOB_COMPLETION_INDEX and DOVETAIL_SHARD_COUNT");
		return -1;
	}
	long t = env_num(id), lo = min ? env_num(min) : 0, st = step ? env_num(step) : 1;
	long c = env_num(count);
	char buf[64], env[224];
	if (slurm)
		snprintf(env, sizeof env, "SLURM_ARRAY_TASK_ID=%.12s SLURM_ARRAY_TASK_MIN=%.12s "
			 "SLURM_ARRAY_TASK_STEP=%.12s SLURM_ARRAY_TASK_COUNT=%.12s",
			 id, min ? min : "(unset)", step ? step : "(unset)", count);
	else
		snprintf(env, sizeof env, "JOB_COMPLETION_INDEX=%.12s DOVETAIL_SHARD_COUNT=%.12s", id, count);
	if (t < 0 || lo < 0 || st < 1 || c < 1 || t < lo || (t - lo) % st || (t - lo) / st >= c ||
	    c > (long)CL_GRAPH_MAX_SHARDS) {
		diag_add(&app->diag, D_BAD_ARG, NULL, 0, 0, "--shard-from-env", env,
			 slurm ? "the task must be SLURM_ARRAY_TASK_MIN plus k times SLURM_ARRAY_TASK_STEP, "
				 "k < SLURM_ARRAY_TASK_COUNT: give --array as a range, A-B or A-B:S"
			       : "the index must be a number below the count");
		return -1;
	}
	snprintf(buf, sizeof buf, "%ld/%ld", (t - lo) / st, c);
	return shard_arg(app, buf, i, n);
}

/* Whether the store holds a row of this run for one of the shard's persons. */
struct held {
	int sharded;
	unsigned si, sn;
	int found;
};

static int held_row(const struct store_batch_person *r, void *arg)
{
	struct held *h = arg;
	if (!h->sharded || caseload_shard_of(r->person, h->sn) == h->si)
		h->found = 1;
	return h->found;   /* one is enough */
}

/* How cmd_batch was asked to run. */
struct batch_args {
	int resume, sharded, by_component;
	unsigned si, sn;          /* shard si of sn */
};

/* Read the options into b, out and a. Returns -1 to go on, or the exit
 * status (0 after --help). */
static int parse_args(int argc, char **argv, struct app *app, struct batch *b, struct batch_out *out,
		      struct batch_args *a)
{
	static const struct option opts[] = {
		{ "resume", no_argument, NULL, 'r' },
		{ "shard", required_argument, NULL, 's' },
		{ "shard-from-env", no_argument, NULL, 'S' },
		{ "out", required_argument, NULL, 'o' },
		{ "report", required_argument, NULL, 'R' },
		{ "json", no_argument, NULL, 'J' },
		{ "time-limit", required_argument, NULL, 't' },
		{ "cap", required_argument, NULL, 'c' },
		{ "partial-ok", no_argument, NULL, 'P' },
		{ "prove-cap", no_argument, NULL, 'p' },
		{ "shard-by", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	char *end;
	int c, shard_given = 0, env_given = 0, by_given = 0;
	while ((c = getopt_long(argc, argv, "hj:", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			b->jobs = (int)strtol(optarg, &end, 10);
			if (*end || b->jobs < 1 || b->jobs > POOL_MAX_JOBS)
				return cli_usage(app, "batch: -j takes a number of workers from 1 to " DV_STR(POOL_MAX_JOBS));
			break;
		case 'r': a->resume = 1; break;
		case 's':
			if (shard_arg(app, optarg, &a->si, &a->sn) < 0)
				return DV_EXIT_USAGE;
			a->sharded = shard_given = 1;
			break;
		case 'S':
			if (shard_env(app, &a->si, &a->sn) < 0)
				return DV_EXIT_USAGE;
			a->sharded = env_given = 1;
			break;
		case 'o': out->out = optarg; break;
		case 'R': out->report = optarg; break;
		case 'J': out->json = 1; break;
		case 't':
			b->time_limit = (int)strtol(optarg, &end, 10);
			if (*end || b->time_limit < 1 || b->time_limit > 3600)
				return cli_usage(app, "batch: --time-limit takes seconds from 1 to 3600");
			break;
		case 'c':
			if (batch_out_cap(app, optarg, &b->cap) < 0)
				return DV_EXIT_USAGE;
			break;
		case 'P': app->partial_ok = 1; break;
		case 'p': b->prove_cap = 1; break;
		case 'B':
			by_given = 1;
			if (strcmp(optarg, "component") == 0)
				a->by_component = 1;
			else if (strcmp(optarg, "hash") == 0)
				a->by_component = 0;
			else
				return cli_usage(app, "batch: --shard-by takes hash or component");
			break;
		case 'h': help(stdout); return 0;
		default: help(stderr); return DV_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc)
		return cli_usage(app, "batch: give one CASELOAD file");
	if (shard_given && env_given)
		return cli_usage(app, "batch: --shard and --shard-from-env exclude each other");
	if (by_given && !a->sharded)
		return cli_usage(app, "batch: --shard-by goes with --shard or --shard-from-env");
	/* a shard writes no files (the merge does): said, not silently dropped */
	if (a->sharded && out->out)
		diag_add(&app->diag, D_BATCH_SHARD_FILES, NULL, 0, 0, "--out", "--out");
	if (a->sharded && out->report)
		diag_add(&app->diag, D_BATCH_SHARD_FILES, NULL, 0, 0, "--report", "--report");
	return -1;
}

/* Load the caseload at path into *cl and check every profile's
 * practitioners and carers: a practitioner shared under two sets of feeds
 * is a bad caseload, refused before anything is solved. The profiles are
 * read in jobs workers. The components (*g) give --shard-by component its
 * shards. Returns 0 or an exit status. */
static int load_caseload(struct app *app, const char *path, const struct batch_args *a, int jobs,
			 struct caseload **cl, struct cl_graph **g)
{
	*g = NULL;
	if (caseload_load(cl, path, &app->diag) < 0) {
		int st = diag_exit_status(&app->diag);
		return st ? st : DV_EXIT_INPUT;
	}
	if (caseload_scan(*cl, 1, jobs, g, &app->diag) < 0 ||
	    (a->by_component && cl_graph_plan_shards(*g, a->sn, &app->diag) < 0)) {
		cl_graph_free(*g);
		caseload_free(*cl);
		int st = diag_exit_status(&app->diag);
		return st ? st : DV_EXIT_INPUT;
	}
	return 0;
}

/* Solve the n persons todo (and, for a component shard, choose their plans
 * together), then print what a shard did or finish the run. Returns the
 * exit status. */
static int solve(struct app *app, struct batch *b, struct batch_out *out, const struct batch_args *a,
		 const size_t *todo, size_t n, const char *file)
{
	const struct caseload *cl = b->cl;
	int status = 0;
	size_t solved = 0;
	/* "(resumed)" only when the store held rows of this run (and shard) to continue */
	struct held held = { a->sharded, a->si, a->sn, 0 };
	if ((a->resume && store_batch_each(app->store, b->run, NULL, held_row, &held, &app->diag) < 0) ||
	    store_batch_begin(app->store, b->run, cl->digest, cl->n_persons, app->now, !a->resume, &app->diag) < 0 ||
	    batch_solve_alone(b, todo, n, a->resume, &solved, &app->diag) < 0)
		status = diag_exit_status(&app->diag) ? diag_exit_status(&app->diag) : DV_EXIT_STORE;
	struct batch_joint_stats js;
	if (!status && a->sharded && a->by_component) {
		if (batch_joint(b, &js, &app->diag) < 0)
			status = diag_exit_status(&app->diag) ? diag_exit_status(&app->diag) : DV_EXIT_INTERNAL;
		batch_joint_stats_release(&js);
	}
	if (!status && a->sharded) {
		printf("shard %u/%u of batch %s: %zu of %zu persons, %zu solved now%s\n", a->si, a->sn, b->run, n,
		       cl->n_persons, solved, held.found ? " (resumed)" : "");
		printf("join the shards' stores with: dovetail --db ALL.db merge ");
		cli_put_safe(stdout, file);   /* a file name */
		printf(" SHARD.db...\n");
	} else if (!status) {
		status = batch_out_finish(app, b, out);
		if (status == 0 || status == DV_EXIT_PARTIAL) {
			fflush(stdout);
			fprintf(stderr, "dovetail: batch %s: %zu person%s solved now, %zu plan%s priced for the joint master\n",
				b->run, solved, solved == 1 ? "" : "s", out->stats.priced_now,
				out->stats.priced_now == 1 ? "" : "s");
		}
	}
	return status;
}

int cmd_batch(int argc, char **argv, struct app *app)
{
	struct batch b;
	struct batch_out out = { 0 };
	batch_init(&b);
	struct batch_args a = { 0, 0, 0, 0, 1 };
	int status = parse_args(argc, argv, app, &b, &out, &a);
	if (status >= 0)
		return status;
	struct caseload *cl;
	struct cl_graph *g;
	if ((status = load_caseload(app, argv[optind], &a, b.jobs, &cl, &g)))
		return status;
	b.cl = cl;
	b.store = app->store;
	b.now = app->now;
	b.lim = &app->lim;
	b.progress = isatty(2);
	batch_run_id(&b);
	file_scratch_clean("dovetail-batch");   /* the scratch stores killed batches left */
	if (!a.sharded && batch_out_check(app, &out) < 0) {
		cl_graph_free(g);
		caseload_free(cl);   /* refused now, not after the solve */
		return DV_EXIT_CANTCREAT;
	}
	size_t *todo = xcalloc(cl->n_persons + 1, sizeof *todo), n = 0;
	for (size_t i = 0; i < cl->n_persons; i++)
		if (!a.sharded || (a.by_component ? cl_graph_shard_of(g, i, a.sn)
						  : caseload_shard_of(cl->persons[i].id, a.sn)) == a.si)
			todo[n++] = i;
	cl_graph_free(g);
	status = solve(app, &b, &out, &a, todo, n, argv[optind]);
	free(todo);
	batch_release(&b);
	caseload_free(cl);
	return status;
}
