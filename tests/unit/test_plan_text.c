/* test_plan_text.c: a plan kept as text (plan_encode) and drawn later (plan_decode against a week read afresh, report_of_plan) gives the page of the solve byte for byte; hostile texts are refused with D_PLAN_TEXT.
 *
 * Usage: test_plan_text SRCDIR (the example families are SRCDIR/examples).
 * With DOVETAIL_TEST_CASELOAD=DIR (tools/gen-caseload.py's output), every
 * DIR/persons/<id>.yaml is run too, and the sizes are printed (TAP comments).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dovetail/report.h"
#include "dovetail/solver.h"
#include "dovetail/util.h"
#include "family.h"

static int64_t now_utc;   /* Monday 2026-11-23 00:00Z, the examples' week */
static char tmpdir[64];
static int n_stores;

/* Sizes seen, for the summary. */
static size_t n_pages, page_min = (size_t)-1, page_max, page_sum, text_max, text_sum, n_empty;

static void show_diag(const struct diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		printf("#   %s: %s\n", diag_name(d->v[i].code), d->v[i].msg);
}

/* The person of the profile at path, read as every command reads it, from
 * a store of its own. Returns 0, or -1 (diagnostics shown). */
static int open_person(const char *path, struct person *pw, struct store **s)
{
	char db[128];
	snprintf(db, sizeof db, "%s/s%d.db", tmpdir, n_stores++);
	return family_person_open(path, db, now_utc, pw, s);
}

/* The text of a plan that is refused: rc -1, one D_PLAN_TEXT, out empty. */
static int refused(const struct instance *in, const char *text)
{
	struct diag d;
	diag_init(&d);
	static struct placement junk;
	struct plan pl = { &junk, 99 };   /* decode must empty it */
	int rc = plan_decode(in, text, &pl, &d);
	int ok = rc == -1 && d.n == 1 && d.v[0].code == D_PLAN_TEXT && !pl.at && pl.n == 0;
	if (!ok)
		show_diag(&d);
	diag_release(&d);
	free(rc == 0 ? pl.at : NULL);
	return ok;
}

/*
 * One week: solved with k = 1 and with k = 3 (and the ladder) on the week
 * w (instance r.in); each proposal's plan encoded, decoded against an
 * instance built from w2 (the same person read afresh), and its page
 * drawn from the plan compared with the page of the solve. The sizes of
 * the ranked proposals' pages and texts are printed and summed.
 */
static void one_week(const char *name, const struct week *w, const struct week *w2)
{
	struct diag d;
	diag_init(&d);
	struct instance in2;
	if (!ok(instance_build(&in2, w2, now_utc, &d) == 0, "%s: the instance of the week read afresh", name)) {
		show_diag(&d);
		diag_release(&d);
		return;
	}
	for (int k = 1; k <= 3; k += 2) {
		struct sv_options o = { .k = k, .max_changes = -1, .ladder = k > 1, .now = now_utc };
		struct sv_result r;
		if (!ok(solve_propose(w, &o, &r, &d) == 0, "%s: solves with k = %d", name, k)) {
			show_diag(&d);
			continue;
		}
		is_int(in2.n, r.in.n, "%s: the same appointments read afresh", name);
		size_t total = r.n_props + r.n_ladder;
		int same_pages = 1, same_ids = 1, canonical = 1, decoded = r.n_props >= 1 && r.n_props <= (size_t)k, empty_ok = 1;
		for (size_t q = 0; q < total; q++) {
			const struct sv_proposal *x = q < r.n_props ? &r.props[q] : &r.ladder[q - r.n_props];
			char *page = report_of_solution(w, &r.in, x, now_utc, &d);
			char *text = NULL, *again = NULL, *page2 = NULL;
			struct plan pl = { 0 };
			if (!page || plan_encode(&r.in, &x->plan, &text, &d) < 0) {
				decoded = 0;
				show_diag(&d);
				goto next;
			}
			empty_ok &= (x->n_changes == 0) == (*text == 0);
			if (plan_decode(&in2, text, &pl, &d) < 0) {
				printf("#   %s: '%s' not decoded\n", name, text);
				show_diag(&d);
				decoded = 0;
				goto next;
			}
			char id[20];
			sv_plan_id(&in2, &pl, id, sizeof id);
			same_ids &= !strcmp(id, x->id);
			if (plan_encode(&in2, &pl, &again, &d) < 0 || strcmp(again, text))
				canonical = 0;
			page2 = report_of_plan(w2, &in2, &pl, x->proven, now_utc, &d);
			if (!page2 || strcmp(page, page2)) {
				same_pages = 0;
				printf("#   %s: proposal %s ('%s'): the page differs\n", name, x->id, text);
				show_diag(&d);
			}
			if (q < r.n_props) {
				size_t pg = strlen(page), tl = strlen(text);
				printf("# size %s k=%d rank %d %s: page %zu bytes, plan text %zu bytes '%s'\n", name, k,
				       x->rank, x->id, pg, tl, text);
				n_pages++;
				page_sum += pg;
				text_sum += tl;
				page_min = pg < page_min ? pg : page_min;
				page_max = pg > page_max ? pg : page_max;
				text_max = tl > text_max ? tl : text_max;
				n_empty += tl == 0;
			}
		next:
			free(page);
			free(page2);
			free(text);
			free(again);
			free(pl.at);
		}
		ok(decoded, "%s, k = %d: 1 to k proposals (%zu), and every plan (%zu, ladder included) is encoded and "
		   "decoded against the week read afresh", name, k, r.n_props, total);
		ok(empty_ok, "%s, k = %d: a plan's text is empty exactly when it changes nothing", name, k);
		ok(canonical, "%s, k = %d: decoding then encoding gives the same text", name, k);
		ok(same_ids, "%s, k = %d: the decoded plan has the proposal's id", name, k);
		ok(same_pages, "%s, k = %d: report_of_plan draws report_of_solution's page byte for byte", name, k);
		sv_result_release(&r);
	}
	instance_release(&in2);
	diag_release(&d);
}

