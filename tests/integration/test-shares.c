/* test-shares.c — public share links (issue #5): API, public pages, rules
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real server over TLS. Each case has its own account so throttling and
 * download counts never leak between cases. The server caps link lifetime
 * at 30 days through a config file, so "never" is refused there; a second
 * server without the cap accepts it.
 */

#include <string.h>

#include <glib/gstdio.h>

#include "share-test-common.h"

static AllsetTestServer *server;

static GBytes *
slice (GBytes *data,
       gsize   start,
       gsize   len)
{
  return g_bytes_new_from_bytes (data, start, len);
}

static void
test_manage (void)
{
  g_autofree char *alice = share_test_login (server, "alice");
  g_autofree char *mallory = share_test_login (server, "mallory");
  g_autoptr(AllsetTestContent) content = share_test_put_file (server, alice, "docs/rapport.pdf", 2500, 1000);
  g_autoptr(AllsetTestResponse) r = NULL;
  g_autoptr(AllsetTestResponse) list = NULL;
  g_autofree char *patch_path = NULL;
  g_autofree char *token = NULL;
  gint64 id, before = g_get_real_time () / G_USEC_PER_SEC;

  r = share_test_create (server, alice, "{\"path\": \"docs/rapport.pdf\", \"expires_in_seconds\": 86400}");
  token = g_strdup (allset_test_response_get_string (r, "token"));
  id = allset_test_response_get_int (r, "id");
  /* 32 random bytes, base64url without padding. */
  g_assert_cmpuint (strlen (token), ==, 43);
  for (const char *p = token; *p; p++)
    g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
  {
    g_autofree char *url = g_strdup_printf ("/s/%s", token);

    g_assert_cmpstr (allset_test_response_get_string (r, "url_path"), ==, url);
  }
  g_assert_cmpstr (allset_test_response_get_string (r, "type"), ==, "file");
  g_assert_cmpstr (allset_test_response_get_string (r, "state"), ==, "active");
  g_assert_false (allset_test_response_get_bool (r, "has_password"));
  {
    g_autofree char *min = allset_test_format_time (before + 86400);
    g_autofree char *max = allset_test_format_time (before + 86402);
    const char *at = allset_test_response_get_string (r, "expires_at");

    g_assert_cmpstr (at, >=, min);
    g_assert_cmpstr (at, <=, max);
  }

  /* The list shows the link by id and token prefix, never the token. */
  list = allset_test_get (server, "/api/v1/shares", alice);
  allset_test_assert_status (list, 200);
  g_assert_cmpuint (allset_test_response_get_length (list, "shares"), ==, 1);
  g_assert_cmpint (allset_test_response_get_int (list, "shares.0.id"), ==, id);
  g_assert_cmpstr (allset_test_response_get_string (list, "shares.0.path"), ==, "docs/rapport.pdf");
  g_assert_true (g_str_has_prefix (token, allset_test_response_get_string (list, "shares.0.token_prefix")));
  g_assert_null (strstr (share_test_body_text (list), token));
  g_clear_pointer (&list, allset_test_response_free);

  /* Another account sees nothing and can change nothing: 404 as for no link. */
  list = allset_test_get (server, "/api/v1/shares", mallory);
  g_assert_cmpuint (allset_test_response_get_length (list, "shares"), ==, 0);
  g_clear_pointer (&list, allset_test_response_free);
  patch_path = g_strdup_printf ("/api/v1/shares/%" G_GINT64_FORMAT, id);
  g_clear_pointer (&r, allset_test_response_free);
  r = share_test_patch_json (server, patch_path, mallory, "{\"expires_in_seconds\": 5}");
  allset_test_assert_error (r, 404, "not_found");
  g_clear_pointer (&r, allset_test_response_free);
  r = allset_test_delete (server, patch_path, mallory);
  allset_test_assert_error (r, 404, "not_found");
  g_clear_pointer (&r, allset_test_response_free);
  r = allset_test_delete (server, "/api/v1/shares/999999", alice);
  allset_test_assert_error (r, 404, "not_found");
  g_clear_pointer (&r, allset_test_response_free);
  r = allset_test_delete (server, "/api/v1/shares/abc", alice);
  allset_test_assert_error (r, 404, "not_found");
  g_clear_pointer (&r, allset_test_response_free);

  /* The owner changes the expiry to a date. */
  r = share_test_patch_json (server, patch_path, alice, "{\"expires_at\": \"2099-01-02T03:04:05Z\"}");
  allset_test_assert_error (r, 400, "bad_request");   /* past the server's 30-day cap */
  g_clear_pointer (&r, allset_test_response_free);
  {
    g_autofree char *at = allset_test_format_time (before + 7 * 86400);
    g_autofree char *json = g_strdup_printf ("{\"expires_at\": \"%s\"}", at);

    r = share_test_patch_json (server, patch_path, alice, json);
    allset_test_assert_status (r, 200);
    g_assert_cmpstr (allset_test_response_get_string (r, "expires_at"), ==, at);
  }
  g_clear_pointer (&r, allset_test_response_free);

  /* The public page works, then revocation answers 410 and the link leaves the list. */
  {
    g_autofree char *url = g_strdup_printf ("/s/%s", token);
    g_autoptr(AllsetTestResponse) page = share_test_public_get (server, url, NULL);
    g_autoptr(AllsetTestResponse) gone = NULL;

    share_test_assert_public_html (page, 200);
    g_assert_nonnull (strstr (share_test_body_text (page), "rapport.pdf"));
    g_assert_nonnull (strstr (share_test_body_text (page), "Télécharger"));
    g_assert_nonnull (strstr (share_test_body_text (page), "2,4 Ko"));

    r = allset_test_delete (server, patch_path, alice);
    allset_test_assert_status (r, 204);
    gone = share_test_public_get (server, url, NULL);
    share_test_assert_public_html (gone, 410);
    g_assert_nonnull (strstr (share_test_body_text (gone), "plus disponible"));
  }
  g_clear_pointer (&r, allset_test_response_free);
  r = allset_test_delete (server, patch_path, alice);
  allset_test_assert_error (r, 404, "not_found");
  list = allset_test_get (server, "/api/v1/shares", alice);
  g_assert_cmpuint (allset_test_response_get_length (list, "shares"), ==, 0);
}

