/* allset-routes-tree.c — commit batches, read the tree, versions and trash
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Routes run in worker threads (see allset-server.c). Every path from a
 * client passes allset_path_normalize() before it reaches the store.
 */

#include "allset-server-private.h"

static void
add_receipt (JsonBuilder         *b,
             const AllsetReceipt *receipt)
{
  json_builder_set_member_name (b, "receipt");
  if (receipt != NULL)
    json_builder_add_value (b, allset_receipt_to_json (receipt));
  else
    json_builder_add_null_value (b);
}

/* The compact form (docs/protocol.md): what the receipts of a batch
 * share, once; each result then carries only its own leaf's fields. Only
 * when every receipt of the answer belongs to one signed batch. */
static const AllsetReceipt *
compact_batch (GPtrArray *results)
{
  const AllsetReceipt *first = NULL;

  for (guint i = 0; i < results->len; i++)
    {
      const AllsetReceipt *receipt = ((AllsetOpResult *) g_ptr_array_index (results, i))->receipt;

      if (receipt == NULL)
        continue;
      if (receipt->batch_root == NULL)
        return NULL;
      if (first == NULL)
        first = receipt;
      else if (g_strcmp0 (receipt->batch_root, first->batch_root) != 0 ||
               g_strcmp0 (receipt->time, first->time) != 0 ||
               g_strcmp0 (receipt->account, first->account) != 0)
        return NULL;
    }
  return first;
}

static void
write_receipt_batch (AllsetJsonWriter    *w,
                     const AllsetReceipt *first)
{
  allset_json_writer_member (w, "receipt_batch");
  allset_json_writer_begin_object (w);
  allset_json_writer_string_member (w, "account", first->account);
  allset_json_writer_string_member (w, "time", first->time);
  allset_json_writer_string_member (w, "key_id", first->key_id);
  allset_json_writer_string_member (w, "signature", first->signature);
  allset_json_writer_string_member (w, "root", first->batch_root);
  allset_json_writer_int_member (w, "size", (gint64) first->batch_size);
  allset_json_writer_end_object (w);
}

static void
write_op_result (AllsetJsonWriter *w,
                 AllsetOpResult   *result,
                 gboolean          compact)
{
  allset_json_writer_begin_object (w);
  allset_json_writer_int_member (w, "status", result->status);

  if (result->status == SOUP_STATUS_OK)
    {
      allset_json_writer_int_member (w, "revision", result->revision);
      if (result->file_id != NULL)
        {
          allset_json_writer_string_member (w, "file_id", result->file_id);
          if (compact && result->receipt != NULL)
            {
              allset_json_writer_string_member (w, "path", result->receipt->path);
              allset_json_writer_int_member (w, "size", (gint64) result->receipt->size);
              allset_json_writer_int_member (w, "leaf", (gint64) result->receipt->batch_index);
            }
          else
            {
              allset_json_writer_member (w, "receipt");
              if (result->receipt != NULL)
                allset_receipt_write (result->receipt, w);
              else
                allset_json_writer_string (w, NULL);
            }
        }
    }
  else
    {
      allset_json_writer_member (w, "error");
      allset_json_writer_begin_object (w);
      allset_json_writer_string_member (w, "code", allset_error_code_to_string (result->error_code));
      allset_json_writer_string_member (w, "message", result->error_message ? result->error_message : "");
      allset_json_writer_end_object (w);
      allset_json_writer_int_member (w, "current_revision", result->current_revision);
    }

  allset_json_writer_end_object (w);
}

static gboolean
parse_path_member (JsonObject  *object,
                   const char  *member,
                   gboolean     allow_root,
                   char       **out,
                   GError     **error)
{
  const char *text;

  if (!allset_json_get_string (object, member, &text, error))
    return FALSE;

  return (*out = allset_path_normalize (text, allow_root, error)) != NULL;
}

static AllsetHttpResponse *
batch_error (const GError *error,
             guint         index)
{
  g_autoptr(JsonNode) node = NULL;
  AllsetErrorCode code = error->domain == ALLSET_PROTOCOL_ERROR ? error->code : ALLSET_ERROR_INVALID_JSON;
  g_autofree char *message = g_strdup_printf ("operations[%u]: %s", index, error->message);

  node = allset_json_error_new (allset_error_code_to_string (code), message);
  json_object_set_int_member (json_object_get_object_member (json_node_get_object (node), "error"),
                              "index", index);
  return allset_http_response_new_json (allset_error_code_http_status (code), node);
}

