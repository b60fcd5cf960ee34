/* app-fixture.h — what the app's ui tests share: the real app, the real
 * server, a notification server, and ways to wait, click and look
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything runs inside run-ui-test.sh (private D-Bus session, a real
 * gnome-keyring, Xvfb). The application is the real AllsetApplication,
 * driven through its widgets (template children, as a user would click
 * them); the server is the real allset-server over TLS.
 */

#pragma once

#include <adwaita.h>

#include "allset-app-state.h"
#include "allset-application-private.h"
#include "test-cli-server.h"

G_BEGIN_DECLS

typedef struct
{
  TestCliServer     *server;
  AllsetApplication *app;
  char              *folder;      /* the app's ALLSET folder */
  char              *network;     /* ALLSET_TEST_NETWORK_FILE */
} Fixture;

typedef struct { Fixture *f; const char *name; } StepWait;
typedef void (*TestBody) (Fixture *f);

/* The main loop, until cond (data) holds: FALSE after timeout_s. */
gboolean     wait_until                (gboolean  (*cond) (gpointer),
                                        gpointer    data,
                                        guint       timeout_s);
void         spin                      (guint       msec);
gboolean     wait_state                (Fixture            *f,
                                        AllsetSessionState  state,
                                        guint               timeout_s);
/* Conditions for wait_until(): data is the Fixture, or a StepWait. */
gboolean     on_step                   (gpointer    data);
gboolean     error_shown               (gpointer    data);
gboolean     start_enabled             (gpointer    data);
gboolean     session_idle              (gpointer    data);

/* The widgets, as a user reaches them. */
GtkWindow   *window_of                 (Fixture    *f);
gpointer     child                     (gpointer    widget,
                                        GType       type,
                                        const char *name);
gpointer     setup_child               (Fixture    *f,
                                        const char *name);
void         click                     (gpointer    button);
void         type_text                 (gpointer    editable,
                                        const char *text);
const char  *label_text                (gpointer    label);
void         assert_contains           (const char *text,
                                        const char *part);
/* NAME.png in $ALLSET_SCREENSHOT_DIR. */
void         screenshot_window         (GtkWindow  *window,
                                        const char *name);
void         screenshot                (Fixture    *f,
                                        const char *name);

/* The visible AdwMessageDialog, or NULL; the second is for wait_until(). */
AdwMessageDialog *message_dialog      (void);
gboolean     message_dialog_open       (gpointer    data);
/* Before g_test_init(): the app's strings in French, as the user sees
 * them (screenshots are taken with LANGUAGE=fr). */
void         use_french                (void);

/* Another device of the account puts name on the server. */
void         upload_from_other_device  (Fixture    *f,
                                        const char *name,
                                        const char *content);
/* org.freedesktop.Notifications on the private bus, remembering
 * "summary\nbody" of what it is asked to show. */
void         start_notification_server (void);
gboolean     notification_shown        (gpointer    summary);

void         fixture_set_up            (Fixture      *f,
                                        gconstpointer data);
void         fixture_tear_down         (Fixture      *f,
                                        gconstpointer data);
/* What the first-run assistant does, done directly. */
void         sign_in_directly          (Fixture    *f);
/* The real app (g_application_run) with body running in its main loop. */
void         run_app                   (Fixture    *f,
                                        TestBody    body);

G_END_DECLS
