/* allset-verify-read.c — the reads of a verification: the server's tree
 * and the local files, hashed again, by worker threads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server's live tree is read with GET /list, one request per
 * directory, level by level, the directories of a level listed by
 * ALLSET_VERIFY_WORKERS threads (10 000 files in 100 directories: 101
 * requests, 4 at a time). The journal's copy of the changes feed is not
 * used: it is one of the things being checked, and reading the feed
 * would mean replaying it over that copy (moves, subtrees) without
 * writing it back. The disk is walked with the sync's ignore rules, and
 * every regular file is cut and hashed again by as many threads, whatever
 * the journal's stat cache says.
 */

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "allset-error.h"
#include "allset-file-hash.h"
#include "allset-path.h"
#include "allset-verify-private.h"

#define MAX_DEPTH 256

void
verify_local_file_free (gpointer data)
{
  LocalFile *file = data;

  allset_local_entry_free (file->entry);
  g_clear_pointer (&file->chunks, g_array_unref);
  g_free (file->problem);
  g_free (file);
}

void
verify_fail (Verify *v,
             GError *error)
{
  g_mutex_lock (&v->lock);
  if (v->error == NULL)
    v->error = error;
  else
    g_error_free (error);
  g_mutex_unlock (&v->lock);
}

gboolean
verify_stopped (Verify *v)
{
  gboolean stopped;

  if (g_cancellable_is_cancelled (v->cancellable))
    return TRUE;
  g_mutex_lock (&v->lock);
  stopped = v->error != NULL;
  g_mutex_unlock (&v->lock);
  return stopped;
}


/* ─── Workers ──────────────────────────────────────────────────────── */

typedef struct
{
  Verify    *v;
  GPtrArray *items;
  VerifyJob  job;
  gint       next;
} Batch;

static gpointer
batch_worker (gpointer data)
{
  Batch *batch = data;

  for (;;)
    {
      guint i = (guint) g_atomic_int_add (&batch->next, 1);

      if (i >= batch->items->len || verify_stopped (batch->v))
        return NULL;
      batch->job (batch->v, g_ptr_array_index (batch->items, i));
    }
}

void
verify_run_batch (Verify    *v,
                  GPtrArray *items,
                  VerifyJob  job)
{
  Batch batch = { v, items, job, 0 };
  GThread *threads[ALLSET_VERIFY_WORKERS];
  guint n = MIN (items->len, ALLSET_VERIFY_WORKERS);

  if (n <= 1)
    {
      batch_worker (&batch);
      return;
    }
  for (guint i = 0; i < n; i++)
    threads[i] = g_thread_new ("allset-verify", batch_worker, &batch);
  for (guint i = 0; i < n; i++)
    g_thread_join (threads[i]);
}

/* ─── 1. The server ────────────────────────────────────────────────── */

static void
list_job (Verify  *v,
          gpointer item)
{
  const char *dir = item;
  g_autofree char *remote = allset_verify_remote_path (v->folder, dir);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;

  entries = allset_client_list (v->client, remote, v->cancellable, &error);
  g_mutex_lock (&v->lock);
  v->report->n_requests++;
  g_mutex_unlock (&v->lock);
  if (entries == NULL)
    {
      /* Gone (or replaced by a file) since its parent was listed. */
      if (!g_error_matches (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_FOUND) &&
          !g_error_matches (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_NOT_A_DIRECTORY))
        verify_fail (v, g_steal_pointer (&error));
      return;
    }

  g_mutex_lock (&v->lock);
  for (guint i = 0; i < entries->len; i++)
    {
      AllsetEntryInfo *info = g_ptr_array_index (entries, i);
      g_autofree char *path = *dir != '\0' ? g_strconcat (dir, "/", info->name, NULL)
                                           : g_strdup (info->name);
      AllsetRemoteEntry *entry = allset_remote_entry_new (path, info->is_dir ? ALLSET_ENTRY_DIR
                                                                            : ALLSET_ENTRY_FILE);

      entry->revision = info->revision;
      entry->file_id = allset_entry_string (info->file_id);
      entry->size = info->size;
      entry->mtime = info->mtime;
      g_hash_table_replace (v->remote, entry->path, entry);
      if (info->is_dir && v->next_dirs != NULL)
        g_ptr_array_add (v->next_dirs, g_strdup (path));
    }
  g_mutex_unlock (&v->lock);
}

/* Lists start and, with recurse, everything below it. */
static void
read_server (Verify     *v,
             const char *start,
             gboolean    recurse)
{
  GPtrArray *level = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (level, g_strdup (start));
  while (level->len > 0 && !verify_stopped (v))
    {
      v->next_dirs = recurse ? g_ptr_array_new_with_free_func (g_free) : NULL;
      verify_run_batch (v, level, list_job);
      g_ptr_array_unref (level);
      level = v->next_dirs != NULL ? g_steal_pointer (&v->next_dirs)
                                   : g_ptr_array_new_with_free_func (g_free);
    }
  g_ptr_array_unref (level);
}

/* ─── 2. The disk ──────────────────────────────────────────────────── */

