/* main.c — allset-server: `serve` runs the server, `admin` manages it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <glib/gi18n.h>

#include "allset-admin.h"
#include "allset-server.h"

static void
print_usage (void)
{
  g_printerr ("%s\n\n%s\n  %s\n  %s\n  %s\n\n%s\n",
              _("Usage: allset-server COMMAND [OPTION…]"),
              _("Commands:"),
              _("serve     Run the HTTPS server (allset-server serve --help)"),
              _("admin     Manage accounts, devices and maintenance (allset-server admin --help)"),
              _("--version Print the version"),
              _("The server only speaks HTTPS: serve needs --tls-cert and --tls-key, or --dev-cert."));
}

int
main (int    argc,
      char **argv)
{
#if defined(__GLIBC__) && defined(M_ARENA_MAX)
  /* glibc gives each worker thread its own malloc arena, and memory freed
   * in one is not reused by the others: the peak RSS of 10 000 small files
   * went from 85 to 103–117 MB when commit answers grew (receipts v2),
   * with the same data in use. Two arenas: 76 MB (bench/RESULTS.md). */
  mallopt (M_ARENA_MAX, 2);
#endif
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_prgname ("allset-server");

  if (argc < 2)
    {
      print_usage ();
      return 2;
    }

  /* Each subcommand sees itself as argv[0], as its own GOptionContext expects. */
  if (g_str_equal (argv[1], "serve"))
    return allset_serve_main (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "admin"))
    return allset_admin_main (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("allset-server %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }

  if (!g_str_equal (argv[1], "--help") && !g_str_equal (argv[1], "-h"))
    g_printerr (_("allset-server: unknown command “%s”\n"), argv[1]);
  print_usage ();
  return 2;
}
