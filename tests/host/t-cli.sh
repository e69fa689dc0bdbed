#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The CLI frame: every command's -h, the exit codes of mmscope(8), and the
# messages that say what to do (not root, module not loaded, bad input).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }


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
	grep -qE "^\.SS \"?$c\b" "$top/man/mmscope.8" || echo "FAIL man-$c: no '.SS $c' section in man/mmscope.8"
done
expect version 0 '^mmscope [0-9]+\.[0-9]+' "$MMSCOPE" -V

# bad command lines: exit 2 and what to do instead
expect usage-no-command 2 'usage: mmscope' "$MMSCOPE"
expect usage-unknown-command 2 "unknown command 'frob'; 'mmscope -h'" "$MMSCOPE" frob
expect usage-unknown-recipe 2 "unknown subcommand 'frob'" "$MMSCOPE" trace frob
expect usage-floor-args 2 "option -p does not apply to 'mmscope trace floor'" "$MMSCOPE" trace floor -p 1
expect usage-bad-pid 2 "-p PID must be a whole number, not 'abc'" "$MMSCOPE" trace slab -p abc
expect usage-no-such-pid 2 'no process 4194303' "$MMSCOPE" trace slab -p 4194303
expect usage-bad-by 2 "-b takes 'pid' or 'comm'" "$MMSCOPE" trace page -b cache
expect usage-bad-interval 2 'interval must be ≥ 1' "$MMSCOPE" trace slab 0
expect usage-negative-interval 2 "interval must be ≥ 1, not '-1'" "$MMSCOPE" trace slab -1
expect usage-bad-count 2 'count must be a whole number' "$MMSCOPE" trace slab 1 x
# options in any order: after the positionals, and global ones after the command
expect order-options-after 2 "interval must be ≥ 1, not '0'" "$MMSCOPE" slab top 0 -j
expect order-json-after 0 '^usage: mmscope mmid census' "$MMSCOPE" mmid census -j -h
expect order-help-first 0 '^usage: mmscope slab top' "$MMSCOPE" slab -h top
expect order-glob-vs-sub 2 "unknown option '-x'" "$MMSCOPE" slab -j top -x
expect option-one-meaning 2 "option -c does not apply to 'mmscope slab top'" "$MMSCOPE" slab top -c x
expect help-before-checks 0 '^usage: mmscope mmid census' nobody "$MMSCOPE" mmid census -h
expect mmid-bad-word 2 "'bogus' is neither a subcommand nor a pid" "$MMSCOPE" mmid bogus
expect mmid-no-pid 2 'no process 999999' "$MMSCOPE" mmid 999999
expect bench-bad-runs 2 '--runs N must be ≤ 101' "$MMSCOPE" bench mapcount --runs 500
expect usage-extra-arg 2 "unexpected argument 'z'" "$MMSCOPE" trace slab 1 2 z
expect usage-long-comm 2 'at most 15 characters' "$MMSCOPE" trace slab -c abcdefghijklmnopq
expect usage-slab-only 2 "option -C does not apply to 'mmscope trace page'" "$MMSCOPE" trace page -C filp
expect usage-empty-cmd 2 "nothing to run after '--'" "$MMSCOPE" trace slab --
expect usage-record 2 'record needs -o FILE and a command' "$MMSCOPE" record trace slab
expect usage-record-self 2 "cannot record 'report'" "$MMSCOPE" record -o /dev/null report x
# a failed record leaves no file
rm -f /tmp/mmscope-rec-fail.$$
"$MMSCOPE" record -o /tmp/mmscope-rec-fail.$$ trace slab 0 > /dev/null 2>&1
[ ! -e /tmp/mmscope-rec-fail.$$ ] && echo "PASS record-failed-no-file: nothing left for report" ||
	{ echo "FAIL record-failed-no-file: $(cat /tmp/mmscope-rec-fail.$$)"; rm -f /tmp/mmscope-rec-fail.$$; }
expect usage-report 2 'report takes one file' "$MMSCOPE" report
expect usage-status-arg 2 'status takes no arguments' "$MMSCOPE" status x
expect report-missing-file 1 'cannot read /nonexistent' "$MMSCOPE" report /nonexistent
expect cmd-not-found 1 "cannot run 'no-such-program-xyz'" "$MMSCOPE" trace slab -- no-such-program-xyz
# ... and the error comes before any output: no table after it
out=$("$MMSCOPE" trace slab -- /nonexistent 2>/dev/null)
[ -z "$out" ] && echo "PASS cmd-not-found-no-output: nothing on stdout" ||
	echo "FAIL cmd-not-found-no-output: printed: $(head -2 <<< "$out")"
