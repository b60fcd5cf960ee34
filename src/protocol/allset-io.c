/* allset-io.c — reading all that was asked for
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <unistd.h>

#include "allset-io.h"

static gssize
read_loop (int      fd,
           guint8  *buffer,
           gsize    size,
           gsize    enough,
           gint64   offset)
{
  gsize total = 0;

  while (total < enough)
    {
      gssize n = offset < 0 ? read (fd, buffer + total, size - total)
                            : pread (fd, buffer + total, size - total, offset + total);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      if (n == 0)
        break;
      total += n;
    }
  return total;
}

gssize
allset_read_full (int      fd,
                  guint8  *buffer,
                  gsize    size,
                  gint64   offset)
{
  return read_loop (fd, buffer, size, size, offset);
}

gssize
allset_read_enough (int      fd,
                    guint8  *buffer,
                    gsize    size,
                    gsize    enough)
{
  g_return_val_if_fail (enough <= size, -1);
  return read_loop (fd, buffer, size, MAX (enough, 1), -1);
}
