/* status.c: `dovetail status PROFILE`: each change of the agreed plan, decided, sent and answered, and what still waits. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../cli.h"
#include "dovetail/util.h"

static void help(FILE *fp)
{
	fputs("usage: dovetail status PROFILE [--json]\n\n"
	      "Show each change of the agreed plan (every accepted change in force,\n"
	      "docs/decisions.md) and where it stands: decided by the family (who, when),\n"
	      "sent to the practitioner (`dovetail send`: when, REQUEST or COUNTER), and\n"
	      "answered (`dovetail replies`: accepted, declined, tentative, a suggested time,\n"
	      "when). A change sent and not answered since its last message waits: for how\n"
	      "many days, counted to --now. A change undone by a practitioner's decline of\n"
	      "another change of its group says so and by whom; only its revision, once\n"
	      "sent, waits. Nothing is fetched and nothing is written.\n\n"
	      "  --json   print JSON (format dovetail-status/1)\n\n"
	      "Exit status: 0 ok, 64 usage, 65 bad profile, 66 a profile that cannot be\n"
	      "read, 74 store.\n", fp);
}

struct out {
	int json, n;
	int64_t now;
	icaltimezone *zone;
	size_t sent, answered, waiting, undone;
};

/* "2026-11-25T12:00" for UTC instant t in the person's zone */
static void local(const struct out *o, int64_t t, char *buf, size_t sz)
{
	int64_t date = week_local_date(t, o->zone);
	int64_t midnight = ics_wall_to_utc(date * 86400, o->zone);
	time_fmt_local(date, (int)((t - midnight) / 60), buf, sz);
}

/* One row's times as text, and where its answer stands. */
struct row_text {
	char to[24], was[24], decided[24], sent[24], answered[24], s1[24], s2[24], undone[24], refused[24];
	int answer, waiting;      /* the last message is answered; sent, and not answered */
	int revision;             /* undone, and the last message is the revision (docs/send.md) */
	int to_revision;          /* the last answer is to the revision: it changes nothing */
	long days;                /* waiting for so many days */
};

/* Row x as JSON (n: rows printed before it). */
static void show_json(const struct store_status_row *x, const struct row_text *t, int n)
{
	printf("%s\n    {\"change\": \"%s-%d\", \"practitioner\": ", n ? "," : "", x->proposal, x->seq);
	cli_put_json(stdout, x->appt.practitioner);
	printf(", \"uid\": ");
	cli_put_json(stdout, x->appt.uid);
	printf(", \"recurrence_id\": ");
	cli_put_json(stdout, x->appt.rid);
	printf(", \"from\": \"%s\", \"to\": {\"start\": \"%s\", \"venue\": ", t->was, t->to);
	if (x->to.venue)
		cli_put_json(stdout, x->to.venue);
	else
		printf("null");
	printf("},\n     \"decided\": {\"by\": ");
	cli_put_json(stdout, x->who);
	printf(", \"at\": \"%s\"}, \"sent\": ", t->decided);
	if (x->sent)
		printf("{\"at\": \"%s\", \"method\": \"%s\", \"sequence\": %d}", t->sent, x->method, x->sent_sequence);
	else
		printf("null");
	printf(", \"answer\": ");
	if (t->answer) {
		printf("{\"kind\": \"%s\", \"at\": \"%s\", \"sequence\": %d, \"to_revision\": %s, \"suggested\": ",
		       x->answer, t->answered, x->answer_sequence, t->to_revision ? "true" : "false");
		if (x->suggested_start)
			printf("{\"start\": \"%s\", \"end\": \"%s\"}", t->s1, t->s2);
		else
			printf("null");
		printf("}");
	} else {
		printf("null");
	}
	printf(", \"undone\": ");
	if (x->undone_by) {
		printf("{\"by\": ");
		cli_put_json(stdout, x->undone_by);
		printf(", \"at\": \"%s\", \"revision_sent\": %s}", t->undone, t->revision ? "true" : "false");
	} else {
		printf("null");
	}
	printf(", \"refused\": ");
	if (x->refused)
		printf("{\"kind\": \"%s\", \"at\": \"%s\"}", x->refused, t->refused);
	else
		printf("null");
	if (t->waiting)
		printf(", \"waiting_days\": %ld}", t->days);
	else
		printf(", \"waiting_days\": null}");
}

