#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# host-timeout: 900
# The patch series is bisectable and builds without THP, DAMON or
# SLUB_STATS: tests/setup/series-check.sh, one case per step and per
# reduced configuration.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
# Any test kernel tree of the cache will do (host-test builds the release
# one, the cheapest that make check needs anyway).
tree=$(cat "$MMSCOPE_BUILD/kernel-release.path" 2>/dev/null ||
	cat "$MMSCOPE_BUILD/kernel-patched.path" 2>/dev/null)
if [ ! -d "$tree" ]; then
	echo "FAIL series: the test kernel tree is missing (make kernel-release)"
	exit 1
fi
cache=$(dirname "$tree")
# Keyed like the kernel cache: the check runs again only when the series,
# a config fragment's settings, the check itself or the source changes.
key=$( {
	ls "$cache"/src/linux-source-7.2/usr/src/ 2>/dev/null
	cat "$top/tests/setup/series-check.sh"
	cat "$top"/tests/vm/*.config | grep -E '^(CONFIG_|# CONFIG_)'
	sed -e 's/#.*//' "$top/patches/series" | while read -r p; do
		[ -n "$p" ] && cat "$top/patches/$p"
	done
} | sha256sum | cut -c1-12)
stamp=$cache/series-check-$key.passed
if [ -f "$stamp" ]; then
	sed 's/$/ (cached: these inputs passed on '"$(date -r "$stamp" +%F)"')/' "$stamp"
	exit 0
fi
# The kernels' cache holds the source package the check unpacks.
"$top/tests/setup/series-check.sh" "$cache" 2>&1 |
	sed -u -e 's/^ok    \([^:]*\): /PASS series: \1: /' -e 's/^FAIL  /FAIL series: /' |
	tee "$stamp.tmp"
rc=${PIPESTATUS[0]}
if [ "$rc" = 0 ] && ! grep -q '^FAIL' "$stamp.tmp"; then
	grep '^PASS' "$stamp.tmp" > "$stamp"
fi
rm -f "$stamp.tmp"
exit "$rc"
