/* allset-transfer-download.c — files from the server, atomically, a batch at a time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See allset-transfer.c. Invariant 4: the target only ever holds a whole,
 * checked file; a run killed half way leaves a ".allset-part-*" file whose
 * good chunks the next run keeps.
 *
 * A batch (up to ALLSET_SYNC_LAND_BATCH files) goes: one request for the
 * descriptions of its files; part files opened and filled with the
 * chunks already on disk, one thread per directory; the other chunks
 * fetched (allset-transfer-fetch.c); each part checked against its file
 * id, given its mode and mtime; all made durable (fsync each, or one
 * syncfs for a big batch) before any is renamed; then landed
 * (allset_transfer_land()).
 */

#define _GNU_SOURCE 1

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "allset-ignore.h"
#include "allset-sync-private.h"

/* The part file's name stem for name: short enough that the whole name
 * stays under 255 bytes. */
static char *
part_stem (const char *name)
{
  AllsetHash hash;
  char hex[ALLSET_HASH_HEX_LEN + 1];

  if (strlen (name) <= 200)
    return g_strconcat (ALLSET_PARTIAL_PREFIX, name, "-", NULL);
  allset_sha256 (name, strlen (name), &hash);
  allset_hash_to_hex_buf (&hash, hex);
  hex[16] = '\0';
  return g_strconcat (ALLSET_PARTIAL_PREFIX, hex, "-", NULL);
}

/* Reads size bytes at offset of fd and checks they hash to id. */
static gboolean
read_good (int               fd,
           guint8           *buffer,
           gint64            offset,
           gint64            size,
           const AllsetHash *id)
{
  AllsetHash hash;

  if (pread (fd, buffer, size, offset) != size)
    return FALSE;
  allset_sha256 (buffer, size, &hash);
  return allset_hash_equal (&hash, id);
}

/* A copy of chunk id from another file on disk, checked. */
static gboolean
reuse_local_chunk (AllsetSyncPass   *pass,
                   const AllsetHash *id,
                   guint8           *buffer,
                   gint64            size)
{
  g_autoptr(GPtrArray) locations = allset_journal_find_chunk (pass->journal, id, NULL);

  for (guint i = 0; locations != NULL && i < locations->len; i++)
    {
      AllsetChunkLocation *location = g_ptr_array_index (locations, i);
      g_autoptr(AllsetLocalEntry) now = allset_sync_lstat (pass, location->path, location->disk_path);
      g_autofree char *full = NULL;
      gboolean good;
      int fd;

      if (location->size != size || now == NULL || now->type != ALLSET_ENTRY_FILE ||
          now->size != location->file_size || now->mtime_ns != location->file_mtime_ns)
        continue;
      full = allset_sync_local_path (pass, location->disk_path != NULL ? location->disk_path : location->path);
      fd = open (full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        continue;
      good = read_good (fd, buffer, location->offset, size, id);
      close (fd);
      if (good)
        return TRUE;
    }

  return FALSE;
}

void
allset_download_fail (AllsetSyncPass *pass,
                      AllsetDownload *download,
                      GError         *error)
{
  g_mutex_lock (&pass->lock);
  if (download->error == NULL)
    download->error = error;
  else
    g_error_free (error);
  g_mutex_unlock (&pass->lock);
}

static void
download_free (gpointer data)
{
  AllsetDownload *download = data;

  if (download->fd >= 0)
    close (download->fd);
  g_clear_pointer (&download->info, allset_file_info_free);
  g_free (download->target);
  g_free (download->dir);
  g_free (download->part);
  g_clear_pointer (&download->chunks, g_array_unref);
  g_clear_pointer (&download->missing, g_array_unref);
  g_clear_error (&download->error);
  g_clear_error (&download->verdict);
  g_free (download);
}

/* Part files (names) already in dir, listed once per batch rather than
 * once per download: a directory of 10 000 files was read 10 000 times. */
typedef struct
{
  GMutex      lock;
  GHashTable *dirs;   /* dir → GPtrArray of part file names */
} PartIndex;

/* dir's part file names; makes dir (and its parents) the first time
 * if it is not there. NULL if it cannot be made. */
static GPtrArray *
parts_in (PartIndex   *index,
          const char  *dir,
          GError     **error)
{
  GPtrArray *names;

  g_mutex_lock (&index->lock);
  names = g_hash_table_lookup (index->dirs, dir);
  if (names == NULL)
    {
      g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
      const char *name;

      if (handle == NULL && g_mkdir_with_parents (dir, 0777) != 0)
        {
          int saved = errno;

          g_mutex_unlock (&index->lock);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("cannot make its directory: %s"), g_strerror (saved));
          return NULL;
        }
      names = g_ptr_array_new_with_free_func (g_free);
      while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
        if (g_str_has_prefix (name, ALLSET_PARTIAL_PREFIX))
          g_ptr_array_add (names, g_strdup (name));
      g_hash_table_insert (index->dirs, g_strdup (dir), names);
    }
  g_mutex_unlock (&index->lock);
  return names;
}

