/* allset-sync.c — one sync pass: preflight, feed, scan, plan, local actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Transfers (uploads, downloads, commits, receipts) are in
 * allset-transfer*.c, the actions that only touch the disk and the journal
 * in allset-sync-local.c, what waits for an unmetered connection in
 * allset-sync-defer.c, a .allsetignore that changes during the pass in
 * allset-sync-rules.c; this file runs the pass.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include <libsoup/soup.h>

#include "allset-scanner.h"
#include "allset-sync-private.h"

G_DEFINE_QUARK (allset-sync-error-quark, allset_sync_error)

AllsetSyncReport *
allset_sync_report_new (void)
{
  AllsetSyncReport *self = g_new0 (AllsetSyncReport, 1);

  self->messages = g_ptr_array_new_with_free_func (g_free);
  return self;
}

void
allset_sync_report_free (AllsetSyncReport *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->messages, g_ptr_array_unref);
  g_free (self);
}

gboolean
allset_sync_report_in_sync (const AllsetSyncReport *self)
{
  return self->held_deletions == 0 && self->failed == 0 && self->skipped == 0 &&
         self->deferred == 0 &&
         self->verify_failed == 0;
}

/* ---- helpers shared with allset-transfer.c ------------------------------ */

void
allset_sync_emit (AllsetSyncPass        *pass,
                  const AllsetSyncEvent *event)
{
  if (pass->options != NULL && pass->options->on_event != NULL)
    pass->options->on_event (event, pass->options->on_event_data);
}

void
allset_sync_emit_path (AllsetSyncPass      *pass,
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
  allset_sync_emit (pass, &event);
}

void
allset_sync_emit_action (AllsetSyncPass      *pass,
                         AllsetSyncEventKind  kind,
                         const AllsetAction  *action,
                         guint64              bytes,
                         const AllsetReceipt *receipt)
{
  AllsetSyncEvent event = { 0 };

  event.kind = kind;
  event.action = action->kind;
  event.path = action->path;
  event.to = action->to;
  event.bytes = bytes;
  event.receipt = receipt;
  allset_sync_emit (pass, &event);
}

char *
allset_sync_remote_path (AllsetSyncPass *pass,
                         const char     *path)
{
  const char *prefix = pass->folder->remote;

  if (prefix == NULL || *prefix == '\0')
    return g_strdup (path);
  return g_strconcat (prefix, "/", path, NULL);
}

char *
allset_sync_local_path (AllsetSyncPass *pass,
                        const char     *path)
{
  return g_build_filename (pass->folder->local, path, NULL);
}

AllsetLocalEntry *
allset_sync_lstat (AllsetSyncPass *pass,
                   const char     *path,
                   const char     *disk_path)
{
  g_autofree char *full = allset_sync_local_path (pass, disk_path != NULL ? disk_path : path);
  AllsetLocalEntry *entry;
  struct stat st;

  if (lstat (full, &st) != 0)
    return NULL;

  entry = allset_local_entry_new (path, S_ISREG (st.st_mode) ? ALLSET_ENTRY_FILE
                                        : S_ISDIR (st.st_mode) ? ALLSET_ENTRY_DIR
                                        : ALLSET_ENTRY_OTHER);
  entry->disk_path = allset_entry_string (disk_path);
  entry->size = S_ISREG (st.st_mode) ? st.st_size : 0;
  entry->mtime_ns = (gint64) st.st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st.st_mtim.tv_nsec;
  entry->executable = (st.st_mode & S_IXUSR) != 0;
  entry->inode = st.st_ino;
  entry->dev = st.st_dev;
  return entry;
}

gboolean
allset_sync_unchanged (AllsetSyncPass         *pass,
                       const char             *path,
                       const AllsetLocalEntry *scanned)
{
  g_autoptr(AllsetLocalEntry) now = allset_sync_lstat (pass, path,
                                                       scanned != NULL ? scanned->disk_path : NULL);

  if (scanned == NULL)
    return now == NULL;
  return now != NULL && allset_local_entry_stat_equal (now, scanned);
}

