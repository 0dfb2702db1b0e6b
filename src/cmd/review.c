/* review.c: `dovetail review [PROPOSAL]`: go through a proposal's changes one at a time, as `git add -p` does, and record each decision. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli.h"
#include "dovetail/util.h"

static void help(FILE *fp)
{
	fputs("usage: dovetail review [PROPOSAL] [--by NAME]\n\n"
	      "Show each change of a proposal (default: the optimum proposed last) with where\n"
	      "the appointment is now, where it would go and why, and ask what to do:\n\n"
	      "  y  accept this change        n  reject it (it stays where it is)\n"
	      "  e  write a note, then decide  s  skip it for now\n"
	      "  q  quit (what is decided is kept)   ?  this help\n\n"
	      "The parts of a joint session, and changes that make room for each other,\n"
	      "are decided together; the prompt says so.\n"
	      "Changes decided before are not asked again.\n"
	      "Each answer is recorded at once, as `dovetail accept` / `reject` would\n"
	      "(docs/decisions.md), with --by (default $DOVETAIL_USER, else $USER).\n\n"
	      "Exit status: 0 ok, 64 usage, 65 no such proposal, 74 store.\n", fp);
}

static const char keys_help[] =
	"y - accept this change\n"
	"n - reject this change: not this time (never proposed again; it may move elsewhere)\n"
	"k - reject this change and keep the appointment where it is booked\n"
	"e - write a note, then decide\n"
	"s - skip this change for now\n"
	"q - quit; what is decided is kept\n"
	"? - this help\n";

/* One line of input, without its newline; NULL at end of input. */
static char *read_line(char *buf, size_t sz)
{
	if (!fgets(buf, (int)sz, stdin))
		return NULL;
	size_t n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[--n] = 0;
	else if (n == sz - 1) {
		int c;
		while ((c = getchar()) != EOF && c != '\n')
			;   /* the rest of an over-long line is dropped */
		buf[utf8_trim_partial(buf, n)] = 0;   /* never half a character */
	}
	return buf;
}

static void place(const struct place *pl, int dur)
{
	char day[24], a[8], b[8];
	time_fmt_day(pl->date, 0, day, sizeof day);
	time_fmt_hhmm(pl->start, a);
	time_fmt_hhmm(pl->start + dur, b);
	printf("%s %s-%s at ", day, a, b);
	cli_put_safe(stdout, pl->venue ? pl->venue : "(unknown venue)");
}

static int same_ref(const struct appt_ref *a, const struct appt_ref *b)
{
	return !strcmp(a->practitioner, b->practitioner) && !strcmp(a->uid, b->uid) &&
	       !strcmp(a->rid, b->rid) && a->start == b->start;
}

/* The changes of p decided together with change i (its joint partners),
 * marked in part[] (i itself included). */
static void partners(const struct store_proposal *p, size_t i, unsigned char *part)
{
	memset(part, 0, p->n_changes);
	part[i] = 1;
	for (int grew = 1; grew;) {
		grew = 0;
		for (size_t a = 0; a < p->n_changes; a++) {
			if (!part[a])
				continue;
			for (size_t k = 0; k < p->changes[a].n_with; k++)
				for (size_t b = 0; b < p->n_changes; b++)
					if (!part[b] && same_ref(&p->changes[b].ch.appt, &p->changes[a].with[k]))
						part[b] = grew = 1;
		}
	}
}

struct earlier {
	const char *id;
	unsigned char *done;
	size_t n, count;
};

/* Mark the changes of the proposal decided before this review. */
static int earlier_one(const struct store_decision *x, void *arg)
{
	struct earlier *e = arg;
	if (!strcmp(x->proposal, e->id) && x->seq >= 1 && (size_t)x->seq <= e->n && !e->done[x->seq - 1]) {
		e->done[x->seq - 1] = 1;
		e->count++;
	}
	return 0;
}

static const char *kind_words(unsigned k)
{
	if (k & CHANGE_JOINT)
		return "join a joint session";
	if ((k & CHANGE_MOVE) && (k & CHANGE_VENUE))
		return "move and change venue";
	return k & CHANGE_MOVE ? "move" : "change venue";
}

