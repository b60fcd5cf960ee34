/* allset-folder-session-pass.c — a session's passes: run, follow, judge
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A pass runs in a GTask thread (allset_sync_folder_async()); its events
 * arrive in the pass's threads, are copied under the session's lock and
 * applied on the session's main context by one timeout at most every
 * ALLSET_FOLDER_SESSION_PROGRESS_MS (none while nothing runs), so a pass
 * of 10 000 files costs the UI a few notifications a second. Its end
 * decides the state: up to date, retry later (failures, unreachable
 * server, maintenance), or stop until the user acts.
 */

#include <libsoup/soup.h>

#include <glib/gi18n.h>

#include "allset-folder-session-private.h"

#define props allset_folder_session_props

typedef struct
{
  AllsetFolderSession *self;    /* a reference: the session outlives its pass */
  guint                serial;
} PassData;

/* ---- progress --------------------------------------------------------------- */

static void
set_uint (AllsetFolderSession *self,
          guint               *field,
          guint                value,
          guint                prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), props[prop]);
}

static void
set_uint64 (AllsetFolderSession *self,
            guint64             *field,
            guint64              value,
            guint                prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), props[prop]);
}

static void
set_eta (AllsetFolderSession *self,
         gint64               eta)
{
  if (self->eta_seconds == eta)
    return;
  self->eta_seconds = eta;
  g_object_notify_by_pspec (G_OBJECT (self), props[SESSION_PROP_ETA_SECONDS]);
}

void
allset_folder_session_reset_progress (AllsetFolderSession *self)
{
  g_object_freeze_notify (G_OBJECT (self));
  set_uint (self, &self->files_done, 0, SESSION_PROP_FILES_DONE);
  set_uint (self, &self->files_total, 0, SESSION_PROP_FILES_TOTAL);
  set_uint64 (self, &self->bytes_done, 0, SESSION_PROP_BYTES_DONE);
  set_uint64 (self, &self->bytes_total, 0, SESSION_PROP_BYTES_TOTAL);
  set_eta (self, -1);
  g_object_notify_by_pspec (G_OBJECT (self), props[SESSION_PROP_FRACTION]);
  g_object_thaw_notify (G_OBJECT (self));
  self->rate = 0;
  self->rate_time = g_get_monotonic_time ();
  self->rate_bytes = 0;
}

/* Rate samples span at least this long: bytes arrive a chunk (~1 MiB)
 * at a time, and the first second of a limited upload goes at once
 * (allset-client.c's bucket), so shorter ones swing tenfold. */
#define RATE_SAMPLE_US (1000 * 1000)

/* The ETA from an exponentially smoothed rate: one slow chunk does not
 * make the estimate jump, a lasting change moves it within seconds. */
static void
update_eta (AllsetFolderSession *self)
{
  gint64 now = g_get_monotonic_time ();
  gint64 elapsed = now - self->rate_time;
  guint64 remaining;

  /* The clock starts with the first bytes: the time before them (scan,
   * hashing, the plan) is no transfer, and a rate of the few bytes of
   * small files over it announced hours for an upload of seconds. */
  if (self->rate_bytes == 0)
    {
      if (self->bytes_done > 0)
        {
          self->rate_time = now;
          self->rate_bytes = self->bytes_done;
        }
    }
  else if (elapsed >= RATE_SAMPLE_US)
    {
      double sample = (double) (self->bytes_done - MIN (self->rate_bytes, self->bytes_done)) *
                      G_USEC_PER_SEC / (double) elapsed;

      self->rate = self->rate > 0 ? 0.7 * self->rate + 0.3 * sample : sample;
      self->rate_time = now;
      self->rate_bytes = self->bytes_done;
    }

  remaining = self->bytes_total - MIN (self->bytes_done, self->bytes_total);
  if (remaining == 0 && self->bytes_total > 0)
    set_eta (self, 0);
  else if (self->rate >= 1.0 && self->bytes_total > 0)
    set_eta (self, (gint64) ((double) remaining / self->rate + 0.5));
  else
    set_eta (self, -1);
}

