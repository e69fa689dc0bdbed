#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The cost of `mmscope export` against node_exporter's own scrape of the
# same host, in one run: the time and peak RSS of one full export (GNU
# time; with --census too when the module is loaded), then N scrapes of
# `mmscope export --listen` and of node_exporter with its default
# collectors, each server's CPU time (utime + stime from /proc/PID/stat)
# per scrape, and what a 15 s scrape interval costs over 10 minutes.
#
# usage: tests/bench/export-cost.sh [N [INTERVAL]]   (root, after `make`;
# N = 40, the scrapes of 10 minutes at 15 s; INTERVAL seconds between
# scrapes, default 0: back to back; 15 measures the real 10 minutes, idle
# time included).  By hand; `make test` does not run it.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
mmscope=${MMSCOPE:-$top/build/bin/mmscope}
n=${1:-40}
interval=${2:-0}
tmp=$(mktemp -d)
pids=()
# (|| true: set -e holds in the trap too, and a killed server's wait fails)
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp"' EXIT
hz=$(getconf CLK_TCK)
cpu() { awk -v hz="$hz" '{ print ($14 + $15) / hz }' "/proc/$1/stat"; }
port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# One export: median of 5 of wall time and peak RSS.
one() {
	local i
	for i in 1 2 3 4 5; do
		/usr/bin/time -f '%e %M' -o "$tmp/t" "$mmscope" export "$@" > /dev/null
		cat "$tmp/t"
	done > "$tmp/runs"
	printf '%s s %s KiB' "$(cut -d' ' -f1 "$tmp/runs" | median)" "$(cut -d' ' -f2 "$tmp/runs" | median)"
}
echo "one export:            $(one)"
if [ -d /sys/module/mmscope ]; then
	echo "one export --census:   $(one --census)"
else
	echo "one export --census:   skipped: mmscope.ko is not loaded (no module support here)"
fi

# scrapes: both servers in turn, every interval; per server the CPU
# seconds per scrape (idle time between included) and the median wall time
scrapes() {
	local mc0 nc0 i
	curl -sf -o /dev/null "$murl"	# warm
	curl -sf -o /dev/null "$nurl"
	mc0=$(cpu "$mpid") nc0=$(cpu "$npid")
	for i in $(seq "$n"); do
		curl -sf -o /dev/null -w '%{time_total}\n' "$murl" >> "$tmp/mwall"
		curl -sf -o /dev/null -w '%{time_total}\n' "$nurl" >> "$tmp/nwall"
		sleep "$interval"
	done
	echo "$(echo "($(cpu "$mpid") - $mc0) / $n" | bc -l) $(median < "$tmp/mwall") $(curl -sf "$murl" | wc -c)"
	echo "$(echo "($(cpu "$npid") - $nc0) / $n" | bc -l) $(median < "$tmp/nwall") $(curl -sf "$nurl" | wc -c)"
}
mp=$(port)
"$mmscope" export --listen "$mp" 2> /dev/null &
pids+=($!)
mpid=$!
np=$(port)
prometheus-node-exporter --web.listen-address="127.0.0.1:$np" > /dev/null 2>&1 &
pids+=($!)
npid=$!
sleep 1
murl=http://127.0.0.1:$mp/metrics nurl=http://127.0.0.1:$np/metrics
scrapes > "$tmp/res"
read -r mcpu mwall mbytes < <(sed -n 1p "$tmp/res")
read -r ncpu nwall nbytes < <(sed -n 2p "$tmp/res")
echo "$n scrapes of each, $interval s apart"
printf '%-22s %10s %10s %9s %18s\n' server cpu/scrape wall/scrape bytes "cpu/10min@15s"
printf '%-22s %9.4fs %9.4fs %9d %17.3fs\n' "mmscope export" "$mcpu" "$mwall" "$mbytes" \
	"$(echo "$mcpu * 40" | bc -l)"
printf '%-22s %9.4fs %9.4fs %9d %17.3fs\n' "node_exporter" "$ncpu" "$nwall" "$nbytes" \
	"$(echo "$ncpu * 40" | bc -l)"
printf 'peak RSS of the servers after the scrapes (VmHWM): mmscope %s KiB, node_exporter %s KiB\n' \
	"$(awk '/^VmHWM/ { print $2 }' "/proc/$mpid/status")" "$(awk '/^VmHWM/ { print $2 }' "/proc/$npid/status")"
printf 'ratio mmscope/node_exporter: cpu %.2f, wall %.2f; mmscope per scrape = %.5f of a 15 s interval\n' \
	"$(echo "$mcpu / $ncpu" | bc -l)" "$(echo "$mwall / $nwall" | bc -l)" "$(echo "$mcpu / 15" | bc -l)"
