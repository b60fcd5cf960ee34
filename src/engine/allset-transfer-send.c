/* allset-transfer-send.c — sending the chunks of a pass's uploads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server is asked which chunks it lacks; only those are read again
 * and sent — chunks up to small_chunk_max packed together, larger ones one
 * by one — by ALLSET_SYNC_WORKERS threads sharing the client. A chunk
 * whose file changed since its scan must not be stored under the scanned
 * id: the server re-hashes every byte and refuses such a chunk (422),
 * which fails its file only. A packed chunk is re-hashed here too, since
 * the server refuses a pack whole, and one file edited during an upload
 * must not hold back a thousand. A large chunk is not: hashing it twice
 * cost the 1 GiB upload of bench/sync 0.3–0.5 s of its 3.3–3.5.
 *
 * Each upload knows the chunks it waits for, so that allset-transfer.c
 * commits it once they are stored while the others are still on their
 * way.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "allset-transfer-private.h"

typedef struct
{
  AllsetLocalChunk        chunk;
  const AllsetLocalEntry *source;   /* borrowed */
  gboolean                failed;   /* these two under TransferSend's lock */
  gboolean                done;
} ChunkSource;

typedef struct
{
  GPtrArray *sources;  /* ChunkSource, borrowed */
  gboolean   pack;
} SendJob;

static GBytes *
read_chunk (AllsetSyncPass    *pass,
            const ChunkSource *source,
            gboolean           rehash,
            GError           **error)
{
  g_autofree guint8 *data = g_malloc (MAX (source->chunk.size, 1));
  AllsetHash hash;
  gssize n;
  int fd = allset_transfer_open_local (pass, source->source);

  if (fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s",
                   source->source->path, g_strerror (errno));
      return NULL;
    }
  n = pread (fd, data, source->chunk.size, source->chunk.offset);
  close (fd);

  if (rehash)
    allset_sha256 (data, MAX (n, 0), &hash);
  if (n != source->chunk.size || (rehash && !allset_hash_equal (&hash, &source->chunk.id)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s changed while being uploaded",
                   source->source->path);
      return NULL;
    }

  return g_bytes_new_take (g_steal_pointer (&data), source->chunk.size);
}

/* A request's body going out, told as BYTES of the files whose chunks it
 * carries: a record's chunk bytes count for its file as they are written
 * (a pack's records follow one another, ALLSET_PACK_RECORD_HEADER bytes
 * each before the chunk). Told when a record is whole, or at most every
 * ALLSET_SYNC_PROGRESS_US within one. */
typedef struct
{
  AllsetSyncPass *pass;
  GPtrArray      *sources;    /* ChunkSource, borrowed */
  guint64         header;     /* per record: ALLSET_PACK_RECORD_HEADER, or 0 */
  guint64         written;    /* of the body */
  guint           index;      /* the record being written */
  guint64         start;      /* its offset in the body */
  guint64         told;       /* of its chunk's bytes, already told */
  gint64          told_at;    /* monotonic µs */
} SendProgress;

static void
send_progress (guint64  bytes,
               gpointer data)
{
  SendProgress *progress = data;

  progress->written += bytes;
  while (progress->index < progress->sources->len)
    {
      ChunkSource *source = g_ptr_array_index (progress->sources, progress->index);
      guint64 first = progress->start + progress->header;
      guint64 end = first + source->chunk.size;
      guint64 done = progress->written > first ? MIN (progress->written, end) - first : 0;

      if (done > progress->told &&
          (done == (guint64) source->chunk.size || allset_sync_progress_due (&progress->told_at)))
        {
          allset_sync_emit_path (progress->pass, ALLSET_SYNC_EVENT_BYTES, ALLSET_ACTION_UPLOAD,
                                 source->source->path, done - progress->told, NULL);
          progress->told = done;
        }
      if (progress->written < end)
        break;
      progress->index++;
      progress->start = end;
      progress->told = 0;
    }
}

/* Reads and sends one job's chunks. A packed chunk whose file changed
 * since its scan fails alone: the other records of its pack still go. */
