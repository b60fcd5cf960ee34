/* allset-chunk-parallel.h — cutting a large file in one thread, hashing its chunks in several
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "allset-chunker.h"

G_BEGIN_DECLS

/* Files at least this big are worth the threads. */
#define ALLSET_CHUNK_PARALLEL_MIN (16 * 1024 * 1024)

/* Called in a hashing thread once chunk's id is known, with its bytes
 * (a view of the block they were read into: keep a reference to use them
 * later, which holds that block back from the reader for as long). Not
 * in file order. May block: the reader then waits. */
typedef void (*AllsetChunkSinkFunc) (const AllsetChunk *chunk,
                                     GBytes            *bytes,
                                     gpointer           user_data);

/* Reads fd from offset 0 to its end and returns its chunks (AllsetChunk,
 * data NULL), the same as allset_chunk_reader_next() would, in order.
 * Cutting is sequential (FastCDC, ~3.5 GB/s here); SHA-256 (~1.3 GB/s
 * per core) runs on n_threads threads. sink (or NULL) sees each chunk's
 * bytes as they are hashed. Blocking. NULL + error on a read error. */
GArray *allset_chunk_fd_parallel (int                  fd,
                                  guint                n_threads,
                                  AllsetChunkSinkFunc  sink,
                                  gpointer             sink_data,
                                  GError             **error);

G_END_DECLS
