/* draft.c: a first profile drafted from a person's feeds: practitioners, match rules, venues, defaults marked "check this". */
#include "dovetail/draft.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dovetail/util.h"
#include "dovetail/xalloc.h"

/* A counted string: how many events carry it. */
struct tally {
	char *s;
	size_t n;
};

struct tallies {
	struct tally *v;
	size_t n, cap;
};

static void tally_add(struct tallies *t, const char *s, size_t len)
{
	for (size_t i = 0; i < t->n; i++)
		if (strlen(t->v[i].s) == len && strncasecmp(t->v[i].s, s, len) == 0) {
			t->v[i].n++;
			return;
		}
	struct tally *x = BUF_PUSH(t->v, t->n, t->cap);
	x->s = xstrndup(s, len);
	x->n = 1;
}

static void tallies_release(struct tallies *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].s);
	free(t->v);
	memset(t, 0, sizeof *t);
}

/* Each comma-separated item of list (ics_list_next). */
static void tally_list(struct tallies *t, const char *list)
{
	const char *q;
	size_t l;
	for (const char *p = list; ics_list_next(&p, &q, &l);)
		tally_add(t, q, l);
}

static int ci_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (const char *p = hay; p && *p; p++)
		if (strncasecmp(p, needle, n) == 0)
			return 1;
	return 0;
}

/* The id made of s: lower-case letters, digits and '-', at most 40. */
static void slug(const char *s, char *out, size_t sz)
{
	size_t k = 0;
	int dash = 0;
	for (; *s && k + 1 < sz && k < 40; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c)) {
			out[k++] = (char)tolower(c);
			dash = 0;
		} else if (k && !dash) {
			out[k++] = '-';
			dash = 1;
		}
	}
	while (k && out[k - 1] == '-')
		k--;
	out[k] = 0;
	if (!k)
		snprintf(out, sz, "x");
}

/* s as a YAML double-quoted scalar: control characters dropped. */
static void put_q(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f)
			continue;
		if (c == '"' || c == '\\')
			fputc('\\', f);
		fputc(c, f);
	}
	fputc('"', f);
}

/* A LOCATION's place: the part before its first comma, blanks trimmed. */
static size_t place_len(const char *loc)
{
	const char *e = strchr(loc, ',');
	size_t l = e ? (size_t)(e - loc) : strlen(loc);
	while (l && isspace((unsigned char)loc[l - 1]))
		l--;
	return l;
}

/* Two spellings of one place: equal but for case and punctuation. */
static int same_place(const char *a, size_t la, const char *b, size_t lb)
{
	size_t i = 0, j = 0;
	for (;;) {
		while (i < la && !isalnum((unsigned char)a[i]))
			i++;
		while (j < lb && !isalnum((unsigned char)b[j]))
			j++;
		if (i == la || j == lb)
			return i == la && j == lb;
		if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[j]))
			return 0;
		i++;
		j++;
	}
}

struct venue {
	char id[48];
	char *name;               /* the first spelling */
	struct tallies spell;     /* every spelling */
};

struct prac {
	char id[48];
	const char *feed;
	size_t events, busy_only;
	size_t with_cat, with_text;
	struct tallies organizers, attendees, categories, locations;
	int no_location;          /* some of its events have none */
	enum { R_CAT, R_TEXT, R_ATTENDEE, R_ALL } rule;
	const char *attendee;     /* R_ATTENDEE */
	size_t caught;
};

/* Everything a draft gathers: a practitioner per feed, the venues found. */
struct draft {
	const char *person;
	struct prac *pr;          /* n of them, one per feed */
	size_t n;
	struct venue *vn;         /* vn[0] is the home */
	size_t n_vn, cap_vn;
	size_t feed_errors;       /* no draft from a feed with an error: it is fixed first */
};

/* Tally one event's organizers, attendees, categories and place into p. */
static void tally_event(struct prac *p, const struct ics_event *e, const char *person)
{
	if (e->categories) {
		struct tallies one = { 0 };
		tally_list(&one, e->categories);
		for (size_t q = 0; q < one.n; q++)
			p->with_cat += strcasecmp(one.v[q].s, person) == 0;
		tallies_release(&one);
		tally_list(&p->categories, e->categories);
	}
	if (ci_contains(e->summary, person) || ci_contains(e->description, person))
		p->with_text++;
	if (e->organizer)
		tally_list(&p->organizers, e->organizer);
	if (e->attendees)
		tally_list(&p->attendees, e->attendees);
	if (e->location && *e->location)
		tally_add(&p->locations, e->location, strlen(e->location));
	else
		p->no_location = 1;
}

/* Read feed i into dr->pr[i]: its id from the file name, its events
 * tallied. Returns 0, or -1 with d filled (unreadable, invalid). */
