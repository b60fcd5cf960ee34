/* test-garbled-answers.c — the engine told wrong things by its server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The soak puts one client behind garble-proxy.c at random; this is the
 * case it found, made certain. A status answer without the server's
 * receipt key (the real server's answer with that member cut out on the
 * way) once made every receipt of the pass count as verified:
 * allset_receipt_verify() refused the NULL key as a programming error,
 * without an error, which the pass read as success. Now the pass still
 * uploads and commits, but the file is NOT VERIFIED — counted, reported
 * with why, left pending — and the next pass, told the truth, verifies
 * it (DESIGN.md §4, terms R13).
 *
 * The second case: a path cut short in the changes feed ("docs/ne" for
 * "docs/new") left a client trying, pass after pass, to download a file
 * the server never had, and never getting the one it has. Now the pass
 * that finds the server still denying the same revision after a feed
 * reads the feed again from the start (allset-sync-remote-check.c).
 *
 * The third: a chunk sent while the scan read its file is answered with
 * an error (after the server stored it). Chunks stop going ahead; the
 * transfer step asks the server what it lacks and sends the rest, and the
 * pass uploads the file as if nothing had happened
 * (allset-transfer-ahead.c).
 */

#include <string.h>

#include <glib/gstdio.h>

#include "allset-journal.h"
#include "allset-sync.h"
#include "garble-proxy.h"
#include "test-cli-server.h"

static TestCliServer *server;

typedef struct
{
  char               *root;
  AllsetFolderConfig  folder;
  GarbleProxy        *proxy;
  AllsetClient       *client;   /* through the proxy */
  gint                strip;    /* the status loses its receipt key */
  gint                cut;      /* the feed says docs/ne for docs/new */
  gint                drop;     /* the feed loses its deletions */
  gint                fail_put; /* the next chunk upload's answer is a 500 */
  gint                put_failed;
} Fixture;

/* The answer's JSON object, and back. */
static JsonObject *
parse_answer (GBytes    *body,
              JsonNode **node)
{
  gsize len;
  const char *data = g_bytes_get_data (body, &len);
  g_autofree char *text = g_strndup (data, len);

  *node = json_from_string (text, NULL);
  g_assert_true (*node != NULL && JSON_NODE_HOLDS_OBJECT (*node));
  return json_node_get_object (*node);
}

static GBytes *
answer_bytes (JsonNode *node)
{
  char *out = json_to_string (node, FALSE);

  return g_bytes_new_take (out, strlen (out));
}

static GBytes *
strip_receipt_key (GBytes *body)
{
  g_autoptr(JsonNode) node = NULL;
  JsonObject *status = parse_answer (body, &node);

  g_assert_true (json_object_has_member (status, "receipt_key"));
  json_object_remove_member (status, "receipt_key");
  return answer_bytes (node);
}

static GBytes *
cut_path (GBytes *body)
{
  gsize len;
  const char *data = g_bytes_get_data (body, &len);
  g_autofree char *text = g_strndup (data, len);
  g_auto(GStrv) parts = g_strsplit (text, "docs/new\"", -1);
  char *out = g_strjoinv ("docs/ne\"", parts);

  return g_bytes_new_take (out, strlen (out));
}

static GBytes *
drop_deletions (GBytes *body)
{
  g_autoptr(JsonNode) node = NULL;
  JsonArray *changes = json_object_get_array_member (parse_answer (body, &node), "changes");

  for (guint i = json_array_get_length (changes); i > 0; i--)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (changes, i - 1), "op"),
                   "delete") == 0)
      json_array_remove_element (changes, i - 1);
  return answer_bytes (node);
}

