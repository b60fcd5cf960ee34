/* allset-share-dialog.c — « Partager un fichier » : a public link to a file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two threads' worth of work, both in GTasks: resolving the remote path
 * when the dialog opens (it reads the disk: symlinks in the parents), so
 * that a file outside the synced folders is refused before anything is
 * typed; and the creation itself (network). The main loop only shows.
 */

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "allset-error.h"
#include "allset-share-dialog.h"

#define DAY (24 * 60 * 60)

/* The rows of expiry_row, in order. */
enum { EXPIRY_1_DAY, EXPIRY_7_DAYS, EXPIRY_30_DAYS, EXPIRY_DATE, EXPIRY_NEVER };

struct _AllsetShareDialog
{
  AdwWindow            parent_instance;

  AllsetAppState      *state;
  AllsetNotifier      *notifier;
  GFile               *file;
  GCancellable        *cancellable;
  char                *remote_path;   /* NULL until resolved, or refused */
  gboolean             resolving;
  gboolean             creating;
  gboolean             path_refused;  /* the error shown is final */
  gboolean             passing_error; /* the error shown is update()'s */
  GDateTime           *last_day;      /* the day « Date… » chose, local */
  char                *url;

  GtkStack            *stack;
  AdwActionRow        *file_row;
  GtkImage            *file_icon;
  AdwComboRow         *expiry_row;
  AdwActionRow        *date_row;
  GtkMenuButton       *date_button;
  GtkPopover          *date_popover;
  GtkCalendar         *calendar;
  AdwPasswordEntryRow *password_row;
  GtkSpinButton       *limit_spin;
  GtkLabel            *error_label;
  GtkSpinner          *spinner;
  GtkButton           *create_button;
  AdwStatusPage       *done_page;
  GtkEntry            *url_entry;
  GtkButton           *copy_button;
  GtkLabel            *done_label;
  GtkButton           *close_button;
};

G_DEFINE_FINAL_TYPE (AllsetShareDialog, allset_share_dialog, ADW_TYPE_WINDOW)

/* ---- dates ------------------------------------------------------------------- */

static const char *const months[] = {
  NC_("month", "January"), NC_("month", "February"), NC_("month", "March"),
  NC_("month", "April"), NC_("month", "May"), NC_("month", "June"),
  NC_("month", "July"), NC_("month", "August"), NC_("month", "September"),
  NC_("month", "October"), NC_("month", "November"), NC_("month", "December"),
};

char *
allset_share_format_date (GDateTime *local,
                          gboolean   with_time)
{
  const char *month = g_dpgettext2 (GETTEXT_PACKAGE, "month",
                                    months[g_date_time_get_month (local) - 1]);
  g_autofree char *day = NULL;
  g_autofree char *time = NULL;

  /* TRANSLATORS: day, month name, year: "3 December 2026". */
  day = g_strdup_printf (C_("date", "%u %s %u"), (guint) g_date_time_get_day_of_month (local),
                         month, (guint) g_date_time_get_year (local));
  if (!with_time)
    return g_steal_pointer (&day);
  time = g_date_time_format (local, "%H:%M");
  /* TRANSLATORS: a date and a time: "3 December 2026 at 14:00". */
  return g_strdup_printf (_("%s at %s"), day, time);
}

/* ---- state → widgets --------------------------------------------------------- */

