/* allset-client-api.c — one function per endpoint of docs/protocol.md
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each function builds the request, lets allset-client.c send it (TLS,
 * errors, pacing) and parses the answer into the structs of
 * allset-client-types.h. All of them block and are thread-safe.
 */

#include <string.h>

#include <libsoup/soup.h>

#include "allset-client-private.h"

/* Query values: everything but unreserved characters percent-encoded. */
static char *
escape (const char *value)
{
  return g_uri_escape_string (value, NULL, FALSE);
}

/* GET/POST path, parse the object with parse (NULL: return it as is). */
typedef gpointer (*AnswerParser) (JsonObject *object, GError **error);

static gpointer
call_parse (AllsetClient  *self,
            const char    *method,
            const char    *path,
            JsonNode      *body,
            gboolean       auth,
            AnswerParser   parse,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(JsonObject) object = NULL;
  gpointer result;

  object = allset_client_call_json (self, method, path, body, auth, cancellable, error);
  if (object == NULL)
    return NULL;

  result = parse (object, error);
  if (result == NULL)
    allset_client_bad_response (error, path);
  return result;
}

static gboolean
check_chunk_id (const char  *id,
                GError     **error)
{
  AllsetHash hash;

  if (id != NULL && allset_hash_from_hex (id, &hash))
    return TRUE;

  g_set_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_ARGUMENT,
               "“%s” is not a chunk id (64 lowercase hexadecimal digits)", id ? id : "(null)");
  return FALSE;
}

/* ---- account ------------------------------------------------------------ */

AllsetServerStatus *
allset_client_status (AllsetClient  *self,
                      GCancellable  *cancellable,
                      GError       **error)
{
  return call_parse (self, "GET", "api/v1/status", NULL, FALSE,
                     (AnswerParser) allset_server_status_from_json, cancellable, error);
}

AllsetLoginInfo *
allset_client_login (AllsetClient  *self,
                     const char    *username,
                     const char    *password,
                     const char    *device_name,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonObject) answer = NULL;
  AllsetLoginInfo *info;

  g_return_val_if_fail (ALLSET_IS_CLIENT (self), NULL);
  g_return_val_if_fail (username != NULL && password != NULL && device_name != NULL, NULL);

  json_object_set_string_member (body, "username", username);
  json_object_set_string_member (body, "password", password);
  json_object_set_string_member (body, "device_name", device_name);
  node = json_node_init_object (json_node_alloc (), body);

  answer = allset_client_call_json (self, "POST", "api/v1/login", node, FALSE, cancellable, error);
  if (answer == NULL)
    return NULL;

  info = allset_login_info_from_json (answer, error);
  if (info == NULL)
    {
      allset_client_bad_response (error, "api/v1/login");
      return NULL;
    }

  allset_client_set_token (self, info->token);
  return info;
}

gboolean
allset_client_logout (AllsetClient  *self,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(JsonObject) answer = NULL;

  answer = allset_client_call_json (self, "POST", "api/v1/logout", NULL, TRUE, cancellable, error);
  if (answer == NULL)
    return FALSE;

  allset_client_set_token (self, NULL);
  return TRUE;
}

AllsetAccountInfo *
allset_client_account (AllsetClient  *self,
                       GCancellable  *cancellable,
                       GError       **error)
{
  return call_parse (self, "GET", "api/v1/account", NULL, TRUE,
                     (AnswerParser) allset_account_info_from_json, cancellable, error);
}

GPtrArray *
allset_client_devices (AllsetClient  *self,
                       GCancellable  *cancellable,
                       GError       **error)
{
  return call_parse (self, "GET", "api/v1/devices", NULL, TRUE,
                     (AnswerParser) allset_device_list_from_json, cancellable, error);
}

gboolean
allset_client_device_revoke (AllsetClient  *self,
                             const char    *device_id,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (device_id != NULL, FALSE);

  escaped = escape (device_id);
  path = g_strconcat ("api/v1/devices/", escaped, NULL);
  answer = allset_client_call_json (self, "DELETE", path, NULL, TRUE, cancellable, error);
  return answer != NULL;
}

