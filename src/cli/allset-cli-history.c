/* allset-cli-history.c — `allset-cli history PATH` and `restore PATH`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * PATH is a local path inside a synced folder (absolute or relative to
 * the working directory; it may be deleted already), mapped to its path on
 * the server through the folder's remote prefix. Paths are always the
 * signed-in account's: another account's files cannot even be named.
 *
 * restore asks the server for a new revision (an old version made live
 * again, or a trash entry put back), then runs one sync pass of the folder
 * so the local file holds it. That pass is a normal one: a local file
 * edited since its last sync is never overwritten; its content goes to a
 * conflict copy next to it.
 */

#include <glib/gi18n.h>

#include "allset-cli.h"
#include "allset-error.h"
#include "allset-journal.h"
#include "allset-path.h"
#include "allset-sync.h"
#include "allset-verify.h"

/* PATH → its folder and folder-relative path; prints why not. */
static gboolean
locate (AllsetConfig        *config,
        const char          *path,
        AllsetFolderConfig **folder,
        char               **relative)
{
  g_autoptr(GError) error = NULL;

  if (!allset_verify_resolve_path (config, path, folder, relative, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        allset_cli_error (_("“%s” is not inside a synced folder: see “allset-cli folders”."), path);
      else
        allset_cli_error (_("“%s” cannot be on the server: %s"), path, error->message);
      return FALSE;
    }
  if (**relative == '\0')
    {
      allset_cli_error (_("“%s” is the synced folder itself: name a file inside it."), path);
      g_clear_pointer (relative, g_free);
      return FALSE;
    }
  return TRUE;
}

/* The revision this device last synced for relative, or 0. */
static gint64
local_revision (AllsetFolderConfig *folder,
                const char         *relative)
{
  g_autoptr(AllsetJournal) journal = NULL;
  g_autoptr(AllsetBaseEntry) base = NULL;

  if (!g_file_test (folder->journal, G_FILE_TEST_EXISTS) ||
      !(journal = allset_journal_open (folder->journal, NULL)) ||
      !(base = allset_journal_base_get (journal, relative, NULL)))
    return 0;
  return base->revision;
}

static char *
format_time (const char *iso)
{
  g_autoptr(GDateTime) utc = iso != NULL ? g_date_time_new_from_iso8601 (iso, NULL) : NULL;
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

  return local != NULL ? g_date_time_format (local, "%Y-%m-%d %H:%M:%S") : g_strdup (iso ? iso : "?");
}

/* The newest trash entry holding remote: itself, or a deleted parent. */
static AllsetTrashEntry *
find_in_trash (GPtrArray  *trash,
               const char *remote)
{
  AllsetTrashEntry *parent = NULL;

  for (guint i = 0; trash != NULL && i < trash->len; i++)
    {
      AllsetTrashEntry *entry = g_ptr_array_index (trash, i);

      if (g_strcmp0 (entry->path, remote) == 0)
        return entry;
      if (parent == NULL && entry->is_dir && allset_path_has_prefix (remote, entry->path))
        parent = entry;
    }
  return parent;
}

/* ---- history ------------------------------------------------------------- */

static void
add_version_json (JsonBuilder       *b,
                  AllsetVersionInfo *version,
                  gboolean           live,
                  gboolean           here)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "revision");
  json_builder_add_int_value (b, version->revision);
  json_builder_set_member_name (b, "file_id");
  json_builder_add_string_value (b, version->file_id);
  json_builder_set_member_name (b, "size");
  json_builder_add_int_value (b, (gint64) version->size);
  json_builder_set_member_name (b, "mtime");
  json_builder_add_int_value (b, version->mtime);
  json_builder_set_member_name (b, "created_at");
  json_builder_add_string_value (b, version->created_at);
  json_builder_set_member_name (b, "live");
  json_builder_add_boolean_value (b, live);
  json_builder_set_member_name (b, "here");
  json_builder_add_boolean_value (b, here);
  json_builder_end_object (b);
}

