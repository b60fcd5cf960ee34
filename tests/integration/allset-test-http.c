/* allset-test-http.c — requests to the test server, raw HTTP, responses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdio.h>
#include <string.h>

#include "allset-test-server-private.h"

struct _AllsetTestPending
{
  SoupMessage           *msg;
  AllsetTestResponse    *response;
  gint64                 started_at;
  gint64                 finished_at;
  AllsetTestPendingFunc  func;
  gpointer               user_data;
};

/* ------------------------------------------------------------------ */
/* HTTP                                                               */

SoupSession *
allset_test_server_new_session (AllsetTestServer *self)
{
  g_assert_nonnull (self->tls_database);

  return soup_session_new_with_options ("tls-database", self->tls_database,
                                        "timeout", SESSION_TIMEOUT_SECONDS,
                                        "max-conns", 64,
                                        "max-conns-per-host", 32,
                                        NULL);
}

SoupSession *
allset_test_server_new_session_from (AllsetTestServer *self,
                                     const char       *local_ip)
{
  g_autoptr(GInetSocketAddress) local = NULL;

  g_assert_nonnull (self->tls_database);
  local = G_INET_SOCKET_ADDRESS (g_inet_socket_address_new_from_string (local_ip, 0));
  g_assert_nonnull (local);

  return soup_session_new_with_options ("tls-database", self->tls_database,
                                        "timeout", SESSION_TIMEOUT_SECONDS,
                                        "local-address", local,
                                        NULL);
}

SoupSession *
allset_test_server_get_session (AllsetTestServer *self)
{
  g_assert_nonnull (self->session);
  return self->session;
}

void
allset_test_response_free (AllsetTestResponse *response)
{
  if (response == NULL)
    return;

  g_clear_error (&response->error);
  g_clear_pointer (&response->body, g_bytes_unref);
  g_clear_pointer (&response->headers, soup_message_headers_unref);
  g_clear_pointer (&response->json, json_node_unref);
  g_free (response);
}

static void
pending_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  AllsetTestPending *pending = user_data;
  AllsetTestResponse *response = g_new0 (AllsetTestResponse, 1);
  GBytes *body;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &response->error);
  pending->finished_at = g_get_monotonic_time ();

  if (body == NULL)
    response->body = g_bytes_new (NULL, 0);
  else
    {
      const char *content_type;

      response->status = soup_message_get_status (pending->msg);
      response->headers = soup_message_headers_ref (soup_message_get_response_headers (pending->msg));
      response->body = body;

      content_type = soup_message_headers_get_content_type (response->headers, NULL);
      if (g_strcmp0 (content_type, "application/json") == 0 && g_bytes_get_size (body) > 0)
        {
          g_autoptr(JsonParser) parser = json_parser_new ();
          gsize len;
          const char *data = g_bytes_get_data (body, &len);

          if (json_parser_load_from_data (parser, data, len, NULL) && json_parser_get_root (parser) != NULL)
            response->json = json_node_copy (json_parser_get_root (parser));
        }
    }

  pending->response = response;
  if (pending->func != NULL)
    pending->func (pending, pending->user_data);
}

AllsetTestPending *
allset_test_request_start (AllsetTestServer  *self,
                           SoupSession       *session,
                           const char        *method,
                           const char        *path,
                           const char        *token,
                           const char        *content_type,
                           GBytes            *body,
                           const char *const *headers)
{
  AllsetTestPending *pending = g_new0 (AllsetTestPending, 1);
  g_autofree char *url = g_strconcat (self->url, path, NULL);
  SoupMessageHeaders *request_headers;

  pending->msg = soup_message_new (method, url);
  if (pending->msg == NULL)
    g_error ("Not a valid URL: %s", url);
  request_headers = soup_message_get_request_headers (pending->msg);

  if (token != NULL)
    {
      g_autofree char *auth = g_strdup_printf ("Bearer %s", token);

      soup_message_headers_replace (request_headers, "Authorization", auth);
    }

  if (body != NULL)
    soup_message_set_request_body_from_bytes (pending->msg,
                                              content_type ? content_type : "application/octet-stream",
                                              body);
  else if (content_type != NULL)
    soup_message_headers_replace (request_headers, "Content-Type", content_type);

  for (guint i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL; i += 2)
    soup_message_headers_replace (request_headers, headers[i], headers[i + 1]);

  pending->started_at = g_get_monotonic_time ();
  soup_session_send_and_read_async (session != NULL ? session : allset_test_server_get_session (self),
                                    pending->msg, G_PRIORITY_DEFAULT, NULL, pending_done, pending);
  return pending;
}

