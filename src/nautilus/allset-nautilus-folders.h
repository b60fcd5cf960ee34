/* allset-nautilus-folders.h — the synced folders, as the file manager sees them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Nautilus extension reads the engine's configuration file itself
 * ($XDG_CONFIG_HOME/allset/allset.conf, the [folder "ID"] groups' local
 * and remote keys; the format is documented in src/engine/allset-config.h)
 * rather than linking the engine, whose libsoup, SQLite and libsecret have
 * no business inside the file manager's process. The list is read in a
 * thread, kept, and read again when the file changes (GFileMonitor).
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ALLSET_TYPE_NAUTILUS_FOLDERS (allset_nautilus_folders_get_type ())
G_DECLARE_FINAL_TYPE (AllsetNautilusFolders, allset_nautilus_folders,
                      ALLSET, NAUTILUS_FOLDERS, GObject)

/* A dynamic type: registered with the extension's GTypeModule. */
void                   allset_nautilus_folders_register (GTypeModule *module);

/* Starts reading and watching the configuration of this user (the
 * "changed" signal follows each read, the first one included). */
AllsetNautilusFolders *allset_nautilus_folders_new      (void);

/* TRUE when path (absolute, symlinks of its parents resolved) is inside a
 * synced folder and is not the root of a folder synced with the account
 * root: what allset_config_remote_path_for() accepts. */
gboolean               allset_nautilus_folders_can_share (AllsetNautilusFolders *self,
                                                          const char            *path);

G_END_DECLS
