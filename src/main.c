/* main.c: the front end: global options, the command table, exit statuses. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static const struct cmd {
	const char *name;
	int (*fn)(int, char **, struct app *);
	int flags;
	const char *summary;
} commands[] = {
	{ "accept", cmd_accept, NEEDS_STORE, "accept changes of a proposal (they become current)" },
	{ "batch", cmd_batch, NEEDS_STORE, "propose for every person of a caseload, in parallel, resumable" },
	{ "check", cmd_check, NEEDS_STORE, "report every problem of a person's week (a linter)" },
	{ "events", cmd_events, NEEDS_STORE, "list the stored occurrences in a window" },
	{ "expand", cmd_expand, 0, "print the occurrences of an .ics file in a window" },
	{ "export", cmd_export, NEEDS_STORE, "write the agreed plan as an iCalendar file" },
	{ "report", cmd_report, NEEDS_STORE, "draw the week before and after as an HTML page to print" },
	{ "help", cmd_help, 0, "show the manual page of a command (dovetail help propose)" },
	{ "history", cmd_history, NEEDS_STORE, "list every accept and reject decision" },
	{ "import", cmd_import, NEEDS_STORE, "import iCalendar feeds into the store" },
	{ "init", cmd_init, 0, "draft a first profile from a person's feeds" },
	{ "match", cmd_match, NEEDS_STORE, "show what each practitioner's match rule caught this week" },
	{ "merge", cmd_merge, NEEDS_STORE, "join the stores of a sharded batch and finish it" },
	{ "propose", cmd_propose, NEEDS_STORE, "propose the best plans for a person's week, explained" },
	{ "replies", cmd_replies, NEEDS_STORE, "read practitioners' answers (iTIP REPLY, COUNTER) and record them" },
	{ "reject", cmd_reject, NEEDS_STORE, "reject changes of a proposal (not this time; --keep: never move it)" },
	{ "review", cmd_review, NEEDS_STORE, "go through a proposal's changes, deciding each" },
	{ "send", cmd_send, NEEDS_STORE, "mail the agreed changes to the practitioners by SMTP, once each" },
	{ "status", cmd_status, NEEDS_STORE, "each agreed change: decided, sent, answered, and what waits" },
	{ "week", cmd_week, NEEDS_STORE, "draw a person's week as a grid of days and times" },
};

static void usage(FILE *fp)
{
	fputs("usage: dovetail [--db FILE] [--now TIME] [-v] COMMAND [ARGS]\n\n"
	      "commands:\n", fp);
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		fprintf(fp, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fputs("\nRun 'dovetail COMMAND --help' for a command's options.\n"
	      "Environment: DOVETAIL_DB (database), DOVETAIL_NOW (pinned clock), TZ.\n"
	      "Exit status: 0 ok, 1 check found problems, 64 usage, 65 bad input, 66 cannot\n"
	      "read, 69 unavailable, 70 internal, 73 cannot write, 74 store\n(docs/exit-status.md).\n", fp);
}

/* The global options (before the command), into app, *db and *now.
 * Returns -1 to go on, or the exit status (0 after --help, --version). */
static int global_options(int argc, char **argv, struct app *app, const char **db, const char **now)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "now", required_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0, 0, 0, 0 },
	};
	int c;
	/* getopt's own messages start with argv[0]: make them "dovetail: ..." */
	argv[0] = (char *)"dovetail";
	while ((c = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': *db = optarg; break;
		case 'n': *now = optarg; break;
		case 'v': app->verbose = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': puts("dovetail 0.1.0"); return 0;
		default: usage(stderr); return DV_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return DV_EXIT_USAGE;
	}
	return -1;
}

/* The input edge: every argument (names, notes, file names, URLs) is
 * UTF-8, or nothing runs; the bytes are not echoed, only the position.
 * Returns 0, or -1 (reported). */
static int arguments_utf8(int argc, char **argv, struct app *app)
{
	for (int i = 1; i < argc; i++) {
		size_t bad;
		if (!utf8_valid(argv[i], strlen(argv[i]), &bad)) {
			char a[16], b[32];
			snprintf(a, sizeof a, "%d", i);
			snprintf(b, sizeof b, "%zu", bad + 1);
			diag_add(&app->diag, D_ARG_UTF8, NULL, 0, 0, a, b);
			cli_flush_diag(app);
			return -1;
		}
	}
	return 0;
}

