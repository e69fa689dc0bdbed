# SPDX-License-Identifier: GPL-2.0
# Helpers for host test scripts.

mount_tracefs() {
	[ -d /sys/kernel/tracing/events ] && return 0
	mount -t tracefs none /sys/kernel/tracing 2>/dev/null || true
}

# "LABEL PATH" for each kernel BTF of tests/host/btf.list (and
# MMSCOPE_TEST_BTF) that exists here; "LABEL -" for one that does not.
btf_files() {
	local cache=${MMSCOPE_CACHE:-$HOME/.cache/mmscope} label path f best entry
	{
		sed -e 's/#.*//' "$(dirname "${BASH_SOURCE[0]}")/btf.list"
		for entry in ${MMSCOPE_TEST_BTF:-}; do
			echo "${entry%%=*} ${entry#*=}"
		done
	} | while read -r label path; do
		[ -n "$label" ] || continue
		path=${path/#\$CACHE/$cache}
		best=
		for f in $path; do
			[ -e "$f" ] || continue
			case $f in
			"$cache"/*/vmlinux) [ -f "$(dirname "$f")/.mmscope-built" ] || continue ;;
			esac
			[ -z "$best" ] || [ "$f" -nt "$best" ] && best=$f
		done
		echo "$label ${best:--}"
	done
}

# expect NAME WANT_RC PATTERN CMD...: the exit status and a pattern of the
# command's output (stdout and stderr).
expect() {
	local name=$1 want=$2 pat=$3 out rc
	shift 3
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc = "$want" ] && grep -qE -- "$pat" <<< "$out"; then
		echo "PASS $name: exit $rc, '$(grep -E -m1 -- "$pat" <<< "$out" | cut -c1-100)'"
	else
		echo "FAIL $name: exit $rc (want $want), output: $(head -3 <<< "$out")"
	fi
}
