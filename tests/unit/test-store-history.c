/* test-store-history.c — the metadata store's history (trash, versions,
 * retention, chunk collection), account partitioning, and failures: a full
 * disk, a killed process, concurrent writers (docs/protocol.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <signal.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "store-fixture.h"

#define DAY (24 * 60 * 60)

/* ─── History: trash, versions, retention ──────────────────────────── */

static gint64
trash_single (Fixture *f,
              gint64   account_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) trash = allset_store_trash_list (f->store, account_id, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (trash->len, ==, 1);
  return ((AllsetTrashEntry *) trash->pdata[0])->trash_id;
}

static void
test_trash (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) trash = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(AllsetOpResult) restored = NULL;
  g_autoptr(AllsetNode) node = NULL;
  g_autoptr(GError) error = NULL;
  AllsetTrashEntry *entry;
  gint64 deleted, top;

  chunk (f, f->alice, "aaa");
  chunk (f, f->alice, "bb");
  chunk (f, f->alice, "t");
  /* Docs 1, a.txt 2, Sub 3, b.txt 4, top.txt 5 */
  results = commit (f, f->alice, op_put ("Docs/a.txt", 0, "aaa"),
                    op_put ("Docs/Sub/b.txt", 0, "bb"), op_put ("top.txt", 0, "t"), NULL);
  deleted = commit_one (f, f->alice, op_new (ALLSET_OP_DELETE, "Docs", 1));
  g_assert_cmpint (deleted, ==, 6);
  g_assert_cmpuint (allset_store_account_usage (f->store, f->alice->id), ==, 1);
  assert_missing (f, f->alice->id, "Docs/Sub/b.txt");

  trash = allset_store_trash_list (f->store, f->alice->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (trash->len, ==, 1);
  entry = trash->pdata[0];
  g_assert_cmpstr (entry->path, ==, "Docs");
  g_assert_cmpint (entry->type, ==, ALLSET_NODE_DIR);
  g_assert_cmpuint (entry->size, ==, 5);
  g_assert_cmpint (entry->revision, ==, deleted);
  g_assert_cmpint (entry->deleted_at, >, 0);

  /* Another account's trash id is as good as nonexistent. */
  g_assert_null (allset_store_trash_restore (f->store, f->bob, entry->trash_id, &error));
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_pointer (&trash, g_ptr_array_unref);
  trash = allset_store_trash_list (f->store, f->bob->id, &error);
  g_assert_cmpuint (trash->len, ==, 0);

  restored = allset_store_trash_restore (f->store, f->alice, trash_single (f, f->alice->id), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (restored->path, ==, "Docs");
  g_assert_cmpint (restored->revision, ==, 7);
  node = get_file (f, f->alice->id, "Docs/Sub/b.txt");
  g_assert_cmpint (node->revision, ==, 9);
  g_assert_cmpstr (node->receipt->path, ==, "Docs/Sub/b.txt");
  g_assert_cmpuint (allset_store_account_usage (f->store, f->alice->id), ==, 6);
  changes = allset_store_changes (f->store, f->alice->id, deleted, 100, NULL, &error);
  g_assert_cmpuint (changes->len, ==, 4);
  g_assert_cmpint (((AllsetChange *) changes->pdata[0])->op, ==, ALLSET_OP_MKDIR);
  g_assert_cmpint (((AllsetChange *) changes->pdata[2])->op, ==, ALLSET_OP_PUT);
  g_assert_cmpstr (((AllsetChange *) changes->pdata[3])->path, ==, "Docs/a.txt");
  g_clear_pointer (&trash, g_ptr_array_unref);
  trash = allset_store_trash_list (f->store, f->alice->id, &error);
  g_assert_cmpuint (trash->len, ==, 0);

  /* The path is taken again: the entry stays in the trash. */
  top = commit_one (f, f->alice, op_new (ALLSET_OP_DELETE, "top.txt", 5));
  commit_one (f, f->alice, op_put ("top.txt", 0, "bb"));
  g_clear_pointer (&restored, allset_op_result_free);
  restored = allset_store_trash_restore (f->store, f->alice, trash_single (f, f->alice->id), &error);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_cmpint (top, >, 0);
  trash_single (f, f->alice->id);

  /* Parents deleted since are made again. */
  commit_one (f, f->alice, op_new (ALLSET_OP_DELETE, "Docs/Sub/b.txt", 9));
  commit_one (f, f->alice, op_new (ALLSET_OP_DELETE, "Docs", 7));
  g_clear_pointer (&trash, g_ptr_array_unref);
  trash = allset_store_trash_list (f->store, f->alice->id, &error);
  g_assert_cmpuint (trash->len, ==, 3);
  entry = trash->pdata[1];   /* newest first */
  g_assert_cmpstr (entry->path, ==, "Docs/Sub/b.txt");
  g_clear_pointer (&restored, allset_op_result_free);
  restored = allset_store_trash_restore (f->store, f->alice, entry->trash_id, &error);
  g_assert_no_error (error);
  g_clear_pointer (&node, allset_node_free);
  node = get_file (f, f->alice->id, "Docs/Sub/b.txt");
  assert_missing (f, f->alice->id, "Docs/a.txt");  assert_usage_consistent (f, f->alice);
}

static void
test_versions (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GPtrArray) versions = NULL;
  g_autoptr(AllsetOpResult) restored = NULL;
  g_autoptr(AllsetNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *v1 = hex_of ("v1");
  g_autofree char *v2 = hex_of ("v2");

  chunk (f, f->alice, "v1");
  chunk (f, f->alice, "v2");
  chunk (f, f->alice, "v3-longer");
  commit_one (f, f->alice, op_put ("f.txt", 0, "v1"));
  commit_one (f, f->alice, op_put ("f.txt", 1, "v2"));
  commit_one (f, f->alice, op_put ("f.txt", 2, "v3-longer"));

  versions = allset_store_versions (f->store, f->alice->id, "f.txt", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (versions->len, ==, 3);
  g_assert_cmpint (((AllsetNode *) versions->pdata[0])->revision, ==, 3);
  g_assert_cmpint (((AllsetNode *) versions->pdata[2])->revision, ==, 1);
  g_assert_cmpstr (((AllsetNode *) versions->pdata[2])->file_id, ==, v1);
  g_assert_cmpint (((AllsetNode *) versions->pdata[2])->created_at, >, 0);

  node = allset_store_get_file (f->store, f->alice->id, "f.txt", 1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (node->file_id, ==, v1);
  g_assert_cmpint (node->receipt->revision, ==, 1);
  g_assert_cmpuint (node->chunks->len, ==, 1);
  g_clear_pointer (&node, allset_node_free);
  g_assert_null (allset_store_get_file (f->store, f->alice->id, "f.txt", 99, &error));
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND);
  g_clear_error (&error);

  restored = allset_store_version_restore (f->store, f->alice, "f.txt", 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (restored->revision, ==, 4);
  g_assert_cmpstr (restored->file_id, ==, v1);
  g_assert_cmpint (restored->receipt->revision, ==, 4);
  node = get_file (f, f->alice->id, "f.txt");
  g_assert_cmpstr (node->file_id, ==, v1);
  g_assert_cmpuint (node->chunks->len, ==, 1);
  g_assert_cmpuint (allset_store_account_usage (f->store, f->alice->id), ==, 2);

  /* A deleted file keeps its versions, and one brings it back with its
   * parents. */
  commit_one (f, f->alice, op_put ("D/g.txt", 0, "v2"));   /* D 5, g 6 */
  commit_one (f, f->alice, op_new (ALLSET_OP_DELETE, "D", 5));
  g_clear_pointer (&restored, allset_op_result_free);
  restored = allset_store_version_restore (f->store, f->alice, "D/g.txt", 6, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (restored->revision, ==, 9);
  g_clear_pointer (&node, allset_node_free);
  node = get_file (f, f->alice->id, "D/g.txt");
  g_assert_cmpstr (node->file_id, ==, v2);

  /* Restoring respects the quota. */
  allset_store_account_set_quota (f->store, f->alice->id, 5, &error);
  g_clear_pointer (&restored, allset_op_result_free);
  restored = allset_store_version_restore (f->store, f->alice, "f.txt", 3, NULL, &error);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_QUOTA_EXCEEDED);
  g_clear_error (&error);
  g_assert_cmpint (allset_store_cursor (f->store, f->alice->id), ==, 9);

  /* A version restore over a directory is a conflict. */
  commit_one (f, f->alice, op_new (ALLSET_OP_DELETE, "f.txt", 4));
  commit_one (f, f->alice, op_new (ALLSET_OP_MKDIR, "f.txt", 0));
  g_assert_null (allset_store_version_restore (f->store, f->alice, "f.txt", 1, NULL, &error));
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_CONFLICT);
  g_clear_error (&error);

  /* Bob sees none of it. */
  g_assert_null (allset_store_versions (f->store, f->bob->id, "D/g.txt", &error));
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (allset_store_version_restore (f->store, f->bob, "D/g.txt", 6, NULL, &error));
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (allset_store_get_file (f->store, f->bob->id, "D/g.txt", 6, &error));
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND);  assert_usage_consistent (f, f->alice);
}

static guint
version_count (Fixture    *f,
               const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) versions = allset_store_versions (f->store, f->alice->id, path, &error);

  return versions ? versions->len : 0;
}

