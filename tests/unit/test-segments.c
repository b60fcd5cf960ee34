/* test-segments.c — large chunks appended to segments
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real store and the real file-system chunk store in a scratch
 * directory. What matters: every chunk put reads back, from a record on
 * an aligned boundary; records written by many threads at once never
 * overlap; a segment closes at its size and is never reopened; its
 * padding is not mistaken for dead records, while a dead record still
 * leaves the disk, and so do the bytes a crash left past its last
 * record; and nothing registers in a pack that was forgotten.
 */

#define _GNU_SOURCE 1

#include <string.h>

#include <glib/gstdio.h>

#include "allset-chunk-store-fs.h"
#include "allset-pack-collect.h"
#include "allset-segments.h"
#include "store-fixture.h"
#include "test-tree.h"

#define DAY (24 * 60 * 60)
#define MIB (1024 * 1024)
/* Room for three 1 MiB records, not four: the smallest size allowed. */
#define SMALL_SEGMENT (4 * MIB + ALLSET_SEGMENT_ALIGN)

typedef struct
{
  Fixture           base;
  char             *chunks_dir;
  AllsetChunkStore *chunks;
  AllsetSegments   *segments;
} SegmentFixture;

static void
segment_set_up (SegmentFixture *f,
                gconstpointer   data)
{
  fixture_set_up (&f->base, data);
  f->chunks = fixture_chunk_store (&f->base, &f->chunks_dir);
  f->segments = allset_segments_new (f->base.store, f->chunks, ALLSET_SEGMENT_MAX_SIZE);
}

static void
segment_tear_down (SegmentFixture *f,
                   gconstpointer   data)
{
  g_clear_object (&f->segments);
  g_clear_object (&f->chunks);
  g_free (f->chunks_dir);
  fixture_tear_down (&f->base, data);
}

/* size letters, no NUL (the fixture's op_put takes a string), starting
 * with tag so that each content is its own. */
static char *
content_new (const char *tag,
             gsize       size)
{
  char *content = g_malloc (size + 1);
  gsize tag_len = MIN (strlen (tag), size);

  for (gsize i = 0; i < size; i++)
    content[i] = 'a' + (i * 7 + i / 4093) % 26;
  memcpy (content, tag, tag_len);
  content[size] = '\0';
  return content;
}

static void
put (SegmentFixture *f,
     AllsetAccount  *account,
     const char     *content)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new_static (content, strlen (content));
  AllsetHash id;

  allset_sha256 (content, strlen (content), &id);
  g_assert_true (allset_segments_put (f->segments, account->id, &id, bytes, NULL, &error));
  g_assert_no_error (error);
}

/* Where the chunk is registered, after checking that it reads back. */
static AllsetStoredChunk
assert_reads (SegmentFixture *f,
              AllsetAccount  *account,
              const char     *content)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  AllsetStoredChunk where = { 0, };
  AllsetHash id;

  allset_sha256 (content, strlen (content), &id);
  g_assert_true (allset_store_chunk_get (f->base.store, account->id, &id, &where));
  g_assert_null (where.data);
  g_assert_cmpint (where.pack_id, >, 0);
  /* The header before the bytes starts the record, on a block. */
  g_assert_cmpuint ((where.pack_offset - ALLSET_PACK_RECORD_HEADER) % ALLSET_SEGMENT_ALIGN, ==, 0);
  bytes = allset_chunk_store_read (f->chunks, account->id, &id, where.pack_id,
                                   where.pack_offset, where.size, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                   content, strlen (content));
  return where;
}

static gint64
pack_of (SegmentFixture *f,
         AllsetAccount  *account,
         const char     *content)
{
  AllsetStoredChunk where = assert_reads (f, account, content);
  gint64 pack_id = where.pack_id;

  allset_stored_chunk_clear (&where);
  return pack_id;
}

/* A column of pack_id's row. */
static guint
pack_column (SegmentFixture *f,
             const char     *column,
             gint64          pack_id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM packs WHERE id = %" G_GINT64_FORMAT,
                                          column, pack_id);

  return count_rows (&f->base, sql);
}

