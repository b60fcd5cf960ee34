/* allset-pacing.h — keep uploads and downloads within an account's bucket
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "allset-bandwidth.h"

G_BEGIN_DECLS

/* Bytes handed to libsoup at a time while pacing. */
#define ALLSET_PACE_PIECE (64 * 1024)

/* Sends body as the response, a piece at a time, pausing the message while
 * the bucket is in debt. The bucket must outlive the message. */
void allset_pacing_send_body     (SoupServerMessage *msg,
                                  GBytes            *body,
                                  AllsetBucket      *bucket);
/* From an early handler: stops reading the request body while the bucket
 * is in debt. The bucket must outlive the message. */
void allset_pacing_read_body     (SoupServerMessage *msg,
                                  AllsetBucket      *bucket);

G_END_DECLS
