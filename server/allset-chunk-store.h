/* allset-chunk-store.h — where the bytes of chunks live
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A small interface so that an S3-compatible backend can replace the
 * embedded file-system one (allset-chunk-store-fs.c) without touching the
 * routes. Implementations block: call them from worker threads.
 *
 * A large chunk is appended to a segment: a pack that stays open for
 * writing a while, whose records start on ALLSET_SEGMENT_ALIGN-byte
 * boundaries (allset-segments.c decides which segment is open and where
 * each record goes). A store without segments keeps a large chunk as an
 * object of its own, named by its id. Small chunks
 * come in packs (POST /api/v1/chunks/pack), and a pack is one object
 * named by the number the store gave it: its records as the client sent
 * them (a 32-byte id, a 4-byte big-endian length, the bytes), so a pack
 * describes itself. The store's registry says at which offset a chunk's
 * bytes start.
 */

#pragma once

#include <gio/gio.h>

#include "allset-protocol.h"

G_BEGIN_DECLS

#define ALLSET_TYPE_CHUNK_STORE (allset_chunk_store_get_type ())
G_DECLARE_INTERFACE (AllsetChunkStore, allset_chunk_store, ALLSET, CHUNK_STORE, GObject)

struct _AllsetChunkStoreInterface
{
  GTypeInterface parent_iface;

  gboolean (*put)    (AllsetChunkStore  *self,
                      gint64             account_id,
                      const AllsetHash  *id,
                      GBytes            *data,
                      GError           **error);
  GBytes  *(*get)    (AllsetChunkStore  *self,
                      gint64             account_id,
                      const AllsetHash  *id,
                      GError           **error);
  gboolean (*remove) (AllsetChunkStore  *self,
                      gint64             account_id,
                      const AllsetHash  *id,
                      GError           **error);

  gboolean (*pack_put)    (AllsetChunkStore  *self,
                           gint64             account_id,
                           gint64             pack_id,
                           GBytes            *records,
                           GError           **error);
  GBytes  *(*pack_read)   (AllsetChunkStore  *self,
                           gint64             account_id,
                           gint64             pack_id,
                           guint64            offset,
                           guint32            size,
                           GError           **error);
  gboolean (*pack_remove) (AllsetChunkStore  *self,
                           gint64             account_id,
                           gint64             pack_id,
                           GError           **error);

  /* Optional: NULL in a store that keeps large chunks as objects. */
  gboolean (*segment_create) (AllsetChunkStore  *self,
                              gint64             account_id,
                              gint64             pack_id,
                              GError           **error);
  gboolean (*segment_write) (AllsetChunkStore  *self,
                             gint64             account_id,
                             gint64             pack_id,
                             guint64            offset,
                             const AllsetHash  *id,
                             GBytes            *data,
                             guint8            *record,
                             GError           **error);
  gint64   (*pack_length)   (AllsetChunkStore  *self,
                             gint64             account_id,
                             gint64             pack_id,
                             GError           **error);
};

/* A pack record's header: the chunk id, then its length (big-endian). */
#define ALLSET_PACK_RECORD_HEADER (ALLSET_HASH_LEN + 4)
/* Where a segment's records start: a block of every common filesystem,
 * so that they can be written with O_DIRECT. */
#define ALLSET_SEGMENT_ALIGN      4096

/* Durable once it returns TRUE: the bytes are on disk under their id. */
gboolean allset_chunk_store_put    (AllsetChunkStore  *self,
                                    gint64             account_id,
                                    const AllsetHash  *id,
                                    GBytes            *data,
                                    GError           **error);
GBytes  *allset_chunk_store_get    (AllsetChunkStore  *self,
                                    gint64             account_id,
                                    const AllsetHash  *id,
                                    GError           **error);
gboolean allset_chunk_store_remove (AllsetChunkStore  *self,
                                    gint64             account_id,
                                    const AllsetHash  *id,
                                    GError           **error);

/* Durable once it returns TRUE. pack_id is new: a pack is written once. */
gboolean allset_chunk_store_pack_put    (AllsetChunkStore  *self,
                                         gint64             account_id,
                                         gint64             pack_id,
                                         GBytes            *records,
                                         GError           **error);
/* The size bytes at offset, which must be those of a record whose header
 * names id and size: a registry pointing anywhere else is an error, not
 * someone else's bytes. */
GBytes  *allset_chunk_store_pack_read   (AllsetChunkStore  *self,
                                         gint64             account_id,
                                         gint64             pack_id,
                                         const AllsetHash  *id,
                                         guint64            offset,
                                         guint32            size,
                                         GError           **error);
/* Removing a pack that is not there succeeds. */
gboolean allset_chunk_store_pack_remove (AllsetChunkStore  *self,
                                         gint64             account_id,
                                         gint64             pack_id,
                                         GError           **error);

gboolean allset_chunk_store_has_segments (AllsetChunkStore  *self);
/* Makes segment pack_id's (empty) object, durable under its name; a
 * pack_id already there is refused. */
gboolean allset_chunk_store_segment_create (AllsetChunkStore  *self,
                                            gint64             account_id,
                                            gint64             pack_id,
                                            GError           **error);
/* Writes the record of chunk id (header, bytes, zeros up to the next
 * ALLSET_SEGMENT_ALIGN boundary) at offset in segment pack_id, which
 * must have been created. Durable once it returns TRUE.
 * Offsets are the caller's to hand out, aligned and never twice; records
 * may be written concurrently and in any order.
 *
 * record is NULL, or a block aligned to ALLSET_SEGMENT_ALIGN that holds
 * data at record + ALLSET_PACK_RECORD_HEADER and reaches the record's
 * padded end (allset_body_collect() makes such blocks): the header and
 * padding are then written into it and the record goes to disk from
 * there, instead of through a copy. */
gboolean allset_chunk_store_segment_write (AllsetChunkStore  *self,
                                           gint64             account_id,
                                           gint64             pack_id,
                                           guint64            offset,
                                           const AllsetHash  *id,
                                           GBytes            *data,
                                           guint8            *record,
                                           GError           **error);

/* How many bytes pack_id's object holds (a segment's may run past its
 * last registered record); -1 with error set. */
gint64   allset_chunk_store_pack_length   (AllsetChunkStore  *self,
                                           gint64             account_id,
                                           gint64             pack_id,
                                           GError           **error);

/* A chunk's bytes wherever the registry put them: in pack pack_id at
 * offset, or (pack_id 0) in an object of its own. */
GBytes  *allset_chunk_store_read        (AllsetChunkStore  *self,
                                         gint64             account_id,
                                         const AllsetHash  *id,
                                         gint64             pack_id,
                                         guint64            offset,
                                         guint32            size,
                                         GError           **error);

G_END_DECLS
