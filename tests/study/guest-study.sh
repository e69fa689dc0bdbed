#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The MM-ID study, inside the guest (tests/study/run.sh boots it with
# `qemu.sh ... run`; busybox sh).  For each workload: start it in the sid
# root (tests/study/rootfs.sh, unpacked from the initramfs at /study-root),
# drive it with its load, and meanwhile sample, at the same points, the
# audit (`mmscope mmid -j audit`: the kernel's "maybe mapped shared" verdict
# per large folio against the MMs that really map it) and
# /proc/PID/smaps_rollup of the workload's processes.  One JSONL file per
# workload in /mmscope/study/KERNEL/ (KERNEL: mmscope.kernel=, release or
# debian); tests/study/report.py turns them into docs/study-mmid.md.
#
# Kernel command line (set by run.sh):
#   mmscope.kernel=release|debian   which kernel this is
#   mmscope.study_ko=PATH           the module, relative to /mmscope
#   mmscope.study_workloads=a,b     default: all that this kernel can run
#   mmscope.study_secs=N            seconds of load per workload (60)
#   mmscope.study_period=N          seconds between samples (3)
#   mmscope.study_audit=auto|stream|loop   see audit_source
. /src/tests/vm/lib.sh

arg() {
	for w in $(cat /proc/cmdline); do
		case $w in "mmscope.$1="*) echo "${w#*=}"; return ;; esac
	done
}

KIND=$(kernel_kind)
[ -n "$KIND" ] || fail "no mmscope.kernel= on the command line"
SECS=$(arg study_secs)
SECS=${SECS:-60}
PERIOD=$(arg study_period)
PERIOD=${PERIOD:-3}
AUDIT_MODE=$(arg study_audit)
AUDIT_MODE=${AUDIT_MODE:-auto}
OUT=/mmscope/study/$KIND
R=/study-root
ST=/tmp/study
mkdir -p "$OUT" "$ST"
[ -f "$R/.mmscope-built" ] || fail "no sid root at $R: the initramfs lacks tests/study/rootfs.sh's archive"
cp /src/tests/study/procs.awk "$ST/procs.awk"

now() { cut -d' ' -f1 /proc/uptime; }
log() { echo "study[$KIND] $(now) $*"; }

# --- the kernel under study -------------------------------------------------

# mTHP: every anon size from 16 KiB to 2 MiB on "always", as the issue
# asks, and the top-level switch too (hugepages-2048kB may say "inherit").
THP=/sys/kernel/mm/transparent_hugepage
echo always > "$THP/enabled" || fail "cannot set $THP/enabled"
for kb in 16 32 64 128 256 512 1024 2048; do
	f=$THP/hugepages-${kb}kB/enabled
	[ -f "$f" ] || fail "no $f: this kernel has no ${kb} KiB mTHP"
	echo always > "$f" || fail "cannot set $f"
done

KO=/mmscope/$(arg study_ko)
load_module
mmscope mmid -j census > /dev/null || fail "mmscope mmid census fails: is the module's mmid part there?"

config_value() { # CONFIG_X: y, n or m, from /proc/config.gz or Debian's /boot/config-*
	{ zcat /proc/config.gz 2> /dev/null || cat "/boot/config-$(uname -r)" 2> /dev/null; } |
		sed -n "s/^$1=\\(.*\\)/\\1/p" | head -n 1
}
NOPMC=$(config_value CONFIG_NO_PAGE_MAPCOUNT)
MMID_CFG=$(config_value CONFIG_MM_ID)

# The sid root's mounts: its own /proc, /sys and /dev, and tmpfs on
# /dev/shm, where python's multiprocessing keeps its POSIX semaphores.
mount -t proc proc "$R/proc"
mount -t sysfs sysfs "$R/sys"
mount -o bind /dev "$R/dev"
mkdir -p /dev/shm
mount -t tmpfs shm "$R/dev/shm"
ip link set lo up 2> /dev/null || ifconfig lo 127.0.0.1 up 2> /dev/null
# Only a kernel with IPv4 can run apache2 and ab (the release kernel has
# no CONFIG_INET; Debian's has).
has_inet() { [ -d /proc/sys/net/ipv4 ]; }

