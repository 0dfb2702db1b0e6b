/* graph.c: the caseload's sharing graph: persons linked by the practitioners and carers they share, its components and their shards. */
#include "dovetail/caseload.h"

#include <assert.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/pool.h"
#include "dovetail/profile.h"
#include "dovetail/util.h"
#include "dovetail/xalloc.h"

void caseload_carer_key(const char *source, char out[CL_KEY_MAX])
{
	char hex[65];
	hash_sha256_hex(source, strlen(source), hex);
	snprintf(out, CL_KEY_MAX, CL_CARER_PREFIX "%s", hex);
}

/* ---- what the profiles name ------------------------------------------------ */

/* One practitioner or carer feed a person's profile names. */
struct entry {
	char key[CL_KEY_MAX];
	size_t person;
	int carer;                /* a carer key (no feeds compared) */
	char **feeds;             /* owned, practitioners only: sources, ascending, unique */
	size_t n_feeds;
	int line, col;            /* the practitioner's `feeds` key, else its entry */
};

struct entries {
	struct entry *v;
	size_t n, cap;
};

static void entries_release(struct entries *e)
{
	for (size_t i = 0; i < e->n; i++) {
		for (size_t j = 0; j < e->v[i].n_feeds; j++)
			free(e->v[i].feeds[j]);
		free(e->v[i].feeds);
	}
	free(e->v);
}

static int by_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Sort and make unique the n strings of v (owned); returns the new count. */
static size_t sort_unique(char **v, size_t n)
{
	if (n)
		qsort(v, n, sizeof *v, by_str);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (k && strcmp(v[k - 1], v[i]) == 0) {
			free(v[i]);
			continue;
		}
		v[k++] = v[i];
	}
	return k;
}

/* A copy of the sources of n feeds, ascending and unique, into *out. */
static void feed_set(const struct prof_path *f, size_t n, char ***out, size_t *n_out)
{
	*out = xcalloc(n ? n : 1, sizeof **out);
	for (size_t i = 0; i < n; i++) {
		/* source is the canonical path or the URL; the path when realpath
		 * failed after the profile found the file (it was removed since) */
		const char *s = f[i].source ? f[i].source : f[i].path;
		(*out)[i] = xstrdup(s);
	}
	*n_out = sort_unique(*out, n);
}

/* What person i's profile names, appended to e; 0 when it does not load
 * (a singleton), 1 when it does. */
static int read_person(const struct caseload *cl, size_t i, struct entries *e)
{
	const struct cl_person *cp = &cl->persons[i];
	struct profile *p = NULL;
	struct diag quiet;
	diag_init(&quiet);
	int rc = profile_load(&p, cp->profile, &quiet);
	diag_release(&quiet);   /* the batch reports it when it reaches this person */
	if (rc < 0 || !p)
		return 0;
	if (strcmp(p->person_id, cp->id) != 0) {
		profile_free(p);
		return 0;
	}
	for (size_t k = 0; k < p->n_pracs; k++) {
		const struct prof_practitioner *pr = &p->pracs[k];
		if (pr->family)
			continue;
		assert(pr->id && strlen(pr->id) < CL_KEY_MAX && !strchr(pr->id, ':'));
		struct entry *x = BUF_PUSH(e->v, e->n, e->cap);
		memset(x, 0, sizeof *x);
		snprintf(x->key, sizeof x->key, "%s", pr->id);
		x->person = i;
		x->line = pr->feeds_line ? pr->feeds_line : pr->line;
		x->col = pr->feeds_line ? pr->feeds_col : pr->col;
		feed_set(pr->feeds, pr->n_feeds, &x->feeds, &x->n_feeds);
	}
	for (size_t c = 0; c < p->n_carers; c++) {
		const struct prof_carer *cr = &p->carers[c];
		for (size_t j = 0; j < cr->n_feeds; j++) {
			struct entry *x = BUF_PUSH(e->v, e->n, e->cap);
			memset(x, 0, sizeof *x);
			caseload_carer_key(cr->feeds[j].source ? cr->feeds[j].source : cr->feeds[j].path, x->key);
			x->person = i;
			x->carer = 1;
			x->line = cr->line;
			x->col = cr->col;
		}
	}
	profile_free(p);
	return 1;
}

