/* main.c — allset-sync: the ALLSET Sync desktop app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <locale.h>

#include <glib/gi18n.h>

#include "allset-application.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(AllsetApplication) app = NULL;
  /* Uninstalled runs (make run, tests) point at the build's catalogues. */
  const char *localedir = g_getenv ("ALLSET_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = allset_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
