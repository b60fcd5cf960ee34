/* allset-bench-tls-floor.c — what GIO + GnuTLS carry over loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A floor for dataset B, without libsoup: one client thread writes 1 GiB
 * through a GTlsClientConnection, one server thread reads it through a
 * GTlsServerConnection and, as allset-server does with an upload, may
 * SHA-256 it (--hash) and store it as 1 MiB files, each fdatasync()ed
 * (--store). --write-kib sets the client's write size: libsoup's body
 * splice writes 8 KiB at a time, which makes 8 KiB TLS records. With
 * --read-ahead the server's TLS layer reads the socket through a 64 KiB
 * buffer instead of asking for each record's header and then its body,
 * two system calls per record. Prints the wall time, the throughput and
 * the server thread's CPU time.
 *
 *   allset-bench-tls-floor [--write-kib N] [--hash] [--store] [--read-ahead]
 */

#define _GNU_SOURCE   /* RUSAGE_THREAD */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "allset-protocol.h"
#include "allset-tls.h"

#define TOTAL_BYTES     (G_GUINT64_CONSTANT (1) << 30)
#define READ_BYTES      (256 * 1024)
#define STORE_FILE      (1024 * 1024)
#define READ_AHEAD      (64 * 1024)

static gint     write_kib = 8;
static gboolean do_hash;
static gboolean do_store;
static gboolean read_ahead;

/* ─── A read-ahead pollable input stream ──────────────────────────── */

#define BENCH_TYPE_READ_AHEAD (bench_read_ahead_get_type ())
G_DECLARE_FINAL_TYPE (BenchReadAhead, bench_read_ahead, BENCH, READ_AHEAD, GInputStream)

struct _BenchReadAhead
{
  GInputStream  parent_instance;
  GInputStream *base;
  guint8       *buffer;   /* READ_AHEAD bytes (an instance stays under 64 KiB) */
  gsize         start;
  gsize         end;
};

static void bench_read_ahead_pollable_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BenchReadAhead, bench_read_ahead, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      bench_read_ahead_pollable_init))

static gssize
take_buffered (BenchReadAhead *self,
               void           *buffer,
               gsize           count)
{
  gsize n = MIN (count, self->end - self->start);

  memcpy (buffer, self->buffer + self->start, n);
  self->start += n;
  return n;
}

/* Refills from the socket (blocking or not), then serves from the buffer. */
static gssize
fill_and_take (BenchReadAhead  *self,
               void            *buffer,
               gsize            count,
               gboolean         blocking,
               GCancellable    *cancellable,
               GError         **error)
{
  gssize n;

  if (self->end > self->start)
    return take_buffered (self, buffer, count);
  n = g_pollable_stream_read (self->base, self->buffer, READ_AHEAD, blocking, cancellable, error);
  if (n <= 0)
    return n;
  self->start = 0;
  self->end = n;
  return take_buffered (self, buffer, count);
}

static gssize
bench_read_ahead_read (GInputStream  *stream,
                       void          *buffer,
                       gsize          count,
                       GCancellable  *cancellable,
                       GError       **error)
{
  return fill_and_take (BENCH_READ_AHEAD (stream), buffer, count, TRUE, cancellable, error);
}

static gssize
bench_read_ahead_read_nonblocking (GPollableInputStream  *stream,
                                   void                  *buffer,
                                   gsize                  count,
                                   GError               **error)
{
  return fill_and_take (BENCH_READ_AHEAD (stream), buffer, count, FALSE, NULL, error);
}

static gboolean
bench_read_ahead_can_poll (GPollableInputStream *stream)
{
  return TRUE;
}

static gboolean
bench_read_ahead_is_readable (GPollableInputStream *stream)
{
  BenchReadAhead *self = BENCH_READ_AHEAD (stream);

  return self->end > self->start ||
         g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (self->base));
}

static GSource *
bench_read_ahead_create_source (GPollableInputStream *stream,
                                GCancellable         *cancellable)
{
  BenchReadAhead *self = BENCH_READ_AHEAD (stream);
  g_autoptr(GSource) base = NULL;

  /* Buffered bytes are ready now; otherwise wait on the socket. */
  if (self->end > self->start)
    base = g_timeout_source_new (0);
  else
    base = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (self->base), NULL);
  return g_pollable_source_new_full (stream, base, cancellable);
}

