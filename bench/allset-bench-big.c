/* allset-bench-big.c — dataset B (one large file), deterministic data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * B: one 1 GiB file, chunked (FastCDC) and hashed in a worker thread while
 *    other threads PUT the chunks the server says are missing, each over
 *    its own HTTPS connection; then one commit. The network-only variant
 *    chunks first and times missing + PUTs + commit alone.
 *
 * The client shares the server's two cores, so it spends as little as it
 * can: the file is mapped, chunks are cut and hashed where they lie, and
 * each PUT body is a view of the mapping. That is safe here only because
 * the bench wrote the file and nothing changes it during a run; a sync
 * client reads user files instead (allset-chunker.h).
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "allset-bench.h"

#define MISSING_BATCH   16          /* chunks per /chunks/missing in the B pipeline */

/* ------------------------------------------------------------------ */
/* Deterministic data: xoshiro256** seeded with splitmix64             */

typedef struct
{
  guint64 s[4];
} Rng;

static guint64
splitmix64 (guint64 *x)
{
  guint64 z = (*x += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static void
rng_init (Rng     *rng,
          guint64  seed)
{
  for (guint i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&seed);
}

static inline guint64
rotl (guint64 x, int k)
{
  return (x << k) | (x >> (64 - k));
}

static inline guint64
rng_next (Rng *rng)
{
  guint64 *s = rng->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

static void
rng_fill (Rng    *rng,
          guint8 *out,
          gsize   len)
{
  gsize i;

  for (i = 0; i + 8 <= len; i += 8)
    {
      guint64 v = GUINT64_TO_LE (rng_next (rng));

      memcpy (out + i, &v, 8);
    }
  if (i < len)
    {
      guint64 v = GUINT64_TO_LE (rng_next (rng));

      memcpy (out + i, &v, len - i);
    }
}

void
bench_random_fill (guint64  seed,
                   guint8  *out,
                   gsize    len)
{
  Rng rng;

  rng_init (&rng, seed);
  rng_fill (&rng, out, len);
}

gboolean
bench_make_big_file (const char  *path,
                     guint64      size,
                     guint64      seed,
                     GError     **error)
{
  const gsize block = 4 * 1024 * 1024;
  g_autofree guint8 *buffer = g_malloc (block);
  Rng rng;
  int fd;

  rng_init (&rng, seed);
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    goto fail;

  for (guint64 done = 0; done < size;)
    {
      gsize n = MIN (block, size - done);
      const guint8 *p = buffer;
      gsize left = n;

      rng_fill (&rng, buffer, n);
      while (left > 0)
        {
          ssize_t w = write (fd, p, left);

          if (w < 0 && errno == EINTR)
            continue;
          if (w <= 0)
            goto fail;
          p += w;
          left -= w;
        }
      done += n;
    }

  /* On disk before the runs start, so its writeback does not compete with
   * the server's fsyncs. It stays in the page cache (a hot read). */
  if (fdatasync (fd) != 0)
    goto fail;
  close (fd);
  return TRUE;

fail:
  {
    int saved_errno = errno;

    if (fd >= 0)
      close (fd);
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                 "Cannot write %s: %s", path, g_strerror (saved_errno));
    return FALSE;
  }
}

/* ------------------------------------------------------------------ */
/* Shared failure slot for worker threads                             */

void
bench_failure_init (BenchFailure *f)
{
  g_mutex_init (&f->mutex);
  f->error = NULL;
  f->failed = 0;
}

void
bench_failure_clear (BenchFailure *f)
{
  g_clear_error (&f->error);
  g_mutex_clear (&f->mutex);
}

void
bench_failure_set (BenchFailure *f,
                   GError       *error)
{
  g_mutex_lock (&f->mutex);
  if (f->error == NULL)
    f->error = error;
  else
    g_error_free (error);
  g_atomic_int_set (&f->failed, 1);
  g_mutex_unlock (&f->mutex);
}

gboolean
bench_failure_take (BenchFailure  *f,
                    GError       **error)
{
  if (f->error == NULL)
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&f->error));
  return FALSE;
}

double
bench_seconds_since (gint64 start_us)
{
  return (g_get_monotonic_time () - start_us) / (double) G_USEC_PER_SEC;
}

/* ------------------------------------------------------------------ */
/* Dataset B                                                          */

