# bash completion for dovetail (installed to share/bash-completion/completions/dovetail)
_dovetail() {
	local cur prev cmd i
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	local cmds="accept batch check events expand export help history import init match merge propose reject replies report review send status week"
	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--db|--now) ((i++)) ;;
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	case $prev in
	--calendar)
		# a file, or a CalDAV collection (export: caldav+https://HOST/PATH/)
		if [[ $cur == c* ]]; then
			COMPREPLY=($(compgen -W "caldav+https:// caldav+http://" -- "$cur"))
			[[ $cur == caldav+* ]] && compopt -o nospace 2>/dev/null
			[ ${#COMPREPLY[@]} -gt 0 ] && { compopt -o nospace 2>/dev/null; return; }
		fi
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--db|--write-lp|--write-compact-lp) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--itip|--out) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--now|--from|--to|--by|--note|--feed|--practitioner|--person|-k|-j|--max-changes|--time-limit|--max-labels|--step|--shard|--shard-by|--cap|--tz) return ;;
	esac
	if [ -z "$cmd" ]; then
		COMPREPLY=($(compgen -W "$cmds --db --now -v --help" -- "$cur"))
		return
	fi
	local opts
	case $cmd in
	import) opts="--practitioner --feed --keep-going --from --to --tz" ;;
	expand) opts="--from --to --tz --freebusy" ;;
	events) opts="--from --to --tz --json" ;;
	check) opts="--from --to --json --refresh" ;;
	match) opts="--from --to --json" ;;
	init) opts="--person --tz" ;;
	week) opts="--from --to --step --json --refresh" ;;
	propose) opts="--from --to -k --max-changes --no-ladder --time-limit --max-labels -j --write-lp --write-compact-lp --baseline --json" ;;
	accept) opts="--by --note" ;;
	reject) opts="--keep --by --note" ;;
	history) opts="--person --json" ;;
	replies) opts="--from --to --json" ;;
	status) opts="--json" ;;
	review) opts="--by" ;;
	export) opts="--from --to --calendar --routines --itip --counter --eml --refresh" ;;
	send) opts="--from --to --dry-run --counter" ;;
	batch) opts="-j --resume --shard --shard-from-env --shard-by --cap --out --report --json --time-limit --prove-cap --partial-ok" ;;
	report) opts="--proposal --none --from --to --html --names --refresh" ;;
	merge) opts="--out --report --json --time-limit --cap --prove-cap --partial-ok" ;;
	help) COMPREPLY=($(compgen -W "$cmds" -- "$cur")); return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}
complete -o filenames -F _dovetail dovetail
