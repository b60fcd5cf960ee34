/* test-cli-server.c — a real allset-server for the AllsetClient tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <glib/gstdio.h>

#include "test-cli-server.h"

static gpointer
drain_output (gpointer data)
{
  g_autoptr(GDataInputStream) input = data;
  char *line;

  while ((line = g_data_input_stream_read_line (input, NULL, NULL, NULL)) != NULL)
    {
      g_test_message ("server: %s", line);
      g_free (line);
    }

  return NULL;
}

/* A failed assertion aborts the test: the server must not outlive it. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static TestCliServer *
server_spawn (const char *tls_arg1,
              const char *tls_arg2,
              const char *extra_arg)
{
  TestCliServer *server = g_new0 (TestCliServer, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) input = NULL;
  g_autofree char *data = NULL;
  const char *bin = g_getenv ("ALLSET_SERVER");
  char *line;

  g_assert_nonnull (bin);
  server->dir = g_dir_make_tmp ("allset-client-test-XXXXXX", &error);
  g_assert_no_error (error);
  data = g_build_filename (server->dir, "data", NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server->process = g_subprocess_launcher_spawn (launcher, &error, bin, "serve", "--data-dir", data,
                                                 "--listen", "127.0.0.1:0", tls_arg1,
                                                 tls_arg2 != NULL ? tls_arg2 : extra_arg,
                                                 tls_arg2 != NULL ? extra_arg : NULL, NULL);
  g_assert_no_error (error);

  input = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  while ((server->url == NULL || server->fingerprint == NULL) &&
         (line = g_data_input_stream_read_line (input, NULL, NULL, &error)) != NULL)
    {
      const char *found;

      if ((found = strstr (line, "listening on ")) != NULL)
        server->url = g_strdup (found + strlen ("listening on "));
      else if ((found = strstr (line, "fingerprint: ")) != NULL)
        server->fingerprint = g_strdup (found + strlen ("fingerprint: "));
      g_free (line);
    }
  g_assert_no_error (error);
  g_assert_nonnull (server->url);
  g_assert_nonnull (server->fingerprint);

  /* Keep reading, or a chatty server would block on a full pipe. */
  server->drain = g_thread_new ("drain", drain_output, g_steal_pointer (&input));
  return server;
}

static void
skip_all (void)
{
  g_test_skip ("ALLSET_SERVER is not set");
}

gboolean
test_cli_init (int          *argc,
               char       ***argv,
               const char   *prefix)
{
  g_autofree char *path = g_strconcat (prefix, "/skipped", NULL);

  g_test_init (argc, argv, NULL);
  if (g_getenv ("ALLSET_SERVER") != NULL)
    return TRUE;
  g_test_add_func (path, skip_all);
  return FALSE;
}

void
test_cli_add_account (TestCliServer *server,
                      const char    *user,
                      const char    *quota)
{
  g_autofree char *email = g_strdup_printf ("%s@example.com", user);
  g_autofree char *name = g_strdup (user);

  name[0] = g_ascii_toupper (name[0]);
  test_cli_admin (server, TEST_CLI_PASSWORD "\n", "account-add", user, "--name", name,
                  "--email", email, "--quota", quota != NULL ? quota : "1G", NULL);
}

TestCliServer *
test_cli_server_start (const char *extra_arg)
{
  return server_spawn ("--dev-cert", NULL, extra_arg);
}

TestCliServer *
test_cli_server_start_tls (const char *cert,
                           const char *key)
{
  g_autofree char *cert_arg = g_strconcat ("--tls-cert=", cert, NULL);
  g_autofree char *key_arg = g_strconcat ("--tls-key=", key, NULL);

  return server_spawn (cert_arg, key_arg, NULL);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
test_cli_server_stop (TestCliServer *server)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait (server->process, NULL, &error);
  g_assert_no_error (error);
  /* How the server exits is tested with the server (and under ASan,
   * libsoup 3.2's SoupServer leaks sockets at teardown): only note it. */
  if (!g_subprocess_get_successful (server->process))
    g_test_message ("allset-server exited with wait status %d",
                    g_subprocess_get_status (server->process));
  g_thread_join (server->drain);
  g_object_unref (server->process);
  remove_tree (server->dir);
  g_free (server->dir);
  g_free (server->url);
  g_free (server->fingerprint);
  g_free (server);
}

void
test_cli_admin (TestCliServer *server,
                const char    *input,
                ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, g_strdup (g_getenv ("ALLSET_SERVER")));
  g_ptr_array_add (argv, g_strdup ("admin"));
  g_ptr_array_add (argv, g_strdup ("--data-dir"));
  g_ptr_array_add (argv, g_build_filename (server->dir, "data", NULL));
  va_start (args, input);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_MERGE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (process))
    g_error ("admin %s failed: %s", (char *) argv->pdata[4], out);
}

AllsetClient *
test_cli_new_client (TestCliServer *server,
                     const char    *token)
{
  g_autoptr(GError) error = NULL;
  AllsetClient *client = allset_client_new (server->url, server->fingerprint, token, &error);

  g_assert_no_error (error);
  return client;
}

AllsetClient *
test_cli_signed_in (TestCliServer *server,
                    const char    *username)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetLoginInfo) info = NULL;
  AllsetClient *client = test_cli_new_client (server, NULL);

  info = allset_client_login (client, username, TEST_CLI_PASSWORD, "test", NULL, &error);
  g_assert_no_error (error);
  return client;
}

GBytes *
test_cli_random_bytes (gsize len)
{
  guint8 *data = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    data[i] = g_test_rand_int_range (0, 256);
  return g_bytes_new_take (data, len);
}

char *
test_cli_chunk_id (GBytes *bytes)
{
  AllsetHash hash;

  allset_sha256 (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &hash);
  return allset_hash_to_hex (&hash);
}
