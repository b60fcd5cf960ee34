/* test-chunk-parallel.c — the threaded cutter agrees with the sequential reader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Chunk ids are file ids: a cut or hash that differs from the reader's by
 * one byte would make every large file look changed to the server (and
 * its chunks unknown). So the two are compared on sizes around every
 * edge: empty, under one chunk, around the block size (4 MiB) and the
 * tail each block carries, many blocks, and data that never finds a boundary
 * (zeros: every chunk is ALLSET_CHUNK_MAX).
 */

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "allset-chunk-parallel.h"
#include "allset-protocol.h"

#define MIB (1024 * 1024)

static guint8 *
pseudo_random_bytes (gsize   len,
                     guint64 seed)
{
  guint8 *data = g_malloc (MAX (len, 1));

  for (gsize i = 0; i < len; i += 8)
    {
      guint64 z;

      seed += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
      z = seed;
      z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
      z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
      z = z ^ (z >> 31);
      memcpy (data + i, &z, MIN (8, len - i));
    }
  return data;
}

static int
file_with (const guint8 *data,
           gsize         len,
           char        **path)
{
  g_autoptr(GError) error = NULL;
  int fd = g_file_open_tmp ("allset-chunk-parallel-XXXXXX", path, &error);

  g_assert_no_error (error);
  g_assert_cmpint (write (fd, data, len), ==, (gssize) len);
  return fd;
}

static void
assert_same_as_reader (const guint8 *data,
                       gsize         len,
                       guint         threads)
{
  g_autofree char *path = NULL;
  g_autoptr(GArray) parallel = NULL;
  g_autoptr(AllsetChunkReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  AllsetChunk chunk;
  guint i = 0;
  guint64 total = 0;
  int fd = file_with (data, len, &path);

  parallel = allset_chunk_fd_parallel (fd, threads, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (parallel);

  g_assert_cmpint (lseek (fd, 0, SEEK_SET), ==, 0);
  reader = allset_chunk_reader_new (fd);
  while (allset_chunk_reader_next (reader, &chunk, &error))
    {
      const AllsetChunk *got;
      AllsetHash expected;

      g_assert_cmpuint (i, <, parallel->len);
      got = &g_array_index (parallel, AllsetChunk, i);
      g_assert_cmpuint (got->offset, ==, chunk.offset);
      g_assert_cmpuint (got->length, ==, chunk.length);
      g_assert_true (allset_hash_equal (&got->id, &chunk.id));
      /* And the id is the bytes' own, not just the reader's. */
      allset_sha256 (data + got->offset, got->length, &expected);
      g_assert_true (allset_hash_equal (&got->id, &expected));
      total += got->length;
      i++;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (i, ==, parallel->len);
  g_assert_cmpuint (total, ==, len);

  close (fd);
  g_unlink (path);
}

static void
test_sizes (void)
{
  /* 0, tiny, one chunk, around one and two 4 MiB blocks (and the tail
   * each carries), many blocks. */
  const gsize sizes[] = {
    0, 1, 4096, 256 * 1024, 4 * MIB - 1, 4 * MIB, 4 * MIB + 1, 8 * MIB - 1, 8 * MIB, 8 * MIB + 1,
    16 * MIB + 1, 20 * MIB + 12345, 33 * MIB, 49 * MIB + 7,
  };
  g_autofree guint8 *data = pseudo_random_bytes (49 * MIB + 7, 7);

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_test_message ("%" G_GSIZE_FORMAT " bytes", sizes[i]);
      assert_same_as_reader (data, sizes[i], 2);
    }
}

static void
test_no_boundary (void)
{
  /* Zeros never trigger a cut: every chunk is ALLSET_CHUNK_MAX, and each
   * block ends with a tail that must be carried whole. */
  g_autofree guint8 *zeros = g_malloc0 (37 * MIB);

  assert_same_as_reader (zeros, 37 * MIB, 2);
}

static void
test_threads (void)
{
  g_autofree guint8 *data = pseudo_random_bytes (40 * MIB, 11);

  assert_same_as_reader (data, 40 * MIB, 1);
  assert_same_as_reader (data, 40 * MIB, 4);
}

typedef struct
{
  GMutex     lock;
  GPtrArray *views;     /* GBytes, kept past the read */
  GArray    *chunks;    /* AllsetChunk, as the sink saw them */
} Sunk;

static void
sink (const AllsetChunk *chunk,
      GBytes            *bytes,
      gpointer           user_data)
{
  Sunk *sunk = user_data;

  g_mutex_lock (&sunk->lock);
  g_ptr_array_add (sunk->views, g_bytes_ref (bytes));
  g_array_append_val (sunk->chunks, *chunk);
  g_mutex_unlock (&sunk->lock);
}

static void
test_sink (void)
{
  const gsize len = 30 * MIB + 12345;
  g_autofree guint8 *data = pseudo_random_bytes (len, 13);
  g_autofree char *path = NULL;
  g_autoptr(GArray) chunks = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) offsets = g_hash_table_new (g_int64_hash, g_int64_equal);
  Sunk sunk = { { 0 } };
  int fd = file_with (data, len, &path);

  g_mutex_init (&sunk.lock);
  sunk.views = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  sunk.chunks = g_array_new (FALSE, FALSE, sizeof (AllsetChunk));
  chunks = allset_chunk_fd_parallel (fd, 3, sink, &sunk, &error);
  g_assert_no_error (error);
  close (fd);
  g_unlink (path);

  /* Every chunk once, with the bytes it was hashed from: views the sink
   * kept stay valid after the read has ended and its blocks went back. */
  g_assert_cmpuint (sunk.chunks->len, ==, chunks->len);
  g_assert_cmpuint (chunks->len, >, 8);
  for (guint i = 0; i < sunk.chunks->len; i++)
    {
      AllsetChunk *seen = &g_array_index (sunk.chunks, AllsetChunk, i);
      GBytes *view = g_ptr_array_index (sunk.views, i);
      gsize n;
      const guint8 *bytes = g_bytes_get_data (view, &n);
      AllsetHash id;

      g_assert_cmpuint (n, ==, seen->length);
      g_assert_cmpmem (bytes, n, data + seen->offset, seen->length);
      allset_sha256 (bytes, n, &id);
      g_assert_true (allset_hash_equal (&id, &seen->id));
      g_assert_false (g_hash_table_contains (offsets, &seen->offset));
      g_hash_table_add (offsets, &seen->offset);
    }
  for (guint i = 0; i < chunks->len; i++)
    g_assert_true (g_hash_table_contains (offsets, &g_array_index (chunks, AllsetChunk, i).offset));

  g_ptr_array_unref (sunk.views);
  g_array_unref (sunk.chunks);
  g_mutex_clear (&sunk.lock);
}

static void
test_read_error (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) chunks = NULL;
  g_autofree char *dir = g_dir_make_tmp ("allset-chunk-parallel-XXXXXX", NULL);
  int fd = open (dir, O_RDONLY | O_DIRECTORY);

  /* A directory: pread() fails with EISDIR. */
  g_assert_cmpint (fd, >=, 0);
  chunks = allset_chunk_fd_parallel (fd, 2, NULL, NULL, &error);
  g_assert_null (chunks);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY);
  close (fd);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/chunk-parallel/sizes", test_sizes);
  g_test_add_func ("/chunk-parallel/no-boundary", test_no_boundary);
  g_test_add_func ("/chunk-parallel/threads", test_threads);
  g_test_add_func ("/chunk-parallel/sink", test_sink);
  g_test_add_func ("/chunk-parallel/read-error", test_read_error);

  return g_test_run ();
}
