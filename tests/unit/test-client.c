/* test-client.c — AllsetClient without a network: URL and fingerprint
 * normalisation, pack encoding, error mapping, token bucket, answer parsers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "allset-client-private.h"

#define FP_HEX "bb194c1dcfd89bf44f0455a5d0651d81c6a963b521388f54675f7920ed8ca524"
#define FP_COLON "BB:19:4C:1D:CF:D8:9B:F4:4F:04:55:A5:D0:65:1D:81:C6:A9:63:B5:21:38:8F:54:67:5F:79:20:ED:8C:A5:24"

static void
test_url (void)
{
  static const struct { const char *in, *out; } good[] = {
    { "https://Example.FR", "https://example.fr/" },
    { "https://example.fr:443/", "https://example.fr/" },
    { "HTTPS://127.0.0.1:8443", "https://127.0.0.1:8443/" },
    { "https://[::1]:8443/", "https://[::1]:8443/" },
    { "https://example.fr/allset", "https://example.fr/allset/" },
  };
  static const char * const bad[] = {
    "http://example.fr/", "ftp://example.fr/", "example.fr", "", "https://",
    "https://user@example.fr/", "https://example.fr/?q=1", "https://example.fr/#x",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = allset_client_normalize_url (good[i].in, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (url, ==, good[i].out);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = allset_client_normalize_url (bad[i], &error);

      g_assert_null (url);
      g_assert_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_URL);
    }
}

static void
test_http_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetClient) client = allset_client_new ("http://127.0.0.1:8080/", NULL, NULL, &error);

  g_assert_null (client);
  g_assert_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_URL);
  g_assert_nonnull (strstr (error->message, "HTTPS"));
}

static void
test_fingerprint (void)
{
  g_autofree char *upper = g_ascii_strup (FP_HEX, -1);
  g_autofree char *lower_colon = g_ascii_strdown (FP_COLON, -1);
  g_autofree char *spaced = g_strdelimit (g_strdup (FP_COLON), ":", ' ');
  const char *good[] = { FP_HEX, upper, FP_COLON, lower_colon, spaced };
  const char *bad[] = { "", "BB:19", FP_HEX "00", "zz194c1dcfd89bf44f0455a5d0651d81c6a963b521388f54675f7920ed8ca524", FP_HEX + 1, NULL };
  g_autoptr(AllsetClient) client = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autofree char *fp = allset_client_fingerprint_normalize (good[i], &error);

      g_assert_no_error (error);
      g_assert_cmpstr (fp, ==, FP_COLON);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *fp = allset_client_fingerprint_normalize (bad[i], &error);

      g_assert_null (fp);
      g_assert_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_FINGERPRINT);
      g_clear_error (&error);
    }

  client = allset_client_new ("https://example.fr", upper, "token", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (allset_client_get_fingerprint (client), ==, FP_COLON);
  g_assert_cmpstr (allset_client_get_server_url (client), ==, "https://example.fr/");
  g_assert_true (allset_client_has_token (client));
  allset_client_set_token (client, NULL);
  g_assert_false (allset_client_has_token (client));
  g_assert_null (allset_client_dup_untrusted_fingerprint (client));
  g_assert_cmpuint (allset_client_get_retry_after (client, NULL), ==, 0);
  g_clear_object (&client);

  client = allset_client_new ("https://example.fr", "not hex", NULL, &error);
  g_assert_null (client);
  g_assert_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_FINGERPRINT);
}

static void
test_fingerprint_from_der (void)
{
  /* SHA-256("abc") */
  g_autofree char *fp = allset_client_fingerprint_from_der ((const guint8 *) "abc", 3);

  g_assert_cmpstr (fp, ==, "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:"
                           "B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD");
}

static char *
chunk_id (GBytes *bytes)
{
  AllsetHash hash;

  allset_sha256 (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &hash);
  return allset_hash_to_hex (&hash);
}

