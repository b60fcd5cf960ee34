/* allset-test-server.c — a real allset-server for the integration tests:
 * life cycle, admin commands, sign-in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "allset-test-server-private.h"

#define STOP_TIMEOUT_SECONDS    20
#define LISTEN_MARK             "listening on https://127.0.0.1:"

/* ------------------------------------------------------------------ */
/* Misc                                                               */

static GLogFunc gtest_log_handler;

static void
quiet_log_handler (const char     *domain,
                   GLogLevelFlags  level,
                   const char     *message,
                   gpointer        user_data)
{
  if ((level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)) && g_getenv ("G_MESSAGES_DEBUG") == NULL)
    return;
  gtest_log_handler (domain, level, message, user_data);
}

void
allset_test_init (int    *argc,
                  char ***argv)
{
  g_test_init (argc, argv, NULL);
  /* GTest's handler prints every debug message, and GIO's socket client is
   * chatty: keep them for G_MESSAGES_DEBUG. */
  gtest_log_handler = g_log_set_default_handler (quiet_log_handler, NULL);
}

static gboolean
flag_on_timeout (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

void
allset_test_iterate_for (guint ms)
{
  gboolean elapsed = FALSE;

  g_timeout_add (ms, flag_on_timeout, &elapsed);
  while (!elapsed)
    g_main_context_iteration (NULL, TRUE);
}

char *
allset_test_format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_time);

  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

/* The server and admin processes die with the test, even when an assertion
 * aborts it before it could stop them. */
static void
child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static int
remove_one (const char        *path,
            const struct stat *st,
            int                flag,
            struct FTW        *ftw)
{
  remove (path);
  return 0;
}

static void
remove_tree (const char *path)
{
  nftw (path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

gboolean
allset_test_can_use_tmpfs (char **reason)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("allset-itest-tmpfs-XXXXXX", NULL);
  g_autofree char *output = NULL;
  gboolean ok;

  if (dir == NULL)
    {
      *reason = g_strdup ("cannot make a temporary directory");
      return FALSE;
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  process = g_subprocess_launcher_spawn (launcher, &error, "unshare", "--user", "--map-root-user",
                                         "--mount", "sh", "-c",
                                         "mount -t tmpfs -o size=1m tmpfs \"$0\" && touch \"$0/x\"",
                                         dir, NULL);
  ok = process != NULL &&
       g_subprocess_communicate_utf8 (process, NULL, NULL, &output, NULL, &error) &&
       g_subprocess_get_if_exited (process) && g_subprocess_get_exit_status (process) == 0;
  if (!ok)
    *reason = g_strdup_printf ("unshare --user --map-root-user --mount cannot mount a tmpfs here: %s",
                               error != NULL ? error->message : g_strstrip (output));
  remove_tree (dir);
  return ok;
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                         */

char *
allset_test_server_get_log (AllsetTestServer *self)
{
  char *text = NULL;

  if (self->log_path == NULL || !g_file_get_contents (self->log_path, &text, NULL, NULL))
    return g_strdup ("(no log)");
  return text;
}

char *
allset_test_server_data_path (AllsetTestServer *self,
                              const char       *relative)
{
  if (self->tmpfs_bytes > 0)
    {
      g_autofree char *root = g_strdup_printf ("/proc/%d/root", (int) self->pid);

      g_assert_true (self->process != NULL);
      return g_build_filename (root, self->data_dir, relative, NULL);
    }

  return g_build_filename (self->data_dir, relative, NULL);
}

static void
fail_with_log (AllsetTestServer *self,
               const char       *what)
{
  g_autofree char *log = allset_test_server_get_log (self);
  g_auto(GStrv) lines = g_strsplit (log, "\n", -1);
  g_autoptr(GString) message = g_string_new (NULL);

  /* Each line of the log as a TAP comment. */
  g_string_printf (message, "%s; server output (%s):", what, self->log_path);
  for (guint i = 0; lines[i] != NULL; i++)
    g_string_append_printf (message, "\n# %s", lines[i]);
  g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, message->str);
}

static gboolean
process_exited (GSubprocess *process)
{
  /* GSubprocess reaps its child on GLib's worker thread; the identifier
   * goes away then, without this thread iterating anything. */
  return g_subprocess_get_identifier (process) == NULL;
}

static gboolean
wait_exit (GSubprocess *process,
           guint        timeout_seconds)
{
  gint64 deadline = g_get_monotonic_time () + timeout_seconds * G_USEC_PER_SEC;

  while (!process_exited (process))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (5000);
    }

  return g_subprocess_wait (process, NULL, NULL);
}

static guint16
find_port (const char *log)
{
  const char *mark = log != NULL ? strstr (log, LISTEN_MARK) : NULL;
  guint64 port;
  g_autofree char *text = NULL;

  if (mark == NULL || strchr (mark, '\n') == NULL)
    return 0;

  mark += strlen (LISTEN_MARK);
  text = g_strndup (mark, strspn (mark, "0123456789"));
  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT16, &port, NULL))
    return 0;
  return (guint16) port;
}

