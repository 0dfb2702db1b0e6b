/* propose.c: `dovetail propose PROFILE`: ranked, explained, proven proposals for the person's week. */
#include <assert.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli.h"
#include "dovetail/solver.h"
#include "dovetail/util.h"
#include "dovetail/xalloc.h"

static void help(FILE *fp)
{
	fputs("usage: dovetail propose PROFILE [--from DATE --to DATE] [-k N] [--max-changes M]\n"
	      "                        [--no-ladder] [--time-limit SEC] [--max-labels N]\n"
	      "                        [-j N] [--write-lp FILE]\n"
	      "                        [--write-compact-lp FILE] [--baseline] [--json]\n\n"
	      "Import the feeds the profile names, then plan the person's horizon: every\n"
	      "appointment in every plan, where it is booked or moved to a candidate; nothing\n"
	      "moves inside its practitioner's notice. Plans are judged by three tiers in\n"
	      "order: impossibilities, the person's rules that give way (compromises, each\n"
	      "with its size), then cost (docs/propose.md). Each proposal lists its\n"
	      "compromises, a reason for every change, and what to ask a practitioner; it is\n"
	      "checked by an invariant checker independent of the solver. The proposals and\n"
	      "the ladder's plans are kept in the store by id (re-running replaces them).\n\n"
	      "  --from DATE, --to DATE  the horizon, local dates, inclusive (default: the\n"
	      "                          Monday-Sunday week that holds --now)\n"
	      "  -k N                    up to N distinct proposals, best first (default 3)\n"
	      "  --max-changes M         change at most M appointments\n"
	      "  --no-ladder             leave out the change ladder (the best plan for at most\n"
	      "                          0, 1, 2 ... changes)\n"
	      "  --time-limit SEC        cap on the whole solve, CPU seconds (default 30); a plan\n"
	      "                          reached under it says it is not proven and gives its gap\n"
	      "  --max-labels N          partial day plans a search keeps before it is cut short\n"
	      "                          (default 300000 to list every day plan, 100000 per\n"
	      "                          pricing search); past it, column generation takes\n"
	      "                          over (for testing it on small weeks)\n"
	      "  -j N                    threads for the day searches (default: the number of\n"
	      "                          processors, at most 8); the plans are the same for any N\n"
	      "  --baseline              also plan the week greedily, one appointment at a time\n"
	      "                          (as by hand), and show its totals for comparison\n"
	      "  --write-lp FILE         write the master MIP (CPLEX LP format)\n"
	      "  --write-compact-lp FILE write the compact MIP of the same instance\n"
	      "                          (CPLEX LP; minimise tier1, tier2, tier3 in turn)\n"
	      "  --json                  print JSON (format dovetail-propose/2)\n\n"
	      "Exit status: 0 a plan (proven or with its gap), 64 usage, 65 bad profile or\n"
	      "feed, 66 unreadable file, 70 internal,\n"
	      "73 cannot write an output file, 74 store.\n", fp);
}

static const char *venue_id(const char *v)
{
	return v ? v : "(unknown)";
}

static void when(const struct place *pl, int dur, char *out, size_t sz)
{
	char day[24], a[8], b[8];
	time_fmt_day(pl->date, 0, day, sizeof day);
	time_fmt_hhmm(pl->start, a);
	time_fmt_hhmm(pl->start + dur, b);
	snprintf(out, sz, "%s %s-%s", day, a, b);
}

static void totals_text(const struct sv_totals *t, int changes)
{
	printf("%d journey%s, %d min travel, cost %.2f, %d clash%s, %d routine conflict%s, "
	       "peak energy %.2f, at most %d unfamiliar a day",
	       t->journeys, t->journeys == 1 ? "" : "s", t->travel_min, t->travel_cost, t->clashes,
	       t->clashes == 1 ? "" : "es", t->routine_conflicts, t->routine_conflicts == 1 ? "" : "s",
	       t->peak_energy, t->unfamiliar_max);
	if (changes >= 0)
		printf(", %d change%s", changes, changes == 1 ? "" : "s");
}

