# rtprelay — one entry point. `make help` lists the targets.
#
# Sources and what they build (docs/architecture.md has the layers):
#   bpf/*.bpf.c, tests/bpf/*.bpf.c, tools/bench/bpf/*.bpf.c   BPF objects and skeletons
#   lib/*.c              librtprelay.a: what rtprelayd, rtprelayctl, the tests and the bench share
#   userspace/*/*.c      librtprelayd.a (the daemon's subsystems) + userspace/daemon/main.c
#   tools/ctl/*.c        rtprelayctl (links librtprelay.a only)
#   tools/bench/*.c      one benchmark tool per file
#   tests/unit/test_*.c  cmocka unit tests; tests/tools/*.c, test programs
#   tests/xdp/*.c        xdp_packet_test: the XDP packet cases, frame builder and runner
#   tests/support/*.c    libtestsupport.a: test-only helpers (tone analysis, RTCP parser,
#                        reference checksum) for the test programs and unit tests
BUILD ?= build
CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
PREFIX ?= /usr/local
ARCH_INC := /usr/include/$(shell $(CC) -dumpmachine)

# What each binary links: the CLI needs neither sofia-sip nor the daemon.
COMMON_PKGS := libbpf libmnl glib-2.0
DAEMON_PKGS := $(COMMON_PKGS) sofia-sip-ua sofia-sip-ua-glib
pkg_cflags = $(shell pkg-config --cflags $(1) 2>/dev/null)
pkg_libs = $(shell pkg-config --libs $(1) 2>/dev/null)

WARN := -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
CFLAGS ?= -O2 -g
VERSION := 0.1.0
# Quote includes name their folder: "media/media_stream.h", "lib/g711.h", "bpf/flow_abi.h".
CFLAGS += $(WARN) -std=gnu11 -D_GNU_SOURCE -DRTPRELAY_VERSION=\"$(VERSION)\" -MMD -MP \
	-iquote . -iquote userspace -I$(BUILD)/bpf -I$(BUILD)/tools/bench/bpf \
	$(call pkg_cflags,$(DAEMON_PKGS)) $(EXTRA_CFLAGS)
LDFLAGS += $(EXTRA_LDFLAGS)
BPF_CFLAGS := -O2 -g -target bpf -Wall -iquote . -I$(ARCH_INC)

