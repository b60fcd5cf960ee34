/* allset-local-monitor-watch.c — the watch thread: one GFileMonitor per
 * directory of a synced tree, walks, debounce
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Why a thread of its own: every GFileMonitor attaches a GSource to the
 * context it is made in, and each main-loop iteration visits every
 * source. Measured here with 10 101 directories: a busy iteration of the
 * context holding them costs ~3 ms instead of 12 µs, and cancelling them
 * all ~0.6 s. In the owner's (the GUI's) context that would tax every
 * frame; in this thread it costs nothing while the tree is quiet (no
 * source is ready, the thread sleeps in poll()) and only the owner's
 * ::changed crosses over.
 *
 * Walks run in GTask threads (readdir + lstat). A directory is always
 * listed again after its monitor exists (a "verify" walk): a subdirectory
 * made between the listing and the monitor would otherwise never be
 * watched. The verify walk re-reads only the directories whose mtime
 * moved since they were listed, or that were modified within RACY_WINDOW
 * of the walk (timestamps are coarse, as in git's racy-index rule), so
 * for an old tree it costs one lstat a directory.
 *
 * What GLib 2.74 does underneath (read in gio/inotify/):
 *  - IN_Q_OVERFLOW arrives with wd -1, matches no watched directory
 *    (ip_event_callback) and maps to no GFileMonitorEvent
 *    (ih_mask_to_EventFlags returns -1): it is dropped without a trace.
 *    GLib reads the inotify fd from its worker thread into an unbounded
 *    queue, which makes a kernel overflow rare but not impossible; hence
 *    the OVERFLOW_EVENTS rule.
 *  - When inotify_add_watch() fails (ENOSPC past max_user_watches,
 *    EACCES), g_file_monitor_directory() still succeeds: _ih_sub_add()
 *    puts the subscription on its "missing" list, polled every 4 s from
 *    the worker thread. So each new monitor is checked with a probe
 *    watch on a private inotify fd, made after GLib's: if the probe
 *    fails, GLib's add has failed too (or the watch table is full to the
 *    last slot: a false alarm that only costs a rescan).
 *  - A watched directory that is deleted or moved (IN_DELETE_SELF,
 *    IN_MOVE_SELF) also goes on that missing list, polled every 4 s until
 *    the monitor is cancelled: drop_directory() cancels promptly, or an
 *    idle client would wake every 4 s.
 *  - CHANGED events are rate limited per file (800 ms by default; the
 *    first one is delivered at once); set to RATE_LIMIT_MS here. An open
 *    for writing closed without a write gives no event at all.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif

#include "allset-local-monitor.h"
#include "allset-local-monitor-private.h"

#define ADD_BATCH       256
#define RATE_LIMIT_MS   100
#define RETRY_SECONDS   5

struct _AllsetWatch
{
  gatomicrefcount  ref;
  /* Any thread. */
  int              debounce_ms;
  int              overflow_events;
  int              max_watches;
  int              n_watched;
  GCancellable    *cancellable;

  /* Set once, read by the watch thread. */
  char            *root;
  gsize            root_len;
  AllsetIgnore    *ignore;
  AllsetWatchPost  post;
  gpointer         user_data;
  GDestroyNotify   destroy;

  /* The watch thread only. */
  GMainContext    *context;
  GHashTable      *monitors;   /* directory path → GFileMonitor */
  GHashTable      *unwatched;  /* directories that could not get one */
  GArray          *to_walk;    /* AllsetWalkEntry, for the next walk */
  GArray          *to_verify;  /* AllsetWalkEntry, monitored since their listing */
  GQueue           to_add;     /* AllsetWalkEntry *, found, not monitored yet */
  gboolean         walking;
  GSource         *add_source;
  GSource         *debounce_source;
  GSource         *retry_source;
  int              probe_fd;
  gint64           burst_start;  /* monotonic µs; 0 while quiet */
  gint64           last_event;
  guint            n_events;
  gboolean         full_rescan;
  gboolean         ready;
  gboolean         degraded;
};

