/* test-share-abuse.c — reports, suspension (451) and owner changes of share links
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real server over TLS and the real `allset-server admin` on its data
 * directory (terms R16: ALLSET may suspend a publication after a
 * complaint). Every report of this program comes from 127.0.0.1, and the
 * server takes at most 10 an hour from one address: the cases count what
 * they store in `reports_sent` and the throttling case, which runs last,
 * expects the 429 exactly at the tenth. Wrong passwords are kept under the
 * unlock throttle's 5 per address for the same reason.
 */

#include <string.h>

#include "share-test-common.h"

#define REPORTS_PER_HOUR 10

static AllsetTestServer *server;
static guint reports_sent;

/* POST /s/TOKEN/report; NULL fields are left out. */
static AllsetTestResponse *
post_report (const char *url_path,
             const char *reason,
             const char *details,
             const char *email)
{
  g_autoptr(GString) form = g_string_new (NULL);
  g_autofree char *path = g_strdup_printf ("%s/report", url_path);
  const char *fields[][2] = { { "reason", reason }, { "details", details }, { "email", email } };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (fields[i][1] != NULL)
      {
        g_autofree char *value = g_uri_escape_string (fields[i][1], NULL, FALSE);

        g_string_append_printf (form, "%s%s=%s", form->len ? "&" : "", fields[i][0], value);
      }
  return share_test_post_form (server, path, form->str);
}

static char *
share_path (AllsetTestResponse *created)
{
  return g_strdup_printf ("/api/v1/shares/%" G_GINT64_FORMAT, allset_test_response_get_int (created, "id"));
}

/* `admin share-reports --json`, parsed; asserts success. */
static JsonArray *
admin_reports (void)
{
  g_autofree char *output = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  g_assert_cmpint (allset_test_server_admin (server, NULL, &output, "share-reports", "--json", NULL), ==, 0);
  if (!json_parser_load_from_data (parser, output, -1, &error))
    g_error ("share-reports --json printed no JSON (%s):\n%s", error->message, output);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  return json_array_ref (json_node_get_array (root));
}

/* The newest report on share_id, or NULL. */
static JsonObject *
find_report (JsonArray *reports,
             gint64     share_id)
{
  for (guint i = 0; i < json_array_get_length (reports); i++)
    {
      JsonObject *report = json_array_get_object_element (reports, i);

      if (json_object_get_int_member (report, "share_id") == share_id)
        return report;
    }
  return NULL;
}

