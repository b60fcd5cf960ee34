/* allset-preferences.h — Préférences: start at login, notifications, each
 * folder's metered policy and bandwidth limits, ignore patterns
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * App settings live in GSettings (fr.allset.Sync); what the engine reads
 * lives in allset.conf (AllsetConfig), saved in a thread, after which the
 * folder sessions start again with it. The ignore patterns are the
 * folder's .allsetignore (allset-ignore.h), one pattern per line.
 */

#pragma once

#include <adwaita.h>

#include "allset-app-state.h"

G_BEGIN_DECLS

#define ALLSET_TYPE_PREFERENCES (allset_preferences_get_type ())
G_DECLARE_FINAL_TYPE (AllsetPreferences, allset_preferences, ALLSET, PREFERENCES, AdwPreferencesWindow)

GtkWidget *allset_preferences_new (GtkWindow      *parent,
                                   AllsetAppState *state);

/* Adds folder (what the folder chooser hands over), under its own name on
 * the server; the sessions start again with it. */
void       allset_preferences_add_folder (AllsetPreferences *self,
                                          GFile             *folder);

G_END_DECLS
