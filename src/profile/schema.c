/* schema.c: the profile's second pass: the YAML tree checked against the schema of docs/profile.md, section by section, into a struct profile. */
#include "getters.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>

#include "dovetail/ics.h"
#include "dovetail/util.h"
#include "dovetail/xalloc.h"

/* ---- sections ------------------------------------------------------------- */

static const char *const venue_kinds[] = { "home", "clinic", "hospital", "gp", "school",
	"nursery", "day-centre", "community", "other", NULL };
static const char *const routine_kinds[] = { "sleep", "feed", "meal", "medication", "rest",
	"school", "nursery", "school-run", "other", NULL };

const char *venue_kind_name(enum venue_kind k)
{
	return (unsigned)k < VK_OTHER + 1 ? venue_kinds[k] : "other";
}

const char *routine_kind_name(enum routine_kind k)
{
	return (unsigned)k < RK_OTHER + 1 ? routine_kinds[k] : "other";
}

static void read_person(struct ctx *c, const struct ynode *n, const struct ynode **home_node)
{
	static const char *const keys[] = { "id", "display_name", "timezone", "day", "slot", "home",
		"travel_mode", "notice", NULL };
	struct profile *p = c->p;
	if (pf_want(c, n, YT_MAP, "person") < 0)
		return;
	pf_check_keys(c, n, "person", keys);
	const struct ynode *v;
	if ((v = pf_need(c, n, "id", "person")))
		pf_get_id(c, v, "person.id", &p->person_id);
	if ((v = pf_get(n, "display_name")))
		pf_get_text(c, v, "person.display_name", &p->display_name);
	if ((v = pf_get(n, "timezone")) && pf_get_text(c, v, "person.timezone", &p->timezone) == 0 &&
	    !ics_tz_builtin(p->timezone))
		pf_err(c, v, D_PROF_VALUE, "person.timezone", "not an IANA or Windows time zone name", NULL);
	if ((v = pf_get(n, "day")))
		pf_get_range(c, v, "person.day", &p->day);
	if ((v = pf_get(n, "slot")) && pf_get_int(c, v, "person.slot", 1, 60, &p->slot) == 0 && 60 % p->slot)
		pf_err(c, v, D_PROF_VALUE, "person.slot", "must divide 60 (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60)", NULL);
	if ((v = pf_get(n, "notice")))
		pf_get_notice(c, v, "person.notice", &p->notice);
	*home_node = pf_need(c, n, "home", "person");
	if ((v = pf_get(n, "travel_mode"))) {
		int m;
		if (pf_get_enum(c, v, "person.travel_mode", pf_travel_modes, &m) == 0)
			p->mode = (enum travel_mode)m;
	}
}

static void read_venues(struct ctx *c, const struct ynode *n)
{
	static const char *const keys[] = { "id", "name", "aliases", "kind", "at", NULL };
	struct profile *p = c->p;
	if (pf_want(c, n, YT_SEQ, "venues") < 0)
		return;
	if (n->n > MAX_VENUES) {
		pf_err(c, n, D_PROF_TOO_MANY, "venues", DV_STR(MAX_VENUES), NULL);
		return;
	}
	p->venues = xcalloc(n->n ? n->n : 1, sizeof *p->venues);
	int line_of[MAX_VENUES];
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *m = n->kids[i], *v;
		char w[64], b[160];
		pf_item(w, sizeof w, "venues", i);
		if (pf_want(c, m, YT_MAP, w) < 0)
			continue;
		pf_check_keys(c, m, w, keys);
		struct prof_venue *ve = &p->venues[p->n_venues];
		ve->kind = VK_OTHER;
		if (!(v = pf_need(c, m, "id", w)) || pf_get_id(c, v, pf_sub(b, sizeof b, w, "id"), &ve->id) < 0)
			continue;
		int dup = profile_venue_index(p, ve->id);
		if (dup >= 0) {
			char ln[16];
			snprintf(ln, sizeof ln, "%d", line_of[dup]);
			pf_err(c, v, D_PROF_DUP_ID, b, ve->id, ln);
			free(ve->id);
			ve->id = NULL;
			continue;
		}
		if ((v = pf_get(m, "name")))
			pf_get_text(c, v, pf_sub(b, sizeof b, w, "name"), &ve->name);
		if (!ve->name)
			ve->name = xstrdup(ve->id);
		if ((v = pf_get(m, "aliases"))) {
			const struct ynode **a;
			size_t k;
			if (pf_seq_of(c, v, pf_sub(b, sizeof b, w, "aliases"), MAX_LIST, &a, &k) == 0) {
				ve->aliases = xcalloc(k ? k : 1, sizeof *ve->aliases);
				for (size_t j = 0; j < k; j++)
					if (pf_get_text(c, a[j], b, &ve->aliases[ve->n_aliases]) == 0)
						ve->n_aliases++;
			}
		}
		if ((v = pf_get(m, "kind"))) {
			int kk;
			if (pf_get_enum(c, v, pf_sub(b, sizeof b, w, "kind"), venue_kinds, &kk) == 0)
				ve->kind = (enum venue_kind)kk;
		}
		if ((v = pf_get(m, "at"))) {
			pf_sub(b, sizeof b, w, "at");
			if (v->type != YT_SEQ || v->n != 2) {
				pf_err(c, v, D_PROF_TYPE, b, "[latitude, longitude]", yt_type_name(v));
			} else if (pf_get_num(c, v->kids[0], b, -90, 90, &ve->lat) == 0 &&
				   pf_get_num(c, v->kids[1], b, -180, 180, &ve->lon) == 0) {
				ve->has_at = 1;
			}
		}
		line_of[p->n_venues++] = m->line;
	}
}

