/* summary.c: a run's summary (text, CSV, JSON) from the stored choices, figures read as columns. */
#include "dovetail/batch.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/joint.h"
#include "dovetail/util.h"
#include "dovetail/xalloc.h"

struct acc {
	const struct batch *bt;
	FILE *txt, *csv, *json, *exc;
	FILE *over;                        /* the persons outside the cap, a line each */
	size_t n, ok, error;
	struct store_batch_figures b, a;   /* sums; peak energy: the highest of anyone */
	int changes, appts;
	struct diag *d;
	int oom;
};

static void add(struct store_batch_figures *s, const struct store_batch_figures *f)
{
	s->journeys += f->journeys;
	s->travel_min += f->travel_min;
	s->travel_money += f->travel_money;
	s->clashes += f->clashes;
	s->routine_conflicts += f->routine_conflicts;
	if (f->peak_energy > s->peak_energy)
		s->peak_energy = f->peak_energy;
	s->unfamiliar += f->unfamiliar;
}

static void figures_json(FILE *f, const struct store_batch_figures *t);

/* The cap as given, in text: with `decimals` places, or as many more as
 * it takes (0.001, not 0.00; at most 10). */
static const char *cap_text(double cap, int decimals, char buf[40])
{
	while (decimals < 10 && fabs(cap * pow(10, decimals) - nearbyint(cap * pow(10, decimals))) > 1e-6)
		decimals++;
	snprintf(buf, 40, "%.*f", decimals, cap);
	return buf;
}

static const char *const cap_name[] = { [JT_WITHIN_CAP] = "", [JT_OVER_IMPOSSIBLE] = "impossible",
					[JT_OVER_COMPROMISE] = "compromise", [JT_OVER_COST] = "cost" };

static int row(const struct store_batch_person *p, const struct store_batch_column *c,
	       const struct store_batch_column *o, void *arg)
{
	struct acc *r = arg;
	r->n++;
	int ok = strcmp(p->status, "ok") == 0 && c;
	/* a person with a plan has its plan alone (the run stores it first) */
	assert(!ok || o);
	if (ok && !o)
		o = c;
	enum jt_cap cap = ok ? joint_cap_of(c->impossible, c->compromise, c->cost, o->impossible, o->compromise, o->cost,
					    r->bt->cap)
			     : JT_WITHIN_CAP;
	const char *status = ok ? "ok" : "error";
	if (ok) {
		r->ok++;
		add(&r->b, &p->before);
		add(&r->a, &c->after);
		r->changes += c->changes;
		r->appts += c->appointments;
	} else {
		r->error++;
	}
	const struct store_batch_figures *fb = &p->before, *fa = ok ? &c->after : NULL;
	fprintf(r->csv, "%s,%s", p->person, status);
	if (ok)
		fprintf(r->csv, ",%s,%d,%d,%.2f,%.2f,%.2f,%.2f,%d,%d,%d,%d,%.2f,%.2f,%d,%d,%d,%d,%d,%.4f,%.4f,%d,%.4f,%.4f,%s\n",
			c->origin, fb->journeys, fa->journeys, fb->travel_min / 60.0, fa->travel_min / 60.0,
			fb->travel_money, fa->travel_money, fb->clashes, fa->clashes, fb->routine_conflicts,
			fa->routine_conflicts, fb->peak_energy, fa->peak_energy, fb->unfamiliar, fa->unfamiliar,
			c->changes, c->appointments, c->impossible, c->compromise, c->cost, o->impossible, o->compromise,
			o->cost, cap_name[cap]);
	else
		fputs(",,,,,,,,,,,,,,,,,,,,,,,,\n", r->csv);
	if (ok)
		fprintf(r->txt, "%-16s %-8s %-7s %3d -> %-3d %6.2f -> %-6.2f %7.2f -> %-7.2f %2d -> %-2d %2d -> %-2d %5.2f -> %-5.2f %2d -> %-2d %3d\n",
			p->person, status, c->origin, fb->journeys, fa->journeys, fb->travel_min / 60.0,
			fa->travel_min / 60.0, fb->travel_money, fa->travel_money, fb->clashes, fa->clashes,
			fb->routine_conflicts, fa->routine_conflicts, fb->peak_energy, fa->peak_energy, fb->unfamiliar,
			fa->unfamiliar, c->changes);
	else
		fprintf(r->txt, "%-16s %-8s\n", p->person, status);
	fputs(r->n > 1 ? ",\n " : "\n ", r->json);
	if (ok) {
		fputs("{\"person\": ", r->json);
		text_put_json(r->json, p->person);
		fprintf(r->json, ", \"status\": \"ok\", \"plan\": \"%s\", \"impossible\": %d, \"compromise\": %.4f,"
				 " \"objective\": %.4f, \"proven\": %s,\n  \"before\": ", c->origin, c->impossible,
			c->compromise, c->cost, c->proven ? "true" : "false");
		figures_json(r->json, &p->before);
		fputs(",\n  \"after\": ", r->json);
		figures_json(r->json, &c->after);
		fprintf(r->json, ",\n  \"alone\": {\"impossible\": %d, \"compromise\": %.4f, \"objective\": %.4f},"
				 " \"over_cap_by\": ", o->impossible, o->compromise, o->cost);
		if (cap == JT_WITHIN_CAP)
			fputs("null", r->json);
		else
			fprintf(r->json, "\"%s\"", cap_name[cap]);
		fputs(",\n  ", r->json);
		fputs(c->result, r->json);
		fputs("}", r->json);
	} else {
		fputs("{\"person\": ", r->json);
		text_put_json(r->json, p->person);
		fputs(", \"status\": \"error\", \"error\": ", r->json);
		text_put_json(r->json, p->error ? p->error : "?");
		fputs("}", r->json);
	}
	if (cap == JT_OVER_IMPOSSIBLE)
		fprintf(r->over, "  %-16s %d more impossibilities than alone (%d against %d)\n", p->person,
			c->impossible - o->impossible, c->impossible, o->impossible);
	else if (cap == JT_OVER_COMPROMISE)
		fprintf(r->over, "  %-16s %.2f more compromise than alone (%.2f against %.2f)\n", p->person,
			c->compromise - o->compromise, c->compromise, o->compromise);
	else if (cap == JT_OVER_COST)
		fprintf(r->over, "  %-16s costs %.2f more than alone (%.2f against %.2f)\n", p->person, c->cost - o->cost,
			c->cost, o->cost);
	if (!ok) {
		const char *why = p->error ? p->error : "no plan was chosen";
		fprintf(r->exc, "  %s error: ", p->person);
		text_put_safe(r->exc, why);   /* it may name a file as the caseload does */
		fputc('\n', r->exc);
		diag_add(r->d, D_BATCH_PERSON, NULL, 0, 0, p->person, why);
	}
	return 0;
}

