/* test-journal-remote.c — the journal's copy of the server tree: the
 * changes feed, its moves, batches
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "journal-fixture.h"

static char *
remote_keys (AllsetJournal *journal,
             const char    *prefix)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) table = allset_journal_snapshot_remote (journal, prefix, NULL, &error);

  g_assert_no_error (error);
  return journal_test_sorted_keys (table);
}
static void
test_remote_feed (Fixture       *fixture,
                  gconstpointer  data)
{
  AllsetJournal *j = fixture->journal;
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetRemoteEntry) entry = NULL;
  g_autofree char *k = NULL;

  journal_test_change (j, 1, ALLSET_CHANGE_MKDIR, "Docs", NULL);
  journal_test_change (j, 2, ALLSET_CHANGE_PUT, "Docs/a.txt", NULL);
  journal_test_change (j, 3, ALLSET_CHANGE_MKDIR, "Docs/Été", NULL);
  journal_test_change (j, 4, ALLSET_CHANGE_PUT, "Docs/Été/b.txt", ID_B);
  journal_test_change (j, 5, ALLSET_CHANGE_PUT, "Docs.txt", NULL);   /* a sibling that sorts close */
  journal_test_change (j, 6, ALLSET_CHANGE_PUT, "Docs-2/c.txt", NULL);

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
  journal_test_change (j, 7, ALLSET_CHANGE_MOVE, "Docs", "Archives/Docs 2026");
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
  journal_test_change (j, 7, ALLSET_CHANGE_MOVE, "Docs", "Archives/Docs 2026");
  k = remote_keys (j, "Archives");
  g_assert_cmpstr (k, ==, "Docs 2026 Docs 2026/a.txt Docs 2026/Été Docs 2026/Été/b.txt");
  g_clear_pointer (&k, g_free);

  /* A delete takes the subtree and nothing that merely shares a prefix. */
  journal_test_change (j, 8, ALLSET_CHANGE_DELETE, "Archives/Docs 2026/Été", NULL);
  journal_test_change (j, 9, ALLSET_CHANGE_DELETE, "nothing/here", NULL);
  k = remote_keys (j, "");
  g_assert_cmpstr (k, ==, "Archives/Docs 2026 Archives/Docs 2026/a.txt Docs-2/c.txt Docs.txt");
  g_clear_pointer (&k, g_free);

  /* A file over a directory replaces the directory's subtree. */
  journal_test_change (j, 10, ALLSET_CHANGE_PUT, "Archives/Docs 2026", NULL);
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

  journal_test_change (j, 1, ALLSET_CHANGE_MKDIR, "Sync", NULL);
  journal_test_change (j, 2, ALLSET_CHANGE_PUT, "Sync/a", NULL);
  journal_test_change (j, 3, ALLSET_CHANGE_PUT, "Other", NULL);
  journal_test_change (j, 4, ALLSET_CHANGE_MOVE, "Sync/a", "Sync/b");
  journal_test_change (j, 5, ALLSET_CHANGE_MOVE, "Other", "Sync/other");   /* comes in */
  journal_test_change (j, 6, ALLSET_CHANGE_MOVE, "Sync/b", "Elsewhere");    /* goes out */
  journal_test_change (j, 7, ALLSET_CHANGE_MOVE, "Sync/other", "Sync/o2");

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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  JOURNAL_TEST_ADD ("remote-feed", test_remote_feed);
  JOURNAL_TEST_ADD ("remote-moves", test_remote_moves);
  JOURNAL_TEST_ADD ("batch", test_batch);

  return g_test_run ();
}