typedef struct
{
  void  *data;
  gsize  size;
} Mapping;

static void
mapping_free (gpointer data)
{
  Mapping *mapping = data;

  munmap (mapping->data, mapping->size);
  g_free (mapping);
}

static GBytes *
map_file (const char  *path,
          GError     **error)
{
  Mapping *mapping;
  struct stat st;
  void *data;
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0 || fstat (fd, &st) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "Cannot open %s: %s", path,
                   g_strerror (errno));
      if (fd >= 0)
        close (fd);
      return NULL;
    }
  if (st.st_size == 0)
    {
      close (fd);
      return g_bytes_new (NULL, 0);
    }

  data = mmap (NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
  if (data == MAP_FAILED)
    {
      int saved_errno = errno;

      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "Cannot map %s: %s", path,
                   g_strerror (saved_errno));
      return NULL;
    }
  close (fd);
  madvise (data, st.st_size, MADV_SEQUENTIAL);

  mapping = g_new (Mapping, 1);
  mapping->data = data;
  mapping->size = st.st_size;
  return g_bytes_new_with_free_func (data, st.st_size, mapping_free, mapping);
}

typedef struct
{
  guint64    offset;
  gsize      length;
  AllsetHash id;
} ChunkMeta;

/* Cuts and hashes the chunk of file at offset; returns its length. */
static gsize
next_chunk (GBytes    *file,
            guint64    offset,
            ChunkMeta *meta)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (file, &size);

  meta->offset = offset;
  meta->length = allset_chunker_cut (data + offset, size - offset);
  allset_sha256 (data + offset, meta->length, &meta->id);
  return meta->length;
}

typedef struct
{
  ChunkMeta  meta;
  GBytes    *bytes;   /* a view of the mapped file */
} ChunkJob;

static ChunkJob stop_job;

typedef struct
{
  BenchServer *server;
  GBytes      *file;
  GAsyncQueue *jobs;
  BenchFailure failure;

  /* Back-pressure: jobs queued but not yet answered. */
  GMutex       mutex;
  GCond        cond;
  guint        in_flight;
  guint        max_in_flight;

  gint64       first_put_us;
  gint64       last_put_us;
  guint        n_put;

  /* Everything the chunker saw, in file order, for the commit. */
  GArray      *chunks;   /* ChunkMeta */
  guint64      total;
} Upload;

static ChunkJob *
chunk_job_new (Upload          *up,
               const ChunkMeta *meta)
{
  ChunkJob *job = g_new0 (ChunkJob, 1);

  job->meta = *meta;
  job->bytes = g_bytes_new_from_bytes (up->file, meta->offset, meta->length);
  return job;
}

static void
chunk_job_free (ChunkJob *job)
{
  g_clear_pointer (&job->bytes, g_bytes_unref);
  g_free (job);
}

static void
upload_release (Upload *up)
{
  g_mutex_lock (&up->mutex);
  up->in_flight--;
  g_cond_signal (&up->cond);
  g_mutex_unlock (&up->mutex);
}

static void
upload_reserve (Upload *up)
{
  g_mutex_lock (&up->mutex);
  while (up->in_flight >= up->max_in_flight)
    g_cond_wait (&up->cond, &up->mutex);
  up->in_flight++;
  g_mutex_unlock (&up->mutex);
}

static gpointer
uploader_thread (gpointer data)
{
  Upload *up = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(SoupSession) session = NULL;
  ChunkJob *job;

  g_main_context_push_thread_default (context);
  session = bench_session_new (up->server);

  while ((job = g_async_queue_pop (up->jobs)) != &stop_job)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) answer = NULL;
      char path[sizeof "/api/v1/chunks/" + ALLSET_HASH_HEX_LEN];
      gint64 start, end;
      guint status;

      if (g_atomic_int_get (&up->failure.failed))
        {
          chunk_job_free (job);
          upload_release (up);
          continue;
        }

      memcpy (path, "/api/v1/chunks/", sizeof "/api/v1/chunks/" - 1);
      allset_hash_to_hex_buf (&job->meta.id, path + sizeof "/api/v1/chunks/" - 1);

      start = g_get_monotonic_time ();
      status = bench_request (session, up->server, "PUT", path, "application/octet-stream",
                              job->bytes, &answer, &error);
      end = g_get_monotonic_time ();
      chunk_job_free (job);

      if (status != SOUP_STATUS_CREATED && status != SOUP_STATUS_OK)
        {
          if (error == NULL)
            g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "PUT %s answered %u: %.*s", path,
                         status, (int) MIN (g_bytes_get_size (answer), 300),
                         (const char *) g_bytes_get_data (answer, NULL));
          bench_failure_set (&up->failure, g_steal_pointer (&error));
        }

      g_mutex_lock (&up->mutex);
      if (up->first_put_us == 0 || start < up->first_put_us)
        up->first_put_us = start;
      up->last_put_us = MAX (up->last_put_us, end);
      up->n_put++;
      g_mutex_unlock (&up->mutex);
      upload_release (up);
    }

  g_main_context_pop_thread_default (context);
  return NULL;
}