BPF_SRCS := $(wildcard bpf/*.bpf.c tests/bpf/*.bpf.c tools/bench/bpf/*.bpf.c)
BPF_OBJS := $(patsubst %.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst %.bpf.o,%.skel.h,$(BPF_OBJS))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

COMMON_SRCS := $(wildcard lib/*.c)
COMMON_LIB := $(BUILD)/librtprelay.a
DAEMON_MAIN := userspace/daemon/main.c
DAEMON_SRCS := $(filter-out $(DAEMON_MAIN),$(wildcard userspace/*/*.c))
DAEMON_LIB := $(BUILD)/librtprelayd.a
CTL_SRCS := $(wildcard tools/ctl/*.c)
BENCH_SRCS := $(wildcard tools/bench/*.c)
BENCH_TOOLS := $(patsubst tools/bench/%.c,$(BUILD)/%,$(BENCH_SRCS))
TEST_TOOL_SRCS := $(wildcard tests/tools/*.c)
TEST_TOOLS := $(patsubst tests/tools/%.c,$(BUILD)/tests/%,$(TEST_TOOL_SRCS))
TEST_SUPPORT_SRCS := $(wildcard tests/support/*.c)
TEST_SUPPORT_LIB := $(BUILD)/libtestsupport.a
XDP_TEST_SRCS := $(wildcard tests/xdp/*.c)
XDP_TEST := $(BUILD)/tests/xdp_packet_test
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
ALL_SRCS := $(COMMON_SRCS) $(DAEMON_SRCS) $(DAEMON_MAIN) $(CTL_SRCS) $(BENCH_SRCS) $(TEST_TOOL_SRCS) $(TEST_SUPPORT_SRCS) $(XDP_TEST_SRCS) $(UNIT_SRCS)

DAEMON_LIBS = $(DAEMON_LIB) $(COMMON_LIB) $(call pkg_libs,$(DAEMON_PKGS)) -lpthread -lm

DEPS_STAMP := $(BUILD)/.deps-ok

# Generated headers and objects are kept: other targets include them.
.SECONDARY: $(SKELS) $(BPF_OBJS)

.PHONY: all deps test demo bench install asan clean format help binaries
all: $(DEPS_STAMP)
	@$(MAKE) --no-print-directory binaries

help:
	@echo "make          build rtprelayd, rtprelayctl and the BPF objects into $(BUILD)/"
	@echo "make deps     apt-get install whatever is missing (Debian 12)"
	@echo "make test     build and run every test (root: namespaces, XDP, SIPp)"
	@echo "make demo     namespaces, daemon, real calls, tone and kernel forwarding"
	@echo "make bench    forwarding and call-load benchmarks"
	@echo "make asan     the same build with ASan/UBSan into build-asan/"
	@echo "make install  binaries to $(PREFIX), example config, systemd unit"

# Runs the dependency check once per build directory and again if the list changes.
$(DEPS_STAMP): tools/install-deps.sh
	@bash tools/install-deps.sh
	@mkdir -p $(BUILD) && touch $@

deps:
	@bash tools/install-deps.sh

binaries: $(BUILD)/rtprelayd $(BUILD)/rtprelayctl $(BPF_OBJS) $(BENCH_TOOLS) $(TEST_TOOLS) $(XDP_TEST) $(UNIT_BINS)

$(BUILD)/%.bpf.o: %.bpf.c
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(subst .bpf.o,,$(notdir $<))_bpf > $@

# Every C object waits for the skeletons: some include them, and -MMD only
# learns which after the first build.
$(BUILD)/obj/%.o: %.c | $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(COMMON_LIB): $(call obj,$(COMMON_SRCS))
	@rm -f $@
	ar rcs $@ $^

$(TEST_SUPPORT_LIB): $(call obj,$(TEST_SUPPORT_SRCS))
	@rm -f $@
	ar rcs $@ $^

$(DAEMON_LIB): $(call obj,$(DAEMON_SRCS))
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/rtprelayd: $(call obj,$(DAEMON_MAIN)) $(DAEMON_LIB) $(COMMON_LIB)
	$(CC) $(LDFLAGS) -o $@ $< $(DAEMON_LIBS)

$(BUILD)/rtprelayctl: $(call obj,$(CTL_SRCS)) $(COMMON_LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pkg_libs,$(COMMON_PKGS))

$(BUILD)/%: $(BUILD)/obj/tools/bench/%.o $(DAEMON_LIB) $(COMMON_LIB)
	$(CC) $(LDFLAGS) -o $@ $< $(DAEMON_LIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/tools/%.o $(TEST_SUPPORT_LIB) $(DAEMON_LIB) $(COMMON_LIB)
	$(CC) $(LDFLAGS) -o $@ $< $(TEST_SUPPORT_LIB) $(DAEMON_LIBS)

$(XDP_TEST): $(call obj,$(XDP_TEST_SRCS)) $(TEST_SUPPORT_LIB) $(COMMON_LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pkg_libs,$(COMMON_PKGS))

$(BUILD)/tests/test_%: $(BUILD)/obj/tests/unit/test_%.o $(TEST_SUPPORT_LIB) $(DAEMON_LIB) $(COMMON_LIB)
	$(CC) $(LDFLAGS) -o $@ $< $(TEST_SUPPORT_LIB) $(DAEMON_LIBS) -lcmocka

-include $(patsubst %.c,$(BUILD)/obj/%.d,$(ALL_SRCS)) $(BPF_OBJS:.o=.d)

test: all
	@bash tests/run.sh $(BUILD)

demo: all
	@bash tools/demo.sh $(BUILD)

bench: all
	@bash tools/bench/bench.sh $(BUILD)

asan:
	@$(MAKE) --no-print-directory BUILD=build-asan \
		EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer" \
		EXTRA_LDFLAGS="-fsanitize=address,undefined"

install: all
	install -D -m 0755 $(BUILD)/rtprelayd $(DESTDIR)$(PREFIX)/sbin/rtprelayd
	install -D -m 0755 $(BUILD)/rtprelayctl $(DESTDIR)$(PREFIX)/bin/rtprelayctl
	install -D -m 0644 etc/rtprelay.conf.example $(DESTDIR)/etc/rtprelay/rtprelay.conf.example
	install -D -m 0644 etc/rtprelayd.service $(DESTDIR)/etc/systemd/system/rtprelayd.service

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) build-asan
