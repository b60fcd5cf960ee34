/* allset-read-ahead-stream.h — a TCP stream that reads 64 KiB at a time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GnuTLS reads each TLS record in two recv() calls, its 5-byte header and
 * then its body, and libsoup 3.2's clients send a request body in 8 KiB
 * records: 262 144 system calls per GiB uploaded, all on the server's
 * main thread. Put under the TLS layer, this stream reads up to
 * ALLSET_READ_AHEAD_STREAM_SIZE bytes at once and serves those calls from
 * memory (bench/RESULTS.md, session 14). Writes go straight to the base.
 *
 * Reads are never concurrent (GTlsConnection takes one at a time), so
 * the buffer has no lock.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ALLSET_READ_AHEAD_STREAM_SIZE (64 * 1024)

/* base: a connected stream whose input and output are pollable (a
 * GSocketConnection). A GSimpleIOStream whose input reads ahead and whose
 * output is base's; closing it closes base. */
GIOStream *allset_read_ahead_stream_new           (GIOStream *base);
/* Tests and figures: how many reads stream made from its base. */
guint64    allset_read_ahead_stream_get_n_reads    (GIOStream *stream);
/* Tests: whether stream holds its buffer, which it lets go whenever the
 * socket has nothing more for now. */
gboolean   allset_read_ahead_stream_holds_buffer   (GIOStream *stream);

G_END_DECLS
