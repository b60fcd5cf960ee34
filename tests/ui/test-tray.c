/* test-tray.c — the Linux tray icon against a test watcher on a private bus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a host sees of AllsetTray: registration with the watcher (again
 * after the watcher restarts), the item's properties and signals, the
 * dbusmenu layout and its events turning into the app's actions.
 * tray-test-fixture.c holds the watcher, the host and the fixture.
 */

#include "tray-test-fixture.h"

/* --- tests ----------------------------------------------------------------- */

static void
test_icon_names (void)
{
  g_assert_cmpstr (allset_tray_status_icon_name (ALLSET_TRAY_STATUS_IDLE), ==, "fr.allset.Sync");
  g_assert_cmpstr (allset_tray_status_icon_name (ALLSET_TRAY_STATUS_SYNCING), ==, "fr.allset.Sync-syncing");
  g_assert_cmpstr (allset_tray_status_icon_name (ALLSET_TRAY_STATUS_PAUSED), ==, "fr.allset.Sync-paused");
  g_assert_cmpstr (allset_tray_status_icon_name (ALLSET_TRAY_STATUS_PAUSED_METERED), ==, "fr.allset.Sync-paused");
  g_assert_cmpstr (allset_tray_status_icon_name (ALLSET_TRAY_STATUS_ERROR), ==, "fr.allset.Sync-error");
  g_assert_cmpstr (allset_tray_status_icon_name (ALLSET_TRAY_STATUS_OFFLINE), ==, "fr.allset.Sync-offline");
}

static void
test_register (Fixture *f, gconstpointer data)
{
  const char *service = f->watcher->services->pdata[0];
  g_autoptr(GVariant) owner = NULL;
  const char *owner_name;

  g_assert_true (g_str_has_prefix (service, "org.kde.StatusNotifierItem-"));
  g_assert_cmpstr (f->watcher->senders->pdata[0], ==, g_dbus_connection_get_unique_name (f->app));
  owner = call_to (f, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                   "GetNameOwner", g_variant_new ("(s)", service), "(s)", NULL);
  g_variant_get (owner, "(&s)", &owner_name);
  g_assert_cmpstr (owner_name, ==, g_dbus_connection_get_unique_name (f->app));
  g_assert_true (allset_tray_get_available (f->tray));
  g_assert_cmpuint (f->available_notifies, ==, 1);
}