static void
apply_events (AllsetFolderSession *self,
              GPtrArray           *events)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  guint files_done, files_total;
  guint64 bytes_done, bytes_total;

  for (guint i = 0; i < events->len; i++)
    {
      const AllsetSyncEvent *event = g_ptr_array_index (events, i);
      AllsetActivity *item = allset_activity_list_apply (self->activity, event, now);
      AllsetActivityStatus status;
      gboolean finished;

      if (item == NULL)
        continue;
      /* Once per verdict: a FAILED after VERIFY_FAILED changes nothing. */
      status = allset_activity_get_status (item);
      finished = (event->kind == ALLSET_SYNC_EVENT_DONE &&
                  (status == ALLSET_ACTIVITY_DONE || status == ALLSET_ACTIVITY_VERIFIED)) ||
                 (event->kind == ALLSET_SYNC_EVENT_FAILED && status == ALLSET_ACTIVITY_FAILED) ||
                 (event->kind == ALLSET_SYNC_EVENT_VERIFY_FAILED &&
                  status == ALLSET_ACTIVITY_VERIFY_FAILED) ||
                 (event->kind == ALLSET_SYNC_EVENT_DEFERRED && status == ALLSET_ACTIVITY_DEFERRED);
      if (finished && self->started)
        g_signal_emit (self, allset_folder_session_signals[SESSION_SIGNAL_ACTIVITY_FINISHED], 0, item);
    }

  allset_activity_list_get_progress (self->activity, &files_done, &files_total, &bytes_done, &bytes_total);
  g_object_freeze_notify (G_OBJECT (self));
  set_uint (self, &self->files_done, files_done, SESSION_PROP_FILES_DONE);
  set_uint (self, &self->files_total, files_total, SESSION_PROP_FILES_TOTAL);
  set_uint64 (self, &self->bytes_done, bytes_done, SESSION_PROP_BYTES_DONE);
  set_uint64 (self, &self->bytes_total, bytes_total, SESSION_PROP_BYTES_TOTAL);
  g_object_notify_by_pspec (G_OBJECT (self), props[SESSION_PROP_FRACTION]);
  update_eta (self);
  g_object_thaw_notify (G_OBJECT (self));
}

void
allset_folder_session_flush_events (AllsetFolderSession *self)
{
  g_autoptr(GPtrArray) events = NULL;

  g_mutex_lock (&self->lock);
  events = g_steal_pointer (&self->events);
  self->events = g_ptr_array_new_with_free_func ((GDestroyNotify) allset_sync_event_free);
  if (self->flush_source != NULL)
    {
      g_source_destroy (self->flush_source);
      g_clear_pointer (&self->flush_source, g_source_unref);
    }
  g_mutex_unlock (&self->lock);

  if (events->len > 0)
    apply_events (self, events);
}

static gboolean
on_flush (gpointer user_data)
{
  allset_folder_session_flush_events (user_data);
  return G_SOURCE_REMOVE;
}

/* The pass's threads: copy, and make sure one batch is due. */
static void
on_pass_event (const AllsetSyncEvent *event,
               gpointer               user_data)
{
  AllsetFolderSession *self = user_data;

  g_mutex_lock (&self->lock);
  if (self->accepting)
    {
      g_ptr_array_add (self->events, allset_sync_event_copy (event));
      if (self->flush_source == NULL)
        {
          self->flush_source = g_timeout_source_new (ALLSET_FOLDER_SESSION_PROGRESS_MS);
          g_source_set_callback (self->flush_source, on_flush, self, NULL);
          g_source_attach (self->flush_source, self->context);
        }
    }
  g_mutex_unlock (&self->lock);
}

/* ---- how a pass ended ------------------------------------------------------- */

static gboolean
is_network_error (const GError *error)
{
  if (error->domain == G_IO_ERROR)
    return error->code == G_IO_ERROR_CONNECTION_REFUSED || error->code == G_IO_ERROR_TIMED_OUT ||
           error->code == G_IO_ERROR_HOST_UNREACHABLE || error->code == G_IO_ERROR_NETWORK_UNREACHABLE ||
           error->code == G_IO_ERROR_CONNECTION_CLOSED || error->code == G_IO_ERROR_BROKEN_PIPE ||
           error->code == G_IO_ERROR_NOT_CONNECTED || error->code == G_IO_ERROR_HOST_NOT_FOUND;
  return error->domain == G_RESOLVER_ERROR || error->domain == SOUP_SESSION_ERROR ||
         error->domain == G_TLS_ERROR;
}

char *
allset_folder_session_halt_message (AllsetFolderSession *self,
                                    const GError        *error)
{
  if (error->domain == ALLSET_PROTOCOL_ERROR)
    switch ((AllsetErrorCode) error->code)
      {
      case ALLSET_ERROR_UNAUTHORIZED:
        return g_strdup (_("This device was signed out (its token was revoked): sign in again."));
      case ALLSET_ERROR_TOKEN_EXPIRED:
        return g_strdup (_("This device's session has expired: sign in again."));
      case ALLSET_ERROR_ACCOUNT_SUSPENDED:
        return g_strdup (_("This account is suspended: nothing is synced until it is resumed. "
                           "Contact ALLSET support."));
      default:
        return NULL;
      }

  if (error->domain == ALLSET_CLIENT_ERROR)
    {
      if (error->code == ALLSET_CLIENT_ERROR_NOT_SIGNED_IN)
        return g_strdup (_("Not signed in: sign in again."));
      return g_strdup_printf (_("Sync stopped: %s"), error->message);
    }

  if (g_error_matches (error, ALLSET_SYNC_ERROR, ALLSET_SYNC_ERROR_NO_SPACE))
    {
      const AllsetSyncReport *report = self->last_report;
      g_autofree char *free_text = g_format_size (report != NULL ? report->free_space : 0);
      g_autofree char *used_text = g_format_size (report != NULL ? report->remote_used : 0);

      return g_strdup_printf (_("Sync did not start: the disk has %s free, but the account holds %s "
                                "on the server. Free some space, then retry."),
                              free_text, used_text);
    }

  /* The journal, the folder itself: nothing a retry fixes alone. */
  if ((error->domain == G_IO_ERROR && !is_network_error (error)) || error->domain == G_FILE_ERROR ||
      error->domain == ALLSET_SYNC_ERROR)
    return g_strdup_printf (_("Sync stopped: %s"), error->message);

  return NULL;
}