void
allset_sync_fail (AllsetSyncPass *pass,
                  const char     *path,
                  gboolean        skipped,
                  const char     *format,
                  ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_mutex_lock (&pass->lock);
  if (skipped)
    pass->report->skipped++;
  else
    pass->report->failed++;
  g_ptr_array_add (pass->report->messages, g_strdup_printf ("%s: %s", path, message));
  g_ptr_array_add (pass->issues, allset_issue_new (path, ALLSET_ISSUE_SYNC_FAILED, message));
  g_mutex_unlock (&pass->lock);

  allset_sync_emit_path (pass, ALLSET_SYNC_EVENT_FAILED, 0, path, 0, message);
}

gboolean
allset_sync_check_fatal (AllsetSyncPass *pass,
                         const GError   *error)
{
  gboolean fatal = FALSE;

  if (error->domain == ALLSET_PROTOCOL_ERROR)
    fatal = error->code == ALLSET_ERROR_MAINTENANCE ||
            error->code == ALLSET_ERROR_ACCOUNT_SUSPENDED ||
            error->code == ALLSET_ERROR_UNAUTHORIZED ||
            error->code == ALLSET_ERROR_TOKEN_EXPIRED ||
            error->code == ALLSET_ERROR_QUOTA_EXCEEDED ||
            error->code == ALLSET_ERROR_STORAGE_FULL;
  else if (error->domain == G_IO_ERROR)
    fatal = error->code == G_IO_ERROR_CANCELLED || error->code == G_IO_ERROR_CONNECTION_REFUSED ||
            error->code == G_IO_ERROR_TIMED_OUT || error->code == G_IO_ERROR_HOST_UNREACHABLE ||
            error->code == G_IO_ERROR_NETWORK_UNREACHABLE || error->code == G_IO_ERROR_CONNECTION_CLOSED ||
            error->code == G_IO_ERROR_BROKEN_PIPE;
  else
    fatal = error->domain == G_TLS_ERROR || error->domain == G_RESOLVER_ERROR ||
            error->domain == SOUP_SESSION_ERROR || error->domain == ALLSET_CLIENT_ERROR;

  g_mutex_lock (&pass->lock);
  if (fatal && pass->fatal == NULL)
    pass->fatal = g_error_copy (error);
  g_mutex_unlock (&pass->lock);
  return fatal;
}

/* ---- the pass ------------------------------------------------------------ */

static gboolean
preflight (AllsetSyncPass  *pass,
           GError         **error)
{
  g_autoptr(AllsetAccountInfo) account = NULL;
  g_autoptr(AllsetServerStatus) status = NULL;
  g_autoptr(GFile) root = g_file_new_for_path (pass->folder->local);
  g_autoptr(GFileInfo) fs = NULL;
  const char *override = g_getenv ("ALLSET_TEST_FREE_SPACE");
  guint64 free_space, held = 0;

  /* /account first: in maintenance it answers 503 with Retry-After. */
  account = allset_client_account (pass->client, pass->cancellable, error);
  if (account == NULL)
    return FALSE;
  status = allset_client_status (pass->client, pass->cancellable, error);
  if (status == NULL)
    return FALSE;
  pass->receipt_key = g_strdup (status->receipt_public_key);
  pass->small_chunk_max = status->small_chunk_max > 0 ? status->small_chunk_max : 65536;
  pass->pack_max = status->pack_max_bytes > 0 ? MIN (status->pack_max_bytes, ALLSET_SYNC_PACK_TARGET)
                                               : ALLSET_SYNC_PACK_TARGET;

  fs = g_file_query_filesystem_info (root, G_FILE_ATTRIBUTE_FILESYSTEM_FREE, pass->cancellable, error);
  if (fs == NULL)
    return FALSE;
  free_space = g_file_info_get_attribute_uint64 (fs, G_FILE_ATTRIBUTE_FILESYSTEM_FREE);
  if (override != NULL && *override != '\0')
    free_space = g_ascii_strtoull (override, NULL, 10);

  /* What is already here does not need room again. */
  if (!allset_journal_base_total_size (pass->journal, &held, error))
    return FALSE;

  pass->report->free_space = free_space;
  pass->report->remote_used = account->used;
  if (free_space + held < account->used)
    {
      g_autofree char *free_text = g_format_size (free_space);
      g_autofree char *used_text = g_format_size (account->used);

      g_set_error (error, ALLSET_SYNC_ERROR, ALLSET_SYNC_ERROR_NO_SPACE,
                   "Not enough free space to sync %s: %s free on its disk, %s in use on the server",
                   pass->folder->local, free_text, used_text);
      return FALSE;
    }

  return TRUE;
}

