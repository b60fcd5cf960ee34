/* allset-cli-login.c — `allset-cli login` and `allset-cli logout`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * login checks everything it can before asking for the password: the
 * server answers, its certificate is trusted or pinned, the keyring (or
 * token file) can hold the token. The token then goes to the keyring or
 * the 0600 token file, never to allset.conf.
 */

#include <string.h>

#include <glib/gi18n.h>

#include "allset-cli.h"
#include "allset-sign-in.h"

typedef struct
{
  char     *server;
  char     *user;
  gboolean  password_stdin;
  char     *device_name;
  char     *fingerprint;
  char     *token_file;
} LoginOptions;

static void
login_options_clear (LoginOptions *options)
{
  g_free (options->server);
  g_free (options->user);
  g_free (options->device_name);
  g_free (options->fingerprint);
  g_free (options->token_file);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LoginOptions, login_options_clear)

/* The command line to run again, pinning fingerprint. */
static char *
login_command_line (AllsetCli          *cli,
                    const LoginOptions *options,
                    const char         *fingerprint)
{
  GString *line = g_string_new ("allset-cli");

#define APPEND_OPTION(name, value) \
  G_STMT_START { \
    g_autofree char *quoted = allset_cli_quote (value); \
    g_string_append_printf (line, " %s %s", name, quoted); \
  } G_STMT_END

  if (cli->config_dir != NULL)
    APPEND_OPTION ("--config-dir", cli->config_dir);
  g_string_append (line, " login");
  APPEND_OPTION ("--server", options->server);
  APPEND_OPTION ("--user", options->user);
  if (options->device_name != NULL)
    APPEND_OPTION ("--device-name", options->device_name);
  if (options->token_file != NULL)
    APPEND_OPTION ("--token-file", options->token_file);
  if (options->password_stdin)
    g_string_append (line, " --password-stdin");
  APPEND_OPTION ("--trust-fingerprint", fingerprint);

#undef APPEND_OPTION

  return g_string_free (line, FALSE);
}

static void
print_untrusted (AllsetCli          *cli,
                 const LoginOptions *options,
                 const char         *fingerprint,
                 const GError       *error)
{
  g_autofree char *line = login_command_line (cli, options, fingerprint);

  allset_cli_error ("%s", error->message);
  g_printerr (_("SHA-256 fingerprint: %s\n"), fingerprint);
  g_printerr ("%s\n", _("Compare it with the fingerprint your administrator gave you (allset-server "
                        "prints it at start). Only if they are the same, sign in with:"));
  g_printerr ("  %s\n", line);
}

int
allset_cli_login (AllsetCli  *cli,
                  int         argc,
                  char      **argv)
{
  g_auto(LoginOptions) options = { NULL };
  GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING, &options.server,
      N_("Server address (https:// only)"), N_("URL") },
    { "user", 0, 0, G_OPTION_ARG_STRING, &options.user, N_("User name"), N_("USER") },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &options.password_stdin,
      N_("Read the password from the first line of standard input"), NULL },
    { "device-name", 0, 0, G_OPTION_ARG_STRING, &options.device_name,
      N_("Name of this device on the server (default: the host name)"), N_("NAME") },
    { "trust-fingerprint", 0, 0, G_OPTION_ARG_STRING, &options.fingerprint,
      N_("Accept the server certificate with this SHA-256 fingerprint"), N_("SHA256") },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &options.token_file,
      N_("Keep the device token in this file (mode 0600) instead of the keyring"), N_("FILE") },
    { NULL }
  };
  g_autoptr(AllsetConfig) config = NULL;
  g_autoptr(AllsetSignInProbe) probe = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *pin = NULL;
  g_autofree char *untrusted = NULL;
  g_autofree char *device_id = NULL;
  g_autofree char *prompt = NULL;
  AllsetSignInCredentials credentials = { NULL };
  const char *device_name;
  char *password;
  gboolean usage;

  if (!allset_cli_parse_options ("login", "", N_("Sign in to an ALLSET server."),
                                 entries, &argc, &argv))
    return ALLSET_CLI_USAGE;
  if (argc > 1)
    return allset_cli_usage_error ("login", _("Unexpected argument “%s”"), argv[1]);
  if (options.server == NULL || options.user == NULL)
    return allset_cli_usage_error ("login", _("--server and --user are required"));

  if (!(url = allset_client_normalize_url (options.server, &error)) ||
      (options.fingerprint != NULL &&
       !(pin = allset_client_fingerprint_normalize (options.fingerprint, &error))))
    return allset_cli_usage_error ("login", "%s", error->message);

  if (!(config = allset_cli_load_config (cli)))
    return ALLSET_CLI_ERROR;

  /* Signing in again to the same server keeps its pinned certificate. */
  if (pin == NULL && g_strcmp0 (allset_config_get_server (config), url) == 0)
    pin = g_strdup (allset_config_get_fingerprint (config));

  probe = allset_sign_in_probe (url, pin, &untrusted, NULL, &error);
  if (probe == NULL)
    {
      if (untrusted != NULL)
        print_untrusted (cli, &options, untrusted, error);
      else if (error->domain == ALLSET_PROTOCOL_ERROR)
        allset_cli_print_error (NULL, error);
      else
        allset_cli_error ("%s", error->message);
      return ALLSET_CLI_ERROR;
    }

  device_name = options.device_name != NULL ? options.device_name : g_get_host_name ();
  credentials.user = options.user;
  credentials.device_name = device_name;
  credentials.token_file = options.token_file;

  /* Everything that can fail without the password fails before asking it. */
  if (!allset_sign_in_check (config, probe, &credentials, NULL, &error))
    {
      allset_cli_error ("%s", error->message);
      if (!g_error_matches (error, ALLSET_SIGN_IN_ERROR, ALLSET_SIGN_IN_ERROR_OTHER_ACCOUNT) &&
          !g_error_matches (error, ALLSET_SIGN_IN_ERROR, ALLSET_SIGN_IN_ERROR_TOKEN_FILE))
        g_printerr ("%s\n", _("On a machine without a keyring, pass --token-file FILE: the token "
                              "is then kept in FILE, readable by you only. It is never written to "
                              "the configuration file."));
      return ALLSET_CLI_ERROR;
    }

  prompt = g_strdup_printf (_("Password for %s on %s: "), options.user, url);
  password = allset_cli_read_password (prompt, options.password_stdin, &usage);
  if (password == NULL)
    return usage ? ALLSET_CLI_USAGE : ALLSET_CLI_ERROR;

  credentials.password = password;
  device_id = allset_sign_in_login (config, probe, &credentials, NULL, &error);
  allset_cli_password_free (password);
  if (device_id == NULL)
    {
      if (error->domain == ALLSET_PROTOCOL_ERROR)
        allset_cli_print_error (NULL, error);
      else
        allset_cli_error ("%s", error->message);
      return ALLSET_CLI_ERROR;
    }

  g_print (_("Signed in to %s as %s (device “%s”).\n"), url, options.user, device_name);
  if (allset_config_get_token_file (config) != NULL)
    g_print (_("The device token is in %s, readable by you only.\n"),
             allset_config_get_token_file (config));
  else
    g_print ("%s\n", _("The device token is in the keyring."));

  return ALLSET_CLI_OK;
}

