#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot the mmscope test guest under QEMU (TCG).
#
# usage: qemu.sh KERNEL_TREE BUILD_DIR test [GLOB]   run the VM test suite
#        qemu.sh KERNEL_TREE BUILD_DIR run SCRIPT    run one script, its exit status
#        qemu.sh KERNEL_TREE BUILD_DIR shell         interactive shell
#
# The repository is shared read-only at /src, BUILD_DIR read-write at
# /mmscope, and for `run` the script's directory read-only at /script.
# Environment: MMSCOPE_VM_MEM (MiB, default 2048), MMSCOPE_VM_CPUS (2),
# MMSCOPE_VM_TIMEOUT (seconds for the whole run, default 3600),
# MMSCOPE_VM_APPEND (extra kernel command line), MMSCOPE_VM_OUT (where the
# serial log and the counts go, default BUILD_DIR/vm), MMSCOPE_VM_TCG_THREAD
# (multi: a host thread per vCPU; single: all vCPUs on one, see suite.sh),
# MMSCOPE_VM_INITRD_EXTRA (cpio archives appended to the initramfs).
set -uo pipefail

tree=$1 build=$2 mode=$3 arg=${4:-}
top=$(cd "$(dirname "$0")/../.." && pwd)
vm=$top/tests/vm
mem=${MMSCOPE_VM_MEM:-2048}
cpus=${MMSCOPE_VM_CPUS:-2}
limit=${MMSCOPE_VM_TIMEOUT:-3600}
out=${MMSCOPE_VM_OUT:-$build/vm}
mkdir -p "$out"

# A kernel build tree, or a distribution's kernel (tests/vm/debian-kernel.sh).
kernel=$tree/arch/x86/boot/bzImage
[ -f "$kernel" ] || [ ! -f "$tree/vmlinuz" ] || kernel=$tree/vmlinuz
[ -f "$kernel" ] || { echo "qemu.sh: no kernel at $kernel: run 'make kernel'" >&2; exit 2; }
command -v qemu-system-x86_64 >/dev/null ||
	{ echo "qemu.sh: qemu-system-x86_64 missing: apt-get install qemu-system-x86" >&2; exit 2; }

initrd=$out/initramfs.cpio
# Rebuilt for another kernel too: a distribution kernel's initramfs holds
# that kernel's modules.
if [ ! -f "$initrd" ] || [ "$vm/init" -nt "$initrd" ] || [ "$vm/mkinitramfs.sh" -nt "$initrd" ] ||
   [ "$(cat "$initrd.kernel" 2>/dev/null)" != "$tree" ]; then
	"$vm/mkinitramfs.sh" "$tree" "$initrd" || exit 2
	echo "$tree" > "$initrd.kernel"
fi

# The CLI and the workloads ride in a second cpio archive after the first,
# so the guest runs them from memory (/opt/mmscope): 9p has no page cache
# here, and every page an exec touches would be its own round trip, about
# 2 s per start of a static binary under TCG.
stage=$(mktemp -d)
mkdir -p "$stage/opt/mmscope/bin" "$stage/opt/mmscope/tests"
chmod -R 755 "$stage/opt"
for d in bin tests; do
	[ -d "$build/$d" ] || continue
	find "$build/$d" -maxdepth 1 -type f -perm -u+x -exec cp {} "$stage/opt/mmscope/$d/" \;
done
boot_initrd=$out/initramfs-$mode.cpio
# MMSCOPE_VM_INITRD_EXTRA: more newc archives (space-separated paths) to
# unpack into the guest's root after those, e.g. the study's sid root
# (tests/study/rootfs.sh), for the same reason.
extra=()
for f in ${MMSCOPE_VM_INITRD_EXTRA:-}; do
	[ -f "$f" ] || { echo "qemu.sh: no archive '$f' (MMSCOPE_VM_INITRD_EXTRA)" >&2; rm -rf "$stage"; exit 2; }
	extra+=("$f")
