/* allset-acceptor.h — the server accepts its connections itself
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libsoup 3.2 gives no hook between a TCP connection and the TLS layer it
 * puts on it, and the server wants one: a read-ahead stream that
 * spares the main thread two system calls per TLS record. So the acceptor
 * listens and accepts, builds the TLS connection over a read-ahead stream
 * with the server's certificate, and hands it to libsoup with
 * soup_server_accept_iostream(), which runs it like any connection.
 *
 * libsoup knows nothing of the TCP socket under such a connection
 * (soup_server_message_get_socket() answers NULL); the acceptor names it
 * on each message as the message starts (allset_acceptor_get_socket()).
 */

#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _AllsetAcceptor AllsetAcceptor;

/* Listens on address (port 0: any free port) for soup, which must have
 * its TLS certificate set. Create it before anything that handles
 * SoupServer::request-started and needs the socket. */
AllsetAcceptor *allset_acceptor_new        (SoupServer         *soup,
                                            GSocketAddress     *address,
                                            GError            **error);
guint16         allset_acceptor_get_port   (AllsetAcceptor     *self);
void            allset_acceptor_free       (AllsetAcceptor     *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetAcceptor, allset_acceptor_free)

/* The TCP socket under msg's connection, whoever accepted it. */
GSocket        *allset_acceptor_get_socket (SoupServerMessage  *msg);

G_END_DECLS