/* One page of the feed, fetched in a thread while the one before is
 * recorded. */
typedef struct
{
  AllsetSyncPass *pass;
  gint64          cursor;
  AllsetChanges  *changes;
  GError         *error;
} FeedPage;

static gpointer
fetch_page (gpointer data)
{
  FeedPage *page = data;

  page->changes = allset_client_changes (page->pass->client, page->cursor, 0,
                                         page->pass->cancellable, &page->error);
  return page;
}

gboolean
allset_sync_pull_feed (AllsetSyncPass  *pass,
                       GError         **error)
{
  FeedPage page = { pass, allset_journal_get_cursor (pass->journal) };

  fetch_page (&page);
  for (;;)
    {
      g_autoptr(AllsetChanges) changes = g_steal_pointer (&page.changes);
      g_autoptr(GThread) next = NULL;
      gboolean ok;

      if (changes == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&page.error));
          return FALSE;
        }
      /* Each page is recorded with its cursor in one transaction, in
       * order; only the fetching of the next overlaps. */
      if (changes->has_more)
        {
          page.cursor = changes->cursor;
          next = g_thread_new ("allset-feed", fetch_page, &page);
        }
      ok = allset_journal_apply_changes (pass->journal, changes->changes, changes->cursor, error);
      if (next != NULL)
        g_thread_join (g_steal_pointer (&next));
      if (!ok)
        {
          g_clear_pointer (&page.changes, allset_changes_free);
          g_clear_error (&page.error);
          return FALSE;
        }
      if (!changes->has_more)
        return TRUE;
    }
}

static char *
device_name (AllsetSyncPass          *pass,
             const AllsetSyncOptions *options)
{
  g_autoptr(GPtrArray) devices = NULL;
  char *name;

  if (options->device_name != NULL)
    return g_strdup (options->device_name);
  name = allset_journal_get_meta (pass->journal, ALLSET_JOURNAL_META_DEVICE_NAME);
  if (name != NULL)
    return name;

  devices = allset_client_devices (pass->client, pass->cancellable, NULL);
  for (guint i = 0; devices != NULL && i < devices->len; i++)
    {
      AllsetDeviceInfo *device = g_ptr_array_index (devices, i);

      if (device->current)
        {
          allset_journal_set_meta (pass->journal, ALLSET_JOURNAL_META_DEVICE_NAME, device->name, NULL);
          return g_strdup (device->name);
        }
    }

  return g_strdup (g_get_host_name ());
}

/* Files of base not verified yet (a receipt that did not check out, a
 * pass killed between commit and check) whose three views still agree:
 * check them again, so "pending" never sticks. */