/* The part file a killed run left for stem in dir, or a new one. */
static int
open_part (PartIndex   *index,
           const char  *dir,
           const char  *stem,
           char       **part_path,
           GError     **error)
{
  GPtrArray *names = parts_in (index, dir, error);
  g_autofree char *template = NULL;
  int fd;

  if (names == NULL)
    return -1;

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *path = NULL;

      if (!g_str_has_prefix (name, stem) || strlen (name) != strlen (stem) + 6)
        continue;
      path = g_build_filename (dir, name, NULL);
      fd = open (path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
      if (fd >= 0)
        {
          *part_path = g_steal_pointer (&path);
          return fd;
        }
    }

  template = g_strconcat (dir, "/", stem, "XXXXXX", NULL);
  fd = g_mkstemp_full (template, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "cannot create a part file in %s: %s", dir, g_strerror (errno));
      return -1;
    }
  *part_path = g_steal_pointer (&template);
  return fd;
}

/* Opens download's part file and fills it with every chunk found on disk
 * (in the part itself, left by a killed run, or in another file); the
 * others go to download->missing. */
static void
download_prepare (AllsetSyncPass *pass,
                  PartIndex      *index,
                  AllsetDownload *download)
{
  g_autofree char *name = g_path_get_basename (download->target);
  g_autofree char *stem = part_stem (name);
  g_autofree guint8 *buffer = NULL;
  GError *error = NULL;
  AllsetFileInfo *info = download->info;
  struct stat st;
  gint64 offset = 0;
  guint64 biggest = 1;

  download->fd = open_part (index, download->dir, stem, &download->part, &error);
  if (download->fd < 0)
    {
      allset_download_fail (pass, download, error);
      return;
    }

  if (fstat (download->fd, &st) != 0)
    st.st_size = 0;
  for (guint i = 0; i < info->chunks->len; i++)
    biggest = MAX (biggest, g_array_index (info->chunks, AllsetChunkInfo, i).size);
  buffer = g_malloc (biggest);

  for (guint i = 0; i < info->chunks->len; i++)
    {
      AllsetChunkInfo *chunk = &g_array_index (info->chunks, AllsetChunkInfo, i);
      AllsetLocalChunk local = { { { 0 } }, offset, (gint64) chunk->size };

      if (!allset_hash_from_hex (chunk->id, &local.id))
        {
          allset_download_fail (pass, download, g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                                             "bad chunk id %s", chunk->id));
          return;
        }

      /* Left by a killed run: keep it if it hashes right. */
      if (offset + (gint64) chunk->size <= st.st_size &&
          read_good (download->fd, buffer, offset, chunk->size, &local.id))
        ALLSET_SYNC_COUNT (pass, chunks_reused, 1);
      else if (reuse_local_chunk (pass, &local.id, buffer, chunk->size))
        {
          ALLSET_SYNC_COUNT (pass, chunks_reused, 1);
          if (pwrite (download->fd, buffer, chunk->size, offset) != (gssize) chunk->size)
            {
              int saved = errno;

              allset_download_fail (pass, download,
                                    g_error_new (G_IO_ERROR, g_io_error_from_errno (saved),
                                                 "cannot write: %s", g_strerror (saved)));
              return;
            }
        }
      else
        g_array_append_val (download->missing, local);

      g_array_append_val (download->chunks, local);
      offset += chunk->size;
    }
}

