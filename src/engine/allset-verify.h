/* allset-verify.h — re-check a synced folder against the disk and the server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Terms R13: each file moves pending → uploaded → verified, and "verified"
 * means the local hash equals the server's file id and the server's signed
 * receipt checks out. A sync pass verifies what it transfers; this is the
 * audit the user asks for ("allset-cli verify", the GUI's « Vérifier »):
 *
 *  - every local file is read and hashed again (FastCDC + SHA-256 → file
 *    id), whatever the journal's stat cache says;
 *  - the server's live tree is read afresh with GET /list, one request per
 *    directory, ALLSET_VERIFY_WORKERS at a time — not from the journal's
 *    copy of the changes feed, which is what is being checked;
 *  - every stored receipt is checked with the server's public key
 *    (/status) and must name the file's remote path, revision, file id
 *    and size.
 *
 * It changes nothing on disk nor on the server, and in the journal only
 * what makes the next sync pass repair a loud problem:
 *
 *  - MISMATCH of the local copy (its bytes no longer hash to what the
 *    journal believes, while its size, mtime and inode say "unchanged", so
 *    a pass would not notice): the journal's local cache gets the true file
 *    id and the base entry goes back to PENDING, so the next pass sees a
 *    local change and uploads those bytes as a new revision (the verified
 *    one stays in the server's history);
 *  - MISMATCH on the server (same revision, other file id): base back to
 *    PENDING;
 *  - RECEIPT_INVALID: base back to UPLOADED, so the next pass fetches the
 *    server's receipt for that revision and checks it again.
 *
 * Threads: allset_verify_folder() blocks (disk, hashing, network, SQLite):
 * call it from a worker thread; the _async() form runs it in a GTask.
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "allset-client.h"
#include "allset-config.h"
#include "allset-receipt.h"

G_BEGIN_DECLS

/* Threads listing the server's directories and hashing local files. */
#define ALLSET_VERIFY_WORKERS 4

typedef enum
{
  /* Local hash = base file id = server's live file id at the base
   * revision, and the receipt checks out. */
  ALLSET_VERIFY_VERIFIED,
  /* Edited here since the last sync (its stat data moved): not uploaded
   * yet. */
  ALLSET_VERIFY_LOCAL_CHANGED,
  /* Never synced: on disk (or nowhere) but not in the journal's base. */
  ALLSET_VERIFY_PENDING,
  /* A newer revision on the server (or a new file there) not downloaded
   * yet. */
  ALLSET_VERIFY_SERVER_CHANGED,
  /* LOUD: the bytes differ where the journal says they are equal (see
   * the file comment); re-queued. */
  ALLSET_VERIFY_MISMATCH,
  /* LOUD: the stored receipt is missing its signature, does not verify
   * with the server's key, or names another path, revision, id or size;
   * re-queued. */
  ALLSET_VERIFY_RECEIPT_INVALID,
  /* In base and on the server, gone here (a deletion not synced yet). */
  ALLSET_VERIFY_MISSING_LOCAL,
  /* In base, gone from the server (deleted or moved by another device,
   * not applied here yet). */
  ALLSET_VERIFY_MISSING_REMOTE,
  ALLSET_VERIFY_N_STATUSES
} AllsetVerifyStatus;

/* "verified", "local-changed", "pending", "server-changed", "mismatch",
 * "receipt-invalid", "missing-local", "missing-remote". */
const char *allset_verify_status_to_string (AllsetVerifyStatus status);
/* MISMATCH and RECEIPT_INVALID: say them loudly. */
gboolean    allset_verify_status_is_loud   (AllsetVerifyStatus status);

