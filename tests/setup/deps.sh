#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Check for what mmscope needs, by tool and header (command -v, the
# compiler), never by asking a package manager what is installed.
#
# usage: deps.sh [--check] GROUP...
#   build   the CLI and its BPF programs (make deps; make checks these itself)
#   kernel  building the test kernels (make kernel)
#   test    kernel, plus the test VM, the tests and benchmarks (make test-deps)
#
# Missing pieces are listed with the install command for Debian and for
# Fedora.  As root on a machine with apt-get or dnf, they are installed,
# unless --check; otherwise the script exits 1.  The system's package
# sources are never changed.
set -euo pipefail

check_only=0
if [ "${1:-}" = --check ]; then
	check_only=1
	shift
fi
[ $# -gt 0 ] || set -- build
cc=${CC:-gcc}
cc_cmd=${cc%% *}	# "ccache gcc": the command is the first word

# One requirement per line: group, check, Debian package, Fedora package.
#   cmd:NAME  a command on PATH
#   hdr:FILE  a header the C compiler finds
#   py:MOD    a Python 3 module of /usr/bin/python3
#   file:PATH a file
requirements() {
	cat <<-EOF
	build  cmd:$cc_cmd            gcc                   gcc
	build  cmd:make               make                  make
	build  cmd:clang              clang                 clang
	build  cmd:bpftool            bpftool               bpftool
	build  hdr:libelf.h           libelf-dev            elfutils-libelf-devel
	build  hdr:zlib.h             zlib1g-dev            zlib-devel
	build  hdr:zstd.h             libzstd-dev           libzstd-devel
	build  hdr:json-c/json.h      libjson-c-dev         json-c-devel
	build  hdr:microhttpd.h       libmicrohttpd-dev     libmicrohttpd-devel
	kernel cmd:flex               flex                  flex
	kernel cmd:bison              bison                 bison
	kernel cmd:bc                 bc                    bc
	kernel hdr:openssl/ssl.h      libssl-dev            openssl-devel
	kernel cmd:pahole             dwarves               dwarves
	kernel cmd:cpio               cpio                  cpio
	kernel cmd:xz                 xz-utils              xz
	kernel cmd:kmod               kmod                  kmod
	kernel cmd:perl               perl                  perl
	test   cmd:qemu-system-x86_64 qemu-system-x86       qemu-system-x86-core
	test   file:/bin/busybox      busybox-static        busybox
	test   cmd:unshare            util-linux            util-linux
	test   cmd:ps                 procps                procps-ng
	test   cmd:jq                 jq                    jq
	test   cmd:promtool           prometheus            golang-github-prometheus
	test   cmd:prometheus-node-exporter prometheus-node-exporter golang-github-prometheus-node-exporter
	test   py:jsonschema          python3-jsonschema    python3-jsonschema
	test   cmd:man                man-db                man-db
	test   cmd:bpftrace           bpftrace              bpftrace
	test   cmd:stress-ng          stress-ng             stress-ng
	test   file:/usr/bin/time     time                  time
	EOF
}

have() {
	local what=${1#*:}
	case $1 in
	# bpftool lives in /usr/sbin, off a user's PATH.
	cmd:*) PATH=$PATH:/usr/sbin:/sbin command -v "$what" > /dev/null 2>&1 ;;
	# Without a compiler the headers cannot be checked: the next run will.
	hdr:*) ! command -v "$cc_cmd" > /dev/null 2>&1 ||
		echo "#include <$what>" | $cc -E -x c - > /dev/null 2>&1 ;;
	# The interpreter the package manager installs modules for, and the
	# one the tests and benchmarks run (#!/usr/bin/python3): a python3
	# earlier on PATH (pyenv, a venv) may have modules the system's lacks.
	py:*) /usr/bin/python3 -c "import $what" > /dev/null 2>&1 ;;
	file:*) [ -e "$what" ] ;;
	esac
}

wanted() {
	local g
	for g; do
		case $g in
		build) echo build ;;
		kernel) echo build; echo kernel ;;
		test) echo build; echo kernel; echo test ;;
		*) echo "deps.sh: unknown group '$g' (build, kernel or test)" >&2; exit 2 ;;
		esac
	done | sort -u
}

groups=$(wanted "$@")
deb=() rpm=() what=()
while read -r group check d f; do
	grep -qx "$group" <<< "$groups" || continue
	have "$check" && continue
	what+=("${check#*:}")
	deb+=("$d")
	rpm+=("$f")
done < <(requirements)
[ ${#what[@]} = 0 ] && exit 0

install_cmd() {
	if command -v apt-get > /dev/null 2>&1; then
		echo apt-get
	elif command -v dnf > /dev/null 2>&1; then
		echo dnf
	fi
}

if [ "$check_only" = 0 ] && [ "$(id -u)" = 0 ] && [ -n "$(install_cmd)" ]; then
	case $(install_cmd) in
	apt-get)
		echo "  APT     installing ${deb[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -q > /dev/null
		apt-get install -y -q --no-install-recommends "${deb[@]}"
		;;
	dnf)
		echo "  DNF     installing ${rpm[*]}"
		dnf install -y "${rpm[@]}"
		;;
	esac
	exit 0
fi

echo "mmscope ($*): missing ${what[*]}; install with" >&2
echo "    Debian: sudo apt-get install ${deb[*]}" >&2
echo "    Fedora: sudo dnf install ${rpm[*]}" >&2
exit 1
