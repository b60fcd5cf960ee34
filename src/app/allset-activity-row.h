/* allset-activity-row.h — one file of the activity list, with its badge
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Terms R13: each transfer shows whether it was verified; « Vérifié »
 * opens the receipt's details (revision, empreinte, date); a failure shows
 * its reason and « Réessayer ». A conflict (both sides changed: the local
 * version was renamed "name (conflit …)" and the server's came back
 * under the name) offers to open both, keep mine (the copy goes back
 * over the name, and syncs as a new version: the server keeps the other
 * in its history) or keep the server's (the copy goes to the trash).
 */

#pragma once

#include <adwaita.h>

#include "allset-activity.h"

G_BEGIN_DECLS

#define ALLSET_TYPE_ACTIVITY_ROW (allset_activity_row_get_type ())
G_DECLARE_FINAL_TYPE (AllsetActivityRow, allset_activity_row, ALLSET, ACTIVITY_ROW, AdwActionRow)

/* folder: the synced folder's local directory (conflicts: where the two
 * versions are). */
GtkWidget *allset_activity_row_new (AllsetActivity *activity,
                                    const char     *folder);

/* ::retry — the user asked to try the failed file again. */

G_END_DECLS
