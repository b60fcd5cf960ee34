/* allset-verify.c — the check behind `allset-cli verify` and « Vérifier »
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Three fresh reads (allset-verify-read.c: the server's tree, the local
 * files hashed again; the journal's base entries, receipts and stat
 * cache), then one verdict per file (allset-verify.h says which). The
 * stat cache tells a normal edit (stat data moved) from bytes that
 * changed behind unchanged stat data, which a sync pass would miss.
 *
 * The report's other half (JSON, GTask, paths) is allset-verify-report.c.
 */

#include <string.h>

#include "allset-error.h"
#include "allset-path.h"
#include "allset-verify-private.h"

static gboolean
in_scope (Verify     *v,
          const char *path)
{
  return allset_path_has_prefix (path, v->subpath);
}

static AllsetVerifyItem *
item_new (Verify     *v,
          const char *path)
{
  AllsetVerifyItem *item = g_new0 (AllsetVerifyItem, 1);

  item->path = g_strdup (path);
  item->remote_path = allset_verify_remote_path (v->folder, path);
  return item;
}

static void
item_set (AllsetVerifyItem   *item,
          AllsetVerifyStatus  status,
          const char         *format,
          ...) G_GNUC_PRINTF (3, 4);

static void
item_set (AllsetVerifyItem   *item,
          AllsetVerifyStatus  status,
          const char         *format,
          ...)
{
  va_list args;

  item->status = status;
  g_clear_pointer (&item->message, g_free);
  if (format == NULL)
    return;
  va_start (args, format);
  item->message = g_strdup_vprintf (format, args);
  va_end (args);
}

/* A receipt proves that the account committed file_id (size bytes) at
 * its path and revision. A move or a trash restore gives the file a newer
 * revision (and maybe a new path) and keeps the receipt of its commit,
 * and a file inside a moved directory keeps its revision under a new
 * path: the receipt's path is the commit's, so only its revision (never
 * newer than the file's) is compared, with the account, file id and size
 * (the soak found files of moved directories reported invalid). */
static gboolean
check_receipt (Verify              *v,
               const AllsetReceipt *receipt,
               const char          *remote_path,
               gint64               revision,
               const char          *file_id,
               guint64              size,
               char               **why)
{
  g_autoptr(GError) error = NULL;
  const char *key = v->report->receipt_public_key;

  if (receipt->signature == NULL || *receipt->signature == '\0')
    *why = g_strdup ("it carries no signature");
  else if (key == NULL || *key == '\0')
    *why = g_strdup ("the server publishes no receipt key to check it with");
  else if (!allset_receipt_verify (receipt, key, &error))
    *why = g_strdup_printf ("its signature does not check out with the server's key %s: %s",
                            v->report->receipt_key_id, error->message);
  else if (g_strcmp0 (receipt->account, v->report->account) != 0)
    *why = g_strdup_printf ("it was issued to account “%s”", receipt->account);
  else if (g_strcmp0 (receipt->file_id, file_id) != 0)
    *why = g_strdup_printf ("it is for file id %s, not %s", receipt->file_id, file_id);
  else if (receipt->size != size)
    *why = g_strdup_printf ("it is for %" G_GUINT64_FORMAT " bytes, not %" G_GUINT64_FORMAT,
                            receipt->size, size);
  else if (receipt->revision > revision)
    *why = g_strdup_printf ("it is for “%s” revision %" G_GINT64_FORMAT ", not “%s” revision %"
                            G_GINT64_FORMAT, receipt->path, receipt->revision, remote_path, revision);
  else
    return TRUE;
  return FALSE;
}

/* Puts the journal where the next pass repairs what was found; both
 * writes in one transaction. */
static void
requeue (Verify           *v,
         AllsetVerifyItem *item,
         AllsetFileState   state,
         LocalFile        *truth)
{
  g_autoptr(GError) error = NULL;

  if (v->journal == NULL || !allset_journal_begin (v->journal, &error))
    goto out;
  if ((truth == NULL || allset_journal_local_put (v->journal, truth->entry, truth->chunks, &error)) &&
      allset_journal_base_set_state (v->journal, item->path, state, NULL, &error) &&
      allset_journal_commit (v->journal, &error))
    {
      item->requeued = TRUE;
      return;
    }
  allset_journal_rollback (v->journal);

out:
  if (error != NULL)
    g_warning ("Cannot mark %s for another transfer: %s", item->path, error->message);
}

/* The id a sync pass would take for the file without reading it: the
 * stat cache's, else base's, when their stat data still match. */
