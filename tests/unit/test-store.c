/* test-store.c — the metadata store's semantics (docs/protocol.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <signal.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "allset-store.h"

#define DAY (24 * 60 * 60)

typedef struct
{
  char          *dir;
  char          *db_path;
  AllsetStore   *store;
  AllsetAccount *alice;
  AllsetAccount *bob;
} Fixture;

static void
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

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  g_clear_object (&f->store);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_clear_pointer (&f->alice, allset_account_free);
  g_clear_pointer (&f->bob, allset_account_free);
  g_free (f->db_path);
  g_free (f->dir);
}

/* Registers content as an inline chunk of the account and returns its id. */
static AllsetHash
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

static AllsetOp *
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
static AllsetOp *
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

static AllsetOp *
op_move (const char *path,
         const char *to,
         gint64      base)
{
  AllsetOp *op = op_new (ALLSET_OP_MOVE, path, base);

  op->to = g_strdup (to);
  return op;
}

/* Commits the NULL-terminated ops; the batch itself must succeed. */
static GPtrArray *
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

  results = allset_store_commit (f->store, account, ops, NULL, &cursor, &error);
  g_assert_no_error (error);
  g_assert_nonnull (results);
  g_assert_cmpuint (results->len, ==, ops->len);
  g_assert_cmpint (cursor, ==, allset_store_cursor (f->store, account->id));
  return results;
}

static AllsetOpResult *
result_at (GPtrArray *results,
           guint      i)
{
  return g_ptr_array_index (results, i);
}

/* Commits one op and returns the new revision; it must succeed. */
static gint64
commit_one (Fixture       *f,
            AllsetAccount *account,
            AllsetOp      *op)
{
  g_autoptr(GPtrArray) results = commit (f, account, op, NULL);

  g_assert_cmpuint (result_at (results, 0)->status, ==, 200);
  return result_at (results, 0)->revision;
}

static void
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

static void
assert_missing (Fixture    *f,
                gint64      account_id,
                const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetNode) node = allset_store_get_file (f->store, account_id, path, 0, &error);

  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND);
  g_assert_null (node);
}

static AllsetNode *
get_file (Fixture    *f,
          gint64      account_id,
          const char *path)
{
  g_autoptr(GError) error = NULL;
  AllsetNode *node = allset_store_get_file (f->store, account_id, path, 0, &error);

  g_assert_no_error (error);
  return node;
}

static char *
hex_of (const char *content)
{
  AllsetHash id, file_id;

  allset_sha256 (content, strlen (content), &id);
  allset_file_id (&id, 1, &file_id);
  return allset_hash_to_hex (&file_id);
}

static guint
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
static void
assert_usage_consistent (Fixture       *f,
                         AllsetAccount *account)
{
  g_autofree char *sql = g_strdup_printf ("SELECT coalesce (sum (size), 0) FROM nodes "
                                          "WHERE account_id = %" G_GINT64_FORMAT
                                          " AND type = %d", account->id, ALLSET_NODE_FILE);

  g_assert_cmpuint (count_rows (f, sql), ==, allset_store_account_usage (f->store, account->id));
}

/* ─── Opening, settings, accounts, devices ────────────────────────── */