AllsetHttpResponse *
allset_route_commit (AllsetServer      *server,
                     AllsetHttpRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ops = NULL;
  g_autoptr(GPtrArray) results = NULL;
  AllsetJsonWriter *w;
  AllsetHttpResponse *response;
  g_autoptr(GPtrArray) changes = NULL;
  const AllsetReceipt *batch = NULL;
  g_autofree char *form = NULL;
  gint64 previous_cursor = 0;
  gint64 cursor = 0;
  guint bad_index;

  ops = allset_commit_request_read (request->body, &form, &bad_index, &error);
  if (ops == NULL)
    return bad_index != G_MAXUINT ? batch_error (error, bad_index)
                                  : allset_http_response_new_gerror (error);

  results = allset_store_commit (allset_server_get_store (server), request->account, ops,
                                 allset_server_get_signer (server), &previous_cursor, &cursor,
                                 &error);
  if (results == NULL)
    return allset_http_response_new_gerror (error);

  /* The commit's own changes, exactly as the feed will list them: the
   * commit held the store, so (previous_cursor, cursor] are all its own.
   * A client whose cursor stands at previous_cursor records them at once
   * instead of reading them back from the feed. Best effort: without
   * them the client reads the feed as before. */
  if (cursor > previous_cursor)
    changes = allset_store_changes (allset_server_get_store (server), request->account->id,
                                    previous_cursor, (guint) MIN (cursor - previous_cursor, G_MAXUINT),
                                    NULL, NULL);

  w = allset_json_writer_new ();
  allset_json_writer_begin_object (w);
  allset_json_writer_int_member (w, "cursor", cursor);
  if (changes != NULL && changes->len == cursor - previous_cursor)
    {
      allset_json_writer_int_member (w, "previous_cursor", previous_cursor);
      allset_json_writer_member (w, "changes");
      allset_json_writer_begin_array (w);
      for (guint i = 0; i < changes->len; i++)
        allset_route_write_change (w, g_ptr_array_index (changes, i));
      allset_json_writer_end_array (w);
    }
  if (g_strcmp0 (form, "compact") == 0 && (batch = compact_batch (results)) != NULL)
    write_receipt_batch (w, batch);
  allset_json_writer_member (w, "results");
  allset_json_writer_begin_array (w);
  for (guint i = 0; i < results->len; i++)
    write_op_result (w, g_ptr_array_index (results, i), batch != NULL);
  allset_json_writer_end_array (w);
  allset_json_writer_end_object (w);

  response = allset_http_response_new_writer (SOUP_STATUS_OK, w);
  response->account_id = request->account->id;
  response->cursor = cursor;
  response->cursor_moved = TRUE;
  return response;
}

static char *
query_path (AllsetHttpRequest  *request,
            gboolean            allow_root,
            GError            **error)
{
  const char *path = allset_http_request_query (request, "path");

  if (path == NULL)
    {
      if (allow_root)
        return g_strdup ("");
      g_set_error_literal (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_BAD_REQUEST,
                           "The “path” parameter is required");
      return NULL;
    }

  return allset_path_normalize (path, allow_root, error);
}

static void
add_node_members (JsonBuilder      *b,
                  const AllsetNode *node)
{
  json_builder_set_member_name (b, "revision");
  json_builder_add_int_value (b, node->revision);
  json_builder_set_member_name (b, "size");
  json_builder_add_int_value (b, node->size);
  json_builder_set_member_name (b, "mtime");
  json_builder_add_int_value (b, node->mtime);
  json_builder_set_member_name (b, "file_id");
  if (node->file_id != NULL)
    json_builder_add_string_value (b, node->file_id);
  else
    json_builder_add_null_value (b);
}

void
allset_route_add_file (JsonBuilder      *b,
                       const AllsetNode *node)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, node->path);
  add_node_members (b, node);
  json_builder_set_member_name (b, "executable");
  json_builder_add_boolean_value (b, node->executable);
  json_builder_set_member_name (b, "chunks");
  json_builder_begin_array (b);
  for (guint i = 0; node->chunks != NULL && i < node->chunks->len; i++)
    {
      AllsetChunkRef *ref = &g_array_index (node->chunks, AllsetChunkRef, i);
      char hex[ALLSET_HASH_HEX_LEN + 1];

      allset_hash_to_hex_buf (&ref->id, hex);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, hex);
      json_builder_set_member_name (b, "size");
      json_builder_add_int_value (b, ref->size);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  add_receipt (b, node->receipt);
  json_builder_end_object (b);
}

AllsetHttpResponse *
allset_route_file (AllsetServer      *server,
                   AllsetHttpRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetNode) node = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autofree char *path = NULL;
  gint64 revision;

  if (!(path = query_path (request, FALSE, &error)) ||
      !allset_http_request_query_int (request, "revision", 0, 0, G_MAXINT64, &revision, &error) ||
      !(node = allset_store_get_file (allset_server_get_store (server), request->account->id,
                                      path, revision, &error)))
    return allset_http_response_new_gerror (error);

  b = json_builder_new ();
  allset_route_add_file (b, node);
  return allset_http_response_new_object (SOUP_STATUS_OK, b);
}

