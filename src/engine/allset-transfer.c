/* allset-transfer.c — uploads, commits, receipts and downloads of a pass
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Uploads are queued during the pass and sent at the end, with the chunk
 * list the scan recorded (the file is cut again only when the journal has
 * none that matches its id); their chunks go out from
 * allset-transfer-send.c, and meanwhile the operations are committed in
 * batches with their base revisions, each batch once its own files'
 * chunks are stored, one batch in flight while the reply to the one
 * before is applied, and each receipt is checked (pending → uploaded →
 * verified).
 *
 * A download is written to ".allset-part-NAME-XXXXXX" next to its target:
 * chunks already in such a part file (a killed run) or elsewhere on disk
 * are reused once their bytes hash right, the others are fetched and
 * checked; the file id is checked over the chunk ids, the part is fsynced,
 * gets its mtime and mode, and is renamed over the target only if the
 * target is still what the scan saw (invariant 2).
 */

#include <fcntl.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "allset-commit-scope.h"
#include "allset-transfer-private.h"

void
allset_transfer_op_free (gpointer data)
{
  PendingOp *op = data;

  g_clear_pointer (&op->chunks, g_array_unref);
  g_clear_pointer (&op->sources, g_ptr_array_unref);
  g_free (op->file_id);
  g_free (op);
}

int
allset_transfer_open_local (AllsetSyncPass         *pass,
                            const AllsetLocalEntry *local)
{
  g_autofree char *full = allset_sync_local_path (pass, local->disk_path != NULL
                                                        ? local->disk_path : local->path);

  return open (full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
}

/* ---- upload queue -------------------------------------------------------- */

/* The chunks the scan recorded for local, if they still describe a file
 * of its size and id; NULL otherwise. What the server stores is still
 * what was scanned: a chunk read to be sent is hashed again, here for a
 * packed one, by the server for a large one (allset-transfer-send.c). */
static GArray *
scanned_chunks (AllsetSyncPass         *pass,
                const AllsetLocalEntry *local)
{
  g_autoptr(GArray) chunks = allset_journal_local_chunks (pass->journal, local->path, NULL);
  g_autoptr(GArray) ids = NULL;
  char hex[ALLSET_HASH_HEX_LEN + 1];
  AllsetHash file_id;
  gint64 offset = 0;

  if (chunks == NULL || local->file_id == NULL)
    return NULL;
  ids = g_array_sized_new (FALSE, FALSE, sizeof (AllsetHash), chunks->len);
  for (guint i = 0; i < chunks->len; i++)
    {
      const AllsetLocalChunk *chunk = &g_array_index (chunks, AllsetLocalChunk, i);

      if (chunk->offset != offset || chunk->size <= 0)
        return NULL;
      offset += chunk->size;
      g_array_append_val (ids, chunk->id);
    }
  if (offset != local->size)
    return NULL;
  allset_file_id ((const AllsetHash *) (gpointer) ids->data, ids->len, &file_id);
  allset_hash_to_hex_buf (&file_id, hex);
  return g_strcmp0 (hex, local->file_id) == 0 ? g_steal_pointer (&chunks) : NULL;
}

/* Cuts the file again: for a file the journal has no (or no matching)
 * chunk list for. */
static GArray *
read_chunks (AllsetSyncPass         *pass,
             const AllsetLocalEntry *local)
{
  g_autoptr(AllsetChunkReader) reader = NULL;
  g_autoptr(GArray) chunks = g_array_new (FALSE, FALSE, sizeof (AllsetLocalChunk));
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (AllsetHash));
  g_autoptr(GError) error = NULL;
  char hex[ALLSET_HASH_HEX_LEN + 1];
  AllsetChunk chunk;
  AllsetHash file_id;
  int fd = allset_transfer_open_local (pass, local);

  if (fd < 0)
    return NULL;
  reader = allset_chunk_reader_new (fd);
  while (allset_chunk_reader_next (reader, &chunk, &error))
    {
      AllsetLocalChunk c = { chunk.id, (gint64) chunk.offset, (gint64) chunk.length };

      g_array_append_val (chunks, c);
      g_array_append_val (ids, chunk.id);
    }
  close (fd);

  allset_file_id ((const AllsetHash *) (gpointer) ids->data, ids->len, &file_id);
  allset_hash_to_hex_buf (&file_id, hex);
  if (error != NULL || g_strcmp0 (hex, local->file_id) != 0)
    return NULL;
  return g_steal_pointer (&chunks);
}

