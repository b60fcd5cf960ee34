/* allset-bandwidth.c — token buckets that cap an account's throughput
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Buckets live on the main loop (they pace SoupServerMessage I/O), so they
 * need no lock. A bucket may go into debt: bytes already read from a socket
 * cannot be refused, so the next read waits until the debt is paid.
 */

#include "allset-bandwidth.h"

struct _AllsetBucket
{
  double  bytes_per_us;
  double  burst;
  double  tokens;
  gint64  last_us;
};

AllsetBucket *
allset_bucket_new (guint64 rate_bps,
                   guint64 burst_bytes)
{
  AllsetBucket *self = g_new0 (AllsetBucket, 1);

  self->bytes_per_us = rate_bps / 8.0 / G_USEC_PER_SEC;
  self->burst = burst_bytes;
  self->tokens = burst_bytes;
  self->last_us = 0;
  return self;
}

void
allset_bucket_free (AllsetBucket *self)
{
  g_free (self);
}

static void
refill (AllsetBucket *self,
        gint64        now_us)
{
  if (self->last_us != 0 && now_us > self->last_us)
    self->tokens = MIN (self->burst, self->tokens + (now_us - self->last_us) * self->bytes_per_us);
  self->last_us = now_us;
}

gint64
allset_bucket_wait (AllsetBucket *self,
                    gint64        now_us)
{
  if (self->bytes_per_us <= 0)
    return 0;

  refill (self, now_us);
  if (self->tokens >= 0)
    return 0;

  return (gint64) (-self->tokens / self->bytes_per_us) + 1;
}

gint64
allset_bucket_consume (AllsetBucket *self,
                       guint64       n_bytes,
                       gint64        now_us)
{
  if (self->bytes_per_us <= 0)
    return 0;

  refill (self, now_us);
  self->tokens -= n_bytes;
  return allset_bucket_wait (self, now_us);
}
