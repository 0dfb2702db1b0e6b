/* store.h: the SQLite store: opening it safely, importing feeds, reading events, keeping proposals. */
#ifndef DOVETAIL_STORE_H
#define DOVETAIL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <libical/ical.h>

#include "dovetail/diag.h"
#include "dovetail/ics.h"
#include "dovetail/plan.h"

struct store;

/* The schema version this build writes (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 15
/* An occurrence longer than this many days has its end converted at its
 * start's offset when imported (store/import.c, docs/limits.md). */
#define IMPORT_LONG_OCCURRENCE_DAYS 366

/*
 * The default database path: $XDG_DATA_HOME/dovetail/dovetail.db, else
 * $HOME/.local/share/dovetail/dovetail.db. Written into buf; NULL if
 * neither variable is set.
 */
const char *store_default_path(char *buf, size_t bufsz);

/*
 * Open (creating with mode 0600 if absent) the database at path, and bring
 * its schema up to date. A file, -wal or -shm that group or others can
 * access (D_STORE_PERM), that is not a regular file (D_STORE_NOT_FILE, a
 * symbolic link too), or that belongs to another user (D_STORE_OWNER, so
 * root too) is refused (store_check_file). The connection runs in WAL mode with foreign keys,
 * secure_delete, SQLITE_DBCONFIG_DEFENSIVE and trusted_schema off.
 * When create_dir is set, a missing parent directory is made with mode 0700.
 * Returns 0 and *out (free with store_close), or -1 with d filled.
 */
int store_open(struct store **out, const char *path, int create_dir, struct diag *d);
/* The checks store_open makes of path and its -wal, -shm and -journal;
 * *exists says whether path is there. Returns 0, or -1 with d filled. */
int store_check_file(const char *path, int *exists, struct diag *d);
void store_close(struct store *s);   /* NULL-safe */

struct import_opts {
	const char *source;       /* the feed's identity: absolute path or a name */
	const char *practitioner; /* practitioner id, or NULL */
	int keep_going;           /* import the valid events of a feed with errors */
	int offer_keep_going;     /* a rejection says that --keep-going would import the
				     valid events (the import command, which has it) */
	int64_t from, to;         /* expansion window, UTC seconds */
	icaltimezone *zone;       /* where floating times and dates are read */
	const char *zone_name;
	int64_t now;              /* UTC seconds, recorded as imported_at */
	const struct ics_limits *lim;
	int trust_same;           /* import_file: when the store holds these very
				     bytes of the feed (store_feed_has_bytes), read
				     nothing more: IMPORT_OK with r->same_bytes, and
				     the feed's warnings are not given again (the
				     batch's workers, which keep none of them) */
};

struct import_report {
	size_t added, updated, unchanged, cancelled, removed, skipped;
	size_t occurrences;       /* stored for the feed after the import */
	int same_bytes;           /* the feed's bytes were already imported */
	int rejected;             /* nothing was written */
};

/* What became of a feed given to store_import(), import_file() or
 * import_url() (import.h): the callers say what happened from this, never
 * from d.
 * Anything but IMPORT_OK wrote nothing (r->rejected is set). */
enum import_status {
	IMPORT_OK = 0,            /* imported, or found unchanged (r says which) */
	IMPORT_REJECTED = -1,     /* the feed has errors (and not keep_going), is
				     unusable, or is an iTIP message */
	IMPORT_FAILED = -2,       /* the store failed (D_STORE_*, D_INTERNAL) */
	IMPORT_UNREADABLE = -3,   /* the file cannot be read (D_IO_*; import_file) */
	IMPORT_NOT_FETCHED = -4,  /* the URL was not fetched: refused, failed, too
				     big, past the deadline (D_NET_*; import_url) */
};

/*
 * Whether the store holds the feed o->source with the bytes whose SHA-256
 * is sha256_hex, imported with o's window, zone and practitioner (so that
 * importing those bytes again would write nothing): 1 with *events, the
 * events stored for it; 0; or -1 with d filled. Reads only.
 */
int store_feed_has_bytes(struct store *s, const struct import_opts *o, const char *sha256_hex,
			 size_t *events, struct diag *d);