int
allset_cli_history (AllsetCli  *cli,
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
  g_autoptr(GPtrArray) versions = NULL;
  g_autoptr(GPtrArray) trash = NULL;
  g_autoptr(AllsetFileInfo) live = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *relative = NULL;
  g_autofree char *remote = NULL;
  g_autofree char *quoted = NULL;
  AllsetFolderConfig *folder = NULL;
  AllsetTrashEntry *deleted = NULL;
  gint64 here;

  if (!allset_cli_parse_options ("history", N_("PATH"),
                                 N_("List the versions of a file that the server keeps, newest "
                                    "first. PATH is a file inside a synced folder, deleted or "
                                    "not."),
                                 entries, &argc, &argv))
    return ALLSET_CLI_USAGE;
  if (argc < 2)
    return allset_cli_usage_error ("history", _("Name the file: allset-cli history PATH"));
  if (argc > 2)
    return allset_cli_usage_error ("history", _("Unexpected argument “%s”"), argv[2]);

  if (!(config = allset_cli_load_config (cli)) ||
      !locate (config, argv[1], &folder, &relative))
    return ALLSET_CLI_ERROR;
  if (!(client = allset_cli_connect (config)))
    return ALLSET_CLI_ERROR;
  remote = allset_verify_remote_path (folder, relative);
  quoted = allset_cli_quote (argv[1]);

  versions = allset_client_versions (client, remote, NULL, &error);
  if (versions == NULL)
    {
      if (!g_error_matches (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND))
        allset_cli_print_error (client, error);
      else if (g_file_test (argv[1], G_FILE_TEST_IS_DIR))
        allset_cli_error (_("“%s” is a directory: history lists the versions of a file."), argv[1]);
      else
        allset_cli_error (_("The server has no version of “%s” (%s): it was never synced, or its "
                            "versions have expired."), argv[1], remote);
      return ALLSET_CLI_ERROR;
    }

  live = allset_client_file (client, remote, 0, NULL, &error);
  if (live == NULL && !g_error_matches (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND))
    {
      allset_cli_print_error (client, error);
      return ALLSET_CLI_ERROR;
    }
  g_clear_error (&error);
  if (live == NULL)
    {
      trash = allset_client_trash (client, NULL, &error);
      if (trash == NULL)
        {
          allset_cli_print_error (client, error);
          return ALLSET_CLI_ERROR;
        }
      deleted = find_in_trash (trash, remote);
    }
  here = local_revision (folder, relative);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, relative);
      json_builder_set_member_name (b, "remote_path");
      json_builder_add_string_value (b, remote);
      json_builder_set_member_name (b, "live_revision");
      json_builder_add_int_value (b, live != NULL ? live->revision : 0);
      json_builder_set_member_name (b, "local_revision");
      json_builder_add_int_value (b, here);
      json_builder_set_member_name (b, "deleted");
      json_builder_add_boolean_value (b, live == NULL);
      json_builder_set_member_name (b, "trash_id");
      json_builder_add_int_value (b, deleted != NULL ? deleted->trash_id : 0);
      json_builder_set_member_name (b, "versions");
      json_builder_begin_array (b);
      for (guint i = 0; i < versions->len; i++)
        {
          AllsetVersionInfo *version = g_ptr_array_index (versions, i);

          add_version_json (b, version, live != NULL && live->revision == version->revision,
                            here == version->revision);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      allset_cli_print_json (root);
      return ALLSET_CLI_OK;
    }

  g_print (_("Versions of %s (%s on the server), newest first:\n"), relative, remote);
  g_print ("  %-9s %-19s  %10s  %-12s\n", _("REVISION"), _("DATE"), _("SIZE"), _("FILE ID"));
  for (guint i = 0; i < versions->len; i++)
    {
      AllsetVersionInfo *version = g_ptr_array_index (versions, i);
      g_autofree char *date = format_time (version->created_at);
      g_autofree char *size = g_format_size (version->size);
      g_autoptr(GString) marks = g_string_new (NULL);

      if (live != NULL && live->revision == version->revision)
        g_string_append (marks, _("live"));
      if (here == version->revision)
        g_string_append_printf (marks, "%s%s", marks->len > 0 ? ", " : "", _("synced here"));
      g_print ("%s %-9" G_GINT64_FORMAT " %-19s  %10s  %.12s  %s\n",
               live != NULL && live->revision == version->revision ? "*" : " ",
               version->revision, date, size, version->file_id != NULL ? version->file_id : "",
               marks->str);
    }

  if (live == NULL && deleted != NULL)
    {
      g_autofree char *when = format_time (deleted->deleted_at);

      if (g_strcmp0 (deleted->path, remote) == 0)
        g_print (_("It was deleted on %s and is in the server's trash (trash id %lld).\n"),
                 when, (long long) deleted->trash_id);
      else
        g_print (_("It was deleted on %s with its directory %s, which is in the server's trash "
                   "(trash id %lld).\n"), when, deleted->path, (long long) deleted->trash_id);
      g_print (_("Bring it back with “allset-cli restore %s --from-trash”, or one version with "
                 "“allset-cli restore %s --revision N”.\n"), quoted, quoted);
    }
  else if (live == NULL)
    g_print (_("It is deleted on the server and no longer in its trash; bring one version back "
               "with “allset-cli restore %s --revision N”.\n"), quoted);

  return ALLSET_CLI_OK;
}

