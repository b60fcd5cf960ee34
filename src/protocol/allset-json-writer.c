/* allset-json-writer.c — JSON text written straight into a buffer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "allset-json-writer.h"

struct _AllsetJsonWriter
{
  GString *text;
  /* One bit per open object or array: whether it has a value already,
   * so the next one needs a comma. Deeper than 64 is not written here. */
  guint64  has_value;
  guint    depth;
  gboolean after_name;   /* a member name was written: its value follows */
};

AllsetJsonWriter *
allset_json_writer_new (void)
{
  AllsetJsonWriter *self = g_new0 (AllsetJsonWriter, 1);

  self->text = g_string_sized_new (4096);
  return self;
}

void
allset_json_writer_free (AllsetJsonWriter *self)
{
  if (self == NULL)
    return;
  g_string_free (self->text, TRUE);
  g_free (self);
}

char *
allset_json_writer_free_to_string (AllsetJsonWriter *self,
                                   gsize            *length)
{
  char *text;

  g_warn_if_fail (self->depth == 0);
  if (length != NULL)
    *length = self->text->len;
  text = g_string_free (self->text, FALSE);
  g_free (self);
  return text;
}

/* A comma before any value but the first of its container, except the
 * value of a member, whose comma came before its name. */
static void
separate (AllsetJsonWriter *self)
{
  guint64 bit;

  if (self->after_name)
    {
      self->after_name = FALSE;
      return;
    }
  if (self->depth == 0)
    return;
  bit = G_GUINT64_CONSTANT (1) << (self->depth - 1);
  if (self->has_value & bit)
    g_string_append_c (self->text, ',');
  self->has_value |= bit;
}

static void
open_container (AllsetJsonWriter *self,
                char              bracket)
{
  g_return_if_fail (self->depth < 64);
  separate (self);
  g_string_append_c (self->text, bracket);
  self->depth++;
  self->has_value &= ~(G_GUINT64_CONSTANT (1) << (self->depth - 1));
}

static void
close_container (AllsetJsonWriter *self,
                 char              bracket)
{
  g_return_if_fail (self->depth > 0 && !self->after_name);
  self->depth--;
  g_string_append_c (self->text, bracket);
}

void
allset_json_writer_begin_object (AllsetJsonWriter *self)
{
  open_container (self, '{');
}

void
allset_json_writer_end_object (AllsetJsonWriter *self)
{
  close_container (self, '}');
}

void
allset_json_writer_begin_array (AllsetJsonWriter *self)
{
  open_container (self, '[');
}

void
allset_json_writer_end_array (AllsetJsonWriter *self)
{
  close_container (self, ']');
}

static void
append_quoted (GString    *text,
               const char *value)
{
  static const char hex[] = "0123456789abcdef";
  const char *run = value;
  const char *p;

  g_string_append_c (text, '"');
  for (p = value; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;
      /* Everything else passes through in runs: UTF-8 stays as it is. */
      g_string_append_len (text, run, p - run);
      run = p + 1;
      switch (c)
        {
        case '"':  g_string_append (text, "\\\""); break;
        case '\\': g_string_append (text, "\\\\"); break;
        case '\b': g_string_append (text, "\\b"); break;
        case '\f': g_string_append (text, "\\f"); break;
        case '\n': g_string_append (text, "\\n"); break;
        case '\r': g_string_append (text, "\\r"); break;
        case '\t': g_string_append (text, "\\t"); break;
        default:
          g_string_append (text, "\\u00");
          g_string_append_c (text, hex[c >> 4]);
          g_string_append_c (text, hex[c & 0xf]);
        }
    }
  g_string_append_len (text, run, p - run);
  g_string_append_c (text, '"');
}

void
allset_json_writer_member (AllsetJsonWriter *self,
                           const char       *name)
{
  g_return_if_fail (self->depth > 0 && !self->after_name);
  separate (self);
  append_quoted (self->text, name);
  g_string_append_c (self->text, ':');
  self->after_name = TRUE;
}

void
allset_json_writer_string (AllsetJsonWriter *self,
                           const char       *value)
{
  separate (self);
  if (value == NULL)
    g_string_append (self->text, "null");
  else
    append_quoted (self->text, value);
}

void
allset_json_writer_int (AllsetJsonWriter *self,
                        gint64            value)
{
  /* By hand: g_string_append_printf() was a tenth of a commit answer. */
  char digits[24];
  char *p = digits + sizeof digits;
  guint64 magnitude = value < 0 ? -(guint64) value : (guint64) value;

  separate (self);
  do
    {
      *--p = (char) ('0' + magnitude % 10);
      magnitude /= 10;
    }
  while (magnitude > 0);
  if (value < 0)
    *--p = '-';
  g_string_append_len (self->text, p, digits + sizeof digits - p);
}

void
allset_json_writer_bool (AllsetJsonWriter *self,
                         gboolean          value)
{
  separate (self);
  g_string_append (self->text, value ? "true" : "false");
}

void
allset_json_writer_string_member (AllsetJsonWriter *self,
                                  const char       *name,
                                  const char       *value)
{
  allset_json_writer_member (self, name);
  allset_json_writer_string (self, value);
}

void
allset_json_writer_int_member (AllsetJsonWriter *self,
                               const char       *name,
                               gint64            value)
{
  allset_json_writer_member (self, name);
  allset_json_writer_int (self, value);
}

void
allset_json_writer_bool_member (AllsetJsonWriter *self,
                                const char       *name,
                                gboolean          value)
{
  allset_json_writer_member (self, name);
  allset_json_writer_bool (self, value);
}
