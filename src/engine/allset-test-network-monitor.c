/* allset-test-network-monitor.c — a GNetworkMonitor that reads a file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GLib learns about metered connections only from NetworkManager (or the
 * portal), which test machines and CI containers do not run; this
 * stand-in lets a test switch a running client between "online",
 * "metered" and "offline" by writing one word to a file. See
 * allset-test-network-monitor.h.
 */

#include <string.h>

#include "allset-test-network-monitor.h"

struct _AllsetTestNetworkMonitor
{
  GObject       parent_instance;

  char         *path;
  char         *name;      /* basename of path: the events we follow */
  GFileMonitor *monitor;   /* on the directory: the file may come and go */
  gboolean      available;
  gboolean      metered;
};

static void allset_test_network_monitor_initable_init (GInitableIface *iface);
static void allset_test_network_monitor_iface_init (GNetworkMonitorInterface *iface);

/* GNetworkMonitor requires GInitable. */
G_DEFINE_FINAL_TYPE_WITH_CODE (AllsetTestNetworkMonitor, allset_test_network_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      allset_test_network_monitor_initable_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR,
                                                      allset_test_network_monitor_iface_init))

enum
{
  PROP_0,
  PROP_PATH,
  /* The interface's, overridden. */
  PROP_NETWORK_AVAILABLE,
  PROP_NETWORK_METERED,
  PROP_CONNECTIVITY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GNetworkConnectivity
connectivity (AllsetTestNetworkMonitor *self)
{
  return self->available ? G_NETWORK_CONNECTIVITY_FULL : G_NETWORK_CONNECTIVITY_LOCAL;
}

/* A few bytes of a test's file: read in place, even from the main loop. */
static void
parse_file (const char *path,
            gboolean   *available,
            gboolean   *metered)
{
  g_autofree char *text = NULL;

  *available = TRUE;
  *metered = FALSE;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return;
  g_strstrip (text);
  if (g_str_equal (text, "offline"))
    *available = FALSE;
  else if (g_str_equal (text, "metered"))
    *metered = TRUE;
}

static void
read_file (AllsetTestNetworkMonitor *self)
{
  gboolean available, metered;

  parse_file (self->path, &available, &metered);
  if (available == self->available && metered == self->metered)
    return;

  g_debug ("Test network: %s%s", available ? "available" : "offline", metered ? ", metered" : "");
  g_object_freeze_notify (G_OBJECT (self));
  if (available != self->available)
    {
      self->available = available;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NETWORK_AVAILABLE]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTIVITY]);
    }
  if (metered != self->metered)
    {
      self->metered = metered;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NETWORK_METERED]);
    }
  g_object_thaw_notify (G_OBJECT (self));
  g_signal_emit_by_name (self, "network-changed", self->available);
}

static gboolean
is_our_file (AllsetTestNetworkMonitor *self,
             GFile                    *file)
{
  g_autofree char *name = file != NULL ? g_file_get_basename (file) : NULL;

  return g_strcmp0 (name, self->name) == 0;
}

static void
on_changed (GFileMonitor      *monitor,
            GFile             *file,
            GFile             *other_file,
            GFileMonitorEvent  event,
            gpointer           user_data)
{
  AllsetTestNetworkMonitor *self = user_data;

  /* Written in place, replaced by a rename, or deleted. */
  if (is_our_file (self, file) || is_our_file (self, other_file))
    read_file (self);
}

/* Never fails: a directory it cannot follow leaves the first state. */
static gboolean
allset_test_network_monitor_initable_init_impl (GInitable     *initable,
                                                GCancellable  *cancellable,
                                                GError       **ignored)
{
  AllsetTestNetworkMonitor *self = ALLSET_TEST_NETWORK_MONITOR (initable);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) dir = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (self->path != NULL, FALSE);
  if (self->name != NULL)
    return TRUE;   /* initialised already */
  file = g_file_new_for_path (self->path);
  dir = g_file_get_parent (file);
  self->name = g_file_get_basename (file);

  self->monitor = dir != NULL ? g_file_monitor_directory (dir, G_FILE_MONITOR_WATCH_MOVES, NULL, &error)
                              : NULL;
  if (self->monitor != NULL)
    {
      /* Tests wait for a change: report it quickly. */
      g_file_monitor_set_rate_limit (self->monitor, 100);
      g_signal_connect_object (self->monitor, "changed", G_CALLBACK (on_changed), self, 0);
    }
  else
    g_debug ("Test network: cannot follow %s: %s", self->path,
             error != NULL ? error->message : "no directory");

  /* The first state needs no notification: nobody listens yet. */
  parse_file (self->path, &self->available, &self->metered);
  return TRUE;
}

