#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# run-browser-test.sh — the `browser` suite: the public share pages as a
# visitor meets them, in Debian's headless Chromium driven by playwright-core.
#
# Sets up what shares.test.mjs visits: a real allset-server over TLS on
# 127.0.0.1 (port 0, --dev-cert), an account, files uploaded by the real
# allset-cli (login + add-folder + sync), and share links created through
# the API with curl. Then runs the node test with the URLs in the
# environment, and stops everything on exit.
#
# playwright-core comes from npm, pinned by tests/browser/package-lock.json,
# installed with `npm ci` into BUILD_DIR/node_modules the first time and
# again whenever the lock file changes. Anything missing (chromium, node,
# npm, the registry) fails the suite loudly: a browser suite that skips
# itself would pass while testing nothing.
#
# Usage: run-browser-test.sh ALLSET_SERVER ALLSET_CLI BUILD_DIR
#   ALLSET_SCREENSHOT_DIR  where the PNG screenshots go (default BUILD_DIR)
#   ALLSET_CHROMIUM        the browser (default /usr/bin/chromium)

set -uo pipefail

server_bin=${1:?usage: $0 ALLSET_SERVER ALLSET_CLI BUILD_DIR}
cli_bin=${2:?usage: $0 ALLSET_SERVER ALLSET_CLI BUILD_DIR}
build_dir=${3:?usage: $0 ALLSET_SERVER ALLSET_CLI BUILD_DIR}
mkdir -p "$build_dir" && build_dir=$(cd "$build_dir" && pwd)
src_dir=$(cd "$(dirname "$0")" && pwd)
chromium=${ALLSET_CHROMIUM:-/usr/bin/chromium}
export ALLSET_SCREENSHOT_DIR=${ALLSET_SCREENSHOT_DIR:-$build_dir}

work=
die() {
    echo "FAIL: $*" >&2
    if [ -n "$work" ] && [ -s "$work/server.log" ]; then
        echo "# server log (last 40 lines):" >&2
        tail -n 40 "$work/server.log" >&2
    fi
    exit 1
}

# --- what the suite needs --------------------------------------------------
[ -x "$chromium" ] || die "$chromium not found: install Debian's chromium (build-aux/install-deps.sh does)"
command -v node >/dev/null 2>&1 || die "node not found: the browser suite needs Node.js >= 20 with npm"
command -v npm >/dev/null 2>&1 || die "npm not found: the browser suite needs Node.js >= 20 with npm"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || die "node $(node --version) is too old: playwright-core needs Node.js >= 20"

# npm ci into the build dir (never the source tree): re-run when the lock
# file changed, told by a stamp holding its hash. Never let Playwright
# fetch a browser of its own: the tests use Debian's.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
lock_hash=$(sha256sum "$src_dir/package-lock.json" | cut -d' ' -f1)
stamp="$build_dir/node_modules/.allset-lock-sha256"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ] \
   || [ ! -f "$build_dir/node_modules/playwright-core/package.json" ]; then
    echo "# npm ci (playwright-core, pinned by tests/browser/package-lock.json) into $build_dir"
    cp "$src_dir/package.json" "$src_dir/package-lock.json" "$build_dir/"
    started=$SECONDS
    (cd "$build_dir" && timeout 100 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) \
        || die "npm ci failed in $build_dir (is the npm registry reachable?)"
    echo "$lock_hash" >"$stamp"
    echo "# npm ci took $((SECONDS - started)) s"
fi
export ALLSET_NODE_MODULES="$build_dir/node_modules"

# --- a server, an account, files ------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/allset-browser-test.XXXXXX")
data="$work/data"
server_pid=
password="correct horse battery"
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
# meson kills the process group on a timeout: clean up then too.
trap 'exit 1' INT TERM

"$server_bin" serve --data-dir "$data" --dev-cert --listen 127.0.0.1:0 >"$work/server.log" 2>&1 &
server_pid=$!
port=
for _ in $(seq 1 100); do
    port=$(sed -n 's|.*listening on https://127.0.0.1:\([0-9]*\)/.*|\1|p' "$work/server.log")
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
[ -n "$port" ] || die "server did not start: $(cat "$work/server.log")"
echo "# server started ($SECONDS s)"
fingerprint=$(sed -n 's/^TLS certificate SHA-256 fingerprint: //p' "$work/server.log")
url="https://127.0.0.1:$port"

printf '%s\n' "$password" | "$server_bin" admin --data-dir "$data" account-add alice \
    --name "Alice Martin" --email alice@example.com >"$work/admin.out" 2>&1 \
    || die "account-add: $(cat "$work/admin.out")"

# The files visitors download, with names a French customer would use.
sync_dir="$work/client/Sync"
mkdir -p "$sync_dir/Projet Lumière/Sous-dossier"
head -c $((3 * 1024 * 1024 + 12345)) /dev/urandom >"$sync_dir/rapport-2026.pdf"
head -c 70000 /dev/urandom >"$sync_dir/Devis signé.bin"
printf 'Ce fichier expire très vite.\n' >"$sync_dir/éphémère.txt"
printf 'Ordre du jour : budget 2027.\n' >"$sync_dir/Projet Lumière/réunion.txt"
head -c 200000 /dev/urandom >"$sync_dir/Projet Lumière/plan.bin"
head -c 150000 /dev/urandom >"$sync_dir/Projet Lumière/Sous-dossier/photo.bin"

client_env=(env XDG_CONFIG_HOME="$work/client/config" XDG_STATE_HOME="$work/client/state"
            XDG_DATA_HOME="$work/client/share" XDG_CACHE_HOME="$work/client/cache")