static void read_work(struct ctx *c, const struct ynode *n, const char *where, struct prof_practitioner *pr)
{
	static const char *const keys[] = { "days", "hours", "venues", NULL };
	const struct ynode **v;
	size_t k;
	if (n->type != YT_SEQ) {
		pf_err(c, n, D_PROF_TYPE, where, "a list of work blocks", yt_type_name(n));
		return;
	}
	if (pf_seq_of(c, n, where, MAX_LIST, &v, &k) < 0)
		return;
	pr->works = xcalloc(k ? k : 1, sizeof *pr->works);
	for (size_t i = 0; i < k; i++) {
		char w[160], b[200];
		pf_item(w, sizeof w, where, i);
		if (pf_want(c, v[i], YT_MAP, w) < 0)
			continue;
		pf_check_keys(c, v[i], w, keys);
		struct prof_work *wk = &pr->works[pr->n_works++];
		wk->hours = c->p->day;
		const struct ynode *x;
		if ((x = pf_need(c, v[i], "days", w)))
			pf_get_days(c, x, pf_sub(b, sizeof b, w, "days"), &wk->days);
		if ((x = pf_get(v[i], "hours")))
			pf_get_range(c, x, pf_sub(b, sizeof b, w, "hours"), &wk->hours);
		if ((x = pf_get(v[i], "venues")))
			pf_get_venue_list(c, x, pf_sub(b, sizeof b, w, "venues"), &wk->venues);
	}
}

static void read_match(struct ctx *c, const struct ynode *n, const char *where, struct prof_practitioner *pr)
{
	static const char *const keys[] = { "attendee", "categories", "text", NULL };
	if (n->type == YT_SCALAR && n->plain && strcmp(n->s, "all") == 0) {
		pr->match = MATCH_ALL;
		return;
	}
	if (n->type != YT_MAP) {
		pf_err(c, n, D_PROF_TYPE, where, "'all' or a mapping with attendee, categories or text",
		    yt_type_name(n));
		return;
	}
	pf_check_keys(c, n, where, keys);
	if (n->n != 1) {
		pf_err(c, n, D_PROF_VALUE, where, "give exactly one of attendee, categories, text", NULL);
		return;
	}
	char b[160];
	for (int i = 0; keys[i]; i++) {
		const struct ynode *v = pf_get(n, keys[i]);
		if (v && pf_get_text(c, v, pf_sub(b, sizeof b, where, keys[i]), &pr->match_text) == 0)
			pr->match = (enum match_kind)(MATCH_ATTENDEE + i);
	}
}

/* A list of feed paths at v (named `where`), into *out and *n. */
static void read_feeds(struct ctx *c, const struct ynode *v, const char *where, struct prof_path **out,
		       size_t *n)
{
	const struct ynode **f;
	size_t k;
	if (pf_seq_of(c, v, where, MAX_FEEDS, &f, &k) < 0)
		return;
	*out = xcalloc(k ? k : 1, sizeof **out);
	for (size_t j = 0; j < k; j++) {
		char fw[200];
		if (pf_get_path(c, f[j], pf_item(fw, sizeof fw, where, j), &(*out)[*n]) == 0)
			(*n)++;
	}
}

/* practitioners[i]'s defaults and id (checked against those before it):
 * every id is read first, so that joint_with may name a later one. */
static void read_prac_id(struct ctx *c, const struct ynode *n, size_t i)
{
	struct profile *p = c->p;
	const struct ynode *m = n->kids[i], *v;
	char w[64], b[160];
	pf_item(w, sizeof w, "practitioners", i);
	struct prof_practitioner *pr = &p->pracs[i];
	pr->default_venue = -1;
	pr->movable = 1;
	pr->intensity = 1.0;
	pr->people = 1;
	pr->needs_carer = -1;   /* resolved once carers are read */
	pr->window.weekdays = WD_ALL;
	pr->line = m->line;
	pr->col = m->col;
	if (pf_want(c, m, YT_MAP, w) < 0)
		return;
	if ((v = pf_need(c, m, "id", w)) && pf_get_id(c, v, pf_sub(b, sizeof b, w, "id"), &pr->id) == 0) {
		for (size_t j = 0; j < i; j++) {
			if (p->pracs[j].id && strcmp(p->pracs[j].id, pr->id) == 0) {
				char ln[16];
				snprintf(ln, sizeof ln, "%d", n->kids[j]->line);
				pf_err(c, v, D_PROF_DUP_ID, b, pr->id, ln);
			}
		}
	}
}

/* practitioners[i].joint_with: other practitioners' ids, into indices. */
static void read_joint_with(struct ctx *c, const struct ynode *v, const char *where, size_t i)
{
	struct profile *p = c->p;
	struct prof_practitioner *pr = &p->pracs[i];
	const struct ynode **j;
	size_t k;
	if (pf_seq_of(c, v, where, MAX_PRACS, &j, &k) < 0)
		return;
	pr->joint_with.v = xcalloc(k ? k : 1, sizeof *pr->joint_with.v);
	for (size_t q = 0; q < k; q++) {
		if (pf_want(c, j[q], YT_SCALAR, where) < 0)
			continue;
		int ix = profile_prac_index(p, j[q]->s);
		if (ix < 0 || (size_t)ix == i)
			pf_err(c, j[q], D_PROF_NO_ID, where, ix < 0 ? "practitioner" : "other practitioner", pf_shown_id(j[q]));
		else
			pr->joint_with.v[pr->joint_with.n++] = ix;
	}
}