static void
test_report_form (void)
{
  g_autofree char *olivia = share_test_login (server, "olivia");
  g_autoptr(AllsetTestContent) file = share_test_put_file (server, olivia, "pub/affiche.pdf", 1500, 1000);
  g_autoptr(AllsetTestContent) inner = share_test_put_file (server, olivia, "pub/dossier/note.txt", 100, 1000);
  g_autoptr(AllsetTestResponse) plain =
    share_test_create (server, olivia, "{\"path\": \"pub/affiche.pdf\", \"expires_in_seconds\": 3600}");
  g_autoptr(AllsetTestResponse) locked =
    share_test_create (server, olivia, "{\"path\": \"pub/affiche.pdf\", \"expires_in_seconds\": 3600, "
                       "\"password\": \"cadenas\"}");
  g_autoptr(AllsetTestResponse) folder =
    share_test_create (server, olivia, "{\"path\": \"pub/dossier\", \"expires_in_seconds\": 3600}");
  const char *urls[] = {
    allset_test_response_get_string (plain, "url_path"),
    allset_test_response_get_string (locked, "url_path"),
    allset_test_response_get_string (folder, "url_path"),
  };

  /* Every page of a link (file, password form, folder) offers the report. */
  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr(AllsetTestResponse) page = share_test_public_get (server, urls[i], NULL);
      g_autofree char *link = g_strdup_printf ("href=\"%s/report\"", urls[i]);
      g_autofree char *report_url = g_strdup_printf ("%s/report", urls[i]);
      g_autoptr(AllsetTestResponse) form = share_test_public_get (server, report_url, NULL);
      g_autofree char *action = g_strdup_printf ("action=\"%s/report\"", urls[i]);

      share_test_assert_public_html (page, 200);
      share_test_assert_contains (page, link);
      share_test_assert_contains (page, "Signaler ce contenu");

      /* The form, without the password even for the protected link, and
       * without JavaScript. */
      share_test_assert_public_html (form, 200);
      share_test_assert_contains (form, action);
      share_test_assert_contains (form, "method=\"post\"");
      share_test_assert_contains (form, "<select id=\"r\" name=\"reason\"");
      share_test_assert_contains (form, "<option value=\"illegal\">Contenu illicite</option>");
      share_test_assert_contains (form, "<option value=\"copyright\">Atteinte au droit d’auteur</option>");
      share_test_assert_contains (form, "<option value=\"malware\">Logiciel malveillant ou fichier dangereux</option>");
      share_test_assert_contains (form, "<option value=\"personal\">Données personnelles</option>");
      share_test_assert_contains (form, "<option value=\"other\">Autre</option>");
      share_test_assert_contains (form, "name=\"details\"");
      share_test_assert_contains (form, "maxlength=\"4000\"");
      share_test_assert_contains (form, "name=\"email\"");
      g_assert_null (strstr (share_test_body_text (form), "affiche.pdf"));   /* nothing of the content */
    }

  /* Unknown token: 404 as for the page; a revoked link: 410. */
  {
    g_autoptr(AllsetTestResponse) unknown =
      share_test_public_get (server, "/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/report", NULL);
    g_autoptr(AllsetTestResponse) unknown_post =
      post_report ("/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "illegal", NULL, NULL);
    g_autofree char *revoke = share_path (folder);
    g_autoptr(AllsetTestResponse) deleted = allset_test_delete (server, revoke, olivia);
    g_autofree char *report_url = g_strdup_printf ("%s/report", urls[2]);
    g_autoptr(AllsetTestResponse) gone = share_test_public_get (server, report_url, NULL);
    g_autoptr(AllsetTestResponse) gone_post = post_report (urls[2], "illegal", NULL, NULL);

    share_test_assert_public_html (unknown, 404);
    share_test_assert_public_html (unknown_post, 404);
    allset_test_assert_status (deleted, 204);
    share_test_assert_public_html (gone, 410);
    share_test_assert_public_html (gone_post, 410);
  }
}