/* Asks which of the batch are missing and queues those; frees the rest. */
static gboolean
flush_batch (Upload       *up,
             SoupSession  *session,
             GPtrArray    *batch,
             GError      **error)
{
  g_autofree AllsetHash *ids = g_new (AllsetHash, MAX (batch->len, 1));
  g_autofree gboolean *mask = g_new (gboolean, MAX (batch->len, 1));
  guint n_missing = 0;
  gboolean ok;

  for (guint i = 0; i < batch->len; i++)
    ids[i] = ((ChunkJob *) g_ptr_array_index (batch, i))->meta.id;

  ok = batch->len == 0 ||
       bench_chunks_missing (session, up->server, ids, batch->len, mask, &n_missing, error);

  for (guint i = 0; i < batch->len; i++)
    {
      ChunkJob *job = g_ptr_array_index (batch, i);

      if (ok && mask[i])
        g_async_queue_push (up->jobs, job);
      else
        {
          chunk_job_free (job);
          upload_release (up);
        }
    }
  g_ptr_array_set_size (batch, 0);
  return ok;
}

/* Cuts and hashes the whole file. pipelined: hand batches to the
 * uploaders as they come; otherwise only note where the chunks are. */
static gboolean
chunk_file (Upload       *up,
            SoupSession  *session,
            gboolean      pipelined,
            GError      **error)
{
  g_autoptr(GPtrArray) batch = g_ptr_array_new ();
  gsize size = g_bytes_get_size (up->file);
  guint64 offset = 0;

  while (offset < size)
    {
      ChunkMeta meta;

      offset += next_chunk (up->file, offset, &meta);
      g_array_append_val (up->chunks, meta);
      up->total += meta.length;
      if (!pipelined)
        continue;

      if (g_atomic_int_get (&up->failure.failed))
        break;

      upload_reserve (up);
      g_ptr_array_add (batch, chunk_job_new (up, &meta));
      if (batch->len >= MISSING_BATCH && !flush_batch (up, session, batch, error))
        return FALSE;
    }

  return !pipelined || flush_batch (up, session, batch, error);
}

/* Network only: one question for the whole list, then the uploaders send
 * each missing chunk. */
static gboolean
queue_missing (Upload       *up,
               SoupSession  *session,
               GError      **error)
{
  guint n = up->chunks->len;
  g_autofree AllsetHash *ids = g_new (AllsetHash, MAX (n, 1));
  g_autofree gboolean *mask = g_new (gboolean, MAX (n, 1));
  guint n_missing = 0;

  for (guint i = 0; i < n; i++)
    ids[i] = g_array_index (up->chunks, ChunkMeta, i).id;

  if (n > 0 && !bench_chunks_missing (session, up->server, ids, n, mask, &n_missing, error))
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      if (!mask[i])
        continue;
      upload_reserve (up);
      g_async_queue_push (up->jobs, chunk_job_new (up, &g_array_index (up->chunks, ChunkMeta, i)));
    }
  return TRUE;
}
static gboolean
commit_big_file (BenchServer  *server,
                 SoupSession  *session,
                 GArray       *chunks,
                 guint64       size,
                 GError      **error)
{
  g_autoptr(GString) body = g_string_sized_new (256 + chunks->len * (ALLSET_HASH_HEX_LEN + 3));
  g_autoptr(JsonObject) answer = NULL;
  JsonArray *results;
  JsonObject *first;

  g_string_append (body, "{\"operations\":[{\"op\":\"put\",\"path\":\"big.bin\",\"base_revision\":0,"
                         "\"chunks\":[");
  for (guint i = 0; i < chunks->len; i++)
    {
      char hex[ALLSET_HASH_HEX_LEN + 1];

      allset_hash_to_hex_buf (&g_array_index (chunks, ChunkMeta, i).id, hex);
      g_string_append_printf (body, "%s\"%s\"", i > 0 ? "," : "", hex);
    }
  g_string_append_printf (body, "],\"size\":%" G_GUINT64_FORMAT ",\"mtime\":%d,\"executable\":false}]}",
                          size, BENCH_MTIME);

  answer = bench_post_json (session, server, "/api/v1/commit", body->str, body->len,
                            SOUP_STATUS_OK, error);
  if (answer == NULL || !allset_json_get_array (answer, "results", &results, error))
    return FALSE;

  first = json_array_get_length (results) == 1 ? json_array_get_object_element (results, 0) : NULL;
  if (first == NULL || json_object_get_int_member_with_default (first, "status", 0) != 200)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "The commit of big.bin was refused");
      return FALSE;
    }
  return TRUE;
}

