#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: debug
# mmid/census counts exactly the THPs a workload adds in known states:
# the guest's other large folios (page cache, ...) are the baseline, so the
# check is on the difference.
. /src/tests/vm/lib.sh
. /src/tests/vm/mmid-lib.sh

load_module
trap mmid_stop EXIT

# census_get VAR-PREFIX: order-9 row, totals and histogram slots 10 and 11.
census_get() {
	cat "$MMID/census" > /tmp/census.$1 || fail "reading census failed"
	eval "$(awk -v p="$1" '
		$1 == "large_folios:" { print p "_large=" $2 }
		$1 == "anon:" { print p "_anon=" $2 }
		$1 == "maybe_shared:" { print p "_maybe=" $2 }
		$1 == "shared_bit:" { print p "_bit=" $2 }
		$1 == "pfns_scanned:" { print p "_pfns=" $2 }
		$1 == "9" { print p "_ex=" $2 "; " p "_sh=" $3 "; " p "_un=" $4 "; " p "_um=" $5 }
		$1 == "hist" && $2 == "large_mapcount:" {
			for (i = 3; i <= NF; i++) { split($i, kv, ":"); print p "_lm" kv[1] "=" kv[2] }
		}' /tmp/census.$1)"
}
# delta NAME: after - before, unset counting as 0.
delta() {
	eval "echo \$(( \${after_$1:-0} - \${before_$1:-0} ))"
}

census_get before
cat /tmp/census.before
mmid_start 2 1 1 1
census_get after
cat /tmp/census.after

expect_eq "new large folios" "$(delta large)" 5
expect_eq "new anon large folios" "$(delta anon)" 5
expect_eq "new order-9 exclusive" "$(delta ex)" 2
expect_eq "new order-9 shared" "$(delta sh)" 1
expect_eq "new order-9 untracked" "$(delta un)" 2
expect_eq "new order-9 unmapped" "$(delta um)" 0
expect_eq "new maybe_shared" "$(delta maybe)" 3
expect_eq "new shared_bit" "$(delta bit)" 3
# large mapcount 512 (E, E, F) in [512, 1K), 1024 and 1536 in [1K, 2K)
expect_eq "new large_mapcount [512, 1K)" "$(delta lm10)" 3
expect_eq "new large_mapcount [1K, 2K)" "$(delta lm11)" 2

# Every PFN of every online node's span is visited once.
spanned=$(awk '$1 == "spanned" { s += $2 } END { print s }' /proc/zoneinfo)
expect_eq "pfns scanned" "$after_pfns" "$spanned"
grep -q '^scan_ns: [1-9]' /tmp/census.after || fail "no scan duration"
grep -q '^pfns_per_sec: [1-9]' /tmp/census.after || fail "no scan rate"

# The folios leave the census with the workload.
mmid_stop
census_get gone
expect_eq "large folios after exit" "$gone_large" "$before_large"
expect_eq "maybe_shared after exit" "$gone_maybe" "$before_maybe"

# A fatal signal stops a scan; several concurrent scans do not disturb
# each other.
for i in 1 2 3 4; do
	cat "$MMID/census" > /tmp/census.par$i &
done
wait
for i in 1 2 3 4; do
	expect_eq "parallel census $i large" "$(sed -n 's/^large_folios: //p' /tmp/census.par$i)" "$before_large"
done
exit 0