static const char *kind_word(unsigned k)
{
	if (k & CHANGE_JOINT)
		return "joint";
	if ((k & CHANGE_MOVE) && (k & CHANGE_VENUE))
		return "move+venue";
	return k & CHANGE_VENUE ? "venue" : "move";
}

static void status_text(const struct sv_proposal *x)
{
	if (x->proven)
		printf("proven optimal (gap 0)");
	else
		printf("not proven optimal: gap %.4f%s", x->gap, x->capped ? " at the time cap" : "");
}

static void tiers_text(const struct sv_proposal *x)
{
	printf("impossible %d, compromise %.4f, cost %.4f", x->impossible, x->compromise, x->objective);
}

/* Ranked proposal x as text: its tiers, totals, compromises, changes and
 * what to ask. */
static void print_proposal(const struct person *cw, const struct sv_result *r, const struct sv_proposal *x)
{
	const struct profile *p = cw->prof;
	const struct week *w = &cw->week;
	const struct instance *in = &r->in;
	printf("\nproposal %d  %s  ", x->rank, x->id);
	tiers_text(x);
	printf("  ");
	status_text(x);
	printf("\n  after: ");
	totals_text(&x->after, (int)x->n_changes);
	printf("\n");
	if (x->n_comps)
		printf("  compromises (the person's rules that give way):\n");
	for (size_t c = 0; c < x->n_comps; c++) {
		char dd[24];
		time_fmt_day(w->days[x->comps[c].day].date, 1, dd, sizeof dd);
		printf("   - %s%s: ", x->comps[c].week_wide ? "week of " : "", dd);
		cli_put_safe(stdout, x->comps[c].text);
		printf(" [penalty %.2f]\n", x->comps[c].penalty);
	}
	for (size_t c = 0; c < x->n_changes; c++) {
		const struct sv_change *ch = &x->changes[c];
		const struct wk_appt *ap = &w->appts[in->a[ch->appt].appt];
		char f[48], t[48];
		when(&ch->ch.from, in->a[ch->appt].duration, f, sizeof f);
		when(&ch->ch.to, in->a[ch->appt].duration, t, sizeof t);
		printf("  %zu. %-10s %-6s %s %s -> %s %s\n     ", c + 1, kind_word(ch->ch.kind),
		       p->pracs[ap->prac].id, f, venue_id(ch->ch.from.venue), t,
		       venue_id(ch->ch.to.venue));
		cli_put_safe(stdout, ch->reason);
		putchar('\n');
	}
	if (!x->n_changes && !instance_movable(in))
		printf("  no changes: nothing in it can still move (fixed, inside its practitioner's notice, or over)\n");
	else if (!x->n_changes)
		printf("  no changes: the week as booked is the best within the practitioners' patterns\n");
	for (size_t q = 0; q < x->n_asks; q++) {
		printf("  to ask: ");
		cli_put_safe(stdout, x->asks[q].text);
		putchar('\n');
	}
}

static void print_text(const struct person *cw, const struct sv_result *r)
{
	const struct profile *p = cw->prof;
	const struct instance *in = &r->in;
	char a[24], b[24];
	time_fmt_day(cw->from_date, 1, a, sizeof a);
	time_fmt_day(cw->to_date, 1, b, sizeof b);
	printf("%s  %s .. %s  %s\n", p->person_id, a, b, p->timezone);
	printf("%zu appointment%s, %zu day plans\n", in->n, in->n == 1 ? "" : "s", r->columns);
	printf("now:  ");
	totals_text(&r->before, -1);
	printf("\n");
	for (size_t k = 0; k < r->n_props; k++)
		print_proposal(cw, r, &r->props[k]);
	if (r->has_baseline) {
		const struct sv_proposal *x = &r->baseline;
		printf("\ngreedy baseline (one appointment at a time, as by hand): ");
		tiers_text(x);
		printf("\n  ");
		totals_text(&x->after, x->after.changes);
		printf("\n");
	}
	if (r->n_ladder) {
		printf("\nchange ladder (the best plan for at most N changes)%s:\n",
		       r->ladder_cut ? "; the time ran out before every step was solved" : "");
		for (size_t k = 0; k < r->n_ladder; k++) {
			const struct sv_proposal *x = &r->ladder[k];
			printf("  %2d: ", x->rank);
			tiers_text(x);
			if (!x->proven) {   /* a step is the best for its bound on changes only when proven */
				printf("  ");
				status_text(x);
			}
			printf("\n      ");
			totals_text(&x->after, (int)x->n_changes);
			printf("\n");
		}
	}
}

