/* allset-store-history.c — versions, trash and retention
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Nothing here copies content: a trash entry lists the paths it held and
 * the version rows with their content, and a restore points live nodes at
 * those rows again. Purging drops the rows; the chunks they used become
 * unreferenced and go with them.
 */

#include <string.h>

#include "allset-store-private.h"

#define SECONDS_PER_DAY (24 * 60 * 60)

static void
refusal_to_error (StoreRefusal  *refusal,
                  GError       **error)
{
  g_set_error_literal (error, ALLSET_PROTOCOL_ERROR, refusal->code, refusal->message);
}

/* Where a restore lands: refused when the path is taken; otherwise its
 * missing parents are created. Returns the node that is there now, if any
 * (a file a version restore replaces). */
static gboolean
prepare_restore_target (StoreBatch    *batch,
                        const char    *path,
                        gboolean       may_replace_file,
                        StoreNodeRow  *existing,
                        gboolean      *found,
                        GError       **error)
{
  g_auto(StoreRefusal) refusal = { 0 };
  g_autoptr(GPtrArray) missing = NULL;
  g_autoptr(GError) local_error = NULL;

  *found = allset_store_node_probe (batch->store, batch->account_id, path, existing, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (*found && strcmp (existing->path, path) != 0)
    {
      g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_CASE_CONFLICT,
                   "“%s” differs only by case from “%s”", path, existing->path);
      return FALSE;
    }
  if (*found)
    {
      if (may_replace_file && existing->type == ALLSET_NODE_FILE)
        return TRUE;
      g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_CONFLICT,
                   existing->type == ALLSET_NODE_DIR ? "“%s” is a directory" : "“%s” exists",
                   path);
      return FALSE;
    }

  if (!allset_store_plan_parents (batch, path, &missing, &refusal, &local_error))
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        refusal_to_error (&refusal, error);
      return FALSE;
    }
  return allset_store_make_dirs (batch, missing, error);
}

static AllsetOpResult *
restore_version (StoreBatch  *batch,
                 const char  *path,
                 gint64       revision,
                 GError     **error)
{
  g_auto(StoreNodeRow) existing = { 0 };
  g_autoptr(StoreStmt) stmt = NULL;
  AllsetHash file_id;
  gint64 size, mtime;
  gboolean executable;
  gboolean found;
  int rc;

  stmt = allset_store_stmt (batch->store,
                            "SELECT file_id, size, mtime, executable FROM versions "
                            "WHERE account_id = ? AND path = ? AND revision = ?",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, batch->account_id);
  sqlite3_bind_text (stmt, 2, path, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, revision);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND,
                   "No revision %" G_GINT64_FORMAT " of “%s”", revision, path);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      allset_store_sqlite_error (batch->store, rc, "version", error);
      return NULL;
    }
  allset_store_column_hash (stmt, 0, &file_id);
  size = sqlite3_column_int64 (stmt, 1);
  mtime = sqlite3_column_int64 (stmt, 2);
  executable = sqlite3_column_int (stmt, 3) != 0;
  g_clear_pointer (&stmt, allset_store_stmt_release);

  if (!prepare_restore_target (batch, path, TRUE, &existing, &found, error))
    return NULL;

  /* No chunk rows to add: they are keyed by content and this content has
   * them already. */
  return allset_store_put_version (batch, path, found ? &existing : NULL, &file_id,
                                   NULL, 0, size, mtime, executable, error);
}