# A command in the root.  Backgrounded as "$IR cmd &", a simple command,
# so that $! is the workload's own process (chroot and env exec it), not a
# subshell running a function.
# The C locale: the root has no locale data (no maintainer script ran
# localedef), and redis-server exits when setlocale() fails.
IR="chroot $R /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C"
inroot() { $IR "$@"; }
rcli() { inroot redis-cli -s /tmp/redis.sock "$@"; }
redis_idle() { ! rcli info persistence | grep -q 'rdb_bgsave_in_progress:1'; }

# --- sampling ------------------------------------------------------------------

# Where the audit records come from.  "stream": mmscope's own loop,
# `mmid -j audit INTERVAL` (until stopped), one record per interval with the CoW counts
# of that interval; "loop": the one-shot audit every PERIOD seconds, for a
# CLI without [interval] [count] (no "cow" key then).  "auto" asks the CLI.
if [ "$AUDIT_MODE" = auto ]; then
	if mmscope mmid -j audit 1 1 2> /dev/null | grep -q '"type":"mmid_audit"'; then
		AUDIT_MODE=stream
	else
		AUDIT_MODE=loop
	fi
fi
audit_source() {
	if [ "$AUDIT_MODE" = stream ]; then
		mmscope mmid -j audit "$PERIOD" &
		echo $! > "$ST/audit.pid"
		wait $!
	else
		while [ ! -e "$ST/stop" ]; do
			mmscope mmid -j audit
			sleep "$PERIOD"
		done
	fi
}

# sampler_start WORKLOAD ROOTPID: in the background, per audit record one
# study_sample line: the record as it came, the time since the workload
# started, the phase it is in, and the processes of ROOTPID's tree.  One
# awk reads the records: busybox's read builtin takes a byte per system
# call, and a record lists every mismatching folio.
sampler_start() {
	rm -f "$ST/stop" "$ST/audit.pid"
	(audit_source | awk -v wl="$1" -v kind="$KIND" -v root="$2" -v t0="$T0" \
		-v phasefile="$ST/phase" -v procs="$ST/procs.awk" '
	/^\{"type":"mmid_audit"/ {
		getline up < "/proc/uptime"
		close("/proc/uptime")
		split(up, u, " ")
		ph = "?"
		getline ph < phasefile
		close(phasefile)
		cmd = "cat /proc/[0-9]*/stat 2>/dev/null | awk -v root=" root " -f " procs
		pr = ""
		while ((cmd | getline l) > 0)
			pr = pr l
		close(cmd)
		printf "{\"type\":\"study_sample\",\"workload\":\"%s\",\"kernel\":\"%s\",\"seq\":%d,\"t\":%.2f,\"phase\":\"%s\",\"root_pid\":%d,\"audit\":%s,\"procs\":%s}\n", \
			wl, kind, seq++, u[1] - t0, ph, root, $0, pr == "" ? "[]" : pr
		fflush()
	}' >> "$WL_OUT") &
	SAMPLER=$!
}

sampler_stop() {
	touch "$ST/stop"
	[ -f "$ST/audit.pid" ] && kill "$(cat "$ST/audit.pid")" 2> /dev/null
	wait "$SAMPLER" 2> /dev/null
}

# phase NAME: what the samples from now on are tagged with.
phase() {
	# Renamed into place: the sampler must never read it half-written.
	echo "$1" > "$ST/phase.tmp" && mv "$ST/phase.tmp" "$ST/phase"
	record "{\"type\":\"study_phase\",\"workload\":\"$WL\",\"t\":$(elapsed),\"phase\":\"$1\"}"
	log "$WL: phase $1"
}

elapsed() { awk -v t0="$T0" '{ printf "%.2f", $1 - t0 }' /proc/uptime; }
record() { echo "$1" >> "$WL_OUT"; }

# wait_samples N: until N samples carry the current phase, the points the
# report compares between kernels.
wait_samples() {
	local p n i=0
	p=$(cat "$ST/phase")
	while :; do
		n=$(grep -c "\"phase\":\"$p\",\"root_pid\"" "$WL_OUT")
		[ "$n" -ge "$1" ] && return 0
		i=$((i + 1))
		[ $i -gt $((20 * PERIOD * $1 + 120)) ] && { log "$WL: only $n samples in phase $p"; return 1; }
		sleep 0.5
	done
}

# The mTHP counters of every size, for the report's context.
mthp_stats() {
	local d s out=
	for d in "$THP"/hugepages-*kB; do
		s=$(cd "$d/stats" && for f in anon_fault_alloc anon_fault_fallback split; do
			printf '"%s":%s,' "$f" "$(cat "$f" 2> /dev/null || echo null)"; done)
		out="$out${out:+,}\"${d##*hugepages-}\":{${s%,}}"
	done
	echo "{$out}"
}

# tree_kill ROOTPID: the workload's processes, children first to spare
# the servers' respawning, then whatever is left.
tree_pids() {
	cat /proc/[0-9]*/stat 2> /dev/null | awk -v root="$1" '{
		r = $0; sub(/^.*\) /, "", r); split(r, f, " "); pp[$1] = f[2]; p[++n] = $1 }
	END { m[root] = 1
		do { g = 0; for (i = 1; i <= n; i++) if (!(p[i] in m) && (pp[p[i]] in m)) { m[p[i]] = 1; g = 1 } } while (g)
		for (q in m) print q }'
}
tree_kill() {
	local pids i=0
	kill -TERM "$1" 2> /dev/null
	while [ $i -lt 20 ] && [ -n "$(tree_pids "$1" | head -n 1)" ] && kill -0 "$1" 2> /dev/null; do
		sleep 0.5
		i=$((i + 1))
	done
	pids=$(tree_pids "$1")
	[ -z "$pids" ] || kill -KILL $pids 2> /dev/null
	wait "$1" 2> /dev/null
}

