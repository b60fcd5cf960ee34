/* allset-dbusmenu.c — a flat com.canonical.dbusmenu menu on GDBus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The interface is libdbusmenu's (version 3). The menu is one level deep:
 * root 0 holds every item, so GetLayout only has to handle "the root with
 * or without its children" and "one item". Properties equal to the
 * protocol's defaults are left out, as the protocol asks.
 */

#include <string.h>

#include "allset-dbusmenu.h"

#define DBUSMENU_INTERFACE "com.canonical.dbusmenu"

struct _AllsetDbusmenu
{
  GObject          parent_instance;

  GDBusConnection *connection;
  char            *object_path;
  guint            registration_id;

  GPtrArray       *items;      /* AllsetTrayItem */
  guint            revision;
};

G_DEFINE_FINAL_TYPE (AllsetDbusmenu, allset_dbusmenu, G_TYPE_OBJECT)

enum {
  ITEM_CLICKED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char introspection_xml[] =
  "<node>"
  "  <interface name='com.canonical.dbusmenu'>"
  "    <property name='Version' type='u' access='read'/>"
  "    <property name='TextDirection' type='s' access='read'/>"
  "    <property name='Status' type='s' access='read'/>"
  "    <property name='IconThemePath' type='as' access='read'/>"
  "    <method name='GetLayout'>"
  "      <arg name='parentId' type='i' direction='in'/>"
  "      <arg name='recursionDepth' type='i' direction='in'/>"
  "      <arg name='propertyNames' type='as' direction='in'/>"
  "      <arg name='revision' type='u' direction='out'/>"
  "      <arg name='layout' type='(ia{sv}av)' direction='out'/>"
  "    </method>"
  "    <method name='GetGroupProperties'>"
  "      <arg name='ids' type='ai' direction='in'/>"
  "      <arg name='propertyNames' type='as' direction='in'/>"
  "      <arg name='properties' type='a(ia{sv})' direction='out'/>"
  "    </method>"
  "    <method name='GetProperty'>"
  "      <arg name='id' type='i' direction='in'/>"
  "      <arg name='name' type='s' direction='in'/>"
  "      <arg name='value' type='v' direction='out'/>"
  "    </method>"
  "    <method name='Event'>"
  "      <arg name='id' type='i' direction='in'/>"
  "      <arg name='eventId' type='s' direction='in'/>"
  "      <arg name='data' type='v' direction='in'/>"
  "      <arg name='timestamp' type='u' direction='in'/>"
  "    </method>"
  "    <method name='EventGroup'>"
  "      <arg name='events' type='a(isvu)' direction='in'/>"
  "      <arg name='idErrors' type='ai' direction='out'/>"
  "    </method>"
  "    <method name='AboutToShow'>"
  "      <arg name='id' type='i' direction='in'/>"
  "      <arg name='needUpdate' type='b' direction='out'/>"
  "    </method>"
  "    <method name='AboutToShowGroup'>"
  "      <arg name='ids' type='ai' direction='in'/>"
  "      <arg name='updatesNeeded' type='ai' direction='out'/>"
  "      <arg name='idErrors' type='ai' direction='out'/>"
  "    </method>"
  "    <signal name='ItemsPropertiesUpdated'>"
  "      <arg name='updatedProps' type='a(ia{sv})'/>"
  "      <arg name='removedProps' type='a(ias)'/>"
  "    </signal>"
  "    <signal name='LayoutUpdated'>"
  "      <arg name='revision' type='u'/>"
  "      <arg name='parent' type='i'/>"
  "    </signal>"
  "    <signal name='ItemActivationRequested'>"
  "      <arg name='id' type='i'/>"
  "      <arg name='timestamp' type='u'/>"
  "    </signal>"
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

static const AllsetTrayItem *
find_item (AllsetDbusmenu *self,
           int             id)
{
  for (guint i = 0; i < self->items->len; i++)
    {
      const AllsetTrayItem *item = g_ptr_array_index (self->items, i);

      if (item->id == id)
        return item;
    }
  return NULL;
}

/* dbusmenu labels use "_" for mnemonics: a file called "rapport_final"
 * must keep its underscore rather than underline the "f". */
static char *
escape_label (const char *label)
{
  GString *escaped = g_string_sized_new (strlen (label) + 4);

  for (const char *p = label; *p != '\0'; p++)
    {
      if (*p == '_')
        g_string_append_c (escaped, '_');
      g_string_append_c (escaped, *p);
    }
  return g_string_free (escaped, FALSE);
}

static gboolean
wanted (const char * const *names,
        const char         *name)
{
  return names == NULL || names[0] == NULL || g_strv_contains (names, name);
}

/* id 0 (item NULL) is the root. */
static GVariant *
item_properties (const AllsetTrayItem *item,
                 const char * const   *names)
{
  GVariantBuilder props;

  g_variant_builder_init (&props, G_VARIANT_TYPE_VARDICT);
  if (item == NULL)
    {
      if (wanted (names, "children-display"))
        g_variant_builder_add (&props, "{sv}", "children-display", g_variant_new_string ("submenu"));
      return g_variant_builder_end (&props);
    }

  if (item->kind == ALLSET_TRAY_ITEM_SEPARATOR)
    {
      if (wanted (names, "type"))
        g_variant_builder_add (&props, "{sv}", "type", g_variant_new_string ("separator"));
      return g_variant_builder_end (&props);
    }
  if (wanted (names, "label"))
    g_variant_builder_add (&props, "{sv}", "label",
                           g_variant_new_take_string (escape_label (item->label)));
  if (!item->enabled && wanted (names, "enabled"))
    g_variant_builder_add (&props, "{sv}", "enabled", g_variant_new_boolean (FALSE));
  return g_variant_builder_end (&props);
}

static GVariant *
item_layout (AllsetDbusmenu       *self,
             const AllsetTrayItem *item,
             gboolean              with_children,
             const char * const   *names)
{
  GVariantBuilder children;

  g_variant_builder_init (&children, G_VARIANT_TYPE ("av"));
  for (guint i = 0; item == NULL && with_children && i < self->items->len; i++)
    g_variant_builder_add (&children, "v",
                           item_layout (self, g_ptr_array_index (self->items, i), FALSE, names));

  return g_variant_new ("(i@a{sv}av)", item != NULL ? item->id : 0,
                        item_properties (item, names), &children);
}

static void
get_layout (AllsetDbusmenu        *self,
            GVariant              *parameters,
            GDBusMethodInvocation *invocation)
{
  g_autofree const char **names = NULL;
  const AllsetTrayItem *item = NULL;
  int parent_id, depth;

  g_variant_get (parameters, "(ii^a&s)", &parent_id, &depth, &names);
  if (parent_id != 0 && (item = find_item (self, parent_id)) == NULL)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "No menu item %d", parent_id);
      return;
    }
  g_dbus_method_invocation_return_value (invocation,
    g_variant_new ("(u@(ia{sv}av))", self->revision,
                   item_layout (self, item, depth != 0, (const char * const *) names)));
}

