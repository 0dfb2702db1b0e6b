/* util.h: small shared helpers: growable arrays, whole-file reads, hashes, time text. */
#ifndef DOVETAIL_UTIL_H
#define DOVETAIL_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dovetail/diag.h"

/* DV_STR(LIMIT_MACRO): the macro's value as a string literal, for the
 * messages that name a bound, so that a bound is written once. */
#define DV_STR_(x) #x
#define DV_STR(x) DV_STR_(x)

/* Grow *v (element size esz) so that it holds at least need elements.
 * Never fails: like xalloc.h, running out of memory, or a size past
 * SIZE_MAX, ends the process with DV_EXIT_INTERNAL (70). Always returns 0
 * (the int stays so that older callers' checks still compile; they are
 * dead). BUF_PUSH likewise never gives NULL. */
int buf_reserve(void **v, size_t *cap, size_t need, size_t esz);
#define BUF_PUSH(v, n, cap) \
	((void)buf_reserve((void **)&(v), &(cap), (n) + 1, sizeof *(v)), &(v)[(n)++])

/* ---- text.c: UTF-8 and text from outside ---------------------------------
 * Every string that reaches the store, a JSON document or a terminal from
 * outside (arguments, feeds, notes typed at a prompt) goes through these. */

/* Length (1..4) of the valid UTF-8 sequence at s[0..n), with its code point
 * in *cp (may be NULL); 0 when s does not start with one (a bad byte, an
 * overlong form, a surrogate, a truncated sequence). */
size_t utf8_seq(const char *s, size_t n, uint32_t *cp);
/* 1 when s[0..n) is valid UTF-8 without NUL; else 0 with the offset of the
 * first bad byte in *bad_off (may be NULL). */
int utf8_valid(const char *s, size_t n, size_t *bad_off);
/* The longest prefix of s[0..n), at most max bytes, that ends on a
 * character boundary (a bad byte counts as one character). */
size_t utf8_cut(const char *s, size_t n, size_t max);
/* n, less a character that the end of s[0..n) cuts short (for a buffer
 * filled up to its size: fgets, read). */
size_t utf8_trim_partial(const char *s, size_t n);
/* Copy src into dst[sz] (sz >= 1), cut with utf8_cut so that a character is
 * never split; always NUL-terminated. Returns the bytes copied. */
size_t utf8_copy(char *dst, size_t sz, const char *src);
/* 1 for a code point a terminal must not get raw: C0 controls, DEL, C1
 * controls (U+0080..U+009F, U+009B is CSI), bidi marks, embeddings,
 * overrides and isolates (U+061C, U+200E, U+200F, U+202A..U+202E,
 * U+2066..U+2069), and U+2028, U+2029. */
int text_unsafe_cp(uint32_t cp);
/* The one terminal-safe printer: s with \n, \t, \r, \\ escaped, other
 * unsafe code points as \xNN (below 0x80) or \uNNNN, and bytes that are not
 * UTF-8 as \xNN. Tabs and newlines never pass, so a field never breaks a
 * tab-separated row. NULL prints nothing. */
void text_put_safe(FILE *fp, const char *s);
/* s as a JSON string, quotes included: always valid UTF-8 and valid JSON
 * whatever s holds (bad bytes become U+FFFD; unsafe code points \uNNNN).
 * NULL prints "". */
void text_put_json(FILE *fp, const char *s);

/* A byte string read from a file. */
struct bytes {
	char *data;    /* owned, NUL-terminated (the NUL is not counted in len) */
	size_t len;
};

/* Read all of PATH ("-" is standard input) into out. Files larger than
 * max_bytes are refused with D_IO_TOO_BIG. Returns 0 or -1 (diag filled). */
int file_read_all(const char *path, size_t max_bytes, struct bytes *out, struct diag *d);
/* Open path to read (O_CLOEXEC) without waiting: a FIFO nobody writes to
 * opens at once and reads as empty, where a plain open would wait for a
 * writer for ever. The descriptor, or -1 with errno set. */
int file_open_read(const char *path);
/*
 * Output files. Every temporary dovetail makes is named after its target,
 * TARGET.tmp-XXXXXX (a file or a folder, beside the target), or
 * $TMPDIR/STEM.XXXXXX for scratch folders, and is locked (flock) by the
 * process that uses it. Before making one, the writers remove those of the
 * same target that a killed dovetail left: same name pattern, owned by this
 * user, not locked. Nothing else is ever removed.
 */

/* The files this run reads or keeps: the store, the profile, the feeds, a
 * caseload. An output never replaces one of them (docs/exit-status.md,
 * 73): the writers below refuse such a path (D_IO_WRITE). file_read_all
 * marks each file it reads; file_mark_input marks others (the store, the
 * profile). Files are known by device and inode, at most FILE_MAX_INPUTS
 * of them (docs/limits.md; past it, no more are marked). Not thread-safe:
 * the main thread reads the inputs. */
