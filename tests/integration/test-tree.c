/* test-tree.c — commits, conflicts, names, files, receipts, listing, moves
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every case works under a directory of its own, so the cases do not
 * depend on their order.
 */

#include <string.h>

#include "allset-test-server.h"

static AllsetTestServer *server;
static char *alice;         /* token */
static char *receipt_key;   /* the server's public key */

static AllsetTestContent *
upload (gsize size)
{
  AllsetTestContent *content = allset_test_content_new (size, 100 * 1024);

  allset_test_upload (server, alice, content);
  return content;
}

static char *
escape (const char *text)
{
  return g_uri_escape_string (text, NULL, FALSE);
}

static AllsetTestResponse *
get_file (const char *path,
          gint64      revision)
{
  g_autofree char *escaped = escape (path);

  if (revision > 0)
    return allset_test_getf (server, alice, "/api/v1/file?path=%s&revision=%" G_GINT64_FORMAT,
                             escaped, revision);
  return allset_test_getf (server, alice, "/api/v1/file?path=%s", escaped);
}

static AllsetTestResponse *
list (const char *path)
{
  g_autofree char *escaped = escape (path);

  return allset_test_getf (server, alice, "/api/v1/list?path=%s", escaped);
}

/* The entry called name in a listing, or -1. */
static int
find_entry (AllsetTestResponse *r,
            const char         *name)
{
  guint n = allset_test_response_get_length (r, "entries");

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("entries.%u.name", i);

      if (g_str_equal (allset_test_response_get_string (r, path), name))
        return i;
    }
  return -1;
}

static const char *
entry_member (int         index,
              const char *member,
              char        buffer[64])
{
  g_snprintf (buffer, 64, "entries.%d.%s", index, member);
  return buffer;
}

static const char *
entry_string (AllsetTestResponse *r,
              int                 index,
              const char         *member)
{
  char path[64];

  return allset_test_response_get_string (r, entry_member (index, member, path));
}

static gint64
entry_int (AllsetTestResponse *r,
           int                 index,
           const char         *member)
{
  char path[64];

  return allset_test_response_get_int (r, entry_member (index, member, path));
}

static void
assert_result_ok (AllsetTestResponse *r,
                  guint               index)
{
  g_autofree char *status = g_strdup_printf ("results.%u.status", index);

  allset_test_assert_status (r, 200);
  if (allset_test_response_get_int (r, status) != 200)
    allset_test_assert_status_at (r, 9999, __FILE__, __LINE__);
}

static gint64
result_revision (AllsetTestResponse *r,
                 guint               index)
{
  g_autofree char *path = g_strdup_printf ("results.%u.revision", index);

  assert_result_ok (r, index);
  return allset_test_response_get_int (r, path);
}

static void
assert_result_error (AllsetTestResponse *r,
                     guint               index,
                     guint               status,
                     const char         *code)
{
  g_autofree char *status_path = g_strdup_printf ("results.%u.status", index);
  g_autofree char *code_path = g_strdup_printf ("results.%u.error.code", index);
  g_autofree char *message_path = g_strdup_printf ("results.%u.error.message", index);

  allset_test_assert_status (r, 200);
  g_assert_cmpint (allset_test_response_get_int (r, status_path), ==, status);
  g_assert_cmpstr (allset_test_response_get_string (r, code_path), ==, code);
  g_assert_cmpstr (allset_test_response_get_string (r, message_path), !=, "");
}

/* The live file at path has this content. */
static void
assert_file_is (const char        *path,
                AllsetTestContent *content)
{
  g_autoptr(AllsetTestResponse) r = get_file (path, 0);

  allset_test_assert_status (r, 200);
  g_assert_cmpstr (allset_test_response_get_string (r, "file_id"), ==, content->file_id);
  g_assert_cmpint (allset_test_response_get_int (r, "size"), ==, content->size);
}

static void
assert_absent (const char *path)
{
  g_autoptr(AllsetTestResponse) r = get_file (path, 0);

  allset_test_assert_error (r, 404, "not_found");
}

/* ------------------------------------------------------------------ */