static void
finish_ok (AllsetFolderSession    *self,
           const AllsetSyncReport *report)
{
  guint problems = report->failed + report->skipped + report->verify_failed;
  g_autofree char *message = NULL;

  self->offline_delay_ms = 0;
  if (self->pass_confirm && report->held_deletions == 0)
    self->confirm_next = FALSE;

  g_clear_pointer (&self->last_sync, g_date_time_unref);
  self->last_sync = g_date_time_new_now_local ();
  g_object_notify_by_pspec (G_OBJECT (self), props[SESSION_PROP_LAST_SYNC]);
  set_uint (self, &self->problem_count, problems, SESSION_PROP_PROBLEM_COUNT);
  set_uint (self, &self->held_deletions, report->held_deletions, SESSION_PROP_HELD_DELETIONS);
  set_uint (self, &self->deferred_files, report->deferred, SESSION_PROP_DEFERRED_FILES);
  allset_folder_session_set_error (self, NULL);

  if (report->held_deletions > 0)
    {
      message = g_strdup_printf (g_dngettext (NULL, "%u deletion waits for your confirmation",
                                              "%u deletions wait for your confirmation",
                                              report->held_deletions),
                                 report->held_deletions);
      allset_folder_session_set_state (self, ALLSET_SESSION_NEEDS_CONFIRMATION, message);
    }
  else if (report->deferred > 0)
    {
      message = g_strdup_printf (g_dngettext (NULL,
                                              "Metered connection: %u large file waits for another network",
                                              "Metered connection: %u large files wait for another network",
                                              report->deferred),
                                 report->deferred);
      allset_folder_session_set_state (self, ALLSET_SESSION_PAUSED_METERED, message);
    }
  else if (problems > 0)
    {
      message = g_strdup_printf (g_dngettext (NULL, "Up to date, but %u file could not be synced",
                                              "Up to date, but %u files could not be synced", problems),
                                 problems);
      allset_folder_session_set_state (self, ALLSET_SESSION_IDLE, message);
    }
  else
    allset_folder_session_set_state (self, ALLSET_SESSION_IDLE, _("Up to date"));

  if (problems > 0)
    allset_folder_session_schedule_retry (self, ALLSET_FOLDER_SESSION_RETRY_SECONDS * 1000);
}

static void
finish_error (AllsetFolderSession *self,
              const GError        *error)
{
  g_autofree char *halt = NULL;
  g_autofree char *message = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Paused, or the network became metered: what is owed runs (or
       * waits) under the new rules. */
      self->wanted = TRUE;
      return;
    }

  if (g_error_matches (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_MAINTENANCE) ||
      g_error_matches (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_TOO_MANY_ATTEMPTS))
    {
      g_autofree char *until = NULL;
      guint delay = allset_client_get_retry_after (self->client, &until);

      if (delay == 0)
        delay = ALLSET_FOLDER_SESSION_RETRY_SECONDS;
      if (until != NULL)
        message = g_strdup_printf (_("The server is under maintenance until %s; retrying in %u s"),
                                   until, delay);
      else
        message = g_strdup_printf (_("The server is under maintenance; retrying in %u s"), delay);
      self->wanted = TRUE;
      allset_folder_session_set_error (self, error);
      allset_folder_session_set_state (self, ALLSET_SESSION_MAINTENANCE, message);
      allset_folder_session_schedule_retry (self, delay * 1000);
      return;
    }

  if (is_network_error (error))
    {
      self->offline_delay_ms = self->offline_delay_ms == 0 ? ALLSET_FOLDER_SESSION_OFFLINE_MIN_MS
                               : MIN (self->offline_delay_ms * 2, ALLSET_FOLDER_SESSION_OFFLINE_MAX_MS);
      message = g_strdup_printf (_("Offline: cannot reach the server (%s)"), error->message);
      self->wanted = TRUE;
      allset_folder_session_set_error (self, error);
      allset_folder_session_set_state (self, ALLSET_SESSION_OFFLINE, message);
      allset_folder_session_schedule_retry (self, self->offline_delay_ms);
      return;
    }

  halt = allset_folder_session_halt_message (self, error);
  if (halt != NULL)
    {
      allset_folder_session_halt (self, error, halt);
      return;
    }

  /* Quota, a full server, an internal error: say so, try again later. */
  if (g_error_matches (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_QUOTA_EXCEEDED))
    message = g_strdup (_("The account's storage quota is used up; retrying in a minute"));
  else
    message = g_strdup_printf (_("Sync failed: %s; retrying in a minute"), error->message);
  self->wanted = TRUE;
  allset_folder_session_set_error (self, error);
  allset_folder_session_set_state (self, ALLSET_SESSION_ERROR, message);
  allset_folder_session_schedule_retry (self, ALLSET_FOLDER_SESSION_RETRY_SECONDS * 1000);
}

