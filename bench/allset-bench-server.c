/* allset-bench-server.c — throughput and memory of allset-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Starts the real server (bandwidth cap off) with a fresh data directory
 * for every run, uploads the datasets of DESIGN.md §6 over HTTPS and prints
 * the median of each figure against its target:
 *
 *   B  one 1 GiB file: MB/s from the start of chunking to the commit answer
 *   A  10 000 × 4 KiB files in 100 directories: files committed per second
 *   D  A again, unchanged: nothing to send
 *   peak server RSS (VmHWM)
 *
 * Usage: allset-bench-server [--server PATH] [--runs N] [--connections N] …
 * (bench/run.sh builds a release tree and runs it).
 */

#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "allset-bench.h"

#define TARGET_B_MBPS     500.0
#define TARGET_A_FILES    10000.0
#define TARGET_RSS_MB     100.0
#define SEED_B            G_GUINT64_CONSTANT (0x414c4c5345542d42)   /* "ALLSET-B" */
/* The best of --sweep here (bench/RESULTS.md, session 14): 6 and 8 beat
 * 4 by ~3 % over four sweeps, 8 no better than 6. */
#define BENCH_B_CONNECTIONS 6

/* ------------------------------------------------------------------ */
/* Reporting                                                          */

static double
median (const double *values,
        guint         n)
{
  g_autofree double *sorted = g_memdup2 (values, n * sizeof (double));

  if (n == 0)
    return 0;
  for (guint i = 1; i < n; i++)
    for (guint j = i; j > 0 && sorted[j - 1] > sorted[j]; j--)
      {
        double t = sorted[j];

        sorted[j] = sorted[j - 1];
        sorted[j - 1] = t;
      }
  return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

static char *
format_runs (const double *values,
             guint         n,
             int           decimals)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (out, "%s%.*f", i > 0 ? " / " : "", decimals, values[i]);
  return g_string_free (out, FALSE);
}

static void
print_line (const char *figure,
            const char *target,
            const char *measured,
            const char *met,
            const char *runs)
{
  g_print ("| %-46s | %-16s | %-18s | %-4s | %s |\n", figure, target, measured, met, runs);
}

static void
print_row (const char   *figure,
           const char   *target,
           const double *values,
           guint         n,
           int           decimals,
           const char   *unit,
           const char   *met)
{
  g_autofree char *runs = format_runs (values, n, decimals);
  g_autofree char *measured = g_strdup_printf ("%.*f %s", decimals, median (values, n), unit);

  print_line (figure, target, measured, met, runs);
}

static char *
cpu_model (void)
{
  g_autofree char *cpuinfo = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL))
    return g_strdup ("unknown");
  lines = g_strsplit (cpuinfo, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "model name"))
      {
        const char *colon = strchr (lines[i], ':');

        return g_strstrip (g_strdup (colon ? colon + 1 : lines[i]));
      }
  return g_strdup ("unknown");
}

static void
print_machine (const char *server_path)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d %H:%M:%S UTC");
  g_autofree char *cpu = cpu_model ();
  g_autofree char *meminfo = NULL;
  struct utsname uts;

  g_file_get_contents ("/proc/meminfo", &meminfo, NULL, NULL);
  if (uname (&uts) != 0)
    memset (&uts, 0, sizeof uts);

  g_print ("ALLSET server benchmark — %s\n", date);
  g_print ("  machine : %u CPUs (nproc), %s, %" G_GINT64_FORMAT " MiB RAM, Linux %s\n",
           g_get_num_processors (), cpu,
           meminfo ? bench_status_kib (meminfo, "MemTotal:") / 1024 : -1, uts.release);
  g_print ("  stack   : GLib %u.%u.%u, libsoup %u.%u.%u, GnuTLS %s\n",
           glib_major_version, glib_minor_version, glib_micro_version,
           soup_get_major_version (), soup_get_minor_version (), soup_get_micro_version (),
           gnutls_check_version (NULL));
  g_print ("  server  : %s (bandwidth cap off, --dev-cert, fresh data dir per run)\n", server_path);
}

