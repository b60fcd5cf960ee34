/* test-own-changes.c — a pass records its own commits' changes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A commit answer carries the changes it made, exactly as the feed lists
 * them; a pass whose journal cursor stands where the commit started
 * records them at once instead of reading them back from the feed on the
 * next pass. What must hold, against the real server:
 *  - after the pass the journal's cursor is the server's, and its remote
 *    table equals the one a fresh journal builds from the whole feed
 *    (puts, mkdirs, moves and deletes);
 *  - when another device commits between the pass's feed read and its own
 *    commit, the pass leaves the cursor before the gap, the next pass reads
 *    the feed, brings the other device's change down, and the remote table
 *    again equals the feed's;
 *  - when the server takes two of the pass's commit requests in the other
 *    order than they were sent (they travel side by side), both answers
 *    are still recorded, in the server's order.
 */

#include <glib/gstdio.h>

#include "allset-journal.h"
#include "allset-sync.h"
#include "test-cli-server.h"

#define REMOTE "Own"

static TestCliServer *server;

typedef struct
{
  char               *root;
  AllsetFolderConfig  folder;
  AllsetClient       *client;
  AllsetClient       *other;   /* a second device of the same account */
  char               *flag;    /* the pause hook's file */
} Fixture;

static void
write_file (const char *root,
            const char *path,
            const char *text)
{
  g_autofree char *full = g_build_filename (root, path, NULL);
  g_autofree char *dir = g_path_get_dirname (full);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (full, text, -1, NULL));
}