/* The command named name, or NULL (reported, with the usage). */
static const struct cmd *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	fputs("dovetail: error: unknown command '", stderr);
	cli_put_safe(stderr, name);
	fputs("'\n", stderr);
	usage(stderr);
	return NULL;
}

/* "Now" and the store's path in app, from --now/DOVETAIL_NOW and
 * --db/DOVETAIL_DB. Returns 0, or -1 (reported) for a bad time. */
static int clock_and_db(struct app *app, const char *now, const char *db)
{
	if (now && *now) {
		if (cli_time_in_years(app, "--now/DOVETAIL_NOW", now, &app->now) < 0) {
			cli_flush_diag(app);
			return -1;
		}
		app->now_pinned = 1;
	} else {
		app->now = (int64_t)time(NULL); /* only when nothing pins the clock */
	}
	if (db && *db) {
		app->db_path = db;
	} else {
		app->db_path = store_default_path(app->db_buf, sizeof app->db_buf);
		app->db_default = 1;
	}
	return 0;
}

/* Open the store for a command that needs it (not for its --help).
 * Returns 0, or the exit status (reported). */
static int open_store(struct app *app, const struct cmd *cmd, int sub_argc, char **sub_argv)
{
	int wants_help = 0;
	for (int i = 1; i < sub_argc; i++)
		if (strcmp(sub_argv[i], "--help") == 0 || strcmp(sub_argv[i], "-h") == 0)
			wants_help = 1;
	if (!(cmd->flags & NEEDS_STORE) || wants_help)
		return 0;
	if (!app->db_path)
		diag_add(&app->diag, D_USAGE, NULL, 0, 0, "no database: give --db, DOVETAIL_DB, or set HOME");
	else
		store_open(&app->store, app->db_path, app->db_default, &app->diag);
	if (app->store)
		return 0;
	cli_flush_diag(app);
	int status = diag_exit_status(&app->diag);
	return status ? status : DV_EXIT_STORE;
}

int main(int argc, char **argv)
{
	static struct app app;
	diag_init(&app.diag);
	ics_limits_default(&app.lim);
	icalerror_set_errors_are_fatal(0);
	icalerror_set_error_state(ICAL_PARSE_ERROR, ICAL_ERROR_NONFATAL);
	icalerror_set_error_state(ICAL_MALFORMEDDATA_ERROR, ICAL_ERROR_NONFATAL);

	const char *db = getenv("DOVETAIL_DB"), *now = getenv("DOVETAIL_NOW");
	int status = global_options(argc, argv, &app, &db, &now);
	if (status >= 0)
		return status;
	if (arguments_utf8(argc, argv, &app) < 0) {
		diag_release(&app.diag);
		return DV_EXIT_USAGE;
	}
	const struct cmd *cmd = find_command(argv[optind]);
	if (!cmd)
		return DV_EXIT_USAGE;
	if (clock_and_db(&app, now, db) < 0)
		return DV_EXIT_USAGE;
	int sub_argc = argc - optind;
	char **sub_argv = argv + optind;
	if ((status = open_store(&app, cmd, sub_argc, sub_argv))) {
		diag_release(&app.diag);
		return status;
	}
	optind = 0; /* glibc: start the command's own getopt afresh */
	char prog[64];
	snprintf(prog, sizeof prog, "dovetail: %s", cmd->name);
	sub_argv[0] = prog;   /* "dovetail: import: unrecognized option ..." */
	status = cmd->fn(sub_argc, sub_argv, &app);
	cli_flush_diag(&app);
	if (status == DV_EXIT_OK)
		status = diag_exit_status(&app.diag);
	/* a scheduler's dependent step (Slurm afterok) needs 0 for a run that
	 * completed; the persons partial or skipped are listed all the same */
	if (status == DV_EXIT_PARTIAL && app.partial_ok)
		status = DV_EXIT_OK;
	store_close(app.store);
	diag_release(&app.diag);
	icaltimezone_free_builtin_timezones();
	return status;
}
