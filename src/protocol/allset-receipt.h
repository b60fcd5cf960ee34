/* allset-receipt.h — signed proof that a file version was committed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "allset-json-writer.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct
{
  char   *account;
  char   *path;
  gint64  revision;
  char   *file_id;     /* hex */
  guint64 size;
  char   *time;        /* ISO 8601 UTC, second precision: 2026-11-26T13:45:00Z */
  char   *key_id;      /* 16 hex chars */
  char   *signature;   /* base64 of 64 bytes */

  /* Receipts v2 (docs/protocol.md, "Receipts"): signature is over the root
   * of a Merkle tree of one commit's receipts, and these place this receipt
   * in it. batch_root NULL: a v1 receipt, signed on its own. */
  char   *batch_root;  /* 64 hex */
  guint64 batch_size;  /* leaves in the tree, ≥ 1 */
  guint64 batch_index; /* this receipt's leaf, < batch_size */
  GStrv   batch_proof; /* inclusion proof, leaf to root, 64 hex each */
} AllsetReceipt;

AllsetReceipt *allset_receipt_new         (const char           *account,
                                           const char           *path,
                                           gint64                revision,
                                           const char           *file_id,
                                           guint64               size,
                                           gint64                unix_time);
AllsetReceipt *allset_receipt_copy        (const AllsetReceipt  *self);
void           allset_receipt_free        (AllsetReceipt        *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetReceipt, allset_receipt_free)

/* The exact bytes that are signed (docs/protocol.md, "Receipts"). */
char          *allset_receipt_signed_text (const AllsetReceipt  *self);
/* The receipt as a JSON object, into writer (commit answers, journals);
 * _to_json() parses that text back for callers building with json-glib. */
void           allset_receipt_write       (const AllsetReceipt  *self,
                                           AllsetJsonWriter     *writer);
char          *allset_receipt_to_string   (const AllsetReceipt  *self);
JsonNode      *allset_receipt_to_json     (const AllsetReceipt  *self);
AllsetReceipt *allset_receipt_from_json   (JsonNode             *node,
                                           GError              **error);
/* The proofs of a whole batch, rebuilt from its receipts: a commit answer
 * in the compact form (docs/protocol.md) carries each receipt's fields but
 * no proof, since the client holds every leaf of the tree anyway. receipts
 * are all those of one batch, in any order: same root, size, key and
 * signature, indexes 0 … size-1 once each. Fills each batch_proof when
 * the tree of their leaves has the announced root; FALSE (and nothing
 * changed) otherwise, and then allset_receipt_verify() refuses them. */
gboolean       allset_receipt_batch_complete (AllsetReceipt **receipts,
                                              gsize           n,
                                              GError        **error);
/* public_key: base64 of the 32-byte raw Ed25519 key from /api/v1/status.
 * Checks v1 and v2 receipts; thread-safe. A v2 batch signature checked once
 * is remembered, so the receipts of one commit cost one Ed25519 check. */
gboolean       allset_receipt_verify      (const AllsetReceipt  *self,
                                           const char           *public_key,
                                           GError              **error);

G_END_DECLS
