/* allset-http.c — requests and responses that cross to worker threads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "allset-http.h"
#include "allset-stream.h"

void
allset_http_request_free (AllsetHttpRequest *self)
{
  if (self == NULL)
    return;

  g_free (self->method);
  g_free (self->path);
  g_clear_pointer (&self->query, g_hash_table_unref);
  g_clear_pointer (&self->headers, soup_message_headers_unref);
  g_clear_pointer (&self->body, g_bytes_unref);
  g_free (self->remote_ip);
  g_free (self->param);
  g_clear_pointer (&self->account, allset_account_free);
  g_clear_pointer (&self->device, allset_device_free);
  g_free (self);
}

AllsetHttpResponse *
allset_http_response_new (guint status)
{
  AllsetHttpResponse *self = g_new0 (AllsetHttpResponse, 1);

  self->status = status;
  self->headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  return self;
}

AllsetHttpResponse *
allset_http_response_new_json (guint     status,
                               JsonNode *node)
{
  AllsetHttpResponse *self = allset_http_response_new (status);
  char *text = allset_json_to_string (node);

  self->content_type = g_strdup ("application/json; charset=utf-8");
  self->body = g_bytes_new_take (text, strlen (text));
  return self;
}

AllsetHttpResponse *
allset_http_response_new_object (guint        status,
                                 JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  return allset_http_response_new_json (status, root);
}

AllsetHttpResponse *
allset_http_response_new_writer (guint             status,
                                 AllsetJsonWriter *writer)
{
  AllsetHttpResponse *self = allset_http_response_new (status);
  gsize length;
  char *text = allset_json_writer_free_to_string (writer, &length);

  self->content_type = g_strdup ("application/json; charset=utf-8");
  self->body = g_bytes_new_take (text, length);
  return self;
}

AllsetHttpResponse *
allset_http_response_new_error (AllsetErrorCode  code,
                                const char      *message)
{
  g_autoptr(JsonNode) node = allset_json_error_new (allset_error_code_to_string (code), message);

  return allset_http_response_new_json (allset_error_code_http_status (code), node);
}

AllsetHttpResponse *
allset_http_response_new_gerror (const GError *error)
{
  if (error->domain == ALLSET_PROTOCOL_ERROR &&
      error->code > ALLSET_ERROR_NONE && error->code < ALLSET_ERROR_LAST &&
      error->code != ALLSET_ERROR_INTERNAL)
    return allset_http_response_new_error (error->code, error->message);

  /* Internal details (SQL, file paths) stay in the log. */
  g_warning ("Internal error: %s", error->message);
  return allset_http_response_new_error (ALLSET_ERROR_INTERNAL,
                                         "Internal server error; nothing was changed");
}

void
allset_http_response_free (AllsetHttpResponse *self)
{
  if (self == NULL)
    return;

  g_free (self->content_type);
  g_clear_pointer (&self->body, g_bytes_unref);
  g_clear_pointer (&self->stream, allset_stream_free);
  g_clear_pointer (&self->headers, soup_message_headers_unref);
  g_free (self);
}

JsonObject *
allset_http_request_json (AllsetHttpRequest  *self,
                          GError            **error)
{
  gsize len = 0;
  const char *data = self->body ? g_bytes_get_data (self->body, &len) : NULL;

  return allset_json_parse_object (data ? data : "", len, error);
}

const char *
allset_http_request_query (AllsetHttpRequest *self,
                           const char        *name)
{
  if (self->query == NULL)
    return NULL;

  return g_hash_table_lookup (self->query, name);
}

gboolean
allset_http_request_query_int (AllsetHttpRequest  *self,
                               const char         *name,
                               gint64              fallback,
                               gint64              min,
                               gint64              max,
                               gint64             *out,
                               GError            **error)
{
  const char *text = allset_http_request_query (self, name);
  gint64 value;

  if (text == NULL)
    {
      *out = fallback;
      return TRUE;
    }

  if (!g_ascii_string_to_signed (text, 10, min, max, &value, NULL))
    {
      g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_BAD_REQUEST,
                   "Parameter “%s” must be an integer between %" G_GINT64_FORMAT
                   " and %" G_GINT64_FORMAT, name, min, max);
      return FALSE;
    }

  *out = value;
  return TRUE;
}

char *
allset_http_format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_time);

  if (dt == NULL)
    return NULL;

  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

gboolean
allset_http_parse_range (const char *header,
                         guint64     size,
                         guint64    *start,
                         guint64    *end)
{
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  SoupRange *ranges = NULL;
  int n = 0;
  gboolean ok;

  if (size == 0)
    return FALSE;
  soup_message_headers_append (headers, "Range", header);
  ok = soup_message_headers_get_ranges (headers, size, &ranges, &n) && n == 1;
  if (ok)
    {
      /* libsoup does not check that a range is satisfiable: "bytes=-n"
       * longer than the body starts before it (take it all, RFC 9110
       * 14.1.2), an end past the last byte stops at it, and a start past
       * the end is unsatisfiable. */
      goffset first = MAX (ranges[0].start, 0);
      goffset last = MIN (ranges[0].end, (goffset) size - 1);

      ok = first <= last;
      *start = first;
      *end = last;
    }
  if (ranges != NULL)
    soup_message_headers_free_ranges (headers, ranges);
  return ok;
}
