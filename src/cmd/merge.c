/* merge.c: `dovetail merge CASELOAD SHARD.db...`: join a sharded batch and finish it. */
#include <assert.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cli.h"
#include "batch_out.h"

static void help(FILE *fp)
{
	fputs("usage: dovetail merge CASELOAD.yaml SHARD.db... [--out DIR] [--report DIR] [--json]\n"
	      "                      [--time-limit S] [--cap C] [--prove-cap] [--partial-ok]\n\n"
	      "Join the stores of a batch run in shards (`dovetail batch --shard I/N`) into\n"
	      "this store (--db), check that every person of the caseload is in exactly one\n"
	      "of them, then finish the run as `batch` would: one plan per person chosen\n"
	      "together, and the summary. Give the same CASELOAD, --now and --time-limit as the shards\n"
	      "had (and --report when they had it); the result is byte-identical to one\n"
	      "unsharded run (docs/batch.md).\n\n"
	      "  --prove-cap   also seek persons who must be outside the cap, as batch does\n"
	      "  --partial-ok  exit 0, not 2, when some persons were skipped (still listed),\n"
	      "                for a scheduler's dependent step (Slurm afterok)\n\n"
	      "Exit status: 0 every person planned, 2 some person skipped (0 with\n"
	      "--partial-ok), 64 usage, 65 bad caseload, or a person missing or in two shards, 73 cannot\n"
	      "write --out or --report, 74 store.\n", fp);
}

struct seen {
	const struct caseload *cl;
	size_t i, missing, rows;
	const char *first_missing;
};

static int walk(const struct store_batch_person *r, void *arg)
{
	struct seen *s = arg;
	s->rows++;
	/* rows and persons are both by id: walk them side by side */
	while (s->i < s->cl->n_persons && strcmp(s->cl->persons[s->i].id, r->person) < 0) {
		if (!s->missing++)
			s->first_missing = s->cl->persons[s->i].id;
		s->i++;
	}
	if (s->i < s->cl->n_persons && strcmp(s->cl->persons[s->i].id, r->person) == 0)
		s->i++;
	assert(s->i == 0 || s->i >= s->cl->n_persons ||
	       strcmp(s->cl->persons[s->i - 1].id, s->cl->persons[s->i].id) < 0);   /* persons by id */
	return 0;
}

/* Copy the n shard stores' rows of run b->run into the store, and check
 * that every person of the caseload is there once. Returns 0 or the exit
 * status (reported). */
static int join_stores(struct app *app, struct batch *b, char **shards, int n)
{
	const struct caseload *cl = b->cl;
	if (store_batch_shards_apart(app->store, shards, (size_t)n, &app->diag) < 0)
		return DV_EXIT_USAGE;
	if (store_batch_begin(app->store, b->run, cl->digest, cl->n_persons, app->now, 1, &app->diag) < 0)
		return diag_exit_status(&app->diag) ? diag_exit_status(&app->diag) : DV_EXIT_STORE;
	for (int i = 0; i < n; i++) {
		size_t k;
		if (store_batch_merge(app->store, b->run, shards[i], &k, &app->diag) < 0)
			return diag_exit_status(&app->diag) ? diag_exit_status(&app->diag) : DV_EXIT_STORE;
	}
	struct seen s = { cl, 0, 0, 0, NULL };
	if (store_batch_each(app->store, b->run, NULL, walk, &s, &app->diag) < 0)
		return DV_EXIT_STORE;
	if (s.i < cl->n_persons && !s.missing)
		s.first_missing = cl->persons[s.i].id;
	s.missing += cl->n_persons - s.i;
	if (s.missing || s.rows != cl->n_persons) {
		char num[32];
		snprintf(num, sizeof num, "%zu", s.missing);
		diag_add(&app->diag, D_BATCH_MISSING, NULL, 0, 0, num,
			 s.first_missing ? s.first_missing : "(a person not in the caseload)");
		return DV_EXIT_INPUT;
	}
	return 0;
}

int cmd_merge(int argc, char **argv, struct app *app)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "report", required_argument, NULL, 'R' },
		{ "json", no_argument, NULL, 'J' },
		{ "time-limit", required_argument, NULL, 't' },
		{ "cap", required_argument, NULL, 'c' },
		{ "partial-ok", no_argument, NULL, 'P' },
		{ "prove-cap", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct batch b;
	struct batch_out out = { 0 };
	batch_init(&b);
	int c;
	char *end;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out.out = optarg; break;
		case 'R': out.report = optarg; break;
		case 'J': out.json = 1; break;
		case 'c':
			if (batch_out_cap(app, optarg, &b.cap) < 0)
				return DV_EXIT_USAGE;
			break;
		case 't':
			b.time_limit = (int)strtol(optarg, &end, 10);
			if (*end || b.time_limit < 1 || b.time_limit > 3600)
				return cli_usage(app, "merge: --time-limit takes seconds from 1 to 3600");
			break;
		case 'P': app->partial_ok = 1; break;
		case 'p': b.prove_cap = 1; break;
		case 'h': help(stdout); return 0;
		default: help(stderr); return DV_EXIT_USAGE;
		}
	}
	if (argc - optind < 2)
		return cli_usage(app, "merge: give the CASELOAD and at least one shard store");
	struct caseload *cl;
	if (caseload_load(&cl, argv[optind], &app->diag) < 0) {
		int st = diag_exit_status(&app->diag);
		return st ? st : DV_EXIT_INPUT;
	}
	b.cl = cl;
	b.store = app->store;
	b.now = app->now;
	b.lim = &app->lim;
	batch_run_id(&b);
	file_scratch_clean("dovetail-batch");   /* the scratch stores killed batches left */
	if (batch_out_check(app, &out) < 0) {
		caseload_free(cl);   /* refused now, not after the solve */
		return DV_EXIT_CANTCREAT;
	}
	int status = join_stores(app, &b, argv + optind + 1, argc - optind - 1);
	if (!status)
		status = batch_out_finish(app, &b, &out);
	if (status == 0 || status == DV_EXIT_PARTIAL) {
		fflush(stdout);
		fprintf(stderr, "dovetail: merge %s: %zu persons from %d shard stores, %zu plans priced for the joint master\n",
			b.run, cl->n_persons, argc - optind - 1, out.stats.priced_now);
	}
	batch_release(&b);
	caseload_free(cl);
	return status;
}
