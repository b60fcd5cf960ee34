/* test-auth.c — status, sign-in, devices, tokens, suspension, maintenance
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One server serves most cases; each case that changes an account's state
 * has an account of its own, so the cases do not depend on their order.
 * The login throttle has its own program (test-auth-throttle.c), and so
 * have the malformed, oversized and misdirected requests
 * (test-auth-malformed.c).
 *
 * The login throttle counts failures per account *and per client address*,
 * and every request here comes from 127.0.0.1: the shared server must see
 * fewer than 5 failed logins in all.
 */

#include <string.h>

#include "allset-test-server.h"

static AllsetTestServer *server;

static const char *const accounts[] = {
  "alice", "bob", "carol", "dave", "erin", "frank", "maint", NULL
};

static char *
login (const char *username,
       const char *device_name,
       char      **device_id)
{
  return allset_test_server_login_as (server, username, device_name, device_id);
}

static gint64
parse_time (const char *text)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (text, NULL);

  g_assert_nonnull (dt);
  g_assert_true (g_str_has_suffix (text, "Z"));
  return g_date_time_to_unix (dt);
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static gboolean
is_lower_hex (const char *text,
              gsize       len)
{
  if (strlen (text) != len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (text[i]) || g_ascii_isupper (text[i]))
      return FALSE;
  return TRUE;
}

/* ------------------------------------------------------------------ */

static void
test_status (void)
{
  g_autoptr(AllsetTestResponse) r = allset_test_get (server, "/api/v1/status", NULL);
  g_autoptr(AllsetTestResponse) with_garbage = allset_test_get (server, "/api/v1/status", "garbage");
  g_autoptr(AllsetTestResponse) post = allset_test_post_json (server, "/api/v1/status", NULL, "{}");
  g_autofree guchar *key = NULL;
  gsize key_len = 0;

  allset_test_assert_status (r, 200);
  g_assert_cmpstr (allset_test_response_header (r, "Content-Type"), ==, "application/json; charset=utf-8");
  g_assert_cmpstr (allset_test_response_get_string (r, "service"), ==, "allset-server");
  g_assert_cmpstr (allset_test_response_get_string (r, "version"), ==, PACKAGE_VERSION);
  g_assert_cmpint (allset_test_response_get_int (r, "protocol"), ==, 1);

  g_assert_false (allset_test_response_get_bool (r, "maintenance.active"));
  g_assert_true (allset_test_response_is_null (r, "maintenance.until"));
  g_assert_true (allset_test_response_is_null (r, "maintenance.message"));

  g_assert_cmpint (allset_test_response_get_int (r, "limits.bandwidth_up_bps"), ==, 100000000);
  g_assert_cmpint (allset_test_response_get_int (r, "limits.bandwidth_down_bps"), ==, 100000000);
  g_assert_cmpint (allset_test_response_get_int (r, "limits.chunk_min"), ==, 262144);
  g_assert_cmpint (allset_test_response_get_int (r, "limits.chunk_avg"), ==, 1048576);
  g_assert_cmpint (allset_test_response_get_int (r, "limits.chunk_max"), ==, 4194304);
  g_assert_cmpint (allset_test_response_get_int (r, "limits.pack_max_bytes"), ==, 16777216);
  g_assert_cmpint (allset_test_response_get_int (r, "limits.small_chunk_max"), ==, 65536);

  g_assert_cmpstr (allset_test_response_get_string (r, "receipt_key.algorithm"), ==, "ed25519");
  key = g_base64_decode (allset_test_response_get_string (r, "receipt_key.public_key"), &key_len);
  g_assert_cmpuint (key_len, ==, 32);
  g_assert_true (is_lower_hex (allset_test_response_get_string (r, "receipt_key.key_id"), 16));

  /* No token needed, and a bad one does not matter. */
  allset_test_assert_status (with_garbage, 200);
  allset_test_assert_error (post, 405, "method_not_allowed");
}

/* Certificate verification is real: a client that does not trust the
 * server's certificate cannot talk to it. */
