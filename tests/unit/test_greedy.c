/* test_greedy.c: the greedy baseline: valid, maximal, deterministic, the same as a plain re-implementation of its rule, never better than the optimum and strictly worse where looking ahead pays. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../solver/internal.h"   /* sv_cand_usable, as sv_greedy uses it */
#include "dovetail/solver.h"
#include "family.h"

#define VEVENT(uid, s, e, sum, loc) \
	"BEGIN:VEVENT\r\nUID:" uid "\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:" s "\r\nDTEND:" e \
	"\r\nSUMMARY:" sum "\r\nLOCATION:" loc "\r\nEND:VEVENT\r\n"
#define VCAL(body) "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n" body "END:VCALENDAR\r\n"

/* ---- family 1: test_propose.c's family (joint a+c, travel, rest, routines, daily limits) */
static const char f1_a[] = VCAL(VEVENT("a-1", "20261123T093000Z", "20261123T103000Z", "P-1 physio", "Clinic")
	"BEGIN:VEVENT\r\nUID:a-busy\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261124T090000Z\r\n"
	"DTEND:20261124T100000Z\r\nSUMMARY:Other client\r\nEND:VEVENT\r\n");
static const char f1_b[] = VCAL(VEVENT("b-1", "20261123T110000Z", "20261123T113000Z", "P-1 visit", "Home"));
static const char f1_c[] = VCAL(VEVENT("c-1", "20261124T100000Z", "20261124T103000Z", "P-1 salt", "Clinic"));
static const char f1_d[] = VCAL(VEVENT("d-1", "20261125T100000Z", "20261125T110000Z", "P-1 gp", "Surgery"));
static const char f1_profile[] = FAMILY_BRUTE_PROFILE;

/* ---- family 2: the trap. a (movable) comes first at home, and its own
 * best place is where it is; b, fixed, overlaps it. Greedy keeps a and
 * cannot place b; the optimum moves a (a few points) and keeps both. */
static const char f2_a[] = VCAL(VEVENT("a-1", "20261123T093000Z", "20261123T103000Z", "P-2 physio", "Home"));
static const char f2_b[] = VCAL(VEVENT("b-1", "20261123T100000Z", "20261123T110000Z", "P-2 gp", "Home"));
static const char f2_profile[] =
	"version: 1\n"
	"person: { id: P-2, timezone: Europe/London, home: home, day: \"09:00-13:00\", slot: 30 }\n"
	"venues:\n"
	"  - { id: home, kind: home }\n"
	"practitioners:\n"
	"  - { id: a, role: physiotherapist, feeds: [a.ics], window: { days: 1 } }\n"
	"  - { id: b, role: gp, feeds: [b.ics], movable: false }\n"
	"limits: { free_days: weekend }\n";

/* ---- family 3: a series (Monday and Wednesday at the clinic). Putting
 * the second beside the first on Monday saves a journey, and plan_check
 * allows it, but the master keeps occurrences of a series on different
 * days (half their spacing now, 2 days): so must the baseline. */
static const char f3_s[] = VCAL(
	"BEGIN:VEVENT\r\nUID:s-1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261123T093000Z\r\n"
	"DTEND:20261123T100000Z\r\nRRULE:FREQ=DAILY;INTERVAL=2;COUNT=2\r\nSUMMARY:P-3 salt\r\n"
	"LOCATION:Clinic\r\nEND:VEVENT\r\n");
static const char f3_profile[] =
	"version: 1\n"
	"person: { id: P-3, timezone: Europe/London, home: home, day: \"09:00-13:00\", slot: 30 }\n"
	"venues:\n"
	"  - { id: home, kind: home }\n"
	"  - { id: clinic, name: Clinic }\n"
	"travel: { matrix: [[home, clinic, 30, 2]] }\n"
	"practitioners:\n"
	"  - { id: s, role: therapist, feeds: [s.ics], window: { days: 2, same_week: true },\n"
	"      venues: [clinic] }\n"
	"limits: { free_days: weekend }\n"
	"preferences: { weights: { journeys: 50 } }\n";

