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
# Debian sid's own kernel (unpatched, as a Debian user runs it), fetched
# with its headers: FLAVOUR=amd64 (default), rt or cloud.  Its module and
# VM results live apart from the patched kernels', so that no run
# overwrites another's.
DEBIAN_ABI     ?= 7.2.13+deb14
FLAVOUR        ?= amd64
DEBIAN_RELEASE := $(DEBIAN_ABI)-$(if $(filter amd64,$(FLAVOUR)),amd64,$(FLAVOUR)-amd64)
DEBIAN_BUILD   := $(BUILD)/debian$(if $(filter-out amd64,$(FLAVOUR)),-$(FLAVOUR))
HOST_KDIR      := /lib/modules/$(shell uname -r)/build
# KDIR defaults to this machine's kernel build tree or headers.  Without
# one, `make` builds the CLI and says the module needs KDIR=; only `make
# kernel` and the VM targets build a kernel (and pass its tree as KDIR).
ifeq ($(origin KDIR),undefined)
  KDIR := $(if $(wildcard $(HOST_KDIR)/Makefile),$(HOST_KDIR))
endif

CC       ?= gcc
CLANG    ?= clang
# bpftool is in /usr/sbin, which a user's PATH may lack.
BPFTOOL  ?= $(or $(shell command -v bpftool 2>/dev/null),/usr/sbin/bpftool)
ARCH_BPF := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

# The BPF programs compile against a vmlinux.h checked in per architecture
# (as libbpf-tools do), never against the build machine's BTF: they are
# CO-RE, and bpf/core_fixes.bpf.h covers what differs between kernels.
# `make vmlinux-h` regenerates it from the patched 7.2 test kernel.
VMLINUX_H_DIR := bpf/vmlinux/$(ARCH_BPF)
VMLINUX_H     := $(VMLINUX_H_DIR)/vmlinux.h

# libbpf 1.7, built from Debian's source tarball (tests/setup/fetch-orig.sh
# fetches a pinned version into the cache) and linked statically:
# bookworm's 1.1 reads the kernel's 5.5 MB BTF into two heap copies while it
# loads a program, 1.6 and later map it instead (see README, benchmarks).
# LIBBPF_DIR=/usr (or another prefix) uses an installed libbpf,
# LIBBPF_DIR=pkg-config the one pkg-config knows.
LIBBPF_SRC  := $(CACHE)/src/libbpf
LIBBPF_OWN  := $(BUILD)/libbpf/usr
LIBBPF_DIR  ?= $(LIBBPF_OWN)
ifeq ($(LIBBPF_DIR),pkg-config)
  LIBBPF_INC := $(shell pkg-config --variable=includedir libbpf)
  LIBBPF_LIB := $(shell pkg-config --variable=libdir libbpf)
else ifeq ($(LIBBPF_DIR),$(LIBBPF_OWN))
  LIBBPF_INC := $(LIBBPF_DIR)/include
  LIBBPF_LIB := $(LIBBPF_DIR)/lib
else
  LIBBPF_INC := $(LIBBPF_DIR)/include
  LIBBPF_LIB := $(patsubst %/,%,$(dir $(firstword $(wildcard \
	$(LIBBPF_DIR)/lib/$(shell $(CC) -print-multiarch 2>/dev/null)/libbpf.a \
	$(LIBBPF_DIR)/lib64/libbpf.a $(LIBBPF_DIR)/lib/libbpf.a \
	$(LIBBPF_DIR)/lib/$(shell $(CC) -print-multiarch 2>/dev/null)/libbpf.so \
	$(LIBBPF_DIR)/lib64/libbpf.so $(LIBBPF_DIR)/lib/libbpf.so))))
endif
LIBBPF_A    := $(if $(LIBBPF_LIB),$(LIBBPF_LIB)/libbpf.a,$(LIBBPF_DIR)/lib/libbpf.a)
# A libbpf without its static archive (Fedora's libbpf-devel alone) links dynamically.
LIBBPF_LINK := $(if $(or $(filter $(LIBBPF_OWN),$(LIBBPF_DIR)),$(wildcard $(LIBBPF_A))),\
	$(LIBBPF_A),-L$(LIBBPF_LIB) -lbpf)

