/* allset-cli-sync.c — `allset-cli sync`, `status` and `conflicts`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * sync runs one pass per folder (allset_sync_folder()) and exits 0 only
 * when every folder is in sync and every file verified. It first reads
 * the network (DESIGN.md §4 invariant 6): offline, nothing runs; on a
 * metered connection each folder follows its metered_policy (or
 * --metered-policy): pause, small files only, or everything. status and
 * conflicts read the journals only: no network.
 */

#include <stdlib.h>

#include <glib/gi18n.h>

#include "allset-cli.h"
#include "allset-journal.h"
#include "allset-network-policy.h"
#include "allset-sync.h"

/* The folders a command applies to: all, or the one named by id or path. */
static GPtrArray *
select_folders (AllsetConfig *config,
                const char   *name)
{
  GPtrArray *all = allset_config_get_folders (config);
  GPtrArray *chosen = g_ptr_array_new ();
  AllsetFolderConfig *folder;

  if (name == NULL)
    {
      for (guint i = 0; i < all->len; i++)
        g_ptr_array_add (chosen, g_ptr_array_index (all, i));
      return chosen;
    }

  folder = allset_config_find_folder (config, name);
  if (folder == NULL)
    {
      g_autofree char *real = realpath (name, NULL);

      folder = allset_config_folder_for_path (config, real != NULL ? real : name);
    }
  if (folder != NULL)
    g_ptr_array_add (chosen, folder);
  return chosen;
}

static void
add_uint (JsonBuilder *b,
          const char  *name,
          guint64      value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, (gint64) value);
}

/* Files not yet verified in the folder's journal. */
static guint
count_unverified (AllsetJournal *journal,
                  guint         *verified)
{
  guint counts[4] = { 0 };

  if (!allset_journal_base_count_states (journal, counts, NULL))
    return 1;
  if (verified != NULL)
    *verified = counts[ALLSET_FILE_VERIFIED];
  return counts[ALLSET_FILE_PENDING] + counts[ALLSET_FILE_UPLOADED];
}

/* ---- sync ---------------------------------------------------------------- */

static void
print_report (AllsetFolderConfig *folder,
              AllsetSyncReport   *r,
              guint               unverified)
{
  g_print (_("%s:\n"), folder->local);
  g_print (_("  %u uploaded, %u downloaded, %u deleted here, %u deleted on the server, "
             "%u moved, %u conflicts\n"),
           r->uploaded, r->downloaded, r->deleted_local, r->deleted_remote, r->moved, r->conflicts);
  if (r->held_deletions > 0)
    g_print (ngettext ("  %u deletion awaits confirmation: run “allset-cli sync --confirm-deletes” "
                       "to carry it out.\n",
                       "  %u deletions await confirmation: run “allset-cli sync --confirm-deletes” "
                       "to carry them out.\n", r->held_deletions),
             r->held_deletions);
  if (r->issues > 0)
    g_print (ngettext ("  %u path is not synced (see “allset-cli status”).\n",
                       "  %u paths are not synced (see “allset-cli status”).\n", r->issues),
             r->issues);
  if (r->verify_failed > 0)
    g_print (ngettext ("  WARNING: %u file failed verification and will be sent again.\n",
                       "  WARNING: %u files failed verification and will be sent again.\n",
                       r->verify_failed), r->verify_failed);
  if (unverified > 0)
    g_print (ngettext ("  %u file is not verified yet.\n", "  %u files are not verified yet.\n",
                       unverified), unverified);
  if (r->deferred > 0)
    g_print (ngettext ("  %u file waits for an unmetered network (over the small-files limit).\n",
                       "  %u files wait for an unmetered network (over the small-files limit).\n",
                       r->deferred), r->deferred);
  for (guint i = 0; i < r->messages->len; i++)
    g_print ("  - %s\n", (const char *) g_ptr_array_index (r->messages, i));
}

/* "network": what the connection allowed this folder. */
static const char *
scope_name (AllsetNetworkScope scope)
{
  switch (scope)
    {
    case ALLSET_NETWORK_SCOPE_NONE:
      return "paused";
    case ALLSET_NETWORK_SCOPE_SMALL_FILES:
      return "small-files";
    case ALLSET_NETWORK_SCOPE_ALL:
    default:
      return "all";
    }
}

