/* allset-app-state.c — the account and its folders as the app shows them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "allset-app-state.h"
#include "allset-connect.h"
#include "allset-error.h"
#include "allset-journal.h"

struct _AllsetAppState
{
  GObject         parent_instance;

  AllsetAppPhase  phase;
  char           *message;
  AllsetConfig   *config;
  AllsetClient   *client;
  GListStore     *sessions;
  GCancellable   *cancellable;
  gboolean        paused;
  /* The account's space, read after each pass (0 quota: unlimited). */
  guint64         used;
  guint64         quota;
  gboolean        have_space;
  gboolean        reading_space;
  /* AllsetIssue of every folder (paths the user must look at), and how
   * many times the list was read. */
  GPtrArray      *issues;
  guint           issues_generation;
};

G_DEFINE_FINAL_TYPE (AllsetAppState, allset_app_state, G_TYPE_OBJECT)

enum { CHANGED, SHARES_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

AllsetAppState *
allset_app_state_new (void)
{
  return g_object_new (ALLSET_TYPE_APP_STATE, NULL);
}

static void
emit_changed (AllsetAppState *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
set_phase (AllsetAppState *self,
           AllsetAppPhase  phase,
           const char     *message)
{
  self->phase = phase;
  g_free (self->message);
  self->message = g_strdup (message);
  emit_changed (self);
}

static void
stop_sessions (AllsetAppState *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sessions));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AllsetFolderSession) session = g_list_model_get_item (G_LIST_MODEL (self->sessions), i);

      g_signal_handlers_disconnect_by_data (session, self);
      allset_folder_session_stop (session);
    }
  g_list_store_remove_all (self->sessions);
}

static void
space_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;
  AllsetAccountInfo *info = allset_client_account (task_data, cancellable, &error);

  if (info == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, info, (GDestroyNotify) allset_account_info_free);
}

static void
space_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  AllsetAppState *self = ALLSET_APP_STATE (source);
  g_autoptr(AllsetAccountInfo) info = g_task_propagate_pointer (G_TASK (result), NULL);

  self->reading_space = FALSE;
  if (info == NULL)
    return;
  self->used = info->used;
  self->quota = info->quota;
  self->have_space = TRUE;
  emit_changed (self);
}

static void
issues_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  const char *journal_path = task_data;
  g_autoptr(AllsetJournal) journal = NULL;
  GPtrArray *issues;
  GError *error = NULL;

  /* SQLite in WAL mode: reading beside a running pass is fine. */
  if (!(journal = allset_journal_open (journal_path, &error)) ||
      !(issues = allset_journal_list_issues (journal, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, issues, (GDestroyNotify) g_ptr_array_unref);
}

static void
issues_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  AllsetAppState *self = ALLSET_APP_STATE (source);
  g_autoptr(GPtrArray) issues = g_task_propagate_pointer (G_TASK (result), NULL);

  if (issues == NULL)
    return;
  g_ptr_array_set_size (self->issues, 0);
  for (guint i = 0; i < issues->len; i++)
    {
      const AllsetIssue *issue = g_ptr_array_index (issues, i);

      /* Conflict copies have their own place in the activity list. */
      if (issue->kind != ALLSET_ISSUE_CONFLICT)
        g_ptr_array_add (self->issues, allset_issue_copy (issue));
    }
  self->issues_generation++;
  emit_changed (self);
}

/* ::pass-finished, swapped: the session comes last. */
static void
read_issues (AllsetAppState      *self,
             gpointer             report,
             const GError        *error,
             AllsetFolderSession *session)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, issues_cb, NULL);

  g_task_set_task_data (task, g_strdup (allset_folder_session_get_folder (session)->journal), g_free);
  g_task_run_in_thread (task, issues_thread);
}

GPtrArray *
allset_app_state_get_issues (AllsetAppState *self,
                             guint          *generation)
{
  if (generation != NULL)
    *generation = self->issues_generation;
  return self->issues;
}

/* The quota shown in the window; a pass may have changed the space used. */
static void
read_space (AllsetAppState *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->client == NULL || self->reading_space)
    return;
  self->reading_space = TRUE;
  task = g_task_new (self, self->cancellable, space_cb, NULL);
  g_task_set_task_data (task, g_object_ref (self->client), g_object_unref);
  g_task_run_in_thread (task, space_thread);
}

gboolean
allset_app_state_get_space (AllsetAppState *self,
                            guint64        *used,
                            guint64        *quota)
{
  *used = self->used;
  *quota = self->quota;
  return self->have_space;
}

/* A revoked or expired token stops every folder the same way: the whole
 * app goes back to the sign-in screen instead of showing one error per
 * folder. */