static void
test_bad_input (void)
{
  g_autofree char *bob = share_test_login (server, "bob");
  g_autoptr(AllsetTestContent) content = share_test_put_file (server, bob, "a.txt", 10, 1000);
  const char *bad_bodies[][2] = {
    { "{\"path\": \"../etc/passwd\", \"expires_in_seconds\": 60}", "invalid_name" },
    { "{\"path\": \"/a.txt\", \"expires_in_seconds\": 60}", "invalid_name" },
    { "{\"path\": \"a\\u0000b\", \"expires_in_seconds\": 60}", "invalid_json" },
    { "{\"path\": \"\", \"expires_in_seconds\": 60}", "invalid_name" },
    { "{\"path\": \"a.txt\"}", "bad_request" },
    { "{\"path\": \"a.txt\", \"expires_in_seconds\": 60, \"never\": true}", "bad_request" },
    { "{\"path\": \"a.txt\", \"expires_in_seconds\": 0}", "bad_request" },
    { "{\"path\": \"a.txt\", \"expires_at\": \"demain\"}", "bad_request" },
    { "{\"path\": \"a.txt\", \"expires_at\": \"2001-01-01T00:00:00Z\"}", "bad_request" },
    { "{\"path\": \"a.txt\", \"never\": true}", "bad_request" },           /* capped server */
    { "{\"path\": \"a.txt\", \"expires_in_seconds\": 2592001}", "bad_request" },
    { "{\"path\": \"a.txt\", \"expires_in_seconds\": 60, \"password\": \"\"}", "bad_request" },
    { "{\"path\": \"a.txt\", \"expires_in_seconds\": 60, \"max_downloads\": -1}", "bad_request" },
    { "{\"path\": \"nope.txt\", \"expires_in_seconds\": 60}", "not_found" },
    { "[1]", "invalid_json" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad_bodies); i++)
    {
      g_autoptr(AllsetTestResponse) r = allset_test_post_json (server, "/api/v1/shares", bob, bad_bodies[i][0]);

      g_test_message ("%s", bad_bodies[i][0]);
      g_assert_nonnull (r->json);
      g_assert_cmpstr (allset_test_response_get_string (r, "error.code"), ==, bad_bodies[i][1]);
      g_assert_cmpstr (allset_test_response_get_string (r, "error.message"), !=, "");
    }

  /* Without a token the API is closed. */
  {
    g_autoptr(AllsetTestResponse) r = allset_test_get (server, "/api/v1/shares", NULL);

    allset_test_assert_error (r, 401, "unauthorized");
  }

  /* Forged, truncated, padded and extended tokens: one 404 page, the same
   * bytes for all, with the public headers. */
  {
    g_autoptr(AllsetTestResponse) real =
      share_test_create (server, bob, "{\"path\": \"a.txt\", \"expires_in_seconds\": 600}");
    const char *token = allset_test_response_get_string (real, "token");
    g_autofree char *truncated = g_strdup_printf ("/s/%.42s", token);
    g_autofree char *extended = g_strdup_printf ("/s/%sA", token);
    g_autofree char *flipped = g_strdup_printf ("/s/%s", token);
    g_autofree char *subpath = g_strdup_printf ("/s/%s/../x", token);
    g_autoptr(GBytes) reference = NULL;
    const char *paths[] = { truncated, extended, flipped, "/s/x",
                            "/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                            subpath, NULL };

    flipped[3] = flipped[3] == 'A' ? 'B' : 'A';
    for (guint i = 0; paths[i] != NULL; i++)
      {
        g_autoptr(AllsetTestResponse) r = share_test_public_get (server, paths[i], NULL);

        g_test_message ("%s", paths[i]);
        share_test_assert_public_html (r, 404);
        g_assert_null (strstr (share_test_body_text (r), token));
        if (reference == NULL)
          reference = g_bytes_ref (r->body);
        else
          g_assert_true (g_bytes_equal (reference, r->body));
      }
  }
}

static void
test_expiry (void)
{
  g_autofree char *carol = share_test_login (server, "carol");
  g_autoptr(AllsetTestContent) content = share_test_put_file (server, carol, "bientot.txt", 100, 1000);
  g_autoptr(AllsetTestResponse) r =
    share_test_create (server, carol, "{\"path\": \"bientot.txt\", \"expires_in_seconds\": 2}");
  g_autofree char *url = g_strdup_printf ("%s", allset_test_response_get_string (r, "url_path"));
  g_autofree char *download = g_strdup_printf ("%s/download", url);
  gint64 expires_at_us;

  {
    g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (allset_test_response_get_string (r, "expires_at"), NULL);

    expires_at_us = g_date_time_to_unix (dt) * G_USEC_PER_SEC;
  }

  {
    g_autoptr(AllsetTestResponse) page = share_test_public_get (server, url, NULL);

    /* Only meaningful if we are still before the expiry. */
    if (g_get_real_time () < expires_at_us - 200000)
      share_test_assert_public_html (page, 200);
  }

  /* Poll until the expiry (bounded), then half a second more. */
  while (g_get_real_time () < expires_at_us + 500000)
    g_usleep (100000);

  {
    g_autoptr(AllsetTestResponse) page = share_test_public_get (server, url, NULL);
    g_autoptr(AllsetTestResponse) file = share_test_public_get (server, download, NULL);
    g_autoptr(AllsetTestResponse) list = allset_test_get (server, "/api/v1/shares", carol);

    share_test_assert_public_html (page, 410);
    share_test_assert_public_html (file, 410);
    g_assert_cmpstr (allset_test_response_get_string (list, "shares.0.state"), ==, "expired");
  }

  /* The owner alone decides: extending it brings the link back. */
  {
    g_autofree char *patch = g_strdup_printf ("/api/v1/shares/%" G_GINT64_FORMAT,
                                              allset_test_response_get_int (r, "id"));
    g_autoptr(AllsetTestResponse) p = share_test_patch_json (server, patch, carol, "{\"expires_in_seconds\": 3600}");
    g_autoptr(AllsetTestResponse) file = NULL;

    allset_test_assert_status (p, 200);
    file = share_test_public_get (server, download, NULL);
    allset_test_assert_status (file, 200);
    g_assert_true (g_bytes_equal (file->body, content->data));
  }
}

static void
test_password (void)
{
  g_autofree char *dave = share_test_login (server, "dave");
  g_autoptr(AllsetTestContent) content = share_test_put_file (server, dave, "secret.bin", 3000, 1000);
  g_autoptr(AllsetTestResponse) r =
    share_test_create (server, dave, "{\"path\": \"secret.bin\", \"expires_in_seconds\": 3600, "
                       "\"password\": \"sésame ouvre-toi\"}");
  const char *url = allset_test_response_get_string (r, "url_path");
  g_autofree char *download = g_strdup_printf ("%s/download", url);
  g_autofree char *cookie = NULL;

  g_assert_true (allset_test_response_get_bool (r, "has_password"));

  /* Without the password: a form, and no file. */
  {
    g_autoptr(AllsetTestResponse) page = share_test_public_get (server, url, NULL);
    g_autoptr(AllsetTestResponse) file = share_test_public_get (server, download, NULL);

    share_test_assert_public_html (page, 200);
    g_assert_nonnull (strstr (share_test_body_text (page), "type=\"password\""));
    g_assert_null (strstr (share_test_body_text (page), "secret.bin"));
    share_test_assert_public_html (file, 403);
  }

  /* A wrong password, then the right one: a cookie that is not the password. */
  {
    g_autoptr(AllsetTestResponse) wrong = share_test_post_password (server, url, "faux");
    g_autoptr(AllsetTestResponse) right = share_test_post_password (server, url, "sésame ouvre-toi");
    const char *set_cookie;

    share_test_assert_public_html (wrong, 403);
    g_assert_nonnull (strstr (share_test_body_text (wrong), "Mot de passe incorrect"));
    share_test_assert_public_html (right, 200);
    g_assert_nonnull (strstr (share_test_body_text (right), "secret.bin"));
    set_cookie = allset_test_response_header (right, "Set-Cookie");
    g_assert_nonnull (set_cookie);
    g_assert_nonnull (strstr (set_cookie, "HttpOnly"));
    g_assert_nonnull (strstr (set_cookie, "Secure"));
    g_assert_nonnull (strstr (set_cookie, "SameSite=Strict"));
    {
      g_autofree char *scope = g_strdup_printf ("Path=%s;", url);

      g_assert_nonnull (strstr (set_cookie, scope));
    }
    g_assert_null (strstr (set_cookie, "ouvre"));
    cookie = g_strndup (set_cookie, strcspn (set_cookie, ";"));
  }

  /* The cookie opens the download; a forged one does not. */
  {
    const char *good[] = { "Cookie", cookie, NULL };
    const char *forged[] = { "Cookie", "allset_share=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", NULL };
    g_autoptr(AllsetTestResponse) file = share_test_public_get (server, download, good);
    g_autoptr(AllsetTestResponse) refused = share_test_public_get (server, download, forged);

    allset_test_assert_status (file, 200);
    share_test_assert_public_headers (file);
    g_assert_true (g_bytes_equal (file->body, content->data));
    share_test_assert_public_html (refused, 403);
  }

  /* Wrong passwords in a loop: throttled (429, Retry-After) after 5
   * failures in the window, even with the right password. */
  {
    g_autoptr(AllsetTestResponse) last = NULL;
    g_autoptr(AllsetTestResponse) right = NULL;
    guint i;

    /* One failure already counted above. */
    for (i = 0; i < 4; i++)
      {
        g_autoptr(AllsetTestResponse) wrong = share_test_post_password (server, url, "encore faux");

        share_test_assert_public_html (wrong, 403);
      }
    last = share_test_post_password (server, url, "encore faux");
    share_test_assert_public_html (last, 429);
    g_assert_nonnull (allset_test_response_header (last, "Retry-After"));
    right = share_test_post_password (server, url, "sésame ouvre-toi");
    share_test_assert_public_html (right, 429);
    g_assert_null (allset_test_response_header (right, "Set-Cookie"));
  }
}

static void
test_limit_and_range (void)
{
  g_autofree char *erin = share_test_login (server, "erin");
  g_autoptr(AllsetTestContent) content = share_test_put_file (server, erin, "gros/été 2026 %final.bin", 5000, 1000);
  g_autoptr(AllsetTestResponse) r = share_test_create (server, erin, "{\"path\": \"gros/été 2026 %final.bin\", "
                                                       "\"expires_in_seconds\": 3600, \"max_downloads\": 2}");
  const char *url = allset_test_response_get_string (r, "url_path");
  g_autofree char *download = g_strdup_printf ("%s/download", url);

  /* Range within and across chunks (1000 bytes each); resuming further in
   * does not count as a download. */
  {
    const char *tail[] = { "Range", "bytes=1500-3499", NULL };
    const char *bad[] = { "Range", "bytes=6000-", NULL };
    g_autoptr(AllsetTestResponse) part = share_test_public_get (server, download, tail);
    g_autoptr(AllsetTestResponse) unsat = share_test_public_get (server, download, bad);
    g_autoptr(GBytes) expected = slice (content->data, 1500, 2000);
    g_autoptr(AllsetTestResponse) list = NULL;

    allset_test_assert_status (part, 206);
    share_test_assert_public_headers (part);
    g_assert_cmpstr (allset_test_response_header (part, "Content-Range"), ==, "bytes 1500-3499/5000");
    g_assert_true (g_bytes_equal (part->body, expected));
    share_test_assert_public_html (unsat, 416);
    g_assert_cmpstr (allset_test_response_header (unsat, "Content-Range"), ==, "bytes */5000");
    list = allset_test_get (server, "/api/v1/shares", erin);
    g_assert_cmpint (allset_test_response_get_int (list, "shares.0.downloads"), ==, 0);
  }

  /* Two full downloads, then the link is exhausted: 410 everywhere. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(AllsetTestResponse) file = share_test_public_get (server, download, NULL);
      const char *disposition;

      allset_test_assert_status (file, 200);
      g_assert_true (g_bytes_equal (file->body, content->data));
      disposition = allset_test_response_header (file, "Content-Disposition");
      g_assert_nonnull (disposition);
      g_assert_true (g_str_has_prefix (disposition, "attachment; "));
      g_assert_nonnull (strstr (disposition, "filename*=UTF-8''%C3%A9t%C3%A9%202026%20%25final.bin"));
      g_assert_nonnull (strstr (disposition, "filename=\"__t__ 2026 _final.bin\""));
    }
  {
    g_autoptr(AllsetTestResponse) file = share_test_public_get (server, download, NULL);
    g_autoptr(AllsetTestResponse) page = share_test_public_get (server, url, NULL);
    g_autoptr(AllsetTestResponse) list = allset_test_get (server, "/api/v1/shares", erin);

    share_test_assert_public_html (file, 410);
    share_test_assert_public_html (page, 410);
    g_assert_cmpint (allset_test_response_get_int (list, "shares.0.downloads"), ==, 2);
    g_assert_cmpstr (allset_test_response_get_string (list, "shares.0.state"), ==, "exhausted");
  }
}

static void
test_folder (void)
{
  g_autofree char *fred = share_test_login (server, "fred");
  g_autoptr(AllsetTestContent) a = share_test_put_file (server, fred, "projet/plan.txt", 1200, 1000);
  g_autoptr(AllsetTestContent) b = share_test_put_file (server, fred, "projet/annexes/R&D.txt", 300, 1000);
  g_autoptr(AllsetTestContent) outside = share_test_put_file (server, fred, "prive.txt", 50, 1000);
  g_autoptr(AllsetTestResponse) r =
    share_test_create (server, fred, "{\"path\": \"projet\", \"expires_in_seconds\": 3600}");
  const char *url = allset_test_response_get_string (r, "url_path");

  g_assert_cmpstr (allset_test_response_get_string (r, "type"), ==, "dir");
  {
    g_autoptr(AllsetTestResponse) page = share_test_public_get (server, url, NULL);
    g_autofree char *sub = g_strdup_printf ("%s?dir=annexes", url);
    g_autoptr(AllsetTestResponse) subpage = share_test_public_get (server, sub, NULL);

    share_test_assert_public_html (page, 200);
    g_assert_nonnull (strstr (share_test_body_text (page), "plan.txt"));
    g_assert_nonnull (strstr (share_test_body_text (page), "annexes/"));
    share_test_assert_public_html (subpage, 200);
    /* Names are escaped, never markup. */
    g_assert_nonnull (strstr (share_test_body_text (subpage), "R&amp;D.txt"));
    g_assert_null (strstr (share_test_body_text (subpage), "R&D.txt"));
  }
  {
    g_autofree char *file_url = g_strdup_printf ("%s/download?path=annexes/R%%26D.txt", url);
    g_autofree char *escape = g_strdup_printf ("%s/download?path=..%%2Fprive.txt", url);
    g_autofree char *escape_dir = g_strdup_printf ("%s?dir=..", url);
    g_autoptr(AllsetTestResponse) file = share_test_public_get (server, file_url, NULL);
    g_autoptr(AllsetTestResponse) refused = share_test_public_get (server, escape, NULL);
    g_autoptr(AllsetTestResponse) refused_dir = share_test_public_get (server, escape_dir, NULL);

    allset_test_assert_status (file, 200);
    g_assert_true (g_bytes_equal (file->body, b->data));
    share_test_assert_public_html (refused, 404);
    share_test_assert_public_html (refused_dir, 404);
  }
}