static int read_feed(struct draft *dr, size_t i, const char *feed, const struct ics_limits *lim,
		     struct diag *d)
{
	struct prac *p = &dr->pr[i];
	p->feed = feed;
	const char *base = strrchr(feed, '/');
	char stem[64];
	snprintf(stem, sizeof stem, "%s", base ? base + 1 : feed);
	char *dot = strrchr(stem, '.');
	if (dot)
		*dot = 0;
	slug(stem, p->id, sizeof p->id);
	for (size_t j = 0; j < i; j++)
		if (!strcmp(dr->pr[j].id, p->id))
			snprintf(p->id + strlen(p->id), sizeof p->id - strlen(p->id), "-%zu", i + 1);
	struct bytes b;
	struct ics_feed fd;
	memset(&fd, 0, sizeof fd);
	if (file_read_all(feed, lim->max_file_bytes, &b, d) < 0)
		return -1;
	if (ics_read(&fd, feed, &b, lim, d) < 0) {
		ics_feed_release(&fd);
		return -1;
	}
	dr->feed_errors += fd.errors;
	for (size_t k = 0; k < fd.n_ev; k++) {
		const struct ics_event *e = &fd.ev[k];
		if (e->bad)
			continue;
		if (e->kind != ICS_VEVENT) {
			p->busy_only++;
			continue;
		}
		p->events++;
		tally_event(p, e, dr->person);
	}
	ics_feed_release(&fd);
	return 0;
}

/* The rule that catches this person's events in p's feed: CATEGORIES, else
 * text, else the attendee most events carry (not all, not an organizer),
 * else all. */
static void choose_rule(struct prac *p)
{
	const struct tally *best = NULL;
	for (size_t q = 0; q < p->attendees.n; q++) {
		const struct tally *t = &p->attendees.v[q];
		int org = 0;
		for (size_t o = 0; o < p->organizers.n; o++)
			org |= strcasecmp(p->organizers.v[o].s, t->s) == 0;
		if (!org && t->n < p->events && (!best || t->n > best->n))
			best = t;
	}
	if (p->with_cat) {
		p->rule = R_CAT;
		p->caught = p->with_cat;
	} else if (p->with_text) {
		p->rule = R_TEXT;
		p->caught = p->with_text;
	} else if (best) {
		p->rule = R_ATTENDEE;
		p->attendee = best->s;
		p->caught = best->n;
	} else {
		p->rule = R_ALL;
		p->caught = p->events;
	}
}

/* The venues of p's locations: a new one per place not seen (up to
 * DRAFT_MAX_VENUES), other spellings as its aliases. Returns 0, or -1 out
 * of memory. */
static void add_venues(struct draft *dr, const struct prac *p)
{
	for (size_t q = 0; q < p->locations.n; q++) {
		const char *loc = p->locations.v[q].s;
		size_t l = place_len(loc);
		if (!l)
			continue;
		struct venue *v = NULL;
		for (size_t k = 0; k < dr->n_vn && !v; k++)
			if (same_place(dr->vn[k].name, strlen(dr->vn[k].name), loc, l))
				v = &dr->vn[k];
		if (!v) {
			if (dr->n_vn >= DRAFT_MAX_VENUES)
				continue;
			v = BUF_PUSH(dr->vn, dr->n_vn, dr->cap_vn);
			memset(v, 0, sizeof *v);
			v->name = xstrndup(loc, l);
			slug(v->name, v->id, sizeof v->id);
			for (size_t k = 0; k + 1 < dr->n_vn; k++)
				if (!strcmp(dr->vn[k].id, v->id) || !strcmp(v->id, "home"))
					snprintf(v->id + strlen(v->id), sizeof v->id - strlen(v->id), "-%zu", dr->n_vn);
		}
		if (!same_place(v->name, strlen(v->name), loc, l) || strlen(v->name) != l ||
		    strncmp(v->name, loc, l))
			tally_add(&v->spell, loc, l);
	}
}

/* The profile's head: the person, and the venues (the home first). */
static void write_head(FILE *f, const struct draft *dr, const char *tz)
{
	fprintf(f, "# A first profile for ");
	put_q(f, dr->person);
	fprintf(f, ", drafted by `dovetail init` from %zu feed(s).\n"
		   "# Check every line marked \"check this\", then `dovetail match` this file\n"
		   "# to see what each rule catches (docs/profile.md).\n"
		   "version: 1\n\nperson:\n  id: ", dr->n);
	put_q(f, dr->person);
	fprintf(f, "\n  timezone: ");
	put_q(f, tz);
	fprintf(f, "\n  home: home\n  day: \"08:00-18:00\"     # check this: the person's day\n"
		   "  slot: 15\n\nvenues:\n");
	for (size_t k = 0; k < dr->n_vn; k++) {
		const struct venue *v = &dr->vn[k];
		fprintf(f, "  - id: %s\n    name: ", v->id);
		put_q(f, v->name);
		if (k == 0)
			fprintf(f, "\n    kind: home");
		if (v->spell.n) {
			fprintf(f, "\n    aliases: [");
			for (size_t q = 0; q < v->spell.n; q++) {
				if (q)
					fputs(", ", f);
				put_q(f, v->spell.v[q].s);
			}
			fputc(']', f);
		}
		fprintf(f, "\n");
	}
}

