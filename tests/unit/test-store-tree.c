/* test-store-tree.c — the metadata store's tree: commits, conflicts,
 * moves, quota, signed batches and the change feed (docs/protocol.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <sqlite3.h>

#include "store-fixture.h"

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
  return allset_store_commit (f->store, account, ops, signer, NULL, cursor, error);
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

/* A batch's receipts share one signature over a Merkle tree of them, in
 * result order (receipts v2); every one verifies alone and is stored so
 * that it reads back identical. */
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
  results = allset_store_commit (f->store, f->alice, ops, signer, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result_at (results, 100)->status, ==, 409);
  g_assert_null (result_at (results, 100)->receipt);
  for (guint i = 0; i < 100; i++)
    {
      AllsetOpResult *r = result_at (results, i);
      g_autoptr(AllsetNode) node = NULL;
      g_autoptr(JsonNode) signed_json = NULL;
      g_autoptr(JsonNode) stored_json = NULL;
      g_autofree char *signed_text = NULL;
      g_autofree char *stored_text = NULL;

      g_assert_true (allset_receipt_verify (r->receipt, public_key, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (r->receipt->signature, ==, result_at (results, 0)->receipt->signature);
      g_assert_cmpstr (r->receipt->batch_root, ==, result_at (results, 0)->receipt->batch_root);
      g_assert_cmpuint (r->receipt->batch_size, ==, 100);
      g_assert_cmpuint (r->receipt->batch_index, ==, i);

      node = get_file (f, f->alice->id, r->receipt->path);
      signed_json = allset_receipt_to_json (r->receipt);
      stored_json = allset_receipt_to_json (node->receipt);
      signed_text = allset_json_to_string (signed_json);
      stored_text = allset_json_to_string (stored_json);
      g_assert_cmpstr (stored_text, ==, signed_text);
      g_assert_true (allset_receipt_verify (node->receipt, public_key, &error));
      g_assert_no_error (error);
    }

  /* A batch that fails as a whole stores nothing. */
  allset_store_account_set_quota (f->store, f->alice->id, 1, &error);
  g_ptr_array_set_size (ops, 0);
  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *path = g_strdup_printf ("more/f%u", i);
      g_ptr_array_add (ops, op_put (path, 0, "same"));
    }
  g_clear_pointer (&results, g_ptr_array_unref);
  results = allset_store_commit (f->store, f->alice, ops, signer, NULL, NULL, &error);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_QUOTA_EXCEEDED);
  g_assert_null (results);
}

/* Version rows signed before receipts v2 have no batch columns: they are
 * handed out as the v1 receipts they were. */
static void
test_v1_row (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(AllsetSigner) signer = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(AllsetNode) node = NULL;
  g_autoptr(AllsetReceipt) v1 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = g_build_filename (f->dir, "receipt.pem", NULL);
  g_autofree char *sql = NULL;
  sqlite3 *db = NULL;

  signer = allset_signer_load_or_create (key, &error);
  g_assert_no_error (error);
  chunk (f, f->alice, "old");
  results = commit_raw (f, f->alice, NULL, NULL, &error, op_put ("old.txt", 0, "old"), NULL);
  g_assert_no_error (error);

  /* What a server before receipts v2 wrote: key_id and a signature over
   * the receipt's own text. */
  v1 = allset_receipt_copy (result_at (results, 0)->receipt);
  g_assert_true (allset_signer_sign (signer, v1, &error));
  g_assert_no_error (error);
  sql = g_strdup_printf ("UPDATE versions SET key_id = '%s', signature = '%s'",
                         v1->key_id, v1->signature);
  g_assert_cmpint (sqlite3_open (f->db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  node = get_file (f, f->alice->id, "old.txt");
  g_assert_null (node->receipt->batch_root);
  g_assert_cmpstr (node->receipt->signature, ==, v1->signature);
  g_assert_true (allset_receipt_verify (node->receipt, allset_signer_get_public_key (signer), &error));
  g_assert_no_error (error);
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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/store/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

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
  ADD ("commit/v1-receipt-row", test_v1_row);
  ADD ("changes", test_changes);

  return g_test_run ();
}
