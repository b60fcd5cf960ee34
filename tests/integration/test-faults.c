/* test-faults.c — a crash mid-burst, a full disk, and the bandwidth caps
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each case starts its own server: these are about what the process and
 * its data directory go through, not about one endpoint.
 */

#include <string.h>

#include <glib/gstdio.h>

#include "allset-test-server.h"

#define MIB (1024 * 1024)

static void
add_account (AllsetTestServer *server,
             const char       *username,
             const char       *quota)
{
  g_autofree char *password = g_strdup_printf ("password of %s", username);

  allset_test_server_add_account (server, username, password, quota);
}

static char *
login (AllsetTestServer *server,
       const char       *username)
{
  g_autofree char *password = g_strdup_printf ("password of %s", username);

  return allset_test_server_login (server, username, password, "laptop", NULL);
}

/* GETs the chunk and checks that its bytes hash to its id. */
static void
assert_chunk_intact (AllsetTestServer *server,
                     const char       *token,
                     const char       *id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/chunks/%s", id);
  g_autoptr(AllsetTestResponse) r = allset_test_get (server, path, token);
  g_autofree char *actual = NULL;

  allset_test_assert_status (r, 200);
  actual = allset_test_chunk_id (r->body);
  g_assert_cmpstr (actual, ==, id);
}

/* The live file at path is content, whole: every chunk downloads and
 * hashes to its id, and its receipt verifies. */
static void
assert_file_intact (AllsetTestServer  *server,
                    const char        *token,
                    const char        *path,
                    AllsetTestContent *content,
                    const char        *public_key)
{
  g_autofree char *escaped = g_uri_escape_string (path, NULL, FALSE);
  g_autoptr(AllsetTestResponse) r = allset_test_getf (server, token, "/api/v1/file?path=%s", escaped);
  guint n;

  allset_test_assert_status (r, 200);
  g_assert_cmpstr (allset_test_response_get_string (r, "file_id"), ==, content->file_id);
  g_assert_cmpint (allset_test_response_get_int (r, "size"), ==, content->size);
  allset_test_assert_receipt_valid (allset_test_response_get_node (r, "receipt"), public_key);

  n = allset_test_response_get_length (r, "chunks");
  g_assert_cmpuint (n, ==, g_strv_length (content->chunk_ids));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *member = g_strdup_printf ("chunks.%u.id", i);

      g_assert_cmpstr (allset_test_response_get_string (r, member), ==, content->chunk_ids[i]);
      assert_chunk_intact (server, token, content->chunk_ids[i]);
    }
}

/* ------------------------------------------------------------------ */
/* kill -9 in the middle of a burst                                   */

#define BURST_FILES        40
#define KILL_AFTER_COMMITS 8

typedef struct _Burst Burst;

typedef struct
{
  Burst             *burst;
  AllsetTestContent *content;
  char              *path;
  guint              chunks_left;
  gboolean           chunk_failed;
  AllsetTestPending *commit;
  gint64             revision;     /* > 0 once the commit answered 200 */
  JsonNode          *receipt;
} Job;

struct _Burst
{
  AllsetTestServer *server;
  SoupSession      *session;
  const char       *token;
  GPtrArray        *jobs;
  GPtrArray        *pending;       /* every request, to wait for and free */
  GHashTable       *acked;         /* chunk id → the job, for 200/201 */
  guint             commits_ok;
  guint             responses;
  gboolean          killed;
  guint             in_flight_at_kill;
};

static void
job_free (Job *job)
{
  allset_test_content_free (job->content);
  g_free (job->path);
  g_clear_pointer (&job->receipt, json_node_unref);
  g_free (job);
}

static guint
burst_in_flight (Burst *burst)
{
  guint n = 0;

  for (guint i = 0; i < burst->pending->len; i++)
    n += !allset_test_pending_is_done (g_ptr_array_index (burst->pending, i));
  return n;
}

