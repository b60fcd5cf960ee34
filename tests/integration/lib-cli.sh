# SPDX-License-Identifier: GPL-3.0-or-later
#
# lib-cli.sh — what the shell tests of allset-cli share: a work directory,
# a real allset-server over TLS on 127.0.0.1, an account, clients with
# their own config and state directories, and assertion helpers.
#
# Source it after setting nothing; it reads $ALLSET_SERVER and $ALLSET_CLI
# (or the first two arguments of the test script, passed as "$@"), makes
# $work, starts the server (start_server) and cleans up on exit. Each check
# calls fail; finish prints the verdict and exits.
#
#   . "$(dirname "$0")/lib-cli.sh" "$@"
#   start_server
#   add_account alice
#   login_client A alice && cli A 0 add-folder "$work/A/Sync" --remote Sync
#   …
#   finish "All watch tests passed."

set -uo pipefail

server_bin=${ALLSET_SERVER:-${1:?usage: $0 ALLSET_SERVER ALLSET_CLI}}
# A script that drives the server alone (test-admin.sh) sets
# lib_cli_server_only=1 before sourcing this: no allset-cli to name then.
if [ -n "${lib_cli_server_only:-}" ]; then
    cli_bin=
else
    cli_bin=${ALLSET_CLI:-${2:?usage: $0 ALLSET_SERVER ALLSET_CLI}}
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/allset-cli-test.XXXXXX")
data="$work/data"
server_pid=
password="correct horse battery"

export HOME="$work/home"
unset DISPLAY WAYLAND_DISPLAY
mkdir -p "$HOME"

# Extra cleanup of a test (background clients): define lib_cleanup_hook.
# A server that stops badly here, after finish, still fails the test.
lib_cleanup() {
    local before=$failures
    declare -F lib_cleanup_hook >/dev/null && lib_cleanup_hook
    stop_server
    rm -rf "$work"
    [ "$failures" -eq "$before" ] || exit 1
}
trap lib_cleanup EXIT

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
section() { echo "# $*"; }

finish() {
    if [ "$failures" -gt 0 ]; then
        echo "$failures failure(s)" >&2
        exit 1
    fi
    echo "$1"
    exit 0
}

# Under ASan the server runs as allset-test-server.c runs those of the
# server tests: with the slow unwinder (the test's own ASAN_OPTIONS ask for
# the fast one, see meson.build), which the suppressions need to see past
# GLib's frames, and one suppressions file holding those of $LSAN_OPTIONS
# and $ALLSET_TEST_LSAN_SUPPRESSIONS (tests/integration/lsan-server.supp).
server_env=()
if [ -n "${ALLSET_TEST_LSAN_SUPPRESSIONS:-}" ] && grep -q __asan_init "$server_bin"; then
    lsan_options=
    IFS=: read -ra lsan_items <<<"${LSAN_OPTIONS:-}"
    for item in "${lsan_items[@]}"; do
        case $item in
            suppressions=*) cat "${item#suppressions=}" >>"$work/lsan.supp" ;;
            ?*) lsan_options+="$item:" ;;
        esac
    done
    cat "$ALLSET_TEST_LSAN_SUPPRESSIONS" >>"$work/lsan.supp"
    server_env=("ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
                "LSAN_OPTIONS=${lsan_options}suppressions=$work/lsan.supp")
fi

# start_server [PORT [HOST]]: the server on HOST:PORT (127.0.0.1; port 0
# = any; a restart passes $port to come back on the same address). HOST
# may be an IPv6 address, without brackets. Sets $port, $url,
# $fingerprint ($url always names 127.0.0.1).
start_server() {
    local want=${1:-0} host=${2:-127.0.0.1}
    [[ $host == *:* ]] && host="[$host]"
    : >"$work/server.log"
    env "${server_env[@]}" "$server_bin" serve --data-dir "$data" --dev-cert \
        --listen "$host:$want" >>"$work/server.log" 2>&1 &
    server_pid=$!
    port=
    for _ in $(seq 1 100); do
        port=$(sed -n 's|.*listening on https://.*:\([0-9]*\)/.*|\1|p' "$work/server.log")
        [ -n "$port" ] && break
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    [ -n "$port" ] || { echo "FAIL: server did not start: $(cat "$work/server.log")" >&2; exit 1; }
    fingerprint=$(sed -n 's/^TLS certificate SHA-256 fingerprint: //p' "$work/server.log")
    url="https://127.0.0.1:$port/"
}

