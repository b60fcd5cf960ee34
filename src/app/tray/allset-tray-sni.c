/* allset-tray-sni.c — the tray backend for Linux: a StatusNotifierItem
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Written on GDBus, not on libayatana-appindicator: its GLib flavour
 * exports the menu as org.gtk.Menus, which neither KDE Plasma nor GNOME
 * Shell's AppIndicator extension reads, and the GTK 3 flavour cannot live
 * in a GTK 4 process. The protocol (freedesktop's StatusNotifierItem, in
 * its org.kde namespace, as every host implements it):
 *
 *   1. export org.kde.StatusNotifierItem at /StatusNotifierItem and the
 *      com.canonical.dbusmenu menu at /MenuBar (allset-dbusmenu.c);
 *   2. own org.kde.StatusNotifierItem-PID-N (or, when the bus refuses it
 *      as in Flatpak, register the object path, which the watchers pair
 *      with our unique name);
 *   3. call RegisterStatusNotifierItem(that name) on the watcher, and call
 *      it again each time org.kde.StatusNotifierWatcher gets a new owner
 *      (plasmashell or gnome-shell restarted, the extension toggled);
 *   4. emit NewIcon / NewToolTip / NewStatus when they change.
 *
 * "available" is: the watcher accepted us and says a host is registered.
 */

#include <unistd.h>

#include "allset-dbusmenu.h"
#include "allset-tray-private.h"

#define ITEM_INTERFACE   "org.kde.StatusNotifierItem"
#define ITEM_PATH        "/StatusNotifierItem"
#define MENU_PATH        "/MenuBar"
#define WATCHER_NAME     "org.kde.StatusNotifierWatcher"
#define WATCHER_PATH     "/StatusNotifierWatcher"
#define WATCHER_INTERFACE "org.kde.StatusNotifierWatcher"

struct _AllsetTrayBackend
{
  AllsetTray      *tray;
  GDBusConnection *connection;
  GCancellable    *cancellable;           /* the backend's life */
  GCancellable    *watcher_cancellable;   /* calls to the current watcher */

  AllsetDbusmenu  *menu;
  guint            item_registration;
  char            *bus_name;
  guint            own_id;
  guint            watch_id;
  guint            watcher_signals;

  gboolean         name_owned;
  gboolean         by_path;     /* the name was refused: register the path */
  gboolean         watcher_present;
  gboolean         registered;
  gboolean         host_registered;
};

static const char introspection_xml[] =
  "<node>"
  "  <interface name='org.kde.StatusNotifierItem'>"
  "    <property name='Category' type='s' access='read'/>"
  "    <property name='Id' type='s' access='read'/>"
  "    <property name='Title' type='s' access='read'/>"
  "    <property name='Status' type='s' access='read'/>"
  "    <property name='WindowId' type='i' access='read'/>"
  "    <property name='IconName' type='s' access='read'/>"
  "    <property name='IconPixmap' type='a(iiay)' access='read'/>"
  "    <property name='OverlayIconName' type='s' access='read'/>"
  "    <property name='OverlayIconPixmap' type='a(iiay)' access='read'/>"
  "    <property name='AttentionIconName' type='s' access='read'/>"
  "    <property name='AttentionIconPixmap' type='a(iiay)' access='read'/>"
  "    <property name='AttentionMovieName' type='s' access='read'/>"
  "    <property name='IconThemePath' type='s' access='read'/>"
  "    <property name='ToolTip' type='(sa(iiay)ss)' access='read'/>"
  "    <property name='ItemIsMenu' type='b' access='read'/>"
  "    <property name='Menu' type='o' access='read'/>"
  "    <method name='ContextMenu'><arg name='x' type='i'/><arg name='y' type='i'/></method>"
  "    <method name='Activate'><arg name='x' type='i'/><arg name='y' type='i'/></method>"
  "    <method name='SecondaryActivate'><arg name='x' type='i'/><arg name='y' type='i'/></method>"
  "    <method name='Scroll'><arg name='delta' type='i'/><arg name='orientation' type='s'/></method>"
  "    <signal name='NewTitle'/>"
  "    <signal name='NewIcon'/>"
  "    <signal name='NewAttentionIcon'/>"
  "    <signal name='NewOverlayIcon'/>"
  "    <signal name='NewToolTip'/>"
  "    <signal name='NewStatus'><arg name='status' type='s'/></signal>"
  "  </interface>"
  "</node>";