static void
burst_kill (Burst *burst)
{
  burst->in_flight_at_kill = burst_in_flight (burst);
  burst->killed = TRUE;
  allset_test_server_kill (burst->server);
}

static void
on_commit_done (AllsetTestPending *pending,
                gpointer           user_data)
{
  Job *job = user_data;
  Burst *burst = job->burst;
  AllsetTestResponse *r = allset_test_pending_get_response (pending);

  burst->responses++;
  if (r->status == 200 && allset_test_response_get_int (r, "results.0.status") == 200)
    {
      job->revision = allset_test_response_get_int (r, "results.0.revision");
      job->receipt = json_node_copy (allset_test_response_get_node (r, "results.0.receipt"));
      burst->commits_ok++;
    }
  else
    /* Only the crash may make a commit fail. */
    g_assert_cmpuint (r->status, ==, 0);

  /* Killed from the callback, with the other requests in flight. */
  if (!burst->killed && burst->commits_ok == KILL_AFTER_COMMITS)
    burst_kill (burst);
}

static void
on_chunk_done (AllsetTestPending *pending,
               gpointer           user_data)
{
  Job *job = user_data;
  Burst *burst = job->burst;
  AllsetTestResponse *r = allset_test_pending_get_response (pending);

  burst->responses++;
  if (r->status == 200 || r->status == 201)
    g_hash_table_insert (burst->acked, g_strdup (allset_test_response_get_string (r, "id")), job);
  else
    {
      g_assert_cmpuint (r->status, ==, 0);
      job->chunk_failed = TRUE;
    }

  if (--job->chunks_left == 0 && !job->chunk_failed)
    {
      g_autofree char *op = allset_test_op_put (job->path, 0, job->content);
      g_autofree char *body = g_strdup_printf ("{\"operations\": [%s]}", op);
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      job->commit = allset_test_request_start (burst->server, burst->session, "POST", "/api/v1/commit",
                                               burst->token, "application/json", bytes, NULL);
      allset_test_pending_set_callback (job->commit, on_commit_done, job);
      g_ptr_array_add (burst->pending, job->commit);
    }
}

