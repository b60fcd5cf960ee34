#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `allset-cli history`, `restore` and `verify` end to end: two clients (A
# and B, one account) against a real allset-server over TLS. Versions are
# listed and restored (also over a local edit, which must survive as a
# conflict copy), deleted files come back from the server's trash, and
# verify re-hashes every file and re-checks every receipt: a clean tree
# passes (exit 0, JSON proof with signatures), tampered content, a
# tampered receipt, a server-side delete or edit not pulled yet fail it
# (exit 1), and the next sync repairs what verify marked.
#
# Usage: test-cli-history.sh [PATH/TO/allset-server PATH/TO/allset-cli]

. "$(dirname "$0")/lib-cli.sh" "$@"

command -v sqlite3 >/dev/null || { echo "FAIL: the sqlite3 CLI is missing (build-aux/install-deps.sh)" >&2; exit 1; }

start_server
add_account alice

A="$work/A/Sync"
B="$work/B/Sync"
for who in A B; do
    login_client "$who" alice
    cli "$who" 0 add-folder "$work/$who/Sync" --remote Sync
done

# The system's python3 first: a version manager's shim costs seconds a call.
python=$(command -v /usr/bin/python3 || command -v python3)
# py EXPR: evaluates EXPR with j = the JSON of $out (exits 1 on bad JSON).
py() { "$python" -c "import json,sys; j=json.loads(sys.stdin.read()); print($1)" <<<"$out"; }
revision_of() { api "file?path=Sync/$1" | "$python" -c 'import json,sys; print(json.load(sys.stdin)["revision"])'; }
# status_of PATH: the verify --json status of PATH (first folder).
status_of() { py "[f['status'] for f in j['folders'][0]['files'] if f['path'] == '$1'][0]"; }

# --- history lists every version ---------------------------------------------
section "history: three versions of doc.txt"
echo "version 1" >"$A/doc.txt"
echo "shared" >"$A/shared.txt"
echo "delete me on B" >"$A/gone.txt"
echo "trash by id" >"$A/byid.txt"
cli A 0 sync
rev1=$(revision_of doc.txt)
echo "version 2, longer" >"$A/doc.txt"
cli A 0 sync
rev2=$(revision_of doc.txt)
echo "version three, the longest" >"$A/doc.txt"
cli A 0 sync
rev3=$(revision_of doc.txt)
cli B 0 sync
[ "$(cat "$B/doc.txt")" = "version three, the longest" ] || fail "B did not get version 3"

cli A 0 history "$A/doc.txt"
[ "$(grep -cE '^[* ] [0-9]+ ' <<<"$out")" = 3 ] || fail "history does not list 3 revisions: $out"
grep -qE "^\* $rev3 .*live" <<<"$out" || fail "revision $rev3 is not marked live: $out"
grep -qE "^  $rev1 " <<<"$out" || fail "revision $rev1 missing: $out"
cli A 0 history "$A/doc.txt" --json
[ "$(py "[v['revision'] for v in j['versions']]")" = "[$rev3, $rev2, $rev1]" ] ||
    fail "history --json is not newest first: $out"
[ "$(py "j['versions'][0]['live'] and j['versions'][0]['here']")" = True ] || fail "live/here marks: $out"
# A path relative to the working directory maps the same way.
cd "$A" || fail "cd"
cli A 0 history doc.txt
cd - >/dev/null || fail "cd -"
[ "$(grep -cE '^[* ] [0-9]+ ' <<<"$out")" = 3 ] || fail "history with a relative path: $out"

# --- restore an old version ----------------------------------------------------
section "restore --revision: A gets v1, then B"
cli A 0 restore "$A/doc.txt" --revision "$rev1"
expect_out "restored on the server as revision"
[ "$(cat "$A/doc.txt")" = "version 1" ] || fail "A's doc.txt is not version 1: $(cat "$A/doc.txt")"
rev4=$(revision_of doc.txt)
[ "$rev4" -gt "$rev3" ] || fail "the restore did not make a new revision ($rev4)"
expect_out "holds revision $rev4"
cli B 0 sync
[ "$(cat "$B/doc.txt")" = "version 1" ] || fail "B's doc.txt is not version 1 after sync"
cli A 0 history "$A/doc.txt"
[ "$(grep -cE '^[* ] [0-9]+ ' <<<"$out")" = 4 ] || fail "history after the restore: $out"

