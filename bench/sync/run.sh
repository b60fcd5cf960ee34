#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The client-to-client sync benchmark (DESIGN.md §6): ALLSET Sync
# (release allset-server + two allset-cli devices) against unison
# (socket server), syncthing (two instances) and rclone (serve webdav over
# TLS), on the same deterministic datasets, in one go, printing one
# Markdown table with the medians of --runs runs and ours/best-peer ratios.
#
# Everything runs inside a private network namespace (unshare --net) whose
# only interface is loopback: no byte can leave for another address, and
# the loopback counter of /proc/net/dev counts exactly the bytes the
# measured peer exchanged (both directions, TCP/IP headers included).
#
# Needs root (for the namespace), the packages of
# build-aux/install-bench-deps.sh, and about 4 GiB free in $TMPDIR.
# A full run (--runs 2, scale 1) took 31 minutes on a 2-core machine whose
# other processes used 1.5 cores meanwhile (a run under half that load
# took 9.5 minutes, against 15.5); --scale 0.1 --runs 1 takes ~5 minutes.
#
# Usage: bench/sync/run.sh [OPTION…]   (--help lists the options)

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)

usage() {
    cat <<EOF
Usage: bench/sync/run.sh [OPTION…]

  --runs N              runs per figure, the table shows medians (default 2)
  --scale S             dataset size factor: 0.1 for a quick check (default 1)
  --peers LIST          comma-separated, of ours,unison,syncthing,rclone
                        (default: all four)
  --datasets LIST       comma-separated, of A,B,C,D,E,F (default: all);
                        D needs A and C needs B
  --skip LIST           PEER, DATASET or PEER-DATASET items to leave out,
                        e.g. rclone-A,F
  --rclone-a-files N    rclone syncs only N files of A and its A and D
                        times are scaled to A's size (default 1000;
                        0 = the whole of A, about 11 more minutes)
  --e-writes N          writes per E measurement (default 10)
  --idle-seconds N      how long an idle watch is observed, in the first
                        run (default 120; 0 = not measured)
  --datasets-dir DIR    generate the datasets there and keep them for the
                        next invocation (default: in the scratch directory)
  --keep                keep the scratch directory (servers' data, logs)
  --no-build            use build-bench/ as it is
  --output FILE         also write the table to FILE
EOF
}

RUNS=2 SCALE=1 PEERS=ours,unison,syncthing,rclone DATASET_LIST=A,B,C,D,E,F SKIP=
RCLONE_A_FILES=1000 E_WRITES=10 IDLE_SECONDS=120 DATASETS_DIR='' KEEP=0 BUILD=1 OUTPUT=
IN_NETNS=0
args=("$@")
while [ $# -gt 0 ]; do
    case $1 in
        --runs) RUNS=$2; shift ;;
        --scale) SCALE=$2; shift ;;
        --peers) PEERS=$2; shift ;;
        --datasets) DATASET_LIST=$2; shift ;;
        --skip) SKIP=$2; shift ;;
        --rclone-a-files) RCLONE_A_FILES=$2; shift ;;
        --e-writes) E_WRITES=$2; shift ;;
        --idle-seconds) IDLE_SECONDS=$2; shift ;;
        --datasets-dir) DATASETS_DIR=$2; shift ;;
        --keep) KEEP=1 ;;
        --no-build) BUILD=0 ;;
        --output) OUTPUT=$(realpath -m "$2"); shift ;;
        --in-netns) IN_NETNS=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench/sync/run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

builddir=${BENCH_BUILDDIR:-$src/build-bench}
SERVER_BIN=$builddir/server/allset-server
CLI_BIN=$builddir/src/cli/allset-cli

# ---- outside the namespace: checks, build, then re-run inside ----------