static void
test_commit_basic (void)
{
  g_autoptr(AllsetTestContent) content = upload (250 * 1024);
  g_autoptr(AllsetTestContent) empty = allset_test_content_new (0, 1);
  g_autoptr(AllsetTestResponse) r = NULL, moved = NULL, deleted = NULL, listing = NULL, deep = NULL;
  gint64 cursor_before = allset_test_cursor (server, alice);
  gint64 dir_rev, file_rev, empty_rev, move_rev, delete_rev;
  AllsetHash empty_hash;
  g_autofree char *empty_id = NULL;

  r = allset_test_commit (server, alice,
                          allset_test_op_mkdir ("basic", 0),
                          allset_test_op_put ("basic/a.txt", 0, content),
                          allset_test_op_put ("basic/empty", 0, empty),
                          NULL);
  dir_rev = result_revision (r, 0);
  file_rev = result_revision (r, 1);
  empty_rev = result_revision (r, 2);
  g_assert_cmpint (dir_rev, >, cursor_before);
  g_assert_cmpint (file_rev, >, dir_rev);
  g_assert_cmpint (empty_rev, >, file_rev);
  g_assert_cmpint (allset_test_response_get_int (r, "cursor"), ==, empty_rev);
  g_assert_cmpint (allset_test_cursor (server, alice), ==, empty_rev);

  g_assert_false (allset_test_response_has (r, "results.0.file_id"));
  g_assert_cmpstr (allset_test_response_get_string (r, "results.1.file_id"), ==, content->file_id);
  allset_test_assert_receipt_valid (allset_test_response_get_node (r, "results.1.receipt"), receipt_key);

  /* The empty file has no chunks; its id is SHA-256 of nothing. */
  allset_sha256 ("", 0, &empty_hash);
  empty_id = allset_hash_to_hex (&empty_hash);
  g_assert_cmpstr (empty->file_id, ==, empty_id);
  g_assert_cmpstr (allset_test_response_get_string (r, "results.2.file_id"), ==, empty_id);
  assert_file_is ("basic/empty", empty);

  listing = list ("basic");
  allset_test_assert_status (listing, 200);
  g_assert_cmpuint (allset_test_response_get_length (listing, "entries"), ==, 2);
  g_assert_cmpint (find_entry (listing, "a.txt"), >=, 0);

  moved = allset_test_commit (server, alice, allset_test_op_move ("basic/a.txt", "basic/b.txt", file_rev), NULL);
  move_rev = result_revision (moved, 0);
  g_assert_cmpint (move_rev, >, empty_rev);
  assert_absent ("basic/a.txt");
  assert_file_is ("basic/b.txt", content);

  deleted = allset_test_commit (server, alice, allset_test_op_delete ("basic/b.txt", move_rev), NULL);
  delete_rev = result_revision (deleted, 0);
  g_assert_cmpint (delete_rev, >, move_rev);
  assert_absent ("basic/b.txt");

  /* put creates the missing parents. */
  deep = allset_test_commit (server, alice, allset_test_op_put ("basic/x/y/z.txt", 0, content), NULL);
  assert_result_ok (deep, 0);
  {
    g_autoptr(AllsetTestResponse) x = list ("basic/x");

    allset_test_assert_status (x, 200);
    g_assert_cmpstr (allset_test_response_get_string (x, "entries.0.name"), ==, "y");
    g_assert_cmpstr (allset_test_response_get_string (x, "entries.0.type"), ==, "dir");
  }
  assert_file_is ("basic/x/y/z.txt", content);
}

static void
test_conflict (void)
{
  g_autoptr(AllsetTestContent) v1 = upload (1000);
  g_autoptr(AllsetTestContent) v2 = upload (2000);
  g_autoptr(AllsetTestContent) v3 = upload (3000);
  g_autoptr(AllsetTestResponse) first = NULL, batch = NULL, update = NULL, stale = NULL, moves = NULL;
  gint64 r1, r2;

  first = allset_test_commit (server, alice,
                              allset_test_op_put ("conflict/c.txt", 0, v1),
                              allset_test_op_put ("conflict/other.txt", 0, v1),
                              NULL);
  r1 = result_revision (first, 0);

  /* base 0 says "new", but it exists: that operation fails, alone. */
  batch = allset_test_commit (server, alice,
                              allset_test_op_mkdir ("conflict/d1", 0),
                              allset_test_op_put ("conflict/c.txt", 0, v2),
                              allset_test_op_put ("conflict/new.txt", 0, v2),
                              NULL);
  assert_result_ok (batch, 0);
  assert_result_error (batch, 1, 409, "conflict");
  g_assert_cmpint (allset_test_response_get_int (batch, "results.1.current_revision"), ==, r1);
  assert_result_ok (batch, 2);
  assert_file_is ("conflict/c.txt", v1);
  assert_file_is ("conflict/new.txt", v2);

  update = allset_test_commit (server, alice, allset_test_op_put ("conflict/c.txt", r1, v2), NULL);
  r2 = result_revision (update, 0);
  g_assert_cmpint (r2, >, r1);

  /* A second client still on r1. */
  stale = allset_test_commit (server, alice,
                              allset_test_op_put ("conflict/c.txt", r1, v3),
                              allset_test_op_delete ("conflict/c.txt", r1),
                              allset_test_op_move ("conflict/c.txt", "conflict/moved.txt", r1),
                              NULL);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *current = g_strdup_printf ("results.%u.current_revision", i);

      assert_result_error (stale, i, 409, "conflict");
      g_assert_cmpint (allset_test_response_get_int (stale, current), ==, r2);
    }
  assert_file_is ("conflict/c.txt", v2);
  assert_absent ("conflict/moved.txt");

  /* A move onto an existing entry. */
  moves = allset_test_commit (server, alice, allset_test_op_move ("conflict/c.txt", "conflict/other.txt", r2), NULL);
  assert_result_error (moves, 0, 409, "conflict");
  assert_file_is ("conflict/c.txt", v2);
  assert_file_is ("conflict/other.txt", v1);
}

