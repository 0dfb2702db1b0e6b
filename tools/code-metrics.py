#!/usr/bin/env python3
"""Figures a maintainer reads first: long functions, circles between files,
the longest file and the count of assert()s.

    tools/code-metrics.py [--build DIR] [--list]

  --build DIR  a built tree (default build); its object files give the
               file-to-file symbol graph from which circles are found
  --list       also list the functions of 60 lines or more

Functions come from universal-ctags (`--fields=+ne`): a function's length
is its end line minus its start line plus one, over src/ and solver/.
A circle is a set of source files each of which, through the symbols one
file's object defines and another's uses (nm), depends on all the others
(a strongly connected component of more than one file).  Duplicated code
is `duplicates` in the tool library, not counted here.

Reads only; writes nothing.  Exit 0, or 2 when a tool it needs is missing.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

ROOTS = ("src", "solver")


def sources():
    out = []
    for root in ROOTS:
        for d, _, files in os.walk(root):
            out += [os.path.join(d, f) for f in files if f.endswith(".c")]
    return sorted(out)


def functions(files):
    cmd = ["ctags", "--output-format=json", "--fields=+ne", "--c-kinds=f",
           "-f", "-"] + files
    res = subprocess.run(cmd, capture_output=True, text=True, check=True)
    fns = []
    for line in res.stdout.splitlines():
        tag = json.loads(line)
        if "end" not in tag:
            continue
        fns.append((tag["end"] - tag["line"] + 1, tag["path"], tag["line"],
                    tag["name"]))
    return sorted(fns, key=lambda f: (-f[0], f[1], f[2]))


def object_of(build, src):
    # meson names a library object after its source's path from src/:
    # src/week/build.c -> week_build.c.o, solver/x.c -> .._solver_x.c.o
    rel = src[4:] if src.startswith("src/") else "../" + src
    want = rel.replace("/", "_") + ".o"
    for d, _, files in os.walk(build):
        if want in files:
            return os.path.join(d, want)
    return None


def symbols(obj):
    res = subprocess.run(["nm", "--defined-only", "-g", obj],
                         capture_output=True, text=True, check=True)
    defined = {l.split()[-1] for l in res.stdout.splitlines() if l.strip()}
    res = subprocess.run(["nm", "-u", obj], capture_output=True, text=True,
                         check=True)
    used = {l.split()[-1] for l in res.stdout.splitlines() if l.strip()}
    return defined, used


def circles(build, files):
    objs = {}
    for f in files:
        if f.startswith("src/cmd/") or f.endswith("main.c"):
            continue
        o = object_of(build, f)
        if o:
            objs[f] = symbols(o)
    owner = {}
    for f, (defined, _) in objs.items():
        for s in defined:
            owner[s] = f
    edges = {f: sorted({owner[s] for s in used if s in owner and owner[s] != f})
             for f, (_, used) in objs.items()}
    # Tarjan's strongly connected components, iteratively
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]
                    counter[0] += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(edges[nxt])))
                elif nxt in on:
                    low[v] = min(low[v], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return sorted(out), len(objs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()
    for tool in ("ctags", "nm"):
        if not shutil.which(tool):
            print(f"code-metrics: {tool} is not installed", file=sys.stderr)
            return 2
    files = sources()
    fns = functions(files)
    over100 = [f for f in fns if f[0] > 100]
    over60 = [f for f in fns if f[0] > 60]
    print(f"functions: {len(fns)}; over 100 lines: {len(over100)}; "
          f"over 60 lines: {len(over60)}")
    for n, path, line, name in (over60 if a.list else over100):
        print(f"  {n:5d}  {path}:{line}  {name}")
    lengths = []
    for f in files + sorted(os.path.join("include/dovetail", h)
                            for h in os.listdir("include/dovetail")):
        with open(f, encoding="utf-8", errors="replace") as fh:
            lengths.append((sum(1 for _ in fh), f))
    lengths.sort(key=lambda x: (-x[0], x[1]))
    print(f"longest file: {lengths[0][1]} ({lengths[0][0]} lines)")
    asserts = 0
    for f in files + [os.path.join("include/dovetail", h)
                      for h in os.listdir("include/dovetail")]:
        with open(f, encoding="utf-8", errors="replace") as fh:
            asserts += len(re.findall(r"\bassert\s*\(", fh.read()))
    print(f"assert(): {asserts}")
    if os.path.isdir(a.build):
        comps, nobj = circles(a.build, files)
        print(f"circles between files: {len(comps)} "
              f"(over {nobj} library objects)")
        for c in comps:
            print("  " + " <-> ".join(c))
    else:
        print(f"circles between files: not counted ({a.build} is not built)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
