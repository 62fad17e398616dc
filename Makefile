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
DAEMON_PKGS := $(COMMON_PKGS) sofia-sip-ua sofia-sip-ua-glib libmicrohttpd
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

DAEMON_LIBS = $(DAEMON_LIB) $(COMMON_LIB) $(call pkg_libs,$(DAEMON_PKGS)) -lpthread -lm -lresolv

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
	@echo "make asan     rtprelayd with ASan/UBSan into $(BUILD)-asan/"
	@echo "make fuzz     the fuzz targets (clang, libFuzzer) for FUZZ_SECONDS each"
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

# rtprelayd again with ASan, LeakSanitizer and UBSan (any undefined
# behaviour aborts) into $(ASAN_BUILD), apart from $(BUILD):
# tests/asan_suite.sh runs the integration tests against it.
ASAN_BUILD ?= $(BUILD)-asan
ASAN_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
asan: $(DEPS_STAMP)
	@$(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) \
		EXTRA_CFLAGS="$(ASAN_SANITIZE)" EXTRA_LDFLAGS="$(ASAN_SANITIZE)" $(ASAN_BUILD)/rtprelayd

# Units of packages go to /lib/systemd/system (Debian 12), the local
# administrator's to /etc/systemd/system.
SYSTEMD_UNIT_DIR ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,/etc/systemd/system)

# Only what is installed: the daemon, the CLI and the man pages (the tests
# and the bench are not built, so a package build needs neither cmocka nor SIPp).
# The config file is installed only where there is none, and the user the
# unit runs as, with the control group the config names, is created when
# installing into this system (not a DESTDIR).
install: $(BUILD)/rtprelayd $(BUILD)/rtprelayctl man
	install -D -m 0755 $(BUILD)/rtprelayd $(DESTDIR)$(PREFIX)/sbin/rtprelayd
	install -D -m 0755 $(BUILD)/rtprelayctl $(DESTDIR)$(PREFIX)/bin/rtprelayctl
	install -D -m 0644 -t $(DESTDIR)$(PREFIX)/share/man/man8 $(filter %.8,$(MAN_PAGES))
	install -D -m 0644 -t $(DESTDIR)$(PREFIX)/share/man/man5 $(filter %.5,$(MAN_PAGES))
	install -D -m 0644 etc/rtprelay.conf.example $(DESTDIR)$(PREFIX)/share/doc/rtprelay/examples/rtprelay.conf.example
	test -e $(DESTDIR)/etc/rtprelay/rtprelay.conf || \
		install -D -m 0644 etc/rtprelay.conf $(DESTDIR)/etc/rtprelay/rtprelay.conf
	test -n "$(DESTDIR)" || getent group rtprelay >/dev/null || groupadd --system rtprelay
	test -n "$(DESTDIR)" || getent passwd rtprelay >/dev/null || \
		useradd --system --gid rtprelay --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin rtprelay
	@mkdir -p $(BUILD)/etc
	sed 's|/usr/sbin/rtprelayd|$(PREFIX)/sbin/rtprelayd|' etc/rtprelayd.service >$(BUILD)/etc/rtprelayd.service
	install -D -m 0644 $(BUILD)/etc/rtprelayd.service $(DESTDIR)$(SYSTEMD_UNIT_DIR)/rtprelayd.service

