/* allset-pacing.c — keep uploads and downloads within an account's bucket
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Main loop only. Pausing a SoupServerMessage stops libsoup from reading
 * (or writing) its connection, which is what makes the cap hold for a
 * single large body, not just on average across requests.
 */

#include "allset-pacing.h"

typedef struct
{
  SoupServerMessage *msg;
  GBytes            *body;
  gsize              offset;
  AllsetBucket      *bucket;
  guint              timeout_id;
  gboolean           finished;
} Pacer;

static void
pacer_free (gpointer data)
{
  Pacer *pacer = data;

  g_clear_handle_id (&pacer->timeout_id, g_source_remove);
  g_bytes_unref (pacer->body);
  g_free (pacer);
}

static void
pacer_feed (Pacer *pacer)
{
  SoupMessageBody *body = soup_server_message_get_response_body (pacer->msg);
  gsize total = g_bytes_get_size (pacer->body);
  gsize piece = MIN (ALLSET_PACE_PIECE, total - pacer->offset);
  g_autoptr(GBytes) slice = g_bytes_new_from_bytes (pacer->body, pacer->offset, piece);

  soup_message_body_append_bytes (body, slice);
  pacer->offset += piece;
  allset_bucket_consume (pacer->bucket, piece, g_get_monotonic_time ());

  if (pacer->offset == total)
    soup_message_body_complete (body);
}

static gboolean
pacer_resume (gpointer data)
{
  Pacer *pacer = data;

  pacer->timeout_id = 0;
  if (!pacer->finished)
    {
      pacer_feed (pacer);
      soup_server_message_unpause (pacer->msg);
    }
  return G_SOURCE_REMOVE;
}

static void
pacer_on_wrote_chunk (SoupServerMessage *msg,
                      Pacer             *pacer)
{
  gint64 wait;

  if (pacer->offset == g_bytes_get_size (pacer->body) || pacer->timeout_id != 0)
    return;

  wait = allset_bucket_wait (pacer->bucket, g_get_monotonic_time ());
  if (wait <= 0)
    pacer_feed (pacer);
  else
    /* libsoup pauses the message by itself when it runs out of body. */
    pacer->timeout_id = g_timeout_add_full (G_PRIORITY_DEFAULT, MAX (1, wait / 1000),
                                            pacer_resume, pacer, NULL);
}

static void
pacer_on_finished (SoupServerMessage *msg,
                   Pacer             *pacer)
{
  pacer->finished = TRUE;
  g_clear_handle_id (&pacer->timeout_id, g_source_remove);
}

void
allset_pacing_send_body (SoupServerMessage *msg,
                         GBytes            *body,
                         AllsetBucket      *bucket)
{
  Pacer *pacer = g_new0 (Pacer, 1);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  pacer->msg = msg;
  pacer->body = g_bytes_ref (body);
  pacer->bucket = bucket;

  soup_message_headers_set_content_length (headers, g_bytes_get_size (body));
  g_signal_connect (msg, "wrote-chunk", G_CALLBACK (pacer_on_wrote_chunk), pacer);
  g_signal_connect (msg, "finished", G_CALLBACK (pacer_on_finished), pacer);
  g_object_set_data_full (G_OBJECT (msg), "allset-pacer", pacer, pacer_free);

  if (g_bytes_get_size (body) == 0)
    soup_message_body_complete (soup_server_message_get_response_body (msg));
  else
    pacer_feed (pacer);
}

static gboolean
reader_resume (gpointer data)
{
  SoupServerMessage *msg = data;

  if (!GPOINTER_TO_INT (g_object_get_data (G_OBJECT (msg), "allset-finished")))
    soup_server_message_unpause (msg);
  return G_SOURCE_REMOVE;
}

static void
reader_on_got_chunk (SoupServerMessage *msg,
                     GBytes            *chunk,
                     AllsetBucket      *bucket)
{
  gint64 wait = allset_bucket_consume (bucket, g_bytes_get_size (chunk), g_get_monotonic_time ());

  if (wait > 1000)
    {
      soup_server_message_pause (msg);
      g_timeout_add_full (G_PRIORITY_DEFAULT, wait / 1000, reader_resume,
                          g_object_ref (msg), g_object_unref);
    }
}

static void
reader_on_finished (SoupServerMessage *msg)
{
  g_object_set_data (G_OBJECT (msg), "allset-finished", GINT_TO_POINTER (TRUE));
}

void
allset_pacing_read_body (SoupServerMessage *msg,
                         AllsetBucket      *bucket)
{
  g_signal_connect (msg, "got-chunk", G_CALLBACK (reader_on_got_chunk), bucket);
  g_signal_connect (msg, "finished", G_CALLBACK (reader_on_finished), NULL);
}
