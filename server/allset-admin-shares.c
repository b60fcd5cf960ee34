/* allset-admin-shares.c — `allset-server admin` abuse reports and link suspension
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ALLSET may suspend a publication after a complaint or when a file is a
 * security risk (terms R16). Visitors report links from the public pages
 * (allset-routes-share-report.c); these commands list the reports and
 * suspend or lift a link. A suspended link answers 451 on every public URL
 * and its owner can no longer change it, only revoke it. The running server
 * reads the link at every request, so a suspension applies at once.
 */

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "allset-admin-private.h"

#define SHARE_TOKEN_CHARS   43
#define SUSPEND_REASON_MAX  1000   /* bytes; shown on the public 451 page */
#define DETAILS_TABLE_CHARS 60

/* What the link's URL answers now, in the words of GET /api/v1/shares
 * plus "revoked" and "gone" (no such row any more). */
static const char *
share_state (const AllsetShare *share,
             gint64             now)
{
  if (share == NULL)
    return "gone";
  if (share->revoked)
    return "revoked";
  if (share->suspended_at > 0)
    return "suspended";
  if (share->expires_at > 0 && share->expires_at <= now)
    return "expired";
  if (share->max_downloads > 0 && share->downloads >= share->max_downloads)
    return "exhausted";
  return "active";
}

/* One line for the table: visitors type these, so no control character
 * (a terminal escape) reaches the admin's terminal, and long text is cut. */
static char *
table_text (const char *text,
            glong       max_chars)
{
  g_autofree char *valid = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  glong n = 0;

  if (text == NULL || *text == '\0')
    return g_strdup ("-");
  valid = g_utf8_make_valid (text, -1);
  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (max_chars > 0 && n == max_chars)
        {
          g_string_append (out, "…");
          break;
        }
      if (g_unichar_iscntrl (c))
        g_string_append_c (out, ' ');
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
add_string_or_null (JsonBuilder *b,
                    const char  *member,
                    const char  *value)
{
  json_builder_set_member_name (b, member);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_report_json (JsonBuilder             *b,
                 const AllsetShareReport *report,
                 const char              *state)
{
  g_autofree char *created = allset_admin_format_time (report->created_at);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, report->id);
  json_builder_set_member_name (b, "created_at");
  json_builder_add_string_value (b, created);
  json_builder_set_member_name (b, "share_id");
  json_builder_add_int_value (b, report->share_id);
  json_builder_set_member_name (b, "token_prefix");
  json_builder_add_string_value (b, report->token_prefix);
  add_string_or_null (b, "owner", report->owner);
  add_string_or_null (b, "path", report->share ? report->share->path : NULL);
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, report->reason);
  json_builder_set_member_name (b, "details");
  json_builder_add_string_value (b, report->details ? report->details : "");
  add_string_or_null (b, "email", report->email);
  add_string_or_null (b, "reporter_ip", report->reporter_ip);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, state);
  add_string_or_null (b, "suspended_reason",
                      report->share && report->share->suspended_at > 0
                      ? report->share->suspended_reason : NULL);
  json_builder_end_object (b);
}

int
allset_admin_share_reports (AllsetAdmin              *admin,
                            const AllsetAdminCommand *command,
                            int                       argc,
                            char                    **argv)
{
  g_autoptr(GPtrArray) reports = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };

  if (!allset_admin_parse_command (command, entries, &argc, &argv, 0, 0))
    return ALLSET_ADMIN_EXIT_USAGE;
  if (allset_admin_open_store (admin) == NULL)
    return EXIT_FAILURE;

  reports = allset_store_share_reports_list (admin->store, &error);
  if (reports == NULL)
    {
      g_printerr (_("Cannot list the reports: %s\n"), error->message);
      return EXIT_FAILURE;
    }

  /* Translators: column headings, separated by "|"; keep the nine "|". */
  g_ptr_array_add (rows, g_strsplit (_("DATE|TOKEN|LINK|OWNER|PATH|REASON|DETAILS|EMAIL|IP|STATE"), "|", -1));
  json_builder_begin_array (builder);
  for (guint i = 0; i < reports->len; i++)
    {
      AllsetShareReport *report = g_ptr_array_index (reports, i);
      const char *state = share_state (report->share, now);
      char **row = g_new0 (char *, 11);

      row[0] = allset_admin_format_time (report->created_at);
      row[1] = g_strdup (report->token_prefix);
      row[2] = g_strdup_printf ("%" G_GINT64_FORMAT, report->share_id);
      row[3] = table_text (report->owner, 0);
      row[4] = table_text (report->share ? report->share->path : NULL, 0);
      row[5] = g_strdup (report->reason);
      row[6] = table_text (report->details, DETAILS_TABLE_CHARS);
      row[7] = table_text (report->email, 0);
      row[8] = table_text (report->reporter_ip, 0);
      row[9] = g_strdup (state);
      g_ptr_array_add (rows, row);
      add_report_json (builder, report, state);
    }
  json_builder_end_array (builder);

  if (json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (builder);
      g_autofree char *text = json_to_string (root, TRUE);

      g_print ("%s\n", text);
    }
  else if (reports->len == 0)
    g_print (_("No reports.\n"));
  else
    allset_admin_print_table (rows);
  return EXIT_SUCCESS;
}

