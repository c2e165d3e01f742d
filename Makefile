# SPDX-License-Identifier: GPL-2.0
#
# stationd: kernel modules, the daemon and its clients, simulators, tests.
#
#   make              modules and userspace programs
#   make check        lint, unit, KUnit and VM tiers; ends "N passed, N failed"
#   make deps         install the Debian packages the project needs
#
# Component directories add their programs, tests and fuzzers through *.mk
# fragments (see "Fragments" below), so this file stays the frame.

SHELL := /bin/bash
# A tier's runner feeds tap-tally through a pipe: its failure must count.
.SHELLFLAGS := -o pipefail -c
TOP := $(CURDIR)
BUILD := $(TOP)/build
RESULTS := $(BUILD)/results

# Kept between runs, outside the repository: kernel source for KUnit and
# checkpatch, the VM kernel image, build trees.
STATIOND_CACHE ?= $(HOME)/.cache/stationd
export STATIOND_CACHE

# The ABI of the Debian kernel that linux-headers-amd64 points to; modules
# are built against it and the VM boots the matching image. Recursively
# expanded on purpose: it is read after `deps` has installed the headers.
KABI = $(shell dpkg-query -W -f='$${Depends}' linux-headers-amd64 2>/dev/null | \
	sed -n 's/^linux-headers-\([^ ,]*\).*/\1/p')
KDIR ?= /usr/src/linux-headers-$(KABI)
export KABI

# Kconfig symbols for the out-of-tree build (in tree, Kconfig sets them).
KCONFIG_MODULES := CONFIG_XVME=m CONFIG_XVME_SIM=m CONFIG_XVME_GPIO=m \
	CONFIG_XVME_240=m CONFIG_XVME_260=m CONFIG_XVME_560=m \
	CONFIG_N_UNET=m

# Debian packages: build, unit tests, KUnit, the VM and its guests' tools.
DEB_PACKAGES := build-essential pkg-config clang llvm \
	libsystemd-dev libudev-dev libgpiod-dev libcmocka-dev \
	linux-headers-amd64 linux-source-6.1 bc flex bison libelf-dev \
	libssl-dev python3 perl xz-utils \
	qemu-system-x86 busybox-static cpio kmod \
	udev dbus gpiod libiio-utils util-linux coreutils iproute2 \
	libglib2.0-bin systemd polkitd libpam-systemd \
	libcfitsio-dev fitsverify libjson-c-dev libncurses-dev tmux libdbus-1-dev

# The release: org.stationd1.Manager's Version, every program's --version
# (daemon/shared/version.h). 0.2: the D-Bus API version 2.
STATIOND_VERSION := 0.2

# ---------------------------------------------------------------- flags
CC ?= cc
CLANG ?= clang
USER_WARN := -Wall -Wextra -Werror -Wformat=2 -Wshadow \
	-Wmissing-prototypes -Wstrict-prototypes -Wno-unused-parameter
USER_CFLAGS := -std=gnu11 -O2 -g -D_GNU_SOURCE $(USER_WARN) \
	-DSTATIOND_VERSION='"$(STATIOND_VERSION)"' -I$(TOP) -MMD -MP
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ_FLAGS := -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer

# pkg-config answers once deps are present (recursive: expanded in recipes).
LIBS_SYSTEMD = $(shell pkg-config --libs libsystemd)
LIBS_UDEV = $(shell pkg-config --libs libudev)
LIBS_GPIOD = $(shell pkg-config --libs libgpiod)
LIBS_CMOCKA = $(shell pkg-config --libs cmocka)
LIBS_JSON_C = $(shell pkg-config --libs json-c)

# Object paths: $(call obj,src.c) for programs, $(call san_obj,...) for
# sanitized unit-test builds of the same sources.
obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
san_obj = $(patsubst %.c,$(BUILD)/san/%.o,$(1))

# ------------------------------------------------------------ fragments
# A fragment appends to these lists and gives the link rule of each entry.
PROGRAMS :=	# $(BUILD)/bin/<name>: installed/used programs
INSTALL_SBIN :=	# ... of PROGRAMS, what `make install` puts in $(sbindir)
INSTALL_BIN :=	# ... in $(bindir)
INSTALL_SIM_BIN :=	# simulators: `make install-sim` puts them in $(bindir)
UNIT_TESTS :=	# $(BUILD)/unit/<name>: cmocka binaries (sanitized), print TAP
FUZZERS :=	# $(BUILD)/fuzz/<name>: libFuzzer binaries; corpus in tests/fuzz/corpus/<name>
BENCHES :=	# $(BUILD)/bench/<name>: benchmark programs built before `make bench`

# The fragments define rules of their own (a unit test's link rule would
# otherwise be the first, so the default goal): `make` means `make all`.
.DEFAULT_GOAL := all

include $(sort $(wildcard tests/*/*.mk daemon/*.mk daemon/*/*.mk))

# ------------------------------------------------------------ top level
.PHONY: all modules userspace deps lint check check-unit check-kunit \
	check-vm check-fuzz bench fuzz vm-shell run clean modules-clean \
	install uninstall install-sim uninstall-sim

