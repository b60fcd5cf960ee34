/* allset-maintenance.h — planned maintenance as the running server sees it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "allset-store.h"

G_BEGIN_DECLS

#define ALLSET_TYPE_MAINTENANCE (allset_maintenance_get_type ())
G_DECLARE_FINAL_TYPE (AllsetMaintenance, allset_maintenance, ALLSET, MAINTENANCE, GObject)

/* Follows the settings that `allset-server admin maintenance` writes, every
 * second, reading them in a worker thread. */
AllsetMaintenance *allset_maintenance_new              (AllsetStore       *store);
/* If maintenance is on, answers msg 503 with Retry-After (terms R10). */
gboolean           allset_maintenance_refuse           (AllsetMaintenance *self,
                                                        SoupServerMessage *msg);
/* Adds the "maintenance" member of /api/v1/status. */
void               allset_maintenance_add_status       (AllsetMaintenance *self,
                                                        JsonBuilder       *builder);

G_END_DECLS
