-- schema.sql: the store's schema as it stands after every migration step
-- (src/store/store.c, `migrations`), at PRAGMA user_version 15
-- (STORE_SCHEMA_VERSION, include/dovetail/store.h).
--
-- This file is documentation, checked: the store is built only by the
-- migration steps, never from this file. tests/cli/t-docs.sh builds a fresh
-- store and compares its sqlite_master (every table, column with its type and
-- constraints, index and trigger, normalised by tools/schema-check.py) with
-- this file loaded into an empty database; either drifting fails the test.
-- A schema change is a new migration step AND the same change here.
--
-- Units everywhere: times are UTC seconds since the epoch (*_utc, *_at,
-- win_from, win_to); dates are the person's local YYYY-MM-DD; minutes are
-- local minutes from midnight; digests are lowercase hex SHA-256. `uid` and
-- `rid` are an iCalendar event's UID and RECURRENCE-ID ('' for a single
-- event). A person or practitioner is the profile's pseudonymous id.
-- Column order is the stored order: a column added by a later step is last.

-- ---- feeds: what `import` (and every command that reads a profile) stored
-- (src/store/import.c, src/store/events.c; docs/feeds.md)

-- One imported feed: a file, standard input or a URL, by its identity.
CREATE TABLE feed (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL UNIQUE,        -- absolute path, a name (--feed), or the URL without credentials
  practitioner TEXT,                  -- --practitioner, or NULL
  content_sha256 TEXT NOT NULL,       -- the bytes last imported: the same bytes write nothing ('' forces a rewrite)
  win_from INTEGER NOT NULL,          -- the expansion window [win_from, win_to) of the occurrences
  win_to INTEGER NOT NULL,
  zone TEXT NOT NULL,                 -- where floating times and dates were read
  imported_at INTEGER NOT NULL,
  etag TEXT,                          -- HTTP validators of a feed fetched by URL (step 6)
  last_modified TEXT
);

-- One VEVENT (or VFREEBUSY) of a feed, by (feed, UID, RECURRENCE-ID).
CREATE TABLE event (
  id INTEGER PRIMARY KEY,
  feed_id INTEGER NOT NULL REFERENCES feed(id) ON DELETE CASCADE,
  uid TEXT NOT NULL,
  rid TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL CHECK (kind IN ('event', 'freebusy')),
  sequence INTEGER NOT NULL DEFAULT 0,  -- SEQUENCE: a higher one wins on re-import
  status TEXT,                          -- STATUS, as given
  transparent INTEGER NOT NULL DEFAULT 0,
  tzid TEXT,
  summary TEXT,
  location TEXT,
  categories TEXT,
  attendees TEXT,
  organizer TEXT,
  content_sha256 TEXT NOT NULL,       -- the component's text: an unchanged event is not rewritten
  raw TEXT NOT NULL,                  -- the component's text as read
  line INTEGER NOT NULL,              -- its first line in the feed, for diagnostics
  description TEXT,                   -- DESCRIPTION, for the profile's match rules (step 2)
  UNIQUE (feed_id, uid, rid)
);

-- One occurrence of an event in its feed's window, expanded at import.
CREATE TABLE occurrence (
  id INTEGER PRIMARY KEY,
  event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
  start_utc INTEGER NOT NULL,
  end_utc INTEGER NOT NULL,
  all_day INTEGER NOT NULL,
  rid TEXT NOT NULL DEFAULT '',       -- this instance's RECURRENCE-ID
  busy INTEGER NOT NULL,
  tentative INTEGER NOT NULL
);
CREATE INDEX occurrence_event ON occurrence(event_id);
CREATE INDEX occurrence_start ON occurrence(start_utc);

-- ---- proposals: what `propose` printed, by id (src/store/proposals.c;
-- docs/propose.md, "Stored proposals")

