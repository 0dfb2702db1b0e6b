/* report.c: `dovetail report PROFILE --html FILE`: the week before and after a proposal, as a page to print. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli.h"
#include "dovetail/report.h"
#include "dovetail/util.h"
#include "dovetail/xalloc.h"

static void help(FILE *fp)
{
	fputs("usage: dovetail report PROFILE [--proposal ID] --html FILE [--names] [--refresh]\n"
	      "       dovetail report PROFILE --none [--from DATE --to DATE] --html FILE [--names]\n"
	      "                      [--refresh]\n\n"
	      "Write one self-contained HTML page (no scripts, nothing fetched) for the\n"
	      "family meeting (docs/report.md): for each week of the proposal's horizon,\n"
	      "the week before and after side by side, appointments coloured by\n"
	      "practitioner, routines shaded, travel drawn between venues, clashes marked;\n"
	      "then the before/after totals and each change with its reason and its\n"
	      "decision (accepted, rejected or not yet decided). It prints on A4, a week\n"
	      "to a page, and every picture has a text alternative for screen readers.\n\n"
	      "  --proposal ID   the proposal (default: the optimum proposed last for the\n"
	      "                  profile's person)\n"
	      "  --none          no proposal: the week as agreed so far, alone\n"
	      "  --from, --to    with --none: the horizon (default: the week of --now)\n"
	      "  --html FILE     where to write it (mode 0600: it holds health details)\n"
	      "  --names         show display names (default: pseudonymous ids and roles)\n"
	      "  --refresh       read (or fetch) every feed the profile names again first;\n"
	      "                  without it, a feed already in the store is read as stored\n"
	      "                  (nothing fetched or written)\n\n"
	      "Before is the week the proposal was made from; after is that week with\n"
	      "every change of the proposal that is not rejected.\n\n"
	      "Exit status: 0 ok, 64 usage, 65 bad profile or feed, no such proposal or one\n"
	      "for another person, 66 unreadable file, 73 cannot write FILE, 74 store.\n", fp);
}

struct status_of {
	const struct store_proposal *p;
	struct report_change *v;
};

/* A copy of x, or NULL. */
static char *keep_str(const char *x)
{
	return x ? xstrdup(x) : NULL;
}

/* The last decision on each change of the proposal is its status. */
static int status_one(const struct store_decision *x, void *arg)
{
	struct status_of *s = arg;
	if (strcmp(x->proposal, s->p->id) || x->seq < 1 || (size_t)x->seq > s->p->n_changes)
		return 0;
	struct report_change *c = &s->v[x->seq - 1];
	free((char *)c->who);
	free((char *)c->note);
	c->status = x->accept ? RS_ACCEPTED : RS_REJECTED;
	c->who = keep_str(x->who);
	c->note = keep_str(x->note);
	c->at = x->at;
	return 0;
}

/* The practitioner's side of each accepted change of the proposal. */
static int side_one(const struct store_status_row *x, void *arg)
{
	struct status_of *s = arg;
	if (strcmp(x->proposal, s->p->id) || x->seq < 1 || (size_t)x->seq > s->p->n_changes)
		return 0;
	struct report_change *c = &s->v[x->seq - 1];
	struct store_standing st;
	store_status_standing(x, 0, &st);
	c->sent = x->sent;
	c->sent_at = x->sent_at;
	if (st.answered) {
		free(c->answer);
		c->answer = keep_str(x->answer);
		c->answered_at = x->answered_at;
	}
	free(c->undone_by);
	c->undone_by = keep_str(x->undone_by);
	c->revision = st.revision;
	free(c->refused);
	c->refused = x->refused_last ? NULL : keep_str(x->refused);
	return 0;
}

/* Before: the agreed week with the proposal's changes where they were
 * when it was made. After: with every change not rejected where it puts it. */
static int build_views(struct app *app, const struct person *cw, const struct store_proposal *p,
		       struct report_change *rc, struct week *before, struct week *after)
{
	size_t n = p->n_changes;
	struct change *back = xcalloc(n + 1, sizeof *back), *fwd = xcalloc(n + 1, sizeof *fwd);
	int *at_before = xcalloc(n + 1, sizeof *at_before), *at_after = xcalloc(n + 1, sizeof *at_after);
	int status = DV_EXIT_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		const struct change *ch = &p->changes[i].ch;
		back[i] = *ch;
		back[i].to = ch->from;   /* where it was */
		fwd[i] = rc[i].status == RS_REJECTED ? back[i] : *ch;
	}
	if (week_copy_changed(before, &cw->week, back, n, at_before, &app->diag) < 0 ||
	    week_copy_changed(after, &cw->week, fwd, n, at_after, &app->diag) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		rc[i].before_appt = at_before[i];   /* -1: no longer in the feeds */
		rc[i].after_appt = at_after[i];
	}
	status = 0;
