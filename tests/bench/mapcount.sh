#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmark: `mmscope bench mapcount` on two production-like 7.2 kernels
# that differ only in CONFIG_NO_PAGE_MAPCOUNT (built on demand by
# build-bench-kernels.sh, not by `make test`), one after the other in the
# QEMU guest, plus the host kernel as it is; one table side by side.
#
# usage: tests/bench/mapcount.sh [bench mapcount options]
#        (default: -m 256 -r 5 -s 16,32,64,128,256,512,1024,2048)
# Run by hand from the top of the tree after `make`.
#
# Times under QEMU TCG are not hardware times: compare the two guest
# kernels by their ratio (same emulator, same run); the host column is
# native and only comparable with itself.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
cache=${MMSCOPE_CACHE:-$HOME/.cache/mmscope}
out=$build/bench
args=${*:--m 256 -r 5 -s 16,32,64,128,256,512,1024,2048}
mkdir -p "$out"
make -C "$top" --no-print-directory user

trees=$("$top/tests/bench/build-bench-kernels.sh" "$cache")
cat > "$out/mapcount-guest.sh" <<GUEST
#!/bin/sh
echo "CONFIG \$(zcat /proc/config.gz | grep -E '^(# )?CONFIG_NO_PAGE_MAPCOUNT[ =]')"
mmscope bench mapcount $args
GUEST
chmod +x "$out/mapcount-guest.sh"

while read -r flavor tree; do
	echo "== $flavor: $tree" >&2
	MMSCOPE_VM_APPEND="mmscope.noload=1" "$top/tests/vm/qemu.sh" "$tree" "$build" run \
		"$out/mapcount-guest.sh" > "$out/mapcount-$flavor.txt"
	grep CONFIG "$out/mapcount-$flavor.txt" >&2
done <<< "$trees"
echo "== host: $(uname -r)" >&2
# shellcheck disable=SC2086
"$build/bin/mmscope" bench mapcount $args > "$out/mapcount-host.txt" || true

# TEST SIZE_KB MEDIAN_US MIN_US MAX_US COPIED BACKED
awk '
FNR == 1 { f++ }
$1 ~ /^(munmap|fork|cow-byte|reuse-byte|child-reuse-byte)$/ {
	k = $1 " " $2
	if (!(k in seen)) { seen[k] = 1; order[n++] = k }
	med[f, k] = $3; spread[f, k] = $3 > 0 ? 100 * ($5 - $4) / $3 : 0; cp[f, k] = $6
}
END {
	printf "%-17s %7s | %12s %6s | %12s %6s | %7s | %12s %6s\n", "TEST", "SIZE_KB",
	       "NO_PMC_us", "+-%", "PMC_us", "+-%", "PMC/NO", "HOST_us", "+-%"
	for (i = 0; i < n; i++) {
		k = order[i]; split(k, p, " ")
		r = med[1, k] > 0 ? med[2, k] / med[1, k] : 0
		printf "%-17s %7s | %12.1f %6.0f | %12.1f %6.0f | %7.2f | %12.1f %6.0f\n", p[1], p[2],
		       med[1, k], spread[1, k], med[2, k], spread[2, k], r, med[3, k], spread[3, k]
	}
	print "(+-%: (max - min) / median over the runs; PMC/NO: CONFIG_NO_PAGE_MAPCOUNT=n over =y)"
}' "$out/mapcount-nopmc.txt" "$out/mapcount-pmc.txt" "$out/mapcount-host.txt" |
	tee "$out/mapcount-table.txt"
