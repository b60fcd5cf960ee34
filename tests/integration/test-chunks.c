/* test-chunks.c — chunk upload, download, ranges, packs and partitioning
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "allset-test-server.h"

static AllsetTestServer *server;
static char *alice;   /* tokens */
static char *bob;

static char *
chunk_path (const char *id)
{
  return g_strdup_printf ("/api/v1/chunks/%s", id);
}

static AllsetTestResponse *
put_as (const char *token,
        const char *id,
        GBytes     *data)
{
  g_autofree char *path = chunk_path (id);

  return allset_test_request (server, NULL, "PUT", path, token, "application/octet-stream", data, NULL);
}

static AllsetTestResponse *
get_chunk (const char *token,
           const char *id,
           const char *range)
{
  g_autofree char *path = chunk_path (id);
  const char *headers[] = { "Range", range, NULL };

  return allset_test_request (server, NULL, "GET", path, token, NULL, NULL, range ? headers : NULL);
}

/* POST /chunks/missing with ids; returns the response. */
static AllsetTestResponse *
ask_missing (const char        *token,
             const char *const *ids)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *body = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "chunks");
  json_builder_begin_array (b);
  for (guint i = 0; ids[i] != NULL; i++)
    json_builder_add_string_value (b, ids[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  body = json_to_string (root, FALSE);

  return allset_test_post_json (server, "/api/v1/chunks/missing", token, body);
}

static gboolean
is_missing (const char *token,
            const char *id)
{
  const char *ids[] = { id, NULL };
  g_autoptr(AllsetTestResponse) r = ask_missing (token, ids);

  allset_test_assert_status (r, 200);
  return allset_test_response_get_length (r, "missing") == 1;
}

static void
assert_chunk_is (const char *token,
                 const char *id,
                 GBytes     *data)
{
  g_autoptr(AllsetTestResponse) r = get_chunk (token, id, NULL);

  allset_test_assert_status (r, 200);
  g_assert_cmpstr (allset_test_response_header (r, "Content-Type"), ==, "application/octet-stream");
  g_assert_true (g_bytes_equal (r->body, data));
}

static void
assert_stored (AllsetTestResponse *r,
               guint               status,
               const char         *id,
               gsize               size)
{
  allset_test_assert_status (r, status);
  g_assert_cmpstr (allset_test_response_get_string (r, "id"), ==, id);
  g_assert_cmpint (allset_test_response_get_int (r, "size"), ==, size);
}

/* Records [32-byte id][4-byte big-endian length][bytes]; the record at
 * bad_index (if any) carries the id of other bytes. */
static GBytes *
make_pack (GPtrArray *chunks,
           guint      bad_index)
{
  GByteArray *pack = g_byte_array_new ();

  for (guint i = 0; i < chunks->len; i++)
    {
      GBytes *chunk = g_ptr_array_index (chunks, i);
      gsize len;
      const guint8 *data = g_bytes_get_data (chunk, &len);
      guint32 be_len = GUINT32_TO_BE ((guint32) len);
      AllsetHash id;

      allset_sha256 (data, len, &id);
      if (i == bad_index)
        id.bytes[0] ^= 0xff;
      g_byte_array_append (pack, id.bytes, sizeof id.bytes);
      g_byte_array_append (pack, (const guint8 *) &be_len, 4);
      g_byte_array_append (pack, data, len);
    }

  return g_byte_array_free_to_bytes (pack);
}

static AllsetTestResponse *
post_pack (const char *token,
           GBytes     *pack)
{
  return allset_test_request (server, NULL, "POST", "/api/v1/chunks/pack", token,
                              "application/x-allset-pack", pack, NULL);
}

static GPtrArray *
random_chunks (guint n,
               gsize min_size,
               gsize max_size)
{
  GPtrArray *chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (chunks, allset_test_random_bytes (g_test_rand_int_range (min_size, max_size + 1)));
  return chunks;
}

static GStrv
ids_of (GPtrArray *chunks)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < chunks->len; i++)
    {
      g_autofree char *id = allset_test_chunk_id (g_ptr_array_index (chunks, i));

      g_strv_builder_add (builder, id);
    }
  return g_strv_builder_end (builder);
}

