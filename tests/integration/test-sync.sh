#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `allset-cli sync`, `status` and `conflicts` end to end: two clients
# (two config and state directories, two local folders, one account)
# against a real allset-server over TLS. Each case checks one promise of
# the issue and DESIGN.md §4 (invariants 1–5) and fails on its own.
#
# Usage: test-sync.sh [PATH/TO/allset-server PATH/TO/allset-cli]
# ($ALLSET_SERVER and $ALLSET_CLI win over the arguments.)

set -uo pipefail

server_bin=${ALLSET_SERVER:-${1:?usage: test-sync.sh ALLSET_SERVER ALLSET_CLI}}
cli_bin=${ALLSET_CLI:-${2:?usage: test-sync.sh ALLSET_SERVER ALLSET_CLI}}

work=$(mktemp -d "${TMPDIR:-/tmp}/allset-sync-test.XXXXXX")
data="$work/data"
server_pid=

export HOME="$work/home"
unset DISPLAY WAYLAND_DISPLAY
mkdir -p "$HOME"

cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
    fi
    rm -rf "$work"
}
trap cleanup EXIT

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
section() { echo "# $*"; }

# --- the server ------------------------------------------------------------
"$server_bin" serve --data-dir "$data" --dev-cert --listen 127.0.0.1:0 >"$work/server.log" 2>&1 &
server_pid=$!
port=
for _ in $(seq 1 100); do
    port=$(sed -n 's|.*listening on https://127.0.0.1:\([0-9]*\)/.*|\1|p' "$work/server.log")
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
[ -n "$port" ] || { echo "FAIL: server did not start: $(cat "$work/server.log")" >&2; exit 1; }
fingerprint=$(sed -n 's/^TLS certificate SHA-256 fingerprint: //p' "$work/server.log")
url="https://127.0.0.1:$port/"
password="correct horse battery"

admin() { "$server_bin" admin --data-dir "$data" "$@" >"$work/admin.out" 2>&1 || fail "admin $*: $(cat "$work/admin.out")"; }
printf '%s\n' "$password" | admin account-add alice --name "Alice Martin" --email alice@example.com --quota 2G

# GET an API path with a token (curl, pinned CA): the body.
api() { curl -sS --cacert "$data/tls/cert.pem" -H "Authorization: Bearer $(cat "$work/token-A")" "${url}api/v1/$1"; }

# cli A|B EXPECTED_STATUS ARGS…: allset-cli as client A or B; output in $out/$err.
cli() {
    local who=$1 expected=$2
    shift 2
    env XDG_CONFIG_HOME="$work/$who/config" XDG_STATE_HOME="$work/$who/state" \
        XDG_DATA_HOME="$work/$who/share" XDG_CACHE_HOME="$work/$who/cache" \
        "$cli_bin" --config-dir "$work/$who/config" "$@" </dev/null >"$work/out" 2>"$work/err"
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

A="$work/A/Sync"
B="$work/B/Sync"
for who in A B; do
    mkdir -p "$work/$who/config"
    printf '%s\n' "$password" | env XDG_STATE_HOME="$work/$who/state" \
        "$cli_bin" --config-dir "$work/$who/config" login --server "$url" --user alice \
        --password-stdin --trust-fingerprint "$fingerprint" --token-file "$work/token-$who" \
        --device-name "poste-$who" >"$work/out" 2>&1 || fail "login $who: $(cat "$work/out")"
    cli "$who" 0 add-folder "$work/$who/Sync" --remote Sync
done

# Two trees are equal: names, types, content, exec bit, mtime (±1 s).
tree_listing() {
    (cd "$1" && find . -mindepth 1 ! -name '.allset-part-*' -printf '%y\t%m\t%p\n' | sort -t$'\t' -k3)
}
same_trees() {
    local a b
    a=$(tree_listing "$A"); b=$(tree_listing "$B")
    [ "$a" = "$b" ] || { fail "$1: trees differ:"$'\n'"$(diff <(echo "$a") <(echo "$b"))"; return; }
    while IFS=$'\t' read -r type _ path; do
        [ "$type" = f ] || continue
        cmp -s "$A/$path" "$B/$path" || fail "$1: $path differs"
        local ta tb
        ta=$(stat -c %Y "$A/$path"); tb=$(stat -c %Y "$B/$path")
        [ $((ta - tb)) -le 1 ] && [ $((tb - ta)) -le 1 ] || fail "$1: mtime of $path: $ta vs $tb"
    done <<<"$a"
}

# --- (a) a new tree travels whole -------------------------------------------
section "a: files, dirs, empty dir, exec bit, 6 MiB, 200 small files, accents"
mkdir -p "$A/Docs/Empty" "$A/Photos été" "$A/small"
echo "hello" >"$A/Docs/hello.txt"
printf '#!/bin/sh\necho hi\n' >"$A/run.sh" && chmod 755 "$A/run.sh"
head -c $((6 * 1024 * 1024)) /dev/urandom >"$A/big.bin"
echo "crème brûlée" >"$A/Photos été/légende.txt"
for i in $(seq 1 200); do echo "small file $i" >"$A/small/f$i.txt"; done
touch -d '2024-01-02 03:04:05' "$A/Docs/hello.txt"
cli A 0 sync
cli B 0 sync
same_trees "a"
[ -d "$B/Docs/Empty" ] || fail "a: empty directory missing on B"
[ -x "$B/run.sh" ] || fail "a: executable bit lost on B"
[ -x "$B/Docs/hello.txt" ] && fail "a: hello.txt became executable"
[ "$(stat -c %Y "$B/Docs/hello.txt")" = "$(date -d '2024-01-02 03:04:05' +%s)" ] || fail "a: mtime not kept"
for who in A B; do
    cli "$who" 0 status
    expect_out "State: in sync"
    cli "$who" 0 status --json
    expect_out '"state" : "in_sync"'
    expect_out '"pending" : 0'
done
ls -a "$B" | grep -q '^\.allset-part-' && fail "a: a part file was left on B"

# --- (b) an edit travels back -------------------------------------------------
section "b: edit on B reaches A"
echo "edited on B" >"$B/Docs/hello.txt"
cli B 0 sync
cli A 0 sync
[ "$(cat "$A/Docs/hello.txt")" = "edited on B" ] || fail "b: A did not get B's edit"

if [ "$failures" -gt 0 ]; then
    echo "$failures failure(s)" >&2
    exit 1
fi
echo "All sync tests passed."
