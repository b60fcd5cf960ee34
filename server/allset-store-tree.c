/* allset-store-tree.c — write batches and the primitives they are made of
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every change to an account's tree takes the next seq of that account; the
 * changed node's revision is that seq. So revisions are monotonic across
 * the account, the cursor is the last seq, and a base_revision names one
 * exact state of an entry.
 */

#include <string.h>

#include "allset-store-private.h"

/* Columns read into a StoreNodeRow; the full path is rebuilt from parent
 * and name. */
#define NODE_COLUMNS \
  "parent, name, fold, type, revision, file_id, size, mtime, executable, version_id"

void
allset_store_node_row_clear (StoreNodeRow *row)
{
  g_clear_pointer (&row->path, g_free);
  g_clear_pointer (&row->fold, g_free);
}

void
allset_store_refusal_clear (StoreRefusal *refusal)
{
  g_clear_pointer (&refusal->message, g_free);
}

gboolean
allset_store_refuse (StoreRefusal    *refusal,
                     guint            status,
                     AllsetErrorCode  code,
                     gint64           current_revision,
                     const char      *format,
                     ...)
{
  va_list args;

  va_start (args, format);
  g_free (refusal->message);
  refusal->message = g_strdup_vprintf (format, args);
  va_end (args);
  refusal->status = status;
  refusal->code = code;
  refusal->current_revision = current_revision;
  return FALSE;
}

AllsetOpResult *
allset_store_op_result_ok (gint64 revision)
{
  AllsetOpResult *result = g_new0 (AllsetOpResult, 1);

  result->status = 200;
  result->revision = revision;
  return result;
}

AllsetOpResult *
allset_store_op_result_refused (StoreRefusal *refusal)
{
  AllsetOpResult *result = g_new0 (AllsetOpResult, 1);

  result->status = refusal->status;
  result->error_code = refusal->code;
  result->error_message = g_steal_pointer (&refusal->message);
  result->current_revision = refusal->current_revision;
  return result;
}

char *
allset_store_fold (const char *name)
{
  /* NFC and Unicode case folding leave ASCII as ASCII lower case. */
  for (const char *p = name; *p != '\0'; p++)
    {
      if ((guchar) *p >= 0x80)
        return allset_path_fold (name);
    }
  return g_ascii_strdown (name, -1);
}

static char *
path_join (const char *parent,
           const char *name)
{
  if (parent[0] == '\0')
    return g_strdup (name);
  return g_strconcat (parent, "/", name, NULL);
}

static void
read_node_row (sqlite3_stmt *stmt,
               StoreNodeRow *row)
{
  allset_store_node_row_clear (row);
  row->path = path_join ((const char *) sqlite3_column_text (stmt, 0),
                         (const char *) sqlite3_column_text (stmt, 1));
  row->fold = allset_store_column_strdup (stmt, 2);
  row->type = sqlite3_column_int (stmt, 3);
  row->revision = sqlite3_column_int64 (stmt, 4);
  if (!allset_store_column_hash (stmt, 5, &row->file_id))
    memset (&row->file_id, 0, sizeof row->file_id);
  row->size = sqlite3_column_int64 (stmt, 6);
  row->mtime = sqlite3_column_int64 (stmt, 7);
  row->executable = sqlite3_column_int (stmt, 8) != 0;
  row->version_id = sqlite3_column_int64 (stmt, 9);
}

gboolean
allset_store_node_probe (AllsetStore   *self,
                         gint64         account_id,
                         const char    *path,
                         StoreNodeRow  *row,
                         GError       **error)
{
  g_autoptr(StoreStmt) stmt = NULL;
  g_autofree char *parent = allset_path_parent (path);
  g_autofree char *fold = allset_store_fold (allset_path_basename (path));
  int rc;

  stmt = allset_store_stmt (self,
                            "SELECT " NODE_COLUMNS " FROM nodes "
                            "WHERE account_id = ? AND parent = ? AND fold = ?",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_text (stmt, 2, parent, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, fold, -1, SQLITE_STATIC);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      read_node_row (stmt, row);
      return TRUE;
    }
  if (rc != SQLITE_DONE)
    allset_store_sqlite_error (self, rc, "node lookup", error);
  return FALSE;
}

