# rtprelay — one entry point. `make help` lists the targets.
BUILD ?= build
CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
PREFIX ?= /usr/local
ARCH_INC := /usr/include/$(shell $(CC) -dumpmachine)

PKGS := libbpf libmnl sofia-sip-ua sofia-sip-ua-glib glib-2.0
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm

WARN := -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
CFLAGS ?= -O2 -g
VERSION := 0.1.0
CFLAGS += $(WARN) -std=gnu11 -D_GNU_SOURCE -DRTPRELAY_VERSION=\"$(VERSION)\" -Ibpf -Iuserspace -I$(BUILD) $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS += $(EXTRA_LDFLAGS)
BPF_CFLAGS := -O2 -g -target bpf -Wall -Ibpf -I$(ARCH_INC)

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))

LIB_SRCS := $(filter-out userspace/main.c,$(wildcard userspace/*.c))
LIB_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRCS))
LIB := $(BUILD)/librtprelay.a

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
TEST_TOOL_SRCS := $(wildcard tests/tools/*.c)
TEST_TOOLS := $(patsubst tests/tools/%.c,$(BUILD)/tests/%,$(TEST_TOOL_SRCS))
TOOL_SRCS := $(filter-out tools/rtprelayctl%.c,$(wildcard tools/*.c))
TOOLS := $(patsubst tools/%.c,$(BUILD)/%,$(TOOL_SRCS))
# The benchmark's own BPF programs (generator, sink, ceiling): not the datapath.
BENCH_BPF_SRCS := $(wildcard tools/bpf/*.bpf.c)
BENCH_BPF_OBJS := $(patsubst tools/bpf/%.bpf.c,$(BUILD)/tools/bpf/%.bpf.o,$(BENCH_BPF_SRCS))
BENCH_SKELS := $(patsubst %.bpf.o,%.skel.h,$(BENCH_BPF_OBJS))
.SECONDARY: $(BENCH_SKELS) $(BENCH_BPF_OBJS)

DEPS_STAMP := $(BUILD)/.deps-ok

# Generated headers and objects are kept: other targets include them.
.SECONDARY: $(SKELS) $(BPF_OBJS)

.PHONY: all deps test demo bench install asan clean format help
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

.PHONY: binaries
binaries: $(BUILD)/rtprelayd $(BUILD)/rtprelayctl $(BPF_OBJS) $(TOOLS) $(TEST_TOOLS) $(UNIT_BINS)

$(BUILD)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(subst .bpf.o,,$(notdir $<))_bpf > $@

$(BUILD)/userspace/%.o: userspace/%.c $(SKELS) $(wildcard userspace/*.h bpf/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/rtprelayd: $(BUILD)/userspace/main.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/rtprelayctl: $(wildcard tools/rtprelayctl*.c tools/rtprelayctl*.h) $(LIB) $(wildcard userspace/*.h bpf/*.h)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c,$^) $(LIB) $(PKG_LIBS)

$(BUILD)/%: tools/%.c $(SKELS) $(LIB) $(wildcard tools/*.h)
	$(CC) $(CFLAGS) -Itools $(LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

# tools/*.c include them as "tools/bpf/NAME.skel.h"; the skeleton rule above makes them.
$(BUILD)/tools/bpf/%.bpf.o: tools/bpf/%.bpf.c $(wildcard tools/bpf/*.h bpf/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -Itools/bpf -c $< -o $@

$(TOOLS): $(BENCH_SKELS) $(wildcard tools/bpf/*.h userspace/*.h bpf/*.h tests/tools/sockaddr_text.h)

$(BUILD)/tests/%: tests/tools/%.c $(SKELS) $(LIB) $(wildcard userspace/*.h bpf/*.h tests/tools/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

$(BUILD)/tests/test_%: tests/unit/test_%.c $(LIB) $(wildcard userspace/*.h bpf/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS) -lcmocka

test: all
	@bash tests/run.sh $(BUILD)

demo: all
	@bash tools/demo.sh $(BUILD)

bench: all
	@bash tools/bench.sh $(BUILD)

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
	clang-format -i $(wildcard bpf/*.c bpf/*.h userspace/*.c userspace/*.h tools/*.c tools/*.h tests/*/*.c tests/*.c)

clean:
	rm -rf $(BUILD) build-asan