# wl_begin NAME, wl_end: the JSONL file and its first and last records.
wl_begin() {
	WL=$1
	WL_OUT=$OUT/$WL.jsonl
	: > "$WL_OUT"
	T0=$(now)
	echo start > "$ST/phase"
	record "{\"type\":\"study_start\",\"workload\":\"$WL\",\"kernel\":\"$KIND\",\"release\":\"$(uname -r)\",\"no_page_mapcount\":\"${NOPMC:-n}\",\"mm_id\":\"${MMID_CFG:-?}\",\"cpus\":$(nproc),\"mem_kb\":$(awk '/^MemTotal/ { print $2 }' /proc/meminfo),\"audit_mode\":\"$AUDIT_MODE\",\"period\":$PERIOD,\"secs\":$SECS,\"uptime\":$T0,\"mthp\":$(mthp_stats)}"
	log "$WL: start (audit $AUDIT_MODE every ${PERIOD}s, load ${SECS}s)"
}
wl_end() {
	local status
	# A failure's message quotes a log: nothing of it may break the JSON.
	status=$(printf '%s' "$1" | tr '\n"\\\t' ';   ')
	record "{\"type\":\"study_end\",\"workload\":\"$WL\",\"t\":$(elapsed),\"status\":\"$status\",\"mthp\":$(mthp_stats)}"
	log "$WL: end ($1), $(grep -c '"type":"study_sample"' "$WL_OUT") samples"
}

# wait_for SECS CMD...: until CMD succeeds.
wait_for() {
	local n=$(($1 * 2))
	shift
	while [ $n -gt 0 ]; do
		"$@" > /dev/null 2>&1 && return 0
		sleep 0.5
		n=$((n - 1))
	done
	return 1
}

# --- the workloads -------------------------------------------------------------
# Each: wl_begin, start, sampler_start on its root process, phases, a
# "measure" phase at a point every kernel reaches the same way (the report
# compares smaps_rollup there), stop, wl_end.

# The seed's scenario (tests/workloads/mmid-thp.c): one THP of each state;
# F is mapped by C alone with the shared bit set: one false positive.  Then
# C writes 64 of F's pages (-w): 64 copies that reuse would have saved.
wl_synthetic() {
	wl_begin synthetic
	"$WORKLOADS/mmid-thp" -w 64 1 1 1 1 > "$ST/thp.out" 2>&1 &
	local pid=$!
	wait_for 60 grep -q '^ready' "$ST/thp.out" || { wl_end "mmid-thp not ready: $(cat "$ST/thp.out")"; tree_kill $pid; return 1; }
	record "{\"type\":\"study_driver\",\"workload\":\"$WL\",\"t\":$(elapsed),\"mmid_thp\":\"$(tr '\n' ';' < "$ST/thp.out")\"}"
	sampler_start "$WL" "$pid"
	phase measure
	wait_samples 3
	phase write
	kill -USR2 "$(sed -n 's/^pids [0-9]* [0-9]* //p' "$ST/thp.out")"
	wait_for 60 grep -q '^wrote ' "$ST/thp.out" || { wl_end "C did not write"; tree_kill $pid; return 1; }
	wait_samples 2
	sampler_stop
	tree_kill $pid
	wl_end ok
}