/* ------------------------------------------------------------------ */

static void
test_missing (void)
{
  g_autoptr(GBytes) held = allset_test_random_bytes (1000);
  g_autoptr(GBytes) b = allset_test_random_bytes (1001);
  g_autoptr(GBytes) c = allset_test_random_bytes (1002);
  g_autofree char *held_id = allset_test_chunk_id (held);
  g_autofree char *b_id = allset_test_chunk_id (b);
  g_autofree char *c_id = allset_test_chunk_id (c);
  g_autoptr(AllsetTestResponse) put = allset_test_put_chunk (server, alice, held);
  const char *query[] = { c_id, held_id, b_id, NULL };
  const char *none[] = { NULL };
  g_autofree char *upper = g_ascii_strup (b_id, -1);
  const char *bad[] = { held_id, upper, NULL };
  g_autoptr(AllsetTestResponse) r = NULL, empty = NULL, invalid = NULL, too_many = NULL;
  GString *many = g_string_new ("{\"chunks\": [");
  g_autofree char *many_body = NULL;

  assert_stored (put, 201, held_id, 1000);

  r = ask_missing (alice, query);
  allset_test_assert_status (r, 200);
  g_assert_cmpuint (allset_test_response_get_length (r, "missing"), ==, 2);
  /* In request order. */
  g_assert_cmpstr (allset_test_response_get_string (r, "missing.0"), ==, c_id);
  g_assert_cmpstr (allset_test_response_get_string (r, "missing.1"), ==, b_id);

  empty = ask_missing (alice, none);
  allset_test_assert_status (empty, 200);
  g_assert_cmpuint (allset_test_response_get_length (empty, "missing"), ==, 0);

  invalid = ask_missing (alice, bad);
  allset_test_assert_error (invalid, 400, "bad_request");

  for (guint i = 0; i < 10001; i++)
    g_string_append_printf (many, "%s\"%s\"", i > 0 ? "," : "", b_id);
  g_string_append (many, "]}");
  many_body = g_string_free (many, FALSE);
  too_many = allset_test_post_json (server, "/api/v1/chunks/missing", alice, many_body);
  allset_test_assert_error (too_many, 413, "payload_too_large");
}

static void
test_put_small (void)
{
  g_autoptr(GBytes) data = allset_test_random_bytes (1000);
  g_autoptr(GBytes) one = g_bytes_new_static ("x", 1);
  g_autofree char *id = allset_test_chunk_id (data);
  g_autofree char *one_id = allset_test_chunk_id (one);
  g_autoptr(AllsetTestResponse) first = NULL, again = NULL, tiny = NULL;

  g_assert_true (is_missing (alice, id));
  first = put_as (alice, id, data);
  assert_stored (first, 201, id, 1000);
  again = put_as (alice, id, data);
  assert_stored (again, 200, id, 1000);
  g_assert_false (is_missing (alice, id));
  assert_chunk_is (alice, id, data);

  tiny = put_as (alice, one_id, one);
  assert_stored (tiny, 201, one_id, 1);
  assert_chunk_is (alice, one_id, one);
}

static void
test_put_large (void)
{
  const gsize sizes[] = { 64 * 1024, 64 * 1024 + 1, 100 * 1024, 4 * 1024 * 1024 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GBytes) data = allset_test_random_bytes (sizes[i]);
      g_autofree char *id = allset_test_chunk_id (data);
      g_autoptr(AllsetTestResponse) first = put_as (alice, id, data);
      g_autoptr(AllsetTestResponse) again = put_as (alice, id, data);

      assert_stored (first, 201, id, sizes[i]);
      assert_stored (again, 200, id, sizes[i]);
      g_assert_false (is_missing (alice, id));
      assert_chunk_is (alice, id, data);
    }
}

