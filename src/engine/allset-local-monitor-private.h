/* allset-local-monitor-private.h — the watch thread behind AllsetLocalMonitor
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An AllsetWatch owns a thread with its own GMainContext that holds every
 * GFileMonitor of one tree, walks it (GTask threads) and debounces the
 * events; it hands notes to its owner through a callback called in the
 * watch thread. stop() only cancels: the thread drops its monitors and
 * ends by itself, then calls destroy on user_data; allset_watch_join_all()
 * lets the process wait for that before it exits. The accessors below
 * are thread-safe.
 */

#pragma once

#include <gio/gio.h>

#include "allset-ignore.h"

G_BEGIN_DECLS

typedef struct _AllsetWatch AllsetWatch;

typedef enum
{
  ALLSET_WATCH_READY,     /* the initial walk is done (value unused) */
  ALLSET_WATCH_CHANGED,   /* value: full_rescan */
  ALLSET_WATCH_DEGRADED,  /* value: some directory is not watched */
} AllsetWatchNote;

/* Called in the watch thread. */
typedef void (*AllsetWatchPost) (AllsetWatchNote note,
                                 gboolean        value,
                                 gpointer        user_data);

AllsetWatch *allset_watch_new              (const char      *root,
                                            AllsetIgnore    *ignore,
                                            AllsetWatchPost  post,
                                            gpointer         user_data,
                                            GDestroyNotify   destroy);
AllsetWatch *allset_watch_ref              (AllsetWatch     *self);
void         allset_watch_unref            (AllsetWatch     *self);
void         allset_watch_start            (AllsetWatch     *self);
void         allset_watch_stop             (AllsetWatch     *self);
/* Waits for every watch thread of the process to end and joins them. */
gboolean     allset_watch_join_all         (guint            timeout_ms);
guint        allset_watch_get_n_watched    (AllsetWatch     *self);
void         allset_watch_set_debounce     (AllsetWatch     *self,
                                            guint            msec);
void         allset_watch_set_overflow_events (AllsetWatch  *self,
                                               guint         events);
void         allset_watch_set_max_watches  (AllsetWatch     *self,
                                            guint            max_watches);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AllsetWatch, allset_watch_unref)

/* ---- walks (allset-local-monitor-walk.c) ---------------------------------- */

typedef struct
{
  char   *path;      /* absolute */
  gint64  mtime_ns;  /* -1: never listed */
} AllsetWalkEntry;

/* GArrays of AllsetWalkEntry that own their paths. */
GArray *allset_walk_entries_new   (void);
void    allset_walk_entries_add   (GArray       *array,
                                   const char   *path,
                                   gint64        mtime_ns);
/* Appends every entry of from to to, leaving from empty. */
void    allset_walk_entries_move  (GArray       *to,
                                   GArray       *from);
void    allset_walk_entry_clear   (gpointer      entry);
/* The NFC path from root that AllsetIgnore takes; NULL outside root or
 * for a name that is not UTF-8 (never ignored: the scanner reports it). */
char   *allset_walk_relative_key  (const char   *root,
                                   gsize         root_len,
                                   const char   *path);
/* In a GTask thread, for each entry: never listed (mtime -1), a name
 * seen by an event: if a directory, not ignored, its whole subtree with
 * mtimes; listed before: if its mtime moved or is recent, its
 * subdirectories as never listed. Takes entries. Calls back in the
 * thread-default context, cancelled or not. */
void    allset_walk_async         (const char          *root,
                                   AllsetIgnore        *ignore,
                                   GArray              *entries,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
/* The directories found (AllsetWalkEntry); empty when cancelled. */
GArray *allset_walk_finish        (GAsyncResult        *result);

G_END_DECLS
