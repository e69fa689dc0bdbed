#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch the libbpf source the CLI links statically: Debian's orig tarball
# of one pinned version, checked against its SHA-256, with curl or wget
# (no apt-get, no package manager), unpacked into the cache.
#
# usage: fetch-libbpf.sh CACHE_DIR DEST_DIR
#   MMSCOPE_DEBIAN_MIRROR  a Debian mirror (default http://deb.debian.org/debian)
set -euo pipefail

version=1.7.0
sha256=7ab5feffbf78557f626f2e3e3204788528394494715a30fc2070fcddc2051b7b
sha1=c1f38b51d09324a3386fb4fecaae0041ec15588c
tarball=libbpf_$version.orig.tar.gz

if [ $# != 2 ]; then
	echo "usage: fetch-libbpf.sh CACHE_DIR DEST_DIR" >&2
	exit 2
fi
cache=$1 dest=$2
mirror=${MMSCOPE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# The pool drops a version when sid moves on; snapshot.debian.org keeps it.
urls=("$mirror/pool/main/libb/libbpf/$tarball" "https://snapshot.debian.org/file/$sha1")

mkdir -p "$cache/src" "$cache/downloads"
# Work trees sharing the cache fetch it once.
exec 9> "$cache/src/libbpf.lock"
flock 9
[ -f "$dest/src/Makefile" ] && exit 0

file=$cache/downloads/$tarball
ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$sha256" ]; }
# An older cache has it from fetch-sid.sh --source.
if ! ok "$file" && ok "$cache/apt-sid/sources/$tarball"; then
	cp "$cache/apt-sid/sources/$tarball" "$file"
fi
for url in "${urls[@]}"; do
	ok "$file" && break
	echo "  FETCH   $url"
	if command -v curl > /dev/null; then
		curl -fsSL --retry 2 -o "$file.tmp" "$url" || continue
	elif command -v wget > /dev/null; then
		wget -q -O "$file.tmp" "$url" || continue
	else
		echo "fetch-libbpf: neither curl nor wget; install one, or build with" \
		     "LIBBPF_DIR=pkg-config (the system's libbpf)" >&2
		exit 1
	fi
	mv "$file.tmp" "$file"
	ok "$file" || { echo "fetch-libbpf: $url: SHA-256 mismatch" >&2; rm -f "$file"; }
done
if ! ok "$file"; then
	echo "fetch-libbpf: cannot fetch $tarball (tried ${urls[*]});" \
	     "set MMSCOPE_DEBIAN_MIRROR, or build with LIBBPF_DIR=pkg-config" >&2
	exit 1
fi

echo "  UNPACK  $tarball"
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp"
tar -xzf "$file" -C "$dest.tmp" --strip-components=1
echo "$tarball" > "$dest.tmp/.mmscope-source"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
