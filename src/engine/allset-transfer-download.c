/* allset-transfer-download.c — one file from the server, atomically
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See allset-transfer.c. Invariant 4: the target only ever holds a whole,
 * checked file; a run killed half way leaves a ".allset-part-*" file whose
 * good chunks the next run keeps.
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

/* An existing part file for stem in dir (a killed run), or a new one. */
static int
open_part (const char  *dir,
           const char  *stem,
           char       **part_path,
           GError     **error)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  g_autofree char *template = NULL;
  const char *name;
  int fd;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
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

/* Chunks fetched from the server, ALLSET_SYNC_WORKERS at a time, each
 * checked against its id before it is written at its offset. */
typedef struct
{
  AllsetHash  id;
  gint64      offset;
  gint64      size;
  const char *path;   /* folder-relative, for progress events */
} FetchJob;

typedef struct
{
  AllsetSyncPass *pass;
  int             fd;
  GMutex          lock;
  GError         *error;
} FetchState;

static gboolean
fetch_one (AllsetSyncPass *pass,
           int             fd,
           const FetchJob *job,
           GError        **error)
{
  char hex[ALLSET_HASH_HEX_LEN + 1];
  g_autoptr(GBytes) data = NULL;
  const guint8 *bytes;
  AllsetHash hash;
  gsize size;

  allset_hash_to_hex_buf (&job->id, hex);
  data = allset_client_chunk_get (pass->client, hex, 0, -1, pass->cancellable, error);
  if (data == NULL)
    return FALSE;
  bytes = g_bytes_get_data (data, &size);
  allset_sha256 (bytes, size, &hash);
  if ((gint64) size != job->size || !allset_hash_equal (&hash, &job->id))
    {
      g_set_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_HASH_MISMATCH,
                   "chunk %s does not hash to its id", hex);
      return FALSE;
    }
  if (pwrite (fd, bytes, size, job->offset) != (gssize) size)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "cannot write: %s",
                   g_strerror (errno));
      return FALSE;
    }

  allset_sync_emit_path (pass, ALLSET_SYNC_EVENT_BYTES, ALLSET_ACTION_DOWNLOAD, job->path, size, NULL);
  return TRUE;
}

static void
fetch_job (gpointer data,
           gpointer user_data)
{
  FetchJob *job = data;
  FetchState *state = user_data;
  g_autoptr(GError) error = NULL;
  gboolean skip;

  g_mutex_lock (&state->lock);
  skip = state->error != NULL;
  g_mutex_unlock (&state->lock);

  if (!skip && !fetch_one (state->pass, state->fd, job, &error))
    {
      g_mutex_lock (&state->lock);
      if (state->error == NULL)
        state->error = g_steal_pointer (&error);
      g_mutex_unlock (&state->lock);
    }
  else if (!skip)
    {
      ALLSET_SYNC_COUNT (state->pass, chunks_downloaded, 1);
      ALLSET_SYNC_COUNT (state->pass, bytes_downloaded, job->size);
    }
}

static gboolean
fetch_all (AllsetSyncPass *pass,
           int             fd,
           GPtrArray      *jobs,
           GError        **error)
{
  FetchState state = { pass, fd };
  GThreadPool *pool;

  if (jobs->len == 0)
    return TRUE;
  if (jobs->len == 1)
    {
      const FetchJob *job = g_ptr_array_index (jobs, 0);

      if (!fetch_one (pass, fd, job, error))
        return FALSE;
      ALLSET_SYNC_COUNT (pass, chunks_downloaded, 1);
      ALLSET_SYNC_COUNT (pass, bytes_downloaded, job->size);
      return TRUE;
    }

  g_mutex_init (&state.lock);
  pool = g_thread_pool_new (fetch_job, &state, MIN (jobs->len, ALLSET_SYNC_WORKERS), FALSE, NULL);
  for (guint i = 0; i < jobs->len; i++)
    g_thread_pool_push (pool, g_ptr_array_index (jobs, i), NULL);
  g_thread_pool_free (pool, FALSE, TRUE);
  g_mutex_clear (&state.lock);

  if (state.error != NULL)
    {
      g_propagate_error (error, state.error);
      return FALSE;
    }
  return TRUE;
}

