#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: debug
# Nothing exposed that should not be: every file of the module is root's
# alone (0400, 0600 or 0200), an unprivileged user can neither read nor
# write any of them, no output holds a raw kernel pointer, and the CLI run
# by that user says which privilege it lacks instead of printing a partial
# result.
. /src/tests/vm/lib.sh
. /src/tests/vm/slab-lib.sh
. /src/tests/vm/mmid-lib.sh

NOBODY=65534
load_module
# Something in every table: a test cache after a run, a census.
fresh_cache 256 32
knob mode burst
knob iterations 5
knob cpus 0
knob run 1
wait_run 60

files=$(find $DBG -type f)
[ -n "$files" ] || fail "no files under $DBG"
# One stat and one as-user for all files: two forks per file made this
# loop most of the test's time under KASAN.
n=0
stat -c '%a %u:%g %n' $files > /tmp/modes || fail "stat failed"
while read -r mode owner f; do
	n=$((n + 1))
	case $mode in 400 | 600 | 200) ;; *) fail "$f has mode $mode" ;; esac
	[ "$owner" = 0:0 ] || fail "owner of ${f#$DBG/}: got '$owner', expected '0:0'"
done < /tmp/modes
[ $n = "$(echo "$files" | wc -l)" ] || fail "stat listed $n of the files"
"$WORKLOADS/as-user" $NOBODY --try-open $files || fail "uid $NOBODY could open a file of the module"
echo "ok: $n files, all root-only, none readable or writable by uid $NOBODY"

# Kernel addresses start with ffff on x86-64 (direct map, vmalloc, text).
# Every readable file's first 256 KiB, in one process (the query files are
# empty until asked).
"$WORKLOADS/readfiles" -s $DBG > /tmp/contents || fail "reading the module's files failed"
grep -iE '(0x)?ffff[0-9a-f]{12}' /tmp/contents | cut -c1-200
leaks=$(grep -ciE '(0x)?ffff[0-9a-f]{12}' /tmp/contents)
# The query files, once asked: about init, and about a page of init's.
for q in "task 1" "pfn $(($(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo) / 8))"; do
	a=$(mmid_q $q) || fail "mmid/$q: no answer"
	echo "$a" | grep -qiE '(0x)?ffff[0-9a-f]{12}' && { echo "mmid/$q: $a"; leaks=$((leaks + 1)); }
done
expect_eq "files printing kernel pointers" "$leaks" 0

# The CLI as that user: exit 3 (a privilege is missing) and what to do.
for c in "slab" "slab --backend kernel" "mmid census" "mmid 1" "damon status" "status -j"; do
	"$WORKLOADS/as-user" $NOBODY mmscope $c > /tmp/out 2> /tmp/err
	rc=$?
	expect_eq "exit code of 'mmscope $c' as uid $NOBODY" "$rc" 3
	grep -q 'root' /tmp/err || fail "'mmscope $c' as uid $NOBODY: no word of root in: $(cat /tmp/err)"
	[ -s /tmp/out ] && fail "'mmscope $c' as uid $NOBODY printed a result: $(head -n 3 /tmp/out)"
done
knob cache 0
unload_module
exit 0