static void
add_local (Verify            *v,
           const char        *path,
           const char        *disk_path,
           const struct stat *st)
{
  LocalFile *file = g_new0 (LocalFile, 1);
  AllsetLocalEntry *entry;

  entry = allset_local_entry_new (path, S_ISDIR (st->st_mode) ? ALLSET_ENTRY_DIR : ALLSET_ENTRY_FILE);
  if (strcmp (path, disk_path) != 0)
    entry->disk_path = allset_entry_string (disk_path);
  entry->size = S_ISREG (st->st_mode) ? st->st_size : 0;
  entry->mtime_ns = (gint64) st->st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st->st_mtim.tv_nsec;
  entry->executable = (st->st_mode & S_IXUSR) != 0;
  entry->inode = st->st_ino;
  entry->dev = st->st_dev;
  file->entry = entry;
  g_hash_table_replace (v->local, entry->path, file);
}

/* Only what a sync pass would sync: portable names, regular files and
 * directories, not ignored. What the scanner skips is an issue of the
 * folder ("allset-cli status"), not a file to verify. */
static void
walk_dir (Verify     *v,
          const char *path,
          const char *disk_path,
          guint       depth)
{
  g_autofree char *full = g_build_filename (v->folder->local, disk_path, NULL);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (depth > MAX_DEPTH || g_cancellable_is_cancelled (v->cancellable))
    return;
  dir = g_dir_open (full, 0, NULL);
  if (dir == NULL)
    return;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *nfc = NULL;
      g_autofree char *child = NULL;
      g_autofree char *child_disk = NULL;
      g_autofree char *child_full = NULL;
      struct stat st;

      if (!g_utf8_validate (name, -1, NULL))
        continue;
      nfc = g_utf8_normalize (name, -1, G_NORMALIZE_NFC);
      if (nfc == NULL || !allset_name_check (nfc, NULL))
        continue;
      child = *path != '\0' ? g_strconcat (path, "/", nfc, NULL) : g_strdup (nfc);
      child_disk = *disk_path != '\0' ? g_strconcat (disk_path, "/", name, NULL) : g_strdup (name);
      child_full = g_build_filename (v->folder->local, child_disk, NULL);
      if (lstat (child_full, &st) != 0 || !(S_ISREG (st.st_mode) || S_ISDIR (st.st_mode)))
        continue;
      if (allset_ignore_match (v->ignore, child, S_ISDIR (st.st_mode)))
        continue;
      add_local (v, child, child_disk, &st);
      if (S_ISDIR (st.st_mode))
        walk_dir (v, child, child_disk, depth + 1);
    }
}

/* The folder, or only subpath: a directory is walked, a file is taken. */
void
verify_read_disk (Verify *v)
{
  g_autofree char *full = g_build_filename (v->folder->local, v->subpath, NULL);
  struct stat st;

  if (*v->subpath == '\0')
    {
      walk_dir (v, "", "", 0);
      return;
    }
  if (lstat (full, &st) != 0 || allset_ignore_match (v->ignore, v->subpath, S_ISDIR (st.st_mode)))
    return;
  if (S_ISREG (st.st_mode) || S_ISDIR (st.st_mode))
    add_local (v, v->subpath, v->subpath, &st);
  if (S_ISDIR (st.st_mode))
    walk_dir (v, v->subpath, v->subpath, 1);
}

/* The scanner's reading, without its cache (allset-file-hash.h). */
static void
hash_job (Verify  *v,
          gpointer item)
{
  LocalFile *file = item;
  AllsetLocalEntry *entry = file->entry;
  g_autofree char *full = g_build_filename (v->folder->local, entry->disk_path != NULL
                                                              ? entry->disk_path : entry->path, NULL);
  g_autoptr(AllsetFileHash) read = allset_file_hash_read (AT_FDCWD, full, NULL, NULL);

  switch (read->status)
    {
    case ALLSET_FILE_HASH_OK:
      break;
    case ALLSET_FILE_HASH_UNSTABLE:
      file->problem = g_strdup ("changed while it was being read");
      return;
    case ALLSET_FILE_HASH_VANISHED:
    case ALLSET_FILE_HASH_FAILED:
    default:
      file->problem = g_strdup_printf ("cannot be read: %s", g_strerror (read->saved));
      return;
    }

  entry->file_id = g_steal_pointer (&read->file_id);
  entry->size = read->size;
  entry->mtime_ns = read->mtime_ns;
  entry->inode = read->inode;
  entry->dev = read->dev;
  entry->executable = read->executable;
  file->chunks = g_steal_pointer (&read->chunks);

  g_mutex_lock (&v->lock);
  v->report->n_hashed++;
  v->report->bytes_hashed += read->size;
  g_mutex_unlock (&v->lock);
}

void
verify_hash_files (Verify *v)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, v->local);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((LocalFile *) value)->entry->type == ALLSET_ENTRY_FILE)
      g_ptr_array_add (files, value);
  verify_run_batch (v, files, hash_job);
}

/* The server's side of subpath: its directory's listing tells whether it
 * is a file (nothing more to list) or a directory (list it all). */
void
verify_read_server (Verify *v)
{
  g_autofree char *parent = NULL;
  AllsetRemoteEntry *entry;

  if (*v->subpath == '\0')
    {
      read_server (v, "", TRUE);
      return;
    }
  parent = allset_path_parent (v->subpath);
  read_server (v, parent, FALSE);
  entry = g_hash_table_lookup (v->remote, v->subpath);
  if (entry != NULL && entry->type == ALLSET_ENTRY_DIR)
    read_server (v, v->subpath, TRUE);
}
