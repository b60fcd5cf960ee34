/* test-folder-session-errors.c — what stops or holds an AllsetFolderSession
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Against the real server, as in test-folder-session.c (same fixture,
 * folder-session-fixture.c): a revoked or expired token stops the session
 * for good with "sign in again" and touches nothing, maintenance holds it
 * for exactly the server's Retry-After, and an unreachable server puts it
 * offline with a back-off rather than a retry loop. Apart from the
 * session at work because these cases change the server's state
 * (maintenance) or start servers of their own (a short token lifetime).
 * Each case has its own account, so no push from another case wakes it.
 */

#include <string.h>

#include "folder-session-fixture.h"

static gboolean is_error (Fixture *f) { return state (f) == ALLSET_SESSION_ERROR; }

static void
test_revoked (void)
{
  Fixture f = { 0 };
  g_autoptr(AllsetClient) twin = NULL;
  g_autoptr(GError) error = NULL;
  const GError *session_error;

  fixture_init (&f, "revoked");
  write_file (&f, "kept.txt", "kept", -1);
  allset_folder_session_start (f.session);
  g_assert_true (wait_until (&f, is_idle, WAIT_SECONDS));

  /* The same device token, signed out from elsewhere. */
  twin = test_cli_new_client (server, NULL);
  {
    g_autoptr(AllsetLoginInfo) info = NULL;

    /* A second device revokes the first one by id. */
    info = allset_client_login (twin, "revoked", TEST_CLI_PASSWORD, "other", NULL, &error);
    g_assert_no_error (error);
  }
  {
    g_autoptr(GPtrArray) devices = allset_client_devices (twin, NULL, &error);

    g_assert_no_error (error);
    for (guint i = 0; i < devices->len; i++)
      {
        AllsetDeviceInfo *device = g_ptr_array_index (devices, i);

        if (!device->current)
          g_assert_true (allset_client_device_revoke (twin, device->device_id, NULL, &error));
      }
  }

  allset_folder_session_sync_now (f.session);
  g_assert_true (wait_until (&f, is_error, WAIT_SECONDS));
  g_assert_cmpint (allset_folder_session_get_retry_time (f.session), ==, 0);
  g_assert_nonnull (strstr (allset_folder_session_get_message (f.session), "sign in again"));
  session_error = allset_folder_session_get_error (f.session);
  g_assert_nonnull (session_error);
  g_assert_true (g_error_matches (session_error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_UNAUTHORIZED));
  /* Stopped: a local change starts nothing. */
  {
    guint passes = f.passes;

    write_file (&f, "after.txt", "after", -1);
    spin (1000);
    g_assert_cmpuint (f.passes, ==, passes);
    g_assert_cmpint (state (&f), ==, ALLSET_SESSION_ERROR);
  }

  fixture_clear (&f);
}

/* The session stops for good when the device's token expires (the
 * server's --token-lifetime), says "sign in again", and touches nothing:
 * no further pass, the local tree as it was, nothing sent. */