static void
test_hash_mismatch (void)
{
  const gsize sizes[] = { 500, 200 * 1024 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GBytes) announced = allset_test_random_bytes (sizes[i]);
      g_autoptr(GBytes) sent = allset_test_random_bytes (sizes[i]);
      g_autofree char *id = allset_test_chunk_id (announced);
      g_autoptr(AllsetTestResponse) r = put_as (alice, id, sent);
      g_autoptr(AllsetTestResponse) get = get_chunk (alice, id, NULL);

      allset_test_assert_error (r, 422, "hash_mismatch");
      g_assert_true (is_missing (alice, id));
      allset_test_assert_error (get, 404, "not_found");
    }
}

static void
test_bad_id (void)
{
  g_autoptr(GBytes) data = allset_test_random_bytes (100);
  g_autofree char *id = allset_test_chunk_id (data);
  g_autofree char *upper = g_ascii_strup (id, -1);
  g_autofree char *short_id = g_strndup (id, 63);
  g_autofree char *long_id = g_strconcat (id, "0", NULL);
  g_autofree char *non_hex = g_strdup (id);
  const char *bad[] = { upper, short_id, long_id, non_hex, "x" };

  non_hex[10] = 'g';
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(AllsetTestResponse) put = put_as (alice, bad[i], data);
      g_autoptr(AllsetTestResponse) get = get_chunk (alice, bad[i], NULL);

      allset_test_assert_error (put, 400, "bad_request");
      allset_test_assert_error (get, 400, "bad_request");
    }
  g_assert_true (is_missing (alice, id));
}

static void
test_too_large (void)
{
  g_autoptr(GBytes) data = allset_test_random_bytes (4 * 1024 * 1024 + 1);
  g_autofree char *id = allset_test_chunk_id (data);
  g_autoptr(AllsetTestResponse) r = put_as (alice, id, data);
  g_autofree char *head = g_strdup_printf ("PUT /api/v1/chunks/%s HTTP/1.1\r\n"
                                           "Host: 127.0.0.1\r\n"
                                           "Authorization: Bearer %s\r\n"
                                           "Content-Type: application/octet-stream\r\n"
                                           "Expect: 100-continue\r\n"
                                           "Content-Length: %u\r\n\r\n",
                                           id, alice, 4 * 1024 * 1024 + 1);
  g_autofree char *pack_head = g_strdup_printf ("POST /api/v1/chunks/pack HTTP/1.1\r\n"
                                                "Host: 127.0.0.1\r\n"
                                                "Authorization: Bearer %s\r\n"
                                                "Content-Type: application/x-allset-pack\r\n"
                                                "Expect: 100-continue\r\n"
                                                "Content-Length: %u\r\n\r\n",
                                                alice, 16 * 1024 * 1024 + 1);
  g_autofree char *raw = allset_test_raw_request (server, head, NULL, 0, 10);
  g_autofree char *raw_pack = allset_test_raw_request (server, pack_head, NULL, 0, 10);

  allset_test_assert_error (r, 413, "payload_too_large");
  g_assert_true (is_missing (alice, id));

  /* Refused from the headers, before any of the body was sent. */
  g_assert_cmpuint (allset_test_raw_status (raw), ==, 413);
  g_assert_nonnull (strstr (raw, "\"payload_too_large\""));
  g_assert_cmpuint (allset_test_raw_status (raw_pack), ==, 413);
  g_assert_nonnull (strstr (raw_pack, "\"payload_too_large\""));
}

static void
test_empty (void)
{
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autofree char *id = allset_test_chunk_id (empty);
  g_autoptr(AllsetTestResponse) r = put_as (alice, id, empty);
  g_autoptr(AllsetTestResponse) no_body = allset_test_request (server, NULL, "PUT", "/api/v1/chunks/"
                                                               "e3b0c44298fc1c149afbf4c8996fb924"
                                                               "27ae41e4649b934ca495991b7852b855",
                                                               alice, NULL, NULL, NULL);

  allset_test_assert_error (r, 400, "bad_request");
  allset_test_assert_error (no_body, 400, "bad_request");
}

