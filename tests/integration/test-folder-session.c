/* test-folder-session.c — AllsetFolderSession as the desktop app drives it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Against the real server, with a file-driven GNetworkMonitor
 * (AllsetTestNetworkMonitor) handed to the session: what the GUI binds to
 * must follow what happens — progress figures (the ETA of an upload
 * slowed by the client's bandwidth limit) and the activity list with
 * each file's receipt after a pass, the full rescan that finds what the
 * local monitor cannot see, pause and resume, the metered banner's three
 * choices (pause, small files only with a deferred big file, always), a
 * mass deletion held until confirm_deletions(), a revoked or expired
 * token stopping with "sign in again", maintenance waiting for exactly
 * its Retry-After, and stop() during a pass (no signal after it, the
 * session freed once the pass ends). Each case has its own account, so
 * no push from another case wakes it.
 */

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "allset-folder-session.h"
#include "allset-local-monitor.h"
#include "allset-test-network-monitor.h"
#include "test-cli-server.h"

#define WAIT_SECONDS 20

static TestCliServer *server;

typedef struct
{
  char                *root;
  char                *id;
  AllsetFolderConfig   folder;
  char                *network_file;
  GNetworkMonitor     *network;
  AllsetClient        *client;
  AllsetFolderSession *session;
  guint                passes;          /* ::pass-finished */
  guint                finished_items;  /* ::activity-finished */
  guint                progress_notifies;
  guint                signals_after_stop;
  gboolean             stopped;
  /* ETA (eta-seconds) seen while syncing, against the client's upload
   * limit (up_limit bytes/s, 0: not watched). */
  guint64              up_limit;
  guint                eta_positive;
  guint                eta_implausible;
  guint                eta_kept;        /* passes that ended with an ETA */
} Fixture;

static void
on_pass_finished (AllsetFolderSession *session,
                  gpointer             report,
                  GError              *error,
                  Fixture             *f)
{
  g_assert_nonnull (report);
  f->passes++;
  /* Nothing left to estimate: "unknown" again, not the last figure. */
  if (allset_folder_session_get_eta_seconds (session) != -1)
    f->eta_kept++;
  if (f->stopped)
    f->signals_after_stop++;
}

static void
on_activity_finished (AllsetFolderSession *session,
                      AllsetActivity      *item,
                      Fixture             *f)
{
  f->finished_items++;
  if (f->stopped)
    f->signals_after_stop++;
}

static void
on_progress (GObject    *object,
             GParamSpec *pspec,
             Fixture    *f)
{
  f->progress_notifies++;
  if (f->stopped)
    f->signals_after_stop++;
}

/* A plausible ETA lies between a quarter and twice the time the bytes
 * left take at the client's upload limit, give or take a second of
 * rounding (the bucket's free first second makes the real rate a little
 * higher than the limit at first). */
static void
on_eta (GObject    *object,
        GParamSpec *pspec,
        Fixture    *f)
{
  AllsetFolderSession *session = ALLSET_FOLDER_SESSION (object);
  gint64 eta = allset_folder_session_get_eta_seconds (session);
  guint64 done = allset_folder_session_get_bytes_done (session);
  guint64 total = allset_folder_session_get_bytes_total (session);
  double expected;

  if (f->up_limit == 0 || eta <= 0 ||
      allset_folder_session_get_state (session) != ALLSET_SESSION_SYNCING)
    return;
  expected = (double) (total - MIN (done, total)) / (double) f->up_limit;
  g_test_message ("eta %" G_GINT64_FORMAT " s at %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
                  " bytes (at the limit: %.1f s)", eta, done, total, expected);
  f->eta_positive++;
  if ((double) eta > 2 * expected + 1 || (double) eta < expected / 4 - 1)
    f->eta_implausible++;
}

static void
write_network (Fixture    *f,
               const char *word)
{
  g_assert_true (g_file_set_contents (f->network_file, word, -1, NULL));
}

