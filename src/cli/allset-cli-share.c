/* allset-cli-share.c — `allset-cli share` and `share-update`: create and
 * change public links to a synced file or folder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * share takes what a file manager hands over: a local path inside a
 * synced folder, mapped to its remote path by the configuration. The
 * server returns the token once, at creation, so share prints the full
 * URL then and never again. Expiries are read in local time; a bare date
 * lasts until the end of that day. Listing, revoking and naming a link:
 * allset-cli-shares.c.
 */

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "allset-cli-share-private.h"
#include "allset-error.h"

#define DEFAULT_EXPIRY    "7d"
/* Beyond a century the server refuses anyway; this only keeps the
 * arithmetic in range. */
#define MAX_DAYS          36600

/* ---- options shared by share and share-update ---------------------------- */

typedef struct
{
  AllsetShareExpiry  expiry;
  char              *at;  /* owns expiry.at */
} Expiry;

static void
expiry_clear (Expiry *self)
{
  g_clear_pointer (&self->at, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Expiry, expiry_clear)

/* "7d", "12h", "never", "2026-12-24" (to the end of that day, local time),
 * or an ISO 8601 date and time (local time when it names no zone). */
static gboolean
parse_expiry (const char *text,
              Expiry     *out)
{
  g_autoptr(GDateTime) at = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  gsize len = strlen (text);
  guint year, month, day;
  guint64 n;

  memset (&out->expiry, 0, sizeof out->expiry);
  if (g_str_equal (text, "never"))
    {
      out->expiry.never = TRUE;
      return TRUE;
    }

  if (len >= 2 && (text[len - 1] == 'd' || text[len - 1] == 'h'))
    {
      g_autofree char *digits = g_strndup (text, len - 1);
      gboolean days = text[len - 1] == 'd';

      if (!g_ascii_string_to_unsigned (digits, 10, 1, days ? MAX_DAYS : MAX_DAYS * 24, &n, NULL))
        return FALSE;
      out->expiry.in_seconds = (gint64) n * (days ? 86400 : 3600);
      return TRUE;
    }

  if (len == 10 && text[4] == '-' && text[7] == '-' &&
      g_ascii_isdigit (text[0]) && g_ascii_isdigit (text[5]) && g_ascii_isdigit (text[8]) &&
      sscanf (text, "%4u-%2u-%2u", &year, &month, &day) == 3 &&
      g_date_valid_dmy (day, month, year))
    {
      g_autoptr(GDateTime) midnight = g_date_time_new_local (year, month, day, 0, 0, 0);

      at = midnight != NULL ? g_date_time_add_days (midnight, 1) : NULL;
    }
  else if (strchr (text, 'T') != NULL || strchr (text, 't') != NULL || strchr (text, ' ') != NULL)
    at = g_date_time_new_from_iso8601 (text, local);

  if (at == NULL)
    return FALSE;

  utc = g_date_time_to_utc (at);
  out->at = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
  out->expiry.at = out->at;
  /* Said here in the user's words rather than by the server. */
  return g_date_time_compare (utc, now) > 0;
}

static gboolean
expiry_option (const char *command,
               const char *text,
               Expiry     *out)
{
  if (parse_expiry (text, out))
    return TRUE;

  allset_cli_usage_error (command,
                          _("--expires takes 1d, 7d, 30d, a number of days (Nd) or hours (Nh), "
                            "a date (YYYY-MM-DD) or date and time in the future, or never; "
                            "not “%s”"), text);
  return FALSE;
}

static gboolean
max_downloads_option (const char *command,
                      const char *text,
                      guint64    *out)
{
  if (g_ascii_string_to_unsigned (text, 10, 0, 1000000000, out, NULL))
    return TRUE;

  allset_cli_usage_error (command, _("--max-downloads takes a number from 0 (no limit) to "
                                     "1000000000, not “%s”"), text);
  return FALSE;
}

/* ---- share ------------------------------------------------------------------ */

int
allset_cli_share (AllsetCli  *cli,
                  int         argc,
                  char      **argv)
{
  g_autofree char *expires = NULL, *max = NULL;
  gboolean password_stdin = FALSE, json = FALSE;
  GOptionEntry entries[] = {
    { "expires", 0, 0, G_OPTION_ARG_STRING, &expires,
      N_("How long the link works: 1d, 7d (default), 30d, Nd, Nh, a date (until the end of "
         "that day), an ISO 8601 date and time, or never"), N_("WHEN") },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin,
      N_("Protect the link with a password read from the first line of standard input"), NULL },
    { "max-downloads", 0, 0, G_OPTION_ARG_STRING, &max,
      N_("Stop the link after N downloads (0: no limit, the default)"), N_("N") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the link as JSON"), NULL },
    { NULL }
  };
  g_auto(Expiry) expiry = { { 0 } };
  g_autoptr(AllsetConfig) config = NULL;
  g_autoptr(AllsetClient) client = NULL;
  g_autoptr(AllsetShareInfo) share = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *remote = NULL;
  g_autofree char *until = NULL;
  char *password = NULL;
  guint64 max_downloads = 0;
  gboolean usage;

  if (!allset_cli_parse_options ("share", N_("PATH"),
                                 N_("Create a public link to a file or folder and print its "
                                    "URL. PATH is inside a synced folder and already synced. "
                                    "The link expires after 7 days unless --expires says "
                                    "otherwise; the URL is shown only now."),
                                 entries, &argc, &argv))
    return ALLSET_CLI_USAGE;
  if (argc < 2)
    return allset_cli_usage_error ("share", _("Name the file or folder: allset-cli share PATH"));
  if (argc > 2)
    return allset_cli_usage_error ("share", _("Unexpected argument “%s”"), argv[2]);
  if (!expiry_option ("share", expires != NULL ? expires : DEFAULT_EXPIRY, &expiry) ||
      (max != NULL && !max_downloads_option ("share", max, &max_downloads)))
    return ALLSET_CLI_USAGE;

  if (!(config = allset_cli_load_config (cli)))
    return ALLSET_CLI_ERROR;
  remote = allset_config_remote_path_for (config, argv[1], NULL, &error);
  if (remote == NULL)
    {
      if (g_error_matches (error, ALLSET_CONFIG_ERROR, ALLSET_CONFIG_ERROR_FOLDER) &&
          allset_config_folder_for_path (config, argv[1]) == NULL)
        allset_cli_error (_("“%s” is not inside a synced folder: see “allset-cli folders”."),
                          argv[1]);
      else
        allset_cli_error (_("Cannot share “%s”: %s"), argv[1], error->message);
      return ALLSET_CLI_ERROR;
    }
  if (!g_file_test (argv[1], G_FILE_TEST_EXISTS))
    {
      allset_cli_error (_("“%s” does not exist."), argv[1]);
      return ALLSET_CLI_ERROR;
    }
  if (!(client = allset_cli_connect (config)))
    return ALLSET_CLI_ERROR;

  if (password_stdin)
    {
      password = allset_cli_read_password (NULL, TRUE, &usage);
      if (password == NULL)
        return usage ? ALLSET_CLI_USAGE : ALLSET_CLI_ERROR;
    }

  share = allset_client_share_create (client, remote, &expiry.expiry, password, max_downloads,
                                      NULL, &error);
  allset_cli_password_free (password);
  if (share == NULL)
    {
      if (g_error_matches (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND))
        allset_cli_error (_("“%s” is not on the server yet: run “allset-cli sync” first."),
                          argv[1]);
      else
        allset_cli_share_print_error (client, error);
      return ALLSET_CLI_ERROR;
    }

  if (json)
    {
      allset_cli_share_print_json (share);
      return ALLSET_CLI_OK;
    }

  until = allset_cli_share_format_expiry (share->expires_at);
  g_print ("%s\n", share->url);
  /* On standard error: standard output is the URL alone, for scripts. */
  g_printerr (_("Link %s to /%s, expires: %s%s.\n"), share->id, share->path, until,
              share->has_password ? _(", with a password") : "");
  return ALLSET_CLI_OK;
}

/* ---- share-update ------------------------------------------------------------ */

int
allset_cli_share_update (AllsetCli  *cli,
                         int         argc,
                         char      **argv)
{
  g_autofree char *expires = NULL, *max = NULL;
  gboolean password_stdin = FALSE, no_password = FALSE, json = FALSE;
  GOptionEntry entries[] = {
    { "expires", 0, 0, G_OPTION_ARG_STRING, &expires,
      N_("New expiry, counted from now: 1d, 7d, 30d, Nd, Nh, a date (until the end of that "
         "day), an ISO 8601 date and time, or never; brings an expired link back"), N_("WHEN") },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin,
      N_("Set a new password, read from the first line of standard input"), NULL },
    { "no-password", 0, 0, G_OPTION_ARG_NONE, &no_password,
      N_("Remove the password"), NULL },
    { "max-downloads", 0, 0, G_OPTION_ARG_STRING, &max,
      N_("New download limit (0: no limit)"), N_("N") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the link as JSON"), NULL },
    { NULL }
  };
  g_auto(Expiry) expiry = { { 0 } };
  g_autoptr(AllsetClient) client = NULL;
  g_autoptr(GPtrArray) shares = NULL;
  g_autoptr(AllsetShareInfo) updated = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *until = NULL;
  AllsetShareChange change = { NULL };
  AllsetShareInfo *share;
  char *password = NULL;
  gboolean usage;

  if (!allset_cli_parse_options ("share-update", N_("ID|TOKEN|URL"),
                                 N_("Change a share link's expiry, password or download limit. "
                                    "Name it by its id (see “allset-cli shares”), its token or "
                                    "its URL; what is not given stays."),
                                 entries, &argc, &argv))
    return ALLSET_CLI_USAGE;
  if (argc < 2)
    return allset_cli_usage_error ("share-update",
                                   _("Name the link: allset-cli share-update ID|TOKEN|URL"));
  if (argc > 2)
    return allset_cli_usage_error ("share-update", _("Unexpected argument “%s”"), argv[2]);
  if (password_stdin && no_password)
    return allset_cli_usage_error ("share-update",
                                   _("--password-stdin and --no-password exclude each other"));
  if (expires == NULL && max == NULL && !password_stdin && !no_password)
    return allset_cli_usage_error ("share-update", _("Nothing to change: give --expires, "
                                                     "--password-stdin, --no-password or "
                                                     "--max-downloads"));
  if (expires != NULL)
    {
      if (!expiry_option ("share-update", expires, &expiry))
        return ALLSET_CLI_USAGE;
      change.expiry = &expiry.expiry;
    }
  if (max != NULL)
    {
      if (!max_downloads_option ("share-update", max, &change.max_downloads))
        return ALLSET_CLI_USAGE;
      change.set_max_downloads = TRUE;
    }

  if (!(share = allset_cli_share_find (cli, argv[1], &client, &shares)))
    return ALLSET_CLI_ERROR;

  if (password_stdin)
    {
      password = allset_cli_read_password (NULL, TRUE, &usage);
      if (password == NULL)
        return usage ? ALLSET_CLI_USAGE : ALLSET_CLI_ERROR;
    }
  change.set_password = password_stdin || no_password;
  change.password = password;

  updated = allset_client_share_update (client, share->id, &change, NULL, &error);
  allset_cli_password_free (password);
  if (updated == NULL)
    {
      allset_cli_share_print_error (client, error);
      return ALLSET_CLI_ERROR;
    }

  if (json)
    {
      allset_cli_share_print_json (updated);
      return ALLSET_CLI_OK;
    }

  until = allset_cli_share_format_expiry (updated->expires_at);
  g_print (_("Link %s to /%s: expires %s, %s, %s.\n"), updated->id, updated->path, until,
           updated->has_password ? _("with a password") : _("no password"),
           allset_cli_share_state_label (updated->state));
  return ALLSET_CLI_OK;
}
