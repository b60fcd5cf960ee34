/* allset-batching-stream.c — AllsetBatchingStream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The two halves share one Pending buffer. The output half fills it; both
 * halves empty it: the output when it is full or flushed, the input before
 * it reads, so that a reader never waits on an answer to bytes it has not
 * sent yet. The TLS layer above may read on one thread while it writes on
 * another, hence the lock; it is never held across a read.
 */

#include "allset-batching-stream.h"

#include <string.h>

typedef struct
{
  GMutex          lock;
  GOutputStream  *base_out;
  GInputStream   *base_in;
  guint8         *data;      /* ALLSET_BATCHING_STREAM_SIZE bytes, on first write */
  gsize           start;     /* data[start, end) is not sent yet */
  gsize           end;
  guint64         n_sends;
} Pending;

static void
pending_clear (gpointer data)
{
  Pending *pending = data;

  g_mutex_clear (&pending->lock);
  g_clear_object (&pending->base_out);
  g_clear_object (&pending->base_in);
  g_free (pending->data);
}

static void
pending_unref (Pending *pending)
{
  g_atomic_rc_box_release_full (pending, pending_clear);
}

static gsize
pending_size (Pending *pending)
{
  return pending->end - pending->start;
}

/* Called locked. Sends everything gathered, blocking. On an error the
 * bytes are dropped: the connection is broken and the TLS layer above
 * will not write to it again. */
static gboolean
pending_send_all (Pending       *pending,
                  GCancellable  *cancellable,
                  GError       **error)
{
  gsize size = pending_size (pending);
  gboolean ok;

  if (size == 0)
    return TRUE;
  ok = g_output_stream_write_all (pending->base_out, pending->data + pending->start, size,
                                  NULL, cancellable, error);
  pending->n_sends++;
  pending->start = pending->end = 0;
  return ok;
}

/* Called locked. Sends what the socket takes now; FALSE only on an error
 * other than G_IO_ERROR_WOULD_BLOCK. */
static gboolean
pending_send_some (Pending       *pending,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  gssize sent;

  if (pending_size (pending) == 0)
    return TRUE;
  sent = g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (pending->base_out),
                                                     pending->data + pending->start,
                                                     pending_size (pending),
                                                     cancellable, &local_error);
  if (sent < 0)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return TRUE;
      pending->start = pending->end = 0;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  pending->n_sends++;
  pending->start += sent;
  if (pending->start == pending->end)
    pending->start = pending->end = 0;
  return TRUE;
}

/* Called locked: copies as much of buffer as fits after what is gathered. */
static gsize
pending_take (Pending     *pending,
              const void  *buffer,
              gsize        count)
{
  gsize room;

  if (pending->data == NULL)
    pending->data = g_malloc (ALLSET_BATCHING_STREAM_SIZE);
  if (pending->start > 0 && pending->end == ALLSET_BATCHING_STREAM_SIZE)
    {
      memmove (pending->data, pending->data + pending->start, pending_size (pending));
      pending->end -= pending->start;
      pending->start = 0;
    }
  room = ALLSET_BATCHING_STREAM_SIZE - pending->end;
  count = MIN (count, room);
  memcpy (pending->data + pending->end, buffer, count);
  pending->end += count;
  return count;
}

/* A source for a pollable stream that is ready now. */
static GSource *
ready_source_new (GObject      *stream,
                  GCancellable *cancellable)
{
  g_autoptr(GSource) child = g_timeout_source_new (0);

  return g_pollable_source_new_full (stream, child, cancellable);
}

/* ---- the output half ---------------------------------------------------- */

#define BATCHING_TYPE_OUTPUT (batching_output_get_type ())
G_DECLARE_FINAL_TYPE (BatchingOutput, batching_output, BATCHING, OUTPUT, GOutputStream)

struct _BatchingOutput
{
  GOutputStream  parent_instance;
  Pending       *pending;
};

static void batching_output_pollable_init (GPollableOutputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BatchingOutput, batching_output, G_TYPE_OUTPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_OUTPUT_STREAM,
                                                      batching_output_pollable_init))