static void
fixture_init_on (Fixture       *f,
                 TestCliServer *on,
                 const char    *user)
{
  test_cli_admin (on, TEST_CLI_PASSWORD "\n", "account-add", user, "--name", user,
                  "--email", "x@example.com", "--quota", "1G", NULL);
  f->root = g_dir_make_tmp ("allset-session-XXXXXX", NULL);
  f->id = g_strdup_printf ("%s-folder", user);
  f->folder.id = f->id;
  f->folder.local = g_build_filename (f->root, "Sync", NULL);
  f->folder.remote = (char *) "Sync";
  f->folder.journal = g_build_filename (f->root, "journal.db", NULL);
  f->folder.metered_policy = ALLSET_METERED_PAUSE;
  f->folder.small_files_max = 1000;
  g_assert_cmpint (g_mkdir (f->folder.local, 0700), ==, 0);

  f->network_file = g_build_filename (f->root, "network", NULL);
  write_network (f, "online");
  f->network = G_NETWORK_MONITOR (allset_test_network_monitor_new (f->network_file));
  f->client = test_cli_signed_in (on, user);
  f->session = allset_folder_session_new (f->client, &f->folder, f->network);
  g_signal_connect (f->session, "pass-finished", G_CALLBACK (on_pass_finished), f);
  g_signal_connect (f->session, "activity-finished", G_CALLBACK (on_activity_finished), f);
  g_signal_connect (f->session, "notify::bytes-done", G_CALLBACK (on_progress), f);
  g_signal_connect (f->session, "notify::state", G_CALLBACK (on_progress), f);
  g_signal_connect (f->session, "notify::eta-seconds", G_CALLBACK (on_eta), f);
}

static void
fixture_init (Fixture    *f,
              const char *user)
{
  fixture_init_on (f, server, user);
}

static void
remove_tree (const char *root)
{
  g_autofree char *quoted = g_shell_quote (root);
  g_autofree char *command = g_strdup_printf ("rm -rf %s", quoted);

  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
}

static void spin (guint ms);

static void
fixture_clear (Fixture *f)
{
  if (f->session != NULL)
    {
      allset_folder_session_stop (f->session);
      g_signal_handlers_disconnect_by_data (f->session, f);
    }
  g_clear_object (&f->session);
  g_clear_object (&f->client);
  g_clear_object (&f->network);
  /* Let a stopped pass's completion run before the tree goes, and the
   * local monitor's thread let its monitors go (else the sanitizer run's
   * leak check at exit may catch it half way). */
  spin (300);
  g_assert_true (allset_local_monitor_join_stopped (10000));
  remove_tree (f->root);
  g_free (f->root);
  g_free (f->id);
  g_free (f->folder.local);
  g_free (f->folder.journal);
  g_free (f->network_file);
}

static gboolean
on_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until check (f) holds; FALSE after seconds. */
static gboolean
wait_until (Fixture  *f,
            gboolean (*check) (Fixture *f),
            guint     seconds)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (seconds, on_timeout, &timed_out);

  while (!check (f) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return check (f);
}

/* The main loop runs for ms, whatever happens. */
static void
spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, on_timeout, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static AllsetSessionState
state (Fixture *f)
{
  return allset_folder_session_get_state (f->session);
}

/* Spins until a pass after the passes-th one has ended in state wanted. */
static gboolean
wait_pass (Fixture            *f,
           guint               passes,
           AllsetSessionState  wanted)
{
  for (guint i = 0; i < WAIT_SECONDS * 20 && (f->passes <= passes || state (f) != wanted); i++)
    spin (50);
  return f->passes > passes && state (f) == wanted;
}

/* Spins until the state is wanted (no pass needed). */
static gboolean
wait_state (Fixture            *f,
            AllsetSessionState  wanted)
{
  for (guint i = 0; i < WAIT_SECONDS * 20 && state (f) != wanted; i++)
    spin (50);
  return state (f) == wanted;
}

static gboolean is_idle (Fixture *f) { return state (f) == ALLSET_SESSION_IDLE && f->passes > 0; }
static gboolean is_metered (Fixture *f) { return state (f) == ALLSET_SESSION_PAUSED_METERED; }
static gboolean is_error (Fixture *f) { return state (f) == ALLSET_SESSION_ERROR; }
static gboolean needs_confirmation (Fixture *f) { return state (f) == ALLSET_SESSION_NEEDS_CONFIRMATION; }

static void
write_file (Fixture    *f,
            const char *name,
            const char *content,
            gssize      length)
{
  g_autofree char *path = g_build_filename (f->folder.local, name, NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, content, length, NULL));
}

/* Files of the account's Sync directory on the server. */
static guint
remote_count (Fixture *f)
{
  g_autoptr(GPtrArray) entries = allset_client_list (f->client, "Sync", NULL, NULL);

  return entries != NULL ? entries->len : 0;
}

