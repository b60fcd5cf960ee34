/* allset-folder-session-private.h — what the session's two files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * allset-folder-session.c: the object, its properties and the user's
 * controls; allset-folder-session-triggers.c: what starts a pass, and
 * the state; allset-folder-session-pass.c: running a pass, carrying its
 * events to the main context, and judging how it ended.
 */

#pragma once

#include "allset-folder-session.h"
#include "allset-local-monitor.h"
#include "allset-network-policy.h"
#include "allset-remote-monitor.h"

G_BEGIN_DECLS

struct _AllsetFolderSession
{
  GObject              parent_instance;

  AllsetClient        *client;
  AllsetFolderConfig   folder;        /* a copy */
  GNetworkMonitor     *network;
  /* The system's monitor calls a host without a default route offline
   * (CI containers); a server on this machine needs none. */
  gboolean             local_server;
  AllsetLocalMonitor  *local;
  AllsetRemoteMonitor *remote;
  gboolean             remote_started;
  GMainContext        *context;       /* start()'s thread-default */
  AllsetActivityList  *activity;

  /* What the UI reads. */
  AllsetSessionState   state;
  char                *message;
  GError              *error;
  gboolean             paused;
  AllsetMeteredPolicy  policy;
  gint64               retry_time;
  guint                problem_count;
  guint                held_deletions;
  guint                deferred_files;
  GDateTime           *last_sync;
  AllsetSyncReport    *last_report;

  /* Scheduling. */
  gboolean             started;       /* between start() and stop() */
  gboolean             halted;        /* ERROR that waits for the user */
  GCancellable        *pass_cancellable;  /* set while a pass runs */
  guint                pass_serial;   /* tells a stale completion apart */
  AllsetNetworkScope   pass_scope;
  AllsetNetworkScope   last_scope;
  gboolean             pass_confirm;  /* the running pass carries deletions out */
  gboolean             wanted;        /* a pass is owed */
  gboolean             dirty;         /* a trigger came during the pass */
  gboolean             confirm_next;
  guint                offline_delay_ms;
  GSource             *retry_source;  /* one shot: failures, offline, maintenance */
  GSource             *rescan_source; /* hourly */
  guint                rescan_seconds; /* 0: ALLSET_FOLDER_SESSION_RESCAN_SECONDS */
  GSource             *degraded_source;
  /* Between start() and the local monitor's ::ready (or the timer): the
   * first pass waits for the watches (allset-folder-session-triggers.c). */
  gboolean             awaiting_watches;
  GSource             *watches_source;
  guint                watches_wait_ms; /* 0: ALLSET_FOLDER_SESSION_WATCHES_WAIT_MS */
  gint64               watch_started;  /* monotonic µs */

  /* Progress of the current pass. */
  guint                files_done;
  guint                files_total;
  guint64              bytes_done;
  guint64              bytes_total;
  gint64               eta_seconds;
  double               rate;          /* smoothed, bytes per second; 0 unknown */
  gint64               rate_time;     /* monotonic µs of the last sample */
  guint64              rate_bytes;

  /* Filled by the pass's threads, emptied on the main context. */
  GMutex               lock;
  GPtrArray           *events;        /* AllsetSyncEvent copies */
  GSource             *flush_source;  /* a batch is due */
  gboolean             accepting;
};

enum
{
  SESSION_PROP_0,
  SESSION_PROP_STATE,
  SESSION_PROP_MESSAGE,
  SESSION_PROP_ERROR,
  SESSION_PROP_PAUSED,
  SESSION_PROP_METERED_POLICY,
  SESSION_PROP_RETRY_TIME,
  SESSION_PROP_PROBLEM_COUNT,
  SESSION_PROP_HELD_DELETIONS,
  SESSION_PROP_DEFERRED_FILES,
  SESSION_PROP_LAST_SYNC,
  SESSION_PROP_FILES_DONE,
  SESSION_PROP_FILES_TOTAL,
  SESSION_PROP_BYTES_DONE,
  SESSION_PROP_BYTES_TOTAL,
  SESSION_PROP_ETA_SECONDS,
  SESSION_PROP_FRACTION,
  SESSION_N_PROPS
};

enum
{
  SESSION_SIGNAL_PASS_FINISHED,
  SESSION_SIGNAL_ACTIVITY_FINISHED,
  SESSION_N_SIGNALS
};

extern GParamSpec *allset_folder_session_props[SESSION_N_PROPS];
extern guint       allset_folder_session_signals[SESSION_N_SIGNALS];

/* allset-folder-session-triggers.c */
void     allset_folder_session_set_state      (AllsetFolderSession *self,
                                               AllsetSessionState   state,
                                               const char          *message);
void     allset_folder_session_set_error      (AllsetFolderSession *self,
                                               const GError        *error);
/* Another try in delay_ms (replaces the one planned); retry-time. */
void     allset_folder_session_schedule_retry (AllsetFolderSession *self,
                                               guint                delay_ms);
void     allset_folder_session_cancel_retry   (AllsetFolderSession *self);
/* A reason to sync: force FALSE (local changes) leaves a backoff alone. */
void     allset_folder_session_request        (AllsetFolderSession *self,
                                               gboolean             force);
/* Runs the owed pass if the network, pause and backoff allow it. */
void     allset_folder_session_run_if_wanted  (AllsetFolderSession *self);
AllsetNetworkScope allset_folder_session_scope (AllsetFolderSession *self);
gboolean allset_folder_session_network_available (AllsetFolderSession *self);
/* Stops everything for good (ERROR until sync_now()). */
void     allset_folder_session_halt           (AllsetFolderSession *self,
                                               const GError        *error,
                                               const char          *message);
void     allset_folder_session_start_remote   (AllsetFolderSession *self,
                                               gint64               cursor);
void     allset_folder_session_stop_remote    (AllsetFolderSession *self);
/* Connects the network and local monitors, the hourly rescan. */
void     allset_folder_session_watch          (AllsetFolderSession *self);
/* Undoes it all, push channel and retry timer included. */
void     allset_folder_session_unwatch        (AllsetFolderSession *self);
gboolean allset_folder_session_is_loopback_url (const char         *url);
/* The network or the metered policy changed: cancel a pass allowed
 * more than it is now, or run one the change allows. */
void     allset_folder_session_network_changed (AllsetFolderSession *self);

/* allset-folder-session-pass.c */
void     allset_folder_session_start_pass     (AllsetFolderSession *self,
                                               AllsetNetworkScope   scope);
/* Applies the events waiting from the pass's threads now. */
void     allset_folder_session_flush_events   (AllsetFolderSession *self);
void     allset_folder_session_reset_progress (AllsetFolderSession *self);
/* The sentence for an error that halts (auth, suspended…) or NULL when
 * error does not halt. */
char    *allset_folder_session_halt_message   (AllsetFolderSession *self,
                                               const GError        *error);

G_END_DECLS
