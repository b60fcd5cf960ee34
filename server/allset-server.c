/* allset-server.c — the HTTPS server: routing, workers, push, pacing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything here runs on the main loop and never blocks: a request is
 * snapshotted into an AllsetHttpRequest, its route runs in a GTask thread,
 * and the response is applied when the task returns. The main loop keeps
 * only what must be shared between requests without locks: bandwidth
 * buckets, parked long polls and the maintenance state.
 */

#include <errno.h>
#include <glib/gi18n.h>

#include "allset-acceptor.h"
#include "allset-bandwidth.h"
#include "allset-body.h"
#include "allset-chunk-store-fs.h"
#include "allset-maintenance.h"
#include "allset-pack-collect.h"
#include "allset-pacing.h"
#include "allset-push.h"
#include "allset-reaper.h"
#include "allset-server-private.h"
#include "allset-share-page.h"
#include "allset-stream.h"

#define PURGE_INTERVAL_SECONDS      3600
/* Clients reconnect at will; an idle connection only costs a descriptor. */
#define KEEPALIVE_IDLE_SECONDS      120

typedef enum
{
  ROUTE_PUBLIC        = 1 << 0,  /* no token needed */
  ROUTE_PARAM         = 1 << 1,  /* path is a prefix followed by {id} */
  ROUTE_UPLOAD        = 1 << 2,  /* body counts against the upload bucket */
  ROUTE_BINARY_BODY   = 1 << 3,  /* body is not JSON: own size limit */
  ROUTE_PREFIX        = 1 << 4,  /* path is a prefix; the rest, slashes included, is the param */
  ROUTE_RECORD_BODY   = 1 << 5,  /* body is a chunk: collected as its segment record (allset-body.h) */
} RouteFlags;

typedef struct
{
  const char      *method;
  const char      *path;
  RouteFlags       flags;
  gsize            max_body;
  AllsetRouteFunc  func;
} Route;

static const Route routes[] = {
  { "POST",   "/api/v1/login",              ROUTE_PUBLIC, 0, allset_route_login },
  { "POST",   "/api/v1/logout",             0, 0, allset_route_logout },
  { "GET",    "/api/v1/account",            0, 0, allset_route_account },
  { "GET",    "/api/v1/devices",            0, 0, allset_route_devices },
  { "POST",   "/api/v1/devices/revoke-all", 0, 0, allset_route_devices_revoke_all },
  { "DELETE", "/api/v1/devices/",           ROUTE_PARAM, 0, allset_route_device_revoke },
  { "POST",   "/api/v1/chunks/missing",     0, 0, allset_route_chunks_missing },
  { "POST",   "/api/v1/chunks/pack",        ROUTE_UPLOAD | ROUTE_BINARY_BODY, ALLSET_PACK_MAX_BYTES, allset_route_chunk_pack },
  { "PUT",    "/api/v1/chunks/",            ROUTE_PARAM | ROUTE_UPLOAD | ROUTE_BINARY_BODY | ROUTE_RECORD_BODY, ALLSET_CHUNK_MAX, allset_route_chunk_put },
  { "GET",    "/api/v1/chunks/",            ROUTE_PARAM, 0, allset_route_chunk_get },
  { "POST",   "/api/v1/chunks/fetch",       0, 0, allset_route_chunks_fetch },
  { "POST",   "/api/v1/commit",             0, 0, allset_route_commit },
  { "GET",    "/api/v1/file",               0, 0, allset_route_file },
  { "POST",   "/api/v1/files",              0, 0, allset_route_files },
  { "GET",    "/api/v1/list",               0, 0, allset_route_list },
  { "GET",    "/api/v1/changes",            0, 0, allset_route_changes },
  { "GET",    "/api/v1/changes/wait",       0, 0, allset_route_changes_wait },
  { "GET",    "/api/v1/versions",           0, 0, allset_route_versions },
  { "POST",   "/api/v1/versions/restore",   0, 0, allset_route_version_restore },
  { "GET",    "/api/v1/trash",              0, 0, allset_route_trash },
  { "POST",   "/api/v1/trash/restore",      0, 0, allset_route_trash_restore },
  { "POST",   "/api/v1/shares",             0, 0, allset_route_share_create },
  { "GET",    "/api/v1/shares",             0, 0, allset_route_shares_list },
  { "PATCH",  "/api/v1/shares/",            ROUTE_PARAM, 0, allset_route_share_update },
  { "DELETE", "/api/v1/shares/",            ROUTE_PARAM, 0, allset_route_share_revoke },
  { "GET",    "/s/",                        ROUTE_PUBLIC | ROUTE_PREFIX, 0, allset_route_share_page },
  { "POST",   "/s/",                        ROUTE_PUBLIC | ROUTE_PREFIX, 0, allset_route_share_unlock },
  { "GET",    "/robots.txt",                ROUTE_PUBLIC, 0, allset_route_robots },
};

