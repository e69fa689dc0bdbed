# SPDX-License-Identifier: GPL-2.0
# Helpers for guest tests (busybox sh).  A test exits 0 to pass, calls
# fail() to fail and skip() (exit 77) with the reason the suite reports.

DBG=/sys/kernel/debug/mmscope
KO=/mmscope/module/mmscope.ko
WORKLOADS=/mmscope/tests

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
	echo "ok: $1 = $3"
}

# Lines of the kernel log that report a bug of any kind.
kernel_splats() {
	dmesg | grep -E '(^|[^A-Za-z_])(WARNING|BUG):|Oops|KASAN|UBSAN|general protection|kernel BUG|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|rcu_.*stall|soft lockup|hung_task|unreferenced object|Call Trace:'
}

load_module() {
	grep -q '^mmscope ' /proc/modules && return 0
	insmod "$KO" "$@" || fail "insmod $KO failed"
}

unload_module() {
	grep -q '^mmscope ' /proc/modules || return 0
	rmmod mmscope || fail "rmmod mmscope failed"
}

# Value of "key: value" in a debugfs-style file.
field() {
	awk -v k="$2" -F': *' '$1 == k { print $2; found = 1 } END { exit !found }' "$1"
}
