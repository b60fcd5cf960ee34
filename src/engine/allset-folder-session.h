/* allset-folder-session.h — one synced folder, kept in sync while running
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine's long-running side, for `allset-cli watch` and the desktop
 * app: AllsetFolderSession runs sync passes (allset_sync_folder_async(),
 * one at a time) when something may have changed, and tells its owner
 * everything the UI shows, so that the app holds no sync logic of its
 * own. It lives on the GMainContext that created it (the thread-default
 * one at start()) and never blocks it: passes run in GTask threads, and
 * their progress events reach the main context in batches, at most every
 * ALLSET_FOLDER_SESSION_PROGRESS_MS.
 *
 * A pass starts on start(); on AllsetLocalMonitor::changed (debounced
 * there); on AllsetRemoteMonitor::changed (the server's push channel);
 * when the network becomes usable or the metered policy allows more;
 * on retry timers (failed files: 60 s; server unreachable: 2 s doubling
 * to 60 s; maintenance: the server's Retry-After); and every hour (a full
 * rescan). A trigger during a pass makes one more pass right after it.
 * Idle, the session's own timers wake the process once an hour (plus one
 * a minute while the local monitor is degraded).
 *
 * Network (DESIGN.md §4 invariant 6): each trigger reads the
 * GNetworkMonitor and allset_network_scope(): offline → OFFLINE, metered
 * with policy "pause" → PAUSED_METERED, "small-files" → passes that only
 * transfer files up to the folder's small_files_max. A network that
 * becomes more restrictive cancels the running pass.
 *
 * Fatal answers: maintenance (503) → MAINTENANCE, retried after
 * Retry-After; revoked or expired token, suspended account, untrusted
 * certificate, no local space (preflight), journal failure → ERROR,
 * stopped until sync_now() (after the user signed in again, freed
 * space…). Other server errors (quota, storage full, internal) → ERROR
 * with a retry in 60 s (retry-time set).
 */

#pragma once

#include <gio/gio.h>

#include "allset-activity.h"
#include "allset-client.h"
#include "allset-config.h"
#include "allset-sync.h"

G_BEGIN_DECLS

typedef enum
{
  ALLSET_SESSION_STOPPED,             /* not started, or stop() */
  ALLSET_SESSION_IDLE,                /* up to date (failed files: see problem-count) */
  ALLSET_SESSION_SYNCING,             /* a pass runs: see the progress properties */
  ALLSET_SESSION_PAUSED,              /* the user paused it */
  ALLSET_SESSION_PAUSED_METERED,      /* metered connection: paused, or large files wait */
  ALLSET_SESSION_OFFLINE,             /* no network, or the server cannot be reached */
  ALLSET_SESSION_MAINTENANCE,         /* the server is in maintenance: waits (retry-time) */
  ALLSET_SESSION_NEEDS_CONFIRMATION,  /* a mass deletion waits: confirm_deletions() */
  ALLSET_SESSION_ERROR,               /* see error and message; retry-time 0: stopped */
} AllsetSessionState;

#define ALLSET_TYPE_SESSION_STATE (allset_session_state_get_type ())
GType allset_session_state_get_type (void);

/* AllsetMeteredPolicy (allset-config.h) as a GEnum: "pause",
 * "small-files", "always". */
#define ALLSET_TYPE_METERED_POLICY (allset_metered_policy_get_type ())
GType allset_metered_policy_get_type (void);

/* Progress notifications: at most this often while a pass runs. */
#define ALLSET_FOLDER_SESSION_PROGRESS_MS       150
/* Failed files are tried again after this long. */
#define ALLSET_FOLDER_SESSION_RETRY_SECONDS     60
/* Server unreachable: first retry, doubling up to the maximum. */
#define ALLSET_FOLDER_SESSION_OFFLINE_MIN_MS    2000
#define ALLSET_FOLDER_SESSION_OFFLINE_MAX_MS    60000
/* A full rescan however quiet the monitors are. */
#define ALLSET_FOLDER_SESSION_RESCAN_SECONDS    3600
/* Rescans while some directory has no inotify watch. */
#define ALLSET_FOLDER_SESSION_DEGRADED_SECONDS  60
/* The first pass waits this long at most for the folder's watches. */
#define ALLSET_FOLDER_SESSION_WATCHES_WAIT_MS   5000

#define ALLSET_TYPE_FOLDER_SESSION (allset_folder_session_get_type ())
G_DECLARE_FINAL_TYPE (AllsetFolderSession, allset_folder_session, ALLSET, FOLDER_SESSION, GObject)

/* folder is copied. monitor: NULL for allset_network_monitor_get_default().
 * The client is shared (its bandwidth limits are the caller's to set). */
AllsetFolderSession *allset_folder_session_new   (AllsetClient             *client,
                                                  const AllsetFolderConfig *folder,
                                                  GNetworkMonitor          *monitor);
