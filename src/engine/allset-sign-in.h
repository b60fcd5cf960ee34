/* allset-sign-in.h — signing a device in: check the server, then log in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The two steps every front end takes (the CLI's `login`, the app's
 * first-run assistant and its "sign in again"):
 *
 *  1. allset_sign_in_probe(): the server answers over HTTPS, speaks our
 *     protocol and is not in maintenance. A certificate the system does
 *     not trust fails with ALLSET_CLIENT_ERROR_UNTRUSTED_CERTIFICATE and
 *     gives its SHA-256 fingerprint: the user compares it with the one
 *     their administrator gave, and only then pins it (probe again with
 *     it). Nothing is written.
 *  2. allset_sign_in_login(): the secret store can hold a token (checked
 *     before the password is sent), the password gives a device token,
 *     the token goes to the keyring or the 0600 token file — never to
 *     allset.conf — and the configuration is saved with the account and
 *     the pinned fingerprint. A token this replaces is revoked. Folders
 *     synced with another account refuse the sign-in (their journals
 *     describe that account's files).
 *
 * Errors are ready to show: an unreachable server's names its URL.
 * Both block (network, keyring): call them from a thread, or use the
 * _async variants (GTask) from the main loop.
 */

#pragma once

#include "allset-client.h"
#include "allset-config.h"

G_BEGIN_DECLS

#define ALLSET_SIGN_IN_ERROR (allset_sign_in_error_quark ())
GQuark allset_sign_in_error_quark (void);

typedef enum
{
  ALLSET_SIGN_IN_ERROR_PROTOCOL,        /* the server speaks another version */
  ALLSET_SIGN_IN_ERROR_MAINTENANCE,     /* message: until when, and the server's words */
  ALLSET_SIGN_IN_ERROR_OTHER_ACCOUNT,   /* folders belong to another account */
  ALLSET_SIGN_IN_ERROR_TOKEN_FILE,      /* the token file would be inside a synced folder */
  ALLSET_SIGN_IN_ERROR_WRONG_PASSWORD,
  ALLSET_SIGN_IN_ERROR_THROTTLED,       /* too many attempts: message says when to retry */
} AllsetSignInError;

typedef struct
{
  char               *url;          /* normalised */
  char               *fingerprint;  /* pinned (normalised), or NULL: trusted by the system */
  AllsetServerStatus *status;
  /* Set when the probe failed on an untrusted certificate. */
  char               *untrusted_fingerprint;
} AllsetSignInProbe;

void allset_sign_in_probe_free (AllsetSignInProbe *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetSignInProbe, allset_sign_in_probe_free)

/* fingerprint: a pin in any accepted spelling, or NULL. Returns NULL
 * with error on failure; for an untrusted certificate, *untrusted (if
 * not NULL) receives its fingerprint. */
AllsetSignInProbe *allset_sign_in_probe       (const char    *server,
                                               const char    *fingerprint,
                                               char         **untrusted,
                                               GCancellable  *cancellable,
                                               GError       **error);

typedef struct
{
  const char *user;
  const char *password;
  /* NULL: the host name. */
  const char *device_name;
  /* NULL: the Secret Service; otherwise an absolute path (0600). */
  const char *token_file;
} AllsetSignInCredentials;

/* What can be checked before asking for the password: the folders'
 * account, the token file's place, the secret store answers
 * (credentials->password is not read). allset_sign_in_login() checks it
 * again. */
gboolean           allset_sign_in_check       (AllsetConfig                  *config,
                                               const AllsetSignInProbe       *probe,
                                               const AllsetSignInCredentials *credentials,
                                               GCancellable                  *cancellable,
                                               GError                       **error);

/* Logs in on the probed server and saves config. Returns the device id. */
char              *allset_sign_in_login       (AllsetConfig                  *config,
                                               const AllsetSignInProbe       *probe,
                                               const AllsetSignInCredentials *credentials,
                                               GCancellable                  *cancellable,
                                               GError                       **error);

/* The same from the main loop. The probe result is an AllsetSignInProbe
 * even on an untrusted certificate (then status is NULL, and the error
 * is still returned by _finish with *probe set). */
void               allset_sign_in_probe_async  (const char           *server,
                                                const char           *fingerprint,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
AllsetSignInProbe *allset_sign_in_probe_finish (GAsyncResult         *result,
                                                char                **untrusted,
                                                GError              **error);
/* credentials and probe are copied; the password is wiped after use. */
void               allset_sign_in_login_async  (AllsetConfig                  *config,
                                                const AllsetSignInProbe       *probe,
                                                const AllsetSignInCredentials *credentials,
                                                GCancellable                  *cancellable,
                                                GAsyncReadyCallback            callback,
                                                gpointer                       user_data);
char              *allset_sign_in_login_finish (GAsyncResult                  *result,
                                                GError                       **error);

G_END_DECLS
