/* run.c: a caseload's run: each person solved alone in workers, then one plan per person chosen together (docs/batch.md). */
#include "dovetail/batch.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dovetail/fetch.h"
#include "dovetail/joint.h"
#include "dovetail/person.h"
#include "dovetail/pool.h"
#include "dovetail/profile.h"
#include "dovetail/report.h"
#include "dovetail/solver.h"
#include "dovetail/util.h"

/* ---- one person ------------------------------------------------------------ */

/* A carer is known across persons by each feed they name: two profiles
 * naming the same carer feed share that carer (docs/batch.md). The key is
 * "carer:" and the digest of the feed's source, so that no path goes in
 * the store and no practitioner id (no ':' in an id) can equal it. */
#define CARER_PREFIX "carer:"
static void carer_key(const char *source, char out[72])
{
	char hex[65];
	hash_sha256_hex(source, strlen(source), hex);
	snprintf(out, 72, CARER_PREFIX "%s", hex);
}

/* A booking of someone persons may share, on the wire and in a worker. */
struct bk {
	char lane[72];            /* a practitioner id or a carer_key: never cut (below) */
	int64_t start, end;
	int fixed;
};
_Static_assert(sizeof ((struct bk *)0)->lane > PROFILE_MAX_ID &&
	       sizeof ((struct bk *)0)->lane >= sizeof CARER_PREFIX + 64,
	       "a lane holds any practitioner id and any carer key whole");

/* One plan of a person, as a worker computes it. */
struct col_out {
	char origin[8];           /* "alone", "booked", "priced" */
	int impossible, proven;
	double compromise, cost;
	struct store_batch_figures after;
	int changes, appts;
	char *result, *plan;      /* malloc'd */
	struct bk *book;
	size_t n_book, cap;
};

/* What solving one person gives. */
struct outcome {
	char digest[65];
	const char *status;       /* "same" (unchanged inputs, not solved), "ok", "error" */
	char error[512];
	struct store_batch_figures before;
	struct col_out *col;
	size_t n_col, cap;
};

static void outcome_release(struct outcome *o)
{
	for (size_t i = 0; i < o->n_col; i++) {
		free(o->col[i].result);
		free(o->col[i].plan);
		free(o->col[i].book);
	}
	free(o->col);
	memset(o, 0, sizeof *o);
}

/* A per-process cache of feed digests, by canonical source. */
struct feed_hash {
	char *source;
	char hex[65];
};
static struct feed_hash *feed_hashes;
static size_t n_feed_hashes, cap_feed_hashes;

static const char *feed_digest(const char *source, const char *path, struct diag *d)
{
	for (size_t i = 0; i < n_feed_hashes; i++)
		if (strcmp(feed_hashes[i].source, source) == 0)
			return feed_hashes[i].hex;
	struct bytes b;
	/* a feed by URL is known by its URL here (its content is fetched when
	 * the person is solved; docs/batch.md) */
	if (fetch_is_url(path)) {
		b.data = strdup(path);
		b.len = b.data ? strlen(b.data) : 0;
		if (!b.data)
			return NULL;
	} else if (file_read_all(path, 64u << 20, &b, d) < 0) {
		return NULL;
	}
	struct feed_hash *h = BUF_PUSH(feed_hashes, n_feed_hashes, cap_feed_hashes);
	if (!h || !(h->source = strdup(source))) {
		bytes_release(&b);
		if (h)
			n_feed_hashes--;
		return NULL;
	}
	hash_sha256_hex(b.data, b.len, h->hex);
	bytes_release(&b);
	return h->hex;
}

static int hash_feeds(struct hash_ctx *h, const struct prof_path *f, size_t n, struct diag *d)
{
	for (size_t j = 0; j < n; j++) {
		const char *hex = feed_digest(f[j].source, f[j].path, d);
		if (!hex)
			return -1;
		hash_update(h, f[j].source, strlen(f[j].source) + 1);
		hash_update(h, hex, 65);
	}
	return 0;
}

/* The digest of a person's inputs: the id, the profile's bytes, each feed
 * it names (source and content), the clock and the options. */
static int person_digest(const struct batch *b, const struct cl_person *cp, char out[65], struct diag *d)
{
	struct bytes pb;
	const char *path = b->in_dir ? cp->given : cp->profile;
	if (file_read_all(path, 1u << 20, &pb, d) < 0)
		return -1;
	struct profile *p;
	if (profile_load_text(&p, path, pb.data, pb.len, d) < 0) {
		bytes_release(&pb);
		return -1;
	}
	struct hash_ctx *h = hash_new();
	char opts[96];
	snprintf(opts, sizeof opts, "now=%lld limit=%d plans=%d", (long long)b->now, b->time_limit, BATCH_PLANS);
	int rc = h ? 0 : -1;
	for (size_t i = 0; !rc && i < p->n_pracs; i++)
		rc = hash_feeds(h, p->pracs[i].feeds, p->pracs[i].n_feeds, d);
	for (size_t i = 0; !rc && i < p->n_carers; i++)
		rc = hash_feeds(h, p->carers[i].feeds, p->carers[i].n_feeds, d);
	if (h) {
		hash_update(h, cp->id, strlen(cp->id) + 1);
		hash_update(h, pb.data, pb.len);
		hash_update(h, opts, strlen(opts));
		hash_final_hex(h, out);
		hash_free(h);
	}
	profile_free(p);
	bytes_release(&pb);
	return rc;
}

/* The first error of d as one line, for the summary: ids and positions,
 * never text from a feed (the catalogue's messages carry none). */
static void first_error(const struct diag *d, char *out, size_t sz)
{
	snprintf(out, sz, "failed");
	for (size_t i = 0; i < d->n; i++) {
		const struct diag_item *it = &d->v[i];
		if (diag_severity(it->code) != DIAG_ERROR)
			continue;
		if (it->file && it->line > 0)
			snprintf(out, sz, "%s:%d:%d: %s", it->file, it->line, it->col, it->msg ? it->msg : "?");
		else if (it->file)
			snprintf(out, sz, "%s: %s", it->file, it->msg ? it->msg : "?");
		else
			snprintf(out, sz, "%s", it->msg ? it->msg : "?");
		break;
	}
	for (char *s = out; *s; s++)
		if ((unsigned char)*s < 0x20)
			*s = ' ';
}

static void fail(struct outcome *o, const char *why)
{
	for (size_t i = 0; i < o->n_col; i++) {
		free(o->col[i].result);
		free(o->col[i].plan);
		free(o->col[i].book);
	}
	free(o->col);
	o->col = NULL;
	o->n_col = o->cap = 0;
	o->status = "error";
	snprintf(o->error, sizeof o->error, "%s", why);
	for (char *s = o->error; *s; s++)
		if ((unsigned char)*s < 0x20)
			*s = ' ';
}

static void figures_of(const struct sv_totals *t, struct store_batch_figures *f)
{
	*f = (struct store_batch_figures){ t->journeys, t->travel_min, t->travel_cost, t->clashes,
					   t->routine_conflicts, t->peak_energy, t->unfamiliar_max };
}

/* Whether the profile's practitioners that the caseload shares name the
 * caseload's feeds for them (when it lists any). */
static const char *shared_feeds_differ(const struct caseload *cl, const struct profile *p)
{
	for (size_t i = 0; i < p->n_pracs; i++) {
		int k = caseload_prac_index(cl, p->pracs[i].id);
		if (k < 0 || !cl->pracs[k].n_feeds)
			continue;
		const struct cl_practitioner *c = &cl->pracs[k];
		int same = c->n_feeds == p->pracs[i].n_feeds;
		for (size_t j = 0; same && j < p->pracs[i].n_feeds; j++) {
			int found = 0;
			for (size_t m = 0; m < c->n_feeds; m++)
				found |= strcmp(c->feeds[m], p->pracs[i].feeds[j].source) == 0;
			same = found;
		}
		if (!same)
			return p->pracs[i].id;
	}
	return NULL;
}

/* Others' bookings as busy time of this person's practitioners and carers. */
static int add_busy(struct week *w, const struct profile *prof, const struct bk *extra, size_t n_extra)
{
	for (size_t k = 0; k < n_extra; k++) {
		if (strncmp(extra[k].lane, CARER_PREFIX, strlen(CARER_PREFIX)) == 0) {
			/* a shared carer's time with another person: busy time of
			 * each of this person's carers who names that feed */
			for (size_t c = 0; c < prof->n_carers; c++) {
				const struct prof_carer *cr = &prof->carers[c];
				int named = 0;
				char key[72];
				for (size_t j = 0; j < cr->n_feeds && !named; j++) {
					carer_key(cr->feeds[j].source, key);
					named = strcmp(key, extra[k].lane) == 0;
				}
				if (!named)
					continue;
				struct wk_busy *x = BUF_PUSH(w->busy, w->n_busy, w->busy_cap);
				if (!x)
					return -1;
				*x = (struct wk_busy){ -1 - (int)c, extra[k].start, extra[k].end };
			}
			continue;
		}
		int pi = profile_prac_index(prof, extra[k].lane);
		if (pi < 0)
			continue;
		struct wk_busy *x = BUF_PUSH(w->busy, w->n_busy, w->busy_cap);
		if (!x)
			return -1;
		*x = (struct wk_busy){ pi, extra[k].start, extra[k].end };
	}
	return 0;
}