struct _AllsetServer
{
  GObject             parent_instance;

  AllsetServerConfig *config;
  SoupServer         *soup;
  AllsetStore        *store;
  AllsetChunkStore   *chunks;
  AllsetSegments     *segments;
  AllsetSigner       *signer;
  AllsetThrottle     *throttle;

  /* Main loop only. */
  GHashTable         *up_buckets;      /* account id → AllsetBucket */
  GHashTable         *down_buckets;    /* account id → AllsetBucket */
  GHashTable         *token_accounts;  /* token hash hex → account id, for upload pacing */
  AllsetPush         *push;
  AllsetAcceptor     *acceptor;
  AllsetReaper       *reaper;
  AllsetMaintenance  *maintenance;
  guint               purge_id;
};

G_DEFINE_FINAL_TYPE (AllsetServer, allset_server, G_TYPE_OBJECT)

/* One request in flight: keeps the message alive across the worker. */
typedef struct
{
  AllsetServer      *server;
  SoupServerMessage *msg;
  const Route       *route;
  gboolean           finished;
  gulong             finished_id;
} Exchange;

static gint64 *
int64_key (gint64 value)
{
  return g_memdup2 (&value, sizeof value);
}

static AllsetBucket *
get_bucket (GHashTable   *buckets,
            guint64       rate_bps,
            gint64        account_id)
{
  AllsetBucket *bucket = g_hash_table_lookup (buckets, &account_id);

  if (bucket == NULL)
    {
      /* A quarter of a second of burst keeps pacing smooth without letting
       * parallel connections overshoot the cap. */
      bucket = allset_bucket_new (rate_bps, MAX (ALLSET_PACE_PIECE, rate_bps / 8 / 4));
      g_hash_table_insert (buckets, int64_key (account_id), bucket);
    }

  return bucket;
}

/* ------------------------------------------------------------------ */
/* Exchanges                                                          */

static void
exchange_on_finished (SoupServerMessage *msg,
                      Exchange          *exchange)
{
  exchange->finished = TRUE;
}

static Exchange *
exchange_new (AllsetServer      *self,
              SoupServerMessage *msg,
              const Route       *route)
{
  Exchange *exchange = g_new0 (Exchange, 1);

  exchange->server = g_object_ref (self);
  exchange->msg = g_object_ref (msg);
  exchange->route = route;
  exchange->finished_id = g_signal_connect (msg, "finished",
                                            G_CALLBACK (exchange_on_finished), exchange);
  return exchange;
}

static void
exchange_free (Exchange *exchange)
{
  g_clear_signal_handler (&exchange->finished_id, exchange->msg);
  g_object_unref (exchange->msg);
  g_object_unref (exchange->server);
  g_free (exchange);
}

static void
set_json_response (SoupServerMessage *msg,
                   guint              status,
                   JsonNode          *node)
{
  g_autofree char *text = allset_json_to_string (node);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json; charset=utf-8",
                                    SOUP_MEMORY_COPY, text, strlen (text));
}