/* The rest of practitioners[i], once every id is known. */
static void read_prac(struct ctx *c, const struct ynode *m, size_t i)
{
	static const char *const keys[] = { "id", "role", "agency", "display_name", "feeds", "match",
		"works", "default_venue", "movable", "window", "venues", "intensity", "familiar",
		"people", "joint_with", "address", "share_display_name", "notice", "needs_carer", "private", NULL };
	struct profile *p = c->p;
	const struct ynode *v;
	char w[64], b[160];
	pf_item(w, sizeof w, "practitioners", i);
	struct prof_practitioner *pr = &p->pracs[i];
	if (m->type != YT_MAP)
		return;
	pf_check_keys(c, m, w, keys);
	if ((v = pf_need(c, m, "role", w)))
		pf_get_text(c, v, pf_sub(b, sizeof b, w, "role"), &pr->role);
	if ((v = pf_get(m, "agency")))
		pf_get_text(c, v, pf_sub(b, sizeof b, w, "agency"), &pr->agency);
	if ((v = pf_get(m, "display_name")))
		pf_get_text(c, v, pf_sub(b, sizeof b, w, "display_name"), &pr->display_name);
	if ((v = pf_get(m, "feeds"))) {
		const struct ynode *k = pf_key_of(m, "feeds");
		pr->feeds_line = k->line;
		pr->feeds_col = k->col;
		read_feeds(c, v, pf_sub(b, sizeof b, w, "feeds"), &pr->feeds, &pr->n_feeds);
	}
	if ((v = pf_get(m, "match")))
		read_match(c, v, pf_sub(b, sizeof b, w, "match"), pr);
	if ((v = pf_get(m, "works")))
		read_work(c, v, pf_sub(b, sizeof b, w, "works"), pr);
	if ((v = pf_get(m, "default_venue")) && pf_want(c, v, YT_SCALAR, pf_sub(b, sizeof b, w, "default_venue")) == 0) {
		pr->default_venue = profile_venue_index(p, v->s);
		if (pr->default_venue < 0)
			pf_err(c, v, D_PROF_NO_ID, b, "venue", pf_shown_id(v));
	}
	if ((v = pf_get(m, "movable")))
		pf_get_bool(c, v, pf_sub(b, sizeof b, w, "movable"), &pr->movable);
	if ((v = pf_get(m, "window")))
		pf_read_window(c, v, pf_sub(b, sizeof b, w, "window"), &pr->window);
	if ((v = pf_get(m, "venues")))
		pf_get_venue_list(c, v, pf_sub(b, sizeof b, w, "venues"), &pr->venues);
	if ((v = pf_get(m, "intensity")))
		pf_get_num(c, v, pf_sub(b, sizeof b, w, "intensity"), 0, 10, &pr->intensity);
	if ((v = pf_get(m, "familiar")))
		pf_get_bool(c, v, pf_sub(b, sizeof b, w, "familiar"), &pr->familiar);
	if ((v = pf_get(m, "people")))
		pf_get_int(c, v, pf_sub(b, sizeof b, w, "people"), 1, 20, &pr->people);
	if ((v = pf_get(m, "address")))
		pf_get_address(c, v, pf_sub(b, sizeof b, w, "address"), &pr->address);
	if ((v = pf_get(m, "share_display_name")))
		pf_get_bool(c, v, pf_sub(b, sizeof b, w, "share_display_name"), &pr->share_display_name);
	if ((v = pf_get(m, "notice")) && pf_get_notice(c, v, pf_sub(b, sizeof b, w, "notice"), &pr->notice) == 0)
		pr->has_notice = 1;
	if ((v = pf_get(m, "needs_carer")))
		pf_get_bool(c, v, pf_sub(b, sizeof b, w, "needs_carer"), &pr->needs_carer);
	if ((v = pf_get(m, "private")))
		pf_get_bool(c, v, pf_sub(b, sizeof b, w, "private"), &pr->private_text);
	if ((v = pf_get(m, "joint_with")))
		read_joint_with(c, v, pf_sub(b, sizeof b, w, "joint_with"), i);
}

static void read_practitioners(struct ctx *c, const struct ynode *n)
{
	struct profile *p = c->p;
	if (pf_want(c, n, YT_SEQ, "practitioners") < 0)
		return;
	if (n->n > MAX_PRACS) {
		pf_err(c, n, D_PROF_TOO_MANY, "practitioners", DV_STR(PROFILE_MAX_PRACS), NULL);
		return;
	}
	p->pracs = xcalloc(n->n ? n->n : 1, sizeof *p->pracs);
	for (size_t i = 0; i < n->n; i++)
		read_prac_id(c, n, i);
	p->n_pracs = n->n;
	for (size_t i = 0; i < n->n; i++)
		read_prac(c, n->kids[i], i);
}

/*
 * `family:` (docs/profile.md): feeds that hold the person's own commitments.
 * They become one more practitioner, id "family", last in the list: every
 * event of its feeds is the person's time (match all), fixed, familiar, at
 * default_venue when it has no LOCATION. A practitioner that names one of
 * the same feeds still takes the events its rule claims.
 */
