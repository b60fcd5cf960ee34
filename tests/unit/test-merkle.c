/* test-merkle.c — RFC 9162 Merkle trees (receipts v2)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The tree code is checked against a straightforward transcription of
 * RFC 9162 §2.1.1 and §2.1.3.1 (recursive split at the largest power of
 * two, hashed with GChecksum rather than our GnuTLS helper), and the
 * verifier with tampered proofs, roots, leaves, indexes and proof lengths
 * for every leaf of every tree up to 70 leaves. The receipts built on
 * these trees are in test-receipt-batch.c.
 */

#include <string.h>

#include <glib.h>

#include "allset-merkle.h"

#define MAX_N    70

/* ─── Reference implementation ───────────────────────────────────────── */

static void
ref_hash (guint8            prefix,
          const void       *a,
          gsize             a_len,
          const void       *b,
          gsize             b_len,
          AllsetHash       *out)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize len = ALLSET_HASH_LEN;

  g_checksum_update (checksum, &prefix, 1);
  g_checksum_update (checksum, a, a_len);
  if (b != NULL)
    g_checksum_update (checksum, b, b_len);
  g_checksum_get_digest (checksum, out->bytes, &len);
}

static gsize
ref_split (gsize n)
{
  gsize k = 1;

  while (k * 2 < n)
    k *= 2;
  return k;
}

static void
ref_mth (const AllsetHash *leaves,
         gsize             n,
         AllsetHash       *out)
{
  AllsetHash left, right;
  gsize k;

  if (n == 1)
    {
      *out = leaves[0];
      return;
    }
  k = ref_split (n);
  ref_mth (leaves, k, &left);
  ref_mth (leaves + k, n - k, &right);
  ref_hash (0x01, left.bytes, ALLSET_HASH_LEN, right.bytes, ALLSET_HASH_LEN, out);
}

/* RFC 9162 §2.1.3.1 PATH(m, D[n]), appended to path. */
static void
ref_path (gsize             m,
          const AllsetHash *leaves,
          gsize             n,
          GArray           *path)
{
  AllsetHash sibling;
  gsize k;

  if (n == 1)
    return;
  k = ref_split (n);
  if (m < k)
    {
      ref_path (m, leaves, k, path);
      ref_mth (leaves + k, n - k, &sibling);
    }
  else
    {
      ref_path (m - k, leaves + k, n - k, path);
      ref_mth (leaves, k, &sibling);
    }
  g_array_append_val (path, sibling);
}

static AllsetHash *
make_leaves (gsize n)
{
  AllsetHash *leaves = g_new (AllsetHash, n);

  for (gsize i = 0; i < n; i++)
    {
      g_autofree char *data = g_strdup_printf ("leaf %" G_GSIZE_FORMAT, i);

      allset_merkle_leaf_hash (data, strlen (data), &leaves[i]);
    }
  return leaves;
}

/* ─── Trees ──────────────────────────────────────────────────────────── */

static void
test_leaf_hash (void)
{
  AllsetHash ours, ref, left, right, node;

  allset_merkle_leaf_hash ("abc", 3, &ours);
  ref_hash (0x00, "abc", 3, NULL, 0, &ref);
  g_assert_true (allset_hash_equal (&ours, &ref));

  /* RFC 6962's empty-leaf value, from the CT test vectors. */
  allset_merkle_leaf_hash ("", 0, &ours);
  g_assert_true (allset_hash_from_hex ("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", &ref));
  g_assert_true (allset_hash_equal (&ours, &ref));

  allset_merkle_leaf_hash ("a", 1, &left);
  allset_merkle_leaf_hash ("b", 1, &right);
  allset_merkle_node_hash (&left, &right, &node);
  ref_hash (0x01, left.bytes, ALLSET_HASH_LEN, right.bytes, ALLSET_HASH_LEN, &ref);
  g_assert_true (allset_hash_equal (&node, &ref));
}

static void
test_roots_and_proofs (void)
{
  g_autofree AllsetHash *leaves = make_leaves (MAX_N);

  for (gsize n = 1; n <= MAX_N; n++)
    {
      g_autoptr(AllsetMerkleTree) tree = allset_merkle_tree_new (leaves, n);
      AllsetHash root;

      ref_mth (leaves, n, &root);
      g_assert_cmpuint (allset_merkle_tree_size (tree), ==, n);
      g_assert_true (allset_hash_equal (allset_merkle_tree_root (tree), &root));

      for (gsize i = 0; i < n; i++)
        {
          g_autoptr(GArray) path = g_array_new (FALSE, FALSE, sizeof (AllsetHash));
          AllsetHash proof[ALLSET_MERKLE_MAX_PROOF];
          guint len = allset_merkle_tree_proof (tree, i, proof);

          ref_path (i, leaves, n, path);
          g_assert_cmpuint (len, ==, path->len);
          g_assert_cmpuint (allset_merkle_proof_length (n, i), ==, len);
          for (guint j = 0; j < len; j++)
            g_assert_true (allset_hash_equal (&proof[j], &g_array_index (path, AllsetHash, j)));

          g_assert_true (allset_merkle_verify (&leaves[i], i, n, proof, len, &root));
        }
      g_assert_cmpuint (allset_merkle_proof_length (n, n), ==, 0);
    }
}