static void
session_state_cb (AllsetFolderSession *session,
                  GParamSpec          *pspec,
                  AllsetAppState      *self)
{
  const GError *error = allset_folder_session_get_error (session);

  if (allset_folder_session_get_state (session) != ALLSET_SESSION_ERROR || error == NULL ||
      !(g_error_matches (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_UNAUTHORIZED) ||
        g_error_matches (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_TOKEN_EXPIRED)))
    return;

  stop_sessions (self);
  set_phase (self, ALLSET_APP_PHASE_SIGN_IN_AGAIN,
             _("This device was signed out (its session expired or was revoked). Sign in again "
               "to keep syncing; nothing was lost."));
}

static void
start_sessions (AllsetAppState *self)
{
  GPtrArray *folders = allset_config_get_folders (self->config);

  for (guint i = 0; i < folders->len; i++)
    {
      const AllsetFolderConfig *folder = g_ptr_array_index (folders, i);
      g_autoptr(AllsetFolderSession) session = allset_folder_session_new (self->client, folder, NULL);

      /* The client is shared: the first folder's limits hold for all. */
      if (i == 0)
        allset_client_set_bandwidth_limits (self->client, folder->bandwidth_up,
                                            folder->bandwidth_down);

      g_signal_connect_object (session, "notify", G_CALLBACK (emit_changed), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "notify::state", G_CALLBACK (session_state_cb), self, 0);
      g_signal_connect_object (session, "pass-finished", G_CALLBACK (read_space), self,
                               G_CONNECT_SWAPPED);
      /* The first folder's issues (the window shows that folder). */
      if (i == 0)
        g_signal_connect_object (session, "pass-finished", G_CALLBACK (read_issues), self,
                                 G_CONNECT_SWAPPED);
      if (self->paused)
        allset_folder_session_set_paused (session, TRUE);
      g_list_store_append (self->sessions, session);
      allset_folder_session_start (session);
    }
}

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(AllsetAppState) self = user_data;
  g_autoptr(GError) error = NULL;
  AllsetClient *client = allset_connect_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (client == NULL)
    {
      if (g_error_matches (error, ALLSET_CONNECT_ERROR, ALLSET_CONNECT_ERROR_NOT_SIGNED_IN))
        set_phase (self, ALLSET_APP_PHASE_NEEDS_SETUP, NULL);
      else if (g_error_matches (error, ALLSET_CONNECT_ERROR, ALLSET_CONNECT_ERROR_NO_TOKEN))
        set_phase (self, ALLSET_APP_PHASE_SIGN_IN_AGAIN,
                   _("This device is no longer signed in. Sign in again to keep syncing."));
      else
        set_phase (self, ALLSET_APP_PHASE_FAILED, error->message);
      return;
    }

  g_clear_object (&self->client);
  self->client = client;
  start_sessions (self);
  set_phase (self, ALLSET_APP_PHASE_RUNNING, NULL);
}

void
allset_app_state_start (AllsetAppState *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (ALLSET_IS_APP_STATE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  /* A few hundred bytes read once at start-up, before the sessions run. */
  g_clear_object (&self->config);
  self->config = allset_config_load (NULL, &error);
  if (self->config == NULL)
    {
      set_phase (self, ALLSET_APP_PHASE_FAILED, error->message);
      return;
    }
  if (!allset_config_is_signed_in (self->config))
    {
      set_phase (self, ALLSET_APP_PHASE_NEEDS_SETUP, NULL);
      return;
    }

  set_phase (self, ALLSET_APP_PHASE_LOADING, NULL);
  allset_connect_async (self->config, self->cancellable, connected_cb, g_object_ref (self));
}

void
allset_app_state_stop (AllsetAppState *self)
{
  g_return_if_fail (ALLSET_IS_APP_STATE (self));

  g_cancellable_cancel (self->cancellable);
  stop_sessions (self);
}

void
allset_app_state_reload (AllsetAppState *self)
{
  allset_app_state_stop (self);
  allset_app_state_start (self);
}

AllsetAppPhase
allset_app_state_get_phase (AllsetAppState *self)
{
  return self->phase;
}

const char *
allset_app_state_get_message (AllsetAppState *self)
{
  return self->message;
}

AllsetConfig *
allset_app_state_get_config (AllsetAppState *self)
{
  return self->config;
}

AllsetClient *
allset_app_state_get_client (AllsetAppState *self)
{
  return self->client;
}

GListModel *
allset_app_state_get_sessions (AllsetAppState *self)
{
  return G_LIST_MODEL (self->sessions);
}

GFile *
allset_app_state_dup_first_folder (AllsetAppState *self)
{
  GPtrArray *folders;

  if (self->config == NULL)
    return NULL;
  folders = allset_config_get_folders (self->config);
  if (folders->len == 0)
    return NULL;

  return g_file_new_for_path (((AllsetFolderConfig *) g_ptr_array_index (folders, 0))->local);
}

void
allset_app_state_shares_changed (AllsetAppState *self)
{
  g_return_if_fail (ALLSET_IS_APP_STATE (self));

  g_signal_emit (self, signals[SHARES_CHANGED], 0);
}

void
allset_app_state_set_paused (AllsetAppState *self,
                             gboolean        paused)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sessions));

  self->paused = paused;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AllsetFolderSession) session = g_list_model_get_item (G_LIST_MODEL (self->sessions), i);

      allset_folder_session_set_paused (session, paused);
    }
  emit_changed (self);
}

