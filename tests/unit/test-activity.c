/* test-activity.c — the activity list: sync events in, items out
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * AllsetActivityList is what the app's activity list and progress bar
 * show; these cases feed it the event sequences a pass emits and check
 * the items (status, message, receipt details), their order and cap,
 * and the pass's progress figures.
 */

#include <string.h>

#include "allset-activity.h"

static void
feed (AllsetActivityList  *list,
      AllsetSyncEventKind  kind,
      AllsetActionKind     action,
      const char          *path,
      guint64              bytes,
      const char          *message)
{
  AllsetSyncEvent event = { 0 };

  event.kind = kind;
  event.action = action;
  event.path = path;
  event.bytes = bytes;
  event.message = message;
  allset_activity_list_apply (list, &event, NULL);
}

static void
feed_planned (AllsetActivityList *list,
              guint               files,
              guint64             bytes)
{
  AllsetSyncEvent event = { 0 };

  event.kind = ALLSET_SYNC_EVENT_PLANNED;
  event.files = files;
  event.bytes = bytes;
  g_assert_null (allset_activity_list_apply (list, &event, NULL));
}

/* Item at position, with a reference the test drops. */
static AllsetActivity *
item_at (AllsetActivityList *list,
         guint               position)
{
  return g_list_model_get_item (G_LIST_MODEL (list), position);
}

static guint
n_items (AllsetActivityList *list)
{
  return g_list_model_get_n_items (G_LIST_MODEL (list));
}

static void
test_transfers (void)
{
  g_autoptr(AllsetActivityList) list = allset_activity_list_new (0);
  g_autoptr(AllsetReceipt) receipt = allset_receipt_new ("alice", "Sync/a.txt", 7, "ab12", 100, 1700000000);
  g_autoptr(AllsetActivity) a = NULL;
  g_autoptr(AllsetActivity) b = NULL;
  AllsetSyncEvent done = { 0 };
  guint files_done, files_total;
  guint64 bytes_done, bytes_total;

  receipt->key_id = g_strdup ("0123456789abcdef");
  allset_activity_list_begin_pass (list);
  feed_planned (list, 2, 300);

  feed (list, ALLSET_SYNC_EVENT_STARTED, ALLSET_ACTION_UPLOAD, "a.txt", 100, NULL);
  g_assert_cmpuint (n_items (list), ==, 1);
  a = item_at (list, 0);
  g_assert_cmpint (allset_activity_get_status (a), ==, ALLSET_ACTIVITY_RUNNING);
  g_assert_cmpstr (allset_activity_get_action_nick (a), ==, "upload");
  g_assert_cmpuint (allset_activity_get_bytes (a), ==, 100);
  g_assert_nonnull (allset_activity_get_time (a));

  feed (list, ALLSET_SYNC_EVENT_BYTES, ALLSET_ACTION_UPLOAD, "a.txt", 60, NULL);
  g_assert_cmpuint (allset_activity_get_bytes_done (a), ==, 60);
  allset_activity_list_get_progress (list, &files_done, &files_total, &bytes_done, &bytes_total);
  g_assert_cmpuint (files_done, ==, 0);
  g_assert_cmpuint (bytes_done, ==, 60);

  done.kind = ALLSET_SYNC_EVENT_DONE;
  done.action = ALLSET_ACTION_UPLOAD;
  done.path = "a.txt";
  done.bytes = 100;
  done.receipt = receipt;
  g_assert_true (allset_activity_list_apply (list, &done, NULL) == a);
  g_assert_cmpint (allset_activity_get_status (a), ==, ALLSET_ACTIVITY_VERIFIED);
  g_assert_true (allset_activity_is_finished (a));
  g_assert_cmpint (allset_activity_get_revision (a), ==, 7);
  g_assert_cmpstr (allset_activity_get_file_id (a), ==, "ab12");
  g_assert_cmpstr (allset_activity_get_key_id (a), ==, "0123456789abcdef");
  g_assert_nonnull (allset_activity_get_receipt_time (a));
  g_assert_null (allset_activity_get_message (a));
  /* The 40 bytes that did not travel (reused chunks) are done with the file. */
  allset_activity_list_get_progress (list, &files_done, &files_total, &bytes_done, &bytes_total);
  g_assert_cmpuint (files_done, ==, 1);
  g_assert_cmpuint (files_total, ==, 2);
  g_assert_cmpuint (bytes_done, ==, 100);
  g_assert_cmpuint (bytes_total, ==, 300);

  /* A failure reported without its action (allset_sync_fail()) lands on
   * the path's running item and keeps its action. */
  feed (list, ALLSET_SYNC_EVENT_STARTED, ALLSET_ACTION_DOWNLOAD, "dir/b.bin", 200, NULL);
  feed (list, ALLSET_SYNC_EVENT_FAILED, 0, "dir/b.bin", 0, "changed since the scan; not replaced");
  g_assert_cmpuint (n_items (list), ==, 2);
  b = item_at (list, 0);   /* newest first */
  g_assert_cmpstr (allset_activity_get_path (b), ==, "dir/b.bin");
  g_assert_cmpint (allset_activity_get_action (b), ==, ALLSET_ACTION_DOWNLOAD);
  g_assert_cmpint (allset_activity_get_status (b), ==, ALLSET_ACTIVITY_FAILED);
  g_assert_cmpstr (allset_activity_get_message (b), ==, "changed since the scan; not replaced");
  g_assert_cmpint (allset_activity_get_revision (b), ==, 0);
  allset_activity_list_get_progress (list, &files_done, &files_total, &bytes_done, &bytes_total);
  g_assert_cmpuint (files_done, ==, 2);
  g_assert_cmpuint (bytes_done, ==, 300);
}

