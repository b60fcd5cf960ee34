/* allset-secrets.h — where the device token lives: the Secret Service
 * (libsecret) or, on a machine without one, a 0600 token file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The token never goes to allset.conf. Every call blocks (libsecret's sync
 * API, file I/O): run them off the main loop.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ALLSET_SECRETS_ERROR (allset_secrets_error_quark ())
GQuark allset_secrets_error_quark (void);

typedef enum
{
  /* No Secret Service reachable (no session bus, no keyring daemon, locked
   * keyring): the caller should offer a token file instead. */
  ALLSET_SECRETS_ERROR_UNAVAILABLE,
  /* The token file is readable or writable by others, not a regular file
   * or not ours: it is not read. */
  ALLSET_SECRETS_ERROR_INSECURE_FILE,
  /* Reading or writing the token file failed. */
  ALLSET_SECRETS_ERROR_FAILED,
} AllsetSecretsError;

/* The libsecret schema: attributes "server" (normalised URL) and "username". */
#define ALLSET_SECRETS_SCHEMA_NAME "fr.allset.Sync.DeviceToken"

#define ALLSET_TYPE_SECRETS (allset_secrets_get_type ())
G_DECLARE_FINAL_TYPE (AllsetSecrets, allset_secrets, ALLSET, SECRETS, GObject)

/* token_file: NULL or "" for the Secret Service, else an absolute path. */
AllsetSecrets *allset_secrets_new            (const char     *token_file);
/* NULL when the Secret Service is used. */
const char    *allset_secrets_get_token_file (AllsetSecrets  *self);

/* Whether the store can be used now (for libsecret: the service answers),
 * before asking for a password. */
gboolean       allset_secrets_check          (AllsetSecrets  *self,
                                              GCancellable   *cancellable,
                                              GError        **error);
/* Token files are written to a new 0600 file (O_EXCL) then renamed over
 * the old one. */
gboolean       allset_secrets_store          (AllsetSecrets  *self,
                                              const char     *server,
                                              const char     *username,
                                              const char     *token,
                                              GCancellable   *cancellable,
                                              GError        **error);
/* NULL without error when there is no token. */
char          *allset_secrets_lookup         (AllsetSecrets  *self,
                                              const char     *server,
                                              const char     *username,
                                              GCancellable   *cancellable,
                                              GError        **error);
/* TRUE also when there was nothing to delete. */
gboolean       allset_secrets_clear          (AllsetSecrets  *self,
                                              const char     *server,
                                              const char     *username,
                                              GCancellable   *cancellable,
                                              GError        **error);

/* Closes libsecret's shared connection (at exit, for leak checkers). */
void           allset_secrets_disconnect     (void);

G_END_DECLS