static void
test_tls_verified (void)
{
  g_autoptr(SoupSession) untrusting = soup_session_new ();
  g_autoptr(AllsetTestResponse) r = allset_test_request (server, untrusting, "GET", "/api/v1/status",
                                                         NULL, NULL, NULL, NULL);

  g_assert_cmpuint (r->status, ==, 0);
  g_assert_error (r->error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
}

static void
test_login (void)
{
  g_autoptr(AllsetTestResponse) r = allset_test_login_raw (server, "alice", "password of alice", "laptop");
  g_autoptr(AllsetTestResponse) account = NULL;
  const char *token;
  gint64 expires;

  allset_test_assert_status (r, 200);
  token = allset_test_response_get_string (r, "token");
  g_assert_cmpuint (strlen (token), >=, 32);
  g_assert_true (is_lower_hex (allset_test_response_get_string (r, "device_id"), 16));
  /* The default lifetime is 90 days. */
  expires = parse_time (allset_test_response_get_string (r, "expires_at"));
  g_assert_cmpint (expires, >=, now_seconds () + 90 * 24 * 3600 - 60);
  g_assert_cmpint (expires, <=, now_seconds () + 90 * 24 * 3600 + 60);

  account = allset_test_get (server, "/api/v1/account", token);
  allset_test_assert_status (account, 200);
  g_assert_cmpstr (allset_test_response_get_string (account, "username"), ==, "alice");
  g_assert_cmpstr (allset_test_response_get_string (account, "name"), ==, "Test user alice");
  g_assert_cmpstr (allset_test_response_get_string (account, "email"), ==, "alice@example.com");
  g_assert_cmpint (allset_test_response_get_int (account, "quota"), ==, 10 * (gint64) 1024 * 1024 * 1024);
  g_assert_cmpint (allset_test_response_get_int (account, "used"), ==, 0);
  g_assert_cmpint (allset_test_response_get_int (account, "cursor"), ==, 0);
}

/* Two of the shared server's failure budget of four. */
static void
test_login_wrong (void)
{
  g_autoptr(AllsetTestResponse) wrong = allset_test_login_raw (server, "bob", "not the password", "laptop");
  g_autoptr(AllsetTestResponse) unknown = allset_test_login_raw (server, "nobody", "not the password", "laptop");
  g_autoptr(AllsetTestResponse) no_device = allset_test_login_raw (server, "bob", "password of bob", "");

  allset_test_assert_error (wrong, 401, "unauthorized");
  allset_test_assert_error (unknown, 401, "unauthorized");
  /* Nothing tells an unknown user from a wrong password. */
  g_assert_cmpstr (allset_test_response_get_string (wrong, "error.message"), ==,
                   allset_test_response_get_string (unknown, "error.message"));
  g_assert_true (g_bytes_equal (wrong->body, unknown->body));

  allset_test_assert_error (no_device, 400, "bad_request");
}


static void
assert_refused_token (const char *method,
                      const char *path,
                      const char *auth)
{
  g_autoptr(GBytes) body = g_bytes_new_static ("{}", 2);
  const char *headers[] = { "Authorization", auth, NULL };
  g_autoptr(AllsetTestResponse) r = allset_test_request (server, NULL, method, path, NULL, "application/json",
                                                         g_str_equal (method, "POST") ? body : NULL,
                                                         auth != NULL ? headers : NULL);

  allset_test_assert_error (r, 401, "unauthorized");
}

static void
test_missing_token (void)
{
  g_autofree char *token = login ("alice", "token-test", NULL);
  g_autofree char *unknown = g_strnfill (64, 'a');
  g_autofree char *unknown_auth = g_strdup_printf ("Bearer %s", unknown);
  const char *const endpoints[][2] = {
    { "GET", "/api/v1/account" },
    { "GET", "/api/v1/devices" },
    { "GET", "/api/v1/changes?cursor=0" },
    { "POST", "/api/v1/chunks/missing" },
    { "POST", "/api/v1/commit" },
    { "GET", "/api/v1/trash" },
  };
  const char *const bad_auth[] = {
    NULL, "Bearer ", "Bearer garbage", "Basic YWxpY2U6cGFzc3dvcmQ=", "garbage", "Bearer  x",
  };

  /* Every kind of bad header on the first endpoint, the two commonest
   * (none, an unknown token) on the others. */
  for (guint i = 0; i < G_N_ELEMENTS (endpoints); i++)
    for (guint j = 0; j < G_N_ELEMENTS (bad_auth) + 1; j++)
      if (i == 0 || j == 0 || j == G_N_ELEMENTS (bad_auth))
        assert_refused_token (endpoints[i][0], endpoints[i][1],
                              j < G_N_ELEMENTS (bad_auth) ? bad_auth[j] : unknown_auth);

  /* The token itself still works. */
  {
    g_autoptr(AllsetTestResponse) r = allset_test_get (server, "/api/v1/account", token);

    allset_test_assert_status (r, 200);
  }
}

static void
test_logout (void)
{
  g_autofree char *token = login ("alice", "logout-test", NULL);
  g_autofree char *other = login ("alice", "stays", NULL);
  g_autoptr(AllsetTestResponse) before = allset_test_get (server, "/api/v1/account", token);
  g_autoptr(AllsetTestResponse) out = allset_test_post_json (server, "/api/v1/logout", token, NULL);
  g_autoptr(AllsetTestResponse) after = allset_test_get (server, "/api/v1/account", token);
  g_autoptr(AllsetTestResponse) again = allset_test_post_json (server, "/api/v1/logout", token, NULL);
  g_autoptr(AllsetTestResponse) unaffected = allset_test_get (server, "/api/v1/account", other);

  allset_test_assert_status (before, 200);
  allset_test_assert_status (out, 204);
  g_assert_cmpuint (g_bytes_get_size (out->body), ==, 0);
  allset_test_assert_error (after, 401, "unauthorized");
  allset_test_assert_error (again, 401, "unauthorized");
  allset_test_assert_status (unaffected, 200);
}

static void
test_devices (void)
{
  g_autofree char *laptop_id = NULL, *phone_id = NULL, *bob_id = NULL;
  g_autofree char *laptop = login ("carol", "laptop", &laptop_id);
  g_autofree char *phone = login ("carol", "phone", &phone_id);
  g_autofree char *bob = login ("bob", "bob's laptop", &bob_id);
  g_autofree char *bob_path = g_strdup_printf ("/api/v1/devices/%s", bob_id);
  g_autofree char *phone_path = g_strdup_printf ("/api/v1/devices/%s", phone_id);
  g_autoptr(AllsetTestResponse) list = allset_test_get (server, "/api/v1/devices", laptop);
  g_autoptr(AllsetTestResponse) foreign = NULL, revoke = NULL, phone_after = NULL;
  g_autoptr(AllsetTestResponse) again = NULL, unknown = NULL, list_after = NULL, bob_after = NULL;
  guint n, n_current = 0;
  gboolean saw_phone = FALSE;

  allset_test_assert_status (list, 200);
  n = allset_test_response_get_length (list, "devices");
  g_assert_cmpuint (n, ==, 2);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *prefix = g_strdup_printf ("devices.%u.", i);
      g_autofree char *id_path = g_strconcat (prefix, "device_id", NULL);
      g_autofree char *name_path = g_strconcat (prefix, "name", NULL);
      g_autofree char *current_path = g_strconcat (prefix, "current", NULL);
      g_autofree char *created_path = g_strconcat (prefix, "created_at", NULL);
      g_autofree char *seen_path = g_strconcat (prefix, "last_seen_at", NULL);
      g_autofree char *expires_path = g_strconcat (prefix, "expires_at", NULL);
      const char *id = allset_test_response_get_string (list, id_path);
      gboolean current = allset_test_response_get_bool (list, current_path);

      g_assert_cmpint (parse_time (allset_test_response_get_string (list, created_path)), <=, now_seconds ());
      g_assert_cmpint (parse_time (allset_test_response_get_string (list, seen_path)), <=, now_seconds ());
      g_assert_cmpint (parse_time (allset_test_response_get_string (list, expires_path)), >, now_seconds ());
      if (current)
        {
          n_current++;
          g_assert_cmpstr (id, ==, laptop_id);
          g_assert_cmpstr (allset_test_response_get_string (list, name_path), ==, "laptop");
        }
      else
        {
          saw_phone = TRUE;
          g_assert_cmpstr (id, ==, phone_id);
          g_assert_cmpstr (allset_test_response_get_string (list, name_path), ==, "phone");
        }
    }
  g_assert_cmpuint (n_current, ==, 1);
  g_assert_true (saw_phone);

  /* Another account's device is "not found", and stays signed in. */
  foreign = allset_test_delete (server, bob_path, laptop);
  allset_test_assert_error (foreign, 404, "not_found");
  bob_after = allset_test_get (server, "/api/v1/account", bob);
  allset_test_assert_status (bob_after, 200);

  revoke = allset_test_delete (server, phone_path, laptop);
  allset_test_assert_status (revoke, 204);
  phone_after = allset_test_get (server, "/api/v1/account", phone);
  allset_test_assert_error (phone_after, 401, "unauthorized");
  again = allset_test_delete (server, phone_path, laptop);
  allset_test_assert_error (again, 404, "not_found");
  unknown = allset_test_delete (server, "/api/v1/devices/0123456789abcdef", laptop);
  allset_test_assert_error (unknown, 404, "not_found");

  list_after = allset_test_get (server, "/api/v1/devices", laptop);
  allset_test_assert_status (list_after, 200);
  g_assert_cmpuint (allset_test_response_get_length (list_after, "devices"), ==, 1);
  g_assert_cmpstr (allset_test_response_get_string (list_after, "devices.0.device_id"), ==, laptop_id);
}

