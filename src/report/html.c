/* html.c: the before/after report as one self-contained HTML page with inline SVG week views. */
#include "dovetail/report.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/check.h"
#include "dovetail/objective.h"
#include "dovetail/store.h"
#include "dovetail/util.h"
#include "dovetail/xalloc.h"

/* Geometry of a week view, in SVG user units (CSS pixels at 100%). */
#define AXIS 36          /* the time labels on the left */
#define HEAD 32          /* the day names on top */
#define COLW 60          /* one day */
#define LANE 8           /* the travel lane at the left of a day */
#define MAX_LANES 16     /* side-by-side lanes of a day's overlapping appointments: more share the last */
#define MAX_HEIGHT 460.0 /* the longest horizon of a day fits in this */

/* Colours that stay apart for the common kinds of colour blindness
 * (Okabe and Ito's eight, then four more), by practitioner index. */
static const char *const palette[] = { "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9",
	"#D55E00", "#F0E442", "#7F7F7F", "#6A3D9A", "#8C564B", "#1B7837", "#E7298A" };
#define N_PALETTE (sizeof palette / sizeof palette[0])

static const char *fill_of(int prac)
{
	return palette[(size_t)prac % N_PALETTE];
}

/* Black or white, whichever reads better on the practitioner's colour. */
static const char *ink_of(int prac)
{
	unsigned rgb = (unsigned)strtoul(fill_of(prac) + 1, NULL, 16);
	double r = (rgb >> 16 & 255) / 255.0, g = (rgb >> 8 & 255) / 255.0, b = (rgb & 255) / 255.0;
	return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.5 ? "#000" : "#fff";
}

/* Text for HTML, in an element or a quoted attribute. Control characters
 * become spaces; nothing from any input can open markup. */
static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(c < 0x20 || c == 0x7f ? ' ' : c, f); break;
		}
	}
}

/* s in at most `chars` characters (UTF-8 code points) for a label: when
 * longer, its start and its end with an ellipsis between, as the end of
 * an id is what tells it from its neighbours ("clinic-001"). */
static void fit(const char *s, int chars, char *out, size_t sz)
{
	size_t n = 0, len = strlen(s);
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	if ((int)n <= chars || chars < 3) {
		snprintf(out, sz, "%s", chars < 3 && (int)n > chars ? "" : s);
		return;
	}
	size_t head = (size_t)(chars - 1) / 2, tail = (size_t)(chars - 1) - head;
	/* byte offsets of the head's end and the tail's start */
	size_t h = 0;
	for (size_t k = 0; h < len; h++) {
		if (((unsigned char)s[h] & 0xc0) != 0x80) {
			if (k == head)
				break;
			k++;
		}
	}
	size_t t = len, m = 0;
	while (t > 0 && m < tail) {
		t--;
		if (((unsigned char)s[t] & 0xc0) != 0x80)
			m++;
	}
	snprintf(out, sz, "%.*s\xe2\x80\xa6%s", (int)h, s, s + t);
}

static const char *venue_name(const struct profile *p, int v)
{
	return v < 0 ? "an unknown venue" : p->venues[v].name;
}

/* "physiotherapist (physio)", with the display name when names are shown. */
static void who(FILE *f, const struct profile *p, int prac, int names)
{
	const struct prof_practitioner *pr = &p->pracs[prac];
	esc(f, pr->role ? pr->role : pr->id);
	fputs(" (", f);
	esc(f, pr->id);
	if (names && pr->display_name) {
		fputs(", ", f);
		esc(f, pr->display_name);
	}
	fputs(")", f);
}

static void span(FILE *f, int from, int to)
{
	char a[8], b[8];
	time_fmt_hhmm(from, a);
	time_fmt_hhmm(to, b);
	fprintf(f, "%s&#8211;%s", a, b);
}

/* ---- one view of one week ---------------------------------------------------- */

/* Whether problem x is marked in the days [d0, d1): check_week's errors
 * (clashes, routines, journeys), not the week-wide ones. */
static int marked(const struct problem *x, size_t d0, size_t d1)
{
	return problem_is_error(x->kind) && !x->week_wide && (size_t)x->day >= d0 && (size_t)x->day < d1;
}

struct scale {
	int t0, t1;              /* minutes shown: t0 .. t1 */
	double ppm;              /* units per minute */
};

static double y_of(const struct scale *sc, int m)
{
	if (m < sc->t0)
		m = sc->t0;
	if (m > sc->t1)
		m = sc->t1;
	return HEAD + (m - sc->t0) * sc->ppm;
}

static void widen(struct scale *sc, int from, int to)
{
	if (from < sc->t0)
		sc->t0 = from;
	if (to > sc->t1)
		sc->t1 = to;
}

/* The time shown: the person's day and everything drawn, whole hours,
 * the same for every view so that before and after line up. */
static struct scale scale_of(const struct week *const *ws, size_t n)
{
	const struct profile *p = ws[0]->p;
	struct scale sc = { p->day.from, p->day.to, 0 };
	for (size_t k = 0; k < n; k++) {
		const struct week *w = ws[k];
		if (!w)
			continue;
		for (size_t i = 0; i < w->n_appts; i++)
			widen(&sc, w->appts[i].s_min, w->appts[i].e_min);
		for (size_t i = 0; i < w->n_legs; i++)
			widen(&sc, w->legs[i].dep, w->legs[i].arr);
		for (size_t i = 0; i < w->n_routines; i++)
			if (w->routines[i].start >= 0)
				widen(&sc, w->routines[i].start,
				      w->routines[i].start + p->routines[w->routines[i].routine].duration);
	}
	sc.t0 = sc.t0 / 60 * 60;
	sc.t1 = (sc.t1 + 59) / 60 * 60;
	if (sc.t1 > 1440)
		sc.t1 = 1440;
	if (sc.t1 <= sc.t0)
		sc.t1 = sc.t0 + 60;
	sc.ppm = 0.6;
	if ((sc.t1 - sc.t0) * sc.ppm > MAX_HEIGHT)
		sc.ppm = MAX_HEIGHT / (sc.t1 - sc.t0);
	return sc;
}

/* The change (1-based) that moves appointment i of this view, or 0. */
static int badge_of(const struct report *r, int after, size_t i)
{
	assert(i < (after ? r->after : r->before)->n_appts);
	for (size_t c = 0; c < r->n_changes; c++)
		if ((after ? r->changes[c].after_appt : r->changes[c].before_appt) == (int)i)
			return (int)c + 1;
	return 0;
}

