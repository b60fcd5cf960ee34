/* allset-cli-folders.c — `allset-cli add-folder`, `folders` and `folder-set`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdlib.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "allset-cli.h"
#include "allset-size.h"

int
allset_cli_add_folder (AllsetCli  *cli,
                       int         argc,
                       char      **argv)
{
  g_autofree char *remote = NULL;
  GOptionEntry entries[] = {
    { "remote", 0, 0, G_OPTION_ARG_STRING, &remote,
      N_("Remote folder to sync with (default: the account root)"), N_("PATH") },
    { NULL }
  };
  g_autoptr(AllsetConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  AllsetFolderConfig *folder;
  const char *token_file;

  if (!allset_cli_parse_options ("add-folder", N_("LOCAL_DIR"),
                                 N_("Add a local folder to sync. It is created when missing; "
                                    "it may not be inside or around another synced folder."),
                                 entries, &argc, &argv))
    return ALLSET_CLI_USAGE;
  if (argc != 2)
    return allset_cli_usage_error ("add-folder", argc < 2 ? _("LOCAL_DIR is required")
                                                          : _("Only one LOCAL_DIR at a time"));

  if (!(config = allset_cli_load_config (cli)))
    return ALLSET_CLI_ERROR;

  folder = allset_config_add_folder (config, argv[1], remote, &error);
  if (folder == NULL)
    {
      allset_cli_error ("%s", error->message);
      return ALLSET_CLI_ERROR;
    }

  /* The token must never be uploaded with the folder. */
  token_file = allset_config_get_token_file (config);
  if (token_file != NULL && allset_config_folder_for_path (config, token_file) == folder)
    {
      allset_cli_error (_("%s holds the device token file %s: it cannot be synced."),
                        folder->local, token_file);
      return ALLSET_CLI_ERROR;
    }

  if (!allset_config_save (config, &error))
    {
      allset_cli_error ("%s", error->message);
      return ALLSET_CLI_ERROR;
    }

  g_print (_("Added folder %s: %s ↔ /%s\n"), folder->id, folder->local, folder->remote);
  if (!allset_config_is_signed_in (config))
    g_print ("%s\n", _("Sign in with “allset-cli login” to sync it."));

  return ALLSET_CLI_OK;
}

static void
print_json (GPtrArray *folders)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (b);
  for (guint i = 0; i < folders->len; i++)
    {
      AllsetFolderConfig *folder = g_ptr_array_index (folders, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, folder->id);
      json_builder_set_member_name (b, "local");
      json_builder_add_string_value (b, folder->local);
      json_builder_set_member_name (b, "remote");
      json_builder_add_string_value (b, folder->remote);
      json_builder_set_member_name (b, "journal");
      json_builder_add_string_value (b, folder->journal);
      json_builder_set_member_name (b, "metered_policy");
      json_builder_add_string_value (b, allset_metered_policy_to_string (folder->metered_policy));
      json_builder_set_member_name (b, "small_files_max");
      json_builder_add_int_value (b, (gint64) folder->small_files_max);
      json_builder_set_member_name (b, "bandwidth_up");
      json_builder_add_int_value (b, (gint64) folder->bandwidth_up);
      json_builder_set_member_name (b, "bandwidth_down");
      json_builder_add_int_value (b, (gint64) folder->bandwidth_down);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  root = json_builder_get_root (b);
  allset_cli_print_json (root);
}

int
allset_cli_folders (AllsetCli  *cli,
                    int         argc,
                    char      **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(AllsetConfig) config = NULL;
  GPtrArray *folders;

  if (!allset_cli_parse_options ("folders", "", N_("List the synced folders."),
                                 entries, &argc, &argv))
    return ALLSET_CLI_USAGE;
  if (argc > 1)
    return allset_cli_usage_error ("folders", _("Unexpected argument “%s”"), argv[1]);

  if (!(config = allset_cli_load_config (cli)))
    return ALLSET_CLI_ERROR;

  folders = allset_config_get_folders (config);
  if (json)
    {
      print_json (folders);
      return ALLSET_CLI_OK;
    }

  if (folders->len == 0)
    {
      g_print ("%s\n", _("No synced folder yet: add one with “allset-cli add-folder LOCAL_DIR”."));
      return ALLSET_CLI_OK;
    }

  /* TRANSLATORS: column headings of `allset-cli folders`; keep the widths. */
  g_print ("%-16s  %-8s  %-11s  %s\n", _("ID"), _("REMOTE"), _("METERED"), _("LOCAL"));
  for (guint i = 0; i < folders->len; i++)
    {
      AllsetFolderConfig *folder = g_ptr_array_index (folders, i);
      g_autofree char *remote = g_strconcat ("/", folder->remote, NULL);

      g_print ("%-16s  %-8s  %-11s  %s\n", folder->id, remote,
               allset_metered_policy_to_string (folder->metered_policy), folder->local);
    }

  return ALLSET_CLI_OK;
}

/* ---- folder-set ----------------------------------------------------------- */

static gboolean
parse_size_option (const char *option,
                   const char *text,
                   guint64    *out)
{
  g_autoptr(GError) error = NULL;

  if (text == NULL)
    return TRUE;
  if (allset_size_parse (text, out, &error))
    return TRUE;
  allset_cli_usage_error ("folder-set", _("%s: %s"), option, error->message);
  return FALSE;
}

