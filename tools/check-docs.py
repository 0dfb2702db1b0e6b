#!/usr/bin/env python3
"""check-docs.py: check that README.md and docs/*.md agree with the code.

usage: check-docs.py ROOT DOVETAIL

ROOT is a source tree (or a copy of one: tests/cli/t-docs.sh breaks copies
on purpose to show each check failing); DOVETAIL a built binary. Checks:
  links     every relative link resolves to a file, and an #anchor to a
            heading of that Markdown file (GitHub's ids);
  commands  every `dovetail COMMAND` in code (`spans` and fenced blocks)
            is a command of `dovetail --help`;
  options   every --option shown after `dovetail COMMAND` in the same span
            or code line is in `dovetail COMMAND --help` or its manual
            page (docs/man/dovetail-COMMAND.1), or is a global option;
            both checks also read the manual pages' literal blocks
            (.Bd ... .Ed: the EXAMPLES);
  documents README.md links every docs/*.md;
  schema    README.md's schema version is STORE_SCHEMA_VERSION
            (include/dovetail/store.h);
  statuses  every "exit N", "exits N", "exit status N" is a DV_EXIT_*
            value (include/dovetail/diag.h), and README.md's table of exit
            statuses has a row for exactly those values;
  excerpts  a fenced block after `<!-- excerpt of FILE -->` holds only
            lines of FILE (an expected output in tests/data), and "...";
  kinds     docs/check.md's table of problem kinds is CHECK_KINDS
            (include/dovetail/check.h): the same kinds and severities;
  paths     every path into the tree named in the text (src/..., solver/,
            include/, tools/, tests/, examples/, docs/) exists, unless it
            holds a placeholder in capitals (src/cmd/NAME.c);
  tests     every test named (t-NAME, test_NAME, fuzz_NAME) exists in
            tests/cli, tests/unit or tests/fuzz;
  tools     every --option shown after a tools/NAME in code is in that
            tool's source (its argparse or option parsing);
  benchmarks every `meson test --benchmark NAME` names a benchmark() of
            tools/meson.build, and there is no `meson benchmark` (not a
            meson command);
  environment every DOVETAIL_* variable the docs name is read somewhere
            (src/, solver/, include/, tests/, tools/);
  keys      every key the profile and caseload readers accept (the
            *keys[] lists of src/profile/*.c, src/batch/caseload.c) is
            documented in docs/profile.md or docs/batch.md, in code
            (`key`, `key: ...`, `{ key: ... }`);
  manpages  each command's manual page (docs/man/dovetail-COMMAND.1)
            shows in its SYNOPSIS exactly the long options the command's
            --help lists (global options aside); dovetail(1) has an item
            (.It Cm NAME) for exactly the commands of the table;
  completion the bash and zsh completions (docs/completion/) offer each
            command exactly the long options its --help lists;
  macros    every CAPITAL_NAME in `backticks` in docs/limits.md is a macro
            of the source, and a table row that names one macro shows
            its value.
Prints one line per problem, "CHECK: FILE:LINE: what", and exits 1 if
there is any, else 0. Standard library only.
"""
import glob
import os
import re
import subprocess
import sys

GLOBAL_OPTS = {"--db", "--now", "--verbose", "--help", "--version", "-v", "-h"}
LINK = re.compile(r"(?<!!)\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|!\[[^\]]*\]\(([^)\s]+)\)")
problems = []


def problem(check, path, line, what):
    problems.append("%s: %s:%d: %s" % (check, path, line, what))


def docs(root):
    return ["README.md"] + sorted(os.path.relpath(p, root)
                                  for p in glob.glob(os.path.join(root, "docs/*.md")))


def read(root, rel):
    with open(os.path.join(root, rel), encoding="utf-8") as f:
        return f.read()


def slug(heading):
    """GitHub's id for a heading: lower case, punctuation dropped, spaces to -."""
    h = re.sub(r"`|\*|_(?=\w)|(?<=\w)_", "", heading.strip().lower())
    h = re.sub(r"[^\w\- ]", "", h)
    return h.replace(" ", "-")


