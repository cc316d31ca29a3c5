# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# mip6lb build.  `make` builds everything into $(OUTPUT); `make check` runs
# the tests; `make demo` runs the namespaced roaming demo; `make bench`
# prints the benchmark table.  V=1 shows the commands.

OUTPUT      ?= build
CLANG       ?= clang
CC          ?= gcc
BPFTOOL     ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
PKG_CONFIG  ?= pkg-config
ARCH        := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
MAKEFLAGS += --no-print-directory
endif

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.PHONY: all deps check unit netns bench demo fuzz check-asan clean install vmlinux vectors

# ---- dependencies -------------------------------------------------------
# `make`, `make check`, `make demo` and `make bench` install missing packages
# first (as root); the stamp keeps it to one probe per build.
DEPS_STAMP := $(OUTPUT)/.deps-ok
deps:
	$(Q)bash scripts/deps.sh
	$(Q)mkdir -p $(OUTPUT) && touch $(DEPS_STAMP)

$(DEPS_STAMP): scripts/deps.sh
	$(Q)bash scripts/deps.sh
	$(Q)mkdir -p $(OUTPUT) && touch $@

# pkg-config is only asked once deps are present.
PKGS        := libbpf libxdp inih json-c libpcap libsodium libmnl
# mip6lbd's Prometheus endpoint (loader/metrics.c).
PKGS        += libmicrohttpd
PKG_CFLAGS   = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS     = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lelf -lz
CHECK_LIBS   = $(shell $(PKG_CONFIG) --libs check 2>/dev/null)

# ---- flags --------------------------------------------------------------
CFLAGS      ?= -O2 -g
WARN        := -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
# DIR_INCS is set per folder below: a folder sees its own headers, lib/ and
# bpf/ (the shared types), and no other program's folder.
USER_CFLAGS  = $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -MMD -MP \
	       $(DIR_INCS) -I$(OUTPUT) $(PKG_CFLAGS)
BPF_CFLAGS  := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall \
	       -Wno-compare-distinct-pointer-types -MMD -MP -Ivmlinux -Ibpf

