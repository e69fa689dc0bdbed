#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch the source of a library the CLI links statically: Debian's orig
# tarball of one pinned version, checked against its SHA-256, with curl or
# wget (no apt-get, no package manager), unpacked into the cache.
#   libbpf         1.7 (bookworm's 1.1 copies the kernel's BTF twice)
#   libmicrohttpd  built without TLS: Debian's libmicrohttpd.a needs
#                  GnuTLS, whose p11-kit and libunistring have no archives
#
# usage: fetch-orig.sh CACHE_DIR DEST_DIR [libbpf|libmicrohttpd]
#   MMSCOPE_DEBIAN_MIRROR  a Debian mirror (default http://deb.debian.org/debian)
set -euo pipefail

if [ $# != 2 ] && [ $# != 3 ]; then
	echo "usage: fetch-orig.sh CACHE_DIR DEST_DIR [libbpf|libmicrohttpd]" >&2
	exit 2
fi
cache=$1 dest=$2 pkg=${3:-libbpf}
case $pkg in
libbpf)
	pool=libb/libbpf
	tarball=libbpf_1.7.0.orig.tar.gz
	sha256=7ab5feffbf78557f626f2e3e3204788528394494715a30fc2070fcddc2051b7b
	sha1=c1f38b51d09324a3386fb4fecaae0041ec15588c
	hint="build with LIBBPF_DIR=pkg-config (the system's libbpf)" ;;
libmicrohttpd)
	pool=libm/libmicrohttpd
	tarball=libmicrohttpd_0.9.75.orig.tar.xz
	sha256=796e7e217a4802679fcac667a4e98501c53185dcf50ca0583870e84192620131
	sha1=
	hint="build with STATIC=0 (the system's libmicrohttpd)" ;;
*)
	echo "fetch-orig: unknown package '$pkg' (libbpf or libmicrohttpd)" >&2
	exit 2 ;;
esac
mirror=${MMSCOPE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# The pool drops a version when sid moves on; snapshot.debian.org keeps it.
urls=("$mirror/pool/main/$pool/$tarball")
[ -z "$sha1" ] || urls+=("https://snapshot.debian.org/file/$sha1")

mkdir -p "$cache/src" "$cache/downloads"
# Work trees sharing the cache fetch it once.
exec 9> "$cache/src/$pkg.lock"
flock 9
[ -f "$dest/.mmscope-source" ] && [ "$(cat "$dest/.mmscope-source")" = "$tarball" ] && exit 0

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
		echo "fetch-orig: neither curl nor wget; install one, or $hint" >&2
		exit 1
	fi
	mv "$file.tmp" "$file"
	ok "$file" || { echo "fetch-orig: $url: SHA-256 mismatch" >&2; rm -f "$file"; }
done
if ! ok "$file"; then
	echo "fetch-orig: cannot fetch $tarball (tried ${urls[*]});" \
	     "set MMSCOPE_DEBIAN_MIRROR, or $hint" >&2
	exit 1
fi

echo "  UNPACK  $tarball"
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp"
tar -xf "$file" -C "$dest.tmp" --strip-components=1
echo "$tarball" > "$dest.tmp/.mmscope-source"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
