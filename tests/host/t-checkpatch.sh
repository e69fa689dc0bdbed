#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Kernel code follows the kernel's style: checkpatch --strict over module/
# and every patch of the series, with the test kernel's checkpatch.pl.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
# Any test kernel tree of the cache will do (host-test builds the release
# one, the cheapest that make check needs anyway).
tree=$(cat "$MMSCOPE_BUILD/kernel-release.path" 2>/dev/null ||
	cat "$MMSCOPE_BUILD/kernel-patched.path" 2>/dev/null)
cp=$tree/scripts/checkpatch.pl
if [ ! -f "$cp" ]; then
	echo "FAIL checkpatch: no checkpatch.pl: the test kernel tree is missing (make kernel-release)"
	exit 1
fi
cd "$top"
check() {
	local name=$1 out rc reports
	shift
	out=$(perl "$cp" --strict --no-tree --terse --show-types "$@" 2>&1)
	rc=$?
	reports=$(echo "$out" | grep -E 'ERROR|WARNING|CHECK')
	# Its exit status too: a checkpatch that dies prints no report.
	if [ $rc = 0 ] && [ -z "$reports" ]; then
		echo "PASS checkpatch-$name"
	elif [ -n "$reports" ]; then
		echo "FAIL checkpatch-$name: $(echo "$reports" | wc -l) reports"
		echo "$reports" | head -n 10
	else
		echo "FAIL checkpatch-$name: checkpatch exited $rc: $(echo "$out" | tail -n 3)"
	fi
}
for f in module/*.c module/*.h; do
	check "${f//\//-}" -f "$f"
done
listed=$(sed -e 's/#.*//' patches/series)
bad=
for p in $listed; do
	if [ -f "patches/$p" ]; then
		# On stdin: checkpatch reads a file git tracks as source, not
		# as a patch, whatever its name.
		check "patch-${p%.patch}" - < "patches/$p"
	else
		bad="$bad $p(missing)"
	fi
done
# The cover letter is not in the series file (git am and the kernel
# build take only the patches); its subject must count them.
cover=patches/0000-cover-letter.patch
if [ -f $cover ]; then
	n=$(wc -w <<< "$listed")
	grep -q "^Subject: \[PATCH\( [^]]*\)\? 0/$n\]" $cover || bad="$bad $(basename $cover)(not 0/$n)"
fi
for f in patches/*.patch; do
	[ -f "$f" ] && [ "$f" != $cover ] || continue
	grep -qx "$(basename "$f")" <<< "$listed" || bad="$bad $(basename "$f")(not in series)"
done
if [ -n "$bad" ]; then
	echo "FAIL series-complete:$bad"
else
	echo "PASS series-complete: $(wc -w <<< "$listed") patches, each in patches/series and present"
fi