void
allset_test_pending_set_callback (AllsetTestPending     *pending,
                                  AllsetTestPendingFunc  func,
                                  gpointer               user_data)
{
  g_assert_null (pending->response);
  pending->func = func;
  pending->user_data = user_data;
}

gboolean
allset_test_pending_is_done (AllsetTestPending *pending)
{
  return pending->response != NULL;
}

AllsetTestResponse *
allset_test_pending_wait (AllsetTestPending *pending)
{
  while (pending->response == NULL)
    g_main_context_iteration (NULL, TRUE);

  return pending->response;
}

AllsetTestResponse *
allset_test_pending_get_response (AllsetTestPending *pending)
{
  g_assert_nonnull (pending->response);
  return pending->response;
}

gint64
allset_test_pending_get_started_at (AllsetTestPending *pending)
{
  return pending->started_at;
}

gint64
allset_test_pending_get_finished_at (AllsetTestPending *pending)
{
  g_assert_nonnull (pending->response);
  return pending->finished_at;
}

void
allset_test_pending_free (AllsetTestPending *pending)
{
  if (pending == NULL)
    return;

  /* Freeing it earlier would leave the callback a dangling pointer. */
  g_assert_nonnull (pending->response);
  g_clear_object (&pending->msg);
  allset_test_response_free (pending->response);
  g_free (pending);
}

AllsetTestResponse *
allset_test_request (AllsetTestServer  *self,
                     SoupSession       *session,
                     const char        *method,
                     const char        *path,
                     const char        *token,
                     const char        *content_type,
                     GBytes            *body,
                     const char *const *headers)
{
  AllsetTestPending *pending = allset_test_request_start (self, session, method, path, token,
                                                          content_type, body, headers);
  AllsetTestResponse *response = allset_test_pending_wait (pending);

  /* The caller takes the response. */
  g_clear_object (&pending->msg);
  g_free (pending);
  return response;
}

AllsetTestResponse *
allset_test_get (AllsetTestServer *self,
                 const char       *path,
                 const char       *token)
{
  return allset_test_request (self, NULL, "GET", path, token, NULL, NULL, NULL);
}

AllsetTestResponse *
allset_test_delete (AllsetTestServer *self,
                    const char       *path,
                    const char       *token)
{
  return allset_test_request (self, NULL, "DELETE", path, token, NULL, NULL, NULL);
}

AllsetTestResponse *
allset_test_post_json (AllsetTestServer *self,
                       const char       *path,
                       const char       *token,
                       const char       *json)
{
  g_autoptr(GBytes) body = json != NULL ? g_bytes_new (json, strlen (json)) : NULL;

  return allset_test_request (self, NULL, "POST", path, token,
                              "application/json; charset=utf-8", body, NULL);
}

AllsetTestResponse *
allset_test_getf (AllsetTestServer *self,
                  const char       *token,
                  const char       *path_format,
                  ...)
{
  g_autofree char *path = NULL;
  va_list ap;

  va_start (ap, path_format);
  path = g_strdup_vprintf (path_format, ap);
  va_end (ap);

  return allset_test_get (self, path, token);
}

AllsetTestResponse *
allset_test_post_jsonf (AllsetTestServer *self,
                        const char       *path,
                        const char       *token,
                        const char       *json_format,
                        ...)
{
  g_autofree char *json = NULL;
  va_list ap;

  va_start (ap, json_format);
  json = g_strdup_vprintf (json_format, ap);
  va_end (ap);

  return allset_test_post_json (self, path, token, json);
}

/* ------------------------------------------------------------------ */
/* Raw HTTP                                                           */

