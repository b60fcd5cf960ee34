/* allset-journal-base.c — the base: what was last in sync, and its verification state
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "allset-journal-private.h"

/* The receipts live in a table of their own (journal schema 2): most
 * reads of the base need none of them. base_from_row() reads both forms. */
#define BASE_COLUMNS \
  "path, type, file_id, size, mtime_ns, executable, revision, inode, dev, " \
  "state, verified_at"
#define BASE_SELECT_WITH_RECEIPT \
  "SELECT b.path, b.type, b.file_id, b.size, b.mtime_ns, b.executable, b.revision, " \
  "b.inode, b.dev, b.state, r.receipt, b.verified_at " \
  "FROM base AS b LEFT JOIN receipts AS r ON r.path = b.path"
#define BASE_SELECT_NO_RECEIPT \
  "SELECT path, type, file_id, size, mtime_ns, executable, revision, inode, dev, " \
  "state, NULL, verified_at FROM base"

/* like: the local entry at the same path, whose strings the row shares
 * when equal; may be NULL. */
static AllsetBaseEntry *
base_from_row_like (sqlite3_stmt           *stmt,
                    const AllsetLocalEntry *like)
{
  AllsetBaseEntry *entry = g_new0 (AllsetBaseEntry, 1);

  entry->path = journal_column_entry_string (stmt, 0, like != NULL ? like->path : NULL);
  entry->type = allset_entry_type_from_string ((const char *) sqlite3_column_text (stmt, 1));
  entry->file_id = journal_column_entry_string (stmt, 2, like != NULL ? like->file_id : NULL);
  entry->size = sqlite3_column_int64 (stmt, 3);
  entry->mtime_ns = sqlite3_column_int64 (stmt, 4);
  entry->executable = sqlite3_column_int (stmt, 5) != 0;
  entry->revision = sqlite3_column_int64 (stmt, 6);
  /* Stored as the signed 64-bit pattern of the unsigned value. */
  entry->inode = (guint64) sqlite3_column_int64 (stmt, 7);
  entry->dev = (guint64) sqlite3_column_int64 (stmt, 8);
  entry->state = allset_file_state_from_string ((const char *) sqlite3_column_text (stmt, 9));
  entry->receipt = journal_column_entry_string (stmt, 10, NULL);
  entry->verified_at = sqlite3_column_int64 (stmt, 11);
  return entry;
}

static AllsetBaseEntry *
base_from_row (sqlite3_stmt *stmt)
{
  return base_from_row_like (stmt, NULL);
}

AllsetBaseEntry *
allset_journal_base_get (AllsetJournal  *self,
                         const char     *path,
                         GError        **error)
{
  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  return allset_journal_get_by_path (self, BASE_SELECT_WITH_RECEIPT " WHERE b.path = ?",
                                     path, (JournalRowFunc) base_from_row, "base", error);
}

/* The row's receipt: replaced by receipt, or (replace_null) removed
 * with it when receipt is NULL, as one row of base would have been. */
static gboolean
put_receipt (AllsetJournal  *self,
             const char     *path,
             const char     *receipt,
             gboolean        replace_null,
             GError        **error)
{
  JournalStmt *stmt;

  if (receipt == NULL && !replace_null)
    return TRUE;
  stmt = allset_journal_stmt (self,
                              receipt != NULL
                              ? "INSERT OR REPLACE INTO receipts (path, receipt) VALUES (?1, ?2)"
                              : "DELETE FROM receipts WHERE path = ?1",
                              error);
  if (stmt == NULL)
    return FALSE;
  journal_bind_text (stmt, 1, path);
  if (receipt != NULL)
    journal_bind_text (stmt, 2, receipt);
  return allset_journal_step_done (self, stmt, "receipts", error);
}