static void
test_kill9 (void)
{
  const char *args[] = { "--bandwidth-up", "0", "--bandwidth-down", "0", NULL };
  g_autoptr(AllsetTestServer) server = allset_test_server_new_full (args, 0);
  g_autofree char *token = NULL;
  g_autofree char *key_before = NULL, *key_after = NULL;
  g_autofree char *tmp_dir = NULL;
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func ((GDestroyNotify) job_free);
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_test_pending_free);
  g_autoptr(GHashTable) acked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GStrvBuilder) all_ids = g_strv_builder_new ();
  g_autoptr(AllsetTestResponse) missing = NULL, after = NULL;
  g_auto(GStrv) ids = NULL;
  Burst burst = { 0, };
  guint tmp_left, committed = 0, applied_unanswered = 0, extra_chunks = 0;
  GString *query;

  add_account (server, "crash", NULL);
  token = login (server, "crash");
  key_before = allset_test_server_receipt_key (server);
  session = allset_test_server_new_session (server);

  burst.server = server;
  burst.session = session;
  burst.token = token;
  burst.jobs = jobs;
  burst.pending = pending;
  burst.acked = acked;

  /* Small (inline) and large (file-backed, several chunks) files. */
  for (guint i = 0; i < BURST_FILES; i++)
    {
      Job *job = g_new0 (Job, 1);
      gsize size = i % 3 == 0 ? g_test_rand_int_range (1000, 40 * 1024)
                              : g_test_rand_int_range (100 * 1024, 700 * 1024);

      job->burst = &burst;
      job->content = allset_test_content_new (size, 256 * 1024);
      job->path = g_strdup_printf ("burst/file-%02u.bin", i);
      job->chunks_left = g_strv_length (job->content->chunk_ids);
      g_ptr_array_add (jobs, job);
      for (guint c = 0; job->content->chunk_ids[c] != NULL; c++)
        g_strv_builder_add (all_ids, job->content->chunk_ids[c]);
    }
  ids = g_strv_builder_end (all_ids);

  for (guint i = 0; i < jobs->len; i++)
    {
      Job *job = g_ptr_array_index (jobs, i);

      for (guint c = 0; job->content->chunk_ids[c] != NULL; c++)
        {
          g_autoptr(GBytes) chunk = allset_test_content_chunk (job->content, c);
          g_autofree char *path = g_strdup_printf ("/api/v1/chunks/%s", job->content->chunk_ids[c]);
          AllsetTestPending *p = allset_test_request_start (server, session, "PUT", path, token,
                                                            "application/octet-stream", chunk, NULL);

          allset_test_pending_set_callback (p, on_chunk_done, job);
          g_ptr_array_add (pending, p);
        }
    }

  /* Until every request, including the commits started on the way, has
   * its answer or its error. */
  for (guint i = 0; i < pending->len; i++)
    allset_test_pending_wait (g_ptr_array_index (pending, i));
  g_assert_true (burst.killed);

  tmp_dir = allset_test_server_data_path (server, "chunks/tmp");
  tmp_left = allset_test_count_files (tmp_dir);
  g_test_message ("kill -9 after %u responses, %u requests in flight; %u commits answered 200, "
                  "%u chunk uploads acknowledged of %u; %u temporary files left behind",
                  burst.responses, burst.in_flight_at_kill, burst.commits_ok,
                  g_hash_table_size (acked), g_strv_length (ids), tmp_left);
  g_assert_cmpuint (burst.in_flight_at_kill, >, 0);

  /* The same data directory: it must start, and keep its promises. */
  allset_test_server_start (server);
  g_assert_cmpuint (allset_test_count_files (tmp_dir), ==, 0);
  key_after = allset_test_server_receipt_key (server);
  g_assert_cmpstr (key_after, ==, key_before);

  for (guint i = 0; i < jobs->len; i++)
    {
      Job *job = g_ptr_array_index (jobs, i);
      g_autofree char *escaped = g_uri_escape_string (job->path, NULL, FALSE);
      g_autoptr(AllsetTestResponse) r = allset_test_getf (server, token, "/api/v1/file?path=%s", escaped);

      if (job->revision > 0)
        {
          committed++;
          allset_test_assert_status (r, 200);
          g_assert_cmpint (allset_test_response_get_int (r, "revision"), ==, job->revision);
          allset_test_assert_receipt_valid (job->receipt, key_after);
          assert_file_intact (server, token, job->path, job->content, key_after);
        }
      else if (r->status == 200)
        {
          /* Applied, but the answer was lost in the crash: still whole. */
          applied_unanswered++;
          assert_file_intact (server, token, job->path, job->content, key_after);
        }
      else
        allset_test_assert_error (r, 404, "not_found");
    }
  g_assert_cmpuint (committed, ==, burst.commits_ok);
  g_assert_cmpuint (committed, >=, KILL_AFTER_COMMITS);

  /* An acknowledged chunk is there; any other chunk listed as present
   * must be complete too. */
  query = g_string_new ("{\"chunks\": [");
  for (guint i = 0; ids[i] != NULL; i++)
    g_string_append_printf (query, "%s\"%s\"", i > 0 ? "," : "", ids[i]);
  g_string_append (query, "]}");
  missing = allset_test_post_json (server, "/api/v1/chunks/missing", token, query->str);
  g_string_free (query, TRUE);
  allset_test_assert_status (missing, 200);
  {
    g_autoptr(GHashTable) absent = g_hash_table_new (g_str_hash, g_str_equal);
    guint n = allset_test_response_get_length (missing, "missing");

    for (guint i = 0; i < n; i++)
      {
        g_autofree char *member = g_strdup_printf ("missing.%u", i);

        g_hash_table_add (absent, (gpointer) allset_test_response_get_string (missing, member));
      }

    for (guint i = 0; ids[i] != NULL; i++)
      {
        if (g_hash_table_contains (acked, ids[i]))
          g_assert_false (g_hash_table_contains (absent, ids[i]));
        if (!g_hash_table_contains (absent, ids[i]))
          {
            extra_chunks += !g_hash_table_contains (acked, ids[i]);
            assert_chunk_intact (server, token, ids[i]);
          }
      }
  }
  g_test_message ("after restart: %u committed files intact, %u applied without an answer, "
                  "%u chunks stored without an answer", committed, applied_unanswered, extra_chunks);

  /* And it goes on working. */
  {
    g_autoptr(AllsetTestContent) content = allset_test_content_new (5000, 5000);

    allset_test_upload (server, token, content);
    after = allset_test_commit (server, token, allset_test_op_put ("burst/after.bin", 0, content), NULL);
    allset_test_assert_status (after, 200);
    g_assert_cmpint (allset_test_response_get_int (after, "results.0.status"), ==, 200);
  }
}