static void
test_open_reopen (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetStore) second = NULL;
  g_autoptr(AllsetNode) node = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  chunk (f, f->alice, "hello");
  commit_one (f, f->alice, op_put ("a.txt", 0, "hello"));

  /* A second connection on the same file (the admin command) migrates
   * nothing and sees the data. */
  second = allset_store_open (f->db_path, &error);
  g_assert_no_error (error);
  node = allset_store_get_file (second, f->alice->id, "a.txt", 0, &error);
  g_assert_no_error (error);
  g_clear_object (&second);
  g_clear_pointer (&node, allset_node_free);

  g_clear_object (&f->store);
  f->store = allset_store_open (f->db_path, &error);
  g_assert_no_error (error);
  node = get_file (f, f->alice->id, "a.txt");
  g_assert_cmpuint (node->size, ==, 5);
  g_assert_cmpint (allset_store_cursor (f->store, f->alice->id), ==, 1);
  g_assert_cmpuint (allset_store_account_usage (f->store, f->alice->id), ==, 5);

  g_assert_cmpint (sqlite3_open_v2 (f->db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpuint (count_rows (f, "PRAGMA user_version"), ==, 1);
}

static void
test_settings (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  g_assert_null (allset_store_setting_get (f->store, "maintenance"));
  allset_store_setting_set (f->store, "maintenance", "on", &error);
  g_assert_no_error (error);
  allset_store_setting_set (f->store, "maintenance", "off", &error);
  g_assert_no_error (error);
  value = allset_store_setting_get (f->store, "maintenance");
  g_assert_cmpstr (value, ==, "off");
  allset_store_setting_set (f->store, "maintenance", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (allset_store_setting_get (f->store, "maintenance"));
}

static void
test_accounts (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetAccount) account = NULL;
  g_autoptr(GPtrArray) list = NULL;

  g_assert_cmpint (allset_store_account_add (f->store, "alice", NULL, NULL, 0, "x", &error), ==, 0);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_CONFLICT);
  g_clear_error (&error);

  account = allset_store_account_lookup (f->store, "alice", &error);
  g_assert_no_error (error);
  g_assert_cmpint (account->id, ==, f->alice->id);
  g_assert_cmpstr (account->email, ==, "alice@example.fr");
  g_assert_cmpstr (account->password_hash, ==, "hash-a");
  g_assert_false (account->suspended);
  g_assert_cmpint (account->created_at, >, 0);
  g_clear_pointer (&account, allset_account_free);

  g_assert_null (allset_store_account_lookup (f->store, "carol", &error));
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (allset_store_account_set_password (f->store, f->alice->id, "hash-2", &error));
  g_assert_true (allset_store_account_set_suspended (f->store, f->alice->id, TRUE, &error));
  g_assert_true (allset_store_account_set_quota (f->store, f->alice->id, 1000, &error));
  g_assert_no_error (error);
  account = allset_store_account_get (f->store, f->alice->id, &error);
  g_assert_cmpstr (account->password_hash, ==, "hash-2");
  g_assert_true (account->suspended);
  g_assert_cmpuint (account->quota, ==, 1000);

  g_assert_false (allset_store_account_set_quota (f->store, 9999, 1, &error));
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND);
  g_clear_error (&error);

  list = allset_store_account_list (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (((AllsetAccount *) list->pdata[0])->username, ==, "alice");
}

static void
test_devices (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetDevice) device = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *laptop = NULL;
  g_autofree char *phone = NULL;
  g_autofree char *bobs = NULL;
  AllsetHash t1, t2, t3, t4;
  gint64 seen;

  allset_sha256 ("t1", 2, &t1);
  allset_sha256 ("t2", 2, &t2);
  allset_sha256 ("t3", 2, &t3);
  allset_sha256 ("t4", 2, &t4);
  laptop = allset_store_device_add (f->store, f->alice->id, "laptop", &t1, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (laptop), ==, 16);
  phone = allset_store_device_add (f->store, f->alice->id, "phone", &t2, 12345, &error);
  bobs = allset_store_device_add (f->store, f->bob->id, "desk", &t3, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (laptop, !=, phone);

  device = allset_store_device_by_token (f->store, &t2);
  g_assert_cmpstr (device->device_id, ==, phone);
  g_assert_cmpint (device->account_id, ==, f->alice->id);
  g_assert_cmpstr (device->name, ==, "phone");
  g_assert_cmpint (device->expires_at, ==, 12345);
  g_assert_false (device->revoked);
  seen = device->last_seen_at;
  g_clear_pointer (&device, allset_device_free);
  g_assert_null (allset_store_device_by_token (f->store, &t4));

  /* Rate-limited: within a minute nothing moves, after it does. */
  allset_store_device_touch (f->store, phone, seen + 30);
  device = allset_store_device_by_token (f->store, &t2);
  g_assert_cmpint (device->last_seen_at, ==, seen);
  g_clear_pointer (&device, allset_device_free);
  allset_store_device_touch (f->store, phone, seen + 61);
  device = allset_store_device_by_token (f->store, &t2);
  g_assert_cmpint (device->last_seen_at, ==, seen + 61);
  g_clear_pointer (&device, allset_device_free);

  /* Bob cannot revoke Alice's device. */
  g_assert_false (allset_store_device_revoke (f->store, f->bob->id, phone));
  g_assert_true (allset_store_device_revoke (f->store, f->alice->id, phone));
  g_assert_false (allset_store_device_revoke (f->store, f->alice->id, phone));
  device = allset_store_device_by_token (f->store, &t2);
  g_assert_true (device->revoked);

  list = allset_store_device_list (f->store, f->alice->id);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((AllsetDevice *) list->pdata[0])->device_id, ==, laptop);

  g_assert_cmpuint (allset_store_device_revoke_all (f->store, f->alice->id), ==, 1);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = allset_store_device_list (f->store, f->alice->id);
  g_assert_cmpuint (list->len, ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = allset_store_device_list (f->store, f->bob->id);
  g_assert_cmpuint (list->len, ==, 1);
}