static void
set_error_response (SoupServerMessage *msg,
                    AllsetErrorCode    code,
                    const char        *message)
{
  g_autoptr(JsonNode) node = allset_json_error_new (allset_error_code_to_string (code), message);

  set_json_response (msg, allset_error_code_http_status (code), node);
}

static const char *
bearer_token (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *auth = soup_message_headers_get_one (headers, "Authorization");

  if (auth == NULL || g_ascii_strncasecmp (auth, "Bearer ", 7) != 0)
    return NULL;

  return auth + 7;
}

static char *
token_key (const char *token)
{
  AllsetHash hash;

  allset_sha256 (token, strlen (token), &hash);
  return allset_hash_to_hex (&hash);
}

/* ------------------------------------------------------------------ */
/* Routing                                                            */

static const Route *
find_route (const char  *method,
            const char  *path,
            const char **param,
            gboolean    *wrong_method)
{
  *wrong_method = FALSE;
  *param = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      const Route *route = &routes[i];
      gboolean matches;

      if (route->flags & ROUTE_PREFIX)
        matches = g_str_has_prefix (path, route->path) &&
                  path[strlen (route->path)] != '\0';
      else if (route->flags & ROUTE_PARAM)
        matches = g_str_has_prefix (path, route->path) &&
                  path[strlen (route->path)] != '\0' &&
                  strchr (path + strlen (route->path), '/') == NULL;
      else
        matches = g_str_equal (path, route->path);

      if (!matches)
        continue;

      if (!g_str_equal (route->method, method))
        {
          *wrong_method = TRUE;
          continue;
        }

      if (route->flags & (ROUTE_PARAM | ROUTE_PREFIX))
        *param = path + strlen (route->path);
      return route;
    }

  return NULL;
}

static void
handle_status (AllsetServer      *self,
               SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "service");
  json_builder_add_string_value (b, "allset-server");
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, PACKAGE_VERSION);
  json_builder_set_member_name (b, "protocol");
  json_builder_add_int_value (b, ALLSET_PROTOCOL_VERSION);

  allset_maintenance_add_status (self->maintenance, b);

  json_builder_set_member_name (b, "limits");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "bandwidth_up_bps");
  json_builder_add_int_value (b, self->config->bandwidth_up_bps);
  json_builder_set_member_name (b, "bandwidth_down_bps");
  json_builder_add_int_value (b, self->config->bandwidth_down_bps);
  json_builder_set_member_name (b, "chunk_min");
  json_builder_add_int_value (b, ALLSET_CHUNK_MIN);
  json_builder_set_member_name (b, "chunk_avg");
  json_builder_add_int_value (b, ALLSET_CHUNK_AVG);
  json_builder_set_member_name (b, "chunk_max");
  json_builder_add_int_value (b, ALLSET_CHUNK_MAX);
  json_builder_set_member_name (b, "pack_max_bytes");
  json_builder_add_int_value (b, ALLSET_PACK_MAX_BYTES);
  json_builder_set_member_name (b, "small_chunk_max");
  json_builder_add_int_value (b, ALLSET_SMALL_CHUNK_MAX);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "receipt_key");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "algorithm");
  json_builder_add_string_value (b, "ed25519");
  json_builder_set_member_name (b, "public_key");
  json_builder_add_string_value (b, allset_signer_get_public_key (self->signer));
  json_builder_set_member_name (b, "key_id");
  json_builder_add_string_value (b, allset_signer_get_key_id (self->signer));
  json_builder_end_object (b);
  json_builder_end_object (b);

  node = json_builder_get_root (b);
  set_json_response (msg, SOUP_STATUS_OK, node);
}

/* ------------------------------------------------------------------ */
/* Running routes in workers                                          */

static void
route_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  AllsetServer *self = source_object;
  AllsetHttpRequest *request = task_data;
  Exchange *exchange = g_object_get_data (G_OBJECT (task), "exchange");
  AllsetHttpResponse *response = NULL;

  if (!(exchange->route->flags & ROUTE_PUBLIC))
    response = allset_route_authenticate (self, request);

  if (response == NULL)
    response = exchange->route->func (self, request);

  g_task_return_pointer (task, response, (GDestroyNotify) allset_http_response_free);
}