static void json_totals(const struct week *w, const struct sv_totals *t, int changes)
{
	printf("{\"journeys\": %d, \"travel_minutes\": %d, \"travel_money\": %.2f, \"clashes\": %d,"
	       " \"routine_conflicts\": %d, \"peak_energy\": %.4f, \"unfamiliar_per_day\": [",
	       t->journeys, t->travel_min, t->travel_cost, t->clashes, t->routine_conflicts, t->peak_energy);
	for (size_t i = 0; i < w->n_days; i++)
		printf("%s%d", i ? ", " : "", t->unfamiliar[i]);
	printf("], \"changes\": %d, \"appointments\": %d, \"impossible\": %d, \"compromise\": %.4f}", changes,
	       t->placed, t->impossible, t->compromise);
}

static void json_place(const struct place *pl, int dur)
{
	char s[24], e[24];
	time_fmt_local(pl->date, pl->start, s, sizeof s);
	time_fmt_local(pl->date, pl->start + dur, e, sizeof e);
	printf("{\"start\": \"%s\", \"end\": \"%s\", \"venue\": ", s, e);
	if (!pl->venue)
		printf("null");
	else
		cli_put_json(stdout, pl->venue);
	printf("}");
}

static void json_appt(const struct person *cw, const struct sv_result *r, size_t i)
{
	const struct wk_appt *ap = &cw->week.appts[r->in.a[i].appt];
	printf("\"practitioner\": ");
	cli_put_json(stdout, cw->prof->pracs[ap->prac].id);
	printf(", \"uid\": ");
	cli_put_json(stdout, ap->uid);
	printf(", \"recurrence_id\": ");
	cli_put_json(stdout, ap->rid);
}

/* A proposal changes at most the horizon's appointments, and all of them
 * can be decided together (store_decide). */
_Static_assert(SOLVER_MAX_APPTS <= STORE_MAX_CHANGES, "a proposal's changes fit a decision");

/* The changes decided with change c (instance indices): the other parts
 * of its joint session, and the changes it makes room for or that make room
 * for it. Returns how many (at most STORE_MAX_JOINT). */
static size_t decided_with(const struct sv_proposal *x, size_t c, size_t *out)
{
	const struct sv_change *ch = &x->changes[c];
	size_t n = 0;
	for (size_t k = 0; k < sizeof ch->with / sizeof *ch->with && ch->with[k] >= 0 && n < STORE_MAX_JOINT; k++)
		out[n++] = (size_t)ch->with[k];
	for (size_t k = 0; k < x->n_changes && n < STORE_MAX_JOINT; k++) {
		const struct sv_change *o = &x->changes[k];
		int linked = k != c && ((ch->room_for >= 0 && (size_t)ch->room_for == k) ||
					(o->room_for >= 0 && (size_t)o->room_for == c));
		for (size_t q = 0; linked && q < n; q++)
			linked = out[q] != o->appt;
		if (linked)
			out[n++] = o->appt;
	}
	return n;
}

/* Change c of proposal x as a JSON object (after a comma unless it is the
 * first). */
