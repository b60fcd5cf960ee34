/* allset-connect.c — the signed-in account's client, from config + secrets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gi18n.h>

#include "allset-connect.h"
#include "allset-secrets.h"

G_DEFINE_QUARK (allset-connect-error-quark, allset_connect_error)

AllsetClient *
allset_connect (AllsetConfig  *config,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(AllsetSecrets) secrets = NULL;
  g_autofree char *token = NULL;
  AllsetClient *client;
  const char *server = allset_config_get_server (config);
  const char *username = allset_config_get_username (config);

  if (!allset_config_is_signed_in (config))
    {
      g_set_error_literal (error, ALLSET_CONNECT_ERROR, ALLSET_CONNECT_ERROR_NOT_SIGNED_IN,
                           _("Not signed in."));
      return NULL;
    }

  secrets = allset_secrets_new (allset_config_get_token_file (config));
  token = allset_secrets_lookup (secrets, server, username, cancellable, error);
  if (token == NULL)
    {
      if (error != NULL && *error != NULL)
        return NULL;
      if (allset_secrets_get_token_file (secrets) != NULL)
        g_set_error (error, ALLSET_CONNECT_ERROR, ALLSET_CONNECT_ERROR_NO_TOKEN,
                     _("No device token in %s."), allset_secrets_get_token_file (secrets));
      else
        g_set_error (error, ALLSET_CONNECT_ERROR, ALLSET_CONNECT_ERROR_NO_TOKEN,
                     _("No device token for %s on %s in the keyring."), username, server);
      return NULL;
    }

  client = allset_client_new (server, allset_config_get_fingerprint (config), token, error);
  /* The token now lives in the client only. */
  memset (token, 0, strlen (token));
  return client;
}

static void
connect_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  AllsetClient *client = allset_connect (task_data, cancellable, &error);

  if (client == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, client, g_object_unref);
}

void
allset_connect_async (AllsetConfig        *config,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, allset_connect_async);
  g_task_set_task_data (task, g_object_ref (config), g_object_unref);
  g_task_run_in_thread (task, connect_thread);
}

AllsetClient *
allset_connect_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