static void
apply_response (AllsetServer       *self,
                SoupServerMessage  *msg,
                AllsetHttpResponse *response)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  SoupMessageHeadersIter iter;
  const char *name, *value;

  soup_server_message_set_status (msg, response->status, NULL);

  soup_message_headers_iter_init (&iter, response->headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    soup_message_headers_append (headers, name, value);

  if (response->body == NULL && response->stream == NULL)
    return;

  if (response->content_type)
    soup_message_headers_set_content_type (headers, response->content_type, NULL);

  if (response->stream != NULL)
    {
      allset_stream_send (g_steal_pointer (&response->stream), msg,
                          response->account_id > 0 && self->config->bandwidth_down_bps > 0
                          ? get_bucket (self->down_buckets, self->config->bandwidth_down_bps,
                                        response->account_id)
                          : NULL);
      return;
    }

  if (response->account_id > 0 && self->config->bandwidth_down_bps > 0 &&
      g_bytes_get_size (response->body) > 0)
    allset_pacing_send_body (msg, response->body,
                             get_bucket (self->down_buckets, self->config->bandwidth_down_bps,
                                         response->account_id));
  else
    soup_message_body_append_bytes (soup_server_message_get_response_body (msg), response->body);
}

static void
route_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  AllsetServer *self = ALLSET_SERVER (object);
  Exchange *exchange = g_object_get_data (G_OBJECT (result), "exchange");
  AllsetHttpRequest *request = g_task_get_task_data (G_TASK (result));
  g_autoptr(AllsetHttpResponse) response = g_task_propagate_pointer (G_TASK (result), NULL);

  if (request->account != NULL)
    {
      g_autofree char *key = NULL;
      const char *token = bearer_token (exchange->msg);

      if (token != NULL && (key = token_key (token)) != NULL &&
          !g_hash_table_contains (self->token_accounts, key))
        g_hash_table_insert (self->token_accounts, g_steal_pointer (&key),
                             int64_key (request->account->id));
    }

  if (response->status == 0)
    {
      gint64 timeout = 30;

      allset_http_request_query_int (request, "timeout", 30, 1, 300, &timeout, NULL);
      if (!exchange->finished)
        allset_push_park (self->push, exchange->msg, response->account_id,
                          response->cursor, timeout);
    }
  else
    {
      if (response->cursor_moved)
        allset_push_notify (self->push, response->account_id, response->cursor);

      if (!exchange->finished)
        {
          apply_response (self, exchange->msg, response);
          soup_server_message_unpause (exchange->msg);
        }
    }

  g_clear_pointer (&exchange, exchange_free);
}

static AllsetHttpRequest *
snapshot_request (SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  const char        *param)
{
  AllsetHttpRequest *request = g_new0 (AllsetHttpRequest, 1);
  SoupMessageHeaders *in = soup_server_message_get_request_headers (msg);
  SoupMessageHeadersIter iter;
  const char *name, *value;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  request->method = g_strdup (soup_server_message_get_method (msg));
  request->path = g_strdup (path);
  request->param = g_strdup (param);
  request->remote_ip = g_strdup (soup_server_message_get_remote_host (msg));

  if (query != NULL)
    {
      GHashTableIter qiter;
      gpointer k, v;

      request->query = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_iter_init (&qiter, query);
      while (g_hash_table_iter_next (&qiter, &k, &v))
        g_hash_table_insert (request->query, g_strdup (k), g_strdup (v));
    }

  request->headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  soup_message_headers_iter_init (&iter, in);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    soup_message_headers_append (request->headers, name, value);

  request->body = allset_body_steal (msg, &request->body_block);
  if (request->body == NULL)
    {
      request->body = soup_message_body_flatten (body);
      /* The flattened copy is all the route needs: drop the pieces now
       * rather than hold the body twice until the response is sent. */
      soup_message_body_truncate (body);
    }
  return request;
}

