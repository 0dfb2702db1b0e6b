/* family.h: a small family for the unit tests: feeds and a profile written
 * to a temp dir, loaded, imported into a fresh store, and read as the week
 * of Monday 2026-11-23 (London is on GMT then, so local = UTC). */
#ifndef DOVETAIL_TEST_FAMILY_H
#define DOVETAIL_TEST_FAMILY_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/person.h"
#include "dovetail/store.h"
#include "dovetail/week.h"
#include "tap.h"

struct family {
	char dir[64];
	struct ics_limits lim;
	struct diag d;
	struct profile *p;
	struct store *s;
	struct week w;
};

static inline void family_write(const struct family *f, const char *name, const char *text)
{
	char path[300];
	snprintf(path, sizeof path, "%s/%s", f->dir, name);
	FILE *fp = fopen(path, "w");
	if (!fp || fputs(text, fp) < 0 || fclose(fp) != 0)
		abort();
}

/* files: NULL-terminated pairs of name and text; the profile is p.yaml.
 * Returns 0, or -1 after printing the diagnostics as TAP comments. */
/* The person of the profile at path, as every command opens them: its
 * feeds imported into a fresh store at db (*s), the week of now. Returns
 * 0 (release with person_release and store_close), or -1 with what went
 * wrong printed as TAP comments (nothing to release). */
static inline int family_person_open(const char *path, const char *db, int64_t now, struct person *pw,
				     struct store **s)
{
	static struct ics_limits lim;
	ics_limits_default(&lim);
	struct diag d;
	diag_init(&d);
	struct profile *p = NULL;
	*s = NULL;
	int rc = profile_load(&p, path, &d);
	if (rc == 0)
		rc = store_open(s, db, 0, &d);
	if (rc == 0) {
		struct person_opts po = { now, PERSON_DEFAULT_DATE, PERSON_DEFAULT_DATE, &lim, 0 };
		rc = person_open(pw, p, *s, &po, &d);   /* the person owns p from here */
	} else {
		profile_free(p);
	}
	if (rc < 0) {
		store_close(*s);
		*s = NULL;
		for (size_t i = 0; i < d.n; i++)
			printf("#   %s:%d:%d %s\n", d.v[i].file ? d.v[i].file : "-", d.v[i].line, d.v[i].col,
			       d.v[i].msg);
	}
	diag_release(&d);
	return rc;
}

static inline int family_open(struct family *f, const char *const *files, const char *profile)
{
	memset(f, 0, sizeof *f);
	strcpy(f->dir, "/tmp/dovetail-test-family.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	ics_limits_default(&f->lim);
	diag_init(&f->d);
	for (size_t i = 0; files[i]; i += 2)
		family_write(f, files[i], files[i + 1]);
	family_write(f, "p.yaml", profile);
	char path[300];
	snprintf(path, sizeof path, "%s/p.yaml", f->dir);
	int rc = profile_load(&f->p, path, &f->d);
	snprintf(path, sizeof path, "%s/s.db", f->dir);
	if (rc == 0)
		rc = store_open(&f->s, path, 0, &f->d);
	/* the person as every command opens them (dovetail/person.h): the
	 * feeds imported, the week of Monday 2026-11-23 read */
	int64_t mon = days_from_civil(2026, 11, 23);
	if (rc == 0) {
		struct person pw;
		struct person_opts po = { mon * 86400, PERSON_DEFAULT_DATE, PERSON_DEFAULT_DATE, &f->lim, 0 };
		rc = person_open(&pw, f->p, f->s, &po, &f->d);
		f->w = pw.week;   /* the profile stays f->p, freed by family_close */
	}
	if (rc < 0)
		for (size_t i = 0; i < f->d.n; i++)
			printf("#   %s:%d:%d %s\n", f->d.v[i].file ? f->d.v[i].file : "-", f->d.v[i].line,
			       f->d.v[i].col, f->d.v[i].msg);
	return rc;
}

static inline void family_close(struct family *f)
{
	week_release(&f->w);
	store_close(f->s);
	profile_free(f->p);
	diag_release(&f->d);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		abort();
}

/* The brute-force family (tests/unit/test_propose.c, test_greedy.c): four
 * appointments a, b, c, d on Monday-Wednesday, a and c may meet jointly at
 * the clinic, b is a home visit, d is fixed; travel, rest, a home nap and
 * daily limits. Its feeds are written by each test. */
#define FAMILY_BRUTE_PROFILE \
	"version: 1\n" \
	"person: { id: P-1, timezone: Europe/London, home: home, day: \"09:00-13:00\", slot: 30 }\n" \
	"energy: { budget: 3 }\n" \
	"venues:\n" \
	"  - { id: home, kind: home }\n" \
	"  - { id: clinic, name: Clinic }\n" \
	"  - { id: surgery, name: Surgery }\n" \
	"travel: { matrix: [[home, clinic, 30, 2], [home, surgery, 20, 1], [clinic, surgery, 30, 2]] }\n" \
	"practitioners:\n" \
	"  - { id: a, role: physiotherapist, feeds: [a.ics], match: { text: P-1 }, joint_with: [c],\n" \
	"      window: { days: 2, same_week: true }, venues: [clinic] }\n" \
	"  - { id: b, role: nurse, feeds: [b.ics], window: { days: 1 }, familiar: true }\n" \
	"  - { id: c, role: therapist, feeds: [c.ics], joint_with: [a], window: { days: 1 } }\n" \
	"  - { id: d, role: gp, feeds: [d.ics], movable: false }\n" \
	"routines:\n" \
	"  - { id: snack, kind: meal, duration: 30, start: [\"10:00-11:30\"], place: anywhere }\n" \
	"  - { id: nap, kind: sleep, duration: 60, start: [\"11:30-12:00\"], place: home, days: weekdays }\n" \
	"limits: { free_days: weekend, max_appointments_per_day: 2, max_time_out_per_day: 150,\n" \
	"          min_rest_between: 30 }\n" \
	"preferences: { weights: { journeys: 50 } }\n"

#endif
