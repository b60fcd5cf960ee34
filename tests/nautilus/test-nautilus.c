/* test-nautilus.c — the Nautilus extension, loaded the way Nautilus loads it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The built module is opened with GModule from a GTypeModule (Nautilus's
 * NautilusModule does the same), its provider asked for menu items over
 * real files (test-file-info.c), with a real allset.conf written by the
 * engine's own AllsetConfig in the test's own $XDG_CONFIG_HOME. The
 * item's activation goes over a private D-Bus (GTestDBus, a dbus-daemon of
 * its own) to a stand-in for the app: in this process, or started by D-Bus
 * activation from a .service file (this binary with --fake-app), or absent.
 *
 * One dbus-daemon for the whole run, started before anything else: a
 * daemon GTestDBus starts later inherits the pipe of its watcher process,
 * which then never cleans up after a failed test (the run would hang until
 * meson's timeout instead of failing at once).
 */

#include <string.h>

#include <glib/gstdio.h>

#include "test-file-info.h"
#include "test-nautilus-fixture.h"

static GTestDBus *the_bus;
static char *services_dir;    /* the bus's .service files */

/* ---- the menu ----------------------------------------------------------- */

static void
test_module_types (Fixture       *f,
                   gconstpointer  data)
{
  const GType *types = NULL;
  int n_types = 0;

  the_module->list_types (&types, &n_types);
  g_assert_cmpint (n_types, ==, 1);
  g_assert_true (g_type_is_a (types[0], NAUTILUS_TYPE_MENU_PROVIDER));
  /* A dynamic type of the module, as Nautilus expects. */
  g_assert_true (g_type_get_plugin (types[0]) == G_TYPE_PLUGIN (the_module));
}

static void
test_items (Fixture       *f,
            gconstpointer  data)
{
  make_file (f, "Docs/report.odt");
  make_file (f, "Docs/sub/notes.txt");
  make_file (f, "outside/other.txt");
  make_link (f, "alias", "Docs");
  make_link (f, "Docs/escape", "outside");
  sync_folder (f, "Docs", "Projets/2026");
  start_provider (f);

  g_assert_cmpuint (n_items (f, "Docs/report.odt"), ==, 1);
  g_assert_cmpuint (n_items (f, "Docs/sub"), ==, 1);
  g_assert_cmpuint (n_items (f, "Docs/sub/notes.txt"), ==, 1);
  /* The root of a folder synced with a remote subfolder is shareable. */
  g_assert_cmpuint (n_items (f, "Docs"), ==, 1);
  /* The parent's symlinks are resolved: through an alias of the folder,
   * yes; through a link inside it that leads outside, no. */
  g_assert_cmpuint (n_items (f, "alias/report.odt"), ==, 1);
  g_assert_cmpuint (n_items (f, "Docs/escape/other.txt"), ==, 0);

  g_assert_cmpuint (n_items (f, "outside/other.txt"), ==, 0);
  g_assert_cmpuint (n_items (f, "outside"), ==, 0);
  g_assert_cmpuint (n_items (f, ""), ==, 0);
  g_assert_cmpuint (n_items (f, "Docs/gone.txt"), ==, 0);
  g_assert_cmpuint (n_items (f, "sftp://example.invalid/Docs/report.odt"), ==, 0);
  {
    g_autofree char *uri = g_strconcat ("trash:///", f->root, "/Docs/report.odt", NULL);

    g_assert_cmpuint (n_items (f, uri), ==, 0);
  }

  /* The app shares one path at a time: a multi-selection gets nothing. */
  g_assert_null (items_for (f, "Docs/report.odt", "Docs/sub/notes.txt", NULL));
  g_assert_null (items_for (f, "Docs/report.odt", "Docs/report.odt", NULL));
  g_assert_null (nautilus_menu_provider_get_file_items (f->provider, NULL));
}

static void
test_account_root (Fixture       *f,
                   gconstpointer  data)
{
  make_file (f, "ALLSET/report.odt");
  make_file (f, "ALLSET/Photos/beach.jpg");
  sync_folder (f, "ALLSET", "");
  start_provider (f);

  /* The account root cannot be shared; what it holds can. */
  g_assert_cmpuint (n_items (f, "ALLSET"), ==, 0);
  g_assert_cmpuint (n_items (f, "ALLSET/report.odt"), ==, 1);
  g_assert_cmpuint (n_items (f, "ALLSET/Photos"), ==, 1);
  g_assert_cmpuint (n_items (f, "ALLSET/Photos/beach.jpg"), ==, 1);
}

typedef struct
{
  Fixture    *f;
  const char *name;
  guint       expected;
} ItemsWait;

