/* allset-connect.h — the signed-in account's client, from config + secrets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What every front end does first: read the device token of the account
 * named in the configuration (keyring or token file) and make an
 * AllsetClient for it with the pinned certificate. The errors tell the
 * cases apart so each front end can say what to do in its own words
 * (the CLI: run `allset-cli login`; the app: show the sign-in screen).
 */

#pragma once

#include "allset-client.h"
#include "allset-config.h"

G_BEGIN_DECLS

#define ALLSET_CONNECT_ERROR (allset_connect_error_quark ())
GQuark allset_connect_error_quark (void);

typedef enum
{
  ALLSET_CONNECT_ERROR_NOT_SIGNED_IN,  /* no account in the configuration */
  ALLSET_CONNECT_ERROR_NO_TOKEN,       /* signed in, but the token is gone */
} AllsetConnectError;

/* Blocks on the Secret Service: worker threads and the CLI only. Other
 * errors: the secret store's (service unreachable, locked) and
 * allset_client_new()'s. */
AllsetClient *allset_connect        (AllsetConfig         *config,
                                     GCancellable         *cancellable,
                                     GError              **error);
/* The same in a GTask thread. */
void          allset_connect_async  (AllsetConfig         *config,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data);
AllsetClient *allset_connect_finish (GAsyncResult         *result,
                                     GError              **error);

G_END_DECLS