static void on_monitor_changed (GFileMonitor      *monitor,
                                GFile             *file,
                                GFile             *other,
                                GFileMonitorEvent  event,
                                gpointer           user_data);

static gboolean
stopping (AllsetWatch *self)
{
  return g_cancellable_is_cancelled (self->cancellable);
}

static void
post (AllsetWatch     *self,
      AllsetWatchNote  note,
      gboolean         value)
{
  if (!stopping (self))
    self->post (note, value, self->user_data);
}

static gint64
debounce_usec (AllsetWatch *self)
{
  return (gint64) g_atomic_int_get (&self->debounce_ms) * 1000;
}

static void walk_done (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data);

static void
schedule_walk (AllsetWatch *self)
{
  if (self->walking || stopping (self) || self->to_walk->len == 0)
    return;

  self->walking = TRUE;
  allset_walk_async (self->root, self->ignore, g_steal_pointer (&self->to_walk),
                     self->cancellable, walk_done, self);
  self->to_walk = allset_walk_entries_new ();
}

/* ---- events and the debounce --------------------------------------------- */

static gboolean
ready_time_dispatch (GSource     *source,
                     GSourceFunc  callback,
                     gpointer     user_data)
{
  return callback (user_data);
}

/* A source that only wakes at the ready time it is given: -1 costs
 * nothing while the tree is quiet. */
static GSourceFuncs ready_time_funcs = { NULL, NULL, ready_time_dispatch, NULL, NULL, NULL };

static void
note_event (AllsetWatch *self)
{
  gint64 now = g_get_monotonic_time ();

  if (self->burst_start == 0)
    {
      self->burst_start = now;
      self->n_events = 0;
    }
  self->last_event = now;
  self->n_events++;
  if (g_source_get_ready_time (self->debounce_source) < 0)
    g_source_set_ready_time (self->debounce_source, now + debounce_usec (self));
}

static gboolean
on_debounce (gpointer user_data)
{
  AllsetWatch *self = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 deadline = MIN (self->last_event + debounce_usec (self),
                         self->burst_start + ALLSET_LOCAL_MONITOR_MAX_DELAY_MS * 1000);
  gboolean full;

  /* Moving the ready time on every event would cost a syscall each. */
  if (now < deadline)
    {
      g_source_set_ready_time (self->debounce_source, deadline);
      return G_SOURCE_CONTINUE;
    }

  g_source_set_ready_time (self->debounce_source, -1);
  full = self->full_rescan || self->n_events > (guint) g_atomic_int_get (&self->overflow_events);
  self->full_rescan = FALSE;
  self->burst_start = 0;
  self->n_events = 0;
  post (self, ALLSET_WATCH_CHANGED, full);
  return G_SOURCE_CONTINUE;
}

static gboolean
is_ignored (AllsetWatch *self,
            const char  *path)
{
  g_autofree char *key = allset_walk_relative_key (self->root, self->root_len, path);

  /* The type of a deleted name is unknown: ignored only if it would be
   * as a file and as a directory. */
  return key != NULL && *key != '\0' &&
         allset_ignore_match_entry (self->ignore, key, FALSE) &&
         allset_ignore_match_entry (self->ignore, key, TRUE);
}

static void
queue_walk (AllsetWatch *self,
            const char  *path)
{
  if (g_hash_table_contains (self->monitors, path) || is_ignored (self, path))
    return;
  allset_walk_entries_add (self->to_walk, path, -1);
  schedule_walk (self);
}

static gboolean
is_under (const char *path,
          const char *dir,
          gsize       dir_len)
{
  return strncmp (path, dir, dir_len) == 0 && (path[dir_len] == '\0' || path[dir_len] == '/');
}

