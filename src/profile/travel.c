/* travel.c: the profile's travel section: speeds, the explicit matrix, a CSV file of pairs, and the great-circle estimate for pairs left unset. */
#include "getters.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/util.h"
#include "dovetail/xalloc.h"

const char *const pf_travel_modes[TM__COUNT + 1] = { "walk", "wheelchair", "bus", "car", "taxi", NULL };

static void read_speeds(struct ctx *c, const struct ynode *n, const char *where, double *out, double lo)
{
	if (pf_want(c, n, YT_MAP, where) < 0)
		return;
	pf_check_keys(c, n, where, pf_travel_modes);
	for (int i = 0; pf_travel_modes[i]; i++) {
		assert(i < TM__COUNT);   /* out[] is indexed by enum travel_mode */
		const struct ynode *v = pf_get(n, pf_travel_modes[i]);
		char b[160];
		if (v)
			pf_get_num(c, v, pf_sub(b, sizeof b, where, pf_travel_modes[i]), lo, 1000, &out[i]);
	}
}

/* ---- travel --------------------------------------------------------------- */

static void set_pair(struct profile *p, unsigned char *set, int a, int b, int minutes, double cost, int both)
{
	size_t n = p->n_venues;
	if (!set[(size_t)a * n + (size_t)b]) {
		p->travel_min[(size_t)a * n + (size_t)b] = minutes;
		p->travel_cost[(size_t)a * n + (size_t)b] = cost;
		set[(size_t)a * n + (size_t)b] = 2;
	}
	if (both && set[(size_t)b * n + (size_t)a] != 2 && set[(size_t)b * n + (size_t)a] != 3) {
		p->travel_min[(size_t)b * n + (size_t)a] = minutes;
		p->travel_cost[(size_t)b * n + (size_t)a] = cost;
		set[(size_t)b * n + (size_t)a] = 1;
	}
}

static size_t max_matrix = MAX_MATRIX;

void profile_matrix_limit(size_t n)
{
	assert(n >= 1 && n <= MAX_MATRIX);
	max_matrix = n;
}

/* Explicit pairs: `set` marks 2 for a pair given, 1 for one filled by symmetry. */
static void read_matrix(struct ctx *c, const struct ynode *n, unsigned char *set)
{
	struct profile *p = c->p;
	if (pf_want(c, n, YT_SEQ, "travel.matrix") < 0)
		return;
	if (n->n > max_matrix) {
		char b[24];
		snprintf(b, sizeof b, "%zu", max_matrix);
		pf_err(c, n, D_PROF_TOO_MANY, "travel.matrix", b, NULL);
		return;
	}
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *r = n->kids[i];
		char w[64];
		pf_item(w, sizeof w, "travel.matrix", i);
		if (r->type != YT_SEQ || r->n != 4) {
			pf_err(c, r, D_PROF_TYPE, w, "[from, to, minutes, cost]", yt_type_name(r));
			continue;
		}
		int a = -1, b = -1, mins;
		double cost;
		if (pf_want(c, r->kids[0], YT_SCALAR, w) == 0 && (a = profile_venue_index(p, r->kids[0]->s)) < 0)
			pf_err(c, r->kids[0], D_PROF_NO_ID, w, "venue", pf_shown_id(r->kids[0]));
		if (pf_want(c, r->kids[1], YT_SCALAR, w) == 0 && (b = profile_venue_index(p, r->kids[1]->s)) < 0)
			pf_err(c, r->kids[1], D_PROF_NO_ID, w, "venue", pf_shown_id(r->kids[1]));
		if (pf_get_int(c, r->kids[2], w, 0, 1440, &mins) < 0 || pf_get_num(c, r->kids[3], w, 0, 1e6, &cost) < 0)
			continue;
		if (a >= 0 && b >= 0 && a != b)
			set_pair(p, set, a, b, mins, cost, 0);
	}
	/* symmetry for pairs whose reverse was not given */
	size_t nv = p->n_venues;
	for (size_t a = 0; a < nv; a++)
		for (size_t b = 0; b < nv; b++)
			if (set[a * nv + b] == 2 && !set[b * nv + a]) {
				p->travel_min[b * nv + a] = p->travel_min[a * nv + b];
				p->travel_cost[b * nv + a] = p->travel_cost[a * nv + b];
				set[b * nv + a] = 3;
			}
}

