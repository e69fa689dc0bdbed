#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# host-timeout: 300
# Packaging as a user or a distribution runs it: `make install` into a
# DESTDIR puts the CLI, its man page and its bash completion under PREFIX
# with the right modes, `make uninstall` removes exactly those; `make
# modules_install` installs mmscope.ko under INSTALL_MOD_PATH for KDIR's
# release (the release test kernel's tree, which host-test builds); and
# dkms.conf names the module and the directory the build leaves it in.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${MMSCOPE_BUILD:-$top/build}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest
prefix=/usr
want=(
	"$prefix/sbin/mmscope 755"
	"$prefix/share/man/man8/mmscope.8 644"
	"$prefix/share/bash-completion/completions/mmscope 644"
)

# The CLI is already built in $build (host-test's prerequisite): install
# must not need to rebuild it.
if ! make -C "$top" --no-print-directory BUILD="$build" DESTDIR="$dest" PREFIX=$prefix install \
	> "$tmp/install.log" 2>&1; then
	sed 's/^/        install: /' "$tmp/install.log" | tail -n 15
	echo "FAIL install: make install exited non-zero"
	exit 0
fi
bad=0
for w in "${want[@]}"; do
	set -- $w
	if [ ! -f "$dest$1" ]; then
		echo "FAIL install-files: $1 not installed"
		bad=1
	elif [ "$(stat -c %a "$dest$1")" != "$2" ]; then
		echo "FAIL install-files: $1 has mode $(stat -c %a "$dest$1"), expected $2"
		bad=1
	fi
done
[ $bad = 1 ] || echo "PASS install-files: ${#want[@]} files under DESTDIR$prefix with modes 755/644"
# Nothing outside DESTDIR/PREFIX, and nothing else in it.
others=$(cd "$dest" && find . -type f | sed 's|^\.||' | sort | grep -vxF -f <(printf '%s\n' "${want[@]%% *}"))
if [ -n "$others" ]; then
	echo "FAIL install-only: also installed $(echo $others)"
else
	echo "PASS install-only: nothing but those files"
fi
if cmp -s "$dest$prefix/sbin/mmscope" "$build/bin/mmscope" &&
   [ "$("$dest$prefix/sbin/mmscope" --version)" = "$("$build/bin/mmscope" --version)" ]; then
	echo "PASS install-cli: the installed mmscope is the built one ($("$dest$prefix/sbin/mmscope" --version))"
else
	echo "FAIL install-cli: the installed mmscope differs from $build/bin/mmscope or does not run"
fi
if command -v man > /dev/null; then
	if MANWIDTH=80 man -l "$dest$prefix/share/man/man8/mmscope.8" 2> "$tmp/man.err" | grep -q 'mmscope'; then
		echo "PASS install-man: the installed man page renders"
	else
		echo "FAIL install-man: man -l of the installed page: $(head -n 3 "$tmp/man.err")"
	fi
else
	echo "SKIP install-man: no man (man-db) on this host"
fi
if bash -c ". '$dest$prefix/share/bash-completion/completions/mmscope' && complete -p mmscope" \
	> "$tmp/complete" 2>&1; then
	echo "PASS install-completion: sourcing it registers: $(cat "$tmp/complete")"
else
	echo "FAIL install-completion: sourcing it registers no completion for mmscope: $(head -c 200 "$tmp/complete")"
fi

make -C "$top" --no-print-directory BUILD="$build" DESTDIR="$dest" PREFIX=$prefix uninstall \
	> "$tmp/uninstall.log" 2>&1 || { echo "FAIL uninstall: make uninstall exited non-zero"; exit 0; }
left=$(cd "$dest" && find . -type f | sed 's|^\.||')
if [ -n "$left" ]; then
	echo "FAIL uninstall: left $(echo $left)"
else
	echo "PASS uninstall: every installed file removed"
fi
# A second uninstall has nothing to do and must not fail.
if make -C "$top" --no-print-directory BUILD="$build" DESTDIR="$dest" PREFIX=$prefix uninstall \
	> "$tmp/uninstall2.log" 2>&1 && [ ! -s "$tmp/uninstall2.log" ]; then
	echo "PASS uninstall-twice: nothing to remove, no error"
else
	echo "FAIL uninstall-twice: $(head -n 3 "$tmp/uninstall2.log")"
fi

# The module, for the release test kernel's tree (host-test builds it).
kdir=$(cat "$build/kernel-release.path" 2>/dev/null)
if [ -z "$kdir" ] || [ ! -f "$kdir/Makefile" ]; then
	echo "SKIP modules-install: no kernel tree in $build/kernel-release.path (make kernel-release)"
else
	rel=$(cat "$kdir/include/config/kernel.release")
	if make -C "$top" --no-print-directory BUILD="$tmp/build" KDIR="$kdir" DESTDIR="$tmp/mods" \
		INSTALL_MOD_PATH=/root modules_install > "$tmp/mods.log" 2>&1; then
		ko=$(find "$tmp/mods" -name 'mmscope.ko*' -type f)
		where=/root/lib/modules/$rel/updates
		case $ko in
		"$tmp/mods$where"/mmscope.ko*)
			if grep -q 'updates/mmscope.ko' "$tmp/mods$where/../modules.dep" 2>/dev/null; then
				echo "PASS modules-install: ${ko#"$tmp/mods"}, in depmod's modules.dep"
			else
				echo "FAIL modules-install: ${ko#"$tmp/mods"} installed but not in $where/../modules.dep"
			fi ;;
		*) echo "FAIL modules-install: want mmscope.ko in DESTDIR/INSTALL_MOD_PATH$where, got '${ko:-nothing}'" ;;
		esac
		outside=$(find "$tmp/mods" -type f | grep -v "^$tmp/mods/root/lib/modules/$rel/")
		[ -z "$outside" ] || echo "FAIL modules-install-only: also installed $(echo $outside)"
	else
		sed 's/^/        modules_install: /' "$tmp/mods.log" | tail -n 15
		echo "FAIL modules-install: make modules_install exited non-zero"
	fi
fi

# dkms.conf: the module's name and where `make module` leaves it.
conf=$top/dkms.conf
v=$(sed -n 's/^#define MMSCOPE_VERSION "\(.*\)"$/\1/p' "$top/module/mmscope.h")
if [ ! -f "$conf" ]; then
	echo "FAIL dkms-conf: no dkms.conf"
elif ! grep -qx "PACKAGE_VERSION=\"$v\"" "$conf"; then
	echo "FAIL dkms-conf: PACKAGE_VERSION is not module/mmscope.h's $v"
elif ! grep -qx 'BUILT_MODULE_NAME\[0\]="mmscope"' "$conf" ||
     ! grep -qx 'BUILT_MODULE_LOCATION\[0\]="build/module/"' "$conf" ||
     ! grep -qxF 'MAKE[0]="make module KDIR=${kernel_source_dir}"' "$conf"; then
	echo "FAIL dkms-conf: does not build with 'make module KDIR=' into build/module/mmscope.ko"
else
	echo "PASS dkms-conf: mmscope $v, make module KDIR=\${kernel_source_dir}, build/module/mmscope.ko"
fi
exit 0
