/* allset-sync.h — one sync pass of one folder: feed, scan, plan, execute
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * allset_sync_folder() runs one blocking pass (call it from a worker
 * thread: the CLI calls it directly, the GUI through a GTask):
 *
 *  1. preflight: the server is reachable and not in maintenance, and the
 *     local file system has room for what the account holds (DESIGN.md §4
 *     invariant 5: free space + bytes already synced here ≥ the account's
 *     used bytes), otherwise ALLSET_SYNC_ERROR_NO_SPACE with both figures;
 *  2. the changes feed since the journal's cursor, one transaction per page;
 *  3. a scan of the folder;
 *  4. allset_reconcile();
 *  5. the plan, per the executor contract of allset-reconcile.h (uploads
 *     and downloads in allset-transfer.c), holding deletions back when
 *     the plan asks for a confirmation and options->confirm_deletes is
 *     FALSE.
 *
 * Fatal errors (maintenance, suspended account, revoked or expired token,
 * unreachable server, journal failures) stop the pass and are returned;
 * what failed for one path only is counted in the report and recorded in
 * the journal as an issue (ALLSET_ISSUE_SYNC_FAILED).
 *
 * Test hooks (environment): ALLSET_TEST_FREE_SPACE=BYTES replaces the
 * free space the preflight reads; ALLSET_TEST_PAUSE_AFTER_SCAN=FILE makes
 * the pass print "allset: paused after scan" on stderr and wait until FILE
 * exists before it reconciles, ALLSET_TEST_PAUSE_AFTER_RENAME=FILE the same
 * ("paused after rename") after each download's final rename (tests of
 * invariant 2).
 */

#pragma once

#include <gio/gio.h>

#include "allset-client.h"
#include "allset-config.h"
#include "allset-reconcile.h"
#include "allset-receipt.h"

G_BEGIN_DECLS

#define ALLSET_SYNC_ERROR (allset_sync_error_quark ())
GQuark allset_sync_error_quark (void);

typedef enum
{
  ALLSET_SYNC_ERROR_NO_SPACE,   /* preflight: not enough local free space */
  ALLSET_SYNC_ERROR_FAILED,
} AllsetSyncError;

/* What a pass tells its watcher while it runs (the GUI's progress bar
 * and activity list). */
typedef enum
{
  /* The plan is known: files = the files it transfers, bytes = their
   * size (uploads + downloads). Sent before the actions it counts run:
   * once, or twice when the pass fetches the folder's .allsetignore
   * first (allset-sync-rules.c): one for that file, one for the rest.
   * Watchers add them up. */
  ALLSET_SYNC_EVENT_PLANNED,
  /* An action on path starts (action says which; bytes: the file's size
   * for transfers). Bookkeeping (RECORD_BASE, FORGET_BASE) has none. */
  ALLSET_SYNC_EVENT_STARTED,
  /* bytes more of path's content were sent or received (only the bytes
   * that travel in the transfer: a reused chunk, or one sent while the
   * scan read its file, before the pass knew it would upload it, is not
   * counted here; its file's size is "done" when the file is). */
  ALLSET_SYNC_EVENT_BYTES,
  /* The action on path succeeded. Uploads and downloads carry the
   * verified receipt; one whose check fails gets VERIFY_FAILED instead. */
  ALLSET_SYNC_EVENT_DONE,
  /* The action on path failed or was skipped; message says why, in
   * English (the issue kept in the journal). action may be 0: the step
   * that failed did not know it (the path's last STARTED one). */
  ALLSET_SYNC_EVENT_FAILED,
  /* Hash or receipt mismatch on path: the file is re-queued (R13). */
  ALLSET_SYNC_EVENT_VERIFY_FAILED,
  /* The transfer of path waits: its size (bytes) is over
   * options->max_transfer_size (metered connection, small-files). */
  ALLSET_SYNC_EVENT_DEFERRED,
} AllsetSyncEventKind;