static gboolean
bench_read_ahead_close (GInputStream  *stream,
                        GCancellable  *cancellable,
                        GError       **error)
{
  return g_input_stream_close (BENCH_READ_AHEAD (stream)->base, cancellable, error);
}

static void
bench_read_ahead_finalize (GObject *object)
{
  g_clear_object (&BENCH_READ_AHEAD (object)->base);
  g_free (BENCH_READ_AHEAD (object)->buffer);
  G_OBJECT_CLASS (bench_read_ahead_parent_class)->finalize (object);
}

static void
bench_read_ahead_class_init (BenchReadAheadClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = bench_read_ahead_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = bench_read_ahead_read;
  G_INPUT_STREAM_CLASS (klass)->close_fn = bench_read_ahead_close;
}

static void
bench_read_ahead_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = bench_read_ahead_can_poll;
  iface->is_readable = bench_read_ahead_is_readable;
  iface->create_source = bench_read_ahead_create_source;
  iface->read_nonblocking = bench_read_ahead_read_nonblocking;
}

static void
bench_read_ahead_init (BenchReadAhead *self)
{
  self->buffer = g_malloc (READ_AHEAD);
}

/* ─── The two ends ────────────────────────────────────────────────── */

typedef struct
{
  GSocketListener *listener;
  GTlsCertificate *certificate;
  const char      *store_dir;
  double           cpu_user;
  double           cpu_system;
  GError          *error;
} Server;

static double
timeval_seconds (struct timeval tv)
{
  return tv.tv_sec + tv.tv_usec / 1e6;
}

static gboolean
store_piece (const char  *dir,
             guint        index,
             GByteArray  *piece,
             GError     **error)
{
  g_autofree char *path = g_strdup_printf ("%s/%u", dir, index);
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  gboolean ok;

  if (fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", path, g_strerror (errno));
      return FALSE;
    }
  ok = write (fd, piece->data, piece->len) == (gssize) piece->len && fdatasync (fd) == 0;
  if (!ok)
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", path, g_strerror (errno));
  close (fd);
  unlink (path);
  return ok;
}

static gpointer
server_thread (gpointer data)
{
  Server *server = data;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GIOStream) plain = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GByteArray) piece = g_byte_array_sized_new (STORE_FILE + READ_BYTES);
  g_autofree guint8 *buffer = g_malloc (READ_BYTES);
  g_autoptr(AllsetHasher) hasher = allset_hasher_new ();
  guint64 received = 0;
  guint stored = 0;
  struct rusage usage;

  connection = g_socket_listener_accept (server->listener, NULL, NULL, &server->error);
  if (connection == NULL)
    return NULL;
  if (read_ahead)
    {
      BenchReadAhead *input = g_object_new (BENCH_TYPE_READ_AHEAD, NULL);

      input->base = g_object_ref (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
      plain = g_simple_io_stream_new (G_INPUT_STREAM (input),
                                      g_io_stream_get_output_stream (G_IO_STREAM (connection)));
      g_object_unref (input);
    }
  else
    plain = g_object_ref (G_IO_STREAM (connection));
  tls = g_tls_server_connection_new (plain, server->certificate, &server->error);
  if (tls == NULL || !g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &server->error))
    return NULL;

  while (received < TOTAL_BYTES)
    {
      gssize n = g_input_stream_read (g_io_stream_get_input_stream (tls), buffer, READ_BYTES,
                                      NULL, &server->error);

      if (n <= 0)
        {
          if (n == 0)
            g_set_error_literal (&server->error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT, "short stream");
          return NULL;
        }
      received += n;
      if (do_hash)
        allset_hasher_update (hasher, buffer, n);
      if (do_store)
        {
          g_byte_array_append (piece, buffer, n);
          if (piece->len >= STORE_FILE || received == TOTAL_BYTES)
            {
              if (!store_piece (server->store_dir, stored++, piece, &server->error))
                return NULL;
              g_byte_array_set_size (piece, 0);
            }
        }
    }

#ifdef RUSAGE_THREAD
  getrusage (RUSAGE_THREAD, &usage);
