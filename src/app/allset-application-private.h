/* allset-application-private.h — what the app's widgets ask the application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "allset-app-state.h"
#include "allset-application.h"

G_BEGIN_DECLS

AllsetAppState *allset_application_get_state   (AllsetApplication *self);
void            allset_application_show_window (AllsetApplication *self);

G_END_DECLS
