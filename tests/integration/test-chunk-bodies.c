/* test-chunk-bodies.c — chunk bodies the server refuses or cuts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Uploads whose body is wrong as a body, whatever its bytes: over the
 * size limits (refused from the headers, before it is sent), empty,
 * without a Content-Length, cut short by a client that hangs up (cleanly
 * or not: nothing half-made is kept, the quota is untouched, the server
 * stays up), running past its Content-Length (only the announced bytes
 * count), and packs whose records do not parse. Apart from the
 * well-formed traffic of test-chunks.c; both use chunk-test-common.c.
 */

#include <string.h>

#include "chunk-test-common.h"

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

  while (allset_test_count_files (tmp_dir) > 0 && g_get_monotonic_time () < deadline)
    allset_test_iterate_for (50);
  g_assert_cmpuint (allset_test_count_files (tmp_dir), ==, 0);
  allset_test_iterate_for (300);
  g_assert_cmpuint (allset_test_count_files (tmp_dir), ==, 0);
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

int
main (int    argc,
      char **argv)
{
  int status;

  allset_test_init (&argc, &argv);
  chunk_test_start ();

  g_test_add_func ("/chunks/too-large", test_too_large);
  g_test_add_func ("/chunks/empty", test_empty);
  g_test_add_func ("/chunks/no-length", test_no_length);
  g_test_add_func ("/chunks/pack-malformed", test_pack_malformed);
  g_test_add_func ("/chunks/truncated-put", test_truncated_put);
  g_test_add_func ("/chunks/truncated-pack", test_truncated_pack);
  g_test_add_func ("/chunks/body-overrun", test_body_overrun);

  status = g_test_run ();
  chunk_test_stop ();
  return status;
}
