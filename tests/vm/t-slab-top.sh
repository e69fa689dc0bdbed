#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: release debian
# mmscope slab top on the guest: while the knob workload runs known bursts
# on the test cache, its row shows them, and the JSON rates add up to the
# run's allocation count.  With SLUB_STATS (the test kernel) top reads the
# counters; without (Debian's kernel) it counts with the slab tracepoints
# and must not show what only SLUB_STATS knows (sheaf hits).  With the
# patch series, allocations from prefilled sheaves (alloc_from_sheaf,
# PFALC) are counted too.
. /src/tests/vm/lib.sh
. /src/tests/vm/slab-lib.sh

load_module
stats=n
[ -e /sys/kernel/slab/kmalloc-64/alloc_fastpath ] && stats=y
fresh_cache 64 8
knob mode burst
knob batch 100
knob iterations 3000
knob cpus 0

# Until stopped: it must see the whole run, however long the guest takes.
mmscope -v slab top -j -C mmscope_test 1 > /tmp/top.json 2> /tmp/top.err &
pid=$!
# Start the workload once top has sampled (its first report is out).
n=0
until [ -s /tmp/top.json ]; do
	n=$((n + 1)); [ $n -gt 300 ] && fail "slab top printed nothing in 30 s"; sleep 0.1
done
knob run 1
wait_run 300
# Two more reports: the interval in which the run ended has been printed.
lines=$(wc -l < /tmp/top.json)
n=0
until [ "$(wc -l < /tmp/top.json)" -ge $((lines + 2)) ]; do
	n=$((n + 1)); [ $n -gt 300 ] && fail "slab top stopped reporting"; sleep 0.1
done
kill -INT $pid
wait $pid || fail "slab top exited $? on SIGINT"
cat /tmp/top.err /tmp/top.json
if [ $stats = y ]; then
	grep -q 'SLUB_STATS yes' /tmp/top.err || fail "-v does not name SLUB_STATS as the source"
else
	grep -q 'SLUB_STATS no (CONFIG_SLUB_STATS=n)' /tmp/top.err || fail "-v does not say SLUB_STATS is off"
	grep -Eq 'kmem_cache allocations: attaching (tp_btf|fentry):kmem_cache_alloc' /tmp/top.err ||
		fail "-v names no tracer for allocations without SLUB_STATS"
fi
grep -q '^{"type":"slab_top",.*"interval":1,' /tmp/top.json || fail "top -j records are not 'slab_top' records with the interval"
grep -q '"cache":"mmscope_test"' /tmp/top.json || fail "no mmscope_test row"
# Only the caches that changed: -C matches one cache, so no line has two.
grep -q '"cache":.*"cache":' /tmp/top.json && fail "a record lists a cache besides mmscope_test"
# The run makes 3000 bursts of 100 allocations on a cache nothing else
# uses: the per-interval counts add up to exactly that.
total=$(sed -n 's/.*"cache":"mmscope_test","alloc_per_s":[0-9.e+-]*,"alloc":\([0-9]*\).*/\1/p' /tmp/top.json |
	awk '{ s += $1 } END { printf "%d", s }')
expect_eq "allocations seen by top" "$total" 300000
expect_eq "error of the run" "$(result error)" 0
if [ $stats = y ]; then
	grep -q '"alloc_sheaf_per_s":[1-9]' /tmp/top.json || fail "no allocation from sheaves"
else
	grep -q '"alloc_sheaf_per_s"' /tmp/top.json && fail "sheaf hits reported without SLUB_STATS"
fi

# The text view: one report with the header and the cache, while a run
# keeps it busy (an idle cache has no row: only caches that changed are shown).
# Far more bursts than one interval can hold (the module's maximum; the
# run is stopped once top has reported).
knob iterations 10000000
knob run 1
mmscope slab top -B -C mmscope_test 1 1 > /tmp/top.txt || fail "text top exited $?"
knob_try run 0 > /dev/null
wait_run 300
cat /tmp/top.txt
grep -q '^mmscope_test ' /tmp/top.txt || fail "no mmscope_test row in text mode"
if [ $stats = y ]; then
	grep -q '^CACHE .*HIT%' /tmp/top.txt || fail "no header"
	# The series' alloc_from_sheaf counter: the last column.
	if [ "$(kernel_kind)" != debian ]; then
		grep -q '^CACHE .*PFALC$' /tmp/top.txt || fail "no PFALC column"
	fi
	# Every column shown, and still within 100 columns.
	awk 'length($0) > 100 { print; bad = 1 } END { exit bad }' /tmp/top.txt ||
		fail "the text view is wider than 100 columns"
else
	# Columns this kernel cannot fill are left out, with a line saying why.
	grep -Eq '^CACHE +ALLOC/s +FREE/s *$' /tmp/top.txt || fail "no ALLOC/FREE-only header"
	grep -q '^not shown: HIT% .*neither SLUB_STATS nor' /tmp/top.txt ||
		fail "no note of the columns left out"
fi

# Prefilled sheaves: 1000 prefills of 10, every object counted once (the
# series' alloc_from_sheaf counter, so SLUB_STATS and the series' API).
if [ $stats = y ] && grep -q '^patch_sheaf_api: y' $DBG/features; then
	knob mode sheaf
	knob batch 10
	knob iterations 1000
	mmscope slab top -j -C mmscope_test 1 > /tmp/top2.json 2> /tmp/top2.err &
	pid=$!
	n=0
	until [ -s /tmp/top2.json ]; do
		n=$((n + 1)); [ $n -gt 300 ] && fail "slab top printed nothing in 30 s"; sleep 0.1
	done
	knob run 1
	wait_run 120
	lines=$(wc -l < /tmp/top2.json)
	n=0
	until [ "$(wc -l < /tmp/top2.json)" -ge $((lines + 2)) ]; do
		n=$((n + 1)); [ $n -gt 300 ] && fail "slab top stopped reporting"; sleep 0.1
	done
	kill -INT $pid
	wait $pid || fail "slab top exited $? on SIGINT"
	sum() {
		sed -n "s/.*\"mmscope_test\".*\"$1\":\([0-9]*\).*/\1/p" /tmp/top2.json |
			awk '{ s += $1 } END { printf "%d", s }'
	}
	expect_eq "objects from prefilled sheaves (alloc_prefilled)" "$(sum alloc_prefilled)" 10000
	expect_eq "allocations seen by top, prefilled included" "$(sum alloc)" 10000
	expect_eq "prefilled allocations are sheaf hits" "$(sum alloc_sheaf)" 10000
elif [ "$(kernel_kind)" != debian ]; then
	fail "no prefilled sheaf API or no SLUB_STATS (the $(kernel_kind) test kernel must have both)"
fi
knob cache 0
exit 0
