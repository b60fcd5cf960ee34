/* allset-journal-local.c — the scanner's cache, local chunks and issues
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "allset-journal-private.h"

#define LOCAL_COLUMNS \
  "path, disk_path, type, size, mtime_ns, executable, inode, dev, file_id, flags"

static const char *
origin_to_string (AllsetIssueOrigin origin)
{
  switch (origin)
    {
    case ALLSET_ISSUE_ORIGIN_SCAN:
      return "scan";
    case ALLSET_ISSUE_ORIGIN_CONFLICT:
      return "conflict";
    case ALLSET_ISSUE_ORIGIN_SYNC:
    default:
      return "sync";
    }
}

static gboolean
delete_chunks (AllsetJournal  *self,
               const char     *path,
               gboolean        subtree,
               GError        **error)
{
  JournalStmt *stmt;

  if (path[0] == '\0' && subtree)
    stmt = allset_journal_stmt (self, "DELETE FROM local_chunks", error);
  else if (subtree)
    stmt = allset_journal_stmt (self, "DELETE FROM local_chunks WHERE " JOURNAL_SUBTREE ("path", "1"), error);
  else
    stmt = allset_journal_stmt (self, "DELETE FROM local_chunks WHERE path = ?1", error);
  if (stmt == NULL)
    return FALSE;
  if (path[0] != '\0' || !subtree)
    journal_bind_text (stmt, 1, path);
  return allset_journal_step_done (self, stmt, "local_chunks", error);
}

/* Entry's row and chunks, inside the caller's transaction. */
static gboolean
write_local (AllsetJournal           *self,
             const AllsetLocalEntry  *entry,
             GArray                  *chunks,
             GError                 **error)
{
  JournalStmt *stmt;

  stmt = allset_journal_stmt (self,
                              "INSERT OR REPLACE INTO local (" LOCAL_COLUMNS ") "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                              error);
  if (stmt == NULL)
    return FALSE;
  journal_bind_text (stmt, 1, entry->path);
  journal_bind_text (stmt, 2, entry->disk_path);
  journal_bind_text (stmt, 3, allset_entry_type_to_string (entry->type));
  sqlite3_bind_int64 (stmt, 4, entry->size);
  sqlite3_bind_int64 (stmt, 5, entry->mtime_ns);
  sqlite3_bind_int (stmt, 6, entry->executable ? 1 : 0);
  sqlite3_bind_int64 (stmt, 7, (gint64) entry->inode);
  sqlite3_bind_int64 (stmt, 8, (gint64) entry->dev);
  journal_bind_text (stmt, 9, entry->file_id);
  sqlite3_bind_int (stmt, 10, entry->flags);
  if (!allset_journal_step_done (self, stmt, "local", error))
    return FALSE;
  if (chunks == NULL)
    return TRUE;
  if (!delete_chunks (self, entry->path, FALSE, error))
    return FALSE;

  for (guint i = 0; i < chunks->len; i++)
    {
      const AllsetLocalChunk *chunk = &g_array_index (chunks, AllsetLocalChunk, i);

      stmt = allset_journal_stmt (self,
                                  "INSERT OR REPLACE INTO local_chunks "
                                  "(path, offset, chunk_id, size, file_size, file_mtime_ns) "
                                  "VALUES (?, ?, ?, ?, ?, ?)",
                                  error);
      if (stmt == NULL)
        return FALSE;
      journal_bind_text (stmt, 1, entry->path);
      sqlite3_bind_int64 (stmt, 2, chunk->offset);
      sqlite3_bind_blob (stmt, 3, chunk->id.bytes, ALLSET_HASH_LEN, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 4, chunk->size);
      sqlite3_bind_int64 (stmt, 5, entry->size);
      sqlite3_bind_int64 (stmt, 6, entry->mtime_ns);
      if (!allset_journal_step_done (self, stmt, "local_chunks", error))
        return FALSE;
    }
  return TRUE;
}

gboolean
allset_journal_local_put (AllsetJournal           *self,
                          const AllsetLocalEntry  *entry,
                          GArray                  *chunks,
                          GError                 **error)
{
  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), FALSE);
  g_return_val_if_fail (entry != NULL && entry->path != NULL && entry->path[0] != '\0', FALSE);

  return allset_journal_local_put_many (self, &entry, &chunks, 1, error);
}

