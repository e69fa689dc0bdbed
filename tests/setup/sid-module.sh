#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build mmscope.ko against Debian sid's linux-headers-RELEASE the way a sid
# user's machine builds it: `make module KDIR=/usr/src/linux-headers-RELEASE`
# in a minimal sid root with Debian's compiler (gcc-16), binutils, pahole
# and linux-kbuild.  The headers' tools are sid binaries (glibc >= 2.38) and
# the headers were configured for gcc-16: neither runs on an older host.
#
# usage: sid-module.sh CACHE_DIR RELEASE BUILD_DIR
#   The root is CACHE_DIR/sid-root-RELEASE-KEY (KEY hashes the package
#   list): the dependency closure of the headers and of make, unpacked with fetch-sid.sh --with-deps (no
#   maintainer scripts run; none is needed to compile).  A warm cache
#   fetches nothing.  The module lands in BUILD_DIR/module/mmscope.ko.
#
# The build runs in a mount namespace, chrooted into the root, with the
# repository bound at /mmscope-src and BUILD_DIR at /mmscope-out: as root,
# or as a user where unprivileged user namespaces are allowed.
set -euo pipefail

cache=$1 release=$2 build=$3
top=$(cd "$(dirname "$0")/../.." && pwd)
kdir=/usr/src/linux-headers-$release
# What a sid user has: the headers (which pull gcc-16, binutils, pahole and
# linux-kbuild), make, the shell tools Kbuild's recipes run, and xz and
# depmod for modules_install.
pkgs=linux-headers-$release,make,libc6-dev,dash,bash,coreutils,sed,grep,mawk,findutils,diffutils,xz-utils,kmod
root=$cache/sid-root-$release-$(echo "$pkgs" | sha256sum | cut -c1-8)

mkdir -p "$cache" "$build"
build=$(cd "$build" && pwd)
exec 9> "$root.lock"
if ! flock -n 9; then
	echo "  WAIT    another process is preparing $(basename "$root")" >&2
	flock 9
fi

if [ ! -f "$root/.mmscope-built" ]; then
	rm -rf "$root"
	echo "  SIDROOT $root: $pkgs and what they depend on" >&2
	"$top/tests/setup/fetch-sid.sh" --with-deps "$cache" "$pkgs" "$root.tmp" >&2
	# Debian's merged /usr: the top-level directories are symlinks, which
	# debootstrap (not any package) creates.
	for d in bin sbin lib lib64; do
		[ -e "$root.tmp/$d" ] || [ ! -d "$root.tmp/usr/$d" ] || ln -s "usr/$d" "$root.tmp/$d"
	done
	# What maintainer scripts would have made: /bin/sh, and awk (an
	# alternative, registered by mawk's postinst).
	[ -e "$root.tmp/bin/sh" ] || ln -s dash "$root.tmp/usr/bin/sh"
	[ -e "$root.tmp/usr/bin/awk" ] || ln -s mawk "$root.tmp/usr/bin/awk"
	mkdir -p "$root.tmp"/{dev,proc,tmp,mmscope-src,mmscope-out}
	chmod 1777 "$root.tmp/tmp"
	[ -f "$root.tmp$kdir/Makefile" ] ||
		{ echo "sid-module: linux-headers-$release unpacked without $kdir/Makefile" >&2; exit 1; }
	touch "$root.tmp/.mmscope-built"
	mv "$root.tmp" "$root"
	# Roots of this release with another package list are stale.
	for old in "$cache/sid-root-$release" "$cache/sid-root-$release"-????????; do
		[ "$old" = "$root" ] || rm -rf "$old" "$old.lock"
	done
fi

# One command in the root: /dev and /proc from the host, the sources and
# the output directory bound in; everything goes when the namespace does.
ns=(unshare --mount --propagation private)
[ "$(id -u)" = 0 ] || ns+=(--map-root-user)
"${ns[@]}" true 2> /dev/null || { echo "sid-module: building in the sid root needs root," \
	"or unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)" >&2; exit 1; }
in_root() {
	"${ns[@]}" /bin/sh -euc '
		r=$1; shift
		mount --rbind /dev "$r/dev"
		mount --rbind /proc "$r/proc"
		mount --bind "$2" "$r/mmscope-src"
		mount --bind "$3" "$r/mmscope-out"
		shift 3
		exec chroot "$r" /usr/bin/env -i PATH=/usr/bin:/usr/sbin HOME=/tmp LC_ALL=C.UTF-8 "$@"
	' sh "$root" -- "$top" "$build" "$@"
}

start=$(date +%s.%N)
in_root make --no-print-directory -C /mmscope-src module KDIR="$kdir" BUILD=/mmscope-out
secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
ko=$build/module/mmscope.ko
[ -f "$ko" ] || { echo "sid-module: the build left no $ko" >&2; exit 1; }
echo "  MODULE  $ko against $release (gcc $(in_root x86_64-linux-gnu-gcc-16 -dumpfullversion) in $root, ${secs}s)"
