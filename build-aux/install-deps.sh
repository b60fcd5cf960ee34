#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installs the Debian/Ubuntu packages ALLSET Sync needs to build, run and test.
#
# Idempotent: every package is checked with dpkg-query first and only the
# missing ones are installed (apt-get update runs only when something is
# missing). Uses sudo when not run as root.
#
# Usage: build-aux/install-deps.sh [--check]
#   --check   only report missing packages; exit 1 if any is missing.
#
# Set ALLSET_SKIP_DEPS=1 to skip this step entirely (e.g. on Fedora, MSYS2 or
# macOS once you installed the equivalents listed in README.md, section
# "Dependencies and other platforms").
#
# The package list lives here and only here. The README lists the Fedora,
# MSYS2 and Homebrew names of the same packages: keep both in step.

set -euo pipefail

# ---------------------------------------------------------------------------
# The list. One package per line, grouped by what needs it. Add new groups at
# the end (later: GTK 4, libadwaita, xvfb, chromium, ...).
# ---------------------------------------------------------------------------
PACKAGES=(
    # toolchain (gcc brings libasan/libubsan for the sanitizer build)
    build-essential
    meson
    ninja-build
    pkg-config
    gettext

    # libraries: protocol + server
    libglib2.0-dev
    libglib2.0-bin
    libsoup-3.0-dev
    glib-networking
    libjson-glib-dev
    libgnutls28-dev
    libsqlite3-dev
    sqlite3
    libargon2-dev
    # zlib: crc32() for the streamed zip of a shared folder
    zlib1g-dev
    ca-certificates

    # tests (integration suite talks to the server with curl; certificates
    # are inspected with openssl) and build-aux/run-local.sh
    curl
    python3
    openssl

    # client engine + allset-cli: the device token goes to the Secret
    # Service (libsecret); the tests run a real gnome-keyring in a private
    # D-Bus session (dbus-run-session, dbus-send) and read it back with
    # secret-tool (libsecret-tools)
    libsecret-1-dev
    gnome-keyring
    dbus
    libsecret-tools

    # the desktop app (src/app): GTK 4 + libadwaita; its `ui` suite runs the
    # real app under Xvfb (xvfb-run: xvfb + xauth), screenshots it with
    # imagemagick's `import`, and checks the desktop file, the metainfo and
    # the GSettings schema (desktop-file-utils, appstream)
    libgtk-4-dev
    libadwaita-1-dev
    xvfb
    xauth
    imagemagick
    desktop-file-utils
    appstream
    # xmllint: the icons' SVG are checked well-formed; certtool: an
    # expired certificate for the bad-input tests
    libxml2-utils
    gnutls-bin
    # xwininfo: the single-instance test counts the app's windows
    x11-utils

    # the Nautilus extension (src/nautilus): « Partager avec ALLSET » in the
    # file manager; built only when this is installed
    libnautilus-extension-dev

    # the `browser` suite (tests/browser): the public share pages in
    # Debian's headless Chromium (/usr/bin/chromium), driven by
    # playwright-core, which the suite itself installs with `npm ci` from
    # tests/browser/package-lock.json (Node.js >= 20 with npm; never
    # Playwright's own browser download)
    chromium
)

readme_hint="See README.md, section \"Dependencies and other platforms\", for the equivalent packages, then re-run with ALLSET_SKIP_DEPS=1."

die() {
    printf 'install-deps: error: %s\n' "$*" >&2
    exit 1
}

check_only=0
case "${1:-}" in
    --check) check_only=1 ;;
    "") ;;
    -h|--help) sed -n '4,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1" ;;
esac

# Set by the Makefile once the packages were checked in this run.
if [ "${ALLSET_DEPS_CHECKED:-0}" = 1 ]; then
    exit 0
fi
if [ "${ALLSET_SKIP_DEPS:-0}" = 1 ]; then
    echo "install-deps: ALLSET_SKIP_DEPS=1, not checking system packages."
    exit 0
fi

if [ ! -r /etc/debian_version ] || ! command -v dpkg-query >/dev/null 2>&1 \
   || ! command -v apt-get >/dev/null 2>&1; then
    die "this script only knows Debian and Ubuntu (apt-get/dpkg). $readme_hint"
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    if [ "$status" != installed ]; then
        missing+=("$pkg")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#PACKAGES[@]} packages are installed."
    exit 0
fi

echo "install-deps: missing: ${missing[*]}"
if [ "$check_only" = 1 ]; then
    exit 1
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 \
        || die "not root and sudo is not installed; run as root: apt-get install ${missing[*]}"
    sudo=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-deps: apt-get update"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
    || die "apt-get update failed"
echo "install-deps: apt-get install ${missing[*]}"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    -o Dpkg::Use-Pty=0 "${missing[@]}" \
    || die "apt-get install failed for: ${missing[*]}"

# Check again: a package name that apt-get resolved to something else (or a
# silent failure) must not pass unnoticed.
still=()
for pkg in "${missing[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = installed ] || still+=("$pkg")
done
[ ${#still[@]} -eq 0 ] || die "still missing after apt-get install: ${still[*]}"
echo "install-deps: done."
