/* allset-chunk-parallel.c — cutting a large file in one thread, hashing its chunks in several
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A changed 1 GiB file was read, cut and hashed by one thread: ~1.1 s
 * here, most of it SHA-256. The cut must stay sequential (a boundary
 * depends on the bytes before it), the hashes need not. The file is read
 * in blocks; each block carries over the tail its last cut could not
 * place; each chunk is hashed by a pool thread from its block, which
 * lives until its last chunk is hashed. At most MAX_IN_FLIGHT bytes wait
 * for the hashers, so memory stays bounded whatever the file's size.
 *
 * pread(), not mmap(): a file truncated under a mapping kills the
 * process with SIGBUS, and the scan reads files users are editing.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>

#include "allset-chunk-parallel.h"
#include "allset-io.h"

/* Small enough that a block is still in the CPU's cache when a hasher
 * reads it: 16 MiB blocks with 64 MiB in flight were no faster than one
 * thread (1.1 s for 1 GiB here), 4 MiB with 8 MiB in flight take 0.84 s. */
#define BLOCK_SIZE    (4 * 1024 * 1024)
#define MAX_IN_FLIGHT (8 * 1024 * 1024)

typedef struct
{
  GMutex  lock;
  GCond   hashed;
  gsize   in_flight;   /* bytes pushed, not hashed yet */
  /* Block buffers whose chunks are all hashed, for the next blocks:
   * fresh allocations each cost a page fault per 4 KiB (a second of
   * system time per GiB here). Each block holds a reference: a sink may
   * keep a block past the end of the read, and then frees it alone. */
  GAsyncQueue *spare;
  AllsetChunkSinkFunc sink;
  gpointer            sink_data;
} Flow;

static void
return_block (gpointer data)
{
  gpointer *pair = data;

  g_async_queue_push (pair[1], pair[0]);
  g_async_queue_unref (pair[1]);
  g_free (pair);
}

typedef struct
{
  GBytes      *block;
  gsize        start;
  AllsetChunk *chunk;   /* where the id goes; owned by the result list */
  Flow        *flow;
} HashJob;

static void
hash_job (gpointer data,
          gpointer user_data)
{
  HashJob *job = data;
  const guint8 *bytes = g_bytes_get_data (job->block, NULL);

  allset_sha256 (bytes + job->start, job->chunk->length, &job->chunk->id);
  if (job->flow->sink != NULL)
    {
      g_autoptr(GBytes) view = g_bytes_new_from_bytes (job->block, job->start, job->chunk->length);

      job->flow->sink (job->chunk, view, job->flow->sink_data);
    }

  g_mutex_lock (&job->flow->lock);
  job->flow->in_flight -= job->chunk->length;
  g_cond_signal (&job->flow->hashed);
  g_mutex_unlock (&job->flow->lock);

  g_bytes_unref (job->block);
  g_free (job);
}

GArray *
allset_chunk_fd_parallel (int                  fd,
                          guint                n_threads,
                          AllsetChunkSinkFunc  sink,
                          gpointer             sink_data,
                          GError             **error)
{
  g_autoptr(GPtrArray) chunks = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GBytes) previous = NULL;   /* the block the carried tail is in */
  gsize carry_start = 0, carry_len = 0;
  guint64 file_offset = 0;   /* where the next read starts */
  guint64 chunk_offset = 0;  /* where the next chunk starts */
  gboolean eof = FALSE;
  int read_errno = 0;
  GThreadPool *pool;
  GArray *result;
  Flow flow = { 0 };

  g_return_val_if_fail (fd >= 0, NULL);

  g_mutex_init (&flow.lock);
  g_cond_init (&flow.hashed);
  flow.spare = g_async_queue_new_full (g_free);
  flow.sink = sink;
  flow.sink_data = sink_data;
  pool = g_thread_pool_new (hash_job, NULL, MAX (n_threads, 1), FALSE, NULL);

  while (!eof)
    {
      guint8 *buffer = g_async_queue_try_pop (flow.spare);
      g_autoptr(GBytes) block = NULL;
      gpointer *pair;
      gssize n;
      gsize len, start = 0;

      if (buffer == NULL)
        buffer = g_malloc (ALLSET_CHUNK_MAX + BLOCK_SIZE);
      if (carry_len > 0)
        memcpy (buffer, (const guint8 *) g_bytes_get_data (previous, NULL) + carry_start, carry_len);
      g_clear_pointer (&previous, g_bytes_unref);
      n = allset_read_full (fd, buffer + carry_len, BLOCK_SIZE, file_offset);
      if (n < 0)
        {
          read_errno = errno;
          g_free (buffer);
          break;
        }
      file_offset += n;
      eof = n < BLOCK_SIZE;
      len = carry_len + n;
      pair = g_new (gpointer, 2);
      pair[0] = buffer;
      pair[1] = g_async_queue_ref (flow.spare);
      block = g_bytes_new_with_free_func (buffer, len, return_block, pair);

      while (start < len)
        {
          gsize avail = len - start;
          gsize cut = allset_chunker_cut (buffer + start, avail);
          AllsetChunk *chunk;
          HashJob *job;

          /* A cut short of the bytes in view is where more bytes would cut
           * too; one at their end may only mean that they ran out, and
           * they are carried into the next block. Carrying only these,
           * not everything past the last whole maximal chunk in view,
           * copies ~15 % of the file instead of ~85 %. */
          if (cut == avail && avail < ALLSET_CHUNK_MAX && !eof)
            break;

          chunk = g_new0 (AllsetChunk, 1);
          job = g_new0 (HashJob, 1);
          chunk->offset = chunk_offset;
          chunk->length = cut;
          g_ptr_array_add (chunks, chunk);

          g_mutex_lock (&flow.lock);
          while (flow.in_flight > MAX_IN_FLIGHT)
            g_cond_wait (&flow.hashed, &flow.lock);
          flow.in_flight += chunk->length;
          g_mutex_unlock (&flow.lock);

          job->block = g_bytes_ref (block);
          job->start = start;
          job->chunk = chunk;
          job->flow = &flow;
          g_thread_pool_push (pool, job, NULL);

          start += chunk->length;
          chunk_offset += chunk->length;
        }

      carry_start = start;
      carry_len = len - start;
      previous = g_bytes_ref (block);
    }

  /* Waits for every hash: the jobs write into chunks. */
  g_thread_pool_free (pool, FALSE, TRUE);
  g_clear_pointer (&previous, g_bytes_unref);   /* back to spare, which goes next */
  g_async_queue_unref (flow.spare);
  g_cond_clear (&flow.hashed);
  g_mutex_clear (&flow.lock);

  if (read_errno != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (read_errno),
                   "Cannot read: %s", g_strerror (read_errno));
      return NULL;
    }

  result = g_array_sized_new (FALSE, FALSE, sizeof (AllsetChunk), chunks->len);
  for (guint i = 0; i < chunks->len; i++)
    g_array_append_val (result, *(AllsetChunk *) g_ptr_array_index (chunks, i));
  return result;
}