all: modules userspace

deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
			grep -q '^install ok installed$$' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "deps: installing$$missing"; \
		sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		export DEBIAN_FRONTEND=noninteractive; \
		$$sudo apt-get update -qq && \
		$$sudo apt-get install -y -qq --no-install-recommends $$missing \
			>$(BUILD).deps.log 2>&1 || \
			{ tail -n 30 $(BUILD).deps.log; exit 1; }; \
	fi

modules: | deps
	@if [ -z "$(KABI)" ] || [ ! -f "$(KDIR)/Makefile" ]; then \
		echo "error: no kernel headers at KDIR='$(KDIR)'." >&2; \
		echo "       Install linux-headers-amd64 (make deps) or pass KDIR=<kernel build dir>." >&2; \
		exit 1; \
	fi
	$(MAKE) -C $(KDIR) M=$(TOP) $(KCONFIG_MODULES) modules

modules-clean:
	-$(MAKE) -C $(KDIR) M=$(TOP) $(KCONFIG_MODULES) clean

userspace: $(PROGRAMS)

$(BUILD)/obj/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(CFLAGS_$(notdir $*)) -c -o $@ $<

$(BUILD)/san/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -DUNIT_TEST -c -o $@ $<

-include $(shell find $(BUILD)/obj $(BUILD)/san -name '*.d' 2>/dev/null)

# ---------------------------------------------------------------- tiers
# Every tier writes "<passed> <failed>" to $(RESULTS)/<tier>; `check`
# adds them up. A tier fails when its runner fails, a test fails, or it
# ran nothing.

lint: | deps
	@mkdir -p $(RESULTS)
	@tests/lib/lint.sh | tests/lib/tap-tally.sh lint $(RESULTS)

check-unit: $(UNIT_TESTS) $(FUZZERS) | deps
	@mkdir -p $(RESULTS)
	@tests/lib/run-unit.sh $(UNIT_TESTS) -- $(FUZZERS) | \
		tests/lib/tap-tally.sh unit $(RESULTS)

check-kunit: | deps
	@mkdir -p $(RESULTS)
	@tests/kunit/run.sh | tests/lib/tap-tally.sh kunit $(RESULTS)

check-vm: modules userspace | deps
	@mkdir -p $(RESULTS)
	@tests/vm/run.sh $(T) | tests/lib/tap-tally.sh vm $(RESULTS)

# The tiers run one after another; the two that build through this
# Makefile build with every core (CHECK_JOBS, default nproc): the unit
# tier alone compiles some 200 sanitized objects, minutes one at a time.
# lint and KUnit pick their own parallelism (lint.sh, KUNIT_JOBS).
CHECK_JOBS ?= $(shell nproc 2>/dev/null || echo 2)

check:
	@rm -rf $(RESULTS); mkdir -p $(RESULTS)
	@rc=0; for tier in lint check-unit check-kunit check-vm; do \
		echo "=== $$tier"; \
		case $$tier in check-unit|check-vm) j=-j$(CHECK_JOBS);; *) j=;; esac; \
		$(MAKE) --no-print-directory $$j $$tier || rc=1; \
	done; \
	tests/lib/tally.sh $(RESULTS) lint unit kunit vm || rc=1; \
	exit $$rc

fuzz: $(FUZZERS)
	@tests/lib/run-fuzz.sh long $(FUZZERS)

bench: modules userspace $(BENCHES) | deps
	@tests/bench/run.sh

vm-shell: modules userspace | deps
	@tests/vm/run.sh --shell

# The simulated station in the VM, a root shell on it (tests/vm/station-run.sh;
# without a terminal: up, banner, down). RUN_ARGS: station-up options.
run: modules userspace | deps
	@tests/vm/station-run.sh $(RUN_ARGS)

clean: modules-clean
	rm -rf $(BUILD)

# ------------------------------------------------------------ install
# `make install` puts the station where the system's managers look for
# it: programs under PREFIX, the modules in /lib/modules/$(KABI)/updates
# (then depmod), and the files of systemd, udev, D-Bus and polkit in the
# directories their pkg-config files name. DESTDIR stages it all (then
# nothing is run: no depmod, no systemd-sysusers, no reloads).
# `make install-sim` adds the simulators and station-sim.target, which
# run the simulated station as services (`make run`).
PREFIX ?= /usr
DESTDIR ?=
bindir ?= $(PREFIX)/bin
sbindir ?= $(PREFIX)/sbin
libexecdir ?= $(PREFIX)/libexec
mandir ?= $(PREFIX)/share/man
docdir ?= $(PREFIX)/share/doc/stationd
sysconfdir ?= /etc
pkgvar = $(shell pkg-config --variable=$(2) $(1))
datadir ?= $(call pkgvar,dbus-1,datadir)
systemdsystemunitdir ?= $(call pkgvar,systemd,systemdsystemunitdir)
systemdsystemgeneratordir ?= $(call pkgvar,systemd,systemdsystemgeneratordir)
sysusersdir ?= $(call pkgvar,systemd,sysusersdir)
udevdir ?= $(call pkgvar,udev,udevdir)
moddir = /lib/modules/$(KABI)/updates

