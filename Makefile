# SPDX-License-Identifier: GPL-3.0-or-later
#
# Convenience front end over meson. The two commands a newcomer needs:
#
#   make run    install what is missing, build, start a local server
#   make test   install what is missing, build, run every suite, then the
#               unit and integration suites again under ASan + UBSan
#
# Other targets: build, deps, asan, bench, bench-sync, clean, help.
# Requires GNU make. meson itself works without this file (see README.md).

SHELL := /bin/bash
.DEFAULT_GOAL := build
.SUFFIXES:

MESON    ?= meson
BUILDDIR ?= _build
ASANDIR  ?= _build-asan

# Warnings are errors, always: locally the same as in CI (CI=true), so a
# warning never surprises anyone after a push.
WERROR          ?= --werror
SETUP_ARGS      ?= $(WERROR)
# The sanitizer run covers the unit and integration suites: the desktop
# app (ui suite) is left out of that build, which saves its compile time.
ASAN_SETUP_ARGS ?= $(WERROR) -Dbuildtype=debug -Dapp=disabled \
                   -Db_sanitize=address,undefined -Db_lundef=false

# Runtime options for the sanitizer run: any error, leak or UB report fails.
# intercept_tls_get_addr=0: GCC 12's LeakSanitizer misreads the dynamic TLS
# of dlopen()ed modules (glib-networking -> GnuTLS) under glibc 2.36 and
# crashes at exit ("Tracer caught signal 11", every time, in any program
# that made a TLS connection). Static TLS and thread stacks are still
# scanned.
# fast_unwind_on_malloc=0: Debian's libraries have no frame pointers, so the
# fast unwinder stops at g_malloc: a leak report would not say which line of
# ours allocated, and no suppression naming a system library could match.
# The slow unwinder costs little on these suites (measured: 18 s -> 20 s);
# json-heavy loops can be ~15x slower, drop it here if the run gets long.
ASAN_OPTIONS  ?= detect_leaks=1:abort_on_error=1:halt_on_error=1:intercept_tls_get_addr=0:fast_unwind_on_malloc=0
UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1
LSAN_OPTIONS  ?= suppressions=$(CURDIR)/build-aux/lsan.supp:print_suppressions=0
SANITIZE      ?= yes
export MESON BUILDDIR ASANDIR ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS

# Configure DIR with ARGS: 'meson setup' the first time (or when an earlier
# first setup failed half-way), 'meson setup --reconfigure' afterwards. We
# reconfigure every time on purpose: several meson.build files pick up
# sources with fs.exists(), which meson's automatic regeneration cannot see.
# $(1) = build dir, $(2) = setup arguments
define meson_setup
	@if [ -f "$(1)/meson-private/coredata.dat" ]; then \
		echo "meson setup --reconfigure $(1) $(2)"; \
		$(MESON) setup --reconfigure "$(1)" $(2); \
	else \
		echo "meson setup $(1) $(2)"; \
		$(MESON) setup "$(1)" $(2); \
	fi
endef

.PHONY: all build deps run test check asan asan-build bench bench-sync clean help

all: build

help:
	@echo "make run     install missing packages, build, start a local server"
	@echo "make test    install missing packages, build, run all test suites,"
	@echo "             then unit + integration under ASan/UBSan"
	@echo "make build   configure ($(BUILDDIR)) and build"
	@echo "make asan    configure ($(ASANDIR)), build and run unit + integration"
	@echo "             under AddressSanitizer + UndefinedBehaviorSanitizer"
	@echo "make deps    install missing system packages (Debian/Ubuntu)"
	@echo "make bench   run the benchmarks (bench/run.sh)"
	@echo "make bench-sync  client-to-client sync vs unison, syncthing, rclone"
	@echo "             (bench/sync/run.sh; BENCH_SYNC_ARGS='--scale 0.1')"
	@echo "make clean   remove $(BUILDDIR) and $(ASANDIR)"

deps:
	@build-aux/install-deps.sh

build: deps
	$(call meson_setup,$(BUILDDIR),$(SETUP_ARGS))
	$(MESON) compile -C $(BUILDDIR)

asan-build: deps
	$(call meson_setup,$(ASANDIR),$(ASAN_SETUP_ARGS))
	$(MESON) compile -C $(ASANDIR)

run: build
	@exec build-aux/run-local.sh

# Runs everything even when one step fails, then prints one summary line
# "N passed, N failed" over both meson runs (CI reads it) and exits non-zero
# on any failure.
# SANITIZE=no skips the ASan/UBSan run (for platforms without LeakSanitizer:
# MSYS2, macOS); CI always runs it.
test: deps
	@ALLSET_DEPS_CHECKED=1 build-aux/run-tests.sh $(if $(filter no,$(SANITIZE)),--no-asan)

check: test

asan: deps
	@ALLSET_DEPS_CHECKED=1 build-aux/run-tests.sh --asan-only

bench: build
	@if [ -x bench/run.sh ]; then \
		exec bench/run.sh; \
	else \
		echo "bench/run.sh does not exist yet: no benchmark to run."; \
	fi

# Not part of `make test`: installs the peers it compares against
# (build-aux/install-bench-deps.sh) and builds its own release tree.
bench-sync: deps
	@build-aux/install-bench-deps.sh
	@exec bench/sync/run.sh $(BENCH_SYNC_ARGS)

clean:
	rm -rf $(BUILDDIR) $(ASANDIR)