/* The unplaced appointment (1-based) that appointment i of the after view is, or 0. */
static int unplaced_of(const struct report *r, int after, size_t i)
{
	for (size_t u = 0; after && u < r->n_unplaced; u++)
		if (r->unplaced[u].after_appt == (int)i)
			return (int)u + 1;
	return 0;
}

/* Side-by-side lanes for the appointments of a day that overlap (a clash,
 * or the parts of a joint session): lane[k] and lanes[k] of each (d->n of
 * them; at most MAX_LANES lanes in a group). */
static void lanes_of(const struct week *w, const struct wk_day *d, int *lane, int *lanes)
{
	size_t g = 0;   /* first of the current overlapping group */
	int group_end = -1, n = 0, end[MAX_LANES];
	assert(d->first + d->n <= w->n_appts);
	for (size_t k = 0; k < d->n; k++) {
		const struct wk_appt *a = &w->appts[d->first + k];
		if (a->s_min >= group_end) {   /* a new group begins */
			for (size_t j = g; j < k; j++)
				lanes[j] = n;
			g = k;
			n = 0;
			group_end = -1;
		}
		int l = 0;
		while (l < n && end[l] > a->s_min)
			l++;
		if (l == n) {
			if (n < MAX_LANES)
				n++;
			else
				l = MAX_LANES - 1;
		}
		end[l] = a->e_min;
		lane[k] = l;
		if (a->e_min > group_end)
			group_end = a->e_min;
	}
	for (size_t j = g; j < d->n; j++)
		lanes[j] = n;
}

static void appt_data(FILE *f, const struct week *w, const struct wk_appt *a)
{
	const struct profile *p = w->p;
	char s[24], e[24];
	time_fmt_local(w->days[a->day].date, a->s_min, s, sizeof s);
	time_fmt_local(w->days[a->day].date, a->e_min, e, sizeof e);
	fputs(" data-practitioner=\"", f);
	esc(f, p->pracs[a->prac].id);
	fputs("\" data-uid=\"", f);
	esc(f, a->uid);
	fputs("\" data-recurrence-id=\"", f);
	esc(f, a->rid);
	fprintf(f, "\" data-start=\"%s\" data-end=\"%s\" data-venue=\"", s, e);
	esc(f, a->venue < 0 ? "" : p->venues[a->venue].id);
	fputs("\"", f);
}

/* The head of the SVG of days [d0, d1) (its title, the hatch pattern) and
 * the hour lines. */
static void svg_head(FILE *f, size_t d0, size_t d1, const struct scale *sc, const char *vid, const char *caption)
{
	int width = AXIS + (int)(d1 - d0) * COLW + 4;
	int height = (int)ceil(y_of(sc, sc->t1)) + 4;
	fprintf(f, "<svg class=\"weekview\" role=\"img\" "
		   "aria-labelledby=\"%s-t\" aria-describedby=\"%s-d\" viewBox=\"0 0 %d %d\" width=\"%d\" "
		   "height=\"%d\" font-family=\"sans-serif\">\n<title id=\"%s-t\">",
		vid, vid, width, height, width, height, vid);
	esc(f, caption);
	fprintf(f, "</title>\n<defs><pattern id=\"%s-hatch\" width=\"6\" height=\"6\" "
		   "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
		   "<rect width=\"6\" height=\"6\" fill=\"#f3efe0\"/><line x1=\"0\" y1=\"0\" x2=\"0\" "
		   "y2=\"6\" stroke=\"#c9bf95\" stroke-width=\"3\"/></pattern></defs>\n",
		vid);
	/* hours */
	for (int h = sc->t0; h <= sc->t1; h += 60) {
		char t[8];
		time_fmt_hhmm(h, t);
		double y = y_of(sc, h);
		fprintf(f, "<line class=\"hour\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
			   "<text x=\"%d\" y=\"%.1f\" font-size=\"9\" text-anchor=\"end\" fill=\"#555\">%s</text>\n",
			AXIS, y, width - 4, y, AXIS - 3, y + 3, t);
	}
}

/* Day di's column at x0: its name, its journeys, its frame and the times
 * outside the person's day. */
static void svg_day_frame(FILE *f, const struct week *w, size_t di, int x0, const struct scale *sc)
{
	const struct profile *p = w->p;
	const struct wk_day *d = &w->days[di];
	char name[24];
	time_fmt_day(d->date, 0, name, sizeof name);
	char *sp = strrchr(name, ' ');
	if (sp)
		*sp = 0;   /* "Mon 23" */
	fprintf(f, "<g class=\"day\"><text x=\"%d\" y=\"14\" font-size=\"10\" font-weight=\"bold\" "
		   "text-anchor=\"middle\">%s</text>",
		x0 + COLW / 2, name);
	fprintf(f, "<text x=\"%d\" y=\"26\" font-size=\"8\" text-anchor=\"middle\" fill=\"#555\">"
		   "%d trip%s</text>",
		x0 + COLW / 2, d->journeys, d->journeys == 1 ? "" : "s");
	double ytop = y_of(sc, sc->t0), ybot = y_of(sc, sc->t1);
	fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"none\" "
		   "stroke=\"#bbb\"/>",
		x0, ytop, COLW, ybot - ytop);
	/* outside the person's day */
	if (p->day.from > sc->t0)
		fprintf(f, "<rect class=\"offday\" x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" "
			   "fill=\"#eee\"/>",
			x0 + 1, ytop, COLW - 2, y_of(sc, p->day.from) - ytop);
	if (p->day.to < sc->t1)
		fprintf(f, "<rect class=\"offday\" x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" "
			   "fill=\"#eee\"/>",
			x0 + 1, y_of(sc, p->day.to), COLW - 2, ybot - y_of(sc, p->day.to));
	fputs("</g>\n", f);
}

/* Day di's routines, shaded. */
static void svg_routines(FILE *f, const struct week *w, size_t di, int x0, const struct scale *sc, const char *vid)
{
	const struct profile *p = w->p;
	for (size_t i = 0; i < w->n_routines; i++) {
		const struct wk_routine *rt = &w->routines[i];
		if ((size_t)rt->day != di || rt->start < 0)
			continue;
		const struct prof_routine *pr = &p->routines[rt->routine];
		double y = y_of(sc, rt->start), h = y_of(sc, rt->start + pr->duration) - y;
		fprintf(f, "<g class=\"routine\"><title>%s ", routine_kind_name(pr->kind));
		esc(f, pr->id);
		fputs(", ", f);
		span(f, rt->start, rt->start + pr->duration);
		fprintf(f, "</title><rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"url(#%s-hatch)\"/>",
			x0 + LANE + 1, y, COLW - LANE - 2, h, vid);
		if (h >= 9) {
			fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"7\" font-style=\"italic\" fill=\"#6b5d2b\">",
				x0 + LANE + 3, y + 8);
			esc(f, pr->id);
			fputs("</text>", f);
		}
		fputs("</g>\n", f);
	}
}

