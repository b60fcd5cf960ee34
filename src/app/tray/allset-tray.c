/* allset-tray.c — the tray's state and menu, the same on every system
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * AllsetTray keeps what the icon shows (status, percent, detail) and what
 * the menu holds (pause or resume, the recent activities, which actions
 * are enabled), builds the menu as a flat list of AllsetTrayItem, and
 * tells the backend of the system what changed. Clicks come back as item
 * ids and become actions of the application's GActionGroup.
 */

#include <glib/gi18n.h>

#include "allset-tray-private.h"

/* Longer activity labels are cut: tray menus do not wrap. */
#define RECENT_LABEL_MAX_CHARS 48

struct _AllsetTray
{
  GObject            parent_instance;

  /* Not referenced: it is the application, which owns the tray. */
  GActionGroup      *actions;
  const char        *removing;    /* action being removed, still listed */
  GDBusConnection   *connection;
  AllsetTrayBackend *backend;

  AllsetTrayStatus   status;
  guint              percent;
  char              *detail;
  gboolean           paused;
  GStrv              recent_labels;
  GStrv              recent_paths;

  GPtrArray         *menu;        /* AllsetTrayItem */
  gboolean           available;
};

G_DEFINE_FINAL_TYPE (AllsetTray, allset_tray, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ACTIONS,
  PROP_CONNECTION,
  PROP_AVAILABLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

AllsetTrayItem *
allset_tray_item_copy (const AllsetTrayItem *item)
{
  AllsetTrayItem *copy = g_new0 (AllsetTrayItem, 1);

  copy->id = item->id;
  copy->kind = item->kind;
  copy->label = g_strdup (item->label);
  copy->action = g_strdup (item->action);
  copy->target = item->target != NULL ? g_variant_ref_sink (item->target) : NULL;
  copy->enabled = item->enabled;
  return copy;
}

void
allset_tray_item_free (AllsetTrayItem *item)
{
  if (item == NULL)
    return;
  g_free (item->label);
  g_free (item->action);
  g_clear_pointer (&item->target, g_variant_unref);
  g_free (item);
}

gboolean
allset_tray_item_equal (const AllsetTrayItem *a,
                        const AllsetTrayItem *b)
{
  if (a->id != b->id || a->kind != b->kind || a->enabled != b->enabled
      || g_strcmp0 (a->label, b->label) != 0 || g_strcmp0 (a->action, b->action) != 0)
    return FALSE;
  if (a->target == NULL || b->target == NULL)
    return a->target == b->target;
  return g_variant_equal (a->target, b->target);
}

const char *
allset_tray_status_icon_name (AllsetTrayStatus status)
{
  switch (status)
    {
    case ALLSET_TRAY_STATUS_IDLE:           return "fr.allset.Sync";
    case ALLSET_TRAY_STATUS_SYNCING:        return "fr.allset.Sync-syncing";
    case ALLSET_TRAY_STATUS_PAUSED:
    case ALLSET_TRAY_STATUS_PAUSED_METERED: return "fr.allset.Sync-paused";
    case ALLSET_TRAY_STATUS_ERROR:          return "fr.allset.Sync-error";
    case ALLSET_TRAY_STATUS_OFFLINE:        return "fr.allset.Sync-offline";
    default:                                break;
    }
  g_return_val_if_reached ("fr.allset.Sync");
}

/* ALLSET_ICON_DIR is what the app itself reads when run from the source
 * tree; ALLSET_ICON_THEME_PATH overrides it for the tray alone. */
const char *
allset_tray_get_icon_theme_path (void)
{
  const char *vars[] = { "ALLSET_ICON_THEME_PATH", "ALLSET_ICON_DIR" };

  for (guint i = 0; i < G_N_ELEMENTS (vars); i++)
    {
      const char *path = g_getenv (vars[i]);

      if (path != NULL && path[0] != '\0')
        return path;
    }
  return ALLSET_ICONDIR;
}

/* The action exists, is enabled and takes the target we would give it:
 * a missing action (app still starting, not logged in) greys its entry. */
static gboolean
action_usable (AllsetTray *self,
               const char *name,
               GVariant   *target)
{
  const GVariantType *param_type = NULL;
  gboolean enabled = FALSE;

  if (self->actions == NULL || g_strcmp0 (name, self->removing) == 0
      || !g_action_group_query_action (self->actions, name, &enabled, &param_type,
                                       NULL, NULL, NULL))
    return FALSE;
  if (target == NULL)
    return enabled && param_type == NULL;
  return enabled && param_type != NULL && g_variant_is_of_type (target, param_type);
}

static void
menu_add (AllsetTray         *self,
          GPtrArray          *menu,
          int                 id,
          AllsetTrayItemKind  kind,
          const char         *label,
          const char         *action,
          GVariant           *target)
{
  AllsetTrayItem *item = g_new0 (AllsetTrayItem, 1);

  item->id = id;
  item->kind = kind;
  item->label = g_strdup (label);
  item->action = g_strdup (action);
  item->target = target != NULL ? g_variant_ref_sink (target) : NULL;
  item->enabled = kind == ALLSET_TRAY_ITEM_ACTION && action_usable (self, action, item->target);
  g_ptr_array_add (menu, item);
}

static char *
shorten_label (const char *label)
{
  if (g_utf8_strlen (label, -1) <= RECENT_LABEL_MAX_CHARS)
    return g_strdup (label);

  g_autofree char *head = g_utf8_substring (label, 0, RECENT_LABEL_MAX_CHARS - 1);
  return g_strconcat (head, "…", NULL);
}

static GPtrArray *
build_menu (AllsetTray *self)
{
  GPtrArray *menu = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_tray_item_free);

  menu_add (self, menu, ALLSET_TRAY_ID_OPEN_FOLDER, ALLSET_TRAY_ITEM_ACTION,
            _("Open the ALLSET folder"), "open-folder", NULL);
  menu_add (self, menu, ALLSET_TRAY_ID_SHOW_WINDOW, ALLSET_TRAY_ITEM_ACTION,
            _("Open ALLSET Sync"), "show-window", NULL);
  menu_add (self, menu, ALLSET_TRAY_ID_SHARE_FILE, ALLSET_TRAY_ITEM_ACTION,
            _("Share a file…"), "share-file", NULL);
  menu_add (self, menu, ALLSET_TRAY_ID_SEPARATOR_FILES, ALLSET_TRAY_ITEM_SEPARATOR,
            NULL, NULL, NULL);
  menu_add (self, menu, ALLSET_TRAY_ID_TOGGLE_PAUSE, ALLSET_TRAY_ITEM_ACTION,
            self->paused ? _("Resume") : _("Pause"), "toggle-pause", NULL);
  menu_add (self, menu, ALLSET_TRAY_ID_SEPARATOR_PAUSE, ALLSET_TRAY_ITEM_SEPARATOR,
            NULL, NULL, NULL);

  if (self->recent_labels != NULL && self->recent_labels[0] != NULL)
    {
      menu_add (self, menu, ALLSET_TRAY_ID_RECENT_HEADER, ALLSET_TRAY_ITEM_HEADER,
                _("Recent activity"), NULL, NULL);
      for (guint i = 0; self->recent_labels[i] != NULL; i++)
        {
          g_autofree char *label = shorten_label (self->recent_labels[i]);

          menu_add (self, menu, ALLSET_TRAY_ID_RECENT_FIRST + i, ALLSET_TRAY_ITEM_ACTION,
                    label, "show-activity", g_variant_new_string (self->recent_paths[i]));
        }
      menu_add (self, menu, ALLSET_TRAY_ID_SEPARATOR_RECENT, ALLSET_TRAY_ITEM_SEPARATOR,
                NULL, NULL, NULL);
    }

  menu_add (self, menu, ALLSET_TRAY_ID_PREFERENCES, ALLSET_TRAY_ITEM_ACTION,
            _("Preferences"), "preferences", NULL);
  menu_add (self, menu, ALLSET_TRAY_ID_QUIT, ALLSET_TRAY_ITEM_ACTION,
            _("Quit"), "quit", NULL);
  return menu;
}

