/* cli.h: what the front end's files share. Only the front end prints or exits. */
#ifndef DOVETAIL_CLI_H
#define DOVETAIL_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "dovetail/diag.h"
#include "dovetail/ics.h"
#include "dovetail/person.h"
#include "dovetail/store.h"

enum cmd_flags { NEEDS_STORE = 1 };

struct app {
	const char *db_path;      /* --db, DOVETAIL_DB, or the XDG default */
	int db_default;           /* db_path is the XDG default */
	char db_buf[4096];
	int64_t now;              /* --now, DOVETAIL_NOW, else the wall clock */
	int now_pinned;
	int verbose;
	struct store *store;      /* opened when the command has NEEDS_STORE */
	struct diag diag;         /* every diagnostic; printed by the front end */
	struct ics_limits lim;
	int use_stored;           /* week, report, export, check without --refresh: PERSON_USE_STORED */
	int partial_ok;           /* batch, merge --partial-ok: exit 0, not DV_EXIT_PARTIAL, when the run completed with some persons partial or skipped */
};

int cmd_import(int argc, char **argv, struct app *app);
int cmd_expand(int argc, char **argv, struct app *app);
int cmd_events(int argc, char **argv, struct app *app);
int cmd_check(int argc, char **argv, struct app *app);
int cmd_week(int argc, char **argv, struct app *app);
int cmd_match(int argc, char **argv, struct app *app);
int cmd_init(int argc, char **argv, struct app *app);
int cmd_propose(int argc, char **argv, struct app *app);
int cmd_accept(int argc, char **argv, struct app *app);
int cmd_reject(int argc, char **argv, struct app *app);
int cmd_history(int argc, char **argv, struct app *app);
int cmd_replies(int argc, char **argv, struct app *app);
int cmd_status(int argc, char **argv, struct app *app);
int cmd_review(int argc, char **argv, struct app *app);
int cmd_export(int argc, char **argv, struct app *app);
int cmd_send(int argc, char **argv, struct app *app);
int cmd_report(int argc, char **argv, struct app *app);
int cmd_batch(int argc, char **argv, struct app *app);
int cmd_merge(int argc, char **argv, struct app *app);
int cmd_help(int argc, char **argv, struct app *app);

/* Print (and clear) app->diag on stderr as "dovetail: FILE:LINE:COL: sev: msg". */
void cli_flush_diag(struct app *app);
/* Report a usage error, msg (never NULL: after getopt's own message, a
 * command prints its help instead), and return DV_EXIT_USAGE. */
int cli_usage(struct app *app, const char *msg);
/* The years a person's dates may name on the command line (--now,
 * DOVETAIL_NOW, and a profile command's --from and --to): outside them,
 * exit 64. (expand and events, which read calendars alone, take any.) */
#define CLI_FIRST_YEAR 1900
#define CLI_LAST_YEAR 2199
/* Parse an instant option; reports D_BAD_ARG and returns -1 when bad. */
int cli_time(struct app *app, const char *opt, const char *arg, int64_t *out);
/* The same, within CLI_FIRST_YEAR .. CLI_LAST_YEAR. */
int cli_time_in_years(struct app *app, const char *opt, const char *arg, int64_t *out);
/* Resolve --tz (or $TZ, or UTC when name is NULL). Returns NULL on error. */
icaltimezone *cli_zone(struct app *app, const char *name, const char **shown);
/* Write s to fp terminal-safe: text_put_safe (dovetail/util.h). Every text
 * from outside (feeds, file names, URLs, notes) is printed through it. */
void cli_put_safe(FILE *fp, const char *s);
/* Write s as a JSON string, quotes included: text_put_json, always valid
 * UTF-8 whatever s holds. */
void cli_put_json(FILE *fp, const char *s);
/* Who records a decision when --by is not given: $DOVETAIL_USER, else
 * $USER; NULL when neither is set (docs/decisions.md). */
const char *cli_default_decider(void);


/* ---- profile commands (check, week) ------------------------------------- */

#include "dovetail/profile.h"
#include "dovetail/week.h"

/*
 * Load the profile and open the person (person_open, dovetail/person.h):
 * [from, to] as given by --from/--to (dates; NULL for the Monday-Sunday
 * week holding app->now in the person's zone). Returns 0, or an exit status
 * with app->diag filled (a feed the profile names that cannot be read is
 * the profile's fault: 65).
 */
int cli_week_open(struct app *app, const char *profile, const char *from, const char *to,
		  struct person *cw);
/* The same with the profile already loaded: cw takes it (cli_week_release
 * frees it, whatever this returns). */
/* cli_week_open, and with whole_changes the week spans the days of every
 * accepted change that touches the horizon (PERSON_WHOLE_CHANGES;
 * export --itip: a move out of the horizon is still sent). */
int cli_week_open_changes(struct app *app, const char *profile, const char *from, const char *to,
			  int whole_changes, struct person *cw);
int cli_week_open_profile(struct app *app, struct profile *prof, const char *from, const char *to,
			  struct person *cw);
void cli_week_release(struct person *cw);

#endif