/* FOLDER on the command line: an id, or the folder's directory. */
static AllsetFolderConfig *
find_folder (AllsetConfig *config,
             const char   *arg)
{
  AllsetFolderConfig *folder = allset_config_find_folder (config, arg);
  g_autofree char *real = NULL;

  if (folder == NULL && (real = realpath (arg, NULL)) != NULL)
    folder = allset_config_folder_for_path (config, real);
  if (folder == NULL)
    allset_cli_error (_("No synced folder “%s”: see “allset-cli folders”."), arg);
  return folder;
}

int
allset_cli_folder_set (AllsetCli  *cli,
                       int         argc,
                       char      **argv)
{
  g_autofree char *policy = NULL, *small = NULL, *up = NULL, *down = NULL;
  GOptionEntry entries[] = {
    { "metered-policy", 0, 0, G_OPTION_ARG_STRING, &policy,
      N_("On a metered network: pause, small-files or always"), N_("POLICY") },
    { "small-files-max", 0, 0, G_OPTION_ARG_STRING, &small,
      N_("Biggest file synced under small-files (e.g. 10M)"), N_("SIZE") },
    { "bandwidth-up", 0, 0, G_OPTION_ARG_STRING, &up,
      N_("Upload limit per second, 0 for none (e.g. 500K)"), N_("SIZE") },
    { "bandwidth-down", 0, 0, G_OPTION_ARG_STRING, &down,
      N_("Download limit per second, 0 for none"), N_("SIZE") },
    { NULL }
  };
  g_autoptr(AllsetConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  AllsetFolderConfig *folder;
  AllsetFolderConfig wanted = { 0 };

  if (!allset_cli_parse_options ("folder-set", N_("FOLDER"),
                                 N_("Change a synced folder's settings (FOLDER: its id or local "
                                    "path): what it does on a metered network, and its "
                                    "bandwidth limits."),
                                 entries, &argc, &argv))
    return ALLSET_CLI_USAGE;
  if (argc != 2)
    return allset_cli_usage_error ("folder-set", argc < 2 ? _("FOLDER is required")
                                                          : _("Only one FOLDER at a time"));
  if (policy == NULL && small == NULL && up == NULL && down == NULL)
    return allset_cli_usage_error ("folder-set", _("Nothing to change"));
  if (policy != NULL && !allset_metered_policy_from_string (policy, &wanted.metered_policy))
    return allset_cli_usage_error ("folder-set", _("--metered-policy takes pause, small-files or "
                                                   "always, not “%s”"), policy);
  if (!parse_size_option ("--small-files-max", small, &wanted.small_files_max) ||
      !parse_size_option ("--bandwidth-up", up, &wanted.bandwidth_up) ||
      !parse_size_option ("--bandwidth-down", down, &wanted.bandwidth_down))
    return ALLSET_CLI_USAGE;

  if (!(config = allset_cli_load_config (cli)))
    return ALLSET_CLI_ERROR;
  if (!(folder = find_folder (config, argv[1])))
    return ALLSET_CLI_ERROR;

  if (policy != NULL)
    folder->metered_policy = wanted.metered_policy;
  if (small != NULL)
    folder->small_files_max = wanted.small_files_max;
  if (up != NULL)
    folder->bandwidth_up = wanted.bandwidth_up;
  if (down != NULL)
    folder->bandwidth_down = wanted.bandwidth_down;

  if (!allset_config_save (config, &error))
    {
      allset_cli_error ("%s", error->message);
      return ALLSET_CLI_ERROR;
    }

  {
    g_autofree char *small_text = g_format_size (folder->small_files_max);

    g_print (_("%s: metered_policy=%s, small_files_max=%s\n"), folder->id,
             allset_metered_policy_to_string (folder->metered_policy), small_text);
  }
  return ALLSET_CLI_OK;
}

int
allset_cli_remove_folder (AllsetCli  *cli,
                          int         argc,
                          char      **argv)
{
  GOptionEntry entries[] = { { NULL } };
  g_autoptr(AllsetConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *journal = NULL;
  g_autofree char *local = NULL;
  AllsetFolderConfig *folder;

  if (!allset_cli_parse_options ("remove-folder", _("FOLDER"),
                                 N_("Stop syncing a folder; its files stay where they are, here and on the server."),
                                 entries, &argc, &argv))
    return ALLSET_CLI_USAGE;
  if (argc != 2)
    return allset_cli_usage_error ("remove-folder", argc < 2 ? _("FOLDER is required")
                                                             : _("Only one FOLDER at a time"));
  if (!(config = allset_cli_load_config (cli)) || !(folder = find_folder (config, argv[1])))
    return ALLSET_CLI_ERROR;

  local = g_strdup (folder->local);
  journal = allset_config_remove_folder (config, folder->id);
  if (!allset_config_save (config, &error))
    {
      allset_cli_error ("%s", error->message);
      return ALLSET_CLI_ERROR;
    }
  /* The journal described this folder only; nothing else reads it now. */
  g_unlink (journal);
  g_print (_("%s is no longer synced; its files were left as they are.\n"), local);
  return ALLSET_CLI_OK;
}
