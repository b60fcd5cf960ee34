/* allset-receipt-private.h — shared by the receipt verifier and the signer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "allset-hash.h"
#include "allset-receipt.h"

G_BEGIN_DECLS

#define ALLSET_ED25519_KEY_LEN       32
#define ALLSET_ED25519_SIGNATURE_LEN 64

/* First 8 bytes of SHA-256(raw public key), in hex. */
char     *_allset_receipt_key_id       (const guint8         *raw_public_key,
                                        gsize                 len);
/* FALSE if a field would make the signed text ambiguous. */
gboolean  _allset_receipt_check_fields (const AllsetReceipt  *self,
                                        GError              **error);

/* The Merkle leaf of a receipt: SHA-256(0x00 || signed text). */
void      _allset_receipt_leaf         (const AllsetReceipt  *self,
                                        AllsetHash           *out);
/* Replaces the receipt's batch_proof with these hashes, in hex. */
void      _allset_receipt_set_proof    (AllsetReceipt        *self,
                                        const AllsetHash     *proof,
                                        guint                 len);
/* The bytes a batch signature is over: "allset-receipt-batch-v1\n{root}\n{n}". */
char     *_allset_receipt_batch_text   (const char           *root_hex,
                                        guint64               size);

G_END_DECLS
