/* allset-nautilus-provider.c — « Partager avec ALLSET » in Nautilus's menu
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The item appears for exactly one selected file or folder: the app shares
 * one path at a time, and a menu item that would share only part of a
 * selection would surprise. Which paths qualify is what the engine's
 * allset_config_remote_path_for() accepts (see allset-nautilus-folders.c),
 * checked against the last list read so that building the menu never waits
 * for more than the realpath() of the file's parent directory, which
 * Nautilus has just listed.
 *
 * The app does the sharing: the extension only sends it the path over
 * D-Bus, asynchronously, and never waits for its answer.
 */

#include <stdlib.h>

#include <glib/gi18n-lib.h>

#include "allset-nautilus-folders.h"
#include "allset-nautilus-provider.h"

/* D-Bus activation may have to start the app first. */
#define ACTIVATE_TIMEOUT_MS (60 * 1000)

struct _AllsetNautilusProvider
{
  GObject                parent_instance;

  AllsetNautilusFolders *folders;
};

static void menu_provider_iface_init (NautilusMenuProviderInterface *iface);

G_DEFINE_DYNAMIC_TYPE_EXTENDED (AllsetNautilusProvider, allset_nautilus_provider,
                                G_TYPE_OBJECT, 0,
                                G_IMPLEMENT_INTERFACE_DYNAMIC (NAUTILUS_TYPE_MENU_PROVIDER,
                                                               menu_provider_iface_init))

/* ---- activation: D-Bus to the app --------------------------------------- */

static void
share_path_done (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autofree char *path = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source_object), result, &error);
  if (reply == NULL)
    g_warning ("Cannot ask ALLSET Sync to share %s: %s", path, error->message);
}

static void
got_session_bus (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autofree char *path = user_data;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  GVariant *parameter;

  bus = g_bus_get_finish (result, &error);
  if (bus == NULL)
    {
      g_warning ("Cannot ask ALLSET Sync to share %s: %s", path, error->message);
      return;
    }

  /* org.freedesktop.Application.ActivateAction (s action, av parameter,
   * a{sv} platform_data): what GApplication exports for app.share-path. */
  parameter = g_variant_new_variant (g_variant_new_string (path));
  g_dbus_connection_call (bus, ALLSET_NAUTILUS_APP_ID, ALLSET_NAUTILUS_APP_PATH,
                          "org.freedesktop.Application", "ActivateAction",
                          g_variant_new ("(s@av@a{sv})", "share-path",
                                         g_variant_new_array (G_VARIANT_TYPE_VARIANT,
                                                              &parameter, 1),
                                         g_variant_new_array (G_VARIANT_TYPE ("{sv}"),
                                                              NULL, 0)),
                          NULL, G_DBUS_CALL_FLAGS_NONE, ACTIVATE_TIMEOUT_MS, NULL,
                          share_path_done, g_steal_pointer (&path));
}

static void
share_activate (NautilusMenuItem *item,
                const char       *path)
{
  g_bus_get (G_BUS_TYPE_SESSION, NULL, got_session_bus, g_strdup (path));
}

static void
free_path (gpointer  data,
           GClosure *closure)
{
  g_free (data);
}

/* ---- the menu ----------------------------------------------------------- */

/* The path with its parent's symlinks resolved, as the engine sees it; the
 * file itself stays as named (a symlink in a synced folder is shared as
 * what it is there). NULL for "/". */
static char *
resolve_parent (const char *path)
{
  g_autofree char *parent = g_path_get_dirname (path);
  g_autofree char *name = g_path_get_basename (path);
  char *real;
  char *resolved;

  if (g_str_equal (parent, path))
    return NULL;

  real = realpath (parent, NULL);
  if (real == NULL)
    return NULL;
  resolved = g_build_filename (real, name, NULL);
  free (real);
  return resolved;
}

static GList *
allset_nautilus_provider_get_file_items (NautilusMenuProvider *provider,
                                         GList                *files)
{
  AllsetNautilusProvider *self = ALLSET_NAUTILUS_PROVIDER (provider);
  NautilusFileInfo *info;
  NautilusMenuItem *item;
  g_autoptr(GFile) location = NULL;
  g_autofree char *path = NULL;
  g_autofree char *resolved = NULL;

  if (files == NULL || files->next != NULL)
    return NULL;

  info = files->data;
  if (nautilus_file_info_is_gone (info))
    return NULL;
  /* file:// only: trash://, recent://, sftp:// and the like hold no
   * synced folder, and the FUSE path GIO would give a remote file is
   * not one to realpath() on the main thread. */
  location = nautilus_file_info_get_location (info);
  if (location == NULL || !g_file_has_uri_scheme (location, "file") ||
      (path = g_file_get_path (location)) == NULL)
    return NULL;

  resolved = resolve_parent (path);
  if (resolved == NULL || !allset_nautilus_folders_can_share (self->folders, resolved))
    return NULL;

  item = nautilus_menu_item_new ("AllsetNautilus::share",
                                 _("Share with ALLSET"),
                                 _("Create a public link to this item with ALLSET Sync"),
                                 "fr.allset.Sync");
  /* The app resolves the path itself: it gets what the user clicked. */
  g_signal_connect_data (item, "activate", G_CALLBACK (share_activate),
                         g_steal_pointer (&path), free_path, 0);

  return g_list_append (NULL, item);
}

static void
menu_provider_iface_init (NautilusMenuProviderInterface *iface)
{
  iface->get_file_items = allset_nautilus_provider_get_file_items;
}

/* ---- GObject ------------------------------------------------------------ */

/* Nautilus builds its menus anew on each right click; items-updated tells
 * it that an open one may be stale. */
static void
folders_changed (AllsetNautilusProvider *self)
{
  nautilus_menu_provider_emit_items_updated_signal (NAUTILUS_MENU_PROVIDER (self));
}

static void
allset_nautilus_provider_dispose (GObject *object)
{
  AllsetNautilusProvider *self = ALLSET_NAUTILUS_PROVIDER (object);

  if (self->folders != NULL)
    g_signal_handlers_disconnect_by_data (self->folders, self);
  g_clear_object (&self->folders);

  G_OBJECT_CLASS (allset_nautilus_provider_parent_class)->dispose (object);
}

static void
allset_nautilus_provider_class_init (AllsetNautilusProviderClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = allset_nautilus_provider_dispose;
}

static void
allset_nautilus_provider_class_finalize (AllsetNautilusProviderClass *klass)
{
}

static void
allset_nautilus_provider_init (AllsetNautilusProvider *self)
{
  self->folders = allset_nautilus_folders_new ();
  g_signal_connect_swapped (self->folders, "changed", G_CALLBACK (folders_changed), self);
}

void
allset_nautilus_provider_register (GTypeModule *module)
{
  allset_nautilus_provider_register_type (module);
}