/* One practitioner: what its feed holds (as comments), then its entry. */
static void write_prac(FILE *f, const struct prac *p, const char *person)
{
	fprintf(f, "  # %s: %zu event(s)", p->feed, p->events);
	if (p->busy_only)
		fprintf(f, ", %zu free/busy", p->busy_only);
	fprintf(f, "; the rule below catches %zu\n", p->caught);
	const struct tallies *ls[] = { &p->organizers, &p->attendees, &p->categories, &p->locations };
	static const char *const names[] = { "organizers", "attendees", "categories", "locations" };
	for (int q = 0; q < 4; q++) {
		if (!ls[q]->n)
			continue;
		fprintf(f, "  #   %s:", names[q]);
		for (size_t k = 0; k < ls[q]->n && k < 12; k++) {
			fputc(' ', f);
			put_q(f, ls[q]->v[k].s);
			fprintf(f, " (%zu)", ls[q]->v[k].n);
		}
		fputc('\n', f);
	}
	fprintf(f, "  - id: %s\n    role: \"check this\"\n    feeds: [", p->id);
	put_q(f, p->feed);
	fprintf(f, "]\n    match: ");
	switch (p->rule) {
	case R_CAT:
		fprintf(f, "{ categories: ");
		put_q(f, person);
		fprintf(f, " }");
		break;
	case R_TEXT:
		fprintf(f, "{ text: ");
		put_q(f, person);
		fprintf(f, " }");
		break;
	case R_ATTENDEE:
		fprintf(f, "{ attendee: ");
		put_q(f, p->attendee);
		fprintf(f, " }   # check this: the attendee most of its events carry");
		break;
	case R_ALL:
		fprintf(f, "all   # check this: every event of this feed is taken as the person's");
		break;
	}
	fprintf(f, "\n");
	if (p->no_location)
		fprintf(f, "    default_venue: home   # check this: events with no LOCATION\n");
	fprintf(f, "    movable: false   # check this: and works, window, venues (docs/profile.md)\n");
}

/* The whole text (never NULL: a memory stream fails only out of memory). */
static char *write_draft(const struct draft *dr, const char *tz)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		xalloc_die();   /* it fails only out of memory */
	write_head(f, dr, tz);
	fprintf(f, "\n# check this: travel between the venues (a matrix, a CSV, or coordinates)\n"
		   "travel:\n  matrix: []\n\npractitioners:\n");
	for (size_t i = 0; i < dr->n; i++)
		write_prac(f, &dr->pr[i], dr->person);
	fprintf(f, "\n# check this: the routines (naps, feeds, meals, medication), energy and\n"
		   "# limits are the documented defaults until they are written here.\n");
	if (fclose(f) != 0)
		xalloc_die();   /* a memory stream's write fails only out of memory */
	return text;
}

/* Free what dr holds (not dr). */
static void draft_release(struct draft *dr)
{
	for (size_t i = 0; i < dr->n; i++) {
		tallies_release(&dr->pr[i].organizers);
		tallies_release(&dr->pr[i].attendees);
		tallies_release(&dr->pr[i].categories);
		tallies_release(&dr->pr[i].locations);
	}
	free(dr->pr);
	for (size_t k = 0; k < dr->n_vn; k++) {
		free(dr->vn[k].name);
		tallies_release(&dr->vn[k].spell);
	}
	free(dr->vn);
}

char *profile_draft(const char *person, const char *tz, const char *const *feeds, size_t n,
		    const struct ics_limits *lim, struct diag *d)
{
	if (n > DRAFT_MAX_FEEDS) {
		char b[16];
		snprintf(b, sizeof b, "%d", DRAFT_MAX_FEEDS);
		diag_add(d, D_LIM_INSTANCE, NULL, 0, 0, b, "feeds to draft a profile from");
		return NULL;
	}
	struct draft dr = { person, xcalloc(n + 1, sizeof *dr.pr), n, NULL, 0, 0, 0 };
	char *text = NULL;
	/* the home first: a LOCATION "Home" is its spelling */
	struct venue *home = BUF_PUSH(dr.vn, dr.n_vn, dr.cap_vn);
	int ok = home != NULL;
	if (home) {
		memset(home, 0, sizeof *home);
		snprintf(home->id, sizeof home->id, "home");
		home->name = xstrdup("Home");
	}
	for (size_t i = 0; ok && i < n; i++) {
		ok = read_feed(&dr, i, feeds[i], lim, d) == 0;
		if (!ok)
			break;
		choose_rule(&dr.pr[i]);
		add_venues(&dr, &dr.pr[i]);
	}
	if (ok)
		text = write_draft(&dr, tz);
	size_t feed_errors = dr.feed_errors;
	draft_release(&dr);
	if (!ok)
		return NULL;   /* read_feed said why */
	if (feed_errors) {
		free(text);
		return NULL;
	}
	return text;
}