static gboolean
check_file_id (AllsetFileInfo *info,
               GArray         *chunks)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (AllsetHash));
  AllsetHash id;
  char hex[ALLSET_HASH_HEX_LEN + 1];

  for (guint i = 0; i < chunks->len; i++)
    g_array_append_val (ids, g_array_index (chunks, AllsetLocalChunk, i).id);
  allset_file_id ((const AllsetHash *) (gpointer) ids->data, ids->len, &id);
  allset_hash_to_hex_buf (&id, hex);
  return g_strcmp0 (hex, info->file_id) == 0;
}

/* rename(), but when nothing was there at the scan, never replace
 * what appeared since (Linux: RENAME_NOREPLACE closes the window
 * between the last check and the rename). */
static gboolean
rename_into_place (const char *part,
                   const char *target,
                   gboolean    must_not_exist)
{
#ifdef RENAME_NOREPLACE
  if (must_not_exist)
    {
      if (renameat2 (AT_FDCWD, part, AT_FDCWD, target, RENAME_NOREPLACE) == 0)
        return TRUE;
      if (errno != EINVAL && errno != ENOSYS)
        return FALSE;
    }
#endif
  return rename (part, target) == 0;
}

static void
report_failure (AllsetSyncPass *pass,
                AllsetDownload *download)
{
  const char *path = download->action->path;

  if (allset_sync_check_fatal (pass, download->error))
    return;
  if (download->info == NULL)
    {
      if (download->action->remote != NULL &&
          g_error_matches (download->error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND))
        allset_sync_note_remote_missing (pass, path, download->action->remote->revision);
      allset_sync_fail (pass, path, TRUE, _("cannot read it on the server: %s"), download->error->message);
    }
  else
    allset_sync_fail (pass, path, FALSE, _("download failed: %s"), download->error->message);
}

/* Checks the whole part against its file id and gives it its mode and
 * mtime; fsyncs it unless the batch is made durable at once
 * (allset_transfer_download_batch()). */
static void
download_complete (AllsetSyncPass *pass,
                   AllsetDownload *download,
                   gboolean        fsync_each)
{
  AllsetFileInfo *info = download->info;
  struct timespec times[2];
  gint64 size = 0;
  int fd = download->fd;

  download->fd = -1;
  if (download->error != NULL)
    {
      if (fd >= 0)
        close (fd);
      report_failure (pass, download);
      return;
    }

  for (guint i = 0; i < download->chunks->len; i++)
    size += g_array_index (download->chunks, AllsetLocalChunk, i).size;
  if (!check_file_id (info, download->chunks))
    {
      close (fd);
      g_unlink (download->part);
      allset_sync_emit_path (pass, ALLSET_SYNC_EVENT_VERIFY_FAILED, ALLSET_ACTION_DOWNLOAD,
                             download->action->path, 0, "the downloaded file does not match its id");
      allset_sync_fail (pass, download->action->path, FALSE, _("the downloaded file does not match its id"));
      ALLSET_SYNC_COUNT (pass, verify_failed, 1);
      return;
    }

  times[0].tv_sec = info->mtime;
  times[0].tv_nsec = 0;
  times[1] = times[0];
  if (ftruncate (fd, size) != 0 ||
      fchmod (fd, (info->executable ? 0777 : 0666) & ~pass->umask) != 0 ||
      futimens (fd, times) != 0 || (fsync_each && fsync (fd) != 0) ||
      fstat (fd, &download->written) != 0)
    {
      int saved = errno;

      close (fd);
      allset_download_fail (pass, download, g_error_new (G_IO_ERROR, g_io_error_from_errno (saved),
                                                         "cannot write: %s", g_strerror (saved)));
      report_failure (pass, download);
      return;
    }
  close (fd);
  download->synced = fsync_each;
  download->complete = TRUE;
  download->verdict = allset_transfer_check_receipt (pass, info->file_id, info->receipt);
}

/* A complete, durable part: renamed over its target if that is still
 * what the scan saw; AllsetLanded for allset_transfer_land(). */