static void
server_callback (SoupServer        *soup,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  AllsetServer *self = user_data;
  const Route *route;
  const char *param;
  gboolean wrong_method;
  GTask *task;
  Exchange *exchange;
  const char *query_text;

  /* Set by the early handler: the body was refused unread. */
  if (soup_server_message_get_status (msg) != 0)
    return;

  if (g_str_equal (path, "/api/v1/status"))
    {
      if (g_str_equal (soup_server_message_get_method (msg), "GET"))
        handle_status (self, msg);
      else
        set_error_response (msg, ALLSET_ERROR_METHOD_NOT_ALLOWED, "Use GET");
      return;
    }

  route = find_route (soup_server_message_get_method (msg), path, &param, &wrong_method);
  if (route == NULL)
    {
      if (wrong_method)
        set_error_response (msg, ALLSET_ERROR_METHOD_NOT_ALLOWED, "Method not allowed for this endpoint");
      else
        set_error_response (msg, ALLSET_ERROR_NOT_FOUND, "No such endpoint");
      return;
    }

  if (allset_maintenance_refuse (self->maintenance, msg))
    return;

  /* libsoup decodes the query into C strings, so a "%00" would silently
   * cut a value short: "path=a%00b" would read as "a". */
  query_text = g_uri_get_query (soup_server_message_get_uri (msg));
  if (query_text != NULL && strstr (query_text, "%00") != NULL)
    {
      /* Public pages answer in French HTML with their headers, always. */
      if (route->func == allset_route_share_page || route->func == allset_route_share_unlock)
        {
          g_autoptr(AllsetHttpResponse) response = allset_share_page_not_found ();

          apply_response (self, msg, response);
        }
      else
        set_error_response (msg, ALLSET_ERROR_BAD_REQUEST, "A query parameter may not contain a NUL (%00)");
      return;
    }

  exchange = exchange_new (self, msg, route);
  soup_server_message_pause (msg);

  task = g_task_new (self, NULL, route_done, NULL);
  g_task_set_source_tag (task, server_callback);
  g_object_set_data (G_OBJECT (task), "exchange", exchange);
  g_task_set_task_data (task, snapshot_request (msg, path, query, param),
                        (GDestroyNotify) allset_http_request_free);
  g_task_run_in_thread (task, route_thread);
  g_object_unref (task);
}

/* Answers from the headers alone, and closes the connection. libsoup 3.2
 * sends that answer before the body only to a client that asked for
 * "Expect: 100-continue"; from any other client it still reads the body to
 * its end, so at least it must not keep it: an anonymous client announcing
 * gigabytes would otherwise make the server hold them all in memory. */
static void
refuse_body (SoupServerMessage *msg,
             AllsetErrorCode    code,
             const char        *message)
{
  set_error_response (msg, code, message);
  soup_message_headers_append (soup_server_message_get_response_headers (msg), "Connection", "close");
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
}

/* Runs once the headers are in, before the body is read: refuse what is
 * too large without keeping it, and pace uploads. */