out:
	free(back);
	free(fwd);
	free(at_before);
	free(at_after);
	return status;
}

/* The proposal: given, or the person's latest. 0 and *out, or an exit status. */
static int find_proposal(struct app *app, const char *given, const char *person,
			 struct store_proposal **out)
{
	char id[64];
	if (given) {
		snprintf(id, sizeof id, "%s", given);
	} else {
		int f = store_latest_proposal(app->store, person, id, sizeof id, &app->diag);
		if (f < 0)
			return DV_EXIT_STORE;
		if (!f) {
			diag_add(&app->diag, D_NO_PROPOSAL, NULL, 0, 0, " for this person", ", or give --none");
			return DV_EXIT_INPUT;
		}
	}
	int f = store_load_proposal(app->store, id, out, &app->diag);
	if (f < 0)
		return DV_EXIT_STORE;
	if (!f) {
		diag_add(&app->diag, D_UNKNOWN_ID, NULL, 0, 0, "proposal", id);
		return DV_EXIT_INPUT;
	}
	if (strcmp((*out)->person, person) != 0) {
		diag_add(&app->diag, D_OTHER_PERSON, NULL, 0, 0, id);
		return DV_EXIT_INPUT;
	}
	return 0;
}

/* What the command line asks. */
struct report_args {
	const char *given, *from, *to, *html, *profile;
	int none, names, refresh;
};

/* Parse the options into a. Returns 0, -1 for --help (printed), or an exit status. */
static int parse_opts(int argc, char **argv, struct app *app, struct report_args *a)
{
	static const struct option opts[] = {
		{ "proposal", required_argument, NULL, 'p' },
		{ "none", no_argument, NULL, 'n' },
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "html", required_argument, NULL, 'o' },
		{ "names", no_argument, NULL, 'N' },
		{ "refresh", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	memset(a, 0, sizeof *a);
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': a->given = optarg; break;
		case 'n': a->none = 1; break;
		case 'F': a->from = optarg; break;
		case 'T': a->to = optarg; break;
		case 'o': a->html = optarg; break;
		case 'N': a->names = 1; break;
		case 'R': a->refresh = 1; break;
		case 'h': help(stdout); return -1;
		default: help(stderr); return DV_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc)
		return cli_usage(app, "report: give one PROFILE");
	a->profile = argv[optind];
	if (!a->html)
		return cli_usage(app, "report: say where to write it: --html FILE");
	if (a->none && a->given)
		return cli_usage(app, "report: --none and --proposal exclude each other");
	if ((a->from || a->to) && !a->none)
		return cli_usage(app, "report: --from and --to go with --none (a proposal has its own horizon)");
	return 0;
}

/* The changes of p as the report shows them, with their decisions and the
 * practitioners' side, into *out (xcalloc'd, p->n_changes). Returns 0 or
 * an exit status (app->diag filled). */
static int changes_of(struct app *app, const struct person *cw, const struct store_proposal *p,
		      struct report_change **out)
{
	struct report_change *rc = *out = xcalloc(p->n_changes + 1, sizeof *rc);
	for (size_t i = 0; i < p->n_changes; i++) {
		const struct store_change *ch = &p->changes[i];
		struct report_change *x = &rc[i];
		snprintf(x->id, sizeof x->id, "%s-%zu", p->id, i + 1);
		x->prac = profile_prac_index(cw->prof, ch->ch.appt.practitioner);
		x->ch = ch->ch;
		x->duration = (int)((ch->ch.appt.end - ch->ch.appt.start) / 60);
		x->reason = ch->reason;
		x->status = RS_UNDECIDED;
		if (x->prac < 0) {
			diag_add(&app->diag, D_UNKNOWN_ID, NULL, 0, 0, "practitioner in the profile",
				 ch->ch.appt.practitioner);
			return DV_EXIT_INPUT;
		}
	}
	struct status_of so = { p, rc };
	if (store_each_decision(app->store, cw->prof->person_id, status_one, &so, &app->diag) < 0 ||
	    store_each_status(app->store, cw->prof->person_id, side_one, &so, &app->diag) < 0)
		return DV_EXIT_STORE;
	return 0;
}

/* The appointments p could not place that are still in the feeds, as
 * placed in after, into r (un: xcalloc'd, freed by the caller). */