static void
test_no_length (void)
{
  g_autoptr(GBytes) data = allset_test_random_bytes (10);
  g_autofree char *id = allset_test_chunk_id (data);
  g_autofree char *head = g_strdup_printf ("PUT /api/v1/chunks/%s HTTP/1.1\r\n"
                                           "Host: 127.0.0.1\r\n"
                                           "Authorization: Bearer %s\r\n"
                                           "Content-Type: application/octet-stream\r\n"
                                           "Transfer-Encoding: chunked\r\n\r\n"
                                           "a\r\n",
                                           id, alice);
  g_autofree char *body = g_malloc (10 + 7);
  g_autofree char *raw = NULL;

  memcpy (body, g_bytes_get_data (data, NULL), 10);
  memcpy (body + 10, "\r\n0\r\n\r\n", 7);
  raw = allset_test_raw_request (server, head, body, 17, 10);

  g_assert_cmpuint (allset_test_raw_status (raw), ==, 411);
  g_assert_nonnull (strstr (raw, "\"length_required\""));
  g_assert_true (is_missing (alice, id));
}

static void
assert_range (const char *id,
              GBytes     *data,
              const char *range,
              gsize       start,
              gsize       end)
{
  g_autoptr(AllsetTestResponse) r = get_chunk (alice, id, range);
  g_autoptr(GBytes) expected = g_bytes_new_from_bytes (data, start, end - start + 1);
  g_autofree char *content_range = g_strdup_printf ("bytes %" G_GSIZE_FORMAT "-%" G_GSIZE_FORMAT
                                                    "/%" G_GSIZE_FORMAT, start, end, g_bytes_get_size (data));

  allset_test_assert_status (r, 206);
  g_assert_cmpstr (allset_test_response_header (r, "Content-Range"), ==, content_range);
  g_assert_true (g_bytes_equal (r->body, expected));
}

static void
test_range (void)
{
  const gsize sizes[] = { 1000, 100 * 1024 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      gsize n = sizes[i];
      g_autoptr(GBytes) data = allset_test_random_bytes (n);
      g_autofree char *id = allset_test_chunk_id (data);
      g_autoptr(AllsetTestResponse) put = put_as (alice, id, data);
      g_autoptr(AllsetTestResponse) whole = get_chunk (alice, id, NULL);
      g_autofree char *past = g_strdup_printf ("bytes=%" G_GSIZE_FORMAT "-", n);
      g_autofree char *past_end = g_strdup_printf ("bytes=%" G_GSIZE_FORMAT "-%" G_GSIZE_FORMAT, n, n + 10);
      g_autofree char *unsatisfiable = g_strdup_printf ("bytes */%" G_GSIZE_FORMAT, n);
      const char *bad[] = { past, past_end, "bytes=0-1,5-6", "bytes=5-2", "bytes=-0", "bytes=x-1", "lines=0-1" };

      assert_stored (put, 201, id, n);
      allset_test_assert_status (whole, 200);
      g_assert_cmpstr (allset_test_response_header (whole, "Accept-Ranges"), ==, "bytes");

      assert_range (id, data, "bytes=0-99", 0, 99);
      assert_range (id, data, "bytes=100-", 100, n - 1);
      assert_range (id, data, "bytes=-50", n - 50, n - 1);
      assert_range (id, data, "bytes=10-10", 10, 10);
      /* An end past the last byte is cut to it. */
      {
        g_autofree char *beyond = g_strdup_printf ("bytes=%" G_GSIZE_FORMAT "-%" G_GSIZE_FORMAT, n - 5, n + 100);

        g_autofree char *longer = g_strdup_printf ("bytes=-%" G_GSIZE_FORMAT, n + 1000);

        assert_range (id, data, beyond, n - 5, n - 1);
        /* A suffix longer than the chunk is all of it. */
        assert_range (id, data, longer, 0, n - 1);
      }

      for (guint j = 0; j < G_N_ELEMENTS (bad); j++)
        {
          g_autoptr(AllsetTestResponse) r = get_chunk (alice, id, bad[j]);

          allset_test_assert_error (r, 416, "range_not_satisfiable");
          g_assert_cmpstr (allset_test_response_header (r, "Content-Range"), ==, unsatisfiable);
        }
    }
}