static void
test_token_expired (void)
{
  TestCliServer *short_lived = test_cli_server_start ("--token-lifetime=3s");
  Fixture f = { 0 };
  g_autoptr(AllsetClient) fresh = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autofree char *content = NULL;
  g_autofree char *path = NULL;
  const GError *session_error;
  gint64 signed_in;
  guint passes;
  guint n_local = 0;

  fixture_init_on (&f, short_lived, "expiring");
  signed_in = g_get_monotonic_time ();
  write_file (&f, "kept.txt", "kept", -1);
  allset_folder_session_start (f.session);
  g_assert_true (wait_until (&f, is_idle, WAIT_SECONDS));
  g_assert_cmpuint (remote_count (&f), ==, 1);

  /* The server's expiry is in whole seconds: past 3 s + 1 it is over. */
  while (g_get_monotonic_time () - signed_in < 4200 * 1000)
    spin (100);
  g_assert_cmpint (state (&f), ==, ALLSET_SESSION_IDLE);
  write_file (&f, "after.txt", "after", -1);   /* the local monitor: a pass */
  g_assert_true (wait_until (&f, is_error, WAIT_SECONDS));
  session_error = allset_folder_session_get_error (f.session);
  g_assert_nonnull (session_error);
  g_assert_true (g_error_matches (session_error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_TOKEN_EXPIRED));
  g_assert_nonnull (strstr (allset_folder_session_get_message (f.session), "expired"));
  g_assert_nonnull (strstr (allset_folder_session_get_message (f.session), "sign in again"));
  g_assert_cmpint (allset_folder_session_get_retry_time (f.session), ==, 0);

  /* Stopped: more local changes start nothing. */
  passes = f.passes;
  write_file (&f, "later.txt", "later", -1);
  spin (1500);
  g_assert_cmpuint (f.passes, ==, passes);
  g_assert_cmpint (state (&f), ==, ALLSET_SESSION_ERROR);

  /* The local tree: the three files, as written, and nothing else. */
  dir = g_dir_open (f.folder.local, 0, NULL);
  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n_local++;
  g_assert_cmpuint (n_local, ==, 3);
  path = g_build_filename (f.folder.local, "kept.txt", NULL);
  g_assert_true (g_file_get_contents (path, &content, NULL, NULL));
  g_assert_cmpstr (content, ==, "kept");
  g_clear_pointer (&path, g_free);
  g_clear_pointer (&content, g_free);
  path = g_build_filename (f.folder.local, "after.txt", NULL);
  g_assert_true (g_file_get_contents (path, &content, NULL, NULL));
  g_assert_cmpstr (content, ==, "after");

  /* The server, through a new sign-in: only what was there before. */
  fresh = test_cli_signed_in (short_lived, "expiring");
  entries = allset_client_list (fresh, "Sync", NULL, NULL);
  g_assert_nonnull (entries);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_cmpstr (((AllsetEntryInfo *) g_ptr_array_index (entries, 0))->name, ==, "kept.txt");

  fixture_clear (&f);
  /* Our connections go first (libsoup 3.2's SoupServer loses the sockets
   * of connections still open when it is torn down). */
  g_clear_object (&fresh);
  spin (200);
  test_cli_server_stop (short_lived);
}

static gboolean
in_maintenance (Fixture *f)
{
  return state (f) == ALLSET_SESSION_MAINTENANCE;
}

static const char *announced_until;