static void read_family(struct ctx *c, const struct ynode *n)
{
	static const char *const keys[] = { "feeds", "default_venue", "intensity", NULL };
	struct profile *p = c->p;
	if (pf_want(c, n, YT_MAP, "family") < 0)
		return;
	pf_check_keys(c, n, "family", keys);
	if (p->n_pracs >= MAX_PRACS) {
		pf_err(c, n, D_PROF_TOO_MANY, "practitioners and family", DV_STR(PROFILE_MAX_PRACS), NULL);
		return;
	}
	if (profile_prac_index(p, "family") >= 0) {
		pf_err(c, n, D_PROF_VALUE, "family", "a practitioner already has the id 'family', which the family's calendar takes", NULL);
		return;
	}
	p->pracs = xreallocarray(p->pracs, p->n_pracs + 1, sizeof *p->pracs);
	struct prof_practitioner *pr = &p->pracs[p->n_pracs++];
	memset(pr, 0, sizeof *pr);
	pr->id = xstrdup("family");
	pr->role = xstrdup("the family's own calendar");
	pr->family = 1;
	pr->match = MATCH_ALL;
	pr->default_venue = -1;
	pr->movable = 0;
	pr->familiar = 1;
	pr->people = 1;
	pr->intensity = 1.0;
	pr->window.weekdays = WD_ALL;
	pr->line = n->line;
	pr->col = n->col;
	const struct ynode *x;
	if ((x = pf_need(c, n, "feeds", "family"))) {
		pr->feeds_line = pf_key_of(n, "feeds")->line;
		pr->feeds_col = pf_key_of(n, "feeds")->col;
		read_feeds(c, x, "family.feeds", &pr->feeds, &pr->n_feeds);
	}
	if ((x = pf_get(n, "default_venue")) && pf_want(c, x, YT_SCALAR, "family.default_venue") == 0) {
		pr->default_venue = profile_venue_index(p, x->s);
		if (pr->default_venue < 0)
			pf_err(c, x, D_PROF_NO_ID, "family.default_venue", "venue", pf_shown_id(x));
	}
	if ((x = pf_get(n, "intensity")))
		pf_get_num(c, x, "family.intensity", 0, 10, &pr->intensity);
}

#define MAX_CARERS 16

/* One carer's working_hours: a list of {days, hours} at v, named `where`. */
static void read_carer_hours(struct ctx *c, const struct ynode *v, const char *where, struct prof_carer *cr)
{
	static const char *const wkeys[] = { "days", "hours", NULL };
	const struct ynode **t;
	size_t k = 0;
	if (pf_seq_of(c, v, where, MAX_LIST, &t, &k) < 0)
		return;
	cr->working = xcalloc(k ? k : 1, sizeof *cr->working);
	for (size_t q = 0; q < k; q++) {
		char wq[200], bq[240];
		pf_item(wq, sizeof wq, where, q);
		if (pf_want(c, t[q], YT_MAP, wq) < 0)
			continue;
		pf_check_keys(c, t[q], wq, wkeys);
		struct prof_work *wk = &cr->working[cr->n_working++];
		const struct ynode *x;
		if ((x = pf_need(c, t[q], "days", wq)))
			pf_get_days(c, x, pf_sub(bq, sizeof bq, wq, "days"), &wk->days);
		if ((x = pf_need(c, t[q], "hours", wq)))
			pf_get_range(c, x, pf_sub(bq, sizeof bq, wq, "hours"), &wk->hours);
	}
}

/* One carer's takes: practitioner ids (not the family's) into cr->takes bits. */
static void read_carer_takes(struct ctx *c, const struct ynode *v, const char *where, struct prof_carer *cr)
{
	const struct profile *p = c->p;
	const struct ynode **t;
	size_t k;
	if (pf_seq_of(c, v, where, MAX_PRACS, &t, &k) < 0)
		return;
	for (size_t q = 0; q < k; q++) {
		if (pf_want(c, t[q], YT_SCALAR, where) < 0)
			continue;
		int ix = profile_prac_index(p, t[q]->s);
		if (ix < 0 || p->pracs[ix].family)
			pf_err(c, t[q], D_PROF_NO_ID, where, "practitioner", pf_shown_id(t[q]));
		else
			cr->takes |= (uint64_t)1 << ix;
	}
}

/* carers[i], the list's node n, into the next carer. */
static void read_carer(struct ctx *c, const struct ynode *n, size_t i)
{
	static const char *const keys[] = { "id", "feeds", "working_hours", "takes", NULL };
	struct profile *p = c->p;
	const struct ynode *m = n->kids[i], *v;
	char w[64], b[160];
	pf_item(w, sizeof w, "carers", i);
	assert(p->n_carers == i);   /* carers[j] for j < i are read, for the duplicate check */
	struct prof_carer *cr = &p->carers[p->n_carers++];
	cr->line = m->line;
	cr->col = m->col;
	if (pf_want(c, m, YT_MAP, w) < 0)
		return;
	pf_check_keys(c, m, w, keys);
	if ((v = pf_need(c, m, "id", w)) && pf_get_id(c, v, pf_sub(b, sizeof b, w, "id"), &cr->id) == 0)
		for (size_t j = 0; j < i; j++)
			if (p->carers[j].id && !strcmp(p->carers[j].id, cr->id)) {
				char ln[16];
				snprintf(ln, sizeof ln, "%d", n->kids[j]->line);
				pf_err(c, v, D_PROF_DUP_ID, b, cr->id, ln);
			}
	if ((v = pf_get(m, "feeds")))
		read_feeds(c, v, pf_sub(b, sizeof b, w, "feeds"), &cr->feeds, &cr->n_feeds);
	if ((v = pf_get(m, "working_hours")))
		read_carer_hours(c, v, pf_sub(b, sizeof b, w, "working_hours"), cr);
	if ((v = pf_get(m, "takes")))
		read_carer_takes(c, v, pf_sub(b, sizeof b, w, "takes"), cr);
}

/*
 * `carers:` (docs/profile.md): who takes the person to appointments, each
 * with feeds of their own busy time and, optionally, the practitioners they
 * take the person to. Then every practitioner's needs_carer default: yes
 * when carers are listed, never for the family's calendar.
 */
static void read_carers(struct ctx *c, const struct ynode *n)
{
	struct profile *p = c->p;
	if (n && pf_want(c, n, YT_SEQ, "carers") == 0) {
		if (n->n > MAX_CARERS) {
			pf_err(c, n, D_PROF_TOO_MANY, "carers", DV_STR(MAX_CARERS), NULL);
		} else {
			p->carers = xcalloc(n->n ? n->n : 1, sizeof *p->carers);
			for (size_t i = 0; i < n->n; i++)
				read_carer(c, n, i);
		}
	}
	for (size_t i = 0; i < p->n_pracs; i++) {
		struct prof_practitioner *pr = &p->pracs[i];
		if (pr->family)
			pr->needs_carer = 0;
		else if (pr->needs_carer < 0)
			pr->needs_carer = p->n_carers > 0;
	}
}