static void
test_properties (Fixture *f, gconstpointer data)
{
  static const struct {
    AllsetTrayStatus status; guint percent; const char *detail;
    const char *icon; const char *tooltip; const char *item_status;
  } cases[] = {
    { ALLSET_TRAY_STATUS_SYNCING, 42, "3 files remaining", "fr.allset.Sync-syncing",
      "Syncing (42 %)\n3 files remaining", "Active" },
    { ALLSET_TRAY_STATUS_SYNCING, 43, NULL, "fr.allset.Sync-syncing", "Syncing (43 %)", "Active" },
    { ALLSET_TRAY_STATUS_PAUSED, 0, NULL, "fr.allset.Sync-paused", "Paused", "Active" },
    { ALLSET_TRAY_STATUS_PAUSED_METERED, 0, NULL, "fr.allset.Sync-paused",
      "Paused (metered connection)", "Active" },
    { ALLSET_TRAY_STATUS_ERROR, 0, "Server unreachable", "fr.allset.Sync-error",
      "Error\nServer unreachable", "NeedsAttention" },
    { ALLSET_TRAY_STATUS_OFFLINE, 0, NULL, "fr.allset.Sync-offline", "Offline", "Active" },
    { ALLSET_TRAY_STATUS_IDLE, 0, NULL, "fr.allset.Sync", "Up to date", "Active" },
  };
  g_autoptr(GVariant) all = call (f, "/StatusNotifierItem", "org.freedesktop.DBus.Properties",
                                  "GetAll", g_variant_new ("(s)", ITEM_INTERFACE), "(a{sv})", NULL);
  g_autoptr(GVariant) props = g_variant_get_child_value (all, 0);
  const char *s;
  gboolean is_menu = TRUE;

  g_assert_true (g_variant_lookup (props, "Category", "&s", &s)); g_assert_cmpstr (s, ==, "ApplicationStatus");
  g_assert_true (g_variant_lookup (props, "Id", "&s", &s));       g_assert_cmpstr (s, ==, "fr.allset.Sync");
  g_assert_true (g_variant_lookup (props, "Title", "&s", &s));    g_assert_cmpstr (s, ==, "ALLSET Sync");
  g_assert_true (g_variant_lookup (props, "Status", "&s", &s));   g_assert_cmpstr (s, ==, "Active");
  g_assert_true (g_variant_lookup (props, "IconName", "&s", &s)); g_assert_cmpstr (s, ==, "fr.allset.Sync");
  g_assert_true (g_variant_lookup (props, "IconThemePath", "&s", &s)); g_assert_cmpstr (s, ==, "/test/icons");
  g_assert_true (g_variant_lookup (props, "Menu", "&o", &s));     g_assert_cmpstr (s, ==, "/MenuBar");
  g_assert_true (g_variant_lookup (props, "AttentionIconName", "&s", &s));
  g_assert_cmpstr (s, ==, "fr.allset.Sync-error");
  g_assert_true (g_variant_lookup (props, "ItemIsMenu", "b", &is_menu));
  g_assert_false (is_menu);
  {
    g_autofree char *text = tooltip_text (f);
    g_assert_cmpstr (text, ==, "Up to date");
  }

  /* Start from a non-idle state so that the last case changes something. */
  allset_tray_set_status (f->tray, ALLSET_TRAY_STATUS_OFFLINE, 0, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      /* Read first: the replies come after any signal sent before. */
      g_autofree char *old_icon = item_string (f, "IconName");
      g_autofree char *old_status = item_string (f, "Status");
      guint icons = signal_count (f, "NewIcon");
      guint tooltips = signal_count (f, "NewToolTip");
      guint statuses = signal_count (f, "NewStatus");
      g_autofree char *icon = NULL, *text = NULL, *status = NULL;

      allset_tray_set_status (f->tray, cases[i].status, cases[i].percent, cases[i].detail);
      g_assert_cmpint (allset_tray_get_status (f->tray), ==, cases[i].status);
      icon = item_string (f, "IconName");
      text = tooltip_text (f);
      status = item_string (f, "Status");
      g_assert_cmpstr (icon, ==, cases[i].icon);
      g_assert_cmpstr (text, ==, cases[i].tooltip);
      g_assert_cmpstr (status, ==, cases[i].item_status);

      /* The replies above came after the signals: the counts are final. */
      g_assert_cmpuint (signal_count (f, "NewToolTip"), ==, tooltips + 1);
      g_assert_cmpuint (signal_count (f, "NewIcon"), ==, icons + !g_str_equal (old_icon, icon));
      g_assert_cmpuint (signal_count (f, "NewStatus"), ==, statuses + !g_str_equal (old_status, status));
      if (!g_str_equal (old_status, status))
        g_assert_cmpstr (f->last_new_status, ==, status);
    }

  /* The same state again: nothing to tell the host. */
  {
    guint tooltips = signal_count (f, "NewToolTip");
    g_autofree char *text = NULL;

    allset_tray_set_status (f->tray, ALLSET_TRAY_STATUS_IDLE, 0, NULL);
    text = tooltip_text (f);
    g_assert_cmpuint (signal_count (f, "NewToolTip"), ==, tooltips);
  }
}

static void
test_activate (Fixture *f, gconstpointer data)
{
  g_autoptr(GVariant) reply = call (f, "/StatusNotifierItem", ITEM_INTERFACE, "Activate",
                                    g_variant_new ("(ii)", 10, 10), NULL, NULL);

  WAIT_UNTIL (f->activated->len == 1);
  g_assert_cmpstr (f->activated->pdata[0], ==, "show-window");

  /* Middle click, scroll and ContextMenu do nothing. */
  g_clear_pointer (&reply, g_variant_unref);
  reply = call (f, "/StatusNotifierItem", ITEM_INTERFACE, "SecondaryActivate",
                g_variant_new ("(ii)", 10, 10), NULL, NULL);
  g_clear_pointer (&reply, g_variant_unref);
  reply = call (f, "/StatusNotifierItem", ITEM_INTERFACE, "Scroll",
                g_variant_new ("(is)", 1, "vertical"), NULL, NULL);
  g_assert_cmpuint (f->activated->len, ==, 1);
}

