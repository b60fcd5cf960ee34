/* allset-stream.c — response bodies produced while they are sent
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Share-link downloads and folder zips can be many GiB: they must neither
 * be built in memory (routes return whole bodies otherwise, see
 * allset-server.c) nor read on the main loop. A stream reads its body in
 * GTask threads, one read at a time and at most one ahead of the bytes
 * being sent, and hands libsoup one small piece per "wrote-chunk" with
 * the response body not accumulating, so memory stays at about two reads
 * (two chunks) whatever the size. Without a piece to give, libsoup pauses
 * the message itself; the stream unpauses it when the next piece is in
 * (after a read, or after waiting for the bandwidth bucket, as
 * allset-pacing.c does for whole bodies).
 *
 * The stream is reference-counted: the message holds one reference until
 * it finishes, and a read in flight holds one, so a client that goes away
 * mid-body frees everything once the read in flight returns.
 */

#include "allset-acceptor.h"
#include "allset-pacing.h"
#include "allset-stream.h"

/* Bytes handed to libsoup at a time when nothing paces them. */
#define UNPACED_PIECE (256 * 1024)

struct _AllsetStream
{
  gatomicrefcount       ref_count;
  guint64               length;
  AllsetStreamReadFunc  read;
  gpointer              source;
  GDestroyNotify        source_free;
  GCancellable         *cancellable;

  /* Main loop only. */
  SoupServerMessage    *msg;          /* ref held until "finished" */
  AllsetBucket         *bucket;
  gulong                wrote_id;
  gulong                finished_id;
  guint                 timeout_id;
  GBytes               *ahead;        /* a read that came in, not started */
  GBytes               *current;      /* the read being cut into pieces */
  gsize                 current_offset;
  guint64               sent;         /* bytes handed to libsoup */
  gboolean              reading;
  gboolean              eof;
  gboolean              outstanding;  /* libsoup holds a piece not written yet */
  gboolean              starved;      /* libsoup paused for want of a piece */
  gboolean              complete;
  gboolean              finished;
};

static AllsetStream *
stream_ref (AllsetStream *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

static void
stream_unref (AllsetStream *self)
{
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_assert (self->msg == NULL);
  if (self->source_free != NULL)
    self->source_free (self->source);
  g_clear_pointer (&self->ahead, g_bytes_unref);
  g_clear_pointer (&self->current, g_bytes_unref);
  g_clear_object (&self->cancellable);
  g_free (self);
}

AllsetStream *
allset_stream_new (guint64               length,
                   AllsetStreamReadFunc  read,
                   gpointer              source,
                   GDestroyNotify        source_free)
{
  AllsetStream *self = g_new0 (AllsetStream, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->length = length;
  self->read = read;
  self->source = source;
  self->source_free = source_free;
  self->cancellable = g_cancellable_new ();
  return self;
}

void
allset_stream_free (AllsetStream *self)
{
  if (self != NULL)
    stream_unref (self);
}

static void feed (AllsetStream *self);

/* Lets libsoup go on once it has something to write. */
static void
wake (AllsetStream *self)
{
  if (self->starved)
    {
      self->starved = FALSE;
      soup_server_message_unpause (self->msg);
    }
}

static void
complete (AllsetStream *self)
{
  self->complete = TRUE;
  soup_message_body_complete (soup_server_message_get_response_body (self->msg));
  wake (self);
}

/* The status line is gone already: the only honest end is to cut the
 * connection short of its Content-Length, which every client reports. */
static void
abort_body (AllsetStream *self,
            const char   *why)
{
  GSocket *socket = allset_acceptor_get_socket (self->msg);

  /* A message, not a warning: a disk or store fault, not a bug here. */
  g_message ("A streamed response stops after %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
             " bytes: %s", self->sent, self->length, why);
  if (socket != NULL)
    g_socket_shutdown (socket, TRUE, TRUE, NULL);
  complete (self);
}

static void
read_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  AllsetStream *self = task_data;
  GError *error = NULL;
  GBytes *bytes = self->read (self->source, cancellable, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
}

static void
read_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  AllsetStream *self = user_data;   /* the task's data holds a reference */
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_task_propagate_pointer (G_TASK (result), &error);

  self->reading = FALSE;
  if (self->finished || self->complete)
    return;
  if (error != NULL)
    {
      abort_body (self, error->message);
      return;
    }
  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    self->eof = TRUE;
  else
    self->ahead = g_steal_pointer (&bytes);
  feed (self);
}

/* Keeps one read ahead of the piece being sent. */
static void
read_ahead (AllsetStream *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->finished || self->complete || self->reading || self->eof || self->ahead != NULL)
    return;

  self->reading = TRUE;
  task = g_task_new (NULL, self->cancellable, read_done, self);
  g_task_set_source_tag (task, read_ahead);
  g_task_set_task_data (task, stream_ref (self), (GDestroyNotify) stream_unref);
  g_task_run_in_thread (task, read_thread);
}

