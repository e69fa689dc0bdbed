#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmark: mmid/census against tools/mm/page-types reading
# /proc/kpageflags and /proc/kpagecount over the same memory, in one run
# of the test guest.  The issue's target: the census at least 10x faster.
#
# usage: tests/bench/census.sh   (from the top of the tree, after `make`)
# Run by hand; `make test` does not.  The guest's clock is 4 ms jiffies
# (no HPET/ACPI in the test kernel), so each side is timed over many runs
# by the same wall clock (/proc/uptime) and reported as PFNs per second.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
kdir=$(cat "$build/kernel-patched.path")
out=$build/bench
mkdir -p "$out"

# page-types from the test kernel's own tree, static for the busybox guest.
gcc -O2 -static -I"$kdir/tools/lib" -I"$kdir/tools/lib/api" -I"$kdir/tools/include" \
	-o "$out/page-types" "$kdir/tools/mm/page-types.c" \
	"$kdir/tools/lib/api/fs/fs.c" "$kdir/tools/lib/api/debug.c"

cat > "$out/census-guest.sh" <<'GUEST'
#!/bin/sh
. /src/tests/vm/lib.sh
load_module
# Some large folios in every state, so neither side scans empty memory.
/opt/mmscope/tests/mmid-thp 4 4 4 4 > /tmp/wl.out &
while ! grep -q ready /tmp/wl.out; do sleep 0.5; done
up() { cut -d' ' -f1 /proc/uptime; }
pfns=$(sed -n 's/^pfns_scanned: //p' /sys/kernel/debug/mmscope/mmid/census)
n_census=50 n_pt=3
t0=$(up)
i=0; while [ $i -lt $n_census ]; do cat /sys/kernel/debug/mmscope/mmid/census > /dev/null; i=$((i + 1)); done
t1=$(up)
i=0; while [ $i -lt $n_pt ]; do /mmscope/bench/page-types -M > /tmp/pt.out; i=$((i + 1)); done
t2=$(up)
kpf=$(($(stat -c %s /proc/kpageflags 2>/dev/null || echo 0)))
awk -v p="$pfns" -v nc=$n_census -v np=$n_pt -v t0=$t0 -v t1=$t1 -v t2=$t2 'BEGIN {
	c = (t1 - t0) / nc; g = (t2 - t1) / np
	printf "BENCH pfns %d\n", p
	printf "BENCH census %.4f s/pass %.0f PFNs/s (%d passes)\n", c, p / c, nc
	printf "BENCH page-types %.4f s/pass %.0f PFNs/s (%d passes)\n", g, p / g, np
	printf "BENCH ratio %.1fx\n", g / c
}'
tail -n 3 /tmp/pt.out
grep -E '^(scan_ns|pfns_per_sec):' /sys/kernel/debug/mmscope/mmid/census
kill %1
GUEST
chmod +x "$out/census-guest.sh"
make -C "$top" --no-print-directory vm-run SCRIPT="$out/census-guest.sh" 2>&1 | tee "$out/census.log" | grep -E 'BENCH|scan_ns|pfns_per_sec|total'
