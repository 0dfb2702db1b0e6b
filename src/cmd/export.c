/* export.c: `dovetail export PROFILE`: the agreed plan, written for real calendars. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../cli.h"
#include "dovetail/export.h"
#include "dovetail/util.h"

static void help(FILE *fp)
{
	fputs("usage: dovetail export PROFILE [--from DATE --to DATE] [--calendar FILE.ics [--routines]]\n"
	      "                        [--itip DIR [--counter] [--eml]]\n\n"
	      "Write the agreed plan (the week with every accepted change in it,\n"
	      "docs/decisions.md) for real calendars (docs/export.md). Files are mode\n"
	      "0600 (they hold health details) and written all or none.\n\n"
	      "  --from DATE, --to DATE  the horizon (default: the week that holds --now)\n"
	      "  --calendar FILE         the family's own calendar: every appointment at its\n"
	      "                          agreed time and venue, with the zone's VTIMEZONE\n"
	      "  --routines              also the routines (naps, feeds ...), as free time\n"
	      "                          (TRANSP:TRANSPARENT)\n"
	      "  --itip DIR              for each practitioner, an iTIP METHOD:REQUEST file\n"
	      "                          (DIR/PRAC.ics) with only their changed appointments,\n"
	      "                          from the profile's coordinator; one per changed event\n"
	      "                          (PRAC-2.ics ...), as RFC 5546 allows one UID per file\n"
	      "  --counter               METHOD:COUNTER instead, for events whose feed names\n"
	      "                          an ORGANIZER (the practitioner's side organises them)\n"
	      "  --eml                   also an iMIP mail per file (DIR/PRAC.eml), ready to send\n\n"
	      "Exit status: 0 ok, 64 usage, 65 bad profile or feed (or nobody to address),\n"
	      "66 unreadable file, 73 cannot write a file (none is written), 74 store.\n", fp);
}

/* The files to write, all or none. Texts are borrowed. */
struct out_file {
	char *path;
	const char *text;
};

struct out {
	struct out_file *v;
	size_t n, cap;
};

static int add(struct out *o, const char *path, const char *text)
{
	char *p = strdup(path);
	struct out_file *f = p ? BUF_PUSH(o->v, o->n, o->cap) : NULL;
	if (!f) {
		free(p);
		return -1;
	}
	f->path = p;
	f->text = text;
	return 0;
}

static int add_in(struct out *o, const char *dir, const char *name, const char *ext, const char *text)
{
	size_t sz = strlen(dir) + strlen(name) + strlen(ext) + 2;
	char *p = malloc(sz);
	if (!p)
		return -1;
	snprintf(p, sz, "%s/%s%s", dir, name, ext);
	int r = add(o, p, text);
	free(p);
	return r;
}

static void out_release(struct out *o)
{
	for (size_t i = 0; i < o->n; i++)
		free(o->v[i].path);
	free(o->v);
}

/* DIR, made if missing (mode 0700: what goes in it is private). */
static int make_dir(const char *dir, struct diag *d)
{
	if (mkdir(dir, 0700) == 0 || errno == EEXIST)
		return 0;
	diag_add(d, D_IO_WRITE, dir, 0, 0, dir, strerror(errno));
	return -1;
}

/* Every file staged first, then renamed into place: a file that cannot be
 * written leaves all of them as they were. */
static int write_all(struct out *o, struct diag *d)
{
	char **staged = calloc(o->n + 1, sizeof *staged);
	if (!staged) {
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
		return -1;
	}
	int r = 0;
	size_t i;
	for (i = 0; i < o->n && r == 0; i++)
		r = file_stage_private(o->v[i].path, o->v[i].text, strlen(o->v[i].text), &staged[i], d);
	for (i = 0; i < o->n; i++) {
		if (r < 0)
			file_discard_staged(staged[i]);
		else if (file_commit_staged(o->v[i].path, staged[i], d) < 0)
			r = -1;
	}
	free(staged);
	return r;
}

int cmd_export(int argc, char **argv, struct app *app)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "calendar", required_argument, NULL, 'c' },
		{ "routines", no_argument, NULL, 'r' },
		{ "itip", required_argument, NULL, 'i' },
		{ "counter", no_argument, NULL, 'C' },
		{ "eml", no_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *from = NULL, *to = NULL, *calendar = NULL, *itip = NULL;
	int routines = 0, counter = 0, eml = 0, c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'F': from = optarg; break;
		case 'T': to = optarg; break;
		case 'c': calendar = optarg; break;
		case 'r': routines = 1; break;
		case 'i': itip = optarg; break;
		case 'C': counter = 1; break;
		case 'e': eml = 1; break;
		case 'h': help(stdout); return 0;
		default: return cli_usage(app, NULL);
		}
	}
	if (optind + 1 != argc)
		return cli_usage(app, "export: give one PROFILE");
	if (!calendar && !itip)
		return cli_usage(app, "export: say what to write: --calendar FILE.ics, --itip DIR, or both");
	if (routines && !calendar)
		return cli_usage(app, "export: --routines goes with --calendar");
	if ((counter || eml) && !itip)
		return cli_usage(app, "export: --counter and --eml go with --itip DIR");
	struct person cw;
	int status = cli_week_open(app, argv[optind], from, to, &cw);
	if (status) {
		cli_week_release(&cw);
		return status;
	}
	struct out files = { 0 };
	struct itip_set set = { 0 };
	char *family = NULL;
	if (calendar) {
		family = export_family(&cw.week, app->now, routines, &app->diag);
		if (!family || add(&files, calendar, family) < 0)
			status = DV_EXIT_INTERNAL;
	}
	if (!status && itip) {
		if (export_itip(&cw.week, app->now, counter, eml, &set, &app->diag) < 0)
			status = diag_exit_status(&app->diag);
		for (size_t i = 0; !status && i < set.n; i++) {
			const struct itip_msg *m = &set.v[i];
			if (add_in(&files, itip, m->name, ".ics", m->ics) < 0 ||
			    (m->eml && add_in(&files, itip, m->name, ".eml", m->eml) < 0))
				status = DV_EXIT_INTERNAL;
		}
		if (!status && set.n && make_dir(itip, &app->diag) < 0)
			status = DV_EXIT_CANTCREAT;
	}
	if (!status && write_all(&files, &app->diag) < 0)
		status = DV_EXIT_CANTCREAT;
	if (status == DV_EXIT_INTERNAL && !diag_exit_status(&app->diag))
		diag_add(&app->diag, D_INTERNAL, NULL, 0, 0, "out of memory");
	if (!status && calendar)
		printf("wrote %s: %zu appointment%s%s\n", calendar, cw.week.n_appts,
		       cw.week.n_appts == 1 ? "" : "s", routines ? " and the routines" : "");
	if (!status && itip && !set.n)
		printf("no changed appointments: nothing to send (%s is untouched)\n", itip);
	for (size_t i = 0; !status && i < set.n; i++) {
		const struct itip_msg *m = &set.v[i];
		printf("wrote %s/%s.ics%s: %s to %s, %zu changed appointment%s\n", itip, m->name,
		       m->eml ? " and .eml" : "", m->method == ITIP_COUNTER ? "COUNTER" : "REQUEST",
		       cw.prof->pracs[m->prac].id, m->n_changes, m->n_changes == 1 ? "" : "s");
	}
	out_release(&files);
	itip_set_release(&set);
	free(family);
	cli_week_release(&cw);
	return status;
}