static void
show_error (AllsetShareDialog *self,
            const char        *message)
{
  self->passing_error = FALSE;
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static gboolean
date_in_past (AllsetShareDialog *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  int y, m, d, ny, nm, nd;

  g_date_time_get_ymd (self->last_day, &y, &m, &d);
  g_date_time_get_ymd (now, &ny, &nm, &nd);
  return y < ny || (y == ny && (m < nm || (m == nm && d < nd)));
}

/* Whether « Créer le lien » can be pressed, and why not when it cannot. */
static void
update (AllsetShareDialog *self)
{
  AllsetAppPhase phase;
  gboolean ready;
  gboolean dated = adw_combo_row_get_selected (self->expiry_row) == EXPIRY_DATE;

  if (self->state == NULL)   /* the template's first signals, or disposed */
    return;
  phase = allset_app_state_get_phase (self->state);
  ready = !self->resolving && !self->creating && self->remote_path != NULL &&
          allset_app_state_get_client (self->state) != NULL;
  gtk_widget_set_visible (GTK_WIDGET (self->date_row), dated);
  if (dated && date_in_past (self))
    ready = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->create_button), ready);
  gtk_spinner_set_spinning (self->spinner, self->creating || self->resolving);

  if (self->path_refused || self->creating)
    return;
  /* These go away by themselves; a server's refusal stays until the
   * user changes something. */
  if (dated && date_in_past (self))
    show_error (self, _("This day is already over: choose today or a later day."));
  else if (self->remote_path != NULL && allset_app_state_get_client (self->state) == NULL)
    show_error (self, phase == ALLSET_APP_PHASE_LOADING
                      ? _("Connecting…")
                      : _("ALLSET Sync is not connected to your account: sign in first."));
  else if (self->passing_error)
    show_error (self, NULL);
  else
    return;
  self->passing_error = gtk_widget_get_visible (GTK_WIDGET (self->error_label));
}

static void
set_last_day (AllsetShareDialog *self,
              GDateTime         *day)
{
  g_autofree char *label = allset_share_format_date (day, FALSE);

  g_clear_pointer (&self->last_day, g_date_time_unref);
  self->last_day = g_date_time_ref (day);
  gtk_menu_button_set_label (self->date_button, label);
}

static void
expiry_changed_cb (AllsetShareDialog *self)
{
  show_error (self, NULL);
  update (self);
  if (adw_combo_row_get_selected (self->expiry_row) == EXPIRY_DATE &&
      gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_menu_button_popup (self->date_button);
}

static void
day_selected_cb (AllsetShareDialog *self)
{
  g_autoptr(GDateTime) day = gtk_calendar_get_date (self->calendar);

  set_last_day (self, day);
  show_error (self, NULL);
  update (self);
  if (!date_in_past (self))
    gtk_popover_popdown (self->date_popover);
}

/* ---- resolving the remote path ------------------------------------------------ */

typedef struct
{
  AllsetConfig *config;
  char         *local;
} Resolve;

static void
resolve_free (Resolve *resolve)
{
  g_clear_object (&resolve->config);
  g_free (resolve->local);
  g_free (resolve);
}

static void
resolve_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Resolve *resolve = task_data;
  GError *error = NULL;
  char *remote;

  if (!g_file_test (resolve->local, G_FILE_TEST_EXISTS))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s", resolve->local);
      return;
    }
  remote = allset_config_remote_path_for (resolve->config, resolve->local, NULL, &error);
  if (remote == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, remote, g_free);
}

static void
resolve_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  AllsetShareDialog *self = ALLSET_SHARE_DIALOG (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_basename (self->file);

  self->resolving = FALSE;
  self->remote_path = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_autofree char *message = g_strdup_printf (_("“%s” does not exist (any more)."), name);

      self->path_refused = TRUE;
      show_error (self, message);
    }
  else if (error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("“%s” is not inside a synced folder: only the "
                                                    "files of your ALLSET folders can be shared."),
                                                  name);

      g_debug ("remote path of %s: %s", g_file_peek_path (self->file), error->message);
      self->path_refused = TRUE;
      show_error (self, message);
    }
  update (self);
}

static void
resolve (AllsetShareDialog *self)
{
  AllsetConfig *config = allset_app_state_get_config (self->state);
  g_autoptr(GTask) task = NULL;
  Resolve *data;

  if (config == NULL || !allset_config_is_signed_in (config) || g_file_peek_path (self->file) == NULL)
    {
      self->path_refused = TRUE;
      show_error (self, config == NULL || !allset_config_is_signed_in (config)
                        ? _("ALLSET Sync is not connected to your account: sign in first.")
                        : _("Only files on this computer can be shared."));
      update (self);
      return;
    }
  data = g_new0 (Resolve, 1);
  data->config = g_object_ref (config);
  data->local = g_file_get_path (self->file);
  self->resolving = TRUE;
  task = g_task_new (self, self->cancellable, resolve_cb, NULL);
  g_task_set_task_data (task, data, (GDestroyNotify) resolve_free);
  g_task_run_in_thread (task, resolve_thread);
  update (self);
}