static void
test_unknown_chunk (void)
{
  g_autoptr(AllsetTestContent) known = upload (5000);
  g_autoptr(AllsetTestContent) unknown = allset_test_content_new (5000, 4096);
  g_autoptr(AllsetTestContent) half = allset_test_content_new (300 * 1024, 100 * 1024);
  g_autoptr(GBytes) first = allset_test_content_chunk (half, 0);
  g_autoptr(AllsetTestResponse) put = allset_test_put_chunk (server, alice, first);
  g_autoptr(AllsetTestResponse) r = NULL;

  allset_test_assert_status (put, 201);
  r = allset_test_commit (server, alice,
                          allset_test_op_put ("unknown/a.txt", 0, unknown),
                          allset_test_op_put ("unknown/b.txt", 0, known),
                          allset_test_op_put ("unknown/half.txt", 0, half),
                          NULL);
  assert_result_error (r, 0, 422, "unknown_chunk");
  assert_result_ok (r, 1);
  assert_result_error (r, 2, 422, "unknown_chunk");
  assert_absent ("unknown/a.txt");
  assert_file_is ("unknown/b.txt", known);
  assert_absent ("unknown/half.txt");
}

/* The server knows the chunk sizes: a put whose size is not their sum
 * fails on its own (400 bad_request), the rest of the batch applies. */
static void
test_size_mismatch (void)
{
  g_autoptr(AllsetTestContent) content = upload (5000);
  g_autofree char *id_list = g_strjoinv ("\", \"", content->chunk_ids);
  const gint64 sizes[] = { 4999, 5001, 0 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(AllsetTestResponse) r = NULL;
      g_autofree char *dir = g_strdup_printf ("size/ok%u", i);
      g_autofree char *file = g_strdup_printf ("size/f%u", i);
      char *op = g_strdup_printf ("{\"op\": \"put\", \"path\": \"%s\", \"base_revision\": 0, "
                                  "\"chunks\": [\"%s\"], \"size\": %" G_GINT64_FORMAT "}",
                                  file, id_list, sizes[i]);

      r = allset_test_commit (server, alice, allset_test_op_mkdir (dir, 0), op, NULL);
      assert_result_ok (r, 0);
      assert_result_error (r, 1, 400, "bad_request");
      assert_absent (file);
    }
}

static void
test_not_a_directory (void)
{
  g_autoptr(AllsetTestContent) content = upload (100);
  g_autoptr(AllsetTestResponse) r = NULL, listing = NULL;

  r = allset_test_commit (server, alice,
                          allset_test_op_put ("nad/f", 0, content),
                          allset_test_op_put ("nad/f/g", 0, content),
                          allset_test_op_mkdir ("nad/f/h", 0),
                          allset_test_op_mkdir ("nad/f/h/i", 0),
                          allset_test_op_mkdir ("nad/ok", 0),
                          NULL);
  assert_result_ok (r, 0);
  assert_result_error (r, 1, 409, "not_a_directory");
  assert_result_error (r, 2, 409, "not_a_directory");
  assert_result_error (r, 3, 409, "not_a_directory");
  assert_result_ok (r, 4);
  assert_file_is ("nad/f", content);

  listing = list ("nad/f");
  allset_test_assert_error (listing, 409, "not_a_directory");
}

static void
test_case_conflict (void)
{
  g_autoptr(AllsetTestContent) content = upload (100);
  g_autoptr(AllsetTestResponse) r = NULL, listing = NULL;

  r = allset_test_commit (server, alice,
                          allset_test_op_put ("case/Readme.md", 0, content),
                          allset_test_op_put ("case/README.md", 0, content),
                          allset_test_op_mkdir ("case/Docs", 0),
                          allset_test_op_mkdir ("case/docs", 0),
                          allset_test_op_put ("case/DOCS/x", 0, content),
                          allset_test_op_put ("case/été.txt", 0, content),
                          allset_test_op_put ("case/ÉTÉ.txt", 0, content),
                          allset_test_op_move ("case/Readme.md", "case/readme.MD", 0),
                          NULL);
  assert_result_ok (r, 0);
  assert_result_error (r, 1, 409, "case_conflict");
  assert_result_ok (r, 2);
  assert_result_error (r, 3, 409, "case_conflict");
  assert_result_error (r, 4, 409, "case_conflict");
  assert_result_ok (r, 5);
  assert_result_error (r, 6, 409, "case_conflict");
  /* A stale base is a conflict before anything else. */
  assert_result_error (r, 7, 409, "conflict");

  listing = list ("case");
  allset_test_assert_status (listing, 200);
  g_assert_cmpuint (allset_test_response_get_length (listing, "entries"), ==, 3);

  /* Renaming an entry to another case of its own name is allowed. */
  {
    g_autoptr(AllsetTestResponse) rename = NULL, after = NULL, gone = NULL;

    rename = allset_test_commit (server, alice,
                                 allset_test_op_move ("case/Readme.md", "case/README.MD",
                                                      result_revision (r, 0)),
                                 allset_test_op_move ("case/nothing", "case/something", 0),
                                 NULL);
    assert_result_ok (rename, 0);
    assert_result_error (rename, 1, 409, "conflict");
    g_assert_cmpint (allset_test_response_get_int (rename, "results.1.current_revision"), ==, 0);
    after = list ("case");
    g_assert_cmpint (find_entry (after, "README.MD"), >=, 0);
    g_assert_cmpint (find_entry (after, "Readme.md"), <, 0);
    assert_file_is ("case/README.MD", content);
  }
}