static void
test_proof_tampered (void)
{
  g_autofree AllsetHash *leaves = make_leaves (MAX_N);

  for (gsize n = 1; n <= MAX_N; n++)
    {
      g_autoptr(AllsetMerkleTree) tree = allset_merkle_tree_new (leaves, n);
      AllsetHash root = *allset_merkle_tree_root (tree);

      for (gsize i = 0; i < n; i++)
        {
          AllsetHash proof[ALLSET_MERKLE_MAX_PROOF + 1];
          guint len = allset_merkle_tree_proof (tree, i, proof);
          AllsetHash bad;

          /* Every byte of every proof element, of the root, of the leaf.
           * Every byte for small trees; first, middle and last beyond, to
           * keep the sanitizer run short. */
          for (guint b = 0; b < ALLSET_HASH_LEN; b++)
            {
              if (n > 24 && b != 0 && b != 15 && b != ALLSET_HASH_LEN - 1)
                continue;
              for (guint j = 0; j < len; j++)
                {
                  proof[j].bytes[b] ^= 0x01;
                  g_assert_false (allset_merkle_verify (&leaves[i], i, n, proof, len, &root));
                  proof[j].bytes[b] ^= 0x01;
                }
              bad = root;
              bad.bytes[b] ^= 0x80;
              g_assert_false (allset_merkle_verify (&leaves[i], i, n, proof, len, &bad));
              bad = leaves[i];
              bad.bytes[b] ^= 0x80;
              g_assert_false (allset_merkle_verify (&bad, i, n, proof, len, &root));
            }

          /* Any other index, or one out of range. */
          for (gsize j = 0; j <= n + 1; j++)
            {
              if (j != i)
                g_assert_false (allset_merkle_verify (&leaves[i], j, n, proof, len, &root));
            }
          g_assert_false (allset_merkle_verify (&leaves[i], G_MAXUINT64, n, proof, len, &root));
          g_assert_false (allset_merkle_verify (&leaves[i], i, 0, proof, len, &root));

          /* One hash short, one hash too many. */
          if (len > 0)
            g_assert_false (allset_merkle_verify (&leaves[i], i, n, proof, len - 1, &root));
          proof[len] = root;
          g_assert_false (allset_merkle_verify (&leaves[i], i, n, proof, len + 1, &root));
          proof[len] = leaves[0];
          g_assert_false (allset_merkle_verify (&leaves[i], i, n, proof, len + 1, &root));

          /* Still good after all that. */
          g_assert_true (allset_merkle_verify (&leaves[i], i, n, proof, len, &root));
        }
    }
}

static void
test_large_tree (void)
{
  /* Powers of two and their neighbours up high, where the bit walk of the
   * verifier skips several levels at once. */
  const gsize sizes[] = { 1023, 1024, 1025, 10000 };
  g_autofree AllsetHash *leaves = make_leaves (10000);

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      gsize n = sizes[s];
      g_autoptr(AllsetMerkleTree) tree = allset_merkle_tree_new (leaves, n);
      AllsetHash root;

      ref_mth (leaves, n, &root);
      g_assert_true (allset_hash_equal (allset_merkle_tree_root (tree), &root));
      for (gsize i = 0; i < n; i += (i < 8 || n - i < 8) ? 1 : 97)
        {
          AllsetHash proof[ALLSET_MERKLE_MAX_PROOF];
          guint len = allset_merkle_tree_proof (tree, i, proof);

          g_assert_cmpuint (len, ==, allset_merkle_proof_length (n, i));
          g_assert_true (allset_merkle_verify (&leaves[i], i, n, proof, len, &root));
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/merkle/leaf-hash", test_leaf_hash);
  g_test_add_func ("/merkle/roots-and-proofs", test_roots_and_proofs);
  g_test_add_func ("/merkle/proof-tampered", test_proof_tampered);
  g_test_add_func ("/merkle/large-tree", test_large_tree);

  return g_test_run ();
}
