/* caldav_write.c: the family's calendar into a CalDAV collection: conditional PUTs and DELETEs of dovetail's own objects, each recorded as it is done. */
#include "dovetail/caldav.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dovetail/store.h"
#include "net_impl.h"
#include "dovetail/xalloc.h"

static size_t env_bound(const char *name, size_t dflt)
{
	const char *t = getenv(name);
	char *end;
	unsigned long long v = t && *t ? strtoull(t, &end, 10) : 0;
	return t && *t && !*end && v >= 1 && v <= dflt ? (size_t)v : dflt;
}

void caldav_write_opts_default(struct caldav_write_opts *o, const char *person, int64_t now)
{
	memset(o, 0, sizeof *o);
	o->person = person;
	o->now = now;
	o->max_objects = env_bound("DOVETAIL_CALDAV_MAX_OBJECTS", CALDAV_MAX_OBJECTS);
	o->max_bytes = env_bound("DOVETAIL_CALDAV_MAX_BYTES", CALDAV_MAX_BYTES);
	/* answers to a PUT or DELETE are short; a GET is one object */
	fetch_opts_default(&o->net, 1u << 20);
	o->net.deadline_ms = fetch_deadline();
}

struct ctx {
	struct store *s;
	const struct caldav_write_opts *o;
	struct caldav_write_report *r;
	const char *collection;   /* the store's key: caldav+ URL, no credentials */
	const char *http;         /* the collection as http(s)://.../ */
	const char *shown;        /* as messages show it */
	struct diag *d;
};

/* One request; a failure is D_CALDAV_WRITE naming method and resource. */
static int request(struct ctx *c, struct net_req *q, const char *name, struct fetch_result *res)
{
	struct diag quiet;
	diag_init(&quiet);
	q->no_redirects = 1;
	int rc = net_request(q, &c->o->net, NULL, res, &quiet);
	if (rc < 0)
		diag_add(c->d, D_CALDAV_WRITE, NULL, 0, 0, c->shown, q->method, name,
			 res->error[0] ? res->error : "the request failed");
	diag_release(&quiet);
	return rc;
}

static void conflict(struct ctx *c, const char *name, const char *why)
{
	diag_add(c->d, D_CALDAV_CONFLICT, NULL, 0, 0, c->shown, name, why);
	c->r->conflicts++;
}

/* GET the object at url: 200 (the body and its ETag) or 404 in res->status. */
static int get(struct ctx *c, const char *url, const char *name, struct fetch_result *res)
{
	struct net_req q = { .method = "GET", .url = url, .want = 200, .also = { 404, 0 } };
	return request(c, &q, name, res);
}

static int record(struct ctx *c, const struct cal_object *ob, const char *etag)
{
	struct store_caldav_obj rec = { (char *)ob->uid, (char *)ob->name, (char *)etag, (char *)ob->digest };
	return store_caldav_obj_put(c->s, c->o->person, c->collection, &rec, c->o->now, c->d);
}

