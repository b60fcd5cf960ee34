/* allset-chunk-store-fs.h — chunks as files in the data directory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "allset-chunk-store.h"

G_BEGIN_DECLS

#define ALLSET_TYPE_CHUNK_STORE_FS (allset_chunk_store_fs_get_type ())
G_DECLARE_FINAL_TYPE (AllsetChunkStoreFs, allset_chunk_store_fs, ALLSET, CHUNK_STORE_FS, GObject)

/* Chunks go to ROOT/ACCOUNT/ab/abcdef…, packs to ROOT/ACCOUNT/packs/ID.pack;
 * ROOT/tmp holds partial writes of chunks and is emptied on open, since a
 * partial write after a crash is never referenced. */
AllsetChunkStore *allset_chunk_store_fs_new (const char  *root,
                                             GError     **error);

G_END_DECLS