/*
 * Import feed f (already read by ics_read) as one transaction. A feed with
 * errors (f->errors, f->fatal, or found expanding it) writes nothing unless
 * keep_going; then each event with an error is skipped and listed. Events
 * are upserted by (feed, UID, RECURRENCE-ID): a higher SEQUENCE wins;
 * STATUS:CANCELLED removes an event's occurrences; events no longer in the
 * feed are removed. Re-importing the same bytes writes nothing. d receives
 * the reports of the import; it may hold anything before. A component
 * whose stored SEQUENCE is higher is kept as stored (D_IMP_STALE) with the
 * occurrences stored for it; store_import_held() expands it again.
 * Returns IMPORT_OK (the report filled), IMPORT_REJECTED or IMPORT_FAILED.
 */
enum import_status store_import(struct store *s, struct ics_feed *f, const struct import_opts *o,
				struct import_report *r, struct diag *d);

/*
 * The bytes of f as the store will hold them after store_import(): f's,
 * with each component whose stored SEQUENCE (in the feed o->source) is
 * higher than f's replaced by the stored text. The store never parses
 * them: the caller reads them (ics_read) and gives the result to
 * store_import_held(). Reads only. Returns 1 with *held (malloc'd text),
 * 0 when no component of f is stale (held untouched), -1 with d filled.
 */
int store_held_bytes(struct store *s, const struct ics_feed *f, const struct import_opts *o,
		     struct bytes *held, struct diag *d);

/*
 * store_import() with held, f as the store will hold it (read by the
 * caller from store_held_bytes()), whose stale components' occurrences
 * are stored: the stored versions expanded over o's window. held is
 * marked (bad) and expanded. If the stored events changed since
 * store_held_bytes(), nothing is written (IMPORT_FAILED, D_INTERNAL).
 * With held NULL, as store_import(): a stale event keeps the occurrences
 * stored for it.
 */
enum import_status store_import_held(struct store *s, struct ics_feed *f, struct ics_feed *held,
				     const struct import_opts *o, struct import_report *r,
				     struct diag *d);

/* One stored occurrence, as listed by store_each_occurrence. */
struct store_occ {
	int64_t start, end;       /* UTC seconds */
	int all_day, busy, tentative;
	const char *uid, *rid;    /* rid "" for a single event */
	const char *summary, *location, *status;  /* may be NULL */
	const char *practitioner, *source;
	const char *kind;         /* "event" or "freebusy" */
	const char *description, *categories, *attendees; /* may be NULL */
	const char *organizer;    /* the ORGANIZER address, or NULL */
	int transparent;
	int sequence;             /* the event's SEQUENCE */
};

/* Call fn for each stored occurrence overlapping [from, to), ordered by
 * start, end, uid. Stops early when fn returns non-zero. Returns 0 or -1. */
int store_each_occurrence(struct store *s, int64_t from, int64_t to,
			  int (*fn)(const struct store_occ *, void *), void *arg,
			  struct diag *d);
/* The same for the feeds with these sources only (the same order). */
int store_each_occurrence_in(struct store *s, const char *const *sources, size_t n_sources,
			     int64_t from, int64_t to, int (*fn)(const struct store_occ *, void *),
			     void *arg, struct diag *d);

/* ---- proposals (src/store/proposals.c) ------------------------------------
 *
 * What `propose` printed, kept so that a later command can review, accept or
 * reject it. The store knows nothing of the solver: the front end copies its
 * result into these plain structs. Tables and columns: docs/propose.md,
 * "Stored proposals".
 */

#define STORE_MAX_CHANGES 2048     /* changes of one proposal decided together: a horizon's appointments (SOLVER_MAX_APPTS) */
#define STORE_MAX_JOINT 8         /* partners of one change: its joint session, and the changes it makes room for or that make room for it */

/* One change of a proposal; its position in the printed list is its
 * seq, 1-based (the JSON change id is PROPOSAL-ID "-" seq). */
