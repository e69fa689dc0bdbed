# SPDX-License-Identifier: GPL-2.0
# mmscope: kernel module, CO-RE BPF tracers and the mmscope CLI.
#
#   make            build everything into $(BUILD)
#   make test       host tests + the VM suite (what CI runs)
#   make demo       boot the test VM, load mmscope.ko, show what it reports
#   make help       all targets

BUILD   ?= $(CURDIR)/build
CACHE   ?= $(or $(MMSCOPE_CACHE),$(HOME)/.cache/mmscope)
V       ?= 0
Q       := $(if $(filter 1,$(V)),,@)

TEST_KDIR_FILE := $(BUILD)/kernel-patched.path
STOCK_KDIR_FILE := $(BUILD)/kernel-stock.path
# The unpatched kernel's module and VM results live apart from the patched
# kernel's, so that neither run overwrites the other.
STOCK_BUILD    := $(BUILD)/stock
HOST_KDIR      := /lib/modules/$(shell uname -r)/build
# KDIR defaults to this machine's kernel headers and, where there are none
# (a host without module support), to the patched test kernel.
ifeq ($(origin KDIR),undefined)
  ifneq ($(wildcard $(HOST_KDIR)/Makefile),)
    KDIR := $(HOST_KDIR)
  else
    KDIR_IS_TEST := 1
    KDIR = $(shell cat $(TEST_KDIR_FILE))
  endif
endif
VMLINUX_BTF ?= $(firstword $(wildcard $(KDIR)/vmlinux) /sys/kernel/btf/vmlinux)

CC       ?= gcc
CLANG    ?= clang
BPFTOOL  ?= bpftool
ARCH_BPF := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

# libbpf 1.7, built from Debian sid's source package (fetched into the cache
# like the kernel source) and linked statically: bookworm's 1.1 reads the
# kernel's 5.5 MB BTF into two heap copies while it loads a program, 1.6
# and later map it instead (see README, benchmarks).  LIBBPF_DIR=/usr uses
# the system's.
LIBBPF_SRC  := $(CACHE)/src/libbpf
LIBBPF_DIR  ?= $(BUILD)/libbpf/usr
LIBBPF_A    ?= $(firstword $(wildcard $(LIBBPF_DIR)/lib/$(shell $(CC) -print-multiarch)/libbpf.a) \
	$(LIBBPF_DIR)/lib/libbpf.a)
USER_CFLAGS := -O2 -g -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
	-I$(LIBBPF_DIR)/include -I$(BUILD)/bpf -Iuser -Ibpf
USER_LIBS   := -static $(LIBBPF_A) -ljson-c -lelf -lz -lzstd -lm
# 7.x kernels embed unnamed members by struct type (-fms-extensions), and
# vmlinux.h carries them over.
BPF_CFLAGS  := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH_BPF) -I$(LIBBPF_DIR)/include \
	-I$(BUILD)/bpf -Ibpf \
	-Wall -Werror -Wno-unused-function \
	-fms-extensions -Wno-microsoft-anon-tag

