/* allset-tls.c — server certificates: development certificate, loading, fingerprint
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "allset-tls.h"

#define DEV_CERT_DAYS          365
#define DEV_CERT_RENEW_SECONDS (30 * 24 * 3600)

static void
clear_datum (gnutls_datum_t *datum)
{
  if (datum->data != NULL)
    {
      gnutls_memset (datum->data, 0, datum->size);
      gnutls_free (datum->data);
    }
  datum->data = NULL;
  datum->size = 0;
}

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_crt_t, gnutls_x509_crt_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_privkey_t, gnutls_x509_privkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (gnutls_datum_t, clear_datum)

static gboolean
check_gnutls (int ret, const char *what, GError **error)
{
  if (ret >= 0)
    return TRUE;

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               _("Cannot make the development certificate (%s): %s"),
               what, gnutls_strerror (ret));
  return FALSE;
}

/* The pair is reused only if both parse, belong together and stay valid long
 * enough; anything else (a half-written pair, a swapped key) is remade. */
static gboolean
dev_cert_still_good (const char *cert_path, const char *key_path)
{
  g_autofree char *cert_pem = NULL, *key_pem = NULL;
  gsize cert_len, key_len;
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_auto(gnutls_x509_privkey_t) key = NULL;
  guint8 crt_id[64], key_id[64];
  size_t crt_id_len = sizeof crt_id, key_id_len = sizeof key_id;
  gnutls_datum_t datum;
  time_t expires;

  if (!g_file_get_contents (cert_path, &cert_pem, &cert_len, NULL) ||
      !g_file_get_contents (key_path, &key_pem, &key_len, NULL))
    return FALSE;

  datum.data = (unsigned char *) cert_pem;
  datum.size = (unsigned int) cert_len;
  if (gnutls_x509_crt_init (&crt) < 0 ||
      gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_PEM) < 0)
    return FALSE;

  datum.data = (unsigned char *) key_pem;
  datum.size = (unsigned int) key_len;
  if (gnutls_x509_privkey_init (&key) < 0 ||
      gnutls_x509_privkey_import2 (key, &datum, GNUTLS_X509_FMT_PEM, NULL, 0) < 0)
    {
      gnutls_memset (key_pem, 0, key_len);
      return FALSE;
    }
  gnutls_memset (key_pem, 0, key_len);

  if (gnutls_x509_crt_get_key_id (crt, 0, crt_id, &crt_id_len) < 0 ||
      gnutls_x509_privkey_get_key_id (key, 0, key_id, &key_id_len) < 0 ||
      crt_id_len != key_id_len || memcmp (crt_id, key_id, crt_id_len) != 0)
    return FALSE;

  expires = gnutls_x509_crt_get_expiration_time (crt);
  return expires != (time_t) -1 &&
         (gint64) expires > g_get_real_time () / G_USEC_PER_SEC + DEV_CERT_RENEW_SECONDS;
}

static gboolean
generate_dev_cert (gnutls_datum_t *cert_pem,
                   gnutls_datum_t *key_pem,
                   GError        **error)
{
  static const guint8 ipv4_loopback[4] = { 127, 0, 0, 1 };
  static const guint8 ipv6_loopback[16] = { [15] = 1 };
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_auto(gnutls_x509_privkey_t) key = NULL;
  guint8 serial[16];
  guint8 key_id[64];
  size_t key_id_len = sizeof key_id;
  time_t now = (time_t) (g_get_real_time () / G_USEC_PER_SEC);

  if (!check_gnutls (gnutls_x509_privkey_init (&key), "privkey_init", error) ||
      !check_gnutls (gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA,
                                                   GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0),
                     "privkey_generate", error) ||
      !check_gnutls (gnutls_x509_crt_init (&crt), "crt_init", error))
    return FALSE;

  if (!check_gnutls (gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial), "rnd", error))
    return FALSE;
  /* Positive (RFC 5280 §4.1.2.2) and non-zero in its first byte so the DER
   * integer keeps all 16 bytes. */
  serial[0] = (serial[0] & 0x7f) | 0x40;

  if (!check_gnutls (gnutls_x509_crt_set_version (crt, 3), "version", error) ||
      !check_gnutls (gnutls_x509_crt_set_serial (crt, serial, sizeof serial), "serial", error) ||
      !check_gnutls (gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                                    "localhost", strlen ("localhost")),
                     "common name", error) ||
      !check_gnutls (gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0,
                                                    "ALLSET dev", strlen ("ALLSET dev")),
                     "organization", error) ||
      !check_gnutls (gnutls_x509_crt_set_activation_time (crt, now - 3600), "activation", error) ||
      !check_gnutls (gnutls_x509_crt_set_expiration_time (crt, now + (time_t) DEV_CERT_DAYS * 24 * 3600),
                     "expiration", error) ||
      !check_gnutls (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_DNSNAME, "localhost",
                                                           strlen ("localhost"), GNUTLS_FSAN_SET),
                     "SAN localhost", error) ||
      !check_gnutls (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_IPADDRESS, ipv4_loopback,
                                                           sizeof ipv4_loopback, GNUTLS_FSAN_APPEND),
                     "SAN 127.0.0.1", error) ||
      !check_gnutls (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_IPADDRESS, ipv6_loopback,
                                                           sizeof ipv6_loopback, GNUTLS_FSAN_APPEND),
                     "SAN ::1", error) ||
      !check_gnutls (gnutls_x509_crt_set_basic_constraints (crt, 0, -1), "basic constraints", error) ||
      !check_gnutls (gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE), "key usage", error) ||
      !check_gnutls (gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_SERVER, 0),
                     "key purpose", error) ||
      !check_gnutls (gnutls_x509_crt_set_key (crt, key), "set key", error) ||
      !check_gnutls (gnutls_x509_crt_get_key_id (crt, 0, key_id, &key_id_len), "key id", error) ||
      !check_gnutls (gnutls_x509_crt_set_subject_key_id (crt, key_id, key_id_len), "subject key id", error) ||
      !check_gnutls (gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0), "sign", error))
    return FALSE;

  /* PKCS#8 ("BEGIN PRIVATE KEY") is the form GTlsCertificate reads for EC keys. */
  return check_gnutls (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, cert_pem),
                       "export certificate", error) &&
         check_gnutls (gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL,
                                                          GNUTLS_PKCS_PLAIN, key_pem),
                       "export key", error);
}

