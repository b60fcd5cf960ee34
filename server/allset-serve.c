/* allset-serve.c — `allset-server serve`: certificate, server, main loop
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <signal.h>

#include "allset-server.h"
#include "allset-tls.h"

static gboolean
quit_on_signal (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

int
allset_serve_main (int    argc,
                   char **argv)
{
  g_autoptr(AllsetServerConfig) config = allset_server_config_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(AllsetServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *cert_path = NULL;
  g_autofree char *key_path = NULL;
  g_autofree char *fingerprint = NULL;
  const char *host;

  if (!allset_server_config_parse_args (config, &argc, &argv, &error))
    {
      g_printerr ("allset-server serve: %s\n", error->message);
      return 2;
    }

  if (config->dev_cert)
    {
      if (!allset_tls_ensure_dev_cert (config->data_dir, &cert_path, &key_path, &error))
        {
          g_printerr (_("Cannot create the development certificate: %s\n"), error->message);
          return 1;
        }
    }
  else
    {
      cert_path = g_strdup (config->tls_cert);
      key_path = g_strdup (config->tls_key);
    }

  certificate = allset_tls_load (cert_path, key_path, &error);
  if (certificate == NULL)
    {
      g_printerr (_("Cannot load the TLS certificate: %s\n"), error->message);
      return 1;
    }

  host = config->listen_host;
  server = allset_server_new (g_steal_pointer (&config), certificate, &error);
  if (server == NULL)
    {
      g_printerr (_("Cannot start the server: %s\n"), error->message);
      return 1;
    }

  fingerprint = allset_tls_fingerprint (certificate);
  /* Tests and scripts read these two lines to find the port and pin the key. */
  g_print ("allset-server %s listening on https://%s%s%s:%u/\n", PACKAGE_VERSION,
           strchr (host, ':') ? "[" : "", host, strchr (host, ':') ? "]" : "",
           allset_server_get_port (server));
  g_print ("TLS certificate SHA-256 fingerprint: %s\n", fingerprint);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_on_signal, loop);
  g_unix_signal_add (SIGTERM, quit_on_signal, loop);
  g_main_loop_run (loop);

  g_print ("%s\n", _("allset-server stopped"));
  return 0;
}
