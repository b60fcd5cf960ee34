/* test-auth-malformed.c — requests the server refuses before doing anything
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Malformed JSON bodies (400 invalid_json, never 500, however deep the
 * nesting), commit batches empty or over 10 000 operations, bodies over
 * 16 MiB (413 from the headers, and not held in memory when sent anyway),
 * and unknown endpoints or methods (404, 405), with or without a token.
 * Apart from the sign-in cases of test-auth.c: these feed the server the
 * worst input it gets, and the login bodies here carry the right password
 * so that one taken by mistake signs in (and fails the test) rather than
 * counting towards the login throttle.
 */

#include <string.h>

#include "allset-test-server.h"

static AllsetTestServer *server;

static const char *const accounts[] = { "alice", "json", NULL };

static char *
login (const char *username,
       const char *device_name,
       char      **device_id)
{
  return allset_test_server_login_as (server, username, device_name, device_id);
}

static char *
nested (guint depth)
{
  GString *text = g_string_new ("{\"operations\":");

  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, '[');
  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, ']');
  g_string_append_c (text, '}');
  return g_string_free (text, FALSE);
}

static void
assert_invalid_json (const char *path,
                     const char *token,
                     const char *body,
                     gsize       len)
{
  g_autoptr(GBytes) bytes = g_bytes_new (body, len);
  g_autoptr(AllsetTestResponse) r = allset_test_request (server, NULL, "POST", path, token,
                                                         "application/json", bytes, NULL);

  if (r->status != 400)
    g_test_message ("%s with %.60s…", path, body);
  allset_test_assert_error (r, 400, "invalid_json");
}

/* Malformed bodies answer 400 invalid_json, never 500. The login bodies
 * carry the right password: one taken by mistake signs in (and fails the
 * test) rather than counting as a failed attempt. */
