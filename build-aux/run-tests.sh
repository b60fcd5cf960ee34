#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs the test suites the way `make test` and CI do:
#   1. build _build and run every meson suite in it;
#   2. build _build-asan (AddressSanitizer + UndefinedBehaviorSanitizer) and
#      run the unit and integration suites in it;
#   3. print one line "N passed, N failed[, N skipped]" over both runs.
# Every step runs even when an earlier one failed; the exit status is
# non-zero on any failure (a build failure counts as one failed test).
#
# Usage: build-aux/run-tests.sh [--asan-only | --no-asan]
# Normally called from the Makefile, which exports BUILDDIR, ASANDIR and the
# *SAN_OPTIONS variables.

set -uo pipefail

cd "$(dirname "$0")/.." || exit 2
root=$PWD

: "${MESON:=meson}"
: "${BUILDDIR:=_build}"
: "${ASANDIR:=_build-asan}"
: "${ASAN_OPTIONS:=detect_leaks=1:abort_on_error=1:halt_on_error=1:intercept_tls_get_addr=0:fast_unwind_on_malloc=0}"
: "${UBSAN_OPTIONS:=print_stacktrace=1:halt_on_error=1}"
: "${LSAN_OPTIONS:=suppressions=$root/build-aux/lsan.supp:print_suppressions=0}"
make=${MAKE:-make}

run_default=1
run_asan=1
case "${1:-}" in
    --asan-only) run_default=0 ;;
    --no-asan) run_asan=0 ;;
    "") ;;
    *) echo "run-tests: unknown argument: $1" >&2; exit 2 ;;
esac

logs=()        # testlog.json files to count
extra_failed=0 # steps that failed without a test result to show for it
notes=()

step() { printf '\n==== %s ====\n' "$*"; }

# run_suites LABEL BUILD_TARGET DIR [meson test args...]
run_suites() {
    local label=$1 target=$2 dir=$3
    shift 3
    step "$label: build ($dir)"
    if ! ALLSET_DEPS_CHECKED=1 "$make" --no-print-directory "$target"; then
        extra_failed=$((extra_failed + 1))
        notes+=("$label: build failed, its tests did not run")
        return
    fi
    step "$label: meson test -C $dir $*"
    rm -f "$dir/meson-logs/testlog.json"
    "$MESON" test -C "$dir" --print-errorlogs "$@"
    local rc=$?
    if [ -f "$dir/meson-logs/testlog.json" ]; then
        logs+=("$label=$dir/meson-logs/testlog.json")
    fi
    if [ $rc -ne 0 ]; then
        # A failing test already shows in the log; this catches meson
        # failing on its own (rebuild error, bad option...) with no result.
        if ! grep -qE '"result": "(FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS)"' \
                "$dir/meson-logs/testlog.json" 2>/dev/null; then
            extra_failed=$((extra_failed + 1))
            notes+=("$label: meson test exited with $rc and no failed test in its log")
        fi
    fi
}

if [ $run_default = 1 ]; then
    run_suites "all suites" build "$BUILDDIR"
fi

# GIO (GLib 2.74) loads its modules eagerly, and loses one GIOModule per
# process to LeakSanitizer, when a module file is newer (ctime) than the
# directory's giomodule.cache: seen on machines that re-link package files
# after installing them. Refreshing the cache is what the packages' own
# trigger does; without write access, say so (the ASan run may then fail on
# 154 bytes inside GIO, see build-aux/lsan.supp).
refresh_gio_module_cache() {
    local dir cache stale=0 f
    dir=$(pkg-config --variable=giomoduledir gio-2.0 2>/dev/null) || return 0
    cache=$dir/giomodule.cache
    [ -f "$cache" ] || return 0
    for f in "$dir"/*.so; do
        [ -e "$f" ] && [ "$(stat -c %Z "$f")" -gt "$(stat -c %Z "$cache")" ] && stale=1
    done
    [ $stale = 1 ] || return 0
    local query
    query=$(pkg-config --variable=gio_querymodules gio-2.0 2>/dev/null || true)
    if [ -n "$query" ] && [ -w "$dir" ] && "$query" "$dir"; then
        echo "run-tests: refreshed the stale $cache"
    else
        echo "run-tests: warning: $cache is older than its modules and cannot be refreshed here"
    fi
}

if [ $run_asan = 1 ]; then
    refresh_gio_module_cache
    # GLib 2.74 (Debian 12) still has its own slice allocator, which hides
    # leaks and use-after-free from ASan: make it use malloc.
    export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS G_SLICE=always-malloc
    echo
    echo "ASAN_OPTIONS=$ASAN_OPTIONS"
    echo "UBSAN_OPTIONS=$UBSAN_OPTIONS"
    echo "LSAN_OPTIONS=$LSAN_OPTIONS"
    # Every integration test, cli-history and cli-sync-network included:
    # they were once left out for time, but take ~40 s each here (measured
    # 2026-11-27 on 2 busy cores), and only they drive allset-cli history,
    # restore, verify and sync's network policies against this server.
    run_suites "asan+ubsan" asan-build "$ASANDIR" \
        --suite unit --suite integration --timeout-multiplier 4
fi

step "summary"
for n in "${notes[@]}"; do
    echo "note: $n"
done
# The last line printed is "N passed, N failed, N skipped" (CI reads it);
# it is also kept in $BUILDDIR/test-summary.txt for .ci/run to repeat after
# make's own "Error" line.
mkdir -p "$BUILDDIR"
python3 "$root/build-aux/test-summary.py" --extra-failed "$extra_failed" "${logs[@]}" \
    | tee "$BUILDDIR/test-summary.txt"