static void
run_pass (Fixture *f)
{
  g_autoptr(AllsetSyncReport) report = allset_sync_report_new ();
  g_autoptr(GError) error = NULL;
  AllsetSyncOptions options = { FALSE, "test-own" };

  g_assert_true (allset_sync_folder (f->client, &f->folder, &options, report, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (allset_sync_report_in_sync (report));
}

/* The whole feed, page by page, into a fresh journal. */
static AllsetJournal *
replay_feed (Fixture *f,
             gint64  *cursor)
{
  g_autofree char *path = g_build_filename (f->root, "replay.db", NULL);
  g_autoptr(AllsetJournal) journal = NULL;
  g_autoptr(GError) error = NULL;
  gint64 at = 0;

  g_unlink (path);
  journal = allset_journal_open (path, &error);
  g_assert_no_error (error);
  for (guint page = 0; page < 1000; page++)
    {
      g_autoptr(AllsetChanges) changes = allset_client_changes (f->client, at, 0, NULL, &error);

      g_assert_no_error (error);
      g_assert_true (allset_journal_apply_changes (journal, changes->changes, changes->cursor, &error));
      g_assert_no_error (error);
      at = changes->cursor;
      if (!changes->has_more)
        break;
    }
  *cursor = at;
  return g_steal_pointer (&journal);
}

static void
assert_same_remote (GHashTable *mine,
                    GHashTable *feed)
{
  GHashTableIter iter;
  gpointer key, value;

  g_assert_cmpuint (g_hash_table_size (mine), ==, g_hash_table_size (feed));
  g_hash_table_iter_init (&iter, feed);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const AllsetRemoteEntry *want = value;
      const AllsetRemoteEntry *have = g_hash_table_lookup (mine, key);

      g_test_message ("remote %s", (const char *) key);
      g_assert_nonnull (have);
      g_assert_cmpint (have->type, ==, want->type);
      g_assert_cmpint (have->revision, ==, want->revision);
      g_assert_cmpstr (have->file_id, ==, want->file_id);
      g_assert_cmpint (have->size, ==, want->size);
      g_assert_cmpint (have->mtime, ==, want->mtime);
      g_assert_cmpint (have->executable, ==, want->executable);
    }
}

/* The journal as the pass left it against the feed; TRUE when its cursor
 * had caught up with the server's. */
static gboolean
check_journal (Fixture *f)
{
  g_autoptr(AllsetJournal) mine = NULL;
  g_autoptr(AllsetJournal) feed = NULL;
  g_autoptr(GHashTable) mine_remote = NULL;
  g_autoptr(GHashTable) feed_remote = NULL;
  g_autoptr(GError) error = NULL;
  gint64 server_cursor;

  feed = replay_feed (f, &server_cursor);
  mine = allset_journal_open (f->folder.journal, &error);
  g_assert_no_error (error);
  mine_remote = allset_journal_snapshot_remote (mine, "", NULL, &error);
  g_assert_no_error (error);
  feed_remote = allset_journal_snapshot_remote (feed, "", NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpint (allset_journal_get_cursor (mine), <=, server_cursor);
  if (allset_journal_get_cursor (mine) != server_cursor)
    return FALSE;
  assert_same_remote (mine_remote, feed_remote);
  return TRUE;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  static guint accounts;
  g_autofree char *user = g_strdup_printf ("own%u", ++accounts);

  f->root = g_dir_make_tmp ("allset-own-XXXXXX", NULL);
  g_assert_nonnull (f->root);
  f->folder.id = g_strdup ("own");
  f->folder.local = g_build_filename (f->root, "local", NULL);
  f->folder.remote = g_strdup (REMOTE);
  f->folder.journal = g_build_filename (f->root, "own.db", NULL);
  f->flag = g_build_filename (f->root, "go", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->folder.local, 0700), ==, 0);

  test_cli_add_account (server, user, NULL);
  f->client = test_cli_signed_in (server, user);
  f->other = test_cli_signed_in (server, user);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *quoted = g_shell_quote (f->root);
  g_autofree char *command = g_strdup_printf ("rm -rf %s", quoted);

  g_unsetenv ("ALLSET_TEST_PAUSE_AFTER_SCAN");
  g_unsetenv ("ALLSET_TEST_PAUSE_FIRST_COMMIT");
  g_clear_object (&f->client);
  g_clear_object (&f->other);
  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
  g_free (f->root);
  g_free (f->folder.id);
  g_free (f->folder.local);
  g_free (f->folder.remote);
  g_free (f->folder.journal);
  g_free (f->flag);
}

static void
test_recorded (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *old_path = g_build_filename (f->folder.local, "docs/b.txt", NULL);
  g_autofree char *new_path = g_build_filename (f->folder.local, "docs/renamed.txt", NULL);
  g_autofree char *gone = g_build_filename (f->folder.local, "c.txt", NULL);

  write_file (f->folder.local, "a.txt", "alpha");
  write_file (f->folder.local, "docs/b.txt", "bravo");
  write_file (f->folder.local, "c.txt", "charlie");
  run_pass (f);
  g_assert_true (check_journal (f));

  /* A move, a delete, an edit and a new directory in one pass. */
  g_assert_cmpint (g_rename (old_path, new_path), ==, 0);
  g_assert_cmpint (g_unlink (gone), ==, 0);
  write_file (f->folder.local, "a.txt", "alpha, second version");
  write_file (f->folder.local, "new/d.txt", "delta");
  run_pass (f);
  g_assert_true (check_journal (f));
}

static void
commit_mkdir (AllsetClient *client,
              const char   *path)
{
  g_autoptr(JsonArray) ops = json_array_new ();
  g_autoptr(AllsetCommitReply) reply = NULL;
  g_autoptr(GError) error = NULL;

  json_array_add_object_element (ops, allset_commit_op_mkdir (path, 0));
  reply = allset_client_commit (client, ops, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (((AllsetCommitResult *) g_ptr_array_index (reply->results, 0))->status, ==, 200);
}

static gint64
journal_cursor (const char *path)
{
  g_autoptr(AllsetJournal) journal = allset_journal_open (path, NULL);

  return journal != NULL ? allset_journal_get_cursor (journal) : -1;
}

typedef struct
{
  Fixture  *f;
  gboolean  ok;
  GError   *error;
} PassThread;

static gpointer
pass_thread (gpointer data)
{
  PassThread *t = data;
  g_autoptr(AllsetSyncReport) report = allset_sync_report_new ();
  AllsetSyncOptions options = { FALSE, "test-own" };

  t->ok = allset_sync_folder (t->f->client, &t->f->folder, &options, report, NULL, &t->error);
  return NULL;
}

static void
test_gap (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *seen = g_build_filename (f->folder.local, "from-other", NULL);
  g_autofree char *late = g_build_filename (f->folder.local, "late", NULL);
  PassThread t = { f, FALSE, NULL };
  GThread *thread;
  gint64 target;

  write_file (f->folder.local, "a.txt", "alpha");
  run_pass (f);
  g_assert_true (check_journal (f));

  /* A change of the other device's for the pass to read first: once the
   * journal's cursor shows it, the pass is past its feed read. */
  commit_mkdir (f->other, REMOTE "/from-other");
  target = journal_cursor (f->folder.journal) + 1;
  write_file (f->folder.local, "e.txt", "echo");
  g_setenv ("ALLSET_TEST_PAUSE_AFTER_SCAN", f->flag, TRUE);
  thread = g_thread_new ("pass", pass_thread, &t);
  for (guint i = 0; i < 3000 && journal_cursor (f->folder.journal) < target; i++)
    g_usleep (10 * 1000);
  g_assert_cmpint (journal_cursor (f->folder.journal), ==, target);

  /* The gap: committed after the feed was read, before the pass commits. */
  commit_mkdir (f->other, REMOTE "/late");
  g_assert_true (g_file_set_contents (f->flag, "", 0, NULL));
  g_thread_join (thread);
  g_unsetenv ("ALLSET_TEST_PAUSE_AFTER_SCAN");
  g_assert_no_error (t.error);
  g_assert_true (t.ok);
  g_assert_true (g_file_test (seen, G_FILE_TEST_IS_DIR));

  /* Its own commit came after the gap: not recorded from the answer. */
  g_assert_false (check_journal (f));
  g_assert_false (g_file_test (late, G_FILE_TEST_IS_DIR));

  /* The next pass reads the feed: the gap comes down, all equal. */
  run_pass (f);
  g_assert_true (g_file_test (late, G_FILE_TEST_IS_DIR));
  g_assert_true (check_journal (f));
}

static void
test_out_of_order (Fixture       *f,
                   gconstpointer  data)
{
  PassThread t = { f, FALSE, NULL };
  gboolean second_first = FALSE;
  GThread *thread;
  gint64 start;

  write_file (f->folder.local, "first.txt", "first");
  run_pass (f);
  g_assert_true (check_journal (f));
  start = journal_cursor (f->folder.journal);

  /* Three directories of 500 files: two commit batches (a and b, then
   * c) that touch different paths, so both go out at once. */
  for (char d = 'a'; d <= 'c'; d++)
    for (guint i = 0; i < 500; i++)
      {
        g_autofree char *path = g_strdup_printf ("%c/f%03u.txt", d, i);

        write_file (f->folder.local, path, path);
      }

  /* The first batch waits at the door until the server has applied the
   * second. */
  g_setenv ("ALLSET_TEST_PAUSE_FIRST_COMMIT", f->flag, TRUE);
  thread = g_thread_new ("pass", pass_thread, &t);
  for (guint i = 0; i < 3000 && !second_first; i++)
    {
      g_autoptr(AllsetChanges) changes = allset_client_changes (f->other, start, 0, NULL, NULL);

      second_first = changes != NULL && changes->changes->len > 0;
      if (!second_first)
        g_usleep (10 * 1000);
    }
  g_assert_true (g_file_set_contents (f->flag, "", 0, NULL));
  g_thread_join (thread);
  g_assert_no_error (t.error);
  g_assert_true (t.ok);
  g_assert_true (second_first);

  /* Both answers recorded: the journal's cursor is the server's. */
  g_assert_true (check_journal (f));
}

int
main (int    argc,
      char **argv)
{
  int status;

  if (!test_cli_init (&argc, &argv, "/own-changes"))
    return g_test_run ();

  server = test_cli_server_start (NULL);
  g_test_add ("/own-changes/recorded", Fixture, NULL, fixture_set_up, test_recorded, fixture_tear_down);
  g_test_add ("/own-changes/gap", Fixture, NULL, fixture_set_up, test_gap, fixture_tear_down);
  g_test_add ("/own-changes/out-of-order", Fixture, NULL, fixture_set_up, test_out_of_order, fixture_tear_down);
  status = g_test_run ();
  test_cli_server_stop (server);
  return status;
}
