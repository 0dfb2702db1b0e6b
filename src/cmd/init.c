/* init.c: `dovetail init --person ID --tz ZONE FEED...`: a first profile drafted from the feeds, on standard output. */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli.h"
#include "dovetail/draft.h"

static void help(FILE *fp)
{
	fputs("usage: dovetail init --person ID --tz ZONE FEED... > profile.yaml\n\n"
	      "Draft a first profile from the person's iCalendar files: one practitioner per\n"
	      "feed with the match rule that catches this person's events there (CATEGORIES\n"
	      "equal to ID, else ID in the text, else the attendee most events carry, else\n"
	      "all), venues from the LOCATIONs with their spellings as aliases, a home, and\n"
	      "the documented defaults; comments list the organizers, attendees, categories\n"
	      "and locations found and mark every guess \"check this\". The draft loads as it\n"
	      "is; `dovetail match` then shows what each rule catches (docs/profile.md).\n\n"
	      "  --person ID   the person's pseudonymous id (letters, digits, '.', '_', '-')\n"
	      "  --tz ZONE     the person's time zone (an IANA name, e.g. Europe/London)\n\n"
	      "Exit status: 0 ok, 64 usage, 65 a feed is invalid or passes a bound, 66 a\n"
	      "feed cannot be read.\n", fp);
}

static int valid_id(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 40)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' && *s != '-')
			return 0;
	return 1;
}

int cmd_init(int argc, char **argv, struct app *app)
{
	static const struct option opts[] = {
		{ "person", required_argument, NULL, 'p' },
		{ "tz", required_argument, NULL, 'z' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *person = NULL, *tz = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': person = optarg; break;
		case 'z': tz = optarg; break;
		case 'h': help(stdout); return DV_EXIT_OK;
		default: help(stderr); return DV_EXIT_USAGE;
		}
	}
	if (!person || !valid_id(person))
		return cli_usage(app, "init: give --person ID (letters, digits, '.', '_', '-'; at most 40)");
	if (!tz || !ics_tz_builtin(tz))
		return cli_usage(app, "init: give --tz ZONE, an IANA time zone name");
	if (optind >= argc)
		return cli_usage(app, "init: give at least one FEED");
	char *text = profile_draft(person, tz, (const char *const *)&argv[optind], (size_t)(argc - optind),
				   &app->lim, &app->diag);
	cli_flush_diag(app);
	if (!text) {
		/* no draft from a feed with an error: the keyworker fixes it first */
		free(text);
		return diag_exit_status(&app->diag) ? diag_exit_status(&app->diag) : DV_EXIT_INPUT;
	}
	fputs(text, stdout);
	free(text);
	return DV_EXIT_OK;
}
