/* allset-reconcile.h — three-way reconciliation: what to do, not doing it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pure logic, no I/O: given base (the last agreed state), local (the scan)
 * and remote (the feed), allset_reconcile() returns the ordered list of
 * actions that brings both sides to the same tree without losing a
 * version (DESIGN.md §4):
 *
 *  - both sides changed a file differently → CONFLICT: the local copy is
 *    renamed "name (conflit DEVICE AAAA-MM-JJ HHMMSS).ext" and uploaded as
 *    a new file, the remote version is downloaded to the original name;
 *  - DELETE_LOCAL only for a path in base whose local copy is unchanged
 *    since base (never delete a file the journal does not know); the
 *    executor sends it to the OS trash (g_file_trash());
 *  - a local copy changed while the remote one was deleted is uploaded
 *    again, never deleted; a remote copy changed while the local one was
 *    deleted is downloaded again;
 *  - a directory is deleted only when nothing unknown, changed or skipped
 *    remains below it; otherwise it is re-created on the side that
 *    deleted it;
 *  - moves travel as moves: the feed's moves are replayed locally
 *    (MOVE_LOCAL), a local rename (same inode, or same content) becomes
 *    MOVE_REMOTE;
 *  - a file on one side and a directory on the other: when the side that
 *    kept the old type is unchanged, the new type replaces it (the old
 *    one goes to the trash / server trash); otherwise CONFLICT;
 *  - mass deletion (more than half of the folder's files, at least
 *    ALLSET_MASS_DELETE_MIN_FILES, or more than ALLSET_MASS_DELETE_MAX_FILES
 *    files, on either side): the plan holds every deletion back until the
 *    user confirms (sync --confirm-deletes);
 *  - skipped local entries (symlinks, bad names, case clashes, unstable
 *    files) and names that clash by case across the two sides freeze
 *    their whole subtree: no action touches them or anything below.
 *
 * Mtime alone is not a change: a file whose content and execute bit match
 * base only gets its base record refreshed, so touching a file does not
 * make a new version. Mtimes travel with the content (upload sends the
 * local mtime in seconds, download sets the remote one).
 *
 * Executing a plan (the sync pass) — the contract each action carries:
 *
 *  - Execute in order. Moves come first, then creations and transfers
 *    with parents before children, then deletions with children first.
 *  - Before anything replaces, renames or trashes a local path, lstat()
 *    it and compare with action->local (allset_local_entry_stat_equal());
 *    on a difference skip the action: the next scan sees the new state
 *    (invariant 2). action->local NULL means "nothing there": if
 *    something appeared since the scan, skip too. For DOWNLOAD, check
 *    again right before the final rename.
 *  - Remote operations use action->base_revision; a 409 conflict means
 *    the server moved on: skip, the next pass reconciles again.
 *  - Update the journal only after an action succeeded: base_put /
 *    base_rename / base_delete, and local_put / local_rename for what the
 *    executor wrote itself. A failed action changes nothing. A replace
 *    also forgets the replaced entry's subtree in base (base_delete with
 *    subtree) before recording the new entry.
 *  - Paths of action->local / ->remote / ->base are where the entry is
 *    when the action runs (after earlier moves and renames); read the file
 *    through action->local->disk_path when it is set.
 *  - Once the pass has run, forget the feed's moves it was given
 *    (allset_journal_clear_remote_moves() with the max_seq read): a move
 *    not carried out was planned as a deletion plus a creation.
 */

#pragma once

#include <glib.h>

#include "allset-ignore.h"
#include "allset-journal-entry.h"

G_BEGIN_DECLS

/* A plan deletes "a mass" of files when it would delete more than this
 * many files on one side… */
#define ALLSET_MASS_DELETE_MAX_FILES 500
/* …or more than half of the folder's files, if at least this many. */
#define ALLSET_MASS_DELETE_MIN_FILES 5

