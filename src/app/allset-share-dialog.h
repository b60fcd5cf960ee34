/* allset-share-dialog.h — « Partager un fichier » : a public link to a file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Terms R2 and R16: the user alone decides how long a link lasts. The
 * dialog shows the file's name and folder, the expiry presets (1, 7, 30
 * days, a day picked in a calendar — until the end of that day, local
 * time —, never), an optional password and download limit. « Créer le
 * lien » resolves the remote path (allset_config_remote_path_for) and
 * calls allset_client_share_create in a GTask thread; the URL is then
 * shown, copied to the clipboard at once, and a notification says so.
 * The server keeps only a hash of the token: this is the one time the
 * URL can be shown.
 */

#pragma once

#include <adwaita.h>

#include "allset-app-state.h"
#include "allset-notifier.h"

G_BEGIN_DECLS

#define ALLSET_TYPE_SHARE_DIALOG (allset_share_dialog_get_type ())
G_DECLARE_FINAL_TYPE (AllsetShareDialog, allset_share_dialog, ALLSET, SHARE_DIALOG, AdwWindow)

/* Modal and transient for parent. notifier may be NULL (no notification). */
GtkWidget  *allset_share_dialog_new     (GtkWindow         *parent,
                                         AllsetAppState    *state,
                                         AllsetNotifier    *notifier,
                                         GFile             *file);
GFile      *allset_share_dialog_get_file (AllsetShareDialog *self);
/* The link's full URL once created, else NULL. */
const char *allset_share_dialog_get_url  (AllsetShareDialog *self);

/* "3 December 2026" (with_time: "… at 14:00"), in the user's language
 * whatever LC_TIME says: the dialog and « Mes liens » write dates alike. */
char       *allset_share_format_date     (GDateTime         *local,
                                          gboolean           with_time);

G_END_DECLS