/* A batch with an invalid path is refused whole: 400 invalid_name, with
 * the index of the operation (test_names() checks that nothing of these
 * batches was applied). */
static void
assert_name_refused (const char *bad_op,
                     const char *what)
{
  g_autoptr(AllsetTestResponse) r = allset_test_commit (server, alice,
                                                        allset_test_op_mkdir ("names-ok", 0),
                                                        g_strdup (bad_op), NULL);

  if (r->status != 400)
    g_test_message ("name case: %s", what);
  allset_test_assert_error (r, 400, "invalid_name");
  g_assert_cmpint (allset_test_response_get_int (r, "error.index"), ==, 1);
}

static void
test_names (void)
{
  g_autofree char *long_name = g_strnfill (256, 'n');
  g_autofree char *max_name = g_strnfill (255, 'm');
  g_autoptr(GString) long_path = g_string_new ("names");
  g_autoptr(GString) max_path = g_string_new ("names");
  const char *const bad[] = {
    "..", "names/..", "names/../x", ".", "names/./x", "/abs", "/", "names//x", "names/",
    "names/a\001b", "names/a\037b", "names/a\177b", "names/a\\b", "names/a:b",
    "names/CON.txt", "names/con", "names/Lpt9.log", "names/nul", "names/AUX",
    "names/COM1.tar.gz", "names/prn ", "names/trailing.", "names/trailing ", "names/x<y",
    "names/x>y", "names/q?", "names/star*", "names/pipe|", "names/quote\"", "",
  };

  gint64 cursor = allset_test_cursor (server, alice);

  while (long_path->len <= 4096)
    g_string_append_printf (long_path, "/%s", max_name);
  /* 16 components of 255 bytes and the "names" prefix stay within 4096. */
  for (guint i = 0; i < 15; i++)
    g_string_append_printf (max_path, "/%s", max_name);
  g_assert_cmpuint (max_path->len, <=, 4096);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *put = NULL;
      g_autoptr(AllsetTestContent) content = allset_test_content_new (0, 1);

      put = allset_test_op_put (bad[i], 0, content);
      assert_name_refused (put, bad[i]);
      {
        g_autofree char *mkdir = allset_test_op_mkdir (bad[i], 0);

        assert_name_refused (mkdir, bad[i]);
      }
    }

  {
    g_autofree char *component = g_strdup_printf ("names/%s", long_name);
    g_autofree char *op1 = allset_test_op_mkdir (component, 0);
    g_autofree char *op2 = allset_test_op_mkdir (long_path->str, 0);
    g_autofree char *op3 = allset_test_op_move ("names-src", "names/a:b", 0);
    g_autofree char *op4 = allset_test_op_move ("names/x", "../x", 0);
    g_autofree char *op5 = allset_test_op_delete ("names/CON", 0);

    assert_name_refused (op1, "256-byte component");
    assert_name_refused (op2, "path over 4096 bytes");
    assert_name_refused (op3, "move to a:b");
    assert_name_refused (op4, "move to ../x");
    assert_name_refused (op5, "delete CON");
  }

  /* Not one of those batches did anything. */
  g_assert_cmpint (allset_test_cursor (server, alice), ==, cursor);
  assert_absent ("names-ok");

  /* A NUL cannot reach the name rules: JSON with \u0000 is refused first. */
  {
    g_autoptr(AllsetTestResponse) r = allset_test_post_json (server, "/api/v1/commit", alice,
                                                             "{\"operations\": [{\"op\": \"mkdir\", "
                                                             "\"path\": \"names/a\\u0000b\", "
                                                             "\"base_revision\": 0}]}");

    allset_test_assert_error (r, 400, "invalid_json");
  }

  /* Query parameters follow the same rules. */
  {
    g_autoptr(AllsetTestResponse) r1 = allset_test_get (server, "/api/v1/file?path=..%2Fx", alice);
    g_autoptr(AllsetTestResponse) r2 = allset_test_get (server, "/api/v1/list?path=a%5Cb", alice);
    g_autoptr(AllsetTestResponse) r3 = allset_test_get (server, "/api/v1/versions?path=%2Fabs", alice);
    g_autoptr(AllsetTestResponse) r4 = allset_test_get (server, "/api/v1/file?path=a%00b", alice);

    allset_test_assert_error (r1, 400, "invalid_name");
    allset_test_assert_error (r2, 400, "invalid_name");
    allset_test_assert_error (r3, 400, "invalid_name");
    allset_test_assert_error (r4, 400, "bad_request");
  }

  /* The limits themselves are allowed. */
  {
    g_autoptr(AllsetTestResponse) r = NULL;
    g_autofree char *component = g_strdup_printf ("names/%s", max_name);

    r = allset_test_commit (server, alice,
                            allset_test_op_mkdir (component, 0),
                            allset_test_op_mkdir (max_path->str, 0),
                            allset_test_op_mkdir ("names/CONSOLE", 0),
                            allset_test_op_mkdir ("names/.hidden", 0),
                            allset_test_op_mkdir ("names/a b", 0),
                            allset_test_op_mkdir ("names/日本語 ☃", 0),
                            NULL);
    for (guint i = 0; i < 6; i++)
      assert_result_ok (r, i);
  }
}

