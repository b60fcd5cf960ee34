/* loopback-fixture.h — a TCP connection over 127.0.0.1 for stream tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* near: the end a test puts its stream on; far: the peer, accepted by
 * listener. Both time out after 10 s, so a broken stream fails its test
 * instead of hanging it. */
typedef struct
{
  GSocketListener   *listener;
  guint16            port;
  GSocketConnection *near;
  GSocketConnection *far;
} Loopback;

void loopback_open  (Loopback *loopback);
/* Accepts the next connection to port as far, in place of the last. */
void loopback_accept (Loopback *loopback);
/* The peer first: a stream still holding bytes may send them when it is
 * closed, which would wait on a peer that does not read. */
void loopback_close (Loopback *loopback);

G_END_DECLS
