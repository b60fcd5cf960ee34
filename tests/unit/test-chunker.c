/* test-chunker.c — FastCDC cut points and the fd reader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "allset-protocol.h"

#define MIB (1024 * 1024)

typedef struct
{
  guint64    offset;
  gsize      length;
  AllsetHash id;
} Cut;

/* splitmix64: the same bytes on every run and every machine, which the
 * pinned cut points below depend on. */
static guint8 *
pseudo_random_bytes (gsize   len,
                     guint64 seed)
{
  guint8 *data = g_malloc (len);

  for (gsize i = 0; i < len; i += 8)
    {
      guint64 z;

      seed += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
      z = seed;
      z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
      z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
      z = GUINT64_TO_LE (z ^ (z >> 31));
      memcpy (data + i, &z, MIN (8, len - i));
    }

  return data;
}

static GArray *
cut_in_memory (const guint8 *data,
               gsize         len)
{
  GArray *cuts = g_array_new (FALSE, FALSE, sizeof (Cut));
  gsize offset = 0;

  while (offset < len)
    {
      Cut cut = { offset, allset_chunker_cut (data + offset, len - offset) };

      g_assert_cmpuint (cut.length, >, 0);
      allset_sha256 (data + offset, cut.length, &cut.id);
      g_array_append_val (cuts, cut);
      offset += cut.length;
    }

  return cuts;
}

/* Reads every chunk from fd, checking each against data. */
static GArray *
cut_from_fd (int           fd,
             const guint8 *data,
             gsize         len)
{
  g_autoptr(AllsetChunkReader) reader = allset_chunk_reader_new (fd);
  g_autoptr(GError) error = NULL;
  GArray *cuts = g_array_new (FALSE, FALSE, sizeof (Cut));
  AllsetChunk chunk;
  guint64 expected_offset = 0;

  while (allset_chunk_reader_next (reader, &chunk, &error))
    {
      Cut cut = { chunk.offset, chunk.length, chunk.id };

      g_assert_cmpuint (chunk.offset, ==, expected_offset);
      g_assert_cmpuint (chunk.offset + chunk.length, <=, len);
      g_assert_cmpmem (chunk.data, chunk.length, data + chunk.offset, chunk.length);
      g_array_append_val (cuts, cut);
      expected_offset += chunk.length;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (expected_offset, ==, len);

  /* The end is sticky. */
  g_assert_false (allset_chunk_reader_next (reader, &chunk, &error));
  g_assert_no_error (error);

  return cuts;
}

static void
assert_same_cuts (GArray *a,
                  GArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);

  for (guint i = 0; i < a->len; i++)
    {
      Cut *x = &g_array_index (a, Cut, i);
      Cut *y = &g_array_index (b, Cut, i);

      g_assert_cmpuint (x->offset, ==, y->offset);
      g_assert_cmpuint (x->length, ==, y->length);
      g_assert_true (allset_hash_equal (&x->id, &y->id));
    }
}

static void
assert_bounds (GArray *cuts)
{
  for (guint i = 0; i < cuts->len; i++)
    {
      Cut *cut = &g_array_index (cuts, Cut, i);

      if (i + 1 < cuts->len)
        g_assert_cmpuint (cut->length, >=, ALLSET_CHUNK_MIN);
      g_assert_cmpuint (cut->length, <=, ALLSET_CHUNK_MAX);
    }
}

static void
test_small_input (void)
{
  g_autofree guint8 *data = pseudo_random_bytes (ALLSET_CHUNK_MIN, 1);

  g_assert_cmpuint (allset_chunker_cut (data, 0), ==, 0);
  g_assert_cmpuint (allset_chunker_cut (data, 1), ==, 1);
  g_assert_cmpuint (allset_chunker_cut (data, 100 * 1024), ==, 100 * 1024);
  g_assert_cmpuint (allset_chunker_cut (data, ALLSET_CHUNK_MIN), ==, ALLSET_CHUNK_MIN);
}

/* These lengths are part of the protocol: if this test fails, clients and
 * servers of different versions would cut the same file differently. */
