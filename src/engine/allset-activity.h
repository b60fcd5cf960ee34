/* allset-activity.h — what the sync passes did, file by file, for the GUI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * AllsetActivityList is the GListModel of AllsetActivity the desktop
 * app's activity list binds to (AllsetFolderSession owns one per folder):
 * one item per file action per pass, newest first, at most max_items
 * (the oldest go). It is fed with the pass's AllsetSyncEvent, in order,
 * on the main context (the session copies them in the pass's threads and
 * applies them in batches); it never touches the disk or the network, so
 * a unit test feeds it a sequence of events and reads the items back.
 *
 * How events map to items:
 *  - STARTED creates an item (RUNNING), or updates the path's item of
 *    this pass while that one still runs;
 *  - BYTES adds to the running item's bytes-done;
 *  - DONE finishes it: VERIFIED with the receipt's details for a
 *    transfer that was checked, DONE otherwise;
 *  - FAILED, VERIFY_FAILED and DEFERRED finish it with their message
 *    (VERIFY_FAILED wins over a FAILED of the same path);
 *  - an event about a path with no item in this pass creates one
 *    (a verification of a file synced earlier, a deferred transfer);
 *  - RECORD_BASE and FORGET_BASE (bookkeeping) make no item;
 *  - end_pass() turns what still runs into FAILED with the pass's reason.
 *
 * The list also counts the pass's progress: files and bytes of the
 * transfers PLANNED announced, done when their item finishes (a deferred
 * transfer is not part of the plan's figures).
 */

#pragma once

#include <gio/gio.h>

#include "allset-reconcile.h"
#include "allset-sync.h"

G_BEGIN_DECLS

/* AllsetActionKind as a GEnum, plus 0 ("none"): a failure whose step did
 * not say which action it was. */
#define ALLSET_TYPE_ACTION_KIND (allset_action_kind_get_type ())
GType allset_action_kind_get_type (void);

typedef enum
{
  ALLSET_ACTIVITY_RUNNING,
  ALLSET_ACTIVITY_DONE,           /* carried out (moves, deletions, directories) */
  ALLSET_ACTIVITY_VERIFIED,       /* a transfer whose hash and receipt checked out */
  ALLSET_ACTIVITY_FAILED,         /* failed or skipped: message says why */
  ALLSET_ACTIVITY_DEFERRED,       /* waits for an unmetered connection */
  ALLSET_ACTIVITY_VERIFY_FAILED,  /* hash or receipt mismatch: sent again */
} AllsetActivityStatus;

#define ALLSET_TYPE_ACTIVITY_STATUS (allset_activity_status_get_type ())
GType allset_activity_status_get_type (void);

/* ---- one item ------------------------------------------------------------ */

#define ALLSET_TYPE_ACTIVITY (allset_activity_get_type ())
G_DECLARE_FINAL_TYPE (AllsetActivity, allset_activity, ALLSET, ACTIVITY, GObject)

/* Properties (read-only, notified on change): path, to, action,
 * action-nick, status, message, bytes, bytes-done, time, revision,
 * file-id, receipt-time, key-id. */
const char          *allset_activity_get_path         (AllsetActivity *self);
/* Moves: the destination; conflicts: the conflict copy. NULL otherwise. */
const char          *allset_activity_get_to           (AllsetActivity *self);
AllsetActionKind     allset_activity_get_action       (AllsetActivity *self);
/* "upload", "download", "move-local"…; "" for none. */
const char          *allset_activity_get_action_nick  (AllsetActivity *self);
AllsetActivityStatus allset_activity_get_status       (AllsetActivity *self);
gboolean             allset_activity_is_finished      (AllsetActivity *self);
/* Why it failed or waits (English, from the engine); NULL when fine. */
const char          *allset_activity_get_message      (AllsetActivity *self);
/* The file's size (transfers), 0 when unknown. */
guint64              allset_activity_get_bytes        (AllsetActivity *self);
/* Bytes that travelled for it so far (reused chunks do not). */
guint64              allset_activity_get_bytes_done   (AllsetActivity *self);
/* When it started, then when it finished (local time). */
GDateTime           *allset_activity_get_time         (AllsetActivity *self);
/* The verified receipt (VERIFIED only, else NULL): the proof the user
 * can export. Its details: */
const AllsetReceipt *allset_activity_get_receipt      (AllsetActivity *self);
gint64               allset_activity_get_revision     (AllsetActivity *self);
const char          *allset_activity_get_file_id      (AllsetActivity *self);
/* ISO 8601 UTC, as signed. */
const char          *allset_activity_get_receipt_time (AllsetActivity *self);
const char          *allset_activity_get_key_id       (AllsetActivity *self);

/* ---- the list ------------------------------------------------------------ */

#define ALLSET_ACTIVITY_LIST_MAX_ITEMS 500

#define ALLSET_TYPE_ACTIVITY_LIST (allset_activity_list_get_type ())
G_DECLARE_FINAL_TYPE (AllsetActivityList, allset_activity_list, ALLSET, ACTIVITY_LIST, GObject)

/* max_items: 0 for ALLSET_ACTIVITY_LIST_MAX_ITEMS. */
AllsetActivityList *allset_activity_list_new          (guint                   max_items);
/* A new pass: new items from now on, progress back to zero. */
void                allset_activity_list_begin_pass   (AllsetActivityList     *self);
/* Applies one event of the current pass; now: the time to record (NULL:
 * now). Returns the item it created or changed (borrowed), or NULL. */
AllsetActivity     *allset_activity_list_apply        (AllsetActivityList     *self,
                                                       const AllsetSyncEvent  *event,
                                                       GDateTime              *now);
/* The pass is over: items still running fail with reason (NULL: "not
 * finished"). Returns how many did. */
guint               allset_activity_list_end_pass     (AllsetActivityList     *self,
                                                       const char             *reason);
/* Progress of the current pass (any pointer may be NULL). */
void                allset_activity_list_get_progress (AllsetActivityList     *self,
                                                       guint                  *files_done,
                                                       guint                  *files_total,
                                                       guint64                *bytes_done,
                                                       guint64                *bytes_total);
void                allset_activity_list_clear        (AllsetActivityList     *self);

/* ---- events across threads ----------------------------------------------- */

/* A deep copy (strings, receipt) to keep past the callback. */
AllsetSyncEvent *allset_sync_event_copy (const AllsetSyncEvent *event);
void             allset_sync_event_free (AllsetSyncEvent       *event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetSyncEvent, allset_sync_event_free)

G_END_DECLS