gboolean
allset_journal_local_put_many (AllsetJournal                 *self,
                               const AllsetLocalEntry * const *entries,
                               GArray * const                *chunks,
                               guint                          n,
                               GError                       **error)
{
  g_autoptr(JournalLocker) locker = NULL;

  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), FALSE);
  g_return_val_if_fail (entries != NULL && chunks != NULL, FALSE);
  for (guint i = 0; i < n; i++)
    g_return_val_if_fail (entries[i] != NULL && entries[i]->path != NULL && entries[i]->path[0] != '\0', FALSE);

  locker = journal_locker_new (self);
  if (!allset_journal_begin (self, error))
    return FALSE;
  /* One savepoint (or transaction) for them all: one each cost two more
   * statements per file of a first scan. */
  for (guint i = 0; i < n; i++)
    {
      if (!write_local (self, entries[i], chunks[i], error))
        {
          allset_journal_rollback (self);
          return FALSE;
        }
    }
  return allset_journal_commit (self, error);
}

gboolean
allset_journal_local_delete (AllsetJournal  *self,
                             const char     *path,
                             gboolean        subtree,
                             GError        **error)
{
  g_autoptr(JournalLocker) locker = NULL;
  JournalStmt *stmt;

  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (path[0] == '\0' && !subtree)
    return TRUE;

  locker = journal_locker_new (self);
  if (!allset_journal_begin (self, error))
    return FALSE;

  if (path[0] == '\0')
    stmt = allset_journal_stmt (self, "DELETE FROM local", error);
  else if (subtree)
    stmt = allset_journal_stmt (self, "DELETE FROM local WHERE " JOURNAL_SUBTREE ("path", "1"), error);
  else
    stmt = allset_journal_stmt (self, "DELETE FROM local WHERE path = ?1", error);
  if (stmt == NULL)
    goto fail;
  if (path[0] != '\0')
    journal_bind_text (stmt, 1, path);
  if (!allset_journal_step_done (self, stmt, "local", error) ||
      !delete_chunks (self, path, subtree, error))
    goto fail;
  return allset_journal_commit (self, error);

fail:
  allset_journal_rollback (self);
  return FALSE;
}

gboolean
allset_journal_local_rename (AllsetJournal  *self,
                             const char     *from,
                             const char     *to,
                             GError        **error)
{
  g_autoptr(JournalLocker) locker = NULL;
  g_autofree char *old_disk = NULL;
  JournalStmt *stmt;
  int rc;

  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), FALSE);
  g_return_val_if_fail (from != NULL && to != NULL, FALSE);

  locker = journal_locker_new (self);
  if (!allset_journal_begin (self, error))
    return FALSE;

  stmt = allset_journal_stmt (self, "SELECT coalesce (disk_path, path) FROM local WHERE path = ?", error);
  if (stmt == NULL)
    goto fail;
  journal_bind_text (stmt, 1, from);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    old_disk = journal_column_strdup (stmt, 0);
  allset_journal_stmt_release (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      allset_journal_sqlite_error (self, rc, "local", error);
      goto fail;
    }

  if (!allset_journal_rename_rows (self, "local", from, to, error) ||
      !allset_journal_rename_rows (self, "local_chunks", from, to, error))
    goto fail;

  /* The executor gave the moved entry its NFC name, so that part of the
   * disk path is now the path; names below it did not change on disk. */
  stmt = allset_journal_stmt (self, "UPDATE local SET disk_path = NULL WHERE path = ?1", error);
  if (stmt == NULL)
    goto fail;
  journal_bind_text (stmt, 1, to);
  if (!allset_journal_step_done (self, stmt, "local", error))
    goto fail;
  if (old_disk != NULL)
    {
      stmt = allset_journal_stmt (self,
                                  "UPDATE local SET disk_path = ?1 || substr (disk_path, length (?2) + 1) "
                                  "WHERE disk_path IS NOT NULL AND " JOURNAL_BELOW ("path", "1"),
                                  error);
      if (stmt == NULL)
        goto fail;
      journal_bind_text (stmt, 1, to);
      journal_bind_text (stmt, 2, old_disk);
      if (!allset_journal_step_done (self, stmt, "local", error))
        goto fail;
    }
  return allset_journal_commit (self, error);

fail:
  allset_journal_rollback (self);
  return FALSE;
}

