/* folder-session-fixture.c — one AllsetFolderSession against the real server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The fixture and the bounded main-loop waits of the folder-session tests
 * (see folder-session-fixture.h); the ETA check lives here because every
 * fixture's session reports its ETA, and a test turns it on by setting
 * up_limit.
 */

#include <glib/gstdio.h>

#include "folder-session-fixture.h"
#include "allset-local-monitor.h"
#include "allset-test-network-monitor.h"

TestCliServer *server;

void
fixture_on_pass_finished (AllsetFolderSession *session,
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

void
write_network (Fixture    *f,
               const char *word)
{
  g_assert_true (g_file_set_contents (f->network_file, word, -1, NULL));
}

void
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
  g_signal_connect (f->session, "pass-finished", G_CALLBACK (fixture_on_pass_finished), f);
  g_signal_connect (f->session, "activity-finished", G_CALLBACK (on_activity_finished), f);
  g_signal_connect (f->session, "notify::bytes-done", G_CALLBACK (on_progress), f);
  g_signal_connect (f->session, "notify::state", G_CALLBACK (on_progress), f);
  g_signal_connect (f->session, "notify::eta-seconds", G_CALLBACK (on_eta), f);
}

void
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

void
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

gboolean
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

void
spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, on_timeout, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

AllsetSessionState
state (Fixture *f)
{
  return allset_folder_session_get_state (f->session);
}

gboolean
wait_pass (Fixture            *f,
           guint               passes,
           AllsetSessionState  wanted)
{
  for (guint i = 0; i < WAIT_SECONDS * 20 && (f->passes <= passes || state (f) != wanted); i++)
    spin (50);
  return f->passes > passes && state (f) == wanted;
}

gboolean
wait_state (Fixture            *f,
            AllsetSessionState  wanted)
{
  for (guint i = 0; i < WAIT_SECONDS * 20 && state (f) != wanted; i++)
    spin (50);
  return state (f) == wanted;
}

gboolean
is_idle (Fixture *f)
{
  return state (f) == ALLSET_SESSION_IDLE && f->passes > 0;
}

void
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

guint
remote_count (Fixture *f)
{
  g_autoptr(GPtrArray) entries = allset_client_list (f->client, "Sync", NULL, NULL);

  return entries != NULL ? entries->len : 0;
}

AllsetActivity *
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