/* path and everything below it is gone (or moved away). */
static void
drop_directory (AllsetWatch *self,
                const char  *path)
{
  gsize len = strlen (path);
  GHashTable *tables[] = { self->monitors, self->unwatched };

  if (!g_hash_table_contains (self->monitors, path) &&
      !g_hash_table_contains (self->unwatched, path))
    return;

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      GHashTableIter iter;
      const char *key;

      g_hash_table_iter_init (&iter, tables[t]);
      while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
        if (is_under (key, path, len))
          g_hash_table_iter_remove (&iter);
    }
  g_atomic_int_set (&self->n_watched, g_hash_table_size (self->monitors));
}

static void mark_unwatched (AllsetWatch *self,
                            const char  *path,
                            int          err);

static void
on_monitor_changed (GFileMonitor      *monitor,
                    GFile             *file,
                    GFile             *other,
                    GFileMonitorEvent  event,
                    gpointer           user_data)
{
  AllsetWatch *self = user_data;
  g_autoptr(GFileMonitor) hold = g_object_ref (monitor);
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *other_path = other != NULL ? g_file_get_path (other) : NULL;
  gboolean relevant;

  if (stopping (self) || path == NULL)
    return;

  relevant = !is_ignored (self, path) ||
             (event == G_FILE_MONITOR_EVENT_RENAMED && other_path != NULL &&
              !is_ignored (self, other_path));

  switch (event)
    {
    case G_FILE_MONITOR_EVENT_CREATED:
    case G_FILE_MONITOR_EVENT_MOVED_IN:
      queue_walk (self, path);
      break;
    case G_FILE_MONITOR_EVENT_RENAMED:
      drop_directory (self, path);
      if (other_path != NULL)
        queue_walk (self, other_path);
      break;
    case G_FILE_MONITOR_EVENT_DELETED:
    case G_FILE_MONITOR_EVENT_MOVED_OUT:
    case G_FILE_MONITOR_EVENT_UNMOUNTED:
      drop_directory (self, path);
      /* The folder itself went (a drive unplugged, a user's mistake):
       * degraded, and tried again until it is back. */
      if (strcmp (path, self->root) == 0)
        mark_unwatched (self, path, ENOENT);
      break;
    default:
      break;
    }

  if (relevant)
    note_event (self);
}

/* ---- monitors ------------------------------------------------------------- */

static void
monitor_free (gpointer data)
{
  GFileMonitor *monitor = data;

  g_signal_handlers_disconnect_matched (monitor, G_SIGNAL_MATCH_FUNC, 0, 0, NULL,
                                        on_monitor_changed, NULL);
  g_file_monitor_cancel (monitor);
  g_object_unref (monitor);
}

/* 0, or why the kernel would not watch path (see the file comment). */
static int
probe_watch (AllsetWatch *self,
             const char  *path)
{
#ifdef __linux__
  int wd;

  if (self->probe_fd < 0)
    return 0;
  if ((wd = inotify_add_watch (self->probe_fd, path, IN_ONLYDIR | IN_DELETE_SELF)) < 0)
    return errno;
  inotify_rm_watch (self->probe_fd, wd);
#endif
  return 0;
}

static void
drain_probe (AllsetWatch *self)
{
  char buffer[4096];

  /* Each removed probe queues an IN_IGNORED: read them away. */
  while (self->probe_fd >= 0 && read (self->probe_fd, buffer, sizeof buffer) > 0)
    ;
}

static void
set_degraded (AllsetWatch *self,
              gboolean     degraded)
{
  if (self->degraded == degraded)
    return;
  self->degraded = degraded;
  post (self, ALLSET_WATCH_DEGRADED, degraded);
}

static gboolean on_retry (gpointer user_data);

