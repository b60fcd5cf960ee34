/* test-fuzz.c — seeded random mutations of valid requests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The other tests send the bad input someone thought of; this one sends
 * what a seeded generator makes of valid requests to every endpoint that
 * reads a body, a query or an id: a member dropped or added, a value
 * swapped for one of another type or an edge (2^63, -0.0, "..", NUL,
 * 300-byte names, "g" × 64 as an id), an array repeated thousands of
 * times, the JSON text cut short or its bytes flipped; chunk packs with
 * wrong ids, sizes and truncated records; chunk PUTs under wrong ids;
 * ranges that cannot be. Whatever comes, against the real server:
 *  - no answer is a server error (5xx; 507, the full quota, aside), and
 *    every refusal is the JSON error document of docs/protocol.md;
 *  - the server keeps running and still takes a valid commit;
 *  - a file committed before the first mutation, in a directory no
 *    mutation names, reads back with its revision, file id and bytes.
 * ALLSET_FUZZ_SEED and ALLSET_FUZZ_ROUNDS (default 1500, 500 under the
 * sanitizers) change the run; the seed is printed, so that a failure can
 * be replayed.
 */

#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
# include <sanitizer/lsan_interface.h>
#endif

#include "allset-test-server.h"
#include "fuzz-json.h"

/* ~12 s here; under the sanitizers a third of them take ~20 s. */
#define DEFAULT_ROUNDS           1500
#define DEFAULT_ROUNDS_SANITIZED 500

static AllsetTestServer *server;
static GRand *rng;

static const char *const accounts[] = { "fuzz", NULL };

/* From the fuzz's own seed, so that ALLSET_FUZZ_SEED replays a run. */
static GBytes *
random_bytes (gsize len)
{
  guint8 *data = g_malloc (MAX (len, 1));

  for (gsize i = 0; i < len; i += 4)
    {
      guint32 word = g_rand_int (rng);

      memcpy (data + i, &word, MIN (4, len - i));
    }
  return g_bytes_new_take (data, len);
}