/* ---- creating the link ----------------------------------------------------------- */

typedef struct
{
  AllsetClient      *client;
  char              *path;
  AllsetShareExpiry  expiry;
  char              *at;
  char              *password;
  guint64            max_downloads;
} Create;

static void
create_free (Create *create)
{
  g_clear_object (&create->client);
  g_free (create->path);
  g_free (create->at);
  if (create->password != NULL)
    memset (create->password, 0, strlen (create->password));
  g_free (create->password);
  g_free (create);
}

static void
create_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Create *create = task_data;
  GError *error = NULL;
  AllsetShareInfo *info;

  create->expiry.at = create->at;
  info = allset_client_share_create (create->client, create->path, &create->expiry,
                                     create->password, create->max_downloads, cancellable, &error);
  if (info == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, info, (GDestroyNotify) allset_share_info_free);
}

/* As the folder session tells "offline" from a refusal. */
static gboolean
is_network_error (const GError *error)
{
  if (error->domain == G_IO_ERROR)
    return error->code == G_IO_ERROR_CONNECTION_REFUSED || error->code == G_IO_ERROR_TIMED_OUT ||
           error->code == G_IO_ERROR_HOST_UNREACHABLE || error->code == G_IO_ERROR_NETWORK_UNREACHABLE ||
           error->code == G_IO_ERROR_CONNECTION_CLOSED || error->code == G_IO_ERROR_BROKEN_PIPE ||
           error->code == G_IO_ERROR_NOT_CONNECTED || error->code == G_IO_ERROR_HOST_NOT_FOUND;
  return error->domain == G_RESOLVER_ERROR || error->domain == SOUP_SESSION_ERROR ||
         error->domain == G_TLS_ERROR;
}

/* The server's refusal in the user's words; its own message (French
 * from a French server) where nothing better is known. */
static char *
describe_error (AllsetShareDialog *self,
                const GError      *error,
                gboolean           never)
{
  g_autofree char *name = g_file_get_basename (self->file);

  if (error->domain == ALLSET_PROTOCOL_ERROR)
    switch (error->code)
      {
      case ALLSET_ERROR_NOT_FOUND:
        return g_strdup_printf (_("“%s” is not on the server yet: wait until it is synced, then "
                                  "try again."), name);
      case ALLSET_ERROR_BAD_REQUEST:
        if (never)
          return g_strdup (_("This server does not allow links that never expire: choose a "
                             "duration or a day."));
        return g_strdup_printf (_("The server refused this link (it may limit how long a link "
                                  "lasts: choose a shorter expiry): %s"), error->message);
      case ALLSET_ERROR_INVALID_NAME:
        return g_strdup_printf (_("“%s” cannot be shared: %s"), name, error->message);
      case ALLSET_ERROR_UNAUTHORIZED:
      case ALLSET_ERROR_TOKEN_EXPIRED:
        return g_strdup (_("This device is no longer signed in. Sign in again to keep syncing."));
      case ALLSET_ERROR_MAINTENANCE:
        return g_strdup (_("The server is under maintenance: try again later."));
      default:
        break;
      }
  if (is_network_error (error))
    return g_strdup_printf (_("Offline: cannot reach the server (%s)"), error->message);
  return g_strdup_printf (_("The link could not be created: %s"), error->message);
}