static const char *
believed_file_id (GHashTable             *cache,
                  const AllsetBaseEntry  *base,
                  const AllsetLocalEntry *now)
{
  const AllsetLocalEntry *c = cache != NULL ? g_hash_table_lookup (cache, now->path) : NULL;

  if (c != NULL && c->type == ALLSET_ENTRY_FILE && c->file_id != NULL &&
      !(c->flags & (ALLSET_LOCAL_SKIPPED | ALLSET_LOCAL_UNSTABLE | ALLSET_LOCAL_RACY)) &&
      c->size == now->size && c->mtime_ns == now->mtime_ns && c->inode == now->inode &&
      c->dev == now->dev)
    return c->file_id;
  if (base->size == now->size && base->mtime_ns == now->mtime_ns && base->inode == now->inode &&
      base->dev == now->dev)
    return base->file_id;
  return NULL;
}

static AllsetVerifyItem *
check_base (Verify          *v,
            AllsetBaseEntry *base,
            GHashTable      *cache,
            GPtrArray       *fetch)
{
  AllsetVerifyItem *item = item_new (v, base->path);
  LocalFile *lf = g_hash_table_lookup (v->local, base->path);
  AllsetLocalEntry *l = lf != NULL ? lf->entry : NULL;
  AllsetRemoteEntry *r = g_hash_table_lookup (v->remote, base->path);
  gboolean changed_here = l != NULL && g_strcmp0 (l->file_id, base->file_id) != 0;
  g_autoptr(GError) error = NULL;

  item->revision = base->revision;
  item->file_id = g_strdup (base->file_id);
  item->size = l != NULL && l->type == ALLSET_ENTRY_FILE ? (guint64) l->size : (guint64) base->size;
  if (l != NULL)
    item->local_file_id = g_strdup (l->file_id);
  if (r != NULL && r->type == ALLSET_ENTRY_FILE)
    {
      item->server_revision = r->revision;
      item->server_file_id = g_strdup (r->file_id);
    }

  if (r == NULL || r->type != ALLSET_ENTRY_FILE)
    item_set (item, ALLSET_VERIFY_MISSING_REMOTE,
              r == NULL ? "deleted or moved on the server since revision %" G_GINT64_FORMAT
                          " was synced here; the next sync applies it"
                        : "a directory on the server since revision %" G_GINT64_FORMAT
                          " was synced here; the next sync applies it", base->revision);
  else if (l == NULL)
    item_set (item, ALLSET_VERIFY_MISSING_LOCAL,
              "deleted here; the next sync deletes it on the server (where it stays in the trash)");
  else if (l->type != ALLSET_ENTRY_FILE)
    item_set (item, ALLSET_VERIFY_LOCAL_CHANGED, "a directory here now; not synced yet");
  else if (l->file_id == NULL)
    item_set (item, ALLSET_VERIFY_LOCAL_CHANGED, "%s; not checked", lf->problem);
  else if (r->revision != base->revision)
    item_set (item, ALLSET_VERIFY_SERVER_CHANGED,
              "revision %" G_GINT64_FORMAT " on the server, %" G_GINT64_FORMAT " here; %s",
              r->revision, base->revision,
              changed_here ? "changed here too: the next sync keeps both versions"
                           : "the next sync downloads it");
  else if (g_strcmp0 (r->file_id, base->file_id) != 0)
    {
      item_set (item, ALLSET_VERIFY_MISMATCH,
                "the server holds file id %s for revision %" G_GINT64_FORMAT
                ", not the %s both sides agreed on", r->file_id, base->revision, base->file_id);
      requeue (v, item, ALLSET_FILE_PENDING, NULL);
    }
  else if (changed_here)
    {
      const char *believed = believed_file_id (cache, base, l);

      if (believed != NULL && g_strcmp0 (believed, l->file_id) != 0)
        {
          item_set (item, ALLSET_VERIFY_MISMATCH,
                    "its content no longer hashes to revision %" G_GINT64_FORMAT " (%s here, %s on "
                    "the server) although its size and modification time did not change; marked "
                    "so that the next sync uploads this content as a new revision",
                    base->revision, l->file_id, base->file_id);
          requeue (v, item, ALLSET_FILE_PENDING, lf);
        }
      else
        item_set (item, ALLSET_VERIFY_LOCAL_CHANGED,
                  "changed here since revision %" G_GINT64_FORMAT "; the next sync uploads it",
                  base->revision);
    }
  else
    item_set (item, ALLSET_VERIFY_VERIFIED, NULL);

  if (base->receipt != NULL)
    {
      g_autoptr(JsonNode) node = json_from_string (base->receipt, &error);
      g_autofree char *why = NULL;

      if (node != NULL)
        item->receipt = allset_receipt_from_json (node, &error);
      if (item->receipt == NULL)
        why = g_strdup_printf ("it cannot be read: %s", error != NULL ? error->message : "empty");
      else
        item->receipt_valid = check_receipt (v, item->receipt, item->remote_path, base->revision,
                                             base->file_id, base->size, &why);
      if (!item->receipt_valid && item->status != ALLSET_VERIFY_MISMATCH)
        {
          g_autofree char *before = g_steal_pointer (&item->message);

          item_set (item, ALLSET_VERIFY_RECEIPT_INVALID,
                    "the receipt kept for revision %" G_GINT64_FORMAT " is not valid: %s; marked so "
                    "that the next sync fetches and checks the server's receipt again%s%s",
                    base->revision, why, before != NULL ? "; also " : "", before != NULL ? before : "");
          requeue (v, item, ALLSET_FILE_UPLOADED, NULL);
        }
    }
  else if (item->status == ALLSET_VERIFY_VERIFIED)
    {
      /* Committed, but a pass stopped before it kept the receipt: ask the
       * server for that revision's receipt and check it here. */
      g_ptr_array_add (fetch, item);
    }

  return item;
}

