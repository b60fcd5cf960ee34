/* allset-signer.h — the server's Ed25519 receipt key
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "allset-receipt.h"

G_BEGIN_DECLS

#define ALLSET_TYPE_SIGNER (allset_signer_get_type ())
G_DECLARE_FINAL_TYPE (AllsetSigner, allset_signer, ALLSET, SIGNER, GObject)

/* Loads the PEM private key at path, or creates one (mode 0600) if absent. */
AllsetSigner *allset_signer_load_or_create (const char    *path,
                                            GError       **error);
/* Base64 of the raw 32-byte public key. */
const char   *allset_signer_get_public_key (AllsetSigner  *self);
/* First 8 bytes of SHA-256(raw public key), hex. */
const char   *allset_signer_get_key_id     (AllsetSigner  *self);
/* Thread-safe. Fills receipt->key_id and receipt->signature (a v1
 * receipt, signed on its own). */
gboolean      allset_signer_sign           (AllsetSigner  *self,
                                            AllsetReceipt *receipt,
                                            GError       **error);
/* Thread-safe. Builds the Merkle tree over receipts, in order, signs its
 * root once and fills every receipt's key_id, signature and batch_* (v2
 * receipts; docs/protocol.md, "Receipts"). n ≥ 1. On failure no receipt
 * is changed. */
gboolean      allset_signer_sign_batch     (AllsetSigner   *self,
                                            AllsetReceipt **receipts,
                                            guint           n,
                                            GError        **error);

G_END_DECLS
