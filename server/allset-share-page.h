/* allset-share-page.h — the public pages of share links, rendered on the server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "allset-http.h"

G_BEGIN_DECLS

/* Adds the headers every public response carries: no indexing (terms R16),
 * no referrer, a strict Content-Security-Policy, nosniff. */
void                allset_share_page_add_headers (AllsetHttpResponse *response);

/* A complete French HTML page (body_html is already escaped) with the
 * public headers. */
AllsetHttpResponse *allset_share_page_new         (guint               status,
                                                   const char         *title,
                                                   const char         *body_html);
/* 404 for unknown, forged or truncated tokens; 410 for revoked, expired or
 * exhausted links. */
AllsetHttpResponse *allset_share_page_not_found   (void);
AllsetHttpResponse *allset_share_page_gone        (void);
/* 429 with Retry-After: title, then why (plain text, no final stop), then
 * when to try again. */
AllsetHttpResponse *allset_share_page_throttled   (const char         *title,
                                                   const char         *why,
                                                   guint64             retry_after);
/* status 200 when asking, 403 after a wrong password. */
AllsetHttpResponse *allset_share_page_password    (guint               status,
                                                   const char         *token,
                                                   gboolean            wrong);

/* "26 novembre 2026 à 13:45 UTC" */
char               *allset_share_format_date      (gint64              unix_time);
/* "1,5 Mo", "512 octets" */
char               *allset_share_format_size      (guint64             size);
/* attachment; filename="ascii"; filename*=UTF-8''percent-encoded (RFC 6266, 5987) */
char               *allset_share_content_disposition (const char      *name);

G_END_DECLS
