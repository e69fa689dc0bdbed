#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The CLI frame: every command's -h, the exit codes of mmscope(8), and the
# messages that say what to do (not root, module not loaded, bad input).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

# expect NAME WANT_RC PATTERN CMD...: exit status and a stderr/stdout pattern
expect() {
	local name=$1 want=$2 pat=$3 out rc
	shift 3
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc = "$want" ] && grep -qE -- "$pat" <<< "$out"; then
		echo "PASS $name"
	else
		echo "FAIL $name: exit $rc (want $want), output: $(head -3 <<< "$out")"
	fi
}

commands=$("$MMSCOPE" -h | sed -n '/^commands:/,/^$/s/^  \([a-z]*\) .*/\1/p')
[ -n "$commands" ] || { echo "FAIL help-list: 'mmscope -h' lists no commands"; exit 1; }
for want in status trace record report; do
	grep -qx "$want" <<< "$commands" || echo "FAIL help-list: 'mmscope -h' does not list $want"
done
expect help-main 0 '^examples:' "$MMSCOPE" -h
for c in $commands; do
	out=$("$MMSCOPE" "$c" -h 2>&1)
	rc=$?
	if [ $rc = 0 ] && grep -q '^usage: mmscope' <<< "$out" && grep -q '^examples:' <<< "$out"; then
		echo "PASS help-$c: usage and examples, exit 0"
	else
		echo "FAIL help-$c: exit $rc: $(head -2 <<< "$out")"
	fi
	# Every command is in the man page and the completion.
	grep -q "^\.SS $c\b" "$top/man/mmscope.8" || echo "FAIL man-$c: no '.SS $c' section in man/mmscope.8"
	grep -q "\b$c\b" "$top/completion/mmscope.bash" || echo "FAIL completion-$c: not in completion/mmscope.bash"
done
expect version 0 '^mmscope [0-9]+\.[0-9]+' "$MMSCOPE" -V

# bad command lines: exit 2 and what to do instead
expect usage-no-command 2 'usage: mmscope' "$MMSCOPE"
expect usage-unknown-command 2 "unknown command 'frob'; 'mmscope -h'" "$MMSCOPE" frob
expect usage-unknown-recipe 2 "unknown recipe 'frob'" "$MMSCOPE" trace frob
expect usage-floor-args 2 "'trace floor' takes no options" "$MMSCOPE" trace floor -p 1
expect usage-bad-pid 2 "-p needs a process id, not 'abc'" "$MMSCOPE" trace slab -p abc
expect usage-no-such-pid 2 'no process 4194303' "$MMSCOPE" trace slab -p 4194303
expect usage-bad-by 2 "-b takes 'pid' or 'comm'" "$MMSCOPE" trace page -b cache
expect usage-bad-interval 2 'interval \(seconds\) must be a whole number' "$MMSCOPE" trace slab 0
expect usage-bad-count 2 'count must be a whole number' "$MMSCOPE" trace slab 1 x
expect usage-extra-arg 2 "unexpected argument 'z'" "$MMSCOPE" trace slab 1 2 z
expect usage-long-comm 2 'at most 15 characters' "$MMSCOPE" trace slab -c abcdefghijklmnopq
expect usage-slab-only 2 'apply to .trace slab. only' "$MMSCOPE" trace page -C filp
expect usage-empty-cmd 2 "nothing to run after '--'" "$MMSCOPE" trace slab --
expect usage-record 2 'record needs -o FILE and a command' "$MMSCOPE" record trace slab
expect usage-record-self 2 "cannot record 'report'" "$MMSCOPE" record -o /dev/null report x
expect usage-report 2 'report takes one file' "$MMSCOPE" report
expect usage-status-arg 2 'status takes no arguments' "$MMSCOPE" status x
expect report-missing-file 1 'cannot read /nonexistent' "$MMSCOPE" report /nonexistent
expect cmd-not-found 1 "cannot run 'no-such-program-xyz'" "$MMSCOPE" trace slab -- no-such-program-xyz

# not root: exit 3, and which privilege
for c in "status" "trace slab" "trace page" "trace floor"; do
	expect "not-root-${c// /-}" 3 'needs root \(CAP_SYS_ADMIN and CAP_BPF\); run it with sudo' \
		nobody "$MMSCOPE" $c
done

# the module's commands say how to load it (the host cannot load modules)
if grep -q '^mmscope ' /proc/modules 2>/dev/null; then
	echo "SKIP module-not-loaded: the mmscope module is loaded on this host"
else
	# The invocation of each area's command that needs the module.
	n=0
	for c in "mmid 1"; do
		grep -qx "${c%% *}" <<< "$commands" || continue
		n=$((n + 1))
		expect "module-not-loaded-${c%% *}" 4 "insmod .*mmscope.ko" "$MMSCOPE" $c
	done
	[ $n = 0 ] && echo "SKIP module-not-loaded: no module-backed command (mmid, slab) on this branch"
fi

# the man page renders without warnings
if command -v man > /dev/null; then
	out=$(MANWIDTH=80 man --warnings -l "$top/man/mmscope.8" 2>&1 >/dev/null)
	[ -z "$out" ] && MANWIDTH=80 man -l "$top/man/mmscope.8" 2>/dev/null | grep -q 'EXIT STATUS' &&
		echo "PASS man-renders: man -l man/mmscope.8, no warnings" ||
		echo "FAIL man-renders: $out"
else
	echo "SKIP man-renders: no man(1) (apt-get install man-db)"
fi

# the completion completes commands and trace recipes
out=$(bash -c ". '$top/completion/mmscope.bash'
	COMP_WORDS=(mmscope tr); COMP_CWORD=1; _mmscope; echo \"\${COMPREPLY[*]}\"
	COMP_WORDS=(mmscope trace ''); COMP_CWORD=2; _mmscope; echo \"\${COMPREPLY[*]}\"
	COMP_WORDS=(mmscope trace slab -s ''); COMP_CWORD=4; _mmscope; echo \"\${COMPREPLY[*]}\"")
[ "$out" = "trace
slab page floor -h
allocs frees alloc_bytes free_bytes cache" ] && echo "PASS completion: commands, recipes, -s values" ||
	echo "FAIL completion: got: $out"

# make install puts the binary, the man page and the completion under DESTDIR
dest=$(mktemp -d)
if make -s -C "$top" install BUILD="$MMSCOPE_BUILD" DESTDIR="$dest" PREFIX=/usr > /dev/null 2>&1 &&
	[ -x "$dest/usr/sbin/mmscope" ] && [ -f "$dest/usr/share/man/man8/mmscope.8" ] &&
	[ -f "$dest/usr/share/bash-completion/completions/mmscope" ]; then
	echo "PASS install: binary, man page and completion under DESTDIR"
else
	echo "FAIL install: make install DESTDIR=$dest left: $(cd "$dest" && find . -type f)"
fi
rm -rf "$dest"