static gboolean
items_are (gpointer data)
{
  ItemsWait *wait = data;

  return n_items (wait->f, wait->name) == wait->expected;
}

static void
test_reload (Fixture       *f,
             gconstpointer  data)
{
  make_file (f, "Docs/report.odt");
  make_file (f, "Photos/beach.jpg");
  sync_folder (f, "Docs", "Docs");
  start_provider (f);

  g_assert_cmpuint (n_items (f, "Docs/report.odt"), ==, 1);
  g_assert_cmpuint (n_items (f, "Photos/beach.jpg"), ==, 0);

  f->updates = 0;
  sync_folder (f, "Photos", "Photos");
  g_assert_true (wait_until (items_are, &(ItemsWait) { f, "Photos/beach.jpg", 1 }, WAIT_MS));
  g_assert_true (wait_until (provider_updated, f, WAIT_MS));
  g_assert_cmpuint (n_items (f, "Docs/report.odt"), ==, 1);

  unsync_folder (f, "Docs");
  g_assert_true (wait_until (items_are, &(ItemsWait) { f, "Docs/report.odt", 0 }, WAIT_MS));
  g_assert_cmpuint (n_items (f, "Photos/beach.jpg"), ==, 1);
}

/* Nautilus starts before ALLSET is ever set up: no config directory. */
static void
test_reload_from_nothing (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "allset", NULL);

  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  make_file (f, "Docs/report.odt");
  start_provider (f);
  g_assert_cmpuint (n_items (f, "Docs/report.odt"), ==, 0);

  sync_folder (f, "Docs", "Docs");
  g_assert_true (wait_until (items_are, &(ItemsWait) { f, "Docs/report.odt", 1 }, WAIT_MS));
}

/* The extension's session connection is gone once its call is answered:
 * a reply it still waits for would become a warning when the bus goes. */
static gboolean
is_set (gpointer data)
{
  return g_atomic_int_get ((int *) data) != 0;
}

static void
set_flag (gpointer  data,
          GObject  *where_the_object_was)
{
  g_atomic_int_set ((int *) data, 1);
}

/* Activates the item of Docs/report.odt; *session_gone is set once the
 * session connection the extension used is finalised. */
static void
activate_share (Fixture *f,
                int     *session_gone)
{
  g_autoptr(GDBusConnection) session = NULL;
  g_autoptr(GError) error = NULL;
  GList *items;

  make_file (f, "Docs/report.odt");
  sync_folder (f, "Docs", "Docs");
  start_provider (f);

  session = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  g_object_weak_ref (G_OBJECT (session), set_flag, session_gone);

  items = items_for (f, "Docs/report.odt", NULL);
  g_assert_cmpuint (g_list_length (items), ==, 1);
  nautilus_menu_item_activate (items->data);
  g_list_free_full (items, g_object_unref);
}

static char *
expected_call (Fixture *f)
{
  g_autoptr(GVariant) path = g_variant_ref_sink (g_variant_new_take_string (make_path (f, "Docs/report.odt")));
  g_autofree char *quoted = g_variant_print (path, FALSE);

  return g_strdup_printf ("ActivateAction ('share-path', [<%s>], @a{sv} {})", quoted);
}

/* org.freedesktop.DBus, synchronously: this is the test's side. */
static GVariant *
bus_call (const char         *method,
          GVariant           *parameters,
          const GVariantType *reply_type)
{
  g_autoptr(GDBusConnection) session = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GError) error = NULL;
  GVariant *reply;

  g_assert_nonnull (session);
  reply = g_dbus_connection_call_sync (session, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", method, parameters, reply_type,
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  return reply;
}

static gboolean
app_is_gone (gpointer data)
{
  g_autoptr(GVariant) reply = bus_call ("NameHasOwner", g_variant_new ("(s)", APP_ID),
                                        G_VARIANT_TYPE ("(b)"));
  gboolean has_owner;

  g_variant_get (reply, "(b)", &has_owner);
  return !has_owner;
}

static void
test_share_running (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = expected_call (f);
  FakeApp app = { 0 };
  int session_gone = 0;

  connection = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (the_bus),
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);
  fake_app_start (&app, connection);

  activate_share (f, &session_gone);
  g_assert_true (wait_until (fake_app_called, &app, WAIT_MS));
  g_assert_true (wait_until (is_set, &session_gone, WAIT_MS));
  g_assert_cmpuint (app.calls->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (app.calls, 0), ==, expected);

  fake_app_stop (&app);
  g_assert_true (wait_until (app_is_gone, NULL, WAIT_MS));
}

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