static void
test_pack_encode (void)
{
  g_autoptr(GBytes) a = g_bytes_new_static ("hello", 5);
  g_autoptr(GBytes) b = g_bytes_new_static ("x", 1);
  g_autoptr(GBytes) big = NULL;
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GBytes) pack = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id_a = chunk_id (a);
  g_autofree char *id_b = chunk_id (b);
  g_autofree char *upper = g_ascii_strup (id_a, -1);
  AllsetPackEntry entries[] = { { id_a, a }, { id_b, b } };
  const guint8 *data;
  AllsetHash hash;
  gsize len;

  pack = allset_client_pack_encode (entries, 2, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (pack, &len);
  g_assert_cmpuint (len, ==, 2 * 36 + 5 + 1);

  allset_hash_from_hex (id_a, &hash);
  g_assert_cmpmem (data, 32, hash.bytes, 32);
  g_assert_cmpmem (data + 32, 4, "\0\0\0\5", 4);
  g_assert_cmpmem (data + 36, 5, "hello", 5);
  allset_hash_from_hex (id_b, &hash);
  g_assert_cmpmem (data + 41, 32, hash.bytes, 32);
  g_assert_cmpmem (data + 73, 4, "\0\0\0\1", 4);
  g_assert_cmpmem (data + 77, 1, "x", 1);

  /* Refused: no record, a bad id, an empty or too large chunk. */
  g_assert_null (allset_client_pack_encode (entries, 0, &error));
  g_assert_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  entries[0].id = upper;
  g_assert_null (allset_client_pack_encode (entries, 2, &error));
  g_assert_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  entries[0].id = id_a;
  entries[1].data = empty;
  g_assert_null (allset_client_pack_encode (entries, 2, &error));
  g_assert_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  big = g_bytes_new_take (g_malloc0 (ALLSET_SMALL_CHUNK_MAX + 1), ALLSET_SMALL_CHUNK_MAX + 1);
  entries[1].data = big;
  g_assert_null (allset_client_pack_encode (entries, 2, &error));
  g_assert_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_ARGUMENT);
}

static void
test_error_mapping (void)
{
  static const struct
  {
    guint        status;
    const char  *body;
    GQuark       domain;
    int          code;
    const char  *message;
  } cases[] = {
    { 401, "{\"error\":{\"code\":\"unauthorized\",\"message\":\"Sign in\"}}", 0, ALLSET_ERROR_UNAUTHORIZED, "Sign in" },
    { 401, "{\"error\":{\"code\":\"token_expired\",\"message\":\"Expired\"}}", 0, ALLSET_ERROR_TOKEN_EXPIRED, "Expired" },
    { 403, "{\"error\":{\"code\":\"account_suspended\",\"message\":\"S\"}}", 0, ALLSET_ERROR_ACCOUNT_SUSPENDED, "S" },
    { 507, "{\"error\":{\"code\":\"quota_exceeded\",\"message\":\"Q\"}}", 0, ALLSET_ERROR_QUOTA_EXCEEDED, "Q" },
    { 422, "{\"error\":{\"code\":\"hash_mismatch\",\"message\":\"H\",\"index\":3}}", 0, ALLSET_ERROR_HASH_MISMATCH, "H" },
    { 429, "{\"error\":{\"code\":\"too_many_attempts\",\"message\":\"T\"}}", 0, ALLSET_ERROR_TOO_MANY_ATTEMPTS, "T" },
    /* No message: one is made up. */
    { 404, "{\"error\":{\"code\":\"not_found\"}}", 0, ALLSET_ERROR_NOT_FOUND, NULL },
    /* A proxy's answers, without our body. */
    { 503, "<html>busy</html>", 0, ALLSET_ERROR_MAINTENANCE, NULL },
    { 502, "", 0, ALLSET_ERROR_INTERNAL, NULL },
    { 429, NULL, 0, ALLSET_ERROR_TOO_MANY_ATTEMPTS, NULL },
    { 500, "{\"error\":{\"code\":\"from_the_future\"}}", 0, ALLSET_ERROR_INTERNAL, NULL },
    /* Not an ALLSET server. */
    { 404, "<html>Not Found</html>", 1, ALLSET_CLIENT_ERROR_BAD_RESPONSE, NULL },
    { 400, "{\"error\":\"bad\"}", 1, ALLSET_CLIENT_ERROR_BAD_RESPONSE, NULL },
    { 302, "", 1, ALLSET_CLIENT_ERROR_BAD_RESPONSE, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *until = NULL;
      g_autoptr(GError) error = NULL;
      GQuark domain = cases[i].domain == 0 ? ALLSET_PROTOCOL_ERROR : ALLSET_CLIENT_ERROR;

      error = allset_client_error_from_response (cases[i].status, cases[i].body,
                                                 cases[i].body ? strlen (cases[i].body) : 0,
                                                 &until);
      g_assert_error (error, domain, cases[i].code);
      g_assert_null (until);
      if (cases[i].message != NULL)
        g_assert_cmpstr (error->message, ==, cases[i].message);
      else
        g_assert_cmpstr (error->message, !=, "");
    }
}

static void
test_error_maintenance (void)
{
  const char *body = "{\"error\":{\"code\":\"maintenance\",\"message\":\"Disk upgrade\","
                     "\"until\":\"2026-11-26T15:00:00Z\"}}";
  g_autofree char *until = NULL;
  g_autoptr(GError) error = NULL;

  error = allset_client_error_from_response (503, body, strlen (body), &until);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_MAINTENANCE);
  g_assert_cmpstr (error->message, ==, "Disk upgrade");
  g_assert_cmpstr (until, ==, "2026-11-26T15:00:00Z");
}