/* Day di's travel, in the lane at the left. */
static void svg_travel(FILE *f, const struct week *w, size_t di, int x0, const struct scale *sc)
{
	const struct profile *p = w->p;
	for (size_t i = 0; i < w->n_legs; i++) {
		const struct wk_leg *l = &w->legs[i];
		if ((size_t)l->day != di)
			continue;
		double y1 = y_of(sc, l->dep), y2 = y_of(sc, l->arr);
		if (y2 - y1 < 4)
			y2 = y1 + 4;
		fputs("<g class=\"travel\" data-from=\"", f);
		esc(f, p->venues[l->from].id);
		fputs("\" data-to=\"", f);
		esc(f, p->venues[l->to].id);
		fputs("\"><title>travel from ", f);
		esc(f, venue_name(p, l->from));
		fputs(" to ", f);
		esc(f, venue_name(p, l->to));
		fputs(", ", f);
		span(f, l->dep, l->arr);
		int xm = x0 + LANE / 2 + 1;
		fprintf(f, "</title><line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#333\" "
			   "stroke-width=\"2\"/><path d=\"M%d,%.1f L%d,%.1f L%d,%.1f z\" fill=\"#333\"/></g>\n",
			xm, y1, xm, y2 - 3, xm - 3, y2 - 4, xm + 3, y2 - 4, xm, y2);
	}
}

/* Appointment i, in lane l of nl of its day's column at x0. */
static void svg_appt(FILE *f, const struct report *r, const struct week *w, int after, size_t i, int x0,
		     int l, int nl, const struct scale *sc)
{
	const struct profile *p = w->p;
	const struct wk_appt *a = &w->appts[i];
	double inner = COLW - LANE - 4, wl = inner / (nl ? nl : 1);
	double x = x0 + LANE + 2 + l * wl, y = y_of(sc, a->s_min);
	double h = y_of(sc, a->e_min) - y;
	if (h < 6)
		h = 6;
	int badge = badge_of(r, after, i), un = unplaced_of(r, after, i);
	fputs(un ? "<g class=\"appt unplaced\"" : "<g class=\"appt\"", f);
	appt_data(f, w, a);
	if (badge)
		fprintf(f, " data-change=\"%d\"", badge);
	fputs("><title>", f);
	span(f, a->s_min, a->e_min);
	fputs(" ", f);
	who(f, p, a->prac, r->names);
	fputs(" at ", f);
	esc(f, venue_name(p, a->venue));
	if (a->tentative)
		fputs(", tentative", f);
	if (badge)
		fprintf(f, ", change %d", badge);
	if (un) {
		fputs(", which the proposal cannot place", f);
		if (r->unplaced[un - 1].reason) {
			fputs(": ", f);
			esc(f, r->unplaced[un - 1].reason);
		}
	}
	fprintf(f, "</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"2\" "
		   "fill=\"%s\"%s stroke=\"%s\" stroke-width=\"%s\"%s/>",
		x, y, wl - 1, h, fill_of(a->prac), un ? " fill-opacity=\"0.45\"" : "",
		un ? "#c00" : "#222", badge || un ? "1.6" : "0.5",
		a->tentative || un ? " stroke-dasharray=\"3 2\"" : "");
	int chars = (int)((wl - 3) / 4.6);
	if (chars > 0 && h >= 9) {
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"8\" fill=\"%s\">", x + 2, y + 8,
			ink_of(a->prac));
		char id[256];
		fit(p->pracs[a->prac].id, chars, id, sizeof id);
		esc(f, id);
		fputs("</text>", f);
		if (h >= 18 && a->venue >= 0) {
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"7\" fill=\"%s\">@", x + 2,
				y + 16, ink_of(a->prac));
			fit(p->venues[a->venue].id, chars - 1, id, sizeof id);
			esc(f, id);
			fputs("</text>", f);
		}
	}
	if (badge)
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5.5\" fill=\"#fff\" stroke=\"#222\"/>"
			   "<text x=\"%.1f\" y=\"%.1f\" font-size=\"7\" font-weight=\"bold\" "
			   "text-anchor=\"middle\">%d</text>",
			x + wl - 6, y + 5, x + wl - 6, y + 7.5, badge);
	fputs("</g>\n", f);
}

/* Day di's appointments, side by side where they overlap. */
static void svg_appts(FILE *f, const struct report *r, const struct week *w, int after, size_t di, int x0,
		      const struct scale *sc)
{
	const struct wk_day *d = &w->days[di];
	int *lane = xmalloc((d->n + 1) * sizeof *lane), *lanes = xmalloc((d->n + 1) * sizeof *lanes);
	lanes_of(w, d, lane, lanes);
	for (size_t k = 0; k < d->n; k++)
		svg_appt(f, r, w, after, d->first + k, x0, lane[k], lanes[k], sc);
	free(lane);
	free(lanes);
}

/* Day di's problems: clashes, broken routines, journeys that cannot be made. */
static void svg_problems(FILE *f, const struct week *w, size_t di, int x0, const struct scale *sc,
			 const struct problems *ps)
{
	const struct wk_day *d = &w->days[di];
	for (size_t i = 0; i < ps->n; i++) {
		const struct problem *x = &ps->v[i];
		if (!marked(x, di, di + 1))
			continue;
		int clash = x->kind == PK_OVERLAP || x->kind == PK_DOUBLE_BOOKED || x->kind == PK_NO_CARER;
		double y = y_of(sc, x->from), h = y_of(sc, x->to) - y;
		if (h < 5)
			h = 5;
		char s[24], e[24];
		time_fmt_local(d->date, x->from, s, sizeof s);
		time_fmt_local(d->date, x->to, e, sizeof e);
		fprintf(f, "<g class=\"problem%s\" data-kind=\"%s\" data-start=\"%s\" data-end=\"%s\">"
			   "<title>%s: ",
			clash ? " clash" : "", problem_kind_name(x->kind), s, e,
			clash ? "clash" : "problem");
		esc(f, x->msg);
		fprintf(f, "</title><rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" "
			   "fill=\"#d00\" fill-opacity=\"0.10\" stroke=\"#c00\" stroke-width=\"2\" "
			   "stroke-dasharray=\"5 2\"/><circle cx=\"%d\" cy=\"%.1f\" r=\"6\" fill=\"#c00\"/>"
			   "<text x=\"%d\" y=\"%.1f\" font-size=\"9\" font-weight=\"bold\" fill=\"#fff\" "
			   "text-anchor=\"middle\">!</text></g>\n",
			x0 + 1, y, COLW - 2, h, x0 + LANE / 2 + 1, y + 6, x0 + LANE / 2 + 1, y + 9);
	}
}

