/* batch_out.c: finish a batch run (the joint master, the summary) and write and print it. */
#include "batch_out.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/util.h"

int batch_out_cap(struct app *app, const char *arg, double *cap)
{
	char *end;
	double v = strtod(arg, &end);
	if (end == arg || *end || !(v >= 0 && v <= 1e6)) {
		diag_add(&app->diag, D_BAD_ARG, NULL, 0, 0, "--cap", arg, "give a cost from 0 to 1000000");
		return -1;
	}
	*cap = v;
	return 0;
}

int batch_out_check(struct app *app, const struct batch_out *o)
{
	int exists;
	return (o->out && file_check_outdir(o->out, &exists, &app->diag) < 0) ||
			       (o->report && file_check_outdir(o->report, &exists, &app->diag) < 0)
		       ? -1
		       : 0;
}

static int status_of(struct app *app, int fallback)
{
	int st = diag_exit_status(&app->diag);
	return st ? st : fallback;
}

int batch_out_finish(struct app *app, struct batch *b, struct batch_out *o)
{
	if (batch_joint(b, &o->stats, &app->diag) < 0) {
		batch_joint_stats_release(&o->stats);
		return status_of(app, DV_EXIT_INTERNAL);
	}
	struct batch_summary s;
	int rc = batch_summary(b, &o->stats, &s, &app->diag);
	batch_joint_stats_release(&o->stats);   /* the summary holds what it drew from them */
	if (rc < 0)
		return status_of(app, DV_EXIT_STORE);
	int status = 0;
	/* --out and --report are each written whole: staged, then one rename
	 * each (the same folder for both when they name one) */
	struct outdir od_out, od_rep;
	outdir_init(&od_out);
	outdir_init(&od_rep);
	int shared = o->out && o->report && file_same_place(o->out, o->report);
	if (o->out && outdir_begin(&od_out, o->out, &app->diag) < 0)
		status = status_of(app, DV_EXIT_CANTCREAT);
	if (!status && o->report && !shared && outdir_begin(&od_rep, o->report, &app->diag) < 0)
		status = status_of(app, DV_EXIT_CANTCREAT);
	if (!status && o->out) {
		static const char *const names[] = { "summary.txt", "summary.csv", "summary.json" };
		const char *data[] = { s.txt, s.csv, s.json };
		size_t lens[] = { s.txt_len, s.csv_len, s.json_len };
		for (int i = 0; !status && i < 3; i++)
			if (outdir_put(&od_out, names[i], data[i], lens[i], &app->diag) < 0)
				status = DV_EXIT_CANTCREAT;
	}
	size_t pages = 0;
	if (!status && o->report && batch_pages(b, shared ? &od_out : &od_rep, &pages, &app->diag) < 0)
		status = status_of(app, DV_EXIT_CANTCREAT);
	if (!status && o->report && !shared && outdir_commit(&od_rep, &app->diag) < 0)
		status = status_of(app, DV_EXIT_CANTCREAT);
	if (!status && o->out && outdir_commit(&od_out, &app->diag) < 0)
		status = status_of(app, DV_EXIT_CANTCREAT);
	outdir_discard(&od_out);
	outdir_discard(&od_rep);
	if (!status) {
		if (o->json) {
			fwrite(s.json, 1, s.json_len, stdout);
		} else {
			fputs(s.totals_text, stdout);
			if (s.exceptions[0])
				printf("\nskipped, with the reasons:\n%s", s.exceptions);
			if (o->out)
				printf("\nper person: %s/summary.txt, summary.csv, summary.json\n", o->out);
			if (o->report)
				printf("reports: %s/index.html and %zu person page%s\n", o->report, pages,
				       pages == 1 ? "" : "s");
		}
		if (s.error)
			status = DV_EXIT_PARTIAL;
	}
	fflush(stdout);   /* what follows on stderr comes after it in a shared log */
	batch_summary_release(&s);
	return status;
}