static void read_overrides(struct ctx *c, const struct ynode *n)
{
	static const char *const keys[] = { "uid", "recurrence_id", "movable", "window", "venues",
		"energy", NULL };
	struct profile *p = c->p;
	if (pf_want(c, n, YT_SEQ, "overrides") < 0)
		return;
	if (n->n > MAX_OVERRIDES) {
		pf_err(c, n, D_PROF_TOO_MANY, "overrides", DV_STR(MAX_OVERRIDES), NULL);
		return;
	}
	p->overrides = xcalloc(n->n ? n->n : 1, sizeof *p->overrides);
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *m = n->kids[i], *v;
		char w[64], b[160];
		pf_item(w, sizeof w, "overrides", i);
		if (pf_want(c, m, YT_MAP, w) < 0)
			continue;
		pf_check_keys(c, m, w, keys);
		struct prof_override *o = &p->overrides[p->n_overrides++];
		o->movable = -1;
		o->energy = -1;
		o->line = m->line;
		o->col = m->col;
		if ((v = pf_need(c, m, "uid", w)))
			pf_get_text(c, v, pf_sub(b, sizeof b, w, "uid"), &o->uid);
		if ((v = pf_get(m, "recurrence_id")) && pf_want(c, v, YT_SCALAR, pf_sub(b, sizeof b, w, "recurrence_id")) == 0) {
			if (time_parse_arg(v->s, &o->rid) < 0 || !strchr(v->s, 'T'))
				pf_err(c, v, D_PROF_VALUE, b, "expected a UTC date-time such as 20261124T100000Z", NULL);
			else
				o->has_rid = 1;
		}
		if ((v = pf_get(m, "movable")))
			pf_get_bool(c, v, pf_sub(b, sizeof b, w, "movable"), &o->movable);
		if ((v = pf_get(m, "window"))) {
			pf_read_window(c, v, pf_sub(b, sizeof b, w, "window"), &o->window);
			o->has_window = 1;
		}
		if ((v = pf_get(m, "venues")))
			pf_get_venue_list(c, v, pf_sub(b, sizeof b, w, "venues"), &o->venues);
		if ((v = pf_get(m, "energy")))
			pf_get_num(c, v, pf_sub(b, sizeof b, w, "energy"), 0, 100, &o->energy);
	}
}

/* Routine r (the mapping m, named w): a start window whose routine would
 * run past midnight is impossible, and so is one with no start on the slot
 * grid. The first is reported at v (the last key read, else m). */
static void check_starts(struct ctx *c, const struct ynode *m, const struct ynode *v, const char *w,
			 const struct prof_routine *r)
{
	const struct profile *p = c->p;
	const struct ynode *sn = pf_get(m, "start");
	for (size_t j = 0; j < r->n_starts && r->duration; j++) {
		if (r->starts[j].from + r->duration > 1440) {
			pf_err(c, v ? v : m, D_PROF_VALUE, w, "the routine would run past midnight", NULL);
			break;
		}
		int slot = p->slot > 0 ? p->slot : 5;
		if ((r->starts[j].from + slot - 1) / slot * slot > r->starts[j].to) {
			char msg[160], b[160];
			snprintf(msg, sizeof msg, "no start on the %d-minute slot grid falls in this window", slot);
			pf_err(c, sn && sn->type == YT_SEQ && j < sn->n ? sn->kids[j] : sn ? sn : m,
			       D_PROF_VALUE, pf_sub(b, sizeof b, w, "start"), msg, NULL);
			break;
		}
	}
}

static void read_routines(struct ctx *c, const struct ynode *n)
{
	static const char *const keys[] = { "id", "kind", "duration", "start", "days", "place", NULL };
	struct profile *p = c->p;
	if (pf_want(c, n, YT_SEQ, "routines") < 0)
		return;
	if (n->n > MAX_ROUTINES) {
		pf_err(c, n, D_PROF_TOO_MANY, "routines", DV_STR(MAX_ROUTINES), NULL);
		return;
	}
	p->routines = xcalloc(n->n ? n->n : 1, sizeof *p->routines);
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *m = n->kids[i], *v;
		char w[64], b[160];
		pf_item(w, sizeof w, "routines", i);
		if (pf_want(c, m, YT_MAP, w) < 0)
			continue;
		pf_check_keys(c, m, w, keys);
		struct prof_routine *r = &p->routines[p->n_routines++];
		r->days = WD_ALL;
		r->place = PLACE_HOME;
		if ((v = pf_need(c, m, "id", w)) && pf_get_id(c, v, pf_sub(b, sizeof b, w, "id"), &r->id) == 0) {
			for (size_t j = 0; j + 1 < p->n_routines; j++)
				if (p->routines[j].id && strcmp(p->routines[j].id, r->id) == 0) {
					char ln[16];
					snprintf(ln, sizeof ln, "%d", n->kids[j]->line);
					pf_err(c, v, D_PROF_DUP_ID, b, r->id, ln);
				}
		}
		int k;
		if ((v = pf_need(c, m, "kind", w)) && pf_get_enum(c, v, pf_sub(b, sizeof b, w, "kind"), routine_kinds, &k) == 0)
			r->kind = (enum routine_kind)k;
		if ((v = pf_need(c, m, "duration", w)))
			pf_get_int(c, v, pf_sub(b, sizeof b, w, "duration"), 1, 1440, &r->duration);
		if ((v = pf_need(c, m, "start", w)))
			pf_get_ranges(c, v, pf_sub(b, sizeof b, w, "start"), &r->starts, &r->n_starts);
		if ((v = pf_get(m, "days")))
			pf_get_days(c, v, pf_sub(b, sizeof b, w, "days"), &r->days);
		if ((v = pf_get(m, "place")) && pf_want(c, v, YT_SCALAR, pf_sub(b, sizeof b, w, "place")) == 0) {
			if (strcmp(v->s, "home") == 0) {
				r->place = PLACE_HOME;
			} else if (strcmp(v->s, "anywhere") == 0) {
				r->place = PLACE_ANYWHERE;
			} else {
				r->place = profile_venue_index(p, v->s);
				if (r->place < 0) {
					pf_err(c, v, D_PROF_NO_ID, b, "venue (or home, anywhere)", pf_shown_id(v));
					r->place = PLACE_HOME;
				}
			}
		}
		check_starts(c, m, v, w, r);
	}
}

