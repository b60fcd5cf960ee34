/* test-fetch.c — batched downloads: POST /api/v1/files and
 * POST /api/v1/chunks/fetch, through AllsetClient, against the real
 * allset-server over TLS
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Per-element answers (live files, nothing, a directory, another account's
 * path, a bad name), the whole-request errors, the 16 MiB prefix of a
 * chunk answer and its download pacing, the client's record parser, and
 * (printed, not asserted) what batching saves over one request per file.
 */

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "allset-client-private.h"
#include "test-cli-server.h"

#if defined(__SANITIZE_ADDRESS__)
# define SANITIZED 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define SANITIZED 1
# endif
#endif
#ifndef SANITIZED
# define SANITIZED 0
#endif

static TestCliServer *server;   /* downloads capped at 50 Mbit/s */
/* Signed in once: every login costs an Argon2 hash, slow under ASan. */
static AllsetClient  *alice;
static AllsetClient  *bob;

/* ---- helpers --------------------------------------------------------------- */

/* Four bytes per call: 16 MiB byte by byte is slow under ASan. */
static GBytes *
random_bytes (gsize len)
{
  guint8 *data = g_malloc (len + 4);

  for (gsize i = 0; i < len; i += 4)
    {
      guint32 word = g_test_rand_int ();

      memcpy (data + i, &word, 4);
    }
  return g_bytes_new_take (g_realloc (data, MAX (len, 1)), len);
}

