/* allset-setup-page.c — first run and "sign in again"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every step that touches the network, the keyring or the disk runs in a
 * GTask thread (allset-sign-in.h, allset-connect.h, GIO's async calls);
 * the page only moves between steps and shows what came back.
 */

#include <glib/gi18n.h>

#include "allset-connect.h"
#include "allset-setup-page.h"
#include "allset-sign-in.h"

struct _AllsetSetupPage
{
  AdwBin             parent_instance;

  AllsetConfig      *config;
  AllsetSignInProbe *probe;
  /* The certificate the user trusted, and for which address. */
  char              *trusted_url;
  char              *trusted_fingerprint;
  GCancellable      *cancellable;
  GFile             *folder;
  guint64            used;
  guint64            free_space;
  gboolean           have_used;
  gboolean           have_free;

  GtkStack          *steps;
  AdwEntryRow       *server_row;
  AdwEntryRow       *user_row;
  AdwEntryRow       *password_row;
  GtkLabel          *account_error;
  GtkButton         *sign_in_button;
  GtkSpinner        *account_spinner;
  GtkLabel          *fingerprint_label;
  GtkButton         *trust_button;
  AdwActionRow      *folder_row;
  AdwActionRow      *used_row;
  AdwActionRow      *free_row;
  GtkLabel          *space_label;
  GtkButton         *start_button;
};

G_DEFINE_FINAL_TYPE (AllsetSetupPage, allset_setup_page, ADW_TYPE_BIN)

enum { DONE, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
set_busy (AllsetSetupPage *self,
          gboolean         busy)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->sign_in_button), !busy);
  gtk_spinner_set_spinning (self->account_spinner, busy);
}

static void
show_account_error (AllsetSetupPage *self,
                    const char      *message)
{
  set_busy (self, FALSE);
  gtk_label_set_text (self->account_error, message);
  gtk_widget_set_visible (GTK_WIDGET (self->account_error), message != NULL);
  gtk_stack_set_visible_child_name (self->steps, "account");
}

/* ---- step 3: the folder and the preflight -------------------------------- */

static void
update_space (AllsetSetupPage *self)
{
  g_autofree char *used = g_format_size (self->used);
  g_autofree char *free_space = g_format_size (self->free_space);
  gboolean enough = self->free_space >= self->used;

  adw_action_row_set_subtitle (self->used_row, self->have_used ? used : "…");
  adw_action_row_set_subtitle (self->free_row, self->have_free ? free_space : "…");

  if (!self->have_used || !self->have_free)
    {
      gtk_label_set_text (self->space_label, "");
      gtk_widget_set_sensitive (GTK_WIDGET (self->start_button), FALSE);
      return;
    }

  if (enough)
    {
      gtk_label_set_text (self->space_label, _("There is enough room on this computer."));
      gtk_widget_remove_css_class (GTK_WIDGET (self->space_label), "error");
    }
  else
    {
      g_autofree char *text = g_strdup_printf (_("Not enough room: your ALLSET files take %s, "
                                                 "this computer has %s free. Free some space or "
                                                 "choose a folder on another disk."),
                                               used, free_space);

      gtk_label_set_text (self->space_label, text);
      gtk_widget_add_css_class (GTK_WIDGET (self->space_label), "error");
    }
  /* Terms R4: nothing is downloaded when it cannot all fit. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->start_button), enough);
}

static void
free_space_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(AllsetSetupPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInfo) info = g_file_query_filesystem_info_finish (G_FILE (source), result, &error);
  const char *override = g_getenv ("ALLSET_TEST_FREE_SPACE");

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      /* The folder does not exist yet: measure the disk it will be on. */
      g_autoptr(GFile) parent = g_file_get_parent (G_FILE (source));

      if (parent != NULL)
        g_file_query_filesystem_info_async (parent, G_FILE_ATTRIBUTE_FILESYSTEM_FREE,
                                            G_PRIORITY_DEFAULT, self->cancellable,
                                            free_space_cb, g_object_ref (self));
      return;
    }
  if (info == NULL)
    return;

  self->free_space = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE);
  /* The same test hook as the sync pass's preflight (allset-sync.h). */
  if (override != NULL)
    self->free_space = g_ascii_strtoull (override, NULL, 10);
  self->have_free = TRUE;
  update_space (self);
}

static void
query_free_space (AllsetSetupPage *self)
{
  g_autofree char *path = g_file_get_path (self->folder);

  adw_action_row_set_subtitle (self->folder_row, path);
  self->have_free = FALSE;
  update_space (self);
  g_file_query_filesystem_info_async (self->folder, G_FILE_ATTRIBUTE_FILESYSTEM_FREE,
                                      G_PRIORITY_DEFAULT, self->cancellable,
                                      free_space_cb, g_object_ref (self));
}

