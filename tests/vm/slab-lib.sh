# SPDX-License-Identifier: GPL-2.0
# Helpers for the slab VM tests (busybox sh): the module's knobs.
S=$DBG/slab
SYS=/sys/kernel/slab/mmscope_test

# knob_try FILE VALUE: "ok", or the error the write got.
knob_try() {
	$WORKLOADS/slab-write "$S/$1" "$2"
}

# knob FILE VALUE: the write must succeed.
knob() {
	r=$(knob_try "$1" "$2")
	[ "$r" = ok ] || fail "echo $2 > slab/$1: $r"
}

# expect_errno FILE VALUE TEXT: the write must fail with that strerror text.
expect_errno() {
	r=$(knob_try "$1" "$2")
	case $r in
	*"$3"*) echo "ok: '$2' > $1 refused: $3" ;;
	*) fail "'$2' > slab/$1: expected '$3', got '$r'" ;;
	esac
}

# Wait until the run is over (at most $1 seconds).
wait_run() {
	n=0
	while [ "$(cat $S/run)" = running ]; do
		n=$((n + 1))
		[ $n -gt $(($1 * 10)) ] && fail "run still active after $1 s"
		sleep 0.1
	done
}

# The sum of a SLUB_STATS file ("sum C0=.. C1=..").
stat_sum() {
	cut -d' ' -f1 "$SYS/$1"
}

# A fresh test cache: fresh_cache OBJECT_SIZE CAPACITY
fresh_cache() {
	[ "$(cat $S/cache)" = none ] || knob cache 0
	knob object_size "$1"
	knob sheaf_capacity "$2"
	knob cache 1
	[ -d "$SYS" ] || fail "no $SYS after creating the test cache"
}

# result KEY: a value from slab/result.
result() {
	field "$S/result" "$1"
}