static void
test_round_trip (SegmentFixture *f,
                 gconstpointer   data)
{
  g_autofree char *first = content_new ("first", MIB);
  g_autofree char *odd = content_new ("odd", 70001);
  g_autofree char *third = content_new ("third", 3 * MIB + 5);
  g_autofree char *theirs = content_new ("bob's", MIB);
  g_autofree char *path = NULL;
  gint64 pack_id;
  GStatBuf st;

  put (f, f->base.alice, first);
  put (f, f->base.alice, odd);
  put (f, f->base.alice, third);
  pack_id = pack_of (f, f->base.alice, first);
  g_assert_cmpint (pack_of (f, f->base.alice, odd), ==, pack_id);
  g_assert_cmpint (pack_of (f, f->base.alice, third), ==, pack_id);

  /* Its size is where the last record's padding ends, and the file
   * holds that much; it is weighed by blocks. */
  g_assert_cmpuint (pack_column (f, "align", pack_id),
                    ==, ALLSET_SEGMENT_ALIGN);
  g_assert_cmpuint (pack_column (f, "size", pack_id),
                    ==, (MIB + 4096) + (70001 + 36 + 4095) / 4096 * 4096 + (3 * MIB + 4096));
  path = g_strdup_printf ("%s/%" G_GINT64_FORMAT "/packs/%" G_GINT64_FORMAT ".pack",
                          f->chunks_dir, f->base.alice->id, pack_id);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, pack_column (f, "size", pack_id));

  /* Another account's chunks go to a segment of its own. */
  put (f, f->base.bob, theirs);
  g_assert_cmpint (pack_of (f, f->base.bob, theirs), !=, pack_id);
  g_assert_cmpuint (pack_column (f, "account_id", pack_of (f, f->base.bob, theirs)), ==, f->base.bob->id);

  /* After a restart the next record starts a new segment: the old one's
   * end is not known for sure (a record may have been half written). */
  g_clear_object (&f->segments);
  f->segments = allset_segments_new (f->base.store, f->chunks, ALLSET_SEGMENT_MAX_SIZE);
  {
    g_autofree char *later = content_new ("after a restart", MIB);

    put (f, f->base.alice, later);
    g_assert_cmpint (pack_of (f, f->base.alice, later), >, pack_id);
  }
  g_assert_cmpint (pack_of (f, f->base.alice, first), ==, pack_id);
}

static void
test_rotate (SegmentFixture *f,
             gconstpointer   data)
{
  g_autoptr(GPtrArray) contents = g_ptr_array_new_with_free_func (g_free);
  gint64 first_pack;

  g_clear_object (&f->segments);
  f->segments = allset_segments_new (f->base.store, f->chunks, SMALL_SEGMENT);

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *tag = g_strdup_printf ("chunk %u", i);

      g_ptr_array_add (contents, content_new (tag, MIB));
      put (f, f->base.alice, g_ptr_array_index (contents, i));
    }

  first_pack = pack_of (f, f->base.alice, g_ptr_array_index (contents, 0));
  g_assert_cmpint (pack_of (f, f->base.alice, g_ptr_array_index (contents, 1)), ==, first_pack);
  g_assert_cmpint (pack_of (f, f->base.alice, g_ptr_array_index (contents, 2)), ==, first_pack);
  g_assert_cmpint (pack_of (f, f->base.alice, g_ptr_array_index (contents, 3)), >, first_pack);
  g_assert_cmpuint (pack_column (f, "size", first_pack), <=, SMALL_SEGMENT);
}

#define THREADS        8
#define PER_THREAD     6

typedef struct
{
  SegmentFixture *f;
  guint           index;
} Writer;

static gpointer
writer_run (gpointer data)
{
  Writer *writer = data;

  for (guint i = 0; i < PER_THREAD; i++)
    {
      g_autofree char *tag = g_strdup_printf ("thread %u chunk %u", writer->index, i);
      g_autofree char *content = content_new (tag, 200000 + writer->index * 4099 + i * 17);

      put (writer->f, writer->f->base.alice, content);
    }
  return NULL;
}

