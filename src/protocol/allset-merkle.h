/* allset-merkle.h — RFC 9162 Merkle trees over the receipts of one commit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "allset-hash.h"

G_BEGIN_DECLS

/* A proof never holds more than one hash per level of a tree of 2^64
 * leaves; receipts bound it further with this. */
#define ALLSET_MERKLE_MAX_PROOF 64

/* SHA-256(0x00 || data). */
void      allset_merkle_leaf_hash    (const void        *data,
                                      gsize              len,
                                      AllsetHash        *out);
/* SHA-256(0x01 || left || right). */
void      allset_merkle_node_hash    (const AllsetHash  *left,
                                      const AllsetHash  *right,
                                      AllsetHash        *out);
/* How many hashes the inclusion proof of leaf index in a tree of size
 * leaves holds; 0 when index >= size. */
guint     allset_merkle_proof_length (guint64            size,
                                      guint64            index);
/* RFC 9162 §2.1.3.2: FALSE unless the proof (leaf to root) leads from
 * leaf at index to root in a tree of size leaves. */
gboolean  allset_merkle_verify       (const AllsetHash  *leaf,
                                      guint64            index,
                                      guint64            size,
                                      const AllsetHash  *proof,
                                      gsize              proof_len,
                                      const AllsetHash  *root);

/* All the levels of one tree, so that n proofs cost O(n log n), not n². */
typedef struct _AllsetMerkleTree AllsetMerkleTree;

/* n ≥ 1. */
AllsetMerkleTree *allset_merkle_tree_new   (const AllsetHash       *leaves,
                                            gsize                   n);
void              allset_merkle_tree_free  (AllsetMerkleTree       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetMerkleTree, allset_merkle_tree_free)
/* RFC 9162 §2.1.1 Merkle Tree Hash of the leaves. */
const AllsetHash *allset_merkle_tree_root  (const AllsetMerkleTree *self);
gsize             allset_merkle_tree_size  (const AllsetMerkleTree *self);
/* RFC 9162 §2.1.3.1 inclusion proof of leaf index, leaf to root, into out
 * (room for ALLSET_MERKLE_MAX_PROOF hashes). Returns its length. */
guint             allset_merkle_tree_proof (const AllsetMerkleTree *self,
                                            gsize                   index,
                                            AllsetHash             *out);

G_END_DECLS
