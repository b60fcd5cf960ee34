/* test-journal.c — the per-folder SQLite journal: opening, meta, issues,
 * transactions and threads, strings shared between snapshots
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <sys/stat.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "journal-fixture.h"

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
  g_autoptr(AllsetBaseEntry) a = journal_test_base_file ("a", ID_A, 1);
  g_autoptr(AllsetBaseEntry) b = journal_test_base_file ("b", ID_A, 2);
  g_autoptr(AllsetBaseEntry) c = journal_test_base_file ("c", ID_A, 3);
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
  k = journal_test_sorted_keys (snapshot);
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
      g_autoptr(AllsetBaseEntry) entry = journal_test_base_file (path, ID_B, i + 1);
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
      g_autoptr(AllsetBaseEntry) e = journal_test_base_file (names[i], base_ids[i], i + 1);

      g_assert_true (allset_journal_base_put (j, e, &error));
      g_assert_no_error (error);
    }
  journal_test_change (j, 1, ALLSET_CHANGE_PUT, "a", ID_A);
  journal_test_change (j, 2, ALLSET_CHANGE_PUT, "b", ID_B);
  journal_test_change (j, 3, ALLSET_CHANGE_PUT, "c", ID_B);

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

  JOURNAL_TEST_ADD ("open", test_open);
  JOURNAL_TEST_ADD ("meta", test_meta);
  JOURNAL_TEST_ADD ("issues", test_issues);
  JOURNAL_TEST_ADD ("transactions", test_transactions);
  JOURNAL_TEST_ADD ("threads", test_threads);
  JOURNAL_TEST_ADD ("shared-strings", test_shared_strings);
  g_test_add_func ("/journal/path-for-folder", test_path_for_folder);

  return g_test_run ();
}