static GDBusInterfaceInfo *
interface_info (void)
{
  static GDBusNodeInfo *node;

  if (g_once_init_enter (&node))
    g_once_init_leave (&node, g_dbus_node_info_new_for_xml (introspection_xml, NULL));
  return node->interfaces[0];
}

static const char *
item_status (AllsetTrayBackend *self)
{
  return allset_tray_get_needs_attention (self->tray) ? "NeedsAttention" : "Active";
}

static GVariant *
empty_pixmaps (void)
{
  return g_variant_new_array (G_VARIANT_TYPE ("(iiay)"), NULL, 0);
}

/* Plain text: Plasma renders the description as rich text only when it
 * sees a tag, so escaping "&" would show "&amp;" there. */
static GVariant *
tooltip (AllsetTrayBackend *self)
{
  g_autofree char *state = allset_tray_dup_status_text (self->tray);
  const char *detail = allset_tray_get_detail (self->tray);
  g_autofree char *text = detail != NULL && detail[0] != '\0'
                          ? g_strconcat (state, "\n", detail, NULL)
                          : g_strdup (state);

  return g_variant_new ("(s@a(iiay)ss)",
                        allset_tray_status_icon_name (allset_tray_get_status (self->tray)),
                        empty_pixmaps (), "ALLSET Sync", text);
}

static GVariant *
get_item_property (GDBusConnection  *connection,
                   const char       *sender,
                   const char       *object_path,
                   const char       *interface_name,
                   const char       *name,
                   GError          **error,
                   gpointer          user_data)
{
  AllsetTrayBackend *self = user_data;

  if (g_str_equal (name, "Category"))
    return g_variant_new_string ("ApplicationStatus");
  if (g_str_equal (name, "Id"))
    return g_variant_new_string ("fr.allset.Sync");
  if (g_str_equal (name, "Title"))
    return g_variant_new_string ("ALLSET Sync");
  if (g_str_equal (name, "Status"))
    return g_variant_new_string (item_status (self));
  if (g_str_equal (name, "WindowId"))
    return g_variant_new_int32 (0);
  if (g_str_equal (name, "IconName"))
    return g_variant_new_string (allset_tray_status_icon_name (allset_tray_get_status (self->tray)));
  if (g_str_equal (name, "AttentionIconName"))
    return g_variant_new_string (allset_tray_status_icon_name (ALLSET_TRAY_STATUS_ERROR));
  if (g_str_equal (name, "OverlayIconName") || g_str_equal (name, "AttentionMovieName"))
    return g_variant_new_string ("");
  if (g_str_has_suffix (name, "Pixmap"))
    return empty_pixmaps ();
  if (g_str_equal (name, "IconThemePath"))
    return g_variant_new_string (allset_tray_get_icon_theme_path ());
  if (g_str_equal (name, "ToolTip"))
    return tooltip (self);
  if (g_str_equal (name, "ItemIsMenu"))
    return g_variant_new_boolean (FALSE);
  if (g_str_equal (name, "Menu"))
    return g_variant_new_object_path (MENU_PATH);

  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "Unknown property %s", name);
  return NULL;
}

/* Activate is a left click (hosts show the menu themselves on a right
 * click, from the Menu property); the others have nothing to do. */
static void
item_method_call (GDBusConnection       *connection,
                  const char            *sender,
                  const char            *object_path,
                  const char            *interface_name,
                  const char            *method_name,
                  GVariant              *parameters,
                  GDBusMethodInvocation *invocation,
                  gpointer               user_data)
{
  AllsetTrayBackend *self = user_data;

  g_dbus_method_invocation_return_value (invocation, NULL);
  if (g_str_equal (method_name, "Activate"))
    allset_tray_activate_icon (self->tray);
}

static const GDBusInterfaceVTable item_vtable = { item_method_call, get_item_property, NULL, { 0 } };

static void
update_available (AllsetTrayBackend *self)
{
  allset_tray_set_available (self->tray, self->registered && self->host_registered);
}

