/* loopback-fixture.c — a TCP connection over 127.0.0.1 for stream tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "loopback-fixture.h"

void
loopback_open (Loopback *loopback)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (address, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;

  loopback->listener = g_socket_listener_new ();
  g_socket_listener_add_address (loopback->listener, any_port, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  loopback->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));

  g_socket_client_set_enable_proxy (client, FALSE);
  loopback->near = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (effective), NULL, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (g_socket_connection_get_socket (loopback->near), 10);
  loopback_accept (loopback);
}

void
loopback_accept (Loopback *loopback)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&loopback->far);
  loopback->far = g_socket_listener_accept (loopback->listener, NULL, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (g_socket_connection_get_socket (loopback->far), 10);
}

void
loopback_close (Loopback *loopback)
{
  g_clear_object (&loopback->far);
  g_clear_object (&loopback->near);
  g_socket_listener_close (loopback->listener);
  g_clear_object (&loopback->listener);
}