/* The SVG of days [d0, d1) of w. */
static void view_svg(FILE *f, const struct report *r, const struct week *w, int after, size_t d0,
		     size_t d1, const struct scale *sc, const char *vid, const struct problems *ps,
		     const char *caption)
{
	svg_head(f, d0, d1, sc, vid, caption);
	for (size_t di = d0; di < d1; di++) {
		int x0 = AXIS + (int)(di - d0) * COLW;
		svg_day_frame(f, w, di, x0, sc);
		svg_routines(f, w, di, x0, sc, vid);
		svg_travel(f, w, di, x0, sc);
		svg_appts(f, r, w, after, di, x0, sc);
		svg_problems(f, w, di, x0, sc, ps);
	}
	fputs("</svg>\n", f);
}

/* A stream into memory (*buf, *len). Running out of memory ends the
 * process, as xalloc.h's functions do. */
static FILE *mem_open(char **buf, size_t *len)
{
	FILE *f = open_memstream(buf, len);
	if (!f)
		xalloc_die();
	return f;
}

/* Close a mem_open stream: its bytes are then in *buf (a failure of a
 * memory stream is running out of memory). */
static void mem_close(FILE *f)
{
	if (fclose(f) != 0)
		xalloc_die();
}

/* ---- the text alternative ---------------------------------------------------- */

struct item {
	int t, order;
	char *text;               /* malloc'd HTML */
};

/* A day's items, in the order they were added. */
struct items {
	struct item *v;
	size_t n, cap;
};

static int item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

/* Add the item of minute t whose HTML is text (owned by l now). */
static void item_add(struct items *l, int t, char *text)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n] = (struct item){ t, (int)l->n, text };
	l->n++;
}

/* Add an item of minute t_ to l, its HTML written to g_ by the statements. */
#define ITEM(l, t_, ...)                                     \
	do {                                                 \
		char *b_ = NULL;                             \
		size_t l_ = 0;                               \
		FILE *g_ = mem_open(&b_, &l_);               \
		__VA_ARGS__;                                 \
		mem_close(g_);                               \
		item_add((l), (t_), b_);                     \
	} while (0)

/* What day di of w holds, as items: its appointments, travel, routines
 * and marked problems. */
static void day_items(struct items *l, const struct report *r, const struct week *w, int after, size_t di,
		      const struct problems *ps)
{
	const struct profile *p = w->p;
	const struct wk_day *d = &w->days[di];
	for (size_t k = 0; k < d->n; k++) {
		size_t i = d->first + k;
		const struct wk_appt *a = &w->appts[i];
		int badge = badge_of(r, after, i), un = unplaced_of(r, after, i);
		ITEM(l, a->s_min, {
			span(g_, a->s_min, a->e_min);
			fputs(" ", g_);
			who(g_, p, a->prac, r->names);
			fputs(" at ", g_);
			esc(g_, venue_name(p, a->venue));
			if (a->tentative)
				fputs(", tentative", g_);
			if (badge)
				fprintf(g_, " (change %d)", badge);
			if (un)
				fputs(" (the proposal cannot place it: it stays as booked)", g_);
		});
	}
	for (size_t i = 0; i < w->n_legs; i++) {
		const struct wk_leg *g = &w->legs[i];
		if ((size_t)g->day != di)
			continue;
		ITEM(l, g->dep, {
			span(g_, g->dep, g->arr);
			fputs(" travel from ", g_);
			esc(g_, venue_name(p, g->from));
			fputs(" to ", g_);
			esc(g_, venue_name(p, g->to));
		});
	}
	for (size_t i = 0; i < w->n_routines; i++) {
		const struct wk_routine *rt = &w->routines[i];
		if ((size_t)rt->day != di || rt->start < 0)
			continue;
		const struct prof_routine *pr = &p->routines[rt->routine];
		ITEM(l, rt->start, {
			span(g_, rt->start, rt->start + pr->duration);
			fprintf(g_, " %s (routine ", routine_kind_name(pr->kind));
			esc(g_, pr->id);
			fputs(")", g_);
		});
	}
	for (size_t i = 0; i < ps->n; i++) {
		const struct problem *x = &ps->v[i];
		if (!marked(x, di, di + 1))
			continue;
		ITEM(l, x->from, {
			int clash = x->kind == PK_OVERLAP || x->kind == PK_DOUBLE_BOOKED || x->kind == PK_NO_CARER;
			fputs(clash ? "Clash: " : "Problem: ", g_);
			esc(g_, x->msg);
		});
	}
}
#undef ITEM

/* The same days as a list, for screen readers (and for reading). */
static void view_text(FILE *f, const struct report *r, const struct week *w, int after, size_t d0,
		      size_t d1, const struct problems *ps, const char *vid)
{
	fprintf(f, "<div class=\"sr-only\" id=\"%s-d\"><ul>\n", vid);
	for (size_t di = d0; di < d1; di++) {
		struct items l = { NULL, 0, 0 };
		day_items(&l, r, w, after, di, ps);
		if (l.n > 1)
			qsort(l.v, l.n, sizeof *l.v, item_cmp);
		char name[24];
		time_fmt_day(w->days[di].date, 0, name, sizeof name);
		fprintf(f, "<li>%s: %s", name, l.n ? "<ul>" : "nothing booked");
		for (size_t i = 0; i < l.n; i++)
			fprintf(f, "<li>%s</li>", l.v[i].text);
		fputs(l.n ? "</ul></li>\n" : "</li>\n", f);
		for (size_t i = 0; i < l.n; i++)
			free(l.v[i].text);
		free(l.v);
	}
	fputs("</ul></div>\n", f);
}

/* ---- the page ------------------------------------------------------------------- */

