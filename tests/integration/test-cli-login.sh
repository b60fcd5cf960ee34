#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# allset-cli against a real allset-server over TLS, with a real
# gnome-keyring in a private D-Bus session: login (certificate pinning,
# password on a terminal or stdin, keyring or --token-file), whoami,
# logout (server token revoked), add-folder/folders, and the errors a user
# meets (wrong password, unreachable server, maintenance, suspension, no
# keyring, token file open to others).
#
# Usage: test-cli-login.sh [PATH/TO/allset-server PATH/TO/allset-cli]
# ($ALLSET_SERVER and $ALLSET_CLI win over the arguments.)
#
# The work directory, the server (started, and stopped with a verdict on
# how it exited, sanitizer reports included) and the check helpers come
# from lib-cli.sh; this script runs allset-cli its own way (run, below),
# with one configuration and the keyring rather than lib-cli.sh's clients.

set -uo pipefail

server_bin=${ALLSET_SERVER:-${1:?usage: test-cli-login.sh ALLSET_SERVER ALLSET_CLI}}
cli_bin=${ALLSET_CLI:-${2:?usage: test-cli-login.sh ALLSET_SERVER ALLSET_CLI}}

# Everything below runs inside its own session bus, so the keyring daemon we
# start is ours alone and goes away with the bus.
if [ -z "${ALLSET_TEST_PRIVATE_BUS:-}" ]; then
    for tool in dbus-run-session dbus-send gnome-keyring-daemon secret-tool curl script; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "SKIP: $tool is not installed (build-aux/install-deps.sh installs it)"
            exit 77
        fi
    done
    exec dbus-run-session -- env ALLSET_TEST_PRIVATE_BUS=1 bash "$0" "$server_bin" "$cli_bin"
fi

. "$(dirname "$0")/lib-cli.sh" "$server_bin" "$cli_bin"

# lib-cli.sh made $HOME ($work/home); the keyring lives under it.
export XDG_CONFIG_HOME="$HOME/.config" XDG_STATE_HOME="$HOME/.local/state"
export XDG_DATA_HOME="$HOME/.local/share" XDG_CACHE_HOME="$HOME/.cache"
export XDG_RUNTIME_DIR="$work/run"
mkdir -m 700 "$XDG_RUNTIME_DIR"

# A real keyring, unlocked with a non-empty password (an empty one fails).
printf '%s' "keyring password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
for _ in $(seq 1 50); do
    dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
        | grep -q true && break
    sleep 0.1
done

# --- the server ------------------------------------------------------------
start_server
printf '%s\n' "$password" | admin account-add alice --name "Alice Martin" --email alice@example.com --quota 1G

# GET /api/v1/account with a token: the HTTP status.
account_status() {
    curl -sS -o /dev/null -w '%{http_code}' --cacert "$data/tls/cert.pem" \
        -H "Authorization: Bearer $1" "${url}api/v1/account"
}

# run EXPECTED_STATUS STDIN CONFIG_DIR -- ARGS…: allset-cli, output in $out/$err.
run() {
    local expected=$1 input=$2 config=$3
    shift 4
    printf '%s' "$input" | "$cli_bin" --config-dir "$config" "$@" >"$work/out" 2>"$work/err"
    status=$?
    out=$(cat "$work/out")
    err=$(cat "$work/err")
    if [ "$status" -ne "$expected" ]; then
        fail "allset-cli $* exited with $status, expected $expected; stdout: $out; stderr: $err"
    fi
}

keyring_token() { secret-tool lookup server "$url" username alice 2>/dev/null; }
cfg="$work/config"
conf="$cfg/allset.conf"

# --- usage -----------------------------------------------------------------
"$cli_bin" >/dev/null 2>&1; [ $? -eq 2 ] || fail "no command should exit 2"
"$cli_bin" --version | grep -q '^allset-cli ' || fail "--version"
run 2 "" "$cfg" -- frobnicate;                      expect_err "unknown command"
run 2 "" "$cfg" -- login --user alice;              expect_err "required"
run 2 "" "$cfg" -- login --server "http://127.0.0.1:$port" --user alice
expect_err "HTTPS"
run 2 "" "$cfg" -- login --server "$url" --user alice --trust-fingerprint nonsense
# Not a terminal and no --password-stdin: say how to pass it.
run 2 "" "$cfg" -- login --server "$url" --user alice --trust-fingerprint "$fingerprint"
expect_err "password-stdin"

# --- untrusted certificate: refused, fingerprint and command line shown ------
run 1 "$password" "$cfg" -- login --server "$url" --user alice --password-stdin
expect_err "not trusted"
expect_err "$fingerprint"
expect_err "--trust-fingerprint $fingerprint"
[ -e "$conf" ] && fail "a refused login wrote $conf"

wrong=$(tr '0-9A-F' '1-9A-F0' <<<"$fingerprint")
run 1 "$password" "$cfg" -- login --server "$url" --user alice --password-stdin --trust-fingerprint "$wrong"
expect_err "not the pinned"
expect_err "$fingerprint"

# --- wrong password, unreachable server --------------------------------------
run 1 "not the password" "$cfg" -- login --server "$url" --user alice --password-stdin \
    --trust-fingerprint "$fingerprint"
