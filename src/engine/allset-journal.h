/* allset-journal.h — what one synced folder remembers (SQLite)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One journal per folder, one SQLite file kept outside the folder (see
 * allset_journal_path_for_folder()). Tables (schema v3, PRAGMA
 * user_version):
 *
 *   base          path → the last state both sides agreed on, its revision
 *                 and verification state
 *   receipts      path → its signed receipt (JSON), apart so that the many
 *                 reads of base that need none stay small (v2); a rowid
 *                 table, which keeps rows of ~1 KB in its leaves (v3)
 *   remote        the server's whole account tree as told by the changes
 *                 feed (account paths: a folder with a remote prefix reads
 *                 its part with allset_journal_snapshot_remote())
 *   remote_moves  moves read from the feed, kept until the sync pass has
 *                 carried them out so they travel as moves
 *   local         the scanner's cache: stat data and file id per path, so a
 *                 rescan of an unchanged tree hashes nothing
 *   local_chunks  chunk id → (path, offset, size): a download reuses chunks
 *                 already on disk
 *   issues        paths the user should hear about (symlinks, bad names…)
 *   meta          key → value: cursor, remote prefix, device name
 *
 * Threads: every function blocks (SQLite, disk) and is thread-safe; call
 * them from worker threads, never from the main loop (DESIGN.md §4.7).
 *
 * Writing rule for callers: record a fact only after it happened and is
 * durable — a base row after the server answered 200 or after the local
 * rename. The journal then never claims a state that is not true; at
 * worst it forgets one, and the next pass finds both sides equal and only
 * records them again (see the synchronous= comment in allset-journal.c).
 */

#pragma once

#include <gio/gio.h>

#include "allset-client-types.h"
#include "allset-journal-entry.h"

G_BEGIN_DECLS

#define ALLSET_JOURNAL_SCHEMA_VERSION 3

/* Keys of allset_journal_get_meta(). */
#define ALLSET_JOURNAL_META_CURSOR        "cursor"
#define ALLSET_JOURNAL_META_REMOTE_PREFIX "remote-prefix"
#define ALLSET_JOURNAL_META_DEVICE_NAME   "device-name"
#define ALLSET_JOURNAL_META_REMOTE_MISSING "remote-missing"

/* Who raised an issue: each producer replaces only its own. */
typedef enum
{
  ALLSET_ISSUE_ORIGIN_SCAN = 1,  /* the scanner (names, symlinks, reads) */
  ALLSET_ISSUE_ORIGIN_SYNC,      /* the reconciler and the transfers */
  ALLSET_ISSUE_ORIGIN_CONFLICT,  /* conflict copies the sync pass made */
} AllsetIssueOrigin;

#define ALLSET_TYPE_JOURNAL (allset_journal_get_type ())
G_DECLARE_FINAL_TYPE (AllsetJournal, allset_journal, ALLSET, JOURNAL, GObject)

/* $XDG_STATE_HOME/allset/journals/NAME-HASH.db for the folder at
 * folder_path (made absolute): NAME is its base name made safe, HASH the
 * first 16 hex digits of the SHA-256 of the absolute path. Never inside
 * the folder, so the journal is never synced nor scanned. */
char          *allset_journal_path_for_folder (const char     *folder_path);

/* Opens or creates the journal at path, creating missing parent
 * directories with mode 0700 and the file with 0600, then brings the
 * schema up to date. Fails on a schema newer than this build knows. */
AllsetJournal *allset_journal_open            (const char     *path,
                                               GError        **error);
const char    *allset_journal_get_path        (AllsetJournal  *self);

/* ─── Transactions ───────────────────────────────────────────────────
 *
 * begin() takes the journal's lock until the matching commit() or
 * rollback(), on the same thread: other threads wait, so a batch (10 000
 * feed entries, a scan's results) is one transaction and one write.
 * Nesting is allowed (savepoints). Every function below runs in its own
 * transaction when none is open. */
gboolean       allset_journal_begin           (AllsetJournal  *self,
                                               GError        **error);
gboolean       allset_journal_commit          (AllsetJournal  *self,
                                               GError        **error);
void           allset_journal_rollback        (AllsetJournal  *self);

/* ─── meta ───────────────────────────────────────────────────────────── */