/* A week of a profile file, solved and drawn again from a fresh read. */
static void profile_week(const char *name, const char *path)
{
	struct person a, b;
	struct store *sa = NULL, *sb = NULL;
	if (!ok(open_person(path, &a, &sa) == 0, "%s: the person is read", name)) {
		store_close(sa);
		return;
	}
	if (ok(open_person(path, &b, &sb) == 0, "%s: the person is read again, from a store of its own", name)) {
		one_week(name, &a.week, &b.week);
		person_release(&b);
	}
	person_release(&a);
	store_close(sa);
	store_close(sb);
}

/* A seeded generator (a 64-bit LCG), so that the weeks are the same each run. */
static unsigned rnd(uint64_t *s, unsigned n)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (unsigned)(*s >> 33) % n;
}

/* A feed of n events of the person on Monday to Friday (and `busy` other
 * clients), at half hours between 09:00 and 12:30, 30 or 60 minutes. */
static void gen_feed(uint64_t *s, char *out, size_t sz, const char *p, const char *summary, const char *loc,
		     int n, int busy)
{
	size_t len = (size_t)snprintf(out, sz, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n");
	for (int e = 0; e < n + busy; e++) {
		int day = 23 + (int)rnd(s, 5), m = 9 * 60 + 30 * (int)rnd(s, 8), dur = 30 * (1 + (int)rnd(s, 2));
		len += (size_t)snprintf(out + len, sz - len,
			"BEGIN:VEVENT\r\nUID:%s-%d\r\nDTSTAMP:20261101T000000Z\r\n"
			"DTSTART:202611%02dT%02d%02d00Z\r\nDTEND:202611%02dT%02d%02d00Z\r\nSUMMARY:%s\r\n%s%s%sEND:VEVENT\r\n",
			p, e, day, m / 60, m % 60, day, (m + dur) / 60, (m + dur) % 60,
			e < n ? summary : "Other client", e < n && loc ? "LOCATION:" : "", e < n && loc ? loc : "",
			e < n && loc ? "\r\n" : "");
	}
	snprintf(out + len, sz - len, "END:VCALENDAR\r\n");
}

/* Generated weeks of the brute-force family (family.h): feeds drawn from
 * a seed, read twice (two families of the same files). */
static void generated_week(uint64_t seed)
{
	static char fa[4096], fb[4096], fc[4096], fd[4096];
	uint64_t s = seed;
	gen_feed(&s, fa, sizeof fa, "a", "P-1 physio", "Clinic", 1 + (int)rnd(&s, 2), (int)rnd(&s, 3));
	gen_feed(&s, fb, sizeof fb, "b", "P-1 visit", "Home", 1 + (int)rnd(&s, 2), 0);
	gen_feed(&s, fc, sizeof fc, "c", "P-1 salt", "Clinic", 1 + (int)rnd(&s, 2), 0);
	gen_feed(&s, fd, sizeof fd, "d", "P-1 gp", "Surgery", 1, 0);
	const char *const files[] = { "a.ics", fa, "b.ics", fb, "c.ics", fc, "d.ics", fd, NULL };
	char name[40];
	snprintf(name, sizeof name, "generated-%llu", (unsigned long long)seed);
	struct family f1, f2;
	if (!ok(family_open(&f1, files, FAMILY_BRUTE_PROFILE) == 0, "%s: the family reads", name))
		return;
	if (ok(family_open(&f2, files, FAMILY_BRUTE_PROFILE) == 0, "%s: and reads again", name)) {
		one_week(name, &f1.w, &f2.w);
		family_close(&f2);
	}
	family_close(&f1);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every person of a generated caseload (DIR/persons/ *.yaml, by name). */
static void caseload_weeks(const char *dir)
{
	char path[600];
	snprintf(path, sizeof path, "%s/persons", dir);
	DIR *dp = opendir(path);
	if (!ok(dp != NULL, "the caseload %s has persons", dir))
		return;
	char *names[512];
	size_t n = 0;
	for (struct dirent *e; (e = readdir(dp)) && n < 512;) {
		size_t l = strlen(e->d_name);
		if (l > 5 && !strcmp(e->d_name + l - 5, ".yaml"))
			names[n++] = strdup(e->d_name);
	}
	closedir(dp);
	qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/persons/%s", dir, names[i]);
		profile_week(names[i], path);
		free(names[i]);
	}
}

/* Hostile texts against the instance of the family-cp week. */
static void hostile(const char *srcdir)
{
	char path[600];
	snprintf(path, sizeof path, "%s/examples/family-cp/profile.yaml", srcdir);
	struct person a;
	struct store *s = NULL;
	struct diag d;
	diag_init(&d);
	struct instance in;
	if (!ok(open_person(path, &a, &s) == 0, "hostile: family-cp is read")) {
		store_close(s);
		return;
	}
	if (!ok(instance_build(&in, &a.week, now_utc, &d) == 0, "hostile: its instance")) {
		person_release(&a);
		store_close(s);
		return;
	}
	/* a move of one appointment that is a plan by itself (mi to candidate
	 * mc), and a second appointment that may move (oj) */
	size_t mi = in.n, oj = in.n, mc = 0;
	struct plan pl;
	for (size_t i = 0; i < in.n && mi == in.n; i++)
		for (size_t c = 1; c < in.a[i].n_cand && mi == in.n; c++) {
			char e[64];
			struct diag dq;
			diag_init(&dq);
			snprintf(e, sizeof e, "%zu:%d:%d:%d", i, in.a[i].cand[c].day, in.a[i].cand[c].start,
				 in.a[i].cand[c].venue);
			if (plan_decode(&in, e, &pl, &dq) == 0) {
				mi = i;
				mc = c;
				free(pl.at);
			}
			diag_release(&dq);
		}
	for (size_t j = 0; j < in.n && mi < in.n && oj == in.n; j++)
		if (j != mi && in.a[j].n_cand > 1)
			oj = j;
	ok(mi < in.n && oj < in.n, "two appointments may move (%zu and %zu of %zu)", mi, oj, in.n);
	if (mi == in.n || oj == in.n)
		goto out;
	const struct placement *c1 = &in.a[mi].cand[mc], *c0 = &in.a[mi].cand[0];
	char good[64], t[4 * 64];
	snprintf(good, sizeof good, "%zu:%d:%d:%d", mi, c1->day, c1->start, c1->venue);
	is_int(plan_decode(&in, "", &pl, &d), 0, "'' is the week as booked");
	int asbooked = pl.n == in.n;
	for (size_t i = 0; asbooked && i < in.n; i++)
		asbooked = pl.at[i].day == in.a[i].cand[0].day && pl.at[i].start == in.a[i].cand[0].start &&
			   pl.at[i].venue == in.a[i].cand[0].venue;
	ok(asbooked, "... every appointment at its current placement");
	free(pl.at);
	is_int(plan_decode(&in, good, &pl, &d), 0, "'%s', one candidate, is a plan", good);
	ok(pl.at && pl.at[mi].start == c1->start && pl.at[mi].day == c1->day, "... that moves it there");
	free(pl.at);
	show_diag(&d);

	const char *fixed[] = { " ", "x", "0", "0:", "0:0", "0:0:0", "0:0:0:0:0", ":::", "0::0:0", "-:0:0:0",
				"+1:0:0:0", "0x1:0:0:0", "-1:0:0:0", "99999:0:0:0", "2147483648:0:0:0",
				"99999999999999999999999999999999:1:1:1", "1:-99999999999999999999:0:0",
				"1:0:0:-2147483649", "00:0:0:0", "-0:0:0:0", "0:0:0:-", "1:01:0:0", "1:0:0:-0x", "\xff", "1:0:0:0\n",
				"1\t0:0:0" };
	int all = 1;
	for (size_t k = 0; k < sizeof fixed / sizeof *fixed; k++)
		if (!refused(&in, fixed[k])) {
			printf("#   accepted: '%s'\n", fixed[k]);
			all = 0;
		}
	ok(all, "%zu malformed texts are refused (syntax, range, digits, signs, leading zeros)",
	   sizeof fixed / sizeof *fixed);
	/* "-0" for a 0 of a move that is a plan: refused, so that a plan has one text */
	int negzero = 0;
	for (size_t i = 0; i < in.n && !negzero; i++)
		for (size_t c = 1; c < in.a[i].n_cand && !negzero; c++) {
			const struct placement *x = &in.a[i].cand[c];
			char e[64];
			snprintf(e, sizeof e, "%zu:%d:%d:%d", i, x->day, x->start, x->venue);
			if ((x->day != 0 && x->venue != 0) || plan_decode(&in, e, &pl, &d) < 0)
				continue;
			free(pl.at);
			negzero = 1;
			if (x->day == 0)
				snprintf(t, sizeof t, "%zu:-0:%d:%d", i, x->start, x->venue);
			else
				snprintf(t, sizeof t, "%zu:%d:%d:-0", i, x->day, x->start);
			ok(refused(&in, t), "'%s', a plan's text but for a negative zero, is refused", t);
		}
	ok(negzero, "a move that is a plan with a day or venue 0");
	snprintf(t, sizeof t, "%s ", good);
	ok(refused(&in, t), "a trailing space is refused");
	snprintf(t, sizeof t, " %s", good);
	ok(refused(&in, t), "a leading space is refused");
	snprintf(t, sizeof t, "%s %s", good, good);
	ok(refused(&in, t), "the same appointment twice is refused");
	snprintf(t, sizeof t, "%s  %s", good, good);
	ok(refused(&in, t), "two spaces are refused");
	snprintf(t, sizeof t, "%zu:%d:%d:%d", mi, c0->day, c0->start, c0->venue);
	ok(refused(&in, t), "an appointment listed at its current placement is refused (not canonical)");
	snprintf(t, sizeof t, "%zu:%d:%d:%d", mi, c1->day, c1->start + 1, c1->venue);
	ok(refused(&in, t), "a placement that is no candidate (a minute off) is refused");
	snprintf(t, sizeof t, "%zu:%d:%d:%d", mi, c1->day, c1->start, c1->venue + 1000);
	ok(refused(&in, t), "a venue that does not exist is refused");
	snprintf(t, sizeof t, "%zu:%d:%d:%d", mi, c1->day + 400, c1->start, c1->venue);
	ok(refused(&in, t), "a day outside the week is refused");
	snprintf(t, sizeof t, "%zu:%d:%d:%d", in.n, c1->day, c1->start, c1->venue);
	ok(refused(&in, t), "an index past the week's appointments is refused");
	/* another appointment's candidate, not its own */
	const struct placement *o1 = &in.a[oj].cand[1];
	int its_own = 0;
	for (size_t c = 0; c < in.a[mi].n_cand; c++)
		its_own |= in.a[mi].cand[c].day == o1->day && in.a[mi].cand[c].start == o1->start &&
			   in.a[mi].cand[c].venue == o1->venue;
	if (!its_own) {
		snprintf(t, sizeof t, "%zu:%d:%d:%d", mi, o1->day, o1->start, o1->venue);
		ok(refused(&in, t), "another appointment's placement is refused");
	}
	/* out of order: the greater index first */
	{
		size_t lo = mi < oj ? mi : oj, hi = mi < oj ? oj : mi;
		const struct placement *pl_lo = &in.a[lo].cand[1], *pl_hi = &in.a[hi].cand[1];
		snprintf(t, sizeof t, "%zu:%d:%d:%d %zu:%d:%d:%d", hi, pl_hi->day, pl_hi->start, pl_hi->venue, lo,
			 pl_lo->day, pl_lo->start, pl_lo->venue);
		ok(refused(&in, t), "entries out of order are refused");
	}
	/* two moves, each a candidate, that clash: refused by plan_check's rules */
	int found = 0;
	for (size_t i = 0; i < in.n && !found; i++)
		for (size_t j = i + 1; j < in.n && !found; j++)
			for (size_t ci = 1; ci < in.a[i].n_cand && !found; ci++)
				for (size_t cj = 1; cj < in.a[j].n_cand && !found; cj++) {
					const struct placement *x = &in.a[i].cand[ci], *y = &in.a[j].cand[cj];
					if (x->day != y->day || x->start != y->start || x->venue == y->venue)
						continue;
					found = 1;
					snprintf(t, sizeof t, "%zu:%d:%d:%d %zu:%d:%d:%d", i, x->day, x->start, x->venue, j,
						 y->day, y->start, y->venue);
				}
	if (ok(found, "two candidates at the same time at two venues"))
		ok(refused(&in, t), "two moves that clash (each a candidate) are refused: '%s'", t);
	/* longer than the bound */
	char *big = malloc(PLAN_TEXT_MAX + 2);
	if (big) {
		memset(big, '1', PLAN_TEXT_MAX + 1);
		big[PLAN_TEXT_MAX + 1] = 0;
		ok(refused(&in, big), "a text longer than PLAN_TEXT_MAX is refused");
		/* within the bound, a long run of valid-looking entries */
		size_t len = 0;
		for (size_t i = 0; len + 64 < PLAN_TEXT_MAX; i++)
			len += (size_t)snprintf(big + len, PLAN_TEXT_MAX + 2 - len, "%s%zu:0:600:0", i ? " " : "", i);
		ok(refused(&in, big), "a long text of entries past the week's appointments is refused");
		free(big);
	}
	/* mutations of a good text: refused, or decoded into a plan whose text is
	 * the mutated text itself */
	{
		uint64_t sd = 7;
		snprintf(t, sizeof t, "%s", good);
		const char alphabet[] = "0123456789:- x\x80";
		int fine = 1, accepted = 0;
		for (int it = 0; it < 3000; it++) {
			char m[sizeof t];
			snprintf(m, sizeof m, "%s", t);
			size_t l = strlen(m);
			int op = (int)rnd(&sd, 3);
			size_t at = l ? rnd(&sd, (unsigned)l) : 0;
			char ch = alphabet[rnd(&sd, sizeof alphabet - 1)];
			if (op == 0 && l)
				m[at] = ch;
			else if (op == 1 && l + 1 < sizeof m) {
				memmove(m + at + 1, m + at, l - at + 1);
				m[at] = ch;
			} else if (l)
				memmove(m + at, m + at + 1, l - at);
			struct diag dm;
			diag_init(&dm);
			struct plan q;
			int rc = plan_decode(&in, m, &q, &dm);
			if (rc == 0) {
				char *e = NULL;
				accepted++;
				fine &= plan_encode(&in, &q, &e, &dm) == 0 && !strcmp(e, m);
				free(e);
				free(q.at);
			} else {
				fine &= dm.n == 1 && dm.v[0].code == D_PLAN_TEXT && !q.at;
			}
			diag_release(&dm);
		}
		ok(fine, "3000 mutations of '%s': each refused with D_PLAN_TEXT or a plan that encodes to it (%d were)",
		   t, accepted);
	}
	/* a partial plan cannot be encoded */
	{
		struct plan q;
		if (ok(plan_decode(&in, "", &q, &d) == 0, "the empty text decodes: the week as booked")) {
			char *e = NULL;
			q.at[0].day = -1;
			struct diag dp;
			diag_init(&dp);
			ok(plan_encode(&in, &q, &e, &dp) == -1 && !e && dp.n && dp.v[0].code == D_PLAN_INVALID,
			   "a plan that leaves an appointment out is not encoded (D_PLAN_INVALID)");
			diag_release(&dp);
			free(q.at);
		}
	}
out:
	instance_release(&in);
	person_release(&a);
	store_close(s);
	diag_release(&d);
}

int main(int argc, char **argv)
{
	const char *srcdir = argc > 1 ? argv[1] : ".";
	now_utc = days_from_civil(2026, 11, 23) * 86400;
	strcpy(tmpdir, "/tmp/dovetail-test-plantext.XXXXXX");
	if (!mkdtemp(tmpdir))
		return 1;
	static const char *const fams[] = { "family-cp", "family-autism", "family-dementia", "family-shared-feeds" };
	for (size_t f = 0; f < sizeof fams / sizeof *fams; f++) {
		char path[600];
		snprintf(path, sizeof path, "%s/examples/%s/profile.yaml", srcdir, fams[f]);
		profile_week(fams[f], path);
	}
	for (uint64_t seed = 1; seed <= 12; seed++)
		generated_week(seed);
	const char *cl = getenv("DOVETAIL_TEST_CASELOAD");
	if (cl && *cl)
		caseload_weeks(cl);
	hostile(srcdir);
	if (n_pages)
		printf("# sizes over %zu proposals: page %zu..%zu bytes (mean %zu); plan text at most %zu bytes (mean %.1f), %zu empty\n",
		       n_pages, page_min, page_max, page_sum / n_pages, text_max, (double)text_sum / (double)n_pages,
		       n_empty);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
