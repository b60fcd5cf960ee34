# SPDX-License-Identifier: GPL-3.0-or-later
#
# ours.sh — ALLSET Sync in the sync benchmark: the release allset-server
# (--dev-cert, bandwidth caps off) on 127.0.0.1, client 1 and client 2
# two allset-cli devices of one account, each with its own config, state
# and token file (as tests/integration/lib-cli.sh does).
#
# Two moments per dataset: `allset-cli sync` on client 1 returns once
# every file is committed and verified on the server; `allset-cli sync`
# on client 2 returns once the files are on its disk.

OURS_PASSWORD="bench-sync-password"

# ours_cmd WHO: OURS_CMD, the command line of allset-cli as client WHO
# (an array, so GNU time can run it).
ours_cmd() {
    OURS_CMD=(env XDG_CONFIG_HOME="$OD/$1/config" XDG_STATE_HOME="$OD/$1/state"
              XDG_DATA_HOME="$OD/$1/share" XDG_CACHE_HOME="$OD/$1/cache"
              "$CLI_BIN" --config-dir "$OD/$1/config")
}
ours_cli() {
    ours_cmd "$1"
    shift
    "${OURS_CMD[@]}" "$@" </dev/null
}

# ours_server DIR: a fresh server on DIR; sets OURS_SERVER_PID, OURS_URL,
# OURS_FP, and signs in c1 and c2.
ours_server() {
    OD=$1
    rm -rf "$OD"
    mkdir -p "$OD"
    "$SERVER_BIN" serve --data-dir "$OD/data" --dev-cert --listen 127.0.0.1:0 \
        --bandwidth-up 0 --bandwidth-down 0 >"$OD/server.log" 2>&1 &
    OURS_SERVER_PID=$!
    local port=
    for _ in $(seq 1 100); do
        port=$(sed -n 's|.*listening on https://127.0.0.1:\([0-9]*\)/.*|\1|p' "$OD/server.log")
        [ -n "$port" ] && break
        sleep 0.1
    done
    [ -n "$port" ] || die "allset-server did not start: $(cat "$OD/server.log")"
    OURS_URL="https://127.0.0.1:$port/"
    OURS_FP=$(sed -n 's/^TLS certificate SHA-256 fingerprint: //p' "$OD/server.log")
    printf '%s\n' "$OURS_PASSWORD" | "$SERVER_BIN" admin --data-dir "$OD/data" account-add bench \
        --name Bench --email bench@example.com --quota 100G >>"$work/commands.log" 2>&1 ||
        die "account-add failed (see $work/commands.log)"
    local who
    for who in c1 c2; do
        mkdir -p "$OD/$who/config"
        printf '%s\n' "$OURS_PASSWORD" | env XDG_CONFIG_HOME="$OD/$who/config" \
            XDG_STATE_HOME="$OD/$who/state" "$CLI_BIN" --config-dir "$OD/$who/config" login \
            --server "$OURS_URL" --user bench --password-stdin --trust-fingerprint "$OURS_FP" \
            --token-file "$OD/$who/token" --device-name "bench-$who" >>"$work/commands.log" 2>&1 ||
            die "allset-cli login $who failed (see $work/commands.log)"
    done
}

ours_start() { ours_server "$work/ours"; }

ours_stop() {
    rec rss.server ours "$(vm_hwm "$OURS_SERVER_PID")"
    ours_watch_stop
    stop_pid "$OURS_SERVER_PID"
    OURS_SERVER_PID=
    [ "$KEEP" = 1 ] || rm -rf "$OD"
}

ours_add_folder() {
    ours_cli c1 add-folder "$OD/c1/$1" --remote "$1" >>"$work/commands.log" 2>&1 &&
        ours_cli c2 add-folder "$OD/c2/$1" --remote "$1" >>"$work/commands.log" 2>&1 ||
        die "allset-cli add-folder $1 failed"
}

