/* allset-admin-accounts.c — `allset-server admin` account and device commands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "allset-admin-private.h"
#include "allset-password.h"

#define USERNAME_MAX_CHARS 64

static gboolean
username_is_valid (const char *username)
{
  gsize len = strlen (username);

  if (len == 0 || len > USERNAME_MAX_CHARS || !g_ascii_isalnum (username[0]))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      char c = username[i];

      if (!(g_ascii_islower (c) || g_ascii_isdigit (c) || c == '.' || c == '_' || c == '-'))
        return FALSE;
    }
  return TRUE;
}

/* Names and addresses end up in tables and e-mails: one line of text. */
static gboolean
is_one_line (const char *text)
{
  if (!g_utf8_validate (text, -1, NULL))
    return FALSE;
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

static gboolean
email_is_valid (const char *email)
{
  const char *at = strchr (email, '@');

  /* 254: the longest address SMTP can carry (RFC 5321). */
  return at != NULL && at != email && at[1] != '\0' && strlen (email) <= 254 &&
         strchr (email, ' ') == NULL && is_one_line (email);
}

static gboolean
parse_quota (const char *text, guint64 *quota)
{
  g_autoptr(GError) error = NULL;

  if (allset_size_parse (text, quota, &error))
    return TRUE;

  g_printerr (_("Invalid quota “%s”: %s\n"), text, error->message);
  return FALSE;
}

static char *
read_and_hash_password (void)
{
  g_autoptr(GError) error = NULL;
  char *password = allset_password_read (stdin, &error);
  char *hash;

  if (password == NULL)
    {
      g_printerr ("%s\n", error->message);
      return NULL;
    }

  hash = allset_password_hash (password, &error);
  memset (password, 0, strlen (password));
  g_free (password);
  if (hash == NULL)
    g_printerr ("%s\n", error->message);

  return hash;
}

int
allset_admin_account_add (AllsetAdmin              *admin,
                          const AllsetAdminCommand *command,
                          int                       argc,
                          char                    **argv)
{
  g_autofree char *name = NULL, *email = NULL, *quota_text = NULL, *hash = NULL;
  g_autoptr(AllsetAccount) existing = NULL;
  g_autoptr(GError) error = NULL;
  guint64 quota = admin->config->default_quota;
  const char *username;
  const GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Full name"), N_("NAME") },
    { "email", 0, 0, G_OPTION_ARG_STRING, &email, N_("E-mail address"), N_("EMAIL") },
    { "quota", 0, 0, G_OPTION_ARG_STRING, &quota_text, N_("Storage quota, e.g. 10G (0: unlimited)"), N_("SIZE") },
    { NULL }
  };

  if (!allset_admin_parse_command (command, entries, &argc, &argv, 1, 1))
    return ALLSET_ADMIN_EXIT_USAGE;
  if (name == NULL || email == NULL)
    {
      g_printerr (_("account-add needs --name and --email\n"));
      return ALLSET_ADMIN_EXIT_USAGE;
    }

  username = argv[1];
  if (!username_is_valid (username))
    {
      g_printerr (_("Invalid username “%s”: use 1 to %d characters among a–z, 0–9, “.”, “_” "
                    "and “-”, starting with a letter or a digit\n"),
                  username, USERNAME_MAX_CHARS);
      return EXIT_FAILURE;
    }
  if (g_strstrip (name)[0] == '\0' || !is_one_line (name))
    {
      g_printerr (_("The name must be one line of text, not empty\n"));
      return EXIT_FAILURE;
    }
  if (!email_is_valid (email))
    {
      g_printerr (_("Invalid e-mail address “%s”\n"), email);
      return EXIT_FAILURE;
    }
  if (quota_text != NULL && !parse_quota (quota_text, &quota))
    return EXIT_FAILURE;

  if (allset_admin_open_store (admin) == NULL)
    return EXIT_FAILURE;

  /* Refuse a duplicate before asking for a password. */
  existing = allset_store_account_lookup (admin->store, username, NULL);
  if (existing != NULL)
    {
      g_printerr (_("An account named “%s” already exists\n"), username);
      return EXIT_FAILURE;
    }

  if ((hash = read_and_hash_password ()) == NULL)
    return EXIT_FAILURE;

  if (allset_store_account_add (admin->store, username, name, email, quota, hash, &error) <= 0)
    {
      g_printerr (_("Cannot add account “%s”: %s\n"), username,
                  error != NULL ? error->message : _("unknown error"));
      return EXIT_FAILURE;
    }

  {
    g_autofree char *quota_str = allset_admin_format_quota (quota);
    g_print (_("Account “%s” created (quota %s).\n"), username, quota_str);
  }
  return EXIT_SUCCESS;
}

