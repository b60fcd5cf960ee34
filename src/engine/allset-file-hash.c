/* allset-file-hash.c — one file read once: its chunks and its id
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "allset-chunk-parallel.h"
#include "allset-file-hash.h"
#include "allset-io.h"

#ifndef O_NOATIME
# define O_NOATIME 0
#endif

#if defined(__APPLE__)
# define STAT_MTIM(st) ((st)->st_mtimespec)
# define STAT_CTIM(st) ((st)->st_ctimespec)
#else
# define STAT_MTIM(st) ((st)->st_mtim)
# define STAT_CTIM(st) ((st)->st_ctim)
#endif

static inline gint64
timespec_ns (struct timespec ts)
{
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

void
allset_file_hash_free (AllsetFileHash *self)
{
  if (self == NULL)
    return;
  allset_entry_string_release (self->file_id);
  g_clear_pointer (&self->chunks, g_array_unref);
  g_free (self);
}

static gboolean
same_file_state (const struct stat *a,
                 const struct stat *b)
{
  return a->st_ino == b->st_ino &&
         a->st_dev == b->st_dev &&
         a->st_size == b->st_size &&
         timespec_ns (STAT_MTIM (a)) == timespec_ns (STAT_MTIM (b)) &&
         timespec_ns (STAT_CTIM (a)) == timespec_ns (STAT_CTIM (b));
}

/* One read buffer per thread for small files, kept for the thread's life:
 * the scan's and the verification's threads read thousands of them. */
static GPrivate small_buffer = G_PRIVATE_INIT (g_free);

/* Reads the whole of a file of at most ALLSET_CHUNK_MIN bytes into the
 * thread's buffer; one byte more is asked for, so a file that grew reads
 * longer than size (and fails the fstat() comparison after). */
static gssize
read_small (int      fd,
            gsize    size,
            guint8 **data,
            int     *errno_out)
{
  guint8 *buffer = g_private_get (&small_buffer);
  gssize n;

  if (buffer == NULL)
    g_private_set (&small_buffer, (buffer = g_malloc (ALLSET_CHUNK_MIN + 1)));
  *data = buffer;
  n = allset_read_enough (fd, buffer, size + 1, size);
  if (n < 0)
    *errno_out = errno;
  return n;
}

static AllsetFileHashStatus
read_file (int                  dirfd,
           const char          *name,
           AllsetChunkSinkFunc  sink,
           gpointer             sink_data,
           AllsetFileHash      *out)
{
  g_autoptr(AllsetChunkReader) reader = NULL;
  g_autoptr(AllsetHasher) hasher = NULL;
  g_autoptr(GArray) chunks = NULL;
  g_autoptr(GError) error = NULL;
  struct stat before, after;
  AllsetChunk chunk;
  AllsetHash file_id;
  gint64 total = 0;
  int fd;

  /* O_NONBLOCK: a fifo swapped in after lstat() must not hang the scan. */
  fd = openat (dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOATIME);
  if (fd < 0 && errno == EPERM && O_NOATIME != 0)
    fd = openat (dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    {
      out->saved = errno;
      return errno == ENOENT ? ALLSET_FILE_HASH_VANISHED
           : errno == ELOOP ? ALLSET_FILE_HASH_UNSTABLE
           : ALLSET_FILE_HASH_FAILED;
    }

  if (fstat (fd, &before) != 0 || !S_ISREG (before.st_mode))
    {
      close (fd);
      return ALLSET_FILE_HASH_UNSTABLE;
    }
#ifdef POSIX_FADV_SEQUENTIAL
  /* Read-ahead advice is worth its system call past one read. */
  if (before.st_size > ALLSET_CHUNK_MIN)
    posix_fadvise (fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif

  hasher = allset_hasher_new ();
  chunks = g_array_new (FALSE, FALSE, sizeof (AllsetLocalChunk));
  if (before.st_size <= ALLSET_CHUNK_MIN)
    {
      /* Most files are small: one read into the thread's buffer, where the
       * reader would allocate its two-chunk window for each of them. */
      guint8 *data;
      gssize n = read_small (fd, before.st_size, &data, &out->saved);

      if (n < 0)
        {
          close (fd);
          return ALLSET_FILE_HASH_FAILED;
        }
      while (total < n)
        {
          gsize cut = allset_chunker_cut (data + total, n - total);
          AllsetLocalChunk local = { { { 0 } }, total, cut };

          allset_sha256 (data + total, cut, &local.id);
          g_array_append_val (chunks, local);
          allset_hasher_update (hasher, local.id.bytes, ALLSET_HASH_LEN);
          total += cut;
        }
    }
  else if (before.st_size >= ALLSET_CHUNK_PARALLEL_MIN)
    {
      g_autoptr(GArray) cut = allset_chunk_fd_parallel (fd, MAX (2, g_get_num_processors ()),
                                                         sink, sink_data, &error);

      if (cut == NULL)
        {
          close (fd);
          out->saved = EIO;
          return ALLSET_FILE_HASH_FAILED;
        }
      for (guint i = 0; i < cut->len; i++)
        {
          const AllsetChunk *piece = &g_array_index (cut, AllsetChunk, i);
          AllsetLocalChunk local = { piece->id, piece->offset, piece->length };

          g_array_append_val (chunks, local);
          allset_hasher_update (hasher, piece->id.bytes, ALLSET_HASH_LEN);
          total += piece->length;
        }
    }
  else
    {
      reader = allset_chunk_reader_new (fd);
      while (allset_chunk_reader_next (reader, &chunk, &error))
        {
          AllsetLocalChunk local = { chunk.id, chunk.offset, chunk.length };

          g_array_append_val (chunks, local);
          allset_hasher_update (hasher, chunk.id.bytes, ALLSET_HASH_LEN);
          total += chunk.length;
        }
      if (error != NULL)
        {
          close (fd);
          out->saved = EIO;
          return ALLSET_FILE_HASH_FAILED;
        }
    }

  if (fstat (fd, &after) != 0 || !same_file_state (&before, &after) ||
      total != (gint64) before.st_size)
    {
      close (fd);
      return ALLSET_FILE_HASH_UNSTABLE;
    }
  close (fd);

  allset_hasher_finish (hasher, &file_id);
  out->file_id = allset_entry_string_for_hash (&file_id);
  out->size = before.st_size;
  out->mtime_ns = timespec_ns (STAT_MTIM (&before));
  out->inode = before.st_ino;
  out->dev = before.st_dev;
  out->executable = (before.st_mode & S_IXUSR) != 0;

  out->read_at_ns = g_get_real_time () * 1000;
  out->chunks = g_steal_pointer (&chunks);
  return ALLSET_FILE_HASH_OK;
}

AllsetFileHash *
allset_file_hash_read (int                  dirfd,
                       const char          *name,
                       AllsetChunkSinkFunc  sink,
                       gpointer             sink_data)
{
  AllsetFileHash *self = g_new0 (AllsetFileHash, 1);

  self->status = read_file (dirfd, name, sink, sink_data, self);
  return self;
}

