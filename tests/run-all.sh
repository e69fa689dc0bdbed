#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make test`: host tests, then the VM suite; one summary line at the end.
# usage: run-all.sh MAKE BUILD_DIR
set -uo pipefail
make=$1 build=$2
mkdir -p "$build"
rm -f "$build/host-counts" "$build/vm/counts" "$build/vm-big/counts" "$build/stock/vm/counts"
t0=$(date +%s)

$make --no-print-directory host-test
host_rc=$?
read -r hp hf hs < "$build/host-counts" 2>/dev/null || { hp=0; hf=1; hs=0; }

$make --no-print-directory vm-test
vm_rc=$?
read -r vp vf vs < "$build/vm/counts" 2>/dev/null || { vp=0; vf=1; vs=0; }

# Resource bounds, in a large guest of their own.
$make --no-print-directory vm-test-big
big_rc=$?
read -r bp bf bs < "$build/vm-big/counts" 2>/dev/null || { bp=0; bf=1; bs=0; }
vp=$((vp + bp)) vf=$((vf + bf)) vs=$((vs + bs))
[ $big_rc = 0 ] || vm_rc=$big_rc

# The unpatched kernel: the module loads and reports the series missing.
$make --no-print-directory vm-test-stock
stock_rc=$?
read -r sp sf ss < "$build/stock/vm/counts" 2>/dev/null || { sp=0; sf=1; ss=0; }
vp=$((vp + sp)) vf=$((vf + sf)) vs=$((vs + ss))
[ $stock_rc = 0 ] || vm_rc=$stock_rc

pass=$((hp + vp)) fail=$((hf + vf)) skip=$((hs + vs))
# A harness failure with no failed test still fails the run.
if [ "$fail" = 0 ] && { [ $host_rc != 0 ] || [ $vm_rc != 0 ]; }; then fail=1; fi
echo
echo "host: $hp passed, $hf failed, $hs skipped; vm: $vp passed, $vf failed, $vs skipped;" \
     "$(( $(date +%s) - t0 ))s"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
