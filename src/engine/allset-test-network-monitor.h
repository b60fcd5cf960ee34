/* allset-test-network-monitor.h — a GNetworkMonitor that reads a file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For tests only (ALLSET_TEST_NETWORK_FILE, see allset-network-policy.h):
 * FILE holds one word, "online", "metered" or "offline" (a missing or
 * empty file, or any other word, is "online"). The monitor reads it when
 * made and again on every change a GFileMonitor on its directory reports
 * (in the thread-default main context of the thread that made it), then
 * notifies network-available / network-metered / connectivity and emits
 * network-changed when something changed. can_reach() succeeds exactly
 * when the network is available.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ALLSET_TYPE_TEST_NETWORK_MONITOR (allset_test_network_monitor_get_type ())
G_DECLARE_FINAL_TYPE (AllsetTestNetworkMonitor, allset_test_network_monitor,
                      ALLSET, TEST_NETWORK_MONITOR, GObject)

AllsetTestNetworkMonitor *allset_test_network_monitor_new (const char *path);

G_END_DECLS
