/* allset-signer.c — the server's Ed25519 receipt key
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "allset-merkle.h"
#include "allset-receipt-private.h"
#include "allset-signer.h"

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_pubkey_t, gnutls_pubkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_privkey_t, gnutls_x509_privkey_deinit, NULL)

struct _AllsetSigner
{
  GObject           parent_instance;

  /* GnuTLS does not promise that one private key can sign from several
   * threads at once, and commits are signed from worker threads. */
  GMutex            lock;
  gnutls_privkey_t  key;

  char             *public_key;
  char             *key_id;
};

G_DEFINE_FINAL_TYPE (AllsetSigner, allset_signer, G_TYPE_OBJECT)

static void
allset_signer_finalize (GObject *object)
{
  AllsetSigner *self = (AllsetSigner *)object;

  g_clear_pointer (&self->key, gnutls_privkey_deinit);
  g_clear_pointer (&self->public_key, g_free);
  g_clear_pointer (&self->key_id, g_free);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (allset_signer_parent_class)->finalize (object);
}

static void
allset_signer_class_init (AllsetSignerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = allset_signer_finalize;
}

static void
allset_signer_init (AllsetSigner *self)
{
  g_mutex_init (&self->lock);
}

static gboolean
gnutls_failed (GError       **error,
               GIOErrorEnum   code,
               int            ret,
               const char    *what,
               const char    *path)
{
  g_set_error (error, G_IO_ERROR, code,
               "Could not %s the receipt key %s: %s", what, path, gnutls_strerror (ret));
  return FALSE;
}

static gboolean
allset_signer_import (AllsetSigner  *self,
                      const char    *pem,
                      gsize          pem_len,
                      const char    *path,
                      GError       **error)
{
  gnutls_datum_t datum = { (guint8 *) pem, pem_len };
  int ret;

  if ((ret = gnutls_privkey_init (&self->key)) < 0)
    return gnutls_failed (error, G_IO_ERROR_FAILED, ret, "read", path);

  if ((ret = gnutls_privkey_import_x509_raw (self->key, &datum, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0)
    return gnutls_failed (error, G_IO_ERROR_INVALID_DATA, ret, "read", path);

  if (gnutls_privkey_get_pk_algorithm (self->key, NULL) != GNUTLS_PK_EDDSA_ED25519)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "The receipt key %s is not an Ed25519 key", path);
      return FALSE;
    }

  return TRUE;
}

static gboolean
allset_signer_generate (AllsetSigner  *self,
                        const char    *path,
                        GError       **error)
{
  g_auto(gnutls_x509_privkey_t) x509 = NULL;
  gnutls_datum_t pem = { NULL, 0 };
  gboolean saved;
  int ret;

  if ((ret = gnutls_privkey_init (&self->key)) < 0 ||
      (ret = gnutls_privkey_generate (self->key, GNUTLS_PK_EDDSA_ED25519,
                                      GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_ED25519), 0)) < 0)
    return gnutls_failed (error, G_IO_ERROR_FAILED, ret, "generate", path);

  /* PKCS #8, the only standard PEM form of an Ed25519 key, so that openssl
   * and certtool can read it too. */
  if ((ret = gnutls_privkey_export_x509 (self->key, &x509)) < 0 ||
      (ret = gnutls_x509_privkey_export2_pkcs8 (x509, GNUTLS_X509_FMT_PEM, NULL,
                                                GNUTLS_PKCS_PLAIN, &pem)) < 0)
    return gnutls_failed (error, G_IO_ERROR_FAILED, ret, "encode", path);

  /* Written to a temporary file, synced and renamed, so a crash leaves
   * either no key or a whole one, never a key receipts cannot be checked
   * against. */
  saved = g_file_set_contents_full (path, (const char *) pem.data, pem.size,
                                    G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                    0600, error);

  gnutls_memset (pem.data, 0, pem.size);
  gnutls_free (pem.data);

  return saved;
}

static gboolean
allset_signer_export_public_key (AllsetSigner  *self,
                                 const char    *path,
                                 GError       **error)
{
  g_auto(gnutls_pubkey_t) pubkey = NULL;
  gnutls_ecc_curve_t curve;
  gnutls_datum_t raw = { NULL, 0 };
  int ret;

  if ((ret = gnutls_pubkey_init (&pubkey)) < 0 ||
      (ret = gnutls_pubkey_import_privkey (pubkey, self->key, 0, 0)) < 0 ||
      (ret = gnutls_pubkey_export_ecc_raw2 (pubkey, &curve, &raw, NULL, 0)) < 0)
    return gnutls_failed (error, G_IO_ERROR_FAILED, ret, "export", path);

  if (curve != GNUTLS_ECC_CURVE_ED25519 || raw.size != ALLSET_ED25519_KEY_LEN)
    {
      gnutls_free (raw.data);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "The receipt key %s is not an Ed25519 key", path);
      return FALSE;
    }

  self->public_key = g_base64_encode (raw.data, raw.size);
  self->key_id = _allset_receipt_key_id (raw.data, raw.size);
  gnutls_free (raw.data);

  return TRUE;
}

