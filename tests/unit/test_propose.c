/* test_propose.c: the optimiser against brute force: every combination of placements, plan_check() on each, the best by the three tiers (sv_plan_tiers). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dovetail/solver.h"
#include "family.h"
#include "../../solver/internal.h"

/* Monday 2026-11-23 (GMT). a and c may meet jointly at the clinic; b is a
 * home visit; d is fixed. a overlaps c and its travel is too tight. */
static const char feed_a[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:a-1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261123T093000Z\r\n"
	"DTEND:20261123T103000Z\r\nSUMMARY:P-1 physio\r\nLOCATION:Clinic\r\nEND:VEVENT\r\n"
	"BEGIN:VEVENT\r\nUID:a-busy\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261124T090000Z\r\n"
	"DTEND:20261124T100000Z\r\nSUMMARY:Other client\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";
static const char feed_b[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:b-1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261123T110000Z\r\n"
	"DTEND:20261123T113000Z\r\nSUMMARY:P-1 visit\r\nLOCATION:Home\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";
static const char feed_c[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:c-1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261124T100000Z\r\n"
	"DTEND:20261124T103000Z\r\nSUMMARY:P-1 salt\r\nLOCATION:Clinic\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";
static const char feed_d[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:d-1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261125T100000Z\r\n"
	"DTEND:20261125T110000Z\r\nSUMMARY:P-1 gp\r\nLOCATION:Surgery\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";
static const char profile_text[] = FAMILY_BRUTE_PROFILE;

/* Plans brute() must differ from (in the day or venue of some appointment):
 * the alternatives' rule (docs/propose.md, "Alternatives and the ladder"). */
static const struct plan *avoid[3];
static size_t n_avoid;

/* Whether a and b differ in the day or the venue of at least one appointment. */
static int differs(const struct plan *a, const struct plan *b)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->at[i].day != b->at[i].day || a->at[i].venue != b->at[i].venue)
			return 1;
	return 0;
}

/* Every combination of candidates: the best plan plan_check accepts, by
 * the tiers, overall and with at most `cap` changes (cap < 0: any). */
static void brute(const struct instance *in, size_t i, struct plan *pl, int cap, int changes,
		  struct sv_tiers *best, size_t *feasible, size_t *tried, struct diag *d)
{
	if (i == in->n) {
		struct problems bad;
		for (size_t k = 0; k < n_avoid; k++)
			if (!differs(pl, avoid[k]))
				return;
		(*tried)++;
		int ok = plan_check(in, pl, &bad, d);
		problems_release(&bad);
		if (ok != 1)
			return;
		struct week mv;
		struct problems ps;
		if (plan_week(in, pl, &mv, d) < 0)
			return;
		struct sv_tiers t;
		if (check_week(&mv, &ps, d) == 0 && sv_plan_tiers(in, pl, &mv, &ps, &t, NULL, NULL, d) == 0) {
			(*feasible)++;
			if (sv_tiers_cmp(&t, best) < 0)
				*best = t;
		}
		problems_release(&ps);
		week_release(&mv);
		return;
	}
	for (size_t c = 0; c < in->a[i].n_cand; c++) {
		int ch = changes + (c > 0);
		if (cap >= 0 && ch > cap)
			continue;
		pl->at[i] = in->a[i].cand[c];
		brute(in, i + 1, pl, cap, ch, best, feasible, tried, d);
	}
}

/* Whether two listings made the same columns, in the same order. */
static int same_cols(const struct sv_cols *a, const struct sv_cols *b)
{
	if (a->n != b->n || a->n_pick != b->n_pick || a->cut != b->cut || a->labels != b->labels)
		return 0;
	for (size_t k = 0; k < a->n; k++) {
		const struct sv_col *x = &a->v[k], *y = &b->v[k];
		if (x->day != y->day || x->n != y->n || x->first != y->first || x->impossible != y->impossible ||
		    x->compromise != y->compromise || x->cost != y->cost || x->energy != y->energy ||
		    x->changes != y->changes || x->bad != y->bad)
			return 0;
	}
	return a->n_pick == 0 || memcmp(a->pick, b->pick, a->n_pick * sizeof *a->pick) == 0;
}

static int same_tiers(const struct sv_proposal *x, const struct sv_tiers *t)
{
	struct sv_tiers y = { x->impossible, x->compromise, x->objective };
	return sv_tiers_cmp(&y, t) == 0;
}

/* The time the ladder and the next best may take (solve.c): bounded by
 * what the best plan took, with a floor, within the time limit. */
static void rest_budget(void)
{
	long sec = CLOCKS_PER_SEC, least = (long)(SV_REST_MIN * CLOCKS_PER_SEC);
	is_int(sv_rest_deadline(100, 10 * sec, 0), 0, "no time limit: none for the rest either");
	is_int(sv_rest_deadline(100, 10 * sec, 100 + 100 * sec), 100 + (long)(10 * sec * SV_REST_SHARE),
	       "at most SV_REST_SHARE times what the best plan took");
	is_int(sv_rest_deadline(100, 1, 100 + 100 * sec), 100 + least, "at least SV_REST_MIN seconds");
	is_int(sv_rest_deadline(100, 50 * sec, 100 + 5 * sec), 100 + 5 * sec, "never past the time limit");
	is_int(sv_share_deadline(100, 0, 4), 0, "a share of no limit: none");
	is_int(sv_share_deadline(100, 500, 4), 200, "one of four even shares of what is left");
	is_int(sv_share_deadline(100, 500, 1), 500, "the last solve takes all that is left");
	is_int(sv_share_deadline(600, 500, 3), 500, "a deadline passed stays passed");
}

/* The polish of column generation's plan (solve.c), and its bounds
 * (internal.h, sv_test_limits; docs/limits.md), on a generated week where
 * the polish improves the plan once and then stops: each bound, set low,
 * stops it where the values do not, and a plan holding every appointment
 * comes out. */
/* A week of tests/data (SRCDIR/tests/data/NAME/profile.yaml) read as
 * every command reads it, at now, into pw (its store in a fresh folder,
 * dir[64]). Returns 0, or -1 (nothing to release). */
static int data_week(const char *srcdir, const char *name, int64_t now, struct person *pw, struct store **st,
		     char *dir)
{
	char path[600], db[96];
	snprintf(path, sizeof path, "%s/tests/data/%s/profile.yaml", srcdir, name);
	snprintf(dir, 64, "/tmp/dovetail-test-data.XXXXXX");
	*st = NULL;
	if (!mkdtemp(dir))
		return -1;
	snprintf(db, sizeof db, "%s/s.db", dir);
	if (family_person_open(path, db, now, pw, st) == 0)
		return 0;
	unlink(db);
	rmdir(dir);
	return -1;
}

static void data_week_close(struct person *pw, struct store *st, const char *dir)
{
	person_release(pw);
	store_close(st);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		tap_note("could not remove %s", dir);
}

static void polish_bounds(const char *srcdir)
{
	struct person pw;
	struct store *st;
	char dir[64];
	if (!ok(data_week(srcdir, "polish-s8", days_from_civil(2026, 11, 23) * 86400, &pw, &st, dir) == 0,
		"polish: the generated week is read"))
		return;
	struct diag d;
	diag_init(&d);
	struct sv_options og = { .k = 1, .max_changes = -1, .max_labels = 25, .threads = 1 };
	struct sv_result g1, gn;
	if (!ok(solve_propose(&pw.week, &og, &g1, &d) == 0 && g1.cut, "polish: column generation plans it")) {
		diag_release(&d);
		data_week_close(&pw, st, dir);
		return;
	}
	tap_note("polish: %d rounds, %zu listings, %zu cut", g1.polish_rounds, g1.polish_listings, g1.polish_cut);
	ok(g1.polish_rounds == 2 && g1.polish_listings >= 2 && g1.polish_cut == 0,
	   "polish: it improved the plan once, then stopped (%d rounds, %zu listings, none cut)", g1.polish_rounds,
	   g1.polish_listings);
	struct { struct sv_test_limits l; const char *what; } lim_[] = {
		{ { .reopt_total_labels = 1 }, "labels in all (SV_REOPT_TOTAL_LABELS)" },
		{ { .reopt_labels = 1, .reopt_one_labels = 1 }, "labels of a listing (SV_REOPT_LABELS, SV_REOPT_ONE_LABELS)" },
		{ { .reopt_rounds = 1 }, "rounds (SV_REOPT_ROUNDS)" },
	};
	for (size_t t = 0; t < sizeof lim_ / sizeof *lim_; t++) {
		sv_test_limits(&lim_[t].l);
		int sr = solve_propose(&pw.week, &og, &gn, &d);
		sv_test_limits(NULL);
		int held = sr == 0 && gn.n_props > 0 && gn.props[0].plan.n == gn.in.n;
		if (t == 0)
			ok(held && gn.polish_listings == 1, "polish bound on %s: one listing, then it stops (%zu)",
			   lim_[t].what, held ? gn.polish_listings : 0);
		else if (t == 1)
			ok(held && gn.polish_listings > 0 && gn.polish_cut == gn.polish_listings && gn.polish_rounds == 1,
			   "polish bound on %s: every listing cut, nothing added, one round", lim_[t].what);
		else
			ok(held && gn.polish_rounds == 1 && gn.polish_listings < g1.polish_listings,
			   "polish bound on %s: one round", lim_[t].what);
		ok(held && gn.props[0].objective >= g1.props[0].objective - 1e-9,
		   "... a plan with every appointment, no better than the polish's");
		if (sr == 0)
			sv_result_release(&gn);
	}
	/* the local search that starts column generation, and its bounds */
	tap_note("local search: %d passes, at most %zu candidates tried", g1.ls_passes, g1.ls_most_tried);
	ok(g1.ls_passes >= 2 && g1.ls_most_tried > 3 && g1.ls_most_tried <= 240,
	   "local search: %d passes, at most %zu candidates of one appointment tried (LS_TRIES 240)", g1.ls_passes,
	   g1.ls_most_tried);
	sv_test_limits(&(struct sv_test_limits){ .ls_tries = 3 });
	int sr = solve_propose(&pw.week, &og, &gn, &d);
	sv_test_limits(NULL);
	ok(sr == 0 && gn.ls_most_tried == 3 && gn.n_props > 0 && gn.props[0].plan.n == gn.in.n,
	   "local search bound on candidates (LS_TRIES, here 3): 3 tried, a plan with every appointment");
	if (sr == 0)
		sv_result_release(&gn);
	sv_test_limits(&(struct sv_test_limits){ .ls_passes = 1 });
	sr = solve_propose(&pw.week, &og, &gn, &d);
	sv_test_limits(NULL);
	ok(sr == 0 && gn.ls_passes == 1 && gn.n_props > 0 && gn.props[0].plan.n == gn.in.n,
	   "local search bound on passes (LS_PASSES, here 1): one pass, a plan with every appointment");
	if (sr == 0)
		sv_result_release(&gn);
	sv_result_release(&g1);
	diag_release(&d);
	data_week_close(&pw, st, dir);
}

int main(int argc, char **argv)
{
	rest_budget();
	static const char *const files[] = { "a.ics", feed_a, "b.ics", feed_b, "c.ics", feed_c,
					     "d.ics", feed_d, NULL };
	struct family fam;
	if (!ok(family_open(&fam, files, profile_text) == 0, "the family loads, imports and reads"))
		return tap_done();
	is_int(fam.w.n_appts, 4, "four appointments");

	struct sv_options o = { .k = 3, .max_changes = -1, .ladder = 1, .time_limit = 0 };
	struct sv_result r;
	is_int(solve_propose(&fam.w, &o, &r, &fam.d), 0, "propose solves");
	/* thousands of feasible plans, many on other days: k of them */
	is_int(r.n_props, 3, "three proposals, as k asks");
	ok(r.columns > 0, "day plans were generated");

	/* brute force over the same instance */
	struct placement at[8];
	struct plan pl = { at, r.in.n };
	struct sv_tiers best = { 1 << 30, 0, 0 };
	size_t feasible = 0, tried = 0;
	struct diag bd;
	diag_init(&bd);
	brute(&r.in, 0, &pl, -1, 0, &best, &feasible, &tried, &bd);
	printf("# brute force: %zu plans tried, %zu feasible, best (%d, %.4f, %.4f)\n", tried, feasible,
	       best.impossible, best.compromise, best.cost);
	ok(feasible > 0, "brute force finds feasible plans");
	int all_placed = r.n_props == 3;
	for (size_t k = 0; k < r.n_props; k++)
		for (size_t i = 0; i < r.in.n; i++)
			all_placed &= r.props[k].plan.at[i].day >= 0;
	ok(all_placed, "every proposal places every appointment");
	ok(r.n_props && same_tiers(&r.props[0], &best), "the optimum's tiers equal brute force's best");
	/* each ladder step against brute force under its bound */
	ok(r.n_props && r.n_ladder == r.props[0].n_changes + 1,
	   "the ladder has a step for every bound from 0 to proposal 1's %zu changes (%zu)",
	   r.n_props ? r.props[0].n_changes : 0, r.n_ladder);
	int steps_ok = r.n_ladder > 0;
	for (size_t k = 0; k < r.n_ladder; k++) {
		struct sv_tiers b = { 1 << 30, 0, 0 };
		size_t f = 0, t = 0;
		brute(&r.in, 0, &pl, r.ladder[k].rank, 0, &b, &f, &t, &bd);
		steps_ok &= same_tiers(&r.ladder[k], &b);
	}
	ok(steps_ok, "every ladder step equals brute force under its bound on changes");
	ok(r.n_props && r.props[0].proven && r.props[0].gap == 0, "the optimum is proven, gap 0");

	/* every proposal keeps every invariant; ranks do not get better */
	int all_ok = r.n_props == 3, ordered = 1, distinct = 1;
	for (size_t k = 0; k < r.n_props; k++) {
		struct problems bad;
		all_ok &= plan_check(&r.in, &r.props[k].plan, &bad, &fam.d) == 1;
		problems_release(&bad);
		if (k) {
			struct sv_tiers a = { r.props[k - 1].impossible, r.props[k - 1].compromise, r.props[k - 1].objective };
			struct sv_tiers b = { r.props[k].impossible, r.props[k].compromise, r.props[k].objective };
			ordered &= sv_tiers_cmp(&a, &b) <= 0;
		}
		for (size_t j = 0; j < k; j++)
			distinct &= strcmp(r.props[k].id, r.props[j].id) != 0;
	}
	ok(all_ok, "plan_check accepts every proposal");
	ok(r.n_props == 3 && ordered, "proposals come best first");
	ok(r.n_props == 3 && distinct, "proposals have distinct ids");
	int apart = r.n_props == 3;
	for (size_t k = 0; k < r.n_props; k++)
		for (size_t j = 0; j < k; j++)
			apart &= differs(&r.props[k].plan, &r.props[j].plan);
	ok(apart, "each proposal differs from every other in the day or venue of an appointment");
	/* proposal k is brute force's best among the plans that differ so from
	 * proposals 1 .. k - 1 */
	for (size_t k = 1; k < r.n_props; k++) {
		struct sv_tiers b = { 1 << 30, 0, 0 };
		size_t f = 0, t = 0;
		for (n_avoid = 0; n_avoid < k; n_avoid++)
			avoid[n_avoid] = &r.props[n_avoid].plan;
		brute(&r.in, 0, &pl, -1, 0, &b, &f, &t, &bd);
		n_avoid = 0;
		ok(f > 0 && same_tiers(&r.props[k], &b), "proposal %zu equals brute force's best that differs from those before",
		   k + 1);
	}

	diag_release(&bd);

	/* the ladder: more changes allowed never cost more; its last step is the optimum */
	int ladder_ok = r.n_ladder > 0;
	for (size_t k = 0; k < r.n_ladder; k++) {
		ladder_ok &= (int)r.ladder[k].n_changes <= r.ladder[k].rank;
		if (k) {
			struct sv_tiers a = { r.ladder[k - 1].impossible, r.ladder[k - 1].compromise, r.ladder[k - 1].objective };
			struct sv_tiers b = { r.ladder[k].impossible, r.ladder[k].compromise, r.ladder[k].objective };
			ladder_ok &= sv_tiers_cmp(&b, &a) <= 0;
		}
		struct problems bad;
		ladder_ok &= plan_check(&r.in, &r.ladder[k].plan, &bad, &fam.d) == 1;
		problems_release(&bad);
	}
	ok(ladder_ok, "the ladder's steps respect their bound, improve and pass plan_check");
	ok(r.n_ladder && r.n_props && fabs(r.ladder[r.n_ladder - 1].objective - r.props[0].objective) < 1e-6,
	   "the ladder ends at the optimum");

	/* a bound of one change: brute force over plans with at most one change */
	struct sv_result r1;
	struct sv_options o1 = o;
	o1.max_changes = 1;
	o1.ladder = 0;
	o1.k = 1;
	is_int(solve_propose(&fam.w, &o1, &r1, &fam.d), 0, "propose --max-changes 1 solves");
	ok(r1.n_props == 1 && r1.props[0].n_changes <= 1, "at most one change");
	ok(r1.n_props == 1 && r.n_ladder > 1 && same_tiers(&r1.props[0], &(struct sv_tiers){
		   r.ladder[1].impossible, r.ladder[1].compromise, r.ladder[1].objective }),
	   "it equals the ladder's step 1");
	is_int(compact_write_lp(&r.in, -1, "/nonexistent-dir/x.lp", &fam.d), -1, "an unwritable path fails");
	/* the bound on the compact model's non-zeros (MAX_NONZEROS, here
	 * lowered): the least bound that takes the model, and one fewer */
	{
		char lp[] = "/tmp/dovetail-test-compact.XXXXXX";
		int fd = mkstemp(lp);
		size_t lo = 1, hi = 1 << 22;
		struct diag cd;
		diag_init(&cd);
		compact_limit(hi);
		int whole = fd >= 0 && compact_write_lp(&r.in, -1, lp, &cd) == 0;
		while (whole && lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			compact_limit(mid);
			if (compact_write_lp(&r.in, -1, lp, &cd) == 0)
				hi = mid;
			else
				lo = mid + 1;
		}
		diag_release(&cd);
		diag_init(&cd);
		compact_limit(hi - 1);
		int past = compact_write_lp(&r.in, -1, lp, &cd);
		ok(whole && hi > 100 && past < 0 && cd.n > 0 && cd.v[cd.n - 1].code == D_LIM_INSTANCE &&
		   strstr(cd.v[cd.n - 1].msg, "non-zeros in the compact model"),
		   "the compact model's bound on non-zeros: %zu take it, %zu refuse it (D_LIM_INSTANCE)", hi, hi - 1);
		compact_limit(0);
		diag_release(&cd);
		if (fd >= 0) {
			close(fd);
			unlink(lp);
		}
	}
	sv_result_release(&r1);

	/* a joint session is offered where it pays */
	int joint = 0;
	for (size_t k = 0; k < r.n_props; k++)
		for (size_t c = 0; c < r.props[k].n_changes; c++)
			joint |= (r.props[k].changes[c].ch.kind & CHANGE_JOINT) != 0;
	ok(joint, "some proposal merges a and c into a joint session");

	/* the listing in threads: the same columns, in the same order, for
	 * any number; its bound on labels is on every day's together */
	struct sv_budget all = { 0, 1000000, 0 };
	struct sv_cols c1, cn;
	is_int(daygen(&r.in, &all, 1, &c1, &fam.d), 0, "the listing in one thread");
	int days = 0;
	for (size_t day = 0; day < r.in.w->n_days; day++) {
		int has = 0;
		for (size_t i = 0; i < r.in.n; i++)
			for (size_t c = 0; c < r.in.a[i].n_cand && !has; c++)
				has = r.in.a[i].cand[c].day == (int)day;
		days += has;
	}
	ok(!c1.cut && c1.labels > 0 && days >= 3, "it is whole, with %zu labels over %d days", c1.labels, days);
	static const int threads[] = { 2, 3, SV_MAX_THREADS };
	for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
		is_int(daygen(&r.in, &all, threads[t], &cn, &fam.d), 0, "the listing in %d threads", threads[t]);
		ok(same_cols(&c1, &cn), "... makes the same columns as in one");
		cols_release(&cn);
	}
	for (int t = 1; t <= 2; t++) {
		struct sv_budget every = { 0, c1.labels, 0 }, under = { 0, c1.labels - 1, 0 };
		is_int(daygen(&r.in, &every, t, &cn, &fam.d), 0, "a bound of every label made (%d threads)", t);
		ok(!cn.cut && same_cols(&c1, &cn), "... leaves the listing whole");
		cols_release(&cn);
		is_int(daygen(&r.in, &under, t, &cn, &fam.d), 0, "a bound of one label fewer (%d threads)", t);
		ok(cn.cut && cn.n == 0, "... cuts it, and leaves no column (column generation takes over)");
		cols_release(&cn);
	}
	/* the master over the whole listing, started from a plan in hand:
	 * the same optimum, and the plan in hand kept when it is one; a plan
	 * the rows forbid (more changes than the bound) is not taken up */
	struct master *m = master_new(&r.in, &c1, &fam.d);
	struct master_sol a, b, z;
	ok(m && master_max_changes(m, -1, &fam.d) == 0 && master_solve(m, NULL, NULL, &a, &fam.d) == 0 && a.found,
	   "the master solves from nothing");
	ok(a.proven && a.impossible == r.props[0].impossible && fabs(a.compromise - r.props[0].compromise) < 1e-9 &&
	   fabs(a.objective - r.props[0].objective) < 1e-9, "... to proposal 1's optimum");
	is_int(master_solve(m, NULL, a.col, &b, &fam.d), 0, "the master solves from its optimum");
	ok(b.proven && memcmp(a.col, b.col, r.in.w->n_days * sizeof *a.col) == 0, "... and keeps it");
	ok(r.n_ladder > 0 && r.ladder[0].n_changes == 0 && r.props[0].n_changes > 0,
	   "the ladder starts with no change; the optimum has some");
	ok(master_allows(m, a.col), "the rows allow the optimum");
	is_int(master_max_changes(m, 0, &fam.d), 0, "at most no change");
	ok(!master_allows(m, a.col), "... then they do not");
	is_int(master_solve(m, NULL, a.col, &z, &fam.d), 0, "the master solves, handed the optimum the rows forbid");
	ok(z.proven && z.impossible == r.ladder[0].impossible && fabs(z.compromise - r.ladder[0].compromise) < 1e-9 &&
	   fabs(z.objective - r.ladder[0].objective) < 1e-9, "... to the week as booked, not to the plan it was handed");
	master_sol_release(&a);
	master_sol_release(&b);
	master_sol_release(&z);
	master_free(m);
	cols_release(&c1);

	/* the listing's share of --time-limit (SV_LIST_SHARE, here so small
	 * that it is over after the first labels): the listing is cut and
	 * column generation takes over; in full, the same week is listed whole */
	{
		struct sv_options ot = o;
		ot.time_limit = 1000;
		ot.ladder = 0;
		ot.k = 1;
		struct sv_result t1, t2;
		int s1 = solve_propose(&fam.w, &ot, &t1, &fam.d);
		sv_test_limits(&(struct sv_test_limits){ .list_share = 1e-12 });
		int s2 = solve_propose(&fam.w, &ot, &t2, &fam.d);
		sv_test_limits(NULL);
		ok(s1 == 0 && !t1.cut && s2 == 0 && t2.cut && t2.n_props > 0 && t2.props[0].plan.n == t2.in.n,
		   "the listing's share of the time limit (SV_LIST_SHARE): past it, the listing is cut and a plan comes "
		   "from column generation (whole within it)");
		if (s1 == 0)
			sv_result_release(&t1);
		if (s2 == 0)
			sv_result_release(&t2);
	}

	/* column generation (forced by a small bound on labels), its pricing
	 * in threads: the same plans, bounds and columns for any number */
	struct sv_options og = o;
	og.max_labels = 25;
	og.threads = 1;
	struct sv_result g1, gn;
	is_int(solve_propose(&fam.w, &og, &g1, &fam.d), 0, "column generation in one thread");
	ok(g1.cut && g1.n_props > 0, "the listing was cut: column generation made the plans");
	for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
		og.threads = threads[t];
		is_int(solve_propose(&fam.w, &og, &gn, &fam.d), 0, "column generation in %d threads", threads[t]);
		int same = gn.n_props == g1.n_props && gn.n_ladder == g1.n_ladder && gn.columns == g1.columns;
		for (size_t k = 0; same && k < g1.n_props; k++)
			same = strcmp(gn.props[k].id, g1.props[k].id) == 0 && gn.props[k].gap == g1.props[k].gap &&
			       gn.props[k].objective == g1.props[k].objective;
		ok(same, "... gives the same proposals, gaps and number of columns");
		sv_result_release(&gn);
	}

	/* column generation's rounds per tier (SV_CG_ROUNDS, here 1): fewer
	 * day plans priced, and still a plan with every appointment */
	og.threads = 1;
	sv_test_limits(&(struct sv_test_limits){ .cg_rounds = 1 });
	int sc = solve_propose(&fam.w, &og, &gn, &fam.d);
	sv_test_limits(NULL);
	ok(sc == 0 && gn.columns < g1.columns && gn.n_props > 0 && gn.props[0].plan.n == gn.in.n &&
	   gn.props[0].objective >= g1.props[0].objective - 1e-9,
	   "column generation bound on rounds (SV_CG_ROUNDS, here 1): %zu day plans against %zu, and a plan",
	   sc == 0 ? gn.columns : 0, g1.columns);
	if (sc == 0)
		sv_result_release(&gn);
	sv_result_release(&g1);
	sv_result_release(&r);
	family_close(&fam);
	polish_bounds(argc > 1 ? argv[1] : ".");
	return tap_done();
}