/* ------------------------------------------------------------------ */
/* A full disk                                                        */

/* Pack files of every account (DATA/chunks/ACCOUNT/packs/N.pack). */
static guint
count_packs (AllsetTestServer *server)
{
  g_autofree char *chunks = allset_test_server_data_path (server, "chunks");
  g_autoptr(GDir) dir = g_dir_open (chunks, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *packs = g_build_filename (chunks, name, "packs", NULL);

      if (g_file_test (packs, G_FILE_TEST_IS_DIR))
        n += allset_test_count_files (packs);
    }
  return n;
}

/* POST /api/v1/chunks/pack of n random chunks of size bytes. */
static AllsetTestResponse *
post_random_pack (AllsetTestServer *server,
                  const char       *token,
                  guint             n,
                  gsize             size)
{
  g_autoptr(GByteArray) pack = g_byte_array_new ();
  g_autoptr(GBytes) body = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GBytes) chunk = allset_test_random_bytes (size);
      guint32 be_len = GUINT32_TO_BE ((guint32) size);
      AllsetHash id;

      allset_sha256 (g_bytes_get_data (chunk, NULL), size, &id);
      g_byte_array_append (pack, id.bytes, sizeof id.bytes);
      g_byte_array_append (pack, (const guint8 *) &be_len, 4);
      g_byte_array_append (pack, g_bytes_get_data (chunk, NULL), size);
    }
  body = g_byte_array_free_to_bytes (g_steal_pointer (&pack));
  return allset_test_request (server, NULL, "POST", "/api/v1/chunks/pack", token,
                              "application/x-allset-pack", body, NULL);
}

