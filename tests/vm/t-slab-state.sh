#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: release debian
# mmscope slab (BPF backend, 7.x layout) against /sys/kernel/slab: static
# attributes for every cache, and every SLUB_STATS counter of the quiet
# test cache after a workload, which sysfs exposes too, from both backends
# (the kernel backend reads SLUB's own files: sysfs and the patch series'
# debugfs sheaves file).  On Debian's kernel (no SLUB_STATS, no series) the
# BPF backend must say there are no counters and still show sheaves and
# barns, and the kernel backend must refuse, naming what is missing.
. /src/tests/vm/lib.sh
. /src/tests/vm/slab-lib.sh

load_module
stats=n
[ -e /sys/kernel/slab/kmalloc-64/alloc_fastpath ] && stats=y
kind=
for w in $(cat /proc/cmdline); do
	case $w in mmscope.kernel=*) kind=${w#*=} ;; esac
done
mmscope slab --backend bpf -a -j > /tmp/slab.json || fail "mmscope slab --backend bpf -a -j exited $?"

# One object per cache: split the JSON array on '{"cache":'.
grep -q '^{"type":"slab",' /tmp/slab.json || fail "slab -j is not a 'slab' record: $(head -c 200 /tmp/slab.json)"
sed 's/{"cache":/\n{"cache":/g' /tmp/slab.json | grep '^{"cache":' > /tmp/caches
n=$(wc -l < /tmp/caches)
want=$(find /sys/kernel/slab -mindepth 1 -maxdepth 1 -type d | wc -l)
expect_eq "caches seen" "$n" "$want"
bad=0 sheaved=0
while read -r line; do
	name=$(echo "$line" | sed 's/^{"cache":"\([^"]*\)".*/\1/')
	obj=$(echo "$line" | sed 's/.*"object_size":\([0-9]*\).*/\1/')
	cap=$(echo "$line" | sed 's/.*"sheaf_capacity":\([0-9]*\).*/\1/')
	[ -e "/sys/kernel/slab/$name/object_size" ] || continue
	[ "$cap" != 0 ] && sheaved=$((sheaved + 1))
	sobj=$(cat "/sys/kernel/slab/$name/object_size")
	scap=$(cat "/sys/kernel/slab/$name/sheaf_capacity")
	if [ "$obj/$cap" != "$sobj/$scap" ]; then
		echo "$name: object_size/sheaf_capacity $obj/$cap, sysfs $sobj/$scap"
		bad=$((bad + 1))
	fi
done < /tmp/caches
expect_eq "caches whose object_size or sheaf_capacity differ from sysfs" "$bad" 0
[ "$sheaved" -gt 10 ] || fail "only $sheaved caches with sheaves: 7.x gives nearly every cache sheaves"
echo "ok: $sheaved caches with sheaves"

# A quiet cache: only our workload touches it, so both reads see the same
# counters.  Capacity 40 (the kernel may round it up; sysfs says what it is).
fresh_cache 128 40
knob mode burst
knob batch 100
knob iterations 20
knob cpus 0
knob run 1
wait_run 60
expect_eq "workload error" "$(result error)" 0

# Both backends against sysfs: the iterator's CO-RE reads, and SLUB's files
# themselves (which checks the parsing and the series' sheaves file).
# sysfs_stats: every numeric file of the test cache, "name value" lines.
sysfs_stats() {
	for f in $SYS/*; do
		echo "$(basename "$f") $(head -c 64 "$f" | sed -n 's/^\([0-9][0-9]*\)\( .*\)\{0,1\}$/\1/p')"
	done
}

backend_matches_sysfs() {
	# KASAN's quarantine hands objects back to the cache whenever it
	# shrinks: take the backend's snapshot between two equal sysfs reads.
	tries=0
	while :; do
		sysfs_stats > /tmp/sysfs.before
		mmscope slab --backend "$1" -S -D mmscope_test > /tmp/state.txt 2> /tmp/state.err ||
			fail "mmscope slab --backend $1 -S exited $?: $(cat /tmp/state.err)"
		sysfs_stats > /tmp/sysfs.after
		cmp -s /tmp/sysfs.before /tmp/sysfs.after && break
		tries=$((tries + 1))
		[ $tries -lt 10 ] || fail "$1: the test cache's counters never held still"
		echo "$1: counters moved during the snapshot (quarantine): again"
		sleep 1
	done
	cat /tmp/state.err /tmp/state.txt
	row=$(grep '^mmscope_test ' /tmp/state.txt) || fail "$1: no mmscope_test row"
	set -- "$1" $row
	expect_eq "$1: object_size" "$3" 128
	expect_eq "$1: sheaf_capacity" "$4" "$(cat $SYS/sheaf_capacity)"
	[ "$4" -ge 40 ] || fail "$1: capacity $4 below the 40 asked for"
	cap=$4
	checked=0
	while read -r stat want; do
		grep -q "^  $stat " /tmp/state.txt || continue
		got=$(sed -n "s/^  $stat  *\([0-9]*\)$/\1/p" /tmp/state.txt)
		expect_eq "$1: $stat" "$got" "$want"
		checked=$((checked + 1))
	done < /tmp/sysfs.before
	if [ $stats = y ]; then
		# 7.2's 26, and the series' alloc_from_sheaf.
		expect_eq "$1: SLUB_STATS counters compared" "$checked" 27
	else
		expect_eq "$1: SLUB_STATS counters shown without SLUB_STATS" "$checked" 0
		grep -q 'no SLUB_STATS counters: the kernel was built without CONFIG_SLUB_STATS' /tmp/state.err ||
			fail "$1: does not say the kernel has no SLUB_STATS"
	fi

	# Per-CPU rows: cpu0's main sheaf holds at most capacity objects.
	grep -q "^  cpu0 .* main [0-9]*/$cap " /tmp/state.txt ||
		fail "$1: cpu0's main sheaf is not of capacity $cap"
	grep -q '^  node0 ' /tmp/state.txt || fail "$1: no barn row for node 0"
}

backend_matches_sysfs bpf
if [ $stats = y ]; then
	# The workload made 2000 allocations and 2000 frees; nothing else did.
	a=$(( $(stat_sum alloc_fastpath) + $(stat_sum alloc_slowpath) ))
	expect_eq "allocations counted" "$a" 2000
fi
mount -t debugfs none /sys/kernel/debug 2>/dev/null
if [ -r /sys/kernel/debug/slab/mmscope_test/sheaves ]; then
	backend_matches_sysfs kernel
elif [ "$kind" = debian ]; then
	# Unpatched: SLUB has no sheaves file; the backend says which to use.
	rc=0
	mmscope slab --backend kernel -S -D mmscope_test > /tmp/state.txt 2> /tmp/state.err || rc=$?
	cat /tmp/state.err
	expect_eq "exit code of the kernel backend without the sheaves file" "$rc" 4
	grep -q "lacks the patch series' SLUB debugfs file .*use --backend bpf" /tmp/state.err ||
		fail "the kernel backend's refusal does not name the missing file: $(cat /tmp/state.err)"
	[ -s /tmp/state.txt ] && fail "the kernel backend printed a table without the sheaves file"
	echo "ok: kernel backend refused (exit $rc) without the sheaves file"
else
	fail "the test kernel lacks the series' debugfs sheaves file (patches/ 0002)"
fi
knob cache 0
exit 0
