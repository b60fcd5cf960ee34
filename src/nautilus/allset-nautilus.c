/* allset-nautilus.c — the Nautilus extension's entry points
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Nautilus (libnautilus-extension-4) loads every module of its extension
 * directory, calls nautilus_module_initialize() with a GTypeModule, and
 * makes one object of each type nautilus_module_list_types() names. Our
 * types are dynamic ones registered with that module.
 *
 * The module lives in Nautilus's process: it links GIO and the extension
 * library only, never the engine (libsoup, SQLite, libsecret). It reads
 * the synced folders from the engine's file itself
 * (allset-nautilus-folders.c) and leaves the sharing to the app. Only
 * these three functions are exported (the rest is hidden: nothing of ours
 * can clash with Nautilus's symbols or another extension's).
 */

#include <glib/gi18n-lib.h>
#include <gmodule.h>

#include "allset-nautilus-folders.h"
#include "allset-nautilus-provider.h"

static GType types[1];

G_MODULE_EXPORT void
nautilus_module_initialize (GTypeModule *module)
{
  /* Uninstalled runs (tests) point at the build's catalogues, as the app
   * does. Our strings use our own domain (gi18n-lib.h's macros), never
   * Nautilus's default one. */
  const char *localedir = g_getenv ("ALLSET_LOCALEDIR");

  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  allset_nautilus_folders_register (module);
  allset_nautilus_provider_register (module);
  types[0] = ALLSET_TYPE_NAUTILUS_PROVIDER;
}

G_MODULE_EXPORT void
nautilus_module_shutdown (void)
{
}

G_MODULE_EXPORT void
nautilus_module_list_types (const GType **list,
                            int          *n_types)
{
  *list = types;
  *n_types = G_N_ELEMENTS (types);
}
