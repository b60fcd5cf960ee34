/* allset-preferences.c — Préférences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Read when the window opens, written when it closes: a worker thread
 * loads allset.conf afresh, changes what the user changed, saves it and
 * the folder's .allsetignore, and the sessions start again with them.
 */

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "allset-autostart.h"
#include "allset-ignore.h"
#include "allset-preferences.h"

#define MB (1000 * 1000)
#define KB 1000

struct _AllsetPreferences
{
  AdwPreferencesWindow  parent_instance;

  AllsetAppState       *state;
  GSettings            *settings;
  char                 *config_dir;
  char                 *folder_id;
  char                 *folder_local;  /* where its .allsetignore is */
  char                 *ignore_text;   /* as loaded, to see a change */

  GtkSwitch            *start_switch;
  GtkSwitch            *notify_switch;
  AdwPreferencesGroup  *folders_group;
  AdwComboRow          *metered_row;
  GtkSpinButton        *small_spin;
  GtkSpinButton        *up_spin;
  GtkSpinButton        *down_spin;
  GtkTextView          *ignore_view;
};

G_DEFINE_FINAL_TYPE (AllsetPreferences, allset_preferences, ADW_TYPE_PREFERENCES_WINDOW)

typedef struct
{
  char                *config_dir;
  char                *folder_id;
  char                *folder_local;
  AllsetMeteredPolicy  policy;
  guint64              small_files_max;
  guint64              bandwidth_up;
  guint64              bandwidth_down;
  char                *ignore_text;   /* NULL: unchanged */
} Changes;

static void
changes_free (Changes *changes)
{
  g_free (changes->config_dir);
  g_free (changes->folder_id);
  g_free (changes->folder_local);
  g_free (changes->ignore_text);
  g_free (changes);
}

static char *
ignore_path (const char *folder)
{
  return g_build_filename (folder, ALLSET_IGNORE_FILE, NULL);
}

