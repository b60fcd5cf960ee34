/* allset-store-fetch.c — reading many chunks at once for POST /api/v1/chunks/fetch
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A download of ten thousand small files used to cost one request, one
 * lock and one read per chunk. Here one read transaction answers a whole
 * batch, within the byte budget of one response, so the bytes read for it
 * never exceed what the response can carry.
 */

#include "allset-store-private.h"

GArray *
allset_store_chunks_read (AllsetStore       *self,
                          gint64             account_id,
                          const AllsetHash  *ids,
                          guint              n_ids,
                          guint64            overhead,
                          guint64            max_bytes,
                          GError           **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GArray) chunks = NULL;
  guint64 total = 0;

  g_return_val_if_fail (ALLSET_IS_STORE (self), NULL);
  g_return_val_if_fail (ids != NULL && n_ids > 0, NULL);

  chunks = g_array_sized_new (FALSE, TRUE, sizeof (AllsetStoredChunk), MIN (n_ids, 1024));
  g_array_set_clear_func (chunks, (GDestroyNotify) allset_stored_chunk_clear);

  locker = g_mutex_locker_new (&self->mutex);

  /* One snapshot: a chunk is either in the answer whole or not at all. */
  if (!allset_store_exec (self, "BEGIN", error))
    return NULL;

  for (guint i = 0; i < n_ids; i++)
    {
      g_autoptr(StoreStmt) stmt = NULL;
      AllsetStoredChunk chunk = { 0, };
      int rc;

      stmt = allset_store_stmt (self,
                                "SELECT " ALLSET_STORE_CHUNK_PLACE " FROM chunks "
                                "WHERE account_id = ? AND id = ?",
                                error);
      if (stmt == NULL)
        {
          allset_store_rollback (self);
          return NULL;
        }
      sqlite3_bind_int64 (stmt, 1, account_id);
      store_bind_hash (stmt, 2, &ids[i]);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        chunk.size = sqlite3_column_int64 (stmt, 0);
      else if (rc != SQLITE_DONE)
        {
          allset_store_sqlite_error (self, rc, "chunk", error);
          allset_store_rollback (self);
          return NULL;
        }

      /* Checked before the bytes are copied out: the budget bounds memory. */
      if (chunks->len > 0 && total + overhead + chunk.size > max_bytes)
        break;
      total += overhead + chunk.size;

      if (chunk.size > 0)
        allset_store_stored_chunk_from_row (stmt, 0, &chunk);
      g_array_append_val (chunks, chunk);
    }

  allset_store_rollback (self);
  return g_steal_pointer (&chunks);
}