static void
test_pinned_cuts (void)
{
  static const gsize expected[] = {
    1133583, 1134553, 1256350, 1268944, 677604, 1119214,
    772103, 1257771, 1329232, 1596892, 689985, 1708021,
    1316924, 1261590, 1103606, 1220040, 1458333, 666775,
  };
  g_autofree guint8 *data = pseudo_random_bytes (20 * MIB, 42);
  g_autoptr(GArray) cuts = cut_in_memory (data, 20 * MIB);
  g_autoptr(GArray) again = cut_in_memory (data, 20 * MIB);

  assert_same_cuts (cuts, again);

  g_assert_cmpuint (cuts->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < cuts->len; i++)
    g_assert_cmpuint (g_array_index (cuts, Cut, i).length, ==, expected[i]);
}

static void
test_bounds (void)
{
  g_autofree guint8 *data = pseudo_random_bytes (64 * MIB, 7);
  g_autoptr(GArray) cuts = cut_in_memory (data, 64 * MIB);
  gsize total = 0;

  assert_bounds (cuts);

  for (guint i = 0; i < cuts->len; i++)
    total += g_array_index (cuts, Cut, i).length;
  g_assert_cmpuint (total, ==, 64 * MIB);

  /* Normalised chunking keeps the average near 1 MiB. */
  g_assert_cmpuint (total / cuts->len, >, MIB / 2);
  g_assert_cmpuint (total / cuts->len, <, 2 * MIB);
}

static void
test_maximum (void)
{
  /* The gear hash of a constant run is constant too and never a cut point,
   * so only the maximum ends these chunks. */
  g_autofree guint8 *data = g_malloc0 (10 * MIB);
  g_autoptr(GArray) cuts = cut_in_memory (data, 10 * MIB);

  g_assert_cmpuint (cuts->len, ==, 3);
  g_assert_cmpuint (g_array_index (cuts, Cut, 0).length, ==, ALLSET_CHUNK_MAX);
  g_assert_cmpuint (g_array_index (cuts, Cut, 1).length, ==, ALLSET_CHUNK_MAX);
  g_assert_cmpuint (g_array_index (cuts, Cut, 2).length, ==, 2 * MIB);
}

static void
test_insertion (void)
{
  const gsize len = 20 * MIB;
  const gsize edit = len / 2;
  g_autofree guint8 *data = pseudo_random_bytes (len, 1234);
  g_autofree guint8 *edited = g_malloc (len + 100);
  g_autoptr(GArray) before = NULL;
  g_autoptr(GArray) after = NULL;
  g_autoptr(GHashTable) known = g_hash_table_new (g_bytes_hash, g_bytes_equal);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  guint changed = 0;

  memcpy (edited, data, edit);
  memset (edited + edit, 'x', 100);
  memcpy (edited + edit + 100, data + edit, len - edit);

  before = cut_in_memory (data, len);
  after = cut_in_memory (edited, len + 100);
  assert_bounds (after);

  for (guint i = 0; i < before->len; i++)
    {
      Cut *cut = &g_array_index (before, Cut, i);
      GBytes *id = g_bytes_new (cut->id.bytes, ALLSET_HASH_LEN);

      g_ptr_array_add (ids, id);
      g_hash_table_add (known, id);
    }

  for (guint i = 0; i < after->len; i++)
    {
      Cut *cut = &g_array_index (after, Cut, i);
      g_autoptr(GBytes) id = g_bytes_new (cut->id.bytes, ALLSET_HASH_LEN);

      /* Every chunk that ends before the edit is untouched, in place. */
      if (cut->offset + cut->length <= edit)
        {
          Cut *old = &g_array_index (before, Cut, i);

          g_assert_cmpuint (cut->offset, ==, old->offset);
          g_assert_true (allset_hash_equal (&cut->id, &old->id));
        }

      if (!g_hash_table_contains (known, id))
        changed++;
    }

  g_test_message ("%u of %u chunks changed", changed, after->len);
  g_assert_cmpuint (changed, >=, 1);
  g_assert_cmpuint (changed, <=, 3);
}

