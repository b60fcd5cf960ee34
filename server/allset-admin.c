/* allset-admin.c — `allset-server admin`: dispatch, shared helpers, maintenance
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "allset-admin-private.h"

/* gettext ("") would return the catalog header. */
static const char *
param_text (const AllsetAdminCommand *command)
{
  return command->params[0] != '\0' ? _(command->params) : "";
}

gboolean
allset_admin_parse_command (const AllsetAdminCommand   *command,
                            const GOptionEntry         *entries,
                            int                        *argc,
                            char                     ***argv,
                            int                         min_args,
                            int                         max_args)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  const char *name = command->name;

  context = g_option_context_new (param_text (command));
  g_option_context_set_summary (context, _(command->summary));
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("allset-server admin %s: %s\n", name, error->message);
      goto usage;
    }
  if (*argc - 1 < min_args || *argc - 1 > max_args)
    {
      g_printerr (_("allset-server admin %s: wrong number of arguments\n"), name);
      goto usage;
    }
  return TRUE;

usage:
  g_printerr (_("Usage: allset-server admin [--data-dir DIR | --config FILE] %s %s\n"),
              name, param_text (command));
  return FALSE;
}

AllsetStore *
allset_admin_open_store (AllsetAdmin *admin)
{
  g_autofree char *db_path = NULL;
  g_autoptr(GError) error = NULL;

  if (g_mkdir_with_parents (admin->data_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_printerr (_("Cannot create %s: %s\n"), admin->data_dir, g_strerror (saved_errno));
      return NULL;
    }

  db_path = g_build_filename (admin->data_dir, "allset.db", NULL);
  admin->store = allset_store_open (db_path, &error);
  if (admin->store == NULL)
    g_printerr (_("Cannot open %s: %s\n"), db_path, error->message);

  return admin->store;
}

AllsetAccount *
allset_admin_lookup_account (AllsetAdmin *admin,
                             const char  *username)
{
  g_autoptr(GError) error = NULL;
  AllsetAccount *account = allset_store_account_lookup (admin->store, username, &error);

  if (account != NULL)
    return account;

  if (error == NULL || g_error_matches (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND))
    g_printerr (_("No account named “%s”\n"), username);
  else
    g_printerr (_("Cannot look up account “%s”: %s\n"), username, error->message);

  return NULL;
}

char *
allset_admin_format_quota (guint64 quota)
{
  return quota == 0 ? g_strdup (_("unlimited")) : g_format_size_full (quota, G_FORMAT_SIZE_IEC_UNITS);
}

char *
allset_admin_format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) dt = NULL;

  if (unix_time <= 0)
    return g_strdup (_("never"));
  dt = g_date_time_new_from_unix_utc (unix_time);
  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ") : g_strdup ("?");
}

void
allset_admin_print_table (GPtrArray *rows)
{
  guint n_cols = G_MAXUINT;
  g_autofree glong *widths = NULL;

  /* A translation with a "|" too many or too few must not read past a row. */
  for (guint r = 0; r < rows->len; r++)
    n_cols = MIN (n_cols, g_strv_length (g_ptr_array_index (rows, r)));
  widths = g_new0 (glong, n_cols);

  for (guint r = 0; r < rows->len; r++)
    {
      char **row = g_ptr_array_index (rows, r);

      for (guint c = 0; c < n_cols; c++)
        widths[c] = MAX (widths[c], g_utf8_strlen (row[c], -1));
    }

  for (guint r = 0; r < rows->len; r++)
    {
      char **row = g_ptr_array_index (rows, r);
      g_autoptr(GString) line = g_string_new (NULL);

      for (guint c = 0; c < n_cols; c++)
        {
          g_string_append (line, row[c]);
          if (c + 1 < n_cols)
            for (glong pad = g_utf8_strlen (row[c], -1); pad < widths[c] + 2; pad++)
              g_string_append_c (line, ' ');
        }
      g_print ("%s\n", line->str);
    }
}

