/* test-client-secrets.c — the token file (mode 0600, refused when open to
 * others) and a Secret Service that is not there
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real keyring is exercised by tests/integration/test-cli-login.sh.
 */

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "allset-secrets.h"

#define SERVER "https://example.fr/"
#define TOKEN  "U0PAlrOxtXWsYMsHQKbCDYAYIoJ-OqL6K18enK6O9W4"

static void
test_token_file (void)
{
  g_autofree char *path = g_build_filename (g_get_home_dir (), "private", "token", NULL);
  g_autoptr(AllsetSecrets) secrets = allset_secrets_new (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *token = NULL;
  struct stat st;

  g_assert_cmpstr (allset_secrets_get_token_file (secrets), ==, path);
  g_assert_true (allset_secrets_check (secrets, NULL, &error));
  g_assert_no_error (error);

  /* Nothing yet: no token, no error. */
  token = allset_secrets_lookup (secrets, SERVER, "alice", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (token);

  g_assert_true (allset_secrets_store (secrets, SERVER, "alice", TOKEN, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, TOKEN "\n");

  token = allset_secrets_lookup (secrets, SERVER, "alice", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, TOKEN);
  g_clear_pointer (&token, g_free);

  /* Readable by others: refused, with the fix in the message. */
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  token = allset_secrets_lookup (secrets, SERVER, "alice", NULL, &error);
  g_assert_null (token);
  g_assert_error (error, ALLSET_SECRETS_ERROR, ALLSET_SECRETS_ERROR_INSECURE_FILE);
  g_assert_nonnull (strstr (error->message, "chmod 600"));
  g_clear_error (&error);

  g_assert_cmpint (g_chmod (path, 0640), ==, 0);
  g_assert_null (allset_secrets_lookup (secrets, SERVER, "alice", NULL, &error));
  g_assert_error (error, ALLSET_SECRETS_ERROR, ALLSET_SECRETS_ERROR_INSECURE_FILE);
  g_clear_error (&error);

  /* Storing again replaces the loose file with a 0600 one. */
  g_assert_true (allset_secrets_store (secrets, SERVER, "alice", "other", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  token = allset_secrets_lookup (secrets, SERVER, "alice", NULL, &error);
  g_assert_cmpstr (token, ==, "other");
  g_clear_pointer (&token, g_free);

  g_assert_true (allset_secrets_clear (secrets, SERVER, "alice", NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (allset_secrets_clear (secrets, SERVER, "alice", NULL, &error));
  g_assert_no_error (error);
}

static void
test_token_file_not_regular (void)
{
  g_autofree char *path = g_build_filename (g_get_home_dir (), "dir", NULL);
  g_autoptr(AllsetSecrets) secrets = allset_secrets_new (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  g_assert_null (allset_secrets_lookup (secrets, SERVER, "alice", NULL, &error));
  g_assert_nonnull (error);
}

static void
test_no_secret_service (void)
{
  g_autoptr(AllsetSecrets) secrets = allset_secrets_new (NULL);
  g_autoptr(GError) error = NULL;

  g_assert_null (allset_secrets_get_token_file (secrets));

  /* main() pointed the session bus to nowhere. */
  g_assert_false (allset_secrets_check (secrets, NULL, &error));
  g_assert_error (error, ALLSET_SECRETS_ERROR, ALLSET_SECRETS_ERROR_UNAVAILABLE);
  g_clear_error (&error);

  g_assert_false (allset_secrets_store (secrets, SERVER, "alice", TOKEN, NULL, &error));
  g_assert_error (error, ALLSET_SECRETS_ERROR, ALLSET_SECRETS_ERROR_UNAVAILABLE);
  g_clear_error (&error);

  g_assert_null (allset_secrets_lookup (secrets, SERVER, "alice", NULL, &error));
  g_assert_error (error, ALLSET_SECRETS_ERROR, ALLSET_SECRETS_ERROR_UNAVAILABLE);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *home = g_dir_make_tmp ("allset-secrets-test-XXXXXX", NULL);
  g_autofree char *token = NULL;
  g_autofree char *dir = NULL;
  int status;

  g_assert_nonnull (home);
  g_setenv ("HOME", home, TRUE);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/allset-test-bus", TRUE);
  g_unsetenv ("DISPLAY");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/secrets/token-file", test_token_file);
  g_test_add_func ("/secrets/token-file-not-regular", test_token_file_not_regular);
  g_test_add_func ("/secrets/no-secret-service", test_no_secret_service);

  status = g_test_run ();
  allset_secrets_disconnect ();

  token = g_build_filename (home, "private", "token", NULL);
  g_unlink (token);
  g_clear_pointer (&token, g_free);
  token = g_build_filename (home, "private", NULL);
  g_rmdir (token);
  dir = g_build_filename (home, "dir", NULL);
  g_rmdir (dir);
  g_rmdir (home);
  return status;
}