gboolean
allset_tls_ensure_dev_cert (const char  *data_dir,
                            char       **cert_path,
                            char       **key_path,
                            GError     **error)
{
  g_autofree char *tls_dir = NULL, *cert_file = NULL, *key_file = NULL;
  g_auto(gnutls_datum_t) cert_pem = { NULL, 0 };
  g_auto(gnutls_datum_t) key_pem = { NULL, 0 };
  const GFileSetContentsFlags flags = G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE;

  g_return_val_if_fail (data_dir != NULL, FALSE);

  tls_dir = g_build_filename (data_dir, "tls", NULL);
  cert_file = g_build_filename (tls_dir, "cert.pem", NULL);
  key_file = g_build_filename (tls_dir, "key.pem", NULL);

  if (g_mkdir_with_parents (tls_dir, 0700) != 0 || g_chmod (tls_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot create %s: %s"), tls_dir, g_strerror (saved_errno));
      return FALSE;
    }

  if (!dev_cert_still_good (cert_file, key_file))
    {
      if (!generate_dev_cert (&cert_pem, &key_pem, error))
        return FALSE;

      /* Key first: a certificate on disk then always has its key beside it. */
      if (!g_file_set_contents_full (key_file, (const char *) key_pem.data, key_pem.size,
                                     flags, 0600, error) ||
          !g_file_set_contents_full (cert_file, (const char *) cert_pem.data, cert_pem.size,
                                     flags, 0644, error))
        return FALSE;
    }

  if (cert_path != NULL)
    *cert_path = g_steal_pointer (&cert_file);
  if (key_path != NULL)
    *key_path = g_steal_pointer (&key_file);
  return TRUE;
}

GTlsCertificate *
allset_tls_load (const char  *cert_path,
                 const char  *key_path,
                 GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  GTlsCertificate *certificate;

  g_return_val_if_fail (cert_path != NULL, NULL);
  g_return_val_if_fail (key_path != NULL, NULL);

  if (!g_file_test (cert_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("TLS certificate file %s does not exist"), cert_path);
      return NULL;
    }
  if (!g_file_test (key_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("TLS key file %s does not exist"), key_path);
      return NULL;
    }

  certificate = g_tls_certificate_new_from_files (cert_path, key_path, &local_error);
  if (certificate == NULL)
    {
      g_set_error (error, local_error->domain, local_error->code,
                   _("Cannot load TLS certificate %s with key %s: %s"),
                   cert_path, key_path, local_error->message);
      return NULL;
    }

  return certificate;
}

char *
allset_tls_fingerprint (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;
  guint8 digest[32];
  GString *out;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  g_return_val_if_fail (der != NULL, NULL);

  if (gnutls_hash_fast (GNUTLS_DIG_SHA256, der->data, der->len, digest) < 0)
    return NULL;

  out = g_string_sized_new (3 * sizeof digest);
  for (gsize i = 0; i < sizeof digest; i++)
    g_string_append_printf (out, "%s%02X", i > 0 ? ":" : "", digest[i]);

  return g_string_free (out, FALSE);
}
