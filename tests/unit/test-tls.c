/* test-tls.c — development certificate, loading, fingerprint
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "allset-tls.h"
#include "test-tree.h"

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("allset-tls-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  test_tree_remove (f->dir);
  g_free (f->dir);
}

static gnutls_x509_crt_t
import_cert (const char *path)
{
  g_autofree char *pem = NULL;
  gsize len;
  gnutls_x509_crt_t crt;
  gnutls_datum_t datum;

  g_assert_true (g_file_get_contents (path, &pem, &len, NULL));
  datum.data = (unsigned char *) pem;
  datum.size = (unsigned int) len;
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_PEM), ==, 0);
  return crt;
}

static char *
fingerprint_of (const char *cert, const char *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = allset_tls_load (cert, key, &error);

  g_assert_no_error (error);
  g_assert_nonnull (certificate);
  return allset_tls_fingerprint (certificate);
}

static void
test_dev_cert (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = g_build_filename (f->dir, "data", NULL);
  g_autofree char *cert = NULL, *key = NULL, *cert2 = NULL, *key2 = NULL;
  g_autofree char *fingerprint = NULL, *fingerprint2 = NULL;
  g_autoptr(GRegex) format = g_regex_new ("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", 0, 0, NULL);
  GStatBuf st;

  g_assert_true (allset_tls_ensure_dev_cert (data_dir, &cert, &key, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (cert, "/tls/cert.pem"));
  g_assert_true (g_str_has_suffix (key, "/tls/key.pem"));

  g_assert_cmpint (g_stat (key, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  {
    g_autofree char *tls_dir = g_path_get_dirname (key);
    g_assert_cmpint (g_stat (tls_dir, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  }

  fingerprint = fingerprint_of (cert, key);
  g_assert_true (g_regex_match (format, fingerprint, 0, NULL));

  /* A second start keeps the certificate clients have pinned. */
  g_assert_true (allset_tls_ensure_dev_cert (data_dir, &cert2, &key2, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (cert2, ==, cert);
  fingerprint2 = fingerprint_of (cert2, key2);
  g_assert_cmpstr (fingerprint2, ==, fingerprint);
}

static void
test_dev_cert_contents (Fixture *f, gconstpointer data)
{
  g_autofree char *cert = NULL;
  gnutls_x509_crt_t crt;
  gboolean dns = FALSE, v4 = FALSE, v6 = FALSE;
  unsigned int critical, usage = 0, ca = 1;
  char dn[256];
  size_t dn_len = sizeof dn;
  guint8 serial[32];
  size_t serial_len = sizeof serial;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_true (allset_tls_ensure_dev_cert (f->dir, &cert, NULL, NULL));
  crt = import_cert (cert);

  for (unsigned int seq = 0;; seq++)
    {
      guint8 buf[256];
      size_t len = sizeof buf;
      int type = gnutls_x509_crt_get_subject_alt_name (crt, seq, buf, &len, &critical);

      if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
        break;
      g_assert_cmpint (type, >=, 0);
      if (type == GNUTLS_SAN_DNSNAME && len == 9 && memcmp (buf, "localhost", 9) == 0)
        dns = TRUE;
      else if (type == GNUTLS_SAN_IPADDRESS && len == 4 && memcmp (buf, "\x7f\0\0\x01", 4) == 0)
        v4 = TRUE;
      else if (type == GNUTLS_SAN_IPADDRESS && len == 16 &&
               memcmp (buf, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16) == 0)
        v6 = TRUE;
    }
  g_assert_true (dns);
  g_assert_true (v4);
  g_assert_true (v6);

  g_assert_cmpint (gnutls_x509_crt_get_version (crt), ==, 3);
  g_assert_cmpint (gnutls_x509_crt_get_dn (crt, dn, &dn_len), ==, 0);
  g_assert_nonnull (strstr (dn, "CN=localhost"));
  g_assert_nonnull (strstr (dn, "O=ALLSET dev"));
  g_assert_cmpint (gnutls_x509_crt_get_serial (crt, serial, &serial_len), ==, 0);
  g_assert_cmpuint (serial_len, ==, 16);
  g_assert_cmpint (gnutls_x509_crt_get_basic_constraints (crt, &critical, &ca, NULL), ==, 0);
  g_assert_cmpuint (ca, ==, 0);
  g_assert_cmpint (gnutls_x509_crt_get_key_usage (crt, &usage, &critical), ==, 0);
  g_assert_cmpuint (usage, ==, GNUTLS_KEY_DIGITAL_SIGNATURE);
  g_assert_cmpint (gnutls_x509_crt_get_pk_algorithm (crt, NULL), ==, GNUTLS_PK_ECDSA);
  g_assert_cmpint (gnutls_x509_crt_get_signature_algorithm (crt), ==, GNUTLS_SIGN_ECDSA_SHA256);

  g_assert_cmpint (gnutls_x509_crt_get_activation_time (crt), <=, now - 3000);
  g_assert_cmpint (gnutls_x509_crt_get_expiration_time (crt), >=, now + 364 * 24 * 3600);
  g_assert_cmpint (gnutls_x509_crt_get_expiration_time (crt), <=, now + 366 * 24 * 3600);

  gnutls_x509_crt_deinit (crt);
}

static gboolean
run_openssl (const char *const *args, char **out)
{
  g_autoptr(GError) error = NULL;
  int status;

  /* stdout must not reach ours: it is the TAP stream. */
  GSpawnFlags flags = G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL |
                      (out == NULL ? G_SPAWN_STDOUT_TO_DEV_NULL : 0);

  g_assert_true (g_spawn_sync (NULL, (char **) args, NULL, flags, NULL, NULL, out, NULL, &status, &error));
  g_assert_no_error (error);
  return g_spawn_check_wait_status (status, NULL);
}

static void
test_fingerprint_openssl (Fixture *f, gconstpointer data)
{
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *cert = NULL, *key = NULL, *ours = NULL, *out = NULL;
  const char *eq;

  if (openssl == NULL)
    {
      g_test_skip ("openssl is not installed");
      return;
    }

  g_assert_true (allset_tls_ensure_dev_cert (f->dir, &cert, &key, NULL));
  ours = fingerprint_of (cert, key);

  {
    const char *args[] = { openssl, "x509", "-noout", "-fingerprint", "-sha256", "-in", cert, NULL };
    g_assert_true (run_openssl (args, &out));
  }
  /* "sha256 Fingerprint=AB:…" (OpenSSL 3) or "SHA256 Fingerprint=AB:…". */
  eq = strchr (out, '=');
  g_assert_nonnull (eq);
  g_assert_cmpstr (g_strstrip ((char *) eq + 1), ==, ours);
}

/* A pair that expires within 30 days, or that is damaged, is replaced. */
static void
test_dev_cert_renewal (Fixture *f, gconstpointer data)
{
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *cert = NULL, *key = NULL, *before = NULL, *after = NULL, *again = NULL;
  gnutls_x509_crt_t crt;

  g_assert_true (allset_tls_ensure_dev_cert (f->dir, &cert, &key, NULL));
  before = fingerprint_of (cert, key);

  g_assert_true (g_file_set_contents (cert, "-----BEGIN CERTIFICATE-----\ngarbage\n", -1, NULL));
  g_clear_pointer (&cert, g_free);
  g_clear_pointer (&key, g_free);
  g_assert_true (allset_tls_ensure_dev_cert (f->dir, &cert, &key, NULL));
  after = fingerprint_of (cert, key);
  g_assert_cmpstr (after, !=, before);

  if (openssl == NULL)
    {
      g_test_message ("openssl is not installed: expiry renewal not checked");
      return;
    }

  {
    const char *args[] = { openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                           "ec_paramgen_curve:P-256", "-nodes", "-days", "10", "-subj",
                           "/CN=localhost", "-keyout", key, "-out", cert, NULL };
    g_assert_true (run_openssl (args, NULL));
  }
  g_assert_true (allset_tls_ensure_dev_cert (f->dir, NULL, NULL, NULL));
  again = fingerprint_of (cert, key);
  g_assert_cmpstr (again, !=, after);

  crt = import_cert (cert);
  g_assert_cmpint (gnutls_x509_crt_get_expiration_time (crt), >,
                   g_get_real_time () / G_USEC_PER_SEC + 300 * 24 * 3600);
  gnutls_x509_crt_deinit (crt);
}

static void
test_load_missing (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autofree char *cert = NULL, *key = NULL;

  certificate = allset_tls_load ("/nonexistent/cert.pem", "/nonexistent/key.pem", &error);
  g_assert_null (certificate);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/cert.pem"));
  g_clear_error (&error);

  g_assert_true (allset_tls_ensure_dev_cert (f->dir, &cert, &key, NULL));
  certificate = allset_tls_load (cert, "/nonexistent/key.pem", &error);
  g_assert_null (certificate);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/key.pem"));
  g_clear_error (&error);

  /* A key file that is not a key: the message names both files. */
  certificate = allset_tls_load (cert, cert, &error);
  g_assert_null (certificate);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, cert));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/tls/dev-cert", Fixture, NULL, fixture_set_up, test_dev_cert, fixture_tear_down);
  g_test_add ("/tls/dev-cert-contents", Fixture, NULL, fixture_set_up, test_dev_cert_contents,
              fixture_tear_down);
  g_test_add ("/tls/dev-cert-renewal", Fixture, NULL, fixture_set_up, test_dev_cert_renewal,
              fixture_tear_down);
  g_test_add ("/tls/fingerprint-openssl", Fixture, NULL, fixture_set_up, test_fingerprint_openssl,
              fixture_tear_down);
  g_test_add ("/tls/load-missing", Fixture, NULL, fixture_set_up, test_load_missing, fixture_tear_down);

  return g_test_run ();
}