/* ---- family 4: ties and a joint session. Moving is free, so every place
 * of a costs the same: a stays where it is (the lowest candidate wins a
 * tie). c, on Tuesday, may join a at the clinic on Monday in one visit
 * (joint_with): one journey fewer and a lower peak, so greedy takes it. */
static const char f4_a[] = VCAL(VEVENT("a-1", "20261123T093000Z", "20261123T100000Z", "P-4 physio", "Clinic"));
static const char f4_c[] = VCAL(VEVENT("c-1", "20261124T093000Z", "20261124T100000Z", "P-4 salt", "Clinic"));
static const char f4_profile[] =
	"version: 1\n"
	"person: { id: P-4, timezone: Europe/London, home: home, day: \"09:00-13:00\", slot: 30 }\n"
	"venues:\n"
	"  - { id: home, kind: home }\n"
	"  - { id: clinic, name: Clinic }\n"
	"travel: { matrix: [[home, clinic, 30, 2]] }\n"
	"practitioners:\n"
	"  - { id: a, role: physiotherapist, feeds: [a.ics], joint_with: [c], window: { days: 1 },\n"
	"      venues: [clinic] }\n"
	"  - { id: c, role: therapist, feeds: [c.ics], joint_with: [a], window: { days: 1 },\n"
	"      venues: [clinic] }\n"
	"limits: { free_days: weekend }\n"
	"preferences: { weights: { journeys: 50, change: 0, change_day: 0, change_venue: 0 } }\n";

static double plan_objective(const struct instance *in, const struct plan *pl)
{
	struct diag d;
	struct week mv;
	diag_init(&d);
	double obj = NAN;
	if (plan_week(in, pl, &mv, &d) == 0) {
		obj = sv_objective(in, pl, &mv);
		week_release(&mv);
	}
	diag_release(&d);
	return obj;
}

static int checks(const struct instance *in, const struct plan *pl)
{
	struct diag d;
	struct problems bad;
	diag_init(&d);
	int rc = plan_check(in, pl, &bad, &d);
	problems_release(&bad);
	diag_release(&d);
	return rc;
}

/* The rule written out plainly, with no prefilter and no shortcut: every
 * usable candidate through plan_check() and sv_objective(). For families
 * without a series (the spacing rule is then empty). */
static void reference(const struct instance *in, struct plan *pl)
{
	size_t order[SOLVER_MAX_APPTS];
	for (size_t i = 0; i < in->n; i++) {
		pl->at[i].day = -1;
		order[i] = i;
	}
	for (size_t x = 0; x < in->n; x++)       /* by current day, start, index */
		for (size_t y = x + 1; y < in->n; y++) {
			const struct placement *p = &in->a[order[x]].current, *q = &in->a[order[y]].current;
			if (q->day < p->day || (q->day == p->day && q->start < p->start) ||
			    (q->day == p->day && q->start == p->start && order[y] < order[x])) {
				size_t t = order[x];
				order[x] = order[y];
				order[y] = t;
			}
		}
	for (size_t r = 0; r < in->n; r++) {
		size_t i = order[r];
		double best = INFINITY;
		struct placement keep = { -1, -1, -1 };
		for (size_t c = 0; c < in->a[i].n_cand; c++) {
			if (!sv_cand_usable(in, i, c))
				continue;
			pl->at[i] = in->a[i].cand[c];
			if (checks(in, pl) != 1)
				continue;
			double obj = plan_objective(in, pl);
			if (obj < best - 1e-9) {   /* a tie keeps the lower index */
				best = obj;
				keep = in->a[i].cand[c];
			}
		}
		pl->at[i] = keep;
	}
}

