/* test-batching.c — AllsetBatchingStream gathers small writes into large
 * sends and sends them before any read; AllsetBatchingResolver and
 * AllsetBatchingProxy put it under every direct connection, and only those
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "allset-batching-proxy.h"
#include "allset-batching-stream.h"
#include "loopback-fixture.h"

typedef struct
{
  Loopback   loop;
  GIOStream *batching;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  loopback_open (&fixture->loop);
  fixture->batching = allset_batching_stream_new (G_IO_STREAM (fixture->loop.near));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->loop.far);
  g_clear_object (&fixture->batching);
  loopback_close (&fixture->loop);
}

static guint64
n_sends (Fixture *fixture)
{
  return allset_batching_stream_get_n_sends (ALLSET_BATCHING_STREAM (fixture->batching));
}

static GOutputStream *
near_out (Fixture *fixture)
{
  return g_io_stream_get_output_stream (fixture->batching);
}

static GInputStream *
near_in (Fixture *fixture)
{
  return g_io_stream_get_input_stream (fixture->batching);
}

/* Reads exactly size bytes on the far end. */
static GBytes *
far_read (Fixture *fixture,
          gsize    size)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (fixture->loop.far));
  g_autoptr(GError) error = NULL;
  guint8 *data = g_malloc (size);
  gsize got = 0;

  g_input_stream_read_all (in, data, size, &got, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got, ==, size);
  return g_bytes_new_take (data, size);
}

static gboolean
far_has_data (Fixture *fixture)
{
  GSocket *socket = g_socket_connection_get_socket (fixture->loop.far);

  return g_socket_condition_timed_wait (socket, G_IO_IN, 100 * 1000, NULL, NULL);
}

static void
test_holds_small_writes (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) received = NULL;
  char piece[100];

  for (guint i = 0; i < 10; i++)
    {
      memset (piece, 'a' + i, sizeof piece);
      g_output_stream_write_all (near_out (fixture), piece, sizeof piece, NULL, NULL, &error);
      g_assert_no_error (error);
    }
  g_assert_false (far_has_data (fixture));
  g_assert_cmpuint (n_sends (fixture), ==, 0);

  g_output_stream_flush (near_out (fixture), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_sends (fixture), ==, 1);
  received = far_read (fixture, 1000);
  for (guint i = 0; i < 10; i++)
    g_assert_cmpint (((const char *) g_bytes_get_data (received, NULL))[i * 100 + 99], ==, 'a' + i);
}

static void
test_full_buffer_is_sent (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *piece = g_malloc0 (8192);
  g_autoptr(GBytes) received = NULL;

  /* Eight 8 KiB writes fill the buffer; the ninth sends it. */
  for (guint i = 0; i < 9; i++)
    {
      g_output_stream_write_all (near_out (fixture), piece, 8192, NULL, NULL, &error);
      g_assert_no_error (error);
    }
  g_assert_cmpuint (n_sends (fixture), ==, 1);
  received = far_read (fixture, ALLSET_BATCHING_STREAM_SIZE);
  g_assert_false (far_has_data (fixture));
}

static gpointer
far_answer (gpointer data)
{
  Fixture *fixture = data;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (fixture->loop.far));
  g_autoptr(GBytes) question = far_read (fixture, 4);

  g_assert_cmpmem (g_bytes_get_data (question, NULL), 4, "ping", 4);
  g_output_stream_write_all (out, "pong", 4, NULL, NULL, NULL);
  return NULL;
}

/* Without this, a client waiting for its answer would wait forever. */
static void
test_read_sends_first (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GThread *far = g_thread_new ("far", far_answer, fixture);
  char answer[4];
  gsize got = 0;

  g_output_stream_write_all (near_out (fixture), "ping", 4, NULL, NULL, &error);
  g_assert_no_error (error);
  g_input_stream_read_all (near_in (fixture), answer, sizeof answer, &got, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (answer, got, "pong", 4);
  g_thread_join (far);
}

typedef struct
{
  Fixture  *fixture;
  char     *digest;
  guint64   size;
} Drain;

static gpointer
far_drain (gpointer data)
{
  Drain *drain = data;
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (drain->fixture->loop.far));
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buffer = g_malloc (128 * 1024);
  gssize got;

  while ((got = g_input_stream_read (in, buffer, 128 * 1024, NULL, NULL)) > 0)
    {
      g_checksum_update (checksum, buffer, got);
      drain->size += got;
    }
  g_assert_cmpint (got, ==, 0);
  drain->digest = g_strdup (g_checksum_get_string (checksum));
  return NULL;
}

/* Writes of every size, below and above the buffer's, arrive whole and in
 * order, in far fewer sends; closing sends the rest. */
