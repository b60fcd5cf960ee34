/* allset-bench-process.c — the server under test, and where CPU time goes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "allset-bench.h"

/* ------------------------------------------------------------------ */
/* The server process                                                 */

static gboolean
parse_fingerprint (const char *text,
                   guint8     *out)
{
  for (guint i = 0; i < 32; i++)
    {
      int hi = g_ascii_xdigit_value (text[0]);
      int lo = hi < 0 ? -1 : g_ascii_xdigit_value (text[1]);

      if (lo < 0)
        return FALSE;
      out[i] = (guint8) (hi << 4 | lo);
      text += 2;
      if (i < 31 && *text++ != ':')
        return FALSE;
    }
  return TRUE;
}

static gboolean
add_account (const char  *server_path,
             const char  *data_dir,
             GError     **error)
{
  g_autoptr(GSubprocess) admin = NULL;
  g_autofree char *err_text = NULL;

  admin = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                            G_SUBPROCESS_FLAGS_STDERR_PIPE, error,
                            server_path, "admin", "--data-dir", data_dir, "account-add",
                            BENCH_USERNAME, "--name", "Bench", "--email", "bench@example.com",
                            "--quota", "0", NULL);
  if (admin == NULL ||
      !g_subprocess_communicate_utf8 (admin, BENCH_PASSWORD "\n", NULL, NULL, &err_text, error))
    return FALSE;

  if (!g_subprocess_get_successful (admin))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "admin account-add failed: %s",
                   err_text ? err_text : "");
      return FALSE;
    }
  return TRUE;
}

BenchServer *
bench_server_start (const char  *server_path,
                    const char  *parent_dir,
                    GError     **error)
{
  g_autoptr(BenchServer) self = g_new0 (BenchServer, 1);
  g_autofree char *template = g_build_filename (parent_dir, "server-XXXXXX", NULL);
  g_autoptr(GDataInputStream) out = NULL;
  gboolean have_port = FALSE, have_fingerprint = FALSE;

  if (g_mkdtemp (template) == NULL)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "Cannot create %s", template);
      return NULL;
    }
  self->data_dir = g_steal_pointer (&template);

  if (!add_account (server_path, self->data_dir, error))
    return NULL;

  self->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, error,
                                    server_path, "serve", "--data-dir", self->data_dir,
                                    "--dev-cert", "--listen", "127.0.0.1:0",
                                    "--bandwidth-up", "0", "--bandwidth-down", "0", NULL);
  if (self->process == NULL)
    return NULL;

  /* "allset-server 0.1.0 listening on https://127.0.0.1:PORT/" then
   * "TLS certificate SHA-256 fingerprint: AA:BB:…". */
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->process));
  while (!have_port || !have_fingerprint)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, error);
      const char *found;

      if (line == NULL)
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "The server exited before listening");
          return NULL;
        }
      if ((found = strstr (line, "listening on https://")) != NULL)
        {
          g_autofree char *url = g_strdup (found + strlen ("listening on "));

          g_strchomp (url);
          if (g_str_has_suffix (url, "/"))
            url[strlen (url) - 1] = '\0';
          self->base_url = g_steal_pointer (&url);
          have_port = TRUE;
        }
      else if ((found = strstr (line, "fingerprint: ")) != NULL)
        {
          if (!parse_fingerprint (found + strlen ("fingerprint: "), self->fingerprint))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Bad fingerprint line: %s", line);
              return NULL;
            }
          have_fingerprint = TRUE;
        }
    }

  if (!bench_login (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

gint64
bench_status_kib (const char *status,
            const char *field)
{
  const char *line = strstr (status, field);

  return line != NULL ? g_ascii_strtoll (line + strlen (field), NULL, 10) : -1;
}

void
bench_read_rss (const char *status_path,
          gint64     *peak_kib,
          gint64     *now_kib)
{
  g_autofree char *status = NULL;

  *peak_kib = *now_kib = -1;
  if (!g_file_get_contents (status_path, &status, NULL, NULL))
    return;
  *peak_kib = bench_status_kib (status, "\nVmHWM:");
  *now_kib = bench_status_kib (status, "\nVmRSS:");
}

void
bench_server_rss (BenchServer *self,
                  gint64      *peak_kib,
                  gint64      *now_kib)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status",
                                           g_subprocess_get_identifier (self->process));

  bench_read_rss (path, peak_kib, now_kib);
}

