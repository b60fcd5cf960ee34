/* allset-store-shares.c — public share links in the metadata database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A share names a path of its owner's tree, resolved at every access so a
 * link always serves the latest version (issue #5). Tokens are never stored:
 * the routes hand the SHA-256 of a token, and lookups go by that hash.
 */

#include "allset-store-private.h"

#define SHARE_COLUMNS ALLSET_STORE_SHARE_COLUMNS

void
allset_share_free (AllsetShare *share)
{
  if (share == NULL)
    return;
  g_free (share->path);
  g_free (share->token_prefix);
  g_free (share->password_hash);
  g_free (share->suspended_reason);
  g_free (share);
}

static AllsetShare *
share_from_row (sqlite3_stmt *stmt)
{
  AllsetShare *share = g_new0 (AllsetShare, 1);

  share->id = sqlite3_column_int64 (stmt, 0);
  share->account_id = sqlite3_column_int64 (stmt, 1);
  share->path = allset_store_column_strdup (stmt, 2);
  share->type = sqlite3_column_int (stmt, 3) == ALLSET_NODE_DIR ? ALLSET_NODE_DIR : ALLSET_NODE_FILE;
  share->token_prefix = allset_store_column_strdup (stmt, 4);
  share->created_at = sqlite3_column_int64 (stmt, 5);
  share->expires_at = sqlite3_column_int64 (stmt, 6);  /* NULL reads as 0 */
  share->password_hash = allset_store_column_strdup (stmt, 7);
  share->max_downloads = sqlite3_column_int64 (stmt, 8);
  share->downloads = sqlite3_column_int64 (stmt, 9);
  share->revoked = sqlite3_column_int (stmt, 10) != 0;
  share->suspended_at = sqlite3_column_int64 (stmt, 11);
  share->suspended_reason = allset_store_column_strdup (stmt, 12);
  return share;
}

AllsetShare *
allset_store_share_from_row (sqlite3_stmt *stmt)
{
  return share_from_row (stmt);
}

gint64
allset_store_share_add (AllsetStore       *self,
                        const AllsetShare *share,
                        const AllsetHash  *token_hash,
                        GError           **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  StoreStmt *stmt;

  g_return_val_if_fail (ALLSET_IS_STORE (self), 0);
  g_return_val_if_fail (share != NULL && token_hash != NULL, 0);

  locker = g_mutex_locker_new (&self->mutex);
  stmt = allset_store_stmt (self,
                            "INSERT INTO shares (account_id, path, kind, token_hash, token_prefix,"
                            " created_at, expires_at, password_hash, max_downloads)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, share->account_id);
  sqlite3_bind_text (stmt, 2, share->path, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 3, share->type);
  store_bind_hash (stmt, 4, token_hash);
  sqlite3_bind_text (stmt, 5, share->token_prefix, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, share->created_at);
  if (share->expires_at > 0)
    sqlite3_bind_int64 (stmt, 7, share->expires_at);
  else
    sqlite3_bind_null (stmt, 7);
  if (share->password_hash != NULL)
    sqlite3_bind_text (stmt, 8, share->password_hash, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 8);
  sqlite3_bind_int64 (stmt, 9, MAX (share->max_downloads, 0));
  if (!allset_store_step_done (self, stmt, "share add", error))
    return 0;
  return sqlite3_last_insert_rowid (self->db);
}

GPtrArray *
allset_store_share_list (AllsetStore  *self,
                         gint64        account_id,
                         GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(StoreStmt) stmt = NULL;
  g_autoptr(GPtrArray) shares = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_share_free);
  int rc;

  g_return_val_if_fail (ALLSET_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->mutex);
  stmt = allset_store_stmt (self,
                            "SELECT " SHARE_COLUMNS " FROM shares"
                            " WHERE account_id = ? AND revoked = 0 ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (shares, share_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      allset_store_sqlite_error (self, rc, "share list", error);
      return NULL;
    }
  return g_steal_pointer (&shares);
}

AllsetShare *
allset_store_share_by_token (AllsetStore      *self,
                             const AllsetHash *token_hash)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(StoreStmt) stmt = NULL;

  g_return_val_if_fail (ALLSET_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->mutex);
  stmt = allset_store_stmt (self, "SELECT " SHARE_COLUMNS " FROM shares WHERE token_hash = ?", NULL);
  if (stmt == NULL)
    return NULL;
  store_bind_hash (stmt, 1, token_hash);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return share_from_row (stmt);
}

AllsetShare *
allset_store_share_get (AllsetStore  *self,
                        gint64        account_id,
                        gint64        share_id,
                        GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(StoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (ALLSET_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->mutex);
  stmt = allset_store_stmt (self,
                            "SELECT " SHARE_COLUMNS " FROM shares"
                            " WHERE id = ? AND account_id = ? AND revoked = 0", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, share_id);
  sqlite3_bind_int64 (stmt, 2, account_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return share_from_row (stmt);
  if (rc != SQLITE_DONE)
    allset_store_sqlite_error (self, rc, "share get", error);
  return NULL;
}

gboolean
allset_store_share_revoke (AllsetStore *self,
                           gint64       account_id,
                           gint64       share_id)
{
  g_autoptr(GMutexLocker) locker = NULL;
  StoreStmt *stmt;

  g_return_val_if_fail (ALLSET_IS_STORE (self), FALSE);

  locker = g_mutex_locker_new (&self->mutex);
  stmt = allset_store_stmt (self,
                            "UPDATE shares SET revoked = 1"
                            " WHERE id = ? AND account_id = ? AND revoked = 0", NULL);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, share_id);
  sqlite3_bind_int64 (stmt, 2, account_id);
  if (!allset_store_step_done (self, stmt, "share revoke", NULL))
    return FALSE;
  return sqlite3_changes (self->db) == 1;
}

gboolean
allset_store_share_count_download (AllsetStore *self,
                                   gint64       share_id,
                                   gint64       now)
{
  g_autoptr(GMutexLocker) locker = NULL;
  StoreStmt *stmt;

  g_return_val_if_fail (ALLSET_IS_STORE (self), FALSE);

  locker = g_mutex_locker_new (&self->mutex);
  stmt = allset_store_stmt (self,
                            "UPDATE shares SET downloads = downloads + 1"
                            " WHERE id = ? AND revoked = 0 AND suspended_at IS NULL"
                            " AND (expires_at IS NULL OR expires_at > ?)"
                            " AND (max_downloads = 0 OR downloads < max_downloads)", NULL);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, share_id);
  sqlite3_bind_int64 (stmt, 2, now);
  if (!allset_store_step_done (self, stmt, "share download", NULL))
    return FALSE;
  return sqlite3_changes (self->db) == 1;
}