static void
add_report_json (JsonBuilder        *b,
                 AllsetFolderConfig *folder,
                 AllsetSyncReport   *r,
                 gboolean            ok,
                 gboolean            in_sync,
                 guint               unverified,
                 AllsetNetworkScope  scope,
                 guint64             max_transfer)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, folder->id);
  json_builder_set_member_name (b, "local");
  json_builder_add_string_value (b, folder->local);
  json_builder_set_member_name (b, "ok");
  json_builder_add_boolean_value (b, ok);
  json_builder_set_member_name (b, "in_sync");
  json_builder_add_boolean_value (b, in_sync);
  json_builder_set_member_name (b, "network");
  json_builder_add_string_value (b, scope_name (scope));
  add_uint (b, "max_transfer_size", max_transfer);
  add_uint (b, "deferred", r->deferred);
  add_uint (b, "uploaded", r->uploaded);
  add_uint (b, "downloaded", r->downloaded);
  add_uint (b, "deleted_local", r->deleted_local);
  add_uint (b, "deleted_remote", r->deleted_remote);
  add_uint (b, "moved", r->moved);
  add_uint (b, "conflicts", r->conflicts);
  add_uint (b, "held_deletions", r->held_deletions);
  add_uint (b, "skipped", r->skipped);
  add_uint (b, "failed", r->failed);
  add_uint (b, "verified", r->verified);
  add_uint (b, "verify_failed", r->verify_failed);
  add_uint (b, "unverified", unverified);
  add_uint (b, "issues", r->issues);
  add_uint (b, "chunks_uploaded", r->chunks_uploaded);
  add_uint (b, "bytes_uploaded", r->bytes_uploaded);
  add_uint (b, "chunks_downloaded", r->chunks_downloaded);
  add_uint (b, "bytes_downloaded", r->bytes_downloaded);
  add_uint (b, "chunks_reused", r->chunks_reused);
  json_builder_set_member_name (b, "messages");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->messages->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (r->messages, i));
  json_builder_end_array (b);
  json_builder_end_object (b);
}

static void
print_sync_error (AllsetClient     *client,
                  AllsetSyncReport *report,
                  const GError     *error)
{
  if (g_error_matches (error, ALLSET_SYNC_ERROR, ALLSET_SYNC_ERROR_NO_SPACE))
    {
      g_autofree char *free_text = g_format_size (report->free_space);
      g_autofree char *used_text = g_format_size (report->remote_used);

      allset_cli_error (_("Sync did not start: the local disk has %s free, but the account "
                          "holds %s on the server. Free some space first."),
                        free_text, used_text);
      return;
    }
  allset_cli_print_error (client, error);
}

/* A server on this machine needs no network: the system's monitor
 * calls a host without a default route offline (CI containers). */
