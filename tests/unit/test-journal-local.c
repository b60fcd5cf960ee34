/* test-journal-local.c — the journal's cache of the scan: entries, chunks,
 * batches
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <sqlite3.h>

#include "journal-fixture.h"

static void
test_local (Fixture       *fixture,
            gconstpointer  data)
{
  AllsetJournal *j = fixture->journal;
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetLocalEntry) dir = allset_local_entry_new ("Été", ALLSET_ENTRY_DIR);
  g_autoptr(AllsetLocalEntry) file = allset_local_entry_new ("Été/a.bin", ALLSET_ENTRY_FILE);
  g_autoptr(GArray) chunks = g_array_new (FALSE, TRUE, sizeof (AllsetLocalChunk));
  g_autoptr(GArray) got = NULL;
  g_autoptr(GPtrArray) where = NULL;
  g_autoptr(GHashTable) snapshot = NULL;
  g_autoptr(AllsetLocalEntry) back = NULL;
  AllsetLocalChunk chunk = { 0 };
  g_autofree char *k = NULL;

  /* Stored decomposed on disk. */
  dir->disk_path = allset_entry_string ("E\xcc\x81te\xcc\x81");
  file->disk_path = allset_entry_string ("E\xcc\x81te\xcc\x81/a.bin");
  file->file_id = allset_entry_string (ID_A);
  file->size = 300;
  file->mtime_ns = 5;
  for (guint i = 0; i < 3; i++)
    {
      memset (chunk.id.bytes, 'a' + i, ALLSET_HASH_LEN);
      chunk.offset = i * 100;
      chunk.size = 100;
      g_array_append_val (chunks, chunk);
    }
  g_assert_true (allset_journal_local_put (j, dir, NULL, &error));
  g_assert_true (allset_journal_local_put (j, file, chunks, &error));
  g_assert_no_error (error);

  got = allset_journal_local_chunks (j, "Été/a.bin", &error);
  g_assert_cmpuint (got->len, ==, 3);
  g_assert_cmpint (g_array_index (got, AllsetLocalChunk, 2).offset, ==, 200);
  g_assert_cmpint (g_array_index (got, AllsetLocalChunk, 2).id.bytes[0], ==, 'c');
  g_clear_pointer (&got, g_array_unref);

  memset (chunk.id.bytes, 'b', ALLSET_HASH_LEN);
  where = allset_journal_find_chunk (j, &chunk.id, &error);
  g_assert_cmpuint (where->len, ==, 1);
  g_assert_cmpstr (((AllsetChunkLocation *) where->pdata[0])->path, ==, "Été/a.bin");
  g_assert_cmpstr (((AllsetChunkLocation *) where->pdata[0])->disk_path, ==, "E\xcc\x81te\xcc\x81/a.bin");
  g_assert_cmpint (((AllsetChunkLocation *) where->pdata[0])->offset, ==, 100);
  g_assert_cmpint (((AllsetChunkLocation *) where->pdata[0])->file_size, ==, 300);
  g_assert_cmpint (((AllsetChunkLocation *) where->pdata[0])->file_mtime_ns, ==, 5);
  g_clear_pointer (&where, g_ptr_array_unref);

  /* NULL chunks keeps them (an execute bit change), empty drops them. */
  file->executable = TRUE;
  g_assert_true (allset_journal_local_put (j, file, NULL, &error));
  got = allset_journal_local_chunks (j, "Été/a.bin", &error);
  g_assert_cmpuint (got->len, ==, 3);
  g_clear_pointer (&got, g_array_unref);

  /* After the executor renamed the directory to its NFC name, the names
   * below keep their bytes on disk. */
  g_assert_true (allset_journal_local_rename (j, "Été", "Hiver", &error));
  g_assert_no_error (error);
  back = allset_journal_local_get (j, "Hiver/a.bin", &error);
  g_assert_cmpstr (back->disk_path, ==, "Hiver/a.bin");
  g_assert_true (back->executable);
  g_clear_pointer (&back, allset_local_entry_free);
  back = allset_journal_local_get (j, "Hiver", &error);
  g_assert_null (back->disk_path);
  g_clear_pointer (&back, allset_local_entry_free);
  got = allset_journal_local_chunks (j, "Hiver/a.bin", &error);
  g_assert_cmpuint (got->len, ==, 3);
  g_clear_pointer (&got, g_array_unref);

  snapshot = allset_journal_snapshot_local (j, "Hiver", &error);
  k = journal_test_sorted_keys (snapshot);
  g_assert_cmpstr (k, ==, "Hiver Hiver/a.bin");
  g_clear_pointer (&snapshot, g_hash_table_unref);

  g_array_set_size (chunks, 0);
  g_clear_pointer (&file->path, allset_entry_string_release);
  file->path = allset_entry_string ("Hiver/a.bin");
  g_assert_true (allset_journal_local_put (j, file, chunks, &error));
  got = allset_journal_local_chunks (j, "Hiver/a.bin", &error);
  g_assert_cmpuint (got->len, ==, 0);

  g_assert_true (allset_journal_local_delete (j, "Hiver", TRUE, &error));
  snapshot = allset_journal_snapshot_local (j, "", &error);
  g_assert_cmpuint (g_hash_table_size (snapshot), ==, 0);
}

