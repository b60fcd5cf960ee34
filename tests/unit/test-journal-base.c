/* test-journal-base.c — the journal's base: rows, states and receipts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <sqlite3.h>

#include "journal-fixture.h"

/* Receipts live in a table of their own (schema 2): they follow their
 * row through renames, go with it on delete or replace, and a schema-1
 * journal keeps every receipt when it is migrated. */
static gint64
count_receipts (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM receipts", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static void
test_receipts (Fixture       *fixture,
               gconstpointer  data)
{
  AllsetJournal *j = fixture->journal;
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetBaseEntry) entry = NULL;
  const char *paths[] = { "D", "D/a", "D/b", "Dx" };
  sqlite3 *db = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(AllsetBaseEntry) e = journal_test_base_file (paths[i], ID_A, i + 1);
      g_autofree char *receipt = g_strdup_printf ("{\"n\": %u}", i);

      e->state = ALLSET_FILE_VERIFIED;
      e->receipt = allset_entry_string (receipt);
      g_assert_true (allset_journal_base_put (j, e, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpint (count_receipts (fixture->path), ==, 4);

  /* A rename carries the receipts along, and only those below it. */
  g_assert_true (allset_journal_base_rename (j, "D", "E", &error));
  entry = allset_journal_base_get (j, "E/b", &error);
  g_assert_cmpstr (entry->receipt, ==, "{\"n\": 2}");
  g_clear_pointer (&entry, allset_base_entry_free);
  entry = allset_journal_base_get (j, "Dx", &error);
  g_assert_cmpstr (entry->receipt, ==, "{\"n\": 3}");
  g_clear_pointer (&entry, allset_base_entry_free);

  /* A put without a receipt replaces the row whole. */
  entry = allset_journal_base_get (j, "Dx", &error);
  g_clear_pointer (&entry->receipt, allset_entry_string_release);
  entry->state = ALLSET_FILE_UPLOADED;
  g_assert_true (allset_journal_base_put (j, entry, &error));
  g_clear_pointer (&entry, allset_base_entry_free);
  entry = allset_journal_base_get (j, "Dx", &error);
  g_assert_null (entry->receipt);
  g_clear_pointer (&entry, allset_base_entry_free);
  g_assert_cmpint (count_receipts (fixture->path), ==, 3);

  /* A subtree delete takes its receipts. */
  g_assert_true (allset_journal_base_delete (j, "E", TRUE, &error));
  g_assert_cmpint (count_receipts (fixture->path), ==, 0);

  /* A schema-1 journal (receipts inline in base) is migrated whole. */
  entry = journal_test_base_file ("old.txt", ID_A, 9);
  entry->state = ALLSET_FILE_VERIFIED;
  entry->receipt = allset_entry_string ("{\"old\": true}");
  g_assert_true (allset_journal_base_put (j, entry, &error));
  g_clear_pointer (&entry, allset_base_entry_free);
  g_clear_object (&fixture->journal);
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "ALTER TABLE base ADD COLUMN receipt TEXT;"
                                 "UPDATE base SET receipt = (SELECT receipt FROM receipts AS r WHERE r.path = base.path);"
                                 "DROP TABLE receipts;"
                                 "PRAGMA user_version=1;",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  fixture->journal = allset_journal_open (fixture->path, &error);
  g_assert_no_error (error);
  entry = allset_journal_base_get (fixture->journal, "old.txt", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (entry->receipt, ==, "{\"old\": true}");
  g_assert_cmpint (entry->state, ==, ALLSET_FILE_VERIFIED);
  g_assert_cmpint (count_receipts (fixture->path), ==, 1);
}

/* Receipts (~1 030 bytes each) stay in their table's leaves (schema 3):
 * in a WITHOUT ROWID table each one took an overflow page of its own,
 * 4 KiB per file. */
static void
test_receipt_pages (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *receipt = g_strnfill (1100, 'r');
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 bytes;

  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *path = g_strdup_printf ("d/f%03u.bin", i);
      g_autoptr(AllsetBaseEntry) e = journal_test_base_file (path, ID_A, i + 1);

      e->state = ALLSET_FILE_VERIFIED;
      e->receipt = allset_entry_string (receipt);
      g_assert_true (allset_journal_base_put (fixture->journal, e, &error));
      g_assert_no_error (error);
    }
  g_clear_object (&fixture->journal);

  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT sum (pgsize) FROM dbstat WHERE name = 'receipts'",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  bytes = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_test_message ("300 receipts of 1 100 bytes: %" G_GINT64_FORMAT " bytes of pages", bytes);
  g_assert_cmpint (bytes, <, 300 * 1100 * 3 / 2);
}

static void
test_base (Fixture       *fixture,
           gconstpointer  data)
{
  AllsetJournal *j = fixture->journal;
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetBaseEntry) entry = NULL;
  g_autoptr(GHashTable) snapshot = NULL;
  const char *paths[] = { "A", "A/x", "A/y/z", "A b", "A.txt", "AB", "B" };
  guint counts[4];
  guint64 total = 0;
  g_autofree char *k = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(AllsetBaseEntry) e = journal_test_base_file (paths[i], ID_A, i + 1);

      g_assert_true (allset_journal_base_put (j, e, &error));
      g_assert_no_error (error);
    }

  entry = allset_journal_base_get (j, "A/y/z", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (entry->file_id, ==, ID_A);
  g_assert_cmpint (entry->mtime_ns, ==, G_GINT64_CONSTANT (1764160000123456789));
  g_assert_cmpuint (entry->inode, ==, G_GUINT64_CONSTANT (0xfedcba9876543210));
  g_assert_cmpuint (entry->dev, ==, 2049);
  g_assert_cmpint (entry->state, ==, ALLSET_FILE_PENDING);
  g_clear_pointer (&entry, allset_base_entry_free);
  g_assert_null (allset_journal_base_get (j, "nope", &error));
  g_assert_no_error (error);

  /* Rename a subtree: neighbours that share the prefix stay. */
  g_assert_true (allset_journal_base_rename (j, "A", "Z/A2", &error));
  snapshot = allset_journal_snapshot_base (j, FALSE, NULL, &error);
  k = journal_test_sorted_keys (snapshot);
  g_assert_cmpstr (k, ==, "A b A.txt AB B Z/A2 Z/A2/x Z/A2/y/z");
  g_clear_pointer (&k, g_free);
  g_clear_pointer (&snapshot, g_hash_table_unref);

  g_assert_true (allset_journal_base_delete (j, "Z/A2", TRUE, &error));
  g_assert_true (allset_journal_base_delete (j, "B", FALSE, &error));
  snapshot = allset_journal_snapshot_base (j, FALSE, NULL, &error);
  k = journal_test_sorted_keys (snapshot);
  g_assert_cmpstr (k, ==, "A b A.txt AB");
  g_clear_pointer (&k, g_free);
  g_clear_pointer (&snapshot, g_hash_table_unref);

  /* pending → uploaded → verified. */
  g_assert_true (allset_journal_base_set_state (j, "AB", ALLSET_FILE_UPLOADED,
                                                "{\"revision\": 6}", &error));
  g_assert_true (allset_journal_base_set_state (j, "A b", ALLSET_FILE_VERIFIED, "{}", &error));
  g_assert_no_error (error);
  entry = allset_journal_base_get (j, "A b", &error);
  g_assert_cmpint (entry->state, ==, ALLSET_FILE_VERIFIED);
  g_assert_cmpint (entry->verified_at, >, 0);
  g_assert_cmpstr (entry->receipt, ==, "{}");
  g_clear_pointer (&entry, allset_base_entry_free);
  g_assert_true (allset_journal_base_set_state (j, "A b", ALLSET_FILE_UPLOADED, NULL, &error));
  entry = allset_journal_base_get (j, "A b", &error);
  g_assert_cmpint (entry->verified_at, ==, 0);
  g_assert_cmpstr (entry->receipt, ==, "{}");
  g_assert_false (allset_journal_base_set_state (j, "gone", ALLSET_FILE_VERIFIED, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Receipts only when asked for (a sync pass does not need them). */
  snapshot = allset_journal_snapshot_base (j, TRUE, NULL, &error);
  g_assert_cmpstr (((AllsetBaseEntry *) g_hash_table_lookup (snapshot, "A b"))->receipt, ==, "{}");
  g_clear_pointer (&snapshot, g_hash_table_unref);
  snapshot = allset_journal_snapshot_base (j, FALSE, NULL, &error);
  g_assert_null (((AllsetBaseEntry *) g_hash_table_lookup (snapshot, "A b"))->receipt);
  g_assert_cmpint (((AllsetBaseEntry *) g_hash_table_lookup (snapshot, "A b"))->state, ==, ALLSET_FILE_UPLOADED);
  g_clear_pointer (&snapshot, g_hash_table_unref);

  /* Three files of 3 bytes left (the preflight's "already on disk"). */
  g_assert_true (allset_journal_base_total_size (j, &total, &error));
  g_assert_cmpuint (total, ==, 9);

  g_assert_true (allset_journal_base_count_states (j, counts, &error));
  g_assert_cmpuint (counts[ALLSET_FILE_PENDING], ==, 1);
  g_assert_cmpuint (counts[ALLSET_FILE_UPLOADED], ==, 2);
  g_assert_cmpuint (counts[ALLSET_FILE_VERIFIED], ==, 0);

  g_assert_true (allset_journal_base_delete (j, "", TRUE, &error));
  snapshot = allset_journal_snapshot_base (j, FALSE, NULL, &error);
  g_assert_cmpuint (g_hash_table_size (snapshot), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  JOURNAL_TEST_ADD ("receipts", test_receipts);
  JOURNAL_TEST_ADD ("receipt-pages", test_receipt_pages);
  JOURNAL_TEST_ADD ("base", test_base);

  return g_test_run ();
}
