/* allset-setup-page.h — first run and "sign in again": account, certificate, folder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The assistant of the issue: server address, identifiant, mot de passe;
 * an untrusted certificate shows its SHA-256 fingerprint and is pinned
 * only when the user says so; then the local folder, with the free-space
 * preflight (terms R4) shown with both figures before anything is
 * downloaded. The token goes to libsecret only (allset-sign-in.h).
 * Emits ::done when the configuration is saved.
 */

#pragma once

#include <adwaita.h>

#include "allset-config.h"

G_BEGIN_DECLS

#define ALLSET_TYPE_SETUP_PAGE (allset_setup_page_get_type ())
G_DECLARE_FINAL_TYPE (AllsetSetupPage, allset_setup_page, ALLSET, SETUP_PAGE, AdwBin)

GtkWidget *allset_setup_page_new   (void);
/* Starts over, filled from config when it names an account (sign in
 * again: the folder step is skipped when a folder exists). */
void       allset_setup_page_reset (AllsetSetupPage *self,
                                    AllsetConfig    *config);

/* The folder step's folder (what the folder chooser sets). */
void       allset_setup_page_set_folder (AllsetSetupPage *self,
                                         GFile           *folder);

G_END_DECLS
