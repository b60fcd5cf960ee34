/* allset-window.c — the main window: state, progress, activity
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A view of AllsetAppState: everything shown here is read from the
 * application's state and the first folder's session (most accounts sync
 * one folder); the buttons call the sessions' controls. No sync logic.
 */

#include <glib/gi18n.h>

#include "allset-activity-row.h"
#include "allset-application-private.h"
#include "allset-setup-page.h"
#include "allset-shares-page.h"
#include "allset-window.h"

struct _AllsetWindow
{
  AdwApplicationWindow  parent_instance;

  AllsetApplication    *app;
  AllsetAppState       *state;
  /* The session whose activity the list shows. */
  AllsetFolderSession  *session;
  /* What alert_button does now. */
  enum { ALERT_NONE, ALERT_RETRY, ALERT_CONFIRM_DELETES, ALERT_SIGN_IN } alert;
  /* Set while the window moves the pause button itself. */
  gboolean              updating;
  /* The assistant is shown (reset once on the way in). */
  gboolean              in_setup;
  /* Which reading of the issues the window shows. */
  guint                 issues_generation;

  AdwToastOverlay      *toast_overlay;
  GtkStack             *mode_stack;
  AllsetSetupPage      *setup_page;
  AdwViewStack         *stack;
  GtkWidget            *switcher_title;
  GtkToggleButton      *pause_button;
  GtkRevealer          *metered_revealer;
  GtkLabel             *metered_label;
  GtkButton            *metered_always_button;
  GtkButton            *metered_small_button;
  GtkButton            *metered_pause_button;
  GtkRevealer          *alert_revealer;
  GtkLabel             *alert_label;
  GtkButton            *alert_button;
  GtkImage             *state_icon;
  GtkLabel             *state_title;
  GtkLabel             *state_subtitle;
  GtkWidget            *progress_box;
  GtkProgressBar       *progress_bar;
  GtkLabel             *progress_label;
  GtkListBox           *activity_list;
  AdwPreferencesGroup  *issues_group;
  GtkListBox           *issues_list;
  GtkLabel             *account_label;
  AllsetSharesPage     *shares_page;
};

G_DEFINE_FINAL_TYPE (AllsetWindow, allset_window, ADW_TYPE_APPLICATION_WINDOW)

static void update (AllsetWindow *self);

/* ---- helpers --------------------------------------------------------------- */

static const char *
state_title (AllsetAppState *state)
{
  switch (allset_app_state_get_phase (state))
    {
    case ALLSET_APP_PHASE_LOADING:       return _("Connecting…");
    case ALLSET_APP_PHASE_NEEDS_SETUP:   return _("Not set up");
    case ALLSET_APP_PHASE_SIGN_IN_AGAIN: return _("Sign in again");
    case ALLSET_APP_PHASE_FAILED:        return _("Error");
    case ALLSET_APP_PHASE_RUNNING:
    default:
      break;
    }

  switch (allset_app_state_get_session_state (state))
    {
    case ALLSET_SESSION_SYNCING:            return _("Syncing");
    case ALLSET_SESSION_PAUSED:             return _("Paused");
    case ALLSET_SESSION_PAUSED_METERED:     return _("Paused: metered connection");
    case ALLSET_SESSION_OFFLINE:            return _("Offline");
    case ALLSET_SESSION_MAINTENANCE:        return _("Server in maintenance");
    case ALLSET_SESSION_NEEDS_CONFIRMATION: return _("Deletions to confirm");
    case ALLSET_SESSION_ERROR:              return _("Error");
    case ALLSET_SESSION_IDLE:
    case ALLSET_SESSION_STOPPED:
    default:                                return _("Up to date");
    }
}

/* "12,3 Mo sur 40 Mo · 3 fichiers sur 10 · environ 20 s restantes" */
static char *
progress_text (AllsetFolderSession *session)
{
  g_autofree char *done = g_format_size (allset_folder_session_get_bytes_done (session));
  g_autofree char *total = g_format_size (allset_folder_session_get_bytes_total (session));
  guint files_done = allset_folder_session_get_files_done (session);
  guint files_total = allset_folder_session_get_files_total (session);
  gint64 eta = allset_folder_session_get_eta_seconds (session);
  GString *text = g_string_new (NULL);

  g_string_append_printf (text, _("%s of %s"), done, total);
  g_string_append (text, " · ");
  g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u of %u file", "%u of %u files",
                                             files_total),
                          files_done, files_total);
  if (eta >= 0)
    {
      g_string_append (text, " · ");
      if (eta < 60)
        g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "about %u second left",
                                                   "about %u seconds left", (gulong) eta),
                                (guint) eta);
      else
        g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "about %u minute left",
                                                   "about %u minutes left", (gulong) (eta + 59) / 60),
                                (guint) ((eta + 59) / 60));
    }

  return g_string_free (text, FALSE);
}

