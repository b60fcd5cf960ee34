# SPDX-License-Identifier: GPL-3.0-or-later
#
# table.sh — prints the sync benchmark's result table (Markdown) from the
# values rec() stored: one row per figure, one column per peer, the
# target, whether ours meets it, and ours / best peer. Sourced by run.sh
# after the runs.

# figure | label | unit | aggregate | target text | target value (unit)
figures() {
    local a=$DS_A_FILES b=$((DS_B_BYTES / 1048576)) f=$DS_F_FILES
    cat <<EOF
A.up|A $a × 4 KiB: client 1 → server, verified|s|median|≤ 1 s|1
A.down|A: server → client 2's disk|s|median||
A.total|A: client 1 → client 2's disk|s|median||
D|D: A again, no change (rescan + round trip)|s|median|≤ 0.1 s|0.1
B.up|B $b MiB file: client 1 → server, verified|s|median|≤ 2.2 s|2.2
B.down|B: server → client 2's disk|s|median||
B.total|B: client 1 → client 2's disk|s|median||
C.up|C 1 MiB changed in B: client 1 → server|s|median|≤ 1.5 s|1.5
C.bytes.up|C: loopback bytes, client 1 → server|MiB|median|≤ 4 MiB|4
C.json.up|C: bytes_uploaded (sync --json)|MiB|median||
C.down|C: server → client 2's disk|s|median||
C.bytes.down|C: loopback bytes, server → client 2|MiB|median||
C.json.down|C: bytes_downloaded (sync --json)|MiB|median||
C.total|C: client 1 → client 2's disk|s|median||
E|E: write on client 1 → on client 2's disk (median of $E_WRITES)|s|median|≤ 1 s|1
idle|Idle watch: wake-ups per 30 s (seconds with any thread running; $IDLE_SECONDS s observed, once)|n|median|≤ 1|1
idle.ctx|Idle watch: context switches per 30 s (all threads)|n|median||
rss.client|Peak RSS, client (A–E)|MB|max||
rss.server|Peak RSS, server / daemon|MB|max||
F.up|F $f × 64 B: first upload (once)|s|median||
F.rescan|F: no-change pass|s|median||
F.rss.up|F: client RSS, first upload|MB|max||
F.rss|F: client RSS, no-change pass ($f tracked files)|MB|max|≤ 60 MB|60
F.rss.idle|F: client RSS, idle watch after its first pass|MB|max|≤ 60 MB|60
F.rss.server|F: server RSS|MB|max||
EOF
}

PEER_COLS=(ours unison syncthing rclone)

# fmt UNIT VALUE: seconds, MiB (from bytes), MB (from kB), counts.
fmt() {
    case $1 in
        s) awk -v v="$2" 'BEGIN { if (v < 10) printf "%.2f s", v; else printf "%.1f s", v }' ;;
        MiB) awk -v v="$2" 'BEGIN { m = v / 1048576; if (m < 10) printf "%.2f MiB", m; else printf "%.0f MiB", m }' ;;
        MB) awk -v v="$2" 'BEGIN { printf "%.1f MB", v * 1024 / 1e6 }' ;;
        n) awk -v v="$2" 'BEGIN { printf "%.1f", v }' ;;
    esac
}
# In the unit of the target: bytes → MiB, kB → MB.
in_target_unit() {
    case $1 in
        MiB) calc "$2 / 1048576" ;;
        MB) calc "$2 * 1024 / 1e6" ;;
        *) echo "$2" ;;
    esac
}

