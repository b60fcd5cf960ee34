/* allset-cli-shares.c — `allset-cli shares` and `unshare`, and what the
 * share commands have in common: a link as JSON or text, its errors, and
 * finding it from what the user typed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server keeps only a hash of a token and its first characters, so a
 * link is named by its id, by its token or by its URL, matched through the
 * account's list on the token's first TOKEN_PREFIX_LEN characters.
 */

#include <string.h>

#include <glib/gi18n.h>

#include "allset-cli-share-private.h"
#include "allset-error.h"

#define TOKEN_PREFIX_LEN  6

/* ---- a link, shown ---------------------------------------------------------- */

static gboolean
is_number (const char *text)
{
  if (*text == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

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

void
allset_cli_share_json_add (JsonBuilder     *b,
                           AllsetShareInfo *share)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  if (is_number (share->id))
    json_builder_add_int_value (b, g_ascii_strtoll (share->id, NULL, 10));
  else
    json_builder_add_string_value (b, share->id);
  add_string (b, "token_prefix", share->token_prefix);
  add_string (b, "path", share->path);
  add_string (b, "type", share->is_dir ? "dir" : "file");
  add_string (b, "created_at", share->created_at);
  add_string (b, "expires_at", share->expires_at);
  json_builder_set_member_name (b, "has_password");
  json_builder_add_boolean_value (b, share->has_password);
  json_builder_set_member_name (b, "max_downloads");
  json_builder_add_int_value (b, (gint64) share->max_downloads);
  json_builder_set_member_name (b, "downloads");
  json_builder_add_int_value (b, (gint64) share->downloads);
  add_string (b, "state", share->state);
  add_string (b, "suspended_reason", share->suspended_reason);
  if (share->token != NULL)
    {
      add_string (b, "token", share->token);
      add_string (b, "url", share->url);
    }
  json_builder_end_object (b);
}

void
allset_cli_share_print_json (AllsetShareInfo *share)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  allset_cli_share_json_add (b, share);
  root = json_builder_get_root (b);
  allset_cli_print_json (root);
}

char *
allset_cli_share_format_expiry (const char *expires_at)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (expires_at == NULL)
    return g_strdup (_("never"));
  utc = g_date_time_new_from_iso8601 (expires_at, NULL);
  local = utc != NULL ? g_date_time_to_local (utc) : NULL;
  return local != NULL ? g_date_time_format (local, "%Y-%m-%d %H:%M") : g_strdup (expires_at);
}

const char *
allset_cli_share_state_label (const char *state)
{
  if (g_strcmp0 (state, "active") == 0)
    return _("active");
  if (g_strcmp0 (state, "expired") == 0)
    return _("expired");
  if (g_strcmp0 (state, "exhausted") == 0)
    return _("exhausted");
  if (g_strcmp0 (state, "suspended") == 0)
    return _("suspended");
  return state;
}

/* A suspended or missing link is best said in the engine's words. */
void
allset_cli_share_print_error (AllsetClient *client,
                              const GError *error)
{
  if (g_error_matches (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_SUSPENDED) ||
      g_error_matches (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND))
    allset_cli_error ("%s", error->message);
  else if (g_error_matches (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_BAD_REQUEST))
    allset_cli_error (_("The server refused the link: %s"), error->message);
  else
    allset_cli_print_error (client, error);
}

/* ---- naming a link ------------------------------------------------------------ */

/* "https://host/s/TOKEN?x" → "TOKEN"; anything else as it is. */
static char *
token_of (const char *reference)
{
  const char *start = strstr (reference, "/s/");
  gsize len;

  if (strstr (reference, "://") == NULL || start == NULL)
    return g_strdup (reference);

  start += strlen ("/s/");
  len = strcspn (start, "/?#");
  return g_strndup (start, len);
}

