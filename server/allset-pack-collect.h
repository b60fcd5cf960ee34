/* allset-pack-collect.h — removing and compacting packs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "allset-chunk-store.h"
#include "allset-store.h"

G_BEGIN_DECLS

typedef struct
{
  guint removed;     /* empty packs whose file and row went */
  guint compacted;   /* packs rewritten without their dead records */
} AllsetPackCollectStats;

/* Blocks: run it in a worker, after allset_store_purge() dropped the rows
 * of unreferenced chunks. An error on one pack is logged and the others go
 * on; FALSE only when the store cannot say which packs to look at. */
gboolean allset_packs_collect (AllsetStore             *store,
                               AllsetChunkStore        *chunks,
                               gint64                   now,
                               AllsetPackCollectStats  *stats,
                               GError                 **error);

G_END_DECLS
