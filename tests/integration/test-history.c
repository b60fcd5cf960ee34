/* test-history.c — trash, versions, quota, partitioning, changes and push
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Cases whose figures depend on an account's whole history (quota, the
 * changes feed, push) each have an account of their own.
 */

#include <string.h>

#include "allset-test-server.h"

static AllsetTestServer *server;
static char *receipt_key;

static char *
login (const char *username)
{
  g_autofree char *password = g_strdup_printf ("password of %s", username);

  return allset_test_server_login (server, username, password, "laptop", NULL);
}

static AllsetTestContent *
upload (const char *token,
        gsize       size,
        gsize       chunk_size)
{
  AllsetTestContent *content = allset_test_content_new (size, chunk_size);

  allset_test_upload (server, token, content);
  return content;
}

static gint64
result_revision (AllsetTestResponse *r,
                 guint               index)
{
  g_autofree char *status = g_strdup_printf ("results.%u.status", index);
  g_autofree char *revision = g_strdup_printf ("results.%u.revision", index);

  allset_test_assert_status (r, 200);
  g_assert_cmpint (allset_test_response_get_int (r, status), ==, 200);
  return allset_test_response_get_int (r, revision);
}

static AllsetTestResponse *
get_file (const char *token,
          const char *path)
{
  g_autofree char *escaped = g_uri_escape_string (path, NULL, FALSE);

  return allset_test_getf (server, token, "/api/v1/file?path=%s", escaped);
}

static void
assert_file_is (const char        *token,
                const char        *path,
                AllsetTestContent *content)
{
  g_autoptr(AllsetTestResponse) r = get_file (token, path);

  allset_test_assert_status (r, 200);
  g_assert_cmpstr (allset_test_response_get_string (r, "file_id"), ==, content->file_id);
}

/* The index of the trash entry with this path (the newest), or -1. */
static int
find_trash (AllsetTestResponse *r,
            const char         *path)
{
  guint n = allset_test_response_get_length (r, "entries");
  int found = -1;
  gint64 best = -1;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *p = g_strdup_printf ("entries.%u.path", i);
      g_autofree char *id = g_strdup_printf ("entries.%u.trash_id", i);

      if (g_str_equal (allset_test_response_get_string (r, p), path) &&
          allset_test_response_get_int (r, id) > best)
        {
          best = allset_test_response_get_int (r, id);
          found = i;
        }
    }
  return found;
}

static gint64
trash_member (AllsetTestResponse *r,
              int                 index,
              const char         *member)
{
  g_autofree char *path = g_strdup_printf ("entries.%d.%s", index, member);

  return allset_test_response_get_int (r, path);
}

/* ------------------------------------------------------------------ */

