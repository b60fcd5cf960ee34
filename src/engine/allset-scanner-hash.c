/* allset-scanner-hash.c — reading and hashing the files the journal does
 * not know, several at a time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "allset-chunk-parallel.h"
#include "allset-io.h"
#include "allset-scanner-private.h"

/* A directory with fewer files to hash than this hashes them in the scan
 * thread: handing out work costs more than it saves. */
#define AHEAD_MIN_FILES 16

void
scanner_hashed_free (Hashed *self)
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
         timespec_ns (ST_MTIM (a)) == timespec_ns (ST_MTIM (b)) &&
         timespec_ns (ST_CTIM (a)) == timespec_ns (ST_CTIM (b));
}

/* One read buffer per thread for small files, kept for the thread's life:
 * a buffer per file cost a page fault per page. */
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

static HashStatus
hash_open_file (int                dirfd,
                const char        *name,
                Hashed            *out)
{
  g_autoptr(AllsetChunkReader) reader = NULL;
  g_autoptr(AllsetHasher) hasher = NULL;
  g_autoptr(GArray) chunks = NULL;
  g_autoptr(GError) error = NULL;
  struct stat before, after;
  AllsetChunk chunk;
  AllsetHash file_id;
  gint64 total = 0;
  gint64 now_ns;
  int fd;

  /* O_NONBLOCK: a fifo swapped in after lstat() must not hang the scan. */
  fd = openat (dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOATIME);
  if (fd < 0 && errno == EPERM && O_NOATIME != 0)
    fd = openat (dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    {
      out->saved = errno;
      return errno == ENOENT ? HASH_VANISHED : errno == ELOOP ? HASH_UNSTABLE : HASH_FAILED;
    }

  if (fstat (fd, &before) != 0 || !S_ISREG (before.st_mode))
    {
      close (fd);
      return HASH_UNSTABLE;
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
          return HASH_FAILED;
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
      g_autoptr(GArray) cut = allset_chunk_fd_parallel (fd, MAX (2, g_get_num_processors ()), &error);

      if (cut == NULL)
        {
          close (fd);
          out->saved = EIO;
          return HASH_FAILED;
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
          return HASH_FAILED;
        }
    }

  if (fstat (fd, &after) != 0 || !same_file_state (&before, &after) ||
      total != (gint64) before.st_size)
    {
      close (fd);
      return HASH_UNSTABLE;
    }
  close (fd);

  allset_hasher_finish (hasher, &file_id);
  out->file_id = allset_entry_string_for_hash (&file_id);
  out->size = before.st_size;
  out->mtime_ns = timespec_ns (ST_MTIM (&before));
  out->inode = before.st_ino;
  out->dev = before.st_dev;
  out->executable = (before.st_mode & S_IXUSR) != 0;

  now_ns = g_get_real_time () * 1000;
  out->racy = now_ns - out->mtime_ns < (out->mtime_ns % NS_PER_SEC == 0 ? RACY_WINDOW_COARSE_NS
                                                                        : RACY_WINDOW_FINE_NS);
  out->chunks = g_steal_pointer (&chunks);
  return HASH_OK;
}

/* Cuts and hashes the file through a descriptor that cannot follow a
 * symlink swapped in after lstat(), and compares fstat() before and after:
 * bytes read while someone wrote are not a version of anything. Safe in
 * any thread. */
Hashed *
scanner_hash_file (int         dirfd,
                   const char *name)
{
  Hashed *self = g_new0 (Hashed, 1);

  self->status = hash_open_file (dirfd, name, self);
  return self;
}

/* ─── Ahead of the walk, on several threads ─────────────────────────── */

typedef struct
{
  int        dirfd;
  Child    **jobs;
  guint      n_jobs;
  gint       next;       /* the next job to take, atomically */
  GMutex     lock;
  GCond      cond;
  guint      helpers;    /* still working, under lock */
} Ahead;

static void
ahead_run (Ahead *ahead)
{
  gint i;

  while ((i = g_atomic_int_add (&ahead->next, 1)) < (gint) ahead->n_jobs)
    ahead->jobs[i]->hashed = scanner_hash_file (ahead->dirfd, ahead->jobs[i]->name);
}

static void
ahead_helper (gpointer data,
              gpointer user_data)
{
  Ahead *ahead = data;

  ahead_run (ahead);
  g_mutex_lock (&ahead->lock);
  ahead->helpers--;
  g_cond_signal (&ahead->cond);
  g_mutex_unlock (&ahead->lock);
}

void
scanner_hash_ahead (Walk   *walk,
                    int     dirfd,
                    GArray *children,
                    guint   from,
                    guint   to)
{
  g_autoptr(GPtrArray) jobs = g_ptr_array_new ();
  gsize dir_len = walk->path->len;
  Ahead ahead = { 0 };
  guint helpers;

  /* The journal's answers first, in this thread (they read it): only
   * what it does not know is read. */
  for (guint i = from; i < to && walk->error == NULL; i++)
    {
      Child *child = &g_array_index (children, Child, i);

      if (child->problem != NULL || child->clash || !S_ISREG (child->st.st_mode) ||
          child->st.st_size >= ALLSET_CHUNK_PARALLEL_MIN)
        continue;
      if (dir_len > 0)
        g_string_append_c (walk->path, '/');
      g_string_append (walk->path, child->key);
      child->known_id = scanner_known_file_id (walk, walk->path->str, &child->st, &child->known_chunks);
      child->looked_up = TRUE;
      g_string_truncate (walk->path, dir_len);
      if (child->known_id == NULL)
        g_ptr_array_add (jobs, child);
    }
  if (jobs->len < AHEAD_MIN_FILES || walk->error != NULL)
    return;

  if (walk->hash_pool == NULL)
    walk->hash_pool = g_thread_pool_new (ahead_helper, NULL, MAX (1, (gint) g_get_num_processors () - 1),
                                         FALSE, NULL);
  ahead.dirfd = dirfd;
  ahead.jobs = (Child **) jobs->pdata;
  ahead.n_jobs = jobs->len;
  g_mutex_init (&ahead.lock);
  g_cond_init (&ahead.cond);
  helpers = MIN ((guint) g_thread_pool_get_max_threads (walk->hash_pool), jobs->len / AHEAD_MIN_FILES);
  ahead.helpers = helpers;
  for (guint h = 0; h < helpers; h++)
    g_thread_pool_push (walk->hash_pool, &ahead, NULL);

  ahead_run (&ahead);

  g_mutex_lock (&ahead.lock);
  while (ahead.helpers > 0)
    g_cond_wait (&ahead.cond, &ahead.lock);
  g_mutex_unlock (&ahead.lock);
  g_mutex_clear (&ahead.lock);
  g_cond_clear (&ahead.cond);
}
