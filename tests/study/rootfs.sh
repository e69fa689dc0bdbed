#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Debian sid root the MM-ID study (make study) runs its real workloads
# in: apache2 (prefork MPM) and ab, gunicorn, redis-server and its tools,
# python3, make and gcc with libc6-dev.  Unpacked without maintainer
# scripts (fetch-sid.sh --with-deps), with the few things those scripts
# would have made, and packed as an uncompressed newc cpio whose entries
# sit under study-root/: qemu.sh appends it to the guest's initramfs
# (MMSCOPE_VM_INITRD_EXTRA), so the kernel unpacks it into its tmpfs root
# at boot.  Executing from 9p instead would cost about 2 s per exec under
# TCG (9p has no page cache here), and make -j execs thousands of times.
#
# usage: rootfs.sh CACHE_DIR
#   The root is CACHE_DIR/study-root-KEY/study-root, the archive
#   CACHE_DIR/study-root-KEY.cpio;
#   KEY hashes the package list and this script (its fixups shape the root).
#   A warm cache fetches and unpacks nothing.  Prints the archive's path on
#   the last line of stdout; sizes and times go to stderr and to
#   CACHE_DIR/study-root-KEY.stats.
#
# The workloads' configuration (tests/study/conf/) is not in the root: the
# guest copies it in at each run, so editing it repacks nothing.
set -euo pipefail

cache=$1
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# apache2 pulls apache2-bin (mpm_prefork is built into its modules
# directory), perl and procps; gunicorn is the pre-forking server on a
# kernel without IPv4 (the release kernel has no CONFIG_INET): it serves a
# Unix socket and recycles its workers with --max-requests.  dash, bash,
# coreutils and mawk for the drivers' shell lines inside the root.
pkgs=apache2,apache2-utils,gunicorn,redis-server,redis-tools,python3,make,gcc,libc6-dev,dash,bash,coreutils,mawk,sed,grep,findutils
key=$( { echo "$pkgs"; cat "$0"; } | sha256sum | cut -c1-8)
root=$cache/study-root-$key
archive=$root.cpio
stats=$root.stats

mkdir -p "$cache"
exec 9> "$root.lock"
if ! flock -n 9; then
	echo "  WAIT    another process is preparing $(basename "$root")" >&2
	flock 9
fi

if [ -f "$archive" ] && [ -f "$root/study-root/.mmscope-built" ]; then
	echo "  CACHED  $archive" >&2
	echo "$archive"
	exit 0
fi

rm -rf "$root" "$root.tmp" "$archive"
start=$(date +%s.%N)
debs_before=$(du -sb "$cache/apt-sid/debs" 2>/dev/null | cut -f1 || echo 0)
echo "  SIDROOT $root: $pkgs and what they depend on" >&2
# The root proper is study-root/ inside the cache directory: the archive's
# entries are named study-root/..., so the guest finds it in one place
# whatever else the initramfs holds.
mkdir -p "$root.tmp"
"$top/tests/setup/fetch-sid.sh" --with-deps "$cache" "$pkgs" "$root.tmp/study-root" 2>&1 |
	tee "$root.tmp/fetch.log" >&2
fetched=$(date +%s.%N)
debs_after=$(du -sb "$cache/apt-sid/debs" | cut -f1)

r=$root.tmp/study-root
# Debian's merged /usr (debootstrap makes these links, no package does).
for d in bin sbin lib lib64; do
	[ -e "$r/$d" ] || [ ! -d "$r/usr/$d" ] || ln -s "usr/$d" "$r/$d"
done
# What maintainer scripts and alternatives would have made: /bin/sh, awk,
# cc (make's default compiler), the users the servers switch to
# (base-passwd's postinst writes /etc/passwd).
[ -e "$r/usr/bin/sh" ] || ln -s dash "$r/usr/bin/sh"
[ -e "$r/usr/bin/awk" ] || ln -s mawk "$r/usr/bin/awk"
[ -e "$r/usr/bin/cc" ] || ln -s gcc "$r/usr/bin/cc"
printf '%s\n' "root:x:0:0:root:/root:/bin/sh" "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin" \
	"redis:x:100:101::/var/lib/redis:/usr/sbin/nologin" "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin" \
	> "$r/etc/passwd"
printf '%s\n' "root:x:0:" "www-data:x:33:" "redis:x:101:" "nogroup:x:65534:" > "$r/etc/group"
mkdir -p "$r"/{dev,proc,sys,tmp,run,root,var/www,var/log/apache2,var/lib/redis,study}
chmod 1777 "$r/tmp"
# Nothing the workloads read: documentation, manuals and translations
# would only sit in the guest's memory.
rm -rf "$r"/usr/share/{doc,man,info,locale,lintian,bug}
# Every binary the drivers name must be there.
for f in usr/sbin/apache2 usr/lib/apache2/modules/mod_mpm_prefork.so usr/bin/ab usr/bin/gunicorn \
	usr/bin/redis-server usr/bin/redis-cli usr/bin/redis-benchmark usr/bin/python3 usr/bin/make \
	usr/bin/gcc usr/bin/as usr/bin/ld usr/include/stdio.h; do
	[ -e "$r/$f" ] || [ -L "$r/$f" ] || { echo "rootfs: the root has no /$f" >&2; exit 1; }
done

# The guest checks for the marker: it must be in the archive.
touch "$r/.mmscope-built"
(cd "$root.tmp" && find study-root -print0 | LC_ALL=C sort -z |
	cpio --quiet -o -0 -H newc -R 0:0 --reproducible) > "$archive.tmp"
done_at=$(date +%s.%N)
ndebs=$(sed -n 's/.*UNPACK *\([0-9]*\) package.*/\1/p' "$root.tmp/fetch.log" | tail -n 1)
{
	printf 'packages: %s\n' "$pkgs"
	printf 'closure: %s .debs, %d bytes of them fetched now\n' "${ndebs:-?}" $((debs_after - debs_before))
	awk -v a="$start" -v b="$fetched" -v c="$done_at" \
		'BEGIN { printf "fetch and unpack: %.1f s; pack: %.1f s\n", b - a, c - b }'
	printf 'root: %s bytes unpacked; archive: %s bytes\n' "$(du -sb "$r" | cut -f1)" "$(stat -c %s "$archive.tmp")"
} > "$root.tmp/stats"
mv "$root.tmp" "$root"
mv "$archive.tmp" "$archive"
cp "$root/stats" "$stats"
sed 's/^/  STATS   /' "$stats" >&2
# Roots of another package list or script are stale.
for old in "$cache"/study-root-????????; do
	[ "$old" = "$root" ] || rm -rf "$old" "$old.cpio" "$old.stats" "$old.lock"
done
echo "$archive"
