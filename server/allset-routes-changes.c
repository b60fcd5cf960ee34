/* allset-routes-changes.c — the changes feed and its long-poll push channel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Routes run in worker threads (see allset-server.c); parked long polls are
 * kept and woken on the main loop.
 */

#include "allset-server-private.h"

#define CHANGES_MAX 1000

static const char *
op_name (AllsetOpKind op)
{
  switch (op)
    {
    case ALLSET_OP_PUT:    return "put";
    case ALLSET_OP_MKDIR:  return "mkdir";
    case ALLSET_OP_MOVE:   return "move";
    case ALLSET_OP_DELETE: return "delete";
    default:               g_assert_not_reached ();
    }
}

/* One change as the feed shows it; commit answers carry their own the
 * same way, so that a client applies both with one parser. */
void
allset_route_write_change (AllsetJsonWriter   *w,
                           const AllsetChange *change)
{
  allset_json_writer_begin_object (w);
  allset_json_writer_int_member (w, "seq", change->seq);
  allset_json_writer_string_member (w, "op", op_name (change->op));
  allset_json_writer_string_member (w, "path", change->path);
  allset_json_writer_int_member (w, "revision", change->revision);
  if (change->op == ALLSET_OP_MOVE)
    allset_json_writer_string_member (w, "to", change->to);
  if (change->op == ALLSET_OP_PUT)
    {
      allset_json_writer_string_member (w, "file_id", change->file_id);
      allset_json_writer_int_member (w, "size", change->size);
      allset_json_writer_int_member (w, "mtime", change->mtime);
      allset_json_writer_bool_member (w, "executable", change->executable);
    }
  allset_json_writer_end_object (w);
}

AllsetHttpResponse *
allset_route_changes (AllsetServer      *server,
                      AllsetHttpRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  AllsetJsonWriter *w;
  gint64 cursor, limit, last;
  gboolean has_more = FALSE;

  if (!allset_http_request_query_int (request, "cursor", 0, 0, G_MAXINT64, &cursor, &error) ||
      !allset_http_request_query_int (request, "limit", CHANGES_MAX, 1, CHANGES_MAX, &limit, &error) ||
      !(changes = allset_store_changes (allset_server_get_store (server), request->account->id,
                                        cursor, limit, &has_more, &error)))
    return allset_http_response_new_gerror (error);

  last = changes->len > 0
         ? ((AllsetChange *) g_ptr_array_index (changes, changes->len - 1))->seq
         : MAX (cursor, 0);
  /* A cursor from the future (another server's, a typo) must not hide the
   * changes the client has not seen: answer with where the feed really is. */
  if (changes->len == 0)
    last = MIN (last, allset_store_cursor (allset_server_get_store (server), request->account->id));

w = allset_json_writer_new ();
  allset_json_writer_begin_object (w);
  allset_json_writer_int_member (w, "cursor", last);
  allset_json_writer_bool_member (w, "has_more", has_more);
  allset_json_writer_member (w, "changes");
  allset_json_writer_begin_array (w);
  for (guint i = 0; i < changes->len; i++)
    allset_route_write_change (w, g_ptr_array_index (changes, i));
  allset_json_writer_end_array (w);
  allset_json_writer_end_object (w);
  return allset_http_response_new_writer (SOUP_STATUS_OK, w);
}

JsonNode *
allset_changes_wait_body (gint64   cursor,
                          gboolean changed)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "cursor");
  json_builder_add_int_value (b, cursor);
  json_builder_set_member_name (b, "changed");
  json_builder_add_boolean_value (b, changed);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

AllsetHttpResponse *
allset_route_changes_wait (AllsetServer      *server,
                           AllsetHttpRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  AllsetHttpResponse *response;
  gint64 cursor, timeout, current;

  if (!allset_http_request_query_int (request, "cursor", 0, 0, G_MAXINT64, &cursor, &error) ||
      !allset_http_request_query_int (request, "timeout", 30, 1, 300, &timeout, &error))
    return allset_http_response_new_gerror (error);

  current = allset_store_cursor (allset_server_get_store (server), request->account->id);
  if (current > cursor)
    {
      node = allset_changes_wait_body (current, TRUE);
      return allset_http_response_new_json (SOUP_STATUS_OK, node);
    }

  /* Parked by the main loop until a commit moves the cursor. */
  response = allset_http_response_new (0);
  response->account_id = request->account->id;
  response->cursor = cursor;
  return response;
}
