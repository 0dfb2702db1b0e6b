/* capbound.c: where a session can start, narrowed by probes, and how many
 * sessions fit apart (include/dovetail/capbound.h). */
#include "dovetail/capbound.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/util.h"
#include "dovetail/xalloc.h"

static void push(struct cb_range **v, size_t *n, size_t *cap, int64_t lo, int64_t hi)
{
	*BUF_PUSH(*v, *n, *cap) = (struct cb_range){ lo, hi };
}

void cb_begin(struct cb_session *s, int64_t from, int64_t to, int64_t len, int64_t grain, size_t max_probes)
{
	assert(len > 0 && from < to && grain >= 0 && max_probes >= 1);
	memset(s, 0, sizeof *s);
	s->from = from;
	s->to = to;
	s->len = len;
	s->grain = grain;
	s->max_probes = max_probes;
	push(&s->todo, &s->n_todo, &s->cap_todo, from - len + 1, to - 1);
}

void cb_release(struct cb_session *s)
{
	free(s->starts);
	free(s->todo);
	memset(s, 0, sizeof *s);
}

static int by_lo(const void *a, const void *b)
{
	const struct cb_range *x = a, *y = b;
	return (x->lo > y->lo) - (x->lo < y->lo);
}

size_t cb_next(struct cb_session *s, struct cb_range **out)
{
	*out = NULL;
	size_t n = 0, cap = 0;
	for (size_t t = 0; t < s->n_todo; t++) {
		if (s->probes >= s->max_probes) {
			push(&s->starts, &s->n_starts, &s->cap_starts, s->todo[t].lo, s->todo[t].hi);
			continue;
		}
		s->probes++;
		push(out, &n, &cap, s->todo[t].lo, s->todo[t].hi);
	}
	s->n_todo = 0;
	if (!n && s->n_starts)
		qsort(s->starts, s->n_starts, sizeof *s->starts, by_lo);
	return n;
}

void cb_answer(struct cb_session *s, struct cb_range r, int within)
{
	assert(r.lo <= r.hi);
	if (!within)
		return;
	if (r.hi - r.lo <= s->grain) {
		push(&s->starts, &s->n_starts, &s->cap_starts, r.lo, r.hi);
		return;
	}
	int64_t mid = r.lo + (r.hi - r.lo) / 2;
	push(&s->todo, &s->n_todo, &s->cap_todo, r.lo, mid);
	push(&s->todo, &s->n_todo, &s->cap_todo, mid + 1, r.hi);
}

size_t cb_hold(const struct cb_session *s, struct cb_range r, int64_t busy[2][2])
{
	/* a session starting in (from - len, to) lies in [from - len, to + len) */
	int64_t a = s->from - s->len, b = s->to + s->len;
	size_t n = 0;
	if (r.lo > a) {
		busy[n][0] = a;
		busy[n++][1] = r.lo;
	}
	if (r.hi + s->len < b) {
		busy[n][0] = r.hi + s->len;
		busy[n++][1] = b;
	}
	return n;
}

size_t cb_most_apart(const struct cb_session *const *s, size_t n)
{
	assert(n <= CB_MAX_SESSIONS);
	/* end[mask]: the earliest the sessions of mask can all be over, each
	 * at its first start at or after the one before ends (any schedule of
	 * them, sorted by start, ends no earlier) */
	int64_t *end = xmalloc(((size_t)1 << n) * sizeof *end);
	size_t best = 0;
	end[0] = INT64_MIN;
	for (size_t mask = 1; mask < (size_t)1 << n; mask++) {
		end[mask] = INT64_MAX;
		size_t count = 0;
		for (size_t a = 0; a < n; a++) {
			if (!(mask >> a & 1))
				continue;
			count++;
			int64_t t = end[mask & ~((size_t)1 << a)];
			if (t == INT64_MAX)
				continue;
			for (size_t m = 0; m < s[a]->n_starts; m++) {
				const struct cb_range *x = &s[a]->starts[m];
				if (x->hi < t)
					continue;
				int64_t e = (x->lo > t ? x->lo : t) + s[a]->len;
				if (e < end[mask])
					end[mask] = e;
				break;   /* sorted and disjoint: the first at or after t */
			}
		}
		if (end[mask] != INT64_MAX && count > best)
			best = count;
	}
	free(end);
	return best;
}
