/* allset-receipt.c — signed proof that a file version was committed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two forms live side by side (docs/protocol.md, "Receipts"): v1, signed
 * on its own, which journals and older servers hold, and v2, one leaf of a
 * Merkle tree over a commit's receipts whose root alone is signed.
 */

#include <string.h>

#include <gio/gio.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>

#include "allset-error.h"
#include "allset-hash.h"
#include "allset-json.h"
#include "allset-merkle.h"
#include "allset-receipt-private.h"

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_pubkey_t, gnutls_pubkey_deinit, NULL)

#define KEY_ID_BYTES 8

/* Batch signatures already checked, so that the 10 000 receipts of one
 * commit cost one Ed25519 verification (~110 µs each) rather than 10 000.
 * Only a signature that verified goes in, keyed by everything it was
 * checked against; cleared when full rather than evicted one by one. */
#define VERIFIED_CACHE_MAX 4096
static GMutex      verified_lock;
static GHashTable *verified_batches;   /* "key root size signature" → itself */

AllsetReceipt *
allset_receipt_new (const char *account,
                    const char *path,
                    gint64      revision,
                    const char *file_id,
                    guint64     size,
                    gint64      unix_time)
{
  g_autoptr(GDateTime) datetime = NULL;
  AllsetReceipt *self;

  g_return_val_if_fail (account != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (file_id != NULL, NULL);

  datetime = g_date_time_new_from_unix_utc (unix_time);
  g_return_val_if_fail (datetime != NULL, NULL);

  self = g_new0 (AllsetReceipt, 1);
  self->account = g_strdup (account);
  self->path = g_strdup (path);
  self->revision = revision;
  self->file_id = g_strdup (file_id);
  self->size = size;
  self->time = g_date_time_format (datetime, "%Y-%m-%dT%H:%M:%SZ");

  return self;
}

AllsetReceipt *
allset_receipt_copy (const AllsetReceipt *self)
{
  AllsetReceipt *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (AllsetReceipt, 1);
  copy->account = g_strdup (self->account);
  copy->path = g_strdup (self->path);
  copy->revision = self->revision;
  copy->file_id = g_strdup (self->file_id);
  copy->size = self->size;
  copy->time = g_strdup (self->time);
  copy->key_id = g_strdup (self->key_id);
  copy->signature = g_strdup (self->signature);
  copy->batch_root = g_strdup (self->batch_root);
  copy->batch_size = self->batch_size;
  copy->batch_index = self->batch_index;
  copy->batch_proof = g_strdupv (self->batch_proof);

  return copy;
}

void
allset_receipt_free (AllsetReceipt *self)
{
  if (self == NULL)
    return;

  g_free (self->account);
  g_free (self->path);
  g_free (self->file_id);
  g_free (self->time);
  g_free (self->key_id);
  g_free (self->signature);
  g_free (self->batch_root);
  g_strfreev (self->batch_proof);
  g_free (self);
}

char *
allset_receipt_signed_text (const AllsetReceipt *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_strdup_printf ("allset-receipt-v1\n%s\n%s\n%" G_GINT64_FORMAT "\n%s\n%" G_GUINT64_FORMAT "\n%s",
                          self->account,
                          self->path,
                          self->revision,
                          self->file_id,
                          self->size,
                          self->time);
}

void
allset_receipt_write (const AllsetReceipt *self,
                      AllsetJsonWriter    *writer)
{
  g_return_if_fail (self != NULL);

  allset_json_writer_begin_object (writer);
  allset_json_writer_string_member (writer, "account", self->account);
  allset_json_writer_string_member (writer, "path", self->path);
  allset_json_writer_int_member (writer, "revision", self->revision);
  allset_json_writer_string_member (writer, "file_id", self->file_id);
  allset_json_writer_int_member (writer, "size", (gint64) self->size);
  allset_json_writer_string_member (writer, "time", self->time);
  if (self->key_id != NULL)
    allset_json_writer_string_member (writer, "key_id", self->key_id);
  if (self->signature != NULL)
    allset_json_writer_string_member (writer, "signature", self->signature);
  if (self->batch_root != NULL)
    {
      allset_json_writer_member (writer, "batch");
      allset_json_writer_begin_object (writer);
      allset_json_writer_string_member (writer, "root", self->batch_root);
      allset_json_writer_int_member (writer, "size", (gint64) self->batch_size);
      allset_json_writer_int_member (writer, "index", (gint64) self->batch_index);
      allset_json_writer_member (writer, "proof");
      allset_json_writer_begin_array (writer);
      for (guint i = 0; self->batch_proof != NULL && self->batch_proof[i] != NULL; i++)
        allset_json_writer_string (writer, self->batch_proof[i]);
      allset_json_writer_end_array (writer);
      allset_json_writer_end_object (writer);
    }
  allset_json_writer_end_object (writer);
}

char *
allset_receipt_to_string (const AllsetReceipt *self)
{
  AllsetJsonWriter *writer = allset_json_writer_new ();

  allset_receipt_write (self, writer);
  return allset_json_writer_free_to_string (writer, NULL);
}

JsonNode *
allset_receipt_to_json (const AllsetReceipt *self)
{
  g_autofree char *text = NULL;
  JsonNode *node;

  g_return_val_if_fail (self != NULL, NULL);

  text = allset_receipt_to_string (self);
  node = json_from_string (text, NULL);
  g_assert (node != NULL);   /* the writer's own output */
  return node;
}

static gboolean
batch_invalid (GError     **error,
               const char  *message)
{
  g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_JSON,
               "Member “batch”: %s", message);
  return FALSE;
}