/* Terms R12: a lost password signs out every device, the caller too. */
static void
test_revoke_all (void)
{
  g_autofree char *a = login ("erin", "a", NULL);
  g_autofree char *b = login ("erin", "b", NULL);
  g_autofree char *c = login ("erin", "c", NULL);
  g_autofree char *fresh = NULL;
  g_autofree char *other = login ("bob", "bystander", NULL);
  g_autoptr(AllsetTestResponse) r = allset_test_post_json (server, "/api/v1/devices/revoke-all", b, NULL);
  g_autoptr(AllsetTestResponse) bystander = NULL;
  const char *tokens[] = { a, b, c };

  allset_test_assert_status (r, 200);
  g_assert_cmpint (allset_test_response_get_int (r, "revoked"), ==, 3);

  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++)
    {
      g_autoptr(AllsetTestResponse) after = allset_test_get (server, "/api/v1/devices", tokens[i]);

      allset_test_assert_error (after, 401, "unauthorized");
    }

  bystander = allset_test_get (server, "/api/v1/account", other);
  allset_test_assert_status (bystander, 200);

  fresh = login ("erin", "again", NULL);
  {
    g_autoptr(AllsetTestResponse) list = allset_test_get (server, "/api/v1/devices", fresh);

    allset_test_assert_status (list, 200);
    g_assert_cmpuint (allset_test_response_get_length (list, "devices"), ==, 1);
  }
}

