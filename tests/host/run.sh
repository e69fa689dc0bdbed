#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host tests: unit tests of the user-space code and BPF tests against the
# running kernel.  Every test binary or script prints one line per case:
#   PASS name | FAIL name: why | SKIP name: why
# This runner prefixes them, counts them, and writes BUILD/host-counts.
set -uo pipefail
build=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
export MMSCOPE_BUILD=$build MMSCOPE=$build/bin/mmscope

pass=0 fail=0 skip=0
rm -f "$build/host-results"
report() {
	local kind=$1 line
	while IFS= read -r line; do
		case $line in
		"PASS "*) pass=$((pass + 1)); printf 'PASS  host/%s/%s\n' "$kind" "${line#PASS }" ;;
		"FAIL "*) fail=$((fail + 1)); printf 'FAIL  host/%s/%s\n' "$kind" "${line#FAIL }" ;;
		"SKIP "*) skip=$((skip + 1)); printf 'SKIP  host/%s/%s\n' "$kind" "${line#SKIP }" ;;
		*) printf '        %s\n' "$line" ;;
		esac
	done
}

# A script may ask for more than the default two minutes with a
# "# host-timeout: SECONDS" line.
run_one() {
	local kind=$1 name=$2 out rc limit t0
	shift 2
	limit=$(sed -n 's/^# host-timeout: \([0-9]*\)$/\1/p' "${@: -1}" 2>/dev/null | head -n 1)
	limit=${limit:-120}
	t0=$(date +%s.%N)
	out=$(timeout "$limit" "$@" 2>&1)
	rc=$?
	# "status name secs limit" for the table of margins (tests/run-all.sh)
	awk -v a="$t0" -v b="$(date +%s.%N)" -v n="$([ "$kind" = "$name" ] && echo "$name" || echo "$kind/$name")" -v l="$limit" \
		-v s="$([ $rc = 0 ] && echo PASS || { [ $rc = 124 ] && echo TIMEOUT || echo FAIL; })" \
		'BEGIN { printf "%s %s %.1f %d\n", s, n, b - a, l }' >> "$build/host-results"
	report "$kind" <<< "$out"
	# A crash or a silent non-zero exit is a failure even if every printed
	# case passed.
	if [ $rc != 0 ] && ! grep -q '^FAIL ' <<< "$out"; then
		fail=$((fail + 1))
		printf 'FAIL  host/%s/%s: exit status %d\n' "$kind" "$name" $rc
	fi
}

for t in "$build"/tests/unit/*; do
	[ -x "$t" ] || continue
	run_one unit "$(basename "$t")" "$t"
done
for t in "$top"/tests/host/t-*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	run_one "${name#t-}" "${name#t-}" bash "$t"
done

echo "$pass $fail $skip" > "$build/host-counts"
echo "host: $pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