void
_allset_receipt_set_proof (AllsetReceipt    *self,
                           const AllsetHash *proof,
                           guint             len)
{
  g_strfreev (self->batch_proof);
  self->batch_proof = g_new (char *, len + 1);
  for (guint i = 0; i < len; i++)
    self->batch_proof[i] = allset_hash_to_hex (&proof[i]);
  self->batch_proof[len] = NULL;
}

gboolean
allset_receipt_batch_complete (AllsetReceipt **receipts,
                               gsize           n,
                               GError        **error)
{
  g_autoptr(AllsetMerkleTree) tree = NULL;
  g_autofree AllsetHash *leaves = NULL;
  g_autofree gboolean *seen = NULL;
  const AllsetReceipt *first;
  char root[ALLSET_HASH_HEX_LEN + 1];

  g_return_val_if_fail (receipts != NULL && n >= 1, FALSE);

  first = receipts[0];
  if (first->batch_root == NULL || first->batch_size != n)
    return batch_invalid (error, "the batch does not hold as many receipts as it says");

  leaves = g_new (AllsetHash, n);
  seen = g_new0 (gboolean, n);
  for (gsize i = 0; i < n; i++)
    {
      const AllsetReceipt *receipt = receipts[i];

      if (receipt->batch_index >= n || seen[receipt->batch_index] ||
          receipt->batch_size != n || g_strcmp0 (receipt->batch_root, first->batch_root) != 0 ||
          g_strcmp0 (receipt->signature, first->signature) != 0 ||
          g_strcmp0 (receipt->key_id, first->key_id) != 0)
        return batch_invalid (error, "the receipts are not those of one batch");
      if (!_allset_receipt_check_fields (receipt, error))
        return FALSE;
      seen[receipt->batch_index] = TRUE;
      _allset_receipt_leaf (receipt, &leaves[receipt->batch_index]);
    }

  tree = allset_merkle_tree_new (leaves, n);
  allset_hash_to_hex_buf (allset_merkle_tree_root (tree), root);
  if (g_ascii_strcasecmp (root, first->batch_root) != 0)
    return batch_invalid (error, "the receipts do not make the batch's root");

  for (gsize i = 0; i < n; i++)
    {
      AllsetReceipt *receipt = receipts[i];
      AllsetHash proof[ALLSET_MERKLE_MAX_PROOF];
      guint proof_len = allset_merkle_tree_proof (tree, receipt->batch_index, proof);

      _allset_receipt_set_proof (receipt, proof, proof_len);
    }
  return TRUE;
}

static gboolean
is_hash_hex (const char *text)
{
  AllsetHash unused;

  return allset_hash_from_hex (text, &unused);
}

/* Checks the shape only: whether the proof leads to the root is for
 * allset_receipt_verify(). */
