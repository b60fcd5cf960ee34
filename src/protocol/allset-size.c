/* allset-size.c — sizes and durations on the command line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "allset-error.h"
#include "allset-size.h"

typedef struct
{
  const char *suffix;
  guint64     factor;
} Unit;

typedef struct
{
  const char *what;      /* "size" */
  const char *base;      /* "bytes": the unit a bare number is in */
  const char *examples;
  const Unit *units;
  guint       n_units;
} Quantity;

#define KIB G_GUINT64_CONSTANT (1024)

static const Unit size_units[] = {
  { "",    1 },
  { "b",   1 },
  { "k",   KIB },
  { "kib", KIB },
  { "kb",  1000 },
  { "m",   KIB * KIB },
  { "mib", KIB * KIB },
  { "mb",  1000 * 1000 },
  { "g",   KIB * KIB * KIB },
  { "gib", KIB * KIB * KIB },
  { "gb",  1000 * 1000 * 1000 },
  { "t",   KIB * KIB * KIB * KIB },
  { "tib", KIB * KIB * KIB * KIB },
  { "tb",  G_GUINT64_CONSTANT (1000) * 1000 * 1000 * 1000 },
};

static const Unit duration_units[] = {
  { "",  1 },
  { "s", 1 },
  { "m", 60 },
  { "h", 60 * 60 },
  { "d", 24 * 60 * 60 },
};

static const Quantity size_quantity = {
  "size", "bytes", "10G, 500M or 1.5T", size_units, G_N_ELEMENTS (size_units),
};

static const Quantity duration_quantity = {
  "duration", "seconds", "90s, 15m, 12h or 30d", duration_units, G_N_ELEMENTS (duration_units),
};

/* Keeps fraction × factor within 64 bits (10^6 × 2^40 < 2^60), and nobody
 * writes a quota with more decimals. */
#define MAX_DECIMALS 6

static gboolean
parse_error (GError     **error,
             const char  *text,
             const char  *format,
             ...) G_GNUC_PRINTF (3, 4);

static gboolean
parse_error (GError     **error,
             const char  *text,
             const char  *format,
             ...)
{
  g_autofree char *reason = NULL;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_BAD_REQUEST,
               "“%s” %s", text, reason);

  return FALSE;
}

/* Fixed point rather than strtod() so that 1.5T is exactly 1.5 × 2^40 and
 * large values do not lose their low digits. */
static gboolean
parse_quantity (const char      *text,
                const Quantity  *quantity,
                guint64         *out,
                GError         **error)
{
  const char *p = text;
  const char *unit;
  gsize unit_len;
  guint64 whole = 0;
  guint64 fraction = 0;
  guint64 scale = 1;
  guint decimals = 0;
  guint64 value;
  const Unit *found = NULL;

  while (g_ascii_isspace (*p))
    p++;

  if (*p == '-')
    return parse_error (error, text, "is negative; a %s must be zero or more", quantity->what);

  if (!g_ascii_isdigit (*p))
    return parse_error (error, text, "is not a %s; try %s", quantity->what, quantity->examples);

  for (; g_ascii_isdigit (*p); p++)
    {
      if (!g_uint64_checked_mul (&whole, whole, 10) ||
          !g_uint64_checked_add (&whole, whole, *p - '0'))
        return parse_error (error, text, "is too large");
    }

  if (*p == '.')
    {
      p++;
      if (!g_ascii_isdigit (*p))
        return parse_error (error, text, "is not a %s; try %s", quantity->what, quantity->examples);

      for (; g_ascii_isdigit (*p); p++)
        {
          if (++decimals > MAX_DECIMALS)
            return parse_error (error, text, "has more than %d decimals", MAX_DECIMALS);

          fraction = fraction * 10 + (*p - '0');
          scale *= 10;
        }
    }

  while (g_ascii_isspace (*p))
    p++;

  unit = p;
  unit_len = strlen (unit);
  while (unit_len > 0 && g_ascii_isspace (unit[unit_len - 1]))
    unit_len--;

  for (guint i = 0; i < quantity->n_units; i++)
    {
      if (strlen (quantity->units[i].suffix) == unit_len &&
          g_ascii_strncasecmp (unit, quantity->units[i].suffix, unit_len) == 0)
        {
          found = &quantity->units[i];
          break;
        }
    }

  if (found == NULL)
    return parse_error (error, text, "is not a %s; try %s", quantity->what, quantity->examples);

  /* Larger units are rounded down to whole bytes or seconds, but a bare
   * fraction of one is almost certainly a typo. */
  if (found->factor == 1 && fraction != 0)
    return parse_error (error, text, "is not a whole number of %s", quantity->base);

  if (!g_uint64_checked_mul (&value, whole, found->factor) ||
      !g_uint64_checked_add (&value, value, fraction * found->factor / scale))
    return parse_error (error, text, "is too large");

  *out = value;

  return TRUE;
}

gboolean
allset_size_parse (const char  *text,
                   guint64     *out,
                   GError     **error)
{
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return parse_quantity (text, &size_quantity, out, error);
}

gboolean
allset_duration_parse (const char  *text,
                       guint64     *seconds,
                       GError     **error)
{
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (seconds != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return parse_quantity (text, &duration_quantity, seconds, error);
}
