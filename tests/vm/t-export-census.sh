#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: release
# mmscope export --census: the MM-ID census metrics equal the module's
# census file for the mmid-thp workload's known mix of THPs (and move by
# that mix), and a scrape never starts a census more often than
# --census-interval: between two, the exporter serves the last one.
. /src/tests/vm/lib.sh
. /src/tests/vm/mmid-lib.sh

load_module
EXP=
trap 'mmid_stop; [ -z "$EXP" ] || kill "$EXP" 2>/dev/null' EXIT

# metric FILE NAME{LABELS}: the sample's value
metric() { awk -v m="$2" '$1 == m { print $2 }' "$1"; }
# census FILE KEY: order-9 column (exclusive...) or a total (large_folios:)
census() {
	case $2 in
	exclusive) awk '$1 == "9" { print $2 }' "$1" ;;
	shared) awk '$1 == "9" { print $3 }' "$1" ;;
	untracked) awk '$1 == "9" { print $4 }' "$1" ;;
	unmapped) awk '$1 == "9" { print $5 }' "$1" ;;
	*) awk -v k="$2:" '$1 == k { print $2 }' "$1" ;;
	esac
}
states="exclusive shared untracked unmapped"
totals="large_folios:large shared_bit:shared_bit maybe_shared:maybe_shared"

mmscope export --census > /tmp/e0.prom || fail "export --census exited $?"
grep -q '^mmscope_source_up{source="mmid",reason=""} 1$' /tmp/e0.prom ||
	fail "the mmid source is not up: $(grep source_up /tmp/e0.prom)"

mmid_start 2 1 1 1
# Two reads of the file around the export: the guest is idle, they agree.
cat "$MMID/census" > /tmp/c1.txt
mmscope export --census > /tmp/e1.prom || fail "export --census exited $?"
cat "$MMID/census" > /tmp/c2.txt
for st in $states; do
	expect_eq "census file twice, order 9 $st" "$(census /tmp/c1.txt $st)" "$(census /tmp/c2.txt $st)"
	expect_eq "mmscope_mmid_folios order 9 $st" \
		"$(metric /tmp/e1.prom "mmscope_mmid_folios{order=\"9\",state=\"$st\"}")" \
		"$(census /tmp/c1.txt $st)"
done
for t in $totals; do
	expect_eq "mmscope_mmid_${t#*:}_folios" "$(metric /tmp/e1.prom "mmscope_mmid_${t#*:}_folios")" \
		"$(census /tmp/c1.txt "${t%%:*}")"
done
# The workload's mix: 2 exclusive, 1 shared, 2 untracked (U and F), 3
# maybe shared and with the shared bit (S, U, F), 5 large folios.
d() {
	b=$(metric /tmp/e0.prom "$1")
	a=$(metric /tmp/e1.prom "$1")
	echo $((${a:-0} - ${b:-0}))
}
expect_eq "new order-9 exclusive" "$(d 'mmscope_mmid_folios{order="9",state="exclusive"}')" 2
expect_eq "new order-9 shared" "$(d 'mmscope_mmid_folios{order="9",state="shared"}')" 1
expect_eq "new order-9 untracked" "$(d 'mmscope_mmid_folios{order="9",state="untracked"}')" 2
expect_eq "new maybe shared" "$(d mmscope_mmid_maybe_shared_folios)" 3
expect_eq "new shared bit" "$(d mmscope_mmid_shared_bit_folios)" 3
expect_eq "new large folios" "$(d mmscope_mmid_large_folios)" 5

# The cost, for the report (mmscope_export_duration_seconds: the whole exposition).
mmscope export > /tmp/e1n.prom || fail "export exited $?"
echo "cost: one export $(metric /tmp/e1n.prom mmscope_export_duration_seconds) s without the census," \
	"$(metric /tmp/e1.prom mmscope_export_duration_seconds) s with it (the scan" \
	"$(metric /tmp/e1.prom mmscope_mmid_census_scan_seconds) s over" \
	"$(metric /tmp/e1.prom mmscope_mmid_census_pfns) PFNs)"

# --census-interval: the textfile is rewritten every second, the census not.
mkdir -p /tmp/tf
mmscope export --census --census-interval 3600 --textfile /tmp/tf 1 2> /tmp/tf.err &
EXP=$!
i=0
while [ ! -s /tmp/tf/mmscope.prom ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && fail "no /tmp/tf/mmscope.prom after 10 s: $(cat /tmp/tf.err)"
	sleep 0.1
done
ts1=$(metric /tmp/tf/mmscope.prom mmscope_mmid_census_timestamp_seconds)
un1=$(metric /tmp/tf/mmscope.prom 'mmscope_mmid_folios{order="9",state="untracked"}')
m1=$(stat -c %Y /tmp/tf/mmscope.prom)
mmid_stop
sleep 3
ts2=$(metric /tmp/tf/mmscope.prom mmscope_mmid_census_timestamp_seconds)
un2=$(metric /tmp/tf/mmscope.prom 'mmscope_mmid_folios{order="9",state="untracked"}')
m2=$(stat -c %Y /tmp/tf/mmscope.prom)
[ "$m2" -gt "$m1" ] || fail "the textfile was not rewritten in 3 s ($m1, $m2)"
expect_eq "census time after 3 rewrites" "$ts2" "$ts1"
expect_eq "untracked after the workload left, served from the last census" "$un2" "$un1"
kill -TERM "$EXP"
wait "$EXP"
rc=$?
EXP=
expect_eq "exit status on SIGTERM" "$rc" 0
left=$(ls -A /tmp/tf | grep -v -e '^mmscope.prom$' -e '^.mmscope.prom.lock$')
[ -z "$left" ] || fail "left in the textfile directory: $left"
exit 0