static void
on_host_registered_reply (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  AllsetTrayBackend *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source),
                                                             result, &error);
  g_autoptr(GVariant) value = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* A watcher without the property is taken at its word: it accepted the
   * item, so something shows it. */
  if (reply == NULL)
    {
      g_debug ("watcher has no IsStatusNotifierHostRegistered: %s", error->message);
      self->host_registered = TRUE;
    }
  else
    {
      g_variant_get (reply, "(v)", &value);
      self->host_registered = g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN)
                              && g_variant_get_boolean (value);
    }
  update_available (self);
}

static void
refresh_host_registered (AllsetTrayBackend *self)
{
  g_dbus_connection_call (self->connection, WATCHER_NAME, WATCHER_PATH,
                          "org.freedesktop.DBus.Properties", "Get",
                          g_variant_new ("(ss)", WATCHER_INTERFACE, "IsStatusNotifierHostRegistered"),
                          G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, -1,
                          self->watcher_cancellable, on_host_registered_reply, self);
}

static void
on_watcher_signal (GDBusConnection *connection,
                   const char      *sender,
                   const char      *object_path,
                   const char      *interface_name,
                   const char      *signal_name,
                   GVariant        *parameters,
                   gpointer         user_data)
{
  AllsetTrayBackend *self = user_data;

  /* Hosts come and go (one unregistering need not leave none): ask. */
  if (self->registered
      && (g_str_equal (signal_name, "StatusNotifierHostRegistered")
          || g_str_equal (signal_name, "StatusNotifierHostUnregistered")
          || g_str_equal (signal_name, "PropertiesChanged")))
    refresh_host_registered (self);
}

static void
on_registered (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  AllsetTrayBackend *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source),
                                                             result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (reply == NULL)
    {
      g_message ("The system tray refused the ALLSET Sync icon: %s", error->message);
      return;
    }
  g_debug ("registered %s with the tray's watcher", self->bus_name);
  self->registered = TRUE;
  refresh_host_registered (self);
}

static void
try_register (AllsetTrayBackend *self)
{
  if (!(self->name_owned || self->by_path) || !self->watcher_present)
    return;

  g_dbus_connection_call (self->connection, WATCHER_NAME, WATCHER_PATH, WATCHER_INTERFACE,
                          "RegisterStatusNotifierItem",
                          g_variant_new ("(s)", self->by_path ? ITEM_PATH : self->bus_name),
                          NULL, G_DBUS_CALL_FLAGS_NONE, -1,
                          self->watcher_cancellable, on_registered, self);
}

static void
forget_watcher (AllsetTrayBackend *self)
{
  g_cancellable_cancel (self->watcher_cancellable);
  g_clear_object (&self->watcher_cancellable);
  self->watcher_cancellable = g_cancellable_new ();
  self->registered = FALSE;
  self->host_registered = FALSE;
  update_available (self);
}

static void
on_watcher_appeared (GDBusConnection *connection,
                     const char      *name,
                     const char      *owner,
                     gpointer         user_data)
{
  AllsetTrayBackend *self = user_data;

  g_debug ("tray watcher appeared (%s)", owner);
  forget_watcher (self);
  self->watcher_present = TRUE;
  try_register (self);
}

static void
on_watcher_vanished (GDBusConnection *connection,
                     const char      *name,
                     gpointer         user_data)
{
  AllsetTrayBackend *self = user_data;

  if (self->watcher_present)
    g_debug ("tray watcher vanished");
  self->watcher_present = FALSE;
  forget_watcher (self);
}

static void
on_name_acquired (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  AllsetTrayBackend *self = user_data;

  self->name_owned = TRUE;
  try_register (self);
}

static void
on_name_lost (GDBusConnection *connection,
              const char      *name,
              gpointer         user_data)
{
  AllsetTrayBackend *self = user_data;

  /* Refused from the start: a Flatpak sandbox lets the app talk to the
   * watcher but not own this name. Plasma and the GNOME extension both
   * accept an object path instead, and take our unique name with it. */
  if (!self->name_owned && !self->by_path)
    {
      g_debug ("cannot own %s: registering the object path instead", name);
      self->by_path = TRUE;
      try_register (self);
      return;
    }

  /* Lost after owning it: the bus connection closed. */
  g_debug ("lost the bus name %s", name);
  self->name_owned = FALSE;
  forget_watcher (self);
}

