/* test-bandwidth.c — token buckets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "allset-bandwidth.h"

#define SECOND G_GINT64_CONSTANT (1000000)

static void
test_unlimited (void)
{
  g_autoptr(AllsetBucket) bucket = allset_bucket_new (0, 0);

  g_assert_cmpint (allset_bucket_consume (bucket, G_GUINT64_CONSTANT (1) << 40, SECOND), ==, 0);
  g_assert_cmpint (allset_bucket_wait (bucket, SECOND), ==, 0);
}

static void
test_burst_then_wait (void)
{
  /* 8 Mbit/s = 1 000 000 bytes per second, 100 000 bytes of burst. */
  g_autoptr(AllsetBucket) bucket = allset_bucket_new (8000000, 100000);
  gint64 wait;

  g_assert_cmpint (allset_bucket_consume (bucket, 100000, SECOND), ==, 0);

  /* 500 000 bytes of debt take half a second to pay back. */
  wait = allset_bucket_consume (bucket, 500000, SECOND);
  g_assert_cmpint (wait, >=, SECOND / 2 - 10);
  g_assert_cmpint (wait, <=, SECOND / 2 + 10);

  g_assert_cmpint (allset_bucket_wait (bucket, SECOND + SECOND / 4), >, 0);
  g_assert_cmpint (allset_bucket_wait (bucket, SECOND + SECOND / 2 + 10), ==, 0);
}

static void
test_refill_is_capped (void)
{
  g_autoptr(AllsetBucket) bucket = allset_bucket_new (8000000, 100000);

  allset_bucket_consume (bucket, 0, SECOND);
  /* An hour idle does not let an hour's worth through at once. */
  g_assert_cmpint (allset_bucket_consume (bucket, 100000, 3600 * SECOND), ==, 0);
  g_assert_cmpint (allset_bucket_consume (bucket, 100000, 3600 * SECOND), >, 0);
}

static void
test_long_run_rate (void)
{
  /* 100 Mbit/s, the default cap (terms R5): moving 125 MB in 64 KiB pieces,
   * waiting as told, takes 10 s of simulated time, within 1 %. */
  g_autoptr(AllsetBucket) bucket = allset_bucket_new (100000000, 3125000);
  gint64 now = SECOND;
  guint64 moved = 0;
  gint64 start = now;

  while (moved < 125000000)
    {
      now += allset_bucket_consume (bucket, 65536, now);
      moved += 65536;
    }

  g_assert_cmpfloat_with_epsilon ((now - start) / (double) SECOND, 10.0 - 0.25, 0.1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/bandwidth/unlimited", test_unlimited);
  g_test_add_func ("/bandwidth/burst-then-wait", test_burst_then_wait);
  g_test_add_func ("/bandwidth/refill-capped", test_refill_is_capped);
  g_test_add_func ("/bandwidth/long-run-rate", test_long_run_rate);

  return g_test_run ();
}
