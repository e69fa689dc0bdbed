#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: release debian
# The static CLI runs in the guest and sees the module, the kernel's
# config (the patched kernel's /proc/config.gz, Debian's
# /boot/config-RELEASE) and, unlike on the host, a working fentry.
. /src/tests/vm/lib.sh

load_module
json=$(mmscope status -j) || fail "mmscope status -j exited $?"
echo "$json" > /tmp/status.json
echo "$json"

# busybox has no jq: check the fields with grep on the one-line object.
echo "$json" | grep -q '"module":{"loaded":true,"version":"'"$(cat /sys/module/mmscope/version)"'"' ||
	fail "status -j does not report the loaded module: $json"
echo "$json" | grep -q '"fentry":{"ok":true}' || fail "fentry does not attach in the guest: $json"
echo "$json" | grep -q '"tp_btf":{"ok":true}' || fail "tp_btf does not attach in the guest: $json"
# What status says of each option is what the kernel's own config says:
# the patched kernel has NO_PAGE_MAPCOUNT and SLUB_STATS, Debian's neither.
if zcat /proc/config.gz > /tmp/kconfig 2>/dev/null; then
	src=/proc/config.gz
else
	src=/boot/config-$(uname -r)
	cp "$src" /tmp/kconfig || fail "neither /proc/config.gz nor $src"
fi
echo "$json" | grep -q '"config_source":"'"$src"'"' || fail "status does not read the config from $src: $json"
for opt in MM_ID NO_PAGE_MAPCOUNT SLUB_STATS TRANSPARENT_HUGEPAGE DAMON_SYSFS; do
	want=n
	grep -qx "CONFIG_$opt=y" /tmp/kconfig && want=y
	got=$(echo "$json" | sed -n 's/.*"config":{[^}]*"'"$opt"'":"\([ynm]\)".*/\1/p')
	expect_eq "status CONFIG_$opt" "$got" "$want"
done
expect_eq "status CONFIG_MM_ID" "$(echo "$json" | sed -n 's/.*"config":{[^}]*"MM_ID":"\([ynm]\)".*/\1/p')" y

caches=$(echo "$json" | sed -n 's/.*"iter\/kmem_cache":{"ok":true,"caches":\([0-9]*\)}.*/\1/p')
want=$(find /sys/kernel/slab -mindepth 1 -maxdepth 1 -type d | wc -l)
expect_eq "caches seen by iter/kmem_cache" "$caches" "$want"

mmscope status > /tmp/status.txt || fail "mmscope status exited $?"
grep -q "mmscope.ko $(cat /sys/module/mmscope/version)" /tmp/status.txt ||
	fail "text status does not name the module version"
exit 0
