/* yaml.c: the profile's first pass: libyaml events into a bounded tree, refusing what a profile never needs. */
#include "yaml.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "dovetail/util.h"
#include "dovetail/xalloc.h"

void ynode_free(struct ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++) {
		if (n->keys)
			ynode_free(n->keys[i]);
		ynode_free(n->kids[i]);
	}
	free(n->keys);
	free(n->kids);
	free(n->s);
	free(n);
}

const char *yt_type_name(const struct ynode *n)
{
	switch (n->type) {
	case YT_MAP: return "a mapping";
	case YT_SEQ: return "a list";
	default: return n->plain && n->len == 0 ? "an empty value" : "a text value";
	}
}

/* Line and column (1-based, columns in characters) of byte offset off. */
static void position(const char *text, size_t off, int *line, int *col)
{
	int l = 1, c = 1;
	for (size_t i = 0; i < off; i++) {
		unsigned char b = (unsigned char)text[i];
		if (b == '\n') {
			l++;
			c = 1;
		} else if ((b & 0xc0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

/* The offset of the first byte that is not valid UTF-8, or len. */
static size_t utf8_bad(const unsigned char *p, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned char b = p[i];
		size_t n;
		unsigned min;
		if (b < 0x80) {
			i++;
			continue;
		} else if ((b & 0xe0) == 0xc0) {
			n = 2; min = 0x80;
		} else if ((b & 0xf0) == 0xe0) {
			n = 3; min = 0x800;
		} else if ((b & 0xf8) == 0xf0) {
			n = 4; min = 0x10000;
		} else {
			return i;
		}
		if (i + n > len)
			return i;
		unsigned cp = b & (0x7f >> n);
		for (size_t k = 1; k < n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return i;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += n;
	}
	return len;
}

struct frame {
	struct ynode *node;
	struct ynode *key;   /* a mapping's key waiting for its value */
};

struct loader {
	const char *file;
	struct diag *d;
	struct frame stack[YT_MAX_DEPTH + 1];
	int depth;
	struct ynode *root;
	int failed;
	long max_events;
};

static void fail_at(struct loader *L, const yaml_mark_t *m, enum diag_code code, const char *arg)
{
	if (L->failed)
		return;
	L->failed = 1;
	diag_add(L->d, code, L->file, (int)m->line + 1, (int)m->column + 1, arg);
}

static struct ynode *node_new(enum yt_type t, const yaml_mark_t *m)
{
	struct ynode *n = xcalloc(1, sizeof *n);
	n->type = t;
	n->line = (int)m->line + 1;
	n->col = (int)m->column + 1;
	return n;
}

/* Attach a finished node to its parent (or make it the root). */
static int attach(struct loader *L, struct ynode *n, const yaml_mark_t *m)
{
	if (L->depth == 0) {
		L->root = n;
		return 0;
	}
	struct frame *f = &L->stack[L->depth - 1];
	struct ynode *p = f->node;
	if (p->type == YT_MAP && !f->key) {
		if (n->type != YT_SCALAR) {
			ynode_free(n);
			fail_at(L, m, D_PROF_REFUSED, "complex (non-text) keys");
			return -1;
		}
		if (n->plain && strcmp(n->s, "<<") == 0) {
			ynode_free(n);
			fail_at(L, m, D_PROF_REFUSED, "merge keys (<<)");
			return -1;
		}
		f->key = n;
		return 0;
	}
	if (buf_reserve((void **)&p->kids, &p->cap, p->n + 1, sizeof *p->kids) < 0)
		goto oom;
	if (p->type == YT_MAP) {
		if (buf_reserve((void **)&p->keys, &p->kcap, p->n + 1, sizeof *p->keys) < 0)
			goto oom;
		p->keys[p->n] = f->key;
		f->key = NULL;
	}
	p->kids[p->n++] = n;
	return 0;
oom:
	ynode_free(n);
	fail_at(L, m, D_PROF_YAML, "out of memory");
	return -1;
}

static int refuse_props(struct loader *L, const yaml_mark_t *m, const yaml_char_t *anchor,
			const yaml_char_t *tag, int implicit_tag)
{
	if (anchor) {
		fail_at(L, m, D_PROF_REFUSED, "anchors (&)");
		return -1;
	}
	if (tag && !implicit_tag) {
		fail_at(L, m, D_PROF_REFUSED, "tags (!)");
		return -1;
	}
	return 0;
}

static void event(struct loader *L, yaml_event_t *e)
{
	const yaml_mark_t *m = &e->start_mark;
	switch (e->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (L->root)
			fail_at(L, m, D_PROF_YAML, "more than one document in the profile");
		else if (e->data.document_start.tag_directives.start !=
			 e->data.document_start.tag_directives.end)
			fail_at(L, m, D_PROF_REFUSED, "tag directives (%TAG)");
		break;
	case YAML_ALIAS_EVENT:
		fail_at(L, m, D_PROF_REFUSED, "aliases (*)");
		break;
	case YAML_SCALAR_EVENT: {
		if (refuse_props(L, m, e->data.scalar.anchor, e->data.scalar.tag,
				 e->data.scalar.plain_implicit || e->data.scalar.quoted_implicit) < 0)
			break;
		if (e->data.scalar.length > YT_MAX_SCALAR) {
			char b[32];
			snprintf(b, sizeof b, "%d", YT_MAX_SCALAR);
			fail_at(L, m, D_PROF_SCALAR, b);
			break;
		}
		struct ynode *n = node_new(YT_SCALAR, m);
		char *s = xmalloc(e->data.scalar.length + 1);
		memcpy(s, e->data.scalar.value, e->data.scalar.length);
		s[e->data.scalar.length] = '\0';
		n->s = s;
		n->len = e->data.scalar.length;
		n->plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if (memchr(s, '\0', n->len)) {
			ynode_free(n);
			fail_at(L, m, D_PROF_YAML, "a NUL character in a value");
			break;
		}
		attach(L, n, m);
		break;
	}
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		int is_map = e->type == YAML_MAPPING_START_EVENT;
		const yaml_char_t *anchor = is_map ? e->data.mapping_start.anchor : e->data.sequence_start.anchor;
		const yaml_char_t *tag = is_map ? e->data.mapping_start.tag : e->data.sequence_start.tag;
		int implicit = is_map ? e->data.mapping_start.implicit : e->data.sequence_start.implicit;
		if (refuse_props(L, m, anchor, tag, implicit) < 0)
			break;
		if (L->depth >= YT_MAX_DEPTH) {
			char b[32];
			snprintf(b, sizeof b, "%d", YT_MAX_DEPTH);
			fail_at(L, m, D_PROF_DEEP, b);
			break;
		}
		struct ynode *n = node_new(is_map ? YT_MAP : YT_SEQ, m);
		/* A container that is a mapping key is refused in attach(); check
		 * first so the tree never holds a half-built key. */
		if (L->depth > 0 && L->stack[L->depth - 1].node->type == YT_MAP &&
		    !L->stack[L->depth - 1].key) {
			ynode_free(n);
			fail_at(L, m, D_PROF_REFUSED, "complex (non-text) keys");
			break;
		}
		L->stack[L->depth].node = n;
		L->stack[L->depth].key = NULL;
		L->depth++;
		break;
	}
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT: {
		if (L->depth == 0)
			break;
		struct frame *f = &L->stack[--L->depth];
		struct ynode *n = f->node;
		ynode_free(f->key);
		f->key = NULL;
		f->node = NULL;
		attach(L, n, m);
		break;
	}
	default:
		break;
	}
}

/* Parse text[0, len) into L->root. Returns 0, or -1 (L->failed or a libyaml error reported). */
static int parse(struct loader *L, const char *text, size_t len, int report_syntax)
{
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		diag_add(L->d, D_PROF_YAML, L->file, 0, 0, "cannot start the YAML parser");
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	size_t events = 0;
	int done = 0, rc = 0;
	while (!done && !L->failed) {
		yaml_event_t e;
		if (!yaml_parser_parse(&p, &e)) {
			if (report_syntax) {
				char msg[256];
				const yaml_mark_t *m = p.problem_mark.line || p.problem_mark.column ?
					&p.problem_mark : &p.context_mark;
				snprintf(msg, sizeof msg, "%s%s%s", p.problem ? p.problem : "invalid YAML",
					 p.context ? " " : "", p.context ? p.context : "");
				fail_at(L, m, D_PROF_YAML, msg);
			}
			rc = -1;
			break;
		}
		if (++events > (size_t)L->max_events) {
			char b[32];
			snprintf(b, sizeof b, "%ld", L->max_events);
			fail_at(L, &e.start_mark, D_PROF_EVENTS, b);
		} else {
			event(L, &e);
		}
		done = e.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&e);
	}
	yaml_parser_delete(&p);
	/* unwind what an error left open */
	while (L->depth > 0) {
		struct frame *f = &L->stack[--L->depth];
		ynode_free(f->key);
		ynode_free(f->node);
	}
	if (L->failed || rc < 0) {
		ynode_free(L->root);
		L->root = NULL;
		return -1;
	}
	return 0;
}

struct ynode *yt_load(const char *file, const char *text, size_t len, struct diag *d)
{
	return yt_load_bounded(file, text, len, YT_MAX_FILE, YT_MAX_EVENTS, d);
}

struct ynode *yt_load_bounded(const char *file, const char *text, size_t len, size_t max_file,
			      long max_events, struct diag *d)
{
	struct loader L;
	memset(&L, 0, sizeof L);
	L.file = file;
	L.d = d;
	L.max_events = max_events;
	int line, col;
	size_t scan = len > max_file ? max_file : len;
	size_t bad = utf8_bad((const unsigned char *)text, scan);
	if (bad < scan) {
		char b[8];
		snprintf(b, sizeof b, "%02x", (unsigned char)text[bad]);
		position(text, bad, &line, &col);
		diag_add(d, D_PROF_BAD_UTF8, file, line, col, b);
		return NULL;
	}
	if (scan >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		diag_add(d, D_PROF_YAML, file, 1, 1, "a byte order mark; save the profile as UTF-8 without one");
		return NULL;
	}
	if (len > max_file) {
		/* Parse what fits: a bound passed inside it (a long value, deep
		 * nesting, an alias) is the better message; else say where the
		 * file passes the size bound. */
		if (parse(&L, text, scan, 0) < 0 && L.failed)
			return NULL;
		ynode_free(L.root);
		char b[32];
		snprintf(b, sizeof b, "%zu", max_file);
		position(text, scan, &line, &col);
		diag_add(d, D_PROF_TOO_BIG, file, line, col, b);
		return NULL;
	}
	if (parse(&L, text, len, 1) < 0)
		return NULL;
	if (!L.root) {
		diag_add(d, D_PROF_EMPTY, file, 1, 1);
		return NULL;
	}
	return L.root;
}

/* ---- the schema layer: keys ------------------------------------------------ */

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return SIZE_MAX;
	size_t row[65];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag_ = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			size_t best = diag_ + cost;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag_ = up;
		}
	}
	return row[lb];
}

