/* test-io.c — allset_read_full() and allset_read_enough()
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * On a pipe, where a read() past what was written blocks: read_enough()
 * must not ask again once it has enough (the scanner's small files save
 * that system call), and read_full() goes on after short reads.
 */

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "allset-io.h"

static void
test_enough_stops (void)
{
  guint8 buffer[16];
  int fds[2];

  g_assert_cmpint (pipe (fds), ==, 0);
  g_assert_cmpint (write (fds[1], "abcdef", 6), ==, 6);
  /* The writer stays open: one read() more would block the test. */
  g_assert_cmpint (allset_read_enough (fds[0], buffer, sizeof buffer, 6), ==, 6);
  g_assert_cmpmem (buffer, 6, "abcdef", 6);

  /* Short reads: it goes on until enough is in. */
  g_assert_cmpint (write (fds[1], "gh", 2), ==, 2);
  g_assert_cmpint (fcntl (fds[0], F_SETFL, O_NONBLOCK), ==, 0);
  g_assert_cmpint (allset_read_enough (fds[0], buffer, sizeof buffer, 1), ==, 2);

  /* The end comes first: what there was. */
  g_assert_cmpint (fcntl (fds[0], F_SETFL, 0), ==, 0);
  g_assert_cmpint (write (fds[1], "ij", 2), ==, 2);
  close (fds[1]);
  g_assert_cmpint (allset_read_enough (fds[0], buffer, sizeof buffer, 5), ==, 2);
  g_assert_cmpmem (buffer, 2, "ij", 2);
  g_assert_cmpint (allset_read_enough (fds[0], buffer, sizeof buffer, 5), ==, 0);
  close (fds[0]);
}

static gpointer
write_slowly (gpointer data)
{
  int fd = GPOINTER_TO_INT (data);

  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpint (write (fd, "0123", 4), ==, 4);
      g_usleep (5000);
    }
  close (fd);
  return NULL;
}

static void
test_full_goes_on (void)
{
  guint8 buffer[32];
  g_autoptr(GThread) writer = NULL;
  int fds[2];

  g_assert_cmpint (pipe (fds), ==, 0);
  writer = g_thread_new ("writer", write_slowly, GINT_TO_POINTER (fds[1]));
  g_assert_cmpint (allset_read_full (fds[0], buffer, sizeof buffer, -1), ==, 16);
  g_assert_cmpmem (buffer, 16, "0123012301230123", 16);
  g_thread_join (g_steal_pointer (&writer));
  close (fds[0]);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/io/enough-stops", test_enough_stops);
  g_test_add_func ("/io/full-goes-on", test_full_goes_on);

  return g_test_run ();
}
