/* allset-ignore.c — which local names are never synced
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <gio/gio.h>

#include "allset-ignore.h"

/* Most patterns are a name, "*.ext" or "prefix*": those are compared
 * directly instead of through glob_match(), whose backtracking over
 * every name made up a third of a no-change pass over 10 000 files
 * (callgrind). Only for rules matched against a name (not anchored): a
 * name has no "/" for "*" to stop at. */
typedef enum
{
  SHAPE_GLOB,
  SHAPE_EXACT,    /* glob */
  SHAPE_PREFIX,   /* glob "*" */
  SHAPE_SUFFIX,   /* "*" glob */
} Shape;

typedef struct
{
  char     *glob;       /* NFC, without "!", trailing "/" or leading "/" */
  gboolean  negate;
  gboolean  dir_only;
  gboolean  anchored;   /* had a slash: matched against the whole path */
  gboolean  icase;      /* ASCII case-insensitive (built-ins) */
  Shape     shape;
  char      first;      /* SHAPE_GLOB: its first character when a plain
                         * ASCII one, which any match starts with; or 0 */
  char     *literal;    /* the glob without its "*" (not SHAPE_GLOB) */
  gsize     literal_len;
} Rule;

struct _AllsetIgnore
{
  gatomicrefcount  ref_count;
  GArray          *rules;   /* Rule, in order: built-ins then the user's */
  gboolean         glob_only;
};

static void
rule_set_shape (Rule *rule)
{
  const char *glob = rule->glob;
  gsize len = strlen (glob);
  gsize first_meta = strcspn (glob, "*?[\\");
  gboolean star_first = len > 1 && glob[0] == '*' && strcspn (glob + 1, "*?[\\") == len - 1;
  gboolean star_last = len > 1 && first_meta == len - 1 && glob[len - 1] == '*';

  rule->shape = SHAPE_GLOB;
  if (first_meta > 0 && (guchar) glob[0] < 0x80)
    rule->first = glob[0];
  if (rule->anchored)
    return;
  if (first_meta == len)
    rule->shape = SHAPE_EXACT;
  else if (star_first)
    rule->shape = SHAPE_SUFFIX;
  else if (star_last)
    rule->shape = SHAPE_PREFIX;
  else
    return;

  if (rule->shape == SHAPE_SUFFIX)
    rule->literal = g_strdup (glob + 1);
  else if (rule->shape == SHAPE_PREFIX)
    rule->literal = g_strndup (glob, len - 1);
  else
    rule->literal = g_strdup (glob);
  rule->literal_len = strlen (rule->literal);
}

/* Each is an obvious temporary, lock, view-settings or partial file that
 * no one means to sync; anything less obvious belongs in the user's file.
 * A user "!" pattern can bring any of them back. */
static const char * const builtin_patterns[] = {
  "~$*",              /* Microsoft Office: owner file of an open document */
  "~*.tmp",           /* Microsoft Office: temporary save */
  ".~lock.*#",        /* LibreOffice: lock file of an open document */
  ".DS_Store",        /* macOS Finder view settings */
  "Icon\r",           /* macOS custom folder icon (unportable name anyway) */
  "Thumbs.db",        /* Windows Explorer thumbnail caches */
  "ehthumbs.db",
  "desktop.ini",      /* Windows Explorer folder settings */
  ".#*",              /* Emacs lock files (symbolic links) */
  ".*.sw[px]",        /* Vim swap files */
  "*.crdownload",     /* Chromium-based browsers: partial download */
  "*.part",           /* Firefox: partial download */
  "*.partial",        /* older Edge / Internet Explorer: partial download */
  /* Trash directories at the root of a volume: g_file_trash() makes one
   * there when the synced folder is a mount point. */
  "/.Trash-*/",
  "/.Trashes/",
  "/$RECYCLE.BIN/",
};

static void
rule_clear (gpointer data)
{
  Rule *rule = data;

  g_free (rule->glob);
  g_free (rule->literal);
}

