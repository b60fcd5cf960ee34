/* test-cli-client.c — AllsetClient (the library under allset-cli) against
 * the real allset-server over TLS: certificate pinning, sign-in, devices,
 * and the errors the engine must tell apart (revoked or expired token,
 * suspended account, maintenance with its Retry-After, quota)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Transfers and the tree are in test-cli-transfer.c.
 */

#include <string.h>

#include "allset-batching-proxy.h"
#include "test-cli-server.h"

static TestCliServer *server;

/* ---- TLS ----------------------------------------------------------------- */

static void
test_tls_pinned (void)
{
  g_autoptr(AllsetClient) client = test_cli_new_client (server, NULL);
  g_autoptr(AllsetServerStatus) status = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hex = NULL;
  guint batched = allset_batching_proxy_get_n_connected ();

  status = allset_client_status (client, NULL, &error);
  g_assert_no_error (error);
  /* The TLS connection ran over an AllsetBatchingStream. */
  g_assert_cmpuint (allset_batching_proxy_get_n_connected (), >, batched);
  g_assert_cmpstr (status->service, ==, "allset-server");
  g_assert_cmpint (status->protocol, ==, ALLSET_PROTOCOL_VERSION);
  g_assert_false (status->maintenance);
  g_assert_cmpuint (status->chunk_max, ==, ALLSET_CHUNK_MAX);
  g_assert_cmpuint (status->small_chunk_max, ==, ALLSET_SMALL_CHUNK_MAX);
  g_assert_cmpstr (status->receipt_algorithm, ==, "ed25519");
  g_assert_nonnull (status->receipt_public_key);
  g_clear_object (&client);
  g_clear_pointer (&status, allset_server_status_free);

  /* Plain lowercase hex pins the same certificate. */
  hex = g_ascii_strdown (server->fingerprint, -1);
  g_strdelimit (hex, ":", ' ');
  client = allset_client_new (server->url, hex, NULL, &error);
  g_assert_no_error (error);
  status = allset_client_status (client, NULL, &error);
  g_assert_no_error (error);
}

static void
test_tls_untrusted (void)
{
  static const char *wrong = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                             "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";
  const char *pins[] = { NULL, wrong };

  for (guint i = 0; i < G_N_ELEMENTS (pins); i++)
    {
      g_autoptr(AllsetClient) client = NULL;
      g_autoptr(AllsetServerStatus) status = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *seen = NULL;

      client = allset_client_new (server->url, pins[i], NULL, &error);
      g_assert_no_error (error);
      status = allset_client_status (client, NULL, &error);
      g_assert_null (status);
      g_assert_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_UNTRUSTED_CERTIFICATE);
      g_assert_nonnull (strstr (error->message, server->fingerprint));

      seen = allset_client_dup_untrusted_fingerprint (client);
      g_assert_cmpstr (seen, ==, server->fingerprint);
    }
}