AllsetSigner *
allset_signer_load_or_create (const char  *path,
                              GError     **error)
{
  g_autoptr(AllsetSigner) self = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *pem = NULL;
  gsize pem_len;
  gboolean loaded;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (ALLSET_TYPE_SIGNER, NULL);

  if (g_file_get_contents (path, &pem, &pem_len, &local_error))
    {
      loaded = allset_signer_import (self, pem, pem_len, path, error);
      gnutls_memset (pem, 0, pem_len);
    }
  else if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      loaded = allset_signer_generate (self, path, error);
    }
  else
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (!loaded || !allset_signer_export_public_key (self, path, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
allset_signer_get_public_key (AllsetSigner *self)
{
  g_return_val_if_fail (ALLSET_IS_SIGNER (self), NULL);

  return self->public_key;
}

const char *
allset_signer_get_key_id (AllsetSigner *self)
{
  g_return_val_if_fail (ALLSET_IS_SIGNER (self), NULL);

  return self->key_id;
}

/* Base64 of the Ed25519 signature of text. */
static char *
sign_text (AllsetSigner  *self,
           const char    *text,
           GError       **error)
{
  gnutls_datum_t data = { (guint8 *) text, strlen (text) };
  gnutls_datum_t signature = { NULL, 0 };
  char *encoded;
  int ret;

  g_mutex_lock (&self->lock);
  ret = gnutls_privkey_sign_data2 (self->key, GNUTLS_SIGN_EDDSA_ED25519, 0, &data, &signature);
  g_mutex_unlock (&self->lock);

  if (ret < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "Could not sign the receipt: %s", gnutls_strerror (ret));
      return NULL;
    }

  encoded = g_base64_encode (signature.data, signature.size);
  gnutls_free (signature.data);
  return encoded;
}

gboolean
allset_signer_sign (AllsetSigner   *self,
                    AllsetReceipt  *receipt,
                    GError        **error)
{
  g_autofree char *text = NULL;
  char *signature;

  g_return_val_if_fail (ALLSET_IS_SIGNER (self), FALSE);
  g_return_val_if_fail (receipt != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_allset_receipt_check_fields (receipt, error))
    return FALSE;

  text = allset_receipt_signed_text (receipt);
  if ((signature = sign_text (self, text, error)) == NULL)
    return FALSE;

  g_free (receipt->key_id);
  receipt->key_id = g_strdup (self->key_id);
  g_free (receipt->signature);
  receipt->signature = signature;
  /* Signed on its own now: no batch vouches for it any more. */
  g_clear_pointer (&receipt->batch_root, g_free);
  g_clear_pointer (&receipt->batch_proof, g_strfreev);
  receipt->batch_size = receipt->batch_index = 0;

  return TRUE;
}

gboolean
allset_signer_sign_batch (AllsetSigner   *self,
                          AllsetReceipt **receipts,
                          guint           n,
                          GError        **error)
{
  g_autoptr(AllsetMerkleTree) tree = NULL;
  g_autofree AllsetHash *leaves = NULL;
  g_autofree char *text = NULL;
  g_autofree char *signature = NULL;
  char root[ALLSET_HASH_HEX_LEN + 1];

  g_return_val_if_fail (ALLSET_IS_SIGNER (self), FALSE);
  g_return_val_if_fail (receipts != NULL, FALSE);
  g_return_val_if_fail (n >= 1, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  leaves = g_new (AllsetHash, n);
  for (guint i = 0; i < n; i++)
    {
      if (!_allset_receipt_check_fields (receipts[i], error))
        return FALSE;
      _allset_receipt_leaf (receipts[i], &leaves[i]);
    }

  tree = allset_merkle_tree_new (leaves, n);
  allset_hash_to_hex_buf (allset_merkle_tree_root (tree), root);
  text = _allset_receipt_batch_text (root, n);
  if ((signature = sign_text (self, text, error)) == NULL)
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      AllsetReceipt *receipt = receipts[i];
      AllsetHash proof[ALLSET_MERKLE_MAX_PROOF];
      guint proof_len = allset_merkle_tree_proof (tree, i, proof);

      g_free (receipt->key_id);
      receipt->key_id = g_strdup (self->key_id);
      g_free (receipt->signature);
      receipt->signature = g_strdup (signature);
      g_free (receipt->batch_root);
      receipt->batch_root = g_strdup (root);
      receipt->batch_size = n;
      receipt->batch_index = i;
      _allset_receipt_set_proof (receipt, proof, proof_len);
    }

  return TRUE;
}
