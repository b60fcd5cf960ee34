/* store-fixture.c — the metadata store tests' shared fixture and helpers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "allset-chunk-store-fs.h"
#include "allset-pack-collect.h"
#include "store-fixture.h"
#include "test-tree.h"

void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 id;

  f->dir = g_dir_make_tmp ("test-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->db_path = g_build_filename (f->dir, "meta.db", NULL);
  f->store = allset_store_open (f->db_path, &error);
  g_assert_no_error (error);

  id = allset_store_account_add (f->store, "alice", "Alice", "alice@example.fr", 0, "hash-a", &error);
  g_assert_no_error (error);
  f->alice = allset_store_account_get (f->store, id, &error);
  g_assert_no_error (error);
  id = allset_store_account_add (f->store, "bob", "Bob", "bob@example.fr", 0, "hash-b", &error);
  g_assert_no_error (error);
  f->bob = allset_store_account_get (f->store, id, &error);
  g_assert_no_error (error);
}

void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->store);
  test_tree_remove (f->dir);
  g_clear_pointer (&f->alice, allset_account_free);
  g_clear_pointer (&f->bob, allset_account_free);
  g_free (f->db_path);
  g_free (f->dir);
}

/* Registers content as an inline chunk of the account and returns its id. */
AllsetHash
chunk (Fixture       *f,
       AllsetAccount *account,
       const char    *content)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new (content, strlen (content));
  AllsetHash id;

  allset_sha256 (content, strlen (content), &id);
  allset_store_chunk_add (f->store, account->id, &id, strlen (content), bytes, &error);
  g_assert_no_error (error);
  return id;
}

AllsetOp *
op_new (AllsetOpKind  kind,
        const char   *path,
        gint64        base)
{
  AllsetOp *op = g_new0 (AllsetOp, 1);

  op->kind = kind;
  op->path = g_strdup (path);
  op->base_revision = base;
  return op;
}

/* A put of one chunk holding content (which must be registered). */
AllsetOp *
op_put (const char *path,
        gint64      base,
        const char *content)
{
  AllsetOp *op = op_new (ALLSET_OP_PUT, path, base);
  AllsetHash id;

  allset_sha256 (content, strlen (content), &id);
  op->chunks = g_array_new (FALSE, FALSE, sizeof (AllsetHash));
  g_array_append_val (op->chunks, id);
  op->size = strlen (content);
  op->mtime = 1764160000;
  return op;
}

AllsetOp *
op_move (const char *path,
         const char *to,
         gint64      base)
{
  AllsetOp *op = op_new (ALLSET_OP_MOVE, path, base);

  op->to = g_strdup (to);
  return op;
}

/* Commits the NULL-terminated ops; the batch itself must succeed. */
GPtrArray *
commit (Fixture       *f,
        AllsetAccount *account,
        ...)
{
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_op_free);
  g_autoptr(GError) error = NULL;
  GPtrArray *results;
  AllsetOp *op;
  va_list args;
  gint64 cursor = -1;

  va_start (args, account);
  while ((op = va_arg (args, AllsetOp *)) != NULL)
    g_ptr_array_add (ops, op);
  va_end (args);

  results = allset_store_commit (f->store, account, ops, NULL, NULL, &cursor, &error);
  g_assert_no_error (error);
  g_assert_nonnull (results);
  g_assert_cmpuint (results->len, ==, ops->len);
  g_assert_cmpint (cursor, ==, allset_store_cursor (f->store, account->id));
  return results;
}

AllsetOpResult *
result_at (GPtrArray *results,
           guint      i)
{
  return g_ptr_array_index (results, i);
}

/* Commits one op and returns the new revision; it must succeed. */
gint64
commit_one (Fixture       *f,
            AllsetAccount *account,
            AllsetOp      *op)
{
  g_autoptr(GPtrArray) results = commit (f, account, op, NULL);

  g_assert_cmpuint (result_at (results, 0)->status, ==, 200);
  return result_at (results, 0)->revision;
}

void
assert_refused (AllsetOpResult  *result,
                guint            status,
                AllsetErrorCode  code,
                gint64           current_revision)
{
  g_assert_cmpuint (result->status, ==, status);
  g_assert_cmpint (result->error_code, ==, code);
  g_assert_nonnull (result->error_message);
  g_assert_cmpint (result->current_revision, ==, current_revision);
}

void
assert_missing (Fixture    *f,
                gint64      account_id,
                const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetNode) node = allset_store_get_file (f->store, account_id, path, 0, &error);

  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND);
  g_assert_null (node);
}

AllsetNode *
get_file (Fixture    *f,
          gint64      account_id,
          const char *path)
{
  g_autoptr(GError) error = NULL;
  AllsetNode *node = allset_store_get_file (f->store, account_id, path, 0, &error);

  g_assert_no_error (error);
  return node;
}

char *
hex_of (const char *content)
{
  AllsetHash id, file_id;

  allset_sha256 (content, strlen (content), &id);
  allset_file_id (&id, 1, &file_id);
  return allset_hash_to_hex (&file_id);
}

guint
count_rows (Fixture    *f,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint n;

  g_assert_cmpint (sqlite3_open_v2 (f->db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* The usage counter kept by every write equals the sum it stands for. */
void
assert_usage_consistent (Fixture       *f,
                         AllsetAccount *account)
{
  g_autofree char *sql = g_strdup_printf ("SELECT coalesce (sum (size), 0) FROM nodes "
                                          "WHERE account_id = %" G_GINT64_FORMAT
                                          " AND type = %d", account->id, ALLSET_NODE_FILE);

  g_assert_cmpuint (count_rows (f, sql), ==, allset_store_account_usage (f->store, account->id));
}

void
assert_packs_collect (Fixture          *f,
                      AllsetChunkStore *chunks,
                      gint64            now,
                      guint             removed,
                      guint             compacted)
{
  g_autoptr(GError) error = NULL;
  AllsetPackCollectStats stats;

  g_assert_true (allset_packs_collect (f->store, chunks, now, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.removed, ==, removed);
  g_assert_cmpuint (stats.compacted, ==, compacted);
}

AllsetChunkStore *
fixture_chunk_store (Fixture  *f,
                     char    **dir)
{
  g_autoptr(GError) error = NULL;
  AllsetChunkStore *chunks;

  *dir = g_build_filename (f->dir, "chunks", NULL);
  chunks = allset_chunk_store_fs_new (*dir, &error);
  g_assert_no_error (error);
  return chunks;
}