void
allset_transfer_queue_upload (AllsetSyncPass     *pass,
                              const AllsetAction *action)
{
  const AllsetLocalEntry *local = action->local;
  PendingOp *op;
  GArray *chunks;

  allset_sync_emit_action (pass, ALLSET_SYNC_EVENT_STARTED, action,
                           local != NULL ? (guint64) MAX (local->size, 0) : 0, NULL);
  if (local == NULL || local->type != ALLSET_ENTRY_FILE || !allset_sync_unchanged (pass, action->path, local))
    {
      allset_sync_fail (pass, action->path, TRUE, _("changed since the scan; not uploaded"));
      return;
    }

  chunks = scanned_chunks (pass, local);
  if (chunks == NULL && (chunks = read_chunks (pass, local)) == NULL)
    {
      allset_sync_fail (pass, action->path, TRUE, _("changed while being read; not uploaded"));
      return;
    }

  op = g_new0 (PendingOp, 1);
  op->action = action;
  op->chunks = chunks;
  op->file_id = g_strdup (local->file_id);
  g_ptr_array_add (pass->pending, op);
}

void
allset_transfer_queue_op (AllsetSyncPass     *pass,
                          const AllsetAction *action)
{
  PendingOp *op = g_new0 (PendingOp, 1);

  op->action = action;
  g_ptr_array_add (pass->pending, op);
}

void
allset_transfer_drop_queued (AllsetSyncPass *pass,
                             gboolean      (*drop) (AllsetSyncPass     *pass,
                                                    const AllsetAction *action))
{
  guint kept = 0;

  for (guint i = 0; i < pass->pending->len; i++)
    {
      PendingOp *op = g_ptr_array_index (pass->pending, i);

      if (drop (pass, op->action))
        allset_transfer_op_free (op);
      else
        pass->pending->pdata[kept++] = op;
    }
  /* The slots past kept were freed or moved. */
  g_ptr_array_set_free_func (pass->pending, NULL);
  g_ptr_array_set_size (pass->pending, kept);
  g_ptr_array_set_free_func (pass->pending, allset_transfer_op_free);
}

/* ---- commits and receipts ------------------------------------------------ */

GError *
allset_transfer_check_receipt (AllsetSyncPass      *pass,
                               const char          *file_id,
                               const AllsetReceipt *receipt)
{
  GError *error = NULL;

  /* The content is what is verified, not the path: a receipt names the
   * path where the version was committed, and the server does not sign
   * it again when the file or a directory above it moves (the soak found
   * every download of a moved file "NOT VERIFIED"). */
  if (receipt == NULL)
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "the server sent no receipt");
  else if (g_strcmp0 (receipt->file_id, file_id) != 0)
    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 "the receipt is for %s (%s), not for this file (%s)",
                 receipt->path, receipt->file_id, file_id);
  /* A status without the key (a broken or garbled answer) must not turn
   * into receipts taken unchecked: the soak's garbling proxy found
   * allset_receipt_verify() refusing a NULL key without an error, which
   * read here as "verified". */
  else if (pass->receipt_key == NULL || *pass->receipt_key == '\0')
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED,
                         "the server publishes no receipt key to check it with");
  else if (!allset_receipt_verify (receipt, pass->receipt_key, &error) && error == NULL)
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "the receipt could not be checked");
  return error;
}

gboolean
allset_transfer_record_verdict (AllsetSyncPass      *pass,
                                const char          *path,
                                const AllsetReceipt *receipt,
                                GError              *verdict)
{
  g_autoptr(GError) error = verdict;
  g_autofree char *json = NULL;

  if (error != NULL)
    {
      /* Loud: the server does not hold what we have. Back to pending, so
       * the next pass sends it again. */
      g_warning ("Verification failed for %s: %s", path, error->message);
      allset_journal_base_set_state (pass->journal, path, ALLSET_FILE_PENDING, NULL, NULL);
      ALLSET_SYNC_COUNT (pass, verify_failed, 1);
      /* Before the failure: the louder verdict is the one kept. */
      {
        g_autofree char *why = g_strdup_printf ("NOT VERIFIED: %s", error->message);

        allset_sync_emit_path (pass, ALLSET_SYNC_EVENT_VERIFY_FAILED, 0, path, 0, why);
      }
      allset_sync_fail (pass, path, FALSE, _("NOT VERIFIED: %s"), error->message);
      return FALSE;
    }

  json = allset_receipt_to_string (receipt);
  if (allset_journal_base_set_state (pass->journal, path, ALLSET_FILE_VERIFIED, json, NULL))
    ALLSET_SYNC_COUNT (pass, verified, 1);
  return TRUE;
}

