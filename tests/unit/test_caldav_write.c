/* test_caldav_write.c: unit tests for what CalDAV write-back keeps: the content digest (export/family.c) and the store's records (store/caldav.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dovetail/export.h"
#include "dovetail/store.h"
#include "tap.h"

static char dir[] = "/tmp/dovetail-test-caldavw.XXXXXX";

#define OBJ "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//dovetail//dovetail//EN\r\nBEGIN:VEVENT\r\n" \
	"UID:0123456789abcdef0123456789abcdef@family.dovetail.invalid\r\nDTSTAMP:20261123T000000Z\r\n" \
	"DTSTART:20261124T090000Z\r\nDTEND:20261124T100000Z\r\nSUMMARY:physiotherapist\r\n" \
	"LOCATION:Child Development Centre\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

int main(void)
{
	char a[65], b[65];
	cal_object_digest(OBJ, a);
	ok(strlen(a) == 64, "a digest is 64 hex digits");
	/* what a server may do to what it was given, and the same content */
	char other[2048];
	snprintf(other, sizeof other, "%s", OBJ);
	char *p = strstr(other, "DTSTAMP:20261123");
	memcpy(p, "DTSTAMP:20261124", 16);
	cal_object_digest(other, b);
	ok(strcmp(a, b) == 0, "another DTSTAMP: the same digest (it is the export's time, not the plan)");
	cal_object_digest("BEGIN:VCALENDAR\nPRODID:-//dovetail//dovetail//EN\nVERSION:2.0\nBEGIN:VEVENT\n"
			  "UID:0123456789abcdef0123456789abcdef@family.dovetail.invalid\nDTSTART:20261124T090000Z\n"
			  "DTEND:20261124T100000Z\nLOCATION:Child Development\n  Centre\nSUMMARY:physiotherapist\n"
			  "END:VEVENT\nEND:VCALENDAR\n", b);
	ok(strcmp(a, b) == 0, "lines reordered, LF endings, a line folded, no DTSTAMP: the same digest");
	snprintf(other, sizeof other, "%s", OBJ);
	p = strstr(other, "T090000Z");
	memcpy(p, "T091500Z", 8);
	cal_object_digest(other, b);
	ok(strcmp(a, b) != 0, "another DTSTART: another digest");
	snprintf(other, sizeof other, "%s", OBJ);
	p = strstr(other, "Child");
	*p = 'c';
	cal_object_digest(other, b);
	ok(strcmp(a, b) != 0, "another LOCATION (one letter's case): another digest");

	/* the store's records */
	if (!mkdtemp(dir))
		return 1;
	char db[128];
	snprintf(db, sizeof db, "%s/s.db", dir);
	struct diag d;
	diag_init(&d);
	struct store *s = NULL;
	ok(store_open(&s, db, 0, &d) == 0, "open a store");
	struct store_caldav_obj r1 = { "b@x", "b.ics", "\"e1\"", "d1" }, r2 = { "a@x", "a.ics", NULL, "d2" };
	const char *coll = "caldav+https://h/c/";
	ok(store_caldav_obj_put(s, "p1", coll, &r1, 1, &d) == 0 && store_caldav_obj_put(s, "p1", coll, &r2, 1, &d) == 0 &&
	   store_caldav_obj_put(s, "p2", coll, &r1, 1, &d) == 0 &&
	   store_caldav_obj_put(s, "p1", "caldav+https://h/other/", &r1, 1, &d) == 0,
	   "record objects of two persons in two collections");
	struct store_caldav_obj *v = NULL;
	size_t n = 0;
	ok(store_caldav_objs(s, "p1", coll, 10, &v, &n, &d) == 0 && n == 2, "p1's objects in the collection: 2");
	ok(n == 2 && strcmp(v[0].uid, "a@x") == 0 && !v[0].etag && strcmp(v[1].uid, "b@x") == 0 &&
	   strcmp(v[1].etag, "\"e1\"") == 0 && strcmp(v[1].digest, "d1") == 0 && strcmp(v[1].name, "b.ics") == 0,
	   "... by UID, with name, ETag (or none) and digest");
	store_caldav_objs_free(v, n);
	ok(store_caldav_objs(s, "p1", coll, 1, &v, &n, &d) == 0 && n == 2,
	   "with a bound of 1: 2 read, so that the caller sees it is past");
	store_caldav_objs_free(v, n);
	r1.etag = "\"e2\"";
	ok(store_caldav_obj_put(s, "p1", coll, &r1, 2, &d) == 0, "record it again with a new ETag");
	ok(store_caldav_objs(s, "p1", coll, 10, &v, &n, &d) == 0 && n == 2 && strcmp(v[1].etag, "\"e2\"") == 0,
	   "... replaced, not added");
	store_caldav_objs_free(v, n);
	ok(store_caldav_obj_forget(s, "p1", coll, "a@x", &d) == 0, "forget one");
	ok(store_caldav_objs(s, "p1", coll, 10, &v, &n, &d) == 0 && n == 1 && strcmp(v[0].uid, "b@x") == 0,
	   "... the other stays");
	store_caldav_objs_free(v, n);
	ok(store_caldav_objs(s, "p2", coll, 10, &v, &n, &d) == 0 && n == 1, "p2's own record is untouched");
	store_caldav_objs_free(v, n);
	ok(d.n == 0, "no diagnostics");
	store_close(s);
	diag_release(&d);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