/* 0 when path is watched now, else an errno. */
static int
watch_directory (AllsetWatch *self,
                 const char  *path)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  GFileMonitor *monitor;
  guint max_watches = g_atomic_int_get (&self->max_watches);
  int err;

  if (max_watches > 0 && g_hash_table_size (self->monitors) >= max_watches)
    return ENOSPC;

  file = g_file_new_for_path (path);
  monitor = g_file_monitor_directory (file, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (monitor == NULL)
    {
      g_debug ("Cannot monitor %s: %s", path, error->message);
      return EIO;
    }
  if ((err = probe_watch (self, path)) != 0)
    {
      monitor_free (monitor);
      return err;
    }

  g_file_monitor_set_rate_limit (monitor, RATE_LIMIT_MS);
  g_signal_connect (monitor, "changed", G_CALLBACK (on_monitor_changed), self);
  g_hash_table_insert (self->monitors, g_strdup (path), monitor);
  g_atomic_int_set (&self->n_watched, g_hash_table_size (self->monitors));
  return 0;
}

static void
mark_unwatched (AllsetWatch *self,
                const char  *path,
                int          err)
{
  if (!self->degraded)
    g_message ("Cannot watch “%s” (%s): changes there are found by rescans until it can",
               path, g_strerror (err));
  g_hash_table_add (self->unwatched, g_strdup (path));
  if (self->retry_source == NULL)
    {
      self->retry_source = g_timeout_source_new_seconds (RETRY_SECONDS);
      g_source_set_callback (self->retry_source, on_retry, self, NULL);
      g_source_attach (self->retry_source, self->context);
    }
  set_degraded (self, TRUE);
  /* Whatever happened there before now was not seen. */
  self->full_rescan = TRUE;
  note_event (self);
}

static void
check_ready (AllsetWatch *self)
{
  if (self->ready || self->walking || self->to_walk->len > 0 ||
      !g_queue_is_empty (&self->to_add))
    return;
  if (!g_hash_table_contains (self->monitors, self->root) &&
      !g_hash_table_contains (self->unwatched, self->root))
    mark_unwatched (self, self->root, ENOENT);
  self->ready = TRUE;
  post (self, ALLSET_WATCH_READY, FALSE);
}

static gboolean
on_add_batch (gpointer user_data)
{
  AllsetWatch *self = user_data;
  guint added = 0;
  AllsetWalkEntry *entry;

  for (guint i = 0; i < ADD_BATCH && (entry = g_queue_pop_head (&self->to_add)) != NULL; i++)
    {
      if (!g_hash_table_contains (self->monitors, entry->path) &&
          !g_hash_table_contains (self->unwatched, entry->path))
        {
          int err = watch_directory (self, entry->path);

          if (err == 0)
            {
              allset_walk_entries_add (self->to_verify, entry->path, entry->mtime_ns);
              added++;
            }
          else if (err != ENOENT && err != ENOTDIR)
            mark_unwatched (self, entry->path, err);
        }
      allset_walk_entry_clear (entry);
      g_free (entry);
    }
  drain_probe (self);

  /* After ::ready a new directory is a change, even if it came empty:
   * and the quiet period restarts once its monitor exists, so the pass
   * that follows sees whatever landed in it before. */
  if (added > 0 && self->ready)
    note_event (self);

  if (!g_queue_is_empty (&self->to_add))
    return G_SOURCE_CONTINUE;

  g_clear_pointer (&self->add_source, g_source_unref);
  allset_walk_entries_move (self->to_walk, self->to_verify);
  schedule_walk (self);
  check_ready (self);
  return G_SOURCE_REMOVE;
}

static void
walk_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  AllsetWatch *self = user_data;
  g_autoptr(GArray) found = allset_walk_finish (result);

  self->walking = FALSE;
  if (stopping (self) || found == NULL)
    return;

  for (guint i = 0; i < found->len; i++)
    {
      AllsetWalkEntry *entry = g_new (AllsetWalkEntry, 1);

      *entry = g_array_index (found, AllsetWalkEntry, i);
      g_queue_push_tail (&self->to_add, entry);
    }
  g_array_set_clear_func (found, NULL);

  if (!g_queue_is_empty (&self->to_add) && self->add_source == NULL)
    {
      self->add_source = g_idle_source_new ();
      g_source_set_priority (self->add_source, G_PRIORITY_DEFAULT);
      g_source_set_callback (self->add_source, on_add_batch, self, NULL);
      g_source_attach (self->add_source, self->context);
    }
  schedule_walk (self);
  check_ready (self);
}