static void
test_pack (void)
{
  g_autoptr(GPtrArray) chunks = random_chunks (50, 1, 4000);
  g_autoptr(GBytes) pack = NULL;
  g_auto(GStrv) ids = NULL;
  g_autoptr(AllsetTestResponse) r = NULL, missing = NULL, again = NULL;
  g_autoptr(GBytes) biggest = allset_test_random_bytes (64 * 1024);

  g_ptr_array_add (chunks, g_bytes_ref (biggest));
  pack = make_pack (chunks, G_MAXUINT);
  ids = ids_of (chunks);

  r = post_pack (alice, pack);
  allset_test_assert_status (r, 200);
  g_assert_cmpint (allset_test_response_get_int (r, "stored"), ==, chunks->len);

  missing = ask_missing (alice, (const char *const *) ids);
  allset_test_assert_status (missing, 200);
  g_assert_cmpuint (allset_test_response_get_length (missing, "missing"), ==, 0);
  for (guint i = 0; i < chunks->len; i++)
    assert_chunk_is (alice, ids[i], g_ptr_array_index (chunks, i));

  /* Sending it again is harmless. */
  again = post_pack (alice, pack);
  allset_test_assert_status (again, 200);
  assert_chunk_is (alice, ids[3], g_ptr_array_index (chunks, 3));
}

static void
test_pack_bad_record (void)
{
  g_autoptr(GPtrArray) chunks = random_chunks (10, 10, 2000);
  g_autoptr(GBytes) pack = make_pack (chunks, 4);
  g_auto(GStrv) ids = ids_of (chunks);
  g_autoptr(AllsetTestResponse) r = post_pack (alice, pack);
  g_autoptr(AllsetTestResponse) missing = ask_missing (alice, (const char *const *) ids);

  allset_test_assert_error (r, 422, "hash_mismatch");
  g_assert_cmpint (allset_test_response_get_int (r, "error.index"), ==, 4);

  /* All or nothing: not even the good records before the bad one. */
  allset_test_assert_status (missing, 200);
  g_assert_cmpuint (allset_test_response_get_length (missing, "missing"), ==, chunks->len);
}

static void
test_pack_malformed (void)
{
  g_autoptr(GPtrArray) chunks = random_chunks (5, 10, 500);
  g_autoptr(GBytes) pack = make_pack (chunks, G_MAXUINT);
  g_auto(GStrv) ids = ids_of (chunks);
  gsize len = g_bytes_get_size (pack);
  const guint8 *data = g_bytes_get_data (pack, NULL);
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(GBytes) cut_body = g_bytes_new (data, len - 1);
  g_autoptr(GBytes) cut_header = g_bytes_new (data, 36 + g_bytes_get_size (g_ptr_array_index (chunks, 0)) + 10);
  g_autoptr(GByteArray) zero_len = g_byte_array_new ();
  g_autoptr(GByteArray) over_len = g_byte_array_new ();
  g_autoptr(GBytes) zero = NULL, over = NULL;
  guint8 record[36] = { 0 };
  guint32 big = GUINT32_TO_BE (64 * 1024 + 1);
  g_autoptr(GBytes) big_data = allset_test_random_bytes (64 * 1024 + 1);

  g_byte_array_append (zero_len, data, len);
  g_byte_array_append (zero_len, record, 36);
  zero = g_bytes_new (zero_len->data, zero_len->len);

  g_byte_array_append (over_len, data, len);
  memcpy (record + 32, &big, 4);
  g_byte_array_append (over_len, record, 36);
  g_byte_array_append (over_len, g_bytes_get_data (big_data, NULL), 64 * 1024 + 1);
  over = g_bytes_new (over_len->data, over_len->len);

  {
    GBytes *bodies[] = { empty, cut_body, cut_header, zero, over };

    for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
      {
        g_autoptr(AllsetTestResponse) r = post_pack (alice, bodies[i]);
        g_autoptr(AllsetTestResponse) missing = ask_missing (alice, (const char *const *) ids);

        allset_test_assert_error (r, 400, "bad_request");
        g_assert_cmpuint (allset_test_response_get_length (missing, "missing"), ==, chunks->len);
      }
  }
}

