/* week.c: `dovetail week PROFILE`: the horizon as a grid of days and times, or as JSON. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cli.h"
#include "dovetail/check.h"

#define COL 14   /* width of a day's column */

static void help(FILE *fp)
{
	fputs("usage: dovetail week PROFILE [--from DATE --to DATE] [--step MIN] [--json]\n"
	      "                             [--refresh]\n\n"
	      "Draw the person's days, from the feeds as stored (a feed not stored yet is\n"
	      "imported first; --refresh reads them all again), as columns and\n"
	      "the time as rows: appointments (practitioner and venue), routines where they\n"
	      "fit, and travel between venues. '!' marks a clash or a routine that cannot be\n"
	      "kept. Colour only on a terminal, never when NO_COLOR is set.\n\n"
	      "  --from DATE, --to DATE  the horizon, local dates (default: the week of --now)\n"
	      "  --step MIN              minutes per row (5-120, default 30)\n"
	      "  --json                  print JSON (format dovetail-week/1)\n"
	      "  --refresh               read (or fetch) every feed the profile names again\n"
	      "                          first; without it, a feed already in the store is\n"
	      "                          read as stored (nothing fetched or written)\n", fp);
}

enum cell_kind { C_EMPTY, C_APPT, C_ROUTINE, C_TRAVEL, C_MISSED };

struct cell {
	enum cell_kind kind;
	int clash;
	int prac;
	char text[COL + 1];
};

static const char *const colours[] = { "\033[34m", "\033[32m", "\033[35m", "\033[36m",
	"\033[33m", "\033[94m", "\033[92m", "\033[95m" };

/* Whether [t, t + step) of day di meets a clash of ps: an overlap or a
 * double booking, as check reports them (a joint session is neither). */
static int in_clash(const struct problems *ps, int di, int t, int step)
{
	for (size_t i = 0; i < ps->n; i++) {
		const struct problem *x = &ps->v[i];
		if ((x->kind == PK_OVERLAP || x->kind == PK_DOUBLE_BOOKED) && x->day == di && x->from < t + step &&
		    t < x->to)
			return 1;
	}
	return 0;
}

/* What occupies [t, t + step) on day di (ps: the week's problems). */
static void fill_cell(const struct week *w, const struct problems *ps, int di, int t, int step, struct cell *c)
{
	const struct profile *p = w->p;
	const struct wk_day *d = &w->days[di];
	memset(c, 0, sizeof *c);
	int n_appts = 0;
	for (size_t k = d->first; k < d->first + d->n; k++) {
		const struct wk_appt *a = &w->appts[k];
		if (!(a->s_min < t + step && t < a->e_min))
			continue;
		if (++n_appts > 1)
			continue;
		c->kind = C_APPT;
		c->prac = a->prac;
		if (a->s_min >= t)
			snprintf(c->text, sizeof c->text, "%.13s", p->pracs[a->prac].id);
		else if (a->s_min >= t - step)
			snprintf(c->text, sizeof c->text, "@%.12s", a->venue < 0 ? "?" : p->venues[a->venue].id);
		else
			snprintf(c->text, sizeof c->text, "|");
	}
	if (n_appts) {
		c->clash = in_clash(ps, di, t, step);
		return;
	}
	for (size_t i = 0; i < w->n_legs; i++) {
		const struct wk_leg *l = &w->legs[i];
		if (l->day != di || !(l->dep < t + step && t < l->arr))
			continue;
		c->kind = C_TRAVEL;
		if (l->dep >= t)
			snprintf(c->text, sizeof c->text, "~>%.11s", p->venues[l->to].id);
		else
			snprintf(c->text, sizeof c->text, "~");
		return;
	}
	for (size_t i = 0; i < w->n_routines; i++) {
		const struct wk_routine *r = &w->routines[i];
		if (r->day != di)
			continue;
		const struct prof_routine *rt = &p->routines[r->routine];
		int s = r->start >= 0 ? r->start : rt->starts[r->window].from;
		if (!(s < t + step && t < s + rt->duration))
			continue;
		c->kind = r->start >= 0 ? C_ROUTINE : C_MISSED;
		if (s >= t)
			snprintf(c->text, sizeof c->text, "(%.11s)", rt->id);
		else
			snprintf(c->text, sizeof c->text, ".");
		return;
	}
}