done
{ cat "$initrd" && (cd "$stage" && find opt | cpio --quiet -o -H newc -R 0:0) &&
	{ [ ${#extra[@]} = 0 ] || cat "${extra[@]}"; }; } > "$boot_initrd" ||
	{ echo "qemu.sh: cannot write $boot_initrd" >&2; rm -rf "$stage"; exit 2; }
rm -rf "$stage"

# pci=noacpi: PCI interrupts from the BIOS tables; evaluating ACPI's _PRT
# under TCG (and KASAN) runs into ACPICA's loop timeout and leaves virtio
# without an interrupt.  tsc=reliable: TCG's TSC follows host time, and the
# clocksource watchdog would otherwise demote it to jiffies under load.
# no5lvl: `-cpu max` offers LA57, and an interrupt taken while
# identify_cpu() resets the CPUID tables seems to see 4-level KASAN bounds
# under a 5-level direct map ("wild-memory-access in rcu_is_watching" at
# 0.007 s, once in a few dozen debug boots); the tests need no 5-level.
# pty.legacy_count=0: registering 256 BSD ptys took 7 s of a debug boot.
append="console=ttyS0 panic=-1 pci=noacpi tsc=reliable no5lvl pty.legacy_count=0 mmscope.mode=$mode mmscope.timeout=${MMSCOPE_TEST_TIMEOUT:-300} mmscope.cpus=$cpus"
append="$append ${MMSCOPE_VM_APPEND:-}"
# Per-test logs go beside this run's serial log, so a second suite sharing
# a build directory does not replace the first one's.
case $out in
"$build"/*) append="$append mmscope.logs=${out#"$build"/}/tests" ;;
esac
shares=(
	-virtfs "local,path=$build,mount_tag=build,security_model=none,id=build"
	-virtfs "local,path=$top,mount_tag=src,security_model=none,readonly=on,id=src"
)
case $mode in
test)
	append="$append mmscope.filter=${arg:-*}"
	;;
run)
	[ -f "$arg" ] || { echo "qemu.sh: no script '$arg'" >&2; exit 2; }
	sdir=$(cd "$(dirname "$arg")" && pwd)
	append="$append mmscope.script=$(basename "$arg")"
	shares+=(-virtfs "local,path=$sdir,mount_tag=script,security_model=none,readonly=on,id=script")
	;;
shell) ;;
*) echo "qemu.sh: unknown mode '$mode'" >&2; exit 2 ;;
esac

qemu=(qemu-system-x86_64 -accel tcg,thread=${MMSCOPE_VM_TCG_THREAD:-multi} -cpu max -smp "$cpus" -m "$mem"
	-no-reboot -display none -kernel "$kernel" -initrd "$boot_initrd"
	-append "$append" "${shares[@]}")

if [ "$mode" = shell ]; then
	exec "${qemu[@]}" -serial mon:stdio
fi

log=$out/serial-$mode.log
: > "$log"
# The whole serial stream goes to the log; the terminal sees only what the
# mode cares about.
start=$(date +%s.%N)
timeout -k 10 "$limit" "${qemu[@]}" -monitor none -serial stdio < /dev/null 2>&1 |
	sed -u 's/\r$//' | tee "$log" |
	if [ "$mode" = test ]; then
		set -f
		# A shell loop, not awk: mawk reads its input in blocks, and the
		# report should show each test as it finishes.
		while IFS= read -r line; do
			case $line in
			"MMSCOPE-RESULT "*)
				set -- $line
				printf '%-4s  vm/%s%-32s %6ss  %s\n' "$2" "${MMSCOPE_VM_KIND:+$MMSCOPE_VM_KIND/}" \
					"$3" "$4" "${line#* * * * * }"
				;;
			"    "*"| "*) printf '%s\n' "$line" ;;
			esac
		done
	else
		started=
		while IFS= read -r line; do
			case $line in
			MMSCOPE-EXIT=*) break ;;
			MMSCOPE-START) started=1 ;;
			*) [ -n "$started" ] && printf '%s\n' "$line" ;;
			esac
		done
		cat > /dev/null
	fi
qrc=${PIPESTATUS[0]}
elapsed=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

status=0
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	echo "vm: the guest did not power off within ${limit}s (serial log: $log)" >&2
	status=1
fi
guest_rc=$(sed -n 's/^MMSCOPE-EXIT=\([0-9]*\).*/\1/p' "$log" | tail -n 1)
if [ -z "$guest_rc" ]; then
	echo "vm: the guest never reported an exit status (serial log: $log)" >&2
	status=1
fi
# A bug report anywhere in the kernel log fails the run, even one printed
# between tests or during boot and shutdown.  Kernel lines carry a printk
# timestamp; test output does not, so it cannot trip this.
splat='(^|[^A-Za-z_])(WARNING|BUG):|Oops|KASAN|UBSAN|general protection|kernel BUG|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|rcu_.*stall|soft lockup|hung_task|Kernel panic'
if grep -E '^\[ *[0-9]+\.[0-9]+\]' "$log" | grep -qE "$splat"; then
	echo "vm: the kernel log reports a bug:" >&2
	grep -E '^\[ *[0-9]+\.[0-9]+\]' "$log" | grep -E "$splat" | head -n 5 | sed 's/^/    /' >&2
	status=1
fi
boot=$(sed -n 's/^MMSCOPE-BOOTED \([0-9.]*\).*/\1/p' "$log" | head -n 1)
echo "vm: ${elapsed}s wall, kernel reached userspace at ${boot:-?}s (serial log: $log)" >&2

if [ "$mode" = test ]; then
	pass=$(grep -c '^MMSCOPE-RESULT PASS' "$log")
	fail=$(grep -c '^MMSCOPE-RESULT FAIL' "$log")
	skip=$(grep -c '^MMSCOPE-RESULT SKIP' "$log")
	[ "$status" = 0 ] || fail=$((fail + 1))
	echo "$pass $fail $skip" > "$out/counts"
	# "status name secs limit" per test, for the runner's table of margins.
	sed -n 's/^MMSCOPE-RESULT \([A-Z]*\) \([^ ]*\) \([0-9.]*\) \([0-9]*\) .*/\1 \2 \3 \4/p' "$log" > "$out/results"
	[ "$fail" = 0 ] || status=1
	exit $status
fi
[ "$status" = 0 ] || exit 1
# make turns any failure into its own status 2: say the script's.
[ "${guest_rc:-1}" = 0 ] || echo "vm: $(basename "$arg") exited with status $guest_rc" >&2
exit "${guest_rc:-1}"