static void
download_rename (AllsetSyncPass *pass,
                 AllsetDownload *download)
{
  const AllsetAction *action = download->action;
  const struct stat *st = &download->written;
  AllsetLanded *landed;

  if (!download->complete)
    return;

  /* Invariant 2, right before the rename: the target is still what the
   * scan saw; otherwise keep the part for the next pass. */
  if (action->replace && action->local != NULL && action->local->type == ALLSET_ENTRY_DIR)
    {
      if (!allset_sync_trash_local (pass, action->path, action->local, NULL))
        return;
      allset_journal_base_delete (pass->journal, action->path, TRUE, NULL);
      allset_journal_local_delete (pass->journal, action->path, TRUE, NULL);
    }
  else if (!allset_sync_unchanged (pass, action->path, action->local))
    {
      allset_sync_fail (pass, action->path, TRUE, _("changed since the scan; not replaced"));
      return;
    }

  if (!rename_into_place (download->part, download->target, action->local == NULL))
    {
      allset_sync_fail (pass, action->path, FALSE, _("cannot rename into place: %s"), g_strerror (errno));
      return;
    }
  allset_sync_test_pause ("ALLSET_TEST_PAUSE_AFTER_RENAME", "after rename");

  /* Record what was written, not what is there now: a change made right
   * after the rename must look like a change to the next scan, or it would
   * be taken for the downloaded version and lost (invariant 2; the soak
   * found it). */
  landed = g_new0 (AllsetLanded, 1);
  landed->action = action;
  landed->dir = g_steal_pointer (&download->dir);
  landed->chunks = g_steal_pointer (&download->chunks);
  landed->written = allset_local_entry_new (action->path, ALLSET_ENTRY_FILE);
  landed->written->size = st->st_size;
  landed->written->mtime_ns = (gint64) st->st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st->st_mtim.tv_nsec;
  landed->written->executable = (st->st_mode & S_IXUSR) != 0;
  landed->written->inode = st->st_ino;
  landed->written->dev = st->st_dev;
  landed->written->file_id = allset_entry_string (download->info->file_id);
  landed->info = g_steal_pointer (&download->info);
  landed->verdict = g_steal_pointer (&download->verdict);

  g_mutex_lock (&pass->lock);
  g_ptr_array_add (pass->landed, landed);
  g_mutex_unlock (&pass->lock);
}

/* Files whose description is this big are asked for alone: the answer to
 * POST /api/v1/files is bounded (16 MiB), a 1 GiB file's chunk list is
 * ~100 KiB of JSON. */
#define DESCRIBE_ALONE_BYTES (64 * 1024 * 1024)

/* Fills every download's info, in as few requests as possible. */
static void
describe (AllsetSyncPass *pass,
          GPtrArray      *downloads)
{
  g_autoptr(GPtrArray) batch = g_ptr_array_new ();
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < downloads->len; i++)
    {
      AllsetDownload *download = g_ptr_array_index (downloads, i);
      const AllsetAction *action = download->action;
      g_autofree char *remote = allset_sync_remote_path (pass, action->path);

      if (downloads->len == 1 || (action->remote != NULL && action->remote->size > DESCRIBE_ALONE_BYTES))
        {
          GError *error = NULL;

          download->info = allset_client_file (pass->client, remote, 0, pass->cancellable, &error);
          if (download->info == NULL)
            allset_download_fail (pass, download, error);
          continue;
        }
      g_ptr_array_add (batch, download);
      g_ptr_array_add (paths, g_steal_pointer (&remote));
    }
  if (batch->len == 0)
    return;

  {
    GError *error = NULL;
    g_autoptr(GPtrArray) infos = allset_client_files (pass->client, (const char * const *) paths->pdata,
                                                      paths->len, pass->cancellable, &error);

    for (guint i = 0; i < batch->len; i++)
      {
        AllsetDownload *download = g_ptr_array_index (batch, i);

        if (infos == NULL)
          allset_download_fail (pass, download, g_error_copy (error));
        else if (g_ptr_array_index (infos, i) == NULL)
          allset_download_fail (pass, download,
                                g_error_new_literal (ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND,
                                                     _("the server has no such file now")));
        else
          download->info = g_steal_pointer (&g_ptr_array_index (infos, i));
      }
    g_clear_error (&error);
  }
}

typedef struct
{
  AllsetSyncPass *pass;
  PartIndex      *index;
  gboolean        fsync_each;
} Stage;

static void
complete_job (gpointer data,
              gpointer user_data)
{
  Stage *stage = user_data;

  download_complete (stage->pass, data, stage->fsync_each);
}

static void
rename_job (gpointer data,
            gpointer user_data)
{
  download_rename (((Stage *) user_data)->pass, data);
}

/* Runs func over items: in this thread for one, else on
 * ALLSET_SYNC_WORKERS threads (the fsyncs of different files overlap). */
