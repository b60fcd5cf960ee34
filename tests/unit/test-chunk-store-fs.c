/* test-chunk-store-fs.c — the file-system chunk store's writes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Chunks of every size around the O_DIRECT edges (the 64 KiB threshold,
 * the 4 KiB block, the largest chunk) must read back byte for byte, with
 * no padding left on disk and nothing left in the temp directory. Where
 * the filesystem takes O_DIRECT, a large chunk must also not sit in the
 * page cache afterwards (mincore), which is the point of writing it so.
 * The same holds for a segment's records, written in any order; a
 * segment's file is made once, and only a made one takes records.
 */

#define _GNU_SOURCE 1

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "allset-chunk-store-fs.h"
#include "test-tree.h"

typedef struct
{
  char             *dir;
  AllsetChunkStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("allset-chunk-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->store = allset_chunk_store_fs_new (f->dir, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->store);
  test_tree_remove (f->dir);
  g_free (f->dir);
}

static GBytes *
pattern (gsize   len,
         guint32 seed)
{
  guint8 *data = g_malloc (len);
  GRand *rand = g_rand_new_with_seed (seed);

  for (gsize i = 0; i < len; i++)
    data[i] = g_rand_int (rand) & 0xff;
  g_rand_free (rand);
  return g_bytes_new_take (data, len);
}

static AllsetHash
id_of (GBytes *bytes)
{
  g_autoptr(AllsetHasher) hasher = allset_hasher_new ();
  AllsetHash id;

  allset_hasher_update (hasher, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  allset_hasher_finish (hasher, &id);
  return id;
}

static char *
chunk_path (Fixture          *f,
            const AllsetHash *id)
{
  char hex[ALLSET_HASH_HEX_LEN + 1];
  char prefix[3];

  allset_hash_to_hex_buf (id, hex);
  prefix[0] = hex[0];
  prefix[1] = hex[1];
  prefix[2] = 0;
  return g_build_filename (f->dir, "7", prefix, hex, NULL);
}

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  const gsize sizes[] = { 1, 4095, 4096, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1,
                          1024 * 1024 + 7, 3 * 1024 * 1024 + 4096, ALLSET_CHUNK_MAX - 1,
                          ALLSET_CHUNK_MAX };
  g_autofree char *tmp = g_build_filename (f->dir, "tmp", NULL);
  g_autoptr(GDir) tmp_dir = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GBytes) bytes = pattern (sizes[i], i + 1);
      g_autoptr(GBytes) back = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *path = NULL;
      AllsetHash id = id_of (bytes);
      GStatBuf st;

      g_test_message ("chunk of %" G_GSIZE_FORMAT " bytes", sizes[i]);
      g_assert_true (allset_chunk_store_put (f->store, 7, &id, bytes, &error));
      g_assert_no_error (error);

      /* The padding to a whole block must be cut off on disk too. */
      path = chunk_path (f, &id);
      g_assert_cmpint (g_stat (path, &st), ==, 0);
      g_assert_cmpint (st.st_size, ==, sizes[i]);

      back = allset_chunk_store_get (f->store, 7, &id, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (back, bytes));

      /* Storing it again changes nothing. */
      g_assert_true (allset_chunk_store_put (f->store, 7, &id, bytes, &error));
      g_assert_no_error (error);
    }

  tmp_dir = g_dir_open (tmp, 0, NULL);
  g_assert_nonnull (tmp_dir);
  g_assert_null (g_dir_read_name (tmp_dir));
}

static gboolean
takes_o_direct (const char *dir)
{
  g_autofree char *probe = g_build_filename (dir, "o-direct-probe", NULL);
  int fd = open (probe, O_WRONLY | O_CREAT | O_DIRECT | O_CLOEXEC, 0600);

  if (fd < 0)
    return FALSE;
  close (fd);
  g_unlink (probe);
  return TRUE;
}

/* How many of the file's pages are in the page cache, without reading
 * it (mmap alone faults nothing in; mincore only looks). */
static gsize
resident_pages (const char *path,
                gsize      *total)
{
  long page = sysconf (_SC_PAGESIZE);
  GStatBuf st;
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  void *map;
  g_autofree unsigned char *vec = NULL;
  gsize n, resident = 0;

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  n = (st.st_size + page - 1) / page;
  map = mmap (NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
  g_assert_true (map != MAP_FAILED);
  vec = g_malloc (n);
  g_assert_cmpint (mincore (map, st.st_size, vec), ==, 0);
  for (gsize i = 0; i < n; i++)
    resident += vec[i] & 1;
  munmap (map, st.st_size);
  close (fd);
  *total = n;
  return resident;
}

static void
test_large_bypasses_cache (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GBytes) large = pattern (2 * 1024 * 1024 + 123, 42);
  g_autoptr(GBytes) small = pattern (16 * 1024, 43);
  g_autoptr(GError) error = NULL;
  g_autofree char *large_path = NULL;
  g_autofree char *small_path = NULL;
  AllsetHash large_id = id_of (large);
  AllsetHash small_id = id_of (small);
  gsize total, resident;

  if (!takes_o_direct (f->dir))
    {
      g_test_skip ("the temporary directory's filesystem refuses O_DIRECT");
      return;
    }

  g_assert_true (allset_chunk_store_put (f->store, 7, &large_id, large, &error));
  g_assert_no_error (error);
  g_assert_true (allset_chunk_store_put (f->store, 7, &small_id, small, &error));
  g_assert_no_error (error);

  large_path = chunk_path (f, &large_id);
  resident = resident_pages (large_path, &total);
  g_test_message ("large chunk: %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " pages cached",
                  resident, total);
  /* At most the last, partial block went through the cache (ftruncate). */
  g_assert_cmpuint (resident, <=, 1);

  /* The control: a small chunk is written plainly and stays cached, so
   * the check above can tell the two apart. */
  small_path = chunk_path (f, &small_id);
  resident = resident_pages (small_path, &total);
  g_assert_cmpuint (resident, ==, total);
}