static gboolean
server_is_loopback (AllsetConfig *config)
{
  const char *server = allset_config_get_server (config);
  g_autoptr(GUri) uri = server != NULL ? g_uri_parse (server, G_URI_FLAGS_NONE, NULL) : NULL;
  g_autoptr(GInetAddress) address = NULL;
  const char *host = uri != NULL ? g_uri_get_host (uri) : NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

static void
print_paused (AllsetConfig        *config,
              AllsetFolderConfig  *folder,
              AllsetMeteredPolicy  policy,
              gboolean             overridden)
{
  if (overridden)
    allset_cli_error (_("%s: not synced: the network is metered and --metered-policy is “%s”."),
                      folder->local, allset_metered_policy_to_string (policy));
  else
    allset_cli_error (_("%s: not synced: the network is metered and the folder's metered policy "
                        "is “%s”. To sync anyway, run “allset-cli sync --metered-policy always” "
                        "(or “small-files”) for this run, or “allset-cli folder-set %s "
                        "--metered-policy always” (metered_policy=always in %s) for good."),
                      folder->local, allset_metered_policy_to_string (policy), folder->id,
                      allset_config_get_path (config));
}

int
allset_cli_sync (AllsetCli  *cli,
                 int         argc,
                 char      **argv)
{
  gboolean json = FALSE, confirm = FALSE;
  g_autofree char *policy_text = NULL;
  GOptionEntry entries[] = {
    { "confirm-deletes", 0, 0, G_OPTION_ARG_NONE, &confirm,
      N_("Carry out a mass deletion that waits for confirmation"), NULL },
    { "metered-policy", 0, 0, G_OPTION_ARG_STRING, &policy_text,
      N_("On a metered network, for this run: pause, small-files or always "
         "(default: each folder's metered_policy)"), N_("POLICY") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(AllsetConfig) config = NULL;
  g_autoptr(AllsetClient) client = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GNetworkMonitor) monitor = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  AllsetSyncOptions options = { 0 };
  AllsetMeteredPolicy override = ALLSET_METERED_PAUSE;
  gboolean all_in_sync = TRUE, available, metered;
  guint deferred = 0;

  if (!allset_cli_parse_options ("sync", N_("[FOLDER]"),
                                 N_("Run one sync pass of every folder, or of FOLDER (its id or "
                                    "local path). Exits 0 only when everything is in sync and "
                                    "verified. On a metered network each folder follows its "
                                    "metered_policy: pause (the default), small-files (files up "
                                    "to its small_files_max only) or always."),
                                 entries, &argc, &argv))
    return ALLSET_CLI_USAGE;
  if (argc > 2)
    return allset_cli_usage_error ("sync", _("Unexpected argument “%s”"), argv[2]);
  if (policy_text != NULL && !allset_metered_policy_from_string (policy_text, &override))
    return allset_cli_usage_error ("sync", _("--metered-policy takes pause, small-files or always, "
                                             "not “%s”"), policy_text);

  if (!(config = allset_cli_load_config (cli)))
    return ALLSET_CLI_ERROR;
  folders = select_folders (config, argc > 1 ? argv[1] : NULL);
  if (folders->len == 0)
    {
      if (argc > 1)
        allset_cli_error (_("No synced folder “%s”: see “allset-cli folders”."), argv[1]);
      else
        allset_cli_error (_("No synced folder yet: add one with “allset-cli add-folder LOCAL_DIR”."));
      return ALLSET_CLI_ERROR;
    }

  monitor = allset_network_monitor_get_default ();
  available = g_network_monitor_get_network_available (monitor);
  metered = g_network_monitor_get_network_metered (monitor);
  if (!available && server_is_loopback (config) && monitor == g_network_monitor_get_default ())
    available = TRUE;
  if (!available)
    {
      allset_cli_error (_("No network: nothing synced. Run “allset-cli sync” again once connected."));
      return ALLSET_CLI_ERROR;
    }

  if (!(client = allset_cli_connect (config)))
    return ALLSET_CLI_ERROR;

  options.confirm_deletes = confirm;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "metered");
  json_builder_add_boolean_value (b, metered);
  json_builder_set_member_name (b, "folders");
  json_builder_begin_array (b);

  for (guint i = 0; i < folders->len; i++)
    {
      AllsetFolderConfig *folder = g_ptr_array_index (folders, i);
      g_autoptr(AllsetSyncReport) report = allset_sync_report_new ();
      g_autoptr(AllsetJournal) journal = NULL;
      g_autoptr(GError) error = NULL;
      AllsetMeteredPolicy policy = policy_text != NULL ? override : folder->metered_policy;
      AllsetNetworkScope scope = allset_network_scope (available, metered, policy);
      guint unverified = 0;
      gboolean ok, in_sync;

      options.max_transfer_size = allset_network_scope_max_transfer (scope, folder->small_files_max);
      if (scope == ALLSET_NETWORK_SCOPE_NONE)
        {
          /* Metered and paused: not one byte for this folder (terms R14). */
          print_paused (config, folder, policy, policy_text != NULL);
          all_in_sync = FALSE;
          if (json)
            add_report_json (b, folder, report, FALSE, FALSE, 0, scope, 0);
          continue;
        }

      allset_client_set_bandwidth_limits (client, folder->bandwidth_up, folder->bandwidth_down);
      ok = allset_sync_folder (client, folder, &options, report, NULL, &error);
      journal = allset_journal_open (folder->journal, NULL);
      unverified = journal != NULL ? count_unverified (journal, NULL) : 1;
      in_sync = ok && allset_sync_report_in_sync (report) && unverified == 0;
      all_in_sync = all_in_sync && in_sync;
      deferred += report->deferred;

      if (json)
        add_report_json (b, folder, report, ok, in_sync, unverified, scope, options.max_transfer_size);
      else
        print_report (folder, report, unverified);
      if (!ok)
        {
          print_sync_error (client, report, error);
          /* Maintenance, suspension, a revoked token…: the other folders
           * would meet the same answer. */
          if (error->domain != ALLSET_SYNC_ERROR)
            break;
        }
    }

  json_builder_end_array (b);
  json_builder_set_member_name (b, "deferred");
  json_builder_add_int_value (b, deferred);
  json_builder_set_member_name (b, "in_sync");
  json_builder_add_boolean_value (b, all_in_sync);
  json_builder_end_object (b);

  if (json)
    {
      root = json_builder_get_root (b);
      allset_cli_print_json (root);
    }
  else if (all_in_sync)
    g_print ("%s\n", _("Everything is in sync and verified."));
  else if (deferred > 0)
    g_print (ngettext ("Not everything is in sync yet: %u file waits for an unmetered network.\n",
                       "Not everything is in sync yet: %u files wait for an unmetered network.\n",
                       deferred), deferred);
  else
    g_print ("%s\n", _("Not everything is in sync yet."));

  return all_in_sync ? ALLSET_CLI_OK : ALLSET_CLI_ERROR;
}

/* ---- status -------------------------------------------------------------- */

typedef struct
{
  guint     verified;
  guint     unverified;
  guint     conflicts;
  guint     errors;
  guint     held;
  guint     deferred;   /* last pass: files waiting for an unmetered network */
  gboolean  synced_once;
  gboolean  last_ok;
} FolderState;

static const char *
state_name (const FolderState *s)
{
  if (!s->synced_once)
    return "never_synced";
  if (s->errors > 0 || !s->last_ok)
    return "errors";
  if (s->conflicts > 0)
    return "conflicts";
  if (s->unverified > 0 || s->held > 0 || s->deferred > 0)
    return "pending";
  return "in_sync";
}

static void
read_state (AllsetJournal *journal,
            GPtrArray     *issues,
            FolderState   *s)
{
  g_autofree char *last = allset_journal_get_meta (journal, ALLSET_SYNC_META_LAST_PASS);
  g_autoptr(JsonParser) parser = json_parser_new ();

  s->unverified = count_unverified (journal, &s->verified);
  for (guint i = 0; i < issues->len; i++)
    {
      AllsetIssue *issue = g_ptr_array_index (issues, i);

      if (issue->kind == ALLSET_ISSUE_CONFLICT)
        s->conflicts++;
      else if (issue->kind == ALLSET_ISSUE_SYNC_FAILED)
        s->errors++;
    }
  if (last != NULL && json_parser_load_from_data (parser, last, -1, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      JsonObject *object = json_node_get_object (json_parser_get_root (parser));

      s->synced_once = TRUE;
      s->last_ok = json_object_get_boolean_member_with_default (object, "ok", FALSE);
      s->held = json_object_get_int_member_with_default (object, "held_deletions", 0);
      s->deferred = json_object_get_int_member_with_default (object, "deferred", 0);
    }
}

static void
print_state (AllsetFolderConfig *folder,
             const FolderState  *s,
             GPtrArray          *issues)
{
  const char *state = state_name (s);

  g_print ("%s (%s)\n", folder->local, folder->id);
  if (g_str_equal (state, "never_synced"))
    g_print ("  %s\n", _("State: never synced"));
  else if (g_str_equal (state, "in_sync"))
    g_print (ngettext ("  State: in sync, %u file verified\n",
                       "  State: in sync, %u files verified\n", s->verified), s->verified);
  else if (g_str_equal (state, "errors"))
    g_print (ngettext ("  State: errors %u\n", "  State: errors %u\n", MAX (s->errors, 1)),
             MAX (s->errors, 1));
  else if (g_str_equal (state, "conflicts"))
    g_print (ngettext ("  State: conflicts %u\n", "  State: conflicts %u\n", s->conflicts),
             s->conflicts);
  else
    g_print (ngettext ("  State: pending %u\n", "  State: pending %u\n",
                       s->unverified + s->held + s->deferred),
             s->unverified + s->held + s->deferred);
  if (s->held > 0)
    g_print (ngettext ("  %u deletion awaits confirmation (allset-cli sync --confirm-deletes)\n",
                       "  %u deletions await confirmation (allset-cli sync --confirm-deletes)\n",
                       s->held), s->held);
  if (s->deferred > 0)
    g_print (ngettext ("  %u file waits for an unmetered network (metered_policy small-files)\n",
                       "  %u files wait for an unmetered network (metered_policy small-files)\n",
                       s->deferred), s->deferred);

  for (guint i = 0; i < issues->len; i++)
    {
      AllsetIssue *issue = g_ptr_array_index (issues, i);

      if (issue->kind == ALLSET_ISSUE_CONFLICT)
        g_print (_("  Conflict copy: %s (of %s)\n"), issue->path, issue->message);
      else if (issue->kind == ALLSET_ISSUE_SYNC_FAILED)
        g_print (_("  Error: %s: %s\n"), issue->path, issue->message);
      else
        g_print (_("  Not synced (%s): %s: %s\n"), allset_issue_kind_to_string (issue->kind),
                 issue->path, issue->message);
    }
}

static void
add_state_json (JsonBuilder        *b,
                AllsetFolderConfig *folder,
                const FolderState  *s,
                GPtrArray          *issues)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, folder->id);
  json_builder_set_member_name (b, "local");
  json_builder_add_string_value (b, folder->local);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, state_name (s));
  add_uint (b, "verified", s->verified);
  add_uint (b, "pending", s->unverified + s->held + s->deferred);
  add_uint (b, "held_deletions", s->held);
  add_uint (b, "deferred", s->deferred);
  add_uint (b, "conflicts", s->conflicts);
  add_uint (b, "errors", s->errors);
  json_builder_set_member_name (b, "issues");
  json_builder_begin_array (b);
  for (guint i = 0; i < issues->len; i++)
    {
      AllsetIssue *issue = g_ptr_array_index (issues, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, issue->path);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, allset_issue_kind_to_string (issue->kind));
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, issue->message);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