# redis-server with BGSAVE snapshots: a dataset written by redis-benchmark,
# then writes go on while BGSAVE forks a snapshot child every few seconds.
wl_redis() {
	wl_begin redis
	cp /src/tests/study/conf/redis.conf "$R/study/redis.conf"
	rm -f "$R/var/lib/redis/"* "$R/tmp/redis.sock"
	$IR redis-server /study/redis.conf > "$ST/redis.out" 2>&1 &
	local pid=$! rc=0 saves=0 end
	wait_for 60 rcli ping || { wl_end "redis-server did not answer: $(cat "$ST/redis.out")"; tree_kill $pid; return 1; }
	sampler_start "$WL" "$pid"
	phase fill
	# 100,000 keys of 1 KiB: about 150 MiB in the server.
	inroot redis-benchmark -s /tmp/redis.sock -q -t set -n 100000 -r 100000 -d 1024 -P 16 \
		> "$ST/fill.out" 2>&1 || rc=$?
	record "{\"type\":\"study_driver\",\"workload\":\"$WL\",\"t\":$(elapsed),\"step\":\"fill\",\"rc\":$rc,\"keys\":$(rcli dbsize)}"
	phase load
	# SET and INCR on the same 100,000 keys: the dataset stays the size
	# it is (LPUSH would grow one list without bound).
	$IR redis-benchmark -s /tmp/redis.sock -q -l -t set,incr -r 100000 -d 1024 -P 16 \
		> "$ST/load.out" 2>&1 &
	local bench=$!
	end=$(($(date +%s) + SECS))
	while [ "$(date +%s)" -lt "$end" ]; do
		rcli bgsave > /dev/null && saves=$((saves + 1))
		sleep 1
		wait_for 120 redis_idle
		sleep 2
	done
	kill $bench 2> /dev/null
	wait $bench 2> /dev/null
	record "{\"type\":\"study_driver\",\"workload\":\"$WL\",\"t\":$(elapsed),\"step\":\"load\",\"bgsaves\":$saves,\"keys\":$(rcli dbsize)}"
	# The same point on every kernel: load stopped, no snapshot running.
	phase measure
	wait_samples 3
	sampler_stop
	rcli shutdown nosave > /dev/null 2>&1
	tree_kill $pid
	wl_end ok
}

# python3 multiprocessing: a fork Pool over a list the parent built, the
# parent updating the list between rounds (tests/study/pool.py).
wl_pool() {
	wl_begin pool
	cp /src/tests/study/pool.py "$R/study/pool.py"
	phase load
	$IR python3 /study/pool.py "$SECS" 2000000 4 > "$ST/pool.out" 2> "$ST/pool.err" &
	local pid=$!
	sampler_start "$WL" "$pid"
	if ! wait_for $((SECS * 3 + 300)) grep -q '^ready' "$ST/pool.out"; then
		sampler_stop
		tree_kill $pid
		wl_end "pool.py not ready: $(tail -n 3 "$ST/pool.err" | tr '\n"' '; ')"
		return 1
	fi
	record "{\"type\":\"study_driver\",\"workload\":\"$WL\",\"t\":$(elapsed),\"rounds\":[$(grep '^{' "$ST/pool.out" | tr '\n' ',' | sed 's/,$//')]}"
	# The parent alone after its last pool: where the shared bit can
	# outlive the workers.
	phase measure
	wait_samples 3
	sampler_stop
	tree_kill $pid
	wl_end ok
}