static const char style[] =
	"body{font:14px/1.4 system-ui,sans-serif;color:#111;margin:1.5em auto;max-width:1100px;"
	"padding:0 1em}\n"
	"h1{font-size:1.5em;margin:0 0 .2em}h2{font-size:1.2em;margin:1.2em 0 .4em}"
	"h3{font-size:1em;margin:.3em 0}\n"
	".meta{color:#444;margin:.2em 0}\n"
	".views{display:flex;gap:14px;align-items:flex-start}\n"
	".views figure{flex:1 1 0;margin:0;min-width:0}\n"
	".views figcaption{font-weight:bold;margin-bottom:.2em}\n"
	"svg.weekview{width:100%;height:auto;display:block}\n"
	".legend{display:flex;flex-wrap:wrap;gap:.3em 1.2em;list-style:none;padding:0;margin:.6em 0;"
	"font-size:.9em}\n"
	".sw{display:inline-block;width:1em;height:1em;vertical-align:-.15em;margin-right:.3em;"
	"border:1px solid #222}\n"
	".sw.routine{background:repeating-linear-gradient(45deg,#f3efe0 0 3px,#c9bf95 3px 5px)}\n"
	".sw.clash{border:2px dashed #c00;background:#fde8e8}"
	".sw.unplaced{border:2px dashed #c00;background:#ccc}\n"
	"table{border-collapse:collapse;margin:.4em 0;font-size:.95em}\n"
	"th,td{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top}\n"
	"th{background:#f2f2f2}td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
	".better{color:#065f2b}.worse{color:#a00}\n"
	".status-accepted{color:#065f2b;font-weight:bold}.status-rejected{color:#a00;font-weight:bold}\n"
	".sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;"
	"clip:rect(0,0,0,0);white-space:nowrap;border:0}\n"
	"footer{margin-top:2em;color:#555;font-size:.85em}\n"
	"@page{size:A4 landscape;margin:10mm}\n"
	"@media print{body{font-size:9.5pt;margin:0;max-width:none;padding:0}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
	".week{break-before:page}.week.first{break-before:auto}"
	".week,.views,figure{break-inside:avoid}.summary{break-before:page}"
	"tr{break-inside:avoid}thead{display:table-header-group}"
	"svg.weekview{max-height:125mm}}\n";

static void totals_row(FILE *f, const char *what, double b, const double *a, int decimals)
{
	fprintf(f, "<tr><th scope=\"row\">%s</th><td class=\"num\">%.*f</td>", what, decimals, b);
	if (a) {
		double diff = *a - b;
		const char *cls = fabs(diff) < 1e-9 ? "" : diff < 0 ? " better" : " worse";
		fprintf(f, "<td class=\"num\">%.*f</td><td class=\"num%s\">%s%.*f</td>", decimals, *a, cls,
			diff > 1e-9 ? "+" : "", decimals, fabs(diff) < 1e-9 ? 0.0 : diff);
	}
	fputs("</tr>\n", f);
}

static void totals_table(FILE *f, const struct report *r, const struct sv_totals *b,
			 const struct sv_totals *a)
{
	const struct profile *p = r->before->p;
	fputs("<section class=\"totals\" aria-labelledby=\"totals-h\"><h2 id=\"totals-h\">Totals</h2>\n"
	      "<table><caption class=\"sr-only\">The week's totals", f);
	fputs(a ? " before and after the proposal; lower is better except appointments kept" : "", f);
	fputs("</caption>\n<thead><tr><th scope=\"col\">Total</th><th scope=\"col\">", f);
	fputs(a ? "Before</th><th scope=\"col\">After</th><th scope=\"col\">Change</th>" : "Now</th>", f);
	fputs("</tr></thead>\n<tbody>\n", f);
	double v;
#define ROW(what, field, dec)                                        \
	do {                                                         \
		v = (double)(a ? a->field : 0);                      \
		totals_row(f, what, (double)b->field, a ? &v : NULL, dec); \
	} while (0)
	ROW("Journeys from home", journeys, 0);
	ROW("Minutes of travel", travel_min, 0);
	ROW("Cost of travel", travel_cost, 2);
	ROW("Clashes (overlaps and double bookings)", clashes, 0);
	ROW("Routines that cannot be kept", routine_conflicts, 0);
	ROW(p->energy_budget > 0 ? "Most energy in one day (of the day's budget)" : "Most energy in one day",
	    peak_energy, 2);
	ROW("Most unfamiliar people met in one day", unfamiliar_max, 0);
	ROW("Appointments in the plan", placed, 0);
	ROW("Compromises: the penalty of the person's rules that give way", compromise, 2);
#undef ROW
	fputs("</tbody></table>\n", f);
	if (p->energy_budget > 0)
		fprintf(f, "<p class=\"meta\">The energy budget is %.2f points a day.</p>\n", p->energy_budget);
	fputs("</section>\n", f);
}

static const char *kind_words(unsigned k)
{
	if (k & CHANGE_JOINT)
		return (k & CHANGE_MOVE) ? "move into a joint session" : "join a joint session";
	if ((k & CHANGE_MOVE) && (k & CHANGE_VENUE))
		return "move and change venue";
	return k & CHANGE_MOVE ? "move" : "change venue";
}

static void place_text(FILE *f, const struct profile *p, const struct place *at, int dur)
{
	char day[24];
	time_fmt_day(at->date, 0, day, sizeof day);
	fprintf(f, "%s ", day);
	span(f, at->start, at->start + dur);
	fputs(" at ", f);
	esc(f, venue_name(p, at->venue ? profile_venue_index(p, at->venue) : -1));
}

/* Change c's decision: who decided and when, with the note, and for an
 * accepted one the practitioner's side (dovetail status). */
static void decision_cell(FILE *f, const struct report *r, const struct report_change *c)
{
	if (c->status == RS_UNDECIDED) {
		fputs("<span class=\"status-undecided\">not yet decided</span>", f);
	} else {
		char at[24];
		time_fmt_date(week_local_date(c->at, r->before->zone), at, sizeof at);
		fprintf(f, "<span class=\"status-%s\">%s</span> by ",
			c->status == RS_ACCEPTED ? "accepted" : "rejected",
			c->status == RS_ACCEPTED ? "accepted" : "rejected");
		esc(f, c->who ? c->who : "?");
		fprintf(f, " on %s", at);
		if (c->note && *c->note) {
			fputs(": &#8220;", f);
			esc(f, c->note);
			fputs("&#8221;", f);
		}
		/* the practitioner's side (dovetail status) */
		if (c->status == RS_ACCEPTED && c->undone_by) {
			fputs("<br><small>the move is off: ", f);
			esc(f, c->undone_by);
			fputs(" declined a change of its group, so it stays where it is booked", f);
			if (!c->revision) {
				fputs(c->sent ? "; the next send tells the practitioner" : "", f);
			} else if (c->answer) {
				fputs("; the practitioner answered the revision: ", f);
				esc(f, c->answer);
			} else {
				time_fmt_date(week_local_date(c->sent_at, r->before->zone), at, sizeof at);
				long days = r->now > c->sent_at ? (long)((r->now - c->sent_at) / 86400) : 0;
				fprintf(f, "; revision sent on %s, waiting %ld day%s", at, days, days == 1 ? "" : "s");
			}
			fputs("</small>", f);
		} else if (c->status == RS_ACCEPTED && c->answer) {
			time_fmt_date(week_local_date(c->answered_at, r->before->zone), at, sizeof at);
			fputs("<br><small>the practitioner answered: ", f);
			esc(f, c->answer);
			fprintf(f, " on %s", at);
			if (c->refused) {
				fputs("; the move is off all the same: they ", f);
				fputs(!strcmp(c->refused, "counter") ? "countered" : "declined", f);
				fputs(" it before, and a later answer does not put it back", f);
			}
			fputs("</small>", f);
		} else if (c->status == RS_ACCEPTED && c->sent) {
			time_fmt_date(week_local_date(c->sent_at, r->before->zone), at, sizeof at);
			long days = r->now > c->sent_at ? (long)((r->now - c->sent_at) / 86400) : 0;
			fprintf(f, "<br><small>sent on %s; waiting for the practitioner, %ld day%s</small>", at, days,
				days == 1 ? "" : "s");
		} else if (c->status == RS_ACCEPTED) {
			fputs("<br><small>not sent to the practitioner yet</small>", f);
		}
	}
}