/* The newest item for path in the activity list, or NULL. */
static AllsetActivity *
find_item (Fixture    *f,
           const char *path)
{
  GListModel *model = allset_folder_session_get_activity (f->session);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(AllsetActivity) item = g_list_model_get_item (model, i);

      if (g_strcmp0 (allset_activity_get_path (item), path) == 0)
        return item;   /* the model keeps its own reference */
    }
  return NULL;
}

static void
test_progress_and_activity (void)
{
  Fixture f = { 0 };
  g_autoptr(GBytes) big = test_cli_random_bytes (3 * 1024 * 1024);
  AllsetActivity *item;
  guint64 expected = 3 * 1024 * 1024 + 5 + 6;

  fixture_init (&f, "progress");
  write_file (&f, "big.bin", g_bytes_get_data (big, NULL), g_bytes_get_size (big));
  write_file (&f, "a.txt", "hello", 5);
  write_file (&f, "dir/b.txt", "hello!", 6);
  /* Slowed down so that the upload lasts a few seconds and the ETA has
   * something to estimate (the bucket lets one second's worth go at
   * once: about 4 s in all). */
  f.up_limit = 512 * 1024;
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
   * pass (the local monitor's "ready") may have run: check the uploads'
   * pass through the activity list instead when it did. */
  item = find_item (&f, "big.bin");
  g_assert_nonnull (item);
  g_assert_cmpint (allset_activity_get_status (item), ==, ALLSET_ACTIVITY_VERIFIED);
  g_assert_cmpint (allset_activity_get_action (item), ==, ALLSET_ACTION_UPLOAD);
  g_assert_cmpuint (allset_activity_get_bytes (item), ==, 3 * 1024 * 1024);
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
  spin (500);   /* the local monitor's "ready" pass */
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

static void
test_revoked (void)
{
  Fixture f = { 0 };
  g_autoptr(AllsetClient) twin = NULL;
  g_autoptr(GError) error = NULL;
  const GError *session_error;

  fixture_init (&f, "revoked");
  write_file (&f, "kept.txt", "kept", -1);
  allset_folder_session_start (f.session);
  g_assert_true (wait_until (&f, is_idle, WAIT_SECONDS));

  /* The same device token, signed out from elsewhere. */
  twin = test_cli_new_client (server, NULL);
  {
    g_autoptr(AllsetLoginInfo) info = NULL;

    /* A second device revokes the first one by id. */
    info = allset_client_login (twin, "revoked", TEST_CLI_PASSWORD, "other", NULL, &error);
    g_assert_no_error (error);
  }
  {
    g_autoptr(GPtrArray) devices = allset_client_devices (twin, NULL, &error);

    g_assert_no_error (error);
    for (guint i = 0; i < devices->len; i++)
      {
        AllsetDeviceInfo *device = g_ptr_array_index (devices, i);

        if (!device->current)
          g_assert_true (allset_client_device_revoke (twin, device->device_id, NULL, &error));
      }
  }

  allset_folder_session_sync_now (f.session);
  g_assert_true (wait_until (&f, is_error, WAIT_SECONDS));
  g_assert_cmpint (allset_folder_session_get_retry_time (f.session), ==, 0);
  g_assert_nonnull (strstr (allset_folder_session_get_message (f.session), "sign in again"));
  session_error = allset_folder_session_get_error (f.session);
  g_assert_nonnull (session_error);
  g_assert_true (g_error_matches (session_error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_UNAUTHORIZED));
  /* Stopped: a local change starts nothing. */
  {
    guint passes = f.passes;

    write_file (&f, "after.txt", "after", -1);
    spin (1000);
    g_assert_cmpuint (f.passes, ==, passes);
    g_assert_cmpint (state (&f), ==, ALLSET_SESSION_ERROR);
  }

  fixture_clear (&f);
}

/* The session stops for good when the device's token expires (the
 * server's --token-lifetime), says "sign in again", and touches nothing:
 * no further pass, the local tree as it was, nothing sent. */
static void
test_token_expired (void)
{
  TestCliServer *short_lived = test_cli_server_start ("--token-lifetime=3s");
  Fixture f = { 0 };
  g_autoptr(AllsetClient) fresh = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autofree char *content = NULL;
  g_autofree char *path = NULL;
  const GError *session_error;
  gint64 signed_in;
  guint passes;
  guint n_local = 0;

  fixture_init_on (&f, short_lived, "expiring");
  signed_in = g_get_monotonic_time ();
  write_file (&f, "kept.txt", "kept", -1);
  allset_folder_session_start (f.session);
  g_assert_true (wait_until (&f, is_idle, WAIT_SECONDS));
  g_assert_cmpuint (remote_count (&f), ==, 1);

  /* The server's expiry is in whole seconds: past 3 s + 1 it is over. */
  while (g_get_monotonic_time () - signed_in < 4200 * 1000)
    spin (100);
  g_assert_cmpint (state (&f), ==, ALLSET_SESSION_IDLE);
  write_file (&f, "after.txt", "after", -1);   /* the local monitor: a pass */
  g_assert_true (wait_until (&f, is_error, WAIT_SECONDS));
  session_error = allset_folder_session_get_error (f.session);
  g_assert_nonnull (session_error);
  g_assert_true (g_error_matches (session_error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_TOKEN_EXPIRED));
  g_assert_nonnull (strstr (allset_folder_session_get_message (f.session), "expired"));
  g_assert_nonnull (strstr (allset_folder_session_get_message (f.session), "sign in again"));
  g_assert_cmpint (allset_folder_session_get_retry_time (f.session), ==, 0);

  /* Stopped: more local changes start nothing. */
  passes = f.passes;
  write_file (&f, "later.txt", "later", -1);
  spin (1500);
  g_assert_cmpuint (f.passes, ==, passes);
  g_assert_cmpint (state (&f), ==, ALLSET_SESSION_ERROR);

  /* The local tree: the three files, as written, and nothing else. */
  dir = g_dir_open (f.folder.local, 0, NULL);
  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n_local++;
  g_assert_cmpuint (n_local, ==, 3);
  path = g_build_filename (f.folder.local, "kept.txt", NULL);
  g_assert_true (g_file_get_contents (path, &content, NULL, NULL));
  g_assert_cmpstr (content, ==, "kept");
  g_clear_pointer (&path, g_free);
  g_clear_pointer (&content, g_free);
  path = g_build_filename (f.folder.local, "after.txt", NULL);
  g_assert_true (g_file_get_contents (path, &content, NULL, NULL));
  g_assert_cmpstr (content, ==, "after");

  /* The server, through a new sign-in: only what was there before. */
  fresh = test_cli_signed_in (short_lived, "expiring");
  entries = allset_client_list (fresh, "Sync", NULL, NULL);
  g_assert_nonnull (entries);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_cmpstr (((AllsetEntryInfo *) g_ptr_array_index (entries, 0))->name, ==, "kept.txt");

  fixture_clear (&f);
  /* Our connections go first (libsoup 3.2's SoupServer loses the sockets
   * of connections still open when it is torn down). */
  g_clear_object (&fresh);
  spin (200);
  test_cli_server_stop (short_lived);
}

static gboolean
in_maintenance (Fixture *f)
{
  return state (f) == ALLSET_SESSION_MAINTENANCE;
}

static const char *announced_until;

static gboolean
announces_until (Fixture *f)
{
  return in_maintenance (f) && strstr (allset_folder_session_get_message (f->session), announced_until);
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
test_maintenance (void)
{
  Fixture f = { 0 };
  gint64 now;
  guint passes;

  fixture_init (&f, "patient");
  allset_folder_session_start (f.session);
  g_assert_true (wait_until (&f, is_idle, WAIT_SECONDS));

  test_cli_admin (server, NULL, "maintenance", "on", "--message", "Disk upgrade", NULL);
  /* The server reads the flag on its own schedule: ask until it answers 503. */
  for (guint i = 0; i < 20 && !in_maintenance (&f); i++)
    {
      allset_folder_session_sync_now (f.session);
      wait_until (&f, in_maintenance, 1);
    }
  g_assert_cmpint (state (&f), ==, ALLSET_SESSION_MAINTENANCE);
  /* No end announced: the server says Retry-After: 60, and the session
   * plans its next try that far from the answer (just now). */
  now = now_seconds ();
  g_assert_cmpint (allset_folder_session_get_retry_time (f.session), >=, now + 58);
  g_assert_cmpint (allset_folder_session_get_retry_time (f.session), <=, now + 60);
  g_assert_nonnull (strstr (allset_folder_session_get_message (f.session), "maintenance"));
  g_assert_true (g_error_matches (allset_folder_session_get_error (f.session), ALLSET_PROTOCOL_ERROR,
                                  ALLSET_ERROR_MAINTENANCE));

  /* A local edit waits for the Retry-After instead of hammering. */
  passes = f.passes;
  write_file (&f, "edit.txt", "during maintenance", -1);
  spin (1000);
  g_assert_cmpint (state (&f), ==, ALLSET_SESSION_MAINTENANCE);
  g_assert_cmpuint (f.passes, ==, passes);

  /* An end announced (--until T): the server's Retry-After is T - now,
   * which the session takes as is (no clamp, unlike the push channel's
   * reconnection): its retry time is T, give or take the second of
   * rounding on each side. */
  {
    g_autoptr(GDateTime) utc = g_date_time_new_now_utc ();
    g_autoptr(GDateTime) end = g_date_time_add_seconds (utc, 7);
    g_autofree char *until = g_date_time_format (end, "%Y-%m-%dT%H:%M:%SZ");
    gint64 until_unix = g_date_time_to_unix (end);

    announced_until = until;
    test_cli_admin (server, NULL, "maintenance", "on", "--until", until, "--message", "Disk upgrade",
                    NULL);
    for (guint i = 0; i < 20 && !announces_until (&f); i++)
      {
        allset_folder_session_sync_now (f.session);
        wait_until (&f, announces_until, 1);
      }
    g_assert_true (announces_until (&f));
    g_assert_cmpint (allset_folder_session_get_retry_time (f.session), >=, until_unix - 1);
    g_assert_cmpint (allset_folder_session_get_retry_time (f.session), <=, until_unix + 1);
    announced_until = NULL;

    /* The maintenance ends early, unknown to the session: nothing runs
     * before the retry time, and the retry then syncs on its own (the
     * edit above goes up). */
    test_cli_admin (server, NULL, "maintenance", "off", NULL);
    passes = f.passes;
    while (now_seconds () < until_unix - 1)
      spin (100);
    g_assert_cmpuint (f.passes, ==, passes);
    g_assert_cmpint (state (&f), ==, ALLSET_SESSION_MAINTENANCE);
    while (now_seconds () < until_unix + 4 && (f.passes == passes || !is_idle (&f)))
      spin (100);
    g_assert_cmpuint (f.passes, >, passes);
    g_assert_cmpint (state (&f), ==, ALLSET_SESSION_IDLE);
  }
  g_assert_cmpint (allset_folder_session_get_retry_time (f.session), ==, 0);
  g_assert_null (allset_folder_session_get_error (f.session));
  g_assert_cmpuint (remote_count (&f), ==, 1);

  fixture_clear (&f);
}

static gboolean
is_offline (Fixture *f)
{
  return state (f) == ALLSET_SESSION_OFFLINE;
}

static void
test_unreachable (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetClient) nowhere = NULL;
  g_autoptr(AllsetFolderSession) session = NULL;
  gint64 now;

  fixture_init (&f, "nowhere");
  /* Nothing listens on the discard port of this machine. */
  nowhere = allset_client_new ("https://127.0.0.1:9/", NULL, "token", &error);
  g_assert_no_error (error);
  session = allset_folder_session_new (nowhere, &f.folder, f.network);
  g_signal_connect (session, "pass-finished", G_CALLBACK (on_pass_finished), &f);
  g_signal_handlers_disconnect_by_data (f.session, &f);
  g_set_object (&f.session, session);

  allset_folder_session_start (f.session);
  g_assert_true (wait_until (&f, is_offline, WAIT_SECONDS));
  now = g_get_real_time () / G_USEC_PER_SEC;
  g_assert_cmpint (allset_folder_session_get_retry_time (f.session), >=, now);
  g_assert_nonnull (strstr (allset_folder_session_get_message (f.session), "Offline"));
  /* It backs off (2 s, then 4 s…) rather than retrying in a loop, even
   * with local changes coming in. */
  write_file (&f, "a.txt", "a", -1);
  spin (2500);
  g_assert_cmpuint (f.passes, <=, 3);
  g_assert_true (wait_until (&f, is_offline, WAIT_SECONDS));

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
  g_test_add_func ("/folder-session/rescan", test_rescan);
  g_test_add_func ("/folder-session/pause", test_pause);
  g_test_add_func ("/folder-session/metered", test_metered);
  g_test_add_func ("/folder-session/confirm-deletions", test_confirm_deletions);
  g_test_add_func ("/folder-session/revoked", test_revoked);
  g_test_add_func ("/folder-session/token-expired", test_token_expired);
  g_test_add_func ("/folder-session/maintenance", test_maintenance);
  g_test_add_func ("/folder-session/unreachable", test_unreachable);
  g_test_add_func ("/folder-session/stop-during-pass", test_stop_during_pass);

  status = g_test_run ();
  test_cli_server_stop (server);
  return status;
}