#else
  getrusage (RUSAGE_SELF, &usage);   /* both threads, where there is no other */
#endif
  server->cpu_user = timeval_seconds (usage.ru_utime);
  server->cpu_system = timeval_seconds (usage.ru_stime);
  return NULL;
}

static gboolean
accept_any (GTlsConnection       *connection,
            GTlsCertificate      *certificate,
            GTlsCertificateFlags  errors,
            gpointer              user_data)
{
  return TRUE;   /* our own certificate, on loopback */
}

int
main (int    argc,
      char **argv)
{
  const GOptionEntry entries[] = {
    { "write-kib", 0, 0, G_OPTION_ARG_INT, &write_kib, "Client write size in KiB (default 8, as libsoup)", "N" },
    { "hash", 0, 0, G_OPTION_ARG_NONE, &do_hash, "Server: SHA-256 every byte", NULL },
    { "store", 0, 0, G_OPTION_ARG_NONE, &do_store, "Server: write 1 MiB files, each fdatasync()ed", NULL },
    { "read-ahead", 0, 0, G_OPTION_ARG_NONE, &read_ahead, "Server: read the socket 64 KiB at a time", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— GIO + GnuTLS over loopback, no libsoup");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *cert_path = NULL;
  g_autofree char *key_path = NULL;
  g_autofree guint8 *block = NULL;
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GIOStream) tls = NULL;
  Server server = { 0 };
  GInetAddress *loopback;
  GSocketAddress *address;
  GSocketAddress *effective = NULL;
  GThread *thread;
  gint64 start;
  double seconds;
  gsize size;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || write_kib < 1 || write_kib > 1024)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "--write-kib takes 1 to 1024");
      return 2;
    }
  size = (gsize) write_kib * 1024;

  dir = g_dir_make_tmp ("allset-tls-floor-XXXXXX", &error);
  if (dir == NULL || !allset_tls_ensure_dev_cert (dir, &cert_path, &key_path, &error) ||
      (server.certificate = allset_tls_load (cert_path, key_path, &error)) == NULL)
    goto fail;
  server.store_dir = dir;

  server.listener = g_socket_listener_new ();
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, 0);
  g_object_unref (loopback);
  if (!g_socket_listener_add_address (server.listener, address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error))
    {
      g_object_unref (address);
      goto fail;
    }
  g_object_unref (address);
  thread = g_thread_new ("tls-floor-server", server_thread, &server);

  client = g_socket_client_new ();
  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (effective), NULL, &error);
  g_clear_object (&effective);
  if (connection == NULL ||
      (tls = g_tls_client_connection_new (G_IO_STREAM (connection), NULL, &error)) == NULL)
    goto fail;
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_any), NULL);
  if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error))
    goto fail;

  block = g_malloc (size);
  for (gsize i = 0; i < size; i++)
    block[i] = (guint8) (i * 131 + 7);
  start = g_get_monotonic_time ();
  for (guint64 sent = 0; sent < TOTAL_BYTES; sent += size)
    if (!g_output_stream_write_all (g_io_stream_get_output_stream (tls), block,
                                    MIN (size, TOTAL_BYTES - sent), NULL, NULL, &error))
      goto fail;
  g_thread_join (thread);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  if (server.error != NULL)
    {
      g_propagate_error (&error, server.error);
      goto fail;
    }

  g_print ("1 GiB, client writes of %d KiB%s%s%s: %.2f s, %.0f MB/s; server thread CPU %.2f s "
           "(user %.2f, system %.2f)\n",
           write_kib, do_hash ? ", SHA-256" : "", do_store ? ", 1 MiB files + fdatasync" : "",
           read_ahead ? ", 64 KiB read-ahead" : "", seconds, TOTAL_BYTES / seconds / 1e6,
           server.cpu_user + server.cpu_system, server.cpu_user, server.cpu_system);
  g_object_unref (server.listener);
  g_object_unref (server.certificate);
  g_unlink (cert_path);
  g_unlink (key_path);
  g_rmdir (dir);
  return 0;

fail:
  /* A server thread still waiting for a connection or for bytes ends with
   * the process. */
  g_printerr ("allset-bench-tls-floor: %s\n", error->message);
  return 1;
}