static void
test_layout (Fixture *f, gconstpointer data)
{
  g_autofree char *layout = menu_layout (f, &(guint) { 0 }, NULL);
  int quit = menu_id_of (f, "Quit");
  GVariant *version = call (f, "/MenuBar", "org.freedesktop.DBus.Properties", "Get",
                                      g_variant_new ("(ss)", MENU_INTERFACE, "Version"),
                                      "(v)", NULL);
  GVariant *one = call (f, "/MenuBar", MENU_INTERFACE, "GetLayout",
                                  g_variant_new ("(ii^as)", quit, 0,
                                                 (const char *[]) { "label", NULL }),
                                  "(u(ia{sv}av))", NULL);
  GVariant *group = call (f, "/MenuBar", MENU_INTERFACE, "GetGroupProperties",
                                    g_variant_new ("(@ai^as)",
                                                   g_variant_new_fixed_array (G_VARIANT_TYPE_INT32, &quit, 1, sizeof (int)),
                                                   (const char *[]) { "label", NULL }),
                                    "(a(ia{sv}))", NULL);
  GVariant *label = call (f, "/MenuBar", MENU_INTERFACE, "GetProperty",
                                    g_variant_new ("(is)", quit, "label"), "(v)", NULL);
  GVariant *show = call (f, "/MenuBar", MENU_INTERFACE, "AboutToShow",
                                   g_variant_new ("(i)", 0), "(b)", NULL);
  g_autoptr(GVariant) missing = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected_one = g_strdup_printf ("(%d, {'label': <'Quit'>}, [])", quit);
  g_autofree char *expected_group = g_strdup_printf ("([(%d, {'label': <'Quit'>})],)", quit);

  g_assert_cmpstr (layout, ==, BASE_MENU);
  g_assert_cmpstr (print_take (f, version), ==, "(<uint32 3>,)");
  g_assert_cmpstr (print_take (f, g_variant_get_child_value (one, 1)), ==, expected_one);
  g_variant_unref (one);
  g_assert_cmpstr (print_take (f, group), ==, expected_group);
  g_assert_cmpstr (print_take (f, label), ==, "(<'Quit'>,)");
  g_assert_cmpstr (print_take (f, show), ==, "(false,)");

  missing = call (f, "/MenuBar", MENU_INTERFACE, "GetLayout",
                  g_variant_new ("(ii^as)", 999, -1, (const char *[]) { NULL }), "(u(ia{sv}av))", &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
}

static void
test_event (Fixture *f, gconstpointer data)
{
  int quit = menu_id_of (f, "Quit");
  int preferences = menu_id_of (f, "Preferences");
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  GVariantBuilder events;

  click (f, quit, NULL);
  WAIT_UNTIL (f->activated->len == 1);
  g_assert_cmpstr (f->activated->pdata[0], ==, "quit");

  /* Hovering does nothing; an unknown id is an error. */
  reply = call (f, "/MenuBar", MENU_INTERFACE, "Event",
                g_variant_new ("(isvu)", quit, "hovered", g_variant_new_int32 (0), 0), NULL, NULL);
  click (f, 999, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_assert_cmpuint (f->activated->len, ==, 1);

  /* EventGroup: the known id runs, the unknown one comes back. */
  g_variant_builder_init (&events, G_VARIANT_TYPE ("a(isvu)"));
  g_variant_builder_add (&events, "(isvu)", preferences, "clicked", g_variant_new_int32 (0), 0);
  g_variant_builder_add (&events, "(isvu)", 998, "clicked", g_variant_new_int32 (0), 0);
  g_clear_pointer (&reply, g_variant_unref);
  reply = call (f, "/MenuBar", MENU_INTERFACE, "EventGroup", g_variant_new ("(a(isvu))", &events),
                "(ai)", NULL);
  g_assert_cmpstr (print_take (f, g_steal_pointer (&reply)), ==, "([998],)");
  WAIT_UNTIL (f->activated->len == 2);
  g_assert_cmpstr (f->activated->pdata[1], ==, "preferences");
}

static void
test_paused (Fixture *f, gconstpointer data)
{
  guint revision = 0, updates = signal_count (f, "LayoutUpdated");
  g_autofree char *before = menu_layout (f, &revision, NULL);
  g_autofree char *after = NULL, *again = NULL, *resumed = NULL;
  guint revision_after = 0, revision_again = 0;

  g_assert_cmpstr (before, ==, BASE_MENU);
  allset_tray_set_paused (f->tray, TRUE);
  after = menu_layout (f, &revision_after, NULL);
  g_assert_cmpstr (after, ==, "Open the ALLSET folder|Open ALLSET Sync|Share a file…|---|Resume|---|Preferences|Quit");
  g_assert_cmpuint (revision_after, >, revision);
  g_assert_cmpuint (signal_count (f, "LayoutUpdated"), ==, updates + 1);
  g_assert_cmpuint (f->last_revision, ==, revision_after);

  /* No change, no update. */
  allset_tray_set_paused (f->tray, TRUE);
  again = menu_layout (f, &revision_again, NULL);
  g_assert_cmpuint (revision_again, ==, revision_after);
  g_assert_cmpuint (signal_count (f, "LayoutUpdated"), ==, updates + 1);

  click (f, menu_id_of (f, "Resume"), NULL);
  WAIT_UNTIL (f->activated->len == 1);
  g_assert_cmpstr (f->activated->pdata[0], ==, "toggle-pause");

  allset_tray_set_paused (f->tray, FALSE);
  resumed = menu_layout (f, &revision, NULL);
  g_assert_cmpstr (resumed, ==, BASE_MENU);
  g_assert_cmpuint (signal_count (f, "LayoutUpdated"), ==, updates + 2);
}

static void
test_recent (Fixture *f, gconstpointer data)
{
  const char *labels[] = {
    "rapport_final.pdf",
    "Devis client.odt",
    "Un nom de fichier beaucoup trop long pour tenir dans un menu.txt",
    "d", "e", "f (not shown)", "g (not shown)", NULL
  };
  const char *paths[] = { "/a/rapport_final.pdf", "/a/Devis client.odt", "/a/long", "/d", "/e",
                          "/f", "/g", NULL };
  guint updates = signal_count (f, "LayoutUpdated");
  g_autofree char *layout = NULL, *cleared = NULL;

  allset_tray_set_recent (f->tray, labels, paths);
  layout = menu_layout (f, &(guint) { 0 }, NULL);
  g_assert_cmpstr (layout, ==,
                   "Open the ALLSET folder|Open ALLSET Sync|Share a file…|---|Pause|---"
                   "|Recent activity (disabled)|rapport__final.pdf|Devis client.odt"
                   "|Un nom de fichier beaucoup trop long pour tenir…|d|e"
                   "|---|Preferences|Quit");
  g_assert_cmpuint (signal_count (f, "LayoutUpdated"), ==, updates + 1);

  click (f, menu_id_of (f, "Devis client.odt"), NULL);
  WAIT_UNTIL (f->activated->len == 1);
  g_assert_cmpstr (f->activated->pdata[0], ==, "show-activity:/a/Devis client.odt");

  /* The header is not clickable. */
  click (f, menu_id_of (f, "Recent activity (disabled)"), NULL);
  g_free (menu_layout (f, &(guint) { 0 }, NULL));
  g_assert_cmpuint (f->activated->len, ==, 1);

  allset_tray_set_recent (f->tray, NULL, NULL);
  cleared = menu_layout (f, &(guint) { 0 }, NULL);
  g_assert_cmpstr (cleared, ==, BASE_MENU);
}

/* A disabled or missing action greys its entry, live. */
static void
test_action_state (Fixture *f, gconstpointer data)
{
  GAction *share = g_action_map_lookup_action (G_ACTION_MAP (f->actions), "share-file");
  g_autofree char *disabled = NULL, *removed = NULL;
  guint updates = signal_count (f, "LayoutUpdated");
  int share_id = menu_id_of (f, "Share a file…");

  g_simple_action_set_enabled (G_SIMPLE_ACTION (share), FALSE);
  disabled = menu_layout (f, &(guint) { 0 }, NULL);
  g_assert_cmpstr (disabled, ==, "Open the ALLSET folder|Open ALLSET Sync|Share a file… (disabled)"
                                 "|---|Pause|---|Preferences|Quit");
  g_assert_cmpuint (signal_count (f, "LayoutUpdated"), ==, updates + 1);
  click (f, share_id, NULL);
  g_free (menu_layout (f, &(guint) { 0 }, NULL));
  g_assert_cmpuint (f->activated->len, ==, 0);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (share), TRUE);
  g_action_map_remove_action (G_ACTION_MAP (f->actions), "preferences");
  removed = menu_layout (f, &(guint) { 0 }, NULL);
  g_assert_cmpstr (removed, ==, "Open the ALLSET folder|Open ALLSET Sync|Share a file…"
                                "|---|Pause|---|Preferences (disabled)|Quit");
  click (f, share_id, NULL);
  WAIT_UNTIL (f->activated->len == 1);
  g_assert_cmpstr (f->activated->pdata[0], ==, "share-file");
}

static void
test_watcher_restart (Fixture *f, gconstpointer data)
{
  g_autofree char *service = g_strdup (f->watcher->services->pdata[0]);

  g_clear_pointer (&f->watcher, watcher_stop);
  WAIT_UNTIL (!allset_tray_get_available (f->tray));
  g_assert_cmpuint (f->available_notifies, ==, 2);

  f->watcher = watcher_start (f->bus, TRUE);
  WAIT_UNTIL (f->watcher->services->len == 1);
  g_assert_cmpstr (f->watcher->services->pdata[0], ==, service);
  WAIT_UNTIL (allset_tray_get_available (f->tray));
  g_assert_cmpuint (f->available_notifies, ==, 3);

  /* The restarted host reads the item as before. */
  {
    g_autofree char *icon = item_string (f, "IconName");
    g_assert_cmpstr (icon, ==, "fr.allset.Sync");
  }
}

/* The bus refuses org.kde.StatusNotifierItem-PID-N (Flatpak without
 * --own-name): the item registers its object path, and works the same. */
static void
test_register_by_path (Fixture *f, gconstpointer data)
{
  g_autofree char *icon = NULL;

  block_item_names (f);
  f->watcher = watcher_start (f->bus, TRUE);
  create_tray (f);
  WAIT_UNTIL (allset_tray_get_available (f->tray));
  g_assert_cmpuint (f->watcher->services->len, ==, 1);
  g_assert_cmpstr (f->watcher->services->pdata[0], ==, "/StatusNotifierItem");
  g_assert_cmpstr (f->watcher->senders->pdata[0], ==, g_dbus_connection_get_unique_name (f->app));

  icon = item_string (f, "IconName");
  g_assert_cmpstr (icon, ==, "fr.allset.Sync");
  click (f, menu_id_of (f, "Quit"), NULL);
  WAIT_UNTIL (f->activated->len == 1);

  /* And again after a watcher restart. */
  g_clear_pointer (&f->watcher, watcher_stop);
  WAIT_UNTIL (!allset_tray_get_available (f->tray));
  f->watcher = watcher_start (f->bus, TRUE);
  WAIT_UNTIL (f->watcher->services->len == 1);
  g_assert_cmpstr (f->watcher->services->pdata[0], ==, "/StatusNotifierItem");
  WAIT_UNTIL (allset_tray_get_available (f->tray));
}

/* GNOME Shell without the AppIndicator extension: nobody to register
 * with. Enabling the extension later brings the icon. */
static void
test_no_watcher (Fixture *f, gconstpointer data)
{
  gint64 settle;

  create_tray (f);
  WAIT_UNTIL (item_name_on_bus (f));
  settle = g_get_monotonic_time () + G_USEC_PER_SEC / 5;
  WAIT_UNTIL (g_get_monotonic_time () > settle);
  g_assert_false (allset_tray_get_available (f->tray));
  g_assert_cmpuint (f->available_notifies, ==, 0);

  f->watcher = watcher_start (f->bus, TRUE);
  WAIT_UNTIL (f->watcher->services->len == 1);
  WAIT_UNTIL (allset_tray_get_available (f->tray));
}

/* A watcher without a host (a watcher left behind by a dead panel). */
static void
test_no_host (Fixture *f, gconstpointer data)
{
  f->watcher = watcher_start (f->bus, FALSE);
  create_tray (f);
  WAIT_UNTIL (f->watcher->services->len == 1 && f->watcher->host_queries >= 1);
  g_free (item_string (f, "Id"));  /* a round trip after the tray's query */
  g_assert_false (allset_tray_get_available (f->tray));

  watcher_set_host (f->watcher, TRUE);
  WAIT_UNTIL (allset_tray_get_available (f->tray));
  watcher_set_host (f->watcher, FALSE);
  WAIT_UNTIL (!allset_tray_get_available (f->tray));
  g_assert_cmpuint (f->available_notifies, ==, 2);
}

/* Dropping the tray takes the icon away: its name leaves the bus. */
static void
test_dispose (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->tray);
  WAIT_UNTIL (!item_name_on_bus (f));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tray_test_init ();

  g_test_add_func ("/tray/icon-names", test_icon_names);
#define ADD(path, fn, set_up) g_test_add ("/tray/" path, Fixture, NULL, set_up, fn, teardown)
  ADD ("register", test_register, setup);
  ADD ("properties", test_properties, setup);
  ADD ("activate", test_activate, setup);
  ADD ("menu/layout", test_layout, setup);
  ADD ("menu/event", test_event, setup);
  ADD ("menu/paused", test_paused, setup);
  ADD ("menu/recent", test_recent, setup);
  ADD ("menu/action-state", test_action_state, setup);
  ADD ("watcher-restart", test_watcher_restart, setup);
  ADD ("register-by-path", test_register_by_path, setup_bare);
  ADD ("no-watcher", test_no_watcher, setup_bare);
  ADD ("no-host", test_no_host, setup_bare);
  ADD ("dispose", test_dispose, setup);
#undef ADD

  return g_test_run ();
}