static void print_grid(const struct person *cw, const struct problems *ps, int step, int colour)
{
	const struct week *w = &cw->week;
	const struct profile *p = cw->prof;
	int lo = p->day.from, hi = p->day.to;
	for (size_t i = 0; i < w->n_appts; i++) {
		if (w->appts[i].s_min < lo)
			lo = w->appts[i].s_min;
		if (w->appts[i].e_min > hi)
			hi = w->appts[i].e_min;
	}
	lo = lo / step * step;
	printf("%s  %s\n", p->person_id, p->timezone);
	printf("%-6s", "");
	for (size_t di = 0; di < w->n_days; di++) {
		char l[24];
		time_fmt_day(w->days[di].date, 1, l, sizeof l);
		printf(" %-*s", COL - 1, l);
	}
	putchar('\n');
	for (int t = lo; t < hi; t += step) {
		char tl[8];
		time_fmt_hhmm(t, tl);
		printf("%-6s", tl);
		for (size_t di = 0; di < w->n_days; di++) {
			struct cell c;
			fill_cell(w, ps, (int)di, t, step, &c);
			char text[COL + 2];
			snprintf(text, sizeof text, "%s%s", c.clash || c.kind == C_MISSED ? "!" : " ",
				 c.kind == C_EMPTY ? "" : c.text);
			const char *on = "";
			if (colour) {
				if (c.clash || c.kind == C_MISSED)
					on = "\033[1;31m";
				else if (c.kind == C_APPT)
					on = colours[(size_t)c.prac % (sizeof colours / sizeof *colours)];
				else if (c.kind == C_TRAVEL)
					on = "\033[33m";
				else if (c.kind == C_ROUTINE)
					on = "\033[2m";
			}
			printf("%s", on);
			cli_put_safe(stdout, text);
			printf("%-*s%s", (int)(COL - strlen(text)), "", *on ? "\033[0m" : "");
		}
		putchar('\n');
	}
	printf("%-6s", "");
	for (size_t di = 0; di < w->n_days; di++) {
		/* energy to two decimals, as check and propose give it, where it fits */
		char s[COL + 16];
		snprintf(s, sizeof s, "%dj %dm %.2fe", w->days[di].journeys, w->days[di].travel_min,
			 w->days[di].energy);
		if (strlen(s) > COL - 1)
			snprintf(s, sizeof s, "%dj %dm %.1fe", w->days[di].journeys, w->days[di].travel_min,
				 w->days[di].energy);
		printf(" %-*s", COL - 1, s);
	}
	printf("\nkey: NAME appointment, @venue, ~>venue travel, (routine), ! clash or routine not kept;\n"
	       "     per day: journeys (j), travel minutes (m), energy (e)\n");
}