static void
test_unreachable (void)
{
  g_autoptr(AllsetClient) client = NULL;
  g_autoptr(AllsetServerStatus) status = NULL;
  g_autoptr(GError) error = NULL;

  client = allset_client_new ("https://127.0.0.1:1/", NULL, NULL, &error);
  g_assert_no_error (error);
  status = allset_client_status (client, NULL, &error);
  g_assert_null (status);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

/* ---- account ------------------------------------------------------------- */

static void
test_login (void)
{
  g_autoptr(AllsetClient) client = test_cli_new_client (server, NULL);
  g_autoptr(AllsetLoginInfo) info = NULL;
  g_autoptr(AllsetAccountInfo) account = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GError) error = NULL;
  gboolean found = FALSE;

  /* Authenticated calls need a token first. */
  account = allset_client_account (client, NULL, &error);
  g_assert_error (error, ALLSET_CLIENT_ERROR, ALLSET_CLIENT_ERROR_NOT_SIGNED_IN);
  g_clear_error (&error);

  info = allset_client_login (client, "alice", "wrong password", "laptop", NULL, &error);
  g_assert_null (info);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_UNAUTHORIZED);
  g_clear_error (&error);
  g_assert_false (allset_client_has_token (client));

  info = allset_client_login (client, "alice", TEST_CLI_PASSWORD, "laptop", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (info->token);
  g_assert_nonnull (info->device_id);
  g_assert_true (allset_client_has_token (client));

  account = allset_client_account (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (account->username, ==, "alice");
  g_assert_cmpstr (account->name, ==, "Alice");
  g_assert_cmpuint (account->quota, ==, G_GUINT64_CONSTANT (1) << 30);

  devices = allset_client_devices (client, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < devices->len; i++)
    {
      AllsetDeviceInfo *device = g_ptr_array_index (devices, i);

      if (g_str_equal (device->device_id, info->device_id))
        {
          g_assert_true (device->current);
          g_assert_cmpstr (device->name, ==, "laptop");
          found = TRUE;
        }
    }
  g_assert_true (found);
}

/* A POST takes an idle connection like any other request: libsoup 3.2
 * would open a new one, with a full TLS handshake, for every POST it is
 * not told may share one (allset-client.c). */
static void
test_connection_reused (void)
{
  g_autoptr(AllsetClient) client = test_cli_new_client (server, NULL);
  g_autoptr(AllsetLoginInfo) info = NULL;
  g_autoptr(AllsetAccountInfo) account = NULL;
  g_autoptr(GError) error = NULL;
  const char *ids[] = { "0000000000000000000000000000000000000000000000000000000000000000" };
  guint before = allset_batching_proxy_get_n_connected ();

  info = allset_client_login (client, "alice", TEST_CLI_PASSWORD, "reuse", NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GPtrArray) missing = allset_client_chunks_missing (client, ids, 1, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (missing->len, ==, 1);
    }
  account = allset_client_account (client, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (allset_batching_proxy_get_n_connected () - before, ==, 1);
}

static void
test_logout_revokes (void)
{
  g_autoptr(AllsetClient) client = test_cli_new_client (server, NULL);
  g_autoptr(AllsetClient) other = NULL;
  g_autoptr(AllsetClient) old = NULL;
  g_autoptr(AllsetLoginInfo) info = NULL;
  g_autoptr(AllsetLoginInfo) other_info = NULL;
  g_autoptr(AllsetAccountInfo) account = NULL;
  g_autoptr(GError) error = NULL;

  info = allset_client_login (client, "alice", TEST_CLI_PASSWORD, "doomed", NULL, &error);
  g_assert_no_error (error);
  old = test_cli_new_client (server, info->token);

  g_assert_true (allset_client_logout (client, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (allset_client_has_token (client));

  account = allset_client_account (old, NULL, &error);
  g_assert_null (account);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_UNAUTHORIZED);
  g_clear_error (&error);

  /* Revoking another device by id. */
  other = test_cli_new_client (server, NULL);
  other_info = allset_client_login (other, "alice", TEST_CLI_PASSWORD, "stolen", NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&client);
  client = test_cli_signed_in (server, "alice");
  g_assert_true (allset_client_device_revoke (client, other_info->device_id, NULL, &error));
  g_assert_no_error (error);
  account = allset_client_account (other, NULL, &error);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_UNAUTHORIZED);
  g_clear_error (&error);

  g_assert_false (allset_client_device_revoke (client, "0000000000000000", NULL, &error));
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND);
}

static void
test_suspended (void)
{
  g_autoptr(AllsetClient) client = test_cli_signed_in (server, "bob");
  g_autoptr(AllsetAccountInfo) account = NULL;
  g_autoptr(GError) error = NULL;

  test_cli_admin (server, "", "suspend", "bob", NULL);
  account = allset_client_account (client, NULL, &error);
  g_assert_null (account);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_ACCOUNT_SUSPENDED);
  g_clear_error (&error);

  test_cli_admin (server, "", "resume", "bob", NULL);
  account = allset_client_account (client, NULL, &error);
  g_assert_no_error (error);
}