# The CLI is one static binary when the C library and the libraries have
# static archives (Debian's -dev packages do); otherwise, or with STATIC=0,
# everything but libbpf.a links dynamically.
STATIC_ARCHIVES := libc.a libelf.a libz.a libzstd.a libjson-c.a
ifeq ($(origin STATIC),undefined)
  STATIC_MISSING := $(strip $(foreach a,$(STATIC_ARCHIVES),$(if $(filter /%,$(shell $(CC) -print-file-name=$(a) 2>/dev/null)),,$(a))))
  STATIC := $(if $(STATIC_MISSING),0,1)
endif

# libmicrohttpd (`mmscope export --listen`), through pkg-config.  A static
# CLI links its own, built without TLS from Debian's orig tarball
# (tests/setup/fetch-orig.sh): Debian's libmicrohttpd.a needs GnuTLS, whose
# p11-kit and libunistring have no static archives.  A dynamic one
# (STATIC=0) links the system's (libmicrohttpd-dev).
MHD_SRC     := $(CACHE)/src/libmicrohttpd
MHD_OWN     := $(BUILD)/microhttpd/usr
ifeq ($(STATIC),1)
  MHD_DEP    := $(MHD_OWN)/lib/libmicrohttpd.a
  MHD_CFLAGS := -I$(MHD_OWN)/include
  MHD_PC      = PKG_CONFIG_LIBDIR=$(MHD_OWN)/lib/pkgconfig pkg-config --static
else
  MHD_DEP    :=
  MHD_CFLAGS := $(shell pkg-config --cflags libmicrohttpd 2>/dev/null)
  MHD_PC      = pkg-config
endif
# Expanded at link time, once the library above is built.
MHD_LIBS     = $(shell $(MHD_PC) --libs libmicrohttpd 2>/dev/null || echo -lmicrohttpd)

USER_CFLAGS := -O2 -g -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
	-I$(LIBBPF_INC) -I$(BUILD)/bpf -Iuser -Iuser/lib -Iuser/output -Iuser/backends \
	-Iuser/commands -Ibpf $(MHD_CFLAGS)
USER_LIBS    = $(if $(filter 1,$(STATIC)),-static) $(LIBBPF_LINK) $(MHD_LIBS) -ljson-c -lelf -lz \
	-lzstd -lm
# 7.x kernels embed unnamed members by struct type (-fms-extensions), and
# vmlinux.h carries them over.
BPF_CFLAGS  := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH_BPF) -I$(VMLINUX_H_DIR) \
	-I$(LIBBPF_INC) -Ibpf \
	-Wall -Werror -Wno-unused-function \
	-fms-extensions -Wno-microsoft-anon-tag

