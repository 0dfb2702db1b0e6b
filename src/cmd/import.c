/* import.c: `dovetail import`: read feeds and store them, one transaction each. */
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../cli.h"
#include "dovetail/fetch.h"
#include "dovetail/import.h"
#include "dovetail/person.h"

static void help(FILE *fp)
{
	fputs("usage: dovetail import [--practitioner ID] [--feed NAME] [--keep-going]\n"
	      "                       [--from TIME] [--to TIME] [--tz ZONE] FILE|- ...\n\n"
	      "Import iCalendar feeds (VEVENT, VFREEBUSY). Each feed is one transaction:\n"
	      "a feed with errors writes nothing unless --keep-going, which imports its\n"
	      "valid events, lists each skipped one with its reason, and exits 65.\n"
	      "Occurrences are stored for the window [--from, --to), by default the one\n"
	      "window every command imports with: from 35 days before the Monday of this\n"
	      "week (in --tz) to 371 days after it. Floating times and dates are read in\n"
	      "--tz (default $TZ, else UTC) unless the feed has X-WR-TIMEZONE.\n\n"
	      "A URL (http://, https://, webcal://) is fetched whole first (docs/feeds.md):\n"
	      "TLS verified, bounded in time and size; credentials from a netrc file or\n"
	      "the environment, never in the URL, sent only when the server asks, and\n"
	      "over plain http only with DOVETAIL_FEED_HTTP_CREDENTIALS=1. Fetched\n"
	      "again with the same window, it is a conditional request: an unchanged\n"
	      "feed costs one 304. Messages show a URL's host, not its path or query.\n\n"
	      "Exit status: 0 ok, 64 usage, 65 bad feed, 66 unreadable file, 69 a URL\n"
	      "that cannot be fetched (nothing written), 74 store.\n", fp);
}

/* One feed argument: its name as shown, and its identity in the store. */
struct feed_arg {
	const char *path;         /* as given: a file, "-" or a URL */
	const char *shown;        /* in messages: the file, "<stdin>", or the URL redacted */
	const char *source;       /* the store's name for it */
	int is_url;
	char real[PATH_MAX];
	char url_shown[4096], url_redacted[4096];
};

/* Name the feed given as path: how it is shown and what the store calls
 * it (--feed NAME, "stdin", the URL without credentials, or the file's
 * real path). */
static void name_feed(struct feed_arg *a, const char *path, const char *feed_name)
{
	int is_stdin = strcmp(path, "-") == 0;
	a->path = path;
	a->shown = is_stdin ? "<stdin>" : path;
	a->is_url = fetch_is_url(path);
	if (a->is_url) {
		/* the store keeps the URL (without credentials) to know the
		 * feed; what is printed hides its path and query */
		fetch_url_shown(path, a->url_shown, sizeof a->url_shown);
		fetch_url_redacted(path, a->url_redacted, sizeof a->url_redacted);
		a->shown = a->url_redacted;
	}
	if (feed_name)
		a->source = feed_name;
	else if (is_stdin)
		a->source = "stdin";
	else if (a->is_url)
		a->source = a->url_shown;
	else
		a->source = realpath(path, a->real) ? a->real : path;
}

/* The line saying what became of one feed. */
static void print_result(const char *shown, enum import_status st, int not_modified,
			 const struct import_report *r)
{
	cli_put_safe(stdout, shown);   /* a file name or URL: text from outside */
	if (st == IMPORT_OK && not_modified)
		printf(": unchanged (HTTP 304): nothing fetched, parsed or written\n");
	else if (st == IMPORT_OK && r->same_bytes)
		printf(": unchanged: these bytes are already imported; nothing written"
		       " (%zu event%s, %zu occurrence%s)\n", r->unchanged, r->unchanged == 1 ? "" : "s", r->occurrences,
		       r->occurrences == 1 ? "" : "s");
	else if (st == IMPORT_OK)
		printf(": %zu new, %zu updated, %zu unchanged, %zu cancelled, %zu removed,"
		       " %zu skipped; %zu occurrence%s stored\n", r->added, r->updated,
		       r->unchanged, r->cancelled, r->removed, r->skipped, r->occurrences, r->occurrences == 1 ? "" : "s");
	else
		printf(": %s; nothing written\n", st == IMPORT_NOT_FETCHED ? "not fetched" : "rejected");
	fflush(stdout);
}

