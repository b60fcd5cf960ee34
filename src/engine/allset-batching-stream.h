/* allset-batching-stream.h — a TCP stream that sends small writes together
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libsoup 3.2 writes every request body through GLib's
 * g_output_stream_splice(), 8 KiB at a time, and the TLS layer turns each
 * of those writes into one record and one send(): 131 072 system calls and
 * loopback packets per GiB uploaded, each one also waking the server. Put
 * under the TLS layer, this stream gathers what is written into sends of
 * up to ALLSET_BATCHING_STREAM_SIZE bytes (bench/RESULTS.md, session 13).
 *
 * Nothing waits on a timer: what is gathered is sent as soon as the
 * buffer is full, the stream is flushed or closed, or anything is read
 * from it. A request/response protocol always reads after it writes
 * (the TLS handshake and HTTP alike), so nothing it wrote is ever held
 * back while it waits for the answer.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ALLSET_BATCHING_STREAM_SIZE (64 * 1024)

#define ALLSET_TYPE_BATCHING_STREAM (allset_batching_stream_get_type ())
G_DECLARE_FINAL_TYPE (AllsetBatchingStream, allset_batching_stream, ALLSET, BATCHING_STREAM, GIOStream)

/* base: a connected stream whose input and output are pollable (a
 * GSocketConnection). */
GIOStream *allset_batching_stream_new            (GIOStream            *base);
GIOStream *allset_batching_stream_get_base       (AllsetBatchingStream *self);
/* Tests and figures: how many sends the stream made to its base. */
guint64    allset_batching_stream_get_n_sends    (AllsetBatchingStream *self);

G_END_DECLS