# ours_sync WHO FOLDER [RSS_FIGURE]: one timed `allset-cli sync` (M_WALL,
# T_RSS_KB, recorded under RSS_FIGURE, default rss.client); its JSON
# report in $OD/sync.json. A pass that is not in sync is a
# failed measurement: warned about, and the table says so.
ours_sync() {
    sync
    m_begin "$OURS_SERVER_PID"
    ours_cmd "$1"
    run_timed "$OD/sync.json" "${OURS_CMD[@]}" sync "$OD/$1/$2" --json </dev/null
    local status=$?
    m_end
    rec "${3:-rss.client}" ours "$T_RSS_KB"
    if [ "$status" -ne 0 ] || [ "$(jq -r .in_sync "$OD/sync.json" 2>/dev/null)" != true ]; then
        warn "ours: allset-cli sync on $1 ($2) exited $status, not in sync: $(head -c 600 "$OD/sync.json")"
    fi
}
json_sum() { jq "[.folders[].$1] | add" "$OD/sync.json" 2>/dev/null || echo 0; }

ours_check_same() {
    diff -rq --exclude='.allset-*' "$OD/c1/$1" "$OD/c2/$1" >/dev/null ||
        warn "ours: $1 differs between client 1 and client 2"
}

ours_A() {
    local up
    ours_add_folder A
    place_dataset A "$OD/c1/A"
    ours_sync c1 A
    up=$M_WALL
    [ "$(json_sum uploaded)" = "$DS_A_FILES" ] || warn "ours: A uploaded $(json_sum uploaded) files, expected $DS_A_FILES"
    rec A.up ours "$up"
    ours_sync c2 A
    rec A.down ours "$M_WALL"
    rec A.total ours "$(calc "$up + $M_WALL")"
    ours_check_same A
}

ours_D() {
    ours_sync c1 A
    rec D ours "$M_WALL"
    [ "$(json_sum uploaded)" = 0 ] || warn "ours: D uploaded $(json_sum uploaded) files"
}

ours_B() {
    local up
    ours_add_folder B
    place_dataset B "$OD/c1/B"
    ours_sync c1 B
    up=$M_WALL
    rec B.up ours "$up"
    ours_sync c2 B
    rec B.down ours "$M_WALL"
    rec B.total ours "$(calc "$up + $M_WALL")"
    ours_check_same B
}

ours_C() {
    local up b0 b1 b2
    apply_c "$OD/c1/B/big.bin"
    b0=$(lo_bytes)
    ours_sync c1 B
    b1=$(lo_bytes)
    up=$M_WALL
    rec C.up ours "$up"
    rec C.bytes.up ours $((b1 - b0))
    rec C.json.up ours "$(json_sum bytes_uploaded)"
    ours_sync c2 B
    b2=$(lo_bytes)
    rec C.down ours "$M_WALL"
    rec C.total ours "$(calc "$up + $M_WALL")"
    rec C.bytes.down ours $((b2 - b1))
    rec C.json.down ours "$(json_sum bytes_downloaded)"
    ours_check_same B
}

# ---- E: watch -----------------------------------------------------------

ours_watch_ready() {
    "$CLI_BIN" watch --help >/dev/null 2>&1
}

OURS_WATCH_PIDS=()
ours_watch_stop() {
    local pid
    for pid in "${OURS_WATCH_PIDS[@]}"; do stop_pid "$pid"; done
    OURS_WATCH_PIDS=()
}

# wakeups PID SECONDS: how often PID wakes up during SECONDS, from the
# context switches of its threads sampled every second: WAKEUPS counts
# the seconds in which any thread ran (a burst of work is one wake-up),
# SWITCHES the context switches themselves. Per thread, so that a thread
# that ends (GLib's pool threads do after 15 s idle) loses at most its
# last second and a new thread counts from its start.
wakeups() {
    local pid=$1 seconds=$2 i tid n active
    declare -A prev=()
    WAKEUPS=0 SWITCHES=0
    for i in $(seq 0 "$seconds"); do
        [ "$i" = 0 ] || sleep 1
        declare -A now=()
        active=0
        for tid in "/proc/$pid/task"/*; do
            tid=${tid##*/}
            n=$(awk '/^(non)?voluntary_ctxt_switches:/ { n += $2 } END { print n + 0 }' \
                "/proc/$pid/task/$tid/status" 2>/dev/null) || continue
            now[$tid]=$n
            if [ "$i" -gt 0 ] && [ "$n" != "${prev[$tid]:-0}" ]; then
                SWITCHES=$(( SWITCHES + n - ${prev[$tid]:-0} ))
                active=1
                printf '%s\t%s\t%s\n' "$i" "$tid" $(( n - ${prev[$tid]:-0} )) >>"$work/idle-wakeups.tsv"
            fi
        done
        WAKEUPS=$(( WAKEUPS + active ))
        prev=()
        for tid in "${!now[@]}"; do prev[$tid]=${now[$tid]}; done
        unset now
    done
}

