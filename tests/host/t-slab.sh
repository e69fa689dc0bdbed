#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mmscope slab on the host kernel (6.18): the BPF backend reads the 6.18
# layout (barn off kmem_cache_node) and agrees with /sys/kernel/slab; top
# and hist run on tp_btf, and the fentry-only histograms say why not.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

json=$("$MMSCOPE" slab -a -D -j) || { echo "FAIL slab-state: mmscope slab -a -d -j exited $?"; exit 1; }

ncaches=$(jq '.caches | length' <<< "$json")
want=$(find /sys/kernel/slab -mindepth 1 -maxdepth 1 -type d | wc -l)
if [ "$ncaches" = "$want" ]; then
	echo "PASS slab-state-caches: $ncaches caches, as /sys/kernel/slab"
else
	echo "FAIL slab-state-caches: $ncaches caches, /sys/kernel/slab has $want"
fi

# Static attributes must match sysfs exactly, cache by cache.
bad=0 checked=0 sheaved=0
while read -r name obj cap; do
	d=/sys/kernel/slab/$name
	[ -e "$d/object_size" ] || continue
	checked=$((checked + 1))
	[ "$cap" != 0 ] && sheaved=$((sheaved + 1))
	sobj=$(cat "$d/object_size")
	scap=$(cat "$d/sheaf_capacity" 2>/dev/null || echo 0)
	if [ "$obj" != "$sobj" ] || [ "$cap" != "$scap" ]; then
		echo "        $name: object_size $obj/$sobj sheaf_capacity $cap/$scap (mmscope/sysfs)"
		bad=$((bad + 1))
	fi
done < <(jq -r '.caches[] | "\(.cache) \(.object_size) \(.sheaf_capacity)"' <<< "$json")
if [ $bad = 0 ] && [ $checked -gt 0 ] && [ $sheaved -gt 0 ]; then
	echo "PASS slab-state-sysfs: object_size and sheaf_capacity of $checked caches ($sheaved with sheaves) match sysfs"
else
	echo "FAIL slab-state-sysfs: $bad of $checked caches differ from sysfs ($sheaved with sheaves)"
fi

# Per-CPU rows: one per possible CPU for every cache with sheaves, and no
# sheaf holds more than its capacity.
ncpu=$(( $(sed 's/.*-//' /sys/devices/system/cpu/possible) + 1 ))
bad=$(jq --argjson n "$ncpu" '[.caches[] | select(.sheaf_capacity > 0) |
	select((.cpus | length) != $n or any(.cpus[]; .main > .main_capacity or
	.spare > .spare_capacity or .rcu_free > .rcu_free_capacity))] | length' <<< "$json")
nodes=$(jq '[.caches[] | select(.sheaf_capacity > 0) | .nodes | length] | min' <<< "$json")
if [ "$bad" = 0 ] && [ "${nodes:-0}" -ge 1 ]; then
	echo "PASS slab-state-percpu: $ncpu CPU rows per cache, sizes within capacity, barns on >= $nodes node(s)"
else
	echo "FAIL slab-state-percpu: $bad caches with wrong CPU rows or overfull sheaves; min nodes ${nodes:-none}"
fi
# A main sheaf's capacity is the cache's sheaf_capacity (6.18 and 7.x).
bad=$(jq '[.caches[] | select(.sheaf_capacity > 0) | .sheaf_capacity as $c |
	.cpus[] | select(.main_capacity != 0 and .main_capacity != $c)] | length' <<< "$json")
[ "$bad" = 0 ] && echo "PASS slab-state-capacity: main sheaves report the cache's capacity" ||
	echo "FAIL slab-state-capacity: $bad CPU rows with a main capacity other than the cache's"

# The text view shows the same caches.
text=$("$MMSCOPE" slab -D maple_node) || echo "FAIL slab-text: exit $?"
if grep -q '^maple_node ' <<< "$text" && grep -q '^  cpu0 ' <<< "$text" && grep -q '^  node0 ' <<< "$text"; then
	echo "PASS slab-text: maple_node with per-CPU and per-node detail"
