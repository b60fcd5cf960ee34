#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installs what the client-to-client sync benchmark (bench/sync/run.sh,
# `make bench-sync`) needs besides the build dependencies: the peers it
# compares against (unison, syncthing, rclone) and its measuring tools
# (GNU time for peak RSS, inotify-tools, iproute2 + util-linux for the
# private network namespace, jq for syncthing's REST answers).
#
# Not part of `make test` or of build-aux/install-deps.sh on purpose: the
# benchmark is run by hand, and these packages are not needed to build,
# run or test ALLSET Sync.
#
# Idempotent: only missing packages are installed (apt-get update runs
# only then). Uses sudo when not run as root.
#
# Usage: build-aux/install-bench-deps.sh [--check]
#   --check   only report missing packages; exit 1 if any is missing.

set -euo pipefail

PACKAGES=(
    unison
    syncthing
    rclone
    time
    inotify-tools
    iproute2
    util-linux
    jq
    openssl
    curl
)

die() {
    printf 'install-bench-deps: error: %s\n' "$*" >&2
    exit 1
}

check_only=0
case "${1:-}" in
    --check) check_only=1 ;;
    "") ;;
    -h|--help) sed -n '4,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1" ;;
esac

if [ ! -r /etc/debian_version ] || ! command -v dpkg-query >/dev/null 2>&1 \
   || ! command -v apt-get >/dev/null 2>&1; then
    die "this script only knows Debian and Ubuntu; install ${PACKAGES[*]} by hand"
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = installed ] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-bench-deps: all ${#PACKAGES[@]} packages are installed."
    exit 0
fi

echo "install-bench-deps: missing: ${missing[*]}"
[ "$check_only" = 0 ] || exit 1

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 \
        || die "not root and sudo is not installed; run as root: apt-get install ${missing[*]}"
    sudo=(sudo)
fi

"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq -o DPkg::Lock::Timeout=300 \
    || die "apt-get update failed"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 \
    -o Dpkg::Use-Pty=0 "${missing[@]}" \
    || die "apt-get install failed for: ${missing[*]}"

still=()
for pkg in "${missing[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = installed ] || still+=("$pkg")
done
[ ${#still[@]} -eq 0 ] || die "still missing after apt-get install: ${still[*]}"
echo "install-bench-deps: done."