expect_err "Wrong user name or password"
run 1 "$password" "$cfg" -- login --server https://127.0.0.1:1 --user alice --password-stdin
expect_err "Cannot reach the server https://127.0.0.1:1/"
[ -n "$(keyring_token)" ] && fail "a failed login left a token in the keyring"

# --- login into the keyring ---------------------------------------------------
lower=$(tr 'A-F' 'a-f' <<<"${fingerprint//:/}")
run 0 "$password" "$cfg" -- login --server "https://127.0.0.1:$port" --user alice \
    --password-stdin --trust-fingerprint "$lower" --device-name "test laptop"
expect_out "Signed in to $url as alice"
expect_out "keyring"
token=$(keyring_token)
[ -n "$token" ] || fail "no token in the keyring after login"
[ "$(account_status "$token")" = 200 ] || fail "the keyring's token is not accepted by the server"
grep -q "^server=$url\$" "$conf" || fail "config lacks the server: $(cat "$conf")"
grep -q "^username=alice\$" "$conf" || fail "config lacks the user"
grep -q "^fingerprint=$fingerprint\$" "$conf" || fail "config lacks the pinned fingerprint"
grep -q "^token_file=\$" "$conf" || fail "config names a token file"
grep -qF -- "$token" "$conf" && fail "the token is in the config file"
grep -qi "^token=\|password" "$conf" && fail "a secret key is in the config file"
[ "$(stat -c %a "$conf")" = 600 ] || fail "config mode is $(stat -c %a "$conf")"

# --- whoami / account ----------------------------------------------------------
run 0 "" "$cfg" -- whoami
expect_out "alice (Alice Martin <alice@example.com>)"
expect_out "1.0.GiB"
expect_out "$url"
run 0 "" "$cfg" -- account --json
expect_out '"username" : "alice"'
expect_out '"quota" : 1073741824'
expect_out '"token_store" : "keyring"'

# --- folders -------------------------------------------------------------------
run 0 "" "$cfg" -- folders;                         expect_out "No synced folder"
run 0 "" "$cfg" -- add-folder "$work/Sync" --remote Sync
expect_out "$work/Sync ↔ /Sync"
[ -d "$work/Sync" ] || fail "add-folder did not create the folder"
run 1 "" "$cfg" -- add-folder "$work/Sync/Inner" --remote Inner;   expect_err "inside"
run 1 "" "$cfg" -- add-folder "$work" --remote Around;             expect_err "contains"
run 1 "" "$cfg" -- add-folder "$cfg/x" --remote Conf;              expect_err "configuration"
run 1 "" "$cfg" -- add-folder "$work/Photos";                      expect_err "overlaps"
run 1 "" "$cfg" -- add-folder "$work/Photos" --remote sync/photos; expect_err "overlaps"
run 1 "" "$cfg" -- add-folder "$work/Photos" --remote "a/../b";    expect_err "Invalid remote path"
run 0 "" "$cfg" -- add-folder "$work/Photos" --remote Photos
run 0 "" "$cfg" -- folders
expect_out "/Photos"
expect_out "$work/Sync"
run 0 "" "$cfg" -- folders --json
expect_out '"metered_policy" : "pause"'
expect_out "\"journal\" : \"$XDG_STATE_HOME/allset/"
# remove-folder: the folder goes from the configuration, its files stay.
touch "$work/Photos/keep.jpg"
run 2 "" "$cfg" -- remove-folder;                    expect_err "FOLDER is required"
run 1 "" "$cfg" -- remove-folder "$work/Nowhere";    expect_err "No synced folder"
run 0 "" "$cfg" -- remove-folder "$work/Photos";     expect_out "no longer synced"
[ -f "$work/Photos/keep.jpg" ] || fail "remove-folder touched the folder's files"
run 0 "" "$cfg" -- folders
grep -q "Photos" <<<"$out" && fail "Photos is still listed after remove-folder: $out"
run 0 "" "$cfg" -- add-folder "$work/Photos" --remote Photos
grep -qF -- "$token" "$conf" && fail "the token is in the config file"

# Another account with these folders: refused.
run 1 "$password" "$cfg" -- login --server "$url" --user bob --password-stdin
expect_err "another"

# --- suspension and maintenance: clear messages ------------------------------------
admin suspend alice
run 1 "" "$cfg" -- whoami;                          expect_err "suspended"
admin resume alice

until_time=$(date -u -d '+10 minutes' +%Y-%m-%dT%H:%M:%SZ)
admin maintenance on --until "$until_time" --message "Disk upgrade"
for _ in $(seq 1 50); do
    [ "$(account_status "$token")" = 503 ] && break
    sleep 0.1
done
run 1 "" "$cfg" -- whoami
expect_err "maintenance until $until_time"
expect_err "retry in 10 minutes"
expect_err "Disk upgrade"
run 1 "$password" "$work/other-config" -- login --server "$url" --user alice --password-stdin \
    --trust-fingerprint "$fingerprint"