static void
test_token_expired (void)
{
  const char *args[] = { "--token-lifetime", "2s", NULL };
  g_autoptr(AllsetTestServer) s = allset_test_server_new_full (args, 0);
  g_autoptr(AllsetTestResponse) r = NULL, fresh = NULL, expired = NULL, again = NULL;
  g_autofree char *token = NULL;
  gint64 expires;

  allset_test_server_add_account (s, "ivan", "password of ivan", NULL);
  r = allset_test_login_raw (s, "ivan", "password of ivan", "laptop");
  allset_test_assert_status (r, 200);
  token = g_strdup (allset_test_response_get_string (r, "token"));
  expires = parse_time (allset_test_response_get_string (r, "expires_at"));
  g_assert_cmpint (expires, >=, now_seconds () + 1);
  g_assert_cmpint (expires, <=, now_seconds () + 3);

  fresh = allset_test_get (s, "/api/v1/account", token);
  allset_test_assert_status (fresh, 200);

  while (now_seconds () <= expires)
    g_usleep (100 * 1000);

  expired = allset_test_get (s, "/api/v1/account", token);
  allset_test_assert_error (expired, 401, "token_expired");

  g_clear_pointer (&r, allset_test_response_free);
  r = allset_test_login_raw (s, "ivan", "password of ivan", "laptop");
  allset_test_assert_status (r, 200);
  again = allset_test_get (s, "/api/v1/account", allset_test_response_get_string (r, "token"));
  allset_test_assert_status (again, 200);
}

