/* test-tree.h — a test's scratch directory: what it holds, removing it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* rm -rf path: makes directories writable and readable first (tests
 * take permissions away), never follows a symlink. */
void     test_tree_remove (const char *path);
/* TRUE if any file under path holds needle (which bytes left the disk). */
gboolean test_tree_holds  (const char *path,
                           const char *needle);

G_END_DECLS
