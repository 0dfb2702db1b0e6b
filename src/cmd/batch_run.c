/* batch_run.c: persons solved in worker processes, the final pass against double-booking, the summary. */
#include "batch_run.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dovetail/fetch.h"
#include "dovetail/report.h"
#include "dovetail/solver.h"
#include "dovetail/util.h"

/* ---- one person ------------------------------------------------------------ */

/* A booking of someone persons may share: a practitioner the caseload
 * lists (by id), or a carer (by carer_key of one of the carer's feeds). */
struct booking {
	char prac[72];
	int64_t start, end;
};

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

/* What solving one person gives. */
struct outcome {
	char digest[65];
	const char *status;       /* "same" (unchanged inputs, not solved), "ok", "partial", "error" */
	char *result;             /* JSON, malloc'd */
	char *html;               /* the report (batch --report), malloc'd, or NULL */
	char metrics[320];
	struct booking *book;
	size_t n_book, cap;
};

static void outcome_release(struct outcome *o)
{
	free(o->result);
	free(o->html);
	free(o->book);
	memset(o, 0, sizeof *o);
}

/* A per-process cache of feed digests, by canonical path. */
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

/* The digest of a person's inputs: the id, the profile's bytes, each feed
 * it names (path and content), the clock and the options. */
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
	char opts[64];
	snprintf(opts, sizeof opts, "now=%lld limit=%d", (long long)b->app->now, b->time_limit);
	int rc = 0;
	if (!h)
		rc = -1;
	for (size_t i = 0; !rc && i < p->n_pracs; i++) {
		for (size_t j = 0; !rc && j < p->pracs[i].n_feeds; j++) {
			const struct prof_path *f = &p->pracs[i].feeds[j];
			const char *hex = feed_digest(f->source, f->path, d);
			if (!hex) {
				rc = -1;
				break;
			}
			hash_update(h, f->source, strlen(f->source) + 1);
			hash_update(h, hex, 65);
		}
	}
	for (size_t i = 0; !rc && i < p->n_carers; i++) {
		for (size_t j = 0; !rc && j < p->carers[i].n_feeds; j++) {
			const struct prof_path *f = &p->carers[i].feeds[j];
			const char *hex = feed_digest(f->source, f->path, d);
			if (!hex) {
				rc = -1;
				break;
			}
			hash_update(h, f->source, strlen(f->source) + 1);
			hash_update(h, hex, 65);
		}
	}
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
		return;
	}
}

static void json_totals(FILE *f, const struct sv_totals *t)
{
	fprintf(f, "{\"journeys\": %d, \"travel_hours\": %.2f, \"travel_money\": %.2f, \"clashes\": %d,"
		   " \"routine_conflicts\": %d, \"peak_energy\": %.2f, \"unfamiliar_people\": %d}",
		t->journeys, t->travel_min / 60.0, t->travel_cost, t->clashes, t->routine_conflicts,
		t->peak_energy, t->unfamiliar_max);
}

static void metrics_of(const struct sv_totals *t, char *out, size_t sz)
{
	snprintf(out, sz, "%d %d %.2f %d %d %.2f %d", t->journeys, t->travel_min, t->travel_cost,
		 t->clashes, t->routine_conflicts, t->peak_energy, t->unfamiliar_max);
}

/* Tabs and newlines out of a reason (it ends a tab-separated field). */
static void one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20)
			*s = ' ';
}

static void error_result(struct outcome *o, const char *id, const char *why)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f) {
		fputs("{\"person\": ", f);
		cli_put_json(f, id);
		fputs(", \"status\": \"error\", \"error\": ", f);
		cli_put_json(f, why);
		fputs("}", f);
		fclose(f);
	}
	o->status = "error";
	o->result = buf;
	int k = snprintf(o->metrics, sizeof o->metrics, "error\t%s", why);
	if (k > 0)
		one_line(o->metrics + 6);
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

/* Solve person i alone (extra: other persons' bookings to keep clear of),
 * with the feeds imported into st. Everything goes in o. */