gboolean
allset_transfer_verify (AllsetSyncPass      *pass,
                        const char          *path,
                        const char          *file_id,
                        const AllsetReceipt *receipt)
{
  return allset_transfer_record_verdict (pass, path, receipt,
                                         allset_transfer_check_receipt (pass, file_id, receipt));
}

static void
apply_result (AllsetSyncPass           *pass,
              PendingOp                *op,
              const AllsetCommitResult *result,
              GError                  **verdict)
{
  const AllsetAction *action = op->action;
  const AllsetLocalEntry *local = action->local;
  gboolean ok = result->status == 200;

  if (action->kind == ALLSET_ACTION_MKDIR_REMOTE && result->error == ALLSET_ERROR_CONFLICT)
    ok = TRUE;   /* already a directory there */
  if (action->kind == ALLSET_ACTION_DELETE_REMOTE && result->error == ALLSET_ERROR_NOT_FOUND)
    ok = TRUE;

  if (!ok)
    {
      /* The view held a revision there; the server holds nothing. */
      if (result->error == ALLSET_ERROR_CONFLICT && result->current_revision == 0 &&
          action->base_revision != 0)
        allset_sync_note_remote_missing (pass, action->path, action->base_revision);
      allset_sync_fail (pass, action->path, TRUE, _("the server refused %s (%s): %s; next pass"),
                        allset_action_kind_to_string (action->kind),
                        allset_error_code_to_string (result->error),
                        result->error_message != NULL ? result->error_message : "");
      return;
    }

  switch (action->kind)
    {
    case ALLSET_ACTION_UPLOAD:
      {
        g_autoptr(AllsetBaseEntry) base = allset_base_entry_new (action->path, ALLSET_ENTRY_FILE);

        if (action->replace)
          allset_journal_base_delete (pass->journal, action->path, TRUE, NULL);
        base->file_id = allset_entry_string (op->file_id);
        base->size = local->size;
        base->mtime_ns = local->mtime_ns;
        base->executable = local->executable;
        base->revision = result->revision;
        base->inode = local->inode;
        base->dev = local->dev;
        base->state = ALLSET_FILE_UPLOADED;
        /* Its receipt was checked in the sender thread already: uploaded
         * and verified in one row write, in the batch's transaction. */
        if (*verdict == NULL && result->receipt != NULL)
          {
            g_autofree char *receipt = allset_receipt_to_string (result->receipt);

            base->state = ALLSET_FILE_VERIFIED;
            base->receipt = allset_entry_string (receipt);
            base->verified_at = g_get_real_time () / G_USEC_PER_SEC;
          }
        allset_journal_base_put (pass->journal, base, NULL);
        pass->report->uploaded++;
        if (base->state == ALLSET_FILE_VERIFIED)
          ALLSET_SYNC_COUNT (pass, verified, 1);
        if (base->state == ALLSET_FILE_VERIFIED ||
            allset_transfer_record_verdict (pass, action->path, result->receipt, g_steal_pointer (verdict)))
          allset_sync_emit_action (pass, ALLSET_SYNC_EVENT_DONE, action, MAX (local->size, 0),
                                   result->receipt);
        break;
      }

    case ALLSET_ACTION_MKDIR_REMOTE:
      {
        g_autoptr(AllsetBaseEntry) base = allset_base_entry_new (action->path, ALLSET_ENTRY_DIR);

        if (action->replace)
          allset_journal_base_delete (pass->journal, action->path, TRUE, NULL);
        base->revision = result->status == 200 ? result->revision : result->current_revision;
        base->state = ALLSET_FILE_VERIFIED;
        if (local != NULL)
          {
            base->inode = local->inode;
            base->dev = local->dev;
            base->mtime_ns = local->mtime_ns;
          }
        allset_journal_base_put (pass->journal, base, NULL);
        pass->report->dirs_created++;
        allset_sync_emit_action (pass, ALLSET_SYNC_EVENT_DONE, action, 0, NULL);
        break;
      }

    case ALLSET_ACTION_MOVE_REMOTE:
      {
        g_autoptr(AllsetBaseEntry) base = NULL;

        allset_journal_base_rename (pass->journal, action->path, action->to, NULL);
        base = allset_journal_base_get (pass->journal, action->to, NULL);
        if (base != NULL)
          {
            base->revision = result->revision;
            if (local != NULL)
              {
                base->size = local->size;
                base->mtime_ns = local->mtime_ns;
                base->inode = local->inode;
                base->dev = local->dev;
              }
            allset_journal_base_put (pass->journal, base, NULL);
          }
        pass->report->moved++;
        allset_sync_emit_action (pass, ALLSET_SYNC_EVENT_DONE, action, 0, NULL);
        break;
      }

    case ALLSET_ACTION_DELETE_REMOTE:
      allset_journal_base_delete (pass->journal, action->path, TRUE, NULL);
      pass->report->deleted_remote += MAX (action->n_files, 1);
      allset_sync_emit_action (pass, ALLSET_SYNC_EVENT_DONE, action, 0, NULL);
      break;

    default:
      g_warn_if_reached ();
    }
}

