/* allset-store-tree.c — write batches and POST /api/v1/commit
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

#define NODE_COLUMNS \
  "id, type, revision, path, file_id, size, mtime, executable, version_id"

void
allset_store_node_row_clear (StoreNodeRow *row)
{
  g_clear_pointer (&row->path, g_free);
}

void
allset_store_refusal_clear (StoreRefusal *refusal)
{
  g_clear_pointer (&refusal->message, g_free);
}

G_GNUC_PRINTF (5, 6)
static gboolean
refuse (StoreRefusal    *refusal,
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

static void
read_node_row (sqlite3_stmt *stmt,
               StoreNodeRow *row)
{
  row->id = sqlite3_column_int64 (stmt, 0);
  row->type = sqlite3_column_int (stmt, 1);
  row->revision = sqlite3_column_int64 (stmt, 2);
  g_free (row->path);
  row->path = allset_store_column_strdup (stmt, 3);
  if (!allset_store_column_hash (stmt, 4, &row->file_id))
    memset (&row->file_id, 0, sizeof row->file_id);
  row->size = sqlite3_column_int64 (stmt, 5);
  row->mtime = sqlite3_column_int64 (stmt, 6);
  row->executable = sqlite3_column_int (stmt, 7) != 0;
  row->version_id = sqlite3_column_int64 (stmt, 8);
}

/* Returns TRUE and fills row when found; FALSE with error unset when not. */
static gboolean
step_node_row (AllsetStore   *self,
               StoreStmt     *stmt,
               StoreNodeRow  *row,
               GError       **error)
{
  int rc = sqlite3_step (stmt);

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
  g_autoptr(StoreStmt) stmt = NULL;

  stmt = allset_store_stmt (batch->store,
                            "SELECT " NODE_COLUMNS " FROM nodes "
                            "WHERE account_id = ? AND path = ?",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, batch->account_id);
  sqlite3_bind_text (stmt, 2, path, -1, SQLITE_STATIC);
  return step_node_row (batch->store, stmt, row, error);
}

/* The entry of parent whose name folds like the last component of path. */
static gboolean
node_find_folded (StoreBatch    *batch,
                  const char    *path,
                  StoreNodeRow  *row,
                  GError       **error)
{
  g_autoptr(StoreStmt) stmt = NULL;
  g_autofree char *parent = allset_path_parent (path);
  g_autofree char *fold = allset_path_fold (allset_path_basename (path));

  stmt = allset_store_stmt (batch->store,
                            "SELECT " NODE_COLUMNS " FROM nodes "
                            "WHERE account_id = ? AND parent = ? AND fold = ?",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, batch->account_id);
  sqlite3_bind_text (stmt, 2, parent, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, fold, -1, SQLITE_STATIC);
  return step_node_row (batch->store, stmt, row, error);
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
  return TRUE;

fail:
  allset_store_rollback (self);
  g_clear_pointer (&batch->username, g_free);
  return FALSE;
}

static void
batch_clear (StoreBatch *batch)
{
  g_clear_pointer (&batch->username, g_free);
  g_clear_pointer (&batch->known_dirs, g_hash_table_unref);
}

