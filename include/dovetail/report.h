/* report.h: the week before and after a proposal as one self-contained HTML page (docs/report.md). */
#ifndef DOVETAIL_REPORT_H
#define DOVETAIL_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "dovetail/diag.h"
#include "dovetail/plan.h"
#include "dovetail/week.h"

enum report_status { RS_UNDECIDED, RS_ACCEPTED, RS_REJECTED };

/* One change of the proposal, as the report lists it. Strings are borrowed. */
struct report_change {
	char id[96];              /* the change id, PROPOSAL-SEQ */
	int prac;                 /* index into profile.pracs */
	struct change ch;         /* the change (plan.h) */
	int duration;             /* minutes */
	const char *reason;
	enum report_status status;
	const char *who, *note;   /* the decision's, when decided; note may be NULL */
	int64_t at;               /* UTC seconds of the decision */
	/* the practitioner's side of an accepted change (`dovetail status`):
	 * sent (when), answered (the answer's kind, owned, and when) */
	int sent;
	int64_t sent_at;
	char *answer;             /* NULL: no answer to the last message */
	int64_t answered_at;
	char *undone_by;          /* owned: who declined a change of its group, which
				     undid it (docs/replies.md), or NULL */
	int revision;             /* undone, and the revision was sent (docs/send.md) */
	char *refused;            /* owned: its practitioner's refusal of it (declined,
				     countered) that stands, when a later answer came
				     (docs/replies.md), or NULL */
	/* the appointment in each view (index into its appts), -1 when not drawn */
	int before_appt, after_appt;
};

/* An appointment the proposal leaves unplaced. */
struct report_unplaced {
	int prac;
	int64_t date;
	int start, duration;
	int venue;
	const char *reason;       /* NULL: not known */
	int after_appt;           /* where the after view draws it (as booked), or -1 */
};

struct report {
	const struct week *before;    /* the week the proposal was made from */
	const struct week *after;     /* the week with the proposal in it; NULL: no proposal */
	const char *proposal;         /* its id, or NULL */
	double objective;
	int proven;
	int ladder_step;              /* 1: the proposal is only a step of the change ladder, */
	int ladder_max;               /* the best plan with at most ladder_max changes */
	const struct report_change *changes;
	size_t n_changes;
	const struct report_unplaced *unplaced;
	size_t n_unplaced;
	int unplaced_count;           /* unplaced appointments not listed (known only as a count) */
	int64_t now;                  /* shown as the time the report was made */
	int names;                    /* show display names (default: ids and roles only) */
	const char *note;             /* a sentence under the title, or NULL */
};

/*
 * The report as one HTML document: no scripts, no external resources (CSS
 * and SVG inline). For each Monday-Sunday week of the horizon, on a page of
 * its own when printed (A4 landscape): an SVG of the week before and one
 * after, side by side, with appointments coloured by practitioner, routines
 * shaded, travel drawn between venues, and every clash, broken routine and
 * infeasible journey (check_week's errors) marked; each view has a text
 * alternative (a list by day) for screen readers. Then the before/after
 * totals as a table, and each change with its reason and decision status.
 * Every appointment of a view is drawn once, as an element of class "appt"
 * with data-practitioner, data-uid, data-recurrence-id, data-start and
 * data-end (local, as `dovetail week --json` gives them); every marked
 * problem is an element of class "problem" with data-kind, data-start and
 * data-end (as `dovetail check --json`). The bytes depend only on the inputs.
 * Returns a malloc'd string, or NULL with d filled (check_week failed).
 */
char *report_html(const struct report *r, struct diag *d);

struct sv_proposal;
struct instance;

/*
 * The report of proposal x, just solved for week w (instance in), with no
 * decision yet (batch --report): before is w; after is w with each change
 * of x in it and the appointments x cannot place where they are booked.
 * Returns report_html's page, or NULL with d filled.
 */
char *report_of_solution(const struct week *w, const struct instance *in,
			 const struct sv_proposal *x, int64_t now, struct diag *d);

struct plan;

/*
 * The page report_of_solution draws for the proposal of plan pl, from the
 * plan alone (batch --report keeps a plan's text, plan_encode, instead of
 * its page): the proposal made again by sv_proposal_of_plan (the same id,
 * objective, changes and reasons as the solve gave), then drawn as
 * report_of_solution draws it. in must be built from w with the now of the
 * solve (instance_build), and pl is a plan of it (plan_decode's). Whether
 * the solve proved the plan optimal is the solver's to say, not the plan's:
 * proven is the solve's sv_proposal.proven (the page prints "proven
 * optimal" or "not proven optimal"). For a proposal x of solve_propose,
 * report_of_plan(w, in, &x->plan, x->proven, now, d) is byte for byte
 * report_of_solution(w, in, x, now, d). Returns a malloc'd string, or NULL
 * with d filled (D_PLAN_INVALID: pl is not a complete plan of in).
 */
char *report_of_plan(const struct week *w, const struct instance *in, const struct plan *pl, int proven,
		     int64_t now, struct diag *d);

/*
 * The page a caseload manager starts from (`batch --report`): the caseload's
 * totals, then one row per person (in the order given) with its status and
 * before/after figures, linking to its report. Text is plain; it is
 * escaped here. Returns a malloc'd string (never NULL; d is not used and
 * is kept for the callers).
 */
struct report_person {
	const char *id, *status, *href;   /* href NULL: no report (an error) */
	const char *why;                  /* status detail, or NULL */
	int jb, ja, tb, ta, cb, ca, rb, ra;   /* journeys, travel minutes, clashes, routine conflicts */
	double eb, ea;                    /* peak energy */
	int changes, unplaced;
};

char *report_overview_html(const char *title, const struct report_person *v, size_t n,
			   int64_t now, struct diag *d);

#endif
