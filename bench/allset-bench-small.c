/* allset-bench-small.c — datasets A (many small files) and D (no change)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every file is one chunk below small_chunk_max, so it travels in a pack
 * (POST /chunks/pack) and lands in the server's SQLite database: a pack of
 * 4 000 chunks and a commit of 1 000 puts each cost one transaction
 * (DESIGN.md §3). Pack threads hash a group, ask which chunks are missing,
 * send one pack and queue the group's commit batches; commit threads send
 * those batches, so packing and committing overlap.
 */

#include <string.h>

#include "allset-bench.h"

#define SEED_A            G_GUINT64_CONSTANT (0x414c4c5345542d41)   /* "ALLSET-A" */
#define MAX_MISSING_QUERY 10000
#define PACK_RECORD_HDR   (ALLSET_HASH_LEN + 4)

typedef struct
{
  guint start;
  guint end;
} Range;

static Range stop_range;

typedef struct
{
  BenchServer       *server;
  const BenchConfig *config;
  guint8            *content;   /* n_files × file_size */
  AllsetHash        *ids;
  GAsyncQueue       *groups;    /* Range: hash, ask, pack */
  GAsyncQueue       *batches;   /* Range: one commit batch */
  BenchFailure       failure;

  GMutex             mutex;     /* guards what follows */
  double             missing_seconds;
  double             pack_seconds;
  double             commit_seconds;
  gint64             first_commit_us;
  gint64             last_commit_us;
  guint              packs;
  guint              commits;
} Small;

static void
add_time (Small   *small,
          double  *slot,
          gint64   start,
          gint64   end)
{
  g_mutex_lock (&small->mutex);
  *slot += (end - start) / (double) G_USEC_PER_SEC;
  g_mutex_unlock (&small->mutex);
}

static void
file_path (const BenchConfig *config,
           guint              i,
           char              *out,
           gsize              size)
{
  guint per_dir = (config->n_files + config->n_dirs - 1) / config->n_dirs;

  g_snprintf (out, size, "dir%03u/file%05u.bin", i / per_dir, i);
}

static const guint8 *
file_data (Small *small,
           guint  i)
{
  return small->content + (gsize) i * small->config->file_size;
}

static gboolean
send_pack (Small        *small,
           SoupSession  *session,
           const Range  *range,
           const gboolean *mask,
           guint         n_missing,
           GError      **error)
{
  gsize size = small->config->file_size;
  g_autoptr(GByteArray) pack = g_byte_array_sized_new (n_missing * (PACK_RECORD_HDR + size));
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *object;
  gint64 start;
  guint status;

  for (guint i = range->start; i < range->end; i++)
    {
      guint32 be_len = GUINT32_TO_BE ((guint32) size);

      if (!mask[i - range->start])
        continue;
      g_byte_array_append (pack, small->ids[i].bytes, ALLSET_HASH_LEN);
      g_byte_array_append (pack, (const guint8 *) &be_len, 4);
      g_byte_array_append (pack, file_data (small, i), size);
    }
  body = g_byte_array_free_to_bytes (g_steal_pointer (&pack));

  start = g_get_monotonic_time ();
  status = bench_request (session, small->server, "POST", "/api/v1/chunks/pack",
                          "application/x-allset-pack", body, &answer, error);
  add_time (small, &small->pack_seconds, start, g_get_monotonic_time ());
  if (status == 0)
    return FALSE;

  if (status != SOUP_STATUS_OK ||
      !json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL),
                                   g_bytes_get_size (answer), NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)) ||
      !(object = json_node_get_object (json_parser_get_root (parser))) ||
      json_object_get_int_member_with_default (object, "stored", -1) != n_missing)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "POST /chunks/pack answered %u: %.*s",
                   status, (int) MIN (g_bytes_get_size (answer), 300),
                   (const char *) g_bytes_get_data (answer, NULL));
      return FALSE;
    }

  g_mutex_lock (&small->mutex);
  small->packs++;
  g_mutex_unlock (&small->mutex);
  return TRUE;
}

