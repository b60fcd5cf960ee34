/* allset-autostart.c — start ALLSET Sync at login, or not
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "allset-application.h"
#include "allset-autostart.h"

char *
allset_autostart_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "autostart", ALLSET_APPLICATION_ID ".desktop", NULL);
}

static char *
entry_text (void)
{
  return g_strdup_printf ("[Desktop Entry]\n"
                          "Type=Application\n"
                          "Name=%s\n"
                          "Exec=allset-sync --background\n"
                          "Icon=" ALLSET_APPLICATION_ID "\n"
                          "Terminal=false\n"
                          "NoDisplay=true\n"
                          "X-GNOME-Autostart-enabled=true\n",
                          _("ALLSET Sync"));
}

static void
file_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  gboolean enabled = GPOINTER_TO_INT (task_data);
  g_autofree char *path = allset_autostart_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *text = NULL;
  GError *error = NULL;

  if (!enabled)
    {
      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          int saved = errno;

          g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved),
                                   _("Cannot remove %s: %s"), path, g_strerror (saved));
          return;
        }
      g_task_return_boolean (task, TRUE);
      return;
    }

  text = entry_text ();
  if (g_mkdir_with_parents (dir, 0700) != 0 ||
      !g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error))
    {
      if (error == NULL)
        error = g_error_new (G_IO_ERROR, g_io_error_from_errno (errno),
                             _("Cannot create %s: %s"), dir, g_strerror (errno));
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
portal_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
allset_autostart_set_async (gboolean             enabled,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GDBusConnection) bus = NULL;
  GVariantBuilder options;
  const char *commandline[] = { "allset-sync", "--background", NULL };

  g_task_set_source_tag (task, allset_autostart_set_async);

  if (!g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    {
      g_task_set_task_data (task, GINT_TO_POINTER (enabled), NULL);
      g_task_run_in_thread (task, file_thread);
      return;
    }

  /* Sandboxed: the portal writes the entry for us (and may ask the user).
   * The app is a GApplication: its session bus is already connected, so
   * this returns the shared connection at once. */
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, cancellable, NULL);
  if (bus == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _("No session bus: cannot ask to start at login."));
      return;
    }
  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "reason",
                         g_variant_new_string (_("Keep your files in sync from the moment you log in.")));
  g_variant_builder_add (&options, "{sv}", "autostart", g_variant_new_boolean (enabled));
  g_variant_builder_add (&options, "{sv}", "commandline", g_variant_new_strv (commandline, -1));
  g_variant_builder_add (&options, "{sv}", "dbus-activatable", g_variant_new_boolean (FALSE));
  g_dbus_connection_call (bus, "org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop",
                          "org.freedesktop.portal.Background", "RequestBackground",
                          g_variant_new ("(sa{sv})", "", &options), G_VARIANT_TYPE ("(o)"),
                          G_DBUS_CALL_FLAGS_NONE, -1, cancellable, portal_cb,
                          g_steal_pointer (&task));
}

gboolean
allset_autostart_set_finish (GAsyncResult  *result,
                             GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
