/* check.c: `dovetail check PROFILE`: report every problem of the current week, as a linter does. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../cli.h"
#include "dovetail/check.h"

static void help(FILE *fp)
{
	fputs("usage: dovetail check PROFILE [--from DATE --to DATE] [--json] [--refresh]\n\n"
	      "Read the feeds the profile names as stored (a feed not stored yet is imported\n"
	      "first; --refresh reads them all again, unchanged ones costing nothing), report\n"
	      "every problem of the person's appointments: overlaps, double-booked\n"
	      "practitioners, travel that cannot be done, routines that cannot be kept,\n"
	      "limits passed, unknown venues, repeated journeys (docs/check.md).\n\n"
	      "  --from DATE, --to DATE  the horizon, local dates, inclusive (default: the\n"
	      "                          Monday-Sunday week that holds --now)\n"
	      "  --json                  print JSON (format dovetail-check/1)\n"
	      "  --refresh               read (or fetch) every feed the profile names again\n"
	      "                          first; without it, a feed already in the store is\n"
	      "                          read as stored (nothing fetched or written)\n\n"
	      "Exit status: 0 clean, 1 problems found, 64 usage, 65 bad profile or feed,\n"
	      "66 unreadable file, 74 store.\n", fp);
}

static void join_ids(const struct profile *p, const struct problem *x, int venues, char *out, size_t sz)
{
	size_t off = 0;
	size_t n = venues ? x->n_venues : x->n_pracs;
	out[0] = '\0';
	for (size_t i = 0; i < n && off < sz; i++) {
		int k = venues ? x->venues[i] : x->pracs[i];
		const char *id = venues ? (k < 0 ? "?" : p->venues[k].id) : p->pracs[k].id;
		off += (size_t)snprintf(out + off, sz - off, "%s%s", i ? "+" : "", id);
	}
	if (!n)
		snprintf(out, sz, "-");
}

static void when_text(const struct person *cw, const struct problem *x, char *out, size_t sz)
{
	char day[24], a[8], b[8];
	time_fmt_day(cw->week.days[x->day].date, 1, day, sizeof day);
	if (x->week_wide) {
		snprintf(out, sz, "week of %s", day);
	} else if (x->from == 0 && x->to == 1440) {
		snprintf(out, sz, "%s (day)", day);
	} else {
		time_fmt_hhmm(x->from, a);
		time_fmt_hhmm(x->to, b);
		snprintf(out, sz, "%s %s-%s", day, a, b);
	}
}

static void print_text(const struct person *cw, const struct problems *ps)
{
	const struct profile *p = cw->prof;
	char a[24], b[24];
	time_fmt_day(cw->from_date, 1, a, sizeof a);
	time_fmt_day(cw->to_date, 1, b, sizeof b);
	printf("%s  %s .. %s  %s\n", p->person_id, a, b, p->timezone);
	size_t errors = 0;
	for (size_t i = 0; i < ps->n; i++) {
		const struct problem *x = &ps->v[i];
		char when[48], where[160], who[160];
		when_text(cw, x, when, sizeof when);
		join_ids(p, x, 1, where, sizeof where);
		join_ids(p, x, 0, who, sizeof who);
		errors += problem_is_error(x->kind) != 0;
		printf("%-22s  %-7s  %-14s  %-16s  %-16s  ", when,
		       problem_is_error(x->kind) ? "error" : "warning", problem_kind_name(x->kind),
		       where, who);
		cli_put_safe(stdout, x->msg);
		putchar('\n');
	}
	if (ps->n == 0)
		puts("no problems");
	else
		printf("%zu problem%s: %zu error%s, %zu warning%s\n", ps->n, ps->n == 1 ? "" : "s",
		       errors, errors == 1 ? "" : "s", ps->n - errors, ps->n - errors == 1 ? "" : "s");
}

static void print_json(const struct person *cw, const struct problems *ps)
{
	const struct profile *p = cw->prof;
	const struct week *w = &cw->week;
	char a[16], b[16];
	time_fmt_date(cw->from_date, a, sizeof a);
	time_fmt_date(cw->to_date, b, sizeof b);
	printf("{\n  \"format\": \"dovetail-check/1\",\n  \"person\": ");
	cli_put_json(stdout, p->person_id);
	printf(",\n  \"timezone\": ");
	cli_put_json(stdout, p->timezone);
	printf(",\n  \"from\": \"%s\",\n  \"to\": \"%s\",\n  \"problems\": [", a, b);
	size_t errors = 0;
	for (size_t i = 0; i < ps->n; i++) {
		const struct problem *x = &ps->v[i];
		char s[24], e[24], d[16];
		errors += problem_is_error(x->kind) != 0;
		time_fmt_date(w->days[x->day].date, d, sizeof d);
		time_fmt_local(w->days[x->day].date, x->from, s, sizeof s);
		/* a week's problem ends with the last day of its week in the horizon */
		size_t last = (size_t)x->day;
		while (x->week_wide && last + 1 < w->n_days &&
		       time_week(w->days[last + 1].date) == time_week(w->days[x->day].date))
			last++;
		time_fmt_local(w->days[last].date, x->to, e, sizeof e);
		printf("%s\n    {\"kind\": \"%s\", \"severity\": \"%s\", \"date\": \"%s\", \"week\": %s,"
		       " \"start\": \"%s\", \"end\": \"%s\",\n     \"venues\": [", i ? "," : "",
		       problem_kind_name(x->kind), problem_is_error(x->kind) ? "error" : "warning", d,
		       x->week_wide ? "true" : "false", s, e);
		for (size_t k = 0; k < x->n_venues; k++) {
			printf("%s", k ? ", " : "");
			if (x->venues[k] < 0)
				printf("null");
			else
				cli_put_json(stdout, p->venues[x->venues[k]].id);
		}
		printf("], \"practitioners\": [");
		for (size_t k = 0; k < x->n_pracs; k++) {
			printf("%s", k ? ", " : "");
			cli_put_json(stdout, p->pracs[x->pracs[k]].id);
		}
		printf("],\n     \"routine\": ");
		if (x->routine >= 0)
			cli_put_json(stdout, p->routines[x->routine].id);
		else
			printf("null");
		printf(", \"appointments\": [");
		for (size_t k = 0; k < x->n_appts; k++) {
			const struct wk_appt *ap = &w->appts[x->appts[k]];
			char as[24], ae[24];
			time_fmt_local(w->days[ap->day].date, ap->s_min, as, sizeof as);
			time_fmt_local(w->days[ap->day].date, ap->e_min, ae, sizeof ae);
			printf("%s\n       {\"practitioner\": ", k ? "," : "");
			cli_put_json(stdout, p->pracs[ap->prac].id);
			printf(", \"uid\": ");
			cli_put_json(stdout, ap->uid);
			printf(", \"recurrence_id\": ");
			cli_put_json(stdout, ap->rid);
			printf(", \"start\": \"%s\", \"end\": \"%s\"}", as, ae);
		}
		printf("],\n     \"message\": ");
		cli_put_json(stdout, x->msg);
		printf("}");
	}
	printf("%s],\n  \"errors\": %zu,\n  \"warnings\": %zu\n}\n", ps->n ? "\n  " : "", errors,
	       ps->n - errors);
}

int cmd_check(int argc, char **argv, struct app *app)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "refresh", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *from = NULL, *to = NULL;
	int json = 0, refresh = 0, c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'F': from = optarg; break;
		case 'T': to = optarg; break;
		case 'j': json = 1; break;
		case 'R': refresh = 1; break;
		case 'h': help(stdout); return DV_EXIT_OK;
		default: help(stderr); return DV_EXIT_USAGE;
		}
	}
	if (optind != argc - 1)
		return cli_usage(app, "check: give one PROFILE");
	struct person cw;
	app->use_stored = !refresh;   /* read only, unless asked */
	int status = cli_week_open(app, argv[optind], from, to, &cw);
	if (status) {
		cli_week_release(&cw);
		return status;
	}
	struct problems ps;
	if (check_week(&cw.week, &ps, &app->diag) < 0) {
		cli_week_release(&cw);
		return DV_EXIT_INTERNAL;
	}
	cli_flush_diag(app);
	if (json)
		print_json(&cw, &ps);
	else
		print_text(&cw, &ps);
	status = ps.n ? DV_EXIT_PROBLEMS : DV_EXIT_OK;
	problems_release(&ps);
	cli_week_release(&cw);
	return status;
}