static gboolean
announces_until (Fixture *f)
{
  return in_maintenance (f) && strstr (allset_folder_session_get_message (f->session), announced_until);
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
test_maintenance (void)
{
  Fixture f = { 0 };
  gint64 now;
  guint passes;

  fixture_init (&f, "patient");
  allset_folder_session_start (f.session);
  g_assert_true (wait_until (&f, is_idle, WAIT_SECONDS));

  test_cli_admin (server, NULL, "maintenance", "on", "--message", "Disk upgrade", NULL);
  /* The server reads the flag on its own schedule: ask until it answers 503. */
  for (guint i = 0; i < 20 && !in_maintenance (&f); i++)
    {
      allset_folder_session_sync_now (f.session);
      wait_until (&f, in_maintenance, 1);
    }
  g_assert_cmpint (state (&f), ==, ALLSET_SESSION_MAINTENANCE);
  /* No end announced: the server says Retry-After: 60, and the session
   * plans its next try that far from the answer (just now). */
  now = now_seconds ();
  g_assert_cmpint (allset_folder_session_get_retry_time (f.session), >=, now + 58);
  g_assert_cmpint (allset_folder_session_get_retry_time (f.session), <=, now + 60);
  g_assert_nonnull (strstr (allset_folder_session_get_message (f.session), "maintenance"));
  g_assert_true (g_error_matches (allset_folder_session_get_error (f.session), ALLSET_PROTOCOL_ERROR,
                                  ALLSET_ERROR_MAINTENANCE));

  /* A local edit waits for the Retry-After instead of hammering. */
  passes = f.passes;
  write_file (&f, "edit.txt", "during maintenance", -1);
  spin (1000);
  g_assert_cmpint (state (&f), ==, ALLSET_SESSION_MAINTENANCE);
  g_assert_cmpuint (f.passes, ==, passes);

  /* An end announced (--until T): the server's Retry-After is T - now,
   * which the session takes as is (no clamp, unlike the push channel's
   * reconnection): its retry time is T, give or take the second of
   * rounding on each side. */
  {
    g_autoptr(GDateTime) utc = g_date_time_new_now_utc ();
    g_autoptr(GDateTime) end = g_date_time_add_seconds (utc, 7);
    g_autofree char *until = g_date_time_format (end, "%Y-%m-%dT%H:%M:%SZ");
    gint64 until_unix = g_date_time_to_unix (end);

    announced_until = until;
    test_cli_admin (server, NULL, "maintenance", "on", "--until", until, "--message", "Disk upgrade",
                    NULL);
    for (guint i = 0; i < 20 && !announces_until (&f); i++)
      {
        allset_folder_session_sync_now (f.session);
        wait_until (&f, announces_until, 1);
      }
    g_assert_true (announces_until (&f));
    g_assert_cmpint (allset_folder_session_get_retry_time (f.session), >=, until_unix - 1);
    g_assert_cmpint (allset_folder_session_get_retry_time (f.session), <=, until_unix + 1);
    announced_until = NULL;

    /* The maintenance ends early, unknown to the session: nothing runs
     * before the retry time, and the retry then syncs on its own (the
     * edit above goes up). */
    test_cli_admin (server, NULL, "maintenance", "off", NULL);
    passes = f.passes;
    while (now_seconds () < until_unix - 1)
      spin (100);
    g_assert_cmpuint (f.passes, ==, passes);
    g_assert_cmpint (state (&f), ==, ALLSET_SESSION_MAINTENANCE);
    while (now_seconds () < until_unix + 4 && (f.passes == passes || !is_idle (&f)))
      spin (100);
    g_assert_cmpuint (f.passes, >, passes);
    g_assert_cmpint (state (&f), ==, ALLSET_SESSION_IDLE);
  }
  g_assert_cmpint (allset_folder_session_get_retry_time (f.session), ==, 0);
  g_assert_null (allset_folder_session_get_error (f.session));
  g_assert_cmpuint (remote_count (&f), ==, 1);

  fixture_clear (&f);
}

static gboolean
is_offline (Fixture *f)
{
  return state (f) == ALLSET_SESSION_OFFLINE;
}

static void
test_unreachable (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(AllsetClient) nowhere = NULL;
  g_autoptr(AllsetFolderSession) session = NULL;
  gint64 now;

  fixture_init (&f, "nowhere");
  /* Nothing listens on the discard port of this machine. */
  nowhere = allset_client_new ("https://127.0.0.1:9/", NULL, "token", &error);
  g_assert_no_error (error);
  session = allset_folder_session_new (nowhere, &f.folder, f.network);
  g_signal_connect (session, "pass-finished", G_CALLBACK (fixture_on_pass_finished), &f);
  g_signal_handlers_disconnect_by_data (f.session, &f);
  g_set_object (&f.session, session);

  allset_folder_session_start (f.session);
  g_assert_true (wait_until (&f, is_offline, WAIT_SECONDS));
  now = g_get_real_time () / G_USEC_PER_SEC;
  g_assert_cmpint (allset_folder_session_get_retry_time (f.session), >=, now);
  g_assert_nonnull (strstr (allset_folder_session_get_message (f.session), "Offline"));
  /* It backs off (2 s, then 4 s…) rather than retrying in a loop, even
   * with local changes coming in. */
  write_file (&f, "a.txt", "a", -1);
  spin (2500);
  g_assert_cmpuint (f.passes, <=, 3);
  g_assert_true (wait_until (&f, is_offline, WAIT_SECONDS));

  fixture_clear (&f);
}

int
main (int    argc,
      char **argv)
{
  int status;

  if (!test_cli_init (&argc, &argv, "/folder-session"))
    return g_test_run ();

  server = test_cli_server_start (NULL);

  g_test_add_func ("/folder-session/revoked", test_revoked);
  g_test_add_func ("/folder-session/token-expired", test_token_expired);
  g_test_add_func ("/folder-session/maintenance", test_maintenance);
  g_test_add_func ("/folder-session/unreachable", test_unreachable);

  status = g_test_run ();
  test_cli_server_stop (server);
  return status;
}
