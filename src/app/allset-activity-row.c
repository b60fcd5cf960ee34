/* allset-activity-row.c — one file of the activity list, with its badge
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "allset-activity-row.h"

struct _AllsetActivityRow
{
  AdwActionRow    parent_instance;

  AllsetActivity *activity;
  char           *folder;

  GtkImage       *action_icon;
  GtkMenuButton  *verified_button;
  GtkLabel       *revision_label;
  GtkLabel       *file_id_label;
  GtkLabel       *receipt_time_label;
  GtkButton      *retry_button;
  GtkMenuButton  *conflict_button;
  GtkSpinner     *spinner;
  /* The user resolved the conflict this row shows. */
  gboolean        resolved;
};

G_DEFINE_FINAL_TYPE (AllsetActivityRow, allset_activity_row, ADW_TYPE_ACTION_ROW)

enum { RETRY, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char *
action_icon_name (AllsetActionKind action)
{
  switch ((int) action)
    {
    case ALLSET_ACTION_UPLOAD:        return "send-to-symbolic";
    case ALLSET_ACTION_DOWNLOAD:      return "folder-download-symbolic";
    case ALLSET_ACTION_DELETE_LOCAL:
    case ALLSET_ACTION_DELETE_REMOTE: return "user-trash-symbolic";
    case ALLSET_ACTION_MOVE_LOCAL:
    case ALLSET_ACTION_MOVE_REMOTE:   return "document-send-symbolic";
    case ALLSET_ACTION_CONFLICT:      return "dialog-warning-symbolic";
    case ALLSET_ACTION_MKDIR_LOCAL:
    case ALLSET_ACTION_MKDIR_REMOTE:  return "folder-new-symbolic";
    default:                          return "emblem-synchronizing-symbolic";
    }
}

/* What happened, in the user's words; the path is the row's title. */
static char *
describe (AllsetActivity *activity)
{
  const char *to = allset_activity_get_to (activity);
  const char *message = allset_activity_get_message (activity);
  AllsetActivityStatus status = allset_activity_get_status (activity);
  const char *what;

  switch ((int) allset_activity_get_action (activity))
    {
    case ALLSET_ACTION_UPLOAD:        what = _("Sent to the server"); break;
    case ALLSET_ACTION_DOWNLOAD:      what = _("Received from the server"); break;
    case ALLSET_ACTION_DELETE_LOCAL:  what = _("Deleted here (moved to the trash)"); break;
    case ALLSET_ACTION_DELETE_REMOTE: what = _("Deleted on the server (kept in its trash)"); break;
    case ALLSET_ACTION_MOVE_LOCAL:
    case ALLSET_ACTION_MOVE_REMOTE:   what = _("Moved"); break;
    case ALLSET_ACTION_CONFLICT:      what = _("Changed on both sides: your copy was kept"); break;
    case ALLSET_ACTION_MKDIR_LOCAL:
    case ALLSET_ACTION_MKDIR_REMOTE:  what = _("Folder created"); break;
    default:                          what = _("Checked"); break;
    }

  switch (status)
    {
    case ALLSET_ACTIVITY_RUNNING:
      return g_strdup (_("In progress…"));
    case ALLSET_ACTIVITY_FAILED:
      return g_strdup_printf (_("Failed: %s"), message != NULL ? message : _("unknown reason"));
    case ALLSET_ACTIVITY_VERIFY_FAILED:
      return g_strdup_printf (_("Verification failed, sending again: %s"),
                              message != NULL ? message : _("hash mismatch"));
    case ALLSET_ACTIVITY_DEFERRED:
      return g_strdup (_("Waiting for an unmetered connection"));
    case ALLSET_ACTIVITY_DONE:
    case ALLSET_ACTIVITY_VERIFIED:
    default:
      if (to != NULL)
        return g_strdup_printf ("%s → %s", what, to);
      return g_strdup (what);
    }
}

static void
update (AllsetActivityRow *self)
{
  AllsetActivity *activity = self->activity;
  AllsetActivityStatus status = allset_activity_get_status (activity);
  g_autofree char *subtitle = describe (activity);
  g_autofree char *escaped_path = g_markup_escape_text (allset_activity_get_path (activity), -1);
  g_autofree char *escaped_subtitle = g_markup_escape_text (subtitle, -1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), escaped_path);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), escaped_subtitle);
  gtk_image_set_from_icon_name (self->action_icon,
                                action_icon_name (allset_activity_get_action (activity)));

  gtk_widget_set_visible (GTK_WIDGET (self->spinner), status == ALLSET_ACTIVITY_RUNNING);
  gtk_spinner_set_spinning (self->spinner, status == ALLSET_ACTIVITY_RUNNING);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button),
                          status == ALLSET_ACTIVITY_FAILED || status == ALLSET_ACTIVITY_VERIFY_FAILED);
  gtk_widget_set_visible (GTK_WIDGET (self->verified_button), status == ALLSET_ACTIVITY_VERIFIED);
  gtk_widget_set_visible (GTK_WIDGET (self->conflict_button),
                          allset_activity_get_action (activity) == ALLSET_ACTION_CONFLICT &&
                          allset_activity_get_to (activity) != NULL &&
                          status != ALLSET_ACTIVITY_RUNNING && !self->resolved);

  if (status == ALLSET_ACTIVITY_VERIFIED)
    {
      g_autofree char *revision = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                   allset_activity_get_revision (activity));

      gtk_label_set_text (self->revision_label, revision);
      gtk_label_set_text (self->file_id_label, allset_activity_get_file_id (activity));
      gtk_label_set_text (self->receipt_time_label, allset_activity_get_receipt_time (activity));
    }
}

