/* allset-bench-http.c — HTTPS requests to the server under test
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <string.h>

#include "allset-batching-proxy.h"
#include "allset-bench.h"

SoupSession *
bench_session_new (BenchServer *server)
{
  /* Sync requests run on the calling thread's default context: every
   * worker thread gets its own session and connection. */
  SoupSession *session = soup_session_new_with_options ("timeout", 300,
                                                        "idle-timeout", 300,
                                                        "max-conns", 64,
                                                        "max-conns-per-host", 8,
                                                        "user-agent", "allset-bench/" PACKAGE_VERSION,
                                                        NULL);

  /* Sends as the engine does (allset-batching-stream.h). */
  allset_batching_install (session);
  return session;
}

static gboolean
on_accept_certificate (SoupMessage          *msg,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  BenchServer *server = user_data;
  g_autoptr(GByteArray) der = NULL;
  guint8 digest[32];

  /* The development certificate is self-signed: pin it instead. */
  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL ||
      gnutls_hash_fast (GNUTLS_DIG_SHA256, der->data, der->len, digest) < 0)
    return FALSE;

  return memcmp (digest, server->fingerprint, sizeof digest) == 0;
}

guint
bench_request (SoupSession  *session,
               BenchServer  *server,
               const char   *method,
               const char   *path,
               const char   *content_type,
               GBytes       *body,
               GBytes      **response,
               GError      **error)
{
  g_autofree char *url = g_strconcat (server->base_url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) answer = NULL;

  if (msg == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Bad URL %s", url);
      return 0;
    }

  g_signal_connect (msg, "accept-certificate", G_CALLBACK (on_accept_certificate), server);
  /* As the engine does (allset-client.c): a POST may use an idle
   * connection instead of a new handshake. */
  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
  if (server->token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", server->token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, content_type, body);

  answer = soup_session_send_and_read (session, msg, NULL, error);
  if (answer == NULL)
    return 0;

  if (response != NULL)
    *response = g_steal_pointer (&answer);
  return soup_message_get_status (msg);
}

JsonObject *
bench_post_json (SoupSession  *session,
                 BenchServer  *server,
                 const char   *path,
                 const char   *json,
                 gsize         json_len,
                 guint         expect_status,
                 GError      **error)
{
  g_autoptr(GBytes) body = g_bytes_new (json, json_len);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  gconstpointer data;
  gsize len;
  guint status;
  JsonNode *root;

  status = bench_request (session, server, "POST", path, "application/json",
                          body, &answer, error);
  if (status == 0)
    return NULL;

  data = g_bytes_get_data (answer, &len);
  if (status != expect_status)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "POST %s answered %u: %.*s",
                   path, status, (int) MIN (len, 400), (const char *) data);
      return NULL;
    }

  if (!json_parser_load_from_data (parser, data, len, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "POST %s: answer is not an object", path);
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

gboolean
bench_login (BenchServer  *server,
             GError      **error)
{
  g_autoptr(SoupSession) session = bench_session_new (server);
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *body = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"%s\","
                                           "\"device_name\":\"bench\"}",
                                           BENCH_USERNAME, BENCH_PASSWORD);
  const char *token = NULL;

  answer = bench_post_json (session, server, "/api/v1/login", body, strlen (body),
                            SOUP_STATUS_OK, error);
  if (answer == NULL || !allset_json_get_string (answer, "token", &token, error))
    return FALSE;

  g_free (server->token);
  server->token = g_strdup (token);
  return TRUE;
}

gboolean
bench_chunks_missing (SoupSession      *session,
                      BenchServer      *server,
                      const AllsetHash *ids,
                      guint             n,
                      gboolean         *missing_mask,
                      guint            *n_missing,
                      GError          **error)
{
  g_autoptr(GString) body = g_string_sized_new (16 + n * (ALLSET_HASH_HEX_LEN + 3));
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GHashTable) index = NULL;
  JsonArray *missing;
  guint len;

  g_string_append (body, "{\"chunks\":[");
  for (guint i = 0; i < n; i++)
    {
      char hex[ALLSET_HASH_HEX_LEN + 1];

      allset_hash_to_hex_buf (&ids[i], hex);
      g_string_append_printf (body, "%s\"%s\"", i > 0 ? "," : "", hex);
      missing_mask[i] = FALSE;
    }
  g_string_append (body, "]}");

  answer = bench_post_json (session, server, "/api/v1/chunks/missing", body->str, body->len,
                            SOUP_STATUS_OK, error);
  if (answer == NULL || !allset_json_get_array (answer, "missing", &missing, error))
    return FALSE;

  /* The answer keeps request order, but ids may repeat: match by value. */
  len = json_array_get_length (missing);
  *n_missing = 0;
  if (len == 0)
    return TRUE;

  index = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < len; i++)
    g_hash_table_add (index, (gpointer) json_array_get_string_element (missing, i));
  for (guint i = 0; i < n; i++)
    {
      char hex[ALLSET_HASH_HEX_LEN + 1];

      allset_hash_to_hex_buf (&ids[i], hex);
      if (g_hash_table_contains (index, hex))
        {
          missing_mask[i] = TRUE;
          (*n_missing)++;
        }
    }
  return TRUE;
}
