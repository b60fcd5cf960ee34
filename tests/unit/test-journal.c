/* test-journal.c — the per-folder SQLite journal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "allset-journal.h"

#define ID_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

typedef struct
{
  char          *dir;
  char          *path;
  AllsetJournal *journal;
} Fixture;

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        rm_rf (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("test-journal-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "state", "allset", "j.db", NULL);
  fixture->journal = allset_journal_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->journal);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_object (&fixture->journal);
  rm_rf (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

static void
change (AllsetJournal  *journal,
        gint64          seq,
        AllsetChangeOp  op,
        const char     *path,
        const char     *to_or_id)
{
  g_autoptr(GError) error = NULL;
  AllsetChange c = { 0 };

  c.seq = seq;
  c.op = op;
  c.path = (char *) path;
  c.revision = seq;
  if (op == ALLSET_CHANGE_MOVE)
    c.to = (char *) to_or_id;
  if (op == ALLSET_CHANGE_PUT)
    {
      c.file_id = (char *) (to_or_id ? to_or_id : ID_A);
      c.size = 3;
      c.mtime = 1764160000;
      c.executable = seq % 2;
    }
  g_assert_true (allset_journal_apply_change (journal, &c, &error));
  g_assert_no_error (error);
}

static int
compare_strings (const void *a,
                 const void *b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

static char *
sorted_keys (GHashTable *table)
{
  g_autofree const char **list = (const char **) g_hash_table_get_keys_as_array (table, NULL);

  qsort (list, g_hash_table_size (table), sizeof (char *), compare_strings);
  return g_strjoinv (" ", (char **) list);
}

static char *
remote_keys (AllsetJournal *journal,
             const char    *prefix)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) table = allset_journal_snapshot_remote (journal, prefix, NULL, &error);

  g_assert_no_error (error);
  return sorted_keys (table);
}

static void
test_open (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetJournal) again = NULL;
  g_autofree char *parent = g_path_get_dirname (fixture->path);
  struct stat st;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  /* Private: the journal lists every file name of the folder. */
  g_assert_cmpint (g_stat (parent, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (fixture->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, ALLSET_JOURNAL_SCHEMA_VERSION);
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
  sqlite3_finalize (stmt);

  /* Reopening keeps the data and does not migrate twice. */
  g_assert_true (allset_journal_set_cursor (fixture->journal, 42, &error));
  again = allset_journal_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (allset_journal_get_cursor (again), ==, 42);
  g_clear_object (&again);

  /* A journal from a newer version is refused, not damaged. */
  g_clear_object (&fixture->journal);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version=99", NULL, NULL, NULL), ==, SQLITE_OK);
  again = allset_journal_open (fixture->path, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_null (again);
  sqlite3_close (db);
}

static void
test_path_for_folder (void)
{
  g_autofree char *a = allset_journal_path_for_folder ("/home/me/Mes documents");
  g_autofree char *b = allset_journal_path_for_folder ("/home/me/./Mes documents");
  g_autofree char *c = allset_journal_path_for_folder ("/home/other/Mes documents");
  g_autofree char *state = g_build_filename (g_get_user_state_dir (), "allset", "journals", NULL);

  g_assert_true (g_str_has_prefix (a, state));
  g_assert_true (g_str_has_suffix (a, ".db"));
  g_assert_nonnull (strstr (a, "/Mes_documents-"));
  g_assert_cmpstr (a, ==, b);
  g_assert_cmpstr (a, !=, c);
}

static void
test_meta (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  g_assert_cmpint (allset_journal_get_cursor (fixture->journal), ==, 0);
  g_assert_null (allset_journal_get_meta (fixture->journal, ALLSET_JOURNAL_META_DEVICE_NAME));
  g_assert_true (allset_journal_set_meta (fixture->journal, ALLSET_JOURNAL_META_DEVICE_NAME,
                                          "portable", &error));
  value = allset_journal_get_meta (fixture->journal, ALLSET_JOURNAL_META_DEVICE_NAME);
  g_assert_cmpstr (value, ==, "portable");
  g_assert_true (allset_journal_set_meta (fixture->journal, ALLSET_JOURNAL_META_DEVICE_NAME,
                                          NULL, &error));
  g_assert_null (allset_journal_get_meta (fixture->journal, ALLSET_JOURNAL_META_DEVICE_NAME));
  g_assert_true (allset_journal_set_cursor (fixture->journal, G_GINT64_CONSTANT (1) << 40, &error));
  g_assert_cmpint (allset_journal_get_cursor (fixture->journal), ==, G_GINT64_CONSTANT (1) << 40);
  g_assert_no_error (error);
}

static void
test_remote_feed (Fixture       *fixture,
                  gconstpointer  data)
{
  AllsetJournal *j = fixture->journal;
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetRemoteEntry) entry = NULL;
  g_autofree char *k = NULL;

  change (j, 1, ALLSET_CHANGE_MKDIR, "Docs", NULL);
  change (j, 2, ALLSET_CHANGE_PUT, "Docs/a.txt", NULL);
  change (j, 3, ALLSET_CHANGE_MKDIR, "Docs/Été", NULL);
  change (j, 4, ALLSET_CHANGE_PUT, "Docs/Été/b.txt", ID_B);
  change (j, 5, ALLSET_CHANGE_PUT, "Docs.txt", NULL);   /* a sibling that sorts close */
  change (j, 6, ALLSET_CHANGE_PUT, "Docs-2/c.txt", NULL);

  entry = allset_journal_remote_get (j, "Docs/Été/b.txt", &error);
  g_assert_no_error (error);
  g_assert_cmpint (entry->type, ==, ALLSET_ENTRY_FILE);
  g_assert_cmpint (entry->revision, ==, 4);
  g_assert_cmpstr (entry->file_id, ==, ID_B);
  g_assert_cmpint (entry->size, ==, 3);
  g_assert_cmpint (entry->mtime, ==, 1764160000);
  g_assert_false (entry->executable);
  g_clear_pointer (&entry, allset_remote_entry_free);

  /* A directory move carries its subtree, non-ASCII names included; the
   * moved entry takes the move's revision, descendants keep theirs. */
  change (j, 7, ALLSET_CHANGE_MOVE, "Docs", "Archives/Docs 2026");
  k = remote_keys (j, "");
  g_assert_cmpstr (k, ==, "Archives/Docs 2026 Archives/Docs 2026/a.txt Archives/Docs 2026/Été "
                          "Archives/Docs 2026/Été/b.txt Docs-2/c.txt Docs.txt");
  g_clear_pointer (&k, g_free);
  entry = allset_journal_remote_get (j, "Archives/Docs 2026", &error);
  g_assert_cmpint (entry->revision, ==, 7);
  g_clear_pointer (&entry, allset_remote_entry_free);
  entry = allset_journal_remote_get (j, "Archives/Docs 2026/Été/b.txt", &error);
  g_assert_cmpint (entry->revision, ==, 4);
  g_clear_pointer (&entry, allset_remote_entry_free);

  /* Replaying the same move changes nothing. */
  change (j, 7, ALLSET_CHANGE_MOVE, "Docs", "Archives/Docs 2026");
  k = remote_keys (j, "Archives");
  g_assert_cmpstr (k, ==, "Docs 2026 Docs 2026/a.txt Docs 2026/Été Docs 2026/Été/b.txt");
  g_clear_pointer (&k, g_free);

  /* A delete takes the subtree and nothing that merely shares a prefix. */
  change (j, 8, ALLSET_CHANGE_DELETE, "Archives/Docs 2026/Été", NULL);
  change (j, 9, ALLSET_CHANGE_DELETE, "nothing/here", NULL);
  k = remote_keys (j, "");
  g_assert_cmpstr (k, ==, "Archives/Docs 2026 Archives/Docs 2026/a.txt Docs-2/c.txt Docs.txt");
  g_clear_pointer (&k, g_free);

  /* A file over a directory replaces the directory's subtree. */
  change (j, 10, ALLSET_CHANGE_PUT, "Archives/Docs 2026", NULL);
  k = remote_keys (j, "Archives");
  g_assert_cmpstr (k, ==, "Docs 2026");
  g_clear_pointer (&k, g_free);

  /* Bad feed entries are refused. */
  {
    AllsetChange bad = { .seq = 11, .op = ALLSET_CHANGE_MOVE, .path = (char *) "a", .to = (char *) "a/b" };

    g_assert_false (allset_journal_apply_change (j, &bad, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  }
}

static void
test_remote_moves (Fixture       *fixture,
                   gconstpointer  data)
{
  AllsetJournal *j = fixture->journal;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) moves = NULL;
  gint64 max_seq = 0;

  change (j, 1, ALLSET_CHANGE_MKDIR, "Sync", NULL);
  change (j, 2, ALLSET_CHANGE_PUT, "Sync/a", NULL);
  change (j, 3, ALLSET_CHANGE_PUT, "Other", NULL);
  change (j, 4, ALLSET_CHANGE_MOVE, "Sync/a", "Sync/b");
  change (j, 5, ALLSET_CHANGE_MOVE, "Other", "Sync/other");   /* comes in */
  change (j, 6, ALLSET_CHANGE_MOVE, "Sync/b", "Elsewhere");    /* goes out */
  change (j, 7, ALLSET_CHANGE_MOVE, "Sync/other", "Sync/o2");

  moves = allset_journal_list_remote_moves (j, "", &max_seq, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (moves->len, ==, 4);
  g_assert_cmpint (max_seq, ==, 7);
  g_clear_pointer (&moves, g_ptr_array_unref);

  /* Below the folder's prefix: only moves inside it, made relative. */
  moves = allset_journal_list_remote_moves (j, "Sync", &max_seq, &error);
  g_assert_cmpuint (moves->len, ==, 2);
  g_assert_cmpstr (((AllsetRemoteMove *) moves->pdata[0])->from, ==, "a");
  g_assert_cmpstr (((AllsetRemoteMove *) moves->pdata[0])->to, ==, "b");
  g_assert_cmpint (((AllsetRemoteMove *) moves->pdata[1])->seq, ==, 7);
  g_assert_cmpstr (((AllsetRemoteMove *) moves->pdata[1])->from, ==, "other");
  g_assert_cmpstr (((AllsetRemoteMove *) moves->pdata[1])->to, ==, "o2");
  g_clear_pointer (&moves, g_ptr_array_unref);

  g_assert_true (allset_journal_clear_remote_moves (j, 5, &error));
  moves = allset_journal_list_remote_moves (j, "", NULL, &error);
  g_assert_cmpuint (moves->len, ==, 2);
  g_clear_pointer (&moves, g_ptr_array_unref);

  g_assert_true (allset_journal_reset_remote (j, &error));
  moves = allset_journal_list_remote_moves (j, "", NULL, &error);
  g_assert_cmpuint (moves->len, ==, 0);
  g_assert_cmpint (allset_journal_get_cursor (j), ==, 0);
  {
    g_autofree char *k = remote_keys (j, "");

    g_assert_cmpstr (k, ==, "");
  }
}

static void
test_batch (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_change_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) remote = NULL;
  gint64 start;

  for (guint i = 0; i < 10000; i++)
    {
      AllsetChange *c = g_new0 (AllsetChange, 1);

      c->seq = i + 1;
      c->revision = i + 1;
      c->op = i % 100 == 0 ? ALLSET_CHANGE_MKDIR : ALLSET_CHANGE_PUT;
      c->path = i % 100 == 0 ? g_strdup_printf ("d%u", i / 100)
                             : g_strdup_printf ("d%u/f%u", i / 100, i);
      c->file_id = c->op == ALLSET_CHANGE_PUT ? g_strdup (ID_A) : NULL;
      g_ptr_array_add (changes, c);
    }

  /* One transaction: fast, and the cursor moves with the tree. */
  start = g_get_monotonic_time ();
  g_assert_true (allset_journal_apply_changes (fixture->journal, changes, 10000, &error));
  g_assert_no_error (error);
  g_test_message ("10 000 feed entries applied in %.3f s",
                  (g_get_monotonic_time () - start) / 1e6);
  g_assert_cmpint (allset_journal_get_cursor (fixture->journal), ==, 10000);
  remote = allset_journal_snapshot_remote (fixture->journal, "", NULL, &error);
  g_assert_cmpuint (g_hash_table_size (remote), ==, 10000);
  g_clear_pointer (&remote, g_hash_table_unref);

  /* A bad entry in a batch: nothing of it is applied, cursor included. */
  g_ptr_array_set_size (changes, 0);
  {
    AllsetChange *good = g_new0 (AllsetChange, 1);
    AllsetChange *bad = g_new0 (AllsetChange, 1);

    good->op = ALLSET_CHANGE_DELETE;
    good->path = g_strdup ("d0");
    bad->seq = 20000;
    bad->op = ALLSET_CHANGE_PUT;
    bad->path = g_strdup ("no-id");
    g_ptr_array_add (changes, good);
    g_ptr_array_add (changes, bad);
  }
  g_assert_false (allset_journal_apply_changes (fixture->journal, changes, 20000, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpint (allset_journal_get_cursor (fixture->journal), ==, 10000);
  remote = allset_journal_snapshot_remote (fixture->journal, "", NULL, NULL);
  g_assert_cmpuint (g_hash_table_size (remote), ==, 10000);
}

static AllsetBaseEntry *
base_file (const char *path,
           const char *id,
           gint64      revision)
{
  AllsetBaseEntry *entry = allset_base_entry_new (path, ALLSET_ENTRY_FILE);

  entry->file_id = allset_entry_string (id);
  entry->size = 3;
  entry->mtime_ns = G_GINT64_CONSTANT (1764160000123456789);
  entry->revision = revision;
  entry->inode = G_GUINT64_CONSTANT (0xfedcba9876543210);   /* above INT64_MAX */
  entry->dev = 2049;
  return entry;
}

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
      g_autoptr(AllsetBaseEntry) e = base_file (paths[i], ID_A, i + 1);
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
  entry = base_file ("old.txt", ID_A, 9);
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
      g_autoptr(AllsetBaseEntry) e = base_file (path, ID_A, i + 1);

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
      g_autoptr(AllsetBaseEntry) e = base_file (paths[i], ID_A, i + 1);

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
  k = sorted_keys (snapshot);
  g_assert_cmpstr (k, ==, "A b A.txt AB B Z/A2 Z/A2/x Z/A2/y/z");
  g_clear_pointer (&k, g_free);
  g_clear_pointer (&snapshot, g_hash_table_unref);

  g_assert_true (allset_journal_base_delete (j, "Z/A2", TRUE, &error));
  g_assert_true (allset_journal_base_delete (j, "B", FALSE, &error));
  snapshot = allset_journal_snapshot_base (j, FALSE, NULL, &error);
  k = sorted_keys (snapshot);
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
  k = sorted_keys (snapshot);
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

static void
test_issues (Fixture       *fixture,
             gconstpointer  data)
{
  AllsetJournal *j = fixture->journal;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) scan = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_issue_free);
  g_autoptr(GPtrArray) sync = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_issue_free);
  g_autoptr(GPtrArray) list = NULL;

  g_ptr_array_add (scan, allset_issue_new ("a/link", ALLSET_ISSUE_SYMLINK, "Symbolic links are not synced"));
  g_ptr_array_add (scan, allset_issue_new ("b/c:d", ALLSET_ISSUE_UNPORTABLE_NAME, "“c:d” …"));
  g_ptr_array_add (sync, allset_issue_new ("a/Readme", ALLSET_ISSUE_CASE_CLASH, "…"));
  g_assert_true (allset_journal_replace_issues (j, ALLSET_ISSUE_ORIGIN_SCAN, "", scan, &error));
  g_assert_true (allset_journal_replace_issues (j, ALLSET_ISSUE_ORIGIN_SYNC, "", sync, &error));
  g_assert_no_error (error);

  list = allset_journal_list_issues (j, &error);
  g_assert_cmpuint (list->len, ==, 3);
  g_assert_cmpstr (((AllsetIssue *) list->pdata[0])->path, ==, "a/Readme");
  g_assert_cmpint (((AllsetIssue *) list->pdata[1])->kind, ==, ALLSET_ISSUE_SYMLINK);
  g_clear_pointer (&list, g_ptr_array_unref);

  /* A rescan of "a" replaces only the scanner's issues below "a". */
  g_assert_true (allset_journal_replace_issues (j, ALLSET_ISSUE_ORIGIN_SCAN, "a", NULL, &error));
  list = allset_journal_list_issues (j, &error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (((AllsetIssue *) list->pdata[0])->path, ==, "a/Readme");
  g_assert_cmpstr (((AllsetIssue *) list->pdata[1])->path, ==, "b/c:d");
}

static void
test_transactions (Fixture       *fixture,
                   gconstpointer  data)
{
  AllsetJournal *j = fixture->journal;
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetBaseEntry) a = base_file ("a", ID_A, 1);
  g_autoptr(AllsetBaseEntry) b = base_file ("b", ID_A, 2);
  g_autoptr(AllsetBaseEntry) c = base_file ("c", ID_A, 3);
  g_autoptr(GHashTable) snapshot = NULL;
  g_autofree char *k = NULL;

  g_assert_true (allset_journal_begin (j, &error));
  g_assert_true (allset_journal_base_put (j, a, &error));
  /* A nested batch that fails rolls back alone. */
  g_assert_true (allset_journal_begin (j, &error));
  g_assert_true (allset_journal_base_put (j, b, &error));
  allset_journal_rollback (j);
  g_assert_true (allset_journal_begin (j, &error));
  g_assert_true (allset_journal_base_put (j, c, &error));
  g_assert_true (allset_journal_commit (j, &error));
  g_assert_true (allset_journal_commit (j, &error));
  g_assert_no_error (error);

  snapshot = allset_journal_snapshot_base (j, FALSE, NULL, &error);
  k = sorted_keys (snapshot);
  g_assert_cmpstr (k, ==, "a c");
  g_clear_pointer (&k, g_free);
  g_clear_pointer (&snapshot, g_hash_table_unref);

  g_assert_true (allset_journal_begin (j, &error));
  g_assert_true (allset_journal_base_delete (j, "", TRUE, &error));
  allset_journal_rollback (j);
  snapshot = allset_journal_snapshot_base (j, FALSE, NULL, &error);
  g_assert_cmpuint (g_hash_table_size (snapshot), ==, 2);
}

typedef struct
{
  AllsetJournal *journal;
  guint          id;
} Writer;

static gpointer
writer_thread (gpointer data)
{
  Writer *writer = data;

  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *path = g_strdup_printf ("t%u/f%u", writer->id, i);
      g_autoptr(AllsetBaseEntry) entry = base_file (path, ID_B, i + 1);
      g_autoptr(GError) error = NULL;

      /* Half the writes in batches: a batch keeps other threads out. */
      if (i % 2 == 0)
        {
          g_assert_true (allset_journal_begin (writer->journal, &error));
          g_assert_true (allset_journal_base_put (writer->journal, entry, &error));
          g_assert_true (allset_journal_set_cursor (writer->journal, i, &error));
          g_assert_true (allset_journal_commit (writer->journal, &error));
        }
      else
        g_assert_true (allset_journal_base_put (writer->journal, entry, &error));
      g_assert_no_error (error);
    }
  return NULL;
}