/* Split one CSV line (no embedded newlines) into at most 8 fields, in place. */
static size_t csv_fields(char *line, char **f, int *cols, size_t max)
{
	size_t n = 0;
	char *p = line;
	while (n < max) {
		cols[n] = (int)(p - line) + 1;
		if (*p == '"') {
			char *o = ++p;
			f[n] = o;
			while (*p && !(*p == '"' && p[1] != '"')) {
				if (*p == '"')
					p++;
				*o++ = *p++;
			}
			if (*p == '"')
				p++;
			char *end = p;
			*o = '\0';
			p = end;
		} else {
			f[n] = p;
			while (*p && *p != ',')
				p++;
		}
		n++;
		if (*p != ',') {
			*p = '\0';
			break;
		}
		*p++ = '\0';
	}
	return n;
}

/* One row's four fields f[0..3] (at columns cols) as a pair of venues,
 * minutes and cost. Returns NULL, or what is wrong with *col the column. */
static const char *csv_pair(const struct profile *p, char **f, const int *cols, int *a, int *b,
			    int *minutes, double *cost, int *col)
{
	char *e1, *e2;
	*a = profile_venue_index(p, f[0]);
	*b = profile_venue_index(p, f[1]);
	long mins = strtol(f[2], &e1, 10);
	*cost = strtod(f[3], &e2);
	*col = 1;
	if (*a < 0) {
		*col = cols[0];
		return "unknown venue id in 'from'";
	}
	if (*b < 0) {
		*col = cols[1];
		return "unknown venue id in 'to'";
	}
	if (!*f[2] || *e1 || mins < 0 || mins > 1440) {
		*col = cols[2];
		return "minutes must be a whole number from 0 to 1440";
	}
	if (!*f[3] || *e2 || !(*cost >= 0 && *cost <= 1e6)) {
		*col = cols[3];
		return "cost must be a number from 0";
	}
	*minutes = (int)mins;
	return NULL;
}

/* travel.file: a CSV of from,to,minutes,cost rows. A pair the profile's
 * matrix gives is left alone; a row fills its reverse when that is unset
 * too. `set` marks 4 for every pair the file filled (given or reversed). */