static void
test_report_submit (void)
{
  g_autofree char *paul = share_test_login (server, "paul");
  g_autoptr(AllsetTestContent) file = share_test_put_file (server, paul, "film.mkv", 2000, 1000);
  g_autoptr(AllsetTestResponse) plain =
    share_test_create (server, paul, "{\"path\": \"film.mkv\", \"expires_in_seconds\": 3600}");
  g_autoptr(AllsetTestResponse) locked =
    share_test_create (server, paul, "{\"path\": \"film.mkv\", \"expires_in_seconds\": 3600, "
                       "\"password\": \"secret\"}");
  const char *url = allset_test_response_get_string (plain, "url_path");
  const char *locked_url = allset_test_response_get_string (locked, "url_path");
  gint64 id = allset_test_response_get_int (plain, "id");
  g_autoptr(JsonArray) before = admin_reports ();
  guint n_before = json_array_get_length (before);

  /* Refused forms: 400, the form again with a French error and what was
   * typed (escaped), nothing stored. */
  {
    g_autofree char *long_details = g_strnfill (4001, 'x');
    g_autofree char *long_email = g_strdup_printf ("%s@exemple.fr", long_details + 4001 - 245);
    const struct {
      const char *reason, *details, *email, *error;
    } bad[] = {
      { NULL, "sans motif", NULL, "Choisissez le motif" },
      { "spam", "motif inconnu", NULL, "Choisissez le motif" },
      { "copyright", long_details, NULL, "trop longues" },
      { "copyright", "<b>gras</b>", "pas-une-adresse", "adresse e-mail" },
      { "copyright", NULL, "a@b", "adresse e-mail" },
      { "copyright", NULL, "deux@@exemple.fr", "adresse e-mail" },
      { "copyright", NULL, long_email, "adresse e-mail" },
      { "other", "\xff\xfe", NULL, "caractères invalides" },
      { "other", NULL, "\xff@exemple.fr", "adresse e-mail" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(AllsetTestResponse) r = post_report (url, bad[i].reason, bad[i].details, bad[i].email);

        g_test_message ("bad report %u", i);
        share_test_assert_public_html (r, 400);
        share_test_assert_contains (r, bad[i].error);
        share_test_assert_contains (r, "class=\"e\"");
        share_test_assert_contains (r, "name=\"reason\"");
      }
    {
      g_autoptr(AllsetTestResponse) r = post_report (url, "copyright", "<b>gras</b>", "pas-une-adresse");

      share_test_assert_contains (r, "&lt;b&gt;gras&lt;/b&gt;");
      share_test_assert_contains (r, "value=\"pas-une-adresse\"");
      share_test_assert_contains (r, "<option value=\"copyright\" selected>");
      g_assert_null (strstr (share_test_body_text (r), "<b>gras"));
    }
  }
  {
    g_autoptr(JsonArray) after = admin_reports ();

    g_assert_cmpuint (json_array_get_length (after), ==, n_before);
  }

  /* A valid report is stored with what the admin needs. */
  {
    g_autoptr(AllsetTestResponse) r = post_report (url, "copyright",
                                                   "Ce film m’appartient.\r\nVoir \x1b[31mcontrat",
                                                   "ayant-droit@exemple.fr");
    g_autoptr(JsonArray) reports = NULL;
    JsonObject *report;
    gint64 now = g_get_real_time () / G_USEC_PER_SEC;
    g_autofree char *min = allset_test_format_time (now - 60);

    share_test_assert_public_html (r, 200);
    share_test_assert_contains (r, "Merci. Votre signalement a été enregistré et sera examiné par ALLSET.");
    reports_sent++;

    reports = admin_reports ();
    g_assert_cmpuint (json_array_get_length (reports), ==, n_before + 1);
    report = json_array_get_object_element (reports, 0);   /* newest first */
    g_assert_cmpint (json_object_get_int_member (report, "share_id"), ==, id);
    g_assert_cmpstr (json_object_get_string_member (report, "token_prefix"), ==,
                     allset_test_response_get_string (plain, "token_prefix"));
    g_assert_true (g_str_has_prefix (url + 3, json_object_get_string_member (report, "token_prefix")));
    g_assert_cmpstr (json_object_get_string_member (report, "reason"), ==, "copyright");
    /* Line breaks kept, the terminal escape defused. */
    g_assert_cmpstr (json_object_get_string_member (report, "details"), ==, "Ce film m’appartient.\nVoir  [31mcontrat");
    g_assert_cmpstr (json_object_get_string_member (report, "email"), ==, "ayant-droit@exemple.fr");
    g_assert_cmpstr (json_object_get_string_member (report, "reporter_ip"), ==, "127.0.0.1");
    g_assert_cmpstr (json_object_get_string_member (report, "owner"), ==, "paul");
    g_assert_cmpstr (json_object_get_string_member (report, "path"), ==, "film.mkv");
    g_assert_cmpstr (json_object_get_string_member (report, "state"), ==, "active");
    g_assert_cmpstr (json_object_get_string_member (report, "created_at"), >=, min);
  }

  /* A protected link is reported without its password; e-mail and details
   * are optional. */
  {
    g_autoptr(AllsetTestResponse) r = post_report (locked_url, "malware", NULL, "");
    g_autoptr(JsonArray) reports = NULL;
    JsonObject *report;

    share_test_assert_public_html (r, 200);
    reports_sent++;
    reports = admin_reports ();
    report = find_report (reports, allset_test_response_get_int (locked, "id"));
    g_assert_nonnull (report);
    g_assert_cmpstr (json_object_get_string_member (report, "reason"), ==, "malware");
    g_assert_cmpstr (json_object_get_string_member (report, "details"), ==, "");
    g_assert_true (json_object_get_null_member (report, "email"));
  }

  /* The table for a terminal. */
  {
    g_autofree char *output = NULL;

    g_assert_cmpint (allset_test_server_admin (server, NULL, &output, "share-reports", NULL), ==, 0);
    g_assert_true (g_str_has_prefix (output, "DATE"));
    g_assert_nonnull (strstr (output, allset_test_response_get_string (plain, "token_prefix")));
    g_assert_nonnull (strstr (output, "copyright"));
    g_assert_nonnull (strstr (output, "ayant-droit@exemple.fr"));
    g_assert_null (strstr (output, "\x1b"));
  }
}

/* Every public URL of a suspended link: 451 with the reason. */
static void
assert_suspended (const char *url,
                  gboolean    is_dir)
{
  g_autofree char *download = g_strdup_printf ("%s/download%s", url, is_dir ? "?path=note.txt" : "");
  g_autofree char *zip = g_strdup_printf ("%s/zip", url);
  g_autofree char *report = g_strdup_printf ("%s/report", url);
  AllsetTestResponse *answers[6] = { NULL, };

  answers[0] = share_test_public_get (server, url, NULL);
  answers[1] = share_test_public_get (server, download, NULL);
  answers[2] = share_test_public_get (server, report, NULL);
  answers[3] = post_report (url, "other", "encore", NULL);
  answers[4] = share_test_post_password (server, url, "peu importe");
  answers[5] = is_dir ? share_test_public_get (server, zip, NULL) : NULL;
  for (guint i = 0; i < G_N_ELEMENTS (answers); i++)
    {
      if (answers[i] == NULL)
        continue;
      g_test_message ("suspended answer %u", i);
      share_test_assert_public_html (answers[i], 451);
      share_test_assert_contains (answers[i], "Ce lien a été suspendu par ALLSET");
      share_test_assert_contains (answers[i], "Plainte n° 42 &lt;contrefaçon&gt;");
      allset_test_response_free (answers[i]);
    }
}

static void
test_suspend (void)
{
  g_autofree char *quentin = share_test_login (server, "quentin");
  g_autofree char *mallory = share_test_login (server, "mallory");
  g_autoptr(AllsetTestContent) file = share_test_put_file (server, quentin, "partage/photo.jpg", 1200, 1000);
  g_autoptr(AllsetTestContent) inner = share_test_put_file (server, quentin, "partage/note.txt", 50, 1000);
  g_autoptr(AllsetTestResponse) link =
    share_test_create (server, quentin, "{\"path\": \"partage/photo.jpg\", \"expires_in_seconds\": 3600}");
  g_autoptr(AllsetTestResponse) folder =
    share_test_create (server, quentin, "{\"path\": \"partage\", \"expires_in_seconds\": 3600}");
  const char *url = allset_test_response_get_string (link, "url_path");
  const char *folder_url = allset_test_response_get_string (folder, "url_path");
  g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, allset_test_response_get_int (link, "id"));
  g_autofree char *api = share_path (link);
  g_autofree char *folder_api = share_path (folder);
  g_autofree char *output = NULL;
  const char *reason = "Plainte n° 42 <contrefaçon>";

  /* A report, then the admin suspends the link by id. */
  {
    g_autoptr(AllsetTestResponse) r = post_report (url, "illegal", "photo volée", NULL);

    share_test_assert_public_html (r, 200);
    reports_sent++;
  }
  g_assert_cmpint (allset_test_server_admin (server, NULL, &output, "share-suspend", id_text,
                                             "--reason", reason, NULL), ==, 0);
  g_assert_nonnull (strstr (output, "451"));
  assert_suspended (url, FALSE);
  {
    g_autoptr(JsonArray) reports = admin_reports ();
    JsonObject *report = find_report (reports, allset_test_response_get_int (link, "id"));

    g_assert_nonnull (report);
    g_assert_cmpstr (json_object_get_string_member (report, "state"), ==, "suspended");
    g_assert_cmpstr (json_object_get_string_member (report, "suspended_reason"), ==, reason);
  }

  /* The folder link by a URL as a complaint quotes it, zip included. */
  {
    g_autofree char *full = g_strdup_printf ("%s%s", allset_test_server_get_url (server), folder_url);

    g_clear_pointer (&output, g_free);
    g_assert_cmpint (allset_test_server_admin (server, NULL, &output, "share-suspend", full,
                                               "--reason", reason, NULL), ==, 0);
    assert_suspended (folder_url, TRUE);
  }

  /* The owner sees it, cannot change it, but can still revoke it. */
  {
    g_autoptr(AllsetTestResponse) list = allset_test_get (server, "/api/v1/shares", quentin);
    g_autoptr(AllsetTestResponse) patched =
      share_test_patch_json (server, api, quentin, "{\"expires_in_seconds\": 60}");
    g_autoptr(AllsetTestResponse) reopened =
      share_test_patch_json (server, api, quentin, "{\"password\": null}");
    g_autoptr(AllsetTestResponse) other =
      share_test_patch_json (server, api, mallory, "{\"expires_in_seconds\": 60}");
    g_autoptr(AllsetTestResponse) other_delete = allset_test_delete (server, api, mallory);

    allset_test_assert_status (list, 200);
    g_assert_cmpstr (allset_test_response_get_string (list, "shares.0.state"), ==, "suspended");
    g_assert_cmpstr (allset_test_response_get_string (list, "shares.0.suspended_reason"), ==, reason);
    allset_test_assert_error (patched, 403, "suspended");
    allset_test_assert_error (reopened, 403, "suspended");
    allset_test_assert_error (other, 404, "not_found");
    allset_test_assert_error (other_delete, 404, "not_found");
  }
  {
    g_autoptr(AllsetTestResponse) deleted = allset_test_delete (server, folder_api, quentin);
    g_autoptr(AllsetTestResponse) gone = share_test_public_get (server, folder_url, NULL);

    allset_test_assert_status (deleted, 204);
    share_test_assert_public_html (gone, 410);
  }

  /* Lifted by token prefix: everything works again. */
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (allset_test_server_admin (server, NULL, &output, "share-unsuspend",
                                             allset_test_response_get_string (link, "token_prefix"), NULL), ==, 0);
  {
    g_autofree char *download = g_strdup_printf ("%s/download", url);
    g_autoptr(AllsetTestResponse) page = share_test_public_get (server, url, NULL);
    g_autoptr(AllsetTestResponse) bytes = share_test_public_get (server, download, NULL);
    g_autoptr(AllsetTestResponse) list = allset_test_get (server, "/api/v1/shares", quentin);
    g_autoptr(AllsetTestResponse) patched = share_test_patch_json (server, api, quentin, "{\"max_downloads\": 5}");

    share_test_assert_public_html (page, 200);
    share_test_assert_contains (page, "photo.jpg");
    allset_test_assert_status (bytes, 200);
    g_assert_true (g_bytes_equal (bytes->body, file->data));
    g_assert_cmpstr (allset_test_response_get_string (list, "shares.0.state"), ==, "active");
    g_assert_true (allset_test_response_is_null (list, "shares.0.suspended_reason"));
    allset_test_assert_status (patched, 200);
    g_assert_cmpint (allset_test_response_get_int (patched, "max_downloads"), ==, 5);
  }

  /* Usage errors. */
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (allset_test_server_admin (server, NULL, &output, "share-suspend", "999999",
                                             "--reason", "x", NULL), ==, 1);
  g_assert_nonnull (strstr (output, "999999"));
  g_assert_cmpint (allset_test_server_admin (server, NULL, NULL, "share-suspend", id_text, NULL), ==, 2);
  g_assert_cmpint (allset_test_server_admin (server, NULL, NULL, "share-suspend", id_text,
                                             "--reason", "  ", NULL), ==, 2);
  g_assert_cmpint (allset_test_server_admin (server, NULL, NULL, "share-unsuspend", NULL), ==, 2);
}