static void
test_trash (void)
{
  g_autofree char *token = login ("alice");
  g_autoptr(AllsetTestContent) v1 = upload (token, 3000, 1000);
  g_autoptr(AllsetTestContent) v2 = upload (token, 4000, 1000);
  g_autoptr(AllsetTestContent) big = upload (token, 5000, 5000);
  g_autoptr(AllsetTestResponse) put = NULL, del = NULL, trash = NULL, restore = NULL, after = NULL;
  g_autoptr(AllsetTestResponse) dir = NULL, taken = NULL, unknown = NULL, dir_trash = NULL;
  gint64 delete_rev, trash_id;
  int i;

  put = allset_test_commit (server, token, allset_test_op_put ("trash/t.txt", 0, v1), NULL);
  del = allset_test_commit (server, token, allset_test_op_delete ("trash/t.txt", result_revision (put, 0)), NULL);
  delete_rev = result_revision (del, 0);

  trash = allset_test_get (server, "/api/v1/trash", token);
  allset_test_assert_status (trash, 200);
  i = find_trash (trash, "trash/t.txt");
  g_assert_cmpint (i, >=, 0);
  trash_id = trash_member (trash, i, "trash_id");
  g_assert_cmpint (trash_member (trash, i, "size"), ==, 3000);
  g_assert_cmpint (trash_member (trash, i, "revision"), ==, delete_rev);
  {
    g_autofree char *type = g_strdup_printf ("entries.%d.type", i);
    g_autofree char *deleted_at = g_strdup_printf ("entries.%d.deleted_at", i);
    g_autoptr(GDateTime) when = NULL;

    g_assert_cmpstr (allset_test_response_get_string (trash, type), ==, "file");
    when = g_date_time_new_from_iso8601 (allset_test_response_get_string (trash, deleted_at), NULL);
    g_assert_nonnull (when);
    g_assert_cmpint (ABS (g_date_time_to_unix (when) - g_get_real_time () / G_USEC_PER_SEC), <, 120);
  }

  restore = allset_test_post_jsonf (server, "/api/v1/trash/restore", token, "{\"trash_id\": %" G_GINT64_FORMAT "}",
                                    trash_id);
  allset_test_assert_status (restore, 200);
  g_assert_cmpstr (allset_test_response_get_string (restore, "path"), ==, "trash/t.txt");
  g_assert_cmpint (allset_test_response_get_int (restore, "revision"), >, delete_rev);
  assert_file_is (token, "trash/t.txt", v1);
  after = allset_test_get (server, "/api/v1/trash", token);
  g_assert_cmpint (find_trash (after, "trash/t.txt"), <, 0);

  /* A whole directory goes and comes back. */
  dir = allset_test_commit (server, token,
                            allset_test_op_mkdir ("trash/D", 0),
                            allset_test_op_put ("trash/D/a", 0, v1),
                            allset_test_op_put ("trash/D/sub/b", 0, v2),
                            NULL);
  {
    g_autoptr(AllsetTestResponse) gone = NULL, back = NULL, listing = NULL;

    gone = allset_test_commit (server, token, allset_test_op_delete ("trash/D", result_revision (dir, 0)), NULL);
    result_revision (gone, 0);
    listing = allset_test_get (server, "/api/v1/list?path=trash%2FD", token);
    allset_test_assert_error (listing, 404, "not_found");

    dir_trash = allset_test_get (server, "/api/v1/trash", token);
    i = find_trash (dir_trash, "trash/D");
    g_assert_cmpint (i, >=, 0);
    g_assert_cmpint (trash_member (dir_trash, i, "size"), ==, 7000);
    back = allset_test_post_jsonf (server, "/api/v1/trash/restore", token, "{\"trash_id\": %" G_GINT64_FORMAT "}",
                                   trash_member (dir_trash, i, "trash_id"));
    allset_test_assert_status (back, 200);
    assert_file_is (token, "trash/D/a", v1);
    assert_file_is (token, "trash/D/sub/b", v2);
  }

  /* The path is taken again: the entry stays in the trash. */
  {
    g_autoptr(AllsetTestResponse) p1 = NULL, d1 = NULL, p2 = NULL, list = NULL;
    gint64 id;

    p1 = allset_test_commit (server, token, allset_test_op_put ("trash/x", 0, v1), NULL);
    d1 = allset_test_commit (server, token, allset_test_op_delete ("trash/x", result_revision (p1, 0)), NULL);
    result_revision (d1, 0);
    p2 = allset_test_commit (server, token, allset_test_op_put ("trash/x", 0, big), NULL);
    result_revision (p2, 0);
    list = allset_test_get (server, "/api/v1/trash", token);
    id = trash_member (list, find_trash (list, "trash/x"), "trash_id");

    taken = allset_test_post_jsonf (server, "/api/v1/trash/restore", token, "{\"trash_id\": %" G_GINT64_FORMAT "}", id);
    allset_test_assert_error (taken, 409, "conflict");
    assert_file_is (token, "trash/x", big);
    {
      g_autoptr(AllsetTestResponse) still = allset_test_get (server, "/api/v1/trash", token);

      g_assert_cmpint (trash_member (still, find_trash (still, "trash/x"), "trash_id"), ==, id);
    }
  }

  unknown = allset_test_post_json (server, "/api/v1/trash/restore", token, "{\"trash_id\": 987654321}");
  allset_test_assert_error (unknown, 404, "not_found");
}

