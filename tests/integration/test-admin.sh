#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Drives `allset-server admin` against a fresh data directory, and a running
# `allset-server serve --dev-cert` for the device commands. The work
# directory, the server (started, and stopped with a verdict on how it
# exited, sanitizer reports included) and fail/finish come from lib-cli.sh.
#
# Usage: test-admin.sh PATH/TO/allset-server

set -uo pipefail

lib_cli_server_only=1
. "$(dirname "$0")/lib-cli.sh" "${1:?usage: test-admin.sh PATH/TO/allset-server}"

# run EXPECTED_STATUS [STDIN] -- ARGS…: runs `allset-server admin --data-dir
# DATA ARGS…` and keeps its output in $out and $err.
run() {
    local expected=$1 input=$2
    shift 3
    printf '%s' "$input" | "$server_bin" admin --data-dir "$data" "$@" \
        >"$work/out" 2>"$work/err"
    status=$?
    out=$(cat "$work/out")
    err=$(cat "$work/err")
    if [ "$status" -ne "$expected" ]; then
        fail "admin $* exited with $status, expected $expected; stdout: $out; stderr: $err"
    fi
}

expect_out() { grep -q -- "$1" <<<"$out" || fail "stdout lacks '$1': $out"; }
expect_err() { grep -q -- "$1" <<<"$err" || fail "stderr lacks '$1': $err"; }

# --- usage -----------------------------------------------------------------
"$server_bin" >/dev/null 2>&1; [ $? -eq 2 ] || fail "no arguments should exit 2"
"$server_bin" --version | grep -q '^allset-server ' || fail "--version"
"$server_bin" admin >/dev/null 2>&1; [ $? -eq 2 ] || fail "admin without command should exit 2"
"$server_bin" admin account-list >/dev/null 2>&1; [ $? -eq 2 ] || fail "admin without --data-dir should exit 2"
run 2 "" -- frobnicate;                        expect_err "unknown command"
run 2 "" -- quota alice;                       expect_err "Usage:"

# --- accounts --------------------------------------------------------------
run 0 $'correct horse battery\n' -- account-add alice --name "Alice Martin" --email alice@example.com
expect_out "alice"
[ "$(stat -c %a "$data")" = 700 ] || fail "data dir mode is $(stat -c %a "$data"), expected 700"

run 1 $'another password\n' -- account-add alice --name "Alice Again" --email a@example.com
expect_err "already exists"
run 1 $'long enough password\n' -- account-add bob --name Bob --email bob@example.com --quota 10Q
expect_err "10Q"
run 1 $'short\n' -- account-add bob --name Bob --email bob@example.com
expect_err "8"
run 1 "" -- account-add bob --name Bob --email bob@example.com
run 1 $'long enough password\n' -- account-add Bob --name Bob --email bob@example.com
run 1 $'long enough password\n' -- account-add bob --name Bob --email bob.example.com
run 2 $'long enough password\n' -- account-add bob --email bob@example.com
run 0 $'long enough password' -- account-add bob --name "Bob Éloïse" --email bob@example.com --quota 1.5G

# g_format_size() puts a no-break space before the unit, hence "10.0.GiB".
run 0 "" -- account-list
expect_out "^USERNAME"
grep -q '^alice  *Alice Martin  *alice@example.com  *10.0.GiB  *0.bytes  *no$' <<<"$out" \
    || fail "account-list row for alice: $out"
expect_out "Bob Éloïse"
expect_out "1.5.GiB"

run 0 "" -- account-list --json
expect_out '"username" : "alice"'
expect_out '"quota" : 10737418240'
expect_out '"suspended" : false'

run 0 "" -- suspend alice;   expect_out "R23"
run 0 "" -- account-list
grep -q '^alice .* yes$' <<<"$out" || fail "alice should be suspended: $out"
run 0 "" -- resume alice
run 0 "" -- account-list
grep -q '^alice .* no$' <<<"$out" || fail "alice should be active: $out"
run 1 "" -- suspend nobody;  expect_err "nobody"

run 0 "" -- quota alice 20G; expect_out "20.0.GiB"
run 0 "" -- quota bob 0;     expect_out "unlimited"
run 1 "" -- quota alice lots
run 0 "" -- account-list --json
expect_out '"quota" : 21474836480'

# --- maintenance -----------------------------------------------------------
run 0 "" -- maintenance;     expect_out "Maintenance: off"
run 0 "" -- maintenance on --until 2099-01-01T10:00:00+02:00 --message "Disk upgrade"
expect_out "Maintenance: on"
expect_out "Until: 2099-01-01T08:00:00Z"
expect_out "Message: Disk upgrade"
run 0 "" -- maintenance;     expect_out "Until: 2099-01-01T08:00:00Z"
run 1 "" -- maintenance on --until yesterday
run 1 "" -- maintenance on --until 2001-01-01T00:00:00Z
run 2 "" -- maintenance off --message "no"
run 2 "" -- maintenance sideways
run 0 "" -- maintenance off; expect_out "Maintenance: off"

