/* allset-window.h — the main window: state, progress, activity, conflicts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "allset-application.h"

G_BEGIN_DECLS

#define ALLSET_TYPE_WINDOW (allset_window_get_type ())
G_DECLARE_FINAL_TYPE (AllsetWindow, allset_window, ALLSET, WINDOW, AdwApplicationWindow)

AllsetWindow *allset_window_new        (AllsetApplication *app);
/* "activity", "conflicts", "shares" or "preferences". */
void          allset_window_show_page  (AllsetWindow      *self,
                                        const char        *page);
void          allset_window_show_toast (AllsetWindow      *self,
                                        const char        *message);
/* allset-sync --share FILE (issue: share links). */
void          allset_window_share_file (AllsetWindow      *self,
                                        GFile             *file);

G_END_DECLS
