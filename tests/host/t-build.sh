#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# host-timeout: 900
# The build as a user runs it on this host, from an empty build directory
# and an empty cache: `make` builds the CLI from the checked-in vmlinux.h,
# says in one line that the module needs KDIR= (no kernel headers here),
# builds no kernel and runs no package manager.  Then bpf/ compiles against
# a vmlinux.h generated from each kernel BTF of btf.list: the programs name
# only core_fixes.bpf.h's flavours of what differs between kernels.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
arch=$(uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

# Package managers that record being run.
mkdir -p "$tmp/bin"
for pm in apt-get apt dnf yum dpkg-query; do
	printf '#!/bin/sh\necho "%s $*" >> %s/pm.log\nexit 1\n' "$pm" "$tmp" > "$tmp/bin/$pm"
	chmod +x "$tmp/bin/$pm"
done

t0=$(date +%s.%N)
PATH=$tmp/bin:$PATH make -C "$top" --no-print-directory -j"$(nproc)" BUILD="$tmp/build" \
	MMSCOPE_CACHE="$tmp/cache" > "$tmp/make.log" 2>&1
rc=$?
secs=$(echo "$(date +%s.%N) - $t0" | bc)
sed 's/^/        make: /' "$tmp/make.log" | grep -v '  CC  \|  CLANG \|  SKEL ' | tail -n 20
if [ $rc = 0 ] && [ -x "$tmp/build/bin/mmscope" ] && "$tmp/build/bin/mmscope" --version > /dev/null; then
	printf 'PASS build-cli: make from an empty build dir and cache: %.0f s (libbpf and libmicrohttpd fetched and built)\n' "$secs"
else
	echo "FAIL build-cli: make exited $rc (log above)"
fi
if [ -s "$tmp/pm.log" ]; then
	echo "FAIL build-no-packages: make ran a package manager: $(tr '\n' ';' < "$tmp/pm.log")"
else
	echo "PASS build-no-packages: no apt-get, dnf or dpkg-query"
fi
if grep -q '  KERNEL\|  UNTAR\|build-kernel' "$tmp/make.log"; then
	echo "FAIL build-no-kernel: make built or fetched a kernel"
else
	echo "PASS build-no-kernel: no kernel built"
fi
if [ -e "/lib/modules/$(uname -r)/build/Makefile" ]; then
	echo "SKIP build-no-kdir: this host has kernel headers"
elif [ "$(grep -c 'KDIR' "$tmp/make.log")" = 1 ] && grep -q 'MODULE  skipped' "$tmp/make.log"; then
	echo "PASS build-no-kdir: one line: $(grep 'MODULE  skipped' "$tmp/make.log" | sed 's/^ *//')"
else
	echo "FAIL build-no-kdir: want one line saying the module needs KDIR=, got $(grep -c KDIR "$tmp/make.log")"
fi

# The BPF objects come from the checked-in header, not this machine's BTF.
cmds=$(make -C "$top" --no-print-directory -n -W bpf/slab.bpf.c BUILD="$tmp/build" \
	MMSCOPE_CACHE="$tmp/cache" "$tmp/build/bpf/slab.bpf.o" 2>&1)
if grep -q -- "-Ibpf/vmlinux/$arch " <<< "$cmds" && ! grep -q 'btf dump\|/sys/kernel/btf' <<< "$cmds"; then
	echo "PASS build-vendored-vmlinux-h: clang -Ibpf/vmlinux/$arch, no BTF read"
else
	echo "FAIL build-vendored-vmlinux-h: the BPF compile does not use bpf/vmlinux/$arch/vmlinux.h alone"
fi

# bpf/ against each kernel's own vmlinux.h, with the build's flags.
libbpf_inc=$tmp/build/libbpf/usr/include
[ -d "$libbpf_inc" ] || libbpf_inc=$MMSCOPE_BUILD/libbpf/usr/include
while read -r label btf; do
	if [ "$btf" = - ]; then
		echo "SKIP build-bpf-$label: no such BTF here (tests/host/btf.list)"
		continue
	fi
	mkdir -p "$tmp/h-$label"
	if ! bpftool btf dump file "$btf" format c > "$tmp/h-$label/vmlinux.h" 2> "$tmp/err"; then
		echo "FAIL build-bpf-$label: bpftool btf dump $btf: $(head -n 1 "$tmp/err")"
		continue
	fi
	bad=
	for src in "$top"/bpf/*.bpf.c; do
		name=$(basename "$src" .bpf.c)
		if ! clang -g -O2 -target bpf -D__TARGET_ARCH_"$arch" -I"$tmp/h-$label" \
			-I"$libbpf_inc" -I"$top/bpf" -Wall -Werror -Wno-unused-function \
			-fms-extensions -Wno-microsoft-anon-tag \
			-c "$src" -o "$tmp/h-$label/$name.o" 2> "$tmp/err"; then
			bad="$bad $name"
			sed 's/^/        /' "$tmp/err" | head -n 5
		fi
	done
	if [ -z "$bad" ]; then
		echo "PASS build-bpf-$label: bpf/*.bpf.c compile against $btf's vmlinux.h"
	else
		echo "FAIL build-bpf-$label: against $btf's vmlinux.h:$bad"
	fi
done < <(btf_files)
