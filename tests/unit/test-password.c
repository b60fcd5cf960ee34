/* test-password.c — Argon2id passwords, random tokens, password input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdio.h>
#include <string.h>

#include <gio/gio.h>

#include "allset-password.h"

static void
test_hash_verify (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = allset_password_hash ("correct horse battery staple", &error);
  g_autofree char *again = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (hash);
  g_assert_true (g_str_has_prefix (hash, "$argon2id$v=19$m=19456,t=2,p=1$"));

  g_assert_true (allset_password_verify (hash, "correct horse battery staple"));
  g_assert_false (allset_password_verify (hash, "correct horse battery stapl"));
  g_assert_false (allset_password_verify (hash, "Correct horse battery staple"));
  g_assert_false (allset_password_verify (hash, ""));
  g_assert_false (allset_password_verify (hash, NULL));

  /* A fresh salt each time. */
  again = allset_password_hash ("correct horse battery staple", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again, !=, hash);
  g_assert_true (allset_password_verify (again, "correct horse battery staple"));
}

static void
test_unicode (void)
{
  g_autofree char *hash = allset_password_hash ("mot de passe été ☃", NULL);

  g_assert_true (allset_password_verify (hash, "mot de passe été ☃"));
  /* The same text in NFD is other bytes, and another password. */
  g_assert_false (allset_password_verify (hash, "mot de passe e\xcc\x81te\xcc\x81 ☃"));
}

static void
test_malformed (void)
{
  g_autofree char *hash = allset_password_hash ("password1", NULL);
  g_autofree char *truncated = g_strndup (hash, strlen (hash) - 5);
  g_autofree char *other_variant = g_strdup (hash);
  const char *bad[] = {
    "", "garbage", "$argon2id$", "$argon2id$v=19$m=19456,t=2,p=1$",
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$",
    "$argon2id$v=19$m=abc,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
    "$2b$12$abcdefghijklmnopqrstuuOq6DR0eWm5uHZ6wLr3KJk0qGXYvY5O6",
    truncated,
  };

  memcpy (other_variant, "$argon2i$", strlen ("$argon2i$"));

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_false (allset_password_verify (bad[i], "password1"));
  g_assert_false (allset_password_verify (other_variant, "password1"));
  g_assert_false (allset_password_verify (NULL, "password1"));
  g_assert_true (allset_password_verify (hash, "password1"));
}

static void
test_token (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) first_chars = g_hash_table_new (NULL, NULL);
  guint with_dash = 0;
  const struct { gsize bytes; gsize chars; } sizes[] = { { 1, 2 }, { 2, 3 }, { 3, 4 }, { 32, 43 }, { 48, 64 } };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *token = allset_random_token (sizes[i].bytes);
      g_autofree guchar *decoded = NULL;
      g_autofree char *padded = NULL;
      gsize len;

      g_assert_cmpuint (strlen (token), ==, sizes[i].chars);
      g_assert_cmpuint (strspn (token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                        ==, strlen (token));

      /* Round trip through the standard alphabet gives the byte count back. */
      padded = g_strdup_printf ("%s%.*s", token, (int) ((4 - strlen (token) % 4) % 4), "==");
      g_strdelimit (padded, "-", '+');
      g_strdelimit (padded, "_", '/');
      decoded = g_base64_decode (padded, &len);
      g_assert_cmpuint (len, ==, sizes[i].bytes);
    }

  for (guint i = 0; i < 2000; i++)
    {
      char *token = allset_random_token (32);

      /* A leading “-” would read as an option on allset-cli's command line;
       * one token in 64 had one before the first character was redrawn. */
      g_assert_cmpint (token[0], !=, '-');
      g_hash_table_add (first_chars, GINT_TO_POINTER (token[0]));
      if (strchr (token, '-') != NULL)
        with_dash++;
      g_assert_true (g_hash_table_add (seen, token));
    }
  /* Every other first character still occurs (a miss has odds of 1e-12),
   * and “-” is still used after the first (in ~48 % of tokens). */
  g_assert_cmpuint (g_hash_table_size (first_chars), ==, 63);
  g_assert_cmpuint (with_dash, >, 500);
}

static char *
read_from (const char *input, gsize len, GError **error)
{
  FILE *stream = tmpfile ();
  char *password;

  g_assert_nonnull (stream);
  g_assert_cmpuint (fwrite (input, 1, len, stream), ==, len);
  rewind (stream);
  password = allset_password_read (stream, error);
  fclose (stream);
  return password;
}

static void
test_read (void)
{
  const struct { const char *input; const char *password; } good[] = {
    { "secret-password\n", "secret-password" },
    { "secret-password", "secret-password" },
    { "secret-password\r\n", "secret-password" },
    { "two newlines\n\n", "two newlines\n" },
    { "  spaced  \n", "  spaced  " },
    { "éééééééé\n", "éééééééé" },
  };
  const char *bad[] = { "", "\n", "short\n", "1234567", "ééééééé\n", "bad\xff utf-8 text\n" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *password = read_from (good[i].input, strlen (good[i].input), &error);

      g_assert_no_error (error);
      g_assert_cmpstr (password, ==, good[i].password);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *password = NULL;

      password = read_from (bad[i], strlen (bad[i]), &error);
      g_assert_null (password);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autofree char *password = read_from ("embedded\0nul-byte\n", 18, &error);

    g_assert_null (password);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *huge = g_strnfill (5000, 'x');
    g_autofree char *password = read_from (huge, 5000, &error);

    g_assert_null (password);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/password/hash-verify", test_hash_verify);
  g_test_add_func ("/password/unicode", test_unicode);
  g_test_add_func ("/password/malformed", test_malformed);
  g_test_add_func ("/password/token", test_token);
  g_test_add_func ("/password/read", test_read);

  return g_test_run ();
}