/* No unplaced appointment could be added to the greedy plan as it ends. */
static int maximal(const struct instance *in, const struct plan *g)
{
	struct placement at[SOLVER_MAX_APPTS];
	struct plan pl = { at, in->n };
	memcpy(at, g->at, in->n * sizeof *at);
	for (size_t i = 0; i < in->n; i++) {
		if (at[i].day >= 0)
			continue;
		for (size_t c = 0; c < in->a[i].n_cand; c++) {
			if (!sv_cand_usable(in, i, c))
				continue;
			pl.at[i] = in->a[i].cand[c];
			if (checks(in, &pl) == 1) {
				printf("#   appointment %zu fits at candidate %zu\n", i, c);
				return 0;
			}
		}
		at[i].day = -1;
	}
	return 1;
}

static size_t placed(const struct plan *pl)
{
	size_t n = 0;
	for (size_t i = 0; i < pl->n; i++)
		n += pl->at[i].day >= 0;
	return n;
}

static double optimum(const struct week *w, size_t *unplaced, struct diag *d)
{
	struct sv_options o = { .k = 1, .max_changes = -1, .ladder = 0, .time_limit = 30 };
	struct sv_result r;
	double obj = NAN;
	if (solve_propose(w, &o, &r, d) == 0 && r.n_props) {
		obj = r.props[0].objective;
		*unplaced = r.props[0].n_unplaced;
	}
	sv_result_release(&r);
	return obj;
}

/* What holds of any family: the plan passes plan_check, is deterministic,
 * and is no better than the optimum. Returns the greedy objective. */
static double common(const char *name, struct family *fam, struct instance *in, struct plan *g)
{
	is_int(sv_greedy(in, g, &fam->d), 0, "%s: sv_greedy succeeds", name);
	is_int(g->n, in->n, "%s: it places each of the %zu appointments or leaves it out", name, in->n);
	is_int(checks(in, g), 1, "%s: plan_check accepts the greedy plan", name);
	struct plan g2 = { 0 };
	is_int(sv_greedy(in, &g2, &fam->d), 0, "%s: a second run succeeds", name);
	ok(g2.n == g->n && !memcmp(g2.at, g->at, g->n * sizeof *g->at), "%s: two runs give the same plan", name);
	free(g2.at);
	double gobj = plan_objective(in, g);
	size_t unplaced = 0;
	double best = optimum(&fam->w, &unplaced, &fam->d);
	printf("# %s: greedy places %zu of %zu, objective %.4f; optimum %.4f (%zu unplaced)\n", name,
	       placed(g), in->n, gobj, best, unplaced);
	ok(!isnan(best) && gobj >= best - 1e-6, "%s: greedy's objective is no better than the optimum's", name);
	return gobj - best;
}