/* The appointments the proposal cannot place, where they are booked. */
static void unplaced_list(FILE *f, const struct report *r)
{
	const struct profile *p = r->before->p;
	if (r->n_unplaced) {
		fputs("<h3>Appointments the proposal cannot place</h3>\n<p>They are drawn where they are "
		      "booked now, with a dashed red edge, and the totals count them there.</p><ul>\n", f);
		for (size_t i = 0; i < r->n_unplaced; i++) {
			const struct report_unplaced *u = &r->unplaced[i];
			fputs("<li class=\"unplaced\">", f);
			who(f, p, u->prac, r->names);
			fputs(", booked ", f);
			struct place at = { u->date, u->start, u->venue >= 0 ? p->venues[u->venue].id : NULL };
			place_text(f, p, &at, u->duration);
			if (u->reason) {
				fputs(": ", f);
				esc(f, u->reason);
			}
			fputs("</li>\n", f);
		}
		fputs("</ul>\n", f);
	}
}

static void changes_table(FILE *f, const struct report *r)
{
	const struct profile *p = r->before->p;
	fputs("<section class=\"changes\" aria-labelledby=\"changes-h\"><h2 id=\"changes-h\">Changes</h2>\n", f);
	if (!r->n_changes && r->ladder_step)
		fputs("<p>None: this is the change ladder's step with no change, the week as it is; "
		      "the ranked proposals show what changes would bring.</p>\n", f);
	else if (!r->n_changes && r->proven)
		fputs("<p>None: the week is already the best it can be under the profile.</p>\n", f);
	else if (!r->n_changes)
		fputs("<p>None: no better week was found in the time the solve had (not proven).</p>\n", f);
	else {
		fputs("<table><caption class=\"sr-only\">Each change the proposal makes, why, and what "
		      "was decided</caption>\n<thead><tr><th scope=\"col\">#</th><th scope=\"col\">Who</th>"
		      "<th scope=\"col\">What</th><th scope=\"col\">Now</th><th scope=\"col\">After</th>"
		      "<th scope=\"col\">Why</th><th scope=\"col\">Decision</th></tr></thead>\n<tbody>\n",
		      f);
	}
	for (size_t i = 0; i < r->n_changes; i++) {
		const struct report_change *c = &r->changes[i];
		fprintf(f, "<tr class=\"change\" data-change=\"%zu\" data-status=\"%s\"><td>%zu<br>"
			   "<small>",
			i + 1, c->status == RS_ACCEPTED ? "accepted" : c->status == RS_REJECTED ? "rejected" : "undecided",
			i + 1);
		esc(f, c->id);
		fputs("</small></td><td><span class=\"sw\" style=\"background:", f);
		fputs(fill_of(c->prac), f);
		fputs("\"></span>", f);
		who(f, p, c->prac, r->names);
		fprintf(f, "</td><td>%s</td><td>", kind_words(c->ch.kind));
		place_text(f, p, &c->ch.from, c->duration);
		fputs("</td><td>", f);
		place_text(f, p, &c->ch.to, c->duration);
		fputs("</td><td>", f);
		esc(f, c->reason ? c->reason : "");
		fputs("</td><td>", f);
		decision_cell(f, r, c);
		fputs("</td></tr>\n", f);
	}
	if (r->n_changes)
		fputs("</tbody></table>\n", f);
	unplaced_list(f, r);
	if (r->unplaced_count > 0)
		fprintf(f, "<p>The proposal leaves %d %sappointment%s unplaced; %s drawn where %s booked now.</p>\n",
			r->unplaced_count, r->n_unplaced ? "more " : "", r->unplaced_count == 1 ? "" : "s",
			r->unplaced_count == 1 ? "it is" : "they are", r->unplaced_count == 1 ? "it is" : "they are");
	fputs("</section>\n", f);
}

/* The person's rules that give way in week w (the after view, or the
 * week now), each with its size and penalty: the compromises propose
 * lists, read from the week drawn (sv_week_compromises), so they hold for
 * what the page shows whatever was decided. */
static int compromises_list(FILE *f, const struct report *r, const struct week *w, const struct problems *ps,
			    struct diag *d)
{
	struct sv_compromise *cs;
	size_t n;
	if (sv_week_compromises(w, ps, &cs, &n, d) < 0)
		return -1;
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += cs[i].penalty;
	fputs("<section class=\"compromises\" aria-labelledby=\"comp-h\"><h2 id=\"comp-h\">Compromises</h2>\n", f);
	if (!n) {
		fprintf(f, "<p>None: every rule of the person's profile holds %s.</p>\n",
			r->after ? "after the proposal" : "in the week");
	} else {
		fprintf(f, "<p>The person's own rules that give way %s, each with its size and its penalty "
			   "(the profile's weight per unit): %.2f in all.</p>\n",
			r->after ? "after the proposal" : "in the week", sum);
		fputs("<table><caption class=\"sr-only\">Each of the person's rules that gives way, by how much, "
		      "and its penalty</caption>\n<thead><tr><th scope=\"col\">Day</th><th scope=\"col\">What gives "
		      "way</th><th scope=\"col\">Penalty</th></tr></thead>\n<tbody>\n",
		      f);
	}
	for (size_t i = 0; i < n; i++) {
		const struct sv_compromise *c = &cs[i];
		char day[24], iso[16];
		time_fmt_day(w->days[c->day].date, 0, day, sizeof day);
		time_fmt_date(w->days[c->day].date, iso, sizeof iso);
		fprintf(f, "<tr class=\"compromise\" data-kind=\"%s\" data-date=\"%s\" data-week=\"%s\" "
			   "data-penalty=\"%.4f\"><td>%s%s</td><td>",
			problem_kind_name(c->kind), iso, c->week_wide ? "true" : "false", c->penalty,
			c->week_wide ? "week of " : "", day);
		esc(f, c->text);
		fprintf(f, "</td><td class=\"num\">%.2f</td></tr>\n", c->penalty);
	}
	if (n)
		fputs("</tbody></table>\n", f);
	fputs("</section>\n", f);
	free(cs);
	return 0;
}

