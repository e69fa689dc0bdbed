#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mmscope slab (BPF backend, 7.x layout) against /sys/kernel/slab: static
# attributes for every cache, and every SLUB_STATS counter of the quiet
# test cache after a workload, which sysfs exposes too.
. /src/tests/vm/lib.sh
. /src/tests/vm/slab-lib.sh

load_module
# The BPF backend lists every cache; the module's table only those with
# sheaves (the API cannot name the others).
mmscope slab -b bpf -a -j > /tmp/slab.json || fail "mmscope slab -b bpf -a -j exited $?"

# One object per cache: split the JSON array on '{"name":'.
sed 's/{"name":/\n{"name":/g' /tmp/slab.json | grep '^{"name":' > /tmp/caches
n=$(wc -l < /tmp/caches)
want=$(find /sys/kernel/slab -mindepth 1 -maxdepth 1 -type d | wc -l)
expect_eq "caches seen" "$n" "$want"
bad=0 sheaved=0
while read -r line; do
	name=$(echo "$line" | sed 's/^{"name":"\([^"]*\)".*/\1/')
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

mmscope slab -b bpf -s -d mmscope_test > /tmp/state.txt || fail "mmscope slab -s exited $?"
cat /tmp/state.txt
row=$(grep '^mmscope_test ' /tmp/state.txt) || fail "no mmscope_test row"
set -- $row
expect_eq "object_size" "$2" 128
expect_eq "sheaf_capacity" "$3" "$(cat $SYS/sheaf_capacity)"
[ "$3" -ge 40 ] || fail "capacity $3 below the 40 asked for"
checked=0
for f in $SYS/*; do
	stat=$(basename "$f")
	want=$(head -c 64 "$f" | sed -n 's/^\([0-9][0-9]*\)\( .*\)\{0,1\}$/\1/p')
	grep -q "^  $stat " /tmp/state.txt || continue
	got=$(sed -n "s/^  $stat  *\([0-9]*\)$/\1/p" /tmp/state.txt)
	expect_eq "$stat" "$got" "$want"
	checked=$((checked + 1))
done
expect_eq "SLUB_STATS counters compared" "$checked" 26
# The workload made 2000 allocations and 2000 frees; nothing else did.
a=$(( $(stat_sum alloc_fastpath) + $(stat_sum alloc_slowpath) ))
expect_eq "allocations counted" "$a" 2000

# Per-CPU rows: cpu0's main sheaf holds at most capacity objects.
grep -q "^  cpu0 .* main [0-9]*/$3 " /tmp/state.txt || fail "cpu0's main sheaf is not of capacity $3"
grep -q '^  node0 ' /tmp/state.txt || fail "no barn row for node 0"
knob cache 0
exit 0