struct store_change {
	struct change ch;         /* the change itself (plan.h) */
	struct appt_ref with[STORE_MAX_JOINT]; /* CHANGE_JOINT: the others */
	size_t n_with;            /* 0 to STORE_MAX_JOINT */
	const char *reason;       /* plain text, as printed */
	int64_t decide_by;        /* the last instant (UTC seconds) it may be accepted
				     (week_decide_by), or 0: not checked */
};

/* A week's totals as propose reports them (docs/propose.md). */
struct store_totals {
	int journeys, travel_min;
	double travel_cost;
	int clashes;              /* overlaps, double bookings and no-carer */
	int routine_conflicts;
	double peak_energy;
	int unfamiliar_max;       /* unfamiliar people met, on the worst day */
	int placed;               /* appointments in the week */
};

/* An appointment a proposal cannot place, and why. */
struct store_unplaced {
	struct appt_ref appt;
	const char *reason;       /* plain text, as printed */
};

enum store_proposal_kind { STORE_RANKED, STORE_LADDER };

/* One proposal. A plan that is both a ranked proposal and a ladder step is
 * one proposal (its id is a digest of the plan): kind STORE_RANKED, with
 * the step's bound in ladder. */
struct store_proposal {
	const char *id;           /* stable, e.g. "p-0186e5ae4c64"; unique */
	const char *person;       /* the profile's person id */
	int64_t from_date, to_date;   /* the horizon, local dates (days since the epoch), inclusive */
	enum store_proposal_kind kind;
	int rank;                 /* STORE_RANKED: 1 = the optimum; STORE_LADDER: the bound on changes */
	int ladder;               /* the ladder step's bound on changes, or -1 when not a step */
	double objective, gap;
	int proven, capped;       /* proven optimal; stopped by the solver's time cap */
	int unplaced;             /* appointments the plan leaves unplaced */
	const struct store_unplaced *unplaced_v; /* which, and why (unplaced of them; schema 7) */
	size_t n_unplaced_v;      /* may be less than unplaced for a proposal saved before */
	int64_t created;          /* UTC seconds: the command's (pinned) now */
	struct store_totals before, after;
	const struct store_change *changes; /* in printed order */
	size_t n_changes;
	const char *feeds;        /* the feeds its week was read from (store_feeds_state), or NULL */
};

/*
 * Save the n proposals v (ids distinct) as one transaction. A proposal
 * already stored with the same id is replaced, changes and all, without
 * duplicating a row; only its created time is kept from the first save.
 * Nothing is borrowed past the call. Returns 0, or -1 with d filled
 * (D_STORE_SQL; D_INTERNAL for a duplicate id or a bad field), when
 * everything is rolled back and the store holds what it held before.
 */
int store_save_proposals(struct store *s, const struct store_proposal *v, size_t n,
			 struct diag *d);

/*
 * Read back the proposal with this id, its changes in seq order. Returns 1
 * and *out (everything it points to is owned by it; free with
 * store_proposal_free), 0 when no proposal has this id (*out NULL), or -1
 * with d filled.
 */
int store_load_proposal(struct store *s, const char *id, struct store_proposal **out,
			struct diag *d);
void store_proposal_free(struct store_proposal *p);   /* NULL-safe */

/* The id of the optimum (rank 1) most recently proposed (by its created
 * time, then the order saved) for person (NULL: anyone), into id (sz
 * bytes). Returns 1, 0 when no such proposal is stored, or -1 with d filled. */
int store_latest_proposal(struct store *s, const char *person, char *id, size_t sz,
			  struct diag *d);

/* ---- decisions (accept, reject) ------------------------------------------- */

/* What a decision says (docs/decisions.md): accept the change; reject
 * it, "not this time" (that placement is never proposed again, the
 * appointment stays movable); or reject it and keep the appointment where
 * it is booked, "don't move it" (reject --keep). */
enum verdict { VERDICT_ACCEPT, VERDICT_REJECT, VERDICT_KEEP };

