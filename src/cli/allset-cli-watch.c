/* allset-cli-watch.c — `allset-cli watch`: stay running, sync each change
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One AllsetFolderSession per folder on a GMainLoop: the same engine
 * the desktop app runs, printed as lines. A line per state change (up to
 * date, paused on a metered connection, offline, maintenance…), one per
 * pass that did something, and one per file finished unless --quiet.
 * SIGINT and SIGTERM stop cleanly (exit 0); when every folder has
 * stopped on an error only the user can fix (revoked token, suspended
 * account…), watch exits 1 with its message.
 */

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "allset-cli.h"
#include "allset-folder-session.h"
#include "allset-local-monitor.h"

/* How long a stop waits for the cancelled passes to end. */
#define STOP_TIMEOUT_MS 1500

typedef struct _Watch Watch;

typedef struct
{
  Watch               *watch;
  AllsetFolderSession *session;
  char                *label;
  /* The last state line printed (state + message). */
  char                *last_line;
} Watched;

struct _Watch
{
  GMainLoop *loop;
  GPtrArray *watched;   /* Watched */
  gboolean   quiet;
  int        status;
};

static void
watched_free (gpointer data)
{
  Watched *w = data;

  g_clear_object (&w->session);
  g_free (w->label);
  g_free (w->last_line);
  g_free (w);
}

/* The folders named by id or path, or all of them; NULL after printing
 * which name matched none. */
static GPtrArray *
select_folders (AllsetConfig  *config,
                char         **names,
                int            n_names)
{
  GPtrArray *all = allset_config_get_folders (config);
  g_autoptr(GPtrArray) chosen = g_ptr_array_new ();

  if (n_names == 0)
    {
      for (guint i = 0; i < all->len; i++)
        g_ptr_array_add (chosen, g_ptr_array_index (all, i));
      return g_steal_pointer (&chosen);
    }

  for (int i = 0; i < n_names; i++)
    {
      AllsetFolderConfig *folder = allset_config_find_folder (config, names[i]);

      if (folder == NULL)
        {
          g_autofree char *real = realpath (names[i], NULL);

          folder = allset_config_folder_for_path (config, real != NULL ? real : names[i]);
        }
      if (folder == NULL)
        {
          allset_cli_error (_("No synced folder “%s”: see “allset-cli folders”."), names[i]);
          return NULL;
        }
      if (!g_ptr_array_find (chosen, folder, NULL))
        g_ptr_array_add (chosen, folder);
    }
  return g_steal_pointer (&chosen);
}

static const char *
state_nick (AllsetSessionState state)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (ALLSET_TYPE_SESSION_STATE);
  GEnumValue *value = g_enum_get_value (klass, state);

  return value != NULL ? value->value_nick : "?";
}

/* Every folder stopped on an error that waits for the user. */
static gboolean
all_halted (Watch *watch)
{
  for (guint i = 0; i < watch->watched->len; i++)
    {
      Watched *w = g_ptr_array_index (watch->watched, i);

      if (allset_folder_session_get_state (w->session) != ALLSET_SESSION_ERROR ||
          allset_folder_session_get_retry_time (w->session) != 0)
        return FALSE;
    }
  return TRUE;
}

static void
on_state (AllsetFolderSession *session,
          GParamSpec          *pspec,
          Watched             *w)
{
  AllsetSessionState state = allset_folder_session_get_state (session);
  const char *message = allset_folder_session_get_message (session);
  g_autofree char *line = NULL;

  /* "syncing" comes and goes with every pass: the pass line says it. */
  if (state == ALLSET_SESSION_SYNCING || state == ALLSET_SESSION_STOPPED)
    return;

  line = g_strdup_printf ("%s: %s", state_nick (state), message != NULL ? message : "");
  if (g_strcmp0 (line, w->last_line) != 0)
    {
      g_print ("[%s] %s\n", w->label, line);
      g_free (w->last_line);
      w->last_line = g_steal_pointer (&line);
    }

  if (state == ALLSET_SESSION_ERROR && w->watch->status == ALLSET_CLI_OK && all_halted (w->watch))
    {
      allset_cli_error ("%s", message != NULL ? message : _("Sync stopped"));
      w->watch->status = ALLSET_CLI_ERROR;
      g_main_loop_quit (w->watch->loop);
    }
}