/* PUT ob, new (rec NULL) or replacing what dovetail wrote (rec). */
static int put_one(struct ctx *c, const struct cal_object *ob, const struct store_caldav_obj *rec)
{
	char url[FETCH_MAX_URL + 256];
	if ((size_t)snprintf(url, sizeof url, "%s%s", c->http, ob->name) >= sizeof url) {
		conflict(c, ob->name, "its URL would be too long");
		return 0;
	}
	const char *etag = rec ? rec->etag : NULL;
	int fresh = !rec;
	if (!fresh && !etag) {
		conflict(c, ob->name, "the server gave no ETag for it, so it cannot be replaced safely");
		return 0;
	}
	/* at most twice: once more, afresh, when someone else deleted it */
	for (int attempt = 0; attempt < 2; attempt++) {
		struct net_req q = { .method = "PUT", .url = url, .body = ob->text,
				     .content_type = "text/calendar; charset=utf-8",
				     .if_match = fresh ? NULL : etag, .if_none_match_any = fresh,
				     .also = { 412, 0 } };
		struct fetch_result res, g;
		if (request(c, &q, ob->name, &res) < 0)
			return -1;
		if (res.status != 412) {
			c->r->bytes += strlen(ob->text);
			/* the ETag of what the server holds now: its answer's, else
			 * (a server that changed what it was given gives none,
			 * RFC 4791 5.3.4) one GET's */
			int rc = 0;
			char *tag = res.v.etag;
			res.v.etag = NULL;
			if (!tag) {
				rc = get(c, url, ob->name, &g);
				if (rc == 0 && g.status == 200) {
					tag = g.v.etag;
					g.v.etag = NULL;
				}
				if (rc == 0)
					fetch_result_release(&g);
			}
			if (rc == 0)
				rc = record(c, ob, tag);
			if (rc == 0)
				(fresh ? c->r->created++ : c->r->replaced++);
			free(tag);
			fetch_result_release(&res);
			return rc;
		}
		fetch_result_release(&res);
		/* 412: what is there? */
		if (get(c, url, ob->name, &g) < 0)
			return -1;
		if (g.status == 404) {
			fetch_result_release(&g);
			fresh = 1;   /* gone: written afresh, never over anything */
			continue;
		}
		char dg[65];
		cal_object_digest(g.body.data ? g.body.data : "", dg);
		if (dg[0] && strcmp(dg, ob->digest) == 0 && g.v.etag) {
			/* exactly what dovetail writes (an earlier run's PUT whose
			 * answer was lost): it is dovetail's */
			int rc = record(c, ob, g.v.etag);
			if (rc == 0)
				c->r->adopted++;
			fetch_result_release(&g);
			return rc;
		}
		fetch_result_release(&g);
		conflict(c, ob->name, fresh ? "an object dovetail did not write is there (HTTP status 412), so it is not replaced"
					    : "changed on the server since dovetail wrote it (HTTP status 412), so it is not replaced");
		return 0;
	}
	conflict(c, ob->name, "it came and went on the server while dovetail wrote it, so it is not replaced");
	return 0;
}

/* DELETE what dovetail wrote and the plan no longer holds. */
static int delete_one(struct ctx *c, const struct store_caldav_obj *rec)
{
	char url[FETCH_MAX_URL + 256];
	if ((size_t)snprintf(url, sizeof url, "%s%s", c->http, rec->name) >= sizeof url) {
		conflict(c, rec->name, "its URL would be too long");
		return 0;
	}
	if (!rec->etag) {
		conflict(c, rec->name, "the server gave no ETag for it, so it cannot be deleted safely");
		return 0;
	}
	struct net_req q = { .method = "DELETE", .url = url, .if_match = rec->etag, .also = { 404, 412 } };
	struct fetch_result res, g;
	if (request(c, &q, rec->name, &res) < 0)
		return -1;
	long st = res.status;
	fetch_result_release(&res);
	int gone = st != 412;
	if (!gone) {
		if (get(c, url, rec->name, &g) < 0)
			return -1;
		gone = g.status == 404;
		fetch_result_release(&g);
	}
	if (!gone)
		conflict(c, rec->name, "changed on the server since dovetail wrote it (HTTP status 412), so it is"
				       " not deleted, and no longer dovetail's");
	if (store_caldav_obj_forget(c->s, c->o->person, c->collection, rec->uid, c->d) < 0)
		return -1;
	if (gone)
		c->r->deleted++;
	return 0;
}

/* The bytes the objects of objs that recs do not hold unchanged would PUT
 * (both lists sorted by UID). */
static size_t bytes_to_put(const struct cal_objects *objs, const struct store_caldav_obj *recs, size_t n_recs)
{
	size_t bytes = 0;
	for (size_t i = 0, j = 0; i < objs->n; i++) {
		assert(i == 0 || strcmp(objs->v[i - 1].uid, objs->v[i].uid) < 0);
		while (j < n_recs && strcmp(recs[j].uid, objs->v[i].uid) < 0)
			j++;
		if (!(j < n_recs && strcmp(recs[j].uid, objs->v[i].uid) == 0 &&
		      strcmp(recs[j].digest, objs->v[i].digest) == 0))
			bytes += strlen(objs->v[i].text);
	}
	return bytes;
}

