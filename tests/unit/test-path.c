/* test-path.c — the name rules of docs/protocol.md, "Names"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "allset-protocol.h"

static void
test_valid (void)
{
  static const char * const valid[] = {
    "a",
    "a.txt",
    "Docs/a.txt",
    "Documents/Été/à la plage — juillet.jpg",
    "Ça/œuvre/Noël.odt",
    "日本語/ファイル",
    ".hidden",
    "..a",
    "a..b",
    "a b",
    " leading space",
    "CONSOLE",
    "CON1",
    "COM0",
    "COM10",
    "LPT",
    "xCON",
    "a/b/c/d/e/f",
    "emoji 🎉.txt",
    "semi;colon, comma = equals [brackets] {braces} #hash %percent & 'quote'",
  };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *normalized = allset_path_normalize (valid[i], FALSE, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (normalized, ==, valid[i]);
    }
}

static void
test_nfc (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;

  /* "Été/café" typed with combining accents (U+0301). */
  normalized = allset_path_normalize ("E\xcc\x81te\xcc\x81/cafe\xcc\x81", FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (normalized, ==, "\xc3\x89t\xc3\xa9/caf\xc3\xa9");

  g_assert_true (allset_name_check ("cafe\xcc\x81", &error));
  g_assert_no_error (error);
}

static void
test_root (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = allset_path_normalize ("", TRUE, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (root, ==, "");

  g_assert_null (allset_path_normalize ("", FALSE, &error));
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_NAME);
  g_assert_cmpstr (error->message, ==, "The path is empty");
}

static void
test_invalid (void)
{
  static const struct {
    const char *path;
    const char *message;
  } invalid[] = {
    { "a\xff", "The path is not valid UTF-8" },
    { "\xc3(", "The path is not valid UTF-8" },
    { "/a", "“/a” is absolute; paths are relative to the account root" },
    { "/", "“/” is absolute; paths are relative to the account root" },
    { "a/", "“a/” ends with a slash" },
    { "a//b", "“a//b” has an empty component" },
    { ".", "“.” is not allowed as a name" },
    { "..", "“..” is not allowed as a name" },
    { "a/./b", "“.” is not allowed as a name" },
    { "a/../b", "“..” is not allowed as a name" },
    { "a\x01" "b", "“a\\x01b” contains a control character (U+0001)" },
    { "x/tab\there", "“tab\\x09here” contains a control character (U+0009)" },
    { "new\nline", "“new\\x0Aline” contains a control character (U+000A)" },
    { "a\x1f", "“a\\x1F” contains a control character (U+001F)" },
    { "del\x7f", "“del\\x7F” contains a control character (U+007F)" },
    { "a\\b", "“a\\b” contains a backslash (\\)" },
    { "dir/a:b", "“a:b” contains a character Windows cannot store (:)" },
    { "a<b", "“a<b” contains a character Windows cannot store (<)" },
    { "a>b", "“a>b” contains a character Windows cannot store (>)" },
    { "say \"hi\"", "“say \"hi\"” contains a character Windows cannot store (\")" },
    { "a|b", "“a|b” contains a character Windows cannot store (|)" },
    { "why?", "“why?” contains a character Windows cannot store (?)" },
    { "*.txt", "“*.txt” contains a character Windows cannot store (*)" },
    { "trailing ", "“trailing ” ends with a space, which Windows cannot store" },
    { "dir /x", "“dir ” ends with a space, which Windows cannot store" },
    { "trailing.", "“trailing.” ends with a dot, which Windows cannot store" },
    { "...", "“...” ends with a dot, which Windows cannot store" },
    { "CON", "“CON” is a reserved device name on Windows (CON)" },
    { "con", "“con” is a reserved device name on Windows (CON)" },
    { "Prn.txt", "“Prn.txt” is a reserved device name on Windows (PRN)" },
    { "a/aux.tar.gz", "“aux.tar.gz” is a reserved device name on Windows (AUX)" },
    { "NUL", "“NUL” is a reserved device name on Windows (NUL)" },
    { "com1", "“com1” is a reserved device name on Windows (COM1)" },
    { "COM9.log", "“COM9.log” is a reserved device name on Windows (COM9)" },
    { "lpt1", "“lpt1” is a reserved device name on Windows (LPT1)" },
    { "LpT9.txt", "“LpT9.txt” is a reserved device name on Windows (LPT9)" },
    { "nul .txt", "“nul .txt” is a reserved device name on Windows (NUL)" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *normalized = allset_path_normalize (invalid[i].path, FALSE, &error);

      g_assert_null (normalized);
      g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_NAME);
      g_assert_cmpstr (error->message, ==, invalid[i].message);
    }
}

static char *
repeat (const char *text,
        guint       times)
{
  GString *str = g_string_new (NULL);

  for (guint i = 0; i < times; i++)
    g_string_append (str, text);

  return g_string_free (str, FALSE);
}

