/* allset-chunker.h — content-defined chunking (FastCDC)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "allset-hash.h"
#include "allset-version.h"

G_BEGIN_DECLS

/* Length of the chunk that starts at data[0]. Pass at least ALLSET_CHUNK_MAX
 * bytes unless the data ends sooner (then len is all that is left). */
gsize allset_chunker_cut (const guint8 *data,
                          gsize         len);

typedef struct
{
  guint64       offset;
  gsize         length;
  AllsetHash    id;
  const guint8 *data;   /* valid until the next allset_chunk_reader_next() */
} AllsetChunk;

typedef struct _AllsetChunkReader AllsetChunkReader;

/* Reads from fd (not closed) from its current offset. Blocking: use it
 * from a worker thread. */
AllsetChunkReader *allset_chunk_reader_new  (int                 fd);
/* FALSE at end of data (error unset) or on a read error (error set). */
gboolean           allset_chunk_reader_next (AllsetChunkReader  *self,
                                             AllsetChunk        *chunk,
                                             GError            **error);
void               allset_chunk_reader_free (AllsetChunkReader  *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetChunkReader, allset_chunk_reader_free)

G_END_DECLS