gboolean
allset_app_state_get_paused (AllsetAppState *self)
{
  return self->paused;
}

/* Higher is worse: what the tray shows when folders disagree. */
static int
severity (AllsetSessionState state)
{
  switch (state)
    {
    case ALLSET_SESSION_ERROR:              return 8;
    case ALLSET_SESSION_NEEDS_CONFIRMATION: return 7;
    case ALLSET_SESSION_OFFLINE:            return 6;
    case ALLSET_SESSION_MAINTENANCE:        return 5;
    case ALLSET_SESSION_PAUSED_METERED:     return 4;
    case ALLSET_SESSION_PAUSED:             return 3;
    case ALLSET_SESSION_SYNCING:            return 2;
    case ALLSET_SESSION_IDLE:               return 1;
    case ALLSET_SESSION_STOPPED:
    default:                                return 0;
    }
}

AllsetSessionState
allset_app_state_get_session_state (AllsetAppState *self)
{
  AllsetSessionState worst = ALLSET_SESSION_STOPPED;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sessions));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AllsetFolderSession) session = g_list_model_get_item (G_LIST_MODEL (self->sessions), i);
      AllsetSessionState state = allset_folder_session_get_state (session);

      if (severity (state) > severity (worst))
        worst = state;
    }

  return worst;
}

AllsetTrayStatus
allset_app_state_get_tray_status (AllsetAppState  *self,
                                  guint           *percent,
                                  char           **detail)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sessions));
  guint64 bytes_done = 0, bytes_total = 0;
  guint files_done = 0, files_total = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AllsetFolderSession) session = g_list_model_get_item (G_LIST_MODEL (self->sessions), i);

      if (allset_folder_session_get_state (session) != ALLSET_SESSION_SYNCING)
        continue;
      bytes_done += allset_folder_session_get_bytes_done (session);
      bytes_total += allset_folder_session_get_bytes_total (session);
      files_done += allset_folder_session_get_files_done (session);
      files_total += allset_folder_session_get_files_total (session);
    }

  *percent = 0;
  *detail = NULL;
  if (bytes_total > 0)
    *percent = (guint) MIN (100, bytes_done * 100 / bytes_total);
  else if (files_total > 0)
    *percent = MIN (100, files_done * 100 / files_total);

  switch (self->phase)
    {
    case ALLSET_APP_PHASE_NEEDS_SETUP:
      *detail = g_strdup (_("Not set up yet"));
      return ALLSET_TRAY_STATUS_PAUSED;
    case ALLSET_APP_PHASE_SIGN_IN_AGAIN:
    case ALLSET_APP_PHASE_FAILED:
      *detail = g_strdup (self->message);
      return ALLSET_TRAY_STATUS_ERROR;
    case ALLSET_APP_PHASE_LOADING:
      return ALLSET_TRAY_STATUS_OFFLINE;
    case ALLSET_APP_PHASE_RUNNING:
    default:
      break;
    }

  switch (allset_app_state_get_session_state (self))
    {
    case ALLSET_SESSION_SYNCING:
      if (files_total > files_done)
        *detail = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u file left", "%u files left",
                                                files_total - files_done),
                                   files_total - files_done);
      return ALLSET_TRAY_STATUS_SYNCING;
    case ALLSET_SESSION_PAUSED:
      return ALLSET_TRAY_STATUS_PAUSED;
    case ALLSET_SESSION_PAUSED_METERED:
      return ALLSET_TRAY_STATUS_PAUSED_METERED;
    case ALLSET_SESSION_OFFLINE:
    case ALLSET_SESSION_MAINTENANCE:
      return ALLSET_TRAY_STATUS_OFFLINE;
    case ALLSET_SESSION_ERROR:
    case ALLSET_SESSION_NEEDS_CONFIRMATION:
      return ALLSET_TRAY_STATUS_ERROR;
    case ALLSET_SESSION_IDLE:
    case ALLSET_SESSION_STOPPED:
    default:
      return ALLSET_TRAY_STATUS_IDLE;
    }
}

static void
allset_app_state_finalize (GObject *object)
{
  AllsetAppState *self = ALLSET_APP_STATE (object);

  g_cancellable_cancel (self->cancellable);
  stop_sessions (self);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->sessions);
  g_clear_pointer (&self->issues, g_ptr_array_unref);
  g_clear_object (&self->client);
  g_clear_object (&self->config);
  g_free (self->message);

  G_OBJECT_CLASS (allset_app_state_parent_class)->finalize (object);
}

static void
allset_app_state_class_init (AllsetAppStateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = allset_app_state_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SHARES_CHANGED] = g_signal_new ("shares-changed", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
allset_app_state_init (AllsetAppState *self)
{
  self->sessions = g_list_store_new (ALLSET_TYPE_FOLDER_SESSION);
  self->issues = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_issue_free);
  self->cancellable = g_cancellable_new ();
}