/* Terms R23. */
static void
test_suspended (void)
{
  g_autofree char *token = login ("frank", "laptop", NULL);
  g_autoptr(AllsetTestResponse) refused_login = NULL, refused = NULL, back = NULL, relogin = NULL;
  g_autofree char *output = NULL;

  g_assert_cmpint (allset_test_server_admin (server, NULL, &output, "suspend", "frank", NULL), ==, 0);

  refused_login = allset_test_login_raw (server, "frank", "password of frank", "phone");
  allset_test_assert_error (refused_login, 403, "account_suspended");
  refused = allset_test_get (server, "/api/v1/account", token);
  allset_test_assert_error (refused, 403, "account_suspended");

  g_assert_cmpint (allset_test_server_admin (server, NULL, NULL, "resume", "frank", NULL), ==, 0);

  back = allset_test_get (server, "/api/v1/account", token);
  allset_test_assert_status (back, 200);
  relogin = allset_test_login_raw (server, "frank", "password of frank", "phone");
  allset_test_assert_status (relogin, 200);
}

/* One failure of the shared server's budget (the old password). */
static void
test_passwd_revokes (void)
{
  g_autofree char *token = login ("dave", "laptop", NULL);
  g_autoptr(AllsetTestResponse) after = NULL, old = NULL, fresh = NULL;
  g_autofree char *output = NULL;

  g_assert_cmpint (allset_test_server_admin (server, "a brand new password\n", &output,
                                             "passwd", "dave", NULL), ==, 0);
  g_assert_nonnull (strstr (output, "1 device"));

  after = allset_test_get (server, "/api/v1/account", token);
  allset_test_assert_error (after, 401, "unauthorized");
  old = allset_test_login_raw (server, "dave", "password of dave", "laptop");
  allset_test_assert_error (old, 401, "unauthorized");
  fresh = allset_test_login_raw (server, "dave", "a brand new password", "laptop");
  allset_test_assert_status (fresh, 200);
}

/* ------------------------------------------------------------------ */
/* Maintenance (terms R10)                                            */

static const char *const every_endpoint[][2] = {
  { "POST", "/api/v1/login" },
  { "POST", "/api/v1/logout" },
  { "GET", "/api/v1/account" },
  { "GET", "/api/v1/devices" },
  { "POST", "/api/v1/devices/revoke-all" },
  { "DELETE", "/api/v1/devices/0123456789abcdef" },
  { "POST", "/api/v1/chunks/missing" },
  { "POST", "/api/v1/chunks/pack" },
  { "PUT", "/api/v1/chunks/6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d" },
  { "GET", "/api/v1/chunks/6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d" },
  { "POST", "/api/v1/commit" },
  { "GET", "/api/v1/file?path=a.txt" },
  { "GET", "/api/v1/list" },
  { "GET", "/api/v1/changes?cursor=0" },
  { "GET", "/api/v1/changes/wait?cursor=0&timeout=1" },
  { "GET", "/api/v1/versions?path=a.txt" },
  { "POST", "/api/v1/versions/restore" },
  { "GET", "/api/v1/trash" },
  { "POST", "/api/v1/trash/restore" },
};

static gint64
wait_for_account_status (const char *token,
                         guint       status)
{
  gint64 start = g_get_monotonic_time ();

  for (;;)
    {
      g_autoptr(AllsetTestResponse) r = allset_test_get (server, "/api/v1/account", token);

      if (r->status == status)
        return g_get_monotonic_time () - start;
      if (g_get_monotonic_time () - start > 10 * G_USEC_PER_SEC)
        {
          allset_test_assert_status (r, status);
          return -1;
        }
      allset_test_iterate_for (20);
    }
}

static void
assert_all_refused (const char *token,
                    const char *message,
                    const char *until,
                    gint64      min_retry,
                    gint64      max_retry,
                    guint       n_endpoints)
{
  for (guint i = 0; i < MIN (n_endpoints, G_N_ELEMENTS (every_endpoint)); i++)
    {
      g_autoptr(GBytes) body = g_bytes_new_static ("{}", 2);
      gboolean has_body = !g_str_equal (every_endpoint[i][0], "GET") &&
                          !g_str_equal (every_endpoint[i][0], "DELETE");
      g_autoptr(AllsetTestResponse) r = allset_test_request (server, NULL, every_endpoint[i][0],
                                                             every_endpoint[i][1], token,
                                                             "application/json",
                                                             has_body ? body : NULL, NULL);
      const char *retry = NULL;
      gint64 retry_after;

      allset_test_assert_error (r, 503, "maintenance");
      g_assert_cmpstr (allset_test_response_get_string (r, "error.message"), ==, message);
      if (until != NULL)
        g_assert_cmpstr (allset_test_response_get_string (r, "error.until"), ==, until);
      else
        g_assert_true (allset_test_response_is_null (r, "error.until"));

      retry = allset_test_response_header (r, "Retry-After");
      g_assert_nonnull (retry);
      retry_after = g_ascii_strtoll (retry, NULL, 10);
      g_assert_cmpint (retry_after, >=, min_retry);
      g_assert_cmpint (retry_after, <=, max_retry);
    }
}

