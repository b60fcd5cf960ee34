/* allset-file-hash.h — one file read once: its chunks and its id
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * FastCDC chunks, the SHA-256 of each, the file id over the chunk ids
 * (DESIGN.md §3), read through a descriptor that cannot follow a symlink
 * swapped in after the caller's lstat(), with fstat() before and after:
 * bytes read while someone wrote are not a version of anything. The scan
 * and the verification both read files this way; safe in any thread.
 */

#pragma once

#include "allset-chunk-parallel.h"
#include "allset-journal-entry.h"

G_BEGIN_DECLS

typedef enum
{
  ALLSET_FILE_HASH_OK,
  ALLSET_FILE_HASH_UNSTABLE,   /* changed while read, or not a regular file now */
  ALLSET_FILE_HASH_VANISHED,
  ALLSET_FILE_HASH_FAILED,     /* could not be read: saved */
} AllsetFileHashStatus;

typedef struct
{
  AllsetFileHashStatus  status;
  int                   saved;       /* errno, ALLSET_FILE_HASH_FAILED */
  /* ALLSET_FILE_HASH_OK: */
  char                 *file_id;     /* entry string */
  GArray               *chunks;      /* AllsetLocalChunk */
  gint64                size;
  gint64                mtime_ns;
  guint64               inode;
  guint64               dev;
  gboolean              executable;
  gint64                read_at_ns;  /* wall clock once read: racy or not */
} AllsetFileHash;

/* Reads name, relative to dirfd (or AT_FDCWD), whole. sink (or NULL)
 * sees the chunks of a file of ALLSET_CHUNK_PARALLEL_MIN bytes or more as
 * they are hashed, even if the file turns out UNSTABLE: the bytes given
 * are the ones hashed, whatever the file holds since. */
AllsetFileHash *allset_file_hash_read (int                  dirfd,
                                       const char          *name,
                                       AllsetChunkSinkFunc  sink,
                                       gpointer             sink_data);
void            allset_file_hash_free (AllsetFileHash *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetFileHash, allset_file_hash_free)

G_END_DECLS
