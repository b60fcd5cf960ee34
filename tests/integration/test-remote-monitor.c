/* test-remote-monitor.c — AllsetRemoteMonitor against the real server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two devices of one account over TLS on 127.0.0.1: a commit by one
 * reaches the other's monitor as ::changed within a second (the latency
 * is printed), stop() cuts a parked long poll at once, a server that goes
 * away and comes back on the same port turns "connected" off and on with
 * a ::changed, and a revoked or unknown token ends in ::failed. The
 * restarted server is test-cli-server.c's (test_cli_server_restart()):
 * the same sanitizer settings, and its exit checked like the first one's.
 */

#include "allset-remote-monitor.h"
#include "test-cli-server.h"

static TestCliServer *server;

typedef struct
{
  guint   changed;
  gint64  cursor;
  gint64  changed_at;   /* monotonic µs */
  guint   failed;
  GError *error;
  guint   notes;        /* notify::connected */
} Watch;

static void
on_changed (AllsetRemoteMonitor *monitor,
            gint64               cursor,
            Watch               *watch)
{
  watch->changed++;
  watch->cursor = cursor;
  watch->changed_at = g_get_monotonic_time ();
}

static void
on_failed (AllsetRemoteMonitor *monitor,
           const GError        *error,
           Watch               *watch)
{
  watch->failed++;
  g_clear_error (&watch->error);
  watch->error = g_error_copy (error);
}

static void
on_connected (GObject    *object,
              GParamSpec *pspec,
              Watch      *watch)
{
  watch->notes++;
}

static void
watch_clear (Watch *watch)
{
  g_clear_error (&watch->error);
}

static AllsetRemoteMonitor *
monitor_new (AllsetClient *client,
             Watch        *watch)
{
  AllsetRemoteMonitor *monitor = allset_remote_monitor_new (client);

  g_signal_connect (monitor, "changed", G_CALLBACK (on_changed), watch);
  g_signal_connect (monitor, "failed", G_CALLBACK (on_failed), watch);
  g_signal_connect (monitor, "notify::connected", G_CALLBACK (on_connected), watch);
  return monitor;
}

static gboolean
tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the default context until *counter reaches target, or timeout. */
static gboolean
wait_count (guint *counter,
            guint  target,
            guint  timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint id = g_timeout_add (5, tick, NULL);

  while (*counter < target && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
  return *counter >= target;
}

static void
run_for (guint ms)
{
  guint never = 0;

  wait_count (&never, 1, ms);
}

static gboolean
wait_connected (AllsetRemoteMonitor *monitor,
                gboolean             connected,
                guint                timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint id = g_timeout_add (5, tick, NULL);

  while (allset_remote_monitor_get_connected (monitor) != connected &&
         g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
  return allset_remote_monitor_get_connected (monitor) == connected;
}

static gint64
current_cursor (AllsetClient *client)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetChanges) changes = allset_client_changes (client, G_MAXINT64, 1, NULL, &error);

  g_assert_no_error (error);
  return changes->cursor;
}

/* ---- commits from the other device, in a thread ------------------------ */

typedef struct
{
  AllsetClient *client;
  char         *path;
  gint64        started;   /* monotonic µs */
  gint64        returned;
  gint64        cursor;
} Commit;

static gpointer
commit_thread (gpointer data)
{
  Commit *commit = data;
  g_autoptr(JsonArray) operations = json_array_new ();
  g_autoptr(AllsetCommitReply) reply = NULL;
  g_autoptr(GError) error = NULL;

  json_array_add_object_element (operations, allset_commit_op_mkdir (commit->path, 0));
  commit->started = g_get_monotonic_time ();
  reply = allset_client_commit (commit->client, operations, NULL, &error);
  commit->returned = g_get_monotonic_time ();
  g_assert_no_error (error);
  g_assert_cmpuint (reply->results->len, ==, 1);
  g_assert_cmpint (((AllsetCommitResult *) reply->results->pdata[0])->error, ==, ALLSET_ERROR_NONE);
  commit->cursor = reply->cursor;
  return NULL;
}

static GThread *
commit_start (Commit       *commit,
              AllsetClient *client,
              const char   *path)
{
  commit->client = client;
  commit->path = g_strdup (path);
  return g_thread_new ("commit", commit_thread, commit);
}

