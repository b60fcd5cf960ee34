/* allset-path.c — portable path rules (docs/protocol.md, "Names")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "allset-error.h"
#include "allset-path.h"
#include "allset-version.h"

/* Names end up in error messages, logs and JSON: show control characters
 * as escapes so a message never carries one raw. */
static char *
quote_name (const char *name,
            gsize       len)
{
  GString *str = g_string_sized_new (len + 8);

  g_string_append (str, "“");
  for (gsize i = 0; i < len; i++)
    {
      guchar c = name[i];

      if (c < 0x20 || c == 0x7f)
        g_string_append_printf (str, "\\x%02X", c);
      else
        g_string_append_c (str, c);
    }
  g_string_append (str, "”");

  return g_string_free (str, FALSE);
}

static gboolean
invalid_name (GError     **error,
              const char  *name,
              gsize        len,
              const char  *rule)
{
  g_autofree char *quoted = quote_name (name, len);

  g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_NAME,
               "%s %s", quoted, rule);

  return FALSE;
}

/* Windows opens a device instead of a file for these, whatever the
 * extension and the case, and ignores spaces before the extension. */
static const char *
reserved_device_name (const char *name,
                      gsize       len)
{
  static const char * const devices[] = {
    "CON", "PRN", "AUX", "NUL",
    "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
    "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
  };
  const char *dot = memchr (name, '.', len);
  gsize stem = dot != NULL ? (gsize) (dot - name) : len;

  while (stem > 0 && name[stem - 1] == ' ')
    stem--;

  for (guint i = 0; i < G_N_ELEMENTS (devices); i++)
    {
      if (stem == strlen (devices[i]) &&
          g_ascii_strncasecmp (name, devices[i], stem) == 0)
        return devices[i];
    }

  return NULL;
}

/* name is NFC, len bytes, not NUL-terminated. */
static gboolean
check_component (const char  *name,
                 gsize        len,
                 GError     **error)
{
  const char *device;

  if ((len == 1 && name[0] == '.') ||
      (len == 2 && name[0] == '.' && name[1] == '.'))
    return invalid_name (error, name, len, "is not allowed as a name");

  if (len > ALLSET_NAME_MAX_BYTES)
    return invalid_name (error, name, len, "is longer than 255 bytes");

  /* Every character these rules name is ASCII, and UTF-8 never uses an
   * ASCII byte inside a multi-byte sequence, so bytes can be tested. */
  for (gsize i = 0; i < len; i++)
    {
      guchar c = name[i];
      g_autofree char *rule = NULL;

      if (c < 0x20 || c == 0x7f)
        rule = g_strdup_printf ("contains a control character (U+%04X)", c);
      else if (c == '/')
        rule = g_strdup ("contains a slash (/)");
      else if (c == '\\')
        rule = g_strdup ("contains a backslash (\\)");
      else if (strchr ("<>:\"|?*", c) != NULL)
        rule = g_strdup_printf ("contains a character Windows cannot store (%c)", c);

      if (rule != NULL)
        return invalid_name (error, name, len, rule);
    }

  if (name[len - 1] == ' ')
    return invalid_name (error, name, len, "ends with a space, which Windows cannot store");

  if (name[len - 1] == '.')
    return invalid_name (error, name, len, "ends with a dot, which Windows cannot store");

  if ((device = reserved_device_name (name, len)) != NULL)
    {
      g_autofree char *rule = g_strdup_printf ("is a reserved device name on Windows (%s)", device);

      return invalid_name (error, name, len, rule);
    }

  return TRUE;
}

static gboolean
is_ascii (const char *text)
{
  for (; *text != '\0'; text++)
    if ((guchar) *text >= 0x80)
      return FALSE;
  return TRUE;
}

static char *
normalize_utf8 (const char  *text,
                const char  *what,
                GError     **error)
{
  /* ASCII is valid UTF-8 and its own NFC: most names are, and
   * g_utf8_normalize() was a tenth of a no-change pass (callgrind). */
  if (is_ascii (text))
    return g_strdup (text);

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_NAME,
                   "The %s is not valid UTF-8", what);
      return NULL;
    }

  return g_utf8_normalize (text, -1, G_NORMALIZE_NFC);
}

char *
allset_path_normalize (const char  *path,
                       gboolean     allow_root,
                       GError     **error)
{
  g_autofree char *nfc = NULL;
  gsize len;
  const char *component;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(nfc = normalize_utf8 (path, "path", error)))
    return NULL;

  len = strlen (nfc);

  if (len == 0)
    {
      if (allow_root)
        return g_steal_pointer (&nfc);

      g_set_error_literal (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_NAME,
                           "The path is empty");
      return NULL;
    }

  if (len > ALLSET_PATH_MAX_BYTES)
    {
      g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_NAME,
                   "The path is longer than %d bytes", ALLSET_PATH_MAX_BYTES);
      return NULL;
    }

  if (nfc[0] == '/')
    {
      invalid_name (error, nfc, len, "is absolute; paths are relative to the account root");
      return NULL;
    }

  if (nfc[len - 1] == '/')
    {
      invalid_name (error, nfc, len, "ends with a slash");
      return NULL;
    }

  component = nfc;
  for (;;)
    {
      const char *slash = strchr (component, '/');
      gsize component_len = slash != NULL ? (gsize) (slash - component) : strlen (component);

      if (component_len == 0)
        {
          invalid_name (error, nfc, len, "has an empty component");
          return NULL;
        }

      if (!check_component (component, component_len, error))
        return NULL;

      if (slash == NULL)
        break;

      component = slash + 1;
    }

  return g_steal_pointer (&nfc);
}

gboolean
allset_name_check (const char  *name,
                   GError     **error)
{
  g_autofree char *nfc = NULL;
  gsize len;

  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(nfc = normalize_utf8 (name, "name", error)))
    return FALSE;

  if ((len = strlen (nfc)) == 0)
    {
      g_set_error_literal (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_NAME,
                           "The name is empty");
      return FALSE;
    }

  return check_component (nfc, len, error);
}

char *
allset_path_fold (const char *path)
{
  g_autofree char *nfc = NULL;
  g_autofree char *folded = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  /* ASCII is its own NFC form and folds to its lower case: skip the two
   * passes over tables. */
  for (const char *p = path; (guchar) *p < 0x80; p++)
    if (*p == '\0')
      return g_ascii_strdown (path, -1);

  if (!(nfc = g_utf8_normalize (path, -1, G_NORMALIZE_NFC)))
    return NULL;

  /* Case folding can produce decomposed sequences (U+01F0 folds to "j" and
   * a combining caron), so normalise again to get one key per spelling. */
  folded = g_utf8_casefold (nfc, -1);

  return g_utf8_normalize (folded, -1, G_NORMALIZE_NFC);
}

char *
allset_path_parent (const char *path)
{
  const char *slash;

  g_return_val_if_fail (path != NULL, NULL);

  if (!(slash = strrchr (path, '/')))
    return g_strdup ("");

  return g_strndup (path, slash - path);
}

const char *
allset_path_basename (const char *path)
{
  const char *slash;

  g_return_val_if_fail (path != NULL, NULL);

  if (!(slash = strrchr (path, '/')))
    return path;

  return slash + 1;
}

gboolean
allset_path_has_prefix (const char *path,
                        const char *ancestor)
{
  gsize len;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (ancestor != NULL, FALSE);

  if (ancestor[0] == '\0')
    return TRUE;

  len = strlen (ancestor);

  return strncmp (path, ancestor, len) == 0 &&
         (path[len] == '\0' || path[len] == '/');
}