ours_E() {
    if ! ours_watch_ready; then
        note E ours "not measured: watch not ready"
        note idle ours "not measured: watch not ready"
        return
    fi
    local who i name t0
    ours_add_folder E
    for who in c1 c2; do
        # Started directly, not through a function: $! must be allset-cli
        # itself (env execs it), whose threads are counted below.
        ours_cmd "$who"
        "${OURS_CMD[@]}" watch --quiet "$OD/$who/E" </dev/null >"$OD/watch-$who.log" 2>&1 &
        OURS_WATCH_PIDS+=($!)
    done
    # Warm-up: the first file also proves both watchers are up.
    inotify_arm "$OD/c2/E"
    head -c 4096 /dev/urandom >"$OD/c1/E/warmup"
    if ! inotify_wait warmup 60; then
        inotify_disarm
        warn "ours: watch did not bring a file to client 2 within 60 s"
        note E ours "failed: no file after 60 s"
        ours_watch_stop
        return
    fi
    for i in $(seq 1 "$E_WRITES"); do
        sleep 0.5
        name="e-$RUN-$i"
        t0=$EPOCHREALTIME
        head -c 4096 /dev/urandom >"$OD/c1/E/$name.tmp" && mv "$OD/c1/E/$name.tmp" "$OD/c1/E/$name"
        if inotify_wait "$name" 30; then
            rec E.one ours "$(calc "$E_ARRIVED - $t0")"
            E_LAT+=("$(calc "$E_ARRIVED - $t0")")
        else
            warn "ours: E file $name not on client 2 after 30 s"
        fi
    done
    inotify_disarm
    [ ${#E_LAT[@]} -gt 0 ] && rec E ours "$(median "${E_LAT[@]}")"
    E_LAT=()

    # Idle (first run only): no change anywhere; client 1's wake-ups.
    if [ "$IDLE_SECONDS" -gt 0 ] && [ "$RUN" = 1 ]; then
        sleep 5
        wakeups "${OURS_WATCH_PIDS[0]}" "$IDLE_SECONDS"
        rec idle ours "$(calc "$WAKEUPS * 30 / $IDLE_SECONDS")"
        rec idle.ctx ours "$(calc "$SWITCHES * 30 / $IDLE_SECONDS")"
    fi
    ours_watch_stop
}

# ---- F: 100 000 tracked files (run once, its own server) ----------------

# ours_F_idle: RSS of `watch` on F once it is idle: what a desktop shows
# for the tray app most of the day. Idle means no CPU used for two seconds
# in a row: the watch makes a second pass right after its first (the
# watches came up during the first scan, see on_local_ready()).
ours_F_idle() {
    local pid i ticks last=-1 quiet=0
    ours_watch_ready || { note F.rss.idle ours "not measured: watch not ready"; return; }
    ours_cmd c1
    LC_ALL=C "${OURS_CMD[@]}" watch "$OD/c1/F" </dev/null >"$OD/watch-F.log" 2>&1 &
    pid=$!
    for i in $(seq 1 120); do
        sleep 1
        ticks=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null) || break
        if [ "$ticks" = "$last" ]; then quiet=$((quiet + 1)); else quiet=0; fi
        last=$ticks
        if [ "$quiet" -ge 2 ] && grep -q "Up to date" "$OD/watch-F.log"; then
            rec F.rss.idle ours "$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")"
            break
        fi
    done
    [ "$quiet" -ge 2 ] || warn "ours: watch on F was not idle within 120 s"
    stop_pid "$pid"
}

ours_F() {
    ours_server "$work/ours-F"
    ours_cli c1 add-folder "$OD/c1/F" --remote F >>"$work/commands.log" 2>&1
    place_dataset F "$OD/c1/F"
    log "ours F: first upload of $DS_F_FILES files"
    ours_sync c1 F F.rss.up
    rec F.up ours "$M_WALL"
    ours_sync c1 F F.rss
    rec F.rescan ours "$M_WALL"
    ours_F_idle
    rec F.rss.server ours "$(vm_hwm "$OURS_SERVER_PID")"
    stop_pid "$OURS_SERVER_PID"
    OURS_SERVER_PID=
    [ "$KEEP" = 1 ] || rm -rf "$OD"
}
