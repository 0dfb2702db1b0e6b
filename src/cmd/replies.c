/* replies.c: `dovetail replies PROFILE SOURCE...`: read practitioners' iTIP answers and record them (docs/replies.md). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../cli.h"
#include "dovetail/reply.h"
#include "dovetail/util.h"

static void help(FILE *fp)
{
	fputs("usage: dovetail replies PROFILE SOURCE... [--from DATE --to DATE] [--json]\n\n"
	      "Read the practitioners' answers to the changes `export --itip` sent\n"
	      "(iTIP REPLY ACCEPTED, DECLINED or TENTATIVE; COUNTER; DECLINECOUNTER) and\n"
	      "record them (docs/replies.md). SOURCE is an .ics file, an iMIP mail (.eml),\n"
	      "a maildir (a folder with cur/ and new/), a folder of such files, or - for\n"
	      "standard input. Each answer must match a change sent (UID, RECURRENCE-ID),\n"
	      "come from the practitioner it was sent to, and carry the SEQUENCE sent;\n"
	      "else it is a warning and nothing is recorded. A message read before\n"
	      "records nothing again.\n\n"
	      "A decline undoes the change in the plan (and the rest of its group), and\n"
	      "that time is never proposed again; a counter-proposal's time becomes a\n"
	      "candidate for the next `dovetail propose`.\n\n"
	      "  --from DATE, --to DATE  the horizon of the appointments answered\n"
	      "                          (default: the week that holds --now)\n"
	      "  --json                  print JSON (format dovetail-replies/1)\n\n"
	      "Exit status: 0 every answer recorded (or recorded before), 2 some not\n"
	      "recorded (warnings or errors say why), 64 usage, 65 nothing usable (or a\n"
	      "bound passed), 66 a SOURCE cannot be read, 74 store.\n", fp);
}

static const char *fate_name(enum reply_fate f)
{
	return f == REPLY_RECORDED ? "recorded" : f == REPLY_ALREADY ? "already-recorded" : "not-recorded";
}

/* "Thu 26 Nov 14:00-14:45" in the person's zone */
static void fmt_span(const struct week *w, int64_t s, int64_t e, char *out, size_t sz)
{
	int64_t date = week_local_date(s, w->zone), date_e = week_local_date(e, w->zone);
	struct icaltimetype a = icaltime_from_timet_with_zone((time_t)s, 0, w->zone);
	struct icaltimetype b = icaltime_from_timet_with_zone((time_t)e, 0, w->zone);
	char day[32], day_e[32];
	time_fmt_day(date, 0, day, sizeof day);
	time_fmt_day(date_e, 0, day_e, sizeof day_e);
	if (date_e != date)   /* an end on another day says its day */
		snprintf(out, sz, "%s %02d:%02d - %s %02d:%02d", day, a.hour, a.minute, day_e, b.hour, b.minute);
	else
		snprintf(out, sz, "%s %02d:%02d-%02d:%02d", day, a.hour, a.minute, b.hour, b.minute);
}

static void print_text(const struct person *cw, const struct reply_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct reply_result *x = &r->v[i];
		cli_put_safe(stdout, x->shown);
		if (x->line > 0)
			printf(":%d", x->line);
		if (x->fate == REPLY_ALREADY) {
			printf(": already recorded (the same message): nothing recorded again\n");
		} else if (x->fate == REPLY_REFUSED) {
			printf(": nothing recorded\n");
		} else {
			printf(": recorded: %s %s (SEQUENCE %d)", cw->prof->pracs[x->prac].id,
			       reply_kind_name(x->kind), x->sequence);
			if (x->kind == REPLY_COUNTER) {
				char t[128];
				fmt_span(&cw->week, x->suggested_start, x->suggested_end, t, sizeof t);
				printf(", suggests %s", t);
			}
			putchar('\n');
		}
	}
	printf("%zu message%s: %zu answer%s recorded, %zu already recorded, %zu not recorded\n", r->messages,
	       r->messages == 1 ? "" : "s", r->recorded, r->recorded == 1 ? "" : "s", r->already, r->refused);
	size_t undone = 0;
	for (size_t i = 0; i < r->n; i++)
		undone += r->v[i].fate == REPLY_RECORDED && r->v[i].kind != REPLY_ACCEPTED &&
			  r->v[i].kind != REPLY_TENTATIVE;
	if (undone)
		printf("%zu change%s declined or countered: undone in the plan, that time not proposed again;"
		       " run `dovetail propose` for new proposals\n", undone, undone == 1 ? "" : "s");
}

static void print_json(const struct person *cw, const struct reply_report *r)
{
	printf("{\"format\": \"dovetail-replies/1\", \"person\": ");
	cli_put_json(stdout, cw->prof->person_id);
	printf(", \"messages\": %zu, \"recorded\": %zu, \"already_recorded\": %zu, \"not_recorded\": %zu,"
	       " \"answers\": [", r->messages, r->recorded, r->already, r->refused);
	for (size_t i = 0; i < r->n; i++) {
		const struct reply_result *x = &r->v[i];
		printf("%s\n  {\"file\": ", i ? "," : "");
		cli_put_json(stdout, x->shown);
		printf(", \"line\": %d, \"fate\": \"%s\"", x->line, fate_name(x->fate));
		if (x->fate == REPLY_RECORDED) {
			printf(", \"practitioner\": ");
			cli_put_json(stdout, cw->prof->pracs[x->prac].id);
			printf(", \"kind\": \"%s\", \"sequence\": %d", reply_kind_name(x->kind), x->sequence);
			if (x->kind == REPLY_COUNTER) {
				char s[24], e[24];
				time_fmt_iso(x->suggested_start, s);
				time_fmt_iso(x->suggested_end, e);
				printf(", \"suggested\": {\"start\": \"%s\", \"end\": \"%s\"}", s, e);
			}
		}
		printf("}");
	}
	printf("%s]}\n", r->n ? "\n" : "");
}

int cmd_replies(int argc, char **argv, struct app *app)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *from = NULL, *to = NULL;
	int json = 0, c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'F': from = optarg; break;
		case 'T': to = optarg; break;
		case 'j': json = 1; break;
		case 'h': help(stdout); return 0;
		default: help(stderr); return DV_EXIT_USAGE;
		}
	}
	if (optind + 2 > argc)
		return cli_usage(app, "replies: give a PROFILE and at least one SOURCE (a file, a maildir, a folder, or -)");
	struct reply_limits lim;
	reply_limits_default(&lim);
	struct reply_inputs in;
	if (reply_inputs_list((const char *const *)argv + optind + 1, (size_t)(argc - optind - 1), &lim, &in,
			      &app->diag) < 0) {
		int st = diag_exit_status(&app->diag);
		return st ? st : DV_EXIT_INTERNAL;
	}
	struct person cw;
	int status = cli_week_open(app, argv[optind], from, to, &cw);
	if (status) {
		cli_week_release(&cw);
		reply_inputs_release(&in);
		return status;
	}
	struct reply_report r;
	if (reply_read_all(app->store, &cw.week, &in, &lim, &app->lim, app->now, &r, &app->diag) < 0) {
		status = diag_exit_status(&app->diag);
		if (!status)
			status = DV_EXIT_INTERNAL;
	}
	if (json)
		print_json(&cw, &r);
	else
		print_text(&cw, &r);
	if (!status && r.refused)
		status = r.recorded + r.already ? DV_EXIT_PARTIAL : DV_EXIT_INPUT;
	reply_report_release(&r);
	reply_inputs_release(&in);
	cli_week_release(&cw);
	return status;
}