/* Terms R21: no cross-account deduplication, no existence oracle. */
static void
test_partition (void)
{
  g_autoptr(GBytes) small = allset_test_random_bytes (3000);
  g_autoptr(GBytes) large = allset_test_random_bytes (300 * 1024);
  GBytes *chunks[] = { small, large };

  for (guint i = 0; i < G_N_ELEMENTS (chunks); i++)
    {
      g_autofree char *id = allset_test_chunk_id (chunks[i]);
      g_autoptr(AllsetTestResponse) put = put_as (alice, id, chunks[i]);
      g_autoptr(AllsetTestResponse) get = get_chunk (bob, id, NULL);
      g_autoptr(AllsetTestResponse) range = get_chunk (bob, id, "bytes=0-9");
      g_autoptr(AllsetTestResponse) bob_put = NULL;
      g_autoptr(AllsetTestResponse) absent = NULL;
      g_autofree char *absent_id = g_strnfill (64, 'a');

      assert_stored (put, 201, id, g_bytes_get_size (chunks[i]));
      allset_test_assert_error (get, 404, "not_found");
      allset_test_assert_error (range, 404, "not_found");
      /* Exactly as for a chunk nobody has. */
      absent = get_chunk (bob, absent_id, NULL);
      g_assert_true (g_bytes_equal (get->body, absent->body));
      g_assert_true (is_missing (bob, id));

      /* Bob's upload is a real upload, not a link to Alice's bytes. */
      bob_put = put_as (bob, id, chunks[i]);
      assert_stored (bob_put, 201, id, g_bytes_get_size (chunks[i]));
      assert_chunk_is (bob, id, chunks[i]);
      assert_chunk_is (alice, id, chunks[i]);
    }
}

/* Bodies cut short or running past their Content-Length ---------------- */

static char *
upload_head (const char *method,
             const char *path,
             gsize       length,
             gboolean    close)
{
  return g_strdup_printf ("%s %s HTTP/1.1\r\n"
                          "Host: 127.0.0.1\r\n"
                          "Authorization: Bearer %s\r\n"
                          "Content-Type: application/octet-stream\r\n"
                          "%s"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\n\r\n",
                          method, path, alice, close ? "Connection: close\r\n" : "", length);
}

/* Sends head and the first n_sent bytes of body, then hangs up: with a TLS
 * close_notify, or (abrupt) by closing the socket under the TLS layer. */