def anchors(text):
    seen, out = {}, set()
    fenced = False
    for line in text.split("\n"):
        if line.startswith("```"):
            fenced = not fenced
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m and not fenced:
            s = slug(m.group(1))
            n = seen.get(s, 0)
            seen[s] = n + 1
            out.add(s if n == 0 else "%s-%d" % (s, n))
    return out


def check_links(root, rel, text):
    fenced = False
    for no, line in enumerate(text.split("\n"), 1):
        if line.startswith("```"):
            fenced = not fenced
        if fenced:
            continue
        for m in LINK.finditer(re.sub(r"`[^`]*`", "", line)):
            target = m.group(1) or m.group(2)
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                continue   # http:, https:, mailto: ...
            path, _, frag = target.partition("#")
            dest = os.path.normpath(os.path.join(os.path.dirname(rel), path)) if path else rel
            full = os.path.join(root, dest)
            if not os.path.exists(full):
                problem("links", rel, no, "%s: no such file" % target)
            elif frag and dest.endswith(".md") and frag not in anchors(read(root, dest)):
                problem("links", rel, no, "%s: no heading #%s in %s" % (target, frag, dest))


def code_pieces(text):
    """(line number, text, is a span) of each `span` outside fences and
    each fenced line."""
    fenced = False
    for no, line in enumerate(text.split("\n"), 1):
        if line.startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            yield no, line, False
        else:
            for m in re.finditer(r"(`+)(.+?)\1", line):
                yield no, m.group(2), True


def invocations(piece, known=()):
    """(command, [options]) for each `dovetail [global options] COMMAND ...`
    that starts a command line (after VAR=value words or a "$" prompt) in
    piece; its options run to the end of the piece or a shell separator."""
    for part in re.split(r"\||;|&&|\$\(|\)|\bor\b", piece):
        words = part.split()
        i = 0
        while i < len(words) and (words[i] == "$" or re.fullmatch(r"[A-Z_][A-Z0-9_]*=\S*", words[i])):
            i += 1
        if i < len(words) and words[i] in known and len(words) > i + 1:
            # `propose --no-ladder`: a command named alone, with an option
            j = i
        elif i >= len(words) or not re.fullmatch(r"(\S*/)?dovetail", words[i]):
            continue
        else:
            j = i + 1
        while j < len(words) and words[j].startswith("-"):
            opt = words[j].split("=")[0]
            j += 2 if opt in ("--db", "--now") and "=" not in words[j] else 1
        if j >= len(words) or not re.fullmatch(r"[a-z][a-z-]*", words[j]):
            continue
        opts = []
        for w in words[j + 1:]:
            m = re.match(r"\[*(--[a-z][a-z0-9-]*)", w)
            if m:
                opts.append(m.group(1))
        yield words[j], opts


_opts = {}
_help_opts = {}