/* ------------------------------------------------------------------ */

typedef struct
{
  char       *server_path;
  char       *tmp_parent;
  char       *big_file;
  guint       runs;
  guint       big_mib;
  gboolean    sweep;
  char       *only;
  BenchConfig config;
} Options;

/* --only takes letters: A (and D), B (= C + P + N), C (client chunking
 * only), P (B pipelined), N (B network only). */
static gboolean
want (const Options *options,
      const char    *part)
{
  if (options->only == NULL)
    return TRUE;
  if (strchr ("CPN", part[0]) != NULL && strchr (options->only, 'B') != NULL)
    return TRUE;
  return strstr (options->only, part) != NULL;
}

static gboolean
run_b (const Options  *options,
       gboolean        pipelined,
       guint           connections,
       BenchRun       *run,
       GError        **error)
{
  g_autoptr(BenchServer) server = bench_server_start (options->server_path, options->tmp_parent, error);
  BenchConfig config = options->config;
  BenchCpuMark mark;

  if (server == NULL)
    return FALSE;
  config.connections = connections;
  bench_cpu_mark (&mark, server);
  if (!bench_dataset_b (server, &config, options->big_file, pipelined, run, error))
    return FALSE;
  bench_cpu_account (&mark, server, run);
  bench_server_rss (server, &run->server_peak_kib, &run->server_now_kib);
  return TRUE;
}

static gboolean
run_a (const Options  *options,
       BenchRun       *run,
       GError        **error)
{
  g_autoptr(BenchServer) server = bench_server_start (options->server_path, options->tmp_parent, error);
  BenchCpuMark mark;

  if (server == NULL)
    return FALSE;
  bench_cpu_mark (&mark, server);
  if (!bench_dataset_a (server, &options->config, run, error))
    return FALSE;
  bench_cpu_account (&mark, server, run);
  if (!bench_dataset_d (server, &options->config, run, error))
    return FALSE;
  bench_server_rss (server, &run->server_peak_kib, &run->server_now_kib);
  return TRUE;
}

static double
mbps (guint64 bytes, double seconds)
{
  return seconds > 0 ? bytes / seconds / 1e6 : 0;
}

static double
kib_to_mb (gint64 kib)
{
  return kib * 1024.0 / 1e6;
}

static int
run_sweep (const Options *options)
{
  static const guint sweep[] = { 1, 2, 3, 4, 6, 8 };

  g_print ("\nConnections sweep (dataset B, one run of each mode per row):\n");
  g_print ("| conns | end to end MB/s | network only MB/s | server CPU s/GiB (net) | server peak RSS MB | other cores |\n");
  g_print ("| ----- | --------------- | ----------------- | ---------------------- | ------------------ | ----------- |\n");
  for (guint i = 0; i < G_N_ELEMENTS (sweep); i++)
    {
      g_autoptr(GError) error = NULL;
      BenchRun pipe = { 0 }, net = { 0 };
      guint c = sweep[i];

      if (!run_b (options, TRUE, c, &pipe, &error) || !run_b (options, FALSE, c, &net, &error))
        {
          g_printerr ("sweep: %s\n", error->message);
          return EXIT_FAILURE;
        }
      g_print ("| %5u | %15.1f | %17.1f | %22.2f | %18.1f | %11.2f |\n", c,
               mbps (pipe.b_bytes, pipe.b_seconds), mbps (net.b_bytes, net.b_seconds),
               net.server_cpu / (net.b_bytes / 1073741824.0),
               kib_to_mb (MAX (pipe.server_peak_kib, net.server_peak_kib)),
               MAX (pipe.other_cpu / pipe.wall, net.other_cpu / net.wall));
    }
  return EXIT_SUCCESS;
}

static char *
format_cpu (const BenchRun *run)
{
  return g_strdup_printf ("CPU s: server %.2f, bench %.2f, other processes %.2f (%.2f cores); "
                          "server wrote %.1f MB (%.1f MB to disk)",
                          run->server_cpu, run->client_cpu, run->other_cpu,
                          run->wall > 0 ? run->other_cpu / run->wall : 0,
                          run->server_wchar / 1e6, run->server_disk_bytes / 1e6);
}

