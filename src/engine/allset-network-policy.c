/* allset-network-policy.c — may we sync on this network, and how much?
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The decision of DESIGN.md §4 invariant 6 (terms R14) kept apart from
 * where the facts come from, so that the table is tested on its own; and
 * the one place the engine gets its GNetworkMonitor from, so that tests
 * can replace the system's (NetworkManager) with a file they flip
 * (allset-test-network-monitor.c).
 */

#include "allset-network-policy.h"
#include "allset-test-network-monitor.h"

AllsetNetworkScope
allset_network_scope (gboolean            available,
                      gboolean            metered,
                      AllsetMeteredPolicy policy)
{
  if (!available)
    return ALLSET_NETWORK_SCOPE_NONE;
  if (!metered)
    return ALLSET_NETWORK_SCOPE_ALL;

  switch (policy)
    {
    case ALLSET_METERED_ALWAYS:
      return ALLSET_NETWORK_SCOPE_ALL;
    case ALLSET_METERED_SMALL_FILES:
      return ALLSET_NETWORK_SCOPE_SMALL_FILES;
    case ALLSET_METERED_PAUSE:
    default:
      /* An unknown policy errs on the side of the user's bill. */
      return ALLSET_NETWORK_SCOPE_NONE;
    }
}

guint64
allset_network_scope_max_transfer (AllsetNetworkScope scope,
                                   guint64            small_files_max)
{
  if (scope != ALLSET_NETWORK_SCOPE_SMALL_FILES)
    return 0;
  /* 0 means "no limit" to the pass: a limit of 0 bytes ("only empty
   * files") becomes 1 byte rather than everything. */
  return MAX (small_files_max, 1);
}

GNetworkMonitor *
allset_network_monitor_get_default (void)
{
  static GNetworkMonitor *test_monitor;
  const char *file = g_getenv ("ALLSET_TEST_NETWORK_FILE");

  if (file == NULL || *file == '\0')
    return g_object_ref (g_network_monitor_get_default ());

  /* One per process, like the system's: every reader sees the same
   * network. Its file monitor reports to the thread-default main context
   * of the first caller (the main thread in the app and `watch`). */
  if (g_once_init_enter (&test_monitor))
    g_once_init_leave (&test_monitor, G_NETWORK_MONITOR (allset_test_network_monitor_new (file)));

  return g_object_ref (test_monitor);
}
