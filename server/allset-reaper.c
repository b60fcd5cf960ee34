/* allset-reaper.c — close the connections libsoup 3.2 forgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libsoup 3.2 (Debian 12) never closes a keep-alive connection that its
 * client closes while idle (fixed in libsoup 3.3.0, commit d20c6601): every
 * sync client that comes and goes would cost the server a descriptor until
 * it hits RLIMIT_NOFILE. SoupServer says nothing when that happens, so we
 * watch the sockets of the requests we see, and close a socket with no
 * request in flight once its client has hung up (end of stream, or a TLS
 * alert such as close_notify) or it stayed idle too long, which is also the
 * idle timeout any HTTP server keeps.
 *
 * We never hold a strong reference: a socket libsoup cleans up properly is
 * finalized as usual and leaves our table through its weak reference.
 */

#include <errno.h>
#include <sys/socket.h>

#include "allset-acceptor.h"
#include "allset-reaper.h"

#define CHECK_INTERVAL_MS 1000
#define TLS_ALERT         21     /* TLS record content type of an alert */

typedef struct
{
  AllsetReaper *reaper;
  GSocket      *socket;          /* weak */
  guint         in_flight;
  gint64        idle_since;
} Watched;

struct _AllsetReaper
{
  SoupServer *server;
  GHashTable *sockets;           /* GSocket* → Watched */
  guint64     idle_us;
  gulong      started_id;
  gulong      finished_id;
  gulong      aborted_id;
  guint       check_id;
};

static void
socket_finalized (gpointer  data,
                  GObject  *where_the_object_was)
{
  Watched *watched = data;

  /* The weak reference is spent already: watched_free must not drop it. */
  watched->socket = NULL;
  g_hash_table_remove (watched->reaper->sockets, where_the_object_was);
}

static void
watched_free (gpointer data)
{
  Watched *watched = data;

  if (watched->socket != NULL)
    g_object_weak_unref (G_OBJECT (watched->socket), socket_finalized, watched);
  g_free (watched);
}

static void
request_finished (SoupServer        *server,
                  SoupServerMessage *msg,
                  AllsetReaper      *self)
{
  GSocket *socket = allset_acceptor_get_socket (msg);
  Watched *watched = socket ? g_hash_table_lookup (self->sockets, socket) : NULL;

  if (watched != NULL && watched->in_flight > 0)
    {
      watched->in_flight--;
      watched->idle_since = g_get_monotonic_time ();
    }
}

static void
request_started (SoupServer        *server,
                 SoupServerMessage *msg,
                 AllsetReaper      *self)
{
  GSocket *socket = allset_acceptor_get_socket (msg);
  Watched *watched;

  if (socket == NULL)
    return;

  watched = g_hash_table_lookup (self->sockets, socket);
  if (watched == NULL)
    {
      watched = g_new0 (Watched, 1);
      watched->reaper = self;
      watched->socket = socket;
      g_object_weak_ref (G_OBJECT (socket), socket_finalized, watched);
      g_hash_table_insert (self->sockets, socket, watched);
    }

  watched->in_flight++;
}

/* TRUE when the client has hung up: end of stream, or an alert (the
 * close_notify a TLS client sends before closing). A request that starts
 * arriving begins with a handshake or application-data record instead. */
static gboolean
client_gone (GSocket *socket)
{
  guint8 first;
  ssize_t n;

  if (!g_socket_condition_check (socket, G_IO_IN | G_IO_HUP | G_IO_ERR))
    return FALSE;

  n = recv (g_socket_get_fd (socket), &first, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0)
    return TRUE;
  if (n < 0)
    return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
  return first == TLS_ALERT;
}

static gboolean
check_sockets (gpointer data)
{
  AllsetReaper *self = data;
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->sockets);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Watched *watched = value;
      GSocket *socket = key;

      if (g_socket_is_closed (socket))
        {
          g_hash_table_iter_remove (&iter);
          continue;
        }

      if (watched->in_flight > 0)
        continue;

      if (client_gone (socket) || now - watched->idle_since > (gint64) self->idle_us)
        {
          g_debug ("Closing an idle connection its client left");
          g_socket_close (socket, NULL);
          g_hash_table_iter_remove (&iter);
        }
    }

  return G_SOURCE_CONTINUE;
}

AllsetReaper *
allset_reaper_new (SoupServer *server,
                   guint       idle_seconds)
{
  AllsetReaper *self = g_new0 (AllsetReaper, 1);

  self->server = server;
  self->idle_us = (guint64) idle_seconds * G_USEC_PER_SEC;
  self->sockets = g_hash_table_new_full (NULL, NULL, NULL, watched_free);
  self->started_id = g_signal_connect (server, "request-started",
                                       G_CALLBACK (request_started), self);
  self->finished_id = g_signal_connect (server, "request-finished",
                                        G_CALLBACK (request_finished), self);
  self->aborted_id = g_signal_connect (server, "request-aborted",
                                       G_CALLBACK (request_finished), self);
  self->check_id = g_timeout_add (CHECK_INTERVAL_MS, check_sockets, self);
  return self;
}

void
allset_reaper_free (AllsetReaper *self)
{
  if (self == NULL)
    return;

  g_clear_signal_handler (&self->started_id, self->server);
  g_clear_signal_handler (&self->finished_id, self->server);
  g_clear_signal_handler (&self->aborted_id, self->server);
  g_clear_handle_id (&self->check_id, g_source_remove);
  g_hash_table_unref (self->sockets);
  g_free (self);
}
