/* app-fixture.c — what the app's ui tests share (see app-fixture.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <locale.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "allset-setup-page.h"
#include "allset-sign-in.h"
#include "allset-sync.h"
#include "allset-window.h"
#include "app-fixture.h"

/* ---- helpers ---------------------------------------------------------------- */

static gboolean
tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until cond (data) holds; FALSE after timeout s. */
gboolean
wait_until (gboolean (*cond) (gpointer),
            gpointer  data,
            guint     timeout_s)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  guint source = g_timeout_add (20, tick, NULL);
  gboolean ok;

  while (!(ok = cond (data)) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (source);
  return ok;
}

void
spin (guint msec)
{
  gint64 end = g_get_monotonic_time () + (gint64) msec * 1000;
  guint source = g_timeout_add (20, tick, NULL);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (source);
}

GtkWindow *
window_of (Fixture *f)
{
  return gtk_application_get_active_window (GTK_APPLICATION (f->app));
}

gpointer
child (gpointer widget,
       GType    type,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (object);
  return object;
}

gpointer
setup_child (Fixture    *f,
             const char *name)
{
  return child (child (window_of (f), ALLSET_TYPE_WINDOW, "setup_page"),
                ALLSET_TYPE_SETUP_PAGE, name);
}

/* Saves window as NAME.png where the build keeps screenshots. */
typedef struct
{
  GtkWidget     *window;
  GdkPaintable  *paintable;
  GskRenderNode *node;
  int            width;
  int            height;
} Shot;

/* Right after a frame is painted its layout is done and nothing else ran
 * since: a snapshot taken at another moment may meet a widget shown but
 * not allocated yet (a fatal Gtk-WARNING on a loaded machine). */
static void
on_after_paint (GdkFrameClock *clock,
                Shot          *shot)
{
  GtkSnapshot *snapshot;

  if (shot->node != NULL)
    return;
  shot->width = gtk_widget_get_width (shot->window);
  shot->height = gtk_widget_get_height (shot->window);
  if (!gtk_widget_get_mapped (shot->window) || shot->width <= 0 || shot->height <= 0)
    return;
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (shot->paintable, GDK_SNAPSHOT (snapshot), shot->width, shot->height);
  shot->node = gtk_snapshot_free_to_node (snapshot);
}

void
screenshot_window (GtkWindow  *gtk_window,
                   const char *name)
{
  GtkWidget *window = GTK_WIDGET (gtk_window);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  const char *dir = g_getenv ("ALLSET_SCREENSHOT_DIR");
  Shot shot = { window, paintable, NULL, 0, 0 };
  GdkFrameClock *clock = NULL;
  gulong handler = 0;

  spin (300);
  /* On a loaded machine a window just presented may not have its size
   * and first frame yet: wait for a painted frame (10 s). */
  for (guint i = 0; i < 100 && shot.node == NULL; i++)
    {
      if (clock == NULL && (clock = gtk_widget_get_frame_clock (window)) != NULL)
        handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &shot);
      gtk_widget_queue_draw (window);
      spin (100);
    }
  if (handler != 0)
    g_signal_handler_disconnect (clock, handler);
  g_assert_nonnull (shot.node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), shot.node,
                                         &GRAPHENE_RECT_INIT (0, 0, shot.width, shot.height));
  gsk_render_node_unref (shot.node);
  path = g_strdup_printf ("%s/%s.png", dir != NULL ? dir : ".", name);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

void
screenshot (Fixture    *f,
            const char *name)
{
  screenshot_window (window_of (f), name);
}

void
assert_contains (const char *text,
                 const char *part)
{
  if (strstr (text, part) == NULL)
    g_error ("“%s” does not contain “%s”", text, part);
}

void
click (gpointer button)
{
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (button)));
  g_signal_emit_by_name (button, "clicked");
}

void
type_text (gpointer    editable,
           const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (editable), text);
}

const char *
label_text (gpointer label)
{
  return gtk_label_get_text (GTK_LABEL (label));
}


gboolean
on_step (gpointer data)
{
  StepWait *w = data;

  return g_strcmp0 (gtk_stack_get_visible_child_name (setup_child (w->f, "steps")), w->name) == 0;
}

gboolean
error_shown (gpointer data)
{
  Fixture *f = data;

  return gtk_widget_get_visible (setup_child (f, "account_error")) &&
         gtk_widget_is_sensitive (setup_child (f, "sign_in_button"));
}

gboolean
start_enabled (gpointer data)
{
  return gtk_widget_is_sensitive (setup_child (data, "start_button"));
}

gboolean
session_idle (gpointer data)
{
  g_autoptr(AllsetFolderSession) session = NULL;
  GListModel *sessions = allset_app_state_get_sessions (allset_application_get_state (data));

  if (g_list_model_get_n_items (sessions) == 0)
    return FALSE;
  session = g_list_model_get_item (sessions, 0);
  return allset_folder_session_get_state (session) == ALLSET_SESSION_IDLE;
}