/* Row x as text. */
static void show_text(const struct store_status_row *x, const struct row_text *t)
{
	cli_put_safe(stdout, x->appt.practitioner);
	printf("  %s -> %s%s%s  (%s-%d)\n", t->was, t->to, x->to.venue ? " " : "", x->to.venue ? x->to.venue : "",
	       x->proposal, x->seq);
	printf("    decided  accepted by ");
	cli_put_safe(stdout, x->who);
	printf(" at %s\n", t->decided);
	if (x->sent)
		printf("    sent     %s (SEQUENCE %d) at %s%s\n", x->method, x->sent_sequence, t->sent,
		       t->revision ? ", the revision" : "");
	else
		printf("    sent     not yet (dovetail send)\n");
	if (x->undone_by) {
		printf("    undone   the move is off: ");
		cli_put_safe(stdout, x->undone_by);
		printf(" declined a change of its group at %s; it stays where it is booked%s\n", t->undone,
		       !x->sent || t->revision ? "" : " (the next dovetail send tells its practitioner)");
	}
	/* its own practitioner's refusal stands, and a later answer is shown */
	if (x->refused && !x->refused_last) {
		printf("    undone   the move is off: ");
		cli_put_safe(stdout, x->appt.practitioner);
		printf(" %s it at %s, and a later answer does not put it back; it stays where it is booked\n",
		       !strcmp(x->refused, "declined") ? "declined" : !strcmp(x->refused, "counter") ? "countered" : "declined the counter-proposal for",
		       t->refused);
	}
	if (t->answer && t->to_revision)
		printf("    answer   %s, to the revision, at %s (the move is off already: it stays where it is"
		       " booked, whatever the answer)\n", x->answer, t->answered);
	else if (t->answer && x->suggested_start)
		printf("    answer   %s: suggested %s-%s, at %s (the change is undone; that time is a"
		       " candidate for the next propose)\n", x->answer, t->s1,
		       strncmp(t->s1, t->s2, 10) ? t->s2 : t->s2 + 11,   /* the end's date when it is another day's */
		       t->answered);
	else if (t->answer && (!strcmp(x->answer, "declined") || !strcmp(x->answer, "declinecounter")))
		printf("    answer   %s at %s (the change is undone; that time is never proposed again)\n",
		       x->answer, t->answered);
	else if (t->answer)
		printf("    answer   %s at %s\n", x->answer, t->answered);
	else if (t->waiting)
		printf("    answer   waiting, %ld day%s since it was sent\n", t->days, t->days == 1 ? "" : "s");
	else
		printf("    answer   -\n");
}

static int show(const struct store_status_row *x, void *arg)
{
	struct out *o = arg;
	struct row_text t;
	time_fmt_local(x->to.date, x->to.start, t.to, sizeof t.to);
	local(o, x->appt.start, t.was, sizeof t.was);
	time_fmt_iso(x->decided_at, t.decided);
	time_fmt_iso(x->sent_at, t.sent);
	time_fmt_iso(x->answered_at, t.answered);
	struct store_standing st;
	store_status_standing(x, o->now, &st);
	t.answer = st.answered;
	t.revision = st.revision;
	t.to_revision = st.to_revision;
	t.waiting = st.waiting;
	t.days = st.days;
	time_fmt_iso(x->undone_at, t.undone);
	time_fmt_iso(x->refused_at, t.refused);
	o->undone += x->undone_by != NULL;
	o->sent += x->sent != 0;
	o->answered += t.answer != 0;
	o->waiting += t.waiting != 0;
	if (t.answer && x->suggested_start) {
		local(o, x->suggested_start, t.s1, sizeof t.s1);
		local(o, x->suggested_end, t.s2, sizeof t.s2);
	}
	if (o->json)
		show_json(x, &t, o->n);
	else
		show_text(x, &t);
	o->n++;
	return 0;
}

int cmd_status(int argc, char **argv, struct app *app)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	int json = 0, c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'h': help(stdout); return 0;
		default: help(stderr); return DV_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc)
		return cli_usage(app, "status: one profile is needed");
	struct profile *p;
	if (profile_load(&p, argv[optind], &app->diag) < 0) {
		int st = diag_exit_status(&app->diag);
		return st ? st : DV_EXIT_INPUT;
	}
	struct out o = { json, 0, app->now, ics_tz_builtin(p->timezone), 0, 0, 0, 0 };
	if (json) {
		printf("{\"format\": \"dovetail-status/1\", \"person\": ");
		cli_put_json(stdout, p->person_id);
		printf(", \"changes\": [");
	}
	int rc = store_each_status(app->store, p->person_id, show, &o, &app->diag);
	if (json)
		printf("%s],\n \"totals\": {\"changes\": %d, \"sent\": %zu, \"answered\": %zu, \"waiting\": %zu,"
		       " \"undone\": %zu}}\n", o.n ? "\n" : "", o.n, o.sent, o.answered, o.waiting, o.undone);
	else if (o.undone)
		printf("%d agreed change%s (%zu undone by a practitioner's answer): %zu sent, %zu answered, %zu waiting\n",
		       o.n, o.n == 1 ? "" : "s", o.undone, o.sent, o.answered, o.waiting);
	else
		printf("%d agreed change%s: %zu sent, %zu answered, %zu waiting\n", o.n, o.n == 1 ? "" : "s", o.sent,
		       o.answered, o.waiting);
	profile_free(p);
	return rc < 0 ? DV_EXIT_STORE : 0;
}
