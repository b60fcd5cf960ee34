/* test-nautilus-fixture.c — what the Nautilus extension's tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The module loaded as Nautilus loads it (GModule behind a GTypeModule,
 * Nautilus's flags), a fixture of real files and a real allset.conf
 * written by the engine's AllsetConfig, and a stand-in for the app on
 * D-Bus that records the calls it gets.
 */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gmodule.h>

#include "allset-config.h"
#include "test-file-info.h"
#include "test-nautilus-fixture.h"

/* ---- the module, as Nautilus loads it ----------------------------------- */

G_DEFINE_TYPE (TestModule, test_module, G_TYPE_TYPE_MODULE)

static gboolean
test_module_load (GTypeModule *module)
{
  TestModule *self = TEST_MODULE (module);
  void (*initialize) (GTypeModule *module) = NULL;
  gpointer shutdown = NULL;

  /* Nautilus's flags (nautilus-module.c). */
  self->library = g_module_open (ALLSET_NAUTILUS_MODULE, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  if (self->library == NULL)
    g_error ("Cannot open %s: %s", ALLSET_NAUTILUS_MODULE, g_module_error ());
  if (!g_module_symbol (self->library, "nautilus_module_initialize", (gpointer *) &initialize) ||
      !g_module_symbol (self->library, "nautilus_module_shutdown", &shutdown) ||
      !g_module_symbol (self->library, "nautilus_module_list_types", (gpointer *) &self->list_types))
    g_error ("%s lacks an entry point: %s", ALLSET_NAUTILUS_MODULE, g_module_error ());

  initialize (module);
  return TRUE;
}

static void
test_module_unload (GTypeModule *module)
{
  g_assert_not_reached ();   /* Nautilus never unloads an extension either */
}

static void
test_module_class_init (TestModuleClass *klass)
{
  GTypeModuleClass *module_class = G_TYPE_MODULE_CLASS (klass);

  module_class->load = test_module_load;
  module_class->unload = test_module_unload;
}

static void
test_module_init (TestModule *self)
{
}

TestModule *the_module;
GType       test_provider_type;

/* Loads the module once for the run; Nautilus never unloads one either. */
void
test_module_load_once (void)
{
  const GType *types = NULL;
  int n_types = 0;

  the_module = g_object_new (TEST_TYPE_MODULE, NULL);
  g_assert_true (g_type_module_use (G_TYPE_MODULE (the_module)));
  the_module->list_types (&types, &n_types);
  g_assert_cmpint (n_types, >=, 1);
  test_provider_type = types[0];
}

/* ---- fixture ------------------------------------------------------------ */

void
rm_rf (GFile *file)
{
  g_autoptr(GFileEnumerator) children =
    g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                               G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  GFileInfo *info;
  GFile *child;

  while (children != NULL &&
         g_file_enumerator_iterate (children, &info, &child, NULL, NULL) && info != NULL)
    rm_rf (child);
  g_file_delete (file, NULL, NULL);
}

void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("allset-nautilus-XXXXXX", &error);

  char *real;

  g_assert_no_error (error);
  /* The engine records folders with symlinks resolved: so do we. */
  real = realpath (tmp, NULL);
  g_assert_nonnull (real);
  f->root = g_strdup (real);
  free (real);
}

void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GFile) root = g_file_new_for_path (f->root);
  g_autoptr(GFile) config = g_file_new_build_filename (g_get_user_config_dir (), "allset", NULL);

  g_clear_object (&f->provider);
  rm_rf (root);
  rm_rf (config);
  g_free (f->root);
}

char *
make_path (Fixture    *f,
           const char *relative)
{
  return g_build_filename (f->root, relative, NULL);
}

void
make_file (Fixture    *f,
           const char *relative)
{
  g_autofree char *path = make_path (f, relative);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, "ALLSET\n", -1, &error);
  g_assert_no_error (error);
}

void
make_link (Fixture    *f,
           const char *relative,
           const char *target_relative)
{
  g_autofree char *path = make_path (f, relative);
  g_autofree char *target = make_path (f, target_relative);

  g_assert_cmpint (symlink (target, path), ==, 0);
}

/* Syncs root/relative with the remote folder remote ("" = account root),
 * through the engine's own configuration code. */
void
sync_folder (Fixture    *f,
             const char *relative,
             const char *remote)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetConfig) config = allset_config_load (NULL, &error);
  g_autofree char *local = make_path (f, relative);

  g_assert_no_error (error);
  g_assert_nonnull (allset_config_add_folder (config, local, remote, &error));
  g_assert_no_error (error);
  allset_config_save (config, &error);
  g_assert_no_error (error);
}

void
unsync_folder (Fixture    *f,
               const char *relative)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetConfig) config = allset_config_load (NULL, &error);
  g_autofree char *local = make_path (f, relative);
  AllsetFolderConfig *folder;

  g_assert_no_error (error);
  folder = allset_config_folder_for_path (config, local);
  g_assert_nonnull (folder);
  g_free (allset_config_remove_folder (config, folder->id));
  allset_config_save (config, &error);
  g_assert_no_error (error);
}