static gboolean
on_retry (gpointer user_data)
{
  AllsetWatch *self = user_data;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->unwatched);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      g_ptr_array_add (paths, key);
      g_hash_table_iter_steal (&iter);
    }

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = paths->pdata[i];
      int err = watch_directory (self, path);

      /* Gone meanwhile: its parent's events said so. Not the root. */
      if (err == 0)
        allset_walk_entries_add (self->to_verify, path, -1);
      else if ((err != ENOENT && err != ENOTDIR) || strcmp (path, self->root) == 0)
        g_hash_table_add (self->unwatched, g_strdup (path));
    }
  drain_probe (self);

  allset_walk_entries_move (self->to_walk, self->to_verify);
  schedule_walk (self);

  if (g_hash_table_size (self->unwatched) > 0)
    return G_SOURCE_CONTINUE;

  g_clear_pointer (&self->retry_source, g_source_unref);
  set_degraded (self, FALSE);
  self->full_rescan = TRUE;
  note_event (self);
  return G_SOURCE_REMOVE;
}

/* ---- the thread ------------------------------------------------------------ */

static void
watch_setup (AllsetWatch *self)
{
#ifdef __linux__
  self->probe_fd = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);
#endif
  self->debounce_source = g_source_new (&ready_time_funcs, sizeof (GSource));
  g_source_set_name (self->debounce_source, "AllsetWatch debounce");
  g_source_set_callback (self->debounce_source, on_debounce, self, NULL);
  g_source_attach (self->debounce_source, self->context);

  allset_walk_entries_add (self->to_walk, self->root, -1);
  schedule_walk (self);
}

static void
watch_teardown (AllsetWatch *self)
{
  AllsetWalkEntry *entry;
  GSource **sources[] = { &self->add_source, &self->debounce_source, &self->retry_source };

  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    if (*sources[i] != NULL)
      {
        g_source_destroy (*sources[i]);
        g_clear_pointer (sources[i], g_source_unref);
      }
  g_hash_table_remove_all (self->monitors);
  g_hash_table_remove_all (self->unwatched);
  g_atomic_int_set (&self->n_watched, 0);
  while ((entry = g_queue_pop_head (&self->to_add)) != NULL)
    {
      allset_walk_entry_clear (entry);
      g_free (entry);
    }
  /* A walk in flight is cancelled: it ends at its next directory. */
  while (self->walking)
    g_main_context_iteration (self->context, TRUE);
  if (self->probe_fd >= 0)
    close (self->probe_fd);
  self->probe_fd = -1;
}

/* Every watch thread of the process, joinable: an exit while one still
 * tears down its monitors would leave its allocations behind (the
 * sanitizer run reports them as leaks). */
static GMutex     threads_lock;
static GCond      threads_cond;
static GPtrArray *threads;        /* GThread, started and not joined */
static guint      threads_running;

static gpointer
watch_thread (gpointer data)
{
  AllsetWatch *self = data;

  g_main_context_push_thread_default (self->context);
  watch_setup (self);
  /* Not a GCancellableSource: GLib 2.74 leaks one cancelled from another
   * thread while it is being destroyed. stop() wakes the context up
   * after cancelling, so a poll never outlasts it. */
  while (!stopping (self))
    g_main_context_iteration (self->context, TRUE);
  watch_teardown (self);
  g_main_context_pop_thread_default (self->context);
  if (self->destroy != NULL)
    self->destroy (self->user_data);
  self->destroy = NULL;
  allset_watch_unref (self);

  g_mutex_lock (&threads_lock);
  threads_running--;
  g_cond_broadcast (&threads_cond);
  g_mutex_unlock (&threads_lock);
  return NULL;
}