static gssize
batching_output_write (GOutputStream  *stream,
                       const void     *buffer,
                       gsize           count,
                       GCancellable   *cancellable,
                       GError        **error)
{
  Pending *pending = BATCHING_OUTPUT (stream)->pending;
  gssize written;

  g_mutex_lock (&pending->lock);
  if (pending->end + count > ALLSET_BATCHING_STREAM_SIZE &&
      !pending_send_all (pending, cancellable, error))
    written = -1;
  else if (count >= ALLSET_BATCHING_STREAM_SIZE)
    {
      /* Already large: no reason to copy it. */
      written = g_output_stream_write (pending->base_out, buffer, count, cancellable, error);
      pending->n_sends++;
    }
  else
    written = pending_take (pending, buffer, count);
  g_mutex_unlock (&pending->lock);
  return written;
}

static gboolean
batching_output_flush (GOutputStream  *stream,
                       GCancellable   *cancellable,
                       GError        **error)
{
  Pending *pending = BATCHING_OUTPUT (stream)->pending;
  gboolean ok;

  g_mutex_lock (&pending->lock);
  ok = pending_send_all (pending, cancellable, error) &&
       g_output_stream_flush (pending->base_out, cancellable, error);
  g_mutex_unlock (&pending->lock);
  return ok;
}

/* The base is closed with the AllsetBatchingStream; this only sends what
 * is left (a TLS close_notify, usually). */
static gboolean
batching_output_close (GOutputStream  *stream,
                       GCancellable   *cancellable,
                       GError        **error)
{
  return batching_output_flush (stream, cancellable, error);
}

static gboolean
batching_output_can_poll (GPollableOutputStream *stream)
{
  Pending *pending = BATCHING_OUTPUT (stream)->pending;

  return g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (pending->base_out));
}

static gboolean
batching_output_is_writable (GPollableOutputStream *stream)
{
  Pending *pending = BATCHING_OUTPUT (stream)->pending;
  gboolean room;

  g_mutex_lock (&pending->lock);
  room = pending_size (pending) < ALLSET_BATCHING_STREAM_SIZE;
  g_mutex_unlock (&pending->lock);
  return room || g_pollable_output_stream_is_writable (G_POLLABLE_OUTPUT_STREAM (pending->base_out));
}

static gssize
batching_output_write_nonblocking (GPollableOutputStream  *stream,
                                   const void             *buffer,
                                   gsize                   count,
                                   GError                **error)
{
  Pending *pending = BATCHING_OUTPUT (stream)->pending;
  gssize written = -1;

  g_mutex_lock (&pending->lock);
  if (pending->end + count > ALLSET_BATCHING_STREAM_SIZE &&
      !pending_send_some (pending, NULL, error))
    goto out;
  if (pending_size (pending) == ALLSET_BATCHING_STREAM_SIZE)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                           "The batching buffer is full");
      goto out;
    }
  written = pending_take (pending, buffer, count);
out:
  g_mutex_unlock (&pending->lock);
  return written;
}

static GSource *
batching_output_create_source (GPollableOutputStream *stream,
                               GCancellable          *cancellable)
{
  Pending *pending = BATCHING_OUTPUT (stream)->pending;
  g_autoptr(GSource) child = NULL;
  gboolean full;

  g_mutex_lock (&pending->lock);
  full = pending_size (pending) == ALLSET_BATCHING_STREAM_SIZE;
  g_mutex_unlock (&pending->lock);
  if (!full)
    return ready_source_new (G_OBJECT (stream), cancellable);

  child = g_pollable_output_stream_create_source (G_POLLABLE_OUTPUT_STREAM (pending->base_out), NULL);
  return g_pollable_source_new_full (stream, child, cancellable);
}

static void
batching_output_finalize (GObject *object)
{
  BatchingOutput *self = BATCHING_OUTPUT (object);

  g_clear_pointer (&self->pending, pending_unref);
  G_OBJECT_CLASS (batching_output_parent_class)->finalize (object);
}

static void
batching_output_class_init (BatchingOutputClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  object_class->finalize = batching_output_finalize;
  stream_class->write_fn = batching_output_write;
  stream_class->flush = batching_output_flush;
  stream_class->close_fn = batching_output_close;
}

