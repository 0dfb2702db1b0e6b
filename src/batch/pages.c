/* pages.c: each person's page, drawn from the chosen plan's stored text
 * in the person workers (docs/batch.md, docs/report.md). */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/person.h"
#include "dovetail/profile.h"
#include "dovetail/report.h"
#include "dovetail/solver.h"
#include "dovetail/util.h"
#include "dovetail/xalloc.h"

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
	char *s = xmalloc(k + n + 24);
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
};

static const char *keep(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static int page_row(const struct store_batch_person *p, const struct store_batch_column *c,
		    const struct store_batch_column *alone, void *arg)
{
	(void)alone;
	struct pages *pg = arg;
	long idx = caseload_person_index(pg->b->cl, p->person);
	if (idx < 0)
		return 0;
	struct report_person *x = BUF_PUSH(pg->v, pg->n, pg->cap);
	memset(x, 0, sizeof *x);
	size_t i = pg->n - 1;
	/* plan, proven and index grow with v */
	pg->plan = xreallocarray(pg->plan, pg->cap, sizeof *pg->plan);
	pg->proven = xreallocarray(pg->proven, pg->cap, sizeof *pg->proven);
	pg->index = xreallocarray(pg->index, pg->cap, sizeof *pg->index);
	pg->index[i] = (size_t)idx;
	int ok = strcmp(p->status, "ok") == 0 && c;
	x->id = keep(p->person);
	x->status = keep(ok ? "ok" : "error");
	x->why = ok ? NULL : keep(p->error ? p->error : "no plan was chosen");
	x->jb = p->before.journeys, x->tb = p->before.travel_min, x->cb = p->before.clashes;
	x->rb = p->before.routine_conflicts, x->eb = p->before.peak_energy;
	if (ok) {
		x->ja = c->after.journeys, x->ta = c->after.travel_min, x->ca = c->after.clashes;
		x->ra = c->after.routine_conflicts, x->ea = c->after.peak_energy, x->changes = c->changes;
	}
	pg->plan[i] = ok ? (char *)keep(c->plan) : NULL;
	pg->proven[i] = ok && c->proven;
	return 0;
}

static char *page_task(void *arg, size_t i, size_t *len)
{
	struct pages *pg = arg;
	size_t v = pg->todo[i];
	char *buf = xasprintf("R %zu %d\n%s", pg->index[v], pg->proven[v], pg->plan[v]);
	*len = strlen(buf);
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
		x->why = keep(why);
		return 0;
	}
	char *name = page_name(x->id);
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
	pg.todo = xmalloc((pg.n + 1) * sizeof *pg.todo);
	for (size_t i = 0; !rc && i < pg.n; i++)
		if (pg.plan[i])
			pg.todo[pg.n_todo++] = i;
	if (!rc && pg.n_todo) {
		struct pool *p = bt_person_pool(b, d);
		rc = p ? pool_run(p, pg.n_todo, page_task, page_done, NULL, &pg, d) : -1;
		if (rc)
			bt_pool_failed(b);
	}
	if (!rc) {
		char title[96];
		snprintf(title, sizeof title, "Caseload: batch %s, before and after", b->run);
		char *index = report_overview_html(title, pg.v, pg.n, b->now, d);
		if (!index || outdir_put(dir, "index.html", index, strlen(index), d) < 0)
			rc = -1;
		free(index);
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
