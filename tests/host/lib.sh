# SPDX-License-Identifier: GPL-2.0
# Helpers for host test scripts.

mount_tracefs() {
	[ -d /sys/kernel/tracing/events ] && return 0
	mount -t tracefs none /sys/kernel/tracing 2>/dev/null || true
}