static void
test_robots (void)
{
  g_autoptr(AllsetTestResponse) r = share_test_public_get (server, "/robots.txt", NULL);

  allset_test_assert_status (r, 200);
  share_test_assert_public_headers (r);
  g_assert_cmpstr (share_test_body_text (r), ==, "User-agent: *\nDisallow: /\n");
}

int
main (int    argc,
      char **argv)
{
  const char *accounts[] = { "alice", "mallory", "bob", "carol", "dave", "erin", "fred", NULL };
  g_autofree char *dir = NULL;
  g_autofree char *conf = NULL;
  const char *args[] = { "--bandwidth-up", "0", "--bandwidth-down", "0", "--config", NULL, NULL };
  int status;

  allset_test_init (&argc, &argv);

  dir = g_dir_make_tmp ("allset-shares-XXXXXX", NULL);
  g_assert_nonnull (dir);
  conf = g_build_filename (dir, "server.conf", NULL);
  g_assert_true (g_file_set_contents (conf, "[server]\nshare_max_lifetime=30d\n", -1, NULL));
  args[5] = conf;

  server = allset_test_server_new_full (args, 0);
  for (guint i = 0; accounts[i] != NULL; i++)
    share_test_add_account (server, accounts[i]);

  g_test_add_func ("/shares/manage", test_manage);
  g_test_add_func ("/shares/bad-input", test_bad_input);
  g_test_add_func ("/shares/expiry", test_expiry);
  g_test_add_func ("/shares/password", test_password);
  g_test_add_func ("/shares/limit-and-range", test_limit_and_range);
  g_test_add_func ("/shares/folder", test_folder);
  g_test_add_func ("/shares/robots", test_robots);

  status = g_test_run ();
  allset_test_server_free (server);
  g_unlink (conf);
  g_rmdir (dir);
  return status;
}