typedef enum
{
  /* Rename local path → to (a move replayed from the feed). Create
   * missing parents of to. Then base_rename and local_rename. */
  ALLSET_ACTION_MOVE_LOCAL = 1,
  /* Commit {"op": "move", path, to, base_revision} (a local rename seen
   * by the scan); the server makes missing parents. Then base_rename, and
   * give the moved entry the result's revision and the stat data of
   * action->local (the entry at `to`). */
  ALLSET_ACTION_MOVE_REMOTE,
  /* Rename local path → to, the conflict copy (re-check action->local
   * first). The actions that follow upload `to` as a new file and bring
   * the remote version to `path`. Then local_rename. */
  ALLSET_ACTION_CONFLICT,
  /* Make the local directory path (fine if it already is one). With
   * replace: the local file there goes to the trash first. */
  ALLSET_ACTION_MKDIR_LOCAL,
  /* Commit {"op": "mkdir", path, base_revision} (a conflict answer on a
   * path that is already a directory is success). With replace: in the
   * same commit, delete the remote file first (revision
   * action->remote->revision). */
  ALLSET_ACTION_MKDIR_REMOTE,
  /* Fetch action->remote (GET /file for its chunks), reuse local chunks
   * (allset_journal_find_chunk()), write .allset-part-*, fsync, check the
   * file id, re-check the target against action->local, rename, set
   * mtime and mode. With replace: the local directory there (all of it
   * known and unchanged: re-check) goes to the trash first. */
  ALLSET_ACTION_DOWNLOAD,
  /* Upload the local file (missing chunks, then commit put with
   * base_revision: 0 means "new"). With replace: delete the remote
   * directory first in the same commit. Then base_put state UPLOADED,
   * then verify (hash = file id, receipt) → VERIFIED. */
  ALLSET_ACTION_UPLOAD,
  /* Both sides already agree: write base from action->local (stat data)
   * and action->remote (revision, file id); nothing is transferred. Keep
   * the state VERIFIED if base was verified for the same file id,
   * otherwise UPLOADED, to be verified like an upload. */
  ALLSET_ACTION_RECORD_BASE,
  /* Both sides deleted it: base_delete (path only). */
  ALLSET_ACTION_FORGET_BASE,
  /* Move the local path to the OS trash (a directory: only if it holds
   * nothing but what base knows, unchanged, and ignored files), then
   * base_delete with its subtree. */
  ALLSET_ACTION_DELETE_LOCAL,
  /* Commit {"op": "delete", path, base_revision} (to the server's trash),
   * then base_delete with its subtree. */
  ALLSET_ACTION_DELETE_REMOTE,
} AllsetActionKind;

/* "move-local", "move-remote", "conflict", "mkdir-local", "mkdir-remote",
 * "download", "upload", "record-base", "forget-base", "delete-local",
 * "delete-remote". */
const char *allset_action_kind_to_string (AllsetActionKind kind);

typedef struct
{
  AllsetActionKind   kind;
  char              *path;
  /* MOVE_*: the destination; CONFLICT: the conflict copy's path. */
  char              *to;
  /* For the remote operation: the revision the server must still hold at
   * path (0: "I believe it does not exist"). */
  gint64             base_revision;
  /* Replaces an entry of the other type (see the kinds). */
  gboolean           replace;
  /* Files this action removes on one side (deletions, replacements):
   * a directory counts its files. */
  guint              n_files;
  /* Why, in English, for logs and --dry-run. Static string. */
  const char        *reason;
  /* Copies of the three views at path as the action runs (MOVE_*: at the
   * source; CONFLICT: the local entry before the rename). NULL when
   * absent. */
  AllsetLocalEntry  *local;
  AllsetRemoteEntry *remote;
  AllsetBaseEntry   *base;
} AllsetAction;

void allset_action_free (AllsetAction *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetAction, allset_action_free)

typedef struct
{
  /* AllsetAction, in execution order. */
  GPtrArray *actions;
  /* When needs_delete_confirmation: the deletions (and replacements, and
   * whatever lies below a replaced entry), in order, not to run until the
   * user confirms. Empty otherwise. */
  GPtrArray *held;
  /* AllsetIssue: case clashes between the two sides. Store them with
   * ALLSET_ISSUE_ORIGIN_SYNC. */
  GPtrArray *issues;
  gboolean   needs_delete_confirmation;
  guint      n_local_deletes;    /* files the plan sends to the local trash */
  guint      n_remote_deletes;   /* files it deletes on the server */
  guint      n_base_files;       /* files in base: "the folder" of the rule */
} AllsetPlan;

void allset_plan_free (AllsetPlan *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetPlan, allset_plan_free)

typedef struct
{
  /* path → entry, paths relative to the folder (for remote: below the
   * remote prefix, as allset_journal_snapshot_remote() gives). Borrowed:
   * the plan copies what it keeps. */
  GHashTable         *base;     /* AllsetBaseEntry */
  GHashTable         *local;    /* AllsetLocalEntry (scan result or cache) */
  GHashTable         *remote;   /* AllsetRemoteEntry */
  /* AllsetRemoteMove, oldest first (allset_journal_list_remote_moves());
   * may be NULL. */
  GPtrArray          *remote_moves;
  /* Paths it matches are invisible on every side; may be NULL. */
  const AllsetIgnore *ignore;
  /* For conflict copy names. */
  const char         *device_name;
  GDateTime          *now;
  /* The user confirmed deletions: no holding back. */
  gboolean            confirm_deletes;
  /* base, local and remote may serve as the reconciler's views: it then
   * drops ignored paths from them and renames entries in them as it
   * plans moves, instead of copying the three tables (8 MB over 100 000
   * files). Each must own its entries, keyed by the entry's own path,
   * as the journal's snapshots and the scan result do. Afterwards they
   * hold the tree as the plan will leave it; free them, nothing more. */
  gboolean            views_in_place;
} AllsetReconcileInput;

AllsetPlan *allset_reconcile (const AllsetReconcileInput *input);

G_END_DECLS
