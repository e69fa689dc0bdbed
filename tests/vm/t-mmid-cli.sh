#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: release debian
# mmscope mmid: the per-process view, census -j and the audit against
# THPs in states the test set up (mmid-thp), and bad command lines.
. /src/tests/vm/lib.sh
. /src/tests/vm/mmid-lib.sh

load_module
trap mmid_stop EXIT
mmid_start 1 1 1 1
E=$(wl_pfns E) S=$(wl_pfns S) U=$(wl_pfns U) F=$(wl_pfns F)
hex() { printf '%x' "$1"; }

# --- per process: A maps E, S, U; C maps U and F ---
mmscope mmid "$WL_A" > /tmp/a.txt || fail "mmscope mmid $WL_A exited $?"
cat /tmp/a.txt
line() { awk -v p="$(hex "$2")" '$2 == p' "$1"; }
expect_eq "A's large folios" "$(sed -n 's/^large folios: \([0-9]*\);.*/\1/p' /tmp/a.txt)" 3
set -- $(line /tmp/a.txt "$E")
expect_eq "E: order, mapped, mapcount, slot0, slot1, bit, maybe, state" "$3 $4 $5 $6 $7 $8 $9 ${10}" \
	"9 512 512 $WL_ID_A:512 - 0 0 exclusive"
expect_eq "E: owner" "${11}" "slot0:$WL_A:mmid-thp"
set -- $(line /tmp/a.txt "$S")
expect_eq "S: mapcount, bit, maybe, state" "$5 $8 $9 ${10}" "1024 1 1 shared"
set -- $(line /tmp/a.txt "$U")
expect_eq "U: mapcount, state" "$5 ${10}" "1536 untracked"
grep -q "^large folios: 3; small folios: [1-9][0-9]* pages" /tmp/a.txt ||
	fail "no small-folio summary"

mmscope mmid -j "$WL_C" > /tmp/c.json || fail "mmscope mmid -j $WL_C exited $?"
cat /tmp/c.json
expect_eq "C's large folios" "$(grep -o '"pfn":[0-9]*' /tmp/c.json | sort | tr '\n' ' ')" \
	"$(printf '"pfn":%s\n' "$U" "$F" | sort | tr '\n' ' ')"
grep -q "\"pfn\":$F,\"order\":9,.*\"large_mapcount\":512,.*\"slot0\":{\"mm_id\":0,\"mapcount\":0,\"tasks\":\"-\"}" /tmp/c.json ||
	fail "F seen from C is not the untracked folio with empty slots"

# An address range holding only E.
addr=$(awk '$1 == "folio" && $2 == "E" { print $4 }' "$WL_OUT")
end=$(printf '%x' $((addr + 2 * 1024 * 1024)))
mmscope mmid "$WL_A" "${addr#0x}-$end" > /tmp/r.txt || fail "range view exited $?"
cat /tmp/r.txt
expect_eq "folios in E's range" "$(sed -n 's/^large folios: \([0-9]*\);.*/\1/p' /tmp/r.txt)" 1
[ -n "$(line /tmp/r.txt "$E")" ] || fail "E missing from its own range"

# --- census -j agrees with the module's own file ---
mmscope mmid -j census > /tmp/census.json || fail "census -j exited $?"
cat "$MMID/census" > /tmp/census.txt
row=$(awk '$1 == "9" { printf "\"exclusive\":%d,\"shared\":%d,\"untracked\":%d,\"unmapped\":%d", $2, $3, $4, $5 }' /tmp/census.txt)
grep -q "\"9\":{$row," /tmp/census.json || fail "census -j order 9 is not $row: $(cat /tmp/census.json)"
grep -q '"large_mapcount":\[' /tmp/census.json || grep -q '"large_mapcount":{' /tmp/census.json ||
	fail "no large_mapcount histogram in census -j"
mmscope mmid census > /tmp/census.out || fail "census exited $?"
grep -q '^@large_mapcount:\|^large_mapcount' /tmp/census.out || grep -q 'large_mapcount' /tmp/census.out ||
	fail "no histogram in census text"