/* ---- restore ------------------------------------------------------------- */

static gboolean
parse_positive (const char *command,
                const char *option,
                const char *text,
                gint64     *value)
{
  guint64 parsed;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &parsed, NULL))
    {
      allset_cli_usage_error (command, _("%s needs a positive whole number, not “%s”"), option, text);
      return FALSE;
    }
  *value = (gint64) parsed;
  return TRUE;
}

/* One sync pass of folder; then relative should hold revision (or a newer
 * one): say where the local changes went if a conflict copy was made. */
static gboolean
bring_here (AllsetClient       *client,
            AllsetFolderConfig *folder,
            const char         *relative,
            gint64              revision)
{
  g_autoptr(AllsetSyncReport) report = allset_sync_report_new ();
  g_autoptr(AllsetJournal) journal = NULL;
  g_autoptr(AllsetBaseEntry) base = NULL;
  g_autoptr(GPtrArray) issues = NULL;
  g_autoptr(GError) error = NULL;
  AllsetSyncOptions options = { 0 };

  allset_client_set_bandwidth_limits (client, folder->bandwidth_up, folder->bandwidth_down);
  if (!allset_sync_folder (client, folder, &options, report, NULL, &error))
    {
      allset_cli_error (_("The version is restored on the server, but the sync pass that brings "
                          "it here failed; run “allset-cli sync” again."));
      allset_cli_print_error (client, error);
      return FALSE;
    }

  journal = allset_journal_open (folder->journal, &error);
  if (journal == NULL)
    {
      allset_cli_error ("%s", error->message);
      return FALSE;
    }
  issues = allset_journal_list_issues (journal, NULL);
  for (guint i = 0; issues != NULL && i < issues->len; i++)
    {
      AllsetIssue *issue = g_ptr_array_index (issues, i);

      if (issue->kind == ALLSET_ISSUE_CONFLICT && allset_path_has_prefix (issue->message, relative))
        g_print (_("Local changes to %s were kept in the conflict copy %s.\n"),
                 issue->message, issue->path);
    }

  base = allset_journal_base_get (journal, relative, NULL);
  if (base == NULL || base->revision < revision)
    {
      allset_cli_error (_("The version is restored on the server (revision %lld), but %s could not be updated here yet; run “allset-cli sync” again."),
                        (long long) revision, relative);
      for (guint i = 0; i < report->messages->len; i++)
        g_printerr ("  - %s\n", (const char *) g_ptr_array_index (report->messages, i));
      return FALSE;
    }
  g_print (_("%s here now holds revision %lld.\n"), relative, (long long) base->revision);
  return TRUE;
}

