/* share-test-common.c — helpers shared by the share-link integration tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See share-test-common.h. Where the three programs once had copies that
 * differed, these are the strictest: every public answer is held to all
 * the headers any of them checked.
 */

#include <string.h>

#include "share-test-common.h"

void
share_test_add_account (AllsetTestServer *server,
                        const char       *username)
{
  g_autofree char *password = allset_test_password_of (username);

  allset_test_server_add_account (server, username, password, NULL);
}

char *
share_test_login (AllsetTestServer *server,
                  const char       *username)
{
  return allset_test_server_login_as (server, username, "laptop", NULL);
}

AllsetTestContent *
share_test_put_file (AllsetTestServer *server,
                     const char       *token,
                     const char       *path,
                     gsize             size,
                     gsize             chunk_size)
{
  AllsetTestContent *content = allset_test_content_new (size, chunk_size);
  g_autoptr(AllsetTestResponse) r = NULL;

  allset_test_upload (server, token, content);
  r = allset_test_commit (server, token, allset_test_op_put (path, 0, content), NULL);
  allset_test_assert_status (r, 200);
  g_assert_cmpint (allset_test_response_get_int (r, "results.0.status"), ==, 200);
  return content;
}

AllsetTestResponse *
share_test_create (AllsetTestServer *server,
                   const char       *token,
                   const char       *json)
{
  AllsetTestResponse *r = allset_test_post_json (server, "/api/v1/shares", token, json);

  allset_test_assert_status (r, 201);
  return r;
}

char *
share_test_create_url (AllsetTestServer *server,
                       const char       *token,
                       const char       *json)
{
  g_autoptr(AllsetTestResponse) r = share_test_create (server, token, json);

  return g_strdup (allset_test_response_get_string (r, "url_path"));
}

AllsetTestResponse *
share_test_patch_json (AllsetTestServer *server,
                       const char       *path,
                       const char       *token,
                       const char       *json)
{
  /* The request borrows the bytes until it returns. */
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));

  return allset_test_request (server, NULL, "PATCH", path, token, "application/json", body, NULL);
}

AllsetTestResponse *
share_test_public_get (AllsetTestServer  *server,
                       const char        *path,
                       const char *const *headers)
{
  return allset_test_request (server, NULL, "GET", path, NULL, NULL, NULL, headers);
}

AllsetTestResponse *
share_test_post_form (AllsetTestServer *server,
                      const char       *path,
                      const char       *form)
{
  g_autoptr(GBytes) body = g_bytes_new (form, strlen (form));

  return allset_test_request (server, NULL, "POST", path, NULL,
                              "application/x-www-form-urlencoded", body, NULL);
}

AllsetTestResponse *
share_test_post_password (AllsetTestServer *server,
                          const char       *url_path,
                          const char       *password)
{
  g_autofree char *encoded = g_uri_escape_string (password, NULL, FALSE);
  g_autofree char *form = g_strdup_printf ("password=%s", encoded);

  return share_test_post_form (server, url_path, form);
}

const char *
share_test_body_text (AllsetTestResponse *r)
{
  return g_bytes_get_data (r->body, NULL) ? g_bytes_get_data (r->body, NULL) : "";
}

void
share_test_assert_contains (AllsetTestResponse *r,
                            const char         *text)
{
  if (strstr (share_test_body_text (r), text) == NULL)
    g_error ("The page lacks “%s”:\n%s", text, share_test_body_text (r));
}

void
share_test_assert_public_headers (AllsetTestResponse *r)
{
  const char *csp = allset_test_response_header (r, "Content-Security-Policy");

  g_assert_cmpstr (allset_test_response_header (r, "X-Robots-Tag"), ==, "noindex, nofollow, noarchive");
  g_assert_cmpstr (allset_test_response_header (r, "Referrer-Policy"), ==, "no-referrer");
  g_assert_cmpstr (allset_test_response_header (r, "X-Content-Type-Options"), ==, "nosniff");
  g_assert_cmpstr (allset_test_response_header (r, "X-Frame-Options"), ==, "DENY");
  g_assert_cmpstr (allset_test_response_header (r, "Cache-Control"), ==, "no-store");
  g_assert_nonnull (csp);
  g_assert_true (g_str_has_prefix (csp, "default-src 'none'"));
  g_assert_nonnull (strstr (csp, "frame-ancestors 'none'"));
  g_assert_nonnull (strstr (csp, "form-action 'self'"));
  g_assert_null (strstr (csp, "unsafe-inline"));
}

void
share_test_assert_public_html (AllsetTestResponse *r,
                               guint               status)
{
  allset_test_assert_status (r, status);
  share_test_assert_public_headers (r);
  g_assert_true (g_str_has_prefix (allset_test_response_header (r, "Content-Type"), "text/html"));
  share_test_assert_contains (r, "<meta name=\"robots\" content=\"noindex, nofollow, noarchive\">");
  share_test_assert_contains (r, "<html lang=\"fr\">");
  g_assert_null (strstr (share_test_body_text (r), "<script"));
}
