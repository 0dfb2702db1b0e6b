/* history.c: `dovetail history`: every decision on proposed changes, oldest first. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../cli.h"
#include "dovetail/util.h"

static void help(FILE *fp)
{
	fputs("usage: dovetail history [--person ID] [--json]\n\n"
	      "List every decision recorded by `dovetail accept`, `reject` (and `review`),\n"
	      "oldest first: when (UTC), who, the verdict, the change (PROPOSAL-N), the\n"
	      "appointment (practitioner id; with --json its UID too) and where the change\n"
	      "put it, and the note.\n"
	      "Decisions are never deleted.\n\n"
	      "  --person ID   only this person's (the profile's person id)\n"
	      "  --json        print JSON (format dovetail-history/1)\n\n"
	      "Exit status: 0 ok, 64 usage, 74 store.\n", fp);
}

struct out {
	int json, n;
};

static int show(const struct store_decision *x, void *arg)
{
	struct out *o = arg;
	char at[24], when[24];
	time_fmt_iso(x->at, at);
	time_fmt_local(x->to.date, x->to.start, when, sizeof when);
	if (o->json) {
		printf("%s\n    {\"id\": %lld, \"at\": \"%s\", \"who\": ", o->n ? "," : "", (long long)x->id, at);
		cli_put_json(stdout, x->who);
		printf(", \"verdict\": \"%s\", \"keep\": %s, \"change\": \"%s-%d\", \"person\": ",
		       x->accept ? "accept" : "reject", x->verdict == VERDICT_KEEP ? "true" : "false", x->proposal,
		       x->seq);
		cli_put_json(stdout, x->person);
		printf(", \"practitioner\": ");
		cli_put_json(stdout, x->appt.practitioner);
		printf(", \"uid\": ");
		cli_put_json(stdout, x->appt.uid);
		printf(", \"recurrence_id\": ");
		cli_put_json(stdout, x->appt.rid);
		printf(", \"to\": {\"start\": \"%s\", \"venue\": ", when);
		if (x->to.venue)
			cli_put_json(stdout, x->to.venue);
		else
			printf("null");
		printf("}, \"note\": ");
		if (x->note)
			cli_put_json(stdout, x->note);
		else
			printf("null");
		printf("}");
	} else {
		printf("%-4lld %s  %-6s  %s-%d  ", (long long)x->id, at,
		       x->verdict == VERDICT_ACCEPT ? "accept" : x->verdict == VERDICT_KEEP ? "keep" : "reject",
		       x->proposal, x->seq);
		cli_put_safe(stdout, x->appt.practitioner);
		printf(" -> %s ", when);
		cli_put_safe(stdout, x->to.venue ? x->to.venue : "(venue unchanged)");
		printf("  by ");
		cli_put_safe(stdout, x->who);
		if (x->note) {
			printf("  note: ");
			cli_put_safe(stdout, x->note);
		}
		putchar('\n');
	}
	o->n++;
	return 0;
}

int cmd_history(int argc, char **argv, struct app *app)
{
	static const struct option opts[] = {
		{ "person", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *person = NULL;
	struct out o = { 0, 0 };
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': person = optarg; break;
		case 'j': o.json = 1; break;
		case 'h': help(stdout); return 0;
		default: help(stderr); return DV_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage(app, "history: unexpected argument");
	if (o.json)
		printf("{\n  \"format\": \"dovetail-history/1\",\n  \"decisions\": [");
	if (store_each_decision(app->store, person, show, &o, &app->diag) < 0)
		return DV_EXIT_STORE;
	if (o.json)
		printf("%s]\n}\n", o.n ? "\n  " : "");
	else if (!o.n)
		printf("no decisions yet\n");
	return 0;
}