static void
test_bad_response (void)
{
  g_autoptr(GError) error = g_error_new_literal (ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_JSON,
                                                 "Member “x” is missing");
  g_autoptr(GError) other = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "disk");

  g_assert_false (allset_client_bad_response (&error, "api/v1/account"));
  g_assert_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_BAD_RESPONSE);
  g_assert_nonnull (strstr (error->message, "api/v1/account"));
  g_assert_nonnull (strstr (error->message, "Member “x” is missing"));

  /* Other errors pass through untouched. */
  allset_client_bad_response (&other, "x");
  g_assert_error (other, G_IO_ERROR, G_IO_ERROR_FAILED);
}

static void
test_token_bucket (void)
{
  AllsetTokenBucket bucket;
  gint64 t = 1000 * G_USEC_PER_SEC;

  allset_token_bucket_init (&bucket);

  /* Unlimited by default. */
  g_assert_cmpint (allset_token_bucket_reserve (&bucket, 1 << 30, t), ==, 0);

  /* 1000 bytes/s, one second of burst. */
  allset_token_bucket_set_rate (&bucket, 1000, t);
  g_assert_cmpint (allset_token_bucket_reserve (&bucket, 1000, t), ==, 0);
  /* Empty: 500 bytes cost half a second. */
  g_assert_cmpint (allset_token_bucket_reserve (&bucket, 500, t), ==, G_USEC_PER_SEC / 2);
  /* A second caller waits behind the first (threads share the debt). */
  g_assert_cmpint (allset_token_bucket_reserve (&bucket, 500, t), ==, G_USEC_PER_SEC);
  /* Two seconds later the debt (1000) is paid, nothing saved up. */
  t += 2 * G_USEC_PER_SEC;
  g_assert_cmpint (allset_token_bucket_reserve (&bucket, 0, t), ==, 0);
  g_assert_cmpint (allset_token_bucket_reserve (&bucket, 1000, t), ==, 0);
  /* Long idle: the burst stays capped at one second. */
  t += (gint64) 3600 * G_USEC_PER_SEC;
  g_assert_cmpint (allset_token_bucket_reserve (&bucket, 3000, t), ==, 2 * G_USEC_PER_SEC);

  /* A big chunk under a small limit overdraws, then waits. */
  allset_token_bucket_set_rate (&bucket, 0, t);
  g_assert_cmpint (allset_token_bucket_reserve (&bucket, 4 << 20, t), ==, 0);
  allset_token_bucket_set_rate (&bucket, 1 << 20, t);
  g_assert_cmpint (allset_token_bucket_reserve (&bucket, 4 << 20, t), ==, 3 * G_USEC_PER_SEC);

  allset_token_bucket_clear (&bucket);
}

static JsonObject *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonObject *object = allset_json_parse_object (text, strlen (text), &error);

  g_assert_no_error (error);
  return object;
}