static void
test_purge (Fixture       *f,
            gconstpointer  data)
{
  const AllsetRetention retention = { .versions_keep = 2, .versions_days = 30, .trash_days = 30 };
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *contents[] = { "v1", "v2", "v3", "v4", "v5" };
  AllsetHash pending, keep;

  for (guint i = 0; i < G_N_ELEMENTS (contents); i++)
    {
      chunk (f, f->alice, contents[i]);
      commit_one (f, f->alice, op_put ("f.txt", i, contents[i]));
    }
  keep = chunk (f, f->alice, "keep");
  commit_one (f, f->alice, op_put ("keep.txt", 0, "keep"));
  pending = chunk (f, f->alice, "pending");

  /* Everything is young: nothing goes, not even the uncommitted chunk. */
  g_assert_cmpuint (allset_store_purge (f->store, &retention, now, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (version_count (f, "f.txt"), ==, 5);
  g_assert_true (allset_store_chunk_has (f->store, f->alice->id, &pending));

  /* A month on: the live version and the one before it stay. */
  g_assert_cmpuint (allset_store_purge (f->store, &retention, now + 31 * DAY, &error), ==, 3);
  g_assert_cmpuint (version_count (f, "f.txt"), ==, 2);
  g_assert_cmpuint (count_rows (f, "SELECT count(*) FROM file_chunks"), ==, 3);
  g_assert_false (allset_store_chunk_has (f->store, f->alice->id, &pending));
  g_assert_true (allset_store_chunk_has (f->store, f->alice->id, &keep));
  g_assert_cmpuint (count_rows (f, "SELECT count(*) FROM chunks"), ==, 3);

  /* The trash holds the versions until it expires, then both go. */
  commit_one (f, f->alice, op_new (ALLSET_OP_DELETE, "f.txt", 5));
  g_assert_cmpuint (allset_store_purge (f->store, &retention, now + 10 * DAY, &error), ==, 0);
  g_assert_cmpuint (version_count (f, "f.txt"), ==, 2);
  g_assert_cmpuint (allset_store_purge (f->store, &retention, now + 31 * DAY, &error), ==, 3);
  g_assert_no_error (error);
  g_assert_cmpuint (version_count (f, "f.txt"), ==, 0);
  g_assert_cmpuint (count_rows (f, "SELECT count(*) FROM trash"), ==, 0);
}

static gboolean
collect_cb (gint64            account_id,
            const AllsetHash *id,
            gpointer          user_data)
{
  guint *calls = user_data;

  return ++(*calls) > 1;
}

static void
test_collect (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) gone = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  AllsetHash used, unused;
  guint calls = 0;

  allset_sha256 ("used", 4, &used);
  allset_sha256 ("unused", 6, &unused);
  allset_store_chunk_add (f->store, f->alice->id, &used, 4, NULL, &error);
  allset_store_chunk_add (f->store, f->alice->id, &unused, 6, NULL, &error);
  g_assert_no_error (error);
  commit_one (f, f->alice, op_put ("used", 0, "used"));

  gone = allset_store_chunks_collect (f->store, now, 0, collect_cb, &calls, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gone->len, ==, 0);
  g_assert_cmpuint (calls, ==, 0);
  g_clear_pointer (&gone, g_array_unref);

  /* The callback refusing keeps the row; agreeing drops it. */
  gone = allset_store_chunks_collect (f->store, now + 2 * DAY, 0, collect_cb, &calls, &error);
  g_assert_cmpuint (gone->len, ==, 0);
  g_assert_true (allset_store_chunk_has (f->store, f->alice->id, &unused));
  g_clear_pointer (&gone, g_array_unref);
  gone = allset_store_chunks_collect (f->store, now + 2 * DAY, 0, collect_cb, &calls, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gone->len, ==, 1);
  g_assert_cmpint (g_array_index (gone, AllsetChunkKey, 0).account_id, ==, f->alice->id);
  g_assert_true (allset_hash_equal (&g_array_index (gone, AllsetChunkKey, 0).id, &unused));
  g_assert_false (allset_store_chunk_has (f->store, f->alice->id, &unused));
  g_assert_true (allset_store_chunk_has (f->store, f->alice->id, &used));
}

static void
test_partitioning (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(AllsetNode) node = NULL;
  g_autoptr(GError) error = NULL;
  gint64 trash_id;

  chunk (f, f->alice, "x");
  commit_one (f, f->alice, op_put ("Shared/x.txt", 0, "x"));

  assert_missing (f, f->bob->id, "Shared/x.txt");
  g_assert_null (allset_store_get_file (f->store, f->bob->id, "Shared/x.txt", 2, &error));
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (allset_store_list (f->store, f->bob->id, "Shared", &error));
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND);
  g_clear_error (&error);
  list = allset_store_list (f->store, f->bob->id, "", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 0);

  /* Alice's chunk is not Bob's to use; once he holds his own copy, the
   * same path is new to him, with his own seqs. */
  results = commit (f, f->bob, op_put ("Shared/x.txt", 0, "x"), NULL);
  assert_refused (result_at (results, 0), 422, ALLSET_ERROR_UNKNOWN_CHUNK, 0);
  chunk (f, f->bob, "x");
  g_assert_cmpint (commit_one (f, f->bob, op_put ("Shared/x.txt", 0, "x")), ==, 2);
  g_assert_cmpint (allset_store_cursor (f->store, f->alice->id), ==, 2);

  commit_one (f, f->bob, op_new (ALLSET_OP_DELETE, "Shared", 1));
  node = get_file (f, f->alice->id, "Shared/x.txt");
  commit_one (f, f->alice, op_new (ALLSET_OP_DELETE, "Shared", 1));
  trash_id = trash_single (f, f->alice->id);
  g_assert_cmpint (trash_single (f, f->bob->id), !=, trash_id);
  g_assert_null (allset_store_trash_restore (f->store, f->bob, trash_id, &error));
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND);
  g_assert_cmpuint (allset_store_account_usage (f->store, f->alice->id), ==, 0);
  g_assert_cmpuint (allset_store_account_usage (f->store, f->bob->id), ==, 0);  assert_usage_consistent (f, f->alice);
  assert_usage_consistent (f, f->bob);
}

