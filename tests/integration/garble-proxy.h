/* garble-proxy.h — a proxy that garbles some of the server's answers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _GarbleProxy GarbleProxy;

/* Called in the proxy's thread for every answer, before any random
 * garbling: returns the body to send instead (and may change *status),
 * or NULL to keep body. */
typedef GBytes *(*GarbleProxyRewriteFunc) (const char *method,
                                           const char *path,
                                           guint      *status,
                                           GBytes     *body,
                                           gpointer    user_data);

/* In front of upstream_url, serving cert_file and key_file (the server's
 * own, so that a client's pinned fingerprint holds); garbles nothing
 * until told to. */
GarbleProxy *garble_proxy_new         (const char             *upstream_url,
                                       const char             *cert_file,
                                       const char             *key_file,
                                       guint32                 seed);
const char  *garble_proxy_get_url     (GarbleProxy            *self);
/* percent % of the answers from now on, at random. */
void         garble_proxy_set_percent (GarbleProxy            *self,
                                       guint                   percent);
/* Set before any request goes through. */
void         garble_proxy_set_rewrite (GarbleProxy            *self,
                                       GarbleProxyRewriteFunc  rewrite,
                                       gpointer                user_data);
void         garble_proxy_get_counts  (GarbleProxy            *self,
                                       guint                  *answered,
                                       guint                  *garbled);
void         garble_proxy_free        (GarbleProxy            *self);

G_END_DECLS