static void solve_person(const struct batch *b, struct store *st, size_t i, const char *stored,
			 const struct booking *extra, size_t n_extra, struct outcome *o)
{
	const struct cl_person *cp = &b->cl->persons[i];
	/* a worker runs in the caseload's folder, so that messages name files
	 * as the caseload does, wherever it was run from */
	const char *profile = b->in_dir ? cp->given : cp->profile;
	struct app a = *b->app;
	a.store = st;
	diag_init(&a.diag);
	char why[512];
	memset(o, 0, sizeof *o);
	if (person_digest(b, cp, o->digest, &a.diag) < 0) {
		first_error(&a.diag, why, sizeof why);
		error_result(o, cp->id, why);
		goto out;
	}
	if (stored && strcmp(stored, o->digest) == 0) {
		o->status = "same";
		goto out;
	}
	struct person cw;
	if (cli_week_open(&a, profile, NULL, NULL, &cw) != 0) {
		first_error(&a.diag, why, sizeof why);
		error_result(o, cp->id, why);
		cli_week_release(&cw);
		goto out;
	}
	const char *bad;
	if (strcmp(cw.prof->person_id, cp->id) != 0) {
		snprintf(why, sizeof why, "%s: person.id is %s, the caseload says %s", profile,
			 cw.prof->person_id, cp->id);
		error_result(o, cp->id, why);
		cli_week_release(&cw);
		goto out;
	}
	if ((bad = shared_feeds_differ(b->cl, cw.prof))) {
		snprintf(why, sizeof why, "%s: practitioner %s names other feeds than the caseload's", profile, bad);
		error_result(o, cp->id, why);
		cli_week_release(&cw);
		goto out;
	}
	struct week *w = &cw.week;
	int oom = 0;
	for (size_t k = 0; k < n_extra && !oom; k++) {
		if (strncmp(extra[k].prac, CARER_PREFIX, strlen(CARER_PREFIX)) == 0) {
			/* a shared carer's time with another person: busy time of
			 * each of this person's carers who names that feed */
			for (size_t c = 0; c < cw.prof->n_carers && !oom; c++) {
				const struct prof_carer *cr = &cw.prof->carers[c];
				int named = 0;
				char key[72];
				for (size_t j = 0; j < cr->n_feeds && !named; j++) {
					carer_key(cr->feeds[j].source, key);
					named = strcmp(key, extra[k].prac) == 0;
				}
				struct wk_busy *x = named ? BUF_PUSH(w->busy, w->n_busy, w->busy_cap) : NULL;
				if (x)
					*x = (struct wk_busy){ -1 - (int)c, extra[k].start, extra[k].end };
				oom = named && !x;
			}
			continue;
		}
		int pi = profile_prac_index(cw.prof, extra[k].prac);
		struct wk_busy *x = pi >= 0 ? BUF_PUSH(w->busy, w->n_busy, w->busy_cap) : NULL;
		if (x)
			*x = (struct wk_busy){ pi, extra[k].start, extra[k].end };
		oom = pi >= 0 && !x;
	}
	if (oom) {
		error_result(o, cp->id, "out of memory");
		cli_week_release(&cw);
		goto out;
	}
	struct sv_options opt = { .k = 1, .max_changes = -1, .ladder = 0, .time_limit = b->time_limit,
				  .now = b->app->now };
	struct sv_result r;
	if (solve_propose(w, &opt, &r, &a.diag) < 0 || !r.n_props) {
		first_error(&a.diag, why, sizeof why);
		error_result(o, cp->id, why);
		sv_result_release(&r);
		cli_week_release(&cw);
		goto out;
	}
	const struct sv_proposal *x = &r.props[0];
	o->status = x->n_unplaced ? "partial" : "ok";
	char m1[128], m2[128];
	metrics_of(&r.before, m1, sizeof m1);
	metrics_of(&x->after, m2, sizeof m2);
	int k0 = snprintf(o->metrics, sizeof o->metrics, "%s %s %zu %zu %zu", m1, m2, x->n_changes,
			  r.in.n - x->n_unplaced, x->n_unplaced);
	/* partial: why, briefly (ids only; the result has every reason) */
	for (size_t u = 0; u < x->n_unplaced && k0 > 0 && (size_t)k0 < sizeof o->metrics; u++) {
		const struct wk_appt *ap = &w->appts[r.in.a[x->unplaced[u].appt].appt];
		k0 += snprintf(o->metrics + k0, sizeof o->metrics - (size_t)k0, "%s%s (UID %s): %s",
			       u ? "; " : "\t", cw.prof->pracs[ap->prac].id, ap->uid, x->unplaced[u].reason);
	}
	char *tab = strchr(o->metrics, '\t');
	if (tab)
		one_line(tab + 1);
	/* the bookings of shared practitioners and of carers, as the plan
	 * places them: a carer from leaving home to coming back, under each
	 * feed of theirs (another person may name any of them) */
	struct week moved;
	if (plan_week(&r.in, &x->plan, &moved, &a.diag) < 0) {
		first_error(&a.diag, why, sizeof why);
		error_result(o, cp->id, why);
		sv_result_release(&r);
		cli_week_release(&cw);
		goto out;
	}
	for (size_t k = 0; k < moved.n_appts && !oom; k++) {
		const struct wk_appt *ap = &moved.appts[k];
		const char *pid = cw.prof->pracs[ap->prac].id;
		if (caseload_prac_index(b->cl, pid) >= 0) {
			struct booking *bk = BUF_PUSH(o->book, o->n_book, o->cap);
			if (bk) {
				*bk = (struct booking){ .start = ap->start, .end = ap->end };
				snprintf(bk->prac, sizeof bk->prac, "%s", pid);
			}
			oom = !bk;
		}
		int c = week_carer_for(&moved, ap, ap->venue, ap->start, ap->end);
		if (c == WEEK_CARER_NONE_FREE) {
			/* a clash as booked: the first carer who takes it is
			 * counted there, as check counts the clash */
			for (size_t q = 0; q < cw.prof->n_carers && c < 0; q++)
				if (!cw.prof->carers[q].takes || (cw.prof->carers[q].takes >> ap->prac & 1))
					c = (int)q;
		}
		if (c < 0)
			continue;
		int64_t cs, ce;
		week_carer_span(&moved, ap->venue, ap->start, ap->end, &cs, &ce);
		const struct prof_carer *cr = &cw.prof->carers[c];
		for (size_t j = 0; j < cr->n_feeds && !oom; j++) {
			struct booking *bk = BUF_PUSH(o->book, o->n_book, o->cap);
			if (bk) {
				*bk = (struct booking){ .start = cs, .end = ce };
				carer_key(cr->feeds[j].source, bk->prac);
			}
			oom = !bk;
		}
	}
	week_release(&moved);
	if (oom) {
		error_result(o, cp->id, "out of memory");
		sv_result_release(&r);
		cli_week_release(&cw);
		goto out;
	}
	/* an unplaced appointment still ties the person to its practitioner:
	 * a zero-length booking (it overlaps nothing) puts the person in that
	 * practitioner's lane, so that the final pass checks a re-solve that
	 * does place it */
	for (size_t u = 0; u < x->n_unplaced; u++) {
		const struct wk_appt *ap = &w->appts[r.in.a[x->unplaced[u].appt].appt];
		const char *pid = cw.prof->pracs[ap->prac].id;
		struct booking *bk = caseload_prac_index(b->cl, pid) >= 0 ? BUF_PUSH(o->book, o->n_book, o->cap) : NULL;
		if (bk) {
			snprintf(bk->prac, sizeof bk->prac, "%s", pid);
			bk->start = bk->end = 0;
		}
	}
	if (b->report && !(o->html = report_of_solution(w, &r.in, x, b->app->now, &a.diag))) {
		first_error(&a.diag, why, sizeof why);
		error_result(o, cp->id, why);
		sv_result_release(&r);
		cli_week_release(&cw);
		goto out;
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f) {
		fputs("{\"person\": ", f);
		cli_put_json(f, cp->id);
		fprintf(f, ", \"status\": \"%s\", \"proposal\": \"%s\", \"objective\": %.4f, \"proven\": %s,"
			   "\n  \"before\": ", o->status, x->id, x->objective, x->proven ? "true" : "false");
		json_totals(f, &r.before);
		fputs(",\n  \"after\": ", f);
		json_totals(f, &x->after);
		fputs(",\n  \"changes\": [", f);
		for (size_t c = 0; c < x->n_changes; c++) {
			const struct sv_change *ch = &x->changes[c];
			const struct sv_appt *sa = &r.in.a[ch->appt];
			const struct wk_appt *ap = &w->appts[sa->appt];
			char from[24], to[24];
			time_fmt_local(ch->ch.from.date, ch->ch.from.start, from, sizeof from);
			time_fmt_local(ch->ch.to.date, ch->ch.to.start, to, sizeof to);
			fputs(c ? ",\n    {\"practitioner\": " : "\n    {\"practitioner\": ", f);
			cli_put_json(f, cw.prof->pracs[ap->prac].id);
			fputs(", \"uid\": ", f);
			cli_put_json(f, ap->uid);
			fputs(", \"recurrence_id\": ", f);
			cli_put_json(f, ap->rid);
			fprintf(f, ", \"from\": \"%s\", \"to\": \"%s\", \"to_venue\": ", from, to);
			cli_put_json(f, ch->ch.to.venue ? ch->ch.to.venue : "");
			fputs("}", f);
		}
		fputs(x->n_changes ? "],\n  \"unplaced\": [" : "],\n  \"unplaced\": [", f);
		for (size_t u = 0; u < x->n_unplaced; u++) {
			const struct wk_appt *ap = &w->appts[r.in.a[x->unplaced[u].appt].appt];
			fputs(u ? ",\n    {\"practitioner\": " : "\n    {\"practitioner\": ", f);
			cli_put_json(f, cw.prof->pracs[ap->prac].id);
			fputs(", \"uid\": ", f);
			cli_put_json(f, ap->uid);
			fputs(", \"reason\": ", f);
			cli_put_json(f, x->unplaced[u].reason);
			fputs("}", f);
		}
		fputs("]}", f);
		fclose(f);
	}
	o->result = buf;
	sv_result_release(&r);
	cli_week_release(&cw);
out:
	if (!o->digest[0])
		snprintf(o->digest, sizeof o->digest, "-");
	diag_release(&a.diag);
	if (!o->result && strcmp(o->status ? o->status : "", "same") != 0) {
		o->status = "error";
		o->result = strdup("{\"status\": \"error\", \"error\": \"out of memory\"}");
		snprintf(o->metrics, sizeof o->metrics, "error");
	}
}