static void json_change(const struct person *cw, const struct sv_result *r, const struct sv_proposal *x,
			size_t c)
{
	const struct sv_change *ch = &x->changes[c];
	int dur = r->in.a[ch->appt].duration;
	printf("%s\n       {\"id\": \"%s-%zu\", \"kind\": [", c ? "," : "", x->id, c + 1);
	const char *sep = "";
	if (ch->ch.kind & CHANGE_MOVE) {
		printf("\"move\"");
		sep = ", ";
	}
	if (ch->ch.kind & CHANGE_VENUE) {
		printf("%s\"venue\"", sep);
		sep = ", ";
	}
	if (ch->ch.kind & CHANGE_JOINT)
		printf("%s\"joint\"", sep);
	printf("], ");
	json_appt(cw, r, ch->appt);
	printf(",\n        \"from\": ");
	json_place(&ch->ch.from, dur);
	printf(", \"to\": ");
	json_place(&ch->ch.to, dur);
	printf(",\n        \"joint_with\": [");
	for (size_t k = 0; ch->with[k] >= 0; k++) {
		printf("%s{", k ? ", " : "");
		json_appt(cw, r, (size_t)ch->with[k]);
		printf("}");
	}
	printf("], \"decided_with\": [");
	size_t dw[STORE_MAX_JOINT], ndw = decided_with(x, c, dw);
	for (size_t k = 0; k < ndw; k++) {
		printf("%s{", k ? ", " : "");
		json_appt(cw, r, dw[k]);
		printf("}");
	}
	printf("], \"makes_room_for\": ");
	if (ch->room_for >= 0)
		printf("\"%s-%d\"", x->id, ch->room_for + 1);
	else
		printf("null");
	printf(", \"reason\": ");
	cli_put_json(stdout, ch->reason);
	printf("}");
}

static void json_proposal(const struct person *cw, const struct sv_result *r,
			  const struct sv_proposal *x, int ladder)
{
	const struct week *w = &cw->week;
	printf("{\"id\": \"%s\", \"%s\": %d, \"impossible\": %d, \"compromise\": %.4f, \"objective\": %.4f,"
	       " \"proven_optimal\": %s, \"gap\": %.6f, \"time_capped\": %s,\n     \"totals\": ", x->id,
	       ladder ? "max_changes" : "rank", x->rank, x->impossible, x->compromise, x->objective,
	       x->proven ? "true" : "false", x->gap, x->capped ? "true" : "false");
	json_totals(w, &x->after, (int)x->n_changes);
	printf(",\n     \"changes\": [");
	for (size_t c = 0; c < x->n_changes; c++)
		json_change(cw, r, x, c);
	printf("%s],\n     \"compromises\": [", x->n_changes ? "\n     " : "");
	for (size_t c = 0; c < x->n_comps; c++) {
		const struct sv_compromise *m = &x->comps[c];
		char dt[16];
		time_fmt_date(w->days[m->day].date, dt, sizeof dt);
		printf("%s\n       {\"kind\": \"%s\", \"date\": \"%s\", \"week\": %s, \"size\": %.4f,"
		       " \"unit\": \"%s\", \"penalty\": %.4f, \"text\": ", c ? "," : "",
		       problem_kind_name(m->kind), dt, m->week_wide ? "true" : "false", m->size, m->unit, m->penalty);
		cli_put_json(stdout, m->text);
		printf("}");
	}
	printf("%s],\n     \"asks\": [", x->n_comps ? "\n     " : "");
	for (size_t q = 0; q < x->n_asks; q++) {
		const struct sv_ask *a = &x->asks[q];
		printf("%s\n       {", q ? "," : "");
		json_appt(cw, r, a->appt);
		printf(", \"at\": ");
		const struct placement *pa = &a->at;
		struct place at = { cw->week.days[pa->day].date, pa->start,
				    pa->venue >= 0 ? cw->prof->venues[pa->venue].id : NULL };
		json_place(&at, r->in.a[a->appt].duration);
		printf(", \"text\": ");
		cli_put_json(stdout, a->text);
		printf("}");
	}
	printf("%s]}", x->n_asks ? "\n     " : "");
}