/* ---- conflicts --------------------------------------------------------- */

static GFile *
folder_file (AllsetActivityRow *self,
             const char        *relative)
{
  return g_file_new_build_filename (self->folder, relative, NULL);
}

static void
open_both_action (GtkWidget  *widget,
                  const char *action,
                  GVariant   *param)
{
  AllsetActivityRow *self = ALLSET_ACTIVITY_ROW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  const char *paths[] = { allset_activity_get_path (self->activity),
                          allset_activity_get_to (self->activity) };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(GFile) file = folder_file (self, paths[i]);
      g_autofree char *uri = g_file_get_uri (file);

      gtk_show_uri (GTK_WINDOW (root), uri, GDK_CURRENT_TIME);
    }
}

static void
resolved_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(AllsetActivityRow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  /* Either a move or a trash finished. */
  if (g_object_get_data (G_OBJECT (self), "resolving-trash") != NULL)
    ok = g_file_trash_finish (G_FILE (source), result, &error);
  else
    ok = g_file_move_finish (G_FILE (source), result, &error);

  if (!ok)
    {
      g_autofree char *subtitle = g_strdup_printf (_("Failed: %s"), error->message);

      adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle);
      return;
    }
  self->resolved = TRUE;
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), _("Resolved: the next sync sends the result"));
  gtk_widget_set_visible (GTK_WIDGET (self->conflict_button), FALSE);
  g_signal_emit (self, signals[RETRY], 0);
}

static void
keep_mine_action (GtkWidget  *widget,
                  const char *action,
                  GVariant   *param)
{
  AllsetActivityRow *self = ALLSET_ACTIVITY_ROW (widget);
  g_autoptr(GFile) copy = folder_file (self, allset_activity_get_to (self->activity));
  g_autoptr(GFile) original = folder_file (self, allset_activity_get_path (self->activity));

  /* The server keeps the version this replaces in its history. */
  g_object_set_data (G_OBJECT (self), "resolving-trash", NULL);
  g_file_move_async (copy, original, G_FILE_COPY_OVERWRITE | G_FILE_COPY_NOFOLLOW_SYMLINKS,
                     G_PRIORITY_DEFAULT, NULL, NULL, NULL, resolved_cb, g_object_ref (self));
}

static void
keep_theirs_action (GtkWidget  *widget,
                    const char *action,
                    GVariant   *param)
{
  AllsetActivityRow *self = ALLSET_ACTIVITY_ROW (widget);
  g_autoptr(GFile) copy = folder_file (self, allset_activity_get_to (self->activity));

  g_object_set_data (G_OBJECT (self), "resolving-trash", GINT_TO_POINTER (1));
  g_file_trash_async (copy, G_PRIORITY_DEFAULT, NULL, resolved_cb, g_object_ref (self));
}

static void
retry_clicked_cb (AllsetActivityRow *self)
{
  g_signal_emit (self, signals[RETRY], 0);
}

GtkWidget *
allset_activity_row_new (AllsetActivity *activity,
                         const char     *folder)
{
  AllsetActivityRow *self = g_object_new (ALLSET_TYPE_ACTIVITY_ROW, NULL);

  self->activity = g_object_ref (activity);
  self->folder = g_strdup (folder);
  g_signal_connect_object (activity, "notify", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  update (self);

  return GTK_WIDGET (self);
}

static void
allset_activity_row_dispose (GObject *object)
{
  AllsetActivityRow *self = ALLSET_ACTIVITY_ROW (object);

  g_clear_object (&self->activity);
  g_clear_pointer (&self->folder, g_free);

  G_OBJECT_CLASS (allset_activity_row_parent_class)->dispose (object);
}

static void
allset_activity_row_class_init (AllsetActivityRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = allset_activity_row_dispose;

  signals[RETRY] = g_signal_new ("retry", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/fr/allset/Sync/allset-activity-row.ui");
  gtk_widget_class_bind_template_child (widget_class, AllsetActivityRow, action_icon);
  gtk_widget_class_bind_template_child (widget_class, AllsetActivityRow, verified_button);
  gtk_widget_class_bind_template_child (widget_class, AllsetActivityRow, revision_label);
  gtk_widget_class_bind_template_child (widget_class, AllsetActivityRow, file_id_label);
  gtk_widget_class_bind_template_child (widget_class, AllsetActivityRow, receipt_time_label);
  gtk_widget_class_bind_template_child (widget_class, AllsetActivityRow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, AllsetActivityRow, spinner);
  gtk_widget_class_bind_template_child (widget_class, AllsetActivityRow, conflict_button);
  gtk_widget_class_install_action (widget_class, "row.open-both", NULL, open_both_action);
  gtk_widget_class_install_action (widget_class, "row.keep-mine", NULL, keep_mine_action);
  gtk_widget_class_install_action (widget_class, "row.keep-theirs", NULL, keep_theirs_action);
  gtk_widget_class_bind_template_callback (widget_class, retry_clicked_cb);
}

static void
allset_activity_row_init (AllsetActivityRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
