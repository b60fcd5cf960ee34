/* test-nautilus-fixture.h — what the Nautilus extension's tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <nautilus-extension.h>

G_BEGIN_DECLS

#define APP_ID   "fr.allset.Sync"
#define APP_PATH "/fr/allset/Sync"

/* GLib polls every 4 s for a watched file whose directory is missing. */
#define WAIT_MS  10000

/* ---- the module, as Nautilus loads it ---- */

#define TEST_TYPE_MODULE (test_module_get_type ())
G_DECLARE_FINAL_TYPE (TestModule, test_module, TEST, MODULE, GTypeModule)

struct _TestModule
{
  GTypeModule  parent_instance;

  GModule     *library;
  void       (*list_types) (const GType **types,
                            int          *n_types);
};

extern TestModule *the_module;
extern GType       test_provider_type;

void      test_module_load_once (void);

/* ---- fixture: files under root, allset.conf in $XDG_CONFIG_HOME ---- */

typedef struct
{
  char                 *root;       /* holds the synced folders and others */
  NautilusMenuProvider *provider;
  guint                 updates;    /* items-updated emissions */
} Fixture;

void      fixture_setup    (Fixture       *f,
                            gconstpointer  data);
void      fixture_teardown (Fixture       *f,
                            gconstpointer  data);
void      rm_rf            (GFile         *file);
char     *make_path        (Fixture       *f,
                            const char    *relative);
void      make_file        (Fixture       *f,
                            const char    *relative);
void      make_link        (Fixture       *f,
                            const char    *relative,
                            const char    *target_relative);
/* Syncs root/relative with remote ("" = the account root), or stops, with
 * the engine's own configuration code. */
void      sync_folder      (Fixture       *f,
                            const char    *relative,
                            const char    *remote);
void      unsync_folder    (Fixture       *f,
                            const char    *relative);
/* Iterates the main context until done (data) or timeout_ms. */
gboolean  wait_until       (gboolean     (*done) (gpointer data),
                            gpointer       data,
                            guint          timeout_ms);
/* The provider as Nautilus makes it, once its first read is done. */
void      start_provider   (Fixture       *f);
/* f->updates > 0: items-updated was emitted (a wait_until condition). */
gboolean  provider_updated (gpointer       f);
/* The items for a selection (NULL-terminated; paths relative to root, or
 * URIs with a scheme). */
GList    *items_for        (Fixture       *f,
                            const char    *first,
                            ...) G_GNUC_NULL_TERMINATED;
/* How many items one path gets; checks their label. */
guint     n_items          (Fixture       *f,
                            const char    *name);

/* ---- the app's stand-in: records every call ("Method (parameters)") ---- */

typedef struct
{
  GDBusConnection *connection;
  guint            object_id;
  GPtrArray       *calls;
} FakeApp;

/* Exports org.freedesktop.Application on connection and owns APP_ID. */
void      fake_app_start   (FakeApp         *app,
                            GDBusConnection *connection);
void      fake_app_stop    (FakeApp         *app);
gboolean  fake_app_called  (gpointer         app);
/* The stand-in D-Bus activation starts (this binary with --fake-app
 * OUT_PATH): writes the first call to out_path and exits. */
int       run_fake_app     (const char      *out_path);

G_END_DECLS
