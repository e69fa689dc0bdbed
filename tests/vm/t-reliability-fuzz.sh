#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: debug
# vm-timeout: 900
# Hostile input to every file the module creates: 10,000 malformed,
# boundary and random writes per writable file from 4 concurrent writers,
# concurrent reads at random offsets and sizes, most of both on descriptors
# held open.  Junk must be refused with a clear errno, whole reads must end
# on a record boundary, and the kernel log must stay clean (the runner
# checks it).
. /src/tests/vm/lib.sh

load_module
files=$(find "$DBG" /sys/kernel/mmscope -type f 2>/dev/null)
[ -n "$files" ] || fail "the module created no files"
writable=0
for f in $files; do
	case $(stat -c %A "$f") in ??w*) writable=$((writable + 1)) ;; esac
	# Root only, never world- or group-accessible.
	case $(stat -c %a "$f") in 400|600|200) ;; *) fail "$f has mode $(stat -c %a "$f")" ;; esac
done

# Files that start work (slab/run) are fuzzed last, once the workload's
# parameters are back to the smallest run, so that every accepted "1"
# starts a run that ends at once.
actions=$(echo "$files" | grep '/slab/run$')
params=$(echo "$files" | grep -v '/slab/run$')
# Each file's line reaches the log as it ends (tee): a run that times out
# shows which file it was on.  The verdict is in the lines, one per file.
"$WORKLOADS/fuzz-files" -n 10000 -t 4 -s $$ $params 2>&1 | tee /tmp/fuzz.out
if [ -n "$actions" ]; then
	echo 0 > "$DBG/slab/run"
	echo 1 > "$DBG/slab/iterations" && echo 1 > "$DBG/slab/batch" ||
		fail "cannot reset the slab workload's parameters after fuzzing"
	"$WORKLOADS/fuzz-files" -n 10000 -t 4 -s $$ $actions 2>&1 | tee -a /tmp/fuzz.out
	echo 0 > "$DBG/slab/run"
fi
grep -q '^FAIL' /tmp/fuzz.out && fail "$(grep '^FAIL' /tmp/fuzz.out | head -n 1)"
expect_eq "files fuzzed" "$(grep -c '^ok ' /tmp/fuzz.out)" "$(echo "$files" | wc -l)"
expect_eq "writable files with 10000 writes" \
	"$(grep -c '^ok .*: 10000 writes' /tmp/fuzz.out)" "$writable"

# Still whole and working afterwards, and it unloads cleanly.
expect_eq "version after fuzzing" "$(cat "$DBG/version")" "$(cat /sys/module/mmscope/version)"
unload_module
[ -e "$DBG" ] && fail "$DBG left behind"
exit 0