static void
early_callback (SoupServer        *soup,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  AllsetServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const Route *route;
  const char *param;
  gboolean wrong_method;
  goffset length = 0;
  gsize max_body = ALLSET_JSON_MAX_BYTES;
  SoupEncoding encoding = soup_message_headers_get_encoding (headers);

  route = find_route (soup_server_message_get_method (msg), path, &param, &wrong_method);
  if (route != NULL && (route->flags & ROUTE_BINARY_BODY))
    max_body = route->max_body;

  if (encoding == SOUP_ENCODING_CONTENT_LENGTH)
    length = soup_message_headers_get_content_length (headers);
  else if (encoding != SOUP_ENCODING_NONE)
    {
      /* A body without a length could grow without bound. */
      refuse_body (msg, ALLSET_ERROR_LENGTH_REQUIRED, "Send a Content-Length with the body");
      return;
    }

  if ((gsize) length > max_body)
    {
      g_autofree char *message = g_strdup_printf ("The body may not exceed %" G_GSIZE_FORMAT " bytes", max_body);

      refuse_body (msg, ALLSET_ERROR_PAYLOAD_TOO_LARGE, message);
      return;
    }

  if (route != NULL && (route->flags & ROUTE_BINARY_BODY) && length > 0)
    allset_body_collect (msg, length,
                         (route->flags & ROUTE_RECORD_BODY) ? ALLSET_PACK_RECORD_HEADER : 0);

  if (route != NULL && (route->flags & ROUTE_UPLOAD) && self->config->bandwidth_up_bps > 0)
    {
      const char *token = bearer_token (msg);
      g_autofree char *key = token ? token_key (token) : NULL;
      gint64 *account_id = key ? g_hash_table_lookup (self->token_accounts, key) : NULL;

      if (account_id != NULL)
        allset_pacing_read_body (msg, get_bucket (self->up_buckets, self->config->bandwidth_up_bps,
                                                  *account_id));
    }
}

/* ------------------------------------------------------------------ */
/* Background upkeep                                                  */

static gboolean
remove_chunk_bytes (gint64            account_id,
                    const AllsetHash *id,
                    gpointer          user_data)
{
  g_autoptr(GError) error = NULL;

  if (!allset_chunk_store_remove (user_data, account_id, id, &error))
    {
      g_warning ("Cannot collect a chunk: %s", error->message);
      return FALSE;
    }
  return TRUE;
}

/* Retention (versions, trash), then the bytes no one references any more. */
static void
purge_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  AllsetServer *self = source_object;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) collected = NULL;
  AllsetPackCollectStats packs;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint purged;

  purged = allset_store_purge (self->store, &self->config->retention, now, &error);
  if (error != NULL)
    {
      g_warning ("Retention purge failed: %s", error->message);
      g_clear_error (&error);
    }
  else if (purged > 0)
    g_message ("Retention purge removed %u old versions and trash entries", purged);

  collected = allset_store_chunks_collect (self->store, now, 0, remove_chunk_bytes,
                                           self->chunks, &error);
  if (collected == NULL)
    {
      g_warning ("Chunk collection failed: %s", error->message);
      g_clear_error (&error);
    }
  else if (collected->len > 0)
    g_message ("Collected %u unreferenced chunks", collected->len);

  if (!allset_packs_collect (self->store, self->chunks, now, &packs, &error))
    g_warning ("Pack collection failed: %s", error->message);
  else if (packs.removed > 0 || packs.compacted > 0)
    g_message ("Removed %u empty packs, compacted %u", packs.removed, packs.compacted);

  g_task_return_boolean (task, TRUE);
}

static gboolean
run_purge (gpointer data)
{
  AllsetServer *self = data;
  g_autoptr(GTask) task = g_task_new (self, NULL, NULL, NULL);

  g_task_run_in_thread (task, purge_thread);
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------ */

static void
allset_server_finalize (GObject *object)
{
  AllsetServer *self = ALLSET_SERVER (object);

  g_clear_handle_id (&self->purge_id, g_source_remove);
  /* Its signal handlers go before the server they watch. */
  g_clear_pointer (&self->reaper, allset_reaper_free);
  g_clear_pointer (&self->acceptor, allset_acceptor_free);
  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  g_clear_object (&self->store);
  g_clear_object (&self->segments);
  g_clear_object (&self->chunks);
  g_clear_object (&self->signer);
  g_clear_pointer (&self->throttle, allset_throttle_free);
  g_clear_pointer (&self->up_buckets, g_hash_table_unref);
  g_clear_pointer (&self->down_buckets, g_hash_table_unref);
  g_clear_pointer (&self->token_accounts, g_hash_table_unref);
  g_clear_pointer (&self->push, allset_push_free);
  g_clear_object (&self->maintenance);
  g_clear_pointer (&self->config, allset_server_config_free);

  G_OBJECT_CLASS (allset_server_parent_class)->finalize (object);
}

static void
allset_server_class_init (AllsetServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = allset_server_finalize;
}

static void
allset_server_init (AllsetServer *self)
{
  self->up_buckets = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                            (GDestroyNotify) allset_bucket_free);
  self->down_buckets = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                              (GDestroyNotify) allset_bucket_free);
  self->token_accounts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->push = allset_push_new ();
}