# What is installed, as mode:directory:file; files under a systemd/
# directory get the programs' paths rewritten for PREFIX.
INSTALL_MANIFEST = \
	$(foreach f,$(INSTALL_SBIN),0755:$(sbindir):$(f)) \
	$(foreach f,$(INSTALL_BIN),0755:$(bindir):$(f)) \
	0755:$(systemdsystemgeneratordir):systemd/stationd-generator \
	$(foreach f,systemd/stationd.service systemd/unet-attach@.service,0644:$(systemdsystemunitdir):$(f)) \
	0644:$(sysusersdir):systemd/sysusers.d/stationd.conf \
	$(foreach f,$(wildcard udev/*.rules),0644:$(udevdir)/rules.d:$(f)) \
	0644:$(datadir)/dbus-1/system.d:dbus/org.stationd1.conf \
	0644:$(datadir)/dbus-1/system-services:dbus/org.stationd1.service \
	$(foreach f,$(wildcard dbus/org.stationd1.*.xml),0644:$(datadir)/dbus-1/interfaces:$(f)) \
	0644:$(datadir)/polkit-1/actions:polkit/org.stationd1.policy \
	$(foreach f,polkit/stationd-tiers.rules.example daemon/examples/station.conf \
		daemon/examples/cards.conf daemon/examples/station-cryostream.conf,0644:$(docdir)/examples:$(f)) \
	$(foreach f,$(wildcard daemon/man/*.[1-8]),0644:$(mandir)/man$(subst .,,$(suffix $(f))):$(f))
INSTALL_SIM_MANIFEST = \
	$(foreach f,$(INSTALL_SIM_BIN),0755:$(bindir):$(f)) \
	$(foreach f,$(notdir $(INSTALL_SIM_BIN)),0644:$(mandir)/man1:tests/sim/$(f).1) \
	0755:$(libexecdir)/stationd:tests/sim/station-sim-setup \
	$(foreach f,$(wildcard tests/sim/systemd/*.service tests/sim/systemd/*.target),0644:$(systemdsystemunitdir):$(f))

INSTALL_PATHS = $(foreach f,$(INSTALL_SBIN),-e 's|/usr/sbin/$(notdir $(f))\b|$(sbindir)/$(notdir $(f))|g') \
	$(foreach f,$(INSTALL_BIN) $(INSTALL_SIM_BIN),-e 's|/usr/bin/$(notdir $(f))\b|$(bindir)/$(notdir $(f))|g') \
	-e 's|/usr/libexec/stationd/|$(libexecdir)/stationd/|g'

# $(call install_files,MANIFEST) and $(call uninstall_files,MANIFEST)
install_files = set -e; for entry in $(1); do \
		IFS=: read -r mode dir file <<<"$$entry"; \
		dest="$(DESTDIR)$$dir/$${file\#\#*/}"; \
		echo "  INSTALL $$dest"; \
		install -D -m "$$mode" "$$file" "$$dest"; \
		case $$file in systemd/* | */systemd/*) sed -i $(INSTALL_PATHS) "$$dest" ;; esac; \
	done
uninstall_files = for entry in $(1); do \
		IFS=: read -r mode dir file <<<"$$entry"; \
		rm -f "$(DESTDIR)$$dir/$${file\#\#*/}"; \
	done

install: all
	@$(call install_files,$(INSTALL_MANIFEST))
	install -d -m 0755 $(DESTDIR)$(sysconfdir)/stationd
	$(MAKE) -s -C $(KDIR) M=$(TOP) $(KCONFIG_MODULES) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=updates CONFIG_MODULE_SIG_ALL= modules_install 2>&1 | \
		{ grep -v "missing 'System.map'" || true; }
	@if [ -z "$(DESTDIR)" ]; then \
		set -x; depmod -a $(KABI); \
		systemd-sysusers $(sysusersdir)/stationd.conf; \
		if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi; \
		if udevadm control --ping 2>/dev/null; then udevadm control --reload; fi; \
	fi

uninstall:
	@$(call uninstall_files,$(INSTALL_MANIFEST))
	rm -f $(DESTDIR)$(moddir)/kernel/xvme/*.ko $(DESTDIR)$(moddir)/kernel/unet/*.ko
	-rmdir $(DESTDIR)$(moddir)/kernel/xvme $(DESTDIR)$(moddir)/kernel/unet \
		$(DESTDIR)$(docdir)/examples $(DESTDIR)$(docdir) \
		$(DESTDIR)$(sysconfdir)/stationd 2>/dev/null
	@if [ -z "$(DESTDIR)" ]; then \
		set -x; depmod -a $(KABI); \
		if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi; \
		if udevadm control --ping 2>/dev/null; then udevadm control --reload; fi; \
	fi

install-sim: userspace
	@$(call install_files,$(INSTALL_SIM_MANIFEST))

uninstall-sim:
	@$(call uninstall_files,$(INSTALL_SIM_MANIFEST))

# `make print-PROGRAMS`: a variable's value, for the scripts (lint).
print-%:
	@echo $($*)
