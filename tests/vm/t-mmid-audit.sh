#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: release debian
# mmscope mmid audit over time, on the seed's scenario: mmid-thp maps two
# THPs in A, waits (-H) while the audit runs, then forks B (B's mapping,
# the second MM, sets both shared bits) and C (no slot left for C), and leaves one folio to
# C alone (F: C never got a slot) and one to A alone (R: A's slot holds
# every mapping, and the kernel clears R's bit).  The audit finds no false
# positive before the release and exactly F from the interval the release
# ends in; with the patch series' event it names B's mapping, added by A's
# fork, as the one that set F's bit.  Then A and C write K pages each of
# their folio (-w K): A reuses R's pages, C copies K pages of F, and the
# audit counts exactly those K copies, all forced by the false shared bit.
. /src/tests/vm/lib.sh
. /src/tests/vm/mmid-lib.sh

K=5
AUD=
load_module
trap 'kill $AUD 2>/dev/null; mmid_stop' EXIT
rm -f "$WL_OUT"
"$WORKLOADS/mmid-thp" -H -w $K 0 0 0 1 1 > "$WL_OUT" &
WL_PID=$!
WL_A=$WL_PID

# wait_for WHAT FILE PATTERN [COUNT]: until FILE has COUNT lines matching.
wait_for() {
	n=0
	until [ "$(grep -c "$3" "$2" 2>/dev/null)" -ge "${4:-1}" ]; do
		n=$((n + 1))
		[ $n -le 600 ] || fail "$1: not in 60s: $(cat "$2" 2>/dev/null | tail -n 3)"
		sleep 0.1
	done
}
records() { grep -c '"type":"mmid_audit"' /tmp/aud.jsonl; }

wait_for "mmid-thp held" "$WL_OUT" '^held'
mmscope mmid -j audit 1 > /tmp/aud.jsonl 2> /tmp/aud.err &
AUD=$!
wait_for "audit start" /tmp/aud.err 'Auditing'
wait_for "two audits before the release" /tmp/aud.jsonl '"type":"mmid_audit"' 2
n0=$(records)
kill -USR1 "$WL_A"
wait_for "mmid-thp ready" "$WL_OUT" '^ready'
n1=$(records)
set -- $(sed -n 's/^pids //p' "$WL_OUT")
WL_B=$2 WL_C=$3
WL_ID_B=$(val "$(mmid_q task "$WL_B")" mm_id)
WL_ID_C=$(val "$(mmid_q task "$WL_C")" mm_id)
echo "A $WL_A, B $WL_B (mm $WL_ID_B), C $WL_C (mm $WL_ID_C)"
F=$(wl_pfns F) R=$(wl_pfns R)
wait_for "two audits after the release" /tmp/aud.jsonl '"type":"mmid_audit"' $((n1 + 2))
cat /tmp/aud.err
head -n 1 /tmp/aud.jsonl

# Record by record: "index folios maybe truly fp" of order 9.
sed -n 's/.*"orders":{[^}]*"9":{"folios":\([0-9]*\),"maybe_shared":\([0-9]*\),"truly_shared":\([0-9]*\),"false_positives":\([0-9]*\).*/\1 \2 \3 \4/p' \
	/tmp/aud.jsonl | awk '{ print NR, $0 }' > /tmp/aud.rows
cat /tmp/aud.rows
first=$(awk '$5 > 0 { print $1; exit }' /tmp/aud.rows)
awk -v n0="$n0" '$1 <= n0 && ($2 != 2 || $3 != 0 || $5 != 0) { exit 1 }' /tmp/aud.rows ||
	fail "a false positive or shared folio before the release (records 1-$n0)"
[ -n "$first" ] && [ "$first" -gt "$n0" ] && [ "$first" -le $((n1 + 1)) ] ||
	fail "the false positives appear in record ${first:-none}, not within $((n0 + 1))-$((n1 + 1))"