int main(void)
{
	struct family fam;
	struct instance in;
	struct plan g = { 0 };

	/* ---- family 1 */
	static const char *const files1[] = { "a.ics", f1_a, "b.ics", f1_b, "c.ics", f1_c, "d.ics", f1_d, NULL };
	if (!ok(family_open(&fam, files1, f1_profile) == 0, "family 1 loads"))
		return tap_done();
	is_int(instance_build(&in, &fam.w, &fam.d), 0, "family 1: the instance builds");
	{
		/* the contract sv_greedy relies on: day -1 is left out, not invalid */
		struct placement none[SOLVER_MAX_APPTS];
		for (size_t i = 0; i < in.n; i++)
			none[i] = (struct placement){ -1, -1, -1 };
		struct plan empty = { none, in.n };
		is_int(checks(&in, &empty), 1, "plan_check accepts a plan with every appointment left out");
	}
	common("family 1", &fam, &in, &g);
	ok(maximal(&in, &g), "family 1: no appointment left out could still be placed");
	is_int(placed(&g), in.n, "family 1: greedy places all %zu appointments", in.n);
	struct placement ref_at[SOLVER_MAX_APPTS];
	struct plan ref = { ref_at, in.n };
	reference(&in, &ref);
	ok(!memcmp(ref.at, g.at, in.n * sizeof *g.at), "family 1: the same plan as the plain rule without prefilters");
	free(g.at);
	instance_release(&in);
	family_close(&fam);

	/* ---- family 2: strictly worse */
	static const char *const files2[] = { "a.ics", f2_a, "b.ics", f2_b, NULL };
	if (!ok(family_open(&fam, files2, f2_profile) == 0, "family 2 loads"))
		return tap_done();
	is_int(instance_build(&in, &fam.w, &fam.d), 0, "family 2: the instance builds");
	is_int(in.n, 2, "family 2: two appointments");
	double worse = common("family 2", &fam, &in, &g);
	ok(maximal(&in, &g), "family 2: no appointment left out could still be placed");
	ok(in.n == 2 && g.at[0].day == in.a[0].current.day && g.at[0].start == in.a[0].current.start,
	   "family 2: greedy keeps a where it is");
	ok(in.n == 2 && g.at[1].day < 0, "family 2: and so cannot place the fixed b");
	ok(worse > 1e-6, "family 2: greedy is strictly worse than the optimum (by %.4f)", worse);
	ref.n = in.n;
	reference(&in, &ref);
	ok(!memcmp(ref.at, g.at, in.n * sizeof *g.at), "family 2: the same plan as the plain rule without prefilters");
	free(g.at);
	instance_release(&in);
	family_close(&fam);

	/* ---- family 3: series spacing */
	static const char *const files3[] = { "s.ics", f3_s, NULL };
	if (!ok(family_open(&fam, files3, f3_profile) == 0, "family 3 loads"))
		return tap_done();
	is_int(instance_build(&in, &fam.w, &fam.d), 0, "family 3: the instance builds");
	is_int(in.n, 2, "family 3: two occurrences of one series");
	common("family 3", &fam, &in, &g);
	ok(in.n == 2 && g.at[0].day >= 0 && g.at[1].day >= 0 && g.at[0].day != g.at[1].day,
	   "family 3: both placed, on different days");
	/* plan_check alone would allow the second beside the first, and cheaper:
	 * the spacing rule is what keeps greedy from it */
	int beside = 0;
	for (size_t c = 0; in.n == 2 && c < in.a[1].n_cand && !beside; c++) {
		struct placement two[2] = { g.at[0], in.a[1].cand[c] };
		struct plan p2 = { two, 2 };
		beside = two[1].day == two[0].day && sv_cand_usable(&in, 1, c) && checks(&in, &p2) == 1 &&
			 plan_objective(&in, &p2) < plan_objective(&in, &g) - 1e-6;
	}
	ok(beside, "family 3: a cheaper same-day plan passes plan_check, which greedy did not take");
	free(g.at);
	instance_release(&in);
	family_close(&fam);

	/* ---- family 4: ties, and a joint session */
	static const char *const files4[] = { "a.ics", f4_a, "c.ics", f4_c, NULL };
	if (!ok(family_open(&fam, files4, f4_profile) == 0, "family 4 loads"))
		return tap_done();
	is_int(instance_build(&in, &fam.w, &fam.d), 0, "family 4: the instance builds");
	is_int(in.n, 2, "family 4: two appointments");
	common("family 4", &fam, &in, &g);
	ok(in.n == 2 && in.a[0].n_cand > 2 && !memcmp(&g.at[0], &in.a[0].current, sizeof g.at[0]),
	   "family 4: a stays where it is, though %zu places cost the same", in.n == 2 ? in.a[0].n_cand : 0);
	ok(in.n == 2 && g.at[1].day == g.at[0].day && g.at[1].start == g.at[0].start &&
	   g.at[1].venue == g.at[0].venue && g.at[1].venue >= 0, "family 4: c joins a in one visit");
	ref.n = in.n;
	reference(&in, &ref);
	ok(!memcmp(ref.at, g.at, in.n * sizeof *g.at), "family 4: the same plan as the plain rule without prefilters");
	free(g.at);
	instance_release(&in);
	family_close(&fam);
	return tap_done();
}
