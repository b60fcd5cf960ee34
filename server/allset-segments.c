/* allset-segments.c — which segment a large chunk is appended to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each account has at most one open segment (allset-chunk-store.h). A
 * record's place is handed out under the lock, by moving the segment's
 * end; the bytes are written and synced outside it, side by side with
 * the other uploads', and registered once durable. A record that never
 * gets registered (a failed write, a crash, a chunk another upload
 * registered first) leaves a gap that the collector counts as dead and
 * compacts away. A segment is never reopened: after a restart the next
 * record starts a new one.
 *
 * A gap at a segment's end is past its last registered record, where the
 * collector does not look: when a segment is closed, its size in the
 * store is raised to the end of the places it handed out, and on start,
 * to the length of each account's newest segment's file (the one a crash
 * can have left with records written and never registered).
 */

#include "allset-segments.h"

typedef struct
{
  gint64   account_id;
  gint64   pack_id;
  guint64  end;         /* where the next record goes */
  gint64   opened_at;   /* monotonic µs */
  guint    writers;     /* records handed a place and not yet registered */
  gboolean retired;     /* out of the table: the last writer frees it */
} Segment;

struct _AllsetSegments
{
  GObject           parent_instance;

  AllsetStore      *store;
  AllsetChunkStore *chunks;
  guint64           max_size;

  GMutex            lock;
  GHashTable       *open;   /* account id → Segment */
};

G_DEFINE_FINAL_TYPE (AllsetSegments, allset_segments, G_TYPE_OBJECT)

static guint64
record_size (gsize len)
{
  guint64 record = ALLSET_PACK_RECORD_HEADER + (guint64) len;

  return (record + ALLSET_SEGMENT_ALIGN - 1) & ~(guint64) (ALLSET_SEGMENT_ALIGN - 1);
}

static void
segment_grow (AllsetSegments *self,
              gint64          pack_id,
              guint64         size)
{
  g_autoptr(GError) error = NULL;

  /* Only space is at stake: the next start or compaction tries again. */
  if (!allset_store_pack_grow (self->store, pack_id, size, &error))
    g_message ("Segment %" G_GINT64_FORMAT ": %s", pack_id, error->message);
}

/* Lock held. */
static void
segment_close (AllsetSegments *self,
               Segment        *segment)
{
  if (segment->end > 0)
    segment_grow (self, segment->pack_id, segment->end);
  g_free (segment);
}

/* Lock held. */
static void
segment_release (AllsetSegments *self,
                 Segment        *segment)
{
  if (segment->writers > 0 || !segment->retired)
    return;
  segment_close (self, segment);
}

/* Lock held: no new record goes to it; its last writer frees it. */
static void
segment_retire (AllsetSegments *self,
                Segment        *segment)
{
  g_hash_table_steal (self->open, &segment->account_id);
  segment->retired = TRUE;
  segment_release (self, segment);
}

/* Lock held. The segment that takes a record of record bytes now, or NULL
 * with error set. */
static Segment *
segment_for (AllsetSegments  *self,
             gint64           account_id,
             guint64          record,
             GError         **error)
{
  Segment *segment = g_hash_table_lookup (self->open, &account_id);
  gint64 now = g_get_monotonic_time ();

  if (segment != NULL &&
      ((segment->end > 0 && segment->end + record > self->max_size) ||
       now - segment->opened_at > ALLSET_SEGMENT_MAX_SECONDS * G_USEC_PER_SEC))
    {
      segment_retire (self, segment);
      segment = NULL;
    }

  if (segment == NULL)
    {
      gint64 pack_id = allset_store_segment_new (self->store, account_id, ALLSET_SEGMENT_ALIGN, error);

      /* A row without its file is collected as an empty pack. */
      if (pack_id == 0 ||
          !allset_chunk_store_segment_create (self->chunks, account_id, pack_id, error))
        return NULL;
      segment = g_new0 (Segment, 1);
      segment->account_id = account_id;
      segment->pack_id = pack_id;
      segment->opened_at = now;
      g_hash_table_insert (self->open, &segment->account_id, segment);
    }
  return segment;
}