/* Records handed out side by side land side by side, each whole. */
static void
test_concurrent (SegmentFixture *f,
                 gconstpointer   data)
{
  GThread *threads[THREADS];
  Writer writers[THREADS];
  g_autoptr(GArray) ends = g_array_new (FALSE, FALSE, sizeof (guint64));

  g_clear_object (&f->segments);
  f->segments = allset_segments_new (f->base.store, f->chunks, SMALL_SEGMENT);

  for (guint t = 0; t < THREADS; t++)
    {
      writers[t] = (Writer) { f, t };
      threads[t] = g_thread_new ("writer", writer_run, &writers[t]);
    }
  for (guint t = 0; t < THREADS; t++)
    g_thread_join (threads[t]);

  for (guint t = 0; t < THREADS; t++)
    for (guint i = 0; i < PER_THREAD; i++)
      {
        g_autofree char *tag = g_strdup_printf ("thread %u chunk %u", t, i);
        g_autofree char *content = content_new (tag, 200000 + t * 4099 + i * 17);
        g_auto(AllsetStoredChunk) where = assert_reads (f, f->base.alice, content);
      }

  /* 48 records of ~200 KB do not fit one 4 MiB segment: several were
   * open in turn, and every one of them is full to its registered end. */
  g_assert_cmpuint (count_rows (&f->base, "SELECT count(*) FROM packs"), >, 1);
  g_assert_cmpuint (count_rows (&f->base,
                                "SELECT count(*) FROM packs WHERE size != (SELECT sum ((size + 36 + 4095) / 4096 * 4096) "
                                "FROM chunks WHERE pack_id = packs.id)"), ==, 0);
}

static void
test_collect (SegmentFixture *f,
              gconstpointer   data)
{
  const AllsetRetention retention = { .versions_keep = 2, .versions_days = 30, .trash_days = 30 };
  g_autofree char *kept = content_new ("kept: a committed file", MIB + 3);
  g_autofree char *dead = content_new ("DEAD-never-committed", MIB + 7);
  g_autofree char *full = content_new ("alone in its segment", 2 * MIB + 1);
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 mixed, alone, moved;

  put (f, f->base.alice, kept);
  put (f, f->base.alice, dead);
  /* The same bytes twice: the second record is dead weight too. */
  put (f, f->base.alice, kept);
  mixed = pack_of (f, f->base.alice, kept);
  commit_one (&f->base, f->base.alice, op_put ("kept.bin", 0, kept));

  g_clear_object (&f->segments);
  f->segments = allset_segments_new (f->base.store, f->chunks, ALLSET_SEGMENT_MAX_SIZE);
  put (f, f->base.alice, full);
  alone = pack_of (f, f->base.alice, full);
  commit_one (&f->base, f->base.alice, op_put ("full.bin", 0, full));

  /* Young: nothing moves. */
  allset_store_purge (f->base.store, &retention, now, &error);
  g_assert_no_error (error);
  assert_packs_collect (&f->base, f->chunks, now, 0, 0);

  /* Two days on the uncommitted chunk's row goes. The mixed segment is
   * rewritten with its one live record; the other, whose only gap is the
   * padding after its record, stays as it is. */
  allset_store_purge (f->base.store, &retention, now + 2 * DAY, &error);
  g_assert_no_error (error);
  assert_packs_collect (&f->base, f->chunks, now + 2 * DAY, 0, 1);
  moved = pack_of (f, f->base.alice, kept);
  g_assert_cmpint (moved, !=, mixed);
  g_assert_cmpint (pack_of (f, f->base.alice, full), ==, alone);

  /* The old file goes at the next run, and the dead bytes with it. */
  g_assert_true (test_tree_holds (f->chunks_dir, "DEAD-never-committed"));
  assert_packs_collect (&f->base, f->chunks, now + 2 * DAY, 1, 0);
  g_assert_false (test_tree_holds (f->chunks_dir, "DEAD-never-committed"));
  assert_reads (f, f->base.alice, kept);
  assert_reads (f, f->base.alice, full);
  assert_packs_collect (&f->base, f->chunks, now + 4 * DAY, 0, 0);
}

/* A crash between a record's write and its registration leaves bytes past
 * the segment's last registered record: counted on the next start, they
 * leave the disk with the segment's compaction. */
