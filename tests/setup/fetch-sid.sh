#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch a package from Debian's sid suite with a private apt configuration
# (the system's own apt sources are never touched) and unpack it into the
# cache directory: a binary package with dpkg -x, or with --source the
# upstream tarball of a source package (for what we build ourselves).
#
# usage: fetch-sid.sh [--source] CACHE_DIR PACKAGE DEST_DIR
set -euo pipefail

source_pkg=0
if [ "${1:-}" = --source ]; then
	source_pkg=1
	shift
fi
if [ $# != 3 ]; then
	echo "usage: fetch-sid.sh [--source] CACHE_DIR PACKAGE DEST_DIR" >&2
	exit 2
fi
cache=$1 pkg=$2 dest=$3
apt_dir=$cache/apt-sid

# Reuse the mirror the system already trusts for bookworm; only the suite
# differs.
mirror_uri() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '/^URIs:/ { uri = $2 }
		     /^Suites:/ && / bookworm( |$)/ && uri { print uri; exit }' "$f"
	done | head -n 1
	if [ -f /etc/apt/sources.list ]; then
		awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list
	fi
}

uri=$(mirror_uri | head -n 1)
if [ -z "$uri" ]; then
	echo "fetch-sid: no Debian bookworm mirror found in /etc/apt/sources*;" \
	     "set MMSCOPE_DEBIAN_MIRROR to a Debian mirror URI" >&2
	uri=${MMSCOPE_DEBIAN_MIRROR:?}
fi
uri=${MMSCOPE_DEBIAN_MIRROR:-$uri}

mkdir -p "$apt_dir"/{lists/partial,cache/archives/partial,etc/sources.list.d,etc/preferences.d,debs}
for type in deb deb-src; do
	echo "$type [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri sid main"
done > "$apt_dir/etc/sources.list"

apt_opts=(
	-o "Dir::Etc::SourceList=$apt_dir/etc/sources.list"
	-o "Dir::Etc::SourceParts=$apt_dir/etc/sources.list.d"
	-o "Dir::Etc::Preferences=$apt_dir/etc/preferences"
	-o "Dir::Etc::PreferencesParts=$apt_dir/etc/preferences.d"
	-o "Dir::State::Lists=$apt_dir/lists"
	-o "Dir::State::status=/dev/null"
	-o "Dir::Cache=$apt_dir/cache"
	-o "APT::Architecture=amd64"
	-o "Debug::NoLocking=1"
	-o "APT::Sandbox::User=root"
)

# Refresh the sid index at most once a day (and once for the source index
# a cache from before --source lacks).
stamp=$apt_dir/lists/.updated
if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440)" ] ||
   ! ls "$apt_dir"/lists/*_source_Sources* >/dev/null 2>&1; then
	echo "  FETCH   sid package index (private apt config in $apt_dir)"
	apt-get "${apt_opts[@]}" -q update
	touch "$stamp"
fi

rm -rf "$dest.tmp"
mkdir -p "$dest.tmp" "$apt_dir/debs" "$apt_dir/sources"
if [ "$source_pkg" = 1 ]; then
	cd "$apt_dir/sources"
	if ! ls "${pkg}"_*.orig.tar.* >/dev/null 2>&1; then
		echo "  FETCH   $pkg source from sid"
		apt-get "${apt_opts[@]}" source --download-only "$pkg"
	fi
	tarball=$(ls -t "${pkg}"_*.orig.tar.* | head -n 1)
	echo "  UNPACK  $tarball"
	tar -xf "$tarball" -C "$dest.tmp" --strip-components=1
	echo "$tarball" > "$dest.tmp/.mmscope-source"
else
	cd "$apt_dir/debs"
	if ! ls "${pkg}"_*.deb >/dev/null 2>&1; then
		echo "  FETCH   $pkg from sid"
		apt-get "${apt_opts[@]}" download "$pkg"
	fi
	deb=$(ls -t "${pkg}"_*.deb | head -n 1)
	echo "  UNPACK  $deb"
	dpkg -x "$deb" "$dest.tmp"
fi
rm -rf "$dest"
mv "$dest.tmp" "$dest"