static void
verify_unverified (AllsetSyncPass *pass,
                   GHashTable     *base,
                   GHashTable     *local,
                   GHashTable     *remote)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, base);
  while (g_hash_table_iter_next (&iter, &key, &value) && pass->fatal == NULL)
    {
      AllsetBaseEntry *entry = value;
      AllsetLocalEntry *l = g_hash_table_lookup (local, key);
      AllsetRemoteEntry *r = g_hash_table_lookup (remote, key);
      g_autofree char *remote_path = NULL;
      g_autoptr(AllsetFileInfo) info = NULL;
      g_autoptr(GError) error = NULL;

      if (entry->type != ALLSET_ENTRY_FILE || entry->state == ALLSET_FILE_VERIFIED ||
          l == NULL || r == NULL || g_strcmp0 (l->file_id, entry->file_id) != 0 ||
          g_strcmp0 (r->file_id, entry->file_id) != 0)
        continue;

      remote_path = allset_sync_remote_path (pass, entry->path);
      info = allset_client_file (pass->client, remote_path, 0, pass->cancellable, &error);
      if (info == NULL)
        {
          allset_sync_check_fatal (pass, error);
          continue;
        }
      if (g_strcmp0 (info->file_id, entry->file_id) == 0)
        allset_transfer_verify (pass, entry->path, info->file_id, info->receipt);
    }
}

gboolean
allset_sync_progress_due (gint64 *told_at)
{
  gint64 now = g_get_monotonic_time ();

  if (now - *told_at < ALLSET_SYNC_PROGRESS_US)
    return FALSE;
  *told_at = now;
  return TRUE;
}

void
allset_sync_phase (AllsetSyncPass *pass,
                   const char     *done)
{
  gint64 now = g_get_monotonic_time ();

  g_debug ("%s: %s took %" G_GINT64_FORMAT " ms", pass->folder->local, done,
           (now - pass->phase_start) / 1000);
  pass->phase_start = now;
}

void
allset_sync_test_pause (const char *hook,
                        const char *what)
{
  const char *flag = g_getenv (hook);

  if (flag == NULL || *flag == '\0')
    return;
  g_printerr ("allset: paused %s\n", what);
  while (!g_file_test (flag, G_FILE_TEST_EXISTS))
    g_usleep (20 * 1000);
}

/* Conflict copies still on disk stay listed; new ones are added. */
static void
save_conflicts (AllsetSyncPass *pass)
{
  g_autoptr(GPtrArray) all = allset_journal_list_issues (pass->journal, NULL);
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_issue_free);

  for (guint i = 0; all != NULL && i < all->len; i++)
    {
      AllsetIssue *issue = g_ptr_array_index (all, i);
      g_autoptr(AllsetLocalEntry) now = NULL;

      if (issue->kind != ALLSET_ISSUE_CONFLICT)
        continue;
      now = allset_sync_lstat (pass, issue->path, NULL);
      if (now != NULL)
        g_ptr_array_add (keep, allset_issue_copy (issue));
    }
  for (guint i = 0; i < pass->conflicts->len; i++)
    g_ptr_array_add (keep, allset_issue_copy (g_ptr_array_index (pass->conflicts, i)));

  allset_journal_replace_issues (pass->journal, ALLSET_ISSUE_ORIGIN_CONFLICT, "", keep, NULL);
}

static void
save_summary (AllsetSyncPass *pass,
              gboolean        ok)
{
  AllsetSyncReport *r = pass->report;
  g_autofree char *json = NULL;

  json = g_strdup_printf ("{\"time\": %" G_GINT64_FORMAT ", \"ok\": %s, \"in_sync\": %s, "
                          "\"held_deletions\": %u, \"failed\": %u, \"skipped\": %u, "
                          "\"verify_failed\": %u, \"deferred\": %u}",
                          g_get_real_time () / G_USEC_PER_SEC, ok ? "true" : "false",
                          ok && allset_sync_report_in_sync (r) ? "true" : "false",
                          r->held_deletions, r->failed, r->skipped, r->verify_failed, r->deferred);
  allset_journal_set_meta (pass->journal, ALLSET_SYNC_META_LAST_PASS, json, NULL);
}

/* Downloads are landed (made durable and recorded) every
 * ALLSET_SYNC_LAND_BATCH files, so a killed pass has little to find
 * again; each batch is described and fetched in a few requests. */
