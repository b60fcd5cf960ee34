/* allset-chunk-store-fs-segments.c — large chunks appended to pack files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A file per large chunk cost, per chunk, a new inode, an fsync of the
 * file, a rename and an fsync of its directory. perf of a 1 GiB upload
 * here put 0.3–0.6 CPU-s in creating those inodes alone: ext4 without a
 * journal skips every recently freed inode when it picks one
 * (recently_deleted()), and a sync server frees them all the time. A
 * segment is one file that hundreds of chunks are appended to: its file
 * and its directory entry are made durable once, and each record then
 * costs an open(), one write and one fdatasync.
 *
 * Records are written with O_DIRECT, for the reason allset-chunk-store-fs.c
 * gives, from an aligned buffer that holds header, bytes and padding; a
 * filesystem that refuses O_DIRECT gets the same bytes through the page
 * cache, at the same offsets.
 */

#define _GNU_SOURCE 1

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "allset-chunk-store-fs-private.h"

gboolean
allset_chunk_store_fs_segment_create (AllsetChunkStore  *store,
                                      gint64             account_id,
                                      gint64             pack_id,
                                      GError           **error)
{
  AllsetChunkStoreFs *self = ALLSET_CHUNK_STORE_FS (store);
  int fd = allset_chunk_store_fs_pack_create (self, account_id, pack_id, error);

  if (fd < 0)
    return FALSE;
  close (fd);
  /* Each record's fdatasync covers its bytes and the file's length, not
   * the file's name: that is made durable here, once. */
  return allset_chunk_store_fs_pack_settle (self, account_id, pack_id, error);
}

/* The segment's file for writing, around the page cache where the
 * filesystem allows it. Opened per record: a descriptor kept per open
 * segment would be one per account uploading, and an open() of a file
 * that exists costs microseconds. */
static int
segment_open (AllsetChunkStoreFs  *self,
              gint64               account_id,
              gint64               pack_id,
              GError             **error)
{
  g_autofree char *path = allset_chunk_store_fs_pack_path (self, account_id, pack_id);
  int fd = -1;

#ifdef O_DIRECT
  fd = open (path, O_WRONLY | O_DIRECT | O_CLOEXEC);
  if (fd < 0 && errno != EINVAL)
    {
      allset_chunk_store_fs_errno_error (error, errno, "Cannot open", path);
      return -1;
    }
#endif
  if (fd < 0)
    fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    allset_chunk_store_fs_errno_error (error, errno, "Cannot open", path);
  return fd;
}

static gboolean
pwrite_all (int           fd,
            const guint8 *data,
            gsize         len,
            guint64       offset)
{
  while (len > 0)
    {
      ssize_t n = pwrite (fd, data, len, offset);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      len -= n;
      offset += n;
    }
  return TRUE;
}

gboolean
allset_chunk_store_fs_segment_write (AllsetChunkStore  *store,
                                     gint64             account_id,
                                     gint64             pack_id,
                                     guint64            offset,
                                     const AllsetHash  *id,
                                     GBytes            *data,
                                     guint8            *record,
                                     GError           **error)
{
  AllsetChunkStoreFs *self = ALLSET_CHUNK_STORE_FS (store);
  gsize len;
  const guint8 *bytes = g_bytes_get_data (data, &len);
  gsize record_len = ALLSET_PACK_RECORD_HEADER + len;
  gsize padded = (record_len + ALLSET_SEGMENT_ALIGN - 1) & ~(gsize) (ALLSET_SEGMENT_ALIGN - 1);
  guint32 length = GUINT32_TO_BE ((guint32) len);
  guint8 *buffer = record;
  gboolean ok;
  int saved_errno;
  int fd;

  fd = segment_open (self, account_id, pack_id, error);
  if (fd < 0)
    return FALSE;

  /* A chunk that came in laid out as its record is written from where it
   * is: copying 4 MiB into an aligned buffer cost as much CPU as the
   * write itself. */
  if (buffer == NULL)
    {
      buffer = allset_chunk_store_fs_direct_buffer_take ();
      if (buffer == NULL)
        {
          close (fd);
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "Out of memory for a chunk's record");
          return FALSE;
        }
      memcpy (buffer + ALLSET_PACK_RECORD_HEADER, bytes, len);
    }
  memcpy (buffer, id->bytes, ALLSET_HASH_LEN);
  memcpy (buffer + ALLSET_HASH_LEN, &length, sizeof length);
  memset (buffer + record_len, 0, padded - record_len);

  ok = pwrite_all (fd, buffer, padded, offset);
#ifdef O_DIRECT
  if (!ok && errno == EINVAL)
    {
      /* The filesystem took the flag but not the write: the page cache,
       * then, for this record and the next ones. */
      int flags = fcntl (fd, F_GETFL);

      if (flags >= 0 && fcntl (fd, F_SETFL, flags & ~O_DIRECT) == 0)
        ok = pwrite_all (fd, buffer, padded, offset);
    }
#endif
  saved_errno = errno;
  if (buffer != record)
    allset_chunk_store_fs_direct_buffer_give (buffer);

  if (ok && fdatasync (fd) != 0)
    {
      ok = FALSE;
      saved_errno = errno;
    }
  close (fd);
  if (!ok)
    {
      g_autofree char *path = allset_chunk_store_fs_pack_path (self, account_id, pack_id);

      allset_chunk_store_fs_errno_error (error, saved_errno, "Cannot write", path);
      return FALSE;
    }
  return TRUE;
}

gint64
allset_chunk_store_fs_pack_length (AllsetChunkStore  *store,
                                   gint64             account_id,
                                   gint64             pack_id,
                                   GError           **error)
{
  AllsetChunkStoreFs *self = ALLSET_CHUNK_STORE_FS (store);
  g_autofree char *path = allset_chunk_store_fs_pack_path (self, account_id, pack_id);
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      allset_chunk_store_fs_errno_error (error, errno, "Cannot read the size of", path);
      return -1;
    }
  return st.st_size;
}