static char *
put_chunk (AllsetClient *client,
           GBytes       *bytes)
{
  g_autoptr(GError) error = NULL;
  char *id = test_cli_chunk_id (bytes);

  g_assert_true (allset_client_chunk_put (client, id, bytes, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  return id;
}

static void
commit_ok (AllsetClient *client,
           JsonObject   *first_op,
           ...)
{
  g_autoptr(JsonArray) ops = json_array_new ();
  g_autoptr(AllsetCommitReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *op = first_op;
  va_list args;

  va_start (args, first_op);
  for (; op != NULL; op = va_arg (args, JsonObject *))
    json_array_add_object_element (ops, op);
  va_end (args);

  reply = allset_client_commit (client, ops, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < reply->results->len; i++)
    g_assert_cmpuint (((AllsetCommitResult *) g_ptr_array_index (reply->results, i))->status, ==, 200);
}

/* A JSON request as typed (not built by the client calls), for the
 * malformed ones: *status and the mapped error. */
static void
assert_refused (AllsetClient    *client,
                const char      *path,
                const char      *json,
                guint            expected_status,
                int              expected_code)
{
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  AllsetClientRequest request = {
    .method = "POST",
    .path = path,
    .auth = TRUE,
    .body = body,
    .content_type = "application/json",
    .max_response = ALLSET_JSON_MAX_BYTES,
  };
  guint status = 0;

  answer = allset_client_send (client, &request, &status, NULL, &error);
  g_assert_null (answer);
  g_assert_cmpuint (status, ==, expected_status);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, expected_code);
  g_assert_cmpstr (error->message, !=, "");
}

/* {"KEY": ["x", "x", …]} with n copies of element (a JSON literal). */
static char *
json_list (const char *key,
           const char *element,
           guint       n)
{
  GString *text = g_string_new (NULL);

  g_string_append_printf (text, "{\"%s\": [", key);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "%s%s", i ? ", " : "", element);
  g_string_append (text, "]}");
  return g_string_free (text, FALSE);
}

static void
assert_same_file (AllsetFileInfo *a,
                  AllsetFileInfo *b)
{
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpstr (a->path, ==, b->path);
  g_assert_cmpint (a->revision, ==, b->revision);
  g_assert_cmpstr (a->file_id, ==, b->file_id);
  g_assert_cmpuint (a->size, ==, b->size);
  g_assert_cmpint (a->mtime, ==, b->mtime);
  g_assert_cmpint (a->executable, ==, b->executable);
  g_assert_cmpuint (a->chunks->len, ==, b->chunks->len);
  for (guint i = 0; i < a->chunks->len; i++)
    {
      AllsetChunkInfo *ca = &g_array_index (a->chunks, AllsetChunkInfo, i);
      AllsetChunkInfo *cb = &g_array_index (b->chunks, AllsetChunkInfo, i);

      g_assert_cmpstr (ca->id, ==, cb->id);
      g_assert_cmpuint (ca->size, ==, cb->size);
    }
  g_assert_nonnull (a->receipt);
  g_assert_nonnull (b->receipt);
  g_assert_cmpstr (a->receipt->signature, ==, b->receipt->signature);
}

/* ---- POST /api/v1/files ------------------------------------------------------ */

static void
test_files (void)
{
  g_autoptr(GBytes) small = random_bytes (100);
  g_autoptr(GBytes) part1 = random_bytes (300 * 1024);
  g_autoptr(GBytes) part2 = random_bytes (1000);
  g_autofree char *small_id = put_chunk (alice, small);
  g_autofree char *id1 = put_chunk (alice, part1);
  g_autofree char *id2 = put_chunk (alice, part2);
  g_autofree char *bob_id = put_chunk (bob, small);
  const char *one[] = { small_id, NULL };
  const char *two[] = { id1, id2, NULL };
  const char *paths[] = {
    "a.txt", "missing.txt", "Dir", "bob.txt", "../x", "Docs/b.odt", "Docs/empty",
    "e\xcc\x81t\xc3\xa9.txt", "a.txt", "Docs/B.ODT",
  };
  const guint n = G_N_ELEMENTS (paths);
  const char *expected_codes[] = {
    NULL, "not_found", "not_found", "not_found", "invalid_name", NULL, NULL, NULL, NULL, "not_found",
  };
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(JsonObject) raw = NULL;
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonObject) single = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *array = json_array_new ();
  JsonArray *elements;

  commit_ok (alice,
             allset_commit_op_put ("a.txt", 0, one, 100, 1764160000, FALSE),
             allset_commit_op_mkdir ("Dir", 0),
             allset_commit_op_put ("Docs/b.odt", 0, two, 300 * 1024 + 1000, 1764160001, TRUE),
             allset_commit_op_put ("Docs/empty", 0, NULL, 0, 1764160002, FALSE),
             allset_commit_op_put ("\xc3\xa9t\xc3\xa9.txt", 0, one, 100, 1764160003, FALSE),
             NULL);
  commit_ok (bob, allset_commit_op_put ("bob.txt", 0, (const char *[]) { bob_id, NULL }, 100,
                                        1764160000, FALSE), NULL);

  files = allset_client_files (alice, paths, n, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (files->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      AllsetFileInfo *info = g_ptr_array_index (files, i);

      if (expected_codes[i] != NULL)
        {
          g_assert_null (info);
          continue;
        }

      /* Each live element is what GET /api/v1/file says of that path. */
      {
        g_autoptr(AllsetFileInfo) alone = allset_client_file (alice, paths[i], 0, NULL, &error);

        g_assert_no_error (error);
        assert_same_file (info, alone);
      }
    }
  g_assert_cmpstr (((AllsetFileInfo *) g_ptr_array_index (files, 0))->file_id, !=, NULL);
  g_assert_cmpuint (((AllsetFileInfo *) g_ptr_array_index (files, 5))->chunks->len, ==, 2);
  g_assert_true (((AllsetFileInfo *) g_ptr_array_index (files, 5))->executable);
  g_assert_cmpuint (((AllsetFileInfo *) g_ptr_array_index (files, 6))->chunks->len, ==, 0);
  /* Asked decomposed, answered under its stored (NFC) name. */
  g_assert_cmpstr (((AllsetFileInfo *) g_ptr_array_index (files, 7))->path, ==, "\xc3\xa9t\xc3\xa9.txt");

  /* The elements on the wire: the very object GET /api/v1/file answers,
   * or the path asked for and an error; another account's path answers
   * exactly as a path that does not exist (R21). */
  json_object_set_array_member (body, "paths", array);
  for (guint i = 0; i < n; i++)
    json_array_add_string_element (array, paths[i]);
  node = json_node_init_object (json_node_alloc (), body);
  raw = allset_client_call_json (alice, "POST", "api/v1/files", node, TRUE, NULL, &error);
  g_assert_no_error (error);
  elements = json_object_get_array_member (raw, "files");
  g_assert_cmpuint (json_array_get_length (elements), ==, n);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *element = json_array_get_object_element (elements, i);

      if (expected_codes[i] != NULL)
        {
          JsonObject *err = json_object_get_object_member (element, "error");

          g_assert_cmpstr (json_object_get_string_member (element, "path"), ==, paths[i]);
          g_assert_cmpstr (json_object_get_string_member (err, "code"), ==, expected_codes[i]);
          g_assert_cmpstr (json_object_get_string_member (err, "message"), !=, "");
          g_assert_cmpuint (json_object_get_size (element), ==, 2);
          if (g_str_equal (expected_codes[i], "not_found"))
            {
              g_autofree char *message = g_strdup_printf ("No file “%s”", paths[i]);

              g_assert_cmpstr (json_object_get_string_member (err, "message"), ==, message);
            }
        }
      else
        g_assert_false (json_object_has_member (element, "error"));
    }
  single = allset_client_call_json (alice, "GET", "api/v1/file?path=Docs%2Fb.odt", NULL, TRUE,
                                    NULL, &error);
  g_assert_no_error (error);
  {
    g_autoptr(JsonNode) a = json_node_init_object (json_node_alloc (), single);
    g_autoptr(JsonNode) b = json_node_init_object (json_node_alloc (),
                                                   json_array_get_object_element (elements, 5));
    g_autofree char *text_a = allset_json_to_string (a);
    g_autofree char *text_b = allset_json_to_string (b);

    g_assert_cmpstr (text_a, ==, text_b);
  }
}