static void
test_versions (void)
{
  g_autofree char *token = login ("alice");
  g_autoptr(AllsetTestContent) a = upload (token, 1000, 1000);
  g_autoptr(AllsetTestContent) b = upload (token, 2000, 1000);
  g_autoptr(AllsetTestContent) c = upload (token, 3000, 1000);
  g_autoptr(AllsetTestResponse) ra = NULL, rb = NULL, rc = NULL, versions = NULL, restore = NULL;
  g_autoptr(AllsetTestResponse) after = NULL, bad = NULL, none = NULL, live = NULL;
  gint64 rev_a, rev_b, rev_c, rev_new;
  const gint64 *revs[3] = { &rev_c, &rev_b, &rev_a };
  AllsetTestContent *contents[3] = { c, b, a };

  ra = allset_test_commit (server, token, allset_test_op_put ("hist/v.txt", 0, a), NULL);
  rev_a = result_revision (ra, 0);
  rb = allset_test_commit (server, token, allset_test_op_put ("hist/v.txt", rev_a, b), NULL);
  rev_b = result_revision (rb, 0);
  rc = allset_test_commit (server, token, allset_test_op_put ("hist/v.txt", rev_b, c), NULL);
  rev_c = result_revision (rc, 0);

  versions = allset_test_get (server, "/api/v1/versions?path=hist%2Fv.txt", token);
  allset_test_assert_status (versions, 200);
  g_assert_cmpstr (allset_test_response_get_string (versions, "path"), ==, "hist/v.txt");
  g_assert_cmpuint (allset_test_response_get_length (versions, "versions"), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *revision = g_strdup_printf ("versions.%u.revision", i);
      g_autofree char *file_id = g_strdup_printf ("versions.%u.file_id", i);
      g_autofree char *size = g_strdup_printf ("versions.%u.size", i);
      g_autofree char *mtime = g_strdup_printf ("versions.%u.mtime", i);
      g_autofree char *created = g_strdup_printf ("versions.%u.created_at", i);
      g_autoptr(GDateTime) when = NULL;

      /* Newest first. */
      g_assert_cmpint (allset_test_response_get_int (versions, revision), ==, *revs[i]);
      g_assert_cmpstr (allset_test_response_get_string (versions, file_id), ==, contents[i]->file_id);
      g_assert_cmpint (allset_test_response_get_int (versions, size), ==, contents[i]->size);
      g_assert_cmpint (allset_test_response_get_int (versions, mtime), ==, ALLSET_TEST_MTIME);
      when = g_date_time_new_from_iso8601 (allset_test_response_get_string (versions, created), NULL);
      g_assert_nonnull (when);
    }

  restore = allset_test_post_jsonf (server, "/api/v1/versions/restore", token,
                                    "{\"path\": \"hist/v.txt\", \"revision\": %" G_GINT64_FORMAT "}", rev_a);
  allset_test_assert_status (restore, 200);
  rev_new = allset_test_response_get_int (restore, "revision");
  g_assert_cmpint (rev_new, >, rev_c);
  g_assert_cmpstr (allset_test_response_get_string (restore, "path"), ==, "hist/v.txt");
  g_assert_cmpstr (allset_test_response_get_string (restore, "file_id"), ==, a->file_id);
  allset_test_assert_receipt_valid (allset_test_response_get_node (restore, "receipt"), receipt_key);
  g_assert_cmpint (allset_test_response_get_int (restore, "receipt.revision"), ==, rev_new);

  live = get_file (token, "hist/v.txt");
  g_assert_cmpint (allset_test_response_get_int (live, "revision"), ==, rev_new);
  g_assert_cmpstr (allset_test_response_get_string (live, "file_id"), ==, a->file_id);

  after = allset_test_get (server, "/api/v1/versions?path=hist%2Fv.txt", token);
  g_assert_cmpuint (allset_test_response_get_length (after, "versions"), ==, 4);
  g_assert_cmpint (allset_test_response_get_int (after, "versions.0.revision"), ==, rev_new);
  g_assert_cmpstr (allset_test_response_get_string (after, "versions.0.file_id"), ==, a->file_id);

  bad = allset_test_post_json (server, "/api/v1/versions/restore", token,
                               "{\"path\": \"hist/v.txt\", \"revision\": 987654321}");
  allset_test_assert_error (bad, 404, "not_found");
  none = allset_test_get (server, "/api/v1/versions?path=hist%2Fnone", token);
  allset_test_assert_error (none, 404, "not_found");
}