/* The account's link that ID, TOKEN or URL names; prints why none. */
static AllsetShareInfo *
find_link (GPtrArray  *shares,
           const char *reference)
{
  g_autofree char *token = token_of (reference);
  g_autoptr(GPtrArray) matches = g_ptr_array_new ();

  if (is_number (token) && strstr (reference, "://") == NULL)
    {
      for (guint i = 0; i < shares->len; i++)
        {
          AllsetShareInfo *share = g_ptr_array_index (shares, i);

          if (g_str_equal (share->id, token))
            return share;
        }
    }

  if (strlen (token) >= TOKEN_PREFIX_LEN)
    {
      for (guint i = 0; i < shares->len; i++)
        {
          AllsetShareInfo *share = g_ptr_array_index (shares, i);

          if (strncmp (share->token_prefix, token, TOKEN_PREFIX_LEN) == 0)
            g_ptr_array_add (matches, share);
        }
    }

  if (matches->len == 1)
    return g_ptr_array_index (matches, 0);

  if (matches->len == 0)
    {
      allset_cli_error (_("No link “%s” in this account: see “allset-cli shares”."), reference);
      return NULL;
    }

  {
    g_autoptr(GString) ids = g_string_new (NULL);

    for (guint i = 0; i < matches->len; i++)
      g_string_append_printf (ids, "%s%s", i > 0 ? ", " : "",
                              ((AllsetShareInfo *) g_ptr_array_index (matches, i))->id);
    allset_cli_error (_("“%s” matches several links (ids %s): name one by its id."),
                      reference, ids->str);
  }
  return NULL;
}