gboolean
allset_segments_put (AllsetSegments    *self,
                     gint64             account_id,
                     const AllsetHash  *id,
                     GBytes            *data,
                     guint8            *record,
                     GError           **error)
{
  gsize len = g_bytes_get_size (data);
  guint64 size = record_size (len);
  AllsetPackedChunk chunk;
  Segment *segment;
  gboolean ok;

  g_return_val_if_fail (ALLSET_IS_SEGMENTS (self), FALSE);
  g_return_val_if_fail (len > 0 && len <= ALLSET_CHUNK_MAX, FALSE);

  /* A store without segments: the chunk is an object of its own. */
  if (!allset_chunk_store_has_segments (self->chunks))
    return allset_chunk_store_put (self->chunks, account_id, id, data, error) &&
           allset_store_chunk_add (self->store, account_id, id, len, NULL, error);

  g_mutex_lock (&self->lock);
  segment = segment_for (self, account_id, size, error);
  if (segment == NULL)
    {
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  chunk.id = *id;
  chunk.size = len;
  chunk.offset = segment->end + ALLSET_PACK_RECORD_HEADER;
  segment->end += size;
  segment->writers++;
  g_mutex_unlock (&self->lock);

  /* The row is written only once the bytes are durable, so a registered
   * chunk always has its bytes, even after a crash in between. */
  ok = allset_chunk_store_segment_write (self->chunks, account_id, segment->pack_id,
                                         chunk.offset - ALLSET_PACK_RECORD_HEADER, id, data, record,
                                         error) &&
       allset_store_chunks_add_packed (self->store, account_id, segment->pack_id,
                                       chunk.offset - ALLSET_PACK_RECORD_HEADER + size,
                                       &chunk, 1, error);

  g_mutex_lock (&self->lock);
  segment->writers--;
  segment_release (self, segment);
  g_mutex_unlock (&self->lock);
  return ok;
}

static void
allset_segments_finalize (GObject *object)
{
  AllsetSegments *self = ALLSET_SEGMENTS (object);
  GHashTableIter iter;
  Segment *segment;

  /* Every put has returned: nothing writes any more. */
  g_hash_table_iter_init (&iter, self->open);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &segment))
    segment_close (self, segment);
  g_hash_table_unref (self->open);
  g_mutex_clear (&self->lock);
  g_clear_object (&self->chunks);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (allset_segments_parent_class)->finalize (object);
}

static void
allset_segments_class_init (AllsetSegmentsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = allset_segments_finalize;
}

static void
allset_segments_init (AllsetSegments *self)
{
  g_mutex_init (&self->lock);
  self->open = g_hash_table_new (g_int64_hash, g_int64_equal);
}

/* Blocks: made once, before the server takes requests. */
static void
settle_newest (AllsetSegments *self)
{
  g_autoptr(GArray) newest = NULL;
  g_autoptr(GError) error = NULL;

  if (!allset_chunk_store_has_segments (self->chunks))
    return;
  newest = allset_store_segments_newest (self->store, &error);
  if (newest == NULL)
    {
      g_message ("Cannot list the segments: %s", error->message);
      return;
    }
  for (guint i = 0; i < newest->len; i++)
    {
      const AllsetPackKey *key = &g_array_index (newest, AllsetPackKey, i);
      g_autoptr(GError) length_error = NULL;
      gint64 length = allset_chunk_store_pack_length (self->chunks, key->account_id, key->pack_id,
                                                      &length_error);

      /* No file: its first record never came, and the row is collected. */
      if (length > 0)
        segment_grow (self, key->pack_id, length);
    }
}

AllsetSegments *
allset_segments_new (AllsetStore      *store,
                     AllsetChunkStore *chunks,
                     guint64           max_size)
{
  AllsetSegments *self;

  g_return_val_if_fail (ALLSET_IS_STORE (store), NULL);
  g_return_val_if_fail (ALLSET_IS_CHUNK_STORE (chunks), NULL);
  g_return_val_if_fail (max_size >= record_size (ALLSET_CHUNK_MAX), NULL);

  self = g_object_new (ALLSET_TYPE_SEGMENTS, NULL);
  self->store = g_object_ref (store);
  self->chunks = g_object_ref (chunks);
  self->max_size = max_size;
  settle_newest (self);
  return self;
}