typedef struct
{
  AllsetSyncEventKind  kind;
  AllsetActionKind     action;   /* STARTED, DONE, FAILED, DEFERRED */
  const char          *path;     /* folder-relative; NULL for PLANNED */
  const char          *to;       /* moves and conflicts: the new path */
  guint                files;    /* PLANNED */
  guint64              bytes;    /* PLANNED: total; BYTES: this step; DEFERRED: size */
  const AllsetReceipt *receipt;  /* DONE of a transfer */
  const char          *message;  /* FAILED, VERIFY_FAILED */
} AllsetSyncEvent;

/* Called from the pass's threads (any of them, one call at a time per
 * thread, possibly several threads at once): copy what you keep, return
 * quickly, never touch GTK from here. */
typedef void (*AllsetSyncEventFunc) (const AllsetSyncEvent *event,
                                     gpointer               user_data);

typedef struct
{
  /* The user confirmed a mass deletion (sync --confirm-deletes). */
  gboolean    confirm_deletes;
  /* For conflict copy names; NULL: the device's name on the server. */
  const char *device_name;
  /* 0: no limit. Otherwise uploads and downloads of files bigger than
   * this wait (report->deferred, a DEFERRED event); everything else
   * (small files, moves, deletions, directories) runs. The metered
   * "small-files" policy (DESIGN.md §4 invariant 6). */
  guint64     max_transfer_size;
  /* Optional progress events (see AllsetSyncEventFunc). */
  AllsetSyncEventFunc on_event;
  gpointer    on_event_data;
} AllsetSyncOptions;

typedef struct
{
  guint    uploaded;          /* files committed */
  guint    downloaded;        /* files written */
  guint    deleted_local;     /* entries sent to the OS trash */
  guint    deleted_remote;    /* entries sent to the server's trash */
  guint    moved;             /* moves carried out, either way */
  guint    dirs_created;
  guint    recorded;          /* both sides already agreed */
  guint    conflicts;         /* conflict copies made in this pass */
  guint    held_deletions;    /* files whose deletion awaits confirmation */
  guint    skipped;           /* changed during the pass: next pass */
  guint    failed;            /* actions that failed (see the issues) */
  guint    verified;          /* receipts checked in this pass */
  guint    verify_failed;     /* hash or receipt mismatch: loud */
  guint    issues;            /* paths not synced (symlinks, names…) */
  guint    deferred;          /* transfers over max_transfer_size: later */
  guint64  chunks_uploaded;   /* chunks sent (single or packed) */
  guint64  bytes_uploaded;
  guint64  chunks_downloaded;
  guint64  bytes_downloaded;
  guint64  chunks_reused;     /* read from disk or a part file instead */
  guint64  free_space;        /* preflight figures */
  guint64  remote_used;
  /* The journal's changes-feed cursor when the pass ended (0: unknown):
   * what a push channel should wait past. */
  gint64   cursor;
  /* English messages about what failed or was skipped (char *). */
  GPtrArray *messages;
} AllsetSyncReport;

AllsetSyncReport *allset_sync_report_new  (void);
void              allset_sync_report_free (AllsetSyncReport *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetSyncReport, allset_sync_report_free)

/* TRUE when the pass left nothing to do: no held deletion, no failure,
 * nothing skipped or deferred, every transfer verified. */
gboolean          allset_sync_report_in_sync (const AllsetSyncReport *self);

/* Runs one pass; fills report (allocated by the caller) even when it
 * fails half way. */
gboolean          allset_sync_folder      (AllsetClient             *client,
                                           const AllsetFolderConfig *folder,
                                           const AllsetSyncOptions  *options,
                                           AllsetSyncReport         *report,
                                           GCancellable             *cancellable,
                                           GError                  **error);

/* The same in a GTask thread (the GUI): folder and options are copied.
 * finish() gives the report in every case (also on error). */
void              allset_sync_folder_async  (AllsetClient             *client,
                                             const AllsetFolderConfig *folder,
                                             const AllsetSyncOptions  *options,
                                             GCancellable             *cancellable,
                                             GAsyncReadyCallback       callback,
                                             gpointer                  user_data);
gboolean          allset_sync_folder_finish (AllsetClient             *client,
                                             GAsyncResult             *result,
                                             AllsetSyncReport        **report,
                                             GError                  **error);

/* Meta key of the journal: JSON summary of the last pass (for status). */
#define ALLSET_SYNC_META_LAST_PASS "last-pass"

G_END_DECLS