void
allset_test_server_start (AllsetTestServer *self)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *cert_path = NULL;
  g_autofree char *size_option = NULL;
  /* ASan builds start slower; give them room, not the normal run. */
  guint timeout = allset_test_is_sanitized () ? 30 : 10;
  gint64 deadline;

  g_assert_null (self->process);
  /* A tmpfs lives as long as its namespace, i.e. the server process. */
  g_assert_true (self->tmpfs_bytes == 0 || self->n_starts == 0);

  self->n_starts++;
  g_free (self->log_path);
  self->log_path = g_strdup_printf ("%s/server-%u.log", self->tmp_dir, self->n_starts);

  if (self->tmpfs_bytes > 0)
    {
      size_option = g_strdup_printf ("mount -t tmpfs -o size=%" G_GUINT64_FORMAT " tmpfs \"$0\" && exec \"$@\"",
                                     self->tmpfs_bytes);
      g_ptr_array_add (argv, g_strdup ("unshare"));
      g_ptr_array_add (argv, g_strdup ("--user"));
      g_ptr_array_add (argv, g_strdup ("--map-root-user"));
      g_ptr_array_add (argv, g_strdup ("--mount"));
      g_ptr_array_add (argv, g_strdup ("sh"));
      g_ptr_array_add (argv, g_strdup ("-c"));
      g_ptr_array_add (argv, g_strdup (size_option));
      g_ptr_array_add (argv, g_strdup (self->data_dir));
    }
  g_ptr_array_add (argv, g_strdup (self->server_bin));
  g_ptr_array_add (argv, g_strdup ("serve"));
  g_ptr_array_add (argv, g_strdup ("--data-dir"));
  g_ptr_array_add (argv, g_strdup (self->data_dir));
  g_ptr_array_add (argv, g_strdup ("--dev-cert"));
  g_ptr_array_add (argv, g_strdup ("--listen"));
  g_ptr_array_add (argv, g_strdup ("127.0.0.1:0"));
  for (guint i = 0; self->extra_args != NULL && self->extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (self->extra_args[i]));
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_stdout_file_path (launcher, self->log_path);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  allset_test_sanitize_launcher (launcher, self->tmp_dir);
  self->process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  self->pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (self->process), NULL, 10);
  g_test_message ("allset-server pid %d, data %s, log %s", (int) self->pid, self->data_dir, self->log_path);

  deadline = g_get_monotonic_time () + timeout * G_USEC_PER_SEC;
  for (;;)
    {
      g_autofree char *log = allset_test_server_get_log (self);

      if ((self->port = find_port (log)) != 0)
        break;
      if (process_exited (self->process))
        {
          fail_with_log (self, "allset-server exited before listening");
          return;
        }
      if (g_get_monotonic_time () > deadline)
        {
          fail_with_log (self, "allset-server did not print its address in time");
          return;
        }
      g_usleep (10000);
    }

  g_free (self->url);
  self->url = g_strdup_printf ("https://127.0.0.1:%u", self->port);

  cert_path = allset_test_server_data_path (self, "tls/cert.pem");
  g_clear_object (&self->tls_database);
  self->tls_database = g_tls_file_database_new (cert_path, &error);
  g_assert_no_error (error);

  g_clear_object (&self->session);
  self->session = allset_test_server_new_session (self);
}