/* NULL when unset (or on a read error, which is logged). */
char          *allset_journal_get_meta        (AllsetJournal  *self,
                                               const char     *key);
/* value NULL removes the key. */
gboolean       allset_journal_set_meta        (AllsetJournal  *self,
                                               const char     *key,
                                               const char     *value,
                                               GError        **error);
/* The changes-feed cursor; 0 when never synced. */
gint64         allset_journal_get_cursor      (AllsetJournal  *self);
gboolean       allset_journal_set_cursor      (AllsetJournal  *self,
                                               gint64          cursor,
                                               GError        **error);

/* ─── remote (allset-journal-remote.c) ──────────────────────────────── */

/* Applies one feed entry (account paths):
 *   PUT    upserts a file (a directory that stood there goes, subtree too)
 *   MKDIR  upserts a directory
 *   DELETE removes the path and its subtree
 *   MOVE   renames the path and its subtree (the target's old subtree
 *          goes), gives the moved entry the change's revision (the server
 *          keeps the descendants' revisions) and records the move in
 *          remote_moves
 * Idempotent, so replaying a feed from an older cursor is harmless: a move
 * whose source is gone, a delete of nothing, change nothing. Parents are
 * not invented: the server sends a MKDIR for every directory it makes. */
gboolean       allset_journal_apply_change    (AllsetJournal       *self,
                                               const AllsetChange  *change,
                                               GError             **error);
/* Applies changes (AllsetChange, oldest first) and stores cursor, in one
 * transaction: the cursor can never run ahead of the tree it stands for. */
gboolean       allset_journal_apply_changes   (AllsetJournal       *self,
                                               GPtrArray           *changes,
                                               gint64               cursor,
                                               GError             **error);
/* NULL when absent (error unset) or on error (error set). */
AllsetRemoteEntry *allset_journal_remote_get  (AllsetJournal       *self,
                                               const char          *path,
                                               GError             **error);
/* The remote tree below prefix ("" = the whole account; otherwise the
 * folder's remote directory, not included), paths made relative to it:
 * path (char *) → AllsetRemoteEntry, owned by the table. like_base (may
 * be NULL): the base snapshot, whose strings an entry shares when equal
 * (allset-journal-entry.h). */
GHashTable    *allset_journal_snapshot_remote (AllsetJournal       *self,
                                               const char          *prefix,
                                               GHashTable          *like_base,
                                               GError             **error);
/* Recorded moves, oldest first, with both ends below prefix and made
 * relative to it (a move across the prefix is a delete plus a creation
 * for this folder and is left out); *max_seq (may be NULL) receives the
 * highest seq recorded, for allset_journal_clear_remote_moves(). */
GPtrArray     *allset_journal_list_remote_moves (AllsetJournal     *self,
                                                 const char        *prefix,
                                                 gint64            *max_seq,
                                                 GError           **error);
/* Forgets the moves up to seq once the pass that saw them has run
 * (carried out or not: a move not carried out was turned into a delete
 * plus a creation by the reconciler). */
gboolean       allset_journal_clear_remote_moves (AllsetJournal    *self,
                                                  gint64            up_to_seq,
                                                  GError          **error);
/* Empties remote and remote_moves and sets the cursor to 0: the next feed
 * read rebuilds the server's tree from the beginning. */
gboolean       allset_journal_reset_remote    (AllsetJournal       *self,
                                               GError             **error);

/* ─── base ───────────────────────────────────────────────────────────── */

/* NULL when absent (error unset) or on error (error set). */
AllsetBaseEntry *allset_journal_base_get      (AllsetJournal          *self,
                                               const char             *path,
                                               GError                **error);
/* Inserts or replaces the row of entry->path. */
gboolean       allset_journal_base_put        (AllsetJournal          *self,
                                               const AllsetBaseEntry  *entry,
                                               GError                **error);
/* Removes path, and with subtree everything below it. */
gboolean       allset_journal_base_delete     (AllsetJournal          *self,
                                               const char             *path,
                                               gboolean                subtree,
                                               GError                **error);
/* Renames path and its subtree (after a move was carried out); rows
 * already at the target are replaced. */
gboolean       allset_journal_base_rename     (AllsetJournal          *self,
                                               const char             *from,
                                               const char             *to,
                                               GError                **error);
