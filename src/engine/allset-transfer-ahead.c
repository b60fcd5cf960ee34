/* allset-transfer-ahead.c — sending a large file's chunks while the scan still reads it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A pass read a new 1 GiB file in its scan (0.75 s, both cores hashing)
 * while the server sat idle, then read it again to send it (1.8 s, the
 * client's cores half idle): 2.6 s for bench/sync's B. Chunks are
 * content-addressed and the server keeps an uncommitted one for a day,
 * so the chunks of a file the scan reads can go before the pass knows
 * what it will do with the file, which is nearly always to upload it
 * (under its name, or as a conflict copy). They go from the scan's own
 * buffers: those chunks are read once.
 *
 * The scan never waits for the network: a chunk offered while
 * AHEAD_MAX_HELD bytes are still waiting or on their way (or while that
 * much drains by half) is not kept, and the transfer step sends it like
 * any other, having asked the server which chunks it lacks once this is
 * finished. A slow link thus sends little ahead and keeps its progress
 * events; on this machine's loopback, where the scan reads faster than
 * the server stores, a quarter to a third of B goes ahead and the pass
 * takes ~2.25 s, against ~2.5 s. Waiting for room instead, so that
 * everything went ahead, was slower (2.35 s; the cores were busy either
 * way) and would hold a pass's
 * downloads behind a slow upload. Chunks small enough to be packed are
 * left to the transfer step, and so is everything after a failed
 * request: it does the work again and says why it fails.
 */

#include "allset-sync-private.h"

/* About three chunks for each worker: the scan's hashing threads stay
 * ahead of the network without pinning more than a few of its read
 * blocks. */
#define AHEAD_MAX_HELD (16 * 1024 * 1024)
/* A question waits for this much (or the end of the scan). Asked as soon
 * as a worker was free, they carried one or two ids each: C's 1 GiB
 * file, where the server holds all but two chunks, took ~700 of them,
 * 0.5 MiB on the wire. */
#define AHEAD_QUESTION_MIN (AHEAD_MAX_HELD / 4)

typedef struct
{
  char   *hex;
  GBytes *bytes;
} AheadChunk;

struct _AllsetTransferAhead
{
  AllsetSyncPass *pass;
  GThreadPool    *workers;     /* started by the first chunk kept */
  GMutex          lock;
  GCond           cond;
  GHashTable     *kept;        /* hex: a chunk a file repeats goes once */
  GQueue          unchecked;   /* AheadChunk, not asked about yet */
  guint64         unchecked_bytes;
  GQueue          missing;     /* AheadChunk the server lacks */
  guint64         held;        /* bytes in both queues and being sent */
  gboolean        checking;    /* one question at a time: the others gather */
  gboolean        closed;
  gboolean        stopped;     /* a request failed */
  guint           chunks_sent;
  guint64         bytes_sent;
  guint           left;        /* chunks offered and not kept */
  guint           questions;   /* chunks/missing requests */
  /* held reached AHEAD_MAX_HELD: nothing is kept until half of it has
   * gone. What is kept then comes in runs of neighbouring chunks, which
   * share the scan's 4 MiB blocks: a chunk kept now and then pinned a
   * block of its own, and B's upload peaked at 100 MB of RSS (75 now,
   * 40 without sending ahead). */
  gboolean        draining;
};

static void
ahead_chunk_free (AheadChunk *chunk)
{
  g_free (chunk->hex);
  g_bytes_unref (chunk->bytes);
  g_free (chunk);
}

/* Lock held. */
static void
drop (AllsetTransferAhead *self,
      AheadChunk          *chunk)
{
  self->held -= g_bytes_get_size (chunk->bytes);
  ahead_chunk_free (chunk);
  g_cond_broadcast (&self->cond);
}

/* Lock held; returns with it held. */
static void
send_one (AllsetTransferAhead *self,
          AheadChunk          *chunk)
{
  AllsetSyncPass *pass = self->pass;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_mutex_unlock (&self->lock);
  ok = allset_client_chunk_put (pass->client, chunk->hex, chunk->bytes, NULL, NULL, NULL,
                                pass->cancellable, &error);
  g_mutex_lock (&self->lock);
  if (ok)
    {
      self->chunks_sent++;
      self->bytes_sent += g_bytes_get_size (chunk->bytes);
    }
  else if (!self->stopped)
    {
      g_debug ("Chunks stop going ahead of the transfer step: %s", error->message);
      self->stopped = TRUE;
    }
  drop (self, chunk);
}