static void
test_parse_commit (void)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonArray) ops = json_array_new ();
  g_autoptr(AllsetCommitReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char * const chunks[] = { "aa", NULL };
  AllsetCommitResult *result;

  json_array_add_object_element (ops, allset_commit_op_mkdir ("Docs", 0));
  json_array_add_object_element (ops, allset_commit_op_put ("Docs/a.txt", 0, chunks, 3, 17, TRUE));
  json_array_add_object_element (ops, allset_commit_op_move ("Docs/a.txt", "Docs/b.txt", 7));
  answer = parse ("{\"cursor\": 9, \"results\": ["
                  "{\"status\": 200, \"revision\": 6},"
                  "{\"status\": 200, \"revision\": 7, \"file_id\": \"" FP_HEX "\", \"receipt\": {"
                  "\"account\": \"alice\", \"path\": \"Docs/a.txt\", \"revision\": 7,"
                  "\"file_id\": \"" FP_HEX "\", \"size\": 3, \"time\": \"2026-11-26T13:45:00Z\","
                  "\"key_id\": \"0011223344556677\", \"signature\": \"AAAA\"}},"
                  "{\"status\": 409, \"error\": {\"code\": \"conflict\", \"message\": \"stale\"},"
                  "\"current_revision\": 8}]}");

  reply = allset_commit_reply_from_json (answer, ops, &error);
  g_assert_no_error (error);
  g_assert_cmpint (reply->cursor, ==, 9);
  g_assert_cmpuint (reply->results->len, ==, 3);

  result = g_ptr_array_index (reply->results, 0);
  g_assert_cmpuint (result->status, ==, 200);
  g_assert_cmpint (result->revision, ==, 6);
  g_assert_cmpstr (result->path, ==, "Docs");
  g_assert_cmpint (result->error, ==, ALLSET_ERROR_NONE);
  g_assert_null (result->receipt);

  result = g_ptr_array_index (reply->results, 1);
  g_assert_cmpstr (result->file_id, ==, FP_HEX);
  g_assert_nonnull (result->receipt);
  g_assert_cmpstr (result->receipt->account, ==, "alice");
  g_assert_cmpint (result->receipt->revision, ==, 7);

  result = g_ptr_array_index (reply->results, 2);
  g_assert_cmpuint (result->status, ==, 409);
  g_assert_cmpint (result->error, ==, ALLSET_ERROR_CONFLICT);
  g_assert_cmpstr (result->error_message, ==, "stale");
  g_assert_cmpint (result->current_revision, ==, 8);
  g_assert_cmpstr (result->path, ==, "Docs/a.txt");
  g_clear_pointer (&reply, allset_commit_reply_free);
  g_clear_pointer (&answer, json_object_unref);

  /* One result per operation, or the answer is not for this request. */
  answer = parse ("{\"cursor\": 9, \"results\": []}");
  reply = allset_commit_reply_from_json (answer, ops, &error);
  g_assert_null (reply);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_JSON);
}

static void
test_commit_ops (void)
{
  const char * const chunks[] = { "a1", "b2", NULL };
  g_autoptr(JsonObject) put = allset_commit_op_put ("a.txt", 3, chunks, 10, 1764160000, FALSE);
  g_autoptr(JsonObject) empty = allset_commit_op_put ("e.txt", 0, NULL, 0, 1, TRUE);
  g_autoptr(JsonObject) del = allset_commit_op_delete ("b", 4);
  JsonArray *array;

  g_assert_cmpstr (json_object_get_string_member (put, "op"), ==, "put");
  g_assert_cmpstr (json_object_get_string_member (put, "path"), ==, "a.txt");
  g_assert_cmpint (json_object_get_int_member (put, "base_revision"), ==, 3);
  array = json_object_get_array_member (put, "chunks");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (array, 1), ==, "b2");
  g_assert_cmpint (json_object_get_int_member (put, "size"), ==, 10);
  g_assert_cmpint (json_object_get_int_member (put, "mtime"), ==, 1764160000);
  g_assert_false (json_object_get_boolean_member (put, "executable"));

  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (empty, "chunks")), ==, 0);
  g_assert_true (json_object_get_boolean_member (empty, "executable"));
  g_assert_cmpstr (json_object_get_string_member (del, "op"), ==, "delete");
}

static void
test_parse_changes (void)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(AllsetChanges) changes = NULL;
  g_autoptr(GError) error = NULL;
  AllsetChange *change;

  answer = parse ("{\"cursor\": 13, \"has_more\": true, \"changes\": ["
                  "{\"seq\": 10, \"op\": \"put\", \"path\": \"a.txt\", \"revision\": 10,"
                  " \"file_id\": \"" FP_HEX "\", \"size\": 3, \"mtime\": 5, \"executable\": true},"
                  "{\"seq\": 11, \"op\": \"mkdir\", \"path\": \"Docs\", \"revision\": 11},"
                  "{\"seq\": 12, \"op\": \"move\", \"path\": \"a.txt\", \"to\": \"Docs/a.txt\", \"revision\": 12},"
                  "{\"seq\": 13, \"op\": \"delete\", \"path\": \"Docs/a.txt\", \"revision\": 13}]}");
  changes = allset_changes_from_json (answer, &error);
  g_assert_no_error (error);
  g_assert_cmpint (changes->cursor, ==, 13);
  g_assert_true (changes->has_more);
  g_assert_cmpuint (changes->changes->len, ==, 4);

  change = g_ptr_array_index (changes->changes, 0);
  g_assert_cmpint (change->op, ==, ALLSET_CHANGE_PUT);
  g_assert_cmpuint (change->size, ==, 3);
  g_assert_true (change->executable);
  change = g_ptr_array_index (changes->changes, 2);
  g_assert_cmpint (change->op, ==, ALLSET_CHANGE_MOVE);
  g_assert_cmpstr (change->to, ==, "Docs/a.txt");
  change = g_ptr_array_index (changes->changes, 3);
  g_assert_cmpint (change->op, ==, ALLSET_CHANGE_DELETE);
  g_clear_pointer (&changes, allset_changes_free);
  g_clear_pointer (&answer, json_object_unref);

  answer = parse ("{\"cursor\": 1, \"changes\": [{\"seq\": 1, \"op\": \"chmod\", \"path\": \"a\", \"revision\": 1}]}");
  changes = allset_changes_from_json (answer, &error);
  g_assert_null (changes);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_JSON);
}

