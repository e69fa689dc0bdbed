#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: debian
# Without the patch series' export of DAMON's tracepoints the module still
# loads, says the DAMON ring is missing and why, and refuses to enable it.
. /src/tests/vm/lib.sh

load_module
mount -t debugfs none /sys/kernel/debug 2>/dev/null
feat=$(field "$DBG/features" patch_damon_exports | cut -c1)
[ "$feat" = n ] || skip "this kernel exports DAMON's tracepoints; t-damon-module-ring covers the ring"
[ -d "$DBG/damon" ] || fail "no $DBG/damon"
expect_eq "mode of enable" "$(stat -c %a "$DBG/damon/enable")" 600
expect_eq "mode of recent" "$(stat -c %a "$DBG/damon/recent")" 400
grep -q '^damon: missing (needs patches/ mm/damon: export tracepoints)$' "$DBG/damon/recent" ||
	fail "recent does not say what is missing: $(cat "$DBG/damon/recent")"
echo 1 > "$DBG/damon/enable" 2> /tmp/err && fail "enable accepted without the exports"
grep -qi 'not supported' /tmp/err || fail "enable: expected EOPNOTSUPP, got: $(cat /tmp/err)"
expect_eq "enable after refusal" "$(cat "$DBG/damon/enable")" 0
echo junk > "$DBG/damon/enable" 2>/dev/null && fail "enable accepted junk"
unload_module
exit 0
