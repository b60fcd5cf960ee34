/* test-ignore.c — built-in, reserved and user ignore rules
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "allset-ignore.h"

typedef struct
{
  const char *path;
  gboolean    is_dir;
  gboolean    ignored;
} Case;

static void
check_cases (const AllsetIgnore *ignore,
             const Case         *cases,
             guint               n_cases)
{
  for (guint i = 0; i < n_cases; i++)
    {
      gboolean got = allset_ignore_match (ignore, cases[i].path, cases[i].is_dir);

      if (got != cases[i].ignored)
        g_error ("“%s” (%s): expected %s, got %s", cases[i].path,
                 cases[i].is_dir ? "dir" : "file",
                 cases[i].ignored ? "ignored" : "kept", got ? "ignored" : "kept");
    }
}

static void
test_builtin (void)
{
  g_autoptr(AllsetIgnore) ignore = allset_ignore_new ();
  static const Case cases[] = {
    /* Office, LibreOffice */
    { "~$rapport.docx", FALSE, TRUE },
    { "Docs/~$budget.xlsx", FALSE, TRUE },
    { "~WRL0001.tmp", FALSE, TRUE },
    { ".~lock.rapport.odt#", FALSE, TRUE },
    { "Docs/.~lock.budget.ods#", FALSE, TRUE },
    /* Folder view settings, any case */
    { ".DS_Store", FALSE, TRUE },
    { "a/b/.DS_Store", FALSE, TRUE },
    { "Thumbs.db", FALSE, TRUE },
    { "Photos/THUMBS.DB", FALSE, TRUE },
    { "desktop.ini", FALSE, TRUE },
    { "Docs/Desktop.ini", FALSE, TRUE },
    { "Icon\r", FALSE, TRUE },
    /* Editors */
    { ".#notes.txt", FALSE, TRUE },
    { ".notes.txt.swp", FALSE, TRUE },
    { ".notes.txt.swx", FALSE, TRUE },
    /* Partial downloads */
    { "film.mkv.crdownload", FALSE, TRUE },
    { "Téléchargements/iso.part", FALSE, TRUE },
    { "a.partial", FALSE, TRUE },
    /* Ours: reserved */
    { ".allset-part-Xa81kq", FALSE, TRUE },
    { "Docs/.allset-part-0", FALSE, TRUE },
    { ".allset-anything", TRUE, TRUE },
    /* Trash directories, at the root only, directories only */
    { ".Trash-1000", TRUE, TRUE },
    { ".Trash-1000/files/a.txt", FALSE, TRUE },
    { ".Trashes", TRUE, TRUE },
    { "$RECYCLE.BIN", TRUE, TRUE },
    { "Docs/.Trash-1000", TRUE, FALSE },
    { ".Trash-1000", FALSE, FALSE },
    /* Ordinary names that merely look alike */
    { "rapport.docx", FALSE, FALSE },
    { "notes.tmp", FALSE, FALSE },
    { "a~$b.docx", FALSE, FALSE },
    { ".lock.odt#", FALSE, FALSE },
    { "DS_Store", FALSE, FALSE },
    { "Thumbs.db.bak", FALSE, FALSE },
    { "my.partition", FALSE, FALSE },
    { "archive.part1.rar", FALSE, FALSE },
    { "notes.swp", FALSE, FALSE },
    { ".allset", FALSE, FALSE },
    { "allset-part-1", FALSE, FALSE },
    { ".bashrc", FALSE, FALSE },
    { "Icon", FALSE, FALSE },
  };

  check_cases (ignore, cases, G_N_ELEMENTS (cases));
}

static void
add_patterns (AllsetIgnore       *ignore,
              const char * const *lines)
{
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (allset_ignore_add_pattern (ignore, lines[i], &error));
      g_assert_no_error (error);
    }
}