static void
commit_join (Commit  *commit,
             GThread *thread)
{
  g_thread_join (thread);
  g_clear_pointer (&commit->path, g_free);
}

static void
commit_now (AllsetClient *client,
            const char   *path)
{
  Commit commit = { 0 };

  commit_join (&commit, commit_start (&commit, client, path));
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* ---- tests ----------------------------------------------------------------- */

static void
test_push_latency (void)
{
  g_autoptr(AllsetClient) device = test_cli_signed_in (server, "alice");
  g_autoptr(AllsetClient) other = test_cli_signed_in (server, "alice");
  g_autoptr(AllsetRemoteMonitor) monitor = NULL;
  g_autoptr(AllsetRemoteMonitor) late = NULL;
  Watch watch = { 0 }, late_watch = { 0 };
  double latency[5], after_return[5];
  gint64 cursor = current_cursor (device);

  monitor = monitor_new (device, &watch);
  allset_remote_monitor_start (monitor, cursor);
  g_assert_true (wait_connected (monitor, TRUE, 3000));
  /* Nothing new: nothing to say. */
  run_for (300);
  g_assert_cmpuint (watch.changed, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (latency); i++)
    {
      g_autofree char *path = g_strdup_printf ("latency-%u", i);
      Commit commit = { 0 };
      GThread *thread;

      /* Let the long poll park on the server first. */
      run_for (150);
      thread = commit_start (&commit, other, path);
      g_assert_true (wait_count (&watch.changed, i + 1, 2000));
      commit_join (&commit, thread);
      g_assert_cmpint (watch.cursor, ==, commit.cursor);
      latency[i] = (watch.changed_at - commit.started) / 1000.0;
      after_return[i] = (watch.changed_at - commit.returned) / 1000.0;
      g_test_message ("commit → ::changed: %.1f ms from the request, %+.1f ms from its answer",
                      latency[i], after_return[i]);
      /* The commit's own time (fsyncs, and ~0.5 s under ASan on a busy
       * machine) is not the push channel's: the promise is from the
       * moment the commit is made. */
      g_assert_cmpfloat (after_return[i], <, 1000);
      /* The owner read the feed up to there. */
      allset_remote_monitor_set_cursor (monitor, commit.cursor);
    }
  qsort (latency, G_N_ELEMENTS (latency), sizeof latency[0], compare_double);
  qsort (after_return, G_N_ELEMENTS (after_return), sizeof after_return[0], compare_double);
  g_test_message ("median latency of remote ::changed: %.1f ms (%+.1f ms after the commit's answer)",
                  latency[G_N_ELEMENTS (latency) / 2], after_return[G_N_ELEMENTS (after_return) / 2]);

  /* A monitor started behind the server's cursor says so at once. */
  late = monitor_new (other, &late_watch);
  allset_remote_monitor_start (late, cursor);
  g_assert_true (wait_count (&late_watch.changed, 1, 1000));
  g_assert_cmpint (late_watch.cursor, ==, current_cursor (other));
  run_for (300);
  g_assert_cmpuint (late_watch.changed, ==, 1);

  /* set_cursor() past a change not yet reported: it is not reported. */
  allset_remote_monitor_stop (monitor);
  g_clear_object (&monitor);
  watch.changed = 0;
  cursor = current_cursor (device);
  monitor = monitor_new (device, &watch);
  allset_remote_monitor_start (monitor, cursor);
  g_assert_true (wait_connected (monitor, TRUE, 3000));
  allset_remote_monitor_set_cursor (monitor, cursor + 1);
  commit_now (other, "seen-already");
  run_for (500);
  g_assert_cmpuint (watch.changed, ==, 0);
  commit_now (other, "not-seen");
  g_assert_true (wait_count (&watch.changed, 1, 1000));
  g_assert_cmpint (watch.cursor, ==, cursor + 2);

  g_assert_cmpuint (watch.failed + late_watch.failed, ==, 0);
  watch_clear (&watch);
  watch_clear (&late_watch);
}

static void
test_stop (void)
{
  g_autoptr(AllsetClient) device = test_cli_signed_in (server, "alice");
  g_autoptr(AllsetClient) other = test_cli_signed_in (server, "alice");
  g_autoptr(AllsetRemoteMonitor) monitor = NULL;
  Watch watch = { 0 };
  gint64 started;
  double elapsed;

  monitor = monitor_new (device, &watch);
  allset_remote_monitor_start (monitor, current_cursor (device));
  g_assert_true (wait_connected (monitor, TRUE, 3000));
  /* The long poll is parked now, for up to ALLSET_CLIENT_MAX_WAIT s. */
  run_for (300);

  started = g_get_monotonic_time ();
  allset_remote_monitor_stop (monitor);
  elapsed = (g_get_monotonic_time () - started) / 1000.0;
  g_test_message ("stop() with a long poll in flight: %.1f ms", elapsed);
  g_assert_cmpfloat (elapsed, <, 1000);

  /* No signal after stop(), not even the connected one. */
  watch.notes = 0;
  commit_now (other, "after-stop");
  run_for (500);
  g_assert_cmpuint (watch.changed, ==, 0);
  g_assert_cmpuint (watch.notes, ==, 0);
  g_assert_cmpuint (watch.failed, ==, 0);
  g_assert_false (allset_remote_monitor_get_connected (monitor));

  /* And dropping the last reference of a running monitor stops it. */
  g_clear_object (&monitor);
  monitor = monitor_new (device, &watch);
  allset_remote_monitor_start (monitor, current_cursor (device));
  g_assert_true (wait_connected (monitor, TRUE, 3000));
  started = g_get_monotonic_time ();
  g_clear_object (&monitor);
  g_assert_cmpfloat ((g_get_monotonic_time () - started) / 1000.0, <, 1000);
  watch_clear (&watch);
}

static void
test_auth (void)
{
  g_autoptr(AllsetClient) device = test_cli_new_client (server, NULL);
  g_autoptr(AllsetClient) other = test_cli_signed_in (server, "alice");
  g_autoptr(AllsetClient) bogus = test_cli_new_client (server, "not-a-token");
  g_autoptr(AllsetLoginInfo) info = NULL;
  g_autoptr(AllsetRemoteMonitor) monitor = NULL;
  g_autoptr(GError) error = NULL;
  Watch watch = { 0 };

  /* An unknown token: ::failed at once, never connected. */
  monitor = monitor_new (bogus, &watch);
  allset_remote_monitor_start (monitor, 0);
  g_assert_true (wait_count (&watch.failed, 1, 3000));
  g_assert_error (watch.error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_UNAUTHORIZED);
  g_assert_false (allset_remote_monitor_get_connected (monitor));
  g_assert_cmpuint (watch.changed, ==, 0);
  allset_remote_monitor_stop (monitor);
  g_clear_object (&monitor);
  watch_clear (&watch);
  watch = (Watch) { 0 };

  /* A device signed out from another one while its poll is parked. */
  info = allset_client_login (device, "alice", TEST_CLI_PASSWORD, "to-revoke", NULL, &error);
  g_assert_no_error (error);
  monitor = monitor_new (device, &watch);
  allset_remote_monitor_start (monitor, current_cursor (device));
  g_assert_true (wait_connected (monitor, TRUE, 3000));
  run_for (200);
  g_assert_true (allset_client_device_revoke (other, info->device_id, NULL, &error));
  g_assert_no_error (error);
  /* The server does not wake parked polls on revocation: the next commit
   * of the account does (else ALLSET_CLIENT_MAX_WAIT s). */
  commit_now (other, "wake-up");
  g_assert_true (wait_count (&watch.failed, 1, 3000));
  g_assert_error (watch.error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_UNAUTHORIZED);
  g_assert_false (allset_remote_monitor_get_connected (monitor));
  g_test_message ("revoked: %u ::changed before ::failed", watch.changed);
  g_assert_cmpuint (watch.changed, <=, 1);
  /* The thread is over: nothing more, and stop() is immediate. */
  commit_now (other, "after-failed");
  run_for (300);
  g_assert_cmpuint (watch.failed, ==, 1);
  g_assert_cmpuint (watch.changed, <=, 1);
  allset_remote_monitor_stop (monitor);
  watch_clear (&watch);
}

static void
wait_for_maintenance (AllsetClient *client,
                      gboolean      active)
{
  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(AllsetServerStatus) status = allset_client_status (client, NULL, NULL);

      if (status != NULL && status->maintenance == active)
        return;
      g_usleep (100 * 1000);
    }
  g_error ("The server did not %s maintenance", active ? "enter" : "leave");
}