static gboolean
menus_equal (GPtrArray *a,
             GPtrArray *b)
{
  if (a == NULL || a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    if (!allset_tray_item_equal (g_ptr_array_index (a, i), g_ptr_array_index (b, i)))
      return FALSE;
  return TRUE;
}

/* Rebuilt whole on every change: it has at most 15 entries, and comparing
 * keeps hosts from re-reading a menu that did not change. */
static void
update_menu (AllsetTray *self)
{
  g_autoptr(GPtrArray) menu = build_menu (self);

  if (menus_equal (self->menu, menu))
    return;
  g_clear_pointer (&self->menu, g_ptr_array_unref);
  self->menu = g_steal_pointer (&menu);
  if (self->backend != NULL)
    allset_tray_backend_update (self->backend, ALLSET_TRAY_CHANGED_MENU);
}

static void
on_action_changed (AllsetTray *self)
{
  update_menu (self);
}

/* Emitted before the action leaves the group: it must not count. */
static void
on_action_removed (AllsetTray   *self,
                   const char   *name,
                   GActionGroup *actions)
{
  self->removing = name;
  update_menu (self);
  self->removing = NULL;
}

static void
allset_tray_constructed (GObject *object)
{
  AllsetTray *self = ALLSET_TRAY (object);

  G_OBJECT_CLASS (allset_tray_parent_class)->constructed (object);

  if (self->actions != NULL)
    {
      g_object_add_weak_pointer (G_OBJECT (self->actions), (gpointer *) &self->actions);
      g_signal_connect_object (self->actions, "action-added",
                               G_CALLBACK (on_action_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->actions, "action-removed",
                               G_CALLBACK (on_action_removed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->actions, "action-enabled-changed",
                               G_CALLBACK (on_action_changed), self, G_CONNECT_SWAPPED);
    }
  self->menu = build_menu (self);
  self->backend = allset_tray_backend_new (self, self->connection);
}

static void
allset_tray_dispose (GObject *object)
{
  AllsetTray *self = ALLSET_TRAY (object);

  g_clear_pointer (&self->backend, allset_tray_backend_free);
  if (self->actions != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->actions, self);
      g_object_remove_weak_pointer (G_OBJECT (self->actions), (gpointer *) &self->actions);
      self->actions = NULL;
    }
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (allset_tray_parent_class)->dispose (object);
}

static void
allset_tray_finalize (GObject *object)
{
  AllsetTray *self = ALLSET_TRAY (object);

  g_free (self->detail);
  g_strfreev (self->recent_labels);
  g_strfreev (self->recent_paths);
  g_clear_pointer (&self->menu, g_ptr_array_unref);

  G_OBJECT_CLASS (allset_tray_parent_class)->finalize (object);
}

static void
allset_tray_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  AllsetTray *self = ALLSET_TRAY (object);

  switch (prop_id)
    {
    case PROP_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
allset_tray_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  AllsetTray *self = ALLSET_TRAY (object);

  switch (prop_id)
    {
    case PROP_ACTIONS:
      self->actions = g_value_get_object (value);
      break;
    case PROP_CONNECTION:
      self->connection = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
allset_tray_class_init (AllsetTrayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = allset_tray_constructed;
  object_class->dispose = allset_tray_dispose;
  object_class->finalize = allset_tray_finalize;
  object_class->get_property = allset_tray_get_property;
  object_class->set_property = allset_tray_set_property;

  properties[PROP_ACTIONS] =
    g_param_spec_object ("actions", NULL, NULL, G_TYPE_ACTION_GROUP,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, G_TYPE_DBUS_CONNECTION,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_AVAILABLE] =
    g_param_spec_boolean ("available", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
allset_tray_init (AllsetTray *self)
{
  self->status = ALLSET_TRAY_STATUS_IDLE;
}

AllsetTray *
allset_tray_new (GActionGroup    *actions,
                 GDBusConnection *connection)
{
  g_return_val_if_fail (actions == NULL || G_IS_ACTION_GROUP (actions), NULL);
  g_return_val_if_fail (connection == NULL || G_IS_DBUS_CONNECTION (connection), NULL);

  return g_object_new (ALLSET_TYPE_TRAY,
                       "actions", actions,
                       "connection", connection,
                       NULL);
}

void
allset_tray_set_status (AllsetTray       *self,
                        AllsetTrayStatus  status,
                        guint             percent,
                        const char       *detail)
{
  AllsetTrayChanges changes = 0;

  g_return_if_fail (ALLSET_IS_TRAY (self));
  g_return_if_fail (status <= ALLSET_TRAY_STATUS_OFFLINE);

  /* The percent only shows while syncing: ignoring it otherwise saves a
   * tooltip update per progress tick of a paused transfer. */
  percent = status == ALLSET_TRAY_STATUS_SYNCING ? MIN (percent, 100) : 0;

  if (g_strcmp0 (allset_tray_status_icon_name (status),
                 allset_tray_status_icon_name (self->status)) != 0)
    changes |= ALLSET_TRAY_CHANGED_ICON;
  if ((status == ALLSET_TRAY_STATUS_ERROR) != (self->status == ALLSET_TRAY_STATUS_ERROR))
    changes |= ALLSET_TRAY_CHANGED_STATUS;
  if (status != self->status || percent != self->percent
      || g_strcmp0 (detail, self->detail) != 0)
    changes |= ALLSET_TRAY_CHANGED_TOOLTIP;

  self->status = status;
  self->percent = percent;
  g_free (self->detail);
  self->detail = g_strdup (detail);

  if (changes != 0 && self->backend != NULL)
    allset_tray_backend_update (self->backend, changes);
}

AllsetTrayStatus
allset_tray_get_status (AllsetTray *self)
{
  g_return_val_if_fail (ALLSET_IS_TRAY (self), ALLSET_TRAY_STATUS_IDLE);

  return self->status;
}

void
allset_tray_set_recent (AllsetTray         *self,
                        const char * const *labels,
                        const char * const *paths)
{
  g_autoptr(GStrvBuilder) label_builder = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) path_builder = g_strv_builder_new ();

  g_return_if_fail (ALLSET_IS_TRAY (self));
  g_return_if_fail ((labels == NULL) == (paths == NULL));

  for (guint i = 0; labels != NULL && labels[i] != NULL && paths[i] != NULL
                    && i < ALLSET_TRAY_MAX_RECENT; i++)
    {
      g_strv_builder_add (label_builder, labels[i]);
      g_strv_builder_add (path_builder, paths[i]);
    }
  g_strfreev (self->recent_labels);
  g_strfreev (self->recent_paths);
  self->recent_labels = g_strv_builder_end (label_builder);
  self->recent_paths = g_strv_builder_end (path_builder);
  update_menu (self);
}

void
allset_tray_set_paused (AllsetTray *self,
                        gboolean    paused)
{
  g_return_if_fail (ALLSET_IS_TRAY (self));

  self->paused = !!paused;
  update_menu (self);
}

gboolean
allset_tray_get_available (AllsetTray *self)
{
  g_return_val_if_fail (ALLSET_IS_TRAY (self), FALSE);

  return self->available;
}

/* --- for the backends -------------------------------------------------- */

GPtrArray *
allset_tray_get_menu (AllsetTray *self)
{
  return self->menu;
}

char *
allset_tray_dup_status_text (AllsetTray *self)
{
  switch (self->status)
    {
    case ALLSET_TRAY_STATUS_IDLE:           return g_strdup (_("Up to date"));
    /* TRANSLATORS: the sync progress in the tray's tooltip, e.g. "Syncing (42 %)" */
    case ALLSET_TRAY_STATUS_SYNCING:        return g_strdup_printf (_("Syncing (%u %%)"), self->percent);
    case ALLSET_TRAY_STATUS_PAUSED:         return g_strdup (_("Paused"));
    case ALLSET_TRAY_STATUS_PAUSED_METERED: return g_strdup (_("Paused (metered connection)"));
    case ALLSET_TRAY_STATUS_ERROR:          return g_strdup (_("Error"));
    case ALLSET_TRAY_STATUS_OFFLINE:        return g_strdup (_("Offline"));
    default:                                break;
    }
  g_return_val_if_reached (g_strdup (""));
}

const char *
allset_tray_get_detail (AllsetTray *self)
{
  return self->detail;
}

gboolean
allset_tray_get_needs_attention (AllsetTray *self)
{
  return self->status == ALLSET_TRAY_STATUS_ERROR;
}

void
allset_tray_set_available (AllsetTray *self,
                           gboolean    available)
{
  available = !!available;
  if (self->available == available)
    return;
  self->available = available;
  g_debug ("tray icon %s", available ? "shown by a host" : "not shown");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AVAILABLE]);
}

static void
activate (AllsetTray *self,
          const char *action,
          GVariant   *target)
{
  /* Held across the call: the action may well destroy the tray (quit). */
  g_autoptr(AllsetTray) hold = g_object_ref (self);
  g_autofree char *name = g_strdup (action);
  g_autoptr(GVariant) parameter = target != NULL ? g_variant_ref (target) : NULL;

  if (action_usable (self, name, parameter))
    g_action_group_activate_action (self->actions, name, parameter);
}

void
allset_tray_activate_item (AllsetTray *self,
                           int         id)
{
  for (guint i = 0; self->menu != NULL && i < self->menu->len; i++)
    {
      AllsetTrayItem *item = g_ptr_array_index (self->menu, i);

      if (item->id != id)
        continue;
      if (item->kind == ALLSET_TRAY_ITEM_ACTION && item->enabled)
        activate (self, item->action, item->target);
      return;
    }
  g_debug ("click on menu entry %d, which is no longer there", id);
}

void
allset_tray_activate_icon (AllsetTray *self)
{
  activate (self, "show-window", NULL);
}