static void
send_job (gpointer data,
          gpointer user_data)
{
  SendJob *job = data;
  TransferSend *state = user_data;
  AllsetSyncPass *pass = state->pass;
  g_autoptr(GPtrArray) sent = g_ptr_array_new ();   /* ChunkSource read back right */
  g_autoptr(GPtrArray) blobs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (AllsetPackEntry));
  g_autoptr(GPtrArray) hexes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  SendProgress progress = { pass, sent, job->pack ? ALLSET_PACK_RECORD_HEADER : 0 };
  guint64 bytes = 0;
  gboolean ok = FALSE;

  for (guint i = 0; i < job->sources->len; i++)
    {
      ChunkSource *source = g_ptr_array_index (job->sources, i);
      g_autoptr(GError) read_error = NULL;
      GBytes *blob = read_chunk (pass, source, job->pack, &read_error);
      AllsetPackEntry entry;

      if (blob == NULL)
        {
          if (error == NULL)
            error = g_steal_pointer (&read_error);
          continue;
        }
      g_ptr_array_add (sent, source);
      g_ptr_array_add (blobs, blob);
      g_ptr_array_add (hexes, allset_hash_to_hex (&source->chunk.id));
      entry.id = g_ptr_array_index (hexes, hexes->len - 1);
      entry.data = blob;
      g_array_append_val (entries, entry);
      bytes += g_bytes_get_size (blob);
    }

  if (sent->len > 0 && job->pack)
    ok = allset_client_chunk_pack (pass->client, (AllsetPackEntry *) (gpointer) entries->data,
                                   entries->len, send_progress, &progress, pass->cancellable,
                                   error == NULL ? &error : NULL) > 0;
  else if (sent->len > 0)
    ok = allset_client_chunk_put (pass->client, g_ptr_array_index (hexes, 0),
                                  g_ptr_array_index (blobs, 0), NULL, send_progress, &progress,
                                  pass->cancellable, error == NULL ? &error : NULL);

  g_mutex_lock (&state->lock);
  if (ok)
    {
      pass->report->chunks_uploaded += sent->len;
      pass->report->bytes_uploaded += bytes;
    }
  if (error != NULL && state->error == NULL)
    state->error = g_steal_pointer (&error);
  for (guint i = 0; i < job->sources->len; i++)
    ((ChunkSource *) g_ptr_array_index (job->sources, i))->failed = TRUE;
  for (guint i = 0; i < sent->len; i++)
    ((ChunkSource *) g_ptr_array_index (sent, i))->failed = !ok;
  for (guint i = 0; i < job->sources->len; i++)
    ((ChunkSource *) g_ptr_array_index (job->sources, i))->done = TRUE;
  g_cond_broadcast (&state->cond);
  g_mutex_unlock (&state->lock);

  /* Stored: whatever was not told while it was written is now. */
  if (ok)
    send_progress (G_MAXUINT64 / 2, &progress);

  g_ptr_array_unref (job->sources);
  g_free (job);
}

static void
mark_done (gpointer key,
           gpointer value,
           gpointer data)
{
  ((ChunkSource *) value)->done = TRUE;
}

/* Starts sending the chunks of the queued uploads the server lacks, and
 * gives each upload the chunks it waits for; allset_transfer_flush()
 * commits a file once its own chunks are stored, while the rest are still
 * on their way. Leaves state->pool NULL when nothing is to be sent. */