static void
test_verify_failed_wins (void)
{
  g_autoptr(AllsetActivityList) list = allset_activity_list_new (0);
  g_autoptr(AllsetActivity) item = NULL;
  guint files_done;

  allset_activity_list_begin_pass (list);
  feed_planned (list, 1, 10);
  feed (list, ALLSET_SYNC_EVENT_STARTED, ALLSET_ACTION_DOWNLOAD, "c.txt", 10, NULL);
  feed (list, ALLSET_SYNC_EVENT_VERIFY_FAILED, 0, "c.txt", 0, "NOT VERIFIED: bad signature");
  feed (list, ALLSET_SYNC_EVENT_FAILED, 0, "c.txt", 0, "NOT VERIFIED: bad signature (issue)");
  g_assert_cmpuint (n_items (list), ==, 1);
  item = item_at (list, 0);
  g_assert_cmpint (allset_activity_get_status (item), ==, ALLSET_ACTIVITY_VERIFY_FAILED);
  g_assert_cmpstr (allset_activity_get_message (item), ==, "NOT VERIFIED: bad signature");
  /* Counted once. */
  allset_activity_list_get_progress (list, &files_done, NULL, NULL, NULL);
  g_assert_cmpuint (files_done, ==, 1);

  /* A verification failure of a file no action touched in this pass
   * (verify_unverified) still shows. */
  feed (list, ALLSET_SYNC_EVENT_VERIFY_FAILED, 0, "old.txt", 0, "NOT VERIFIED: receipt");
  g_assert_cmpuint (n_items (list), ==, 2);
  g_clear_object (&item);
  item = item_at (list, 0);
  g_assert_cmpstr (allset_activity_get_path (item), ==, "old.txt");
  g_assert_cmpstr (allset_activity_get_action_nick (item), ==, "");
  g_assert_cmpint (allset_activity_get_status (item), ==, ALLSET_ACTIVITY_VERIFY_FAILED);
}