static int
run_status (AllsetCli  *cli,
            int         argc,
            char      **argv,
            gboolean    conflicts_only)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  const char *command = conflicts_only ? "conflicts" : "status";
  g_autoptr(AllsetConfig) config = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  guint n_conflicts = 0;

  if (!allset_cli_parse_options (command, N_("[FOLDER]"),
                                 conflicts_only
                                 ? N_("List the conflict copies: both versions of a file "
                                      "changed on two sides.")
                                 : N_("Show each folder's state from its journal (no network): "
                                      "in sync, pending, conflicts or errors, and the paths "
                                      "that are not synced."),
                                 entries, &argc, &argv))
    return ALLSET_CLI_USAGE;
  if (argc > 2)
    return allset_cli_usage_error (command, _("Unexpected argument “%s”"), argv[2]);
  if (!(config = allset_cli_load_config (cli)))
    return ALLSET_CLI_ERROR;
  folders = select_folders (config, argc > 1 ? argv[1] : NULL);
  if (argc > 1 && folders->len == 0)
    {
      allset_cli_error (_("No synced folder “%s”: see “allset-cli folders”."), argv[1]);
      return ALLSET_CLI_ERROR;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, conflicts_only ? "conflicts" : "folders");
  json_builder_begin_array (b);

  for (guint i = 0; i < folders->len; i++)
    {
      AllsetFolderConfig *folder = g_ptr_array_index (folders, i);
      g_autoptr(AllsetJournal) journal = NULL;
      g_autoptr(GPtrArray) issues = NULL;
      g_autoptr(GError) error = NULL;
      FolderState state = { 0 };

      journal = allset_journal_open (folder->journal, &error);
      if (journal == NULL || !(issues = allset_journal_list_issues (journal, &error)))
        {
          allset_cli_error (_("Cannot read the journal of %s: %s"), folder->local, error->message);
          return ALLSET_CLI_ERROR;
        }

      if (!conflicts_only)
        {
          read_state (journal, issues, &state);
          if (json)
            add_state_json (b, folder, &state, issues);
          else
            print_state (folder, &state, issues);
          continue;
        }

      for (guint j = 0; j < issues->len; j++)
        {
          AllsetIssue *issue = g_ptr_array_index (issues, j);
          g_autofree char *original = NULL;
          g_autofree char *copy = NULL;

          if (issue->kind != ALLSET_ISSUE_CONFLICT)
            continue;
          n_conflicts++;
          original = g_build_filename (folder->local, issue->message, NULL);
          copy = g_build_filename (folder->local, issue->path, NULL);
          if (json)
            {
              json_builder_begin_object (b);
              json_builder_set_member_name (b, "original");
              json_builder_add_string_value (b, original);
              json_builder_set_member_name (b, "copy");
              json_builder_add_string_value (b, copy);
              json_builder_end_object (b);
            }
          else
            g_print (_("%s\n  conflict copy: %s\n"), original, copy);
        }
    }

  json_builder_end_array (b);
  json_builder_end_object (b);
  if (json)
    {
      root = json_builder_get_root (b);
      allset_cli_print_json (root);
    }
  else if (conflicts_only && n_conflicts == 0)
    g_print ("%s\n", _("No conflict copies."));
  else if (!conflicts_only && folders->len == 0)
    g_print ("%s\n", _("No synced folder yet: add one with “allset-cli add-folder LOCAL_DIR”."));

  return ALLSET_CLI_OK;
}

int
allset_cli_status (AllsetCli  *cli,
                   int         argc,
                   char      **argv)
{
  return run_status (cli, argc, argv, FALSE);
}

int
allset_cli_conflicts (AllsetCli  *cli,
                      int         argc,
                      char      **argv)
{
  return run_status (cli, argc, argv, TRUE);
}