/* The scanner's batches: all of them or none, their chunks included. */
static void
test_local_many (Fixture       *fixture,
                 gconstpointer  data)
{
  AllsetJournal *j = fixture->journal;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) one = g_array_new (FALSE, TRUE, sizeof (AllsetLocalChunk));
  g_autoptr(GHashTable) snapshot = NULL;
  g_autoptr(GArray) got = NULL;
  AllsetLocalEntry *entries[3];
  GArray *chunks[3] = { one, NULL, one };
  AllsetLocalChunk chunk = { { { 7 } }, 0, 10 };
  sqlite3 *db = NULL;

  g_array_append_val (one, chunk);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *path = g_strdup_printf ("f%u", i);

      entries[i] = allset_local_entry_new (path, ALLSET_ENTRY_FILE);
      entries[i]->file_id = allset_entry_string (ID_A);
      entries[i]->size = 10;
    }

  g_assert_true (allset_journal_local_put_many (j, (const AllsetLocalEntry * const *) entries, chunks, 3, &error));
  g_assert_no_error (error);
  snapshot = allset_journal_snapshot_local (j, "", &error);
  g_assert_cmpuint (g_hash_table_size (snapshot), ==, 3);
  g_clear_pointer (&snapshot, g_hash_table_unref);
  got = allset_journal_local_chunks (j, "f2", &error);
  g_assert_cmpuint (got->len, ==, 1);
  g_clear_pointer (&got, g_array_unref);

  /* The second of a batch refused: the first is not kept either. */
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TRIGGER refuse BEFORE INSERT ON local WHEN NEW.path = 'g1' "
                                     "BEGIN SELECT RAISE (ABORT, 'refused'); END;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *path = g_strdup_printf ("g%u", i);

      allset_entry_string_release (entries[i]->path);
      entries[i]->path = allset_entry_string (path);
    }
  g_assert_false (allset_journal_local_put_many (j, (const AllsetLocalEntry * const *) entries, chunks, 3, &error));
  g_assert_nonnull (error);
  snapshot = allset_journal_snapshot_local (j, "", NULL);
  g_assert_cmpuint (g_hash_table_size (snapshot), ==, 3);
  g_assert_false (g_hash_table_contains (snapshot, "g0"));
  got = allset_journal_local_chunks (j, "g0", NULL);
  g_assert_cmpuint (got->len, ==, 0);

  for (guint i = 0; i < 3; i++)
    allset_local_entry_free (entries[i]);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  JOURNAL_TEST_ADD ("local", test_local);
  JOURNAL_TEST_ADD ("local-many", test_local_many);

  return g_test_run ();
}