/* One decision on one change of a proposal, as stored. */
struct store_decision {
	int64_t id;               /* in the order they were made */
	const char *proposal, *person;
	int seq;                  /* the change: proposal-seq */
	int accept;               /* 1 accept, 0 reject */
	enum verdict verdict;     /* accept (accept 1), or which reject (accept 0) */
	struct appt_ref appt;     /* the appointment, as its feed has it */
	struct place to;          /* where the change put it */
	const char *who, *note;   /* note may be NULL */
	int64_t at;               /* UTC seconds (--now) */
};

/*
 * Record verdict v on changes seqs[0..n) of proposal `proposal` (n 0:
 * every change of it), by `who` at `at`, with an optional note, as one
 * transaction. A change that depends on another (the other part of a joint
 * session) is decided with it: the set is closed over joint partners
 * first. A change whose last decision already says v is not recorded again
 * (*n_same counts them); *n_decided counts those recorded.
 * Refused, writing nothing, with d filled and -1:
 * - an unknown proposal or change: D_UNKNOWN_ID;
 * - a proposal a later save of proposals for the person left out, or one
 *   a feed of whose week says something else about its dates since
 *   (store_feed_digest): D_SUPERSEDED;
 * - (accept) a change past its decide_by (by `at`, its appointment or new
 *   time is inside the practitioner's notice or past): D_DECIDE_LATE;
 * - an accept or keep that conflicts with a decision on another proposal
 *   recorded since this one was saved: its appointment was accepted or
 *   kept since, or (accept) the placement was rejected since, or its new
 *   time overlaps an appointment accepted into the same day since:
 *   D_DECIDE_CONFLICT, naming both changes. A decision on one proposal
 *   leaves the others decidable when they do not conflict with it.
 */
/* Whether proposal can be decided on now (store_decide's first check,
 * reading only): 1; 0 with d filled (D_UNKNOWN_ID, D_SUPERSEDED); -1 when
 * the store fails (d filled). `review` asks it before the first question. */
int store_decidable(struct store *s, const char *proposal, struct diag *d);
int store_decide(struct store *s, const char *proposal, const int *seqs, size_t n, enum verdict v,
		 const char *who, int64_t at, const char *note, size_t *n_decided, size_t *n_same,
		 struct diag *d);

/* Call fn for each decision (of person, or all when NULL) in the order they
 * were made; the strings live until fn returns. Stops when fn returns non-zero.
 * Returns 0 or -1 with d filled. */
int store_each_decision(struct store *s, const char *person,
			int (*fn)(const struct store_decision *, void *), void *arg,
			struct diag *d);

/* ---- practitioners' answers (src/store/replies.c) ------------------------
 *
 * What `dovetail replies` read (docs/replies.md): one row per answered
 * event of an iTIP message, matched to the accepted change it answers.
 * Rows are never changed or deleted.
 */
enum reply_kind { REPLY_ACCEPTED, REPLY_DECLINED, REPLY_TENTATIVE, REPLY_COUNTER, REPLY_DECLINECOUNTER };
#define REPLY_KINDS 5
/* "accepted", "declined", "tentative", "counter", "declinecounter" */
const char *reply_kind_name(enum reply_kind k);

struct store_reply {
	int64_t id;               /* in the order they were recorded (0 when saving) */
	const char *digest;       /* SHA-256 (hex) of the message's bytes */
	const char *person;
	struct appt_ref appt;     /* the appointment, as its feed has it */
	int sequence;             /* the answer's SEQUENCE (what was sent) */
	enum reply_kind kind;
	int64_t suggested_start, suggested_end; /* COUNTER: UTC seconds; else 0 */
	const char *proposal;     /* the accepted change it answers: PROPOSAL-SEQ */
	int seq;
	struct place to;          /* where that change put the appointment */
	int64_t at;               /* UTC seconds (--now) */
};

/* 1 when a message with this digest was recorded already, 0 when not, -1. */
int store_reply_seen(struct store *s, const char *digest, struct diag *d);
/* Record the n answers of one message as one transaction. Returns 0, or
 * -1 with d filled (nothing recorded). */
int store_record_replies(struct store *s, const struct store_reply *v, size_t n, struct diag *d);
/* Call fn for each answer (of person, or all when NULL) in the order
 * recorded; the strings live until fn returns. Stops when fn returns
 * non-zero. Returns 0 or -1. */