/* Fills fd with every chunk of info; chunks (AllsetLocalChunk) gets them. */
static gboolean
fill_part (AllsetSyncPass *pass,
           const char     *path,
           AllsetFileInfo *info,
           int             fd,
           GArray         *chunks,
           GError        **error)
{
  g_autofree guint8 *buffer = NULL;
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func (g_free);
  struct stat st;
  gint64 offset = 0;
  guint64 biggest = 1;

  if (fstat (fd, &st) != 0)
    st.st_size = 0;
  for (guint i = 0; i < info->chunks->len; i++)
    biggest = MAX (biggest, g_array_index (info->chunks, AllsetChunkInfo, i).size);
  buffer = g_malloc (biggest);

  for (guint i = 0; i < info->chunks->len; i++)
    {
      AllsetChunkInfo *chunk = &g_array_index (info->chunks, AllsetChunkInfo, i);
      AllsetLocalChunk local = { { { 0 } }, offset, (gint64) chunk->size };
      gboolean have = FALSE;

      if (!allset_hash_from_hex (chunk->id, &local.id))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "bad chunk id %s", chunk->id);
          return FALSE;
        }

      /* Left by a killed run: keep it if it hashes right. */
      if (offset + (gint64) chunk->size <= st.st_size &&
          read_good (fd, buffer, offset, chunk->size, &local.id))
        {
          ALLSET_SYNC_COUNT (pass, chunks_reused, 1);
          have = TRUE;
        }
      else if (reuse_local_chunk (pass, &local.id, buffer, chunk->size))
        {
          ALLSET_SYNC_COUNT (pass, chunks_reused, 1);
          if (pwrite (fd, buffer, chunk->size, offset) != (gssize) chunk->size)
            goto write_failed;
          have = TRUE;
        }

      if (!have)
        {
          FetchJob *job = g_new0 (FetchJob, 1);

          job->id = local.id;
          job->offset = offset;
          job->size = chunk->size;
          job->path = path;
          g_ptr_array_add (jobs, job);
        }

      g_array_append_val (chunks, local);
      offset += chunk->size;
    }

  if (!fetch_all (pass, fd, jobs, error))
    return FALSE;
  if (ftruncate (fd, offset) != 0)
    goto write_failed;
  return TRUE;

write_failed:
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "cannot write: %s", g_strerror (errno));
  return FALSE;
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
fsync_dir (const char *dir)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

void
allset_transfer_download (AllsetSyncPass     *pass,
                          const AllsetAction *action)
{
  g_autofree char *remote = allset_sync_remote_path (pass, action->path);
  g_autofree char *target = allset_sync_local_path (pass, action->path);
  g_autofree char *dir = g_path_get_dirname (target);
  g_autofree char *name = g_path_get_basename (target);
  g_autofree char *stem = part_stem (name);
  g_autofree char *part = NULL;
  g_autoptr(AllsetFileInfo) info = NULL;
  g_autoptr(GArray) chunks = g_array_new (FALSE, FALSE, sizeof (AllsetLocalChunk));
  g_autoptr(GError) error = NULL;
  AllsetLanded *landed;
  struct timespec times[2];
  struct stat st;
  mode_t mask;
  int fd;

  allset_sync_emit_action (pass, ALLSET_SYNC_EVENT_STARTED, action,
                           action->remote != NULL ? (guint64) MAX (action->remote->size, 0) : 0, NULL);
  info = allset_client_file (pass->client, remote, 0, pass->cancellable, &error);
  if (info == NULL)
    {
      if (!allset_sync_check_fatal (pass, error))
        allset_sync_fail (pass, action->path, TRUE, _("cannot read it on the server: %s"), error->message);
      return;
    }

  if (g_mkdir_with_parents (dir, 0777) != 0)
    {
      allset_sync_fail (pass, action->path, FALSE, _("cannot make its directory: %s"), g_strerror (errno));
      return;
    }

  fd = open_part (dir, stem, &part, &error);
  if (fd < 0)
    {
      allset_sync_fail (pass, action->path, FALSE, "%s", error->message);
      return;
    }

  if (!fill_part (pass, action->path, info, fd, chunks, &error))
    {
      close (fd);
      if (!allset_sync_check_fatal (pass, error))
        allset_sync_fail (pass, action->path, FALSE, _("download failed: %s"), error->message);
      return;
    }

  mask = pass->umask;
  times[0].tv_sec = info->mtime;
  times[0].tv_nsec = 0;
  times[1] = times[0];
  if (!check_file_id (info, chunks) ||
      fchmod (fd, (info->executable ? 0777 : 0666) & ~mask) != 0 ||
      futimens (fd, times) != 0 || fsync (fd) != 0 || fstat (fd, &st) != 0)
    {
      close (fd);
      g_unlink (part);
      allset_sync_emit_path (pass, ALLSET_SYNC_EVENT_VERIFY_FAILED, ALLSET_ACTION_DOWNLOAD, action->path, 0,
                             "the downloaded file does not match its id");
      allset_sync_fail (pass, action->path, FALSE, _("the downloaded file does not match its id"));
      ALLSET_SYNC_COUNT (pass, verify_failed, 1);
      return;
    }
  close (fd);

  /* Invariant 2, right before the rename: the target is still what the
   * scan saw; otherwise keep the part for the next pass. */
  if (action->replace && action->local != NULL && action->local->type == ALLSET_ENTRY_DIR)
    {
      if (!allset_sync_trash_local (pass, action->path, action->local))
        return;
      allset_journal_base_delete (pass->journal, action->path, TRUE, NULL);
      allset_journal_local_delete (pass->journal, action->path, TRUE, NULL);
    }
  else if (!allset_sync_unchanged (pass, action->path, action->local))
    {
      allset_sync_fail (pass, action->path, TRUE, _("changed since the scan; not replaced"));
      return;
    }

  if (!rename_into_place (part, target, action->local == NULL))
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
  landed->dir = g_steal_pointer (&dir);
  landed->chunks = g_steal_pointer (&chunks);
  landed->written = allset_local_entry_new (action->path, ALLSET_ENTRY_FILE);
  landed->written->size = st.st_size;
  landed->written->mtime_ns = (gint64) st.st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st.st_mtim.tv_nsec;
  landed->written->executable = (st.st_mode & S_IXUSR) != 0;
  landed->written->inode = st.st_ino;
  landed->written->dev = st.st_dev;
  landed->written->file_id = g_strdup (info->file_id);
  landed->info = g_steal_pointer (&info);

  g_mutex_lock (&pass->lock);
  g_ptr_array_add (pass->landed, landed);
  g_mutex_unlock (&pass->lock);
}

