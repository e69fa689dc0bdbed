#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# host-timeout: 900
# The patch series is bisectable and builds without THP, DAMON or
# SLUB_STATS: tests/setup/series-check.sh, one case per step and per
# reduced configuration.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
tree=$(cat "$MMSCOPE_BUILD/kernel-patched.path" 2>/dev/null)
if [ ! -d "$tree" ]; then
	echo "FAIL series: the test kernel tree is missing (make kernel)"
	exit 1
fi
# The kernels' cache holds the source package the check unpacks.
"$top/tests/setup/series-check.sh" "$(dirname "$tree")" 2>&1 |
	sed -u -e 's/^ok    \([^:]*\): /PASS series: \1: /' -e 's/^FAIL  /FAIL series: /'
exit "${PIPESTATUS[0]}"