static void
get_group_properties (AllsetDbusmenu        *self,
                      GVariant              *parameters,
                      GDBusMethodInvocation *invocation)
{
  g_autoptr(GVariant) ids = NULL;
  g_autofree const char **names = NULL;
  GVariantBuilder result;

  g_variant_get (parameters, "(@ai^a&s)", &ids, &names);
  g_variant_builder_init (&result, G_VARIANT_TYPE ("a(ia{sv})"));

  /* No ids means every item, as libdbusmenu does. */
  if (g_variant_n_children (ids) == 0)
    for (guint i = 0; i < self->items->len; i++)
      {
        const AllsetTrayItem *item = g_ptr_array_index (self->items, i);

        g_variant_builder_add (&result, "(i@a{sv})", item->id,
                               item_properties (item, (const char * const *) names));
      }

  for (gsize i = 0; i < g_variant_n_children (ids); i++)
    {
      int id;
      const AllsetTrayItem *item;

      g_variant_get_child (ids, i, "i", &id);
      item = find_item (self, id);
      if (item != NULL || id == 0)
        g_variant_builder_add (&result, "(i@a{sv})", id,
                               item_properties (item, (const char * const *) names));
    }
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(a(ia{sv}))", &result));
}

static void
get_property (AllsetDbusmenu        *self,
              GVariant              *parameters,
              GDBusMethodInvocation *invocation)
{
  const char *name;
  const char *names[2] = { NULL, NULL };
  const AllsetTrayItem *item;
  g_autoptr(GVariant) props = NULL;
  g_autoptr(GVariant) value = NULL;
  int id;

  g_variant_get (parameters, "(i&s)", &id, &name);
  item = find_item (self, id);
  names[0] = name;
  if (item != NULL || id == 0)
    {
      props = g_variant_ref_sink (item_properties (item, names));
      value = g_variant_lookup_value (props, name, NULL);
    }
  if (value == NULL)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "No property %s on menu item %d", name, id);
      return;
    }
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(v)", value));
}

