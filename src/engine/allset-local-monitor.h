/* allset-local-monitor.h — tells when a synced folder's tree changed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * inotify is not recursive, so AllsetLocalMonitor holds one GFileMonitor
 * per directory of the tree (WATCH_MOVES), adds one for each directory
 * that appears and drops those that go. The monitors live in a thread of
 * their own with its own GMainContext (10 000 of them would make every
 * iteration of the owner's main loop visit 10 000 sources); the walks of
 * the tree run in GTask threads (a tree of 100 000 files must not block
 * the main loop, DESIGN.md §4.7). Signals and notifications are emitted
 * in the thread-default GMainContext of the caller of
 * allset_local_monitor_start().
 *
 * Events are coalesced: ::changed is emitted once the tree has been quiet
 * for the debounce delay (ALLSET_LOCAL_MONITOR_DEBOUNCE_MS), and at the
 * latest ALLSET_LOCAL_MONITOR_MAX_DELAY_MS after the first event of a
 * burst, so a file written without pause still syncs. Events on ignored
 * paths (the AllsetIgnore given, which covers partial downloads and the
 * built-in temporary files) start nothing: the sync pass's own writes
 * (.allset-part-*) do not wake it up again.
 *
 * Lost events: GLib does not report inotify's IN_Q_OVERFLOW, and a
 * directory may fail to get a monitor (fs.inotify.max_user_watches).
 * Both are treated as "events may be missing": ::changed is emitted with
 * full_rescan TRUE, and "degraded" becomes TRUE while some directory is
 * unwatched (the owner then rescans on a short timer). A burst of more
 * than ALLSET_LOCAL_MONITOR_OVERFLOW_EVENTS events before one emission is
 * taken as an overflow too. A root that is missing at start or goes
 * away is an unwatched directory as well: degraded until it is back.
 *
 * Idle cost: no timer runs while nothing happens (the idle watch target:
 * at most one wake-up every 30 s); while degraded, unwatched directories
 * are tried again every 5 s.
 */

#pragma once

#include <gio/gio.h>

#include "allset-ignore.h"

G_BEGIN_DECLS

#define ALLSET_LOCAL_MONITOR_DEBOUNCE_MS     200
#define ALLSET_LOCAL_MONITOR_MAX_DELAY_MS    2000
#define ALLSET_LOCAL_MONITOR_OVERFLOW_EVENTS 10000

#define ALLSET_TYPE_LOCAL_MONITOR (allset_local_monitor_get_type ())
G_DECLARE_FINAL_TYPE (AllsetLocalMonitor, allset_local_monitor, ALLSET, LOCAL_MONITOR, GObject)

/* root: absolute path of the folder; ignore may be NULL (built-in rules). */
AllsetLocalMonitor *allset_local_monitor_new        (const char         *root,
                                                     AllsetIgnore       *ignore);
/* Walks the tree (in a thread) and watches it; ::ready when done. */
void                allset_local_monitor_start      (AllsetLocalMonitor *self);
/* Drops every monitor and pending timer; no signal after this. Returns
 * at once: the watch thread lets its monitors go in the background. */
void                allset_local_monitor_stop       (AllsetLocalMonitor *self);
/* Before the process exits: waits up to timeout_ms for the threads of
 * every stopped monitor to end, and joins them. FALSE if some did not
 * end in time (a monitor still running counts too). */
gboolean            allset_local_monitor_join_stopped (guint             timeout_ms);
/* Directories watched now. */
guint               allset_local_monitor_get_n_watched (AllsetLocalMonitor *self);
/* TRUE while some directory could not be watched. */
gboolean            allset_local_monitor_get_degraded  (AllsetLocalMonitor *self);
/* Tests: the debounce delay in ms (0 restores the default). */
void                allset_local_monitor_set_debounce  (AllsetLocalMonitor *self,
                                                        guint               msec);
/* Tests: the burst size taken as an overflow (0 restores
 * ALLSET_LOCAL_MONITOR_OVERFLOW_EVENTS): a slow machine cannot make
 * 10 000 events within one debounce window. */
void                allset_local_monitor_set_overflow_events (AllsetLocalMonitor *self,
                                                              guint               events);
/* Tests: act as if the system refused watches beyond max_watches
 * directories (0: no such limit), to drive the degraded mode. Unwatched
 * directories are tried again every few seconds. */
void                allset_local_monitor_set_max_watches (AllsetLocalMonitor *self,
                                                          guint               max_watches);

/* Signals:
 *   ::ready ()                    the initial walk is done, monitors set
 *   ::changed (gboolean full_rescan)  something under the root changed
 *   notify::degraded
 */

G_END_DECLS
