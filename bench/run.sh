#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Builds a release tree (build-bench/, or $BENCH_BUILDDIR) and runs the
# server benchmark: upload MB/s of a 1 GiB file, small files committed per
# second, peak server RSS, each the median of 3 runs, printed as a table on
# standard output. Extra arguments go to allset-bench-server (--help lists
# them; e.g. --runs 2, --only A, --connections 4, --sweep).
#
# Takes about two minutes on a quiet 2-core machine; needs ~2.5 GiB free
# in $TMPDIR (default /tmp). Do not run it while something else loads the
# CPU: the last table row says how much other processes used, and the
# wall-clock figures are only meaningful when it says "ok".

set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
builddir=${BENCH_BUILDDIR:-$src/build-bench}
log=$(mktemp "${TMPDIR:-/tmp}/allset-bench-build.XXXXXX")

# Reconfigure every time, as the Makefile does: a first setup that failed
# half-way is then repaired too.
if [ -f "$builddir/meson-private/coredata.dat" ]; then
    setup=(meson setup --reconfigure "$builddir" "$src" -Dbuildtype=release)
else
    setup=(meson setup "$builddir" "$src" -Dbuildtype=release)
fi
if ! "${setup[@]}" >"$log" 2>&1 ||
   ! ninja -C "$builddir" server/allset-server bench/allset-bench-server >>"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "bench/run.sh: the release build failed" >&2
    exit 1
fi
rm -f "$log"

exec "$builddir/bench/allset-bench-server" --server "$builddir/server/allset-server" "$@"