BPF_SRCS   := $(wildcard bpf/*.bpf.c)
BPF_OBJS   := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
BPF_SKELS  := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.skel.h,$(BPF_SRCS))
USER_SRCS  := $(wildcard user/*.c)
USER_OBJS  := $(patsubst user/%.c,$(BUILD)/user/%.o,$(USER_SRCS))
LIB_OBJS   := $(filter-out $(BUILD)/user/main.o,$(USER_OBJS))
UNIT_SRCS  := $(wildcard tests/unit/*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
WORK_SRCS  := $(wildcard tests/workloads/*.c)
WORK_BINS  := $(patsubst tests/workloads/%.c,$(BUILD)/tests/%,$(WORK_SRCS))
MMSCOPE    := $(BUILD)/bin/mmscope

.SECONDARY:
.DELETE_ON_ERROR:

.PHONY: all deps kernel kernel-stock kernel-release module bpf user workloads test host-test \
	vm-prep vm-prep-release vm-test vm-test-debug vm-test-release vm-smoke vm-test-big \
	vm-test-stock check vm-shell vm-run demo checkpatch series-check clean distclean help

all: module user workloads

help:
	@echo "make [all]        module ($(BUILD)/module/mmscope.ko), BPF objects, CLI, test workloads"
	@echo "make check        unit + host tests and a VM smoke run on the release kernel (minutes)"
	@echo "make test         host tests, then every VM suite; what CI runs"
	@echo "make demo         boot the test VM, load mmscope.ko, run a workload, show the report"
	@echo "make kernel       build the patched 7.2 debug test kernel into $(CACHE) (cached)"
	@echo "make kernel-stock / kernel-release   unpatched / patched kernels without debug options"
	@echo "make vm-test [T=glob,...]   VM tests only, each on its kernel (vm-test-debug, vm-test-release)"
	@echo "make vm-test-big            the big-* tests in a $(VM_MEM_BIG) MiB guest (VM_MEM_BIG=)"
	@echo "make vm-test-stock          the module on the unpatched kernel (make kernel-stock)"
	@echo "make vm-shell               interactive guest shell, module loaded"
	@echo "make vm-run SCRIPT=path     run a script in the guest, exit with its status"
	@echo "make checkpatch   checkpatch --strict on module/ and patches/"
	@echo "make series-check each patch builds on its own; the series without THP, DAMON, SLUB_STATS"
	@echo "make install      mmscope, its man page and bash completion under PREFIX=$(PREFIX)"
	@echo "make bench        mmscope vs bpftrace: start-up and per-event cost (root)"
	@echo "variables: KDIR=<kernel build tree>  BUILD=$(BUILD)  CACHE=$(CACHE)  V=1"

deps:
	$(Q)tests/setup/deps.sh

# --- the test kernel ------------------------------------------------------

kernel: deps
	$(Q)mkdir -p $(BUILD)
	$(Q)tests/vm/build-kernel.sh $(CACHE) patched > $(TEST_KDIR_FILE).tmp
	$(Q)mv $(TEST_KDIR_FILE).tmp $(TEST_KDIR_FILE)
	$(Q)echo "  KERNEL  $$(cat $(TEST_KDIR_FILE))"

# The VM suite runs on the patched kernel with debug options; benchmarks
# compare the patched release kernel against the stock one.
kernel-stock kernel-release: kernel-%: deps
	$(Q)mkdir -p $(BUILD)
	$(Q)tests/vm/build-kernel.sh $(CACHE) $(if $(filter release,$*),patched-release,stock) \
		> $(BUILD)/kernel-$*.path.tmp
	$(Q)mv $(BUILD)/kernel-$*.path.tmp $(BUILD)/kernel-$*.path
	$(Q)echo "  KERNEL  $$(cat $(BUILD)/kernel-$*.path)"

# --- the module -----------------------------------------------------------

ifdef KDIR_IS_TEST
module: kernel
endif
module: deps
	$(Q)test -f "$(KDIR)/Makefile" || { echo "no kernel build tree at KDIR=$(KDIR):" \
		"install your kernel's headers package or pass KDIR=" >&2; exit 1; }
	$(Q)mkdir -p $(BUILD)/module
	$(Q)$(MAKE) -C $(KDIR) M=$(CURDIR) MO=$(abspath $(BUILD))/module modules \
		$(if $(filter 1,$(V)),V=1,-s)
	$(Q)echo "  MODULE  $(BUILD)/module/mmscope.ko (against $(KDIR))"

# --- BPF objects and skeletons --------------------------------------------

ifdef KDIR_IS_TEST
$(BUILD)/bpf/vmlinux.h: | kernel
endif
$(BUILD)/bpf/vmlinux.h: | deps
	$(Q)mkdir -p $(@D)
	$(Q)echo "  BTF     $(VMLINUX_BTF) -> $@"
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

$(BUILD)/libbpf/usr/lib/libbpf.a: | deps
	$(Q)test -f $(LIBBPF_SRC)/src/Makefile || tests/setup/fetch-sid.sh --source $(CACHE) libbpf $(LIBBPF_SRC)
	$(Q)echo "  LIBBPF  $$(cat $(LIBBPF_SRC)/.mmscope-source) -> $@"
	$(Q)$(MAKE) --no-print-directory -s -C $(LIBBPF_SRC)/src BUILD_STATIC_ONLY=1 \
		OBJDIR=$(abspath $(BUILD))/libbpf/obj DESTDIR=$(abspath $(BUILD))/libbpf \
		PREFIX=/usr LIBDIR=/usr/lib install > /dev/null

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BUILD)/bpf/vmlinux.h $(wildcard bpf/*.h) | $(LIBBPF_A)
	$(Q)echo "  CLANG   $@"
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp.o
	$(Q)$(BPFTOOL) gen object $@ $@.tmp.o && rm -f $@.tmp.o

$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(Q)echo "  SKEL    $@"
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@.tmp && mv $@.tmp $@

bpf: $(BPF_SKELS)

# --- the CLI --------------------------------------------------------------

$(BUILD)/user/%.o: user/%.c $(BPF_SKELS) $(wildcard user/*.h bpf/*.h) | $(LIBBPF_A)
	$(Q)mkdir -p $(@D)
	$(Q)echo "  CC      $@"
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(MMSCOPE): $(USER_OBJS)
	$(Q)mkdir -p $(@D)
	$(Q)echo "  LD      $@"
	$(Q)$(CC) -o $@ $^ $(USER_LIBS)

user: deps $(MMSCOPE)

# --- tests ----------------------------------------------------------------

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIB_OBJS) $(wildcard tests/unit/*.h)
	$(Q)mkdir -p $(@D)
	$(Q)echo "  CC      $@"
	$(Q)$(CC) $(USER_CFLAGS) -Itests/unit -o $@ $< $(LIB_OBJS) $(USER_LIBS)

# Workloads run in the guest, which has no shared libraries.
$(BUILD)/tests/%: tests/workloads/%.c $(wildcard tests/workloads/*.h)
	$(Q)mkdir -p $(@D)
	$(Q)echo "  CC      $@"
	$(Q)$(CC) -O2 -g -Wall -Wextra -Werror -static -o $@ $<

workloads: $(WORK_BINS)

host-test: deps user workloads $(UNIT_BINS)
	$(Q)tests/host/run.sh $(BUILD)

# The guest always gets a module built against the kernel it boots,
# whatever KDIR this tree was built for.
vm-prep: kernel
	$(Q)$(MAKE) --no-print-directory all KDIR=$$(cat $(TEST_KDIR_FILE))

# Tests that need no debug option run on the release kernel (tests name
# their kernel in a "# vm-kernel:" line): a module built against it, and
# the CLI and workloads copied beside it.
RELEASE_BUILD := $(BUILD)/release
vm-prep-release: kernel-release vm-prep
	$(Q)$(MAKE) --no-print-directory module KDIR=$$(cat $(BUILD)/kernel-release.path) BUILD=$(RELEASE_BUILD)
	$(Q)mkdir -p $(RELEASE_BUILD)/bin $(RELEASE_BUILD)/tests
	$(Q)cp $(MMSCOPE) $(RELEASE_BUILD)/bin/
	$(Q)cp $(WORK_BINS) $(RELEASE_BUILD)/tests/

# Both suites; T= picks tests by name (globs), each on its own kernel.
vm-test: vm-test-debug vm-test-release

vm-test-debug: vm-prep
	$(Q)tests/vm/suite.sh debug "$$(cat $(TEST_KDIR_FILE))" $(BUILD) '$(or $(T),*)'

vm-test-release: vm-prep-release
	$(Q)tests/vm/suite.sh release "$$(cat $(BUILD)/kernel-release.path)" $(RELEASE_BUILD) '$(or $(T),*)'

# The `make check` VM run: module, one query per area, one trace (t-smoke).
vm-smoke: vm-prep-release
	$(Q)MMSCOPE_VM_OUT=$(RELEASE_BUILD)/vm-smoke \
		tests/vm/suite.sh smoke "$$(cat $(BUILD)/kernel-release.path)" $(RELEASE_BUILD)

# Resource bounds need a large guest: a boot of its own for the big-* tests.
VM_MEM_BIG ?= 8192
vm-test-big: vm-prep
	$(Q)MMSCOPE_VM_MEM=$(VM_MEM_BIG) MMSCOPE_VM_OUT=$(BUILD)/vm-big \
		tests/vm/suite.sh big "$$(cat $(TEST_KDIR_FILE))" $(BUILD) '$(or $(T),*)'

# The unpatched kernel must load the module and report the series' parts
# as missing: the module tests, with a module built against it, and the
# mapcount benchmark, which runs here on per-page mapcounts.
vm-test-stock: kernel-stock user workloads
	$(Q)$(MAKE) --no-print-directory module KDIR=$$(cat $(STOCK_KDIR_FILE)) BUILD=$(STOCK_BUILD)
	$(Q)mkdir -p $(STOCK_BUILD)/bin $(STOCK_BUILD)/tests
	$(Q)cp $(MMSCOPE) $(STOCK_BUILD)/bin/
	$(Q)cp $(WORK_BINS) $(STOCK_BUILD)/tests/
	$(Q)tests/vm/suite.sh stock "$$(cat $(STOCK_KDIR_FILE))" $(STOCK_BUILD) 'module-*,mmid-bench'

# What CI runs: host tests and every VM suite, then a table of margins.
test: deps
	$(Q)tests/run-all.sh test $(MAKE) $(BUILD)

# The developers' loop: unit and host tests, and the smoke run on the
# release kernel (about 1 s to boot).
check: deps
	$(Q)tests/run-all.sh check $(MAKE) $(BUILD)

vm-shell: vm-prep
	$(Q)tests/vm/qemu.sh "$$(cat $(TEST_KDIR_FILE))" $(BUILD) shell

vm-run: vm-prep
	$(Q)test -n "$(SCRIPT)" || { echo "usage: make vm-run SCRIPT=path/to/script" >&2; exit 2; }
	$(Q)tests/vm/qemu.sh "$$(cat $(TEST_KDIR_FILE))" $(BUILD) run $(abspath $(SCRIPT))

demo: vm-prep
	$(Q)tests/vm/qemu.sh "$$(cat $(TEST_KDIR_FILE))" $(BUILD) run $(CURDIR)/tests/demo/demo.sh

# Every step of the series, and the whole series with THP, DAMON or
# SLUB_STATS off, compiles (by hand: about 10 minutes, not part of test).
series-check: deps
	$(Q)tests/setup/series-check.sh $(CACHE)

checkpatch: kernel
	$(Q)tests/setup/checkpatch.sh "$$(cat $(TEST_KDIR_FILE))"

clean:
	$(Q)rm -rf $(BUILD)

distclean: clean
	$(Q)rm -rf $(CACHE)

# --- install and benchmark (the CLI issue) ----------------------------------

PREFIX  ?= /usr/local
DESTDIR ?=

.PHONY: install bench
install: user
	install -D -m 0755 $(MMSCOPE) $(DESTDIR)$(PREFIX)/sbin/mmscope
	install -D -m 0644 man/mmscope.8 $(DESTDIR)$(PREFIX)/share/man/man8/mmscope.8
	install -D -m 0644 completion/mmscope.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/mmscope

# Start-up, memory and per-event cost of mmscope vs bpftrace vs an empty
# program; run by hand, as root, on an otherwise idle machine.
bench: user workloads
	$(Q)tests/bench/bench-trace.py $(BUILD)