static void
test_share_activates_app (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", &error);
  g_autofree char *service = g_build_filename (services_dir, APP_ID ".service", NULL);
  g_autofree char *out = make_path (f, "called");
  g_autofree char *content = NULL;
  g_autofree char *expected = expected_call (f);
  int session_gone = 0;

  g_assert_no_error (error);
  g_assert_true (app_is_gone (NULL));
  content = g_strdup_printf ("[D-BUS Service]\nName=%s\nExec=%s --fake-app %s\n",
                             APP_ID, self_exe, out);
  g_file_set_contents (service, content, -1, &error);
  g_assert_no_error (error);
  g_clear_pointer (&content, g_free);

  activate_share (f, &session_gone);
  g_assert_true (wait_until (file_exists, out, 2 * WAIT_MS));
  g_assert_true (wait_until (is_set, &session_gone, WAIT_MS));
  g_file_get_contents (out, &content, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (content, ==, expected);

  /* dbus-daemon checks a service file again on each activation. */
  g_assert_cmpint (g_unlink (service), ==, 0);
  g_assert_true (wait_until (app_is_gone, NULL, WAIT_MS));
}

typedef struct
{
  int   seen;
  char *message;
} Warning;

static void
record_warning (const char     *log_domain,
                GLogLevelFlags  log_level,
                const char     *message,
                gpointer        user_data)
{
  Warning *warning = user_data;

  g_free (warning->message);
  warning->message = g_strdup (message);
  g_atomic_int_set (&warning->seen, 1);
}

/* G_DEBUG=fatal-warnings: this one warning is expected. */
static gboolean
not_fatal (const char     *log_domain,
           GLogLevelFlags  log_level,
           const char     *message,
           gpointer        user_data)
{
  return g_strcmp0 (log_domain, "Allset-Nautilus") != 0;
}

static void
test_share_no_app (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *path = make_path (f, "Docs/report.odt");
  Warning warning = { 0 };
  int session_gone = 0;
  guint handler;

  g_assert_true (app_is_gone (NULL));
  handler = g_log_set_handler ("Allset-Nautilus", G_LOG_LEVEL_WARNING | G_LOG_FLAG_FATAL,
                               record_warning, &warning);
  g_test_log_set_fatal_handler (not_fatal, NULL);

  activate_share (f, &session_gone);
  g_assert_true (wait_until (is_set, &warning.seen, WAIT_MS));
  g_assert_true (wait_until (is_set, &session_gone, WAIT_MS));
  g_assert_nonnull (strstr (warning.message, path));
  g_assert_nonnull (strstr (warning.message, "ServiceUnknown"));

  g_test_log_set_fatal_handler (NULL, NULL);
  g_log_remove_handler ("Allset-Nautilus", handler);
  g_free (warning.message);
}

int
main (int    argc,
      char **argv)
{
  static const char * const xdg[] = {
    "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME",
  };
  g_autofree char *home = NULL;
  int result;

  if (argc == 3 && g_str_equal (argv[1], "--fake-app"))
    return run_fake_app (argv[2]);

  /* A $HOME of our own, so that allset_config_load (NULL) and the
   * extension read our allset.conf; each test removes it when done.
   * (Not G_TEST_OPTION_ISOLATE_DIRS: GLib 2.74 leaks the previous
   * directories each time it resets them, which fails the ASan run.) */
  home = g_dir_make_tmp ("allset-nautilus-home-XXXXXX", NULL);
  g_assert_nonnull (home);
  g_setenv ("HOME", home, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (xdg); i++)
    {
      g_autofree char *dir = g_build_filename (home, xdg[i] + strlen ("XDG_"), NULL);

      g_setenv (xdg[i], dir, TRUE);
    }
  g_test_init (&argc, &argv, NULL);

  services_dir = g_dir_make_tmp ("allset-nautilus-services-XXXXXX", NULL);
  g_assert_nonnull (services_dir);
  the_bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_add_service_dir (the_bus, services_dir);
  g_test_dbus_up (the_bus);

  test_module_load_once ();

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/nautilus/module-types", test_module_types);
  ADD ("/nautilus/items", test_items);
  ADD ("/nautilus/account-root", test_account_root);
  ADD ("/nautilus/reload", test_reload);
  ADD ("/nautilus/reload-from-nothing", test_reload_from_nothing);
  ADD ("/nautilus/share/running", test_share_running);
  ADD ("/nautilus/share/activates-app", test_share_activates_app);
  ADD ("/nautilus/share/no-app", test_share_no_app);
#undef ADD

  result = g_test_run ();

  g_test_dbus_down (the_bus);
  g_clear_object (&the_bus);
  g_rmdir (services_dir);
  g_free (services_dir);
  {
    g_autoptr(GFile) home_dir = g_file_new_for_path (home);

    rm_rf (home_dir);
  }
  return result;
}