/* The link an admin names by id, token prefix, token or URL (…/s/TOKEN,
 * as a complaint quotes it). NULL after printing why. */
static AllsetShare *
find_share (AllsetAdmin *admin,
            const char  *key)
{
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  const char *s = strstr (key, "/s/");

  if (s != NULL)
    token = g_strndup (s + 3, strcspn (s + 3, "/?#"));
  else if (strlen (key) == SHARE_TOKEN_CHARS)
    token = g_strdup (key);
  if (token != NULL)
    {
      AllsetHash hash;
      AllsetShare *share;

      allset_sha256 (token, strlen (token), &hash);
      share = allset_store_share_by_token (admin->store, &hash);
      if (share == NULL)
        g_printerr (_("No share link “%s”\n"), key);
      return share;
    }

  found = allset_store_share_find (admin->store, key, &error);
  if (found == NULL)
    {
      g_printerr (_("Cannot look up share link “%s”: %s\n"), key, error->message);
      return NULL;
    }
  if (found->len == 0)
    {
      g_printerr (_("No share link “%s”\n"), key);
      return NULL;
    }
  if (found->len > 1)
    {
      g_printerr (_("“%s” names more than one share link; give its id:\n"), key);
      for (guint i = 0; i < found->len; i++)
        {
          AllsetShare *share = g_ptr_array_index (found, i);

          g_printerr ("  %" G_GINT64_FORMAT "  %s  %s\n", share->id, share->token_prefix, share->path);
        }
      return NULL;
    }
  return g_ptr_array_steal_index (found, 0);
}

/* share-suspend and share-unsuspend: one link, one change. */
int
allset_admin_share_suspend (AllsetAdmin              *admin,
                            const AllsetAdminCommand *command,
                            int                       argc,
                            char                    **argv)
{
  gboolean suspend = g_str_equal (command->name, "share-suspend");
  g_autofree char *reason = NULL;
  g_autofree char *owner_text = NULL;
  g_autofree char *id = NULL;
  g_autoptr(AllsetShare) share = NULL;
  g_autoptr(AllsetAccount) owner = NULL;
  g_autoptr(GError) error = NULL;
  const GOptionEntry entries[] = {
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, N_("Why, shown on the link's page and to its owner"),
      N_("TEXT") },
    { NULL }
  };

  if (!allset_admin_parse_command (command, suspend ? entries : NULL, &argc, &argv, 1, 1))
    return ALLSET_ADMIN_EXIT_USAGE;
  if (suspend)
    {
      if (reason != NULL)
        g_strstrip (reason);
      if (reason == NULL || *reason == '\0')
        {
          g_printerr (_("share-suspend needs --reason TEXT: it is shown on the link's page and to its owner\n"));
          return ALLSET_ADMIN_EXIT_USAGE;
        }
      if (strlen (reason) > SUSPEND_REASON_MAX || !g_utf8_validate (reason, -1, NULL))
        {
          g_printerr (_("The reason must be valid UTF-8 of at most %d bytes\n"), SUSPEND_REASON_MAX);
          return ALLSET_ADMIN_EXIT_USAGE;
        }
    }

  if (allset_admin_open_store (admin) == NULL || (share = find_share (admin, argv[1])) == NULL)
    return EXIT_FAILURE;
  owner = allset_store_account_get (admin->store, share->account_id, NULL);
  /* The id as text: a format macro inside a message would not reach the
   * translators' catalog. */
  id = g_strdup_printf ("%" G_GINT64_FORMAT, share->id);
  owner_text = g_strdup_printf ("%s: %s", owner ? owner->username : "?", share->path);

  if (!suspend && share->suspended_at == 0)
    {
      g_print (_("Link %s (%s…, %s) is not suspended.\n"), id, share->token_prefix, owner_text);
      return EXIT_SUCCESS;
    }
  if (!allset_store_share_set_suspended (admin->store, share->id, suspend ? reason : NULL,
                                         g_get_real_time () / G_USEC_PER_SEC, &error))
    {
      g_printerr (_("Cannot change share link %s: %s\n"), id,
                  error != NULL ? error->message : _("it no longer exists"));
      return EXIT_FAILURE;
    }
  if (suspend)
    g_print (_("Link %s (%s…, %s) suspended: its URL answers 451 until “share-unsuspend %s” "
               "(terms R16).\n"),
             id, share->token_prefix, owner_text, id);
  else
    g_print (_("Link %s (%s…, %s) is no longer suspended.\n"), id, share->token_prefix, owner_text);
  if (share->revoked)
    g_print (_("Its owner has revoked it: its URL answers 410 all the same.\n"));
  return EXIT_SUCCESS;
}
