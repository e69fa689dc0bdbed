# SPDX-License-Identifier: GPL-2.0
# bash completion for mmscope(8)

_mmscope()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local commands="status trace record report bench mmid slab damon"
	local i cmd='' sub=''

	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-*) ;;
		*)
			if [ -z "$cmd" ]; then
				cmd=${COMP_WORDS[i]}
			elif [ -z "$sub" ]; then
				sub=${COMP_WORDS[i]}
			fi
			;;
		esac
	done
	# mmscope record -o FILE <command> ...: complete the recorded command
	if [ "$cmd" = record ]; then
		case $prev in
		-o | --output) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		esac
		cmd=$sub sub=''
		for ((i = 1; i < COMP_CWORD; i++)); do
			[ "${COMP_WORDS[i]}" = "$cmd" ] && [ $((i + 1)) -lt $COMP_CWORD ] &&
				case ${COMP_WORDS[i + 1]} in -*) ;; *) sub=${COMP_WORDS[i + 1]} ;; esac
		done
		[ -z "$cmd" ] && { COMPREPLY=($(compgen -W "-o --output -h $commands" -- "$cur")); return; }
	fi

	case $cmd in
	'')
		COMPREPLY=($(compgen -W "$commands -v --verbose -V --version -h --help" -- "$cur"))
		;;
	trace)
		if [ -z "$sub" ]; then
			COMPREPLY=($(compgen -W "slab page floor -h" -- "$cur"))
			return
		fi
		case $prev in
		-p | --pid) COMPREPLY=($(compgen -W "$(ls /proc | grep '^[0-9]')" -- "$cur")) ;;
		-c | --comm) COMPREPLY=($(compgen -W "$(cat /proc/[0-9]*/comm 2>/dev/null | sort -u)" -- "$cur")) ;;
		-C | --cache) COMPREPLY=($(compgen -W "$(ls /sys/kernel/slab 2>/dev/null | grep -v '^:')" -- "$cur")) ;;
		-b | --by) COMPREPLY=($(compgen -W "pid comm" -- "$cur")) ;;
		-s | --sort) COMPREPLY=($(compgen -W "allocs frees alloc_bytes free_bytes cache" -- "$cur")) ;;
		-n | --top) ;;
		*) COMPREPLY=($(compgen -W "-p --pid -c --comm -b --by -T --timestamp -j --json -v --verbose -h --help --
			$([ "$sub" = slab ] && echo "-A --allocs-only -C --cache -n --top -s --sort")" -- "$cur")) ;;
		esac
		;;
	report)
		COMPREPLY=($(compgen -W "-T --timestamp -h --help" -- "$cur") $(compgen -f -- "$cur"))
		;;
	status)
		COMPREPLY=($(compgen -W "-j --json -h --help" -- "$cur"))
		;;
	mmid | slab | damon | bench)
		# Their options come from their own help: every "-x, --long" it shows.
		COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" "$cmd" -h 2>/dev/null |
			grep -oE '(^|[ ,])--?[a-zA-Z][-a-zA-Z]*' | tr -d ' ,' | sort -u)" -- "$cur"))
		;;
	esac
}
complete -F _mmscope mmscope
