/* allset-acceptor.c — the server accepts its connections itself
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <gio/gnetworking.h>
#include <unistd.h>

#include "allset-acceptor.h"
#include "allset-read-ahead-stream.h"

#define SOCKET_KEY "allset-acceptor-socket"

typedef struct
{
  AllsetAcceptor *acceptor;
  GSocketAddress *remote;        /* as handed to libsoup: the key */
  GSocket        *socket;
  GObject        *connection;    /* weak */
} Accepted;

struct _AllsetAcceptor
{
  SoupServer     *soup;
  GSocketService *service;
  GHashTable     *accepted;      /* GSocketAddress* → Accepted */
  GSocket        *keepalive[2];
  guint16         port;
  gulong          started_id;
};

static void
accepted_gone (gpointer  data,
               GObject  *where_the_object_was)
{
  Accepted *accepted = data;

  accepted->connection = NULL;
  g_hash_table_remove (accepted->acceptor->accepted, accepted->remote);
}

static void
accepted_free (gpointer data)
{
  Accepted *accepted = data;

  if (accepted->connection != NULL)
    g_object_weak_unref (accepted->connection, accepted_gone, accepted);
  g_object_unref (accepted->remote);
  g_object_unref (accepted->socket);
  g_free (accepted);
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             AllsetAcceptor    *self)
{
  static const char * const protocols[] = { "http/1.1", "http/1.0", NULL };
  GSocket *socket = g_socket_connection_get_socket (connection);
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GIOStream) ahead = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GError) error = NULL;
  Accepted *accepted;

  if (!(local = g_socket_connection_get_local_address (connection, &error)) ||
      !(remote = g_socket_connection_get_remote_address (connection, &error)))
    {
      /* The client left before we looked. */
      g_debug ("Dropping a connection: %s", error->message);
      return TRUE;
    }
  /* As libsoup does for the connections it accepts: answers are written
   * whole, and waiting for more only delays them. */
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);

  ahead = allset_read_ahead_stream_new (G_IO_STREAM (connection));
  /* As libsoup builds it. "database" NULL, said outright: left unset,
   * GIO loads the system's certificate authorities for it, 25 MB of
   * parsed certificates to check client certificates nobody sends. */
  tls = g_initable_new (g_tls_backend_get_server_connection_type (g_tls_backend_get_default ()),
                        NULL, &error,
                        "base-io-stream", ahead,
                        "certificate", soup_server_get_tls_certificate (self->soup),
                        "database", NULL,
                        "authentication-mode", G_TLS_AUTHENTICATION_NONE,
                        "require-close-notify", FALSE,
                        "advertised-protocols", protocols,
                        NULL);
  if (tls == NULL)
    {
      g_warning ("Cannot set up TLS on a new connection: %s", error->message);
      return TRUE;
    }

  accepted = g_new0 (Accepted, 1);
  accepted->acceptor = self;
  accepted->remote = g_object_ref (remote);
  accepted->socket = g_object_ref (socket);
  accepted->connection = G_OBJECT (connection);
  g_object_weak_ref (accepted->connection, accepted_gone, accepted);
  g_hash_table_replace (self->accepted, accepted->remote, accepted);

  soup_server_accept_iostream (self->soup, tls, local, remote, NULL);
  return TRUE;
}

static void
request_started (SoupServer        *soup,
                 SoupServerMessage *msg,
                 AllsetAcceptor    *self)
{
  Accepted *accepted = g_hash_table_lookup (self->accepted, soup_server_message_get_remote_address (msg));

  if (accepted != NULL)
    g_object_set_data_full (G_OBJECT (msg), SOCKET_KEY, g_object_ref (accepted->socket), g_object_unref);
}

/* As libsoup's own listeners: an IPv6 address takes IPv6 clients alone,
 * so that "::" does not also take IPv4 ones under mapped addresses. */
static void
on_listener_event (GSocketListener      *listener,
                   GSocketListenerEvent  event,
                   GSocket              *socket,
                   gpointer              user_data)
{
  if (event == G_SOCKET_LISTENER_BINDING && g_socket_get_family (socket) == G_SOCKET_FAMILY_IPV6)
    g_socket_set_option (socket, IPPROTO_IPV6, IPV6_V6ONLY, TRUE, NULL);
}

/* libsoup 3.2 keeps a connection open after a request only while it has
 * a listener of its own (request_finished() in soup-server.c), and
 * closes it otherwise. It gets one that never has anything to accept:
 * one end of a socket pair whose other end stays open and silent. */
static gboolean
give_soup_a_listener (AllsetAcceptor  *self,
                      GError         **error)
{
  int fds[2];

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot make a socket pair: %s", g_strerror (saved_errno));
      return FALSE;
    }
  for (guint i = 0; i < 2; i++)
    if (!(self->keepalive[i] = g_socket_new_from_fd (fds[i], error)))
      {
        close (fds[i]);
        if (i == 0)
          close (fds[1]);
        return FALSE;
      }
  return soup_server_listen_socket (self->soup, self->keepalive[0], 0, error);
}

AllsetAcceptor *
allset_acceptor_new (SoupServer      *soup,
                     GSocketAddress  *address,
                     GError         **error)
{
  g_autoptr(AllsetAcceptor) self = g_new0 (AllsetAcceptor, 1);
  g_autoptr(GSocketAddress) effective = NULL;

  g_return_val_if_fail (SOUP_IS_SERVER (soup), NULL);
  g_return_val_if_fail (soup_server_get_tls_certificate (soup) != NULL, NULL);

  self->soup = g_object_ref (soup);
  self->accepted = g_hash_table_new_full (NULL, NULL, NULL, accepted_free);
  self->service = g_socket_service_new ();
  g_signal_connect (self->service, "event", G_CALLBACK (on_listener_event), NULL);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &effective, error) ||
      !give_soup_a_listener (self, error))
    return NULL;

  if (G_IS_INET_SOCKET_ADDRESS (effective))
    self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  self->started_id = g_signal_connect (soup, "request-started", G_CALLBACK (request_started), self);
  g_signal_connect (self->service, "incoming", G_CALLBACK (on_incoming), self);
  g_socket_service_start (self->service);
  return g_steal_pointer (&self);
}

guint16
allset_acceptor_get_port (AllsetAcceptor *self)
{
  return self->port;
}

void
allset_acceptor_free (AllsetAcceptor *self)
{
  if (self == NULL)
    return;

  if (self->service != NULL)
    {
      g_socket_service_stop (self->service);
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
      g_signal_handlers_disconnect_by_data (self->service, self);
      g_clear_object (&self->service);
    }
  g_clear_signal_handler (&self->started_id, self->soup);
  g_clear_pointer (&self->accepted, g_hash_table_unref);
  for (guint i = 0; i < 2; i++)
    g_clear_object (&self->keepalive[i]);
  g_clear_object (&self->soup);
  g_free (self);
}

GSocket *
allset_acceptor_get_socket (SoupServerMessage *msg)
{
  GSocket *socket = g_object_get_data (G_OBJECT (msg), SOCKET_KEY);

  return socket != NULL ? socket : soup_server_message_get_socket (msg);
}