static gboolean
pack_group (Small        *small,
            SoupSession  *session,
            const Range  *range,
            GError      **error)
{
  guint n = range->end - range->start;
  g_autofree gboolean *mask = g_new (gboolean, MAX (n, 1));
  guint n_missing = 0;
  gint64 start;

  for (guint i = range->start; i < range->end; i++)
    allset_sha256 (file_data (small, i), small->config->file_size, &small->ids[i]);

  start = g_get_monotonic_time ();
  if (!bench_chunks_missing (session, small->server, small->ids + range->start, n,
                             mask, &n_missing, error))
    return FALSE;
  add_time (small, &small->missing_seconds, start, g_get_monotonic_time ());

  if (n_missing > 0 && !send_pack (small, session, range, mask, n_missing, error))
    return FALSE;

  for (guint i = range->start; i < range->end; i += small->config->commit_ops)
    {
      Range *batch = g_new (Range, 1);

      batch->start = i;
      batch->end = MIN (range->end, i + small->config->commit_ops);
      g_async_queue_push (small->batches, batch);
    }
  return TRUE;
}

static gpointer
pack_thread (gpointer data)
{
  Small *small = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(SoupSession) session = NULL;
  Range *range;

  g_main_context_push_thread_default (context);
  session = bench_session_new (small->server);

  while ((range = g_async_queue_pop (small->groups)) != &stop_range)
    {
      g_autoptr(GError) error = NULL;

      if (!g_atomic_int_get (&small->failure.failed) &&
          !pack_group (small, session, range, &error))
        bench_failure_set (&small->failure, g_steal_pointer (&error));
      g_free (range);
    }

  g_main_context_pop_thread_default (context);
  return NULL;
}

static gboolean
commit_batch (Small        *small,
              SoupSession  *session,
              const Range  *range,
              GError      **error)
{
  guint n = range->end - range->start;
  g_autoptr(GString) body = g_string_sized_new (64 + n * 192);
  g_autoptr(JsonObject) answer = NULL;
  JsonArray *results;
  gint64 start, end;

  /* Compact receipts, as the engine asks for them (docs/protocol.md). */
  g_string_append (body, "{\"receipts\":\"compact\",\"operations\":[");
  for (guint i = range->start; i < range->end; i++)
    {
      char path[64];
      char hex[ALLSET_HASH_HEX_LEN + 1];

      file_path (small->config, i, path, sizeof path);
      allset_hash_to_hex_buf (&small->ids[i], hex);
      g_string_append_printf (body,
                              "%s{\"op\":\"put\",\"path\":\"%s\",\"base_revision\":0,"
                              "\"chunks\":[\"%s\"],\"size\":%u,\"mtime\":%d,\"executable\":false}",
                              i > range->start ? "," : "", path, hex,
                              small->config->file_size, BENCH_MTIME);
    }
  g_string_append (body, "]}");

  start = g_get_monotonic_time ();
  answer = bench_post_json (session, small->server, "/api/v1/commit", body->str, body->len,
                            SOUP_STATUS_OK, error);
  end = g_get_monotonic_time ();
  if (answer == NULL || !allset_json_get_array (answer, "results", &results, error))
    return FALSE;

  if (json_array_get_length (results) != n)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "A commit of %u puts got %u results",
                   n, json_array_get_length (results));
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      JsonObject *result = json_array_get_object_element (results, i);

      if (result == NULL || json_object_get_int_member_with_default (result, "status", 0) != 200)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Put %u of a commit was refused",
                       range->start + i);
          return FALSE;
        }
    }

  g_mutex_lock (&small->mutex);
  small->commit_seconds += (end - start) / (double) G_USEC_PER_SEC;
  if (small->first_commit_us == 0 || start < small->first_commit_us)
    small->first_commit_us = start;
  small->last_commit_us = MAX (small->last_commit_us, end);
  small->commits++;
  g_mutex_unlock (&small->mutex);
  return TRUE;
}

static gpointer
commit_thread (gpointer data)
{
  Small *small = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(SoupSession) session = NULL;
  Range *range;

  g_main_context_push_thread_default (context);
  session = bench_session_new (small->server);

  while ((range = g_async_queue_pop (small->batches)) != &stop_range)
    {
      g_autoptr(GError) error = NULL;

      if (!g_atomic_int_get (&small->failure.failed) &&
          !commit_batch (small, session, range, &error))
        bench_failure_set (&small->failure, g_steal_pointer (&error));
      g_free (range);
    }

  g_main_context_pop_thread_default (context);
  return NULL;
}