static void
test_threads (Fixture       *fixture,
              gconstpointer  data)
{
  Writer writers[4];
  GThread *threads[4];
  g_autoptr(GHashTable) snapshot = NULL;

  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    {
      writers[t] = (Writer) { fixture->journal, t };
      threads[t] = g_thread_new ("writer", writer_thread, &writers[t]);
    }
  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    g_thread_join (threads[t]);

  snapshot = allset_journal_snapshot_base (fixture->journal, FALSE, NULL, NULL);
  g_assert_cmpuint (g_hash_table_size (snapshot), ==, 800);
}

/* The three views of a path share its strings (allset-journal-entry.h):
 * base loaded like the scan, remote like base; a differing id stays a
 * string of its own, and each view outlives the others. */
static void
test_shared_strings (Fixture       *fixture,
                     gconstpointer  data)
{
  AllsetJournal *j = fixture->journal;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) local = NULL;
  g_autoptr(GHashTable) base = NULL;
  g_autoptr(GHashTable) remote = NULL;
  const char *local_ids[] = { ID_A, ID_B };
  const char *base_ids[] = { ID_A, ID_A, ID_A };
  const char *names[] = { "a", "b", "c" };
  AllsetBaseEntry *b;
  AllsetLocalEntry *l;
  AllsetRemoteEntry *r;
  AllsetBaseEntry *copy;

  for (guint i = 0; i < G_N_ELEMENTS (local_ids); i++)
    {
      g_autoptr(AllsetLocalEntry) e = allset_local_entry_new (names[i], ALLSET_ENTRY_FILE);

      e->file_id = allset_entry_string (local_ids[i]);
      e->size = 3;
      g_assert_true (allset_journal_local_put (j, e, NULL, &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (base_ids); i++)
    {
      g_autoptr(AllsetBaseEntry) e = base_file (names[i], base_ids[i], i + 1);

      g_assert_true (allset_journal_base_put (j, e, &error));
      g_assert_no_error (error);
    }
  change (j, 1, ALLSET_CHANGE_PUT, "a", ID_A);
  change (j, 2, ALLSET_CHANGE_PUT, "b", ID_B);
  change (j, 3, ALLSET_CHANGE_PUT, "c", ID_B);

  local = allset_journal_snapshot_local (j, "", &error);
  g_assert_no_error (error);
  base = allset_journal_snapshot_base (j, FALSE, local, &error);
  g_assert_no_error (error);
  remote = allset_journal_snapshot_remote (j, "", base, &error);
  g_assert_no_error (error);

  /* a: one path and one id for the three views. */
  l = g_hash_table_lookup (local, "a");
  b = g_hash_table_lookup (base, "a");
  r = g_hash_table_lookup (remote, "a");
  g_assert_true (b->path == l->path && r->path == l->path);
  g_assert_true (b->file_id == l->file_id && r->file_id == l->file_id);
  /* b: one path; the ids differ, each its own. */
  l = g_hash_table_lookup (local, "b");
  b = g_hash_table_lookup (base, "b");
  r = g_hash_table_lookup (remote, "b");
  g_assert_true (b->path == l->path && r->path == l->path);
  g_assert_cmpstr (b->file_id, ==, ID_A);
  g_assert_cmpstr (r->file_id, ==, ID_B);
  g_assert_true (b->file_id != l->file_id && r->file_id != b->file_id);
  /* c: not on the disk; remote shares base's path only. */
  b = g_hash_table_lookup (base, "c");
  r = g_hash_table_lookup (remote, "c");
  g_assert_true (r->path == b->path && r->file_id != b->file_id);

  /* A copy takes references; each view outlives the others. */
  copy = allset_base_entry_copy (g_hash_table_lookup (base, "a"));
  g_assert_true (copy->path == ((AllsetBaseEntry *) g_hash_table_lookup (base, "a"))->path);
  g_clear_pointer (&local, g_hash_table_unref);
  g_clear_pointer (&base, g_hash_table_unref);
  g_assert_cmpstr (copy->path, ==, "a");
  g_assert_cmpstr (copy->file_id, ==, ID_A);
  r = g_hash_table_lookup (remote, "a");
  g_assert_cmpstr (r->path, ==, "a");
  g_assert_cmpstr (r->file_id, ==, ID_A);
  allset_base_entry_free (copy);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/journal/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("open", test_open);
  ADD ("meta", test_meta);
  ADD ("remote-feed", test_remote_feed);
  ADD ("remote-moves", test_remote_moves);
  ADD ("batch", test_batch);
  ADD ("base", test_base);
  ADD ("receipts", test_receipts);
  ADD ("receipt-pages", test_receipt_pages);
  ADD ("local", test_local);
  ADD ("local-many", test_local_many);
  ADD ("shared-strings", test_shared_strings);
  ADD ("issues", test_issues);
  ADD ("transactions", test_transactions);
  ADD ("threads", test_threads);
#undef ADD
  g_test_add_func ("/journal/path-for-folder", test_path_for_folder);

  return g_test_run ();
}