static AllsetLocalEntry *
local_from_row (sqlite3_stmt *stmt)
{
  AllsetLocalEntry *entry = g_new0 (AllsetLocalEntry, 1);

  entry->path = journal_column_entry_string (stmt, 0, NULL);
  entry->disk_path = journal_column_entry_string (stmt, 1, NULL);
  entry->type = allset_entry_type_from_string ((const char *) sqlite3_column_text (stmt, 2));
  entry->size = sqlite3_column_int64 (stmt, 3);
  entry->mtime_ns = sqlite3_column_int64 (stmt, 4);
  entry->executable = sqlite3_column_int (stmt, 5) != 0;
  entry->inode = (guint64) sqlite3_column_int64 (stmt, 6);
  entry->dev = (guint64) sqlite3_column_int64 (stmt, 7);
  entry->file_id = journal_column_entry_string (stmt, 8, NULL);
  entry->flags = sqlite3_column_int (stmt, 9);
  return entry;
}

AllsetLocalEntry *
allset_journal_local_get (AllsetJournal  *self,
                          const char     *path,
                          GError        **error)
{
  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  return allset_journal_get_by_path (self, "SELECT " LOCAL_COLUMNS " FROM local WHERE path = ?",
                                     path, (JournalRowFunc) local_from_row, "local", error);
}

GHashTable *
allset_journal_snapshot_local (AllsetJournal  *self,
                               const char     *prefix,
                               GError        **error)
{
  g_autoptr(JournalLocker) locker = NULL;
  g_autoptr(JournalStmt) stmt = NULL;
  g_autoptr(GHashTable) table = NULL;
  int rc;

  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), NULL);
  g_return_val_if_fail (prefix != NULL, NULL);

  locker = journal_locker_new (self);
  if (prefix[0] == '\0')
    stmt = allset_journal_stmt (self, "SELECT " LOCAL_COLUMNS " FROM local", error);
  else
    stmt = allset_journal_stmt (self,
                                "SELECT " LOCAL_COLUMNS " FROM local WHERE " JOURNAL_SUBTREE ("path", "1"),
                                error);
  if (stmt == NULL)
    return NULL;
  if (prefix[0] != '\0')
    journal_bind_text (stmt, 1, prefix);

  table = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                 (GDestroyNotify) allset_local_entry_free);
  journal_snapshot_cache (self, TRUE);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      AllsetLocalEntry *entry = local_from_row (stmt);

      g_hash_table_replace (table, entry->path, entry);
    }
  journal_snapshot_cache (self, FALSE);
  if (rc != SQLITE_DONE)
    {
      allset_journal_sqlite_error (self, rc, "local", error);
      return NULL;
    }
  return g_steal_pointer (&table);
}

GArray *
allset_journal_local_chunks (AllsetJournal  *self,
                             const char     *path,
                             GError        **error)
{
  g_autoptr(JournalLocker) locker = NULL;
  g_autoptr(JournalStmt) stmt = NULL;
  g_autoptr(GArray) chunks = NULL;
  int rc;

  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  locker = journal_locker_new (self);
  stmt = allset_journal_stmt (self,
                              "SELECT offset, size, chunk_id FROM local_chunks "
                              "WHERE path = ? ORDER BY offset",
                              error);
  if (stmt == NULL)
    return NULL;
  journal_bind_text (stmt, 1, path);

  chunks = g_array_new (FALSE, TRUE, sizeof (AllsetLocalChunk));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      AllsetLocalChunk chunk = { 0 };
      const void *blob = sqlite3_column_blob (stmt, 2);

      if (blob == NULL || sqlite3_column_bytes (stmt, 2) != ALLSET_HASH_LEN)
        continue;
      chunk.offset = sqlite3_column_int64 (stmt, 0);
      chunk.size = sqlite3_column_int64 (stmt, 1);
      memcpy (chunk.id.bytes, blob, ALLSET_HASH_LEN);
      g_array_append_val (chunks, chunk);
    }
  if (rc != SQLITE_DONE)
    {
      allset_journal_sqlite_error (self, rc, "local_chunks", error);
      return NULL;
    }
  return g_steal_pointer (&chunks);
}