static void
batching_output_pollable_init (GPollableOutputStreamInterface *iface)
{
  iface->can_poll = batching_output_can_poll;
  iface->is_writable = batching_output_is_writable;
  iface->write_nonblocking = batching_output_write_nonblocking;
  iface->create_source = batching_output_create_source;
}

static void
batching_output_init (BatchingOutput *self)
{
}

/* ---- the input half ----------------------------------------------------- */

#define BATCHING_TYPE_INPUT (batching_input_get_type ())
G_DECLARE_FINAL_TYPE (BatchingInput, batching_input, BATCHING, INPUT, GInputStream)

struct _BatchingInput
{
  GInputStream  parent_instance;
  Pending      *pending;
};

static void batching_input_pollable_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BatchingInput, batching_input, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      batching_input_pollable_init))

static gssize
batching_input_read (GInputStream  *stream,
                     void          *buffer,
                     gsize          count,
                     GCancellable  *cancellable,
                     GError       **error)
{
  Pending *pending = BATCHING_INPUT (stream)->pending;
  gboolean sent;

  g_mutex_lock (&pending->lock);
  sent = pending_send_all (pending, cancellable, error);
  g_mutex_unlock (&pending->lock);
  if (!sent)
    return -1;
  return g_input_stream_read (pending->base_in, buffer, count, cancellable, error);
}

/* The base is closed with the AllsetBatchingStream. */
static gboolean
batching_input_close (GInputStream  *stream,
                      GCancellable  *cancellable,
                      GError       **error)
{
  return TRUE;
}

static gboolean
batching_input_can_poll (GPollableInputStream *stream)
{
  Pending *pending = BATCHING_INPUT (stream)->pending;

  return g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (pending->base_in));
}

static gboolean
has_pending (Pending *pending)
{
  gboolean any;

  g_mutex_lock (&pending->lock);
  any = pending_size (pending) > 0;
  g_mutex_unlock (&pending->lock);
  return any;
}

/* Bytes still to send count as "not readable yet": the caller then waits
 * on create_source(), which wakes it when they can be sent. */
static gboolean
batching_input_is_readable (GPollableInputStream *stream)
{
  Pending *pending = BATCHING_INPUT (stream)->pending;

  return !has_pending (pending) &&
         g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (pending->base_in));
}

static gssize
batching_input_read_nonblocking (GPollableInputStream  *stream,
                                 void                  *buffer,
                                 gsize                  count,
                                 GError               **error)
{
  Pending *pending = BATCHING_INPUT (stream)->pending;
  gboolean sent, left;

  g_mutex_lock (&pending->lock);
  sent = pending_send_some (pending, NULL, error);
  left = pending_size (pending) > 0;
  g_mutex_unlock (&pending->lock);
  if (!sent)
    return -1;
  if (left)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                           "Sending what was written before reading");
      return -1;
    }
  return g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (pending->base_in),
                                                   buffer, count, NULL, error);
}

static GSource *
batching_input_create_source (GPollableInputStream *stream,
                              GCancellable         *cancellable)
{
  Pending *pending = BATCHING_INPUT (stream)->pending;
  g_autoptr(GSource) child = NULL;

  if (has_pending (pending))
    child = g_pollable_output_stream_create_source (G_POLLABLE_OUTPUT_STREAM (pending->base_out), NULL);
  else
    child = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (pending->base_in), NULL);
  return g_pollable_source_new_full (stream, child, cancellable);
}

static void
batching_input_finalize (GObject *object)
{
  BatchingInput *self = BATCHING_INPUT (object);

  g_clear_pointer (&self->pending, pending_unref);
  G_OBJECT_CLASS (batching_input_parent_class)->finalize (object);
}

static void
batching_input_class_init (BatchingInputClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = batching_input_finalize;
  stream_class->read_fn = batching_input_read;
  stream_class->close_fn = batching_input_close;
}

static void
batching_input_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = batching_input_can_poll;
  iface->is_readable = batching_input_is_readable;
  iface->read_nonblocking = batching_input_read_nonblocking;
  iface->create_source = batching_input_create_source;
}

