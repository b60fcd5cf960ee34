/* allset-cli-share-private.h — helpers shared by the share commands of
 * allset-cli (allset-cli-share.c, allset-cli-shares.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "allset-cli.h"

G_BEGIN_DECLS

/* The server's link object (docs/protocol.md), plus token and url once. */
void             allset_cli_share_json_add      (JsonBuilder      *b,
                                                 AllsetShareInfo  *share);
void             allset_cli_share_print_json    (AllsetShareInfo  *share);
/* expires_at (ISO 8601 or NULL) in local time, or "never". */
char            *allset_cli_share_format_expiry (const char       *expires_at);
/* "active"… translated. */
const char      *allset_cli_share_state_label   (const char       *state);
/* Prints a share error: suspended and missing links in the engine's words. */
void             allset_cli_share_print_error   (AllsetClient     *client,
                                                 const GError     *error);
/* Connects and finds the link that reference (id, token or URL) names in
 * the account's list (*shares owns it); NULL after printing why. */
AllsetShareInfo *allset_cli_share_find          (AllsetCli        *cli,
                                                 const char       *reference,
                                                 AllsetClient    **client,
                                                 GPtrArray       **shares);

G_END_DECLS
