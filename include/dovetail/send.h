/* send.h: mailing the iTIP messages by SMTP, once each, threaded and recorded (docs/send.md). */
#ifndef DOVETAIL_SEND_H
#define DOVETAIL_SEND_H

#include <stddef.h>
#include <stdint.h>

#include "dovetail/diag.h"
#include "dovetail/export.h"
#include "dovetail/profile.h"
#include "dovetail/store.h"
#include "dovetail/week.h"

/* ---- SMTP (src/net/smtp.c) ------------------------------------------------ */

/* Where and how to send. Filled by smtp_conf_load; the strings point into
 * the profile or the environment (getenv), which must outlive it. */
struct smtp_conf {
	const char *url;          /* smtp://HOST[:PORT] or smtps://HOST[:PORT]; no user or password */
	const char *user;         /* the login (used with password), or NULL */
	const char *password;     /* $DOVETAIL_SMTP_PASSWORD, or NULL (netrc); never shown */
	const char *ca_file;      /* CA certificates to trust, or NULL: the system's */
	const char *from;         /* the envelope sender, an address without "mailto:" */
	int starttls;             /* smtp://: 1 STARTTLS is required (CURLUSESSL_ALL) */
	long connect_timeout_s;   /* 10, or less than timeout_s */
	long timeout_s;           /* each message's whole exchange: 60, or $DOVETAIL_SMTP_TIMEOUT (1..3600) */
	size_t max_bytes;         /* one message: 1 MiB, or $DOVETAIL_SMTP_MAX_BYTES (1024..16 MiB) */
	size_t max_messages;      /* sent per run: 200, or $DOVETAIL_SMTP_MAX_MESSAGES (1..10000) */
	long total_s;             /* no message started after the run has taken this long: 1800, or
				     $DOVETAIL_SMTP_TOTAL (1..86400) */
};

/*
 * The configuration for profile p: the server from $DOVETAIL_SMTP_URL, else
 * mail.server; the login from $DOVETAIL_SMTP_USER, else mail.username; the
 * password from $DOVETAIL_SMTP_PASSWORD (without one, the login and
 * password a netrc file, $NETRC else ~/.netrc, gives for the host); the CA from $DOVETAIL_SMTP_CA, else mail.ca_file; STARTTLS
 * required unless mail.starttls is false or $DOVETAIL_SMTP_STARTTLS is 0.
 * need_server: no server is an error (D_SMTP_CONF); else url may be NULL.
 * Returns 0, or -1 with d filled (D_SMTP_CONF: no server, a URL that is
 * not smtp(s):// or that holds a user or password, no coordinator.address).
 */
int smtp_conf_load(const struct profile *p, int need_server, struct smtp_conf *c, struct diag *d);

/* The server as messages show it: scheme, host and port, nothing else. */
void smtp_url_shown(const char *url, char *out, size_t sz);

struct smtp;
/* A session: the connection is opened by the first smtp_send and kept for
 * the next. Returns NULL when out of memory (d filled). */
struct smtp *smtp_new(const struct smtp_conf *c, struct diag *d);
void smtp_free(struct smtp *s);   /* NULL-safe; closes the connection */

/*
 * Mail msg (len bytes, CRLF lines) to rcpt (an address without "mailto:";
 * checked as exactly one address), from c->from. TLS is verified; on
 * smtp:// STARTTLS is required unless c->starttls is 0 (then no
 * credentials are offered). Returns 0 when the server accepted the message
 * (250 after the data), or -1 with d filled: D_SMTP_REFUSED (a 5xx to the
 * recipient: exit 65) or D_SMTP_FAILED (anything else: exit 69), naming
 * the server (smtp_url_shown), the recipient and the server's last reply
 * (code and text, printable ASCII, at most 200 bytes) or curl's error;
 * never the message, never a credential.
 */
int smtp_send(struct smtp *s, const char *rcpt, const char *msg, size_t len, struct diag *d);

/* ---- send (src/export/send.c) --------------------------------------------- */

enum send_state {
	SEND_SENT,        /* the server accepted it; recorded */
	SEND_ALREADY,     /* the same message went to the same recipient before: skipped */
	SEND_WOULD,       /* --dry-run: it would be sent */
	SEND_FAILED,      /* refused or failed (d says why) */
	SEND_LEFT         /* not tried: after a failure, or past max_messages */
};

struct send_item {
	int prac;                 /* index into profile.pracs */
	enum itip_method method;
	const char *to;           /* "mailto:...", as itip_msg.to */
	char subject[128];
	char message_id[160];
	char in_reply_to[160];    /* "" when it is the first about its appointments */
	size_t n_refs;            /* ids in References */
	size_t n_changes;
	enum send_state state;
};

struct send_report {
	struct send_item *v;      /* owned; in export_itip's order */
	size_t n;
	size_t sent, already, would, left;
	size_t revisions;         /* revised REQUESTs among them (mark_revisions) */
	struct week *week;        /* owned: the week the messages were built from
				     (the items' `to` point into it) */
};
void send_report_release(struct send_report *r);

struct send_opts {
	int64_t now;              /* DTSTAMP, Date and sent_at */
	int counter;              /* as export --itip --counter */
	int dry_run;              /* send nothing, record nothing */
};

/*
 * Mail the agreed changes of week w (person p = w->p) as export --itip
 * --eml writes them (export_itip), each once: a message whose digest
 * (itip_msg.digest) went to its recipient before is skipped (SEND_ALREADY);
 * one about an appointment (practitioner, UID, RECURRENCE-ID) mailed before
 * is a re-send, with In-Reply-To the last message about it and References
 * (itip_mail_thread). Each message the server accepts is recorded at once
 * (store_sent_add, its own transaction), so a failure leaves the record
 * holding exactly what was accepted. The first failure stops the run: the
 * rest are SEND_LEFT. So are those past c->max_messages (D_SEND_LIMIT). A
 * message larger than c->max_bytes stops the run (D_SEND_TOO_BIG). With
 * dry_run nothing is sent or recorded, and no server is needed. The SMTP
 * configuration is loaded (smtp_conf_load) only when something is to be
 * sent. Returns 0 with r filled, or -1 with d filled and r saying how far
 * it got.
 */
int send_run(struct store *s, const struct week *w, const struct send_opts *o, struct send_report *r,
	     struct diag *d);

#endif