-- One proposal (a ranked one, or a step of the change ladder) and the
-- week's totals before and after it.
CREATE TABLE proposals (
  id TEXT PRIMARY KEY NOT NULL,       -- a digest of the plan, e.g. p-0186e5ae4c64
  person TEXT NOT NULL,
  horizon_from TEXT NOT NULL,         -- local dates, inclusive
  horizon_to TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('ranked', 'ladder')),
  rank INTEGER NOT NULL,              -- ranked: 1 for the optimum; ladder: its bound on changes
  ladder INTEGER,
  objective REAL NOT NULL,
  proven INTEGER NOT NULL,
  gap REAL NOT NULL,
  capped INTEGER NOT NULL,
  unplaced INTEGER NOT NULL,
  created_at INTEGER NOT NULL,        -- when first proposed (kept when proposed again)
  before_journeys INTEGER NOT NULL,
  before_travel_minutes INTEGER NOT NULL,
  before_travel_money REAL NOT NULL,
  before_clashes INTEGER NOT NULL,
  before_routine_conflicts INTEGER NOT NULL,
  before_peak_energy REAL NOT NULL,
  before_unfamiliar_max INTEGER NOT NULL,
  before_appointments INTEGER NOT NULL,
  after_journeys INTEGER NOT NULL,
  after_travel_minutes INTEGER NOT NULL,
  after_travel_money REAL NOT NULL,
  after_clashes INTEGER NOT NULL,
  after_routine_conflicts INTEGER NOT NULL,
  after_peak_energy REAL NOT NULL,
  after_unfamiliar_max INTEGER NOT NULL,
  after_appointments INTEGER NOT NULL,
  run INTEGER NOT NULL DEFAULT 0,             -- the propose run that last printed it (step 4)
  decisions_seen INTEGER NOT NULL DEFAULT 0,  -- the last decision the store held then: a later one supersedes it
  feeds TEXT NOT NULL DEFAULT ''              -- (step 14) the feeds its week was read from, 'FEED-ID:SHA256 ...' (store_feed_digest over the horizon): one changed since supersedes it ('' not checked)
);
CREATE INDEX proposals_person ON proposals(person, horizon_from);

-- One change of a proposal; seq is its place in the printed list (1, 2 ...).
CREATE TABLE changes (
  proposal_id TEXT NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL CHECK (seq >= 1),
  practitioner TEXT NOT NULL,
  uid TEXT NOT NULL,
  rid TEXT NOT NULL DEFAULT '',
  start_utc INTEGER NOT NULL,         -- the appointment as booked
  end_utc INTEGER NOT NULL,
  from_date TEXT NOT NULL,            -- where it is, local date and minute, venue id or NULL
  from_minute INTEGER NOT NULL,
  from_venue TEXT,
  to_date TEXT NOT NULL,              -- where the change puts it
  to_minute INTEGER NOT NULL,
  to_venue TEXT,
  is_move INTEGER NOT NULL,
  is_venue INTEGER NOT NULL,
  is_joint INTEGER NOT NULL,
  reason TEXT NOT NULL,               -- the reason, as printed
  decide_by INTEGER,                  -- (step 15) the last instant it may be accepted: later, its appointment or where it goes is inside the notice or past (NULL: not checked)
  PRIMARY KEY (proposal_id, seq)
);

-- The other appointments of a joint change (its session, and the changes it
-- makes room for or that make room for it), n = 1, 2 ...
CREATE TABLE joint_partners (
  proposal_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  n INTEGER NOT NULL CHECK (n >= 1),
  practitioner TEXT NOT NULL,
  uid TEXT NOT NULL,
  rid TEXT NOT NULL DEFAULT '',
  start_utc INTEGER NOT NULL,
  end_utc INTEGER NOT NULL,
  PRIMARY KEY (proposal_id, seq, n),
  FOREIGN KEY (proposal_id, seq) REFERENCES changes(proposal_id, seq) ON DELETE CASCADE
);

-- The appointments a proposal leaves unplaced, and why (step 7; `report`
-- draws them).
CREATE TABLE unplaced (
  proposal_id TEXT NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
  n INTEGER NOT NULL CHECK (n >= 1),
  practitioner TEXT NOT NULL,
  uid TEXT NOT NULL,
  rid TEXT NOT NULL DEFAULT '',
  start_utc INTEGER NOT NULL,
  end_utc INTEGER NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY (proposal_id, n)
);

-- ---- decisions: `accept`, `reject`, `review` (src/store/decisions.c;
-- docs/decisions.md)