GPtrArray *
allset_journal_find_chunk (AllsetJournal     *self,
                           const AllsetHash  *id,
                           GError           **error)
{
  g_autoptr(JournalLocker) locker = NULL;
  g_autoptr(JournalStmt) stmt = NULL;
  g_autoptr(GPtrArray) found = NULL;
  int rc;

  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  locker = journal_locker_new (self);
  stmt = allset_journal_stmt (self,
                              "SELECT c.path, l.disk_path, c.offset, c.size, c.file_size, "
                              "c.file_mtime_ns FROM local_chunks c "
                              "LEFT JOIN local l ON l.path = c.path WHERE c.chunk_id = ?",
                              error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_blob (stmt, 1, id->bytes, ALLSET_HASH_LEN, SQLITE_STATIC);

  found = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_chunk_location_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      AllsetChunkLocation *location = g_new0 (AllsetChunkLocation, 1);

      location->path = journal_column_strdup (stmt, 0);
      location->disk_path = journal_column_strdup (stmt, 1);
      location->offset = sqlite3_column_int64 (stmt, 2);
      location->size = sqlite3_column_int64 (stmt, 3);
      location->file_size = sqlite3_column_int64 (stmt, 4);
      location->file_mtime_ns = sqlite3_column_int64 (stmt, 5);
      g_ptr_array_add (found, location);
    }
  if (rc != SQLITE_DONE)
    {
      allset_journal_sqlite_error (self, rc, "local_chunks", error);
      return NULL;
    }
  return g_steal_pointer (&found);
}

gboolean
allset_journal_replace_issues (AllsetJournal      *self,
                               AllsetIssueOrigin   origin,
                               const char         *prefix,
                               GPtrArray          *issues,
                               GError            **error)
{
  g_autoptr(JournalLocker) locker = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  JournalStmt *stmt;

  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), FALSE);
  g_return_val_if_fail (origin >= ALLSET_ISSUE_ORIGIN_SCAN && origin <= ALLSET_ISSUE_ORIGIN_CONFLICT, FALSE);
  g_return_val_if_fail (prefix != NULL, FALSE);

  locker = journal_locker_new (self);
  if (!allset_journal_begin (self, error))
    return FALSE;

  if (prefix[0] == '\0')
    stmt = allset_journal_stmt (self, "DELETE FROM issues WHERE origin = ?2", error);
  else
    stmt = allset_journal_stmt (self,
                                "DELETE FROM issues WHERE origin = ?2 AND " JOURNAL_SUBTREE ("path", "1"),
                                error);
  if (stmt == NULL)
    goto fail;
  if (prefix[0] != '\0')
    journal_bind_text (stmt, 1, prefix);
  journal_bind_text (stmt, 2, origin_to_string (origin));
  if (!allset_journal_step_done (self, stmt, "issues", error))
    goto fail;

  for (guint i = 0; issues != NULL && i < issues->len; i++)
    {
      const AllsetIssue *issue = g_ptr_array_index (issues, i);

      stmt = allset_journal_stmt (self,
                                  "INSERT OR REPLACE INTO issues (origin, path, kind, message, seen_at) "
                                  "VALUES (?, ?, ?, ?, ?)",
                                  error);
      if (stmt == NULL)
        goto fail;
      journal_bind_text (stmt, 1, origin_to_string (origin));
      journal_bind_text (stmt, 2, issue->path);
      journal_bind_text (stmt, 3, allset_issue_kind_to_string (issue->kind));
      journal_bind_text (stmt, 4, issue->message != NULL ? issue->message : "");
      sqlite3_bind_int64 (stmt, 5, now);
      if (!allset_journal_step_done (self, stmt, "issues", error))
        goto fail;
    }
  return allset_journal_commit (self, error);

fail:
  allset_journal_rollback (self);
  return FALSE;
}

GPtrArray *
allset_journal_list_issues (AllsetJournal  *self,
                            GError        **error)
{
  g_autoptr(JournalLocker) locker = NULL;
  g_autoptr(JournalStmt) stmt = NULL;
  g_autoptr(GPtrArray) issues = NULL;
  int rc;

  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), NULL);

  locker = journal_locker_new (self);
  stmt = allset_journal_stmt (self,
                              "SELECT path, kind, message FROM issues ORDER BY path, kind",
                              error);
  if (stmt == NULL)
    return NULL;

  issues = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_issue_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      AllsetIssueKind kind = allset_issue_kind_from_string ((const char *) sqlite3_column_text (stmt, 1));

      /* A kind from a newer version: not ours to show. */
      if (kind == 0)
        continue;
      g_ptr_array_add (issues, allset_issue_new ((const char *) sqlite3_column_text (stmt, 0), kind,
                                                 (const char *) sqlite3_column_text (stmt, 2)));
    }
  if (rc != SQLITE_DONE)
    {
      allset_journal_sqlite_error (self, rc, "issues", error);
      return NULL;
    }
  return g_steal_pointer (&issues);
}