static void
copy_url (AllsetShareDialog *self)
{
  GdkClipboard *clipboard = gdk_display_get_clipboard (gtk_widget_get_display (GTK_WIDGET (self)));

  gdk_clipboard_set_text (clipboard, self->url);
}

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  AllsetShareDialog *self = ALLSET_SHARE_DIALOG (source);
  gboolean never = GPOINTER_TO_INT (user_data);
  g_autoptr(AllsetShareInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_basename (self->file);
  g_autofree char *text = NULL;

  self->creating = FALSE;
  info = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (info == NULL || info->url == NULL)
    {
      g_autofree char *message = error != NULL ? describe_error (self, error, never)
                                               : g_strdup (_("The server sent no link."));

      show_error (self, message);
      update (self);
      return;
    }

  self->url = g_strdup (info->url);
  gtk_editable_set_text (GTK_EDITABLE (self->url_entry), self->url);
  copy_url (self);
  if (self->notifier != NULL)
    allset_notifier_link_copied (self->notifier, name);
  allset_app_state_shares_changed (self->state);

  if (info->expires_at != NULL)
    {
      g_autoptr(GDateTime) at = g_date_time_new_from_iso8601 (info->expires_at, NULL);
      g_autoptr(GDateTime) local = at != NULL ? g_date_time_to_local (at) : NULL;
      g_autofree char *when = local != NULL ? allset_share_format_date (local, TRUE)
                                            : g_strdup (info->expires_at);

      text = g_strdup_printf (_("Anyone with this link can download “%s” until %s. It is in the "
                                "clipboard: keep it, it cannot be shown again."), name, when);
    }
  else
    text = g_strdup_printf (_("Anyone with this link can download “%s”, with no end date. It is "
                              "in the clipboard: keep it, it cannot be shown again."), name);
  gtk_label_set_text (self->done_label, text);
  gtk_stack_set_visible_child_name (self->stack, "done");
  gtk_widget_grab_focus (GTK_WIDGET (self->copy_button));
  update (self);
}

static void
create_cb (AllsetShareDialog *self)
{
  AllsetClient *client = allset_app_state_get_client (self->state);
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  g_autoptr(GTask) task = NULL;
  Create *data;
  guint choice = adw_combo_row_get_selected (self->expiry_row);

  if (client == NULL || self->remote_path == NULL || self->creating)
    return;
  if (strlen (password) > 1024)
    {
      show_error (self, _("The password is too long (1024 bytes at most)."));
      return;
    }

  data = g_new0 (Create, 1);
  data->client = g_object_ref (client);
  data->path = g_strdup (self->remote_path);
  data->password = *password != '\0' ? g_strdup (password) : NULL;
  data->max_downloads = (guint64) gtk_spin_button_get_value_as_int (self->limit_spin);
  switch (choice)
    {
    case EXPIRY_1_DAY:   data->expiry.in_seconds = DAY; break;
    case EXPIRY_30_DAYS: data->expiry.in_seconds = 30 * DAY; break;
    case EXPIRY_NEVER:   data->expiry.never = TRUE; break;
    case EXPIRY_DATE:
      {
        int y, m, d;
        g_autoptr(GDateTime) end = NULL;

        /* Until the end of that day where the user is. */
        g_date_time_get_ymd (self->last_day, &y, &m, &d);
        end = g_date_time_new_local (y, m, d, 23, 59, 59);
        data->at = g_date_time_format (end, "%Y-%m-%dT%H:%M:%S%:z");
        break;
      }
    case EXPIRY_7_DAYS:
    default:
      data->expiry.in_seconds = 7 * DAY;
      break;
    }

  self->creating = TRUE;
  show_error (self, NULL);
  task = g_task_new (self, self->cancellable, created_cb, GINT_TO_POINTER (choice == EXPIRY_NEVER));
  g_task_set_task_data (task, data, (GDestroyNotify) create_free);
  g_task_run_in_thread (task, create_thread);
  update (self);
}

static void
copy_cb (AllsetShareDialog *self)
{
  if (self->url != NULL)
    copy_url (self);
}

/* ---- public ---------------------------------------------------------------------- */

static void
show_file (AllsetShareDialog *self)
{
  g_autofree char *name = g_file_get_basename (self->file);
  g_autoptr(GFile) parent = g_file_get_parent (self->file);
  g_autofree char *folder = parent != NULL ? g_file_get_parse_name (parent) : g_strdup ("/");
  g_autofree char *title = g_markup_escape_text (name, -1);
  g_autofree char *subtitle = NULL;
  const char *home = g_get_home_dir ();

  /* ~/ALLSET/Documents rather than /home/alice/ALLSET/Documents. */
  if (g_str_has_prefix (folder, home) && (folder[strlen (home)] == '/' || folder[strlen (home)] == '\0'))
    {
      char *shorter = g_strconcat ("~", folder + strlen (home), NULL);

      g_free (folder);
      folder = shorter;
    }
  {
    g_autofree char *in = g_strdup_printf (_("In %s"), folder);

    subtitle = g_markup_escape_text (in, -1);
  }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->file_row), title);
  adw_action_row_set_subtitle (self->file_row, subtitle);
  if (g_file_test (g_file_peek_path (self->file) != NULL ? g_file_peek_path (self->file) : "",
                   G_FILE_TEST_IS_DIR))
    gtk_image_set_from_icon_name (self->file_icon, "folder-symbolic");
}

