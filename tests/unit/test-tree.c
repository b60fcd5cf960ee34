/* test-tree.c — removing a test's scratch directory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <sys/stat.h>

#include <glib/gstdio.h>

#include "test-tree.h"

void
test_tree_remove (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      GStatBuf st;

      if (g_lstat (child, &st) == 0 && S_ISDIR (st.st_mode))
        {
          g_chmod (child, 0700);
          test_tree_remove (child);
        }
      else
        g_unlink (child);
    }
  g_rmdir (path);
}
