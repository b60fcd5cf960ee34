/* allset-tray.h — the app's icon in the system tray, whatever the system
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GTK 4 has no tray API. AllsetTray is the one small interface the app
 * talks to; each system has a backend compiled only there:
 *
 *   Linux    allset-tray-sni.c + allset-dbusmenu.c: a StatusNotifierItem
 *            and its com.canonical.dbusmenu menu, written on GDBus (no GTK 3
 *            library). Registers with org.kde.StatusNotifierWatcher and
 *            registers again whenever the watcher reappears.
 *   Windows  allset-tray-win32.c: Shell_NotifyIcon.
 *   macOS    allset-tray-macos.m: NSStatusItem.
 *
 * The menu (in French through gettext): Ouvrir le dossier ALLSET, Ouvrir
 * ALLSET Sync, Partager un fichier…, Suspendre/Reprendre, the last five
 * activities, Préférences, Quitter. Each entry activates an action of the
 * GActionGroup given to allset_tray_new() (the GApplication):
 *
 *   app.open-folder  app.show-window  app.share-file  app.toggle-pause
 *   app.show-activity (string: the activity's path)  app.preferences
 *   app.quit
 *
 * "available" is TRUE while a tray host shows the icon (on Linux: the
 * watcher accepted the registration and says a host is registered). When
 * it is FALSE after start-up (GNOME Shell without the AppIndicator
 * extension), the app says so once and shows its window instead.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  ALLSET_TRAY_STATUS_IDLE,            /* « À jour » */
  ALLSET_TRAY_STATUS_SYNCING,         /* « Synchronisation (42 %) » */
  ALLSET_TRAY_STATUS_PAUSED,          /* « En pause » */
  ALLSET_TRAY_STATUS_PAUSED_METERED,  /* « En pause (connexion limitée) » */
  ALLSET_TRAY_STATUS_ERROR,           /* « Erreur » */
  ALLSET_TRAY_STATUS_OFFLINE,         /* « Hors ligne » */
} AllsetTrayStatus;

#define ALLSET_TYPE_TRAY (allset_tray_get_type ())
G_DECLARE_FINAL_TYPE (AllsetTray, allset_tray, ALLSET, TRAY, GObject)

/* actions: where menu entries go (the GApplication). connection: the
 * session bus to use (tests pass a private one); NULL = the session bus.
 * The icon appears as soon as the backend can show it. */
AllsetTray       *allset_tray_new           (GActionGroup    *actions,
                                             GDBusConnection *connection);
/* percent: for SYNCING (0–100); detail: the tooltip's second line (may
 * be NULL), e.g. "3 fichiers restants". */
void              allset_tray_set_status    (AllsetTray       *self,
                                             AllsetTrayStatus  status,
                                             guint             percent,
                                             const char       *detail);
AllsetTrayStatus  allset_tray_get_status    (AllsetTray       *self);
/* The menu's last activities (NULL-terminated, newest first; at most 5
 * are shown). Each item: the label shown and the path passed to
 * app.show-activity. */
void              allset_tray_set_recent    (AllsetTray         *self,
                                             const char * const *labels,
                                             const char * const *paths);
/* Suspendre or Reprendre in the menu. */
void              allset_tray_set_paused    (AllsetTray       *self,
                                             gboolean          paused);
gboolean          allset_tray_get_available (AllsetTray       *self);

/* Icon names (installed under data/icons/hicolor by the app), one per
 * status: fr.allset.Sync (idle), fr.allset.Sync-syncing,
 * fr.allset.Sync-paused, fr.allset.Sync-error, fr.allset.Sync-offline. */
const char       *allset_tray_status_icon_name (AllsetTrayStatus status);

G_END_DECLS
