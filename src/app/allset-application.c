/* allset-application.c — the single instance of ALLSET Sync
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "allset-application-private.h"
#include "allset-local-monitor.h"
#include "allset-notifier.h"
#include "allset-preferences.h"
#include "allset-share-dialog.h"
#include "allset-window.h"
#include "allset-tray.h"

struct _AllsetApplication
{
  AdwApplication      parent_instance;

  AllsetAppState     *state;
  AllsetTray         *tray;
  AllsetNotifier     *notifier;
  GSettings          *settings;
  /* The app says once that no tray host shows its icon. */
  gboolean            told_no_tray;
  guint               tray_check;
};

G_DEFINE_FINAL_TYPE (AllsetApplication, allset_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "background", 'b', 0, G_OPTION_ARG_NONE, NULL,
    N_("Start without a window (used at login)"), NULL },
  { "share", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Create a public link to FILE"), N_("FILE") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version"), NULL },
  { NULL }
};

AllsetApplication *
allset_application_new (void)
{
  return g_object_new (ALLSET_TYPE_APPLICATION,
                       "application-id", ALLSET_APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", "/fr/allset/Sync",
                       NULL);
}

AllsetAppState *
allset_application_get_state (AllsetApplication *self)
{
  g_return_val_if_fail (ALLSET_IS_APPLICATION (self), NULL);

  return self->state;
}

static AllsetWindow *
get_window (AllsetApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (allset_window_new (self));

  return ALLSET_WINDOW (window);
}

void
allset_application_show_window (AllsetApplication *self)
{
  gtk_window_present (GTK_WINDOW (get_window (self)));
}

/* ---- actions ----------------------------------------------------------- */

static void
show_window_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  allset_application_show_window (user_data);
}

static void
open_folder_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  AllsetApplication *self = user_data;
  g_autoptr(GFile) folder = allset_app_state_dup_first_folder (self->state);
  g_autofree char *uri = NULL;

  if (folder == NULL)
    {
      allset_application_show_window (self);
      return;
    }
  uri = g_file_get_uri (folder);
  gtk_show_uri (gtk_application_get_active_window (GTK_APPLICATION (self)), uri, GDK_CURRENT_TIME);
}

static void
toggle_pause_action (GSimpleAction *action,
                     GVariant      *param,
                     gpointer       user_data)
{
  AllsetApplication *self = user_data;

  allset_app_state_set_paused (self->state, !allset_app_state_get_paused (self->state));
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  AllsetApplication *self = user_data;

  allset_app_state_stop (self->state);
  g_application_quit (G_APPLICATION (self));
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  AllsetApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  adw_show_about_window (parent,
                         "application-name", _("ALLSET Sync"),
                         "application-icon", ALLSET_APPLICATION_ID,
                         "developer-name", "ALLSET",
                         "version", PACKAGE_VERSION,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         NULL);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  AllsetApplication *self = user_data;
  GtkWidget *preferences;

  allset_application_show_window (self);
  preferences = allset_preferences_new (GTK_WINDOW (get_window (self)), self->state);
  gtk_window_present (GTK_WINDOW (preferences));
}

/* The share dialog for file, over the window (shown too: the dialog is
 * modal to it). */