static void
on_client_event (GSocketClient      *client,
                 GSocketClientEvent  event,
                 GSocketConnectable *connectable,
                 GIOStream          *connection,
                 gpointer            user_data)
{
  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING)
    g_tls_connection_set_database (G_TLS_CONNECTION (connection), user_data);
}

GIOStream *
allset_test_raw_connect (AllsetTestServer *self,
                         guint             timeout_seconds)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;

  g_socket_client_set_tls (client, TRUE);
  g_socket_client_set_timeout (client, timeout_seconds);
  g_signal_connect (client, "event", G_CALLBACK (on_client_event), self->tls_database);

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", self->port, NULL, &error);
  g_assert_no_error (error);
  return G_IO_STREAM (connection);
}

char *
allset_test_raw_request (AllsetTestServer *self,
                         const char       *head,
                         gconstpointer     body,
                         gsize             body_len,
                         guint             timeout_seconds)
{
  g_autoptr(GIOStream) connection = allset_test_raw_connect (self, timeout_seconds);
  g_autoptr(GError) error = NULL;
  GByteArray *received = g_byte_array_new ();
  GOutputStream *out;
  GInputStream *in;
  guint8 buffer[16384];

  out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_output_stream_write_all (out, head, strlen (head), NULL, NULL, &error);
  g_assert_no_error (error);
  /* The server may answer and close before it has all of the body. */
  if (body_len > 0)
    g_output_stream_write_all (out, body, body_len, NULL, NULL, NULL);
  g_output_stream_flush (out, NULL, NULL);

  in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  for (;;)
    {
      gssize n = g_input_stream_read (in, buffer, sizeof buffer, NULL, NULL);

      if (n <= 0)
        break;
      g_byte_array_append (received, buffer, n);
    }

  g_byte_array_append (received, (const guint8 *) "", 1);
  return (char *) g_byte_array_free (received, FALSE);
}

guint
allset_test_raw_status (const char *raw)
{
  guint status = 0;

  if (raw == NULL || sscanf (raw, "HTTP/1.1 %u ", &status) != 1)
    return 0;
  return status;
}

/* ------------------------------------------------------------------ */
/* Responses and JSON                                                 */

JsonNode *
allset_test_json_lookup (JsonNode   *root,
                         const char *path)
{
  g_auto(GStrv) parts = NULL;
  JsonNode *node = root;

  if (root == NULL || path == NULL || *path == '\0')
    return root;

  parts = g_strsplit (path, ".", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (JSON_NODE_HOLDS_OBJECT (node))
        {
          JsonObject *object = json_node_get_object (node);

          if (!json_object_has_member (object, parts[i]))
            return NULL;
          node = json_object_get_member (object, parts[i]);
        }
      else if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);
          guint64 index;

          if (!g_ascii_string_to_unsigned (parts[i], 10, 0, G_MAXUINT, &index, NULL) ||
              index >= json_array_get_length (array))
            return NULL;
          node = json_array_get_element (array, index);
        }
      else
        return NULL;
    }

  return node;
}

const char *
allset_test_response_header (AllsetTestResponse *response,
                             const char         *name)
{
  if (response->headers == NULL)
    return NULL;
  return soup_message_headers_get_one (response->headers, name);
}

char *
allset_test_response_describe (AllsetTestResponse *response)
{
  gsize len;
  const char *data = g_bytes_get_data (response->body, &len);
  const char *content_type = allset_test_response_header (response, "Content-Type");
  gboolean text = content_type != NULL &&
                  (g_str_has_prefix (content_type, "application/json") || g_str_has_prefix (content_type, "text/"));

  if (response->error != NULL)
    return g_strdup_printf ("request failed: %s", response->error->message);

  if (text)
    return g_strdup_printf ("HTTP %u, %s, body: %.*s", response->status, content_type,
                            (int) MIN (len, 4000), data ? data : "");
  return g_strdup_printf ("HTTP %u, %s, %" G_GSIZE_FORMAT " bytes of body", response->status,
                          content_type ? content_type : "no content type", len);
}