/* Moves one file along pending → uploaded → verified. receipt_json may be
 * NULL (kept as is); verified_at is set when state is VERIFIED. FALSE with
 * G_IO_ERROR_NOT_FOUND if path is not in base. */
gboolean       allset_journal_base_set_state  (AllsetJournal          *self,
                                               const char             *path,
                                               AllsetFileState         state,
                                               const char             *receipt_json,
                                               GError                **error);
/* path (char *) → AllsetBaseEntry, owned by the table. Receipts (a few
 * hundred bytes of JSON each) only when asked: a sync pass has no use for
 * them, and they were most of its memory and time at 10 000 files.
 * like_local (may be NULL): path → AllsetLocalEntry (a scan result),
 * whose strings an entry shares when equal (allset-journal-entry.h). */
GHashTable    *allset_journal_snapshot_base   (AllsetJournal          *self,
                                               gboolean                with_receipts,
                                               GHashTable             *like_local,
                                               GError                **error);
/* Sum of the base files' sizes: what is already on the disk. */
gboolean       allset_journal_base_total_size (AllsetJournal          *self,
                                               guint64                *total,
                                               GError                **error);
/* Number of base files in each state; counts[ALLSET_FILE_PENDING] etc.
 * (index 0 unused). */
gboolean       allset_journal_base_count_states (AllsetJournal        *self,
                                                 guint                 counts[4],
                                                 GError              **error);

/* ─── local cache and chunks (allset-journal-local.c) ─────────────────
 *
 * Written by the scanner; the executor keeps it true after it changes
 * the disk itself (a download: local_put with the chunks it wrote, so the
 * next scan hashes nothing; a local move: local_rename). */

/* Inserts or replaces entry->path. chunks (AllsetLocalChunk, in file
 * order) replaces the file's recorded chunks; an empty array removes them
 * (the file is no longer a chunk source); NULL keeps them, for an entry
 * whose content did not change (only its execute bit, say). */
gboolean       allset_journal_local_put       (AllsetJournal          *self,
                                               const AllsetLocalEntry *entry,
                                               GArray                 *chunks,
                                               GError                **error);
/* allset_journal_local_put() of n entries (and their chunks, each as
 * there), all or none, in one transaction. */
gboolean       allset_journal_local_put_many  (AllsetJournal                 *self,
                                               const AllsetLocalEntry * const *entries,
                                               GArray * const                *chunks,
                                               guint                          n,
                                               GError                       **error);
/* NULL when absent (error unset) or on error (error set). */
AllsetLocalEntry *allset_journal_local_get    (AllsetJournal          *self,
                                               const char             *path,
                                               GError                **error);
gboolean       allset_journal_local_delete    (AllsetJournal          *self,
                                               const char             *path,
                                               gboolean                subtree,
                                               GError                **error);
gboolean       allset_journal_local_rename    (AllsetJournal          *self,
                                               const char             *from,
                                               const char             *to,
                                               GError                **error);
/* The cached entries at prefix and below ("" = all): path (char *) →
 * AllsetLocalEntry, owned by the table. This is the local map for the
 * reconciler between two full scans. */
GHashTable    *allset_journal_snapshot_local  (AllsetJournal          *self,
                                               const char             *prefix,
                                               GError                **error);
/* The chunks recorded for path, in file order (AllsetLocalChunk); empty
 * when none. Valid only while the file's stat data equals the cached
 * entry's. */
GArray        *allset_journal_local_chunks    (AllsetJournal          *self,
                                               const char             *path,
                                               GError                **error);
/* Where chunk id can be read locally: AllsetChunkLocation, possibly none.
 * Hints only: see AllsetChunkLocation. */
GPtrArray     *allset_journal_find_chunk      (AllsetJournal          *self,
                                               const AllsetHash       *id,
                                               GError                **error);

/* ─── issues (allset-journal-local.c) ───────────────────────────────── */

/* Replaces origin's issues at prefix and below ("" = all of them) with
 * issues (AllsetIssue; NULL = none). */
gboolean       allset_journal_replace_issues  (AllsetJournal          *self,
                                               AllsetIssueOrigin       origin,
                                               const char             *prefix,
                                               GPtrArray              *issues,
                                               GError                **error);
/* Every issue, sorted by path: AllsetIssue. */
GPtrArray     *allset_journal_list_issues     (AllsetJournal          *self,
                                               GError                **error);

G_END_DECLS