/* ---- reading the profiles in worker processes ----------------------------- */

/*
 * With jobs > 1, the profiles are read in jobs worker processes (pool.h),
 * SCAN_CHUNK persons a task; each chunk's entries come back in a message
 * (below) and are put in person order, so e is what reading them in turn
 * gives. A chunk whose worker died is read here.
 */
#define SCAN_CHUNK 64

struct scan_run {
	const struct caseload *cl;
	unsigned char *loaded;
	struct entries *chunk;    /* per chunk: its entries */
	struct diag *d;
};

/* The end of the chunk that starts at person a. */
static size_t chunk_end(const struct caseload *cl, size_t a)
{
	return a + SCAN_CHUNK < cl->n_persons ? a + SCAN_CHUNK : cl->n_persons;
}

static void put_text(FILE *f, const char *s)
{
	size_t n = strlen(s);
	fprintf(f, "%zu:", n);
	fwrite(s, 1, n, f);
}

/* A chunk's message: per person "loaded count\n", then per entry
 * "carer line col n_feeds key" and its feeds, each text as "LEN:BYTES". */
static char *scan_handle(void *state, const char *task, size_t len, size_t *out_len)
{
	const struct caseload *cl = state;
	(void)len;
	size_t a = strtoul(task, NULL, 10), b = chunk_end(cl, a);
	char *buf = NULL;
	FILE *f = open_memstream(&buf, out_len);
	if (!f)
		return NULL;
	for (size_t i = a; i < b; i++) {
		struct entries e = { 0 };
		int loaded = read_person(cl, i, &e);
		fprintf(f, "%d %zu\n", loaded, e.n);
		for (size_t k = 0; k < e.n; k++) {
			const struct entry *x = &e.v[k];
			fprintf(f, "%d %d %d %zu ", x->carer, x->line, x->col, x->n_feeds);
			put_text(f, x->key);
			for (size_t j = 0; j < x->n_feeds; j++)
				put_text(f, x->feeds[j]);
			fputc('\n', f);
		}
		entries_release(&e);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void *scan_init(void *arg)
{
	return arg;
}

static const struct pool_ops scan_ops = { scan_init, scan_handle, NULL, NULL, 1 };

static char *scan_task(void *arg, size_t i, size_t *len)
{
	(void)arg;
	char *s = xasprintf("%zu\n", i * SCAN_CHUNK);
	*len = strlen(s);
	return s;
}

/* A number in [lo, hi] at *p (before end; blanks before it skipped), into
 * *v; 0, or -1 when malformed. (msg is NUL-terminated, so strtol stops.) */
static int get_num(const char **p, const char *end, long lo, long hi, long *v)
{
	char *q;
	if (*p >= end)
		return -1;
	*v = strtol(*p, &q, 10);
	if (q == *p || q > end || *v < lo || *v > hi)
		return -1;
	*p = q;
	return 0;
}

/* A text "LEN:BYTES" at *p (before end) into a malloc'd string of at
 * most max - 1 bytes; NULL when malformed. */
static char *get_text(const char **p, const char *end, size_t max)
{
	long n;
	if (get_num(p, end, 0, (long)max - 1, &n) < 0 || *p >= end || **p != ':' || n > end - *p - 1)
		return NULL;
	char *s = xmalloc((size_t)n + 1);
	memcpy(s, *p + 1, (size_t)n);
	s[n] = 0;
	if (strlen(s) != (size_t)n) {
		free(s);
		return NULL;
	}
	*p += 1 + n;
	return s;
}

/* Read msg (len bytes, NUL-terminated) back into persons [a, b)'s loaded
 * and e; 0, or -1 when malformed. */
static int scan_decode(const char *msg, size_t len, size_t a, size_t b, unsigned char *loaded, struct entries *e)
{
	const char *p = msg, *end = msg + len;
	for (size_t i = a; i < b; i++) {
		long ld, n;
		if (get_num(&p, end, 0, 1, &ld) < 0 || get_num(&p, end, 0, end - p, &n) < 0)
			return -1;
		loaded[i] = (unsigned char)ld;
		for (long k = 0; k < n; k++) {
			struct entry *x = BUF_PUSH(e->v, e->n, e->cap);
			memset(x, 0, sizeof *x);
			x->person = i;
			long carer, line, col, nf;
			if (get_num(&p, end, 0, 1, &carer) < 0 || get_num(&p, end, 0, INT_MAX, &line) < 0 ||
			    get_num(&p, end, 0, INT_MAX, &col) < 0 || get_num(&p, end, 0, end - p, &nf) < 0 ||
			    p >= end || *p++ != ' ')
				return -1;
			x->carer = (int)carer;
			x->line = (int)line;
			x->col = (int)col;
			char *key = get_text(&p, end, CL_KEY_MAX);
			if (!key)
				return -1;
			memcpy(x->key, key, strlen(key) + 1);
			free(key);
			x->feeds = xcalloc((size_t)nf + 1, sizeof *x->feeds);
			for (; x->n_feeds < (size_t)nf; x->n_feeds++)
				if (!(x->feeds[x->n_feeds] = get_text(&p, end, POOL_MAX_MESSAGE)))
					return -1;
			if (p >= end || *p++ != '\n')
				return -1;
		}
	}
	return p == end ? 0 : -1;
}

static int scan_done(void *arg, size_t i, const char *msg, size_t len)
{
	struct scan_run *r = arg;
	size_t a = i * SCAN_CHUNK, b = chunk_end(r->cl, a);
	struct entries *e = &r->chunk[i];
	if (msg && scan_decode(msg, len, a, b, r->loaded, e) == 0)
		return 0;
	entries_release(e);
	memset(e, 0, sizeof *e);
	if (msg) {
		diag_add(r->d, D_INTERNAL, NULL, 0, 0, "a worker reading the caseload's profiles sent a malformed result");
		return 1;
	}
	for (size_t k = a; k < b; k++)   /* its worker died: read them here */
		r->loaded[k] = (unsigned char)read_person(r->cl, k, e);
	return 0;
}

/* Read every person's profile into loaded and e, in jobs workers (here
 * when jobs <= 1, or when no worker can be started); 0, or -1 with d
 * filled. */
static int read_all(const struct caseload *cl, int jobs, unsigned char *loaded, struct entries *e, struct diag *d)
{
	size_t n_chunks = (cl->n_persons + SCAN_CHUNK - 1) / SCAN_CHUNK;
	if (jobs > POOL_MAX_JOBS)
		jobs = POOL_MAX_JOBS;
	if ((size_t)jobs > n_chunks)
		jobs = (int)n_chunks;
	struct pool *p = NULL;
	if (jobs > 1) {
		struct diag quiet;
		diag_init(&quiet);
		p = pool_start(jobs, &scan_ops, (void *)cl, &quiet);
		diag_release(&quiet);   /* without workers, they are read here */
	}
	if (p) {
		struct scan_run r = { cl, loaded, xcalloc(n_chunks, sizeof *r.chunk), d };
		int rc = pool_run(p, n_chunks, scan_task, scan_done, NULL, &r, d);
		pool_stop(p, rc != 0);
		for (size_t c = 0; c < n_chunks; c++) {
			for (size_t k = 0; !rc && k < r.chunk[c].n; k++)
				*BUF_PUSH(e->v, e->n, e->cap) = r.chunk[c].v[k];
			if (rc)
				entries_release(&r.chunk[c]);
			else
				free(r.chunk[c].v);
		}
		free(r.chunk);
		return rc;
	}
	for (size_t i = 0; i < cl->n_persons; i++)
		loaded[i] = (unsigned char)read_person(cl, i, e);
	return 0;
}

static int by_key_person(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	int c = strcmp(a->key, b->key);
	if (c)
		return c;
	return (a->person > b->person) - (a->person < b->person);
}

static int same_set(char *const *a, size_t na, char *const *b, size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return 0;
	return 1;
}

/* The name of person i's profile in messages. */
static const char *shown(const struct caseload *cl, size_t i, int in_dir)
{
	return in_dir ? cl->persons[i].given : cl->persons[i].profile;
}

/* Check the feeds of one practitioner's entries e[0..n) (one key, persons
 * ascending) against the truth; returns the number of errors added. */
static size_t check_feeds(const struct caseload *cl, int in_dir, const struct entry *e, size_t n,
			  struct diag *d)
{
	int k = caseload_prac_index(cl, e[0].key);
	char **truth = NULL;
	size_t n_truth = 0;
	char against[512];
	const struct entry *first = NULL;
	if (k >= 0 && cl->pracs[k].n_feeds) {
		const struct cl_practitioner *c = &cl->pracs[k];
		truth = xcalloc(c->n_feeds, sizeof *truth);
		for (size_t j = 0; j < c->n_feeds; j++) {
			assert(c->feeds[j]);   /* caseload_load resolves every feed */
			truth[n_truth++] = xstrdup(c->feeds[j]);
		}
		n_truth = sort_unique(truth, n_truth);
		snprintf(against, sizeof against, "the caseload's (%s:%d:%d)", cl->path, c->line, c->col);
	} else {
		first = &e[0];
		snprintf(against, sizeof against, "person %s's (%s:%d:%d)", cl->persons[first->person].id,
			 shown(cl, first->person, in_dir), first->line, first->col);
	}
	size_t errors = 0;
	for (size_t i = 0; i < n; i++) {
		if (&e[i] == first)
			continue;
		int same = first ? same_set(e[i].feeds, e[i].n_feeds, first->feeds, first->n_feeds)
				 : same_set(e[i].feeds, e[i].n_feeds, truth, n_truth);
		if (same)
			continue;
		errors++;
		diag_add(d, D_CASELOAD_FEEDS, shown(cl, e[i].person, in_dir), e[i].line, e[i].col, e[i].key,
			 against);
	}
	for (size_t j = 0; j < n_truth; j++)
		free(truth[j]);
	free(truth);
	return errors;
}

/* ---- components ------------------------------------------------------------ */

/* Union-find whose root is always the smallest index of its set. */
static size_t find(size_t *up, size_t x)
{
	while (up[x] != x) {
		up[x] = up[up[x]];   /* path halving */
		x = up[x];
	}
	return x;
}

static void unite(size_t *up, size_t a, size_t b)
{
	a = find(up, a);
	b = find(up, b);
	if (a < b)
		up[b] = a;
	else if (b < a)
		up[a] = b;
}

/* A component as shards take them: larger first, then by first person. */
struct rank {
	size_t size, first, comp;
};

static int by_size_first(const void *x, const void *y)
{
	const struct rank *a = x, *b = y;
	if (a->size != b->size)
		return a->size > b->size ? -1 : 1;
	return (a->first > b->first) - (a->first < b->first);
}

/* Components of g from up (roots are smallest indices), numbered by their
 * smallest person. */
static void components(struct cl_graph *g, size_t *up)
{
	size_t n = g->n_persons;
	g->comp = xcalloc(n ? n : 1, sizeof *g->comp);
	g->comp_size = xcalloc(n ? n : 1, sizeof *g->comp_size);
	g->comp_first = xcalloc(n ? n : 1, sizeof *g->comp_first);
	g->comp_order = xcalloc(n ? n : 1, sizeof *g->comp_order);
	for (size_t i = 0; i < n; i++) {
		size_t r = find(up, i);
		assert(r <= i);
		if (r == i) {
			g->comp_first[g->n_comps] = i;
			g->comp[i] = g->n_comps++;
		} else {
			g->comp[i] = g->comp[r];
		}
		g->comp_size[g->comp[i]]++;
	}
	struct rank *r = xcalloc(g->n_comps ? g->n_comps : 1, sizeof *r);
	for (size_t c = 0; c < g->n_comps; c++)
		r[c] = (struct rank){ g->comp_size[c], g->comp_first[c], c };
	/* qsort is not stable, but (size, first) is a total order: every
	 * component has its own first person */
	if (g->n_comps)
		qsort(r, g->n_comps, sizeof *r, by_size_first);
	for (size_t c = 0; c < g->n_comps; c++)
		g->comp_order[c] = r[c].comp;
	free(r);
	for (size_t c = 1; c < g->n_comps; c++)
		assert(g->comp_first[c - 1] < g->comp_first[c]);
}

/* ---- the scan -------------------------------------------------------------- */

/* The persons' keys (CSR) and the links, from the sorted entries. */
static void link_keys(struct cl_graph *g, const struct caseload *cl, const struct entries *e, size_t *up)
{
	/* pass 1: which groups are keys; the key table */
	size_t n_groups = 0;
	for (size_t i = 0; i < e->n; i++)
		n_groups += !i || strcmp(e->v[i].key, e->v[i - 1].key) != 0;
	g->keys = xcalloc(n_groups ? n_groups : 1, sizeof *g->keys);
	g->key_start = xcalloc(g->n_persons + 1, sizeof *g->key_start);
	/* a key per entry at most; the index of each entry's key, or -1 */
	long *key_of = xcalloc(e->n ? e->n : 1, sizeof *key_of);
	for (size_t i = 0, j; i < e->n; i = j) {
		size_t persons = 0;
		for (j = i; j < e->n && strcmp(e->v[j].key, e->v[i].key) == 0; j++)
			persons += j == i || e->v[j].person != e->v[j - 1].person;
		int is_key = e->v[i].carer || persons >= 2 || caseload_prac_index(cl, e->v[i].key) >= 0;
		long ix = -1;
		if (is_key) {
			assert(g->n_keys < UINT32_MAX);
			g->keys[g->n_keys] = xstrdup(e->v[i].key);
			ix = (long)g->n_keys++;
			for (size_t q = i + 1; q < j; q++)
				unite(up, e->v[i].person, e->v[q].person);
		}
		for (size_t q = i; q < j; q++)
			key_of[q] = ix;
	}
	/* pass 2: each person's keys, ascending and once (a person may name
	 * one carer feed under two carers) */
	for (size_t i = 0; i < e->n; i++)
		if (key_of[i] >= 0 && (i == 0 || key_of[i] != key_of[i - 1] || e->v[i].person != e->v[i - 1].person))
			g->key_start[e->v[i].person + 1]++;
	for (size_t p = 0; p < g->n_persons; p++)
		g->key_start[p + 1] += g->key_start[p];
	size_t total = g->key_start[g->n_persons];
	size_t *fill = xcalloc(g->n_persons + 1, sizeof *fill);
	g->key_idx = xcalloc(total ? total : 1, sizeof *g->key_idx);
	/* entries are by key, then person: each person's keys come ascending */
	for (size_t i = 0; i < e->n; i++)
		if (key_of[i] >= 0 && (i == 0 || key_of[i] != key_of[i - 1] || e->v[i].person != e->v[i - 1].person)) {
			size_t p = e->v[i].person;
			g->key_idx[g->key_start[p] + fill[p]++] = (uint32_t)key_of[i];
		}
	for (size_t p = 0; p < g->n_persons; p++) {
		assert(fill[p] == g->key_start[p + 1] - g->key_start[p]);
		for (size_t k = g->key_start[p] + 1; k < g->key_start[p + 1]; k++)
			assert(g->key_idx[k - 1] < g->key_idx[k]);
	}
	free(fill);
	free(key_of);
}

int caseload_scan(const struct caseload *cl, int in_dir, int jobs, struct cl_graph **out, struct diag *d)
{
	*out = NULL;
	assert(cl && cl->n_persons <= CASELOAD_MAX_PERSONS);
	for (size_t i = 1; i < cl->n_persons; i++)
		assert(strcmp(cl->persons[i - 1].id, cl->persons[i].id) < 0);
	struct cl_graph *g = xcalloc(1, sizeof *g);
	struct entries e = { 0 };
	size_t *up = xcalloc(cl->n_persons ? cl->n_persons : 1, sizeof *up);
	g->n_persons = cl->n_persons;
	g->loaded = xcalloc(cl->n_persons ? cl->n_persons : 1, 1);
	for (size_t i = 0; i < cl->n_persons; i++)
		up[i] = i;
	if (read_all(cl, jobs, g->loaded, &e, d) < 0) {
		entries_release(&e);
		free(up);
		cl_graph_free(g);
		return -1;
	}
	if (e.n)
		qsort(e.v, e.n, sizeof *e.v, by_key_person);
	size_t errors = 0;
	for (size_t i = 0, j; i < e.n; i = j) {
		for (j = i; j < e.n && strcmp(e.v[j].key, e.v[i].key) == 0; j++)
			;
		if (e.v[i].carer)
			continue;
		int listed = caseload_prac_index(cl, e.v[i].key) >= 0;
		if (listed || e.v[j - 1].person != e.v[i].person)
			errors += check_feeds(cl, in_dir, &e.v[i], j - i, d);
	}
	if (errors) {
		entries_release(&e);
		free(up);
		cl_graph_free(g);
		return -1;
	}
	link_keys(g, cl, &e, up);
	components(g, up);
	entries_release(&e);
	free(up);
	*out = g;
	return 0;
}

void cl_graph_free(struct cl_graph *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n_keys; i++)
		free(g->keys[i]);
	free(g->keys);
	free(g->key_start);
	free(g->key_idx);
	free(g->loaded);
	free(g->comp);
	free(g->comp_size);
	free(g->comp_first);
	free(g->comp_order);
	free(g->comp_shard);
	free(g);
}

long cl_graph_key_index(const struct cl_graph *g, const char *key)
{
	size_t lo = 0, hi = g->n_keys;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(g->keys[mid], key);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* ---- shards ---------------------------------------------------------------- */

/* A min-heap of shards by (persons so far, shard index). */
struct slot {
	size_t load;
	unsigned shard;
};

static int slot_less(const struct slot *a, const struct slot *b)
{
	return a->load < b->load || (a->load == b->load && a->shard < b->shard);
}

static void sift_down(struct slot *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && slot_less(&h[l], &h[m]))
			m = l;
		if (r < n && slot_less(&h[r], &h[m]))
			m = r;
		if (m == i)
			return;
		struct slot t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

/* Fill comp_shard[n_comps] for n shards (greedy: the largest component
 * first, to the least loaded shard, ties to the lowest). */
static void plan(const struct cl_graph *g, unsigned n, unsigned *comp_shard)
{
	assert(n >= 1 && n <= CL_GRAPH_MAX_SHARDS);
	struct slot *h = xcalloc(n, sizeof *h);
	/* loads all 0, shards ascending: already a heap */
	for (unsigned s = 0; s < n; s++)
		h[s] = (struct slot){ 0, s };
	for (size_t k = 0; k < g->n_comps; k++) {
		size_t c = g->comp_order[k];
		comp_shard[c] = h[0].shard;
		h[0].load += g->comp_size[c];
		sift_down(h, n, 0);
	}
	free(h);
}

int cl_graph_plan_shards(struct cl_graph *g, unsigned n, struct diag *d)
{
	assert(n >= 1 && n <= CL_GRAPH_MAX_SHARDS);
	if (g->shard_n == n)
		return 0;
	(void)d;   /* nothing can fail now: kept for the callers */
	unsigned *v = xcalloc(g->n_comps ? g->n_comps : 1, sizeof *v);
	plan(g, n, v);
	free(g->comp_shard);
	g->comp_shard = v;
	g->shard_n = n;
	return 0;
}

unsigned cl_graph_shard_of(const struct cl_graph *g, size_t person, unsigned n)
{
	assert(person < g->n_persons);
	assert(n >= 1 && n <= CL_GRAPH_MAX_SHARDS);
	if (g->shard_n == n)
		return g->comp_shard[g->comp[person]];
	unsigned *v = xcalloc(g->n_comps ? g->n_comps : 1, sizeof *v);
	plan(g, n, v);
	unsigned s = v[g->comp[person]];
	free(v);
	return s;
}
