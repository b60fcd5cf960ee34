/* test-packs.c — packs of small chunks: their files, registry and collection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real store and the real file-system chunk store in a scratch
 * directory. What matters: a chunk reads back from its pack, a registry
 * pointing at the wrong record is an error rather than someone else's
 * bytes, a pack is written once, and once a chunk is collected its bytes
 * leave the disk even though its pack holds live chunks too.
 */

#define _GNU_SOURCE 1

#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "allset-chunk-store-fs.h"
#include "allset-pack-collect.h"
#include "store-fixture.h"
#include "test-tree.h"

#define DAY (24 * 60 * 60)

typedef struct
{
  Fixture           base;
  char             *chunks_dir;
  AllsetChunkStore *chunks;
} PackFixture;

static void
pack_set_up (PackFixture   *f,
             gconstpointer  data)
{
  fixture_set_up (&f->base, data);
  f->chunks = fixture_chunk_store (&f->base, &f->chunks_dir);
}

static void
pack_tear_down (PackFixture   *f,
                gconstpointer  data)
{
  g_clear_object (&f->chunks);
  g_free (f->chunks_dir);
  fixture_tear_down (&f->base, data);
}

/* Records as a client sends them in POST /api/v1/chunks/pack. */
static GBytes *
records_of (const char * const *contents,
            AllsetPackedChunk  *out)
{
  GByteArray *records = g_byte_array_new ();

  for (guint i = 0; contents[i] != NULL; i++)
    {
      guint32 size = strlen (contents[i]);
      guint32 length = GUINT32_TO_BE (size);

      allset_sha256 (contents[i], size, &out[i].id);
      out[i].size = size;
      g_byte_array_append (records, out[i].id.bytes, ALLSET_HASH_LEN);
      g_byte_array_append (records, (const guint8 *) &length, sizeof length);
      out[i].offset = records->len;
      g_byte_array_append (records, (const guint8 *) contents[i], size);
    }
  return g_byte_array_free_to_bytes (records);
}

/* What the pack route does: row, file, registry. */
static gint64
upload_pack (PackFixture        *f,
             AllsetAccount      *account,
             const char * const *contents)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) records = NULL;
  AllsetPackedChunk packed[8];
  gint64 pack_id;

  g_assert_cmpuint (g_strv_length ((char **) contents), <=, G_N_ELEMENTS (packed));
  records = records_of (contents, packed);
  pack_id = allset_store_pack_new (f->base.store, account->id, &error);
  g_assert_no_error (error);
  g_assert_true (allset_chunk_store_pack_put (f->chunks, account->id, pack_id, records, &error));
  g_assert_no_error (error);
  g_assert_true (allset_store_chunks_add_packed (f->base.store, account->id, pack_id,
                                                 g_bytes_get_size (records), packed,
                                                 g_strv_length ((char **) contents), &error));
  g_assert_no_error (error);
  return pack_id;
}

/* The chunk's bytes as the routes read them, or NULL with error set. */
static GBytes *
read_chunk (PackFixture    *f,
            AllsetAccount  *account,
            const char     *content,
            gint64         *pack_id,
            GError        **error)
{
  g_auto(AllsetStoredChunk) where = { 0, };
  AllsetHash id;

  allset_sha256 (content, strlen (content), &id);
  if (!allset_store_chunk_get (f->base.store, account->id, &id, &where))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "not registered");
      return NULL;
    }
  if (pack_id != NULL)
    *pack_id = where.pack_id;
  g_assert_null (where.data);
  return allset_chunk_store_read (f->chunks, account->id, &id, where.pack_id,
                                  where.pack_offset, where.size, error);
}

static void
assert_reads (PackFixture   *f,
              AllsetAccount *account,
              const char    *content)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = read_chunk (f, account, content, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                   content, strlen (content));
}