if [ "$IN_NETNS" = 0 ]; then
    [ "$(id -u)" = 0 ] || { echo "bench/sync/run.sh: needs root (unshare --net)" >&2; exit 1; }
    "$src/build-aux/install-bench-deps.sh" --check >/dev/null ||
        { echo "bench/sync/run.sh: missing packages: run build-aux/install-bench-deps.sh" >&2; exit 1; }
    if [ "$BUILD" = 1 ]; then
        log=$(mktemp "${TMPDIR:-/tmp}/allset-bench-build.XXXXXX")
        if [ -f "$builddir/meson-private/coredata.dat" ]; then
            setup=(meson setup --reconfigure "$builddir" "$src" -Dbuildtype=release)
        else
            setup=(meson setup "$builddir" "$src" -Dbuildtype=release)
        fi
        if ! "${setup[@]}" >"$log" 2>&1 ||
           ! ninja -C "$builddir" server/allset-server src/cli/allset-cli >>"$log" 2>&1; then
            cat "$log" >&2
            rm -f "$log"
            echo "bench/sync/run.sh: the release build failed" >&2
            exit 1
        fi
        rm -f "$log"
    fi
    if [ ! -x "$SERVER_BIN" ] || [ ! -x "$CLI_BIN" ]; then
        echo "bench/sync/run.sh: no $SERVER_BIN or $CLI_BIN" >&2
        exit 1
    fi
    exec unshare --net -- bash "${BASH_SOURCE[0]}" --in-netns "${args[@]}"
fi

# ---- inside the namespace ---------------------------------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/allset-bench-sync.XXXXXX")
. "$here/lib.sh"
. "$here/datasets.sh"
. "$here/peers/ours.sh"
. "$here/peers/unison.sh"
. "$here/peers/syncthing.sh"
. "$here/peers/rclone.sh"

ip link set lo up || die "cannot bring up loopback in the namespace"
[ "$(ip -o link show | wc -l)" = 1 ] || die "the namespace has another interface than lo"
# GLib's network monitor calls a machine without a default route offline,
# and `allset-cli watch` then waits for a network: a default route through
# lo itself keeps every packet inside the namespace.
ip route add default dev lo && ip -6 route add default dev lo 2>/dev/null

cleanup() {
    local pid
    for pid in ${OURS_SERVER_PID:-} ${UNISON_PID:-} ${RCLONE_PID:-} "${ST_PIDS[@]}" "${OURS_WATCH_PIDS[@]}"; do
        kill "$pid" 2>/dev/null
    done
    # Anything else still running in this private namespace was started
    # by this run (a watcher, a helper): end it too, by its pid.
    local me ns p
    me=$(readlink /proc/$$/ns/net)
    for p in /proc/[0-9]*; do
        [ "${p#/proc/}" != $$ ] || continue
        ns=$(readlink "$p/ns/net" 2>/dev/null) || continue
        [ "$ns" = "$me" ] && kill "${p#/proc/}" 2>/dev/null
    done
    wait 2>/dev/null
    if [ "$KEEP" = 1 ]; then
        log "scratch directory kept: $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_list() { [[ ",$2," == *",$1,"* ]]; }
want_dataset() { in_list "$1" "$DATASET_LIST" && ! in_list "$1" "$SKIP"; }
want_peer() { in_list "$1" "$PEERS" && ! in_list "$1" "$SKIP"; }
# want PEER DATASET: D needs A, C needs B.
want() {
    want_peer "$1" && want_dataset "$2" && ! in_list "$1-$2" "$SKIP" || return 1
    case $2 in
        D) want "$1" A ;;
        C) want "$1" B ;;
    esac
}

T_START=$EPOCHREALTIME
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
DATASETS=${DATASETS_DIR:-$work/datasets}
gen_datasets "$DATASETS" "$SCALE"
: >"$work/results.tsv"
E_LAT=()

for RUN in $(seq 1 "$RUNS"); do
    for peer in ours unison syncthing rclone; do
        want_peer "$peer" || continue
        log "run $RUN/$RUNS: $peer"
        CUR_PEER=$peer
        "${peer}_start"
        for ds in A D B C E; do
            want "$peer" "$ds" || continue
            log "run $RUN/$RUNS: $peer $ds"
            "${peer}_$ds"
        done
        "${peer}_stop"
    done
done
if want ours F; then
    log "ours F ($DS_F_FILES files, once)"
    CUR_PEER=ours
    ours_F
fi

T_TOTAL=$(calc "$EPOCHREALTIME - $T_START")
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

. "$here/table.sh"
if [ -n "$OUTPUT" ]; then
    print_report | tee "$OUTPUT"
else
    print_report
fi