static void
test_chunks (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GArray) missing = NULL;
  AllsetInlineChunk pack[2];
  AllsetHash ids[4];
  guint32 size = 0;

  ids[0] = chunk (f, f->alice, "one");
  allset_sha256 ("two", 3, &ids[1]);
  allset_sha256 ("big", 3, &ids[2]);
  allset_sha256 ("three", 5, &ids[3]);

  /* File-backed: no bytes in the database. */
  allset_store_chunk_add (f->store, f->alice->id, &ids[2], 3 << 20, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (allset_store_chunk_get (f->store, f->alice->id, &ids[2], &size, &bytes));
  g_assert_cmpuint (size, ==, 3 << 20);
  g_assert_null (bytes);

  pack[0].id = ids[1];
  pack[0].data = g_bytes_new_static ("two", 3);
  pack[1].id = ids[3];
  pack[1].data = g_bytes_new_static ("three", 5);
  allset_store_chunks_add_inline (f->store, f->alice->id, pack, 2, &error);
  g_assert_no_error (error);
  g_bytes_unref (pack[0].data);
  g_bytes_unref (pack[1].data);

  g_assert_true (allset_store_chunk_get (f->store, f->alice->id, &ids[3], &size, &bytes));
  g_assert_cmpuint (size, ==, 5);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "three", 5);

  missing = allset_store_chunks_missing (f->store, f->alice->id, ids, 4);
  g_assert_cmpuint (missing->len, ==, 0);
  g_clear_pointer (&missing, g_array_unref);

  /* Partitioning: Bob holds none of them and cannot read them. */
  missing = allset_store_chunks_missing (f->store, f->bob->id, ids, 4);
  g_assert_cmpuint (missing->len, ==, 4);
  g_assert_cmpuint (g_array_index (missing, guint, 3), ==, 3);
  g_assert_false (allset_store_chunk_has (f->store, f->bob->id, &ids[0]));
  g_assert_true (allset_store_chunk_has (f->store, f->alice->id, &ids[0]));
  g_assert_false (allset_store_chunk_get (f->store, f->bob->id, &ids[0], &size, NULL));
  g_clear_pointer (&missing, g_array_unref);

  chunk (f, f->bob, "two");
  missing = allset_store_chunks_missing (f->store, f->bob->id, ids, 4);
  g_assert_cmpuint (missing->len, ==, 3);
  g_assert_cmpuint (g_array_index (missing, guint, 0), ==, 0);
  g_assert_cmpuint (g_array_index (missing, guint, 1), ==, 2);
}

/* ─── The tree ─────────────────────────────────────────────────────── */

static GPtrArray *
commit_raw (Fixture       *f,
            AllsetAccount *account,
            AllsetSigner  *signer,
            gint64        *cursor,
            GError       **error,
            ...)
{
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_op_free);
  AllsetOp *op;
  va_list args;

  va_start (args, error);
  while ((op = va_arg (args, AllsetOp *)) != NULL)
    g_ptr_array_add (ops, op);
  va_end (args);
  return allset_store_commit (f->store, account, ops, signer, cursor, error);
}