/* Only "clicked" does something: "opened", "closed" and "hovered" need
 * no answer from a static menu. */
static void
event_group (AllsetDbusmenu        *self,
             GVariant              *events,
             GDBusMethodInvocation *invocation,
             gboolean               single)
{
  g_autoptr(GArray) clicked = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(AllsetDbusmenu) hold = g_object_ref (self);
  GVariantBuilder errors;
  gsize n_errors = 0, n_events = g_variant_n_children (events);

  g_variant_builder_init (&errors, G_VARIANT_TYPE ("ai"));
  for (gsize i = 0; i < n_events; i++)
    {
      const char *event_id;
      int id;

      g_variant_get_child (events, i, "(i&svu)", &id, &event_id, NULL, NULL);
      if (id != 0 && find_item (self, id) == NULL)
        {
          g_variant_builder_add (&errors, "i", id);
          n_errors++;
          continue;
        }
      if (g_strcmp0 (event_id, "clicked") == 0 && id != 0)
        g_array_append_val (clicked, id);
    }

  if (n_events > 0 && n_errors == n_events)
    {
      g_variant_builder_clear (&errors);
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "No such menu item");
      return;
    }
  if (single)
    {
      g_variant_builder_clear (&errors);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(ai)", &errors));

  /* After the reply: the action may quit the app or change this menu. */
  for (guint i = 0; i < clicked->len; i++)
    g_signal_emit (self, signals[ITEM_CLICKED], 0, g_array_index (clicked, int, i));
}

static void
method_call (GDBusConnection       *connection,
             const char            *sender,
             const char            *object_path,
             const char            *interface_name,
             const char            *method_name,
             GVariant              *parameters,
             GDBusMethodInvocation *invocation,
             gpointer               user_data)
{
  AllsetDbusmenu *self = user_data;

  if (g_str_equal (method_name, "GetLayout"))
    get_layout (self, parameters, invocation);
  else if (g_str_equal (method_name, "GetGroupProperties"))
    get_group_properties (self, parameters, invocation);
  else if (g_str_equal (method_name, "GetProperty"))
    get_property (self, parameters, invocation);
  else if (g_str_equal (method_name, "Event"))
    {
      g_autoptr(GVariant) events = NULL;
      int id;
      const char *event_id;
      g_autoptr(GVariant) data = NULL;
      guint32 timestamp;

      g_variant_get (parameters, "(i&s@vu)", &id, &event_id, &data, &timestamp);
      events = g_variant_ref_sink (g_variant_new_parsed ("[(%i, %s, %v, %u)]",
                                                         id, event_id, data, timestamp));
      event_group (self, events, invocation, TRUE);
    }
  else if (g_str_equal (method_name, "EventGroup"))
    {
      g_autoptr(GVariant) events = g_variant_get_child_value (parameters, 0);

      event_group (self, events, invocation, FALSE);
    }
  else if (g_str_equal (method_name, "AboutToShow"))
    /* The menu is always up to date: hosts never need to refresh it. */
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(b)", FALSE));
  else if (g_str_equal (method_name, "AboutToShowGroup"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(aiai)", NULL, NULL));
  else
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                           "Unknown method %s", method_name);
}

static GVariant *
get_dbus_property (GDBusConnection  *connection,
                   const char       *sender,
                   const char       *object_path,
                   const char       *interface_name,
                   const char       *property_name,
                   GError          **error,
                   gpointer          user_data)
{
  if (g_str_equal (property_name, "Version"))
    return g_variant_new_uint32 (3);
  if (g_str_equal (property_name, "TextDirection"))
    return g_variant_new_string ("ltr");
  if (g_str_equal (property_name, "Status"))
    return g_variant_new_string ("normal");
  if (g_str_equal (property_name, "IconThemePath"))
    return g_variant_new_strv (NULL, 0);

  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY,
               "Unknown property %s", property_name);
  return NULL;
}

