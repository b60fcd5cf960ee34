/* allset-store-chunks.c — the per-account chunk registry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A row says "this account holds this chunk". There is deliberately no
 * query across accounts: whether someone else holds a chunk is nobody's
 * business (docs/protocol.md, "Chunks and file ids").
 */

#include <string.h>

#include "allset-store-private.h"

static const char chunk_has_sql[] =
  "SELECT 1 FROM chunks WHERE account_id = ? AND id = ?";

GArray *
allset_store_chunks_missing (AllsetStore       *self,
                             gint64             account_id,
                             const AllsetHash  *ids,
                             guint              n_ids)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GArray) missing = NULL;

  g_return_val_if_fail (ALLSET_IS_STORE (self), NULL);
  g_return_val_if_fail (ids != NULL || n_ids == 0, NULL);

  missing = g_array_new (FALSE, FALSE, sizeof (guint));

  /* The read connection: asked before every pack, while other packs'
   * and commits write. */
  locker = g_mutex_locker_new (&self->read_mutex);

  /* One read transaction for the whole list instead of one per id. */
  sqlite3_exec (self->read_db, "BEGIN", NULL, NULL, NULL);

  for (guint i = 0; i < n_ids; i++)
    {
      g_autoptr(StoreStmt) stmt = allset_store_read_stmt (self, chunk_has_sql, NULL);
      int rc;

      if (stmt == NULL)
        {
          g_array_append_val (missing, i);
          continue;
        }
      sqlite3_bind_int64 (stmt, 1, account_id);
      store_bind_hash (stmt, 2, &ids[i]);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_DONE)
        g_array_append_val (missing, i);
      else if (rc != SQLITE_ROW)
        {
          /* Say "missing" rather than "held": the worst outcome is a
           * needless upload, never a commit naming a chunk we lack. */
          g_warning ("Chunk lookup failed: %s", sqlite3_errmsg (self->read_db));
          g_array_append_val (missing, i);
        }
    }

  sqlite3_exec (self->read_db, "ROLLBACK", NULL, NULL, NULL);
  return g_steal_pointer (&missing);
}

gboolean
allset_store_chunk_has (AllsetStore       *self,
                        gint64             account_id,
                        const AllsetHash  *id)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(StoreStmt) stmt = NULL;

  g_return_val_if_fail (ALLSET_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  locker = g_mutex_locker_new (&self->mutex);
  stmt = allset_store_stmt (self, chunk_has_sql, NULL);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  store_bind_hash (stmt, 2, id);
  return sqlite3_step (stmt) == SQLITE_ROW;
}

/* Lock held. A second upload of a held chunk only refreshes added_at, which
 * restarts its grace period: a client about to commit it is safe from
 * collection again. Inline bytes are added if the row had none. */