static void
test_patch (void)
{
  g_autofree char *rose = share_test_login (server, "rose");
  g_autofree char *mallory = share_test_login (server, "mallory");
  g_autoptr(AllsetTestContent) file = share_test_put_file (server, rose, "contrat.pdf", 3000, 1000);
  g_autoptr(AllsetTestResponse) link =
    share_test_create (server, rose, "{\"path\": \"contrat.pdf\", \"expires_in_seconds\": 3600, "
                       "\"password\": \"ancien\"}");
  const char *url = allset_test_response_get_string (link, "url_path");
  g_autofree char *download = g_strdup_printf ("%s/download", url);
  g_autofree char *api = share_path (link);
  g_autofree char *old_cookie = NULL;
  g_autofree char *new_cookie = NULL;

  /* Unlock with the old password and keep its cookie. */
  {
    g_autoptr(AllsetTestResponse) right = share_test_post_password (server, url, "ancien");
    const char *set_cookie;

    share_test_assert_public_html (right, 200);
    set_cookie = allset_test_response_header (right, "Set-Cookie");
    g_assert_nonnull (set_cookie);
    old_cookie = g_strndup (set_cookie, strcspn (set_cookie, ";"));
  }

  /* Bad bodies: the same codes as at creation, nothing changed. */
  {
    g_autofree char *long_password = g_strnfill (1025, 'p');
    g_autofree char *too_long = g_strdup_printf ("{\"password\": \"%s\"}", long_password);
    const char *bad[][2] = {
      { "{}", "bad_request" },
      { "{\"unknown\": 1}", "bad_request" },
      { "{\"password\": \"\"}", "bad_request" },
      { too_long, "bad_request" },
      { "{\"password\": 5}", "invalid_json" },
      { "{\"max_downloads\": -1}", "bad_request" },
      { "{\"max_downloads\": 1000000001}", "bad_request" },
      { "{\"max_downloads\": \"3\"}", "invalid_json" },
      { "{\"max_downloads\": 3, \"expires_in_seconds\": 0}", "bad_request" },
      { "{\"never\": false}", "bad_request" },
      { "[1]", "invalid_json" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(AllsetTestResponse) r = share_test_patch_json (server, api, rose, bad[i][0]);

        g_test_message ("PATCH %.60s", bad[i][0]);
        allset_test_assert_error (r, 400, bad[i][1]);
      }
  }
  {
    g_autoptr(AllsetTestResponse) list = allset_test_get (server, "/api/v1/shares", rose);

    g_assert_cmpint (allset_test_response_get_int (list, "shares.0.max_downloads"), ==, 0);
    g_assert_true (allset_test_response_get_bool (list, "shares.0.has_password"));
  }

  /* Another account can neither change nor revoke it: 404 as for no link. */
  {
    g_autoptr(AllsetTestResponse) r = share_test_patch_json (server, api, mallory, "{\"password\": null}");
    g_autoptr(AllsetTestResponse) d = allset_test_delete (server, api, mallory);

    allset_test_assert_error (r, 404, "not_found");
    allset_test_assert_error (d, 404, "not_found");
  }

  /* A new password: the new one opens, the old one and its cookie no longer do. */
  {
    g_autoptr(AllsetTestResponse) r = share_test_patch_json (server, api, rose, "{\"password\": \"nouveau\"}");
    const char *old[] = { "Cookie", old_cookie, NULL };
    g_autoptr(AllsetTestResponse) stale = share_test_public_get (server, download, old);
    g_autoptr(AllsetTestResponse) wrong = share_test_post_password (server, url, "ancien");
    g_autoptr(AllsetTestResponse) right = share_test_post_password (server, url, "nouveau");
    const char *set_cookie;

    allset_test_assert_status (r, 200);
    g_assert_true (allset_test_response_get_bool (r, "has_password"));
    share_test_assert_public_html (stale, 403);
    share_test_assert_public_html (wrong, 403);
    share_test_assert_public_html (right, 200);
    set_cookie = allset_test_response_header (right, "Set-Cookie");
    g_assert_nonnull (set_cookie);
    new_cookie = g_strndup (set_cookie, strcspn (set_cookie, ";"));
    g_assert_cmpstr (new_cookie, !=, old_cookie);
  }
  {
    const char *fresh[] = { "Cookie", new_cookie, NULL };
    g_autoptr(AllsetTestResponse) bytes = share_test_public_get (server, download, fresh);

    allset_test_assert_status (bytes, 200);
    g_assert_true (g_bytes_equal (bytes->body, file->data));
  }

  /* No password: open to anyone holding the URL. */
  {
    g_autoptr(AllsetTestResponse) r = share_test_patch_json (server, api, rose, "{\"password\": null}");
    g_autoptr(AllsetTestResponse) page = share_test_public_get (server, url, NULL);
    g_autoptr(AllsetTestResponse) bytes = share_test_public_get (server, download, NULL);

    allset_test_assert_status (r, 200);
    g_assert_false (allset_test_response_get_bool (r, "has_password"));
    share_test_assert_public_html (page, 200);
    share_test_assert_contains (page, "contrat.pdf");
    g_assert_null (strstr (share_test_body_text (page), "type=\"password\""));
    allset_test_assert_status (bytes, 200);
  }

  /* Two downloads so far; a limit below that exhausts the link, with an
   * expiry in the same request; no limit brings it back. */
  {
    g_autoptr(AllsetTestResponse) r =
      share_test_patch_json (server, api, rose, "{\"max_downloads\": 1, \"expires_in_seconds\": 7200}");
    g_autoptr(AllsetTestResponse) page = share_test_public_get (server, url, NULL);
    g_autoptr(AllsetTestResponse) bytes = share_test_public_get (server, download, NULL);
    gint64 now = g_get_real_time () / G_USEC_PER_SEC;
    g_autofree char *min = allset_test_format_time (now + 7200 - 5);

    allset_test_assert_status (r, 200);
    g_assert_cmpint (allset_test_response_get_int (r, "downloads"), ==, 2);
    g_assert_cmpint (allset_test_response_get_int (r, "max_downloads"), ==, 1);
    g_assert_cmpstr (allset_test_response_get_string (r, "state"), ==, "exhausted");
    g_assert_cmpstr (allset_test_response_get_string (r, "expires_at"), >=, min);
    g_assert_false (allset_test_response_get_bool (r, "has_password"));   /* untouched */
    share_test_assert_public_html (page, 410);
    share_test_assert_public_html (bytes, 410);
  }
  {
    g_autoptr(AllsetTestResponse) r = share_test_patch_json (server, api, rose, "{\"max_downloads\": 0}");
    g_autoptr(AllsetTestResponse) bytes = share_test_public_get (server, download, NULL);

    allset_test_assert_status (r, 200);
    g_assert_cmpstr (allset_test_response_get_string (r, "state"), ==, "active");
    allset_test_assert_status (bytes, 200);
  }

  /* A revoked link is no longer the owner's to change. */
  {
    g_autoptr(AllsetTestResponse) d = allset_test_delete (server, api, rose);
    g_autoptr(AllsetTestResponse) r = share_test_patch_json (server, api, rose, "{\"max_downloads\": 3}");

    allset_test_assert_status (d, 204);
    allset_test_assert_error (r, 404, "not_found");
  }
}

/* Runs last: every report of this program came from 127.0.0.1. */
static void
test_throttle (void)
{
  g_autofree char *sam = share_test_login (server, "sam");
  g_autoptr(AllsetTestContent) file = share_test_put_file (server, sam, "x.bin", 10, 1000);
  g_autoptr(AllsetTestResponse) link =
    share_test_create (server, sam, "{\"path\": \"x.bin\", \"expires_in_seconds\": 3600}");
  const char *url = allset_test_response_get_string (link, "url_path");

  g_assert_cmpuint (reports_sent, <, REPORTS_PER_HOUR);
  while (reports_sent < REPORTS_PER_HOUR)
    {
      g_autoptr(AllsetTestResponse) r = post_report (url, "other", "spam ?", NULL);

      share_test_assert_public_html (r, 200);
      reports_sent++;
    }
  {
    g_autoptr(AllsetTestResponse) r = post_report (url, "other", "un de trop", NULL);
    g_autoptr(AllsetTestResponse) form = NULL;
    g_autofree char *report_url = g_strdup_printf ("%s/report", url);
    const char *retry = NULL;
    guint64 seconds = 0;

    share_test_assert_public_html (r, 429);
    share_test_assert_contains (r, "Trop de signalements");
    retry = allset_test_response_header (r, "Retry-After");
    g_assert_nonnull (retry);
    g_assert_true (g_ascii_string_to_unsigned (retry, 10, 1, 3600, &seconds, NULL));
    /* The page itself still opens; only storing is held back. */
    form = share_test_public_get (server, report_url, NULL);
    share_test_assert_public_html (form, 200);
  }
  {
    g_autoptr(JsonArray) reports = admin_reports ();
    guint on_link = 0;

    for (guint i = 0; i < json_array_get_length (reports); i++)
      if (json_object_get_int_member (json_array_get_object_element (reports, i), "share_id") ==
          allset_test_response_get_int (link, "id"))
        on_link++;
    g_assert_cmpuint (json_array_get_length (reports), ==, REPORTS_PER_HOUR);
    g_assert_cmpuint (on_link, >, 0);
  }
}

int
main (int    argc,
      char **argv)
{
  const char *accounts[] = { "olivia", "paul", "quentin", "rose", "sam", "mallory", NULL };
  const char *args[] = { "--bandwidth-up", "0", "--bandwidth-down", "0", NULL };
  int status;

  allset_test_init (&argc, &argv);
  server = allset_test_server_new_full (args, 0);
  for (guint i = 0; accounts[i] != NULL; i++)
    share_test_add_account (server, accounts[i]);

  g_test_add_func ("/share-abuse/report-form", test_report_form);
  g_test_add_func ("/share-abuse/report-submit", test_report_submit);
  g_test_add_func ("/share-abuse/suspend", test_suspend);
  g_test_add_func ("/share-abuse/patch", test_patch);
  g_test_add_func ("/share-abuse/throttle", test_throttle);

  status = g_test_run ();
  allset_test_server_free (server);
  return status;
}