static void unplaced_of(const struct person *cw, const struct store_proposal *p, const struct week *after,
			struct report *r, struct report_unplaced **un)
{
	size_t nu = 0;
	*un = xcalloc(p->n_unplaced_v + 1, sizeof **un);
	for (size_t i = 0; i < p->n_unplaced_v; i++) {
		const struct store_unplaced *x = &p->unplaced_v[i];
		int prac = profile_prac_index(cw->prof, x->appt.practitioner);
		int k = prac < 0 ? -1 : week_find(after, prac, x->appt.uid, x->appt.rid, x->appt.start);
		if (k < 0)
			continue;   /* no longer in the feeds */
		const struct wk_appt *a = &after->appts[k];
		(*un)[nu++] = (struct report_unplaced){ prac, after->days[a->day].date, a->s_min,
							a->e_min - a->s_min, a->venue, x->reason, k };
	}
	r->unplaced = *un;
	r->n_unplaced = nu;
	r->unplaced_count = p->unplaced > (int)p->n_unplaced_v ? p->unplaced - (int)p->n_unplaced_v : 0;
}

/* The line saying what was written. */
static void print_summary(const char *html, const struct store_proposal *p, const struct report_change *rc,
			  const struct person *cw, const struct week *before, const struct week *after)
{
	if (!p) {
		printf("wrote %s: the week as agreed, %zu appointment%s\n", html, cw->week.n_appts,
		       cw->week.n_appts == 1 ? "" : "s");
		return;
	}
	size_t decided = 0;
	for (size_t i = 0; i < p->n_changes; i++)
		decided += rc[i].status != RS_UNDECIDED;
	printf("wrote %s: proposal %s, %zu change%s (%zu decided), %zu appointment%s before, %zu after\n",
	       html, p->id, p->n_changes, p->n_changes == 1 ? "" : "s", decided, before->n_appts,
	       before->n_appts == 1 ? "" : "s", after->n_appts);
}

/* Load the profile and p (unless --none), then open the person over p's
 * horizon (or --from/--to). Returns 0 or an exit status. */
static int open_report(struct app *app, const struct report_args *a, struct store_proposal **p,
		       struct person *cw)
{
	const char *from = a->from, *to = a->to;
	char fd[16], td[16];
	/* the profile first: its person has the proposal, whose horizon is the week's */
	struct profile *pf = NULL;
	if (profile_load(&pf, a->profile, &app->diag) < 0) {
		int status = diag_exit_status(&app->diag);
		return status ? status : DV_EXIT_INPUT;
	}
	if (!a->none) {
		int status = find_proposal(app, a->given, pf->person_id, p);
		if (status) {
			profile_free(pf);
			return status;
		}
		time_fmt_date((*p)->from_date, fd, sizeof fd);
		time_fmt_date((*p)->to_date, td, sizeof td);
		from = fd;
		to = td;
	}
	app->use_stored = !a->refresh;   /* read only, unless asked */
	return cli_week_open_profile(app, pf, from, to, cw);
}

int cmd_report(int argc, char **argv, struct app *app)
{
	struct report_args a;
	int status = parse_opts(argc, argv, app, &a);
	if (status)
		return status < 0 ? DV_EXIT_OK : status;
	struct store_proposal *p = NULL;
	struct person cw;
	memset(&cw, 0, sizeof cw);
	struct week before = { 0 }, after = { 0 };
	struct report_change *rc = NULL;
	struct report_unplaced *un = NULL;
	char *page = NULL;
	status = open_report(app, &a, &p, &cw);
	if (status)
		goto out;
	struct report r = { .before = &cw.week, .now = app->now, .names = a.names };
	if (p) {
		status = changes_of(app, &cw, p, &rc);
		if (!status)
			status = build_views(app, &cw, p, rc, &before, &after);
		if (status)
			goto out;
		r.before = &before;
		r.after = &after;
		r.proposal = p->id;
		r.objective = p->objective;
		r.proven = p->proven;
		r.ladder_step = p->kind == STORE_LADDER;
		r.ladder_max = p->ladder;
		r.changes = rc;
		r.n_changes = p->n_changes;
		unplaced_of(&cw, p, &after, &r, &un);
	}
	page = report_html(&r, &app->diag);
	if (!page) {
		status = DV_EXIT_INTERNAL;
		goto out;
	}
	if (file_write_private(a.html, page, strlen(page), &app->diag) < 0) {
		status = DV_EXIT_CANTCREAT;
		goto out;
	}
	print_summary(a.html, p, rc, &cw, &before, &after);
out:
	if (status == DV_EXIT_INTERNAL && !diag_exit_status(&app->diag))
		diag_add(&app->diag, D_INTERNAL, NULL, 0, 0, "out of memory");
	for (size_t i = 0; rc && p && i < p->n_changes; i++) {
		free((char *)rc[i].who);
		free((char *)rc[i].note);
		free(rc[i].answer);
		free(rc[i].undone_by);
		free(rc[i].refused);
	}
	free(rc);
	free(un);
	free(page);
	week_release(&before);
	week_release(&after);
	cli_week_release(&cw);
	store_proposal_free(p);
	return status;
}