else
	echo "FAIL slab-text: $text"
fi

# slab top: without SLUB_STATS it counts kmem_cache_alloc/free by tp_btf.
out=$("$MMSCOPE" -v slab top -B 1 1 2>&1)
rc=$?
if [ $rc = 0 ] && grep -q 'attaching tp_btf:kmem_cache_alloc' <<< "$out" && grep -q '^CACHE ' <<< "$out"; then
	echo "PASS slab-top-host: runs on tp_btf:kmem_cache_alloc"
else
	echo "FAIL slab-top-host: exit $rc: $out"
fi

# slab hist: kmalloc sizes via tp_btf; bulk needs fentry, which this host refuses.
out=$("$MMSCOPE" -v slab hist -K kmalloc 1 1 2>&1)
rc=$?
if [ $rc = 0 ] && grep -q 'attaching tp_btf:kmalloc' <<< "$out" && grep -q '^@kmalloc:$' <<< "$out"; then
	echo "PASS slab-hist-kmalloc: histogram of kmalloc sizes on tp_btf"
else
	echo "FAIL slab-hist-kmalloc: exit $rc: $out"
fi
# A chosen program that fails to load falls back to the next candidate
# (MMSCOPE_FAULT_ATTACH makes the kernel refuse it), in slab hist and top.
out=$(MMSCOPE_FAULT_ATTACH=tp_btf:kmalloc "$MMSCOPE" -v slab hist -K kmalloc 1 1 2>&1)
rc=$?
if [ $rc = 0 ] && grep -q 'attaching raw_tp:kmalloc' <<< "$out" && grep -q '^@kmalloc:$' <<< "$out" &&
   grep -q '^\[.*) *[1-9][0-9]* |' <<< "$out"; then
	echo "PASS slab-hist-fallback: tp_btf:kmalloc refused at load, raw_tp:kmalloc fills the histogram"
else
	echo "FAIL slab-hist-fallback: exit $rc: $(grep -v '^libbpf' <<< "$out")"
fi
out=$(MMSCOPE_FAULT_ATTACH=tp_btf:kmem_cache_free "$MMSCOPE" -v slab top -B 1 1 2>&1)
rc=$?
if [ $rc = 0 ] && grep -q 'kmem_cache frees: attaching raw_tp:kmem_cache_free' <<< "$out" &&
   grep -q 'kmem_cache allocations: attaching tp_btf:kmem_cache_alloc$' <<< "$out" && grep -q '^CACHE ' <<< "$out"; then
	echo "PASS slab-top-fallback: tp_btf:kmem_cache_free refused at load, raw_tp for frees, tp_btf kept for allocations"
else
	echo "FAIL slab-top-fallback: exit $rc: $(grep -v '^libbpf' <<< "$out")"
fi
# The help's own linear example, which 6.18's verifier once refused
# ("R2 unbounded memory access", shown as "Permission denied").
out=$("$MMSCOPE" slab hist -K kmalloc -l 0,512,64 1 1 2>&1)
rc=$?
if [ $rc = 0 ] && grep -q '^\[0, 64) ' <<< "$out" && grep -q '^\[512, \.\.\.) ' <<< "$out"; then
	echo "PASS slab-hist-kmalloc-linear: -l 0,512,64 loads and fills linear slots"
else
	echo "FAIL slab-hist-kmalloc-linear: exit $rc: $out"
fi
out=$("$MMSCOPE" slab hist -K bulk 1 1 2>&1)
rc=$?
if [ "$("$MMSCOPE" status -j | jq -r '.bpf.fentry.ok')" = true ]; then
	[ $rc = 0 ] && echo "PASS slab-hist-bulk: fentry works here" || echo "FAIL slab-hist-bulk: exit $rc: $out"
elif [ $rc = 4 ] && grep -q 'refuses fentry' <<< "$out"; then
	echo "PASS slab-hist-bulk-refused: exits 4 and says the kernel refuses fentry"
else
	echo "FAIL slab-hist-bulk-refused: exit $rc: $out"
fi
