/* allset-activity-row.h — one file of the activity list, with its badge
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Terms R13: each transfer shows whether it was verified; « Vérifié »
 * opens the receipt's details (revision, empreinte, date); a failure shows
 * its reason and « Réessayer ».
 */

#pragma once

#include <adwaita.h>

#include "allset-activity.h"

G_BEGIN_DECLS

#define ALLSET_TYPE_ACTIVITY_ROW (allset_activity_row_get_type ())
G_DECLARE_FINAL_TYPE (AllsetActivityRow, allset_activity_row, ALLSET, ACTIVITY_ROW, AdwActionRow)

GtkWidget *allset_activity_row_new (AllsetActivity *activity);

/* ::retry — the user asked to try the failed file again. */

G_END_DECLS
