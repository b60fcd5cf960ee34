/* allset-application.h — the single instance of ALLSET Sync
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * fr.allset.Sync is a GApplication: a second launch hands its command line
 * to the running instance. `allset-sync --background` (the login autostart)
 * starts without a window; a plain launch shows the window, or brings it
 * up when the app already runs. The application owns the engine side:
 * the configuration, the account's AllsetClient, one AllsetFolderSession
 * per synced folder, and the tray icon.
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define ALLSET_APPLICATION_ID "fr.allset.Sync"

#define ALLSET_TYPE_APPLICATION (allset_application_get_type ())
G_DECLARE_FINAL_TYPE (AllsetApplication, allset_application, ALLSET, APPLICATION, AdwApplication)

AllsetApplication *allset_application_new (void);

G_END_DECLS
