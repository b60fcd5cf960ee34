/* allset-conflict-name.c — names of the copies that keep both versions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "allset-conflict-name.h"
#include "allset-protocol.h"

#define DEVICE_MAX_CHARS 40
/* Longer "extensions" are words of the name ("notes.about the trip"). */
#define EXTENSION_MAX_BYTES 16

char *
allset_conflict_device_name (const char *device)
{
  g_autofree char *valid = NULL;
  g_autofree char *nfc = NULL;
  GString *out;
  gboolean blank = FALSE;
  guint chars = 0;

  if (device == NULL)
    device = "";
  valid = g_utf8_make_valid (device, -1);
  nfc = g_utf8_normalize (valid, -1, G_NORMALIZE_NFC);
  out = g_string_new (NULL);

  for (const char *p = nfc; *p != '\0' && chars < DEVICE_MAX_CHARS; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c))
        {
          blank = out->len > 0;
          continue;
        }
      if (blank)
        {
          g_string_append_c (out, ' ');
          chars++;
          blank = FALSE;
        }
      /* Parentheses too: the copy's name must read back unambiguously. */
      if (c < 0x20 || c == 0x7f || (c < 0x80 && strchr ("<>:\"|?*/\\()", (int) c) != NULL))
        g_string_append_c (out, '_');
      else
        g_string_append_unichar (out, c);
      chars++;
    }

  if (out->len == 0)
    g_string_append (out, "appareil");
  return g_string_free (out, FALSE);
}

/* Byte length of the extension (with its dot) of name, 0 if none. */
static gsize
extension_length (const char *name)
{
  const char *dot = strrchr (name, '.');
  gsize len;

  if (dot == NULL || dot == name)
    return 0;
  len = strlen (dot);
  if (len < 2 || len > EXTENSION_MAX_BYTES || strchr (dot, ' ') != NULL)
    return 0;
  return len;
}

char *
allset_conflict_name_full (const char *path,
                           const char *device,
                           GDateTime  *when,
                           gboolean    is_dir,
                           guint       n)
{
  g_autofree char *parent = NULL;
  g_autofree char *clean_device = NULL;
  g_autofree char *stamp = NULL;
  g_autofree char *suffix = NULL;
  g_autofree char *stem = NULL;
  g_autofree char *name = NULL;
  const char *basename;
  gsize ext_len;
  gsize stem_len;

  g_return_val_if_fail (path != NULL && path[0] != '\0', NULL);
  g_return_val_if_fail (when != NULL, NULL);
  g_return_val_if_fail (n >= 1, NULL);

  parent = allset_path_parent (path);
  basename = allset_path_basename (path);
  clean_device = allset_conflict_device_name (device);
  stamp = g_date_time_format (when, "%Y-%m-%d %H%M%S");
  if (n == 1)
    suffix = g_strdup_printf (" (conflit %s %s)", clean_device, stamp);
  else
    suffix = g_strdup_printf (" (conflit %s %s %u)", clean_device, stamp, n);

  ext_len = is_dir ? 0 : extension_length (basename);
  stem_len = strlen (basename) - ext_len;

  /* Shorten the stem, never the suffix or the extension, and cut on a
   * character boundary. */
  if (stem_len + strlen (suffix) + ext_len > ALLSET_NAME_MAX_BYTES)
    {
      gsize room = ALLSET_NAME_MAX_BYTES - strlen (suffix) - ext_len;
      const char *cut = basename + MIN (room, stem_len);

      if (cut < basename + stem_len)
        {
          /* Step back to the start of the character that straddles it. */
          while (cut > basename && ((guchar) *cut & 0xc0) == 0x80)
            cut--;
        }
      stem_len = cut - basename;
    }
  stem = g_strndup (basename, stem_len);
  name = g_strconcat (stem, suffix, basename + strlen (basename) - ext_len, NULL);

  if (parent[0] == '\0')
    return g_steal_pointer (&name);
  return g_strconcat (parent, "/", name, NULL);
}

char *
allset_conflict_name (const char *path,
                      const char *device,
                      GDateTime  *when)
{
  return allset_conflict_name_full (path, device, when, FALSE, 1);
}

char *
allset_conflict_name_unique (const char          *path,
                             const char          *device,
                             GDateTime           *when,
                             gboolean             is_dir,
                             AllsetPathTakenFunc  taken,
                             gpointer             user_data)
{
  g_return_val_if_fail (taken != NULL, NULL);

  for (guint n = 1;; n++)
    {
      g_autofree char *candidate = allset_conflict_name_full (path, device, when, is_dir, n);

      if (candidate == NULL || !taken (candidate, user_data))
        return g_steal_pointer (&candidate);
    }
}
