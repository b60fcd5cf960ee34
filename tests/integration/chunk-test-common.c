/* chunk-test-common.c — the server, accounts and requests of the chunk tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See chunk-test-common.h.
 */

#include <string.h>

#include "chunk-test-common.h"

AllsetTestServer *server;
char *alice;
char *bob;

void
chunk_test_start (void)
{
  /* Without the default bandwidth caps: the large uploads need not crawl. */
  const char *args[] = { "--bandwidth-up", "0", "--bandwidth-down", "0", NULL };

  server = allset_test_server_new_full (args, 0);
  allset_test_server_add_account (server, "alice", "password of alice", NULL);
  allset_test_server_add_account (server, "bob", "password of bob", NULL);
  alice = allset_test_server_login (server, "alice", "password of alice", "laptop", NULL);
  bob = allset_test_server_login (server, "bob", "password of bob", "laptop", NULL);
}

void
chunk_test_stop (void)
{
  g_clear_pointer (&alice, g_free);
  g_clear_pointer (&bob, g_free);
  g_clear_pointer (&server, allset_test_server_free);
}

char *
chunk_path (const char *id)
{
  return g_strdup_printf ("/api/v1/chunks/%s", id);
}

AllsetTestResponse *
put_as (const char *token,
        const char *id,
        GBytes     *data)
{
  g_autofree char *path = chunk_path (id);

  return allset_test_request (server, NULL, "PUT", path, token, "application/octet-stream", data, NULL);
}

AllsetTestResponse *
get_chunk (const char *token,
           const char *id,
           const char *range)
{
  g_autofree char *path = chunk_path (id);
  const char *headers[] = { "Range", range, NULL };

  return allset_test_request (server, NULL, "GET", path, token, NULL, NULL, range ? headers : NULL);
}

/* POST /chunks/missing with ids; returns the response. */
AllsetTestResponse *
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

gboolean
is_missing (const char *token,
            const char *id)
{
  const char *ids[] = { id, NULL };
  g_autoptr(AllsetTestResponse) r = ask_missing (token, ids);

  allset_test_assert_status (r, 200);
  return allset_test_response_get_length (r, "missing") == 1;
}

void
assert_chunk_is (const char *token,
                 const char *id,
                 GBytes     *data)
{
  g_autoptr(AllsetTestResponse) r = get_chunk (token, id, NULL);

  allset_test_assert_status (r, 200);
  g_assert_cmpstr (allset_test_response_header (r, "Content-Type"), ==, "application/octet-stream");
  g_assert_true (g_bytes_equal (r->body, data));
}

void
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
GBytes *
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

AllsetTestResponse *
post_pack (const char *token,
           GBytes     *pack)
{
  return allset_test_request (server, NULL, "POST", "/api/v1/chunks/pack", token,
                              "application/x-allset-pack", pack, NULL);
}

GPtrArray *
random_chunks (guint n,
               gsize min_size,
               gsize max_size)
{
  GPtrArray *chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (chunks, allset_test_random_bytes (g_test_rand_int_range (min_size, max_size + 1)));
  return chunks;
}

GStrv
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