static void
test_disk_full (void)
{
  const char *args[] = { "--bandwidth-up", "0", "--bandwidth-down", "0", NULL };
  g_autofree char *reason = NULL;
  g_autoptr(AllsetTestServer) server = NULL;
  g_autoptr(AllsetTestContent) early = NULL;
  g_autoptr(AllsetTestResponse) committed = NULL, status = NULL, account = NULL;
  g_autofree char *token = NULL, *key = NULL, *tmp_dir = NULL;
  guint stored = 0, packs_before, packs_stored = 0, packs_refused = 0;
  gboolean full = FALSE;

  if (!allset_test_can_use_tmpfs (&reason))
    {
      g_test_skip (reason);
      return;
    }

  server = allset_test_server_new_full (args, 8 * MIB);
  add_account (server, "disk", "0");
  token = login (server, "disk");
  key = allset_test_server_receipt_key (server);

  early = allset_test_content_new (300 * 1024, 150 * 1024);
  allset_test_upload (server, token, early);
  committed = allset_test_commit (server, token, allset_test_op_put ("early.bin", 0, early), NULL);
  allset_test_assert_status (committed, 200);
  g_assert_cmpint (allset_test_response_get_int (committed, "results.0.status"), ==, 200);

  /* 1 MiB chunks until the 8 MiB file system is full: 507, never 500. */
  for (guint i = 0; i < 20 && !full; i++)
    {
      g_autoptr(GBytes) chunk = allset_test_random_bytes (MIB);
      g_autoptr(AllsetTestResponse) r = allset_test_put_chunk (server, token, chunk);

      if (r->status == 201)
        stored++;
      else
        {
          allset_test_assert_error (r, 507, "storage_full");
          full = TRUE;
        }
    }
  g_test_message ("storage full after %u chunks of 1 MiB", stored);
  g_assert_true (full);
  g_assert_cmpuint (stored, >=, 1);

  /* No half-written temporary file stays behind. */
  tmp_dir = allset_test_server_data_path (server, "chunks/tmp");
  g_assert_cmpuint (allset_test_count_files (tmp_dir), ==, 0);

  /* Smaller writes may still fit, or fail the same clean way; a pack
   * that did not fit leaves no file behind. */
  packs_before = count_packs (server);
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(AllsetTestResponse) p = post_random_pack (server, token, 16, 32 * 1024);

      if (p->status == 200)
        packs_stored++;
      else
        {
          allset_test_assert_error (p, 507, "storage_full");
          packs_refused++;
        }
    }
  g_test_message ("packs of 512 KiB on the full disk: %u stored, %u refused", packs_stored, packs_refused);
  g_assert_cmpuint (packs_refused, >=, 1);
  g_assert_cmpuint (count_packs (server), ==, packs_before + packs_stored);

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(GBytes) small = allset_test_random_bytes (16 * 1024);
      g_autoptr(AllsetTestResponse) r = allset_test_put_chunk (server, token, small);
      g_autoptr(AllsetTestContent) content = allset_test_content_new (2000, 2000);
      g_autofree char *path = g_strdup_printf ("late-%u.bin", i);
      g_autoptr(AllsetTestResponse) c = NULL;

      if (r->status != 201)
        allset_test_assert_error (r, 507, "storage_full");

      c = allset_test_commit (server, token, allset_test_op_put (path, 0, early), NULL);
      if (c->status != 200)
        allset_test_assert_error (c, 507, "storage_full");
    }

  /* What was committed before is intact, and the server still answers. */
  assert_file_intact (server, token, "early.bin", early, key);
  status = allset_test_get (server, "/api/v1/status", NULL);
  allset_test_assert_status (status, 200);
  account = allset_test_get (server, "/api/v1/account", token);
  allset_test_assert_status (account, 200);

  allset_test_server_stop (server);
}

/* ------------------------------------------------------------------ */
/* Bandwidth: 16 Mbit/s = 2 000 000 bytes/s each way                  */

#define CAP_BYTES_PER_SECOND 2000000.0

typedef struct
{
  AllsetTestServer  *server;
  SoupSession       *session;
  const char        *token;
  GPtrArray         *chunks;        /* GBytes to PUT, or NULL to GET ids */
  GStrv              ids;
  guint              next;
  guint              count;
  gint64             finished_at;
  AllsetTestPending *current;
} Transfer;

static void transfer_next (Transfer *t);

static void
on_transfer_done (AllsetTestPending *pending,
                  gpointer           user_data)
{
  Transfer *t = user_data;
  AllsetTestResponse *r = allset_test_pending_get_response (pending);

  if (t->chunks != NULL)
    allset_test_assert_status (r, 201);
  else
    {
      allset_test_assert_status (r, 200);
      g_assert_cmpuint (g_bytes_get_size (r->body), ==, MIB);
    }

  t->finished_at = g_get_monotonic_time ();
  t->next++;
  /* Started from an idle: the pending request is freed there. */
  g_idle_add_once ((GSourceOnceFunc) transfer_next, t);
}

static void
transfer_next (Transfer *t)
{
  g_clear_pointer (&t->current, allset_test_pending_free);
  if (t->next == t->count)
    return;

  if (t->chunks != NULL)
    {
      GBytes *chunk = g_ptr_array_index (t->chunks, t->next);
      g_autofree char *id = allset_test_chunk_id (chunk);
      g_autofree char *path = g_strdup_printf ("/api/v1/chunks/%s", id);

      t->current = allset_test_request_start (t->server, t->session, "PUT", path, t->token,
                                              "application/octet-stream", chunk, NULL);
    }
  else
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/chunks/%s", t->ids[t->next]);

      t->current = allset_test_request_start (t->server, t->session, "GET", path, t->token,
                                              NULL, NULL, NULL);
    }
  allset_test_pending_set_callback (t->current, on_transfer_done, t);
}