static void
test_files_errors (void)
{
  g_autoptr(AllsetClient) doomed = test_cli_new_client (server, NULL);
  g_autoptr(AllsetClient) old = NULL;
  g_autoptr(AllsetLoginInfo) info = NULL;
  g_autofree char *many = json_list ("paths", "\"a.txt\"", 1001);
  g_autofree char *most = json_list ("paths", "\"nothing.txt\"", 1000);
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GPtrArray) chunks = NULL;
  g_autoptr(GError) error = NULL;
  const char *one[] = { "a.txt" };

  assert_refused (alice, "api/v1/files", "not json", 400, ALLSET_ERROR_INVALID_JSON);
  assert_refused (alice, "api/v1/files", "[\"a.txt\"]", 400, ALLSET_ERROR_INVALID_JSON);
  assert_refused (alice, "api/v1/files", "{}", 400, ALLSET_ERROR_INVALID_JSON);
  assert_refused (alice, "api/v1/files", "{\"paths\": \"a.txt\"}", 400, ALLSET_ERROR_INVALID_JSON);
  assert_refused (alice, "api/v1/files", "{\"paths\": [\"a.txt\", 3]}", 400, ALLSET_ERROR_INVALID_JSON);
  assert_refused (alice, "api/v1/files", "{\"paths\": [\"a.txt\", null]}", 400, ALLSET_ERROR_INVALID_JSON);
  assert_refused (alice, "api/v1/files", "{\"paths\": [\"a\\u0000b\"]}", 400, ALLSET_ERROR_INVALID_JSON);
  assert_refused (alice, "api/v1/files", "{\"paths\": []}", 400, ALLSET_ERROR_BAD_REQUEST);
  assert_refused (alice, "api/v1/files", many, 400, ALLSET_ERROR_BAD_REQUEST);

  /* 1000 is allowed, and every element answers. */
  {
    g_autoptr(JsonObject) answer = NULL;
    g_autoptr(JsonNode) node = json_from_string (most, NULL);

    answer = allset_client_call_json (alice, "POST", "api/v1/files", node, TRUE, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (answer, "files")), ==, 1000);
  }

  /* The client refuses what the server would, without a request. */
  g_assert_null (allset_client_files (alice, one, 0, NULL, &error));
  g_assert_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (allset_client_chunks_fetch (alice, one, 0, NULL, &error));
  g_assert_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (allset_client_chunks_fetch (alice, one, 1, NULL, &error));
  g_assert_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* A revoked token. */
  info = allset_client_login (doomed, "alice", TEST_CLI_PASSWORD, "doomed", NULL, &error);
  g_assert_no_error (error);
  old = test_cli_new_client (server, info->token);
  g_assert_true (allset_client_logout (doomed, NULL, &error));
  g_assert_no_error (error);
  files = allset_client_files (old, one, 1, NULL, &error);
  g_assert_null (files);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_UNAUTHORIZED);
  g_clear_error (&error);
  {
    const char *ids[] = { TEST_CLI_UNKNOWN_ID };

    chunks = allset_client_chunks_fetch (old, ids, 1, NULL, &error);
    g_assert_null (chunks);
    g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_UNAUTHORIZED);
  }
}