/* D_CALDAV_LIMIT naming what passed which bound. */
static void limit_passed(struct diag *d, const char *shown, const char *what, size_t bound, const char *unit)
{
	char lim[48];
	snprintf(lim, sizeof lim, "%zu%s", bound, unit);
	diag_add(d, D_CALDAV_LIMIT, NULL, 0, 0, shown, what, lim);
}

/* Walk objs and recs (both sorted by UID) together: PUT what is new or
 * changed, DELETE what the plan no longer holds, count what is
 * unchanged. Returns 0, or -1 when a request failed (d filled). */
static int sync_objects(struct ctx *c, const struct cal_objects *objs, const struct store_caldav_obj *recs,
			size_t n_recs)
{
	size_t j = 0;
	for (size_t i = 0; i < objs->n; i++) {
		const struct cal_object *ob = &objs->v[i];
		while (j < n_recs && strcmp(recs[j].uid, ob->uid) < 0) {
			if (delete_one(c, &recs[j]) < 0)
				return -1;
			j++;
		}
		const struct store_caldav_obj *rec = j < n_recs && strcmp(recs[j].uid, ob->uid) == 0 ? &recs[j] : NULL;
		if (rec)
			j++;
		if (rec && strcmp(rec->digest, ob->digest) == 0) {
			c->r->unchanged++;
			continue;
		}
		if (put_one(c, ob, rec) < 0)
			return -1;
	}
	for (; j < n_recs; j++)
		if (delete_one(c, &recs[j]) < 0)
			return -1;
	return 0;
}

int caldav_write(struct store *s, const char *url, const struct cal_objects *objs,
		 const struct caldav_write_opts *o, struct caldav_write_report *r, struct diag *d)
{
	memset(r, 0, sizeof *r);
	assert(fetch_is_caldav(url));
	size_t ulen = strlen(url);
	char *shown = xmalloc(ulen + 128), *coll = xmalloc(ulen + 2), *http = xmalloc(ulen + 2);
	struct store_caldav_obj *recs = NULL;
	size_t n_recs = 0;
	int rc = -1;
	fetch_url_redacted(url, shown, ulen + 128);
	if (ulen > FETCH_MAX_URL) {
		diag_add(d, D_NET_URL_LONG, NULL, 0, 0, shown, DV_STR(FETCH_MAX_URL));
		goto out;
	}
	fetch_url_shown(url, coll, ulen + 2);
	if (strcmp(coll, url) != 0) {
		diag_add(d, D_NET_CREDENTIALS, NULL, 0, 0, shown);
		goto out;
	}
	/* the collection, ending with one "/", its objects beneath */
	if (ulen && url[ulen - 1] != '/')
		strcat(coll, "/");
	snprintf(http, ulen + 2, "%s", coll + 7);   /* past "caldav+" */
	char what[96];
	if (objs->n > o->max_objects) {
		snprintf(what, sizeof what, "the plan has %zu calendar objects", objs->n);
		limit_passed(d, shown, what, o->max_objects, "");
		goto out;
	}
	if (store_caldav_objs(s, o->person, coll, o->max_objects, &recs, &n_recs, d) < 0)
		goto out;
	if (n_recs > o->max_objects) {
		snprintf(what, sizeof what, "the store records more than %zu objects written there", o->max_objects);
		limit_passed(d, shown, what, o->max_objects, "");
		goto out;
	}
	size_t bytes = bytes_to_put(objs, recs, n_recs);
	if (bytes > o->max_bytes) {
		snprintf(what, sizeof what, "the objects to write are %zu bytes", bytes);
		limit_passed(d, shown, what, o->max_bytes, " bytes");
		goto out;
	}
	struct ctx c = { s, o, r, coll, http, shown, d };
	rc = sync_objects(&c, objs, recs, n_recs);
out:
	store_caldav_objs_free(recs, n_recs);
	free(shown);
	free(coll);
	free(http);
	return rc;
}
