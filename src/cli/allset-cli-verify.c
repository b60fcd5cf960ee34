/* allset-cli-verify.c — `allset-cli verify`: every file's hash and receipt
 * against the disk and the server (terms R13)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The work is allset_verify_folder(); this prints its report: a count per
 * status, one line per file that is not verified (the loud ones in
 * capitals, and once more on stderr), or with --json the whole proof —
 * every receipt with its signature and the server's public key. Exits 0
 * only when every file checked is verified.
 */

#include <glib/gi18n.h>

#include "allset-cli.h"
#include "allset-verify.h"

static void
print_report (const AllsetVerifyReport *r)
{
  g_autoptr(GString) counts = g_string_new (NULL);

  if (*r->subpath != '\0')
    g_print (_("%s (%s), only %s:\n"), r->local, r->folder_id, r->subpath);
  else
    g_print (_("%s (%s):\n"), r->local, r->folder_id);

  for (guint i = 0; i < ALLSET_VERIFY_N_STATUSES; i++)
    if (r->counts[i] > 0 || i == ALLSET_VERIFY_VERIFIED)
      g_string_append_printf (counts, "%s%u %s", counts->len > 0 ? ", " : "", r->counts[i],
                              allset_verify_status_to_string (i));
  g_print (ngettext ("  %u file checked: %s\n", "  %u files checked: %s\n", r->n_files),
           r->n_files, counts->str);
  g_print (_("  against %s, account %s, receipt key %s (%s)\n"), r->server_url,
           r->account != NULL ? r->account : "?",
           r->receipt_key_id != NULL ? r->receipt_key_id : "?",
           r->receipt_algorithm != NULL ? r->receipt_algorithm : "?");

  for (guint i = 0; i < r->items->len; i++)
    {
      AllsetVerifyItem *item = g_ptr_array_index (r->items, i);
      const char *status = allset_verify_status_to_string (item->status);

      if (item->status == ALLSET_VERIFY_VERIFIED)
        continue;
      if (allset_verify_status_is_loud (item->status))
        {
          g_autofree char *loud = g_ascii_strup (status, -1);

          g_print ("  !! %-15s %s: %s\n", loud, item->path, item->message);
        }
      else
        g_print ("     %-15s %s: %s\n", status, item->path, item->message);
    }
  if (r->requeued > 0)
    g_print (ngettext ("  %u file was marked so that the next sync transfers or checks it again.\n",
                       "  %u files were marked so that the next sync transfers or checks them again.\n",
                       r->requeued), r->requeued);
}

static void
warn_loud (const AllsetVerifyReport *r)
{
  guint loud = r->counts[ALLSET_VERIFY_MISMATCH] + r->counts[ALLSET_VERIFY_RECEIPT_INVALID];

  if (loud == 0)
    return;
  allset_cli_error (ngettext ("WARNING: %u file in %s FAILED verification (content mismatch or "
                              "invalid receipt): %u mismatch, %u receipt-invalid.",
                              "WARNING: %u files in %s FAILED verification (content mismatch or "
                              "invalid receipt): %u mismatch, %u receipt-invalid.", loud),
                    loud, r->local, r->counts[ALLSET_VERIFY_MISMATCH],
                    r->counts[ALLSET_VERIFY_RECEIPT_INVALID]);
}

