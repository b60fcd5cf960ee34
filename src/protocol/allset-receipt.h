/* allset-receipt.h — signed proof that a file version was committed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

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
JsonNode      *allset_receipt_to_json     (const AllsetReceipt  *self);
AllsetReceipt *allset_receipt_from_json   (JsonNode             *node,
                                           GError              **error);
/* public_key: base64 of the 32-byte raw Ed25519 key from /api/v1/status. */
gboolean       allset_receipt_verify      (const AllsetReceipt  *self,
                                           const char           *public_key,
                                           GError              **error);

G_END_DECLS
