/* allset-segments.h — which segment a large chunk is appended to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "allset-chunk-store.h"
#include "allset-store.h"

G_BEGIN_DECLS

/* A segment stops taking records past this size or this age. The size
 * bounds what compacting one costs (allset-pack-collect.c reads its live
 * records into memory); the age keeps an open segment far younger than
 * ALLSET_STORE_CHUNK_GRACE, so the collector never weighs one that is
 * still being written. */
#define ALLSET_SEGMENT_MAX_SIZE    (32 * 1024 * 1024)
#define ALLSET_SEGMENT_MAX_SECONDS (10 * 60)

#define ALLSET_TYPE_SEGMENTS (allset_segments_get_type ())
G_DECLARE_FINAL_TYPE (AllsetSegments, allset_segments, ALLSET, SEGMENTS, GObject)

/* Blocks (a few queries and stat()s): on start, the end of each
 * account's newest segment is counted, written or not. */
AllsetSegments *allset_segments_new (AllsetStore       *store,
                                     AllsetChunkStore  *chunks,
                                     guint64            max_size);

/* Stores a large chunk whose bytes hash to id and registers it, blocking:
 * call it from a worker. Its record goes at the end of the account's open
 * segment, written concurrently with the other records there. record:
 * NULL, or data's block laid out as its record (allset-chunk-store.h). */
gboolean        allset_segments_put (AllsetSegments    *self,
                                     gint64             account_id,
                                     const AllsetHash  *id,
                                     GBytes            *data,
                                     guint8            *record,
                                     GError           **error);

G_END_DECLS
