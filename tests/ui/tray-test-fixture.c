/* tray-test-fixture.c — the test watcher, host and fixture of test-tray
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GTestDBus starts a private dbus-daemon per test. Three connections to
 * it play three processes: the app (AllsetTray), the watcher
 * (org.kde.StatusNotifierWatcher, implemented here) and a host that reads
 * the item and its menu the way Plasma or the GNOME extension do. No
 * display is needed. Every call is asynchronous: the tray answers in this
 * same thread, so a synchronous call to it would only time out.
 */

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "tray-test-fixture.h"

gboolean
tray_test_wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* --- the test watcher ---------------------------------------------------- */

static const char watcher_xml[] =
  "<node><interface name='org.kde.StatusNotifierWatcher'>"
  "  <method name='RegisterStatusNotifierItem'><arg name='service' type='s' direction='in'/></method>"
  "  <method name='RegisterStatusNotifierHost'><arg name='service' type='s' direction='in'/></method>"
  "  <property name='RegisteredStatusNotifierItems' type='as' access='read'/>"
  "  <property name='IsStatusNotifierHostRegistered' type='b' access='read'/>"
  "  <property name='ProtocolVersion' type='i' access='read'/>"
  "  <signal name='StatusNotifierItemRegistered'><arg type='s'/></signal>"
  "  <signal name='StatusNotifierHostRegistered'/>"
  "  <signal name='StatusNotifierHostUnregistered'/>"
  "</interface></node>";

static void
watcher_method_call (GDBusConnection *connection, const char *sender, const char *path,
                     const char *interface, const char *method, GVariant *parameters,
                     GDBusMethodInvocation *invocation, gpointer user_data)
{
  TestWatcher *watcher = user_data;
  const char *service;

  if (g_str_equal (method, "RegisterStatusNotifierItem"))
    {
      g_variant_get (parameters, "(&s)", &service);
      g_ptr_array_add (watcher->services, g_strdup (service));
      g_ptr_array_add (watcher->senders, g_strdup (sender));
      g_dbus_connection_emit_signal (connection, NULL, path, interface,
                                     "StatusNotifierItemRegistered",
                                     g_variant_new ("(s)", service), NULL);
    }
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static GVariant *
watcher_get_property (GDBusConnection *connection, const char *sender, const char *path,
                      const char *interface, const char *name, GError **error,
                      gpointer user_data)
{
  TestWatcher *watcher = user_data;

  if (g_str_equal (name, "IsStatusNotifierHostRegistered"))
    {
      watcher->host_queries++;
      return g_variant_new_boolean (watcher->host_registered);
    }
  if (g_str_equal (name, "ProtocolVersion"))
    return g_variant_new_int32 (0);
  return g_variant_new_strv ((const char * const *) watcher->services->pdata,
                             watcher->services->len);
}

static const GDBusInterfaceVTable watcher_vtable = { watcher_method_call, watcher_get_property, NULL, { 0 } };

static GDBusConnection *
connect_to (GTestDBus *bus)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *connection =
    g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus),
                                            G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                            | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                            NULL, NULL, &error);
  g_assert_no_error (error);
  return connection;
}