static GBytes *
rewrite_answer (const char *method,
                const char *path,
                guint      *status,
                GBytes     *body,
                gpointer    user_data)
{
  Fixture *f = user_data;

  if (g_atomic_int_get (&f->strip) && g_strcmp0 (path, "/api/v1/status") == 0)
    return strip_receipt_key (body);
  if (g_atomic_int_get (&f->cut) && g_str_has_prefix (path, "/api/v1/changes"))
    return cut_path (body);
  if (g_atomic_int_get (&f->drop) && g_strcmp0 (path, "/api/v1/changes") == 0)
    return drop_deletions (body);
  if (g_strcmp0 (method, "PUT") == 0 && g_str_has_prefix (path, "/api/v1/chunks/") &&
      g_atomic_int_compare_and_exchange (&f->fail_put, TRUE, FALSE))
    {
      const char *answer = "{\"error\": {\"code\": \"internal\", \"message\": \"garbled\"}}";

      g_atomic_int_inc (&f->put_failed);
      *status = 500;
      return g_bytes_new_static (answer, strlen (answer));
    }
  return NULL;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  static guint accounts;
  g_autofree char *user = g_strdup_printf ("garbled%u", ++accounts);
  g_autofree char *cert = g_build_filename (server->dir, "data", "tls", "cert.pem", NULL);
  g_autofree char *key = g_build_filename (server->dir, "data", "tls", "key.pem", NULL);
  g_autoptr(AllsetLoginInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  f->root = g_dir_make_tmp ("allset-garbled-XXXXXX", NULL);
  g_assert_nonnull (f->root);
  f->folder.id = g_strdup ("garbled");
  f->folder.local = g_build_filename (f->root, "local", NULL);
  f->folder.remote = g_strdup ("Garbled");
  f->folder.journal = g_build_filename (f->root, "garbled.db", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->folder.local, 0700), ==, 0);

  f->proxy = garble_proxy_new (server->url, cert, key, 1);
  garble_proxy_set_rewrite (f->proxy, rewrite_answer, f);
  test_cli_add_account (server, user, NULL);
  f->client = allset_client_new (garble_proxy_get_url (f->proxy), server->fingerprint, NULL, &error);
  g_assert_no_error (error);
  info = allset_client_login (f->client, user, TEST_CLI_PASSWORD, "garbled", NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *quoted = g_shell_quote (f->root);
  g_autofree char *command = g_strdup_printf ("rm -rf %s", quoted);

  g_clear_object (&f->client);
  g_clear_pointer (&f->proxy, garble_proxy_free);
  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
  g_free (f->root);
  g_free (f->folder.id);
  g_free (f->folder.local);
  g_free (f->folder.remote);
  g_free (f->folder.journal);
}

static AllsetSyncReport *
run_pass (Fixture *f)
{
  AllsetSyncReport *report = allset_sync_report_new ();
  g_autoptr(GError) error = NULL;
  AllsetSyncOptions options = { FALSE, "garbled" };

  allset_sync_folder (f->client, &f->folder, &options, report, NULL, &error);
  g_assert_no_error (error);
  return report;
}

static AllsetFileState
state_of (Fixture    *f,
          const char *path)
{
  g_autoptr(AllsetJournal) journal = NULL;
  g_autoptr(AllsetBaseEntry) entry = NULL;
  g_autoptr(GError) error = NULL;

  journal = allset_journal_open (f->folder.journal, &error);
  g_assert_no_error (error);
  entry = allset_journal_base_get (journal, path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (entry);
  return entry->state;
}

static void
test_no_receipt_key (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *file = g_build_filename (f->folder.local, "a.txt", NULL);
  g_autoptr(AllsetSyncReport) first = NULL;
  g_autoptr(AllsetSyncReport) second = NULL;

  g_assert_true (g_file_set_contents (file, "what the server must prove it keeps", -1, NULL));

  g_atomic_int_set (&f->strip, TRUE);
  g_test_expect_message ("Allset-Engine", G_LOG_LEVEL_WARNING,
                         "Verification failed for a.txt: the server publishes no receipt key*");
  first = run_pass (f);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (first->uploaded, ==, 1);
  g_assert_cmpuint (first->verified, ==, 0);
  g_assert_cmpuint (first->verify_failed, ==, 1);
  g_assert_false (allset_sync_report_in_sync (first));
  g_assert_cmpint (state_of (f, "a.txt"), ==, ALLSET_FILE_PENDING);

  /* Told the truth, the next pass checks the receipt. */
  g_atomic_int_set (&f->strip, FALSE);
  second = run_pass (f);
  g_assert_cmpuint (second->verify_failed, ==, 0);
  g_assert_cmpuint (second->verified, ==, 1);
  g_assert_true (allset_sync_report_in_sync (second));
  g_assert_cmpint (state_of (f, "a.txt"), ==, ALLSET_FILE_VERIFIED);
}

static gboolean
report_says (AllsetSyncReport *report,
             const char       *start)
{
  for (guint i = 0; i < report->messages->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (report->messages, i), start))
      return TRUE;
  return FALSE;
}

static void
test_feed_path_cut (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *docs = g_build_filename (f->folder.local, "docs", NULL);
  g_autofree char *file = g_build_filename (docs, "new", NULL);
  g_autofree char *cut = g_build_filename (docs, "ne", NULL);
  g_autofree char *quoted = g_shell_quote (docs);
  g_autofree char *rm = g_strdup_printf ("rm -rf %s", quoted);
  g_autoptr(AllsetSyncReport) upload = NULL;
  g_autoptr(AllsetSyncReport) first = NULL;
  g_autoptr(AllsetSyncReport) second = NULL;
  g_autoptr(AllsetSyncReport) third = NULL;
  g_autofree char *contents = NULL;

  /* The file reaches the server; then this device starts again from
   * nothing, so that it learns of the file from the feed. */
  g_assert_cmpint (g_mkdir_with_parents (docs, 0700), ==, 0);
  g_assert_true (g_file_set_contents (file, "the whole name", -1, NULL));
  upload = run_pass (f);
  g_assert_true (allset_sync_report_in_sync (upload));
  g_assert_true (g_spawn_command_line_sync (rm, NULL, NULL, NULL, NULL));
  g_assert_cmpint (g_unlink (f->folder.journal), ==, 0);

  g_atomic_int_set (&f->cut, TRUE);
  first = run_pass (f);
  g_atomic_int_set (&f->cut, FALSE);
  g_assert_false (allset_sync_report_in_sync (first));
  g_assert_true (report_says (first, "docs/ne: cannot read it on the server"));
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));

  /* Told the truth, the feed has nothing new: the server still denies
   * what the view lists, so the view is read again. */
  g_test_expect_message ("Allset-Engine", G_LOG_LEVEL_MESSAGE,
                         "*: the server does not hold docs/ne, which its changes feed listed;*");
  second = run_pass (f);
  g_test_assert_expected_messages ();
  g_assert_false (allset_sync_report_in_sync (second));
  g_assert_true (report_says (second, "docs/ne: cannot read it on the server"));

  third = run_pass (f);
  g_assert_true (allset_sync_report_in_sync (third));
  g_assert_cmpuint (third->downloaded, ==, 1);
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "the whole name");
  g_assert_false (g_file_test (cut, G_FILE_TEST_EXISTS));
}

