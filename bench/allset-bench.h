/* allset-bench.h — shared pieces of allset-bench-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A benchmark, not a test: it starts the real allset-server, drives it
 * over HTTPS with libsoup and prints what it measured. Nothing here is
 * part of the server or of any client.
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "allset-protocol.h"

G_BEGIN_DECLS

#define BENCH_USERNAME "bench"
#define BENCH_PASSWORD "bench-password-not-secret"
#define BENCH_MTIME    1764160000

/* ------------------------------------------------------------------ */
/* A running allset-server (allset-bench-process.c)                   */

typedef struct
{
  GSubprocess *process;
  char        *data_dir;
  char        *base_url;      /* "https://127.0.0.1:PORT" */
  guint8       fingerprint[32];
  char        *token;
} BenchServer;

BenchServer *bench_server_start      (const char   *server_path,
                                      const char   *parent_dir,
                                      GError      **error);
/* CPU seconds (user + system) the server process used so far. */
double       bench_server_cpu        (BenchServer  *self);
/* /proc/PID/io: bytes written through write() and bytes sent to storage. */
void         bench_server_io         (BenchServer  *self,
                                      gint64       *wchar,
                                      gint64       *disk_bytes);
/* Peak (VmHWM) and current (VmRSS) resident set, in KiB; -1 if unknown. */
void         bench_server_rss        (BenchServer  *self,
                                      gint64       *peak_kib,
                                      gint64       *now_kib);
void         bench_server_stop       (BenchServer  *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchServer, bench_server_stop)

/* A "Field:  N kB" line of a /proc status or meminfo text; -1 if absent. */
gint64       bench_status_kib        (const char   *status,
                                      const char   *field);
void         bench_read_rss          (const char   *status_path,
                                      gint64       *peak_kib,
                                      gint64       *now_kib);

/* ------------------------------------------------------------------ */
/* HTTPS requests (allset-bench-http.c)                               */

/* One session per thread: each keeps one persistent connection, so N
 * threads are N parallel HTTPS connections whose TLS work spreads over
 * the cores. The server's certificate is pinned by fingerprint. */
SoupSession *bench_session_new       (BenchServer  *server);
/* Sends body (may be NULL) and reads the answer. Returns the status, or 0
 * with error set on a transport failure. */
guint        bench_request           (SoupSession  *session,
                                      BenchServer  *server,
                                      const char   *method,
                                      const char   *path,
                                      const char   *content_type,
                                      GBytes       *body,
                                      GBytes      **response,
                                      GError      **error);
/* POST JSON; a status other than expect_status is an error. Returns the
 * parsed object (or NULL with error set). */
JsonObject  *bench_post_json         (SoupSession  *session,
                                      BenchServer  *server,
                                      const char   *path,
                                      const char   *json,
                                      gsize         json_len,
                                      guint         expect_status,
                                      GError      **error);
gboolean     bench_login             (BenchServer  *server,
                                      GError      **error);
/* POST /chunks/missing: fills missing_mask[i] for each of ids[0..n). */
gboolean     bench_chunks_missing    (SoupSession      *session,
                                      BenchServer      *server,
                                      const AllsetHash *ids,
                                      guint             n,
                                      gboolean         *missing_mask,
                                      guint            *n_missing,
                                      GError          **error);

/* ------------------------------------------------------------------ */
/* Worker threads (allset-bench-big.c)                                */

/* The first error of a group of threads; failed tells the others to stop
 * early. */
typedef struct
{
  GMutex  mutex;
  GError *error;
  gint    failed;
} BenchFailure;

void     bench_failure_init          (BenchFailure      *f);
void     bench_failure_clear         (BenchFailure      *f);
/* Takes error. */
void     bench_failure_set           (BenchFailure      *f,
                                      GError            *error);
gboolean bench_failure_take          (BenchFailure      *f,
                                      GError           **error);
double   bench_seconds_since         (gint64             start_us);

/* ------------------------------------------------------------------ */
/* Datasets (allset-bench-big.c, allset-bench-small.c)               */

typedef struct
{
  /* Dataset B */
  double  b_seconds;           /* start of chunking → commit answered */
  double  b_upload_seconds;    /* first PUT sent → last PUT answered */
  double  b_commit_seconds;
  guint   b_chunks;
  guint64 b_bytes;

  /* Dataset A */
  double  a_seconds;           /* hash + missing + packs + commits */
  double  a_missing_seconds;   /* sums of request latencies */
  double  a_pack_seconds;
  double  a_commit_seconds;
  double  a_commit_span;       /* first commit sent → last answered */
  guint   a_packs;
  guint   a_commits;

  /* Dataset D */
  double  d_seconds;

  gint64  server_peak_kib;
  gint64  server_now_kib;

  /* CPU seconds during the timed part of B or A: the server, this
   * process, and everything else on the machine (other agents, builds):
   * when other_cpu is not near 0 the wall-clock figures are unreliable. */
  double  server_cpu;
  double  client_cpu;
  double  other_cpu;
  double  wall;

  /* Bytes the server passed to write() and caused to reach the disk
   * (/proc/PID/io wchar and write_bytes) during the same part. */
  gint64  server_wchar;
  gint64  server_disk_bytes;
} BenchRun;

/* Where the machine's CPU time goes while one dataset runs
 * (allset-bench-process.c). */
typedef struct
{
  gint64 wall_us;
  double machine;   /* busy CPU seconds of the whole machine */
  double self;
  double server;
  gint64 server_wchar;
  gint64 server_disk_bytes;
} BenchCpuMark;

void     bench_cpu_mark              (BenchCpuMark      *mark,
                                      BenchServer       *server);
/* Fills run's wall, CPU and server I/O figures since start. */
void     bench_cpu_account           (const BenchCpuMark *start,
                                      BenchServer       *server,
                                      BenchRun          *run);

typedef struct
{
  guint connections;     /* parallel PUT connections (dataset B) */
  guint pack_streams;    /* parallel pack uploads (dataset A) */
  guint commit_streams;  /* commits in flight (dataset A) */
  guint commit_ops;      /* operations per commit */
  guint pack_files;      /* files per pack (dataset A) */
  guint n_files;         /* dataset A */
  guint file_size;
  guint n_dirs;
} BenchConfig;

/* xoshiro256** seeded through splitmix64: fast and the same everywhere. */
void     bench_random_fill           (guint64            seed,
                                      guint8            *out,
                                      gsize              len);
/* Writes size bytes of bench_random_fill() output to path. */
gboolean bench_make_big_file         (const char        *path,
                                      guint64            size,
                                      guint64            seed,
                                      GError           **error);
/* Dataset B. pipelined: chunk+hash in a worker while uploading (the
 * figure), otherwise chunk everything first and time only the network
 * part (missing + PUTs + commit). */
gboolean bench_dataset_b             (BenchServer       *server,
                                      const BenchConfig *config,
                                      const char        *file_path,
                                      gboolean           pipelined,
                                      BenchRun          *run,
                                      GError           **error);
/* Chunks and hashes the file without sending anything: client cost. */
gboolean bench_chunk_only            (const char        *file_path,
                                      double            *seconds,
                                      guint             *n_chunks,
                                      GError           **error);
/* Dataset A, then D (the same files again: nothing is missing). */
gboolean bench_dataset_a             (BenchServer       *server,
                                      const BenchConfig *config,
                                      BenchRun          *run,
                                      GError           **error);
gboolean bench_dataset_d             (BenchServer       *server,
                                      const BenchConfig *config,
                                      BenchRun          *run,
                                      GError           **error);

G_END_DECLS