static void
test_user_patterns (void)
{
  g_autoptr(AllsetIgnore) ignore = allset_ignore_new ();
  static const char * const lines[] = {
    "# a comment",
    "",
    "*.log",
    "build/",
    "docs/draft-*.md",
    "/todo.txt",
    "cache/**/*.bin",
    "**/node_modules",
    "out/**",
    "img[0-9].png",
    "[!a-m]*.bak",
    "sp\\ ace\\ ",
    "\\#hash",
    "notes?.txt",
    "trailing.txt   \r",
    NULL,
  };
  static const Case cases[] = {
    { "app.log", FALSE, TRUE },
    { "a/b/c/app.log", FALSE, TRUE },
    { "app.log.txt", FALSE, FALSE },
    { "build", TRUE, TRUE },
    { "src/build", TRUE, TRUE },
    { "src/build/x.o", FALSE, TRUE },
    { "build", FALSE, FALSE },             /* a file named build */
    { "docs/draft-1.md", FALSE, TRUE },
    { "docs/draft-a/b.md", FALSE, FALSE }, /* '*' stops at '/' */
    { "other/docs/draft-1.md", FALSE, FALSE },
    { "todo.txt", FALSE, TRUE },
    { "sub/todo.txt", FALSE, FALSE },
    { "cache/a.bin", FALSE, TRUE },
    { "cache/x/y/a.bin", FALSE, TRUE },
    { "cache/a.txt", FALSE, FALSE },
    { "node_modules", TRUE, TRUE },
    { "web/app/node_modules/x/y.js", FALSE, TRUE },
    { "out", TRUE, FALSE },                /* the pattern names what is inside */
    { "out/a", FALSE, TRUE },
    { "out/a/b", FALSE, TRUE },
    { "img7.png", FALSE, TRUE },
    { "imgx.png", FALSE, FALSE },
    { "zeta.bak", FALSE, TRUE },
    { "alpha.bak", FALSE, FALSE },
    { "sp ace ", FALSE, TRUE },
    { "#hash", FALSE, TRUE },
    { "notes1.txt", FALSE, TRUE },
    { "notesé.txt", FALSE, TRUE },         /* '?' is one character, not one byte */
    { "notes.txt", FALSE, FALSE },
    { "notes12.txt", FALSE, FALSE },
    { "trailing.txt", FALSE, TRUE },
  };

  add_patterns (ignore, lines);
  check_cases (ignore, cases, G_N_ELEMENTS (cases));
}

static void
test_negation (void)
{
  g_autoptr(AllsetIgnore) ignore = allset_ignore_new ();
  static const char * const lines[] = {
    "*.log",
    "!keep.log",
    "!.DS_Store",
    "!.allset-part-x",
    "logs/",
    "!logs/important.log",
    NULL,
  };
  static const Case cases[] = {
    { "a.log", FALSE, TRUE },
    { "keep.log", FALSE, FALSE },
    { "sub/keep.log", FALSE, FALSE },
    { ".DS_Store", FALSE, FALSE },          /* a built-in can be brought back */
    { ".allset-part-x", FALSE, TRUE },      /* a reserved name cannot */
    { "logs/important.log", FALSE, TRUE },  /* below an ignored directory */
  };

  add_patterns (ignore, lines);
  check_cases (ignore, cases, G_N_ELEMENTS (cases));
}

static void
test_nfc (void)
{
  g_autoptr(AllsetIgnore) ignore = allset_ignore_new ();
  g_autoptr(GError) error = NULL;

  /* A pattern typed decomposed matches the NFC path. */
  g_assert_true (allset_ignore_add_pattern (ignore, "E\xcc\x81te\xcc\x81/*.tmp", &error));
  g_assert_no_error (error);
  g_assert_true (allset_ignore_match (ignore, "\xc3\x89t\xc3\xa9/a.tmp", FALSE));
  g_assert_false (allset_ignore_match (ignore, "Ete/a.tmp", FALSE));
}