/* ---- chunks ------------------------------------------------------------- */

GPtrArray *
allset_client_chunks_missing (AllsetClient        *self,
                              const char * const  *ids,
                              gsize                n_ids,
                              GCancellable        *cancellable,
                              GError             **error)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GPtrArray) missing = NULL;
  JsonArray *array = json_array_new ();
  JsonArray *result;
  guint n;

  json_object_set_array_member (body, "chunks", array);
  for (gsize i = 0; i < n_ids; i++)
    {
      if (!check_chunk_id (ids[i], error))
        return NULL;
      json_array_add_string_element (array, ids[i]);
    }
  node = json_node_init_object (json_node_alloc (), body);

  answer = allset_client_call_json (self, "POST", "api/v1/chunks/missing", node, TRUE,
                                    cancellable, error);
  if (answer == NULL)
    return NULL;

  if (!allset_json_get_array (answer, "missing", &result, error))
    {
      allset_client_bad_response (error, "api/v1/chunks/missing");
      return NULL;
    }

  n = json_array_get_length (result);
  missing = g_ptr_array_new_full (n, g_free);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (result, i);
      AllsetHash hash;

      if (!JSON_NODE_HOLDS_VALUE (element) ||
          json_node_get_value_type (element) != G_TYPE_STRING ||
          !allset_hash_from_hex (json_node_get_string (element), &hash))
        {
          g_set_error_literal (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_BAD_RESPONSE,
                               "Malformed answer from the server to api/v1/chunks/missing: "
                               "“missing” must hold chunk ids");
          return NULL;
        }
      g_ptr_array_add (missing, g_strdup (json_node_get_string (element)));
    }

  return g_steal_pointer (&missing);
}

gboolean
allset_client_chunk_put (AllsetClient          *self,
                         const char            *id,
                         GBytes                *data,
                         gboolean              *created,
                         AllsetClientProgress   progress,
                         gpointer               progress_data,
                         GCancellable          *cancellable,
                         GError               **error)
{
  g_autoptr(GBytes) answer = NULL;
  g_autofree char *path = NULL;
  AllsetClientRequest request = {
    .method = "PUT",
    .auth = TRUE,
    .body = data,
    .content_type = "application/octet-stream",
    .max_response = ALLSET_JSON_MAX_BYTES,
    .pace_up = TRUE,
    .progress = progress,
    .progress_data = progress_data,
  };
  guint status = 0;

  g_return_val_if_fail (data != NULL, FALSE);

  if (!check_chunk_id (id, error))
    return FALSE;

  request.path = path = g_strconcat ("api/v1/chunks/", id, NULL);
  answer = allset_client_send (self, &request, &status, cancellable, error);
  if (answer == NULL)
    return FALSE;

  if (created != NULL)
    *created = status == SOUP_STATUS_CREATED;
  return TRUE;
}

guint
allset_client_chunk_pack (AllsetClient           *self,
                          const AllsetPackEntry  *entries,
                          gsize                   n_entries,
                          AllsetClientProgress    progress,
                          gpointer                progress_data,
                          GCancellable           *cancellable,
                          GError                **error)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonObject) object = NULL;
  AllsetClientRequest request = {
    .method = "POST",
    .path = "api/v1/chunks/pack",
    .auth = TRUE,
    .content_type = "application/x-allset-pack",
    .max_response = ALLSET_JSON_MAX_BYTES,
    .pace_up = TRUE,
    .progress = progress,
    .progress_data = progress_data,
  };
  const char *data;
  gsize len;
  gint64 stored;

  body = allset_client_pack_encode (entries, n_entries, error);
  if (body == NULL)
    return 0;

  request.body = body;
  answer = allset_client_send (self, &request, NULL, cancellable, error);
  if (answer == NULL)
    return 0;

  data = g_bytes_get_data (answer, &len);
  object = allset_json_parse_object (data, len, error);
  if (object == NULL || !allset_json_get_int (object, "stored", &stored, error))
    {
      allset_client_bad_response (error, request.path);
      return 0;
    }

  if (stored != (gint64) n_entries)
    {
      g_set_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_BAD_RESPONSE,
                   "The server stored %" G_GINT64_FORMAT " of %" G_GSIZE_FORMAT " packed chunks",
                   stored, n_entries);
      return 0;
    }

  return (guint) stored;
}

