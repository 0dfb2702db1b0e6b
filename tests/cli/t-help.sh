#!/bin/sh
# t-help.sh: the manual pages and shell completion. Every page passes
# `mandoc -Tlint` with no message at all (-Wall); every command has a page
# with EXAMPLES and EXIT STATUS; `dovetail help CMD` shows it; `meson
# install` puts the pages and the bash and zsh completion in the standard
# places; the bash completion completes commands and options.
# Usage: t-help.sh DOVETAIL BUILDDIR
. "$(dirname "$0")/lib.sh"
BUILDDIR=${2:-}
man=$SRCDIR/docs/man
if command -v mandoc >/dev/null 2>&1; then
	# (from their folder, so that mandoc finds the pages they cross-reference)
	(cd "$man" && mandoc -Tlint -Wall ./*.1 ./*.5) >"$TMP/lint" 2>&1
	check "mandoc -Tlint -Wall: no message on any page ($(ls "$man" | wc -l) pages)" [ ! -s "$TMP/lint" ]
	diag <"$TMP/lint"
else
	not_ok "mandoc is there (tools/run-tests installs it)"
fi
for c in $("$DOVETAIL" --help | sed -n 's/^  \([a-z]*\) .*/\1/p'); do
	[ "$c" = help ] && continue
	p=$man/dovetail-$c.1
	check "dovetail-$c(1) exists, with EXAMPLES and EXIT STATUS" \
		sh -c "grep -q '^.Sh EXAMPLES' '$p' && grep -q '^.Sh EXIT STATUS' '$p'"
done
check "dovetail(1) and dovetail-profile(5) exist" sh -c "[ -f '$man/dovetail.1' ] && [ -f '$man/dovetail-profile.5' ]"
# the example in dovetail-profile(5) is a profile dovetail reads
mkdir -p "$TMP/ex/feeds"
awk '/^\.Bd -literal/{f=1;next} /^\.Ed/{f=0} f' "$man/dovetail-profile.5" >"$TMP/ex/profile.yaml"
cp "$SRCDIR/examples/family-cp/feeds/physio.ics" "$TMP/ex/feeds/"
run --db "$TMP/ex/s.db" check "$TMP/ex/profile.yaml"
check "the example profile of dovetail-profile(5) loads (check: exit $rc)" [ "$rc" -le 1 ]
MANPAGER=cat PAGER=cat MANWIDTH=80 run help propose
check "dovetail help propose: exit 0" [ "$rc" -eq 0 ]
check "... shows dovetail-propose(1)" grep -q "dovetail-propose" "$TMP/stdout"
MANPAGER=cat PAGER=cat run help profile
check "dovetail help profile: dovetail-profile(5)" grep -q "dovetail-profile" "$TMP/stdout"
run help no-such-command
check "dovetail help no-such-command: usage, 64" [ "$rc" -eq 64 ]
# an unknown option: getopt's message, then the command's usage; exit 64,
# nothing done (every command: nine of them once printed "error: (null)")
for c in $("$DOVETAIL" --help | sed -n 's/^  \([a-z]*\) .*/\1/p'); do
	[ "$c" = help ] && continue
	run --db "$TMP/opt.db" "$c" --no-such-option
	check "$c --no-such-option: exit 64, its usage, no '(null)'" \
		sh -c "[ $rc -eq 64 ] && grep -q '^usage: dovetail $c' '$TMP/stderr' && ! grep -q '(null)' '$TMP/stderr'"
done

# bash completion
out=$(bash -c ". '$SRCDIR/docs/completion/dovetail.bash'; COMP_WORDS=(dovetail pro); COMP_CWORD=1; _dovetail; echo \${COMPREPLY[*]}")
check "bash completes a command (pro -> propose)" [ "$out" = propose ]
out=$(bash -c ". '$SRCDIR/docs/completion/dovetail.bash'; COMP_WORDS=(dovetail batch --res); COMP_CWORD=2; _dovetail; echo \${COMPREPLY[*]}")
check "bash completes a command's option (batch --res -> --resume)" [ "$out" = --resume ]
if command -v zsh >/dev/null 2>&1; then
	check "the zsh completion parses" zsh -n "$SRCDIR/docs/completion/_dovetail"
fi

# meson install puts them in the standard places
if [ -n "$BUILDDIR" ]; then
	meson install -C "$BUILDDIR" --destdir "$TMP/inst" --no-rebuild >"$TMP/install.log" 2>&1
	check "meson install: exit 0" [ $? -eq 0 ]
	prefix=$(find "$TMP/inst" -type d -name man1 | head -1)
	check "the pages in .../share/man/man1 and man5" sh -c "[ -f '$prefix/dovetail-propose.1' ] && ls '$prefix'/../man5/dovetail-profile.5 >/dev/null"
	check "bash completion in share/bash-completion/completions/dovetail" \
		sh -c "find '$TMP/inst' -path '*share/bash-completion/completions/dovetail' | grep -q ."
	check "zsh completion in share/zsh/site-functions/_dovetail" \
		sh -c "find '$TMP/inst' -path '*share/zsh/site-functions/_dovetail' | grep -q ."
fi
done_testing