/* Decomposed (NFD, as macOS writes them) names are stored composed. */
static void
test_nfc (void)
{
  g_autoptr(AllsetTestContent) content = upload (100);
  const char *nfd = "nfc/Cafe\xcc\x81 e\xcc\x81te\xcc\x81.txt";
  const char *nfc = "nfc/Caf\xc3\xa9 \xc3\xa9t\xc3\xa9.txt";
  g_autoptr(AllsetTestResponse) r = allset_test_commit (server, alice, allset_test_op_put (nfd, 0, content), NULL);
  g_autoptr(AllsetTestResponse) listing = list ("nfc");
  g_autoptr(AllsetTestResponse) by_nfd = get_file (nfd, 0);
  g_autoptr(AllsetTestResponse) by_nfc = get_file (nfc, 0);
  g_autoptr(AllsetTestResponse) again = NULL;

  assert_result_ok (r, 0);
  g_assert_cmpstr (allset_test_response_get_string (r, "results.0.receipt.path"), ==, nfc);
  allset_test_assert_status (listing, 200);
  g_assert_cmpstr (allset_test_response_get_string (listing, "entries.0.name"), ==, nfc + 4);
  allset_test_assert_status (by_nfc, 200);
  g_assert_cmpstr (allset_test_response_get_string (by_nfc, "path"), ==, nfc);
  allset_test_assert_status (by_nfd, 200);
  g_assert_cmpstr (allset_test_response_get_string (by_nfd, "path"), ==, nfc);

  /* Both spellings are one entry. */
  again = allset_test_commit (server, alice, allset_test_op_put (nfc, 0, content), NULL);
  assert_result_error (again, 0, 409, "conflict");
}