static void
test_conflict_moves_and_noise (void)
{
  g_autoptr(AllsetActivityList) list = allset_activity_list_new (0);
  g_autoptr(AllsetActivity) first = NULL;
  g_autoptr(AllsetActivity) last = NULL;
  AllsetSyncEvent event = { 0 };

  allset_activity_list_begin_pass (list);
  feed (list, ALLSET_SYNC_EVENT_STARTED, ALLSET_ACTION_RECORD_BASE, "same.txt", 0, NULL);
  feed (list, ALLSET_SYNC_EVENT_DONE, ALLSET_ACTION_FORGET_BASE, "gone.txt", 0, NULL);
  g_assert_cmpuint (n_items (list), ==, 0);

  event.kind = ALLSET_SYNC_EVENT_STARTED;
  event.action = ALLSET_ACTION_CONFLICT;
  event.path = "doc.txt";
  event.to = "doc (conflit poste-B 2026-01-02 030405).txt";
  allset_activity_list_apply (list, &event, NULL);
  event.kind = ALLSET_SYNC_EVENT_DONE;
  allset_activity_list_apply (list, &event, NULL);
  /* The remote version then comes to the same path: a line of its own. */
  feed (list, ALLSET_SYNC_EVENT_STARTED, ALLSET_ACTION_DOWNLOAD, "doc.txt", 5, NULL);
  feed (list, ALLSET_SYNC_EVENT_DONE, ALLSET_ACTION_DOWNLOAD, "doc.txt", 5, NULL);
  g_assert_cmpuint (n_items (list), ==, 2);

  first = item_at (list, 1);
  g_assert_cmpint (allset_activity_get_action (first), ==, ALLSET_ACTION_CONFLICT);
  g_assert_cmpstr (allset_activity_get_to (first), ==, "doc (conflit poste-B 2026-01-02 030405).txt");
  g_assert_cmpint (allset_activity_get_status (first), ==, ALLSET_ACTIVITY_DONE);
  last = item_at (list, 0);
  g_assert_cmpint (allset_activity_get_action (last), ==, ALLSET_ACTION_DOWNLOAD);
  /* No receipt: done, not "verified". */
  g_assert_cmpint (allset_activity_get_status (last), ==, ALLSET_ACTIVITY_DONE);
}

static void
test_deferred (void)
{
  g_autoptr(AllsetActivityList) list = allset_activity_list_new (0);
  g_autoptr(AllsetActivity) item = NULL;
  guint files_done, files_total;
  guint64 bytes_done, bytes_total;

  allset_activity_list_begin_pass (list);
  feed_planned (list, 1, 10);
  feed (list, ALLSET_SYNC_EVENT_DEFERRED, ALLSET_ACTION_DOWNLOAD, "video.mp4", 50000000, NULL);
  item = item_at (list, 0);
  g_assert_cmpint (allset_activity_get_status (item), ==, ALLSET_ACTIVITY_DEFERRED);
  g_assert_cmpuint (allset_activity_get_bytes (item), ==, 50000000);
  g_assert_nonnull (allset_activity_get_message (item));
  /* Not part of the plan's figures. */
  allset_activity_list_get_progress (list, &files_done, &files_total, &bytes_done, &bytes_total);
  g_assert_cmpuint (files_done, ==, 0);
  g_assert_cmpuint (files_total, ==, 1);
  g_assert_cmpuint (bytes_done, ==, 0);
  g_assert_cmpuint (bytes_total, ==, 10);
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  guint      *mirror)
{
  *mirror = *mirror - removed + added;
}

