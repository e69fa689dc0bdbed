# SPDX-License-Identifier: GPL-2.0
# Helpers for guest tests (busybox sh).  A test exits 0 to pass, calls
# fail() to fail and skip() (exit 77) with the reason the suite reports.

DBG=/sys/kernel/debug/mmscope
KO=/mmscope/module/mmscope.ko
WORKLOADS=/opt/mmscope/tests	# in the initramfs (qemu.sh)

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

# The suite kind the host booted this guest for (suite.sh): debug, release,
# smoke, big or debian.
kernel_kind() { sed -n 's/.*mmscope\.kernel=\([a-z]*\).*/\1/p' /proc/cmdline; }

# A part the series or our test kernels' config provides: on our kernels
# its absence is a failure, on Debian's (or an unknown one) a skip.
skip_unless_ours() {
	case $(kernel_kind) in
	debian | "") skip "$@" ;;
	*) fail "$* (and the $(kernel_kind) test kernel must have it)" ;;
	esac
}

# expect_eq WHAT GOT WANT
expect_eq() {
	# Two empty strings are equal, but mean that nothing was read.
	[ -n "$2" ] || fail "$1: got nothing, expected '$3'"
	[ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
	echo "ok: $1 = $3"
}

# Lines of the kernel log that report a bug of any kind (a debugfs name
# created twice is a module bug: the second file silently does not exist).
kernel_splats() {
	dmesg | grep -E '(^|[^A-Za-z_])(WARNING|BUG):|Oops|KASAN|UBSAN|general protection|kernel BUG|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|rcu_.*stall|soft lockup|hung_task|unreferenced object|Call Trace:|debugfs: .* already exists'
}

load_module() {
	grep -q '^mmscope ' /proc/modules && return 0
	insmod "$KO" "$@" || fail "insmod $KO failed"
	# Where the module's code lives, so kmemleak reports from after its
	# unload can still be attributed to it (guest-runner.sh).
	awk '$1 == "mmscope" { print $6, $2 }' /proc/modules >> /tmp/mmscope-ranges
}

unload_module() {
	grep -q '^mmscope ' /proc/modules || return 0
	rmmod mmscope || fail "rmmod mmscope failed"
}

# Value of "key: value" in a debugfs-style file.
field() {
	awk -v k="$2" -F': *' '$1 == k { print $2; found = 1 } END { exit !found }' "$1"
}

# Read every file the module exposes, the way a curious user would: one
# process for all of them (tests/workloads/readfiles.c), not a cat per file.
read_all_files() {
	set -- $(ls -d "$DBG" /sys/kernel/mmscope 2>/dev/null)
	[ $# -gt 0 ] || return 0
	"$WORKLOADS/readfiles" "$@"
}

# Start a kdamond monitoring physical memory, after any existing ones;
# prints its index for damon_stop.
damon_start_paddr() {
	local admin=/sys/kernel/mm/damon/admin/kdamonds n k
	[ -d "$admin" ] || return 1
	n=$(cat "$admin/nr_kdamonds")
	[ "$n" = 0 ] || return 1	# never disturb kdamonds we did not start
	echo 1 > "$admin/nr_kdamonds" || return 1
	k=$admin/0
	echo 1 > "$k/contexts/nr_contexts" || return 1
	echo paddr > "$k/contexts/0/operations" || return 1
	echo 1 > "$k/contexts/0/targets/nr_targets" || return 1
	echo on > "$k/state" || return 1
	echo 0
}

damon_stop() {
	local admin=/sys/kernel/mm/damon/admin/kdamonds
	[ -n "$1" ] || return 0
	echo off > "$admin/$1/state" 2>/dev/null
	echo 0 > "$admin/nr_kdamonds" 2>/dev/null
	return 0
}

# Count kmemleak reports (file $1) whose backtrace runs through mmscope:
# a "[mmscope]" symbol, or an address inside any range the module occupied.
kmemleak_mmscope_leaks() {
	awk -v ranges="$(cat /tmp/mmscope-ranges 2>/dev/null)" '
	BEGIN {
		n = split(ranges, r, "[ \n]+")
		for (i = 1; i + 1 <= n; i += 2) {
			base[i] = tolower(substr(r[i], 3)); size[i] = r[i + 1] + 0
		}
	}
	function in_module(addr,    i, off) {
		for (i in base) {
			if (length(addr) != length(base[i]) || addr < base[i])
				continue
			# Same 16-digit prefix width: compare the low 8 digits numerically.
			if (substr(addr, 1, 8) != substr(base[i], 1, 8))
				continue
			off = ("0x" substr(addr, 9)) - ("0x" substr(base[i], 9))
			if (off >= 0 && off < size[i])
				return 1
		}
		return 0
	}
	/^unreferenced object/ { if (hit) leaks++; hit = 0 }
	/\[mmscope\]/ { hit = 1 }
	match($0, /\[<[0-9a-f]+>\]/) {
		if (in_module(substr($0, RSTART + 2, RLENGTH - 4))) hit = 1
	}
	END { if (hit) leaks++; print leaks + 0 }' "$1"
}
