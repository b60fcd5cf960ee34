/* allset-store-commit.c — POST /api/v1/commit: put, mkdir, move, delete
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each operation checks everything before it writes anything, so a refused
 * operation leaves no trace while the rest of the batch goes on.
 */

#include <string.h>

#include "allset-store-private.h"

/* What stands at path: *exact is the entry itself when found; a sibling
 * differing only by case is refused here. Returns FALSE with refusal set,
 * or with error set; TRUE otherwise. ignore_path: a case-variant that may
 * stay, the source of a case-only rename. */
static gboolean
probe_target (StoreBatch    *batch,
              const char    *path,
              const char    *ignore_path,
              StoreNodeRow  *row,
              gboolean      *exact,
              StoreRefusal  *refusal,
              GError       **error)
{
  *exact = FALSE;
  if (!allset_store_node_probe (batch->store, batch->account_id, path, row, error))
    return *error == NULL;

  if (strcmp (row->path, path) == 0)
    *exact = TRUE;
  else if (ignore_path == NULL || strcmp (row->path, ignore_path) != 0)
    return allset_store_refuse (refusal, 409, ALLSET_ERROR_CASE_CONFLICT, 0,
                                "“%s” differs only by case from “%s”", path, row->path);
  return TRUE;
}

static AllsetOpResult *
op_put (StoreBatch  *batch,
        AllsetOp    *op,
        GError     **error)
{
  g_auto(StoreNodeRow) existing = { 0 };
  g_auto(StoreRefusal) refusal = { 0 };
  g_autoptr(GPtrArray) missing = NULL;
  g_autofree AllsetChunkRef *refs = NULL;
  const AllsetHash *ids = op->chunks ? (const AllsetHash *) op->chunks->data : NULL;
  guint n_chunks = op->chunks ? op->chunks->len : 0;
  gboolean found;
  guint64 total = 0;
  AllsetHash file_id;

  if (!probe_target (batch, op->path, NULL, &existing, &found, &refusal, error))
    return *error ? NULL : allset_store_op_result_refused (&refusal);

  if (found && existing.type == ALLSET_NODE_DIR)
    allset_store_refuse (&refusal, 409, ALLSET_ERROR_CONFLICT, existing.revision,
                         "“%s” is a directory", op->path);
  else if (found && op->base_revision != existing.revision)
    allset_store_refuse (&refusal, 409, ALLSET_ERROR_CONFLICT, existing.revision,
                         "“%s” is at revision %" G_GINT64_FORMAT, op->path, existing.revision);
  else if (!found && op->base_revision != 0)
    allset_store_refuse (&refusal, 409, ALLSET_ERROR_CONFLICT, 0, "“%s” does not exist", op->path);
  if (refusal.status != 0)
    return allset_store_op_result_refused (&refusal);

  refs = g_new (AllsetChunkRef, MAX (n_chunks, 1));
  for (guint i = 0; i < n_chunks; i++)
    {
      g_autoptr(StoreStmt) stmt = NULL;
      int rc;

      stmt = allset_store_stmt (batch->store,
                                "SELECT size FROM chunks WHERE account_id = ? AND id = ?",
                                error);
      if (stmt == NULL)
        return NULL;
      sqlite3_bind_int64 (stmt, 1, batch->account_id);
      store_bind_hash (stmt, 2, &ids[i]);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_DONE)
        {
          char hex[ALLSET_HASH_HEX_LEN + 1];

          allset_hash_to_hex_buf (&ids[i], hex);
          allset_store_refuse (&refusal, 422, ALLSET_ERROR_UNKNOWN_CHUNK, 0,
                               "Chunk %s is not held by the account", hex);
          return allset_store_op_result_refused (&refusal);
        }
      if (rc != SQLITE_ROW)
        {
          allset_store_sqlite_error (batch->store, rc, "chunk", error);
          return NULL;
        }
      refs[i].id = ids[i];
      refs[i].size = sqlite3_column_int64 (stmt, 0);
      total += refs[i].size;
    }

  if (total != op->size)
    {
      allset_store_refuse (&refusal, 400, ALLSET_ERROR_BAD_REQUEST, 0,
                           "Size %" G_GUINT64_FORMAT " is not the sum of the chunk sizes (%" G_GUINT64_FORMAT ")",
                           op->size, total);
      return allset_store_op_result_refused (&refusal);
    }

  if (!found)
    {
      if (!allset_store_plan_parents (batch, op->path, &missing, &refusal, error))
        return *error ? NULL : allset_store_op_result_refused (&refusal);
      if (!allset_store_make_dirs (batch, missing, error))
        return NULL;
    }

  allset_file_id (ids, n_chunks, &file_id);
  return allset_store_put_version (batch, op->path, found ? &existing : NULL, &file_id,
                                   refs, n_chunks, op->size, op->mtime, op->executable,
                                   error);
}