/* ─── Failure and concurrency ──────────────────────────────────────── */

static int max_pages;

/* Runs on every connection the process opens, the store's included: a
 * page limit makes SQLite answer SQLITE_FULL as a full disk would. */
static int
limit_pages (sqlite3                            *db,
             char                              **errmsg,
             const struct sqlite3_api_routines  *api)
{
  if (max_pages > 0)
    {
      g_autofree char *sql = g_strdup_printf ("PRAGMA max_page_count=%d", max_pages);
      sqlite3_exec (db, sql, NULL, NULL, NULL);
    }
  return SQLITE_OK;
}

static void
test_storage_full (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_op_free);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;

  chunk (f, f->alice, "x");
  commit_one (f, f->alice, op_put ("first", 0, "x"));

  g_clear_object (&f->store);
  max_pages = count_rows (f, "PRAGMA page_count") + 2;
  sqlite3_auto_extension ((void (*) (void)) limit_pages);
  f->store = allset_store_open (f->db_path, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < 500; i++)
    {
      g_autofree char *path = g_strdup_printf ("a-rather-long-directory-name/%04u-%s", i,
                                               "padding-padding-padding-padding-padding");
      g_ptr_array_add (ops, op_put (path, 0, "x"));
    }
  results = allset_store_commit (f->store, f->alice, ops, NULL, NULL, NULL, &error);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_STORAGE_FULL);
  g_assert_null (results);
  g_clear_error (&error);

  max_pages = 0;
  sqlite3_reset_auto_extension ();
  g_assert_cmpint (allset_store_cursor (f->store, f->alice->id), ==, 1);
  assert_missing (f, f->alice->id, "a-rather-long-directory-name/0000-padding-padding-padding-padding-padding");
  assert_usage_consistent (f, f->alice);

  /* The connection is usable again once there is room. */
  g_ptr_array_set_size (ops, 1);
  results = allset_store_commit (f->store, f->alice, ops, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (allset_store_cursor (f->store, f->alice->id), ==, 3);
}