static gint64
used (const char *token)
{
  g_autoptr(AllsetTestResponse) r = allset_test_get (server, "/api/v1/account", token);

  allset_test_assert_status (r, 200);
  return allset_test_response_get_int (r, "used");
}

/* Quota 300 KiB. A batch that would exceed it applies nothing. */
static void
test_quota (void)
{
  g_autofree char *token = login ("quota");
  g_autoptr(AllsetTestContent) c1 = upload (token, 200 * 1024, 100 * 1024);
  g_autoptr(AllsetTestContent) c2 = upload (token, 150 * 1024, 100 * 1024);
  g_autoptr(AllsetTestContent) c3 = allset_test_content_new (120 * 1024, 120 * 1024);
  g_autoptr(GBytes) c3_chunk = allset_test_content_chunk (c3, 0);
  g_autoptr(AllsetTestResponse) over = NULL, ok = NULL, full = NULL, root = NULL, mkdir = NULL;
  g_autoptr(AllsetTestResponse) del = NULL, later = NULL;
  gint64 cursor = allset_test_cursor (server, token);

  over = allset_test_commit (server, token,
                             allset_test_op_mkdir ("q", 0),
                             allset_test_op_put ("q/a", 0, c1),
                             allset_test_op_put ("q/b", 0, c2),
                             NULL);
  allset_test_assert_error (over, 507, "quota_exceeded");
  g_assert_cmpint (allset_test_cursor (server, token), ==, cursor);
  g_assert_cmpint (used (token), ==, 0);
  root = allset_test_get (server, "/api/v1/list", token);
  g_assert_cmpuint (allset_test_response_get_length (root, "entries"), ==, 0);

  ok = allset_test_commit (server, token, allset_test_op_put ("q/a", 0, c1), NULL);
  result_revision (ok, 0);
  g_assert_cmpint (used (token), ==, 200 * 1024);

  /* Storing 120 KiB more would pass 300 KiB. */
  full = allset_test_put_chunk (server, token, c3_chunk);
  allset_test_assert_error (full, 507, "quota_exceeded");

  /* Over quota (the administrator lowered it): what does not grow the
   * account still works, so it can delete its way back. */
  g_assert_cmpint (allset_test_server_admin (server, NULL, NULL, "quota", "quota", "100K", NULL), ==, 0);
  mkdir = allset_test_commit (server, token, allset_test_op_mkdir ("q/d", 0), NULL);
  result_revision (mkdir, 0);
  {
    g_autoptr(AllsetTestResponse) grow = allset_test_commit (server, token, allset_test_op_put ("q/b", 0, c2), NULL);

    allset_test_assert_error (grow, 507, "quota_exceeded");
  }
  {
    g_autoptr(AllsetTestResponse) a = get_file (token, "q/a");

    del = allset_test_commit (server, token,
                              allset_test_op_delete ("q/a", allset_test_response_get_int (a, "revision")), NULL);
    result_revision (del, 0);
  }
  /* Trash and versions do not count. */
  g_assert_cmpint (used (token), ==, 0);
  g_assert_cmpint (allset_test_server_admin (server, NULL, NULL, "quota", "quota", "300K", NULL), ==, 0);

  later = allset_test_put_chunk (server, token, c3_chunk);
  allset_test_assert_status (later, 201);
}

/* Terms R21: another account's paths, versions, trash entries and chunks
 * do not exist for bob, exactly as if nobody had them. */