static AllsetOpResult *
op_mkdir (StoreBatch  *batch,
          AllsetOp    *op,
          GError     **error)
{
  g_auto(StoreNodeRow) existing = { 0 };
  g_auto(StoreRefusal) refusal = { 0 };
  g_autoptr(GPtrArray) missing = NULL;
  gboolean found;

  if (!probe_target (batch, op->path, NULL, &existing, &found, &refusal, error))
    return *error ? NULL : allset_store_op_result_refused (&refusal);
  if (found)
    {
      /* Making a directory the client already knows about is a no-op. */
      if (existing.type == ALLSET_NODE_DIR && op->base_revision == existing.revision)
        return allset_store_op_result_ok (existing.revision);
      allset_store_refuse (&refusal, 409, ALLSET_ERROR_CONFLICT, existing.revision, "“%s” exists", op->path);
      return allset_store_op_result_refused (&refusal);
    }
  if (op->base_revision != 0)
    {
      allset_store_refuse (&refusal, 409, ALLSET_ERROR_CONFLICT, 0, "“%s” does not exist", op->path);
      return allset_store_op_result_refused (&refusal);
    }

  if (!allset_store_plan_parents (batch, op->path, &missing, &refusal, error))
    return *error ? NULL : allset_store_op_result_refused (&refusal);
  g_ptr_array_add (missing, g_strdup (op->path));
  if (!allset_store_make_dirs (batch, missing, error))
    return NULL;
  return allset_store_op_result_ok (batch->cursor);
}

/* Rows whose parent is dir or lies below it: parent in [dir, dir + "0"),
 * '0' being the byte after '/', then filtered to dir itself or
 * ("dir/", …) so that "dir.txt" or "dir-2" siblings stay out. */
static void
subtree_bounds (const char  *dir,
                char       **low,
                char       **high)
{
  *low = g_strconcat (dir, "/", NULL);
  *high = g_strconcat (dir, "0", NULL);
}

#define SUBTREE_WHERE(acc, dir, low, high) \
  "account_id = " acc " AND parent >= " dir " AND parent < " high \
  " AND (parent = " dir " OR parent > " low ")"

static gboolean
move_subtree (StoreBatch  *batch,
              const char  *from,
              const char  *to,
              GError     **error)
{
  static const char * const sql[] = {
    "UPDATE nodes SET parent = ?1 || substr (parent, ?2) "
    "WHERE " SUBTREE_WHERE ("?3", "?6", "?4", "?5"),
    /* The history of everything below follows it too. */
    "UPDATE versions SET receipt_path = coalesce (receipt_path, path), "
    "path = ?1 || substr (path, ?2) "
    "WHERE account_id = ?3 AND path > ?4 AND path < ?5",
  };
  g_autofree char *low = NULL;
  g_autofree char *high = NULL;

  subtree_bounds (from, &low, &high);
  for (guint i = 0; i < G_N_ELEMENTS (sql); i++)
    {
      StoreStmt *stmt = allset_store_stmt (batch->store, sql[i], error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, to, -1, SQLITE_STATIC);
      /* substr() counts characters, not bytes: "Été" is 3, not 5. */
      sqlite3_bind_int64 (stmt, 2, g_utf8_strlen (from, -1) + 1);
      sqlite3_bind_int64 (stmt, 3, batch->account_id);
      sqlite3_bind_text (stmt, 4, low, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, high, -1, SQLITE_STATIC);
      if (i == 0)
        sqlite3_bind_text (stmt, 6, from, -1, SQLITE_STATIC);
      if (!allset_store_step_done (batch->store, stmt, "move", error))
        return FALSE;
    }
  return TRUE;
}

