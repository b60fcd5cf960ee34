/* allset-client-fetch.c — batched downloads: POST /api/v1/files and
 * POST /api/v1/chunks/fetch
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Downloading many small files one GET at a time costs two HTTPS requests
 * per file, and the requests, not the bytes, were most of the time spent.
 * These calls ask for up to a thousand files' metadata or ten thousand
 * chunks at once. Like the rest of AllsetClient they block and are
 * thread-safe; every byte received is checked against its id here, so the
 * callers never see a chunk that does not hash to what they asked for.
 */

#include <string.h>

#include <libsoup/soup.h>

#include "allset-client-private.h"

#define MAX_FILES        1000
#define MAX_FETCH_IDS    10000
#define RECORD_HEADER    (ALLSET_HASH_LEN + 4)

static gboolean
check_count (guint        n,
             guint        max,
             const char  *what,
             GError     **error)
{
  if (n >= 1 && n <= max)
    return TRUE;

  g_set_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_ARGUMENT,
               "Ask for 1 to %u %s at a time, not %u", max, what, n);
  return FALSE;
}

static gboolean
bad_files_answer (GError    **error,
                  const char *problem)
{
  g_set_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_BAD_RESPONSE,
               "Malformed answer from the server to api/v1/files: %s", problem);
  return FALSE;
}

GPtrArray *
allset_client_files (AllsetClient       *self,
                     const char * const *paths,
                     guint               n,
                     GCancellable       *cancellable,
                     GError            **error)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GPtrArray) files = NULL;
  JsonArray *array = json_array_new ();
  JsonArray *result;

  g_return_val_if_fail (ALLSET_IS_CLIENT (self), NULL);
  g_return_val_if_fail (paths != NULL || n == 0, NULL);

  json_object_set_array_member (body, "paths", array);
  if (!check_count (n, MAX_FILES, "paths", error))
    return NULL;
  for (guint i = 0; i < n; i++)
    {
      g_return_val_if_fail (paths[i] != NULL, NULL);
      json_array_add_string_element (array, paths[i]);
    }
  node = json_node_init_object (json_node_alloc (), body);

  answer = allset_client_call_json (self, "POST", "api/v1/files", node, TRUE, cancellable, error);
  if (answer == NULL)
    return NULL;

  if (!allset_json_get_array (answer, "files", &result, error))
    {
      allset_client_bad_response (error, "api/v1/files");
      return NULL;
    }
  if (json_array_get_length (result) != n)
    {
      bad_files_answer (error, "not one element per path");
      return NULL;
    }

  files = g_ptr_array_new_full (n, (GDestroyNotify) allset_file_info_free);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (result, i);
      JsonObject *object;
      AllsetFileInfo *info;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          bad_files_answer (error, "“files” must hold objects");
          return NULL;
        }
      object = json_node_get_object (element);

      /* not_found, invalid_name…: this path has nothing to download, the
       * others still do. */
      if (json_object_has_member (object, "error"))
        {
          g_ptr_array_add (files, NULL);
          continue;
        }

      info = allset_file_info_from_json (object, error);
      if (info == NULL)
        {
          allset_client_bad_response (error, "api/v1/files");
          return NULL;
        }
      g_ptr_array_add (files, info);
    }

  return g_steal_pointer (&files);
}

static gboolean
invalid_data (GError    **error,
              const char *format,
              ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid_data (GError    **error,
              const char *format,
              ...)
{
  g_autofree char *problem = NULL;
  va_list args;

  va_start (args, format);
  problem = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "Malformed answer from the server to api/v1/chunks/fetch: %s", problem);
  return FALSE;
}

