#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `allset-cli sync` and the network: metered connections (DESIGN.md §4
# invariant 6, terms R14: pause, small files only, always), no network,
# and the fatal errors of a pass (revoked token, missing token file,
# maintenance with an end time, server down), each of which must leave
# the local folder exactly as it was; the removal of stale
# .allset-part-* files at the end of a pass; and the client's own
# bandwidth limits (folder-set --bandwidth-up/-down). Two clients, one
# account, the real allset-server over TLS; the network is the test monitor
# (ALLSET_TEST_NETWORK_FILE, see src/engine/allset-network-policy.h).
#
# Usage: test-sync-network.sh [PATH/TO/allset-server PATH/TO/allset-cli]
# ($ALLSET_SERVER and $ALLSET_CLI win over the arguments.)

. "$(dirname "$0")/lib-cli.sh" "$@"

start_server
add_account alice

A="$work/A/Net"
B="$work/B/Net"
for who in A B; do
    login_client "$who" alice
    cli "$who" 0 add-folder "$work/$who/Net" --remote Net
done

export ALLSET_TEST_NETWORK_FILE="$work/network"
network() { echo "$1" >"$ALLSET_TEST_NETWORK_FILE"; }
network online

# Names and content of every file and directory (part files aside).
tree_sum() {
    (cd "$1" && find . -mindepth 1 ! -name '.allset-part-*' -printf '%y %p\n' | sort &&
        find . -type f ! -name '.allset-part-*' -print0 | sort -z | xargs -0r sha256sum)
}
on_server() { api 'list?path=Net' | grep -q "\"name\":\"$1\""; }
server_sum() { api 'list?path=Net'; }

# --- (a) metered, policy "pause" (the default): nothing moves --------------------
section "a: metered + pause"
# Large enough that the scan reads it in parallel and could send its chunks
# while it reads (src/engine/allset-transfer-ahead.c).
head -c $((17 * 1024 * 1024)) /dev/urandom >"$A/big.bin"
head -c $((20 * 1024)) /dev/urandom >"$A/small.txt"
network metered
cli A 1 sync
expect_err "metered"
expect_err '“pause”'
expect_err "sync --metered-policy always"
expect_err "folder-set [^ ]* --metered-policy always"
expect_err "metered_policy=always in $work/A/config/allset.conf"
on_server small.txt && fail "a: a file was uploaded on a paused metered network"
cli A 1 sync --json
expect_out '"network" : "paused"'
expect_out '"metered" : true'

# --- (b) metered, policy "small-files": small files only --------------------------
section "b: metered + small-files (small_files_max=100000)"
cli A 2 folder-set "$A" --metered-policy sometimes
cli A 2 folder-set "$A" --small-files-max lots
cli A 1 folder-set "$work/elsewhere" --metered-policy always
cli A 0 folder-set "$A" --metered-policy small-files --small-files-max 100KB
expect_out "metered_policy=small-files"
grep -q '^small_files_max=100000$' "$work/A/config/allset.conf" || fail "b: small_files_max not saved"
grep -q '^metered_policy=small-files$' "$work/A/config/allset.conf" || fail "b: metered_policy not saved"
before=$(du -sb "$data" | cut -f1)
cli A 1 sync --json
[ "$(json_field deferred)" = 1 ] || fail "b: expected 1 deferred transfer: $out"
# Not even its chunks went, ahead of a transfer that then waited.
grown=$(($(du -sb "$data" | cut -f1) - before))
[ "$grown" -lt $((4 * 1024 * 1024)) ] || fail "b: $grown bytes reached the server for a deferred file"
expect_out '"network" : "small-files"'
expect_out '"max_transfer_size" : 100000'
expect_out '"in_sync" : false'
on_server small.txt || fail "b: small.txt did not go up on small-files"
on_server big.bin && fail "b: big.bin (17 MB) went up over a 100 kB limit"
cli A 0 status --json
expect_out '"deferred" : 1'
expect_out '"state" : "pending"'
cli A 1 sync
expect_out "1 file waits for an unmetered network"
expect_out "big.bin: 17.8.MB, over the small-files limit"

