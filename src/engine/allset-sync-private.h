/* allset-sync-private.h — what allset-sync*.c and allset-transfer.c share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "allset-journal.h"
#include "allset-reconcile.h"
#include <sys/stat.h>

#include "allset-sync.h"

G_BEGIN_DECLS

/* Worker threads sharing the one AllsetClient for chunk transfers. */
#define ALLSET_SYNC_WORKERS      4
/* Downloads made durable and recorded together (allset_transfer_land). */
#define ALLSET_SYNC_LAND_BATCH   256
/* Bytes per chunk pack we send, below the server's maximum: several
 * smaller packs keep every worker (read, hash, send, server store) busy
 * at once, where 16 MiB packs left 10 000 small files in three requests. */
#define ALLSET_SYNC_PACK_TARGET  (4 * 1024 * 1024)
/* BYTES events inside one chunk's transfer: at most this often (µs).
 * libsoup reports every few KiB; an event each made ~30 000 for 1 GiB. */
#define ALLSET_SYNC_PROGRESS_US  (100 * 1000)
/* Operations per commit request. Half as many kept two batches in flight
 * sooner while chunks were all sent before any commit; with commits going
 * out as their chunks are stored, the round trips are the longer chain,
 * and A's upload took 1.56–1.67 s with 1 000 against 1.74–1.76 s with 500
 * (and 1.61–1.74 s with 2 000), alternated in the same minutes. */
#define ALLSET_SYNC_COMMIT_BATCH 1000
/* Commit requests on their way at once (when they touch different
 * paths): the server signs and stores one while it parses the other. */
#define ALLSET_SYNC_COMMITS_IN_FLIGHT 3
/* Chunk ids per chunks/missing request. */
#define ALLSET_SYNC_MISSING_BATCH 10000

/* allset-sync-rules.c: rules read again during the pass. */
typedef struct _AllsetSyncRules AllsetSyncRules;
/* allset-transfer-ahead.c: chunks sent while the scan reads their files. */
typedef struct _AllsetTransferAhead AllsetTransferAhead;

typedef struct
{
  AllsetClient             *client;
  const AllsetFolderConfig *folder;
  const AllsetSyncOptions  *options;
  AllsetJournal            *journal;
  AllsetSyncReport         *report;
  GCancellable             *cancellable;
  /* The rules in force (owned): the scan's, until .allsetignore changes
   * on disk during the pass (allset-sync-rules.c). */
  AllsetIgnore             *ignore;
  /* NULL until then. */
  AllsetSyncRules          *rules;
  char                     *receipt_key;      /* base64 Ed25519 public key */
  guint64                   small_chunk_max;
  guint64                   pack_max;
  /* The process umask, read once before any thread starts (umask() can
   * only be read by setting it). */
  guint                     umask;
  /* Uploads and remote operations waiting for one commit (PendingOp). */
  GPtrArray                *pending;
  /* AllsetIssue of this pass (ORIGIN_SYNC), conflicts (ORIGIN_CONFLICT). */
  GPtrArray                *issues;
  GPtrArray                *conflicts;
  /* Downloads renamed into place, waiting for their directories' fsync
   * before the journal records them (AllsetLanded, allset-transfer-download.c). */
  GPtrArray                *landed;
  /* The first fatal error: the pass stops. */
  GError                   *fatal;
  /* "REVISION\tPATH" of the first file the remote view lists and the
   * server says it does not hold (allset-sync-remote-check.c). */
  char                     *remote_missing;
  /* Downloads run in parallel: guards report, issues, landed, fatal and
   * remote_missing. */
  GMutex                    lock;
  /* When the current phase began (allset_sync_phase). */
  gint64                    phase_start;
  /* Until the transfer step: sends the chunks the scan reads (NULL when
   * transfers are limited to small files). */
  AllsetTransferAhead      *ahead;
} AllsetSyncPass;

