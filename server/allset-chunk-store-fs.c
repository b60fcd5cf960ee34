/* allset-chunk-store-fs.c — chunks as files in the data directory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Large chunks are written with O_DIRECT. They are fsynced at once and
 * rarely read back soon, so the page cache only costs here: perf of a
 * 1 GiB upload put ~1 CPU-s per GiB in copying chunk bytes into fresh
 * page-cache pages (copy_folio_from_iter_atomic), the largest single
 * item of the server's work; with O_DIRECT the disk reads the bytes
 * straight from the buffer. O_DIRECT wants block-aligned memory, offsets
 * and lengths, so the chunk goes through an aligned buffer, padded to a
 * whole block, and the file is truncated back to the chunk's length
 * before its fsync. A filesystem that refuses O_DIRECT (tmpfs, some
 * network filesystems) gets the plain write.
 */

#define _GNU_SOURCE 1

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allset-chunk-store-fs-private.h"

static void chunk_store_iface_init (AllsetChunkStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AllsetChunkStoreFs, allset_chunk_store_fs, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (ALLSET_TYPE_CHUNK_STORE, chunk_store_iface_init))

void
allset_chunk_store_fs_errno_error (GError     **error,
                                   int          saved_errno,
                                   const char  *what,
                                   const char  *path)
{
  /* A full disk is the one storage fault clients must tell apart: they
   * should retry later rather than re-upload. */
  if (saved_errno == ENOSPC || saved_errno == EDQUOT)
    g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_STORAGE_FULL,
                 "The server's storage is full; nothing was stored");
  else
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                 "%s %s: %s", what, path, g_strerror (saved_errno));
}

static char *
chunk_dir (AllsetChunkStoreFs *self,
           gint64              account_id,
           const char         *hex)
{
  char account[32];
  char prefix[3] = { hex[0], hex[1], 0 };

  g_snprintf (account, sizeof account, "%" G_GINT64_FORMAT, account_id);
  return g_build_filename (self->root, account, prefix, NULL);
}

gboolean
allset_chunk_store_fs_sync_dir (const char  *path,
                                GError     **error)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0 || fsync (fd) != 0)
    {
      int saved_errno = errno;

      if (fd >= 0)
        close (fd);
      allset_chunk_store_fs_errno_error (error, saved_errno, "Cannot sync directory", path);
      return FALSE;
    }

  close (fd);
  return TRUE;
}

gboolean
allset_chunk_store_fs_write_all (int           fd,
                                 const guint8 *data,
                                 gsize         len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      len -= n;
    }

  return TRUE;
}

/* Smaller chunks come many to a request: their writes are cheap, and
 * O_DIRECT would make each one wait for the device. */
#define DIRECT_MIN     (64 * 1024)
#define DIRECT_ALIGN   ALLSET_SEGMENT_ALIGN
#define DIRECT_BUFFER  ALLSET_CHUNK_STORE_FS_DIRECT_BUFFER
/* Buffers kept for reuse: one per upload writing at a time, about; more
 * are allocated and freed when more write at once. */
#define DIRECT_KEEP    4

static GMutex  direct_lock;
static GSList *direct_free;
static guint   direct_kept;

guint8 *
allset_chunk_store_fs_direct_buffer_take (void)
{
  guint8 *buffer = NULL;

  g_mutex_lock (&direct_lock);
  if (direct_free != NULL)
    {
      buffer = direct_free->data;
      direct_free = g_slist_delete_link (direct_free, direct_free);
      direct_kept--;
    }
  g_mutex_unlock (&direct_lock);

  if (buffer == NULL && posix_memalign ((void **) &buffer, DIRECT_ALIGN, DIRECT_BUFFER) != 0)
    return NULL;
  return buffer;
}

