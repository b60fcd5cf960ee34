/* allset-batching-proxy.h — puts an AllsetBatchingStream under libsoup's TLS
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libsoup builds its connections with a GSocketClient and offers no hook
 * between the TCP connection and the TLS layer it puts on top, except
 * GIO's proxy machinery: a GProxy receives the connected stream and may
 * hand back another. So AllsetBatchingResolver answers "allset-batching://
 * HOST:PORT" wherever the system's resolver answers "direct://", and
 * AllsetBatchingProxy, registered for that scheme, wraps the connection
 * to HOST:PORT in an AllsetBatchingStream. A real proxy the system asks
 * for is used as before, without batching.
 */

#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define ALLSET_BATCHING_PROXY_SCHEME "allset-batching"

#define ALLSET_TYPE_BATCHING_PROXY (allset_batching_proxy_get_type ())
G_DECLARE_FINAL_TYPE (AllsetBatchingProxy, allset_batching_proxy, ALLSET, BATCHING_PROXY, GObject)

#define ALLSET_TYPE_BATCHING_RESOLVER (allset_batching_resolver_get_type ())
G_DECLARE_FINAL_TYPE (AllsetBatchingResolver, allset_batching_resolver, ALLSET, BATCHING_RESOLVER, GObject)

/* Registers AllsetBatchingProxy for ALLSET_BATCHING_PROXY_SCHEME (once)
 * and returns a resolver that sends direct connections through it.
 * base: the resolver asked first; NULL for the system's default. */
GProxyResolver *allset_batching_resolver_new          (GProxyResolver *base);
/* Gives session an allset_batching_resolver_new (NULL), unless
 * ALLSET_NO_BATCHING is set (for comparisons, bench/RESULTS.md). */
void            allset_batching_install               (SoupSession    *session);
/* Tests and figures: connections wrapped so far, by every proxy. */
guint           allset_batching_proxy_get_n_connected (void);

G_END_DECLS