static void
test_ahead_refused (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *file = g_build_filename (f->folder.local, "large.bin", NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (31);
  g_autoptr(AllsetSyncReport) report = NULL;
  gsize size = 20 * 1024 * 1024;
  g_autofree guint32 *bytes = g_new (guint32, size / 4);

  /* Large enough for the scan to send its chunks as it reads them. */
  for (gsize i = 0; i < size / 4; i++)
    bytes[i] = g_rand_int (rand);
  g_assert_true (g_file_set_contents (file, (const char *) bytes, size, NULL));

  g_atomic_int_set (&f->fail_put, TRUE);
  report = run_pass (f);
  /* The first upload was refused, and it was one the scan sent: one the
   * transfer step sent would have failed its file. */
  g_assert_cmpint (g_atomic_int_get (&f->put_failed), ==, 1);
  g_assert_true (allset_sync_report_in_sync (report));
  g_assert_cmpuint (report->uploaded, ==, 1);
  g_assert_cmpuint (report->failed, ==, 0);
  g_assert_cmpuint (report->verified, ==, 1);
  g_assert_cmpint (state_of (f, "large.bin"), ==, ALLSET_FILE_VERIFIED);
}

/* The view keeps a file the server deleted: this device's deletion of it
 * is refused ("does not exist") until the view is read again. */
static void
test_feed_deletion_dropped (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *file = g_build_filename (f->folder.local, "x.txt", NULL);
  g_autoptr(AllsetSyncReport) upload = NULL;
  g_autoptr(AllsetSyncReport) first = NULL;
  g_autoptr(AllsetSyncReport) second = NULL;
  g_autoptr(AllsetSyncReport) third = NULL;
  g_autoptr(AllsetFileInfo) info = NULL;
  g_autoptr(AllsetCommitReply) reply = NULL;
  g_autoptr(JsonArray) operations = json_array_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (file, "deleted twice", -1, NULL));
  upload = run_pass (f);
  g_assert_true (allset_sync_report_in_sync (upload));

  /* Deleted on the server behind this device's back… */
  info = allset_client_file (f->client, "Garbled/x.txt", 0, NULL, &error);
  g_assert_no_error (error);
  json_array_add_object_element (operations, allset_commit_op_delete ("Garbled/x.txt", info->revision));
  reply = allset_client_commit (f->client, operations, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (((AllsetCommitResult *) g_ptr_array_index (reply->results, 0))->status, ==, 200);

  /* …and the feed does not say so; here too it is deleted. */
  g_assert_cmpint (g_unlink (file), ==, 0);
  g_atomic_int_set (&f->drop, TRUE);
  first = run_pass (f);
  g_atomic_int_set (&f->drop, FALSE);
  g_assert_false (allset_sync_report_in_sync (first));
  g_assert_true (report_says (first, "x.txt: the server refused delete-remote (conflict)"));

  g_test_expect_message ("Allset-Engine", G_LOG_LEVEL_MESSAGE,
                         "*: the server does not hold x.txt, which its changes feed listed;*");
  second = run_pass (f);
  g_test_assert_expected_messages ();
  g_assert_false (allset_sync_report_in_sync (second));

  third = run_pass (f);
  g_assert_true (allset_sync_report_in_sync (third));
  g_assert_cmpuint (third->messages->len, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  int status;

  if (!test_cli_init (&argc, &argv, "/garbled-answers"))
    return g_test_run ();

  server = test_cli_server_start (NULL);
  g_test_add ("/garbled-answers/no-receipt-key", Fixture, NULL, fixture_set_up, test_no_receipt_key,
              fixture_tear_down);
  g_test_add ("/garbled-answers/ahead-refused", Fixture, NULL, fixture_set_up, test_ahead_refused,
              fixture_tear_down);
  g_test_add ("/garbled-answers/feed-path-cut", Fixture, NULL, fixture_set_up, test_feed_path_cut,
              fixture_tear_down);
  g_test_add ("/garbled-answers/feed-deletion-dropped", Fixture, NULL, fixture_set_up,
              test_feed_deletion_dropped, fixture_tear_down);
  status = g_test_run ();
  test_cli_server_stop (server);
  return status;
}
