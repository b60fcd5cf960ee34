/* test-folder-session.c — AllsetFolderSession as the desktop app drives it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The session at work, against the real server, with a file-driven
 * GNetworkMonitor (AllsetTestNetworkMonitor) handed to it: what the GUI
 * binds to must follow what happens — progress figures (the ETA of an
 * upload slowed by the client's bandwidth limit) and the activity list
 * with each file's receipt after a pass, the full rescan that finds what
 * the local monitor cannot see, pause and resume, the metered banner's
 * three choices (pause, small files only with a deferred big file,
 * always), a mass deletion held until confirm_deletions(), and stop()
 * during a pass (no signal after it, the session freed once the pass
 * ends). What stops or holds a session (tokens, maintenance, an
 * unreachable server) is in test-folder-session-errors.c; the fixture
 * both use is folder-session-fixture.c. Each case has its own account,
 * so no push from another case wakes it.
 */

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "folder-session-fixture.h"

static gboolean is_metered (Fixture *f) { return state (f) == ALLSET_SESSION_PAUSED_METERED; }
static gboolean needs_confirmation (Fixture *f) { return state (f) == ALLSET_SESSION_NEEDS_CONFIRMATION; }

#define BIG_SIZE (4 * 1024 * 1024)

/* BIG_SIZE bytes from a fixed seed, and how many chunks they cut into
 * (several: chunks are sent in parallel, and the ETA is checked against
 * the whole upload's rate). */
static GBytes *
big_content (guint *n_chunks)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261127);
  guint32 *words = g_new (guint32, BIG_SIZE / 4);
  const guint8 *data = (const guint8 *) words;

  for (gsize i = 0; i < BIG_SIZE / 4; i++)
    words[i] = g_rand_int (rand);
  *n_chunks = 0;
  for (gsize offset = 0; offset < BIG_SIZE; (*n_chunks)++)
    offset += allset_chunker_cut (data + offset, BIG_SIZE - offset);
  return g_bytes_new_take (words, BIG_SIZE);
}

static void
test_progress_and_activity (void)
{
  Fixture f = { 0 };
  guint n_chunks;
  g_autoptr(GBytes) big = big_content (&n_chunks);
  AllsetActivity *item;
  guint64 expected = BIG_SIZE + 5 + 6;

  fixture_init (&f, "progress");
  write_file (&f, "big.bin", g_bytes_get_data (big, NULL), g_bytes_get_size (big));
  write_file (&f, "a.txt", "hello", 5);
  write_file (&f, "dir/b.txt", "hello!", 6);
  /* Slowed down so that the upload lasts a few seconds and the ETA has
   * something to estimate (the bucket lets one second's worth go at
   * once: about 4 s in all). */
  g_assert_cmpuint (n_chunks, >=, 4);
  f.up_limit = 768 * 1024;
  allset_client_set_bandwidth_limits (f.client, f.up_limit, 0);

  g_assert_cmpint (state (&f), ==, ALLSET_SESSION_STOPPED);
  g_assert_cmpint (allset_folder_session_get_eta_seconds (f.session), ==, -1);
  allset_folder_session_start (f.session);
  g_assert_cmpint (state (&f), ==, ALLSET_SESSION_SYNCING);
  g_assert_true (wait_until (&f, is_idle, WAIT_SECONDS));

  /* ETA: known and plausible while the upload ran (on_eta), unknown
   * again once the pass is over. */
  g_assert_cmpuint (f.eta_positive, >, 0);
  g_assert_cmpuint (f.eta_implausible, ==, 0);
  g_assert_cmpuint (f.eta_kept, ==, 0);
  g_assert_cmpint (allset_folder_session_get_eta_seconds (f.session), ==, -1);
  f.up_limit = 0;
  allset_client_set_bandwidth_limits (f.client, 0, 0);

  /* The first pass's figures stay until the next one starts; a second
   * pass (the first one waited for the watches longer than
   * ALLSET_FOLDER_SESSION_WATCHES_WAIT_MS) may have run: check the
   * uploads' pass through the activity list instead when it did. */
  item = find_item (&f, "big.bin");
  g_assert_nonnull (item);
  g_assert_cmpint (allset_activity_get_status (item), ==, ALLSET_ACTIVITY_VERIFIED);
  g_assert_cmpint (allset_activity_get_action (item), ==, ALLSET_ACTION_UPLOAD);
  g_assert_cmpuint (allset_activity_get_bytes (item), ==, BIG_SIZE);
  g_assert_cmpint (allset_activity_get_revision (item), >, 0);
  g_assert_cmpuint (strlen (allset_activity_get_file_id (item)), ==, 64);
  g_assert_cmpuint (strlen (allset_activity_get_key_id (item)), ==, 16);
  g_assert_nonnull (allset_activity_get_receipt_time (item));
  g_assert_nonnull (find_item (&f, "dir/b.txt"));
  g_assert_nonnull (find_item (&f, "a.txt"));
  g_assert_cmpuint (f.finished_items, >=, 3);
  g_assert_cmpuint (allset_folder_session_get_problem_count (f.session), ==, 0);
  g_assert_nonnull (allset_folder_session_get_last_sync (f.session));
  g_assert_cmpstr (allset_folder_session_get_message (f.session), ==, "Up to date");

  if (f.passes == 1)
    {
      g_assert_cmpuint (allset_folder_session_get_files_total (f.session), ==, 3);
      g_assert_cmpuint (allset_folder_session_get_files_done (f.session), ==, 3);
      g_assert_cmpuint (allset_folder_session_get_bytes_total (f.session), ==, expected);
      g_assert_cmpuint (allset_folder_session_get_bytes_done (f.session), ==, expected);
      g_assert_cmpfloat (allset_folder_session_get_fraction (f.session), ==, 1.0);
    }

  /* A local edit syncs on its own (local monitor), as one more item. */
  spin (500);   /* the passes the first one caused */
  f.finished_items = 0;
  write_file (&f, "a.txt", "hello again", -1);
  g_assert_true (wait_pass (&f, f.passes, ALLSET_SESSION_IDLE));
  item = find_item (&f, "a.txt");
  g_assert_cmpint (allset_activity_get_status (item), ==, ALLSET_ACTIVITY_VERIFIED);
  g_assert_cmpint (allset_activity_get_revision (item), >, 1);
  g_assert_cmpuint (f.finished_items, >=, 1);

  fixture_clear (&f);
}

