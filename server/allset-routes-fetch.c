/* allset-routes-fetch.c — batched downloads: many files' metadata, many chunks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Downloading ten thousand small files with GET /api/v1/file and
 * GET /api/v1/chunks/{id} costs twenty thousand HTTPS requests; these two
 * routes answer hundreds or thousands of them in one request, from one
 * store read. Routes run in worker threads (see allset-server.c).
 */

#include <string.h>

#include "allset-server-private.h"

#define MAX_FILES_QUERY  1000
#define MAX_FETCH_IDS    10000
/* A record of the answer: 32-byte id, 4-byte big-endian length, bytes
 * (the format of POST /api/v1/chunks/pack). */
#define RECORD_HEADER    (ALLSET_HASH_LEN + 4)

static void
add_element_error (JsonBuilder  *b,
                   const char   *path,
                   const GError *error)
{
  AllsetErrorCode code = error->domain == ALLSET_PROTOCOL_ERROR ? error->code : ALLSET_ERROR_INTERNAL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, path);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, allset_error_code_to_string (code));
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, error->message);
  json_builder_end_object (b);
  json_builder_end_object (b);
}

static void
free_refusal (gpointer error)
{
  if (error != NULL)
    g_error_free (error);
}

AllsetHttpResponse *
allset_route_files (AllsetServer      *server,
                    AllsetHttpRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GPtrArray) paths = NULL;
  g_autoptr(GPtrArray) refusals = NULL;
  g_autoptr(GPtrArray) nodes = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  JsonArray *array;
  guint n;

  body = allset_http_request_json (request, &error);
  if (body == NULL || !allset_json_get_array (body, "paths", &array, &error))
    return allset_http_response_new_gerror (error);

  n = json_array_get_length (array);
  if (n == 0 || n > MAX_FILES_QUERY)
    return allset_http_response_new_error (ALLSET_ERROR_BAD_REQUEST,
                                           "Ask about 1 to 1000 paths at a time");

  /* A bad name spoils only its own element: the client asked for the
   * others in good faith. An element that is not a string is a broken
   * request, refused whole. */
  paths = g_ptr_array_new_full (n, g_free);
  refusals = g_ptr_array_new_full (n, free_refusal);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      GError *refusal = NULL;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        {
          g_autofree char *message = g_strdup_printf ("paths[%u] is not a string", i);

          return allset_http_response_new_error (ALLSET_ERROR_INVALID_JSON, message);
        }

      g_ptr_array_add (paths, allset_path_normalize (json_node_get_string (node), FALSE, &refusal));
      g_ptr_array_add (refusals, refusal);
    }

  nodes = allset_store_get_files (allset_server_get_store (server), request->account->id,
                                  (const char * const *) paths->pdata, n, &error);
  if (nodes == NULL)
    return allset_http_response_new_gerror (error);

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "files");
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    {
      AllsetNode *node = g_ptr_array_index (nodes, i);
      const char *asked = json_array_get_string_element (array, i);
      const GError *refusal = g_ptr_array_index (refusals, i);

      if (node != NULL)
        allset_route_add_file (b, node);
      else if (refusal != NULL)
        add_element_error (b, asked, refusal);
      else
        {
          /* Nothing, a directory or another account's file: one answer
           * for all three (terms R21), as GET /api/v1/file gives. */
          g_autoptr(GError) missing = g_error_new (ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND,
                                                   "No file “%s”", (const char *) g_ptr_array_index (paths, i));

          add_element_error (b, asked, missing);
        }
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return allset_http_response_new_object (SOUP_STATUS_OK, b);
}

static void
put_record_header (guint8           *out,
                   const AllsetHash *id,
                   guint32           size)
{
  guint32 be = GUINT32_TO_BE (size);

  memcpy (out, id->bytes, ALLSET_HASH_LEN);
  /* Records are not aligned: no direct 32-bit store. */
  memcpy (out + ALLSET_HASH_LEN, &be, sizeof be);
}