GPtrArray *
allset_client_chunks_fetch_decode (GBytes             *body,
                                   const char * const *ids,
                                   guint               n,
                                   GError            **error)
{
  g_autoptr(GPtrArray) chunks = NULL;
  gsize len;
  const guint8 *data;
  gsize offset = 0;

  g_return_val_if_fail (body != NULL, NULL);
  g_return_val_if_fail (ids != NULL || n == 0, NULL);

  data = g_bytes_get_data (body, &len);
  chunks = g_ptr_array_new_full (MIN (n, 1024), (GDestroyNotify) g_bytes_unref);

  while (offset < len)
    {
      guint i = chunks->len;
      AllsetHash expected, actual;
      guint32 size;

      if (i == n)
        {
          invalid_data (error, "%" G_GSIZE_FORMAT " bytes after the last record", len - offset);
          return NULL;
        }
      if (len - offset < RECORD_HEADER)
        {
          invalid_data (error, "record %u is truncated", i);
          return NULL;
        }
      if (!allset_hash_from_hex (ids[i], &expected))
        {
          g_set_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_ARGUMENT,
                       "“%s” is not a chunk id (64 lowercase hexadecimal digits)", ids[i]);
          return NULL;
        }
      if (memcmp (data + offset, expected.bytes, ALLSET_HASH_LEN) != 0)
        {
          invalid_data (error, "record %u is not chunk %s", i, ids[i]);
          return NULL;
        }

      /* Records are not aligned: no direct 32-bit load. */
      memcpy (&size, data + offset + ALLSET_HASH_LEN, sizeof size);
      size = GUINT32_FROM_BE (size);
      offset += RECORD_HEADER;
      if (size > ALLSET_CHUNK_MAX || size > len - offset)
        {
          invalid_data (error, "record %u is truncated or longer than a chunk", i);
          return NULL;
        }

      if (size == 0)
        {
          g_ptr_array_add (chunks, NULL);
          continue;
        }

      allset_sha256 (data + offset, size, &actual);
      if (!allset_hash_equal (&expected, &actual))
        {
          g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_HASH_MISMATCH,
                       "The downloaded bytes of chunk %s do not hash to its id", ids[i]);
          return NULL;
        }
      g_ptr_array_add (chunks, g_bytes_new_from_bytes (body, offset, size));
      offset += size;
    }

  if (chunks->len == 0)
    {
      invalid_data (error, "no record");
      return NULL;
    }

  return g_steal_pointer (&chunks);
}

GPtrArray *
allset_client_chunks_fetch (AllsetClient       *self,
                            const char * const *ids,
                            guint               n,
                            GCancellable       *cancellable,
                            GError            **error)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GBytes) request_body = NULL;
  g_autoptr(GBytes) answer = NULL;
  JsonArray *array = json_array_new ();
  AllsetClientRequest request = {
    .method = "POST",
    .path = "api/v1/chunks/fetch",
    .auth = TRUE,
    .content_type = "application/json; charset=utf-8",
    /* The server stops before 16 MiB; its largest record is 4 MiB. */
    .max_response = ALLSET_PACK_MAX_BYTES,
    .pace_down = TRUE,
  };
  char *text;

  g_return_val_if_fail (ALLSET_IS_CLIENT (self), NULL);
  g_return_val_if_fail (ids != NULL || n == 0, NULL);

  json_object_set_array_member (body, "ids", array);
  if (!check_count (n, MAX_FETCH_IDS, "chunks", error))
    return NULL;
  for (guint i = 0; i < n; i++)
    {
      AllsetHash hash;

      if (ids[i] == NULL || !allset_hash_from_hex (ids[i], &hash))
        {
          g_set_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_ARGUMENT,
                       "“%s” is not a chunk id (64 lowercase hexadecimal digits)",
                       ids[i] ? ids[i] : "(null)");
          return NULL;
        }
      json_array_add_string_element (array, ids[i]);
    }
  node = json_node_init_object (json_node_alloc (), body);
  text = allset_json_to_string (node);
  request.body = request_body = g_bytes_new_take (text, strlen (text));

  answer = allset_client_send (self, &request, NULL, cancellable, error);
  if (answer == NULL)
    return NULL;

  return allset_client_chunks_fetch_decode (answer, ids, n, error);
}
