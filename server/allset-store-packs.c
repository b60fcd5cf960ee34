/* allset-store-packs.c — the registry of packs and of the chunks in them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store only keeps numbers: which pack a chunk is in, at which offset,
 * how many bytes each pack's file holds. The files are the chunk store's
 * (allset-chunk-store.h); collecting and compacting them is
 * allset-pack-collect.c's, since it needs both.
 */

#include <string.h>

#include "allset-store-private.h"

static gint64
pack_insert (AllsetStore  *self,
             gint64        account_id,
             guint         align,
             GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  StoreStmt *stmt;

  g_return_val_if_fail (ALLSET_IS_STORE (self), 0);
  g_return_val_if_fail (align >= 1, 0);

  locker = g_mutex_locker_new (&self->mutex);
  stmt = allset_store_stmt (self, "INSERT INTO packs (account_id, created_at, align) VALUES (?, ?, ?)", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_int64 (stmt, 2, allset_store_now ());
  sqlite3_bind_int64 (stmt, 3, align);
  if (!allset_store_step_done (self, stmt, "pack", error))
    return 0;
  return sqlite3_last_insert_rowid (self->db);
}

gint64
allset_store_pack_new (AllsetStore  *self,
                       gint64        account_id,
                       GError      **error)
{
  return pack_insert (self, account_id, 1, error);
}

gint64
allset_store_segment_new (AllsetStore  *self,
                          gint64        account_id,
                          guint         align,
                          GError      **error)
{
  return pack_insert (self, account_id, align, error);
}

/* Segments register their records one by one and not in order, so a
 * pack's size only grows. A pack the collector forgot meanwhile (which
 * only a segment kept open past the grace period could meet) fails the
 * registration: its file is gone or going. */
static gboolean
set_pack_size (AllsetStore  *self,
               gint64        pack_id,
               guint64       size,
               GError      **error)
{
  StoreStmt *stmt = allset_store_stmt (self, "UPDATE packs SET size = max (size, ?) WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, size);
  sqlite3_bind_int64 (stmt, 2, pack_id);
  if (!allset_store_step_done (self, stmt, "pack", error))
    return FALSE;
  if (sqlite3_changes (self->db) != 1)
    {
      g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INTERNAL,
                   "Pack %" G_GINT64_FORMAT " is gone; nothing was registered in it", pack_id);
      return FALSE;
    }
  return TRUE;
}

gboolean
allset_store_pack_grow (AllsetStore  *self,
                        gint64        pack_id,
                        guint64       size,
                        GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (ALLSET_IS_STORE (self), FALSE);

  locker = g_mutex_locker_new (&self->mutex);
  return set_pack_size (self, pack_id, size, error);
}

gboolean
allset_store_chunks_add_packed (AllsetStore              *self,
                                gint64                    account_id,
                                gint64                    pack_id,
                                guint64                   size,
                                const AllsetPackedChunk  *chunks,
                                guint                     n_chunks,
                                GError                  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  gint64 now = allset_store_now ();

  g_return_val_if_fail (ALLSET_IS_STORE (self), FALSE);
  g_return_val_if_fail (pack_id > 0, FALSE);
  g_return_val_if_fail (chunks != NULL || n_chunks == 0, FALSE);

  locker = g_mutex_locker_new (&self->mutex);
  if (!allset_store_begin (self, error))
    return FALSE;

  if (!set_pack_size (self, pack_id, size, error))
    goto fail;

  for (guint i = 0; i < n_chunks; i++)
    {
      StoreStmt *stmt;

      /* A chunk held already keeps its bytes where they are: moving it
       * would race with a download reading them there. */
      stmt = allset_store_stmt (self,
                                "INSERT INTO chunks (account_id, id, size, added_at, pack_id, pack_offset) "
                                "VALUES (?, ?, ?, ?, ?, ?) "
                                "ON CONFLICT (account_id, id) DO UPDATE SET added_at = excluded.added_at",
                                error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, account_id);
      store_bind_hash (stmt, 2, &chunks[i].id);
      sqlite3_bind_int64 (stmt, 3, chunks[i].size);
      sqlite3_bind_int64 (stmt, 4, now);
      sqlite3_bind_int64 (stmt, 5, pack_id);
      sqlite3_bind_int64 (stmt, 6, chunks[i].offset);
      if (!allset_store_step_done (self, stmt, "chunk", error))
        goto fail;
    }

  return allset_store_commit_tx (self, error);

fail:
  allset_store_rollback (self);
  return FALSE;
}

/* Runs a query of (pack id, account id) rows made before before. */
static GArray *
pack_keys (AllsetStore  *self,
           const char   *sql,
           gint64        before,
           GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (AllsetPackKey));
  g_autoptr(StoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (ALLSET_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->mutex);
  stmt = allset_store_stmt (self, sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, before);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      AllsetPackKey key = {
        sqlite3_column_int64 (stmt, 0),
        sqlite3_column_int64 (stmt, 1),
      };

      g_array_append_val (keys, key);
    }
  if (rc != SQLITE_DONE)
    {
      allset_store_sqlite_error (self, rc, "packs", error);
      return NULL;
    }
  return g_steal_pointer (&keys);
}