/* The practitioners drawn in the report, with their colours; and the symbols. */
static void legend(FILE *f, const struct report *r)
{
	const struct profile *p = r->before->p;
	fputs("<ul class=\"legend\" aria-label=\"Key\">", f);
	for (size_t k = 0; k < p->n_pracs; k++) {
		int seen = 0;
		for (size_t i = 0; i < r->before->n_appts && !seen; i++)
			seen = r->before->appts[i].prac == (int)k;
		for (size_t i = 0; r->after && i < r->after->n_appts && !seen; i++)
			seen = r->after->appts[i].prac == (int)k;
		if (!seen)
			continue;
		fprintf(f, "<li><span class=\"sw\" style=\"background:%s\"></span>", fill_of((int)k));
		who(f, p, (int)k, r->names);
		fputs("</li>", f);
	}
	fputs("<li><span class=\"sw routine\"></span>routine (sleep, feed ...)</li>"
	      "<li><span class=\"sw clash\"></span>! clash or problem</li>"
	      "<li>&#8595; travel between venues</li>"
	      "<li>(n) changed by change n</li><li><span class=\"sw unplaced\"></span>the proposal "
	      "cannot place it</li><li>grey: outside the person's day</li></ul>\n", f);
}

/* The page's head and header: title, style, who, the dates, the proposal. */
static void page_head(FILE *f, const struct report *r)
{
	const struct week *wb = r->before;
	const struct profile *p = wb->p;
	char from[24], to[24];
	time_fmt_day(wb->n_days ? wb->days[0].date : 0, 0, from, sizeof from);
	time_fmt_day(wb->n_days ? wb->days[wb->n_days - 1].date : 0, 0, to, sizeof to);
	int y, m, dd;
	civil_from_days(wb->n_days ? wb->days[wb->n_days - 1].date : 0, &y, &m, &dd);
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"dovetail\">\n<title>Week report: ", f);
	esc(f, p->person_id);
	fprintf(f, ", %s to %s %d</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n<h1>", from, to,
		y, style);
	if (r->names && p->display_name) {
		esc(f, p->display_name);
		fputs(" (", f);
		esc(f, p->person_id);
		fputs(")", f);
	} else {
		esc(f, p->person_id);
	}
	fprintf(f, ": %s to %s %d</h1>\n<p class=\"meta\">", from, to, y);
	if (r->proposal) {
		fputs("Proposal <code>", f);
		esc(f, r->proposal);
		fputs("</code>", f);
		if (r->ladder_step)
			fprintf(f, " (the change ladder's best plan with at most %d change%s)", r->ladder_max,
				r->ladder_max == 1 ? "" : "s");
		fprintf(f, ", %zu change%s, objective %.4f%s. ", r->n_changes,
			r->n_changes == 1 ? "" : "s", r->objective,
			r->proven ? " (proven optimal)" : " (not proven optimal)");
	} else {
		fputs("No proposal: the week as it stands. ", f);
	}
	fputs("Times are local (", f);
	esc(f, p->timezone);
	fputs(").</p>\n", f);
	if (r->note) {
		fputs("<p class=\"meta\">", f);
		esc(f, r->note);
		fputs("</p>\n", f);
	}
	fputs("</header>\n<main>\n", f);
}

/* Week wk (0-based), the days [d0, d1): its views, before and after (or
 * now), each as an SVG and a list, and the legend. ps: the problems of
 * the week before and after. */
static void week_section(FILE *f, const struct report *r, size_t wk, size_t d0, size_t d1,
			 const struct scale *sc, const struct problems *const ps[2])
{
	const struct week *wb = r->before, *wa = r->after;
	char wname[24];
	time_fmt_day(wb->days[d0].date, 0, wname, sizeof wname);
	fprintf(f, "<section class=\"week%s\" aria-labelledby=\"w%zu-h\">\n<h2 id=\"w%zu-h\">Week from %s</h2>\n"
		   "<div class=\"views\">\n",
		wk ? "" : " first", wk + 1, wk + 1, wname);
	for (int v = 0; v < (wa ? 2 : 1); v++) {
		const struct week *w = v ? wa : wb;
		char vid[32], caption[160];
		snprintf(vid, sizeof vid, "w%zu-%s", wk + 1, v ? "after" : "before");
		size_t n_appts = 0, n_marks = 0;
		for (size_t di = d0; di < d1; di++)
			n_appts += w->days[di].n;
		for (size_t i = 0; i < ps[v]->n; i++)
			n_marks += marked(&ps[v]->v[i], d0, d1);
		snprintf(caption, sizeof caption, "%s, week from %s: %zu appointment%s, %zu clash%s or problem%s marked",
			 !wa ? "Now" : v ? "After" : "Before", wname, n_appts, n_appts == 1 ? "" : "s",
			 n_marks, n_marks == 1 ? "" : "es", n_marks == 1 ? "" : "s");
		fprintf(f, "<figure class=\"view %s\" data-view=\"%s\">\n<figcaption>%s</figcaption>\n",
			v ? "after" : "before", v ? "after" : "before",
			!wa ? "Now" : v ? "After: with the proposal" : "Before: as booked now");
		view_svg(f, r, w, v, d0, d1, sc, vid, ps[v], caption);
		view_text(f, r, w, v, d0, d1, ps[v], vid);
		fputs("</figure>\n", f);
	}
	fputs("</div>\n", f);
	legend(f, r);
	fputs("</section>\n", f);
}

