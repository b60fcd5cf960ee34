/* allset-hash.c — SHA-256 (GnuTLS), chunk ids and file ids
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "allset-hash.h"

/* GnuTLS rather than GChecksum: it uses SHA-NI where the CPU has it and is
 * about seven times faster here (DESIGN.md §5). */

struct _AllsetHasher
{
  gnutls_hash_hd_t hd;
};

AllsetHasher *
allset_hasher_new (void)
{
  AllsetHasher *self = g_new0 (AllsetHasher, 1);

  /* Only fails on allocation failure or an unknown algorithm, and SHA-256
   * is always built into GnuTLS. */
  if (gnutls_hash_init (&self->hd, GNUTLS_DIG_SHA256) < 0)
    g_error ("Could not create a SHA-256 context");

  return self;
}

void
allset_hasher_update (AllsetHasher *self,
                      const void   *data,
                      gsize         len)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL || len == 0);

  if (len > 0)
    gnutls_hash (self->hd, data, len);
}

void
allset_hasher_finish (AllsetHasher *self,
                      AllsetHash   *out)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (out != NULL);

  /* gnutls_hash_output() also resets the context. */
  gnutls_hash_output (self->hd, out->bytes);
}

void
allset_hasher_free (AllsetHasher *self)
{
  if (self == NULL)
    return;

  gnutls_hash_deinit (self->hd, NULL);
  g_free (self);
}

void
allset_sha256 (const void *data,
               gsize       len,
               AllsetHash *out)
{
  g_return_if_fail (data != NULL || len == 0);
  g_return_if_fail (out != NULL);

  if (gnutls_hash_fast (GNUTLS_DIG_SHA256, len > 0 ? data : "", len, out->bytes) < 0)
    g_error ("Could not compute a SHA-256 digest");
}

void
allset_hash_to_hex_buf (const AllsetHash *hash,
                        char             *out)
{
  static const char digits[] = "0123456789abcdef";

  g_return_if_fail (hash != NULL);
  g_return_if_fail (out != NULL);

  for (guint i = 0; i < ALLSET_HASH_LEN; i++)
    {
      out[2 * i] = digits[hash->bytes[i] >> 4];
      out[2 * i + 1] = digits[hash->bytes[i] & 0xf];
    }
  out[ALLSET_HASH_HEX_LEN] = '\0';
}

char *
allset_hash_to_hex (const AllsetHash *hash)
{
  char *out;

  g_return_val_if_fail (hash != NULL, NULL);

  out = g_malloc (ALLSET_HASH_HEX_LEN + 1);
  allset_hash_to_hex_buf (hash, out);

  return out;
}

static int
lower_hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

gboolean
allset_hash_from_hex (const char *hex,
                      AllsetHash *out)
{
  AllsetHash parsed;

  g_return_val_if_fail (out != NULL, FALSE);

  if (hex == NULL)
    return FALSE;

  /* Ids are used as file names and database keys: accepting uppercase would
   * give one chunk two spellings. */
  for (guint i = 0; i < ALLSET_HASH_LEN; i++)
    {
      int hi, lo;

      if ((hi = lower_hex_value (hex[2 * i])) < 0 ||
          (lo = lower_hex_value (hex[2 * i + 1])) < 0)
        return FALSE;

      parsed.bytes[i] = (guint8) (hi << 4 | lo);
    }

  if (hex[ALLSET_HASH_HEX_LEN] != '\0')
    return FALSE;

  *out = parsed;

  return TRUE;
}

gboolean
allset_hash_equal (const AllsetHash *a,
                   const AllsetHash *b)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  return memcmp (a->bytes, b->bytes, ALLSET_HASH_LEN) == 0;
}

void
allset_file_id (const AllsetHash *chunk_ids,
                gsize             n_chunks,
                AllsetHash       *out)
{
  g_return_if_fail (chunk_ids != NULL || n_chunks == 0);
  g_return_if_fail (out != NULL);

  /* AllsetHash is exactly its 32 bytes, so the array already is the
   * concatenation the protocol hashes. */
  G_STATIC_ASSERT (sizeof (AllsetHash) == ALLSET_HASH_LEN);

  allset_sha256 (chunk_ids, n_chunks * sizeof (AllsetHash), out);
}