static void
on_pass_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  PassData *data = user_data;
  g_autoptr(AllsetFolderSession) self = data->self;
  g_autoptr(AllsetSyncReport) report = NULL;
  g_autoptr(GError) error = NULL;
  gboolean current = data->serial == self->pass_serial && self->started;

  g_free (data);
  allset_sync_folder_finish (ALLSET_CLIENT (source), result, &report, &error);
  if (!current)
    return;   /* stop() came first: no signal any more */

  allset_folder_session_flush_events (self);
  g_clear_object (&self->pass_cancellable);
  allset_activity_list_end_pass (self->activity, error != NULL ? error->message : NULL);

  g_clear_pointer (&self->last_report, allset_sync_report_free);
  self->last_report = g_steal_pointer (&report);
  g_debug ("Pass of %s ended (%s), cursor %" G_GINT64_FORMAT, self->folder.local,
           error != NULL ? error->message : "ok", self->last_report->cursor);

  g_object_freeze_notify (G_OBJECT (self));
  if (self->halted)
    ;   /* the push channel stopped it meanwhile (revoked token…) */
  else if (error == NULL)
    finish_ok (self, self->last_report);
  else
    finish_error (self, error);
  if (self->bytes_total > 0 || self->files_total > 0)
    set_eta (self, -1);
  g_object_thaw_notify (G_OBJECT (self));
  if (!self->started)
    return;   /* a handler of those notifications called stop() */

  /* The push channel starts from what the first pass read, and learns
   * what each later one read (no echo of what we already have). */
  if (!self->halted && self->last_report->cursor > 0)
    allset_folder_session_start_remote (self, self->last_report->cursor);
  else if (!self->halted && !self->remote_started && error == NULL)
    allset_folder_session_start_remote (self, 0);

  g_signal_emit (self, allset_folder_session_signals[SESSION_SIGNAL_PASS_FINISHED], 0,
                 self->last_report, error);

  if (!self->started || self->halted)
    return;
  if (self->dirty)
    self->wanted = TRUE;
  self->dirty = FALSE;
  /* Unreachable, maintenance, a server error: what is owed waits for the
   * backoff's timer, whatever came meanwhile. */
  if (self->retry_source != NULL &&
      (self->state == ALLSET_SESSION_OFFLINE || self->state == ALLSET_SESSION_MAINTENANCE ||
       self->state == ALLSET_SESSION_ERROR))
    return;
  allset_folder_session_run_if_wanted (self);
}

void
allset_folder_session_start_pass (AllsetFolderSession *self,
                                  AllsetNetworkScope   scope)
{
  AllsetSyncOptions options = { 0 };
  PassData *data = g_new0 (PassData, 1);

  self->wanted = FALSE;
  self->dirty = FALSE;
  self->pass_scope = scope;
  self->pass_confirm = self->confirm_next;
  self->pass_cancellable = g_cancellable_new ();

  options.confirm_deletes = self->pass_confirm;
  options.max_transfer_size = allset_network_scope_max_transfer (scope, self->folder.small_files_max);
  options.on_event = on_pass_event;
  options.on_event_data = self;

  allset_activity_list_begin_pass (self->activity);
  g_object_freeze_notify (G_OBJECT (self));
  allset_folder_session_reset_progress (self);
  allset_folder_session_set_state (self, ALLSET_SESSION_SYNCING,
                                   scope == ALLSET_NETWORK_SCOPE_SMALL_FILES
                                   ? _("Syncing small files (metered connection)") : _("Syncing"));
  g_object_thaw_notify (G_OBJECT (self));

  data->self = g_object_ref (self);
  data->serial = ++self->pass_serial;
  allset_sync_folder_async (self->client, &self->folder, &options, self->pass_cancellable,
                            on_pass_done, data);
}