static void
test_round_trip (PackFixture   *f,
                 gconstpointer  data)
{
  const char * const contents[] = { "first chunk", "second", "the third chunk of three", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GBytes) bytes = NULL;
  AllsetPackedChunk packed[3];
  gint64 pack_id;

  pack_id = upload_pack (f, f->base.alice, contents);
  for (guint i = 0; contents[i] != NULL; i++)
    assert_reads (f, f->base.alice, contents[i]);

  /* The registry pointing at the wrong record: an error, never the bytes
   * of another chunk (here: the second's offset, asked as the first). */
  g_bytes_unref (records_of (contents, packed));
  bytes = allset_chunk_store_pack_read (f->chunks, f->base.alice->id, pack_id, &packed[0].id,
                                        packed[1].offset, packed[0].size, &error);
  g_assert_null (bytes);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INTERNAL);
  g_clear_error (&error);
  bytes = allset_chunk_store_pack_read (f->chunks, f->base.alice->id, pack_id, &packed[0].id,
                                        packed[0].offset, packed[0].size + 1, &error);
  g_assert_null (bytes);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INTERNAL);
  g_clear_error (&error);

  /* Another account's pack numbers lead nowhere: packs live per account. */
  bytes = allset_chunk_store_pack_read (f->chunks, f->base.bob->id, pack_id, &packed[0].id,
                                        packed[0].offset, packed[0].size, &error);
  g_assert_null (bytes);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INTERNAL);
  g_clear_error (&error);

  /* A pack is written once: the same number again is refused and the
   * first file stays whole. */
  again = g_bytes_new_static ("junk", 4);
  g_assert_false (allset_chunk_store_pack_put (f->chunks, f->base.alice->id, pack_id, again, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  assert_reads (f, f->base.alice, contents[2]);

  /* Gone is gone, and removing it twice is fine. */
  g_assert_true (allset_chunk_store_pack_remove (f->chunks, f->base.alice->id, pack_id, &error));
  g_assert_true (allset_chunk_store_pack_remove (f->chunks, f->base.alice->id, pack_id, &error));
  g_assert_no_error (error);
  bytes = read_chunk (f, f->base.alice, contents[0], NULL, &error);
  g_assert_null (bytes);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INTERNAL);
}

static void
test_collect (PackFixture   *f,
              gconstpointer  data)
{
  const AllsetRetention retention = { .versions_keep = 2, .versions_days = 30, .trash_days = 30 };
  const char * const contents[] = { "kept: the first file", "DELETED-CONTENT-never-committed",
                                    "kept: the second file", NULL };
  const char * const orphans[] = { "an upload that never got registered", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) orphan_records = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  AllsetPackedChunk orphan[1];
  gint64 pack_id, moved_to = 0, moved_again = 0, no_file, no_rows;

  pack_id = upload_pack (f, f->base.alice, contents);
  /* A pack a chunk points into is never forgotten, so its file stays:
   * the collection forgets the row before it removes the file. */
  g_assert_false (allset_store_pack_forget (f->base.store, pack_id, &error));
  g_assert_no_error (error);
  commit_one (&f->base, f->base.alice, op_put ("a.txt", 0, contents[0]));
  commit_one (&f->base, f->base.alice, op_put ("c.txt", 0, contents[2]));

  /* A crash after the pack's row but before its file, and one after the
   * file but before its chunks were registered. */
  no_file = allset_store_pack_new (f->base.store, f->base.alice->id, &error);
  g_assert_no_error (error);
  orphan_records = records_of (orphans, orphan);
  no_rows = allset_store_pack_new (f->base.store, f->base.alice->id, &error);
  g_assert_no_error (error);
  g_assert_true (allset_chunk_store_pack_put (f->chunks, f->base.alice->id, no_rows, orphan_records, &error));
  g_assert_no_error (error);

  /* Everything is young: an upload whose commit is still to come is safe. */
  allset_store_purge (f->base.store, &retention, now, &error);
  g_assert_no_error (error);
  assert_packs_collect (&f->base, f->chunks, now, 0, 0);
  assert_reads (f, f->base.alice, contents[1]);

  /* Two days on, the uncommitted chunk's row goes; its pack is rewritten
   * with the two live records, and the orphans go. */
  allset_store_purge (f->base.store, &retention, now + 2 * DAY, &error);
  g_assert_no_error (error);
  assert_packs_collect (&f->base, f->chunks, now + 2 * DAY, 2, 1);
  g_assert_false (test_tree_holds (f->chunks_dir, orphans[0]));
  g_assert_cmpuint (count_rows (&f->base, "SELECT count(*) FROM packs"), ==, 2);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM packs WHERE id IN (%" G_GINT64_FORMAT
                                            ", %" G_GINT64_FORMAT ")", no_file, no_rows);

    g_assert_cmpuint (count_rows (&f->base, sql), ==, 0);
  }

  {
    g_autoptr(GBytes) first = read_chunk (f, f->base.alice, contents[0], &moved_to, &error);

    g_assert_no_error (error);
    g_assert_cmpint (moved_to, !=, pack_id);
    g_assert_cmpint (moved_to, >, no_rows);
  }
  assert_reads (f, f->base.alice, contents[0]);
  assert_reads (f, f->base.alice, contents[2]);

  /* The old file stays one run, for a download that looked its chunks up
   * just before the move; then it goes, and the deleted bytes with it. */
  g_assert_true (test_tree_holds (f->chunks_dir, contents[1]));
  assert_packs_collect (&f->base, f->chunks, now + 2 * DAY, 1, 0);
  g_assert_false (test_tree_holds (f->chunks_dir, contents[1]));
  g_assert_true (test_tree_holds (f->chunks_dir, contents[0]));
  g_assert_cmpuint (count_rows (&f->base, "SELECT count(*) FROM packs"), ==, 1);

  /* A compacted pack holds exactly its live records: nothing to do. */
  assert_packs_collect (&f->base, f->chunks, now + 4 * DAY, 0, 0);
  {
    g_autoptr(GBytes) third = read_chunk (f, f->base.alice, contents[2], &moved_again, &error);

    g_assert_no_error (error);
    g_assert_cmpint (moved_again, ==, moved_to);
  }
}