double
bench_server_cpu (BenchServer *self)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", g_subprocess_get_identifier (self->process));
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_comm;

  if (!g_file_get_contents (path, &stat, NULL, NULL) || (after_comm = strrchr (stat, ')')) == NULL)
    return 0;

  /* Fields after "(comm)": state is field 3, utime 14, stime 15. */
  fields = g_strsplit (after_comm + 2, " ", 0);
  if (g_strv_length (fields) < 13)
    return 0;
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) / sysconf (_SC_CLK_TCK);
}

static gint64
io_field (const char *io,
          const char *field)
{
  const char *line = strstr (io, field);

  return line != NULL ? g_ascii_strtoll (line + strlen (field), NULL, 10) : 0;
}

void
bench_server_io (BenchServer *self,
                 gint64      *wchar,
                 gint64      *disk_bytes)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/io", g_subprocess_get_identifier (self->process));
  g_autofree char *io = NULL;

  *wchar = *disk_bytes = 0;
  if (!g_file_get_contents (path, &io, NULL, NULL))
    return;
  *wchar = io_field (io, "wchar:");
  *disk_bytes = io_field (io, "\nwrite_bytes:");
}

void
bench_server_stop (BenchServer *self)
{
  if (self == NULL)
    return;

  if (self->process != NULL)
    {
      g_subprocess_send_signal (self->process, SIGTERM);
      g_subprocess_wait (self->process, NULL, NULL);
      g_object_unref (self->process);
    }

  if (self->data_dir != NULL)
    {
      const char *argv[] = { "rm", "-rf", "--", self->data_dir, NULL };

      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                    NULL, NULL, NULL, NULL);
    }

  g_free (self->data_dir);
  g_free (self->base_url);
  g_free (self->token);
  g_free (self);
}

/* ------------------------------------------------------------------ */
/* CPU accounting                                                     */

static double
machine_busy_seconds (void)
{
  g_autofree char *stat = NULL;
  guint64 v[8] = { 0 };

  /* cpu  user nice system idle iowait irq softirq steal */
  if (!g_file_get_contents ("/proc/stat", &stat, NULL, NULL) ||
      sscanf (stat, "cpu %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
              " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
              " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
              &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) < 8)
    return 0;
  return (double) (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / sysconf (_SC_CLK_TCK);
}

static double
self_cpu_seconds (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_SELF, &usage) != 0)
    return 0;
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

void
bench_cpu_mark (BenchCpuMark     *mark,
          BenchServer *server)
{
  mark->wall_us = g_get_monotonic_time ();
  mark->machine = machine_busy_seconds ();
  mark->self = self_cpu_seconds ();
  mark->server = bench_server_cpu (server);
  bench_server_io (server, &mark->server_wchar, &mark->server_disk_bytes);
}

void
bench_cpu_account (const BenchCpuMark *start,
             BenchServer   *server,
             BenchRun      *run)
{
  BenchCpuMark end;

  bench_cpu_mark (&end, server);
  run->wall = (end.wall_us - start->wall_us) / (double) G_USEC_PER_SEC;
  run->server_cpu = end.server - start->server;
  run->client_cpu = end.self - start->self;
  run->other_cpu = MAX (0, (end.machine - start->machine) - run->server_cpu - run->client_cpu);
  run->server_wchar = end.server_wchar - start->server_wchar;
  run->server_disk_bytes = end.server_disk_bytes - start->server_disk_bytes;
}
