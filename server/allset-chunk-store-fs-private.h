/* allset-chunk-store-fs-private.h — shared by the allset-chunk-store-fs*.c files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "allset-chunk-store-fs.h"

G_BEGIN_DECLS

struct _AllsetChunkStoreFs
{
  GObject     parent_instance;

  char       *root;
  char       *tmp_dir;

  /* Open packs, so that a download of ten thousand small files does not
   * open a file per chunk (allset-chunk-store-fs-packs.c). */
  GMutex      packs_lock;
  GHashTable *packs;       /* pack id → PackFile */
};

/* An O_DIRECT buffer holds the largest segment record, padded. */
#define ALLSET_CHUNK_STORE_FS_DIRECT_BUFFER (ALLSET_CHUNK_MAX + ALLSET_SEGMENT_ALIGN)

/* ENOSPC and EDQUOT become ALLSET_ERROR_STORAGE_FULL. */
void     allset_chunk_store_fs_errno_error (GError      **error,
                                            int           saved_errno,
                                            const char   *what,
                                            const char   *path);
gboolean allset_chunk_store_fs_sync_dir    (const char   *path,
                                            GError      **error);
/* FALSE with errno set. */
gboolean allset_chunk_store_fs_write_all   (int           fd,
                                            const guint8 *data,
                                            gsize         len);

/* ALLSET_CHUNK_STORE_FS_DIRECT_BUFFER bytes aligned for O_DIRECT, or NULL. */
guint8  *allset_chunk_store_fs_direct_buffer_take (void);
void     allset_chunk_store_fs_direct_buffer_give (guint8 *buffer);

char    *allset_chunk_store_fs_pack_dir    (AllsetChunkStoreFs *self,
                                            gint64              account_id);
char    *allset_chunk_store_fs_pack_path   (AllsetChunkStoreFs *self,
                                            gint64              account_id,
                                            gint64              pack_id);

/* A pack's file, new (O_EXCL) and open for writing; -1 with error set. */
int      allset_chunk_store_fs_pack_create (AllsetChunkStoreFs *self,
                                            gint64              account_id,
                                            gint64              pack_id,
                                            GError            **error);
/* Makes a new pack file's name durable; removes the file if it cannot. */
gboolean allset_chunk_store_fs_pack_settle (AllsetChunkStoreFs *self,
                                            gint64              account_id,
                                            gint64              pack_id,
                                            GError            **error);

void     allset_chunk_store_fs_packs_init  (AllsetChunkStoreFs *self);
void     allset_chunk_store_fs_packs_clear (AllsetChunkStoreFs *self);

gboolean allset_chunk_store_fs_pack_put    (AllsetChunkStore  *store,
                                            gint64             account_id,
                                            gint64             pack_id,
                                            GBytes            *records,
                                            GError           **error);
GBytes  *allset_chunk_store_fs_pack_read   (AllsetChunkStore  *store,
                                            gint64             account_id,
                                            gint64             pack_id,
                                            guint64            offset,
                                            guint32            size,
                                            GError           **error);
gboolean allset_chunk_store_fs_pack_remove (AllsetChunkStore  *store,
                                            gint64             account_id,
                                            gint64             pack_id,
                                            GError           **error);

gboolean allset_chunk_store_fs_segment_create (AllsetChunkStore   *store,
                                               gint64              account_id,
                                               gint64              pack_id,
                                               GError            **error);
gboolean allset_chunk_store_fs_segment_write  (AllsetChunkStore   *store,
                                               gint64              account_id,
                                               gint64              pack_id,
                                               guint64             offset,
                                               const AllsetHash   *id,
                                               GBytes             *data,
                                               guint8             *record,
                                               GError            **error);
gint64   allset_chunk_store_fs_pack_length    (AllsetChunkStore   *store,
                                               gint64              account_id,
                                               gint64              pack_id,
                                               GError            **error);

G_END_DECLS
