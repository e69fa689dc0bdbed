#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch a package from Debian's sid suite with a private apt configuration
# (the system's own apt sources are never touched) and unpack it into the
# cache directory: binary packages with dpkg -x, or with --source the
# upstream tarball of a source package (for what we build ourselves).
#
# usage: fetch-sid.sh [--source|--with-deps] CACHE_DIR PACKAGE[,PACKAGE...] DEST_DIR
#   PACKAGE,...   binary packages, each unpacked into DEST_DIR
#   --with-deps   the same with their whole dependency closure (Depends
#                 and Pre-Depends, no Recommends): a sid tree to chroot into
#   --source      the upstream tarball of one source package
# The .debs stay in CACHE_DIR/apt-sid/debs, so a second unpack fetches
# nothing.
set -euo pipefail

source_pkg=0 with_deps=0
case ${1:-} in
--source) source_pkg=1; shift ;;
--with-deps) with_deps=1; shift ;;
esac
if [ $# != 3 ]; then
	echo "usage: fetch-sid.sh [--source|--with-deps] CACHE_DIR PACKAGE[,PACKAGE...] DEST_DIR" >&2
	exit 2
fi
cache=$1 pkg=$2 dest=$3
apt_dir=$cache/apt-sid
# apt runs here with Debug::NoLocking (no system lock is ours to take):
# two fetches at once, such as make test's two kernel builds on a cold
# cache, would update the same lists under each other.  One at a time.
# A caller that waited for the same DEST gets the other fetch's result,
# never an unpack under the feet of a reader of it.
mkdir -p "$cache"
exec 6> "$apt_dir.lock"
if ! flock -n 6; then
	start=$(date +%s)
	echo "  WAIT    another fetch from sid" >&2
	flock 6
	[ -d "$dest" ] && [ "$(stat -c %Y "$dest")" -ge "$start" ] && exit 0
fi

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
	IFS=, read -r -a wanted <<< "$pkg"
	if [ "$with_deps" = 1 ]; then
		# "Inst NAME (VERSION ...)": apt's plan for an empty system
		# (Dir::State::status is /dev/null) is the whole closure.
		mapfile -t wanted < <(apt-get "${apt_opts[@]}" -s -q --no-install-recommends \
			install "${wanted[@]}" | sed -n 's/^Inst \([^ ]*\) (\([^ ]*\) .*/\1=\2/p')
		[ ${#wanted[@]} -gt 0 ] ||
			{ echo "fetch-sid: apt found no installable closure for $pkg in sid" >&2; exit 1; }
	fi
	debs=() missing=()
	for p in "${wanted[@]}"; do
		name=${p%%=*}
		if [ "$name" != "$p" ]; then
			# apt-get download names the file NAME_VERSION_ARCH.deb,
			# with the epoch's colon escaped.
			ver=${p#*=}
			deb=$(ls "${name}_${ver//:/%3a}"_*.deb 2>/dev/null | head -n 1 || true)
		else
			deb=$(ls -t "${name}"_*.deb 2>/dev/null | head -n 1 || true)
		fi
		if [ -n "$deb" ]; then
			debs+=("$deb")
		else
			missing+=("$p")
		fi
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "  FETCH   ${#missing[@]} package(s) from sid: ${missing[*]}" | cut -c1-200
		apt-get "${apt_opts[@]}" -q download "${missing[@]}"
		for p in "${missing[@]}"; do
			name=${p%%=*} ver=${p#*=}
			[ "$name" = "$p" ] && ver=
			debs+=("$(ls -t "${name}_${ver//:/%3a}"*.deb | head -n 1)")
		done
	fi
	echo "  UNPACK  ${#debs[@]} package(s) -> $dest"
	for deb in "${debs[@]}"; do
		dpkg -x "$deb" "$dest.tmp"
	done
fi
rm -rf "$dest"
mv "$dest.tmp" "$dest"
touch "$dest"