static void
test_token_expired (void)
{
  TestCliServer *short_lived = test_cli_server_start ("--token-lifetime=2s");
  g_autoptr(AllsetClient) client = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GPtrArray) chunks = NULL;
  g_autoptr(GError) error = NULL;
  const char *paths[] = { "a.txt" };
  const char *ids[] = { TEST_CLI_UNKNOWN_ID };

  test_cli_add_account (short_lived, "carol", NULL);
  client = test_cli_signed_in (short_lived, "carol");
  files = allset_client_files (client, paths, 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (g_ptr_array_index (files, 0));
  chunks = allset_client_chunks_fetch (client, ids, 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (chunks->len, ==, 1);
  g_assert_null (g_ptr_array_index (chunks, 0));
  g_clear_pointer (&files, g_ptr_array_unref);
  g_clear_pointer (&chunks, g_ptr_array_unref);

  /* Whole seconds: a 2 s token lasts more than 1 s and less than 3 s. */
  g_usleep (3100 * 1000);
  files = allset_client_files (client, paths, 1, NULL, &error);
  g_assert_null (files);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_TOKEN_EXPIRED);
  g_clear_error (&error);
  chunks = allset_client_chunks_fetch (client, ids, 1, NULL, &error);
  g_assert_null (chunks);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_TOKEN_EXPIRED);

  /* libsoup 3.2's SoupServer loses the sockets of connections still open
   * when it is torn down: close ours first. */
  g_clear_object (&client);
  g_usleep (200 * 1000);
  test_cli_server_stop (short_lived);
}

/* ---- POST /api/v1/chunks/fetch ---------------------------------------------- */

