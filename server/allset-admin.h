/* allset-admin.h — `allset-server admin`: accounts, devices, maintenance
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* argv[0] is "admin". Works on DATA_DIR/allset.db directly, also while the
 * server runs (SQLite WAL); the server re-reads settings such as maintenance.
 * Exit status: 0 done, 1 refused or failed, 2 usage error. */
int allset_admin_main (int    argc,
                       char **argv);

G_END_DECLS