static void
test_put (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(AllsetNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hex = hex_of ("hello");
  g_autofree char *empty = NULL;
  AllsetOpResult *r;
  AllsetNode *entry;
  AllsetOp *op;
  AllsetHash none;

  chunk (f, f->alice, "hello");
  chunk (f, f->alice, "world!");
  results = commit (f, f->alice, op_put ("Docs/Sub/a.txt", 0, "hello"), NULL);
  r = result_at (results, 0);
  /* Docs is seq 1, Docs/Sub seq 2, the file seq 3. */
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpint (r->revision, ==, 3);
  g_assert_cmpstr (r->file_id, ==, hex);
  g_assert_cmpstr (r->receipt->account, ==, "alice");
  g_assert_cmpstr (r->receipt->path, ==, "Docs/Sub/a.txt");
  g_assert_cmpint (r->receipt->revision, ==, 3);
  g_assert_cmpstr (r->receipt->file_id, ==, hex);
  g_assert_cmpuint (r->receipt->size, ==, 5);
  g_assert_null (r->receipt->signature);

  node = get_file (f, f->alice->id, "Docs/Sub/a.txt");
  g_assert_cmpstr (node->name, ==, "a.txt");
  g_assert_cmpint (node->type, ==, ALLSET_NODE_FILE);
  g_assert_cmpint (node->revision, ==, 3);
  g_assert_cmpint (node->mtime, ==, 1764160000);
  g_assert_cmpuint (node->chunks->len, ==, 1);
  g_assert_cmpuint (g_array_index (node->chunks, AllsetChunkRef, 0).size, ==, 5);
  g_assert_cmpstr (node->receipt->time, ==, r->receipt->time);
  g_assert_cmpstr (node->receipt->path, ==, r->receipt->path);
  g_clear_pointer (&node, allset_node_free);

  list = allset_store_list (f->store, f->alice->id, "", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  entry = list->pdata[0];
  g_assert_cmpstr (entry->name, ==, "Docs");
  g_assert_cmpint (entry->type, ==, ALLSET_NODE_DIR);
  g_assert_cmpint (entry->revision, ==, 1);
  g_assert_null (entry->file_id);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = allset_store_list (f->store, f->alice->id, "Docs/Sub", &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((AllsetNode *) list->pdata[0])->file_id, ==, hex);

  /* An update replaces the live content and the usage. */
  g_assert_cmpint (commit_one (f, f->alice, op_put ("Docs/Sub/a.txt", 3, "world!")), ==, 4);
  g_assert_cmpuint (allset_store_account_usage (f->store, f->alice->id), ==, 6);

  /* The empty file has no chunks; its id is SHA-256 of nothing. */
  op = op_new (ALLSET_OP_PUT, "empty", 0);
  g_clear_pointer (&results, g_ptr_array_unref);
  results = commit (f, f->alice, op, NULL);
  allset_sha256 ("", 0, &none);
  empty = allset_hash_to_hex (&none);
  g_assert_cmpstr (result_at (results, 0)->file_id, ==, empty);
  node = get_file (f, f->alice->id, "empty");
  g_assert_cmpuint (node->chunks->len, ==, 0);

  /* mkdir of a directory the client knows is a no-op; the root is off limits. */
  g_clear_pointer (&results, g_ptr_array_unref);
  results = commit (f, f->alice, op_new (ALLSET_OP_MKDIR, "Docs", 1),
                    op_new (ALLSET_OP_DELETE, "", 0), NULL);
  g_assert_cmpint (result_at (results, 0)->revision, ==, 1);
  assert_refused (result_at (results, 1), 400, ALLSET_ERROR_BAD_REQUEST, 0);
  g_assert_cmpint (allset_store_cursor (f->store, f->alice->id), ==, 5);
}

static void
test_conflicts (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(AllsetNode) node = NULL;
  g_autofree char *hex = hex_of ("b");

  chunk (f, f->alice, "a");
  chunk (f, f->alice, "b");
  commit_one (f, f->alice, op_put ("a.txt", 0, "a"));

  /* Each refused op changes nothing; the others apply, in order. */
  results = commit (f, f->alice,
                    op_put ("a.txt", 0, "b"),
                    op_put ("b.txt", 0, "b"),
                    op_put ("a.txt", 1, "b"),
                    op_new (ALLSET_OP_MKDIR, "a.txt", 0),
                    op_new (ALLSET_OP_DELETE, "nope.txt", 4),
                    op_put ("new.txt", 7, "a"),
                    op_move ("b.txt", "c.txt", 1),
                    op_new (ALLSET_OP_MKDIR, "D", 0),
                    op_put ("D", 4, "a"),
                    NULL);
  assert_refused (result_at (results, 0), 409, ALLSET_ERROR_CONFLICT, 1);
  g_assert_cmpint (result_at (results, 1)->revision, ==, 2);
  g_assert_cmpint (result_at (results, 2)->revision, ==, 3);
  assert_refused (result_at (results, 3), 409, ALLSET_ERROR_CONFLICT, 3);
  assert_refused (result_at (results, 4), 409, ALLSET_ERROR_CONFLICT, 0);
  assert_refused (result_at (results, 5), 409, ALLSET_ERROR_CONFLICT, 0);
  assert_refused (result_at (results, 6), 409, ALLSET_ERROR_CONFLICT, 2);
  g_assert_cmpint (result_at (results, 7)->revision, ==, 4);
  assert_refused (result_at (results, 8), 409, ALLSET_ERROR_CONFLICT, 4);

  node = get_file (f, f->alice->id, "a.txt");
  g_assert_cmpstr (node->file_id, ==, hex);
  g_clear_pointer (&node, allset_node_free);
  node = get_file (f, f->alice->id, "b.txt");
  assert_missing (f, f->alice->id, "new.txt");
  assert_missing (f, f->alice->id, "c.txt");
  g_assert_cmpint (allset_store_cursor (f->store, f->alice->id), ==, 4);
  g_assert_cmpuint (allset_store_account_usage (f->store, f->alice->id), ==, 2);
}

static void
test_case_conflict (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(AllsetNode) node = NULL;
  g_autoptr(GError) error = NULL;

  chunk (f, f->alice, "x");
  commit_one (f, f->alice, op_put ("Readme.md", 0, "x"));
  results = commit (f, f->alice,
                    op_put ("README.md", 0, "x"),
                    op_new (ALLSET_OP_MKDIR, "Docs", 0),
                    op_new (ALLSET_OP_MKDIR, "docs", 0),
                    op_put ("DOCS/x.txt", 0, "x"),
                    op_put ("Docs/x.txt", 0, "x"),
                    op_put ("Docs/X.TXT", 0, "x"),
                    op_put ("Éte/a", 0, "x"),
                    op_put ("éTE/b", 0, "x"),
                    NULL);
  assert_refused (result_at (results, 0), 409, ALLSET_ERROR_CASE_CONFLICT, 0);
  g_assert_cmpuint (result_at (results, 1)->status, ==, 200);
  assert_refused (result_at (results, 2), 409, ALLSET_ERROR_CASE_CONFLICT, 0);
  assert_refused (result_at (results, 3), 409, ALLSET_ERROR_CASE_CONFLICT, 0);
  g_assert_cmpuint (result_at (results, 4)->status, ==, 200);
  assert_refused (result_at (results, 5), 409, ALLSET_ERROR_CASE_CONFLICT, 0);
  g_assert_cmpuint (result_at (results, 6)->status, ==, 200);
  assert_refused (result_at (results, 7), 409, ALLSET_ERROR_CASE_CONFLICT, 0);

  list = allset_store_list (f->store, f->alice->id, "", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 3);

  /* A case-only rename is not a conflict with itself. */
  g_assert_cmpint (commit_one (f, f->alice, op_move ("Readme.md", "README.md", 1)), >, 1);
  g_assert_cmpint (commit_one (f, f->alice, op_move ("Docs", "docs", 2)), >, 1);
  node = get_file (f, f->alice->id, "README.md");
  g_clear_pointer (&node, allset_node_free);
  node = get_file (f, f->alice->id, "docs/x.txt");
  assert_missing (f, f->alice->id, "Readme.md");
}

static void
test_not_a_directory (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;

  chunk (f, f->alice, "x");
  commit_one (f, f->alice, op_put ("a.txt", 0, "x"));
  results = commit (f, f->alice,
                    op_put ("a.txt/b.txt", 0, "x"),
                    op_new (ALLSET_OP_MKDIR, "a.txt/sub/deeper", 0),
                    op_new (ALLSET_OP_MKDIR, "dir", 0),
                    op_move ("dir", "a.txt/dir", 2),
                    NULL);
  assert_refused (result_at (results, 0), 409, ALLSET_ERROR_NOT_A_DIRECTORY, 0);
  assert_refused (result_at (results, 1), 409, ALLSET_ERROR_NOT_A_DIRECTORY, 0);
  g_assert_cmpint (result_at (results, 2)->revision, ==, 2);
  assert_refused (result_at (results, 3), 409, ALLSET_ERROR_NOT_A_DIRECTORY, 0);

  g_assert_null (allset_store_list (f->store, f->alice->id, "a.txt", &error));
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_A_DIRECTORY);
  g_clear_error (&error);
  g_assert_null (allset_store_list (f->store, f->alice->id, "nope", &error));
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND);
  g_clear_error (&error);
  list = allset_store_list (f->store, f->alice->id, "dir", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 0);
  /* A directory is not a file. */
  assert_missing (f, f->alice->id, "dir");
}

