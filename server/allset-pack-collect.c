/* allset-pack-collect.c — removing and compacting packs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A deleted file's bytes must leave the disk once it leaves the trash and
 * its versions: packs share a file between thousands of chunks, so a pack
 * that holds even one dead record is rewritten with its live records only,
 * and the old file goes at the next run. Waiting a run (an hour) lets a
 * download that looked up a chunk's place just before the move still read
 * it there.
 */

#include <string.h>

#include "allset-pack-collect.h"

static gboolean
remove_empty (AllsetStore            *store,
              AllsetChunkStore       *chunks,
              const AllsetPackKey    *key,
              GError                **error)
{
  /* The row first, and only while no chunk points into the pack: a file
   * left behind by a failed removal wastes space, a file removed under a
   * chunk would lose it. */
  if (!allset_store_pack_forget (store, key->pack_id, error))
    return FALSE;
  return allset_chunk_store_pack_remove (chunks, key->account_id, key->pack_id, error);
}

static gboolean
compact (AllsetStore            *store,
         AllsetChunkStore       *chunks,
         const AllsetPackKey    *key,
         GError                **error)
{
  g_autoptr(GArray) live = NULL;
  g_autoptr(GByteArray) records = NULL;
  g_autoptr(GBytes) body = NULL;
  gint64 pack_id;

  live = allset_store_pack_chunks (store, key->pack_id, error);
  if (live == NULL)
    return FALSE;
  if (live->len == 0)
    return TRUE;

  records = g_byte_array_new ();
  for (guint i = 0; i < live->len; i++)
    {
      AllsetPackedChunk *chunk = &g_array_index (live, AllsetPackedChunk, i);
      g_autoptr(GBytes) bytes = NULL;
      guint32 length = GUINT32_TO_BE (chunk->size);
      AllsetHash actual;

      bytes = allset_chunk_store_pack_read (chunks, key->account_id, key->pack_id, &chunk->id,
                                            chunk->offset, chunk->size, error);
      if (bytes == NULL)
        return FALSE;

      /* Copying bytes that no longer match their id would hide the damage
       * behind a fresh file; leave the pack as it is and say so. */
      allset_sha256 (g_bytes_get_data (bytes, NULL), chunk->size, &actual);
      if (!allset_hash_equal (&actual, &chunk->id))
        {
          g_autofree char *hex = allset_hash_to_hex (&chunk->id);

          g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INTERNAL,
                       "Chunk %s in pack %" G_GINT64_FORMAT " does not match its id",
                       hex, key->pack_id);
          return FALSE;
        }

      g_byte_array_append (records, chunk->id.bytes, ALLSET_HASH_LEN);
      g_byte_array_append (records, (const guint8 *) &length, sizeof length);
      chunk->offset = records->len;
      g_byte_array_append (records, g_bytes_get_data (bytes, NULL), chunk->size);
    }

  /* Failures past this point leave an empty new pack, collected in a day. */
  pack_id = allset_store_pack_new (store, key->account_id, error);
  if (pack_id == 0)
    return FALSE;
  body = g_byte_array_free_to_bytes (g_steal_pointer (&records));
  return allset_chunk_store_pack_put (chunks, key->account_id, pack_id, body, error) &&
         allset_store_pack_move (store, key->pack_id, pack_id, g_bytes_get_size (body),
                                 (AllsetPackedChunk *) live->data, live->len, error);
}

gboolean
allset_packs_collect (AllsetStore             *store,
                      AllsetChunkStore        *chunks,
                      gint64                   now,
                      AllsetPackCollectStats  *stats,
                      GError                 **error)
{
  g_autoptr(GArray) empty = NULL;
  g_autoptr(GArray) sparse = NULL;

  g_return_val_if_fail (ALLSET_IS_STORE (store), FALSE);
  g_return_val_if_fail (ALLSET_IS_CHUNK_STORE (chunks), FALSE);
  g_return_val_if_fail (stats != NULL, FALSE);

  memset (stats, 0, sizeof *stats);

  /* Empty ones first: a pack this run compacts stays until the next. */
  empty = allset_store_packs_empty (store, now, error);
  if (empty == NULL)
    return FALSE;
  for (guint i = 0; i < empty->len; i++)
    {
      g_autoptr(GError) local_error = NULL;

      if (remove_empty (store, chunks, &g_array_index (empty, AllsetPackKey, i), &local_error))
        stats->removed++;
      else if (local_error != NULL)
        g_warning ("Cannot remove an empty pack: %s", local_error->message);
    }

  sparse = allset_store_packs_sparse (store, now, error);
  if (sparse == NULL)
    return FALSE;
  for (guint i = 0; i < sparse->len; i++)
    {
      g_autoptr(GError) local_error = NULL;

      if (compact (store, chunks, &g_array_index (sparse, AllsetPackKey, i), &local_error))
        stats->compacted++;
      else
        g_warning ("Cannot compact pack %" G_GINT64_FORMAT ": %s",
                   g_array_index (sparse, AllsetPackKey, i).pack_id, local_error->message);
    }

  return TRUE;
}
