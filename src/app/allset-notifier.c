/* allset-notifier.c — what the app tells the user without being asked
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "allset-notifier.h"

#define RECENT_MAX 5

struct _AllsetNotifier
{
  GObject             parent_instance;

  GApplication       *app;       /* not owned: it owns us */
  AllsetAppState     *state;
  AllsetTray         *tray;
  GSettings          *settings;
  /* Sessions we listen to (AllsetFolderSession → its last state). */
  GHashTable         *states;
  /* Newest first: "label" and path of the last activities. */
  GPtrArray          *recent_labels;
  GPtrArray          *recent_paths;
};

G_DEFINE_FINAL_TYPE (AllsetNotifier, allset_notifier, G_TYPE_OBJECT)

static gboolean
enabled (AllsetNotifier *self)
{
  return self->settings == NULL || g_settings_get_boolean (self->settings, "notifications");
}

static void
send (AllsetNotifier *self,
      const char     *id,
      const char     *title,
      const char     *body,
      gboolean        metered_buttons)
{
  g_autoptr(GNotification) notification = NULL;

  if (!enabled (self))
    return;

  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_notification_set_default_action (notification, "app.show-window");
  if (metered_buttons)
    {
      g_notification_add_button_with_target (notification, _("Sync anyway"),
                                             "app.metered-policy", "s", "always");
      g_notification_add_button_with_target (notification, _("Small files only"),
                                             "app.metered-policy", "s", "small-files");
    }
  g_application_send_notification (self->app, id, notification);
}

static void
update_tray_recent (AllsetNotifier *self)
{
  g_ptr_array_add (self->recent_labels, NULL);
  g_ptr_array_add (self->recent_paths, NULL);
  allset_tray_set_recent (self->tray, (const char * const *) self->recent_labels->pdata,
                          (const char * const *) self->recent_paths->pdata);
  g_ptr_array_remove_index (self->recent_labels, self->recent_labels->len - 1);
  g_ptr_array_remove_index (self->recent_paths, self->recent_paths->len - 1);
}

static char *
recent_label (AllsetActivity *item)
{
  const char *path = allset_activity_get_path (item);
  g_autofree char *name = g_path_get_basename (path);

  switch (allset_activity_get_status (item))
    {
    case ALLSET_ACTIVITY_FAILED:
    case ALLSET_ACTIVITY_VERIFY_FAILED:
      return g_strdup_printf (_("%s: failed"), name);
    case ALLSET_ACTIVITY_VERIFIED:
      return g_strdup_printf (_("%s: verified"), name);
    case ALLSET_ACTIVITY_DEFERRED:
      return g_strdup_printf (_("%s: waiting"), name);
    default:
      return g_strdup (name);
    }
}

static void
activity_finished_cb (AllsetFolderSession *session,
                      AllsetActivity      *item,
                      AllsetNotifier      *self)
{
  AllsetActivityStatus status = allset_activity_get_status (item);
  AllsetActionKind action = allset_activity_get_action (item);
  const char *path = allset_activity_get_path (item);
  g_autofree char *body = NULL;

  g_ptr_array_insert (self->recent_labels, 0, recent_label (item));
  g_ptr_array_insert (self->recent_paths, 0, g_strdup (path));
  if (self->recent_labels->len > RECENT_MAX)
    {
      g_ptr_array_set_size (self->recent_labels, RECENT_MAX);
      g_ptr_array_set_size (self->recent_paths, RECENT_MAX);
    }
  update_tray_recent (self);

  if (action == ALLSET_ACTION_CONFLICT)
    {
      body = g_strdup_printf (_("“%s” was changed here and on the server. Both versions are kept: "
                                "yours is now “%s”."),
                              path, allset_activity_get_to (item) != NULL ? allset_activity_get_to (item) : path);
      send (self, "conflict", _("Conflict"), body, FALSE);
    }
  else if (status == ALLSET_ACTIVITY_FAILED || status == ALLSET_ACTIVITY_VERIFY_FAILED)
    {
      body = g_strdup_printf (_("“%s”: %s"), path,
                              allset_activity_get_message (item) != NULL
                              ? allset_activity_get_message (item) : _("unknown reason"));
      send (self, "failed", _("A file could not be synced"), body, FALSE);
    }
  else if (status == ALLSET_ACTIVITY_VERIFIED &&
           allset_activity_get_bytes (item) >= ALLSET_NOTIFIER_LARGE_FILE)
    {
      g_autofree char *size = g_format_size (allset_activity_get_bytes (item));

      body = g_strdup_printf (_("“%s” (%s) is transferred and verified."), path, size);
      send (self, "large-transfer", _("Transfer finished"), body, FALSE);
    }
}