static void
test_file_and_receipt (void)
{
  g_autoptr(AllsetTestContent) v1 = upload (250 * 1024);
  g_autoptr(AllsetTestContent) v2 = upload (1234);
  g_autoptr(AllsetTestResponse) c1 = allset_test_commit (server, alice, allset_test_op_put ("receipt/r.bin", 0, v1), NULL);
  g_autoptr(AllsetTestResponse) c2 = NULL, live = NULL, old = NULL, missing = NULL, no_path = NULL;
  g_autoptr(AllsetTestResponse) status = allset_test_get (server, "/api/v1/status", NULL);
  g_autoptr(AllsetReceipt) receipt = NULL;
  gint64 r1 = result_revision (c1, 0), r2;
  JsonNode *node;

  c2 = allset_test_commit (server, alice, allset_test_op_put ("receipt/r.bin", r1, v2), NULL);
  r2 = result_revision (c2, 0);

  live = get_file ("receipt/r.bin", 0);
  allset_test_assert_status (live, 200);
  g_assert_cmpstr (allset_test_response_get_string (live, "path"), ==, "receipt/r.bin");
  g_assert_cmpint (allset_test_response_get_int (live, "revision"), ==, r2);
  g_assert_cmpstr (allset_test_response_get_string (live, "file_id"), ==, v2->file_id);
  g_assert_cmpint (allset_test_response_get_int (live, "size"), ==, 1234);
  g_assert_cmpint (allset_test_response_get_int (live, "mtime"), ==, ALLSET_TEST_MTIME);
  g_assert_false (allset_test_response_get_bool (live, "executable"));
  g_assert_cmpuint (allset_test_response_get_length (live, "chunks"), ==, 1);
  g_assert_cmpstr (allset_test_response_get_string (live, "chunks.0.id"), ==, v2->chunk_ids[0]);
  g_assert_cmpint (allset_test_response_get_int (live, "chunks.0.size"), ==, 1234);

  old = get_file ("receipt/r.bin", r1);
  allset_test_assert_status (old, 200);
  g_assert_cmpint (allset_test_response_get_int (old, "revision"), ==, r1);
  g_assert_cmpstr (allset_test_response_get_string (old, "file_id"), ==, v1->file_id);
  g_assert_cmpuint (allset_test_response_get_length (old, "chunks"), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("chunks.%u.id", i);
      g_autofree char *size = g_strdup_printf ("chunks.%u.size", i);

      g_assert_cmpstr (allset_test_response_get_string (old, id), ==, v1->chunk_ids[i]);
      g_assert_cmpint (allset_test_response_get_int (old, size), ==, i < 2 ? 100 * 1024 : 50 * 1024);
    }

  /* The receipt: right fields, signed by the key /status publishes. */
  node = allset_test_response_get_node (live, "receipt");
  allset_test_assert_receipt_valid (node, receipt_key);
  g_assert_cmpstr (allset_test_response_get_string (live, "receipt.account"), ==, "alice");
  g_assert_cmpstr (allset_test_response_get_string (live, "receipt.path"), ==, "receipt/r.bin");
  g_assert_cmpint (allset_test_response_get_int (live, "receipt.revision"), ==, r2);
  g_assert_cmpstr (allset_test_response_get_string (live, "receipt.file_id"), ==, v2->file_id);
  g_assert_cmpint (allset_test_response_get_int (live, "receipt.size"), ==, 1234);
  g_assert_cmpstr (allset_test_response_get_string (live, "receipt.key_id"), ==,
                   allset_test_response_get_string (status, "receipt_key.key_id"));
  allset_test_assert_receipt_valid (allset_test_response_get_node (old, "receipt"), receipt_key);
  allset_test_assert_receipt_valid (allset_test_response_get_node (c2, "results.0.receipt"), receipt_key);

  /* Any change breaks it. */
  {
    const char *fields[] = { "account", "path", "file_id", "time" };

    for (guint i = 0; i < G_N_ELEMENTS (fields) + 3; i++)
      {
        g_autoptr(JsonNode) copy = json_node_copy (node);
        JsonObject *object = json_node_get_object (copy);

        if (i < G_N_ELEMENTS (fields))
          {
            g_autofree char *changed = g_strconcat (json_object_get_string_member (object, fields[i]), "x", NULL);

            json_object_set_string_member (object, fields[i], changed);
          }
        else if (i == G_N_ELEMENTS (fields))
          json_object_set_int_member (object, "size", 1235);
        else if (i == G_N_ELEMENTS (fields) + 1)
          json_object_set_int_member (object, "revision", r1);
        else
          {
            g_autofree guchar *signature = NULL;
            g_autofree char *tampered = NULL;
            gsize len;

            signature = g_base64_decode (json_object_get_string_member (object, "signature"), &len);
            signature[len / 2] ^= 1;
            tampered = g_base64_encode (signature, len);
            json_object_set_string_member (object, "signature", tampered);
          }
        g_assert_false (allset_test_receipt_verifies (copy, receipt_key));
      }
  }
  receipt = allset_receipt_from_json (node, NULL);
  g_assert_nonnull (receipt);

  missing = get_file ("receipt/none", 0);
  allset_test_assert_error (missing, 404, "not_found");
  {
    g_autoptr(AllsetTestResponse) no_revision = get_file ("receipt/r.bin", r2 + 1000);

    allset_test_assert_error (no_revision, 404, "not_found");
  }
  no_path = allset_test_get (server, "/api/v1/file", alice);
  allset_test_assert_error (no_path, 400, "bad_request");
}

static void
test_list (void)
{
  g_autoptr(AllsetTestContent) content = upload (777);
  g_autoptr(AllsetTestResponse) r = allset_test_commit (server, alice,
                                                        allset_test_op_mkdir ("listing/sub", 0),
                                                        allset_test_op_put ("listing/f.txt", 0, content),
                                                        NULL);
  g_autoptr(AllsetTestResponse) listing = list ("listing");
  g_autoptr(AllsetTestResponse) root = allset_test_get (server, "/api/v1/list", alice);
  g_autoptr(AllsetTestResponse) missing = list ("listing/none");
  int dir, file;
  char path[64];

  assert_result_ok (r, 1);
  allset_test_assert_status (listing, 200);
  g_assert_cmpstr (allset_test_response_get_string (listing, "path"), ==, "listing");
  g_assert_cmpuint (allset_test_response_get_length (listing, "entries"), ==, 2);
  dir = find_entry (listing, "sub");
  file = find_entry (listing, "f.txt");
  g_assert_cmpint (dir, >=, 0);
  g_assert_cmpint (file, >=, 0);

  g_assert_cmpstr (entry_string (listing, dir, "type"), ==, "dir");
  g_assert_true (allset_test_response_is_null (listing, entry_member (dir, "file_id", path)));
  g_assert_cmpint (entry_int (listing, dir, "revision"), ==, result_revision (r, 0));
  g_assert_cmpstr (entry_string (listing, file, "type"), ==, "file");
  g_assert_cmpstr (entry_string (listing, file, "file_id"), ==, content->file_id);
  g_assert_cmpint (entry_int (listing, file, "size"), ==, 777);
  g_assert_cmpint (entry_int (listing, file, "mtime"), ==, ALLSET_TEST_MTIME);
  g_assert_cmpint (entry_int (listing, file, "revision"), ==, result_revision (r, 1));

  /* The root: no path, or an empty one. */
  allset_test_assert_status (root, 200);
  g_assert_cmpstr (allset_test_response_get_string (root, "path"), ==, "");
  g_assert_cmpint (find_entry (root, "listing"), >=, 0);
  {
    g_autoptr(AllsetTestResponse) empty = allset_test_get (server, "/api/v1/list?path=", alice);

    allset_test_assert_status (empty, 200);
    g_assert_cmpuint (allset_test_response_get_length (empty, "entries"), ==,
                      allset_test_response_get_length (root, "entries"));
  }

  allset_test_assert_error (missing, 404, "not_found");
}