cli() {
    "${client_env[@]}" "$cli_bin" --config-dir "$work/client/config" "$@" </dev/null \
        >"$work/cli.out" 2>&1 || die "allset-cli $*: $(cat "$work/cli.out")"
}
mkdir -p "$work/client/config"
printf '%s\n' "$password" | "${client_env[@]}" "$cli_bin" --config-dir "$work/client/config" \
    login --server "$url/" --user alice --password-stdin --trust-fingerprint "$fingerprint" \
    --token-file "$work/token" --device-name poste-navigateur >"$work/cli.out" 2>&1 \
    || die "login: $(cat "$work/cli.out")"
cli add-folder "$sync_dir" --remote Sync
cli sync
token=$(cat "$work/token")
echo "# files uploaded by allset-cli ($SECONDS s)"

# share PATH JSON_MEMBERS: POST /api/v1/shares; prints the created link
# (JSON). The paths are this script's own: nothing to escape in them.
share() {
    local reply
    reply=$(curl -sS --fail-with-body --cacert "$data/tls/cert.pem" -X POST \
        -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -d "{\"path\": \"$1\", $2}" "$url/api/v1/shares") || die "POST /api/v1/shares $1: $reply"
    printf '%s' "$reply"
}
# field JSON NAME: a member of the link that holds no quote or comma (id,
# url_path: base64url, expires_at: ISO 8601 or null). sed, not a JSON tool:
# each process start costs here (python3 may be a pyenv shim, seconds).
field() {
    local value
    value=$(sed -n "s/.*\"$2\" *: *\"\{0,1\}\([^\",}]*\).*/\1/p" <<<"$1")
    [ -n "$value" ] || die "no $2 in $1"
    printf '%s' "$value"
}

file_share=$(share "Sync/rapport-2026.pdf" '"expires_in_seconds": 604800') || exit 1
password_share=$(share "Sync/Devis signé.bin" '"expires_in_seconds": 86400, "password": "Fromage-2026"') || exit 1
expired_share=$(share "Sync/éphémère.txt" '"expires_in_seconds": 1') || exit 1
revoked_share=$(share "Sync/éphémère.txt" '"never": true') || exit 1
folder_share=$(share "Sync/Projet Lumière" '"expires_in_seconds": 2592000') || exit 1
report_share=$(share "Sync/Devis signé.bin" '"never": true') || exit 1
revoked_id=$(field "$revoked_share" id) || exit 1
curl -sS --fail-with-body --cacert "$data/tls/cert.pem" -X DELETE -H "Authorization: Bearer $token" \
    "$url/api/v1/shares/$revoked_id" >"$work/curl.out" \
    || die "DELETE share: $(cat "$work/curl.out")"

# The URLs and expiry dates the test visits and checks.
file_path=$(field "$file_share" url_path) || exit 1
file_expires=$(field "$file_share" expires_at) || exit 1
password_path=$(field "$password_share" url_path) || exit 1
expired_path=$(field "$expired_share" url_path) || exit 1
expired_expires=$(field "$expired_share" expires_at) || exit 1
revoked_path=$(field "$revoked_share" url_path) || exit 1
folder_path=$(field "$folder_share" url_path) || exit 1
report_path=$(field "$report_share" url_path) || exit 1
export ALLSET_URL="$url"
export ALLSET_SHARE_FILE_URL="$url$file_path"
export ALLSET_SHARE_FILE_EXPIRES_AT="$file_expires"
export ALLSET_SHARE_FILE_SOURCE="$sync_dir/rapport-2026.pdf"
export ALLSET_SHARE_PASSWORD_URL="$url$password_path"
export ALLSET_SHARE_PASSWORD="Fromage-2026"
export ALLSET_SHARE_PASSWORD_SOURCE="$sync_dir/Devis signé.bin"
export ALLSET_SHARE_EXPIRED_URL="$url$expired_path"
export ALLSET_SHARE_EXPIRED_EXPIRES_AT="$expired_expires"
export ALLSET_SHARE_REVOKED_URL="$url$revoked_path"
export ALLSET_SHARE_FOLDER_URL="$url$folder_path"
export ALLSET_SHARE_FOLDER_SOURCE="$sync_dir/Projet Lumière"
export ALLSET_SHARE_REPORT_URL="$url$report_path"
export ALLSET_SERVER="$server_bin"
export ALLSET_DATA_DIR="$data"
export ALLSET_CHROMIUM="$chromium"
export ALLSET_WORK_DIR="$work"

# Chromium trusts the self-signed development certificate by its public
# key only (--ignore-certificate-errors-spki-list): every other certificate
# error still fails, unlike Playwright's ignoreHTTPSErrors, which would
# accept any certificate at all. The value is the base64 SHA-256 of the
# certificate's SubjectPublicKeyInfo.
ALLSET_CERT_SPKI=$(openssl x509 -in "$data/tls/cert.pem" -pubkey -noout \
    | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)
export ALLSET_CERT_SPKI
[ -n "$ALLSET_CERT_SPKI" ] || die "could not compute the certificate's SPKI hash"

mkdir -p "$ALLSET_SCREENSHOT_DIR"
echo "# links created ($SECONDS s); server $url, screenshots in $ALLSET_SCREENSHOT_DIR"
node --test-reporter=spec "$src_dir/shares.test.mjs"
status=$?
echo "# node done ($SECONDS s)"
if [ $status -ne 0 ]; then
    echo "# server log (last 40 lines):" >&2
    tail -n 40 "$work/server.log" >&2
fi
exit $status