section "b: downloads on small-files: small ones come, big ones wait, nothing local is touched"
network online
head -c $((2 * 1024 * 1024)) /dev/urandom >"$B/shared.bin"
head -c $((2 * 1024 * 1024)) /dev/urandom >"$B/keep.bin"
cli B 0 sync
network metered
cli A 1 sync
[ -f "$A/shared.bin" ] && fail "b: shared.bin (2 MB) came down over the limit"
network online
cli A 0 sync
cli B 0 sync
cmp -s "$A/big.bin" "$B/big.bin" || fail "b: big.bin did not travel once online"
cmp -s "$A/shared.bin" "$B/shared.bin" || fail "b: shared.bin did not travel once online"
# Now: B changes keep.bin (A's stays as it was), both change shared.bin.
head -c $((2 * 1024 * 1024)) /dev/urandom >"$B/keep.bin"
head -c $((2 * 1024 * 1024)) /dev/urandom >"$B/shared.bin"
echo "small from B" >"$B/small-b.txt"
cli B 0 sync
head -c $((2 * 1024 * 1024)) /dev/urandom >"$A/shared.bin"
a_shared=$(sha256sum <"$A/shared.bin")
a_keep=$(sha256sum <"$A/keep.bin")
network metered
cli A 1 sync --json
[ "$(json_field deferred)" = 2 ] || fail "b: expected 2 deferred (keep.bin, the shared.bin conflict): $out"
[ "$(cat "$A/small-b.txt" 2>/dev/null)" = "small from B" ] || fail "b: small-b.txt did not come down"
[ "$(sha256sum <"$A/keep.bin")" = "$a_keep" ] || fail "b: a deferred download changed keep.bin"
[ "$(sha256sum <"$A/shared.bin")" = "$a_shared" ] || fail "b: a deferred conflict changed shared.bin"
ls "$A" | grep -q conflit && fail "b: a deferred conflict left a copy behind: $(ls "$A")"
ls -a "$A" | grep -q '^\.allset-part-' && fail "b: a deferred download left a part file"
network online
cli A 0 sync
cli B any sync
cli A any sync
cmp -s "$A/keep.bin" "$B/keep.bin" || fail "b: keep.bin did not come once online"
copy=$(ls "$A" | grep -E '^shared \(conflit poste-A .*\)\.bin$')
[ -n "$copy" ] || fail "b: no conflict copy of shared.bin once online: $(ls "$A")"
[ -n "$copy" ] && { [ "$(sha256sum <"$A/$copy")" = "$a_shared" ] || fail "b: the conflict copy lost A's version"; }
cmp -s "$A/shared.bin" "$B/shared.bin" || fail "b: shared.bin differs after the conflict"
cli A 0 status --json
expect_out '"deferred" : 0'

# --- (c) metered, --metered-policy always: this run moves everything ----------------
section "c: metered + --metered-policy always (folder policy pause)"
id=$(sed -n 's/^\[folder "\(.*\)"\]$/\1/p' "$work/A/config/allset.conf")
cli A 0 folder-set "$id" --metered-policy pause
head -c $((2 * 1024 * 1024)) /dev/urandom >"$A/big2.bin"
network metered
cli A 1 sync
expect_err '“pause”'
on_server big2.bin && fail "c: uploaded while paused"
cli A 0 sync --metered-policy always --json
expect_out '"network" : "all"'
on_server big2.bin || fail "c: --metered-policy always did not upload big2.bin"
cli A 2 sync --metered-policy sometimes
expect_err "pause, small-files or always"
network online

# --- (d) no network --------------------------------------------------------------
section "d: offline"
echo "made offline" >"$A/offline.txt"
before=$(tree_sum "$A")
network offline
cli A 1 sync
expect_err "No network: nothing synced"
on_server offline.txt && fail "d: uploaded while offline"
[ "$(tree_sum "$A")" = "$before" ] || fail "d: the folder changed while offline"
network online
cli A 0 sync

