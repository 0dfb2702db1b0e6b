/* match.c: `dovetail match PROFILE`: per practitioner, what its rule caught this week and what it left as busy time. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../cli.h"

static void help(FILE *fp)
{
	fputs("usage: dovetail match PROFILE [--from DATE --to DATE] [--json]\n\n"
	      "Import the feeds the profile names, then show, for each practitioner (and the\n"
	      "family's own calendar), its match rule and feeds, every event of the horizon\n"
	      "the rule caught (when and where its feed has it: an appointment of the person,\n"
	      "wherever a decision moved it), and every\n"
	      "event or free/busy period it did not catch (when: the practitioner's busy\n"
	      "time with other clients); then each carer's own busy time. Never an event's\n"
	      "text. For writing and checking the profile's match rules (docs/profile.md).\n\n"
	      "  --from DATE, --to DATE  the horizon, local dates, inclusive (default: the\n"
	      "                          Monday-Sunday week that holds --now)\n"
	      "  --json                  print JSON (format dovetail-match/1)\n\n"
	      "Exit status: 0 ok, 64 usage, 65 bad profile or feed, 66 unreadable file,\n"
	      "74 store.\n", fp);
}

/* Where the feed has appointment x (not where decisions in force put it:
 * match shows what the rule caught): its local date and minutes. */
static void feed_at(const struct week *w, const struct wk_appt *x, int64_t *date, int *s_min, int *e_min)
{
	*date = week_local_date(x->feed_start, w->zone);
	int64_t midnight = ics_wall_to_utc(*date * 86400, w->zone);
	*s_min = (int)((x->feed_start - midnight) / 60);
	*e_min = *s_min + (int)((x->feed_end - x->feed_start) / 60);
}

static const char *rule_kind(enum match_kind m)
{
	switch (m) {
	case MATCH_ATTENDEE: return "attendee";
	case MATCH_CATEGORIES: return "categories";
	case MATCH_TEXT: return "text";
	case MATCH_ALL: break;
	}
	return "all";
}

/* Local date and minute of UTC instant t, clipped to the horizon. */
static void local_at(const struct week *w, int64_t t, char *out, size_t sz)
{
	if (t < w->days[0].midnight)
		t = w->days[0].midnight;
	if (t > w->days[w->n_days].midnight)
		t = w->days[w->n_days].midnight;
	int64_t date = week_local_date(t, w->zone);
	int day = (int)(date - w->days[0].date);
	if (day >= (int)w->n_days) {   /* the end of the last day */
		time_fmt_local(w->days[w->n_days - 1].date, 1440, out, sz);
		return;
	}
	time_fmt_local(date, week_minutes(w, day, t), out, sz);
}

/* The busy periods of owner (a practitioner index, or -1 - c for carer c):
 * a count, or each as text lines or JSON objects. */
static size_t periods(const struct week *w, int owner, int json)
{
	size_t n = 0;
	for (size_t i = 0; i < w->n_busy; i++) {
		if (w->busy[i].prac != owner)
			continue;
		char s[24], e[24];
		local_at(w, w->busy[i].start, s, sizeof s);
		local_at(w, w->busy[i].end, e, sizeof e);
		if (json == 1)
			printf("%s{\"start\": \"%s\", \"end\": \"%s\"}", n ? ", " : "", s, e);
		else if (json == 0)
			printf("    %s .. %s\n", s, e);
		n++;
	}
	return n;
}

static void print_text(const struct person *cw)
{
	const struct week *w = &cw->week;
	const struct profile *p = cw->prof;
	char a[24], b[24];
	time_fmt_day(cw->from_date, 1, a, sizeof a);
	time_fmt_day(cw->to_date, 1, b, sizeof b);
	printf("%s  %s .. %s  %s\n", p->person_id, a, b, p->timezone);
	for (size_t k = 0; k < p->n_pracs; k++) {
		const struct prof_practitioner *pr = &p->pracs[k];
		printf("\n%s (", pr->id);
		cli_put_safe(stdout, pr->role);
		printf("): rule %s", rule_kind(pr->match));
		if (pr->match_text) {
			printf(" \"");
			cli_put_safe(stdout, pr->match_text);
			printf("\"");
		}
		printf("; feeds:");
		for (size_t f = 0; f < pr->n_feeds; f++) {
			printf(" ");
			cli_put_safe(stdout, pr->feeds[f].given);
		}
		size_t caught = 0, busy = periods(w, (int)k, -1);
		for (size_t i = 0; i < w->n_appts; i++)
			caught += w->appts[i].prac == (int)k;
		printf("\n  caught %zu event%s (the person's appointments):\n", caught, caught == 1 ? "" : "s");
		for (size_t i = 0; i < w->n_appts; i++) {
			const struct wk_appt *x = &w->appts[i];
			if (x->prac != (int)k)
				continue;
			char day[24], s[8], e[8];
			int64_t date;
			int sm, em;
			feed_at(w, x, &date, &sm, &em);
			time_fmt_day(date, 1, day, sizeof day);
			time_fmt_hhmm(sm, s);
			time_fmt_hhmm(em, e);
			printf("    %s %s-%s  %s\n", day, s, e,
			       x->feed_venue >= 0 ? p->venues[x->feed_venue].id : "(unknown venue)");
		}
		printf("  not caught: %zu busy period%s (other clients, free/busy)%s\n", busy, busy == 1 ? "" : "s",
		       busy ? ":" : "");
		periods(w, (int)k, 0);
	}
	for (size_t k = 0; k < p->n_carers; k++) {
		const struct prof_carer *cr = &p->carers[k];
		printf("\n%s (carer); feeds:", cr->id);
		for (size_t f = 0; f < cr->n_feeds; f++) {
			printf(" ");
			cli_put_safe(stdout, cr->feeds[f].given);
		}
		size_t busy = periods(w, -1 - (int)k, -1);
		printf("\n  busy: %zu period%s of their own%s\n", busy, busy == 1 ? "" : "s", busy ? ":" : "");
		periods(w, -1 - (int)k, 0);
	}
}