int
allset_cli_logout (AllsetCli  *cli,
                   int         argc,
                   char      **argv)
{
  GOptionEntry entries[] = { { NULL } };
  g_autoptr(AllsetConfig) config = NULL;
  g_autoptr(AllsetSecrets) secrets = NULL;
  g_autoptr(AllsetClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) server_error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *server = NULL;
  const char *username;

  if (!allset_cli_parse_options ("logout", "",
                                 N_("Sign out: revoke this device's token on the server and "
                                    "delete it here."),
                                 entries, &argc, &argv))
    return ALLSET_CLI_USAGE;
  if (argc > 1)
    return allset_cli_usage_error ("logout", _("Unexpected argument “%s”"), argv[1]);

  if (!(config = allset_cli_load_config (cli)))
    return ALLSET_CLI_ERROR;

  if (!allset_config_is_signed_in (config))
    {
      allset_cli_error (_("Not signed in."));
      return ALLSET_CLI_ERROR;
    }

  server = g_strdup (allset_config_get_server (config));
  username = allset_config_get_username (config);
  secrets = allset_secrets_new (allset_config_get_token_file (config));
  token = allset_secrets_lookup (secrets, server, username, NULL, &error);
  if (error != NULL)
    {
      allset_cli_error ("%s", error->message);
      return ALLSET_CLI_ERROR;
    }

  if (token != NULL)
    {
      client = allset_client_new (server, allset_config_get_fingerprint (config), token,
                                  &server_error);
      memset (token, 0, strlen (token));
      /* Already revoked or expired: what logout wants anyway. */
      if (client != NULL &&
          !allset_client_logout (client, NULL, &server_error) &&
          (g_error_matches (server_error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_UNAUTHORIZED) ||
           g_error_matches (server_error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_TOKEN_EXPIRED)))
        g_clear_error (&server_error);
    }

  if (!allset_secrets_clear (secrets, server, username, NULL, &error))
    {
      allset_cli_error ("%s", error->message);
      return ALLSET_CLI_ERROR;
    }

  allset_config_clear_device (config);
  if (!allset_config_save (config, &error))
    {
      allset_cli_error ("%s", error->message);
      return ALLSET_CLI_ERROR;
    }

  g_print (_("Signed out of %s; the device token was deleted.\n"), server);
  if (server_error != NULL)
    {
      allset_cli_print_error (client, server_error);
      g_printerr ("%s\n", _("Warning: the server could not revoke the token. It stays valid "
                            "there until it expires or is revoked from another device "
                            "(Devices) or by the administrator."));
      return ALLSET_CLI_ERROR;
    }

  return ALLSET_CLI_OK;
}