/* Lock held; returns with it held. */
static void
check_all (AllsetTransferAhead *self)
{
  AllsetSyncPass *pass = self->pass;
  g_autoptr(GPtrArray) asked = g_ptr_array_new ();
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(GPtrArray) answer = NULL;
  g_autoptr(GHashTable) lacked = NULL;
  g_autoptr(GError) error = NULL;
  AheadChunk *chunk;

  while ((chunk = g_queue_pop_head (&self->unchecked)) != NULL)
    {
      g_ptr_array_add (asked, chunk);
      g_ptr_array_add (ids, chunk->hex);
    }
  self->unchecked_bytes = 0;
  self->checking = TRUE;
  self->questions++;
  g_mutex_unlock (&self->lock);
  answer = allset_client_chunks_missing (pass->client, (const char * const *) ids->pdata, ids->len,
                                         pass->cancellable, &error);
  if (answer != NULL)
    {
      lacked = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; i < answer->len; i++)
        g_hash_table_add (lacked, g_ptr_array_index (answer, i));
    }
  g_mutex_lock (&self->lock);
  self->checking = FALSE;
  if (answer == NULL && !self->stopped)
    {
      g_debug ("Chunks stop going ahead of the transfer step: %s", error->message);
      self->stopped = TRUE;
    }
  for (guint i = 0; i < asked->len; i++)
    {
      chunk = g_ptr_array_index (asked, i);
      if (lacked != NULL && !self->stopped && g_hash_table_contains (lacked, chunk->hex))
        g_queue_push_tail (&self->missing, chunk);
      else
        drop (self, chunk);
    }
  g_cond_broadcast (&self->cond);
}

/* Each worker sends what the server lacks, and asks about what came in
 * meanwhile when no one else is asking and AHEAD_QUESTION_MIN bytes of it
 * wait (any, once the scan is over), until nothing is left. */
static void
work (gpointer data,
      gpointer user_data)
{
  AllsetTransferAhead *self = user_data;
  AheadChunk *chunk;

  g_mutex_lock (&self->lock);
  for (;;)
    {
      if (self->stopped)
        {
          while ((chunk = g_queue_pop_head (&self->unchecked)) != NULL)
            drop (self, chunk);
          self->unchecked_bytes = 0;
          while ((chunk = g_queue_pop_head (&self->missing)) != NULL)
            drop (self, chunk);
        }
      if ((chunk = g_queue_pop_head (&self->missing)) != NULL)
        send_one (self, chunk);
      else if (!self->checking && !g_queue_is_empty (&self->unchecked) &&
               (self->unchecked_bytes >= AHEAD_QUESTION_MIN || self->closed))
        check_all (self);
      else if (self->closed && !self->checking && g_queue_is_empty (&self->unchecked))
        break;
      else
        g_cond_wait (&self->cond, &self->lock);
    }
  g_mutex_unlock (&self->lock);
}

AllsetTransferAhead *
allset_transfer_ahead_new (AllsetSyncPass *pass)
{
  AllsetTransferAhead *self = g_new0 (AllsetTransferAhead, 1);

  self->pass = pass;
  self->kept = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  return self;
}

void
allset_transfer_ahead_offer (const AllsetChunk *chunk,
                             GBytes            *bytes,
                             gpointer           user_data)
{
  AllsetTransferAhead *self = user_data;
  AheadChunk *kept;
  char *hex;

  if ((guint64) chunk->length <= self->pass->small_chunk_max)
    return;

  hex = allset_hash_to_hex (&chunk->id);
  g_mutex_lock (&self->lock);
  if (g_hash_table_contains (self->kept, hex))
    {
      g_mutex_unlock (&self->lock);
      g_free (hex);
      return;
    }
  if (self->held + chunk->length > AHEAD_MAX_HELD)
    self->draining = TRUE;
  else if (self->held <= AHEAD_MAX_HELD / 2)
    self->draining = FALSE;
  if (self->stopped || self->closed || self->draining)
    {
      self->left++;
      g_mutex_unlock (&self->lock);
      g_free (hex);
      return;
    }

  kept = g_new (AheadChunk, 1);
  kept->hex = g_strdup (hex);
  kept->bytes = g_bytes_ref (bytes);
  g_hash_table_add (self->kept, hex);
  g_queue_push_tail (&self->unchecked, kept);
  self->unchecked_bytes += chunk->length;
  self->held += chunk->length;
  if (self->workers == NULL)
    {
      self->workers = g_thread_pool_new (work, self, ALLSET_SYNC_WORKERS, FALSE, NULL);
      for (guint i = 0; i < ALLSET_SYNC_WORKERS; i++)
        g_thread_pool_push (self->workers, self, NULL);
    }
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

void
allset_transfer_ahead_finish (AllsetSyncPass *pass)
{
  AllsetTransferAhead *self = g_steal_pointer (&pass->ahead);

  if (self == NULL)
    return;

  g_mutex_lock (&self->lock);
  self->closed = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  if (self->workers != NULL)
    g_thread_pool_free (self->workers, FALSE, TRUE);

  ALLSET_SYNC_COUNT (pass, chunks_uploaded, self->chunks_sent);
  ALLSET_SYNC_COUNT (pass, bytes_uploaded, self->bytes_sent);
  if (self->questions > 0 || self->left > 0)
    g_debug ("%s: %u chunks (%" G_GUINT64_FORMAT " bytes) went while the scan read them, "
             "%u were left to the transfer step (%u questions)", pass->folder->local,
             self->chunks_sent, self->bytes_sent, self->left, self->questions);

  g_hash_table_unref (self->kept);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
}
