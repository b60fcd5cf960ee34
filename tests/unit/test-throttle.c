/* test-throttle.c — login throttling
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "allset-throttle.h"

static void
fail_n (AllsetThrottle *throttle, const char *key, guint n, gint64 start)
{
  for (guint i = 0; i < n; i++)
    allset_throttle_fail (throttle, key, start + i);
}

static void
test_block (void)
{
  g_autoptr(AllsetThrottle) throttle = allset_throttle_new (5, 300);
  guint64 retry_after = 42;

  g_assert_true (allset_throttle_check (throttle, "user:alice", 1000, &retry_after));
  g_assert_cmpuint (retry_after, ==, 0);

  fail_n (throttle, "user:alice", 4, 1000);
  g_assert_true (allset_throttle_check (throttle, "user:alice", 1004, &retry_after));

  allset_throttle_fail (throttle, "user:alice", 1004);
  g_assert_false (allset_throttle_check (throttle, "user:alice", 1004, &retry_after));
  /* The first failure (t = 1000) leaves the window at 1300. */
  g_assert_cmpuint (retry_after, ==, 296);
  g_assert_false (allset_throttle_check (throttle, "user:alice", 1100, NULL));
}

static void
test_window_slides (void)
{
  g_autoptr(AllsetThrottle) throttle = allset_throttle_new (5, 300);
  guint64 retry_after = 0;

  fail_n (throttle, "user:alice", 5, 1000);   /* 1000 … 1004 */

  g_assert_false (allset_throttle_check (throttle, "user:alice", 1299, &retry_after));
  g_assert_cmpuint (retry_after, ==, 1);
  g_assert_true (allset_throttle_check (throttle, "user:alice", 1300, &retry_after));
  g_assert_cmpuint (retry_after, ==, 0);

  /* 1001 … 1004 still count: one more failure blocks again, until 1301. */
  allset_throttle_fail (throttle, "user:alice", 1300);
  g_assert_false (allset_throttle_check (throttle, "user:alice", 1300, &retry_after));
  g_assert_cmpuint (retry_after, ==, 1);
  g_assert_true (allset_throttle_check (throttle, "user:alice", 1301, NULL));

  /* Long after, the key is forgotten altogether. */
  g_assert_true (allset_throttle_check (throttle, "user:alice", 5000, NULL));
  g_assert_cmpuint (allset_throttle_get_n_keys (throttle), ==, 0);
}

static void
test_spread_failures (void)
{
  g_autoptr(AllsetThrottle) throttle = allset_throttle_new (3, 60);

  /* One failure a minute never reaches three within a minute. */
  for (gint64 t = 0; t < 3600; t += 60)
    {
      allset_throttle_fail (throttle, "ip:192.0.2.7", t);
      g_assert_true (allset_throttle_check (throttle, "ip:192.0.2.7", t, NULL));
    }
  /* Three within the minute do. */
  fail_n (throttle, "ip:192.0.2.7", 3, 3600);
  g_assert_false (allset_throttle_check (throttle, "ip:192.0.2.7", 3602, NULL));
}

static void
test_reset (void)
{
  g_autoptr(AllsetThrottle) throttle = allset_throttle_new (5, 300);

  fail_n (throttle, "user:alice", 5, 1000);
  g_assert_false (allset_throttle_check (throttle, "user:alice", 1005, NULL));
  allset_throttle_reset (throttle, "user:alice");
  g_assert_true (allset_throttle_check (throttle, "user:alice", 1005, NULL));
  g_assert_cmpuint (allset_throttle_get_n_keys (throttle), ==, 0);

  /* The count starts again from zero. */
  fail_n (throttle, "user:alice", 4, 1006);
  g_assert_true (allset_throttle_check (throttle, "user:alice", 1010, NULL));

  allset_throttle_reset (throttle, "user:nobody");
}

static void
test_key_isolation (void)
{
  g_autoptr(AllsetThrottle) throttle = allset_throttle_new (5, 300);

  fail_n (throttle, "user:alice", 5, 1000);
  fail_n (throttle, "ip:192.0.2.7", 2, 1000);

  g_assert_false (allset_throttle_check (throttle, "user:alice", 1010, NULL));
  g_assert_true (allset_throttle_check (throttle, "user:bob", 1010, NULL));
  g_assert_true (allset_throttle_check (throttle, "ip:192.0.2.7", 1010, NULL));
  g_assert_true (allset_throttle_check (throttle, "ip:192.0.2.8", 1010, NULL));
  g_assert_true (allset_throttle_check (throttle, "user:Alice", 1010, NULL));
}