GBytes *
allset_client_chunk_get (AllsetClient          *self,
                         const char            *id,
                         guint64                offset,
                         gint64                 length,
                         AllsetClientProgress   progress,
                         gpointer               progress_data,
                         GCancellable          *cancellable,
                         GError               **error)
{
  g_autoptr(GBytes) answer = NULL;
  g_autofree char *path = NULL;
  g_autofree char *range = NULL;
  AllsetClientRequest request = {
    .method = "GET",
    .auth = TRUE,
    .max_response = ALLSET_PACK_MAX_BYTES,
    .pace_down = TRUE,
    .read_progress = progress,
    .read_progress_data = progress_data,
  };
  guint status = 0;

  if (!check_chunk_id (id, error))
    return NULL;

  if (length == 0 || length < -1)
    {
      g_set_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_ARGUMENT,
                   "Cannot download %" G_GINT64_FORMAT " bytes of a chunk", length);
      return NULL;
    }

  if (length > 0)
    range = g_strdup_printf ("bytes=%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT,
                             offset, offset + (guint64) length - 1);
  else if (offset > 0)
    range = g_strdup_printf ("bytes=%" G_GUINT64_FORMAT "-", offset);

  request.path = path = g_strconcat ("api/v1/chunks/", id, NULL);
  request.range = range;
  answer = allset_client_send (self, &request, &status, cancellable, error);
  if (answer == NULL)
    return NULL;

  if (range != NULL && status != SOUP_STATUS_PARTIAL_CONTENT)
    {
      g_set_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_BAD_RESPONSE,
                   "The server answered HTTP %u to a range request", status);
      return NULL;
    }

  if (range == NULL)
    {
      AllsetHash expected, actual;
      gsize len;
      const guint8 *data = g_bytes_get_data (answer, &len);

      allset_hash_from_hex (id, &expected);
      allset_sha256 (data, len, &actual);
      if (!allset_hash_equal (&expected, &actual))
        {
          g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_HASH_MISMATCH,
                       "The downloaded bytes of chunk %s do not hash to its id", id);
          return NULL;
        }
    }

  return g_steal_pointer (&answer);
}

/* ---- tree --------------------------------------------------------------- */

AllsetCommitReply *
allset_client_commit (AllsetClient  *self,
                      JsonArray     *operations,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonObject) answer = NULL;
  AllsetCommitReply *reply;

  g_return_val_if_fail (operations != NULL, NULL);

  json_object_set_array_member (body, "operations", json_array_ref (operations));
  /* Receipts without their proofs: rebuilt here from the batch's leaves,
   * they make the answer about five times smaller to write and parse. */
  json_object_set_string_member (body, "receipts", "compact");
  node = json_node_init_object (json_node_alloc (), body);

  answer = allset_client_call_json (self, "POST", "api/v1/commit", node, TRUE, cancellable, error);
  if (answer == NULL)
    return NULL;

  reply = allset_commit_reply_from_json (answer, operations, error);
  if (reply == NULL)
    allset_client_bad_response (error, "api/v1/commit");
  return reply;
}

AllsetChanges *
allset_client_changes (AllsetClient  *self,
                       gint64         cursor,
                       guint          limit,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autofree char *path = NULL;

  if (limit > 0)
    path = g_strdup_printf ("api/v1/changes?cursor=%" G_GINT64_FORMAT "&limit=%u",
                            MAX (cursor, 0), limit);
  else
    path = g_strdup_printf ("api/v1/changes?cursor=%" G_GINT64_FORMAT, MAX (cursor, 0));

  return call_parse (self, "GET", path, NULL, TRUE,
                     (AnswerParser) allset_changes_from_json, cancellable, error);
}