/* One commit request: built and sent in a thread while the replies to
 * the ones before are applied here. */
typedef struct
{
  AllsetSyncPass    *pass;
  TransferSend      *chunks;    /* the chunks the ops wait for */
  GPtrArray         *ops;       /* PendingOp, borrowed */
  AllsetCommitScope *scope;     /* the paths of ops */
  guint              index;     /* in the flush, from 0 */
  GThread           *sender;    /* commit_batch_send() while on its way */
  GArray            *owners;    /* gint per operation sent: index in ops, < 0 for a replacement's delete */
  AllsetCommitReply *reply;
  GPtrArray         *verdicts;  /* GError * or NULL per result: its receipt checked in the sender thread */
  GError            *error;
} CommitBatch;

static void
commit_batch_free (CommitBatch *batch)
{
  g_ptr_array_unref (batch->ops);
  allset_commit_scope_free (batch->scope);
  g_array_unref (batch->owners);
  g_clear_pointer (&batch->reply, allset_commit_reply_free);
  g_clear_pointer (&batch->verdicts, g_ptr_array_unref);
  g_clear_error (&batch->error);
  g_free (batch);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CommitBatch, commit_batch_free)

static void
verdict_free (gpointer error)
{
  if (error != NULL)
    g_error_free (error);
}

static gpointer
commit_batch_send (gpointer data)
{
  CommitBatch *batch = data;
  AllsetSyncPass *pass = batch->pass;
  g_autoptr(JsonArray) json = json_array_new ();
  gint64 start = g_get_monotonic_time (), sent;

  allset_transfer_send_wait (batch->chunks, batch->ops);
  sent = g_get_monotonic_time ();

  for (guint i = 0; i < batch->ops->len; i++)
    {
      PendingOp *op = g_ptr_array_index (batch->ops, i);
      const AllsetAction *action = op->action;
      g_autofree char *path = NULL;
      gint pre = -1 - (gint) i;

      if (op->failed)
        continue;
      path = allset_sync_remote_path (pass, action->path);

      if (action->replace && action->remote != NULL &&
          (action->kind == ALLSET_ACTION_UPLOAD || action->kind == ALLSET_ACTION_MKDIR_REMOTE))
        {
          json_array_add_object_element (json, allset_commit_op_delete (path, action->remote->revision));
          g_array_append_val (batch->owners, pre);
        }

      switch (action->kind)
        {
        case ALLSET_ACTION_UPLOAD:
          {
            g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

            for (guint j = 0; j < op->chunks->len; j++)
              g_ptr_array_add (ids, allset_hash_to_hex (&g_array_index (op->chunks, AllsetLocalChunk, j).id));
            g_ptr_array_add (ids, NULL);
            json_array_add_object_element (json, allset_commit_op_put (path, action->replace ? 0 : action->base_revision,
                                                                       (const char * const *) ids->pdata,
                                                                       action->local->size,
                                                                       action->local->mtime_ns / G_GINT64_CONSTANT (1000000000),
                                                                       action->local->executable));
            break;
          }
        case ALLSET_ACTION_MKDIR_REMOTE:
          json_array_add_object_element (json, allset_commit_op_mkdir (path, action->replace ? 0 : action->base_revision));
          break;
        case ALLSET_ACTION_MOVE_REMOTE:
          {
            g_autofree char *to = allset_sync_remote_path (pass, action->to);

            json_array_add_object_element (json, allset_commit_op_move (path, to, action->base_revision));
            break;
          }
        case ALLSET_ACTION_DELETE_REMOTE:
          json_array_add_object_element (json, allset_commit_op_delete (path, action->base_revision));
          break;
        default:
          g_warn_if_reached ();
          continue;
        }
      g_array_append_val (batch->owners, i);
    }

  /* Every upload of the batch lost a chunk: nothing to commit. */
  if (json_array_get_length (json) == 0)
    return batch;

  /* Lets a test have the server take a later batch first. */
  if (batch->index == 0)
    allset_sync_test_pause ("ALLSET_TEST_PAUSE_FIRST_COMMIT", "before the first commit");

  batch->reply = allset_client_commit (pass->client, json, pass->cancellable, &batch->error);
  g_debug ("Commit of %u operations: %" G_GINT64_FORMAT " ms waiting for chunks, %" G_GINT64_FORMAT " ms to the reply",
           json_array_get_length (json), (sent - start) / 1000, (g_get_monotonic_time () - sent) / 1000);
  if (batch->reply == NULL)
    return batch;

  batch->verdicts = g_ptr_array_new_with_free_func (verdict_free);
  for (guint k = 0; k < batch->reply->results->len; k++)
    {
      const AllsetCommitResult *result = g_ptr_array_index (batch->reply->results, k);
      gint owner = k < batch->owners->len ? g_array_index (batch->owners, gint, k) : -1;
      PendingOp *op = owner >= 0 ? g_ptr_array_index (batch->ops, owner) : NULL;

      g_ptr_array_add (batch->verdicts,
                       op != NULL && op->action->kind == ALLSET_ACTION_UPLOAD && result->status == 200
                       ? allset_transfer_check_receipt (pass, op->file_id, result->receipt) : NULL);
    }
  return batch;
}

