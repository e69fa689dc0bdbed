#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: debug
# rmap:folio_mm_id (patches/ 0005) follows a 2 MiB anonymous THP through
# fault, fork, the child's munmap and the parent's munmap: one event per
# update, at PMD level with a delta of one mapping, with the slots,
# mapcounts and shared bit the MM-ID scheme prescribes before and after
# each step (the event is emitted under the folio's mapcount lock, so each
# "before" is the previous event's "after").  The workload stops after each
# step, and the folio's state read through the module's mmid/pfn then must
# be what the step's event reported.
. /src/tests/vm/lib.sh
. /src/tests/vm/mmid-lib.sh

grep -q "mmscope.kernel=debian" /proc/cmdline && skip "Debian's kernel: no patch series"

T=/sys/kernel/tracing
EV=$T/events/rmap/folio_mm_id
[ -d "$EV" ] || fail "no $EV: the kernel lacks the rmap tracepoint patch"
# The test kernel has no madvise() (no CONFIG_ADVISE_SYSCALLS).
echo always > /sys/kernel/mm/transparent_hugepage/enabled

echo 0 > $T/tracing_on
echo > $T/trace
echo 4096 > $T/buffer_size_kb
echo 1 > "$EV/enable"
echo 1 > $T/tracing_on

load_module
rm -f /tmp/rmap.go /tmp/rmap.out
mkfifo /tmp/rmap.go
"$WORKLOADS/thp_fork" step < /tmp/rmap.go > /tmp/rmap.out 2>&1 &
wl=$!
exec 4> /tmp/rmap.go

# wait_step LINE: until the workload has printed LINE and holds still.
wait_step() {
	local i=0
	until grep -q "^$1\$" /tmp/rmap.out; do
		kill -0 $wl 2>/dev/null || fail "thp_fork stopped before '$1': $(cat /tmp/rmap.out)"
		i=$((i + 1))
		[ $i -lt 300 ] || fail "thp_fork did not reach '$1' in 60 s"
		sleep 0.2
	done
}

# ev_vars N: each FIELD=value of the Nth event for the THP into $E_FIELD
# (one grep per event, not a pipeline of five per field).
ev_vars() {
	local line w
	for w in $EV_KEYS; do
		unset "E_$w"
	done
	EV_KEYS=
	line=$(grep "folio_mm_id: pfn=$pfn " $T/trace | sed -n "${1}p")
	set -f
	for w in ${line#*folio_mm_id: }; do
		case ${w%%=*} in *[!a-z0-9_]* | "") continue ;; esac
		eval "E_${w%%=*}=\${w#*=}"
		EV_KEYS="$EV_KEYS ${w%%=*}"
	done
	set +f
}

# agree N: the module's view of the folio now is the state event N left.
agree() {
	local a shared
	a=$(mmid_q pfn $((pfn))) || fail "mmid/pfn $pfn: no answer"
	answer_vars "$a"
	ev_vars "$1"
	expect_eq "step $1: module slot0" \
		"$A_slot0_mm_id:$A_slot0_mapcount" "${E_slot0#*>}"
	expect_eq "step $1: module slot1" \
		"$A_slot1_mm_id:$A_slot1_mapcount" "${E_slot1#*>}"
	expect_eq "step $1: module large_mapcount" \
		"$A_large_mapcount" "$E_large_mapcount"
	# PMD-mapped by every MM that maps it.
	expect_eq "step $1: module entire_mapcount" \
		"$A_entire_mapcount" "$E_large_mapcount"
	shared=$E_shared
	expect_eq "step $1: module shared_bit" "$A_shared_bit" "${shared#*>}"
}

wait_step mapped
pfn=$(sed -n 's/^pfn=\(0x[0-9a-f]*\) .*/\1/p' /tmp/rmap.out)
[ -n "$pfn" ] || fail "thp_fork found no THP: $(cat /tmp/rmap.out)"
agree 1
echo >&4
wait_step forked
agree 2
echo >&4
wait_step child-unmapped
agree 3
echo >&4
wait $wl || fail "thp_fork failed: $(cat /tmp/rmap.out)"
exec 4>&-
echo 0 > $T/tracing_on
echo 0 > "$EV/enable"
cat /tmp/rmap.out

grep "folio_mm_id: pfn=$pfn " $T/trace | sed 's/.*folio_mm_id: //' > /tmp/rmap.ev
cat /tmp/rmap.ev
expect_eq "events for pfn $pfn" "$(wc -l < /tmp/rmap.ev)" 4

ev_vars 1
P=$E_mm_id
ev_vars 2
C=$E_mm_id
[ -n "$P" ] && [ "$P" != 0 ] || fail "parent mm_id '$P'"
[ -n "$C" ] && [ "$C" != 0 ] && [ "$C" != "$P" ] || fail "child mm_id '$C' (parent $P)"

check() { # N delta mm_id slot0 slot1 large shared (slots and bit: before->after)
	ev_vars "$1"
	expect_eq "event $1 order" "$E_order" 9
	expect_eq "event $1 anon" "$E_anon" anon
	expect_eq "event $1 level" "$E_level" pmd
	expect_eq "event $1 delta" "$E_delta" "$2"
	expect_eq "event $1 mm_id" "$E_mm_id" "$3"
	expect_eq "event $1 slot0" "$E_slot0" "$4"
	expect_eq "event $1 slot1" "$E_slot1" "$5"
	expect_eq "event $1 large_mapcount" "$E_large_mapcount" "$6"
	expect_eq "event $1 shared" "$E_shared" "$7"
}
# The fault maps the new THP with a PMD for the parent.
check 1 1 "$P" "0:0->$P:1" "0:0->0:0" 1 "0->0"
# Fork duplicates the PMD into the child, which takes the second slot:
# two MMs map it, so the "maybe mapped shared" bit is set.
check 2 1 "$C" "$P:1->$P:1" "0:0->$C:1" 2 "0->1"
# The child unmaps: its slot is freed, the parent owns all mappings again
# and the bit is cleared.
check 3 -1 "$C" "$P:1->$P:1" "$C:1->0:0" 1 "1->0"
# The parent unmaps: no mappings and both slots free.
check 4 -1 "$P" "$P:1->0:0" "0:0->0:0" 0 "0->0"
unload_module
exit 0
