#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: debug debian
# The module finds DAMON's tracepoints by name (DAMON exports nothing), so
# its ring works on any kernel with DAMON, Debian's unpatched one too
# (which is why this runs there); without CONFIG_DAMON it still
# loads, says the ring is missing and why, and refuses to enable it.  On a
# kernel with DAMON: enabling and disabling registers and removes the
# probes (a tracepoint's probe count shows in tracefs' "enable" only for
# tracefs users, so the ring's state is what is checked).
. /src/tests/vm/lib.sh

load_module
mount -t debugfs none /sys/kernel/debug 2>/dev/null
[ -d "$DBG/damon" ] || fail "no $DBG/damon"
expect_eq "mode of enable" "$(stat -c %a "$DBG/damon/enable")" 600
expect_eq "mode of recent" "$(stat -c %a "$DBG/damon/recent")" 400
echo junk > "$DBG/damon/enable" 2>/dev/null && fail "enable accepted junk"
if [ "$(field "$DBG/features" CONFIG_DAMON | cut -c1)" = y ]; then
	# Found by name and registered through the tracing core, patched or not.
	echo 1 > "$DBG/damon/enable" || fail "enable refused on a kernel with DAMON"
	expect_eq "enable" "$(cat "$DBG/damon/enable")" 1
	grep -q 'no DAMON events yet' "$DBG/damon/recent" ||
		fail "recent with no kdamond: $(cat "$DBG/damon/recent")"
	echo 0 > "$DBG/damon/enable" || fail "disable failed"
	grep -q 'not recording' "$DBG/damon/recent" || fail "recent after disable: $(cat "$DBG/damon/recent")"
	unload_module
	exit 0
fi
grep -q '^damon: missing (needs CONFIG_DAMON)$' "$DBG/damon/recent" ||
	fail "recent does not say what is missing: $(cat "$DBG/damon/recent")"
echo 1 > "$DBG/damon/enable" 2> /tmp/err && fail "enable accepted without DAMON"
grep -qi 'not supported' /tmp/err || fail "enable: expected EOPNOTSUPP, got: $(cat /tmp/err)"
expect_eq "enable after refusal" "$(cat "$DBG/damon/enable")" 0
unload_module
exit 0
