/* allset-transfer-fetch.c — the chunks a batch of downloads lacks, from the server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two HTTPS requests per small file (its description, its one chunk)
 * made 10 000 small files cost the server 6 CPU-seconds: small chunks
 * now come many to a request (POST /api/v1/chunks/fetch), large ones one
 * by one as before, ALLSET_SYNC_WORKERS requests at a time. A chunk
 * several downloads share is fetched once and written to each. Every
 * chunk is checked against its id before it is written (by the client
 * call for fetched ones, here for the others).
 */

#include <errno.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "allset-sync-private.h"

/* Bytes and ids of small chunks per fetch request: a few requests in
 * flight at once rather than one 16 MiB answer after another. */
#define FETCH_GROUP_BYTES (2 * 1024 * 1024)
#define FETCH_GROUP_IDS   1000

/* Where one chunk goes. */
typedef struct
{
  AllsetDownload *download;
  gint64          offset;
} Target;

typedef struct
{
  char   *hex;
  gint64  size;
  GArray *targets;   /* Target */
} Wanted;

static void
wanted_free (gpointer data)
{
  Wanted *wanted = data;

  g_free (wanted->hex);
  g_array_unref (wanted->targets);
  g_free (wanted);
}

/* A fetch request's worth: one large chunk, or a group of small ones. */
typedef struct
{
  GPtrArray *wanted;   /* Wanted, borrowed */
  gboolean   group;
} FetchJob;

static void
fail_wanted (AllsetSyncPass *pass,
             const Wanted   *wanted,
             const GError   *error)
{
  for (guint i = 0; i < wanted->targets->len; i++)
    allset_download_fail (pass, g_array_index (wanted->targets, Target, i).download, g_error_copy (error));
}

/* A large chunk coming in, told as BYTES of the first download that
 * wants it, at most every ALLSET_SYNC_PROGRESS_US: under a download
 * limit, a file of one chunk showed no progress until it was whole.
 * deliver() tells the rest. */
typedef struct
{
  AllsetSyncPass *pass;
  const Wanted   *wanted;
  guint64         read;
  guint64         told;
  gint64          told_at;   /* monotonic µs */
} FetchProgress;

static void
fetch_progress (guint64  bytes,
                gpointer data)
{
  FetchProgress *progress = data;
  guint64 done;

  progress->read += bytes;
  done = MIN (progress->read, (guint64) progress->wanted->size);
  if (done <= progress->told || !allset_sync_progress_due (&progress->told_at))
    return;
  allset_sync_emit_path (progress->pass, ALLSET_SYNC_EVENT_BYTES, ALLSET_ACTION_DOWNLOAD,
                         g_array_index (progress->wanted->targets, Target, 0).download->action->path,
                         done - progress->told, NULL);
  progress->told = done;
}

/* told: bytes of it already told for its first download. */
static void
deliver (AllsetSyncPass *pass,
         const Wanted   *wanted,
         GBytes         *data,
         guint64         told)
{
  gsize size;
  const guint8 *bytes = g_bytes_get_data (data, &size);

  if ((gint64) size != wanted->size)
    {
      g_autoptr(GError) error = g_error_new (ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_HASH_MISMATCH,
                                             "chunk %s has %" G_GSIZE_FORMAT " bytes, not %" G_GINT64_FORMAT,
                                             wanted->hex, size, wanted->size);

      fail_wanted (pass, wanted, error);
      return;
    }

  for (guint i = 0; i < wanted->targets->len; i++)
    {
      const Target *target = &g_array_index (wanted->targets, Target, i);

      if (pwrite (target->download->fd, bytes, size, target->offset) != (gssize) size)
        {
          int saved = errno;

          allset_download_fail (pass, target->download,
                                g_error_new (G_IO_ERROR, g_io_error_from_errno (saved), "cannot write: %s",
                                             g_strerror (saved)));
          continue;
        }
      if (i > 0 || size > told)
        allset_sync_emit_path (pass, ALLSET_SYNC_EVENT_BYTES, ALLSET_ACTION_DOWNLOAD,
                               target->download->action->path, i > 0 ? size : size - told, NULL);
    }
  ALLSET_SYNC_COUNT (pass, chunks_downloaded, 1);
  ALLSET_SYNC_COUNT (pass, bytes_downloaded, size);
}