static void read_when_list(struct ctx *c, const struct ynode *n, const char *where,
			   struct prof_when **out, size_t *count)
{
	static const char *const keys[] = { "days", "times", NULL };
	if (pf_want(c, n, YT_SEQ, where) < 0)
		return;
	if (n->n > MAX_LIST) {
		pf_err(c, n, D_PROF_TOO_MANY, where, DV_STR(MAX_LIST), NULL);
		return;
	}
	size_t cap = 0;
	for (size_t i = 0; i < n->n; i++) {
		char w[160], b[200];
		pf_item(w, sizeof w, where, i);
		const struct ynode *m = n->kids[i], *v;
		if (pf_want(c, m, YT_MAP, w) < 0)
			continue;
		pf_check_keys(c, m, w, keys);
		unsigned days = WD_ALL;
		struct prof_range *r = NULL;
		size_t nr = 0;
		if ((v = pf_get(m, "days")))
			pf_get_days(c, v, pf_sub(b, sizeof b, w, "days"), &days);
		if ((v = pf_need(c, m, "times", w)))
			pf_get_ranges(c, v, pf_sub(b, sizeof b, w, "times"), &r, &nr);
		for (size_t j = 0; j < nr; j++) {
			struct prof_when *x = BUF_PUSH(*out, *count, cap);
			if (!x)
				break;
			x->days = days;
			x->times = r[j];
		}
		free(r);
	}
}

static void read_prefs(struct ctx *c, const struct ynode *n)
{
	static const char *const keys[] = { "grouping", "preferred_times", "avoid_times", "weights", NULL };
	static const char *const wkeys[] = { "journeys", "travel_minutes", "travel_money", "change",
		"change_day", "change_venue", "routine_shift", "peak_energy", "unfamiliar", "preference", NULL };
	static const char *const grouping[] = { "neutral", "wanted", "unwanted", NULL };
	struct profile *p = c->p;
	if (pf_want(c, n, YT_MAP, "preferences") < 0)
		return;
	pf_check_keys(c, n, "preferences", keys);
	const struct ynode *v;
	int g;
	if ((v = pf_get(n, "grouping")) && pf_get_enum(c, v, "preferences.grouping", grouping, &g) == 0)
		p->grouping = (enum grouping)g;
	if ((v = pf_get(n, "preferred_times")))
		read_when_list(c, v, "preferences.preferred_times", &p->preferred, &p->n_preferred);
	if ((v = pf_get(n, "avoid_times")))
		read_when_list(c, v, "preferences.avoid_times", &p->avoid, &p->n_avoid);
	if ((v = pf_get(n, "weights")) && pf_want(c, v, YT_MAP, "preferences.weights") == 0) {
		pf_check_keys(c, v, "preferences.weights", wkeys);
		/* the keys name struct prof_weights' fields, in order */
		assert(sizeof wkeys / sizeof *wkeys - 1 == sizeof p->weights / sizeof(double));
		double *w = &p->weights.journeys;
		for (int i = 0; wkeys[i]; i++) {
			const struct ynode *x = pf_get(v, wkeys[i]);
			char b[160];
			if (x)
				pf_get_num(c, x, pf_sub(b, sizeof b, "preferences.weights", wkeys[i]), 0, 1e6, &w[i]);
		}
	}
}

/* ---- the whole profile ---------------------------------------------------- */

static void defaults(struct profile *p)
{
	p->day.from = 7 * 60;
	p->day.to = 19 * 60;
	p->slot = 5;
	p->home = -1;
	p->mode = TM_CAR;
	p->detour = 1.3;
	p->overhead = 5;
	static const double speed[TM__COUNT] = { 4.5, 4, 15, 30, 30 };
	static const double perkm[TM__COUNT] = { 0, 0, 0.10, 0.45, 2.00 };
	memcpy(p->speed, speed, sizeof speed);
	memcpy(p->cost_per_km, perkm, sizeof perkm);
	p->energy_budget = 10;
	p->travel_energy_per_hour = 1;
	p->max_appts_per_day = p->max_time_out = p->max_unfam_day = p->max_unfam_week = p->min_rest = -1;
	p->grouping = GROUP_NEUTRAL;
	p->weights = (struct prof_weights){ .journeys = 10, .travel_minutes = 0.2, .travel_money = 1,
		.change = 4, .change_day = 1, .change_venue = 3, .routine_shift = 0.1,
		.peak_energy = 2, .unfamiliar = 3, .preference = 2 };
	p->compromise = (struct prof_compromise){ .routine_missed = 20, .routine_late = 0.1, .outside_day = 0.5,
		.free_day = 20, .energy = 10, .time_out = 0.2, .appointments = 15, .rest = 0.3,
		.unfamiliar_day = 10, .unfamiliar_week = 10 };
	p->notice = (struct prof_notice){ 1, NOTICE_WORKING_DAYS };
	p->mail_starttls = 1;
}