void
allset_store_batch_abort (StoreBatch *batch)
{
  allset_store_rollback (batch->store);
  batch_clear (batch);
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
  g_autofree char *fold = allset_path_fold (allset_path_basename (row->path));

  stmt = allset_store_stmt (batch->store,
                            "INSERT INTO nodes (account_id, path, parent, fold, type, revision, "
                            "file_id, size, mtime, executable, version_id) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, batch->account_id);
  sqlite3_bind_text (stmt, 2, row->path, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, parent, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, fold, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 5, row->type);
  sqlite3_bind_int64 (stmt, 6, row->revision);
  if (row->type == ALLSET_NODE_FILE)
    {
      store_bind_hash (stmt, 7, &row->file_id);
      sqlite3_bind_int64 (stmt, 8, row->size);
      sqlite3_bind_int64 (stmt, 9, row->mtime);
      sqlite3_bind_int (stmt, 10, row->executable);
      sqlite3_bind_int64 (stmt, 11, row->version_id);
    }
  else
    {
      g_hash_table_add (batch->known_dirs, g_strdup (row->path));
    }
  return allset_store_step_done (batch->store, stmt, "node", error);
}

gboolean
allset_store_plan_create (StoreBatch    *batch,
                          const char    *path,
                          gint64         ignore_id,
                          GPtrArray    **missing,
                          StoreRefusal  *refusal,
                          GError       **error)
{
  g_auto(StoreNodeRow) row = { 0 };
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *dir = NULL;

  if (node_find_folded (batch, path, &row, error) && row.id != ignore_id)
    {
      if (strcmp (row.path, path) == 0)
        return refuse (refusal, 409, ALLSET_ERROR_CONFLICT, row.revision,
                       "“%s” exists", path);
      return refuse (refusal, 409, ALLSET_ERROR_CASE_CONFLICT, 0,
                     "“%s” differs only by case from “%s”", path, row.path);
    }
  if (error != NULL && *error != NULL)
    return FALSE;

  /* Walk up until a directory that exists; everything below it is made. */
  dir = allset_path_parent (path);
  while (dir[0] != '\0' && !g_hash_table_contains (batch->known_dirs, dir))
    {
      char *up;

      if (allset_store_node_find (batch, dir, &row, error))
        {
          if (row.type != ALLSET_NODE_DIR)
            return refuse (refusal, 409, ALLSET_ERROR_NOT_A_DIRECTORY, 0,
                           "“%s” is a file", dir);
          g_hash_table_add (batch->known_dirs, g_strdup (dir));
          break;
        }
      if (error != NULL && *error != NULL)
        return FALSE;

      if (node_find_folded (batch, dir, &row, error))
        return refuse (refusal, 409, ALLSET_ERROR_CASE_CONFLICT, 0,
                       "“%s” differs only by case from “%s”", dir, row.path);
      if (error != NULL && *error != NULL)
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
  if (batch->signer != NULL && !allset_signer_sign (batch->signer, receipt, error))
    return NULL;

  stmt = allset_store_stmt (self,
                            "INSERT INTO versions (account_id, path, revision, file_id, size, "
                            "mtime, executable, created_at, receipt_path, key_id, signature) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?2, ?9, ?10)",
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
  sqlite3_bind_text (stmt, 9, receipt->key_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 10, receipt->signature, -1, SQLITE_STATIC);
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
      stmt = allset_store_stmt (self,
                                "UPDATE nodes SET revision = ?, file_id = ?, size = ?, mtime = ?, "
                                "executable = ?, version_id = ? WHERE id = ?",
                                error);
      if (stmt == NULL)
        return NULL;
      sqlite3_bind_int64 (stmt, 1, row.revision);
      store_bind_hash (stmt, 2, file_id);
      sqlite3_bind_int64 (stmt, 3, size);
      sqlite3_bind_int64 (stmt, 4, mtime);
      sqlite3_bind_int (stmt, 5, executable);
      sqlite3_bind_int64 (stmt, 6, row.version_id);
      sqlite3_bind_int64 (stmt, 7, existing->id);
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

  result = allset_store_op_result_ok (row.revision);
  result->file_id = g_strdup (hex);
  result->receipt = g_steal_pointer (&receipt);
  return result;
}

/* ─── The four operations ──────────────────────────────────────────── */

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

  found = allset_store_node_find (batch, op->path, &existing, error);
  if (!found && *error != NULL)
    return NULL;

  if (found && existing.type == ALLSET_NODE_DIR)
    refuse (&refusal, 409, ALLSET_ERROR_CONFLICT, existing.revision,
            "“%s” is a directory", op->path);
  else if (found && op->base_revision != existing.revision)
    refuse (&refusal, 409, ALLSET_ERROR_CONFLICT, existing.revision,
            "“%s” is at revision %" G_GINT64_FORMAT, op->path, existing.revision);
  else if (!found && op->base_revision != 0)
    refuse (&refusal, 409, ALLSET_ERROR_CONFLICT, 0, "“%s” does not exist", op->path);
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
          refuse (&refusal, 422, ALLSET_ERROR_UNKNOWN_CHUNK, 0,
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
      refuse (&refusal, 400, ALLSET_ERROR_BAD_REQUEST, 0,
              "Size %" G_GUINT64_FORMAT " is not the sum of the chunk sizes (%" G_GUINT64_FORMAT ")",
              op->size, total);
      return allset_store_op_result_refused (&refusal);
    }

  if (!found)
    {
      if (!allset_store_plan_create (batch, op->path, 0, &missing, &refusal, error))
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

  if (allset_store_node_find (batch, op->path, &existing, error))
    {
      /* Making a directory the client already knows about is a no-op. */
      if (existing.type == ALLSET_NODE_DIR && op->base_revision == existing.revision)
        return allset_store_op_result_ok (existing.revision);
      refuse (&refusal, 409, ALLSET_ERROR_CONFLICT, existing.revision, "“%s” exists", op->path);
      return allset_store_op_result_refused (&refusal);
    }
  if (*error != NULL)
    return NULL;
  if (op->base_revision != 0)
    {
      refuse (&refusal, 409, ALLSET_ERROR_CONFLICT, 0, "“%s” does not exist", op->path);
      return allset_store_op_result_refused (&refusal);
    }

  if (!allset_store_plan_create (batch, op->path, 0, &missing, &refusal, error))
    return *error ? NULL : allset_store_op_result_refused (&refusal);
  g_ptr_array_add (missing, g_strdup (op->path));
  if (!allset_store_make_dirs (batch, missing, error))
    return NULL;
  return allset_store_op_result_ok (batch->cursor);
}

/* Bounds of the paths strictly below dir: ["dir/", "dir0"), '0' being
 * the byte after '/', so one index range scan covers the subtree. */
static void
subtree_bounds (const char  *dir,
                char       **low,
                char       **high)
{
  *low = g_strconcat (dir, "/", NULL);
  *high = g_strconcat (dir, "0", NULL);
}

static gboolean
move_subtree (StoreBatch  *batch,
              const char  *from,
              const char  *to,
              GError     **error)
{
  static const char * const sql[] = {
    "UPDATE nodes SET path = ?1 || substr (path, ?2), parent = ?1 || substr (parent, ?2) "
    "WHERE account_id = ?3 AND path > ?4 AND path < ?5",
    "UPDATE versions SET path = ?1 || substr (path, ?2) "
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
      sqlite3_bind_int64 (stmt, 2, strlen (from) + 1);
      sqlite3_bind_int64 (stmt, 3, batch->account_id);
      sqlite3_bind_text (stmt, 4, low, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, high, -1, SQLITE_STATIC);
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
  g_autofree char *parent = NULL;
  g_autofree char *fold = NULL;
  StoreStmt *stmt;
  gint64 seq;

  if (op->to == NULL || op->to[0] == '\0')
    {
      refuse (&refusal, 400, ALLSET_ERROR_BAD_REQUEST, 0, "A move needs a target");
      return allset_store_op_result_refused (&refusal);
    }

  if (!allset_store_node_find (batch, op->path, &source, error))
    {
      if (*error != NULL)
        return NULL;
      refuse (&refusal, 409, ALLSET_ERROR_CONFLICT, 0, "“%s” does not exist", op->path);
    }
  else if (op->base_revision != source.revision)
    refuse (&refusal, 409, ALLSET_ERROR_CONFLICT, source.revision,
            "“%s” is at revision %" G_GINT64_FORMAT, op->path, source.revision);
  else if (allset_path_has_prefix (op->to, op->path) && strcmp (op->to, op->path) != 0)
    /* Not a conflict: no refreshed base could ever make it succeed. */
    refuse (&refusal, 400, ALLSET_ERROR_BAD_REQUEST, source.revision,
            "Cannot move “%s” into itself", op->path);
  else if (allset_store_node_find (batch, op->to, &target, error))
    refuse (&refusal, 409, ALLSET_ERROR_CONFLICT, source.revision, "“%s” exists", op->to);
  else if (*error != NULL)
    return NULL;
  if (refusal.status != 0)
    return allset_store_op_result_refused (&refusal);

  /* ignore_id: a case-only rename folds to the source itself. */
  if (!allset_store_plan_create (batch, op->to, source.id, &missing, &refusal, error))
    return *error ? NULL : allset_store_op_result_refused (&refusal);
  if (!allset_store_make_dirs (batch, missing, error) ||
      !allset_store_change_add (batch, ALLSET_OP_MOVE, op->path, op->to, NULL, &seq, error))
    return NULL;

  parent = allset_path_parent (op->to);
  fold = allset_path_fold (allset_path_basename (op->to));
  stmt = allset_store_stmt (batch->store,
                            "UPDATE nodes SET path = ?, parent = ?, fold = ?, revision = ? "
                            "WHERE id = ?",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, op->to, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, parent, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, fold, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, seq);
  sqlite3_bind_int64 (stmt, 5, source.id);
  if (!allset_store_step_done (batch->store, stmt, "move", error))
    return NULL;

  if (source.type == ALLSET_NODE_DIR)
    {
      /* Descendants keep their revisions: only their paths change, and
       * the client learns those from the one move change. */
      if (!move_subtree (batch, op->path, op->to, error))
        return NULL;
    }
  else
    {
      /* The history follows the file. */
      stmt = allset_store_stmt (batch->store,
                                "UPDATE versions SET path = ? WHERE account_id = ? AND path = ?",
                                error);
      if (stmt == NULL)
        return NULL;
      sqlite3_bind_text (stmt, 1, op->to, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, batch->account_id);
      sqlite3_bind_text (stmt, 3, op->path, -1, SQLITE_STATIC);
      if (!allset_store_step_done (batch->store, stmt, "move", error))
        return NULL;
    }

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
  g_autofree char *low = NULL;
  g_autofree char *high = NULL;
  gint64 size = root->size;
  gint64 trash_id;
  StoreStmt *stmt;

  subtree_bounds (root->path, &low, &high);

  if (root->type == ALLSET_NODE_DIR)
    {
      g_autoptr(StoreStmt) sum = NULL;

      sum = allset_store_stmt (self,
                               "SELECT COALESCE (SUM (size), 0) FROM nodes "
                               "WHERE account_id = ? AND path > ? AND path < ? AND type = ?",
                               error);
      if (sum == NULL)
        return FALSE;
      sqlite3_bind_int64 (sum, 1, batch->account_id);
      sqlite3_bind_text (sum, 2, low, -1, SQLITE_STATIC);
      sqlite3_bind_text (sum, 3, high, -1, SQLITE_STATIC);
      sqlite3_bind_int (sum, 4, ALLSET_NODE_FILE);
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
   * at hold the content and are kept while the entry is. */
  stmt = allset_store_stmt (self,
                            "INSERT INTO trash_items (trash_id, account_id, path, type, version_id) "
                            "SELECT ?1, account_id, path, type, version_id FROM nodes "
                            "WHERE account_id = ?2 AND (path = ?3 OR (path > ?4 AND path < ?5))",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, trash_id);
  sqlite3_bind_int64 (stmt, 2, batch->account_id);
  sqlite3_bind_text (stmt, 3, root->path, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, low, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, high, -1, SQLITE_STATIC);
  if (!allset_store_step_done (self, stmt, "trash items", error))
    return FALSE;

  stmt = allset_store_stmt (self,
                            "DELETE FROM nodes "
                            "WHERE account_id = ?1 AND (path = ?2 OR (path > ?3 AND path < ?4))",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, batch->account_id);
  sqlite3_bind_text (stmt, 2, root->path, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, low, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, high, -1, SQLITE_STATIC);
  if (!allset_store_step_done (self, stmt, "delete", error))
    return FALSE;

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
      refuse (&refusal, 409, ALLSET_ERROR_CONFLICT, 0, "“%s” does not exist", op->path);
      return allset_store_op_result_refused (&refusal);
    }
  if (op->base_revision != node.revision)
    {
      refuse (&refusal, 409, ALLSET_ERROR_CONFLICT, node.revision,
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
      refuse (&refusal, 400, ALLSET_ERROR_BAD_REQUEST, 0, "The root cannot be changed");
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
      refuse (&refusal, 400, ALLSET_ERROR_BAD_REQUEST, 0, "Unknown operation");
      return allset_store_op_result_refused (&refusal);
    }
}

GPtrArray *
allset_store_commit (AllsetStore          *self,
                     const AllsetAccount  *account,
                     GPtrArray            *ops,
                     AllsetSigner         *signer,
                     gint64               *cursor_out,
                     GError              **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) results = NULL;
  StoreBatch batch;

  g_return_val_if_fail (ALLSET_IS_STORE (self), NULL);
  g_return_val_if_fail (account != NULL, NULL);
  g_return_val_if_fail (ops != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->mutex);
  if (!allset_store_batch_begin (&batch, self, account->id, signer, error))
    return NULL;

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

  if (cursor_out != NULL)
    *cursor_out = batch.cursor;
  return g_steal_pointer (&results);
}