/* A database from before packs (schema 4) holds inline chunks and files
 * made of them: opened by this server, it gains the pack columns, keeps
 * reading the inline bytes and stores new packs beside them. */
static void
test_upgrade (PackFixture   *f,
              gconstpointer  data)
{
  const char * const later[] = { "a chunk that came after the upgrade", NULL };
  g_autoptr(GError) error = NULL;
  g_auto(AllsetStoredChunk) where = { 0, };
  g_autoptr(AllsetNode) node = NULL;
  AllsetHash old_id;
  sqlite3 *db = NULL;

  old_id = chunk (&f->base, f->base.alice, "inline, from schema 4");
  commit_one (&f->base, f->base.alice, op_put ("old.txt", 0, "inline, from schema 4"));
  g_clear_object (&f->base.store);

  /* Back to schema 4: what migration 5 adds, taken away again. */
  g_assert_cmpint (sqlite3_open (f->base.db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "DROP INDEX chunks_pack;"
                                 "ALTER TABLE chunks DROP COLUMN pack_offset;"
                                 "ALTER TABLE chunks DROP COLUMN pack_id;"
                                 "DROP TABLE packs;"
                                 "PRAGMA user_version=4;",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_cmpuint (count_rows (&f->base, "PRAGMA user_version"), ==, 4);

  f->base.store = allset_store_open (f->base.db_path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_rows (&f->base, "PRAGMA user_version"), ==, 6);

  g_assert_true (allset_store_chunk_get (f->base.store, f->base.alice->id, &old_id, &where));
  g_assert_nonnull (where.data);
  g_assert_cmpint (where.pack_id, ==, 0);
  g_assert_cmpmem (g_bytes_get_data (where.data, NULL), g_bytes_get_size (where.data),
                   "inline, from schema 4", strlen ("inline, from schema 4"));
  node = get_file (&f->base, f->base.alice->id, "old.txt");
  g_assert_nonnull (node);
  g_assert_cmpuint (node->chunks->len, ==, 1);

  upload_pack (f, f->base.alice, later);
  assert_reads (f, f->base.alice, later[0]);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/packs/round-trip", PackFixture, NULL, pack_set_up, test_round_trip, pack_tear_down);
  g_test_add ("/packs/collect", PackFixture, NULL, pack_set_up, test_collect, pack_tear_down);
  g_test_add ("/packs/upgrade", PackFixture, NULL, pack_set_up, test_upgrade, pack_tear_down);

  return g_test_run ();
}