int yt_check_keys(const char *file, const struct ynode *m, const char *where,
		  const char *const *allowed, const char *doc, struct diag *d)
{
	int errors = 0;
	for (size_t i = 0; i < m->n; i++) {
		const char *k = m->keys[i]->s;
		int known = 0;
		for (const char *const *a = allowed; *a; a++)
			if (strcmp(k, *a) == 0)
				known = 1;
		if (!known) {
			const char *best = NULL;
			size_t bd = SIZE_MAX;
			for (const char *const *a = allowed; *a; a++) {
				size_t dd = edit_distance(k, *a);
				if (dd < bd) {
					bd = dd;
					best = *a;
				}
			}
			size_t kl = strlen(k);
			char hint[128] = "";
			if (best && (bd <= 2 || bd <= kl / 3 || (kl >= 3 && strstr(best, k))))
				snprintf(hint, sizeof hint, "; did you mean '%s'?", best);   /* a key of the schema */
			else
				snprintf(hint, sizeof hint, "; valid keys: see %s", doc);
			diag_add(d, D_PROF_UNKNOWN_KEY, file, m->keys[i]->line, m->keys[i]->col, where, hint);
			errors++;
			continue;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(k, m->keys[j]->s) == 0) {
				char ln[16];
				snprintf(ln, sizeof ln, "%d", m->keys[j]->line);
				diag_add(d, D_PROF_DUP_KEY, file, m->keys[i]->line, m->keys[i]->col, k, ln);
				errors++;
				break;
			}
		}
	}
	return errors;
}
