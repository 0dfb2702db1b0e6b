/* objective.h: what a week is worth, read from the week and its problems alone: the tier of each problem kind, the three tiers compared, the compromises and their sizes, the totals (solver/objective.c). The solver optimises these; the report shows them. */
#ifndef DOVETAIL_OBJECTIVE_H
#define DOVETAIL_OBJECTIVE_H

#include <stddef.h>

#include "dovetail/check.h"
#include "dovetail/week.h"

/* The tier of a problem kind (docs/propose.md, "Three tiers"): 1 impossible
 * (overlap, double-booked, travel), 2 a compromise (the person's own rules),
 * 0 neither (unknown-venue, repeat-journey, scattered-day: costs or notes). */
int plan_kind_tier(enum problem_kind k);

/* The three tiers of a plan, compared in order (lexicographically). */
struct sv_tiers {
	int impossible;           /* tier 1: overlap, double-booked and travel problems */
	double compromise;        /* tier 2: sum of size x penalty of each compromise */
	double cost;              /* tier 3: the weighted objective */
};

/* -1, 0 or 1 as a is better than, as good as, or worse than b (tier 2 and
 * 3 within 1e-6 relative count as equal). */
int sv_tiers_cmp(const struct sv_tiers *a, const struct sv_tiers *b);

/* One compromise of a plan's week: a problem of a tier-2 kind, its size in
 * its unit (minutes, points, people, appointments, routines) and its
 * penalty (size x the profile's weight for the kind). */
struct sv_compromise {
	enum problem_kind kind;
	int day;                  /* day index (for a week-wide one, the week's first day) */
	int week_wide;
	double size, penalty;
	const char *unit;         /* static */
	char text[320];           /* check's message, with the size */
};

/* The size of problem x of week w when it is a compromise, in its unit
 * (*unit static), and the profile's penalty per unit; 0 otherwise. */
double sv_compromise_size(const struct week *w, const struct problem *x, const char **unit,
			  double *weight);

/* The compromises of week w with its problems ps (check_week), in ps's
 * order, into *out (malloc'd; free with free()) and *n: their penalties
 * sum to the week's tier 2. Returns 0, or -1 when out of memory (d filled;
 * *out NULL, *n 0). */
int sv_week_compromises(const struct week *w, const struct problems *ps, struct sv_compromise **out,
			size_t *n, struct diag *d);

/* What propose reports for a week, before or after (docs/propose.md). */
struct sv_totals {
	int journeys, travel_min;
	double travel_cost;
	int clashes;              /* overlaps, double bookings and no-carer */
	int routine_conflicts;
	double peak_energy;
	int *unfamiliar;          /* owned: unfamiliar people met, per day */
	int unfamiliar_max;
	int changes;
	int placed;               /* appointments in the week */
	int impossible;           /* tier 1 of the week */
	double compromise;        /* tier 2 of the week */
};

/* The totals of week w with its problems ps (check_week). Returns 0 (it
 * cannot fail; the int is kept for callers); free with sv_totals_release
 * (NULL-safe inside). */
int sv_week_totals(const struct week *w, const struct problems *ps, struct sv_totals *t);
void sv_totals_release(struct sv_totals *t);

#endif
