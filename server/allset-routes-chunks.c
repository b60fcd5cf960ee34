/* allset-routes-chunks.c — upload, pack, query and download chunks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server re-hashes every byte it receives and stores nothing that does
 * not match its id. Routes run in worker threads (see allset-server.c).
 */

#include "allset-server-private.h"

#define MAX_MISSING_QUERY 10000

static AllsetHttpResponse *
invalid_id (const char *text)
{
  return allset_http_response_new_error (ALLSET_ERROR_BAD_REQUEST,
                                         "A chunk id is 64 lowercase hexadecimal digits");
}

/* Refuses uploads once the account is full: they could never be committed. */
static AllsetHttpResponse *
check_quota (AllsetServer  *server,
             AllsetAccount *account,
             gsize          incoming)
{
  guint64 used;

  if (account->quota == 0)
    return NULL;

  used = allset_store_account_usage (allset_server_get_store (server), account->id);
  if (used + incoming <= account->quota)
    return NULL;

  return allset_http_response_new_error (ALLSET_ERROR_QUOTA_EXCEEDED,
                                         "The account's storage quota is used up");
}

AllsetHttpResponse *
allset_route_chunks_missing (AllsetServer      *server,
                             AllsetHttpRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GArray) missing = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  JsonArray *array;
  guint n;

  body = allset_http_request_json (request, &error);
  if (body == NULL || !allset_json_get_array (body, "chunks", &array, &error))
    return allset_http_response_new_gerror (error);

  n = json_array_get_length (array);
  if (n > MAX_MISSING_QUERY)
    return allset_http_response_new_error (ALLSET_ERROR_PAYLOAD_TOO_LARGE,
                                           "Ask about at most 10000 chunks at a time");

  ids = g_array_sized_new (FALSE, FALSE, sizeof (AllsetHash), n);
  g_array_set_size (ids, n);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      const char *hex = JSON_NODE_HOLDS_VALUE (node) &&
                        json_node_get_value_type (node) == G_TYPE_STRING
                        ? json_node_get_string (node) : NULL;

      if (hex == NULL || !allset_hash_from_hex (hex, &g_array_index (ids, AllsetHash, i)))
        return invalid_id (hex);
    }

  missing = allset_store_chunks_missing (allset_server_get_store (server), request->account->id,
                                         (const AllsetHash *) ids->data, n);

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "missing");
  json_builder_begin_array (b);
  for (guint i = 0; missing != NULL && i < missing->len; i++)
    {
      char hex[ALLSET_HASH_HEX_LEN + 1];

      allset_hash_to_hex_buf (&g_array_index (ids, AllsetHash, g_array_index (missing, guint, i)), hex);
      json_builder_add_string_value (b, hex);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return allset_http_response_new_object (SOUP_STATUS_OK, b);
}

static AllsetHttpResponse *
stored_response (guint       status,
                 const char *hex,
                 gsize       size)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, hex);
  json_builder_set_member_name (b, "size");
  json_builder_add_int_value (b, size);
  json_builder_end_object (b);
  return allset_http_response_new_object (status, b);
}

AllsetHttpResponse *
allset_route_chunk_put (AllsetServer      *server,
                        AllsetHttpRequest *request)
{
  AllsetStore *store = allset_server_get_store (server);
  gint64 account_id = request->account->id;
  g_autoptr(GError) error = NULL;
  AllsetHttpResponse *refused;
  AllsetHash id, actual;
  gsize len = g_bytes_get_size (request->body);

  if (!allset_hash_from_hex (request->param, &id))
    return invalid_id (request->param);

  if (len == 0 || len > ALLSET_CHUNK_MAX)
    return allset_http_response_new_error (ALLSET_ERROR_BAD_REQUEST,
                                           "A chunk holds 1 byte to 4 MiB");

  allset_sha256 (g_bytes_get_data (request->body, NULL), len, &actual);
  if (!allset_hash_equal (&id, &actual))
    return allset_http_response_new_error (ALLSET_ERROR_HASH_MISMATCH,
                                           "The bytes received do not hash to this chunk id; nothing was stored");

  if (allset_store_chunk_has (store, account_id, &id))
    return stored_response (SOUP_STATUS_OK, request->param, len);

  if ((refused = check_quota (server, request->account, len)) != NULL)
    return refused;

  /* The row is written only once the bytes are durable, so a registered
   * chunk always has its bytes, even after a crash in between. */
  if (len <= ALLSET_SMALL_CHUNK_MAX)
    {
      if (!allset_store_chunk_add (store, account_id, &id, len, request->body, &error))
        return allset_http_response_new_gerror (error);
    }
  else if (!allset_segments_put (allset_server_get_segments (server), account_id, &id,
                                 request->body, request->body_block, &error))
    return allset_http_response_new_gerror (error);

  return stored_response (SOUP_STATUS_CREATED, request->param, len);
}

/* The pack goes to the chunk store as it came, once every record is
 * checked: its records are the pack file's format (allset-chunk-store.h),
 * so one write stores them all and the registry only keeps offsets. */