static void
test_maintenance (void)
{
  g_autofree char *token = login ("maint", "laptop", NULL);
  g_autofree char *until = allset_test_format_time (now_seconds () + 3600);
  g_autoptr(AllsetTestResponse) status = NULL, status_off = NULL;
  gint64 took;

  g_assert_cmpint (allset_test_server_admin (server, NULL, NULL, "maintenance", "on", "--until", until,
                                             "--message", "Disk upgrade", NULL), ==, 0);
  took = wait_for_account_status (token, 503);
  g_test_message ("maintenance took effect after %.0f ms", took / 1000.0);
  /* The server rereads the flag every second (up to 2 s with
   * g_timeout_add_seconds' slack); the rest is margin for the sanitizer
   * run on a loaded machine (4.2 s was seen there at load 17). */
  g_assert_cmpint (took, <=, 6 * G_USEC_PER_SEC);

  assert_all_refused (token, "Disk upgrade", until, 3590, 3600, G_MAXUINT);
  /* Without a token too: maintenance comes before authentication. */
  assert_all_refused (NULL, "Disk upgrade", until, 3590, 3600, 5);

  status = allset_test_get (server, "/api/v1/status", NULL);
  allset_test_assert_status (status, 200);
  g_assert_true (allset_test_response_get_bool (status, "maintenance.active"));
  g_assert_cmpstr (allset_test_response_get_string (status, "maintenance.until"), ==, until);
  g_assert_cmpstr (allset_test_response_get_string (status, "maintenance.message"), ==, "Disk upgrade");

  /* No end time known: Retry-After 60 and "until" null. */
  g_assert_cmpint (allset_test_server_admin (server, NULL, NULL, "maintenance", "on",
                                             "--message", "Back soon", NULL), ==, 0);
  for (gint64 start = g_get_monotonic_time (); ; allset_test_iterate_for (20))
    {
      g_autoptr(AllsetTestResponse) r = allset_test_get (server, "/api/v1/account", token);

      if (allset_test_response_has (r, "error.message") &&
          g_str_equal (allset_test_response_get_string (r, "error.message"), "Back soon"))
        break;
      g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
    }
  assert_all_refused (token, "Back soon", NULL, 60, 60, 5);

  g_assert_cmpint (allset_test_server_admin (server, NULL, NULL, "maintenance", "off", NULL), ==, 0);
  took = wait_for_account_status (token, 200);
  g_test_message ("maintenance ended after %.0f ms", took / 1000.0);
  g_assert_cmpint (took, <=, 3 * G_USEC_PER_SEC);

  status_off = allset_test_get (server, "/api/v1/status", NULL);
  g_assert_false (allset_test_response_get_bool (status_off, "maintenance.active"));
  g_assert_true (allset_test_response_is_null (status_off, "maintenance.until"));
  g_assert_true (allset_test_response_is_null (status_off, "maintenance.message"));
}

int
main (int    argc,
      char **argv)
{
  int status;

  allset_test_init (&argc, &argv);

  server = allset_test_server_new_full (NULL, 0);
  allset_test_server_add_accounts (server, accounts);

  g_test_add_func ("/auth/status", test_status);
  g_test_add_func ("/auth/tls-verified", test_tls_verified);
  g_test_add_func ("/auth/login", test_login);
  g_test_add_func ("/auth/login-wrong", test_login_wrong);
  g_test_add_func ("/auth/missing-token", test_missing_token);
  g_test_add_func ("/auth/logout", test_logout);
  g_test_add_func ("/auth/devices", test_devices);
  g_test_add_func ("/auth/revoke-all", test_revoke_all);
  g_test_add_func ("/auth/token-expired", test_token_expired);
  g_test_add_func ("/auth/suspended", test_suspended);
  g_test_add_func ("/auth/passwd-revokes", test_passwd_revokes);
  g_test_add_func ("/auth/maintenance", test_maintenance);

  status = g_test_run ();
  allset_test_server_free (server);
  return status;
}
