#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmark, not a test: what `mmscope slab top` and the maple tree's
# prefill histogram show while `stress-ng --mmap` runs (the load the maple
# tree series measured its preallocation under), on the patched release
# kernel (no KASAN, whose quarantine would hide the sheaves' frees).
# Debian's stress-ng is dynamically linked: it goes into the guest with
# the libraries it needs and runs under their loader.
#
# usage: tests/bench/slab-stress.sh [SECONDS]   (default 12)
# Run from the top of the tree after `make`; builds the kernel on first use.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
cache=${MMSCOPE_CACHE:-$HOME/.cache/mmscope}
seconds=${1:-12}
out=$build/bench
stage=$build/stress-ng
command -v stress-ng >/dev/null ||
	{ echo "slab-stress: stress-ng missing: apt-get install stress-ng" >&2; exit 2; }
mkdir -p "$out" "$stage"
make -C "$top" --no-print-directory user >/dev/null

cp "$(command -v stress-ng)" "$stage/"
ldd "$(command -v stress-ng)" | awk '/=> \// { print $3 } /^\t\/.*ld-linux/ { print $1 }' |
	while read -r lib; do cp -L "$lib" "$stage/"; done

tree=$("$top/tests/vm/build-kernel.sh" "$cache" patched-release | tail -n 1)
cat > "$out/slab-stress-guest.sh" <<GUEST
#!/bin/sh
S=/mmscope/stress-ng
cd /tmp
\$S/ld-linux-x86-64.so.2 --library-path \$S \$S/stress-ng --mmap 2 --mmap-bytes 32M \\
	--timeout $seconds --temp-path /tmp --metrics-brief > /tmp/stress.out 2>&1 &
sleep 2
mmscope slab hist -K prefill -C maple_node 6 1 > /tmp/hist.txt 2>&1 &
echo "== mmscope -v slab top -B -n 12 3 3"
mmscope -v slab top -B -n 12 3 3
wait
echo "== mmscope slab hist -K prefill -C maple_node 6 1 (at the same time)"
cat /tmp/hist.txt
cat /tmp/stress.out
GUEST
chmod +x "$out/slab-stress-guest.sh"
MMSCOPE_VM_APPEND="mmscope.noload=1" "$top/tests/vm/qemu.sh" "$tree" "$build" run \
	"$out/slab-stress-guest.sh" 2>&1 | tee "$out/slab-stress.txt"