# the child inherits no mmscope descriptor: only 0, 1, 2 and ls's own
# directory (3).  mmscope's report shares stdout, so only the lines that
# are a number count (the report's blank lines are not descriptors).
fds=$("$MMSCOPE" trace slab -- ls /proc/self/fd 2>/dev/null | grep -xE '[0-9]+' | sort -n | tr '\n' ' ')
[ "$fds" = "0 1 2 3 " ] && echo "PASS child-fds: the command has fds 0-2 (and ls's directory) only" ||
	echo "FAIL child-fds: the command saw descriptors '$fds': $("$MMSCOPE" trace slab -- ls -l /proc/self/fd 2>&1 | head -12)"

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
		expect "module-not-loaded-${c%% *}" 4 "$([ -e /proc/modules ] && echo "insmod .*mmscope.ko" || echo "no module support.*vm-shell")" "$MMSCOPE" $c
	done
	[ $n = 0 ] && echo "SKIP module-not-loaded: no module-backed command (mmid) on this branch"
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

# the completion offers each command's subcommands and options, from the tables
cw() { local n; n=$(wc -w <<< "$1"); bash -c ". '$top/completion/mmscope.bash'
	COMP_WORDS=($MMSCOPE $1); COMP_CWORD=$n; _mmscope; echo \"\${COMPREPLY[*]}\""; }
ok=1
[ "$(cw "tr")" = trace ] || { ok=0; echo "        'tr' gave '$(cw "tr")'"; }
[ "$(cw "trace ''")" = "slab page floor" ] || { ok=0; echo "        trace: '$(cw "trace ''")'"; }
[ "$(cw "slab ''")" = "top hist" ] || { ok=0; echo "        slab: '$(cw "slab ''")'"; }
[ "$(cw "damon ''")" = "start stop tune status record report workload" ] || { ok=0; echo "        damon: '$(cw "damon ''")'"; }
[ "$(cw "trace slab -s ''")" = "allocs frees alloc_bytes free_bytes cache" ] || { ok=0; echo "        -s: '$(cw "trace slab -s ''")'"; }
[ "$(cw "record -o f slab ''")" = "top hist" ] || { ok=0; echo "        record: '$(cw "record -o f slab ''")'"; }
# every command's options: what completion offers is what -h lists
while read -r _ path; do
	path=${path%:}
	want=$("$MMSCOPE" $path -h | grep -oE '^  (-[a-zA-Z], |    )--[a-z-]+' | grep -oE -- '--[a-z-]+' | sort | tr '\n' ' ')
	got=$(cw "$path --" | tr ' ' '\n' | grep -- '^--.' | sort | tr '\n' ' ')
	[ "$want" = "$got" ] || { ok=0; echo "        $path: -h lists '$want', completion '$got'"; }
done < <("$MMSCOPE" __options | grep '^command ' | cut -d: -f1)
[ $ok = 1 ] && echo "PASS completion: subcommands and options of every command, from the tables" ||
	echo "FAIL completion: see above"

# the man page documents every command and every option of the table: a
# section per command whose option list (the .TP entries) is exactly what
# the command accepts, and the OPTION LETTERS table row for row
ok=1
man=$(sed 's/\\-/-/g' "$top/man/mmscope.8")
while IFS=: read -r path accepted; do
	path=${path#command }
	if ! grep -qE "^\.SS \"?$path\"?\$" <<< "$man"; then
		ok=0; echo "        no '.SS $path' in man/mmscope.8"; continue
	fi
	want=$(tr ' ' '\n' <<< "$accepted" | grep . | sort | tr '\n' ' ')
	got=$(awk -v p="$path" '/^\.S[SH] / { s = $0; sub(/^\.S[SH] "?/, "", s); sub(/"$/, "", s); in_sec = s == p; next }
		in_sec && prev == ".TP" { if (match($0, /--[a-z-]+/)) print substr($0, RSTART, RLENGTH) }
		{ prev = $0 }' <<< "$man" | sort | tr '\n' ' ')
	[ "$want" = "$got" ] || { ok=0; echo "        .SS $path lists '$got', the table '$want'"; }
done < <("$MMSCOPE" __options | grep '^command ')
want=$("$MMSCOPE" __options | awk '/^option / { print ($2 == "-" ? "" : "-" $2) " " $3 " " ($4 == "-" ? "" : $4) }')
got=$(awk '/^\.SH OPTION LETTERS/ { t = 1 } t && /^\.TE/ { exit } t && /\t/ && !/^letter/ { split($0, f, "\t"); print f[1] " " f[2] " " f[3] }' <<< "$man")
[ "$want" = "$got" ] || { ok=0; echo "        OPTION LETTERS differs from the table: $(diff <(echo "$want") <(echo "$got") | head -6 | tr '\n' ' ')"; }
[ $ok = 1 ] && echo "PASS man-tables: every command has a section with its options, the letter table is the option table" ||
	echo "FAIL man-tables: see above"

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
