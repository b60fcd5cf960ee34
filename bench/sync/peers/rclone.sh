# SPDX-License-Identifier: GPL-3.0-or-later
#
# rclone.sh — rclone in the sync benchmark: `rclone serve webdav` over TLS
# (a self-signed certificate for 127.0.0.1, made here) is the server;
# `rclone copy` client 1 → server is the first moment, `rclone copy`
# server → client 2's directory the second.
#
# The WebDAV remote is rclone's generic one (vendor "other"): rclone 1.60's
# serve webdav keeps neither the client's mtimes nor a hash it can
# compare, so rclone compares sizes only. A no-change pass (D) is then
# cheap, but a same-size change (C) goes unseen: C is run with
# --ignore-times, which re-sends the whole file (marked ‡).
#
# A with rclone takes minutes (≈ 32 ms per file): by default only
# $RCLONE_A_FILES files of A (whole directories) are synced and the times
# are scaled to A's size, marked "~" in the table. --rclone-a-files 0 runs
# the whole of A.

RCLONE_PORT=17002

rclone_start() {
    RD=$work/rclone
    rm -rf "$RD"
    mkdir -p "$RD/c1" "$RD/c2" "$RD/srv"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$RD/key.pem" -out "$RD/cert.pem" \
        -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1 ||
        die "openssl could not make rclone's certificate"
    : >"$RD/rclone.conf"
    export RCLONE_CONFIG="$RD/rclone.conf"
    export RCLONE_CONFIG_BENCH_TYPE=webdav
    export RCLONE_CONFIG_BENCH_URL="https://127.0.0.1:$RCLONE_PORT/"
    export RCLONE_CONFIG_BENCH_VENDOR=other
    rclone serve webdav "$RD/srv" --addr "127.0.0.1:$RCLONE_PORT" \
        --cert "$RD/cert.pem" --key "$RD/key.pem" >"$RD/server.log" 2>&1 &
    RCLONE_PID=$!
    wait_until 10 0.05 port_listening "$RCLONE_PORT" || die "rclone serve webdav did not start: $(cat "$RD/server.log")"
}

rclone_stop() {
    rec rss.server rclone "$(vm_hwm "$RCLONE_PID")"
    stop_pid "$RCLONE_PID"
    RCLONE_PID=
    [ "$KEEP" = 1 ] || rm -rf "$RD"
}

# rclone_copy SRC DST [FLAG…]: one timed copy (M_WALL, T_RSS_KB).
rclone_copy() {
    local src=$1 dst=$2
    shift 2
    sync
    m_begin "$RCLONE_PID"
    run_timed "$RD/out.log" rclone copy "$src" "$dst" --ca-cert "$RD/cert.pem" -q "$@"
    local status=$?
    m_end
    rec rss.client rclone "$T_RSS_KB"
    [ "$status" -eq 0 ] || warn "rclone: copy $src → $dst exited $status: $(tail -n 3 "$RD/out.log")"
}

rclone_check_same() {
    diff -rq "$RD/c1/$1" "$RD/c2/$1" >/dev/null || warn "rclone: $1 differs between client 1 and client 2"
}

# The subset of A rclone syncs, and the factor its times are scaled by.
rclone_a_subset() {
    local want=$RCLONE_A_FILES dirs
    if [ "$want" -le 0 ] || [ "$want" -ge "$DS_A_FILES" ]; then
        RCLONE_A_SCALE=1
        place_dataset A "$RD/c1/A"
        return
    fi
    dirs=$(( (want + 99) / 100 ))
    mkdir -p "$RD/c1/A"
    local d
    for d in $(ls "$DATASETS/A" | head -n "$dirs"); do
        cp -a "$DATASETS/A/$d" "$RD/c1/A/"
    done
    local n
    n=$(find "$RD/c1/A" -type f | wc -l)
    RCLONE_A_SCALE=$(calc "$DS_A_FILES / $n")
    [ "$n" -lt "$DS_A_FILES" ] && RCLONE_A_NOTE="~ (from $n files × $(printf '%.0f' "$RCLONE_A_SCALE"))"
}

rclone_A() {
    local up
    RCLONE_A_NOTE=
    rclone_a_subset
    rclone_copy "$RD/c1/A" bench:A
    up=$(calc "$M_WALL * $RCLONE_A_SCALE")
    rec A.up rclone "$up"
    rclone_copy bench:A "$RD/c2/A"
    rec A.down rclone "$(calc "$M_WALL * $RCLONE_A_SCALE")"
    rec A.total rclone "$(calc "$up + $M_WALL * $RCLONE_A_SCALE")"
    if [ -n "$RCLONE_A_NOTE" ]; then
        note A.up rclone "~"
        note A.down rclone "~"
        note A.total rclone "~"
    fi
    rclone_check_same A
}

rclone_D() {
    rclone_copy "$RD/c1/A" bench:A
    rec D rclone "$(calc "$M_WALL * $RCLONE_A_SCALE")"
    [ -n "$RCLONE_A_NOTE" ] && note D rclone "~"
}

rclone_B() {
    local up
    place_dataset B "$RD/c1/B"
    rclone_copy "$RD/c1/B" bench:B
    up=$M_WALL
    rec B.up rclone "$up"
    rclone_copy bench:B "$RD/c2/B"
    rec B.down rclone "$M_WALL"
    rec B.total rclone "$(calc "$up + $M_WALL")"
    rclone_check_same B
}

rclone_C() {
    local up b0 b1
    apply_c "$RD/c1/B/big.bin"
    b0=$(lo_bytes)
    rclone_copy "$RD/c1/B" bench:B --ignore-times
    b1=$(lo_bytes)
    up=$M_WALL
    rec C.up rclone "$up"
    rec C.bytes.up rclone $((b1 - b0))
    rclone_copy bench:B "$RD/c2/B" --ignore-times
    rec C.down rclone "$M_WALL"
    rec C.total rclone "$(calc "$up + $M_WALL")"
    rec C.bytes.down rclone $(( $(lo_bytes) - b1 ))
    local fig
    for fig in C.up C.down C.total C.bytes.up C.bytes.down; do note "$fig" rclone "‡"; done
    rclone_check_same B
}

rclone_E() { note E rclone "n/a (no watch mode)"; }
