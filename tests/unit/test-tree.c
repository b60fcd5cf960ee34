/* test-tree.c — a test's scratch directory: what it holds, removing it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define _GNU_SOURCE 1

#include <string.h>
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

gboolean
test_tree_holds (const char *path,
                 const char *needle)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_autofree char *contents = NULL;
      gsize len;

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          if (test_tree_holds (child, needle))
            return TRUE;
        }
      else if (g_file_get_contents (child, &contents, &len, NULL) &&
               memmem (contents, len, needle, strlen (needle)) != NULL)
        return TRUE;
    }
  return FALSE;
}
