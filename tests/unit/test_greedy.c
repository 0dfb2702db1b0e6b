/* test_greedy.c: the greedy baseline: valid, every appointment kept, deterministic, the same as a plain re-implementation of its rule, never better than the optimum and strictly worse where looking ahead pays. */
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

/* ---- family 2: the trap. a (clinic, Monday 09:00) comes first; on its own
 * its best place is 11:00, the only preferred time. But b (clinic, Tuesday
 * 11:00) may come to Monday only at 11:00, which would save a journey.
 * Greedy moves a to 11:00 and so keeps b on Tuesday (two journeys); the
 * optimum leaves a and brings b to Monday (one journey). */
static const char f2_a[] = VCAL(VEVENT("a-1", "20261123T090000Z", "20261123T100000Z", "P-2 physio", "Clinic"));
static const char f2_b[] = VCAL(VEVENT("b-1", "20261124T110000Z", "20261124T120000Z", "P-2 gp", "Clinic"));
static const char f2_profile[] =
	"version: 1\n"
	"person: { id: P-2, timezone: Europe/London, home: home, day: \"09:00-13:00\", slot: 60 }\n"
	"venues:\n"
	"  - { id: home, kind: home }\n"
	"  - { id: clinic, name: Clinic }\n"
	"travel: { matrix: [[home, clinic, 30, 2]] }\n"
	"practitioners:\n"
	"  - { id: a, role: physiotherapist, feeds: [a.ics], window: { days: 0 } }\n"
	"  - { id: b, role: gp, feeds: [b.ics], window: { days: 1, times: [\"11:00-12:00\"] } }\n"
	"limits: { free_days: weekend }\n"
	"preferences:\n"
	"  preferred_times: [{ days: [mon], times: [\"11:00-12:00\"] }]\n"
	"  weights: { journeys: 50, change: 0, change_day: 0, change_venue: 0, preference: 2 }\n";

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

/* ---- family 4: ties and a joint session. Moving is free. a, first, may
 * join c at the clinic on Tuesday in one visit (joint_with): one journey
 * fewer and a lower peak, so greedy takes it; then every place of c that
 * keeps the visit costs the same, and c stays where it is (the lowest
 * candidate wins a tie). */
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