static void
test_unknown_chunk (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) results = NULL;
  AllsetOp *bad_size;

  chunk (f, f->bob, "secret");
  chunk (f, f->alice, "mine");
  bad_size = op_put ("bad.txt", 0, "mine");
  bad_size->size = 99;
  results = commit (f, f->alice,
                    op_put ("s.txt", 0, "secret"),
                    op_put ("m.txt", 0, "mine"),
                    bad_size,
                    NULL);
  assert_refused (result_at (results, 0), 422, ALLSET_ERROR_UNKNOWN_CHUNK, 0);
  g_assert_cmpuint (result_at (results, 1)->status, ==, 200);
  assert_refused (result_at (results, 2), 400, ALLSET_ERROR_BAD_REQUEST, 0);
  assert_missing (f, f->alice->id, "s.txt");
  assert_missing (f, f->alice->id, "bad.txt");
}

static void
test_quota (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  gint64 cursor = -1;

  allset_store_account_set_quota (f->store, f->alice->id, 10, &error);
  g_assert_no_error (error);
  chunk (f, f->alice, "12345678");
  chunk (f, f->alice, "x");
  chunk (f, f->alice, "12345");
  commit_one (f, f->alice, op_put ("a", 0, "12345678"));

  /* The whole batch goes, including the op that alone would fit. */
  results = commit_raw (f, f->alice, NULL, &cursor, &error,
                        op_put ("b", 0, "x"), op_put ("c", 0, "12345"), NULL);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_QUOTA_EXCEEDED);
  g_assert_null (results);
  g_clear_error (&error);
  g_assert_cmpint (cursor, ==, -1);
  g_assert_cmpint (allset_store_cursor (f->store, f->alice->id), ==, 1);
  g_assert_cmpuint (allset_store_account_usage (f->store, f->alice->id), ==, 8);
  assert_missing (f, f->alice->id, "b");
  g_assert_cmpuint (count_rows (f, "SELECT count(*) FROM versions"), ==, 1);

  /* Over a lowered quota an account can still shrink. */
  allset_store_account_set_quota (f->store, f->alice->id, 5, &error);
  results = commit_raw (f, f->alice, NULL, &cursor, &error,
                        op_put ("a", 1, "12345"), NULL);
  g_assert_no_error (error);
  g_assert_cmpint (cursor, ==, 2);
  g_assert_cmpuint (allset_store_account_usage (f->store, f->alice->id), ==, 5);
  g_clear_pointer (&results, g_ptr_array_unref);
  results = commit_raw (f, f->alice, NULL, &cursor, &error, op_put ("b", 0, "x"), NULL);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_QUOTA_EXCEEDED);
}

