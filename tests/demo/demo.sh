#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make demo`: runs in the test guest with mmscope.ko loaded.
set -e
DBG=/sys/kernel/debug/mmscope

echo "== mmscope.ko $(cat $DBG/version) on $(uname -r)"
echo
echo "== $DBG/features"
cat $DBG/features
echo
echo "== a short workload: map and touch 64 MiB, fork, let it go"
dd if=/dev/zero of=/tmp/demo.bin bs=1M count=64 2>/dev/null
(cat /tmp/demo.bin > /dev/null; sleep 0) &
wait
rm -f /tmp/demo.bin
echo
echo "== mmscope status"
mmscope status
