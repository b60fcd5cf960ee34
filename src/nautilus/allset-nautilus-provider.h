/* allset-nautilus-provider.h — « Partager avec ALLSET » in Nautilus's menu
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A NautilusMenuProvider: one item for one local file or folder inside a
 * synced folder; activating it asks the running app (D-Bus activation
 * starts it when it is not) to share that path: ActivateAction
 * ("share-path", [<path>]) on fr.allset.Sync, /fr/allset/Sync.
 */

#pragma once

#include <nautilus-extension.h>

G_BEGIN_DECLS

#define ALLSET_NAUTILUS_APP_ID   "fr.allset.Sync"
#define ALLSET_NAUTILUS_APP_PATH "/fr/allset/Sync"

#define ALLSET_TYPE_NAUTILUS_PROVIDER (allset_nautilus_provider_get_type ())
G_DECLARE_FINAL_TYPE (AllsetNautilusProvider, allset_nautilus_provider,
                      ALLSET, NAUTILUS_PROVIDER, GObject)

/* A dynamic type: registered with the extension's GTypeModule. */
void allset_nautilus_provider_register (GTypeModule *module);

G_END_DECLS
