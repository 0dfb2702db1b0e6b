#!/usr/bin/env python3
"""schema-check.py: compare a store's schema with src/store/schema.sql.

usage: schema-check.py STORE.db SCHEMA.sql

Loads SCHEMA.sql into an empty in-memory database and describes both the
same normalised way: every table, index and trigger of sqlite_master by
name; its SQL as tokens (comments and layout dropped, words upper-cased,
string literals kept); for a table each column (PRAGMA table_xinfo: name,
declared type, NOT NULL, default, primary-key position) and foreign key;
for an index its columns and uniqueness; and PRAGMA user_version. Prints
a unified diff and exits 1 when they differ, 0 when they are the same,
2 on a usage or SQL error. Standard library only (tests/cli/t-docs.sh).
"""
import difflib
import re
import sqlite3
import sys

TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>--[^\n]*|/\*.*?\*/)
  | (?P<string>'(?:[^']|'')*')
  | (?P<quoted>"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\])
  | (?P<word>[A-Za-z_][A-Za-z_0-9$]*)
  | (?P<number>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)
  | (?P<op><=|>=|<>|!=|==|\|\||<<|>>|.)
""", re.X | re.S)


def tokens(sql):
    """SQL as a list of tokens: layout and comments gone, case folded
    except inside string literals; "x" and x are the same name."""
    out = []
    for m in TOKEN.finditer(sql or ""):
        kind = m.lastgroup
        text = m.group()
        if kind in ("space", "comment"):
            continue
        if kind == "quoted":
            text = text[1:-1]
            kind = "word"
        out.append(text if kind == "string" else text.upper())
    return out


def describe(db):
    """One line per fact of db's schema, sorted, so that a diff reads."""
    lines = ["user_version %d" % db.execute("PRAGMA user_version").fetchone()[0]]
    rows = db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"
                      " ORDER BY type, name").fetchall()
    for typ, name, tbl, sql in rows:
        head = "%s %s" % (typ, name)
        if typ in ("index", "trigger") and tbl != name:
            head += " on " + tbl
        lines.append(head)
        if sql is not None:
            lines.append("  sql " + " ".join(tokens(sql)))
        if typ == "table":
            for cid, col, ctype, notnull, dflt, pk, hidden in \
                    db.execute("PRAGMA table_xinfo(%s)" % quote(name)):
                lines.append("  column %d %s %s%s%s%s%s" % (
                    cid, col, ctype or "(no type)",
                    " NOT NULL" if notnull else "",
                    " DEFAULT " + dflt if dflt is not None else "",
                    " PK%d" % pk if pk else "",
                    " hidden%d" % hidden if hidden else ""))
            for fk in db.execute("PRAGMA foreign_key_list(%s)" % quote(name)):
                _id, seq, ref, frm, to, on_upd, on_del, match = fk
                lines.append("  foreign key %d.%d %s -> %s(%s) on update %s on delete %s"
                             % (_id, seq, frm, ref, to, on_upd, on_del))
        elif typ == "index":
            uniq = [r for r in db.execute("PRAGMA index_list(%s)" % quote(tbl))
                    if r[1] == name]
            if uniq:
                lines.append("  unique %d origin %s partial %d" % (uniq[0][2], uniq[0][3], uniq[0][4]))
            for seqno, cid, col, desc, coll, key in \
                    db.execute("PRAGMA index_xinfo(%s)" % quote(name)):
                if key:
                    lines.append("  key %d %s%s %s" % (seqno, col, " DESC" if desc else "", coll))
    return lines


def quote(name):
    return '"' + name.replace('"', '""') + '"'


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: schema-check.py STORE.db SCHEMA.sql\n")
        return 2
    try:
        store = sqlite3.connect("file:%s?mode=ro" % argv[1], uri=True)
        have = describe(store)
        mem = sqlite3.connect(":memory:")
        with open(argv[2], encoding="utf-8") as f:
            mem.executescript(f.read())
        want = describe(mem)
    except (sqlite3.Error, OSError) as e:
        sys.stderr.write("schema-check.py: %s\n" % e)
        return 2
    if have == want:
        print("schema-check.py: the store and %s agree (%d objects)"
              % (argv[2], sum(1 for l in have if not l.startswith(" ")) - 1))
        return 0
    sys.stdout.writelines(difflib.unified_diff(
        [l + "\n" for l in want], [l + "\n" for l in have],
        fromfile=argv[2], tofile=argv[1] + " (migrated)", n=1))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
