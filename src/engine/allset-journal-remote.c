/* allset-journal-remote.c — the server's tree as told by the changes feed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "allset-journal-private.h"

#define REMOTE_COLUMNS "path, type, revision, file_id, size, mtime, executable"

static gboolean
remote_upsert (AllsetJournal       *self,
               const AllsetChange  *change,
               GError             **error)
{
  gboolean is_file = change->op == ALLSET_CHANGE_PUT;
  JournalStmt *stmt;

  /* A file replaces whatever stood there, a directory's subtree too. A
   * directory over a directory keeps its children. */
  if (is_file)
    {
      stmt = allset_journal_stmt (self, "DELETE FROM remote WHERE " JOURNAL_BELOW ("path", "1"), error);
      if (stmt == NULL)
        return FALSE;
      journal_bind_text (stmt, 1, change->path);
      if (!allset_journal_step_done (self, stmt, "remote", error))
        return FALSE;
    }

  stmt = allset_journal_stmt (self,
                              "INSERT OR REPLACE INTO remote (" REMOTE_COLUMNS ") "
                              "VALUES (?, ?, ?, ?, ?, ?, ?)",
                              error);
  if (stmt == NULL)
    return FALSE;
  journal_bind_text (stmt, 1, change->path);
  journal_bind_text (stmt, 2, is_file ? "file" : "dir");
  sqlite3_bind_int64 (stmt, 3, change->revision);
  journal_bind_text (stmt, 4, is_file ? change->file_id : NULL);
  sqlite3_bind_int64 (stmt, 5, is_file ? (gint64) change->size : 0);
  sqlite3_bind_int64 (stmt, 6, is_file ? change->mtime : 0);
  sqlite3_bind_int (stmt, 7, is_file && change->executable ? 1 : 0);
  return allset_journal_step_done (self, stmt, "remote", error);
}

static gboolean
remote_delete (AllsetJournal  *self,
               const char     *path,
               GError        **error)
{
  JournalStmt *stmt = allset_journal_stmt (self, "DELETE FROM remote WHERE " JOURNAL_SUBTREE ("path", "1"), error);

  if (stmt == NULL)
    return FALSE;
  journal_bind_text (stmt, 1, path);
  return allset_journal_step_done (self, stmt, "remote", error);
}

static gboolean
remote_move (AllsetJournal       *self,
             const AllsetChange  *change,
             GError             **error)
{
  g_autoptr(JournalStmt) probe = NULL;
  JournalStmt *stmt;
  int rc;

  /* Replaying an old part of the feed: the source is already gone, and
   * the move must not be recorded twice. */
  probe = allset_journal_stmt (self, "SELECT 1 FROM remote WHERE path = ?", error);
  if (probe == NULL)
    return FALSE;
  journal_bind_text (probe, 1, change->path);
  rc = sqlite3_step (probe);
  allset_journal_stmt_release (probe);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc != SQLITE_ROW)
    return allset_journal_sqlite_error (self, rc, "remote", error);

  if (!allset_journal_rename_rows (self, "remote", change->path, change->to, error))
    return FALSE;

  /* The server gives the moved entry the move's revision and keeps the
   * revisions of everything below it. */
  stmt = allset_journal_stmt (self, "UPDATE remote SET revision = ?2 WHERE path = ?1", error);
  if (stmt == NULL)
    return FALSE;
  journal_bind_text (stmt, 1, change->to);
  sqlite3_bind_int64 (stmt, 2, change->revision);
  if (!allset_journal_step_done (self, stmt, "remote", error))
    return FALSE;

  stmt = allset_journal_stmt (self,
                              "INSERT OR REPLACE INTO remote_moves (seq, from_path, to_path) "
                              "VALUES (?, ?, ?)",
                              error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, change->seq);
  journal_bind_text (stmt, 2, change->path);
  journal_bind_text (stmt, 3, change->to);
  return allset_journal_step_done (self, stmt, "remote_moves", error);
}

static gboolean
check_change (const AllsetChange  *change,
              GError             **error)
{
  const char *problem = NULL;

  if (change->path == NULL || change->path[0] == '\0')
    problem = "no path";
  else if (change->op == ALLSET_CHANGE_MOVE &&
           (change->to == NULL || change->to[0] == '\0' ||
            allset_path_has_prefix (change->to, change->path)))
    problem = "a bad move target";
  else if (change->op == ALLSET_CHANGE_PUT && change->file_id == NULL)
    problem = "no file id";
  else if (change->op > ALLSET_CHANGE_DELETE)
    problem = "an unknown operation";

  if (problem == NULL)
    return TRUE;

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "Change %" G_GINT64_FORMAT " of the feed has %s", change->seq, problem);
  return FALSE;
}