/* The bookings of shared practitioners and of carers that plan pl makes:
 * a carer from leaving home to coming back, under each feed of theirs
 * (another person may name any of them). fixed: the appointment stays
 * where it is booked. */
static int bookings_of(const struct batch *b, const struct profile *prof, const struct instance *in,
		       const struct plan *pl, struct col_out *c, struct diag *d)
{
	struct week moved;
	if (plan_week(in, pl, &moved, d) < 0)
		return -1;
	const struct week *w = in->w;
	assert(moved.n_appts == w->n_appts);
	/* the moved week is sorted again: an appointment is known there by
	 * its practitioner, UID and RECURRENCE-ID, not by its index */
	unsigned char *kept = calloc(moved.n_appts + 1, 1);
	int oom = !kept;
	for (size_t i = 0; kept && i < in->n; i++) {
		const struct placement *at = &pl->at[i], *cur = &in->a[i].current;
		if (at->day != cur->day || at->start != cur->start || at->venue != cur->venue)
			continue;
		const struct wk_appt *o = &w->appts[in->a[i].appt];
		for (size_t k = 0; k < moved.n_appts; k++) {
			const struct wk_appt *m = &moved.appts[k];
			if (m->prac == o->prac && strcmp(m->uid, o->uid) == 0 && strcmp(m->rid, o->rid) == 0) {
				kept[k] = 1;
				break;
			}
		}
	}
	for (size_t k = 0; k < moved.n_appts && !oom; k++) {
		const struct wk_appt *ap = &moved.appts[k];
		const char *pid = prof->pracs[ap->prac].id;
		if (caseload_prac_index(b->cl, pid) >= 0) {
			struct bk *x = BUF_PUSH(c->book, c->n_book, c->cap);
			if (x) {
				*x = (struct bk){ .start = ap->start, .end = ap->end, .fixed = kept[k] };
				assert(strlen(pid) < sizeof x->lane); /* ids are checked at load: PROFILE_MAX_ID */
				snprintf(x->lane, sizeof x->lane, "%s", pid);
			}
			oom = !x;
		}
		int cr = week_carer_for(&moved, ap, ap->venue, ap->start, ap->end);
		if (cr == WEEK_CARER_NONE_FREE) {
			/* a clash as booked: the first carer who takes it is
			 * counted there, as check counts the clash */
			for (size_t q = 0; q < prof->n_carers && cr < 0; q++)
				if (!prof->carers[q].takes || (prof->carers[q].takes >> ap->prac & 1))
					cr = (int)q;
		}
		if (cr < 0)
			continue;
		int64_t cs, ce;
		week_carer_span(&moved, ap->venue, ap->start, ap->end, &cs, &ce);
		const struct prof_carer *carer = &prof->carers[cr];
		for (size_t j = 0; j < carer->n_feeds && !oom; j++) {
			struct bk *x = BUF_PUSH(c->book, c->n_book, c->cap);
			if (x) {
				*x = (struct bk){ .start = cs, .end = ce, .fixed = kept[k] };
				carer_key(carer->feeds[j].source, x->lane);
			}
			oom = !x;
		}
	}
	free(kept);
	week_release(&moved);
	if (oom) {
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
		return -1;
	}
	return 0;
}

/* The plan's part of the person's result that the store's columns do not
 * hold: its id and its changes (JSON members, no braces). */
static char *result_json(const struct week *w, const struct profile *prof, const struct instance *in,
			 const struct sv_proposal *x)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	/* the summary puts the person, the plan's origin, its tiers and the
	 * weeks before and after (columns) around it */
	fprintf(f, "\"proposal\": \"%s\", \"changes\": [", x->id);
	for (size_t c = 0; c < x->n_changes; c++) {
		const struct sv_change *ch = &x->changes[c];
		const struct wk_appt *ap = &w->appts[in->a[ch->appt].appt];
		char from[24], to[24];
		time_fmt_local(ch->ch.from.date, ch->ch.from.start, from, sizeof from);
		time_fmt_local(ch->ch.to.date, ch->ch.to.start, to, sizeof to);
		fputs(c ? ",\n    {\"practitioner\": " : "\n    {\"practitioner\": ", f);
		text_put_json(f, prof->pracs[ap->prac].id);
		fputs(", \"uid\": ", f);
		text_put_json(f, ap->uid);
		fputs(", \"recurrence_id\": ", f);
		text_put_json(f, ap->rid);
		fprintf(f, ", \"from\": \"%s\", \"to\": \"%s\", \"to_venue\": ", from, to);
		text_put_json(f, ch->ch.to.venue ? ch->ch.to.venue : "");
		fputs("}", f);
	}
	fputs("]", f);
	return fclose(f) == 0 ? buf : (free(buf), NULL);
}

/* One column from proposal x (its plan, tiers, figures, bookings). */
static int add_column(const struct batch *b, const struct person *cw, const struct sv_result *r,
		      const struct sv_proposal *x, const char *origin, struct outcome *o, struct diag *d)
{
	struct col_out *c = BUF_PUSH(o->col, o->n_col, o->cap);
	if (!c) {
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
		return -1;
	}
	memset(c, 0, sizeof *c);
	snprintf(c->origin, sizeof c->origin, "%s", origin);
	c->impossible = x->impossible;
	c->compromise = x->compromise;
	c->cost = x->objective;
	c->proven = x->proven;
	figures_of(&x->after, &c->after);
	c->changes = (int)x->n_changes;
	c->appts = (int)r->in.n;
	if (!(c->result = result_json(&cw->week, cw->prof, &r->in, x))) {
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
		return -1;
	}
	if (plan_encode(&r->in, &x->plan, &c->plan, d) < 0)
		return -1;
	return bookings_of(b, cw->prof, &r->in, &x->plan, c, d);
}

/* The week as booked as a proposal: its tiers and totals, no changes. */
static int as_booked(const struct instance *in, struct sv_proposal *x, struct diag *d)
{
	struct plan pl = { calloc(in->n + 1, sizeof *pl.at), in->n };
	if (!pl.at) {
		memset(x, 0, sizeof *x);
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < in->n; i++)
		pl.at[i] = in->a[i].current;
	int rc = sv_proposal_of_plan(in, &pl, x, d);
	free(pl.at);
	if (rc == 0)
		x->proven = 1;   /* nothing to prove: it is what is booked */
	return rc;
}

/* Solve person i (extra: other persons' bookings to keep clear of; priced:
 * one plan, else the plans alone and the week as booked), with the feeds
 * imported into st. Everything goes in o. */
static void solve_person(const struct batch *b, struct store *st, size_t i, const char *stored,
			 const struct bk *extra, size_t n_extra, int priced, struct outcome *o)
{
	const struct cl_person *cp = &b->cl->persons[i];
	/* a worker runs in the caseload's folder, so that messages name files
	 * as the caseload does, wherever it was run from */
	const char *path = b->in_dir ? cp->given : cp->profile;
	struct diag d;
	diag_init(&d);
	char why[512];
	memset(o, 0, sizeof *o);
	o->status = "ok";
	struct person cw;
	memset(&cw, 0, sizeof cw);
	struct sv_result r;
	memset(&r, 0, sizeof r);
	int have_r = 0;
	if (person_digest(b, cp, o->digest, &d) < 0)
		goto failed;
	if (stored && strcmp(stored, o->digest) == 0) {
		o->status = "same";
		goto out;
	}
	struct profile *prof;
	if (profile_load(&prof, path, &d) < 0)
		goto failed;
	/* person_open takes prof, whatever it returns */
	struct person_opts po = { b->now, PERSON_DEFAULT_DATE, PERSON_DEFAULT_DATE, b->lim, 0 };
	if (person_open(&cw, prof, st, &po, &d) < 0)
		goto failed;
	const char *bad;
	if (strcmp(cw.prof->person_id, cp->id) != 0) {
		snprintf(why, sizeof why, "%s: person.id is %s, the caseload says %s", path, cw.prof->person_id, cp->id);
		fail(o, why);
		goto out;
	}
	if ((bad = shared_feeds_differ(b->cl, cw.prof))) {
		snprintf(why, sizeof why, "%s: practitioner %s names other feeds than the caseload's", path, bad);
		fail(o, why);
		goto out;
	}
	if (add_busy(&cw.week, cw.prof, extra, n_extra) < 0) {
		fail(o, "out of memory");
		goto out;
	}
	struct sv_options opt = { .k = priced ? 1 : BATCH_PLANS, .max_changes = -1, .ladder = 0,
				  .time_limit = b->time_limit, .now = b->now };
	have_r = 1;
	if (solve_propose(&cw.week, &opt, &r, &d) < 0 || !r.n_props)
		goto failed;
	figures_of(&r.before, &o->before);
	for (size_t k = 0; k < r.n_props; k++)
		if (add_column(b, &cw, &r, &r.props[k], priced ? "priced" : "alone", o, &d) < 0)
			goto failed;
	if (!priced) {
		/* the week as booked: always a plan, and always compatible
		 * with every other person's week as booked */
		struct sv_proposal x;
		if (as_booked(&r.in, &x, &d) < 0)
			goto failed;
		int rc = add_column(b, &cw, &r, &x, "booked", o, &d);
		sv_proposal_release(&x);
		if (rc < 0)
			goto failed;
	}
	goto out;
failed:
	first_error(&d, why, sizeof why);
	fail(o, why);
out:
	if (have_r)
		sv_result_release(&r);
	person_release(&cw);
	if (!o->digest[0])
		snprintf(o->digest, sizeof o->digest, "-");
	diag_release(&d);
}