static void figures_json(FILE *f, const struct store_batch_figures *t)
{
	fprintf(f, "{\"journeys\": %d, \"travel_hours\": %.2f, \"travel_money\": %.2f, \"clashes\": %d,"
		   " \"routine_conflicts\": %d, \"peak_energy\": %.2f, \"unfamiliar_people\": %d}",
		t->journeys, t->travel_min / 60.0, t->travel_money, t->clashes, t->routine_conflicts,
		t->peak_energy, t->unfamiliar);
}

/* --prove-cap's groups (docs/batch.md): a line each, or JSON. */
static void groups_out(FILE *f, const struct batch *b, const struct batch_joint_stats *st, int json)
{
	for (size_t k = 0; k < st->n_groups; k++) {
		const struct batch_cap_group *g = &st->groups[k];
		char day[32], from[32], to[32];
		time_fmt_date(g->day / 86400, day, sizeof day);   /* a UTC midnight */
		if (g->from <= g->to) {
			time_fmt_iso(g->from, from);
			time_fmt_iso(g->to, to);
		} else {
			snprintf(from, sizeof from, "-");
			snprintf(to, sizeof to, "-");
		}
		if (json) {
			fputs(k ? ",\n    {\"practitioner\": " : "\n    {\"practitioner\": ", f);
			text_put_json(f, g->practitioner);
			fprintf(f, ", \"day\": \"%s\", \"from\": \"%s\", \"to\": \"%s\", \"fit\": %zu, \"persons\": [", day,
				from, to, g->fit);
			for (size_t m = 0; m < g->n; m++) {
				fputs(m ? ", " : "", f);
				text_put_json(f, b->cl->persons[g->person[m]].id);
			}
			fputs("]}", f);
		} else {
			fputs("  ", f);
			text_put_safe(f, g->practitioner);
			fprintf(f, " on %s (%s to %s): only %zu of", day, from, to, g->fit);
			for (size_t m = 0; m < g->n; m++) {
				fputc(' ', f);
				text_put_safe(f, b->cl->persons[g->person[m]].id);
			}
			fputs(" fit\n", f);
		}
	}
}

