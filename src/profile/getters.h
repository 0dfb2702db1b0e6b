/* getters.h: what the profile's second pass shares between its files (private to src/profile/):
 * the reading context, the typed YAML getters (getters.c) and the travel section (travel.c). */
#ifndef DOVETAIL_PROFILE_GETTERS_H
#define DOVETAIL_PROFILE_GETTERS_H

#include <stddef.h>

#include "dovetail/diag.h"
#include "dovetail/profile.h"
#include "yaml.h"

/* Bounds on a profile (docs/profile.md, "Bounds"). */
#define MAX_VENUES 256
#define MAX_PRACS PROFILE_MAX_PRACS
#define MAX_ROUTINES 64
#define MAX_OVERRIDES 1024
#define MAX_FEEDS 16
#define MAX_LIST 256
#define MAX_MATRIX 65536

/* One profile being read: every error is added to d and counted in errors;
 * the profile loads only when errors stays 0. */
struct ctx {
	const char *file;
	struct diag *d;
	int errors;
	struct profile *p;
};

/* ---- getters.c ----
 * Each getter checks node n (named `where` in messages, "venues[2].at")
 * and, on success, stores into *out and returns 0. On a fault it adds one
 * error at n's line and column, counts it, leaves *out alone and returns -1.
 * What is stored is owned by the profile; the text and list getters free
 * the value *out held before (pf_get_path does not: its *out starts empty). */

/* Add error code at n's position (n may be NULL) and count it. */
void pf_err(struct ctx *c, const struct ynode *n, enum diag_code code,
	    const char *a, const char *b, const char *e);
/* n's text when it looks like an id, else a placeholder (never file text). */
const char *pf_shown_id(const struct ynode *n);
/* Check mapping m's keys against allowed (NULL-terminated). */
void pf_check_keys(struct ctx *c, const struct ynode *m, const char *where,
		   const char *const *allowed);
/* The value of key in mapping m, or NULL (also when m is not a mapping). */
const struct ynode *pf_get(const struct ynode *m, const char *key);
/* The key node of key in mapping m (for its position), or NULL. */
const struct ynode *pf_key_of(const struct ynode *m, const char *key);
/* pf_get, with D_PROF_MISSING when the key is absent. */
const struct ynode *pf_need(struct ctx *c, const struct ynode *m, const char *key, const char *where);
/* 0 when n has type t (a scalar must not be empty), else D_PROF_TYPE and -1. */
int pf_want(struct ctx *c, const struct ynode *n, enum yt_type t, const char *where);
/* "where.key" and "where[i]" into buf of sz bytes; return buf. */
const char *pf_sub(char *buf, size_t sz, const char *where, const char *key);
const char *pf_item(char *buf, size_t sz, const char *where, size_t i);

int pf_get_text(struct ctx *c, const struct ynode *n, const char *where, char **out);
int pf_get_id(struct ctx *c, const struct ynode *n, const char *where, char **out);
int pf_get_int(struct ctx *c, const struct ynode *n, const char *where, long lo, long hi, int *out);
int pf_get_num(struct ctx *c, const struct ynode *n, const char *where, double lo, double hi, double *out);
int pf_get_address(struct ctx *c, const struct ynode *n, const char *where, char **out);
int pf_get_bool(struct ctx *c, const struct ynode *n, const char *where, int *out);
/* Index into names (NULL-terminated, matched without case). */
int pf_get_enum(struct ctx *c, const struct ynode *n, const char *where,
		const char *const *names, int *out);
/* HH:MM-HH:MM, from before to, in minutes after midnight. */
int pf_get_range(struct ctx *c, const struct ynode *n, const char *where, struct prof_range *out);
/* A day word or a list of them, as WD_* bits. */
int pf_get_days(struct ctx *c, const struct ynode *n, const char *where, unsigned *out);
/* A list of at most max scalars (one scalar is a list of one); *out points
 * into the tree (or a static slot), not owned. */
int pf_seq_of(struct ctx *c, const struct ynode *n, const char *where, size_t max,
	      const struct ynode ***out, size_t *count);
int pf_get_ranges(struct ctx *c, const struct ynode *n, const char *where,
		  struct prof_range **out, size_t *count);
/* Venue ids into indices; the venues must already be read. */
int pf_get_venue_list(struct ctx *c, const struct ynode *n, const char *where, struct idx_list *out);
/* A feed URL (without credentials) or a readable regular file, relative
 * to the profile's directory. */
int pf_get_path(struct ctx *c, const struct ynode *n, const char *where, struct prof_path *out);
/* A notice period: "N working day(s)", "N day(s)", "N hour(s)" or 0. */
int pf_get_notice(struct ctx *c, const struct ynode *n, const char *where, struct prof_notice *out);
/* A window mapping (days, same_week, weekdays, times) into *w, defaults first. */
void pf_read_window(struct ctx *c, const struct ynode *n, const char *where, struct prof_window *w);

/* ---- travel.c ---- */

/* The travel modes' names, in enum travel_mode order, NULL-terminated. */
extern const char *const pf_travel_modes[TM__COUNT + 1];
/* The `travel:` section (n may be NULL): fills p->travel_min and
 * p->travel_cost for every venue pair; the venues must already be read. */
void pf_read_travel(struct ctx *c, const struct ynode *n);

#endif