/* ---- the wire: a task, and an outcome, as text ------------------------------ */

/* A task: "S index digest-or--\n" (alone) or "P index n\n" and n bookings (priced). */
static char *encode_outcome(const struct outcome *o, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	const struct store_batch_figures *x = &o->before;
	fprintf(f, "%s\n%s\n%s\n%d %d %.17g %d %d %.17g %d\n%zu\n", o->digest, o->status, o->error, x->journeys,
		x->travel_min, x->travel_money, x->clashes, x->routine_conflicts, x->peak_energy, x->unfamiliar,
		o->n_col);
	for (size_t i = 0; i < o->n_col; i++) {
		const struct col_out *c = &o->col[i];
		const struct store_batch_figures *a = &c->after;
		fprintf(f, "%s %d %d %.17g %.17g %d %d %.17g %d %d %.17g %d %d %d %zu %zu %zu\n", c->origin,
			c->impossible, c->proven, c->compromise, c->cost, a->journeys, a->travel_min, a->travel_money,
			a->clashes, a->routine_conflicts, a->peak_energy, a->unfamiliar, c->changes, c->appts,
			c->n_book, strlen(c->result), strlen(c->plan));
		for (size_t k = 0; k < c->n_book; k++)
			fprintf(f, "%s\t%lld\t%lld\t%d\n", c->book[k].lane, (long long)c->book[k].start,
				(long long)c->book[k].end, c->book[k].fixed);
		fputs(c->result, f);
		fputs(c->plan, f);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* The next line of *p (its newline cut), or NULL at the end. */
static char *next_line(char **p, const char *end)
{
	char *l = *p, *nl = l < end ? memchr(l, '\n', (size_t)(end - l)) : NULL;
	if (!nl)
		return NULL;
	*nl = 0;
	*p = nl + 1;
	return l;
}

static char *take(char **p, const char *end, size_t n)
{
	if ((size_t)(end - *p) < n)
		return NULL;
	char *s = malloc(n + 1);
	if (s) {
		memcpy(s, *p, n);
		s[n] = 0;
		*p += n;
	}
	return s;
}

static int decode_outcome(char *msg, size_t len, struct outcome *o)
{
	memset(o, 0, sizeof *o);
	char *p = msg, *end = msg + len, *l[5];
	for (int i = 0; i < 5; i++)
		if (!(l[i] = next_line(&p, end)))
			return -1;
	snprintf(o->digest, sizeof o->digest, "%s", l[0]);
	static const char *const st[] = { "same", "ok", "error" };
	for (int i = 0; i < 3; i++)
		if (strcmp(l[1], st[i]) == 0)
			o->status = st[i];
	if (!o->status)
		return -1;
	snprintf(o->error, sizeof o->error, "%s", l[2]);
	struct store_batch_figures *x = &o->before;
	if (sscanf(l[3], "%d %d %lf %d %d %lf %d", &x->journeys, &x->travel_min, &x->travel_money, &x->clashes,
		   &x->routine_conflicts, &x->peak_energy, &x->unfamiliar) != 7)
		return -1;
	size_t n = strtoul(l[4], NULL, 10);
	if (n > JOINT_MAX_COLUMNS)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char *h = next_line(&p, end);
		struct col_out *c = h ? BUF_PUSH(o->col, o->n_col, o->cap) : NULL;
		if (!c)
			return -1;
		memset(c, 0, sizeof *c);
		struct store_batch_figures *a = &c->after;
		size_t nb, rl, pl;
		if (sscanf(h, "%7s %d %d %lf %lf %d %d %lf %d %d %lf %d %d %d %zu %zu %zu", c->origin, &c->impossible,
			   &c->proven, &c->compromise, &c->cost, &a->journeys, &a->travel_min, &a->travel_money,
			   &a->clashes, &a->routine_conflicts, &a->peak_energy, &a->unfamiliar, &c->changes, &c->appts,
			   &nb, &rl, &pl) != 17)
			return -1;
		for (size_t k = 0; k < nb; k++) {
			char *bl = next_line(&p, end);
			struct bk *b = bl ? BUF_PUSH(c->book, c->n_book, c->cap) : NULL;
			long long s, e;
			char lane[72];
			if (!b || sscanf(bl, "%71[^\t]\t%lld\t%lld\t%d", lane, &s, &e, &b->fixed) != 4)
				return -1;
			snprintf(b->lane, sizeof b->lane, "%s", lane);
			b->start = s;
			b->end = e;
		}
		if (!(c->result = take(&p, end, rl)) || !(c->plan = take(&p, end, pl)))
			return -1;
	}
	return p == end ? 0 : -1;
}

/* ---- workers ---------------------------------------------------------------- */

/* A private folder for a worker's own feed store: $TMPDIR/dovetail-batch.XXXXXX,
 * locked while the worker lives, so that a later batch can tell one a
 * killed worker left (file_scratch_clean). */
struct wstate {
	struct batch b;
	struct store *st;
	char dir[512];
	int lock;
};

static void *w_init(void *arg)
{
	const struct batch *b0 = arg;
	struct wstate *s = calloc(1, sizeof *s);
	struct diag d;
	diag_init(&d);
	if (!s || file_scratch_make("dovetail-batch", s->dir, sizeof s->dir, &s->lock, &d) < 0) {
		diag_release(&d);
		free(s);
		return NULL;
	}
	char path[600];
	snprintf(path, sizeof path, "%s/feeds.db", s->dir);
	if (store_open(&s->st, path, 0, &d) < 0) {
		file_scratch_remove(s->dir, s->lock);
		diag_release(&d);
		free(s);
		return NULL;
	}
	diag_release(&d);
	s->b = *b0;
	if (chdir(b0->cl->dir) == 0)
		s->b.in_dir = 1;
	return s;
}

static void w_fini(void *state)
{
	struct wstate *s = state;
	store_close(s->st);
	file_scratch_remove(s->dir, s->lock);
	free(s);
}

static char *draw_page(struct wstate *s, size_t idx, int proven, const char *plan, size_t *out_len);

static char *w_handle(void *state, const char *task, size_t len, size_t *out_len)
{
	struct wstate *s = state;
	if (task[0] == 'R') {
		/* "R index proven\nplan": the person's page */
		unsigned long idx;
		int proven;
		const char *nl = memchr(task, '\n', len);
		if (!nl || sscanf(task, "R %lu %d", &idx, &proven) != 2 || idx >= s->b.cl->n_persons)
			return NULL;
		return draw_page(s, idx, proven, nl + 1, out_len);
	}
	char kind;
	unsigned long idx, n = 0;
	char stored[66];
	int used = 0;
	struct bk *extra = NULL;
	(void)len;
	if (sscanf(task, "%c %lu %65s%n", &kind, &idx, stored, &used) != 3 || idx >= s->b.cl->n_persons)
		return NULL;
	if (kind == 'P') {
		n = strtoul(stored, NULL, 10);
		extra = calloc(n + 1, sizeof *extra);
		const char *p = task + used;
		for (size_t k = 0; extra && k < n; k++) {
			long long a, e;
			int m = 0;
			if (sscanf(p, " %71[^\t]\t%lld\t%lld%n", extra[k].lane, &a, &e, &m) != 3) {
				free(extra);
				return NULL;
			}
			extra[k].start = a;
			extra[k].end = e;
			p += m;
		}
		if (!extra)
			return NULL;
	}
	struct outcome o;
	solve_person(&s->b, s->st, idx, kind == 'S' && strcmp(stored, "-") != 0 ? stored : NULL, extra, n,
		     kind == 'P', &o);
	free(extra);
	char *msg = encode_outcome(&o, out_len);
	outcome_release(&o);
	return msg;
}

static const struct pool_ops person_ops = { w_init, w_handle, w_fini };

/* The person workers: one pool for the whole run, so that each worker's
 * feed store, imported once, serves every solve, pricing and page. */
static struct pool *person_pool(struct batch *b, struct diag *d)
{
	if (!b->pool)
		b->pool = pool_start(b->jobs < 1 ? 1 : b->jobs, &person_ops, b, d);
	return b->pool;
}

void batch_release(struct batch *b)
{
	pool_stop(b->pool, 0);
	b->pool = NULL;
}

/* After a failed run the workers may hold a task: start afresh next time. */
static void pool_failed(struct batch *b)
{
	pool_stop(b->pool, 1);
	b->pool = NULL;
}

/* The page of person idx's plan (its text), drawn as report_of_solution
 * draws a proposal just solved: "ok\n" and the page, or "error\n" and
 * why (ids and positions only). */
static char *draw_page(struct wstate *s, size_t idx, int proven, const char *text, size_t *out_len)
{
	const struct cl_person *cp = &s->b.cl->persons[idx];
	const char *path = s->b.in_dir ? cp->given : cp->profile;
	struct diag d;
	diag_init(&d);
	struct person cw;
	memset(&cw, 0, sizeof cw);
	struct instance in;
	memset(&in, 0, sizeof in);
	int have_in = 0;
	struct plan pl = { NULL, 0 };
	char *html = NULL;
	struct profile *prof;
	if (profile_load(&prof, path, &d) == 0) {
		struct person_opts po = { s->b.now, PERSON_DEFAULT_DATE, PERSON_DEFAULT_DATE, s->b.lim, 0 };
		if (person_open(&cw, prof, s->st, &po, &d) == 0 && instance_build(&in, &cw.week, s->b.now, &d) == 0) {
			have_in = 1;
			if (plan_decode(&in, text, &pl, &d) == 0)
				html = report_of_plan(&cw.week, &in, &pl, proven, s->b.now, &d);
		}
	}
	char *out = NULL;
	FILE *f = open_memstream(&out, out_len);
	if (f) {
		if (html) {
			fputs("ok\n", f);
			fputs(html, f);
		} else {
			char why[512];
			first_error(&d, why, sizeof why);
			fprintf(f, "error\n%s", why);
		}
		if (fclose(f) != 0) {
			free(out);
			out = NULL;
		}
	}
	free(html);
	free(pl.at);
	if (have_in)
		instance_release(&in);
	person_release(&cw);
	diag_release(&d);
	return out;
}

/* ---- solving alone ------------------------------------------------------------ */

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct bar {
	double t0, last;
};

static void draw(struct bar *br, size_t done, size_t total)
{
	double now = mono();
	int final = done == total;
	if (!final && now - br->last < 0.2)
		return;
	br->last = now;
	double rate = now > br->t0 ? done / (now - br->t0) : 0;
	double eta = rate > 0 ? (total - done) / rate : 0;
	int width = 30, fill = total ? (int)(width * done / total) : width;
	fprintf(stderr, "\r[%.*s%.*s] %zu/%zu persons  %.1f/s  ETA %d:%02d ", fill,
		"##############################", width - fill, "..............................", done, total,
		rate, (int)eta / 60, (int)eta % 60);
	if (final)
		fputc('\n', stderr);
	fflush(stderr);
}

/* Record person i's outcome: its row and columns, in one transaction. */
static int record(struct batch *b, size_t i, const struct outcome *o, struct diag *d)
{
	if (strcmp(o->status, "same") == 0)
		return 0;
	struct store_batch_person p = { b->cl->persons[i].id, o->digest, o->status,
					strcmp(o->status, "error") == 0 ? o->error : NULL, o->before, -1 };
	struct store_batch_column *c = calloc(o->n_col + 1, sizeof *c);
	const struct store_batch_booking **bp = calloc(o->n_col + 1, sizeof *bp);
	size_t *nb = calloc(o->n_col + 1, sizeof *nb);
	int rc = c && bp && nb ? 0 : -1;
	for (size_t k = 0; !rc && k < o->n_col; k++) {
		const struct col_out *x = &o->col[k];
		c[k] = (struct store_batch_column){ p.person, (int)k, x->origin, "", 0, x->impossible, x->compromise,
						    x->cost, x->proven, x->after, x->changes, x->appts, x->result,
						    x->plan };
		struct store_batch_booking *v = calloc(x->n_book + 1, sizeof *v);
		if (!v) {
			rc = -1;
			break;
		}
		for (size_t j = 0; j < x->n_book; j++)
			v[j] = (struct store_batch_booking){ x->book[j].lane, x->book[j].start, x->book[j].end,
							     x->book[j].fixed };
		bp[k] = v;
		nb[k] = x->n_book;
	}
	if (rc)
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
	else
		rc = store_batch_save_person(b->store, b->run, &p, c, o->n_col, bp, nb, d);
	for (size_t k = 0; bp && k < o->n_col; k++)
		free((void *)bp[k]);
	free(c);
	free(bp);
	free(nb);
	return rc;
}

struct alone_run {
	struct batch *b;
	const size_t *todo;
	char **digest;            /* per caseload person: stored, or NULL */
	size_t n_done;
	struct bar bar;
	struct diag *d;
};

static char *alone_task(void *arg, size_t i, size_t *len)
{
	struct alone_run *r = arg;
	size_t p = r->todo[i];
	char *s = malloc(100);
	if (s)
		*len = (size_t)snprintf(s, 100, "S %zu %s\n", p, r->digest[p] ? r->digest[p] : "-");
	return s;
}

static int alone_done(void *arg, size_t i, const char *msg, size_t len)
{
	struct alone_run *r = arg;
	size_t p = r->todo[i];
	struct outcome o;
	memset(&o, 0, sizeof o);
	char *copy = msg ? malloc(len + 1) : NULL;
	if (copy)
		memcpy(copy, msg, len + 1);
	if (!msg) {
		fail(&o, "the worker process solving it died");
		snprintf(o.digest, sizeof o.digest, "-");
	} else if (!copy || decode_outcome(copy, len, &o) < 0) {
		free(copy);
		outcome_release(&o);
		diag_add(r->d, D_INTERNAL, NULL, 0, 0, "a worker sent a malformed result");
		return 1;
	}
	free(copy);
	int rc = record(r->b, p, &o, r->d);
	if (!rc && strcmp(o.status, "same") != 0)
		r->n_done++;
	outcome_release(&o);
	return rc != 0;
}

static void alone_progress(void *arg, size_t done, size_t n)
{
	struct alone_run *r = arg;
	if (r->b->progress)
		draw(&r->bar, done, n);
}

static int collect_digest(const struct store_batch_person *r, void *arg)
{
	struct alone_run *a = arg;
	long i = caseload_person_index(a->b->cl, r->person);
	if (i >= 0 && !(a->digest[i] = strdup(r->digest)))
		return 1;
	return 0;
}

int batch_solve_alone(struct batch *b, const size_t *todo, size_t n, int resume, size_t *n_done, struct diag *d)
{
	*n_done = 0;
	const struct caseload *cl = b->cl;
	struct alone_run r = { b, todo, calloc(cl->n_persons + 1, sizeof(char *)), 0, { mono(), 0 }, d };
	if (!r.digest) {
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
		return -1;
	}
	int rc = 0;
	if (resume && store_batch_each(b->store, b->run, NULL, collect_digest, &r, d) < 0)
		rc = -1;
	struct pool *p = NULL;
	if (!rc && n && !(p = person_pool(b, d)))
		rc = -1;
	if (!rc && n)
		rc = pool_run(p, n, alone_task, alone_done, alone_progress, &r, d);
	if (rc)
		pool_failed(b);
	*n_done = r.n_done;
	for (size_t i = 0; i < cl->n_persons; i++)
		free(r.digest[i]);
	free(r.digest);
	return rc;
}

/* ---- the joint master ---------------------------------------------------------- */

/* Lanes by key, interned: an open-addressing table. */
struct lanes {
	char **key;               /* by id */
	size_t n, cap_key;
	uint32_t *slot;           /* id + 1, or 0 */
	size_t cap;               /* 0 or a power of two */
};

static size_t key_hash(const char *k)
{
	uint64_t h = 1469598103934665603u;
	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211u;
	return (size_t)h;
}

/* The id of key (added when new), or -1 when out of memory. */
static long lane_id(struct lanes *t, const char *key)
{
	if ((t->n + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		uint32_t *v = calloc(cap, sizeof *v);
		if (!v)
			return -1;
		for (size_t i = 0; i < t->n; i++) {
			size_t j = key_hash(t->key[i]) & (cap - 1);
			while (v[j])
				j = (j + 1) & (cap - 1);
			v[j] = (uint32_t)i + 1;
		}
		free(t->slot);
		t->slot = v;
		t->cap = cap;
	}
	size_t j = key_hash(key) & (t->cap - 1);
	for (; t->slot[j]; j = (j + 1) & (t->cap - 1))
		if (strcmp(t->key[t->slot[j] - 1], key) == 0)
			return (long)t->slot[j] - 1;
	char **k = BUF_PUSH(t->key, t->n, t->cap_key);
	if (!k)
		return -1;
	if (!(*k = strdup(key))) {
		t->n--;
		return -1;
	}
	t->slot[j] = (uint32_t)t->n;
	return (long)t->n - 1;
}

static void lanes_release(struct lanes *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->key[i]);
	free(t->key);
	free(t->slot);
	memset(t, 0, sizeof *t);
}

/* A person's plans in the master, as loaded and priced. */
struct jcol {
	int n;                    /* the store's n */
	int origin;               /* 0 alone, 1 booked, 2 priced */
	char basis[65];
	int round;                /* priced: the round that asked for it (it takes part from the next) */
	int impossible;
	double compromise, cost;
	struct jt_booking *book;
	size_t n_book, cap;
};

struct jperson {
	size_t index;             /* into cl->persons */
	struct jcol *col;
	size_t n_col, cap;
};

struct jstate {
	struct batch *b;
	struct lanes lanes;
	struct jperson *p;        /* planned persons, by id */
	size_t n, cap;
	long *of;                 /* cl person -> p index, or -1 */
	struct diag *d;
	int oom;
	/* the flat problem of a round */
	struct jt_column *cols;
	struct jt_booking *book;
	size_t *solo, *booked, *base;   /* base[i]: person i's first column */
	size_t *book_person;      /* per booking: its person */
	size_t n_cols, n_book;
};

static int load_person(const struct store_batch_person *r, void *arg)
{
	struct jstate *s = arg;
	if (strcmp(r->status, "ok") != 0)
		return 0;
	long i = caseload_person_index(s->b->cl, r->person);
	if (i < 0)
		return 0;
	struct jperson *p = BUF_PUSH(s->p, s->n, s->cap);
	if (!p)
		return s->oom = 1;
	memset(p, 0, sizeof *p);
	p->index = (size_t)i;
	s->of[i] = (long)s->n - 1;
	return 0;
}

static int load_column(const struct store_batch_column *c, void *arg)
{
	struct jstate *s = arg;
	long i = caseload_person_index(s->b->cl, c->person);
	if (i < 0 || s->of[i] < 0)
		return 0;
	struct jperson *p = &s->p[s->of[i]];
	struct jcol *x = BUF_PUSH(p->col, p->n_col, p->cap);
	if (!x)
		return s->oom = 1;
	memset(x, 0, sizeof *x);
	x->n = c->n;
	x->origin = strcmp(c->origin, "alone") == 0 ? 0 : strcmp(c->origin, "booked") == 0 ? 1 : 2;
	snprintf(x->basis, sizeof x->basis, "%s", c->basis ? c->basis : "");
	x->round = c->round;
	x->impossible = c->impossible;
	x->compromise = c->compromise;
	x->cost = c->cost;
	return 0;
}

static struct jcol *col_of(struct jstate *s, const char *person, int n)
{
	long i = caseload_person_index(s->b->cl, person);
	if (i < 0 || s->of[i] < 0)
		return NULL;
	struct jperson *p = &s->p[s->of[i]];
	for (size_t k = 0; k < p->n_col; k++)
		if (p->col[k].n == n)
			return &p->col[k];
	return NULL;
}

static int add_booking(struct jstate *s, struct jcol *x, const char *lane, int64_t start, int64_t end, int fixed)
{
	long id = lane_id(&s->lanes, lane);
	struct jt_booking *b = id >= 0 ? BUF_PUSH(x->book, x->n_book, x->cap) : NULL;
	if (!b)
		return s->oom = 1;
	*b = (struct jt_booking){ (uint32_t)id, start, end, fixed, strncmp(lane, CARER_PREFIX, strlen(CARER_PREFIX)) == 0 };
	return 0;
}

static int load_booking(const char *person, int n, const struct store_batch_booking *bk, void *arg)
{
	struct jstate *s = arg;
	struct jcol *x = col_of(s, person, n);
	return x ? add_booking(s, x, bk->lane, bk->start, bk->end, bk->fixed) : 0;
}

/* The flat arrays of the problem, from the persons' plans. */
static int takes_part(const struct jcol *x, int round)
{
	return x->origin != 2 || x->round < round;
}

static int flatten(struct jstate *s, int round, struct jt_problem *pr, double cap, double limit)
{
	free(s->cols);
	free(s->book);
	free(s->solo);
	free(s->booked);
	free(s->base);
	free(s->book_person);
	size_t nc = 0, nb = 0;
	for (size_t i = 0; i < s->n; i++)
		for (size_t k = 0; k < s->p[i].n_col; k++)
			if (takes_part(&s->p[i].col[k], round)) {
				nc++;
				nb += s->p[i].col[k].n_book;
			}
	s->cols = malloc((nc + 1) * sizeof *s->cols);
	s->book = malloc((nb + 1) * sizeof *s->book);
	s->solo = malloc((s->n + 1) * sizeof *s->solo);
	s->booked = malloc((s->n + 1) * sizeof *s->booked);
	s->base = malloc((s->n + 1) * sizeof *s->base);
	s->book_person = malloc((nb + 1) * sizeof *s->book_person);
	if (!s->cols || !s->book || !s->solo || !s->booked || !s->base || !s->book_person)
		return -1;
	s->n_cols = s->n_book = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct jperson *p = &s->p[i];
		s->solo[i] = s->booked[i] = SIZE_MAX;
		s->base[i] = s->n_cols;
		for (size_t k = 0; k < p->n_col; k++) {
			const struct jcol *x = &p->col[k];
			if (!takes_part(x, round))
				continue;
			if (x->origin == 0 && s->solo[i] == SIZE_MAX)
				s->solo[i] = s->n_cols;
			if (x->origin == 1)
				s->booked[i] = s->n_cols;
			s->cols[s->n_cols++] = (struct jt_column){ i, x->impossible, x->compromise, x->cost, s->n_book,
								   x->n_book };
			if (x->n_book)
				memcpy(&s->book[s->n_book], x->book, x->n_book * sizeof *x->book);
			for (size_t m = 0; m < x->n_book; m++)
				s->book_person[s->n_book + m] = i;
			s->n_book += x->n_book;
		}
		/* every person solved alone has both; a store that lacks one is
		 * not this version's */
		if (s->solo[i] == SIZE_MAX || s->booked[i] == SIZE_MAX)
			return -2;
	}
	*pr = (struct jt_problem){ s->n, s->solo, s->booked, s->cols, s->n_cols, s->book, s->n_book, cap, limit, 0, 0 };
	return 0;
}