static void
test_partition (void)
{
  g_autofree char *alice = login ("alice");
  g_autofree char *bob = login ("bob");
  g_autoptr(AllsetTestContent) v1 = upload (alice, 2000, 1000);
  g_autoptr(AllsetTestContent) v2 = upload (alice, 3000, 1000);
  g_autoptr(AllsetTestResponse) p1 = NULL, p2 = NULL, d = NULL, trash = NULL;
  gint64 rev1, rev2, trash_id;
  g_autofree char *chunk_path = g_strdup_printf ("/api/v1/chunks/%s", v1->chunk_ids[0]);
  g_autofree char *old_file = NULL, *restore_version = NULL, *restore_trash = NULL;

  p1 = allset_test_commit (server, alice,
                           allset_test_op_put ("part/s.txt", 0, v1),
                           allset_test_op_put ("part/t.txt", 0, v1),
                           NULL);
  rev1 = result_revision (p1, 0);
  p2 = allset_test_commit (server, alice, allset_test_op_put ("part/s.txt", rev1, v2), NULL);
  rev2 = result_revision (p2, 0);
  d = allset_test_commit (server, alice, allset_test_op_delete ("part/t.txt", result_revision (p1, 1)), NULL);
  result_revision (d, 0);
  trash = allset_test_get (server, "/api/v1/trash", alice);
  trash_id = trash_member (trash, find_trash (trash, "part/t.txt"), "trash_id");

  old_file = g_strdup_printf ("/api/v1/file?path=part%%2Fs.txt&revision=%" G_GINT64_FORMAT, rev1);
  restore_version = g_strdup_printf ("{\"path\": \"part/s.txt\", \"revision\": %" G_GINT64_FORMAT "}", rev1);
  restore_trash = g_strdup_printf ("{\"trash_id\": %" G_GINT64_FORMAT "}", trash_id);

  {
    const char *const gets[] = {
      "/api/v1/file?path=part%2Fs.txt", old_file, "/api/v1/versions?path=part%2Fs.txt",
      "/api/v1/list?path=part", chunk_path,
    };

    for (guint i = 0; i < G_N_ELEMENTS (gets); i++)
      {
        g_autoptr(AllsetTestResponse) r = allset_test_get (server, gets[i], bob);

        allset_test_assert_error (r, 404, "not_found");
      }
  }
  {
    g_autoptr(AllsetTestResponse) rv = allset_test_post_json (server, "/api/v1/versions/restore", bob, restore_version);
    g_autoptr(AllsetTestResponse) rt = allset_test_post_json (server, "/api/v1/trash/restore", bob, restore_trash);
    g_autoptr(AllsetTestResponse) root = allset_test_get (server, "/api/v1/list", bob);
    g_autoptr(AllsetTestResponse) bob_trash = allset_test_get (server, "/api/v1/trash", bob);
    g_autoptr(AllsetTestResponse) changes = allset_test_get (server, "/api/v1/changes?cursor=0", bob);
    g_autoptr(AllsetTestResponse) commit = NULL;

    allset_test_assert_error (rv, 404, "not_found");
    allset_test_assert_error (rt, 404, "not_found");
    allset_test_assert_status (root, 200);
    g_assert_cmpuint (allset_test_response_get_length (root, "entries"), ==, 0);
    g_assert_cmpuint (allset_test_response_get_length (bob_trash, "entries"), ==, 0);
    g_assert_cmpuint (allset_test_response_get_length (changes, "changes"), ==, 0);
    g_assert_cmpint (allset_test_response_get_int (changes, "cursor"), ==, 0);
    g_assert_cmpint (used (bob), ==, 0);

    /* Alice's chunks and revisions mean nothing to bob's commits. */
    commit = allset_test_commit (server, bob,
                                 allset_test_op_put ("part/s.txt", 0, v1),
                                 allset_test_op_delete ("part/s.txt", rev2),
                                 NULL);
    allset_test_assert_status (commit, 200);
    g_assert_cmpint (allset_test_response_get_int (commit, "results.0.status"), ==, 422);
    g_assert_cmpstr (allset_test_response_get_string (commit, "results.0.error.code"), ==, "unknown_chunk");
    g_assert_cmpint (allset_test_response_get_int (commit, "results.1.status"), ==, 409);
    g_assert_cmpint (allset_test_response_get_int (commit, "results.1.current_revision"), ==, 0);
  }

  /* Alice's data is untouched. */
  assert_file_is (alice, "part/s.txt", v2);
}

/* ------------------------------------------------------------------ */
/* The changes feed                                                   */