static void joint_json(FILE *f, const struct batch *b, const struct batch_joint_stats *st)
{
	char cb[40];
	fprintf(f, "{\"cap\": %s, \"components\": %zu, \"masters\": %zu, \"rounds\": %zu, \"priced\": %zu,"
		   " \"repaired\": %zu, \"moved_off_solo\": %zu, \"worse_than_solo\": %zu, \"over_cap\": %zu,"
		   " \"over_cap_by\": {\"impossible\": %zu, \"compromise\": %zu, \"cost\": %zu},"
		   " \"worst_loss\": %.4f, \"worst_compromise\": %.4f,"
		   " \"impossible\": %.0f, \"compromise\": %.4f, \"cost\": %.4f,"
		   " \"bound\": {\"impossible\": %.0f, \"compromise\": %.4f, \"cost\": %.4f}, \"gap\": %.6f,"
		   " \"proven\": %s",
		cap_text(b->cap, 4, cb), st->components, st->mips, st->rounds, st->priced, st->repaired,
		st->moved_off_solo, st->worse, st->over_cap, st->over_cap_impossible, st->over_cap_compromise, st->over_cap_cost, st->worst_loss,
		st->worst_compromise, st->impossible, st->compromise, st->cost, st->lb_impossible,
		st->lb_compromise, st->lb_cost, st->gap, st->optimal && st->gap == 0 ? "true" : "false");
	if (st->proved) {
		/* --prove-cap only: a run without it prints what it did before */
		fprintf(f, ",\n  \"over_cap_at_least\": %zu, \"probes\": %zu, \"cap_groups\": [", st->at_least, st->probes);
		groups_out(f, b, st, 1);
		fputs("]", f);
	}
	fputs("}", f);
}

static void totals_text(FILE *f, const struct batch *b, const struct acc *r, const struct batch_joint_stats *st)
{
	char cb[40];
	fprintf(f, "batch %s: %zu persons: %zu planned, %zu skipped (error)\n", b->run, r->n, r->ok, r->error);
	fprintf(f, "                      before     after\n");
	fprintf(f, "journeys           %9d %9d\n", r->b.journeys, r->a.journeys);
	fprintf(f, "travel hours       %9.2f %9.2f\n", r->b.travel_min / 60.0, r->a.travel_min / 60.0);
	fprintf(f, "travel money       %9.2f %9.2f\n", r->b.travel_money, r->a.travel_money);
	fprintf(f, "clashes            %9d %9d\n", r->b.clashes, r->a.clashes);
	fprintf(f, "routine conflicts  %9d %9d\n", r->b.routine_conflicts, r->a.routine_conflicts);
	fprintf(f, "peak energy (max)  %9.2f %9.2f\n", r->b.peak_energy, r->a.peak_energy);
	fprintf(f, "unfamiliar people  %9d %9d  (the most in a day, summed)\n", r->b.unfamiliar, r->a.unfamiliar);
	fprintf(f, "changes %d, appointments %d (every one kept)\n", r->changes, r->appts);
	fprintf(f, "planned together: %zu moved off their plan solved alone, %zu worse than it (worst by %.2f),"
		   " %zu outside the cap of %s; %zu moved by the repair\n", st->moved_off_solo, st->worse,
		st->worst_loss, st->over_cap, cap_text(b->cap, 2, cb), st->repaired);
	if (st->over_cap)
		fprintf(f, "  outside the cap: %zu with more impossibilities than alone, %zu with more compromise,"
			   " %zu by cost alone; the most compromise one person took on: %.2f\n",
			st->over_cap_impossible, st->over_cap_compromise, st->over_cap_cost, st->worst_compromise);
	if (st->proved)
		fprintf(f, "  outside the cap whatever anyone chooses: at least %zu (%zu group%s of persons a practitioner's"
			   " day cannot see all within their caps; %zu solves)%s\n",
			st->at_least, st->n_groups, st->n_groups == 1 ? "" : "s", st->probes,
			st->over_cap && st->at_least == st->over_cap ? "; no choice has fewer outside it" : "");
	fprintf(f, "caseload tiers: impossible %.0f, compromise %.4f, cost %.4f; bound %.0f, %.4f, %.4f; %s\n",
		st->impossible, st->compromise, st->cost, st->lb_impossible, st->lb_compromise, st->lb_cost,
		st->optimal && st->gap == 0 ? "proven optimal" : "not proven");
	if (!(st->optimal && st->gap == 0))
		fprintf(f, "  gap %.4f%% (against each person's plan solved alone)\n", 100 * st->gap);
}