# --- (e) stale part files ------------------------------------------------------------
section "e: stale .allset-part-* files"
# A part of nothing planned, two hours idle: removed.
head -c 1000 /dev/urandom >"$A/.allset-part-gone.bin-Ab12Cd"
touch -d '2 hours ago' "$A/.allset-part-gone.bin-Ab12Cd"
# The same, written a minute ago (another process's download?): kept.
head -c 1000 /dev/urandom >"$A/.allset-part-fresh.bin-Ef34Gh"
touch -d '1 minute ago' "$A/.allset-part-fresh.bin-Ef34Gh"
# In a subdirectory too; and a directory with that prefix is never touched.
mkdir -p "$A/sub/.allset-part-dir-Zz99Zz"
head -c 1000 /dev/urandom >"$A/sub/.allset-part-old.txt-Ij56Kl"
touch -d '3 hours ago' "$A/sub/.allset-part-old.txt-Ij56Kl"
# A part for a download this pass plans but defers (metered): kept while
# under a week old, and its chunks are used once online.
head -c $((2 * 1024 * 1024)) /dev/urandom >"$B/resume.bin"
cli B 0 sync
cp "$B/resume.bin" "$A/.allset-part-resume.bin-Mn78Op"
touch -d '2 days ago' "$A/.allset-part-resume.bin-Mn78Op"
network metered
cli A 1 sync --metered-policy small-files
[ -e "$A/.allset-part-gone.bin-Ab12Cd" ] && fail "e: an idle part of nothing planned was left"
[ -e "$A/sub/.allset-part-old.txt-Ij56Kl" ] && fail "e: an idle part in a subdirectory was left"
[ -e "$A/.allset-part-fresh.bin-Ef34Gh" ] || fail "e: a part written a minute ago was removed"
[ -d "$A/sub/.allset-part-dir-Zz99Zz" ] || fail "e: a directory was removed"
[ -e "$A/.allset-part-resume.bin-Mn78Op" ] || fail "e: the part of a deferred download was removed"
network online
cli A 0 sync --json
[ "$(json_field bytes_downloaded)" = 0 ] || fail "e: resume.bin was fetched again despite its part: $out"
[ "$(json_field chunks_reused)" -ge 1 ] 2>/dev/null || fail "e: no chunk reused from the part: $out"
cmp -s "$A/resume.bin" "$B/resume.bin" || fail "e: resume.bin differs"
[ -e "$A/.allset-part-resume.bin-Mn78Op" ] && fail "e: the used part file is still there"
# A week-old part goes even when its download is planned.
head -c $((2 * 1024 * 1024)) /dev/urandom >"$B/late.bin"
cli B 0 sync
head -c 1000 /dev/urandom >"$A/.allset-part-late.bin-Qr90St"
touch -d '8 days ago' "$A/.allset-part-late.bin-Qr90St"
network metered
cli A 1 sync --metered-policy small-files
[ -e "$A/.allset-part-late.bin-Qr90St" ] && fail "e: a week-old part was kept"
network online
cli A 0 sync
rm -rf "$A/sub/.allset-part-dir-Zz99Zz" "$A/.allset-part-fresh.bin-Ef34Gh"

# --- (f) maintenance with an end time -------------------------------------------------
section "f: maintenance until a given time"
cli B 0 sync
echo "A's edit during maintenance" >"$A/small.txt"
before=$(tree_sum "$A")
until=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)
admin maintenance on --until "$until" --message "Disk upgrade"
for _ in $(seq 1 50); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$data/tls/cert.pem" "${url}api/v1/account")" = 503 ] && break
    sleep 0.1
done
cli A 1 sync
expect_err "maintenance until"
expect_err "retry in [0-9]* \(minutes\|hour\)"
expect_err "Disk upgrade"
[ "$(tree_sum "$A")" = "$before" ] || fail "f: the folder changed during maintenance"
admin maintenance off
for _ in $(seq 1 50); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$data/tls/cert.pem" "${url}api/v1/account")" != 503 ] && break
    sleep 0.1
done
api 'file?path=Net/small.txt' | grep -q '"size":20480' || fail "f: small.txt changed on the server during maintenance"

# --- (g) server down -----------------------------------------------------------------
section "g: server down"
stop_server
before=$(tree_sum "$A")
cli A 1 sync
expect_err "Cannot reach the server"
[ "$(tree_sum "$A")" = "$before" ] || fail "g: the folder changed with the server down"
start_server "$port"
cli A 0 sync
cli B 0 sync
[ "$(cat "$B/small.txt")" = "A's edit during maintenance" ] || fail "g: the edit did not travel once back"

