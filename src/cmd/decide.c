/* decide.c: `dovetail accept` and `dovetail reject`: the person's decision on proposed changes, recorded for good. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli.h"

#define MAX_CHANGES 64

static void help(FILE *fp, const char *verb)
{
	fprintf(fp,
		"usage: dovetail %s PROPOSAL [CHANGE...]%s [--by NAME] [--note TEXT]\n\n"
		"Record that the person (or their keyworker) %ss changes of a proposal that\n"
		"`dovetail propose` printed: CHANGE is a number (1, 2 ...) or a change id\n"
		"(PROPOSAL-N); with none, every change of the proposal. The other part of a\n"
		"joint session is decided with it. Decisions are kept for good (`dovetail\n"
		"history`; docs/decisions.md). An accepted change becomes the appointment's\n"
		"current placement. A rejected one means \"not this time\": that placement is\n"
		"never proposed again, and the appointment may still move elsewhere; with\n"
		"--keep, \"don't move it\": it stays where it is booked. Every later check,\n"
		"week and propose reads the week that way. A change already decided the same\n"
		"way is not recorded again. A decision on one proposal leaves the person's\n"
		"other proposals decidable, except changes that conflict with it (named).\n\n"
		"%s"
		"  --by NAME     who decided (default: $DOVETAIL_USER, else $USER)\n"
		"  --note TEXT   a note kept with the decision\n\n"
		"Exit status: 0 ok, 64 usage, 65 no such proposal or change, a superseded\n"
		"proposal, a conflict with a decision since, or an accept too late (inside\n"
		"the notice by now), 74 store.\n",
		verb, strcmp(verb, "reject") == 0 ? " [--keep]" : "", verb,
		strcmp(verb, "reject") == 0 ? "  --keep        keep the appointment where it is booked: never move it\n" : "");
}

/* CHANGE as a number: "3", or "PROPOSAL-3". */
static int change_seq(const char *proposal, const char *arg, int *out)
{
	size_t n = strlen(proposal);
	if (!strncmp(arg, proposal, n) && arg[n] == '-')
		arg += n + 1;
	if (*arg < '0' || *arg > '9')
		return -1;   /* digits only: no sign, no space */
	char *end;
	long v = strtol(arg, &end, 10);
	if (*end || v < 1 || v > 1000000)
		return -1;
	*out = (int)v;
	return 0;
}

/* The change numbers of the n arguments args (of proposal) into seqs
 * (MAX_CHANGES at most), *n of them. Returns 0, or the exit status. */
static int changes_named(struct app *app, const char *proposal, int argn, char **args, int *seqs, size_t *n)
{
	for (int i = 0; i < argn; i++) {
		if (*n == MAX_CHANGES)
			return cli_usage(app, "too many changes named at once");
		if (change_seq(proposal, args[i], &seqs[*n]) < 0) {
			/* name the proposal: an id of another proposal's change
			 * looks like PROPOSAL-N too */
			char want[240];
			snprintf(want, sizeof want, "a change number, or %.120s-N: a change of that proposal", proposal);
			diag_add(&app->diag, D_BAD_ARG, NULL, 0, 0, "change", args[i], want);
			return DV_EXIT_USAGE;
		}
		(*n)++;
	}
	return 0;
}

static int decide(int argc, char **argv, struct app *app, int accept)
{
	const char *verb = accept ? "accept" : "reject";
	static const struct option accept_opts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "note", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	static const struct option reject_opts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "note", required_argument, NULL, 'n' },
		{ "keep", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *by = cli_default_decider(), *note = NULL;
	enum verdict v = accept ? VERDICT_ACCEPT : VERDICT_REJECT;
	int c;
	while ((c = getopt_long(argc, argv, "h", accept ? accept_opts : reject_opts, NULL)) != -1) {
		switch (c) {
		case 'b': by = optarg; break;
		case 'n': note = optarg; break;
		case 'k': v = VERDICT_KEEP; break;
		case 'h': help(stdout, verb); return 0;
		default: help(stderr, verb); return DV_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cli_usage(app, accept ? "accept: a proposal id is needed"
					     : "reject: a proposal id is needed");
	if (!by || !*by)
		return cli_usage(app, "who decides? give --by NAME (or set DOVETAIL_USER)");
	const char *proposal = argv[optind++];
	int seqs[MAX_CHANGES];
	size_t n = 0;
	int status = changes_named(app, proposal, argc - optind, argv + optind, seqs, &n);
	if (status)
		return status;
	size_t decided = 0, same = 0;
	if (store_decide(app->store, proposal, seqs, n, v, by, app->now, note, &decided, &same,
			 &app->diag) < 0) {
		int st = diag_exit_status(&app->diag);
		return st ? st : DV_EXIT_STORE;
	}
	printf("%sed %zu change%s of ", accept ? "accept" : "reject", decided,
	       decided == 1 ? "" : "s");
	cli_put_safe(stdout, proposal);
	if (v == VERDICT_KEEP && decided)
		printf(" (kept where booked)");
	if (n && decided + same > n)
		printf(" (with the rest of their groups: joint sessions, and changes that make room for each other)");
	if (same)
		printf("; %zu already %sed so: nothing recorded again", same, verb);
	printf("\n");
	return 0;
}

int cmd_accept(int argc, char **argv, struct app *app)
{
	return decide(argc, argv, app, 1);
}

int cmd_reject(int argc, char **argv, struct app *app)
{
	return decide(argc, argv, app, 0);
}