AllsetStore *
allset_server_get_store (AllsetServer *self)
{
  return self->store;
}

AllsetChunkStore *
allset_server_get_chunk_store (AllsetServer *self)
{
  return self->chunks;
}

AllsetSegments *
allset_server_get_segments (AllsetServer *self)
{
  return self->segments;
}

AllsetSigner *
allset_server_get_signer (AllsetServer *self)
{
  return self->signer;
}

AllsetThrottle *
allset_server_get_throttle (AllsetServer *self)
{
  return self->throttle;
}

const AllsetServerConfig *
allset_server_get_config (AllsetServer *self)
{
  return self->config;
}

guint16
allset_server_get_port (AllsetServer *self)
{
  return allset_acceptor_get_port (self->acceptor);
}

AllsetServer *
allset_server_new (AllsetServerConfig  *config,
                   GTlsCertificate     *certificate,
                   GError             **error)
{
  g_autoptr(AllsetServer) self = g_object_new (ALLSET_TYPE_SERVER, NULL);
  g_autofree char *db_path = NULL;
  g_autofree char *chunk_root = NULL;
  g_autofree char *key_path = NULL;
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;

  self->config = config;

  if (g_mkdir_with_parents (config->data_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot create the data directory %s: %s"),
                   config->data_dir, g_strerror (saved_errno));
      return NULL;
    }

  db_path = g_build_filename (config->data_dir, "allset.db", NULL);
  chunk_root = g_build_filename (config->data_dir, "chunks", NULL);
  key_path = g_build_filename (config->data_dir, "receipt-key.pem", NULL);

  if (!(self->store = allset_store_open (db_path, error)) ||
      !(self->chunks = allset_chunk_store_fs_new (chunk_root, error)) ||
      !(self->signer = allset_signer_load_or_create (key_path, error)))
    return NULL;

  self->segments = allset_segments_new (self->store, self->chunks, ALLSET_SEGMENT_MAX_SIZE);
  self->throttle = allset_throttle_new (config->login_max_failures, config->login_window);

  /* raw-paths: routes see the path as sent. Decoded, "/s/TOKEN%2Fzip"
   * would read as "/s/TOKEN/zip"; no endpoint needs an encoded path. */
  self->soup = soup_server_new ("tls-certificate", certificate,
                                "server-header", "allset-server/" PACKAGE_VERSION " ",
                                "raw-paths", TRUE,
                                NULL);
  if (self->soup == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot create the HTTPS server"));
      return NULL;
    }

  /* Same (default) path as the main handler: libsoup keeps one entry per
   * path, and an early-only entry would shadow the main handler. */
  soup_server_add_early_handler (self->soup, NULL, early_callback, self, NULL);
  soup_server_add_handler (self->soup, NULL, server_callback, self, NULL);

  address = g_inet_address_new_from_string (config->listen_host);
  if (address == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an IP address to listen on"), config->listen_host);
      return NULL;
    }
  socket_address = g_inet_socket_address_new (address, config->listen_port);
  /* Before the reaper: its request-started handler asks the acceptor for
   * the socket the acceptor's own handler names. */
  if (!(self->acceptor = allset_acceptor_new (self->soup, socket_address, error)))
    return NULL;
  self->reaper = allset_reaper_new (self->soup, KEEPALIVE_IDLE_SECONDS);

  self->maintenance = allset_maintenance_new (self->store);
  self->purge_id = g_timeout_add_seconds (PURGE_INTERVAL_SECONDS, run_purge, self);
  run_purge (self);

  return g_steal_pointer (&self);
}

