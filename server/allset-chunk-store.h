/* allset-chunk-store.h — where the bytes of large chunks live
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A small interface so that an S3-compatible backend can replace the
 * embedded file-system one (allset-chunk-store-fs.c) without touching the
 * routes. Implementations block: call them from worker threads.
 */

#pragma once

#include <gio/gio.h>

#include "allset-protocol.h"

G_BEGIN_DECLS

#define ALLSET_TYPE_CHUNK_STORE (allset_chunk_store_get_type ())
G_DECLARE_INTERFACE (AllsetChunkStore, allset_chunk_store, ALLSET, CHUNK_STORE, GObject)

struct _AllsetChunkStoreInterface
{
  GTypeInterface parent_iface;

  gboolean (*put)    (AllsetChunkStore  *self,
                      gint64             account_id,
                      const AllsetHash  *id,
                      GBytes            *data,
                      GError           **error);
  GBytes  *(*get)    (AllsetChunkStore  *self,
                      gint64             account_id,
                      const AllsetHash  *id,
                      GError           **error);
  gboolean (*remove) (AllsetChunkStore  *self,
                      gint64             account_id,
                      const AllsetHash  *id,
                      GError           **error);
};

/* Durable once it returns TRUE: the bytes are on disk under their id. */
gboolean allset_chunk_store_put    (AllsetChunkStore  *self,
                                    gint64             account_id,
                                    const AllsetHash  *id,
                                    GBytes            *data,
                                    GError           **error);
GBytes  *allset_chunk_store_get    (AllsetChunkStore  *self,
                                    gint64             account_id,
                                    const AllsetHash  *id,
                                    GError           **error);
gboolean allset_chunk_store_remove (AllsetChunkStore  *self,
                                    gint64             account_id,
                                    const AllsetHash  *id,
                                    GError           **error);

G_END_DECLS