/* A pricing task: person p, around the chosen bookings of everyone else on the lanes p uses. */
struct price {
	size_t person;            /* index into s->p */
	struct bk *extra;
	size_t n_extra;
	char basis[65];
};

static int by_bk(const void *a, const void *b)
{
	const struct bk *x = a, *y = b;
	int c = strcmp(x->lane, y->lane);
	if (c)
		return c;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

struct price_run {
	struct jstate *s;
	int round;
	struct price *v;
	size_t n;
	int *next_n;              /* per price: the store's n of the new plan */
};

static char *price_task(void *arg, size_t i, size_t *len)
{
	struct price_run *r = arg;
	const struct price *x = &r->v[i];
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	fprintf(f, "P %zu %zu\n", r->s->p[x->person].index, x->n_extra);
	for (size_t k = 0; k < x->n_extra; k++)
		fprintf(f, "%s\t%lld\t%lld\n", x->extra[k].lane, (long long)x->extra[k].start,
			(long long)x->extra[k].end);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int price_done(void *arg, size_t i, const char *msg, size_t len)
{
	struct price_run *r = arg;
	struct jstate *s = r->s;
	const struct price *x = &r->v[i];
	struct jperson *p = &s->p[x->person];
	struct outcome o;
	memset(&o, 0, sizeof o);
	char *copy = msg ? malloc(len + 1) : NULL;
	if (copy)
		memcpy(copy, msg, len + 1);
	if (!copy || decode_outcome(copy, len, &o) < 0) {
		free(copy);
		outcome_release(&o);
		/* a worker that died or spoke nonsense: no new plan for it (the
		 * master keeps the plans it has; this is not a result) */
		if (msg)
			diag_add(s->d, D_INTERNAL, NULL, 0, 0, "a worker sent a malformed result");
		return msg != NULL;
	}
	free(copy);
	int rc = 0;
	if (strcmp(o.status, "ok") == 0 && o.n_col == 1) {
		const struct col_out *c = &o.col[0];
		const char *id = s->b->cl->persons[p->index].id;
		struct store_batch_column sc = { id, r->next_n[i], "priced", x->basis, r->round, c->impossible, c->compromise,
						 c->cost, c->proven, c->after, c->changes, c->appts, c->result,
						 c->plan };
		struct store_batch_booking *v = calloc(c->n_book + 1, sizeof *v);
		for (size_t j = 0; v && j < c->n_book; j++)
			v[j] = (struct store_batch_booking){ c->book[j].lane, c->book[j].start, c->book[j].end,
							     c->book[j].fixed };
		rc = v ? store_batch_save_column(s->b->store, s->b->run, &sc, v, c->n_book, s->d) : -1;
		free(v);
		struct jcol *j = rc == 0 ? BUF_PUSH(p->col, p->n_col, p->cap) : NULL;
		if (j) {
			memset(j, 0, sizeof *j);
			j->n = sc.n;
			j->origin = 2;
			j->round = r->round;
			snprintf(j->basis, sizeof j->basis, "%s", x->basis);
			j->impossible = c->impossible;
			j->compromise = c->compromise;
			j->cost = c->cost;
			for (size_t k = 0; k < c->n_book && !s->oom; k++)
				add_booking(s, j, c->book[k].lane, c->book[k].start, c->book[k].end, c->book[k].fixed);
		} else if (rc == 0) {
			s->oom = 1;
		}
	}
	outcome_release(&o);
	return rc != 0 || s->oom;
}

/* Pricing for a component's MIPs runs in workers too: see joint_in_workers. */
struct comp_run {
	const struct jt_problem *pr;
	const struct jt_components *c;
	const size_t *todo;       /* components */
	size_t *choice;
	struct diag *d;
	int optimal;
};

static void *c_init(void *arg)
{
	return arg;
}

static char *c_handle(void *state, const char *task, size_t len, size_t *out_len)
{
	struct comp_run *r = state;
	(void)len;
	size_t k = strtoul(task, NULL, 10);
	unsigned char *only = calloc(r->c->n + 1, 1);
	struct jt_solution s = { r->choice, 1, 0, 0 };
	struct diag d;
	diag_init(&d);
	if (!only)
		return NULL;
	only[k] = 1;
	int rc = joint_solve(r->pr, r->c, only, &s, &d);
	free(only);
	diag_release(&d);
	if (rc < 0)
		return NULL;
	/* the component's choices: "optimal\nperson column\n..." */
	char *buf = NULL;
	FILE *f = open_memstream(&buf, out_len);
	if (!f)
		return NULL;
	fprintf(f, "%d\n", s.optimal);
	for (size_t i = 0; i < r->pr->n_persons; i++)
		if (r->c->comp[i] == k)
			fprintf(f, "%zu %zu\n", i, s.choice[i]);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static const struct pool_ops comp_ops = { c_init, c_handle, NULL };

static char *comp_task(void *arg, size_t i, size_t *len)
{
	struct comp_run *r = arg;
	char *s = malloc(32);
	if (s)
		*len = (size_t)snprintf(s, 32, "%zu\n", r->todo[i]);
	return s;
}

static int comp_done(void *arg, size_t i, const char *msg, size_t len)
{
	struct comp_run *r = arg;
	(void)i;
	(void)len;
	if (!msg) {
		diag_add(r->d, D_INTERNAL, NULL, 0, 0, "a worker solving the caseload's master died");
		return 1;
	}
	const char *p = msg;
	char *end;
	r->optimal &= (int)strtol(p, &end, 10);
	p = end;
	for (;;) {
		size_t a = strtoul(p, &end, 10);
		if (end == p)
			break;
		p = end;
		size_t b = strtoul(p, &end, 10);
		if (end == p || a >= r->pr->n_persons || b >= r->pr->n_cols || r->pr->cols[b].person != a) {
			diag_add(r->d, D_INTERNAL, NULL, 0, 0, "a worker sent a malformed result");
			return 1;
		}
		p = end;
		r->choice[a] = b;
	}
	return 0;
}

/* Solve every component: those whose solo plans do not clash at once, the
 * rest each in a worker (forked now, so it sees this round's columns). */
static int solve_round(struct batch *b, const struct jt_problem *pr, const struct jt_components *c,
		       struct jt_solution *sol, struct diag *d)
{
	/* which components need their MIP: the same test joint_solve makes */
	unsigned char *clash = calloc(c->n + 1, 1);
	size_t *todo = malloc((c->n + 1) * sizeof *todo), n = 0;
	if (!clash || !todo) {
		free(clash);
		free(todo);
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < pr->n_persons; i++)
		if (!c->fixed[i])
			clash[c->comp[i]] = 1;
	for (size_t k = 0; k < c->n; k++)
		if (clash[k])
			todo[n++] = k;
	/* the easy ones here */
	unsigned char *easy = calloc(c->n + 1, 1);
	int rc = easy ? 0 : -1;
	for (size_t k = 0; easy && k < c->n; k++)
		easy[k] = !clash[k];
	free(sol->choice);
	memset(sol, 0, sizeof *sol);
	if (!rc && !(sol->choice = malloc((pr->n_persons + 1) * sizeof *sol->choice)))
		rc = -1;
	if (rc)
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
	/* every choice starts as the week as booked (a worker's answer
	 * replaces its component's) */
	for (size_t i = 0; !rc && i < pr->n_persons; i++)
		sol->choice[i] = pr->booked[i];
	if (!rc)
		rc = joint_solve(pr, c, easy, sol, d);
	free(easy);
	sol->mips = n;
	if (!rc && n) {
		struct comp_run r = { pr, c, todo, sol->choice, d, 1 };
		int jobs = b->jobs < 1 ? 1 : b->jobs;
		if ((size_t)jobs > n)
			jobs = (int)n;
		struct pool *p = pool_start(jobs, &comp_ops, &r, d);
		rc = p ? pool_run(p, n, comp_task, comp_done, NULL, &r, d) : -1;
		pool_stop(p, rc != 0);
		sol->optimal &= r.optimal;
	}
	sol->over_cap = 0;
	for (size_t i = 0; !rc && i < pr->n_persons; i++)
		sol->over_cap += !joint_within_cap(pr, sol->choice[i]);
	free(clash);
	free(todo);
	return rc;
}

/* The pricing tasks of a round: each person off its solo plan, around the
 * others' chosen bookings on its lanes, unless priced on that basis before. */
static int pricing(struct jstate *s, int round, const struct jt_problem *pr, const struct jt_components *comps,
		   const struct jt_solution *sol, struct price **out, size_t *n_out, size_t *pending)
{
	*out = NULL;
	*n_out = 0;
	*pending = 0;
	size_t cap = 0;
	/* the target: each person's choice, but a person outside the cap at
	 * its plan alone, so that those in its way are priced around it */
	size_t *target = malloc((pr->n_persons + 1) * sizeof *target);
	unsigned char *want = calloc(pr->n_persons + 1, 1);
	if (!target || !want) {
		free(target);
		free(want);
		return -1;
	}
	for (size_t i = 0; i < pr->n_persons; i++) {
		int over = !joint_within_cap(pr, sol->choice[i]);
		target[i] = over ? pr->solo[i] : sol->choice[i];
		const struct jt_column *c = &pr->cols[sol->choice[i]], *o = &pr->cols[pr->solo[i]];
		want[i] |= c->impossible > o->impossible || c->compromise > o->compromise + 1e-6 ||
			   c->cost > o->cost + 1e-6;
	}
	for (size_t i = 0; i < comps->n_pairs; i++) {
		size_t x = comps->pairs[i].a, y = comps->pairs[i].b;
		size_t px = pr->cols[x].person, py = pr->cols[y].person;
		/* siblings who both need the parent at once, as chosen: each is
		 * priced around the other */
		if (comps->pairs[i].soft && sol->choice[px] == x && sol->choice[py] == y)
			want[px] = want[py] = 1;
		/* a choice in the way of a plan alone outside the cap */
		if (target[px] == x && target[px] != sol->choice[px] && sol->choice[py] == y)
			want[py] = 1;
		if (target[py] == y && target[py] != sol->choice[py] && sol->choice[px] == x)
			want[px] = 1;
	}
	/* the target's bookings, by lane */
	size_t nl = s->lanes.n;
	size_t *first = calloc(nl + 2, sizeof *first), *at = NULL, nb = 0;
	if (!first) {
		free(target);
		free(want);
		return -1;
	}
	for (size_t i = 0; i < pr->n_persons; i++) {
		const struct jt_column *c = &pr->cols[target[i]];
		for (size_t k = 0; k < c->n; k++)
			first[pr->book[c->first + k].lane + 1]++;
		nb += c->n;
	}
	for (size_t l = 0; l < nl; l++)
		first[l + 1] += first[l];
	size_t *fill = calloc(nl + 1, sizeof *fill);
	if (!fill || !(at = malloc((nb + 1) * sizeof *at))) {
		free(first);
		free(fill);
		free(target);
		free(want);
		return -1;
	}
	for (size_t i = 0; i < pr->n_persons; i++) {
		const struct jt_column *c = &pr->cols[target[i]];
		for (size_t k = 0; k < c->n; k++) {
			uint32_t l = pr->book[c->first + k].lane;
			at[first[l] + fill[l]++] = c->first + k;
		}
	}
	free(fill);
	int rc = 0;
	unsigned char *seen = calloc(nl + 1, 1);
	if (!seen)
		rc = -1;
	for (size_t i = 0; !rc && i < pr->n_persons; i++) {
		/* only a person worse off than alone, or in the way of one
		 * outside the cap, is priced, and only so often */
		size_t tries = 0;   /* by earlier rounds: what this one made before a kill does not count */
		for (size_t k = 0; k < s->p[i].n_col; k++)
			tries += s->p[i].col[k].origin == 2 && s->p[i].col[k].round < round;
		if (!want[i] || tries >= BATCH_PRICINGS)
			continue;
		struct price x = { i, NULL, 0, "" };
		size_t xcap = 0;
		const struct jt_column *solo = &pr->cols[pr->solo[i]];
		memset(seen, 0, nl + 1);
		for (size_t k = 0; !rc && k < solo->n; k++) {
			uint32_t l = pr->book[solo->first + k].lane;
			if (seen[l]++)
				continue;
			for (size_t m = first[l]; m < first[l + 1]; m++) {
				size_t bi = at[m];
				const struct jt_booking *bk = &pr->book[bi];
				size_t owner = s->book_person[bi];
				if (owner == i || bk->end <= bk->start)
					continue;
				struct bk *e = BUF_PUSH(x.extra, x.n_extra, xcap);
				if (!e) {
					rc = -1;
					break;
				}
				*e = (struct bk){ .start = bk->start, .end = bk->end, .fixed = bk->fixed };
				snprintf(e->lane, sizeof e->lane, "%s", s->lanes.key[l]);
			}
		}
		if (rc) {
			free(x.extra);
			break;
		}
		if (x.n_extra)
			qsort(x.extra, x.n_extra, sizeof *x.extra, by_bk);
		struct hash_ctx *h = hash_new();
		if (!h) {
			free(x.extra);
			rc = -1;
			break;
		}
		for (size_t k = 0; k < x.n_extra; k++) {
			hash_update(h, x.extra[k].lane, strlen(x.extra[k].lane) + 1);
			hash_update(h, &x.extra[k].start, sizeof x.extra[k].start);
			hash_update(h, &x.extra[k].end, sizeof x.extra[k].end);
		}
		hash_final_hex(h, x.basis);
		hash_free(h);
		const struct jperson *p = &s->p[i];
		int known = 0;
		for (size_t k = 0; k < p->n_col && !known; k++)
			known = p->col[k].origin == 2 && strcmp(p->col[k].basis, x.basis) == 0;
		/* priced on this basis already: by an earlier round, or by this
		 * one before a kill (stored, it takes part from the next round:
		 * that round must come, as it would have) */
		for (size_t k = 0; k < p->n_col; k++)
			if (p->col[k].origin == 2 && strcmp(p->col[k].basis, x.basis) == 0 && p->col[k].round >= round)
				(*pending)++;
		if (known || p->n_col >= JOINT_MAX_COLUMNS) {
			free(x.extra);
			continue;
		}
		struct price *v = BUF_PUSH(*out, *n_out, cap);
		if (!v) {
			free(x.extra);
			rc = -1;
			break;
		}
		*v = x;
	}
	free(seen);
	free(first);
	free(at);
	free(target);
	free(want);
	return rc;
}

static void stats_of(const struct jstate *s, const struct jt_problem *pr, const struct jt_components *comps,
		     const struct jt_solution *sol, struct batch_joint_stats *st)
{
	st->persons = pr->n_persons;
	st->moved_off_solo = st->worse = st->over_cap = 0;
	st->worst_loss = 0;
	st->impossible = st->compromise = st->cost = 0;
	st->lb_impossible = st->lb_compromise = st->lb_cost = 0;
	for (size_t i = 0; i < pr->n_persons; i++) {
		const struct jt_column *c = &pr->cols[sol->choice[i]], *o = &pr->cols[pr->solo[i]];
		st->moved_off_solo += sol->choice[i] != pr->solo[i];
		int worse = c->impossible > o->impossible || c->compromise > o->compromise + 1e-6 ||
			    c->cost > o->cost + 1e-6;
		st->worse += worse;
		st->over_cap += !joint_within_cap(pr, sol->choice[i]);
		if (c->cost - o->cost > st->worst_loss)
			st->worst_loss = c->cost - o->cost;
		st->impossible += c->impossible;
		st->compromise += c->compromise;
		st->cost += c->cost;
		st->lb_impossible += o->impossible;
		st->lb_compromise += o->compromise;
		st->lb_cost += o->cost;
	}
	(void)s;
	/* a parent needed by two children at once, as chosen: an impossibility of the caseload */
	for (size_t i = 0; i < comps->n_pairs; i++) {
		const struct jt_pair *q = &comps->pairs[i];
		if (q->soft && sol->choice[pr->cols[q->a].person] == q->a && sol->choice[pr->cols[q->b].person] == q->b)
			st->impossible++;
	}
	double v[3] = { st->impossible, st->compromise, st->cost }, l[3] = { st->lb_impossible, st->lb_compromise, st->lb_cost };
	st->gap = 0;
	for (int t = 0; t < 3; t++)
		if (v[t] > l[t] + 1e-6) {
			st->gap = (v[t] - l[t]) / (fabs(v[t]) > 1e-9 ? fabs(v[t]) : 1);
			break;
		}
}

int batch_joint(struct batch *b, struct batch_joint_stats *st, struct diag *d)
{
	memset(st, 0, sizeof *st);
	struct jstate s = { .b = b, .d = d };
	int rc = 0;
	if (!(s.of = malloc((b->cl->n_persons + 1) * sizeof *s.of))) {
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < b->cl->n_persons; i++)
		s.of[i] = -1;
	if (store_batch_each(b->store, b->run, NULL, load_person, &s, d) < 0 ||
	    store_batch_columns(b->store, b->run, 0, load_column, &s, d) < 0 ||
	    store_batch_bookings(b->store, b->run, load_booking, &s, d) < 0)
		rc = -1;
	if (!rc && s.oom) {
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
		rc = -1;
	}
	struct jt_problem pr;
	struct jt_components comps = { 0 };
	struct jt_solution sol = { 0 };
	st->optimal = 1;
	for (size_t round = 0; !rc; round++) {
		int f = flatten(&s, (int)round, &pr, b->cap, b->time_limit);
		if (f == -2) {
			diag_add(d, D_INTERNAL, NULL, 0, 0, "a stored person lacks its plan alone or as booked");
			rc = -1;
			break;
		}
		if (f < 0) {
			diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
			rc = -1;
			break;
		}
		joint_components_release(&comps);
		/* a round's master need only be good: the bound on its search
		 * is small; the last is solved again with the large one */
		pr.max_nodes = BATCH_ROUND_NODES;
		pr.mip_gap = BATCH_ROUND_GAP;
		if (joint_components(&pr, &comps, d) < 0 || solve_round(b, &pr, &comps, &sol, d) < 0) {
			rc = -1;
			break;
		}
		struct price *v = NULL;
		size_t n = 0, pending = 0;
		if (round < BATCH_ROUNDS && pricing(&s, (int)round, &pr, &comps, &sol, &v, &n, &pending) < 0) {
			diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
			rc = -1;
			break;
		}
		if (!n && !pending) {
			pr.max_nodes = BATCH_FINAL_NODES;
			pr.mip_gap = BATCH_FINAL_GAP;
			if (solve_round(b, &pr, &comps, &sol, d) < 0) {
				rc = -1;
				break;
			}
			st->components = comps.n;
			st->mips = sol.mips;
			st->optimal = sol.optimal && round < BATCH_ROUNDS;
			break;
		}
		st->rounds = round + 1;
		int *next_n = calloc(n + 1, sizeof *next_n);
		for (size_t i = 0; next_n && i < n; i++) {
			const struct jperson *p = &s.p[v[i].person];
			for (size_t k = 0; k < p->n_col; k++)
				if (p->col[k].n + 1 > next_n[i])
					next_n[i] = p->col[k].n + 1;
		}
		struct price_run r = { &s, (int)round, v, n, next_n };
		struct pool *p = n && next_n ? person_pool(b, d) : NULL;
		if (!next_n || (n && !p))
			rc = -1;
		if (!rc && n && pool_run(p, n, price_task, price_done, NULL, &r, d) < 0)
			rc = -1;
		if (rc)
			pool_failed(b);
		if (s.oom && !rc) {
			diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
			rc = -1;
		}
		st->priced_now += n;
		for (size_t i = 0; i < n; i++)
			free(v[i].extra);
		free(v);
		free(next_n);
	}
	if (!rc) {
		stats_of(&s, &pr, &comps, &sol, st);
		for (size_t i = 0; i < s.n; i++)
			for (size_t k = 0; k < s.p[i].n_col; k++)
				st->priced += s.p[i].col[k].origin == 2;
		const char **ids = malloc((pr.n_persons + 1) * sizeof *ids);
		int *chosen = malloc((pr.n_persons + 1) * sizeof *chosen);
		if (!ids || !chosen) {
			diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
			rc = -1;
		}
		for (size_t i = 0; !rc && i < pr.n_persons; i++) {
			const struct jperson *p = &s.p[i];
			ids[i] = b->cl->persons[p->index].id;
			size_t want = sol.choice[i] - s.base[i], seen = 0;
			for (size_t k = 0; k < p->n_col; k++)
				if (takes_part(&p->col[k], (int)st->rounds) && seen++ == want) {
					chosen[i] = p->col[k].n;
					break;
				}
		}
		if (!rc && store_batch_save_choice(b->store, b->run, ids, chosen, pr.n_persons, d) < 0)
			rc = -1;
		free(ids);
		free(chosen);
	}
	joint_components_release(&comps);
	joint_solution_release(&sol);
	for (size_t i = 0; i < s.n; i++) {
		for (size_t k = 0; k < s.p[i].n_col; k++)
			free(s.p[i].col[k].book);
		free(s.p[i].col);
	}
	free(s.p);
	free(s.of);
	free(s.cols);
	free(s.book);
	free(s.solo);
	free(s.booked);
	free(s.base);
	free(s.book_person);
	lanes_release(&s.lanes);
	return rc;
}

/* ---- the pages ------------------------------------------------------------------ */

/* A file name for a person's page: "person-", then the id with anything
 * but letters, digits, '.', '_' and '-' made '_', and then (when anything
 * was) a digest of the id, so that two ids never share a page. The prefix
 * keeps every page apart from index.html (and the summaries), whatever the
 * id. */
#define PAGE_PREFIX "person-"
static char *page_name(const char *id)
{
	size_t n = strlen(id), k = sizeof PAGE_PREFIX - 1;
	char *s = malloc(k + n + 24);
	if (!s)
		return NULL;
	memcpy(s, PAGE_PREFIX, k);
	int changed = n == 0 || id[0] == '.';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)id[i];
		int fine = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
			   c == '_' || c == '-';
		s[k + i] = fine ? (char)c : '_';
		changed |= !fine;
	}
	s[k + n] = 0;
	if (changed) {
		char hex[65];
		hash_sha256_hex(id, n, hex);
		snprintf(s + k + n, 24, "-%.12s", hex);
	}
	if (strlen(s) > 200)
		s[200] = 0;   /* a name the file system takes; the digest keeps it apart */
	strcat(s, ".html");
	return s;
}

struct pages {
	struct batch *b;
	struct outdir *dir;
	struct report_person *v;  /* by person id */
	size_t n, cap;
	char **plan;              /* per v: the chosen plan's text (NULL: none) */
	int *proven;
	size_t *index;            /* per v: into cl->persons */
	size_t *todo, n_todo;     /* v indices with a plan */
	size_t written;
	struct diag *d;
	int oom;
};

static const char *keep(struct pages *pg, const char *s)
{
	char *c = s ? strdup(s) : NULL;
	if (s && !c)
		pg->oom = 1;
	return c;
}

static int page_row(const struct store_batch_person *p, const struct store_batch_column *c, void *arg)
{
	struct pages *pg = arg;
	long idx = caseload_person_index(pg->b->cl, p->person);
	if (idx < 0)
		return 0;
	struct report_person *x = BUF_PUSH(pg->v, pg->n, pg->cap);
	if (!x)
		return pg->oom = 1;
	memset(x, 0, sizeof *x);
	size_t i = pg->n - 1;
	char **np = realloc(pg->plan, pg->cap * sizeof *np);
	int *pv = np ? realloc(pg->proven, pg->cap * sizeof *pv) : NULL;
	if (np)
		pg->plan = np;
	if (pv)
		pg->proven = pv;
	size_t *ix = pv ? realloc(pg->index, pg->cap * sizeof *ix) : NULL;
	if (!ix)
		return pg->oom = 1;
	pg->index = ix;
	pg->index[i] = (size_t)idx;
	int ok = strcmp(p->status, "ok") == 0 && c;
	x->id = keep(pg, p->person);
	x->status = keep(pg, ok ? "ok" : "error");
	x->why = ok ? NULL : keep(pg, p->error ? p->error : "no plan was chosen");
	x->jb = p->before.journeys, x->tb = p->before.travel_min, x->cb = p->before.clashes;
	x->rb = p->before.routine_conflicts, x->eb = p->before.peak_energy;
	if (ok) {
		x->ja = c->after.journeys, x->ta = c->after.travel_min, x->ca = c->after.clashes;
		x->ra = c->after.routine_conflicts, x->ea = c->after.peak_energy, x->changes = c->changes;
	}
	pg->plan[i] = ok ? (char *)keep(pg, c->plan) : NULL;
	pg->proven[i] = ok && c->proven;
	return pg->oom;
}

static char *page_task(void *arg, size_t i, size_t *len)
{
	struct pages *pg = arg;
	size_t v = pg->todo[i];
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	fprintf(f, "R %zu %d\n%s", pg->index[v], pg->proven[v], pg->plan[v]);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int page_done(void *arg, size_t i, const char *msg, size_t len)
{
	struct pages *pg = arg;
	struct report_person *x = &pg->v[pg->todo[i]];
	if (!msg || len < 3 || strncmp(msg, "ok\n", 3) != 0) {
		/* the person's week no longer reads as it did, or the worker
		 * died: no page, and the overview says why */
		const char *why = msg && strncmp(msg, "error\n", 6) == 0 ? msg + 6 : "the page could not be drawn";
		free((char *)x->why);
		x->why = keep(pg, why);
		return pg->oom;
	}
	char *name = page_name(x->id);
	if (!name)
		return pg->oom = 1;
	if (outdir_put(pg->dir, name, msg + 3, len - 3, pg->d) < 0) {
		free(name);
		return 1;
	}
	x->href = name;
	pg->written++;
	return 0;
}

int batch_pages(struct batch *b, struct outdir *dir, size_t *written, struct diag *d)
{
	struct pages pg = { .b = b, .dir = dir, .d = d };
	*written = 0;
	int rc = store_batch_finals(b->store, b->run, page_row, &pg, d) < 0 ? -1 : 0;
	if (!rc && pg.oom)
		rc = -2;
	if (!rc && !(pg.todo = malloc((pg.n + 1) * sizeof *pg.todo)))
		rc = -2;
	for (size_t i = 0; !rc && i < pg.n; i++)
		if (pg.plan[i])
			pg.todo[pg.n_todo++] = i;
	if (!rc && pg.n_todo) {
		struct pool *p = person_pool(b, d);
		rc = p ? pool_run(p, pg.n_todo, page_task, page_done, NULL, &pg, d) : -1;
		if (rc)
			pool_failed(b);
		if (!rc && pg.oom)
			rc = -2;
	}
	if (!rc) {
		char title[96];
		snprintf(title, sizeof title, "Caseload: batch %s, before and after", b->run);
		char *index = report_overview_html(title, pg.v, pg.n, b->now, d);
		if (!index || outdir_put(dir, "index.html", index, strlen(index), d) < 0)
			rc = -1;
		free(index);
	}
	if (rc == -2) {
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
		rc = -1;
	}
	for (size_t i = 0; i < pg.n; i++) {
		free((char *)pg.v[i].id);
		free((char *)pg.v[i].status);
		free((char *)pg.v[i].why);
		free((char *)pg.v[i].href);
		free(pg.plan[i]);
	}
	free(pg.v);
	free(pg.plan);
	free(pg.proven);
	free(pg.index);
	free(pg.todo);
	*written = pg.written;
	return rc;
}

void batch_run_id(struct batch *b)
{
	char opts[128], hex[65];
	snprintf(opts, sizeof opts, "dovetail-batch/2 now=%lld limit=%d cap=%.6f", (long long)b->now, b->time_limit,
		 b->cap);
	struct hash_ctx *h = hash_new();
	if (h) {
		hash_update(h, opts, strlen(opts) + 1);
		hash_update(h, b->cl->digest, 64);
		hash_final_hex(h, hex);
		hash_free(h);
	} else {
		snprintf(hex, sizeof hex, "0000000000000000");
	}
	snprintf(b->run, sizeof b->run, "b-%.16s", hex);
}
