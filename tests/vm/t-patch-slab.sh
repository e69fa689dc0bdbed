#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: debug
# The sheaf and barn tracepoints in kmem (patches/ 0001) fire for a burst of mmap/munmap
# and add up to the cache's SLUB_STATS counters over the same interval:
# refilled and flushed objects, full-sheaf barn gets and puts (and their
# failures), and the prefill/return paths of caller-owned sheaves.
. /src/tests/vm/lib.sh

grep -q "mmscope.kernel=debian" /proc/cmdline && skip "Debian's kernel: no patch series"

T=/sys/kernel/tracing
C=maple_node
S=/sys/kernel/slab/$C
EVENTS="sheaf_refill sheaf_flush barn_get barn_put sheaf_prefill sheaf_return"
[ -d $T/events/kmem/sheaf_refill ] || fail "no sheaf tracepoints in kmem: the kernel lacks patches/ 0001"
[ -f $S/sheaf_refill ] || skip_unless_ours "no SLUB_STATS counters in $S"

STATS="sheaf_refill sheaf_flush barn_get barn_get_fail barn_put barn_put_fail
       sheaf_prefill_fast sheaf_prefill_slow sheaf_prefill_oversize
       sheaf_return_fast sheaf_return_slow"

# snap PREFIX: the counters into PREFIX_<stat>, with shell builtins only
# (no fork, hence no mmap and no maple_node activity of our own).
snap() {
	for f in $STATS; do
		read -r v rest < $S/$f
		eval "${1}_$f=$v"
	done
}

sums() {
	awk '
	/ sheaf_refill: / { for (i = 1; i <= NF; i++) if ($i ~ /^obtained=/) { sub(/.*=/, "", $i); refill += $i }
			    for (i = 1; i <= NF; i++) if ($i ~ /^requested=/) { r = $i; sub(/.*=/, "", r) }
			    n_refill++ }
	/ sheaf_flush: /  { for (i = 1; i <= NF; i++) if ($i ~ /^nr=/) { sub(/.*=/, "", $i); flush += $i }
			    n_flush++ }
	/ barn_get: .*sheaf=full success=1/  { bg++ }
	/ barn_get: .*sheaf=full success=0/  { bgf++ }
	/ barn_put: .*sheaf=full success=1/  { bp++ }
	/ barn_put: .*sheaf=full success=0/  { bpf++ }
	/ barn_(get|put): .*sheaf=empty/     { empty++ }
	/ sheaf_prefill: .*path=fast/        { pf++ }
	/ sheaf_prefill: .*path=slow/        { ps++ }
	/ sheaf_prefill: .*path=oversize/    { po++ }
	/ sheaf_return: .*path=fast/         { rf++ }
	/ sheaf_return: .*path=slow/         { rs++ }
	END {
		printf "sheaf_refill %d\nsheaf_flush %d\nbarn_get %d\nbarn_get_fail %d\n", refill, flush, bg, bgf
		printf "barn_put %d\nbarn_put_fail %d\nsheaf_prefill_fast %d\n", bp, bpf, pf
		printf "sheaf_prefill_slow %d\nsheaf_prefill_oversize %d\n", ps, po
		printf "sheaf_return_fast %d\nsheaf_return_slow %d\n", rf, rs
		printf "n_refill %d\nn_flush %d\nn_empty %d\n", n_refill, n_flush, empty
	}' /tmp/slab.trace
}

echo 0 > $T/tracing_on
echo 8192 > $T/buffer_size_kb
for e in $EVENTS; do
	echo "name == \"$C\"" > $T/events/kmem/$e/filter
	echo 1 > $T/events/kmem/$e/enable
done

attempt=1
while :; do
	echo > $T/trace
	snap b
	echo 1 > $T/tracing_on
	"$WORKLOADS/slab_burst" 2000 4 2 > /dev/null || fail "slab_burst failed"
	snap a
	echo 0 > $T/tracing_on

	grep -q 'overrun: [1-9]' $T/per_cpu/cpu*/stats && fail "trace buffer overran"
	# Formatted once: the kernel prints every event again at each read of
	# trace, which under KASAN and TCG took minutes on a loaded host.
	cat $T/trace > /tmp/slab.trace
	sums > /tmp/slab.sums
	bad=
	for f in $STATS; do
		eval "delta=\$((a_$f - b_$f))"
		ev=$(awk -v k=$f '$1 == k { print $2 }' /tmp/slab.sums)
		echo "$f: SLUB_STATS +$delta, events $ev"
		[ "$delta" = "$ev" ] || bad="$bad $f"
	done
	[ -z "$bad" ] && break
	# A kfree_rcu() batch of an earlier process may land between the
	# counter snapshot and tracing_on; try again before calling it a bug.
	[ $attempt -lt 3 ] || fail "events disagree with SLUB_STATS for:$bad"
	attempt=$((attempt + 1))
done

for e in $EVENTS; do
	echo 0 > $T/events/kmem/$e/enable
	echo 0 > $T/events/kmem/$e/filter
done
n() { awk -v k="$1" '$1 == k { print $2 }' /tmp/slab.sums; }
cat /tmp/slab.sums
# The burst must have exercised the paths, not merely agreed on zero.
[ "$(n n_refill)" -gt 0 ] || fail "no sheaf_refill events for $C"
[ $(($(n sheaf_prefill_fast) + $(n sheaf_prefill_slow))) -gt 0 ] ||
	fail "no sheaf_prefill events for $C"
[ $(($(n sheaf_return_fast) + $(n sheaf_return_slow))) -gt 0 ] ||
	fail "no sheaf_return events for $C"
[ $((a_barn_get + a_barn_put + a_sheaf_flush - b_barn_get - b_barn_put - b_sheaf_flush)) -gt 0 ] ||
	fail "no barn or flush activity on $C"
# Field sanity: obtained never exceeds requested; prefill sizes are positive.
awk '/ sheaf_refill: / { for (i = 1; i <= NF; i++) { if ($i ~ /^requested=/) { r = $i; sub(/.*=/, "", r) }
					      if ($i ~ /^obtained=/) { o = $i; sub(/.*=/, "", o) } }
			 if (o + 0 > r + 0 || r + 0 == 0) { print "bad refill: " $0; bad = 1 } }
     / sheaf_prefill: / && / size=0 / { print "bad prefill: " $0; bad = 1 }
     / cache=/ && !/ cache=maple_node / { print "filter leak: " $0; bad = 1 }
     END { exit bad }' /tmp/slab.trace || fail "bad event fields"
echo "ok: $C events agree with SLUB_STATS (attempt $attempt)"
exit 0