static void
flush_downloads (AllsetSyncPass *pass,
                 GPtrArray      *batch)
{
  for (guint start = 0; start < batch->len && pass->fatal == NULL; start += ALLSET_SYNC_LAND_BATCH)
    {
      guint end = MIN (batch->len, start + ALLSET_SYNC_LAND_BATCH);

      allset_transfer_download_batch (pass, (const AllsetAction * const *) batch->pdata + start, end - start);
      allset_transfer_land (pass);
    }
  g_ptr_array_set_size (batch, 0);
}

static void
execute (AllsetSyncPass *pass,
         AllsetPlan     *plan)
{
  g_autoptr(GPtrArray) downloads = g_ptr_array_new ();
  g_autoptr(GHashTable) deferred = NULL;
  gboolean debug = !g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN);

  /* New rules coming down decide what this pass sends (allset-sync-rules.c). */
  allset_sync_rules_first (pass, plan);
  deferred = allset_sync_plan_deferred (pass, plan);
  allset_sync_emit_planned (pass, plan, deferred);

  for (guint i = 0; i < plan->actions->len && pass->fatal == NULL; i++)
    {
      const AllsetAction *action = g_ptr_array_index (plan->actions, i);
      gpointer wait_bytes;

      if (allset_sync_rules_drop (pass, action))
        continue;
      if (g_hash_table_lookup_extended (deferred, action, NULL, &wait_bytes))
        {
          if (wait_bytes != NULL)
            allset_sync_defer_action (pass, action, *(guint64 *) wait_bytes);
          continue;
        }

      /* Anything but more downloads, remote operations (queued) or a
       * plain mkdir (downloads make their parents too) waits for the
       * downloads before it, to keep the plan's order. */
      if (action->kind != ALLSET_ACTION_DOWNLOAD && action->kind != ALLSET_ACTION_UPLOAD &&
          action->kind != ALLSET_ACTION_MKDIR_REMOTE && action->kind != ALLSET_ACTION_MOVE_REMOTE &&
          action->kind != ALLSET_ACTION_DELETE_REMOTE &&
          !(action->kind == ALLSET_ACTION_MKDIR_LOCAL && !action->replace))
        {
          flush_downloads (pass, downloads);
          if (pass->fatal != NULL)
            break;
        }

      /* Once per action: g_debug() formats its message even when nothing
       * prints it (12 000 instructions, a tenth of queuing an upload). */
      if (debug)
        g_debug ("%s %s%s%s (%s)", allset_action_kind_to_string (action->kind), action->path,
                 action->to != NULL ? " → " : "", action->to != NULL ? action->to : "", action->reason);

      if (g_cancellable_is_cancelled (pass->cancellable))
        {
          g_autoptr(GError) error = NULL;

          g_cancellable_set_error_if_cancelled (pass->cancellable, &error);
          allset_sync_check_fatal (pass, error);
          break;
        }

      /* Transfers say it themselves, when they really start. */
      if (action->kind != ALLSET_ACTION_DOWNLOAD && action->kind != ALLSET_ACTION_UPLOAD &&
          action->kind != ALLSET_ACTION_RECORD_BASE && action->kind != ALLSET_ACTION_FORGET_BASE)
        allset_sync_emit_action (pass, ALLSET_SYNC_EVENT_STARTED, action, 0, NULL);

      switch (action->kind)
        {
        case ALLSET_ACTION_MOVE_LOCAL:
          allset_sync_move_local (pass, action);
          break;
        case ALLSET_ACTION_CONFLICT:
          allset_sync_conflict (pass, action);
          break;
        case ALLSET_ACTION_MKDIR_LOCAL:
          allset_sync_mkdir_local (pass, pass->ignore, action);
          break;
        case ALLSET_ACTION_DOWNLOAD:
          g_ptr_array_add (downloads, (gpointer) action);
          break;
        case ALLSET_ACTION_UPLOAD:
          allset_transfer_queue_upload (pass, action);
          break;
        case ALLSET_ACTION_MOVE_REMOTE:
        case ALLSET_ACTION_MKDIR_REMOTE:
        case ALLSET_ACTION_DELETE_REMOTE:
          allset_transfer_queue_op (pass, action);
          break;
        case ALLSET_ACTION_RECORD_BASE:
          allset_sync_record_base (pass, action);
          break;
        case ALLSET_ACTION_FORGET_BASE:
          allset_journal_base_delete (pass->journal, action->path, FALSE, NULL);
          break;
        case ALLSET_ACTION_DELETE_LOCAL:
          allset_sync_delete_local (pass, pass->ignore, action);
          break;
        default:
          g_warn_if_reached ();
        }

      /* The rules file changed on disk: the rest of the pass follows it. */
      if (allset_sync_rules_touched (action))
        {
          flush_downloads (pass, downloads);
          allset_sync_rules_reload (pass);
        }
    }

  if (pass->fatal == NULL)
    flush_downloads (pass, downloads);
  allset_sync_phase (pass, "local actions and downloads");
  allset_sync_rules_drop_queued (pass);
  if (pass->fatal == NULL)
    allset_transfer_flush (pass);
}

