/* allset-hash.h — SHA-256 (GnuTLS), chunk ids and file ids
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ALLSET_HASH_LEN     32
#define ALLSET_HASH_HEX_LEN 64

typedef struct
{
  guint8 bytes[ALLSET_HASH_LEN];
} AllsetHash;

typedef struct _AllsetHasher AllsetHasher;

AllsetHasher *allset_hasher_new       (void);
void          allset_hasher_update    (AllsetHasher     *self,
                                       const void       *data,
                                       gsize             len);
/* Writes the digest and resets the hasher for reuse. */
void          allset_hasher_finish    (AllsetHasher     *self,
                                       AllsetHash       *out);
void          allset_hasher_free      (AllsetHasher     *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetHasher, allset_hasher_free)

void          allset_sha256           (const void       *data,
                                       gsize             len,
                                       AllsetHash       *out);
/* out must hold ALLSET_HASH_HEX_LEN + 1 bytes; lowercase hex. */
void          allset_hash_to_hex_buf  (const AllsetHash *hash,
                                       char             *out);
char         *allset_hash_to_hex      (const AllsetHash *hash);
/* Strict: exactly 64 lowercase hex digits. */
gboolean      allset_hash_from_hex    (const char       *hex,
                                       AllsetHash       *out);
gboolean      allset_hash_equal       (const AllsetHash *a,
                                       const AllsetHash *b);
/* File id: SHA-256 over the concatenated binary chunk ids, in order. */
void          allset_file_id          (const AllsetHash *chunk_ids,
                                       gsize             n_chunks,
                                       AllsetHash       *out);

G_END_DECLS
