/* allset-chunk-store.c — where the bytes of large chunks live
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

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