AllsetHttpResponse *
allset_route_chunks_fetch (AllsetServer      *server,
                           AllsetHttpRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GArray) chunks = NULL;
  AllsetHttpResponse *response;
  JsonArray *array;
  guint8 *out;
  gsize total = 0, offset = 0;
  guint n;

  body = allset_http_request_json (request, &error);
  if (body == NULL || !allset_json_get_array (body, "ids", &array, &error))
    return allset_http_response_new_gerror (error);

  n = json_array_get_length (array);
  if (n == 0 || n > MAX_FETCH_IDS)
    return allset_http_response_new_error (ALLSET_ERROR_BAD_REQUEST,
                                           "Ask for 1 to 10000 chunks at a time");

  ids = g_array_sized_new (FALSE, FALSE, sizeof (AllsetHash), n);
  g_array_set_size (ids, n);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      const char *hex = JSON_NODE_HOLDS_VALUE (node) &&
                        json_node_get_value_type (node) == G_TYPE_STRING
                        ? json_node_get_string (node) : NULL;

      if (hex == NULL || !allset_hash_from_hex (hex, &g_array_index (ids, AllsetHash, i)))
        {
          g_autofree char *message = g_strdup_printf ("ids[%u] is not a chunk id "
                                                      "(64 lowercase hexadecimal digits)", i);

          return allset_http_response_new_error (ALLSET_ERROR_BAD_REQUEST, message);
        }
    }

  /* The store stops at the response's budget, so at most 16 MiB of bytes
   * are ever held for one answer; the client asks again for the rest. */
  chunks = allset_store_chunks_read (allset_server_get_store (server), request->account->id,
                                     (const AllsetHash *) ids->data, n,
                                     RECORD_HEADER, ALLSET_PACK_MAX_BYTES, &error);
  if (chunks == NULL)
    return allset_http_response_new_gerror (error);

  for (guint i = 0; i < chunks->len; i++)
    {
      AllsetStoredChunk *chunk = &g_array_index (chunks, AllsetStoredChunk, i);

      if (chunk->size > 0 && chunk->data == NULL &&
          !(chunk->data = allset_chunk_store_read (allset_server_get_chunk_store (server),
                                                   request->account->id,
                                                   &g_array_index (ids, AllsetHash, i),
                                                   chunk->pack_id, chunk->pack_offset,
                                                   chunk->size, &error)))
        return allset_http_response_new_gerror (error);

      /* The registry's size made the budget: bytes of another length
       * would break it and the record framing. */
      if (chunk->size > 0 && g_bytes_get_size (chunk->data) != chunk->size)
        {
          g_autofree char *hex = allset_hash_to_hex (&g_array_index (ids, AllsetHash, i));

          g_set_error (&error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INTERNAL,
                       "Chunk %s of account %" G_GINT64_FORMAT " holds %" G_GSIZE_FORMAT
                       " bytes, registered as %u", hex, request->account->id,
                       g_bytes_get_size (chunk->data), chunk->size);
          return allset_http_response_new_gerror (error);
        }
      total += RECORD_HEADER + chunk->size;
    }

  out = g_malloc (total);
  for (guint i = 0; i < chunks->len; i++)
    {
      AllsetStoredChunk *chunk = &g_array_index (chunks, AllsetStoredChunk, i);

      put_record_header (out + offset, &g_array_index (ids, AllsetHash, i), chunk->size);
      offset += RECORD_HEADER;
      if (chunk->size > 0)
        {
          memcpy (out + offset, g_bytes_get_data (chunk->data, NULL), chunk->size);
          offset += chunk->size;
          /* Peak memory stays near one answer, not two. */
          g_clear_pointer (&chunk->data, g_bytes_unref);
        }
    }
  g_assert (offset == total);

  response = allset_http_response_new (SOUP_STATUS_OK);
  response->content_type = g_strdup ("application/octet-stream");
  response->body = g_bytes_new_take (out, total);
  /* Draws from the account's download bucket (terms R5), as GET
   * /api/v1/chunks/{id} does. */
  response->account_id = request->account->id;
  return response;
}
