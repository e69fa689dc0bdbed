# SPDX-License-Identifier: GPL-2.0
# bash completion for mmscope(8).  The candidates come from mmscope's own
# command and option tables ('mmscope __complete -- WORDS'), so they are
# always the subcommands and options of the command at hand.

_mmscope()
{
	local cur=${COMP_WORDS[COMP_CWORD]} words
	words=$("${COMP_WORDS[0]}" __complete -- "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
	if grep -qx '__files__' <<< "$words"; then
		COMPREPLY=($(compgen -W "$(grep -vx '__files__' <<< "$words")" -- "$cur") $(compgen -f -- "$cur"))
	else
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
	fi
}
complete -F _mmscope mmscope