static AllsetOpResult *
op_move (StoreBatch  *batch,
         AllsetOp    *op,
         GError     **error)
{
  g_auto(StoreNodeRow) source = { 0 };
  g_auto(StoreNodeRow) target = { 0 };
  g_auto(StoreRefusal) refusal = { 0 };
  g_autoptr(GPtrArray) missing = NULL;
  g_autofree char *old_parent = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *fold = NULL;
  gboolean exists = FALSE;
  StoreStmt *stmt;
  gint64 seq;

  if (op->to == NULL || op->to[0] == '\0')
    {
      allset_store_refuse (&refusal, 400, ALLSET_ERROR_BAD_REQUEST, 0, "A move needs a target");
      return allset_store_op_result_refused (&refusal);
    }

  if (!allset_store_node_find (batch, op->path, &source, error))
    {
      if (*error != NULL)
        return NULL;
      allset_store_refuse (&refusal, 409, ALLSET_ERROR_CONFLICT, 0, "“%s” does not exist", op->path);
    }
  else if (op->base_revision != source.revision)
    allset_store_refuse (&refusal, 409, ALLSET_ERROR_CONFLICT, source.revision,
                         "“%s” is at revision %" G_GINT64_FORMAT, op->path, source.revision);
  else if (allset_path_has_prefix (op->to, op->path) && strcmp (op->to, op->path) != 0)
    /* Not a conflict: no refreshed base could ever make it succeed. */
    allset_store_refuse (&refusal, 400, ALLSET_ERROR_BAD_REQUEST, source.revision,
                         "Cannot move “%s” into itself", op->path);
  /* The source may stand at the target's key: a case-only rename. */
  else if (probe_target (batch, op->to, op->path, &target, &exists, &refusal, error) && exists)
    allset_store_refuse (&refusal, 409, ALLSET_ERROR_CONFLICT, source.revision, "“%s” exists", op->to);
  else if (*error != NULL)
    return NULL;
  if (refusal.status != 0)
    return allset_store_op_result_refused (&refusal);

  if (!allset_store_plan_parents (batch, op->to, &missing, &refusal, error))
    return *error ? NULL : allset_store_op_result_refused (&refusal);
  if (!allset_store_make_dirs (batch, missing, error) ||
      !allset_store_change_add (batch, ALLSET_OP_MOVE, op->path, op->to, NULL, &seq, error))
    return NULL;

  old_parent = allset_path_parent (op->path);
  parent = allset_path_parent (op->to);
  fold = allset_store_fold (allset_path_basename (op->to));
  stmt = allset_store_stmt (batch->store,
                            "UPDATE nodes SET parent = ?, fold = ?, name = ?, revision = ? "
                            "WHERE account_id = ? AND parent = ? AND fold = ?",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, parent, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, fold, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, allset_path_basename (op->to), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, seq);
  sqlite3_bind_int64 (stmt, 5, batch->account_id);
  sqlite3_bind_text (stmt, 6, old_parent, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, source.fold, -1, SQLITE_STATIC);
  if (!allset_store_step_done (batch->store, stmt, "move", error))
    return NULL;

  /* Descendants keep their revisions: only their paths change, and the
   * client learns those from the one move change. */
  if (source.type == ALLSET_NODE_DIR && !move_subtree (batch, op->path, op->to, error))
    return NULL;

  /* The history follows the entry. */
  stmt = allset_store_stmt (batch->store,
                            "UPDATE versions SET receipt_path = coalesce (receipt_path, path), "
                            "path = ? WHERE account_id = ? AND path = ?",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, op->to, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, batch->account_id);
  sqlite3_bind_text (stmt, 3, op->path, -1, SQLITE_STATIC);
  if (!allset_store_step_done (batch->store, stmt, "move", error))
    return NULL;

  g_hash_table_remove_all (batch->known_dirs);
  return allset_store_op_result_ok (seq);
}