/* Runs the transfers side by side; returns the seconds until the last
 * one finished. */
static double
run_transfers (Transfer *transfers,
               guint     n)
{
  gint64 start = g_get_monotonic_time ();
  gint64 end = 0;
  gboolean done = FALSE;

  for (guint i = 0; i < n; i++)
    transfer_next (&transfers[i]);

  while (!done)
    {
      g_main_context_iteration (NULL, TRUE);
      done = TRUE;
      for (guint i = 0; i < n; i++)
        done &= transfers[i].next == transfers[i].count && transfers[i].current == NULL;
    }

  for (guint i = 0; i < n; i++)
    end = MAX (end, transfers[i].finished_at);
  return (end - start) / (double) G_USEC_PER_SEC;
}

static GPtrArray *
new_chunks (guint n)
{
  GPtrArray *chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (chunks, allset_test_random_bytes (MIB));
  return chunks;
}

static GStrv
chunk_ids (GPtrArray *chunks)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < chunks->len; i++)
    {
      g_autofree char *id = allset_test_chunk_id (g_ptr_array_index (chunks, i));

      g_strv_builder_add (builder, id);
    }
  return g_strv_builder_end (builder);
}

static void
report_rate (const char *what,
             double      seconds,
             gsize       bytes)
{
  g_test_message ("%s: %.2f MiB in %.2f s = %.1f Mbit/s (cap 16 Mbit/s)", what,
                  bytes / (double) MIB, seconds, bytes * 8 / seconds / 1e6);
}

static void
test_bandwidth (void)
{
  const char *args[] = { "--bandwidth-up", "16M", "--bandwidth-down", "16M", NULL };
  g_autoptr(AllsetTestServer) server = allset_test_server_new_full (args, 0);
  g_autofree char *token = NULL;
  g_autoptr(AllsetTestResponse) status = NULL, warm = NULL;
  g_autoptr(SoupSession) s1 = NULL, s2 = NULL;
  g_autoptr(GPtrArray) sequential = new_chunks (4);
  g_autoptr(GPtrArray) parallel_a = new_chunks (2);
  g_autoptr(GPtrArray) parallel_b = new_chunks (2);
  g_auto(GStrv) sequential_ids = chunk_ids (sequential);
  g_auto(GStrv) ids_a = chunk_ids (parallel_a);
  g_auto(GStrv) ids_b = chunk_ids (parallel_b);
  double seconds, min_seconds;

  add_account (server, "bw", NULL);
  token = login (server, "bw");
  s1 = allset_test_server_new_session (server);
  s2 = allset_test_server_new_session (server);

  status = allset_test_get (server, "/api/v1/status", NULL);
  g_assert_cmpint (allset_test_response_get_int (status, "limits.bandwidth_up_bps"), ==, 16000000);
  g_assert_cmpint (allset_test_response_get_int (status, "limits.bandwidth_down_bps"), ==, 16000000);

  /* The server paces uploads of tokens it has seen; open the connections
   * too, so TLS handshakes stay out of the figures. */
  warm = allset_test_request (server, s1, "GET", "/api/v1/account", token, NULL, NULL, NULL);
  allset_test_assert_status (warm, 200);
  {
    g_autoptr(AllsetTestResponse) warm2 = allset_test_request (server, s2, "GET", "/api/v1/account", token,
                                                               NULL, NULL, NULL);

    allset_test_assert_status (warm2, 200);
  }

  /* One connection, 4 × 1 MiB up, then down: about 2 s each way. */
  {
    Transfer up = { server, s1, token, sequential, NULL, 0, 4, 0, NULL };
    Transfer down = { server, s1, token, NULL, sequential_ids, 0, 4, 0, NULL };

    seconds = run_transfers (&up, 1);
    report_rate ("upload, one connection", seconds, 4 * MIB);
    g_assert_cmpfloat (seconds, >=, 1.5);
    g_assert_cmpfloat (seconds, <=, 3.5);

    allset_test_iterate_for (300);
    seconds = run_transfers (&down, 1);
    report_rate ("download, one connection", seconds, 4 * MIB);
    g_assert_cmpfloat (seconds, >=, 1.5);
    g_assert_cmpfloat (seconds, <=, 3.5);
  }

  /* Two connections of the account share the cap: together at most 25 %
   * above it (the bucket's burst is a quarter of a second). */
  min_seconds = 4 * MIB / (CAP_BYTES_PER_SECOND * 1.25);
  {
    Transfer up[2] = {
      { server, s1, token, parallel_a, NULL, 0, 2, 0, NULL },
      { server, s2, token, parallel_b, NULL, 0, 2, 0, NULL },
    };
    Transfer down[2] = {
      { server, s1, token, NULL, ids_a, 0, 2, 0, NULL },
      { server, s2, token, NULL, ids_b, 0, 2, 0, NULL },
    };

    allset_test_iterate_for (300);
    seconds = run_transfers (up, 2);
    report_rate ("upload, two connections together", seconds, 4 * MIB);
    g_assert_cmpfloat (seconds, >=, min_seconds);
    g_assert_cmpfloat (seconds, <=, 4.5);

    allset_test_iterate_for (300);
    seconds = run_transfers (down, 2);
    report_rate ("download, two connections together", seconds, 4 * MIB);
    g_assert_cmpfloat (seconds, >=, min_seconds);
    g_assert_cmpfloat (seconds, <=, 4.5);
  }
}