/* ---- worker processes ------------------------------------------------------ */

struct task {
	uint32_t index;
	char stored[65];          /* the digest the store holds for it, or "" */
};

static int write_all_fd(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t k = write(fd, c, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		c += k;
		n -= (size_t)k;
	}
	return 0;
}

static int read_all_fd(int fd, void *p, size_t n)
{
	char *c = p;
	while (n) {
		ssize_t k = read(fd, c, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		c += k;
		n -= (size_t)k;
	}
	return 0;
}

/* The message a worker sends for one person: a length, then lines. */
static char *encode(uint32_t index, const struct outcome *o, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	if (!f)
		return NULL;
	fprintf(f, "%u\n%s\n%s\n%s\n%zu\n", index, o->digest, o->status, o->metrics, o->n_book);
	for (size_t i = 0; i < o->n_book; i++)
		fprintf(f, "%s\t%lld\t%lld\n", o->book[i].prac, (long long)o->book[i].start,
			(long long)o->book[i].end);
	size_t hl = o->html ? strlen(o->html) : 0;
	fprintf(f, "%zu\n", hl);
	if (hl)
		fwrite(o->html, 1, hl, f);
	fputs(o->result ? o->result : "", f);
	fclose(f);
	*len = n;
	return buf;
}

/* The next line of *p (its newline cut), or NULL at the end. Empty
 * lines are lines: nothing is collapsed. */
static char *next_line(char **p)
{
	char *l = *p, *nl = l ? strchr(l, '\n') : NULL;
	if (!nl)
		return NULL;
	*nl = 0;
	*p = nl + 1;
	return l;
}

static int decode(char *msg, uint32_t *index, struct outcome *o)
{
	memset(o, 0, sizeof *o);
	char *p = msg, *lines[5];
	for (int i = 0; i < 5; i++)
		if (!(lines[i] = next_line(&p)))
			return -1;
	*index = (uint32_t)strtoul(lines[0], NULL, 10);
	snprintf(o->digest, sizeof o->digest, "%s", lines[1]);
	static const char *const st[] = { "same", "ok", "partial", "error" };
	for (int i = 0; i < 4; i++)
		if (strcmp(lines[2], st[i]) == 0)
			o->status = st[i];
	if (!o->status)
		return -1;
	snprintf(o->metrics, sizeof o->metrics, "%s", lines[3]);
	size_t nb = strtoul(lines[4], NULL, 10);
	for (size_t i = 0; i < nb; i++) {
		char *line = next_line(&p);
		struct booking *bk = line ? BUF_PUSH(o->book, o->n_book, o->cap) : NULL;
		if (!bk)
			return -1;
		char *t1 = strchr(line, '\t');
		char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		if (!t2)
			return -1;
		*t1 = 0;
		snprintf(bk->prac, sizeof bk->prac, "%s", line);
		bk->start = strtoll(t1 + 1, NULL, 10);
		bk->end = strtoll(t2 + 1, NULL, 10);
	}
	/* the report: its length, then its bytes */
	char *hl_line = next_line(&p);
	if (!hl_line)
		return -1;
	size_t hl = strtoul(hl_line, NULL, 10);
	if (hl) {
		if (strlen(p) < hl || !(o->html = malloc(hl + 1)))
			return -1;
		memcpy(o->html, p, hl);
		o->html[hl] = 0;
		p += hl;
	}
	/* the rest is the result, newlines and all */
	if (strcmp(o->status, "same") != 0 && !(o->result = strdup(p)))
		return -1;
	return 0;
}

/* A private folder for a process's own feed store: $TMPDIR/dovetail-batch.XXXXXX,
 * locked while this process lives, so that a later batch can tell one a
 * killed process left (file_scratch_clean). One at a time per process. */
static int scratch_lock = -1;

static struct store *scratch_store(char *dir, size_t sz, struct diag *d)
{
	if (file_scratch_make("dovetail-batch", dir, sz, &scratch_lock, d) < 0)
		return NULL;
	char path[600];
	snprintf(path, sizeof path, "%s/feeds.db", dir);
	struct store *s = NULL;
	store_open(&s, path, 0, d);
	return s;
}

static void scratch_remove(struct store *s, const char *dir)
{
	store_close(s);
	file_scratch_remove(dir, scratch_lock);
	scratch_lock = -1;
}

static void worker(const struct batch *b0, int task_fd, int result_fd)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);   /* the batch dies: so do its workers */
	signal(SIGPIPE, SIG_IGN);
	char dir[512];
	struct diag d;
	diag_init(&d);
	struct store *st = scratch_store(dir, sizeof dir, &d);
	struct batch bw = *b0;
	const struct batch *b = &bw;
	if (!st)
		_exit(3);
	if (chdir(b0->cl->dir) == 0)
		bw.in_dir = 1;
	struct task t;
	while (read_all_fd(task_fd, &t, sizeof t) == 0) {
		struct outcome o;
		solve_person(b, st, t.index, t.stored[0] ? t.stored : NULL, NULL, 0, &o);
		size_t len;
		char *msg = encode(t.index, &o, &len);
		uint32_t n = (uint32_t)len;
		int failed = !msg || write_all_fd(result_fd, &n, sizeof n) < 0 ||
			     write_all_fd(result_fd, msg, len) < 0;
		free(msg);
		outcome_release(&o);
		if (failed)
			break;
	}
	scratch_remove(st, dir);
	_exit(0);
}