/* A download renamed into place, not yet in the journal. */
typedef struct
{
  const AllsetAction *action;
  char               *dir;
  GArray             *chunks;    /* AllsetLocalChunk */
  AllsetLocalEntry   *written;   /* what was renamed, stat'ed before */
  AllsetFileInfo     *info;
  GError             *verdict;   /* allset_transfer_check_receipt(), made in a worker */
} AllsetLanded;

void allset_landed_free (gpointer landed);

/* report->field += n, from any thread. */
#define ALLSET_SYNC_COUNT(pass, field, n) \
  G_STMT_START { \
    g_mutex_lock (&(pass)->lock); \
    (pass)->report->field += (n); \
    g_mutex_unlock (&(pass)->lock); \
  } G_STMT_END

/* folder-relative → account path ("" prefix: same). */
char     *allset_sync_remote_path   (AllsetSyncPass     *pass,
                                     const char         *path);
/* Absolute local path of a folder-relative one. */
char     *allset_sync_local_path    (AllsetSyncPass     *pass,
                                     const char         *path);
/* lstat() of path as an AllsetLocalEntry (file id unset); NULL with errno
 * ENOENT when nothing is there. */
AllsetLocalEntry *allset_sync_lstat (AllsetSyncPass     *pass,
                                     const char         *path,
                                     const char         *disk_path);
/* Is a BYTES event inside a transfer due (ALLSET_SYNC_PROGRESS_US since
 * *told_at, which it then moves to now)? */
gboolean  allset_sync_progress_due  (gint64             *told_at);
/* Logs (debug) how long the phase that just ended took; the next one
 * starts now. G_MESSAGES_DEBUG=Allset-Engine shows where a pass spends
 * its time. */
void      allset_sync_phase         (AllsetSyncPass     *pass,
                                     const char         *done);
/* A test hook (allset-sync.h): when the environment variable hook names a
 * file, print "allset: paused WHAT" and wait until that file exists. */
void      allset_sync_test_pause    (const char         *hook,
                                     const char         *what);
/* Is the local path still what the scan saw (NULL: nothing)? */
gboolean  allset_sync_unchanged     (AllsetSyncPass     *pass,
                                     const char         *path,
                                     const AllsetLocalEntry *scanned);
/* Reports a failed or skipped action (also an issue of the folder). */
void      allset_sync_fail          (AllsetSyncPass     *pass,
                                     const char         *path,
                                     gboolean            skipped,
                                     const char         *format,
                                     ...) G_GNUC_PRINTF (4, 5);
/* Keeps error as the pass's fatal error if it is one (maintenance,
 * auth, network, cancellation) and returns TRUE then. */
gboolean  allset_sync_check_fatal   (AllsetSyncPass     *pass,
                                     const GError       *error);
/* Brings the remote view up to the server's changes feed. */
gboolean  allset_sync_pull_feed     (AllsetSyncPass     *pass,
                                     GError            **error);
/* allset-sync-remote-check.c: notes that the server holds nothing at path,
 * where the remote view has revision (from any thread); at the end of a
 * pass, reads the view again if the server contradicted it in two passes
 * running. */
void      allset_sync_note_remote_missing (AllsetSyncPass     *pass,
                                           const char         *path,
                                           gint64              revision);
void      allset_sync_check_remote  (AllsetSyncPass     *pass);

/* Hands event to options->on_event, if any (from any thread). */
void      allset_sync_emit          (AllsetSyncPass        *pass,
                                     const AllsetSyncEvent *event);
/* The common case: an event about one path. */
void      allset_sync_emit_path     (AllsetSyncPass        *pass,
                                     AllsetSyncEventKind    kind,
                                     AllsetActionKind       action,
                                     const char            *path,
                                     guint64                bytes,
                                     const char            *message);
/* An event about action (its kind, path and destination); receipt: DONE
 * of a verified transfer. */
void      allset_sync_emit_action   (AllsetSyncPass        *pass,
                                     AllsetSyncEventKind    kind,
                                     const AllsetAction    *action,
                                     guint64                bytes,
                                     const AllsetReceipt   *receipt);