static void
on_pass_finished (AllsetFolderSession *session,
                  gpointer             data,
                  GError              *error,
                  Watched             *w)
{
  const AllsetSyncReport *r = data;

  if (error != NULL)
    return;   /* the state line says why */
  if (r->uploaded + r->downloaded + r->deleted_local + r->deleted_remote + r->moved +
      r->dirs_created + r->conflicts + r->failed + r->skipped + r->verify_failed + r->deferred == 0)
    return;   /* an echo of our own writes, or a quiet rescan */

  g_print (_("[%s] synced: %u up, %u down, %u deleted, %u moved, %u failed\n"), w->label,
           r->uploaded, r->downloaded, r->deleted_local + r->deleted_remote, r->moved,
           r->failed + r->verify_failed + r->skipped);
}

static void
on_activity (AllsetFolderSession *session,
             AllsetActivity      *item,
             Watched             *w)
{
  const char *path = allset_activity_get_path (item);
  const char *to = allset_activity_get_to (item);
  const char *message = allset_activity_get_message (item);

  if (w->watch->quiet)
    return;

  switch (allset_activity_get_status (item))
    {
    case ALLSET_ACTIVITY_VERIFIED:
      /* %lld, not G_GINT64_FORMAT: xgettext must see the whole message. */
      g_print (_("[%s]   verified: %s (%s, revision %lld)\n"), w->label, path,
               allset_activity_get_action_nick (item), (long long) allset_activity_get_revision (item));
      break;
    case ALLSET_ACTIVITY_DONE:
      g_print ("[%s]   %s: %s%s%s\n", w->label, allset_activity_get_action_nick (item), path,
               to != NULL ? " → " : "", to != NULL ? to : "");
      break;
    case ALLSET_ACTIVITY_FAILED:
      g_print (_("[%s]   failed: %s: %s\n"), w->label, path, message != NULL ? message : "");
      break;
    case ALLSET_ACTIVITY_VERIFY_FAILED:
      g_print (_("[%s]   NOT VERIFIED: %s: %s\n"), w->label, path, message != NULL ? message : "");
      break;
    case ALLSET_ACTIVITY_DEFERRED:
      g_print (_("[%s]   waiting: %s: %s\n"), w->label, path, message != NULL ? message : "");
      break;
    case ALLSET_ACTIVITY_RUNNING:
    default:
      break;
    }
}