/* `energy:` the day's energy budget and what travel costs of it. */
static void read_energy(struct ctx *c, const struct ynode *v)
{
	static const char *const ekeys[] = { "budget", "travel_per_hour", NULL };
	struct profile *p = c->p;
	if (pf_want(c, v, YT_MAP, "energy") < 0)
		return;
	pf_check_keys(c, v, "energy", ekeys);
	const struct ynode *x;
	if ((x = pf_get(v, "budget")))
		pf_get_num(c, x, "energy.budget", 0, 1000, &p->energy_budget);
	if ((x = pf_get(v, "travel_per_hour")))
		pf_get_num(c, x, "energy.travel_per_hour", 0, 100, &p->travel_energy_per_hour);
}

/* `limits:` hard limits on a day and a week, and the free days. */
static void read_limits(struct ctx *c, const struct ynode *v)
{
	static const char *const lkeys[] = { "max_appointments_per_day", "max_time_out_per_day",
		"max_unfamiliar_per_day", "max_unfamiliar_per_week", "min_rest_between", "free_days", NULL };
	struct profile *p = c->p;
	if (pf_want(c, v, YT_MAP, "limits") < 0)
		return;
	pf_check_keys(c, v, "limits", lkeys);
	int *dst[] = { &p->max_appts_per_day, &p->max_time_out, &p->max_unfam_day,
		       &p->max_unfam_week, &p->min_rest };
	static const long hi[] = { 100, 1440, 100, 1000, 1440 };
	assert(sizeof dst / sizeof *dst == 5 && sizeof lkeys / sizeof *lkeys == 5 + 2);
	for (int i = 0; i < 5; i++) {
		const struct ynode *x = pf_get(v, lkeys[i]);
		char b[160];
		if (x)
			pf_get_int(c, x, pf_sub(b, sizeof b, "limits", lkeys[i]), 0, hi[i], dst[i]);
	}
	const struct ynode *x = pf_get(v, "free_days");
	if (x)
		pf_get_days(c, x, "limits.free_days", &p->free_days);
}

/* `compromises:` the price of each soft limit broken. */
static void read_compromises(struct ctx *c, const struct ynode *v)
{
	static const char *const cpkeys[] = { "routine_missed", "routine_late", "outside_day", "free_day", "energy",
		"time_out", "appointments", "rest", "unfamiliar_day", "unfamiliar_week", NULL };
	struct profile *p = c->p;
	if (pf_want(c, v, YT_MAP, "compromises") < 0)
		return;
	pf_check_keys(c, v, "compromises", cpkeys);
	/* the keys name struct prof_compromise's fields, in order */
	assert(sizeof cpkeys / sizeof *cpkeys - 1 == sizeof p->compromise / sizeof(double));
	double *cw = &p->compromise.routine_missed;
	for (int i = 0; cpkeys[i]; i++) {
		const struct ynode *x = pf_get(v, cpkeys[i]);
		char b[160];
		if (x)
			pf_get_num(c, x, pf_sub(b, sizeof b, "compromises", cpkeys[i]), 0.001, 10000, &cw[i]);
	}
}

/* `coordinator:` who sends the proposals (address, name). */
static void read_coordinator(struct ctx *c, const struct ynode *v)
{
	static const char *const ckeys[] = { "address", "name", NULL };
	struct profile *p = c->p;
	if (pf_want(c, v, YT_MAP, "coordinator") < 0)
		return;
	pf_check_keys(c, v, "coordinator", ckeys);
	const struct ynode *x;
	if ((x = pf_need(c, v, "address", "coordinator")))
		pf_get_address(c, x, "coordinator.address", &p->coordinator_address);
	if ((x = pf_get(v, "name")))
		pf_get_text(c, x, "coordinator.name", &p->coordinator_name);
}

/* `mail:` the SMTP server to send with (no credentials in the URL). */
static void read_mail(struct ctx *c, const struct ynode *v)
{
	static const char *const mkeys[] = { "server", "username", "starttls", "ca_file", NULL };
	struct profile *p = c->p;
	if (pf_want(c, v, YT_MAP, "mail") < 0)
		return;
	pf_check_keys(c, v, "mail", mkeys);
	const struct ynode *x;
	if ((x = pf_get(v, "server")) && pf_want(c, x, YT_SCALAR, "mail.server") == 0) {
		char shown[4096];
		fetch_url_shown(x->s, shown, sizeof shown);
		if (strncasecmp(x->s, "smtp://", 7) != 0 && strncasecmp(x->s, "smtps://", 8) != 0)
			pf_err(c, x, D_PROF_VALUE, "mail.server", "an smtp:// or smtps:// URL", NULL);
		else if (strcmp(shown, x->s) != 0)
			pf_err(c, x, D_PROF_VALUE, "mail.server",
			    "the URL must not carry a user or password: mail.username, and the password in a netrc file or DOVETAIL_SMTP_PASSWORD", NULL);
		else
			pf_get_text(c, x, "mail.server", &p->mail_server);
	}
	if ((x = pf_get(v, "username")))
		pf_get_text(c, x, "mail.username", &p->mail_username);
	if ((x = pf_get(v, "starttls")))
		pf_get_bool(c, x, "mail.starttls", &p->mail_starttls);
	if ((x = pf_get(v, "ca_file")))
		pf_get_path(c, x, "mail.ca_file", &p->mail_ca_file);
}