GtkWidget *
allset_share_dialog_new (GtkWindow      *parent,
                         AllsetAppState *state,
                         AllsetNotifier *notifier,
                         GFile          *file)
{
  AllsetShareDialog *self;

  g_return_val_if_fail (ALLSET_IS_APP_STATE (state), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  self = g_object_new (ALLSET_TYPE_SHARE_DIALOG, "transient-for", parent, NULL);
  self->state = g_object_ref (state);
  self->notifier = notifier != NULL ? g_object_ref (notifier) : NULL;
  self->file = g_object_ref (file);
  g_signal_connect_object (state, "changed", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  show_file (self);
  resolve (self);

  return GTK_WIDGET (self);
}

GFile *
allset_share_dialog_get_file (AllsetShareDialog *self)
{
  g_return_val_if_fail (ALLSET_IS_SHARE_DIALOG (self), NULL);

  return self->file;
}

const char *
allset_share_dialog_get_url (AllsetShareDialog *self)
{
  g_return_val_if_fail (ALLSET_IS_SHARE_DIALOG (self), NULL);

  return self->url;
}

static void
allset_share_dialog_dispose (GObject *object)
{
  AllsetShareDialog *self = ALLSET_SHARE_DIALOG (object);

  /* A creation in flight still finishes on the server; its answer is
   * dropped (the link shows in « Mes liens »). */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->state);
  g_clear_object (&self->notifier);

  G_OBJECT_CLASS (allset_share_dialog_parent_class)->dispose (object);
}

static void
allset_share_dialog_finalize (GObject *object)
{
  AllsetShareDialog *self = ALLSET_SHARE_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->file);
  g_clear_pointer (&self->last_day, g_date_time_unref);
  g_free (self->remote_path);
  g_free (self->url);

  G_OBJECT_CLASS (allset_share_dialog_parent_class)->finalize (object);
}

static void
allset_share_dialog_class_init (AllsetShareDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = allset_share_dialog_dispose;
  object_class->finalize = allset_share_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/fr/allset/Sync/allset-share-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, AllsetShareDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, AllsetShareDialog, file_row);
  gtk_widget_class_bind_template_child (widget_class, AllsetShareDialog, file_icon);
  gtk_widget_class_bind_template_child (widget_class, AllsetShareDialog, expiry_row);
  gtk_widget_class_bind_template_child (widget_class, AllsetShareDialog, date_row);
  gtk_widget_class_bind_template_child (widget_class, AllsetShareDialog, date_button);
  gtk_widget_class_bind_template_child (widget_class, AllsetShareDialog, date_popover);
  gtk_widget_class_bind_template_child (widget_class, AllsetShareDialog, calendar);
  gtk_widget_class_bind_template_child (widget_class, AllsetShareDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, AllsetShareDialog, limit_spin);
  gtk_widget_class_bind_template_child (widget_class, AllsetShareDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, AllsetShareDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, AllsetShareDialog, create_button);
  gtk_widget_class_bind_template_child (widget_class, AllsetShareDialog, done_page);
  gtk_widget_class_bind_template_child (widget_class, AllsetShareDialog, url_entry);
  gtk_widget_class_bind_template_child (widget_class, AllsetShareDialog, copy_button);
  gtk_widget_class_bind_template_child (widget_class, AllsetShareDialog, done_label);
  gtk_widget_class_bind_template_child (widget_class, AllsetShareDialog, close_button);
  gtk_widget_class_bind_template_callback (widget_class, expiry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, day_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, create_cb);
  gtk_widget_class_bind_template_callback (widget_class, copy_cb);
  gtk_widget_class_bind_template_callback_full (widget_class, "gtk_window_close",
                                                G_CALLBACK (gtk_window_close));
}

static void
allset_share_dialog_init (AllsetShareDialog *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) week = g_date_time_add_days (now, 7);

  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  /* « Date… » starts a week ahead, like the default preset. */
  gtk_calendar_select_day (self->calendar, week);
  set_last_day (self, week);
}
