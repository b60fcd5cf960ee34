/* allset-notifier.h — what the app tells the user without being asked
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GNotification for conflicts, failures, finished large transfers, a
 * stop (revoked session, suspended account, no space), and the metered
 * pause (terms R14: the connection may be billed; the notification
 * offers « Synchroniser quand même » and « Petits fichiers seulement »,
 * app.metered-policy). Also feeds the tray's last five activities. Off
 * when the "notifications" setting is.
 */

#pragma once

#include <gio/gio.h>

#include "allset-app-state.h"
#include "allset-tray.h"

G_BEGIN_DECLS

/* Files at least this big get a notification when their transfer ends. */
#define ALLSET_NOTIFIER_LARGE_FILE (100 * 1000 * 1000)

#define ALLSET_TYPE_NOTIFIER (allset_notifier_get_type ())
G_DECLARE_FINAL_TYPE (AllsetNotifier, allset_notifier, ALLSET, NOTIFIER, GObject)

/* settings may be NULL (no schema installed: notifications stay on). */
AllsetNotifier *allset_notifier_new (GApplication   *app,
                                     AllsetAppState *state,
                                     AllsetTray     *tray,
                                     GSettings      *settings);
/* « Lien copié dans le presse-papiers »: a share link to name was just
 * created and copied (allset-share-dialog.c). */
void            allset_notifier_link_copied (AllsetNotifier *self,
                                             const char     *name);

G_END_DECLS
