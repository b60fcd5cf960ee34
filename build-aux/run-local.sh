#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `make run`: start a local allset-server from the build tree.
#
# - data directory: ${XDG_DATA_HOME:-$HOME/.local/share}/allset-server
# - TLS: a self-signed certificate the server makes on first start (--dev-cert)
# - a demo account "demo" is created the first time; its random password is
#   printed once and stored nowhere in plain text (the server keeps only its
#   Argon2 hash).
#
# Environment: BUILDDIR (default _build), ALLSET_LISTEN (default
# 127.0.0.1:8443), ALLSET_DATA_DIR (overrides the data directory).

set -euo pipefail

cd "$(dirname "$0")/.."

builddir=${BUILDDIR:-_build}
server=$builddir/server/allset-server
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
  certificate    : self-signed, made on first start; its SHA-256
                   fingerprint is printed by the server below.
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

cat <<EOF

Try it (-k: the certificate is self-signed):
  curl -k $base/api/v1/status
  curl -k -H 'Content-Type: application/json' \\
       -d '{"username": "$user", "password": "PASSWORD", "device_name": "curl"}' \\
       $base/api/v1/login
  curl -k -H 'Authorization: Bearer TOKEN' $base/api/v1/account

Stop the server with Ctrl+C.

EOF

exec "$server" serve --data-dir "$data_dir" --dev-cert --listen "$listen"
