#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Builds a release tree (build-bench/, or $BENCH_BUILDDIR) and runs the
# server benchmark: upload MB/s of a 1 GiB file, small files committed per
# second, peak server RSS, each the median of 3 runs, printed as a table on
# standard output. Extra arguments go to allset-bench-server (--help lists
# them; e.g. --runs 2, --only A, --connections 4, --sweep).
#
# Takes about a minute on a quiet 2-core machine; needs ~2.5 GiB free in
# $TMPDIR (default /tmp). Do not run it while something else loads the CPU:
# every figure would be wrong.

set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
builddir=${BENCH_BUILDDIR:-$src/build-bench}
log=$(mktemp "${TMPDIR:-/tmp}/allset-bench-build.XXXXXX")
trap 'rm -f "$log"' EXIT

# Reconfigure every time: some meson.build files use fs.exists(), which
# meson's automatic regeneration does not see (as in the Makefile).
if [ -f "$builddir/meson-private/coredata.dat" ]; then
    setup=(meson setup --reconfigure "$builddir" "$src" -Dbuildtype=release)
else
    setup=(meson setup "$builddir" "$src" -Dbuildtype=release)
fi
if ! "${setup[@]}" >"$log" 2>&1 ||
   ! ninja -C "$builddir" server/allset-server bench/allset-bench-server >>"$log" 2>&1; then
    cat "$log" >&2
    echo "bench/run.sh: the release build failed" >&2
    exit 1
fi

exec "$builddir/bench/allset-bench-server" --server "$builddir/server/allset-server" "$@"
