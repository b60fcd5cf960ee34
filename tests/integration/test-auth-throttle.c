/* test-auth-throttle.c — the login throttle, per account and per address
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Failed logins are counted per account *and per client address*, and
 * either count refuses the next attempt (429 too_many_attempts with a
 * Retry-After) even with the right password. Each case starts a server of
 * its own, as the counts it builds up would refuse the logins of any other
 * case, and poses as other client addresses (127.0.0.2 and up) to tell
 * the two counts apart. Apart from test-auth.c, whose shared server must
 * see fewer than 5 failed logins in all.
 */

#include <string.h>

#include "allset-test-server.h"

static void
test_login_throttled (void)
{
  g_autoptr(AllsetTestServer) s = allset_test_server_new_full (NULL, 0);
  g_autoptr(AllsetTestResponse) blocked = NULL;
  g_autoptr(AllsetTestResponse) other = NULL;
  gint64 retry_after;

  allset_test_server_add_account (s, "tina", "password of tina", NULL);
  allset_test_server_add_account (s, "tom", "password of tom", NULL);

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(AllsetTestResponse) r = allset_test_login_raw (s, "tina", "wrong password", "laptop");

      allset_test_assert_error (r, 401, "unauthorized");
    }

  /* The sixth attempt is refused even with the right password. */
  blocked = allset_test_login_raw (s, "tina", "password of tina", "laptop");
  allset_test_assert_error (blocked, 429, "too_many_attempts");
  g_assert_nonnull (allset_test_response_header (blocked, "Retry-After"));
  retry_after = g_ascii_strtoll (allset_test_response_header (blocked, "Retry-After"), NULL, 10);
  g_assert_cmpint (retry_after, >=, 1);
  g_assert_cmpint (retry_after, <=, 300);

  /* The client address is throttled too, whoever it signs in as. */
  other = allset_test_login_raw (s, "tom", "password of tom", "laptop");
  allset_test_assert_error (other, 429, "too_many_attempts");
}

/* POST /api/v1/login from the client address ip (127.x.y.z). */
static AllsetTestResponse *
login_from (AllsetTestServer *s,
            const char       *ip,
            const char       *username,
            const char       *password)
{
  g_autoptr(SoupSession) session = allset_test_server_new_session_from (s, ip);
  g_autofree char *json = g_strdup_printf ("{\"username\": \"%s\", \"password\": \"%s\", "
                                           "\"device_name\": \"laptop\"}", username, password);
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));

  return allset_test_request (s, session, "POST", "/api/v1/login", NULL,
                              "application/json; charset=utf-8", body, NULL);
}

static void
assert_throttled (AllsetTestResponse *r)
{
  const char *retry_after;
  gint64 seconds;

  allset_test_assert_error (r, 429, "too_many_attempts");
  retry_after = allset_test_response_header (r, "Retry-After");
  g_assert_nonnull (retry_after);
  seconds = g_ascii_strtoll (retry_after, NULL, 10);
  g_assert_cmpint (seconds, >=, 1);
  g_assert_cmpint (seconds, <=, 300);
}

/* Failures for one account spread over five addresses, one each: no
 * address comes near its limit, so only the account's own count can
 * refuse the next attempt. */
static void
test_login_throttled_account (void)
{
  g_autoptr(AllsetTestServer) s = allset_test_server_new_full (NULL, 0);
  g_autoptr(AllsetTestResponse) blocked = NULL;
  g_autoptr(AllsetTestResponse) other_fresh = NULL;
  g_autoptr(AllsetTestResponse) other_same = NULL;
  g_autoptr(AllsetTestResponse) other_failed = NULL;

  allset_test_server_add_account (s, "una", "password of una", NULL);
  allset_test_server_add_account (s, "ulf", "password of ulf", NULL);

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *ip = g_strdup_printf ("127.0.0.%u", 2 + i);
      g_autoptr(AllsetTestResponse) r = login_from (s, ip, "una", "wrong password");

      allset_test_assert_error (r, 401, "unauthorized");
    }

  /* The right password, from an address that never failed. */
  blocked = login_from (s, "127.0.0.7", "una", "password of una");
  assert_throttled (blocked);

  /* Another account signs in, from a fresh address, from the one that was
   * just refused, and from one with a failure on record. */
  other_fresh = login_from (s, "127.0.0.8", "ulf", "password of ulf");
  allset_test_assert_status (other_fresh, 200);
  other_same = login_from (s, "127.0.0.7", "ulf", "password of ulf");
  allset_test_assert_status (other_same, 200);
  other_failed = login_from (s, "127.0.0.2", "ulf", "password of ulf");
  allset_test_assert_status (other_failed, 200);
}

/* The converse: one address fails once against each of five accounts
 * (known or not), so no account comes near its limit. */
static void
test_login_throttled_address (void)
{
  g_autoptr(AllsetTestServer) s = allset_test_server_new_full (NULL, 0);
  const char *const usernames[] = { "vic", "val", "nobody1", "nobody2", "nobody3" };
  g_autoptr(AllsetTestResponse) blocked = NULL;
  g_autoptr(AllsetTestResponse) elsewhere = NULL;

  allset_test_server_add_account (s, "vic", "password of vic", NULL);
  allset_test_server_add_account (s, "val", "password of val", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (usernames); i++)
    {
      g_autoptr(AllsetTestResponse) r = login_from (s, "127.0.0.9", usernames[i], "wrong password");

      allset_test_assert_error (r, 401, "unauthorized");
    }

  blocked = login_from (s, "127.0.0.9", "vic", "password of vic");
  assert_throttled (blocked);

  /* The same account from another address: its one failure blocks nothing. */
  elsewhere = login_from (s, "127.0.0.10", "vic", "password of vic");
  allset_test_assert_status (elsewhere, 200);
}

int
main (int    argc,
      char **argv)
{
  allset_test_init (&argc, &argv);

  g_test_add_func ("/auth/login-throttled", test_login_throttled);
  g_test_add_func ("/auth/login-throttled-account", test_login_throttled_account);
  g_test_add_func ("/auth/login-throttled-address", test_login_throttled_address);

  return g_test_run ();
}
