#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mmscope export end to end: promtool checks every output (stdout,
# --textfile, a /metrics scrape), then a real Prometheus server on loopback
# scrapes `mmscope export --listen` and a real node_exporter whose textfile
# collector reads `mmscope export --textfile`; through Prometheus's query
# API the values must be the kernel's: maple_node's sheaf capacity, an mTHP
# counter (and its move by a workload's THP faults), DAMON's intervals.
# Also the errors: bad address, busy port, unwritable directory, a second
# exporter on one directory, a missing source.  Every server started here
# is killed on exit, every temporary file removed.
# host-timeout: 240
set -uo pipefail
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "SKIP export: needs root (the kmem_cache iterator, DAMON's sysfs files)"
	exit 0
fi
missing=
for c in promtool prometheus prometheus-node-exporter curl jq python3; do
	command -v $c > /dev/null || missing="$missing $c"
done
if [ -n "$missing" ]; then
	echo "SKIP export: missing$missing (make test-deps: prometheus, prometheus-node-exporter)"
	exit 0
fi

tmp=$(mktemp -d /tmp/mmscope-export.XXXXXX)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2> /dev/null
	done
	for p in "${pids[@]}"; do
		wait "$p" 2> /dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; }
# A free loopback port (the kernel's pick; released just before use).
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
promcheck() {
	local name=$1 file=$2 out
	if out=$(promtool check metrics < "$file" 2>&1) && [ -s "$file" ]; then
		pass "$name: promtool check metrics: $(grep -c '^# TYPE' "$file") families, $(grep -vc '^#' "$file") samples"
	else
		fail "$name: promtool check metrics: $(head -5 <<< "$out")"
	fi
}