gboolean
bench_dataset_b (BenchServer       *server,
                 const BenchConfig *config,
                 const char        *file_path,
                 gboolean           pipelined,
                 BenchRun          *run,
                 GError           **error)
{
  g_autoptr(SoupSession) session = bench_session_new (server);
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  Upload up = { 0 };
  gint64 start = 0, commit_start;
  gboolean ok = TRUE;

  up.server = server;
  up.jobs = g_async_queue_new ();
  up.chunks = g_array_new (FALSE, FALSE, sizeof (ChunkMeta));
  up.max_in_flight = MISSING_BATCH + 2 * config->connections;
  g_mutex_init (&up.mutex);
  g_cond_init (&up.cond);
  bench_failure_init (&up.failure);

  up.file = map_file (file_path, error);
  if (up.file == NULL)
    {
      ok = FALSE;
      goto out;
    }

  /* Network only: the chunk list is known before the clock starts. */
  if (!pipelined && !chunk_file (&up, session, FALSE, error))
    {
      ok = FALSE;
      goto out;
    }

  for (guint i = 0; i < config->connections; i++)
    g_ptr_array_add (threads, g_thread_new ("bench-put", uploader_thread, &up));

  start = g_get_monotonic_time ();
  if (pipelined)
    ok = chunk_file (&up, session, TRUE, error);
  else
    ok = queue_missing (&up, session, error);

  for (guint i = 0; i < threads->len; i++)
    g_async_queue_push (up.jobs, &stop_job);
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (g_ptr_array_index (threads, i));
  g_ptr_array_set_size (threads, 0);

  if (ok && !bench_failure_take (&up.failure, error))
    ok = FALSE;

  if (ok)
    {
      commit_start = g_get_monotonic_time ();
      ok = commit_big_file (server, session, up.chunks, up.total, error);
      run->b_commit_seconds = bench_seconds_since (commit_start);
      run->b_seconds = bench_seconds_since (start);
      run->b_upload_seconds = (up.last_put_us - up.first_put_us) / (double) G_USEC_PER_SEC;
      run->b_chunks = up.chunks->len;
      run->b_bytes = up.total;
    }

out:
  bench_failure_clear (&up.failure);
  g_mutex_clear (&up.mutex);
  g_cond_clear (&up.cond);
  g_async_queue_unref (up.jobs);
  g_array_unref (up.chunks);
  g_clear_pointer (&up.file, g_bytes_unref);
  return ok;
}

gboolean
bench_chunk_only (const char  *file_path,
                  double      *seconds,
                  guint       *n_chunks,
                  GError     **error)
{
  g_autoptr(GBytes) file = NULL;
  gint64 start = g_get_monotonic_time ();
  gsize size;
  guint64 offset = 0;

  /* The work the runs' client does before it sends anything. */
  file = map_file (file_path, error);
  if (file == NULL)
    return FALSE;
  size = g_bytes_get_size (file);
  *n_chunks = 0;
  while (offset < size)
    {
      ChunkMeta meta;

      offset += next_chunk (file, offset, &meta);
      (*n_chunks)++;
    }
  g_clear_pointer (&file, g_bytes_unref);
  *seconds = bench_seconds_since (start);
  return TRUE;
}
