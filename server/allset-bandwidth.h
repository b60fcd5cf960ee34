/* allset-bandwidth.h — token buckets that cap an account's throughput
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _AllsetBucket AllsetBucket;

/* rate: bits per second, 0 = unlimited. burst: bytes that may pass at once. */
AllsetBucket *allset_bucket_new     (guint64       rate_bps,
                                     guint64       burst_bytes);
void          allset_bucket_free    (AllsetBucket *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetBucket, allset_bucket_free)

/* Takes n bytes (the bucket may go into debt) and returns how many
 * microseconds the caller must wait before moving more bytes. */
gint64        allset_bucket_consume (AllsetBucket *self,
                                     guint64       n_bytes,
                                     gint64        now_us);
/* Microseconds until the bucket is out of debt, 0 if it is not. */
gint64        allset_bucket_wait    (AllsetBucket *self,
                                     gint64        now_us);

G_END_DECLS