#define FILE_MAX_INPUTS 20000    /* input files remembered, so that no output replaces one */
void file_mark_input(const char *path);
/* Whether path is a file file_mark_input marked (0 when it is not there). */
int file_is_input(const char *path);
/* How many files are marked (at most FILE_MAX_INPUTS). */
size_t file_inputs_marked(void);
/* For tests: remember at most n (<= FILE_MAX_INPUTS) from now on. */
void file_inputs_limit(size_t n);

/* Write len bytes to path, readable by the owner only (mode 0600 whatever
 * the umask): into a temporary file beside it, then renamed over it, so that
 * a reader never sees half a file and a failure leaves what was there. A
 * path that exists and is not a regular file (a folder, a symbolic link)
 * is refused: nothing is written through a link. Returns 0, or -1 with d
 * filled (D_IO_WRITE naming the file). */
int file_write_private(const char *path, const void *data, size_t len, struct diag *d);
/* The same in two steps, for files written together: stage writes, syncs
 * and locks the temporary file (mode 0600) and fills *st; commit renames it
 * over path; discard removes it (NULL-safe, and safe twice). Stage and
 * commit return 0, or -1 with d filled (D_IO_WRITE naming path); a failed
 * commit removes the staged file. Either way st is released. */
struct file_staged {
	char *tmp;                /* owned: the temporary's name */
	int fd;                   /* open and locked while staged */
};
int file_stage_private(const char *path, const void *data, size_t len, struct file_staged *st,
		       struct diag *d);
int file_commit_staged(const char *path, struct file_staged *st, struct diag *d);
void file_discard_staged(struct file_staged *st);
/* The same for a writer that wants a file name (a library that opens the
 * file itself): fill(tmp, arg) writes tmp, a file in a fresh private folder
 * (0700) beside path, and returns 0 or -1; the file is then made 0600,
 * synced and renamed over path. Returns 0, or -1 with d filled. */
int file_write_with(const char *path, int (*fill)(const char *tmp, void *arg), void *arg,
		    struct diag *d);

/* A private scratch folder (0700) $TMPDIR/STEM.XXXXXX (TMPDIR unset or
 * empty: /tmp), its name in dir[sz], locked through *lock while this
 * process lives. Returns 0, or -1 with d filled. remove deletes it and what
 * it holds (two levels) and drops the lock; clean removes the ones of stem
 * that killed processes left (owned by this user, not locked). */
int file_scratch_make(const char *stem, char *dir, size_t sz, int *lock, struct diag *d);
void file_scratch_remove(const char *dir, int lock);
void file_scratch_clean(const char *stem);

/*
 * An output folder, written whole (docs/security.md): the files go into a
 * fresh staging folder FINAL.tmp-XXXXXX (0700, beside FINAL, locked), and
 * one rename puts it in place (RENAME_EXCHANGE with an existing FINAL,
 * whose old content is then removed). A crash at any moment leaves FINAL
 * as it was or as it is now, never a mix. The staging folder holds a
 * marker, .dovetail-output, so FINAL is one dovetail wrote.
 *
 * file_check_outdir refuses (D_IO_UNSAFE, exit 73) an existing dir that is
 * a symbolic link, not a folder, another user's, writable by group or
 * others, or not empty and without the marker; *exists says whether it is
 * there. outdir_begin checks FINAL so, removes stale temporaries and makes
 * the staging folder; put writes one file (0600, a plain name, no '/') in
 * it; commit renames it into place; discard removes it (NULL-safe, also
 * after init). begin, put and commit return 0, or -1 with d filled; a
 * failed begin or commit leaves o discarded, a failed put does not.
 */
struct outdir {
	char *final;              /* owned: the folder asked for, without trailing '/' */
	char *stage;              /* owned: the staging folder */
	int fd;                   /* the staging folder, open and locked */
};
int file_check_outdir(const char *dir, int *exists, struct diag *d);
/* When path names a file right in folder dir (the same name, or the same
 * folder on disk), its last component (inside path); else NULL. */
const char *file_in_dir(const char *path, const char *dir);
/* Whether paths a and b name the same place: the same text (trailing '/'
 * aside), or the same last component in the same folder on disk. */
int file_same_place(const char *a, const char *b);
void outdir_init(struct outdir *o);
int outdir_begin(struct outdir *o, const char *final, struct diag *d);
int outdir_put(struct outdir *o, const char *name, const void *data, size_t len, struct diag *d);
int outdir_commit(struct outdir *o, struct diag *d);
void outdir_discard(struct outdir *o);

/* Tests only: with DOVETAIL_TEST_KILL_AT=POINT:N in the environment, the
 * N-th call with that point kills the process with SIGKILL (a real crash at
 * a known moment, tests/cli/t-crash.sh). Points: file-staged, file-commit,
 * outdir-put, outdir-commit, outdir-swapped, scratch. */