int
allset_admin_account_list (AllsetAdmin              *admin,
                           const AllsetAdminCommand *command,
                           int                       argc,
                           char                    **argv)
{
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };

  if (!allset_admin_parse_command (command, entries, &argc, &argv, 0, 0))
    return ALLSET_ADMIN_EXIT_USAGE;
  if (allset_admin_open_store (admin) == NULL)
    return EXIT_FAILURE;

  accounts = allset_store_account_list (admin->store, &error);
  if (accounts == NULL)
    {
      g_printerr (_("Cannot list accounts: %s\n"), error->message);
      return EXIT_FAILURE;
    }

  /* Translators: column headings, separated by "|"; keep the five "|". */
  g_ptr_array_add (rows, g_strsplit (_("USERNAME|NAME|EMAIL|QUOTA|USED|SUSPENDED"), "|", -1));
  json_builder_begin_array (builder);
  for (guint i = 0; i < accounts->len; i++)
    {
      AllsetAccount *account = g_ptr_array_index (accounts, i);
      guint64 used = allset_store_account_usage (admin->store, account->id);
      char **row = g_new0 (char *, 7);

      row[0] = g_strdup (account->username);
      row[1] = g_strdup (account->name);
      row[2] = g_strdup (account->email);
      row[3] = allset_admin_format_quota (account->quota);
      row[4] = g_format_size_full (used, G_FORMAT_SIZE_IEC_UNITS);
      row[5] = g_strdup (account->suspended ? _("yes") : _("no"));
      g_ptr_array_add (rows, row);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "username");
      json_builder_add_string_value (builder, account->username);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, account->name);
      json_builder_set_member_name (builder, "email");
      json_builder_add_string_value (builder, account->email);
      json_builder_set_member_name (builder, "quota");
      json_builder_add_int_value (builder, (gint64) account->quota);
      json_builder_set_member_name (builder, "used");
      json_builder_add_int_value (builder, (gint64) used);
      json_builder_set_member_name (builder, "suspended");
      json_builder_add_boolean_value (builder, account->suspended);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  if (json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (builder);
      g_autofree char *text = json_to_string (root, TRUE);

      g_print ("%s\n", text);
    }
  else
    allset_admin_print_table (rows);

  return EXIT_SUCCESS;
}

