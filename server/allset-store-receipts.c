/* allset-store-receipts.c — signing a large batch's receipts in the background
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An Ed25519 signature costs about as much CPU as everything else a put
 * does in the database. For a large batch the receipts are signed on a
 * second thread while the batch goes on, and their signatures are written
 * into the version rows just before COMMIT: a batch takes the longer of
 * the two instead of their sum.
 */

#include "allset-store-private.h"

typedef struct
{
  gint64         version_id;
  AllsetReceipt *receipt;   /* owned by the batch's result; only the worker
                             * touches it until the worker is joined */
} SignJob;

struct _StoreReceiptSigner
{
  AllsetSigner *signer;
  GThread      *thread;
  GAsyncQueue  *queue;
  GPtrArray    *jobs;       /* SignJob, in push order */
  GError       *error;      /* the worker's first failure */
};

/* Pushed last: tells the worker there is no more work. */
static SignJob stop_job;

static gpointer
sign_worker (gpointer data)
{
  StoreReceiptSigner *self = data;
  SignJob *job;

  while ((job = g_async_queue_pop (self->queue)) != &stop_job)
    {
      if (self->error == NULL)
        allset_signer_sign (self->signer, job->receipt, &self->error);
    }
  return NULL;
}

StoreReceiptSigner *
allset_store_receipt_signer_start (AllsetSigner *signer)
{
  StoreReceiptSigner *self = g_new0 (StoreReceiptSigner, 1);

  self->signer = g_object_ref (signer);
  self->queue = g_async_queue_new ();
  self->jobs = g_ptr_array_new_with_free_func (g_free);
  self->thread = g_thread_new ("allset-sign", sign_worker, self);
  return self;
}

void
allset_store_receipt_signer_push (StoreReceiptSigner *self,
                                  gint64              version_id,
                                  AllsetReceipt      *receipt)
{
  SignJob *job = g_new (SignJob, 1);

  job->version_id = version_id;
  job->receipt = receipt;
  g_ptr_array_add (self->jobs, job);
  g_async_queue_push (self->queue, job);
}

static void
join (StoreReceiptSigner *self)
{
  if (self->thread == NULL)
    return;
  g_async_queue_push (self->queue, &stop_job);
  g_thread_join (g_steal_pointer (&self->thread));
}

void
allset_store_receipt_signer_free (StoreReceiptSigner *self)
{
  if (self == NULL)
    return;
  /* Joined before anything goes: the worker writes into receipts the
   * caller frees next. */
  join (self);
  g_async_queue_unref (self->queue);
  g_ptr_array_unref (self->jobs);
  g_clear_error (&self->error);
  g_object_unref (self->signer);
  g_free (self);
}

gboolean
allset_store_receipt_signer_finish (StoreReceiptSigner  *self,
                                    AllsetStore         *store,
                                    GError             **error)
{
  join (self);
  if (self->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->error));
      return FALSE;
    }

  for (guint i = 0; i < self->jobs->len; i++)
    {
      const SignJob *job = g_ptr_array_index (self->jobs, i);
      StoreStmt *stmt;

      stmt = allset_store_stmt (store,
                                "UPDATE versions SET key_id = ?, signature = ? WHERE id = ?",
                                error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, job->receipt->key_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, job->receipt->signature, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, job->version_id);
      if (!allset_store_step_done (store, stmt, "receipt", error))
        return FALSE;
    }
  return TRUE;
}