static void
test_move_accented (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(AllsetNode) node = NULL;
  g_autoptr(GPtrArray) versions = NULL;
  g_autoptr(GError) error = NULL;

  /* Paths are rewritten with SQL substr(), which counts characters: a
   * byte count would cut "Été/Sub/b.txt" in the wrong place. */
  chunk (f, f->alice, "b");
  results = commit (f, f->alice, op_put ("Été/Sub/b.txt", 0, "b"), NULL);
  g_clear_pointer (&results, g_ptr_array_unref);
  results = commit (f, f->alice, op_move ("Été", "Hiver", 1), NULL);
  g_assert_cmpuint (result_at (results, 0)->status, ==, 200);

  node = get_file (f, f->alice->id, "Hiver/Sub/b.txt");
  g_assert_cmpstr (node->path, ==, "Hiver/Sub/b.txt");
  versions = allset_store_versions (f->store, f->alice->id, "Hiver/Sub/b.txt", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (versions->len, ==, 1);
  assert_missing (f, f->alice->id, "Été/Sub/b.txt");
}

static void
test_move (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) versions = NULL;
  g_autoptr(AllsetNode) node = NULL;
  g_autoptr(GError) error = NULL;
  gint64 c;

  chunk (f, f->alice, "a");
  chunk (f, f->alice, "b");
  /* Docs 1, a.txt 2, Sub 3, b.txt 4 */
  g_clear_pointer (&results, g_ptr_array_unref);
  results = commit (f, f->alice, op_put ("Docs/a.txt", 0, "a"),
                    op_put ("Docs/Sub/b.txt", 0, "b"), NULL);
  g_clear_pointer (&results, g_ptr_array_unref);
  /* Archive 5, Archive/2025 6, the move 7 */
  results = commit (f, f->alice, op_move ("Docs", "Archive/2025/Docs", 1), NULL);
  g_assert_cmpint (result_at (results, 0)->revision, ==, 7);

  node = get_file (f, f->alice->id, "Archive/2025/Docs/Sub/b.txt");
  g_assert_cmpint (node->revision, ==, 4);
  g_assert_cmpstr (node->receipt->path, ==, "Docs/Sub/b.txt");
  assert_missing (f, f->alice->id, "Docs/a.txt");
  list = allset_store_list (f->store, f->alice->id, "", &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = allset_store_list (f->store, f->alice->id, "Archive/2025/Docs", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (((AllsetNode *) list->pdata[0])->path, ==, "Archive/2025/Docs/Sub");
  g_assert_cmpint (((AllsetNode *) list->pdata[0])->revision, ==, 3);
  g_assert_cmpstr (((AllsetNode *) list->pdata[1])->path, ==, "Archive/2025/Docs/a.txt");
  versions = allset_store_versions (f->store, f->alice->id, "Archive/2025/Docs/a.txt", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (versions->len, ==, 1);

  c = commit_one (f, f->alice, op_put ("c.txt", 0, "a"));
  g_clear_pointer (&results, g_ptr_array_unref);
  results = commit (f, f->alice,
                    op_move ("Archive", "Archive/2025/x", 5),
                    op_move ("c.txt", "Archive", c),
                    op_move ("c.txt", "d.txt", 1),
                    op_move ("gone.txt", "d.txt", 1),
                    op_move ("c.txt", "", c),
                    op_move ("c.txt", "New/c.txt", c),
                    NULL);
  assert_refused (result_at (results, 0), 400, ALLSET_ERROR_BAD_REQUEST, 5);
  assert_refused (result_at (results, 1), 409, ALLSET_ERROR_CONFLICT, c);
  assert_refused (result_at (results, 2), 409, ALLSET_ERROR_CONFLICT, c);
  assert_refused (result_at (results, 3), 409, ALLSET_ERROR_CONFLICT, 0);
  assert_refused (result_at (results, 4), 400, ALLSET_ERROR_BAD_REQUEST, 0);
  g_assert_cmpint (result_at (results, 5)->revision, ==, c + 2);
  g_clear_pointer (&node, allset_node_free);
  node = get_file (f, f->alice->id, "New/c.txt");
  g_assert_cmpint (node->revision, ==, c + 2);
  g_assert_cmpuint (allset_store_account_usage (f->store, f->alice->id), ==, 3);  assert_usage_consistent (f, f->alice);
}

static void
test_signed (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(AllsetSigner) signer = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(AllsetNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = g_build_filename (f->dir, "receipt.pem", NULL);
  AllsetReceipt *receipt;

  signer = allset_signer_load_or_create (key, &error);
  g_assert_no_error (error);
  chunk (f, f->alice, "signed");
  results = commit_raw (f, f->alice, signer, NULL, &error, op_put ("s", 0, "signed"), NULL);
  g_assert_no_error (error);
  receipt = result_at (results, 0)->receipt;
  g_assert_cmpstr (receipt->key_id, ==, allset_signer_get_key_id (signer));
  g_assert_true (allset_receipt_verify (receipt, allset_signer_get_public_key (signer), &error));
  g_assert_no_error (error);

  /* The receipt read back later is the one that was signed. */
  node = get_file (f, f->alice->id, "s");
  g_assert_cmpstr (node->receipt->signature, ==, receipt->signature);
  g_assert_true (allset_receipt_verify (node->receipt, allset_signer_get_public_key (signer), &error));
  g_assert_no_error (error);
}

/* Large batches sign on a second thread; every receipt must still be
 * signed and stored. */
static void
test_signed_batch (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(AllsetSigner) signer = NULL;
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_op_free);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = g_build_filename (f->dir, "receipt.pem", NULL);
  const char *public_key;

  signer = allset_signer_load_or_create (key, &error);
  g_assert_no_error (error);
  public_key = allset_signer_get_public_key (signer);
  chunk (f, f->alice, "same");
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *path = g_strdup_printf ("dir%u/f%u", i % 7, i);
      g_ptr_array_add (ops, op_put (path, 0, "same"));
    }
  /* A refused op among them: nothing of it is signed or kept. */
  g_ptr_array_add (ops, op_put ("dir0/f0", 0, "same"));
  results = allset_store_commit (f->store, f->alice, ops, signer, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result_at (results, 100)->status, ==, 409);
  for (guint i = 0; i < 100; i++)
    {
      AllsetOpResult *r = result_at (results, i);
      g_autoptr(AllsetNode) node = NULL;

      g_assert_true (allset_receipt_verify (r->receipt, public_key, &error));
      g_assert_no_error (error);
      node = get_file (f, f->alice->id, r->receipt->path);
      g_assert_cmpstr (node->receipt->signature, ==, r->receipt->signature);
    }

  /* A batch that fails as a whole leaves no worker behind. */
  allset_store_account_set_quota (f->store, f->alice->id, 1, &error);
  g_ptr_array_set_size (ops, 0);
  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *path = g_strdup_printf ("more/f%u", i);
      g_ptr_array_add (ops, op_put (path, 0, "same"));
    }
  g_clear_pointer (&results, g_ptr_array_unref);
  results = allset_store_commit (f->store, f->alice, ops, signer, NULL, &error);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_QUOTA_EXCEEDED);
  g_assert_null (results);
}

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
test_changes (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hex = hex_of ("a");
  const AllsetOpKind ops[] = { ALLSET_OP_PUT, ALLSET_OP_MKDIR, ALLSET_OP_MOVE, ALLSET_OP_DELETE };
  AllsetChange *change;
  gboolean has_more = FALSE;

  chunk (f, f->alice, "a");
  results = commit (f, f->alice, op_put ("a.txt", 0, "a"), op_new (ALLSET_OP_MKDIR, "D", 0),
                    op_move ("a.txt", "D/a.txt", 1), op_new (ALLSET_OP_DELETE, "D/a.txt", 3),
                    NULL);

  changes = allset_store_changes (f->store, f->alice->id, 0, 2, &has_more, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 2);
  g_assert_true (has_more);
  change = changes->pdata[0];
  g_assert_cmpint (change->seq, ==, 1);
  g_assert_cmpint (change->revision, ==, 1);
  g_assert_cmpstr (change->file_id, ==, hex);
  g_assert_cmpuint (change->size, ==, 1);
  g_assert_cmpint (change->mtime, ==, 1764160000);
  g_clear_pointer (&changes, g_ptr_array_unref);

  changes = allset_store_changes (f->store, f->alice->id, 2, 2, &has_more, &error);
  g_assert_cmpuint (changes->len, ==, 2);
  g_assert_false (has_more);
  change = changes->pdata[0];
  g_assert_cmpstr (change->path, ==, "a.txt");
  g_assert_cmpstr (change->to, ==, "D/a.txt");
  g_assert_null (change->file_id);
  g_clear_pointer (&changes, g_ptr_array_unref);

  changes = allset_store_changes (f->store, f->alice->id, 0, 0, &has_more, &error);
  for (guint i = 0; i < changes->len; i++)
    {
      change = changes->pdata[i];
      g_assert_cmpint (change->seq, ==, i + 1);
      g_assert_cmpint (change->op, ==, ops[i]);
    }
  g_clear_pointer (&changes, g_ptr_array_unref);
  changes = allset_store_changes (f->store, f->alice->id, 4, 10, &has_more, &error);
  g_assert_cmpuint (changes->len, ==, 0);
  g_assert_false (has_more);
  g_clear_pointer (&changes, g_ptr_array_unref);
  changes = allset_store_changes (f->store, f->bob->id, 0, 10, &has_more, &error);
  g_assert_cmpuint (changes->len, ==, 0);
  g_assert_cmpint (allset_store_cursor (f->store, f->bob->id), ==, 0);
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
  results = allset_store_commit (f->store, f->alice, ops, NULL, NULL, &error);
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
  results = allset_store_commit (f->store, f->alice, ops, NULL, NULL, &error);
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
      results = allset_store_commit (store, account, ops, NULL, NULL, &error);
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

  ADD ("open-reopen", test_open_reopen);
  ADD ("settings", test_settings);
  ADD ("accounts", test_accounts);
  ADD ("devices", test_devices);
  ADD ("chunks", test_chunks);
  ADD ("commit/put", test_put);
  ADD ("commit/per-op-conflicts", test_conflicts);
  ADD ("commit/case-conflict", test_case_conflict);
  ADD ("commit/not-a-directory", test_not_a_directory);
  ADD ("commit/unknown-chunk", test_unknown_chunk);
  ADD ("commit/quota", test_quota);
  ADD ("commit/move", test_move);
  ADD ("commit/move-accented", test_move_accented);
  ADD ("commit/signed", test_signed);
  ADD ("commit/signed-batch", test_signed_batch);
  ADD ("trash", test_trash);
  ADD ("versions", test_versions);
  ADD ("purge", test_purge);
  ADD ("collect", test_collect);
  ADD ("changes", test_changes);
  ADD ("partitioning", test_partitioning);
  ADD ("storage-full", test_storage_full);
  ADD ("killed", test_killed);
  ADD ("threads", test_threads);

  return g_test_run ();
}