static void
set_alert (AllsetWindow *self,
           int           alert,
           const char   *message,
           const char   *button)
{
  self->alert = alert;
  gtk_revealer_set_reveal_child (self->alert_revealer, alert != ALERT_NONE);
  if (alert == ALERT_NONE)
    return;
  gtk_label_set_text (self->alert_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->alert_button), button != NULL);
  if (button != NULL)
    gtk_button_set_label (self->alert_button, button);
}

/* ---- the activity list ----------------------------------------------------- */

static void
row_retry_cb (AllsetWindow *self)
{
  if (self->session != NULL)
    allset_folder_session_sync_now (self->session);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  AllsetWindow *self = user_data;
  GtkWidget *row = allset_activity_row_new (item, self->session != NULL
                                                  ? allset_folder_session_get_folder (self->session)->local
                                                  : "/");

  g_signal_connect_object (row, "retry", G_CALLBACK (row_retry_cb), self, G_CONNECT_SWAPPED);
  return row;
}

static void
bind_session (AllsetWindow        *self,
              AllsetFolderSession *session)
{
  if (self->session == session)
    return;

  g_set_object (&self->session, session);
  gtk_list_box_bind_model (self->activity_list,
                           session != NULL ? allset_folder_session_get_activity (session) : NULL,
                           create_row, self, NULL);
}

/* ---- what is not synced ------------------------------------------------------ */

/* Why a path is not synced, in the user's words. */
static const char *
issue_text (const AllsetIssue *issue)
{
  switch (issue->kind)
    {
    case ALLSET_ISSUE_SYMLINK:
      return _("A symbolic link: links are not synced");
    case ALLSET_ISSUE_UNPORTABLE_NAME:
      return _("Its name cannot be used on every computer (a forbidden character, a reserved "
               "word or too long): rename it");
    case ALLSET_ISSUE_CASE_CLASH:
      return _("Another item has the same name except for upper and lower case: rename one");
    case ALLSET_ISSUE_PERMISSION:
      return _("Cannot be read: check its permissions");
    case ALLSET_ISSUE_SPECIAL_FILE:
      return _("A special file (pipe, socket or device): not synced");
    case ALLSET_ISSUE_UNSTABLE:
      return _("Kept changing while being read: tried again at the next sync");
    case ALLSET_ISSUE_IO_ERROR:
      return _("Cannot be read from the disk");
    case ALLSET_ISSUE_SYNC_FAILED:
    case ALLSET_ISSUE_CONFLICT:
    default:
      return issue->message != NULL ? issue->message : _("Could not be synced");
    }
}

/* The list is rebuilt only when it changed: most updates are progress. */
static void
update_issues (AllsetWindow *self)
{
  GPtrArray *issues = allset_app_state_get_issues (self->state, &self->issues_generation);
  GtkWidget *row;
  guint shown = MIN (issues->len, 50);

  while ((row = gtk_widget_get_first_child (GTK_WIDGET (self->issues_list))) != NULL)
    gtk_list_box_remove (self->issues_list, row);
  for (guint i = 0; i < shown; i++)
    {
      const AllsetIssue *issue = g_ptr_array_index (issues, i);
      g_autofree char *title = g_markup_escape_text (issue->path, -1);
      g_autofree char *subtitle = g_markup_escape_text (issue_text (issue), -1);

      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
      gtk_list_box_append (self->issues_list, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->issues_group), issues->len > 0);
}

/* ---- state → widgets ------------------------------------------------------- */

