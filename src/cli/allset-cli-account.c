/* allset-cli-account.c — `allset-cli whoami` / `allset-cli account`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "allset-cli.h"

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
print_json (AllsetConfig      *config,
            AllsetAccountInfo *account)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  const char *token_file = allset_config_get_token_file (config);

  json_builder_begin_object (b);
  add_string (b, "server", allset_config_get_server (config));
  add_string (b, "username", account->username);
  add_string (b, "name", account->name);
  add_string (b, "email", account->email);
  add_string (b, "device_id", allset_config_get_device_id (config));
  json_builder_set_member_name (b, "quota");
  json_builder_add_int_value (b, (gint64) account->quota);
  json_builder_set_member_name (b, "used");
  json_builder_add_int_value (b, (gint64) account->used);
  json_builder_set_member_name (b, "cursor");
  json_builder_add_int_value (b, account->cursor);
  add_string (b, "token_store", token_file != NULL ? "file" : "keyring");
  add_string (b, "token_file", token_file);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  allset_cli_print_json (root);
}

static void
print_text (AllsetConfig      *config,
            AllsetAccountInfo *account)
{
  g_autofree char *used = g_format_size_full (account->used, G_FORMAT_SIZE_IEC_UNITS);
  const char *token_file = allset_config_get_token_file (config);

  /* TRANSLATORS: the lines of `allset-cli whoami`: keep the values aligned. */
  g_print (_("Server:    %s\n"), allset_config_get_server (config));
  if (account->name != NULL && account->email != NULL)
    g_print (_("User:      %s (%s <%s>)\n"), account->username, account->name, account->email);
  else
    g_print (_("User:      %s\n"), account->username);
  g_print (_("Device:    %s\n"), allset_config_get_device_id (config));

  if (account->quota > 0)
    {
      g_autofree char *quota = g_format_size_full (account->quota, G_FORMAT_SIZE_IEC_UNITS);
      guint percent = (guint) MIN (100 * (double) account->used / (double) account->quota, 999);

      g_print (_("Quota:     %s\n"), quota);
      g_print (_("Used:      %s (%u %%)\n"), used, percent);
    }
  else
    {
      g_print ("%s\n", _("Quota:     unlimited"));
      g_print (_("Used:      %s\n"), used);
    }

  if (token_file != NULL)
    g_print (_("Token:     in the file %s\n"), token_file);
  else
    g_print ("%s\n", _("Token:     in the keyring"));
}

int
allset_cli_account (AllsetCli  *cli,
                    int         argc,
                    char      **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(AllsetConfig) config = NULL;
  g_autoptr(AllsetClient) client = NULL;
  g_autoptr(AllsetAccountInfo) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *command = g_strdup (argv[0]);

  if (!allset_cli_parse_options (command, "",
                                 N_("Show the account: server, user, quota and space used."),
                                 entries, &argc, &argv))
    return ALLSET_CLI_USAGE;
  if (argc > 1)
    return allset_cli_usage_error (command, _("Unexpected argument “%s”"), argv[1]);

  if (!(config = allset_cli_load_config (cli)) ||
      !(client = allset_cli_connect (config)))
    return ALLSET_CLI_ERROR;

  account = allset_client_account (client, NULL, &error);
  if (account == NULL)
    {
      allset_cli_print_error (client, error);
      return ALLSET_CLI_ERROR;
    }

  if (json)
    print_json (config, account);
  else
    print_text (config, account);

  return ALLSET_CLI_OK;
}