int store_each_reply(struct store *s, const char *person,
		     int (*fn)(const struct store_reply *, void *), void *arg, struct diag *d);
/* The last accept recorded for appointment a of person: its proposal id
 * (into proposal, sz bytes), change number and placement (venue id into
 * venue, vsz bytes; to->venue points there or is NULL). Returns 1, 0 when
 * the appointment has no accept, or -1. */
int store_last_accept(struct store *s, const char *person, const struct appt_ref *a, char *proposal,
		      size_t sz, int *seq, struct place *to, char *venue, size_t vsz, struct diag *d);
/* Call fn for each other change of the group of change PROPOSAL-SEQ, as
 * accept decides a group: its joint partners, the changes it makes room
 * for and those that make room for it (the joint_partners table), and
 * theirs in turn, each once, by change number. Returns 0 or -1. */
int store_each_partner(struct store *s, const char *proposal, int seq,
		       int (*fn)(const struct appt_ref *, void *), void *arg, struct diag *d);
/* ---- holding the store (src/store/store.c) -------------------------------- */

/* What one process at a time may do on a store. */
enum store_hold {
	STORE_HOLD_RUN,   /* a batch or merge run (store_batch_begin takes it) */
	STORE_HOLD_SEND,  /* a send (send_run takes it) */
	STORE_HOLD_REPLIES, /* a replies run (reply_read_all takes it) */
	STORE_HOLDS
};
/* Hold the store for `what` until store_close (or the process ends,
 * killed or not): a lock on the store's file. RUN: when another process
 * holds it, -1 with D_BATCH_BUSY (after a second of tries: a killed
 * batch's workers die with it); SEND, REPLIES: waits for the other to
 * end (each is bounded in time or size). Where the file system or kernel
 * has no such locks (EINVAL, ENOLCK...), nothing is held and 0 returned.
 * Held already by s: 0. Returns 0, or -1 with d filled. */
int store_hold(struct store *s, enum store_hold what, struct diag *d);

/* ---- status (src/store/status.c) ------------------------------------------ */

/* One agreed change and where it stands with its practitioner (`dovetail
 * status`): the accept in force on an appointment (its last accept or
 * keep is an accept), the last message sent about it and the last answer.
 * Strings live until the callback returns. */
struct store_status_row {
	struct appt_ref appt;     /* as its feed has it */
	struct place to;          /* where the family agreed it goes */
	const char *proposal;     /* the change: proposal-seq */
	int seq;
	const char *who;          /* who decided */
	int64_t decided_at;       /* UTC seconds */
	int sent;                 /* a message about it was sent (dovetail send) */
	int64_t sent_at;
	const char *method;       /* "REQUEST" or "COUNTER", when sent */
	int sent_sequence;
	const char *answer;       /* the last answer's kind (accepted, declined, tentative,
				     counter, declinecounter), or NULL */
	int64_t answered_at;
	int answer_sequence;
	int64_t suggested_start, suggested_end;   /* a counter's time (UTC), else 0 */
	const char *undone_by;    /* the practitioner whose decline (or counter) of
				     another change of its group undid it, while that
				     answer stands (docs/replies.md), else NULL */
	int64_t undone_at;        /* when that answer was recorded (UTC seconds) */
	int move_sequence;        /* the SEQUENCE a REQUEST of the move goes with: the
				     feed's plus the accepts on it; a message above it
				     is a revision (docs/send.md) */
	const char *refused;      /* the practitioner's own refusal of this change
				     (declined, declinecounter or counter) that
				     stands, undoing it, whatever answer came after
				     (docs/replies.md), else NULL */
	int64_t refused_at;       /* when it was recorded (UTC seconds) */
	int refused_last;         /* that refusal is the last answer (answer above) */
};

/* Where row x stands at now, as status and the report say it: answered
 * (an answer to the last message sent; one to an earlier message does not
 * answer it), revision (undone, and the last message is the revision),
 * waiting (sent and not answered; undone by a partner's decline, only the
 * revision waits) and for how many whole days since it was sent;
 * to_revision: the last answer is to the revision (recorded only, it
 * changes nothing in the plan: docs/replies.md). */
