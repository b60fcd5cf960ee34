/* allset-store-receipts.c — one signature per write batch (receipts v2)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An Ed25519 signature costs about as much CPU as everything else a put
 * does in the database. So the receipts a batch makes are collected while
 * it runs and, just before COMMIT, signed together: one Merkle tree over
 * them in result order, one signature over its root (docs/protocol.md,
 * "Receipts"). Each version row then keeps what it takes to hand the very
 * same receipt out again later: the batch's signature and root, the
 * receipt's place in the tree and its inclusion proof. Rows written before
 * receipts v2 have no batch columns and stay v1 receipts.
 */

#include <string.h>

#include "allset-store-private.h"

struct _StoreReceipts
{
  GArray    *version_ids;   /* gint64, parallel to receipts */
  GPtrArray *receipts;      /* AllsetReceipt *, borrowed */
};

StoreReceipts *
allset_store_receipts_new (void)
{
  StoreReceipts *self = g_new0 (StoreReceipts, 1);

  self->version_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->receipts = g_ptr_array_new ();
  return self;
}

void
allset_store_receipts_free (StoreReceipts *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->version_ids);
  g_ptr_array_unref (self->receipts);
  g_free (self);
}

void
allset_store_receipts_add (StoreReceipts *self,
                           gint64         version_id,
                           AllsetReceipt *receipt)
{
  g_array_append_val (self->version_ids, version_id);
  g_ptr_array_add (self->receipts, receipt);
}

/* The proof as stored: its hashes back to back, 32 bytes each. */
static guint8 *
proof_to_blob (GStrv  proof,
               gsize *len_out)
{
  guint n = proof != NULL ? g_strv_length (proof) : 0;
  guint8 *blob = g_malloc (MAX (n, 1) * ALLSET_HASH_LEN);

  for (guint i = 0; i < n; i++)
    {
      AllsetHash hash;

      /* Written by our own signer: always valid hex. */
      if (!allset_hash_from_hex (proof[i], &hash))
        g_assert_not_reached ();
      memcpy (blob + i * ALLSET_HASH_LEN, hash.bytes, ALLSET_HASH_LEN);
    }
  *len_out = n * ALLSET_HASH_LEN;
  return blob;
}

gboolean
allset_store_receipts_sign (StoreReceipts  *self,
                            AllsetStore    *store,
                            AllsetSigner   *signer,
                            GError        **error)
{
  AllsetReceipt **receipts = (AllsetReceipt **) self->receipts->pdata;
  AllsetHash root;

  if (self->receipts->len == 0)
    return TRUE;

  if (!allset_signer_sign_batch (signer, receipts, self->receipts->len, error))
    return FALSE;
  /* Every receipt of the batch has the same root. */
  if (!allset_hash_from_hex (receipts[0]->batch_root, &root))
    g_assert_not_reached ();

  for (guint i = 0; i < self->receipts->len; i++)
    {
      const AllsetReceipt *receipt = receipts[i];
      g_autofree guint8 *proof = NULL;
      gsize proof_len;
      StoreStmt *stmt;

      stmt = allset_store_stmt (store,
                                "UPDATE versions SET key_id = ?, signature = ?, batch_root = ?, "
                                "batch_size = ?, batch_index = ?, batch_proof = ? WHERE id = ?",
                                error);
      if (stmt == NULL)
        return FALSE;
      proof = proof_to_blob (receipt->batch_proof, &proof_len);
      sqlite3_bind_text (stmt, 1, receipt->key_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, receipt->signature, -1, SQLITE_STATIC);
      store_bind_hash (stmt, 3, &root);
      sqlite3_bind_int64 (stmt, 4, (gint64) receipt->batch_size);
      sqlite3_bind_int64 (stmt, 5, (gint64) receipt->batch_index);
      sqlite3_bind_blob (stmt, 6, proof, proof_len, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 7, g_array_index (self->version_ids, gint64, i));
      if (!allset_store_step_done (store, stmt, "receipt", error))
        return FALSE;
    }
  return TRUE;
}

void
allset_store_receipt_columns (sqlite3_stmt  *stmt,
                              int            first,
                              AllsetReceipt *receipt)
{
  const guint8 *proof;
  gsize proof_len;
  guint n;

  receipt->key_id = allset_store_column_strdup (stmt, first);
  receipt->signature = allset_store_column_strdup (stmt, first + 1);

  /* NULL: signed before receipts v2, on its own. */
  receipt->batch_root = allset_store_column_hex (stmt, first + 2);
  if (receipt->batch_root == NULL)
    return;

  receipt->batch_size = sqlite3_column_int64 (stmt, first + 3);
  receipt->batch_index = sqlite3_column_int64 (stmt, first + 4);
  proof = sqlite3_column_blob (stmt, first + 5);
  proof_len = sqlite3_column_bytes (stmt, first + 5);
  n = proof_len / ALLSET_HASH_LEN;
  receipt->batch_proof = g_new (char *, n + 1);
  for (guint i = 0; i < n; i++)
    {
      AllsetHash hash;

      memcpy (hash.bytes, proof + i * ALLSET_HASH_LEN, ALLSET_HASH_LEN);
      receipt->batch_proof[i] = allset_hash_to_hex (&hash);
    }
  receipt->batch_proof[n] = NULL;
}
