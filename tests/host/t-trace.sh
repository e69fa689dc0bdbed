#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The general tracers on the host kernel (tp_btf here: fentry is refused),
# checked against tests/workloads/trace-alloc, whose allocations are known:
# 'open K' does exactly K more filp and names_cache allocations and frees
# than 'open 0'; 'thp K' does exactly K order-9 page allocations.  Every
# JSON record is validated against docs/schema/mmscope-record.schema.json.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
W=$MMSCOPE_BUILD/tests/trace-alloc
validate="/usr/bin/python3 $top/tests/host/validate-jsonl.py"
tmp=$(mktemp -d)
chmod 755 "$tmp"	# 'report' runs as nobody
trap 'rm -rf "$tmp"' EXIT
K=2000

# JSON records only (the workload prints its loop time on stdout too).
records() { grep '^{' "$1"; }

# slab_count FILE CACHE FIELD
slab_count() {
	records "$1" | jq -rs --arg c "$2" --arg f "$3" \
		'[.[] | .rows[]? | select(.cache == $c) | .[$f]] | add // 0'
}

# --- trace slab: exact counts per cache --------------------------------------
"$MMSCOPE" -v trace slab -j -n 0 -- "$W" open 0 > "$tmp/s0" 2> "$tmp/s0.err" ||
	{ echo "FAIL slab-run: exit $?: $(cat "$tmp/s0.err")"; exit 1; }
"$MMSCOPE" trace slab -j -n 0 -- "$W" open $K > "$tmp/s1" 2>&1 ||
	{ echo "FAIL slab-run: exit $?"; exit 1; }
ok=1
for c in filp names_cache; do
	for f in allocs frees; do
		a=$(slab_count "$tmp/s0" $c $f) b=$(slab_count "$tmp/s1" $c $f)
		if [ $((b - a)) != $K ]; then
			echo "FAIL slab-exact: $c $f: open $K gave $b, open 0 gave $a; expected a difference of $K"
			ok=0
		fi
	done
done
[ $ok = 1 ] && echo "PASS slab-exact: filp and names_cache allocs and frees grow by exactly $K for $K opens"

# ... and absolutely: the command's own opens, counted without mmscope
# (strace: every successful open and the exec, which opens the binary), are
# its filp allocations and frees, and nothing of mmscope's is in them (its
# descriptors and address space, which a fork before exec would free in
# the command's name: vm_area_struct then had twice the frees).
if command -v strace > /dev/null; then
	strace -f -qq -e trace=open,openat,execve -e status=successful -o "$tmp/strace" "$W" open $K > /dev/null
	truth=$(grep -c . "$tmp/strace")
	a=$(slab_count "$tmp/s1" filp allocs) f=$(slab_count "$tmp/s1" filp frees)
	va=$(slab_count "$tmp/s1" vm_area_struct allocs) vf=$(slab_count "$tmp/s1" vm_area_struct frees)
	[ "$a" = "$truth" ] && [ "$f" = "$truth" ] && [ "$va" = "$vf" ] &&
		echo "PASS slab-truth: filp allocs = frees = $truth, the opens strace counts; vm_area_struct $va = $vf" ||
		echo "FAIL slab-truth: filp allocs $a, frees $f, want the $truth opens strace counts; vm_area_struct allocs $va, frees $vf (want equal)"
else
	echo "SKIP slab-truth: no strace to count the command's opens without mmscope (apt-get install strace)"
fi

# bytes are counts times the cache's object footprint from /sys/kernel/slab
size=$(cat /sys/kernel/slab/filp/slab_size)
a=$(slab_count "$tmp/s1" filp allocs) b=$(slab_count "$tmp/s1" filp alloc_bytes)
[ "$b" = $((a * size)) ] && echo "PASS slab-bytes: filp alloc_bytes = allocs x $size (slab_size)" ||
	echo "FAIL slab-bytes: filp alloc_bytes $b, allocs $a x slab_size $size = $((a * size))"

grep -q 'slab allocations: attaching tp_btf:kmem_cache_alloc' "$tmp/s0.err" &&
	grep -q 'slab frees: attaching tp_btf:kmem_cache_free' "$tmp/s0.err" &&
	echo "PASS slab-attach-verbose: -v names tp_btf (this host refuses fentry)" ||
	echo "FAIL slab-attach-verbose: -v output does not name the tp_btf points: $(cat "$tmp/s0.err")"

