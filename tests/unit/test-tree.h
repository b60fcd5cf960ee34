/* test-tree.h — removing a test's scratch directory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* rm -rf path: makes directories writable and readable first (tests
 * take permissions away), never follows a symlink. */
void test_tree_remove (const char *path);

G_END_DECLS