static gboolean
delete_subtree (StoreBatch          *batch,
                const StoreNodeRow  *root,
                gint64               seq,
                GError             **error)
{
  AllsetStore *self = batch->store;
  g_autofree char *parent = allset_path_parent (root->path);
  g_autofree char *low = NULL;
  g_autofree char *high = NULL;
  gboolean is_dir = root->type == ALLSET_NODE_DIR;
  gint64 size = root->size;
  gint64 trash_id;
  StoreStmt *stmt;

  subtree_bounds (root->path, &low, &high);

  if (is_dir)
    {
      g_autoptr(StoreStmt) sum = NULL;

      sum = allset_store_stmt (self,
                               "SELECT coalesce (sum (size), 0) FROM nodes "
                               "WHERE " SUBTREE_WHERE ("?1", "?2", "?3", "?4"),
                               error);
      if (sum == NULL)
        return FALSE;
      sqlite3_bind_int64 (sum, 1, batch->account_id);
      sqlite3_bind_text (sum, 2, root->path, -1, SQLITE_STATIC);
      sqlite3_bind_text (sum, 3, low, -1, SQLITE_STATIC);
      sqlite3_bind_text (sum, 4, high, -1, SQLITE_STATIC);
      if (sqlite3_step (sum) != SQLITE_ROW)
        return allset_store_sqlite_error (self, sqlite3_errcode (self->db), "trash size", error);
      size = sqlite3_column_int64 (sum, 0);
    }

  stmt = allset_store_stmt (self,
                            "INSERT INTO trash (account_id, path, type, size, deleted_at, revision) "
                            "VALUES (?, ?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, batch->account_id);
  sqlite3_bind_text (stmt, 2, root->path, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 3, root->type);
  sqlite3_bind_int64 (stmt, 4, size);
  sqlite3_bind_int64 (stmt, 5, batch->now);
  sqlite3_bind_int64 (stmt, 6, seq);
  if (!allset_store_step_done (self, stmt, "trash", error))
    return FALSE;
  trash_id = sqlite3_last_insert_rowid (self->db);

  /* Only the entries' identities go to the trash: the versions they point
   * at hold the content and are kept while the entry is. The root first,
   * then (for a directory) everything below it. */
  for (guint pass = 0; pass < (is_dir ? 2 : 1); pass++)
    {
      static const char * const copy_sql[] = {
        "INSERT INTO trash_items (trash_id, account_id, path, type, version_id) "
        "SELECT ?1, account_id, ?5, type, version_id FROM nodes "
        "WHERE account_id = ?2 AND parent = ?3 AND fold = ?4",
        "INSERT INTO trash_items (trash_id, account_id, path, type, version_id) "
        "SELECT ?1, account_id, parent || '/' || name, type, version_id FROM nodes "
        "WHERE " SUBTREE_WHERE ("?2", "?5", "?3", "?4"),
      };
      static const char * const delete_sql[] = {
        "DELETE FROM nodes WHERE account_id = ?2 AND parent = ?3 AND fold = ?4",
        "DELETE FROM nodes WHERE " SUBTREE_WHERE ("?2", "?5", "?3", "?4"),
      };

      for (guint i = 0; i < 2; i++)
        {
          stmt = allset_store_stmt (self, i == 0 ? copy_sql[pass] : delete_sql[pass], error);
          if (stmt == NULL)
            return FALSE;
          if (i == 0)
            sqlite3_bind_int64 (stmt, 1, trash_id);
          sqlite3_bind_int64 (stmt, 2, batch->account_id);
          sqlite3_bind_text (stmt, 3, pass == 0 ? parent : low, -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 4, pass == 0 ? root->fold : high, -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 5, root->path, -1, SQLITE_STATIC);
          if (!allset_store_step_done (self, stmt, "delete", error))
            return FALSE;
        }
    }

  batch->used -= size;
  return TRUE;
}

static AllsetOpResult *
op_delete (StoreBatch  *batch,
           AllsetOp    *op,
           GError     **error)
{
  g_auto(StoreNodeRow) node = { 0 };
  g_auto(StoreRefusal) refusal = { 0 };
  gint64 seq;

  if (!allset_store_node_find (batch, op->path, &node, error))
    {
      if (*error != NULL)
        return NULL;
      allset_store_refuse (&refusal, 409, ALLSET_ERROR_CONFLICT, 0, "“%s” does not exist", op->path);
      return allset_store_op_result_refused (&refusal);
    }
  if (op->base_revision != node.revision)
    {
      allset_store_refuse (&refusal, 409, ALLSET_ERROR_CONFLICT, node.revision,
                           "“%s” is at revision %" G_GINT64_FORMAT, op->path, node.revision);
      return allset_store_op_result_refused (&refusal);
    }

  if (!allset_store_change_add (batch, ALLSET_OP_DELETE, op->path, NULL, NULL, &seq, error) ||
      !delete_subtree (batch, &node, seq, error))
    return NULL;

  g_hash_table_remove_all (batch->known_dirs);
  return allset_store_op_result_ok (seq);
}

static AllsetOpResult *
apply_op (StoreBatch  *batch,
          AllsetOp    *op,
          GError     **error)
{
  g_auto(StoreRefusal) refusal = { 0 };

  /* The root always exists and is nobody's to replace, move or trash. */
  if (op->path == NULL || op->path[0] == '\0')
    {
      allset_store_refuse (&refusal, 400, ALLSET_ERROR_BAD_REQUEST, 0, "The root cannot be changed");
      return allset_store_op_result_refused (&refusal);
    }

  switch (op->kind)
    {
    case ALLSET_OP_PUT:
      return op_put (batch, op, error);
    case ALLSET_OP_MKDIR:
      return op_mkdir (batch, op, error);
    case ALLSET_OP_MOVE:
      return op_move (batch, op, error);
    case ALLSET_OP_DELETE:
      return op_delete (batch, op, error);
    default:
      allset_store_refuse (&refusal, 400, ALLSET_ERROR_BAD_REQUEST, 0, "Unknown operation");
      return allset_store_op_result_refused (&refusal);
    }
}

GPtrArray *
allset_store_commit (AllsetStore          *self,
                     const AllsetAccount  *account,
                     GPtrArray            *ops,
                     AllsetSigner         *signer,
                     gint64               *previous_cursor_out,
                     gint64               *cursor_out,
                     GError              **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) results = NULL;
  StoreBatch batch;
  gint64 previous_cursor;

  g_return_val_if_fail (ALLSET_IS_STORE (self), NULL);
  g_return_val_if_fail (account != NULL, NULL);
  g_return_val_if_fail (ops != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->mutex);
  if (!allset_store_batch_begin (&batch, self, account->id, signer, error))
    return NULL;
  previous_cursor = batch.cursor;

  results = g_ptr_array_new_full (ops->len, (GDestroyNotify) allset_op_result_free);
  for (guint i = 0; i < ops->len; i++)
    {
      g_autoptr(GError) local_error = NULL;
      AllsetOpResult *result;

      result = apply_op (&batch, g_ptr_array_index (ops, i), &local_error);
      if (result == NULL)
        {
          allset_store_batch_abort (&batch);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_ptr_array_add (results, result);
    }

  if (!allset_store_batch_finish (&batch, error))
    return NULL;

  if (previous_cursor_out != NULL)
    *previous_cursor_out = previous_cursor;
  if (cursor_out != NULL)
    *cursor_out = batch.cursor;
  return g_steal_pointer (&results);
}
