/* allset-shares-page.h — « Mes liens » : the account's share links
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A page of the main window listing the links (allset_client_shares, in a
 * GTask thread) with their path, expiry, downloads, password and state
 * (a suspended link shows the reason an admin gave), each with
 * « Modifier l'expiration » (presets) and « Révoquer » (confirmed first).
 * The server keeps only a hash of each token, so a link's address cannot
 * be shown again here: the page says so rather than offer a copy.
 *
 * Widget actions (what the rows' buttons call):
 *   shares.revoke  "s"    link id: asks, then revokes
 *   shares.expire  "(ss)" link id and "1d", "7d", "30d" or "never"
 *   shares.refresh
 */

#pragma once

#include <adwaita.h>

#include "allset-app-state.h"

G_BEGIN_DECLS

#define ALLSET_TYPE_SHARES_PAGE (allset_shares_page_get_type ())
G_DECLARE_FINAL_TYPE (AllsetSharesPage, allset_shares_page, ALLSET, SHARES_PAGE, AdwBin)

void       allset_shares_page_set_state      (AllsetSharesPage      *self,
                                              AllsetAppState        *state);
/* Reads the list again (it is read each time the page is shown, and
 * after a link is created, changed or revoked). */
void       allset_shares_page_refresh        (AllsetSharesPage      *self);
/* AllsetShareInfo elements as last shown, or NULL before the first answer. */
GPtrArray *allset_shares_page_get_shares     (AllsetSharesPage      *self);
/* « expire le 3 décembre 2026 à 14:00 », « sans expiration », « expiré ». */
char      *allset_shares_page_describe_expiry (const AllsetShareInfo *info);

G_END_DECLS
