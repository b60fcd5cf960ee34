#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# meson test 'systemd-unit': `systemd-analyze verify` accepts the unit with
# no output at all. verify exits 0 on an unknown or misspelt key and only
# prints a warning, so any output fails this test.
#
# Usage: check-systemd-unit.sh SYSTEMD_ANALYZE UNIT [SERVER_BINARY]
# verify also checks that ExecStart= names an executable: the installed path
# (e.g. /usr/bin/allset-server) does not exist on a build machine, so it is
# replaced with SERVER_BINARY (the one just built) or, without it, /bin/true.

set -uo pipefail

analyze=$1
unit=$2
binary=${3:-/bin/true}
# meson passes a built target relative to the build directory.
if [ -x "$binary" ]; then
    binary=$(realpath "$binary")
else
    binary=/bin/true
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
name=$(basename "$unit")
sed -E "s#^(ExecStart=)[^ ]*/allset-server#\\1$binary#" "$unit" > "$tmp/$name"

out=$(cd "$tmp" && SYSTEMD_LOG_COLOR=0 "$analyze" verify --man=no "./$name" 2>&1)
rc=$?
if [ $rc -ne 0 ] || [ -n "$out" ]; then
    echo "FAIL: systemd-analyze verify $name (exit $rc):"
    printf '%s\n' "$out" | sed "s#$tmp/##g; s/^/      /"
    exit 1
fi
echo "ok: systemd-analyze verify $name"