static void
test_bad_patterns (void)
{
  g_autoptr(AllsetIgnore) ignore = allset_ignore_new ();
  static const char * const bad[] = { "!", "/", "!/", "abc[def", "\xff\xfe" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (allset_ignore_add_pattern (ignore, bad[i], &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }

  /* A file with a bad line keeps its good ones. */
  g_test_expect_message ("Allset-Engine", G_LOG_LEVEL_WARNING, "*patterns:2:*");
  allset_ignore_add_text (ignore, "*.a\nx[\n*.b\n", "patterns");
  g_test_assert_expected_messages ();
  g_assert_true (allset_ignore_match (ignore, "f.a", FALSE));
  g_assert_true (allset_ignore_match (ignore, "f.b", FALSE));
}

static void
test_load_file (void)
{
  g_autoptr(AllsetIgnore) ignore = allset_ignore_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-ignore-XXXXXX", &error);
  g_autofree char *file = g_build_filename (dir, "ignore", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing", NULL);

  g_assert_no_error (error);
  g_assert_true (allset_ignore_load_file (ignore, missing, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_set_contents (file, "# CRLF file\r\n*.iso\r\n", -1, &error));
  g_assert_true (allset_ignore_load_file (ignore, file, &error));
  g_assert_no_error (error);
  g_assert_true (allset_ignore_match (ignore, "x/y.iso", FALSE));
  g_assert_false (allset_ignore_match (ignore, "x/y.isox", FALSE));

  g_unlink (file);
  g_rmdir (dir);
}

static gpointer
match_many (gpointer data)
{
  const AllsetIgnore *ignore = data;
  guint hits = 0;

  for (guint i = 0; i < 20000; i++)
    hits += allset_ignore_match (ignore, i % 2 ? "a/b/c.log" : "a/b/c.txt", FALSE);
  return GUINT_TO_POINTER (hits);
}

static void
test_threads (void)
{
  /* Matching only reads: many threads may share one AllsetIgnore. */
  g_autoptr(AllsetIgnore) ignore = allset_ignore_new ();
  GThread *threads[4];

  allset_ignore_add_text (ignore, "*.log\n", NULL);
  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    threads[t] = g_thread_new ("match", match_many, allset_ignore_ref (ignore));
  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    {
      g_assert_cmpuint (GPOINTER_TO_UINT (g_thread_join (threads[t])), ==, 10000);
      allset_ignore_unref (ignore);
    }
}

/* The folder's own pattern file, read from its root. */
static void
test_for_folder (void)
{
  g_autofree char *root = g_dir_make_tmp ("allset-ignore-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (root, ALLSET_IGNORE_FILE, NULL);
  AllsetIgnore *ignore;

  /* No file: the built-in rules only. */
  ignore = allset_ignore_new_for_folder (root);
  g_assert_false (allset_ignore_match (ignore, "build.log", FALSE));
  g_assert_true (allset_ignore_match (ignore, "~$rapport.docx", FALSE));
  allset_ignore_unref (ignore);

  g_assert_true (g_file_set_contents (file, "# logs\n*.log\nbuild/\n", -1, NULL));
  ignore = allset_ignore_new_for_folder (root);
  g_assert_true (allset_ignore_match (ignore, "build.log", FALSE));
  g_assert_true (allset_ignore_match (ignore, "src/build", TRUE));
  g_assert_false (allset_ignore_match (ignore, "src/build", FALSE));
  g_assert_false (allset_ignore_match (ignore, ALLSET_IGNORE_FILE, FALSE));
  allset_ignore_unref (ignore);

  g_unlink (file);
  g_rmdir (root);
}

/* The shortcuts for names, "*.ext" and "prefix*" must say exactly what
 * the general glob matcher says, for the built-ins (any ASCII case) and
 * user patterns (exact case), on names built from the patterns' own
 * pieces in every case, with non-ASCII and invalid UTF-8 bytes. */
static void
test_shortcuts_agree (void)
{
  static const char * const user[] = {
    "*.log", "build", "Cache*", "*.tar.gz", "a*b", "/docs/*.pdf", "!keep.log",
    "*é", "Été*", "node_modules/", "*~", "\\*literal", "?x", "[ab]c",
  };
  static const char * const pieces[] = {
    "", "~$", "~", ".tmp", ".TMP", ".~lock.", "#", ".ds_store", ".DS_Store", "Icon\r", "thumbs.DB",
    "Desktop.ini", ".#", ".x.swp", ".crdownload", ".part", ".PARTIAL", ".log", "build", "Cache", "cache",
    ".tar.gz", "a", "b", "é", "É", "Été", "été", "node_modules", "~", "*literal", "x", "\xff", "\xc3",
    "keep.log", "rapport", ".", "-",
  };
  g_autoptr(AllsetIgnore) fast = allset_ignore_new ();
  g_autoptr(AllsetIgnore) slow = allset_ignore_new ();
  guint checked = 0, ignored = 0;

  for (guint i = 0; i < G_N_ELEMENTS (user); i++)
    {
      g_assert_true (allset_ignore_add_pattern (fast, user[i], NULL));
      g_assert_true (allset_ignore_add_pattern (slow, user[i], NULL));
    }
  allset_ignore_set_glob_only (slow, TRUE);

  for (guint a = 0; a < G_N_ELEMENTS (pieces); a++)
    for (guint b = 0; b < G_N_ELEMENTS (pieces); b++)
      for (guint c = 0; c < G_N_ELEMENTS (pieces); c += 3)
        {
          g_autofree char *name = g_strconcat (pieces[a], pieces[b], pieces[c], NULL);
          g_autofree char *path = g_strconcat ("docs/", name, NULL);

          if (*name == '\0')
            continue;
          for (int is_dir = 0; is_dir <= 1; is_dir++)
            {
              gboolean got = allset_ignore_match (fast, path, is_dir);

              if (got != allset_ignore_match (slow, path, is_dir))
                g_error ("“%s” (%s): the shortcut says %s, the glob matcher the opposite",
                         path, is_dir ? "dir" : "file", got ? "ignored" : "kept");
              checked++;
              ignored += got;
            }
        }
  /* Both answers occur, or the comparison proves nothing. */
  g_assert_cmpuint (ignored, >, checked / 20);
  g_assert_cmpuint (ignored, <, checked);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ignore/builtin", test_builtin);
  g_test_add_func ("/ignore/user-patterns", test_user_patterns);
  g_test_add_func ("/ignore/negation", test_negation);
  g_test_add_func ("/ignore/nfc", test_nfc);
  g_test_add_func ("/ignore/bad-patterns", test_bad_patterns);
  g_test_add_func ("/ignore/load-file", test_load_file);
  g_test_add_func ("/ignore/threads", test_threads);
  g_test_add_func ("/ignore/for-folder", test_for_folder);
  g_test_add_func ("/ignore/shortcuts-agree", test_shortcuts_agree);

  return g_test_run ();
}
