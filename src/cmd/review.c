/* review.c: `dovetail review [PROPOSAL]`: go through a proposal's changes one at a time, as `git add -p` does, and record each decision. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli.h"
#include "dovetail/util.h"
#include "dovetail/xalloc.h"

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

/* The id of the proposal to review in id[sz]: arg, or the latest one.
 * Returns 0, or an exit status (app->diag says why). */
static int which_proposal(struct app *app, const char *arg, char *id, size_t sz)
{
	if (arg) {
		snprintf(id, sz, "%s", arg);
		return 0;
	}
	int f = store_latest_proposal(app->store, NULL, id, sz, &app->diag);
	if (f < 0)
		return DV_EXIT_STORE;
	if (!f) {
		diag_add(&app->diag, D_NO_PROPOSAL, NULL, 0, 0, "", "");
		return DV_EXIT_INPUT;
	}
	return 0;
}

/* Print change i of p (of n), and the changes decided with it (part). */
static void show_change(const struct store_proposal *p, size_t i, const unsigned char *part)
{
	size_t n = p->n_changes;
	const struct store_change *ch = &p->changes[i];
	int dur = (int)((ch->ch.appt.end - ch->ch.appt.start) / 60);
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
}

/* One review: the proposal, who decides, what is decided so far. */
struct review {
	struct app *app;
	const struct store_proposal *p;
	const char *by;
	unsigned char *done, *part;   /* per change: decided; decided with the one asked */
	size_t accepted, rejected;
};

enum asked { ASK_NEXT, ASK_FINISH, ASK_FAILED };

/* Read a note at the prompt into note[sz] (dropped when not UTF-8). */
static void read_note(char *note, size_t sz)
{
	printf("note: ");
	fflush(stdout);
	if (!read_line(note, sz))
		note[0] = 0;
	if (!utf8_valid(note, strlen(note), NULL)) {
		note[0] = 0;
		printf("the note is not valid UTF-8 text; it is dropped: write it again with e\n");
	}
}

/* Ask about change i (and those decided with it, in r->part) until it is
 * decided or skipped. ASK_FINISH: stop here (q, end of input); ASK_FAILED:
 * the store failed (*status says how). */
static enum asked ask(struct review *r, size_t i, int *status)
{
	char line[1024], note[1024];
	note[0] = 0;
	for (;;) {
		printf("accept this change [y,n,k,e,s,q,?]? ");
		fflush(stdout);
		if (!read_line(line, sizeof line)) {
			printf("\n");
			return ASK_FINISH;   /* end of input: stop, keep what is decided */
		}
		int key = line[0];
		if (key == 'q')
			return ASK_FINISH;
		if (key == 's')
			return ASK_NEXT;
		if (key == 'e') {
			read_note(note, sizeof note);
			continue;
		}
		if (key != 'y' && key != 'n' && key != 'k') {
			fputs(keys_help, stdout);
			continue;
		}
		int seq = (int)i + 1;
		size_t decided = 0, same = 0;
		enum verdict v = key == 'y' ? VERDICT_ACCEPT : key == 'k' ? VERDICT_KEEP : VERDICT_REJECT;
		if (store_decide(r->app->store, r->p->id, &seq, 1, v, r->by, r->app->now, note[0] ? note : NULL,
				 &decided, &same, &r->app->diag) < 0) {
			*status = diag_exit_status(&r->app->diag);
			if (!*status)
				*status = DV_EXIT_STORE;
			return ASK_FAILED;
		}
		for (size_t b = 0; b < r->p->n_changes; b++)
			if (r->part[b])
				r->done[b] = 1;
		if (key == 'y')
			r->accepted += decided;
		else
			r->rejected += decided;
		printf("%s %zu change%s%s\n", key == 'y' ? "accepted" : "rejected", decided,
		       decided == 1 ? "" : "s", key == 'k' ? " (kept where booked)" : "");
		return ASK_NEXT;
	}
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
		default: help(stderr); return DV_EXIT_USAGE;
		}
	}
	if (optind + 1 < argc)
		return cli_usage(app, "review: one proposal at a time");
	if (!by || !*by)
		return cli_usage(app, "who decides? give --by NAME (or set DOVETAIL_USER)");
	char id[64];
	int status = which_proposal(app, optind < argc ? argv[optind] : NULL, id, sizeof id);
	if (status)
		return status;
	struct store_proposal *p = NULL;
	int f = store_load_proposal(app->store, id, &p, &app->diag);
	if (f < 0)
		return DV_EXIT_STORE;
	if (!f) {
		diag_add(&app->diag, D_UNKNOWN_ID, NULL, 0, 0, "proposal", id);
		return DV_EXIT_INPUT;
	}
	/* superseded: say so before the first question, not after its answer */
	int ok = store_decidable(app->store, p->id, &app->diag);
	if (ok <= 0) {
		store_proposal_free(p);
		return ok < 0 ? DV_EXIT_STORE : DV_EXIT_INPUT;
	}
	size_t n = p->n_changes;
	struct review r = { app, p, by, xcalloc(n + 1, 1), xcalloc(n + 1, 1), 0, 0 };
	struct earlier e = { p->id, r.done, n, 0 };
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
	enum asked a = ASK_NEXT;
	for (size_t i = 0; i < n && a == ASK_NEXT; i++) {
		if (r.done[i])
			continue;
		partners(p, i, r.part);
		show_change(p, i, r.part);
		a = ask(&r, i, &status);
	}
	if (a != ASK_FAILED)
		printf("recorded: %zu accepted, %zu rejected\n", r.accepted, r.rejected);
out:
	free(r.done);
	free(r.part);
	store_proposal_free(p);
	return status;
}
