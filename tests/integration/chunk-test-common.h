/* chunk-test-common.h — the server, accounts and requests of the chunk tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-chunks.c (uploads, downloads, ranges, packs, partitioning) and
 * test-chunk-bodies.c (bodies too large, empty, without a length, cut
 * short, running over, malformed packs) talk to the chunk endpoints the
 * same way: one copy of the requests and of the pack format here. Each
 * program has one server with two accounts, signed in as `alice` and
 * `bob`; every assert_* helper aborts the test unless what it says holds.
 */

#pragma once

#include "allset-test-server.h"

G_BEGIN_DECLS

extern AllsetTestServer *server;
extern char *alice;   /* tokens */
extern char *bob;

/* The server (no bandwidth limit), alice and bob signed in. */
void                chunk_test_start (void);
void                chunk_test_stop  (void);

/* "/api/v1/chunks/ID". */
char               *chunk_path      (const char         *id);
/* PUT /api/v1/chunks/ID with data. */
AllsetTestResponse *put_as          (const char         *token,
                                     const char         *id,
                                     GBytes             *data);
/* GET /api/v1/chunks/ID, with a Range header unless range is NULL. */
AllsetTestResponse *get_chunk       (const char         *token,
                                     const char         *id,
                                     const char         *range);
/* POST /chunks/missing with ids (NULL-terminated). */
AllsetTestResponse *ask_missing     (const char         *token,
                                     const char *const  *ids);
/* The server says token's account lacks id. */
gboolean            is_missing      (const char         *token,
                                     const char         *id);
/* GET gives back exactly data, as application/octet-stream. */
void                assert_chunk_is (const char         *token,
                                     const char         *id,
                                     GBytes             *data);
/* An upload's answer: status, and the id and size stored. */
void                assert_stored   (AllsetTestResponse *r,
                                     guint               status,
                                     const char         *id,
                                     gsize               size);
/* A pack of chunks (GBytes); the record at bad_index (G_MAXUINT: none)
 * carries the id of other bytes. */
GBytes             *make_pack       (GPtrArray          *chunks,
                                     guint               bad_index);
/* POST /api/v1/chunks/pack. */
AllsetTestResponse *post_pack       (const char         *token,
                                     GBytes             *pack);
/* n random chunks (GBytes) of min_size to max_size bytes. */
GPtrArray          *random_chunks   (guint               n,
                                     gsize               min_size,
                                     gsize               max_size);
/* The chunks' ids, in order. */
GStrv               ids_of          (GPtrArray          *chunks);

G_END_DECLS