/* The size of name on the server, or -1. */
static gint64
remote_size (Fixture    *f,
             const char *name)
{
  g_autoptr(GPtrArray) entries = allset_client_list (f->client, "Sync", NULL, NULL);

  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      AllsetEntryInfo *entry = g_ptr_array_index (entries, i);

      if (g_strcmp0 (entry->name, name) == 0)
        return (gint64) entry->size;
    }
  return -1;
}

typedef struct
{
  guint64  total;
  guint    between;   /* notifications of bytes-done strictly between 0 and total */
  guint64  last;
} BytesSeen;

static void
on_bytes_done (AllsetFolderSession *session,
               GParamSpec          *pspec,
               BytesSeen           *seen)
{
  guint64 done = allset_folder_session_get_bytes_done (session);

  if (allset_folder_session_get_state (session) != ALLSET_SESSION_SYNCING)
    return;
  g_assert_cmpuint (done, >=, seen->last);   /* never backwards */
  seen->last = done;
  if (done > 0 && done < seen->total)
    seen->between++;
}

/* From the pass's threads: BYTES of downloads, added up in seen. */
static void
on_download_bytes (const AllsetSyncEvent *event,
                   gpointer               data)
{
  BytesSeen *seen = data;

  if (event->kind != ALLSET_SYNC_EVENT_BYTES || event->action != ALLSET_ACTION_DOWNLOAD)
    return;
  /* One chunk: one fetch thread, the events come in order. */
  seen->last += event->bytes;
  if (seen->last < seen->total)
    seen->between++;
}

/* Transfer progress moves with the bytes, inside a chunk: a file of one
 * chunk showed nothing (0, then all of it) until it was stored, because
 * the upload limit was applied before sending it, and downloads told
 * their bytes once a chunk was in. The upload's ETA is known meanwhile. */
