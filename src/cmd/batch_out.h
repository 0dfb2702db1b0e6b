/* batch_out.h: what `batch` and `merge` share in the front end: the output options, and finishing a run. */
#ifndef DOVETAIL_CMD_BATCH_OUT_H
#define DOVETAIL_CMD_BATCH_OUT_H

#include "../cli.h"
#include "dovetail/batch.h"

struct batch_out {
	const char *out;          /* folder for summary.{txt,csv,json}, or NULL */
	const char *report;       /* folder for the pages (index.html, person-ID.html), or NULL */
	int json;                 /* stdout: JSON instead of text */
	struct batch_joint_stats stats;
};

/* --cap C: a cost from 0 to 1e6. */
int batch_out_cap(struct app *app, const char *arg, double *cap);
/* Refuse --out and --report folders that cannot be written, now rather than after the solve. */
int batch_out_check(struct app *app, const struct batch_out *o);
/* The joint master, the summary, the files and stdout. Returns 0,
 * DV_EXIT_PARTIAL when some person was skipped, or another exit status. */
int batch_out_finish(struct app *app, struct batch *b, struct batch_out *o);

#endif
