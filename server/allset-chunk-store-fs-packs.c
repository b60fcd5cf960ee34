/* allset-chunk-store-fs-packs.c — packs of small chunks as files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A pack is ROOT/ACCOUNT/packs/ID.pack, written once with one write and
 * one fdatasync: a pack of 4 000 small files costs what one large chunk
 * costs. It is created under its final name and not renamed into place:
 * no row points into it until the write is durable, and the store
 * collects a pack row whose file never came (allset-pack-collect.c).
 */

#define _GNU_SOURCE 1

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "allset-chunk-store-fs-private.h"

/* Enough for the packs one download reads from at a time; past it the
 * cache starts over rather than keeping an LRU. */
#define PACKS_OPEN_MAX 32

typedef struct
{
  int      fd;
  gint64   account_id;
  gboolean dropped;   /* out of the cache: the last reader closes it */
  guint    readers;
} PackFile;

static void
pack_file_close (PackFile *file)
{
  close (file->fd);
  g_free (file);
}

/* Lock held. */
static void
pack_file_drop (PackFile *file)
{
  file->dropped = TRUE;
  if (file->readers == 0)
    pack_file_close (file);
}

void
allset_chunk_store_fs_packs_init (AllsetChunkStoreFs *self)
{
  g_mutex_init (&self->packs_lock);
  self->packs = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                       (GDestroyNotify) pack_file_drop);
}

void
allset_chunk_store_fs_packs_clear (AllsetChunkStoreFs *self)
{
  g_clear_pointer (&self->packs, g_hash_table_unref);
  g_mutex_clear (&self->packs_lock);
}

char *
allset_chunk_store_fs_pack_dir (AllsetChunkStoreFs *self,
                                gint64              account_id)
{
  char account[32];

  g_snprintf (account, sizeof account, "%" G_GINT64_FORMAT, account_id);
  return g_build_filename (self->root, account, "packs", NULL);
}

char *
allset_chunk_store_fs_pack_path (AllsetChunkStoreFs *self,
                                 gint64              account_id,
                                 gint64              pack_id)
{
  g_autofree char *dir = allset_chunk_store_fs_pack_dir (self, account_id);
  char name[40];

  g_snprintf (name, sizeof name, "%" G_GINT64_FORMAT ".pack", pack_id);
  return g_build_filename (dir, name, NULL);
}

int
allset_chunk_store_fs_pack_create (AllsetChunkStoreFs  *self,
                                   gint64               account_id,
                                   gint64               pack_id,
                                   GError             **error)
{
  g_autofree char *dir = allset_chunk_store_fs_pack_dir (self, account_id);
  g_autofree char *path = allset_chunk_store_fs_pack_path (self, account_id, pack_id);
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      allset_chunk_store_fs_errno_error (error, errno, "Cannot create", dir);
      return -1;
    }

  /* O_EXCL: a pack is written once; a file already there is not ours to
   * overwrite (a restored database handing out old numbers again). */
  fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    allset_chunk_store_fs_errno_error (error, errno, "Cannot create", path);
  return fd;
}

gboolean
allset_chunk_store_fs_pack_settle (AllsetChunkStoreFs  *self,
                                   gint64               account_id,
                                   gint64               pack_id,
                                   GError             **error)
{
  g_autofree char *dir = allset_chunk_store_fs_pack_dir (self, account_id);

  /* The name must survive a crash as surely as the bytes. */
  if (!allset_chunk_store_fs_sync_dir (dir, error))
    {
      g_autofree char *path = allset_chunk_store_fs_pack_path (self, account_id, pack_id);

      g_unlink (path);
      return FALSE;
    }
  return TRUE;
}