static gboolean
batch_from_json (AllsetReceipt  *self,
                 JsonObject     *batch,
                 GError        **error)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  const char *root;
  gint64 size, index;
  JsonArray *proof;

  if (!allset_json_get_string (batch, "root", &root, error) ||
      !allset_json_get_int (batch, "size", &size, error) ||
      !allset_json_get_int (batch, "index", &index, error) ||
      !allset_json_get_array (batch, "proof", &proof, error))
    return FALSE;

  if (!is_hash_hex (root))
    return batch_invalid (error, "“root” is not 64 lowercase hex digits");
  if (size < 1)
    return batch_invalid (error, "“size” must be at least 1");
  if (index < 0 || index >= size)
    return batch_invalid (error, "“index” must be between 0 and “size” − 1");
  if (json_array_get_length (proof) != allset_merkle_proof_length (size, index))
    return batch_invalid (error, "“proof” does not have the length “size” and “index” need");

  builder = g_strv_builder_new ();
  for (guint i = 0; i < json_array_get_length (proof); i++)
    {
      JsonNode *element = json_array_get_element (proof, i);

      if (!JSON_NODE_HOLDS_VALUE (element) ||
          json_node_get_value_type (element) != G_TYPE_STRING ||
          !is_hash_hex (json_node_get_string (element)))
        return batch_invalid (error, "a “proof” element is not 64 lowercase hex digits");
      g_strv_builder_add (builder, json_node_get_string (element));
    }

  self->batch_root = g_strdup (root);
  self->batch_size = size;
  self->batch_index = index;
  self->batch_proof = g_strv_builder_end (builder);
  return TRUE;
}

AllsetReceipt *
allset_receipt_from_json (JsonNode  *node,
                          GError   **error)
{
  g_autoptr(AllsetReceipt) self = NULL;
  JsonObject *object;
  const char *account, *path, *file_id, *time_text;
  const char *key_id = NULL;
  const char *signature = NULL;
  gint64 revision, size;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_JSON,
                           "A receipt must be a JSON object");
      return NULL;
    }

  object = json_node_get_object (node);

  if (!allset_json_get_string (object, "account", &account, error) ||
      !allset_json_get_string (object, "path", &path, error) ||
      !allset_json_get_int (object, "revision", &revision, error) ||
      !allset_json_get_string (object, "file_id", &file_id, error) ||
      !allset_json_get_int (object, "size", &size, error) ||
      !allset_json_get_string (object, "time", &time_text, error) ||
      !allset_json_get_string_opt (object, "key_id", &key_id, error) ||
      !allset_json_get_string_opt (object, "signature", &signature, error))
    return NULL;

  if (size < 0)
    {
      g_set_error_literal (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_JSON,
                           "Member “size” must not be negative");
      return NULL;
    }

  self = g_new0 (AllsetReceipt, 1);
  self->account = g_strdup (account);
  self->path = g_strdup (path);
  self->revision = revision;
  self->file_id = g_strdup (file_id);
  self->size = size;
  self->time = g_strdup (time_text);
  self->key_id = g_strdup (key_id);
  self->signature = g_strdup (signature);

  if (json_object_has_member (object, "batch") &&
      !json_node_is_null (json_object_get_member (object, "batch")))
    {
      JsonNode *batch = json_object_get_member (object, "batch");

      if (!JSON_NODE_HOLDS_OBJECT (batch))
        {
          batch_invalid (error, "not an object");
          return NULL;
        }
      if (!batch_from_json (self, json_node_get_object (batch), error))
        return NULL;
    }

  return g_steal_pointer (&self);
}

char *
_allset_receipt_key_id (const guint8 *raw_public_key,
                        gsize         len)
{
  AllsetHash hash;
  char hex[ALLSET_HASH_HEX_LEN + 1];

  allset_sha256 (raw_public_key, len, &hash);
  allset_hash_to_hex_buf (&hash, hex);

  return g_strndup (hex, 2 * KEY_ID_BYTES);
}

gboolean
_allset_receipt_check_fields (const AllsetReceipt  *self,
                              GError              **error)
{
  /* The signed text is one field per line: a line break inside a field
   * would let one receipt's signature vouch for other field values. */
  const char *fields[] = { self->account, self->path, self->file_id, self->time };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      if (strchr (fields[i], '\n') != NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               "A receipt field contains a line break");
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
verify_failed (GError     **error,
               const char  *message)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, message);
  return FALSE;
}

void
_allset_receipt_leaf (const AllsetReceipt *self,
                      AllsetHash          *out)
{
  g_autofree char *text = allset_receipt_signed_text (self);

  allset_merkle_leaf_hash (text, strlen (text), out);
}

char *
_allset_receipt_batch_text (const char *root_hex,
                            guint64     size)
{
  return g_strdup_printf ("allset-receipt-batch-v1\n%s\n%" G_GUINT64_FORMAT, root_hex, size);
}

/* FALSE unless the receipt's own leaf, folded with its proof, gives the
 * root the batch signature is over. */
