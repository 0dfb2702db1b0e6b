/* caseload.c: read a caseload file (YAML) through the profile's strict YAML loader. */
#include "dovetail/caseload.h"

#include <assert.h>
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../profile/yaml.h"
#include "dovetail/fetch.h"
#include "dovetail/profile.h"
#include "dovetail/util.h"
#include "dovetail/xalloc.h"

struct ctx {
	const char *file;
	const char *dir;
	struct diag *d;
	int errors;
};

static void err(struct ctx *c, const struct ynode *n, enum diag_code code, const char *a, const char *b)
{
	c->errors++;
	diag_add(c->d, code, c->file, n ? n->line : 0, n ? n->col : 0, a, b);
}

static const struct ynode *get(const struct ynode *m, const char *key)
{
	for (size_t i = 0; m && m->type == YT_MAP && i < m->n; i++)
		if (strcmp(m->keys[i]->s, key) == 0)
			return m->kids[i];
	return NULL;
}

static int want(struct ctx *c, const struct ynode *n, enum yt_type t, const char *where)
{
	if (n && n->type == t && !(t == YT_SCALAR && n->plain && n->len == 0))
		return 0;
	static const char *const names[] = { "a text value", "a mapping", "a list" };
	c->errors++;
	diag_add(c->d, D_PROF_TYPE, c->file, n ? n->line : 0, n ? n->col : 0, where, names[t],
		 n ? yt_type_name(n) : "nothing");
	return -1;
}

/* The schema layer the profile shares (yt_check_keys): unknown and repeated
 * keys are errors, so `{ id: P-1, id: P-2 }` is refused as a profile's is. */
static void check_keys(struct ctx *c, const struct ynode *m, const char *where, const char *const *keys)
{
	c->errors += yt_check_keys(c->file, m, where, keys, "docs/batch.md", c->d);
}

static const struct ynode *need(struct ctx *c, const struct ynode *m, const char *key, const char *where)
{
	const struct ynode *v = get(m, key);
	if (!v) {
		c->errors++;
		diag_add(c->d, D_PROF_MISSING, c->file, m->line, m->col, where, key);
	}
	return v;
}

static int is_id(const struct ynode *n)
{
	int ok = n->type == YT_SCALAR && n->len >= 1 && n->len <= PROFILE_MAX_ID;
	for (size_t i = 0; ok && i < n->len; i++) {
		unsigned char ch = (unsigned char)n->s[i];
		ok = isalnum(ch) || ch == '.' || ch == '_' || ch == '-';
	}
	return ok;
}

static char *get_id(struct ctx *c, const struct ynode *n, const char *where)
{
	if (want(c, n, YT_SCALAR, where) < 0)
		return NULL;
	if (!is_id(n)) {
		err(c, n, D_PROF_VALUE, where, "an id is 1 to " DV_STR(PROFILE_MAX_ID) " characters from A-Z a-z 0-9 . _ -");
		return NULL;
	}
	return xstrdup(n->s);
}

/* A path as written, resolved from the caseload's folder (as the caseload
 * was named, so that messages show it as the user would). */
static char *join(const struct ctx *c, const char *given)
{
	size_t n = strlen(c->dir) + strlen(given) + 2;
	char *joined = xmalloc(n);
	snprintf(joined, n, "%s%s%s", given[0] == '/' ? "" : c->dir, given[0] == '/' ? "" : "/", given);
	return joined;
}

/* The same, made canonical when the file is there (so that it compares
 * with a profile's feed source); a URL is its own source, as in a profile. */
static char *resolve(const struct ctx *c, const char *given)
{
	if (fetch_is_url(given))
		return xstrdup(given);
	size_t n = strlen(c->dir) + strlen(given) + 2;
	char *joined = xmalloc(n);
	if (given[0] == '/')
		snprintf(joined, n, "%s", given);
	else
		snprintf(joined, n, "%s/%s", c->dir, given);
	char *canon = realpath(joined, NULL);
	if (canon) {
		free(joined);
		return canon;
	}
	return joined;
}