static void
test_parse_file (void)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(AllsetFileInfo) file = NULL;
  g_autoptr(GError) error = NULL;
  AllsetChunkInfo *chunk;

  answer = parse ("{\"path\": \"a.txt\", \"revision\": 4, \"file_id\": \"" FP_HEX "\", \"size\": 7,"
                  " \"mtime\": 9, \"executable\": false, \"chunks\": ["
                  "{\"id\": \"" FP_HEX "\", \"size\": 3}, {\"id\": \"" FP_HEX "\", \"size\": 4}],"
                  " \"receipt\": null}");
  file = allset_file_info_from_json (answer, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (file->chunks->len, ==, 2);
  chunk = &g_array_index (file->chunks, AllsetChunkInfo, 1);
  g_assert_cmpstr (chunk->id, ==, FP_HEX);
  g_assert_cmpuint (chunk->size, ==, 4);
  g_assert_null (file->receipt);
  g_clear_pointer (&file, allset_file_info_free);
  g_clear_pointer (&answer, json_object_unref);

  /* Sizes that do not add up, a malformed chunk id: refused. */
  answer = parse ("{\"path\": \"a.txt\", \"revision\": 4, \"size\": 8, \"chunks\": ["
                  "{\"id\": \"" FP_HEX "\", \"size\": 3}]}");
  file = allset_file_info_from_json (answer, &error);
  g_assert_null (file);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_JSON);
  g_clear_error (&error);
  g_clear_pointer (&answer, json_object_unref);

  answer = parse ("{\"path\": \"a.txt\", \"revision\": 4, \"size\": 3, \"chunks\": ["
                  "{\"id\": \"../../etc/passwd\", \"size\": 3}]}");
  file = allset_file_info_from_json (answer, &error);
  g_assert_null (file);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_JSON);
}

static void
test_parse_status (void)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(AllsetServerStatus) status = NULL;
  g_autoptr(GError) error = NULL;

  answer = parse ("{\"service\": \"allset-server\", \"version\": \"0.1.0\", \"protocol\": 1,"
                  "\"maintenance\": {\"active\": true, \"until\": \"2026-11-26T15:00:00Z\", \"message\": null},"
                  "\"limits\": {\"bandwidth_up_bps\": 100000000, \"bandwidth_down_bps\": 0,"
                  " \"chunk_min\": 262144, \"chunk_avg\": 1048576, \"chunk_max\": 4194304,"
                  " \"pack_max_bytes\": 16777216, \"small_chunk_max\": 65536},"
                  "\"receipt_key\": {\"algorithm\": \"ed25519\", \"public_key\": \"QUJD\", \"key_id\": \"00\"}}");
  status = allset_server_status_from_json (answer, &error);
  g_assert_no_error (error);
  g_assert_true (status->maintenance);
  g_assert_cmpstr (status->maintenance_until, ==, "2026-11-26T15:00:00Z");
  g_assert_null (status->maintenance_message);
  g_assert_cmpuint (status->bandwidth_up_bps, ==, 100000000);
  g_assert_cmpuint (status->small_chunk_max, ==, 65536);
  g_assert_cmpstr (status->receipt_public_key, ==, "QUJD");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/client/url", test_url);
  g_test_add_func ("/client/http-refused", test_http_refused);
  g_test_add_func ("/client/fingerprint", test_fingerprint);
  g_test_add_func ("/client/fingerprint-from-der", test_fingerprint_from_der);
  g_test_add_func ("/client/pack-encode", test_pack_encode);
  g_test_add_func ("/client/error-mapping", test_error_mapping);
  g_test_add_func ("/client/error-maintenance", test_error_maintenance);
  g_test_add_func ("/client/bad-response", test_bad_response);
  g_test_add_func ("/client/token-bucket", test_token_bucket);
  g_test_add_func ("/client/parse-commit", test_parse_commit);
  g_test_add_func ("/client/commit-ops", test_commit_ops);
  g_test_add_func ("/client/parse-changes", test_parse_changes);
  g_test_add_func ("/client/parse-file", test_parse_file);
  g_test_add_func ("/client/parse-status", test_parse_status);

  return g_test_run ();
}
