#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: debug debian
# mmscope.ko loads, shows its debugfs root with version and features that
# match the running kernel, and removes everything on unload.
. /src/tests/vm/lib.sh

unload_module
[ -e "$DBG" ] && fail "$DBG exists before the module is loaded"

# The test kernels have /proc/config.gz; Debian's has no IKCONFIG and
# ships the config as /boot/config-RELEASE (the initramfs carries it).
zcat /proc/config.gz > /tmp/kconfig 2>/dev/null || cp "/boot/config-$(uname -r)" /tmp/kconfig ||
	fail "neither /proc/config.gz nor /boot/config-$(uname -r)"
for cycle in 1 2 3; do
	load_module
	[ -d "$DBG" ] || fail "cycle $cycle: no $DBG after insmod"
	expect_eq "version file" "$(cat "$DBG/version")" "$(cat /sys/module/mmscope/version)"
	expect_eq "features kernel" "$(field "$DBG/features" kernel)" "$(uname -r)"
	expect_eq "features mmscope" "$(field "$DBG/features" mmscope)" "$(cat "$DBG/version")"

	# Each CONFIG_ line agrees with the running kernel's own config.
	for opt in TRANSPARENT_HUGEPAGE MM_ID NO_PAGE_MAPCOUNT SLUB_TINY SLUB_STATS \
		   DAMON DAMON_VADDR DAMON_PADDR DAMON_SYSFS MEMORY_HOTPLUG; do
		want=n
		grep -qx "CONFIG_$opt=y" /tmp/kconfig && want=y
		# Builtins only: this loop used to fork four times per option.
		got=
		while IFS= read -r line; do
			case $line in "CONFIG_$opt: "*) got=${line#*: } ;; esac
		done < "$DBG/features"
		got=${got%"${got#?}"}
		expect_eq "CONFIG_$opt" "$got" "$want"
	done

	# Root-only files, and nothing writable that should not be.
	for f in version features; do
		expect_eq "mode of $f" "$(stat -c %a "$DBG/$f")" 400
	done
	if echo 1 > "$DBG/version" 2>/dev/null; then
		fail "writing the read-only version file succeeded"
	fi

	unload_module
	[ -e "$DBG" ] && fail "cycle $cycle: $DBG left behind after rmmod"
	[ -e /sys/module/mmscope ] && fail "cycle $cycle: /sys/module/mmscope left behind"
done
echo "ok: 3 load/unload cycles"
exit 0
