# SPDX-License-Identifier: GPL-2.0
# Helpers for the mmid guest tests (sourced after lib.sh).

MMID=$DBG/mmid
WL_OUT=/tmp/mmid-thp.out

# mmid_q FILE ARG: the answer of mmid/FILE to ARG, asked on one descriptor.
mmid_q() {
	exec 3<>"$MMID/$1" || return 1
	if ! echo "$2" >&3; then
		exec 3>&-
		return 1
	fi
	cat <&3
	local rc=$?
	exec 3>&-
	return $rc
}

# answer_vars "ANSWER": every "KEY: value" line of an answer into $A_KEY,
# with shell builtins only (a $(val ...) per field forks twice, and forks
# are what made these tests slow under KASAN and TCG).
answer_vars() {
	local IFS='
' line k
	set -f
	# No value of an earlier answer may stand in for a missing key.
	for k in $ANSWER_KEYS; do
		unset "A_$k"
	done
	ANSWER_KEYS=
	for line in $1; do
		case ${line%%: *} in
		*[!a-z0-9_]* | "") continue ;;
		esac
		eval "A_${line%%: *}=\${line#*: }"
		ANSWER_KEYS="$ANSWER_KEYS
${line%%: *}"
	done
	set +f
}

# val "ANSWER" KEY: the value of "KEY: value" in an answer.
val() {
	echo "$1" | sed -n "s/^$2: //p"
}

# mmid_start NE NS NU NF: run tests/workloads/mmid-thp.c and wait for it;
# sets WL_A WL_B WL_C (pids) and WL_ID_A.. (their mm ids).
mmid_start() {
	rm -f "$WL_OUT"
	"$WORKLOADS/mmid-thp" "$@" > "$WL_OUT" &
	WL_PID=$!
	local i=0
	while ! grep -q '^ready' "$WL_OUT" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 120 ] && fail "mmid-thp $*: not ready after 60s"
		kill -0 $! 2>/dev/null || fail "mmid-thp $* exited: $(cat "$WL_OUT")"
		sleep 0.5
	done
	set -- $(sed -n 's/^pids //p' "$WL_OUT")
	WL_A=$1 WL_B=$2 WL_C=$3
	WL_ID_A=$(val "$(mmid_q task "$WL_A")" mm_id)
	WL_ID_B=$(val "$(mmid_q task "$WL_B")" mm_id)
	WL_ID_C=$(val "$(mmid_q task "$WL_C")" mm_id)
	[ -n "$WL_ID_A" ] && [ -n "$WL_ID_B" ] && [ -n "$WL_ID_C" ] ||
		fail "no mm ids for the workload's processes"
}

mmid_stop() {
	[ -n "$WL_A" ] || return 0
	kill "$WL_A" 2>/dev/null
	# Only the workload: a test may have other background jobs running.
	wait "$WL_PID" 2>/dev/null
	# B and C die with A (PDEATHSIG); wait until they are gone too.
	while kill -0 "$WL_B" 2>/dev/null || kill -0 "$WL_C" 2>/dev/null; do
		sleep 0.1
	done
	WL_A=
}

# PFNs of the workload's folios of one kind (E S U F).
wl_pfns() {
	awk -v k="$1" '$1 == "folio" && $2 == k { print $3 }' "$WL_OUT"
}