gboolean
allset_chunk_store_fs_pack_put (AllsetChunkStore  *store,
                                gint64             account_id,
                                gint64             pack_id,
                                GBytes            *records,
                                GError           **error)
{
  AllsetChunkStoreFs *self = ALLSET_CHUNK_STORE_FS (store);
  gsize len;
  const guint8 *data = g_bytes_get_data (records, &len);
  int fd = allset_chunk_store_fs_pack_create (self, account_id, pack_id, error);

  if (fd < 0)
    return FALSE;
  if (!allset_chunk_store_fs_write_all (fd, data, len) || fdatasync (fd) != 0)
    {
      int saved_errno = errno;
      g_autofree char *path = allset_chunk_store_fs_pack_path (self, account_id, pack_id);

      close (fd);
      g_unlink (path);
      allset_chunk_store_fs_errno_error (error, saved_errno, "Cannot write", path);
      return FALSE;
    }
  close (fd);
  return allset_chunk_store_fs_pack_settle (self, account_id, pack_id, error);
}

static PackFile *
pack_file_get (AllsetChunkStoreFs  *self,
               gint64               account_id,
               gint64               pack_id,
               GError             **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->packs_lock);
  PackFile *file = g_hash_table_lookup (self->packs, &pack_id);

  /* Pack numbers are unique across accounts, but the path has the
   * account in it: an open pack must answer only as that path would. */
  if (file != NULL && file->account_id != account_id)
    file = NULL;

  if (file == NULL)
    {
      g_autofree char *path = allset_chunk_store_fs_pack_path (self, account_id, pack_id);
      int fd = open (path, O_RDONLY | O_CLOEXEC);

      if (fd < 0)
        {
          g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INTERNAL,
                       "Cannot open %s: %s", path, g_strerror (errno));
          return NULL;
        }
      if (g_hash_table_size (self->packs) >= PACKS_OPEN_MAX)
        g_hash_table_remove_all (self->packs);
      file = g_new0 (PackFile, 1);
      file->fd = fd;
      file->account_id = account_id;
      g_hash_table_insert (self->packs, g_memdup2 (&pack_id, sizeof pack_id), file);
    }
  file->readers++;
  return file;
}

static void
pack_file_release (AllsetChunkStoreFs *self,
                   PackFile           *file)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->packs_lock);

  if (--file->readers == 0 && file->dropped)
    pack_file_close (file);
}

GBytes *
allset_chunk_store_fs_pack_read (AllsetChunkStore  *store,
                                 gint64             account_id,
                                 gint64             pack_id,
                                 guint64            offset,
                                 guint32            size,
                                 GError           **error)
{
  AllsetChunkStoreFs *self = ALLSET_CHUNK_STORE_FS (store);
  PackFile *file = pack_file_get (self, account_id, pack_id, error);
  g_autofree guint8 *buffer = NULL;
  gsize done = 0;

  if (file == NULL)
    return NULL;

  buffer = g_malloc (MAX (size, 1));
  while (done < size)
    {
      ssize_t n = pread (file->fd, buffer + done, size - done, offset + done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_INTERNAL,
                       "Pack %" G_GINT64_FORMAT " of account %" G_GINT64_FORMAT
                       " is short at %" G_GUINT64_FORMAT ": %s", pack_id, account_id,
                       offset + done, n < 0 ? g_strerror (errno) : "end of file");
          pack_file_release (self, file);
          return NULL;
        }
      done += n;
    }

  pack_file_release (self, file);
  return g_bytes_new_take (g_steal_pointer (&buffer), size);
}

gboolean
allset_chunk_store_fs_pack_remove (AllsetChunkStore  *store,
                                   gint64             account_id,
                                   gint64             pack_id,
                                   GError           **error)
{
  AllsetChunkStoreFs *self = ALLSET_CHUNK_STORE_FS (store);
  g_autofree char *path = allset_chunk_store_fs_pack_path (self, account_id, pack_id);

  g_mutex_lock (&self->packs_lock);
  g_hash_table_remove (self->packs, &pack_id);
  g_mutex_unlock (&self->packs_lock);

  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      allset_chunk_store_fs_errno_error (error, errno, "Cannot remove", path);
      return FALSE;
    }
  return TRUE;
}
