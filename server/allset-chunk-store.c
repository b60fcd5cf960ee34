/* allset-chunk-store.c — where the bytes of chunks live
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "allset-chunk-store.h"

G_DEFINE_INTERFACE (AllsetChunkStore, allset_chunk_store, G_TYPE_OBJECT)

static void
allset_chunk_store_default_init (AllsetChunkStoreInterface *iface)
{
}

gboolean
allset_chunk_store_put (AllsetChunkStore  *self,
                        gint64             account_id,
                        const AllsetHash  *id,
                        GBytes            *data,
                        GError           **error)
{
  g_return_val_if_fail (ALLSET_IS_CHUNK_STORE (self), FALSE);

  return ALLSET_CHUNK_STORE_GET_IFACE (self)->put (self, account_id, id, data, error);
}

GBytes *
allset_chunk_store_get (AllsetChunkStore  *self,
                        gint64             account_id,
                        const AllsetHash  *id,
                        GError           **error)
{
  g_return_val_if_fail (ALLSET_IS_CHUNK_STORE (self), NULL);

  return ALLSET_CHUNK_STORE_GET_IFACE (self)->get (self, account_id, id, error);
}

gboolean
allset_chunk_store_remove (AllsetChunkStore  *self,
                           gint64             account_id,
                           const AllsetHash  *id,
                           GError           **error)
{
  g_return_val_if_fail (ALLSET_IS_CHUNK_STORE (self), FALSE);

  return ALLSET_CHUNK_STORE_GET_IFACE (self)->remove (self, account_id, id, error);
}

gboolean
allset_chunk_store_pack_put (AllsetChunkStore  *self,
                             gint64             account_id,
                             gint64             pack_id,
                             GBytes            *records,
                             GError           **error)
{
  g_return_val_if_fail (ALLSET_IS_CHUNK_STORE (self), FALSE);
  g_return_val_if_fail (pack_id > 0, FALSE);
  g_return_val_if_fail (records != NULL, FALSE);

  return ALLSET_CHUNK_STORE_GET_IFACE (self)->pack_put (self, account_id, pack_id, records, error);
}

GBytes *
allset_chunk_store_pack_read (AllsetChunkStore  *self,
                              gint64             account_id,
                              gint64             pack_id,
                              const AllsetHash  *id,
                              guint64            offset,
                              guint32            size,
                              GError           **error)
{
  g_autoptr(GBytes) record = NULL;
  const guint8 *header;
  guint32 length;

  g_return_val_if_fail (ALLSET_IS_CHUNK_STORE (self), NULL);
  g_return_val_if_fail (pack_id > 0, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if (offset < ALLSET_PACK_RECORD_HEADER)
    {
      g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INTERNAL,
                   "Pack %" G_GINT64_FORMAT " has no record at %" G_GUINT64_FORMAT, pack_id, offset);
      return NULL;
    }

  record = ALLSET_CHUNK_STORE_GET_IFACE (self)->pack_read (self, account_id, pack_id,
                                                           offset - ALLSET_PACK_RECORD_HEADER,
                                                           ALLSET_PACK_RECORD_HEADER + size, error);
  if (record == NULL)
    return NULL;

  header = g_bytes_get_data (record, NULL);
  memcpy (&length, header + ALLSET_HASH_LEN, sizeof length);
  if (g_bytes_get_size (record) != ALLSET_PACK_RECORD_HEADER + (gsize) size ||
      memcmp (header, id->bytes, ALLSET_HASH_LEN) != 0 ||
      GUINT32_FROM_BE (length) != size)
    {
      g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INTERNAL,
                   "Pack %" G_GINT64_FORMAT " holds another record at %" G_GUINT64_FORMAT,
                   pack_id, offset);
      return NULL;
    }

  return g_bytes_new_from_bytes (record, ALLSET_PACK_RECORD_HEADER, size);
}

gboolean
allset_chunk_store_pack_remove (AllsetChunkStore  *self,
                                gint64             account_id,
                                gint64             pack_id,
                                GError           **error)
{
  g_return_val_if_fail (ALLSET_IS_CHUNK_STORE (self), FALSE);

  return ALLSET_CHUNK_STORE_GET_IFACE (self)->pack_remove (self, account_id, pack_id, error);
}

GBytes *
allset_chunk_store_read (AllsetChunkStore  *self,
                         gint64             account_id,
                         const AllsetHash  *id,
                         gint64             pack_id,
                         guint64            offset,
                         guint32            size,
                         GError           **error)
{
  if (pack_id > 0)
    return allset_chunk_store_pack_read (self, account_id, pack_id, id, offset, size, error);
  return allset_chunk_store_get (self, account_id, id, error);
}

gboolean
allset_chunk_store_has_segments (AllsetChunkStore *self)
{
  g_return_val_if_fail (ALLSET_IS_CHUNK_STORE (self), FALSE);

  return ALLSET_CHUNK_STORE_GET_IFACE (self)->segment_write != NULL;
}

gboolean
allset_chunk_store_segment_create (AllsetChunkStore  *self,
                                   gint64             account_id,
                                   gint64             pack_id,
                                   GError           **error)
{
  g_return_val_if_fail (allset_chunk_store_has_segments (self), FALSE);
  g_return_val_if_fail (pack_id > 0, FALSE);

  return ALLSET_CHUNK_STORE_GET_IFACE (self)->segment_create (self, account_id, pack_id, error);
}

gboolean
allset_chunk_store_segment_write (AllsetChunkStore  *self,
                                  gint64             account_id,
                                  gint64             pack_id,
                                  guint64            offset,
                                  const AllsetHash  *id,
                                  GBytes            *data,
                                  guint8            *record,
                                  GError           **error)
{
  g_return_val_if_fail (allset_chunk_store_has_segments (self), FALSE);
  g_return_val_if_fail (pack_id > 0, FALSE);
  g_return_val_if_fail (offset % ALLSET_SEGMENT_ALIGN == 0, FALSE);
  g_return_val_if_fail (g_bytes_get_size (data) > 0 && g_bytes_get_size (data) <= ALLSET_CHUNK_MAX, FALSE);

  g_return_val_if_fail (record == NULL ||
                        (record + ALLSET_PACK_RECORD_HEADER == g_bytes_get_data (data, NULL) &&
                         (guintptr) record % ALLSET_SEGMENT_ALIGN == 0), FALSE);

  return ALLSET_CHUNK_STORE_GET_IFACE (self)->segment_write (self, account_id, pack_id, offset,
                                                             id, data, record, error);
}

gint64
allset_chunk_store_pack_length (AllsetChunkStore  *self,
                                gint64             account_id,
                                gint64             pack_id,
                                GError           **error)
{
  g_return_val_if_fail (allset_chunk_store_has_segments (self), -1);

  return ALLSET_CHUNK_STORE_GET_IFACE (self)->pack_length (self, account_id, pack_id, error);
}
