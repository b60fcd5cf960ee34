/* main.c — allset-cli: the sync engine without a GUI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   allset-cli [--config-dir DIR] COMMAND [OPTION…]
 *
 * Exit status: 0 success, 1 error, 2 usage error. A new command is one
 * line in the table below and one function in an allset-cli-*.c file.
 */

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "allset-cli.h"

static const AllsetCliCommand commands[] = {
  { "login",      allset_cli_login,      N_("Sign in; the device token goes to the keyring") },
  { "logout",     allset_cli_logout,     N_("Revoke this device's token and delete it") },
  { "whoami",     allset_cli_account,    N_("Show the account, its quota and the space used") },
  { "account",    allset_cli_account,    N_("Same as whoami") },
  { "add-folder", allset_cli_add_folder, N_("Add a local folder to sync") },
  { "folders",    allset_cli_folders,    N_("List the synced folders") },
  { "remove-folder", allset_cli_remove_folder, N_("Stop syncing a folder (its files stay)") },
  { "folder-set", allset_cli_folder_set, N_("Change a folder's metered-network and bandwidth settings") },
  { "sync",       allset_cli_sync,       N_("Run one sync pass; exit 0 when all is in sync") },
  { "watch",      allset_cli_watch,      N_("Stay running and sync each change as it happens") },
  { "status",     allset_cli_status,     N_("Show each folder's state (no network)") },
  { "verify",     allset_cli_verify,     N_("Check every file's hash and receipt against the server and the disk") },
  { "conflicts",  allset_cli_conflicts,  N_("List the conflict copies") },
  { "history",    allset_cli_history,    N_("List the versions of a file kept by the server") },
  { "restore",    allset_cli_restore,    N_("Bring back an earlier version of a file") },
  { "share",      allset_cli_share,      N_("Create a public link to a synced file or folder") },
  { "shares",     allset_cli_shares,     N_("List the share links") },
  { "unshare",    allset_cli_unshare,    N_("Revoke a share link") },
  { "share-update", allset_cli_share_update, N_("Change a share link's expiry, password or limit") },
};

static void
print_usage (void)
{
  g_printerr ("%s\n\n", _("Usage: allset-cli [--config-dir DIR] COMMAND [OPTION…]"));
  g_printerr ("%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_printerr ("  %-14s %s\n", commands[i].name, _(commands[i].summary));
  g_printerr ("\n%s\n", _("Options:"));
  g_printerr ("  %-17s %s\n", "--config-dir DIR",
              _("Configuration directory (default: $XDG_CONFIG_HOME/allset)"));
  g_printerr ("  %-17s %s\n", "--version", _("Print the version"));
  g_printerr ("\n%s\n", _("“allset-cli COMMAND --help” describes the options of a command."));
}

static const AllsetCliCommand *
find_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, name))
      return &commands[i];

  return NULL;
}

int
main (int    argc,
      char **argv)
{
  AllsetCli cli = { NULL };
  const AllsetCliCommand *command;
  int i, status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_prgname ("allset-cli");

  /* Global options, before the command. */
  for (i = 1; i < argc && argv[i][0] == '-'; i++)
    {
      if (g_str_equal (argv[i], "--config-dir"))
        {
          g_free (cli.config_dir);
          cli.config_dir = i + 1 < argc ? g_strdup (argv[++i]) : g_strdup ("");
        }
      else if (g_str_has_prefix (argv[i], "--config-dir="))
        {
          g_free (cli.config_dir);
          cli.config_dir = g_strdup (argv[i] + strlen ("--config-dir="));
        }
      else if (g_str_equal (argv[i], "--version"))
        {
          g_print ("allset-cli %s\n", PACKAGE_VERSION);
          g_free (cli.config_dir);
          return ALLSET_CLI_OK;
        }
      else if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
        {
          print_usage ();
          g_free (cli.config_dir);
          return ALLSET_CLI_OK;
        }
      else
        {
          g_printerr (_("allset-cli: unknown option “%s”\n"), argv[i]);
          print_usage ();
          g_free (cli.config_dir);
          return ALLSET_CLI_USAGE;
        }
    }

  if (cli.config_dir != NULL && *cli.config_dir == '\0')
    {
      g_printerr ("%s\n", _("allset-cli: --config-dir needs a directory"));
      g_free (cli.config_dir);
      return ALLSET_CLI_USAGE;
    }

  if (i == argc)
    {
      print_usage ();
      g_free (cli.config_dir);
      return ALLSET_CLI_USAGE;
    }

  command = find_command (argv[i]);
  if (command == NULL)
    {
      g_printerr (_("allset-cli: unknown command “%s”\n"), argv[i]);
      print_usage ();
      g_free (cli.config_dir);
      return ALLSET_CLI_USAGE;
    }

  /* The command sees itself as argv[0], as its GOptionContext expects. */
  status = command->run (&cli, argc - i, argv + i);

  allset_secrets_disconnect ();
  g_free (cli.config_dir);
  return status;
}