static void
test_progress_within_a_chunk (void)
{
  Fixture f = { 0 };
  g_autoptr(GBytes) content = test_cli_random_bytes (256 * 1024);
  BytesSeen seen = { g_bytes_get_size (content) };
  gulong handler;

  /* One chunk: ALLSET_CHUNK_MIN bytes are never cut. */
  g_assert_cmpuint (allset_chunker_cut (g_bytes_get_data (content, NULL), g_bytes_get_size (content)), ==,
                    g_bytes_get_size (content));
  fixture_init (&f, "onechunk");
  write_file (&f, "one.bin", g_bytes_get_data (content, NULL), g_bytes_get_size (content));
  /* 64 KiB/s: the bucket's free first second, then three more. */
  f.up_limit = 64 * 1024;
  allset_client_set_bandwidth_limits (f.client, f.up_limit, 0);
  handler = g_signal_connect (f.session, "notify::bytes-done", G_CALLBACK (on_bytes_done), &seen);

  allset_folder_session_start (f.session);
  g_assert_true (wait_until (&f, is_idle, WAIT_SECONDS));
  g_signal_handler_disconnect (f.session, handler);

  g_test_message ("%u progress notifications inside the chunk", seen.between);
  g_assert_cmpuint (seen.between, >=, 5);
  g_assert_cmpuint (seen.last, ==, seen.total);
  g_assert_cmpuint (f.eta_positive, >, 0);
  g_assert_cmpuint (f.eta_implausible, ==, 0);
  g_assert_cmpint (remote_size (&f, "one.bin"), ==, (gint64) seen.total);

  /* And coming down, in a second folder of the account, 64 KiB/s. */
  {
    g_autofree char *other = g_build_filename (f.root, "Other", NULL);
    g_autofree char *journal = g_build_filename (f.root, "other.db", NULL);
    AllsetFolderConfig folder = { .local = other, .remote = (char *) "Sync", .journal = journal };
    AllsetSyncOptions options = { .on_event = on_download_bytes, .on_event_data = &seen };
    g_autoptr(AllsetSyncReport) report = allset_sync_report_new ();
    g_autoptr(GError) error = NULL;

    g_assert_cmpint (g_mkdir (other, 0700), ==, 0);
    allset_client_set_bandwidth_limits (f.client, 0, 64 * 1024);
    seen.between = 0;
    seen.last = 0;
    g_assert_true (allset_sync_folder (f.client, &folder, &options, report, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (report->downloaded, ==, 1);
    g_test_message ("%u download progress events inside the chunk", seen.between);
    g_assert_cmpuint (seen.between, >=, 5);
    g_assert_cmpuint (seen.last, ==, seen.total);
  }

  fixture_clear (&f);
}

/* Rewrites path in place (same inode: the hard links stay). */
static void
overwrite (const char *path,
           const char *content)
{
  FILE *file = fopen (path, "w");

  g_assert_nonnull (file);
  g_assert_cmpuint (fwrite (content, 1, strlen (content), file), ==, strlen (content));
  g_assert_cmpint (fclose (file), ==, 0);
}

/* The hourly full rescan finds what the local monitor cannot see. Such
 * a change: linked.txt is a hard link to a file outside the folder, and
 * it is written through that other name. inotify tells the watch of the
 * directory the writer went through, and the session watches the
 * folder's directories (not the files, not their other names). */
static void
test_rescan (void)
{
  Fixture f = { 0 };
  g_autofree char *outside = NULL;
  g_autofree char *linked = NULL;
  gint64 start;
  guint passes;

  fixture_init (&f, "rescanner");
  outside = g_build_filename (f.root, "outside.txt", NULL);
  linked = g_build_filename (f.folder.local, "linked.txt", NULL);
  overwrite (outside, "one");
  g_assert_cmpint (link (outside, linked), ==, 0);
  allset_folder_session_start (f.session);
  g_assert_true (wait_until (&f, is_idle, WAIT_SECONDS));
  spin (500);   /* a pass owed would start */
  g_assert_cmpint (state (&f), ==, ALLSET_SESSION_IDLE);
  g_assert_cmpint (remote_size (&f, "linked.txt"), ==, 3);

  /* The hourly default: the monitor's debounce (and its 2 s longest
   * delay) go by, and nothing runs. This also shows that the change is
   * invisible to the monitor, else the next part would prove nothing. */
  passes = f.passes;
  overwrite (outside, "version two");
  spin (3000);
  g_assert_cmpuint (f.passes, ==, passes);
  g_assert_cmpint (remote_size (&f, "linked.txt"), ==, 3);

  /* One second: a pass runs on its own and uploads the change. */
  start = g_get_monotonic_time ();
  allset_folder_session_set_rescan_interval (f.session, 1);
  g_assert_true (wait_pass (&f, passes, ALLSET_SESSION_IDLE));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpint (remote_size (&f, "linked.txt"), ==, strlen ("version two"));
  /* And again a second later, however quiet everything is. */
  passes = f.passes;
  g_assert_true (wait_pass (&f, passes, ALLSET_SESSION_IDLE));

  fixture_clear (&f);
}

static void
test_pause (void)
{
  Fixture f = { 0 };
  guint passes;

  fixture_init (&f, "pauser");
  allset_folder_session_start (f.session);
  g_assert_true (wait_until (&f, is_idle, WAIT_SECONDS));

  allset_folder_session_set_paused (f.session, TRUE);
  g_assert_cmpint (state (&f), ==, ALLSET_SESSION_PAUSED);
  passes = f.passes;
  write_file (&f, "while-paused.txt", "x", 1);
  spin (1500);
  g_assert_cmpuint (f.passes, ==, passes);
  g_assert_cmpint (state (&f), ==, ALLSET_SESSION_PAUSED);
  allset_folder_session_sync_now (f.session);   /* not while paused */
  spin (300);
  g_assert_cmpuint (f.passes, ==, passes);
  g_assert_cmpuint (remote_count (&f), ==, 0);

  allset_folder_session_set_paused (f.session, FALSE);
  g_assert_true (wait_until (&f, is_idle, WAIT_SECONDS));
  g_assert_cmpuint (remote_count (&f), ==, 1);

  fixture_clear (&f);
}

static gboolean
big_deferred (Fixture *f)
{
  AllsetActivity *item = find_item (f, "big.bin");

  return is_metered (f) && allset_folder_session_get_deferred_files (f->session) == 1 &&
         item != NULL && allset_activity_get_status (item) == ALLSET_ACTIVITY_DEFERRED;
}

static void
test_metered (void)
{
  Fixture f = { 0 };
  g_autofree char *big = g_strnfill (5000, 'b');
  guint passes;

  fixture_init (&f, "roamer");
  write_network (&f, "metered");
  for (guint i = 0; i < 100 && !g_network_monitor_get_network_metered (f.network); i++)
    spin (20);
  g_assert_true (g_network_monitor_get_network_metered (f.network));
  write_file (&f, "small.txt", "small", -1);
  write_file (&f, "big.bin", big, -1);

  /* « Rester en pause »: nothing runs. */
  allset_folder_session_start (f.session);
  g_assert_cmpint (state (&f), ==, ALLSET_SESSION_PAUSED_METERED);
  spin (800);
  g_assert_cmpuint (f.passes, ==, 0);

  /* « Petits fichiers seulement »: the small file goes, the big one waits. */
  allset_folder_session_set_metered_policy (f.session, ALLSET_METERED_SMALL_FILES);
  g_assert_true (wait_until (&f, big_deferred, WAIT_SECONDS));
  g_assert_cmpuint (remote_count (&f), ==, 1);
  g_assert_nonnull (allset_activity_get_message (find_item (&f, "big.bin")));

  /* « Synchroniser quand même ». */
  allset_folder_session_set_metered_policy (f.session, ALLSET_METERED_ALWAYS);
  g_assert_true (wait_until (&f, is_idle, WAIT_SECONDS));
  g_assert_cmpuint (remote_count (&f), ==, 2);
  g_assert_cmpint (allset_activity_get_status (find_item (&f, "big.bin")), ==, ALLSET_ACTIVITY_VERIFIED);

  /* Offline: no pass, the state says so; back online: a pass. */
  spin (500);
  write_network (&f, "offline");
  g_assert_true (wait_state (&f, ALLSET_SESSION_OFFLINE));
  passes = f.passes;
  write_network (&f, "online");
  g_assert_true (wait_pass (&f, passes, ALLSET_SESSION_IDLE));

  fixture_clear (&f);
}

static void
test_confirm_deletions (void)
{
  Fixture f = { 0 };

  fixture_init (&f, "deleter");
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *name = g_strdup_printf ("f%u.txt", i);

      write_file (&f, name, name, -1);
    }
  allset_folder_session_start (f.session);
  g_assert_true (wait_until (&f, is_idle, WAIT_SECONDS));
  g_assert_cmpuint (remote_count (&f), ==, 10);

  for (guint i = 0; i < 8; i++)
    {
      g_autofree char *name = g_strdup_printf ("f%u.txt", i);
      g_autofree char *path = g_build_filename (f.folder.local, name, NULL);

      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_true (wait_until (&f, needs_confirmation, WAIT_SECONDS));
  g_assert_cmpuint (allset_folder_session_get_held_deletions (f.session), ==, 8);
  g_assert_nonnull (strstr (allset_folder_session_get_message (f.session), "8 deletions"));
  g_assert_cmpuint (remote_count (&f), ==, 10);

  allset_folder_session_confirm_deletions (f.session);
  g_assert_true (wait_until (&f, is_idle, WAIT_SECONDS));
  g_assert_cmpuint (allset_folder_session_get_held_deletions (f.session), ==, 0);
  g_assert_cmpuint (remote_count (&f), ==, 2);

  fixture_clear (&f);
}

/* 300 files, each in a directory of its own under another: enough
 * directories (600) for the monitor's walk to outlast a pass's start. */
static void
write_dirs (Fixture *f)
{
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *name = g_strdup_printf ("d%03u/sub/f.txt", i);

      write_file (f, name, name, -1);
    }
}

/* A start makes one pass, not two: the first pass waits for the local
 * monitor's watches (its ::ready) instead of racing the walk that puts
 * them in place, after which ::ready owed a second full pass. */
static void
test_one_pass_at_start (void)
{
  Fixture f = { 0 };

  fixture_init (&f, "starter");
  write_dirs (&f);
  allset_folder_session_start (f.session);
  g_assert_cmpint (state (&f), ==, ALLSET_SESSION_SYNCING);
  g_assert_cmpstr (allset_folder_session_get_message (f.session), ==, "Preparing to sync");
  g_assert_true (wait_until (&f, is_idle, WAIT_SECONDS));
  /* Past the monitor's debounce: a pass owed would have started. */
  spin (1500);
  g_assert_cmpint (state (&f), ==, ALLSET_SESSION_IDLE);
  g_assert_cmpuint (f.passes, ==, 1);
  g_assert_cmpuint (remote_count (&f), ==, 300);

  /* The watches are in place: an edit still syncs on its own. */
  write_file (&f, "d007/sub/f.txt", "edited", -1);
  g_assert_true (wait_pass (&f, 1, ALLSET_SESSION_IDLE));
  g_assert_cmpuint (remote_count (&f), ==, 300);

  fixture_clear (&f);
}

/* A walk slower than the wait does not hold the first pass back; its
 * ::ready then owes the second pass that sees what the first may have
 * missed (a file written while the watches came up). */
static void
test_watches_wait_over (void)
{
  Fixture f = { 0 };

  fixture_init (&f, "impatient");
  write_dirs (&f);
  /* 1 ms: over before the walk of 600 directories is. */
  allset_folder_session_set_watches_wait (f.session, 1);
  allset_folder_session_start (f.session);
  g_assert_cmpstr (allset_folder_session_get_message (f.session), ==, "Preparing to sync");
  g_assert_true (wait_until (&f, is_idle, WAIT_SECONDS));
  spin (1500);
  g_assert_cmpint (state (&f), ==, ALLSET_SESSION_IDLE);
  g_assert_cmpuint (f.passes, ==, 2);
  g_assert_cmpuint (remote_count (&f), ==, 300);

  fixture_clear (&f);
}

static void
test_stop_during_pass (void)
{
  Fixture f = { 0 };
  g_autoptr(GBytes) big = test_cli_random_bytes (8 * 1024 * 1024);
  AllsetFolderSession *weak;

  fixture_init (&f, "stopper");
  write_file (&f, "big.bin", g_bytes_get_data (big, NULL), g_bytes_get_size (big));
  allset_folder_session_start (f.session);
  g_assert_cmpint (state (&f), ==, ALLSET_SESSION_SYNCING);
  spin (50);
  allset_folder_session_stop (f.session);
  f.stopped = TRUE;
  g_assert_cmpint (state (&f), ==, ALLSET_SESSION_STOPPED);

  /* The caller lets go at once: the pass keeps the session until it ends. */
  weak = f.session;
  g_object_add_weak_pointer (G_OBJECT (weak), (gpointer *) &weak);
  g_clear_object (&f.session);
  for (guint i = 0; i < 400 && weak != NULL; i++)
    spin (25);
  g_assert_null (weak);
  g_assert_cmpuint (f.signals_after_stop, ==, 0);

  fixture_clear (&f);
}

int
main (int    argc,
      char **argv)
{
  int status;

  if (!test_cli_init (&argc, &argv, "/folder-session"))
    return g_test_run ();

  server = test_cli_server_start (NULL);

  g_test_add_func ("/folder-session/progress-and-activity", test_progress_and_activity);
  g_test_add_func ("/folder-session/progress-within-a-chunk", test_progress_within_a_chunk);
  g_test_add_func ("/folder-session/rescan", test_rescan);
  g_test_add_func ("/folder-session/pause", test_pause);
  g_test_add_func ("/folder-session/metered", test_metered);
  g_test_add_func ("/folder-session/confirm-deletions", test_confirm_deletions);
  g_test_add_func ("/folder-session/one-pass-at-start", test_one_pass_at_start);
  g_test_add_func ("/folder-session/watches-wait-over", test_watches_wait_over);
  g_test_add_func ("/folder-session/stop-during-pass", test_stop_during_pass);

  status = g_test_run ();
  test_cli_server_stop (server);
  return status;
}