static void
share_file (AllsetApplication *self,
            GFile             *file)
{
  GtkWidget *dialog;

  allset_application_show_window (self);
  dialog = allset_share_dialog_new (GTK_WINDOW (get_window (self)), self->state, self->notifier, file);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
share_chosen_cb (GtkNativeDialog *chooser,
                 int              response,
                 gpointer         user_data)
{
  g_autoptr(AllsetApplication) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        share_file (self, file);
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

/* « Partager un fichier… » (tray, window menu): choose, then the dialog. */
static void
share_file_action (GSimpleAction *action,
                   GVariant      *param,
                   gpointer       user_data)
{
  AllsetApplication *self = user_data;
  g_autoptr(GFile) folder = allset_app_state_dup_first_folder (self->state);
  GtkFileChooserNative *chooser;

  allset_application_show_window (self);
  chooser = gtk_file_chooser_native_new (_("Share a File"), GTK_WINDOW (get_window (self)),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Share"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  if (folder != NULL)
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
  g_signal_connect (chooser, "response", G_CALLBACK (share_chosen_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* app.share-path "/abs/path": the file manager's « Partager avec ALLSET »
 * over D-Bus (org.freedesktop.Application.ActivateAction). */
static void
share_path_action (GSimpleAction *action,
                   GVariant      *param,
                   gpointer       user_data)
{
  AllsetApplication *self = user_data;
  const char *path = g_variant_get_string (param, NULL);
  g_autoptr(GFile) file = NULL;

  if (!g_path_is_absolute (path))
    {
      g_message ("share-path: not an absolute path: %s", path);
      return;
    }
  file = g_file_new_for_path (path);
  share_file (self, file);
}

static void
show_activity_action (GSimpleAction *action,
                      GVariant      *param,
                      gpointer       user_data)
{
  AllsetApplication *self = user_data;

  allset_window_show_page (get_window (self), "activity");
  allset_application_show_window (self);
}

static void
metered_policy_action (GSimpleAction *action,
                       GVariant      *param,
                       gpointer       user_data)
{
  AllsetApplication *self = user_data;
  GListModel *sessions = allset_app_state_get_sessions (self->state);
  AllsetMeteredPolicy policy;

  if (!allset_metered_policy_from_string (g_variant_get_string (param, NULL), &policy))
    return;
  for (guint i = 0; i < g_list_model_get_n_items (sessions); i++)
    {
      g_autoptr(AllsetFolderSession) session = g_list_model_get_item (sessions, i);

      allset_folder_session_set_metered_policy (session, policy);
    }
}

static const GActionEntry app_actions[] = {
  { "show-window", show_window_action },
  { "open-folder", open_folder_action },
  { "toggle-pause", toggle_pause_action },
  { "share-file", share_file_action },
  { "share-path", share_path_action, "s" },
  { "show-activity", show_activity_action, "s" },
  { "metered-policy", metered_policy_action, "s" },
  { "preferences", preferences_action },
  { "about", about_action },
  { "quit", quit_action },
};

/* ---- state → tray ------------------------------------------------------ */

static void
update_tray (AllsetApplication *self)
{
  g_autofree char *detail = NULL;
  AllsetTrayStatus status;
  guint percent = 0;

  status = allset_app_state_get_tray_status (self->state, &percent, &detail);
  allset_tray_set_status (self->tray, status, percent, detail);
  allset_tray_set_paused (self->tray, allset_app_state_get_paused (self->state));
}

/* Without a tray host (GNOME Shell without the AppIndicator extension)
 * the app keeps running: it says so once — in its window if one is
 * open, else in a notification — and shows its window when launched
 * again. */
static void
tray_available_changed (AllsetApplication *self)
{
  GtkWindow *window;

  if (self->tray == NULL || allset_tray_get_available (self->tray) || self->told_no_tray ||
      self->tray_check != 0)
    return;

  self->told_no_tray = TRUE;
  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window != NULL)
    allset_window_show_toast (ALLSET_WINDOW (window),
                              _("No system tray: ALLSET Sync keeps running in the background."));
  else
    {
      g_autoptr(GNotification) notification = g_notification_new (_("ALLSET Sync keeps running"));

      g_notification_set_body (notification, _("There is no system tray here: launch ALLSET Sync "
                                               "again to open its window."));
      g_notification_set_default_action (notification, "app.show-window");
      g_application_send_notification (G_APPLICATION (self), "no-tray", notification);
    }
}

/* Give the watcher a moment to answer before deciding there is none. */
static gboolean
check_tray_later (gpointer user_data)
{
  AllsetApplication *self = user_data;

  self->tray_check = 0;
  tray_available_changed (self);
  return G_SOURCE_REMOVE;
}

/* ---- GApplication ------------------------------------------------------ */

/* An uninstalled app without GSETTINGS_SCHEMA_DIR has no schema: run with
 * the defaults rather than abort. */
static GSettings *
settings_or_null (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, ALLSET_APPLICATION_ID, TRUE);
  return schema != NULL ? g_settings_new (ALLSET_APPLICATION_ID) : NULL;
}

static void
allset_application_startup (GApplication *app)
{
  AllsetApplication *self = ALLSET_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (allset_application_parent_class)->startup (app);

  /* Uninstalled runs (make run, tests): the app's own icons from the tree. */
  if (g_getenv ("ALLSET_ICON_DIR") != NULL)
    gtk_icon_theme_add_search_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                    g_getenv ("ALLSET_ICON_DIR"));

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);

  self->state = allset_app_state_new ();
  g_signal_connect_object (self->state, "changed", G_CALLBACK (update_tray), self,
                           G_CONNECT_SWAPPED);

  self->tray = allset_tray_new (G_ACTION_GROUP (self), NULL);
  self->settings = settings_or_null ();
  self->notifier = allset_notifier_new (app, self->state, self->tray, self->settings);
  g_signal_connect_object (self->tray, "notify::available",
                           G_CALLBACK (tray_available_changed), self, G_CONNECT_SWAPPED);
  self->tray_check = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, 3, check_tray_later,
                                                 g_object_ref (self), g_object_unref);

  /* The app lives in the tray: closing the window does not quit. */
  g_application_hold (app);

  allset_app_state_start (self->state);
  update_tray (self);
}

static void
allset_application_shutdown (GApplication *app)
{
  AllsetApplication *self = ALLSET_APPLICATION (app);

  if (self->state != NULL)
    allset_app_state_stop (self->state);
  /* The folders' watch threads let their monitors go before the exit. */
  if (!allset_local_monitor_join_stopped (5000))
    g_warning ("A folder watch did not stop in time");
  /* The icon leaves the bus with the app's name. */
  g_clear_handle_id (&self->tray_check, g_source_remove);
  g_clear_object (&self->notifier);
  g_clear_object (&self->tray);
  g_clear_object (&self->settings);

  G_APPLICATION_CLASS (allset_application_parent_class)->shutdown (app);
}

static void
allset_application_activate (GApplication *app)
{
  allset_application_show_window (ALLSET_APPLICATION (app));
}

static int
allset_application_command_line (GApplication            *app,
                                 GApplicationCommandLine *command_line)
{
  AllsetApplication *self = ALLSET_APPLICATION (app);
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  g_autofree char *share = NULL;
  gboolean background = FALSE;

  g_variant_dict_lookup (options, "background", "b", &background);
  g_variant_dict_lookup (options, "share", "^ay", &share);

  if (share != NULL)
    {
      g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (command_line, share);

      share_file (self, file);
    }
  else if (!background)
    g_application_activate (app);   /* --background (login): no window */

  return EXIT_SUCCESS;
}

static int
allset_application_handle_local_options (GApplication *app,
                                         GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("allset-sync %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }

  return -1;
}

static void
allset_application_dispose (GObject *object)
{
  AllsetApplication *self = ALLSET_APPLICATION (object);

  /* The tray icon leaves the bus with the app. */
  g_clear_object (&self->notifier);
  g_clear_object (&self->tray);
  g_clear_object (&self->settings);
  if (self->state != NULL)
    allset_app_state_stop (self->state);
  g_clear_object (&self->state);

  G_OBJECT_CLASS (allset_application_parent_class)->dispose (object);
}

static void
allset_application_class_init (AllsetApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = allset_application_dispose;
  app_class->startup = allset_application_startup;
  app_class->shutdown = allset_application_shutdown;
  app_class->activate = allset_application_activate;
  app_class->command_line = allset_application_command_line;
  app_class->handle_local_options = allset_application_handle_local_options;
}

static void
allset_application_init (AllsetApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
}
