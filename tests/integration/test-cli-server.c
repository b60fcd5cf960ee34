/* test-cli-server.c — a real allset-server for the AllsetClient tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Also where the sanitizer run looks at those servers: their environment
 * under ASan and the verdict on how they stopped (see test-cli-server.h).
 */

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <glib/gstdio.h>

#include "test-cli-server.h"
#include "test-sanitizers.h"

/* LeakSanitizer's report at exit is written with the slow unwinder and
 * symbolized: seconds under load, not a minute. */
#define STOP_TIMEOUT_SECONDS 60
/* Enough for a few leak stacks; more only repeats them. */
#define REPORT_MAX_BYTES     (64 * 1024)

typedef struct
{
  GDataInputStream *input;
  GString          *report;
} Drain;

/* The first line of an ASan, LSan or UBSan report. */
static gboolean
starts_report (const char *line)
{
  return (strstr (line, "==ERROR: ") != NULL && strstr (line, "Sanitizer") != NULL) ||
         strstr (line, "Sanitizer:DEADLYSIGNAL") != NULL ||
         strstr (line, ": runtime error: ") != NULL;
}

/* Keeps the report, from its first line on, for the verdict at stop time;
 * everything goes to the test log too. The stopping thread reads
 * drain->report only after joining this one. */
static gpointer
drain_output (gpointer data)
{
  Drain *drain = data;
  char *line;

  while ((line = g_data_input_stream_read_line (drain->input, NULL, NULL, NULL)) != NULL)
    {
      g_test_message ("server: %s", line);
      if ((drain->report->len > 0 || starts_report (line)) && drain->report->len < REPORT_MAX_BYTES)
        g_string_append_printf (drain->report, "%s\n", line);
      g_free (line);
    }

  g_object_unref (drain->input);
  g_free (drain);
  return NULL;
}

/* A failed assertion aborts the test: the server must not outlive it. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* Starts the server on server->dir's data directory, listening on listen,
 * and reads its URL and fingerprint (which a restart must find the same). */
static void
server_launch (TestCliServer *server,
               const char    *listen)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) input = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *url = NULL;
  g_autofree char *fingerprint = NULL;
  const char *bin = g_getenv ("ALLSET_SERVER");
  Drain *drain;
  char *line;

  g_assert_nonnull (bin);
  g_ptr_array_add (argv, g_strdup (bin));
  g_ptr_array_add (argv, g_strdup ("serve"));
  g_ptr_array_add (argv, g_strdup ("--data-dir"));
  g_ptr_array_add (argv, g_build_filename (server->dir, "data", NULL));
  g_ptr_array_add (argv, g_strdup ("--listen"));
  g_ptr_array_add (argv, g_strdup (listen));
  for (guint i = 0; server->options[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (server->options[i]));
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  allset_test_sanitize_launcher (launcher, server->dir);
  server->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  input = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  while ((url == NULL || fingerprint == NULL) &&
         (line = g_data_input_stream_read_line (input, NULL, NULL, &error)) != NULL)
    {
      const char *found;

      if ((found = strstr (line, "listening on ")) != NULL)
        url = g_strdup (found + strlen ("listening on "));
      else if ((found = strstr (line, "fingerprint: ")) != NULL)
        fingerprint = g_strdup (found + strlen ("fingerprint: "));
      g_free (line);
    }
  g_assert_no_error (error);
  g_assert_nonnull (url);
  g_assert_nonnull (fingerprint);
  if (server->url == NULL)
    {
      server->url = g_steal_pointer (&url);
      server->fingerprint = g_steal_pointer (&fingerprint);
    }
  else
    {
      g_assert_cmpstr (url, ==, server->url);
      g_assert_cmpstr (fingerprint, ==, server->fingerprint);
    }

  /* Keep reading, or a chatty server would block on a full pipe. */
  server->report = g_string_new (NULL);
  drain = g_new0 (Drain, 1);
  drain->input = g_steal_pointer (&input);
  drain->report = server->report;
  server->drain = g_thread_new ("drain", drain_output, drain);
}

