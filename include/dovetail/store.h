/* store.h: the SQLite store: opening it safely, importing feeds, reading events. */
#ifndef DOVETAIL_STORE_H
#define DOVETAIL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <libical/ical.h>

#include "dovetail/diag.h"
#include "dovetail/ics.h"

struct store;

/* The schema version this build writes (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 2

/*
 * The default database path: $XDG_DATA_HOME/dovetail/dovetail.db, else
 * $HOME/.local/share/dovetail/dovetail.db. Written into buf; NULL if
 * neither variable is set.
 */
const char *store_default_path(char *buf, size_t bufsz);

/*
 * Open (creating with mode 0600 if absent) the database at path, and bring
 * its schema up to date. A file, -wal or -shm that group or others can
 * access is refused. The connection runs in WAL mode with foreign keys,
 * secure_delete, SQLITE_DBCONFIG_DEFENSIVE and trusted_schema off.
 * When create_dir is set, a missing parent directory is made with mode 0700.
 * Returns 0 and *out (free with store_close), or -1 with d filled.
 */
int store_open(struct store **out, const char *path, int create_dir, struct diag *d);
void store_close(struct store *s);   /* NULL-safe */

struct import_opts {
	const char *source;       /* the feed's identity: absolute path or a name */
	const char *practitioner; /* practitioner id, or NULL */
	int keep_going;           /* import the valid events of a feed with errors */
	int64_t from, to;         /* expansion window, UTC seconds */
	icaltimezone *zone;       /* where floating times and dates are read */
	const char *zone_name;
	int64_t now;              /* UTC seconds, recorded as imported_at */
	const struct ics_limits *lim;
};

struct import_report {
	size_t added, updated, unchanged, cancelled, removed, skipped;
	size_t occurrences;       /* stored for the feed after the import */
	int same_bytes;           /* the feed's bytes were already imported */
	int rejected;             /* nothing was written */
};

/*
 * Import feed f (already read; d holds the reports of this feed only, as
 * any error in it rejects the feed unless keep_going) as one
 * transaction. A feed with errors writes nothing unless keep_going; then
 * each event with an error is skipped and listed. Events are upserted by
 * (feed, UID, RECURRENCE-ID): a higher SEQUENCE wins; STATUS:CANCELLED
 * removes an event's occurrences; events no longer in the feed are
 * removed. Re-importing the same bytes writes nothing.
 * Returns 0 (the report filled), or -1 (rejected or failed; nothing written).
 */
int store_import(struct store *s, struct ics_feed *f, const struct import_opts *o,
		 struct import_report *r, struct diag *d);

/*
 * Read the feed at path ("-" for standard input; named `shown` in
 * diagnostics), bounded by lim, and import it with store_import(); as there,
 * d should hold this feed's reports only. Returns store_import's value, or
 * -1 when the file cannot be read (D_IO_*, nothing written).
 */
int store_import_file(struct store *s, const char *path, const char *shown,
		      const struct ics_limits *lim, const struct import_opts *o,
		      struct import_report *r, struct diag *d);

/* One stored occurrence, as listed by store_each_occurrence. */
struct store_occ {
	int64_t start, end;       /* UTC seconds */
	int all_day, busy, tentative;
	const char *uid, *rid;    /* rid "" for a single event */
	const char *summary, *location, *status;  /* may be NULL */
	const char *practitioner, *source;
	const char *kind;         /* "event" or "freebusy" */
	const char *description, *categories, *attendees; /* may be NULL */
	int transparent;
};

/* Call fn for each stored occurrence overlapping [from, to), ordered by
 * start, end, uid. Stops early when fn returns non-zero. Returns 0 or -1. */
int store_each_occurrence(struct store *s, int64_t from, int64_t to,
			  int (*fn)(const struct store_occ *, void *), void *arg,
			  struct diag *d);

#endif