static void
test_cap_and_passes (void)
{
  g_autoptr(AllsetActivityList) list = allset_activity_list_new (3);
  g_autoptr(AllsetActivity) running = NULL;
  g_autoptr(AllsetActivity) again = NULL;
  guint mirror = 0;
  guint files_done, files_total;

  g_signal_connect (list, "items-changed", G_CALLBACK (on_items_changed), &mirror);
  allset_activity_list_begin_pass (list);
  for (guint i = 1; i <= 5; i++)
    {
      g_autofree char *path = g_strdup_printf ("f%u", i);

      feed (list, ALLSET_SYNC_EVENT_STARTED, ALLSET_ACTION_UPLOAD, path, 1, NULL);
    }
  g_assert_cmpuint (n_items (list), ==, 3);
  g_assert_cmpuint (mirror, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(AllsetActivity) item = item_at (list, i);
      g_autofree char *path = g_strdup_printf ("f%u", 5 - i);

      g_assert_cmpstr (allset_activity_get_path (item), ==, path);
    }
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (list), 3));

  /* An evicted item's late event makes a new line rather than crash. */
  feed (list, ALLSET_SYNC_EVENT_DONE, ALLSET_ACTION_UPLOAD, "f1", 1, NULL);
  g_assert_cmpuint (n_items (list), ==, 3);

  /* The pass ends (cancelled): what still runs fails with the reason. */
  running = item_at (list, 1);
  g_assert_cmpint (allset_activity_get_status (running), ==, ALLSET_ACTIVITY_RUNNING);
  g_assert_cmpuint (allset_activity_list_end_pass (list, "Operation was cancelled"), ==, 2);
  g_assert_cmpint (allset_activity_get_status (running), ==, ALLSET_ACTIVITY_FAILED);
  g_assert_cmpstr (allset_activity_get_message (running), ==, "Operation was cancelled");

  /* Next pass: progress from zero, a new line for the same path. */
  allset_activity_list_begin_pass (list);
  allset_activity_list_get_progress (list, &files_done, &files_total, NULL, NULL);
  g_assert_cmpuint (files_done, ==, 0);
  g_assert_cmpuint (files_total, ==, 0);
  feed (list, ALLSET_SYNC_EVENT_FAILED, ALLSET_ACTION_UPLOAD, allset_activity_get_path (running), 0, "x");
  again = item_at (list, 0);
  g_assert_true (again != running);

  allset_activity_list_clear (list);
  g_assert_cmpuint (n_items (list), ==, 0);
  g_assert_cmpuint (mirror, ==, 0);
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           GString    *log)
{
  g_string_append_printf (log, "%s;", pspec->name);
}

static void
test_notify (void)
{
  g_autoptr(AllsetActivityList) list = allset_activity_list_new (0);
  g_autoptr(AllsetActivity) item = NULL;
  g_autoptr(GString) log = g_string_new (NULL);

  allset_activity_list_begin_pass (list);
  feed (list, ALLSET_SYNC_EVENT_STARTED, ALLSET_ACTION_DELETE_LOCAL, "old", 0, NULL);
  item = item_at (list, 0);
  g_signal_connect (item, "notify", G_CALLBACK (on_notify), log);
  feed (list, ALLSET_SYNC_EVENT_DONE, ALLSET_ACTION_DELETE_LOCAL, "old", 0, NULL);
  g_assert_nonnull (strstr (log->str, "status;"));
  g_assert_null (strstr (log->str, "action;"));   /* unchanged: not notified */
  g_assert_cmpint (allset_activity_get_status (item), ==, ALLSET_ACTIVITY_DONE);
}

static void
test_event_copy (void)
{
  g_autoptr(AllsetReceipt) receipt = allset_receipt_new ("alice", "a", 3, "ff", 1, 1700000000);
  AllsetSyncEvent event = { 0 };
  g_autoptr(AllsetSyncEvent) copy = NULL;
  char path[] = "a";

  event.kind = ALLSET_SYNC_EVENT_DONE;
  event.action = ALLSET_ACTION_UPLOAD;
  event.path = path;
  event.message = "m";
  event.receipt = receipt;
  copy = allset_sync_event_copy (&event);
  path[0] = 'z';
  g_assert_cmpstr (copy->path, ==, "a");
  g_assert_cmpstr (copy->message, ==, "m");
  g_assert_null (copy->to);
  g_assert_true (copy->receipt != receipt);
  g_assert_cmpint (copy->receipt->revision, ==, 3);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/activity/transfers", test_transfers);
  g_test_add_func ("/activity/verify-failed-wins", test_verify_failed_wins);
  g_test_add_func ("/activity/conflict-and-noise", test_conflict_moves_and_noise);
  g_test_add_func ("/activity/deferred", test_deferred);
  g_test_add_func ("/activity/cap-and-passes", test_cap_and_passes);
  g_test_add_func ("/activity/notify", test_notify);
  g_test_add_func ("/activity/event-copy", test_event_copy);

  return g_test_run ();
}