expect_err "maintenance until $until_time"
admin maintenance on --message "Back soon"
for _ in $(seq 1 50); do
    run 1 "" "$cfg" -- whoami
    grep -q "Back soon" <<<"$err" && break
    sleep 0.1
done
expect_err "maintenance; retry in 60 seconds"
admin maintenance off
for _ in $(seq 1 50); do
    [ "$(account_status "$token")" = 200 ] && break
    sleep 0.1
done

# --- logout: the secret is deleted and the server token revoked -------------------
run 0 "" "$cfg" -- logout;                          expect_out "Signed out"
[ -z "$(keyring_token)" ] || fail "the token is still in the keyring after logout"
code=$(account_status "$token")
[ "$code" = 401 ] || fail "the old token answered $code after logout, expected 401"
run 1 "" "$cfg" -- whoami;                          expect_err "Not signed in"
run 1 "" "$cfg" -- logout;                          expect_err "Not signed in"
grep -q "^username=alice\$" "$conf" || fail "logout forgot which account the folders belong to"

# A token revoked behind our back: the next command says to sign in again.
run 0 "$password" "$cfg" -- login --server "$url" --user alice --password-stdin
token=$(keyring_token)
curl -sS -o /dev/null --cacert "$data/tls/cert.pem" -X POST \
    -H "Authorization: Bearer $token" "${url}api/v1/logout"
run 1 "" "$cfg" -- whoami;                          expect_err "sign in again"
run 0 "" "$cfg" -- logout

# --- no Secret Service: --token-file, 0600, never the config ----------------------
nobus=(env DBUS_SESSION_BUS_ADDRESS="unix:path=$work/no-bus")
cfg2="$work/config2"
tokfile="$work/secret/token"
printf '%s' "$password" | "${nobus[@]}" "$cli_bin" --config-dir "$cfg2" login --server "$url" \
    --user alice --password-stdin --trust-fingerprint "$fingerprint" >"$work/out" 2>"$work/err"
[ $? -eq 1 ] || fail "login without a keyring nor --token-file should fail"
grep -q -- "--token-file" "$work/err" || fail "no hint about --token-file: $(cat "$work/err")"
[ -e "$cfg2/allset.conf" ] && fail "login without a keyring wrote a config"

printf '%s' "$password" | "${nobus[@]}" "$cli_bin" --config-dir "$cfg2" login --server "$url" \
    --user alice --password-stdin --trust-fingerprint "$fingerprint" --token-file "$tokfile" \
    >"$work/out" 2>"$work/err" || fail "login --token-file: $(cat "$work/err")"
[ "$(stat -c %a "$tokfile")" = 600 ] || fail "token file mode is $(stat -c %a "$tokfile")"
filetoken=$(cat "$tokfile")
[ "$(account_status "$filetoken")" = 200 ] || fail "the token file's token is not accepted"
grep -q "^token_file=$tokfile\$" "$cfg2/allset.conf" || fail "config lacks token_file"
grep -qF -- "$filetoken" "$cfg2/allset.conf" && fail "the token is in the config file"
out=$("${nobus[@]}" "$cli_bin" --config-dir "$cfg2" whoami 2>&1) || fail "whoami with a token file: $out"
grep -q "in the file $tokfile" <<<"$out" || fail "whoami does not name the token file: $out"

chmod 644 "$tokfile"
out=$("${nobus[@]}" "$cli_bin" --config-dir "$cfg2" whoami 2>&1)
[ $? -eq 1 ] || fail "a 0644 token file should be refused"
grep -q "chmod 600" <<<"$out" || fail "no fix given for the 0644 token file: $out"
chmod 600 "$tokfile"

out=$("${nobus[@]}" "$cli_bin" --config-dir "$cfg2" logout 2>&1) || fail "logout: $out"
[ -e "$tokfile" ] && fail "logout left the token file"
code=$(account_status "$filetoken")
[ "$code" = 401 ] || fail "the file token answered $code after logout, expected 401"

# --- the password typed on a terminal is not echoed -----------------------------------
cfg3="$work/config3"
# Type the password only once the prompt is there: echo is off by then, and
# typed-ahead input is flushed (TCSAFLUSH) like getpass() does.
# shellcheck disable=SC2094 # reading the transcript while script writes it
(for _ in $(seq 1 300); do
     grep -q "Password for" "$work/tty.out" 2>/dev/null && break
     sleep 0.1
 done
 printf '%s\n' "$password"; sleep 1) |
    script -qec "$(printf '%q ' "$cli_bin" --config-dir "$cfg3" login --server "$url" --user alice \
                   --trust-fingerprint "$fingerprint" --token-file "$work/tty-token")" /dev/null \
    >"$work/tty.out" 2>&1
grep -q "Password for alice on $url" "$work/tty.out" || fail "no prompt on the terminal: $(cat "$work/tty.out")"
grep -q "Signed in" "$work/tty.out" || fail "terminal login failed: $(cat "$work/tty.out")"
grep -qF -- "$password" "$work/tty.out" && fail "the password was echoed on the terminal"
[ -s "$work/tty-token" ] || fail "terminal login stored no token"

# Before the verdict: a server that exits badly fails the test.
stop_server
finish "allset-cli login: all checks passed"