static void
test_malformed_json (void)
{
  g_autofree char *token = login ("json", "laptop", NULL);
  g_autofree char *deep_array = NULL;
  g_autofree char *deep_object = NULL;
  g_autofree char *deep_commit = nested (200000);
  GString *text = g_string_new (NULL);
  const char *const login_bodies[] = {
    "hello",
    "",
    " ",
    "[]",
    "[{\"username\":\"json\",\"password\":\"password of json\",\"device_name\":\"x\"}]",
    "42",
    "\"json\"",
    "null",
    "{}",
    "{\"username\":\"json\"}",
    "{\"username\":\"json\",\"password\":\"password of json\"}",
    "{\"username\":1,\"password\":\"password of json\",\"device_name\":\"x\"}",
    "{\"username\":\"json\",\"password\":null,\"device_name\":\"x\"}",
    "{\"username\":\"json\",\"password\":\"password of json\",\"device_name\":[\"x\"]}",
    "{\"username\":\"json\",\"password\":\"password of json\",\"device_name\":\"x\"} trailing",
    "{\"username\":\"json\",\"password\":\"password of json\",\"device_name\":\"x\"}{}",
    "{\"username\":\"json\",\"password\":\"password of json\",\"device_name\":\"x\"",
    "{\"username\":\"json\",/* c */\"password\":\"password of json\",\"device_name\":\"x\"}",
    "{'username':'json','password':'password of json','device_name':'x'}",
    "{\"username\":\"json\",\"password\":\"password of json\",\"device_name\":\"x\",}",
    "{\"username\":\"json\",\"password\":\"password of json\",\"device_name\":\"\\x41\"}",
    "{\"username\":\"json\",\"password\":\"password of json\",\"device_name\":\"a\tb\"}",
    "{\"username\":\"json\",\"password\":\"password of json\",\"device_name\":\"\xc3\x28\"}",
    "\xef\xbb\xbf{\"username\":\"json\",\"password\":\"password of json\",\"device_name\":\"x\"}",
  };
  const char *const commit_bodies[] = {
    "[]",
    "{}",
    "{\"operations\": \"put\"}",
    "{\"operations\": [1]}",
    "{\"operations\": [{\"op\": \"put\"}]}",
    "{\"operations\": [{\"op\": \"mkdir\", \"path\": \"a\"}]}",
    "{\"operations\": [{\"op\": \"mkdir\", \"path\": \"a\", \"base_revision\": \"0\"}]}",
    "{\"operations\": [{\"op\": \"mkdir\", \"path\": \"a\", \"base_revision\": -1}]}",
    "{\"operations\": [{\"op\": \"mkdir\", \"path\": \"a\", \"base_revision\": 1.5}]}",
    "{\"operations\": [{\"op\": \"mkdir\", \"path\": 7, \"base_revision\": 0}]}",
    "{\"operations\": [{\"op\": \"frobnicate\", \"path\": \"a\", \"base_revision\": 0}]}",
    "{\"operations\": [{\"op\": \"put\", \"path\": \"a\", \"base_revision\": 0, \"chunks\": \"x\", \"size\": 0}]}",
    "{\"operations\": [{\"op\": \"put\", \"path\": \"a\", \"base_revision\": 0, \"chunks\": [\"ZZ\"], \"size\": 0}]}",
    "{\"operations\": [{\"op\": \"put\", \"path\": \"a\", \"base_revision\": 0, \"chunks\": [], \"size\": -1}]}",
    "{\"operations\": [{\"op\": \"move\", \"path\": \"a\", \"base_revision\": 0}]}",
    "{\"operations\": [{\"op\": \"mkdir\", \"path\": \"a\", \"base_revision\": 99999999999999999999999}]}",
  };
  const char *const other[][2] = {
    { "/api/v1/chunks/missing", "{}" },
    { "/api/v1/chunks/missing", "{\"chunks\": \"abc\"}" },
    { "/api/v1/chunks/missing", "{\"chunks\": [1, 2]} x" },
    { "/api/v1/versions/restore", "{\"path\": \"a\"}" },
    { "/api/v1/versions/restore", "{\"path\": \"a\", \"revision\": \"1\"}" },
    { "/api/v1/trash/restore", "{}" },
    { "/api/v1/trash/restore", "{\"trash_id\": true}" },
    { "/api/v1/trash/restore", "[1]" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (login_bodies); i++)
    assert_invalid_json ("/api/v1/login", NULL, login_bodies[i], strlen (login_bodies[i]));
  /* A NUL inside the document. */
  assert_invalid_json ("/api/v1/login", NULL, "{\"username\":\"json\"\0}", 19);

  for (guint i = 0; i < G_N_ELEMENTS (commit_bodies); i++)
    assert_invalid_json ("/api/v1/commit", token, commit_bodies[i], strlen (commit_bodies[i]));
  for (guint i = 0; i < G_N_ELEMENTS (other); i++)
    assert_invalid_json (other[i][0], token, other[i][1], strlen (other[i][1]));

  /* Deep nesting: a recursive parser would blow its stack on these. */
  for (guint i = 0; i < 500000; i++)
    g_string_append_c (text, '[');
  deep_array = g_string_free (text, FALSE);
  assert_invalid_json ("/api/v1/login", NULL, deep_array, strlen (deep_array));
  text = g_string_new (NULL);
  for (guint i = 0; i < 100000; i++)
    g_string_append (text, "{\"a\":");
  g_string_append (text, "1");
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (text, '}');
  deep_object = g_string_free (text, FALSE);
  assert_invalid_json ("/api/v1/login", NULL, deep_object, strlen (deep_object));
  assert_invalid_json ("/api/v1/commit", token, deep_commit, strlen (deep_commit));

  /* The account is still fine and nothing was committed. */
  {
    g_autoptr(AllsetTestResponse) r = allset_test_get (server, "/api/v1/account", token);

    allset_test_assert_status (r, 200);
    g_assert_cmpint (allset_test_response_get_int (r, "cursor"), ==, 0);
  }
}

static void
test_batch_size (void)
{
  g_autofree char *token = login ("json", "batch", NULL);
  g_autoptr(AllsetTestResponse) empty = NULL, huge = NULL;
  GString *ops = g_string_new ("{\"operations\": [");
  g_autofree char *body = NULL;

  empty = allset_test_post_json (server, "/api/v1/commit", token, "{\"operations\": []}");
  allset_test_assert_error (empty, 400, "bad_request");

  for (guint i = 0; i < 10001; i++)
    g_string_append_printf (ops, "%s{\"op\": \"mkdir\", \"path\": \"d%u\", \"base_revision\": 0}",
                            i > 0 ? "," : "", i);
  g_string_append (ops, "]}");
  body = g_string_free (ops, FALSE);
  huge = allset_test_post_json (server, "/api/v1/commit", token, body);
  allset_test_assert_error (huge, 400, "bad_request");
}

/* A body over 16 MiB is refused from its headers. A client that sends
 * "Expect: 100-continue" gets the answer before sending a byte of it; from
 * any other client libsoup reads the body to its end, and the server must
 * then throw it away as it comes, not hold it in memory. */
static void
test_body_too_large (void)
{
  g_autofree char *token = login ("json", "large", NULL);
  g_autofree char *login_head = g_strdup_printf ("POST /api/v1/login HTTP/1.1\r\n"
                                                 "Host: 127.0.0.1\r\n"
                                                 "Content-Type: application/json\r\n"
                                                 "Expect: 100-continue\r\n"
                                                 "Content-Length: %u\r\n\r\n",
                                                 16 * 1024 * 1024 + 1);
  g_autofree char *commit_head = g_strdup_printf ("POST /api/v1/commit HTTP/1.1\r\n"
                                                  "Host: 127.0.0.1\r\n"
                                                  "Authorization: Bearer %s\r\n"
                                                  "Content-Type: application/json\r\n"
                                                  "Expect: 100-continue\r\n"
                                                  "Content-Length: %u\r\n\r\n",
                                                  token, 1024 * 1024 * 1024);
  g_autofree char *plain_head = g_strdup_printf ("POST /api/v1/login HTTP/1.1\r\n"
                                                 "Host: 127.0.0.1\r\n"
                                                 "Content-Type: application/json\r\n"
                                                 "Content-Length: %u\r\n\r\n",
                                                 64 * 1024 * 1024);
  g_autofree char *zeros = g_malloc0 (64 * 1024 * 1024);
  g_autofree char *raw_login = NULL, *raw_commit = NULL, *raw_plain = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 elapsed, before_kib, after_kib;

  raw_login = allset_test_raw_request (server, login_head, NULL, 0, 10);
  raw_commit = allset_test_raw_request (server, commit_head, NULL, 0, 10);
  elapsed = g_get_monotonic_time () - start;

  g_assert_cmpuint (allset_test_raw_status (raw_login), ==, 413);
  g_assert_nonnull (strstr (raw_login, "\"payload_too_large\""));
  g_assert_cmpuint (allset_test_raw_status (raw_commit), ==, 413);
  g_assert_nonnull (strstr (raw_commit, "\"payload_too_large\""));
  /* Both answered at once, not after the read timeout. */
  g_assert_cmpint (elapsed, <, 5 * G_USEC_PER_SEC);

  /* 64 MiB without Expect: refused, and not kept. */
  before_kib = allset_test_server_get_memory_kib (server, "VmHWM");
  raw_plain = allset_test_raw_request (server, plain_head, zeros, 64 * 1024 * 1024, 30);
  after_kib = allset_test_server_get_memory_kib (server, "VmHWM");
  g_test_message ("server peak memory %" G_GINT64_FORMAT " KiB before a 64 MiB body, %"
                  G_GINT64_FORMAT " KiB after", before_kib, after_kib);
  g_assert_cmpuint (allset_test_raw_status (raw_plain), ==, 413);
  g_assert_nonnull (strstr (raw_plain, "\"payload_too_large\""));
  /* ASan keeps freed memory in quarantine: RSS says nothing there. */
  if (!allset_test_is_sanitized ())
    g_assert_cmpint (after_kib - before_kib, <, 32 * 1024);
}

static void
test_unknown_endpoint (void)
{
  g_autofree char *token = login ("alice", "endpoints", NULL);
  const char *const not_found[][2] = {
    { "GET", "/" },
    { "GET", "/api/v1/nope" },
    { "GET", "/api/v2/status" },
    { "POST", "/api/v1/logins" },
    { "GET", "/api/v1/account/extra" },
    { "GET", "/api/v1/chunks/" },
  };
  const char *const wrong_method[][2] = {
    { "GET", "/api/v1/login" },
    { "DELETE", "/api/v1/account" },
    { "PUT", "/api/v1/commit" },
    { "GET", "/api/v1/devices/revoke-all" },
    { "POST", "/api/v1/changes" },
    { "DELETE", "/api/v1/status" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (not_found); i++)
    {
      g_autoptr(AllsetTestResponse) r = allset_test_request (server, NULL, not_found[i][0], not_found[i][1],
                                                             token, NULL, NULL, NULL);
      g_autoptr(AllsetTestResponse) anonymous = allset_test_request (server, NULL, not_found[i][0],
                                                                     not_found[i][1], NULL, NULL, NULL, NULL);

      allset_test_assert_error (r, 404, "not_found");
      allset_test_assert_error (anonymous, 404, "not_found");
    }

  for (guint i = 0; i < G_N_ELEMENTS (wrong_method); i++)
    {
      g_autoptr(AllsetTestResponse) r = allset_test_request (server, NULL, wrong_method[i][0],
                                                             wrong_method[i][1], token, NULL, NULL, NULL);

      allset_test_assert_error (r, 405, "method_not_allowed");
    }
}

int
main (int    argc,
      char **argv)
{
  int status;

  allset_test_init (&argc, &argv);

  server = allset_test_server_new_full (NULL, 0);
  allset_test_server_add_accounts (server, accounts);

  g_test_add_func ("/auth/malformed-json", test_malformed_json);
  g_test_add_func ("/auth/batch-size", test_batch_size);
  g_test_add_func ("/auth/body-too-large", test_body_too_large);
  g_test_add_func ("/auth/unknown-endpoint", test_unknown_endpoint);

  status = g_test_run ();
  allset_test_server_free (server);
  return status;
}
