/* allset-shares-page.c — « Mes liens » : the account's share links
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every server call runs in a GTask thread; the page only shows what the
 * last answer said, and reads the list again after each change, so what
 * it shows is always the server's view (another device may have changed
 * a link meanwhile).
 */

#include <glib/gi18n.h>

#include "allset-error.h"
#include "allset-share-dialog.h"
#include "allset-shares-page.h"

#define DAY (24 * 60 * 60)

struct _AllsetSharesPage
{
  AdwBin               parent_instance;

  AllsetAppState      *state;
  GCancellable        *cancellable;
  GPtrArray           *shares;        /* AllsetShareInfo, NULL before the first answer */
  gboolean             loading;
  gboolean             again;         /* asked again while loading */

  GtkStack            *stack;
  GtkSpinner          *spinner;
  AdwStatusPage       *error_page;
  GtkButton           *refresh_button;
  GtkListBox          *list;
};

G_DEFINE_FINAL_TYPE (AllsetSharesPage, allset_shares_page, ADW_TYPE_BIN)

/* ---- words ------------------------------------------------------------------- */

char *
allset_shares_page_describe_expiry (const AllsetShareInfo *info)
{
  g_autoptr(GDateTime) at = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *when = NULL;

  if (g_strcmp0 (info->state, "expired") == 0)
    return g_strdup (_("expired"));
  if (info->expires_at == NULL)
    return g_strdup (_("no expiry"));
  at = g_date_time_new_from_iso8601 (info->expires_at, NULL);
  if (at == NULL)
    return g_strdup (info->expires_at);
  local = g_date_time_to_local (at);
  when = allset_share_format_date (local, TRUE);
  /* TRANSLATORS: "expires on 3 December 2026 at 14:00". */
  return g_strdup_printf (_("expires on %s"), when);
}

static char *
describe_downloads (const AllsetShareInfo *info)
{
  g_autofree char *done = g_strdup_printf ("%" G_GUINT64_FORMAT, info->downloads);
  g_autofree char *max = g_strdup_printf ("%" G_GUINT64_FORMAT, info->max_downloads);

  if (info->max_downloads > 0)
    /* TRANSLATORS: "2 / 5 downloads": done, then the limit. */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s / %s download", "%s / %s downloads",
                                         (gulong) MIN (info->max_downloads, G_MAXULONG)),
                            done, max);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s download", "%s downloads",
                                       (gulong) MIN (info->downloads, G_MAXULONG)),
                          done);
}

/* What a link that does not work any more says, or NULL. */
static char *
describe_state (const AllsetShareInfo *info)
{
  if (g_strcmp0 (info->state, "suspended") == 0)
    return info->suspended_reason != NULL && *info->suspended_reason != '\0'
           ? g_strdup_printf (_("Suspended by ALLSET: %s"), info->suspended_reason)
           : g_strdup (_("Suspended by ALLSET after a report."));
  if (g_strcmp0 (info->state, "exhausted") == 0)
    return g_strdup (_("Download limit reached: the link no longer works."));
  if (g_strcmp0 (info->state, "expired") == 0)
    return g_strdup (_("The link no longer works: change its expiry to bring it back."));
  return NULL;
}

static void
toast (AllsetSharesPage *self,
       const char       *message)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    {
      AdwToast *item = adw_toast_new (message);

      adw_toast_set_timeout (item, 8);
      adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), item);
    }
  else
    g_message ("%s", message);
}

static char *
error_text (const GError *error)
{
  if (g_error_matches (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND))
    return g_strdup (_("This link no longer exists (revoked from another device?)."));
  if (error->domain == ALLSET_PROTOCOL_ERROR)
    return g_strdup (error->message);
  return g_strdup_printf (_("Offline: cannot reach the server (%s)"), error->message);
}

/* ---- rows -------------------------------------------------------------------- */

static GMenuModel *
expiry_menu (const char *id)
{
  static const struct { const char *label; const char *preset; } presets[] = {
    { N_("1 day"), "1d" }, { N_("7 days"), "7d" }, { N_("30 days"), "30d" }, { N_("Never"), "never" },
  };
  GMenu *menu = g_menu_new ();

  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (_(presets[i].label), NULL);

      g_menu_item_set_action_and_target_value (item, "shares.expire",
                                               g_variant_new ("(ss)", id, presets[i].preset));
      g_menu_append_item (menu, item);
    }
  return G_MENU_MODEL (menu);
}