BPF_SRCS   := $(wildcard bpf/*.bpf.c)
BPF_OBJS   := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
BPF_SKELS  := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.skel.h,$(BPF_SRCS))
# user/: main.c, commands/ (one do_<cmd>() per file), backends/ (BPF
# loaders and attach selection, the module's debugfs, sysfs/procfs),
# output/ (JSON, tables, histograms, SVG), lib/ (options, messages, loop).
# Dependencies run one way: commands -> backends, output -> lib.
USER_DIRS  := lib output backends commands
USER_SRCS  := $(wildcard user/*.c $(patsubst %,user/%/*.c,$(USER_DIRS)))
USER_HDRS  := $(wildcard user/*.h $(patsubst %,user/%/*.h,$(USER_DIRS)))
USER_OBJS  := $(patsubst user/%.c,$(BUILD)/user/%.o,$(USER_SRCS))
# Unit tests link the archive: only the objects a test needs come in.
LIB_OBJS   := $(filter-out $(BUILD)/user/main.o,$(USER_OBJS))
LIB_A      := $(BUILD)/user/libmmscope.a
UNIT_SRCS  := $(wildcard tests/unit/*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
HOST_TOOLS := $(patsubst tests/host/%.c,$(BUILD)/tests/host/%,$(wildcard tests/host/*.c))
WORK_SRCS  := $(wildcard tests/workloads/*.c)
WORK_BINS  := $(patsubst tests/workloads/%.c,$(BUILD)/tests/%,$(WORK_SRCS))
MMSCOPE    := $(BUILD)/bin/mmscope

.SECONDARY:
.DELETE_ON_ERROR:

.PHONY: all deps test-deps kernel-deps build-deps kernel kernel-release module module-debian \
	no-module no-vmlinux-h bpf user workloads vmlinux-h test check host-test \
	vm-prep vm-prep-release vm-test vm-test-debug vm-test-release vm-smoke vm-test-big vm-prep-big \
	vm-test-stress vm-prep-stress \
	vm-test-debian kernel-debian test-prep vm-shell vm-run demo study checkpatch series-check clean distclean help \
	modules_install install uninstall kernel-kcsan vm-prep-kcsan vm-test-kcsan

all: $(if $(KDIR),module,no-module) user

help:
	@echo "make [all]        the CLI ($(MMSCOPE)) and, with kernel headers (KDIR=), $(BUILD)/module/mmscope.ko"
	@echo "make check        unit + host tests and a VM smoke run on the release kernel (minutes)"
	@echo "make test         host tests, then every VM suite; what CI runs"
	@echo "make demo         boot the test VM, load mmscope.ko, run a workload, show the report"
	@echo "make deps         install what building needs (as root; otherwise print the command)"
	@echo "make test-deps    install what the test kernel, the VM and the tests need"
	@echo "make kernel       build the patched 7.2 debug test kernel into $(CACHE) (cached)"
	@echo "make kernel-release   the patched kernel without debug options"
	@echo "make vmlinux-h    regenerate $(VMLINUX_H) from the test kernel (VMLINUX_BTF=file: from that)"
	@echo "make vm-test [T=glob,...]   VM tests only, each on its kernel (vm-test-debug, vm-test-release)"
	@echo "make vm-test-big            the big-* tests in a $(VM_MEM_BIG) MiB guest (VM_MEM_BIG=)"
	@echo "make vm-test-stress         the reliability load/unload test on the debug kernel"
	@echo "make vm-test-debian [FLAVOUR=amd64|rt]  module, tracers, slab on Debian sid's own kernel"
	@echo "make module-debian [FLAVOUR=]  mmscope.ko against Debian sid's headers, in a sid root"
	@echo "make vm-test-kcsan [T=...]  race and module tests on a KCSAN kernel (by hand, not in 'make test')"
	@echo "make vm-shell               interactive guest shell, module loaded"
	@echo "make vm-run SCRIPT=path     run a script in the guest, exit with its status"
	@echo "make study [STUDY_KERNELS=release]  the MM-ID study: real workloads audited in the VM -> docs/study-mmid.md"
	@echo "make checkpatch   checkpatch --strict on module/ and patches/"
	@echo "make series-check each patch builds on its own; the series without THP, DAMON, SLUB_STATS"
	@echo "make install      mmscope, its man page and bash completion under PREFIX=$(PREFIX) (DESTDIR=)"
	@echo "make uninstall    remove what make install put there"
	@echo "make modules_install   mmscope.ko for KDIR's kernel (INSTALL_MOD_PATH=, DESTDIR=); dkms.conf for DKMS"
	@echo "make bench        mmscope vs bpftrace: start-up and per-event cost (root)"
	@echo "variables: KDIR=<kernel build tree>  BUILD=$(BUILD)  CACHE=$(CACHE)  V=1"
	@echo "           LIBBPF_DIR=/usr|pkg-config  STATIC=0|1  CLANG=  BPFTOOL="

# --- dependencies ---------------------------------------------------------
# Building only checks for its tools and names the packages; installing is
# asked for: deps (build), test-deps (test kernel, VM, tests, benchmarks).
deps:
	$(Q)tests/setup/deps.sh build

test-deps:
	$(Q)tests/setup/deps.sh test

kernel-deps:
	$(Q)tests/setup/deps.sh kernel

# Once per build directory (and when the list changes).
$(BUILD)/.build-deps: tests/setup/deps.sh
	$(Q)CC="$(CC)" tests/setup/deps.sh --check build
	$(Q)mkdir -p $(@D) && touch $@

build-deps: $(BUILD)/.build-deps

# --- the test kernel ------------------------------------------------------

# Both lanes of make test ask for the debug kernel: a temporary file of
# each shell's own, so neither moves the other's away.
kernel: kernel-deps
	$(Q)mkdir -p $(BUILD)
	$(Q)tests/vm/build-kernel.sh $(CACHE) patched > $(TEST_KDIR_FILE).$$$$.tmp && \
		mv $(TEST_KDIR_FILE).$$$$.tmp $(TEST_KDIR_FILE) || { rm -f $(TEST_KDIR_FILE).$$$$.tmp; exit 1; }
	$(Q)echo "  KERNEL  $$(cat $(TEST_KDIR_FILE))"

# The VM suite runs on the patched kernel with debug options; the release
# suite and benchmarks on the patched kernel without them.
kernel-release: kernel-deps
	$(Q)mkdir -p $(BUILD)
	$(Q)tests/vm/build-kernel.sh $(CACHE) patched-release > $(BUILD)/kernel-release.path.tmp
	$(Q)mv $(BUILD)/kernel-release.path.tmp $(BUILD)/kernel-release.path
	$(Q)echo "  KERNEL  $$(cat $(BUILD)/kernel-release.path)"

# --- the module -----------------------------------------------------------

no-module:
	@echo "  MODULE  skipped: no kernel build tree at $(HOST_KDIR); make KDIR=<tree> builds mmscope.ko"

module:
	$(Q)test -f "$(KDIR)/Makefile" || { echo "no kernel build tree at KDIR=$(or $(KDIR),$(HOST_KDIR)):" \
		"install your kernel's headers package, pass KDIR=, or 'make kernel' for the test kernel" >&2; exit 1; }
	$(Q)mkdir -p $(BUILD)/module
	$(Q)$(MAKE) -C $(KDIR) M=$(CURDIR) MO=$(abspath $(BUILD))/module modules \
		$(if $(filter 1,$(V)),V=1,-s)
	$(Q)echo "  MODULE  $(BUILD)/module/mmscope.ko (against $(KDIR))"

# --- BPF objects and skeletons --------------------------------------------

VMLINUX_H_DEP := $(if $(wildcard $(VMLINUX_H)),$(VMLINUX_H),no-vmlinux-h)
no-vmlinux-h:
	@echo "no $(VMLINUX_H) for this architecture: generate it with" \
		"'make vmlinux-h VMLINUX_BTF=<a 7.x vmlinux, or /sys/kernel/btf/vmlinux>'" >&2; exit 1

# The checked-in header, from the patched test kernel's vmlinux (its BTF
# has every type the programs name) or from VMLINUX_BTF.
vmlinux-h: $(if $(VMLINUX_BTF),,kernel)
	$(Q)mkdir -p $(VMLINUX_H_DIR)
	$(Q)btf="$(or $(VMLINUX_BTF),$$(cat $(TEST_KDIR_FILE) 2>/dev/null)/vmlinux)"; \
	tree=$$(dirname "$$btf"); \
	echo "  BTF     $$btf -> $(VMLINUX_H)"; \
	{ echo "/* Generated by 'make vmlinux-h' from the BTF of $$(basename "$$tree")" \
		"($$(cat "$$tree/include/config/kernel.release" 2>/dev/null || echo "$$btf"), $(ARCH_BPF)). */"; \
	  $(BPFTOOL) btf dump file "$$btf" format c; } > $(VMLINUX_H).tmp && mv $(VMLINUX_H).tmp $(VMLINUX_H)

$(LIBBPF_OWN)/lib/libbpf.a: | $(BUILD)/.build-deps
	$(Q)tests/setup/fetch-orig.sh $(CACHE) $(LIBBPF_SRC) libbpf
	$(Q)echo "  LIBBPF  $$(cat $(LIBBPF_SRC)/.mmscope-source) -> $@"
	$(Q)$(MAKE) --no-print-directory -s -C $(LIBBPF_SRC)/src BUILD_STATIC_ONLY=1 \
		OBJDIR=$(abspath $(BUILD))/libbpf/obj DESTDIR=$(abspath $(BUILD))/libbpf \
		PREFIX=/usr LIBDIR=/usr/lib install > /dev/null

# Only the daemon library: no TLS, documentation, examples or curl tests.
$(MHD_OWN)/lib/libmicrohttpd.a: | $(BUILD)/.build-deps
	$(Q)tests/setup/fetch-orig.sh $(CACHE) $(MHD_SRC) libmicrohttpd
	$(Q)echo "  MHD     $$(cat $(MHD_SRC)/.mmscope-source) -> $@"
	$(Q)rm -rf $(BUILD)/microhttpd/obj && mkdir -p $(BUILD)/microhttpd/obj
	$(Q)cd $(BUILD)/microhttpd/obj && $(MHD_SRC)/configure --quiet --prefix=$(abspath $(MHD_OWN)) \
		--libdir=$(abspath $(MHD_OWN))/lib --enable-static --disable-shared --disable-https \
		--without-gnutls --disable-doc --disable-examples --disable-curl --disable-nls \
		> configure.log 2>&1 || { tail -n 20 configure.log >&2; exit 1; }
	$(Q)$(MAKE) --no-print-directory -s -C $(BUILD)/microhttpd/obj install > /dev/null

ifneq ($(LIBBPF_DIR),$(LIBBPF_OWN))
$(LIBBPF_A):
	@test -f $(LIBBPF_INC)/bpf/libbpf.h || { echo "no libbpf headers in $(LIBBPF_INC) (LIBBPF_DIR=$(LIBBPF_DIR)):" \
		"install libbpf-dev (Debian) or libbpf-devel (Fedora), or leave LIBBPF_DIR unset" >&2; exit 1; }
endif

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(VMLINUX_H_DEP) $(wildcard bpf/*.h) | $(LIBBPF_A) $(BUILD)/.build-deps
	$(Q)mkdir -p $(@D)
	$(Q)echo "  CLANG   $@"
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp.o
	$(Q)$(BPFTOOL) gen object $@ $@.tmp.o && rm -f $@.tmp.o

$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(Q)echo "  SKEL    $@"
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@.tmp && mv $@.tmp $@

bpf: $(BPF_SKELS)

# --- the CLI --------------------------------------------------------------

$(BUILD)/user/%.o: user/%.c $(BPF_SKELS) $(USER_HDRS) $(wildcard bpf/*.h) | $(LIBBPF_A) $(MHD_DEP)
	$(Q)mkdir -p $(@D)
	$(Q)echo "  CC      $@"
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(MMSCOPE): $(USER_OBJS)
	$(Q)mkdir -p $(@D)
	$(Q)echo "  LD      $@$(if $(filter 1,$(STATIC)),, (dynamic$(if $(STATIC_MISSING),: no $(STATIC_MISSING))))"
	$(Q)$(CC) -o $@ $^ $(USER_LIBS)

$(LIB_A): $(LIB_OBJS)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

user: $(MMSCOPE)

# --- tests ----------------------------------------------------------------

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIB_A) $(wildcard tests/unit/*.h)
	$(Q)mkdir -p $(@D)
	$(Q)echo "  CC      $@"
	$(Q)$(CC) $(USER_CFLAGS) -Itests/unit -o $@ $< $(LIB_A) $(USER_LIBS)

# Helpers of the host tests (tests/host/*.c): BPF verification counts.
# They link the CLI's library for what they share with it (the verifier's
# verdict in a load log: backends/probe.c).
$(BUILD)/tests/host/%: tests/host/%.c $(LIB_A) | $(LIBBPF_A)
	$(Q)mkdir -p $(@D)
	$(Q)echo "  CC      $@"
	$(Q)$(CC) $(USER_CFLAGS) -o $@ $< $(LIB_A) $(USER_LIBS)

# Workloads run in the guest, which has no shared libraries.
$(BUILD)/tests/%: tests/workloads/%.c $(wildcard tests/workloads/*.h)
	$(Q)mkdir -p $(@D)
	$(Q)echo "  CC      $@"
	$(Q)$(CC) -O2 -g -Wall -Wextra -Werror -static -o $@ $<

workloads: $(WORK_BINS)

# What both lanes of `make test` need, built before they start
# (tests/run-all.sh): the lanes then share no build step.
test-prep: test-deps kernel-release user workloads $(UNIT_BINS) $(HOST_TOOLS)

host-test: test-prep kernel-debian
	$(Q)tests/host/run.sh $(BUILD)

# The guest always gets a module built against the kernel it boots,
# whatever KDIR this tree was built for.
vm-prep: kernel test-deps
	$(Q)$(debug-module-locked) all workloads KDIR=$$(cat $(TEST_KDIR_FILE))
	$(Q)$(call copy-kunit,$$(cat $(TEST_KDIR_FILE)),$(BUILD))

# The series' kunit test module, for t-patch-kunit.sh (debug kernel only).
copy-kunit = ko=$(1)/lib/tests/slub_kunit.ko; rm -f $(2)/module/slub_kunit.ko; \
	if [ -f $$ko ]; then mkdir -p $(2)/module && cp $$ko $(2)/module/; fi

# Tests that need no debug option run on the release kernel (tests name
# their kernel in a "# vm-kernel:" line): a module built against it, and
# the CLI and workloads copied beside it.
RELEASE_BUILD := $(BUILD)/release
vm-prep-release: kernel-release test-deps user workloads
	$(Q)$(MAKE) --no-print-directory module KDIR=$$(cat $(BUILD)/kernel-release.path) BUILD=$(RELEASE_BUILD)
	$(Q)mkdir -p $(RELEASE_BUILD)/bin $(RELEASE_BUILD)/tests
	$(Q)cp $(MMSCOPE) $(RELEASE_BUILD)/bin/
	$(Q)cp $(WORK_BINS) $(RELEASE_BUILD)/tests/

# Both suites; T= picks tests by name (globs), each on its own kernel.
vm-test: vm-test-debug vm-test-stress vm-test-release

vm-test-debug: vm-prep
	$(Q)tests/vm/suite.sh debug "$$(cat $(TEST_KDIR_FILE))" $(BUILD) '$(or $(T),*)'

vm-test-release: vm-prep-release
	$(Q)tests/vm/suite.sh release "$$(cat $(BUILD)/kernel-release.path)" $(RELEASE_BUILD) '$(or $(T),*)'

# The `make check` VM run: module, one query per area, one trace (t-smoke).
vm-smoke: vm-prep-release
	$(Q)MMSCOPE_VM_OUT=$(RELEASE_BUILD)/vm-smoke \
		tests/vm/suite.sh smoke "$$(cat $(BUILD)/kernel-release.path)" $(RELEASE_BUILD)

# KCSAN, by hand and not part of `make test`: the race and module tests on
# the patched kernel with KCSAN instead of KASAN (kernel-kcsan.config).  A
# data race report fails the test that was running, like any splat.
KCSAN_BUILD := $(BUILD)/kcsan
KCSAN_T ?= reliability-rmap-race,reliability-races,module-*,mmid-*
kernel-kcsan: kernel-deps
	$(Q)mkdir -p $(BUILD)
	$(Q)tests/vm/build-kernel.sh $(CACHE) patched-kcsan > $(BUILD)/kernel-kcsan.path.tmp
	$(Q)mv $(BUILD)/kernel-kcsan.path.tmp $(BUILD)/kernel-kcsan.path
	$(Q)echo "  KERNEL  $$(cat $(BUILD)/kernel-kcsan.path)"

vm-prep-kcsan: kernel-kcsan test-deps user workloads
	$(Q)$(MAKE) --no-print-directory module KDIR=$$(cat $(BUILD)/kernel-kcsan.path) BUILD=$(KCSAN_BUILD)
	$(Q)mkdir -p $(KCSAN_BUILD)/bin $(KCSAN_BUILD)/tests
	$(Q)cp $(MMSCOPE) $(KCSAN_BUILD)/bin/
	$(Q)cp $(WORK_BINS) $(KCSAN_BUILD)/tests/

vm-test-kcsan: vm-prep-kcsan
	$(Q)tests/vm/suite.sh kcsan "$$(cat $(BUILD)/kernel-kcsan.path)" $(KCSAN_BUILD) '$(or $(T),$(KCSAN_T))'

# The big and stress guests boot the debug kernel in the other lane of make
# test from vm-test-debug: each gets copies of its own in build directory
# $(1), so that no two share output.  The module against the debug kernel
# is built once, in $(BUILD)/module, under a lock both lanes take.
debug-module-locked = mkdir -p $(BUILD) && flock $(BUILD)/.debug-module.lock \
	$(MAKE) --no-print-directory
define prep-debug-guest
	$(Q)$(debug-module-locked) module KDIR=$$(cat $(TEST_KDIR_FILE))
	$(Q)mkdir -p $(1)/bin $(1)/tests $(1)/module
	$(Q)cp $(BUILD)/module/mmscope.ko $(1)/module/
	$(Q)cp $(MMSCOPE) $(1)/bin/
	$(Q)cp $(WORK_BINS) $(1)/tests/
endef

# Resource bounds need a large guest: a boot of its own for the big-* tests.
VM_MEM_BIG ?= 8192
BIG_BUILD := $(BUILD)/big
vm-prep-big: kernel test-deps user workloads
	$(call prep-debug-guest,$(BIG_BUILD))

vm-test-big: vm-prep-big
	$(Q)MMSCOPE_VM_MEM=$(VM_MEM_BIG) MMSCOPE_VM_OUT=$(BIG_BUILD)/vm \
		tests/vm/suite.sh big "$$(cat $(TEST_KDIR_FILE))" $(BIG_BUILD) '$(or $(T),*)'

# The longest reliability test, in a boot of its own with its kmemleak
# scan: make test runs it in lane B, beside the debug suite.
STRESS_BUILD := $(BUILD)/stress
vm-prep-stress: kernel test-deps user workloads
	$(call prep-debug-guest,$(STRESS_BUILD))

vm-test-stress: vm-prep-stress
	$(Q)MMSCOPE_VM_OUT=$(STRESS_BUILD)/vm \
		tests/vm/suite.sh stress "$$(cat $(TEST_KDIR_FILE))" $(STRESS_BUILD) '$(or $(T),*)'

# Debian's own kernel: the module built against Debian's headers with
# Debian's compiler, in a minimal sid root (tests/setup/sid-module.sh).
module-debian:
	$(Q)tests/setup/sid-module.sh $(CACHE) $(DEBIAN_RELEASE) $(DEBIAN_BUILD)

# The kernel a Debian user runs, unpatched, must load the module and report
# the series' parts as missing; the tracers, `mmscope slab` without
# SLUB_STATS and the mapcount benchmark (on per-page mapcounts) run there.
# Tests name it in their "# vm-kernel:" line.
kernel-debian:
	$(Q)mkdir -p $(DEBIAN_BUILD)
	$(Q)tests/vm/debian-kernel.sh $(CACHE) $(DEBIAN_RELEASE) > $(DEBIAN_BUILD)/kernel.path.tmp
	$(Q)mv $(DEBIAN_BUILD)/kernel.path.tmp $(DEBIAN_BUILD)/kernel.path

vm-test-debian: test-deps user workloads module-debian kernel-debian
	$(Q)mkdir -p $(DEBIAN_BUILD)/bin $(DEBIAN_BUILD)/tests
	$(Q)cp $(MMSCOPE) $(DEBIAN_BUILD)/bin/
	$(Q)cp $(WORK_BINS) $(DEBIAN_BUILD)/tests/
	$(Q)tests/vm/suite.sh debian "$$(tail -n 1 $(DEBIAN_BUILD)/kernel.path)" $(DEBIAN_BUILD) '$(or $(T),*)'

# What CI runs: host tests and every VM suite, then a table of margins.
test: test-deps
	$(Q)tests/run-all.sh test $(MAKE) $(BUILD)

# The developers' loop: unit and host tests, and the smoke run on the
# release kernel (about 1 s to boot).
check: test-deps
	$(Q)tests/run-all.sh check $(MAKE) $(BUILD)

vm-shell: vm-prep
	$(Q)tests/vm/qemu.sh "$$(cat $(TEST_KDIR_FILE))" $(BUILD) shell

vm-run: vm-prep
	$(Q)test -n "$(SCRIPT)" || { echo "usage: make vm-run SCRIPT=path/to/script" >&2; exit 2; }
	$(Q)tests/vm/qemu.sh "$$(cat $(TEST_KDIR_FILE))" $(BUILD) run $(abspath $(SCRIPT))

# The demo on the release kernel; its DAMON record and plot land in
# $(RELEASE_BUILD)/demo.
demo: vm-prep-release
	$(Q)MMSCOPE_VM_OUT=$(RELEASE_BUILD)/vm-demo MMSCOPE_VM_TCG_THREAD=single \
		tests/vm/qemu.sh "$$(cat $(BUILD)/kernel-release.path)" $(RELEASE_BUILD) run $(CURDIR)/tests/demo/demo.sh
	$(Q)echo "demo: the DAMON record and its plot: $(RELEASE_BUILD)/demo/tune.jsonl, $(RELEASE_BUILD)/demo/tune.svg"

# The MM-ID study (by hand, not in `make test`): real programs from Debian
# sid in the guest, with mTHP 16K-2M on, audited while they run, on the
# release kernel (NO_PAGE_MAPCOUNT) and on Debian's (per-page mapcounts);
# tests/study/report.py writes docs/study-mmid.md.  STUDY_KERNELS=release
# runs one kernel; STUDY_SECS, STUDY_WORKLOADS: tests/study/run.sh.
STUDY_KERNELS ?= release debian
study: user workloads $(if $(filter release,$(STUDY_KERNELS)),vm-prep-release) \
		$(if $(filter debian,$(STUDY_KERNELS)),module-debian kernel-debian)
	$(Q)tests/study/run.sh $(BUILD) $(STUDY_KERNELS)

# Every step of the series, and the whole series with THP, DAMON or
# SLUB_STATS off, compiles (by hand: about 10 minutes, not part of test).
series-check: kernel-deps
	$(Q)tests/setup/series-check.sh $(CACHE)

checkpatch: kernel
	$(Q)tests/setup/checkpatch.sh "$$(cat $(TEST_KDIR_FILE))"

clean:
	$(Q)rm -rf $(BUILD)

distclean: clean
	$(Q)rm -rf $(CACHE)

# --- install and benchmark -------------------------------------------------

PREFIX  ?= /usr/local
DESTDIR ?=
# The module goes under $(INSTALL_MOD_PATH)/lib/modules/<KDIR's release>/
# (Kbuild's layout: updates/ for an out-of-tree module), below DESTDIR too.
INSTALL_MOD_PATH ?=
INSTALL_FILES := $(DESTDIR)$(PREFIX)/sbin/mmscope \
	$(DESTDIR)$(PREFIX)/share/man/man8/mmscope.8 \
	$(DESTDIR)$(PREFIX)/share/bash-completion/completions/mmscope

.PHONY: bench
install: user
	$(Q)install -D -m 0755 $(MMSCOPE) $(DESTDIR)$(PREFIX)/sbin/mmscope
	$(Q)install -D -m 0644 man/mmscope.8 $(DESTDIR)$(PREFIX)/share/man/man8/mmscope.8
	$(Q)install -D -m 0644 completion/mmscope.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/mmscope
	$(Q)for f in $(INSTALL_FILES); do echo "  INSTALL $$f"; done

# What install put there, and nothing else (directories stay).
uninstall:
	$(Q)for f in $(INSTALL_FILES); do \
		if [ -e "$$f" ]; then rm -f "$$f" && echo "  RM      $$f"; fi; \
	done

# Kbuild installs (and, as the kernel's config says, compresses and signs)
# the module and runs depmod; with DKMS (dkms.conf) it is rebuilt on kernel
# upgrades.  A distribution's headers have no signing key: then the module
# is installed unsigned rather than with sign-file's errors (only a kernel
# with MODULE_SIG_FORCE refuses it; Debian's does not).
MODSIG_KEY = $(shell sed -n 's/^CONFIG_MODULE_SIG_KEY="\(.*\)"$$/\1/p' $(KDIR)/.config 2>/dev/null)
MODSIG_OFF = $(if $(filter-out pkcs11:%,$(MODSIG_KEY)),$(if $(wildcard \
	$(if $(filter /%,$(MODSIG_KEY)),,$(KDIR)/)$(MODSIG_KEY)),,CONFIG_MODULE_SIG_ALL=))
modules_install: module
	$(Q)$(MAKE) -C $(KDIR) M=$(CURDIR) MO=$(abspath $(BUILD))/module modules_install $(MODSIG_OFF) \
		INSTALL_MOD_PATH=$(abspath $(DESTDIR)$(INSTALL_MOD_PATH)) $(if $(filter 1,$(V)),V=1,-s)
	$(Q)echo "  INSTALL mmscope.ko for $$(cat $(KDIR)/include/config/kernel.release) under $(or $(DESTDIR)$(INSTALL_MOD_PATH),/)"

# Start-up, memory and per-event cost of mmscope vs bpftrace vs an empty
# program; run by hand, as root, on an otherwise idle machine.
bench: user workloads
	$(Q)tests/bench/bench-trace.py $(BUILD)
