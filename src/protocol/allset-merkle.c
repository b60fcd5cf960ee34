/* allset-merkle.c — RFC 9162 Merkle trees over the receipts of one commit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server signs the root of a tree over one commit's receipts instead of
 * every receipt (docs/protocol.md, "Receipts"); each receipt carries its
 * inclusion proof. Hashing and proofs follow Certificate Transparency
 * (RFC 9162 §2.1) exactly, leaf and node prefixes included, so that a
 * receipt can be checked with any CT library, and a leaf can never be
 * passed off as an inner node.
 *
 * The tree is built bottom-up: pairing neighbours level by level and
 * promoting an unpaired last node unchanged gives the same hash as the
 * RFC's recursive split at the largest power of two, and keeps every level
 * so that all proofs of a 10 000-receipt commit come from one pass.
 */

#include <string.h>

#include "allset-merkle.h"

void
allset_merkle_leaf_hash (const void *data,
                         gsize       len,
                         AllsetHash *out)
{
  g_autoptr(AllsetHasher) hasher = allset_hasher_new ();
  static const guint8 prefix = 0x00;

  g_return_if_fail (data != NULL || len == 0);
  g_return_if_fail (out != NULL);

  allset_hasher_update (hasher, &prefix, 1);
  allset_hasher_update (hasher, data, len);
  allset_hasher_finish (hasher, out);
}

void
allset_merkle_node_hash (const AllsetHash *left,
                         const AllsetHash *right,
                         AllsetHash       *out)
{
  guint8 buf[1 + 2 * ALLSET_HASH_LEN];

  buf[0] = 0x01;
  memcpy (buf + 1, left->bytes, ALLSET_HASH_LEN);
  memcpy (buf + 1 + ALLSET_HASH_LEN, right->bytes, ALLSET_HASH_LEN);
  allset_sha256 (buf, sizeof buf, out);
}

guint
allset_merkle_proof_length (guint64 size,
                            guint64 index)
{
  guint len = 0;

  if (index >= size)
    return 0;

  /* One sibling per level, except where the node is the unpaired last one
   * of its level and goes up unchanged. */
  for (; size > 1; index >>= 1, size = size / 2 + size % 2)
    {
      if ((index ^ 1) < size)
        len++;
    }
  return len;
}

gboolean
allset_merkle_verify (const AllsetHash *leaf,
                      guint64           index,
                      guint64           size,
                      const AllsetHash *proof,
                      gsize             proof_len,
                      const AllsetHash *root)
{
  AllsetHash r;
  guint64 fn, sn;

  g_return_val_if_fail (leaf != NULL, FALSE);
  g_return_val_if_fail (proof != NULL || proof_len == 0, FALSE);
  g_return_val_if_fail (root != NULL, FALSE);

  if (index >= size)
    return FALSE;

  fn = index;
  sn = size - 1;
  r = *leaf;

  for (gsize i = 0; i < proof_len; i++)
    {
      /* A proof longer than the path to the root. */
      if (sn == 0)
        return FALSE;

      if ((fn & 1) != 0 || fn == sn)
        {
          allset_merkle_node_hash (&proof[i], &r, &r);
          /* Skip the levels where this node was promoted without a
           * sibling: the last node of a level with an odd count. */
          while ((fn & 1) == 0 && fn != 0)
            {
              fn >>= 1;
              sn >>= 1;
            }
        }
      else
        {
          allset_merkle_node_hash (&r, &proof[i], &r);
        }
      fn >>= 1;
      sn >>= 1;
    }

  /* A proof shorter than the path leaves sn above 0. */
  return sn == 0 && allset_hash_equal (&r, root);
}

struct _AllsetMerkleTree
{
  gsize       size;
  guint       n_levels;
  GArray     *levels[ALLSET_MERKLE_MAX_PROOF + 1];   /* of AllsetHash; [0]: the leaves */
};

AllsetMerkleTree *
allset_merkle_tree_new (const AllsetHash *leaves,
                        gsize             n)
{
  AllsetMerkleTree *self;
  GArray *level;

  g_return_val_if_fail (leaves != NULL, NULL);
  g_return_val_if_fail (n >= 1, NULL);

  self = g_new0 (AllsetMerkleTree, 1);
  self->size = n;

  level = g_array_sized_new (FALSE, FALSE, sizeof (AllsetHash), n);
  g_array_append_vals (level, leaves, n);
  self->levels[self->n_levels++] = level;

  while (level->len > 1)
    {
      GArray *up = g_array_sized_new (FALSE, FALSE, sizeof (AllsetHash), (level->len + 1) / 2);

      for (guint j = 0; j < level->len; j += 2)
        {
          AllsetHash node;

          if (j + 1 < level->len)
            allset_merkle_node_hash (&g_array_index (level, AllsetHash, j),
                                     &g_array_index (level, AllsetHash, j + 1),
                                     &node);
          else
            node = g_array_index (level, AllsetHash, j);
          g_array_append_val (up, node);
        }
      self->levels[self->n_levels++] = up;
      level = up;
    }

  return self;
}

void
allset_merkle_tree_free (AllsetMerkleTree *self)
{
  if (self == NULL)
    return;

  for (guint l = 0; l < self->n_levels; l++)
    g_array_unref (self->levels[l]);
  g_free (self);
}

const AllsetHash *
allset_merkle_tree_root (const AllsetMerkleTree *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return &g_array_index (self->levels[self->n_levels - 1], AllsetHash, 0);
}

gsize
allset_merkle_tree_size (const AllsetMerkleTree *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->size;
}

guint
allset_merkle_tree_proof (const AllsetMerkleTree *self,
                          gsize                   index,
                          AllsetHash             *out)
{
  guint len = 0;
  gsize j = index;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (index < self->size, 0);
  g_return_val_if_fail (out != NULL, 0);

  for (guint l = 0; l + 1 < self->n_levels; l++, j >>= 1)
    {
      const GArray *level = self->levels[l];

      if ((j ^ 1) < level->len)
        out[len++] = g_array_index (level, AllsetHash, j ^ 1);
    }
  return len;
}
