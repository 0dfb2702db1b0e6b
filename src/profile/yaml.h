/* yaml.h: the profile's first pass: bounded, strict YAML into a tree with positions (private). */
#ifndef DOVETAIL_PROFILE_YAML_H
#define DOVETAIL_PROFILE_YAML_H

#include <stddef.h>

#include "dovetail/diag.h"

/* Bounds on a profile (docs/profile.md, "Bounds"). */
#define YT_MAX_FILE   (1024 * 1024)
#define YT_MAX_SCALAR 4096
#define YT_MAX_DEPTH  32
#define YT_MAX_EVENTS 100000

enum yt_type { YT_SCALAR, YT_MAP, YT_SEQ };

struct ynode {
	enum yt_type type;
	int line, col;          /* 1-based, where the node starts */
	/* YT_SCALAR */
	char *s;                /* owned, NUL-terminated */
	size_t len;
	int plain;              /* written without quotes (so `30` may be a number) */
	/* YT_MAP: keys[i] (scalars) map to kids[i]; YT_SEQ: kids[i] */
	struct ynode **keys;
	struct ynode **kids;
	size_t n, cap, kcap;
};

/*
 * Load YAML text (len bytes, from file `file`, used in diagnostics) as one
 * document into a tree. Refuses anchors, aliases, tags, complex keys,
 * non-scalar keys, invalid UTF-8, more than one document, and anything past
 * the YT_* bounds, each as an error at its line and column.
 * Returns the root (free with ynode_free), or NULL with d filled.
 */
struct ynode *yt_load(const char *file, const char *text, size_t len, struct diag *d);
/* The same with other bounds on the file's size and its YAML events (a
 * caseload is larger than a profile; docs/batch.md). */
struct ynode *yt_load_bounded(const char *file, const char *text, size_t len, size_t max_file,
			      long max_events, struct diag *d);
void ynode_free(struct ynode *n);   /* NULL-safe, frees the whole tree */

/*
 * The schema layer profiles and caseloads share: check mapping m's keys
 * against allowed (NULL-terminated). A key not in allowed is
 * D_PROF_UNKNOWN_KEY at its line and column; the key itself is never
 * quoted (it may be any line of a file that is not YAML at all, a
 * passwd line say), only the nearest allowed key when one is close ("did
 * you mean 'profile'?"), else a pointer to doc. An allowed key given twice
 * is D_PROF_DUP_KEY. `where` names the mapping ("persons[2]").
 * Returns the number of errors added.
 */
int yt_check_keys(const char *file, const struct ynode *m, const char *where,
		  const char *const *allowed, const char *doc, struct diag *d);

/* "a mapping", "a list", "a text value" */
const char *yt_type_name(const struct ynode *n);

#endif