static void
test_move_directory (void)
{
  g_autoptr(AllsetTestContent) f1 = upload (1111);
  g_autoptr(AllsetTestContent) f2 = upload (2222);
  g_autoptr(AllsetTestResponse) setup = NULL, move = NULL, into_itself = NULL, onto = NULL;
  gint64 dir_rev;

  setup = allset_test_commit (server, alice,
                              allset_test_op_mkdir ("mv/M", 0),
                              allset_test_op_put ("mv/M/sub/f1", 0, f1),
                              allset_test_op_put ("mv/M/f2", 0, f2),
                              allset_test_op_mkdir ("mv/taken", 0),
                              NULL);
  dir_rev = result_revision (setup, 0);
  assert_result_ok (setup, 3);

  onto = allset_test_commit (server, alice, allset_test_op_move ("mv/M", "mv/taken", dir_rev), NULL);
  assert_result_error (onto, 0, 409, "conflict");

  /* A directory cannot go inside itself. */
  into_itself = allset_test_commit (server, alice, allset_test_op_move ("mv/M", "mv/M/sub/M", dir_rev), NULL);
  assert_result_error (into_itself, 0, 400, "bad_request");
  assert_file_is ("mv/M/sub/f1", f1);

  move = allset_test_commit (server, alice, allset_test_op_move ("mv/M", "mv/N", dir_rev), NULL);
  assert_result_ok (move, 0);

  assert_file_is ("mv/N/sub/f1", f1);
  assert_file_is ("mv/N/f2", f2);
  assert_absent ("mv/M/sub/f1");
  assert_absent ("mv/M/f2");
  {
    g_autoptr(AllsetTestResponse) gone = list ("mv/M");
    g_autoptr(AllsetTestResponse) sub = list ("mv/N/sub");

    allset_test_assert_error (gone, 404, "not_found");
    allset_test_assert_status (sub, 200);
    g_assert_cmpstr (allset_test_response_get_string (sub, "entries.0.name"), ==, "f1");
  }
}

/* The receipt member at path as canonical JSON text. */
static char *
receipt_text (AllsetTestResponse *r,
              const char         *path)
{
  return allset_json_to_string (allset_test_response_get_node (r, path));
}

/* Receipts v2: one commit, one signature over a Merkle tree of its
 * receipts in result order; each receipt still verifies on its own with
 * the key /status publishes, and reads back identical later. */