/* ------------------------------------------------------------------ */
/* Connections the client closes                                      */

static guint
count_fds (AllsetTestServer *server)
{
  g_autofree char *dir = g_strdup_printf ("/proc/%d/fd", (int) allset_test_server_get_pid (server));

  return allset_test_count_files (dir);
}

/* A sync client keeps its connection open between requests and closes it
 * when it is done: the server must then let go of the descriptor, or it
 * runs out of them after ~1000 clients (RLIMIT_NOFILE). */
static void
test_connection_fds (void)
{
  g_autoptr(AllsetTestServer) server = allset_test_server_new_full (NULL, 0);
  guint before, after;
  int leaked;

  /* One first, so that whatever the server opens once is open. */
  {
    g_autoptr(AllsetTestResponse) r = allset_test_get (server, "/api/v1/status", NULL);

    allset_test_assert_status (r, 200);
  }
  before = count_fds (server);

  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(SoupSession) session = allset_test_server_new_session (server);
      g_autoptr(AllsetTestResponse) r = allset_test_request (server, session, "GET", "/api/v1/status",
                                                             NULL, NULL, NULL, NULL);

      allset_test_assert_status (r, 200);
      g_clear_object (&session);
      allset_test_iterate_for (5);
    }
  /* The server checks for clients that left once a second. */
  allset_test_iterate_for (2500);
  after = count_fds (server);
  leaked = (int) after - (int) before;
  g_test_message ("20 keep-alive connections closed by their clients: the server holds %d more "
                  "descriptors (%u, then %u)", leaked, before, after);

  /* libsoup 3.2 itself leaks these; server/allset-reaper.c closes them. */
  g_assert_cmpint (leaked, <=, 2);
}

int
main (int    argc,
      char **argv)
{
  allset_test_init (&argc, &argv);

  g_test_add_func ("/faults/kill9", test_kill9);
  g_test_add_func ("/faults/disk-full", test_disk_full);
  g_test_add_func ("/faults/bandwidth", test_bandwidth);
  g_test_add_func ("/faults/connection-fds", test_connection_fds);

  return g_test_run ();
}
