/* allset-receipt.c — signed proof that a file version was committed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <gio/gio.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>

#include "allset-error.h"
#include "allset-hash.h"
#include "allset-json.h"
#include "allset-receipt-private.h"

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_pubkey_t, gnutls_pubkey_deinit, NULL)

#define KEY_ID_BYTES 8

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

JsonNode *
allset_receipt_to_json (const AllsetReceipt *self)
{
  g_autoptr(JsonObject) object = NULL;
  JsonNode *node;

  g_return_val_if_fail (self != NULL, NULL);

  object = json_object_new ();
  json_object_set_string_member (object, "account", self->account);
  json_object_set_string_member (object, "path", self->path);
  json_object_set_int_member (object, "revision", self->revision);
  json_object_set_string_member (object, "file_id", self->file_id);
  json_object_set_int_member (object, "size", (gint64) self->size);
  json_object_set_string_member (object, "time", self->time);
  if (self->key_id != NULL)
    json_object_set_string_member (object, "key_id", self->key_id);
  if (self->signature != NULL)
    json_object_set_string_member (object, "signature", self->signature);

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);

  return node;
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

  signature = g_base64_decode (self->signature, &signature_len);
  if (signature_len != ALLSET_ED25519_SIGNATURE_LEN)
    return verify_failed (error, "The receipt signature is not 64 bytes of base64");

  key_datum = (gnutls_datum_t) { raw_key, raw_key_len };
  if (gnutls_pubkey_init (&pubkey) < 0 ||
      gnutls_pubkey_import_ecc_raw (pubkey, GNUTLS_ECC_CURVE_ED25519, &key_datum, NULL) < 0)
    return verify_failed (error, "The receipt key is not a valid Ed25519 public key");

  text = allset_receipt_signed_text (self);
  data_datum = (gnutls_datum_t) { (guint8 *) text, strlen (text) };
  signature_datum = (gnutls_datum_t) { signature, signature_len };

  if (gnutls_pubkey_verify_data2 (pubkey, GNUTLS_SIGN_EDDSA_ED25519, 0,
                                  &data_datum, &signature_datum) < 0)
    return verify_failed (error, "The receipt signature does not match its contents");

  return TRUE;
}