# Man pages: one Markdown source each in docs/man, converted by go-md2man.
MAN_SRCS := $(wildcard docs/man/*.md)
MAN_PAGES := $(patsubst docs/man/%.md,$(BUILD)/man/%,$(MAN_SRCS))

.PHONY: man deb
man: $(MAN_PAGES)

$(BUILD)/man/%: docs/man/%.md Makefile
	@mkdir -p $(@D)
	sed 's/@VERSION@/$(VERSION)/' $< | go-md2man >$@

# The Debian package, built from the tracked tree (debian/rules builds in
# debian/build, apart from $(BUILD)). dpkg-buildpackage writes into the
# parent directory; what it writes is moved here. Rebuilt only when a file
# the package is made of changed.
DEB_VERSION = $(shell dpkg-parsechangelog -S Version)
DEB_ARCH = $(shell dpkg-architecture -q DEB_HOST_ARCH)
DEB := $(BUILD)/rtprelay_$(DEB_VERSION)_$(DEB_ARCH).deb
DEB_INPUTS := $(shell git ls-files --cached --others --exclude-standard -- Makefile debian docs/man etc bpf lib userspace tools/ctl 2>/dev/null)

deb: $(DEB)

$(DEB): $(DEB_INPUTS)
	@mkdir -p $(BUILD)
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL dpkg-buildpackage -us -uc -b -J$$(nproc)
	mv ../rtprelay_$(DEB_VERSION)_$(DEB_ARCH).deb ../rtprelay-dbgsym_$(DEB_VERSION)_$(DEB_ARCH).deb \
		../rtprelay_$(DEB_VERSION)_$(DEB_ARCH).buildinfo ../rtprelay_$(DEB_VERSION)_$(DEB_ARCH).changes $(BUILD)/

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

# Fuzz targets (tests/fuzz/fuzz_*.c, one per parser the daemon feeds hostile
# bytes to): libFuzzer with ASan and UBSan. The code under test must carry
# the same instrumentation, so lib/, the daemon's subsystems, tests/support/
# and the XDP tests' frame builder are compiled again with clang into
# $(BUILD)/fuzz-obj; none of it is part of `all`. `make fuzz` runs each
# target for FUZZ_SECONDS on its working corpus in FUZZ_CORPUS, which
# fuzz-corpus fills with its seeds (tests/fuzz/corpus/<target>/, only ever
# read; fuzz_sip's also the RFC 4475 messages of tests/torture/); what a
# target finds lands in $(BUILD)/fuzz/findings/.
.PHONY: fuzz fuzz-targets fuzz-corpus
FUZZ_SECONDS ?= 60
FUZZ_CORPUS ?= $(BUILD)/fuzz/corpus
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_LIB_SRCS := $(COMMON_SRCS) $(DAEMON_SRCS) $(TEST_SUPPORT_SRCS) tests/xdp/frame.c
fuzz_obj = $(patsubst %.c,$(BUILD)/fuzz-obj/%.o,$(1))
fuzz_seeds = tests/fuzz/corpus/$(1)/* $(if $(filter fuzz_sip,$(1)),tests/torture/*.dat)
FUZZ_LIB := $(BUILD)/fuzz-obj/librtprelay-fuzz.a

$(BUILD)/fuzz-obj/tests/fuzz/%.o: tests/fuzz/%.c | $(SKELS)
	@mkdir -p $(@D)
	$(CLANG) $(CFLAGS) $(FUZZ_SANITIZE) -fsanitize=fuzzer -c $< -o $@

$(BUILD)/fuzz-obj/%.o: %.c | $(SKELS)
	@mkdir -p $(@D)
	$(CLANG) $(CFLAGS) $(FUZZ_SANITIZE) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_LIB): $(call fuzz_obj,$(FUZZ_LIB_SRCS))
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/fuzz/%: $(BUILD)/fuzz-obj/tests/fuzz/%.o $(FUZZ_LIB)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_SANITIZE) -fsanitize=fuzzer $(LDFLAGS) -o $@ $< $(FUZZ_LIB) \
		$(call pkg_libs,$(DAEMON_PKGS)) -lpthread -lm

fuzz-targets: $(DEPS_STAMP) $(FUZZ_TARGETS)

fuzz-corpus:
	@$(foreach t,$(notdir $(FUZZ_TARGETS)),mkdir -p $(FUZZ_CORPUS)/$(t) && cp $(call fuzz_seeds,$(t)) $(FUZZ_CORPUS)/$(t)/ &&) true

fuzz: fuzz-targets fuzz-corpus
	@mkdir -p $(BUILD)/fuzz/findings
	@for t in $(notdir $(FUZZ_TARGETS)); do \
		echo "=== $$t for $(FUZZ_SECONDS) s"; \
		$(BUILD)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
			-artifact_prefix=$(BUILD)/fuzz/findings/$$t- $(FUZZ_CORPUS)/$$t || exit 1; \
	done

-include $(patsubst %.c,$(BUILD)/fuzz-obj/%.d,$(FUZZ_LIB_SRCS) $(FUZZ_SRCS))