TestWatcher *
watcher_start (GTestDBus *bus,
               gboolean   host_registered)
{
  g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (watcher_xml, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  TestWatcher *watcher = g_new0 (TestWatcher, 1);
  guint32 result;

  watcher->connection = connect_to (bus);
  watcher->host_registered = host_registered;
  watcher->services = g_ptr_array_new_with_free_func (g_free);
  watcher->senders = g_ptr_array_new_with_free_func (g_free);
  watcher->registration =
    g_dbus_connection_register_object (watcher->connection, "/StatusNotifierWatcher",
                                       node->interfaces[0], &watcher_vtable, watcher, NULL, &error);
  g_assert_no_error (error);

  /* Synchronous: the bus daemon, not this thread, answers. */
  reply = g_dbus_connection_call_sync (watcher->connection, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "RequestName",
                                       g_variant_new ("(su)", "org.kde.StatusNotifierWatcher", 4),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &result);
  g_assert_cmpuint (result, ==, 1);  /* DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER */
  return watcher;
}

/* Like a crash: the connection goes, and the name with it. */
void
watcher_stop (TestWatcher *watcher)
{
  if (watcher == NULL)
    return;
  g_dbus_connection_unregister_object (watcher->connection, watcher->registration);
  g_dbus_connection_close_sync (watcher->connection, NULL, NULL);
  g_object_unref (watcher->connection);
  g_ptr_array_unref (watcher->services);
  g_ptr_array_unref (watcher->senders);
  g_free (watcher);
}

void
watcher_set_host (TestWatcher *watcher,
                  gboolean     registered)
{
  watcher->host_registered = registered;
  g_dbus_connection_emit_signal (watcher->connection, NULL, "/StatusNotifierWatcher",
                                 "org.kde.StatusNotifierWatcher",
                                 registered ? "StatusNotifierHostRegistered"
                                            : "StatusNotifierHostUnregistered",
                                 NULL, NULL);
}

/* --- fixture --------------------------------------------------------------- */

/* The text form of value (consumed), valid until the test ends. */
const char *
print_take (Fixture  *f,
            GVariant *value)
{
  char *text = g_variant_print (value, FALSE);

  g_variant_unref (value);
  g_ptr_array_add (f->garbage, text);
  return text;
}

static void
on_activate (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  Fixture *f = user_data;
  const char *name = g_action_get_name (G_ACTION (action));

  if (parameter != NULL)
    g_ptr_array_add (f->activated, g_strdup_printf ("%s:%s", name, g_variant_get_string (parameter, NULL)));
  else
    g_ptr_array_add (f->activated, g_strdup (name));
}

static void
on_host_signal (GDBusConnection *connection, const char *sender, const char *path,
                const char *interface, const char *member, GVariant *parameters,
                gpointer user_data)
{
  Fixture *f = user_data;

  if (!g_str_equal (interface, ITEM_INTERFACE) && !g_str_equal (interface, MENU_INTERFACE))
    return;
  g_hash_table_insert (f->signal_counts, g_strdup (member),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (f->signal_counts, member)) + 1));
  if (g_str_equal (member, "NewStatus"))
    {
      g_free (f->last_new_status);
      g_variant_get (parameters, "(s)", &f->last_new_status);
    }
  if (g_str_equal (member, "LayoutUpdated"))
    g_variant_get (parameters, "(ui)", &f->last_revision, NULL);
}

guint
signal_count (Fixture    *f,
              const char *member)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (f->signal_counts, member));
}

static void
on_available (Fixture *f)
{
  f->available_notifies++;
}

void
create_tray (Fixture *f)
{
  f->tray = allset_tray_new (G_ACTION_GROUP (f->actions), f->app);
  g_signal_connect_swapped (f->tray, "notify::available", G_CALLBACK (on_available), f);
}

void
setup_bare (Fixture       *f,
            gconstpointer  data)
{
  static const GActionEntry entries[] = {
    { "open-folder", on_activate, NULL, NULL, NULL, { 0 } },
    { "show-window", on_activate, NULL, NULL, NULL, { 0 } },
    { "share-file", on_activate, NULL, NULL, NULL, { 0 } },
    { "toggle-pause", on_activate, NULL, NULL, NULL, { 0 } },
    { "show-activity", on_activate, "s", NULL, NULL, { 0 } },
    { "preferences", on_activate, NULL, NULL, NULL, { 0 } },
    { "quit", on_activate, NULL, NULL, NULL, { 0 } },
  };

  f->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (f->bus);
  f->app = connect_to (f->bus);
  f->host = connect_to (f->bus);
  f->signal_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  f->host_signal = g_dbus_connection_signal_subscribe (f->host, NULL, NULL, NULL, NULL, NULL,
                                                       G_DBUS_SIGNAL_FLAGS_NONE,
                                                       on_host_signal, f, NULL);
  f->activated = g_ptr_array_new_with_free_func (g_free);
  f->garbage = g_ptr_array_new_with_free_func (g_free);
  f->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (f->actions), entries,
                                   G_N_ELEMENTS (entries), f);
}