static void
fail_at (AllsetTestResponse *response,
         const char         *file,
         int                 line,
         const char         *format,
         ...) G_GNUC_PRINTF (4, 5);

static void
fail_at (AllsetTestResponse *response,
         const char         *file,
         int                 line,
         const char         *format,
         ...)
{
  g_autofree char *what = NULL;
  g_autofree char *description = allset_test_response_describe (response);
  g_autofree char *message = NULL;
  va_list ap;

  va_start (ap, format);
  what = g_strdup_vprintf (format, ap);
  va_end (ap);

  message = g_strdup_printf ("%s\n  response: %s", what, description);
  g_assertion_message (G_LOG_DOMAIN, file, line, "", message);
}

JsonNode *
allset_test_response_get_node_at (AllsetTestResponse *r,
                                  const char         *path,
                                  const char         *file,
                                  int                 line)
{
  JsonNode *node = allset_test_json_lookup (r->json, path);

  if (node == NULL)
    fail_at (r, file, line, "no JSON member “%s”", path);
  return node;
}

static JsonNode *
get_value (AllsetTestResponse *r,
           const char         *path,
           GType               type,
           const char         *file,
           int                 line)
{
  JsonNode *node = allset_test_response_get_node_at (r, path, file, line);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != type)
    {
      fail_at (r, file, line, "JSON member “%s” is not a %s", path, g_type_name (type));
      return NULL;
    }
  return node;
}

const char *
allset_test_response_get_string_at (AllsetTestResponse *r,
                                    const char         *path,
                                    const char         *file,
                                    int                 line)
{
  JsonNode *node = get_value (r, path, G_TYPE_STRING, file, line);

  return node != NULL ? json_node_get_string (node) : NULL;
}

gint64
allset_test_response_get_int_at (AllsetTestResponse *r,
                                 const char         *path,
                                 const char         *file,
                                 int                 line)
{
  JsonNode *node = get_value (r, path, G_TYPE_INT64, file, line);

  return node != NULL ? json_node_get_int (node) : 0;
}

gboolean
allset_test_response_get_bool_at (AllsetTestResponse *r,
                                  const char         *path,
                                  const char         *file,
                                  int                 line)
{
  JsonNode *node = get_value (r, path, G_TYPE_BOOLEAN, file, line);

  return node != NULL ? json_node_get_boolean (node) : FALSE;
}

guint
allset_test_response_get_length_at (AllsetTestResponse *r,
                                    const char         *path,
                                    const char         *file,
                                    int                 line)
{
  JsonNode *node = allset_test_response_get_node_at (r, path, file, line);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      fail_at (r, file, line, "JSON member “%s” is not an array", path);
      return 0;
    }
  return json_array_get_length (json_node_get_array (node));
}

gboolean
allset_test_response_is_null_at (AllsetTestResponse *r,
                                 const char         *path,
                                 const char         *file,
                                 int                 line)
{
  JsonNode *node = allset_test_response_get_node_at (r, path, file, line);

  return node != NULL && JSON_NODE_HOLDS_NULL (node);
}

void
allset_test_assert_status_at (AllsetTestResponse *r,
                              guint               status,
                              const char         *file,
                              int                 line)
{
  if (r->status != status)
    fail_at (r, file, line, "expected HTTP %u", status);
}

void
allset_test_assert_error_at (AllsetTestResponse *r,
                             guint               status,
                             const char         *code,
                             const char         *file,
                             int                 line)
{
  const char *content_type = allset_test_response_header (r, "Content-Type");
  const char *actual;
  const char *message;

  if (r->status != status)
    {
      fail_at (r, file, line, "expected HTTP %u %s", status, code);
      return;
    }
  if (content_type == NULL || !g_str_has_prefix (content_type, "application/json"))
    fail_at (r, file, line, "an error body is JSON");

  actual = allset_test_response_get_string_at (r, "error.code", file, line);
  if (g_strcmp0 (actual, code) != 0)
    fail_at (r, file, line, "expected error code “%s”", code);

  message = allset_test_response_get_string_at (r, "error.message", file, line);
  if (message == NULL || *message == '\0')
    fail_at (r, file, line, "an error has a message");
}
