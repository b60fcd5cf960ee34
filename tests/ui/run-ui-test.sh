#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# run-ui-test.sh PROGRAM [ARGS…] — runs a test of the real app the way a
# desktop runs it, on this machine alone: a private D-Bus session bus, a
# real gnome-keyring unlocked in it (libsecret talks to it), an Xvfb
# display, and a fresh HOME with its XDG directories. Nothing leaks to the
# user's session; everything goes with the bus.
#
# Screenshots land in $ALLSET_SCREENSHOT_DIR (meson sets it to the build
# directory); they are kept after the run.

set -uo pipefail

if [ -z "${ALLSET_UI_PRIVATE:-}" ]; then
    for tool in dbus-run-session dbus-send gnome-keyring-daemon xvfb-run; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "1..0 # SKIP $tool is not installed (build-aux/install-deps.sh installs it)"
            exit 77
        fi
    done
    # -a: a free display number; 24-bit colour for faithful screenshots.
    exec dbus-run-session -- env ALLSET_UI_PRIVATE=1 \
        xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" bash "$0" "$@"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/allset-ui-test.XXXXXX")
trap 'rm -rf "$work"' EXIT

export HOME="$work/home"
export XDG_CONFIG_HOME="$HOME/.config" XDG_STATE_HOME="$HOME/.local/state"
export XDG_DATA_HOME="$HOME/.local/share" XDG_CACHE_HOME="$HOME/.cache"
export XDG_RUNTIME_DIR="$work/run"
mkdir -p "$HOME" && mkdir -m 700 "$XDG_RUNTIME_DIR"

# GTK under Xvfb: the cairo renderer (no GL), no portals, no a11y bus.
export GSK_RENDERER=cairo GTK_USE_PORTAL=0 GTK_A11Y=none NO_AT_BRIDGE=1
export GDK_BACKEND=x11

# A real keyring, unlocked with a non-empty password (an empty one fails).
# G_DEBUG=fatal-warnings is for our programs: a warning of the daemon's
# own must not kill it (it did, midway through a test).
printf '%s' "keyring password" | env -u G_DEBUG gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
for _ in $(seq 1 50); do
    dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
        | grep -q true && break
    sleep 0.1
done

"$@"
