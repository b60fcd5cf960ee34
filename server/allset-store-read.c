/* allset-store-read.c — reading the tree: files, listings, versions, changes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "allset-store-private.h"

gboolean
allset_store_load_chunks (AllsetStore       *self,
                          gint64             account_id,
                          const AllsetHash  *file_id,
                          AllsetNode        *node,
                          GError           **error)
{
  g_autoptr(StoreStmt) stmt = NULL;
  int rc;

  stmt = allset_store_stmt (self,
                            "SELECT chunk_id, size FROM file_chunks "
                            "WHERE account_id = ? AND file_id = ? ORDER BY idx",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  store_bind_hash (stmt, 2, file_id);

  node->chunks = g_array_new (FALSE, FALSE, sizeof (AllsetChunkRef));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      AllsetChunkRef ref;

      allset_store_column_hash (stmt, 0, &ref.id);
      ref.size = sqlite3_column_int64 (stmt, 1);
      g_array_append_val (node->chunks, ref);
    }
  if (rc != SQLITE_DONE)
    return allset_store_sqlite_error (self, rc, "file chunks", error);
  return TRUE;
}

/* Both queries below answer these columns, so one reader builds the node. */
enum {
  FILE_TYPE, FILE_REVISION, FILE_ID, FILE_SIZE, FILE_MTIME, FILE_EXECUTABLE,
  FILE_RECEIPT_PATH, FILE_RECEIPT_REVISION, FILE_CREATED_AT, FILE_USERNAME,
  FILE_KEY_ID,   /* and the other ALLSET_STORE_RECEIPT_COLUMNS after it */
};

static const char live_file_sql[] =
  "SELECT n.type, n.revision, n.file_id, n.size, n.mtime, n.executable, "
  "coalesce (v.receipt_path, v.path), v.revision, v.created_at, a.username, "
  ALLSET_STORE_RECEIPT_COLUMNS ("v.") " "
  "FROM nodes n JOIN accounts a ON a.id = n.account_id "
  "LEFT JOIN versions v ON v.id = n.version_id "
  "WHERE n.account_id = ? AND n.parent = ? AND n.fold = ? AND n.name = ?";

static const char version_file_sql[] =
  "SELECT 0, v.revision, v.file_id, v.size, v.mtime, v.executable, "
  "coalesce (v.receipt_path, v.path), v.revision, v.created_at, a.username, "
  ALLSET_STORE_RECEIPT_COLUMNS ("v.") " "
  "FROM versions v JOIN accounts a ON a.id = v.account_id "
  "WHERE v.account_id = ? AND v.path = ? AND v.revision = ?";

static AllsetNode *
file_from_row (sqlite3_stmt *stmt,
               const char   *path)
{
  AllsetNode *node = g_new0 (AllsetNode, 1);

  node->path = g_strdup (path);
  node->name = g_strdup (allset_path_basename (path));
  node->type = sqlite3_column_int (stmt, FILE_TYPE);
  node->revision = sqlite3_column_int64 (stmt, FILE_REVISION);
  node->file_id = allset_store_column_hex (stmt, FILE_ID);
  node->size = sqlite3_column_int64 (stmt, FILE_SIZE);
  node->mtime = sqlite3_column_int64 (stmt, FILE_MTIME);
  node->executable = sqlite3_column_int (stmt, FILE_EXECUTABLE) != 0;
  node->created_at = sqlite3_column_int64 (stmt, FILE_CREATED_AT);

  /* The receipt is rebuilt from what was signed: the path and revision of
   * the commit, which a later move or restore does not change. */
  if (node->type == ALLSET_NODE_FILE && sqlite3_column_type (stmt, FILE_RECEIPT_PATH) != SQLITE_NULL)
    {
      node->receipt = allset_receipt_new ((const char *) sqlite3_column_text (stmt, FILE_USERNAME),
                                          (const char *) sqlite3_column_text (stmt, FILE_RECEIPT_PATH),
                                          sqlite3_column_int64 (stmt, FILE_RECEIPT_REVISION),
                                          node->file_id,
                                          node->size,
                                          node->created_at);
      allset_store_receipt_columns (stmt, FILE_KEY_ID, node->receipt);
    }
  return node;
}

