#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Make sure the Debian packages mmscope builds and tests with are present.
# As root, install what is missing with apt-get; otherwise print the exact
# command and stop.  The system's apt sources are never changed.
set -euo pipefail

packages=(
	# user space and BPF
	gcc make clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev libzstd-dev libjson-c-dev
	# the test kernel
	flex bison bc libssl-dev dwarves cpio xz-utils kmod perl
	# the test VM
	qemu-system-x86 busybox-static
	# tests
	jq python3-jsonschema man-db
	# benchmarks (tests/bench/)
	bpftrace stress-ng time
)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} = 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "mmscope needs these Debian packages: ${missing[*]}" >&2
	echo "install them with:" >&2
	echo "    sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "  APT     installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}"