static AllsetTestServer *
server_new (GStrv   extra_args,
            guint64 tmpfs_bytes)
{
  AllsetTestServer *self = g_new0 (AllsetTestServer, 1);
  g_autoptr(GError) error = NULL;
  const char *bin = g_getenv ("ALLSET_SERVER");

  if (bin == NULL || *bin == '\0')
    g_error ("ALLSET_SERVER is not set: run the integration tests with meson test");

  self->server_bin = g_strdup (bin);
  self->extra_args = extra_args;
  self->tmpfs_bytes = tmpfs_bytes;
  self->tmp_dir = g_dir_make_tmp ("allset-itest-XXXXXX", &error);
  g_assert_no_error (error);
  self->data_dir = g_build_filename (self->tmp_dir, "data", NULL);
  if (tmpfs_bytes > 0)
    g_assert_cmpint (g_mkdir (self->data_dir, 0700), ==, 0);

  allset_test_server_start (self);
  return self;
}

AllsetTestServer *
allset_test_server_new_full (const char *const *extra_args,
                             guint64             tmpfs_bytes)
{
  return server_new (g_strdupv ((char **) extra_args), tmpfs_bytes);
}

AllsetTestServer *
allset_test_server_new (const char *first_arg,
                        ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  va_list ap;

  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_strv_builder_add (builder, arg);
  va_end (ap);

  return server_new (g_strv_builder_end (builder), 0);
}

gboolean
allset_test_server_is_running (AllsetTestServer *self)
{
  return self->process != NULL && !process_exited (self->process);
}

void
allset_test_server_stop (AllsetTestServer *self)
{
  g_autofree char *what = NULL;

  g_assert_nonnull (self->process);
  g_clear_object (&self->session);

  g_subprocess_send_signal (self->process, SIGTERM);
  if (!wait_exit (self->process, STOP_TIMEOUT_SECONDS))
    {
      g_subprocess_force_exit (self->process);
      wait_exit (self->process, STOP_TIMEOUT_SECONDS);
      g_clear_object (&self->process);
      fail_with_log (self, "allset-server did not stop on SIGTERM");
      return;
    }

  /* Under ASan a leak or an error report makes the exit status non-zero. */
  if (!g_subprocess_get_if_exited (self->process) || g_subprocess_get_exit_status (self->process) != 0)
    what = g_strdup_printf ("allset-server did not exit cleanly on SIGTERM (%s %d)",
                            g_subprocess_get_if_exited (self->process) ? "exit status" : "signal",
                            g_subprocess_get_if_exited (self->process)
                            ? g_subprocess_get_exit_status (self->process)
                            : g_subprocess_get_term_sig (self->process));
  g_clear_object (&self->process);
  self->pid = 0;
  if (what != NULL)
    fail_with_log (self, what);
}

void
allset_test_server_kill (AllsetTestServer *self)
{
  g_assert_nonnull (self->process);

  g_subprocess_force_exit (self->process);
  g_assert_true (wait_exit (self->process, STOP_TIMEOUT_SECONDS));
  g_clear_object (&self->process);
  self->pid = 0;
  g_clear_object (&self->session);
}

void
allset_test_server_free (AllsetTestServer *self)
{
  if (self == NULL)
    return;

  if (self->process != NULL)
    allset_test_server_stop (self);

  g_clear_object (&self->session);
  g_clear_object (&self->tls_database);
  remove_tree (self->tmp_dir);
  g_free (self->server_bin);
  g_free (self->tmp_dir);
  g_free (self->data_dir);
  g_strfreev (self->extra_args);
  g_free (self->log_path);
  g_free (self->url);
  g_free (self);
}

const char *
allset_test_server_get_url (AllsetTestServer *self)
{
  return self->url;
}

guint16
allset_test_server_get_port (AllsetTestServer *self)
{
  return self->port;
}

GPid
allset_test_server_get_pid (AllsetTestServer *self)
{
  return self->pid;
}

gint64
allset_test_server_get_memory_kib (AllsetTestServer *self,
                                   const char       *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) self->pid);
  g_autofree char *text = NULL;
  g_autofree char *mark = g_strdup_printf ("\n%s:", field);
  const char *line;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  line = strstr (text, mark + 1) == text ? text : strstr (text, mark);
  g_assert_nonnull (line);
  line = strchr (line, ':') + 1;
  return g_ascii_strtoll (line, NULL, 10);
}

/* ------------------------------------------------------------------ */
/* Admin                                                              */