static int by_id(const void *x, const void *y)
{
	return strcmp(((const struct cl_person *)x)->id, ((const struct cl_person *)y)->id);
}

static void read_pracs(struct ctx *c, const struct ynode *n, struct caseload *cl)
{
	static const char *const keys[] = { "id", "feeds", NULL };
	if (want(c, n, YT_SEQ, "practitioners") < 0)
		return;
	if (n->n > CASELOAD_MAX_PRACS) {
		char b[16];
		snprintf(b, sizeof b, "%d", CASELOAD_MAX_PRACS);
		err(c, n, D_PROF_TOO_MANY, "practitioners", b);
		return;
	}
	cl->pracs = xcalloc(n->n + 1, sizeof *cl->pracs);
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *m = n->kids[i], *v;
		char w[64];
		snprintf(w, sizeof w, "practitioners[%zu]", i);
		if (want(c, m, YT_MAP, w) < 0)
			continue;
		check_keys(c, m, w, keys);
		struct cl_practitioner *pr = &cl->pracs[cl->n_pracs];
		pr->line = m->line;
		pr->col = m->col;
		if (!(v = need(c, m, "id", w)) || !(pr->id = get_id(c, v, w)))
			continue;
		cl->n_pracs++;
		if ((v = get(m, "feeds")) && want(c, v, YT_SEQ, "feeds") == 0) {
			pr->feeds = xcalloc(v->n + 1, sizeof *pr->feeds);
			for (size_t j = 0; j < v->n; j++)
				if (want(c, v->kids[j], YT_SCALAR, "feeds") == 0)
					pr->feeds[pr->n_feeds++] = resolve(c, v->kids[j]->s);
		}
	}
	/* ids are unique */
	for (size_t i = 0; i < cl->n_pracs; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(cl->pracs[i].id, cl->pracs[j].id) == 0) {
				char ln[16];
				snprintf(ln, sizeof ln, "%d", cl->pracs[j].line);
				c->errors++;
				diag_add(c->d, D_PROF_DUP_ID, c->file, cl->pracs[i].line, cl->pracs[i].col,
					 "practitioners", cl->pracs[i].id, ln);
			}
}

static void read_persons(struct ctx *c, const struct ynode *n, struct caseload *cl)
{
	static const char *const keys[] = { "id", "profile", NULL };
	if (want(c, n, YT_SEQ, "persons") < 0)
		return;
	if (n->n > CASELOAD_MAX_PERSONS) {
		char b[16];
		snprintf(b, sizeof b, "%d", CASELOAD_MAX_PERSONS);
		err(c, n, D_PROF_TOO_MANY, "persons", b);
		return;
	}
	cl->persons = xcalloc(n->n + 1, sizeof *cl->persons);
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *m = n->kids[i], *v, *id;
		char w[64];
		snprintf(w, sizeof w, "persons[%zu]", i);
		if (want(c, m, YT_MAP, w) < 0)
			continue;
		check_keys(c, m, w, keys);
		struct cl_person *x = &cl->persons[cl->n_persons];
		x->line = m->line;
		x->col = m->col;
		if (!(id = need(c, m, "id", w)) || !(v = need(c, m, "profile", w)) ||
		    !(x->id = get_id(c, id, w)))
			continue;
		if (want(c, v, YT_SCALAR, "profile") < 0) {
			free(x->id);
			x->id = NULL;
			continue;
		}
		x->profile = join(c, v->s);
		x->given = xstrdup(v->s);
		cl->n_persons++;
	}
	if (!cl->n_persons && !c->errors)
		err(c, n, D_PROF_VALUE, "persons", "a caseload lists at least one person");
	qsort(cl->persons, cl->n_persons, sizeof *cl->persons, by_id);
	for (size_t i = 1; i < cl->n_persons; i++)
		if (strcmp(cl->persons[i].id, cl->persons[i - 1].id) == 0) {
			char ln[16];
			const struct cl_person *a = &cl->persons[i - 1], *b = &cl->persons[i];
			const struct cl_person *later = a->line > b->line ? a : b;
			snprintf(ln, sizeof ln, "%d", a->line > b->line ? b->line : a->line);
			c->errors++;
			diag_add(c->d, D_PROF_DUP_ID, c->file, later->line, later->col, "persons", later->id, ln);
		}
}

