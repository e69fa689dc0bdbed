#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make demo`: runs in the release test guest (no debug options, about 1 s
# to boot) with mmscope.ko loaded, drives a short workload per area and
# shows what mmscope reports.  Files meant for the host go to /mmscope/demo,
# which is BUILD_DIR/release/demo there.
DBG=/sys/kernel/debug/mmscope
W=/opt/mmscope/tests
export PATH=/opt/mmscope/bin:$PATH

say() { printf '\n== %s\n' "$*"; }

say "mmscope.ko $(cat $DBG/version) on Linux $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs"
grep -E '^(CONFIG_MM_ID|CONFIG_NO_PAGE_MAPCOUNT|CONFIG_SLUB_STATS|slub_sheaves|patch_)' $DBG/features

say "MM-ID: 4 THPs, one per state (exclusive, shared by 2 MMs, untracked 3rd MM, the false positive)"
"$W/mmid-thp" 1 1 1 1 > /tmp/thp.out 2>&1 &
for i in $(seq 50); do grep -q '^ready' /tmp/thp.out && break; sleep 0.2; done
set -- $(sed -n 's/^pids //p' /tmp/thp.out)
echo "\$ mmscope mmid $1"
mmscope mmid "$1"
echo "\$ mmscope mmid census"
mmscope mmid census
echo "\$ mmscope mmid audit"
mmscope mmid audit
kill "$1" 2>/dev/null
wait

say "Sheaves and barns: the busiest caches"
echo "\$ mmscope slab 'maple_node' ; mmscope slab -S 'vm_area_struct'"
mmscope slab maple_node
mmscope slab -S vm_area_struct | head -n 12
echo "\$ in-kernel workload: 64-byte cache, sheaf capacity 32, 500 bursts of 64"
echo 64 > $DBG/slab/object_size
echo 32 > $DBG/slab/sheaf_capacity
echo burst > $DBG/slab/mode
echo 64 > $DBG/slab/batch
echo 500 > $DBG/slab/iterations
echo 1 > $DBG/slab/cache
echo 1 > $DBG/slab/run
for i in $(seq 100); do grep -q '^state: done' $DBG/slab/result 2>/dev/null && break; sleep 0.2; done
# The counts are the point here; times measured under QEMU's TCG emulator
# say nothing about hardware, so the demo leaves them out.
grep -v '_ns\|ns_per\|ns/' $DBG/slab/result | head -n 20
echo "(times left out: this guest runs under TCG emulation)"
echo 0 > $DBG/slab/cache 2>/dev/null

say "DAMON: tune the sampling interval toward 4% observed accesses"
mmscope damon workload -H 8M --cold 24M -r 10 > /dev/null 2>&1 &
wl=$!
sleep 1
mmscope damon start -p $wl 4% 3 1ms 100ms
mkdir -p /mmscope/demo
mmscope damon record -o /mmscope/demo/tune.jsonl -d 8 > /dev/null
mmscope damon status
mmscope damon report -o /mmscope/demo/tune.svg /mmscope/demo/tune.jsonl | tail -n 8
mmscope damon stop
kill $wl 2>/dev/null
wait

say "Page allocations by order while dd copies 32 MiB"
mmscope -v trace page -- dd if=/dev/zero of=/dev/null bs=1M count=32 2>&1 | tail -n 12