/* Import one feed argument (a file, "-" or a URL) with io. */
static enum import_status import_one(struct app *app, const struct feed_arg *a, const struct import_opts *io,
				     int64_t deadline, struct import_report *r, int *not_modified)
{
	*not_modified = 0;
	if (!a->is_url)
		return import_file(app->store, a->path, a->shown, &app->lim, io, r, &app->diag);
	struct fetch_opts fo;
	fetch_opts_default(&fo, app->lim.max_file_bytes);
	fo.deadline_ms = deadline;
	return import_url(app->store, a->path, &fo, &app->lim, io, r, not_modified, &app->diag);
}

/* Parse the options into io and *feed_name. Returns 0, or an exit status. */
static int parse_opts(int argc, char **argv, struct app *app, struct import_opts *io,
		      const char **feed_name)
{
	static const struct option opts[] = {
		{ "practitioner", required_argument, NULL, 'p' },
		{ "feed", required_argument, NULL, 'f' },
		{ "keep-going", no_argument, NULL, 'k' },
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "tz", required_argument, NULL, 'z' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	memset(io, 0, sizeof *io);
	io->lim = &app->lim;
	io->now = app->now;   /* recorded as imported_at */
	io->offer_keep_going = 1;
	const char *tz = NULL;
	int c, has_from = 0, has_to = 0;
	*feed_name = NULL;
	while ((c = getopt_long(argc, argv, "p:kh", opts, NULL)) != -1) {
		switch (c) {
		case 'p': io->practitioner = optarg; break;
		case 'f': *feed_name = optarg; break;
		case 'k': io->keep_going = 1; break;
		case 'F': if (cli_time(app, "--from", optarg, &io->from) < 0) return DV_EXIT_USAGE; has_from = 1; break;
		case 'T': if (cli_time(app, "--to", optarg, &io->to) < 0) return DV_EXIT_USAGE; has_to = 1; break;
		case 'z': tz = optarg; break;
		case 'h': help(stdout); return -1;
		default: help(stderr); return DV_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cli_usage(app, "import: no feed given (a file, or - for standard input)");
	if (*feed_name && argc - optind > 1)
		return cli_usage(app, "import: --feed names one feed; give one file with it");
	if (has_from && has_to && io->to <= io->from)
		return cli_usage(app, "import: --to must be after --from");
	io->zone = cli_zone(app, tz, &io->zone_name);
	if (!io->zone)
		return DV_EXIT_USAGE;
	/* the window every command imports with, unless one is given */
	int64_t wfrom, wto;
	import_window(app->now, io->zone, &wfrom, &wto);
	if (!has_from)
		io->from = wfrom;
	if (!has_to)
		io->to = wto;
	if (io->to <= io->from)
		return cli_usage(app, "import: --to must be after --from");
	return 0;
}

int cmd_import(int argc, char **argv, struct app *app)
{
	struct import_opts io;
	const char *feed_name;
	int status = parse_opts(argc, argv, app, &io, &feed_name);
	if (status)
		return status < 0 ? DV_EXIT_OK : status;
	int failed = 0;
	int64_t deadline = fetch_deadline();   /* one for all the URLs given */
	for (int i = optind; i < argc; i++) {
		struct feed_arg a;
		name_feed(&a, argv[i], feed_name);
		io.source = a.source;
		struct import_report r;
		int not_modified;
		enum import_status st = import_one(app, &a, &io, deadline, &r, &not_modified);
		cli_flush_diag(app);
		print_result(a.shown, st, not_modified, &r);
		failed |= st != IMPORT_OK;
	}
	/* the exit status is the diagnostics' (main); a feed that failed
	 * without saying why is an internal error */
	return failed && !diag_exit_status(&app->diag) ? DV_EXIT_INTERNAL : DV_EXIT_OK;
}