aggregate() {
    local how=$1
    shift
    [ $# -gt 0 ] || return 1
    if [ "$how" = max ]; then
        printf '%s\n' "$@" | sort -g | tail -n 1
    else
        median "$@"
    fi
}

print_table() {
    local key label unit how ttext tval peer cell v best ours_v met ratio
    echo "| figure | ours | unison | syncthing | rclone | target | met? | ours / best peer |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
    while IFS='|' read -r key label unit how ttext tval; do
        local row="| $label" any=0
        best='' ours_v=''
        for peer in "${PEER_COLS[@]}"; do
            cell=—
            v=
            if [ -n "${RES["$key|$peer"]:-}" ]; then
                # shellcheck disable=SC2086
                v=$(aggregate "$how" ${RES["$key|$peer"]})
                cell=$(fmt "$unit" "$v")
                [ -n "${CELLNOTE["$key|$peer"]:-}" ] && cell+=" ${CELLNOTE["$key|$peer"]}"
                any=1
                if [ "$peer" = ours ]; then
                    ours_v=$v
                elif [ -z "$best" ] || awk "BEGIN { exit !($v < $best) }"; then
                    best=$v
                fi
            elif [ -n "${CELLNOTE["$key|$peer"]:-}" ]; then
                cell=${CELLNOTE["$key|$peer"]}
                any=1
            elif ! want_peer "$peer"; then
                cell="not run"
            fi
            row+=" | $cell"
        done
        [ "$any" = 1 ] || continue
        met=
        if [ -n "$tval" ] && [ -n "$ours_v" ]; then
            if awk "BEGIN { exit !($(in_target_unit "$unit" "$ours_v") <= $tval) }"; then met=yes; else met='**no**'; fi
            [ "$SCALE" = 1 ] || met="($met at scale $SCALE)"
        fi
        ratio=
        if [ -n "$ours_v" ] && [ -n "$best" ] && awk "BEGIN { exit !($best > 0) }"; then
            ratio=$(awk -v o="$ours_v" -v b="$best" 'BEGIN { printf "%.2f×", o / b }')
        fi
        echo "$row | $ttext | $met | $ratio |"
    done < <(figures)
    local worst mean row="| Other processes' CPU during each peer's timed steps (mean)"
    for peer in "${PEER_COLS[@]}"; do
        if [ -n "${PEER_OTHER_WALL[$peer]:-}" ]; then
            row+=" | $(awk -v c="${PEER_OTHER_CPU[$peer]}" -v w="${PEER_OTHER_WALL[$peer]}" 'BEGIN { printf "%.2f cores", (w > 0 ? c / w : 0) }')"
        else
            row+=" | —"
        fi
    done
    echo "$row | ~0 | | |"
    worst=$(printf '%.2f' "$OTHER_WORST")
    mean=$(awk -v c="$OTHER_CPU_SUM" -v w="$OTHER_WALL_SUM" 'BEGIN { printf "%.2f", (w > 0 ? c / w : 0) }')
    echo "| Other processes' CPU during the timed steps (worst step / mean) | $worst / $mean cores | | | | ~0 | $(awk "BEGIN { print (($OTHER_WORST < 0.15) ? \"ok\" : \"BUSY\") }") | |"
}

# The values behind each median: how noisy the runs were.
print_runs() {
    local key label unit how ttext tval peer v line
    echo "Per-run values (run 1 / run 2 …):"
    echo
    while IFS='|' read -r key label unit how ttext tval; do
        [ "$how" = median ] || continue
        line=
        for peer in "${PEER_COLS[@]}"; do
            [ -n "${RES["$key|$peer"]:-}" ] || continue
            # shellcheck disable=SC2086
            [ "$(wc -w <<<"${RES["$key|$peer"]}")" -gt 1 ] || continue
            line+="${line:+; }$peer "
            for v in ${RES["$key|$peer"]}; do line+="$(fmt "$unit" "$v") / "; done
            line=${line% / }
        done
        [ -n "$line" ] && echo "- ${label%%:*}${label#*:}: $line" | sed 's/ (median of [0-9]*)//'
    done < <(figures)
}

print_report() {
    local cpu mem
    cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
    mem=$(awk '/^MemTotal:/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
    echo
    echo "## Sync benchmark: client to client (bench/sync/run.sh)"
    echo
    echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'). Machine: $(nproc) × $cpu, $mem, $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)."
    echo "Peers: $(unison -version 2>/dev/null | head -n 1); syncthing $(syncthing --version 2>/dev/null | cut -d' ' -f2); rclone $(rclone version 2>/dev/null | head -n 1 | cut -d' ' -f2)."
    echo "Options: --runs $RUNS --scale $SCALE, peers $PEERS, datasets $DATASET_LIST${SKIP:+, skipped $SKIP}; rclone A from ${RCLONE_A_FILES} files. Medians of $RUNS runs (RSS: the largest)."
    echo "Load average at start $LOAD_START, at end $LOAD_END. Total run time $(printf '%.0f' "$T_TOTAL") s."
    echo
    print_table
    echo
    echo "† one hop, replica to replica (unison: client → socket server; syncthing: instance → instance): the same figure is shown for \"→ server\" and \"client 1 → client 2\"."
    echo "~ rclone A and D: measured on a subset of A (whole directories, --rclone-a-files) and scaled to A's file count."
    echo "‡ rclone over WebDAV compares sizes only (serve webdav keeps no mtime, offers no hash): a same-size change is not seen; C is forced with --ignore-times and re-sends the whole file."
    echo "Loopback bytes count both directions of every connection, headers included; bytes_uploaded/downloaded are the payload the CLI reports."
    echo "Syncthing: \"client\" RSS is its second instance; D is instance 1's scan alone; E uses its watcher at the shortest delay (1 s, default 10 s). Unison has no E (Debian ships no unison-fsmonitor)."
    echo "ours: release allset-server --dev-cert, bandwidth caps off; the server fsyncs every chunk and commits with SQLite synchronous=FULL, the client fsyncs what it downloads. Syncthing fsyncs too; unison's server and rclone serve webdav do not."
    if [ "$RUNS" -gt 1 ]; then
        echo
        print_runs
    fi
    if [ ${#WARNINGS[@]} -gt 0 ]; then
        echo
        echo "Warnings during the run:"
        printf -- '- %s\n' "${WARNINGS[@]}"
    fi
}