# Fallback: when the chosen program fails to load (a refusal made real with
# MMSCOPE_FAULT_ATTACH, which sets a load flag the kernel rejects), that
# event alone moves to its next candidate and the counts stay exact.
for ev in tp_btf:kmem_cache_alloc tp_btf:kmem_cache_free; do
	MMSCOPE_FAULT_ATTACH=$ev "$MMSCOPE" -v trace slab -j -n 0 -- "$W" open $K > "$tmp/f1" 2> "$tmp/f1.err" ||
		{ echo "FAIL slab-fallback: $ev refused: exit $?: $(grep -v '^libbpf' "$tmp/f1.err")"; continue; }
	raw=raw_tp:${ev#tp_btf:} other=tp_btf:kmem_cache_free what=allocations
	[ "$ev" = tp_btf:kmem_cache_free ] && other=tp_btf:kmem_cache_alloc what=frees
	a=$(slab_count "$tmp/f1" filp allocs) f=$(slab_count "$tmp/f1" filp frees)
	a1=$(slab_count "$tmp/s1" filp allocs) f1=$(slab_count "$tmp/s1" filp frees)
	if grep -q "slab $what: attaching $raw" "$tmp/f1.err" && grep -q "attaching $other\$" "$tmp/f1.err" &&
	   [ "$a" = "$a1" ] && [ "$f" = "$f1" ]; then
		echo "PASS slab-fallback: $ev refused at load: $raw instead, the other event stays on $other, filp $a/$f as without the fault"
	else
		echo "FAIL slab-fallback: $ev refused: filp $a/$f (want $a1/$f1); -v said: $(grep attaching "$tmp/f1.err" | tr '\n' ';')"
	fi
done

out=$(records "$tmp/s1" | $validate) && echo "PASS slab-json-schema: $out" ||
	echo "FAIL slab-json-schema: $out"

# -A: allocations only, the same allocation counts, no frees attached
"$MMSCOPE" trace slab -A -j -n 0 -- "$W" open $K > "$tmp/sA" 2>&1
a=$(slab_count "$tmp/sA" filp allocs) f=$(records "$tmp/sA" | jq '[.rows[].frees] | add')
[ "$a" = "$(slab_count "$tmp/s1" filp allocs)" ] && [ "$f" = 0 ] &&
	echo "PASS slab-allocs-only: -A counts the same $a filp allocations and no frees" ||
	echo "FAIL slab-allocs-only: -A gave $a filp allocations (want $(slab_count "$tmp/s1" filp allocs)), $f frees (want 0)"

# No filter: the whole machine through the cache-pointer-only map; at
# least the workload's K opens, and one report at SIGINT.
"$MMSCOPE" trace slab -j -n 0 -C filp > "$tmp/sall" 2>&1 & tpid=$!
sleep 1
"$W" open $K > /dev/null
kill -INT $tpid; wait $tpid
n=$(slab_count "$tmp/sall" filp allocs)
[ "$(grep -c '^{' "$tmp/sall")" = 1 ] && [ "$n" -ge $K ] &&
	echo "PASS slab-unfiltered: $n filp allocations machine-wide >= $K, report at SIGINT" ||
	{ echo "FAIL slab-unfiltered: $n filp allocations (want >= $K):"; cat "$tmp/sall"; }

# -C glob, -b comm, text layout
"$MMSCOPE" trace slab -C 'fil?' -b comm -n 0 -- "$W" open $K > "$tmp/s2" 2>&1
# The forked child opens the workload's binary under its old name.
rows=$(grep -v '^[0-9]*$\|^COMM\|^$\|^mmscope  *filp ' "$tmp/s2" | wc -l)
line=$(grep '^trace-alloc  *filp ' "$tmp/s2")
set -- $line
if [ "$rows" = 1 ] && head -1 "$tmp/s2" | grep -q '^[0-9]*$' &&
	grep -q '^COMM  *CACHE  *ALLOCS  *FREES  *ALLOC_BYTES  *FREE_BYTES$' "$tmp/s2" &&
	[ "${3:-0}" = $K ]; then
	echo "PASS slab-filter-by-comm: -C 'fil?' -b comm shows trace-alloc/filp, $3 allocs"
else
	echo "FAIL slab-filter-by-comm: unexpected table:"; cat "$tmp/s2"
fi

# -c COMM filters in the kernel: nothing from another name
"$MMSCOPE" trace slab -j -c no-such-comm -n 0 -- "$W" open 100 > "$tmp/s3" 2>&1
n=$(records "$tmp/s3" | jq '.rows | length')
[ "$n" = 0 ] && echo "PASS slab-comm-filter: -c no-such-comm counts nothing" ||
	echo "FAIL slab-comm-filter: -c no-such-comm gave $n rows"

# interval mode: -p, [interval] [count], -T
"$W" open 0 >/dev/null
sleep 30 & spid=$!
"$MMSCOPE" trace slab -T -p $spid 1 2 > "$tmp/s4" 2>&1
kill $spid 2>/dev/null; wait $spid 2>/dev/null
n=$(grep -c '^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]$' "$tmp/s4")
[ "$n" = 2 ] && echo "PASS slab-interval: 'trace slab -T -p PID 1 2' printed 2 timed reports" ||
	{ echo "FAIL slab-interval: expected 2 timestamped reports:"; cat "$tmp/s4"; }

# status names the same choice without tracing anything
plan=$("$MMSCOPE" status -j | jq -c .tracers)
[ "$plan" = '{"slab":"tp_btf:kmem_cache_alloc tp_btf:kmem_cache_free","page":"tp_btf:mm_page_alloc"}' ] &&
	echo "PASS status-tracers: status -j names the tp_btf points the tracers use here" ||
	echo "FAIL status-tracers: $plan"

# --- trace page: order histogram ------------------------------------------
if grep -q '\[never\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null ||
	[ ! -e /sys/kernel/mm/transparent_hugepage/enabled ]; then
	echo "SKIP page-order-exact: THP is off on this kernel, no order-9 allocations to count"
else
	"$MMSCOPE" trace page -j -- "$W" thp 6 > "$tmp/p1" 2>&1
	n9=$(records "$tmp/p1" | jq '[.hists[].buckets[] | select(.min == 9) | .count] | add // 0')
	n0=$(records "$tmp/p1" | jq '[.hists[].buckets[] | select(.min == 0) | .count] | add // 0')
	[ "$n9" = 6 ] && [ "$n0" -gt 0 ] && echo "PASS page-order-exact: 6 THP faults = 6 order-9 allocations (and $n0 order-0)" ||
		echo "FAIL page-order-exact: order 9: $n9 (expected 6), order 0: $n0"
	"$MMSCOPE" trace page -b comm -- "$W" thp 3 > "$tmp/p2" 2>&1
	if grep -q '^@order\[trace-alloc\]:$' "$tmp/p2" &&
		grep -q '^\[9, 10)  *3 |@*  *|$' "$tmp/p2"; then
		echo "PASS page-text: @order[trace-alloc]: with 3 in [9, 10), bpftrace layout"
	else
		echo "FAIL page-text:"; cat "$tmp/p2"
	fi
	out=$(records "$tmp/p1" | $validate) && echo "PASS page-json-schema: $out" ||
		echo "FAIL page-json-schema: $out"
fi

# --- record / report -------------------------------------------------------
"$MMSCOPE" record -o "$tmp/rec.jsonl" trace slab -C filp -- "$W" open $K > /dev/null 2> "$tmp/rec.err"
out=$($validate < "$tmp/rec.jsonl") && echo "PASS record-schema: $out" ||
	echo "FAIL record-schema: $out"
head -1 "$tmp/rec.jsonl" | jq -e --arg k "$(uname -r)" \
	'.type == "header" and .kernel == $k and .command == ["trace","slab","-C","filp","--","'"$W"'","open","'$K'"]' >/dev/null &&
	echo "PASS record-header: kernel and command line recorded" ||
	echo "FAIL record-header: $(head -1 "$tmp/rec.jsonl")"
want=$(slab_count "$tmp/rec.jsonl" filp allocs)
setpriv --reuid=65534 --regid=65534 --clear-groups "$MMSCOPE" report "$tmp/rec.jsonl" > "$tmp/rep" 2>&1
if grep -q "^# recorded by mmscope .* (Linux $(uname -r) " "$tmp/rep" &&
	grep -q "^filp  *$want " "$tmp/rep" && [ "$want" -ge $K ]; then
	echo "PASS report: prints the recorded table ($want filp allocs) without root"
else
	echo "FAIL report:"; cat "$tmp/rep"
fi
printf '{"type":"header"}\nnot json\n' > "$tmp/bad.jsonl"
"$MMSCOPE" report "$tmp/bad.jsonl" > /dev/null 2> "$tmp/bad.err"
rc=$?
[ $rc = 1 ] && grep -q 'bad.jsonl:2: not an mmscope JSON record' "$tmp/bad.err" &&
	echo "PASS report-bad-file: line 2 named, exit 1" ||
	echo "FAIL report-bad-file: exit $rc: $(cat "$tmp/bad.err")"