static void
allset_test_network_monitor_get_property (GObject    *object,
                                          guint       prop_id,
                                          GValue     *value,
                                          GParamSpec *pspec)
{
  AllsetTestNetworkMonitor *self = ALLSET_TEST_NETWORK_MONITOR (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_NETWORK_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;
    case PROP_NETWORK_METERED:
      g_value_set_boolean (value, self->metered);
      break;
    case PROP_CONNECTIVITY:
      g_value_set_enum (value, connectivity (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
allset_test_network_monitor_set_property (GObject      *object,
                                          guint         prop_id,
                                          const GValue *value,
                                          GParamSpec   *pspec)
{
  AllsetTestNetworkMonitor *self = ALLSET_TEST_NETWORK_MONITOR (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
allset_test_network_monitor_dispose (GObject *object)
{
  AllsetTestNetworkMonitor *self = ALLSET_TEST_NETWORK_MONITOR (object);

  if (self->monitor != NULL)
    g_file_monitor_cancel (self->monitor);
  g_clear_object (&self->monitor);

  G_OBJECT_CLASS (allset_test_network_monitor_parent_class)->dispose (object);
}

static void
allset_test_network_monitor_finalize (GObject *object)
{
  AllsetTestNetworkMonitor *self = ALLSET_TEST_NETWORK_MONITOR (object);

  g_free (self->path);
  g_free (self->name);

  G_OBJECT_CLASS (allset_test_network_monitor_parent_class)->finalize (object);
}

static void
allset_test_network_monitor_class_init (AllsetTestNetworkMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = allset_test_network_monitor_get_property;
  object_class->set_property = allset_test_network_monitor_set_property;
  object_class->dispose = allset_test_network_monitor_dispose;
  object_class->finalize = allset_test_network_monitor_finalize;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_property (object_class, PROP_PATH, properties[PROP_PATH]);

  g_object_class_override_property (object_class, PROP_NETWORK_AVAILABLE, "network-available");
  g_object_class_override_property (object_class, PROP_NETWORK_METERED, "network-metered");
  g_object_class_override_property (object_class, PROP_CONNECTIVITY, "connectivity");
  /* Overridden properties have no pspec of ours: keep the interface's
   * for notify_by_pspec. */
  properties[PROP_NETWORK_AVAILABLE] = g_object_class_find_property (object_class, "network-available");
  properties[PROP_NETWORK_METERED] = g_object_class_find_property (object_class, "network-metered");
  properties[PROP_CONNECTIVITY] = g_object_class_find_property (object_class, "connectivity");
}

static void
allset_test_network_monitor_init (AllsetTestNetworkMonitor *self)
{
}

static gboolean
allset_test_network_monitor_can_reach (GNetworkMonitor     *monitor,
                                       GSocketConnectable  *connectable,
                                       GCancellable        *cancellable,
                                       GError             **error)
{
  AllsetTestNetworkMonitor *self = ALLSET_TEST_NETWORK_MONITOR (monitor);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (!self->available)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE,
                           "Network unreachable (test network file says offline)");
      return FALSE;
    }
  return TRUE;
}

static void
allset_test_network_monitor_initable_init (GInitableIface *iface)
{
  iface->init = allset_test_network_monitor_initable_init_impl;
}

static void
allset_test_network_monitor_iface_init (GNetworkMonitorInterface *iface)
{
  /* can_reach_async: the interface's default runs can_reach in a task. */
  iface->can_reach = allset_test_network_monitor_can_reach;
}

AllsetTestNetworkMonitor *
allset_test_network_monitor_new (const char *path)
{
  g_return_val_if_fail (path != NULL, NULL);

  return g_initable_new (ALLSET_TYPE_TEST_NETWORK_MONITOR, NULL, NULL, "path", path, NULL);
}