/* Iterates the main context until done() or timeout_ms. */
gboolean
wait_until (gboolean (*done) (gpointer data),
            gpointer   data,
            guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (5 * 1000);
    }
  return TRUE;
}

gboolean
provider_updated (gpointer data)
{
  return ((Fixture *) data)->updates > 0;
}

static void
items_updated (NautilusMenuProvider *provider,
               Fixture              *f)
{
  f->updates++;
}

/* The provider as Nautilus makes it, once its first read is done. */
void
start_provider (Fixture *f)
{
  f->provider = g_object_new (test_provider_type, NULL);
  g_assert_true (NAUTILUS_IS_MENU_PROVIDER (f->provider));
  g_signal_connect (f->provider, "items-updated", G_CALLBACK (items_updated), f);
  g_assert_true (wait_until (provider_updated, f, WAIT_MS));
}

/* The items for a selection of paths (NULL-terminated; relative to root,
 * or URIs with a scheme). */
GList *
items_for (Fixture    *f,
           const char *first,
           ...)
{
  g_autolist(GObject) infos = NULL;
  va_list args;

  va_start (args, first);
  for (const char *name = first; name != NULL; name = va_arg (args, const char *))
    {
      g_autofree char *path = make_path (f, name);
      g_autoptr(GFile) location = strstr (name, "://") != NULL
                                  ? g_file_new_for_uri (name) : g_file_new_for_path (path);

      infos = g_list_append (infos, test_file_info_new (location));
    }
  va_end (args);

  return nautilus_menu_provider_get_file_items (f->provider, infos);
}

/* The number of items for one path; the item, when there is one, says
 * « Partager avec ALLSET » (or its English source). */
guint
n_items (Fixture    *f,
         const char *name)
{
  GList *items = items_for (f, name, NULL);
  guint n = g_list_length (items);

  for (GList *l = items; l != NULL; l = l->next)
    {
      g_autofree char *label = NULL;

      g_object_get (l->data, "label", &label, NULL);
      g_assert_true (g_str_equal (label, "Partager avec ALLSET") ||
                     g_str_equal (label, "Share with ALLSET"));
    }
  g_list_free_full (items, g_object_unref);
  return n;
}

/* ---- the app's stand-in on D-Bus --------------------------------------- */

static const char app_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.Application'>"
  "    <method name='Activate'>"
  "      <arg type='a{sv}' name='platform_data' direction='in'/>"
  "    </method>"
  "    <method name='Open'>"
  "      <arg type='as' name='uris' direction='in'/>"
  "      <arg type='a{sv}' name='platform_data' direction='in'/>"
  "    </method>"
  "    <method name='ActivateAction'>"
  "      <arg type='s' name='action_name' direction='in'/>"
  "      <arg type='av' name='parameter' direction='in'/>"
  "      <arg type='a{sv}' name='platform_data' direction='in'/>"
  "    </method>"
  "  </interface>"
  "</node>";

static void
fake_app_method_call (GDBusConnection       *connection,
                      const char            *sender,
                      const char            *object_path,
                      const char            *interface_name,
                      const char            *method_name,
                      GVariant              *parameters,
                      GDBusMethodInvocation *invocation,
                      gpointer               user_data)
{
  FakeApp *app = user_data;
  g_autofree char *printed = g_variant_print (parameters, TRUE);

  g_ptr_array_add (app->calls, g_strdup_printf ("%s %s", method_name, printed));
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static const GDBusInterfaceVTable fake_app_vtable = { fake_app_method_call, NULL, NULL, { 0 } };

void
fake_app_start (FakeApp         *app,
                GDBusConnection *connection)
{
  g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (app_xml, NULL);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint32 result;

  app->connection = g_object_ref (connection);
  app->calls = g_ptr_array_new_with_free_func (g_free);
  app->object_id = g_dbus_connection_register_object (connection, APP_PATH, node->interfaces[0],
                                                      &fake_app_vtable, app, NULL, &error);
  g_assert_no_error (error);

  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", APP_ID, 0x4 /* DO_NOT_QUEUE */),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &result);
  g_assert_cmpuint (result, ==, 1);   /* primary owner */
}

void
fake_app_stop (FakeApp *app)
{
  g_dbus_connection_unregister_object (app->connection, app->object_id);
  g_dbus_connection_close_sync (app->connection, NULL, NULL);
  g_clear_object (&app->connection);
  g_clear_pointer (&app->calls, g_ptr_array_unref);
}

gboolean
fake_app_called (gpointer data)
{
  return ((FakeApp *) data)->calls->len > 0;
}

/* The stand-in started by D-Bus activation: records the call in out_path. */
int
run_fake_app (const char *out_path)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  FakeApp app = { 0 };

  bus = g_bus_get_sync (G_BUS_TYPE_STARTER, NULL, &error);
  g_assert_no_error (error);
  fake_app_start (&app, bus);
  if (!wait_until (fake_app_called, &app, 20 * 1000))
    g_error ("Nobody called the app");
  g_dbus_connection_flush_sync (bus, NULL, NULL);
  g_file_set_contents (out_path, g_ptr_array_index (app.calls, 0), -1, &error);
  g_assert_no_error (error);
  fake_app_stop (&app);
  return 0;
}