struct store_standing {
	int answered, revision, waiting, to_revision;
	long days;
};
void store_status_standing(const struct store_status_row *x, int64_t now, struct store_standing *out);

/* Call fn for each agreed change of person, by where it goes; stops when
 * fn returns non-zero. Returns 0 or -1 with d filled. */
int store_each_status(struct store *s, const char *person,
		      int (*fn)(const struct store_status_row *, void *), void *arg, struct diag *d);

/* ---- feeds fetched by URL (src/store/import.c) ----------------------------
 *
 * The HTTP validators of a feed's stored copy, so that fetching it again
 * is a conditional request (docs/feeds.md).
 */
/* The ETag and Last-Modified (malloc'd, or NULL) stored for source, when its
 * stored copy was imported with o's window and zone (else both NULL: a
 * 304 would not be enough). Returns 0 or -1. */
int store_feed_validators(struct store *s, const char *source, const struct import_opts *o,
			  char **etag, char **last_modified, struct diag *d);
/* Whether s holds a copy of the feed source read in zone_name: 1 with
 * the window it was imported with ([*from, *to), UTC seconds), 0 when it
 * holds none (or one read in another zone), -1 with d filled. Reads only. */
int store_feed_copy(struct store *s, const char *source, const char *zone_name, int64_t *from,
		    int64_t *to, struct diag *d);
/* What the store holds of the feeds sources[0..n) (each once; one not
 * stored is left out) for the local dates [from_date, to_date], as
 * "FEED-ID:SHA256" entries (feed.id, store_feed_digest) in increasing id,
 * separated by one space, into *out (malloc'd; "" when none): a proposal
 * keeps it (store_proposal.feeds), and a decision on it is refused once
 * one of them has changed. Reads only. Returns 0 or -1 with d filled
 * (*out NULL). */
int store_feeds_state(struct store *s, const char *const *sources, size_t n, int64_t from_date,
		      int64_t to_date, char **out, struct diag *d);
/* The digest of what feed (feed.id) says about the local dates [from_date,
 * to_date]: its events' fields and their occurrences there, not its raw
 * text (a new DTSTAMP alone changes nothing). Returns 0 or -1 (d filled). */
int store_feed_digest(struct store *s, int64_t feed, int64_t from_date, int64_t to_date, char out[65],
		      struct diag *d);
/* Keep them with the feed source (stored already). Returns 0 or -1. */
int store_set_feed_validators(struct store *s, const char *source, const char *etag,
			      const char *last_modified, struct diag *d);

/* ---- batch runs (src/store/batch.c) --------------------------------------
 *
 * `dovetail batch` over a caseload (docs/batch.md). A person's row and its
 * plans solved alone (columns, with their bookings of shared practitioners
 * and carers) are written in one transaction: the row is its done-marker,
 * so a run killed at any moment holds each person whole or not at all.
 * Plans priced later for the joint master are added one transaction each;
 * the choice of one plan per person is written for all persons at once.
 */
struct store_batch_figures {
	int journeys, travel_min;
	double travel_money;
	int clashes, routine_conflicts;
	double peak_energy;
	int unfamiliar;
};

struct store_batch_person {
	const char *person, *digest;  /* digest: of the person's inputs */
	const char *status;           /* "ok" or "error" */
	const char *error;            /* why, for "error" (ids and positions only); else NULL */
	struct store_batch_figures before;  /* the week as booked */
	int chosen;                   /* the plan chosen (a column's n), or -1 before the joint master */
};

struct store_batch_column {
	const char *person;
	int n;                        /* 0, 1, ...: per person */
	const char *origin;           /* "alone", "booked" or "priced" */
	const char *basis;            /* "priced": a digest of the bookings it was solved around; else "" */
	int round;                    /* "priced": the round of the joint master that asked for it; else 0 */
	int impossible;
	double compromise, cost;      /* tiers 2 and 3 */
	int proven;
	struct store_batch_figures after;
	int changes, appointments;
	const char *result;           /* JSON (docs/batch.md) */
	const char *plan;             /* the plan, plan_encode's text (the page is drawn from it) */
};