static void
run_jobs (GPtrArray *items,
          GFunc      func,
          gpointer   data)
{
  GThreadPool *pool;

  if (items->len == 1)
    {
      func (g_ptr_array_index (items, 0), data);
      return;
    }
  pool = g_thread_pool_new (func, data, ALLSET_SYNC_WORKERS, FALSE, NULL);
  for (guint i = 0; i < items->len; i++)
    g_thread_pool_push (pool, g_ptr_array_index (items, i), NULL);
  g_thread_pool_free (pool, FALSE, TRUE);
}

/* Runs func over the downloads of one directory, in order. */
typedef struct
{
  GPtrArray *downloads;   /* borrowed */
  GFunc      func;
} DirGroup;

static void
dir_group_job (gpointer data,
               gpointer user_data)
{
  DirGroup *group = data;

  for (guint i = 0; i < group->downloads->len; i++)
    group->func (g_ptr_array_index (group->downloads, i), user_data);
  g_ptr_array_unref (group->downloads);
  g_free (group);
}

/* run_jobs() over downloads, but those of one directory on one thread:
 * creating or renaming files takes the directory's lock, and threads
 * creating files in the same directory spent a quarter of the download
 * of 10 000 files spinning on it (perf). */
static void
for_each_directory (GPtrArray *downloads,
                    GFunc      func,
                    Stage     *stage)
{
  g_autoptr(GHashTable) groups = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();

  for (guint i = 0; i < downloads->len; i++)
    {
      AllsetDownload *download = g_ptr_array_index (downloads, i);
      DirGroup *group = g_hash_table_lookup (groups, download->dir);

      if (group == NULL)
        {
          group = g_new0 (DirGroup, 1);
          group->downloads = g_ptr_array_new ();
          group->func = func;
          g_hash_table_insert (groups, download->dir, group);
          g_ptr_array_add (order, group);
        }
      g_ptr_array_add (group->downloads, download);
    }

  run_jobs (order, dir_group_job, stage);
}

/* Batches this big are made durable with one syncfs() per file system
 * instead of one fsync() per file: 256 small files took ~50 ms of fsync
 * each batch here, one syncfs 6–10 ms. Smaller ones keep fsync, which
 * does not wait for other programs' writes. */
#define SYNCFS_MIN_FILES 16

/* Makes every complete download of the batch durable before any is
 * renamed (invariant 4): syncfs() of each file system they are on, or,
 * where that is missing or fails, fsync() of each part. */
