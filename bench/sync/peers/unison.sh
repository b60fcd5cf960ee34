# SPDX-License-Identifier: GPL-3.0-or-later
#
# unison.sh — unison in the sync benchmark: `unison -socket PORT` is the
# "server" replica (it listens on every address, which in the benchmark's
# private network namespace is loopback only), the client runs one
# `unison LOCAL socket://127.0.0.1:PORT//REMOTE -batch -auto -times`.
#
# Unison syncs one replica with another: the time to the server replica is
# also the time to the other replica's disk (one hop, marked † in the
# table), and there is no second client. Unison's server does not fsync.
# No E: Debian's unison ships without unison-fsmonitor, which `-repeat
# watch` needs.

UNISON_PORT=17001

unison_start() {
    UD=$work/unison
    rm -rf "$UD"
    mkdir -p "$UD/c1" "$UD/srv" "$UD/home-c1" "$UD/home-srv"
    HOME="$UD/home-srv" unison -socket "$UNISON_PORT" >"$UD/server.log" 2>&1 &
    UNISON_PID=$!
    wait_until 10 0.05 port_listening "$UNISON_PORT" || die "unison -socket did not start: $(cat "$UD/server.log")"
}

unison_stop() {
    rec rss.server unison "$(vm_hwm "$UNISON_PID")"
    stop_pid "$UNISON_PID"
    UNISON_PID=
    [ "$KEEP" = 1 ] || rm -rf "$UD"
}

# unison_sync NAME: one timed pass of replica NAME (M_WALL, T_RSS_KB).
unison_sync() {
    sync
    m_begin "$UNISON_PID"
    run_timed "$UD/out.log" env HOME="$UD/home-c1" unison "$UD/c1/$1" \
        "socket://127.0.0.1:$UNISON_PORT/$UD/srv/$1" \
        -batch -auto -times -silent -confirmbigdel=false
    local status=$?
    m_end
    rec rss.client unison "$T_RSS_KB"
    [ "$status" -eq 0 ] || warn "unison: pass on $1 exited $status: $(tail -n 3 "$UD/out.log")"
}

unison_check_same() {
    diff -rq "$UD/c1/$1" "$UD/srv/$1" >/dev/null || warn "unison: $1 differs between the replicas"
}

unison_one_hop() {
    local fig=$1
    rec "$fig.up" unison "$M_WALL"
    rec "$fig.total" unison "$M_WALL"
    note "$fig.up" unison "†"
    note "$fig.total" unison "†"
}

unison_A() {
    mkdir -p "$UD/srv/A"
    place_dataset A "$UD/c1/A"
    unison_sync A
    unison_one_hop A
    unison_check_same A
}

unison_D() {
    unison_sync A
    rec D unison "$M_WALL"
}

unison_B() {
    mkdir -p "$UD/srv/B"
    place_dataset B "$UD/c1/B"
    unison_sync B
    unison_one_hop B
    unison_check_same B
}

unison_C() {
    local b0
    apply_c "$UD/c1/B/big.bin"
    b0=$(lo_bytes)
    unison_sync B
    rec C.bytes.up unison $(( $(lo_bytes) - b0 ))
    note C.bytes.up unison "†"
    unison_one_hop C
    unison_check_same B
}

unison_E() { note E unison "n/a (no unison-fsmonitor)"; }
