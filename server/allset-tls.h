/* allset-tls.h — server certificates: development certificate, loading, fingerprint
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Makes (or reuses) a self-signed ECDSA P-256 certificate for localhost,
 * 127.0.0.1 and ::1 in DATA_DIR/tls/cert.pem and DATA_DIR/tls/key.pem. An
 * existing pair is kept unless it does not load or expires within 30 days.
 * For development and tests only: clients must pin its fingerprint. */
gboolean         allset_tls_ensure_dev_cert (const char       *data_dir,
                                             char            **cert_path,
                                             char            **key_path,
                                             GError          **error);

GTlsCertificate *allset_tls_load            (const char       *cert_path,
                                             const char       *key_path,
                                             GError          **error);

/* SHA-256 of the DER certificate as "AB:CD:…", the format of
 * `openssl x509 -noout -fingerprint -sha256`. */
char            *allset_tls_fingerprint     (GTlsCertificate  *certificate);

G_END_DECLS