static void
batching_input_init (BatchingInput *self)
{
}

/* ---- AllsetBatchingStream ----------------------------------------------- */

struct _AllsetBatchingStream
{
  GIOStream       parent_instance;

  GIOStream      *base;
  BatchingInput  *input;
  BatchingOutput *output;
  Pending        *pending;
};

G_DEFINE_FINAL_TYPE (AllsetBatchingStream, allset_batching_stream, G_TYPE_IO_STREAM)

static GInputStream *
allset_batching_stream_get_input_stream (GIOStream *stream)
{
  return G_INPUT_STREAM (ALLSET_BATCHING_STREAM (stream)->input);
}

static GOutputStream *
allset_batching_stream_get_output_stream (GIOStream *stream)
{
  return G_OUTPUT_STREAM (ALLSET_BATCHING_STREAM (stream)->output);
}

static gboolean
allset_batching_stream_close (GIOStream     *stream,
                              GCancellable  *cancellable,
                              GError       **error)
{
  AllsetBatchingStream *self = ALLSET_BATCHING_STREAM (stream);
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  /* Closes the halves, which sends what is left, then the base. The base
   * is closed even if that send failed. */
  ok = G_IO_STREAM_CLASS (allset_batching_stream_parent_class)->close_fn (stream, cancellable, &local_error);
  if (!g_io_stream_close (self->base, cancellable, ok ? error : NULL))
    ok = FALSE;
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return ok;
}

static void
allset_batching_stream_finalize (GObject *object)
{
  AllsetBatchingStream *self = ALLSET_BATCHING_STREAM (object);

  g_clear_object (&self->input);
  g_clear_object (&self->output);
  g_clear_pointer (&self->pending, pending_unref);
  g_clear_object (&self->base);
  G_OBJECT_CLASS (allset_batching_stream_parent_class)->finalize (object);
}

static void
allset_batching_stream_class_init (AllsetBatchingStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *stream_class = G_IO_STREAM_CLASS (klass);

  object_class->finalize = allset_batching_stream_finalize;
  stream_class->get_input_stream = allset_batching_stream_get_input_stream;
  stream_class->get_output_stream = allset_batching_stream_get_output_stream;
  stream_class->close_fn = allset_batching_stream_close;
}

static void
allset_batching_stream_init (AllsetBatchingStream *self)
{
}

GIOStream *
allset_batching_stream_new (GIOStream *base)
{
  AllsetBatchingStream *self;
  Pending *pending;

  g_return_val_if_fail (G_IS_IO_STREAM (base), NULL);
  g_return_val_if_fail (G_IS_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (base)), NULL);
  g_return_val_if_fail (G_IS_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (base)), NULL);

  pending = g_atomic_rc_box_new0 (Pending);
  g_mutex_init (&pending->lock);
  pending->base_out = g_object_ref (g_io_stream_get_output_stream (base));
  pending->base_in = g_object_ref (g_io_stream_get_input_stream (base));

  self = g_object_new (ALLSET_TYPE_BATCHING_STREAM, NULL);
  self->base = g_object_ref (base);
  self->pending = pending;
  self->output = g_object_new (BATCHING_TYPE_OUTPUT, NULL);
  self->output->pending = g_atomic_rc_box_acquire (pending);
  self->input = g_object_new (BATCHING_TYPE_INPUT, NULL);
  self->input->pending = g_atomic_rc_box_acquire (pending);
  return G_IO_STREAM (self);
}

GIOStream *
allset_batching_stream_get_base (AllsetBatchingStream *self)
{
  g_return_val_if_fail (ALLSET_IS_BATCHING_STREAM (self), NULL);

  return self->base;
}

guint64
allset_batching_stream_get_n_sends (AllsetBatchingStream *self)
{
  guint64 n;

  g_return_val_if_fail (ALLSET_IS_BATCHING_STREAM (self), 0);

  g_mutex_lock (&self->pending->lock);
  n = self->pending->n_sends;
  g_mutex_unlock (&self->pending->lock);
  return n;
}