static void
test_segment (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GBytes) first = pattern (ALLSET_CHUNK_MAX, 44);
  g_autoptr(GBytes) second = pattern (1024 * 1024 + 77, 45);
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "7", "packs", "3.pack", NULL);
  AllsetHash first_id = id_of (first);
  AllsetHash second_id = id_of (second);
  /* The first record takes the largest chunk, padded to a block. */
  guint64 second_at = ALLSET_CHUNK_MAX + ALLSET_SEGMENT_ALIGN;
  g_autoptr(GBytes) in_block = NULL;
  g_autofree char *raw = NULL;
  guint8 *block = NULL;
  gsize second_size, second_padded, raw_len;
  gsize total, resident;
  GStatBuf st;

  g_assert_true (allset_chunk_store_segment_create (f->store, 7, 3, &error));
  g_assert_no_error (error);
  /* The second record is written before the first, as concurrent uploads
   * may. It comes in a block laid out as its record (allset-body.h), with
   * garbage where its header and padding go: both are written in place. */
  second_size = g_bytes_get_size (second);
  second_padded = (ALLSET_PACK_RECORD_HEADER + second_size + ALLSET_SEGMENT_ALIGN - 1) &
                  ~(gsize) (ALLSET_SEGMENT_ALIGN - 1);
  g_assert_cmpint (posix_memalign ((void **) &block, ALLSET_SEGMENT_ALIGN, second_padded), ==, 0);
  memset (block, 0xa5, second_padded);
  memcpy (block + ALLSET_PACK_RECORD_HEADER, g_bytes_get_data (second, NULL), second_size);
  in_block = g_bytes_new_with_free_func (block + ALLSET_PACK_RECORD_HEADER, second_size, free, block);
  g_assert_true (allset_chunk_store_segment_write (f->store, 7, 3, second_at, &second_id, in_block, block,
                                                   &error));
  g_assert_no_error (error);
  g_assert_true (allset_chunk_store_segment_write (f->store, 7, 3, 0, &first_id, first, NULL, &error));
  g_assert_no_error (error);

  /* Written around the page cache: nothing of it is cached before it is
   * read back. */
  if (takes_o_direct (f->dir))
    {
      resident = resident_pages (path, &total);
      g_test_message ("segment: %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " pages cached", resident, total);
      g_assert_cmpuint (resident, ==, 0);
    }

  back = allset_chunk_store_pack_read (f->store, 7, 3, &first_id, ALLSET_PACK_RECORD_HEADER,
                                       ALLSET_CHUNK_MAX, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, first));
  g_clear_pointer (&back, g_bytes_unref);
  back = allset_chunk_store_pack_read (f->store, 7, 3, &second_id, second_at + ALLSET_PACK_RECORD_HEADER,
                                       g_bytes_get_size (second), &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, second));

  /* Both records on disk as the format says: id, big-endian length, the
   * bytes, zeros to the block's end. */
  g_assert_true (g_file_get_contents (path, &raw, &raw_len, &error));
  g_assert_no_error (error);
  g_assert_nonnull (raw);
  for (guint i = 0; i < 2; i++)
    {
      const guint8 *at = (const guint8 *) raw + (i == 0 ? 0 : second_at);
      GBytes *chunk = i == 0 ? first : second;
      gsize size = g_bytes_get_size (chunk);
      gsize end = i == 0 ? second_at : (gsize) raw_len - second_at;
      guint32 length;

      g_assert_true (memcmp (at, (i == 0 ? &first_id : &second_id)->bytes, ALLSET_HASH_LEN) == 0);
      memcpy (&length, at + ALLSET_HASH_LEN, sizeof length);
      g_assert_cmpuint (GUINT32_FROM_BE (length), ==, size);
      g_assert_true (memcmp (at + ALLSET_PACK_RECORD_HEADER, g_bytes_get_data (chunk, NULL), size) == 0);
      for (gsize j = ALLSET_PACK_RECORD_HEADER + size; j < end; j++)
        g_assert_cmpuint (at[j], ==, 0);
    }

  /* Each record ends on a block: the file too. */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_size % ALLSET_SEGMENT_ALIGN, ==, 0);
  g_assert_cmpint (st.st_size, ==, second_at + ((ALLSET_PACK_RECORD_HEADER + g_bytes_get_size (second) +
                                                 ALLSET_SEGMENT_ALIGN - 1) / ALLSET_SEGMENT_ALIGN) *
                                                ALLSET_SEGMENT_ALIGN);


  /* A segment is made once: the same number again is refused, and a
   * number never made takes no record. */
  g_assert_false (allset_chunk_store_segment_create (f->store, 7, 3, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_false (allset_chunk_store_segment_write (f->store, 7, 4, 0, &first_id, first, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/chunk-store-fs/round-trip", Fixture, NULL,
              fixture_set_up, test_round_trip, fixture_tear_down);
  g_test_add ("/chunk-store-fs/large-bypasses-cache", Fixture, NULL,
              fixture_set_up, test_large_bypasses_cache, fixture_tear_down);
  g_test_add ("/chunk-store-fs/segment", Fixture, NULL,
              fixture_set_up, test_segment, fixture_tear_down);

  return g_test_run ();
}