char *report_html(const struct report *r, struct diag *d)
{
	const struct week *wb = r->before, *wa = r->after;
	struct problems pb = { 0 }, pa = { 0 };
	struct sv_totals tb = { 0 }, ta = { 0 };
	char *buf = NULL;
	size_t len = 0;
	if (check_week(wb, &pb, d) < 0 || (wa && check_week(wa, &pa, d) < 0))
		goto out;
	sv_week_totals(wb, &pb, &tb);
	if (wa)
		sv_week_totals(wa, &pa, &ta);
	FILE *f = mem_open(&buf, &len);
	page_head(f, r);
	const struct week *ws[2] = { wb, wa };
	const struct problems *ps[2] = { &pb, &pa };
	struct scale sc = scale_of(ws, 2);
	size_t wk = 0;
	for (size_t d0 = 0; d0 < wb->n_days; wk++) {
		/* the days of one Monday-Sunday week */
		int64_t monday = wb->days[d0].date - time_weekday(wb->days[d0].date);
		size_t d1 = d0;
		while (d1 < wb->n_days && wb->days[d1].date < monday + 7)
			d1++;
		week_section(f, r, wk, d0, d1, &sc, ps);
		d0 = d1;
	}
	char now[24];
	time_fmt_iso(r->now, now);
	fputs("<div class=\"summary\">\n", f);
	totals_table(f, r, &tb, wa ? &ta : NULL);
	int crc = compromises_list(f, r, wa ? wa : wb, wa ? &pa : &pb, d);
	if (wa)
		changes_table(f, r);
	fputs("</div>\n</main>\n<footer>Made by dovetail at ", f);
	fputs(now, f);
	fputs(". The person is named by their pseudonymous id", f);
	fputs(r->names ? " and display name" : "", f);
	fputs("; this page holds health details: keep it as you would their notes.</footer>\n</body>\n</html>\n", f);
	mem_close(f);
	if (crc < 0) {
		free(buf);
		buf = NULL;
	}
out:
	problems_release(&pb);
	problems_release(&pa);
	sv_totals_release(&tb);
	sv_totals_release(&ta);
	return buf;
}

/* ---- the caseload overview --------------------------------------------------- */

static void pair(FILE *f, double b, double a, int dec)
{
	double diff = a - b;
	fprintf(f, "<td class=\"num%s\">%.*f &#8594; %.*f</td>",
		fabs(diff) < 1e-9 ? "" : diff < 0 ? " better" : " worse", dec, b, dec, a);
}

/* One person's row of the overview: their id (a link to their report
 * when there is one), the result and, when planned, before and after. */
static void person_row(FILE *f, const struct report_person *x)
{
	fputs("<tr class=\"person\" data-person=\"", f);
	esc(f, x->id);
	fputs("\" data-status=\"", f);
	esc(f, x->status);
	fputs("\"><th scope=\"row\">", f);
	if (x->href) {
		fputs("<a href=\"", f);
		esc(f, x->href);
		fputs("\">", f);
	}
	esc(f, x->id);
	fputs(x->href ? "</a></th><td>" : "</th><td>", f);
	esc(f, x->status);
	if (x->why && *x->why) {
		fputs(": ", f);
		esc(f, x->why);
	}
	fputs("</td>", f);
	if (!x->href) {
		fputs("<td colspan=\"7\"></td></tr>\n", f);
		return;
	}
	pair(f, x->jb, x->ja, 0);
	pair(f, x->tb, x->ta, 0);
	pair(f, x->cb, x->ca, 0);
	pair(f, x->rb, x->ra, 0);
	pair(f, x->eb, x->ea, 2);
	fprintf(f, "<td class=\"num\">%d</td><td class=\"num\">%d</td></tr>\n", x->changes, x->unplaced);
}

char *report_overview_html(const char *title, const struct report_person *v, size_t n, int64_t now,
			   struct diag *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = mem_open(&buf, &len);
	char at[24];
	time_fmt_iso(now, at);
	long jb = 0, ja = 0, tb = 0, ta = 0, cb = 0, ca = 0, rb = 0, ra = 0, ch = 0, un = 0;
	size_t ok = 0, partial = 0, err = 0;
	for (size_t i = 0; i < n; i++) {
		jb += v[i].jb, ja += v[i].ja, tb += v[i].tb, ta += v[i].ta;
		cb += v[i].cb, ca += v[i].ca, rb += v[i].rb, ra += v[i].ra;
		ch += v[i].changes, un += v[i].unplaced;
		if (!strcmp(v[i].status, "ok"))
			ok++;
		else if (!strcmp(v[i].status, "partial"))
			partial++;
		else
			err++;
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"dovetail\">\n<title>", f);
	esc(f, title);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header><h1>", style);
	esc(f, title);
	fprintf(f, "</h1>\n<p class=\"meta\">%zu person%s: %zu planned in full, %zu partly, %zu not "
		   "planned. Made by dovetail at %s.</p></header>\n<main>\n",
		n, n == 1 ? "" : "s", ok, partial, err, at);
	fputs("<h2>The caseload</h2>\n<table class=\"caseload-totals\"><caption class=\"sr-only\">"
	      "The caseload's totals, before and after</caption>\n<thead><tr><th scope=\"col\">Total</th>"
	      "<th scope=\"col\">Before</th><th scope=\"col\">After</th></tr></thead>\n<tbody>\n", f);
	fprintf(f, "<tr><th scope=\"row\">Journeys from home</th><td class=\"num\">%ld</td><td class=\"num\">%ld</td></tr>\n"
		   "<tr><th scope=\"row\">Minutes of travel</th><td class=\"num\">%ld</td><td class=\"num\">%ld</td></tr>\n"
		   "<tr><th scope=\"row\">Clashes</th><td class=\"num\">%ld</td><td class=\"num\">%ld</td></tr>\n"
		   "<tr><th scope=\"row\">Routines that cannot be kept</th><td class=\"num\">%ld</td><td class=\"num\">%ld</td></tr>\n"
		   "<tr><th scope=\"row\">Changes proposed</th><td class=\"num\"></td><td class=\"num\">%ld</td></tr>\n"
		   "<tr><th scope=\"row\">Appointments left unplaced</th><td class=\"num\"></td><td class=\"num\">%ld</td></tr>\n"
		   "</tbody></table>\n",
		jb, ja, tb, ta, cb, ca, rb, ra, ch, un);
	fputs("<h2>Persons</h2>\n<table class=\"persons\"><caption class=\"sr-only\">Each person, "
	      "before and after</caption>\n<thead><tr><th scope=\"col\">Person</th><th scope=\"col\">"
	      "Result</th><th scope=\"col\">Journeys</th><th scope=\"col\">Travel minutes</th>"
	      "<th scope=\"col\">Clashes</th><th scope=\"col\">Routine conflicts</th><th scope=\"col\">"
	      "Peak energy</th><th scope=\"col\">Changes</th><th scope=\"col\">Unplaced</th></tr>"
	      "</thead>\n<tbody>\n", f);
	for (size_t i = 0; i < n; i++)
		person_row(f, &v[i]);
	fputs("</tbody></table>\n</main>\n<footer>This page holds health details: keep it as you would "
	      "the persons' notes.</footer>\n</body>\n</html>\n", f);
	mem_close(f);
	return buf;
}
