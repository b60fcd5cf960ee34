/* test-read-ahead.c — AllsetReadAheadStream reads large blocks from its
 * base, hands them out in the small reads the TLS layer makes, counts as
 * readable while it holds bytes, and writes straight through
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "allset-read-ahead-stream.h"
#include "loopback-fixture.h"

typedef struct
{
  Loopback   loop;
  GIOStream *ahead;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  loopback_open (&fixture->loop);
  fixture->ahead = allset_read_ahead_stream_new (G_IO_STREAM (fixture->loop.near));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->ahead);
  loopback_close (&fixture->loop);
}

static guint64
n_reads (Fixture *fixture)
{
  return allset_read_ahead_stream_get_n_reads (fixture->ahead);
}

static GInputStream *
near_in (Fixture *fixture)
{
  return g_io_stream_get_input_stream (fixture->ahead);
}

static GBytes *
pattern (gsize size)
{
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (i * 7 + i / 251);
  return g_bytes_new_take (data, size);
}

static void
far_write (Fixture *fixture,
           GBytes  *bytes)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (fixture->loop.far));
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (out, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL,
                             NULL, &error);
  g_assert_no_error (error);
}

typedef struct
{
  Fixture *fixture;
  GBytes  *bytes;
} Writing;

static gpointer
far_write_thread (gpointer data)
{
  Writing *writing = data;

  far_write (writing->fixture, writing->bytes);
  return NULL;
}

/* Reads size bytes in reads of the sizes given, in turn. */
static void
read_in_pieces (Fixture     *fixture,
                GBytes      *expected,
                const gsize *sizes,
                guint        n_sizes)
{
  gsize size = g_bytes_get_size (expected);
  g_autofree guint8 *got = g_malloc (size);
  g_autoptr(GError) error = NULL;
  gsize done = 0;

  for (guint i = 0; done < size; i++)
    {
      gsize want = MIN (sizes[i % n_sizes], size - done);
      gssize n = g_input_stream_read (near_in (fixture), got + done, want, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      done += n;
    }
  g_assert_true (memcmp (got, g_bytes_get_data (expected, NULL), size) == 0);
}

/* What the TLS layer does: a record's 5-byte header, then its body. */
static void
test_small_reads (Fixture       *fixture,
                  gconstpointer  data)
{
  static const gsize sizes[] = { 5, 8192 + 16 };
  g_autoptr(GBytes) sent = pattern (1024 * 1024);
  Writing writing = { fixture, sent };
  GThread *writer;

  /* More than the socket buffers hold: written from a thread. */
  writer = g_thread_new ("far", far_write_thread, &writing);
  read_in_pieces (fixture, sent, sizes, G_N_ELEMENTS (sizes));
  g_thread_join (writer);

  g_test_message ("1 MiB in 5-byte and 8 KiB reads: %" G_GUINT64_FORMAT " reads from the socket",
                  n_reads (fixture));
  /* 254 reads were asked for; the socket saw about one per 64 KiB, and a
   * few more when a read caught the writer mid-way. */
  g_assert_cmpuint (n_reads (fixture), <, 100);
}

/* Reads as large as the buffer skip it: one read from the socket each. */
static void
test_large_reads (Fixture       *fixture,
                  gconstpointer  data)
{
  static const gsize sizes[] = { 100, ALLSET_READ_AHEAD_STREAM_SIZE, 3, 2 * ALLSET_READ_AHEAD_STREAM_SIZE };
  g_autoptr(GBytes) sent = pattern (1024 * 1024 + 77);
  Writing writing = { fixture, sent };
  GThread *writer;

  writer = g_thread_new ("far", far_write_thread, &writing);
  read_in_pieces (fixture, sent, sizes, G_N_ELEMENTS (sizes));
  g_thread_join (writer);
}

static gboolean
mark_ready (GObject  *stream,
            gboolean *ready)
{
  *ready = TRUE;
  return G_SOURCE_REMOVE;
}

/* Bytes held in the buffer make the stream readable although the socket
 * has nothing: libsoup waits on the stream's source before it reads, and
 * a source on the socket alone would never fire. */
static void
test_buffered_is_readable (Fixture       *fixture,
                           gconstpointer  data)
{
  GPollableInputStream *in = G_POLLABLE_INPUT_STREAM (near_in (fixture));
  g_autoptr(GBytes) sent = pattern (100);
  g_autoptr(GSource) source = NULL;
  g_autoptr(GError) error = NULL;
  guint8 got[100];
  gboolean ready = FALSE;
  gint64 deadline;
  gssize n;

  g_assert_true (g_pollable_input_stream_can_poll (in));
  g_assert_false (g_pollable_input_stream_is_readable (in));
  n = g_pollable_input_stream_read_nonblocking (in, got, 10, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_assert_cmpint (n, ==, -1);
  g_clear_error (&error);

  far_write (fixture, sent);
  g_assert_true (g_socket_condition_timed_wait (g_socket_connection_get_socket (fixture->loop.near), G_IO_IN,
                                                5 * G_USEC_PER_SEC, NULL, NULL));
  n = g_pollable_input_stream_read_nonblocking (in, got, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 10);
  /* All 100 bytes left the socket in that one read. */
  g_assert_false (g_socket_condition_check (g_socket_connection_get_socket (fixture->loop.near), G_IO_IN));
  g_assert_true (g_pollable_input_stream_is_readable (in));
  g_assert_true (allset_read_ahead_stream_holds_buffer (fixture->ahead));

  source = g_pollable_input_stream_create_source (in, NULL);
  g_source_set_callback (source, (GSourceFunc) (void (*) (void)) mark_ready, &ready, NULL);
  g_source_attach (source, NULL);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (!ready && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_source_destroy (source);
  g_assert_true (ready);

  n = g_pollable_input_stream_read_nonblocking (in, got + 10, sizeof got, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 90);
  g_assert_true (memcmp (got, g_bytes_get_data (sent, NULL), sizeof got) == 0);
  g_assert_cmpuint (n_reads (fixture), ==, 2);

  n = g_pollable_input_stream_read_nonblocking (in, got, sizeof got, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  /* An idle connection holds no buffer. */
  g_assert_false (allset_read_ahead_stream_holds_buffer (fixture->ahead));
}

/* Writes are not held: the peer has them at once. Closing the stream
 * closes the connection under it. */
static void
test_writes_and_close (Fixture       *fixture,
                       gconstpointer  data)
{
  GOutputStream *out = g_io_stream_get_output_stream (fixture->ahead);
  GInputStream *far_in = g_io_stream_get_input_stream (G_IO_STREAM (fixture->loop.far));
  g_autoptr(GError) error = NULL;
  char got[5];
  gsize n = 0;

  g_output_stream_write_all (out, "hello", 5, NULL, NULL, &error);
  g_assert_no_error (error);
  g_input_stream_read_all (far_in, got, sizeof got, &n, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (got, n, "hello", 5);

  g_assert_true (g_io_stream_close (fixture->ahead, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_io_stream_is_closed (G_IO_STREAM (fixture->loop.near)));
  /* The peer sees the end of the stream. */
  g_assert_cmpint (g_input_stream_read (far_in, got, sizeof got, NULL, &error), ==, 0);
  g_assert_no_error (error);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/read-ahead/small-reads", Fixture, NULL,
              fixture_set_up, test_small_reads, fixture_tear_down);
  g_test_add ("/read-ahead/large-reads", Fixture, NULL,
              fixture_set_up, test_large_reads, fixture_tear_down);
  g_test_add ("/read-ahead/buffered-is-readable", Fixture, NULL,
              fixture_set_up, test_buffered_is_readable, fixture_tear_down);
  g_test_add ("/read-ahead/writes-and-close", Fixture, NULL,
              fixture_set_up, test_writes_and_close, fixture_tear_down);

  return g_test_run ();
}