AllsetHttpResponse *
allset_route_list (AllsetServer      *server,
                   AllsetHttpRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autofree char *path = NULL;

  if (!(path = query_path (request, TRUE, &error)) ||
      !(entries = allset_store_list (allset_server_get_store (server), request->account->id,
                                     path, &error)))
    return allset_http_response_new_gerror (error);

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, path);
  json_builder_set_member_name (b, "entries");
  json_builder_begin_array (b);
  for (guint i = 0; i < entries->len; i++)
    {
      AllsetNode *node = g_ptr_array_index (entries, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, node->name);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, node->type == ALLSET_NODE_DIR ? "dir" : "file");
      add_node_members (b, node);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return allset_http_response_new_object (SOUP_STATUS_OK, b);
}

AllsetHttpResponse *
allset_route_versions (AllsetServer      *server,
                       AllsetHttpRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) versions = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autofree char *path = NULL;

  if (!(path = query_path (request, FALSE, &error)) ||
      !(versions = allset_store_versions (allset_server_get_store (server), request->account->id,
                                          path, &error)))
    return allset_http_response_new_gerror (error);

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, path);
  json_builder_set_member_name (b, "versions");
  json_builder_begin_array (b);
  for (guint i = 0; i < versions->len; i++)
    {
      AllsetNode *node = g_ptr_array_index (versions, i);
      g_autofree char *created = allset_http_format_time (node->created_at);

      json_builder_begin_object (b);
      add_node_members (b, node);
      json_builder_set_member_name (b, "created_at");
      json_builder_add_string_value (b, created);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return allset_http_response_new_object (SOUP_STATUS_OK, b);
}

static AllsetHttpResponse *
restored_response (AllsetServer      *server,
                   AllsetHttpRequest *request,
                   AllsetOpResult    *result,
                   const char        *path)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  AllsetHttpResponse *response;

  if (result->status != SOUP_STATUS_OK)
    {
      g_autoptr(JsonNode) node = allset_json_error_new (allset_error_code_to_string (result->error_code),
                                                        result->error_message);

      json_object_set_int_member (json_object_get_object_member (json_node_get_object (node), "error"),
                                  "current_revision", result->current_revision);
      return allset_http_response_new_json (result->status, node);
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, path);
  json_builder_set_member_name (b, "revision");
  json_builder_add_int_value (b, result->revision);
  if (result->file_id != NULL)
    {
      json_builder_set_member_name (b, "file_id");
      json_builder_add_string_value (b, result->file_id);
      add_receipt (b, result->receipt);
    }
  json_builder_end_object (b);

  response = allset_http_response_new_object (SOUP_STATUS_OK, b);
  response->account_id = request->account->id;
  response->cursor = allset_store_cursor (allset_server_get_store (server), request->account->id);
  response->cursor_moved = TRUE;
  return response;
}

AllsetHttpResponse *
allset_route_version_restore (AllsetServer      *server,
                              AllsetHttpRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(AllsetOpResult) result = NULL;
  g_autofree char *path = NULL;
  gint64 revision;

  body = allset_http_request_json (request, &error);
  if (body == NULL ||
      !parse_path_member (body, "path", FALSE, &path, &error) ||
      !allset_json_get_int (body, "revision", &revision, &error) ||
      !(result = allset_store_version_restore (allset_server_get_store (server), request->account,
                                               path, revision, allset_server_get_signer (server),
                                               &error)))
    return allset_http_response_new_gerror (error);

  return restored_response (server, request, result, path);
}

AllsetHttpResponse *
allset_route_trash (AllsetServer      *server,
                    AllsetHttpRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(JsonBuilder) b = NULL;

  entries = allset_store_trash_list (allset_server_get_store (server), request->account->id, &error);
  if (entries == NULL)
    return allset_http_response_new_gerror (error);

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "entries");
  json_builder_begin_array (b);
  for (guint i = 0; i < entries->len; i++)
    {
      AllsetTrashEntry *entry = g_ptr_array_index (entries, i);
      g_autofree char *deleted = allset_http_format_time (entry->deleted_at);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "trash_id");
      json_builder_add_int_value (b, entry->trash_id);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, entry->path);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, entry->type == ALLSET_NODE_DIR ? "dir" : "file");
      json_builder_set_member_name (b, "size");
      json_builder_add_int_value (b, entry->size);
      json_builder_set_member_name (b, "deleted_at");
      json_builder_add_string_value (b, deleted);
      json_builder_set_member_name (b, "revision");
      json_builder_add_int_value (b, entry->revision);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return allset_http_response_new_object (SOUP_STATUS_OK, b);
}

AllsetHttpResponse *
allset_route_trash_restore (AllsetServer      *server,
                            AllsetHttpRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(AllsetOpResult) result = NULL;
  gint64 trash_id;

  body = allset_http_request_json (request, &error);
  if (body == NULL ||
      !allset_json_get_int (body, "trash_id", &trash_id, &error) ||
      !(result = allset_store_trash_restore (allset_server_get_store (server), request->account,
                                             trash_id, &error)))
    return allset_http_response_new_gerror (error);

  return restored_response (server, request, result, result->path);
}