/* The usual case: a watcher with a host, and the tray registered. */
void
setup (Fixture       *f,
       gconstpointer  data)
{
  setup_bare (f, data);
  f->watcher = watcher_start (f->bus, TRUE);
  create_tray (f);
  WAIT_UNTIL (allset_tray_get_available (f->tray));
  g_assert_cmpuint (f->watcher->services->len, ==, 1);
}

void
teardown (Fixture       *f,
          gconstpointer  data)
{
  g_clear_object (&f->tray);
  watcher_stop (f->watcher);
  g_dbus_connection_signal_unsubscribe (f->host, f->host_signal);
  g_dbus_connection_close_sync (f->app, NULL, NULL);
  g_dbus_connection_close_sync (f->host, NULL, NULL);
  g_clear_object (&f->app);
  g_clear_object (&f->host);
  g_clear_object (&f->actions);
  g_ptr_array_unref (f->activated);
  g_ptr_array_unref (f->garbage);
  g_hash_table_unref (f->signal_counts);
  g_free (f->last_new_status);
  g_test_dbus_down (f->bus);
  g_clear_object (&f->bus);
}

/* --- calls from the host --------------------------------------------------- */

static void
on_call_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CallResult *r = user_data;

  r->reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &r->error);
  r->done = TRUE;
}

GVariant *
call_to (Fixture *f, const char *destination, const char *path, const char *interface,
         const char *method, GVariant *parameters, const char *reply_type, GError **error)
{
  CallResult r = { FALSE, NULL, NULL };

  g_dbus_connection_call (f->host, destination, path, interface, method, parameters,
                          reply_type != NULL ? G_VARIANT_TYPE (reply_type) : NULL,
                          G_DBUS_CALL_FLAGS_NONE, 5000, NULL, on_call_done, &r);
  WAIT_UNTIL (r.done);
  if (error != NULL)
    *error = r.error;
  else
    g_assert_no_error (r.error);
  return r.reply;
}

/* A call to the item, at the name it registered with the watcher. */
GVariant *
call (Fixture *f, const char *path, const char *interface, const char *method,
      GVariant *parameters, const char *reply_type, GError **error)
{
  guint last = f->watcher->services->len - 1;
  const char *service = f->watcher->services->pdata[last];

  /* Registered by object path: the item is at the sender's unique name. */
  if (service[0] == '/')
    service = f->watcher->senders->pdata[last];
  return call_to (f, service, path, interface, method, parameters, reply_type, error);
}

static GVariant *
item_property (Fixture *f, const char *name)
{
  g_autoptr(GVariant) reply = call (f, "/StatusNotifierItem", "org.freedesktop.DBus.Properties",
                                    "Get", g_variant_new ("(ss)", ITEM_INTERFACE, name),
                                    "(v)", NULL);
  GVariant *value;

  g_variant_get (reply, "(v)", &value);
  return value;
}

char *
item_string (Fixture *f, const char *name)
{
  g_autoptr(GVariant) value = item_property (f, name);

  return g_variant_dup_string (value, NULL);
}

char *
tooltip_text (Fixture *f)
{
  g_autoptr(GVariant) value = item_property (f, "ToolTip");
  const char *title;
  char *text;

  g_variant_get (value, "(&sa(iiay)&ss)", NULL, NULL, &title, &text);
  g_assert_cmpstr (title, ==, "ALLSET Sync");
  return text;
}

/* The menu as the host sees it: "label", "label (disabled)" or "---",
 * joined with "|"; ids (optional) receive each entry's id. */