awk -v n1="$n1" '$1 > n1 + 1 && ($2 != 2 || $3 != 1 || $4 != 0 || $5 != 1) { exit 1 }' /tmp/aud.rows ||
	fail "after the release, order 9 is not 2 folios, 1 maybe shared, 0 truly, 1 false positive"
last=$(tail -n 1 /tmp/aud.jsonl)
# The mismatch of one folio: from its "pfn" to the next one's.
mismatch() { echo "$last" | sed 's/{"pfn":/\n&/g' | grep "^{\"pfn\":$1,"; }
mismatch "$F" | grep -q "\"mapped_by_pids\":\[$WL_C\],\"mms\":1,\"verdict\":\"false_positive\"" ||
	fail "F ($F) is not a false positive of C alone: $last"
[ -z "$(mismatch "$R")" ] || fail "R ($R), A's alone in A's slot, is listed as a mismatch: $last"
echo "ok: no false positive in records 1-$n0, F alone from record $first on"

if [ "$(field "$DBG/features" patch_rmap_tracepoints | cut -c1)" = y ]; then
	patched=1
	# B's fork duplicated A's mappings into a second MM: maybe shared.
	mismatch "$F" | grep -q "\"bit_set_by\":{\"mm_id\":$WL_ID_B,\"pid\":$WL_A,\"comm\":\"mmid-thp\"}" ||
		fail "F's bit is not named as set by B's mapping ($WL_ID_B) in A's fork: $last"
	echo "ok: F's bit set by mm $WL_ID_B in pid $WL_A's fork"
else
	patched=0
	case $(kernel_kind) in
	debian | "") ;;
	*) fail "no rmap:folio_mm_id tracepoint (patches/): the $(kernel_kind) test kernel must have it" ;;
	esac
	mismatch "$F" | grep -q '"bit_set_by":null' || fail "bit_set_by of F without the series' event: $last"
	echo "ok: no setter without the series' event"
fi

# --- the CoW cost: K writes each by A (R) and C (F) ---
n2=$(records)
kill -USR2 "$WL_A" "$WL_C"
wait_for "the writes" "$WL_OUT" '^wrote ' 2
grep '^wrote ' "$WL_OUT"
expect_eq "pages written" "$(awk '$1 == "wrote" { s += $3 } END { print s }' "$WL_OUT")" $((2 * K))
n3=$(records)
wait_for "two audits after the writes" /tmp/aud.jsonl '"type":"mmid_audit"' $((n3 + 2))
kill -INT $AUD
wait $AUD || fail "audit exited $?"
AUD=
# The copies over the whole run: every record from the writes on.
sum() { tail -n +"$((n2 + 1))" /tmp/aud.jsonl | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" |
	awk '{ s += $1 } END { print s + 0 }'; }
tail -n +"$((n2 + 1))" /tmp/aud.jsonl | grep -o '"cow":{[^}]*' | head -n 3
expect_eq "large anon folio copies (C's; A reused R's pages)" "$(sum large_anon_copies)" $K
expect_eq "copies forced by a false shared bit" "$(sum false_positive_copies)" $K
expect_eq "bytes that reuse would have saved" "$(sum false_positive_bytes)" $((K * 4096))
expect_eq "copies settled by the walk" "$(sum settled_by_walk)" $K
expect_eq "copies with another reference held" "$(sum false_positive_pinned_copies)" 0
expect_eq "undetermined copies" "$(sum undetermined)" 0
if [ $patched = 1 ]; then
	grep -q '"cow":{"source":"tp_btf:folio_mm_id","exact":true' /tmp/aud.jsonl ||
		fail "the patched kernel's CoW count is not from the series' event"
fi

# The text form of one interval names both folios and the CoW line.
mmscope mmid audit 1 1 > /tmp/aud.txt 2> /tmp/aud.err || fail "text audit exited $?"
cat /tmp/aud.txt
grep -q "^$(printf '%x' "$F") .*false+ *$WL_C:mmid-thp" /tmp/aud.txt || fail "text audit lacks F"
grep -q '^CoW in 1s: 0 pages of large anon folios copied' /tmp/aud.txt || fail "text audit lacks its CoW line"
exit 0