static void
test_lengths (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name_255 = g_strnfill (255, 'a');
  g_autofree char *name_256 = g_strnfill (256, 'a');
  g_autofree char *path = g_strconcat ("dir/", name_256, NULL);
  g_autofree char *expected = g_strdup_printf ("“%s” is longer than 255 bytes", name_256);
  g_autofree char *nfd_127 = repeat ("e\xcc\x81", 127);
  g_autofree char *nfc_128 = repeat ("\xc3\xa9", 128);
  g_autofree char *normalized = NULL;
  g_autoptr(GString) long_path = g_string_new (NULL);

  g_assert_true (allset_name_check (name_255, &error));
  g_assert_no_error (error);

  g_assert_null (allset_path_normalize (path, FALSE, &error));
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_NAME);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);

  /* Lengths count the NFC form: 381 bytes of NFD input are 254 in NFC,
   * while 128 "é" are 256 bytes for 128 characters. */
  g_assert_true (allset_name_check (nfd_127, &error));
  g_assert_no_error (error);
  g_assert_false (allset_name_check (nfc_128, &error));
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_NAME);
  g_clear_error (&error);

  /* Seventeen 240-byte names and sixteen slashes: 4096 bytes, then 4097. */
  for (guint i = 0; i < 17; i++)
    g_string_append_printf (long_path, "%s%.240s", i > 0 ? "/" : "", name_255);
  g_assert_cmpuint (long_path->len, ==, 4096);
  normalized = allset_path_normalize (long_path->str, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (normalized, ==, long_path->str);

  g_string_append_c (long_path, 'a');
  g_assert_null (allset_path_normalize (long_path->str, FALSE, &error));
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_NAME);
  g_assert_cmpstr (error->message, ==, "The path is longer than 4096 bytes");
}

static void
test_name_check (void)
{
  static const struct {
    const char *name;
    const char *message;
  } invalid[] = {
    { "", "The name is empty" },
    { "a/b", "“a/b” contains a slash (/)" },
    { "a\xff", "The name is not valid UTF-8" },
    { "..", "“..” is not allowed as a name" },
    { "a:b", "“a:b” contains a character Windows cannot store (:)" },
    { "lpt3.doc", "“lpt3.doc” is a reserved device name on Windows (LPT3)" },
  };
  g_autoptr(GError) error = NULL;

  g_assert_true (allset_name_check ("Noël.txt", &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_assert_false (allset_name_check (invalid[i].name, &error));
      g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INVALID_NAME);
      g_assert_cmpstr (error->message, ==, invalid[i].message);
      g_clear_error (&error);
    }
}

static void
test_fold (void)
{
  static const struct {
    const char *a;
    const char *b;
  } same[] = {
    { "Docs/Readme.TXT", "docs/readme.txt" },
    { "ÉTÉ", "été" },
    { "E\xcc\x81t\xc3\xa9", "\xc3\xa9t\xc3\xa9" },  /* NFD vs NFC */
    { "Straße", "STRASSE" },
    { "J\xcc\x8c", "\xc7\xb0" },  /* J + caron vs U+01F0 */
  };

  for (guint i = 0; i < G_N_ELEMENTS (same); i++)
    {
      g_autofree char *a = allset_path_fold (same[i].a);
      g_autofree char *b = allset_path_fold (same[i].b);

      g_assert_cmpstr (a, ==, b);
    }

  {
    g_autofree char *a = allset_path_fold ("a.txt");
    g_autofree char *b = allset_path_fold ("b.txt");

    g_assert_cmpstr (a, !=, b);
  }

  /* ASCII takes a short cut: it must fold exactly as the long way does. */
  for (int c = 1; c < 0x80; c++)
    {
      char path[] = { 'A', (char) c, 'z', '\0' };
      g_autofree char *fast = allset_path_fold (path);
      g_autofree char *nfc = g_utf8_normalize (path, -1, G_NORMALIZE_NFC);
      g_autofree char *folded = g_utf8_casefold (nfc, -1);
      g_autofree char *slow = g_utf8_normalize (folded, -1, G_NORMALIZE_NFC);

      g_assert_cmpstr (fast, ==, slow);
    }
}

static void
test_helpers (void)
{
  static const struct {
    const char *path;
    const char *parent;
    const char *basename;
  } split[] = {
    { "a/b/c", "a/b", "c" },
    { "a/b", "a", "b" },
    { "c", "", "c" },
    { "", "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (split); i++)
    {
      g_autofree char *parent = allset_path_parent (split[i].path);

      g_assert_cmpstr (parent, ==, split[i].parent);
      g_assert_cmpstr (allset_path_basename (split[i].path), ==, split[i].basename);
    }

  g_assert_true (allset_path_has_prefix ("a/b/c", ""));
  g_assert_true (allset_path_has_prefix ("", ""));
  g_assert_true (allset_path_has_prefix ("a/b/c", "a"));
  g_assert_true (allset_path_has_prefix ("a/b/c", "a/b"));
  g_assert_true (allset_path_has_prefix ("a/b/c", "a/b/c"));
  g_assert_false (allset_path_has_prefix ("a/bc", "a/b"));
  g_assert_false (allset_path_has_prefix ("a/b", "a/b/c"));
  g_assert_false (allset_path_has_prefix ("ab", "a"));
  g_assert_false (allset_path_has_prefix ("", "a"));
  g_assert_false (allset_path_has_prefix ("A/b", "a"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/path/valid", test_valid);
  g_test_add_func ("/path/nfc", test_nfc);
  g_test_add_func ("/path/root", test_root);
  g_test_add_func ("/path/invalid", test_invalid);
  g_test_add_func ("/path/lengths", test_lengths);
  g_test_add_func ("/path/name-check", test_name_check);
  g_test_add_func ("/path/fold", test_fold);
  g_test_add_func ("/path/helpers", test_helpers);

  return g_test_run ();
}
