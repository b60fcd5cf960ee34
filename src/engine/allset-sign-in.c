/* allset-sign-in.c — signing a device in: check the server, then log in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gi18n.h>

#include "allset-error.h"
#include "allset-secrets.h"
#include "allset-sign-in.h"
#include "allset-version.h"

G_DEFINE_QUARK (allset-sign-in-error-quark, allset_sign_in_error)

static gboolean
is_network_error (const GError *error)
{
  return (error->domain == G_IO_ERROR && error->code != G_IO_ERROR_CANCELLED) ||
         error->domain == G_RESOLVER_ERROR ||
         error->domain == G_TLS_ERROR;
}

void
allset_sign_in_probe_free (AllsetSignInProbe *self)
{
  if (self == NULL)
    return;
  g_free (self->url);
  g_free (self->fingerprint);
  g_clear_pointer (&self->status, allset_server_status_free);
  g_free (self->untrusted_fingerprint);
  g_free (self);
}

static void
set_maintenance_error (const AllsetServerStatus  *status,
                       GError                   **error)
{
  g_autoptr(GDateTime) until = NULL;
  g_autofree char *when = NULL;

  if (status->maintenance_until != NULL)
    until = g_date_time_new_from_iso8601 (status->maintenance_until, NULL);

  if (until != NULL)
    {
      gint64 seconds = g_date_time_to_unix (until) - g_get_real_time () / G_USEC_PER_SEC;
      guint minutes = (guint) CLAMP ((seconds + 59) / 60, 1, G_MAXINT);

      when = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "The server is under maintenance until %s; retry in %u minute.",
                                           "The server is under maintenance until %s; retry in %u minutes.",
                                           minutes),
                              status->maintenance_until, minutes);
    }
  else
    when = g_strdup (_("The server is under maintenance; retry later."));

  if (status->maintenance_message != NULL)
    g_set_error (error, ALLSET_SIGN_IN_ERROR, ALLSET_SIGN_IN_ERROR_MAINTENANCE,
                 _("%s Message from the server: %s"), when, status->maintenance_message);
  else
    g_set_error_literal (error, ALLSET_SIGN_IN_ERROR, ALLSET_SIGN_IN_ERROR_MAINTENANCE, when);
}

AllsetSignInProbe *
allset_sign_in_probe (const char    *server,
                      const char    *fingerprint,
                      char         **untrusted,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(AllsetSignInProbe) probe = g_new0 (AllsetSignInProbe, 1);
  g_autoptr(AllsetClient) client = NULL;
  g_autoptr(GError) local_error = NULL;

  if (untrusted != NULL)
    *untrusted = NULL;

  if (!(probe->url = allset_client_normalize_url (server, error)))
    return NULL;
  if (fingerprint != NULL && *fingerprint != '\0' &&
      !(probe->fingerprint = allset_client_fingerprint_normalize (fingerprint, error)))
    return NULL;

  if (!(client = allset_client_new (probe->url, probe->fingerprint, NULL, error)))
    return NULL;

  probe->status = allset_client_status (client, cancellable, &local_error);
  if (probe->status == NULL)
    {
      if (untrusted != NULL &&
          g_error_matches (local_error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_UNTRUSTED_CERTIFICATE))
        *untrusted = allset_client_dup_untrusted_fingerprint (client);
      else if (is_network_error (local_error))
        g_prefix_error (&local_error, _("Cannot reach the server %s: "), probe->url);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (probe->status->protocol != ALLSET_PROTOCOL_VERSION)
    {
      g_set_error (error, ALLSET_SIGN_IN_ERROR, ALLSET_SIGN_IN_ERROR_PROTOCOL,
                   _("The server speaks version %d of the protocol; this program speaks version %d."),
                   (int) CLAMP (probe->status->protocol, G_MININT, G_MAXINT), ALLSET_PROTOCOL_VERSION);
      return NULL;
    }
  if (probe->status->maintenance)
    {
      set_maintenance_error (probe->status, error);
      return NULL;
    }

  return g_steal_pointer (&probe);
}

/* Revokes a replaced token, best effort: its device would linger otherwise. */
static void
revoke_old_token (const char *server,
                  const char *fingerprint,
                  const char *token)
{
  g_autoptr(AllsetClient) old = allset_client_new (server, fingerprint, token, NULL);

  if (old != NULL)
    allset_client_logout (old, NULL, NULL);
}