# --- (i) client bandwidth limits, set with folder-set ----------------------------------
# The client's token bucket (allset-client.c) allows one second of burst,
# then the rate: 1 MiB at 200 KiB/s takes (1024 - 200) / 200 ≈ 4.1 s. The
# server's own cap (100 Mbit/s by default) is far above both figures.
# Before (h), which takes both clients' tokens away.
section "i: folder-set --bandwidth-up / --bandwidth-down slow a sync down"
# timed_sync WHO: `sync` of WHO's folder; its wall time in $ms.
timed_sync() {
    local t0
    t0=$(date +%s%N)
    cli "$1" 0 sync
    ms=$((($(date +%s%N) - t0) / 1000000))
}
cli A 0 folder-set "$A" --bandwidth-up 200K
grep -q '^bandwidth_up=204800$' "$work/A/config/allset.conf" || fail "i: bandwidth_up not saved"
head -c $((1024 * 1024)) /dev/urandom >"$A/slow-up.bin"
timed_sync A
echo "# i: 1 MiB up at 200 KiB/s: $ms ms"
[ "$ms" -ge 3000 ] || fail "i: 1 MiB went up in $ms ms under a 200 KiB/s limit"
[ "$ms" -le 20000 ] || fail "i: 1 MiB took $ms ms to go up at 200 KiB/s"
on_server slow-up.bin || fail "i: slow-up.bin did not reach the server"

cli B 0 folder-set "$B" --bandwidth-down 200K
grep -q '^bandwidth_down=204800$' "$work/B/config/allset.conf" || fail "i: bandwidth_down not saved"
timed_sync B
echo "# i: 1 MiB down at 200 KiB/s: $ms ms"
[ "$ms" -ge 3000 ] || fail "i: 1 MiB came down in $ms ms under a 200 KiB/s limit"
[ "$ms" -le 20000 ] || fail "i: 1 MiB took $ms ms to come down at 200 KiB/s"
cmp -s "$A/slow-up.bin" "$B/slow-up.bin" || fail "i: slow-up.bin differs on B"

section "i: limits back to 0 (none): the same size is fast"
cli A 0 folder-set "$A" --bandwidth-up 0
cli B 0 folder-set "$B" --bandwidth-down 0
grep -q '^bandwidth_up=0$' "$work/A/config/allset.conf" || fail "i: bandwidth_up=0 not saved"
head -c $((1024 * 1024)) /dev/urandom >"$A/fast-up.bin"
timed_sync A
echo "# i: 1 MiB up, no limit: $ms ms"
[ "$ms" -lt 2000 ] || fail "i: 1 MiB took $ms ms to go up with no limit"
timed_sync B
echo "# i: 1 MiB down, no limit: $ms ms"
[ "$ms" -lt 2000 ] || fail "i: 1 MiB took $ms ms to come down with no limit"
cmp -s "$A/fast-up.bin" "$B/fast-up.bin" || fail "i: fast-up.bin differs on B"

# --- (h) a revoked device, a removed token file -----------------------------------------
section "h: revoked token"
echo "B's change waiting for A" >"$B/waiting.txt"
echo "B's edit" >"$B/small.txt"
cli B 0 sync
echo "A's pending edit" >"$A/offline.txt"
before=$(tree_sum "$A")
remote_before=$(api 'file?path=Net/offline.txt' A)
device=$(sed -n 's/^device_id=//p' "$work/A/config/allset.conf")
[ -n "$device" ] || fail "h: no device_id in A's config"
admin devices alice --revoke "$device"
cli A 1 sync
expect_err "revoked"
expect_err "sign in again"
expect_err "allset-cli login"
[ "$(tree_sum "$A")" = "$before" ] || fail "h: the folder changed with a revoked token"
[ "$(api 'file?path=Net/offline.txt' B)" = "$remote_before" ] || fail "h: A's edit reached the server with a revoked token"

section "h: token file removed"
rm -f "$work/token-B"
before=$(tree_sum "$B")
cli B 1 sync
expect_err "token"
expect_err "allset-cli login"
[ "$(tree_sum "$B")" = "$before" ] || fail "h: B's folder changed without a token"

finish "All sync network tests passed."