void file_kill_point(const char *point);
/* Tests only: fn (NULL: none) is called with each temporary's path after it
 * is made and before it is locked, where another dovetail cleaning stale
 * temporaries may remove it (the writers then make another). */
void file_test_on_made(void (*fn)(const char *path));

/* Whether s[0 .. len) is exactly one calendar address as iTIP mails it:
 * mailto:LOCAL@DOMAIN (scheme in any case), printable ASCII with no space,
 * quote, comma, angle bracket or other RFC 5322 special, one '@' with text
 * on both sides, at most 254 characters after the scheme. So it cannot add
 * a recipient or a header when written into a mail header. */
int addr_is_one(const char *s, size_t len);

void bytes_release(struct bytes *b);

/* data in base64 as MIME writes it (RFC 2045): lines of 76 characters,
 * each ended by CRLF. Allocated (xalloc.h: never NULL); caller frees. */
char *base64_mime(const void *data, size_t len);

/* SHA-256 of data as 64 lowercase hex digits plus NUL in out[65]. */
void hash_sha256_hex(const void *data, size_t len, char out[65]);

/* Incremental form, for hashing several pieces. */
struct hash_ctx;
struct hash_ctx *hash_new(void);                  /* never NULL; caller frees with hash_free */
void hash_update(struct hash_ctx *h, const void *data, size_t len);
void hash_final_hex(struct hash_ctx *h, char out[65]);
void hash_free(struct hash_ctx *h);               /* NULL-safe */

/* Days from 1970-01-01 of a proleptic Gregorian date; and back. */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t z, int *y, int *m, int *d);

/*
 * Parse a command-line instant, as UTC seconds since the epoch. Accepts
 * YYYYMMDDTHHMMSSZ, YYYYMMDD, YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS]Z.
 * A date means its midnight UTC. Returns 0 or -1.
 */
int time_parse_arg(const char *s, int64_t *out);

/* Format UTC seconds as YYYYMMDDTHHMMSSZ (out >= 17 bytes). */
void time_fmt_utc(int64_t t, char *out);
/* Format "wall" seconds (floating or all-day as if UTC) as YYYYMMDDTHHMMSS
 * or YYYYMMDD. */
void time_fmt_wall(int64_t t, int is_date, char *out);
/* ISO 8601 form 2026-11-23T09:30:00Z (out >= 21 bytes). */
void time_fmt_iso(int64_t t, char *out);

/* Local minutes of a day (clipped to 0..1440) as HH:MM (out >= 8 bytes). */
void time_fmt_hhmm(int minutes, char *out);
/* A local date (days since the epoch) as "Mon 23 Nov"; pad puts the day
 * in two columns (" 3") for tables. */
void time_fmt_day(int64_t date, int pad, char *out, size_t sz);
/* The weekday of a date (days since the epoch, negative ones too):
 * 0 = Monday .. 6 = Sunday. The one place the formula is written. */
int time_weekday(int64_t date);
/* The Monday-Sunday week a date falls in (days since the epoch): equal for
 * two dates of the same week. */
int64_t time_week(int64_t date);
/* A local date as 2026-11-23. */
void time_fmt_date(int64_t date, char *out, size_t sz);
/* Local minute `minutes` counted from the midnight of date (it may pass
 * 1440 into the next day) as 2026-11-23T09:30. */
void time_fmt_local(int64_t date, int minutes, char *out, size_t sz);

/* ---- feed names that are URLs (src/util/url.c) --------------------------
 * Pure string functions, so that a profile can tell a URL from a file
 * without the network layer (include/dovetail/fetch.h fetches them). */
/* The longest URL of a feed or a CalDAV collection (bytes, as given): a
 * longer one is refused (D_NET_URL_LONG, or at its line in a profile),
 * never cut short. */
#define FETCH_MAX_URL 2000

/* Whether s names a feed by URL (http://, https://, webcal://, or a
 * CalDAV collection, caldav+http:// or caldav+https://; any case). */
int fetch_is_url(const char *s);
/* Whether s names a CalDAV collection (caldav+http(s)://; any case). */
int fetch_is_caldav(const char *s);
/* url with any user and password taken out, for the store (it is the
 * feed's identity, and what a later fetch needs); out >= strlen(url) + 1
 * bytes. Never shown: messages use fetch_url_redacted() (fetch.h). */
void fetch_url_shown(const char *url, char *out, size_t sz);
/* Where url's authority starts (*a, after "scheme://") and ends (*e,
 * before / ? #). */
void url_authority(const char *url, const char **a, const char **e);
/* Just past the '@' ending url's user and password, or NULL: none. */
const char *url_userinfo_end(const char *url);

#endif