-- One decision on one change. Each row is whole on its own (the appointment
-- and where the change put it), so that it outlives its proposal; rows are
-- never changed or deleted (the triggers below).
CREATE TABLE decisions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,  -- the order decisions were taken in
  proposal_id TEXT NOT NULL,
  seq INTEGER NOT NULL CHECK (seq >= 1),
  verdict TEXT NOT NULL CHECK (verdict IN ('accept', 'reject')),
  person TEXT NOT NULL,
  practitioner TEXT NOT NULL,
  uid TEXT NOT NULL,
  rid TEXT NOT NULL DEFAULT '',
  start_utc INTEGER NOT NULL,
  end_utc INTEGER NOT NULL,
  to_date TEXT NOT NULL,
  to_minute INTEGER NOT NULL,
  to_venue TEXT,
  who TEXT NOT NULL,                  -- --by, else $DOVETAIL_USER, else $USER
  decided_at INTEGER NOT NULL,
  note TEXT,                          -- --note
  keep INTEGER NOT NULL DEFAULT 1 CHECK (keep IN (0, 1))  -- a reject: 1 "don't move it" (--keep), 0 "not this time"; 0 for an accept (step 9)
);
CREATE INDEX decisions_person ON decisions (person, id);
CREATE TRIGGER decisions_never_deleted BEFORE DELETE ON decisions BEGIN SELECT RAISE(ABORT, 'decisions are never deleted'); END;
CREATE TRIGGER decisions_never_changed BEFORE UPDATE ON decisions BEGIN SELECT RAISE(ABORT, 'decisions are never changed'); END;

-- ---- the practitioners' answers: `replies` (src/store/replies.c;
-- docs/replies.md)

-- One answered event of an iTIP message, with the accepted change it
-- answers; never changed or deleted.
CREATE TABLE replies (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  digest TEXT NOT NULL,               -- the message's: a message read again records nothing
  person TEXT NOT NULL,
  practitioner TEXT NOT NULL,
  uid TEXT NOT NULL,
  rid TEXT NOT NULL DEFAULT '',
  start_utc INTEGER NOT NULL,
  end_utc INTEGER NOT NULL,
  sequence INTEGER NOT NULL,          -- the SEQUENCE answered
  kind TEXT NOT NULL CHECK (kind IN ('accepted', 'declined', 'tentative', 'counter', 'declinecounter')),
  suggested_start INTEGER,            -- a COUNTER's time, else NULL
  suggested_end INTEGER,
  proposal_id TEXT NOT NULL,          -- the accepted change answered
  seq INTEGER NOT NULL,
  to_date TEXT NOT NULL,
  to_minute INTEGER NOT NULL,
  to_venue TEXT,
  received_at INTEGER NOT NULL,
  UNIQUE (digest, practitioner, uid, rid)
);
CREATE INDEX replies_person ON replies (person, id);
CREATE TRIGGER replies_never_deleted BEFORE DELETE ON replies BEGIN SELECT RAISE(ABORT, 'replies are never deleted'); END;
CREATE TRIGGER replies_never_changed BEFORE UPDATE ON replies BEGIN SELECT RAISE(ABORT, 'replies are never changed'); END;

-- ---- what went out: `export --calendar caldav+...` and `send`
-- (src/store/caldav.c, src/store/sent.c; docs/export.md, docs/send.md)

-- A calendar object dovetail wrote into a CalDAV collection: the ETag the
-- server gave and the digest of what was written, so that a change made by
-- someone else is never overwritten and an unchanged object is not written
-- again.
CREATE TABLE caldav_objects (
  person TEXT NOT NULL,
  collection TEXT NOT NULL,           -- the collection's URL, without credentials
  uid TEXT NOT NULL,
  name TEXT NOT NULL,                 -- the object's resource name in the collection
  etag TEXT,
  digest TEXT NOT NULL,
  written_at INTEGER NOT NULL,
  PRIMARY KEY (person, collection, uid)
);

-- One appointment (UID, RECURRENCE-ID) of a message `send` mailed, written
-- once the server accepted it (250); never changed.
CREATE TABLE sent (
  id INTEGER PRIMARY KEY,
  person TEXT NOT NULL,
  message_id TEXT NOT NULL,           -- derived from the content: a re-send is threaded
  digest TEXT NOT NULL,
  recipient TEXT NOT NULL,
  practitioner TEXT NOT NULL,
  method TEXT NOT NULL CHECK (method IN ('REQUEST', 'COUNTER')),
  uid TEXT NOT NULL,
  rid TEXT NOT NULL DEFAULT '',
  sequence INTEGER NOT NULL,
  sent_at INTEGER NOT NULL,
  UNIQUE (message_id, uid, rid)
);
CREATE INDEX sent_digest ON sent (person, digest, recipient);
CREATE INDEX sent_thread ON sent (person, practitioner, uid, rid, id);
CREATE TRIGGER sent_never_changed BEFORE UPDATE ON sent BEGIN SELECT RAISE(ABORT, 'what was sent is never changed'); END;