/* One file of the report. */
typedef struct
{
  char               *path;            /* folder-relative, NFC */
  char               *remote_path;     /* account path on the server */
  AllsetVerifyStatus  status;
  gint64              revision;        /* base revision; 0 = never synced */
  gint64              server_revision; /* live on the server; 0 = absent */
  char               *file_id;         /* base's; NULL = not in base */
  char               *local_file_id;   /* hashed now; NULL = absent, unreadable */
  char               *server_file_id;  /* NULL = absent on the server */
  guint64             size;            /* local size, or base's when absent */
  /* The receipt that was checked: the stored one, or the server's when
   * the journal holds none yet (receipt_from_server). NULL: none. */
  AllsetReceipt      *receipt;
  gboolean            receipt_valid;
  gboolean            receipt_from_server;
  /* The journal was changed so the next pass transfers it again. */
  gboolean            requeued;
  char               *message;         /* English detail; NULL when verified */
} AllsetVerifyItem;

void allset_verify_item_free (AllsetVerifyItem *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetVerifyItem, allset_verify_item_free)

typedef struct
{
  char      *folder_id;
  char      *local;
  char      *remote;              /* the folder's remote prefix */
  char      *subpath;             /* "" = the whole folder */
  char      *server_url;
  char      *account;
  char      *receipt_algorithm;   /* from /status */
  char      *receipt_public_key;  /* base64: what every receipt is checked with */
  char      *receipt_key_id;
  char      *checked_at;          /* ISO 8601 UTC, when the check started */
  guint      counts[ALLSET_VERIFY_N_STATUSES];
  guint      n_files;             /* = items->len */
  guint      requeued;
  guint      n_hashed;
  guint64    bytes_hashed;
  guint      n_requests;          /* list and file requests sent */
  GPtrArray *items;               /* AllsetVerifyItem, sorted by path */
} AllsetVerifyReport;

AllsetVerifyReport *allset_verify_report_new          (void);
void                allset_verify_report_free         (AllsetVerifyReport       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetVerifyReport, allset_verify_report_free)
/* Every file verified (TRUE for an empty folder). */
gboolean            allset_verify_report_all_verified (const AllsetVerifyReport *self);
/* The exportable proof: folder, server, its receipt key, counts and
 * every file with its hashes and its receipt (signature included). */
JsonNode           *allset_verify_report_to_json      (const AllsetVerifyReport *self);

/* Checks folder, or only subpath ("" or NULL: all of it; a file or a
 * directory, folder-relative, NFC) and fills report (allocated by the
 * caller; partly filled on failure). FALSE only when the check could not
 * run: server unreachable, maintenance, token refused, journal or root
 * unreadable, cancelled. Problems with files are in the report. */
gboolean            allset_verify_folder        (AllsetClient              *client,
                                                 const AllsetFolderConfig  *folder,
                                                 const char                *subpath,
                                                 AllsetVerifyReport        *report,
                                                 GCancellable              *cancellable,
                                                 GError                   **error);
/* The same in a GTask thread (the GUI): folder and subpath are copied;
 * finish() hands over the report in every case (also on error). */
void                allset_verify_folder_async  (AllsetClient              *client,
                                                 const AllsetFolderConfig  *folder,
                                                 const char                *subpath,
                                                 GCancellable              *cancellable,
                                                 GAsyncReadyCallback        callback,
                                                 gpointer                   user_data);
gboolean            allset_verify_folder_finish (AllsetClient              *client,
                                                 GAsyncResult              *result,
                                                 AllsetVerifyReport       **report,
                                                 GError                   **error);

/* ─── Paths (no network) ─────────────────────────────────────────────── */

/* The synced folder holding the local path (absolute, or relative to the
 * working directory; it need not exist: a deleted file) and the path
 * inside it, NFC ("" for the folder itself). G_IO_ERROR_NOT_FOUND when no
 * folder holds it, ALLSET_ERROR_INVALID_NAME for a name the
 * server cannot hold. */
gboolean            allset_verify_resolve_path  (AllsetConfig              *config,
                                                 const char                *path,
                                                 AllsetFolderConfig       **folder,
                                                 char                     **relative,
                                                 GError                   **error);
/* folder-relative → account path. */
char               *allset_verify_remote_path   (const AllsetFolderConfig  *folder,
                                                 const char                *relative);
/* account path → folder-relative; NULL when outside the folder. */
char               *allset_verify_folder_path   (const AllsetFolderConfig  *folder,
                                                 const char                *remote_path);

G_END_DECLS