static gboolean
check_inclusion (const AllsetReceipt  *self,
                 GError              **error)
{
  AllsetHash proof[ALLSET_MERKLE_MAX_PROOF];
  AllsetHash leaf, root;
  guint proof_len;

  proof_len = self->batch_proof != NULL ? g_strv_length (self->batch_proof) : 0;
  if (proof_len > ALLSET_MERKLE_MAX_PROOF ||
      !allset_hash_from_hex (self->batch_root, &root))
    return verify_failed (error, "The receipt's batch is malformed");

  for (guint i = 0; i < proof_len; i++)
    {
      if (!allset_hash_from_hex (self->batch_proof[i], &proof[i]))
        return verify_failed (error, "The receipt's batch is malformed");
    }

  _allset_receipt_leaf (self, &leaf);
  if (!allset_merkle_verify (&leaf, self->batch_index, self->batch_size, proof, proof_len, &root))
    return verify_failed (error, "The receipt is not part of the batch its signature is over");

  return TRUE;
}

static char *
verified_key (const AllsetReceipt *self,
              const char          *public_key)
{
  return g_strdup_printf ("%s %s %" G_GUINT64_FORMAT " %s",
                          public_key, self->batch_root, self->batch_size, self->signature);
}

static gboolean
verified_lookup (const char *key)
{
  gboolean found;

  g_mutex_lock (&verified_lock);
  found = verified_batches != NULL && g_hash_table_contains (verified_batches, key);
  g_mutex_unlock (&verified_lock);
  return found;
}

static void
verified_remember (char *key)
{
  g_mutex_lock (&verified_lock);
  if (verified_batches == NULL)
    verified_batches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (g_hash_table_size (verified_batches) >= VERIFIED_CACHE_MAX)
    g_hash_table_remove_all (verified_batches);
  g_hash_table_add (verified_batches, key);
  g_mutex_unlock (&verified_lock);
}

gboolean
allset_receipt_verify (const AllsetReceipt  *self,
                       const char           *public_key,
                       GError              **error)
{
  g_auto(gnutls_pubkey_t) pubkey = NULL;
  g_autofree guint8 *raw_key = NULL;
  g_autofree guint8 *signature = NULL;
  g_autofree char *key_id = NULL;
  g_autofree char *text = NULL;
  g_autofree char *cache_key = NULL;
  gnutls_datum_t key_datum, data_datum, signature_datum;
  gsize raw_key_len, signature_len;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (public_key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->key_id == NULL || self->signature == NULL)
    return verify_failed (error, "The receipt is not signed");

  if (!_allset_receipt_check_fields (self, error))
    return FALSE;

  raw_key = g_base64_decode (public_key, &raw_key_len);
  if (raw_key_len != ALLSET_ED25519_KEY_LEN)
    return verify_failed (error, "The receipt key is not a base64 Ed25519 public key");

  key_id = _allset_receipt_key_id (raw_key, raw_key_len);
  if (strcmp (key_id, self->key_id) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "The receipt was signed with key %s, not with key %s",
                   self->key_id, key_id);
      return FALSE;
    }

  if (self->batch_root != NULL)
    {
      if (!check_inclusion (self, error))
        return FALSE;
      /* Everything this receipt adds to the batch is checked above; the
       * signature over the root may have been checked for a sibling. */
      cache_key = verified_key (self, public_key);
      if (verified_lookup (cache_key))
        return TRUE;
      text = _allset_receipt_batch_text (self->batch_root, self->batch_size);
    }
  else
    {
      text = allset_receipt_signed_text (self);
    }

  signature = g_base64_decode (self->signature, &signature_len);
  if (signature_len != ALLSET_ED25519_SIGNATURE_LEN)
    return verify_failed (error, "The receipt signature is not 64 bytes of base64");

  key_datum = (gnutls_datum_t) { raw_key, raw_key_len };
  if (gnutls_pubkey_init (&pubkey) < 0 ||
      gnutls_pubkey_import_ecc_raw (pubkey, GNUTLS_ECC_CURVE_ED25519, &key_datum, NULL) < 0)
    return verify_failed (error, "The receipt key is not a valid Ed25519 public key");

  data_datum = (gnutls_datum_t) { (guint8 *) text, strlen (text) };
  signature_datum = (gnutls_datum_t) { signature, signature_len };

  if (gnutls_pubkey_verify_data2 (pubkey, GNUTLS_SIGN_EDDSA_ED25519, 0,
                                  &data_datum, &signature_datum) < 0)
    return verify_failed (error, "The receipt signature does not match its contents");

  if (cache_key != NULL)
    verified_remember (g_steal_pointer (&cache_key));

  return TRUE;
}
