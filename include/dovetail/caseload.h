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

#endif
