#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build (or find in the cache) the two production-like kernels that
# `mmscope bench mapcount` compares: the same 7.2 source and config
# (bench-kernel.config on tinyconfig), one with CONFIG_NO_PAGE_MAPCOUNT=y,
# one with =n.  Not needed by `make test`.
#
# usage: build-bench-kernels.sh CACHE_DIR
# Prints "nopmc TREE" and "pmc TREE" lines on stdout.
set -euo pipefail
cache=$1
here=$(cd "$(dirname "$0")" && pwd)
pkg=linux-source-7.2
tarball=$cache/src/$pkg/usr/src/$pkg.tar.xz
[ -f "$tarball" ] || { echo "no $tarball: run 'make kernel' first" >&2; exit 2; }
jobs=$(($(nproc) + 1))

for flavor in nopmc pmc; do
	want=y
	[ $flavor = pmc ] && want=n
	key=$( (cat "$here/bench-kernel.config"; echo "NO_PAGE_MAPCOUNT=$want"; ls -l "$tarball") |
		sha256sum | cut -c1-12)
	tree=$cache/linux-bench-$flavor-$key
	if [ ! -f "$tree/.mmscope-built" ]; then
		rm -rf "$tree"
		if [ -n "${first:-}" ]; then
			# Same source and config but one option: start from the
			# first tree's objects, Kbuild rebuilds what the option touches.
			echo "  COPY    $first -> $tree" >&2
			cp -a "$first" "$tree"
			rm -f "$tree/.mmscope-built"
		else
			echo "  UNTAR   $tree" >&2
			mkdir -p "$tree"
			tar -xJf "$tarball" -C "$tree" --strip-components=1
		fi
		(
			cd "$tree"
			make -s tinyconfig > /dev/null
			cp "$here/bench-kernel.config" frag.config
			if [ $want = y ]; then
				echo CONFIG_NO_PAGE_MAPCOUNT=y >> frag.config
			else
				echo "# CONFIG_NO_PAGE_MAPCOUNT is not set" >> frag.config
			fi
			scripts/kconfig/merge_config.sh -m .config frag.config > /dev/null
			make -s olddefconfig >&2
			while read -r line; do
				grep -qxF -- "$line" .config ||
					{ echo "bench kernel: '$line' did not stick" >&2; exit 1; }
			done < <(grep -E '^(CONFIG_|# CONFIG_)' frag.config)
			echo "  KBUILD  $flavor (log: $tree/build.log)" >&2
			nice -n 19 make -j"$jobs" bzImage > build.log 2>&1 ||
				{ tail -n 30 build.log >&2; exit 1; }
			touch .mmscope-built
		)
	fi
	first=$tree
	echo "$flavor $tree"
done