gboolean
allset_sign_in_check (AllsetConfig                  *config,
                      const AllsetSignInProbe       *probe,
                      const AllsetSignInCredentials *credentials,
                      GCancellable                  *cancellable,
                      GError                       **error)
{
  g_autoptr(AllsetSecrets) secrets = NULL;
  g_autofree char *token_file = NULL;
  const char *old_server = allset_config_get_server (config);
  const char *old_user = allset_config_get_username (config);

  /* The folders' journals describe one account's files. */
  if (allset_config_get_folders (config)->len > 0 && old_server != NULL &&
      (!g_str_equal (old_server, probe->url) || g_strcmp0 (old_user, credentials->user) != 0))
    {
      g_set_error (error, ALLSET_SIGN_IN_ERROR, ALLSET_SIGN_IN_ERROR_OTHER_ACCOUNT,
                   _("The folders of %s are synced with the account %s on %s; use another "
                     "configuration to sign in to another account."),
                   allset_config_get_path (config), old_user, old_server);
      return FALSE;
    }

  if (credentials->token_file != NULL)
    {
      AllsetFolderConfig *folder;

      token_file = g_canonicalize_filename (credentials->token_file, NULL);
      folder = allset_config_folder_for_path (config, token_file);
      if (folder != NULL)
        {
          g_set_error (error, ALLSET_SIGN_IN_ERROR, ALLSET_SIGN_IN_ERROR_TOKEN_FILE,
                       _("The token file %s would be inside the synced folder %s and uploaded "
                         "with it; choose a path outside every synced folder."),
                       token_file, folder->local);
          return FALSE;
        }
    }

  secrets = allset_secrets_new (token_file);
  return allset_secrets_check (secrets, cancellable, error);
}