static const GDBusInterfaceVTable vtable = { method_call, get_dbus_property, NULL, { 0 } };

static void
allset_dbusmenu_dispose (GObject *object)
{
  AllsetDbusmenu *self = ALLSET_DBUSMENU (object);

  if (self->registration_id != 0)
    {
      g_dbus_connection_unregister_object (self->connection, self->registration_id);
      self->registration_id = 0;
    }
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (allset_dbusmenu_parent_class)->dispose (object);
}

static void
allset_dbusmenu_finalize (GObject *object)
{
  AllsetDbusmenu *self = ALLSET_DBUSMENU (object);

  g_free (self->object_path);
  g_ptr_array_unref (self->items);

  G_OBJECT_CLASS (allset_dbusmenu_parent_class)->finalize (object);
}

static void
allset_dbusmenu_class_init (AllsetDbusmenuClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = allset_dbusmenu_dispose;
  object_class->finalize = allset_dbusmenu_finalize;

  signals[ITEM_CLICKED] =
    g_signal_new ("item-clicked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
allset_dbusmenu_init (AllsetDbusmenu *self)
{
  self->items = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_tray_item_free);
  self->revision = 1;
}

AllsetDbusmenu *
allset_dbusmenu_new (GDBusConnection  *connection,
                     const char       *object_path,
                     GError          **error)
{
  g_autoptr(AllsetDbusmenu) self = g_object_new (ALLSET_TYPE_DBUSMENU, NULL);

  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);
  g_return_val_if_fail (g_variant_is_object_path (object_path), NULL);

  self->connection = g_object_ref (connection);
  self->object_path = g_strdup (object_path);
  self->registration_id = g_dbus_connection_register_object (connection, object_path,
                                                             interface_info (), &vtable,
                                                             self, NULL, error);
  if (self->registration_id == 0)
    return NULL;
  return g_steal_pointer (&self);
}

void
allset_dbusmenu_set_items (AllsetDbusmenu *self,
                           GPtrArray      *items)
{
  gboolean same;

  g_return_if_fail (ALLSET_IS_DBUSMENU (self));

  same = items->len == self->items->len;
  for (guint i = 0; same && i < items->len; i++)
    same = allset_tray_item_equal (g_ptr_array_index (items, i),
                                   g_ptr_array_index (self->items, i));
  if (same)
    return;

  g_ptr_array_set_size (self->items, 0);
  for (guint i = 0; i < items->len; i++)
    g_ptr_array_add (self->items, allset_tray_item_copy (g_ptr_array_index (items, i)));

  /* Hosts re-read the whole menu on LayoutUpdated(…, 0): with fifteen
   * entries that is simpler and as cheap as ItemsPropertiesUpdated. */
  self->revision++;
  g_dbus_connection_emit_signal (self->connection, NULL, self->object_path,
                                 DBUSMENU_INTERFACE, "LayoutUpdated",
                                 g_variant_new ("(ui)", self->revision, 0), NULL);
}

guint
allset_dbusmenu_get_revision (AllsetDbusmenu *self)
{
  g_return_val_if_fail (ALLSET_IS_DBUSMENU (self), 0);

  return self->revision;
}