static void
save_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Changes *changes = task_data;
  g_autoptr(AllsetConfig) config = NULL;
  AllsetFolderConfig *folder;
  GError *error = NULL;

  if (!(config = allset_config_load (changes->config_dir, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  folder = changes->folder_id != NULL ? allset_config_find_folder (config, changes->folder_id) : NULL;
  if (folder != NULL)
    {
      folder->metered_policy = changes->policy;
      folder->small_files_max = changes->small_files_max;
      folder->bandwidth_up = changes->bandwidth_up;
      folder->bandwidth_down = changes->bandwidth_down;
    }
  if (!allset_config_save (config, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (changes->ignore_text != NULL && changes->folder_local != NULL)
    {
      g_autofree char *path = ignore_path (changes->folder_local);

      /* Synced like any file: the other devices get the same rules. */
      if (!g_file_set_contents_full (path, changes->ignore_text, -1,
                                     G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }
  g_task_return_boolean (task, TRUE);
}

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(AllsetAppState) state = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_warning ("Cannot save the preferences: %s", error->message);
      return;
    }
  /* The sessions start again with what was saved. */
  allset_app_state_reload (state);
}

static char *
ignore_buffer_text (AllsetPreferences *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->ignore_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static gboolean
close_request_cb (AllsetPreferences *self)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *ignore_text = ignore_buffer_text (self);
  Changes *changes;

  if (self->config_dir == NULL)
    return FALSE;

  changes = g_new0 (Changes, 1);
  changes->config_dir = g_strdup (self->config_dir);
  changes->folder_id = g_strdup (self->folder_id);
  changes->folder_local = g_strdup (self->folder_local);
  changes->policy = (AllsetMeteredPolicy) adw_combo_row_get_selected (self->metered_row);
  changes->small_files_max = (guint64) gtk_spin_button_get_value_as_int (self->small_spin) * MB;
  changes->bandwidth_up = (guint64) gtk_spin_button_get_value (self->up_spin) * KB;
  changes->bandwidth_down = (guint64) gtk_spin_button_get_value (self->down_spin) * KB;
  if (g_strcmp0 (ignore_text, self->ignore_text) != 0)
    changes->ignore_text = g_steal_pointer (&ignore_text);

  task = g_task_new (NULL, NULL, saved_cb, g_object_ref (self->state));
  g_task_set_task_data (task, changes, (GDestroyNotify) changes_free);
  g_task_run_in_thread (task, save_thread);
  return FALSE;
}

/* ---- adding and removing folders ------------------------------------------ */

typedef struct
{
  char *config_dir;
  char *add;      /* local directory to add, or NULL */
  char *remove;   /* folder id to remove, or NULL */
} FolderChange;

static void
folder_change_free (FolderChange *change)
{
  g_free (change->config_dir);
  g_free (change->add);
  g_free (change->remove);
  g_free (change);
}

static void
folder_change_thread (GTask        *task,
                      gpointer      source,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  FolderChange *change = task_data;
  g_autoptr(AllsetConfig) config = NULL;
  g_autofree char *journal = NULL;
  GError *error = NULL;

  if (!(config = allset_config_load (change->config_dir, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  if (change->add != NULL)
    {
      /* Beside the first folder on the server, under its own name. */
      g_autofree char *remote = g_path_get_basename (change->add);

      if (allset_config_add_folder (config, change->add, remote, &error) == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
    }
  if (change->remove != NULL)
    journal = allset_config_remove_folder (config, change->remove);
  if (!allset_config_save (config, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* The journal described that folder only. Its files stay. */
  if (journal != NULL)
    g_unlink (journal);
  g_task_return_boolean (task, TRUE);
}

static void
folder_changed_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(AllsetPreferences) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (error->message));
      return;
    }
  allset_app_state_reload (self->state);
  gtk_window_close (GTK_WINDOW (self));
}

static void
change_folders (AllsetPreferences *self,
                const char        *add,
                const char        *remove)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, folder_changed_cb, g_object_ref (self));
  FolderChange *change = g_new0 (FolderChange, 1);

  change->config_dir = g_strdup (self->config_dir);
  change->add = g_strdup (add);
  change->remove = g_strdup (remove);
  g_task_set_task_data (task, change, (GDestroyNotify) folder_change_free);
  g_task_run_in_thread (task, folder_change_thread);
}

void
allset_preferences_add_folder (AllsetPreferences *self,
                               GFile             *folder)
{
  g_autofree char *path = g_file_get_path (folder);

  g_return_if_fail (ALLSET_IS_PREFERENCES (self));

  if (path != NULL && self->config_dir != NULL)
    change_folders (self, path, NULL);
}

static void
add_chosen_cb (GtkNativeDialog *dialog,
               int              response,
               gpointer         user_data)
{
  AllsetPreferences *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      allset_preferences_add_folder (self, folder);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
add_folder_clicked_cb (AllsetPreferences *self)
{
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (_("Add a Folder to Sync"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                        _("_Add"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (add_chosen_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
remove_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    gpointer          user_data)
{
  AllsetPreferences *self = user_data;

  if (g_strcmp0 (response, "remove") == 0)
    change_folders (self, NULL, g_object_get_data (G_OBJECT (dialog), "folder-id"));
}

static void
remove_folder_action (GtkWidget  *widget,
                      const char *action,
                      GVariant   *param)
{
  AllsetPreferences *self = ALLSET_PREFERENCES (widget);
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Stop Syncing This Folder?"),
                                   _("Its files stay on this computer and on the server; they are "
                                     "just no longer kept in sync."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Stop Syncing"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  g_object_set_data_full (G_OBJECT (dialog), "folder-id",
                          g_variant_dup_string (param, NULL), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
ignore_loaded_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(AllsetPreferences) self = user_data;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_load_contents_finish (G_FILE (source), result, &contents, &length, NULL, NULL))
    contents = g_strdup ("");
  if (!g_utf8_validate (contents, length, NULL))
    return;
  g_free (self->ignore_text);
  self->ignore_text = g_strdup (contents);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->ignore_view), contents, -1);
}

static void
autostart_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!allset_autostart_set_finish (result, &error))
    g_warning ("Cannot change the start at login: %s", error->message);
}

static void
start_switch_cb (AllsetPreferences *self)
{
  allset_autostart_set_async (gtk_switch_get_active (self->start_switch), NULL,
                              autostart_done_cb, NULL);
}

static void
load (AllsetPreferences *self)
{
  AllsetConfig *config = allset_app_state_get_config (self->state);
  GPtrArray *folders = config != NULL ? allset_config_get_folders (config) : NULL;
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, "fr.allset.Sync", TRUE);
  if (schema != NULL)
    {
      self->settings = g_settings_new ("fr.allset.Sync");
      g_settings_bind (self->settings, "start-at-login", self->start_switch, "active",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->settings, "notifications", self->notify_switch, "active",
                       G_SETTINGS_BIND_DEFAULT);
    }
  else
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->start_switch), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->notify_switch), FALSE);
    }
  g_signal_connect_object (self->start_switch, "notify::active", G_CALLBACK (start_switch_cb),
                           self, G_CONNECT_SWAPPED);

  if (config == NULL)
    return;
  self->config_dir = g_strdup (allset_config_get_dir (config));

  for (guint i = 0; folders != NULL && i < folders->len; i++)
    {
      const AllsetFolderConfig *folder = g_ptr_array_index (folders, i);
      g_autofree char *remote = g_strconcat ("/", folder->remote, NULL);
      g_autofree char *local = g_markup_escape_text (folder->local, -1);
      GtkWidget *row = adw_action_row_new ();

      GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), local);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), remote);
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_set_tooltip_text (remove, _("Stop syncing this folder"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "prefs.remove-folder");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (remove), "s", folder->id);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
      adw_preferences_group_add (self->folders_group, row);

      /* The network settings shown are the first folder's; saving sets
       * them there (one folder per account is the common case). */
      if (i == 0)
        {
          self->folder_id = g_strdup (folder->id);
          self->folder_local = g_strdup (folder->local);
          adw_combo_row_set_selected (self->metered_row, folder->metered_policy);
          gtk_spin_button_set_value (self->small_spin, (double) (folder->small_files_max / MB));
          gtk_spin_button_set_value (self->up_spin, (double) (folder->bandwidth_up / KB));
          gtk_spin_button_set_value (self->down_spin, (double) (folder->bandwidth_down / KB));
        }
    }

  if (self->folder_local != NULL)
    {
      g_autofree char *path = ignore_path (self->folder_local);
      g_autoptr(GFile) file = g_file_new_for_path (path);

      g_file_load_contents_async (file, NULL, ignore_loaded_cb, g_object_ref (self));
    }
}