#define FAIL_IF(cond) G_STMT_START { if (cond) { g_printerr ("allset-bench-server: %s\n", error->message); return EXIT_FAILURE; } } G_STMT_END

static int
run_all (Options *options)
{
  const BenchConfig *c = &options->config;
  guint n = options->runs;
  g_autofree double *b_mbps = g_new0 (double, n), *b_net = g_new0 (double, n);
  g_autofree double *b_put = g_new0 (double, n), *b_commit = g_new0 (double, n);
  g_autofree double *chunk_mbps = g_new0 (double, n);
  g_autofree double *a_fps = g_new0 (double, n), *a_commit_fps = g_new0 (double, n);
  g_autofree double *a_sec = g_new0 (double, n), *a_pack = g_new0 (double, n);
  g_autofree double *a_missing = g_new0 (double, n), *d_fps = g_new0 (double, n);
  g_autofree double *rss_b = g_new0 (double, n), *rss_a = g_new0 (double, n);
  g_autofree double *b_cpu_p = g_new0 (double, n), *b_cpu_n = g_new0 (double, n);
  g_autofree double *a_cpu = g_new0 (double, n);
  double rss_peak = 0, client_b = 0, client_end, other = 0;
  gint64 peak, now;
  gboolean want_b = want (options, "C") || want (options, "P") || want (options, "N");
  g_autoptr(GError) error = NULL;

  if (want_b)
    {
      gint64 start = g_get_monotonic_time ();
      guint64 size = (guint64) options->big_mib * 1024 * 1024;
      double gib = size / 1073741824.0;
      g_autofree char *cpu = NULL;

      FAIL_IF (!bench_make_big_file (options->big_file, size, SEED_B, &error));
      g_print ("\nDataset B: %u MiB generated in %.2f s (excluded from every figure); "
               "%u PUT connections\n", options->big_mib, bench_seconds_since (start), c->connections);

      /* Modes alternate run by run, so a slow patch of the machine does
       * not land on one mode only. */
      for (guint r = 0; r < n; r++)
        {
          BenchRun run = { 0 };
          double seconds;
          guint chunks;

          if (want (options, "C"))
            {
              FAIL_IF (!bench_chunk_only (options->big_file, &seconds, &chunks, &error));
              chunk_mbps[r] = mbps (size, seconds);
              g_print ("  run %u  chunk+hash only (client, no network): %.2f s, %u chunks, %.1f MB/s\n",
                       r + 1, seconds, chunks, chunk_mbps[r]);
            }
          if (want (options, "P"))
            {
              FAIL_IF (!run_b (options, TRUE, c->connections, &run, &error));
              b_mbps[r] = mbps (run.b_bytes, run.b_seconds);
              b_put[r] = mbps (run.b_bytes, run.b_upload_seconds);
              b_commit[r] = run.b_commit_seconds * 1000;
              rss_b[r] = kib_to_mb (run.server_peak_kib);
              cpu = format_cpu (&run);
              b_cpu_p[r] = run.server_cpu / gib;
              other = MAX (other, run.other_cpu / run.wall);
              g_print ("  run %u  pipelined: %.2f s end to end (%.1f MB/s), PUT span %.2f s, "
                       "commit %.1f ms, %u chunks, server peak RSS %.1f MB\n"
                       "         %s\n",
                       r + 1, run.b_seconds, b_mbps[r], run.b_upload_seconds,
                       b_commit[r], run.b_chunks, rss_b[r], cpu);
              g_clear_pointer (&cpu, g_free);
            }
          if (want (options, "N"))
            {
              memset (&run, 0, sizeof run);
              FAIL_IF (!run_b (options, FALSE, c->connections, &run, &error));
              b_net[r] = mbps (run.b_bytes, run.b_seconds);
              rss_b[r] = MAX (rss_b[r], kib_to_mb (run.server_peak_kib));
              cpu = format_cpu (&run);
              b_cpu_n[r] = run.server_cpu / gib;
              other = MAX (other, run.other_cpu / run.wall);
              g_print ("  run %u  network only: %.2f s missing+PUT+commit (%.1f MB/s), "
                       "commit %.1f ms, server peak RSS %.1f MB\n"
                       "         %s\n",
                       r + 1, run.b_seconds, b_net[r], run.b_commit_seconds * 1000,
                       kib_to_mb (run.server_peak_kib), cpu);
              g_clear_pointer (&cpu, g_free);
            }
        }
      bench_read_rss ("/proc/self/status", &peak, &now);
      client_b = kib_to_mb (peak);
      if (!options->sweep)
        g_unlink (options->big_file);
    }

  if (want (options, "A"))
    {
      g_autofree char *cpu = NULL;

      g_print ("\nDataset A: %u × %u B files in %u dirs; packs of %u files on %u streams, "
               "commits of %u ops with %u in flight. D: the same files again, unchanged.\n",
               c->n_files, c->file_size, c->n_dirs, c->pack_files, c->pack_streams,
               c->commit_ops, c->commit_streams);
      for (guint r = 0; r < n; r++)
        {
          BenchRun run = { 0 };

          FAIL_IF (!run_a (options, &run, &error));
          a_sec[r] = run.a_seconds;
          a_fps[r] = c->n_files / run.a_seconds;
          a_commit_fps[r] = c->n_files / run.a_commit_seconds;
          a_pack[r] = run.a_pack_seconds * 1000;
          a_missing[r] = run.a_missing_seconds * 1000;
          d_fps[r] = c->n_files / run.d_seconds;
          rss_a[r] = kib_to_mb (run.server_peak_kib);
          a_cpu[r] = run.server_cpu;
          other = MAX (other, run.other_cpu / run.wall);
          cpu = format_cpu (&run);
          g_print ("  run %u  A: %.3f s end to end (%.0f files/s); Σ missing %.0f ms (%u req), "
                   "Σ pack %.0f ms (%u packs), Σ commit %.0f ms (%u commits, span %.0f ms); "
                   "D: %.0f ms; server peak RSS %.1f MB\n"
                   "         %s\n",
                   r + 1, run.a_seconds, a_fps[r], a_missing[r], run.a_packs, a_pack[r], run.a_packs,
                   run.a_commit_seconds * 1000, run.a_commits, run.a_commit_span * 1000,
                   run.d_seconds * 1000, rss_a[r], cpu);
          g_clear_pointer (&cpu, g_free);
        }
    }

  bench_read_rss ("/proc/self/status", &peak, &now);
  client_end = kib_to_mb (peak);
  for (guint r = 0; r < n; r++)
    rss_peak = MAX (rss_peak, MAX (rss_b[r], rss_a[r]));

  g_print ("\nMedians of %u runs (MB = 10^6 bytes; 1 GiB = 1073.7 MB). Runs listed in order.\n\n", n);
  print_line ("figure", "target", "measured (median)", "met?", "runs");
  print_line ("----------------------------------------------", "----------------",
              "------------------", "----", "----");
  if (want (options, "P"))
    {
      double m = median (b_mbps, n);

      print_row ("B 1 GiB upload, chunking start -> commit", ">= 500 MB/s", b_mbps, n, 1, "MB/s",
                 m >= TARGET_B_MBPS ? "yes" : "NO");
    }
  if (want (options, "N"))
    print_row ("B network only (missing + PUTs + commit)", "(info)", b_net, n, 1, "MB/s", "");
  if (want (options, "P"))
    {
      print_row ("B PUT span only (pipelined run)", "(info)", b_put, n, 1, "MB/s", "");
      print_row ("B commit of the 1 GiB put", "(info)", b_commit, n, 1, "ms", "");
    }
  if (want (options, "C"))
    print_row ("B client chunk + SHA-256 only, no network", "(info)", chunk_mbps, n, 1, "MB/s", "");
  if (want (options, "P"))
    print_row ("B server CPU per GiB, pipelined run", "(info)", b_cpu_p, n, 2, "s", "");
  if (want (options, "N"))
    print_row ("B server CPU per GiB, network-only run", "(info)", b_cpu_n, n, 2, "s", "");
  if (want (options, "A"))
    {
      double m = median (a_fps, n);

      print_row ("A 10000 x 4 KiB: hash+missing+packs+commits", ">= 10000 files/s", a_fps, n, 0,
                 "files/s", m >= TARGET_A_FILES ? "yes" : "NO");
      print_row ("A end to end seconds", "(info)", a_sec, n, 3, "s", "");
      print_row ("A commit rate of one stream (n / sum latency)", "(info)", a_commit_fps, n, 0, "files/s", "");
      print_row ("A sum of pack request latencies", "(info)", a_pack, n, 0, "ms", "");
      print_row ("A sum of /chunks/missing latencies", "(info)", a_missing, n, 0, "ms", "");
      print_row ("D unchanged A: hash + missing (nothing sent)", "(info)", d_fps, n, 0, "files/s", "");
      print_row ("A server CPU for the 10000 files", "(info)", a_cpu, n, 2, "s", "");
    }
  if (want (options, "P") || want (options, "N") || want (options, "A"))
    {
      g_autofree double *all = g_new0 (double, 2 * n);
      g_autofree char *measured = g_strdup_printf ("%.1f MB", rss_peak);
      g_autofree char *runs = NULL;
      guint k = 0;

      for (guint r = 0; r < n; r++)
        {
          if (want (options, "P") || want (options, "N"))
            all[k++] = rss_b[r];
          if (want (options, "A"))
            all[k++] = rss_a[r];
        }
      runs = format_runs (all, k, 1);
      print_line ("Peak server RSS (VmHWM, max over all runs)", "< 100 MB", measured,
                  rss_peak < TARGET_RSS_MB ? "yes" : "NO", runs);
    }
  {
    g_autofree char *measured = g_strdup_printf ("%.1f / %.1f MB", client_b, client_end);

    print_line ("Client peak RSS (VmHWM) after B / at the end", "(info)", measured, "", "");
  }
  if (want (options, "P") || want (options, "N") || want (options, "A"))
    {
      g_autofree char *measured = g_strdup_printf ("%.2f cores", other);

      print_line ("Other processes' CPU during a run (worst)", "~0", measured,
                  other < 0.15 ? "ok" : "BUSY", "");
      if (other >= 0.15)
        g_print ("\nWARNING: other processes used up to %.2f of the %u cores during the runs: "
                 "the wall-clock figures above are low by an unknown amount. Run again on a "
                 "quiet machine.\n", other, g_get_num_processors ());
    }
  return EXIT_SUCCESS;
}