static GtkWidget *
create_row (const AllsetShareInfo *info)
{
  g_autofree char *expiry = allset_shares_page_describe_expiry (info);
  g_autofree char *downloads = describe_downloads (info);
  g_autofree char *state = describe_state (info);
  g_autofree char *title = g_markup_escape_text (info->path, -1);
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autofree char *escaped = NULL;
  g_autoptr(GMenuModel) menu = expiry_menu (info->id);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *expire_button = gtk_menu_button_new ();
  GtkWidget *revoke_button = gtk_button_new_with_mnemonic (_("_Revoke"));
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gboolean suspended = g_strcmp0 (info->state, "suspended") == 0;

  /* The start of the token: enough to tell which link was sent to whom. */
  g_string_append_printf (subtitle, "%s\n%s · %s · /s/%s…", expiry, downloads,
                          info->has_password ? _("password") : _("no password"),
                          info->token_prefix != NULL ? info->token_prefix : "");
  if (state != NULL)
    g_string_append_printf (subtitle, "\n%s", state);
  escaped = g_markup_escape_text (subtitle->str, -1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 4);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                             gtk_image_new_from_icon_name (info->is_dir ? "folder-symbolic"
                                                                        : "text-x-generic-symbolic"));
  if (state != NULL)
    gtk_widget_add_css_class (row, suspended ? "error" : "dim-label");

  gtk_menu_button_set_label (GTK_MENU_BUTTON (expire_button), _("Change Expiry"));
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (expire_button), menu);
  gtk_widget_add_css_class (expire_button, "flat");
  gtk_widget_set_halign (expire_button, GTK_ALIGN_END);
  /* A suspended link stays suspended until an admin lifts it. */
  gtk_widget_set_sensitive (expire_button, !suspended);
  gtk_widget_set_name (expire_button, "expire");
  gtk_box_append (GTK_BOX (buttons), expire_button);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (revoke_button), "shares.revoke");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (revoke_button), g_variant_new_string (info->id));
  gtk_widget_set_halign (revoke_button, GTK_ALIGN_END);
  gtk_widget_add_css_class (revoke_button, "flat");
  gtk_widget_add_css_class (revoke_button, "error");
  gtk_widget_set_name (revoke_button, "revoke");
  gtk_box_append (GTK_BOX (buttons), revoke_button);
  /* One above the other: the row is three lines tall anyway, and the
   * path and its details keep the width. */
  gtk_widget_set_valign (buttons, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), buttons);

  /* Tests and accessibility find the row by its link. */
  g_object_set_data_full (G_OBJECT (row), "share-id", g_strdup (info->id), g_free);
  return row;
}

static void
show_list (AllsetSharesPage *self)
{
  GtkWidget *row;

  while ((row = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, row);
  for (guint i = 0; i < self->shares->len; i++)
    gtk_list_box_append (self->list, create_row (g_ptr_array_index (self->shares, i)));
  gtk_stack_set_visible_child_name (self->stack, self->shares->len > 0 ? "list" : "empty");
}

/* ---- reading the list -------------------------------------------------------------- */

static void
list_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *shares = allset_client_shares (task_data, cancellable, &error);

  if (shares == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, shares, (GDestroyNotify) g_ptr_array_unref);
}

static void
list_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  AllsetSharesPage *self = ALLSET_SHARES_PAGE (source);
  g_autoptr(GError) error = NULL;
  GPtrArray *shares = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->loading = FALSE;
  gtk_spinner_set_spinning (self->spinner, FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->refresh_button), TRUE);
  if (shares == NULL)
    {
      g_autofree char *text = error_text (error);

      adw_status_page_set_description (self->error_page, text);
      gtk_stack_set_visible_child_name (self->stack, "error");
    }
  else
    {
      g_clear_pointer (&self->shares, g_ptr_array_unref);
      self->shares = shares;
      show_list (self);
    }

  if (self->again)
    {
      self->again = FALSE;
      allset_shares_page_refresh (self);
    }
}