static TestCliServer *
server_spawn (const char *tls_arg1,
              const char *tls_arg2,
              const char *extra_arg)
{
  TestCliServer *server = g_new0 (TestCliServer, 1);
  g_autoptr(GStrvBuilder) options = g_strv_builder_new ();
  g_autoptr(GError) error = NULL;

  server->dir = g_dir_make_tmp ("allset-client-test-XXXXXX", &error);
  g_assert_no_error (error);
  g_strv_builder_add (options, tls_arg1);
  if (tls_arg2 != NULL)
    g_strv_builder_add (options, tls_arg2);
  if (extra_arg != NULL)
    g_strv_builder_add (options, extra_arg);
  server->options = g_strv_builder_end (options);
  server_launch (server, "127.0.0.1:0");
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

static gboolean
wait_exit (GSubprocess *process,
           guint        timeout_seconds)
{
  gint64 deadline = g_get_monotonic_time () + timeout_seconds * G_USEC_PER_SEC;

  /* GSubprocess reaps its child on GLib's worker thread: the identifier
   * goes away then, without this thread iterating anything. */
  while (g_subprocess_get_identifier (process) != NULL)
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (5000);
    }
  return g_subprocess_wait (process, NULL, NULL);
}

/* SIGTERM, and why the server's exit fails the test (NULL: it does not);
 * its sanitizer report in *report. */
static char *
server_reap (TestCliServer  *server,
             GString       **report)
{
  char *what = NULL;

  g_subprocess_send_signal (server->process, SIGTERM);
  if (!wait_exit (server->process, STOP_TIMEOUT_SECONDS))
    {
      g_subprocess_force_exit (server->process);
      wait_exit (server->process, STOP_TIMEOUT_SECONDS);
      what = g_strdup_printf ("allset-server did not stop within %d s of SIGTERM",
                              STOP_TIMEOUT_SECONDS);
    }
  /* Killed by our SIGTERM is fine too: it may land before the server's
   * handler is installed. Under ASan a leak or an error report makes the
   * exit status non-zero. */
  else if (g_subprocess_get_if_exited (server->process)
           ? g_subprocess_get_exit_status (server->process) != 0
           : g_subprocess_get_term_sig (server->process) != SIGTERM)
    what = g_strdup_printf ("allset-server did not exit cleanly on SIGTERM (%s %d)",
                            g_subprocess_get_if_exited (server->process) ? "exit status" : "signal",
                            g_subprocess_get_if_exited (server->process)
                            ? g_subprocess_get_exit_status (server->process)
                            : g_subprocess_get_term_sig (server->process));
  g_thread_join (server->drain);
  server->drain = NULL;
  /* A report that did not change the exit status (UBSan without
   * halt_on_error, say) still fails. */
  *report = g_steal_pointer (&server->report);
  if (what == NULL && (*report)->len > 0)
    what = g_strdup ("allset-server printed a sanitizer report");
  g_clear_object (&server->process);
  return what;
}

static void
fail_verdict (const char *what,
              GString    *report)
{
  /* The report on stderr, where meson shows it whole; the assertion
   * message stays one line, which TAP wants. */
  g_autofree char *message = g_strconcat (what, report->len > 0
                                          ? "; its sanitizer report is on stderr" : "", NULL);

  g_printerr ("%s", report->str);
  g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, message);
}

void
test_cli_server_halt (TestCliServer *server)
{
  g_autofree char *what = NULL;
  g_autoptr(GString) report = NULL;

  g_assert_nonnull (server->process);
  what = server_reap (server, &report);
  if (what != NULL)
    fail_verdict (what, report);
}

void
test_cli_server_restart (TestCliServer *server)
{
  g_autoptr(GUri) uri = g_uri_parse (server->url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *listen = NULL;

  g_assert_null (server->process);
  g_assert_nonnull (uri);
  listen = g_strdup_printf ("127.0.0.1:%d", g_uri_get_port (uri));
  server_launch (server, listen);
}

void
test_cli_server_stop (TestCliServer *server)
{
  g_autofree char *what = NULL;
  g_autoptr(GString) report = NULL;

  if (server->process != NULL)
    what = server_reap (server, &report);

  remove_tree (server->dir);
  g_free (server->dir);
  g_free (server->url);
  g_free (server->fingerprint);
  g_strfreev (server->options);
  g_free (server);

  if (what != NULL)
    fail_verdict (what, report);
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