static void
test_disabled (void)
{
  g_autoptr(AllsetThrottle) throttle = allset_throttle_new (0, 300);

  fail_n (throttle, "user:alice", 100, 1000);
  g_assert_true (allset_throttle_check (throttle, "user:alice", 1100, NULL));
  g_assert_cmpuint (allset_throttle_get_n_keys (throttle), ==, 0);
}

static void
test_bounded (void)
{
  g_autoptr(AllsetThrottle) throttle = allset_throttle_new (1, 300);
  char key[32];

  allset_throttle_set_max_keys (throttle, 3);
  for (guint i = 0; i < 5; i++)
    {
      g_snprintf (key, sizeof key, "ip:10.0.0.%u", i);
      allset_throttle_fail (throttle, key, 1000 + i);
    }
  g_assert_cmpuint (allset_throttle_get_n_keys (throttle), ==, 3);

  /* The keys with the oldest failures went first. */
  g_assert_true (allset_throttle_check (throttle, "ip:10.0.0.0", 1005, NULL));
  g_assert_true (allset_throttle_check (throttle, "ip:10.0.0.1", 1005, NULL));
  g_assert_false (allset_throttle_check (throttle, "ip:10.0.0.2", 1005, NULL));
  g_assert_false (allset_throttle_check (throttle, "ip:10.0.0.4", 1005, NULL));

  /* A new failure of an old key makes it the youngest. */
  allset_throttle_fail (throttle, "ip:10.0.0.2", 1006);
  allset_throttle_fail (throttle, "ip:10.0.0.9", 1007);
  g_assert_false (allset_throttle_check (throttle, "ip:10.0.0.2", 1007, NULL));
  g_assert_true (allset_throttle_check (throttle, "ip:10.0.0.3", 1007, NULL));

  /* Lowering the cap evicts at once. */
  allset_throttle_set_max_keys (throttle, 1);
  g_assert_cmpuint (allset_throttle_get_n_keys (throttle), ==, 1);
  g_assert_false (allset_throttle_check (throttle, "ip:10.0.0.9", 1007, NULL));
}

static void
test_prune (void)
{
  g_autoptr(AllsetThrottle) throttle = allset_throttle_new (5, 300);
  char key[32];

  for (guint i = 0; i < 1000; i++)
    {
      g_snprintf (key, sizeof key, "ip:10.0.%u.%u", i / 256, i % 256);
      allset_throttle_fail (throttle, key, i);
    }
  g_assert_cmpuint (allset_throttle_get_n_keys (throttle), ==, 300);
}

static gpointer
hammer (gpointer data)
{
  AllsetThrottle *throttle = data;
  char key[32];

  for (guint i = 0; i < 20000; i++)
    {
      g_snprintf (key, sizeof key, "user:u%u", g_random_int_range (0, 500));
      if (i % 3 == 0)
        allset_throttle_reset (throttle, key);
      else if (allset_throttle_check (throttle, key, i / 10, NULL))
        allset_throttle_fail (throttle, key, i / 10);
    }
  return NULL;
}

static void
test_threads (void)
{
  g_autoptr(AllsetThrottle) throttle = allset_throttle_new (3, 60);
  GThread *threads[4];

  allset_throttle_set_max_keys (throttle, 200);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("hammer", hammer, throttle);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  g_assert_cmpuint (allset_throttle_get_n_keys (throttle), <=, 200);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/throttle/block", test_block);
  g_test_add_func ("/throttle/window-slides", test_window_slides);
  g_test_add_func ("/throttle/spread-failures", test_spread_failures);
  g_test_add_func ("/throttle/reset", test_reset);
  g_test_add_func ("/throttle/key-isolation", test_key_isolation);
  g_test_add_func ("/throttle/disabled", test_disabled);
  g_test_add_func ("/throttle/bounded", test_bounded);
  g_test_add_func ("/throttle/prune", test_prune);
  g_test_add_func ("/throttle/threads", test_threads);

  return g_test_run ();
}
