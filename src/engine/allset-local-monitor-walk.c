/* allset-local-monitor-walk.c — the directory walks of AllsetWatch
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only directories matter here (one monitor each): d_type avoids a stat
 * per file, symlinks are never followed, ignored directories are never
 * entered. A walk runs in a GTask thread and touches nothing of the
 * AllsetWatch: it gets copies of what it needs.
 */

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "allset-local-monitor-private.h"

/* Directories modified this recently are listed again by a verify walk
 * whatever their mtime says: timestamps are coarser than the race. */
#define RACY_WINDOW_NS (G_GINT64_CONSTANT (2000000000))

typedef struct
{
  char         *root;
  gsize         root_len;
  AllsetIgnore *ignore;
  GArray       *entries;  /* AllsetWalkEntry to look at */
  GArray       *found;    /* AllsetWalkEntry directories found */
  gint64        racy_after_ns;
} WalkJob;

void
allset_walk_entry_clear (gpointer data)
{
  g_free (((AllsetWalkEntry *) data)->path);
}

GArray *
allset_walk_entries_new (void)
{
  GArray *array = g_array_new (FALSE, FALSE, sizeof (AllsetWalkEntry));

  g_array_set_clear_func (array, allset_walk_entry_clear);
  return array;
}

void
allset_walk_entries_add (GArray     *array,
                         const char *path,
                         gint64      mtime_ns)
{
  AllsetWalkEntry entry = { g_strdup (path), mtime_ns };

  g_array_append_val (array, entry);
}

void
allset_walk_entries_move (GArray *to,
                          GArray *from)
{
  g_array_append_vals (to, from->data, from->len);
  g_array_set_clear_func (from, NULL);
  g_array_set_size (from, 0);
  g_array_set_clear_func (from, allset_walk_entry_clear);
}

char *
allset_walk_relative_key (const char *root,
                          gsize       root_len,
                          const char *path)
{
  const char *rel;

  if (strncmp (path, root, root_len) != 0)
    return NULL;
  rel = path + root_len;
  if (*rel == '/')
    rel++;
  else if (*rel != '\0')
    return NULL;
  if (!g_utf8_validate (rel, -1, NULL))
    return NULL;
  return g_utf8_normalize (rel, -1, G_NORMALIZE_NFC);
}

static gint64
stat_mtime_ns (const struct stat *st)
{
  return (gint64) st->st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st->st_mtim.tv_nsec;
}

static void
walk_job_free (WalkJob *job)
{
  g_free (job->root);
  allset_ignore_unref (job->ignore);
  g_array_unref (job->entries);
  g_clear_pointer (&job->found, g_array_unref);
  g_free (job);
}

/* path: a directory known not to be ignored. Recursive: the whole
 * subtree, with mtimes; otherwise its subdirectories, as never listed. */
static void
walk_directory (WalkJob      *job,
                const char   *path,
                gboolean      recursive,
                GCancellable *cancellable)
{
  g_autoptr(GPtrArray) subdirs = g_ptr_array_new_with_free_func (g_free);
  struct dirent *dirent;
  struct stat st;
  DIR *dir;

  if (g_cancellable_is_cancelled (cancellable) ||
      lstat (path, &st) != 0 || !S_ISDIR (st.st_mode))
    return;
  allset_walk_entries_add (job->found, path, stat_mtime_ns (&st));

  if ((dir = opendir (path)) == NULL)
    return;
  while ((dirent = readdir (dir)) != NULL)
    {
      const char *name = dirent->d_name;
      g_autofree char *child = NULL;
      g_autofree char *key = NULL;
      gboolean is_dir = dirent->d_type == DT_DIR;

      if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0')))
        continue;
      if (dirent->d_type == DT_UNKNOWN)
        {
          struct stat child_st;

          is_dir = fstatat (dirfd (dir), name, &child_st, AT_SYMLINK_NOFOLLOW) == 0 &&
                   S_ISDIR (child_st.st_mode);
        }
      if (!is_dir)
        continue;

      child = g_strconcat (path, "/", name, NULL);
      key = allset_walk_relative_key (job->root, job->root_len, child);
      if (key != NULL && allset_ignore_match_entry (job->ignore, key, TRUE))
        continue;
      if (recursive)
        g_ptr_array_add (subdirs, g_steal_pointer (&child));
      else
        allset_walk_entries_add (job->found, child, -1);
    }
  closedir (dir);

  /* Closed first: a deep tree must not hold a descriptor per level. */
  for (guint i = 0; i < subdirs->len; i++)
    walk_directory (job, subdirs->pdata[i], TRUE, cancellable);
}

static void
walk_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  WalkJob *job = task_data;

  for (guint i = 0; i < job->entries->len && !g_cancellable_is_cancelled (cancellable); i++)
    {
      AllsetWalkEntry *entry = &g_array_index (job->entries, AllsetWalkEntry, i);
      struct stat st;

      if (lstat (entry->path, &st) != 0 || !S_ISDIR (st.st_mode))
        continue;

      if (entry->mtime_ns < 0)
        {
          g_autofree char *key = allset_walk_relative_key (job->root, job->root_len, entry->path);

          /* A name seen by an event: not ignored as a directory? */
          if (key != NULL && *key != '\0' && allset_ignore_match (job->ignore, key, TRUE))
            continue;
          walk_directory (job, entry->path, TRUE, cancellable);
        }
      else if (stat_mtime_ns (&st) != entry->mtime_ns || stat_mtime_ns (&st) >= job->racy_after_ns)
        walk_directory (job, entry->path, FALSE, cancellable);
    }

  g_task_return_pointer (task, g_steal_pointer (&job->found), (GDestroyNotify) g_array_unref);
}

void
allset_walk_async (const char          *root,
                   AllsetIgnore        *ignore,
                   GArray              *entries,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  WalkJob *job = g_new0 (WalkJob, 1);

  job->root = g_strdup (root);
  job->root_len = strlen (root);
  job->ignore = allset_ignore_ref (ignore);
  job->entries = entries;
  job->found = allset_walk_entries_new ();
  job->racy_after_ns = g_get_real_time () * 1000 - RACY_WINDOW_NS;

  g_task_set_source_tag (task, allset_walk_async);
  /* Report even when cancelled: the owner waits for the walk to end. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, job, (GDestroyNotify) walk_job_free);
  g_task_run_in_thread (task, walk_thread);
}

GArray *
allset_walk_finish (GAsyncResult *result)
{
  return g_task_propagate_pointer (G_TASK (result), NULL);
}