static void
test_reader_file (void)
{
  /* Not a multiple of anything, so the last refill is a short one. */
  const gsize len = 20 * MIB + 12345;
  g_autofree guint8 *data = pseudo_random_bytes (len, 99);
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) expected = NULL;
  g_autoptr(GArray) cuts = NULL;
  int fd;

  /* g_file_set_contents() replaces the file, so open it afterwards. */
  fd = g_file_open_tmp ("allset-chunker-XXXXXX", &path, &error);
  g_assert_no_error (error);
  g_close (fd, NULL);
  g_assert_true (g_file_set_contents (path, (const char *) data, len, &error));
  g_assert_no_error (error);
  fd = g_open (path, O_RDONLY, 0);
  g_assert_cmpint (fd, >=, 0);

  expected = cut_in_memory (data, len);
  cuts = cut_from_fd (fd, data, len);
  assert_same_cuts (expected, cuts);

  g_close (fd, NULL);
  g_unlink (path);
}

typedef struct
{
  int           fd;
  const guint8 *data;
  gsize         len;
} PipeWriter;

static gpointer
write_pipe (gpointer user_data)
{
  PipeWriter *writer = user_data;
  gsize done = 0;

  /* Small writes, so the reader sees many short reads. */
  while (done < writer->len)
    {
      gssize n = write (writer->fd, writer->data + done, MIN (writer->len - done, 10000));

      g_assert_cmpint (n, >, 0);
      done += n;
    }
  g_close (writer->fd, NULL);

  return NULL;
}

static void
test_reader_pipe (void)
{
  const gsize len = 9 * MIB + 1;
  g_autofree guint8 *data = pseudo_random_bytes (len, 5);
  g_autoptr(GArray) expected = cut_in_memory (data, len);
  g_autoptr(GArray) cuts = NULL;
  PipeWriter writer = { -1, data, len };
  GThread *thread;
  int fds[2];

  g_assert_no_errno (pipe (fds));
  writer.fd = fds[1];
  thread = g_thread_new ("pipe-writer", write_pipe, &writer);

  cuts = cut_from_fd (fds[0], data, len);
  assert_same_cuts (expected, cuts);

  g_thread_join (thread);
  g_close (fds[0], NULL);
}

static void
test_reader_empty (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetChunkReader) reader = NULL;
  AllsetChunk chunk;
  int fd;

  fd = g_file_open_tmp ("allset-chunker-XXXXXX", &path, &error);
  g_assert_no_error (error);

  reader = allset_chunk_reader_new (fd);
  g_assert_false (allset_chunk_reader_next (reader, &chunk, &error));
  g_assert_no_error (error);

  g_close (fd, NULL);
  g_unlink (path);
}

static void
test_reader_error (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetChunkReader) reader = NULL;
  AllsetChunk chunk;
  int fd;

  dir = g_dir_make_tmp ("allset-chunker-XXXXXX", &error);
  g_assert_no_error (error);

  /* read() on a directory fails with EISDIR. */
  fd = g_open (dir, O_RDONLY, 0);
  g_assert_cmpint (fd, >=, 0);

  reader = allset_chunk_reader_new (fd);
  g_assert_false (allset_chunk_reader_next (reader, &chunk, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY);

  g_close (fd, NULL);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/chunker/small-input", test_small_input);
  g_test_add_func ("/chunker/pinned-cuts", test_pinned_cuts);
  g_test_add_func ("/chunker/bounds", test_bounds);
  g_test_add_func ("/chunker/maximum", test_maximum);
  g_test_add_func ("/chunker/insertion", test_insertion);
  g_test_add_func ("/chunker/reader-file", test_reader_file);
  g_test_add_func ("/chunker/reader-pipe", test_reader_pipe);
  g_test_add_func ("/chunker/reader-empty", test_reader_empty);
  g_test_add_func ("/chunker/reader-error", test_reader_error);

  return g_test_run ();
}
