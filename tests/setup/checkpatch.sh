#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch --strict over the module's sources, compat/ and every patch in the series.
# usage: checkpatch.sh KERNEL_TREE
set -uo pipefail
tree=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
cp=$tree/scripts/checkpatch.pl
status=0
cd "$top"
out=$(perl "$cp" --strict --no-tree --terse --show-types -f module/*.c module/*.h compat/*.h 2>&1 |
	grep -E 'ERROR|WARNING|CHECK')
if [ -n "$out" ]; then
	echo "$out"
	status=1
fi
for p in $(sed -e 's/#.*//' patches/series); do
	# On stdin: checkpatch reads a file git tracks as source, not as a patch.
	out=$(perl "$cp" --strict --no-tree --terse --show-types - < "patches/$p" 2>&1 |
		grep -E 'ERROR|WARNING|CHECK')
	if [ -n "$out" ]; then
		echo "$out"
		status=1
	fi
done
exit $status
