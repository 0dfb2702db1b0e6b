/* batch_run.h: what `batch` and `merge` share: solving persons in worker processes, the final pass, the summary. */
#ifndef DOVETAIL_CMD_BATCH_RUN_H
#define DOVETAIL_CMD_BATCH_RUN_H

#include <stddef.h>

#include "../cli.h"
#include "dovetail/caseload.h"

struct batch {
	struct app *app;
	const struct caseload *cl;
	char run[24];             /* b-<16 hex>: a digest of the caseload, --now and the options */
	int jobs;                 /* worker processes */
	int time_limit;           /* seconds per master solve */
	int progress;             /* draw a progress bar on stderr */
	const char *out;          /* folder for summary.{txt,csv,json}, or NULL */
	const char *report;       /* folder for the HTML reports (index.html, PERSON.html), or NULL */
	int json;                 /* stdout: JSON instead of text */
	int in_dir;               /* this process runs in the caseload's folder */
};

/* The run id of a caseload for app->now and the options. */
void batch_run_id(struct batch *b);

/*
 * Solve each person in `todo` (indices into cl->persons) alone, in
 * b->jobs worker processes, and record each in the store as it is done
 * (its row is its done-marker). With resume, a person the store already
 * holds with the same input digest is not solved again. Returns 0, or an
 * exit status (store failure) with app->diag filled. *n_done: persons
 * solved in this call.
 */
int batch_solve_alone(struct batch *b, const size_t *todo, size_t n, int resume, size_t *n_done);

/*
 * The final pass, in person order: each person is checked against the
 * final bookings of the persons before it on the practitioners they share;
 * where one of its bookings would double-book a practitioner, it is solved
 * again with those bookings as the practitioner's busy time. Each final is
 * recorded with its basis, so a resumed pass redoes nothing that still
 * holds. Returns 0 or an exit status. *n_resolved: persons solved again.
 */
int batch_finalise(struct batch *b, size_t *n_resolved);

/* Print the summary (text, or JSON with b->json) and write b->out's
 * files from the finals, and with b->report each person's HTML report
 * (PERSON.html) and the caseload's overview (index.html) there. Returns 0,
 * DV_EXIT_PARTIAL when some person is partial or skipped, or another exit
 * status. */
int batch_report(struct batch *b);

#endif