void
allset_chunk_store_fs_direct_buffer_give (guint8 *buffer)
{
  g_mutex_lock (&direct_lock);
  if (direct_kept < DIRECT_KEEP)
    {
      direct_free = g_slist_prepend (direct_free, buffer);
      direct_kept++;
      buffer = NULL;
    }
  g_mutex_unlock (&direct_lock);
  free (buffer);
}

/* TRUE when the chunk was written; FALSE with errno set on a real write
 * error. *tried says whether O_DIRECT was usable at all. */
static gboolean
write_direct (int           fd,
              const guint8 *data,
              gsize         len,
              gboolean     *tried)
{
#ifdef O_DIRECT
  gsize padded = (len + DIRECT_ALIGN - 1) & ~(gsize) (DIRECT_ALIGN - 1);
  int flags;
  guint8 *buffer;
  gboolean ok;
  int saved_errno;

  *tried = FALSE;
  if (len < DIRECT_MIN || padded > DIRECT_BUFFER)
    return FALSE;
  flags = fcntl (fd, F_GETFL);
  if (flags < 0 || fcntl (fd, F_SETFL, flags | O_DIRECT) != 0)
    return FALSE;
  buffer = allset_chunk_store_fs_direct_buffer_take ();
  if (buffer == NULL)
    {
      fcntl (fd, F_SETFL, flags);
      return FALSE;
    }

  memcpy (buffer, data, len);
  memset (buffer + len, 0, padded - len);
  ok = allset_chunk_store_fs_write_all (fd, buffer, padded);
  saved_errno = errno;
  allset_chunk_store_fs_direct_buffer_give (buffer);
  if (!ok && saved_errno == EINVAL)
    {
      /* The filesystem took the flag but not the write: start over plain. */
      if (fcntl (fd, F_SETFL, flags) == 0 && ftruncate (fd, 0) == 0 &&
          lseek (fd, 0, SEEK_SET) == 0)
        return FALSE;
      *tried = TRUE;
      return FALSE;
    }
  *tried = TRUE;
  if (!ok)
    {
      errno = saved_errno;
      return FALSE;
    }
  return ftruncate (fd, len) == 0;
#else
  *tried = FALSE;
  return FALSE;
#endif
}

static gboolean
write_chunk (int           fd,
             const guint8 *data,
             gsize         len)
{
  gboolean tried;

  if (write_direct (fd, data, len, &tried))
    return TRUE;
  if (tried)
    return FALSE;
  return allset_chunk_store_fs_write_all (fd, data, len);
}

static gboolean
allset_chunk_store_fs_put (AllsetChunkStore  *store,
                           gint64             account_id,
                           const AllsetHash  *id,
                           GBytes            *data,
                           GError           **error)
{
  AllsetChunkStoreFs *self = ALLSET_CHUNK_STORE_FS (store);
  char hex[ALLSET_HASH_HEX_LEN + 1];
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *tmp_path = NULL;
  gsize len;
  const guint8 *bytes = g_bytes_get_data (data, &len);
  int fd;

  allset_hash_to_hex_buf (id, hex);
  dir = chunk_dir (self, account_id, hex);
  path = g_build_filename (dir, hex, NULL);

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      allset_chunk_store_fs_errno_error (error, errno, "Cannot create", dir);
      return FALSE;
    }

  /* Temp file, fsync, rename, fsync the directory: a crash leaves either
   * nothing or the whole chunk under its name, never a prefix of it. */
  tmp_path = g_build_filename (self->tmp_dir, "chunk-XXXXXX", NULL);
  fd = g_mkstemp_full (tmp_path, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      allset_chunk_store_fs_errno_error (error, errno, "Cannot create", tmp_path);
      return FALSE;
    }

  if (!write_chunk (fd, bytes, len) || fsync (fd) != 0)
    {
      int saved_errno = errno;

      close (fd);
      g_unlink (tmp_path);
      allset_chunk_store_fs_errno_error (error, saved_errno, "Cannot write", tmp_path);
      return FALSE;
    }
  close (fd);

  if (g_rename (tmp_path, path) != 0)
    {
      int saved_errno = errno;

      g_unlink (tmp_path);
      allset_chunk_store_fs_errno_error (error, saved_errno, "Cannot rename to", path);
      return FALSE;
    }

  return allset_chunk_store_fs_sync_dir (dir, error);
}