static void
account_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  g_autoptr(AllsetClient) client = NULL;
  AllsetAccountInfo *info;
  GError *error = NULL;

  if (!(client = allset_connect (task_data, cancellable, &error)) ||
      !(info = allset_client_account (client, cancellable, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, info, (GDestroyNotify) allset_account_info_free);
}

static void
account_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(AllsetSetupPage) self = user_data;
  g_autoptr(AllsetAccountInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = g_task_propagate_pointer (G_TASK (result), &error);
  if (info == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_account_error (self, error->message);
      return;
    }
  self->used = info->used;
  self->have_used = TRUE;
  update_space (self);
}

static void
show_folder_step (AllsetSetupPage *self)
{
  g_autoptr(GTask) task = g_task_new (NULL, self->cancellable, account_cb, g_object_ref (self));

  set_busy (self, FALSE);
  if (allset_config_get_folders (self->config)->len > 0)
    {
      /* Signed in again: the folders are there already. */
      g_signal_emit (self, signals[DONE], 0);
      return;
    }

  if (self->folder == NULL)
    self->folder = g_file_new_build_filename (g_get_home_dir (), "ALLSET", NULL);
  self->have_used = FALSE;
  gtk_stack_set_visible_child_name (self->steps, "folder");
  query_free_space (self);

  g_task_set_task_data (task, g_object_ref (self->config), g_object_unref);
  g_task_run_in_thread (task, account_thread);
}

void
allset_setup_page_set_folder (AllsetSetupPage *self,
                              GFile           *folder)
{
  g_return_if_fail (ALLSET_IS_SETUP_PAGE (self));

  g_set_object (&self->folder, folder);
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->steps), "folder") == 0)
    query_free_space (self);
}

static void
folder_chosen_cb (GtkNativeDialog *dialog,
                  int              response,
                  gpointer         user_data)
{
  AllsetSetupPage *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      allset_setup_page_set_folder (self, folder);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
choose_folder_cb (AllsetSetupPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (_("Choose Your ALLSET Folder"), GTK_WINDOW (root),
                                        GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                        _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (folder_chosen_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
add_folder_thread (GTask        *task,
                   gpointer      source,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  AllsetSetupPage *self = source;
  g_autofree char *path = g_file_get_path (task_data);
  GError *error = NULL;

  /* The page's own config object: nothing else uses it meanwhile. */
  if (allset_config_add_folder (self->config, path, NULL, &error) == NULL ||
      !allset_config_save (self->config, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
add_folder_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  AllsetSetupPage *self = ALLSET_SETUP_PAGE (source);
  g_autoptr(GError) error = NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->start_button), TRUE);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      gtk_label_set_text (self->space_label, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->space_label), "error");
      return;
    }
  g_signal_emit (self, signals[DONE], 0);
}

static void
start_cb (AllsetSetupPage *self)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, add_folder_cb, NULL);

  gtk_widget_set_sensitive (GTK_WIDGET (self->start_button), FALSE);
  g_task_set_task_data (task, g_object_ref (self->folder), g_object_unref);
  g_task_run_in_thread (task, add_folder_thread);
}

/* ---- steps 1 and 2: probe, certificate, login ----------------------------- */

