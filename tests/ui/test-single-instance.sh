#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The real allset-sync binary as the session starts it (run inside
# run-ui-test.sh: private bus, keyring, Xvfb): one instance only;
# `--background` (the login autostart) opens no window; launching the app
# again brings the window up in the running instance; app.quit over
# D-Bus ends it. Windows are counted with xwininfo.
#
# Usage: test-single-instance.sh ALLSET_SYNC

set -uo pipefail
app=${1:?usage: test-single-instance.sh ALLSET_SYNC}
failures=0
fail() { echo "not ok - $*"; failures=$((failures + 1)); }
pass() { echo "ok - $*"; }

windows() { xwininfo -root -tree 2>/dev/null | grep -c '"ALLSET Sync"'; }
wait_windows() {
    local want=$1
    for _ in $(seq 1 100); do
        [ "$(windows)" -ge "$want" ] && return 0
        sleep 0.1
    done
    return 1
}
owned() { gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
              --method org.freedesktop.DBus.NameHasOwner fr.allset.Sync 2>/dev/null | grep -q true; }

# No notification daemon runs here, and GLib warns when the app's
# "no tray" notification finds none: a warning of the environment, not of
# the app, so not a fatal one for this test.
export G_DEBUG=gc-friendly

echo "1..5"
"$app" --background >"$HOME/first.log" 2>&1 &
first=$!
for _ in $(seq 1 100); do owned && break; sleep 0.1; done
owned && pass "the first instance owns fr.allset.Sync" || fail "fr.allset.Sync is not on the bus"

# Past the tray check (3 s): still no window, the app lives in the background.
sleep 4
[ "$(windows)" -eq 0 ] && kill -0 "$first" 2>/dev/null \
    && pass "--background runs without a window" || fail "--background opened $(windows) window(s) or died"

start=$(date +%s%N)
timeout 20 "$app" >"$HOME/second.log" 2>&1
status=$?
[ "$status" -eq 0 ] && pass "the second launch hands over and exits ($(( ($(date +%s%N) - start) / 1000000 )) ms)" \
    || fail "the second launch exited with $status: $(cat "$HOME/second.log")"
wait_windows 1 && [ "$(windows)" -eq 1 ] \
    && pass "the running instance shows its one window" || fail "expected one window, found $(windows)"

gdbus call --session --dest fr.allset.Sync --object-path /fr/allset/Sync \
    --method org.gtk.Actions.Activate quit '[]' '{}' >/dev/null 2>&1
for _ in $(seq 1 100); do kill -0 "$first" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$first" 2>/dev/null; then
    fail "app.quit did not end the app"
    kill "$first"
else
    wait "$first"
    pass "app.quit ends the app (exit $?)"
fi
exit $((failures > 0))