# ---- sources ------------------------------------------------------------
BPF_SRC     := bpf/mip6lb.bpf.c
BPF_OBJ     := $(OUTPUT)/mip6lb.bpf.o
SKEL        := $(OUTPUT)/mip6lb.skel.h
# The backends' ip6ip6 decapsulator, a program of its own (mip6lb-decap).
DECAP_BPF_SRC := bpf/decap.bpf.c
DECAP_BPF_OBJ := $(OUTPUT)/decap.bpf.o
DECAP_SKEL  := $(OUTPUT)/decap.skel.h
# mip6lbd's health probes: tc egress, a program of its own (loader/health_tc.c).
HEALTH_BPF_SRC := bpf/health.bpf.c
HEALTH_BPF_OBJ := $(OUTPUT)/health.bpf.o
HEALTH_SKEL := $(OUTPUT)/health.skel.h
# Test-only BPF programs (benchmark floors, wrappers).
TEST_BPF_SRCS := $(wildcard selftests/bpf/*.bpf.c)
TEST_BPF_OBJS := $(patsubst selftests/bpf/%.bpf.c,$(OUTPUT)/selftests/%.bpf.o,$(TEST_BPF_SRCS))
# Helper programs the namespace scenarios run (selftests/netns/*.c).
NETNS_TOOLS := $(patsubst selftests/netns/%.c,$(OUTPUT)/selftests/%,$(wildcard selftests/netns/*.c))

# One folder per program over lib/.  lib/*.c is libmip6lb.a: only code that
# two or more programs link, and it includes no program's header.  Each
# program folder is an archive of its own besides its main, so the tests can
# link the daemon's and the agent's code without their mains.
LIB_SRCS    := $(wildcard lib/*.c)
LIB         := $(OUTPUT)/libmip6lb.a
DAEMON_MAIN := loader/mip6lbd.c
AGENT_MAIN  := agent/mip6lb-agent.c
CLI_MAIN    := cli/mip6lbctl.c
DECAP_MAIN  := decap/mip6lb-decap.c
DAEMON_LIB  := $(OUTPUT)/loader/libmip6lbd.a
AGENT_LIB   := $(OUTPUT)/agent/libagent.a
CLI_LIB     := $(OUTPUT)/cli/libcli.a
DECAP_LIB   := $(OUTPUT)/decap/libdecap.a
SELFTEST_LIB := $(OUTPUT)/selftests/lib/libselftest.a
objs_of      = $(patsubst %.c,$(OUTPUT)/%.o,$(1))
LIB_OBJS    := $(call objs_of,$(LIB_SRCS))
DAEMON_OBJS := $(call objs_of,$(filter-out $(DAEMON_MAIN),$(wildcard loader/*.c)))
AGENT_OBJS  := $(call objs_of,$(filter-out $(AGENT_MAIN),$(wildcard agent/*.c)))
CLI_SRCS    := $(wildcard cli/*.c)
CLI_OBJS    := $(call objs_of,$(filter-out $(CLI_MAIN),$(CLI_SRCS)))
DECAP_SRCS  := $(wildcard decap/*.c)
DECAP_OBJS  := $(call objs_of,$(filter-out $(DECAP_MAIN),$(DECAP_SRCS)))
SELFTEST_OBJS := $(call objs_of,$(wildcard selftests/lib/*.c))
UNIT_SRCS   := $(wildcard selftests/unit/*.c)
UNIT_OBJS   := $(call objs_of,$(UNIT_SRCS))
BENCH_SRCS  := $(wildcard selftests/bench/*.c)
BENCH_OBJS  := $(call objs_of,$(BENCH_SRCS))
PROTOVECTORS := $(OUTPUT)/selftests/protovectors

$(OUTPUT)/lib/%.o:       DIR_INCS := -Ilib -Ibpf
$(OUTPUT)/loader/%.o:    DIR_INCS := -Iloader -Ilib -Ibpf
$(OUTPUT)/agent/%.o:     DIR_INCS := -Iagent -Ilib -Ibpf
$(OUTPUT)/cli/%.o:       DIR_INCS := -Icli -Ilib -Ibpf
$(OUTPUT)/decap/%.o:     DIR_INCS := -Idecap -Ilib -Ibpf
$(OUTPUT)/selftests/%.o: DIR_INCS := -Iselftests/lib -Iloader -Iagent -Icli -Idecap -Ilib -Ibpf

PROGS := $(if $(wildcard $(DAEMON_MAIN)),$(OUTPUT)/mip6lbd) \
	 $(if $(wildcard $(AGENT_MAIN)),$(OUTPUT)/mip6lb-agent) \
	 $(if $(CLI_SRCS),$(OUTPUT)/mip6lbctl) \
	 $(if $(DECAP_SRCS),$(OUTPUT)/mip6lb-decap)

all: $(DEPS_STAMP) $(BPF_OBJ) $(SKEL) $(DECAP_BPF_OBJ) $(DECAP_SKEL) $(HEALTH_SKEL) $(LIB) $(PROGS) $(TEST_BPF_OBJS) \
	$(NETNS_TOOLS) \
	$(OUTPUT)/unit_tests $(if $(BENCH_SRCS),$(OUTPUT)/mip6lb-bench) $(PROTOVECTORS)

# ---- BPF ----------------------------------------------------------------
$(BPF_OBJ): $(BPF_SRC) $(DEPS_STAMP)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(SKEL): $(BPF_OBJ)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name mip6lb > $@

$(DECAP_BPF_OBJ): $(DECAP_BPF_SRC) $(DEPS_STAMP)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(DECAP_SKEL): $(DECAP_BPF_OBJ)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name mip6lb_decap > $@

$(HEALTH_BPF_OBJ): $(HEALTH_BPF_SRC) $(DEPS_STAMP)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(HEALTH_SKEL): $(HEALTH_BPF_OBJ)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name mip6lb_health > $@

$(OUTPUT)/selftests/%.bpf.o: selftests/bpf/%.bpf.c $(DEPS_STAMP)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(NETNS_TOOLS): $(OUTPUT)/selftests/%: selftests/netns/%.c $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -o $@ $<

# Refresh the checked-in vmlinux.h from this host's kernel BTF.
vmlinux:
	$(call msg,GEN,vmlinux/vmlinux.h)
	$(Q)test -r /sys/kernel/btf/vmlinux || { echo "no /sys/kernel/btf/vmlinux on this host; keeping the checked-in vmlinux/vmlinux.h" >&2; exit 1; }
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/vmlinux.h.tmp
	$(Q)mv vmlinux/vmlinux.h.tmp vmlinux/vmlinux.h

# ---- userspace ----------------------------------------------------------
# Only the sources that include the skeleton wait for the BPF build; -MMD
# covers every other header.
SKEL_USERS  := $(shell grep -l 'mip6lb.skel.h' lib/*.c loader/*.c agent/*.c cli/*.c selftests/*/*.c 2>/dev/null)
$(patsubst %.c,$(OUTPUT)/%.o,$(SKEL_USERS)): $(SKEL)
DECAP_SKEL_USERS := $(shell grep -l 'decap.skel.h' decap/*.c selftests/*/*.c 2>/dev/null)
$(patsubst %.c,$(OUTPUT)/%.o,$(DECAP_SKEL_USERS)): $(DECAP_SKEL)
HEALTH_SKEL_USERS := $(shell grep -l 'health.skel.h' loader/*.c selftests/*/*.c 2>/dev/null)
$(patsubst %.c,$(OUTPUT)/%.o,$(HEALTH_SKEL_USERS)): $(HEALTH_SKEL)
$(patsubst %.c,$(OUTPUT)/fuzz/obj/%.o,$(HEALTH_SKEL_USERS)): $(HEALTH_SKEL)