static void read_root(struct ctx *c, const struct ynode *root)
{
	static const char *const keys[] = { "version", "person", "venues", "travel", "practitioners",
		"family", "carers", "overrides", "routines", "energy", "limits", "preferences", "coordinator",
		"compromises", "mail", NULL };
	struct profile *p = c->p;
	if (pf_want(c, root, YT_MAP, "the profile") < 0)
		return;
	pf_check_keys(c, root, "the profile", keys);
	const struct ynode *v, *home = NULL;
	int version;
	if ((v = pf_need(c, root, "version", "the profile")) &&
	    pf_get_int(c, v, "version", 1, 1, &version) < 0)
		return;
	if ((v = pf_need(c, root, "person", "the profile")))
		read_person(c, v, &home);
	/* the day must be known before work blocks default to it */
	if ((v = pf_need(c, root, "venues", "the profile")))
		read_venues(c, v);
	if (home && pf_want(c, home, YT_SCALAR, "person.home") == 0) {
		p->home = profile_venue_index(p, home->s);
		if (p->home < 0)
			pf_err(c, home, D_PROF_NO_ID, "person.home", "venue", pf_shown_id(home));
	}
	pf_read_travel(c, pf_get(root, "travel"));
	if ((v = pf_need(c, root, "practitioners", "the profile")))
		read_practitioners(c, v);
	if ((v = pf_get(root, "family")))
		read_family(c, v);
	read_carers(c, pf_get(root, "carers"));
	if ((v = pf_get(root, "overrides")))
		read_overrides(c, v);
	if ((v = pf_get(root, "routines")))
		read_routines(c, v);
	if ((v = pf_get(root, "energy")))
		read_energy(c, v);
	if ((v = pf_get(root, "limits")))
		read_limits(c, v);
	if ((v = pf_get(root, "preferences")))
		read_prefs(c, v);
	if ((v = pf_get(root, "compromises")))
		read_compromises(c, v);
	if ((v = pf_get(root, "coordinator")))
		read_coordinator(c, v);
	if ((v = pf_get(root, "mail")))
		read_mail(c, v);
}

int profile_load_text(struct profile **out, const char *path, const char *text,
		      size_t len, struct diag *d)
{
	*out = NULL;
	struct ynode *root = yt_load(path, text, len, d);
	if (!root)
		return -1;
	struct profile *p = xcalloc(1, sizeof *p);
	defaults(p);
	p->path = xstrdup(path);
	const char *slash = strrchr(path, '/');
	p->dir = slash ? xstrndup(path, (size_t)(slash - path) + (slash == path)) : xstrdup(".");
	p->timezone = xstrdup("UTC");
	struct ctx c = { path, d, 0, p };
	read_root(&c, root);
	ynode_free(root);
	if (c.errors) {
		profile_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

int profile_load(struct profile **out, const char *path, struct diag *d)
{
	*out = NULL;
	/* Read one byte past the bound, no more, so that yt_load can say where
	 * the bound is passed without reading a huge file. */
	int fd = file_open_read(path);   /* a FIFO: read as it comes, never waited on to open */
	FILE *fp = fd < 0 ? NULL : fdopen(fd, "rb");
	if (!fp) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		diag_add(d, D_IO_OPEN, path, 0, 0, strerror(e));
		return -1;
	}
	file_mark_input(path);
	char *buf = xmalloc(YT_MAX_FILE + 2);
	size_t len = fread(buf, 1, YT_MAX_FILE + 1, fp);
	int bad = ferror(fp);
	int e = errno;
	fclose(fp);
	if (bad) {
		diag_add(d, D_IO_READ, path, 0, 0, strerror(e));
		free(buf);
		return -1;
	}
	buf[len] = '\0';
	int rc = profile_load_text(out, path, buf, len, d);
	free(buf);
	return rc;
}

static void window_release(struct prof_window *w)
{
	free(w->times);
}

static void feeds_release(struct prof_path *v, size_t n)
{
	for (size_t j = 0; j < n; j++) {
		free(v[j].given);
		free(v[j].path);
		free(v[j].source);
	}
	free(v);
}

void profile_free(struct profile *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_venues; i++) {
		free(p->venues[i].id);
		free(p->venues[i].name);
		for (size_t j = 0; j < p->venues[i].n_aliases; j++)
			free(p->venues[i].aliases[j]);
		free(p->venues[i].aliases);
	}
	free(p->venues);
	for (size_t i = 0; i < p->n_pracs; i++) {
		struct prof_practitioner *x = &p->pracs[i];
		free(x->id);
		free(x->role);
		free(x->agency);
		free(x->display_name);
		feeds_release(x->feeds, x->n_feeds);
		free(x->match_text);
		for (size_t j = 0; j < x->n_works; j++)
			free(x->works[j].venues.v);
		free(x->works);
		window_release(&x->window);
		free(x->venues.v);
		free(x->joint_with.v);
		free(x->address);
	}
	free(p->pracs);
	for (size_t i = 0; i < p->n_overrides; i++) {
		free(p->overrides[i].uid);
		window_release(&p->overrides[i].window);
		free(p->overrides[i].venues.v);
	}
	free(p->overrides);
	for (size_t i = 0; i < p->n_routines; i++) {
		free(p->routines[i].id);
		free(p->routines[i].starts);
	}
	free(p->routines);
	for (size_t i = 0; i < p->n_carers; i++) {
		struct prof_carer *x = &p->carers[i];
		free(x->id);
		feeds_release(x->feeds, x->n_feeds);
		free(x->working);
	}
	free(p->carers);
	free(p->preferred);
	free(p->avoid);
	free(p->travel_min);
	free(p->travel_cost);
	free(p->person_id);
	free(p->display_name);
	free(p->coordinator_address);
	free(p->coordinator_name);
	free(p->mail_server);
	free(p->mail_username);
	free(p->mail_ca_file.given);
	free(p->mail_ca_file.path);
	free(p->mail_ca_file.source);
	free(p->timezone);
	free(p->path);
	free(p->dir);
	free(p);
}