gboolean
allset_client_changes_wait (AllsetClient  *self,
                            gint64         cursor,
                            guint          timeout,
                            gint64        *new_cursor,
                            gboolean      *changed,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *path = NULL;
  gint64 value;
  gboolean moved = FALSE;

  path = g_strdup_printf ("api/v1/changes/wait?cursor=%" G_GINT64_FORMAT "&timeout=%u",
                          MAX (cursor, 0), CLAMP (timeout, 1, ALLSET_CLIENT_MAX_WAIT));
  answer = allset_client_call_json (self, "GET", path, NULL, TRUE, cancellable, error);
  if (answer == NULL)
    return FALSE;

  if (!allset_json_get_int (answer, "cursor", &value, error) ||
      !allset_json_get_bool_opt (answer, "changed", &moved, error))
    return allset_client_bad_response (error, "api/v1/changes/wait");

  if (new_cursor != NULL)
    *new_cursor = value;
  if (changed != NULL)
    *changed = moved;
  return TRUE;
}

AllsetFileInfo *
allset_client_file (AllsetClient  *self,
                    const char    *path,
                    gint64         revision,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autofree char *escaped = NULL;
  g_autofree char *request = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  escaped = escape (path);
  if (revision > 0)
    request = g_strdup_printf ("api/v1/file?path=%s&revision=%" G_GINT64_FORMAT, escaped, revision);
  else
    request = g_strdup_printf ("api/v1/file?path=%s", escaped);

  return call_parse (self, "GET", request, NULL, TRUE,
                     (AnswerParser) allset_file_info_from_json, cancellable, error);
}

GPtrArray *
allset_client_list (AllsetClient  *self,
                    const char    *path,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autofree char *escaped = NULL;
  g_autofree char *request = NULL;

  escaped = escape (path != NULL ? path : "");
  request = g_strdup_printf ("api/v1/list?path=%s", escaped);

  return call_parse (self, "GET", request, NULL, TRUE,
                     (AnswerParser) allset_entry_list_from_json, cancellable, error);
}

GPtrArray *
allset_client_versions (AllsetClient  *self,
                        const char    *path,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autofree char *escaped = NULL;
  g_autofree char *request = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  escaped = escape (path);
  request = g_strdup_printf ("api/v1/versions?path=%s", escaped);

  return call_parse (self, "GET", request, NULL, TRUE,
                     (AnswerParser) allset_version_list_from_json, cancellable, error);
}

static AllsetCommitResult *
restore_result_from_json (JsonObject  *object,
                          GError     **error)
{
  return allset_commit_result_from_json (object, NULL, error);
}

AllsetCommitResult *
allset_client_version_restore (AllsetClient  *self,
                               const char    *path,
                               gint64         revision,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  json_object_set_string_member (body, "path", path);
  json_object_set_int_member (body, "revision", revision);
  node = json_node_init_object (json_node_alloc (), body);

  return call_parse (self, "POST", "api/v1/versions/restore", node, TRUE,
                     (AnswerParser) restore_result_from_json, cancellable, error);
}

GPtrArray *
allset_client_trash (AllsetClient  *self,
                     GCancellable  *cancellable,
                     GError       **error)
{
  return call_parse (self, "GET", "api/v1/trash", NULL, TRUE,
                     (AnswerParser) allset_trash_list_from_json, cancellable, error);
}

AllsetCommitResult *
allset_client_trash_restore (AllsetClient  *self,
                             gint64         trash_id,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonNode) node = NULL;

  json_object_set_int_member (body, "trash_id", trash_id);
  node = json_node_init_object (json_node_alloc (), body);

  return call_parse (self, "POST", "api/v1/trash/restore", node, TRUE,
                     (AnswerParser) restore_result_from_json, cancellable, error);
}