static GBytes *
allset_chunk_store_fs_get (AllsetChunkStore  *store,
                           gint64             account_id,
                           const AllsetHash  *id,
                           GError           **error)
{
  AllsetChunkStoreFs *self = ALLSET_CHUNK_STORE_FS (store);
  char hex[ALLSET_HASH_HEX_LEN + 1];
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  GMappedFile *mapped;
  GBytes *bytes;

  allset_hash_to_hex_buf (id, hex);
  dir = chunk_dir (self, account_id, hex);
  path = g_build_filename (dir, hex, NULL);

  mapped = g_mapped_file_new (path, FALSE, error);
  if (mapped == NULL)
    return NULL;

  bytes = g_mapped_file_get_bytes (mapped);
  g_mapped_file_unref (mapped);
  return bytes;
}

static gboolean
allset_chunk_store_fs_remove (AllsetChunkStore  *store,
                              gint64             account_id,
                              const AllsetHash  *id,
                              GError           **error)
{
  AllsetChunkStoreFs *self = ALLSET_CHUNK_STORE_FS (store);
  char hex[ALLSET_HASH_HEX_LEN + 1];
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;

  allset_hash_to_hex_buf (id, hex);
  dir = chunk_dir (self, account_id, hex);
  path = g_build_filename (dir, hex, NULL);

  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      allset_chunk_store_fs_errno_error (error, errno, "Cannot remove", path);
      return FALSE;
    }

  return TRUE;
}

static void
chunk_store_iface_init (AllsetChunkStoreInterface *iface)
{
  iface->put = allset_chunk_store_fs_put;
  iface->get = allset_chunk_store_fs_get;
  iface->remove = allset_chunk_store_fs_remove;
  iface->pack_put = allset_chunk_store_fs_pack_put;
  iface->pack_read = allset_chunk_store_fs_pack_read;
  iface->pack_remove = allset_chunk_store_fs_pack_remove;
  iface->segment_create = allset_chunk_store_fs_segment_create;
  iface->segment_write = allset_chunk_store_fs_segment_write;
  iface->pack_length = allset_chunk_store_fs_pack_length;
}

static void
allset_chunk_store_fs_finalize (GObject *object)
{
  AllsetChunkStoreFs *self = ALLSET_CHUNK_STORE_FS (object);

  allset_chunk_store_fs_packs_clear (self);
  g_free (self->root);
  g_free (self->tmp_dir);

  G_OBJECT_CLASS (allset_chunk_store_fs_parent_class)->finalize (object);
}

static void
allset_chunk_store_fs_class_init (AllsetChunkStoreFsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = allset_chunk_store_fs_finalize;
}

static void
allset_chunk_store_fs_init (AllsetChunkStoreFs *self)
{
  allset_chunk_store_fs_packs_init (self);
}

static void
clear_tmp_dir (const char *tmp_dir)
{
  g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tmp_dir, name, NULL);

      g_unlink (path);
    }
}

AllsetChunkStore *
allset_chunk_store_fs_new (const char  *root,
                           GError     **error)
{
  g_autoptr(AllsetChunkStoreFs) self = g_object_new (ALLSET_TYPE_CHUNK_STORE_FS, NULL);

  self->root = g_strdup (root);
  self->tmp_dir = g_build_filename (root, "tmp", NULL);

  if (g_mkdir_with_parents (self->tmp_dir, 0700) != 0)
    {
      allset_chunk_store_fs_errno_error (error, errno, "Cannot create", self->tmp_dir);
      return NULL;
    }

  clear_tmp_dir (self->tmp_dir);

  return ALLSET_CHUNK_STORE (g_steal_pointer (&self));
}