static void
test_maintenance (void)
{
  g_autoptr(AllsetClient) device = test_cli_signed_in (server, "alice");
  g_autoptr(AllsetRemoteMonitor) monitor = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) later = g_date_time_add_seconds (now, 3);
  g_autofree char *until = g_date_time_format (later, "%Y-%m-%dT%H:%M:%SZ");
  gint64 cursor = current_cursor (device);
  Watch watch = { 0 };
  gint64 off;

  /* 503 with Retry-After: not connected, not failed, and back when the
   * maintenance ends. */
  test_cli_admin (server, "", "maintenance", "on", "--until", until, NULL);
  wait_for_maintenance (device, TRUE);
  monitor = monitor_new (device, &watch);
  allset_remote_monitor_start (monitor, cursor);
  run_for (1500);
  g_assert_false (allset_remote_monitor_get_connected (monitor));
  g_assert_cmpuint (watch.failed + watch.changed, ==, 0);

  test_cli_admin (server, "", "maintenance", "off", NULL);
  wait_for_maintenance (device, FALSE);
  off = g_get_monotonic_time ();
  g_assert_true (wait_connected (monitor, TRUE, 6000));
  g_assert_true (wait_count (&watch.changed, 1, 1000));
  g_test_message ("maintenance over: connected after %.0f ms",
                  (g_get_monotonic_time () - off) / 1000.0);
  g_assert_cmpint (watch.cursor, ==, cursor);
  g_assert_cmpuint (watch.failed, ==, 0);
  allset_remote_monitor_stop (monitor);
  watch_clear (&watch);
}