def help_options(dovetail, cmd):
    """The long options of `dovetail cmd --help`: its usage lines and the
    lines that start with an option."""
    if cmd not in _help_opts:
        p = subprocess.run([dovetail, cmd, "--help"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, cwd="/",
                           env=dict(os.environ, LC_ALL="C"))
        found = set()
        usage = True
        for line in p.stdout.decode("utf-8", "replace").split("\n"):
            if not line.strip():
                usage = False
            if usage or re.match(r"^\s+(-[a-zA-Z0-9],\s+)?--[a-z]", line):
                found.update(re.findall(r"--[a-z][a-z0-9-]*", line))
        _help_opts[cmd] = found
    return _help_opts[cmd]


def check_completion(root, dovetail, known):
    for rel, pattern in (("docs/completion/dovetail.bash", r'^\s*([a-z|]+)\) opts="([^"]*)"'),
                         ("docs/completion/_dovetail", r"^\s*([a-z|]+)\) _arguments (.*?) ;;$")):
        text = read(root, rel)
        seen = set()
        if not re.search(pattern, text, re.M):
            problem("completion", rel, 1, "no per-command options found: the check has nothing to check")
        for no, line in enumerate(text.split("\n"), 1):
            m = re.match(pattern, line)
            if not m:
                continue
            offered = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", m.group(2)))
            for cmd in m.group(1).split("|"):
                seen.add(cmd)
                if cmd not in known:
                    problem("completion", rel, no, "%s: no such command" % cmd)
                    continue
                helped = help_options(dovetail, cmd) - GLOBAL_OPTS
                for o in sorted(helped - offered):
                    problem("completion", rel, no, "%s --help lists %s; the completion does not offer it" % (cmd, o))
                for o in sorted(offered - helped):
                    problem("completion", rel, no, "%s: offers %s; %s --help does not list it" % (cmd, o, cmd))
        for cmd in sorted(known - seen - {"help"}):
            problem("completion", rel, 1, "%s: no options offered for it" % cmd)


def check_manpages(root, dovetail, known):
    rel = "docs/man/dovetail.1"
    items = set(re.findall(r"^\.It Cm ([a-z]+)", read(root, rel), re.M))
    for cmd in sorted(known - items):
        problem("manpages", rel, 1, "%s is a command; dovetail(1) has no item for it" % cmd)
    for cmd in sorted(items - known):
        problem("manpages", rel, 1, "dovetail(1) has an item for %s, which is no command" % cmd)
    for cmd in sorted(known):
        rel = "docs/man/dovetail-%s.1" % cmd
        if not os.path.exists(os.path.join(root, rel)):
            continue
        man = read(root, rel)
        m = re.search(r"^\.Sh SYNOPSIS\n(.*?)^\.Sh ", man, re.M | re.S)
        if not m:
            problem("manpages", rel, 1, "no SYNOPSIS section")
            continue
        line = man[:m.start()].count("\n") + 1
        syn = {"--" + o for o in re.findall(r"\bFl -([a-z][a-z0-9-]*)", m.group(1))}
        syn |= {"--" + o for o in re.findall(r"\\-\\-([a-z][a-z0-9-]*)", m.group(1))}
        helped = help_options(dovetail, cmd) - GLOBAL_OPTS
        for o in sorted(helped - syn):
            problem("manpages", rel, line, "%s --help lists %s; the SYNOPSIS does not" % (cmd, o))
        for o in sorted(syn - helped - GLOBAL_OPTS):
            problem("manpages", rel, line, "the SYNOPSIS shows %s; %s --help does not list it" % (o, cmd))


def options_of(root, dovetail, cmd):
    """The long options `dovetail cmd --help` lists (help_options) and its
    manual page declares (mdoc `Fl -x`); not the ones prose or an example
    mentions."""
    if cmd not in _opts:
        found = set(help_options(dovetail, cmd))
        page = os.path.join(root, "docs/man/dovetail-%s.1" % cmd)
        if os.path.exists(page):
            with open(page, encoding="utf-8") as f:
                man = f.read()
            found.update("--" + o for o in re.findall(r"\bFl -([a-z][a-z0-9-]*)", man))
        _opts[cmd] = found
    return _opts[cmd]


def commands(dovetail):
    p = subprocess.run([dovetail, "--help"], stdout=subprocess.PIPE, cwd="/")
    out = p.stdout.decode("utf-8")
    block = out.split("commands:\n", 1)[1].split("\n\n", 1)[0]
    return {line.split()[0] for line in block.split("\n") if line.strip()}


def man_examples(text):
    """(line number, text, False) of each line of a manual page's literal
    blocks (.Bd ... .Ed), its escapes undone."""
    literal = False
    for no, line in enumerate(text.split("\n"), 1):
        if line.startswith(".Bd"):
            literal = True
        elif line.startswith(".Ed"):
            literal = False
        elif literal:
            yield no, line.replace("\\-", "-").replace("\\e", "\\"), False


def check_commands(root, rel, text, dovetail, known, pieces=None):
    for no, piece, span in pieces if pieces is not None else code_pieces(text):
        for cmd, opts in invocations(piece, known if span else ()):
            if cmd not in known:
                problem("commands", rel, no, "dovetail %s: no such command" % cmd)
                continue
            accepted = options_of(root, dovetail, cmd)
            for o in opts:
                if o in GLOBAL_OPTS:
                    continue
                if o not in accepted:
                    problem("options", rel, no, "dovetail %s %s: not in its --help or manual page" % (cmd, o))


def check_documents(root):
    readme = read(root, "README.md")
    m = re.search(r"^## Documents\n(.*?)(?=^## |\Z)", readme, re.M | re.S)
    if not m:
        problem("documents", "README.md", 1, "no section \"## Documents\"")
        return
    line = readme[:m.start()].count("\n") + 1
    linked = {os.path.normpath((l.group(1) or l.group(2)).partition("#")[0])
              for l in LINK.finditer(m.group(1))}
    for rel in docs(root)[1:]:
        if rel not in linked:
            problem("documents", "README.md", line, "%s is not in the document list" % rel)


def check_schema(root):
    m = re.search(r"#define STORE_SCHEMA_VERSION (\d+)", read(root, "include/dovetail/store.h"))
    readme = read(root, "README.md")
    found = list(re.finditer(r"`PRAGMA user_version`\s*\((\d+)", readme))
    if not found:
        problem("schema", "README.md", 1, "no schema version (`PRAGMA user_version` (N ...)")
    for f in found:
        if f.group(1) != m.group(1):
            problem("schema", "README.md", readme[:f.start()].count("\n") + 1,
                    "schema version %s, but STORE_SCHEMA_VERSION is %s" % (f.group(1), m.group(1)))


def check_tool_options(root, rel, text):
    for no, piece, _ in code_pieces(text):
        for part in re.split(r"\||;|&&|\$\(|\)", piece):
            m = re.search(r"(?<![\w.-])(?:\./)?(tools/[\w.-]+)((?:\s+\S+)*)", part)
            if not m:
                continue
            path = os.path.join(root, m.group(1))
            if not os.path.isfile(path):
                continue   # the paths check names it
            with open(path, encoding="utf-8", errors="replace") as f:
                source = f.read()
            for o in re.findall(r"(?<![\w-])\[*(--[a-z][a-z0-9-]*)", m.group(2)):
                if not re.search(re.escape(o) + r"(?![a-z0-9-])", source):
                    problem("tools", rel, no, "%s %s: not an option of the tool" % (m.group(1), o))


def check_benchmarks(root, rel, text):
    names = set(re.findall(r"benchmark\('([\w.-]+)'", read(root, "tools/meson.build")))
    for no, piece, _ in code_pieces(text):
        piece = re.sub(r"(^|\s)#.*$", "", piece)   # a shell comment
        if re.search(r"\bmeson benchmark\b", piece):
            problem("benchmarks", rel, no, "`meson benchmark` is not a meson command: meson test --benchmark")
        m = re.search(r"\bmeson test\b.*--benchmark((?:\s+[\w.-]+)*)", piece)
        for name in (m.group(1).split() if m else []):
            if name not in names and not name.startswith("-"):
                problem("benchmarks", rel, no, "%s: no benchmark() of that name in tools/meson.build" % name)


_env_source = None


def check_environment(root, rel, text):
    global _env_source
    if _env_source is None:
        words = set()
        for pat in ("src/**/*.[ch]", "solver/*.[ch]", "include/**/*.h", "tests/**/*.sh",
                    "tests/**/*.py", "tools/*"):
            for path in glob.glob(os.path.join(root, pat), recursive=True):
                # (t-docs.sh names misspelt variables on purpose)
                if os.path.isfile(path) and os.path.basename(path) != "t-docs.sh":
                    with open(path, encoding="utf-8", errors="replace") as f:
                        words.update(re.findall(r"\bDOVETAIL_[A-Z0-9_]*[A-Z0-9]\b", f.read()))
        _env_source = words
    for no, line in enumerate(text.split("\n"), 1):
        for v in re.findall(r"\bDOVETAIL_[A-Z0-9_]*[A-Z0-9]\b", line):
            if v not in _env_source:
                problem("environment", rel, no, "%s: no code or test reads it" % v)


def check_keys(root):
    for pattern, rel in (("src/profile/*.c", "docs/profile.md"), ("src/batch/caseload.c", "docs/batch.md")):
        code = {}
        for path in sorted(glob.glob(os.path.join(root, pattern))):
            with open(path, encoding="utf-8") as f:
                for m in re.finditer(r"static const char \*const (\w*keys)\[\] = \{(.*?)NULL", f.read(), re.S):
                    for k in re.findall(r'"([a-z_]+)"', m.group(2)):
                        code.setdefault(k, os.path.relpath(path, root))
        if not code:
            problem("keys", rel, 1, "no *keys[] lists found in %s: the check has nothing to check" % pattern)
        spans = " ".join(piece for _, piece, _ in code_pieces(read(root, rel)))
        for k in sorted(code):
            if not re.search(r"(?:^|[\s{,\[])%s(?::|(?![\w-]))" % re.escape(k), spans):
                problem("keys", rel, 1, "%s (accepted by %s) is not documented" % (k, code[k]))


def check_excerpts(root, rel, text):
    lines = text.split("\n")
    for no, line in enumerate(lines, 1):
        m = re.match(r"^<!-- excerpt of (\S+) -->\s*$", line)
        if not m:
            continue
        path = os.path.join(root, m.group(1))
        if not os.path.exists(path):
            problem("excerpts", rel, no, "%s: no such file" % m.group(1))
            continue
        with open(path, encoding="utf-8") as f:
            have = set(f.read().split("\n"))
        if no >= len(lines) or not lines[no].startswith("```"):
            problem("excerpts", rel, no, "no fenced block after the excerpt marker")
            continue
        for k in range(no + 1, len(lines)):
            if lines[k].startswith("```"):
                break
            if lines[k] not in have and lines[k].strip() != "...":
                problem("excerpts", rel, k + 1, "not a line of %s: %s" % (m.group(1), lines[k][:60]))


def check_kinds(root):
    code = re.findall(r'X\(PK_\w+,\s*"([a-z-]+)",\s*([01])\)', read(root, "include/dovetail/check.h"))
    want = [(k, "error" if e == "1" else "warning") for k, e in code]
    if not want:
        problem("kinds", "include/dovetail/check.h", 1, "no CHECK_KINDS entries found")
    rel = "docs/check.md"
    text = read(root, rel)
    have = re.findall(r"^\| `([a-z-]+)` \| (error|warning) \|", text, re.M)
    if sorted(have) != sorted(want):
        for k in sorted(set(want) - set(have)):
            problem("kinds", rel, 1, "%s (%s) is in CHECK_KINDS, not in the table" % k)
        for k in sorted(set(have) - set(want)):
            problem("kinds", rel, 1, "%s (%s) is in the table, not in CHECK_KINDS" % k)


def check_paths(root, rel, text):
    for no, line in enumerate(text.split("\n"), 1):
        for m in re.finditer(r"(?<![\w/.-])((?:src|solver|include|tools|tests|examples|docs)/[\w./+-]*[\w+-])", line):
            p = m.group(1)
            if os.path.exists(os.path.join(root, p)) or re.search(r"(?<![A-Za-z])[A-Z]+(?![a-z])", p):
                continue
            problem("paths", rel, no, "%s: no such file or folder" % p)


def check_tests(root, rel, text):
    kinds = ((r"(?<![\w/.-])(t-[a-z0-9-]+)(?:\.sh)?\b", "tests/cli/%s.sh"),
             (r"\b(test_[a-z_0-9]+)\b", "tests/unit/%s.c"),
             (r"\b(fuzz_[a-z_0-9]+)\b", "tests/fuzz/%s.c"))
    for no, line in enumerate(text.split("\n"), 1):
        for pattern, where in kinds:
            for m in re.finditer(pattern, line):
                if not os.path.exists(os.path.join(root, where % m.group(1))):
                    problem("tests", rel, no, "%s: no %s" % (m.group(1), where % m.group(1)))


def check_statuses(root, rel, text):
    codes = {int(v) for v in re.findall(r"DV_EXIT_\w+\s*=\s*(\d+)",
                                         read(root, "include/dovetail/diag.h"))}
    for no, line in enumerate(text.split("\n"), 1):
        for m in re.finditer(r"\b(?:exit status|exits?(?: with(?: status)?)?)\s+(\d+)\b", line):
            if int(m.group(1)) not in codes:
                problem("statuses", rel, no, "%s: not an exit status of the code (%s)"
                        % (m.group(), ", ".join(str(c) for c in sorted(codes))))


def check_status_table(root):
    codes = {int(v) for v in re.findall(r"DV_EXIT_\w+\s*=\s*(\d+)",
                                         read(root, "include/dovetail/diag.h"))}
    readme = read(root, "README.md")
    m = re.search(r"^## Exit status\n(.*?)(?=^## |\Z)", readme, re.M | re.S)
    if not m:
        problem("statuses", "README.md", 1, "no section \"## Exit status\"")
        return
    line = readme[:m.start()].count("\n") + 1
    rows = {int(r) for r in re.findall(r"^\| (\d+) \|", m.group(1), re.M)}
    for c in sorted(codes - rows):
        problem("statuses", "README.md", line, "exit status %d (diag.h) has no row" % c)
    for c in sorted(rows - codes):
        problem("statuses", "README.md", line, "exit status %d has a row, but diag.h has no such status" % c)


def source_macros(root):
    vals = {}
    for pat in ("include/**/*.[ch]", "src/**/*.[ch]", "solver/**/*.[ch]"):
        for path in glob.glob(os.path.join(root, pat), recursive=True):
            with open(path, encoding="utf-8") as f:
                for line in f:
                    m = re.match(r"^#define\s+([A-Z][A-Z0-9_]*)\s+([^/\n]*)", line)
                    if m:
                        vals[m.group(1)] = m.group(2).strip()
    return vals


def shown(expr):
    """The ways a macro's value may be written in a table: 2,048, 2048, 64 MiB."""
    e = re.sub(r"(?<=[0-9])[uUlL]+\b", "", expr)
    if not re.fullmatch(r"[0-9eE.+\-*/<>() ]+", e):
        return None
    v = eval(e, {"__builtins__": {}})
    if isinstance(v, float):
        return {"%g" % v, repr(v)}
    ways = {"{:,}".format(v), str(v)}
    if v >= 1 << 20 and v % (1 << 20) == 0:
        ways.add("%d MiB" % (v >> 20))
    return ways


def check_macros(root):
    rel = "docs/limits.md"
    text = read(root, rel)
    vals = source_macros(root)
    gen = text.find("<!-- BEGIN generated")
    for no, line in enumerate(text[:gen if gen >= 0 else len(text)].split("\n"), 1):
        names = [n for n in re.findall(r"`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`", line)
                 if not n.startswith(("D_", "DOVETAIL_"))]
        for n in names:
            if n not in vals:
                problem("macros", rel, no, "%s: no such macro in the source" % n)
        if line.startswith("|") and len(names) == 1 and names[0] in vals:
            ways = shown(vals[names[0]])
            cells = line.split("|")
            if ways and not any(w in cells[2] for w in ways):
                problem("macros", rel, no, "%s is %s in the source; the row says %s"
                        % (names[0], vals[names[0]], cells[2].strip()))


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: check-docs.py ROOT DOVETAIL\n")
        return 2
    root, dovetail = argv[1], os.path.abspath(argv[2])
    known = commands(dovetail)
    if len(known) < 2:
        problem("commands", "README.md", 1, "%s --help lists no commands" % dovetail)
    for rel in docs(root):
        text = read(root, rel)
        check_links(root, rel, text)
        check_commands(root, rel, text, dovetail, known)
        check_statuses(root, rel, text)
        check_excerpts(root, rel, text)
        check_tool_options(root, rel, text)
        check_benchmarks(root, rel, text)
        check_environment(root, rel, text)
        check_paths(root, rel, text)
        check_tests(root, rel, text)
    for path in sorted(glob.glob(os.path.join(root, "docs/man/*.[15]"))):
        rel = os.path.relpath(path, root)
        text = read(root, rel)
        check_commands(root, rel, text, dovetail, known, list(man_examples(text)))
    check_documents(root)
    check_schema(root)
    check_status_table(root)
    check_macros(root)
    check_kinds(root)
    check_keys(root)
    check_manpages(root, dovetail, known)
    check_completion(root, dovetail, known)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