static void
fetch_receipt_job (Verify  *v,
                   gpointer data)
{
  AllsetVerifyItem *item = data;
  g_autoptr(AllsetFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = allset_client_file (v->client, item->remote_path, item->revision, v->cancellable, &error);
  g_mutex_lock (&v->lock);
  v->report->n_requests++;
  g_mutex_unlock (&v->lock);
  if (info == NULL && !g_error_matches (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND))
    verify_fail (v, g_steal_pointer (&error));
  else if (info != NULL)
    item->receipt = g_steal_pointer (&info->receipt);
  item->receipt_from_server = TRUE;
}

static void
check_fetched (Verify           *v,
               AllsetVerifyItem *item)
{
  g_autofree char *why = NULL;

  if (item->receipt == NULL)
    why = g_strdup ("the server sent none");
  else
    item->receipt_valid = check_receipt (v, item->receipt, item->remote_path, item->revision,
                                         item->file_id, item->size, &why);
  if (!item->receipt_valid)
    item_set (item, ALLSET_VERIFY_RECEIPT_INVALID,
              "no receipt is kept here for revision %" G_GINT64_FORMAT
              ", and the server's is not valid: %s", item->revision, why);
}

static AllsetVerifyItem *
check_new_local (Verify    *v,
                 LocalFile *lf)
{
  AllsetLocalEntry *l = lf->entry;
  AllsetRemoteEntry *r = g_hash_table_lookup (v->remote, l->path);
  AllsetVerifyItem *item = item_new (v, l->path);

  item->size = l->size;
  item->local_file_id = g_strdup (l->file_id);
  if (r != NULL && r->type == ALLSET_ENTRY_FILE)
    {
      item->server_revision = r->revision;
      item->server_file_id = g_strdup (r->file_id);
    }
  if (lf->problem != NULL)
    item_set (item, ALLSET_VERIFY_PENDING, "never synced; it %s", lf->problem);
  else if (r == NULL)
    item_set (item, ALLSET_VERIFY_PENDING, "new here, never synced; the next sync uploads it");
  else if (g_strcmp0 (r->file_id, l->file_id) == 0)
    item_set (item, ALLSET_VERIFY_PENDING,
              "new here; the server holds the same content, the next sync records it");
  else
    item_set (item, ALLSET_VERIFY_PENDING,
              "new here, and the server holds another %s at this path; the next sync keeps both",
              r->type == ALLSET_ENTRY_DIR ? "entry" : "file");
  return item;
}

static int
compare_items (gconstpointer a,
               gconstpointer b)
{
  const AllsetVerifyItem *x = *(AllsetVerifyItem * const *) a;
  const AllsetVerifyItem *y = *(AllsetVerifyItem * const *) b;

  return strcmp (x->path, y->path);
}

static void
classify (Verify     *v,
          GHashTable *base,
          GHashTable *cache)
{
  g_autoptr(GPtrArray) fetch = g_ptr_array_new ();
  GPtrArray *items = v->report->items;
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, base);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      AllsetBaseEntry *entry = value;

      if (entry->type == ALLSET_ENTRY_FILE && in_scope (v, key))
        g_ptr_array_add (items, check_base (v, entry, cache, fetch));
    }

  g_hash_table_iter_init (&iter, v->local);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      LocalFile *lf = value;

      if (lf->entry->type == ALLSET_ENTRY_FILE && !g_hash_table_contains (base, key))
        g_ptr_array_add (items, check_new_local (v, lf));
    }

  g_hash_table_iter_init (&iter, v->remote);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      AllsetRemoteEntry *r = value;
      LocalFile *lf = g_hash_table_lookup (v->local, key);
      AllsetVerifyItem *item;

      if (r->type != ALLSET_ENTRY_FILE || !in_scope (v, key) || g_hash_table_contains (base, key) ||
          (lf != NULL && lf->entry->type == ALLSET_ENTRY_FILE))
        continue;
      item = item_new (v, key);
      item->size = r->size;
      item->server_revision = r->revision;
      item->server_file_id = g_strdup (r->file_id);
      item_set (item, ALLSET_VERIFY_SERVER_CHANGED,
                "new on the server (revision %" G_GINT64_FORMAT "); the next sync downloads it",
                r->revision);
      g_ptr_array_add (items, item);
    }

  verify_run_batch (v, fetch, fetch_receipt_job);
  if (!verify_stopped (v))
    for (guint i = 0; i < fetch->len; i++)
      check_fetched (v, g_ptr_array_index (fetch, i));

  g_ptr_array_sort (items, compare_items);
  for (guint i = 0; i < items->len; i++)
    {
      AllsetVerifyItem *item = g_ptr_array_index (items, i);

      v->report->counts[item->status]++;
      if (item->requeued)
        v->report->requeued++;
    }
  v->report->n_files = items->len;
}

