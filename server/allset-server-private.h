/* allset-server-private.h — what route handlers may use of the server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "allset-chunk-store.h"
#include "allset-http.h"
#include "allset-segments.h"
#include "allset-server.h"
#include "allset-store.h"
#include "allset-throttle.h"

G_BEGIN_DECLS

/* These objects are immutable after construction or thread-safe, so routes
 * running in worker threads may use them. */
AllsetStore              *allset_server_get_store       (AllsetServer *self);
AllsetChunkStore         *allset_server_get_chunk_store (AllsetServer *self);
AllsetSegments           *allset_server_get_segments    (AllsetServer *self);
AllsetSigner             *allset_server_get_signer      (AllsetServer *self);
AllsetThrottle           *allset_server_get_throttle    (AllsetServer *self);
const AllsetServerConfig *allset_server_get_config      (AllsetServer *self);

/* A route runs in a worker thread and may block; it returns a response. */
typedef AllsetHttpResponse *(*AllsetRouteFunc) (AllsetServer      *server,
                                                 AllsetHttpRequest *request);

/* allset-routes-account.c */
AllsetHttpResponse *allset_route_login              (AllsetServer *, AllsetHttpRequest *);
AllsetHttpResponse *allset_route_logout             (AllsetServer *, AllsetHttpRequest *);
AllsetHttpResponse *allset_route_account            (AllsetServer *, AllsetHttpRequest *);
AllsetHttpResponse *allset_route_devices            (AllsetServer *, AllsetHttpRequest *);
AllsetHttpResponse *allset_route_device_revoke      (AllsetServer *, AllsetHttpRequest *);
AllsetHttpResponse *allset_route_devices_revoke_all (AllsetServer *, AllsetHttpRequest *);
/* Checks the bearer token; fills request->account and ->device or returns
 * the error response. */
AllsetHttpResponse *allset_route_authenticate       (AllsetServer *, AllsetHttpRequest *);

/* allset-routes-chunks.c */
AllsetHttpResponse *allset_route_chunks_missing     (AllsetServer *, AllsetHttpRequest *);
AllsetHttpResponse *allset_route_chunk_put          (AllsetServer *, AllsetHttpRequest *);
AllsetHttpResponse *allset_route_chunk_pack         (AllsetServer *, AllsetHttpRequest *);
AllsetHttpResponse *allset_route_chunk_get          (AllsetServer *, AllsetHttpRequest *);

/* allset-routes-tree.c */
AllsetHttpResponse *allset_route_commit             (AllsetServer *, AllsetHttpRequest *);
AllsetHttpResponse *allset_route_file               (AllsetServer *, AllsetHttpRequest *);
AllsetHttpResponse *allset_route_list               (AllsetServer *, AllsetHttpRequest *);
AllsetHttpResponse *allset_route_versions           (AllsetServer *, AllsetHttpRequest *);
AllsetHttpResponse *allset_route_version_restore    (AllsetServer *, AllsetHttpRequest *);
AllsetHttpResponse *allset_route_trash              (AllsetServer *, AllsetHttpRequest *);
AllsetHttpResponse *allset_route_trash_restore      (AllsetServer *, AllsetHttpRequest *);
/* allset-commit-request.c: the operations of a commit body (AllsetOp),
 * and its "receipts" form; on a bad operation, *bad_index is its index
 * (G_MAXUINT for an error in the body as a whole). */
GPtrArray          *allset_commit_request_read      (GBytes   *body,
                                                     char    **receipts,
                                                     guint    *bad_index,
                                                     GError  **error);
/* The object GET /api/v1/file answers, shared with POST /api/v1/files. */
void                allset_route_add_file           (JsonBuilder      *b,
                                                     const AllsetNode *node);

/* allset-routes-fetch.c: many files' metadata or chunks in one request. */
AllsetHttpResponse *allset_route_files              (AllsetServer *, AllsetHttpRequest *);
AllsetHttpResponse *allset_route_chunks_fetch       (AllsetServer *, AllsetHttpRequest *);

/* allset-routes-changes.c */
AllsetHttpResponse *allset_route_changes            (AllsetServer *, AllsetHttpRequest *);
/* Worker half of /changes/wait: answers at once if the cursor already moved;
 * otherwise returns a response with status 0, the account and its current
 * cursor, and the main loop parks the request until a commit moves it. */
AllsetHttpResponse *allset_route_changes_wait       (AllsetServer *, AllsetHttpRequest *);
void                allset_route_write_change       (AllsetJsonWriter   *w,
                                                     const AllsetChange *change);
JsonNode           *allset_changes_wait_body        (gint64        cursor,
                                                     gboolean      changed);

/* allset-routes-shares.c */
AllsetHttpResponse *allset_route_share_create       (AllsetServer *, AllsetHttpRequest *);
AllsetHttpResponse *allset_route_shares_list        (AllsetServer *, AllsetHttpRequest *);
AllsetHttpResponse *allset_route_share_update       (AllsetServer *, AllsetHttpRequest *);
AllsetHttpResponse *allset_route_share_revoke       (AllsetServer *, AllsetHttpRequest *);

/* allset-routes-share-public.c: the param is everything after "/s/". */
AllsetHttpResponse *allset_route_share_page         (AllsetServer *, AllsetHttpRequest *);
AllsetHttpResponse *allset_route_share_unlock       (AllsetServer *, AllsetHttpRequest *);
AllsetHttpResponse *allset_route_robots             (AllsetServer *, AllsetHttpRequest *);

G_END_DECLS
