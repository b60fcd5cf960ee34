/* allset-io.c — reading all that was asked for
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <unistd.h>

#include "allset-io.h"

gssize
allset_read_full (int      fd,
                  guint8  *buffer,
                  gsize    size,
                  gint64   offset)
{
  gsize total = 0;

  while (total < size)
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
