# SPDX-License-Identifier: GPL-3.0-or-later
#
# lib.sh — what every peer script of the sync benchmark shares: timing a
# step together with the CPU the rest of the machine used meanwhile, the
# loopback byte counter of the private network namespace, peak RSS, and
# the result store the final table is printed from.
#
# Sourced by bench/sync/run.sh; needs $work (the run's scratch directory).

# ---- logging --------------------------------------------------------------

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
warn() { printf '[%s] WARNING: %s\n' "$(date +%T)" "$*" >&2; WARNINGS+=("$*"); }
die() { printf 'bench/sync: error: %s\n' "$*" >&2; exit 1; }
WARNINGS=()

# Float arithmetic without a dependency beyond awk: calc 'EXPR'.
# The parentheses keep a ">" in EXPR a comparison, not a redirection.
calc() { awk "BEGIN { printf \"%.6f\", ($1) }"; }

# ---- CPU and wall clock ---------------------------------------------------

clk_tck=$(getconf CLK_TCK)

# The three counters below are integer milliseconds read with builtins
# only, into _BUSY, _PCPU and _SELF: a fork between reading the clock and
# the counters would, on a loaded machine, stretch the counted window
# beyond the timed one.

# Busy CPU of the whole machine (user nice system irq softirq steal), ms.
machine_busy_ms() {
    local _cpu u n s i w irq sirq st
    read -r _cpu u n s i w irq sirq st _ </proc/stat
    _BUSY=$(( (u + n + s + irq + sirq + st) * 1000 / clk_tck ))
}