# gunicorn: a pre-forking server over a Unix socket whose workers are
# replaced after --max-requests; the application is loaded in the master
# (--preload), so every worker inherits it.
wl_gunicorn() {
	wl_begin gunicorn
	cp /src/tests/study/app.py /src/tests/study/httpload.py "$R/study/"
	rm -f "$R/tmp/gunicorn.sock"
	setsid $IR gunicorn --preload --workers 4 --max-requests 40 --max-requests-jitter 10 \
		--bind unix:/tmp/gunicorn.sock --chdir /study --worker-tmp-dir /dev/shm app:app \
		> "$ST/gunicorn.out" 2>&1 &
	local pid=$!
	wait_for 120 test -S "$R/tmp/gunicorn.sock" ||
		{ wl_end "gunicorn did not listen: $(tail -n 3 "$ST/gunicorn.out" | tr '\n"' '; ')"; tree_kill $pid; return 1; }
	sampler_start "$WL" "$pid"
	phase load
	inroot python3 /study/httpload.py /tmp/gunicorn.sock "$SECS" 8 > "$ST/httpload.out" 2>&1
	record "{\"type\":\"study_driver\",\"workload\":\"$WL\",\"t\":$(elapsed),\"load\":$(grep '^{' "$ST/httpload.out" || echo null)}"
	phase measure
	wait_samples 3
	sampler_stop
	tree_kill $pid
	wl_end ok
}

# apache2 prefork with MaxConnectionsPerChild (tests/study/conf/apache2.conf),
# driven by ab; only where the kernel has IPv4.
wl_apache() {
	wl_begin apache
	cp /src/tests/study/conf/apache2.conf "$R/study/apache2.conf"
	mkdir -p "$R/var/www/study" "$R/run/apache2"
	# A 64 KiB page: each request copies it out of the page cache.
	awk 'BEGIN { for (i = 0; i < 1024; i++) printf "%063d\n", i }' > "$R/var/www/study/index.html"
	# A session of its own: on SIGTERM apache's parent signals its whole
	# process group, which would otherwise be this script's.
	setsid $IR apache2 -f /study/apache2.conf -DFOREGROUND > "$ST/apache.out" 2>&1 &
	local pid=$!
	wait_for 60 inroot ab -n 1 http://127.0.0.1:8080/index.html ||
		{ wl_end "apache2 did not answer: $(tail -n 3 "$ST/apache.out" | tr '\n"' '; ')"; tree_kill $pid; return 1; }
	sampler_start "$WL" "$pid"
	phase load
	inroot ab -q -t "$SECS" -n 10000000 -c 8 http://127.0.0.1:8080/index.html > "$ST/ab.out" 2>&1
	record "{\"type\":\"study_driver\",\"workload\":\"$WL\",\"t\":$(elapsed),\"requests\":\"$(sed -n 's/^Complete requests: *//p' "$ST/ab.out")\",\"requests_per_s\":\"$(sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p' "$ST/ab.out")\",\"failed\":\"$(sed -n 's/^Failed requests: *//p' "$ST/ab.out")\"}"
	phase measure
	wait_samples 3
	sampler_stop
	tree_kill $pid
	wl_end ok
}

# make -j of a generated C project (tests/study/genproj.sh), built again
# and again: make forks, gcc execs cc1, as, collect2 and ld.
wl_make() {
	wl_begin make
	cp /src/tests/study/genproj.sh "$R/study/genproj.sh"
	inroot sh /study/genproj.sh /tmp/proj 12 10 || { wl_end "genproj.sh failed"; return 1; }
	phase load
	$IR sh -c "end=\$((\$(date +%s) + $SECS)); n=0
		while [ \$(date +%s) -lt \$end ] || [ \$n = 0 ]; do
			make -s -C /tmp/proj clean && make -s -j$(($(nproc) * 2)) -C /tmp/proj || exit 1
			n=\$((n + 1))
		done; echo builds \$n" > "$ST/make.out" 2>&1 &
	local pid=$!
	sampler_start "$WL" "$pid"
	local rc=0
	wait $pid || rc=$?
	record "{\"type\":\"study_driver\",\"workload\":\"$WL\",\"t\":$(elapsed),\"rc\":$rc,\"builds\":\"$(sed -n 's/^builds //p' "$ST/make.out")\"}"
	# make's processes are gone: the measure point is the last load sample.
	sampler_stop
	[ $rc = 0 ] || { wl_end "make failed: $(tail -n 3 "$ST/make.out" | tr '\n"' '; ')"; return 1; }
	wl_end ok
}

all=synthetic,redis,pool,gunicorn,make
has_inet && all=$all,apache
list=$(arg study_workloads)
list=${list:-$all}
log "kernel $(uname -r), NO_PAGE_MAPCOUNT=${NOPMC:-n}, $(nproc) CPUs, audit $AUDIT_MODE; workloads $list"
failed=
for w in $(echo "$list" | tr , ' '); do
	case ",$all," in
	*",$w,"*) ;;
	*) log "$w: not on this kernel (IPv4: $(has_inet && echo yes || echo no))"; continue ;;
	esac
	"wl_$w" || failed="$failed $w"
	# What one workload left behind must not count in the next one's audit.
	sync
	echo 3 > /proc/sys/vm/drop_caches 2> /dev/null
done
[ -z "$failed" ] || fail "workloads that did not run to the end:$failed"
log "done"
exit 0