void
allset_shares_page_refresh (AllsetSharesPage *self)
{
  AllsetClient *client;
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ALLSET_IS_SHARES_PAGE (self));

  if (self->loading)
    {
      self->again = TRUE;
      return;
    }
  client = self->state != NULL ? allset_app_state_get_client (self->state) : NULL;
  if (client == NULL)
    {
      /* Tried again when the account is connected (state_changed_cb). */
      adw_status_page_set_description (self->error_page,
                                       self->state != NULL &&
                                       allset_app_state_get_phase (self->state) == ALLSET_APP_PHASE_LOADING
                                       ? _("Connecting…")
                                       : _("ALLSET Sync is not connected to your account: sign in first."));
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }

  self->loading = TRUE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->refresh_button), FALSE);
  if (self->shares == NULL || g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "error") == 0)
    {
      gtk_spinner_set_spinning (self->spinner, TRUE);
      gtk_stack_set_visible_child_name (self->stack, "loading");
    }
  task = g_task_new (self, self->cancellable, list_cb, NULL);
  g_task_set_task_data (task, g_object_ref (client), g_object_unref);
  g_task_run_in_thread (task, list_thread);
}

GPtrArray *
allset_shares_page_get_shares (AllsetSharesPage *self)
{
  g_return_val_if_fail (ALLSET_IS_SHARES_PAGE (self), NULL);

  return self->shares;
}

/* ---- changing a link ------------------------------------------------------------- */

typedef struct
{
  AllsetClient      *client;
  char              *id;
  gboolean           revoke;
  AllsetShareExpiry  expiry;
} Change;

static void
change_free (Change *change)
{
  g_clear_object (&change->client);
  g_free (change->id);
  g_free (change);
}

static void
change_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Change *change = task_data;
  GError *error = NULL;

  if (change->revoke)
    {
      if (!allset_client_share_revoke (change->client, change->id, cancellable, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }
  else
    {
      AllsetShareChange what = { .expiry = &change->expiry };
      g_autoptr(AllsetShareInfo) info = allset_client_share_update (change->client, change->id, &what,
                                                                    cancellable, &error);

      if (info == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
    }
  g_task_return_boolean (task, TRUE);
}

static void
change_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  AllsetSharesPage *self = ALLSET_SHARES_PAGE (source);
  Change *change = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (!change->revoke && g_error_matches (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_BAD_REQUEST))
        text = change->expiry.never
               ? g_strdup (_("This server does not allow links that never expire: choose a duration "
                             "or a day."))
               : g_strdup_printf (_("The server refused this expiry: %s"), error->message);
      else
        text = error_text (error);
      toast (self, text);
    }
  else
    toast (self, change->revoke ? _("Link revoked: its address no longer works.")
                                : _("Expiry changed."));
  /* Whatever happened, show the server's view now. */
  if (self->state != NULL)
    allset_app_state_shares_changed (self->state);
}

static void
run_change (AllsetSharesPage *self,
            Change           *change)
{
  AllsetClient *client = self->state != NULL ? allset_app_state_get_client (self->state) : NULL;
  g_autoptr(GTask) task = NULL;

  if (client == NULL)
    {
      change_free (change);
      toast (self, _("ALLSET Sync is not connected to your account: sign in first."));
      return;
    }
  change->client = g_object_ref (client);
  task = g_task_new (self, self->cancellable, change_cb, NULL);
  g_task_set_task_data (task, change, (GDestroyNotify) change_free);
  g_task_run_in_thread (task, change_thread);
}

static const AllsetShareInfo *
find_share (AllsetSharesPage *self,
            const char       *id)
{
  for (guint i = 0; self->shares != NULL && i < self->shares->len; i++)
    {
      const AllsetShareInfo *info = g_ptr_array_index (self->shares, i);

      if (g_strcmp0 (info->id, id) == 0)
        return info;
    }
  return NULL;
}

static void
revoke_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    gpointer          user_data)
{
  AllsetSharesPage *self = user_data;
  Change *change;

  if (g_strcmp0 (response, "revoke") != 0)
    return;
  change = g_new0 (Change, 1);
  change->id = g_strdup (g_object_get_data (G_OBJECT (dialog), "share-id"));
  change->revoke = TRUE;
  run_change (self, change);
}