int cmd_review(int argc, char **argv, struct app *app)
{
	static const struct option opts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *by = cli_default_decider();
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'b': by = optarg; break;
		case 'h': help(stdout); return 0;
		default: return cli_usage(app, NULL);
		}
	}
	if (optind + 1 < argc)
		return cli_usage(app, "review: one proposal at a time");
	if (!by || !*by)
		return cli_usage(app, "who decides? give --by NAME (or set DOVETAIL_USER)");
	char id[64];
	if (optind < argc) {
		snprintf(id, sizeof id, "%s", argv[optind]);
	} else {
		int f = store_latest_proposal(app->store, NULL, id, sizeof id, &app->diag);
		if (f < 0)
			return DV_EXIT_STORE;
		if (!f) {
			diag_add(&app->diag, D_UNKNOWN_ID, NULL, 0, 0, "proposal", "(none proposed yet)");
			return DV_EXIT_INPUT;
		}
	}
	struct store_proposal *p = NULL;
	int f = store_load_proposal(app->store, id, &p, &app->diag);
	if (f < 0)
		return DV_EXIT_STORE;
	if (!f) {
		diag_add(&app->diag, D_UNKNOWN_ID, NULL, 0, 0, "proposal", id);
		return DV_EXIT_INPUT;
	}
	int status = 0;
	size_t n = p->n_changes, accepted = 0, rejected = 0;
	unsigned char *done = calloc(n + 1, 1), *part = calloc(n + 1, 1);
	if (!done || !part) {
		diag_add(&app->diag, D_INTERNAL, NULL, 0, 0, "out of memory");
		status = DV_EXIT_INTERNAL;
		goto out;
	}
	struct earlier e = { p->id, done, n, 0 };
	if (store_each_decision(app->store, p->person, earlier_one, &e, &app->diag) < 0) {
		status = DV_EXIT_STORE;
		goto out;
	}
	printf("proposal %s: %zu change%s, objective %.4f%s\n", p->id, n, n == 1 ? "" : "s", p->objective,
	       p->proven ? ", proven optimal" : "");
	if (e.count)
		printf("%zu already decided (dovetail history); the rest follow\n", e.count);
	if (!n)
		printf("nothing to decide\n");
	char line[1024], note[1024];
	for (size_t i = 0; i < n; i++) {
		if (done[i])
			continue;
		const struct store_change *ch = &p->changes[i];
		int dur = (int)((ch->ch.appt.end - ch->ch.appt.start) / 60);
		partners(p, i, part);
		printf("\n(%zu/%zu) %s-%zu: %s, ", i + 1, n, p->id, i + 1, kind_words(ch->ch.kind));
		cli_put_safe(stdout, ch->ch.appt.practitioner);
		printf("\n  now:   ");
		place(&ch->ch.from, dur);
		printf("\n  after: ");
		place(&ch->ch.to, dur);
		printf("\n  why:   ");
		cli_put_safe(stdout, ch->reason ? ch->reason : "");
		printf("\n");
		for (size_t b = 0; b < n; b++) {
			if (!part[b] || b == i)
				continue;
			printf("  decided together with %s-%zu (", p->id, b + 1);
			cli_put_safe(stdout, p->changes[b].ch.appt.practitioner);
			printf("): %s\n", (ch->ch.kind & CHANGE_JOINT) && (p->changes[b].ch.kind & CHANGE_JOINT)
						  ? "one joint session" : "one makes room for the other");
		}
		note[0] = 0;
		for (;;) {
			printf("accept this change [y,n,k,e,s,q,?]? ");
			fflush(stdout);
			if (!read_line(line, sizeof line)) {
				printf("\n");
				goto finish;   /* end of input: stop, keep what is decided */
			}
			int key = line[0];
			if (key == 'q')
				goto finish;
			if (key == 's')
				break;
			if (key == 'e') {
				printf("note: ");
				fflush(stdout);
				if (!read_line(note, sizeof note))
					note[0] = 0;
				if (!utf8_valid(note, strlen(note), NULL)) {
					note[0] = 0;
					printf("the note is not valid UTF-8 text; it is dropped: write it again with e\n");
				}
				continue;
			}
			if (key != 'y' && key != 'n' && key != 'k') {
				fputs(keys_help, stdout);
				continue;
			}
			int seq = (int)i + 1;
			size_t decided = 0, same = 0;
			enum verdict v = key == 'y' ? VERDICT_ACCEPT : key == 'k' ? VERDICT_KEEP : VERDICT_REJECT;
			if (store_decide(app->store, p->id, &seq, 1, v, by, app->now,
					 note[0] ? note : NULL, &decided, &same, &app->diag) < 0) {
				status = diag_exit_status(&app->diag);
				if (!status)
					status = DV_EXIT_STORE;
				goto out;
			}
			for (size_t b = 0; b < n; b++)
				if (part[b])
					done[b] = 1;
			if (key == 'y')
				accepted += decided;
			else
				rejected += decided;
			printf("%s %zu change%s%s\n", key == 'y' ? "accepted" : "rejected", decided,
			       decided == 1 ? "" : "s", key == 'k' ? " (kept where booked)" : "");
			break;
		}
	}
finish:
	printf("recorded: %zu accepted, %zu rejected\n", accepted, rejected);
out:
	free(done);
	free(part);
	store_proposal_free(p);
	return status;
}
