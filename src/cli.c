/* cli.c: front-end helpers: diagnostics printing, option values, safe text output. */
#include "cli.h"

#include "dovetail/fetch.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

void cli_put_safe(FILE *fp, const char *s)
{
	text_put_safe(fp, s);
}

void cli_put_json(FILE *fp, const char *s)
{
	text_put_json(fp, s);
}

void cli_flush_diag(struct app *app)
{
	struct diag *d = &app->diag;
	/* what went to a buffered stdout first, so that a log taking both
	 * streams (>log 2>&1) has the diagnostics after it, not inside it */
	if (d->n || d->dropped)
		fflush(stdout);
	for (size_t i = 0; i < d->n; i++) {
		const struct diag_item *it = &d->v[i];
		enum diag_severity sev = diag_severity(it->code);
		if (sev == DIAG_NOTE && !app->verbose)
			continue;
		fputs("dovetail: ", stderr);
		if (it->file) {
			cli_put_safe(stderr, it->file);
			if (it->line > 0) {
				fprintf(stderr, ":%d", it->line);
				if (it->col > 0)
					fprintf(stderr, ":%d", it->col);
			}
			fputs(": ", stderr);
		}
		fprintf(stderr, "%s: ", diag_severity_name(sev));
		cli_put_safe(stderr, it->msg ? it->msg : "?");
		fputc('\n', stderr);
	}
	if (d->dropped)
		fprintf(stderr, "dovetail: %zu more diagnostics not shown\n", d->dropped);
	/* keep the counts (they decide the exit status), drop the items */
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	d->n = 0;
	d->dropped = 0;
}

int cli_usage(struct app *app, const char *msg)
{
	assert(msg);   /* the message says what is wrong; after getopt's own, print the help instead */
	diag_add(&app->diag, D_USAGE, NULL, 0, 0, msg);
	return DV_EXIT_USAGE;
}

/* Whether t (UTC seconds) is in the years a command line may name,
 * CLI_FIRST_YEAR to CLI_LAST_YEAR (docs/exit-status.md, 64): far years
 * make libical extend a zone's transitions out to each of them in turn
 * (export's zone check ran for minutes past 2581). */
static int year_ok(int64_t t)
{
	return t >= days_from_civil(CLI_FIRST_YEAR, 1, 1) * 86400 &&
	       t < days_from_civil(CLI_LAST_YEAR + 1, 1, 1) * 86400;
}

int cli_time(struct app *app, const char *opt, const char *arg, int64_t *out)
{
	if (time_parse_arg(arg, out) == 0)
		return 0;
	diag_add(&app->diag, D_BAD_ARG, NULL, 0, 0, opt, arg,
		 "use YYYYMMDDTHHMMSSZ, YYYYMMDD or YYYY-MM-DD[THH:MM:SSZ]");
	return -1;
}

int cli_time_in_years(struct app *app, const char *opt, const char *arg, int64_t *out)
{
	if (cli_time(app, opt, arg, out) < 0)
		return -1;
	if (year_ok(*out))
		return 0;
	diag_add(&app->diag, D_BAD_ARG, NULL, 0, 0, opt, arg,
		 "use a year from " DV_STR(CLI_FIRST_YEAR) " to " DV_STR(CLI_LAST_YEAR));
	return -1;
}

icaltimezone *cli_zone(struct app *app, const char *name, const char **shown)
{
	if (!name) {
		const char *tz = getenv("TZ");
		if (tz && *tz == ':')
			tz++;
		name = tz && *tz ? tz : "UTC";
		icaltimezone *z = ics_tz_builtin(name);
		if (!z)
			name = "UTC";
	}
	icaltimezone *z = ics_tz_builtin(name);
	if (!z) {
		diag_add(&app->diag, D_BAD_ARG, NULL, 0, 0, "--tz", name, "not an IANA or Windows time zone name");
		return NULL;
	}
	if (shown)
		*shown = name;
	return z;
}

/* ---- profile commands ------------------------------------------------------ */

static int parse_date(struct app *app, const char *opt, const char *arg, int64_t *date)
{
	int64_t t;
	if (time_parse_arg(arg, &t) < 0 || t % 86400 != 0) {
		diag_add(&app->diag, D_BAD_ARG, NULL, 0, 0, opt, arg, "use a date, YYYY-MM-DD or YYYYMMDD");
		return -1;
	}
	if (!year_ok(t)) {
		diag_add(&app->diag, D_BAD_ARG, NULL, 0, 0, opt, arg,
			 "use a year from " DV_STR(CLI_FIRST_YEAR) " to " DV_STR(CLI_LAST_YEAR));
		return -1;
	}
	*date = t / 86400;
	return 0;
}

static int open_profile(struct app *app, struct profile *prof, const char *from, const char *to,
			int whole_changes, struct person *cw);

int cli_week_open(struct app *app, const char *path, const char *from, const char *to,
		  struct person *cw)
{
	return cli_week_open_changes(app, path, from, to, 0, cw);
}

int cli_week_open_changes(struct app *app, const char *path, const char *from, const char *to,
			  int whole_changes, struct person *cw)
{
	memset(cw, 0, sizeof *cw);
	int64_t fd = 0, td = 0;
	if ((from && parse_date(app, "--from", from, &fd) < 0) ||
	    (to && parse_date(app, "--to", to, &td) < 0))
		return DV_EXIT_USAGE;
	struct profile *prof;
	if (profile_load(&prof, path, &app->diag) < 0) {
		int st = diag_exit_status(&app->diag);
		return st ? st : DV_EXIT_INPUT;
	}
	return open_profile(app, prof, from, to, whole_changes, cw);
}

int cli_week_open_profile(struct app *app, struct profile *prof, const char *from, const char *to,
			  struct person *cw)
{
	return open_profile(app, prof, from, to, 0, cw);
}

static int open_profile(struct app *app, struct profile *prof, const char *from, const char *to,
			int whole_changes, struct person *cw)
{
	memset(cw, 0, sizeof *cw);
	cw->prof = prof;
	struct person_opts o = { app->now, PERSON_DEFAULT_DATE, PERSON_DEFAULT_DATE, &app->lim,
				 (whole_changes ? PERSON_WHOLE_CHANGES : 0) | (app->use_stored ? PERSON_USE_STORED : 0) };
	if ((from && parse_date(app, "--from", from, &o.from_date) < 0) ||
	    (to && parse_date(app, "--to", to, &o.to_date) < 0))
		return DV_EXIT_USAGE;
	if (person_open(cw, prof, app->store, &o, &app->diag) < 0) {
		int st = diag_exit_status(&app->diag);
		/* a feed the profile names that cannot be read is the profile's fault */
		if (st == DV_EXIT_IO)
			st = DV_EXIT_INPUT;
		return st ? st : DV_EXIT_INTERNAL;
	}
	return 0;
}

void cli_week_release(struct person *cw)
{
	person_release(cw);
}

const char *cli_default_decider(void)
{
	const char *by = getenv("DOVETAIL_USER");
	if (!by || !*by)
		by = getenv("USER");
	return by && *by ? by : NULL;
}
