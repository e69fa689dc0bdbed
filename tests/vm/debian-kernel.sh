#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch (or find in the cache) Debian sid's own kernel for the test guest:
# the image, its config and System.map, and the modules the guest needs
# before it can mount its 9p shares, which Debian builds as modules.
#
# usage: debian-kernel.sh CACHE_DIR RELEASE
#   RELEASE  the kernel release, e.g. 7.2.13+deb14-amd64 (or -rt-amd64):
#            the packages are linux-binary-RELEASE (the image),
#            linux-base-RELEASE (config, System.map) and linux-modules-RELEASE
#
# The kernel lands in CACHE_DIR/debian-RELEASE:
#   vmlinuz, config, System.map, vmlinux.btf (its BTF, raw)
#   initramfs/   what the initramfs adds: lib/modules/RELEASE/ with the 9p
#                and virtio modules decompressed and boot.order (the order
#                tests/vm/init insmods them in), boot/config-RELEASE
# A warm cache fetches nothing.  Prints the directory on the last line.
set -euo pipefail

cache=$1 release=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$cache/debian-$release
# What the guest must load before it mounts /mmscope and /src; their
# dependencies come from modules.dep.
boot_modules=(9pnet_virtio 9p)

# The kernel's BTF, for the host tests that compile and verify bpf/
# against it: the .BTF section of the vmlinux inside vmlinuz (found by the
# compressor's magic, as scripts/extract-vmlinux does), as raw BTF.
extract_btf() { # DIR
	python3 - "$1/vmlinuz" "$1/vmlinux.elf" <<-'PY' || return 1
	import subprocess, sys
	img = open(sys.argv[1], "rb").read()
	for magic, tool in ((b"\x28\xb5\x2f\xfd", "zstd"), (b"\xfd7zXZ\x00", "xz"), (b"\x1f\x8b\x08", "gzip")):
	    at = img.find(magic)
	    while at >= 0:
	        out = subprocess.run([tool, "-dc"], input=img[at:], capture_output=True).stdout
	        if out[:4] == b"\x7fELF":
	            open(sys.argv[2], "wb").write(out)
	            sys.exit(0)
	        at = img.find(magic, at + 1)
	sys.exit("no compressed vmlinux found in " + sys.argv[1])
	PY
	objcopy -O binary --only-section=.BTF "$1/vmlinux.elf" "$1/vmlinux.btf.tmp" &&
		[ -s "$1/vmlinux.btf.tmp" ] || { echo "debian-kernel: no .BTF in $1/vmlinuz" >&2; return 1; }
	rm -f "$1/vmlinux.elf"
	mv "$1/vmlinux.btf.tmp" "$1/vmlinux.btf"
}

mkdir -p "$cache"
exec 9> "$dir.lock"
if ! flock -n 9; then
	echo "  WAIT    another fetch of $(basename "$dir") is running" >&2
	flock 9
fi
if [ -f "$dir/.mmscope-built" ]; then
	[ -f "$dir/vmlinux.btf" ] || extract_btf "$dir" >&2
	echo "  CACHED  $dir" >&2
	echo "$dir"
	exit 0
fi

command -v xz > /dev/null ||
	{ echo "debian-kernel: xz is missing (Debian's modules are .ko.xz): make test-deps" >&2; exit 1; }
depmod=$(PATH=$PATH:/sbin:/usr/sbin command -v depmod) ||
	{ echo "debian-kernel: depmod is missing (kmod): make test-deps" >&2; exit 1; }

rm -rf "$dir" "$dir.pkgs" "$dir.tmp"
"$top/tests/setup/fetch-sid.sh" "$cache" \
	"linux-binary-$release,linux-base-$release,linux-modules-$release" "$dir.pkgs" >&2
mods=$dir.pkgs/usr/lib/modules/$release
[ -f "$mods/vmlinuz" ] && [ -d "$mods/kernel" ] ||
	{ echo "debian-kernel: linux-binary-$release or linux-modules-$release has no $mods/vmlinuz or kernel/" >&2; exit 1; }
# modules.dep is made by the package's postinst, which dpkg -x does not run.
echo "  DEPMOD  $release" >&2
"$depmod" -b "$dir.pkgs/usr" "$release"

mkdir -p "$dir.tmp/initramfs/lib/modules/$release" "$dir.tmp/initramfs/boot"
cp "$mods/vmlinuz" "$mods/config" "$mods/System.map" "$dir.tmp/"
# Where Debian keeps it: tests read the kernel's options there when the
# kernel has no /proc/config.gz (Debian's has no IKCONFIG).
cp "$mods/config" "$dir.tmp/initramfs/boot/config-$release"

# The modules in load order: each one's dependencies first (modules.dep
# lists "path: dep dep ..." with paths relative to the release directory).
declare -A seen=()
order=()
visit() {
	local path=$1 line dep
	[ -n "${seen[$path]:-}" ] && return 0
	seen[$path]=1
	line=$(grep -m1 "^$path:" "$mods/modules.dep") ||
		{ echo "debian-kernel: $path is not in modules.dep" >&2; exit 1; }
	for dep in ${line#*:}; do
		visit "$dep"
	done
	order+=("$path")
}
for m in "${boot_modules[@]}"; do
	path=$(grep -m1 -E "(^|/)${m}\\.ko(\\.[a-z]+)?:" "$mods/modules.dep" | cut -d: -f1) ||
		{ echo "debian-kernel: no module $m in linux-modules-$release" >&2; exit 1; }
	visit "$path"
done
: > "$dir.tmp/initramfs/lib/modules/$release/boot.order"
for path in "${order[@]}"; do
	# busybox's insmod hands the file to the kernel as it is: decompress
	# here rather than rely on the kernel's MODULE_DECOMPRESS.
	ko=${path%.xz}
	ko=${ko%.zst}
	ko=${ko%.gz}
	mkdir -p "$dir.tmp/initramfs/lib/modules/$release/$(dirname "$ko")"
	case $path in
	*.xz) xz -dc "$mods/$path" ;;
	*.zst) zstd -dc "$mods/$path" ;;
	*.gz) gzip -dc "$mods/$path" ;;
	*) cat "$mods/$path" ;;
	esac > "$dir.tmp/initramfs/lib/modules/$release/$ko"
	echo "$ko" >> "$dir.tmp/initramfs/lib/modules/$release/boot.order"
done
echo "  MODULES ${#order[@]} for the initramfs: $(sed 's|.*/||' "$dir.tmp/initramfs/lib/modules/$release/boot.order" | tr '\n' ' ')" >&2
extract_btf "$dir.tmp" >&2
echo "$release" > "$dir.tmp/release"
rm -rf "$dir.pkgs"
touch "$dir.tmp/.mmscope-built"
mv "$dir.tmp" "$dir"
echo "$dir"
