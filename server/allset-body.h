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
 * 16 MiB, not 32.
 *
 * The buffer is a block aligned to ALLSET_SEGMENT_ALIGN that keeps room
 * bytes free before the body and runs on to the next multiple of the
 * alignment after it (the record write fills both in): a large
 * chunk collected with the room of a record header is already laid out
 * as its segment record, and goes to disk with O_DIRECT without being
 * copied again (allset_chunk_store_segment_write()). */
void    allset_body_collect (SoupServerMessage  *msg,
                             gsize               length,
                             gsize               room);
/* The collected body, or NULL if allset_body_collect() was not called.
 * block, if not NULL, receives the start of the body's block, valid as
 * long as the body is. */
GBytes *allset_body_steal   (SoupServerMessage  *msg,
                             guint8            **block);

G_END_DECLS