gboolean
allset_store_node_find (StoreBatch    *batch,
                        const char    *path,
                        StoreNodeRow  *row,
                        GError       **error)
{
  return allset_store_node_probe (batch->store, batch->account_id, path, row, error) &&
         strcmp (row->path, path) == 0;
}

gboolean
allset_store_batch_begin (StoreBatch    *batch,
                          AllsetStore   *self,
                          gint64         account_id,
                          AllsetSigner  *signer,
                          GError       **error)
{
  StoreStmt *stmt;
  int rc;

  memset (batch, 0, sizeof *batch);
  batch->store = self;
  batch->account_id = account_id;
  batch->signer = signer;
  batch->now = allset_store_now ();

  if (!allset_store_begin (self, error))
    return FALSE;

  stmt = allset_store_stmt (self,
                            "SELECT username, cursor, used, quota FROM accounts WHERE id = ?",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, account_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      batch->username = allset_store_column_strdup (stmt, 0);
      batch->cursor = sqlite3_column_int64 (stmt, 1);
      batch->used = batch->used_before = sqlite3_column_int64 (stmt, 2);
      batch->quota = sqlite3_column_int64 (stmt, 3);
    }
  else if (rc == SQLITE_DONE)
    g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND,
                 "No account %" G_GINT64_FORMAT, account_id);
  else
    allset_store_sqlite_error (self, rc, "account", error);
  allset_store_stmt_release (stmt);
  if (rc != SQLITE_ROW)
    goto fail;

  batch->known_dirs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (signer != NULL)
    batch->receipts = allset_store_receipts_new ();
  return TRUE;

fail:
  allset_store_rollback (self);
  g_clear_pointer (&batch->username, g_free);
  return FALSE;
}

static void
batch_clear (StoreBatch *batch)
{
  g_clear_pointer (&batch->receipts, allset_store_receipts_free);
  g_clear_pointer (&batch->username, g_free);
  g_clear_pointer (&batch->known_dirs, g_hash_table_unref);
}

void
allset_store_batch_abort (StoreBatch *batch)
{
  batch_clear (batch);
  allset_store_rollback (batch->store);
}

gboolean
allset_store_batch_finish (StoreBatch  *batch,
                           GError     **error)
{
  AllsetStore *self = batch->store;
  StoreStmt *stmt;

  /* Only a batch that grows usage is refused: an account over a lowered
   * quota must still be able to delete its way back under it. */
  if (batch->quota > 0 && batch->used > (gint64) batch->quota && batch->used > batch->used_before)
    {
      g_autofree char *quota = g_format_size (batch->quota);

      g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_QUOTA_EXCEEDED,
                   "Quota of %s exceeded", quota);
      allset_store_batch_abort (batch);
      return FALSE;
    }

  if (batch->receipts != NULL &&
      !allset_store_receipts_sign (batch->receipts, self, batch->signer, error))
    goto fail;

  stmt = allset_store_stmt (self, "UPDATE accounts SET cursor = ?, used = ? WHERE id = ?", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, batch->cursor);
  sqlite3_bind_int64 (stmt, 2, batch->used);
  sqlite3_bind_int64 (stmt, 3, batch->account_id);
  if (!allset_store_step_done (self, stmt, "account", error))
    goto fail;

  if (!allset_store_commit_tx (self, error))
    {
      batch_clear (batch);
      return FALSE;
    }
  batch_clear (batch);
  return TRUE;

fail:
  allset_store_batch_abort (batch);
  return FALSE;
}