GtkWidget *
allset_preferences_new (GtkWindow      *parent,
                        AllsetAppState *state)
{
  AllsetPreferences *self = g_object_new (ALLSET_TYPE_PREFERENCES,
                                          "transient-for", parent,
                                          NULL);

  self->state = g_object_ref (state);
  load (self);
  g_signal_connect (self, "close-request", G_CALLBACK (close_request_cb), NULL);

  return GTK_WIDGET (self);
}

static void
allset_preferences_finalize (GObject *object)
{
  AllsetPreferences *self = ALLSET_PREFERENCES (object);

  g_clear_object (&self->state);
  g_clear_object (&self->settings);
  g_free (self->config_dir);
  g_free (self->folder_id);
  g_free (self->folder_local);
  g_free (self->ignore_text);

  G_OBJECT_CLASS (allset_preferences_parent_class)->finalize (object);
}

static void
allset_preferences_class_init (AllsetPreferencesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = allset_preferences_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/fr/allset/Sync/allset-preferences.ui");
  gtk_widget_class_bind_template_child (widget_class, AllsetPreferences, start_switch);
  gtk_widget_class_bind_template_child (widget_class, AllsetPreferences, notify_switch);
  gtk_widget_class_bind_template_child (widget_class, AllsetPreferences, folders_group);
  gtk_widget_class_bind_template_child (widget_class, AllsetPreferences, metered_row);
  gtk_widget_class_bind_template_child (widget_class, AllsetPreferences, small_spin);
  gtk_widget_class_bind_template_child (widget_class, AllsetPreferences, up_spin);
  gtk_widget_class_bind_template_child (widget_class, AllsetPreferences, down_spin);
  gtk_widget_class_bind_template_child (widget_class, AllsetPreferences, ignore_view);
  gtk_widget_class_bind_template_callback (widget_class, add_folder_clicked_cb);
  gtk_widget_class_install_action (widget_class, "prefs.remove-folder", "s", remove_folder_action);
}

static void
allset_preferences_init (AllsetPreferences *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