int caseload_load(struct caseload **out, const char *path, struct diag *d)
{
	*out = NULL;
	struct bytes b;
	if (file_read_all(path, CASELOAD_MAX_FILE + 1, &b, d) < 0)
		return -1;
	int rc = caseload_load_text(out, path, b.data, b.len, d);
	bytes_release(&b);
	return rc;
}

int caseload_load_text(struct caseload **out, const char *path, const char *text, size_t len,
		       struct diag *d)
{
	*out = NULL;
	struct bytes b = { (char *)text, len };
	struct ynode *root = yt_load_bounded(path, b.data, b.len, CASELOAD_MAX_FILE,
					     CASELOAD_MAX_EVENTS, d);
	struct caseload *cl = xcalloc(1, sizeof *cl);
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, (size_t)(slash - path) + (slash == path)) : xstrdup(".");
	struct ctx c = { path, dir, d, 0 };
	if (!root)
		goto fail;
	hash_sha256_hex(b.data, b.len, cl->digest);
	cl->path = xstrdup(path);
	cl->dir = xstrdup(dir);
	static const char *const keys[] = { "version", "practitioners", "persons", NULL };
	if (want(&c, root, YT_MAP, "the caseload") < 0)
		goto fail;
	check_keys(&c, root, "the caseload", keys);
	const struct ynode *v;
	if ((v = need(&c, root, "version", "the caseload")) &&
	    (v->type != YT_SCALAR || strcmp(v->s, "1") != 0))
		err(&c, v, D_PROF_VALUE, "version", "must be 1");
	if ((v = get(root, "practitioners")))
		read_pracs(&c, v, cl);
	if ((v = need(&c, root, "persons", "the caseload")))
		read_persons(&c, v, cl);
	if (c.errors)
		goto fail;
	ynode_free(root);
	free(dir);
	*out = cl;
	return 0;
fail:
	ynode_free(root);
	free(dir);
	caseload_free(cl);
	return -1;
}

void caseload_free(struct caseload *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_pracs; i++) {
		free(c->pracs[i].id);
		for (size_t j = 0; j < c->pracs[i].n_feeds; j++)
			free(c->pracs[i].feeds[j]);
		free(c->pracs[i].feeds);
	}
	free(c->pracs);
	for (size_t i = 0; i < c->n_persons; i++) {
		free(c->persons[i].id);
		free(c->persons[i].profile);
		free(c->persons[i].given);
	}
	free(c->persons);
	free(c->path);
	free(c->dir);
	free(c);
}

int caseload_prac_index(const struct caseload *c, const char *id)
{
	for (size_t i = 0; i < c->n_pracs; i++)
		if (strcmp(c->pracs[i].id, id) == 0)
			return (int)i;
	return -1;
}

unsigned caseload_shard_of(const char *person_id, unsigned n)
{
	/* FNV-1a, 64-bit: fixed by its definition, not by this build */
	uint64_t h = 14695981039346656037ull;
	for (const unsigned char *p = (const unsigned char *)person_id; *p; p++) {
		h ^= *p;
		h *= 1099511628211ull;
	}
	return n ? (unsigned)(h % n) : 0;
}

long caseload_person_index(const struct caseload *cl, const char *id)
{
	/* persons are sorted by id: a binary search */
	size_t lo = 0, hi = cl->n_persons;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		assert(mid == 0 || strcmp(cl->persons[mid - 1].id, cl->persons[mid].id) <= 0);   /* sorted by id */
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
