#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: debug
# The series' kunit test of the prefilled sheaf API (patches/ 0004, in
# lib/tests/slub_kunit.c), loaded as the module the API's exports are for:
# it passes.  Only that case runs (kunit.filter_glob): the suite's other
# cases corrupt objects on purpose.
. /src/tests/vm/lib.sh

grep -q "mmscope.kernel=debian" /proc/cmdline && skip "Debian's kernel: no patch series"
KUNIT_KO=/mmscope/module/slub_kunit.ko
[ -f $KUNIT_KO ] || fail "no $KUNIT_KO: the debug kernel builds CONFIG_SLUB_KUNIT_TEST=m (make vm-prep copies it)"
F=/sys/module/kunit/parameters/filter_glob
[ -w $F ] || fail "no writable $F: CONFIG_KUNIT=y is missing"

# printf, not echo: a charp parameter keeps the newline, and a glob that
# ends in one matches no suite (KUnit then prints nothing at all).
printf '%s' slub_test.test_prefilled_sheaf > $F
dmesg -c > /dev/null
insmod $KUNIT_KO || fail "insmod slub_kunit.ko failed"
dmesg > /tmp/kunit.log
rmmod slub_kunit || fail "rmmod slub_kunit failed"
printf '%s' '*.*' > $F
cat /tmp/kunit.log
grep -q 'ok 1 test_prefilled_sheaf' /tmp/kunit.log || fail "test_prefilled_sheaf did not pass"
grep -qE 'not ok|# SKIP' /tmp/kunit.log && fail "a kunit case failed or skipped"
grep -q 'ok 1 slub_test' /tmp/kunit.log || fail "the slub_test suite did not pass"
echo "ok: test_prefilled_sheaf passed"
exit 0