/* The folders to check and, for a path, the part of its folder. */
static gboolean
select_targets (AllsetConfig  *config,
                const char    *name,
                GPtrArray     *folders,
                char         **subpath)
{
  g_autoptr(GError) error = NULL;
  AllsetFolderConfig *folder;

  *subpath = NULL;
  if (name == NULL)
    {
      GPtrArray *all = allset_config_get_folders (config);

      for (guint i = 0; i < all->len; i++)
        g_ptr_array_add (folders, g_ptr_array_index (all, i));
      if (folders->len == 0)
        allset_cli_error (_("No synced folder yet: add one with “allset-cli add-folder LOCAL_DIR”."));
      return folders->len > 0;
    }

  folder = allset_config_find_folder (config, name);
  if (folder == NULL && !allset_verify_resolve_path (config, name, &folder, subpath, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        allset_cli_error (_("“%s” is neither a synced folder's id nor a path inside a synced "
                            "folder: see “allset-cli folders”."), name);
      else
        allset_cli_error (_("Cannot check “%s”: %s"), name, error->message);
      return FALSE;
    }
  g_ptr_array_add (folders, folder);
  return TRUE;
}

int
allset_cli_verify (AllsetCli  *cli,
                   int         argc,
                   char      **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print the full proof as JSON: every file, its hashes and its signed receipt"), NULL },
    { NULL }
  };
  g_autoptr(AllsetConfig) config = NULL;
  g_autoptr(AllsetClient) client = NULL;
  g_autoptr(GPtrArray) folders = g_ptr_array_new ();
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *subpath = NULL;
  gboolean all_verified = TRUE;
  guint n_files = 0;

  if (!allset_cli_parse_options ("verify", N_("[FOLDER_OR_PATH]"),
                                 N_("Hash every local file again and check it and its signed "
                                    "receipt against the server: all folders, one folder (its id "
                                    "or local path), or one file or directory inside a folder. "
                                    "Exits 0 only when every file is verified."),
                                 entries, &argc, &argv))
    return ALLSET_CLI_USAGE;
  if (argc > 2)
    return allset_cli_usage_error ("verify", _("Unexpected argument “%s”"), argv[2]);

  if (!(config = allset_cli_load_config (cli)))
    return ALLSET_CLI_ERROR;
  if (!select_targets (config, argc > 1 ? argv[1] : NULL, folders, &subpath))
    return ALLSET_CLI_ERROR;
  if (!(client = allset_cli_connect (config)))
    return ALLSET_CLI_ERROR;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "folders");
  json_builder_begin_array (b);

  for (guint i = 0; i < folders->len; i++)
    {
      AllsetFolderConfig *folder = g_ptr_array_index (folders, i);
      g_autoptr(AllsetVerifyReport) report = allset_verify_report_new ();
      g_autoptr(GError) error = NULL;

      if (!allset_verify_folder (client, folder, subpath, report, NULL, &error))
        {
          all_verified = FALSE;
          allset_cli_print_error (client, error);
          if (json)
            {
              json_builder_begin_object (b);
              json_builder_set_member_name (b, "folder");
              json_builder_add_string_value (b, folder->local);
              json_builder_set_member_name (b, "error");
              json_builder_add_string_value (b, error->message);
              json_builder_end_object (b);
            }
          /* Maintenance, a revoked token, no network: the other folders
           * would meet the same answer. */
          if (error->domain != G_IO_ERROR || error->code != G_IO_ERROR_NOT_FOUND)
            break;
          continue;
        }

      if (subpath != NULL && *subpath != '\0' && report->n_files == 0)
        {
          allset_cli_error (_("Nothing to check at “%s”: no such file here, in the journal or on "
                              "the server."), argv[1]);
          all_verified = FALSE;
          continue;
        }
      n_files += report->n_files;
      all_verified = all_verified && allset_verify_report_all_verified (report);
      if (json)
        json_builder_add_value (b, allset_verify_report_to_json (report));
      else
        print_report (report);
      warn_loud (report);
    }

  json_builder_end_array (b);
  json_builder_set_member_name (b, "all_verified");
  json_builder_add_boolean_value (b, all_verified);
  json_builder_end_object (b);

  if (json)
    {
      root = json_builder_get_root (b);
      allset_cli_print_json (root);
    }
  else if (all_verified)
    g_print (ngettext ("All %u file verified: local hash, server file id and signed receipt agree.\n",
                       "All %u files verified: local hash, server file id and signed receipt agree.\n",
                       n_files), n_files);
  else
    g_print ("%s\n", _("Not everything is verified (see above)."));

  return all_verified ? ALLSET_CLI_OK : ALLSET_CLI_ERROR;
}