static int
maintenance_show (AllsetAdmin *admin)
{
  g_autofree char *active = allset_store_setting_get (admin->store, "maintenance.active");
  g_autofree char *until = allset_store_setting_get (admin->store, "maintenance.until");
  g_autofree char *message = allset_store_setting_get (admin->store, "maintenance.message");

  if (g_strcmp0 (active, "1") != 0)
    {
      g_print (_("Maintenance: off\n"));
      return EXIT_SUCCESS;
    }
  g_print (_("Maintenance: on\n"));
  g_print (_("Until: %s\n"), until != NULL ? until : _("not set"));
  g_print (_("Message: %s\n"), message != NULL ? message : _("not set"));
  return EXIT_SUCCESS;
}

static int
cmd_maintenance (AllsetAdmin              *admin,
                 const AllsetAdminCommand *command,
                 int                       argc,
                 char                    **argv)
{
  g_autofree char *until = NULL, *message = NULL, *until_utc = NULL;
  g_autoptr(GError) error = NULL;
  const char *mode;
  const GOptionEntry entries[] = {
    { "until", 0, 0, G_OPTION_ARG_STRING, &until, N_("Planned end (ISO 8601; UTC unless an offset is given)"), N_("TIME") },
    { "message", 0, 0, G_OPTION_ARG_STRING, &message, N_("Message shown to users"), N_("TEXT") },
    { NULL }
  };

  if (!allset_admin_parse_command (command, entries, &argc, &argv, 0, 1))
    return ALLSET_ADMIN_EXIT_USAGE;
  mode = argc > 1 ? argv[1] : NULL;
  if (mode != NULL && !g_str_equal (mode, "on") && !g_str_equal (mode, "off"))
    {
      g_printerr (_("maintenance takes “on”, “off” or nothing, not “%s”\n"), mode);
      return ALLSET_ADMIN_EXIT_USAGE;
    }
  if ((until != NULL || message != NULL) && g_strcmp0 (mode, "on") != 0)
    {
      g_printerr (_("--until and --message go with “maintenance on”\n"));
      return ALLSET_ADMIN_EXIT_USAGE;
    }

  if (until != NULL)
    {
      g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
      g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (until, utc);
      g_autoptr(GDateTime) dt_utc = NULL;

      if (dt == NULL)
        {
          g_printerr (_("Invalid time “%s”: expected ISO 8601, e.g. 2026-11-26T15:00:00Z\n"), until);
          return EXIT_FAILURE;
        }
      if (g_date_time_to_unix (dt) <= g_get_real_time () / G_USEC_PER_SEC)
        {
          g_printerr (_("The end of maintenance “%s” is in the past\n"), until);
          return EXIT_FAILURE;
        }
      dt_utc = g_date_time_to_utc (dt);
      until_utc = g_date_time_format (dt_utc, "%Y-%m-%dT%H:%M:%SZ");
    }

  if (allset_admin_open_store (admin) == NULL)
    return EXIT_FAILURE;
  if (mode == NULL)
    return maintenance_show (admin);

  /* The server polls these keys: write the details before switching on, and
   * switch off before clearing them, so it never reads a stale end time. */
  if (g_str_equal (mode, "on"))
    {
      if (!allset_store_setting_set (admin->store, "maintenance.until", until_utc, &error) ||
          !allset_store_setting_set (admin->store, "maintenance.message", message, &error) ||
          !allset_store_setting_set (admin->store, "maintenance.active", "1", &error))
        goto failed;
    }
  else
    {
      if (!allset_store_setting_set (admin->store, "maintenance.active", NULL, &error) ||
          !allset_store_setting_set (admin->store, "maintenance.until", NULL, &error) ||
          !allset_store_setting_set (admin->store, "maintenance.message", NULL, &error))
        goto failed;
    }
  return maintenance_show (admin);

failed:
  g_printerr (_("Cannot change the maintenance state: %s\n"), error->message);
  return EXIT_FAILURE;
}