static void
assert_change (AllsetTestResponse *r,
               guint               i,
               const char         *op,
               const char         *path,
               gint64              revision)
{
  g_autofree char *op_path = g_strdup_printf ("changes.%u.op", i);
  g_autofree char *path_path = g_strdup_printf ("changes.%u.path", i);
  g_autofree char *rev_path = g_strdup_printf ("changes.%u.revision", i);

  g_assert_cmpstr (allset_test_response_get_string (r, op_path), ==, op);
  g_assert_cmpstr (allset_test_response_get_string (r, path_path), ==, path);
  g_assert_cmpint (allset_test_response_get_int (r, rev_path), ==, revision);
}

static void
test_changes (void)
{
  g_autofree char *token = login ("chg");
  g_autoptr(AllsetTestContent) v = upload (token, 3, 3);
  g_autoptr(AllsetTestResponse) c1 = NULL, c2 = NULL, c3 = NULL, c4 = NULL;
  g_autoptr(AllsetTestResponse) all = NULL, page1 = NULL, page2 = NULL, end = NULL, future = NULL;
  gint64 r1, r2, r3, r4;

  c1 = allset_test_commit (server, token, allset_test_op_put ("a.txt", 0, v), NULL);
  r1 = result_revision (c1, 0);
  c2 = allset_test_commit (server, token, allset_test_op_mkdir ("Docs", 0), NULL);
  r2 = result_revision (c2, 0);
  c3 = allset_test_commit (server, token, allset_test_op_move ("a.txt", "Docs/a.txt", r1), NULL);
  r3 = result_revision (c3, 0);
  c4 = allset_test_commit (server, token, allset_test_op_delete ("Docs/a.txt", r3), NULL);
  r4 = result_revision (c4, 0);

  /* The cursor only grows, commit after commit. */
  g_assert_cmpint (r1, <, r2);
  g_assert_cmpint (r2, <, r3);
  g_assert_cmpint (r3, <, r4);
  g_assert_cmpint (allset_test_response_get_int (c4, "cursor"), ==, r4);
  g_assert_cmpint (allset_test_cursor (server, token), ==, r4);

  all = allset_test_get (server, "/api/v1/changes?cursor=0", token);
  allset_test_assert_status (all, 200);
  g_assert_cmpint (allset_test_response_get_int (all, "cursor"), ==, r4);
  g_assert_false (allset_test_response_get_bool (all, "has_more"));
  g_assert_cmpuint (allset_test_response_get_length (all, "changes"), ==, 4);
  assert_change (all, 0, "put", "a.txt", r1);
  g_assert_cmpstr (allset_test_response_get_string (all, "changes.0.file_id"), ==, v->file_id);
  g_assert_cmpint (allset_test_response_get_int (all, "changes.0.size"), ==, 3);
  g_assert_cmpint (allset_test_response_get_int (all, "changes.0.mtime"), ==, ALLSET_TEST_MTIME);
  g_assert_false (allset_test_response_get_bool (all, "changes.0.executable"));
  assert_change (all, 1, "mkdir", "Docs", r2);
  assert_change (all, 2, "move", "a.txt", r3);
  g_assert_cmpstr (allset_test_response_get_string (all, "changes.2.to"), ==, "Docs/a.txt");
  assert_change (all, 3, "delete", "Docs/a.txt", r4);
  for (guint i = 1; i < 4; i++)
    {
      g_autofree char *prev = g_strdup_printf ("changes.%u.seq", i - 1);
      g_autofree char *cur = g_strdup_printf ("changes.%u.seq", i);

      g_assert_cmpint (allset_test_response_get_int (all, prev), <, allset_test_response_get_int (all, cur));
    }
  g_assert_cmpint (allset_test_response_get_int (all, "changes.3.seq"), ==, r4);

  /* Pages. */
  page1 = allset_test_get (server, "/api/v1/changes?cursor=0&limit=2", token);
  g_assert_cmpuint (allset_test_response_get_length (page1, "changes"), ==, 2);
  g_assert_true (allset_test_response_get_bool (page1, "has_more"));
  g_assert_cmpint (allset_test_response_get_int (page1, "cursor"), ==,
                   allset_test_response_get_int (page1, "changes.1.seq"));
  page2 = allset_test_getf (server, token, "/api/v1/changes?cursor=%" G_GINT64_FORMAT "&limit=2",
                            allset_test_response_get_int (page1, "cursor"));
  g_assert_cmpuint (allset_test_response_get_length (page2, "changes"), ==, 2);
  g_assert_false (allset_test_response_get_bool (page2, "has_more"));
  assert_change (page2, 0, "move", "a.txt", r3);
  g_assert_cmpint (allset_test_response_get_int (page2, "cursor"), ==, r4);

  end = allset_test_getf (server, token, "/api/v1/changes?cursor=%" G_GINT64_FORMAT, r4);
  g_assert_cmpuint (allset_test_response_get_length (end, "changes"), ==, 0);
  g_assert_cmpint (allset_test_response_get_int (end, "cursor"), ==, r4);
  g_assert_false (allset_test_response_get_bool (end, "has_more"));

  /* A cursor from the future answers where the feed really is. */
  future = allset_test_get (server, "/api/v1/changes?cursor=1000000000", token);
  allset_test_assert_status (future, 200);
  g_assert_cmpuint (allset_test_response_get_length (future, "changes"), ==, 0);
  g_assert_cmpint (allset_test_response_get_int (future, "cursor"), ==, r4);

  {
    const char *const bad[] = {
      "cursor=-1", "cursor=abc", "cursor=1.5", "limit=0", "limit=1001", "limit=x", "cursor=",
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(AllsetTestResponse) r = allset_test_getf (server, token, "/api/v1/changes?%s", bad[i]);

        allset_test_assert_error (r, 400, "bad_request");
      }
  }
}