static void
session_state_cb (AllsetFolderSession *session,
                  GParamSpec          *pspec,
                  AllsetNotifier      *self)
{
  AllsetSessionState state = allset_folder_session_get_state (session);
  gpointer before = g_hash_table_lookup (self->states, session);

  if (before != NULL && GPOINTER_TO_INT (before) - 1 == (int) state)
    return;
  g_hash_table_insert (self->states, session, GINT_TO_POINTER (state + 1));

  /* Only the transitions the user must know about, once each. */
  if (state == ALLSET_SESSION_PAUSED_METERED)
    send (self, "metered", _("Metered connection: syncing is paused"),
          _("This connection is mobile or limited: your operator may bill the data."), TRUE);
  else if (state == ALLSET_SESSION_ERROR)
    send (self, "error", _("Syncing stopped"), allset_folder_session_get_message (session), FALSE);
  else if (state == ALLSET_SESSION_NEEDS_CONFIRMATION)
    send (self, "deletions", _("Deletions to confirm"), allset_folder_session_get_message (session),
          FALSE);
  else if (state == ALLSET_SESSION_IDLE)
    g_application_withdraw_notification (self->app, "metered");
}

static void
sessions_changed_cb (GListModel     *sessions,
                     guint           position,
                     guint           removed,
                     guint           added,
                     AllsetNotifier *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(AllsetFolderSession) session = g_list_model_get_item (sessions, i);

      g_signal_connect_object (session, "activity-finished", G_CALLBACK (activity_finished_cb),
                               self, 0);
      g_signal_connect_object (session, "notify::state", G_CALLBACK (session_state_cb), self, 0);
    }
  if (removed > 0)
    g_hash_table_remove_all (self->states);
}

AllsetNotifier *
allset_notifier_new (GApplication   *app,
                     AllsetAppState *state,
                     AllsetTray     *tray,
                     GSettings      *settings)
{
  AllsetNotifier *self = g_object_new (ALLSET_TYPE_NOTIFIER, NULL);
  GListModel *sessions = allset_app_state_get_sessions (state);

  self->app = app;
  self->state = g_object_ref (state);
  self->tray = g_object_ref (tray);
  self->settings = settings != NULL ? g_object_ref (settings) : NULL;
  g_signal_connect_object (sessions, "items-changed", G_CALLBACK (sessions_changed_cb), self, 0);
  sessions_changed_cb (sessions, 0, 0, g_list_model_get_n_items (sessions), self);

  return self;
}

void
allset_notifier_link_copied (AllsetNotifier *self,
                             const char     *name)
{
  g_autofree char *body = NULL;

  g_return_if_fail (ALLSET_IS_NOTIFIER (self));

  body = g_strdup_printf (_("The link to “%s” is ready to paste."), name);
  send (self, "share-link", _("Link copied to the clipboard"), body, FALSE);
}

static void
allset_notifier_finalize (GObject *object)
{
  AllsetNotifier *self = ALLSET_NOTIFIER (object);

  g_clear_object (&self->state);
  g_clear_object (&self->tray);
  g_clear_object (&self->settings);
  g_hash_table_unref (self->states);
  g_ptr_array_unref (self->recent_labels);
  g_ptr_array_unref (self->recent_paths);

  G_OBJECT_CLASS (allset_notifier_parent_class)->finalize (object);
}

static void
allset_notifier_class_init (AllsetNotifierClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = allset_notifier_finalize;
}

static void
allset_notifier_init (AllsetNotifier *self)
{
  self->states = g_hash_table_new (NULL, NULL);
  self->recent_labels = g_ptr_array_new_with_free_func (g_free);
  self->recent_paths = g_ptr_array_new_with_free_func (g_free);
}