static void
test_receipt_batch (void)
{
  g_autoptr(AllsetTestContent) content = upload (321);
  g_autoptr(AllsetTestContent) single_content = upload (123);
  g_autoptr(GString) body = g_string_new ("{\"operations\": [");
  g_autoptr(AllsetTestResponse) r = NULL;
  g_autoptr(AllsetTestResponse) single = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *root = NULL;
  g_autofree char *first_op = allset_test_op_mkdir ("batch", 0);
  const guint n = 300;

  /* A mkdir first and one in the middle: results without a receipt are
   * not leaves. */
  g_string_append (body, first_op);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("batch/d%u/f%u.txt", i % 10, i);
      g_autofree char *op = allset_test_op_put (path, 0, content);

      g_string_append_printf (body, ", %s", op);
      if (i == n / 2)
        {
          g_autofree char *mkdir = allset_test_op_mkdir ("batch/middle", 0);

          g_string_append_printf (body, ", %s", mkdir);
        }
    }
  g_string_append (body, "]}");
  r = allset_test_post_json (server, "/api/v1/commit", alice, body->str);
  allset_test_assert_status (r, 200);
  g_assert_cmpuint (allset_test_response_get_length (r, "results"), ==, n + 2);
  g_assert_false (allset_test_response_has (r, "results.0.receipt"));
  g_assert_false (allset_test_response_has (r, "results.152.receipt"));

  signature = g_strdup (allset_test_response_get_string (r, "results.1.receipt.signature"));
  root = g_strdup (allset_test_response_get_string (r, "results.1.receipt.batch.root"));
  for (guint i = 0, leaf = 0; i < n + 2; i++)
    {
      g_autofree char *at = g_strdup_printf ("results.%u.receipt", i);
      g_autofree char *member = NULL;
      JsonObject *batch;

      if (i == 0 || i == 152)
        continue;
      allset_test_assert_receipt_valid (allset_test_response_get_node (r, at), receipt_key);
      member = g_strconcat (at, ".signature", NULL);
      g_assert_cmpstr (allset_test_response_get_string (r, member), ==, signature);
      batch = json_object_get_object_member (json_node_get_object (allset_test_response_get_node (r, at)),
                                             "batch");
      g_assert_nonnull (batch);
      g_assert_cmpstr (json_object_get_string_member (batch, "root"), ==, root);
      g_assert_cmpint (json_object_get_int_member (batch, "size"), ==, n);
      g_assert_cmpint (json_object_get_int_member (batch, "index"), ==, leaf);
      leaf++;
    }

  /* GET /api/v1/file hands out the very same receipt later; every 7th
   * and the last, to keep the sanitizer run short. */
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = NULL;
      g_autofree char *at = NULL;
      g_autoptr(AllsetTestResponse) file = NULL;
      g_autofree char *committed = NULL;
      g_autofree char *served = NULL;

      if (i % 7 != 0 && i != n - 1)
        continue;
      path = g_strdup_printf ("batch/d%u/f%u.txt", i % 10, i);
      /* Results: the first mkdir, puts 0…150, the middle mkdir, the rest. */
      at = g_strdup_printf ("results.%u.receipt", i <= n / 2 ? i + 1 : i + 2);
      file = get_file (path, 0);
      committed = receipt_text (r, at);
      allset_test_assert_status (file, 200);
      served = receipt_text (file, "receipt");
      g_assert_cmpstr (served, ==, committed);
    }

  /* A receipt with its path changed no longer verifies, nor with another
   * place in the batch. */
  {
    g_autoptr(JsonNode) copy = json_node_copy (allset_test_response_get_node (r, "results.2.receipt"));
    JsonObject *object = json_node_get_object (copy);

    json_object_set_string_member (object, "path", "batch/d0/f0.txt");
    g_assert_false (allset_test_receipt_verifies (copy, receipt_key));
    json_object_set_string_member (object, "path", "batch/d1/f1.txt");
    g_assert_true (allset_test_receipt_verifies (copy, receipt_key));
    json_object_set_int_member (json_object_get_object_member (object, "batch"), "index", 0);
    g_assert_false (allset_test_receipt_verifies (copy, receipt_key));
  }

  /* A commit of one put: a batch of one, with an empty proof. */
  single = allset_test_commit (server, alice, allset_test_op_put ("batch/single.txt", 0, single_content), NULL);
  assert_result_ok (single, 0);
  allset_test_assert_receipt_valid (allset_test_response_get_node (single, "results.0.receipt"), receipt_key);
  g_assert_cmpint (allset_test_response_get_int (single, "results.0.receipt.batch.size"), ==, 1);
  g_assert_cmpint (allset_test_response_get_int (single, "results.0.receipt.batch.index"), ==, 0);
  g_assert_cmpuint (allset_test_response_get_length (single, "results.0.receipt.batch.proof"), ==, 0);
  g_assert_cmpstr (allset_test_response_get_string (single, "results.0.receipt.signature"), !=, signature);
}

int
main (int    argc,
      char **argv)
{
  const char *args[] = { "--bandwidth-up", "0", "--bandwidth-down", "0", NULL };
  int status;

  allset_test_init (&argc, &argv);

  server = allset_test_server_new_full (args, 0);
  allset_test_server_add_account (server, "alice", "password of alice", NULL);
  alice = allset_test_server_login (server, "alice", "password of alice", "laptop", NULL);
  receipt_key = allset_test_server_receipt_key (server);

  g_test_add_func ("/tree/commit-basic", test_commit_basic);
  g_test_add_func ("/tree/conflict", test_conflict);
  g_test_add_func ("/tree/unknown-chunk", test_unknown_chunk);
  g_test_add_func ("/tree/size-mismatch", test_size_mismatch);
  g_test_add_func ("/tree/not-a-directory", test_not_a_directory);
  g_test_add_func ("/tree/case-conflict", test_case_conflict);
  g_test_add_func ("/tree/names", test_names);
  g_test_add_func ("/tree/nfc", test_nfc);
  g_test_add_func ("/tree/file-and-receipt", test_file_and_receipt);
  g_test_add_func ("/tree/list", test_list);
  g_test_add_func ("/tree/move-directory", test_move_directory);
  g_test_add_func ("/tree/receipt-batch", test_receipt_batch);

  status = g_test_run ();
  g_free (alice);
  g_free (receipt_key);
  allset_test_server_free (server);
  return status;
}