/* A commit that returned is on disk, even if the process dies right
 * after (WAL, synchronous=FULL). The subprocess finds the database by the
 * test process's pid. */
static void
test_killed (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetNode) node = NULL;
  g_autoptr(AllsetStore) store = NULL;
  g_autofree char *name = g_strdup_printf ("test-store-killed-%d.db",
                                           g_test_subprocess () ? (int) getppid () : (int) getpid ());
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), name, NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  if (g_test_subprocess ())
    {
      g_autoptr(AllsetAccount) account = NULL;
      g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_op_free);
      g_autoptr(GPtrArray) results = NULL;
      g_autoptr(GBytes) kept = g_bytes_new_static ("kept", 4);
      AllsetHash id;
      gint64 account_id;

      store = allset_store_open (path, &error);
      g_assert_no_error (error);
      account_id = allset_store_account_add (store, "carol", NULL, NULL, 0, "h", &error);
      account = allset_store_account_get (store, account_id, &error);
      allset_sha256 ("kept", 4, &id);
      allset_store_chunk_add (store, account_id, &id, 4, kept, &error);
      g_ptr_array_add (ops, op_put ("kept.txt", 0, "kept"));
      results = allset_store_commit (store, account, ops, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      raise (SIGKILL);
    }

  g_unlink (path);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();

  store = allset_store_open (path, &error);
  g_assert_no_error (error);
  g_clear_pointer (&f->alice, allset_account_free);
  f->alice = allset_store_account_lookup (store, "carol", &error);
  g_assert_no_error (error);
  node = allset_store_get_file (store, f->alice->id, "kept.txt", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (node->size, ==, 4);
  g_clear_object (&store);
  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
}

