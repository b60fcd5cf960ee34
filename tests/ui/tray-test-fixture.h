/* tray-test-fixture.h — the test watcher, host and fixture of test-tray
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "allset-tray.h"

#define WAIT_SECONDS 10
#define ITEM_INTERFACE "org.kde.StatusNotifierItem"
#define MENU_INTERFACE "com.canonical.dbusmenu"
#define BASE_MENU "Open the ALLSET folder|Open ALLSET Sync|Share a file…|---|Pause|---|Preferences|Quit"

gboolean tray_test_wake (gpointer data);

/* Bounded: a regression fails the assertion instead of hanging. */
#define WAIT_UNTIL(cond) G_STMT_START {                                      \
    guint wake_id_ = g_timeout_add (20, tray_test_wake, NULL);               \
    gint64 deadline_ = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC; \
    while (!(cond) && g_get_monotonic_time () < deadline_)                   \
      g_main_context_iteration (NULL, TRUE);                                 \
    g_source_remove (wake_id_);                                              \
    g_assert_true (cond);                                                    \
  } G_STMT_END

/* org.kde.StatusNotifierWatcher on its own connection, like plasmashell. */
typedef struct
{
  GDBusConnection *connection;
  guint            registration;
  gboolean         host_registered;
  guint            host_queries;
  GPtrArray       *services;   /* what RegisterStatusNotifierItem received */
  GPtrArray       *senders;
} TestWatcher;

/* One private bus; the app's, the host's and the watcher's connections. */
typedef struct
{
  GTestDBus          *bus;
  GDBusConnection    *app;
  GDBusConnection    *host;
  TestWatcher        *watcher;
  GSimpleActionGroup *actions;
  GPtrArray          *activated;     /* "quit", "show-activity:/a/b" */
  AllsetTray         *tray;
  guint               available_notifies;
  guint               host_signal;
  GHashTable         *signal_counts; /* member name -> count */
  char               *last_new_status;
  guint               last_revision;
  GPtrArray          *garbage;       /* strings freed at teardown */
} Fixture;

typedef struct { gboolean done; GVariant *reply; GError *error; } CallResult;

/* Sets the environment and the abort handler: first thing in main(). */
void         tray_test_init   (void);

TestWatcher *watcher_start    (GTestDBus *bus, gboolean host_registered);
void         watcher_stop     (TestWatcher *watcher);
void         watcher_set_host (TestWatcher *watcher, gboolean registered);

void         setup_bare       (Fixture *f, gconstpointer data);
void         setup            (Fixture *f, gconstpointer data);
void         teardown         (Fixture *f, gconstpointer data);
void         create_tray      (Fixture *f);

const char  *print_take       (Fixture *f, GVariant *value);
guint        signal_count     (Fixture *f, const char *member);
GVariant    *call_to          (Fixture *f, const char *destination, const char *path,
                               const char *interface, const char *method,
                               GVariant *parameters, const char *reply_type, GError **error);
GVariant    *call             (Fixture *f, const char *path, const char *interface,
                               const char *method, GVariant *parameters,
                               const char *reply_type, GError **error);
char        *item_string      (Fixture *f, const char *name);
char        *tooltip_text     (Fixture *f);
char        *menu_layout      (Fixture *f, guint *revision, GArray *ids);
int          menu_id_of       (Fixture *f, const char *wanted_label);
void         click            (Fixture *f, int id, GError **error);
gboolean     item_name_on_bus (Fixture *f);
void         block_item_names (Fixture *f);