static int
restore_from_trash (AllsetClient       *client,
                    AllsetConfig       *config,
                    AllsetFolderConfig *folder,
                    const char         *path,
                    const char         *remote,
                    gint64              trash_id)
{
  g_autoptr(GPtrArray) trash = NULL;
  g_autoptr(AllsetCommitResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *relative = NULL;
  AllsetTrashEntry *entry = NULL;

  trash = allset_client_trash (client, NULL, &error);
  if (trash == NULL)
    {
      allset_cli_print_error (client, error);
      return ALLSET_CLI_ERROR;
    }
  for (guint i = 0; trash_id > 0 && i < trash->len; i++)
    if (((AllsetTrashEntry *) g_ptr_array_index (trash, i))->trash_id == trash_id)
      entry = g_ptr_array_index (trash, i);
  if (trash_id == 0)
    entry = find_in_trash (trash, remote);

  if (entry == NULL && trash_id > 0)
    {
      allset_cli_error (_("No entry %lld in the server's trash: see “allset-cli "
                          "history PATH”."), (long long) trash_id);
      return ALLSET_CLI_ERROR;
    }
  if (entry == NULL)
    {
      allset_cli_error (_("“%s” (%s) is not in the server's trash: see “allset-cli history %s”."),
                        path, remote, path);
      return ALLSET_CLI_ERROR;
    }
  if (remote != NULL && !allset_path_has_prefix (remote, entry->path))
    {
      allset_cli_error (_("Trash entry %lld holds %s, not “%s”."),
                        (long long) entry->trash_id, entry->path, path);
      return ALLSET_CLI_ERROR;
    }
  if (remote != NULL && g_strcmp0 (entry->path, remote) != 0)
    g_print (_("“%s” was deleted with its directory %s: restoring that directory.\n"),
             path, entry->path);

  result = allset_client_trash_restore (client, entry->trash_id, NULL, &error);
  if (result == NULL)
    {
      if (g_error_matches (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_CONFLICT))
        allset_cli_error (_("%s cannot come back: something else is at that path on the server "
                            "now (%s)."), entry->path, error->message);
      else
        allset_cli_print_error (client, error);
      return ALLSET_CLI_ERROR;
    }
  g_print (_("Restored %s from the server's trash as revision %lld.\n"),
           result->path, (long long) result->revision);

  /* --trash-id alone: the folder is the one the entry comes back into. */
  for (guint i = 0; folder == NULL && i < allset_config_get_folders (config)->len; i++)
    {
      AllsetFolderConfig *candidate = g_ptr_array_index (allset_config_get_folders (config), i);
      g_autofree char *inside = allset_verify_folder_path (candidate, result->path);

      if (inside != NULL && *inside != '\0')
        folder = candidate;
    }
  if (folder == NULL)
    {
      g_print (_("%s is not in a synced folder of this device: nothing to bring here.\n"),
               result->path);
      return ALLSET_CLI_OK;
    }
  relative = allset_verify_folder_path (folder, result->path);
  return bring_here (client, folder, relative, result->revision) ? ALLSET_CLI_OK : ALLSET_CLI_ERROR;
}

int
allset_cli_restore (AllsetCli  *cli,
                    int         argc,
                    char      **argv)
{
  g_autofree char *revision_text = NULL;
  g_autofree char *trash_id_text = NULL;
  gboolean from_trash = FALSE;
  GOptionEntry entries[] = {
    { "revision", 0, 0, G_OPTION_ARG_STRING, &revision_text,
      N_("Make revision N the live version again (see “allset-cli history PATH”)"), N_("N") },
    { "from-trash", 0, 0, G_OPTION_ARG_NONE, &from_trash,
      N_("Bring PATH back from the server's trash"), NULL },
    { "trash-id", 0, 0, G_OPTION_ARG_STRING, &trash_id_text,
      N_("Bring back this entry of the server's trash"), N_("ID") },
    { NULL }
  };
  g_autoptr(AllsetConfig) config = NULL;
  g_autoptr(AllsetClient) client = NULL;
  g_autoptr(AllsetCommitResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *relative = NULL;
  g_autofree char *remote = NULL;
  AllsetFolderConfig *folder = NULL;
  gint64 revision = 0, trash_id = 0;

  if (!allset_cli_parse_options ("restore", N_("PATH"),
                                 N_("Bring back an earlier version of a file (--revision N) or a "
                                    "deleted file (--from-trash, --trash-id ID) on the server, "
                                    "then sync its folder. Local changes are never overwritten: "
                                    "they go to a conflict copy."),
                                 entries, &argc, &argv))
    return ALLSET_CLI_USAGE;
  if (!parse_positive ("restore", "--revision", revision_text, &revision) ||
      !parse_positive ("restore", "--trash-id", trash_id_text, &trash_id))
    return ALLSET_CLI_USAGE;
  if ((revision > 0) + from_trash + (trash_id > 0) != 1)
    return allset_cli_usage_error ("restore", _("Give one of --revision N, --from-trash or "
                                                "--trash-id ID"));
  if (argc < 2 && trash_id == 0)
    return allset_cli_usage_error ("restore", _("Name the file: allset-cli restore PATH …"));
  if (argc > 2)
    return allset_cli_usage_error ("restore", _("Unexpected argument “%s”"), argv[2]);

  if (!(config = allset_cli_load_config (cli)))
    return ALLSET_CLI_ERROR;
  if (argc > 1)
    {
      if (!locate (config, argv[1], &folder, &relative))
        return ALLSET_CLI_ERROR;
      remote = allset_verify_remote_path (folder, relative);
    }
  if (!(client = allset_cli_connect (config)))
    return ALLSET_CLI_ERROR;

  if (revision == 0)
    return restore_from_trash (client, config, folder, argc > 1 ? argv[1] : NULL, remote, trash_id);

  result = allset_client_version_restore (client, remote, revision, NULL, &error);
  if (result == NULL)
    {
      g_autofree char *quoted = allset_cli_quote (argv[1]);

      if (g_error_matches (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND))
        allset_cli_error (_("The server has no revision %lld of “%s”: see "
                            "“allset-cli history %s”."), (long long) revision, argv[1], quoted);
      else if (g_error_matches (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_CONFLICT))
        allset_cli_error (_("Revision %lld of “%s” cannot come back there: %s"),
                          (long long) revision, argv[1], error->message);
      else
        allset_cli_print_error (client, error);
      return ALLSET_CLI_ERROR;
    }
  g_print (_("Revision %lld of %s restored on the server as revision %lld.\n"),
           (long long) revision, relative, (long long) result->revision);

  return bring_here (client, folder, relative, result->revision) ? ALLSET_CLI_OK : ALLSET_CLI_ERROR;
}