static void print_json(const struct person *cw)
{
	const struct week *w = &cw->week;
	const struct profile *p = cw->prof;
	char a[16], b[16];
	time_fmt_date(cw->from_date, a, sizeof a);
	time_fmt_date(cw->to_date, b, sizeof b);
	printf("{\"format\": \"dovetail-match/1\", \"person\": ");
	cli_put_json(stdout, p->person_id);
	printf(", \"from\": \"%s\", \"to\": \"%s\",\n \"practitioners\": [", a, b);
	for (size_t k = 0; k < p->n_pracs; k++) {
		const struct prof_practitioner *pr = &p->pracs[k];
		printf("%s\n  {\"id\": ", k ? "," : "");
		cli_put_json(stdout, pr->id);
		printf(", \"family\": %s, \"rule\": {\"kind\": \"%s\", \"value\": ", pr->family ? "true" : "false",
		       rule_kind(pr->match));
		if (pr->match_text)
			cli_put_json(stdout, pr->match_text);
		else
			printf("null");
		printf("}, \"feeds\": [");
		for (size_t f = 0; f < pr->n_feeds; f++) {
			printf("%s", f ? ", " : "");
			cli_put_json(stdout, pr->feeds[f].given);
		}
		printf("],\n   \"caught\": [");
		int first = 1;
		for (size_t i = 0; i < w->n_appts; i++) {
			const struct wk_appt *x = &w->appts[i];
			if (x->prac != (int)k)
				continue;
			char s[24], e[24];
			int64_t date;
			int sm, em;
			feed_at(w, x, &date, &sm, &em);
			time_fmt_local(date, sm, s, sizeof s);
			time_fmt_local(date, em, e, sizeof e);
			printf("%s{\"start\": \"%s\", \"end\": \"%s\", \"venue\": ", first ? "" : ", ", s, e);
			if (x->feed_venue >= 0)
				cli_put_json(stdout, p->venues[x->feed_venue].id);
			else
				printf("null");
			printf(", \"uid\": ");
			cli_put_json(stdout, x->uid);
			printf(", \"recurrence_id\": ");
			if (*x->rid)
				cli_put_json(stdout, x->rid);
			else
				printf("null");
			printf("}");
			first = 0;
		}
		printf("],\n   \"not_caught\": [");
		periods(w, (int)k, 1);
		printf("]}");
	}
	printf("\n ],\n \"carers\": [");
	for (size_t k = 0; k < p->n_carers; k++) {
		const struct prof_carer *cr = &p->carers[k];
		printf("%s\n  {\"id\": ", k ? "," : "");
		cli_put_json(stdout, cr->id);
		printf(", \"feeds\": [");
		for (size_t f = 0; f < cr->n_feeds; f++) {
			printf("%s", f ? ", " : "");
			cli_put_json(stdout, cr->feeds[f].given);
		}
		printf("], \"busy\": [");
		periods(w, -1 - (int)k, 1);
		printf("]}");
	}
	printf("%s]}\n", p->n_carers ? "\n " : "");
}

int cmd_match(int argc, char **argv, struct app *app)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *from = NULL, *to = NULL;
	int json = 0, c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'F': from = optarg; break;
		case 'T': to = optarg; break;
		case 'j': json = 1; break;
		case 'h': help(stdout); return DV_EXIT_OK;
		default: help(stderr); return DV_EXIT_USAGE;
		}
	}
	if (optind != argc - 1)
		return cli_usage(app, "match: give one PROFILE");
	struct person cw;
	int status = cli_week_open(app, argv[optind], from, to, &cw);
	if (status) {
		cli_week_release(&cw);
		return status;
	}
	cli_flush_diag(app);
	if (json)
		print_json(&cw);
	else
		print_text(&cw);
	cli_week_release(&cw);
	return DV_EXIT_OK;
}