/* The commits' own changes, recorded as the feed would record them when
 * nothing else came in between (the journal's cursor is where a commit
 * started): the next pass then has no feed of its own commits to read
 * back (~250 ms for 10 000 files). held keeps the replies (and takes
 * reply) until their turn: the server may take two concurrent commits in
 * the other order than they were sent. What is still held at the end of
 * the flush is left to the feed. */
static void
record_own_changes (AllsetSyncPass    *pass,
                    GPtrArray         *held,
                    AllsetCommitReply *reply)
{
  gboolean progress = TRUE;

  if (reply->changes == NULL || reply->changes->len == 0)
    {
      allset_commit_reply_free (reply);
      return;
    }
  g_ptr_array_add (held, reply);

  while (progress)
    {
      progress = FALSE;
      for (guint k = 0; k < held->len && !progress; k++)
        {
          const AllsetCommitReply *next = g_ptr_array_index (held, k);
          g_autoptr(GError) error = NULL;
          gboolean contiguous = TRUE;

          if (allset_journal_get_cursor (pass->journal) != next->previous_cursor)
            continue;
          for (guint i = 0; i < next->changes->len && contiguous; i++)
            contiguous = ((AllsetChange *) g_ptr_array_index (next->changes, i))->seq ==
                         next->previous_cursor + 1 + i;
          if (contiguous && !allset_journal_apply_changes (pass->journal, next->changes, next->cursor, &error))
            g_debug ("The commit's own changes are left to the feed: %s", error->message);
          g_ptr_array_remove_index (held, k);
          progress = TRUE;
        }
    }
}

static void
commit_batch_apply (CommitBatch *batch,
                    GPtrArray   *held)
{
  AllsetSyncPass *pass = batch->pass;
  gboolean journal_tx;

  for (guint i = 0; i < batch->ops->len; i++)
    {
      PendingOp *op = g_ptr_array_index (batch->ops, i);

      if (op->failed)
        allset_sync_fail (pass, op->action->path, FALSE, _("its chunks could not be sent"));
    }

  if (batch->reply == NULL)
    {
      if (batch->error != NULL && !allset_sync_check_fatal (pass, batch->error))
        for (guint i = 0; i < batch->ops->len; i++)
          {
            PendingOp *op = g_ptr_array_index (batch->ops, i);

            if (!op->failed)
              allset_sync_fail (pass, op->action->path, FALSE, _("commit failed: %s"), batch->error->message);
          }
      return;
    }

  /* One journal transaction for the whole batch, not two per file. A
   * pass killed before it commits has committed on the server but not
   * here: the next pass finds local and remote equal and records them
   * (cli-sync case q). */
  allset_sync_test_pause ("ALLSET_TEST_PAUSE_AFTER_COMMIT", "after commit");
  journal_tx = allset_journal_begin (pass->journal, NULL);
  for (guint k = 0; k < batch->reply->results->len && k < batch->owners->len; k++)
    {
      gint owner = g_array_index (batch->owners, gint, k);
      const AllsetCommitResult *result = g_ptr_array_index (batch->reply->results, k);

      if (owner < 0)
        continue;   /* the deletion before a replacement: judged with it */
      apply_result (pass, g_ptr_array_index (batch->ops, owner), result,
                    (GError **) &g_ptr_array_index (batch->verdicts, k));
    }
  record_own_changes (pass, held, g_steal_pointer (&batch->reply));
  if (journal_tx && !allset_journal_commit (pass->journal, NULL))
    allset_journal_rollback (pass->journal);
}