/* ---- a server that goes away and comes back ------------------------------ */

static void
test_server_restart (void)
{
  g_autoptr(AllsetClient) device = test_cli_signed_in (server, "alice");
  g_autoptr(AllsetRemoteMonitor) monitor = NULL;
  Watch watch = { 0 };
  gint64 down, up;

  monitor = monitor_new (device, &watch);
  allset_remote_monitor_start (monitor, current_cursor (device));
  g_assert_true (wait_connected (monitor, TRUE, 3000));
  run_for (200);

  down = g_get_monotonic_time ();
  test_cli_server_halt (server);
  g_assert_true (wait_connected (monitor, FALSE, 3000));
  g_test_message ("server stopped: connected FALSE after %.0f ms",
                  (g_get_monotonic_time () - down) / 1000.0);
  g_assert_cmpuint (watch.changed, ==, 0);

  /* Down for a while: the monitor retries (1 s, 2 s…) meanwhile. */
  run_for (1500);
  up = g_get_monotonic_time ();
  /* The same data directory (accounts, tokens, certificate) and port. */
  test_cli_server_restart (server);
  g_assert_true (wait_connected (monitor, TRUE, 10000));
  g_assert_true (wait_count (&watch.changed, 1, 1000));
  g_test_message ("server back: connected TRUE and ::changed after %.0f ms",
                  (watch.changed_at - up) / 1000.0);
  g_assert_cmpuint (watch.failed, ==, 0);

  /* And the push channel works again. */
  {
    g_autoptr(AllsetClient) other = test_cli_signed_in (server, "alice");

    run_for (200);
    commit_now (other, "after-restart");
    g_assert_true (wait_count (&watch.changed, 2, 1000));
  }
  allset_remote_monitor_stop (monitor);
  watch_clear (&watch);
}

int
main (int    argc,
      char **argv)
{
  int status;

  if (!test_cli_init (&argc, &argv, "/remote-monitor"))
    return g_test_run ();

  server = test_cli_server_start (NULL);
  test_cli_add_account (server, "alice", "1G");

  g_test_add_func ("/remote-monitor/push-latency", test_push_latency);
  g_test_add_func ("/remote-monitor/stop", test_stop);
  g_test_add_func ("/remote-monitor/auth", test_auth);
  g_test_add_func ("/remote-monitor/maintenance", test_maintenance);
  /* Last: it replaces the server process. */
  g_test_add_func ("/remote-monitor/server-restart", test_server_restart);

  status = g_test_run ();
  test_cli_server_stop (server);
  return status;
}