$(OUTPUT)/%.o: %.c $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
$(DAEMON_LIB): $(DAEMON_OBJS)
$(AGENT_LIB): $(AGENT_OBJS)
$(CLI_LIB): $(CLI_OBJS)
$(DECAP_LIB): $(DECAP_OBJS)
$(SELFTEST_LIB): $(SELFTEST_OBJS)
$(LIB) $(DAEMON_LIB) $(AGENT_LIB) $(CLI_LIB) $(DECAP_LIB) $(SELFTEST_LIB):
	$(call msg,AR,$@)
	$(Q)mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUTPUT)/mip6lbd: $(call objs_of,$(DAEMON_MAIN)) $(DAEMON_LIB) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

$(OUTPUT)/mip6lb-agent: $(call objs_of,$(AGENT_MAIN)) $(AGENT_LIB) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

$(OUTPUT)/mip6lbctl: $(call objs_of,$(CLI_MAIN)) $(CLI_LIB) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

$(OUTPUT)/mip6lb-decap: $(call objs_of,$(DECAP_MAIN)) $(DECAP_LIB) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

# The tests link every program's code but its main.
TEST_LIBS   := $(SELFTEST_LIB) $(DAEMON_LIB) $(AGENT_LIB) $(CLI_LIB) $(DECAP_LIB) $(LIB)
$(OUTPUT)/unit_tests: $(UNIT_OBJS) $(TEST_LIBS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS)

# docs/protocol-vectors.json's generator (`make vectors` rewrites the file;
# test_proto checks the file against the codec and the acceptance path).
$(PROTOVECTORS): $(call objs_of,selftests/tools/protovectors.c) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

vectors: $(PROTOVECTORS)
	$(call msg,GEN,docs/protocol-vectors.json)
	$(Q)$(PROTOVECTORS) > docs/protocol-vectors.json.tmp
	$(Q)mv docs/protocol-vectors.json.tmp docs/protocol-vectors.json

$(OUTPUT)/mip6lb-bench: $(BENCH_OBJS) $(TEST_LIBS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) -lm

# ---- tests, demo, bench -------------------------------------------------
# The unit runner also runs the namespace scenarios (as root) and the
# benchmark smoke mode, so its Check summary is the last line of the run.
check: all
	$(Q)CK_VERBOSITY=$${CK_VERBOSITY:-verbose} MIP6LB_BUILD=$(abspath $(OUTPUT)) MIP6LB_SRC=$(CURDIR) \
		$(OUTPUT)/unit_tests

unit: all
	$(Q)MIP6LB_BUILD=$(abspath $(OUTPUT)) MIP6LB_SRC=$(CURDIR) \
		MIP6LB_NO_NETNS=1 $(OUTPUT)/unit_tests

