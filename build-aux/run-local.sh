#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `make run`: a local allset-server from the build tree, and the desktop
# app connected to it, syncing a demo folder.
#
# - data directory: ${XDG_DATA_HOME:-$HOME/.local/share}/allset-server
# - TLS: a self-signed certificate the server makes on first start (--dev-cert)
# - a demo account "demo" is created the first time; its random password is
#   printed once and stored nowhere in plain text (the server keeps only its
#   Argon2 hash).
# - the first time, this device signs in as "demo" (the certificate's
#   fingerprint pinned, the token in the keyring — or, without a Secret
#   Service, in a 0600 token file next to the app's configuration) and
#   syncs ~/ALLSET-demo; then allset-sync starts, already connected. Without
#   a display the server keeps running and allset-cli is the way in.
#
# Environment: BUILDDIR (default _build), ALLSET_LISTEN (default
# 127.0.0.1:8443), ALLSET_DATA_DIR (overrides the data directory),
# ALLSET_DEMO_FOLDER (default ~/ALLSET-demo), ALLSET_NO_APP=1 (server only).

set -euo pipefail

cd "$(dirname "$0")/.."

builddir=${BUILDDIR:-_build}
server=$builddir/server/allset-server
cli=$builddir/src/cli/allset-cli
app=$builddir/src/app/allset-sync
demo_folder=${ALLSET_DEMO_FOLDER:-$HOME/ALLSET-demo}
listen=${ALLSET_LISTEN:-127.0.0.1:8443}
data_dir=${ALLSET_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/allset-server}
user=demo

if [ ! -x "$server" ]; then
    echo "run-local: $server was not built (is server/main.c there yet?)." >&2
    echo "run-local: run 'make build' and look at its output." >&2
    exit 1
fi

mkdir -p "$data_dir"
chmod 700 "$data_dir"

# Is there a demo account already? (account-list fails on a data directory
# that has no database yet: that means no.)
accounts=$("$server" admin --data-dir "$data_dir" account-list 2>/dev/null || true)
if grep -qw -- "$user" <<<"$accounts"; then
    new_password=
else
    # 24 characters from [A-Za-z0-9]: about 140 bits.
    new_password=$(head -c 64 /dev/urandom | base64 -w0 | tr -dc 'A-Za-z0-9')
    new_password=${new_password:0:24}
    if ! printf '%s' "$new_password" | "$server" admin --data-dir "$data_dir" \
            account-add "$user" --name "Compte de démonstration" \
            --email demo@allset.invalid --quota 10G; then
        echo "run-local: could not create the demo account; starting the server anyway." >&2
        new_password=
    fi
fi

base=https://$listen
cat <<EOF

ALLSET server (development mode)
  data directory : $data_dir
  listening on   : $base
  certificate    : self-signed, made on first start
EOF

if [ -n "$new_password" ]; then
    cat <<EOF

  Demo account created. Its password is shown now and never again:
    user     : $user
    password : $new_password
EOF
else
    cat <<EOF

  Demo account: "$user" (its password was printed when it was created).
  To set a new one:
    printf '%s' 'NEW PASSWORD' | $server admin --data-dir '$data_dir' passwd $user
EOF
fi

log=$(mktemp "${TMPDIR:-/tmp}/allset-server-log.XXXXXX")
"$server" serve --data-dir "$data_dir" --dev-cert --listen "$listen" >"$log" 2>&1 &
server_pid=$!
stop() { kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; rm -f "$log"; }
trap stop EXIT INT TERM
for _ in $(seq 1 100); do
    grep -q "listening on" "$log" && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
done
fingerprint=$(sed -n 's/^TLS certificate SHA-256 fingerprint: //p' "$log")
echo "  fingerprint    : $fingerprint"

# --- this device, signed in as demo, syncing the demo folder ----------------
signed_in() { "$cli" whoami >/dev/null 2>&1; }
if [ "${ALLSET_NO_APP:-0}" != 1 ] && [ -x "$cli" ] && ! signed_in; then
    if [ -z "$new_password" ]; then
        # The password was shown once and is gone: give demo a new one.
        new_password=$(head -c 64 /dev/urandom | base64 -w0 | tr -dc 'A-Za-z0-9')
        new_password=${new_password:0:24}
        printf '%s' "$new_password" | "$server" admin --data-dir "$data_dir" passwd "$user" >/dev/null
        echo "  (new demo password: $new_password)"
    fi
    login=("$cli" login --server "$base/" --user "$user" --password-stdin
           --trust-fingerprint "$fingerprint" --device-name "$(hostname) (make run)")
    if ! printf '%s\n' "$new_password" | "${login[@]}" 2>/dev/null; then
        # No Secret Service here: a 0600 token file, outside every folder.
        token_file=${XDG_CONFIG_HOME:-$HOME/.config}/allset/demo.token
        mkdir -p "$(dirname "$token_file")"
        printf '%s\n' "$new_password" | "${login[@]}" --token-file "$token_file"
    fi
    mkdir -p "$demo_folder"
    [ -e "$demo_folder/Bienvenue.txt" ] || cat >"$demo_folder/Bienvenue.txt" <<TXT
Bienvenue dans ALLSET Sync !
Tout ce que vous déposez dans ce dossier est synchronisé avec le serveur local.
TXT
    "$cli" add-folder "$demo_folder" --remote demo >/dev/null || true
fi

cat <<EOF

Try it:
  $cli status            # the demo folder: $demo_folder
  curl -k $base/api/v1/status

Stop with Ctrl+C.

EOF

if [ "${ALLSET_NO_APP:-0}" != 1 ] && [ -x "$app" ] &&
   { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
    # Uninstalled: the build's translations, the tree's icons and schema.
    ALLSET_LOCALEDIR=$PWD/$builddir/po ALLSET_ICON_DIR=$PWD/data/icons \
        GSETTINGS_SCHEMA_DIR=$PWD/$builddir/data "$app" || true
else
    echo "No display (or ALLSET_NO_APP=1): the server runs; \`$cli watch\` syncs the demo folder."
    wait "$server_pid"
fi
