/* query.c: questions asked of a loaded profile at run time: ids to indices, travel between venues, the venue a LOCATION names. */
#include "dovetail/profile.h"

#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/util.h"
#include "dovetail/xalloc.h"

int profile_venue_index(const struct profile *p, const char *id)
{
	for (size_t i = 0; i < p->n_venues; i++)
		if (p->venues[i].id && strcmp(p->venues[i].id, id) == 0)
			return (int)i;
	return -1;
}

static int lists(const struct idx_list *l, int v)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == v)
			return 1;
	return 0;
}

int profile_joint(const struct profile *p, int a, int b)
{
	assert(a >= 0 && b >= 0 && (size_t)a < p->n_pracs && (size_t)b < p->n_pracs);
	return a != b && lists(&p->pracs[a].joint_with, b) && lists(&p->pracs[b].joint_with, a);
}

int profile_prac_index(const struct profile *p, const char *id)
{
	for (size_t i = 0; i < p->n_pracs; i++)
		if (p->pracs[i].id && strcmp(p->pracs[i].id, id) == 0)
			return (int)i;
	return -1;
}

const char **profile_feed_sources(const struct profile *p, size_t *n)
{
	size_t k = 0;
	for (size_t i = 0; i < p->n_pracs; i++)
		k += p->pracs[i].n_feeds;
	for (size_t i = 0; i < p->n_carers; i++)
		k += p->carers[i].n_feeds;
	const char **src = xcalloc(k + 1, sizeof *src);
	k = 0;
	for (size_t i = 0; i < p->n_pracs; i++)
		for (size_t j = 0; j < p->pracs[i].n_feeds; j++) {
			const struct prof_path *f = &p->pracs[i].feeds[j];
			src[k++] = f->source ? f->source : f->path;
		}
	for (size_t i = 0; i < p->n_carers; i++)
		for (size_t j = 0; j < p->carers[i].n_feeds; j++) {
			const struct prof_path *f = &p->carers[i].feeds[j];
			src[k++] = f->source ? f->source : f->path;
		}
	*n = k;
	return src;
}

int profile_travel(const struct profile *p, int a, int b)
{
	if (a == b)
		return 0;
	if (a < 0 || b < 0 || !p->travel_min)
		return -1;
	assert((size_t)a < p->n_venues && (size_t)b < p->n_venues);   /* venue indices */
	int m = p->travel_min[(size_t)a * p->n_venues + (size_t)b];
	return m < 0 ? -1 : (m + p->slot - 1) / p->slot * p->slot;
}

double profile_travel_cost(const struct profile *p, int a, int b)
{
	if (a == b || a < 0 || b < 0 || !p->travel_cost)
		return 0;
	assert((size_t)a < p->n_venues && (size_t)b < p->n_venues);   /* venue indices */
	return p->travel_cost[(size_t)a * p->n_venues + (size_t)b];
}

unsigned wd_bit_of_days(int64_t days)
{
	return 1u << time_weekday(days);
}

/* Lower-case ASCII, with runs of spaces and , . ; : - ( ) / read as one
 * space, trimmed, and padded with one space on each side. */
static char *norm(const char *s)
{
	size_t l = strlen(s);
	char *o = xmalloc(l + 3), *q = o;
	*q++ = ' ';
	for (const char *x = s; *x; x++) {
		unsigned char ch = (unsigned char)*x;
		if (isspace(ch) || strchr(",.;:-()/", ch)) {
			if (q[-1] != ' ')
				*q++ = ' ';
		} else {
			*q++ = (char)tolower(ch);
		}
	}
	if (q[-1] != ' ')
		*q++ = ' ';
	*q = '\0';
	return o;
}

int profile_match_venue(const struct profile *p, const char *location)
{
	if (!location || !*location)
		return -1;
	char *loc = norm(location);
	int best = -1;
	size_t best_len = 0;
	for (size_t i = 0; i < p->n_venues; i++) {
		const struct prof_venue *v = &p->venues[i];
		for (size_t j = 0; j <= v->n_aliases; j++) {
			char *name = norm(j == 0 ? v->name : v->aliases[j - 1]);
			size_t nl = strlen(name);
			if (nl > 2 && strstr(loc, name) && nl > best_len) {
				best = (int)i;
				best_len = nl;
			}
			free(name);
		}
	}
	free(loc);
	return best;
}