grep -q '\[512, 1K)' /tmp/census.out || fail "no [512, 1K) bucket in census text"
# Every bucket of every histogram, as "NAME LOW COUNT" lines: the module's
# "hist NAME: SLOT:COUNT..." (slot k holds [2^(k-1), 2^k)), the text view's
# bpftrace buckets and the -j arrays must all be the same list.
awk '$1 == "hist" { n = $2; sub(/:$/, "", n)
	for (i = 3; i <= NF; i++) { split($i, a, ":"); lo = a[1] ? 1 : 0	# busybox awk has no ^
		for (j = 1; j < a[1]; j++) lo *= 2
		printf "%s %d %s\n", n, lo, a[2] } }' \
	/tmp/census.txt > /tmp/h.file
awk '/^@/ { n = substr($1, 2); sub(/:$/, "", n); next }
	/^\[/ && n != "" { lo = $1; sub(/^\[/, "", lo); sub(/[],].*/, "", lo)
		m = lo ~ /K$/ ? 1024 : lo ~ /M$/ ? 1048576 : 1
		for (i = 2; i <= NF && $i !~ /^\|/; i++) c = $i
		if (c > 0) printf "%s %d %s\n", n, lo * m, c }' /tmp/census.out > /tmp/h.text
sed 's/"\([a-z0-9_]*\)":\[/\n\1 [/g' /tmp/census.json | awk '$2 ~ /^\[/ { n = $1
	while (match($0, /"min":[0-9]+,"max":[0-9]+,"count":[0-9]+/)) {
		split(substr($0, RSTART, RLENGTH), f, /[:,]/); printf "%s %s %s\n", n, f[2], f[6]
		$0 = substr($0, RSTART + RLENGTH) } }' > /tmp/h.json
cat /tmp/h.file
[ -s /tmp/h.file ] || fail "the module's census file has no histogram buckets"
cmp -s /tmp/h.file /tmp/h.text || fail "census text histograms differ from the module's file: $(diff /tmp/h.file /tmp/h.text)"
cmp -s /tmp/h.file /tmp/h.json || fail "census -j histograms differ from the module's file: $(diff /tmp/h.file /tmp/h.json)"

# --- audit: the seed's three-process case is exactly one false positive ---
mmscope mmid -j audit > /tmp/audit.json || fail "audit exited $?"
cat /tmp/audit.json
grep -q '"9":{"folios":4,"maybe_shared":3,"truly_shared":2,"false_positives":1,"false_negatives":0,"changed_during_walk":0}' \
	/tmp/audit.json || fail "audit order 9 is not 4 folios, 3 maybe shared, 2 truly, 1 false positive"
expect_eq "mismatching folios" "$(grep -o '"pfn":[0-9]*' /tmp/audit.json | tr '\n' ' ')" "\"pfn\":$F "
grep -q "\"mapped_by_pids\":\[$WL_C\],\"mms\":1,\"verdict\":\"false_positive\"" /tmp/audit.json ||
	fail "the false positive is not blamed on C alone"
mmscope mmid audit > /tmp/audit.txt || fail "text audit exited $?"
grep -q "^$(hex "$F") .*false+ *$WL_C:mmid-thp($WL_ID_C)" /tmp/audit.txt || fail "text audit: $(cat /tmp/audit.txt)"
mmid_stop

# Two processes only: shared for real, no false positive.
mmid_start 1 2 0 0
mmscope mmid -j audit > /tmp/audit2.json || fail "audit exited $?"
cat /tmp/audit2.json
grep -q '"9":{"folios":3,"maybe_shared":2,"truly_shared":2,"false_positives":0,"false_negatives":0,"changed_during_walk":0}' \
	/tmp/audit2.json || fail "two-process audit is not 3 folios, 2 truly shared, 0 false"
grep -q '"mismatches":\[\]' /tmp/audit2.json || fail "two-process audit lists mismatches"
mmid_stop

# --- bad command lines ---
bad() {
	local rc=0
	mmscope mmid "$@" > /dev/null 2>/tmp/err || rc=$?
	expect_eq "exit code of 'mmscope mmid $*'" "$rc" "$WANT"
	[ -s /tmp/err ] || fail "'mmscope mmid $*' printed no error"
}
WANT=2
bad
bad nosuch
bad -- -5
bad 1 zz-yy
bad 1 2000-1000
bad census extra
# no such process: a bad command line, as for 'trace slab -p' (mmscope(8))
bad 4194303
WANT=1
bad pfn $((1 << 40))
WANT=2
bad trace 0
bad trace 1 1 extra
mmscope mmid -h | grep -q '^usage: mmscope mmid' || fail "no usage from -h"
exit 0