char *
menu_layout (Fixture *f, guint *revision, GArray *ids)
{
  g_autoptr(GVariant) reply = call (f, "/MenuBar", MENU_INTERFACE, "GetLayout",
                                    g_variant_new ("(ii^as)", 0, -1, (const char *[]) { NULL }),
                                    "(u(ia{sv}av))", NULL);
  g_autoptr(GVariant) root_props = NULL;
  g_autoptr(GVariantIter) children = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  GVariant *child;
  const char *display;
  int root_id;

  g_variant_get (reply, "(u(i@a{sv}av))", revision, &root_id, &root_props, &children);
  g_assert_cmpint (root_id, ==, 0);
  g_assert_true (g_variant_lookup (root_props, "children-display", "&s", &display));
  g_assert_cmpstr (display, ==, "submenu");

  while (g_variant_iter_next (children, "v", &child))
    {
      g_autoptr(GVariant) props = NULL;
      g_autoptr(GVariantIter) grandchildren = NULL;
      const char *type = NULL, *label = NULL;
      gboolean enabled = TRUE;
      int id;

      g_variant_get (child, "(i@a{sv}av)", &id, &props, &grandchildren);
      g_assert_cmpint (id, >, 0);
      g_assert_cmpuint (g_variant_iter_n_children (grandchildren), ==, 0);
      if (ids != NULL)
        g_array_append_val (ids, id);
      g_variant_lookup (props, "type", "&s", &type);
      g_variant_lookup (props, "label", "&s", &label);
      g_variant_lookup (props, "enabled", "b", &enabled);
      if (text->len > 0)
        g_string_append_c (text, '|');
      if (g_strcmp0 (type, "separator") == 0)
        g_string_append (text, "---");
      else
        g_string_append_printf (text, "%s%s", label, enabled ? "" : " (disabled)");
      g_variant_unref (child);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

int
menu_id_of (Fixture *f, const char *wanted_label)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (int));
  g_autofree char *layout = menu_layout (f, &(guint) { 0 }, ids);
  g_auto(GStrv) labels = g_strsplit (layout, "|", -1);

  for (guint i = 0; labels[i] != NULL; i++)
    if (g_str_equal (labels[i], wanted_label))
      return g_array_index (ids, int, i);
  g_error ("no menu entry %s in %s", wanted_label, layout);
}

void
click (Fixture *f, int id, GError **error)
{
  g_autoptr(GVariant) reply = call (f, "/MenuBar", MENU_INTERFACE, "Event",
                                    g_variant_new ("(isvu)", id, "clicked", g_variant_new_int32 (0), 0),
                                    NULL, error);
}

gboolean
item_name_on_bus (Fixture *f)
{
  g_autoptr(GVariant) reply = call_to (f, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "ListNames", NULL, "(as)", NULL);
  g_autoptr(GVariantIter) names = NULL;
  const char *name;
  gboolean found = FALSE;

  g_variant_get (reply, "(as)", &names);
  while (!found && g_variant_iter_next (names, "&s", &name))
    found = g_str_has_prefix (name, "org.kde.StatusNotifierItem-");
  return found;
}

/* GLib 2.74's GTestDBus lets dbus-daemon inherit the pipe its watcher
 * process waits on, so after a failed assertion neither ever exits and
 * meson waits for its timeout. Take the process group down with us:
 * meson gives each test its own. */
static void
on_abort (int signum)
{
  if (getpgrp () == getpid ())
    {
      signal (SIGTERM, SIG_IGN);
      kill (0, SIGTERM);
    }
}

/* Takes every name the trays of this process could own (one counter per
 * process, far below 64 here), as a Flatpak sandbox would refuse them. */
void
block_item_names (Fixture *f)
{
  for (int i = 1; i <= 64; i++)
    {
      g_autofree char *name = g_strdup_printf ("org.kde.StatusNotifierItem-%d-%d", (int) getpid (), i);
      g_autoptr(GVariant) reply =
        g_dbus_connection_call_sync (f->host, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "RequestName",
                                     g_variant_new ("(su)", name, 4), G_VARIANT_TYPE ("(u)"),
                                     G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
      g_assert_nonnull (reply);
    }
}

void
tray_test_init (void)
{
  /* Before any thread: setenv is not thread-safe. */
  g_setenv ("ALLSET_ICON_THEME_PATH", "/test/icons", TRUE);
  signal (SIGABRT, on_abort);
}
