/* allset-autostart.h — start ALLSET Sync at login, or not
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Linux: an XDG autostart entry, $XDG_CONFIG_HOME/autostart/
 * fr.allset.Sync.desktop, running `allset-sync --background`; inside
 * Flatpak the sandbox cannot write there, so the Background portal is
 * asked instead (RequestBackground with autostart). Windows (a Run key)
 * and macOS (SMAppService) are the installers' business: see
 * packaging/README.md.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The entry's path (outside Flatpak). */
char     *allset_autostart_path   (void);
/* Writes or removes the entry, or asks the portal; async (file I/O). */
void      allset_autostart_set_async  (gboolean              enabled,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
gboolean  allset_autostart_set_finish (GAsyncResult         *result,
                                       GError              **error);

G_END_DECLS