static gboolean
resume (gpointer data)
{
  AllsetStream *self = data;

  self->timeout_id = 0;
  feed (self);
  return G_SOURCE_REMOVE;
}

/* Hands libsoup its next piece if there is one and the bucket allows. */
static void
feed (AllsetStream *self)
{
  gsize piece_max = self->bucket != NULL ? ALLSET_PACE_PIECE : UNPACED_PIECE;
  g_autoptr(GBytes) piece = NULL;
  gsize n;

  if (self->finished || self->complete || self->outstanding || self->timeout_id != 0)
    return;

  if (self->sent == self->length)
    {
      complete (self);
      return;
    }

  /* Not outstanding: libsoup is (or is about to be) paused until fed. */
  self->starved = TRUE;

  if (self->bucket != NULL)
    {
      gint64 wait = allset_bucket_wait (self->bucket, g_get_monotonic_time ());

      if (wait > 0)
        {
          self->timeout_id = g_timeout_add_full (G_PRIORITY_DEFAULT, MAX (1, wait / 1000),
                                                 resume, self, NULL);
          read_ahead (self);
          return;
        }
    }

  if (self->current == NULL || self->current_offset == g_bytes_get_size (self->current))
    {
      g_clear_pointer (&self->current, g_bytes_unref);
      self->current = g_steal_pointer (&self->ahead);
      self->current_offset = 0;
    }
  read_ahead (self);
  if (self->current == NULL)
    {
      if (self->eof)
        abort_body (self, "the source ended early");
      return;
    }

  n = MIN (piece_max, g_bytes_get_size (self->current) - self->current_offset);
  if (n > self->length - self->sent)
    {
      abort_body (self, "the source is longer than announced");
      return;
    }
  piece = g_bytes_new_from_bytes (self->current, self->current_offset, n);
  self->current_offset += n;
  self->sent += n;
  self->outstanding = TRUE;
  soup_message_body_append_bytes (soup_server_message_get_response_body (self->msg), piece);
  if (self->bucket != NULL)
    allset_bucket_consume (self->bucket, n, g_get_monotonic_time ());
  if (self->sent == self->length)
    complete (self);
  else
    wake (self);
}

static void
on_wrote_chunk (SoupServerMessage *msg,
                AllsetStream      *self)
{
  self->outstanding = FALSE;
  feed (self);
}

static void
on_finished (SoupServerMessage *msg,
             AllsetStream      *self)
{
  self->finished = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_signal_handler (&self->wrote_id, msg);
  g_clear_signal_handler (&self->finished_id, msg);
  g_clear_pointer (&self->ahead, g_bytes_unref);
  g_clear_pointer (&self->current, g_bytes_unref);
  g_clear_object (&self->msg);
  stream_unref (self);
}

void
allset_stream_send (AllsetStream      *self,
                    SoupServerMessage *msg,
                    AllsetBucket      *bucket)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  SoupMessageBody *body = soup_server_message_get_response_body (msg);

  self->msg = g_object_ref (msg);
  self->bucket = bucket;
  /* What was written is dropped at once; libsoup would also try to answer
   * a Range itself from an accumulated body. */
  soup_message_body_set_accumulate (body, FALSE);
  soup_message_headers_set_content_length (headers, self->length);
  self->wrote_id = g_signal_connect (msg, "wrote-chunk", G_CALLBACK (on_wrote_chunk), self);
  self->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (on_finished), self);
  /* The caller's reference is now the message's, dropped when it finishes. */
  feed (self);
}