/* allset-sync-local.c: the actions that only touch the disk and the
 * journal (see allset-reconcile.h for each one's contract). */
void      allset_sync_move_local    (AllsetSyncPass     *pass,
                                     const AllsetAction *action);
void      allset_sync_conflict      (AllsetSyncPass     *pass,
                                     const AllsetAction *action);
void      allset_sync_delete_local  (AllsetSyncPass     *pass,
                                     const AllsetIgnore *ignore,
                                     const AllsetAction *action);
void      allset_sync_mkdir_local   (AllsetSyncPass     *pass,
                                     const AllsetIgnore *ignore,
                                     const AllsetAction *action);
void      allset_sync_record_base   (AllsetSyncPass     *pass,
                                     const AllsetAction *action);

/* allset-transfer-ahead.c: offer is an AllsetChunkSinkFunc for the
 * scanner, with the AllsetTransferAhead as its data; finish waits for the
 * chunks on their way, counts them in the report and frees pass->ahead
 * (if any). Before the transfer step asks what the server lacks. */
AllsetTransferAhead *allset_transfer_ahead_new    (AllsetSyncPass     *pass);
void      allset_transfer_ahead_offer  (const AllsetChunk  *chunk,
                                        GBytes             *bytes,
                                        gpointer            ahead);
void      allset_transfer_ahead_finish (AllsetSyncPass     *pass);

/* allset-sync-defer.c: action → its size (guint64 *) for the actions
 * options->max_transfer_size holds back (empty without a limit). */
GHashTable *allset_sync_plan_deferred (AllsetSyncPass     *pass,
                                       AllsetPlan         *plan);
/* Reports action as waiting (DEFERRED, report->deferred). */
void      allset_sync_defer_action  (AllsetSyncPass     *pass,
                                     const AllsetAction *action,
                                     guint64             bytes);
/* PLANNED: what this pass transfers (not what waits). */
void      allset_sync_emit_planned  (AllsetSyncPass     *pass,
                                     AllsetPlan         *plan,
                                     GHashTable         *deferred);

/* allset-sync-local.c: sends path to the OS trash after checking it is what
 * the scan saw (a directory: only known, unchanged or ignored content);
 * n_files (or NULL) gets how many known files went: 1 for a file. */
gboolean  allset_sync_trash_local   (AllsetSyncPass         *pass,
                                     const char             *path,
                                     const AllsetLocalEntry *scanned,
                                     guint                  *n_files);

/* allset-sync-rules.c: ALLSET_IGNORE_FILE changing during the pass. */
void      allset_sync_rules_free    (AllsetSyncRules    *rules);
/* When the plan's only action on the root ALLSET_IGNORE_FILE is a
 * download, runs it before anything else, reads the rules again and takes
 * off the plan every action they rule out (before the PLANNED event). */
void      allset_sync_rules_first   (AllsetSyncPass     *pass,
                                     AllsetPlan         *plan);
/* Did action (just run) change the root ALLSET_IGNORE_FILE on disk? */
gboolean  allset_sync_rules_touched (const AllsetAction *action);
/* Reads the rules on disk again into pass->ignore; from then on
 * allset_sync_rules_drop() applies them. */
void      allset_sync_rules_reload  (AllsetSyncPass     *pass);
/* Once the rules were read again: TRUE when they ignore action's path or
 * destination, or it lies below the destination of a move or conflict
 * dropped before it (call in plan order). Skip it silently: not an error. */
gboolean  allset_sync_rules_drop    (AllsetSyncPass     *pass,
                                     const AllsetAction *action);
/* Drops the queued uploads and server operations the rules read again
 * rule out (before allset_transfer_flush()). */
void      allset_sync_rules_drop_queued (AllsetSyncPass *pass);

/* allset-transfer.c */
void      allset_transfer_op_free      (gpointer            op);
void      allset_transfer_queue_upload (AllsetSyncPass     *pass,
                                        const AllsetAction *action);
