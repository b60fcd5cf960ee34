/* allset-io.h — reading all that was asked for
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Reads up to size bytes of fd into buffer, at offset (pread) or, with
 * offset -1, from its position (read), going on after short reads and
 * EINTR: the count is less than size only at the end of the file. -1 with
 * errno set on an error. */
gssize allset_read_full (int      fd,
                         guint8  *buffer,
                         gsize    size,
                         gint64   offset);
/* Reads from fd's position into buffer (size bytes at most) until at
 * least enough bytes (at least one) are in, or the end of the file:
 * asking for one byte more than a regular file should hold shows that it
 * grew, without the read() returning 0 that would end allset_read_full()
 * (a system call costs more than hashing 4 KiB on this VM). */
gssize allset_read_enough (int      fd,
                           guint8  *buffer,
                           gsize    size,
                           gsize    enough);

G_END_DECLS
