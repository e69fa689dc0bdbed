#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: release
# The static CLI runs in the guest and sees the module, the patched
# kernel's config and, unlike on the host, a working fentry.
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
echo "$json" | grep -q '"MM_ID":"y"' || fail "status does not see CONFIG_MM_ID=y"
echo "$json" | grep -q '"NO_PAGE_MAPCOUNT":"y"' || fail "status does not see CONFIG_NO_PAGE_MAPCOUNT=y"

caches=$(echo "$json" | sed -n 's/.*"iter\/kmem_cache":{"ok":true,"caches":\([0-9]*\)}.*/\1/p')
want=$(find /sys/kernel/slab -mindepth 1 -maxdepth 1 -type d | wc -l)
expect_eq "caches seen by iter/kmem_cache" "$caches" "$want"

mmscope status > /tmp/status.txt || fail "mmscope status exited $?"
grep -q "mmscope.ko $(cat /sys/module/mmscope/version)" /tmp/status.txt ||
	fail "text status does not name the module version"
exit 0
