#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: release debian
# mmscope bench mapcount does what its numbers claim: the folios have the
# asked size, cow-byte copies every page, reuse-byte and child-reuse-byte
# reuse every page (MM-ID lets the sole owner of a PTE-mapped THP keep it),
# and the THP knobs are back as they were.  No timing is checked here.
. /src/tests/vm/lib.sh

thp=/sys/kernel/mm/transparent_hugepage
before=$(cat $thp/enabled $thp/hugepages-*/enabled)
mmscope bench mapcount -m 8 --runs 1 --sizes 16,2048 --tests cow-byte,reuse-byte,child-reuse-byte \
	> /tmp/bench.txt || fail "bench exited $?: $(cat /tmp/bench.txt)"
cat /tmp/bench.txt
expect_eq "THP knobs restored" "$(cat $thp/enabled $thp/hugepages-*/enabled)" "$before"

# TEST SIZE_KB MEDIAN MIN MAX COPIED BACKED
for size in 16 2048; do
	got=$(awk -v s=$size '$2 == s { printf "%s:%s:%s ", $1, $6, $7 }' /tmp/bench.txt)
	expect_eq "copied pages and backing at $size KiB" "$got" \
		"cow-byte:2048:100% reuse-byte:0:100% child-reuse-byte:0:100% "
done

mmscope bench mapcount --sizes 3 > /dev/null 2>&1 && fail "a 3 KiB folio size was accepted"
mmscope bench mapcount --runs 0 > /dev/null 2>&1 && fail "zero runs accepted"
mmscope bench nosuch > /dev/null 2>&1 && fail "unknown benchmark accepted"
exit 0