void
allset_transfer_send_start (AllsetSyncPass *pass,
                            TransferSend   *state)
{
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  g_autoptr(GPtrArray) missing = g_ptr_array_new ();
  g_autoptr(GPtrArray) pack = NULL;
  g_autoptr(GError) error = NULL;
  guint64 pack_bytes = 0;

  /* Tests change a file here: after its queueing's checks, before its
   * chunks are read again. */
  allset_sync_test_pause ("ALLSET_TEST_PAUSE_BEFORE_SEND", "before send");
  /* What it sent need not be sent again: the server holds it now. */
  allset_transfer_ahead_finish (pass);

  memset (state, 0, sizeof *state);
  state->pass = pass;
  state->by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_mutex_init (&state->lock);
  g_cond_init (&state->cond);

  for (guint i = 0; i < pass->pending->len; i++)
    {
      PendingOp *op = g_ptr_array_index (pass->pending, i);

      for (guint j = 0; op->chunks != NULL && j < op->chunks->len; j++)
        {
          AllsetLocalChunk *chunk = &g_array_index (op->chunks, AllsetLocalChunk, j);
          char *hex = allset_hash_to_hex (&chunk->id);
          ChunkSource *source = g_hash_table_lookup (state->by_id, hex);

          if (source == NULL)
            {
              source = g_new0 (ChunkSource, 1);
              source->chunk = *chunk;
              source->source = op->action->local;
              g_hash_table_insert (state->by_id, hex, source);
              g_ptr_array_add (order, hex);
            }
          else
            g_free (hex);

          if (op->sources == NULL)
            op->sources = g_ptr_array_new ();
          g_ptr_array_add (op->sources, source);
        }
    }

  /* Held by the server: nothing to wait for. */
  g_hash_table_foreach (state->by_id, (GHFunc) mark_done, NULL);

  for (guint i = 0; i < order->len; i += ALLSET_SYNC_MISSING_BATCH)
    {
      guint n = MIN (ALLSET_SYNC_MISSING_BATCH, order->len - i);
      g_autoptr(GPtrArray) answer = allset_client_chunks_missing (pass->client,
                                                                  (const char * const *) order->pdata + i,
                                                                  n, pass->cancellable, &error);

      if (answer == NULL)
        {
          allset_sync_check_fatal (pass, error);
          if (pass->fatal == NULL)
            pass->fatal = g_steal_pointer (&error);
          return;
        }
      for (guint j = 0; j < answer->len; j++)
        {
          ChunkSource *source = g_hash_table_lookup (state->by_id, g_ptr_array_index (answer, j));

          /* Sent once even if the answer names it twice. */
          if (source != NULL && source->done)
            {
              source->done = FALSE;
              g_ptr_array_add (missing, source);
            }
        }
    }
  allset_sync_phase (pass, "chunks/missing");

  state->pool = g_thread_pool_new (send_job, state, ALLSET_SYNC_WORKERS, FALSE, NULL);
  for (guint i = 0; i < missing->len; i++)
    {
      ChunkSource *source = g_ptr_array_index (missing, i);
      SendJob *job;

      if ((guint64) source->chunk.size > pass->small_chunk_max)
        {
          job = g_new0 (SendJob, 1);
          job->sources = g_ptr_array_new ();
          g_ptr_array_add (job->sources, source);
          g_thread_pool_push (state->pool, job, NULL);
          continue;
        }

      if (pack != NULL && pack_bytes + source->chunk.size + ALLSET_PACK_RECORD_HEADER > pass->pack_max)
        {
          job = g_new0 (SendJob, 1);
          job->sources = g_steal_pointer (&pack);
          job->pack = TRUE;
          g_thread_pool_push (state->pool, job, NULL);
        }
      if (pack == NULL)
        {
          pack = g_ptr_array_new ();
          pack_bytes = 0;
        }
      g_ptr_array_add (pack, source);
      pack_bytes += source->chunk.size + ALLSET_PACK_RECORD_HEADER;
    }
  if (pack != NULL)
    {
      SendJob *job = g_new0 (SendJob, 1);

      job->sources = g_steal_pointer (&pack);
      job->pack = TRUE;
      g_thread_pool_push (state->pool, job, NULL);
    }
}

/* Waits until the chunks of ops are stored or failed; an upload with a
 * chunk that did not get there is marked failed and is not committed. */
void
allset_transfer_send_wait (TransferSend *state,
                           GPtrArray    *ops)
{
  g_mutex_lock (&state->lock);
  for (guint i = 0; i < ops->len; i++)
    {
      PendingOp *op = g_ptr_array_index (ops, i);

      for (guint j = 0; op->sources != NULL && j < op->sources->len; j++)
        {
          ChunkSource *source = g_ptr_array_index (op->sources, j);

          while (!source->done)
            g_cond_wait (&state->cond, &state->lock);
          if (source->failed)
            op->failed = TRUE;
        }
    }
  g_mutex_unlock (&state->lock);
}

/* Waits for every chunk job, then says why chunks failed if it matters to
 * the whole pass (a revoked token, a suspended account). */
void
allset_transfer_send_finish (AllsetSyncPass *pass,
                             TransferSend   *state)
{
  if (state->pool != NULL)
    g_thread_pool_free (g_steal_pointer (&state->pool), FALSE, TRUE);
  if (state->error != NULL)
    {
      allset_sync_check_fatal (pass, state->error);
      g_clear_error (&state->error);
    }
  g_hash_table_unref (state->by_id);
  g_mutex_clear (&state->lock);
  g_cond_clear (&state->cond);
}