static AllsetNode *
find_file (AllsetStore  *self,
           gint64        account_id,
           const char   *path,
           gint64        revision,
           GError      **error)
{
  g_autoptr(AllsetNode) node = NULL;
  g_autoptr(StoreStmt) stmt = NULL;
  g_autofree char *parent = allset_path_parent (path);
  g_autofree char *fold = allset_store_fold (allset_path_basename (path));
  AllsetHash file_id;
  int rc;

  stmt = allset_store_stmt (self, live_file_sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_text (stmt, 2, parent, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, fold, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, allset_path_basename (path), -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW &&
      (revision == 0 || revision == sqlite3_column_int64 (stmt, FILE_REVISION)))
    {
      if (sqlite3_column_int (stmt, FILE_TYPE) != ALLSET_NODE_FILE)
        {
          g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND,
                       "“%s” is a directory", path);
          return NULL;
        }
      node = file_from_row (stmt, path);
    }
  else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      allset_store_sqlite_error (self, rc, "file", error);
      return NULL;
    }
  g_clear_pointer (&stmt, allset_store_stmt_release);

  if (node == NULL && revision != 0)
    {
      stmt = allset_store_stmt (self, version_file_sql, error);
      if (stmt == NULL)
        return NULL;
      sqlite3_bind_int64 (stmt, 1, account_id);
      sqlite3_bind_text (stmt, 2, path, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, revision);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        node = file_from_row (stmt, path);
      else if (rc != SQLITE_DONE)
        {
          allset_store_sqlite_error (self, rc, "version", error);
          return NULL;
        }
    }

  if (node == NULL)
    {
      if (revision == 0)
        g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND,
                     "No file “%s”", path);
      else
        g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND,
                     "No revision %" G_GINT64_FORMAT " of “%s”", revision, path);
      return NULL;
    }

  if (!allset_hash_from_hex (node->file_id, &file_id) ||
      !allset_store_load_chunks (self, account_id, &file_id, node, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INTERNAL,
                     "“%s” has no content id", path);
      return NULL;
    }
  return g_steal_pointer (&node);
}