static void
test_stream_intact (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GRand) rand = g_rand_new_with_seed (1313);
  g_autofree guint8 *buffer = g_malloc (150 * 1000);
  Drain drain = { fixture, NULL, 0 };
  GThread *far = g_thread_new ("far", far_drain, &drain);
  guint64 total = 0;
  guint n_writes = 0;

  for (gsize i = 0; i < 150 * 1000; i++)
    buffer[i] = g_rand_int (rand);
  while (total < 16 * 1024 * 1024)
    {
      /* Mostly small, like TLS records; one in ten larger than the buffer. */
      gsize size = g_rand_int_range (rand, 0, 10) == 0 ? g_rand_int_range (rand, 64 * 1024, 150 * 1000)
                                                       : g_rand_int_range (rand, 1, 16 * 1024);
      gsize offset = g_rand_int_range (rand, 0, 150 * 1000 - size + 1);

      g_output_stream_write_all (near_out (fixture), buffer + offset, size, NULL, NULL, &error);
      g_assert_no_error (error);
      g_checksum_update (checksum, buffer + offset, size);
      total += size;
      n_writes++;
    }
  g_io_stream_close (fixture->batching, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_io_stream_is_closed (G_IO_STREAM (fixture->loop.near)));
  g_thread_join (far);

  g_assert_cmpuint (drain.size, ==, total);
  g_assert_cmpstr (drain.digest, ==, g_checksum_get_string (checksum));
  g_test_message ("%u writes in %" G_GUINT64_FORMAT " sends", n_writes, n_sends (fixture));
  /* About 1 000 writes: every large one is a send of its own and sends
   * what was gathered before it, which leaves ~250 sends; a partial send
   * of a large write under load adds a few. Without batching: one each. */
  g_assert_cmpuint (n_sends (fixture) * 3, <, n_writes);
  g_free (drain.digest);
}

typedef struct
{
  Fixture   *fixture;
  GMainLoop *loop;
  char       answer[4];
  GError    *error;
} Async;

static gpointer
far_answer_after_megabyte (gpointer data)
{
  Fixture *fixture = data;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (fixture->loop.far));
  g_autoptr(GBytes) body = NULL;

  /* Slow to start reading, so that the near end's socket fills up and
   * its nonblocking writes find the buffer full. */
  g_usleep (200 * 1000);
  body = far_read (fixture, 1024 * 1024);
  g_output_stream_write_all (out, "done", 4, NULL, NULL, NULL);
  return NULL;
}

static void
async_read_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Async *async = user_data;
  gsize got = 0;

  g_input_stream_read_all_finish (G_INPUT_STREAM (source), result, &got, &async->error);
  g_assert_cmpuint (got, ==, 4);
  g_main_loop_quit (async->loop);
}

static void
async_write_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Async *async = user_data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &async->error))
    {
      g_main_loop_quit (async->loop);
      return;
    }
  g_input_stream_read_all_async (near_in (async->fixture), async->answer, sizeof async->answer,
                                 G_PRIORITY_DEFAULT, NULL, async_read_cb, async);
}

/* The pollable paths, as an asynchronous user (libsoup's) takes them. */
static void
test_async_round_trip (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree guint8 *body = g_malloc0 (1024 * 1024);
  Async async = { fixture, loop, { 0 }, NULL };
  GThread *far = g_thread_new ("far", far_answer_after_megabyte, fixture);

  g_assert_true (g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (near_out (fixture))));
  g_assert_true (g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (near_in (fixture))));
  g_output_stream_write_all_async (near_out (fixture), body, 1024 * 1024, G_PRIORITY_DEFAULT,
                                   NULL, async_write_cb, &async);
  g_main_loop_run (loop);
  g_assert_no_error (async.error);
  g_assert_cmpmem (async.answer, 4, "done", 4);
  g_thread_join (far);
}

