/* garble-proxy.c — a proxy that garbles some of the server's answers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server is trusted for what it signs, not for the shape of what it
 * says: a proxy, a broken deployment or a half-written answer can hand a
 * client anything. A client talks to the real server through this proxy,
 * which serves the server's own certificate (the client's pinned
 * fingerprint holds) and, for a share of the answers, changes them on
 * the way back: a JSON answer mutated (fuzz-json.h), a body cut short,
 * bytes of a chunk flipped, or the status swapped for a server error;
 * a rewrite function can also change chosen answers every time.
 * Requests always reach the server unchanged, so everything a pass did
 * happened; only what it is told is wrong. The soak (one client behind
 * the proxy) and test-garbled-answers hold the engine to the invariants
 * it keeps with an honest server.
 *
 * The proxy runs in a thread of its own, forwarding each request with an
 * asynchronous libsoup call, so a pass's parallel requests stay parallel.
 */

#include <string.h>

#include <libsoup/soup.h>

#if defined(__SANITIZE_ADDRESS__)
# include <sanitizer/lsan_interface.h>
#endif

#include "fuzz-json.h"
#include "garble-proxy.h"

struct _GarbleProxy
{
  char         *upstream;   /* https://127.0.0.1:PORT, no trailing slash */
  char         *url;        /* ours, with the trailing slash */
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *server;
  SoupSession  *session;

  GarbleProxyRewriteFunc rewrite;
  gpointer      rewrite_data;

  GMutex        lock;       /* the fields below */
  GRand        *rng;
  guint         percent;
  guint         garbled;
  guint         answered;
};

typedef struct
{
  GarbleProxy        *self;
  SoupServerMessage *msg;
  SoupMessage       *upstream;
} Forward;

static gboolean
hop_by_hop (const char *name)
{
  static const char * const names[] = {
    "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Host", "Upgrade",
    "Proxy-Connection", "TE", "Trailer",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (name, names[i]) == 0)
      return TRUE;
  return FALSE;
}

static void
copy_headers (SoupMessageHeaders *from,
              SoupMessageHeaders *to)
{
  SoupMessageHeadersIter iter;
  const char *name, *value;

  soup_message_headers_iter_init (&iter, from);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    if (!hop_by_hop (name))
      soup_message_headers_append (to, name, value);
}

/* What the client gets instead of body; *status may change too. Called
 * under the lock (it draws from the shared generator). */
static GBytes *
garble (GarbleProxy *self,
        guint      *status,
        const char *content_type,
        GBytes     *body)
{
  gsize len;
  const char *data = g_bytes_get_data (body, &len);
  double what = g_rand_double (self->rng);

  if (what < 0.15)
    {
      static const guint errors[] = { 500, 502, 400, 404, 409, 422 };

      *status = errors[g_rand_int_range (self->rng, 0, G_N_ELEMENTS (errors))];
      return g_bytes_ref (body);
    }
  if (what < 0.3 && len > 0)
    return g_bytes_new_from_bytes (body, 0, g_rand_int_range (self->rng, 0, len));
  if (content_type != NULL && g_str_has_prefix (content_type, "application/json") && len > 0)
    {
      g_autofree char *text = g_strndup (data, len);
      g_autoptr(JsonNode) node = json_from_string (text, NULL);
      g_autoptr(JsonNode) changed = NULL;
      char *out;

      if (node == NULL || what < 0.45)
        return fuzz_json_mutate_text (self->rng, text);
      changed = fuzz_json_mutate (self->rng, g_steal_pointer (&node));
      out = json_to_string (changed, FALSE);
      return g_bytes_new_take (out, strlen (out));
    }
  if (len > 0)
    {
      guint8 *copy = g_memdup2 (data, len);

      copy[g_rand_int_range (self->rng, 0, len)] ^= 1 << g_rand_int_range (self->rng, 0, 8);
      return g_bytes_new_take (copy, len);
    }
  return g_bytes_ref (body);
}

static void
forwarded (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  Forward *forward = data;
  GarbleProxy *self = forward->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_autoptr(GBytes) answer = NULL;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (forward->msg);
  guint status = soup_message_get_status (forward->upstream);

  if (body == NULL)
    {
      /* The server went away (a test restarts it): say so as a gateway. */
      status = SOUP_STATUS_BAD_GATEWAY;
      body = g_bytes_new_static ("", 0);
    }
  else
    copy_headers (soup_message_get_response_headers (forward->upstream), headers);

  if (self->rewrite != NULL)
    {
      GBytes *rewritten = self->rewrite (soup_server_message_get_method (forward->msg),
                                         g_uri_get_path (soup_server_message_get_uri (forward->msg)),
                                         &status, body, self->rewrite_data);

      if (rewritten != NULL)
        {
          g_bytes_unref (body);
          body = rewritten;
        }
    }

  g_mutex_lock (&self->lock);
  self->answered++;
  if (self->percent > 0 && g_rand_int_range (self->rng, 0, 100) < (gint32) self->percent)
    {
      answer = garble (self, &status, soup_message_headers_get_content_type (headers, NULL), body);
      self->garbled++;
    }
  else
    answer = g_bytes_ref (body);
  g_mutex_unlock (&self->lock);

  soup_server_message_set_status (forward->msg, status, NULL);
  if (g_bytes_get_size (answer) > 0)
    soup_message_body_append_bytes (soup_server_message_get_response_body (forward->msg), answer);
  soup_server_message_unpause (forward->msg);

  g_object_unref (forward->msg);
  g_object_unref (forward->upstream);
  g_free (forward);
}