/* ─── The check ────────────────────────────────────────────────────── */

static gboolean
read_server_facts (Verify  *v,
                   GError **error)
{
  g_autoptr(AllsetAccountInfo) account = NULL;
  g_autoptr(AllsetServerStatus) status = NULL;
  AllsetVerifyReport *report = v->report;

  /* /account first: in maintenance it answers 503 with Retry-After. */
  account = allset_client_account (v->client, v->cancellable, error);
  if (account == NULL)
    return FALSE;
  status = allset_client_status (v->client, v->cancellable, error);
  if (status == NULL)
    return FALSE;
  report->n_requests += 2;
  report->account = g_strdup (account->username);
  report->receipt_algorithm = g_strdup (status->receipt_algorithm);
  report->receipt_public_key = g_strdup (status->receipt_public_key);
  report->receipt_key_id = g_strdup (status->receipt_key_id);
  return TRUE;
}

gboolean
allset_verify_folder (AllsetClient              *client,
                      const AllsetFolderConfig  *folder,
                      const char                *subpath,
                      AllsetVerifyReport        *report,
                      GCancellable              *cancellable,
                      GError                   **error)
{
  g_autoptr(AllsetIgnore) ignore = allset_ignore_new_for_folder (folder->local);
  g_autoptr(AllsetJournal) journal = NULL;
  g_autoptr(GHashTable) base = NULL;
  g_autoptr(GHashTable) cache = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  Verify v = { 0 };
  gboolean ok = FALSE;

  g_return_val_if_fail (ALLSET_IS_CLIENT (client), FALSE);
  g_return_val_if_fail (folder != NULL && report != NULL, FALSE);

  v.client = client;
  v.folder = folder;
  v.report = report;
  v.cancellable = cancellable;
  v.ignore = ignore;
  v.subpath = subpath != NULL ? subpath : "";
  v.local = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, verify_local_file_free);
  v.remote = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                    (GDestroyNotify) allset_remote_entry_free);
  g_mutex_init (&v.lock);

  report->folder_id = g_strdup (folder->id);
  report->local = g_strdup (folder->local);
  report->remote = g_strdup (folder->remote != NULL ? folder->remote : "");
  report->subpath = g_strdup (v.subpath);
  report->server_url = g_strdup (allset_client_get_server_url (client));
  report->checked_at = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");

  if (!g_file_test (folder->local, G_FILE_TEST_IS_DIR))
    {
      /* An unmounted disk must not read as "every file deleted here". */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "The folder %s is missing or not a directory: nothing was checked",
                   folder->local);
      goto out;
    }
  if (!read_server_facts (&v, error))
    goto out;

  /* A folder never synced has no journal yet: do not create one. */
  if (g_file_test (folder->journal, G_FILE_TEST_EXISTS))
    {
      journal = allset_journal_open (folder->journal, error);
      if (journal == NULL ||
          !(base = allset_journal_snapshot_base (journal, TRUE, NULL, error)) ||
          !(cache = allset_journal_snapshot_local (journal, v.subpath, error)))
        goto out;
    }
  else
    base = g_hash_table_new (g_str_hash, g_str_equal);
  v.journal = journal;

  verify_read_disk (&v);
  verify_read_server (&v);
  verify_hash_files (&v);

  if (!verify_stopped (&v))
    classify (&v, base, cache);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto out;
  if (v.error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&v.error));
      goto out;
    }
  ok = TRUE;

out:
  g_clear_error (&v.error);
  g_hash_table_unref (v.local);
  g_hash_table_unref (v.remote);
  g_mutex_clear (&v.lock);
  return ok;
}