gboolean
allset_store_change_add (StoreBatch          *batch,
                         AllsetOpKind         op,
                         const char          *path,
                         const char          *to,
                         const StoreNodeRow  *file,
                         gint64              *seq_out,
                         GError             **error)
{
  StoreStmt *stmt;

  stmt = allset_store_stmt (batch->store,
                            "INSERT INTO changes (account_id, seq, op, path, to_path, "
                            "file_id, size, mtime, executable) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    return FALSE;

  batch->cursor++;
  sqlite3_bind_int64 (stmt, 1, batch->account_id);
  sqlite3_bind_int64 (stmt, 2, batch->cursor);
  sqlite3_bind_int (stmt, 3, op);
  sqlite3_bind_text (stmt, 4, path, -1, SQLITE_STATIC);
  if (to != NULL)
    sqlite3_bind_text (stmt, 5, to, -1, SQLITE_STATIC);
  if (file != NULL)
    {
      store_bind_hash (stmt, 6, &file->file_id);
      sqlite3_bind_int64 (stmt, 7, file->size);
      sqlite3_bind_int64 (stmt, 8, file->mtime);
      sqlite3_bind_int (stmt, 9, file->executable);
    }
  if (!allset_store_step_done (batch->store, stmt, "change", error))
    return FALSE;

  if (seq_out != NULL)
    *seq_out = batch->cursor;
  return TRUE;
}

gboolean
allset_store_node_insert (StoreBatch          *batch,
                          const StoreNodeRow  *row,
                          GError             **error)
{
  StoreStmt *stmt;
  g_autofree char *parent = allset_path_parent (row->path);
  g_autofree char *fold = NULL;
  const char *name = allset_path_basename (row->path);

  if (row->fold == NULL)
    fold = allset_store_fold (name);

  stmt = allset_store_stmt (batch->store,
                            "INSERT INTO nodes (account_id, parent, fold, name, type, revision, "
                            "file_id, size, mtime, executable, version_id) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, batch->account_id);
  sqlite3_bind_text (stmt, 2, parent, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, row->fold ? row->fold : fold, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, name, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 5, row->type);
  sqlite3_bind_int64 (stmt, 6, row->revision);
  sqlite3_bind_int64 (stmt, 8, row->size);
  sqlite3_bind_int64 (stmt, 9, row->mtime);
  sqlite3_bind_int (stmt, 10, row->executable);
  if (row->type == ALLSET_NODE_FILE)
    {
      store_bind_hash (stmt, 7, &row->file_id);
      sqlite3_bind_int64 (stmt, 11, row->version_id);
    }
  else
    {
      g_hash_table_add (batch->known_dirs, g_strdup (row->path));
    }
  return allset_store_step_done (batch->store, stmt, "node", error);
}

gboolean
allset_store_plan_parents (StoreBatch    *batch,
                           const char    *path,
                           GPtrArray    **missing,
                           StoreRefusal  *refusal,
                           GError       **error)
{
  g_auto(StoreNodeRow) row = { 0 };
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *dir = allset_path_parent (path);

  /* Walk up until a directory that exists; everything below it is made. */
  while (dir[0] != '\0' && !g_hash_table_contains (batch->known_dirs, dir))
    {
      char *up;

      if (allset_store_node_probe (batch->store, batch->account_id, dir, &row, error))
        {
          if (strcmp (row.path, dir) != 0)
            return allset_store_refuse (refusal, 409, ALLSET_ERROR_CASE_CONFLICT, 0,
                                        "“%s” differs only by case from “%s”", dir, row.path);
          if (row.type != ALLSET_NODE_DIR)
            return allset_store_refuse (refusal, 409, ALLSET_ERROR_NOT_A_DIRECTORY, 0,
                                        "“%s” is a file", dir);
          g_hash_table_add (batch->known_dirs, g_strdup (dir));
          break;
        }
      if (*error != NULL)
        return FALSE;

      up = allset_path_parent (dir);
      g_ptr_array_insert (dirs, 0, g_steal_pointer (&dir));
      dir = up;
    }

  *missing = g_steal_pointer (&dirs);
  return TRUE;
}

gboolean
allset_store_make_dirs (StoreBatch  *batch,
                        GPtrArray   *missing,
                        GError     **error)
{
  for (guint i = 0; missing != NULL && i < missing->len; i++)
    {
      StoreNodeRow row = { 0 };

      row.path = g_ptr_array_index (missing, i);
      row.type = ALLSET_NODE_DIR;
      if (!allset_store_change_add (batch, ALLSET_OP_MKDIR, row.path, NULL, NULL,
                                    &row.revision, error) ||
          !allset_store_node_insert (batch, &row, error))
        return FALSE;
    }
  return TRUE;
}

AllsetOpResult *
allset_store_put_version (StoreBatch            *batch,
                          const char            *path,
                          const StoreNodeRow    *existing,
                          const AllsetHash      *file_id,
                          const AllsetChunkRef  *chunks,
                          guint                  n_chunks,
                          gint64                 size,
                          gint64                 mtime,
                          gboolean               executable,
                          GError               **error)
{
  AllsetStore *self = batch->store;
  StoreNodeRow row = { 0 };
  g_autoptr(AllsetReceipt) receipt = NULL;
  AllsetOpResult *result;
  StoreStmt *stmt;
  char hex[ALLSET_HASH_HEX_LEN + 1];

  row.path = (char *) path;
  row.type = ALLSET_NODE_FILE;
  row.file_id = *file_id;
  row.size = size;
  row.mtime = mtime;
  row.executable = executable;

  if (!allset_store_change_add (batch, ALLSET_OP_PUT, path, NULL, &row, &row.revision, error))
    return NULL;

  allset_hash_to_hex_buf (file_id, hex);
  receipt = allset_receipt_new (batch->username, path, row.revision, hex, size, batch->now);

  stmt = allset_store_stmt (self,
                            "INSERT INTO versions (account_id, path, revision, file_id, size, "
                            "mtime, executable, created_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, batch->account_id);
  sqlite3_bind_text (stmt, 2, path, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, row.revision);
  store_bind_hash (stmt, 4, file_id);
  sqlite3_bind_int64 (stmt, 5, size);
  sqlite3_bind_int64 (stmt, 6, mtime);
  sqlite3_bind_int (stmt, 7, executable);
  sqlite3_bind_int64 (stmt, 8, batch->now);
  if (!allset_store_step_done (self, stmt, "version", error))
    return NULL;
  row.version_id = sqlite3_last_insert_rowid (self->db);

  for (guint i = 0; i < n_chunks; i++)
    {
      stmt = allset_store_stmt (self,
                                "INSERT OR IGNORE INTO file_chunks "
                                "(account_id, file_id, idx, chunk_id, size) "
                                "VALUES (?, ?, ?, ?, ?)",
                                error);
      if (stmt == NULL)
        return NULL;
      sqlite3_bind_int64 (stmt, 1, batch->account_id);
      store_bind_hash (stmt, 2, file_id);
      sqlite3_bind_int (stmt, 3, i);
      store_bind_hash (stmt, 4, &chunks[i].id);
      sqlite3_bind_int64 (stmt, 5, chunks[i].size);
      if (!allset_store_step_done (self, stmt, "file chunks", error))
        return NULL;
    }

  if (existing != NULL)
    {
      g_autofree char *parent = allset_path_parent (existing->path);

      stmt = allset_store_stmt (self,
                                "UPDATE nodes SET revision = ?, file_id = ?, size = ?, mtime = ?, "
                                "executable = ?, version_id = ? "
                                "WHERE account_id = ? AND parent = ? AND fold = ?",
                                error);
      if (stmt == NULL)
        return NULL;
      sqlite3_bind_int64 (stmt, 1, row.revision);
      store_bind_hash (stmt, 2, file_id);
      sqlite3_bind_int64 (stmt, 3, size);
      sqlite3_bind_int64 (stmt, 4, mtime);
      sqlite3_bind_int (stmt, 5, executable);
      sqlite3_bind_int64 (stmt, 6, row.version_id);
      sqlite3_bind_int64 (stmt, 7, batch->account_id);
      sqlite3_bind_text (stmt, 8, parent, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 9, existing->fold, -1, SQLITE_STATIC);
      if (!allset_store_step_done (self, stmt, "node", error))
        return NULL;
      batch->used += size - existing->size;
    }
  else
    {
      if (!allset_store_node_insert (batch, &row, error))
        return NULL;
      batch->used += size;
    }

  /* Signed with the rest of the batch when it ends; the result owns the
   * receipt and outlives the batch. */
  if (batch->receipts != NULL)
    allset_store_receipts_add (batch->receipts, row.version_id, receipt);
  result = allset_store_op_result_ok (row.revision);
  result->file_id = g_strdup (hex);
  result->receipt = g_steal_pointer (&receipt);
  return result;
}