static gboolean
accept_upstream (SoupMessage          *msg,
                 GTlsCertificate      *certificate,
                 GTlsCertificateFlags  errors,
                 gpointer              data)
{
  /* Our own server on loopback, with its self-signed certificate. */
  return TRUE;
}

static void
handle (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           data)
{
  GarbleProxy *self = data;
  GUri *uri = soup_server_message_get_uri (msg);
  const char *raw_query = g_uri_get_query (uri);
  g_autofree char *target = g_strconcat (self->upstream, g_uri_get_path (uri),
                                         raw_query != NULL ? "?" : "", raw_query != NULL ? raw_query : "",
                                         NULL);
  SoupMessageBody *request_body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) body = soup_message_body_flatten (request_body);
  Forward *forward = g_new0 (Forward, 1);

  forward->self = self;
  forward->msg = g_object_ref (msg);
  forward->upstream = soup_message_new (soup_server_message_get_method (msg), target);
  g_assert_nonnull (forward->upstream);
  copy_headers (soup_server_message_get_request_headers (msg),
                soup_message_get_request_headers (forward->upstream));
  if (g_bytes_get_size (body) > 0)
    soup_message_set_request_body_from_bytes (forward->upstream,
                                              soup_message_headers_get_content_type (
                                                soup_server_message_get_request_headers (msg), NULL),
                                              body);
  g_signal_connect (forward->upstream, "accept-certificate", G_CALLBACK (accept_upstream), NULL);

  soup_server_message_pause (msg);
  soup_session_send_and_read_async (self->session, forward->upstream, G_PRIORITY_DEFAULT, NULL,
                                    forwarded, forward);
}

/* libsoup 3.2.3 loses the GSocket of a connection a TLS SoupServer
 * accepted, and the addresses soup_server_listen_local() and
 * soup_server_get_uris() ask for, when the server goes right after a
 * request (build-aux/lsan.supp says more). The tests' clients unwind
 * fast, so no suppression can name libsoup: what the proxy's own thread
 * and set-up allocate is kept out of LeakSanitizer instead, and the code
 * under test (the engine, in the test's threads) stays checked. */
static void
leaks_ignored (gboolean ignored)
{
#if defined(__SANITIZE_ADDRESS__)
  if (ignored)
    __lsan_disable ();
  else
    __lsan_enable ();
#endif
}

static gpointer
run (gpointer data)
{
  GarbleProxy *self = data;

  leaks_ignored (TRUE);
  g_main_context_push_thread_default (self->context);
  g_main_loop_run (self->loop);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

GarbleProxy *
garble_proxy_new (const char *upstream_url,
                 const char *cert_file,
                 const char *key_file,
                 guint32     seed)
{
  GarbleProxy *self = g_new0 (GarbleProxy, 1);
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;

  self->upstream = g_strndup (upstream_url, strlen (upstream_url) - (g_str_has_suffix (upstream_url, "/") ? 1 : 0));
  self->rng = g_rand_new_with_seed (seed);
  g_mutex_init (&self->lock);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);

  certificate = g_tls_certificate_new_from_files (cert_file, key_file, &error);
  g_assert_no_error (error);

  /* Made in the thread's context, where their sources must run. */
  leaks_ignored (TRUE);
  g_main_context_push_thread_default (self->context);
  self->server = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_handler (self->server, NULL, handle, self, NULL);
  soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_HTTPS | SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  self->session = soup_session_new_with_options ("max-conns", 16, "max-conns-per-host", 16,
                                                 "timeout", 120, NULL);
  g_main_context_pop_thread_default (self->context);

  uris = soup_server_get_uris (self->server);
  g_assert_nonnull (uris);
  self->url = g_strdup_printf ("https://127.0.0.1:%d/", g_uri_get_port (uris->data));
  leaks_ignored (FALSE);

  self->thread = g_thread_new ("garble-proxy", run, self);
  return self;
}

const char *
garble_proxy_get_url (GarbleProxy *self)
{
  return self->url;
}

void
garble_proxy_set_percent (GarbleProxy *self,
                         guint       percent)
{
  g_mutex_lock (&self->lock);
  self->percent = MIN (percent, 100);
  g_mutex_unlock (&self->lock);
}

void
garble_proxy_set_rewrite (GarbleProxy            *self,
                          GarbleProxyRewriteFunc  rewrite,
                          gpointer                user_data)
{
  self->rewrite = rewrite;
  self->rewrite_data = user_data;
}

void
garble_proxy_get_counts (GarbleProxy *self,
                        guint      *answered,
                        guint      *garbled)
{
  g_mutex_lock (&self->lock);
  *answered = self->answered;
  *garbled = self->garbled;
  g_mutex_unlock (&self->lock);
}

static gboolean
quit (gpointer data)
{
  GarbleProxy *self = data;

  soup_server_disconnect (self->server);
  g_main_loop_quit (self->loop);
  return G_SOURCE_REMOVE;
}

void
garble_proxy_free (GarbleProxy *self)
{
  if (self == NULL)
    return;
  g_main_context_invoke (self->context, quit, self);
  g_thread_join (self->thread);
  g_clear_object (&self->server);
  g_clear_object (&self->session);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_rand_free (self->rng);
  g_mutex_clear (&self->lock);
  g_free (self->upstream);
  g_free (self->url);
  g_free (self);
}