demo: all
	$(Q)bash selftests/netns/demo.sh

bench: all
	$(Q)MIP6LB_BUILD=$(abspath $(OUTPUT)) MIP6LB_SRC=$(CURDIR) $(OUTPUT)/mip6lb-bench $(if $(QUICK),--quick) --json $(OUTPUT)/bench.json

# Fuzzers: libFuzzer + ASan/UBSan, one selftests/fuzz/fuzz_*.c per input
# decoder (docs/TESTING.md lists them).  Every program's code but the mains
# is built once with the fuzzer's instrumentation into one archive, so a
# target links only what it calls.  `make fuzz FUZZ_SECONDS=60` runs each
# target that long from its seeds (selftests/fuzz/seeds/TARGET, plus
# mkseeds' generated ones) and stops at the first finding;
# FUZZ_TARGETS="fuzz_ctl fuzz_feed" runs only those.
FUZZ_SECONDS ?= 30
FUZZ_SRCS   := $(wildcard selftests/fuzz/fuzz_*.c)
FUZZ_NAMES  := $(patsubst selftests/fuzz/%.c,%,$(FUZZ_SRCS))
FUZZ_TARGETS ?= $(FUZZ_NAMES)
FUZZ_SEEDS  := $(OUTPUT)/fuzz/mkseeds
FUZZ_BINS   := $(addprefix $(OUTPUT)/fuzz/,$(FUZZ_NAMES))
FUZZ_CFLAGS := -g -O1 -MMD -MP -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	       -fno-omit-frame-pointer -std=gnu11 -D_GNU_SOURCE -Iselftests/fuzz -Iloader -Iagent \
	       -Icli -Ilib -Ibpf -I$(OUTPUT) $(PKG_CFLAGS)