# --- share links (reports and suspension: tests/integration/test-share-abuse.c) ---
run 0 "" -- share-reports;               expect_out "No reports"
run 0 "" -- share-reports --json;        expect_out '^\[ *\]$'
run 1 "" -- share-suspend 999999 --reason "Plainte";  expect_err "No share link"
run 1 "" -- share-suspend zzzzzz --reason "Plainte";  expect_err "zzzzzz"
run 2 "" -- share-suspend 999999;        expect_err "needs --reason"
run 2 "" -- share-suspend --reason "Plainte";         expect_err "Usage:"
run 1 "" -- share-unsuspend 999999;      expect_err "No share link"
run 2 "" -- share-unsuspend;             expect_err "Usage:"

# --- devices, with a running server -----------------------------------------
run 0 "" -- devices alice;   expect_out "no devices"
run 1 "" -- devices nobody

if ! command -v curl >/dev/null 2>&1; then
    echo "# curl is not installed: device tests against the server skipped"
else
    start_server
    base="https://127.0.0.1:$port/api/v1"
    # The development certificate must verify for 127.0.0.1 as it is.
    api() { curl -sS --cacert "$data/tls/cert.pem" "$@"; }

    login() {
        api -X POST -H 'Content-Type: application/json' \
            -d "{\"username\":\"alice\",\"password\":\"correct horse battery\",\"device_name\":\"$1\"}" \
            "$base/login"
    }
    json_field() { sed -n "s/.*\"$1\" *: *\"\([^\"]*\)\".*/\1/p"; }

    token1=$(login laptop | json_field token)
    reply=$(login phone)
    token2=$(json_field token <<<"$reply")
    device2=$(json_field device_id <<<"$reply")
    [ -n "$token1" ] && [ -n "$token2" ] && [ -n "$device2" ] || fail "login failed: $reply"

    run 0 "" -- devices alice
    expect_out "^ID"
    expect_out "laptop"
    expect_out "phone"
    [ "$(grep -c ' no$' <<<"$out")" -eq 2 ] || fail "two live devices expected: $out"

    # A suspended account keeps its devices but the server refuses them (R23).
    run 0 "" -- suspend alice
    code=$(api -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token1" "$base/account")
    [ "$code" = 403 ] || fail "suspended account answered $code, expected 403"
    run 0 "" -- resume alice
    code=$(api -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token1" "$base/account")
    [ "$code" = 200 ] || fail "resumed account answered $code, expected 200"

    run 0 "" -- devices alice --revoke "$device2"
    run 1 "" -- devices alice --revoke 0000000000000000
    run 2 "" -- devices alice --revoke "$device2" --revoke-all
    code=$(api -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token2" "$base/account")
    [ "$code" = 401 ] || fail "revoked device answered $code, expected 401"
    code=$(api -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token1" "$base/account")
    [ "$code" = 200 ] || fail "live device answered $code, expected 200"

    # A password change signs every device out (terms R12).
    run 0 $'a brand new password\n' -- passwd alice
    expect_out "1 device signed out"
    expect_out "R12"
    code=$(api -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token1" "$base/account")
    [ "$code" = 401 ] || fail "device after passwd answered $code, expected 401"
    run 0 "" -- devices alice
    grep -q ' no$' <<<"$out" && fail "no device should survive passwd: $out"
    code=$(api -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        -d '{"username":"alice","password":"a brand new password","device_name":"laptop"}' "$base/login")
    [ "$code" = 200 ] || fail "login with the new password answered $code"

    # The running server picks up maintenance set from the command line.
    run 0 "" -- maintenance on --message "Back soon"
    code=
    for _ in $(seq 1 50); do
        code=$(api -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token1" "$base/account")
        [ "$code" = 503 ] && break
        sleep 0.1
    done
    [ "$code" = 503 ] || fail "server did not enter maintenance (last answer $code)"
    run 0 "" -- maintenance off
    # Before the verdict: a server that exits badly fails the test.
    stop_server

    # --- listening on IPv6 (the server accepts its connections itself:
    # server/allset-acceptor.c) --------------------------------------------
    if ! grep -Eqs '^0{31}1 .* lo$' /proc/net/if_inet6; then
        echo "# no IPv6 on the loopback: the IPv6 listening checks are skipped"
    else
        start_server 0 "::"
        code=$(curl -sk -o /dev/null -w '%{http_code}' "https://[::1]:$port/api/v1/status")
        [ "$code" = 200 ] || fail "a server on [::] answered $code over [::1]"
        # IPv6 alone, as libsoup listens: IPv4 clients are not taken under
        # mapped addresses.
        code=$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$port/api/v1/status")
        [ "$code" = 000 ] || fail "a server on [::] answered $code over IPv4"
        stop_server
    fi
fi

finish "admin CLI: all checks passed"