# --- the outputs, checked by promtool -----------------------------------
"$MMSCOPE" export > "$tmp/stdout.prom"
promcheck promtool-stdout "$tmp/stdout.prom"
# Every source has its up line; those this host has are up, with no reason.
ups=$(grep '^mmscope_source_up{' "$tmp/stdout.prom")
want_up="slab:1 mthp:$([ -d /sys/kernel/mm/transparent_hugepage/hugepages-2048kB/stats ] && echo 1 || echo 0)"
want_up="$want_up damon:$([ -d /sys/kernel/mm/damon/admin ] && echo 1 || echo 0) mmid:0"
got_up=$(sed -n 's/^mmscope_source_up{source="\([a-z]*\)",reason="[^"]*"} \([01]\)$/\1:\2/p' <<< "$ups" | tr '\n' ' ')
if [ "$got_up" = "$want_up " ] && ! grep -q 'reason="[^"]' <<< "$(grep '} 1$' <<< "$ups")"; then
	pass "source-up: $got_up(mmid: $(sed -n 's/.*source="mmid",reason="\([^"]*\)".*/\1/p' <<< "$ups"))"
else
	fail "source-up: got '$got_up', want '$want_up': $ups"
fi
"$MMSCOPE" export --per-cpu -C 'maple*' > "$tmp/percpu.prom"
promcheck promtool-per-cpu "$tmp/percpu.prom"
if grep -q '^mmscope_slab_cpu_sheaf_objects{cache="maple_node",cpu="0"' "$tmp/percpu.prom" &&
	! grep '^mmscope_slab' "$tmp/percpu.prom" | grep -qv 'cache="maple_node"'; then
	pass "cache-glob-per-cpu: -C 'maple*' --per-cpu: only maple_node, a series per CPU"
else
	fail "cache-glob-per-cpu: $(grep '^mmscope_slab' "$tmp/percpu.prom" | head -3)"
fi
"$MMSCOPE" export --openmetrics > "$tmp/om.txt"
if [ "$(tail -n 1 "$tmp/om.txt")" = "# EOF" ] && grep -q '^# TYPE mmscope_mthp_split counter' "$tmp/om.txt" &&
	grep -q '^mmscope_mthp_split_total{' "$tmp/om.txt"; then
	pass "openmetrics: ends in # EOF, counter families without _total, samples with it"
else
	fail "openmetrics: $(tail -n 2 "$tmp/om.txt" | tr '\n' ' ')"
fi

tf=$tmp/textfile
mkdir "$tf"
"$MMSCOPE" export --textfile "$tf"
promcheck promtool-textfile "$tf/mmscope.prom"
left=$(ls -A "$tf" | grep -v -e '^mmscope.prom$' -e '^.mmscope.prom.lock$')
[ -z "$left" ] && pass "textfile-no-temp: only mmscope.prom (and the lock) in the directory" ||
	fail "textfile-no-temp: left $left"

# --- errors ---------------------------------------------------------------
expect error-interval-stdout 2 'applies only with --textfile' "$MMSCOPE" export 5
expect error-bad-address 2 "not an IPv4 or IPv6 address" "$MMSCOPE" export --listen 300.1.2.3:9465
expect error-bad-port 2 'PORT must be ≤ 65535' "$MMSCOPE" export --listen 70000
expect error-textfile-openmetrics 2 'leave out --openmetrics' "$MMSCOPE" export --textfile "$tf" --openmetrics
expect error-both-outputs 2 'give one of --textfile' "$MMSCOPE" export --listen 1 --textfile "$tf"
expect error-no-dir 1 "--textfile $tmp/none: No such file" "$MMSCOPE" export --textfile "$tmp/none"
expect error-unwritable-dir 1 'cannot create files there' "$MMSCOPE" export --textfile /proc/self
src=$("$MMSCOPE" export --census 2>/dev/null | grep '^mmscope_source_up{source="mmid"')
if [ -d /sys/module/mmscope ]; then
	echo "SKIP source-missing-reason: the module is loaded here"
elif grep -q 'reason="module not loaded.*} 0$' <<< "$src"; then
	pass "source-missing-reason: --census without the module: $src"
else
	fail "source-missing-reason: $src"
fi

# --- the exporters Prometheus scrapes ---------------------------------------
# The textfile every second; a second exporter on the directory is refused.
"$MMSCOPE" export --textfile "$tf" 1 2> "$tmp/textfile.err" &
tf_pid=$!
pids+=($tf_pid)
sleep 0.5
expect error-second-exporter 1 "another mmscope export \\(pid $tf_pid\\) writes to" \
	"$MMSCOPE" export --textfile "$tf"

mport=$(free_port)
"$MMSCOPE" export --listen "$mport" 2> "$tmp/listen.err" &
listen_pid=$!
pids+=($listen_pid)
for _ in $(seq 50); do
	grep -q 'serving http' "$tmp/listen.err" && break
	sleep 0.1
done
expect error-busy-port 1 'Address already in use' "$MMSCOPE" export --listen "127.0.0.1:$mport"
curl -sf "http://127.0.0.1:$mport/metrics" > "$tmp/scrape.prom"
promcheck promtool-scrape "$tmp/scrape.prom"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$mport/nothing")
[ "$code" = 404 ] && pass "http-404: /nothing is 404" || fail "http-404: /nothing answered $code"
ctype=$(curl -s -o /dev/null -w '%{content_type}' -H 'Accept: application/openmetrics-text; version=1.0.0' \
	"http://127.0.0.1:$mport/metrics")
case $ctype in
application/openmetrics-text*) pass "http-negotiation: Accept openmetrics gets $ctype" ;;
*) fail "http-negotiation: Accept openmetrics got '$ctype'" ;;
esac

nport=$(free_port)
prometheus-node-exporter --web.listen-address="127.0.0.1:$nport" --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$tf" > "$tmp/node.log" 2>&1 &
pids+=($!)
pport=$(free_port)
cat > "$tmp/prometheus.yml" <<-EOF
	global:
	  scrape_interval: 1s
	  scrape_timeout: 1s
	scrape_configs:
	  - job_name: mmscope
	    static_configs: [{ targets: ['127.0.0.1:$mport'] }]
	  - job_name: node
	    static_configs: [{ targets: ['127.0.0.1:$nport'] }]