static const AllsetAdminCommand commands[] = {
  { "account-add", N_("USER"), N_("Create an account; its password is read from standard input. "
                              "Needs --name NAME --email EMAIL; --quota SIZE is optional."), allset_admin_account_add },
  { "account-list", "", N_("List the accounts with their quota and usage."), allset_admin_account_list },
  { "passwd", N_("USER"), N_("Set a new password, read from standard input, and sign out every "
                         "device of the account (terms R12)."), allset_admin_account_change },
  { "suspend", N_("USER"), N_("Suspend an account (terms R23)."), allset_admin_account_change },
  { "resume", N_("USER"), N_("Lift a suspension."), allset_admin_account_change },
  { "quota", N_("USER SIZE"), N_("Set the storage quota, e.g. 20G; 0 means unlimited."), allset_admin_account_change },
  { "maintenance", N_("[on|off]"), N_("Show, start (--until TIME, --message TEXT) or end planned maintenance."),
    cmd_maintenance },
  { "devices", N_("USER"), N_("List the devices of an account, or sign them out with --revoke "
                          "DEVICE_ID or --revoke-all."), allset_admin_devices },
  { "share-reports", "", N_("List the abuse reports on share links, newest first (--json for JSON)."),
    allset_admin_share_reports },
  { "share-suspend", N_("ID|TOKEN_PREFIX|URL"), N_("Suspend a share link (--reason TEXT, required): its URL "
                                          "answers 451 and its owner cannot change it (terms R16)."),
    allset_admin_share_suspend },
  { "share-unsuspend", N_("ID|TOKEN_PREFIX|URL"), N_("Lift the suspension of a share link."),
    allset_admin_share_suspend },
  { NULL }
};

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n\n%s\n", _("Usage: allset-server admin [--data-dir DIR | --config FILE] COMMAND [ARGUMENT…]"),
           _("Commands:"));
  for (guint i = 0; commands[i].name != NULL; i++)
    fprintf (out, "  %-13s %s\n      %s\n", commands[i].name, param_text (&commands[i]),
             _(commands[i].summary));
  fprintf (out, "\n%s\n", _("“allset-server admin COMMAND --help” describes the options of a command."));
}

int
allset_admin_main (int    argc,
                   char **argv)
{
  g_autofree char *data_dir = NULL, *config_file = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(AllsetServerConfig) config = allset_server_config_new ();
  g_autoptr(GError) error = NULL;
  AllsetAdmin admin = { NULL, };
  int status;
  const GOptionEntry entries[] = {
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir, NULL, NULL },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config_file, NULL, NULL },
    { NULL }
  };

  /* The global options may appear anywhere; the rest is left for the
   * subcommand, which also handles its own --help. */
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_set_ignore_unknown_options (context, TRUE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("allset-server admin: %s\n", error->message);
      print_usage (stderr);
      return ALLSET_ADMIN_EXIT_USAGE;
    }

  if (argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      print_usage (stdout);
      return EXIT_SUCCESS;
    }
  if (argc < 2 || argv[1][0] == '-')
    {
      print_usage (stderr);
      return ALLSET_ADMIN_EXIT_USAGE;
    }

  if (config_file != NULL && !allset_server_config_load_file (config, config_file, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }
  if (data_dir != NULL)
    admin.data_dir = g_canonicalize_filename (data_dir, NULL);
  else if (config->data_dir != NULL)
    admin.data_dir = g_strdup (config->data_dir);
  admin.config = config;

  for (guint i = 0; commands[i].name != NULL; i++)
    {
      gboolean wants_help = FALSE;

      if (!g_str_equal (commands[i].name, argv[1]))
        continue;

      for (int j = 2; j < argc; j++)
        wants_help |= g_str_equal (argv[j], "--help") || g_str_equal (argv[j], "-h");
      if (admin.data_dir == NULL && !wants_help)
        {
          g_printerr (_("allset-server admin: pass --data-dir DIR or --config FILE\n"));
          return ALLSET_ADMIN_EXIT_USAGE;
        }

      status = commands[i].run (&admin, &commands[i], argc - 1, argv + 1);
      g_clear_object (&admin.store);
      g_free (admin.data_dir);
      return status;
    }

  g_printerr (_("allset-server admin: unknown command “%s”\n"), argv[1]);
  print_usage (stderr);
  g_free (admin.data_dir);
  return ALLSET_ADMIN_EXIT_USAGE;
}