char *
allset_sign_in_login (AllsetConfig                  *config,
                      const AllsetSignInProbe       *probe,
                      const AllsetSignInCredentials *credentials,
                      GCancellable                  *cancellable,
                      GError                       **error)
{
  g_autoptr(AllsetClient) client = NULL;
  g_autoptr(AllsetSecrets) secrets = NULL;
  g_autoptr(AllsetLoginInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *old_token = NULL;
  g_autofree char *old_server = g_strdup (allset_config_get_server (config));
  g_autofree char *old_user = g_strdup (allset_config_get_username (config));
  g_autofree char *old_token_file = g_strdup (allset_config_get_token_file (config));
  const char *url = probe->url;
  const char *user = credentials->user;
  const char *device_name = credentials->device_name != NULL ? credentials->device_name
                                                             : g_get_host_name ();

  if (!allset_sign_in_check (config, probe, credentials, cancellable, error))
    return NULL;

  if (credentials->token_file != NULL)
    token_file = g_canonicalize_filename (credentials->token_file, NULL);
  if (!(client = allset_client_new (url, probe->fingerprint, NULL, error)))
    return NULL;
  secrets = allset_secrets_new (token_file);

  /* The token this login replaces, to revoke it once the new one is kept. */
  if (old_server != NULL && g_str_equal (old_server, url) &&
      g_strcmp0 (old_user, user) == 0 && allset_config_is_signed_in (config))
    {
      g_autoptr(AllsetSecrets) old_secrets = allset_secrets_new (old_token_file);

      old_token = allset_secrets_lookup (old_secrets, url, user, cancellable, NULL);
    }

  info = allset_client_login (client, user, credentials->password, device_name,
                              cancellable, &local_error);
  if (info == NULL)
    {
      if (g_error_matches (local_error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_UNAUTHORIZED))
        g_set_error_literal (error, ALLSET_SIGN_IN_ERROR, ALLSET_SIGN_IN_ERROR_WRONG_PASSWORD,
                             _("Wrong user name or password."));
      else if (g_error_matches (local_error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_TOO_MANY_ATTEMPTS))
        {
          guint seconds = MAX (allset_client_get_retry_after (client, NULL), 1);

          g_set_error (error, ALLSET_SIGN_IN_ERROR, ALLSET_SIGN_IN_ERROR_THROTTLED,
                       g_dngettext (GETTEXT_PACKAGE,
                                    "Too many failed sign-in attempts; retry in %u second.",
                                    "Too many failed sign-in attempts; retry in %u seconds.",
                                    seconds),
                       seconds);
        }
      else if (is_network_error (local_error))
        {
          g_prefix_error (&local_error, _("Cannot reach the server %s: "), url);
          g_propagate_error (error, g_steal_pointer (&local_error));
        }
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (!allset_secrets_store (secrets, url, user, info->token, cancellable, error))
    {
      allset_client_logout (client, NULL, NULL);
      return NULL;
    }

  allset_config_set_account (config, url, user, info->device_id, probe->fingerprint, token_file);
  if (!allset_config_save (config, error))
    {
      allset_secrets_clear (secrets, url, user, NULL, NULL);
      allset_client_logout (client, NULL, NULL);
      return NULL;
    }

  if (old_token != NULL && !g_str_equal (old_token, info->token))
    {
      revoke_old_token (url, probe->fingerprint, old_token);
      /* The old token's store, when it is not the one just written. */
      if (g_strcmp0 (old_token_file, token_file) != 0)
        {
          g_autoptr(AllsetSecrets) old_secrets = allset_secrets_new (old_token_file);

          allset_secrets_clear (old_secrets, url, user, NULL, NULL);
        }
    }
  if (old_token != NULL)
    memset (old_token, 0, strlen (old_token));
  memset (info->token, 0, strlen (info->token));

  return g_strdup (info->device_id);
}

/* ---- async --------------------------------------------------------------- */

typedef struct
{
  char *server;
  char *fingerprint;
  char *untrusted;
} ProbeData;

static void
probe_data_free (ProbeData *data)
{
  g_free (data->server);
  g_free (data->fingerprint);
  g_free (data->untrusted);
  g_free (data);
}

static void
probe_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  ProbeData *data = task_data;
  GError *error = NULL;
  AllsetSignInProbe *probe = allset_sign_in_probe (data->server, data->fingerprint,
                                                   &data->untrusted, cancellable, &error);

  if (probe == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, probe, (GDestroyNotify) allset_sign_in_probe_free);
}

void
allset_sign_in_probe_async (const char          *server,
                            const char          *fingerprint,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  ProbeData *data = g_new0 (ProbeData, 1);

  data->server = g_strdup (server);
  data->fingerprint = g_strdup (fingerprint);
  g_task_set_source_tag (task, allset_sign_in_probe_async);
  g_task_set_task_data (task, data, (GDestroyNotify) probe_data_free);
  g_task_run_in_thread (task, probe_thread);
}

AllsetSignInProbe *
allset_sign_in_probe_finish (GAsyncResult  *result,
                             char         **untrusted,
                             GError       **error)
{
  ProbeData *data = g_task_get_task_data (G_TASK (result));

  if (untrusted != NULL)
    *untrusted = g_strdup (data->untrusted);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  AllsetConfig      *config;
  AllsetSignInProbe *probe;
  char              *user;
  char              *password;
  char              *device_name;
  char              *token_file;
} LoginData;

static void
login_data_free (LoginData *data)
{
  g_object_unref (data->config);
  allset_sign_in_probe_free (data->probe);
  g_free (data->user);
  if (data->password != NULL)
    memset (data->password, 0, strlen (data->password));
  g_free (data->password);
  g_free (data->device_name);
  g_free (data->token_file);
  g_free (data);
}

static void
login_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  LoginData *data = task_data;
  AllsetSignInCredentials credentials = {
    data->user, data->password, data->device_name, data->token_file,
  };
  GError *error = NULL;
  char *device_id = allset_sign_in_login (data->config, data->probe, &credentials,
                                          cancellable, &error);

  if (device_id == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, device_id, g_free);
}

void
allset_sign_in_login_async (AllsetConfig                  *config,
                            const AllsetSignInProbe       *probe,
                            const AllsetSignInCredentials *credentials,
                            GCancellable                  *cancellable,
                            GAsyncReadyCallback            callback,
                            gpointer                       user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  LoginData *data = g_new0 (LoginData, 1);

  data->config = g_object_ref (config);
  data->probe = g_new0 (AllsetSignInProbe, 1);
  data->probe->url = g_strdup (probe->url);
  data->probe->fingerprint = g_strdup (probe->fingerprint);
  data->user = g_strdup (credentials->user);
  data->password = g_strdup (credentials->password);
  data->device_name = g_strdup (credentials->device_name);
  data->token_file = g_strdup (credentials->token_file);
  g_task_set_source_tag (task, allset_sign_in_login_async);
  g_task_set_task_data (task, data, (GDestroyNotify) login_data_free);
  g_task_run_in_thread (task, login_thread);
}

char *
allset_sign_in_login_finish (GAsyncResult  *result,
                             GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