gboolean
allset_journal_apply_change (AllsetJournal       *self,
                             const AllsetChange  *change,
                             GError             **error)
{
  g_autoptr(JournalLocker) locker = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), FALSE);
  g_return_val_if_fail (change != NULL, FALSE);

  if (!check_change (change, error))
    return FALSE;

  locker = journal_locker_new (self);
  if (!allset_journal_begin (self, error))
    return FALSE;

  switch (change->op)
    {
    case ALLSET_CHANGE_PUT:
    case ALLSET_CHANGE_MKDIR:
      ok = remote_upsert (self, change, error);
      break;
    case ALLSET_CHANGE_DELETE:
      ok = remote_delete (self, change->path, error);
      break;
    case ALLSET_CHANGE_MOVE:
      ok = remote_move (self, change, error);
      break;
    default:
      g_assert_not_reached ();
    }

  if (!ok)
    {
      allset_journal_rollback (self);
      return FALSE;
    }
  return allset_journal_commit (self, error);
}

gboolean
allset_journal_apply_changes (AllsetJournal  *self,
                              GPtrArray      *changes,
                              gint64          cursor,
                              GError        **error)
{
  g_autoptr(JournalLocker) locker = NULL;

  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), FALSE);
  g_return_val_if_fail (changes != NULL, FALSE);

  locker = journal_locker_new (self);
  if (!allset_journal_begin (self, error))
    return FALSE;

  for (guint i = 0; i < changes->len; i++)
    {
      if (!allset_journal_apply_change (self, g_ptr_array_index (changes, i), error))
        goto fail;
    }
  if (!allset_journal_set_cursor (self, cursor, error))
    goto fail;
  return allset_journal_commit (self, error);

fail:
  allset_journal_rollback (self);
  return FALSE;
}

/* strip: bytes of the prefix to drop from the path; like: the base
 * entry at the resulting path, whose strings the row shares when equal
 * (may be NULL). */
static AllsetRemoteEntry *
remote_from_row (sqlite3_stmt          *stmt,
                 gsize                  strip,
                 const AllsetBaseEntry *like)
{
  AllsetRemoteEntry *entry = g_new0 (AllsetRemoteEntry, 1);
  const char *path = (const char *) sqlite3_column_text (stmt, 0) + strip;

  if (like != NULL && strcmp (like->path, path) == 0)
    entry->path = allset_entry_string_acquire (like->path);
  else
    entry->path = allset_entry_string (path);
  entry->type = allset_entry_type_from_string ((const char *) sqlite3_column_text (stmt, 1));
  entry->revision = sqlite3_column_int64 (stmt, 2);
  entry->file_id = journal_column_entry_string (stmt, 3, like != NULL ? like->file_id : NULL);
  entry->size = sqlite3_column_int64 (stmt, 4);
  entry->mtime = sqlite3_column_int64 (stmt, 5);
  entry->executable = sqlite3_column_int (stmt, 6) != 0;
  return entry;
}

static gpointer
remote_from_whole_row (JournalStmt *stmt)
{
  return remote_from_row (stmt, 0, NULL);
}

AllsetRemoteEntry *
allset_journal_remote_get (AllsetJournal  *self,
                           const char     *path,
                           GError        **error)
{
  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  return allset_journal_get_by_path (self, "SELECT " REMOTE_COLUMNS " FROM remote WHERE path = ?",
                                     path, remote_from_whole_row, "remote", error);
}