/* The tiers of a plan, whether plan_check accepts it or not. */
static struct sv_tiers plan_tiers(const struct instance *in, const struct plan *pl)
{
	struct diag d;
	struct week mv;
	struct problems ps;
	struct sv_tiers t = { 1 << 30, 0, 0 };
	diag_init(&d);
	if (plan_week(in, pl, &mv, &d) == 0) {
		if (check_week(&mv, &ps, &d) == 0)
			sv_plan_tiers(in, pl, &mv, &ps, &t, NULL, NULL, &d);
		problems_release(&ps);
		week_release(&mv);
	}
	diag_release(&d);
	return t;
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

/* The rule written out plainly, with no prefilter and no shortcut: from
 * the week as booked, every candidate through plan_check() and the tiers.
 * For families without a series (the spacing rule is then empty). */
static void reference(const struct instance *in, struct plan *pl)
{
	size_t order[64];
	for (size_t i = 0; i < in->n; i++) {
		pl->at[i] = in->a[i].current;
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
		struct sv_tiers best = { 1 << 30, 0, 0 };
		struct placement keep = in->a[i].current;
		for (size_t c = 0; c < in->a[i].n_cand; c++) {
			pl->at[i] = in->a[i].cand[c];
			if (checks(in, pl) != 1)
				continue;
			struct sv_tiers t = plan_tiers(in, pl);
			if (sv_tiers_cmp(&t, &best) < 0) {   /* a tie keeps the lower index */
				best = t;
				keep = in->a[i].cand[c];
			}
		}
		pl->at[i] = keep;
	}
}

static size_t placed(const struct plan *pl)
{
	size_t n = 0;
	for (size_t i = 0; i < pl->n; i++)
		n += pl->at[i].day >= 0;
	return n;
}

static struct sv_tiers optimum(const struct week *w, struct diag *d)
{
	struct sv_options o = { .k = 1, .max_changes = -1, .ladder = 0, .time_limit = 0 };
	struct sv_result r;
	struct sv_tiers t = { -1, 0, 0 };
	if (solve_propose(w, &o, &r, d) == 0 && r.n_props)
		t = (struct sv_tiers){ r.props[0].impossible, r.props[0].compromise, r.props[0].objective };
	sv_result_release(&r);
	return t;
}

/* What holds of any family: the plan passes plan_check, holds every
 * appointment, is deterministic, and is no better than the optimum.
 * Returns how greedy compares with the optimum (sv_tiers_cmp). */
static int common(const char *name, struct family *fam, struct instance *in, struct plan *g)
{
	is_int(sv_greedy(in, g, &fam->d), 0, "%s: sv_greedy succeeds", name);
	is_int(g->n, in->n, "%s: it places each of the %zu appointments", name, in->n);
	is_int(placed(g), in->n, "%s: nothing is left out", name);
	is_int(checks(in, g), 1, "%s: plan_check accepts the greedy plan", name);
	struct plan g2 = { 0 };
	is_int(sv_greedy(in, &g2, &fam->d), 0, "%s: a second run succeeds", name);
	ok(g2.n == g->n && !memcmp(g2.at, g->at, g->n * sizeof *g->at), "%s: two runs give the same plan", name);
	free(g2.at);
	struct sv_tiers gt = plan_tiers(in, g), best = optimum(&fam->w, &fam->d);
	printf("# %s: greedy (%d, %.4f, %.4f); optimum (%d, %.4f, %.4f)\n", name, gt.impossible,
	       gt.compromise, gt.cost, best.impossible, best.compromise, best.cost);
	int cmp = sv_tiers_cmp(&gt, &best);
	ok(best.impossible >= 0 && cmp >= 0, "%s: greedy is no better than the optimum", name);
	return cmp;
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
	is_int(instance_build(&in, &fam.w, 0, &fam.d), 0, "family 1: the instance builds");
	{
		/* the week as booked is always a plan */
		struct placement cur[64];
		for (size_t i = 0; i < in.n; i++)
			cur[i] = in.a[i].current;
		struct plan booked = { cur, in.n };
		is_int(checks(&in, &booked), 1, "plan_check accepts the week as booked");
	}
	common("family 1", &fam, &in, &g);
	struct placement ref_at[64];
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
	is_int(instance_build(&in, &fam.w, 0, &fam.d), 0, "family 2: the instance builds");
	is_int(in.n, 2, "family 2: two appointments");
	int worse = common("family 2", &fam, &in, &g);
	ok(in.n == 2 && g.at[0].day == 0 && g.at[0].start == 660, "family 2: greedy moves a to 11:00");
	ok(in.n == 2 && g.at[1].day == in.a[1].current.day, "family 2: and so b stays on Tuesday");
	ok(worse > 0, "family 2: greedy is strictly worse than the optimum");
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
	is_int(instance_build(&in, &fam.w, 0, &fam.d), 0, "family 3: the instance builds");
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
		struct sv_tiers t2 = plan_tiers(&in, &p2), tg = plan_tiers(&in, &g);
		beside = two[1].day == two[0].day && c > 0 && sv_tiers_cmp(&t2, &tg) < 0;
	}
	ok(beside, "family 3: a cheaper same-day plan passes plan_check, which greedy did not take");
	free(g.at);
	instance_release(&in);
	family_close(&fam);

	/* ---- family 4: ties, and a joint session */
	static const char *const files4[] = { "a.ics", f4_a, "c.ics", f4_c, NULL };
	if (!ok(family_open(&fam, files4, f4_profile) == 0, "family 4 loads"))
		return tap_done();
	is_int(instance_build(&in, &fam.w, 0, &fam.d), 0, "family 4: the instance builds");
	is_int(in.n, 2, "family 4: two appointments");
	common("family 4", &fam, &in, &g);
	ok(in.n == 2 && !memcmp(&g.at[1], &in.a[1].current, sizeof g.at[1]), "family 4: c stays where it is");
	ok(in.n == 2 && g.at[1].day == g.at[0].day && g.at[1].start == g.at[0].start &&
	   g.at[1].venue == g.at[0].venue && g.at[1].venue >= 0, "family 4: a joins c in one visit");
	ref.n = in.n;
	reference(&in, &ref);
	ok(!memcmp(ref.at, g.at, in.n * sizeof *g.at), "family 4: the same plan as the plain rule without prefilters");
	free(g.at);
	instance_release(&in);
	family_close(&fam);
	return tap_done();
}