GArray *
allset_store_segments_newest (AllsetStore  *self,
                              GError      **error)
{
  return pack_keys (self,
                    "SELECT max (id), account_id FROM packs WHERE align > 1 AND created_at < ? "
                    "GROUP BY account_id ORDER BY account_id",
                    G_MAXINT64, error);
}

GArray *
allset_store_packs_empty (AllsetStore  *self,
                          gint64        now,
                          GError      **error)
{
  return pack_keys (self,
                    "SELECT id, account_id FROM packs WHERE created_at < ? "
                    "AND NOT EXISTS (SELECT 1 FROM chunks WHERE pack_id = packs.id) "
                    "ORDER BY id",
                    now - ALLSET_STORE_CHUNK_GRACE, error);
}

gboolean
allset_store_pack_forget (AllsetStore  *self,
                          gint64        pack_id,
                          GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  StoreStmt *stmt;

  g_return_val_if_fail (ALLSET_IS_STORE (self), FALSE);

  locker = g_mutex_locker_new (&self->mutex);
  stmt = allset_store_stmt (self,
                            "DELETE FROM packs WHERE id = ?1 "
                            "AND NOT EXISTS (SELECT 1 FROM chunks WHERE pack_id = ?1)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, pack_id);
  if (!allset_store_step_done (self, stmt, "pack", error))
    return FALSE;
  return sqlite3_changes (self->db) == 1;
}

GArray *
allset_store_packs_sparse (AllsetStore  *self,
                           gint64        now,
                           GError      **error)
{
  /* A pack's file is its records back to back, each rounded up to the
   * pack's alignment, so the bytes its live chunks account for fall
   * short of its size exactly when some record is dead. */
  return pack_keys (self,
                    "SELECT packs.id, packs.account_id FROM packs JOIN chunks ON chunks.pack_id = packs.id "
                    "WHERE packs.created_at < ? "
                    "GROUP BY packs.id "
                    "HAVING sum ((chunks.size + " G_STRINGIFY (ALLSET_HASH_LEN) " + 4 + packs.align - 1) "
                    "            / packs.align * packs.align) < packs.size "
                    "ORDER BY packs.id",
                    now - ALLSET_STORE_CHUNK_GRACE, error);
}

GArray *
allset_store_pack_chunks (AllsetStore  *self,
                          gint64        pack_id,
                          GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GArray) chunks = g_array_new (FALSE, FALSE, sizeof (AllsetPackedChunk));
  g_autoptr(StoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (ALLSET_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->mutex);
  stmt = allset_store_stmt (self,
                            "SELECT id, size, pack_offset FROM chunks WHERE pack_id = ? "
                            "ORDER BY pack_offset",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, pack_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      AllsetPackedChunk chunk = { { { 0 } }, 0, 0 };

      allset_store_column_hash (stmt, 0, &chunk.id);
      chunk.size = sqlite3_column_int64 (stmt, 1);
      chunk.offset = sqlite3_column_int64 (stmt, 2);
      g_array_append_val (chunks, chunk);
    }
  if (rc != SQLITE_DONE)
    {
      allset_store_sqlite_error (self, rc, "pack", error);
      return NULL;
    }
  return g_steal_pointer (&chunks);
}

gboolean
allset_store_pack_move (AllsetStore              *self,
                        gint64                    from,
                        gint64                    to,
                        guint64                   size,
                        const AllsetPackedChunk  *chunks,
                        guint                     n_chunks,
                        GError                  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (ALLSET_IS_STORE (self), FALSE);
  g_return_val_if_fail (chunks != NULL || n_chunks == 0, FALSE);

  locker = g_mutex_locker_new (&self->mutex);
  if (!allset_store_begin (self, error))
    return FALSE;

  if (!set_pack_size (self, to, size, error))
    goto fail;

  for (guint i = 0; i < n_chunks; i++)
    {
      StoreStmt *stmt = allset_store_stmt (self,
                                           "UPDATE chunks SET pack_id = ?, pack_offset = ? "
                                           "WHERE pack_id = ? AND id = ?",
                                           error);

      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, to);
      sqlite3_bind_int64 (stmt, 2, chunks[i].offset);
      sqlite3_bind_int64 (stmt, 3, from);
      store_bind_hash (stmt, 4, &chunks[i].id);
      if (!allset_store_step_done (self, stmt, "pack", error))
        goto fail;
    }

  return allset_store_commit_tx (self, error);

fail:
  allset_store_rollback (self);
  return FALSE;
}