EOF
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
	--web.listen-address="127.0.0.1:$pport" > "$tmp/prometheus.log" 2>&1 &
pids+=($!)
api=http://127.0.0.1:$pport/api/v1

# q PROMQL: the value of the one result ("" when none)
q() {
	curl -sf --get --data-urlencode "query=$1" "$api/query" | jq -r '.data.result[0].value[1] // empty'
}
up=
for _ in $(seq 60); do
	up=$(curl -sf "$api/targets" | jq -r '[.data.activeTargets[] | select(.health == "up")] | length' 2>/dev/null)
	[ "${up:-0}" = 2 ] && [ -n "$(q 'mmscope_info{job="node"}')" ] && break
	sleep 0.5
done
targets=$(curl -sf "$api/targets" | jq -c '[.data.activeTargets[] | {job: .labels.job, health, lastError}]')
if [ "${up:-0}" = 2 ]; then
	pass "prometheus-scrapes: both targets up, no scrape error: $targets"
else
	fail "prometheus-scrapes: $targets; $(tail -n 3 "$tmp/prometheus.log")"
fi

# --- values through Prometheus ------------------------------------------------
# want NAME PROMQL EXPECTED: the query's value equals the expected number
want() {
	local name=$1 query=$2 exp=$3 got
	got=$(q "$query")
	if [ -n "$got" ] && awk -v a="$got" -v b="$exp" 'BEGIN { exit !(a == b) }'; then
		pass "$name: $query = $got"
	else
		fail "$name: $query = '${got}', want $exp"
	fi
}
cap_file=/sys/kernel/slab/maple_node/sheaf_capacity
if [ -r $cap_file ]; then
	cap=$(cat $cap_file)
	want sheaf-capacity-listen 'mmscope_slab_sheaf_capacity_objects{cache="maple_node",job="mmscope"}' "$cap"
	want sheaf-capacity-textfile 'mmscope_slab_sheaf_capacity_objects{cache="maple_node",job="node"}' "$cap"
else
	echo "SKIP sheaf-capacity: no $cap_file on this kernel"
fi

admin=/sys/kernel/mm/damon/admin/kdamonds
kds=$(for d in $admin/[0-9]*; do [ -d "$d" ] && [ "$(cat "$d/state")" = on ] && echo "${d##*/}"; done)
if [ -z "$kds" ]; then
	echo "SKIP damon-intervals: no running kdamond on this host (mmscope does not start one here)"
fi
for kd in $kds; do
	ivs=$admin/$kd/contexts/0/monitoring_attrs/intervals
	for f in sample aggr; do
		name=$([ $f = sample ] && echo sample || echo aggregation)
		for job in mmscope node; do
			want "damon-$f-$job" \
				"mmscope_damon_${name}_interval_seconds{kdamond=\"$kd\",context=\"0\",job=\"$job\"} * 1e6" \
				"$(cat "$ivs/${f}_us")"
		done
	done
done