gboolean
allset_journal_base_put (AllsetJournal          *self,
                         const AllsetBaseEntry  *entry,
                         GError                **error)
{
  g_autoptr(JournalLocker) locker = NULL;
  JournalStmt *stmt;

  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), FALSE);
  g_return_val_if_fail (entry != NULL && entry->path != NULL && entry->path[0] != '\0', FALSE);
  g_return_val_if_fail (entry->type == ALLSET_ENTRY_FILE || entry->type == ALLSET_ENTRY_DIR, FALSE);
  g_return_val_if_fail (entry->state >= ALLSET_FILE_PENDING && entry->state <= ALLSET_FILE_VERIFIED, FALSE);

  locker = journal_locker_new (self);
  if (!allset_journal_begin (self, error))
    return FALSE;
  stmt = allset_journal_stmt (self,
                              "INSERT OR REPLACE INTO base (" BASE_COLUMNS ") "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                              error);
  if (stmt == NULL)
    goto fail;
  journal_bind_text (stmt, 1, entry->path);
  journal_bind_text (stmt, 2, allset_entry_type_to_string (entry->type));
  journal_bind_text (stmt, 3, entry->type == ALLSET_ENTRY_FILE ? entry->file_id : NULL);
  sqlite3_bind_int64 (stmt, 4, entry->size);
  sqlite3_bind_int64 (stmt, 5, entry->mtime_ns);
  sqlite3_bind_int (stmt, 6, entry->executable ? 1 : 0);
  sqlite3_bind_int64 (stmt, 7, entry->revision);
  sqlite3_bind_int64 (stmt, 8, (gint64) entry->inode);
  sqlite3_bind_int64 (stmt, 9, (gint64) entry->dev);
  journal_bind_text (stmt, 10, allset_file_state_to_string (entry->state));
  sqlite3_bind_int64 (stmt, 11, entry->verified_at);
  if (!allset_journal_step_done (self, stmt, "base", error) ||
      !put_receipt (self, entry->path, entry->receipt, TRUE, error))
    goto fail;
  return allset_journal_commit (self, error);

fail:
  allset_journal_rollback (self);
  return FALSE;
}

/* Each table's: everything, a subtree, one path. */
static const char * const delete_sql[][3] = {
  { "DELETE FROM base", "DELETE FROM base WHERE " JOURNAL_SUBTREE ("path", "1"),
    "DELETE FROM base WHERE path = ?1" },
  { "DELETE FROM receipts", "DELETE FROM receipts WHERE " JOURNAL_SUBTREE ("path", "1"),
    "DELETE FROM receipts WHERE path = ?1" },
};

gboolean
allset_journal_base_delete (AllsetJournal  *self,
                            const char     *path,
                            gboolean        subtree,
                            GError        **error)
{
  g_autoptr(JournalLocker) locker = NULL;

  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (path[0] == '\0' && !subtree)
    return TRUE;

  locker = journal_locker_new (self);
  if (!allset_journal_begin (self, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (delete_sql); i++)
    {
      JournalStmt *stmt = allset_journal_stmt (self, delete_sql[i][path[0] == '\0' ? 0 : subtree ? 1 : 2],
                                               error);

      if (stmt == NULL)
        goto fail;
      if (path[0] != '\0')
        journal_bind_text (stmt, 1, path);
      if (!allset_journal_step_done (self, stmt, "base", error))
        goto fail;
    }
  return allset_journal_commit (self, error);

fail:
  allset_journal_rollback (self);
  return FALSE;
}

gboolean
allset_journal_base_rename (AllsetJournal  *self,
                            const char     *from,
                            const char     *to,
                            GError        **error)
{
  g_autoptr(JournalLocker) locker = NULL;

  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), FALSE);
  g_return_val_if_fail (from != NULL && to != NULL, FALSE);

  locker = journal_locker_new (self);
  if (!allset_journal_begin (self, error))
    return FALSE;
  if (!allset_journal_rename_rows (self, "base", from, to, error) ||
      !allset_journal_rename_rows (self, "receipts", from, to, error))
    {
      allset_journal_rollback (self);
      return FALSE;
    }
  return allset_journal_commit (self, error);
}

