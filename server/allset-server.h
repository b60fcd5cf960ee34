/* allset-server.h — the HTTPS server: routing, workers, push, pacing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "allset-server-config.h"

G_BEGIN_DECLS

#define ALLSET_TYPE_SERVER (allset_server_get_type ())
G_DECLARE_FINAL_TYPE (AllsetServer, allset_server, ALLSET, SERVER, GObject)

/* Opens the data directory (database, chunk store, receipt key) and
 * listens. Takes ownership of config, even on failure. */
AllsetServer *allset_server_new       (AllsetServerConfig       *config,
                                       GTlsCertificate          *certificate,
                                       GError                  **error);
/* The port actually bound (useful with port 0). */
guint16       allset_server_get_port  (AllsetServer             *self);

/* `allset-server serve …` */
int           allset_serve_main       (int                       argc,
                                       char                    **argv);

G_END_DECLS
