/* events.c: `dovetail events`: what the store holds, as a week view or JSON. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../cli.h"
#include "dovetail/fetch.h"

static void help(FILE *fp)
{
	fputs("usage: dovetail events [--from TIME] [--to TIME] [--tz ZONE] [--json]\n\n"
	      "List stored occurrences overlapping [--from, --to): by default the 7 days\n"
	      "from the start of today (now: --now or DOVETAIL_NOW). Times are shown in\n"
	      "--tz (default $TZ, else UTC); --json gives UTC instants, format version 1.\n", fp);
}

struct view {
	icaltimezone *zone;
	int json;
	size_t n;
	int64_t last_day;
};

static void local(const struct view *v, int64_t t, struct icaltimetype *out)
{
	*out = icaltime_from_timet_with_zone((time_t)t, 0, v->zone);
}

/* Occurrence o as a JSON object (after a comma unless it is the first). */
static void print_json(const struct store_occ *o, const struct view *v)
{
	char s[24], e[24];
	time_fmt_iso(o->start, s);
	time_fmt_iso(o->end, e);
	printf("%s\n    {\"start\": \"%s\", \"end\": \"%s\", \"all_day\": %s, \"busy\": %s,"
	       " \"tentative\": %s, \"kind\": \"%s\", \"uid\": ", v->n ? "," : "", s, e,
	       o->all_day ? "true" : "false", o->busy ? "true" : "false",
	       o->tentative ? "true" : "false", o->kind);
	cli_put_json(stdout, o->uid);
	fputs(", \"recurrence_id\": ", stdout);
	if (o->rid && *o->rid)
		cli_put_json(stdout, o->rid);
	else
		fputs("null", stdout);
	static const char *const keys[] = { "summary", "location", "status", "practitioner", "feed" };
	/* a feed by URL as messages show it: its path and query may
	 * hold a secret token (docs/feeds.md) */
	char feed[4096];
	const char *src = o->source;
	if (src && fetch_is_url(src)) {
		fetch_url_redacted(src, feed, sizeof feed);
		src = feed;
	}
	const char *vals[] = { o->summary, o->location, o->status, o->practitioner, src };
	for (size_t i = 0; i < 5; i++) {
		printf(", \"%s\": ", keys[i]);
		if (vals[i])
			cli_put_json(stdout, vals[i]);
		else
			fputs("null", stdout);
	}
	fputs("}", stdout);
}

/* Occurrence o as a line of text, under a heading for each new day. */
static void print_text(const struct store_occ *o, struct view *v)
{
	struct icaltimetype s, e;
	local(v, o->start, &s);
	local(v, o->end, &e);
	int64_t day = days_from_civil(s.year, (unsigned)s.month, (unsigned)s.day);
	if (!v->n || day != v->last_day) {
		static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
		printf("%s%s %04d-%02d-%02d\n", v->n ? "\n" : "", wd[icaltime_day_of_week(s) - 1],
		       s.year, s.month, s.day);
		v->last_day = day;
	}
	int64_t end_day = days_from_civil(e.year, (unsigned)e.month, (unsigned)e.day);
	if (o->all_day)
		fputs("  all day     ", stdout);
	else if (end_day > day && !(end_day == day + 1 && e.hour == 0 && e.minute == 0))
		/* a block that runs into another day: say until when */
		printf("  %02d:%02d to %04d-%02d-%02d %02d:%02d ", s.hour, s.minute, e.year, e.month, e.day,
		       e.hour, e.minute);
	else
		printf("  %02d:%02d-%02d:%02d ", s.hour, s.minute, end_day > day ? 24 : e.hour, e.minute);
	cli_put_safe(stdout, o->summary ? o->summary : (strcmp(o->kind, "freebusy") == 0 ? "(busy)" : "(no title)"));
	if (o->location && *o->location) {
		fputs("  @ ", stdout);
		cli_put_safe(stdout, o->location);
	}
	if (o->practitioner) {
		fputs("  [", stdout);
		cli_put_safe(stdout, o->practitioner);
		fputs("]", stdout);
	}
	if (o->tentative)
		fputs("  (tentative)", stdout);
	if (!o->busy)
		fputs("  (free)", stdout);
	fputc('\n', stdout);
}

static int print_one(const struct store_occ *o, void *arg)
{
	struct view *v = arg;
	if (v->json)
		print_json(o, v);
	else
		print_text(o, v);
	v->n++;
	return 0;
}

int cmd_events(int argc, char **argv, struct app *app)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "tz", required_argument, NULL, 'z' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *tz = NULL;
	struct view v = { NULL, 0, 0, 0 };
	int64_t from = app->now - ((app->now % 86400) + 86400) % 86400, to = 0;
	int have_to = 0, c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'F': if (cli_time(app, "--from", optarg, &from) < 0) return DV_EXIT_USAGE; break;
		case 'T': if (cli_time(app, "--to", optarg, &to) < 0) return DV_EXIT_USAGE; have_to = 1; break;
		case 'z': tz = optarg; break;
		case 'j': v.json = 1; break;
		case 'h': help(stdout); return DV_EXIT_OK;
		default: help(stderr); return DV_EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_usage(app, "events: unexpected argument");
	if (!have_to)
		to = from + 7 * 86400;
	if (to <= from)
		return cli_usage(app, "events: --to must be after --from");
	const char *zone_name = NULL;
	v.zone = cli_zone(app, tz, &zone_name);
	if (!v.zone)
		return DV_EXIT_USAGE;
	if (v.json) {
		char a[24], b[24];
		time_fmt_iso(from, a);
		time_fmt_iso(to, b);
		printf("{\n  \"version\": 1,\n  \"from\": \"%s\",\n  \"to\": \"%s\",\n  \"occurrences\": [", a, b);
	}
	if (store_each_occurrence(app->store, from, to, print_one, &v, &app->diag) < 0)
		return diag_exit_status(&app->diag);
	if (v.json)
		printf("%s]\n}\n", v.n ? "\n  " : "");
	else if (!v.n)
		puts("no events in this window");
	return DV_EXIT_OK;
}
