/* export.c: `dovetail export PROFILE`: the agreed plan, written for real calendars. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli.h"
#include "dovetail/export.h"
#include "dovetail/util.h"

static void help(FILE *fp)
{
	fputs("usage: dovetail export PROFILE [--from DATE --to DATE] --calendar FILE.ics [--routines]\n\n"
	      "Write the agreed plan (the week with every accepted change in it,\n"
	      "docs/decisions.md) as an iCalendar file for the family's own calendar:\n"
	      "every appointment at its agreed time and venue, in the person's time zone\n"
	      "with its VTIMEZONE. The file is written whole or not at all, mode 0600: it\n"
	      "holds health details.\n\n"
	      "  --from DATE, --to DATE  the horizon (default: the week that holds --now)\n"
	      "  --calendar FILE         the family's calendar file\n"
	      "  --routines              also the routines (naps, feeds ...), as free time\n"
	      "                          (TRANSP:TRANSPARENT)\n\n"
	      "Exit status: 0 ok, 64 usage, 65 bad profile or feed, 66 unreadable file,\n"
	      "73 cannot write the file, 74 store.\n", fp);
}

int cmd_export(int argc, char **argv, struct app *app)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "calendar", required_argument, NULL, 'c' },
		{ "routines", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *from = NULL, *to = NULL, *calendar = NULL;
	int routines = 0, c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'F': from = optarg; break;
		case 'T': to = optarg; break;
		case 'c': calendar = optarg; break;
		case 'r': routines = 1; break;
		case 'h': help(stdout); return 0;
		default: return cli_usage(app, NULL);
		}
	}
	if (optind + 1 != argc)
		return cli_usage(app, "export: give one PROFILE");
	if (!calendar)
		return cli_usage(app, "export: say where to write: --calendar FILE.ics");
	struct cli_week cw;
	int status = cli_week_open(app, argv[optind], from, to, &cw);
	if (status) {
		cli_week_release(&cw);
		return status;
	}
	char *text = export_family(&cw.week, app->now, routines, &app->diag);
	if (!text)
		status = DV_EXIT_INTERNAL;
	else if (file_write_private(calendar, text, strlen(text), &app->diag) < 0)
		status = DV_EXIT_CANTCREAT;
	else
		printf("wrote %s: %zu appointment%s%s\n", calendar, cw.week.n_appts,
		       cw.week.n_appts == 1 ? "" : "s", routines ? " and the routines" : "");
	free(text);
	cli_week_release(&cw);
	return status;
}