static void
update (AllsetWindow *self)
{
  AllsetAppState *state = self->state;
  GListModel *sessions = allset_app_state_get_sessions (state);
  g_autoptr(AllsetFolderSession) first = g_list_model_get_item (sessions, 0);
  AllsetAppPhase phase = allset_app_state_get_phase (state);
  AllsetSessionState session_state = allset_app_state_get_session_state (state);
  const char *subtitle = NULL;
  g_autofree char *last_sync = NULL;
  guint percent = 0;
  g_autofree char *detail = NULL;
  AllsetTrayStatus status;
  AllsetConfig *config;

  bind_session (self, first);
  {
    guint generation;

    allset_app_state_get_issues (state, &generation);
    if (generation != self->issues_generation)
      update_issues (self);
  }

  /* First run, or the token is gone: the assistant fills the window. */
  if (phase == ALLSET_APP_PHASE_NEEDS_SETUP || phase == ALLSET_APP_PHASE_SIGN_IN_AGAIN)
    {
      if (!self->in_setup)
        {
          self->in_setup = TRUE;
          allset_setup_page_reset (self->setup_page, allset_app_state_get_config (state));
          gtk_stack_set_visible_child_name (self->mode_stack, "setup");
        }
    }
  else
    {
      self->in_setup = FALSE;
      gtk_stack_set_visible_child_name (self->mode_stack, "main");
    }
  gtk_widget_set_visible (GTK_WIDGET (self->pause_button), phase == ALLSET_APP_PHASE_RUNNING);

  status = allset_app_state_get_tray_status (state, &percent, &detail);
  gtk_image_set_from_icon_name (self->state_icon, allset_tray_status_icon_name (status));
  gtk_label_set_text (self->state_title, state_title (state));

  if (phase != ALLSET_APP_PHASE_RUNNING)
    subtitle = allset_app_state_get_message (state);
  else if (first != NULL && session_state == ALLSET_SESSION_IDLE &&
           allset_folder_session_get_last_sync (first) != NULL)
    {
      g_autofree char *time = g_date_time_format (allset_folder_session_get_last_sync (first), "%H:%M");

      subtitle = last_sync = g_strdup_printf (_("Last synced at %s"), time);
    }
  else if (first != NULL)
    subtitle = allset_folder_session_get_message (first);
  /* The title already says it when the session's sentence is that short. */
  if (g_strcmp0 (subtitle, state_title (state)) == 0)
    subtitle = NULL;
  gtk_label_set_text (self->state_subtitle, subtitle != NULL ? subtitle : "");
  gtk_widget_set_visible (GTK_WIDGET (self->state_subtitle), subtitle != NULL && *subtitle != '\0');

  gtk_widget_set_visible (self->progress_box, session_state == ALLSET_SESSION_SYNCING && first != NULL);
  if (session_state == ALLSET_SESSION_SYNCING && first != NULL)
    {
      g_autofree char *text = progress_text (first);

      gtk_progress_bar_set_fraction (self->progress_bar, allset_folder_session_get_fraction (first));
      gtk_label_set_text (self->progress_label, text);
    }

  /* Terms R14: say why nothing moves, and let the user choose. */
  gtk_revealer_set_reveal_child (self->metered_revealer,
                                 session_state == ALLSET_SESSION_PAUSED_METERED);

  /* Signing in again: the assistant is on screen, the banner says why. */
  if (phase == ALLSET_APP_PHASE_SIGN_IN_AGAIN)
    {
      set_alert (self, ALERT_SIGN_IN, allset_app_state_get_message (state), NULL);
    }
  else if (phase == ALLSET_APP_PHASE_FAILED)
    set_alert (self, ALERT_RETRY, allset_app_state_get_message (state), _("Retry"));
  else if (session_state == ALLSET_SESSION_NEEDS_CONFIRMATION && first != NULL)
    set_alert (self, ALERT_CONFIRM_DELETES, allset_folder_session_get_message (first),
               _("Review…"));
  else if ((session_state == ALLSET_SESSION_ERROR || session_state == ALLSET_SESSION_MAINTENANCE) &&
           first != NULL)
    set_alert (self, ALERT_RETRY, allset_folder_session_get_message (first), _("Retry"));
  else
    set_alert (self, ALERT_NONE, NULL, NULL);

  self->updating = TRUE;
  gtk_toggle_button_set_active (self->pause_button, allset_app_state_get_paused (state));
  self->updating = FALSE;

  config = allset_app_state_get_config (state);
  if (config != NULL && allset_config_is_signed_in (config))
    {
      g_autofree char *text = NULL;
      guint64 used, quota;

      if (allset_app_state_get_space (state, &used, &quota))
        {
          g_autofree char *used_text = g_format_size (used);
          g_autofree char *quota_text = g_format_size (quota);
          g_autofree char *space = quota > 0 ? g_strdup_printf (_("%s used of %s"), used_text, quota_text)
                                             : g_strdup_printf (_("%s used"), used_text);

          text = g_strdup_printf (_("Signed in as %s on %s · %s"), allset_config_get_username (config),
                                  allset_config_get_server (config), space);
        }
      else
        text = g_strdup_printf (_("Signed in as %s on %s"), allset_config_get_username (config),
                                allset_config_get_server (config));
      gtk_label_set_text (self->account_label, text);
    }
  else
    gtk_label_set_text (self->account_label, "");
}

