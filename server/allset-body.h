/* allset-body.h — collect a binary request body into one buffer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* From an early handler, once Content-Length is known to be acceptable:
 * the body goes straight into one buffer of that size instead of libsoup's
 * list of 8 KiB blocks plus a flattened copy, so a 16 MiB pack costs
 * 16 MiB, not 32. */
void    allset_body_collect (SoupServerMessage *msg,
                             gsize              length);
/* The collected body, or NULL if allset_body_collect() was not called. */
GBytes *allset_body_steal   (SoupServerMessage *msg);

G_END_DECLS