static void
on_menu_item_clicked (AllsetTrayBackend *self,
                      int                id)
{
  allset_tray_activate_item (self->tray, id);
}

static void
start (AllsetTrayBackend *self,
       GDBusConnection   *connection)
{
  static int counter;
  g_autoptr(GError) error = NULL;

  self->connection = g_object_ref (connection);
  self->item_registration =
    g_dbus_connection_register_object (connection, ITEM_PATH, interface_info (),
                                       &item_vtable, self, NULL, &error);
  if (self->item_registration != 0)
    self->menu = allset_dbusmenu_new (connection, MENU_PATH, &error);
  if (self->menu == NULL)
    {
      /* Another tray in this process already uses the paths. */
      g_warning ("Cannot export the tray icon: %s", error->message);
      return;
    }
  allset_dbusmenu_set_items (self->menu, allset_tray_get_menu (self->tray));
  g_signal_connect_swapped (self->menu, "item-clicked", G_CALLBACK (on_menu_item_clicked), self);

  self->watcher_signals =
    g_dbus_connection_signal_subscribe (connection, WATCHER_NAME, NULL, NULL, WATCHER_PATH,
                                        NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                        on_watcher_signal, self, NULL);

  self->bus_name = g_strdup_printf ("org.kde.StatusNotifierItem-%d-%d",
                                    (int) getpid (), g_atomic_int_add (&counter, 1) + 1);
  self->own_id = g_bus_own_name_on_connection (connection, self->bus_name,
                                               G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                               on_name_acquired, on_name_lost, self, NULL);
  self->watch_id = g_bus_watch_name_on_connection (connection, WATCHER_NAME,
                                                   G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                   on_watcher_appeared, on_watcher_vanished,
                                                   self, NULL);
}

static void
on_bus_ready (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection = g_bus_get_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (connection == NULL)
    {
      g_message ("No session bus, so no tray icon: %s", error->message);
      return;
    }
  start (user_data, connection);
}

AllsetTrayBackend *
allset_tray_backend_new (AllsetTray      *tray,
                         GDBusConnection *connection)
{
  AllsetTrayBackend *self = g_new0 (AllsetTrayBackend, 1);

  self->tray = tray;
  self->cancellable = g_cancellable_new ();
  self->watcher_cancellable = g_cancellable_new ();
  if (connection != NULL)
    start (self, connection);
  else
    g_bus_get (G_BUS_TYPE_SESSION, self->cancellable, on_bus_ready, self);
  return self;
}

void
allset_tray_backend_update (AllsetTrayBackend *self,
                            AllsetTrayChanges  changes)
{
  if (self->menu == NULL)
    return;

  if (changes & ALLSET_TRAY_CHANGED_MENU)
    allset_dbusmenu_set_items (self->menu, allset_tray_get_menu (self->tray));
  if (changes & ALLSET_TRAY_CHANGED_ICON)
    g_dbus_connection_emit_signal (self->connection, NULL, ITEM_PATH, ITEM_INTERFACE,
                                   "NewIcon", NULL, NULL);
  if (changes & ALLSET_TRAY_CHANGED_TOOLTIP)
    g_dbus_connection_emit_signal (self->connection, NULL, ITEM_PATH, ITEM_INTERFACE,
                                   "NewToolTip", NULL, NULL);
  if (changes & ALLSET_TRAY_CHANGED_STATUS)
    g_dbus_connection_emit_signal (self->connection, NULL, ITEM_PATH, ITEM_INTERFACE,
                                   "NewStatus", g_variant_new ("(s)", item_status (self)), NULL);
}

void
allset_tray_backend_free (AllsetTrayBackend *self)
{
  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->watcher_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->watcher_cancellable);

  if (self->watch_id != 0)
    g_bus_unwatch_name (self->watch_id);
  if (self->own_id != 0)
    g_bus_unown_name (self->own_id);
  if (self->watcher_signals != 0)
    g_dbus_connection_signal_unsubscribe (self->connection, self->watcher_signals);
  if (self->menu != NULL)
    g_signal_handlers_disconnect_by_data (self->menu, self);
  g_clear_object (&self->menu);
  if (self->item_registration != 0)
    g_dbus_connection_unregister_object (self->connection, self->item_registration);
  g_clear_object (&self->connection);
  g_free (self->bus_name);
  g_free (self);
}