typedef struct
{
  Fixture       *f;
  AllsetAccount *account;
} Worker;

static gpointer
commit_worker (gpointer data)
{
  Worker *worker = data;

  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *path = g_strdup_printf ("w/%u", i);
      g_autoptr(GPtrArray) changes = NULL;
      g_autoptr(GError) error = NULL;

      commit_one (worker->f, worker->account, op_put (path, 0, worker->account->username));
      changes = allset_store_changes (worker->f->store, worker->account->id, 0, 10, NULL, &error);
      g_assert_no_error (error);
    }
  return NULL;
}

static void
test_threads (Fixture       *f,
              gconstpointer  data)
{
  Worker workers[4];
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *username = g_strdup_printf ("user%u", i);
      gint64 id = allset_store_account_add (f->store, username, NULL, NULL, 0, "h", &error);

      workers[i].f = f;
      workers[i].account = allset_store_account_get (f->store, id, &error);
      chunk (f, workers[i].account, username);
    }
  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    threads[i] = g_thread_new ("commit", commit_worker, &workers[i]);
  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    {
      g_thread_join (threads[i]);
      /* "w" first, then the 40 files */
      g_assert_cmpint (allset_store_cursor (f->store, workers[i].account->id), ==, 41);
      assert_usage_consistent (f, workers[i].account);
      allset_account_free (workers[i].account);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/store/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("trash", test_trash);
  ADD ("versions", test_versions);
  ADD ("purge", test_purge);
  ADD ("collect", test_collect);
  ADD ("partitioning", test_partitioning);
  ADD ("storage-full", test_storage_full);
  ADD ("killed", test_killed);
  ADD ("threads", test_threads);

  return g_test_run ();
}
