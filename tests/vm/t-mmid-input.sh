#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Every mmid file refuses bad input with an errno and nothing in the
# kernel log (the runner checks dmesg after the test).
. /src/tests/vm/lib.sh
. /src/tests/vm/mmid-lib.sh

load_module

for f in pfn task; do
	expect_eq "mode of $f" "$(stat -c %a "$MMID/$f")" 600
done
expect_eq "mode of census" "$(stat -c %a "$MMID/census")" 400

# refuse FILE INPUT ERRNO-TEXT
refuse() {
	local out
	if out=$(mmid_q "$1" "$2" 2>&1); then
		fail "$1 accepted '$2': $out"
	fi
	echo "$out" | grep -q "$3" || fail "$1 '$2': expected '$3', got: $out"
	echo "ok: $1 refuses '$2' ($3)"
}

long=$(printf '%0100d' 7)
for f in pfn task; do
	refuse $f garbage "Invalid argument"
	refuse $f "" "Invalid argument"
	refuse $f -1 "Invalid argument"
	refuse $f -9999999999 "Invalid argument"
	refuse $f "12abc" "Invalid argument"
	refuse $f "0x" "Invalid argument"
	refuse $f "1 2" "Invalid argument"
	refuse $f "$long" "Invalid argument"
	refuse $f 99999999999999999999 "Numerical result out of range"
done
# Beyond all memory: ERANGE.
refuse pfn 18446744073709551615 "Numerical result out of range"
refuse pfn $((1 << 40)) "Numerical result out of range"
refuse pfn 0xfffffffffffff "Numerical result out of range"
# The first memory section (128 MiB) past the last node's end.
last=$(awk '$1 == "spanned" { n = $2 }
	    $1 == "start_pfn:" && $2 + n > m { m = $2 + n } END { print m }' /proc/zoneinfo)
next_section=$(( (last + 32767) / 32768 * 32768 ))
refuse pfn "$next_section" "Numerical result out of range"
refuse pfn $((next_section + 512)) "Numerical result out of range"
a=$(mmid_q pfn $((last - 1))) || fail "the last PFN of memory has no answer"

# Offline memory: ENODEV, and an answer again once it is back online.
bs=$((0x$(cat /sys/devices/system/memory/block_size_bytes)))
offlined=
for b in /sys/devices/system/memory/memory*; do
	[ "$(cat "$b/state")" = online ] || continue
	if echo offline > "$b/state" 2>/dev/null; then
		offlined=$b
		break
	fi
done
[ -n "$offlined" ] || fail "no memory block could be offlined"
pfn=$((${offlined##*memory} * bs / 4096 + 17))
refuse pfn $pfn "No such device"
echo online > "$offlined/state" || fail "cannot online $offlined again"
mmid_q pfn $pfn > /dev/null || fail "pfn $pfn has no answer once online again"
echo "ok: offline block ${offlined##*/} refused, online again answered"
refuse task 0 "Invalid argument"
refuse task 4194305 "Invalid argument"
refuse task 4194303 "No such process"

# Reading before any answer, and writing the census.
out=$(cat "$MMID/pfn" 2>&1) && fail "read without a query succeeded: $out"
echo "$out" | grep -q "No data available" || fail "read without a query: $out"
if echo 1 > "$MMID/census" 2>/dev/null; then
	fail "writing census succeeded"
fi
# A refused write leaves no stale answer behind.
exec 3<>"$MMID/pfn"
echo 0 >&3
cat <&3 > /dev/null || fail "pfn 0 answer unreadable"
echo garbage >&3 2>/dev/null && fail "garbage accepted"
cat <&3 2>/dev/null && fail "answer left after a refused write"
exec 3>&-

# Every PFN of a stretch of memory answers with a known state or an error.
p=0
while [ $p -lt 4096 ]; do
	a=$(mmid_q pfn $p 2>/dev/null) || { p=$((p + 7)); continue; }
	case $(val "$a" state) in
	free|busy|kernel|small|large|hugetlb) ;;
	*) fail "pfn $p: unknown answer: $a" ;;
	esac
	p=$((p + 7))
done
echo "ok: pfns 0..4095 answer with a known state"

# Concurrent writers: on one shared descriptor and on their own, mixed
# with census scans, while a workload forks and exits.
exec 5<>"$MMID/pfn"
for w in 1 2 3 4; do
	(
		i=0
		while [ $i -lt 60 ]; do
			echo $(( (i * 7919 + w * 104729) % last )) >&5 2>/dev/null
			cat <&5 > /dev/null 2>&1
			mmid_q pfn $(( (i * 31 + w) % last )) > /dev/null 2>&1
			mmid_q task $(( i % 200 + 1 )) > /dev/null 2>&1
			echo "garbage$i" >&5 2>/dev/null
			i=$((i + 1))
		done
	) &
done
( cat "$MMID/census" > /dev/null; cat "$MMID/census" > /dev/null ) &
"$WORKLOADS/mmid-thp" 1 1 1 1 > /tmp/wl.conc &
wl=$!
sleep 2
kill $wl 2>/dev/null
wait
exec 5>&-
echo "ok: concurrent writers done"

# A census killed mid-scan returns promptly and leaves the module usable.
cat "$MMID/census" > /dev/null &
kill -9 $! 2>/dev/null
wait
grep -q '^large_folios: ' "$MMID/census" || fail "census unusable after a killed scan"
unload_module
load_module
exit 0