void      allset_transfer_queue_op     (AllsetSyncPass     *pass,
                                        const AllsetAction *action);
/* Removes from the queue, in its order, the operations whose action drop
 * rules out; nothing of theirs has been sent yet. */
void      allset_transfer_drop_queued  (AllsetSyncPass     *pass,
                                        gboolean          (*drop) (AllsetSyncPass     *pass,
                                                                   const AllsetAction *action));
/* Sends the queued uploads' chunks and commits every queued operation. */
void      allset_transfer_flush        (AllsetSyncPass     *pass);
/* A download under way (allset-transfer-download.c): its part file and
 * the chunks it still lacks, which allset_transfer_fetch() brings. */
typedef struct
{
  const AllsetAction *action;
  AllsetFileInfo     *info;
  char               *target;
  char               *dir;
  char               *part;
  int                 fd;        /* the part, -1 once closed */
  GArray             *chunks;    /* AllsetLocalChunk: the whole file, in order */
  GArray             *missing;   /* AllsetLocalChunk: those to fetch */
  GError             *error;     /* the first failure; set under pass->lock */
  gboolean            complete;  /* whole, checked, closed: to be made durable */
  gboolean            synced;    /* fsynced on its own */
  struct stat         written;   /* the part's stat data once complete */
  GError             *verdict;   /* its receipt's check (allset_transfer_check_receipt()) */
} AllsetDownload;

/* Keeps error (taken) as download's failure unless it already has one. */
void      allset_download_fail         (AllsetSyncPass     *pass,
                                        AllsetDownload     *download,
                                        GError             *error);
/* Downloads n files (ALLSET_SYNC_LAND_BATCH at most) and renames each
 * into place; the journal learns of them at the next
 * allset_transfer_land(). Their descriptions come in one request, their
 * small chunks in a few (allset_transfer_fetch()). */
void      allset_transfer_download_batch (AllsetSyncPass           *pass,
                                          const AllsetAction * const *actions,
                                          guint                     n);
/* allset-transfer-fetch.c: writes every missing chunk of downloads into
 * its part file, checked against its id; a failure is the download's
 * (allset_download_fail()). Small chunks travel many to a request. */
void      allset_transfer_fetch        (AllsetSyncPass     *pass,
                                        GPtrArray          *downloads);
/* Makes the downloads renamed so far durable (one fsync per directory),
 * then records them in the journal in one transaction and verifies
 * their receipts. */
void      allset_transfer_land         (AllsetSyncPass     *pass);
/* allset-transfer-download.c: at the end of a pass, removes the part
 * files (.allset-part-*) in part_dirs (the scan's result->part_dirs)
 * that no download of plan will resume, or that no one wrote to for a
 * week; never one written to in the last hour (another process's running
 * download). */
void      allset_transfer_sweep_parts  (AllsetSyncPass     *pass,
                                        const AllsetPlan   *plan,
                                        GPtrArray          *part_dirs);
/* Checks base entry path against the server's file id and receipt;
 * VERIFIED and TRUE on success (VERIFY_FAILED event otherwise). */
gboolean  allset_transfer_verify       (AllsetSyncPass     *pass,
                                        const char         *path,
                                        const char         *file_id,
                                        const AllsetReceipt *receipt);
/* The check alone, from any thread (an Ed25519 verification: ~0.1 ms,
 * worth spreading over threads for 10 000 files): NULL when receipt
 * vouches for file_id, else why not. */
GError   *allset_transfer_check_receipt (AllsetSyncPass      *pass,
                                         const char          *file_id,
                                         const AllsetReceipt *receipt);
/* allset_transfer_verify() with the check already made (verdict: its
 * result, taken). */
gboolean  allset_transfer_record_verdict (AllsetSyncPass      *pass,
                                          const char          *path,
                                          const AllsetReceipt *receipt,
                                          GError              *verdict);

G_END_DECLS