GHashTable *
allset_journal_snapshot_remote (AllsetJournal  *self,
                                const char     *prefix,
                                GHashTable     *like_base,
                                GError        **error)
{
  g_autoptr(JournalLocker) locker = NULL;
  g_autoptr(JournalStmt) stmt = NULL;
  g_autoptr(GHashTable) table = NULL;
  gsize strip;
  int rc;

  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), NULL);
  g_return_val_if_fail (prefix != NULL, NULL);

  locker = journal_locker_new (self);
  if (prefix[0] == '\0')
    stmt = allset_journal_stmt (self, "SELECT " REMOTE_COLUMNS " FROM remote", error);
  else
    stmt = allset_journal_stmt (self,
                                "SELECT " REMOTE_COLUMNS " FROM remote "
                                "WHERE " JOURNAL_BELOW ("path", "1"),
                                error);
  if (stmt == NULL)
    return NULL;
  if (prefix[0] != '\0')
    journal_bind_text (stmt, 1, prefix);

  strip = prefix[0] != '\0' ? strlen (prefix) + 1 : 0;
  table = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                 (GDestroyNotify) allset_remote_entry_free);
  journal_snapshot_cache (self, TRUE);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const AllsetBaseEntry *like = NULL;
      AllsetRemoteEntry *entry;

      if (like_base != NULL)
        like = g_hash_table_lookup (like_base, sqlite3_column_text (stmt, 0) + strip);
      entry = remote_from_row (stmt, strip, like);

      g_hash_table_replace (table, entry->path, entry);
    }
  journal_snapshot_cache (self, FALSE);
  if (rc != SQLITE_DONE)
    {
      allset_journal_sqlite_error (self, rc, "remote", error);
      return NULL;
    }
  return g_steal_pointer (&table);
}

/* path relative to prefix, or NULL when it is not strictly below it. */
static const char *
below_prefix (const char *path,
              const char *prefix)
{
  gsize len = strlen (prefix);

  if (len == 0)
    return path;
  if (strncmp (path, prefix, len) != 0 || path[len] != '/')
    return NULL;
  return path + len + 1;
}

GPtrArray *
allset_journal_list_remote_moves (AllsetJournal  *self,
                                  const char     *prefix,
                                  gint64         *max_seq,
                                  GError        **error)
{
  g_autoptr(JournalLocker) locker = NULL;
  g_autoptr(JournalStmt) stmt = NULL;
  g_autoptr(GPtrArray) moves = NULL;
  gint64 highest = 0;
  int rc;

  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), NULL);
  g_return_val_if_fail (prefix != NULL, NULL);

  locker = journal_locker_new (self);
  stmt = allset_journal_stmt (self,
                              "SELECT seq, from_path, to_path FROM remote_moves ORDER BY seq",
                              error);
  if (stmt == NULL)
    return NULL;

  moves = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_remote_move_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 seq = sqlite3_column_int64 (stmt, 0);
      const char *from = below_prefix ((const char *) sqlite3_column_text (stmt, 1), prefix);
      const char *to = below_prefix ((const char *) sqlite3_column_text (stmt, 2), prefix);

      highest = MAX (highest, seq);
      if (from != NULL && to != NULL)
        g_ptr_array_add (moves, allset_remote_move_new (seq, from, to));
    }
  if (rc != SQLITE_DONE)
    {
      allset_journal_sqlite_error (self, rc, "remote_moves", error);
      return NULL;
    }
  if (max_seq != NULL)
    *max_seq = highest;
  return g_steal_pointer (&moves);
}

gboolean
allset_journal_clear_remote_moves (AllsetJournal  *self,
                                   gint64          up_to_seq,
                                   GError        **error)
{
  g_autoptr(JournalLocker) locker = NULL;
  JournalStmt *stmt;

  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), FALSE);

  locker = journal_locker_new (self);
  stmt = allset_journal_stmt (self, "DELETE FROM remote_moves WHERE seq <= ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, up_to_seq);
  return allset_journal_step_done (self, stmt, "remote_moves", error);
}

gboolean
allset_journal_reset_remote (AllsetJournal  *self,
                             GError        **error)
{
  g_autoptr(JournalLocker) locker = NULL;
  static const char * const sql[] = {
    "DELETE FROM remote",
    "DELETE FROM remote_moves",
  };

  g_return_val_if_fail (ALLSET_IS_JOURNAL (self), FALSE);

  locker = journal_locker_new (self);
  if (!allset_journal_begin (self, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (sql); i++)
    {
      JournalStmt *stmt = allset_journal_stmt (self, sql[i], error);

      if (stmt == NULL || !allset_journal_step_done (self, stmt, "reset", error))
        goto fail;
    }
  if (!allset_journal_set_cursor (self, 0, error))
    goto fail;
  return allset_journal_commit (self, error);

fail:
  allset_journal_rollback (self);
  return FALSE;
}