AllsetHttpResponse *
allset_route_chunk_pack (AllsetServer      *server,
                         AllsetHttpRequest *request)
{
  AllsetStore *store = allset_server_get_store (server);
  gint64 account_id = request->account->id;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) chunks = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  AllsetHttpResponse *refused;
  gsize len;
  const guint8 *data = g_bytes_get_data (request->body, &len);
  gsize offset = 0;
  gsize total = 0;
  gint64 pack_id;

  chunks = g_array_new (FALSE, FALSE, sizeof (AllsetPackedChunk));

  while (offset < len)
    {
      AllsetPackedChunk chunk;
      AllsetHash actual;
      guint32 size;

      if (len - offset < ALLSET_PACK_RECORD_HEADER)
        break;

      memcpy (chunk.id.bytes, data + offset, ALLSET_HASH_LEN);
      /* Records are not aligned: no direct 32-bit load. */
      memcpy (&size, data + offset + ALLSET_HASH_LEN, sizeof size);
      size = GUINT32_FROM_BE (size);

      /* offset stays at this record, so a bad one is never "the end". */
      if (size == 0 || size > ALLSET_SMALL_CHUNK_MAX || size > len - offset - ALLSET_PACK_RECORD_HEADER)
        break;
      offset += ALLSET_PACK_RECORD_HEADER;

      allset_sha256 (data + offset, size, &actual);
      if (!allset_hash_equal (&chunk.id, &actual))
        {
          g_autoptr(JsonNode) node = NULL;
          g_autofree char *message = g_strdup_printf ("Record %u does not hash to its chunk id; nothing was stored",
                                                      chunks->len);

          node = allset_json_error_new ("hash_mismatch", message);
          /* Inside "error", as a commit's "index" is. */
          json_object_set_int_member (json_object_get_object_member (json_node_get_object (node), "error"),
                                      "index", chunks->len);
          return allset_http_response_new_json (422, node);
        }

      chunk.size = size;
      chunk.offset = offset;
      g_array_append_val (chunks, chunk);
      offset += size;
      total += size;
    }

  if (offset != len || chunks->len == 0)
    return allset_http_response_new_error (ALLSET_ERROR_BAD_REQUEST,
                                             "Truncated or malformed pack: each record is a 32-byte id, "
                                             "a 4-byte big-endian length (1 to 65536) and that many bytes");

  if ((refused = check_quota (server, request->account, total)) != NULL)
    return refused;

  /* Only the registry's own write holds the store's lock: the bytes are
   * written and synced before, outside it. */
  pack_id = allset_store_pack_new (store, account_id, &error);
  if (pack_id == 0 ||
      !allset_chunk_store_pack_put (allset_server_get_chunk_store (server), account_id, pack_id,
                                    request->body, &error) ||
      !allset_store_chunks_add_packed (store, account_id, pack_id, len,
                                       (AllsetPackedChunk *) chunks->data, chunks->len, &error))
    return allset_http_response_new_gerror (error);

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "stored");
  json_builder_add_int_value (b, chunks->len);
  json_builder_end_object (b);
  return allset_http_response_new_object (SOUP_STATUS_OK, b);
}

AllsetHttpResponse *
allset_route_chunk_get (AllsetServer      *server,
                        AllsetHttpRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  AllsetHttpResponse *response;
  const char *range = soup_message_headers_get_one (request->headers, "Range");
  g_auto(AllsetStoredChunk) where = { 0, };
  AllsetHash id;
  guint64 start = 0, end;

  if (!allset_hash_from_hex (request->param, &id))
    return invalid_id (request->param);

  if (!allset_store_chunk_get (allset_server_get_store (server), request->account->id,
                               &id, &where))
    return allset_http_response_new_error (ALLSET_ERROR_NOT_FOUND, "No such chunk");

  bytes = where.data != NULL ? g_bytes_ref (where.data)
                             : allset_chunk_store_read (allset_server_get_chunk_store (server),
                                                        request->account->id, &id, where.pack_id,
                                                        where.pack_offset, where.size, &error);
  if (bytes == NULL)
    return allset_http_response_new_gerror (error);

  end = g_bytes_get_size (bytes) - 1;
  if (range != NULL && !allset_http_parse_range (range, g_bytes_get_size (bytes), &start, &end))
    {
      g_autofree char *content_range = g_strdup_printf ("bytes */%" G_GSIZE_FORMAT, g_bytes_get_size (bytes));

      response = allset_http_response_new_error (ALLSET_ERROR_RANGE_NOT_SATISFIABLE,
                                                 "Only one range within the chunk can be asked for");
      soup_message_headers_replace (response->headers, "Content-Range", content_range);
      return response;
    }

  response = allset_http_response_new (range != NULL ? SOUP_STATUS_PARTIAL_CONTENT : SOUP_STATUS_OK);
  response->content_type = g_strdup ("application/octet-stream");
  response->body = g_bytes_new_from_bytes (bytes, start, end - start + 1);
  response->account_id = request->account->id;
  soup_message_headers_replace (response->headers, "Accept-Ranges", "bytes");
  if (range != NULL)
    {
      g_autofree char *content_range = g_strdup_printf ("bytes %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
                                                        "/%" G_GSIZE_FORMAT,
                                                        start, end, g_bytes_get_size (bytes));

      soup_message_headers_replace (response->headers, "Content-Range", content_range);
    }
  return response;
}