/* Another device of the account puts a file on the server. */
void
upload_from_other_device (Fixture    *f,
                          const char *name,
                          const char *content)
{
  g_autofree char *config_dir = g_build_filename (g_get_home_dir (), "other-config", NULL);
  g_autofree char *folder_dir = g_build_filename (g_get_home_dir (), "Other", NULL);
  g_autofree char *file = g_build_filename (folder_dir, name, NULL);
  g_autoptr(AllsetConfig) config = NULL;
  g_autoptr(AllsetClient) client = test_cli_signed_in (f->server, "alice");
  g_autoptr(AllsetSyncReport) report = allset_sync_report_new ();
  g_autoptr(GError) error = NULL;
  AllsetSyncOptions options = { 0 };
  AllsetFolderConfig *folder;

  g_assert_cmpint (g_mkdir_with_parents (folder_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (file, content, -1, NULL));
  config = allset_config_load (config_dir, &error);
  g_assert_no_error (error);
  /* The same device each time: its folder (and so its journal) is kept. */
  folder = allset_config_folder_for_path (config, folder_dir);
  if (folder == NULL)
    {
      folder = allset_config_add_folder (config, folder_dir, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (allset_config_save (config, &error));
    }
  g_assert_true (allset_sync_folder (client, folder, &options, report, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report->uploaded, >=, 1);
}

/* ---- a notification server on the private bus ------------------------------
 * What a desktop's notification daemon does, reduced to remembering what
 * it was asked to show: the tests check the app's notifications. */

static const char notifications_xml[] =
  "<node><interface name='org.freedesktop.Notifications'>"
  "<method name='Notify'><arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "<arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='as' direction='in'/><arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "<arg type='u' direction='out'/></method>"
  "<method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "<method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "<method name='GetServerInformation'><arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "<arg type='s' direction='out'/><arg type='s' direction='out'/></method>"
  "</interface></node>";

/* "summary\nbody" of every notification shown, oldest first. */
static GPtrArray *notifications;

static void
notifications_method (GDBusConnection       *connection,
                      const char            *sender,
                      const char            *path,
                      const char            *interface,
                      const char            *method,
                      GVariant              *parameters,
                      GDBusMethodInvocation *invocation,
                      gpointer               user_data)
{
  if (g_str_equal (method, "Notify"))
    {
      const char *summary, *body;

      g_variant_get_child (parameters, 3, "&s", &summary);
      g_variant_get_child (parameters, 4, "&s", &body);
      g_ptr_array_add (notifications, g_strdup_printf ("%s\n%s", summary, body));
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", notifications->len));
    }
  else if (g_str_equal (method, "GetCapabilities"))
    {
      const char *caps[] = { "body", "actions", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else if (g_str_equal (method, "GetServerInformation"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(ssss)", "test", "allset", "1", "1.2"));
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

void
start_notification_server (void)
{
  static const GDBusInterfaceVTable vtable = { notifications_method };
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (notifications_xml, NULL);
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);

  g_assert_no_error (error);
  notifications = g_ptr_array_new_with_free_func (g_free);
  g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications", info->interfaces[0],
                                     &vtable, NULL, NULL, &error);
  g_assert_no_error (error);
  g_bus_own_name_on_connection (bus, "org.freedesktop.Notifications", G_BUS_NAME_OWNER_FLAGS_NONE,
                                NULL, NULL, NULL, NULL);
}

gboolean
notification_shown (gpointer summary)
{
  for (guint i = 0; i < notifications->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (notifications, i), summary))
      return TRUE;
  return FALSE;
}

/* ---- fixture ---------------------------------------------------------------- */

/* rm -rf, for what a previous test left in the shared HOME. */
static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child_path = g_build_filename (path, name, NULL);

      if (g_file_test (child_path, G_FILE_TEST_IS_DIR) && !g_file_test (child_path, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child_path);
      else
        g_unlink (child_path);
    }
  g_rmdir (path);
}

/* GTK 4.8 warns "Trying to snapshot GtkButton … without a current
 * allocation" when a widget changed after its frame's layout and a
 * snapshot meets it before the next one: seen twice in CI under load, in
 * the share dialog, whatever moment the screenshots were taken at. It is
 * GTK's own bookkeeping, harmless to the app: that one message is printed
 * and not fatal; every other one goes to the default writer, which keeps
 * G_DEBUG=fatal-warnings. (GTK logs structured: a g_test fatal handler
 * is not consulted.) */
static GLogWriterOutput
log_writer (GLogLevelFlags   log_level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  const char *domain = NULL, *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
      else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        message = fields[i].value;
    }
  if (g_strcmp0 (domain, "Gtk") == 0 && (log_level & G_LOG_LEVEL_WARNING) != 0 && message != NULL &&
      g_str_has_prefix (message, "Trying to snapshot ") &&
      strstr (message, "without a current allocation") != NULL)
    return g_log_writer_standard_streams (log_level, fields, n_fields, user_data);
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const char *leftovers[] = { "ALLSET", "Other", "other-config" };

  {
    static gsize writer_set = 0;

    if (g_once_init_enter (&writer_set))
      {
        g_log_set_writer_func (log_writer, NULL, NULL);
        g_once_init_leave (&writer_set, 1);
      }
  }

  /* GLib caches HOME and the XDG directories: the tests share them, so
   * each starts by clearing what the one before left. */
  for (guint i = 0; i < G_N_ELEMENTS (leftovers); i++)
    {
      g_autofree char *path = g_build_filename (g_get_home_dir (), leftovers[i], NULL);

      remove_tree (path);
    }
  {
    g_autofree char *config = g_build_filename (g_get_user_config_dir (), "allset", NULL);
    g_autofree char *state = g_build_filename (g_get_user_state_dir (), "allset", NULL);

    remove_tree (config);
    remove_tree (state);
  }

  f->server = test_cli_server_start (NULL);
  test_cli_admin (f->server, TEST_CLI_PASSWORD "\n", "account-add", "alice", "--name",
                  "Alice Martin", "--email", "alice@example.com", "--quota", "1G", NULL);
  f->folder = g_build_filename (g_get_home_dir (), "ALLSET", NULL);
  f->network = g_build_filename (g_get_home_dir (), "network", NULL);
  g_assert_true (g_file_set_contents (f->network, "online", -1, NULL));
  g_setenv ("ALLSET_TEST_NETWORK_FILE", f->network, TRUE);
}


typedef struct { Fixture *f; TestBody body; } Run;

static gboolean
run_body (gpointer data)
{
  Run *run = data;

  spin (200);
  g_assert_nonnull (window_of (run->f));
  run->body (run->f);
  allset_app_state_stop (allset_application_get_state (run->f->app));
  gtk_window_destroy (window_of (run->f));
  g_application_quit (G_APPLICATION (run->f->app));
  return G_SOURCE_REMOVE;
}

/* Runs the real app (g_application_run: startup, command line, window,
 * shutdown, leaving the bus) with body running inside its main loop. */
void
run_app (Fixture  *f,
         TestBody  body)
{
  static guint serial;
  g_autofree char *id = g_strdup_printf ("fr.allset.Sync.Test%u", ++serial);
  char *argv[] = { (char *) "allset-sync", NULL };
  Run run = { f, body };

  f->app = allset_application_new ();
  /* One process runs the app several times: a name of its own each time. */
  g_application_set_application_id (G_APPLICATION (f->app), id);
  g_idle_add (run_body, &run);
  g_assert_cmpint (g_application_run (G_APPLICATION (f->app), 1, argv), ==, 0);
  g_clear_object (&f->app);
}

/* What the assistant does, done directly: this device signed in (token
 * in the keyring, certificate pinned) with f->folder added. */
void
sign_in_directly (Fixture *f)
{
  g_autoptr(AllsetConfig) config = allset_config_load (NULL, NULL);
  g_autoptr(AllsetSignInProbe) probe = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *device_id = NULL;
  AllsetSignInCredentials credentials = { "alice", TEST_CLI_PASSWORD, "poste-test", NULL };

  probe = allset_sign_in_probe (f->server->url, f->server->fingerprint, NULL, NULL, &error);
  g_assert_no_error (error);
  device_id = allset_sign_in_login (config, probe, &credentials, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (allset_config_add_folder (config, f->folder, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (allset_config_save (config, &error));
}

void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  test_cli_server_stop (f->server);
  g_free (f->folder);
  g_free (f->network);
}

static gboolean
session_in_state (gpointer data)
{
  Fixture *f = ((gpointer *) data)[0];
  AllsetSessionState want = GPOINTER_TO_INT (((gpointer *) data)[1]);
  GListModel *sessions = allset_app_state_get_sessions (allset_application_get_state (f->app));
  g_autoptr(AllsetFolderSession) session = NULL;

  if (g_list_model_get_n_items (sessions) == 0)
    return FALSE;
  session = g_list_model_get_item (sessions, 0);
  return allset_folder_session_get_state (session) == want;
}

gboolean
wait_state (Fixture            *f,
            AllsetSessionState  state,
            guint               timeout_s)
{
  gpointer data[2] = { f, GINT_TO_POINTER (state) };

  return wait_until (session_in_state, data, timeout_s);
}

AdwMessageDialog *
message_dialog (void)
{
  g_autoptr(GList) windows = gtk_window_list_toplevels ();

  for (GList *l = windows; l != NULL; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

gboolean
message_dialog_open (gpointer data)
{
  return message_dialog () != NULL;
}

void
use_french (void)
{
  const char *localedir = g_getenv ("ALLSET_LOCALEDIR");

  g_setenv ("LANGUAGE", "fr", TRUE);
  setlocale (LC_ALL, "C.UTF-8");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}
