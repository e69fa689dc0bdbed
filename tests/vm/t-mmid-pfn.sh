#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: debug
# mmid/pfn on THPs in a state the test knows: one 512-page PTE-mapped anon
# folio per case, mapped by one, two or three processes (mmid-thp).
. /src/tests/vm/lib.sh
. /src/tests/vm/mmid-lib.sh

load_module
trap mmid_stop EXIT
mmid_start 1 1 1 1

# check_folio PFN LARGE_MAPCOUNT "ID:COUNT ID:COUNT" SHARED_BIT MAYBE STATE
check_folio() {
	local a slots want_slots
	a=$(mmid_q pfn "$1") || fail "query of pfn $1 failed"
	echo "$a"
	answer_vars "$a"
	expect_eq "pfn $1 state" "$A_state" large
	expect_eq "pfn $1 head" "$A_head_pfn" "$1"
	expect_eq "pfn $1 order" "$A_order" 9
	expect_eq "pfn $1 type" "$A_type" anon
	expect_eq "pfn $1 large_mapcount" "$A_large_mapcount" "$2"
	# PTE-mapped, not swapped: one reference per mapping.
	expect_eq "pfn $1 refcount" "$A_refcount" "$2"
	expect_eq "pfn $1 entire_mapcount" "$A_entire_mapcount" 0
	expect_eq "pfn $1 pincount" "$A_pincount" 0
	# The slot order depends on who mapped first: compare sorted.
	slots=$(printf '%s:%s\n%s:%s\n' "$A_slot0_mm_id" "$A_slot0_mapcount" \
		"$A_slot1_mm_id" "$A_slot1_mapcount" | sort | tr '\n' ' ')
	want_slots=$(echo $3 | tr ' ' '\n' | sort | tr '\n' ' ')
	expect_eq "pfn $1 slots" "$slots" "$want_slots"
	expect_eq "pfn $1 shared_bit" "$A_shared_bit" "$4"
	expect_eq "pfn $1 maybe_mapped_shared" "$A_maybe_mapped_shared" "$5"
	expect_eq "pfn $1 census_state" "$A_census_state" "$6"
	# Nothing maps or unmaps it now: two lockless reads must agree.
	expect_eq "pfn $1 approximate" "$A_approximate" no
	# fork() cleared PG_anon_exclusive on every page and no write since
	# has claimed one back.
	expect_eq "pfn $1 anon_exclusive_pages" "$A_anon_exclusive_pages" 0
	ANSWER=$a
}

# Owners resolved to tasks: "PID:comm" for each slot's mm.
check_tasks() {
	local i id tasks
	for i in 0 1; do
		eval "id=\$A_slot${i}_mm_id tasks=\$A_slot${i}_tasks"
		case $id in
		0) want=- ;;
		$WL_ID_A) want="$WL_A:mmid-thp" ;;
		$WL_ID_B) want="$WL_B:mmid-thp" ;;
		*) fail "slot $i holds unknown mm id $id" ;;
		esac
		expect_eq "slot$i tasks" "$tasks" "$want"
	done
}

# E: A only.  S: A and B, 512 PTEs each.  U: A, B and a third MM C whose
# 512 mappings no slot tracks.  F: only C is left, no slot: "maybe shared".
check_folio "$(wl_pfns E)" 512 "$WL_ID_A:512 0:0" 0 0 exclusive
check_tasks
check_folio "$(wl_pfns S)" 1024 "$WL_ID_A:512 $WL_ID_B:512" 1 1 shared
check_tasks
check_folio "$(wl_pfns U)" 1536 "$WL_ID_A:512 $WL_ID_B:512" 1 1 untracked
check_tasks
check_folio "$(wl_pfns F)" 512 "0:0 0:0" 1 1 untracked
check_tasks

# A tail page answers with its head and the same folio.
s=$(wl_pfns S)
a=$(mmid_q pfn $((s + 77))) || fail "tail query failed"
answer_vars "$a"
expect_eq "tail pfn" "$A_pfn" $((s + 77))
expect_eq "tail head_pfn" "$A_head_pfn" "$s"
expect_eq "tail large_mapcount" "$A_large_mapcount" 1024
a=$(mmid_q pfn 0x$(printf %x $((s + 511)))) || fail "hex query failed"
answer_vars "$a"
expect_eq "hex tail head_pfn" "$A_head_pfn" "$s"

# Reading twice on one descriptor gives the same answer; a second write
# replaces it.
exec 4<>"$MMID/pfn"
echo "$s" >&4
first=$(cat <&4)
[ -z "$(cat <&4)" ] || fail "second read at EOF returned data"
echo "$(wl_pfns E)" >&4
second=$(cat <&4)
exec 4>&-
answer_vars "$first"
expect_eq "first answer head" "$A_head_pfn" "$s"
answer_vars "$second"
expect_eq "second answer head" "$A_head_pfn" "$(wl_pfns E)"

# mmid/task agrees with the workload's own pids.
a=$(mmid_q task "$WL_B")
answer_vars "$a"
expect_eq "task pid" "$A_pid" "$WL_B"
expect_eq "task comm" "$A_comm" mmid-thp
[ "$WL_ID_A" != "$WL_ID_B" ] && [ "$WL_ID_B" != "$WL_ID_C" ] ||
	fail "three processes share an mm id: $WL_ID_A $WL_ID_B $WL_ID_C"
a=$(mmid_q task 2) || fail "task query of kthreadd failed"
answer_vars "$a"
expect_eq "kthread mm_id" "$A_mm_id" none

# After the workload exits its folios are gone: free, or reused by
# something else.  MM ids are not reused while an mm lives, and the
# workload's mms are gone, so no slot may still name one of them.
mmid_stop
n=0
for p in $(wl_pfns E) $(wl_pfns S) $(wl_pfns U) $(wl_pfns F); do
	n=$((n + 1))
	a=$(mmid_q pfn "$p") || fail "query of pfn $p after exit failed"
	# A free or small page's answer has no slot lines.
	unset A_slot0_mm_id A_slot1_mm_id
	answer_vars "$a"
	for id in "$WL_ID_A" "$WL_ID_B" "$WL_ID_C"; do
		[ "${A_slot0_mm_id:-}" = "$id" ] || [ "${A_slot1_mm_id:-}" = "$id" ] &&
			fail "pfn $p still has the exited workload's mm id $id: $a"
	done
done
expect_eq "workload folios checked after exit" "$n" 4
exit 0