static void
test_nonblocking_full (Fixture       *fixture,
                       gconstpointer  data)
{
  GPollableOutputStream *out = G_POLLABLE_OUTPUT_STREAM (near_out (fixture));
  GPollableInputStream *in = G_POLLABLE_INPUT_STREAM (near_in (fixture));
  g_autofree guint8 *piece = g_malloc0 (16 * 1024);
  g_autoptr(GError) error = NULL;
  guint64 accepted = 0;
  char byte;

  /* Nobody reads the far end: the socket's buffers fill, then ours. */
  while (TRUE)
    {
      gssize n = g_pollable_output_stream_write_nonblocking (out, piece, 16 * 1024, NULL, &error);

      if (n < 0)
        break;
      accepted += n;
      g_assert_cmpuint (accepted, <, 256 * 1024 * 1024);
    }
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_clear_error (&error);
  g_assert_false (g_pollable_output_stream_is_writable (out));

  /* What is gathered holds reads back, without blocking. */
  g_assert_false (g_pollable_input_stream_is_readable (in));
  g_assert_cmpint (g_pollable_input_stream_read_nonblocking (in, &byte, 1, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
}

/* ---- the resolver and the proxy ----------------------------------------- */

static char **
lookup (GProxyResolver *resolver,
        const char     *uri)
{
  g_autoptr(GError) error = NULL;
  char **proxies = g_proxy_resolver_lookup (resolver, uri, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (proxies);
  return proxies;
}

static void
test_resolver_direct (void)
{
  g_autoptr(GProxyResolver) base = g_simple_proxy_resolver_new (NULL, NULL);
  g_autoptr(GProxyResolver) resolver = allset_batching_resolver_new (base);
  g_auto(GStrv) v4 = lookup (resolver, "https://127.0.0.1:8443");
  g_auto(GStrv) v6 = lookup (resolver, "https://[::1]:8443/");
  g_auto(GStrv) name = lookup (resolver, "https://sync.example.fr:443");

  g_assert_cmpstrv (v4, ((const char *[]) { "allset-batching://127.0.0.1:8443", NULL }));
  g_assert_cmpstrv (v6, ((const char *[]) { "allset-batching://[::1]:8443", NULL }));
  g_assert_cmpstrv (name, ((const char *[]) { "allset-batching://sync.example.fr:443", NULL }));
}

static void
test_resolver_keeps_proxy (void)
{
  const char *ignore[] = { "localhost", NULL };
  g_autoptr(GProxyResolver) base = g_simple_proxy_resolver_new ("http://proxy.example:3128", (char **) ignore);
  g_autoptr(GProxyResolver) resolver = allset_batching_resolver_new (base);
  g_auto(GStrv) proxied = lookup (resolver, "https://sync.example.fr:443");
  g_auto(GStrv) ignored = lookup (resolver, "https://localhost:8443");

  g_assert_cmpstrv (proxied, ((const char *[]) { "http://proxy.example:3128", NULL }));
  g_assert_cmpstrv (ignored, ((const char *[]) { "allset-batching://localhost:8443", NULL }));
}

static void
lookup_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  char ***proxies = user_data;
  g_autoptr(GError) error = NULL;

  *proxies = g_proxy_resolver_lookup_finish (G_PROXY_RESOLVER (source), result, &error);
  g_assert_no_error (error);
}

static void
test_resolver_async (void)
{
  g_autoptr(GProxyResolver) base = g_simple_proxy_resolver_new (NULL, NULL);
  g_autoptr(GProxyResolver) resolver = allset_batching_resolver_new (base);
  g_auto(GStrv) proxies = NULL;

  g_proxy_resolver_lookup_async (resolver, "https://127.0.0.1:8443", NULL, lookup_cb, &proxies);
  while (proxies == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstrv (proxies, ((const char *[]) { "allset-batching://127.0.0.1:8443", NULL }));
}

/* A GSocketClient given the resolver hands back a connection over an
 * AllsetBatchingStream, which carries bytes both ways. */
static void
test_proxy_connects (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GProxyResolver) base = g_simple_proxy_resolver_new (NULL, NULL);
  g_autoptr(GProxyResolver) resolver = allset_batching_resolver_new (base);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  guint before = allset_batching_proxy_get_n_connected ();
  GIOStream *wrapped;
  GThread *far;
  char answer[4];
  gsize got = 0;

  g_socket_client_set_proxy_resolver (client, resolver);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", fixture->loop.port, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (G_IS_TCP_WRAPPER_CONNECTION (connection));
  wrapped = g_tcp_wrapper_connection_get_base_io_stream (G_TCP_WRAPPER_CONNECTION (connection));
  g_assert_true (ALLSET_IS_BATCHING_STREAM (wrapped));
  g_assert_cmpuint (allset_batching_proxy_get_n_connected (), ==, before + 1);

  /* The fixture's own pair is not used: talk over the new connection. */
  loopback_accept (&fixture->loop);
  far = g_thread_new ("far", far_answer, fixture);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             "ping", 4, NULL, NULL, &error);
  g_assert_no_error (error);
  g_input_stream_read_all (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                           answer, sizeof answer, &got, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (answer, got, "pong", 4);
  g_thread_join (far);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/batching-stream/holds-small-writes", test_holds_small_writes);
  ADD ("/batching-stream/full-buffer-is-sent", test_full_buffer_is_sent);
  ADD ("/batching-stream/read-sends-first", test_read_sends_first);
  ADD ("/batching-stream/intact", test_stream_intact);
  ADD ("/batching-stream/async-round-trip", test_async_round_trip);
  ADD ("/batching-stream/nonblocking-full", test_nonblocking_full);
  ADD ("/batching-proxy/connects", test_proxy_connects);
#undef ADD
  g_test_add_func ("/batching-resolver/direct", test_resolver_direct);
  g_test_add_func ("/batching-resolver/keeps-proxy", test_resolver_keeps_proxy);
  g_test_add_func ("/batching-resolver/async", test_resolver_async);

  return g_test_run ();
}