static void print_json(const struct person *cw, const struct sv_result *r)
{
	const struct profile *p = cw->prof;
	char a[16], b[16];
	time_fmt_date(cw->from_date, a, sizeof a);
	time_fmt_date(cw->to_date, b, sizeof b);
	printf("{\n  \"format\": \"dovetail-propose/2\",\n  \"person\": ");
	cli_put_json(stdout, p->person_id);
	printf(",\n  \"timezone\": ");
	cli_put_json(stdout, p->timezone);
	printf(",\n  \"from\": \"%s\",\n  \"to\": \"%s\",\n  \"appointments\": %zu,\n  \"day_plans\": %zu,\n"
	       "  \"before\": ", a, b, r->in.n, r->columns);
	json_totals(&cw->week, &r->before, 0);
	printf(",\n  \"proposals\": [");
	for (size_t k = 0; k < r->n_props; k++) {
		printf("%s\n    ", k ? "," : "");
		json_proposal(cw, r, &r->props[k], 0);
	}
	printf("%s],\n  \"ladder\": [", r->n_props ? "\n  " : "");
	for (size_t k = 0; k < r->n_ladder; k++) {
		printf("%s\n    ", k ? "," : "");
		json_proposal(cw, r, &r->ladder[k], 1);
	}
	printf("%s],\n  \"ladder_complete\": %s, \"alternatives_complete\": %s", r->n_ladder ? "\n  " : "",
	       r->ladder_cut ? "false" : "true", r->alternatives_cut ? "false" : "true");
	if (r->has_baseline) {
		const struct sv_proposal *x = &r->baseline;
		printf(",\n  \"baseline\": {\"method\": \"greedy\", \"impossible\": %d, \"compromise\": %.4f,"
		       " \"objective\": %.4f,\n    \"after\": ", x->impossible, x->compromise, x->objective);
		json_totals(&cw->week, &x->after, x->after.changes);
		printf("}");
	}
	printf("\n}\n");
}

/* ---- keeping the proposals (store_save_proposals) ------------------------ */

static void totals_of(const struct sv_totals *t, struct store_totals *o)
{
	o->journeys = t->journeys;
	o->travel_min = t->travel_min;
	o->travel_cost = t->travel_cost;
	o->clashes = t->clashes;
	o->routine_conflicts = t->routine_conflicts;
	o->peak_energy = t->peak_energy;
	o->unfamiliar_max = t->unfamiliar_max;
	o->placed = t->placed;
}

static void ref_of(const struct person *cw, const struct instance *in, size_t i,
		   struct appt_ref *o)
{
	const struct wk_appt *ap = &cw->week.appts[in->a[i].appt];
	o->practitioner = cw->prof->pracs[ap->prac].id;
	o->uid = ap->uid;
	o->rid = ap->rid;
	o->start = ap->feed_start;   /* as booked: decisions match on it */
	o->end = ap->feed_end;
}

/* x as a store_proposal whose changes are *cs (allocated; NULL when none);
 * its unplaced appointments are allocated too (o->unplaced_v). */