static void
test_chunks (void)
{
  g_autoptr(GBytes) s1 = random_bytes (1000);
  g_autoptr(GBytes) s2 = random_bytes (ALLSET_SMALL_CHUNK_MAX);
  g_autoptr(GBytes) s3 = random_bytes (10);
  g_autoptr(GBytes) put_small = random_bytes (5000);
  g_autoptr(GBytes) big1 = random_bytes (ALLSET_SMALL_CHUNK_MAX + 1);
  g_autoptr(GBytes) big2 = random_bytes (1024 * 1024);
  g_autoptr(GBytes) bobs = random_bytes (2000);
  g_autofree char *s1_id = test_cli_chunk_id (s1);
  g_autofree char *s2_id = test_cli_chunk_id (s2);
  g_autofree char *s3_id = test_cli_chunk_id (s3);
  g_autofree char *put_small_id = put_chunk (alice, put_small);
  g_autofree char *big1_id = put_chunk (alice, big1);
  g_autofree char *big2_id = put_chunk (alice, big2);
  g_autofree char *bob_id = put_chunk (bob, bobs);
  AllsetPackEntry pack[] = { { s1_id, s1 }, { s2_id, s2 }, { s3_id, s3 } };
  const char *ids[] = { big1_id, s1_id, TEST_CLI_UNKNOWN_ID, bob_id, s2_id, big2_id, s3_id,
                        put_small_id, s1_id };
  GBytes *expected[] = { big1, s1, NULL, NULL, s2, big2, s3, put_small, s1 };
  g_autoptr(GPtrArray) chunks = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bad_hex = NULL;
  g_autofree char *too_many = json_list ("ids", "\"" TEST_CLI_UNKNOWN_ID "\"", 10001);

  g_assert_cmpuint (allset_client_chunk_pack (alice, pack, G_N_ELEMENTS (pack), NULL, NULL, NULL, &error), ==, 3);
  g_assert_no_error (error);

  chunks = allset_client_chunks_fetch (alice, ids, G_N_ELEMENTS (ids), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (chunks->len, ==, G_N_ELEMENTS (ids));
  for (guint i = 0; i < chunks->len; i++)
    {
      GBytes *got = g_ptr_array_index (chunks, i);

      if (expected[i] == NULL)
        g_assert_null (got);
      else
        {
          g_assert_nonnull (got);
          g_assert_true (g_bytes_equal (got, expected[i]));
        }
    }
  g_clear_pointer (&chunks, g_ptr_array_unref);

  /* Bob's own chunk is his to fetch. */
  chunks = allset_client_chunks_fetch (bob, (const char *[]) { bob_id, s1_id }, 2, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (g_ptr_array_index (chunks, 0), bobs));
  g_assert_null (g_ptr_array_index (chunks, 1));

  /* Whole-request errors. */
  bad_hex = g_strdup_printf ("{\"ids\": [\"%s\", \"%.63s\"]}", s1_id, s1_id);
  assert_refused (alice, "api/v1/chunks/fetch", bad_hex, 400, ALLSET_ERROR_BAD_REQUEST);
  g_free (bad_hex);
  bad_hex = g_ascii_strup (s1_id, -1);
  {
    g_autofree char *upper = g_strdup_printf ("{\"ids\": [\"%s\"]}", bad_hex);

    assert_refused (alice, "api/v1/chunks/fetch", upper, 400, ALLSET_ERROR_BAD_REQUEST);
  }
  assert_refused (alice, "api/v1/chunks/fetch", "{\"ids\": [42]}", 400, ALLSET_ERROR_BAD_REQUEST);
  assert_refused (alice, "api/v1/chunks/fetch", "{\"ids\": []}", 400, ALLSET_ERROR_BAD_REQUEST);
  assert_refused (alice, "api/v1/chunks/fetch", too_many, 400, ALLSET_ERROR_BAD_REQUEST);
  assert_refused (alice, "api/v1/chunks/fetch", "{\"ids\": ", 400, ALLSET_ERROR_INVALID_JSON);
  assert_refused (alice, "api/v1/chunks/fetch", "{\"chunks\": []}", 400, ALLSET_ERROR_INVALID_JSON);
  assert_refused (alice, "api/v1/chunks/fetch", "{\"ids\": {}}", 400, ALLSET_ERROR_INVALID_JSON);
}

/* Over 16 MiB: a proper prefix, then the rest. The answer is paced by the
 * account's download bucket: at 50 Mbit/s, 16 MiB less the bucket's
 * quarter-second burst take 2.4 s in theory. Measured here: 1.8 s (the
 * pacer runs about a third over its cap, GET /api/v1/chunks/{id} too);
 * unpaced, well under half a second. */
static void
test_prefix (void)
{
  g_autoptr(GPtrArray) data = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) rest = NULL;
  g_autoptr(GError) error = NULL;
  /* Three 4 MiB chunks and a small one fit in 16 MiB; the fourth big one
   * does not. */
  const gsize sizes[] = { ALLSET_CHUNK_MAX, ALLSET_CHUNK_MAX, ALLSET_CHUNK_MAX, 1000,
                          ALLSET_CHUNK_MAX, 3000 };
  gint64 start, elapsed;

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      GBytes *bytes = random_bytes (sizes[i]);

      g_ptr_array_add (data, bytes);
      g_ptr_array_add (ids, put_chunk (alice, bytes));
    }

  start = g_get_monotonic_time ();
  first = allset_client_chunks_fetch (alice, (const char * const *) ids->pdata, ids->len, NULL, &error);
  elapsed = g_get_monotonic_time () - start;
  g_assert_no_error (error);
  g_assert_cmpuint (first->len, ==, 4);
  for (guint i = 0; i < first->len; i++)
    g_assert_true (g_bytes_equal (g_ptr_array_index (first, i), g_ptr_array_index (data, i)));
  g_test_message ("16 MiB prefix in %.2f s (50 Mbit/s cap)", elapsed / 1e6);
  g_assert_cmpint (elapsed, >=, 1200 * 1000);

  rest = allset_client_chunks_fetch (alice, (const char * const *) ids->pdata + first->len,
                                     ids->len - first->len, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rest->len, ==, 2);
  for (guint i = 0; i < rest->len; i++)
    g_assert_true (g_bytes_equal (g_ptr_array_index (rest, i), g_ptr_array_index (data, first->len + i)));

  /* A single chunk always comes, whatever its size. */
  g_clear_pointer (&rest, g_ptr_array_unref);
  rest = allset_client_chunks_fetch (alice, (const char * const *) ids->pdata + 4, 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rest->len, ==, 1);
}