/* ---- controls -------------------------------------------------------------- */

static void
pause_toggled_cb (AllsetWindow *self)
{
  if (!self->updating)
    allset_app_state_set_paused (self->state, gtk_toggle_button_get_active (self->pause_button));
}

static void
set_metered_policy (AllsetWindow        *self,
                    AllsetMeteredPolicy  policy)
{
  GListModel *sessions = allset_app_state_get_sessions (self->state);
  guint n = g_list_model_get_n_items (sessions);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AllsetFolderSession) session = g_list_model_get_item (sessions, i);

      allset_folder_session_set_metered_policy (session, policy);
    }
}

static void
metered_always_cb (AllsetWindow *self)
{
  set_metered_policy (self, ALLSET_METERED_ALWAYS);
}

static void
metered_small_cb (AllsetWindow *self)
{
  set_metered_policy (self, ALLSET_METERED_SMALL_FILES);
}

static void
metered_pause_cb (AllsetWindow *self)
{
  set_metered_policy (self, ALLSET_METERED_PAUSE);
  gtk_revealer_set_reveal_child (self->metered_revealer, FALSE);
}

static void
confirm_deletes_response_cb (AdwMessageDialog *dialog,
                             const char       *response,
                             gpointer          user_data)
{
  AllsetWindow *self = user_data;

  if (g_strcmp0 (response, "delete") == 0 && self->session != NULL)
    allset_folder_session_confirm_deletions (self->session);
}

static void
alert_button_cb (AllsetWindow *self)
{
  GListModel *sessions = allset_app_state_get_sessions (self->state);
  guint n = g_list_model_get_n_items (sessions);

  switch (self->alert)
    {
    case ALERT_RETRY:
      if (allset_app_state_get_phase (self->state) != ALLSET_APP_PHASE_RUNNING)
        allset_app_state_reload (self->state);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(AllsetFolderSession) session = g_list_model_get_item (sessions, i);

          allset_folder_session_sync_now (session);
        }
      break;

    case ALERT_CONFIRM_DELETES:
      if (self->session != NULL)
        {
          GtkWidget *dialog;
          g_autofree char *body = NULL;
          guint held = allset_folder_session_get_held_deletions (self->session);

          body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                               "%u file was deleted on one side. Delete it on the "
                                               "other side too? Deleted files stay in the trash.",
                                               "%u files were deleted on one side. Delete them on "
                                               "the other side too? Deleted files stay in the trash.",
                                               held),
                                  held);
          dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Delete these files everywhere?"), body);
          adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                            "cancel", _("_Keep Them"),
                                            "delete", _("_Delete"),
                                            NULL);
          adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                                      ADW_RESPONSE_DESTRUCTIVE);
          adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
          g_signal_connect_object (dialog, "response", G_CALLBACK (confirm_deletes_response_cb),
                                   self, 0);
          gtk_window_present (GTK_WINDOW (dialog));
        }
      break;

    case ALERT_SIGN_IN:
      self->in_setup = TRUE;
      allset_setup_page_reset (self->setup_page, allset_app_state_get_config (self->state));
      gtk_stack_set_visible_child_name (self->mode_stack, "setup");
      break;

    case ALERT_NONE:
    default:
      break;
    }
}

static void
setup_done_cb (AllsetWindow *self)
{
  allset_app_state_reload (self->state);
}

/* ---- public ---------------------------------------------------------------- */