static void
send_and_hang_up (const char *head,
                  GBytes     *body,
                  gsize       n_sent,
                  gboolean    abrupt)
{
  g_autoptr(GIOStream) connection = allset_test_raw_connect (server, 10);
  GOutputStream *out = g_io_stream_get_output_stream (connection);
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (n_sent, <, g_bytes_get_size (body));
  g_output_stream_write_all (out, head, strlen (head), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (out, g_bytes_get_data (body, NULL), n_sent, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_flush (out, NULL, &error);
  g_assert_no_error (error);

  if (abrupt)
    g_socket_close (g_socket_connection_get_socket (G_SOCKET_CONNECTION (connection)), &error);
  else
    g_io_stream_close (connection, NULL, &error);
  g_assert_no_error (error);
}

static gint64
used_of (const char *token)
{
  g_autoptr(AllsetTestResponse) r = allset_test_get (server, "/api/v1/account", token);

  allset_test_assert_status (r, 200);
  return allset_test_response_get_int (r, "used");
}

static guint
count_files (const char *dir_path)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* The server is up, and the chunk store's temporary directory is empty and
 * stays so: a writer that was still busy would show within the wait. */
static void
assert_healthy_and_clean (void)
{
  g_autoptr(AllsetTestResponse) status = allset_test_get (server, "/api/v1/status", NULL);
  g_autofree char *tmp_dir = allset_test_server_data_path (server, "chunks/tmp");
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  allset_test_assert_status (status, 200);
  g_assert_true (allset_test_server_is_running (server));

  while (count_files (tmp_dir) > 0 && g_get_monotonic_time () < deadline)
    allset_test_iterate_for (50);
  g_assert_cmpuint (count_files (tmp_dir), ==, 0);
  allset_test_iterate_for (300);
  g_assert_cmpuint (count_files (tmp_dir), ==, 0);
}

static void
test_truncated_put (void)
{
  g_autoptr(GBytes) data = allset_test_random_bytes (1024 * 1024);
  g_autofree char *id = allset_test_chunk_id (data);
  g_autofree char *path = chunk_path (id);
  g_autofree char *head = upload_head ("PUT", path, g_bytes_get_size (data), FALSE);
  g_autoptr(AllsetTestResponse) r = NULL;
  gint64 used = used_of (alice);

  send_and_hang_up (head, data, g_bytes_get_size (data) / 2, FALSE);
  assert_healthy_and_clean ();
  g_assert_true (is_missing (alice, id));

  send_and_hang_up (head, data, g_bytes_get_size (data) / 2, TRUE);
  assert_healthy_and_clean ();
  g_assert_true (is_missing (alice, id));
  g_assert_cmpint (used_of (alice), ==, used);

  /* Nothing half-made stands in the way of the whole chunk. */
  r = put_as (alice, id, data);
  assert_stored (r, 201, id, g_bytes_get_size (data));
  assert_chunk_is (alice, id, data);
}

static void
test_truncated_pack (void)
{
  g_autoptr(GPtrArray) chunks = random_chunks (20, 1000, 60 * 1024);
  g_autoptr(GBytes) pack = make_pack (chunks, G_MAXUINT);
  g_auto(GStrv) ids = ids_of (chunks);
  g_autofree char *head = upload_head ("POST", "/api/v1/chunks/pack", g_bytes_get_size (pack), FALSE);
  gint64 used = used_of (alice);

  /* Half the pack holds several whole records: none of them is kept. */
  for (guint abrupt = 0; abrupt < 2; abrupt++)
    {
      g_autoptr(AllsetTestResponse) missing = NULL;

      send_and_hang_up (head, pack, g_bytes_get_size (pack) / 2, abrupt);
      assert_healthy_and_clean ();
      missing = ask_missing (alice, (const char *const *) ids);
      allset_test_assert_status (missing, 200);
      g_assert_cmpuint (allset_test_response_get_length (missing, "missing"), ==, chunks->len);
    }
  g_assert_cmpint (used_of (alice), ==, used);
}

/* Bytes after the announced length are not the body's: the chunk is the
 * first Content-Length bytes. "Connection: close" makes the server hang up
 * after its answer rather than wait for the rest to become a request (a
 * request pipelined behind a chunk upload over TLS goes unanswered today:
 * a known gap, not what this case is about). */
static void
test_body_overrun (void)
{
  static const char extra[] = "trailing bytes, not part of the body";
  g_autoptr(GBytes) data = allset_test_random_bytes (100 * 1024);
  gsize len = g_bytes_get_size (data);
  g_autofree char *id = allset_test_chunk_id (data);
  g_autofree char *path = chunk_path (id);
  g_autofree char *head = upload_head ("PUT", path, len, TRUE);
  g_autofree guint8 *sent = g_malloc (len + strlen (extra));
  g_autoptr(GBytes) whole = NULL;
  g_autofree char *whole_id = NULL;
  g_autofree char *whole_path = NULL;
  g_autofree char *whole_head = NULL;
  g_autofree char *raw = NULL;
  g_autofree char *raw_whole = NULL;

  memcpy (sent, g_bytes_get_data (data, NULL), len);
  memcpy (sent + len, extra, strlen (extra));

  /* The first len bytes hash right: stored, exactly those. */
  raw = allset_test_raw_request (server, head, sent, len + strlen (extra), 10);
  g_assert_cmpuint (allset_test_raw_status (raw), ==, 201);
  assert_chunk_is (alice, id, data);

  /* Named after all the bytes sent, but only len of them are the body. */
  whole = g_bytes_new (sent, len + strlen (extra));
  whole_id = allset_test_chunk_id (whole);
  whole_path = chunk_path (whole_id);
  whole_head = upload_head ("PUT", whole_path, len, TRUE);
  raw_whole = allset_test_raw_request (server, whole_head, sent, len + strlen (extra), 10);
  g_assert_cmpuint (allset_test_raw_status (raw_whole), ==, 422);
  g_assert_nonnull (strstr (raw_whole, "\"hash_mismatch\""));
  g_assert_true (is_missing (alice, whole_id));

  assert_healthy_and_clean ();
}

static void
test_wrong_method (void)
{
  g_autofree char *id = g_strnfill (64, 'b');
  g_autofree char *path = chunk_path (id);
  g_autoptr(AllsetTestResponse) del = allset_test_delete (server, path, alice);
  g_autoptr(AllsetTestResponse) pack_get = allset_test_get (server, "/api/v1/chunks/pack", alice);
  g_autoptr(AllsetTestResponse) missing_get = allset_test_get (server, "/api/v1/chunks/missing", alice);

  allset_test_assert_error (del, 405, "method_not_allowed");
  /* "pack" and "missing" are not chunk ids. */
  allset_test_assert_error (pack_get, 400, "bad_request");
  allset_test_assert_error (missing_get, 400, "bad_request");
}

int
main (int    argc,
      char **argv)
{
  const char *args[] = { "--bandwidth-up", "0", "--bandwidth-down", "0", NULL };
  int status;

  allset_test_init (&argc, &argv);

  server = allset_test_server_new_full (args, 0);
  allset_test_server_add_account (server, "alice", "password of alice", NULL);
  allset_test_server_add_account (server, "bob", "password of bob", NULL);
  alice = allset_test_server_login (server, "alice", "password of alice", "laptop", NULL);
  bob = allset_test_server_login (server, "bob", "password of bob", "laptop", NULL);

  g_test_add_func ("/chunks/missing", test_missing);
  g_test_add_func ("/chunks/put-small", test_put_small);
  g_test_add_func ("/chunks/put-large", test_put_large);
  g_test_add_func ("/chunks/hash-mismatch", test_hash_mismatch);
  g_test_add_func ("/chunks/bad-id", test_bad_id);
  g_test_add_func ("/chunks/too-large", test_too_large);
  g_test_add_func ("/chunks/empty", test_empty);
  g_test_add_func ("/chunks/no-length", test_no_length);
  g_test_add_func ("/chunks/range", test_range);
  g_test_add_func ("/chunks/pack", test_pack);
  g_test_add_func ("/chunks/pack-bad-record", test_pack_bad_record);
  g_test_add_func ("/chunks/pack-malformed", test_pack_malformed);
  g_test_add_func ("/chunks/partition", test_partition);
  g_test_add_func ("/chunks/truncated-put", test_truncated_put);
  g_test_add_func ("/chunks/truncated-pack", test_truncated_pack);
  g_test_add_func ("/chunks/body-overrun", test_body_overrun);
  g_test_add_func ("/chunks/wrong-method", test_wrong_method);

  status = g_test_run ();
  g_free (alice);
  g_free (bob);
  allset_test_server_free (server);
  return status;
}