static gboolean
on_signal (gpointer user_data)
{
  Watch *watch = user_data;

  watch->status = ALLSET_CLI_OK;
  g_main_loop_quit (watch->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_stop_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Stops every session and lets their cancelled passes end (a pass
 * keeps its session alive until then), for at most STOP_TIMEOUT_MS. */
static void
stop_all (Watch *watch)
{
  /* Sized once: the weak pointers point into its storage. */
  g_autoptr(GPtrArray) alive = g_ptr_array_sized_new (watch->watched->len);
  gboolean timed_out = FALSE;
  guint timeout;

  for (guint i = 0; i < watch->watched->len; i++)
    {
      Watched *w = g_ptr_array_index (watch->watched, i);

      g_signal_handlers_disconnect_by_data (w->session, w);
      allset_folder_session_stop (w->session);
      g_ptr_array_add (alive, w->session);
      g_object_add_weak_pointer (G_OBJECT (w->session), (gpointer *) &alive->pdata[alive->len - 1]);
    }
  g_ptr_array_set_size (watch->watched, 0);

  timeout = g_timeout_add (STOP_TIMEOUT_MS, on_stop_timeout, &timed_out);
  for (;;)
    {
      gboolean any = FALSE;

      for (guint i = 0; i < alive->len; i++)
        any = any || g_ptr_array_index (alive, i) != NULL;
      if (!any || timed_out)
        break;
      g_main_context_iteration (NULL, TRUE);
    }
  if (!timed_out)
    g_source_remove (timeout);
  for (guint i = 0; i < alive->len; i++)
    if (g_ptr_array_index (alive, i) != NULL)
      g_object_remove_weak_pointer (g_ptr_array_index (alive, i), (gpointer *) &alive->pdata[i]);
}

int
allset_cli_watch (AllsetCli  *cli,
                  int         argc,
                  char      **argv)
{
  g_autofree char *policy_text = NULL;
  gboolean quiet = FALSE;
  GOptionEntry entries[] = {
    { "metered-policy", 0, 0, G_OPTION_ARG_STRING, &policy_text,
      N_("On a metered connection: pause, small-files or always (default: each folder's)"), N_("POLICY") },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("No line per file"), NULL },
    { NULL }
  };
  g_autoptr(AllsetConfig) config = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  AllsetMeteredPolicy policy = ALLSET_METERED_PAUSE;
  Watch watch = { 0 };
  guint sigint, sigterm;

  if (!allset_cli_parse_options ("watch", N_("[FOLDER…]"),
                                 N_("Stay running and sync every folder, or the FOLDERs named (id "
                                    "or local path), as soon as something changes here or on the "
                                    "server. Stop with Ctrl+C."),
                                 entries, &argc, &argv))
    return ALLSET_CLI_USAGE;
  if (policy_text != NULL && !allset_metered_policy_from_string (policy_text, &policy))
    return allset_cli_usage_error ("watch", _("Unknown metered policy “%s”: use pause, small-files "
                                              "or always"), policy_text);

  if (!(config = allset_cli_load_config (cli)))
    return ALLSET_CLI_ERROR;
  if (!(folders = select_folders (config, argv + 1, argc - 1)))
    return ALLSET_CLI_ERROR;
  if (folders->len == 0)
    {
      allset_cli_error (_("No synced folder yet: add one with “allset-cli add-folder LOCAL_DIR”."));
      return ALLSET_CLI_ERROR;
    }

  /* Lines reach a pipe or a log file as they happen. */
  setvbuf (stdout, NULL, _IOLBF, 0);

  loop = g_main_loop_new (NULL, FALSE);
  watch.loop = loop;
  watch.quiet = quiet;
  watch.watched = g_ptr_array_new_with_free_func (watched_free);

  for (guint i = 0; i < folders->len; i++)
    {
      AllsetFolderConfig *folder = g_ptr_array_index (folders, i);
      g_autoptr(AllsetClient) client = NULL;
      Watched *w;

      /* One client per folder: each has its own bandwidth limits. */
      if (!(client = allset_cli_connect (config)))
        {
          g_ptr_array_unref (watch.watched);
          return ALLSET_CLI_ERROR;
        }
      allset_client_set_bandwidth_limits (client, folder->bandwidth_up, folder->bandwidth_down);

      w = g_new0 (Watched, 1);
      w->watch = &watch;
      w->label = g_strdup (folder->id);
      w->session = allset_folder_session_new (client, folder, NULL);
      if (policy_text != NULL)
        allset_folder_session_set_metered_policy (w->session, policy);
      g_signal_connect (w->session, "notify::state", G_CALLBACK (on_state), w);
      g_signal_connect (w->session, "notify::message", G_CALLBACK (on_state), w);
      g_signal_connect (w->session, "pass-finished", G_CALLBACK (on_pass_finished), w);
      g_signal_connect (w->session, "activity-finished", G_CALLBACK (on_activity), w);
      g_ptr_array_add (watch.watched, w);
      g_print (_("[%s] watching %s\n"), w->label, folder->local);
    }

  sigint = g_unix_signal_add (SIGINT, on_signal, &watch);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &watch);

  for (guint i = 0; i < watch.watched->len; i++)
    allset_folder_session_start (((Watched *) g_ptr_array_index (watch.watched, i))->session);

  g_main_loop_run (loop);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  stop_all (&watch);
  g_ptr_array_unref (watch.watched);
  /* The sessions are gone; their local monitors' threads may still be
   * letting their monitors go. */
  if (!allset_local_monitor_join_stopped (STOP_TIMEOUT_MS))
    g_warning ("A folder watch did not stop in time");
  if (watch.status == ALLSET_CLI_OK)
    g_print ("%s\n", _("Stopped."));
  return watch.status;
}