int batch_summary(struct batch *b, const struct batch_joint_stats *st, struct batch_summary *s, struct diag *d)
{
	memset(s, 0, sizeof *s);
	struct acc r;
	memset(&r, 0, sizeof r);
	r.d = d;
	r.bt = b;
	size_t exc_len = 0, tt_len = 0, over_len = 0;
	char *over = NULL;
	r.over = open_memstream(&over, &over_len);
	r.txt = open_memstream(&s->txt, &s->txt_len);
	r.csv = open_memstream(&s->csv, &s->csv_len);
	r.json = open_memstream(&s->json, &s->json_len);
	r.exc = open_memstream(&s->exceptions, &exc_len);
	FILE *tt = open_memstream(&s->totals_text, &tt_len);
	if (!r.txt || !r.csv || !r.json || !r.exc || !tt || !r.over)
		xalloc_die();   /* a memory stream fails only when out of memory */
	fputs("person,status,plan,journeys_before,journeys_after,travel_hours_before,travel_hours_after,"
	      "travel_money_before,travel_money_after,clashes_before,clashes_after,"
	      "routine_conflicts_before,routine_conflicts_after,peak_energy_before,peak_energy_after,"
	      "unfamiliar_before,unfamiliar_after,changes,appointments,impossible,compromise,cost,"
	      "alone_impossible,alone_compromise,alone_cost,over_cap_by\n", r.csv);
	fprintf(r.txt, "%-16s %-8s %-7s %-10s %-16s %-18s %-8s %-8s %-14s %-8s %s\n", "person", "status", "plan",
		"journeys", "travel hours", "travel money", "clashes", "routine", "peak energy", "unfam.", "changes");
	fprintf(r.json, "{\"format\": \"dovetail-batch/2\", \"run\": \"%s\", \"persons\": [", b->run);
	int rc = store_batch_finals(b->store, b->run, row, &r, d);
	fputs("],\n \"totals\": ", r.json);
	fprintf(r.json, "{\"persons\": %zu, \"planned\": %zu, \"error\": %zu,\n  \"before\": ", r.n, r.ok, r.error);
	figures_json(r.json, &r.b);
	fputs(",\n  \"after\": ", r.json);
	figures_json(r.json, &r.a);
	fprintf(r.json, ",\n  \"changes\": %d, \"appointments\": %d,\n  \"joint\": ", r.changes, r.appts);
	joint_json(r.json, b, st);
	fputs("}}\n", r.json);
	fflush(r.exc);
	fflush(r.over);
	fputs("\n", r.txt);
	totals_text(r.txt, b, &r, st);
	totals_text(tt, b, &r, st);
	char cb[40];
	if (over_len)
		fprintf(r.txt, "\noutside the cap of %s (worse off than alone, by the first tier worse):\n%s",
			cap_text(b->cap, 2, cb), over);
	if (st->n_groups) {
		fprintf(r.txt, "\npersons who cannot all be within the cap, whatever anyone chooses (a practitioner on one"
			       " day; the span their plans within the cap can hold the session in; how many fit):\n");
		groups_out(r.txt, b, st, 0);
	}
	if (exc_len)
		fprintf(r.txt, "\nskipped, with the reasons:\n%s", s->exceptions);
	int bad = 0;
	bad |= fclose(r.txt);
	bad |= fclose(r.csv);
	bad |= fclose(r.json);
	bad |= fclose(r.exc);
	bad |= fclose(tt);
	bad |= fclose(r.over);
	free(over);
	s->persons = r.n;
	s->ok = r.ok;
	s->error = r.error;
	if (bad)
		xalloc_die();   /* closing a memory stream fails only so */
	if (rc < 0)
		batch_summary_release(s);
	return rc;
}

void batch_summary_release(struct batch_summary *s)
{
	free(s->txt);
	free(s->csv);
	free(s->json);
	free(s->totals_text);
	free(s->exceptions);
	memset(s, 0, sizeof *s);
}