static char *
default_server_path (const char *argv0)
{
  g_autofree char *self_path = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = g_path_get_dirname (self_path ? self_path : argv0);
  g_autofree char *sibling = g_build_filename (dir, "..", "server", "allset-server", NULL);

  if (g_file_test (sibling, G_FILE_TEST_IS_EXECUTABLE))
    return g_canonicalize_filename (sibling, NULL);
#ifdef ALLSET_BENCH_SERVER_PATH
  return g_strdup (ALLSET_BENCH_SERVER_PATH);
#else
  return g_strdup ("allset-server");
#endif
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *server_path = NULL, *tmp_dir = NULL, *only = NULL;
  Options options = {
    .runs = 3, .big_mib = 1024,
    .config = { .connections = BENCH_B_CONNECTIONS, .pack_streams = 2, .commit_streams = 2, .commit_ops = 1000,
                .pack_files = 4000, .n_files = 10000, .file_size = 4096, .n_dirs = 100 },
  };
  int runs = 3, big_mib = 1024, conns = BENCH_B_CONNECTIONS, pack_streams = 2, commit_streams = 2;
  int commit_ops = 1000, pack_files = 4000;
  gboolean sweep = FALSE;
  int status;
  const GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_FILENAME, &server_path, "allset-server binary (default: the build tree's)", "PATH" },
    { "tmpdir", 0, 0, G_OPTION_ARG_FILENAME, &tmp_dir, "Where data directories go (default: $TMPDIR)", "DIR" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Runs per dataset; medians are printed (default 3)", "N" },
    { "only", 0, 0, G_OPTION_ARG_STRING, &only, "Parts to run: A (with D), B (= C: client chunking, P: pipelined, N: network only); default all", "LIST" },
    { "big-mib", 0, 0, G_OPTION_ARG_INT, &big_mib, "Size of dataset B in MiB (default 1024)", "N" },
    { "connections", 0, 0, G_OPTION_ARG_INT, &conns, "Parallel PUT connections for B (default 6)", "N" },
    { "pack-streams", 0, 0, G_OPTION_ARG_INT, &pack_streams, "Parallel packs for A (default 2)", "N" },
    { "commit-streams", 0, 0, G_OPTION_ARG_INT, &commit_streams, "Commits in flight for A (default 2)", "N" },
    { "commit-ops", 0, 0, G_OPTION_ARG_INT, &commit_ops, "Operations per commit (default 1000)", "N" },
    { "pack-files", 0, 0, G_OPTION_ARG_INT, &pack_files, "Files per pack (default 4000)", "N" },
    { "sweep", 0, 0, G_OPTION_ARG_NONE, &sweep, "Also run B once with 1, 2, 3, 4, 6 and 8 connections", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  g_setenv ("LC_NUMERIC", "C", TRUE);
  setlocale (LC_NUMERIC, "C");

  context = g_option_context_new ("— throughput and memory of allset-server");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("allset-bench-server: %s\n", error->message);
      return 2;
    }
  if (runs < 1 || big_mib < 1 || conns < 1 || pack_streams < 1 || commit_streams < 1 ||
      commit_ops < 1 || commit_ops > ALLSET_MAX_BATCH_OPS || pack_files < 1 ||
      (gsize) pack_files * (4096 + 36) > ALLSET_PACK_MAX_BYTES)
    {
      g_printerr ("allset-bench-server: an option is out of range\n");
      return 2;
    }

  options.runs = runs;
  options.big_mib = big_mib;
  options.sweep = sweep;
  options.only = only;
  options.config.connections = conns;
  options.config.pack_streams = pack_streams;
  options.config.commit_streams = commit_streams;
  options.config.commit_ops = commit_ops;
  options.config.pack_files = pack_files;
  options.server_path = server_path ? g_strdup (server_path) : default_server_path (argv[0]);

  if (tmp_dir != NULL)
    g_setenv ("TMPDIR", tmp_dir, TRUE);
  options.tmp_parent = g_dir_make_tmp ("allset-bench-XXXXXX", &error);
  if (options.tmp_parent == NULL)
    {
      g_printerr ("allset-bench-server: %s\n", error->message);
      return 1;
    }
  options.big_file = g_build_filename (options.tmp_parent, "dataset-b.bin", NULL);

  print_machine (options.server_path);
  status = run_all (&options);
  if (status == EXIT_SUCCESS && options.sweep)
    {
      guint64 size = (guint64) options.big_mib * 1024 * 1024;

      /* The file is still there when B ran. */
      if (g_file_test (options.big_file, G_FILE_TEST_EXISTS) ||
          bench_make_big_file (options.big_file, size, SEED_B, &error))
        status = run_sweep (&options);
      else
        {
          g_printerr ("allset-bench-server: %s\n", error->message);
          status = EXIT_FAILURE;
        }
    }

  {
    const char *argv_rm[] = { "rm", "-rf", "--", options.tmp_parent, NULL };

    g_spawn_sync (NULL, (char **) argv_rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                  NULL, NULL, NULL, NULL);
  }
  g_free (options.server_path);
  g_free (options.tmp_parent);
  g_free (options.big_file);
  return status;
}