static void
test_leftovers (SegmentFixture *f,
                gconstpointer   data)
{
  const AllsetRetention retention = { .versions_keep = 2, .versions_days = 30, .trash_days = 30 };
  g_autofree char *kept = content_new ("kept: registered and committed", MIB + 11);
  g_autofree char *lost = content_new ("LOST-written-never-registered", MIB + 13);
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 pack_id;
  guint size;
  FILE *file;

  put (f, f->base.alice, kept);
  commit_one (&f->base, f->base.alice, op_put ("kept.bin", 0, kept));
  pack_id = pack_of (f, f->base.alice, kept);
  size = pack_column (f, "size", pack_id);

  /* The crash: the server is gone without closing its segment, and its
   * file holds one more record than the store knows of. */
  g_clear_object (&f->segments);
  g_assert_cmpuint (pack_column (f, "size", pack_id), ==, size);
  path = g_strdup_printf ("%s/%" G_GINT64_FORMAT "/packs/%" G_GINT64_FORMAT ".pack",
                          f->chunks_dir, f->base.alice->id, pack_id);
  file = fopen (path, "ab");
  g_assert_nonnull (file);
  g_assert_cmpuint (fwrite (lost, 1, strlen (lost), file), ==, strlen (lost));
  g_assert_cmpint (fclose (file), ==, 0);

  /* Fully live as far as the store knew: nothing to compact. */
  allset_store_purge (f->base.store, &retention, now + 2 * DAY, &error);
  g_assert_no_error (error);
  assert_packs_collect (&f->base, f->chunks, now + 2 * DAY, 0, 0);

  /* The next start counts the file's end; the collector then rewrites
   * the segment with its live record, and the old file goes. */
  f->segments = allset_segments_new (f->base.store, f->chunks, ALLSET_SEGMENT_MAX_SIZE);
  g_assert_cmpuint (pack_column (f, "size", pack_id), ==, size + strlen (lost));
  assert_packs_collect (&f->base, f->chunks, now + 2 * DAY, 0, 1);
  assert_packs_collect (&f->base, f->chunks, now + 2 * DAY, 1, 0);
  g_assert_false (test_tree_holds (f->chunks_dir, "LOST-written-never-registered"));
  g_assert_cmpint (pack_of (f, f->base.alice, kept), !=, pack_id);
}

/* A segment's record is registered after it is written; if the pack was
 * forgotten in between, the registration fails and nothing points into
 * a file that is gone. */
static void
test_forgotten (SegmentFixture *f,
                gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  AllsetPackedChunk chunk = { { { 0 } }, 100000, ALLSET_PACK_RECORD_HEADER };
  AllsetHash id;
  gint64 pack_id;

  pack_id = allset_store_segment_new (f->base.store, f->base.alice->id, ALLSET_SEGMENT_ALIGN, &error);
  g_assert_no_error (error);
  g_assert_true (allset_store_pack_forget (f->base.store, pack_id, &error));
  g_assert_no_error (error);

  allset_sha256 ("whatever", 8, &chunk.id);
  g_assert_false (allset_store_chunks_add_packed (f->base.store, f->base.alice->id, pack_id,
                                                  ALLSET_SEGMENT_ALIGN * 25, &chunk, 1, &error));
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INTERNAL);
  id = chunk.id;
  {
    g_auto(AllsetStoredChunk) where = { 0, };

    g_assert_false (allset_store_chunk_get (f->base.store, f->base.alice->id, &id, &where));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/segments/round-trip", SegmentFixture, NULL, segment_set_up, test_round_trip, segment_tear_down);
  g_test_add ("/segments/rotate", SegmentFixture, NULL, segment_set_up, test_rotate, segment_tear_down);
  g_test_add ("/segments/concurrent", SegmentFixture, NULL, segment_set_up, test_concurrent, segment_tear_down);
  g_test_add ("/segments/collect", SegmentFixture, NULL, segment_set_up, test_collect, segment_tear_down);
  g_test_add ("/segments/leftovers", SegmentFixture, NULL, segment_set_up, test_leftovers, segment_tear_down);
  g_test_add ("/segments/forgotten", SegmentFixture, NULL, segment_set_up, test_forgotten, segment_tear_down);

  return g_test_run ();
}
