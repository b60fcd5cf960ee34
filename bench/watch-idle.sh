#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# watch-idle.sh — how often an idle `allset-cli watch` wakes up.
#
# The target (issue: engine) is at most one wake-up every 30 s while
# nothing changes. Starts a real allset-server over TLS (tests'
# lib-cli.sh), signs one client in with a folder of 1 000 files in 50
# directories, lets `watch` reach "up to date", then traces it for
# SECONDS (default 60) with strace and counts, per thread, the blocking
# calls it made (poll, ppoll, epoll_wait, futex waits, nanosleep): each is
# one wake-up of that thread. The main thread's count is the figure that
# matters for the GUI's process; the push channel's thread parks in one
# long poll a minute.
#
# Usage: bench/watch-idle.sh BUILD_DIR [SECONDS]   (SETTLE=S: wait before
# tracing, default 70)

set -uo pipefail

build=${1:?usage: $0 BUILD_DIR [SECONDS]}
seconds=${2:-120}
here=$(cd "$(dirname "$0")" && pwd)
command -v strace >/dev/null || { echo "strace is not installed" >&2; exit 1; }

. "$here/../tests/integration/lib-cli.sh" "$(realpath "$build")/server/allset-server" \
    "$(realpath "$build")/src/cli/allset-cli"

start_server
add_account alice
login_client A alice
mkdir -p "$work/A/Sync"
for d in $(seq 1 50); do
    mkdir -p "$work/A/Sync/d$d"
    for f in $(seq 1 20); do echo "file $d/$f" >"$work/A/Sync/d$d/f$f.txt"; done
done
cli A 0 add-folder "$work/A/Sync" --remote Sync

pid=
lib_cleanup_hook() { [ -n "$pid" ] && { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }; }
(bg_cli A "$work/w" watch --quiet) &
pid=$!
for _ in $(seq 1 600); do
    grep -q 'idle: Up to date' "$work/w.out" 2>/dev/null && break
    sleep 0.1
done
grep -q 'idle: Up to date' "$work/w.out" || { echo "watch did not settle: $(cat "$work/w.out" "$work/w.err")" >&2; exit 1; }
# libsoup closes the passes' idle connections 60 s after the last one (a
# burst of wake-ups once): measure after that.
sleep "${SETTLE:-70}"

trace="$work/strace.out"
timeout -s INT "$seconds" strace -f -tt -p "$pid" -e trace=poll,ppoll,epoll_wait,futex,nanosleep,clock_nanosleep,restart_syscall \
    -o "$trace" 2>/dev/null
kill -0 "$pid" 2>/dev/null || { echo "watch died under strace" >&2; exit 1; }
[ -n "${KEEP_TRACE:-}" ] && cp "$trace" "$KEEP_TRACE"

echo "Idle allset-cli watch, 1 000 files / 51 directories, traced for $seconds s:"
# "PID syscall(…" lines; a call interrupted by the tracer's detach ends
# "<unfinished …>" and is not a wake-up of its own.
awk -v main="$pid" '
    $3 ~ /^(poll|ppoll|epoll_wait|futex|nanosleep|clock_nanosleep|restart_syscall)\(/ {
        if ($3 ~ /^futex\(/ && $0 !~ /FUTEX_WAIT/) next
        n[$1]++
    }
    END {
        for (t in n) {
            printf "  thread %s%s: %d blocking calls\n", t, t == main ? " (main)" : "", n[t]
            total += n[t]
        }
        printf "  all threads: %d\n", total
    }' "$trace"
# A wake-up of the main thread often makes two or three polls in a few
# milliseconds: count the bursts (calls more than 1 s after the last one).
awk -v main="$pid" -v s="$seconds" '
    $1 == main && $3 ~ /^(poll|ppoll|epoll_wait|restart_syscall)\(/ {
        split($2, t, ":"); now = t[1] * 3600 + t[2] * 60 + t[3]
        calls++
        if (last == "" || now - last > 1) bursts++
        last = now
    }
    END {
        bursts = bursts > 0 ? bursts - 1 : 0   # the call in progress at attach
        printf "main thread: %d polls, %d wake-ups in %d s (one every %.0f s)\n", calls, bursts, s,
               bursts ? s / bursts : s
    }' "$trace"
