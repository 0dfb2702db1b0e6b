/* expand.c: `dovetail expand`: a feed's occurrences in a window, in the oracles' normal form. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../cli.h"
#include "dovetail/xalloc.h"

static void help(FILE *fp)
{
	fputs("usage: dovetail expand FILE --from YYYYMMDDTHHMMSSZ --to YYYYMMDDTHHMMSSZ\n"
	      "                       [--tz ZONE] [--freebusy]\n\n"
	      "Print each VEVENT occurrence overlapping [--from, --to) as\n"
	      "START<TAB>END<TAB>UID<TAB>RECURRENCE-ID<TAB>STATUS, sorted, without duplicates\n"
	      "(the normal form of the differential oracles). Floating times stay floating\n"
	      "unless --tz is given (then X-WR-TIMEZONE, if present, or ZONE applies).\n"
	      "--freebusy adds VFREEBUSY busy periods.\n", fp);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The line of occurrence x of event e: start, end, UID, RECURRENCE-ID and
 * STATUS, tab-separated (allocated). UID and STATUS are feed text: escaped
 * (text_put_safe), so that they can neither drive the terminal nor add a
 * column. */
static char *occ_line(const struct ics_occ *x, const struct ics_event *e)
{
	char s[24], en[24], rid[24] = "-";
	ics_fmt_time(x->start, x->kind, s);
	ics_fmt_time(x->end, x->end_kind, en);
	if (x->has_rid)
		ics_fmt_time(x->rid, x->rid_kind, rid);
	const char *st = e->status_text[0] ? e->status_text : "-";
	const char *uid = e->uid_synthesized ? "-" : e->uid;
	char *line = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&line, &len);
	if (!m)
		xalloc_die();   /* a memory stream fails only when out of memory */
	fprintf(m, "%s\t%s\t", s, en);
	cli_put_safe(m, uid);
	fprintf(m, "\t%s\t", rid);
	cli_put_safe(m, st);
	if (fclose(m) != 0 || !line)
		xalloc_die();
	return line;
}

/* Print the occurrences of feed in occ (free-busy ones when fb), one line
 * each, sorted, each distinct line once. */
static void print_occs(const struct ics_feed *feed, const struct ics_occs *occ, int fb)
{
	char **lines = xcalloc(occ->n ? occ->n : 1, sizeof *lines);
	size_t n = 0;
	for (size_t i = 0; i < occ->n; i++) {
		const struct ics_occ *x = &occ->v[i];
		const struct ics_event *e = &feed->ev[x->ev];
		if (e->kind == ICS_VFREEBUSY && !fb)
			continue;
		lines[n++] = occ_line(x, e);
	}
	if (n > 1)
		qsort(lines, n, sizeof *lines, cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (!i || strcmp(lines[i], lines[i - 1]) != 0) {
			fputs(lines[i], stdout);
			fputc('\n', stdout);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

int cmd_expand(int argc, char **argv, struct app *app)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "tz", required_argument, NULL, 'z' },
		{ "freebusy", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	int64_t from = 0, to = 0;
	int have_from = 0, have_to = 0, fb = 0;
	const char *tz = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'F': if (cli_time(app, "--from", optarg, &from) < 0) return DV_EXIT_USAGE; have_from = 1; break;
		case 'T': if (cli_time(app, "--to", optarg, &to) < 0) return DV_EXIT_USAGE; have_to = 1; break;
		case 'z': tz = optarg; break;
		case 'b': fb = 1; break;
		case 'h': help(stdout); return DV_EXIT_OK;
		default: help(stderr); return DV_EXIT_USAGE;
		}
	}
	if (optind != argc - 1)
		return cli_usage(app, "expand: give exactly one FILE (or -)");
	if (!have_from || !have_to)
		return cli_usage(app, "expand: --from and --to are required");
	if (to <= from)
		return cli_usage(app, "expand: --to must be after --from");
	icaltimezone *zone = NULL;
	if (tz && !(zone = cli_zone(app, tz, NULL)))
		return DV_EXIT_USAGE;
	const char *path = argv[optind];
	const char *shown = strcmp(path, "-") == 0 ? "<stdin>" : path;
	struct bytes b;
	if (file_read_all(path, app->lim.max_file_bytes, &b, &app->diag) < 0)
		return diag_exit_status(&app->diag);
	struct ics_feed feed;
	struct ics_occs occ = { 0 };
	int status = DV_EXIT_OK;
	if (ics_read(&feed, shown, &b, &app->lim, &app->diag) == 0) {
		struct ics_expand_opts o = { from, to, zone, &app->lim };
		ics_expand(&feed, &o, &occ, &app->diag);
		print_occs(&feed, &occ, fb);
	}
	ics_occs_release(&occ);
	ics_feed_release(&feed);
	bytes_release(&b);
	return status;
}