AllsetShareInfo *
allset_cli_share_find (AllsetCli      *cli,
                       const char     *reference,
                       AllsetClient  **client,
                       GPtrArray     **shares)
{
  g_autoptr(AllsetConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  if (!(config = allset_cli_load_config (cli)) ||
      !(*client = allset_cli_connect (config)))
    return NULL;

  *shares = allset_client_shares (*client, NULL, &error);
  if (*shares == NULL)
    {
      allset_cli_print_error (*client, error);
      return NULL;
    }
  return find_link (*shares, reference);
}

/* ---- shares ----------------------------------------------------------------- */

static void
print_cell (const char *text,
            guint       width)
{
  glong len = g_utf8_strlen (text, -1);

  g_print ("%s", text);
  for (glong i = len; i < (glong) width + 2; i++)
    g_print (" ");
}

int
allset_cli_shares (AllsetCli  *cli,
                   int         argc,
                   char      **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  enum { COL_ID, COL_LINK, COL_EXPIRES, COL_DOWNLOADS, COL_PASSWORD, COL_STATE, N_COLS };
  g_autoptr(AllsetConfig) config = NULL;
  g_autoptr(AllsetClient) client = NULL;
  g_autoptr(GPtrArray) shares = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  /* TRANSLATORS: column headings of `allset-cli shares`. */
  const char *headings[N_COLS] = { _("ID"), _("LINK"), _("EXPIRES"), _("DOWNLOADS"),
                                   _("PASSWORD"), _("STATE") };
  guint width[N_COLS];

  if (!allset_cli_parse_options ("shares", "",
                                 N_("List this account's share links, revoked ones excepted: "
                                    "expiry in local time, downloads, password, state."),
                                 entries, &argc, &argv))
    return ALLSET_CLI_USAGE;
  if (argc > 1)
    return allset_cli_usage_error ("shares", _("Unexpected argument “%s”"), argv[1]);

  if (!(config = allset_cli_load_config (cli)) ||
      !(client = allset_cli_connect (config)))
    return ALLSET_CLI_ERROR;

  shares = allset_client_shares (client, NULL, &error);
  if (shares == NULL)
    {
      allset_cli_print_error (client, error);
      return ALLSET_CLI_ERROR;
    }

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "shares");
      json_builder_begin_array (b);
      for (guint i = 0; i < shares->len; i++)
        allset_cli_share_json_add (b, g_ptr_array_index (shares, i));
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      allset_cli_print_json (root);
      return ALLSET_CLI_OK;
    }

  if (shares->len == 0)
    {
      g_print ("%s\n", _("No share link: create one with “allset-cli share PATH”."));
      return ALLSET_CLI_OK;
    }

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  for (guint c = 0; c < N_COLS; c++)
    width[c] = g_utf8_strlen (headings[c], -1);
  for (guint i = 0; i < shares->len; i++)
    {
      AllsetShareInfo *share = g_ptr_array_index (shares, i);
      char **row = g_new0 (char *, N_COLS + 1);

      row[COL_ID] = g_strdup (share->id);
      row[COL_LINK] = g_strconcat (share->token_prefix, "…", NULL);
      row[COL_EXPIRES] = allset_cli_share_format_expiry (share->expires_at);
      row[COL_DOWNLOADS] = share->max_downloads > 0
                           ? g_strdup_printf ("%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT,
                                              share->downloads, share->max_downloads)
                           : g_strdup_printf ("%" G_GUINT64_FORMAT "/∞", share->downloads);
      row[COL_PASSWORD] = g_strdup (share->has_password ? _("yes") : _("no"));
      row[COL_STATE] = g_strdup (allset_cli_share_state_label (share->state));
      for (guint c = 0; c < N_COLS; c++)
        width[c] = MAX (width[c], (guint) g_utf8_strlen (row[c], -1));
      g_ptr_array_add (rows, row);
    }

  for (guint c = 0; c < N_COLS; c++)
    print_cell (headings[c], width[c]);
  g_print ("%s\n", _("PATH"));
  for (guint i = 0; i < rows->len; i++)
    {
      AllsetShareInfo *share = g_ptr_array_index (shares, i);
      char **row = g_ptr_array_index (rows, i);

      for (guint c = 0; c < N_COLS; c++)
        print_cell (row[c], width[c]);
      g_print ("/%s%s\n", share->path, share->is_dir ? "/" : "");
    }

  for (guint i = 0; i < shares->len; i++)
    {
      AllsetShareInfo *share = g_ptr_array_index (shares, i);

      if (g_strcmp0 (share->state, "suspended") == 0)
        g_print (_("Link %s was suspended by ALLSET: %s\n"), share->id,
                 share->suspended_reason != NULL && *share->suspended_reason != '\0'
                 ? share->suspended_reason : _("no reason given"));
    }

  return ALLSET_CLI_OK;
}

/* ---- unshare ---------------------------------------------------------------- */

int
allset_cli_unshare (AllsetCli  *cli,
                    int         argc,
                    char      **argv)
{
  GOptionEntry entries[] = { { NULL } };
  g_autoptr(AllsetClient) client = NULL;
  g_autoptr(GPtrArray) shares = NULL;
  g_autoptr(GError) error = NULL;
  AllsetShareInfo *share;

  if (!allset_cli_parse_options ("unshare", N_("ID|TOKEN|URL"),
                                 N_("Revoke a share link for good: its URL stops working at "
                                    "once. Name it by its id (see “allset-cli shares”), its "
                                    "token or its URL."),
                                 entries, &argc, &argv))
    return ALLSET_CLI_USAGE;
  if (argc < 2)
    return allset_cli_usage_error ("unshare", _("Name the link: allset-cli unshare ID|TOKEN|URL"));
  if (argc > 2)
    return allset_cli_usage_error ("unshare", _("Unexpected argument “%s”"), argv[2]);

  if (!(share = allset_cli_share_find (cli, argv[1], &client, &shares)))
    return ALLSET_CLI_ERROR;

  if (!allset_client_share_revoke (client, share->id, NULL, &error))
    {
      allset_cli_share_print_error (client, error);
      return ALLSET_CLI_ERROR;
    }

  g_print (_("Link %s to /%s revoked.\n"), share->id, share->path);
  return ALLSET_CLI_OK;
}
