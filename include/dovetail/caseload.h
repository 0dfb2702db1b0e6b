/* caseload.h: a caseload: the persons a service supports and the practitioners they share (docs/batch.md). */
#ifndef DOVETAIL_CASELOAD_H
#define DOVETAIL_CASELOAD_H

#include <stddef.h>
#include <stdint.h>

#include "dovetail/diag.h"

/* Bounds on a caseload file (docs/limits.md). */
#define CASELOAD_MAX_FILE (32 * 1024 * 1024)
#define CASELOAD_MAX_EVENTS 4000000L
#define CASELOAD_MAX_PERSONS 200000
#define CASELOAD_MAX_PRACS 50000

/* A practitioner several persons share: the id their profiles give them. */
struct cl_practitioner {
	char *id;                 /* owned */
	char **feeds;             /* owned: canonical paths (as a profile's feed source) */
	size_t n_feeds;
	int line, col;
};

struct cl_person {
	char *id;                 /* owned: must equal the profile's person.id */
	char *profile;            /* owned: resolved from the caseload's folder */
	char *given;              /* owned: as the caseload writes it (relative to dir) */
	int line, col;
};

struct caseload {
	char *path;               /* owned: as given */
	char *dir;                /* owned: its folder, as given */
	char digest[65];          /* SHA-256 of the file's bytes */
	struct cl_practitioner *pracs;
	size_t n_pracs;
	struct cl_person *persons;  /* sorted by id (the batch's order) */
	size_t n_persons;
};

/*
 * Load and check the caseload at path (YAML, strict like a profile:
 * unknown keys, wrong types, duplicate ids are errors at FILE:LINE:COL,
 * exit 65). The persons' profiles are not read here: a broken one is that
 * person's problem, reported when the batch reaches them. Returns 0 and
 * *out (free with caseload_free), or -1 with d filled.
 */
int caseload_load(struct caseload **out, const char *path, struct diag *d);
/* The same from text already in memory (for tests and fuzzing). */
int caseload_load_text(struct caseload **out, const char *path, const char *text, size_t len,
		       struct diag *d);
void caseload_free(struct caseload *c);   /* NULL-safe */

/* Index of the shared practitioner with this id, or -1. */
int caseload_prac_index(const struct caseload *c, const char *id);

/* Index of the person with this id in c->persons, or -1. */
long caseload_person_index(const struct caseload *c, const char *id);

/* The shard (0 .. n-1) of a person: a stable hash of the id, mod n. The
 * same for every run, machine and build. */
unsigned caseload_shard_of(const char *person_id, unsigned n);

/* ---- graph.c: the sharing graph (docs/batch.md, "The sharing graph") ----- */

/* A shared key: a practitioner id (1 to 64 of A-Z a-z 0-9 . _ -) or a
 * carer key (CL_CARER_PREFIX and 64 hex digits), with its NUL. */
#define CL_KEY_MAX 72
#define CL_CARER_PREFIX "carer:"
/* Bound on the shard count: batch --shard I/N and --shard-from-env take N
 * up to it, and cl_graph_shard_of takes it (--shard-by component). */
#define CL_GRAPH_MAX_SHARDS 100000u

/* The key under which persons share a carer: "carer:" and the SHA-256 of
 * the carer feed's source (prof_path.source: its canonical path or URL),
 * in lower-case hex, into out (70 characters and a NUL). No practitioner
 * id (no ':' in one) can equal it, and no path goes in the store. */
void caseload_carer_key(const char *source, char out[CL_KEY_MAX]);

/*
 * Who shares whom: persons are linked when they share a key, and a
 * component is a set of persons linked directly or through others. Two
 * persons in different components share no practitioner and no carer, so
 * they may be solved, sharded and repaired apart.
 *
 * A person's keys (ascending by strcmp, each once):
 *  - the id of each practitioner its profile names that the caseload lists
 *    (caseload_prac_index >= 0) or that another person's profile also names
 *    (the family's own calendar, `family:`, never: it is the person's own);
 *  - caseload_carer_key of each feed of each of its carers.
 * A person whose profile does not load, or whose person.id is not the
 * caseload's id for it, has no keys: a singleton (the batch reports it
 * when it reaches that person).
 */
struct cl_graph {
	size_t n_persons;         /* = the caseload's n_persons; person i is cl->persons[i] */
	char **keys;              /* owned: every key of any person, ascending (strcmp), unique */
	size_t n_keys;
	size_t *key_start;        /* owned, n_persons + 1 entries: person i's keys are */
	uint32_t *key_idx;        /*   key_idx[key_start[i] .. key_start[i + 1]), ascending */
	unsigned char *loaded;    /* owned, per person: 1 when its profile loaded (and its id matched) */
	size_t *comp;             /* owned, per person: its component, 0 .. n_comps - 1 */
	size_t n_comps;
	size_t *comp_size;        /* owned, per component: how many persons */
	size_t *comp_first;       /* owned, per component: its smallest person index; components
				     are numbered so that comp_first ascends (comp_first[0] = 0) */
	size_t *comp_order;       /* owned: the components by size descending, then comp_first
				     ascending (the order shards take them in) */
	unsigned shard_n;         /* 0, or the n cl_graph_plan_shards last planned for */
	unsigned *comp_shard;     /* owned, per component, when shard_n: its shard */
};

/*
 * Read every person's profile (through profile_load: its YAML and the
 * files it names must be there; no feed's content is read) and build the
 * sharing graph of caseload cl. in_dir: files are named in diagnostics as
 * the caseload writes them (cl_person.given, for a process that runs in the
 * caseload's folder, as the batch's workers do); else by cl_person.profile.
 * Profiles are always read by cl_person.profile. jobs: worker processes
 * that read them (pool.h, at most POOL_MAX_JOBS; <= 1, or when none can be
 * started: this process alone); the graph and what is reported are the
 * same for any jobs.
 *
 * A person whose profile does not load is a singleton: nothing about it is
 * reported here. What is an error of the whole caseload (D_CASELOAD_FEEDS,
 * exit 65), at the profile's practitioner (its `feeds` key, else its
 * entry): a practitioner that is a key of two or more persons, or that the
 * caseload lists with feeds, named with another set of feed sources than
 * the truth: the caseload's `feeds` for it when given, else those of the
 * first person in id order that names it. Every such profile is reported.
 *
 * Returns 0 and *out (free with cl_graph_free), or -1 with d filled and
 * *out NULL. Deterministic: the same caseload and files give the same graph.
 * Bounds: at most CASELOAD_MAX_PERSONS persons, each with at most 64
 * practitioners and 16 carers of 16 feeds (the profile's bounds).
 */
int caseload_scan(const struct caseload *cl, int in_dir, int jobs, struct cl_graph **out, struct diag *d);
void cl_graph_free(struct cl_graph *g);   /* NULL-safe */

/* Index of key in g->keys, or -1. */
long cl_graph_key_index(const struct cl_graph *g, const char *key);

/*
 * Shards of whole components: the components, in g->comp_order, each go to
 * the shard with the fewest persons so far (ties: the lowest shard). The
 * same on every machine and build. n: 1 .. CL_GRAPH_MAX_SHARDS.
 * cl_graph_plan_shards computes it once for n (O(components log n)) and
 * keeps it in g; returns 0 (running out of memory ends the process, xalloc.h).
 * cl_graph_shard_of is then O(1) for that n; for another n it computes the
 * plan for the one call.
 */
int cl_graph_plan_shards(struct cl_graph *g, unsigned n, struct diag *d);
unsigned cl_graph_shard_of(const struct cl_graph *g, size_t person, unsigned n);

#endif
