/* cli.c: front-end helpers: diagnostics printing, option values, safe text output. */
#include "cli.h"

#include "dovetail/fetch.h"

#include <stdlib.h>
#include <string.h>

void cli_put_safe(FILE *fp, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		if (*p == '\n')
			fputs("\\n", fp);
		else if (*p == '\t')
			fputs("\\t", fp);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(fp, "\\x%02x", *p);
		else
			fputc(*p, fp);
	}
}

void cli_put_json(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", fp); break;
		case '\\': fputs("\\\\", fp); break;
		case '\n': fputs("\\n", fp); break;
		case '\r': fputs("\\r", fp); break;
		case '\t': fputs("\\t", fp); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(fp, "\\u%04x", *p);
			else
				fputc(*p, fp);
		}
	}
	fputc('"', fp);
}

void cli_flush_diag(struct app *app)
{
	struct diag *d = &app->diag;
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
	diag_add(&app->diag, D_USAGE, NULL, 0, 0, msg);
	return DV_EXIT_USAGE;
}

int cli_time(struct app *app, const char *opt, const char *arg, int64_t *out)
{
	if (time_parse_arg(arg, out) == 0)
		return 0;
	diag_add(&app->diag, D_BAD_ARG, NULL, 0, 0, opt, arg,
		 "use YYYYMMDDTHHMMSSZ, YYYYMMDD or YYYY-MM-DD[THH:MM:SSZ]");
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
	*date = t / 86400;
	return 0;
}

/* Import one feed of the profile; 0 or an exit status. */
static int import_feed(struct app *app, const struct profile *p, const struct prof_practitioner *pr,
		       const struct prof_path *feed, int64_t wfrom, int64_t wto, icaltimezone *zone)
{
	struct diag fd;
	diag_init(&fd);
	struct import_report r;
	memset(&r, 0, sizeof r);
	struct import_opts io;
	memset(&io, 0, sizeof io);
	io.source = feed->source ? feed->source : feed->path;
	io.practitioner = pr->id;
	io.from = wfrom;
	io.to = wto;
	io.zone = zone;
	io.zone_name = p->timezone;
	io.now = app->now;
	io.lim = &app->lim;
	int rc;
	if (fetch_is_url(feed->path)) {
		struct fetch_opts fo;
		int not_modified;
		fetch_opts_default(&fo, app->lim.max_file_bytes);
		rc = import_url(app->store, feed->path, &fo, &app->lim, &io, &r, &not_modified, &fd);
	} else {
		rc = store_import_file(app->store, feed->path, feed->path, &app->lim, &io, &r, &fd);
	}
	int status = diag_exit_status(&fd);
	if (rc < 0 && !status)
		status = DV_EXIT_INTERNAL;
	/* a feed the profile names that cannot be read is the profile's fault */
	if (status == DV_EXIT_IO)
		status = DV_EXIT_INPUT;
	diag_move(&app->diag, &fd);
	diag_release(&fd);
	return status;
}

int cli_week_open(struct app *app, const char *path, const char *from, const char *to,
		  struct cli_week *cw)
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
	return cli_week_open_profile(app, prof, from, to, cw);
}

int cli_week_open_profile(struct app *app, struct profile *prof, const char *from, const char *to,
			  struct cli_week *cw)
{
	memset(cw, 0, sizeof *cw);
	cw->prof = prof;
	int64_t fd = 0, td = 0;
	if ((from && parse_date(app, "--from", from, &fd) < 0) ||
	    (to && parse_date(app, "--to", to, &td) < 0))
		return DV_EXIT_USAGE;
	const struct profile *p = cw->prof;
	icaltimezone *zone = ics_tz_builtin(p->timezone);
	int64_t today = week_local_date(app->now, zone);
	int64_t monday = today - ((today + 3) % 7 + 7) % 7;
	cw->from_date = from ? fd : monday;
	cw->to_date = to ? td : from ? fd + 6 : monday + 6;
	if (cw->to_date < cw->from_date || cw->to_date - cw->from_date > 365) {
		diag_add(&app->diag, D_USAGE, NULL, 0, 0, "--to must be on or after --from, at most 366 days on");
		return DV_EXIT_USAGE;
	}
	/* The import window is anchored to whole weeks, so that every run in
	 * the same week imports with the same window and re-imports nothing. */
	int64_t wfrom = (monday - 35) * 86400, wto = (monday + 371) * 86400;
	if ((cw->from_date - 1) * 86400 < wfrom)
		wfrom = (cw->from_date - 1) * 86400;
	if ((cw->to_date + 2) * 86400 > wto)
		wto = (cw->to_date + 2) * 86400;
	int status = 0;
	for (size_t i = 0; i < p->n_pracs; i++) {
		for (size_t j = 0; j < p->pracs[i].n_feeds; j++) {
			int st = import_feed(app, p, &p->pracs[i], &p->pracs[i].feeds[j], wfrom, wto, zone);
			if (st && !status)
				status = st;
		}
	}
	if (status)
		return status;
	if (week_build(&cw->week, p, app->store, cw->from_date, cw->to_date, &app->diag) < 0) {
		int st = diag_exit_status(&app->diag);
		return st ? st : DV_EXIT_INTERNAL;
	}
	/* the decisions in force: accepted changes moved in, rejected ones locked */
	if (week_apply_decisions(&cw->week, app->store, &app->diag) < 0) {
		week_release(&cw->week);
		int st = diag_exit_status(&app->diag);
		return st ? st : DV_EXIT_INTERNAL;
	}
	for (size_t i = 0; i < p->n_overrides; i++)
		if (!cw->week.override_used[i])
			diag_add(&app->diag, D_PROF_OVERRIDE_UNUSED, p->path, p->overrides[i].line,
				 p->overrides[i].col, p->overrides[i].uid);
	return 0;
}

void cli_week_release(struct cli_week *cw)
{
	week_release(&cw->week);
	profile_free(cw->prof);
	memset(cw, 0, sizeof *cw);
}

const char *cli_default_decider(void)
{
	const char *by = getenv("DOVETAIL_USER");
	if (!by || !*by)
		by = getenv("USER");
	return by && *by ? by : NULL;
}