gboolean
allset_journal_base_set_state (AllsetJournal    *self,
                               const char       *path,
                               AllsetFileState   state,
                               const char       *receipt_json,
                               GError          **error)
{
  g_autoptr(JournalLocker) locker = NULL;
  JournalStmt *stmt;

  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (state >= ALLSET_FILE_PENDING && state <= ALLSET_FILE_VERIFIED, FALSE);

  locker = journal_locker_new (self);
  if (!allset_journal_begin (self, error))
    return FALSE;
  stmt = allset_journal_stmt (self,
                              "UPDATE base SET state = ?2, "
                              "verified_at = CASE WHEN ?2 = 'verified' THEN ?3 ELSE 0 END "
                              "WHERE path = ?1",
                              error);
  if (stmt == NULL)
    goto fail;
  journal_bind_text (stmt, 1, path);
  journal_bind_text (stmt, 2, allset_file_state_to_string (state));
  sqlite3_bind_int64 (stmt, 3, g_get_real_time () / G_USEC_PER_SEC);
  if (!allset_journal_step_done (self, stmt, "base", error))
    goto fail;
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "“%s” is not in the journal", path);
      goto fail;
    }
  /* A NULL receipt keeps the one there is. */
  if (!put_receipt (self, path, receipt_json, FALSE, error))
    goto fail;
  return allset_journal_commit (self, error);

fail:
  allset_journal_rollback (self);
  return FALSE;
}

GHashTable *
allset_journal_snapshot_base (AllsetJournal  *self,
                              gboolean        with_receipts,
                              GHashTable     *like_local,
                              GError        **error)
{
  g_autoptr(JournalLocker) locker = NULL;
  g_autoptr(JournalStmt) stmt = NULL;
  g_autoptr(GHashTable) table = NULL;
  int rc;

  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), NULL);

  locker = journal_locker_new (self);
  stmt = allset_journal_stmt (self,
                              with_receipts ? BASE_SELECT_WITH_RECEIPT : BASE_SELECT_NO_RECEIPT,
                              error);
  if (stmt == NULL)
    return NULL;

  /* The key is the entry's own path: one string per row, not two. */
  table = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                 (GDestroyNotify) allset_base_entry_free);
  journal_snapshot_cache (self, TRUE);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const AllsetLocalEntry *like = NULL;
      AllsetBaseEntry *entry;

      if (like_local != NULL)
        like = g_hash_table_lookup (like_local, sqlite3_column_text (stmt, 0));
      entry = base_from_row_like (stmt, like);
      g_hash_table_replace (table, entry->path, entry);
    }
  journal_snapshot_cache (self, FALSE);
  if (rc != SQLITE_DONE)
    {
      allset_journal_sqlite_error (self, rc, "base", error);
      return NULL;
    }
  return g_steal_pointer (&table);
}

gboolean
allset_journal_base_total_size (AllsetJournal  *self,
                                guint64        *total,
                                GError        **error)
{
  g_autoptr(JournalLocker) locker = NULL;
  g_autoptr(JournalStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), FALSE);
  g_return_val_if_fail (total != NULL, FALSE);

  locker = journal_locker_new (self);
  stmt = allset_journal_stmt (self, "SELECT coalesce (sum (size), 0) FROM base WHERE type = 'file'", error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      allset_journal_sqlite_error (self, rc, "base", error);
      return FALSE;
    }
  *total = (guint64) MAX (sqlite3_column_int64 (stmt, 0), 0);
  return TRUE;
}

gboolean
allset_journal_base_count_states (AllsetJournal  *self,
                                  guint           counts[4],
                                  GError        **error)
{
  g_autoptr(JournalLocker) locker = NULL;
  g_autoptr(JournalStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), FALSE);

  memset (counts, 0, 4 * sizeof (guint));
  locker = journal_locker_new (self);
  /* Sums in one pass: a GROUP BY sorted the whole table first. */
  stmt = allset_journal_stmt (self,
                              "SELECT coalesce (sum (state = 'pending'), 0), "
                              "coalesce (sum (state = 'uploaded'), 0), "
                              "coalesce (sum (state = 'verified'), 0) "
                              "FROM base WHERE type = 'file'",
                              error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return allset_journal_sqlite_error (self, rc, "base", error);
  counts[ALLSET_FILE_PENDING] = sqlite3_column_int (stmt, 0);
  counts[ALLSET_FILE_UPLOADED] = sqlite3_column_int (stmt, 1);
  counts[ALLSET_FILE_VERIFIED] = sqlite3_column_int (stmt, 2);
  return TRUE;
}
