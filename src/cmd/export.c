/* export.c: `dovetail export PROFILE`: the agreed plan, written for real calendars. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../cli.h"
#include "dovetail/caldav.h"
#include "dovetail/export.h"
#include "dovetail/fetch.h"
#include "dovetail/util.h"

static void help(FILE *fp)
{
	fputs("usage: dovetail export PROFILE [--from DATE --to DATE] [--refresh]\n"
	      "                        [--calendar FILE.ics|caldav+https://HOST/PATH/ [--routines]]\n"
	      "                        [--itip DIR [--counter] [--eml]]\n\n"
	      "Write the agreed plan (the week with every accepted change in it,\n"
	      "docs/decisions.md) for real calendars (docs/export.md). Files are mode\n"
	      "0600 (they hold health details) and written all or none; DIR is\n"
	      "replaced whole (0700), and refused when it is a link, another user's,\n"
	      "writable by others, or holds files dovetail did not write.\n\n"
	      "  --from DATE, --to DATE  the horizon (default: the week that holds --now)\n"
	      "  --calendar FILE         the family's own calendar: every appointment at its\n"
	      "                          agreed time and venue, with the zone's VTIMEZONE\n"
	      "                          (- : on standard output, the lines said on stderr);\n"
	      "                          or caldav+https://HOST/PATH/: one object per event\n"
	      "                          PUT into that CalDAV collection (If-Match /\n"
	      "                          If-None-Match), unchanged ones left alone, the ones\n"
	      "                          the plan no longer holds deleted; never an object\n"
	      "                          dovetail did not write (docs/export.md, \"CalDAV\")\n"
	      "  --routines              also the routines (naps, feeds ...), as free time\n"
	      "                          (TRANSP:TRANSPARENT)\n"
	      "  --itip DIR              for each practitioner, an iTIP METHOD:REQUEST file\n"
	      "                          (DIR/PRAC.ics) with only their changed appointments,\n"
	      "                          from the profile's coordinator; one per changed event\n"
	      "                          (PRAC+2.ics ...), as RFC 5546 allows one UID per file\n"
	      "  --counter               METHOD:COUNTER instead, for events whose feed names\n"
	      "                          an ORGANIZER (the practitioner's side organises them)\n"
	      "  --eml                   also an iMIP mail per file (DIR/PRAC.eml), ready to send\n"
	      "  --refresh               read (or fetch) every feed the profile names again\n"
	      "                          first; without it, a feed already in the store is\n"
	      "                          read as stored (nothing fetched or written)\n\n"
	      "Exit status: 0 ok, 64 usage, 65 bad profile or feed (or nobody to address),\n"
	      "66 unreadable file, 73 cannot write a file (none is written) or DIR is\n"
	      "refused, 74 store; CalDAV: 2 an object changed on the server by someone\n"
	      "else is left as it is (named on stderr; the rest is written), 65 past a\n"
	      "bound (nothing written), 69 a request failed (what was written before is\n"
	      "recorded: run again).\n", fp);
}

/* The calendar file and the --itip folder, each written whole: every file
 * staged first, then the folder renamed into place, then the calendar.
 * A file that cannot be written leaves both as they were. A calendar
 * named inside DIR goes into the folder with the messages. */
static int write_out(const char *calendar, const char *family, const char *itip,
		     const struct itip_set *set, struct diag *d)
{
	struct outdir od;
	struct file_staged cal = { NULL, -1 };
	outdir_init(&od);
	const char *cal_in_dir = calendar && itip && set->n ? file_in_dir(calendar, itip) : NULL;
	int r = 0;
	if (calendar && !cal_in_dir)
		r = file_stage_private(calendar, family, strlen(family), &cal, d);
	if (!r && itip && set->n) {
		r = outdir_begin(&od, itip, d);
		for (size_t i = 0; !r && i < set->n; i++) {
			const struct itip_msg *m = &set->v[i];
			char name[128];
			snprintf(name, sizeof name, "%s.ics", m->name);
			r = outdir_put(&od, name, m->ics, strlen(m->ics), d);
			snprintf(name, sizeof name, "%s.eml", m->name);
			if (!r && m->eml)
				r = outdir_put(&od, name, m->eml, strlen(m->eml), d);
		}
		if (!r && cal_in_dir)
			r = outdir_put(&od, cal_in_dir, family, strlen(family), d);
		r = r ? r : outdir_commit(&od, d);
	}
	if (!r && calendar && !cal_in_dir)
		return file_commit_staged(calendar, &cal, d);
	outdir_discard(&od);
	file_discard_staged(&cal);
	return r;
}

