/* test-pin-database.c — AllsetPinDatabase: the pinned certificate needs
 * no system CA bundle, anything else still does
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "allset-client.h"
#include "allset-pin-database.h"

/* A self-signed certificate valid from not_before to not_after (Unix time). */
static GTlsCertificate *
make_certificate (time_t not_before,
                  time_t not_after)
{
  gnutls_x509_privkey_t key;
  gnutls_x509_crt_t crt;
  unsigned char serial[8];
  gnutls_datum_t cert_pem = { 0 }, key_pem = { 0 };
  g_autofree char *pem = NULL;
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate;

  g_assert_cmpint (gnutls_x509_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA,
                                                 GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial);
  serial[0] &= 0x7f;
  g_assert_cmpint (gnutls_x509_crt_set_version (crt, 3), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_serial (crt, serial, sizeof serial), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_activation_time (crt, not_before), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_expiration_time (crt, not_after), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_dn (crt, "CN=127.0.0.1", NULL), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_key (crt, key), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &cert_pem), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_export2 (key, GNUTLS_X509_FMT_PEM, &key_pem), ==, 0);

  pem = g_strdup_printf ("%.*s%.*s", (int) cert_pem.size, cert_pem.data, (int) key_pem.size, key_pem.data);
  certificate = g_tls_certificate_new_from_pem (pem, -1, &error);
  g_assert_no_error (error);

  gnutls_free (cert_pem.data);
  gnutls_free (key_pem.data);
  gnutls_x509_crt_deinit (crt);
  gnutls_x509_privkey_deinit (key);
  return certificate;
}

static char *
pin_of (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;

  g_object_get (certificate, "certificate", &der, NULL);
  return allset_client_fingerprint_from_der (der->data, der->len);
}

static GTlsCertificateFlags
verify (GTlsDatabase    *database,
        GTlsCertificate *certificate)
{
  g_autoptr(GSocketConnectable) identity = g_network_address_new ("127.0.0.1", 443);
  g_autoptr(GError) error = NULL;
  GTlsCertificateFlags flags;

  flags = g_tls_database_verify_chain (database, certificate, G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER,
                                       identity, NULL, G_TLS_DATABASE_VERIFY_NONE, NULL, &error);
  g_assert_no_error (error);
  return flags;
}

static void
test_pinned (void)
{
  time_t now = time (NULL);
  g_autoptr(GTlsCertificate) certificate = make_certificate (now - 3600, now + 86400);
  g_autofree char *pin = pin_of (certificate);
  g_autoptr(GTlsDatabase) database = allset_pin_database_new (pin);

  g_assert_cmpint (verify (database, certificate), ==, 0);
  /* The whole point: no CA bundle was parsed. */
  g_assert_false (allset_pin_database_used_system (ALLSET_PIN_DATABASE (database)));
}

static void
test_pinned_out_of_date (void)
{
  time_t now = time (NULL);
  g_autoptr(GTlsCertificate) expired = make_certificate (now - 2 * 86400, now - 86400);
  g_autoptr(GTlsCertificate) future = make_certificate (now + 86400, now + 2 * 86400);
  g_autofree char *expired_pin = pin_of (expired);
  g_autofree char *future_pin = pin_of (future);
  g_autoptr(GTlsDatabase) expired_db = allset_pin_database_new (expired_pin);
  g_autoptr(GTlsDatabase) future_db = allset_pin_database_new (future_pin);

  /* A pin says whose certificate it is, not that it is still valid. */
  g_assert_cmpint (verify (expired_db, expired), ==, G_TLS_CERTIFICATE_EXPIRED);
  g_assert_cmpint (verify (future_db, future), ==, G_TLS_CERTIFICATE_NOT_ACTIVATED);
}

static void
test_other_certificate (void)
{
  time_t now = time (NULL);
  g_autoptr(GTlsCertificate) pinned = make_certificate (now - 3600, now + 86400);
  g_autoptr(GTlsCertificate) other = make_certificate (now - 3600, now + 86400);
  g_autofree char *pin = pin_of (pinned);
  g_autoptr(GTlsDatabase) database = allset_pin_database_new (pin);

  /* Not the pinned one: the system decides, and it does not know it. */
  g_assert_true (verify (database, other) & G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_true (allset_pin_database_used_system (ALLSET_PIN_DATABASE (database)));
}

static void
test_lazy_default (void)
{
  time_t now = time (NULL);
  g_autoptr(GTlsCertificate) certificate = make_certificate (now - 3600, now + 86400);
  g_autoptr(GTlsDatabase) lazy = allset_pin_database_new (NULL);
  g_autoptr(GTlsDatabase) installed = NULL;

  /* Without a pin nothing is pinned, and nothing is loaded before asked. */
  g_assert_false (allset_pin_database_used_system (ALLSET_PIN_DATABASE (lazy)));
  g_assert_true (verify (lazy, certificate) & G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_true (allset_pin_database_used_system (ALLSET_PIN_DATABASE (lazy)));

  allset_pin_database_install_default ();
  installed = g_tls_backend_get_default_database (g_tls_backend_get_default ());
  g_assert_true (ALLSET_IS_PIN_DATABASE (installed));
  /* It reaches the backend's own database, not itself. */
  g_assert_true (verify (installed, certificate) & G_TLS_CERTIFICATE_UNKNOWN_CA);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pin-database/pinned", test_pinned);
  g_test_add_func ("/pin-database/pinned-out-of-date", test_pinned_out_of_date);
  g_test_add_func ("/pin-database/other-certificate", test_other_certificate);
  g_test_add_func ("/pin-database/lazy-default", test_lazy_default);

  return g_test_run ();
}