-- ---- batch runs over a caseload: `batch`, `merge` (src/store/batch.c;
-- docs/batch.md). A run's rows are derived from its inputs: a run stored
-- by an earlier version was dropped by step 13 and is solved again.

-- One run, by its id, over a caseload (its SHA-256 and number of persons).
CREATE TABLE batch_runs (
  run TEXT PRIMARY KEY NOT NULL,
  caseload_sha256 TEXT NOT NULL,
  persons INTEGER NOT NULL,
  started_at INTEGER NOT NULL
);

-- One person of a run, solved alone: the row is its done-marker (written
-- with its plans in one transaction); `chosen` names the plan the joint
-- master chose, and the figures are the week as booked.
CREATE TABLE batch_persons (
  run TEXT NOT NULL REFERENCES batch_runs(run) ON DELETE CASCADE,
  person TEXT NOT NULL,
  digest TEXT NOT NULL,               -- the person's inputs: a resumed run skips a person whose inputs are the same
  status TEXT NOT NULL CHECK (status IN ('ok', 'error')),
  error TEXT,                         -- why the person was skipped
  journeys INTEGER NOT NULL DEFAULT 0,
  travel_min INTEGER NOT NULL DEFAULT 0,
  travel_money REAL NOT NULL DEFAULT 0,
  clashes INTEGER NOT NULL DEFAULT 0,
  routine_conflicts INTEGER NOT NULL DEFAULT 0,
  peak_energy REAL NOT NULL DEFAULT 0,
  unfamiliar INTEGER NOT NULL DEFAULT 0,
  chosen INTEGER,                     -- batch_columns.n of the plan chosen, NULL before the joint master
  PRIMARY KEY (run, person)
);

-- One plan of a person, a column of the joint master (docs/batch.md, "The
-- joint master"): solved alone, the week as booked, or priced in a round.
CREATE TABLE batch_columns (
  run TEXT NOT NULL,
  person TEXT NOT NULL,
  n INTEGER NOT NULL CHECK (n >= 0),  -- 0, 1 ... per person
  origin TEXT NOT NULL CHECK (origin IN ('alone', 'booked', 'priced')),
  basis TEXT NOT NULL DEFAULT '',    -- priced: a digest of the bookings it was solved around
  round INTEGER NOT NULL DEFAULT 0 CHECK (round >= 0),  -- priced: the round of the joint master that asked for it
  impossible INTEGER NOT NULL,        -- the three tiers of its objective
  compromise REAL NOT NULL,
  cost REAL NOT NULL,
  proven INTEGER NOT NULL CHECK (proven IN (0, 1)),
  journeys INTEGER NOT NULL,
  travel_min INTEGER NOT NULL,
  travel_money REAL NOT NULL,
  clashes INTEGER NOT NULL,
  routine_conflicts INTEGER NOT NULL,
  peak_energy REAL NOT NULL,
  unfamiliar INTEGER NOT NULL,
  changes INTEGER NOT NULL,
  appointments INTEGER NOT NULL,
  result TEXT NOT NULL,               -- JSON (docs/batch.md)
  plan TEXT NOT NULL,                 -- the plan as text (plan_encode; docs/propose.md)
  UNIQUE (run, person, n),
  FOREIGN KEY (run, person) REFERENCES batch_persons(run, person) ON DELETE CASCADE
);

-- What a plan books of a practitioner or carer the persons share (a lane):
-- two chosen plans may not overlap in one lane.
CREATE TABLE batch_bookings (
  run TEXT NOT NULL,
  person TEXT NOT NULL,
  n INTEGER NOT NULL,
  lane TEXT NOT NULL,
  start_utc INTEGER NOT NULL,
  end_utc INTEGER NOT NULL,
  fixed INTEGER NOT NULL CHECK (fixed IN (0, 1)),  -- the appointment stays where it is booked
  FOREIGN KEY (run, person, n) REFERENCES batch_columns(run, person, n) ON DELETE CASCADE
);
CREATE INDEX batch_bookings_column ON batch_bookings (run, person, n);

PRAGMA user_version = 15;