# CPU of the long-running processes PID… (threads included; their
# waited-for children too, for syncthing's and unison's helpers), ms.
pids_cpu_ms() {
    local total=0 pid s f
    for pid in "$@"; do
        [ -r "/proc/$pid/stat" ] || continue
        read -r s <"/proc/$pid/stat"
        s=${s##*) }
        read -r -a f <<<"$s"
        # f[0] is field 3 (state): utime, stime, cutime, cstime are 14–17.
        total=$((total + f[11] + f[12] + f[13] + f[14]))
    done
    _PCPU=$(( total * 1000 / clk_tck ))
}

# CPU of this shell and of every child it has waited for (the timed
# commands, the polling helpers), ms. `times` must run in this very shell
# (a command substitution would report its own subshell), hence the file.
shell_cpu_ms() {
    local user sys t m s
    _SELF=0
    times >"$work/.times"
    while read -r user sys; do
        for t in "$user" "$sys"; do
            m=${t%%m*} s=${t#*m}
            s=${s%s}
            _SELF=$(( _SELF + m * 60000 + 10#${s%.*} * 1000 + 10#${s#*.} ))
        done
    done <"$work/.times"
}

# m_begin PID…: starts a measured step; PID… are the peer's long-running
# processes (servers, daemons), whose CPU is not "other".
# m_end: sets M_WALL (s) and M_OTHER (cores used by other processes of the
# machine during the step), and keeps the worst and overall figures.
OTHER_WORST=0 OTHER_CPU_SUM=0 OTHER_WALL_SUM=0
declare -A PEER_OTHER_CPU PEER_OTHER_WALL
m_begin() {
    M_PIDS=("$@")
    shell_cpu_ms
    M_SELF0=$_SELF
    pids_cpu_ms "${M_PIDS[@]}"
    M_PCPU0=$_PCPU
    machine_busy_ms
    M_BUSY0=$_BUSY
    M_T0=$EPOCHREALTIME
}
m_end() {
    local t1=$EPOCHREALTIME busy1 pcpu1 self1 other
    machine_busy_ms
    busy1=$_BUSY
    pids_cpu_ms "${M_PIDS[@]}"
    pcpu1=$_PCPU
    shell_cpu_ms
    self1=$_SELF
    M_WALL=$(calc "$t1 - $M_T0")
    other=$(( (busy1 - M_BUSY0) - (pcpu1 - M_PCPU0) - (self1 - M_SELF0) ))
    [ "$other" -ge 0 ] || other=0
    # Steps shorter than a few clock ticks give meaningless ratios.
    if awk "BEGIN { exit !($M_WALL >= 0.2) }"; then
        M_OTHER=$(calc "$other / 1000 / $M_WALL")
        OTHER_WORST=$(calc "$M_OTHER > $OTHER_WORST ? $M_OTHER : $OTHER_WORST")
    else
        M_OTHER=0
    fi
    OTHER_CPU_SUM=$(calc "$OTHER_CPU_SUM + $other / 1000")
    OTHER_WALL_SUM=$(calc "$OTHER_WALL_SUM + $M_WALL")
    # Per peer too: were the peers compared under the same load?
    if [ -n "${CUR_PEER:-}" ]; then
        PEER_OTHER_CPU[$CUR_PEER]=$(calc "${PEER_OTHER_CPU[$CUR_PEER]:-0} + $other / 1000")
        PEER_OTHER_WALL[$CUR_PEER]=$(calc "${PEER_OTHER_WALL[$CUR_PEER]:-0} + $M_WALL")
    fi
    printf '%s\t%s\t%s\n' "$M_WALL" "$M_OTHER" "${M_LABEL:-}" >>"$work/steps.tsv"
}

# ---- peak RSS, bytes ------------------------------------------------------

# run_timed OUT CMD…: runs CMD with its standard output in OUT (stderr
# appended to $work/commands.log), under GNU time. Sets T_STATUS and
# T_RSS_KB (peak RSS of CMD).
run_timed() {
    local out=$1
    shift
    echo "+ $*" >>"$work/commands.log"
    /usr/bin/time -f %M -o "$work/.rss" "$@" >"$out" 2>>"$work/commands.log"
    T_STATUS=$?
    T_RSS_KB=$(tail -n 1 "$work/.rss")
    [[ $T_RSS_KB =~ ^[0-9]+$ ]] || T_RSS_KB=0
    return "$T_STATUS"
}

# Peak RSS (VmHWM, kB) of a running process.
vm_hwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# Bytes sent on the namespace's loopback (every packet once: both
# directions of every connection, headers included). /proc/net/dev, not
# /sys/class/net, which shows the namespace sysfs was mounted in.
lo_bytes() {
    local line f
    while read -r line; do
        line=${line/:/ }
        read -r -a f <<<"$line"
        [ "${f[0]}" = lo ] && { echo "${f[9]}"; return; }
    done </proc/net/dev
    echo 0
}

# ---- waiting --------------------------------------------------------------

# wait_until SECONDS INTERVAL COMMAND…: polls COMMAND.
wait_until() {
    local deadline
    deadline=$(calc "${EPOCHREALTIME} + $1")
    local interval=$2
    shift 2
    while ! "$@"; do
        awk "BEGIN { exit !(${EPOCHREALTIME} > $deadline) }" && return 1
        sleep "$interval"
    done
}

port_listening() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

# Watches DIR for files renamed or written into it (E: change latency):
# inotify_arm DIR, write the file, inotify_wait NAME TIMEOUT (sets
# E_ARRIVED to the wall clock of arrival), inotify_disarm.
inotify_arm() {
    rm -f "$work/.inotify.fifo" "$work/.inotify.err"
    mkfifo "$work/.inotify.fifo"
    inotifywait -m -e moved_to -e close_write --format %f "$1" \
        >"$work/.inotify.fifo" 2>"$work/.inotify.err" &
    INOTIFY_PID=$!
    exec {INOTIFY_FD}<>"$work/.inotify.fifo"
    wait_until 10 0.02 grep -q "Watches established" "$work/.inotify.err"
}
inotify_wait() {
    local name=$1 timeout=$2 line
    while read -r -t "$timeout" -u "$INOTIFY_FD" line; do
        if [ "$line" = "$name" ]; then
            E_ARRIVED=$EPOCHREALTIME
            return 0
        fi
    done
    return 1
}
inotify_disarm() {
    kill "$INOTIFY_PID" 2>/dev/null
    wait "$INOTIFY_PID" 2>/dev/null
    exec {INOTIFY_FD}<&-
    rm -f "$work/.inotify.fifo"
}

# stop_pid PID: SIGTERM, then SIGKILL after 10 s.
stop_pid() {
    local pid=$1
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || return 0
    wait_until 10 0.05 eval "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

# ---- results --------------------------------------------------------------

# rec FIGURE PEER VALUE: one run's value (seconds, bytes or kB as the
# figure's unit says). note FIGURE PEER TEXT: a footnote mark for a cell.
declare -A RES CELLNOTE
rec() {
    RES["$1|$2"]+="${RES["$1|$2"]:+ }$3"
    printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$work/results.tsv"
}
note() { CELLNOTE["$1|$2"]=$3; }

median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) exit 1
        if (NR % 2) printf "%.6f", v[(NR + 1) / 2]
        else printf "%.6f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