static void
small_init (Small             *small,
            BenchServer       *server,
            const BenchConfig *config)
{
  memset (small, 0, sizeof *small);
  small->server = server;
  small->config = config;
  small->content = g_malloc ((gsize) config->n_files * config->file_size);
  small->ids = g_new (AllsetHash, config->n_files);
  bench_random_fill (SEED_A, small->content, (gsize) config->n_files * config->file_size);
  small->groups = g_async_queue_new ();
  small->batches = g_async_queue_new ();
  bench_failure_init (&small->failure);
  g_mutex_init (&small->mutex);
}

static void
small_clear (Small *small)
{
  g_free (small->content);
  g_free (small->ids);
  g_async_queue_unref (small->groups);
  g_async_queue_unref (small->batches);
  bench_failure_clear (&small->failure);
  g_mutex_clear (&small->mutex);
}

gboolean
bench_dataset_a (BenchServer       *server,
                 const BenchConfig *config,
                 BenchRun          *run,
                 GError           **error)
{
  g_autoptr(GPtrArray) packers = g_ptr_array_new ();
  g_autoptr(GPtrArray) committers = g_ptr_array_new ();
  Small small;
  gint64 start;
  gboolean ok;

  /* Content is made before the clock starts; hashing is timed. */
  small_init (&small, server, config);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < config->pack_streams; i++)
    g_ptr_array_add (packers, g_thread_new ("bench-pack", pack_thread, &small));
  for (guint i = 0; i < config->commit_streams; i++)
    g_ptr_array_add (committers, g_thread_new ("bench-commit", commit_thread, &small));

  for (guint i = 0; i < config->n_files; i += config->pack_files)
    {
      Range *group = g_new (Range, 1);

      group->start = i;
      group->end = MIN (config->n_files, i + config->pack_files);
      g_async_queue_push (small.groups, group);
    }
  for (guint i = 0; i < packers->len; i++)
    g_async_queue_push (small.groups, &stop_range);
  for (guint i = 0; i < packers->len; i++)
    g_thread_join (g_ptr_array_index (packers, i));

  /* Every batch is queued once the packers are done. */
  for (guint i = 0; i < committers->len; i++)
    g_async_queue_push (small.batches, &stop_range);
  for (guint i = 0; i < committers->len; i++)
    g_thread_join (g_ptr_array_index (committers, i));

  run->a_seconds = bench_seconds_since (start);
  run->a_missing_seconds = small.missing_seconds;
  run->a_pack_seconds = small.pack_seconds;
  run->a_commit_seconds = small.commit_seconds;
  run->a_commit_span = (small.last_commit_us - small.first_commit_us) / (double) G_USEC_PER_SEC;
  run->a_packs = small.packs;
  run->a_commits = small.commits;

  ok = bench_failure_take (&small.failure, error);
  small_clear (&small);
  return ok;
}

gboolean
bench_dataset_d (BenchServer       *server,
                 const BenchConfig *config,
                 BenchRun          *run,
                 GError           **error)
{
  g_autoptr(SoupSession) session = bench_session_new (server);
  g_autofree gboolean *mask = g_new (gboolean, MAX_MISSING_QUERY);
  Small small;
  gint64 start;
  gboolean ok = TRUE;

  small_init (&small, server, config);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < config->n_files; i++)
    allset_sha256 (file_data (&small, i), config->file_size, &small.ids[i]);

  for (guint i = 0; ok && i < config->n_files; i += MAX_MISSING_QUERY)
    {
      guint n = MIN (MAX_MISSING_QUERY, config->n_files - i);
      guint n_missing = 0;

      ok = bench_chunks_missing (session, server, small.ids + i, n, mask, &n_missing, error);
      if (ok && n_missing != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "%u chunks of an unchanged dataset are missing", n_missing);
          ok = FALSE;
        }
    }
  run->d_seconds = bench_seconds_since (start);

  small_clear (&small);
  return ok;
}
