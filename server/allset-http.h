/* allset-http.h — requests and responses that cross to worker threads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SoupServerMessage is not thread-safe, so the main loop copies what a route
 * needs into an AllsetHttpRequest, runs the route in a GTask thread (where it
 * may block on SQLite, disk and hashing), and applies the AllsetHttpResponse
 * back on the main loop.
 */

#pragma once

#include <libsoup/soup.h>

#include "allset-protocol.h"
#include "allset-store.h"

G_BEGIN_DECLS

typedef struct
{
  char               *method;
  char               *path;
  GHashTable         *query;        /* char* → char*, may be NULL */
  SoupMessageHeaders *headers;      /* request headers (a copy) */
  GBytes             *body;
  guint8             *body_block;   /* body's block (allset-body.h), or NULL; lives as long as body */
  char               *remote_ip;
  char               *param;        /* the {id} of /chunks/{id} or /devices/{id} */

  /* Filled by authentication before the route runs. */
  AllsetAccount      *account;
  AllsetDevice       *device;
  AllsetHash          token_hash;
} AllsetHttpRequest;

void allset_http_request_free (AllsetHttpRequest *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetHttpRequest, allset_http_request_free)

typedef struct _AllsetStream AllsetStream;   /* allset-stream.h */

typedef struct
{
  guint               status;
  char               *content_type;
  GBytes             *body;
  AllsetStream       *stream;       /* or a body produced while sent (large downloads) */
  SoupMessageHeaders *headers;      /* extra response headers */
  gint64              account_id;   /* whose bandwidth a body download draws from, 0: none */
  gboolean            cursor_moved; /* a commit happened: wake long polls of account_id */
  gint64              cursor;
} AllsetHttpResponse;

AllsetHttpResponse *allset_http_response_new        (guint               status);
AllsetHttpResponse *allset_http_response_new_json   (guint               status,
                                                     JsonNode           *node);
AllsetHttpResponse *allset_http_response_new_object (guint               status,
                                                     JsonBuilder        *builder);
/* Takes the writer's text (a whole document) as the body. */
AllsetHttpResponse *allset_http_response_new_writer (guint               status,
                                                     AllsetJsonWriter   *writer);
AllsetHttpResponse *allset_http_response_new_error  (AllsetErrorCode     code,
                                                     const char         *message);
/* Maps an ALLSET_PROTOCOL_ERROR (anything else is internal_error). */
AllsetHttpResponse *allset_http_response_new_gerror (const GError       *error);
void                allset_http_response_free       (AllsetHttpResponse *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetHttpResponse, allset_http_response_free)

/* Parses the request body as a JSON object. */
JsonObject         *allset_http_request_json        (AllsetHttpRequest  *self,
                                                     GError            **error);
const char         *allset_http_request_query       (AllsetHttpRequest  *self,
                                                     const char         *name);
gboolean            allset_http_request_query_int   (AllsetHttpRequest  *self,
                                                     const char         *name,
                                                     gint64              fallback,
                                                     gint64              min,
                                                     gint64              max,
                                                     gint64             *out,
                                                     GError            **error);
char               *allset_http_format_time         (gint64              unix_time);
/* One "bytes=a-b", "bytes=a-" or "bytes=-n" range within size bytes, as
 * HTTP allows; FALSE when unsatisfiable, several, or size is 0. */
gboolean            allset_http_parse_range         (const char         *header,
                                                     guint64             size,
                                                     guint64            *start,
                                                     guint64            *end);

G_END_DECLS
