/* allset-password.c — account passwords (Argon2id) and random tokens
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <argon2.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#ifdef G_OS_UNIX
# include <termios.h>
#endif

#include "allset-password.h"

#define PASSWORD_T_COST    2
#define PASSWORD_M_COST    19456   /* KiB */
#define PASSWORD_PARALLEL  1
#define PASSWORD_SALT_LEN  16
#define PASSWORD_HASH_LEN  32
#define PASSWORD_MAX_BYTES 4096

char *
allset_password_hash (const char  *password,
                      GError     **error)
{
  guint8 salt[PASSWORD_SALT_LEN];
  g_autofree char *encoded = NULL;
  gsize encoded_len;
  int ret;

  g_return_val_if_fail (password != NULL, NULL);

  ret = gnutls_rnd (GNUTLS_RND_KEY, salt, sizeof salt);
  if (ret < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Cannot get random bytes: %s"), gnutls_strerror (ret));
      return NULL;
    }

  encoded_len = argon2_encodedlen (PASSWORD_T_COST, PASSWORD_M_COST, PASSWORD_PARALLEL,
                                   PASSWORD_SALT_LEN, PASSWORD_HASH_LEN, Argon2_id);
  encoded = g_malloc0 (encoded_len);

  ret = argon2id_hash_encoded (PASSWORD_T_COST, PASSWORD_M_COST, PASSWORD_PARALLEL,
                               password, strlen (password), salt, sizeof salt,
                               PASSWORD_HASH_LEN, encoded, encoded_len);
  if (ret != ARGON2_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Cannot hash the password: %s"), argon2_error_message (ret));
      return NULL;
    }

  return g_steal_pointer (&encoded);
}

gboolean
allset_password_verify (const char *encoded,
                        const char *password)
{
  if (encoded == NULL || password == NULL)
    return FALSE;

  /* Only our own scheme: argon2id_verify() would also run whatever cost
   * parameters a foreign string names. */
  if (!g_str_has_prefix (encoded, "$argon2id$"))
    return FALSE;

  return argon2id_verify (encoded, password, strlen (password)) == ARGON2_OK;
}

char *
allset_random_token (gsize n_bytes)
{
  g_autofree guint8 *bytes = NULL;
  char *text;
  gsize len;

  g_return_val_if_fail (n_bytes > 0, NULL);

  bytes = g_malloc (n_bytes);
  /* Tokens are bearer secrets: failure here must not produce a weak one. */
  if (gnutls_rnd (GNUTLS_RND_KEY, bytes, n_bytes) < 0)
    g_error ("gnutls_rnd failed: no random bytes for a token");
  /* A token that starts with “-” reads as an option on a command line
   * (`allset-cli share-update -Xy…` fails, one link in 64), so the first
   * character is drawn again until it is not: the top six bits of the
   * first byte give base64's index 62, “+”, which becomes “-”. */
  while (bytes[0] >> 2 == 62)
    if (gnutls_rnd (GNUTLS_RND_KEY, bytes, 1) < 0)
      g_error ("gnutls_rnd failed: no random bytes for a token");

  text = g_base64_encode (bytes, n_bytes);
  gnutls_memset (bytes, 0, n_bytes);

  len = strlen (text);
  while (len > 0 && text[len - 1] == '=')
    text[--len] = '\0';
  for (char *p = text; *p != '\0'; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
    }

  return text;
}

static void
wipe_string (GString *string)
{
  memset (string->str, 0, string->allocated_len);
  g_string_free (string, TRUE);
}

char *
allset_password_read (FILE    *stream,
                      GError **error)
{
  GString *buffer = g_string_new (NULL);
  gboolean tty = isatty (fileno (stream));
  char *password;
  int c;
#ifdef G_OS_UNIX
  struct termios saved, quiet;
  gboolean echo_off = FALSE;

  if (tty && tcgetattr (fileno (stream), &saved) == 0)
    {
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      echo_off = tcsetattr (fileno (stream), TCSAFLUSH, &quiet) == 0;
    }
#endif

  if (tty)
    g_printerr (_("Password: "));

  while ((c = getc (stream)) != EOF && buffer->len <= PASSWORD_MAX_BYTES)
    {
      if (tty && c == '\n')
        break;
      g_string_append_c (buffer, (char) c);
    }

#ifdef G_OS_UNIX
  if (echo_off)
    tcsetattr (fileno (stream), TCSAFLUSH, &saved);
#endif
  if (tty)
    g_printerr ("\n");

  /* One line ending only: `echo pw |` and `printf pw |` give the same
   * password, while other trailing spaces stay part of it. */
  if (buffer->len > 0 && buffer->str[buffer->len - 1] == '\n')
    {
      g_string_truncate (buffer, buffer->len - 1);
      if (buffer->len > 0 && buffer->str[buffer->len - 1] == '\r')
        g_string_truncate (buffer, buffer->len - 1);
    }

  if (buffer->len == 0)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 _("No password given: write it to standard input"));
  else if (buffer->len > PASSWORD_MAX_BYTES)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 _("The password is longer than %d bytes"), PASSWORD_MAX_BYTES);
  else if (!g_utf8_validate (buffer->str, buffer->len, NULL) || strlen (buffer->str) != buffer->len)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 _("The password is not valid UTF-8 text"));
  else if (g_utf8_strlen (buffer->str, -1) < ALLSET_PASSWORD_MIN_CHARS)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 _("The password is too short: use at least %d characters"),
                 ALLSET_PASSWORD_MIN_CHARS);
  else
    {
      password = g_strdup (buffer->str);
      wipe_string (buffer);
      return password;
    }

  wipe_string (buffer);
  return NULL;
}
