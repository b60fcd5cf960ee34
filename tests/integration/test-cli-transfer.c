/* test-cli-transfer.c — AllsetClient against the real allset-server over
 * TLS: chunks (put, pack, ranged get), commits and receipts, the changes
 * feed and its long poll, versions and trash, concurrent use of one client
 * from threads, client-side bandwidth limits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "test-cli-server.h"

static TestCliServer *server;

/* ---- chunks -------------------------------------------------------------- */

static void
test_chunks (void)
{
  g_autoptr(AllsetClient) client = test_cli_signed_in (server, "alice");
  g_autoptr(GBytes) big = test_cli_random_bytes (700 * 1024);
  g_autoptr(GBytes) small1 = test_cli_random_bytes (1000);
  g_autoptr(GBytes) small2 = test_cli_random_bytes (ALLSET_SMALL_CHUNK_MAX);
  g_autoptr(GBytes) got = NULL;
  g_autoptr(GBytes) part = NULL;
  g_autoptr(GPtrArray) missing = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *big_id = test_cli_chunk_id (big);
  g_autofree char *id1 = test_cli_chunk_id (small1);
  g_autofree char *id2 = test_cli_chunk_id (small2);
  const char *ids[] = { big_id, id1, id2 };
  AllsetPackEntry pack[] = { { id1, small1 }, { id2, small2 } };
  gboolean created = FALSE;

  missing = allset_client_chunks_missing (client, ids, 3, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (missing->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (missing, 0), ==, big_id);
  g_clear_pointer (&missing, g_ptr_array_unref);

  g_assert_true (allset_client_chunk_put (client, big_id, big, &created, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (created);
  g_assert_true (allset_client_chunk_put (client, big_id, big, &created, NULL, NULL, NULL, &error));
  g_assert_false (created);

  g_assert_cmpuint (allset_client_chunk_pack (client, pack, 2, NULL, NULL, NULL, &error), ==, 2);
  g_assert_no_error (error);

  missing = allset_client_chunks_missing (client, ids, 3, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (missing->len, ==, 0);

  got = allset_client_chunk_get (client, big_id, 0, -1, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (got, big));
  g_clear_pointer (&got, g_bytes_unref);
  got = allset_client_chunk_get (client, id1, 0, -1, NULL, NULL, NULL, &error);
  g_assert_true (g_bytes_equal (got, small1));

  /* Resuming in the middle of a chunk. */
  part = allset_client_chunk_get (client, big_id, 1000, 24, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (part, NULL), 24,
                   (const guint8 *) g_bytes_get_data (big, NULL) + 1000, 24);
  g_clear_pointer (&part, g_bytes_unref);
  part = allset_client_chunk_get (client, big_id, 700 * 1024 - 10, -1, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (part), ==, 10);

  /* Not held, not matching, not an id. */
  g_assert_null (allset_client_chunk_get (client, TEST_CLI_UNKNOWN_ID, 0, -1, NULL, NULL, NULL, &error));
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (allset_client_chunk_put (client, id1, big, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_HASH_MISMATCH);
  g_clear_error (&error);
  pack[1].id = id1;
  g_assert_cmpuint (allset_client_chunk_pack (client, pack, 2, NULL, NULL, NULL, &error), ==, 0);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_HASH_MISMATCH);
  g_clear_error (&error);
  g_assert_false (allset_client_chunk_put (client, "../status", big, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_INVALID_ARGUMENT);
}

typedef struct
{
  AllsetClient *client;
  guint         index;
  guint         n_chunks;
  gsize         chunk_size;
  gboolean      download;
} Worker;

static gpointer
upload_worker (gpointer data)
{
  Worker *worker = data;

  for (guint i = 0; i < worker->n_chunks; i++)
    {
      g_autoptr(GBytes) bytes = test_cli_random_bytes (worker->chunk_size);
      g_autofree char *id = test_cli_chunk_id (bytes);
      g_autoptr(GBytes) back = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_true (allset_client_chunk_put (worker->client, id, bytes, NULL, NULL, NULL, NULL, &error));
      g_assert_no_error (error);
      if (worker->download)
        {
          back = allset_client_chunk_get (worker->client, id, 0, -1, NULL, NULL, NULL, &error);
          g_assert_no_error (error);
          g_assert_true (g_bytes_equal (back, bytes));
        }
    }

  return NULL;
}

static gint64
run_workers (AllsetClient *client,
             guint         n_threads,
             guint         n_chunks,
             gsize         chunk_size,
             gboolean      download)
{
  g_autofree Worker *workers = g_new0 (Worker, n_threads);
  g_autofree GThread **threads = g_new0 (GThread *, n_threads);
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < n_threads; i++)
    {
      workers[i] = (Worker) { client, i, n_chunks, chunk_size, download };
      threads[i] = g_thread_new ("worker", upload_worker, &workers[i]);
    }
  for (guint i = 0; i < n_threads; i++)
    g_thread_join (threads[i]);

  return g_get_monotonic_time () - start;
}

static void
test_concurrent (void)
{
  g_autoptr(AllsetClient) client = test_cli_signed_in (server, "alice");

  /* One client, one session, many threads at once. */
  run_workers (client, 8, 6, 300 * 1024, TRUE);
}

static void
test_bandwidth (void)
{
  g_autoptr(AllsetClient) client = test_cli_signed_in (server, "alice");
  gint64 elapsed;

  /* 1 MiB up at 256 KiB/s from 4 threads: one second of burst, then
   * 3 more seconds, whatever the number of threads. */
  allset_client_set_bandwidth_limits (client, 256 * 1024, 0);
  elapsed = run_workers (client, 4, 2, 128 * 1024, FALSE);
  g_test_message ("1 MiB up at 256 KiB/s: %.2f s", elapsed / 1e6);
  g_assert_cmpint (elapsed, >=, 2700 * 1000);
  g_assert_cmpint (elapsed, <, 20 * G_USEC_PER_SEC);

  /* Down: 2 × 512 KiB uploaded without limit, read back at 512 KiB/s. */
  allset_client_set_bandwidth_limits (client, 0, 512 * 1024);
  elapsed = run_workers (client, 2, 1, 512 * 1024, TRUE);
  g_test_message ("1 MiB down at 512 KiB/s: %.2f s", elapsed / 1e6);
  g_assert_cmpint (elapsed, >=, 800 * 1000);
  g_assert_cmpint (elapsed, <, 20 * G_USEC_PER_SEC);

  allset_client_set_bandwidth_limits (client, 0, 0);
  elapsed = run_workers (client, 2, 2, 512 * 1024, TRUE);
  g_test_message ("2 MiB up and down without limit: %.2f s", elapsed / 1e6);
}

/* ---- tree ---------------------------------------------------------------- */

static char *
upload (AllsetClient *client,
        GBytes       *bytes)
{
  g_autoptr(GError) error = NULL;
  char *id = test_cli_chunk_id (bytes);

  g_assert_true (allset_client_chunk_put (client, id, bytes, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  return id;
}

static AllsetCommitReply *
commit (AllsetClient *client,
        JsonObject   *first_op,
        ...)
{
  g_autoptr(JsonArray) ops = json_array_new ();
  g_autoptr(GError) error = NULL;
  AllsetCommitReply *reply;
  JsonObject *op = first_op;
  va_list args;

  va_start (args, first_op);
  for (; op != NULL; op = va_arg (args, JsonObject *))
    json_array_add_object_element (ops, op);
  va_end (args);

  reply = allset_client_commit (client, ops, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reply->results->len, ==, json_array_get_length (ops));
  return reply;
}

static AllsetCommitResult *
result_at (AllsetCommitReply *reply,
           guint              i)
{
  return g_ptr_array_index (reply->results, i);
}

static void
test_tree (void)
{
  g_autoptr(AllsetClient) client = test_cli_signed_in (server, "bob");
  g_autoptr(AllsetServerStatus) status = allset_client_status (client, NULL, NULL);
  g_autoptr(GBytes) part1 = test_cli_random_bytes (300 * 1024);
  g_autoptr(GBytes) part2 = test_cli_random_bytes (200 * 1024);
  g_autoptr(GBytes) small = test_cli_random_bytes (100);
  g_autofree char *id1 = upload (client, part1);
  g_autofree char *id2 = upload (client, part2);
  g_autofree char *id3 = upload (client, small);
  const char *chunks[] = { id1, id2, NULL };
  const char *chunks2[] = { id3, NULL };
  const char *path = "Docs/été & co #1 =100%.txt";
  g_autoptr(AllsetCommitReply) reply = NULL;
  g_autoptr(AllsetCommitReply) reply2 = NULL;
  g_autoptr(AllsetFileInfo) file = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) versions = NULL;
  g_autoptr(GPtrArray) trash = NULL;
  g_autoptr(AllsetChanges) changes = NULL;
  g_autoptr(AllsetCommitResult) restored = NULL;
  g_autoptr(GError) error = NULL;
  AllsetHash ids[2];
  AllsetTrashEntry *entry = NULL;
  char expected[ALLSET_HASH_HEX_LEN + 1];
  gint64 first_revision, live;

  g_assert_nonnull (status);
  allset_hash_from_hex (id1, &ids[0]);
  allset_hash_from_hex (id2, &ids[1]);
  allset_file_id (ids, 2, &ids[0]);
  allset_hash_to_hex_buf (&ids[0], expected);

  reply = commit (client,
                  allset_commit_op_mkdir ("Docs", 0),
                  allset_commit_op_put (path, 0, chunks, 500 * 1024, 1764160000, FALSE),
                  allset_commit_op_put ("Docs/other.txt", 42, chunks2, 100, 1764160000, FALSE),
                  NULL);
  g_assert_cmpuint (result_at (reply, 0)->status, ==, 200);
  g_assert_cmpuint (result_at (reply, 1)->status, ==, 200);
  g_assert_cmpstr (result_at (reply, 1)->path, ==, path);
  g_assert_cmpstr (result_at (reply, 1)->file_id, ==, expected);
  g_assert_true (allset_receipt_verify (result_at (reply, 1)->receipt, status->receipt_public_key,
                                       &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result_at (reply, 2)->status, ==, 409);
  g_assert_cmpint (result_at (reply, 2)->error, ==, ALLSET_ERROR_CONFLICT);
  first_revision = result_at (reply, 1)->revision;

  file = allset_client_file (client, path, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (file->size, ==, 500 * 1024);
  g_assert_cmpuint (file->chunks->len, ==, 2);
  g_assert_cmpstr (g_array_index (file->chunks, AllsetChunkInfo, 1).id, ==, id2);
  g_assert_cmpuint (g_array_index (file->chunks, AllsetChunkInfo, 1).size, ==, 200 * 1024);
  g_assert_nonnull (file->receipt);
  g_clear_pointer (&file, allset_file_info_free);

  entries = allset_client_list (client, "", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_true (((AllsetEntryInfo *) g_ptr_array_index (entries, 0))->is_dir);
  g_clear_pointer (&entries, g_ptr_array_unref);
  entries = allset_client_list (client, "Docs", NULL, &error);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_cmpstr (((AllsetEntryInfo *) g_ptr_array_index (entries, 0))->name, ==, "été & co #1 =100%.txt");

  changes = allset_client_changes (client, 0, 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (changes->has_more);
  g_assert_cmpuint (changes->changes->len, ==, 1);
  g_clear_pointer (&changes, allset_changes_free);
  changes = allset_client_changes (client, 0, 0, NULL, &error);
  g_assert_false (changes->has_more);
  g_assert_cmpint (changes->cursor, ==, reply->cursor);
  g_assert_cmpint (((AllsetChange *) g_ptr_array_index (changes->changes, 1))->op, ==, ALLSET_CHANGE_PUT);

  /* A second version, then the first one back. */
  reply2 = commit (client, allset_commit_op_put (path, first_revision, chunks2, 100, 1764160001, TRUE),
                   NULL);
  g_assert_cmpuint (result_at (reply2, 0)->status, ==, 200);
  versions = allset_client_versions (client, path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (versions->len, ==, 2);
  g_assert_cmpint (((AllsetVersionInfo *) g_ptr_array_index (versions, 1))->revision, ==, first_revision);

  restored = allset_client_version_restore (client, path, first_revision, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (restored->file_id, ==, expected);
  g_assert_cmpint (restored->revision, >, result_at (reply2, 0)->revision);
  g_assert_nonnull (restored->receipt);
  live = restored->revision;
  g_clear_pointer (&restored, allset_commit_result_free);

  file = allset_client_file (client, path, result_at (reply2, 0)->revision, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (file->executable);
  g_clear_pointer (&reply2, allset_commit_reply_free);

  /* Deleted is not lost. */
  reply2 = commit (client, allset_commit_op_move (path, "Docs/moved.txt", live), NULL);
  g_assert_cmpuint (result_at (reply2, 0)->status, ==, 200);
  live = result_at (reply2, 0)->revision;
  g_clear_pointer (&reply2, allset_commit_reply_free);
  reply2 = commit (client, allset_commit_op_delete ("Docs/moved.txt", live), NULL);
  g_assert_cmpuint (result_at (reply2, 0)->status, ==, 200);
  trash = allset_client_trash (client, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < trash->len; i++)
    if (g_str_equal (((AllsetTrashEntry *) g_ptr_array_index (trash, i))->path, "Docs/moved.txt"))
      entry = g_ptr_array_index (trash, i);
  g_assert_nonnull (entry);
  restored = allset_client_trash_restore (client, entry->trash_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (restored->path, ==, "Docs/moved.txt");

  g_assert_null (allset_client_file (client, "Docs/none", 0, NULL, &error));
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (allset_client_list (client, "Docs/moved.txt", NULL, &error));
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_A_DIRECTORY);
}

static gpointer
commit_later (gpointer data)
{
  AllsetClient *client = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) ops = json_array_new ();
  g_autoptr(AllsetCommitReply) reply = NULL;
  g_autofree char *name = g_strdup_printf ("Wait-%d", g_test_rand_int_range (0, G_MAXINT));

  g_usleep (300 * 1000);
  json_array_add_object_element (ops, allset_commit_op_mkdir (name, 0));
  reply = allset_client_commit (client, ops, NULL, &error);
  g_assert_no_error (error);
  return NULL;
}

static gpointer
cancel_later (gpointer data)
{
  g_usleep (300 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_changes_wait (void)
{
  g_autoptr(AllsetClient) client = test_cli_signed_in (server, "bob");
  g_autoptr(AllsetAccountInfo) account = allset_client_account (client, NULL, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GThread *thread;
  gint64 cursor = -1, start;
  gboolean changed = TRUE;

  g_assert_nonnull (account);
  start = g_get_monotonic_time ();
  g_assert_true (allset_client_changes_wait (client, account->cursor, 1, &cursor, &changed,
                                             NULL, &error));
  g_assert_no_error (error);
  g_assert_false (changed);
  g_assert_cmpint (cursor, ==, account->cursor);
  /* No lower bound: the server's timer has second granularity. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);

  /* Another thread of the same client commits while this one waits. */
  start = g_get_monotonic_time ();
  thread = g_thread_new ("commit", commit_later, client);
  g_assert_true (allset_client_changes_wait (client, account->cursor, 30, &cursor, &changed,
                                             NULL, &error));
  g_thread_join (thread);
  g_assert_no_error (error);
  g_assert_true (changed);
  g_assert_cmpint (cursor, >, account->cursor);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);

  /* Cancelling stops the wait at once. */
  start = g_get_monotonic_time ();
  thread = g_thread_new ("cancel", cancel_later, cancellable);
  g_assert_false (allset_client_changes_wait (client, cursor, 30, NULL, NULL, cancellable, &error));
  g_thread_join (thread);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
}

int
main (int    argc,
      char **argv)
{
  int status;

  if (!test_cli_init (&argc, &argv, "/transfer"))
    return g_test_run ();

  server = test_cli_server_start (NULL);
  test_cli_add_account (server, "alice", "1G");
  test_cli_admin (server, TEST_CLI_PASSWORD "\n", "account-add", "bob", "--name", "Bob",
                  "--email", "bob@example.com", NULL);

  g_test_add_func ("/transfer/chunks", test_chunks);
  g_test_add_func ("/transfer/concurrent", test_concurrent);
  g_test_add_func ("/transfer/bandwidth", test_bandwidth);
  g_test_add_func ("/transfer/tree", test_tree);
  g_test_add_func ("/transfer/changes-wait", test_changes_wait);

  status = g_test_run ();
  test_cli_server_stop (server);
  return status;
}