struct proc {
	pid_t pid;
	int task_fd, result_fd;
	long busy;                /* the person it is solving, or -1 */
	char *buf;                /* the message being read */
	uint32_t len;
};

/* Start worker `self` of w[0 .. n): the child keeps only its own pipes,
 * so that each worker sees the end of its tasks when the batch closes them. */
static int spawn(const struct batch *b, struct proc *w, int n, int self)
{
	struct proc *p = &w[self];
	int tp[2], rp[2];
	if (pipe(tp) < 0)
		return -1;
	if (pipe(rp) < 0) {
		close(tp[0]);
		close(tp[1]);
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(tp[0]);
		close(tp[1]);
		close(rp[0]);
		close(rp[1]);
		return -1;
	}
	if (pid == 0) {
		close(tp[1]);
		close(rp[0]);
		for (int j = 0; j < n; j++) {
			if (j == self)
				continue;
			if (w[j].task_fd > 0)
				close(w[j].task_fd);
			if (w[j].result_fd > 0)
				close(w[j].result_fd);
		}
		worker(b, tp[0], rp[1]);
	}
	close(tp[0]);
	close(rp[1]);
	memset(p, 0, sizeof *p);
	p->pid = pid;
	p->task_fd = tp[1];
	p->result_fd = rp[0];
	p->busy = -1;
	return 0;
}

static void reap(struct proc *p)
{
	if (p->task_fd >= 0)
		close(p->task_fd);
	if (p->result_fd >= 0)
		close(p->result_fd);
	p->task_fd = p->result_fd = -1;
	int status;
	while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
		;
	free(p->buf);
	p->buf = NULL;
}