FUZZ_LIB_SRCS := $(filter-out $(DAEMON_MAIN) $(AGENT_MAIN) $(CLI_MAIN), \
		   $(LIB_SRCS) $(wildcard loader/*.c agent/*.c) $(CLI_SRCS)) \
		 selftests/fuzz/fuzzutil.c
FUZZ_LIB    := $(OUTPUT)/fuzz/libfuzz.a
$(patsubst %.c,$(OUTPUT)/fuzz/obj/%.o,$(SKEL_USERS)): $(SKEL)
# Targets that need more than the archive.
FUZZ_EXTRA_fuzz_ctl := $(OUTPUT)/fuzz/obj/selftests/fuzz/fakemaps.o

# The fake maps are the harness, not code under test: sanitized, but no
# coverage feedback (their loops would drown the fuzzer's signal and time).
$(OUTPUT)/fuzz/obj/selftests/fuzz/fakemaps.o: selftests/fuzz/fakemaps.c $(DEPS_STAMP)
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -c $< -o $@

$(OUTPUT)/fuzz/obj/%.o: %.c $(DEPS_STAMP)
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_LIB): $(patsubst %.c,$(OUTPUT)/fuzz/obj/%.o,$(FUZZ_LIB_SRCS))
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

.SECONDEXPANSION:
$(OUTPUT)/fuzz/%: selftests/fuzz/%.c $(FUZZ_LIB) $$(FUZZ_EXTRA_$$*) $(DEPS_STAMP)
	$(call msg,FUZZ-LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_EXTRA_$*) $(FUZZ_LIB) \
		$(PKG_LIBS)

$(FUZZ_SEEDS): selftests/fuzz/mkseeds.c selftests/lib/pktbuild.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O1 -g -Iselftests/lib -o $@ $^

# -close_fd_mask=3: the targets' own output (usage, log lines) is dropped,
# libFuzzer's and the sanitizers' reports are kept.  A finding leaves
# crash-*/leak-*/timeout-* in $(OUTPUT)/fuzz/findings and fails the run.
fuzz: $(addprefix $(OUTPUT)/fuzz/,$(FUZZ_TARGETS)) $(FUZZ_SEEDS)
	$(Q)mkdir -p $(OUTPUT)/fuzz/findings
	$(Q)for t in $(FUZZ_TARGETS); do \
		c=$(abspath $(OUTPUT))/fuzz/corpus-$$t; mkdir -p $$c; \
		if [ -d selftests/fuzz/seeds/$$t ]; then cp -n selftests/fuzz/seeds/$$t/* $$c/; fi; \
		$(FUZZ_SEEDS) $$c $${t#fuzz_} >/dev/null; \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
		$(OUTPUT)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-close_fd_mask=3 -artifact_prefix=$(abspath $(OUTPUT))/fuzz/findings/$$t- \
			$$c > $(OUTPUT)/fuzz/$$t.log 2>&1; rc=$$?; \
		grep -E 'stat::number_of_executed_units|ERROR|SUMMARY' $(OUTPUT)/fuzz/$$t.log; \
		if [ $$rc -ne 0 ]; then echo "fuzz: $$t: finding (exit $$rc), see $(OUTPUT)/fuzz/$$t.log"; exit 1; fi; \
	done

# Sanitizers: the userspace built with AddressSanitizer and
# UndefinedBehaviorSanitizer into its own OUTPUT (the BPF objects as
# usual), then the unit suites and one namespace scenario on it.  Every
# report goes to a file under sanitizer-logs and any file there fails the
# run, whichever process (a forked Check test, mip6lbd in a namespace)
# wrote it.  LeakSanitizer skips only the third-party leaks listed in
# selftests/asan.supp.  `make check` is untouched.
ASAN_OUTPUT   ?= $(OUTPUT)-asan
ASAN_SCENARIO ?= test_08_forwarding
ASAN_CFLAGS   := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
		 -fno-omit-frame-pointer
ASAN_LOGS      = $(abspath $(ASAN_OUTPUT))/sanitizer-logs
ASAN_ENV       = ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:log_path=$(ASAN_LOGS)/asan \
		 LSAN_OPTIONS=suppressions=$(CURDIR)/selftests/asan.supp:print_suppressions=0 \
		 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$(ASAN_LOGS)/ubsan \
		 MIP6LB_BUILD=$(abspath $(ASAN_OUTPUT)) MIP6LB_SRC=$(CURDIR)

check-asan:
	$(Q)$(MAKE) OUTPUT=$(ASAN_OUTPUT) CFLAGS="$(ASAN_CFLAGS)" all
	$(Q)rm -rf $(ASAN_LOGS) && mkdir -p $(ASAN_LOGS)
	$(Q)rc=0; \
	$(ASAN_ENV) MIP6LB_NO_NETNS=1 CK_VERBOSITY=$${CK_VERBOSITY:-normal} $(ASAN_OUTPUT)/unit_tests || rc=1; \
	$(ASAN_ENV) bash selftests/netns/run.sh $(ASAN_SCENARIO) || rc=1; \
	if ls $(ASAN_LOGS)/* >/dev/null 2>&1; then \
		echo "check-asan: sanitizer reports in $(ASAN_LOGS):"; cat $(ASAN_LOGS)/*; rc=1; \
	fi; \
	if [ $$rc -eq 0 ]; then echo "check-asan: clean"; else echo "check-asan: FAILED"; fi; exit $$rc

# Install the programs, units and man pages (DESTDIR and PREFIX honoured).
PREFIX  ?= /usr/local
install: all
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)/etc/systemd/system $(DESTDIR)/etc/mip6lb
	$(Q)install -m 0755 $(OUTPUT)/mip6lbd $(OUTPUT)/mip6lb-agent $(OUTPUT)/mip6lbctl \
		$(OUTPUT)/mip6lb-decap $(DESTDIR)$(PREFIX)/sbin/
	$(Q)install -m 0644 $(wildcard packaging/*.8) $(DESTDIR)$(PREFIX)/share/man/man8/
	$(Q)install -m 0644 packaging/mip6lbd.service packaging/mip6lb-agent.service \
		packaging/mip6lb-decap@.service $(DESTDIR)/etc/systemd/system/
	$(Q)test -e $(DESTDIR)/etc/mip6lb/mip6lb.conf || \
		install -m 0644 packaging/mip6lb.conf.example $(DESTDIR)/etc/mip6lb/mip6lb.conf

clean:
	$(call msg,CLEAN,$(OUTPUT))
	$(Q)rm -rf $(OUTPUT)

-include $(shell find $(OUTPUT) -name '*.d' 2>/dev/null)
