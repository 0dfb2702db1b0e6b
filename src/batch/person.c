/* person.c: one person's work in a person worker: its plans solved alone
 * or priced around others' bookings, as an outcome on the wire, and its
 * page drawn from a stored plan (docs/batch.md). */
#include "internal.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/caseload.h"
#include "dovetail/fetch.h"
#include "dovetail/joint.h"
#include "dovetail/person.h"
#include "dovetail/profile.h"
#include "dovetail/report.h"
#include "dovetail/solver.h"
#include "dovetail/util.h"
#include "dovetail/xalloc.h"

/* ---- one person ------------------------------------------------------------ */

/* Frees o's plans; the rest of o stays. */
static void drop_columns(struct outcome *o)
{
	for (size_t i = 0; i < o->n_col; i++) {
		free(o->col[i].result);
		free(o->col[i].plan);
		free(o->col[i].book);
	}
	free(o->col);
	o->col = NULL;
	o->n_col = o->cap = 0;
}

void bt_outcome_release(struct outcome *o)
{
	drop_columns(o);
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
		b.data = xstrdup(path);
		b.len = b.data ? strlen(b.data) : 0;
		if (!b.data)
			return NULL;
	} else if (file_read_all(path, 64u << 20, &b, d) < 0) {
		return NULL;
	}
	struct feed_hash *h = BUF_PUSH(feed_hashes, n_feed_hashes, cap_feed_hashes);
	if (!h || !(h->source = xstrdup(source))) {
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

void bt_first_error(const struct diag *d, char *out, size_t sz)
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

void bt_outcome_fail(struct outcome *o, const char *why)
{
	drop_columns(o);
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
static void add_busy(struct week *w, const struct profile *prof, const struct bk *extra, size_t n_extra)
{
	for (size_t k = 0; k < n_extra; k++) {
		if (strncmp(extra[k].lane, CL_CARER_PREFIX, strlen(CL_CARER_PREFIX)) == 0) {
			/* a shared carer's time with another person: busy time of
			 * each of this person's carers who names that feed */
			for (size_t c = 0; c < prof->n_carers; c++) {
				const struct prof_carer *cr = &prof->carers[c];
				int named = 0;
				char key[CL_KEY_MAX];
				for (size_t j = 0; j < cr->n_feeds && !named; j++) {
					caseload_carer_key(cr->feeds[j].source, key);
					named = strcmp(key, extra[k].lane) == 0;
				}
				if (!named)
					continue;
				*BUF_PUSH(w->busy, w->n_busy, w->busy_cap) =
					(struct wk_busy){ -1 - (int)c, extra[k].start, extra[k].end };
			}
			continue;
		}
		int pi = profile_prac_index(prof, extra[k].lane);
		if (pi < 0)
			continue;
		*BUF_PUSH(w->busy, w->n_busy, w->busy_cap) = (struct wk_busy){ pi, extra[k].start, extra[k].end };
	}
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
	unsigned char *kept = xcalloc(moved.n_appts + 1, 1);
	for (size_t i = 0; i < in->n; i++) {
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
	for (size_t k = 0; k < moved.n_appts; k++) {
		const struct wk_appt *ap = &moved.appts[k];
		const char *pid = prof->pracs[ap->prac].id;
		if (caseload_prac_index(b->cl, pid) >= 0) {
			struct bk *x = BUF_PUSH(c->book, c->n_book, c->cap);
			*x = (struct bk){ .start = ap->start, .end = ap->end, .fixed = kept[k] };
			assert(strlen(pid) < sizeof x->lane); /* ids are checked at load: PROFILE_MAX_ID */
			snprintf(x->lane, sizeof x->lane, "%s", pid);
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
		for (size_t j = 0; j < carer->n_feeds; j++) {
			struct bk *x = BUF_PUSH(c->book, c->n_book, c->cap);
			*x = (struct bk){ .start = cs, .end = ce, .fixed = kept[k] };
			caseload_carer_key(carer->feeds[j].source, x->lane);
		}
	}
	free(kept);
	week_release(&moved);
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
		xalloc_die();   /* a memory stream fails only out of memory */
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
	if (fclose(f) != 0)
		xalloc_die();
	return buf;
}

/* One column from proposal x (its plan, tiers, figures, bookings). */
static int add_column(const struct batch *b, const struct person *cw, const struct sv_result *r,
		      const struct sv_proposal *x, const char *origin, struct outcome *o, struct diag *d)
{
	struct col_out *c = BUF_PUSH(o->col, o->n_col, o->cap);
	memset(c, 0, sizeof *c);
	snprintf(c->origin, sizeof c->origin, "%s", origin);
	c->impossible = x->impossible;
	c->compromise = x->compromise;
	c->cost = x->objective;
	c->proven = x->proven;
	figures_of(&x->after, &c->after);
	c->changes = (int)x->n_changes;
	c->appts = (int)r->in.n;
	c->result = result_json(&cw->week, cw->prof, &r->in, x);
	if (plan_encode(&r->in, &x->plan, &c->plan, d) < 0)
		return -1;
	return bookings_of(b, cw->prof, &r->in, &x->plan, c, d);
}

/* The week as booked as a proposal: its tiers and totals, no changes. */
static int as_booked(const struct instance *in, struct sv_proposal *x, struct diag *d)
{
	struct plan pl = { xcalloc(in->n + 1, sizeof *pl.at), in->n };
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
void bt_solve_person(const struct batch *b, struct store *st, size_t i, const char *stored,
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
	if (person_digest(b, cp, o->digest, &d) < 0) {
		/* inputs that do not read: the digest of how they fail, so that a
		 * resume does not solve the person again while they fail alike */
		bt_first_error(&d, why, sizeof why);
		struct hash_ctx *h = hash_new();
		if (h) {
			hash_update(h, "unreadable\n", 11);
			hash_update(h, cp->id, strlen(cp->id) + 1);
			hash_update(h, why, strlen(why));
			hash_final_hex(h, o->digest);
			hash_free(h);
		}
		if (stored && h && strcmp(stored, o->digest) == 0)
			o->status = "same";
		else
			bt_outcome_fail(o, why);
		goto out;
	}
	if (stored && strcmp(stored, o->digest) == 0) {
		o->status = "same";
		goto out;
	}
	struct profile *prof;
	if (profile_load(&prof, path, &d) < 0)
		goto failed;
	/* person_open takes prof, whatever it returns */
	struct person_opts po = { b->now, PERSON_DEFAULT_DATE, PERSON_DEFAULT_DATE, b->lim,
				   PERSON_TRUST_SAME };   /* the worker keeps no feed's warnings */
	if (person_open(&cw, prof, st, &po, &d) < 0)
		goto failed;
	const char *bad;
	if (strcmp(cw.prof->person_id, cp->id) != 0) {
		snprintf(why, sizeof why, "%s:%d:%d: the caseload says %s, but %s has person.id %s", b->cl->path, cp->line,
			 cp->col, cp->id, path, cw.prof->person_id);
		bt_outcome_fail(o, why);
		goto out;
	}
	if ((bad = shared_feeds_differ(b->cl, cw.prof))) {
		snprintf(why, sizeof why, "%s: practitioner %s names other feeds than the caseload's", path, bad);
		bt_outcome_fail(o, why);
		goto out;
	}
	add_busy(&cw.week, cw.prof, extra, n_extra);
	/* one thread: the workers are the batch's parallelism */
	struct sv_options opt = { .k = priced ? 1 : BATCH_PLANS, .max_changes = -1, .ladder = 0,
				  .time_limit = b->time_limit, .now = b->now, .threads = 1 };
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
	bt_first_error(&d, why, sizeof why);
	bt_outcome_fail(o, why);
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
char *bt_encode_outcome(const struct outcome *o, size_t *len)
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
	char *s = xmalloc(n + 1);
	if (s) {
		memcpy(s, *p, n);
		s[n] = 0;
		*p += n;
	}
	return s;
}

int bt_decode_outcome(char *msg, size_t len, struct outcome *o)
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
			char lane[CL_KEY_MAX];
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

/* ---- the page ---------------------------------------------------------------- */

/* The page of person idx's plan (its text), drawn as report_of_solution
 * draws a proposal just solved: "ok\n" and the page, or "error\n" and
 * why (ids and positions only). */
char *bt_draw_page(struct wstate *s, size_t idx, int proven, const char *text, size_t *out_len)
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
		struct person_opts po = { s->b.now, PERSON_DEFAULT_DATE, PERSON_DEFAULT_DATE, s->b.lim,
					   PERSON_TRUST_SAME };
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
			bt_first_error(&d, why, sizeof why);
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