/* ------------------------------------------------------------------ */
/* Push (long poll)                                                   */

static void
test_push (void)
{
  g_autofree char *token = login ("pusher");
  g_autofree char *carol = login ("carol");
  g_autoptr(AllsetTestContent) v = upload (token, 10, 10);
  g_autoptr(SoupSession) waiter_session = allset_test_server_new_session (server);
  g_autoptr(SoupSession) other_session = allset_test_server_new_session (server);
  gint64 limit_us = (allset_test_is_sanitized () ? 300 : 100) * 1000;
  gint64 worst = G_MININT64;
  g_autoptr(GString) figures = g_string_new (NULL);
  g_autoptr(GString) from_send = g_string_new (NULL);

  /* Open both connections first: the figures are about push, not TLS. */
  {
    g_autoptr(AllsetTestResponse) warm1 = allset_test_request (server, waiter_session, "GET", "/api/v1/account",
                                                               token, NULL, NULL, NULL);
    g_autoptr(AllsetTestResponse) warm2 = allset_test_request (server, other_session, "GET", "/api/v1/account",
                                                               token, NULL, NULL, NULL);

    allset_test_assert_status (warm1, 200);
    allset_test_assert_status (warm2, 200);
  }

  for (guint round = 0; round < 5; round++)
    {
      gint64 cursor = allset_test_cursor (server, token);
      g_autofree char *wait_path = g_strdup_printf ("/api/v1/changes/wait?cursor=%" G_GINT64_FORMAT "&timeout=20",
                                                    cursor);
      g_autofree char *file = g_strdup_printf ("push/f%u", round);
      g_autoptr(AllsetTestPending) wait = NULL, second = NULL;
      g_autoptr(AllsetTestResponse) commit = NULL;
      AllsetTestResponse *woken, *woken2;
      gint64 commit_sent_at, committed_at, latency;

      wait = allset_test_request_start (server, waiter_session, "GET", wait_path, token, NULL, NULL, NULL);
      second = allset_test_request_start (server, other_session, "GET", wait_path, token, NULL, NULL, NULL);
      allset_test_iterate_for (300);
      /* Parked: nothing happened yet. */
      g_assert_false (allset_test_pending_is_done (wait));
      g_assert_false (allset_test_pending_is_done (second));

      commit_sent_at = g_get_monotonic_time ();
      commit = allset_test_commit (server, token, allset_test_op_put (file, 0, v), NULL);
      committed_at = g_get_monotonic_time ();
      result_revision (commit, 0);

      woken = allset_test_pending_wait (wait);
      woken2 = allset_test_pending_wait (second);
      allset_test_assert_status (woken, 200);
      g_assert_true (allset_test_response_get_bool (woken, "changed"));
      g_assert_cmpint (allset_test_response_get_int (woken, "cursor"), ==,
                       allset_test_response_get_int (commit, "cursor"));
      allset_test_assert_status (woken2, 200);
      g_assert_true (allset_test_response_get_bool (woken2, "changed"));

      /* Negative: the push arrived before the commit's own answer. */
      latency = allset_test_pending_get_finished_at (wait) - committed_at;
      worst = MAX (worst, latency);
      g_string_append_printf (figures, "%s%.1f", round > 0 ? ", " : "", latency / 1000.0);
      g_string_append_printf (from_send, "%s%.1f", round > 0 ? ", " : "",
                              (allset_test_pending_get_finished_at (wait) - commit_sent_at) / 1000.0);
      g_assert_cmpint (latency, <=, limit_us);
    }
  g_test_message ("push: long poll answered %s ms after the commit's response (limit %" G_GINT64_FORMAT " ms); "
                  "%s ms after the commit was sent", figures->str, limit_us / 1000, from_send->str);

  /* Already behind: at once. */
  {
    g_autoptr(AllsetTestResponse) r = allset_test_get (server, "/api/v1/changes/wait?cursor=0&timeout=20", token);

    allset_test_assert_status (r, 200);
    g_assert_true (allset_test_response_get_bool (r, "changed"));
    g_assert_cmpint (allset_test_response_get_int (r, "cursor"), ==, allset_test_cursor (server, token));
  }

  /* Timeout, while another account commits (which must not wake it). */
  {
    gint64 cursor = allset_test_cursor (server, token);
    g_autofree char *path = g_strdup_printf ("/api/v1/changes/wait?cursor=%" G_GINT64_FORMAT "&timeout=1", cursor);
    g_autoptr(AllsetTestPending) wait = allset_test_request_start (server, waiter_session, "GET", path, token,
                                                                   NULL, NULL, NULL);
    g_autoptr(AllsetTestResponse) other = NULL;
    AllsetTestResponse *r;
    gint64 elapsed;

    allset_test_iterate_for (200);
    other = allset_test_commit (server, carol, allset_test_op_mkdir ("push-elsewhere", 0), NULL);
    result_revision (other, 0);
    r = allset_test_pending_wait (wait);
    elapsed = allset_test_pending_get_finished_at (wait) - allset_test_pending_get_started_at (wait);

    allset_test_assert_status (r, 200);
    g_assert_false (allset_test_response_get_bool (r, "changed"));
    g_assert_cmpint (allset_test_response_get_int (r, "cursor"), ==, cursor);
    /* g_timeout_add_seconds() may fire up to 1/4 s early. */
    g_assert_cmpint (elapsed, >=, 700 * 1000);
    g_assert_cmpint (elapsed, <=, 3 * G_USEC_PER_SEC);
  }

  {
    const char *const bad[] = { "cursor=0&timeout=0", "cursor=0&timeout=301", "cursor=-5", "cursor=x" };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(AllsetTestResponse) r = allset_test_getf (server, token, "/api/v1/changes/wait?%s", bad[i]);

        allset_test_assert_error (r, 400, "bad_request");
      }
  }
}

int
main (int    argc,
      char **argv)
{
  const char *args[] = { "--bandwidth-up", "0", "--bandwidth-down", "0", NULL };
  const char *accounts[] = { "alice", "bob", "carol", "chg", "pusher", NULL };
  int status;

  allset_test_init (&argc, &argv);

  server = allset_test_server_new_full (args, 0);
  for (guint i = 0; accounts[i] != NULL; i++)
    {
      g_autofree char *password = g_strdup_printf ("password of %s", accounts[i]);

      allset_test_server_add_account (server, accounts[i], password, NULL);
    }
  allset_test_server_add_account (server, "quota", "password of quota", "300K");
  receipt_key = allset_test_server_receipt_key (server);

  g_test_add_func ("/history/trash", test_trash);
  g_test_add_func ("/history/versions", test_versions);
  g_test_add_func ("/history/quota", test_quota);
  g_test_add_func ("/history/partition", test_partition);
  g_test_add_func ("/history/changes", test_changes);
  g_test_add_func ("/history/push", test_push);

  status = g_test_run ();
  g_free (receipt_key);
  allset_test_server_free (server);
  return status;
}