/* ---- the client's record parser --------------------------------------------- */

static GByteArray *
record (GByteArray *body,
        const char *id,
        GBytes     *bytes)
{
  AllsetHash hash;
  guint32 be = GUINT32_TO_BE (bytes != NULL ? g_bytes_get_size (bytes) : 0);

  g_assert_true (allset_hash_from_hex (id, &hash));
  g_byte_array_append (body, hash.bytes, ALLSET_HASH_LEN);
  g_byte_array_append (body, (const guint8 *) &be, 4);
  if (bytes != NULL)
    g_byte_array_append (body, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  return body;
}

static void
assert_decode_fails (GByteArray *body,
                     const char *const *ids,
                     guint       n,
                     GQuark      domain,
                     int         code)
{
  g_autoptr(GBytes) bytes = g_bytes_new (body->data, body->len);
  g_autoptr(GPtrArray) chunks = NULL;
  g_autoptr(GError) error = NULL;

  chunks = allset_client_chunks_fetch_decode (bytes, ids, n, &error);
  g_assert_null (chunks);
  g_assert_error (error, domain, code);
}

static void
test_decode (void)
{
  g_autoptr(GBytes) a = random_bytes (100);
  g_autoptr(GBytes) b = random_bytes (70000);
  g_autofree char *a_id = test_cli_chunk_id (a);
  g_autofree char *b_id = test_cli_chunk_id (b);
  const char *ids[] = { a_id, TEST_CLI_UNKNOWN_ID, b_id };
  g_autoptr(GByteArray) good = g_byte_array_new ();
  g_autoptr(GByteArray) body = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GPtrArray) chunks = NULL;
  g_autoptr(GError) error = NULL;

  record (record (record (good, a_id, a), TEST_CLI_UNKNOWN_ID, NULL), b_id, b);
  bytes = g_bytes_new (good->data, good->len);
  chunks = allset_client_chunks_fetch_decode (bytes, ids, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (chunks->len, ==, 3);
  g_assert_true (g_bytes_equal (g_ptr_array_index (chunks, 0), a));
  g_assert_null (g_ptr_array_index (chunks, 1));
  g_assert_true (g_bytes_equal (g_ptr_array_index (chunks, 2), b));
  g_clear_pointer (&chunks, g_ptr_array_unref);

  /* A prefix is a good answer. */
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = g_bytes_new (good->data, ALLSET_HASH_LEN + 4 + 100);
  chunks = allset_client_chunks_fetch_decode (bytes, ids, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (chunks->len, ==, 1);

  /* Empty, truncated in a header, truncated in the bytes. */
  body = g_byte_array_new ();
  assert_decode_fails (body, ids, 3, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_byte_array_append (body, good->data, 20);
  assert_decode_fails (body, ids, 3, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_byte_array_set_size (body, 0);
  g_byte_array_append (body, good->data, good->len - 1);
  assert_decode_fails (body, ids, 3, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);

  /* Trailing bytes: one byte, or a whole record more than asked for. */
  g_byte_array_set_size (body, 0);
  g_byte_array_append (body, good->data, good->len);
  g_byte_array_append (body, (const guint8 *) "x", 1);
  assert_decode_fails (body, ids, 3, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_byte_array_set_size (body, 0);
  record (record (body, a_id, a), TEST_CLI_UNKNOWN_ID, NULL);
  assert_decode_fails (body, ids, 1, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);

  /* Out of order. */
  g_byte_array_set_size (body, 0);
  record (record (body, TEST_CLI_UNKNOWN_ID, NULL), a_id, a);
  assert_decode_fails (body, ids, 3, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);

  /* Wrong bytes under the right id: the whole call fails. */
  g_byte_array_set_size (body, 0);
  g_byte_array_append (body, good->data, good->len);
  body->data[body->len - 1] ^= 0x01;
  assert_decode_fails (body, ids, 3, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_HASH_MISMATCH);
  g_byte_array_set_size (body, 0);
  record (body, a_id, b);
  assert_decode_fails (body, ids, 3, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_HASH_MISMATCH);
}

/* ---- what batching saves (printed, not asserted) ----------------------------- */

static double
process_cpu_seconds (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (after = strrchr (text, ')')) == NULL)
    return 0;
  /* After "pid (comm)": state is field 3, utime 14, stime 15. */
  fields = g_strsplit (after + 2, " ", 0);
  if (g_strv_length (fields) < 13)
    return 0;
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) /
         sysconf (_SC_CLK_TCK);
}

static double
self_cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

typedef struct
{
  gint64 wall;
  double client_cpu, server_cpu;
} Mark;

static Mark
mark (GPid pid)
{
  return (Mark) { g_get_monotonic_time (), self_cpu_seconds (), process_cpu_seconds (pid) };
}

static void
report (const char *what,
        Mark        before,
        Mark        after)
{
  g_test_message ("%-40s %7.3f s wall, client %6.3f CPU-s, server %6.3f CPU-s", what,
                  (after.wall - before.wall) / 1e6, after.client_cpu - before.client_cpu,
                  after.server_cpu - before.server_cpu);
}

static void
test_measure (void)
{
  TestCliServer *uncapped = test_cli_server_start ("--bandwidth-down=0");
  g_autoptr(AllsetClient) client = NULL;
  g_autoptr(GPtrArray) data = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) pack = g_array_new (FALSE, FALSE, sizeof (AllsetPackEntry));
  g_autoptr(JsonArray) ops = json_array_new ();
  g_autoptr(AllsetCommitReply) reply = NULL;
  g_autoptr(GPtrArray) fetched = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GError) error = NULL;
  GPid pid = atoi (g_subprocess_get_identifier (uncapped->process));
  /* ASan makes every TLS request several times slower: fewer of them. */
  const guint n = SANITIZED ? 200 : 1000;
  g_autofree char *label = NULL;
  Mark before, after;

  test_cli_add_account (uncapped, "dave", NULL);
  client = test_cli_signed_in (uncapped, "dave");

  for (guint i = 0; i < n; i++)
    {
      GBytes *bytes = random_bytes (4096);
      char *id = test_cli_chunk_id (bytes);
      AllsetPackEntry entry = { id, bytes };
      char *path = g_strdup_printf ("m/f%04u.txt", i);

      g_ptr_array_add (data, bytes);
      g_ptr_array_add (ids, id);
      g_ptr_array_add (paths, path);
      g_array_append_val (pack, entry);
      json_array_add_object_element (ops, allset_commit_op_put (path, 0, (const char *[]) { id, NULL },
                                                                4096, 1764160000, FALSE));
    }
  g_assert_cmpuint (allset_client_chunk_pack (client, (AllsetPackEntry *) pack->data, n, NULL, NULL, NULL, &error), ==, n);
  g_assert_no_error (error);
  reply = allset_client_commit (client, ops, NULL, &error);
  g_assert_no_error (error);

  /* Warm the connection up first: the TLS handshake is not the point. */
  g_clear_pointer (&fetched, g_ptr_array_unref);
  fetched = allset_client_chunks_fetch (client, (const char * const *) ids->pdata, 1, NULL, &error);
  g_assert_no_error (error);

  before = mark (pid);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GBytes) got = allset_client_chunk_get (client, g_ptr_array_index (ids, i), 0, -1,
                                                       NULL, NULL, NULL, &error);

      g_assert_no_error (error);
    }
  after = mark (pid);
  label = g_strdup_printf ("%u x GET /api/v1/chunks/{id} (4 KiB)", n);
  report (label, before, after);

  before = mark (pid);
  g_clear_pointer (&fetched, g_ptr_array_unref);
  fetched = allset_client_chunks_fetch (client, (const char * const *) ids->pdata, n, NULL, &error);
  after = mark (pid);
  g_assert_no_error (error);
  g_assert_cmpuint (fetched->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_true (g_bytes_equal (g_ptr_array_index (fetched, i), g_ptr_array_index (data, i)));
  g_free (label);
  label = g_strdup_printf ("1 x POST /api/v1/chunks/fetch (%u ids)", n);
  report (label, before, after);

  before = mark (pid);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AllsetFileInfo) info = allset_client_file (client, g_ptr_array_index (paths, i), 0,
                                                           NULL, &error);

      g_assert_no_error (error);
    }
  after = mark (pid);
  g_free (label);
  label = g_strdup_printf ("%u x GET /api/v1/file", n);
  report (label, before, after);

  before = mark (pid);
  files = allset_client_files (client, (const char * const *) paths->pdata, n, NULL, &error);
  after = mark (pid);
  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    g_assert_nonnull (g_ptr_array_index (files, i));
  g_free (label);
  label = g_strdup_printf ("1 x POST /api/v1/files (%u paths)", n);
  report (label, before, after);

  g_clear_object (&client);
  g_usleep (200 * 1000);
  test_cli_server_stop (uncapped);
}

int
main (int    argc,
      char **argv)
{
  int status;

  if (!test_cli_init (&argc, &argv, "/fetch"))
    return g_test_run ();

  server = test_cli_server_start ("--bandwidth-down=50M");
  test_cli_add_account (server, "alice", "1G");
  test_cli_add_account (server, "bob", "1G");
  alice = test_cli_signed_in (server, "alice");
  bob = test_cli_signed_in (server, "bob");

  g_test_add_func ("/fetch/files", test_files);
  g_test_add_func ("/fetch/files-errors", test_files_errors);
  g_test_add_func ("/fetch/token-expired", test_token_expired);
  g_test_add_func ("/fetch/chunks", test_chunks);
  g_test_add_func ("/fetch/prefix", test_prefix);
  g_test_add_func ("/fetch/decode", test_decode);
  g_test_add_func ("/fetch/measure", test_measure);

  status = g_test_run ();
  g_clear_object (&alice);
  g_clear_object (&bob);
  g_usleep (200 * 1000);
  test_cli_server_stop (server);
  return status;
}