section "restore over a local edit keeps the edit as a conflict copy"
echo "edited here, never synced" >"$A/doc.txt"
cli A 0 restore "$A/doc.txt" --revision "$rev2"
[ "$(cat "$A/doc.txt")" = "version 2, longer" ] || fail "doc.txt is not version 2: $(cat "$A/doc.txt")"
copy=$(ls "$A" | grep -E '^doc \(conflit poste-A [0-9-]+ [0-9]{6}\)\.txt$')
[ -n "$copy" ] && [ "$(cat "$A/$copy")" = "edited here, never synced" ] ||
    fail "the local edit was not kept: $(ls "$A")"
expect_out "conflict copy"
cli A 0 sync
cli B 0 sync
[ "$(cat "$B/doc.txt")" = "version 2, longer" ] || fail "B did not get version 2"

# --- verify a clean tree -------------------------------------------------------
section "verify: clean tree"
n_files=$(find "$A" -type f | wc -l)
cli A 0 verify
expect_out "$n_files files checked: $n_files verified"
expect_out "All $n_files files verified"
cli A 0 verify --json
"$python" -m json.tool <<<"$out" >/dev/null || fail "verify --json is not JSON"
[ "$(py "j['folders'][0]['counts']['verified']")" = "$n_files" ] || fail "verified count: $out"
[ "$(py "all(len(f['receipt']['signature']) == 88 and f['receipt_valid'] for f in j['folders'][0]['files'])")" = True ] ||
    fail "the proof lacks signatures: $out"
[ "$(py "len(j['folders'][0]['receipt_key']['public_key']) > 40")" = True ] || fail "no server key in the proof"
cli B 0 verify
cli A 0 verify "$A/doc.txt"
expect_out "1 file checked: 1 verified"

# --- bad input -----------------------------------------------------------------
section "bad input"
mkdir -p "$work/elsewhere" && echo x >"$work/elsewhere/x.txt"
cli A 1 history "$work/elsewhere/x.txt"
expect_err "not inside a synced folder"
cli A 1 history "$A/no-such-file.txt"
expect_err "no version"
cli A 1 history "$A"
expect_err "folder itself"
cli A 1 restore "$A/doc.txt" --revision 99999
expect_err "no revision 99999"
cli A 2 restore "$A/doc.txt" --revision -3
expect_err "positive whole number"
cli A 2 restore "$A/doc.txt" --revision abc
expect_err "positive whole number"
cli A 2 restore "$A/doc.txt"
cli A 2 restore "$A/doc.txt" --revision 1 --from-trash
cli A 2 history
cli A 1 restore "$A/doc.txt" --from-trash
expect_err "not in the server's trash"
cli A 1 restore --trash-id 99999
expect_err "No entry 99999"
cli A 1 verify "$work/elsewhere"
expect_err "neither a synced folder"
cli A 1 verify "$A/no-such-file.txt"
expect_err "Nothing to check"

# --- verify finds what changed -------------------------------------------------
section "verify: new and edited files"
echo "never synced" >"$A/new.txt"
echo "appended" >>"$A/shared.txt"
cli A 1 verify --json
[ "$(status_of new.txt)" = pending ] || fail "new.txt is not pending: $out"
[ "$(status_of shared.txt)" = local-changed ] || fail "shared.txt is not local-changed: $out"
cli A 0 sync
cli B 0 sync

section "verify: content changed behind unchanged size and mtime"
echo "original content!" >"$A/tamper.txt"
cli A 0 sync
cli A 0 verify
cp -p "$A/tamper.txt" "$work/tamper.ref"
printf 'tampered content!\n' >"$A/tamper.txt"
touch -r "$work/tamper.ref" "$A/tamper.txt"
[ "$(stat -c %s.%y "$A/tamper.txt")" = "$(stat -c %s.%y "$work/tamper.ref")" ] || fail "tamper setup"
# A sync pass alone would not notice: the stat data did not move.
cli A 0 sync --json
[ "$(json_field uploaded)" = 0 ] || fail "the pass noticed the tamper by itself?"
cli A 1 verify --json
[ "$(status_of tamper.txt)" = mismatch ] || fail "tamper.txt is not a mismatch: $out"
[ "$(py "[f['requeued'] for f in j['folders'][0]['files'] if f['path'] == 'tamper.txt'][0]")" = True ] ||
    fail "the mismatch was not re-queued"
expect_err "FAILED verification"
# Re-queued: the journal now knows the bytes changed, like any local edit.
cli A 1 verify
expect_out "local-changed *tamper.txt"
# The next pass sends the local bytes as a new revision; then all verifies.
cli A 0 sync --json
[ "$(json_field uploaded)" = 1 ] || fail "the re-queued file was not uploaded: $out"
cli A 0 verify
cli B 0 sync
[ "$(cat "$B/tamper.txt")" = "tampered content!" ] || fail "B did not get the re-sent content"

