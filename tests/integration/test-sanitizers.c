/* test-sanitizers.c — servers started by tests, under AddressSanitizer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "test-sanitizers.h"

gboolean
allset_test_is_sanitized (void)
{
#if defined(__SANITIZE_ADDRESS__)
  return TRUE;
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
  return TRUE;
# else
  return FALSE;
# endif
#else
  return FALSE;
#endif
}

void
allset_test_sanitize_launcher (GSubprocessLauncher *launcher,
                               const char          *dir)
{
  const char *asan = g_getenv ("ASAN_OPTIONS");
  const char *lsan = g_getenv ("LSAN_OPTIONS");
  const char *ours = g_getenv ("ALLSET_TEST_LSAN_SUPPRESSIONS");
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) options = g_string_new (NULL);
  g_autofree char *mine = NULL;
  g_autofree char *path = NULL;
  g_auto(GStrv) items = NULL;

  if (!allset_test_is_sanitized ())
    return;

  if (asan != NULL)
    {
      g_autofree char *slow = g_strconcat (asan, ":fast_unwind_on_malloc=0", NULL);

      g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", slow, TRUE);
    }

  if (ours == NULL)
    return;

  items = g_strsplit (lsan != NULL ? lsan : "", ":", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      g_autofree char *theirs = NULL;

      if (g_str_has_prefix (items[i], "suppressions=") &&
          g_file_get_contents (items[i] + strlen ("suppressions="), &theirs, NULL, NULL))
        g_string_append_printf (text, "%s\n", theirs);
      else if (items[i][0] != '\0' && !g_str_has_prefix (items[i], "suppressions="))
        g_string_append_printf (options, "%s:", items[i]);
    }
  g_assert_true (g_file_get_contents (ours, &mine, NULL, NULL));
  g_string_append (text, mine);

  path = g_build_filename (dir, "lsan.supp", NULL);
  g_assert_true (g_file_set_contents (path, text->str, text->len, NULL));
  g_string_append_printf (options, "suppressions=%s", path);
  g_subprocess_launcher_setenv (launcher, "LSAN_OPTIONS", options->str, TRUE);
}