AllsetWindow *
allset_window_new (AllsetApplication *app)
{
  AllsetWindow *self = g_object_new (ALLSET_TYPE_WINDOW, "application", app, NULL);

  self->app = app;
  self->state = g_object_ref (allset_application_get_state (app));
  allset_shares_page_set_state (self->shares_page, self->state);
  g_signal_connect_object (self->state, "changed", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  update (self);

  return self;
}

void
allset_window_show_page (AllsetWindow *self,
                         const char   *page)
{
  g_return_if_fail (ALLSET_IS_WINDOW (self));

  if (adw_view_stack_get_child_by_name (self->stack, page) != NULL)
    adw_view_stack_set_visible_child_name (self->stack, page);
}

void
allset_window_show_toast (AllsetWindow *self,
                          const char   *message)
{
  g_return_if_fail (ALLSET_IS_WINDOW (self));

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

void
allset_window_share_file (AllsetWindow *self,
                          GFile        *file)
{
  g_autofree char *path = NULL;

  g_return_if_fail (ALLSET_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  /* The application owns the dialog (app.share-path, as D-Bus callers do). */
  path = g_file_get_path (file);
  if (path != NULL)
    g_action_group_activate_action (G_ACTION_GROUP (self->app), "share-path",
                                    g_variant_new_string (path));
}

static void
allset_window_dispose (GObject *object)
{
  AllsetWindow *self = ALLSET_WINDOW (object);

  if (self->activity_list != NULL)
    gtk_list_box_bind_model (self->activity_list, NULL, NULL, NULL, NULL);
  g_clear_object (&self->session);
  g_clear_object (&self->state);

  G_OBJECT_CLASS (allset_window_parent_class)->dispose (object);
}

static void
allset_window_class_init (AllsetWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = allset_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/fr/allset/Sync/allset-window.ui");
  gtk_widget_class_bind_template_child (widget_class, AllsetWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, AllsetWindow, mode_stack);
  gtk_widget_class_bind_template_child (widget_class, AllsetWindow, setup_page);
  gtk_widget_class_bind_template_child (widget_class, AllsetWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, AllsetWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, AllsetWindow, pause_button);
  gtk_widget_class_bind_template_child (widget_class, AllsetWindow, metered_revealer);
  gtk_widget_class_bind_template_child (widget_class, AllsetWindow, metered_label);
  gtk_widget_class_bind_template_child (widget_class, AllsetWindow, metered_always_button);
  gtk_widget_class_bind_template_child (widget_class, AllsetWindow, metered_small_button);
  gtk_widget_class_bind_template_child (widget_class, AllsetWindow, metered_pause_button);
  gtk_widget_class_bind_template_child (widget_class, AllsetWindow, alert_revealer);
  gtk_widget_class_bind_template_child (widget_class, AllsetWindow, alert_label);
  gtk_widget_class_bind_template_child (widget_class, AllsetWindow, alert_button);
  gtk_widget_class_bind_template_child (widget_class, AllsetWindow, state_icon);
  gtk_widget_class_bind_template_child (widget_class, AllsetWindow, state_title);
  gtk_widget_class_bind_template_child (widget_class, AllsetWindow, state_subtitle);
  gtk_widget_class_bind_template_child (widget_class, AllsetWindow, progress_box);
  gtk_widget_class_bind_template_child (widget_class, AllsetWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, AllsetWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, AllsetWindow, activity_list);
  gtk_widget_class_bind_template_child (widget_class, AllsetWindow, issues_group);
  gtk_widget_class_bind_template_child (widget_class, AllsetWindow, issues_list);
  gtk_widget_class_bind_template_child (widget_class, AllsetWindow, account_label);
  gtk_widget_class_bind_template_child (widget_class, AllsetWindow, shares_page);
  gtk_widget_class_bind_template_callback (widget_class, pause_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, metered_always_cb);
  gtk_widget_class_bind_template_callback (widget_class, metered_small_cb);
  gtk_widget_class_bind_template_callback (widget_class, metered_pause_cb);
  gtk_widget_class_bind_template_callback (widget_class, alert_button_cb);
  gtk_widget_class_bind_template_callback (widget_class, setup_done_cb);
}

static void
allset_window_init (AllsetWindow *self)
{
  GtkWidget *placeholder;

  g_type_ensure (ALLSET_TYPE_SETUP_PAGE);
  g_type_ensure (ALLSET_TYPE_SHARES_PAGE);
  gtk_widget_init_template (GTK_WIDGET (self));

  placeholder = gtk_label_new (_("Nothing has changed yet."));
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 18);
  gtk_widget_set_margin_bottom (placeholder, 18);
  gtk_list_box_set_placeholder (self->activity_list, placeholder);
}
