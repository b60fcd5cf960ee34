/* allset-read-ahead-stream.c — a TCP stream that reads 64 KiB at a time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "allset-read-ahead-stream.h"

#include <string.h>

/* ---- the input half ----------------------------------------------------- */

#define READ_AHEAD_TYPE_INPUT (read_ahead_input_get_type ())
G_DECLARE_FINAL_TYPE (ReadAheadInput, read_ahead_input, READ_AHEAD, INPUT, GInputStream)

struct _ReadAheadInput
{
  GInputStream  parent_instance;
  GIOStream    *connection;
  GInputStream *base;
  guint8       *data;      /* ALLSET_READ_AHEAD_STREAM_SIZE bytes, on first read */
  gsize         start;     /* data[start, end) is read but not taken yet */
  gsize         end;
  guint64       n_reads;
};

static void read_ahead_input_pollable_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ReadAheadInput, read_ahead_input, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      read_ahead_input_pollable_init))

static gsize
take (ReadAheadInput *self,
      void           *buffer,
      gsize           count)
{
  count = MIN (count, self->end - self->start);
  memcpy (buffer, self->data + self->start, count);
  self->start += count;
  return count;
}

/* One read from the base, blocking or not: straight into buffer when it
 * is as large as ours, else into ours and then the part asked for. */
static gssize
read_more (ReadAheadInput  *self,
           void            *buffer,
           gsize            count,
           gboolean         blocking,
           GCancellable    *cancellable,
           GError         **error)
{
  gboolean direct = count >= ALLSET_READ_AHEAD_STREAM_SIZE;
  void *into = buffer;
  gsize size = count;
  gssize n;

  if (!direct)
    {
      if (self->data == NULL)
        self->data = g_malloc (ALLSET_READ_AHEAD_STREAM_SIZE);
      into = self->data;
      size = ALLSET_READ_AHEAD_STREAM_SIZE;
    }

  if (blocking)
    n = g_input_stream_read (self->base, into, size, cancellable, error);
  else
    n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (self->base), into, size,
                                                  cancellable, error);
  self->n_reads++;
  /* Nothing more for now: the connection may stay idle for long (a
   * parked /changes/wait), and a thousand of them should not hold 64 MB. */
  if (n < 0 && !blocking)
    g_clear_pointer (&self->data, g_free);
  if (n <= 0 || direct)
    return n;

  self->start = 0;
  self->end = n;
  return take (self, buffer, count);
}

static gssize
read_ahead_input_read (GInputStream  *stream,
                       void          *buffer,
                       gsize          count,
                       GCancellable  *cancellable,
                       GError       **error)
{
  ReadAheadInput *self = READ_AHEAD_INPUT (stream);

  if (self->end > self->start)
    return take (self, buffer, count);
  return read_more (self, buffer, count, TRUE, cancellable, error);
}

/* The GSimpleIOStream closes its input first: that closes the connection
 * under both halves. */
static gboolean
read_ahead_input_close (GInputStream  *stream,
                        GCancellable  *cancellable,
                        GError       **error)
{
  return g_io_stream_close (READ_AHEAD_INPUT (stream)->connection, cancellable, error);
}

static gboolean
read_ahead_input_can_poll (GPollableInputStream *stream)
{
  return g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (READ_AHEAD_INPUT (stream)->base));
}

static gboolean
read_ahead_input_is_readable (GPollableInputStream *stream)
{
  ReadAheadInput *self = READ_AHEAD_INPUT (stream);

  return self->end > self->start ||
         g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (self->base));
}

static gssize
read_ahead_input_read_nonblocking (GPollableInputStream  *stream,
                                   void                  *buffer,
                                   gsize                  count,
                                   GError               **error)
{
  ReadAheadInput *self = READ_AHEAD_INPUT (stream);

  if (self->end > self->start)
    return take (self, buffer, count);
  return read_more (self, buffer, count, FALSE, NULL, error);
}

static GSource *
read_ahead_input_create_source (GPollableInputStream *stream,
                                GCancellable         *cancellable)
{
  ReadAheadInput *self = READ_AHEAD_INPUT (stream);
  g_autoptr(GSource) child = NULL;

  /* Bytes already here make the stream readable now, whatever the socket
   * says: a source on the socket alone would wait for bytes that may
   * never come. */
  if (self->end > self->start)
    child = g_timeout_source_new (0);
  else
    child = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (self->base), NULL);
  return g_pollable_source_new_full (stream, child, cancellable);
}

static void
read_ahead_input_finalize (GObject *object)
{
  ReadAheadInput *self = READ_AHEAD_INPUT (object);

  g_clear_object (&self->base);
  g_clear_object (&self->connection);
  g_free (self->data);
  G_OBJECT_CLASS (read_ahead_input_parent_class)->finalize (object);
}

static void
read_ahead_input_class_init (ReadAheadInputClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = read_ahead_input_finalize;
  stream_class->read_fn = read_ahead_input_read;
  stream_class->close_fn = read_ahead_input_close;
}

static void
read_ahead_input_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = read_ahead_input_can_poll;
  iface->is_readable = read_ahead_input_is_readable;
  iface->read_nonblocking = read_ahead_input_read_nonblocking;
  iface->create_source = read_ahead_input_create_source;
}

static void
read_ahead_input_init (ReadAheadInput *self)
{
}

/* ---- the stream --------------------------------------------------------- */

GIOStream *
allset_read_ahead_stream_new (GIOStream *base)
{
  g_autoptr(ReadAheadInput) input = NULL;

  g_return_val_if_fail (G_IS_IO_STREAM (base), NULL);
  g_return_val_if_fail (G_IS_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (base)), NULL);
  g_return_val_if_fail (G_IS_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (base)), NULL);

  input = g_object_new (READ_AHEAD_TYPE_INPUT, NULL);
  input->connection = g_object_ref (base);
  input->base = g_object_ref (g_io_stream_get_input_stream (base));
  return g_simple_io_stream_new (G_INPUT_STREAM (input), g_io_stream_get_output_stream (base));
}

guint64
allset_read_ahead_stream_get_n_reads (GIOStream *stream)
{
  GInputStream *input = g_io_stream_get_input_stream (stream);

  g_return_val_if_fail (G_TYPE_CHECK_INSTANCE_TYPE (input, READ_AHEAD_TYPE_INPUT), 0);

  return READ_AHEAD_INPUT (input)->n_reads;
}

gboolean
allset_read_ahead_stream_holds_buffer (GIOStream *stream)
{
  GInputStream *input = g_io_stream_get_input_stream (stream);

  g_return_val_if_fail (G_TYPE_CHECK_INSTANCE_TYPE (input, READ_AHEAD_TYPE_INPUT), FALSE);

  return READ_AHEAD_INPUT (input)->data != NULL;
}