section "verify: tampered receipt in the journal"
journal=$(sed -n 's/^journal=//p' "$work/A/config/allset.conf" | head -1)
[ -f "$journal" ] || fail "no journal at '$journal'"
sqlite3 "$journal" "UPDATE receipts SET receipt = json_set(receipt, '\$.size', 12345) WHERE path = 'shared.txt'" ||
    fail "sqlite3 update"
cli A 1 verify
expect_out "!! RECEIPT-INVALID *shared.txt"
cli A 1 verify --json
[ "$(status_of shared.txt)" = receipt-invalid ] || fail "shared.txt receipt not invalid: $out"
cli A 0 sync
[ "$(sqlite3 "$journal" "SELECT state || ' ' || json_extract(receipt, '\$.size') FROM base JOIN receipts USING (path) WHERE path = 'shared.txt'")" = \
  "verified $(stat -c %s "$A/shared.txt")" ] || fail "the next pass did not fetch a fresh receipt"
cli A 0 verify

section "verify: deleted and edited on the server by B, not pulled by A yet"
rm "$B/gone.txt"
echo "B's edit" >"$B/shared.txt"
cli B 0 sync
cli A 1 verify --json
[ "$(status_of gone.txt)" = missing-remote ] || fail "gone.txt is not missing-remote: $out"
[ "$(status_of shared.txt)" = server-changed ] || fail "shared.txt is not server-changed: $out"
cli A 0 sync
[ -e "$A/gone.txt" ] && fail "A still has gone.txt"
cli A 0 verify

# --- trash ---------------------------------------------------------------------
section "history and restore of a deleted file"
cli A 0 history "$A/gone.txt"
expect_out "in the server's trash"
expect_out "restore .*gone.txt --from-trash"
cli A 0 history "$A/gone.txt" --json
[ "$(py "j['deleted'] and j['trash_id'] > 0")" = True ] || fail "history --json of a deleted file: $out"
cli A 0 restore "$A/gone.txt" --from-trash
expect_out "Restored Sync/gone.txt from the server's trash"
[ "$(cat "$A/gone.txt" 2>/dev/null)" = "delete me on B" ] || fail "gone.txt did not come back on A"
cli B 0 sync
[ "$(cat "$B/gone.txt" 2>/dev/null)" = "delete me on B" ] || fail "gone.txt did not come back on B"

section "restore --trash-id"
rm "$A/byid.txt"
cli A 0 sync
cli B 0 sync
trash_id=$(api trash | "$python" -c 'import json,sys; print([e["trash_id"] for e in json.load(sys.stdin)["entries"] if e["path"] == "Sync/byid.txt"][0])')
cli B 0 restore --trash-id "$trash_id"
[ "$(cat "$B/byid.txt" 2>/dev/null)" = "trash by id" ] || fail "byid.txt did not come back on B"
cli A 1 restore "$A/doc.txt" --trash-id "$trash_id"
expect_err "No entry"

section "another account's trash entry cannot be named"
add_account bob
login_client C bob
cli C 0 add-folder "$work/C/Sync" --remote Sync
echo "bob's" >"$work/C/Sync/bob.txt"
cli C 0 sync
rm "$work/C/Sync/bob.txt"
cli C 0 sync
bob_id=$(api trash C | "$python" -c 'import json,sys; print(json.load(sys.stdin)["entries"][0]["trash_id"])')
cli A 1 restore --trash-id "$bob_id"
expect_err "No entry $bob_id"
[ "$(api trash C | grep -c bob.txt)" = 1 ] || fail "bob's trash entry changed"

section "both sides verify"
cli A 0 sync
cli A 0 verify
cli B 0 verify

# Files inside a moved directory keep their revision under a new path:
# their receipts still name the old one, and that is valid (the soak
# found them reported as receipt-invalid).
section "verify after a directory moved"
mkdir -p "$A/Projets/2026"
echo "plan" >"$A/Projets/2026/plan.txt"
cli A 0 sync
cli B 0 sync
mv "$A/Projets" "$A/Archives"
cli A 0 sync
cli B 0 sync
[ -f "$B/Archives/2026/plan.txt" ] || fail "the moved directory did not reach B"
cli A 0 verify
cli B 0 verify

finish "All history, restore and verify tests passed."