# The largest mTHP size a fault can get (its own setting, or "inherit" from
# the top-level one), for an madvise(MADV_HUGEPAGE) region.
thp=/sys/kernel/mm/transparent_hugepage
top=$(sed 's/.*\[\(.*\)\].*/\1/' $thp/enabled 2>/dev/null)
size=
for d in $(ls -d $thp/hugepages-*kB 2>/dev/null | sort -t- -k2 -n); do
	[ -f "$d/enabled" ] && [ -d "$d/stats" ] || continue
	mode=$(sed 's/.*\[\(.*\)\].*/\1/' "$d/enabled")
	[ "$mode" = inherit ] && mode=$top
	case $mode in always|madvise) size=${d##*/hugepages-} ;; esac
done
if [ -z "$size" ]; then
	echo "SKIP mthp-faults: no mTHP size is enabled on this host (the VM test covers it)"
else
	stat=$thp/hugepages-$size/stats/anon_fault_alloc
	metric="mmscope_mthp_anon_fault_alloc_total{size=\"$size\",job=\"mmscope\"}"
	# The metric equals the file read at the same time: when no fault came
	# in between, the file before and after the query and the query agree.
	# fresh VALUE [METRIC]: the metric once Prometheus has scraped VALUE.
	fresh() {
		local v=$1 m=${2:-$metric} got
		for _ in $(seq 30); do
			got=$(q "$m")
			[ "$got" = "$v" ] && { echo "$got"; return 0; }
			sleep 0.2
		done
		echo "${got:-none}"
		return 1
	}
	ok=0
	for try in 1 2 3 4 5; do
		before=$(cat "$stat")
		got=$(fresh "$before") || continue
		[ "$(cat "$stat")" = "$before" ] && { ok=1; break; }
	done
	[ $ok = 1 ] && pass "mthp-equals-sysfs: $metric = $got = $stat" ||
		fail "mthp-equals-sysfs: $metric = $got, $stat = $(cat "$stat") (5 tries)"
	# The workload: N faults in an aligned madvise(MADV_HUGEPAGE) region;
	# the THPs it got are its AnonHugePages (smaps_rollup).
	kb=${size%kB}
	work='import ctypes, mmap, sys
n, sz = int(sys.argv[1]), int(sys.argv[2]) * 1024
m = mmap.mmap(-1, (n + 1) * sz, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
m.madvise(mmap.MADV_HUGEPAGE)
off = -ctypes.addressof(ctypes.c_char.from_buffer(m)) % sz
for i in range(n):
    m[off + i * sz] = 1
huge = [l for l in open("/proc/self/smaps_rollup") if l.startswith("AnonHugePages")]
print(int(huge[0].split()[1]) // (sz // 1024) if huge else 0, flush=True)'
	ok=0
	for try in 1 2 3; do
		before=$(cat "$stat")
		got0=$(fresh "$before") || continue
		made=$(python3 -c "$work" 8 "$kb" 2>&1)
		after=$(cat "$stat")
		# Someone else's THP faults in between: try again.
		[ "$((after - before))" = "$made" ] || continue
		got1=$(fresh "$after") || continue
		ok=1
		break
	done
	if [ $ok = 1 ] && [ "$made" -gt 0 ]; then
		pass "mthp-faults: a workload's $made $size THP faults moved $metric by $((got1 - got0)) ($got0 -> $got1)"
	else
		fail "mthp-faults: workload made '$made' THPs, $stat $before -> $after, Prometheus ${got0:-?} -> ${got1:-?}"
	fi
	# The textfile is rewritten every second, then node_exporter is scraped.
	nmetric="mmscope_mthp_anon_fault_alloc_total{size=\"$size\",job=\"node\"}"
	ok=0
	for try in 1 2 3; do
		before=$(cat "$stat")
		got=$(fresh "$before" "$nmetric") || continue
		[ "$(cat "$stat")" = "$before" ] && { ok=1; break; }
	done
	[ $ok = 1 ] && pass "mthp-textfile: $nmetric = $got = $stat" ||
		fail "mthp-textfile: $nmetric = $got, $stat = $(cat "$stat")"
fi

# --- a clean stop -------------------------------------------------------------
kill -TERM "$listen_pid" "$tf_pid"
rc_l=0 rc_t=0
wait "$listen_pid" || rc_l=$?
wait "$tf_pid" || rc_t=$?
left=$(ls -A "$tf" | grep -v -e '^mmscope.prom$' -e '^.mmscope.prom.lock$')
if [ $rc_l = 0 ] && [ $rc_t = 0 ] && [ -z "$left" ]; then
	pass "sigterm: both exporters exit 0 on SIGTERM, no temporary file left"
else
	fail "sigterm: --listen exit $rc_l, --textfile exit $rc_t, left '$left'"
fi