static gboolean
add_rule (AllsetIgnore  *self,
          const char    *line,
          gboolean       builtin,
          GError       **error)
{
  g_autofree char *nfc = NULL;
  Rule rule = { 0 };
  const char *p;
  gsize len;

  if (!g_utf8_validate (line, -1, NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "The pattern is not valid UTF-8");
      return FALSE;
    }
  nfc = g_utf8_normalize (line, -1, G_NORMALIZE_NFC);
  len = strlen (nfc);

  /* Trailing blanks in a user's line are a typing accident (or a CRLF
   * file), as in gitignore, unless the last one is escaped. Leading ones
   * may be part of a name. Built-ins are exact ("Icon\r"). */
  while (!builtin && len > 0 &&
         (nfc[len - 1] == ' ' || nfc[len - 1] == '\t' ||
          nfc[len - 1] == '\r' || nfc[len - 1] == '\n') &&
         !(len > 1 && nfc[len - 2] == '\\' && nfc[len - 1] == ' '))
    len--;
  nfc[len] = '\0';

  if (len == 0 || nfc[0] == '#')
    return TRUE;

  p = nfc;
  if (*p == '!')
    {
      rule.negate = TRUE;
      p++;
    }
  len = strlen (p);
  if (len > 0 && p[len - 1] == '/')
    {
      rule.dir_only = TRUE;
      len--;
    }
  if (len > 0 && memchr (p, '/', len) != NULL)
    rule.anchored = TRUE;
  if (len > 0 && *p == '/')
    {
      p++;
      len--;
    }

  if (len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” matches nothing", line);
      return FALSE;
    }

  /* An unterminated class would silently never match: refuse it. */
  for (gsize i = 0; i < len; i++)
    {
      if (p[i] == '\\' && i + 1 < len)
        i++;
      else if (p[i] == '[' && memchr (p + i + 1, ']', len - i - 1) == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "“%s” has a “[” without “]”", line);
          return FALSE;
        }
    }

  rule.glob = g_strndup (p, len);
  /* Built-ins match in any ASCII case, as the systems that make them
   * write "Desktop.ini" or "THUMBS.DB" as they please. */
  rule.icase = builtin;
  rule_set_shape (&rule);
  g_array_append_val (self->rules, rule);
  return TRUE;
}

AllsetIgnore *
allset_ignore_new (void)
{
  AllsetIgnore *self = g_new0 (AllsetIgnore, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->rules = g_array_new (FALSE, TRUE, sizeof (Rule));
  g_array_set_clear_func (self->rules, rule_clear);

  for (guint i = 0; i < G_N_ELEMENTS (builtin_patterns); i++)
    {
      gboolean ok = add_rule (self, builtin_patterns[i], TRUE, NULL);

      g_assert (ok);
    }
  return self;
}

AllsetIgnore *
allset_ignore_ref (AllsetIgnore *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
allset_ignore_unref (AllsetIgnore *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_array_unref (self->rules);
  g_free (self);
}

gboolean
allset_ignore_add_pattern (AllsetIgnore  *self,
                           const char    *line,
                           GError       **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (line != NULL, FALSE);

  return add_rule (self, line, FALSE, error);
}

void
allset_ignore_add_text (AllsetIgnore *self,
                        const char   *text,
                        const char   *origin)
{
  g_auto(GStrv) lines = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (text != NULL);

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!add_rule (self, lines[i], FALSE, &error))
        g_warning ("%s:%u: %s; line skipped", origin ? origin : "ignore patterns",
                   i + 1, error->message);
    }
}

AllsetIgnore *
allset_ignore_new_for_folder (const char *root)
{
  AllsetIgnore *self = allset_ignore_new ();
  g_autofree char *path = g_build_filename (root, ALLSET_IGNORE_FILE, NULL);
  g_autoptr(GError) error = NULL;

  if (!allset_ignore_load_file (self, path, &error))
    g_warning ("%s: %s; only the built-in rules apply", path, error->message);
  return self;
}