static void
fetch_group (AllsetSyncPass *pass,
             GPtrArray      *group)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  guint done = 0;

  for (guint i = 0; i < group->len; i++)
    g_ptr_array_add (ids, ((Wanted *) g_ptr_array_index (group, i))->hex);

  /* The server answers a prefix of the ids: ask again for the rest. */
  while (done < group->len)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) answer = allset_client_chunks_fetch (pass->client,
                                                                (const char * const *) ids->pdata + done,
                                                                group->len - done, pass->cancellable, &error);

      if (answer == NULL || answer->len == 0)
        {
          if (error == NULL)
            error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the server sent no chunk");
          allset_sync_check_fatal (pass, error);
          for (; done < group->len; done++)
            fail_wanted (pass, g_ptr_array_index (group, done), error);
          return;
        }

      for (guint i = 0; i < answer->len; i++, done++)
        {
          const Wanted *wanted = g_ptr_array_index (group, done);
          GBytes *data = g_ptr_array_index (answer, i);

          if (data == NULL)
            {
              g_autoptr(GError) gone = g_error_new (ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND,
                                                    "the server no longer holds chunk %s", wanted->hex);

              fail_wanted (pass, wanted, gone);
            }
          else
            deliver (pass, wanted, data, 0);
        }
    }
}

static void
fetch_large (AllsetSyncPass *pass,
             const Wanted   *wanted)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) data = NULL;
  FetchProgress progress = { pass, wanted };
  AllsetHash id, hash;

  data = allset_client_chunk_get (pass->client, wanted->hex, 0, -1, fetch_progress, &progress,
                                  pass->cancellable, &error);
  if (data != NULL)
    {
      allset_hash_from_hex (wanted->hex, &id);
      allset_sha256 (g_bytes_get_data (data, NULL), g_bytes_get_size (data), &hash);
      if (!allset_hash_equal (&hash, &id))
        error = g_error_new (ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_HASH_MISMATCH,
                             "chunk %s does not hash to its id", wanted->hex);
    }
  if (error != NULL)
    {
      allset_sync_check_fatal (pass, error);
      fail_wanted (pass, wanted, error);
      return;
    }
  deliver (pass, wanted, data, progress.told);
}

static void
fetch_job (gpointer data,
           gpointer user_data)
{
  FetchJob *job = data;
  AllsetSyncPass *pass = user_data;
  gboolean stop;

  g_mutex_lock (&pass->lock);
  stop = pass->fatal != NULL;
  g_mutex_unlock (&pass->lock);

  if (stop)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "the pass stopped");

      for (guint i = 0; i < job->wanted->len; i++)
        fail_wanted (pass, g_ptr_array_index (job->wanted, i), error);
    }
  else if (job->group)
    fetch_group (pass, job->wanted);
  else
    fetch_large (pass, g_ptr_array_index (job->wanted, 0));

  g_ptr_array_unref (job->wanted);
  g_free (job);
}

static void
push_job (GThreadPool *pool,
          GPtrArray   *wanted,
          gboolean     group)
{
  FetchJob *job = g_new0 (FetchJob, 1);

  job->wanted = wanted;
  job->group = group;
  g_thread_pool_push (pool, job, NULL);
}

void
allset_transfer_fetch (AllsetSyncPass *pass,
                       GPtrArray      *downloads)
{
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func (wanted_free);
  GPtrArray *group = NULL;
  gint64 group_bytes = 0;
  GThreadPool *pool;

  for (guint i = 0; i < downloads->len; i++)
    {
      AllsetDownload *download = g_ptr_array_index (downloads, i);

      for (guint j = 0; download->error == NULL && j < download->missing->len; j++)
        {
          const AllsetLocalChunk *chunk = &g_array_index (download->missing, AllsetLocalChunk, j);
          char hex[ALLSET_HASH_HEX_LEN + 1];
          Target target = { download, chunk->offset };
          Wanted *wanted;

          allset_hash_to_hex_buf (&chunk->id, hex);
          wanted = g_hash_table_lookup (by_id, hex);
          if (wanted == NULL)
            {
              wanted = g_new0 (Wanted, 1);
              wanted->hex = g_strdup (hex);
              wanted->size = chunk->size;
              wanted->targets = g_array_new (FALSE, FALSE, sizeof (Target));
              g_hash_table_insert (by_id, wanted->hex, wanted);
              g_ptr_array_add (order, wanted);
            }
          g_array_append_val (wanted->targets, target);
        }
    }
  if (order->len == 0)
    return;

  pool = g_thread_pool_new (fetch_job, pass, ALLSET_SYNC_WORKERS, FALSE, NULL);
  for (guint i = 0; i < order->len; i++)
    {
      Wanted *wanted = g_ptr_array_index (order, i);

      if ((guint64) wanted->size > pass->small_chunk_max)
        {
          GPtrArray *one = g_ptr_array_new ();

          g_ptr_array_add (one, wanted);
          push_job (pool, one, FALSE);
          continue;
        }
      if (group != NULL && (group->len == FETCH_GROUP_IDS || group_bytes + wanted->size > FETCH_GROUP_BYTES))
        push_job (pool, g_steal_pointer (&group), TRUE);
      if (group == NULL)
        {
          group = g_ptr_array_new ();
          group_bytes = 0;
        }
      g_ptr_array_add (group, wanted);
      group_bytes += wanted->size;
    }
  if (group != NULL)
    push_job (pool, group, TRUE);
  g_thread_pool_free (pool, FALSE, TRUE);
}
