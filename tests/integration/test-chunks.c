/* test-chunks.c — chunk upload, download, ranges, packs and partitioning
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a well-formed client meets at the chunk endpoints: which chunks
 * are missing, uploads small and large, hash mismatches and bad ids,
 * ranges, packs (and one bad record failing all of it), one account's
 * chunks invisible to another (terms R21) and wrong methods. The bodies
 * the server must refuse or cut (too large, empty, without a length,
 * truncated, running over, malformed packs) are in test-chunk-bodies.c;
 * both use chunk-test-common.c.
 */

#include <string.h>

#include "chunk-test-common.h"

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
  int status;

  allset_test_init (&argc, &argv);
  chunk_test_start ();

  g_test_add_func ("/chunks/missing", test_missing);
  g_test_add_func ("/chunks/put-small", test_put_small);
  g_test_add_func ("/chunks/put-large", test_put_large);
  g_test_add_func ("/chunks/hash-mismatch", test_hash_mismatch);
  g_test_add_func ("/chunks/bad-id", test_bad_id);
  g_test_add_func ("/chunks/range", test_range);
  g_test_add_func ("/chunks/pack", test_pack);
  g_test_add_func ("/chunks/pack-bad-record", test_pack_bad_record);
  g_test_add_func ("/chunks/partition", test_partition);
  g_test_add_func ("/chunks/wrong-method", test_wrong_method);

  status = g_test_run ();
  chunk_test_stop ();
  return status;
}