AllsetOpResult *
allset_store_version_restore (AllsetStore          *self,
                              const AllsetAccount  *account,
                              const char           *path,
                              gint64                revision,
                              AllsetSigner         *signer,
                              GError              **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(AllsetOpResult) result = NULL;
  StoreBatch batch;

  g_return_val_if_fail (ALLSET_IS_STORE (self), NULL);
  g_return_val_if_fail (account != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  locker = g_mutex_locker_new (&self->mutex);
  if (!allset_store_batch_begin (&batch, self, account->id, signer, error))
    return NULL;

  result = restore_version (&batch, path, revision, error);
  if (result == NULL)
    {
      allset_store_batch_abort (&batch);
      return NULL;
    }
  if (!allset_store_batch_finish (&batch, error))
    return NULL;
  return g_steal_pointer (&result);
}

GPtrArray *
allset_store_trash_list (AllsetStore  *self,
                         gint64        account_id,
                         GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(StoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (ALLSET_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->mutex);
  stmt = allset_store_stmt (self,
                            "SELECT id, path, type, size, deleted_at, revision FROM trash "
                            "WHERE account_id = ? ORDER BY deleted_at DESC, id DESC",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_trash_entry_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      AllsetTrashEntry *entry = g_new0 (AllsetTrashEntry, 1);

      entry->trash_id = sqlite3_column_int64 (stmt, 0);
      entry->path = allset_store_column_strdup (stmt, 1);
      entry->type = sqlite3_column_int (stmt, 2);
      entry->size = sqlite3_column_int64 (stmt, 3);
      entry->deleted_at = sqlite3_column_int64 (stmt, 4);
      entry->revision = sqlite3_column_int64 (stmt, 5);
      g_ptr_array_add (entries, entry);
    }
  if (rc != SQLITE_DONE)
    {
      allset_store_sqlite_error (self, rc, "trash", error);
      return NULL;
    }
  return g_steal_pointer (&entries);
}

typedef struct
{
  StoreNodeRow row;
  gboolean     has_version;
} TrashItem;

static void
trash_item_clear (gpointer data)
{
  TrashItem *item = data;

  allset_store_node_row_clear (&item->row);
}

/* Read first, write after: the restore inserts into nodes while these
 * rows would otherwise still be stepping. */
static GArray *
load_trash_items (StoreBatch  *batch,
                  gint64       trash_id,
                  GError     **error)
{
  g_autoptr(GArray) items = g_array_new (FALSE, TRUE, sizeof (TrashItem));
  g_autoptr(StoreStmt) stmt = NULL;
  int rc;

  g_array_set_clear_func (items, trash_item_clear);

  /* ORDER BY path puts every directory before its contents: a parent's
   * path is a prefix of its children's. */
  stmt = allset_store_stmt (batch->store,
                            "SELECT t.path, t.type, t.version_id, v.file_id, v.size, v.mtime, "
                            "v.executable FROM trash_items t "
                            "LEFT JOIN versions v ON v.id = t.version_id "
                            "WHERE t.trash_id = ? ORDER BY t.path",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, trash_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TrashItem item = { 0 };

      item.row.path = allset_store_column_strdup (stmt, 0);
      item.row.type = sqlite3_column_int (stmt, 1);
      item.row.version_id = sqlite3_column_int64 (stmt, 2);
      item.has_version = allset_store_column_hash (stmt, 3, &item.row.file_id);
      item.row.size = sqlite3_column_int64 (stmt, 4);
      item.row.mtime = sqlite3_column_int64 (stmt, 5);
      item.row.executable = sqlite3_column_int (stmt, 6) != 0;
      g_array_append_val (items, item);
    }
  if (rc != SQLITE_DONE)
    {
      allset_store_sqlite_error (batch->store, rc, "trash items", error);
      return NULL;
    }
  return g_steal_pointer (&items);
}

static AllsetOpResult *
restore_trash (StoreBatch  *batch,
               gint64       trash_id,
               GError     **error)
{
  g_auto(StoreNodeRow) existing = { 0 };
  g_autoptr(StoreStmt) stmt = NULL;
  g_autoptr(GArray) items = NULL;
  g_autofree char *path = NULL;
  AllsetOpResult *result;
  gint64 root_revision = 0;
  gboolean found;
  int rc;

  stmt = allset_store_stmt (batch->store,
                            "SELECT path FROM trash WHERE id = ? AND account_id = ?",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, trash_id);
  sqlite3_bind_int64 (stmt, 2, batch->account_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND,
                   "No trash entry %" G_GINT64_FORMAT, trash_id);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      allset_store_sqlite_error (batch->store, rc, "trash", error);
      return NULL;
    }
  path = allset_store_column_strdup (stmt, 0);
  g_clear_pointer (&stmt, allset_store_stmt_release);

  if (!prepare_restore_target (batch, path, FALSE, &existing, &found, error))
    return NULL;
  if ((items = load_trash_items (batch, trash_id, error)) == NULL)
    return NULL;

  for (guint i = 0; i < items->len; i++)
    {
      TrashItem *item = &g_array_index (items, TrashItem, i);
      gboolean is_file = item->row.type == ALLSET_NODE_FILE;

      if (is_file && !item->has_version)
        {
          g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INTERNAL,
                       "The content of “%s” is gone", item->row.path);
          return NULL;
        }
      if (!allset_store_change_add (batch, is_file ? ALLSET_OP_PUT : ALLSET_OP_MKDIR,
                                    item->row.path, NULL, is_file ? &item->row : NULL,
                                    &item->row.revision, error) ||
          !allset_store_node_insert (batch, &item->row, error))
        return NULL;
      if (is_file)
        {
          /* A directory moved since may have taken this version's path
           * with it; a live version always sits at its node's path. */
          StoreStmt *update = allset_store_stmt (batch->store,
                                                 "UPDATE versions SET "
                                                 "receipt_path = coalesce (receipt_path, path), "
                                                 "path = ?1 WHERE id = ?2 AND path != ?1",
                                                 error);
          if (update == NULL)
            return NULL;
          sqlite3_bind_text (update, 1, item->row.path, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (update, 2, item->row.version_id);
          if (!allset_store_step_done (batch->store, update, "trash restore", error))
            return NULL;
          batch->used += item->row.size;
        }
      if (i == 0)
        root_revision = item->row.revision;
    }

  stmt = allset_store_stmt (batch->store, "DELETE FROM trash WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, trash_id);
  if (!allset_store_step_done (batch->store, stmt, "trash", error))
    return NULL;
  stmt = NULL;

  result = allset_store_op_result_ok (root_revision);
  result->path = g_steal_pointer (&path);
  return result;
}

AllsetOpResult *
allset_store_trash_restore (AllsetStore          *self,
                            const AllsetAccount  *account,
                            gint64                trash_id,
                            GError              **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(AllsetOpResult) result = NULL;
  StoreBatch batch;

  g_return_val_if_fail (ALLSET_IS_STORE (self), NULL);
  g_return_val_if_fail (account != NULL, NULL);

  locker = g_mutex_locker_new (&self->mutex);
  if (!allset_store_batch_begin (&batch, self, account->id, NULL, error))
    return NULL;

  result = restore_trash (&batch, trash_id, error);
  if (result == NULL)
    {
      allset_store_batch_abort (&batch);
      return NULL;
    }
  if (!allset_store_batch_finish (&batch, error))
    return NULL;
  return g_steal_pointer (&result);
}

/* A version goes when it is not live, not held by a trash entry, older
 * than versions_days and not among the versions_keep newest of its path.
 * The newest-N protection only holds while the path still has a life (a
 * live file or a trash entry): once a file is deleted and its trash entry
 * expired, its old versions age out like any other. A live version always
 * sits at its node's path, so the live paths are those of live versions. */
static const char purge_versions_sql[] =
  "WITH live (id) AS (SELECT version_id FROM nodes WHERE version_id IS NOT NULL),"
  "     held (id) AS (SELECT version_id FROM trash_items WHERE version_id IS NOT NULL),"
  "     present (account_id, path) AS ("
  "       SELECT account_id, path FROM versions WHERE id IN live"
  "       UNION SELECT account_id, path FROM trash_items),"
  "     ranked AS ("
  "       SELECT id, account_id, path, created_at,"
  "              row_number () OVER (PARTITION BY account_id, path"
  "                                  ORDER BY revision DESC) AS rank"
  "       FROM versions) "
  "DELETE FROM versions WHERE id IN ("
  "  SELECT id FROM ranked r"
  "  WHERE r.created_at < ?1"
  "    AND r.id NOT IN live AND r.id NOT IN held"
  "    AND NOT (r.rank <= ?2 AND (r.account_id, r.path) IN present))";

static gboolean
purge_step (AllsetStore  *self,
            const char   *sql,
            gint64        a,
            gint64        b,
            gint64        c,
            guint        *count,
            GError      **error)
{
  StoreStmt *stmt = allset_store_stmt (self, sql, error);
  int n_params;

  if (stmt == NULL)
    return FALSE;
  n_params = sqlite3_bind_parameter_count (stmt);
  if (n_params >= 1)
    sqlite3_bind_int64 (stmt, 1, a);
  if (n_params >= 2)
    sqlite3_bind_int64 (stmt, 2, b);
  if (n_params >= 3)
    sqlite3_bind_int64 (stmt, 3, c);
  if (!allset_store_step_done (self, stmt, "purge", error))
    return FALSE;
  if (count != NULL)
    *count += sqlite3_changes (self->db);
  return TRUE;
}

guint
allset_store_purge (AllsetStore            *self,
                    const AllsetRetention  *retention,
                    gint64                  now,
                    GError                **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  guint count = 0;

  g_return_val_if_fail (ALLSET_IS_STORE (self), 0);
  g_return_val_if_fail (retention != NULL, 0);

  locker = g_mutex_locker_new (&self->mutex);
  if (!allset_store_begin (self, error))
    return 0;

  /* Trash first, so the versions only it held are free to go below. */
  if (!purge_step (self, "DELETE FROM trash WHERE deleted_at < ?",
                   now - (gint64) retention->trash_days * SECONDS_PER_DAY, 0, 0,
                   &count, error) ||
      !purge_step (self, purge_versions_sql,
                   now - (gint64) retention->versions_days * SECONDS_PER_DAY,
                   retention->versions_keep, 0, &count, error) ||
      /* Content rows no version points at any more. */
      !purge_step (self,
                   "DELETE FROM file_chunks WHERE (account_id, file_id) NOT IN "
                   "(SELECT account_id, file_id FROM versions)",
                   0, 0, 0, NULL, error) ||
      /* Inline chunks live wholly in the database, and a packed chunk's
       * bytes go when its pack is compacted (allset-pack-collect.c), so
       * their rows can go here; the chunk store's own files are collected
       * by allset_store_chunks_collect(). */
      !purge_step (self,
                   "DELETE FROM chunks WHERE (data IS NOT NULL OR pack_id IS NOT NULL) AND added_at < ? "
                   "AND (account_id, id) NOT IN (SELECT account_id, chunk_id FROM file_chunks)",
                   now - ALLSET_STORE_CHUNK_GRACE, 0, 0, NULL, error))
    {
      allset_store_rollback (self);
      return 0;
    }

  if (!allset_store_commit_tx (self, error))
    return 0;
  return count;
}