struct store_batch_booking {
	const char *lane;             /* a shared practitioner's id, or a carer's key */
	int64_t start, end;           /* UTC seconds */
	int fixed;                    /* the appointment stays where it is booked */
};

/* A group of writes committed together: between store_group_begin and
 * store_group_end, each write's own transaction is a savepoint in the
 * group's (it still holds whole or not at all), and only store_group_end
 * commits. A kill loses the group's writes, whole: fewer commits for many
 * small writes (a batch's persons), each stored at most a group late.
 * Groups do not nest. Both return 0, or -1 with d filled (end: nothing
 * of the group is stored). */
int store_group_begin(struct store *s, struct diag *d);
int store_group_end(struct store *s, struct diag *d);

/* Each batch run's persons, plans and bookings (some 4 KB a person) are
 * needed only to resume, merge or report that run. */
#define STORE_BATCH_RUNS 4         /* batch runs a store keeps: a run started afresh drops the older ones */

/* Start run `run` over a caseload (its SHA-256 and size), or find it
 * again; with fresh, what the run held is dropped first. A run begun afresh
 * is the newest; the runs older than the newest STORE_BATCH_RUNS are
 * dropped then, so weekly runs do not grow the store without bound.
 * Returns 0 or -1. */
int store_batch_begin(struct store *s, const char *run, const char *caseload_sha, size_t persons,
		      int64_t now, int fresh, struct diag *d);
/* A person solved alone, with its columns (cols[i]'s bookings are
 * book[i][0 .. n_book[i])), replacing in one transaction what the run held
 * for it (priced plans and choice included). */
int store_batch_save_person(struct store *s, const char *run, const struct store_batch_person *p,
			    const struct store_batch_column *cols, size_t n_cols,
			    const struct store_batch_booking *const *book, const size_t *n_book,
			    struct diag *d);
/* Drop the run's priced plans (their bookings too) and its choices, in one
 * transaction: what the joint master priced around plans that have since
 * been solved again. The persons' own plans (alone, booked) stay. */
int store_batch_drop_priced(struct store *s, const char *run, struct diag *d);
/* A priced plan of a person already stored (its n the next free one), in
 * one transaction. */
int store_batch_save_column(struct store *s, const char *run, const struct store_batch_column *c,
			    const struct store_batch_booking *book, size_t n_book, struct diag *d);
/* The joint master's choice for every person (persons[i] gets plan
 * chosen[i]), in one transaction. */
int store_batch_save_choice(struct store *s, const char *run, const char *const *persons, const int *chosen,
			    size_t n, struct diag *d);
/* Each person row of the run (only person's, unless NULL), by person id;
 * stops when fn returns non-zero. */
int store_batch_each(struct store *s, const char *run, const char *person,
		     int (*fn)(const struct store_batch_person *, void *), void *arg, struct diag *d);
/* Each column of the run, by person id and n; with text, result and plan
 * are read too (else NULL). */
int store_batch_columns(struct store *s, const char *run, int text,
			int (*fn)(const struct store_batch_column *, void *), void *arg, struct diag *d);
/* Each booking of the run, by person id, column n, lane, start. */
int store_batch_bookings(struct store *s, const char *run,
			 int (*fn)(const char *person, int n, const struct store_batch_booking *, void *), void *arg,
			 struct diag *d);
/* Each person row of the run, by person id, with its chosen column and its
 * text (NULL: no choice), and its plan solved alone, the first column of
 * origin "alone" (without text; NULL: none), the plan the fairness cap is
 * measured from. */
int store_batch_finals(struct store *s, const char *run,
		       int (*fn)(const struct store_batch_person *, const struct store_batch_column *chosen,
				 const struct store_batch_column *alone, void *),
		       void *arg, struct diag *d);
/* Copy the run's persons (rows, plans and bookings; no choice) from the
 * shard store at path into s, in one transaction. A person s already
 * holds is D_BATCH_TWICE (nothing copied). The shard store is checked as
 * store_open checks the main one (store_check_file), and must exist
 * (D_STORE_OPEN). A shard store that holds persons of another run and
 * none of this one is D_BATCH_OTHER_RUN. *n: persons copied. */