/* Starts the monitors and the first pass. */
void                 allset_folder_session_start (AllsetFolderSession      *self);
/* Cancels the running pass, stops monitors and timers, state STOPPED;
 * no signal or notification after this. Returns at once: the cancelled
 * pass ends in its thread, and the session (which it keeps alive) goes
 * when it has. */
void                 allset_folder_session_stop  (AllsetFolderSession      *self);

const AllsetFolderConfig *allset_folder_session_get_folder (AllsetFolderSession *self);

/* ---- state ----------------------------------------------------------------
 * Properties (read-only unless said, notified on change): state,
 * message, error, paused (rw), metered-policy (rw), retry-time,
 * problem-count, held-deletions, deferred-files, last-sync, files-done,
 * files-total, bytes-done, bytes-total, eta-seconds, fraction. */
AllsetSessionState   allset_folder_session_get_state   (AllsetFolderSession *self);
/* The state in one translated sentence for the UI ("Up to date",
 * "Paused: metered connection", "Sign in again: …", both figures of a
 * free-space refusal…). */
const char          *allset_folder_session_get_message (AllsetFolderSession *self);
/* Why the last pass failed (ERROR, MAINTENANCE, OFFLINE), else NULL. */
const GError        *allset_folder_session_get_error   (AllsetFolderSession *self);
/* Unix time of the next automatic try (MAINTENANCE, OFFLINE, failures),
 * 0 when none is planned. */
gint64               allset_folder_session_get_retry_time (AllsetFolderSession *self);
/* Files the last pass could not sync (failed, skipped, not verified). */
guint                allset_folder_session_get_problem_count (AllsetFolderSession *self);
guint                allset_folder_session_get_held_deletions (AllsetFolderSession *self);
/* Transfers waiting for an unmetered connection ("small-files"). */
guint                allset_folder_session_get_deferred_files (AllsetFolderSession *self);
/* When a pass last ended without a fatal error; NULL before. */
GDateTime           *allset_folder_session_get_last_sync (AllsetFolderSession *self);
/* The last pass's report (NULL before the first one ends). */
const AllsetSyncReport *allset_folder_session_get_last_report (AllsetFolderSession *self);

/* ---- progress of the running pass (kept after it until the next) ---------- */
guint                allset_folder_session_get_files_done  (AllsetFolderSession *self);
guint                allset_folder_session_get_files_total (AllsetFolderSession *self);
guint64              allset_folder_session_get_bytes_done  (AllsetFolderSession *self);
guint64              allset_folder_session_get_bytes_total (AllsetFolderSession *self);
/* Seconds left from a smoothed rate; -1 when unknown. */
gint64               allset_folder_session_get_eta_seconds (AllsetFolderSession *self);
/* 0…1: bytes when the plan moves bytes, else files. */
double               allset_folder_session_get_fraction    (AllsetFolderSession *self);

/* A GListModel of AllsetActivity, newest first (see allset-activity.h). */
GListModel          *allset_folder_session_get_activity (AllsetFolderSession *self);

/* ---- user controls -------------------------------------------------------- */
/* Pausing cancels the running pass; resuming syncs at once. */
void                 allset_folder_session_set_paused  (AllsetFolderSession *self,
                                                        gboolean             paused);
gboolean             allset_folder_session_get_paused  (AllsetFolderSession *self);
/* The metered banner: "Synchroniser quand même" = ALWAYS, "Petits
 * fichiers seulement" = SMALL_FILES, "Rester en pause" = PAUSE. Starts
 * with the folder's. */
void                 allset_folder_session_set_metered_policy (AllsetFolderSession *self,
                                                               AllsetMeteredPolicy  policy);
AllsetMeteredPolicy  allset_folder_session_get_metered_policy (AllsetFolderSession *self);
/* A pass now, whatever the timers say; from ERROR, starts again (the
 * "Réessayer" buttons). Not in PAUSED or on a network the policy
 * forbids. */
void                 allset_folder_session_sync_now    (AllsetFolderSession *self);
/* NEEDS_CONFIRMATION: the next pass carries the held deletions out. */
void                 allset_folder_session_confirm_deletions (AllsetFolderSession *self);
/* Tests: the full-rescan interval in seconds (0 restores
 * ALLSET_FOLDER_SESSION_RESCAN_SECONDS), so that an hour's timer can be
 * shown to work in a second; re-armed at once while started. */
void                 allset_folder_session_set_rescan_interval (AllsetFolderSession *self,
                                                                guint                seconds);
/* Tests: how long the first pass waits for the local monitor's watches
 * (0 restores ALLSET_FOLDER_SESSION_WATCHES_WAIT_MS), so that a walk
 * slower than the wait can be shown; takes effect at the next start(). */
void                 allset_folder_session_set_watches_wait (AllsetFolderSession *self,
                                                             guint                ms);

/* Signals:
 *   ::pass-finished (gpointer report, GError *error)
 *       a pass ended: report is the AllsetSyncReport (borrowed), error
 *       NULL when it ran to the end.
 *   ::activity-finished (AllsetActivity *item)
 *       an item of the activity list finished (verified, failed…): the
 *       CLI prints a line per file.
 */

G_END_DECLS