/* ---- API -------------------------------------------------------------------- */

AllsetWatch *
allset_watch_new (const char      *root,
                  AllsetIgnore    *ignore,
                  AllsetWatchPost  post_func,
                  gpointer         user_data,
                  GDestroyNotify   destroy)
{
  AllsetWatch *self = g_new0 (AllsetWatch, 1);

  g_atomic_ref_count_init (&self->ref);
  self->debounce_ms = ALLSET_LOCAL_MONITOR_DEBOUNCE_MS;
  self->overflow_events = ALLSET_LOCAL_MONITOR_OVERFLOW_EVENTS;
  self->cancellable = g_cancellable_new ();
  self->root = g_canonicalize_filename (root, NULL);
  self->root_len = strlen (self->root);
  self->ignore = allset_ignore_ref (ignore);
  self->post = post_func;
  self->user_data = user_data;
  self->destroy = destroy;

  self->context = g_main_context_new ();
  self->monitors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, monitor_free);
  self->unwatched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->to_walk = allset_walk_entries_new ();
  self->to_verify = allset_walk_entries_new ();
  g_queue_init (&self->to_add);
  self->probe_fd = -1;
  return self;
}

AllsetWatch *
allset_watch_ref (AllsetWatch *self)
{
  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
allset_watch_unref (AllsetWatch *self)
{
  if (!g_atomic_ref_count_dec (&self->ref))
    return;

  /* Never started: nobody called destroy yet. */
  if (self->destroy != NULL)
    self->destroy (self->user_data);
  g_object_unref (self->cancellable);
  g_free (self->root);
  allset_ignore_unref (self->ignore);
  g_main_context_unref (self->context);
  g_hash_table_unref (self->monitors);
  g_hash_table_unref (self->unwatched);
  g_array_unref (self->to_walk);
  g_array_unref (self->to_verify);
  g_free (self);
}

void
allset_watch_start (AllsetWatch *self)
{
  GThread *thread;

  g_mutex_lock (&threads_lock);
  if (threads == NULL)
    threads = g_ptr_array_new ();
  thread = g_thread_new ("allset-watch", watch_thread, allset_watch_ref (self));
  g_ptr_array_add (threads, thread);
  threads_running++;
  g_mutex_unlock (&threads_lock);
}

gboolean
allset_watch_join_all (guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  g_autoptr(GPtrArray) ended = NULL;
  gboolean all;

  g_mutex_lock (&threads_lock);
  while (threads_running > 0)
    if (!g_cond_wait_until (&threads_cond, &threads_lock, end))
      break;
  all = threads_running == 0;
  /* Only when none runs: which of the threads ended is not known. */
  if (all && threads != NULL)
    ended = g_steal_pointer (&threads);
  g_mutex_unlock (&threads_lock);

  if (ended != NULL)
    for (guint i = 0; i < ended->len; i++)
      g_thread_join (ended->pdata[i]);
  return all;
}

void
allset_watch_stop (AllsetWatch *self)
{
  g_cancellable_cancel (self->cancellable);
  g_main_context_wakeup (self->context);
}

guint
allset_watch_get_n_watched (AllsetWatch *self)
{
  return g_atomic_int_get (&self->n_watched);
}

void
allset_watch_set_debounce (AllsetWatch *self,
                           guint        msec)
{
  g_atomic_int_set (&self->debounce_ms, msec > 0 ? (int) msec : ALLSET_LOCAL_MONITOR_DEBOUNCE_MS);
}

void
allset_watch_set_overflow_events (AllsetWatch *self,
                                  guint        events)
{
  g_atomic_int_set (&self->overflow_events,
                    events > 0 ? (int) MIN (events, G_MAXINT) : ALLSET_LOCAL_MONITOR_OVERFLOW_EVENTS);
}

void
allset_watch_set_max_watches (AllsetWatch *self,
                              guint        max_watches)
{
  g_atomic_int_set (&self->max_watches, (int) max_watches);
}
