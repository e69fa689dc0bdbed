#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the guest's initramfs: static busybox and our /init, so this rarely
# changes.  qemu.sh appends the CLI and the workloads at each boot; the
# module and the logs go over 9p.
#
# usage: mkinitramfs.sh KERNEL_TREE OUT.cpio
#   KERNEL_TREE  a kernel build tree (its usr/gen_init_cpio writes the
#                archive), or a distribution kernel's directory from
#                tests/vm/debian-kernel.sh, whose initramfs/ (the 9p and
#                virtio modules, the kernel's config) is added and which
#                is archived with cpio
set -euo pipefail

tree=$1 out=$2
vm=$(cd "$(dirname "$0")" && pwd)
# busybox-static installs here; the guest has no shared libraries.
busybox=/bin/busybox
[ -x "$busybox" ] || { echo "mkinitramfs: busybox-static is missing: apt-get install busybox-static" >&2; exit 1; }

if [ ! -x "$tree/usr/gen_init_cpio" ]; then
	[ -d "$tree/initramfs" ] || { echo "mkinitramfs: $tree is neither a kernel build tree" \
		"(no usr/gen_init_cpio) nor a kernel from tests/vm/debian-kernel.sh (no initramfs/)" >&2; exit 1; }
	command -v cpio > /dev/null || { echo "mkinitramfs: cpio is missing: make test-deps" >&2; exit 1; }
	stage=$(mktemp -d)
	trap 'rm -rf "$stage"' EXIT
	mkdir -p "$stage"/{bin,sbin,dev,proc,sys,tmp,root,etc}
	chmod 1777 "$stage/tmp"
	chmod 0700 "$stage/root"
	cp "$busybox" "$stage/bin/busybox"
	ln -s busybox "$stage/bin/sh"
	cp "$vm/init" "$stage/init"
	chmod 0755 "$stage/init" "$stage/bin/busybox"
	printf '%s\n' "root:x:0:0:root:/root:/bin/sh" "nobody:x:65534:65534:nobody:/:/bin/false" \
		> "$stage/etc/passwd"
	cp -r "$tree/initramfs/." "$stage/"
	# No device nodes without root: the kernel's built-in initramfs
	# (always unpacked first) has /dev/console, and init mounts devtmpfs.
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0 --reproducible) > "$out.tmp"
	mv "$out.tmp" "$out"
	exit 0
fi

spec=$(mktemp)
trap 'rm -f "$spec"' EXIT
cat > "$spec" <<SPEC
dir /bin 0755 0 0
dir /sbin 0755 0 0
dir /dev 0755 0 0
dir /proc 0755 0 0
dir /sys 0755 0 0
dir /tmp 01777 0 0
dir /root 0700 0 0
dir /etc 0755 0 0
nod /dev/console 0600 0 0 c 5 1
nod /dev/null 0666 0 0 c 1 3
file /bin/busybox $busybox 0755 0 0
slink /bin/sh /bin/busybox 0777 0 0
file /init $vm/init 0755 0 0
SPEC
echo "root:x:0:0:root:/root:/bin/sh" > "$spec.passwd"
echo "nobody:x:65534:65534:nobody:/:/bin/false" >> "$spec.passwd"
echo "file /etc/passwd $spec.passwd 0644 0 0" >> "$spec"
"$tree/usr/gen_init_cpio" "$spec" > "$out.tmp"
rm -f "$spec.passwd"
mv "$out.tmp" "$out"
