/* capbound.h: where one person's session with a practitioner can start in
 * their plans within the fairness cap, narrowed by probes (solves with the
 * practitioner's time held), and how many such sessions fit apart: the
 * search behind `batch --prove-cap` (docs/batch.md, "Persons who must be
 * outside the cap"). Pure: the caller runs the probes. */
#ifndef DOVETAIL_CAPBOUND_H
#define DOVETAIL_CAPBOUND_H

#include <stddef.h>
#include <stdint.h>

#define CB_MAX_SESSIONS 16          /* sessions cb_most_apart weighs at once */

/* Starts lo .. hi, in seconds (inclusive). */
struct cb_range {
	int64_t lo, hi;
};

/* One session of length len that every plan within the cap puts so that
 * it meets [from, to): so it starts in (from - len, to). */
struct cb_session {
	int64_t from, to, len;
	int64_t grain;                /* a range this narrow is not halved again */
	size_t max_probes;            /* probes at most; the ranges left then count whole */
	size_t probes;
	struct cb_range *starts;      /* where it may start: disjoint, sorted once cb_next returns 0 */
	size_t n_starts, cap_starts;
	struct cb_range *todo;        /* ranges to probe next */
	size_t n_todo, cap_todo;
};

/* s for such a session (len > 0, from < to, grain >= 0, max_probes >= 1);
 * cb_release frees it. */
void cb_begin(struct cb_session *s, int64_t from, int64_t to, int64_t len, int64_t grain, size_t max_probes);
void cb_release(struct cb_session *s);

/* The ranges to probe now, into *out (malloc'd, the caller frees; NULL
 * when none): every range to probe, while the probes last; past
 * max_probes the rest count whole as starts. Returns how many; 0 when the
 * search is over (the starts then sorted). */
size_t cb_next(struct cb_session *s, struct cb_range **out);

/* The probe of r answered: within, a plan within the cap may start the
 * session in r (not proven otherwise); r is then a start range when it is
 * at most grain wide, else its two halves are probed next. */
void cb_answer(struct cb_session *s, struct cb_range r, int within);

/* The practitioner's busy time that makes the probe of r: the span any
 * start in (from - len, to) can reach, but for sessions starting in r, as
 * up to two intervals [busy[k][0], busy[k][1]). Returns how many. */
size_t cb_hold(const struct cb_session *s, struct cb_range r, int64_t busy[2][2]);

/* The most of the sessions s[0 .. n) (n <= CB_MAX_SESSIONS, their searches
 * over) that can each start in one of its starts with no two overlapping.
 * Exact: over subsets, each schedule in order of start. */
size_t cb_most_apart(const struct cb_session *const *s, size_t n);

#endif