gboolean
allset_ignore_load_file (AllsetIgnore  *self,
                         const char    *filename,
                         GError       **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (filename != NULL, FALSE);

  if (!g_file_get_contents (filename, &text, NULL, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  allset_ignore_add_text (self, text, filename);
  return TRUE;
}

/* ─── Matching ─────────────────────────────────────────────────────── */

static gunichar
next_char (const char **s)
{
  gunichar c = g_utf8_get_char_validated (*s, -1);

  /* Invalid UTF-8 (a raw name on disk) counts byte by byte. */
  if (c == (gunichar) -1 || c == (gunichar) -2)
    {
      c = (guchar) **s;
      (*s)++;
      return c;
    }
  *s = g_utf8_next_char (*s);
  return c;
}

static gboolean
char_equal (gunichar a,
            gunichar b,
            gboolean icase)
{
  if (icase && a < 0x80 && b < 0x80)
    return g_ascii_tolower (a) == g_ascii_tolower (b);
  return a == b;
}

/* p points after '['. Sets *end past the ']'. */
static gboolean
class_match (const char  *p,
             gunichar     c,
             gboolean     icase,
             const char **end)
{
  gboolean negate = FALSE;
  gboolean found = FALSE;
  gboolean first = TRUE;

  if (*p == '!' || *p == '^')
    {
      negate = TRUE;
      p++;
    }
  /* A ']' right after the opening is a member, as in fnmatch. */
  while (*p != '\0' && (*p != ']' || first))
    {
      gunichar low, high;

      first = FALSE;
      if (*p == '\\' && p[1] != '\0')
        p++;
      low = high = next_char (&p);
      if (*p == '-' && p[1] != ']' && p[1] != '\0')
        {
          p++;
          if (*p == '\\' && p[1] != '\0')
            p++;
          high = next_char (&p);
        }
      if (icase && c < 0x80 && low < 0x80 && high < 0x80)
        {
          gunichar lc = g_ascii_tolower (c), uc = g_ascii_toupper (c);

          found |= (lc >= low && lc <= high) || (uc >= low && uc <= high);
        }
      else
        found |= c >= low && c <= high;
    }
  *end = *p == ']' ? p + 1 : p;
  return found != negate;
}

/* Glob match of the whole of s. '*' and '?' stop at '/', "**" does not.
 * Recursion depth is bounded by the number of stars in a pattern, which
 * is a line typed by a person. */
static gboolean
glob_match (const char *p,
            const char *s,
            gboolean    icase)
{
  while (*p != '\0')
    {
      if (p[0] == '*' && p[1] == '*')
        {
          while (*p == '*')
            p++;
          if (*p == '/')
            {
              /* "**" + "/": zero or more whole directories. */
              p++;
              for (const char *t = s;;)
                {
                  if (glob_match (p, t, icase))
                    return TRUE;
                  if ((t = strchr (t, '/')) == NULL)
                    return FALSE;
                  t++;
                }
            }
          for (const char *t = s;; t++)
            {
              if (glob_match (p, t, icase))
                return TRUE;
              if (*t == '\0')
                return FALSE;
            }
        }

      if (*p == '*')
        {
          while (*p == '*')
            p++;
          for (const char *t = s;; t++)
            {
              if (glob_match (p, t, icase))
                return TRUE;
              if (*t == '\0' || *t == '/')
                return FALSE;
            }
        }

      if (*s == '\0')
        return FALSE;

      if (*p == '?')
        {
          if (*s == '/')
            return FALSE;
          p++;
          next_char (&s);
          continue;
        }

      if (*p == '[' && strchr (p + 1, ']') != NULL)
        {
          gunichar c;

          if (*s == '/')
            return FALSE;
          c = next_char (&s);
          if (!class_match (p + 1, c, icase, &p))
            return FALSE;
          continue;
        }

      if (*p == '\\' && p[1] != '\0')
        p++;
      if (!char_equal (next_char (&p), next_char (&s), icase))
        return FALSE;
    }
  return *s == '\0';
}

static gboolean
literal_equal (const char *a,
               const char *b,
               gsize       len,
               gboolean    icase)
{
  /* Byte compare is code point compare for UTF-8; g_ascii_strncasecmp
   * folds ASCII letters only, as char_equal() does. */
  return icase ? g_ascii_strncasecmp (a, b, len) == 0 : memcmp (a, b, len) == 0;
}

static gboolean
rule_match (const Rule *rule,
            const char *subject,
            gboolean    glob_only)
{
  gsize len;

  if (glob_only)
    return glob_match (rule->glob, subject, rule->icase);
  if (rule->shape == SHAPE_GLOB)
    {
      if (rule->first != '\0' &&
          (rule->icase ? g_ascii_tolower (*subject) != g_ascii_tolower (rule->first)
                       : *subject != rule->first))
        return FALSE;
      return glob_match (rule->glob, subject, rule->icase);
    }

  len = strlen (subject);
  switch (rule->shape)
    {
    case SHAPE_EXACT:
      return len == rule->literal_len && literal_equal (subject, rule->literal, len, rule->icase);
    case SHAPE_PREFIX:
      return len >= rule->literal_len && literal_equal (subject, rule->literal, rule->literal_len, rule->icase);
    case SHAPE_SUFFIX:
      return len >= rule->literal_len &&
             literal_equal (subject + len - rule->literal_len, rule->literal, rule->literal_len, rule->icase);
    case SHAPE_GLOB:
    default:
      return glob_match (rule->glob, subject, rule->icase);
    }
}

void
allset_ignore_set_glob_only (AllsetIgnore *self,
                             gboolean      glob_only)
{
  g_return_if_fail (self != NULL);

  self->glob_only = glob_only;
}

gboolean
allset_ignore_match_entry (const AllsetIgnore *self,
                           const char         *path,
                           gboolean            is_dir)
{
  const char *slash;
  const char *name;
  gboolean ignored = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  slash = strrchr (path, '/');
  name = slash != NULL ? slash + 1 : path;

  if (g_str_has_prefix (name, ALLSET_RESERVED_PREFIX))
    return TRUE;

  /* Last match wins, so walk backwards and stop at the first match. */
  for (guint i = self->rules->len; i > 0; i--)
    {
      const Rule *rule = &g_array_index (self->rules, Rule, i - 1);

      if (rule->dir_only && !is_dir)
        continue;
      if (rule_match (rule, rule->anchored ? path : name, self->glob_only))
        {
          ignored = !rule->negate;
          break;
        }
    }
  return ignored;
}

gboolean
allset_ignore_match (const AllsetIgnore *self,
                     const char         *path,
                     gboolean            is_dir)
{
  g_autofree char *copy = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  /* Ancestors first: what lies below an ignored directory is never seen,
   * whatever a later negation says. */
  copy = g_strdup (path);
  for (char *slash = strchr (copy, '/'); slash != NULL; slash = strchr (slash + 1, '/'))
    {
      gboolean ignored;

      *slash = '\0';
      ignored = allset_ignore_match_entry (self, copy, TRUE);
      *slash = '/';
      if (ignored)
        return TRUE;
    }
  return allset_ignore_match_entry (self, path, is_dir);
}