int store_batch_merge(struct store *s, const char *run, const char *path, size_t *n,
		      struct diag *d);
/* Check, before anything is merged, that none of the n shard stores at
 * paths is s's own file (by device and inode, whatever the name): a merge
 * into a shard's store would drop that shard's persons first. Returns 0,
 * or -1 with D_BATCH_SHARD_SELF naming the path. A path that cannot be
 * examined is left for store_batch_merge to report. */
int store_batch_shards_apart(struct store *s, char *const *paths, size_t n, struct diag *d);

/* ---- what dovetail wrote into CalDAV collections (export --calendar caldav+...) */

/* One calendar object dovetail wrote and the server holds: its resource
 * name in the collection, the ETag the server gave (NULL: it gave none),
 * the digest of the text written (cal_object_digest). */
struct store_caldav_obj {
	char *uid, *name, *etag, *digest;   /* owned */
};
/* The objects person wrote into collection (a URL without credentials),
 * sorted by UID (byte order), in *out (free with store_caldav_objs_free);
 * at most max + 1 are read (the caller refuses more than max). */
int store_caldav_objs(struct store *s, const char *person, const char *collection, size_t max,
		      struct store_caldav_obj **out, size_t *n, struct diag *d);
void store_caldav_objs_free(struct store_caldav_obj *v, size_t n);   /* NULL-safe */
/* Record (insert or replace) that object, written at `now` (UTC seconds).
 * One statement: it is there whole or not at all. */
int store_caldav_obj_put(struct store *s, const char *person, const char *collection,
			 const struct store_caldav_obj *o, int64_t now, struct diag *d);
/* Forget one (it is no longer on the server, or no longer dovetail's). */
int store_caldav_obj_forget(struct store *s, const char *person, const char *collection,
			    const char *uid, struct diag *d);
/*
 * What `send` mailed (docs/send.md; table sent). A message the server
 * accepted is recorded by store_sent_add, one row per appointment it is
 * about, all in one transaction of its own.
 */
struct store_sent {
	const char *person, *message_id, *digest, *recipient, *practitioner;
	const char *method;       /* "REQUEST" or "COUNTER" */
	const char *uid, *rid;    /* rid "" for no RECURRENCE-ID */
	int sequence;
	int64_t sent_at;          /* UTC seconds (--now) */
};
/* Record rows[0 .. n) (one message) in one transaction. Returns 0, or -1
 * with d filled (nothing written). */
int store_sent_add(struct store *s, const struct store_sent *rows, size_t n, struct diag *d);
/* Whether a message with this digest went to recipient for person: 1, 0,
 * or -1 with d filled. */
int store_sent_has(struct store *s, const char *person, const char *digest, const char *recipient,
		   struct diag *d);
/* Message ids sent earlier, with the order they were recorded in. */
struct store_sent_ref {
	int64_t row;              /* sent.id: later is larger */
	char *message_id;         /* owned */
};
struct store_sent_refs {
	struct store_sent_ref *v;
	size_t n;
};
void store_sent_refs_release(struct store_sent_refs *r);   /* NULL-safe; leaves it empty */
/* The messages sent earlier to practitioner about appointment (uid, rid)
 * for person, by row: the first and the latest max - 1 (max >= 2).
 * Appended to out (which may hold another appointment's already).
 * Returns 0, or -1 with d filled. */
int store_sent_thread(struct store *s, const char *person, const char *practitioner, const char *uid,
		      const char *rid, size_t max, struct store_sent_refs *out, struct diag *d);
/* Where an appointment stands with its practitioner: *seq the highest
 * SEQUENCE sent about it (0: nothing was sent), *declined 1 when their
 * last answer at that SEQUENCE or later declined it (a REPLY DECLINED or a
 * DECLINECOUNTER). Returns 0, or -1 with d filled. */
int store_sent_standing(struct store *s, const char *person, const char *practitioner, const char *uid,
			const char *rid, int *seq, int *declined, struct diag *d);

#endif