static void read_csv(struct ctx *c, const struct prof_path *path, unsigned char *set)
{
	struct profile *p = c->p;
	struct bytes b;
	struct diag io;
	diag_init(&io);
	if (file_read_all(path->path, 1024 * 1024, &b, &io) < 0) {
		c->errors++;
		diag_add(c->d, D_PROF_FILE, c->file, path->line, path->col, "travel.file", path->given,
			 io.n ? io.v[0].msg : "unreadable");
		diag_release(&io);
		return;
	}
	diag_release(&io);
	size_t nv = p->n_venues;
	unsigned char *mine = xcalloc(nv ? nv * nv : 1, 1);
	int lineno = 0;
	char *save = NULL;
	for (char *line = strtok_r(b.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		size_t l = strlen(line);
		if (l && line[l - 1] == '\r')
			line[--l] = '\0';
		if (l == 0)
			continue;
		char *f[8];
		int cols[8];
		size_t k = csv_fields(line, f, cols, 8);
		if (lineno == 1) {
			if (k < 4 || strcmp(f[0], "from") || strcmp(f[1], "to") || strcmp(f[2], "minutes") || strcmp(f[3], "cost")) {
				c->errors++;
				diag_add(c->d, D_PROF_CSV, path->path, 1, 1, "the header must be from,to,minutes,cost");
				break;
			}
			continue;
		}
		if (k != 4) {
			c->errors++;
			diag_add(c->d, D_PROF_CSV, path->path, lineno, 1, "expected 4 fields: from,to,minutes,cost");
			continue;
		}
		int a, bb, mins, col;
		double cost;
		const char *why = csv_pair(p, f, cols, &a, &bb, &mins, &cost, &col);
		if (why) {
			c->errors++;
			diag_add(c->d, D_PROF_CSV, path->path, lineno, col, why);
			continue;
		}
		if (a == bb)
			continue;
		size_t ab = (size_t)a * nv + (size_t)bb, ba = (size_t)bb * nv + (size_t)a;
		if (set[ab])
			continue;   /* the profile's matrix wins */
		p->travel_min[ab] = mins;
		p->travel_cost[ab] = cost;
		mine[ab] = 2;
		if (!mine[ba] && !set[ba]) {
			p->travel_min[ba] = mins;
			p->travel_cost[ba] = cost;
			mine[ba] = 1;
		}
	}
	for (size_t i = 0; i < nv * nv; i++)
		if (mine[i])
			set[i] = 4;
	free(mine);
	bytes_release(&b);
}

static double haversine_km(double la1, double lo1, double la2, double lo2)
{
	const double r = 6371.0088, rad = 3.14159265358979323846 / 180;
	double dla = (la2 - la1) * rad, dlo = (lo2 - lo1) * rad;
	double h = sin(dla / 2) * sin(dla / 2) + cos(la1 * rad) * cos(la2 * rad) * sin(dlo / 2) * sin(dlo / 2);
	return 2 * r * asin(sqrt(h < 1 ? h : 1));
}

void pf_read_travel(struct ctx *c, const struct ynode *n)
{
	static const char *const keys[] = { "matrix", "file", "detour", "speed", "cost_per_km",
		"overhead", NULL };
	struct profile *p = c->p;
	size_t nv = p->n_venues;
	p->travel_min = xcalloc(nv ? nv * nv : 1, sizeof *p->travel_min);
	p->travel_cost = xcalloc(nv ? nv * nv : 1, sizeof *p->travel_cost);
	unsigned char *set = xcalloc(nv ? nv * nv : 1, 1);
	for (size_t i = 0; i < nv * nv; i++)
		p->travel_min[i] = i / nv == i % nv ? 0 : -1;
	if (n && pf_want(c, n, YT_MAP, "travel") == 0) {
		pf_check_keys(c, n, "travel", keys);
		const struct ynode *v;
		if ((v = pf_get(n, "detour")))
			pf_get_num(c, v, "travel.detour", 1.0, 3.0, &p->detour);
		if ((v = pf_get(n, "overhead")))
			pf_get_num(c, v, "travel.overhead", 0, 240, &p->overhead);
		if ((v = pf_get(n, "speed")))
			read_speeds(c, v, "travel.speed", p->speed, 0.5);
		if ((v = pf_get(n, "cost_per_km")))
			read_speeds(c, v, "travel.cost_per_km", p->cost_per_km, 0);
		if ((v = pf_get(n, "matrix")))
			read_matrix(c, v, set);
		struct prof_path csv;
		memset(&csv, 0, sizeof csv);
		if ((v = pf_get(n, "file")) && pf_get_path(c, v, "travel.file", &csv) == 0)
			read_csv(c, &csv, set);
		free(csv.given);
		free(csv.path);
		free(csv.source);
	}
	assert((unsigned)p->mode < TM__COUNT);
	double speed = p->speed[p->mode], perkm = p->cost_per_km[p->mode];
	for (size_t a = 0; a < nv; a++) {
		for (size_t b = 0; b < nv; b++) {
			const struct prof_venue *x = &p->venues[a], *y = &p->venues[b];
			if (a == b || set[a * nv + b] || !x->has_at || !y->has_at)
				continue;
			double km = haversine_km(x->lat, x->lon, y->lat, y->lon) * p->detour;
			p->travel_min[a * nv + b] = (int)(p->overhead + ceil(km / speed * 60 - 1e-9));
			p->travel_cost[a * nv + b] = round(km * perkm * 100) / 100;
		}
	}
	free(set);
}