/* The status of a CalDAV write that stopped: that of what stopped it (the
 * last error that is not a conflict), so that 69 "run again" is not hidden
 * behind an earlier conflict's 2. */
static int stop_status(const struct diag *d)
{
	for (size_t i = d->n; i > 0; i--) {
		enum diag_code c = d->v[i - 1].code;
		if (diag_severity(c) == DIAG_ERROR && diag_exit(c) != DV_EXIT_PARTIAL)
			return diag_exit(c);
	}
	return diag_exit_status(d);
}

/* What the command line asks. */
struct export_args {
	const char *from, *to, *calendar, *caldav, *itip, *profile;
	int routines, counter, eml, refresh;
};

/* Parse the options into a (a CalDAV collection given to --calendar goes
 * to a->caldav). Returns 0, -1 for --help (printed), or an exit status. */
static int parse_opts(int argc, char **argv, struct app *app, struct export_args *a)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "calendar", required_argument, NULL, 'c' },
		{ "routines", no_argument, NULL, 'r' },
		{ "itip", required_argument, NULL, 'i' },
		{ "counter", no_argument, NULL, 'C' },
		{ "eml", no_argument, NULL, 'e' },
		{ "refresh", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	memset(a, 0, sizeof *a);
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'F': a->from = optarg; break;
		case 'T': a->to = optarg; break;
		case 'c': a->calendar = optarg; break;
		case 'r': a->routines = 1; break;
		case 'i': a->itip = optarg; break;
		case 'C': a->counter = 1; break;
		case 'e': a->eml = 1; break;
		case 'R': a->refresh = 1; break;
		case 'h': help(stdout); return -1;
		default: help(stderr); return DV_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc)
		return cli_usage(app, "export: give one PROFILE");
	a->profile = argv[optind];
	if (!a->calendar && !a->itip)
		return cli_usage(app, "export: say what to write: --calendar FILE.ics, --itip DIR, or both");
	if (a->routines && !a->calendar)
		return cli_usage(app, "export: --routines goes with --calendar");
	if ((a->counter || a->eml) && !a->itip)
		return cli_usage(app, "export: --counter and --eml go with --itip DIR");
	if (a->calendar && fetch_is_caldav(a->calendar)) {
		if (strpbrk(a->calendar, "?#"))
			return cli_usage(app, "export: a CalDAV collection's URL has no query or fragment");
		a->caldav = a->calendar;
		a->calendar = NULL;
	}
	return 0;
}

/* The plan's objects written into the CalDAV collection a->caldav (shown:
 * its URL as messages show it). Returns 0, DV_EXIT_PARTIAL (conflicts), or
 * an exit status. */
static int write_caldav(struct app *app, const struct export_args *a, const struct person *cw,
			struct cal_objects *objs, struct caldav_write_report *wr, char *shown, size_t sz)
{
	struct caldav_write_opts wo;
	fetch_url_redacted(a->caldav, shown, sz);
	caldav_write_opts_default(&wo, cw->prof->person_id, app->now);
	if (export_family_objects(&cw->week, app->now, a->routines, objs, &app->diag) < 0)
		return diag_exit_status(&app->diag);
	if (caldav_write(app->store, a->caldav, objs, &wo, wr, &app->diag) < 0)
		return stop_status(&app->diag);
	return wr->conflicts ? DV_EXIT_PARTIAL : 0;
}

