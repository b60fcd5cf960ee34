/* allset-network-policy.h — may we sync on this network, and how much?
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Terms R14 / DESIGN.md §4 invariant 6: on a metered connection
 * (GNetworkMonitor:network-metered, i.e. a mobile or limited connection
 * the operator may bill) sync pauses by default; the user may allow it
 * ("always") or allow small files only ("small-files", files up to the
 * folder's small_files_max). No network at all: wait.
 *
 * allset_network_scope() is the pure decision (unit-tested);
 * allset_network_monitor_get_default() is where the engine reads the
 * network from. Tests (and nothing else) can replace the system's
 * monitor: with ALLSET_TEST_NETWORK_FILE=FILE set, the monitor reads FILE
 * (one word: "online", "metered" or "offline"; missing file = "online")
 * and follows its changes (a GFileMonitor), so a test flips a running
 * `allset-cli watch` or app between networks without NetworkManager.
 */

#pragma once

#include <gio/gio.h>

#include "allset-config.h"

G_BEGIN_DECLS

typedef enum
{
  ALLSET_NETWORK_SCOPE_NONE,         /* offline, or metered + "pause" */
  ALLSET_NETWORK_SCOPE_SMALL_FILES,  /* metered + "small-files" */
  ALLSET_NETWORK_SCOPE_ALL,
} AllsetNetworkScope;

AllsetNetworkScope allset_network_scope (gboolean            available,
                                         gboolean            metered,
                                         AllsetMeteredPolicy policy);

/* For AllsetSyncOptions.max_transfer_size: 0 (no limit) for SCOPE_ALL,
 * small_files_max for SMALL_FILES. Not meaningful for NONE (no pass). */
guint64            allset_network_scope_max_transfer (AllsetNetworkScope scope,
                                                      guint64            small_files_max);

/* The system's GNetworkMonitor, or the test one (see above). A new
 * reference. */
GNetworkMonitor   *allset_network_monitor_get_default (void);

G_END_DECLS