static gboolean
chunk_insert (AllsetStore       *self,
              gint64             account_id,
              const AllsetHash  *id,
              guint32            size,
              GBytes            *data,
              gint64             now,
              GError           **error)
{
  StoreStmt *stmt;

  stmt = allset_store_stmt (self,
                            "INSERT INTO chunks (account_id, id, size, added_at, data) "
                            "VALUES (?, ?, ?, ?, ?) "
                            "ON CONFLICT (account_id, id) DO UPDATE SET "
                            "added_at = excluded.added_at, "
                            "data = coalesce (data, excluded.data)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  store_bind_hash (stmt, 2, id);
  sqlite3_bind_int64 (stmt, 3, size);
  sqlite3_bind_int64 (stmt, 4, now);
  if (data != NULL)
    {
      gsize len;
      gconstpointer bytes = g_bytes_get_data (data, &len);

      /* A zero-length blob must still be non-NULL: NULL means "in the
       * chunk store". */
      if (len == 0)
        sqlite3_bind_zeroblob (stmt, 5, 0);
      else
        sqlite3_bind_blob64 (stmt, 5, bytes, len, SQLITE_STATIC);
    }
  return allset_store_step_done (self, stmt, "chunk", error);
}

gboolean
allset_store_chunk_add (AllsetStore       *self,
                        gint64             account_id,
                        const AllsetHash  *id,
                        guint32            size,
                        GBytes            *inline_data,
                        GError           **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (ALLSET_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (inline_data == NULL || g_bytes_get_size (inline_data) == size, FALSE);

  locker = g_mutex_locker_new (&self->mutex);
  return chunk_insert (self, account_id, id, size, inline_data, allset_store_now (), error);
}

void
allset_stored_chunk_clear (AllsetStoredChunk *chunk)
{
  g_clear_pointer (&chunk->data, g_bytes_unref);
}

void
allset_store_stored_chunk_from_row (sqlite3_stmt      *stmt,
                                    int                first,
                                    AllsetStoredChunk *chunk)
{
  chunk->size = sqlite3_column_int64 (stmt, first);
  if (sqlite3_column_type (stmt, first + 1) != SQLITE_NULL)
    chunk->data = g_bytes_new (sqlite3_column_blob (stmt, first + 1),
                               sqlite3_column_bytes (stmt, first + 1));
  chunk->pack_id = sqlite3_column_int64 (stmt, first + 2);
  chunk->pack_offset = sqlite3_column_int64 (stmt, first + 3);
}

gboolean
allset_store_chunk_get (AllsetStore       *self,
                        gint64             account_id,
                        const AllsetHash  *id,
                        AllsetStoredChunk *where)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(StoreStmt) stmt = NULL;

  g_return_val_if_fail (ALLSET_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (where != NULL, FALSE);

  memset (where, 0, sizeof *where);

  locker = g_mutex_locker_new (&self->mutex);
  stmt = allset_store_stmt (self,
                            "SELECT " ALLSET_STORE_CHUNK_PLACE " FROM chunks "
                            "WHERE account_id = ? AND id = ?",
                            NULL);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  store_bind_hash (stmt, 2, id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return FALSE;

  allset_store_stored_chunk_from_row (stmt, 0, where);
  return TRUE;
}

GArray *
allset_store_chunks_collect (AllsetStore             *self,
                             gint64                   now,
                             guint                    max,
                             AllsetChunkCollectFunc   func,
                             gpointer                 user_data,
                             GError                 **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GArray) candidates = NULL;
  g_autoptr(GArray) collected = NULL;
  StoreStmt *stmt;
  int rc;

  g_return_val_if_fail (ALLSET_IS_STORE (self), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  candidates = g_array_new (FALSE, FALSE, sizeof (AllsetChunkKey));
  collected = g_array_new (FALSE, FALSE, sizeof (AllsetChunkKey));

  locker = g_mutex_locker_new (&self->mutex);
  if (!allset_store_begin (self, error))
    return NULL;

  stmt = allset_store_stmt (self,
                            "SELECT account_id, id FROM chunks "
                            "WHERE data IS NULL AND pack_id IS NULL AND added_at < ? "
                            "AND (account_id, id) NOT IN (SELECT account_id, chunk_id FROM file_chunks) "
                            "LIMIT ?",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, now - ALLSET_STORE_CHUNK_GRACE);
  sqlite3_bind_int64 (stmt, 2, max > 0 ? max : G_MAXINT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      AllsetChunkKey key;

      key.account_id = sqlite3_column_int64 (stmt, 0);
      allset_store_column_hash (stmt, 1, &key.id);
      g_array_append_val (candidates, key);
    }
  allset_store_stmt_release (stmt);
  if (rc != SQLITE_DONE)
    {
      allset_store_sqlite_error (self, rc, "collect", error);
      goto fail;
    }

  /* The bytes go while we hold the lock and the write transaction, so no
   * upload can register the same id again between the file's removal and
   * the row's. */
  for (guint i = 0; i < candidates->len; i++)
    {
      const AllsetChunkKey *key = &g_array_index (candidates, AllsetChunkKey, i);

      if (!func (key->account_id, &key->id, user_data))
        continue;

      stmt = allset_store_stmt (self, "DELETE FROM chunks WHERE account_id = ? AND id = ?", error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, key->account_id);
      store_bind_hash (stmt, 2, &key->id);
      if (!allset_store_step_done (self, stmt, "collect", error))
        goto fail;
      g_array_append_val (collected, *key);
    }

  if (!allset_store_commit_tx (self, error))
    return NULL;
  return g_steal_pointer (&collected);

fail:
  allset_store_rollback (self);
  return NULL;
}