/* What the CalDAV write did, also when it stopped or met a conflict. */
static void print_caldav(int status, const char *shown, const struct export_args *a,
			 const struct cal_objects *objs, const struct caldav_write_report *wr)
{
	char adopted[64] = "";
	if (wr->adopted)
		snprintf(adopted, sizeof adopted, ", %zu found already written", wr->adopted);
	printf("%s %s: %zu calendar object%s%s: %zu new, %zu replaced, %zu unchanged,"
	       " %zu deleted%s, %zu conflict%s\n",
	       status ? "stopped writing" : "wrote", shown, objs->n, objs->n == 1 ? "" : "s",
	       a->routines ? " (the routines too)" : "", wr->created, wr->replaced, wr->unchanged,
	       wr->deleted, adopted, wr->conflicts, wr->conflicts == 1 ? "" : "s");
}

/* The lines for the iTIP messages written (or none to send), on out. */
static void print_itip(FILE *out, const struct export_args *a, const struct itip_set *set, const struct person *cw)
{
	if (!set->n)
		fprintf(out, "no changed appointments: nothing to send (%s is untouched)\n", a->itip);
	for (size_t i = 0; i < set->n; i++) {
		const struct itip_msg *m = &set->v[i];
		fprintf(out, "wrote %s/%s.ics%s: %s to %s, %zu changed appointment%s\n", a->itip, m->name,
		       m->eml ? " and .eml" : "", m->method == ITIP_COUNTER ? "COUNTER" : "REQUEST",
		       cw->prof->pracs[m->prac].id, m->n_changes, m->n_changes == 1 ? "" : "s");
	}
}

int cmd_export(int argc, char **argv, struct app *app)
{
	struct export_args a;
	int status = parse_opts(argc, argv, app, &a);
	if (status)
		return status < 0 ? DV_EXIT_OK : status;
	struct person cw;
	app->use_stored = !a.refresh;   /* read only, unless asked */
	status = cli_week_open_changes(app, a.profile, a.from, a.to, a.itip != NULL, &cw);
	if (status) {
		cli_week_release(&cw);
		return status;
	}
	struct itip_set set = { 0 };
	char *family = NULL;
	if (a.calendar) {
		family = export_family(&cw.week, app->now, a.routines, &app->diag);
		if (!family)
			status = DV_EXIT_INTERNAL;
	}
	if (!status && a.itip && export_itip(&cw.week, app->now, a.counter, a.eml, &set, &app->diag) < 0)
		status = diag_exit_status(&app->diag);
	/* "-": the calendar is standard output, and the lines go to stderr */
	int to_stdout = a.calendar && strcmp(a.calendar, "-") == 0;
	if (!status && write_out(to_stdout ? NULL : a.calendar, family, a.itip, &set, &app->diag) < 0)
		status = diag_exit_status(&app->diag);
	if (!status && to_stdout && (fputs(family, stdout) == EOF || fflush(stdout) == EOF)) {
		diag_add(&app->diag, D_IO_WRITE, NULL, 0, 0, "standard output", strerror(errno));
		status = diag_exit_status(&app->diag);
	}
	struct cal_objects objs = { 0 };
	struct caldav_write_report wr = { 0 };
	char shown[256] = "";
	int written = 0;
	if (!status && a.caldav) {
		status = write_caldav(app, &a, &cw, &objs, &wr, shown, sizeof shown);
		written = 1;
	}
	if (status == DV_EXIT_INTERNAL && !diag_exit_status(&app->diag))
		diag_add(&app->diag, D_INTERNAL, NULL, 0, 0, "out of memory");
	if (!status && a.calendar && !to_stdout)
		printf("wrote %s: %zu appointment%s%s\n", a.calendar, cw.week.n_appts,
		       cw.week.n_appts == 1 ? "" : "s", a.routines ? " and the routines" : "");
	if (written)
		print_caldav(status, shown, &a, &objs, &wr);
	if (!status && a.itip)
		print_itip(to_stdout ? stderr : stdout, &a, &set, &cw);
	itip_set_release(&set);
	cal_objects_release(&objs);
	free(family);
	cli_week_release(&cw);
	return status;
}