/* The person of a stored row, by a binary search (persons are sorted by id); -1 if none. */
static long person_index(const struct caseload *cl, const char *id)
{
	size_t lo = 0, hi = cl->n_persons;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(cl->persons[mid].id, id);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int collect_digest(const struct store_batch_row *r, void *arg)
{
	struct { const struct caseload *cl; char **digest; } *k = arg;
	long i = person_index(k->cl, r->person);
	if (i >= 0)
		k->digest[i] = strdup(r->digest);
	return 0;
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void draw(size_t done, size_t total, double t0, double *last, int final)
{
	double now = mono();
	if (!final && now - *last < 0.2)
		return;
	*last = now;
	double rate = now > t0 ? done / (now - t0) : 0;
	double eta = rate > 0 ? (total - done) / rate : 0;
	int width = 30, fill = total ? (int)(width * done / total) : width;
	fprintf(stderr, "\r[%.*s%.*s] %zu/%zu persons  %.1f/s  ETA %d:%02d ", fill,
		"##############################", width - fill, "..............................", done,
		total, rate, (int)eta / 60, (int)eta % 60);
	if (final)
		fputc('\n', stderr);
	fflush(stderr);
}

/* Record a worker's outcome for person i. */
static int record(struct batch *b, size_t i, const struct outcome *o)
{
	if (strcmp(o->status, "same") == 0)
		return 0;
	struct store_booking *sb = calloc(o->n_book + 1, sizeof *sb);
	if (!sb) {
		diag_add(&b->app->diag, D_INTERNAL, NULL, 0, 0, "out of memory");
		return -1;
	}
	for (size_t k = 0; k < o->n_book; k++)
		sb[k] = (struct store_booking){ o->book[k].prac, o->book[k].start, o->book[k].end };
	struct store_batch_row r = { b->cl->persons[i].id, o->digest, o->status, o->result, o->metrics,
				     NULL, NULL, NULL, NULL, o->html };
	int rc = store_batch_save(b->app->store, b->run, &r, sb, o->n_book, &b->app->diag);
	free(sb);
	return rc;
}

int batch_solve_alone(struct batch *b, const size_t *todo, size_t n, int resume, size_t *n_done)
{
	*n_done = 0;
	const struct caseload *cl = b->cl;
	char **digest = calloc(cl->n_persons + 1, sizeof *digest);
	if (!digest) {
		diag_add(&b->app->diag, D_INTERNAL, NULL, 0, 0, "out of memory");
		return DV_EXIT_INTERNAL;
	}
	struct { const struct caseload *cl; char **digest; } k = { cl, digest };
	if (resume && store_batch_each(b->app->store, b->run, NULL, collect_digest, &k, &b->app->diag) < 0) {
		free(digest);
		return DV_EXIT_STORE;
	}
	int jobs = b->jobs < 1 ? 1 : b->jobs;
	if ((size_t)jobs > n)
		jobs = n ? (int)n : 1;
	struct proc *w = calloc((size_t)jobs, sizeof *w);
	int status = 0;
	size_t next = 0, done = 0, running = 0;
	double t0 = mono(), last = 0;
	for (int j = 0; w && j < jobs; j++) {
		w[j].task_fd = w[j].result_fd = -1;
	}
	for (int j = 0; w && j < jobs; j++) {
		if (spawn(b, w, jobs, j) < 0) {
			diag_add(&b->app->diag, D_INTERNAL, NULL, 0, 0, "cannot start a worker process");
			status = DV_EXIT_INTERNAL;
			jobs = j;
			break;
		}
		running++;
	}
	if (!w)
		status = DV_EXIT_INTERNAL;
	struct pollfd *pf = calloc((size_t)jobs + 1, sizeof *pf);
	while (!status && pf && (done < n)) {
		/* hand out work */
		for (int j = 0; j < jobs && next < n; j++) {
			if (w[j].busy >= 0 || w[j].task_fd < 0)
				continue;
			struct task t;
			memset(&t, 0, sizeof t);
			t.index = (uint32_t)todo[next];
			if (digest[todo[next]])
				snprintf(t.stored, sizeof t.stored, "%s", digest[todo[next]]);
			if (write_all_fd(w[j].task_fd, &t, sizeof t) < 0)
				break;
			w[j].busy = (long)todo[next++];
		}
		for (int j = 0; j < jobs; j++) {
			pf[j].fd = w[j].result_fd;
			pf[j].events = POLLIN;
			pf[j].revents = 0;
		}
		if (poll(pf, (nfds_t)jobs, -1) < 0) {
			if (errno == EINTR)
				continue;
			status = DV_EXIT_INTERNAL;
			break;
		}
		for (int j = 0; j < jobs && !status; j++) {
			if (!(pf[j].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			struct proc *p = &w[j];
			/* the length, then the message; a short read is the worker dying */
			if (read_all_fd(p->result_fd, &p->len, sizeof p->len) < 0 ||
			    !(p->buf = malloc((size_t)p->len + 1)) ||
			    read_all_fd(p->result_fd, p->buf, p->len) < 0) {
				long lost = p->busy;
				reap(p);
				if (lost >= 0) {
					struct outcome o;
					memset(&o, 0, sizeof o);
					error_result(&o, cl->persons[lost].id, "the worker process solving it died");
					snprintf(o.digest, sizeof o.digest, "-");
					if (record(b, (size_t)lost, &o) < 0)
						status = DV_EXIT_STORE;
					outcome_release(&o);
					done++;
				}
				if (!status && spawn(b, w, jobs, j) < 0)
					status = DV_EXIT_INTERNAL;
				continue;
			}
			p->buf[p->len] = 0;
			uint32_t index;
			struct outcome o;
			if (decode(p->buf, &index, &o) < 0 || (long)index != p->busy) {
				diag_add(&b->app->diag, D_INTERNAL, NULL, 0, 0, "a worker sent a malformed result");
				status = DV_EXIT_INTERNAL;
			} else if (record(b, index, &o) < 0) {
				status = DV_EXIT_STORE;
			} else {
				if (strcmp(o.status, "same") != 0)
					(*n_done)++;
				done++;
			}
			outcome_release(&o);
			free(p->buf);
			p->buf = NULL;
			p->busy = -1;
		}
		if (b->progress)
			draw(done, n, t0, &last, done == n);
	}
	/* all tasks closed first: then every worker sees its end; on a failure
	 * the workers are stopped rather than waited for */
	for (int j = 0; w && j < jobs; j++) {
		if (w[j].task_fd >= 0)
			close(w[j].task_fd);
		w[j].task_fd = -1;
		if (status && w[j].pid > 0)
			kill(w[j].pid, SIGKILL);
	}
	for (int j = 0; w && j < jobs; j++)
		if (w[j].pid > 0)
			reap(&w[j]);
	free(pf);
	free(w);
	for (size_t i = 0; i < cl->n_persons; i++)
		free(digest[i]);
	free(digest);
	return status;
}

/* ---- the final pass ---------------------------------------------------------- */

/* The final bookings so far, per shared practitioner or carer: lanes by
 * the booking's key, in an open-addressing table. */
struct slot {
	int64_t start, end;
};
struct lane {
	char *key;                /* NULL: an empty entry */
	struct slot *v;
	size_t n, cap;
};
struct lanes {
	struct lane *v;
	size_t n, cap;            /* cap: 0 or a power of two */
};

static size_t key_hash(const char *k)
{
	uint64_t h = 1469598103934665603u;
	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211u;
	return (size_t)h;
}

/* The lane of key, or NULL when there is none yet (create 0) or no memory. */
static struct lane *lane_of(struct lanes *t, const char *key, int create)
{
	if (create && (t->n + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct lane *v = calloc(cap, sizeof *v);
		if (!v)
			return NULL;
		for (size_t i = 0; i < t->cap; i++) {
			if (!t->v[i].key)
				continue;
			size_t j = key_hash(t->v[i].key) & (cap - 1);
			while (v[j].key)
				j = (j + 1) & (cap - 1);
			v[j] = t->v[i];
		}
		free(t->v);
		t->v = v;
		t->cap = cap;
	}
	if (!t->cap)
		return NULL;
	size_t j = key_hash(key) & (t->cap - 1);
	for (; t->v[j].key; j = (j + 1) & (t->cap - 1))
		if (strcmp(t->v[j].key, key) == 0)
			return &t->v[j];
	if (!create || !(t->v[j].key = strdup(key)))
		return NULL;
	t->n++;
	return &t->v[j];
}

static void lanes_release(struct lanes *t)
{
	for (size_t i = 0; i < t->cap; i++) {
		free(t->v[i].key);
		free(t->v[i].v);
	}
	free(t->v);
	memset(t, 0, sizeof *t);
}

struct row {
	char *person, *digest, *status, *result, *metrics, *basis;
};

static int collect_rows(const struct store_batch_row *r, void *arg)
{
	struct { struct row *v; size_t n, cap; int oom; } *rs = arg;
	struct row *x = BUF_PUSH(rs->v, rs->n, rs->cap);
	if (!x)
		return rs->oom = 1;
	x->person = strdup(r->person);
	x->digest = strdup(r->digest);
	x->status = strdup(r->status);
	x->basis = r->final_basis ? strdup(r->final_basis) : NULL;
	x->result = x->metrics = NULL;
	if (!x->person || !x->digest || !x->status)
		rs->oom = 1;
	return rs->oom;
}

struct blist {
	struct booking *v;
	size_t n, cap;
	int oom;
};

static int collect_booking(const struct store_booking *bk, void *arg)
{
	struct blist *l = arg;
	struct booking *x = BUF_PUSH(l->v, l->n, l->cap);
	if (!x)
		return l->oom = 1;
	snprintf(x->prac, sizeof x->prac, "%s", bk->practitioner);
	x->start = bk->start;
	x->end = bk->end;
	return 0;
}


static int copy_final(const struct store_batch_row *r, void *arg)
{
	struct { const char *person; char *status, *result, *metrics; } *f = arg;
	if (strcmp(r->person, f->person) != 0)
		return 0;
	f->status = strdup(r->status);
	f->result = strdup(r->result);
	f->metrics = strdup(r->metrics);
	return 1;
}

int batch_finalise(struct batch *b, size_t *n_resolved)
{
	*n_resolved = 0;
	struct app *app = b->app;
	const struct caseload *cl = b->cl;
	struct { struct row *v; size_t n, cap; int oom; } rs = { 0 };
	if (store_batch_each(app->store, b->run, NULL, collect_rows, &rs, &app->diag) < 0)
		return DV_EXIT_STORE;
	struct lanes lanes = { 0 };
	int status = rs.oom ? DV_EXIT_INTERNAL : 0;
	struct store *scratch = NULL;
	char dir[512];
	for (size_t i = 0; !status && i < rs.n; i++) {
		struct row *x = &rs.v[i];
		struct blist alone = { 0 };
		if (store_batch_bookings(app->store, b->run, x->person, 0, collect_booking, &alone, &app->diag) < 0) {
			status = DV_EXIT_STORE;
			break;
		}
		/* the basis: its own inputs and every earlier final booking of
		 * its shared practitioners and carers, in a fixed order */
		struct hash_ctx *h = hash_new();
		if (!h) {
			free(alone.v);
			status = DV_EXIT_INTERNAL;
			break;
		}
		hash_update(h, x->digest, strlen(x->digest) + 1);
		int conflict = 0;
		struct blist extra = { 0 };
		for (size_t k = 0; k < alone.n && !extra.oom; k++) {
			if (k && strcmp(alone.v[k].prac, alone.v[k - 1].prac) == 0)
				continue;   /* bookings are by key: each lane once */
			const struct lane *ln = lane_of(&lanes, alone.v[k].prac, 0);
			if (!ln)
				continue;
			hash_update(h, alone.v[k].prac, strlen(alone.v[k].prac) + 1);
			for (size_t m = 0; m < ln->n; m++) {
				hash_update(h, &ln->v[m], sizeof ln->v[m]);
				struct booking *e = BUF_PUSH(extra.v, extra.n, extra.cap);
				if (!e) {
					extra.oom = 1;
					break;
				}
				snprintf(e->prac, sizeof e->prac, "%s", alone.v[k].prac);
				e->start = ln->v[m].start;
				e->end = ln->v[m].end;
			}
		}
		char basis[65];
		hash_final_hex(h, basis);
		hash_free(h);
		if (extra.oom) {
			/* never solve again around a part of the earlier bookings:
			 * that could book a shared practitioner or carer twice */
			free(alone.v);
			free(extra.v);
			status = DV_EXIT_INTERNAL;
			break;
		}
		for (size_t k = 0; k < alone.n && !conflict; k++)
			for (size_t m = 0; m < extra.n && !conflict; m++)
				conflict = strcmp(alone.v[k].prac, extra.v[m].prac) == 0 &&
					   alone.v[k].start < extra.v[m].end && extra.v[m].start < alone.v[k].end;
		struct blist fin = { 0 };
		if (x->basis && strcmp(x->basis, basis) == 0) {
			/* final already, on the same basis (a resumed pass) */
			if (store_batch_bookings(app->store, b->run, x->person, 1, collect_booking, &fin, &app->diag) < 0)
				status = DV_EXIT_STORE;
		} else if (!conflict) {
			struct { const char *person; char *status, *result, *metrics; } f = { x->person, NULL, NULL, NULL };
			struct store_booking *sb = calloc(alone.n + 1, sizeof *sb);
			for (size_t k = 0; sb && k < alone.n; k++)
				sb[k] = (struct store_booking){ alone.v[k].prac, alone.v[k].start, alone.v[k].end };
			if (!sb || store_batch_each(app->store, b->run, x->person, copy_final, &f, &app->diag) < 0 || !f.result ||
			    store_batch_save_final(app->store, b->run, x->person, basis, f.status, f.result,
						   f.metrics, NULL, sb, alone.n, &app->diag) < 0)
				status = DV_EXIT_STORE;
			free(sb);
			free(f.status);
			free(f.result);
			free(f.metrics);
			fin = alone;
			alone.v = NULL;
		} else {
			/* solve it again, clear of the earlier persons' bookings */
			long pi = person_index(cl, x->person);
			if (!scratch && !(scratch = scratch_store(dir, sizeof dir, &app->diag))) {
				status = DV_EXIT_STORE;
			} else if (pi >= 0) {
				struct outcome o;
				solve_person(b, scratch, (size_t)pi, NULL, extra.v, extra.n, &o);
				struct store_booking *sb = calloc(o.n_book + 1, sizeof *sb);
				for (size_t k = 0; sb && k < o.n_book; k++)
					sb[k] = (struct store_booking){ o.book[k].prac, o.book[k].start, o.book[k].end };
				if (!sb || store_batch_save_final(app->store, b->run, x->person, basis, o.status,
								  o.result, o.metrics, o.html, sb, o.n_book,
								  &app->diag) < 0)
					status = DV_EXIT_STORE;
				free(sb);
				for (size_t k = 0; k < o.n_book && !status; k++) {
					struct booking *e = BUF_PUSH(fin.v, fin.n, fin.cap);
					if (e)
						*e = o.book[k];
					else
						status = DV_EXIT_INTERNAL;
				}
				outcome_release(&o);
				(*n_resolved)++;
			}
		}
		for (size_t k = 0; !status && k < fin.n; k++) {
			struct lane *ln = lane_of(&lanes, fin.v[k].prac, 1);
			struct slot *s = ln ? BUF_PUSH(ln->v, ln->n, ln->cap) : NULL;
			if (s)
				*s = (struct slot){ fin.v[k].start, fin.v[k].end };
			else
				status = DV_EXIT_INTERNAL;
		}
		free(alone.v);
		free(extra.v);
		free(fin.v);
	}
	if (scratch)
		scratch_remove(scratch, dir);
	for (size_t i = 0; i < rs.n; i++) {
		free(rs.v[i].person);
		free(rs.v[i].digest);
		free(rs.v[i].status);
		free(rs.v[i].basis);
	}
	free(rs.v);
	lanes_release(&lanes);
	if (status == DV_EXIT_INTERNAL && !diag_exit_status(&app->diag))
		diag_add(&app->diag, D_INTERNAL, NULL, 0, 0, "out of memory");
	return status;
}

/* ---- the summary --------------------------------------------------------------- */

/* A person's figures (metrics): before and after, then changes, placed, unplaced. */
struct figures {
	int jb, ja, tb, ta;       /* journeys, travel minutes */
	double mb, ma;            /* travel money */
	int cb, ca, rb, ra;       /* clashes, routine conflicts */
	double eb, ea;            /* peak energy */
	int ub, ua;               /* unfamiliar people (most in a day) */
	int changes, placed, unplaced;
};

static int parse_figures(const char *m, struct figures *f)
{
	memset(f, 0, sizeof *f);
	if (!m)
		return -1;
	return sscanf(m, "%d %d %lf %d %d %lf %d %d %d %lf %d %d %lf %d %d %d %d", &f->jb, &f->tb, &f->mb,
		      &f->cb, &f->rb, &f->eb, &f->ub, &f->ja, &f->ta, &f->ma, &f->ca, &f->ra, &f->ea,
		      &f->ua, &f->changes, &f->placed, &f->unplaced) == 17 ? 0 : -1;
}

struct summary {
	FILE *txt, *csv, *json;
	size_t n, ok, partial, error;
	struct figures sum;
	double peak_b, peak_a;    /* the highest of anyone */
	struct diag *d;           /* a skipped person is also a diagnostic */
	FILE *exc;                /* the exceptions, collected for the text */
	char *exc_buf;
	size_t exc_len;
};

static int report_row(const struct store_batch_row *r, void *arg)
{
	struct summary *rp = arg;
	const char *status = r->final_status ? r->final_status : r->status;
	const char *result = r->final_result ? r->final_result : r->result;
	const char *metrics = r->final_metrics ? r->final_metrics : r->metrics;
	struct figures f;
	int has = parse_figures(metrics, &f) == 0;
	rp->n++;
	if (strcmp(status, "ok") == 0)
		rp->ok++;
	else if (strcmp(status, "partial") == 0)
		rp->partial++;
	else
		rp->error++;
	if (has) {
		struct figures *s = &rp->sum;
		s->jb += f.jb; s->ja += f.ja; s->tb += f.tb; s->ta += f.ta;
		s->mb += f.mb; s->ma += f.ma; s->cb += f.cb; s->ca += f.ca;
		s->rb += f.rb; s->ra += f.ra; s->ub += f.ub; s->ua += f.ua;
		s->changes += f.changes; s->placed += f.placed; s->unplaced += f.unplaced;
		if (f.eb > rp->peak_b)
			rp->peak_b = f.eb;
		if (f.ea > rp->peak_a)
			rp->peak_a = f.ea;
	}
	if (rp->csv) {
		fprintf(rp->csv, "%s,%s", r->person, status);
		if (has)
			fprintf(rp->csv, ",%d,%d,%.2f,%.2f,%.2f,%.2f,%d,%d,%d,%d,%.2f,%.2f,%d,%d,%d,%d,%d\n",
				f.jb, f.ja, f.tb / 60.0, f.ta / 60.0, f.mb, f.ma, f.cb, f.ca, f.rb, f.ra, f.eb,
				f.ea, f.ub, f.ua, f.changes, f.placed, f.unplaced);
		else
			fputs(",,,,,,,,,,,,,,,,,\n", rp->csv);
	}
	if (rp->txt) {
		if (has)
			fprintf(rp->txt, "%-16s %-8s %3d -> %-3d %6.2f -> %-6.2f %7.2f -> %-7.2f %2d -> %-2d %2d -> %-2d %5.2f -> %-5.2f %2d -> %-2d %3d\n",
				r->person, status, f.jb, f.ja, f.tb / 60.0, f.ta / 60.0, f.mb, f.ma, f.cb, f.ca,
				f.rb, f.ra, f.eb, f.ea, f.ub, f.ua, f.changes);
		else
			fprintf(rp->txt, "%-16s %-8s\n", r->person, status);
	}
	if (rp->json) {
		fputs(rp->n > 1 ? ",\n " : "\n ", rp->json);
		fputs(result, rp->json);
	}
	if (strcmp(status, "ok") != 0 && rp->exc) {
		const char *why = metrics ? strchr(metrics, '\t') : NULL;
		fprintf(rp->exc, "  %s %s: %s\n", r->person, status, why ? why + 1 : "?");
		if (strcmp(status, "error") == 0)
			diag_add(rp->d, D_BATCH_PERSON, NULL, 0, 0, r->person, why ? why + 1 : "?");
	}
	return 0;
}

/* ---- the HTML reports (--report DIR) -------------------------------------- */

struct pages {
	struct batch *b;
	struct report_person *v;
	size_t n, cap;
	char **strs;              /* what v points to, owned */
	size_t n_strs, cap_strs;
	size_t written;
	int status;
	struct outdir *dir;       /* where the pages go */
};

static const char *keep(struct pages *pg, char *s)
{
	char **slot = s ? BUF_PUSH(pg->strs, pg->n_strs, pg->cap_strs) : NULL;
	if (!slot) {
		free(s);
		pg->status = DV_EXIT_INTERNAL;
		return NULL;
	}
	return *slot = s;
}

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
		int fine = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			   c == '.' || c == '_' || c == '-';
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

static int page_row(const struct store_batch_row *r, void *arg)
{
	struct pages *pg = arg;
	struct batch *b = pg->b;
	const char *status = r->final_status ? r->final_status : r->status;
	const char *metrics = r->final_metrics ? r->final_metrics : r->metrics;
	struct report_person *x = BUF_PUSH(pg->v, pg->n, pg->cap);
	if (!x) {
		pg->status = DV_EXIT_INTERNAL;
		return 1;
	}
	memset(x, 0, sizeof *x);
	x->id = keep(pg, strdup(r->person));
	x->status = keep(pg, strdup(status));
	const char *why = metrics ? strchr(metrics, '\t') : NULL;
	x->why = why ? keep(pg, strdup(why + 1)) : NULL;
	struct figures f;
	if (parse_figures(metrics, &f) == 0) {
		x->jb = f.jb, x->ja = f.ja, x->tb = f.tb, x->ta = f.ta;
		x->cb = f.cb, x->ca = f.ca, x->rb = f.rb, x->ra = f.ra;
		x->eb = f.eb, x->ea = f.ea, x->changes = f.changes, x->unplaced = f.unplaced;
	}
	char *html = NULL;
	if (store_batch_report(b->app->store, b->run, r->person, &html, &b->app->diag) < 0) {
		pg->status = DV_EXIT_STORE;
		return 1;
	}
	if (!html)
		return pg->status != 0;   /* no page: the person could not be planned */
	char *name = page_name(r->person);
	if (!name) {
		free(html);
		pg->status = DV_EXIT_INTERNAL;
		return 1;
	}
	if (outdir_put(pg->dir, name, html, strlen(html), &b->app->diag) < 0)
		pg->status = DV_EXIT_CANTCREAT;
	else
		pg->written++;
	x->href = keep(pg, name);
	free(html);
	return pg->status != 0;
}

/* Each person's page, then the overview (index.html), into the staged
 * folder dir (b->report, replaced whole when the caller commits it). */
static int write_pages(struct batch *b, struct outdir *dir, size_t *written)
{
	struct app *app = b->app;
	struct pages pg = { .b = b, .dir = dir };
	if (store_batch_each(app->store, b->run, NULL, page_row, &pg, &app->diag) < 0 && !pg.status)
		pg.status = DV_EXIT_STORE;
	if (!pg.status) {
		char title[96];
		snprintf(title, sizeof title, "Caseload: batch %s, before and after", b->run);
		char *index = report_overview_html(title, pg.v, pg.n, app->now, &app->diag);
		if (!index)
			pg.status = DV_EXIT_INTERNAL;
		else if (outdir_put(dir, "index.html", index, strlen(index), &app->diag) < 0)
			pg.status = DV_EXIT_CANTCREAT;
		free(index);
	}
	for (size_t i = 0; i < pg.n_strs; i++)
		free(pg.strs[i]);
	free(pg.strs);
	free(pg.v);
	*written = pg.written;
	if (pg.status == DV_EXIT_INTERNAL && !diag_exit_status(&app->diag))
		diag_add(&app->diag, D_INTERNAL, NULL, 0, 0, "out of memory");
	return pg.status;
}

static void totals_json(FILE *f, const struct summary *rp)
{
	const struct figures *s = &rp->sum;
	fprintf(f, "{\"persons\": %zu, \"ok\": %zu, \"partial\": %zu, \"error\": %zu,\n"
		   "  \"before\": {\"journeys\": %d, \"travel_hours\": %.2f, \"travel_money\": %.2f, \"clashes\": %d,"
		   " \"routine_conflicts\": %d, \"peak_energy\": %.2f, \"unfamiliar_people\": %d},\n"
		   "  \"after\": {\"journeys\": %d, \"travel_hours\": %.2f, \"travel_money\": %.2f, \"clashes\": %d,"
		   " \"routine_conflicts\": %d, \"peak_energy\": %.2f, \"unfamiliar_people\": %d},\n"
		   "  \"changes\": %d, \"placed\": %d, \"unplaced\": %d}",
		rp->n, rp->ok, rp->partial, rp->error, s->jb, s->tb / 60.0, s->mb, s->cb, s->rb, rp->peak_b,
		s->ub, s->ja, s->ta / 60.0, s->ma, s->ca, s->ra, rp->peak_a, s->ua, s->changes, s->placed,
		s->unplaced);
}

static void totals_text(FILE *f, const struct batch *b, const struct summary *rp)
{
	const struct figures *s = &rp->sum;
	fprintf(f, "batch %s: %zu persons: %zu ok, %zu partial, %zu skipped (error)\n", b->run, rp->n, rp->ok,
		rp->partial, rp->error);
	fprintf(f, "                      before     after\n");
	fprintf(f, "journeys           %9d %9d\n", s->jb, s->ja);
	fprintf(f, "travel hours       %9.2f %9.2f\n", s->tb / 60.0, s->ta / 60.0);
	fprintf(f, "travel money       %9.2f %9.2f\n", s->mb, s->ma);
	fprintf(f, "clashes            %9d %9d\n", s->cb, s->ca);
	fprintf(f, "routine conflicts  %9d %9d\n", s->rb, s->ra);
	fprintf(f, "peak energy (max)  %9.2f %9.2f\n", rp->peak_b, rp->peak_a);
	fprintf(f, "unfamiliar people  %9d %9d  (the most in a day, summed)\n", s->ub, s->ua);
	fprintf(f, "changes %d, appointments placed %d, unplaced %d\n", s->changes, s->placed, s->unplaced);
}

int batch_report(struct batch *b)
{
	struct app *app = b->app;
	struct summary rp;
	memset(&rp, 0, sizeof rp);
	rp.d = &app->diag;
	char *bufs[3] = { NULL, NULL, NULL };
	size_t lens[3] = { 0, 0, 0 };
	rp.txt = open_memstream(&bufs[0], &lens[0]);
	rp.csv = open_memstream(&bufs[1], &lens[1]);
	rp.json = open_memstream(&bufs[2], &lens[2]);
	rp.exc = open_memstream(&rp.exc_buf, &rp.exc_len);
	if (!rp.txt || !rp.csv || !rp.json || !rp.exc) {
		diag_add(&app->diag, D_INTERNAL, NULL, 0, 0, "out of memory");
		return DV_EXIT_INTERNAL;
	}
	fputs("person,status,journeys_before,journeys_after,travel_hours_before,travel_hours_after,"
	      "travel_money_before,travel_money_after,clashes_before,clashes_after,"
	      "routine_conflicts_before,routine_conflicts_after,peak_energy_before,peak_energy_after,"
	      "unfamiliar_before,unfamiliar_after,changes,placed,unplaced\n", rp.csv);
	fprintf(rp.txt, "%-16s %-8s %-10s %-16s %-18s %-8s %-8s %-14s %-8s %s\n", "person", "status",
		"journeys", "travel hours", "travel money", "clashes", "routine", "peak energy", "unfam.",
		"changes");
	fprintf(rp.json, "{\"format\": \"dovetail-batch/1\", \"run\": \"%s\", \"persons\": [", b->run);
	int st = store_batch_each(app->store, b->run, NULL, report_row, &rp, &app->diag);
	fputs("],\n \"totals\": ", rp.json);
	totals_json(rp.json, &rp);
	fputs("}\n", rp.json);
	fflush(rp.exc);
	fputs("\n", rp.txt);
	totals_text(rp.txt, b, &rp);
	if (rp.exc_len)
		fprintf(rp.txt, "\npartial or skipped, with the reasons:\n%s", rp.exc_buf);
	fclose(rp.txt);
	fclose(rp.csv);
	fclose(rp.json);
	fclose(rp.exc);
	int status = st < 0 ? DV_EXIT_STORE : 0;
	/* --out and --report are each written whole: staged, then one rename
	 * each (the same folder for both when they name one) */
	struct outdir od_out, od_rep;
	outdir_init(&od_out);
	outdir_init(&od_rep);
	int shared = b->out && b->report && file_same_place(b->out, b->report);
	if (!status && b->out && outdir_begin(&od_out, b->out, &app->diag) < 0)
		status = diag_exit_status(&app->diag);
	if (!status && b->report && !shared && outdir_begin(&od_rep, b->report, &app->diag) < 0)
		status = diag_exit_status(&app->diag);
	if (!status && b->out) {
		static const char *const names[] = { "summary.txt", "summary.csv", "summary.json" };
		for (int i = 0; !status && i < 3; i++)
			if (outdir_put(&od_out, names[i], bufs[i], lens[i], &app->diag) < 0)
				status = DV_EXIT_CANTCREAT;
	}
	size_t pages = 0;
	if (!status && b->report)
		status = write_pages(b, shared ? &od_out : &od_rep, &pages);
	if (!status && b->report && !shared && outdir_commit(&od_rep, &app->diag) < 0)
		status = diag_exit_status(&app->diag);
	if (!status && b->out && outdir_commit(&od_out, &app->diag) < 0)
		status = diag_exit_status(&app->diag);
	outdir_discard(&od_out);
	outdir_discard(&od_rep);
	if (!status) {
		if (b->json) {
			fwrite(bufs[2], 1, lens[2], stdout);
		} else {
			totals_text(stdout, b, &rp);
			if (rp.exc_len)
				printf("\npartial or skipped, with the reasons:\n%s", rp.exc_buf);
			if (b->out)
				printf("\nper person: %s/summary.txt, summary.csv, summary.json\n", b->out);
			if (b->report)
				printf("reports: %s/index.html and %zu person page%s\n", b->report, pages,
				       pages == 1 ? "" : "s");
		}
		if (rp.partial || rp.error)
			status = DV_EXIT_PARTIAL;
	}
	free(bufs[0]);
	free(bufs[1]);
	free(bufs[2]);
	free(rp.exc_buf);
	return status;
}

void batch_run_id(struct batch *b)
{
	char opts[96], hex[65];
	snprintf(opts, sizeof opts, "dovetail-batch/1 now=%lld limit=%d%s", (long long)b->app->now,
		 b->time_limit, b->report ? " report" : "");
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
