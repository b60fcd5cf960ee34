/* allset-stream.h — response bodies produced while they are sent
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "allset-bandwidth.h"

G_BEGIN_DECLS

typedef struct _AllsetStream AllsetStream;

/* Runs in a worker thread, one call at a time, in order: returns the next
 * bytes of the body (any non-empty size), or NULL at the end (error
 * unset) or on failure (error set). It may block on disk and SQLite. */
typedef GBytes *(*AllsetStreamReadFunc) (gpointer       source,
                                         GCancellable  *cancellable,
                                         GError       **error);

/* A body of exactly length bytes, read from source; source_free runs once
 * nothing reads any more, on any thread. */
AllsetStream *allset_stream_new  (guint64               length,
                                  AllsetStreamReadFunc  read,
                                  gpointer              source,
                                  GDestroyNotify        source_free);
/* Drops a stream that was never sent. */
void          allset_stream_free (AllsetStream         *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetStream, allset_stream_free)

/* Main loop only. Takes self and sends it as msg's body with a
 * Content-Length: at most two reads are held ahead, the bytes go out in
 * small pieces drawn from bucket (NULL: no cap; it must outlive msg), and
 * everything is freed when msg finishes, a client that went away included.
 * A read that fails mid-body cuts the connection (the status is sent). */
void          allset_stream_send (AllsetStream         *self,
                                  SoupServerMessage    *msg,
                                  AllsetBucket         *bucket);

G_END_DECLS