gboolean
allset_sync_folder (AllsetClient             *client,
                    const AllsetFolderConfig *folder,
                    const AllsetSyncOptions  *options,
                    AllsetSyncReport         *report,
                    GCancellable             *cancellable,
                    GError                  **error)
{
  g_autoptr(AllsetJournal) journal = NULL;
  g_autoptr(AllsetIgnore) ignore = NULL;
  g_autoptr(AllsetScanner) scanner = NULL;
  g_autoptr(AllsetScanResult) scan = NULL;
  g_autoptr(GHashTable) base = NULL;
  g_autoptr(GHashTable) remote = NULL;
  g_autoptr(GPtrArray) moves = NULL;
  g_autoptr(AllsetPlan) plan = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *device = NULL;
  AllsetSyncPass pass = { 0 };
  AllsetReconcileInput input = { 0 };
  gint64 max_seq = 0;
  gboolean ok = FALSE;

  g_return_val_if_fail (ALLSET_IS_CLIENT (client), FALSE);
  g_return_val_if_fail (folder != NULL && options != NULL && report != NULL, FALSE);

  g_debug ("Pass of %s starts (thread %p)", folder->local, (void *) g_thread_self ());
  journal = allset_journal_open (folder->journal, error);
  if (journal == NULL)
    return FALSE;
  ignore = allset_ignore_new_for_folder (folder->local);

  pass.client = client;
  pass.folder = folder;
  pass.options = options;
  pass.journal = journal;
  pass.report = report;
  pass.cancellable = cancellable;
  pass.pending = g_ptr_array_new_with_free_func (allset_transfer_op_free);
  pass.ignore = allset_ignore_ref (ignore);
  pass.issues = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_issue_free);
  pass.conflicts = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_issue_free);
  pass.landed = g_ptr_array_new_with_free_func (allset_landed_free);
  g_mutex_init (&pass.lock);
  pass.umask = umask (0);
  umask (pass.umask);
  pass.phase_start = g_get_monotonic_time ();

  if (!preflight (&pass, error))
    goto out;
  allset_sync_phase (&pass, "preflight");
  if (!allset_sync_pull_feed (&pass, error))
    goto out;
  allset_sync_phase (&pass, "feed");

  scanner = allset_scanner_new (folder->local, journal, ignore);
  /* Transfers limited to small files would hold back the large ones
   * the scan reads. */
  if (options->max_transfer_size == 0 && g_getenv ("ALLSET_NO_SEND_AHEAD") == NULL)
    {
      pass.ahead = allset_transfer_ahead_new (&pass);
      allset_scanner_set_chunk_sink (scanner, allset_transfer_ahead_offer, pass.ahead);
    }
  scan = allset_scanner_scan (scanner, "", cancellable, error);
  allset_scanner_set_chunk_sink (scanner, NULL, NULL);
  if (scan == NULL)
    goto out;
  report->issues = scan->issues->len;
  allset_sync_phase (&pass, "scan");
  allset_sync_test_pause ("ALLSET_TEST_PAUSE_AFTER_SCAN", "after scan");

  /* Loaded like the scan, so that the three views of a path share its
   * strings (allset-journal-entry.h). */
  base = allset_journal_snapshot_base (journal, FALSE, scan->entries, error);
  if (base == NULL)
    goto out;
  remote = allset_journal_snapshot_remote (journal, folder->remote != NULL ? folder->remote : "",
                                           base, error);
  if (remote == NULL)
    goto out;
  moves = allset_journal_list_remote_moves (journal, folder->remote != NULL ? folder->remote : "",
                                            &max_seq, error);
  if (moves == NULL)
    goto out;

  allset_sync_phase (&pass, "journal snapshots");
  verify_unverified (&pass, base, scan->entries, remote);
  if (pass.fatal != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&pass.fatal));
      goto out;
    }

  device = device_name (&pass, options);
  input.base = base;
  input.local = scan->entries;
  input.remote = remote;
  input.remote_moves = moves;
  input.ignore = ignore;
  input.device_name = device;
  input.now = now;
  input.confirm_deletes = options->confirm_deletes;
  /* The plan carries what it needs of the three maps: they go before
   * the transfers start (~40 MB over 100 000 files). */
  input.views_in_place = TRUE;
  plan = allset_reconcile (&input);
  g_clear_pointer (&base, g_hash_table_unref);
  g_clear_pointer (&remote, g_hash_table_unref);
  g_clear_pointer (&scan->entries, g_hash_table_unref);
  allset_sync_phase (&pass, "reconcile");

  for (guint i = 0; i < plan->issues->len; i++)
    g_ptr_array_add (pass.issues, allset_issue_copy (g_ptr_array_index (plan->issues, i)));
  report->issues += plan->issues->len;

  if (plan->needs_delete_confirmation)
    {
      for (guint i = 0; i < plan->held->len; i++)
        {
          AllsetAction *action = g_ptr_array_index (plan->held, i);

          if (action->kind == ALLSET_ACTION_DELETE_LOCAL || action->kind == ALLSET_ACTION_DELETE_REMOTE)
            report->held_deletions += MAX (action->n_files, 1);
        }
      report->held_deletions = MAX (report->held_deletions, 1);
    }

  execute (&pass, plan);
  /* Killed runs' parts whose download is off the plan; not when the user
   * stopped the pass (it must stop quickly). */
  if (!g_cancellable_is_cancelled (cancellable))
    allset_transfer_sweep_parts (&pass, plan, scan->part_dirs);

  /* The feed's moves were planned with: carried out, or turned into a
   * deletion plus a creation. */
  if (pass.fatal == NULL && max_seq > 0)
    allset_journal_clear_remote_moves (journal, max_seq, NULL);

  if (pass.fatal != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&pass.fatal));
      goto out;
    }
  allset_sync_check_remote (&pass);

  ok = TRUE;

out:
  allset_transfer_ahead_finish (&pass);
  report->cursor = allset_journal_get_cursor (journal);
  allset_journal_replace_issues (journal, ALLSET_ISSUE_ORIGIN_SYNC, "", pass.issues, NULL);
  save_conflicts (&pass);
  save_summary (&pass, ok);
  g_clear_pointer (&pass.pending, g_ptr_array_unref);
  g_clear_pointer (&pass.landed, g_ptr_array_unref);
  g_clear_pointer (&pass.issues, g_ptr_array_unref);
  g_clear_pointer (&pass.conflicts, g_ptr_array_unref);
  g_clear_pointer (&pass.ignore, allset_ignore_unref);
  g_clear_pointer (&pass.rules, allset_sync_rules_free);
  g_clear_error (&pass.fatal);
  g_free (pass.remote_missing);
  g_mutex_clear (&pass.lock);
  g_free (pass.receipt_key);
  return ok;
}