void
allset_landed_free (gpointer data)
{
  AllsetLanded *landed = data;

  g_free (landed->dir);
  g_array_unref (landed->chunks);
  allset_local_entry_free (landed->written);
  allset_file_info_free (landed->info);
  g_free (landed);
}

/* The journal records a download only once its rename is durable: after
 * a crash the journal may lack a file that is there (the next scan finds
 * it equal to the server's and records it), never hold one that is not
 * (which the next pass would take for a local deletion). One fsync per
 * directory and one transaction for the lot, instead of one each per
 * file: 10 000 small files spent most of their time there. */
void
allset_transfer_land (AllsetSyncPass *pass)
{
  g_autoptr(GPtrArray) landed = NULL;
  g_autoptr(GHashTable) dirs = NULL;
  GHashTableIter iter;
  const char *dir;
  gboolean in_transaction;

  g_mutex_lock (&pass->lock);
  landed = g_steal_pointer (&pass->landed);
  pass->landed = g_ptr_array_new_with_free_func (allset_landed_free);
  g_mutex_unlock (&pass->lock);
  if (landed->len == 0)
    return;

  dirs = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < landed->len; i++)
    g_hash_table_add (dirs, ((AllsetLanded *) g_ptr_array_index (landed, i))->dir);
  g_hash_table_iter_init (&iter, dirs);
  while (g_hash_table_iter_next (&iter, (gpointer *) &dir, NULL))
    fsync_dir (dir);

  in_transaction = allset_journal_begin (pass->journal, NULL);
  for (guint i = 0; i < landed->len; i++)
    {
      AllsetLanded *l = g_ptr_array_index (landed, i);
      g_autoptr(AllsetBaseEntry) base = allset_base_entry_new (l->action->path, ALLSET_ENTRY_FILE);

      allset_journal_local_put (pass->journal, l->written, l->chunks, NULL);
      base->file_id = g_strdup (l->info->file_id);
      base->size = l->written->size;
      base->mtime_ns = l->written->mtime_ns;
      base->executable = l->written->executable;
      base->revision = l->info->revision;
      base->inode = l->written->inode;
      base->dev = l->written->dev;
      base->state = ALLSET_FILE_UPLOADED;
      allset_journal_base_put (pass->journal, base, NULL);
    }
  if (in_transaction)
    allset_journal_commit (pass->journal, NULL);
  ALLSET_SYNC_COUNT (pass, downloaded, landed->len);

  for (guint i = 0; i < landed->len; i++)
    {
      AllsetLanded *l = g_ptr_array_index (landed, i);

      if (allset_transfer_verify (pass, l->action->path, l->info->file_id, l->info->receipt))
        allset_sync_emit_action (pass, ALLSET_SYNC_EVENT_DONE, l->action, l->written->size, l->info->receipt);
    }
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
                             GHashTable       *local)
{
  g_autoptr(GHashTable) wanted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  GHashTableIter iter;
  gpointer value;

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

  /* Parts live next to their targets: in the folder's directories, which
   * the scan listed (ignored and skipped ones are never download
   * targets). */
  sweep_dir (pass->folder->local, wanted, now);
  g_hash_table_iter_init (&iter, local);
  while (g_hash_table_iter_next (&iter, NULL, &value) && !g_cancellable_is_cancelled (pass->cancellable))
    {
      const AllsetLocalEntry *entry = value;
      g_autofree char *dir = NULL;

      if (entry->type != ALLSET_ENTRY_DIR || (entry->flags & ALLSET_LOCAL_SKIPPED) != 0)
        continue;
      dir = allset_sync_local_path (pass, entry->disk_path != NULL ? entry->disk_path : entry->path);
      sweep_dir (dir, wanted, now);
    }
}