static void
revoke_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  AllsetSharesPage *self = ALLSET_SHARES_PAGE (widget);
  const char *id = g_variant_get_string (param, NULL);
  const AllsetShareInfo *info = find_share (self, id);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (info == NULL)
    return;
  body = g_strdup_printf (_("Whoever has the link to “%s” will no longer be able to download it. "
                            "This cannot be undone."), info->path);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Revoke This Link?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "revoke", _("_Revoke"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "revoke",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "share-id", g_strdup (id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (revoke_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
expire_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  AllsetSharesPage *self = ALLSET_SHARES_PAGE (widget);
  const char *id, *preset;
  Change *change = g_new0 (Change, 1);

  g_variant_get (param, "(&s&s)", &id, &preset);
  change->id = g_strdup (id);
  if (g_str_equal (preset, "never"))
    change->expiry.never = TRUE;
  else if (g_str_equal (preset, "1d"))
    change->expiry.in_seconds = DAY;
  else if (g_str_equal (preset, "30d"))
    change->expiry.in_seconds = 30 * DAY;
  else
    change->expiry.in_seconds = 7 * DAY;
  run_change (self, change);
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  allset_shares_page_refresh (ALLSET_SHARES_PAGE (widget));
}

/* ---- when to read ---------------------------------------------------------------- */

static void
shares_changed_cb (AllsetSharesPage *self)
{
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    allset_shares_page_refresh (self);
}

/* Waiting for the account: read as soon as it is connected. */
static void
state_changed_cb (AllsetSharesPage *self)
{
  if (gtk_widget_get_mapped (GTK_WIDGET (self)) && !self->loading &&
      g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "error") == 0 &&
      allset_app_state_get_client (self->state) != NULL && self->shares == NULL)
    allset_shares_page_refresh (self);
}

void
allset_shares_page_set_state (AllsetSharesPage *self,
                              AllsetAppState   *state)
{
  g_return_if_fail (ALLSET_IS_SHARES_PAGE (self));

  if (self->state != NULL)
    g_signal_handlers_disconnect_by_data (self->state, self);
  g_set_object (&self->state, state);
  if (state == NULL)
    return;
  g_signal_connect_object (state, "shares-changed", G_CALLBACK (shares_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (state, "changed", G_CALLBACK (state_changed_cb), self, G_CONNECT_SWAPPED);
}

static void
allset_shares_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (allset_shares_page_parent_class)->map (widget);
  /* Shown: the server's list of now. */
  allset_shares_page_refresh (ALLSET_SHARES_PAGE (widget));
}

static void
allset_shares_page_dispose (GObject *object)
{
  AllsetSharesPage *self = ALLSET_SHARES_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->state);
  g_clear_pointer (&self->shares, g_ptr_array_unref);

  G_OBJECT_CLASS (allset_shares_page_parent_class)->dispose (object);
}

static void
allset_shares_page_finalize (GObject *object)
{
  AllsetSharesPage *self = ALLSET_SHARES_PAGE (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (allset_shares_page_parent_class)->finalize (object);
}

static void
allset_shares_page_class_init (AllsetSharesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = allset_shares_page_dispose;
  object_class->finalize = allset_shares_page_finalize;
  widget_class->map = allset_shares_page_map;

  gtk_widget_class_install_action (widget_class, "shares.revoke", "s", revoke_action);
  gtk_widget_class_install_action (widget_class, "shares.expire", "(ss)", expire_action);
  gtk_widget_class_install_action (widget_class, "shares.refresh", NULL, refresh_action);

  gtk_widget_class_set_template_from_resource (widget_class, "/fr/allset/Sync/allset-shares-page.ui");
  gtk_widget_class_bind_template_child (widget_class, AllsetSharesPage, stack);
  gtk_widget_class_bind_template_child (widget_class, AllsetSharesPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, AllsetSharesPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, AllsetSharesPage, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, AllsetSharesPage, list);
}

static void
allset_shares_page_init (AllsetSharesPage *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}