static void print_json(const struct person *cw)
{
	const struct week *w = &cw->week;
	const struct profile *p = cw->prof;
	printf("{\n  \"format\": \"dovetail-week/1\",\n  \"person\": ");
	cli_put_json(stdout, p->person_id);
	printf(",\n  \"timezone\": ");
	cli_put_json(stdout, p->timezone);
	printf(",\n  \"days\": [");
	for (size_t di = 0; di < w->n_days; di++) {
		const struct wk_day *d = &w->days[di];
		char date[16], s[24], e[24];
		time_fmt_date(d->date, date, sizeof date);
		printf("%s\n    {\"date\": \"%s\", \"journeys\": %d, \"travel_minutes\": %d,"
		       " \"travel_cost\": %.2f, \"time_out_minutes\": %d, \"energy\": %.2f,\n"
		       "     \"appointments\": [", di ? "," : "", date, d->journeys, d->travel_min,
		       d->travel_cost, d->time_out, d->energy);
		for (size_t k = d->first; k < d->first + d->n; k++) {
			const struct wk_appt *a = &w->appts[k];
			time_fmt_local(w->days[(int)di].date, a->s_min, s, sizeof s);
			time_fmt_local(w->days[(int)di].date, a->e_min, e, sizeof e);
			printf("%s\n       {\"practitioner\": ", k > d->first ? "," : "");
			cli_put_json(stdout, p->pracs[a->prac].id);
			printf(", \"venue\": ");
			if (a->venue < 0)
				printf("null");
			else
				cli_put_json(stdout, p->venues[a->venue].id);
			printf(", \"start\": \"%s\", \"end\": \"%s\", \"tentative\": %s, \"movable\": %s,"
			       " \"energy\": %.2f, \"uid\": ", s, e, a->tentative ? "true" : "false",
			       a->movable ? "true" : "false", a->energy);
			cli_put_json(stdout, a->uid);
			printf(", \"recurrence_id\": ");
			cli_put_json(stdout, a->rid);
			printf("}");
		}
		printf("%s],\n     \"routines\": [", d->n ? "\n     " : "");
		int first = 1;
		for (size_t i = 0; i < w->n_routines; i++) {
			const struct wk_routine *r = &w->routines[i];
			if (r->day != (int)di)
				continue;
			const struct prof_routine *rt = &p->routines[r->routine];
			printf("%s\n       {\"routine\": ", first ? "" : ",");
			first = 0;
			cli_put_json(stdout, rt->id);
			printf(", \"kind\": \"%s\", \"kept\": %s", routine_kind_name(rt->kind),
			       r->start >= 0 ? "true" : "false");
			if (r->start >= 0) {
				time_fmt_local(w->days[(int)di].date, r->start, s, sizeof s);
				time_fmt_local(w->days[(int)di].date, r->start + rt->duration, e, sizeof e);
				printf(", \"start\": \"%s\", \"end\": \"%s\", \"late_minutes\": %d}", s, e, r->late);
			} else {
				printf(", \"start\": null, \"end\": null, \"late_minutes\": null}");
			}
		}
		printf("%s],\n     \"travel\": [", first ? "" : "\n     ");
		first = 1;
		for (size_t i = 0; i < w->n_legs; i++) {
			const struct wk_leg *l = &w->legs[i];
			if (l->day != (int)di)
				continue;
			time_fmt_local(w->days[(int)di].date, l->dep, s, sizeof s);
			time_fmt_local(w->days[(int)di].date, l->arr, e, sizeof e);
			printf("%s\n       {\"from\": ", first ? "" : ",");
			first = 0;
			cli_put_json(stdout, p->venues[l->from].id);
			printf(", \"to\": ");
			cli_put_json(stdout, p->venues[l->to].id);
			printf(", \"depart\": \"%s\", \"arrive\": \"%s\"}", s, e);
		}
		printf("%s]}", first ? "" : "\n     ");
	}
	printf("\n  ]\n}\n");
}

int cmd_week(int argc, char **argv, struct app *app)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "step", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "refresh", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *from = NULL, *to = NULL;
	int json = 0, step = 30, refresh = 0, c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'F': from = optarg; break;
		case 'T': to = optarg; break;
		case 's': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 5 || v > 120) {
				diag_add(&app->diag, D_BAD_ARG, NULL, 0, 0, "--step", optarg, "minutes from 5 to 120");
				return DV_EXIT_USAGE;
			}
			step = (int)v;
			break;
		}
		case 'j': json = 1; break;
		case 'R': refresh = 1; break;
		case 'h': help(stdout); return DV_EXIT_OK;
		default: help(stderr); return DV_EXIT_USAGE;
		}
	}
	if (optind != argc - 1)
		return cli_usage(app, "week: give one PROFILE");
	struct person cw;
	app->use_stored = !refresh;   /* read only, unless asked */
	int status = cli_week_open(app, argv[optind], from, to, &cw);
	if (status) {
		cli_week_release(&cw);
		return status;
	}
	cli_flush_diag(app);
	if (json) {
		print_json(&cw);
	} else {
		struct problems ps;
		if (check_week(&cw.week, &ps, &app->diag) < 0) {
			cli_week_release(&cw);
			return DV_EXIT_INTERNAL;
		}
		const char *nc = getenv("NO_COLOR");
		print_grid(&cw, &ps, step, isatty(STDOUT_FILENO) && !(nc && *nc));
		problems_release(&ps);
	}
	cli_week_release(&cw);
	return DV_EXIT_OK;
}