static gboolean
holds_string (AllsetTestResponse *r,
              const char         *path)
{
  JsonNode *node = allset_test_json_lookup (r->json, path);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

/* Any answer but a server error; a refusal says what, as JSON. */
static void
assert_sane (AllsetTestResponse *r,
             const char         *method,
             const char         *path,
             guint               round)
{
  g_autofree char *described = NULL;

  if (r->status != 0 && (r->status < 500 || r->status == 507) &&
      (r->status < 400 || (holds_string (r, "error.code") && holds_string (r, "error.message"))))
    return;
  described = allset_test_response_describe (r);
  g_error ("round %u, %s %.200s: %s", round, method, path, described);
}

typedef struct
{
  const char *token;
  char       *share_id;
  GPtrArray  *ids;       /* hex of chunks the account holds */
  JsonNode   *bodies[7];
  const char *paths[7];
} Valid;

static void
fuzz_json (Valid *v,
           guint  round)
{
  guint which = g_rand_int_range (rng, 0, G_N_ELEMENTS (v->bodies));
  JsonNode *node = fuzz_json_mutate (rng, fuzz_json_deep_copy (v->bodies[which]));
  g_autofree char *text = json_to_string (node, FALSE);
  g_autoptr(GBytes) body = g_rand_double (rng) < 0.3 ? fuzz_json_mutate_text (rng, text)
                                                     : g_bytes_new (text, strlen (text));
  g_autofree char *path = g_strdup (v->paths[which]);
  const char *method = "POST";
  g_autoptr(AllsetTestResponse) r = NULL;

  if (g_str_equal (path, "/api/v1/shares/"))
    {
      g_free (path);
      path = g_strconcat ("/api/v1/shares/", v->share_id, NULL);
      method = "PATCH";
    }
  r = allset_test_request (server, NULL, method, path, v->token, "application/json", body, NULL);
  assert_sane (r, method, path, round);
  json_node_unref (node);
}

static void
fuzz_query (Valid *v,
            guint  round)
{
  /* Before and after the value. */
  static const char *const formats[][2] = {
    { "/api/v1/file?path=", "" }, { "/api/v1/file?path=Docs/a.txt&revision=", "" },
    { "/api/v1/list?path=", "" }, { "/api/v1/changes?cursor=", "" }, { "/api/v1/changes?cursor=0&limit=", "" },
    { "/api/v1/versions?path=", "" }, { "/api/v1/changes/wait?cursor=", "&timeout=1" },
    { "/api/v1/changes/wait?cursor=0&timeout=", "" }, { "/api/v1/chunks/", "" }, { "/api/v1/trash?", "" },
    { "/api/v1/devices/", "" }, { "/api/v1/shares/", "" },
  };
  static const char *const values[] = {
    "", "Docs", "Docs/a.txt", "..", "%2e%2e", "%00", "%ff", "%c3%a9", "a%2fb", "-1", "0", "1e3",
    "99999999999999999999", "9223372036854775807", "-9223372036854775808", "1.5", "x&x=y",
    "0000000000000000000000000000000000000000000000000000000000000000",
  };
  guint f = g_rand_int_range (rng, 0, G_N_ELEMENTS (formats));
  const char *value = g_rand_double (rng) < 0.2 && v->ids->len > 0
                      ? g_ptr_array_index (v->ids, g_rand_int_range (rng, 0, v->ids->len))
                      : values[g_rand_int_range (rng, 0, G_N_ELEMENTS (values))];
  g_autofree char *path = g_strconcat (formats[f][0], value, formats[f][1], NULL);
  const char *method = g_str_has_prefix (path, "/api/v1/devices/") ||
                       g_str_has_prefix (path, "/api/v1/shares/") ? "DELETE" : "GET";
  static const char *const ranges[] = { "bytes=5-1", "bytes=-0", "bytes=99999999999-", "bytes=0-0,1-1",
                                        "bytes=x", "bytes=0-", "pages=1" };
  const char *headers[] = { "Range", ranges[g_rand_int_range (rng, 0, G_N_ELEMENTS (ranges))], NULL };
  g_autoptr(AllsetTestResponse) r = NULL;

  /* A share's id other than the one the later rounds PATCH. */
  if (g_str_equal (method, "DELETE") && g_str_equal (value, v->share_id))
    return;
  r = allset_test_request (server, NULL, method, path, v->token, NULL, NULL,
                           g_str_has_prefix (path, "/api/v1/chunks/") ? headers : NULL);
  assert_sane (r, method, path, round);
}

static void
fuzz_pack (Valid *v,
           guint  round)
{
  GByteArray *pack = g_byte_array_new ();
  g_autoptr(GBytes) body = NULL;
  g_autoptr(AllsetTestResponse) r = NULL;
  guint records = g_rand_int_range (rng, 0, 5);

  for (guint i = 0; i < records; i++)
    {
      g_autoptr(GBytes) data = random_bytes (g_rand_int_range (rng, 0, 70000));
      g_autofree char *hex = allset_test_chunk_id (data);
      AllsetHash id;
      guint32 size = g_bytes_get_size (data);
      static const guint32 wrong_sizes[] = { 0, G_MAXUINT32, 65537 };

      g_assert_true (allset_hash_from_hex (hex, &id));
      if (g_rand_double (rng) < 0.3)
        id.bytes[g_rand_int_range (rng, 0, ALLSET_HASH_LEN)] ^= 1;
      if (g_rand_double (rng) < 0.2)
        size = g_rand_boolean (rng) ? size + 1 : wrong_sizes[g_rand_int_range (rng, 0, G_N_ELEMENTS (wrong_sizes))];
      size = GUINT32_TO_BE (size);
      g_byte_array_append (pack, id.bytes, ALLSET_HASH_LEN);
      g_byte_array_append (pack, (const guint8 *) &size, sizeof size);
      g_byte_array_append (pack, g_bytes_get_data (data, NULL), g_bytes_get_size (data));
    }
  if (pack->len > 0 && g_rand_double (rng) < 0.3)
    g_byte_array_set_size (pack, g_rand_int_range (rng, 0, pack->len));
  body = g_byte_array_free_to_bytes (pack);
  r = allset_test_request (server, NULL, "POST", "/api/v1/chunks/pack", v->token,
                           "application/octet-stream", body, NULL);
  assert_sane (r, "POST", "/api/v1/chunks/pack", round);
}

static void
fuzz_chunk_put (Valid *v,
                guint  round)
{
  g_autoptr(GBytes) data = random_bytes (g_rand_int_range (rng, 0, 300000));
  g_autofree char *hex = allset_test_chunk_id (data);
  g_autofree char *path = NULL;
  g_autoptr(AllsetTestResponse) r = NULL;

  if (g_rand_double (rng) < 0.4)
    hex[g_rand_int_range (rng, 0, ALLSET_HASH_HEX_LEN)] = "0aG/"[g_rand_int_range (rng, 0, 4)];
  path = g_strconcat ("/api/v1/chunks/", hex, NULL);
  r = allset_test_request (server, NULL, "PUT", path, v->token, "application/octet-stream", data, NULL);
  assert_sane (r, "PUT", path, round);
  if (r->status == 201)
    g_ptr_array_add (v->ids, g_steal_pointer (&hex));
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  return node;
}

static void
test_mutations (void)
{
  g_autofree char *token = allset_test_server_login_as (server, "fuzz", "fuzz", NULL);
  g_autoptr(AllsetTestContent) precious = allset_test_content_new (200 * 1024, 64 * 1024);
  g_autoptr(AllsetTestContent) small = allset_test_content_new (3000, 1000);
  g_autoptr(AllsetTestContent) after = allset_test_content_new (5000, 5000);
  g_autoptr(AllsetTestResponse) r = NULL;
  g_autofree char *precious_file_id = NULL;
  g_autofree char *commit = NULL;
  g_autofree char *chunk_list = NULL;
  const char *seed_text = g_getenv ("ALLSET_FUZZ_SEED");
  const char *rounds_text = g_getenv ("ALLSET_FUZZ_ROUNDS");
  guint32 seed = seed_text != NULL ? (guint32) g_ascii_strtoull (seed_text, NULL, 10) : (guint32) g_test_rand_int ();
  guint rounds = rounds_text != NULL ? (guint) g_ascii_strtoull (rounds_text, NULL, 10)
                 : allset_test_is_sanitized () ? DEFAULT_ROUNDS_SANITIZED : DEFAULT_ROUNDS;
  gint64 precious_revision;
  Valid v = { token };

  g_test_message ("ALLSET_FUZZ_SEED=%u ALLSET_FUZZ_ROUNDS=%u", seed, rounds);
  rng = g_rand_new_with_seed (seed);

  /* What must survive, under a name no mutation uses. */
  allset_test_upload (server, token, precious);
  allset_test_upload (server, token, small);
  g_clear_pointer (&r, allset_test_response_free);
  r = allset_test_commit (server, token, allset_test_op_put ("Keep/precious.bin", 0, precious),
                          allset_test_op_mkdir ("Docs", 0), allset_test_op_put ("Docs/a.txt", 0, small),
                          allset_test_op_put ("Docs/c.txt", 0, small), NULL);
  allset_test_assert_status (r, 200);
  g_assert_cmpint (allset_test_response_get_int (r, "results.0.status"), ==, 200);
  precious_revision = allset_test_response_get_int (r, "results.0.revision");
  precious_file_id = g_strdup (allset_test_response_get_string (r, "results.0.file_id"));
  g_clear_pointer (&r, allset_test_response_free);
  r = allset_test_post_json (server, "/api/v1/shares", token,
                             "{\"path\":\"Docs/a.txt\",\"expires_in_seconds\":86400}");
  allset_test_assert_status (r, 201);
  v.share_id = g_strdup_printf ("%" G_GINT64_FORMAT, allset_test_response_get_int (r, "id"));

  v.ids = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; small->chunk_ids[i] != NULL; i++)
    g_ptr_array_add (v.ids, g_strdup (small->chunk_ids[i]));
  chunk_list = g_strjoinv ("\",\"", small->chunk_ids);
  commit = g_strdup_printf ("{\"operations\":["
                            "{\"op\":\"mkdir\",\"path\":\"Docs/sub\",\"base_revision\":0},"
                            "{\"op\":\"put\",\"path\":\"Docs/b.txt\",\"base_revision\":0,\"chunks\":[\"%s\"],"
                            "\"size\":%" G_GSIZE_FORMAT ",\"mtime\":%d,\"executable\":false},"
                            "{\"op\":\"move\",\"path\":\"Docs/c.txt\",\"to\":\"Docs/d.txt\",\"base_revision\":4},"
                            "{\"op\":\"delete\",\"path\":\"Docs/a.txt\",\"base_revision\":3}],"
                            "\"receipts\":\"compact\"}",
                            chunk_list, small->size, ALLSET_TEST_MTIME);
  v.bodies[0] = parse (commit);
  v.paths[0] = "/api/v1/commit";
  v.bodies[1] = parse ("{\"ids\":[]}");
  json_array_add_string_element (json_object_get_array_member (json_node_get_object (v.bodies[1]), "ids"),
                                 small->chunk_ids[0]);
  v.paths[1] = "/api/v1/chunks/missing";
  v.bodies[2] = json_node_copy (v.bodies[1]);
  v.paths[2] = "/api/v1/chunks/fetch";
  v.bodies[3] = parse ("{\"paths\":[\"Docs/a.txt\",\"Docs\",\"nothing\"]}");
  v.paths[3] = "/api/v1/files";
  v.bodies[4] = parse ("{\"path\":\"Docs/a.txt\",\"revision\":3}");
  v.paths[4] = "/api/v1/versions/restore";
  v.bodies[5] = parse ("{\"path\":\"Docs/a.txt\",\"expires_in_seconds\":3600,\"max_downloads\":2}");
  v.paths[5] = "/api/v1/shares";
  v.bodies[6] = parse ("{\"expires_in_seconds\":7200,\"max_downloads\":5}");
  v.paths[6] = "/api/v1/shares/";

  for (guint round = 0; round < rounds; round++)
    {
      double kind = g_rand_double (rng);

      if (kind < 0.55)
        fuzz_json (&v, round);
      else if (kind < 0.75)
        fuzz_query (&v, round);
      else if (kind < 0.9)
        fuzz_pack (&v, round);
      else
        fuzz_chunk_put (&v, round);
    }

  g_assert_true (allset_test_server_is_running (server));

  /* Still takes a valid commit... */
  allset_test_upload (server, token, after);
  g_clear_pointer (&r, allset_test_response_free);
  r = allset_test_commit (server, token, allset_test_op_put ("Keep/after.bin", 0, after), NULL);
  allset_test_assert_status (r, 200);
  g_assert_cmpint (allset_test_response_get_int (r, "results.0.status"), ==, 200);

  /* ...and the file committed first is as it was. */
  g_clear_pointer (&r, allset_test_response_free);
  r = allset_test_get (server, "/api/v1/file?path=Keep/precious.bin", token);
  allset_test_assert_status (r, 200);
  g_assert_cmpint (allset_test_response_get_int (r, "revision"), ==, precious_revision);
  g_assert_cmpstr (allset_test_response_get_string (r, "file_id"), ==, precious_file_id);
  for (guint i = 0; precious->chunk_ids[i] != NULL; i++)
    {
      g_autofree char *path = g_strconcat ("/api/v1/chunks/", precious->chunk_ids[i], NULL);
      g_autoptr(AllsetTestResponse) chunk = allset_test_get (server, path, token);
      g_autoptr(GBytes) expected = allset_test_content_chunk (precious, i);

      allset_test_assert_status (chunk, 200);
      g_assert_true (g_bytes_equal (chunk->body, expected));
    }

  for (guint i = 0; i < G_N_ELEMENTS (v.bodies); i++)
    json_node_unref (v.bodies[i]);
  g_ptr_array_unref (v.ids);
  g_free (v.share_id);
  g_clear_pointer (&rng, g_rand_free);
}

int
main (int    argc,
      char **argv)
{
  int status;

  allset_test_init (&argc, &argv);

#if defined(__SANITIZE_ADDRESS__)
  /* LeakSanitizer watches the server here (allset-test-server.c fails on
   * its report), not this client. In one loaded CI run the client left
   * 26 small blocks (the sizes of json-glib nodes; no stack, clients
   * unwind fast) that no replay of its seeds reproduced, alone or under
   * load; what this thread allocates is not what the test is about. */
  __lsan_disable ();
#endif

  server = allset_test_server_new_full (NULL, 0);
  allset_test_server_add_accounts (server, accounts);

  g_test_add_func ("/fuzz/mutations", test_mutations);

  status = g_test_run ();
  allset_test_server_free (server);
  return status;
}
