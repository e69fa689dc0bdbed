#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A fresh linux-source-7.2 tree at DEST, as a hard-linked copy of one
# pristine tree kept in the cache.  Unpacking the tarball (xz, 1.4 GB of
# sources) costs every kernel build and the series check about a minute of
# one core; `cp -al` takes seconds.  Hard links are safe here: patch(1) and
# Kbuild replace a file by writing a new one and renaming it, so a change
# to DEST never reaches the pristine tree.
#
# usage: source-tree.sh CACHE_DIR DEST_DIR
set -euo pipefail

cache=$1 dest=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
pkg=linux-source-7.2
tarball=$cache/src/$pkg/usr/src/$pkg.tar.xz
pristine=$cache/src/$pkg-tree

# Under the lock: a second builder waits for the first one's fetch
# instead of fetching the same package into the same place.
mkdir -p "$cache/src"
exec 7> "$pristine.lock"
flock 7
[ -f "$tarball" ] || "$top/tests/setup/fetch-sid.sh" "$cache" "$pkg" "$cache/src/$pkg" >&2
# The stamp names the tarball it came from: a newer package re-unpacks.
if [ "$(cat "$pristine/.mmscope-unpacked" 2>/dev/null)" != "$(stat -c '%s %Y' "$tarball")" ]; then
	echo "  UNTAR   $pkg (once per cache) -> $pristine" >&2
	rm -rf "$pristine"
	mkdir -p "$pristine"
	tar -xJf "$tarball" -C "$pristine" --strip-components=1
	stat -c '%s %Y' "$tarball" > "$pristine/.mmscope-unpacked"
fi
flock -u 7

rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
cp -al "$pristine" "$dest"
rm -f "$dest/.mmscope-unpacked"