# stop_server: SIGTERM, then the verdict (fail) unless the server exited 0
# (or died of that SIGTERM) and printed no ASan, LSan or UBSan report: the
# sanitizer run relies on it, these servers being the only ones that see
# the engine's requests. A test that kills the server on purpose waits for
# it and empties $server_pid first.
stop_server() {
    [ -n "$server_pid" ] || return 0
    local pid=$server_pid status=0
    server_pid=
    kill "$pid" 2>/dev/null
    # LeakSanitizer's report at exit takes seconds under load, not a minute.
    for _ in $(seq 1 600); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        fail "allset-server did not stop within 60 s of SIGTERM: $(tail -n 20 "$work/server.log")"
        return
    fi
    wait "$pid" 2>/dev/null || status=$?
    local report
    report=$(sed -n -E '/==ERROR: [A-Za-z]*Sanitizer|Sanitizer:DEADLYSIGNAL|: runtime error: /,$p' \
        "$work/server.log" | head -n 300)
    if [ "$status" -ne 0 ] && [ "$status" -ne $((128 + 15)) ]; then
        fail "allset-server did not exit cleanly on SIGTERM (wait status $status)${report:+:$'\n'$report}"
    elif [ -n "$report" ]; then
        fail "allset-server printed a sanitizer report:"$'\n'"$report"
    fi
}

admin() { "$server_bin" admin --data-dir "$data" "$@" >"$work/admin.out" 2>&1 || fail "admin $*: $(cat "$work/admin.out")"; }

# add_account USER [QUOTA]: an account whose password is $password.
add_account() {
    printf '%s\n' "$password" | admin account-add "$1" --name "Test $1" --email "$1@example.com" --quota "${2:-2G}"
}

# The environment of client WHO: its own config, state, data and cache.
client_env() {
    echo XDG_CONFIG_HOME="$work/$1/config" XDG_STATE_HOME="$work/$1/state" \
        XDG_DATA_HOME="$work/$1/share" XDG_CACHE_HOME="$work/$1/cache"
}

# cli WHO EXPECTED_STATUS ARGS…: allset-cli as client WHO; output in
# $out/$err, exit status in $status (EXPECTED_STATUS "any" checks nothing).
cli() {
    local who=$1 expected=$2
    shift 2
    env $(client_env "$who") "$cli_bin" --config-dir "$work/$who/config" "$@" \
        </dev/null >"$work/out" 2>"$work/err"
    status=$?
    out=$(cat "$work/out")
    err=$(cat "$work/err")
    if [ "$expected" != any ] && [ "$status" -ne "$expected" ]; then
        fail "[$who] allset-cli $* exited with $status, expected $expected; stdout: $out; stderr: $err"
    fi
}
expect_out() { grep -q -- "$1" <<<"$out" || fail "stdout lacks '$1': $out"; }
expect_err() { grep -q -- "$1" <<<"$err" || fail "stderr lacks '$1': $err"; }
json_field() { sed -n "s/.*\"$1\" : \\([^,]*\\),\\{0,1\\}\$/\\1/p" <<<"$out" | head -1; }

# bg_cli WHO PREFIX ARGS…: allset-cli in the background as the process
# itself (run it as `(bg_cli …) &`; $! is its pid); output in
# PREFIX.out/.err.
bg_cli() {
    local who=$1 prefix=$2
    shift 2
    exec env $(client_env "$who") "$cli_bin" --config-dir "$work/$who/config" "$@" \
        </dev/null >"$prefix.out" 2>"$prefix.err"
}

# login_client WHO USER: signs client WHO in (token in $work/token-WHO,
# device "poste-WHO", certificate pinned).
login_client() {
    mkdir -p "$work/$1/config"
    printf '%s\n' "$password" | env $(client_env "$1") \
        "$cli_bin" --config-dir "$work/$1/config" login --server "$url" --user "$2" \
        --password-stdin --trust-fingerprint "$fingerprint" --token-file "$work/token-$1" \
        --device-name "poste-$1" >"$work/out" 2>&1 || fail "login $1: $(cat "$work/out")"
}

# api PATH [WHO]: GET /api/v1/PATH with client WHO's token (default A).
api() { curl -sS --cacert "$data/tls/cert.pem" -H "Authorization: Bearer $(cat "$work/token-${2:-A}")" "${url}api/v1/$1"; }

# wait_for SECONDS COMMAND…: polls COMMAND every 50 ms.
wait_for() {
    local tries=$(($1 * 20))
    shift
    for _ in $(seq 1 "$tries"); do "$@" && return 0; sleep 0.05; done
    return 1
}

# Two trees are equal: names, types, content, exec bit, mtime (±1 s).
tree_listing() {
    (cd "$1" && find . -mindepth 1 ! -name '.allset-part-*' -printf '%y\t%m\t%p\n' | sort -t$'\t' -k3)
}
# same_trees LABEL DIR1 DIR2
same_trees() {
    local label=$1 d1=$2 d2=$3 a b
    a=$(tree_listing "$d1"); b=$(tree_listing "$d2")
    [ "$a" = "$b" ] || { fail "$label: trees differ:"$'\n'"$(diff <(echo "$a") <(echo "$b"))"; return; }
    while IFS=$'\t' read -r type _ path; do
        [ "$type" = f ] || continue
        cmp -s "$d1/$path" "$d2/$path" || fail "$label: $path differs"
        local ta tb
        ta=$(stat -c %Y "$d1/$path"); tb=$(stat -c %Y "$d2/$path")
        [ $((ta - tb)) -le 1 ] && [ $((tb - ta)) -le 1 ] || fail "$label: mtime of $path: $ta vs $tb"
    done <<<"$a"
}
