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

G_END_DECLS