/* passwd, suspend, resume and quota: one account, one change. */
int
allset_admin_account_change (AllsetAdmin              *admin,
                             const AllsetAdminCommand *command,
                             int                       argc,
                             char                    **argv)
{
  gboolean is_quota = g_str_equal (command->name, "quota");
  g_autoptr(AllsetAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  guint64 quota = 0;
  gboolean ok;

  if (!allset_admin_parse_command (command, NULL, &argc, &argv, is_quota ? 2 : 1, is_quota ? 2 : 1))
    return ALLSET_ADMIN_EXIT_USAGE;
  if (is_quota && !parse_quota (argv[2], &quota))
    return EXIT_FAILURE;
  if (allset_admin_open_store (admin) == NULL || 
      (account = allset_admin_lookup_account (admin, argv[1])) == NULL)
    return EXIT_FAILURE;

  if (g_str_equal (command->name, "passwd"))
    {
      g_autofree char *hash = read_and_hash_password ();
      guint revoked;

      if (hash == NULL)
        return EXIT_FAILURE;
      ok = allset_store_account_set_password (admin->store, account->id, hash, &error);
      if (ok)
        {
          /* A password is changed after it leaked (terms R12): every session
           * opened with the old one must end too. */
          revoked = allset_store_device_revoke_all (admin->store, account->id);
          g_print (ngettext ("Password of “%s” changed; %u device signed out (terms R12).\n",
                             "Password of “%s” changed; %u devices signed out (terms R12).\n",
                             revoked),
                   account->username, revoked);
        }
    }
  else if (is_quota)
    {
      ok = allset_store_account_set_quota (admin->store, account->id, quota, &error);
      if (ok)
        {
          g_autofree char *quota_str = allset_admin_format_quota (quota);
          g_print (_("Quota of “%s” set to %s.\n"), account->username, quota_str);
        }
    }
  else
    {
      gboolean suspend = g_str_equal (command->name, "suspend");

      ok = allset_store_account_set_suspended (admin->store, account->id, suspend, &error);
      if (ok && suspend)
        g_print (_("Account “%s” suspended: its devices are refused until it is resumed (terms R23).\n"),
                 account->username);
      else if (ok)
        g_print (_("Account “%s” resumed.\n"), account->username);
    }

  if (!ok)
    {
      g_printerr (_("Cannot change account “%s”: %s\n"), account->username, error->message);
      return EXIT_FAILURE;
    }
  return EXIT_SUCCESS;
}

int
allset_admin_devices (AllsetAdmin              *admin,
                      const AllsetAdminCommand *command,
                      int                       argc,
                      char                    **argv)
{
  g_autofree char *revoke = NULL;
  g_autoptr(AllsetAccount) account = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  gboolean revoke_all = FALSE;
  const GOptionEntry entries[] = {
    { "revoke", 0, 0, G_OPTION_ARG_STRING, &revoke, N_("Sign out one device"), N_("DEVICE_ID") },
    { "revoke-all", 0, 0, G_OPTION_ARG_NONE, &revoke_all, N_("Sign out every device"), NULL },
    { NULL }
  };

  if (!allset_admin_parse_command (command, entries, &argc, &argv, 1, 1))
    return ALLSET_ADMIN_EXIT_USAGE;
  if (revoke != NULL && revoke_all)
    {
      g_printerr (_("Pass --revoke DEVICE_ID or --revoke-all, not both\n"));
      return ALLSET_ADMIN_EXIT_USAGE;
    }
  if (allset_admin_open_store (admin) == NULL || 
      (account = allset_admin_lookup_account (admin, argv[1])) == NULL)
    return EXIT_FAILURE;

  if (revoke != NULL)
    {
      if (!allset_store_device_revoke (admin->store, account->id, revoke))
        {
          g_printerr (_("Account “%s” has no device “%s”\n"), account->username, revoke);
          return EXIT_FAILURE;
        }
      g_print (_("Device “%s” of “%s” signed out.\n"), revoke, account->username);
      return EXIT_SUCCESS;
    }
  if (revoke_all)
    {
      guint n = allset_store_device_revoke_all (admin->store, account->id);

      g_print (ngettext ("%u device of “%s” signed out.\n",
                         "%u devices of “%s” signed out.\n", n),
               n, account->username);
      return EXIT_SUCCESS;
    }

  devices = allset_store_device_list (admin->store, account->id);
  if (devices == NULL || devices->len == 0)
    {
      g_print (_("Account “%s” has no devices.\n"), account->username);
      return EXIT_SUCCESS;
    }

  /* Translators: column headings, separated by "|"; keep the five "|". */
  g_ptr_array_add (rows, g_strsplit (_("ID|NAME|CREATED|LAST SEEN|EXPIRES|REVOKED"), "|", -1));
  for (guint i = 0; i < devices->len; i++)
    {
      AllsetDevice *device = g_ptr_array_index (devices, i);
      char **row = g_new0 (char *, 7);

      row[0] = g_strdup (device->device_id);
      row[1] = g_strdup (device->name);
      row[2] = allset_admin_format_time (device->created_at);
      row[3] = allset_admin_format_time (device->last_seen_at);
      row[4] = allset_admin_format_time (device->expires_at);
      row[5] = g_strdup (device->revoked ? _("yes") : _("no"));
      g_ptr_array_add (rows, row);
    }
  allset_admin_print_table (rows);
  return EXIT_SUCCESS;
}
