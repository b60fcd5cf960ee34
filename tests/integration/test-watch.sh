#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `allset-cli watch` end to end: two clients A and B of one account, each
# running `watch` in the background against a real allset-server over
# TLS. Checks the promises of the engine's long-running side: a change
# on A reaches B's disk within seconds without anyone running `sync`
# (latency measured and printed), edits, deletions (to B's trash), moves
# and bursts travel; a metered network pauses B and "online" resumes it;
# a stopped server makes watch wait and resume; a revoked token stops it
# with "sign in again" (exit 1); SIGTERM stops it at once (exit 0).
#
# Usage: test-watch.sh [PATH/TO/allset-server PATH/TO/allset-cli]

. "$(dirname "$0")/lib-cli.sh" "$@"

start_server
add_account alice

A="$work/A/Sync"
B="$work/B/Sync"
for who in A B; do
    login_client "$who" alice
    cli "$who" 0 add-folder "$work/$who/Sync" --remote Sync
done
# Time limits are for a normal build; the sanitizer build (-O0, ASan) is
# several times slower at TLS and hashing.
slow=1
ldd "$cli_bin" 2>/dev/null | grep -q libasan && slow=5
netB="$work/B/network"
echo online >"$netB"

pidA= pidB=
lib_cleanup_hook() {
    for p in $pidA $pidB; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
}
alive() { kill -0 "$1" 2>/dev/null; }
start_watch() {
    local who=$1
    if [ "$who" = A ]; then
        (bg_cli A "$work/wA" watch) &
        pidA=$!
    else
        (ALLSET_TEST_NETWORK_FILE="$netB" bg_cli B "$work/wB" watch) &
        pidB=$!
    fi
}
up_to_date() { grep -q 'idle: Up to date' "$work/w$1.out"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
has() { [ -f "$1" ] && [ "$(cat "$1" 2>/dev/null)" = "$2" ]; }
# arrival FILE CONTENT TIMEOUT_MS: prints the ms until FILE holds CONTENT
# (or nothing past the timeout).
arrival() {
    local start end
    start=$(now_ms)
    end=$((start + $3))
    while [ "$(now_ms)" -lt "$end" ]; do
        has "$1" "$2" && { echo $(($(now_ms) - start)); return 0; }
        sleep 0.01
    done
    return 1
}

start_watch A
start_watch B
wait_for $((20 * slow)) up_to_date A || fail "A's watch did not reach 'up to date': $(cat "$work/wA.out" "$work/wA.err")"
wait_for $((20 * slow)) up_to_date B || fail "B's watch did not reach 'up to date': $(cat "$work/wB.out" "$work/wB.err")"

# --- a change on A reaches B, measured ------------------------------------------
section "latency: 5 files written on A, each on B's disk within 5 s"
latencies=()
for i in 1 2 3 4 5; do
    content="latency $i $RANDOM"
    echo "$content" >"$A/lat$i.txt"
    ms=$(arrival "$B/lat$i.txt" "$content" $((5000 * slow))) ||
        { fail "lat$i.txt did not reach B within $((5 * slow)) s"; continue; }
    latencies+=("$ms")
    sleep 0.3
done
if [ "${#latencies[@]}" -gt 0 ]; then
    median=$(printf '%s\n' "${latencies[@]}" | sort -n | sed -n "$(((${#latencies[@]} + 1) / 2))p")
    echo "# latency A → B (ms): ${latencies[*]}; median $median"
fi
# Lines follow the disk by up to a progress batch (150 ms).
wait_for $((2 * slow)) grep -q 'verified: lat1.txt (download' "$work/wB.out" || fail "B printed no verified line: $(cat "$work/wB.out")"
wait_for $((2 * slow)) grep -q 'verified: lat1.txt (upload' "$work/wA.out" || fail "A printed no verified line: $(cat "$work/wA.out")"

section "edit, delete (to B's trash), rename (as a move), nested directories"
echo "edited on A" >"$A/lat1.txt"
arrival "$B/lat1.txt" "edited on A" $((5000 * slow)) >/dev/null || fail "the edit did not reach B"
rm "$A/lat2.txt"
gone() { [ ! -e "$1" ]; }
wait_for $((5 * slow)) gone "$B/lat2.txt" || fail "the deletion did not reach B"
[ -f "$work/B/share/Trash/files/lat2.txt" ] || fail "lat2.txt is not in B's trash: $(ls -R "$work/B/share" 2>&1)"
mv "$A/lat3.txt" "$A/renamed.txt"
wait_for $((5 * slow)) gone "$B/lat3.txt" && wait_for $((5 * slow)) test -f "$B/renamed.txt" || fail "the rename did not reach B"
wait_for $((2 * slow)) grep -q 'move-local: lat3.txt → renamed.txt' "$work/wB.out" || fail "the rename did not travel as a move: $(cat "$work/wB.out")"
mkdir -p "$A/n1/n2/n3"
echo deep >"$A/n1/n2/n3/deep.txt"
echo mid >"$A/n1/mid.txt"
arrival "$B/n1/n2/n3/deep.txt" deep $((5000 * slow)) >/dev/null &&
    arrival "$B/n1/mid.txt" mid $((5000 * slow)) >/dev/null ||
    fail "the nested directory did not reach B"

# --- a burst ------------------------------------------------------------------------
section "burst: 200 small files on A, all on B within 20 s"
mkdir "$A/burst"
start=$(now_ms)
for i in $(seq 1 200); do echo "burst file $i" >"$A/burst/b$i.txt"; done
all_there() { [ "$(ls "$B/burst" 2>/dev/null | wc -l)" -eq 200 ]; }
if wait_for $((20 * slow)) all_there; then
    echo "# burst of 200 files on B after $(($(now_ms) - start)) ms"
else
    fail "burst: $(ls "$B/burst" 2>/dev/null | wc -l) of 200 files on B after $((20 * slow)) s"
fi
settled() { [ "$(tree_listing "$A")" = "$(tree_listing "$B")" ]; }
wait_for $((10 * slow)) settled
same_trees "burst" "$A" "$B"

# --- metered network ----------------------------------------------------------------
section "metered: B pauses, then resumes when online"
echo metered >"$netB"
wait_for $((5 * slow)) grep -q 'paused-metered' "$work/wB.out" || fail "B did not say it paused on a metered connection: $(cat "$work/wB.out")"
echo "while metered" >"$A/metered.txt"
sleep 3
[ -e "$B/metered.txt" ] && fail "a file reached B over a metered connection (policy pause)"
echo online >"$netB"
arrival "$B/metered.txt" "while metered" $((8000 * slow)) >/dev/null || fail "metered.txt did not reach B once online"

# --- the server goes away and comes back --------------------------------------------
section "server stopped: offline, then resumes"
stop_server
wait_for $((10 * slow)) grep -q 'offline: ' "$work/wB.out" || fail "B did not say it is offline: $(tail -5 "$work/wB.out")"
echo "written while the server was down" >"$A/down.txt"
sleep 1
alive "$pidA" && alive "$pidB" || fail "a watch exited when the server stopped"
start_server "$port"
arrival "$B/down.txt" "written while the server was down" $((25000 * slow)) >/dev/null ||
    fail "down.txt did not reach B after the server came back: $(tail -5 "$work/wA.out") / $(tail -5 "$work/wB.out")"

# --- revoked token ------------------------------------------------------------------
section "revoked token: B stops with 'sign in again', files intact"
before=$(tree_listing "$B")
deviceB=$(sed -n 's/^device_id=//p' "$work/B/config/allset.conf")
admin devices alice --revoke "$deviceB"
echo "after the revocation" >"$A/after-revoke.txt"
exited() { ! alive "$pidB"; }
wait_for $((15 * slow)) exited || fail "B's watch kept running with a revoked token"
wait "$pidB"
statusB=$?
pidB=
[ "$statusB" = 1 ] || fail "B's watch exited with $statusB, expected 1"
grep -qi 'sign in again' "$work/wB.err" || fail "B did not say 'sign in again': $(cat "$work/wB.err")"
[ "$(tree_listing "$B")" = "$before" ] || fail "B's files changed after the revocation"
[ -e "$B/after-revoke.txt" ] && fail "B downloaded with a revoked token"

# --- SIGTERM --------------------------------------------------------------------------
section "SIGTERM: exit 0 within 2 s, no part file left"
start=$(now_ms)
kill -TERM "$pidA"
exited_a() { ! alive "$pidA"; }
wait_for $((2 * slow)) exited_a || fail "A's watch still runs $((2 * slow)) s after SIGTERM"
wait "$pidA"
statusA=$?
pidA=
echo "# A's watch stopped $(($(now_ms) - start)) ms after SIGTERM"
[ "$statusA" = 0 ] || fail "A's watch exited with $statusA after SIGTERM: $(cat "$work/wA.err")"
parts=$(find "$A" "$B" -name '.allset-part-*' | head -3)
[ -z "$parts" ] || fail "part files left: $parts"

finish "All watch tests passed."