static void proposal_of(const struct app *app, const struct person *cw, const struct sv_result *r,
		       const struct sv_proposal *x, int ladder, struct store_proposal *o,
		       struct store_change **cs)
{
	memset(o, 0, sizeof *o);
	*cs = x->n_changes ? xcalloc(x->n_changes, sizeof **cs) : NULL;
	o->id = x->id;
	o->person = cw->prof->person_id;
	o->from_date = cw->from_date;
	o->to_date = cw->to_date;
	o->kind = ladder ? STORE_LADDER : STORE_RANKED;
	o->rank = x->rank;
	o->ladder = ladder ? x->rank : -1;
	o->objective = x->objective;
	o->gap = x->gap;
	o->proven = x->proven;
	o->capped = x->capped;
	o->unplaced = (int)x->n_unplaced;
	o->created = app->now;
	totals_of(&r->before, &o->before);
	totals_of(&x->after, &o->after);
	for (size_t c = 0; c < x->n_changes; c++) {
		const struct sv_change *ch = &x->changes[c];
		struct store_change *sc = &(*cs)[c];
		sc->ch = ch->ch;
		/* a change that makes room for another is decided with it, both
		 * ways, like the parts of a joint session */
		size_t dw[STORE_MAX_JOINT], ndw = decided_with(x, c, dw);
		for (size_t k = 0; k < ndw; k++)
			ref_of(cw, &r->in, dw[k], &sc->with[sc->n_with++]);
		sc->reason = ch->reason;
		/* accepted later than this, it would move inside the notice */
		sc->decide_by = week_decide_by(&cw->week, r->in.a[ch->appt].appt, ch->ch.to.date,
					       ch->ch.to.start, app->now);
	}
	o->changes = *cs;
	o->n_changes = x->n_changes;
	struct store_unplaced *us = x->n_unplaced ? xcalloc(x->n_unplaced, sizeof *us) : NULL;
	for (size_t u = 0; u < x->n_unplaced; u++) {
		ref_of(cw, &r->in, x->unplaced[u].appt, &us[u].appt);
		us[u].reason = x->unplaced[u].reason;
	}
	o->unplaced_v = us;
	o->n_unplaced_v = x->n_unplaced;
}

/* Save the ranked proposals and the ladder's steps, as one transaction. A
 * step whose plan is also a ranked proposal (the same id) is that
 * proposal, with the step's bound. Returns 0 or -1 with app->diag filled. */
static int save_proposals(struct app *app, const struct person *cw, const struct sv_result *r)
{
	size_t cap = r->n_props + r->n_ladder, n = 0;
	if (!cap)
		return 0;
	struct store_proposal *v = xcalloc(cap, sizeof *v);
	struct store_change **cs = xcalloc(cap, sizeof *cs);
	for (size_t i = 0; i < cap; i++) {
		int ladder = i >= r->n_props;
		const struct sv_proposal *x = ladder ? &r->ladder[i - r->n_props] : &r->props[i];
		size_t j = 0;
		while (j < n && strcmp(v[j].id, x->id) != 0)
			j++;
		if (j < n) {
			if (ladder && v[j].ladder < 0)
				v[j].ladder = x->rank;
			continue;
		}
		proposal_of(app, cw, r, x, ladder, &v[n], &cs[n]);
		n++;
	}
	assert(n <= cap);
	/* the feeds the week was read from: a decision is refused once one changes */
	char *feeds = NULL;
	int rc = person_feeds_state(cw->prof, app->store, cw->from_date, cw->to_date, &feeds, &app->diag);
	for (size_t i = 0; i < n; i++)
		v[i].feeds = feeds;
	if (rc == 0)
		rc = store_save_proposals(app->store, v, n, &app->diag);
	free(feeds);
	for (size_t i = 0; i < n; i++)
		free(cs[i]);
	for (size_t i = 0; i < cap; i++)
		free((void *)v[i].unplaced_v);
	free(cs);
	free(v);
	return rc;
}