/* Takes scope. */
static CommitBatch *
commit_batch_new (AllsetSyncPass    *pass,
                  TransferSend      *chunks,
                  GPtrArray         *ops,
                  AllsetCommitScope *scope)
{
  CommitBatch *batch = g_new0 (CommitBatch, 1);

  batch->pass = pass;
  batch->chunks = chunks;
  batch->ops = g_ptr_array_ref (ops);
  batch->scope = scope;
  batch->owners = g_array_new (FALSE, FALSE, sizeof (gint));
  return batch;
}

static const AllsetAction *
pending_op_action (gconstpointer op)
{
  return ((const PendingOp *) op)->action;
}

/* For g_queue_find_custom(): 0 when ops touch the paths of batch. */
static gint
commit_batch_touches_cmp (gconstpointer batch,
                          gconstpointer ops)
{
  const GPtrArray *array = ops;

  for (guint i = 0; i < array->len; i++)
    if (allset_commit_scope_touches (((const CommitBatch *) batch)->scope,
                                     pending_op_action (g_ptr_array_index (array, i))))
      return 0;
  return 1;
}

/* Waits for the oldest batch on its way and applies its reply (held:
 * see record_own_changes()). FALSE when the commit could not be made: no
 * further batch is sent. */
static gboolean
commit_batch_land (GQueue    *flying,
                   GPtrArray *held)
{
  g_autoptr(CommitBatch) batch = g_queue_pop_head (flying);
  gboolean made;

  g_thread_join (g_steal_pointer (&batch->sender));
  made = batch->reply != NULL || batch->error == NULL;
  commit_batch_apply (batch, held);
  return made;
}

void
allset_transfer_flush (AllsetSyncPass *pass)
{
  g_autoptr(GPtrArray) batches = NULL;
  g_autoptr(GPtrArray) scopes = NULL;
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_commit_reply_free);
  GQueue flying = G_QUEUE_INIT;
  gboolean go_on = TRUE;
  TransferSend chunks;

  if (pass->pending->len == 0)
    return;

  allset_transfer_send_start (pass, &chunks);
  batches = allset_commit_scope_cut (pass->pending, pending_op_action, ALLSET_SYNC_COMMIT_BATCH, &scopes);

  /* A batch is sent once its files' chunks are stored (those of later
   * batches are still being sent), next to the one before it unless it
   * touches that one's paths (the server orders concurrent commits as it
   * pleases; allset-commit-scope.h): then it waits for that reply. The
   * replies are applied here, in order, while the server works on the
   * next batches. */
  for (guint k = 0; k < batches->len && go_on && pass->fatal == NULL; k++)
    {
      GPtrArray *ops = g_ptr_array_index (batches, k);
      CommitBatch *next;

      while (go_on && !g_queue_is_empty (&flying) &&
             (flying.length >= ALLSET_SYNC_COMMITS_IN_FLIGHT ||
              g_queue_find_custom (&flying, ops, commit_batch_touches_cmp) != NULL))
        go_on = commit_batch_land (&flying, held);
      if (!go_on || pass->fatal != NULL)
        break;
      next = commit_batch_new (pass, &chunks, ops, g_steal_pointer (&scopes->pdata[k]));
      next->index = k;
      next->sender = g_thread_new ("allset-commit", commit_batch_send, next);
      g_queue_push_tail (&flying, next);
    }
  while (!g_queue_is_empty (&flying))
    commit_batch_land (&flying, held);

  allset_transfer_send_finish (pass, &chunks);
  allset_sync_phase (pass, "chunk uploads and commits");

  g_ptr_array_set_size (pass->pending, 0);
}
