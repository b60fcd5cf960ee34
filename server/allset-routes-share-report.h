/* allset-routes-share-report.h — « Signaler ce contenu » and suspended links
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Called by allset-routes-share-public.c once it has resolved TOKEN to a
 * link that is neither unknown (404), gone (410) nor suspended (451).
 */

#pragma once

#include "allset-server-private.h"

G_BEGIN_DECLS

/* At most this many reports per address and window (terms R16 invites
 * reports; this keeps one address from flooding the admin's list). */
#define ALLSET_SHARE_REPORTS_PER_WINDOW 10
#define ALLSET_SHARE_REPORT_WINDOW      3600   /* seconds */

/* GET /s/TOKEN/report: the French form. token is already checked as
 * base64url. */
AllsetHttpResponse *allset_share_report_form   (AllsetServer      *server,
                                                AllsetHttpRequest *request,
                                                const AllsetShare *share,
                                                const char        *token);
/* POST /s/TOKEN/report: stores a report (200), or the form with an error
 * (400), or 429 with Retry-After. */
AllsetHttpResponse *allset_share_report_submit (AllsetServer      *server,
                                                AllsetHttpRequest *request,
                                                const AllsetShare *share,
                                                const char        *token);

/* 451 on every public URL of a suspended link, with the admin's reason. */
AllsetHttpResponse *allset_share_page_suspended (const char       *reason);

/* The « Signaler ce contenu » paragraph every page of a link ends with. */
char               *allset_share_report_link   (const char        *token);

G_END_DECLS