static int number(struct app *app, const char *opt, const char *arg, int lo, int hi, int *out)
{
	char *end;
	long v = strtol(arg, &end, 10);
	if (!*arg || *end || v < lo || v > hi) {
		char range[48];
		snprintf(range, sizeof range, "a whole number from %d to %d", lo, hi);
		diag_add(&app->diag, D_BAD_ARG, NULL, 0, 0, opt, arg, range);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* Read the options into o, *from, *to and *json. Returns -1 to go on, or
 * the exit status (0 after --help). */
static int parse_options(int argc, char **argv, struct app *app, struct sv_options *o, const char **from,
			 const char **to, int *json)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "max-changes", required_argument, NULL, 'm' },
		{ "no-ladder", no_argument, NULL, 'L' },
		{ "baseline", no_argument, NULL, 'B' },
		{ "time-limit", required_argument, NULL, 't' },
		{ "max-labels", required_argument, NULL, 'M' },
		{ "write-lp", required_argument, NULL, 'w' },
		{ "write-compact-lp", required_argument, NULL, 'W' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	int c, tl, ml;
	while ((c = getopt_long(argc, argv, "hj:k:", opts, NULL)) != -1) {
		switch (c) {
		case 'F': *from = optarg; break;
		case 'T': *to = optarg; break;
		case 'k':
			if (number(app, "-k", optarg, 1, 20, &o->k) < 0)
				return DV_EXIT_USAGE;
			break;
		case 'm':
			if (number(app, "--max-changes", optarg, 0, SOLVER_MAX_APPTS, &o->max_changes) < 0)
				return DV_EXIT_USAGE;
			break;
		case 'L': o->ladder = 0; break;
		case 't':
			if (number(app, "--time-limit", optarg, 1, 3600, &tl) < 0)
				return DV_EXIT_USAGE;
			o->time_limit = tl;
			break;
		case 'M':
			if (number(app, "--max-labels", optarg, 1, SV_MAX_LABELS_OPTION, &ml) < 0)
				return DV_EXIT_USAGE;
			o->max_labels = (size_t)ml;
			break;
		case 'w': o->write_lp = optarg; break;
		case 'W': o->write_compact_lp = optarg; break;
		case 'B': o->baseline = 1; break;
		case 'j':
			if (number(app, "-j", optarg, 1, SV_MAX_THREADS, &o->threads) < 0)
				return DV_EXIT_USAGE;
			break;
		case 'J': *json = 1; break;
		case 'h': help(stdout); return DV_EXIT_OK;
		default: help(stderr); return DV_EXIT_USAGE;
		}
	}
	return -1;
}

int cmd_propose(int argc, char **argv, struct app *app)
{
	const char *from = NULL, *to = NULL;
	struct sv_options o = { .k = 3, .max_changes = -1, .ladder = 1, .time_limit = 30,
				.threads = sv_default_threads() };
	int json = 0;
	int status = parse_options(argc, argv, app, &o, &from, &to, &json);
	if (status >= 0)
		return status;
	if (optind != argc - 1)
		return cli_usage(app, "propose: give one PROFILE");
	struct person cw;
	status = cli_week_open(app, argv[optind], from, to, &cw);
	if (status) {
		cli_week_release(&cw);
		return status;
	}
	struct sv_result r;
	o.now = app->now;
	if (solve_propose(&cw.week, &o, &r, &app->diag) < 0) {
		sv_result_release(&r);
		cli_week_release(&cw);
		return diag_exit_status(&app->diag) ? diag_exit_status(&app->diag) : DV_EXIT_INTERNAL;
	}
	/* kept before anything is printed: an id on stdout is an id in the store */
	if (save_proposals(app, &cw, &r) < 0) {
		sv_result_release(&r);
		cli_week_release(&cw);
		return diag_exit_status(&app->diag) ? diag_exit_status(&app->diag) : DV_EXIT_STORE;
	}
	status = DV_EXIT_OK;
	if (r.n_props && !r.props[0].proven) {
		char why[64], gap[32];
		if (r.props[0].capped)
			snprintf(why, sizeof why, "the time cap of %d s", (int)o.time_limit);
		else
			snprintf(why, sizeof why, "the day-plan search was cut short");
		snprintf(gap, sizeof gap, "%.4f", r.props[0].gap);
		diag_add(&app->diag, D_SOLVER_CAP, NULL, 0, 0, why, gap);
	}
	cli_flush_diag(app);
	if (json)
		print_json(&cw, &r);
	else
		print_text(&cw, &r);
	sv_result_release(&r);
	cli_week_release(&cw);
	return status;
}
