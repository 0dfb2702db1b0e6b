/* send.c: `dovetail send PROFILE`: mail the agreed changes to the practitioners, once each. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../cli.h"
#include "dovetail/send.h"

static void help(FILE *fp)
{
	fputs("usage: dovetail send PROFILE [--dry-run] [--counter] [--from DATE --to DATE]\n\n"
	      "Mail each practitioner the agreed changes, as `export --itip --eml` writes\n"
	      "them, by SMTP (docs/send.md). Each message goes once: one already sent to\n"
	      "its recipient is skipped; a changed one about an appointment mailed before\n"
	      "is a re-send (In-Reply-To, References). Each message is recorded in the\n"
	      "store as soon as the server accepts it; the first failure stops the run,\n"
	      "and the next run sends only what is left.\n\n"
	      "  --dry-run               say what would be sent; send and record nothing\n"
	      "  --counter               METHOD:COUNTER for events whose feed names an\n"
	      "                          ORGANIZER, as export --itip --counter\n"
	      "  --from DATE, --to DATE  the horizon (default: the week that holds --now)\n\n"
	      "The server and login come from the profile (mail:) or the environment:\n"
	      "DOVETAIL_SMTP_URL (smtp:// or smtps://), DOVETAIL_SMTP_USER,\n"
	      "DOVETAIL_SMTP_PASSWORD, else a netrc file ($NETRC, ~/.netrc); never the\n"
	      "command line. STARTTLS is required on smtp:// unless mail.starttls is\n"
	      "false or DOVETAIL_SMTP_STARTTLS=0. DOVETAIL_SMTP_CA: a CA file to trust.\n\n"
	      "Exit status: 0 ok, 2 the per-run limit left messages for the next run,\n"
	      "64 usage, 65 bad profile or feed, a refused recipient, or a message over\n"
	      "the size limit, 66 a profile that cannot be read, 69 the server failed or\n"
	      "refused, 74 store.\n", fp);
}

static const char *method_name(enum itip_method m)
{
	return m == ITIP_COUNTER ? "COUNTER" : "REQUEST";
}

/* What became of each message of r, then the counts. */
static void print_report(const struct profile *p, const struct send_report *r, int dry_run)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct send_item *it = &r->v[i];
		const char *who = p->pracs[it->prac].id, *addr = it->to + 7;
		switch (it->state) {
		case SEND_SENT:
		case SEND_WOULD:
			printf("%s %s to %s (%s): %s, <%s>", it->state == SEND_SENT ? "sent" : "would send",
			       method_name(it->method), addr, who, it->subject, it->message_id);
			if (*it->in_reply_to)
				printf(", a re-send in reply to <%s>", it->in_reply_to);
			putchar('\n');
			break;
		case SEND_ALREADY:
			printf("already sent to %s (%s): <%s>, unchanged: not sent again\n", addr, who,
			       it->message_id);
			break;
		case SEND_FAILED:
			printf("not sent: %s to %s (%s)\n", method_name(it->method), addr, who);
			break;
		case SEND_LEFT:
			printf("left for the next run: %s to %s (%s)\n", method_name(it->method), addr, who);
			break;
		}
	}
	if (!r->n)
		printf("no changed appointments: nothing to send\n");
	else if (dry_run)
		printf("would send %zu, already sent %zu (dry run: nothing sent or recorded)\n", r->would,
		       r->already);
	else
		printf("sent %zu, already sent %zu, left %zu\n", r->sent, r->already,
		       r->n - r->sent - r->already);
}

int cmd_send(int argc, char **argv, struct app *app)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "counter", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *from = NULL, *to = NULL;
	struct send_opts o = { app->now, 0, 0 };
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'F': from = optarg; break;
		case 'T': to = optarg; break;
		case 'n': o.dry_run = 1; break;
		case 'C': o.counter = 1; break;
		case 'h': help(stdout); return 0;
		default: help(stderr); return DV_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc)
		return cli_usage(app, "send: give one PROFILE (the server and login come from it or the environment)");
	struct person cw;
	int status = cli_week_open(app, argv[optind], from, to, &cw);
	if (status) {
		cli_week_release(&cw);
		return status;
	}
	struct send_report r;
	if (send_run(app->store, &cw.week, &o, &r, &app->diag) < 0)
		status = diag_exit_status(&app->diag);
	print_report(cw.prof, &r, o.dry_run);
	send_report_release(&r);
	cli_week_release(&cw);
	return status;
}