int
allset_test_server_admin (AllsetTestServer  *self,
                          const char        *input,
                          char             **output,
                          const char        *first_arg,
                          ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  va_list ap;

  if (self->tmpfs_bytes > 0)
    {
      /* The data directory exists only in the server's mount namespace. */
      g_assert_nonnull (self->process);
      g_ptr_array_add (argv, g_strdup ("nsenter"));
      g_ptr_array_add (argv, g_strdup_printf ("--target=%d", (int) self->pid));
      g_ptr_array_add (argv, g_strdup ("--user"));
      g_ptr_array_add (argv, g_strdup ("--mount"));
      g_ptr_array_add (argv, g_strdup ("--preserve-credentials"));
      g_ptr_array_add (argv, g_strdup ("--"));
    }
  g_ptr_array_add (argv, g_strdup (self->server_bin));
  g_ptr_array_add (argv, g_strdup ("admin"));
  g_ptr_array_add (argv, g_strdup ("--data-dir"));
  g_ptr_array_add (argv, g_strdup (self->data_dir));

  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  allset_test_sanitize_launcher (launcher, self->tmp_dir);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input != NULL ? input : "", NULL, &out, NULL, &error);
  g_assert_no_error (error);

  if (output != NULL)
    *output = g_steal_pointer (&out);

  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
}

void
allset_test_server_add_account (AllsetTestServer *self,
                                const char       *username,
                                const char       *password,
                                const char       *quota)
{
  g_autofree char *output = NULL;
  g_autofree char *name = g_strdup_printf ("Test user %s", username);
  g_autofree char *email = g_strdup_printf ("%s@example.com", username);
  g_autofree char *input = g_strdup_printf ("%s\n", password);
  int status;

  if (quota != NULL)
    status = allset_test_server_admin (self, input, &output, "account-add", username,
                                       "--name", name, "--email", email, "--quota", quota, NULL);
  else
    status = allset_test_server_admin (self, input, &output, "account-add", username,
                                       "--name", name, "--email", email, NULL);
  if (status != 0)
    g_error ("account-add %s failed (%d): %s", username, status, output);
}

static char *
login_body (const char *username,
            const char *password,
            const char *device_name)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "username");
  json_builder_add_string_value (b, username);
  json_builder_set_member_name (b, "password");
  json_builder_add_string_value (b, password);
  json_builder_set_member_name (b, "device_name");
  json_builder_add_string_value (b, device_name);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

AllsetTestResponse *
allset_test_login_raw (AllsetTestServer *self,
                       const char       *username,
                       const char       *password,
                       const char       *device_name)
{
  g_autofree char *body = login_body (username, password, device_name);

  return allset_test_post_json (self, "/api/v1/login", NULL, body);
}

char *
allset_test_password_of (const char *username)
{
  return g_strdup_printf ("password of %s", username);
}

void
allset_test_server_add_accounts (AllsetTestServer  *self,
                                 const char *const *usernames)
{
  for (guint i = 0; usernames[i] != NULL; i++)
    {
      g_autofree char *password = allset_test_password_of (usernames[i]);

      allset_test_server_add_account (self, usernames[i], password, NULL);
    }
}

char *
allset_test_server_login_as (AllsetTestServer  *self,
                             const char        *username,
                             const char        *device_name,
                             char             **device_id)
{
  g_autofree char *password = allset_test_password_of (username);

  return allset_test_server_login (self, username, password, device_name, device_id);
}

guint
allset_test_count_files (const char *dir_path)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

char *
allset_test_server_login (AllsetTestServer  *self,
                          const char        *username,
                          const char        *password,
                          const char        *device_name,
                          char             **device_id)
{
  g_autoptr(AllsetTestResponse) r = allset_test_login_raw (self, username, password, device_name);

  allset_test_assert_status (r, 200);
  if (device_id != NULL)
    *device_id = g_strdup (allset_test_response_get_string (r, "device_id"));
  return g_strdup (allset_test_response_get_string (r, "token"));
}

char *
allset_test_server_receipt_key (AllsetTestServer *self)
{
  g_autoptr(AllsetTestResponse) r = allset_test_get (self, "/api/v1/status", NULL);

  allset_test_assert_status (r, 200);
  return g_strdup (allset_test_response_get_string (r, "receipt_key.public_key"));
}
