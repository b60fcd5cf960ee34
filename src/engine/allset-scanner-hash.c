/* allset-scanner-hash.c — reading the files the journal does not know,
 * several at a time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "allset-chunk-parallel.h"
#include "allset-scanner-private.h"

/* A directory with fewer files to hash than this hashes them in the scan
 * thread: handing out work costs more than it saves. */
#define AHEAD_MIN_FILES 16

/* ─── Ahead of the walk, on several threads ─────────────────────────── */

typedef struct
{
  int        dirfd;
  Child    **jobs;
  guint      n_jobs;
  gint       next;       /* the next job to take, atomically */
  GMutex     lock;
  GCond      cond;
  guint      helpers;    /* still working, under lock */
} Ahead;

static void
ahead_run (Ahead *ahead)
{
  gint i;

  while ((i = g_atomic_int_add (&ahead->next, 1)) < (gint) ahead->n_jobs)
    ahead->jobs[i]->hashed = allset_file_hash_read (ahead->dirfd, ahead->jobs[i]->name, NULL, NULL);
}

static void
ahead_helper (gpointer data,
              gpointer user_data)
{
  Ahead *ahead = data;

  ahead_run (ahead);
  g_mutex_lock (&ahead->lock);
  ahead->helpers--;
  g_cond_signal (&ahead->cond);
  g_mutex_unlock (&ahead->lock);
}

void
scanner_hash_ahead (Walk   *walk,
                    int     dirfd,
                    GArray *children,
                    guint   from,
                    guint   to)
{
  g_autoptr(GPtrArray) jobs = g_ptr_array_new ();
  gsize dir_len = walk->path->len;
  Ahead ahead = { 0 };
  guint helpers;

  /* The journal's answers first, in this thread (they read it): only
   * what it does not know is read. */
  for (guint i = from; i < to && walk->error == NULL; i++)
    {
      Child *child = &g_array_index (children, Child, i);

      if (child->problem != NULL || child->clash || !S_ISREG (child->st.st_mode) ||
          child->st.st_size >= ALLSET_CHUNK_PARALLEL_MIN)
        continue;
      if (dir_len > 0)
        g_string_append_c (walk->path, '/');
      g_string_append (walk->path, child->key);
      child->known_id = scanner_known_file_id (walk, walk->path->str, &child->st, &child->known_chunks);
      child->looked_up = TRUE;
      g_string_truncate (walk->path, dir_len);
      if (child->known_id == NULL)
        g_ptr_array_add (jobs, child);
    }
  if (jobs->len < AHEAD_MIN_FILES || walk->error != NULL)
    return;

  if (walk->hash_pool == NULL)
    walk->hash_pool = g_thread_pool_new (ahead_helper, NULL, MAX (1, (gint) g_get_num_processors () - 1),
                                         FALSE, NULL);
  ahead.dirfd = dirfd;
  ahead.jobs = (Child **) jobs->pdata;
  ahead.n_jobs = jobs->len;
  g_mutex_init (&ahead.lock);
  g_cond_init (&ahead.cond);
  helpers = MIN ((guint) g_thread_pool_get_max_threads (walk->hash_pool), jobs->len / AHEAD_MIN_FILES);
  ahead.helpers = helpers;
  for (guint h = 0; h < helpers; h++)
    g_thread_pool_push (walk->hash_pool, &ahead, NULL);

  ahead_run (&ahead);

  g_mutex_lock (&ahead.lock);
  while (ahead.helpers > 0)
    g_cond_wait (&ahead.cond, &ahead.lock);
  g_mutex_unlock (&ahead.lock);
  g_mutex_clear (&ahead.lock);
  g_cond_clear (&ahead.cond);
}
