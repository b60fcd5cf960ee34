/* allset-body.c — collect a binary request body into one buffer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "allset-body.h"

#define KEY "allset-body"

typedef struct
{
  guint8 *data;
  gsize   capacity;
  gsize   length;
} Body;

static void
body_free (gpointer data)
{
  Body *body = data;

  g_free (body->data);
  g_free (body);
}

static void
body_on_got_chunk (SoupServerMessage *msg,
                   GBytes            *chunk,
                   Body              *body)
{
  gsize n;
  gconstpointer bytes = g_bytes_get_data (chunk, &n);

  /* libsoup stops at Content-Length; never write past it regardless. */
  n = MIN (n, body->capacity - body->length);
  memcpy (body->data + body->length, bytes, n);
  body->length += n;
}

void
allset_body_collect (SoupServerMessage *msg,
                     gsize              length)
{
  Body *body = g_new0 (Body, 1);

  body->data = g_malloc (length);
  body->capacity = length;
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  g_object_set_data_full (G_OBJECT (msg), KEY, body, body_free);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (body_on_got_chunk), body);
}

GBytes *
allset_body_steal (SoupServerMessage *msg)
{
  Body *body = g_object_get_data (G_OBJECT (msg), KEY);
  GBytes *bytes;

  if (body == NULL)
    return NULL;

  bytes = g_bytes_new_take (g_steal_pointer (&body->data), body->length);
  g_object_set_data (G_OBJECT (msg), KEY, NULL);
  return bytes;
}