static void
make_durable (AllsetSyncPass *pass,
              GPtrArray      *downloads)
{
  g_autoptr(GHashTable) devices = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  gboolean all_synced = FALSE;

#ifdef __linux__
  all_synced = TRUE;
  for (guint i = 0; i < downloads->len && all_synced; i++)
    {
      AllsetDownload *download = g_ptr_array_index (downloads, i);
      gint64 dev = (gint64) download->written.st_dev;
      int fd;

      if (!download->complete || download->synced || g_hash_table_contains (devices, &dev))
        continue;
      g_hash_table_add (devices, g_memdup2 (&dev, sizeof dev));
      fd = open (download->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      all_synced = fd >= 0 && syncfs (fd) == 0;
      if (fd >= 0)
        close (fd);
    }
#endif
  if (all_synced)
    return;

  for (guint i = 0; i < downloads->len; i++)
    {
      AllsetDownload *download = g_ptr_array_index (downloads, i);
      int fd;

      if (!download->complete || download->synced)
        continue;
      fd = open (download->part, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0 || fsync (fd) != 0)
        {
          int saved = errno;

          download->complete = FALSE;
          allset_sync_fail (pass, download->action->path, FALSE, _("download failed: %s"),
                            g_strerror (saved));
        }
      if (fd >= 0)
        close (fd);
    }
}

static void
prepare_if_described (gpointer data,
                      gpointer user_data)
{
  AllsetDownload *download = data;
  Stage *stage = user_data;

  /* Those the server could not describe have nothing to prepare. */
  if (download->error == NULL)
    download_prepare (stage->pass, stage->index, download);
}

void
allset_transfer_download_batch (AllsetSyncPass           *pass,
                                const AllsetAction * const *actions,
                                guint                     n)
{
  g_autoptr(GPtrArray) downloads = g_ptr_array_new_with_free_func (download_free);
  PartIndex index;
  Stage stage = { pass, &index, n < SYNCFS_MIN_FILES };

  if (n == 0)
    return;
  for (guint i = 0; i < n; i++)
    {
      AllsetDownload *download = g_new0 (AllsetDownload, 1);

      download->action = actions[i];
      download->fd = -1;
      download->target = allset_sync_local_path (pass, actions[i]->path);
      download->dir = g_path_get_dirname (download->target);
      download->chunks = g_array_new (FALSE, FALSE, sizeof (AllsetLocalChunk));
      download->missing = g_array_new (FALSE, FALSE, sizeof (AllsetLocalChunk));
      g_ptr_array_add (downloads, download);
      allset_sync_emit_action (pass, ALLSET_SYNC_EVENT_STARTED, actions[i],
                               actions[i]->remote != NULL ? (guint64) MAX (actions[i]->remote->size, 0) : 0, NULL);
    }

  describe (pass, downloads);

  g_mutex_init (&index.lock);
  index.dirs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  for_each_directory (downloads, prepare_if_described, &stage);
  g_hash_table_unref (index.dirs);
  g_mutex_clear (&index.lock);

  allset_transfer_fetch (pass, downloads);
  run_jobs (downloads, complete_job, &stage);
  if (!stage.fsync_each)
    make_durable (pass, downloads);
  for_each_directory (downloads, rename_job, &stage);
}

/* ---- stale part files ---------------------------------------------------- */

/* A part not written to for this long is not in use by any download. */
#define PART_IDLE_SECONDS  (60 * 60)
/* …and one this old goes even when its download is still planned (a
 * file that keeps waiting for an unmetered network, say). */
#define PART_MAX_AGE_SECONDS (7 * 24 * 60 * 60)

static void
sweep_dir (const char *dir,
           GHashTable *wanted,
           gint64      now)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *stem_path = NULL;
      gint64 idle;
      gboolean planned;
      struct stat st;

      if (!g_str_has_prefix (name, ALLSET_PARTIAL_PREFIX))
        continue;
      path = g_build_filename (dir, name, NULL);
      if (lstat (path, &st) != 0 || !S_ISREG (st.st_mode))
        continue;

      /* NAME-XXXXXX: the mkstemp suffix off gives dir/stem, as open_part()
       * looks them up. */
      stem_path = g_strndup (path, strlen (path) - MIN (strlen (name), 6));
      planned = strlen (name) > 6 && g_hash_table_contains (wanted, stem_path);
      idle = now - st.st_mtim.tv_sec;
      if (idle < PART_IDLE_SECONDS || (planned && idle < PART_MAX_AGE_SECONDS))
        continue;

      if (g_unlink (path) == 0)
        g_debug ("Removed the stale part file %s", path);
    }
}

void
allset_transfer_sweep_parts (AllsetSyncPass   *pass,
                             const AllsetPlan *plan,
                             GPtrArray        *part_dirs)
{
  g_autoptr(GHashTable) wanted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  /* Every planned download, deferred or failed ones included: the next
   * pass resumes from their parts. */
  for (guint i = 0; i < plan->actions->len; i++)
    {
      const AllsetAction *action = g_ptr_array_index (plan->actions, i);
      g_autofree char *target = NULL;
      g_autofree char *dir = NULL;
      g_autofree char *name = NULL;
      g_autofree char *stem = NULL;

      if (action->kind != ALLSET_ACTION_DOWNLOAD)
        continue;
      target = allset_sync_local_path (pass, action->path);
      dir = g_path_get_dirname (target);
      name = g_path_get_basename (target);
      stem = part_stem (name);
      g_hash_table_add (wanted, g_build_filename (dir, stem, NULL));
    }

  /* Parts live next to their targets, in the folder's directories: the
   * scan listed them and noted those that held one (ignored and skipped
   * directories are never download targets, nor listed). A part made
   * since the scan is this pass's, too young to go anyway. */
  for (guint i = 0; i < part_dirs->len && !g_cancellable_is_cancelled (pass->cancellable); i++)
    {
      const char *relative = g_ptr_array_index (part_dirs, i);
      g_autofree char *dir = *relative != '\0' ? allset_sync_local_path (pass, relative)
                                               : g_strdup (pass->folder->local);

      sweep_dir (dir, wanted, now);
    }
}