AllsetNode *
allset_store_get_file (AllsetStore  *self,
                       gint64        account_id,
                       const char   *path,
                       gint64        revision,
                       GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  AllsetNode *node;

  g_return_val_if_fail (ALLSET_IS_STORE (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  locker = g_mutex_locker_new (&self->mutex);

  /* Several statements: one read transaction keeps them on one snapshot
   * even if the admin command writes meanwhile. */
  if (!allset_store_exec (self, "BEGIN", error))
    return NULL;
  node = find_file (self, account_id, path, revision, error);
  allset_store_rollback (self);
  return node;
}

GPtrArray *
allset_store_get_files (AllsetStore        *self,
                        gint64              account_id,
                        const char * const *paths,
                        guint               n_paths,
                        GError            **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) nodes = NULL;

  g_return_val_if_fail (ALLSET_IS_STORE (self), NULL);
  g_return_val_if_fail (paths != NULL || n_paths == 0, NULL);

  nodes = g_ptr_array_new_full (n_paths, (GDestroyNotify) allset_node_free);

  locker = g_mutex_locker_new (&self->mutex);

  /* One snapshot and one lock for the whole batch: a thousand small files
   * cost one transaction, not a thousand. */
  if (!allset_store_exec (self, "BEGIN", error))
    return NULL;

  for (guint i = 0; i < n_paths; i++)
    {
      g_autoptr(GError) local_error = NULL;
      AllsetNode *node = NULL;

      if (paths[i] != NULL &&
          !(node = find_file (self, account_id, paths[i], 0, &local_error)) &&
          !g_error_matches (local_error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND))
        {
          allset_store_rollback (self);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_ptr_array_add (nodes, node);
    }

  allset_store_rollback (self);
  return g_steal_pointer (&nodes);
}

static AllsetNode *
entry_from_row (sqlite3_stmt *stmt,
                const char   *dir_path)
{
  AllsetNode *node = g_new0 (AllsetNode, 1);

  node->name = allset_store_column_strdup (stmt, 0);
  node->path = dir_path[0] ? g_strconcat (dir_path, "/", node->name, NULL) : g_strdup (node->name);
  node->type = sqlite3_column_int (stmt, 1);
  node->revision = sqlite3_column_int64 (stmt, 2);
  node->file_id = allset_store_column_hex (stmt, 3);
  node->size = sqlite3_column_int64 (stmt, 4);
  node->mtime = sqlite3_column_int64 (stmt, 5);
  node->executable = sqlite3_column_int (stmt, 6) != 0;
  return node;
}

GPtrArray *
allset_store_list (AllsetStore  *self,
                   gint64        account_id,
                   const char   *dir_path,
                   GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(StoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (ALLSET_IS_STORE (self), NULL);
  g_return_val_if_fail (dir_path != NULL, NULL);

  locker = g_mutex_locker_new (&self->mutex);

  if (dir_path[0] != '\0')
    {
      g_auto(StoreNodeRow) dir = { 0 };
      g_autoptr(GError) local_error = NULL;

      if (!allset_store_node_probe (self, account_id, dir_path, &dir, &local_error) ||
          strcmp (dir.path, dir_path) != 0)
        {
          if (local_error != NULL)
            g_propagate_error (error, g_steal_pointer (&local_error));
          else
            g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND,
                         "No directory “%s”", dir_path);
          return NULL;
        }
      if (dir.type != ALLSET_NODE_DIR)
        {
          g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_A_DIRECTORY,
                       "“%s” is a file", dir_path);
          return NULL;
        }
    }

  stmt = allset_store_stmt (self,
                            "SELECT name, type, revision, file_id, size, mtime, executable "
                            "FROM nodes WHERE account_id = ? AND parent = ? ORDER BY name",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_text (stmt, 2, dir_path, -1, SQLITE_STATIC);

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_node_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (entries, entry_from_row (stmt, dir_path));
  if (rc != SQLITE_DONE)
    {
      allset_store_sqlite_error (self, rc, "list", error);
      return NULL;
    }
  return g_steal_pointer (&entries);
}

GPtrArray *
allset_store_versions (AllsetStore  *self,
                       gint64        account_id,
                       const char   *path,
                       GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) versions = NULL;
  g_autoptr(StoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (ALLSET_IS_STORE (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  locker = g_mutex_locker_new (&self->mutex);
  stmt = allset_store_stmt (self,
                            "SELECT revision, file_id, size, mtime, executable, created_at "
                            "FROM versions WHERE account_id = ? AND path = ? "
                            "ORDER BY revision DESC",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_text (stmt, 2, path, -1, SQLITE_STATIC);

  versions = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_node_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      AllsetNode *node = g_new0 (AllsetNode, 1);

      node->path = g_strdup (path);
      node->name = g_strdup (allset_path_basename (path));
      node->type = ALLSET_NODE_FILE;
      node->revision = sqlite3_column_int64 (stmt, 0);
      node->file_id = allset_store_column_hex (stmt, 1);
      node->size = sqlite3_column_int64 (stmt, 2);
      node->mtime = sqlite3_column_int64 (stmt, 3);
      node->executable = sqlite3_column_int (stmt, 4) != 0;
      node->created_at = sqlite3_column_int64 (stmt, 5);
      g_ptr_array_add (versions, node);
    }
  if (rc != SQLITE_DONE)
    {
      allset_store_sqlite_error (self, rc, "versions", error);
      return NULL;
    }
  if (versions->len == 0)
    {
      g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND,
                   "No versions of “%s”", path);
      return NULL;
    }
  return g_steal_pointer (&versions);
}

gint64
allset_store_cursor (AllsetStore *self,
                     gint64       account_id)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(StoreStmt) stmt = NULL;

  g_return_val_if_fail (ALLSET_IS_STORE (self), 0);

  locker = g_mutex_locker_new (&self->mutex);
  stmt = allset_store_stmt (self, "SELECT cursor FROM accounts WHERE id = ?", NULL);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, account_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return 0;
  return sqlite3_column_int64 (stmt, 0);
}

GPtrArray *
allset_store_changes (AllsetStore  *self,
                      gint64        account_id,
                      gint64        after_cursor,
                      guint         limit,
                      gboolean     *has_more,
                      GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(StoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (ALLSET_IS_STORE (self), NULL);

  if (limit == 0)
    limit = 1000;
  if (has_more != NULL)
    *has_more = FALSE;

  locker = g_mutex_locker_new (&self->mutex);
  stmt = allset_store_stmt (self,
                            "SELECT seq, op, path, to_path, file_id, size, mtime, executable "
                            "FROM changes WHERE account_id = ? AND seq > ? "
                            "ORDER BY seq LIMIT ?",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_int64 (stmt, 2, after_cursor);
  /* One more than asked: its presence is has_more. */
  sqlite3_bind_int64 (stmt, 3, (gint64) limit + 1);

  changes = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_change_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      AllsetChange *change;

      if (changes->len == limit)
        {
          if (has_more != NULL)
            *has_more = TRUE;
          rc = SQLITE_DONE;
          break;
        }

      change = g_new0 (AllsetChange, 1);
      change->seq = sqlite3_column_int64 (stmt, 0);
      change->revision = change->seq;
      change->op = sqlite3_column_int (stmt, 1);
      change->path = allset_store_column_strdup (stmt, 2);
      change->to = allset_store_column_strdup (stmt, 3);
      change->file_id = allset_store_column_hex (stmt, 4);
      change->size = sqlite3_column_int64 (stmt, 5);
      change->mtime = sqlite3_column_int64 (stmt, 6);
      change->executable = sqlite3_column_int (stmt, 7) != 0;
      g_ptr_array_add (changes, change);
    }
  if (rc != SQLITE_DONE)
    {
      allset_store_sqlite_error (self, rc, "changes", error);
      return NULL;
    }
  return g_steal_pointer (&changes);
}