static void
login_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(AllsetSetupPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *device_id = allset_sign_in_login_finish (result, &error);

  if (device_id == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_account_error (self, error->message);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  show_folder_step (self);
}

static void
login (AllsetSetupPage *self)
{
  AllsetSignInCredentials credentials = { NULL };

  credentials.user = gtk_editable_get_text (GTK_EDITABLE (self->user_row));
  credentials.password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  allset_sign_in_login_async (self->config, self->probe, &credentials, self->cancellable,
                              login_cb, g_object_ref (self));
}

static void
probe_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(AllsetSetupPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *untrusted = NULL;

  g_clear_pointer (&self->probe, allset_sign_in_probe_free);
  self->probe = allset_sign_in_probe_finish (result, &untrusted, &error);
  if (self->probe != NULL)
    {
      login (self);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (untrusted != NULL)
    {
      set_busy (self, FALSE);
      gtk_label_set_text (self->fingerprint_label, untrusted);
      gtk_stack_set_visible_child_name (self->steps, "certificate");
      return;
    }
  show_account_error (self, error->message);
}

static void
probe (AllsetSetupPage *self,
       const char      *fingerprint)
{
  /* fingerprint may belong to the probe this replaces. */
  g_autofree char *pin = g_strdup (fingerprint);

  set_busy (self, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->account_error), FALSE);
  allset_sign_in_probe_async (gtk_editable_get_text (GTK_EDITABLE (self->server_row)),
                              pin, self->cancellable, probe_cb, g_object_ref (self));
}

static void
sign_in_cb (AllsetSetupPage *self)
{
  const char *user = gtk_editable_get_text (GTK_EDITABLE (self->user_row));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  const char *pin = NULL;

  if (*user == '\0' || *password == '\0')
    {
      show_account_error (self, _("Enter your user name and password."));
      return;
    }

  /* A certificate trusted a moment ago, or the one pinned when this
   * device signed in to the same server before, is not asked again. */
  if (g_strcmp0 (self->trusted_url, gtk_editable_get_text (GTK_EDITABLE (self->server_row))) == 0)
    pin = self->trusted_fingerprint;
  else if (allset_config_get_server (self->config) != NULL &&
           g_str_has_prefix (gtk_editable_get_text (GTK_EDITABLE (self->server_row)),
                             allset_config_get_server (self->config)))
    pin = allset_config_get_fingerprint (self->config);
  probe (self, pin);
}

static void
certificate_trust_cb (AllsetSetupPage *self)
{
  g_free (self->trusted_url);
  self->trusted_url = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_row)));
  g_free (self->trusted_fingerprint);
  self->trusted_fingerprint = g_strdup (gtk_label_get_text (self->fingerprint_label));
  gtk_stack_set_visible_child_name (self->steps, "account");
  probe (self, gtk_label_get_text (self->fingerprint_label));
}

static void
certificate_cancel_cb (AllsetSetupPage *self)
{
  show_account_error (self, _("The certificate was not trusted: nothing was sent to the server."));
}

/* ---- public --------------------------------------------------------------- */

GtkWidget *
allset_setup_page_new (void)
{
  return g_object_new (ALLSET_TYPE_SETUP_PAGE, NULL);
}

void
allset_setup_page_reset (AllsetSetupPage *self,
                         AllsetConfig    *config)
{
  g_return_if_fail (ALLSET_IS_SETUP_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_set_object (&self->config, config);

  if (allset_config_get_server (config) != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->server_row), allset_config_get_server (config));
  if (allset_config_get_username (config) != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->user_row), allset_config_get_username (config));
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  show_account_error (self, NULL);
}

static void
allset_setup_page_dispose (GObject *object)
{
  AllsetSetupPage *self = ALLSET_SETUP_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->config);
  g_clear_object (&self->folder);
  g_clear_pointer (&self->probe, allset_sign_in_probe_free);
  g_clear_pointer (&self->trusted_url, g_free);
  g_clear_pointer (&self->trusted_fingerprint, g_free);

  G_OBJECT_CLASS (allset_setup_page_parent_class)->dispose (object);
}

static void
allset_setup_page_class_init (AllsetSetupPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = allset_setup_page_dispose;

  signals[DONE] = g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/fr/allset/Sync/allset-setup-page.ui");
  gtk_widget_class_bind_template_child (widget_class, AllsetSetupPage, steps);
  gtk_widget_class_bind_template_child (widget_class, AllsetSetupPage, server_row);
  gtk_widget_class_bind_template_child (widget_class, AllsetSetupPage, user_row);
  gtk_widget_class_bind_template_child (widget_class, AllsetSetupPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, AllsetSetupPage, account_error);
  gtk_widget_class_bind_template_child (widget_class, AllsetSetupPage, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, AllsetSetupPage, account_spinner);
  gtk_widget_class_bind_template_child (widget_class, AllsetSetupPage, fingerprint_label);
  gtk_widget_class_bind_template_child (widget_class, AllsetSetupPage, trust_button);
  gtk_widget_class_bind_template_child (widget_class, AllsetSetupPage, folder_row);
  gtk_widget_class_bind_template_child (widget_class, AllsetSetupPage, used_row);
  gtk_widget_class_bind_template_child (widget_class, AllsetSetupPage, free_row);
  gtk_widget_class_bind_template_child (widget_class, AllsetSetupPage, space_label);
  gtk_widget_class_bind_template_child (widget_class, AllsetSetupPage, start_button);
  gtk_widget_class_bind_template_callback (widget_class, sign_in_cb);
  gtk_widget_class_bind_template_callback (widget_class, certificate_trust_cb);
  gtk_widget_class_bind_template_callback (widget_class, certificate_cancel_cb);
  gtk_widget_class_bind_template_callback (widget_class, choose_folder_cb);
  gtk_widget_class_bind_template_callback (widget_class, start_cb);
}

static void
allset_setup_page_init (AllsetSetupPage *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}