static void
test_token_expired (void)
{
  TestCliServer *short_lived = test_cli_server_start ("--token-lifetime=1s");
  g_autoptr(AllsetClient) client = NULL;
  g_autoptr(AllsetAccountInfo) account = NULL;
  g_autoptr(GError) error = NULL;

  test_cli_admin (short_lived, TEST_CLI_PASSWORD "\n", "account-add", "carol", "--name", "Carol",
                  "--email", "carol@example.com", NULL);
  client = test_cli_signed_in (short_lived, "carol");
  g_usleep (2100 * 1000);
  account = allset_client_account (client, NULL, &error);
  g_assert_null (account);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_TOKEN_EXPIRED);

  /* Close our connections first: libsoup 3.2's SoupServer loses the
   * sockets of connections still open when it is torn down. */
  g_clear_object (&client);
  g_usleep (200 * 1000);
  test_cli_server_stop (short_lived);
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
  g_autoptr(AllsetClient) client = test_cli_signed_in (server, "alice");
  g_autoptr(AllsetAccountInfo) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) later = g_date_time_add_minutes (now, 10);
  g_autofree char *until = g_date_time_format (later, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *announced = NULL;
  guint retry;

  test_cli_admin (server, "", "maintenance", "on", "--until", until, "--message", "Disk upgrade", NULL);
  wait_for_maintenance (client, TRUE);

  account = allset_client_account (client, NULL, &error);
  g_assert_null (account);
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_MAINTENANCE);
  g_assert_cmpstr (error->message, ==, "Disk upgrade");
  retry = allset_client_get_retry_after (client, &announced);
  g_assert_cmpuint (retry, >=, 540);
  g_assert_cmpuint (retry, <=, 600);
  g_assert_cmpstr (announced, ==, until);
  g_clear_error (&error);

  test_cli_admin (server, "", "maintenance", "off", NULL);
  wait_for_maintenance (client, FALSE);
  account = allset_client_account (client, NULL, &error);
  g_assert_no_error (error);
}

static void
test_quota (void)
{
  g_autoptr(AllsetClient) client = NULL;
  g_autoptr(GBytes) bytes = test_cli_random_bytes (300 * 1024);
  g_autofree char *id = test_cli_chunk_id (bytes);
  g_autoptr(GError) error = NULL;

  test_cli_add_account (server, "dave", "100K");
  client = test_cli_signed_in (server, "dave");
  g_assert_false (allset_client_chunk_put (client, id, bytes, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_QUOTA_EXCEEDED);
}

int
main (int    argc,
      char **argv)
{
  int status;

  if (!test_cli_init (&argc, &argv, "/client"))
    return g_test_run ();

  server = test_cli_server_start (NULL);
  test_cli_add_account (server, "alice", "1G");
  test_cli_admin (server, TEST_CLI_PASSWORD "\n", "account-add", "bob", "--name", "Bob",
                  "--email", "bob@example.com", NULL);

  g_test_add_func ("/client/tls/pinned", test_tls_pinned);
  g_test_add_func ("/client/tls/untrusted", test_tls_untrusted);
  g_test_add_func ("/client/unreachable", test_unreachable);
  g_test_add_func ("/client/login", test_login);
  g_test_add_func ("/client/connection-reused", test_connection_reused);
  g_test_add_func ("/client/logout-revokes", test_logout_revokes);
  g_test_add_func ("/client/suspended", test_suspended);
  g_test_add_func ("/client/token-expired", test_token_expired);
  g_test_add_func ("/client/maintenance", test_maintenance);
  g_test_add_func ("/client/quota", test_quota);

  status = g_test_run ();
  test_cli_server_stop (server);
  return status;
}
